/*
 * Config loader: good files resolve to the expected structs (profile timers,
 * peer-group inheritance, address families, extended next hop defaults,
 * routing policy built into a policy_set and evaluated as the engine's own
 * tests expect); bad files fail with one "FILE: PATH[ (line N)]: WHAT: FIX"
 * line per problem. Runs with tests/unit as working directory
 * (tests/meson.build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "routerd/bgp/wire.h"
#include "routerd/conf/conf.h"
#include "routerd/policy/community_list.h"
#include "routerd/policy/policy_set.h"
#include "routerd/policy/route_map.h"
#include "routerd/rib/attr.h"

#define V4 BGP_AF_IPV4_UNICAST
#define V6 BGP_AF_IPV6_UNICAST

#define AF4 CONF_AF_IPV4_UNICAST
#define AF6 CONF_AF_IPV6_UNICAST
#define P   POLICY_PERMIT
#define D   POLICY_DENY

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct routerd_conf *load_ok(const char *path)
{
	char *err = NULL;
	struct routerd_conf *c = conf_load_file(path, &err);

	if (!c)
		print_error("unexpected error loading %s:\n%s\n", path, err ? err : "(null)");
	assert_non_null(c);
	assert_null(err);
	return c;
}

/* Loads a file that must fail; returns the error text (caller frees). */
static char *load_bad(const char *path)
{
	char *err = NULL;
	struct routerd_conf *c = conf_load_file(path, &err);

	assert_null(c);
	assert_non_null(err);
	return err;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every line must start with "FILE: /" and carry at least "PATH: WHAT: FIX". */
static void assert_shape(const char *err, const char *file)
{
	char prefix[256];
	const char *line = err;

	snprintf(prefix, sizeof(prefix), "%s: /", file);
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		unsigned colons = 0;

		if (strncmp(line, prefix, strlen(prefix)) != 0)
			fail_msg("line does not start with \"%s\": %.*s", prefix, (int)len, line);
		for (size_t i = 0; i < len; i++)
			colons += line[i] == ':' && i + 1 < len && line[i + 1] == ' ';
		if (colons < 3)
			fail_msg("line is not FILE: PATH: WHAT: FIX: %.*s", (int)len, line);
		line = end ? end + 1 : NULL;
	}
}

static void assert_has(const char *err, const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, err);
}

/* Loads a bad file and checks its error for every needle (NULL-terminated). */
static void expect_error(const char *path, unsigned lines, ...)
{
	char *err = load_bad(path);
	const char *needle;
	va_list ap;

	assert_shape(err, path);
	if (lines && count_lines(err) != lines)
		fail_msg("expected %u problem lines, got:\n%s", lines, err);
	va_start(ap, lines);
	while ((needle = va_arg(ap, const char *)))
		assert_has(err, needle);
	va_end(ap);
	free(err);
}

static const struct conf_neighbor *nb(const struct routerd_conf *c, const char *peer)
{
	const struct conf_neighbor *n = conf_find_neighbor(c, peer);

	if (!n)
		fail_msg("neighbor %s not found", peer);
	return n;
}

static void assert_timers(const struct conf_neighbor *n, unsigned ka, unsigned hold, unsigned cr)
{
	assert_int_equal(n->timers.keepalive, ka);
	assert_int_equal(n->timers.hold, hold);
	assert_int_equal(n->timers.connect_retry, cr);
}

static void assert_prefix(const struct prefix *p, const char *text)
{
	char buf[ADDR_STRLEN + 4];

	assert_string_equal(prefix_fmt(p, buf, sizeof(buf)), text);
}

/* ---- good files ---- */

static void check_min(const struct routerd_conf *c)
{
	const struct conf_neighbor *n;

	assert_int_equal(c->router_id, 0x0a00fe01);
	assert_true(c->has_bgp);
	assert_int_equal(c->bgp.asn, 4210000001u);
	assert_int_equal(c->bgp.profile, CONF_PROFILE_DATACENTER);
	assert_int_equal(c->bgp.listen_port, 179);
	assert_int_equal(c->bgp.n_groups, 1);
	assert_string_equal(c->bgp.groups[0].name, "ISL");
	assert_int_equal(c->bgp.groups[0].remote_as.kind, CONF_REMOTE_AS_EXTERNAL);
	assert_int_equal(c->bgp.n_neighbors, 3);

	n = nb(c, "192.0.2.2");
	assert_false(n->is_interface);
	assert_int_equal(n->addr.family, AF_INET);
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_NUMBER);
	assert_int_equal(n->remote_as.asn, 65100);
	assert_timers(n, 3, 9, 10);
	assert_false(n->extended_nexthop);
	assert_int_equal(n->afs, V4);
	assert_string_equal(n->peer_group, "");
	assert_int_equal(n->ebgp_multihop, 0);
	assert_false(n->passive);
	assert_false(n->shutdown);
	assert_int_equal(n->update_source.family, 0);

	n = nb(c, "2001:db8::2");
	assert_int_equal(n->addr.family, AF_INET6);
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_INTERNAL);
	assert_false(n->extended_nexthop);
	assert_int_equal(n->afs, V4 | V6);

	n = nb(c, "swp1");
	assert_true(n->is_interface);
	assert_int_equal(n->addr.family, 0);
	assert_string_equal(n->peer_group, "ISL");
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_EXTERNAL); /* from the group */
	assert_true(n->extended_nexthop);
	assert_int_equal(n->afs, V4 | V6);

	assert_int_equal(c->bgp.ipv4.n_networks, 1);
	assert_prefix(&c->bgp.ipv4.networks[0], "10.0.254.1/32");
	assert_int_equal(c->bgp.ipv4.n_redistribute, 1);
	assert_string_equal(c->bgp.ipv4.redistribute[0].protocol, "connected");
	assert_int_equal(c->bgp.ipv4.maximum_paths, 64);
	assert_int_equal(c->bgp.ipv6.n_networks, 0);
	assert_int_equal(c->bgp.ipv6.maximum_paths, 1);

	assert_int_equal(c->n_interfaces, 1);
	assert_string_equal(c->interfaces[0].name, "swp1");
	assert_int_equal(c->interfaces[0].ra_interval, 5);
}

