/* Shared between the files of routerd/rde only. */
#ifndef ROUTERD_RDE_RDE_INTERNAL_H
#define ROUTERD_RDE_RDE_INTERNAL_H

#include "routerd/rde/rde.h"

void rde_fib_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg);

void rde_out_peer_up(struct rde *rde, struct bgp_peer *p);
void rde_out_peer_down(struct rde *rde, struct bgp_peer *p);
void rde_out_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg);
void rde_out_refresh(struct rde *rde, struct bgp_peer *p, enum rde_af af);
void rde_out_refill(struct rde *rde, struct bgp_peer *p);
/*
 * After a policy reload: each group's members are regrouped by the key
 * their policy now gives (split off without a session reset) and every
 * group is recomputed.
 */
void rde_out_reconf(struct rde *rde);
void rde_out_flush(struct rde *rde);
/* Recounts what each guarded group's policy would send and sets its guard mode. */
void rde_out_guard_recount(struct rde *rde);

/* The peer id of the routes in a soft-reconfiguration Adj-RIB-In (one peer per table). */
#define RDE_ADJIN_PEER 1

/* Keeps the peer's received-prefix counts, total and per family. */
void rde_count_received(struct bgp_peer *p, enum rde_af af, int delta);
void rde_in_route(struct rde *rde, struct bgp_peer *p, const struct prefix *pfx, struct attrs *a);
/* Lets the Adj-RIB-In tables forget replaced paths (they have no decision to report to). */
void rde_adjin_settle(struct bgp_peer *p);

struct route_map;
struct policy_route;
enum conf_af_index rde_conf_af(uint8_t family);
struct attrs *rde_policy_apply(struct rde *rde, const struct route_map *rm,
			       const struct policy_route *r, struct attrs *a);
struct attrs *rde_policy_in(struct rde *rde, const struct bgp_peer *p, const struct prefix *pfx,
			    struct attrs *a);

#endif
