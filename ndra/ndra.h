/*
 * ndra: the router advertisement runtime that lets unnumbered BGP find its
 * neighbors. Per configured interface it sends RAs (router lifetime and
 * Source Link-Layer Address option, prefixes only if configured), answers
 * Router Solicitations at once, sends an RS and a burst of fast RAs when
 * the link comes up, and keeps a table of the routers it hears, keyed by
 * (ifindex, link-local address), with each one's MAC from its SLLA option
 * (never derived from an EUI-64 address). The owner is told when a peer
 * appears, changes MAC or goes away.
 *
 * Runs inside the owner's libev loop: one raw ICMPv6 socket, timers, no
 * threads. Logs one key=value line per event (routerd/lib/log.h).
 *
 * Timers, limits and the RFC 4861 choices are described in docs/ndra.md.
 */
#ifndef NDRA_NDRA_H
#define NDRA_NDRA_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "ndra/ra.h"

#define NDRA_RA_INTERVAL_DEFAULT 10   /* seconds; routerd's datacenter profile uses 5 */
#define NDRA_RA_INTERVAL_MAX	 1800 /* RFC 4861 §6.2.1 MaxRtrAdvInterval upper bound */
#define NDRA_LIFETIME_MAX	 9000 /* RFC 4861 §6.2.1 AdvDefaultLifetime upper bound */
#define NDRA_MAX_PEERS_PER_IF	 32   /* routers kept per interface; more are dropped */

struct ndra;

struct ndra_if_conf {
	/* Seconds between periodic RAs, 1..1800; 0 = NDRA_RA_INTERVAL_DEFAULT. */
	unsigned int ra_interval;
	/*
	 * Router lifetime advertised, seconds: how long peers keep us
	 * without hearing another RA. 0 = 3 x ra_interval (RFC 4861's
	 * default ratio, at least 3 s). Otherwise ra_interval..9000.
	 */
	unsigned int router_lifetime;
	/* Prefix Information options to advertise; none by default. */
	uint8_t n_prefixes;
	struct ra_prefix prefixes[RA_MAX_PREFIXES];
};

/* A router heard on one of our interfaces. */
struct ndra_peer {
	unsigned int ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t lla[16];	  /* its IPv6 link-local address (the RA's source) */
	uint8_t mac[6];		  /* from its Source Link-Layer Address option */
	uint16_t router_lifetime; /* seconds, from its last RA */
	double expires_in;	  /* seconds until the entry expires */
};

/* Why a callback fired. */
enum ndra_reason {
	NDRA_REASON_RA,		   /* up/changed: an RA said so */
	NDRA_REASON_EXPIRED,	   /* down: router lifetime ran out without a new RA */
	NDRA_REASON_LIFETIME_ZERO, /* down: the peer sent router lifetime 0 (it is leaving) */
	NDRA_REASON_LINK_DOWN,	   /* down: our link went down */
	NDRA_REASON_IF_REMOVED,	   /* down: ndra_if_del(), or the interface disappeared */
	NDRA_REASON__COUNT
};

/*
 * Callbacks; any may be NULL. The peer pointer is valid during the call
 * only. Callbacks may call ndra_each_peer() and ndra_stats(), but must not
 * call ndra_if_add(), ndra_if_del() or ndra_free().
 */
struct ndra_callbacks {
	void (*peer_up)(void *ctx, const struct ndra_peer *p, enum ndra_reason why);
	/* Same router (ifindex, LLA), new MAC; old_mac is the one it replaces. */
	void (*peer_changed)(void *ctx, const struct ndra_peer *p, const uint8_t *old_mac,
			     enum ndra_reason why);
	void (*peer_down)(void *ctx, const struct ndra_peer *p, enum ndra_reason why);
};

/* Drops ndra adds to ra.h's decoder reasons. */
enum ndra_drop {
	NDRA_DROP_NO_SLLA,    /* valid RA without SLLA: we cannot learn the MAC */
	NDRA_DROP_TABLE_FULL, /* a new router beyond NDRA_MAX_PEERS_PER_IF */
	NDRA_DROP__COUNT
};

struct ndra_if_stats {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex; /* 0 while the interface does not exist */
	bool up;	      /* link usable (administratively up and carrier) */
	unsigned int n_peers;
	uint64_t tx_ra, tx_rs, tx_errors;
	uint64_t rx_ra, rx_rs; /* used: RAs with an SLLA, RSs; both valid */
	/* by_reason[RA_OK] counts RAs and RSs the decoder accepted. */
	struct ra_drop_counters drops;
	uint64_t ndra_drops[NDRA_DROP__COUNT];
};

/*
 * Opens the raw ICMPv6 socket and starts its watcher on loop. Returns
 * NULL with errno set on failure (EPERM without CAP_NET_RAW).
 */
struct ndra *ndra_new(struct ev_loop *loop, const struct ndra_callbacks *cb, void *ctx);

/*
 * Sends a final RA with router lifetime 0 on every interface that is up
 * (RFC 4861 §6.2.5), so peers drop us at once, then frees everything.
 * No callback is called.
 */
void ndra_free(struct ndra *nd);

/*
 * Starts advertising on ifname. The interface need not exist yet: ndra
 * binds to it when it appears (on ndra_link_event() or its own polling).
 * conf may be NULL for defaults. Returns 0, or -1 with errno EINVAL (bad
 * name or conf), EEXIST (already added) or ENOMEM.
 */
int ndra_if_add(struct ndra *nd, const char *ifname, const struct ndra_if_conf *conf);

/*
 * Stops advertising on ifname: a final RA with lifetime 0 if the link is
 * up, then peer_down(NDRA_REASON_IF_REMOVED) for each of its peers.
 * Returns 0, or -1 with errno ENOENT.
 */
int ndra_if_del(struct ndra *nd, const char *ifname);

/*
 * The owner's interface monitor reports that ifindex changed (up = admin
 * up with carrier). ndra re-reads the interface (index, flags, MAC): on
 * down it drops the interface's peers at once; on up it sends an RS and
 * a burst of fast RAs; on a MAC change it advertises the new MAC at once.
 * Unknown ifindexes are ignored. Without these calls ndra still notices
 * changes by itself, only later (send errors, a 1 s poll while down, a
 * check before each RA).
 */
void ndra_link_event(struct ndra *nd, unsigned int ifindex, bool up);

/* Calls fn for each known peer, in no particular order. */
void ndra_each_peer(const struct ndra *nd, void (*fn)(void *arg, const struct ndra_peer *p),
		    void *arg);

/* Counters of ifname into *out; -1 with errno ENOENT if it is not configured. */
int ndra_stats(const struct ndra *nd, const char *ifname, struct ndra_if_stats *out);

/* Calls fn with the counters of each configured interface, in the order added. */
void ndra_each_stats(const struct ndra *nd, void (*fn)(void *arg, const struct ndra_if_stats *s),
		     void *arg);

const char *ndra_reason_name(enum ndra_reason r); /* "ra", "expired", ... */
const char *ndra_drop_name(enum ndra_drop d);	  /* "no-slla", "table-full" */

#endif