static void test_min_json(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-min.json");

	assert_string_equal(c->path, "conf/good-min.json");
	check_min(c);
	conf_free(c);
}

static void test_min_xml(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-min.xml");

	check_min(c);
	conf_free(c);
}

static void test_traditional(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-traditional.json");
	const struct conf_neighbor *n;
	struct ipaddr src;

	assert_int_equal(c->router_id, 0xc0000201);
	assert_int_equal(c->bgp.profile, CONF_PROFILE_TRADITIONAL);
	assert_int_equal(c->bgp.listen_port, 1179);
	assert_int_equal(c->bgp.groups[0].remote_as.kind, CONF_REMOTE_AS_NUMBER);
	assert_int_equal(c->bgp.groups[0].remote_as.asn, 64500);

	/* Everything from the group, timers mixed with the profile's. */
	n = nb(c, "198.51.100.1");
	assert_int_equal(n->remote_as.asn, 64500);
	assert_timers(n, 20, 180, 15);
	assert_true(n->passive);
	assert_int_equal(n->ebgp_multihop, 2);
	assert_true(ipaddr_parse("192.0.2.1", &src));
	assert_true(ipaddr_equal(&n->update_source, &src));
	assert_string_equal(n->description, "isp-a"); /* the group's is not inherited */
	assert_false(n->extended_nexthop);
	assert_int_equal(n->afs, V4);

	/* Neighbor overrides; keepalive set in the group wins over hold / 3. */
	n = nb(c, "198.51.100.2");
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_NUMBER);
	assert_int_equal(n->remote_as.asn, 64501);
	assert_timers(n, 20, 90, 15);
	assert_false(n->passive);
	assert_string_equal(n->description, "");

	n = nb(c, "2001:db8:1::1");
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_INTERNAL);
	assert_timers(n, 60, 180, 30);
	assert_true(n->shutdown);
	assert_true(n->extended_nexthop);
	assert_int_equal(n->afs, V6);

	n = nb(c, "203.0.113.9");
	assert_timers(n, 0, 0, 30);
	assert_int_equal(n->afs, V4 | V6);

	assert_int_equal(c->bgp.ipv4.n_networks, 2);
	assert_prefix(&c->bgp.ipv4.networks[1], "198.51.100.0/25");
	assert_int_equal(c->bgp.ipv4.maximum_paths, 1);
	assert_int_equal(c->bgp.ipv4.n_redistribute, 0);
	assert_int_equal(c->bgp.ipv6.n_networks, 1);
	assert_prefix(&c->bgp.ipv6.networks[0], "2001:db8::/32");
	assert_int_equal(c->bgp.ipv6.n_redistribute, 1);
	assert_int_equal(c->bgp.ipv6.maximum_paths, 4);
	assert_int_equal(c->n_interfaces, 0);
	conf_free(c);
}

static void test_datacenter_groups(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-datacenter.json");
	const struct conf_neighbor *n;

	assert_int_equal(c->bgp.asn, 4200000011u);
	/* Group sets hold only: keepalive = hold / 3, connect-retry from the profile. */
	assert_timers(nb(c, "swp1"), 2, 6, 10);
	/* Neighbor keepalive, group hold. */
	assert_timers(nb(c, "swp2"), 1, 6, 10);
	assert_timers(nb(c, "swp3"), 10, 30, 5);
	/* Neighbor hold, group keepalive: keepalive stays the group's. */
	n = nb(c, "swp4");
	assert_timers(n, 10, 60, 5);
	assert_true(n->extended_nexthop);
	assert_false(nb(c, "swp3")->extended_nexthop); /* group turns the interface default off */
	assert_true(nb(c, "swp1")->extended_nexthop);
	n = nb(c, "10.1.1.1");
	assert_timers(n, 3, 9, 10);
	assert_false(n->extended_nexthop);
	assert_int_equal(n->afs, V4);

	assert_int_equal(c->bgp.ipv4.maximum_paths, 8);
	assert_int_equal(c->bgp.ipv6.n_redistribute, 1);
	assert_int_equal(c->n_interfaces, 2);
	assert_int_equal(c->interfaces[0].ra_interval, 5); /* datacenter default */
	assert_int_equal(c->interfaces[1].ra_interval, 30);
	conf_free(c);
}

static void test_no_bgp(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-no-bgp.json");

	assert_false(c->has_bgp);
	assert_int_equal(c->bgp.n_neighbors, 0);
	assert_int_equal(c->interfaces[0].ra_interval, 10); /* traditional default */
	conf_free(c);
}

static void test_profiles_and_lookup(void **state)
{
	struct conf_timers t = conf_profile_timers(CONF_PROFILE_TRADITIONAL);
	struct routerd_conf *c;

	assert_int_equal(t.keepalive, 60);
	assert_int_equal(t.hold, 180);
	assert_int_equal(t.connect_retry, 30);
	t = conf_profile_timers(CONF_PROFILE_DATACENTER);
	assert_int_equal(t.keepalive, 3);
	assert_int_equal(t.hold, 9);
	assert_int_equal(t.connect_retry, 10);
	assert_int_equal(conf_profile_ra_interval(CONF_PROFILE_TRADITIONAL), 10);
	assert_int_equal(conf_profile_ra_interval(CONF_PROFILE_DATACENTER), 5);

	c = load_ok("conf/good-min.json");
	assert_null(conf_find_neighbor(c, "192.0.2.3"));
	assert_null(conf_find_neighbor(c, NULL));
	conf_free(c);
	conf_free(NULL);
}

/* ---- bad files ---- */

static void test_syntax(void **state)
{
	expect_error("conf/bad-syntax.json", 1, "/routerd:routerd/bgp (line 5): syntax error",
		     "trailing comma", NULL);
	expect_error("conf/bad-top-level.json", 1, "(line 1): syntax error", "\"routerd:routerd\"",
		     NULL);
}

static void test_unknown_leaf(void **state)
{
	expect_error("conf/bad-unknown-leaf.json", 1,
		     "conf/bad-unknown-leaf.json: /routerd:routerd/bgp (line 5): unknown node "
		     "\"neighbour\": not in the routerd model (did you mean \"neighbor\"?); "
		     "see docs/config.md",
		     NULL);
	expect_error("conf/bad-unknown-leaf.xml", 1, "/routerd:routerd/bgp (line 5)",
		     "unknown node \"neighbour\"", "not in the routerd model", NULL);
}

