/*
 * Adj-RIB-Out with update groups.
 *
 * Peers that get the same routes with the same attributes share one group:
 * the group records what it has sent (prefix -> interned export attributes),
 * queues changes, and packs them into UPDATE messages once; the daemon writes
 * the same bytes to every member. Next-hop-self differs per member (each
 * session has its own local address), so a group packs with a placeholder
 * next hop and reports where it sits in each message; the daemon patches it
 * per member before writing (as FRR's update groups do).
 *
 * Pure: no I/O, no globals, no libev. Export attributes (AS prepend, next
 * hop, outbound policy) are computed by the caller and interned before they
 * reach a group.
 */
#ifndef ROUTERD_RIB_ADJOUT_H
#define ROUTERD_RIB_ADJOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/bgp/update.h"
#include "routerd/lib/addr.h"
#include "routerd/rib/attr.h"

/* Everything that makes two peers' outbound UPDATEs byte-identical but for the next hop. */
struct adjout_group_key {
	uint8_t family;		   /* AF_INET / AF_INET6: the routes' family */
	struct update_enc_ctx enc; /* as4, ibgp, ext_nexthop, max_len */
	uint8_t nh_family;	   /* family of the next hop sent (AF_INET6 for RFC 8950) */
	bool nh_ll;		   /* a link-local next hop follows the global one (32 octets) */
	uint64_t policy_id;	   /* outbound policy identity (0 = none) */
};

/* Where the placeholder next hop sits in a packed message (nh_len 0: none to patch). */
struct adjout_msg {
	size_t len;
	size_t nh_off; /* octet offset of the next hop value in the message */
	size_t nh_len; /* 4, 16 or 32 */
	size_t n_prefixes;
	bool withdraw;
};

struct adjout;
struct adjout_group;
struct adjout_replay;

struct adjout *adjout_new(struct attr_pool *pool);
/* Frees every group (releasing their attribute references). */
void adjout_free(struct adjout *ao);

/* The group for key (created empty if new); each get is one member reference. */
struct adjout_group *adjout_group_get(struct adjout *ao, const struct adjout_group_key *key);
/* Drops a member reference; the group and its state go with the last one. */
void adjout_group_put(struct adjout *ao, struct adjout_group *g);
/* One more member reference on g (a member moved in by the caller). */
void adjout_group_hold(struct adjout_group *g);
/*
 * Gives g a new key (its outbound policy was reloaded): later gets with the
 * new key find it. Its state is kept; the caller recomputes it.
 */
void adjout_group_rekey(struct adjout *ao, struct adjout_group *g,
			const struct adjout_group_key *key);
/*
 * A new group under key (same family) whose sent state is a copy of src's,
 * with nothing pending and no member reference yet (adjout_group_hold): for
 * members that leave src when their policy changes, so that recomputing
 * the new group queues exactly the difference they must see. NULL on
 * allocation failure or another family. Two groups may then share a key;
 * gets find one of them, and both stay correct.
 */
struct adjout_group *adjout_group_fork(struct adjout *ao, const struct adjout_group *src,
				       const struct adjout_group_key *key);
const struct adjout_group_key *adjout_group_key(const struct adjout_group *g);
unsigned adjout_group_members(const struct adjout_group *g);

/*
 * Sets what the group advertises for p: a (interned; the group takes its own
 * reference) or NULL to withdraw. A change equal to what was last sent and
 * nothing pending cancels out. Returns 1 when something was queued, 0 when
 * nothing changed, -1 on allocation failure.
 */
int adjout_set(struct adjout_group *g, const struct prefix *p, struct attrs *a);
bool adjout_pending(const struct adjout_group *g);

/*
 * Packs the next UPDATE from the pending changes into buf (withdrawals first,
 * then announcements grouped by attribute set, many prefixes per message) and
 * records them as sent. Returns false when nothing is pending, or when cap
 * is below the group's message size (key.enc.max_len; 0 means 4096).
 */
bool adjout_next(struct adjout_group *g, uint8_t *buf, size_t cap, struct adjout_msg *m);

/*
 * Everything the group has sent, packed again, for a peer that joins the
 * group or asks for a ROUTE-REFRESH. The replay works on a snapshot of the
 * prefixes taken at start and reads each prefix's current state when it
 * packs it, so it stays correct while the group keeps changing.
 */
struct adjout_replay *adjout_replay_start(struct adjout_group *g);
bool adjout_replay_next(struct adjout_replay *r, uint8_t *buf, size_t cap, struct adjout_msg *m);
void adjout_replay_free(struct adjout_replay *r);

/* What the group currently advertises for p (NULL if nothing). */
struct attrs *adjout_lookup(const struct adjout_group *g, const struct prefix *p);
/* Prefixes currently advertised. */
size_t adjout_count(const struct adjout_group *g);
/*
 * The same once the pending changes have gone out: what a limit on the
 * peers' table must count (adjout_count lags behind until the next pack).
 */
size_t adjout_count_target(const struct adjout_group *g);
/* Will p be advertised once the pending changes have gone out? */
bool adjout_will_advertise(const struct adjout_group *g, const struct prefix *p);
/*
 * Sorted walk (address, then the shorter prefix first, as FRR and rib_walk),
 * for advertised-routes; stop when fn returns non-zero (returned), -1 on
 * allocation failure. fn must not change the group.
 */
int adjout_walk(const struct adjout_group *g,
		int (*fn)(void *ctx, const struct prefix *p, struct attrs *a), void *ctx);
size_t adjout_bytes(const struct adjout *ao);

/*
 * Prefixes whose attributes this group's peers cannot take (an IPv6 next
 * hop for IPv4 without RFC 8950, attributes too long for one message):
 * adjout_next withdraws them (or drops them if never sent) and counts them here.
 */
size_t adjout_unencodable(const struct adjout_group *g);

/*
 * Where the next hop value sits in an UPDATE: the NEXT_HOP attribute (4
 * octets, for the IPv4 NLRI field) or the next hop of MP_REACH_NLRI (16 or
 * 32 octets, RFC 4760 §3), whichever comes first. False when the message has
 * neither or its attributes are malformed. Pure, for patching next-hop-self.
 */
bool adjout_find_nexthop(const uint8_t *msg, size_t len, size_t *off, size_t *nh_len);

#endif
