/*
 * ndra's table of routers heard on each interface: one entry per
 * (ifindex, link-local address), holding the MAC from the RA's Source
 * Link-Layer Address option and the absolute time the entry expires
 * (arrival + router lifetime, RFC 4861 §6.3.4).
 *
 * Several routers may share one segment (a bridge, a hub, a lab), so the
 * key includes the LLA and each of them gets its own entry.
 *
 * Pure: no I/O, no clock, no logging. Time is whatever clock the caller
 * passes as `now` (ndra passes ev_now()). Entries live in one array that
 * is scanned linearly: a fabric port has one neighbor, a shared segment a
 * few, and a per-interface cap bounds what a misbehaving segment can add.
 *
 * Removal happens one entry at a time (pt_pop_*) so the caller can run
 * callbacks between removals that themselves change the table.
 */
#ifndef NDRA_PEER_TABLE_H
#define NDRA_PEER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_MAC_LEN 6

struct pt_entry {
	unsigned int ifindex;
	uint8_t lla[16];
	uint8_t mac[PT_MAC_LEN];
	uint16_t lifetime; /* router lifetime of the last RA, seconds */
	double expires;	   /* absolute, in the caller's clock */
};

struct peer_table {
	struct pt_entry *v;
	size_t n, cap;
	unsigned int max_per_if; /* 0 = no limit */
};

/* What pt_update() did with an RA. */
enum pt_result {
	PT_NEW,		/* a router not known before: entry added */
	PT_REFRESHED,	/* known router, same MAC: expiry moved */
	PT_MAC_CHANGED, /* known router, new MAC: MAC and expiry updated */
	PT_REMOVED,	/* known router said lifetime 0: entry removed */
	PT_IGNORED,	/* unknown router said lifetime 0: nothing to do */
	PT_FULL,	/* unknown router, interface at max_per_if: not added */
	PT_NOMEM,	/* unknown router, allocation failed: not added */
};

void pt_init(struct peer_table *t, unsigned int max_per_if);
void pt_free(struct peer_table *t);

/*
 * Applies one RA from (ifindex, lla) carrying mac and lifetime, received
 * at now. *out (may be NULL) receives the entry as it is now, or for
 * PT_REMOVED as it was; for PT_MAC_CHANGED, old_mac (may be NULL)
 * receives the MAC it replaced.
 */
enum pt_result pt_update(struct peer_table *t, unsigned int ifindex, const uint8_t *lla,
			 const uint8_t *mac, uint16_t lifetime, double now, struct pt_entry *out,
			 uint8_t *old_mac);

/* Removes one entry whose expiry is <= now into *out; false if there is none. */
bool pt_pop_expired(struct peer_table *t, double now, struct pt_entry *out);

/* Removes one entry of ifindex into *out; false if there is none. */
bool pt_pop_if(struct peer_table *t, unsigned int ifindex, struct pt_entry *out);

/* Earliest expiry in the table; false (and *when untouched) if it is empty. */
bool pt_next_expiry(const struct peer_table *t, double *when);

/* Entries of ifindex. */
size_t pt_count_if(const struct peer_table *t, unsigned int ifindex);

const struct pt_entry *pt_find(const struct peer_table *t, unsigned int ifindex,
			       const uint8_t *lla);

#endif