static void test_wrong_type(void **state)
{
	expect_error("conf/bad-wrong-type.json", 1,
		     "/routerd:routerd/bgp/neighbor[peer='swp1']/passive (line 5): invalid value "
		     "\"yes\" for \"passive\": expected true or false",
		     NULL);
	expect_error("conf/bad-quoted-number.json", 1,
		     "/routerd:routerd/bgp/asn (line 4): invalid value \"65000\"",
		     "expected a number in 1..4294967295, written without quotes", NULL);
}

static void test_asn_range(void **state)
{
	/* libyang blames line 5 (the next token); the loader points at the value. */
	expect_error("conf/bad-asn-range.json", 1,
		     "conf/bad-asn-range.json: /routerd:routerd/bgp/asn (line 4): invalid value "
		     "\"0\" for \"asn\": expected a number in 1..4294967295",
		     NULL);
}

static void test_missing_router_id(void **state)
{
	expect_error("conf/bad-no-router-id.json", 1,
		     "conf/bad-no-router-id.json: /routerd:routerd/router-id: missing mandatory "
		     "\"router-id\": add it (an IPv4 address)",
		     NULL);
}

static void test_missing_remote_as(void **state)
{
	/* Both neighbors, not just the first libyang would stop at. */
	expect_error("conf/bad-no-remote-as.json", 2,
		     "/routerd:routerd/bgp/neighbor[peer='swp1']: no remote-as: set \"remote-as\" "
		     "on the neighbor or its peer-group",
		     "/routerd:routerd/bgp/neighbor[peer='192.0.2.2']: no remote-as", NULL);
}

static void test_unknown_peer_group(void **state)
{
	/* The leafref failure only: the missing remote-as follows from it. */
	expect_error("conf/bad-unknown-peer-group.json", 1,
		     "/routerd:routerd/bgp/neighbor[peer='swp1']/peer-group: peer-group "
		     "\"FABRIC\" is not defined: add it under bgp/peer-group",
		     NULL);
}

static void test_duplicate_peer(void **state)
{
	expect_error("conf/bad-duplicate-peer.json", 1,
		     "/routerd:routerd/bgp/neighbor[peer='2001:db8::2']: neighbor 2001:db8::2 is "
		     "configured twice",
		     NULL);
	expect_error(
		"conf/bad-duplicate-key.json", 1,
		"/routerd:routerd/bgp/neighbor[peer='swp1']: neighbor swp1 is configured twice",
		NULL);
}

static void test_bad_peer(void **state)
{
	expect_error("conf/bad-peer-address.json", 1,
		     "/routerd:routerd/bgp/neighbor[peer='192.0.2.256']: peer \"192.0.2.256\" is "
		     "neither an IPv4 address nor an interface name",
		     NULL);
	expect_error("conf/bad-peer-name.json", 1,
		     "/routerd:routerd/bgp/neighbor/peer (line 5): invalid value \"swp1/2\"",
		     "an IPv4 address or an IPv6 address or an interface name", NULL);
}

static void test_host_bits(void **state)
{
	expect_error("conf/bad-host-bits.json", 2,
		     "/routerd:routerd/bgp/ipv4-unicast/network[.='10.0.0.1/24']: prefix "
		     "10.0.0.1/24 has host bits set: write 10.0.0.0/24",
		     "prefix 2001:db8::1/64 has host bits set: write 2001:db8::/64", NULL);
}

static void test_timers_after_inheritance(void **state)
{
	expect_error("conf/bad-timers.json", 1,
		     "neighbor[peer='swp1']: keepalive 10 does not fit hold 9", NULL);
}

static void test_all_problems_listed(void **state)
{
	expect_error("conf/bad-many.json", 6, "router-id\": add it", "peer-group \"FABRIC\"",
		     "neighbor[peer='swp2']: no remote-as", "fe80::1 is a link-local address",
		     "\"192.0.2.01\" is neither", "10.0.0.1/8 has host bits set", NULL);
}

static void test_file_problems(void **state)
{
	expect_error("conf/bad-empty.json", 1, "conf/bad-empty.json: /: the file is empty", NULL);
	expect_error(
		"conf/does-not-exist.json", 1,
		"conf/does-not-exist.json: /: cannot open the file (No such file or directory)",
		NULL);
}

/* ---- routing policy ---- */

/* The route-map's name, "" for NULL. */
static const char *rm_name(const struct route_map *rm)
{
	return rm ? route_map_name(rm) : "";
}

static const struct route_map *find_rm(const struct routerd_conf *c, const char *name)
{
	struct route_map *rm = policy_set_find_route_map(c->policy, name, NULL);

	if (!rm)
		fail_msg("route-map %s not built", name);
	return rm;
}

static struct ipaddr addr(const char *s)
{
	struct ipaddr a = { 0 };

	assert_true(ipaddr_parse(s, &a));
	return a;
}

static struct prefix pfx(const char *s)
{
	struct prefix p = { 0 };

	assert_true(prefix_parse(s, &p));
	return p;
}

/* An AS_SEQUENCE written as FRR prints it ("65515 12076 65150"); "" is the empty path. */
static struct aspath *seq_path(struct attr_pool *pool, const char *text)
{
	uint8_t data[2 + 4 * 64];
	size_t len = 2;
	const char *s = text;
	char *end;

	data[0] = ASPATH_SEQUENCE;
	data[1] = 0;
	while (*s) {
		unsigned long v = strtoul(s, &end, 10);

		assert_true(end != s && data[1] < 64);
		data[len++] = (uint8_t)(v >> 24);
		data[len++] = (uint8_t)(v >> 16);
		data[len++] = (uint8_t)(v >> 8);
		data[len++] = (uint8_t)v;
		data[1]++;
		s = end + strspn(end, " ");
	}
	return aspath_intern(pool, data, data[1] ? len : 0);
}

