/*
 * The RIB table (rib.h): entry slab + open-addressing prefix index + dirty
 * FIFO + a queue of incremental sweeps (peer flush, re-decision).
 *
 * Layout, for the bytes-per-prefix budget:
 * - Entries live in fixed-size slots of chunked arrays and are named by a
 *   32-bit index; the index table stores those indices (4 bytes a slot plus
 *   a 1-byte hash tag, load factor <= 3/4), the dirty FIFO and the free list
 *   chain through entry->link. An entry embeds its first path; further paths
 *   come from a path slab with an intrusive free list.
 * - Indices are stable for an entry's lifetime, so sweeps walk the slab by
 *   index and resume where they stopped.
 */
#include "routerd/rib/rib.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/lib/hash.h"
#include "routerd/rib/decide.h"

#define IDX_NONE	  UINT32_MAX
#define ENTRY_CHUNK_SHIFT 12
#define ENTRY_CHUNK	  (1u << ENTRY_CHUNK_SHIFT)
#define PATH_CHUNK	  1024u
#define INDEX_MIN_BITS	  10
#define MAX_ENTRIES	  (1u << 30)

enum entry_state {
	ENTRY_DIRTY = 1u << 0,
	ENTRY_V6 = 1u << 1,
	ENTRY_FREE = 1u << 2,
};

struct rib_entry {
	struct rib_path path0; /* first path; attrs NULL (and next NULL) when there is none */
	uint32_t link;	       /* next in the dirty FIFO or the free list */
	uint32_t hash;	       /* hash_words(): rehashing reads the slab, not the keys */
	uint8_t plen;
	uint8_t state; /* enum entry_state */
	uint8_t key[]; /* 4 or 16 bytes, host bits zero */
};

struct entry_slab {
	uint8_t **chunks;
	uint32_t nchunks, cap_chunks;
	uint32_t used;	    /* indices [0, used) have been handed out */
	uint32_t free_head; /* freed indices, chained through link */
	size_t esize;
};

struct path_chunk {
	struct path_chunk *next;
	struct rib_path paths[PATH_CHUNK];
};

struct path_slab {
	struct path_chunk *chunks;
	size_t nchunks;
	unsigned bump; /* next unused slot of chunks (the newest) */
	struct rib_path *free;
};

/*
 * Slot i holds an entry index when tags[i] != 0; the tag (8 hash bits) lets
 * a probe skip other entries without touching them, which is what makes
 * inserting a million prefixes fast (each entry visit is a cache miss).
 */
struct prefix_index {
	uint32_t *slots;
	uint8_t *tags;
	uint32_t mask;
	uint32_t count;
};

enum job_kind {
	JOB_FLUSH,
	JOB_REDECIDE,
};

/* A sweep over the entry slab, one index per unit of rib_run budget. */
struct job {
	enum job_kind kind;
	uint16_t peer;
	uint32_t gen; /* JOB_FLUSH: remove the peer's paths older than this */
	uint32_t cursor;
};

struct rib {
	struct attr_pool *pool;
	uint8_t family, klen, maxlen;
	const struct rib_peer_info *peers;
	unsigned npeers;
	uint32_t *peer_gen; /* per peer id, bumped by rib_peer_flush */
	unsigned cap_peers; /* size of peer_gen and cand */
	struct decide_conf conf;

	struct entry_slab es;
	struct path_slab ps;
	struct prefix_index ix;
	size_t npaths, nstale;

	uint32_t dirty_head, dirty_tail;
	struct job *jobs;
	unsigned njobs; /* room for cap_peers + 1 */

	/* rib_run scratch */
	struct rib_path **cand;
	struct rib_path *mp[RIB_MAX_MULTIPATH];
	struct rib_sel old_sel[RIB_MAX_MULTIPATH], new_sel[RIB_MAX_MULTIPATH];
};

/* ---- keys ---- */

