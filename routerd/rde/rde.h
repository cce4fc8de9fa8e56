/*
 * The route decision engine glue (OpenBGPD's "RDE" role): takes decoded
 * UPDATEs from sessions into the RIB, runs the decision process in bounded
 * slices from the event loop, and hands every change of a best path or ECMP
 * set to the kernel FIB and to the Adj-RIB-Out update groups, whose packed
 * UPDATEs it writes to the member sessions.
 *
 * The pure parts live in routerd/rib (attr, rib, decide, adjout) and
 * routerd/bgp/update; this folder is where they meet sockets and timers.
 */
#ifndef ROUTERD_RDE_RDE_H
#define ROUTERD_RDE_RDE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "routerd/bgp/wire.h"
#include "routerd/conf/conf.h"
#include "routerd/rib/attr.h"
#include "routerd/rib/decide.h"
#include "routerd/rib/rib.h"

struct bgp;
struct bgp_peer;
struct fib;
struct iface_mon;
struct adjout;
struct update_scratch;

enum rde_af { RDE_V4, RDE_V6, RDE_AF_COUNT };

struct rde_stats {
	uint64_t updates_in;
	uint64_t treat_as_withdraw; /* RFC 7606 outcomes, each logged */
	uint64_t attr_discard;
	uint64_t as_loop;	 /* UPDATEs whose prefixes were refused: our AS in the path */
	uint64_t updates_out;	 /* messages packed by update groups */
	uint64_t fib_unresolved; /* paths whose next hop the kernel cannot reach */
};

struct rde_group; /* an update group and its member sessions (rde_out.c) */
struct adjout_replay;

/* A session's side of the Adj-RIB-Out for one family (kept in struct bgp_peer). */
struct rde_peer_out {
	struct rde_group *group;      /* NULL: the family is not sent on this session */
	struct adjout_replay *replay; /* routes the group had before this member joined */
	uint8_t nh[32];		      /* our next hop as patched into this member's UPDATEs */
	uint8_t nh_len;
	bool eor_due; /* End-of-RIB goes out once the initial table has */
};

struct rde {
	struct bgp *bgp;
	const struct routerd_conf *conf; /* in force: route-maps and RFC 8212 come from it */
	struct ev_loop *loop;
	struct attr_pool *pool;
	struct rib *rib[RDE_AF_COUNT];
	struct decide_conf decide[RDE_AF_COUNT];
	struct rib_peer_info *pinfo; /* [0] = our own originations, [i] = bgp->peers[i - 1] */
	unsigned n_pinfo;
	struct update_scratch *scratch;
	struct fib *fib;       /* NULL: routes are not installed (no kernel access) */
	struct iface_mon *ifm; /* our interfaces: their subnets are never installed from BGP */
	struct adjout *adjout;
	struct rde_group **groups;
	unsigned n_groups;
	ev_idle work;	      /* runs decision slices while anything is queued */
	ev_prepare flush;     /* packs and writes pending UPDATEs once per loop iteration */
	ev_timer guard_timer; /* edge role: recounts the ARS groups' routes (rde_out.c) */
	/* Called for every change of a best path or ECMP set (the edge role watches). */
	void (*watch)(void *ctx, const struct rib_entry *e, const struct rib_change *chg);
	void *watch_ctx;
	struct rde_stats stats;
};

int rde_init(struct rde *rde, struct bgp *bgp, const struct routerd_conf *conf, struct fib *fib);
void rde_free(struct rde *rde);

/* A session reached Established: learn the peer's facts, join its update groups, send the table. */
void rde_peer_up(struct rde *rde, struct bgp_peer *p);
/* The session is gone: withdraw its paths (in slices) and leave its groups. */
void rde_peer_down(struct rde *rde, struct bgp_peer *p);
/*
 * One UPDATE from an Established peer. Returns 0, or -1 when RFC 7606 says
 * the session must be reset (err holds the NOTIFICATION).
 */
int rde_update_in(struct rde *rde, struct bgp_peer *p, const uint8_t *msg, size_t len,
		  struct bgp_notify *err);
/*
 * clear bgp PEER soft in: re-applies inbound policy from the stored Adj-RIB-In
 * (soft-reconfiguration inbound) or asks the peer to send everything again
 * (ROUTE-REFRESH). Returns 0, or -1 with why set when neither is possible.
 */
int rde_soft_in(struct rde *rde, struct bgp_peer *p, const char **why);
/* clear bgp PEER soft out: recomputes what the peer's update groups advertise. */
void rde_soft_out(struct rde *rde, struct bgp_peer *p);
/*
 * The outbound policy was reloaded (rde->conf and the peers' route-maps are
 * the new ones): sessions are regrouped by their new policy and every
 * group recomputes what it advertises, as soft out on every peer.
 */
void rde_policy_reloaded(struct rde *rde);
/* The peer sent ROUTE-REFRESH for afi/safi: send it the Adj-RIB-Out again. */
void rde_refresh_out(struct rde *rde, struct bgp_peer *p, uint16_t afi, uint8_t safi);

/* Our own originations (network, redistribute connected): set or withdraw. */
struct route_map;
/*
 * rm (may be NULL) is the network or redistribute route-map; ifname names the
 * interface of a connected route (for `match interface`), NULL otherwise.
 */
int rde_local_set(struct rde *rde, const struct prefix *p, uint8_t origin,
		  const struct route_map *rm, const char *ifname);
int rde_local_del(struct rde *rde, const struct prefix *p);

struct rib *rde_rib(struct rde *rde, uint8_t family);
/* Re-derives every installed route's kernel next hops (after an unnumbered port changed mode). */
void rde_fib_refresh(struct rde *rde);
struct fib_nh;
/* The kernel next hops the entry's ECMP set maps to (for show ip route). */
unsigned rde_fib_nexthops(struct rde *rde, const struct rib_entry *e, struct fib_nh *out,
			  unsigned max);
/* RFC 8212: nothing of family may come in (in) or go out (!in) on this session. */
bool rde_policy_blocks(const struct rde *rde, const struct bgp_peer *p, uint8_t family, bool in);
struct edge_guard;
/*
 * The edge role's route-count guard of an ARS session (its IPv4 update
 * group): false when the session has no guarded group (not an ARS session,
 * or not Established).
 */
bool rde_out_guard_state(const struct bgp_peer *p, struct edge_guard *g);
/*
 * The edge role's supernets: while routerd has no better route for one, the
 * kernel gets a blackhole route for it (traffic for a vanished site is
 * dropped, not looped back to the gateway). Installs or refreshes them now.
 */
void rde_fib_anchor(struct rde *rde);
/* Prefixes currently advertised to the peer (all families). */
size_t rde_out_count(const struct bgp_peer *p);
/* Prefixes of one family currently advertised to the peer. */
size_t rde_out_count_af(const struct bgp_peer *p, enum rde_af af);
/* What the peer's update group advertises for af, in prefix order (advertised-routes). */
int rde_out_walk(const struct bgp_peer *p, enum rde_af af,
		 int (*fn)(void *ctx, const struct prefix *pfx, struct attrs *a), void *ctx);

#endif
