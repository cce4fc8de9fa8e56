/*
 * Adj-RIB-Out with update groups (adjout.h).
 *
 * Layout, for about 24 bytes per advertised IPv4 prefix:
 * - Inside a group an attribute set is named by a 32-bit id from a small
 *   per-group dictionary that holds one pool reference per distinct set and
 *   counts its uses, so entries store 4-byte ids instead of pointers and the
 *   pool sees one ref/unref per set, not per prefix. Id 0 means "nothing":
 *   not advertised (sent) or withdraw (pending target).
 * - Entries {sent id, pending position, length, flags, key} are fixed-size
 *   slots (16 octets for IPv4, 28 for IPv6) in chunked arrays, named by a
 *   32-bit index that never moves: no malloc per prefix.
 * - The prefix index is open addressing with linear probing; a 4-byte slot
 *   holds an 8-bit hash tag and the entry index, so a probe rarely touches
 *   an entry it does not want. Deletion shifts back, leaving no tombstones.
 * - Pending changes are 8-byte items (target id << 32 | entry). New ones are
 *   appended to the incoming queue. When the batch queue runs dry the
 *   incoming one becomes the batch and is sorted once by target, withdrawals
 *   at the tail; packing consumes runs of one target from the tail, so each
 *   UPDATE carries as many prefixes of one attribute set as fit. A change to
 *   an item already in the batch leaves a tombstone there and queues again,
 *   which keeps the batch sorted without sorting on every call. Hence
 *   "withdrawals first" holds within a batch: a withdrawal queued while a
 *   batch of announcements drains waits for the next batch (other prefixes,
 *   so no peer ever sees a stale route for longer than one batch).
 * - A replay snapshots entry indices. An index freed and reused by another
 *   prefix while the replay runs just announces that prefix again, with the
 *   attributes every member already got: harmless, and cheaper than a
 *   generation number in every entry.
 */
#include "routerd/rib/adjout.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/lib/hash.h"

#define NONE		UINT32_MAX
#define WITHDRAW	0u /* target id of a withdrawal; attribute set ids start at 1 */
#define ENT_CHUNK_SHIFT 12
#define ENT_CHUNK	(1u << ENT_CHUNK_SHIFT)
#define IX_MIN_SLOTS	1024u
#define IX_IDX_BITS	24 /* a slot keeps idx + 1 below the tag */
#define IX_IDX_MASK	((1u << IX_IDX_BITS) - 1)
#define MAX_ENTRIES	(IX_IDX_MASK - 1)
#define PEND_INCOMING	0x80000000u /* ent.pend: position in the incoming queue */
#define DICT_MIN_HEADS	64u
#define GROUP_MIN_HEADS 16u

enum ent_flag {
	ENT_FREE = 1u << 0,
};

struct ent {
	uint32_t sent; /* attribute set id advertised, 0 = none */
	uint32_t pend; /* queue position or NONE; free-list link while ENT_FREE */
	uint8_t plen;
	uint8_t flags; /* enum ent_flag */
	uint8_t key[]; /* 4 or 16 octets, host bits zero */
};

struct slab {
	uint8_t **chunks;
	uint32_t nchunks, cap_chunks;
	uint32_t used;	    /* indices [0, used) have been handed out */
	uint32_t free_head; /* freed indices, chained through ent.pend */
	uint32_t esize;
};

struct pindex {
	uint32_t *slots; /* 0 = empty, else tag << 24 | (entry index + 1) */
	uint32_t mask;
	uint32_t count;
};

struct aset {
	struct attrs *a; /* NULL while the id is free */
	uint32_t uses;	 /* entries advertising it + pending items targeting it */
	uint32_t next;	 /* hash chain (0 ends it), or free-list link */
};

struct dict {
	struct aset *v; /* v[0] unused: id 0 is "nothing" */
	uint32_t n, cap;
	uint32_t free_head; /* 0 = none */
	uint32_t *heads;    /* a->hash & mask -> first id */
	uint32_t mask;
	uint32_t live;
};

struct queue {
	uint64_t *v; /* (target << 32) | entry; entry NONE is a tombstone */
	uint32_t n, cap;
};

struct adjout_group {
	struct adjout *ao;
	struct adjout_group *hnext;
	uint32_t hash;
	unsigned members;
	struct adjout_group_key key;
	uint8_t klen; /* 4 or 16 */
	struct slab slab;
	struct pindex ix;
	struct dict dict;
	struct queue batch, incoming;
	size_t npending; /* live items in both queues */
	size_t nsent;
	size_t ntarget; /* prefixes advertised once the pending changes are out */
	size_t unencodable;
	struct adjout_replay *replays;
};

struct adjout {
	struct attr_pool *pool;
	struct adjout_group **heads;
	uint32_t mask;
	uint32_t ngroups;
	/* Pack scratch shared by all groups (single-threaded): a run of prefixes and their positions. */
	struct prefix *pfx;
	uint32_t *pos;
	size_t scap;
};

struct adjout_replay {
	struct adjout_group *g; /* NULL once the group is gone */
	struct adjout_replay *next;
	uint64_t *v; /* (sent id << 32) | entry, ascending */
	size_t n, at;
};

/* ---- hashing ---- */