static bool make_key(const struct rib *rib, const struct prefix *p, uint8_t *key)
{
	unsigned full = p->len / 8, rem = p->len % 8;

	if (p->family != rib->family || p->len > rib->maxlen)
		return false;
	memcpy(key, p->bytes, rib->klen);
	if (full < rib->klen) {
		key[full] &= (uint8_t)(0xff00u >> rem);
		memset(key + full + 1, 0, rib->klen - full - 1);
	}
	return true;
}

/* ---- entry slab ---- */

static struct rib_entry *entry_at(const struct rib *rib, uint32_t idx)
{
	uint8_t *chunk = rib->es.chunks[idx >> ENTRY_CHUNK_SHIFT];

	return (struct rib_entry *)(chunk + (size_t)(idx & (ENTRY_CHUNK - 1)) * rib->es.esize);
}

static unsigned entry_klen(const struct rib_entry *e)
{
	return (e->state & ENTRY_V6) ? 16 : 4;
}

static bool entry_slab_grow(struct entry_slab *es)
{
	uint8_t *chunk;

	if (es->nchunks == es->cap_chunks) {
		uint32_t cap = es->cap_chunks ? es->cap_chunks * 2 : 16;
		uint8_t **c = realloc(es->chunks, cap * sizeof(*c));

		if (!c)
			return false;
		es->chunks = c;
		es->cap_chunks = cap;
	}
	chunk = malloc(ENTRY_CHUNK * es->esize);
	if (!chunk)
		return false;
	es->chunks[es->nchunks++] = chunk;
	return true;
}

static uint32_t entry_alloc(struct rib *rib)
{
	struct entry_slab *es = &rib->es;
	uint32_t idx;

	if (es->free_head != IDX_NONE) {
		idx = es->free_head;
		es->free_head = entry_at(rib, idx)->link;
		return idx;
	}
	if (es->used >= MAX_ENTRIES)
		return IDX_NONE;
	if (es->used == es->nchunks * ENTRY_CHUNK && !entry_slab_grow(es))
		return IDX_NONE;
	return es->used++;
}

static void entry_release(struct rib *rib, uint32_t idx)
{
	struct rib_entry *e = entry_at(rib, idx);

	e->state = ENTRY_FREE;
	e->link = rib->es.free_head;
	rib->es.free_head = idx;
}

/* ---- path slab ---- */

static struct rib_path *path_alloc(struct rib *rib)
{
	struct path_slab *ps = &rib->ps;
	struct rib_path *p = ps->free;

	if (p) {
		ps->free = p->next;
		return p;
	}
	if (!ps->chunks || ps->bump == PATH_CHUNK) {
		struct path_chunk *c = malloc(sizeof(*c));

		if (!c)
			return NULL;
		c->next = ps->chunks;
		ps->chunks = c;
		ps->nchunks++;
		ps->bump = 0;
	}
	return &ps->chunks->paths[ps->bump++];
}

static void path_release(struct rib *rib, struct rib_path *p)
{
	p->next = rib->ps.free;
	rib->ps.free = p;
}

/* ---- prefix index (linear probing, backward-shift deletion) ---- */

static uint8_t hash_tag(uint32_t hash)
{
	return (uint8_t)((hash >> 24) % 255 + 1);
}

/* Returns the entry index, or IDX_NONE with *slot at the empty slot where it would go. */
static uint32_t ix_find(const struct rib *rib, const uint8_t *key, uint8_t plen, uint32_t hash,
			uint32_t *slot)
{
	const struct prefix_index *ix = &rib->ix;
	uint8_t tag = hash_tag(hash);
	uint32_t s = hash & ix->mask;

	for (; ix->tags[s]; s = (s + 1) & ix->mask) {
		const struct rib_entry *e;

		if (ix->tags[s] != tag)
			continue;
		e = entry_at(rib, ix->slots[s]);
		if (e->hash == hash && e->plen == plen && !memcmp(e->key, key, rib->klen)) {
			*slot = s;
			return ix->slots[s];
		}
	}
	*slot = s;
	return IDX_NONE;
}

static void ix_put(struct prefix_index *ix, uint32_t idx, uint32_t hash)
{
	uint32_t s = hash & ix->mask;

	while (ix->tags[s])
		s = (s + 1) & ix->mask;
	ix->slots[s] = idx;
	ix->tags[s] = hash_tag(hash);
}

