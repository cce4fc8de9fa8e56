/*
 * The Azure Route Server (ARS) edge role, pure core.
 *
 * routerd as an NVA peering with both ARS instances to attract ExpressRoute
 * hairpin traffic (docs/edge-azure.md): it advertises supernets that are
 * less specific than every on-premises site prefix, so traffic between two
 * sites behind different circuits comes through the NVA.
 *
 * This module holds what the edge block means, nothing that touches the
 * world: validation of the block, the two neighbor templates and the
 * built-in policy it expands to, and the decisions the daemon takes at run
 * time (is a supernet advertised, is the route count safe for ARS, which
 * GatewaySubnet UDRs are needed, are the sysctls right). Pure: no I/O, no
 * globals, no libyang, no libev, no logging; the config layer and the daemon
 * feed it values and act on the answers.
 */
#ifndef ROUTERD_EDGE_EDGE_H
#define ROUTERD_EDGE_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/lib/addr.h"
#include "routerd/policy/policy.h"
#include "routerd/rib/attr.h"

struct policy_set; /* routerd/policy/policy_set.h */

#define EDGE_ARS_ASN 65515u /* Azure Route Server, both instances */
#define EDGE_ER_ASN  12076u /* ExpressRoute (MSEE): in the path of every ER-learned route */

/* Session parameters ARS expects (Azure's FAQ; seed 002 uses multihop 255). */
#define EDGE_ARS_KEEPALIVE 60
#define EDGE_ARS_HOLD	   180
#define EDGE_ARS_MULTIHOP  255

#define EDGE_MAX_ROUTES_DEFAULT 1000 /* ARS's default limit per peer */
#define EDGE_MAX_ROUTES_CEILING 4000 /* ARS's limit when raised */
#define EDGE_NEAR_LIMIT_PERCENT 90   /* edge_route_guard() sets .near from here on */

/*
 * The two ARS instances sit in RouteServerSubnet, which Azure requires to be
 * a /27 or larger, and take its first usable addresses (.4 and .5). So both
 * peers always share their first 27 bits, whatever the subnet's real size.
 */
#define EDGE_PEER_SUBNET_LEN_DEFAULT 27
#define EDGE_PEER_SUBNET_LEN_MIN     8

#define EDGE_SECONDARY_PREPEND 2 /* a secondary NVA prepends its own AS twice toward ARS */

/*
 * Built-in policy names. The contents are seed 002's lists and route-maps
 * verbatim; the names carry an "edge-" prefix so that a configuration that
 * still defines seed 002's own "bogon-asns"/"rmap-azure-asns" does not clash.
 */
#define EDGE_ASPATH_BOGON "edge-bogon-asns"
#define EDGE_ASPATH_AZURE "edge-azure-asns"
#define EDGE_RM_IN	  "edge-ars-in"	 /* seed 002's rmap-bogon-asns */
#define EDGE_RM_OUT	  "edge-ars-out" /* seed 002's rmap-azure-asns */
/* seq 1..10 of EDGE_RM_IN/EDGE_RM_OUT belong to the edge role; users extend from 11 on. */
#define EDGE_RM_RESERVED_SEQ_MAX 10

#define EDGE_TEXT_LEN 512

/* ---- configuration ---- */

enum edge_role {
	EDGE_ROLE_PRIMARY,
	EDGE_ROLE_SECONDARY,
};

/* edge/azure-route-server after defaults; the config layer owns supernets. */
struct edge_ars_conf {
	struct ipaddr peers[2];	  /* the two ARS instance IPs (virtualRouterIps) */
	struct prefix *supernets; /* IPv4, advertised to ARS */
	unsigned n_supernets;
	uint32_t max_routes;	 /* routes sent to ARS never exceed it; default 1000 */
	enum edge_role role;	 /* default primary */
	struct ipaddr next_hop;	 /* load balancer VIP; family 0: the NVA's own address */
	bool conditional;	 /* default true: a supernet needs an ER-learned route inside */
	bool manage_sysctls;	 /* default false: report ip_forward/send_redirects, do not write */
	uint8_t peer_subnet_len; /* bits both peers share; 0 = EDGE_PEER_SUBNET_LEN_DEFAULT */
};

/* Zeroes c and sets the defaults above. */
void edge_ars_conf_init(struct edge_ars_conf *c);

/*
 * One problem of the edge block. node names what is wrong, relative to
 * edge/azure-route-server ("peers", "supernet", "max-routes", "next-hop",
 * "role", "peer-subnet-length"), except "asn", which is bgp/asn; msg names the
 * value and the fix.
 */
typedef void (*edge_problem_fn)(void *ctx, const char *node, const char *msg);

/* Calls fn once per problem (fn may be NULL); returns the number of problems. */
unsigned edge_check(const struct edge_ars_conf *c, uint32_t local_asn, edge_problem_fn fn,
		    void *ctx);

/*
 * 0 when the block is valid; -1 with every problem in err, one per line as
 * "node: msg" (truncated to errlen), e.g.
 *   "asn: asn 65515 is reserved by Azure (ARS itself); pick a private 2-byte ASN such as 65001"
 */
