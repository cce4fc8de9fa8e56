/*
 * The running configuration as plain C structs.
 *
 * conf_load_file() parses an RFC 7951 JSON (or XML) file against the YANG
 * module "routerd" (routerd/conf/routerd.yang, embedded into the binary at
 * build time), runs libyang validation and our semantic checks, and converts
 * the data tree into these structs with every default and every peer-group
 * inheritance already resolved: the daemon never looks at libyang itself.
 */
#ifndef ROUTERD_CONF_CONF_H
#define ROUTERD_CONF_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "routerd/edge/edge.h"
#include "routerd/lib/addr.h"

#define CONF_NAME_MAX 64

struct policy_set; /* routerd/policy/policy_set.h */
struct route_map;  /* routerd/policy/route_map.h: route_map_apply(), route_map_name() */

/* Index of the per-address-family route-map arrays of struct conf_neighbor. */
enum conf_af_index {
	CONF_AF_IPV4_UNICAST,
	CONF_AF_IPV6_UNICAST,
	CONF_AF_COUNT,
};

enum conf_profile {
	CONF_PROFILE_TRADITIONAL, /* keepalive 60, hold 180, connect-retry 30 (default) */
	CONF_PROFILE_DATACENTER,  /* keepalive 3, hold 9, connect-retry 10 */
};

enum conf_remote_as_kind {
	CONF_REMOTE_AS_UNSET,
	CONF_REMOTE_AS_NUMBER,
	CONF_REMOTE_AS_EXTERNAL,
	CONF_REMOTE_AS_INTERNAL,
};

struct conf_remote_as {
	enum conf_remote_as_kind kind;
	uint32_t asn; /* for CONF_REMOTE_AS_NUMBER */
};

struct conf_timers {
	uint16_t keepalive;	/* seconds */
	uint16_t hold;		/* seconds, 0 = no hold timer */
	uint16_t connect_retry; /* seconds */
};

struct conf_peer_group {
	char name[CONF_NAME_MAX];
	struct conf_remote_as remote_as; /* UNSET when the group leaves it to members */
};

/* One neighbor after inheritance: every field holds the value in force. */
struct conf_neighbor {
	char peer[CONF_NAME_MAX];	/* as configured: address or interface name */
	bool is_interface;		/* unnumbered: peer names an interface */
	struct ipaddr addr;		/* numbered peers only */
	char peer_group[CONF_NAME_MAX]; /* "" when none */
	char description[CONF_NAME_MAX];
	struct conf_remote_as remote_as; /* never UNSET after a successful load */
	struct conf_timers timers;
	bool passive;	       /* never connect out, only accept */
	bool shutdown;	       /* configured but administratively down */
	uint8_t ebgp_multihop; /* TTL for eBGP; 0 = directly connected (TTL 1, GTSM off) */
	bool extended_nexthop; /* announce RFC 8950 for IPv4 unicast (default: on for interfaces) */
	uint32_t afs; /* enum bgp_af bits to negotiate (default IPv4 unicast; +IPv6 for v6 peers) */
	struct ipaddr update_source; /* local address to bind; unset = kernel's choice */
	/*
	 * Routing policy after peer-group inheritance, per address family
	 * (enum conf_af_index): the neighbor's AF-specific route-map, else its
	 * all-AF one, else the group's AF-specific one, else the group's all-AF
	 * one; NULL when none (see conf_policy_blocks()). Pointers into
	 * routerd_conf.policy, valid until conf_free().
	 */
	const struct route_map *route_map_in[CONF_AF_COUNT];
	const struct route_map *route_map_out[CONF_AF_COUNT];
	bool soft_reconfig_in; /* keep routes as received (before route_map_in) to re-apply it */
	bool edge; /* expanded from edge/azure-route-server, not written under bgp/neighbor */
};

struct conf_redistribute {
	char protocol[16];		   /* "connected" (later: "static", "kernel") */
	const struct route_map *route_map; /* NULL: every route, unchanged */
};

