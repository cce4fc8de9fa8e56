/* The daemon's top-level state: one instance, owned by main.c. */
#ifndef ROUTERD_DAEMON_H
#define ROUTERD_DAEMON_H

#include <ev.h>

#include "routerd/bgp/peer.h"
#include "routerd/bgp/unnumbered.h"
#include "routerd/conf/conf.h"
#include "routerd/ctl/ctl.h"
#include "routerd/edge/edge_run.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_local.h"

struct routerd {
	struct ev_loop *loop;
	struct routerd_conf *conf;
	struct bgp bgp;
	struct rde rde;
	struct fib *fib;	 /* NULL when the kernel FIB could not be opened */
	struct iface_mon *ifm;	 /* interfaces and addresses, from rtnetlink */
	struct rde_local local;	 /* network and redistribute connected */
	struct unnumbered unnum; /* ndra-discovered routers on fabric ports */
	struct edge_run edge;	 /* edge/azure-route-server at run time (idle without it) */
	struct ctl_server ctl;
	time_t started_at; /* monotonic seconds */
};

#endif
