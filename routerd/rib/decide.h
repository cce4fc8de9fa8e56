/*
 * The BGP decision process (RFC 4271 §9.1.2, with the usual extensions) as a
 * pairwise comparison of two paths for the same prefix, plus the multipath
 * (ECMP) equality test.
 *
 * Pure: no I/O, no globals, no allocation. Attributes are interned, but
 * this module only reads fields, so tests may build struct attrs by hand.
 *
 * The steps, in order (each one a function in a table, named for
 * `show bgp ... bestpath reason` with FRR's wording):
 *   Weight, Local Pref, Local Route, AS Path, Origin, MED, Peer Type (eBGP
 *   over iBGP), IGP Metric, [multipath boundary], Router ID, Neighbor IP,
 *   Peer ID (last resort, only for total order).
 * The "oldest eBGP path" rule is deliberately not used: the result must not
 * depend on arrival order.
 *
 * MED is compared only between paths from the same neighboring AS, so the
 * relation is not transitive; the RIB makes the outcome deterministic by
 * scanning candidates in peer-id order.
 */
#ifndef ROUTERD_RIB_DECIDE_H
#define ROUTERD_RIB_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "routerd/rib/rib.h"

#define DECIDE_DEFAULT_LOCAL_PREF 100

struct decide_conf {
	bool multipath_relax;	 /* bgp bestpath as-path multipath-relax */
	bool always_compare_med; /* bgp always-compare-med */
	bool as_path_ignore;	 /* bgp bestpath as-path ignore */
	uint8_t max_paths;	 /* 1..RIB_MAX_MULTIPATH; 1 = no multipath */
};

/* The deciding step of a comparison, in evaluation order. */
enum decide_step {
	DECIDE_WEIGHT,
	DECIDE_LOCAL_PREF,
	DECIDE_LOCAL_ROUTE,
	DECIDE_AS_PATH,
	DECIDE_ORIGIN,
	DECIDE_MED,
	DECIDE_PEER_TYPE,
	DECIDE_IGP_COST, /* last step that multipath paths must tie on */
	DECIDE_ROUTER_ID,
	DECIDE_PEER_ADDR,
	DECIDE_PEER_ID,
	DECIDE_EQUAL, /* no step decided: a and b are the same path */
};

/* Defaults: everything off, max_paths 1. */
void decide_conf_init(struct decide_conf *c);

/*
 * Compares a and b (non-NULL attrs; peer ids index peers). Returns <0 if a
 * is better, >0 if b is better, 0 only if they are the same path.
 */
int decide_cmp(const struct rib_path *a, const struct rib_path *b,
	       const struct rib_peer_info *peers, const struct decide_conf *c);

/* As decide_cmp, and stores the deciding step in *step (if step is not NULL). */
int decide_cmp_step(const struct rib_path *a, const struct rib_path *b,
		    const struct rib_peer_info *peers, const struct decide_conf *c,
		    enum decide_step *step);

/* FRR's name of a step ("Weight", "Router ID"...), for bestpath reasons. */
const char *decide_step_name(enum decide_step step);

/*
 * True if b may share the multipath set of a: tied on every step through
 * IGP Metric, neither locally originated, and
 * - without multipath_relax: eBGP paths from the same neighbor AS
 *   (aspath->neighbor_as), iBGP paths with the identical AS path (as FRR);
 * - with multipath_relax: any AS, same AS path length.
 * eBGP and iBGP paths are never mixed (the Peer Type step separates them).
 * The max_paths cap is applied by the caller.
 */
bool decide_multipath_eq(const struct rib_path *a, const struct rib_path *b,
			 const struct rib_peer_info *peers, const struct decide_conf *c);

/*
 * Selects among n candidate paths of one prefix: mp[0] is the best (linear
 * scan with decide_cmp, in the given order: pass candidates in peer-id order
 * so the result does not depend on arrival order, MED being non-transitive),
 * followed by up to max_paths - 1 paths with decide_multipath_eq(best, p),
 * in decision order. mp needs room for c->max_paths (at least 1) pointers.
 * Returns the number of paths written (0 iff n is 0).
 */
unsigned decide_select(struct rib_path *const *cand, unsigned n, const struct rib_peer_info *peers,
		       const struct decide_conf *c, struct rib_path **mp);

#endif