/* max_len 0 means 4096 (update.h): both spellings give the same bytes, so the same group. */
static size_t eff_max_len(const struct update_enc_ctx *c)
{
	size_t m = c->max_len ? c->max_len : BGP_MAX_MSG_LEN;

	return m > BGP_EXT_MAX_MSG_LEN ? BGP_EXT_MAX_MSG_LEN : m;
}

/* Field by field: the key has padding the caller may not have zeroed. */
static uint32_t key_hash(const struct adjout_group_key *k)
{
	uint64_t small = (uint64_t)k->family | (uint64_t)k->enc.as4 << 8 |
			 (uint64_t)k->enc.ibgp << 9 | (uint64_t)k->enc.ext_nexthop << 10 |
			 (uint64_t)k->nh_family << 16 | (uint64_t)k->nh_ll << 24 |
			 (uint64_t)eff_max_len(&k->enc) << 32;

	return (uint32_t)hash_fmix64((uint32_t)hash_fmix64(small) ^ k->policy_id);
}

static bool key_equal(const struct adjout_group_key *a, const struct adjout_group_key *b)
{
	return a->family == b->family && a->enc.as4 == b->enc.as4 && a->enc.ibgp == b->enc.ibgp &&
	       a->enc.ext_nexthop == b->enc.ext_nexthop &&
	       eff_max_len(&a->enc) == eff_max_len(&b->enc) && a->nh_family == b->nh_family &&
	       a->nh_ll == b->nh_ll && a->policy_id == b->policy_id;
}

/* ---- entry slab ---- */

static struct ent *ent_at(const struct adjout_group *g, uint32_t idx)
{
	return (struct ent *)(g->slab.chunks[idx >> ENT_CHUNK_SHIFT] +
			      (size_t)(idx & (ENT_CHUNK - 1)) * g->slab.esize);
}

static bool ent_live(const struct adjout_group *g, uint32_t idx)
{
	return !(ent_at(g, idx)->flags & ENT_FREE);
}

static bool slab_add_chunk(struct slab *s)
{
	if (s->nchunks == s->cap_chunks) {
		uint32_t ncap = s->cap_chunks ? s->cap_chunks * 2 : 16;
		uint8_t **c = realloc(s->chunks, ncap * sizeof(*c));

		if (!c)
			return false;
		s->chunks = c;
		s->cap_chunks = ncap;
	}
	s->chunks[s->nchunks] = malloc((size_t)ENT_CHUNK * s->esize);
	if (!s->chunks[s->nchunks])
		return false;
	s->nchunks++;
	return true;
}

static uint32_t ent_alloc(struct adjout_group *g)
{
	struct slab *s = &g->slab;
	uint32_t idx;

	if (s->free_head != NONE) {
		idx = s->free_head;
		s->free_head = ent_at(g, idx)->pend;
		return idx;
	}
	if (s->used >= MAX_ENTRIES)
		return NONE;
	if (s->used == s->nchunks * ENT_CHUNK && !slab_add_chunk(s))
		return NONE;
	return s->used++;
}

static void ent_free(struct adjout_group *g, uint32_t idx)
{
	struct ent *e = ent_at(g, idx);

	e->flags = ENT_FREE;
	e->sent = 0;
	e->pend = g->slab.free_head;
	g->slab.free_head = idx;
}

static void ent_prefix(const struct adjout_group *g, const struct ent *e, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = g->key.family;
	p->len = e->plen;
	memcpy(p->bytes, e->key, g->klen);
}

/* ---- prefix index ---- */

static uint32_t slot_make(uint32_t hash, uint32_t idx)
{
	return (hash >> IX_IDX_BITS) << IX_IDX_BITS | (idx + 1);
}

static uint32_t slot_idx(uint32_t s)
{
	return (s & IX_IDX_MASK) - 1;
}

static uint32_t ent_hash(const struct adjout_group *g, const struct ent *e)
{
	return hash_words(e->key, g->klen, e->plen);
}

/* The entry for (key, plen), or NONE; *slot is where it is or where it would go. */
static uint32_t ix_find(const struct adjout_group *g, const uint8_t *key, uint8_t plen,
			uint32_t hash, uint32_t *slot)
{
	uint32_t tag = hash >> IX_IDX_BITS;
	uint32_t i = hash & g->ix.mask;

	for (;; i = (i + 1) & g->ix.mask) {
		uint32_t s = g->ix.slots[i];
		const struct ent *e;

		if (!s)
			break;
		if (s >> IX_IDX_BITS != tag)
			continue;
		e = ent_at(g, slot_idx(s));
		if (e->plen == plen && !memcmp(e->key, key, g->klen)) {
			*slot = i;
			return slot_idx(s);
		}
	}
	*slot = i;
	return NONE;
}

/* Rebuilds from the slab, not the old slots: the hash is recomputed from each key. */
static bool ix_resize(struct adjout_group *g, uint32_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return false;
	free(g->ix.slots);
	g->ix.slots = slots;
	g->ix.mask = nslots - 1;
	for (uint32_t idx = 0; idx < g->slab.used; idx++) {
		const struct ent *e = ent_at(g, idx);
		uint32_t h, i;

		if (e->flags & ENT_FREE)
			continue;
		h = ent_hash(g, e);
		for (i = h & g->ix.mask; slots[i]; i = (i + 1) & g->ix.mask)
			;
		slots[i] = slot_make(h, idx);
	}
	return true;
}