static struct attrs *route_attrs(struct attr_pool *pool, const char *path, const char *comm,
				 const char *lcomm)
{
	struct attrs t, *a;
	struct lcommunity lv;
	uint32_t v;

	attrs_init(&t);
	t.aspath = seq_path(pool, path);
	t.nexthop = addr("192.0.2.1");
	if (comm) {
		assert_true(community_parse(comm, &v));
		t.communities = community_list_intern(pool, &v, 1);
	}
	if (lcomm) {
		assert_true(lcommunity_parse(lcomm, &lv));
		t.lcommunities = lcommunity_list_intern(pool, &lv, 1);
	}
	a = attrs_intern(pool, &t);
	assert_non_null(a);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	lcommunity_list_unref(pool, t.lcommunities);
	return a;
}

/* A BGP route through rm; a permitted route's attributes are interned into *out (or NULL). */
static enum policy_action run_bgp(const struct route_map *rm, struct attr_pool *pool,
				  const char *prefix, struct attrs *a, struct attrs **out)
{
	struct prefix p = pfx(prefix);
	struct ipaddr peer = addr("10.0.210.4");
	struct policy_route r = {
		.prefix = &p,
		.attrs = a,
		.peer_address = &peer,
		.peer_as = 65515,
		.proto = POLICY_PROTO_BGP,
	};
	struct policy_result res;
	enum policy_action v = route_map_apply(rm, pool, &r, &res);

	if (out)
		*out = NULL;
	if (v == P && res.modified) {
		if (out)
			*out = attrs_intern(pool, &res.attrs);
		policy_result_release(pool, &res);
	} else if (v == P && out) {
		*out = attrs_ref(a);
	}
	return v;
}

/* A connected route of ifname through rm, as redistribute hands it over. */
static enum policy_action run_connected(const struct route_map *rm, struct attr_pool *pool,
					const char *prefix, const char *ifname)
{
	struct attrs *a = route_attrs(pool, "", NULL, NULL);
	struct prefix p = pfx(prefix);
	struct policy_route r = {
		.prefix = &p,
		.attrs = a,
		.proto = POLICY_PROTO_CONNECTED,
		.ifname = ifname,
	};
	struct policy_result res;
	enum policy_action v = route_map_apply(rm, pool, &r, &res);

	if (v == P)
		policy_result_release(pool, &res);
	attrs_unref(pool, a);
	return v;
}

static void assert_pool_empty(struct attr_pool *pool)
{
	struct attr_pool_stats st;

	attr_pool_stats(pool, &st);
	assert_int_equal(st.attrs + st.aspaths + st.communities + st.lcommunities, 0);
	attr_pool_free(pool);
}

/* The issue's exact shape, with route-maps on a group, a neighbor, redistribute and networks. */
static void test_policy_issue_shape(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-policy-issue.json");
	const struct route_map *azure = find_rm(c, "rmap-azure-asns");
	const struct conf_neighbor *n;

	assert_non_null(c->policy);
	assert_true(policy_set_built(c->policy));
	assert_int_equal(
		prefix_list_count(policy_set_find_prefix_list(c->policy, "DC_LOCAL_SUBNET")), 2);
	assert_int_equal(aspath_list_count(policy_set_find_aspath_list(c->policy, "azure-asns")),
			 1);
	assert_int_equal(route_map_count(azure), 2);

	n = nb(c, "10.0.210.4"); /* everything from the group */
	assert_null(n->route_map_in[AF4]);
	assert_null(n->route_map_in[AF6]);
	assert_ptr_equal(n->route_map_out[AF4], azure);
	assert_ptr_equal(n->route_map_out[AF6], azure);
	assert_true(n->soft_reconfig_in);
	n = nb(c, "10.0.210.5");
	assert_ptr_equal(n->route_map_in[AF4], azure);
	assert_ptr_equal(n->route_map_out[AF4], azure);
	assert_false(n->soft_reconfig_in);

	assert_ptr_equal(c->bgp.ipv4.network_route_map, azure);
	assert_int_equal(c->bgp.ipv4.n_redistribute, 1);
	assert_ptr_equal(c->bgp.ipv4.redistribute[0].route_map, azure);
	assert_null(c->bgp.ipv6.network_route_map);

	/* Traditional profile: RFC 8212 on. The group's member has no inbound policy. */
	assert_true(c->bgp.ebgp_requires_policy);
	assert_true(conf_policy_blocks(&c->bgp, nb(c, "10.0.210.4"), AF4, true));
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "10.0.210.4"), AF4, false));
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "10.0.210.5"), AF4, true));
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "10.0.210.5"), AF4, false));
	conf_free(c);
}

/*
 * Seed 002 (FRR 8.3.1 on an Azure NVA) translated to JSON: the built
 * route-maps decide as tests/unit/test_policy.c's test_seed002_route_maps
 * says: inbound rmap-bogon-asns denies what bogon-asns permits, outbound
 * rmap-azure-asns denies what azure-asns permits.
 */
static void test_policy_seed002(void **state)
{
	static const struct {
		const char *path;
		enum policy_action in, out;
	} t[] = {
		{ "65515 12076 65150", P, D },
		{ "0", D, P },
		{ "23456", D, P },
		{ "131072", P, P },
		{ "64512 65000", P, P },
		{ "65000 64512", D, P },
		{ "", P, P },
		{ "12076 65515", P, D },
	};
	struct routerd_conf *c = load_ok("conf/good-policy-seed002.json");
	struct attr_pool *pool = attr_pool_new();
	const struct conf_neighbor *n;

	assert_non_null(pool);
	assert_int_equal(c->bgp.profile, CONF_PROFILE_TRADITIONAL);
	assert_true(c->bgp.ebgp_requires_policy);
	for (unsigned i = 0; i < c->bgp.n_neighbors; i++) {
		n = &c->bgp.neighbors[i];
		assert_string_equal(rm_name(n->route_map_in[AF4]), "rmap-bogon-asns");
		assert_string_equal(rm_name(n->route_map_out[AF4]), "rmap-azure-asns");
		assert_true(n->soft_reconfig_in);
		assert_int_equal(n->ebgp_multihop, 255);
		assert_false(conf_policy_blocks(&c->bgp, n, AF4, true));
		assert_false(conf_policy_blocks(&c->bgp, n, AF4, false));
	}
	n = nb(c, "10.0.210.4");
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct attrs *a = route_attrs(pool, t[i].path, NULL, NULL);

		if (run_bgp(n->route_map_in[AF4], pool, "10.100.0.0/16", a, NULL) != t[i].in ||
		    run_bgp(n->route_map_out[AF4], pool, "10.100.0.0/16", a, NULL) != t[i].out)
			fail_msg("AS path \"%s\": wrong verdict", t[i].path);
		attrs_unref(pool, a);
	}
	conf_free(c);
	assert_pool_empty(pool);
}

