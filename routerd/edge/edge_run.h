/*
 * The edge role at run time: the I/O side of routerd/edge/edge.h.
 *
 * Watches the routes ARS sends (through the RDE's change hook), decides
 * with the pure core whether each supernet is advertised (conditional
 * advertisement) and originates or withdraws it, keeps the supernets'
 * blackhole anchors in the kernel, and checks (optionally fixes) the
 * sysctls an NVA needs. The route-count guard itself lives in the RDE's
 * output path (rde_out.c), where every route to ARS passes.
 */
#ifndef ROUTERD_EDGE_EDGE_RUN_H
#define ROUTERD_EDGE_EDGE_RUN_H

#include <ev.h>
#include <net/if.h>
#include <stdbool.h>

#include "routerd/edge/edge.h"

struct routerd;

struct edge_run {
	struct routerd *rd;
	ev_timer eval;			   /* coalesces re-evaluations; also periodic */
	struct edge_supernet_state *state; /* per supernet of rd->conf->edge, last decision */
	bool *advertised;		   /* per supernet: originated right now */
	unsigned n;
	char warned[EDGE_TEXT_LEN]; /* the last warning logged, not to repeat it */
	char ifname[IF_NAMESIZE];   /* the interface toward ARS ("" until resolved) */
	struct edge_sysctl_check sysctl[EDGE_SYSCTL_COUNT];
	unsigned n_sysctl;
	bool sysctl_warned[EDGE_SYSCTL_COUNT]; /* by id: its failure is logged once per episode */
};

/* Does nothing (returns 0) without an edge block. -1 on allocation failure. */
int edge_run_start(struct edge_run *er, struct routerd *rd);
void edge_run_stop(struct edge_run *er);
/* A reloaded configuration (policy only: the supernets are the same): decide again. */
void edge_run_reconf(struct edge_run *er);

/* The routes learned from the ARS sessions, for the pure core's decisions. */
void edge_run_routes(struct edge_run *er, struct edge_routes *rs);
/*
 * The UDRs' next hop: the configured VIP, else our address on an
 * Established ARS session. false when there is neither.
 */
bool edge_run_nva_addr(const struct edge_run *er, struct ipaddr *out);

#endif
