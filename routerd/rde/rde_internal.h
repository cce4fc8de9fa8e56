/* Shared between the files of routerd/rde only. */
#ifndef ROUTERD_RDE_RDE_INTERNAL_H
#define ROUTERD_RDE_RDE_INTERNAL_H

#include "routerd/rde/rde.h"

void rde_fib_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg);

void rde_out_peer_up(struct rde *rde, struct bgp_peer *p);
void rde_out_peer_down(struct rde *rde, struct bgp_peer *p);
void rde_out_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg);
void rde_out_refresh(struct rde *rde, struct bgp_peer *p, enum rde_af af);
void rde_out_flush(struct rde *rde);

#endif
