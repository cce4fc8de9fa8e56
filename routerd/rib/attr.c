/*
 * Interned path attributes: one growable chained hash table per object type,
 * reference counts, and per-type counts and bytes for `show memory`.
 *
 * Every intern looks the caller's data up first and allocates only on a
 * miss, so re-interning a known set (the common case while a full table
 * arrives) costs one hash and one compare, no malloc. Interned objects are
 * immutable; pointer equality is content equality (attr.h).
 *
 * The five object types share their first members (hnext, hash, refcnt), so
 * one table, one lookup-or-insert and one reference count implementation
 * serve them all, and the four that are a counted array (AS paths, the two
 * community lists, blobs) share their compare and copy as well. The shared
 * code touches those members only through memcpy at the common offsets: the
 * types are distinct structs and reading one through another's type would
 * break strict aliasing.
 */
#include "routerd/rib/attr.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/lib/hash.h"

#define HTAB_MIN_BUCKETS 64u

/* What every interned type starts with; objects are copied to and from it, never cast to it. */
struct obj_head {
	void *hnext;
	uint32_t hash;
	uint32_t refcnt;
};

#define OFF_HNEXT  offsetof(struct obj_head, hnext)
#define OFF_HASH   offsetof(struct obj_head, hash)
#define OFF_REFCNT offsetof(struct obj_head, refcnt)
/* The array types' uint16_t count (bytes or values) comes right after the header. */
#define OFF_COUNT sizeof(struct obj_head)

