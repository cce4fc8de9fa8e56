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
 * one table implementation serves them all. It touches those members only
 * through memcpy at the common offsets: the types are distinct structs and
 * reading one through another's type would break strict aliasing.
 */
#include "routerd/rib/attr.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HTAB_MIN_BUCKETS 64u

#define OFF_HNEXT offsetof(struct aspath, hnext)
#define OFF_HASH  offsetof(struct aspath, hash)

_Static_assert(offsetof(struct community_list, hnext) == OFF_HNEXT &&
		       offsetof(struct lcommunity_list, hnext) == OFF_HNEXT &&
		       offsetof(struct attr_blob, hnext) == OFF_HNEXT &&
		       offsetof(struct attrs, hnext) == OFF_HNEXT,
	       "interned objects must start with hnext");
_Static_assert(offsetof(struct community_list, hash) == OFF_HASH &&
		       offsetof(struct lcommunity_list, hash) == OFF_HASH &&
		       offsetof(struct attr_blob, hash) == OFF_HASH &&
		       offsetof(struct attrs, hash) == OFF_HASH,
	       "interned objects must share the hash offset");

/* Seeds keep equal byte strings of different types from sharing hash values. */
enum hash_seed {
	SEED_ASPATH = 0x61737061u,
	SEED_COMM = 0x636f6d6du,
	SEED_LCOMM = 0x6c636f6du,
	SEED_BLOB = 0x626c6f62u,
	SEED_ATTRS = 0x61747472u,
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
	/* Sort scratch for unsorted community input: grows, never per call. */
	uint32_t *cscratch;
	size_t ccap;
	struct lcommunity *lscratch;
	size_t lcap;
};

/* ---- hashing (MurmurHash3 x86_32 mixing; public-domain algorithm) ---- */

static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t mix_block(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static uint32_t hash_bytes(const void *data, size_t len, uint32_t seed)
{
	const uint8_t *p = data;
	uint32_t h = seed;
	uint32_t k = 0;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&k, p + i, 4);
		h = mix_block(h, k);
	}
	if (len > i) {
		k = 0;
		memcpy(&k, p + i, len - i);
		h = mix_block(h, k);
	}
	h ^= (uint32_t)len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* ---- generic chained table over the shared object header ---- */

typedef bool (*obj_eq_fn)(const void *obj, const void *key);

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

/* Returns false only when the table has no buckets and none could be allocated. */
static bool htab_insert(struct htab *t, void *obj, size_t bytes)
{
	uint32_t i;

	if (!t->b || t->count >= (size_t)t->mask + 1)
		htab_grow(t);
	if (!t->b)
		return false;
	i = obj_hash(obj) & t->mask;
	obj_set_next(obj, t->b[i]);
	t->b[i] = obj;
	t->count++;
	t->bytes += bytes;
	return true;
}

