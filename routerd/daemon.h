/* The daemon's top-level state: one instance, owned by main.c. */
#ifndef ROUTERD_DAEMON_H
#define ROUTERD_DAEMON_H

#include <ev.h>

#include "routerd/bgp/peer.h"
#include "routerd/conf/conf.h"
#include "routerd/ctl/ctl.h"

struct routerd {
	struct ev_loop *loop;
	struct routerd_conf *conf;
	struct bgp bgp;
	struct ctl_server ctl;
	time_t started_at; /* monotonic seconds */
};

#endif
