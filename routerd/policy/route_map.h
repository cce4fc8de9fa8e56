/*
 * Route-maps with FRR semantics (doc/user/routemap.rst):
 * - entries run in seq order; an entry matches when all its match clauses
 *   do (an entry without match clauses matches everything);
 * - permit + match: apply the set clauses, then exit permitting the route,
 *   unless the entry says on-match next (go on with the following entry) or
 *   on-match goto N (go on at the first entry with seq >= N; only forward);
 *   `continue` and `continue N` are FRR's aliases of those two;
 * - deny + match: the route is denied at once; an exit policy on a deny
 *   entry is a config error, as in FRR;
 * - no match: go on with the next entry;
 * - falling off the end: FRR returns the verdict of the last entry it
 *   evaluated, i.e. deny when that entry did not match (a route-map ends in
 *   an implicit deny), permit when a matching permit entry with on-match
 *   next/goto had nothing left to go to.
 * Later entries see the route as earlier set clauses left it (FRR applies
 * sets to the route in flight).
 *
 * Match clauses reference lists by name; policy_set_build() (policy_set.h)
 * resolves the names, and an unknown name is a config error naming it.
 * Pure: no I/O, no globals; the attribute pool is passed in.
 */
#ifndef ROUTERD_POLICY_ROUTE_MAP_H
#define ROUTERD_POLICY_ROUTE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/lib/addr.h"
#include "routerd/policy/policy.h"
#include "routerd/rib/attr.h"

struct route_map;
struct rm_entry;

enum policy_proto {
	POLICY_PROTO_BGP,
	POLICY_PROTO_CONNECTED,
	POLICY_PROTO_STATIC,
};

/* What a route-map looks at; nothing here is modified. */
struct policy_route {
	const struct prefix *prefix;
	const struct attrs *attrs; /* interned input */
	/*
	 * The address `set next-hop peer-address` uses: FRR takes the
	 * neighbor's address in an inbound map and our own session address in
	 * an outbound one, so the caller passes whichever applies. NULL: none.
	 */
	const struct ipaddr *peer_address;
	uint32_t peer_as;	 /* `prepend last-as` on an empty path uses it; 0 = unknown */
	enum policy_proto proto; /* `match source-protocol` */
	const char *ifname;	 /* connected routes: the interface; NULL otherwise */
};

/*
 * What a permitting route-map hands back. When modified is false the input
 * attrs stand as they are and nothing needs releasing. When true, attrs is a
 * template (see attr.h) holding one reference on each interned object it
 * points to: intern it with attrs_intern(), then policy_result_release().
 */
struct policy_result {
	bool modified;
	bool nexthop_unchanged; /* `set next-hop unchanged`: keep the next hop when advertising */
	bool enomem;		/* a set clause could not allocate: the route was denied */
	struct attrs attrs;
};

void policy_result_release(struct attr_pool *pool, struct policy_result *res);

/* ---- building ---- */

struct route_map *route_map_new(const char *name);
void route_map_free(struct route_map *rm);
const char *route_map_name(const struct route_map *rm);
size_t route_map_count(const struct route_map *rm);

/* seq 1-65535, unique; entries may come in any order. */
struct rm_entry *route_map_add_entry(struct route_map *rm, uint32_t seq, enum policy_action action,
				     struct policy_err *err);

/* Exit policies (permit entries only). goto: seq > the entry's own. */
int rm_on_match_next(struct rm_entry *e, struct policy_err *err);
int rm_on_match_goto(struct rm_entry *e, uint32_t seq, struct policy_err *err);

/* Match clauses: each kind at most once per entry. List names resolve at build time. */
int rm_match_prefix_list(struct rm_entry *e, const char *list, struct policy_err *err);
int rm_match_nexthop_prefix_list(struct rm_entry *e, const char *list, struct policy_err *err);
int rm_match_as_path(struct rm_entry *e, const char *list, struct policy_err *err);
int rm_match_community(struct rm_entry *e, const char *list, bool exact, struct policy_err *err);
int rm_match_large_community(struct rm_entry *e, const char *list, bool exact,
			     struct policy_err *err);
int rm_match_interface(struct rm_entry *e, const char *ifname, struct policy_err *err);
int rm_match_source_protocol(struct rm_entry *e, enum policy_proto proto, struct policy_err *err);
int rm_match_local_pref(struct rm_entry *e, uint32_t value, struct policy_err *err);
int rm_match_metric(struct rm_entry *e, uint32_t value, struct policy_err *err);

/* Set clauses: each kind at most once per entry. */
enum rm_adjust {
	RM_SET_VALUE, /* N */
	RM_ADD,	      /* +N, saturating */
	RM_SUB,	      /* -N, floored at 0 */
};

int rm_set_local_pref(struct rm_entry *e, enum rm_adjust how, uint32_t value,
		      struct policy_err *err);
int rm_set_metric(struct rm_entry *e, enum rm_adjust how, uint32_t value, struct policy_err *err);
int rm_set_weight(struct rm_entry *e, uint32_t value, struct policy_err *err);
int rm_set_origin(struct rm_entry *e, uint8_t origin, struct policy_err *err);
int rm_set_as_path_prepend(struct rm_entry *e, const uint32_t *asns, size_t n,
			   struct policy_err *err);
/* FRR `prepend last-as N` (1-10): the leftmost ASN, N times. */
int rm_set_as_path_prepend_last_as(struct rm_entry *e, unsigned count, struct policy_err *err);
/* n == 0: every ASN (FRR `exclude all`). */
int rm_set_as_path_exclude(struct rm_entry *e, const uint32_t *asns, size_t n,
			   struct policy_err *err);
/* Replace, or add to what the route has (additive). */
int rm_set_community(struct rm_entry *e, const uint32_t *v, size_t n, bool additive,
		     struct policy_err *err);
int rm_set_community_none(struct rm_entry *e, struct policy_err *err);
/* FRR `set comm-list NAME delete`. */
int rm_set_community_delete(struct rm_entry *e, const char *list, struct policy_err *err);
int rm_set_large_community(struct rm_entry *e, const struct lcommunity *v, size_t n, bool additive,
			   struct policy_err *err);
int rm_set_large_community_none(struct rm_entry *e, struct policy_err *err);
int rm_set_large_community_delete(struct rm_entry *e, const char *list, struct policy_err *err);
int rm_set_nexthop(struct rm_entry *e, const struct ipaddr *addr, struct policy_err *err);
int rm_set_nexthop_peer_address(struct rm_entry *e, struct policy_err *err);
int rm_set_nexthop_unchanged(struct rm_entry *e, struct policy_err *err);

/* ---- evaluating (after policy_set_build) ---- */

/*
 * POLICY_PERMIT fills res (see struct policy_result); POLICY_DENY leaves
 * nothing to release (res->enomem tells an allocation failure apart).
 */
enum policy_action route_map_apply(const struct route_map *rm, struct attr_pool *pool,
				   const struct policy_route *r, struct policy_result *res);

#endif