/* Seed 003: the leaf's ACCEPT_DC_LOCAL (prefix-list ge 26 / ge 32), the spine's ADV_LO (interface lo). */
static void test_policy_seed003(void **state)
{
	static const struct {
		const char *prefix, *ifname;
		enum policy_action want;
	} leaf[] = {
		{ "10.1.1.0/26", "vlan10", P },	  { "10.1.2.0/27", "vlan20", P },
		{ "10.1.0.0/24", "vlan10", D },	  { "10.0.254.1/32", "lo", P },
		{ "10.0.254.0/24", "lo", D },	  { "192.168.121.0/24", "eth0", D },
		{ "2001:db8::/64", "vlan10", D },
	};
	struct attr_pool *pool = attr_pool_new();
	struct routerd_conf *c = load_ok("conf/good-policy-seed003-leaf.json");
	const struct route_map *rm;

	assert_false(c->bgp.ebgp_requires_policy); /* datacenter */
	assert_null(nb(c, "swp3")->route_map_in[AF4]);
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "swp3"), AF4, true));
	assert_int_equal(nb(c, "swp3")->afs, V4);
	assert_int_equal(nb(c, "swp4")->timers.connect_retry, 5);
	assert_int_equal(c->bgp.ipv4.n_redistribute, 1);
	rm = c->bgp.ipv4.redistribute[0].route_map;
	assert_string_equal(rm_name(rm), "ACCEPT_DC_LOCAL");
	for (size_t i = 0; i < ARRAY_SIZE(leaf); i++)
		if (run_connected(rm, pool, leaf[i].prefix, leaf[i].ifname) != leaf[i].want)
			fail_msg("leaf: %s on %s: wrong verdict", leaf[i].prefix, leaf[i].ifname);
	conf_free(c);

	c = load_ok("conf/good-policy-seed003-spine.json");
	assert_int_equal(c->bgp.n_neighbors, 4);
	rm = c->bgp.ipv4.redistribute[0].route_map;
	assert_string_equal(rm_name(rm), "ADV_LO");
	assert_int_equal(run_connected(rm, pool, "10.0.254.254/32", "lo"), P);
	assert_int_equal(run_connected(rm, pool, "10.1.1.0/26", "swp1"), D);
	conf_free(c);
	assert_pool_empty(pool);
}

/*
 * Every clause of the model, route-maps resolved per address family
 * (neighbor's own AF-specific, own general, group's AF-specific, group's
 * general), and one route through all of RM-IN's clauses.
 */
static void test_policy_every_clause(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-policy-all.json");
	struct attr_pool *pool = attr_pool_new();
	const struct route_map *in = find_rm(c, "RM-IN"), *out = find_rm(c, "RM-OUT");
	const struct route_map *in6 = find_rm(c, "RM6-IN");
	const struct conf_neighbor *n;
	struct attrs *a, *o;
	struct ipaddr peer = addr("10.0.210.4");
	char buf[256];

	assert_int_equal(route_map_count(in), 6);
	assert_int_equal(comm_list_count(policy_set_find_community_list(c->policy, "CUSTOMER")), 4);
	assert_true(comm_list_is_large(policy_set_find_large_community_list(c->policy, "LC")));
	assert_int_equal(prefix_list_count(policy_set_find_prefix_list(c->policy, "EMPTY")), 0);
	/* FRR 8.4: a prefix-list without entries matches nothing. */
	{
		struct prefix p6;

		prefix_parse("2001:db8::/48", &p6);
		assert_int_equal(
			prefix_list_match(policy_set_find_prefix_list(c->policy, "EMPTY"), &p6), D);
	}

	n = nb(c, "2001:db8::1"); /* the group's */
	assert_ptr_equal(n->route_map_in[AF4], in);
	assert_ptr_equal(n->route_map_in[AF6], in6);
	assert_ptr_equal(n->route_map_out[AF4], out);
	assert_ptr_equal(n->route_map_out[AF6], out);
	assert_true(n->soft_reconfig_in);
	n = nb(c, "2001:db8::2"); /* its own route-map-in beats the group's AF-specific one */
	assert_ptr_equal(n->route_map_in[AF4], out);
	assert_ptr_equal(n->route_map_in[AF6], out);
	assert_false(n->soft_reconfig_in);
	n = nb(c, "2001:db8::3"); /* its own AF-specific one, the group's for the other AF */
	assert_ptr_equal(n->route_map_out[AF4], in);
	assert_ptr_equal(n->route_map_out[AF6], out);
	assert_ptr_equal(n->route_map_in[AF6], in6);
	n = nb(c, "192.0.2.9");
	assert_null(n->route_map_in[AF4]);
	assert_null(n->route_map_out[AF6]);
	/* Traditional, but overridden: an eBGP neighbor without policy exchanges everything. */
	assert_int_equal(c->bgp.profile, CONF_PROFILE_TRADITIONAL);
	assert_false(c->bgp.ebgp_requires_policy);
	assert_false(conf_policy_blocks(&c->bgp, n, AF4, true));
	assert_ptr_equal(c->bgp.ipv6.network_route_map, out);
	assert_string_equal(rm_name(c->bgp.ipv6.redistribute[0].route_map), "CONNECTED");
	assert_int_equal(run_connected(c->bgp.ipv6.redistribute[0].route_map, pool,
				       "2001:db8:ff::1/128", "lo"),
			 P);
	assert_int_equal(run_connected(c->bgp.ipv6.redistribute[0].route_map, pool,
				       "2001:db8:1::/64", "eth0"),
			 D);

	/* seq 10 denies routes whose communities are exactly a permitted set: not this one. */
	a = route_attrs(pool, "64500 64666", "65000:666", "65000:1:1");
	assert_int_equal(run_bgp(in, pool, "10.1.0.0/16", a, &o), P);
	assert_non_null(o);
	/* seq 20 sets, on-match next; seq 30 local-preference -5, goto 50; 50 metric 7, continue 60. */
	assert_int_equal(o->local_pref, 195);
	assert_int_equal(o->med, 7);
	assert_int_equal(o->weight, 100);
	assert_int_equal(o->origin, ORIGIN_INCOMPLETE);
	aspath_fmt(o->aspath, buf, sizeof(buf));
	assert_string_equal(buf, "64999 64999 64500");
	community_list_fmt(o->communities, buf, sizeof(buf));
	assert_string_equal(buf, "65001:1 no-export");
	lcommunity_list_fmt(o->lcommunities, buf, sizeof(buf));
	assert_string_equal(buf, "65001:0:1");
	assert_true(ipaddr_equal(&o->nexthop, &peer));
	attrs_unref(pool, o);
	attrs_unref(pool, a);
	/* Not from AS 64500: seq 20 does not match, seq 30 on still do. */
	a = route_attrs(pool, "64501 64666", "65000:666", "65000:1:1");
	assert_int_equal(run_bgp(in, pool, "10.1.0.0/16", a, &o), P);
	assert_int_equal(o->local_pref, 0); /* absent counts as 0; -5 stops at 0 */
	assert_int_equal(o->weight, 0);
	assert_int_equal(o->med, 7);
	attrs_unref(pool, o);
	attrs_unref(pool, a);

	/* RM-OUT: prepend last-as 2, remove both community attributes. */
	a = route_attrs(pool, "64500 1", "65000:1", "65000:1:1");
	assert_int_equal(run_bgp(out, pool, "10.1.0.0/16", a, &o), P);
	aspath_fmt(o->aspath, buf, sizeof(buf));
	assert_string_equal(buf, "64500 64500 64500 1");
	assert_null(o->communities);
	assert_null(o->lcommunities);
	attrs_unref(pool, o);
	/* RM6-IN: no match clause permits everything; exclude all empties the path. */
	assert_int_equal(run_bgp(in6, pool, "2001:db8::/48", a, &o), P);
	aspath_fmt(o->aspath, buf, sizeof(buf));
	assert_string_equal(buf, "");
	attrs_unref(pool, o);
	attrs_unref(pool, a);
	conf_free(c);
	assert_pool_empty(pool);
}

