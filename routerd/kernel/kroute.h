/*
 * Questions about the kernel's own routing table that originations ask
 * (`network` import check): is there a route for exactly this prefix that
 * is not one of ours? Synchronous: one RTM_GETROUTE fibmatch lookup, and
 * for blackhole/unreachable/prohibit routes (which the kernel's lookup
 * reports as errors) a dump of those, read once per round.
 */
#ifndef ROUTERD_KERNEL_KROUTE_H
#define ROUTERD_KERNEL_KROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "routerd/lib/addr.h"

struct kroute;

struct kroute *kroute_open(void);
void kroute_close(struct kroute *k);
/*
 * True when the kernel's lookup of p's address matches a route of exactly
 * p's length whose protocol is not ignore_proto (ours): a connected,
 * static, kernel or local (address) route, or a blackhole, unreachable or
 * prohibit route for exactly p.
 */
bool kroute_exists(struct kroute *k, const struct prefix *p, uint8_t ignore_proto);
/* Starts a round of kroute_exists questions: reject routes are read afresh. */
void kroute_forget(struct kroute *k);

#endif