static bool ix_init(struct prefix_index *ix, uint32_t n)
{
	ix->slots = malloc(n * sizeof(*ix->slots));
	ix->tags = calloc(n, sizeof(*ix->tags));
	ix->mask = n - 1;
	if (ix->slots && ix->tags)
		return true;
	free(ix->slots);
	free(ix->tags);
	return false;
}

/* Doubles the index, reinserting from the entry slab in order (sequential reads). */
static bool ix_grow(struct rib *rib)
{
	struct prefix_index old = rib->ix;

	if (!ix_init(&rib->ix, (old.mask + 1) * 2)) {
		rib->ix = old;
		return false;
	}
	rib->ix.count = old.count;
	for (uint32_t i = 0; i < rib->es.used; i++) {
		const struct rib_entry *e = entry_at(rib, i);

		if (!(e->state & ENTRY_FREE))
			ix_put(&rib->ix, i, e->hash);
	}
	free(old.slots);
	free(old.tags);
	return true;
}

static void ix_delete(struct rib *rib, uint32_t slot)
{
	struct prefix_index *ix = &rib->ix;
	uint32_t hole = slot;

	for (uint32_t j = (slot + 1) & ix->mask; ix->tags[j]; j = (j + 1) & ix->mask) {
		uint32_t home = entry_at(rib, ix->slots[j])->hash & ix->mask;

		if (!hash_probe_may_fill(home, hole, j, ix->mask))
			continue;
		ix->slots[hole] = ix->slots[j];
		ix->tags[hole] = ix->tags[j];
		hole = j;
	}
	ix->tags[hole] = 0;
	ix->count--;
}

/* Finds the entry for key, creating it if create; IDX_NONE if absent or out of memory. */
static uint32_t entry_get(struct rib *rib, const uint8_t *key, uint8_t plen, bool create)
{
	uint32_t slot, hash = hash_words(key, rib->klen, plen);
	uint32_t idx = ix_find(rib, key, plen, hash, &slot);
	struct rib_entry *e;

	if (idx != IDX_NONE || !create)
		return idx;
	if ((uint64_t)(rib->ix.count + 1) * 4 > (uint64_t)(rib->ix.mask + 1) * 3) {
		if (!ix_grow(rib))
			return IDX_NONE;
		ix_find(rib, key, plen, hash, &slot);
	}
	idx = entry_alloc(rib);
	if (idx == IDX_NONE)
		return IDX_NONE;
	e = entry_at(rib, idx);
	memset(e, 0, rib->es.esize);
	e->link = IDX_NONE;
	e->hash = hash;
	e->plen = plen;
	e->state = rib->family == AF_INET6 ? ENTRY_V6 : 0;
	memcpy(e->key, key, rib->klen);
	rib->ix.slots[slot] = idx;
	rib->ix.tags[slot] = hash_tag(hash);
	rib->ix.count++;
	return idx;
}

static void entry_remove(struct rib *rib, uint32_t idx)
{
	struct rib_entry *e = entry_at(rib, idx);
	uint32_t slot;

	if (ix_find(rib, e->key, e->plen, e->hash, &slot) == idx)
		ix_delete(rib, slot);
	entry_release(rib, idx);
}

/* ---- paths of an entry ---- */

static struct rib_path *entry_first(struct rib_entry *e)
{
	return e->path0.attrs ? &e->path0 : NULL;
}

static struct rib_path *find_live(struct rib_entry *e, uint16_t peer, struct rib_path **prevp)
{
	struct rib_path *prev = NULL;

	for (struct rib_path *p = entry_first(e); p; prev = p, p = p->next) {
		if (p->peer == peer && !(p->flags & RIB_PATH_STALE)) {
			*prevp = prev;
			return p;
		}
	}
	return NULL;
}

/* A new blank path slot of e (the embedded one if free); NULL on allocation failure. */
static struct rib_path *entry_add_path(struct rib *rib, struct rib_entry *e)
{
	struct rib_path *p;