struct conf_af {
	struct prefix *networks;
	unsigned n_networks;
	struct conf_redistribute *redistribute;
	unsigned n_redistribute;
	uint8_t maximum_paths;	   /* 1..64, default 1 */
	bool multipath_relax;	   /* default: true under datacenter, false under traditional */
	bool network_import_check; /* default true: networks need an exact kernel route */
	const struct route_map *network_route_map; /* applied to every network; NULL: none */
};

struct conf_bgp {
	uint32_t asn;
	enum conf_profile profile;
	uint16_t listen_port; /* default 179 */
	struct conf_peer_group *groups;
	unsigned n_groups;
	struct conf_neighbor *neighbors;
	unsigned n_neighbors;
	struct conf_af ipv4;
	struct conf_af ipv6;
	/*
	 * RFC 8212: an eBGP session without a route-map in a direction and
	 * address family exchanges nothing there. Default: true under the
	 * traditional profile, false under datacenter; bgp/ebgp-requires-policy
	 * overrides it.
	 */
	bool ebgp_requires_policy;
};

struct conf_interface {
	char name[IF_NAMESIZE];
	uint16_t ra_interval; /* seconds */
};

struct routerd_conf {
	char *path;		  /* file it was loaded from */
	uint32_t router_id;	  /* host byte order */
	bool keep_routes_on_exit; /* kernel/keep-routes-on-exit: leave our routes in the kernel at exit */
	bool has_bgp;
	struct conf_bgp bgp;
	struct conf_interface *interfaces;
	unsigned n_interfaces;
	/*
	 * edge/azure-route-server, defaults applied (supernets malloc'd). Its
	 * two neighbors are the last two of bgp.neighbors (marked .edge) and its
	 * built-in policy is part of policy.
	 */
	bool has_edge;
	struct edge_ars_conf edge;
	/*
	 * Every prefix-list, AS-path list, community-list and route-map of
	 * policy/, built (policy_set_build() done, every name resolved). Never
	 * NULL after a successful load (empty without policy/); conf_free()
	 * frees it, so free it only after the routes it touched (see
	 * docs/policy.md, C API).
	 */
	struct policy_set *policy;
};

/*
 * Loads and validates path. On success returns a new config and *err is NULL.
 * On failure returns NULL and *err is a malloc'd multi-line message, one line
 * per problem, each naming the file, the data path (and line where libyang
 * gives one) and the fix, e.g.
 *   "r1.json: /routerd:routerd/bgp/neighbor[peer='192.0.2.2']: no remote-as: set \"remote-as\" on the neighbor or its peer-group"
 */
struct routerd_conf *conf_load_file(const char *path, char **err);
void conf_free(struct routerd_conf *c);

/*
 * Counts the differences between a and b other than policy (lists, route-maps
 * and their bindings, soft-reconfiguration-inbound, ebgp-requires-policy) and
 * describes them in out ("neighbor 192.0.2.2 changed; router-id changed").
 * 0 means b differs from a in policy only and can be swapped in live.
 */
unsigned conf_diff_nonpolicy(const struct routerd_conf *a, const struct routerd_conf *b, char *out,
			     size_t outlen);

/* Default timers of a profile. */
struct conf_timers conf_profile_timers(enum conf_profile p);

/* Default router advertisement interval of a profile, seconds (10, datacenter 5). */
uint16_t conf_profile_ra_interval(enum conf_profile p);

/* The neighbor whose configured peer is `peer` (string compare), or NULL. */
const struct conf_neighbor *conf_find_neighbor(const struct routerd_conf *c, const char *peer);

/*
 * RFC 8212: true when no route of address family af may be received from
 * (in) or sent to (!in) neighbor n, because the session is eBGP (remote-as
 * external, or a number other than b->asn), b->ebgp_requires_policy is on
 * and n has no route-map for that direction and family.
 */
bool conf_policy_blocks(const struct conf_bgp *b, const struct conf_neighbor *n,
			enum conf_af_index af, bool in);

#endif
