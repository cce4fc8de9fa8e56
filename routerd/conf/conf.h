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

#include "routerd/lib/addr.h"

#define CONF_NAME_MAX 64

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
};

struct conf_redistribute {
	char protocol[16]; /* "connected" (later: "static", "kernel") */
};

struct conf_af {
	struct prefix *networks;
	unsigned n_networks;
	struct conf_redistribute *redistribute;
	unsigned n_redistribute;
	uint8_t maximum_paths;	   /* 1..64, default 1 */
	bool multipath_relax;	   /* default: true under datacenter, false under traditional */
	bool network_import_check; /* default true: networks need an exact kernel route */
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
};

struct conf_interface {
	char name[IF_NAMESIZE];
	uint16_t ra_interval; /* seconds */
};

struct routerd_conf {
	char *path;	    /* file it was loaded from */
	uint32_t router_id; /* host byte order */
	bool has_bgp;
	struct conf_bgp bgp;
	struct conf_interface *interfaces;
	unsigned n_interfaces;
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

/* Default timers of a profile. */
struct conf_timers conf_profile_timers(enum conf_profile p);

/* Default router advertisement interval of a profile, seconds (10, datacenter 5). */
uint16_t conf_profile_ra_interval(enum conf_profile p);

/* The neighbor whose configured peer is `peer` (string compare), or NULL. */
const struct conf_neighbor *conf_find_neighbor(const struct routerd_conf *c, const char *peer);

#endif