	if (!e->path0.attrs)
		return &e->path0;
	p = path_alloc(rib);
	if (!p)
		return NULL;
	p->next = e->path0.next;
	e->path0.next = p;
	return p;
}

/* Frees p (prev is its predecessor, NULL for the embedded path, whose successor moves in). */
static void entry_remove_path(struct rib *rib, struct rib_entry *e, struct rib_path *prev,
			      struct rib_path *p)
{
	rib->npaths--;
	if (p->flags & RIB_PATH_STALE)
		rib->nstale--;
	attrs_unref(rib->pool, p->attrs);
	if (p == &e->path0) {
		struct rib_path *q = p->next;

		if (q) {
			*p = *q;
			path_release(rib, q);
		} else {
			memset(p, 0, sizeof(*p));
		}
		return;
	}
	prev->next = p->next;
	path_release(rib, p);
}

/* Selected paths stay (stale) until rib_run has reported them; others go at once. */
static void withdraw_path(struct rib *rib, struct rib_entry *e, struct rib_path *prev,
			  struct rib_path *p)
{
	if (p->flags & (RIB_PATH_BEST | RIB_PATH_MULTIPATH)) {
		p->flags |= RIB_PATH_STALE;
		rib->nstale++;
		return;
	}
	entry_remove_path(rib, e, prev, p);
}

static void remove_stale(struct rib *rib, struct rib_entry *e)
{
	struct rib_path *prev = NULL, *p = entry_first(e);

	while (p) {
		if (!(p->flags & RIB_PATH_STALE)) {
			prev = p;
			p = p->next;
			continue;
		}
		entry_remove_path(rib, e, prev, p);
		p = prev ? prev->next : entry_first(e);
	}
}

static void mark_dirty(struct rib *rib, uint32_t idx)
{
	struct rib_entry *e = entry_at(rib, idx);

	if (e->state & ENTRY_DIRTY)
		return;
	e->state |= ENTRY_DIRTY;
	e->link = IDX_NONE;
	if (rib->dirty_tail == IDX_NONE)
		rib->dirty_head = idx;
	else
		entry_at(rib, rib->dirty_tail)->link = idx;
	rib->dirty_tail = idx;
}

static uint32_t pop_dirty(struct rib *rib)
{
	uint32_t idx = rib->dirty_head;
	struct rib_entry *e = entry_at(rib, idx);

	rib->dirty_head = e->link;
	if (rib->dirty_head == IDX_NONE)
		rib->dirty_tail = IDX_NONE;
	e->state &= ~ENTRY_DIRTY;
	return idx;
}

/* ---- life cycle and configuration ---- */

struct rib *rib_new(uint8_t family, struct attr_pool *pool)
{
	struct rib *rib;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	rib = calloc(1, sizeof(*rib));
	if (!rib)
		return NULL;
	rib->pool = pool;
	rib->family = family;
	rib->klen = family == AF_INET ? 4 : 16;
	rib->maxlen = rib->klen * 8;
	rib->es.esize = (offsetof(struct rib_entry, key) + rib->klen + 7) & ~(size_t)7;
	rib->es.free_head = IDX_NONE;
	rib->dirty_head = rib->dirty_tail = IDX_NONE;
	decide_conf_init(&rib->conf);
	if (!ix_init(&rib->ix, 1u << INDEX_MIN_BITS)) {
		free(rib);
		return NULL;
	}
	return rib;
}

static void free_entry_paths(struct rib *rib, struct rib_entry *e)
{
	for (struct rib_path *p = entry_first(e); p; p = p->next)
		attrs_unref(rib->pool, p->attrs);
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	for (uint32_t i = 0; i < rib->es.used; i++) {
		struct rib_entry *e = entry_at(rib, i);

		if (!(e->state & ENTRY_FREE))
			free_entry_paths(rib, e);
	}
	for (uint32_t i = 0; i < rib->es.nchunks; i++)
		free(rib->es.chunks[i]);
	free(rib->es.chunks);
	while (rib->ps.chunks) {
		struct path_chunk *c = rib->ps.chunks;

		rib->ps.chunks = c->next;
		free(c);
	}
	free(rib->ix.slots);
	free(rib->ix.tags);
	free(rib->jobs);
	free(rib->peer_gen);
	free(rib->cand);
	free(rib);
}

