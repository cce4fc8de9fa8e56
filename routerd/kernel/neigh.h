/*
 * Permanent neighbor entries, for the RFC 5549 install: an IPv4 route via
 * `169.254.0.1 dev X onlink` needs `169.254.0.1 lladdr <peer MAC> PERMANENT`
 * on X. Entries are tagged with protocol bgp (NDA_PROTOCOL) where the kernel
 * supports it, so that a later run can sweep what an earlier one left.
 * Synchronous rtnetlink requests: a handful per peer event. No libnl type
 * appears here.
 */
#ifndef ROUTERD_KERNEL_NEIGH_H
#define ROUTERD_KERNEL_NEIGH_H

#include <stdint.h>

#include "routerd/lib/addr.h"

struct neigh;

/* NULL if the rtnetlink socket cannot be opened (logged). */
struct neigh *neigh_new(void);
void neigh_free(struct neigh *n);

/* Creates or replaces ip -> mac on ifindex as PERMANENT. 0 or -errno (logged). */
int neigh_set_permanent(struct neigh *n, int ifindex, const struct ipaddr *ip,
			const uint8_t mac[6]);
/* 0 also when there was no such entry; -errno otherwise (logged). */
int neigh_del(struct neigh *n, int ifindex, const struct ipaddr *ip);
/* Deletes every entry tagged with our protocol (left by an earlier run); count or -1. */
int neigh_sweep(struct neigh *n);

#endif