int edge_validate(const struct edge_ars_conf *c, uint32_t local_asn, char *err, size_t errlen);

/* ARS's rule on the NVA's ASN alone: 2-byte, not reserved. false and err (may be NULL) if not. */
bool edge_asn_ok(uint32_t asn, char *err, size_t errlen);

/* ---- expansion: what the config layer adds for the block ---- */

/* One ARS neighbor, in the terms of struct conf_neighbor. */
struct edge_neighbor {
	struct ipaddr addr;
	uint32_t remote_as;	   /* EDGE_ARS_ASN */
	uint8_t ebgp_multihop;	   /* EDGE_ARS_MULTIHOP: ARS is never on the NVA's link */
	uint16_t keepalive;	   /* EDGE_ARS_KEEPALIVE */
	uint16_t hold;		   /* EDGE_ARS_HOLD */
	bool soft_reconfig_in;	   /* keep what ARS sent, to re-apply policy without asking again */
	bool route_refresh;	   /* ARS hard-resets peers that do not support ROUTE-REFRESH */
	bool ipv4_only;		   /* ARS peers over IPv4 for IPv4 unicast only */
	const char *route_map_in;  /* EDGE_RM_IN */
	const char *route_map_out; /* EDGE_RM_OUT */
	char description[64];	   /* "Azure Route Server instance 1" */
};

/* The two neighbors, in the order of c->peers. */
void edge_neighbors(const struct edge_ars_conf *c, struct edge_neighbor out[2]);

/* An AS-path list entry of the built-in policy (FRR regex dialect). */
struct edge_aspath_entry {
	const char *list;
	uint32_t seq;
	enum policy_action action;
	const char *regex;
};

/* A route-map entry of the built-in policy. */
struct edge_rm_entry {
	const char *route_map;
	uint32_t seq;
	enum policy_action action;
	const char *match_as_path; /* NULL: the entry matches every route */
	bool on_match_next;	   /* go on with the user's entries (seq > 10), if any */
	bool set_role_prepend;	   /* set as-path prepend <own AS> x edge_prepend_count(role) */
	bool set_next_hop;	   /* set next-hop <next_hop VIP>, when one is configured */
};

/* The built-in policy as data, for the config layer and `show edge`. */
const struct edge_aspath_entry *edge_builtin_aspath(size_t *n);
const struct edge_rm_entry *edge_builtin_route_maps(size_t *n);

/*
 * Adds the built-in policy to ps: the two AS-path lists and the two
 * route-maps, the outbound one with the role's prepend and the VIP next hop
 * when configured. Call it after the user's policy objects exist and before
 * policy_set_build(). A user may extend EDGE_RM_IN/EDGE_RM_OUT with entries
 * of seq > EDGE_RM_RESERVED_SEQ_MAX (the built-in permit goes on to them);
 * the config checker must refuse user entries where edge_policy_seq_reserved()
 * says so, since this function cannot see the seq of entries already there.
 * -1 and err when a built-in AS-path list name is taken or a seq clashes.
 */
int edge_policy_install(struct policy_set *ps, const struct edge_ars_conf *c, uint32_t local_asn,
			struct policy_err *err);

/* True when route_map is a built-in name and seq falls in the range the edge role owns. */
bool edge_policy_seq_reserved(const char *route_map, uint32_t seq);

/* How many times the NVA prepends its own AS toward ARS: primary 0, secondary 2. */
unsigned edge_prepend_count(enum edge_role role);

/* ---- run-time decisions ---- */

/* A route as the daemon holds it: the RIB's prefix and interned AS path. */
struct edge_route {
	const struct prefix *prefix;
	const struct aspath *aspath; /* NULL counts as the empty path */
};

typedef void (*edge_route_fn)(void *arg, const struct edge_route *r);

/*
 * The routes learned from ARS, walked by the daemon: foreach(ctx, fn, arg)
 * calls fn(arg, route) for each one (both instances' copies may come: they
 * are counted once). Every decision below walks it once.
 */
struct edge_routes {
	void (*foreach)(void *ctx, edge_route_fn fn, void *arg);
	void *ctx;
};

/* An edge_routes over a plain array (tests, tools): arr must outlive rs. */
struct edge_route_array {
	const struct edge_route *v;
	size_t n;
};
void edge_routes_from_array(struct edge_routes *rs, struct edge_route_array *arr);

/* Is the route ER-learned (EDGE_ER_ASN anywhere in its path)? */
bool edge_route_is_er(const struct edge_route *r);

struct edge_supernet_state {
	bool advertise;
	unsigned n_er;	     /* distinct ER-learned prefixes strictly inside the supernet */
	unsigned n_other;    /* distinct prefixes inside without EDGE_ER_ASN (VNet: "65515") */
	unsigned n_warnings; /* ER-learned prefixes equal to or covering the supernet */
	/* "2 ER routes inside (10.100.10.0/24 via 12076 65150, 10.100.20.0/24 via 12076 65151)" */
	char reason[EDGE_TEXT_LEN];
	/* "" or one sentence per ER prefix that is not more specific than the supernet */
	char warning[EDGE_TEXT_LEN];
};