#define HEAD_OF(type)                                                                              \
	_Static_assert(offsetof(type, hnext) == OFF_HNEXT && offsetof(type, hash) == OFF_HASH &&   \
			       offsetof(type, refcnt) == OFF_REFCNT,                               \
		       #type " must start with hnext, hash, refcnt")
HEAD_OF(struct aspath);
HEAD_OF(struct community_list);
HEAD_OF(struct lcommunity_list);
HEAD_OF(struct attr_blob);
HEAD_OF(struct attrs);
_Static_assert(offsetof(struct aspath, len) == OFF_COUNT &&
		       offsetof(struct community_list, n) == OFF_COUNT &&
		       offsetof(struct lcommunity_list, n) == OFF_COUNT &&
		       offsetof(struct attr_blob, len) == OFF_COUNT,
	       "array types keep their uint16_t count right after the header");

/* Seeds keep equal byte strings of different types from sharing hash values. */
enum hash_seed {
	SEED_ASPATH = 0x61737061u,
	SEED_COMM = 0x636f6d6du,
	SEED_LCOMM = 0x6c636f6du,
	SEED_BLOB = 0x626c6f62u,
	SEED_ATTRS = 0x61747472u,
};

/* Sort scratch for unsorted community input: grows, never per call. */
struct scratch {
	void *buf;
	size_t cap; /* values */
};

struct htab {
	void **b;      /* bucket heads */
	uint32_t mask; /* bucket count - 1 (a power of two) */
	size_t count;  /* objects held */
	size_t bytes;  /* their allocated size */
};

struct attr_pool {
	struct htab attrs;
	struct htab aspaths;
	struct htab comms;
	struct htab lcomms;
	struct htab blobs;
	struct scratch cscratch;
	struct scratch lscratch;
};

/* ---- generic chained table over the shared object header ---- */

typedef bool (*obj_eq_fn)(const void *obj, const void *key);
/* Fills a new object from the key; may overwrite the header, which is set afterwards. */
typedef void (*obj_init_fn)(void *obj, const void *key);

static void *obj_next(const void *obj)
{
	void *n;

	memcpy(&n, (const char *)obj + OFF_HNEXT, sizeof(n));
	return n;
}

static void obj_set_next(void *obj, void *next)
{
	memcpy((char *)obj + OFF_HNEXT, &next, sizeof(next));
}

static uint32_t obj_hash(const void *obj)
{
	uint32_t h;

	memcpy(&h, (const char *)obj + OFF_HASH, sizeof(h));
	return h;
}

/* Adds delta (1 or -1) to the reference count; returns the new count. */
static uint32_t obj_refs_add(void *obj, int delta)
{
	uint32_t r;

	memcpy(&r, (char *)obj + OFF_REFCNT, sizeof(r));
	assert(delta > 0 || r > 0);
	r += (uint32_t)delta;
	memcpy((char *)obj + OFF_REFCNT, &r, sizeof(r));
	return r;
}

static void *obj_ref(void *obj)
{
	if (obj)
		obj_refs_add(obj, 1);
	return obj;
}

/* Drops one reference; true when it was the last. */
static bool obj_unref(void *obj)
{
	return obj_refs_add(obj, -1) == 0;
}

static void *htab_find(const struct htab *t, uint32_t hash, obj_eq_fn eq, const void *key)
{
	void *o;

	if (!t->b)
		return NULL;
	for (o = t->b[hash & t->mask]; o; o = obj_next(o))
		if (obj_hash(o) == hash && eq(o, key))
			return o;
	return NULL;
}

/* Doubles the bucket array; on allocation failure the table just stays denser. */
static void htab_grow(struct htab *t)
{
	uint32_t nb = t->b ? (t->mask + 1) * 2 : HTAB_MIN_BUCKETS;
	void **b = calloc(nb, sizeof(*b));
	uint32_t i;

	if (!b)
		return;
	for (i = 0; t->b && i <= t->mask; i++) {
		void *o = t->b[i];

		while (o) {
			void *next = obj_next(o);
			uint32_t j = obj_hash(o) & (nb - 1);

			obj_set_next(o, b[j]);
			b[j] = o;
			o = next;
		}
	}
	free(t->b);
	t->b = b;
	t->mask = nb - 1;
}

/* Makes room for one more object; false only when there are no buckets and none to be had. */
static bool htab_reserve(struct htab *t)
{
	if (!t->b || t->count >= (size_t)t->mask + 1)
		htab_grow(t);
	return t->b != NULL;
}

/* After htab_reserve(). */
static void htab_link(struct htab *t, void *obj, size_t bytes)
{
	uint32_t i = obj_hash(obj) & t->mask;

	obj_set_next(obj, t->b[i]);
	t->b[i] = obj;
	t->count++;
	t->bytes += bytes;
}

/* Unlinks and frees an object whose last reference is gone. */
static void htab_free(struct htab *t, void *obj, size_t bytes)
{
	uint32_t i = obj_hash(obj) & t->mask;
	void *prev = NULL;
	void *o = t->b[i];

	while (o && o != obj) {
		prev = o;
		o = obj_next(o);
	}
	assert(o == obj);
	if (o) {
		if (prev)
			obj_set_next(prev, obj_next(obj));
		else
			t->b[i] = obj_next(obj);
		t->count--;
		t->bytes -= bytes;
	}
	free(obj);
}

/* Frees whatever is left (only after a caller leaked references) and the buckets. */
static void htab_destroy(struct htab *t)
{
	uint32_t i;

	for (i = 0; t->b && i <= t->mask; i++) {
		void *o = t->b[i];

		while (o) {
			void *next = obj_next(o);

			free(o);
			o = next;
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

/*
 * The lookup-or-insert every *_intern() shares: the object equal to key with
 * one more reference, else a new one of `bytes` bytes that init fills. The
 * table makes room before the allocation, so nothing can fail after init
 * (which may take references of its own). NULL on allocation failure.
 * Inline: each type gets its own copy with eq and init as direct calls.
 */
static inline void *intern_obj(struct htab *t, uint32_t hash, obj_eq_fn eq, const void *key,
			       size_t bytes, obj_init_fn init)
{
	struct obj_head head = { NULL, hash, 1 };
	void *o = htab_find(t, hash, eq, key);

	if (o)
		return obj_ref(o);
	if (!htab_reserve(t))
		return NULL;
	o = malloc(bytes);
	if (!o)
		return NULL;
	init(o, key);
	memcpy(o, &head, sizeof(head));
	htab_link(t, o, bytes);
	return o;
}

/* ---- the array types: a count after the header, the values further on ---- */

struct array_key {
	const void *v;
	size_t n;    /* values */
	size_t size; /* bytes each */
	size_t off;  /* where the type keeps them: offsetof(type, data or v) */
};

static bool array_eq(const void *obj, const void *key)
{
	const struct array_key *k = key;
	uint16_t n;

	memcpy(&n, (const char *)obj + OFF_COUNT, sizeof(n));
	return n == k->n &&
	       (!k->n || memcmp((const char *)obj + k->off, k->v, k->n * k->size) == 0);
}

static void array_init(void *obj, const void *key)
{
	const struct array_key *k = key;
	uint16_t n = (uint16_t)k->n;

	memcpy((char *)obj + OFF_COUNT, &n, sizeof(n));
	if (k->n)
		memcpy((char *)obj + k->off, k->v, k->n * k->size);
}

/* Objects are sizeof(type) (head) plus the values; k->n must fit the uint16_t count. */
static inline void *array_intern(struct htab *t, uint32_t seed, const struct array_key *k,
				 size_t head, obj_init_fn init)
{
	size_t len = k->n * k->size;

	return intern_obj(t, hash_bytes(k->v, len, seed), array_eq, k, head + len, init);
}

/* ---- pool ---- */

struct attr_pool *attr_pool_new(void)
{
	return calloc(1, sizeof(struct attr_pool));
}

void attr_pool_free(struct attr_pool *pool)
{
	if (!pool)
		return;
	assert(pool->attrs.count == 0 && pool->aspaths.count == 0 && pool->comms.count == 0 &&
	       pool->lcomms.count == 0 && pool->blobs.count == 0);
	htab_destroy(&pool->attrs);
	htab_destroy(&pool->aspaths);
	htab_destroy(&pool->comms);
	htab_destroy(&pool->lcomms);
	htab_destroy(&pool->blobs);
	free(pool->cscratch.buf);
	free(pool->lscratch.buf);
	free(pool);
}

void attr_pool_stats(const struct attr_pool *pool, struct attr_pool_stats *st)
{
	st->attrs = pool->attrs.count;
	st->attrs_bytes = pool->attrs.bytes;
	st->aspaths = pool->aspaths.count;
	st->aspath_bytes = pool->aspaths.bytes;
	st->communities = pool->comms.count;
	st->community_bytes = pool->comms.bytes;
	st->lcommunities = pool->lcomms.count;
	st->lcommunity_bytes = pool->lcomms.bytes;
	st->blobs = pool->blobs.count;
	st->blob_bytes = pool->blobs.bytes;
}

/* ---- AS paths ---- */

struct aspath_info {
	uint16_t path_len;
	uint32_t neighbor_as;
	uint32_t origin_as;
};

struct aspath_key {
	struct array_key a; /* first: aspath_init() gets a pointer to it */
	struct aspath_info info;
};

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 4271 §9.1.2.2 a): a SET counts as one AS; RFC 5065 §5.3: confederation segments count 0. */
static unsigned segment_path_len(uint8_t type, uint8_t count)
{
	switch (type) {
	case ASPATH_SEQUENCE:
		return count;
	case ASPATH_SET:
		return 1;
	default:
		return 0;
	}
}

/* Checks segments (type 1-4, count >= 1, no overrun) and derives the summary fields. */
static bool aspath_scan(const uint8_t *data, size_t len, struct aspath_info *info)
{
	size_t off = 0;
	unsigned plen = 0;

	memset(info, 0, sizeof(*info));
	while (off < len) {
		uint8_t type, count;

		if (len - off < 2)
			return false;
		type = data[off];
		count = data[off + 1];
		if (type < ASPATH_SET || type > ASPATH_CONFED_SET || count == 0)
			return false;
		if (len - off - 2 < (size_t)count * 4)
			return false;
		if (off == 0 && type == ASPATH_SEQUENCE)
			info->neighbor_as = get_be32(data + 2);
		plen += segment_path_len(type, count);
		info->origin_as = get_be32(data + off + 2 + ((size_t)count - 1) * 4);
		off += 2 + (size_t)count * 4;
	}
	info->path_len = (uint16_t)plen;
	return true;
}

static void aspath_init(void *obj, const void *key)
{
	const struct aspath_key *k = key;
	struct aspath *p = obj;

	array_init(p, &k->a);
	p->path_len = k->info.path_len;
	p->neighbor_as = k->info.neighbor_as;
	p->origin_as = k->info.origin_as;
}

struct aspath *aspath_intern(struct attr_pool *pool, const uint8_t *data, size_t len)
{
	struct aspath_key key = { .a = { data, len, 1, offsetof(struct aspath, data) } };

	if (len > UINT16_MAX || (len && !data) || !aspath_scan(data, len, &key.info))
		return NULL;
	return array_intern(&pool->aspaths, SEED_ASPATH, &key.a, sizeof(struct aspath),
			    aspath_init);
}

struct aspath *aspath_ref(struct aspath *p)
{
	return obj_ref(p);
}

void aspath_unref(struct attr_pool *pool, struct aspath *p)
{
	if (p && obj_unref(p))
		htab_free(&pool->aspaths, p, sizeof(*p) + p->len);
}

/* Appends like snprintf: counts every character, writes what fits. */
struct fmt_out {
	char *buf;
	size_t cap;
	size_t n;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->n + 1 < o->cap)
		o->buf[o->n] = c;
	o->n++;
}

static void fmt_putu(struct fmt_out *o, uint32_t v)
{
	char tmp[10];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		fmt_putc(o, tmp[--i]);
}

/* How FRR prints each segment type: opening, separator, closing. */
static const char *const seg_style[5] = {
	[ASPATH_SET] = "{,}",
	[ASPATH_SEQUENCE] = "\0 \0",
	[ASPATH_CONFED_SEQUENCE] = "( )",
	[ASPATH_CONFED_SET] = "[,]",
};

static void fmt_segment(struct fmt_out *o, const uint8_t *seg)
{
	const char *style = seg_style[seg[0]];
	uint8_t i;

	if (style[0])
		fmt_putc(o, style[0]);
	for (i = 0; i < seg[1]; i++) {
		if (i)
			fmt_putc(o, style[1]);
		fmt_putu(o, get_be32(seg + 2 + (size_t)i * 4));
	}
	if (style[2])
		fmt_putc(o, style[2]);
}

/*
 * Returns the length of the full text (snprintf semantics); the output is
 * NUL-terminated whenever outlen > 0, truncated if it does not fit.
 */
size_t aspath_fmt(const struct aspath *p, char *out, size_t outlen)
{
	struct fmt_out o = { out, outlen, 0 };
	size_t off = 0;

	while (p && off < p->len) {
		if (off)
			fmt_putc(&o, ' ');
		fmt_segment(&o, p->data + off);
		off += 2 + (size_t)p->data[off + 1] * 4;
	}
	if (outlen)
		out[o.n < outlen ? o.n : outlen - 1] = '\0';
	return o.n;
}

bool aspath_contains(const struct aspath *p, uint32_t asn)
{
	size_t off = 0;

	while (p && off < p->len) {
		uint8_t count = p->data[off + 1];
		uint8_t i;

		for (i = 0; i < count; i++)
			if (get_be32(p->data + off + 2 + (size_t)i * 4) == asn)
				return true;
		off += 2 + (size_t)count * 4;
	}
	return false;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

struct aspath *aspath_prepend(struct attr_pool *pool, const struct aspath *p, uint32_t asn,
			      unsigned count)
{
	/* Joining a leading AS_SEQUENCE keeps the path one segment long (RFC 4271 §5.1.2). */
	bool join = p->len && p->data[0] == ASPATH_SEQUENCE && p->data[1] + count <= 255;
	size_t skip = join ? 2 : 0, len = p->len - skip + 2 + (size_t)count * 4;
	uint8_t stackbuf[1024], *buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	struct aspath *out;

	if (!buf || count == 0 || count > 255 || len > UINT16_MAX) {
		if (buf != stackbuf)
			free(buf);
		return NULL;
	}
	buf[0] = ASPATH_SEQUENCE;
	buf[1] = (uint8_t)(count + (join ? p->data[1] : 0));
	for (unsigned i = 0; i < count; i++)
		put_be32(buf + 2 + i * 4, asn);
	memcpy(buf + 2 + (size_t)count * 4, p->data + skip, p->len - skip);
	out = aspath_intern(pool, buf, len);
	if (buf != stackbuf)
		free(buf);
	return out;
}

/* ---- community lists (RFC 1997, RFC 8092) ---- */

/* Makes room in a scratch array; grows geometrically so it settles quickly. */
static bool scratch_reserve(struct scratch *s, size_t n, size_t size)
{
	size_t ncap = s->cap ? s->cap : 64;
	void *nb;

	if (n <= s->cap)
		return true;
	while (ncap < n)
		ncap *= 2;
	nb = realloc(s->buf, ncap * size);
	if (!nb)
		return false;
	s->buf = nb;
	s->cap = ncap;
	return true;
}

static bool sorted_unique(const char *v, size_t n, size_t size,
			  int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp(v + (i - 1) * size, v + i * size) >= 0)
			return false;
	return true;
}

/* Copies k's values to s sorted and deduplicated, and points k at them. */
static inline bool sort_unique(struct scratch *s, struct array_key *k,
			       int (*cmp)(const void *, const void *))
{
	size_t out = 0;
	char *b;

	if (!scratch_reserve(s, k->n, k->size))
		return false;
	b = s->buf;
	memcpy(b, k->v, k->n * k->size);
	qsort(b, k->n, k->size, cmp);
	for (size_t i = 0; i < k->n; i++) {
		if (out && cmp(b + (out - 1) * k->size, b + i * k->size) == 0)
			continue;
		if (out != i)
			memcpy(b + out * k->size, b + i * k->size, k->size);
		out++;
	}
	k->v = b;
	k->n = out;
	return true;
}

/*
 * Input is usually canonical already: checked in place, and small enough to
 * inline so that cmp is a direct call on this path.
 */
static bool canonical(struct scratch *s, struct array_key *k,
		      int (*cmp)(const void *, const void *))
{
	return sorted_unique(k->v, k->n, k->size, cmp) || sort_unique(s, k, cmp);
}

struct community_list *community_list_intern(struct attr_pool *pool, const uint32_t *v, size_t n)
{
	struct array_key key = { v, n, sizeof(*v), offsetof(struct community_list, v) };

	if (n > UINT16_MAX || (n && !v) || !canonical(&pool->cscratch, &key, community_cmp))
		return NULL;
	return array_intern(&pool->comms, SEED_COMM, &key, sizeof(struct community_list),
			    array_init);
}

struct community_list *community_list_ref(struct community_list *c)
{
	return obj_ref(c);
}

void community_list_unref(struct attr_pool *pool, struct community_list *c)
{
	if (c && obj_unref(c))
		htab_free(&pool->comms, c, sizeof(*c) + c->n * sizeof(uint32_t));
}

bool community_list_has(const struct community_list *c, uint32_t value)
{
	size_t lo = 0, hi = c ? c->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->v[mid] == value)
			return true;
		if (c->v[mid] < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct lcommunity_list *lcommunity_list_intern(struct attr_pool *pool, const struct lcommunity *v,
					       size_t n)
{
	struct array_key key = { v, n, sizeof(*v), offsetof(struct lcommunity_list, v) };

	if (n > UINT16_MAX || (n && !v) || !canonical(&pool->lscratch, &key, lcommunity_cmp))
		return NULL;
	return array_intern(&pool->lcomms, SEED_LCOMM, &key, sizeof(struct lcommunity_list),
			    array_init);
}

struct lcommunity_list *lcommunity_list_ref(struct lcommunity_list *c)
{
	return obj_ref(c);
}

void lcommunity_list_unref(struct attr_pool *pool, struct lcommunity_list *c)
{
	if (c && obj_unref(c))
		htab_free(&pool->lcomms, c, sizeof(*c) + c->n * sizeof(struct lcommunity));
}

/* ---- unknown transitive attributes ---- */

struct attr_blob *attr_blob_intern(struct attr_pool *pool, const uint8_t *data, size_t len)
{
	struct array_key key = { data, len, 1, offsetof(struct attr_blob, data) };

	if (len > UINT16_MAX || (len && !data))
		return NULL;
	return array_intern(&pool->blobs, SEED_BLOB, &key, sizeof(struct attr_blob), array_init);
}

struct attr_blob *attr_blob_ref(struct attr_blob *b)
{
	return obj_ref(b);
}

void attr_blob_unref(struct attr_pool *pool, struct attr_blob *b)
{
	if (b && obj_unref(b))
		htab_free(&pool->blobs, b, sizeof(*b) + b->len);
}

/* ---- attribute sets ---- */

#define ATTRS_KEY_OFF offsetof(struct attrs, origin)
#define ATTRS_KEY_LEN (sizeof(struct attrs) - ATTRS_KEY_OFF)

static const void *attrs_key(const struct attrs *a)
{
	return (const char *)a + ATTRS_KEY_OFF;
}

static bool attrs_eq(const void *obj, const void *key)
{
	return memcmp(attrs_key(obj), attrs_key(key), ATTRS_KEY_LEN) == 0;
}

/* Address bytes past the family's length do not count: zero them. */
static void ipaddr_canonical(struct ipaddr *a)
{
	if (a->family == AF_INET)
		memset(a->bytes + 4, 0, sizeof(a->bytes) - 4);
	else if (a->family != AF_INET6)
		memset(a, 0, sizeof(*a));
}

void attrs_init(struct attrs *tmpl)
{
	memset(tmpl, 0, sizeof(*tmpl));
}

/* A new set holds a reference to each sub-object. */
static void attrs_fill(void *obj, const void *key)
{
	struct attrs *a = obj;

	memcpy(a, key, sizeof(*a));
	aspath_ref(a->aspath);
	community_list_ref(a->communities);
	lcommunity_list_ref(a->lcommunities);
	attr_blob_ref(a->unknown);
}

static struct attrs *attrs_lookup_or_insert(struct attr_pool *pool, const struct attrs *key)
{
	uint32_t h = hash_bytes(attrs_key(key), ATTRS_KEY_LEN, SEED_ATTRS);

	return intern_obj(&pool->attrs, h, attrs_eq, key, sizeof(*key), attrs_fill);
}

struct attrs *attrs_intern(struct attr_pool *pool, const struct attrs *tmpl)
{
	struct attrs key;
	struct attrs *a;

	/* memcpy, not assignment: padding must come along for the key compare */
	memcpy(&key, tmpl, sizeof(key));
	ipaddr_canonical(&key.nexthop);
	ipaddr_canonical(&key.nexthop_ll);
	if (key.aspath)
		return attrs_lookup_or_insert(pool, &key);
	/* No AS path given: the empty one, interned like any other (attr.h). */
	key.aspath = aspath_intern(pool, NULL, 0);
	if (!key.aspath)
		return NULL;
	a = attrs_lookup_or_insert(pool, &key);
	aspath_unref(pool, key.aspath);
	return a;
}

struct attrs *attrs_ref(struct attrs *a)
{
	return obj_ref(a);
}

void attrs_unref(struct attr_pool *pool, struct attrs *a)
{
	if (!a || !obj_unref(a))
		return;
	aspath_unref(pool, a->aspath);
	community_list_unref(pool, a->communities);
	lcommunity_list_unref(pool, a->lcommunities);
	attr_blob_unref(pool, a->unknown);
	htab_free(&pool->attrs, a, sizeof(*a));
}
