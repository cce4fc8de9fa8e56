/*
 * Config loader: good files resolve to the expected structs (profile timers,
 * peer-group inheritance, address families, extended next hop defaults);
 * bad files fail with one "FILE: PATH[ (line N)]: WHAT: FIX" line per
 * problem. Runs with tests/unit as working directory (tests/meson.build).
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

#define V4 BGP_AF_IPV4_UNICAST
#define V6 BGP_AF_IPV6_UNICAST

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
		cmocka_unit_test(test_quiet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