static void htab_remove(struct htab *t, void *obj, size_t bytes)
{
	uint32_t i = obj_hash(obj) & t->mask;
	void *prev = NULL;
	void *o = t->b[i];

	while (o && o != obj) {
		prev = o;
		o = obj_next(o);
	}
	assert(o == obj);
	if (!o)
		return;
	if (prev)
		obj_set_next(prev, obj_next(obj));
	else
		t->b[i] = obj_next(obj);
	t->count--;
	t->bytes -= bytes;
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
	free(pool->cscratch);
	free(pool->lscratch);
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

struct bytes_key {
	const uint8_t *data;
	size_t len;
};

struct aspath_info {
	uint16_t path_len;
	uint32_t neighbor_as;
	uint32_t origin_as;
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

static bool aspath_eq(const void *obj, const void *key)
{
	const struct aspath *p = obj;
	const struct bytes_key *k = key;

	return p->len == k->len && (!k->len || memcmp(p->data, k->data, k->len) == 0);
}

struct aspath *aspath_intern(struct attr_pool *pool, const uint8_t *data, size_t len)
{
	struct bytes_key key = { data, len };
	struct aspath_info info;
	struct aspath *p;
	uint32_t h;

	if (len > UINT16_MAX || (len && !data) || !aspath_scan(data, len, &info))
		return NULL;
	h = hash_bytes(data, len, SEED_ASPATH);
	p = htab_find(&pool->aspaths, h, aspath_eq, &key);
	if (p) {
		p->refcnt++;
		return p;
	}
	p = malloc(sizeof(*p) + len);
	if (!p)
		return NULL;
	p->hnext = NULL;
	p->hash = h;
	p->refcnt = 1;
	p->len = (uint16_t)len;
	p->path_len = info.path_len;
	p->neighbor_as = info.neighbor_as;
	p->origin_as = info.origin_as;
	if (len)
		memcpy(p->data, data, len);
	if (!htab_insert(&pool->aspaths, p, sizeof(*p) + len)) {
		free(p);
		return NULL;
	}
	return p;
}

struct aspath *aspath_ref(struct aspath *p)
{
	if (p)
		p->refcnt++;
	return p;
}

void aspath_unref(struct attr_pool *pool, struct aspath *p)
{
	if (!p)
		return;
	assert(p->refcnt > 0);
	if (--p->refcnt)
		return;
	htab_remove(&pool->aspaths, p, sizeof(*p) + p->len);
	free(p);
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

/* ---- community lists (RFC 1997) ---- */

struct comm_key {
	const uint32_t *v;
	size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool u32_sorted_unique(const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

/* Makes room in a scratch array; grows geometrically so it settles quickly. */
static bool scratch_reserve(void **buf, size_t *cap, size_t n, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *nb;

	if (n <= *cap)
		return true;
	while (ncap < n)
		ncap *= 2;
	nb = realloc(*buf, ncap * elem);
	if (!nb)
		return false;
	*buf = nb;
	*cap = ncap;
	return true;
}

/* Sorted and deduplicated view of v: v itself when already so, else pool scratch. */
static bool comm_canonical(struct attr_pool *pool, const uint32_t *v, size_t n,
			   struct comm_key *key)
{
	size_t i, out = 0;
	void *buf = pool->cscratch;

	if (u32_sorted_unique(v, n)) {
		*key = (struct comm_key){ v, n };
		return true;
	}
	if (!scratch_reserve(&buf, &pool->ccap, n, sizeof(uint32_t)))
		return false;
	pool->cscratch = buf;
	memcpy(pool->cscratch, v, n * sizeof(uint32_t));
	qsort(pool->cscratch, n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < n; i++)
		if (!out || pool->cscratch[out - 1] != pool->cscratch[i])
			pool->cscratch[out++] = pool->cscratch[i];
	*key = (struct comm_key){ pool->cscratch, out };
	return true;
}

static bool comm_eq(const void *obj, const void *key)
{
	const struct community_list *c = obj;
	const struct comm_key *k = key;

	return c->n == k->n && (!k->n || memcmp(c->v, k->v, k->n * sizeof(uint32_t)) == 0);
}

struct community_list *community_list_intern(struct attr_pool *pool, const uint32_t *v, size_t n)
{
	struct comm_key key;
	struct community_list *c;
	size_t bytes;
	uint32_t h;

	if (n > UINT16_MAX || (n && !v) || !comm_canonical(pool, v, n, &key))
		return NULL;
	h = hash_bytes(key.v, key.n * sizeof(uint32_t), SEED_COMM);
	c = htab_find(&pool->comms, h, comm_eq, &key);
	if (c) {
		c->refcnt++;
		return c;
	}
	bytes = sizeof(*c) + key.n * sizeof(uint32_t);
	c = malloc(bytes);
	if (!c)
		return NULL;
	c->hnext = NULL;
	c->hash = h;
	c->refcnt = 1;
	c->n = (uint16_t)key.n;
	if (key.n)
		memcpy(c->v, key.v, key.n * sizeof(uint32_t));
	if (!htab_insert(&pool->comms, c, bytes)) {
		free(c);
		return NULL;
	}
	return c;
}

struct community_list *community_list_ref(struct community_list *c)
{
	if (c)
		c->refcnt++;
	return c;
}

void community_list_unref(struct attr_pool *pool, struct community_list *c)
{
	if (!c)
		return;
	assert(c->refcnt > 0);
	if (--c->refcnt)
		return;
	htab_remove(&pool->comms, c, sizeof(*c) + c->n * sizeof(uint32_t));
	free(c);
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

/* ---- large community lists (RFC 8092) ---- */

struct lcomm_key {
	const struct lcommunity *v;
	size_t n;
};

static int cmp_lcomm(const void *a, const void *b)
{
	const struct lcommunity *x = a, *y = b;

	if (x->global != y->global)
		return x->global < y->global ? -1 : 1;
	if (x->local1 != y->local1)
		return x->local1 < y->local1 ? -1 : 1;
	if (x->local2 != y->local2)
		return x->local2 < y->local2 ? -1 : 1;
	return 0;
}

static bool lcomm_sorted_unique(const struct lcommunity *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp_lcomm(&v[i - 1], &v[i]) >= 0)
			return false;
	return true;
}

static bool lcomm_canonical(struct attr_pool *pool, const struct lcommunity *v, size_t n,
			    struct lcomm_key *key)
{
	size_t i, out = 0;
	void *buf = pool->lscratch;

	if (lcomm_sorted_unique(v, n)) {
		*key = (struct lcomm_key){ v, n };
		return true;
	}
	if (!scratch_reserve(&buf, &pool->lcap, n, sizeof(struct lcommunity)))
		return false;
	pool->lscratch = buf;
	memcpy(pool->lscratch, v, n * sizeof(struct lcommunity));
	qsort(pool->lscratch, n, sizeof(struct lcommunity), cmp_lcomm);
	for (i = 0; i < n; i++)
		if (!out || cmp_lcomm(&pool->lscratch[out - 1], &pool->lscratch[i]) != 0)
			pool->lscratch[out++] = pool->lscratch[i];
	*key = (struct lcomm_key){ pool->lscratch, out };
	return true;
}

static bool lcomm_eq(const void *obj, const void *key)
{
	const struct lcommunity_list *c = obj;
	const struct lcomm_key *k = key;

	return c->n == k->n && (!k->n || memcmp(c->v, k->v, k->n * sizeof(struct lcommunity)) == 0);
}

struct lcommunity_list *lcommunity_list_intern(struct attr_pool *pool, const struct lcommunity *v,
					       size_t n)
{
	struct lcomm_key key;
	struct lcommunity_list *c;
	size_t bytes;
	uint32_t h;

	if (n > UINT16_MAX || (n && !v) || !lcomm_canonical(pool, v, n, &key))
		return NULL;
	h = hash_bytes(key.v, key.n * sizeof(struct lcommunity), SEED_LCOMM);
	c = htab_find(&pool->lcomms, h, lcomm_eq, &key);
	if (c) {
		c->refcnt++;
		return c;
	}
	bytes = sizeof(*c) + key.n * sizeof(struct lcommunity);
	c = malloc(bytes);
	if (!c)
		return NULL;
	c->hnext = NULL;
	c->hash = h;
	c->refcnt = 1;
	c->n = (uint16_t)key.n;
	if (key.n)
		memcpy(c->v, key.v, key.n * sizeof(struct lcommunity));
	if (!htab_insert(&pool->lcomms, c, bytes)) {
		free(c);
		return NULL;
	}
	return c;
}

struct lcommunity_list *lcommunity_list_ref(struct lcommunity_list *c)
{
	if (c)
		c->refcnt++;
	return c;
}

void lcommunity_list_unref(struct attr_pool *pool, struct lcommunity_list *c)
{
	if (!c)
		return;
	assert(c->refcnt > 0);
	if (--c->refcnt)
		return;
	htab_remove(&pool->lcomms, c, sizeof(*c) + c->n * sizeof(struct lcommunity));
	free(c);
}

/* ---- unknown transitive attributes ---- */

static bool blob_eq(const void *obj, const void *key)
{
	const struct attr_blob *b = obj;
	const struct bytes_key *k = key;

	return b->len == k->len && (!k->len || memcmp(b->data, k->data, k->len) == 0);
}

struct attr_blob *attr_blob_intern(struct attr_pool *pool, const uint8_t *data, size_t len)
{
	struct bytes_key key = { data, len };
	struct attr_blob *b;
	uint32_t h;

	if (len > UINT16_MAX || (len && !data))
		return NULL;
	h = hash_bytes(data, len, SEED_BLOB);
	b = htab_find(&pool->blobs, h, blob_eq, &key);
	if (b) {
		b->refcnt++;
		return b;
	}
	b = malloc(sizeof(*b) + len);
	if (!b)
		return NULL;
	b->hnext = NULL;
	b->hash = h;
	b->refcnt = 1;
	b->len = (uint16_t)len;
	if (len)
		memcpy(b->data, data, len);
	if (!htab_insert(&pool->blobs, b, sizeof(*b) + len)) {
		free(b);
		return NULL;
	}
	return b;
}

struct attr_blob *attr_blob_ref(struct attr_blob *b)
{
	if (b)
		b->refcnt++;
	return b;
}

void attr_blob_unref(struct attr_pool *pool, struct attr_blob *b)
{
	if (!b)
		return;
	assert(b->refcnt > 0);
	if (--b->refcnt)
		return;
	htab_remove(&pool->blobs, b, sizeof(*b) + b->len);
	free(b);
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

static void attrs_take_subrefs(struct attrs *a)
{
	aspath_ref(a->aspath);
	community_list_ref(a->communities);
	lcommunity_list_ref(a->lcommunities);
	attr_blob_ref(a->unknown);
}

static struct attrs *attrs_lookup_or_insert(struct attr_pool *pool, struct attrs *key)
{
	struct attrs *a;

	key->hash = hash_bytes(attrs_key(key), ATTRS_KEY_LEN, SEED_ATTRS);
	a = htab_find(&pool->attrs, key->hash, attrs_eq, key);
	if (a) {
		a->refcnt++;
		return a;
	}
	a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	memcpy(a, key, sizeof(*a));
	a->hnext = NULL;
	a->refcnt = 1;
	if (!htab_insert(&pool->attrs, a, sizeof(*a))) {
		free(a);
		return NULL;
	}
	attrs_take_subrefs(a);
	return a;
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
	if (a)
		a->refcnt++;
	return a;
}

void attrs_unref(struct attr_pool *pool, struct attrs *a)
{
	if (!a)
		return;
	assert(a->refcnt > 0);
	if (--a->refcnt)
		return;
	htab_remove(&pool->attrs, a, sizeof(*a));
	aspath_unref(pool, a->aspath);
	community_list_unref(pool, a->communities);
	lcommunity_list_unref(pool, a->lcommunities);
	attr_blob_unref(pool, a->unknown);
	free(a);
}
