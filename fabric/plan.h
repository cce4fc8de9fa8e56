/*
 * The fabric planner: a Clos of spines, leaves and border leaves turned into
 * nodes (name, role, daemon, ASN, loopback, host subnet) and the links
 * between them (leafN swpK <-> spineK swpN, as in seed 003).
 *
 * Pure: no I/O, no globals. Errors are returned as text in struct fab_err.
 */
#ifndef FABRIC_PLAN_H
#define FABRIC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAB_NAME_MAX   32 /* lab name and namespace prefix, NUL included */
#define FAB_NODE_MAX   16 /* node and interface names (IFNAMSIZ) */
#define FAB_IMAGE_MAX  128
#define FAB_MAX_SPINES 64  /* maximum-paths is 64 */
#define FAB_MAX_ROUTER 254 /* every router takes one 10.0.254.N */

#define FAB_SPINE_ASN	     4200000000u
#define FAB_LEAF_ASN_BASE    4210000000u
#define FAB_BORDER_ASN_BASE  4220000000u
#define FAB_LOOPBACK_NET     0x0a00fe00u /* 10.0.254.0/24 */
#define FAB_HOST_NET	     0x0a010000u /* 10.1.N.0/26 for leaf N */
#define FAB_HOST_PLEN	     26
#define FAB_RA_INTERVAL	     5
#define FAB_CONNECT_RETRY    5
#define FAB_MAX_PATHS	     64
#define FAB_PEER_GROUP	     "fabric"
#define FAB_LEAF_HOST_IF     "to-host"
#define FAB_HOST_IF	     "eth1" /* eth0 is containerlab's management port */
#define FAB_DEFAULT_IMAGE    "routerd:latest"
#define FAB_DEFAULT_FRR_IMG  "quay.io/frrouting/frr:8.5.0"
#define FAB_DEFAULT_HOST_IMG "alpine:3.19"

enum fab_role { FAB_SPINE, FAB_LEAF, FAB_BORDER, FAB_HOST };
enum fab_daemon { FAB_DAEMON_NONE, FAB_DAEMON_ROUTERD, FAB_DAEMON_FRR };
enum fab_asn_mode { FAB_ASN_SHARED, FAB_ASN_PER_SPINE };

struct fab_err {
	char msg[512];
};

/* Fills err->msg printf-style and returns -1, for `return fab_fail(err, ...);`. */
int fab_fail(struct fab_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the user asked for; plan_build() derives everything else from it. */
struct fab_params {
	char name[FAB_NAME_MAX];      /* lab name, containerlab's "name" */
	char ns_prefix[FAB_NAME_MAX]; /* namespaces are "<ns_prefix>-<node>" */
	unsigned spines, leaves, borders;
	enum fab_asn_mode asn_mode;
	char frr[1024]; /* comma-separated node names running FRR, "all", or "" */
	char image[FAB_IMAGE_MAX];
	char frr_image[FAB_IMAGE_MAX];
	char host_image[FAB_IMAGE_MAX];
};

struct fab_node {
	char name[FAB_NODE_MAX];
	enum fab_role role;
	enum fab_daemon daemon;
	unsigned index;	   /* 1-based within its role */
	uint32_t asn;	   /* 0 for hosts */
	uint32_t loopback; /* host byte order; router-id too; 0 for hosts */
	uint32_t host_net; /* leaves and hosts: 10.1.N.0, else 0 */
	unsigned n_ports;  /* fabric ports swp1..swpN (routers) */
	unsigned attached; /* hosts: node index of their leaf; leaves: of their host */
};

/* A veth pair; a is the lower tier (leaf, border) or the leaf of a host link. */
struct fab_link {
	unsigned a, b; /* node indexes */
	char a_if[FAB_NODE_MAX], b_if[FAB_NODE_MAX];
};

struct fab_plan {
	struct fab_params p;
	struct fab_node *nodes; /* spines, leaves, borders, then hosts */
	unsigned n_nodes;
	struct fab_link *links; /* fabric links (by lower-tier node, then spine), then host links */
	unsigned n_links;
};

/* Defaults: 0 spines/leaves (must be set), shared spine ASN, default images. */
void plan_params_init(struct fab_params *p);

/* Sets name and, unless already set, ns_prefix ("fab-<name>"). -1 on a bad name. */
int plan_params_set_name(struct fab_params *p, const char *name, struct fab_err *err);

/* Builds the plan; on error returns -1 with err->msg saying what and how to fix it. */
int plan_build(const struct fab_params *p, struct fab_plan *plan, struct fab_err *err);
void plan_free(struct fab_plan *plan);

/* An address a node's interface gets when the lab comes up. */
struct fab_addr {
	char ifname[FAB_NODE_MAX];
	uint32_t addr; /* host byte order */
	unsigned plen;
};

#define FAB_ADDRS_MAX  2
#define FAB_HOST_ROUTE "10.0.0.0/8" /* hosts reach the fabric (and only it) via their leaf */

/* Addresses of node n (loopback /32, leaf's and host's ends of the host subnet); returns how many. */
unsigned plan_node_addrs(const struct fab_node *n, struct fab_addr out[FAB_ADDRS_MAX]);

/* A host's gateway: its leaf's address on the host subnet. */
uint32_t plan_host_gateway(const struct fab_node *host);

/* The node called name, or -1. */
int plan_find(const struct fab_plan *plan, const char *name);

bool plan_is_router(const struct fab_node *n);

/* The namespace of a node: "<ns_prefix>-<name>". */
void plan_ns_name(const struct fab_plan *plan, const struct fab_node *n, char *out, size_t len);

/*
 * ECMP width a converged fabric has from router `from` towards router `to`'s
 * loopback (or, for a host, towards its subnet): 0 when the design makes it
 * unreachable (spine to spine with a shared spine ASN: the AS path would
 * hold the spine ASN twice).
 */
unsigned plan_expected_paths(const struct fab_plan *plan, unsigned from, unsigned to);

/* Number of BGP sessions a router has in a converged fabric (one per fabric port). */
unsigned plan_expected_sessions(const struct fab_node *n);

const char *plan_role_name(enum fab_role r);
const char *plan_daemon_name(enum fab_daemon d);
const char *plan_asn_mode_name(enum fab_asn_mode m);
int plan_asn_mode_parse(const char *s, enum fab_asn_mode *m);

/* Dotted quad of a host-byte-order IPv4 address. */
void plan_ip_fmt(uint32_t a, char *out, size_t len);

#endif