/*
 * Conditional advertisement of one supernet: advertised while at least one
 * ER-learned route lies strictly inside it (conditional false: always). An
 * ER-learned prefix equal to or covering the supernet is no reason to
 * advertise and gives a warning. -1 on allocation failure.
 */
int edge_supernet_state(const struct prefix *supernet, bool conditional,
			const struct edge_routes *routes, struct edge_supernet_state *st);

enum edge_guard_mode {
	EDGE_GUARD_SEND_ALL,
	EDGE_GUARD_SUPERNETS_ONLY,
	EDGE_GUARD_SEND_NOTHING, /* even the supernets exceed max-routes (edge_check refuses that) */
};

struct edge_guard {
	enum edge_guard_mode mode;
	size_t sent;		  /* routes that go to ARS in this mode */
	bool alarm;		  /* mode is not SEND_ALL: log and raise the alarm */
	bool near;		  /* SEND_ALL at EDGE_NEAR_LIMIT_PERCENT of max-routes or more */
	char text[EDGE_TEXT_LEN]; /* for the log line, the alarm and `show edge` */
};

/*
 * ARS tears the session down when a peer sends more routes than its limit.
 * candidates: routes the outbound policy would send (supernets included);
 * supernets: how many of them are advertised supernets; reserved: the
 * configured supernets withdrawn now, for which room is kept (one coming
 * back is always sent, and must not push the count over). Never more than
 * max_routes go out: all of them while candidates + reserved fit, else the
 * supernets only, else none.
 */
void edge_route_guard(size_t candidates, size_t supernets, size_t reserved, uint32_t max_routes,
		      struct edge_guard *g);

/* A GatewaySubnet user-defined route. */
struct edge_udr {
	struct prefix prefix;	/* an ER-learned site prefix */
	struct ipaddr next_hop; /* the VIP, else the NVA's own address */
};

/*
 * The UDRs GatewaySubnet needs: one per ER-learned prefix strictly inside a
 * supernet of c, sorted by address then length, without duplicates; next hop
 * c->next_hop when set, else *nva_addr (which may then not be NULL or unset).
 * *out is malloc'd (NULL when *n is 0): free() it. -1 on allocation failure
 * or without a next hop.
 */
int edge_udrs(const struct edge_ars_conf *c, const struct ipaddr *nva_addr,
	      const struct edge_routes *routes, struct edge_udr **out, size_t *n);

/* The route's name in the route table: "site-10-100-10-0-24". snprintf's return. */
int edge_udr_name(const struct edge_udr *u, char *out, size_t outlen);

/*
 * The Azure CLI command creating u, e.g.
 *   az network route-table route create --resource-group RG --route-table-name RT
 *   --name site-10-100-10-0-24 --address-prefix 10.100.10.0/24
 *   --next-hop-type VirtualAppliance --next-hop-ip-address 10.200.0.5
 * (one line). NULL names print as <resource-group> / <route-table>; names
 * with characters a shell would interpret are single-quoted. Returns the
 * length, or -1 when out is too small (it then holds a truncated line).
 */
int edge_az_command(const struct edge_udr *u, const char *route_table, const char *resource_group,
		    char *out, size_t outlen);

/* ---- sysctls the NVA needs ---- */

enum edge_sysctl_id {
	EDGE_SYSCTL_IP_FORWARD,	       /* net.ipv4.ip_forward = 1 */
	EDGE_SYSCTL_REDIRECTS_ALL,     /* net.ipv4.conf.all.send_redirects = 0 */
	EDGE_SYSCTL_REDIRECTS_DEFAULT, /* net.ipv4.conf.default.send_redirects = 0 */
	EDGE_SYSCTL_REDIRECTS_IFACE,   /* net.ipv4.conf.<ifname>.send_redirects = 0 */
	EDGE_SYSCTL_COUNT,
};

#define EDGE_SYSCTL_KEY_LEN 96

struct edge_sysctl_check {
	enum edge_sysctl_id id;
	char key[EDGE_SYSCTL_KEY_LEN]; /* sysctl(8) form: "net.ipv4.conf.eth0/100.send_redirects" */
	char path[EDGE_SYSCTL_KEY_LEN]; /* "/proc/sys/net/ipv4/conf/eth0.100/send_redirects" */
	int want;
	int have; /* -1: could not be read */
	bool ok;
	char text[EDGE_TEXT_LEN]; /* "net.ipv4.ip_forward = 0, want 1: ...; fix: sysctl -w ..." */
};

/*
 * Fills key, path and want for id (ifname: the interface toward ARS, used by
 * EDGE_SYSCTL_REDIRECTS_IFACE only; the kernel sends redirects when the
 * "all" or the interface's value is 1, so both must be 0). -1 for a bad id or
 * interface name.
 */
int edge_sysctl_prepare(enum edge_sysctl_id id, const char *ifname, struct edge_sysctl_check *chk);
/* Records the value read (-1: unreadable) and fills ok and text. */
void edge_sysctl_eval(struct edge_sysctl_check *chk, int have);

#endif