/* Keeps the load at most 3/4 after one more insertion. */
static bool ix_reserve(struct adjout_group *g)
{
	uint64_t nslots = (uint64_t)g->ix.mask + 1;

	if ((uint64_t)(g->ix.count + 1) * 4 <= nslots * 3)
		return true;
	return nslots * 2 <= UINT32_MAX && ix_resize(g, (uint32_t)(nslots * 2));
}

/* Backward-shift deletion: later members of the probe run move up so lookups never stop early. */
static void ix_remove(struct adjout_group *g, uint32_t hole)
{
	uint32_t mask = g->ix.mask;
	uint32_t j = hole;

	for (;;) {
		uint32_t s, home;

		j = (j + 1) & mask;
		s = g->ix.slots[j];
		if (!s)
			break;
		home = ent_hash(g, ent_at(g, slot_idx(s))) & mask;
		if (hash_probe_may_fill(home, hole, j, mask)) {
			g->ix.slots[hole] = s;
			hole = j;
		}
	}
	g->ix.slots[hole] = 0;
	g->ix.count--;
}

/* Forgets an entry that is neither advertised nor pending. */
static void ent_drop(struct adjout_group *g, uint32_t idx)
{
	struct ent *e = ent_at(g, idx);
	uint32_t slot;

	if (ix_find(g, e->key, e->plen, ent_hash(g, e), &slot) == idx)
		ix_remove(g, slot);
	ent_free(g, idx);
}

/* ---- attribute set dictionary ---- */

static uint32_t dict_find(const struct dict *d, const struct attrs *a)
{
	uint32_t id;

	if (!d->heads)
		return 0;
	for (id = d->heads[a->hash & d->mask]; id; id = d->v[id].next)
		if (d->v[id].a == a)
			return id;
	return 0;
}

static bool dict_rehash(struct dict *d, uint32_t nheads)
{
	uint32_t *heads = calloc(nheads, sizeof(*heads));

	if (!heads)
		return false;
	free(d->heads);
	d->heads = heads;
	d->mask = nheads - 1;
	for (uint32_t id = 1; id < d->n; id++) {
		struct aset *s = &d->v[id];

		if (!s->a)
			continue;
		s->next = heads[s->a->hash & d->mask];
		heads[s->a->hash & d->mask] = id;
	}
	return true;
}

static uint32_t dict_new_id(struct dict *d)
{
	if (d->free_head) {
		uint32_t id = d->free_head;

		d->free_head = d->v[id].next;
		return id;
	}
	if (d->n == d->cap) {
		uint32_t ncap = d->cap ? d->cap * 2 : 64;
		struct aset *v = ncap > d->cap ? realloc(d->v, ncap * sizeof(*v)) : NULL;

		if (!v)
			return 0;
		d->v = v;
		d->cap = ncap;
	}
	if (!d->n)
		d->n = 1; /* id 0 stays unused */
	return d->n++;
}

/* The id of a, adding it (with one pool reference, no uses yet) if new; 0 on allocation failure. */
static uint32_t dict_get(struct adjout_group *g, struct attrs *a)
{
	struct dict *d = &g->dict;
	uint32_t id = dict_find(d, a);

	if (id)
		return id;
	if ((!d->heads || d->live + 1 > d->mask + 1) &&
	    !dict_rehash(d, d->heads ? (d->mask + 1) * 2 : DICT_MIN_HEADS))
		return 0;
	id = dict_new_id(d);
	if (!id)
		return 0;
	d->v[id].a = attrs_ref(a);
	d->v[id].uses = 0;
	d->v[id].next = d->heads[a->hash & d->mask];
	d->heads[a->hash & d->mask] = id;
	d->live++;
	return id;
}

/* Frees id once nothing uses it: the group's pool reference goes with it. */
static void dict_release(struct adjout_group *g, uint32_t id)
{
	struct dict *d = &g->dict;
	struct aset *s = &d->v[id];
	uint32_t *link;

	if (!id || s->uses)
		return;
	for (link = &d->heads[s->a->hash & d->mask]; *link != id; link = &d->v[*link].next)
		;
	*link = s->next;
	attrs_unref(g->ao->pool, s->a);
	s->a = NULL;
	s->next = d->free_head;
	d->free_head = id;
	d->live--;
}

static void dict_use(struct adjout_group *g, uint32_t id)
{
	if (id)
		g->dict.v[id].uses++;
}

static void dict_drop(struct adjout_group *g, uint32_t id)
{
	if (!id)
		return;
	g->dict.v[id].uses--;
	dict_release(g, id);
}

/* ---- pending queues ---- */

static uint64_t item_make(uint32_t target, uint32_t idx)
{
	return (uint64_t)target << 32 | idx;
}

static uint32_t item_target(uint64_t it)
{
	return (uint32_t)(it >> 32);
}

static uint32_t item_ent(uint64_t it)
{
	return (uint32_t)it;
}

static bool q_push(struct queue *q, uint64_t it)
{
	if (q->n == q->cap) {
		uint32_t ncap = q->cap ? q->cap * 2 : 256;
		uint64_t *v = ncap > q->cap ? realloc(q->v, (size_t)ncap * sizeof(*v)) : NULL;

		if (!v)
			return false;
		q->v = v;
		q->cap = ncap;
	}
	q->v[q->n++] = it;
	return true;
}