/*
 * Per-peer arrays, sized once per peer count so that nothing allocates later
 * in rib_peer_flush or rib_run: at most one flush job per peer plus one
 * re-decision, at most one candidate path per peer.
 */
static bool reserve_peers(struct rib *rib, unsigned n)
{
	uint32_t *gen;
	struct rib_path **cand;
	struct job *jobs;

	if (n <= rib->cap_peers)
		return true;
	gen = realloc(rib->peer_gen, n * sizeof(*gen));
	if (!gen)
		return false;
	memset(gen + rib->cap_peers, 0, (n - rib->cap_peers) * sizeof(*gen));
	rib->peer_gen = gen;
	cand = realloc(rib->cand, n * sizeof(*cand));
	if (!cand)
		return false;
	rib->cand = cand;
	jobs = realloc(rib->jobs, (n + 1) * sizeof(*jobs));
	if (!jobs)
		return false;
	rib->jobs = jobs;
	rib->cap_peers = n;
	return true;
}

int rib_set_peers(struct rib *rib, const struct rib_peer_info *peers, unsigned n)
{
	if (n > UINT16_MAX + 1u || !reserve_peers(rib, n))
		return -1;
	rib->peers = peers;
	rib->npeers = n;
	return 0;
}

static bool conf_equal(const struct decide_conf *a, const struct decide_conf *b)
{
	return a->multipath_relax == b->multipath_relax &&
	       a->always_compare_med == b->always_compare_med &&
	       a->as_path_ignore == b->as_path_ignore && a->max_paths == b->max_paths;
}

void rib_set_decide(struct rib *rib, const struct decide_conf *c)
{
	struct decide_conf n = *c;

	if (n.max_paths < 1)
		n.max_paths = 1;
	if (n.max_paths > RIB_MAX_MULTIPATH)
		n.max_paths = RIB_MAX_MULTIPATH;
	if (conf_equal(&n, &rib->conf))
		return;
	rib->conf = n;
	rib_redecide(rib);
}

/* ---- sweeps ---- */

static struct job *job_of(struct rib *rib, enum job_kind kind, uint16_t peer)
{
	for (unsigned i = 0; i < rib->njobs; i++) {
		if (rib->jobs[i].kind == kind && rib->jobs[i].peer == peer)
			return &rib->jobs[i];
	}
	return NULL;
}

/*
 * Queues a sweep, or restarts an equal one from index 0 (entries it already
 * passed may need the new pass). Never allocates: reserve_peers made room
 * for one job per kind and peer.
 */
static void job_add(struct rib *rib, enum job_kind kind, uint16_t peer, uint32_t gen)
{
	struct job *j = job_of(rib, kind, peer);

	if (!rib->es.used || !rib->jobs)
		return;
	if (!j)
		j = &rib->jobs[rib->njobs++];
	j->kind = kind;
	j->peer = peer;
	j->gen = gen;
	j->cursor = 0;
}

void rib_peer_flush(struct rib *rib, uint16_t peer)
{
	if (peer >= rib->npeers)
		return;
	rib->peer_gen[peer]++;
	job_add(rib, JOB_FLUSH, peer, rib->peer_gen[peer]);
}

void rib_redecide(struct rib *rib)
{
	job_add(rib, JOB_REDECIDE, 0, 0);
}

static void job_visit(struct rib *rib, const struct job *j, uint32_t idx)
{
	struct rib_entry *e = entry_at(rib, idx);
	struct rib_path *p, *prev;

	if (e->state & ENTRY_FREE)
		return;
	if (j->kind == JOB_REDECIDE) {
		mark_dirty(rib, idx);
		return;
	}
	p = find_live(e, j->peer, &prev);
	if (p && (int32_t)(p->gen - j->gen) < 0) {
		withdraw_path(rib, e, prev, p);
		mark_dirty(rib, idx);
	}
}

