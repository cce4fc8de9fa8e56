/*
 * The RIB: one table per address family, one entry per prefix holding the
 * few paths learned for it, with best path and multipath set recomputed only
 * for prefixes marked dirty, in bounded batches (rib_run).
 *
 * Pure: no I/O, no globals, no libev, never logs. All state lives in a
 * caller-owned struct rib; attribute sets come from a caller-owned attr_pool
 * (the rib takes and releases its own references).
 *
 * Memory (docs/architecture.md, "RIB table"): entries and extra paths come
 * from chunked slabs (no per-object malloc), the first path of a prefix is
 * embedded in its entry, the key is stored in 4 (IPv4) or 16 (IPv6) bytes and
 * the prefix index is an open-addressing table of 32-bit slab indices plus
 * an 8-bit hash tag per slot. A single-peer IPv4 table costs 40 bytes per
 * entry plus 5 per index slot (load <= 3/4): about 51 bytes per prefix at
 * 1M, plus the shared attributes (tests/unit/test_rib.c measures it).
 *
 * Change reporting: a path that is part of the current selection (best or
 * multipath) is not modified in place by rib_update()/rib_withdraw(); it is
 * marked RIB_PATH_STALE and kept, with its attrs reference, until rib_run()
 * has reported the change. So the callback sees the old and the new selection
 * and the FIB / Adj-RIB-Out can diff them; a batch of updates that ends where
 * it started (A -> B -> A) reports nothing.
 */
#ifndef ROUTERD_RIB_RIB_H
#define ROUTERD_RIB_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/lib/addr.h"
#include "routerd/rib/attr.h"

#define RIB_PEER_LOCAL	  0  /* peer id of our own originations (network, redistribute) */
#define RIB_MAX_MULTIPATH 64 /* upper bound of decide_conf.max_paths */

struct decide_conf;
struct rib;
struct rib_entry; /* opaque: read through the rib_entry_* accessors */

/*
 * What the decision process needs to know about the neighbor a path came
 * from. The daemon owns the array (rib_set_peers); a path's peer id is the
 * index into it.
 */
struct rib_peer_info {
	uint32_t router_id; /* BGP Identifier, host order (our own for RIB_PEER_LOCAL) */
	uint32_t remote_as;
	uint32_t igp_cost;  /* cost to the peer's next hop; 0 until an IGP feeds it */
	struct ipaddr addr; /* remote address; unset for RIB_PEER_LOCAL */
	bool ibgp;
	bool local; /* our own origination: preferred at §9.1.2 step "Local Route" */
};

enum rib_path_flag {
	RIB_PATH_BEST = 1u << 0,
	/* member of the multipath (ECMP) set; the best path always is one too */
	RIB_PATH_MULTIPATH = 1u << 1,
	/* replaced or withdrawn while selected: kept until rib_run() has reported the change */
	RIB_PATH_STALE = 1u << 2,
};

struct rib_path {
	struct rib_path *next; /* internal chaining: iterate with rib_path_next() */
	struct attrs *attrs;   /* holds one reference */
	uint16_t peer;	       /* index into the rib_set_peers() array */
	uint16_t flags;	       /* enum rib_path_flag */
	uint32_t gen;	       /* peer generation at the last update (rib_peer_flush) */
};

/* One member of a selection as reported to rib_run()'s callback. */
struct rib_sel {
	struct attrs *attrs; /* NULL: no path (in old_best / new_best) */
	uint16_t peer;
};

/*
 * A change of the selection of one prefix. The arrays are sorted by peer id
 * and include the best path; they are valid only during the callback (the
 * old attrs are released right after it). An entry that gains its first path
 * has no old selection (n_old 0, old_best.attrs NULL), one that loses its
 * last path has no new selection.
 */
struct rib_change {
	struct rib_sel old_best, new_best;
	const struct rib_sel *old_mp, *new_mp;
	uint8_t n_old, n_new;
	bool best_changed;	/* old_best and new_best differ (peer or attrs) */
	bool multipath_changed; /* the sets differ */
};

typedef void (*rib_change_fn)(void *ctx, const struct rib_entry *e, const struct rib_change *chg);
/* Returns 0 to continue the walk, anything else to stop it (rib_walk returns that value). */
typedef int (*rib_walk_fn)(void *ctx, const struct rib_entry *e);

/* Allocator figures, for `show memory` and the bytes-per-prefix budget. */
struct rib_stats {
	size_t prefixes;    /* entries in the table */
	size_t paths;	    /* paths, stale ones included */
	size_t entry_bytes; /* entry slab chunks (entries embed their first path) */
	size_t path_bytes;  /* slab chunks of the second and further paths */
	size_t table_bytes; /* the prefix index */
	size_t other_bytes; /* struct rib, scratch arrays, job queue */
	size_t total_bytes;
};

