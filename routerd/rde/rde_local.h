/*
 * Our own originations: `network` prefixes (with the import check: only
 * while the kernel has a route for exactly that prefix) and `redistribute
 * connected` (the subnets of usable interfaces' addresses, loopback /32s
 * included), fed into the RIB as the local peer's paths.
 */
#ifndef ROUTERD_RDE_RDE_LOCAL_H
#define ROUTERD_RDE_RDE_LOCAL_H

#include <ev.h>
#include <stdbool.h>

#include "routerd/conf/conf.h"
#include "routerd/kernel/iface.h"

struct rde;
struct kroute;

/* Why one prefix is originated: both sources may name the same prefix. */
struct local_src {
	struct prefix pfx;
	bool network;		  /* configured and its kernel route exists (or no import check) */
	unsigned connected;	  /* interface addresses giving this subnet */
	char ifname[IF_NAMESIZE]; /* the interface of the latest such address (match interface) */
};

struct rde_local {
	struct rde *rde;
	const struct routerd_conf *conf;
	struct iface_mon *ifm;
	struct iface_watcher watcher;
	struct kroute *kq;
	ev_timer recheck; /* re-runs the network import check */
	struct local_src *src;
	unsigned n_src;
};

int rde_local_start(struct rde_local *l, struct rde *rde, const struct routerd_conf *conf,
		    struct iface_mon *ifm);
void rde_local_stop(struct rde_local *l);
/* A reloaded configuration (policy changes only): originate again through its route-maps. */
void rde_local_reconf(struct rde_local *l, const struct routerd_conf *conf);

#endif