/* RFC 8212 default per profile; files without policy still get an (empty) policy set. */
static void test_policy_ebgp_default(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-traditional.json");
	const struct conf_neighbor *n = nb(c, "198.51.100.1");

	assert_true(c->bgp.ebgp_requires_policy);
	assert_non_null(c->policy);
	assert_true(policy_set_built(c->policy));
	assert_null(n->route_map_in[AF4]);
	assert_true(conf_policy_blocks(&c->bgp, n, AF4, true));
	assert_true(conf_policy_blocks(&c->bgp, n, AF6, false));
	/* iBGP is never blocked. */
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "2001:db8:1::1"), AF6, true));
	conf_free(c);

	c = load_ok("conf/good-datacenter.json");
	assert_false(c->bgp.ebgp_requires_policy);
	assert_false(conf_policy_blocks(&c->bgp, nb(c, "swp1"), AF4, true));
	conf_free(c);

	c = load_ok("conf/good-no-bgp.json");
	assert_non_null(c->policy);
	conf_free(c);
}

static void test_policy_undefined_refs(void **state)
{
	/* Every instance, each at its own path, never a silent deny. */
	expect_error(
		"conf/bad-policy-refs.json", 8,
		"/routerd:routerd/policy/route-map[name='RM']/entry[seq='5']/match/prefix-list: "
		"prefix-list \"NOPE\" is not defined: add it under policy/prefix-list",
		"entry[seq='5']/match/as-path: as-path-list \"azure-asns\" is not defined: add "
		"it under policy/as-path-list",
		"entry[seq='10']/set/community-delete: community-list \"GONE\" is not defined",
		"/routerd:routerd/bgp/peer-group[name='G']/route-map-in: route-map "
		"\"rmap-group\" is not defined: add it under policy/route-map",
		"/routerd:routerd/bgp/neighbor[peer='10.0.210.4']/route-map-out: route-map "
		"\"rmap-missing\" is not defined: add it under policy/route-map",
		"neighbor[peer='2001:db8::4']/ipv6-unicast-route-map-out: route-map \"RM6\"",
		"/routerd:routerd/bgp/ipv4-unicast/network-route-map: route-map \"NET\"",
		"/routerd:routerd/bgp/ipv4-unicast/redistribute[protocol='connected']/"
		"route-map: route-map \"ACCEPT_DC_LOCAL\" is not defined",
		NULL);
}

static void test_policy_bad_regex(void **state)
{
	expect_error(
		"conf/bad-policy-regex.json", 2,
		"/routerd:routerd/policy/as-path-list[name='azure-asns']/entry[seq='10']/regex: "
		"bad regular expression \"_6551(5_\"",
		"/routerd:routerd/policy/community-list[name='C']/entry[seq='5']/regex: bad "
		"regular expression \"65000:[0-9\"",
		"_ stands for a delimiter", NULL);
}

static void test_policy_prefix_lengths(void **state)
{
	expect_error(
		"conf/bad-policy-lengths.json", 6,
		"/routerd:routerd/policy/prefix-list[name='DC_LOCAL_SUBNET']/entry[seq='5']/ge: "
		"ge 8 is shorter than the prefix length 16 of 10.1.0.0/16: set ge between 16 "
		"and 32, or remove it",
		"entry[seq='10']/le: le 26 is less than ge 28: set le between 28 and 32",
		"entry[seq='15']/le: le 33 is longer than an IPv4 prefix can be",
		"entry[seq='20']/ge: ge does not apply to \"any\"",
		"entry[seq='25']/prefix: prefix 10.3.1.0/16 has host bits set: write "
		"10.3.0.0/16",
		"entry[seq='30']/le: le 48 is less than ge 64: set le between 64 and 128", NULL);
}

