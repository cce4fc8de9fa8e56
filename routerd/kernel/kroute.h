/*
 * Questions about the kernel's own routing table that originations ask
 * (`network` import check): is there a route for exactly this prefix that
 * is not one of ours? Synchronous (one RTM_GETROUTE fibmatch lookup).
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
 * static, kernel or local (address) route.
 */
bool kroute_exists(struct kroute *k, const struct prefix *p, uint8_t ignore_proto);

#endif