static void job_step(struct rib *rib)
{
	struct job *j = &rib->jobs[0];

	if (j->cursor < rib->es.used)
		job_visit(rib, j, j->cursor++);
	if (j->cursor >= rib->es.used) {
		rib->njobs--;
		memmove(rib->jobs, rib->jobs + 1, rib->njobs * sizeof(*j));
	}
}

/* ---- updates ---- */

static void path_set(struct rib_path *p, uint16_t peer, struct attrs *a, uint32_t gen)
{
	p->attrs = attrs_ref(a);
	p->peer = peer;
	p->flags = 0;
	p->gen = gen;
}

int rib_update(struct rib *rib, const struct prefix *p, uint16_t peer, struct attrs *a)
{
	uint8_t key[16];
	uint32_t idx, gen;
	struct rib_entry *e;
	struct rib_path *old, *prev, *np;
	bool fresh;

	if (!a || peer >= rib->npeers || !make_key(rib, p, key))
		return -1;
	idx = entry_get(rib, key, p->len, true);
	if (idx == IDX_NONE)
		return -1;
	e = entry_at(rib, idx);
	gen = rib->peer_gen[peer];
	old = find_live(e, peer, &prev);
	/* A path of an earlier generation awaits a flush: for the peer it is new. */
	fresh = !old || old->gen != gen;
	if (old && old->attrs == a) {
		old->gen = gen; /* refreshed: survives a pending flush */
		return fresh ? 2 : 0;
	}
	mark_dirty(rib, idx);
	if (old && !(old->flags & (RIB_PATH_BEST | RIB_PATH_MULTIPATH))) {
		attrs_ref(a);
		attrs_unref(rib->pool, old->attrs);
		old->attrs = a;
		old->gen = gen;
		return fresh ? 2 : 1;
	}
	np = entry_add_path(rib, e);
	if (!np)
		return -1;
	path_set(np, peer, a, gen);
	rib->npaths++;
	if (old) {
		old->flags |= RIB_PATH_STALE;
		rib->nstale++;
	}
	return fresh ? 2 : 1;
}

int rib_withdraw(struct rib *rib, const struct prefix *p, uint16_t peer)
{
	uint8_t key[16];
	uint32_t idx;
	struct rib_entry *e;
	struct rib_path *old, *prev;

	if (!make_key(rib, p, key))
		return -1;
	idx = entry_get(rib, key, p->len, false);
	if (idx == IDX_NONE)
		return 0;
	e = entry_at(rib, idx);
	old = find_live(e, peer, &prev);
	if (!old)
		return 0;
	withdraw_path(rib, e, prev, old);
	mark_dirty(rib, idx);
	return 1;
}

/* ---- decision of one entry ---- */

static int cmp_path_peer(const void *a, const void *b)
{
	const struct rib_path *pa = *(struct rib_path *const *)a;
	const struct rib_path *pb = *(struct rib_path *const *)b;

	return (int)pa->peer - (int)pb->peer;
}

/* Non-stale paths of known peers into rib->cand, in peer-id order (deterministic MED outcome). */
static unsigned collect_candidates(struct rib *rib, struct rib_entry *e)
{
	unsigned n = 0;

	for (struct rib_path *p = entry_first(e); p; p = p->next) {
		if (!(p->flags & RIB_PATH_STALE) && p->peer < rib->npeers)
			rib->cand[n++] = p;
	}
	if (n > 1)
		qsort(rib->cand, n, sizeof(rib->cand[0]), cmp_path_peer);
	return n;
}

static int cmp_sel(const void *a, const void *b)
{
	const struct rib_sel *sa = a, *sb = b;

	return (int)sa->peer - (int)sb->peer;
}