static void q_release(struct queue *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static uint64_t *pend_item(struct adjout_group *g, const struct ent *e)
{
	if (e->pend & PEND_INCOMING)
		return &g->incoming.v[e->pend & ~PEND_INCOMING];
	return &g->batch.v[e->pend];
}

/* What p will be once everything pending is sent. */
static uint32_t ent_target(struct adjout_group *g, const struct ent *e)
{
	return e->pend == NONE ? e->sent : item_target(*pend_item(g, e));
}

/* Drops e's pending item: the incoming queue stays dense, the batch keeps a tombstone. */
static void pend_cancel(struct adjout_group *g, struct ent *e)
{
	uint64_t *it = pend_item(g, e);
	uint32_t target = item_target(*it);

	if (e->pend & PEND_INCOMING) {
		uint64_t last = g->incoming.v[--g->incoming.n];

		if (it != &g->incoming.v[g->incoming.n]) {
			*it = last;
			ent_at(g, item_ent(last))->pend = e->pend;
		}
	} else {
		*it = item_make(WITHDRAW, NONE);
	}
	e->pend = NONE;
	g->npending--;
	dict_drop(g, target);
}

/* Makes target e's pending change; the caller has made sure it differs from the current one. */
static bool pend_retarget(struct adjout_group *g, uint32_t idx, struct ent *e, uint32_t target)
{
	if (e->pend != NONE && (e->pend & PEND_INCOMING)) {
		uint64_t *it = pend_item(g, e);
		uint32_t old = item_target(*it);

		dict_use(g, target);
		*it = item_make(target, idx);
		dict_drop(g, old);
		return true;
	}
	if (!q_push(&g->incoming, item_make(target, idx)))
		return false;
	dict_use(g, target);
	if (e->pend != NONE)
		pend_cancel(g, e);
	e->pend = PEND_INCOMING | (g->incoming.n - 1);
	g->npending++;
	return true;
}

/* ---- groups ---- */

struct adjout *adjout_new(struct attr_pool *pool)
{
	struct adjout *ao = calloc(1, sizeof(*ao));

	if (!ao)
		return NULL;
	ao->pool = pool;
	ao->heads = calloc(GROUP_MIN_HEADS, sizeof(*ao->heads));
	if (!ao->heads) {
		free(ao);
		return NULL;
	}
	ao->mask = GROUP_MIN_HEADS - 1;
	return ao;
}

static void group_destroy(struct adjout_group *g)
{
	struct adjout_replay *r;

	for (r = g->replays; r; r = r->next)
		r->g = NULL;
	for (uint32_t id = 1; id < g->dict.n; id++)
		if (g->dict.v[id].a)
			attrs_unref(g->ao->pool, g->dict.v[id].a);
	for (uint32_t i = 0; i < g->slab.nchunks; i++)
		free(g->slab.chunks[i]);
	free(g->slab.chunks);
	free(g->ix.slots);
	free(g->dict.v);
	free(g->dict.heads);
	free(g->batch.v);
	free(g->incoming.v);
	free(g);
}

void adjout_free(struct adjout *ao)
{
	if (!ao)
		return;
	for (uint32_t b = 0; b <= ao->mask; b++) {
		struct adjout_group *g = ao->heads[b], *next;

		for (; g; g = next) {
			next = g->hnext;
			group_destroy(g);
		}
	}
	free(ao->heads);
	free(ao->pfx);
	free(ao->pos);
	free(ao);
}

static void groups_grow(struct adjout *ao)
{
	uint32_t nheads = (ao->mask + 1) * 2;
	struct adjout_group **heads = calloc(nheads, sizeof(*heads));

	if (!heads)
		return; /* longer chains, still correct */
	for (uint32_t b = 0; b <= ao->mask; b++) {
		struct adjout_group *g = ao->heads[b], *next;

		for (; g; g = next) {
			next = g->hnext;
			g->hnext = heads[g->hash & (nheads - 1)];
			heads[g->hash & (nheads - 1)] = g;
		}
	}
	free(ao->heads);
	ao->heads = heads;
	ao->mask = nheads - 1;
}

static void group_link(struct adjout *ao, struct adjout_group *g)
{
	if (ao->ngroups + 1 > ao->mask + 1)
		groups_grow(ao);
	g->hnext = ao->heads[g->hash & ao->mask];
	ao->heads[g->hash & ao->mask] = g;
	ao->ngroups++;
}

static void group_unlink(struct adjout *ao, struct adjout_group *g)
{
	struct adjout_group **link;

	for (link = &ao->heads[g->hash & ao->mask]; *link != g; link = &(*link)->hnext)
		;
	*link = g->hnext;
	ao->ngroups--;
}

static struct adjout_group *group_create(struct adjout *ao, const struct adjout_group_key *key,
					 uint32_t hash)
{
	struct adjout_group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->ao = ao;
	g->hash = hash;
	g->key = *key;
	g->klen = key->family == AF_INET6 ? 16 : 4;
	g->slab.esize = (uint32_t)((offsetof(struct ent, key) + g->klen + 3) & ~(size_t)3);
	g->slab.free_head = NONE;
	if (!ix_resize(g, IX_MIN_SLOTS)) {
		free(g);
		return NULL;
	}
	group_link(ao, g);
	return g;
}

struct adjout_group *adjout_group_get(struct adjout *ao, const struct adjout_group_key *key)
{
	uint32_t hash = key_hash(key);
	struct adjout_group *g;

	if (key->family != AF_INET && key->family != AF_INET6)
		return NULL;
	for (g = ao->heads[hash & ao->mask]; g; g = g->hnext)
		if (g->hash == hash && key_equal(&g->key, key))
			break;
	if (!g)
		g = group_create(ao, key, hash);
	if (g)
		g->members++;
	return g;
}

void adjout_group_put(struct adjout *ao, struct adjout_group *g)
{
	if (!g || --g->members)
		return;
	group_unlink(ao, g);
	group_destroy(g);
}

void adjout_group_hold(struct adjout_group *g)
{
	g->members++;
}

void adjout_group_rekey(struct adjout *ao, struct adjout_group *g,
			const struct adjout_group_key *key)
{
	group_unlink(ao, g);
	g->key = *key;
	g->hash = key_hash(key);
	group_link(ao, g);
}

/* Copies one advertised prefix of another group into g as already sent. */
static bool fork_one(struct adjout_group *g, const struct ent *src, struct attrs *a)
{
	uint32_t hash = hash_words(src->key, g->klen, src->plen), slot, idx, id;
	struct ent *e;

	if (!ix_reserve(g))
		return false;
	ix_find(g, src->key, src->plen, hash, &slot);
	idx = ent_alloc(g);
	if (idx == NONE)
		return false;
	id = dict_get(g, a);
	if (!id) {
		ent_free(g, idx);
		return false;
	}
	e = ent_at(g, idx);
	e->sent = id;
	e->pend = NONE;
	e->plen = src->plen;
	e->flags = 0;
	memcpy(e->key, src->key, g->klen);
	dict_use(g, id);
	g->ix.slots[slot] = slot_make(hash, idx);
	g->ix.count++;
	g->nsent++;
	g->ntarget++;
	return true;
}

struct adjout_group *adjout_group_fork(struct adjout *ao, const struct adjout_group *src,
				       const struct adjout_group_key *key)
{
	struct adjout_group *g;

	if (key->family != src->key.family)
		return NULL;
	g = group_create(ao, key, key_hash(key));
	if (!g)
		return NULL;
	for (uint32_t idx = 0; idx < src->slab.used; idx++) {
		const struct ent *e = ent_at(src, idx);

		if (e->flags & ENT_FREE || !e->sent)
			continue;
		if (!fork_one(g, e, src->dict.v[e->sent].a)) {
			group_unlink(ao, g);
			group_destroy(g);
			return NULL;
		}
	}
	return g;
}

const struct adjout_group_key *adjout_group_key(const struct adjout_group *g)
{
	return &g->key;
}

unsigned adjout_group_members(const struct adjout_group *g)
{
	return g->members;
}

/* ---- changes ---- */

/* p's key in the group's form; false for another family or a bad length. */
static bool make_key(const struct adjout_group *g, const struct prefix *p, uint8_t key[16])
{
	unsigned full, rem;

	if (p->family != g->key.family || p->len > g->klen * 8)
		return false;
	memset(key, 0, 16);
	full = p->len / 8;
	rem = p->len % 8;
	memcpy(key, p->bytes, full);
	if (rem)
		key[full] = p->bytes[full] & (uint8_t)(0xff << (8 - rem));
	return true;
}

static int set_new(struct adjout_group *g, const uint8_t *key, uint8_t plen, uint32_t hash,
		   struct attrs *a)
{
	uint32_t slot, idx, target;
	struct ent *e;

	if (!ix_reserve(g))
		return -1;
	ix_find(g, key, plen, hash, &slot); /* the slot may have moved with the resize */
	idx = ent_alloc(g);
	if (idx == NONE)
		return -1;
	e = ent_at(g, idx);
	e->sent = 0;
	e->pend = NONE;
	e->plen = plen;
	e->flags = 0;
	memcpy(e->key, key, g->klen);
	target = dict_get(g, a);
	if (!target || !pend_retarget(g, idx, e, target)) {
		if (target)
			dict_release(g, target);
		ent_free(g, idx);
		return -1;
	}
	g->ix.slots[slot] = slot_make(hash, idx);
	g->ix.count++;
	return 1;
}

/* Records e's next state as advertised (or not) in the group's target count. */
static void count_target(struct adjout_group *g, bool was, bool is)
{
	if (was && !is)
		g->ntarget--;
	else if (!was && is)
		g->ntarget++;
}

int adjout_set(struct adjout_group *g, const struct prefix *p, struct attrs *a)
{
	uint8_t key[16];
	uint32_t hash, slot, idx, target;
	struct ent *e;
	bool was;
	int rc;

	if (!make_key(g, p, key))
		return -1;
	hash = hash_words(key, g->klen, p->len);
	idx = ix_find(g, key, p->len, hash, &slot);
	if (idx == NONE) {
		rc = a ? set_new(g, key, p->len, hash, a) : 0;
		count_target(g, false, rc > 0);
		return rc;
	}
	e = ent_at(g, idx);
	was = ent_target(g, e) != WITHDRAW;
	target = a ? dict_get(g, a) : WITHDRAW;
	if (a && !target)
		return -1;
	if (target == ent_target(g, e))
		return 0;
	count_target(g, was, target != WITHDRAW);
	if (target == e->sent) {
		/* back to what the peers already have: the queued change cancels out */
		pend_cancel(g, e);
		if (!e->sent)
			ent_drop(g, idx);
		return 0;
	}
	if (!pend_retarget(g, idx, e, target)) {
		count_target(g, target != WITHDRAW, was);
		dict_release(g, target);
		return -1;
	}
	return 1;
}

bool adjout_pending(const struct adjout_group *g)
{
	return g->npending != 0;
}

/* ---- packing ---- */

static int cmp_u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

static int cmp_u64_asc(const void *a, const void *b)
{
	return cmp_u64_desc(b, a);
}

/*
 * Turns the incoming queue into the batch: sorted descending by (target,
 * entry), so the tail holds the withdrawals and each target is one run.
 */
static void batch_refill(struct adjout_group *g)
{
	struct queue tmp = g->batch;

	g->batch = g->incoming;
	g->incoming = tmp;
	g->incoming.n = 0;
	qsort(g->batch.v, g->batch.n, sizeof(*g->batch.v), cmp_u64_desc);
	for (uint32_t i = 0; i < g->batch.n; i++)
		ent_at(g, item_ent(g->batch.v[i]))->pend = i;
}

/* True when the batch tail is a live item; drained queues give their memory back. */
static bool batch_ready(struct adjout_group *g)
{
	for (;;) {
		while (g->batch.n && item_ent(g->batch.v[g->batch.n - 1]) == NONE)
			g->batch.n--;
		if (g->batch.n)
			return true;
		if (!g->incoming.n) {
			q_release(&g->batch);
			q_release(&g->incoming);
			return false;
		}
		batch_refill(g);
	}
}

static bool scratch_reserve(struct adjout *ao, size_t n)
{
	struct prefix *pfx;
	uint32_t *pos;

	if (n <= ao->scap)
		return true;
	pfx = realloc(ao->pfx, n * sizeof(*pfx));
	if (!pfx)
		return false;
	ao->pfx = pfx;
	pos = realloc(ao->pos, n * sizeof(*pos));
	if (!pos)
		return false;
	ao->pos = pos;
	ao->scap = n;
	return true;
}

static size_t prefix_octets(uint8_t plen)
{
	return 1 + ((size_t)plen + 7) / 8;
}

/*
 * Collects from the batch tail the live items targeting t, about one
 * message's worth (the encoder decides exactly how many fit).
 */
static size_t gather_batch(struct adjout_group *g, uint32_t t, size_t room)
{
	struct adjout *ao = g->ao;
	size_t n = 0, octets = 0;

	for (uint32_t i = g->batch.n; i-- > 0 && n < ao->scap;) {
		uint64_t it = g->batch.v[i];
		const struct ent *e;

		if (item_ent(it) == NONE)
			continue;
		if (item_target(it) != t)
			break;
		e = ent_at(g, item_ent(it));
		octets += prefix_octets(e->plen);
		if (octets > room)
			break;
		ent_prefix(g, e, &ao->pfx[n]);
		ao->pos[n++] = i;
	}
	return n;
}

/* The pending change of e has gone out: it becomes the sent state. */
static void mark_sent(struct adjout_group *g, uint32_t idx, struct ent *e, uint32_t t)
{
	uint32_t old = e->sent;

	/* the pending item's use of t becomes the sent state's */
	e->sent = t;
	e->pend = NONE;
	g->npending--;
	if (old)
		g->nsent--;
	if (t != WITHDRAW)
		g->nsent++;
	dict_drop(g, old);
	if (t == WITHDRAW)
		ent_drop(g, idx);
}

/* The first k gathered items were packed: record them, pop them and the tombstones between. */
static void batch_commit(struct adjout_group *g, uint32_t t, size_t k)
{
	struct adjout *ao = g->ao;

	for (size_t j = 0; j < k; j++) {
		uint32_t idx = item_ent(g->batch.v[ao->pos[j]]);

		mark_sent(g, idx, ent_at(g, idx), t);
	}
	g->batch.n = ao->pos[k - 1];
}

/*
 * Attributes this group's peers cannot take (an IPv6 next hop for IPv4
 * without RFC 8950, attributes too long for one message): the prefixes are
 * withdrawn rather than left with stale attributes at the peer. The items
 * stay at the batch tail, now as withdrawals.
 */
static void batch_unencodable(struct adjout_group *g, uint32_t t, size_t n)
{
	struct adjout *ao = g->ao;

	g->unencodable += n;
	g->ntarget -= n; /* each was an announcement, now a withdrawal or nothing */
	for (size_t j = 0; j < n; j++) {
		uint64_t *it = &g->batch.v[ao->pos[j]];
		uint32_t idx = item_ent(*it);
		struct ent *e = ent_at(g, idx);

		if (!e->sent) {
			pend_cancel(g, e);
			ent_drop(g, idx);
			continue;
		}
		*it = item_make(WITHDRAW, idx);
		dict_drop(g, t);
	}
}

static void msg_fill(struct adjout_msg *m, const uint8_t *buf, size_t len, size_t k, bool wd)
{
	memset(m, 0, sizeof(*m));
	m->len = len;
	m->n_prefixes = k;
	m->withdraw = wd;
	if (!wd && !adjout_find_nexthop(buf, len, &m->nh_off, &m->nh_len)) {
		m->nh_off = 0;
		m->nh_len = 0;
	}
}

/* Encodes a run of one target from the scratch; 0 if nothing could be encoded. */
static size_t encode_run(struct adjout_group *g, uint32_t t, size_t n, uint8_t *buf, size_t cap,
			 size_t *k)
{
	const struct prefix *pfx = g->ao->pfx;

	if (t == WITHDRAW)
		return update_withdraw_encode(buf, cap, g->key.family, &g->key.enc, pfx, n, k);
	return update_encode(buf, cap, g->dict.v[t].a, g->key.family, &g->key.enc, pfx, n, k);
}

/* A buffer smaller than the group's message size would make every set look unencodable. */
static bool pack_setup(struct adjout_group *g, size_t cap, size_t *room)
{
	size_t max = eff_max_len(&g->key.enc);

	*room = max - BGP_UPDATE_MIN_LEN;
	return cap >= max && scratch_reserve(g->ao, max);
}

bool adjout_next(struct adjout_group *g, uint8_t *buf, size_t cap, struct adjout_msg *m)
{
	size_t room, n, k, len;
	uint32_t t;

	if (!pack_setup(g, cap, &room))
		return false;
	while (batch_ready(g)) {
		t = item_target(g->batch.v[g->batch.n - 1]);
		n = gather_batch(g, t, room);
		len = encode_run(g, t, n, buf, cap, &k);
		if (len && k) {
			batch_commit(g, t, k);
			msg_fill(m, buf, len, k, t == WITHDRAW);
			return true;
		}
		if (t == WITHDRAW)
			return false; /* cannot happen with cap >= max_len */
		batch_unencodable(g, t, n);
	}
	return false;
}

size_t adjout_unencodable(const struct adjout_group *g)
{
	return g->unencodable;
}

/* ---- replay ---- */

struct adjout_replay *adjout_replay_start(struct adjout_group *g)
{
	struct adjout_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->v = malloc((g->nsent + 1) * sizeof(*r->v));
	if (!r->v) {
		free(r);
		return NULL;
	}
	for (uint32_t idx = 0; idx < g->slab.used; idx++) {
		const struct ent *e = ent_at(g, idx);

		if (!(e->flags & ENT_FREE) && e->sent)
			r->v[r->n++] = item_make(e->sent, idx);
	}
	/* grouped by attribute set, so packing finds long runs */
	qsort(r->v, r->n, sizeof(*r->v), cmp_u64_asc);
	r->g = g;
	r->next = g->replays;
	g->replays = r;
	return r;
}

/* What the snapshot's i-th prefix advertises now; 0 if it was withdrawn since. */
static uint32_t replay_sent(const struct adjout_replay *r, size_t i)
{
	uint32_t idx = item_ent(r->v[i]);

	return ent_live(r->g, idx) ? ent_at(r->g, idx)->sent : 0;
}

/*
 * Collects from r->at the prefixes currently advertising t (the first live
 * one's set), skipping withdrawn ones; stops at one advertising another set.
 */
static size_t gather_replay(struct adjout_replay *r, uint32_t t, size_t room)
{
	struct adjout *ao = r->g->ao;
	size_t n = 0, octets = 0;

	for (size_t i = r->at; i < r->n && n < ao->scap; i++) {
		uint32_t s = replay_sent(r, i);
		const struct ent *e;

		if (!s)
			continue;
		if (s != t)
			break;
		e = ent_at(r->g, item_ent(r->v[i]));
		octets += prefix_octets(e->plen);
		if (octets > room)
			break;
		ent_prefix(r->g, e, &ao->pfx[n]);
		ao->pos[n++] = (uint32_t)i;
	}
	return n;
}

bool adjout_replay_next(struct adjout_replay *r, uint8_t *buf, size_t cap, struct adjout_msg *m)
{
	size_t room, n, k, len;
	uint32_t t;

	if (!r->g || !pack_setup(r->g, cap, &room))
		return false;
	for (;;) {
		while (r->at < r->n && !replay_sent(r, r->at))
			r->at++;
		if (r->at == r->n)
			return false;
		t = replay_sent(r, r->at);
		n = gather_replay(r, t, room);
		len = encode_run(r->g, t, n, buf, cap, &k);
		if (len && k) {
			r->at = r->g->ao->pos[k - 1] + 1;
			msg_fill(m, buf, len, k, false);
			return true;
		}
		/* sent once, so encodable: only a changed encoder gets here; skip rather than spin */
		r->at = r->g->ao->pos[n - 1] + 1;
	}
}

void adjout_replay_free(struct adjout_replay *r)
{
	struct adjout_replay **link;

	if (!r)
		return;
	if (r->g) {
		for (link = &r->g->replays; *link != r; link = &(*link)->next)
			;
		*link = r->next;
	}
	free(r->v);
	free(r);
}

/* ---- queries ---- */

struct attrs *adjout_lookup(const struct adjout_group *g, const struct prefix *p)
{
	uint8_t key[16];
	uint32_t slot, idx;

	if (!make_key(g, p, key))
		return NULL;
	idx = ix_find(g, key, p->len, hash_words(key, g->klen, p->len), &slot);
	if (idx == NONE || !ent_at(g, idx)->sent)
		return NULL;
	return g->dict.v[ent_at(g, idx)->sent].a;
}

size_t adjout_count(const struct adjout_group *g)
{
	return g->nsent;
}

bool adjout_will_advertise(const struct adjout_group *g, const struct prefix *p)
{
	uint8_t key[16];
	uint32_t slot, idx;

	if (!make_key(g, p, key))
		return false;
	idx = ix_find(g, key, p->len, hash_words(key, g->klen, p->len), &slot);
	return idx != NONE && ent_target((struct adjout_group *)g, ent_at(g, idx)) != WITHDRAW;
}

size_t adjout_count_target(const struct adjout_group *g)
{
	return g->ntarget;
}

/* Address octets first, then the shorter prefix (as rib_walk and FRR's show bgp). */
static int cmp_ent_prefix(const void *a, const void *b, void *ctx)
{
	const struct adjout_group *g = ctx;
	const struct ent *ea = ent_at(g, *(const uint32_t *)a);
	const struct ent *eb = ent_at(g, *(const uint32_t *)b);
	int r = memcmp(ea->key, eb->key, g->klen);

	if (r)
		return r;
	return (int)ea->plen - (int)eb->plen;
}

int adjout_walk(const struct adjout_group *g,
		int (*fn)(void *ctx, const struct prefix *p, struct attrs *a), void *ctx)
{
	uint32_t *v = malloc((g->nsent + 1) * sizeof(*v));
	struct prefix p;
	size_t n = 0;
	int r = 0;

	if (!v)
		return -1;
	for (uint32_t idx = 0; idx < g->slab.used; idx++) {
		const struct ent *e = ent_at(g, idx);

		if (!(e->flags & ENT_FREE) && e->sent)
			v[n++] = idx;
	}
	qsort_r(v, n, sizeof(*v), cmp_ent_prefix, (void *)g);
	for (size_t i = 0; i < n && !r; i++) {
		const struct ent *e = ent_at(g, v[i]);

		ent_prefix(g, e, &p);
		r = fn(ctx, &p, g->dict.v[e->sent].a);
	}
	free(v);
	return r;
}

static size_t group_bytes(const struct adjout_group *g)
{
	size_t b = sizeof(*g);
	const struct adjout_replay *r;

	b += (size_t)g->slab.nchunks * ENT_CHUNK * g->slab.esize;
	b += (size_t)g->slab.cap_chunks * sizeof(*g->slab.chunks);
	b += ((size_t)g->ix.mask + 1) * sizeof(*g->ix.slots);
	b += (size_t)g->dict.cap * sizeof(*g->dict.v);
	b += g->dict.heads ? ((size_t)g->dict.mask + 1) * sizeof(*g->dict.heads) : 0;
	b += ((size_t)g->batch.cap + g->incoming.cap) * sizeof(uint64_t);
	for (r = g->replays; r; r = r->next)
		b += sizeof(*r) + r->n * sizeof(*r->v);
	return b;
}

size_t adjout_bytes(const struct adjout *ao)
{
	size_t b = sizeof(*ao) + ((size_t)ao->mask + 1) * sizeof(*ao->heads);

	b += ao->scap * (sizeof(*ao->pfx) + sizeof(*ao->pos));
	for (uint32_t i = 0; i <= ao->mask; i++)
		for (const struct adjout_group *g = ao->heads[i]; g; g = g->hnext)
			b += group_bytes(g);
	return b;
}

/* ---- next hop position ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Offset and length of the path attributes of an UPDATE; false if they do not fit in len. */
static bool attrs_span(const uint8_t *msg, size_t len, size_t *start, size_t *end)
{
	size_t p = BGP_HEADER_LEN;

	if (len < BGP_UPDATE_MIN_LEN || msg[18] != BGP_MSG_UPDATE)
		return false;
	p += 2 + get16(msg + p);
	if (p + 2 > len)
		return false;
	*start = p + 2;
	*end = *start + get16(msg + p);
	return *end <= len;
}

bool adjout_find_nexthop(const uint8_t *msg, size_t len, size_t *off, size_t *nh_len)
{
	size_t p, end;

	if (!attrs_span(msg, len, &p, &end))
		return false;
	while (p + 3 <= end) {
		size_t hlen = (msg[p] & BGP_ATTR_F_EXT_LEN) ? 4 : 3;
		uint8_t type = msg[p + 1];
		size_t v = p + hlen, vlen;

		if (v > end)
			return false;
		vlen = hlen == 4 ? get16(msg + p + 2) : msg[p + 2];
		if (v + vlen > end)
			return false;
		if (type == BGP_ATTR_NEXT_HOP && vlen == 4) {
			*off = v;
			*nh_len = 4;
			return true;
		}
		/* RFC 4760 §3: AFI (2), SAFI (1), next hop length (1), next hop */
		if (type == BGP_ATTR_MP_REACH_NLRI && vlen >= 4 && 4 + (size_t)msg[v + 3] <= vlen &&
		    msg[v + 3]) {
			*off = v + 4;
			*nh_len = msg[v + 3];
			return true;
		}
		p = v + vlen;
	}
	return false;
}