static void test_policy_bad_values(void **state)
{
	expect_error(
		"conf/bad-policy-values.json", 5,
		"community[.='65536:1']: invalid community \"65536:1\"",
		"invalid community \"no-such-name\"",
		"large-community[.='1:2:4294967296']: invalid large community",
		"set/local-preference: local-preference change \"+4294967296\" is out of range",
		"set/as-path-prepend: AS number 0 in as-path-prepend is out of range", NULL);
}

/* Every missing mandatory leaf, once, at its data path (libyang's keyless repeat dropped). */
static void test_policy_missing(void **state)
{
	expect_error("conf/bad-policy-missing.json", 4,
		     "/routerd:routerd/policy/prefix-list[name='P']/entry[seq='5']/action: missing "
		     "mandatory \"action\": add it (one of \"permit\", \"deny\")",
		     "prefix-list[name='P']/entry[seq='5']/prefix: missing mandatory \"prefix\"",
		     "as-path-list[name='A']/entry[seq='5']/regex: missing mandatory \"regex\"",
		     "route-map[name='R']/entry[seq='10']/action: missing mandatory", NULL);
}

/* Rules the model states itself (must, choice): libyang reports them, rephrased. */
static void test_policy_model_rules(void **state)
{
	expect_error("conf/bad-policy-exit.json", 1,
		     "/routerd:routerd/policy/route-map[name='RM']/entry[seq='10']/on-match: "
		     "on-match on a deny entry",
		     NULL);
	expect_error("conf/bad-policy-goto.json", 1,
		     "entry[seq='20']/on-match-goto: on-match-goto must jump forward", NULL);
	expect_error("conf/bad-policy-exact.json", 1,
		     "match/community-exact-match: community-exact-match without \"community\"",
		     NULL);
	expect_error("conf/bad-policy-choice.json", 1,
		     "/routerd:routerd/policy/route-map/entry/set: \"as-path-exclude\" and "
		     "\"as-path-exclude-all\" exclude each other: keep one of them",
		     NULL);
}

/* libyang must print nothing itself, and its log options must be left as found. */
static void test_quiet(void **state)
{
	FILE *cap = tmpfile();
	int saved = dup(STDERR_FILENO);
	uint32_t opts;
	char *err = NULL;

	assert_non_null(cap);
	ly_log_options(LY_LOLOG | LY_LOSTORE_LAST);
	fflush(stderr);
	dup2(fileno(cap), STDERR_FILENO);
	assert_null(conf_load_file("conf/bad-unknown-peer-group.json", &err));
	free(err);
	assert_null(conf_load_file("conf/bad-peer-name.json", &err));
	free(err);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(ftell(cap), 0);
	fclose(cap);
	opts = ly_log_options(LY_LOLOG | LY_LOSTORE_LAST);
	assert_int_equal(opts, LY_LOLOG | LY_LOSTORE_LAST);
}

/* kernel/keep-routes-on-exit: off by default, on when set. */
static void test_keep_routes_on_exit(void **state)
{
	struct routerd_conf *dflt = load_ok("conf/good-min.json");
	struct routerd_conf *keep = load_ok("conf/good-keep-routes.json");

	assert_false(dflt->keep_routes_on_exit);
	assert_true(keep->keep_routes_on_exit);
	conf_free(dflt);
	conf_free(keep);
}

/* Reload: policy-only changes compare equal, anything else is named. */
static void test_diff_nonpolicy(void **state)
{
	struct routerd_conf *base = load_ok("conf/diff-base.json");
	struct routerd_conf *pol = load_ok("conf/diff-policy-only.json");
	struct routerd_conf *ses = load_ok("conf/diff-session.json");
	char text[512];

	assert_int_equal(conf_diff_nonpolicy(base, base, text, sizeof(text)), 0);
	assert_string_equal(text, "");
	assert_int_equal(conf_diff_nonpolicy(base, pol, text, sizeof(text)), 0);
	assert_int_equal(conf_diff_nonpolicy(base, ses, text, sizeof(text)), 3);
	assert_non_null(strstr(text, "router-id changed"));
	assert_non_null(strstr(text, "neighbor 10.0.210.5 changed"));
	assert_non_null(strstr(text, "ipv4-unicast network list changed"));
	assert_null(strstr(text, "10.0.210.4"));
	/* the description is cut to fit, never overrun */
	assert_int_equal(conf_diff_nonpolicy(base, ses, text, 8), 3);
	assert_true(strlen(text) < 8);
	conf_free(base);
	conf_free(pol);
	conf_free(ses);
}

/* ---- edge/azure-route-server: the expansion ---- */

static void assert_ars_neighbor(const struct routerd_conf *c, const char *peer, const char *desc)
{
	const struct conf_neighbor *n = nb(c, peer);

	assert_true(n->edge);
	assert_false(n->is_interface);
	assert_int_equal(n->remote_as.kind, CONF_REMOTE_AS_NUMBER);
	assert_int_equal(n->remote_as.asn, 65515);
	assert_int_equal(n->ebgp_multihop, 255);
	assert_timers(n, 60, 180, 30);
	assert_true(n->soft_reconfig_in);
	assert_int_equal(n->afs, V4);
	assert_string_equal(n->description, desc);
	assert_string_equal(rm_name(n->route_map_in[AF4]), "edge-ars-in");
	assert_string_equal(rm_name(n->route_map_out[AF4]), "edge-ars-out");
	assert_false(conf_policy_blocks(&c->bgp, n, AF4, true));
	assert_false(conf_policy_blocks(&c->bgp, n, AF4, false));
}

