/*
 * BGP unnumbered (RFC 8950 over link-local sessions, seed 003): ndra finds
 * the routers on each fabric port; each one found is bound to a spare peer
 * slot of the port's interface neighbor, which connects to [LLA%ifindex]:179
 * at once. While a port has a single router, IPv4 routes through it go via
 * 169.254.0.1 onlink with a PERMANENT neighbor entry for that router's MAC
 * (as FRR does); a shared segment uses IPv6 gateways (via inet6 LLA) since
 * one 169.254.0.1 entry cannot name two routers.
 */
#ifndef ROUTERD_BGP_UNNUMBERED_H
#define ROUTERD_BGP_UNNUMBERED_H

#include <ev.h>
#include <net/if.h>
#include <stdbool.h>

#include "routerd/conf/conf.h"
#include "routerd/kernel/iface.h"

struct bgp;
struct ndra;
struct neigh;

/* A fabric port as unnumbered BGP sees it. */
struct unnum_port {
	char name[IF_NAMESIZE];
	unsigned ifindex;
	unsigned n_routers;   /* bound sessions on the segment */
	bool neigh_installed; /* 169.254.0.1 PERMANENT entry in place */
	uint8_t neigh_mac[6];
};

struct unnumbered {
	struct bgp *bgp;
	struct ndra *ndra;
	struct neigh *neigh;
	struct iface_mon *ifm;
	struct iface_watcher watcher;
	ev_timer reassert; /* puts back neighbor entries deleted behind our back */
	struct unnum_port *ports;
	unsigned n_ports;
};

/* Starts RA/ND on every configured interface and interface neighbor. 0 when there is none. */
int unnumbered_start(struct unnumbered *u, struct bgp *bgp, const struct routerd_conf *conf,
		     struct iface_mon *ifm);
void unnumbered_stop(struct unnumbered *u);

#endif