/*
 * Creates an empty table for family AF_INET or AF_INET6 whose paths reference
 * attributes interned in pool. Starts with no peers (rib_set_peers) and the
 * default decision configuration (decide_conf_init). NULL on a bad family or
 * allocation failure.
 */
struct rib *rib_new(uint8_t family, struct attr_pool *pool);

/* Releases every path's attrs reference back to the pool and frees the table. NULL is a no-op. */
void rib_free(struct rib *rib);

/*
 * Points the table at the daemon's peer array (peer id = index, id 0 =
 * RIB_PEER_LOCAL). The array must outlive the table or the next call; it is
 * read, never written. Changing a peer's fields does not re-run decisions:
 * call rib_redecide() when that matters. Returns -1 on allocation failure.
 */
int rib_set_peers(struct rib *rib, const struct rib_peer_info *peers, unsigned n);

/*
 * Copies the decision configuration (max_paths clamped to 1..64) and, if it
 * differs from the current one, schedules a re-decision of every prefix.
 */
void rib_set_decide(struct rib *rib, const struct decide_conf *c);

/*
 * Sets peer's path for prefix p to attrs a (taking a new reference; the
 * caller keeps its own). Host bits of p are ignored. Returns 2 if the peer
 * had no current path for p (none, or one of a generation awaiting a flush:
 * the caller counts received prefixes with it), 1 if its path was replaced,
 * 0 if nothing changed (the path already had attrs a), -1 on a bad prefix or
 * peer id or allocation failure. The entry is marked dirty unless the path
 * already had attrs a.
 */
int rib_update(struct rib *rib, const struct prefix *p, uint16_t peer, struct attrs *a);

/* Removes peer's path for p. Returns 1 if there was one (entry marked dirty), 0 if not, -1 on a bad prefix. */
int rib_withdraw(struct rib *rib, const struct prefix *p, uint16_t peer);

/*
 * Schedules the removal of every path peer has now; rib_run() does it a
 * slice at a time. Paths the peer sends (rib_update) after this call are not
 * affected, so a session may come back up at once under the same id.
 */
void rib_peer_flush(struct rib *rib, uint16_t peer);

/* Schedules a re-decision of every prefix (e.g. after a peer's igp_cost changed). */
void rib_redecide(struct rib *rib);

/*
 * Does at most budget units of queued work: one unit is one dirty entry
 * decided or one entry visited by a scheduled flush / re-decision sweep.
 * For each entry whose best path or multipath set changed, fn (may be NULL)
 * is called once with the old and new selection; the entry already shows the
 * new flags. Stale paths are then freed, and entries left without paths are
 * removed (the entry pointer is invalid after fn returns in that case).
 * fn must not modify this rib. Returns the units done; 0 means there was
 * nothing to do.
 */
size_t rib_run(struct rib *rib, size_t budget, rib_change_fn fn, void *ctx);

/* True while dirty entries or sweeps are pending. */
bool rib_busy(const struct rib *rib);

/* The entry for exactly p (host bits ignored), or NULL. Valid until the next rib_* call that modifies. */
const struct rib_entry *rib_entry_find(const struct rib *rib, const struct prefix *p);

/*
 * Calls fn for every entry that has at least one non-stale path, in prefix
 * order (address, then shorter length first, as FRR shows them). The table
 * must not be modified during the walk. Returns 0 once done, fn's nonzero
 * value if it stopped the walk, or -1 on allocation failure.
 */
int rib_walk(const struct rib *rib, rib_walk_fn fn, void *ctx);

/* Number of entries and of non-stale paths. */
void rib_count(const struct rib *rib, size_t *prefixes, size_t *paths);

void rib_stats(const struct rib *rib, struct rib_stats *st);

/* Entry accessors. Paths may move in memory on any modifying call: do not keep pointers. */
void rib_entry_prefix(const struct rib_entry *e, struct prefix *out);
/* First non-stale path (unordered), or NULL. */
const struct rib_path *rib_entry_paths(const struct rib_entry *e);
/* Next non-stale path after p, or NULL. */
const struct rib_path *rib_path_next(const struct rib_path *p);
/* The selected best path, or NULL (no path, or it was replaced and rib_run has not run yet). */
const struct rib_path *rib_entry_best(const struct rib_entry *e);
/*
 * Copies up to max pointers to the non-stale multipath members (best
 * included) into out; returns how many there are (may exceed max).
 */
unsigned rib_entry_multipath(const struct rib_entry *e, const struct rib_path **out, unsigned max);
/* The non-stale path of peer, or NULL. */
const struct rib_path *rib_entry_path_of(const struct rib_entry *e, uint16_t peer);

#endif