/* The issue's block, as written: two ARS neighbors and seed 002's policy built in. */
static void test_edge_expansion(void **state)
{
	static const struct {
		const char *path;
		enum policy_action in, out;
	} t[] = {
		{ "65515 12076 65150", P, D }, /* ER route from ARS: in; never back to ARS */
		{ "65515", P, D },	       /* VNet prefix */
		{ "0", D, P },
		{ "23456", D, P },
		{ "65000 64512", D, P }, /* private ASN first, not via 65515: bogon */
		{ "", P, P },		 /* our own supernet */
	};
	struct routerd_conf *c = load_ok("conf/good-edge.json");
	struct attr_pool *pool = attr_pool_new();

	assert_non_null(pool);
	assert_true(c->has_edge);
	assert_int_equal(c->bgp.n_neighbors, 2);
	assert_ars_neighbor(c, "10.200.2.4", "Azure Route Server instance 1");
	assert_ars_neighbor(c, "10.200.2.5", "Azure Route Server instance 2");
	assert_int_equal(c->edge.n_supernets, 1);
	assert_prefix(&c->edge.supernets[0], "10.100.0.0/19");
	assert_int_equal(c->edge.max_routes, 1000);
	assert_int_equal(c->edge.role, EDGE_ROLE_PRIMARY);
	assert_true(c->edge.conditional);
	assert_false(c->edge.manage_sysctls);
	assert_int_equal(c->edge.next_hop.family, 0);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		const struct conf_neighbor *n = nb(c, "10.200.2.5");
		struct attrs *a = route_attrs(pool, t[i].path, NULL, NULL);

		if (run_bgp(n->route_map_in[AF4], pool, "10.100.10.0/24", a, NULL) != t[i].in ||
		    run_bgp(n->route_map_out[AF4], pool, "10.100.10.0/24", a, NULL) != t[i].out)
			fail_msg("AS path \"%s\": wrong verdict", t[i].path);
		attrs_unref(pool, a);
	}
	conf_free(c);
	assert_pool_empty(pool);
}

/* Secondary: prepends its AS twice, sets the VIP; the user's entries (seq > 10) still apply. */
static void test_edge_secondary_user_policy(void **state)
{
	struct routerd_conf *c = load_ok("conf/good-edge-secondary.json");
	struct attr_pool *pool = attr_pool_new();
	const struct route_map *out = nb(c, "10.200.2.4")->route_map_out[AF4];
	struct attrs *a = route_attrs(pool, "", NULL, NULL), *res = NULL;
	char path[64], nh[ADDR_STRLEN];

	assert_int_equal(c->edge.role, EDGE_ROLE_SECONDARY);
	assert_int_equal(c->edge.max_routes, 200);
	assert_false(c->edge.conditional);
	assert_true(c->edge.manage_sysctls);
	assert_int_equal(c->edge.n_supernets, 2);
	assert_ptr_equal(out, find_rm(c, "edge-ars-out"));
	assert_int_equal(run_bgp(out, pool, "10.100.0.0/19", a, &res), P);
	assert_non_null(res);
	aspath_fmt(res->aspath, path, sizeof(path));
	assert_string_equal(path, "65002 65002");
	assert_string_equal(ipaddr_fmt(&res->nexthop, nh, sizeof(nh)), "10.200.0.10");
	attrs_unref(pool, res);
	/* the user's seq 20 denies the lab prefixes after the built-in permit went on */
	assert_int_equal(run_bgp(out, pool, "10.99.1.0/24", a, NULL), D);
	attrs_unref(pool, a);
	conf_free(c);
	assert_pool_empty(pool);
}

static void test_edge_refused(void **state)
{
	expect_error("conf/bad-edge.json", 5,
		     "/routerd:routerd/bgp/asn: asn 4200000000 is a 4-byte ASN",
		     "/routerd:routerd/edge/azure-route-server/peers: peers 10.200.2.4 and "
		     "10.200.9.5 are not in one /27",
		     "10.200.2.4 is also configured as bgp/neighbor: remove that neighbor",
		     "entry[seq='7']: seq 1-10 of route-map edge-ars-in are built into the edge "
		     "role: number your entries from 11",
		     "ipv4-unicast/network: 10.100.0.0/19 is also an edge supernet: remove it "
		     "from network",
		     NULL);
	expect_error("conf/bad-edge-asn.json", 1,
		     "/routerd:routerd/bgp/asn: asn 65515 is reserved by Azure (ARS itself)", NULL);
	expect_error("conf/bad-edge-nobgp.json", 1,
		     "/routerd:routerd/edge/azure-route-server: the edge role needs BGP", NULL);
}

/* Supernets and limits need a restart; role and next-hop are policy and reload live. */
static void test_edge_diff(void **state)
{
	struct routerd_conf *a = load_ok("conf/good-edge.json");
	struct routerd_conf *b = load_ok("conf/good-edge.json");
	char out[256];

	assert_int_equal(conf_diff_nonpolicy(a, b, out, sizeof(out)), 0);
	b->edge.role = EDGE_ROLE_SECONDARY;
	assert_int_equal(conf_diff_nonpolicy(a, b, out, sizeof(out)), 0);
	b->edge.max_routes = 4000;
	b->edge.supernets[0].len = 16;
	assert_int_equal(conf_diff_nonpolicy(a, b, out, sizeof(out)), 2);
	assert_has(out, "edge supernet list changed");
	conf_free(a);
	conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_json),
		cmocka_unit_test(test_min_xml),
		cmocka_unit_test(test_traditional),
		cmocka_unit_test(test_datacenter_groups),
		cmocka_unit_test(test_no_bgp),
		cmocka_unit_test(test_profiles_and_lookup),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_unknown_leaf),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_asn_range),
		cmocka_unit_test(test_missing_router_id),
		cmocka_unit_test(test_missing_remote_as),
		cmocka_unit_test(test_unknown_peer_group),
		cmocka_unit_test(test_duplicate_peer),
		cmocka_unit_test(test_bad_peer),
		cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_timers_after_inheritance),
		cmocka_unit_test(test_all_problems_listed),
		cmocka_unit_test(test_file_problems),
		cmocka_unit_test(test_policy_issue_shape),
		cmocka_unit_test(test_policy_seed002),
		cmocka_unit_test(test_policy_seed003),
		cmocka_unit_test(test_policy_every_clause),
		cmocka_unit_test(test_policy_ebgp_default),
		cmocka_unit_test(test_policy_undefined_refs),
		cmocka_unit_test(test_policy_bad_regex),
		cmocka_unit_test(test_policy_prefix_lengths),
		cmocka_unit_test(test_policy_bad_values),
		cmocka_unit_test(test_policy_model_rules),
		cmocka_unit_test(test_policy_missing),
		cmocka_unit_test(test_diff_nonpolicy),
		cmocka_unit_test(test_keep_routes_on_exit),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_edge_expansion),
		cmocka_unit_test(test_edge_secondary_user_policy),
		cmocka_unit_test(test_edge_refused),
		cmocka_unit_test(test_edge_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
