/*
 * Reading the state `fabric status` needs from JSON: BGP sessions as routerd
 * (`routerctl show bgp summary json`) and FRR (`vtysh -c 'show bgp summary
 * json'`) report them, and the kernel's IPv4 routes (`ip -4 -j route show`)
 * with the ECMP width of each, through nexthop objects when a route only
 * names one (`ip -j nexthop show id N`).
 *
 * Pure: text in, numbers out.
 */
#ifndef FABRIC_STATUS_PARSE_H
#define FABRIC_STATUS_PARSE_H

#include <stdbool.h>
#include <stdint.h>

struct sp_sessions {
	unsigned up, total;
};

struct sp_route {
	uint32_t dst; /* host byte order */
	unsigned plen;
	bool bgp;	/* protocol bgp */
	unsigned width; /* nexthops; 0 when only a nexthop object id is known */
	int nhid;	/* 0: none */
};

struct sp_routes {
	struct sp_route *v;
	unsigned n;
};

int sp_routerd_sessions(const char *json, struct sp_sessions *s);
int sp_frr_sessions(const char *json, struct sp_sessions *s);

/* -1 when the text is not the JSON array `ip -j route` prints. */
int sp_kernel_routes(const char *json, struct sp_routes *r);
void sp_routes_free(struct sp_routes *r);
/* The route for exactly dst/plen, or NULL. */
struct sp_route *sp_find(const struct sp_routes *r, uint32_t dst, unsigned plen);
unsigned sp_count_bgp(const struct sp_routes *r);

/* Paths of a nexthop object: a group's member count, or 1. */
int sp_nexthop_width(const char *json, unsigned *width);

#endif
