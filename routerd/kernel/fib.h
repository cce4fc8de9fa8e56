/*
 * The daemon's narrow interface to the kernel FIB: nexthop objects, nexthop
 * groups and routes that point at them. The only kernel header the RIB
 * includes; no libnl type appears here (the netlink code behind it is in
 * fib.c and nl.c, as BIRD keeps its netlink.c behind the krt hooks).
 *
 * Everything is written asynchronously: calls queue netlink messages, which
 * leave in batches (many per sendmsg) when a batch is full or at the end of
 * the loop iteration; the kernel's answers are read from the loop and a
 * failure is logged (event=fib-error) and counted against the route or
 * nexthop it concerns. fib_sweep, fib_resolve and fib_shutdown are the
 * synchronous exceptions (start, rare lookups, exit).
 */
#ifndef ROUTERD_KERNEL_FIB_H
#define ROUTERD_KERNEL_FIB_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "routerd/lib/addr.h"

#define FIB_PROTO_BGP  186 /* RTPROT_BGP: `proto bgp` in iproute2 */
#define FIB_METRIC_BGP 20
#define FIB_TABLE_MAIN 254
#define FIB_NH_ID_BASE 0x52000000u /* our nexthop ids: [base, base + FIB_NH_ID_SPAN) */
#define FIB_NH_ID_SPAN 0x10000000u
#define FIB_GROUP_MAX  64 /* the kernel's limit of members per group is higher; BGP's is 64 */

struct fib_conf {
	uint32_t table;		  /* 0: main */
	uint32_t metric;	  /* 0: FIB_METRIC_BGP */
	uint8_t protocol;	  /* 0: FIB_PROTO_BGP */
	bool keep_routes_on_exit; /* fib_shutdown leaves routes and nexthops in place */
	uint32_t nh_id_base;	  /* 0: FIB_NH_ID_BASE */
};

/*
 * One kernel nexthop object. gw may be IPv6 (link-local too) for an IPv4
 * route: the kernel then shows `via inet6 fe80::..`. onlink is for
 * `via 169.254.0.1 dev X onlink` (RFC 5549 install). A blackhole has no gw
 * nor ifindex; family says which routes may use it (AF_INET or AF_INET6).
 * Otherwise family is gw's and ifindex is required: the kernel wants an oif
 * on every gateway nexthop object (fib_resolve finds it for numbered ones).
 */
struct fib_nh {
	uint8_t family;
	struct ipaddr gw;
	int ifindex;
	bool onlink;
	bool blackhole;
};

struct fib_stats {
	uint64_t installed; /* routes the kernel has from us */
	uint64_t pending;   /* messages queued or sent and not answered yet */
	uint64_t failed;    /* route writes the kernel refused (each logged) */
	uint64_t nexthops;  /* nexthop objects we own */
	uint64_t groups;    /* nexthop groups we own */
	uint64_t nh_failed; /* nexthop or group writes the kernel refused */
	uint64_t swept;	    /* routes and objects fib_sweep removed */
};

struct fib;

/* NULL if the netlink sockets cannot be opened (logged). */
struct fib *fib_new(struct ev_loop *loop, const struct fib_conf *c);
/* Frees memory and closes sockets; leaves the kernel alone (see fib_shutdown). */
void fib_free(struct fib *fib);

/*
 * Removes what an earlier run left: routes of our protocol in our table,
 * then nexthop groups, then nexthops of our protocol. Synchronous; call it
 * once before anything is installed. Returns the number removed or -1.
 */
int fib_sweep(struct fib *fib);
/*
 * Exit: unless keep_routes_on_exit, removes our groups and nexthops (the
 * kernel drops every route using them with them) and waits for the kernel's
 * answers. Synchronous.
 */
void fib_shutdown(struct fib *fib);

/* Refcounted: the same nexthop gives the same id. 0 on invalid input. */
uint32_t fib_nh_get(struct fib *fib, const struct fib_nh *nh);
void fib_nh_put(struct fib *fib, uint32_t id);
/*
 * A group of nexthop ids (order and duplicates do not matter), refcounted
 * like fib_nh_get; it holds a reference on each member. One distinct member
 * gives that member's id (with a reference taken). 0 on invalid input.
 */
uint32_t fib_group_get(struct fib *fib, const uint32_t *ids, unsigned n);
/* Also accepts a single nexthop's id (what fib_group_get gave for one member). */
void fib_group_put(struct fib *fib, uint32_t id);

/*
 * Routes: p through a nexthop or group id of ours (from the calls above).
 * A route holds its own reference on the id it uses: set takes one on the
 * new id and drops the one on the route's previous id, del drops it. So the
 * usual sequence is get, set, put; an object no route (and no caller) holds
 * any more is deleted after the route writes that stopped using it.
 * Setting an unchanged route is free (a failed one is written again).
 * 0 queued, -1 invalid (logged).
 */
int fib_route_set(struct fib *fib, const struct prefix *p, uint32_t nh_or_group_id);
int fib_route_del(struct fib *fib, const struct prefix *p);

/* What became of a route we asked for: `show ip route` prints *, q or r from it. */
enum fib_route_state {
	FIB_ROUTE_NONE,	     /* not asked for */
	FIB_ROUTE_QUEUED,    /* written or waiting to be, not confirmed yet */
	FIB_ROUTE_INSTALLED, /* the kernel has it */
	FIB_ROUTE_FAILED,    /* the kernel refused it (logged) */
};

enum fib_route_state fib_route_state(struct fib *fib, const struct prefix *p);

/* Sends what is queued now instead of at the end of the loop iteration. */
void fib_flush(struct fib *fib);
/* Sends everything and waits for every answer (tests, exit). */
void fib_drain(struct fib *fib);

struct fib_stats fib_stats(const struct fib *fib);

/*
 * Numbered next hop gw -> a nexthop to create: the kernel's route to gw,
 * ignoring routes of our own protocol. Directly connected: gw itself and
 * the route's device; otherwise the resolving route's gateway and device
 * (its first path when it has several). 0, or -1 if gw is unreachable.
 * Synchronous (one RTM_GETROUTE; a table dump in the rare case where our
 * own route covers gw), and cached for FIB_RESOLVE_TTL seconds.
 */
#define FIB_RESOLVE_TTL 10.0
int fib_resolve(struct fib *fib, const struct ipaddr *gw, struct fib_nh *out);
/* Forgets cached resolutions (call on interface or address changes). */
void fib_resolve_flush(struct fib *fib);

#endif