/* The selection before this run, from the flags (stale paths included). */
static unsigned old_selection(struct rib *rib, struct rib_entry *e, struct rib_sel *best)
{
	unsigned n = 0;

	best->attrs = NULL;
	best->peer = 0;
	for (struct rib_path *p = entry_first(e); p; p = p->next) {
		if (p->flags & RIB_PATH_BEST) {
			best->attrs = p->attrs;
			best->peer = p->peer;
		}
		if ((p->flags & RIB_PATH_MULTIPATH) && n < RIB_MAX_MULTIPATH)
			rib->old_sel[n++] = (struct rib_sel){ p->attrs, p->peer };
	}
	if (n > 1)
		qsort(rib->old_sel, n, sizeof(rib->old_sel[0]), cmp_sel);
	return n;
}

static unsigned new_selection(struct rib *rib, unsigned nmp, struct rib_sel *best)
{
	best->attrs = nmp ? rib->mp[0]->attrs : NULL;
	best->peer = nmp ? rib->mp[0]->peer : 0;
	for (unsigned i = 0; i < nmp; i++)
		rib->new_sel[i] = (struct rib_sel){ rib->mp[i]->attrs, rib->mp[i]->peer };
	if (nmp > 1)
		qsort(rib->new_sel, nmp, sizeof(rib->new_sel[0]), cmp_sel);
	return nmp;
}

static bool sel_equal(const struct rib_sel *a, const struct rib_sel *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (a[i].attrs != b[i].attrs || a[i].peer != b[i].peer)
			return false;
	}
	return true;
}

static void build_change(struct rib *rib, struct rib_entry *e, unsigned nmp, struct rib_change *chg)
{
	chg->n_old = old_selection(rib, e, &chg->old_best);
	chg->n_new = new_selection(rib, nmp, &chg->new_best);
	chg->old_mp = rib->old_sel;
	chg->new_mp = rib->new_sel;
	chg->best_changed = chg->old_best.attrs != chg->new_best.attrs ||
			    chg->old_best.peer != chg->new_best.peer;
	chg->multipath_changed =
		chg->n_old != chg->n_new || !sel_equal(rib->old_sel, rib->new_sel, chg->n_new);
}

static void apply_flags(struct rib *rib, struct rib_entry *e, unsigned nmp)
{
	for (struct rib_path *p = entry_first(e); p; p = p->next) {
		if (!(p->flags & RIB_PATH_STALE))
			p->flags &= ~(RIB_PATH_BEST | RIB_PATH_MULTIPATH);
	}
	for (unsigned i = 0; i < nmp; i++)
		rib->mp[i]->flags |= RIB_PATH_MULTIPATH;
	if (nmp)
		rib->mp[0]->flags |= RIB_PATH_BEST;
}

static void decide_entry(struct rib *rib, uint32_t idx, rib_change_fn fn, void *ctx)
{
	struct rib_entry *e = entry_at(rib, idx);
	unsigned ncand = collect_candidates(rib, e);
	unsigned nmp = decide_select(rib->cand, ncand, rib->peers, &rib->conf, rib->mp);
	struct rib_change chg;

	build_change(rib, e, nmp, &chg);
	apply_flags(rib, e, nmp);
	if (fn && (chg.best_changed || chg.multipath_changed))
		fn(ctx, e, &chg);
	remove_stale(rib, e);
	if (!e->path0.attrs)
		entry_remove(rib, idx);
}

size_t rib_run(struct rib *rib, size_t budget, rib_change_fn fn, void *ctx)
{
	size_t done = 0;

	for (; done < budget; done++) {
		if (rib->dirty_head != IDX_NONE)
			decide_entry(rib, pop_dirty(rib), fn, ctx);
		else if (rib->njobs)
			job_step(rib);
		else
			break;
	}
	return done;
}

bool rib_busy(const struct rib *rib)
{
	return rib->dirty_head != IDX_NONE || rib->njobs;
}

/* ---- lookup, walk, accessors ---- */

const struct rib_entry *rib_entry_find(const struct rib *rib, const struct prefix *p)
{
	uint8_t key[16];
	uint32_t slot, idx;

	if (!make_key(rib, p, key))
		return NULL;
	idx = ix_find(rib, key, p->len, hash_words(key, rib->klen, p->len), &slot);
	return idx == IDX_NONE ? NULL : entry_at(rib, idx);
}

/* Address bytes first, then the shorter prefix. */
static int cmp_entry_prefix(const void *a, const void *b)
{
	const struct rib_entry *ea = *(const struct rib_entry *const *)a;
	const struct rib_entry *eb = *(const struct rib_entry *const *)b;
	int r = memcmp(ea->key, eb->key, entry_klen(ea));

	if (r)
		return r;
	return (int)ea->plen - (int)eb->plen;
}

int rib_walk(const struct rib *rib, rib_walk_fn fn, void *ctx)
{
	const struct rib_entry **v = malloc((rib->ix.count + 1) * sizeof(*v));
	size_t n = 0;
	int r = 0;

	if (!v)
		return -1;
	for (uint32_t i = 0; i < rib->es.used; i++) {
		const struct rib_entry *e = entry_at(rib, i);

		if (!(e->state & ENTRY_FREE) && rib_entry_paths(e))
			v[n++] = e;
	}
	qsort(v, n, sizeof(*v), cmp_entry_prefix);
	for (size_t i = 0; i < n && !r; i++)
		r = fn(ctx, v[i]);
	free(v);
	return r;
}

void rib_count(const struct rib *rib, size_t *prefixes, size_t *paths)
{
	if (prefixes)
		*prefixes = rib->ix.count;
	if (paths)
		*paths = rib->npaths - rib->nstale;
}

void rib_stats(const struct rib *rib, struct rib_stats *st)
{
	st->prefixes = rib->ix.count;
	st->paths = rib->npaths;
	st->entry_bytes = (size_t)rib->es.nchunks * ENTRY_CHUNK * rib->es.esize +
			  rib->es.cap_chunks * sizeof(*rib->es.chunks);
	st->path_bytes = rib->ps.nchunks * sizeof(struct path_chunk);
	st->table_bytes =
		((size_t)rib->ix.mask + 1) * (sizeof(*rib->ix.slots) + sizeof(*rib->ix.tags));
	st->other_bytes = sizeof(*rib) +
			  rib->cap_peers * (sizeof(*rib->peer_gen) + sizeof(*rib->cand)) +
			  (rib->cap_peers + 1) * sizeof(*rib->jobs);
	st->total_bytes = st->entry_bytes + st->path_bytes + st->table_bytes + st->other_bytes;
}

void rib_entry_prefix(const struct rib_entry *e, struct prefix *out)
{
	unsigned klen = entry_klen(e);

	memset(out, 0, sizeof(*out));
	out->family = klen == 4 ? AF_INET : AF_INET6;
	out->len = e->plen;
	memcpy(out->bytes, e->key, klen);
}

static const struct rib_path *skip_stale(const struct rib_path *p)
{
	while (p && (p->flags & RIB_PATH_STALE))
		p = p->next;
	return p;
}

const struct rib_path *rib_entry_paths(const struct rib_entry *e)
{
	return skip_stale(e->path0.attrs ? &e->path0 : NULL);
}

const struct rib_path *rib_path_next(const struct rib_path *p)
{
	return skip_stale(p->next);
}

const struct rib_path *rib_entry_best(const struct rib_entry *e)
{
	for (const struct rib_path *p = rib_entry_paths(e); p; p = rib_path_next(p)) {
		if (p->flags & RIB_PATH_BEST)
			return p;
	}
	return NULL;
}

unsigned rib_entry_multipath(const struct rib_entry *e, const struct rib_path **out, unsigned max)
{
	unsigned n = 0;

	for (const struct rib_path *p = rib_entry_paths(e); p; p = rib_path_next(p)) {
		if (!(p->flags & RIB_PATH_MULTIPATH))
			continue;
		if (n < max)
			out[n] = p;
		n++;
	}
	return n;
}

const struct rib_path *rib_entry_path_of(const struct rib_entry *e, uint16_t peer)
{
	for (const struct rib_path *p = rib_entry_paths(e); p; p = rib_path_next(p)) {
		if (p->peer == peer)
			return p;
	}
	return NULL;
}
