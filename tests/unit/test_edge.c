/*
 * Unit tests of the edge role's pure core (routerd/edge/): validation of the
 * edge block (every reserved ASN, 4-byte ASNs, the peers' subnet, supernets,
 * max-routes, next hop), the neighbor templates and built-in policy, the
 * conditional advertisement of supernets, the route-count guard, and the
 * GatewaySubnet UDRs with their az commands for the seed-000 lab.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/edge/edge.h"
#include "routerd/policy/policy_set.h"
#include "routerd/policy/route_map.h"
#include "routerd/rib/attr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static struct prefix pfx(const char *s)
{
	struct prefix p;

	assert_true(prefix_parse(s, &p));
	return p;
}

static struct ipaddr addr(const char *s)
{
	struct ipaddr a;

	assert_true(ipaddr_parse(s, &a));
	return a;
}

/* Interns an AS_SEQUENCE written as FRR prints it ("65515 12076 65150"; "" is empty). */
static struct aspath *path(struct attr_pool *pool, const char *text)
{
	uint8_t data[2 + 64 * 4];
	size_t len = 2;
	const char *s = text;
	struct aspath *p;

	data[0] = ASPATH_SEQUENCE;
	data[1] = 0;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		assert_true(end != s);
		data[len++] = (uint8_t)(v >> 24);
		data[len++] = (uint8_t)(v >> 16);
		data[len++] = (uint8_t)(v >> 8);
		data[len++] = (uint8_t)v;
		data[1]++;
		s = end;
		while (*s == ' ')
			s++;
	}
	p = aspath_intern(pool, data, data[1] ? len : 0);
	assert_non_null(p);
	return p;
}

/* The seed-000 lab: NVA 10.200.0.5 (AS 65001), ARS 10.200.2.4/.5, supernet 10.100.0.0/19. */
struct lab {
	struct edge_ars_conf c;
	struct prefix supernets[4];
};

static void lab_init(struct lab *l)
{
	edge_ars_conf_init(&l->c);
	l->c.peers[0] = addr("10.200.2.4");
	l->c.peers[1] = addr("10.200.2.5");
	l->supernets[0] = pfx("10.100.0.0/19");
	l->c.supernets = l->supernets;
	l->c.n_supernets = 1;
}

/* Learned routes given as text, turned into edge_routes. */
struct rspec {
	const char *prefix;
	const char *path; /* NULL: no path at all */
};

#define MAX_ROUTES 16

struct rset {
	struct attr_pool *pool;
	struct prefix prefixes[MAX_ROUTES];
	struct edge_route v[MAX_ROUTES];
	struct edge_route_array arr;
	struct edge_routes rs;
};

static void rset_init(struct rset *r, const struct rspec *spec)
{
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	r->pool = attr_pool_new();
	assert_non_null(r->pool);
	for (; spec && spec[n].prefix; n++) {
		assert_true(n < MAX_ROUTES);
		r->prefixes[n] = pfx(spec[n].prefix);
		r->v[n].prefix = &r->prefixes[n];
		r->v[n].aspath = spec[n].path ? path(r->pool, spec[n].path) : NULL;
	}
	r->arr.v = r->v;
	r->arr.n = n;
	edge_routes_from_array(&r->rs, &r->arr);
}

static void rset_free(struct rset *r)
{
	for (size_t i = 0; i < r->arr.n; i++)
		if (r->v[i].aspath)
			aspath_unref(r->pool, (struct aspath *)r->v[i].aspath);
	attr_pool_free(r->pool);
}

/* ---- ASN ---- */

static void test_every_reserved_asn_refused(void **state)
{
	static const struct {
		uint32_t lo, hi;
		const char *why;
	} ranges[] = {
		{ 0, 0, "not a valid AS number" },
		{ 8074, 8075, "reserved by Azure (Microsoft's public ASNs)" },
		{ 12076, 12076, "reserved by Azure (ExpressRoute)" },
		{ 23456, 23456, "AS_TRANS" },
		{ 64496, 64511, "reserved for documentation (RFC 5398)" },
		{ 65515, 65515, "reserved by Azure (ARS itself)" },
		{ 65517, 65520, "reserved by Azure" },
		{ 65535, 65535, "reserved (RFC 7300)" },
		{ 65536, 65551, "reserved for documentation (RFC 5398)" },
	};
	char err[EDGE_TEXT_LEN], want[32];

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		for (uint32_t asn = ranges[i].lo; asn <= ranges[i].hi; asn++) {
			err[0] = '\0';
			assert_false(edge_asn_ok(asn, err, sizeof(err)));
			snprintf(want, sizeof(want), "asn %u is ", asn);
			assert_memory_equal(err, want, strlen(want));
			if (!strstr(err, ranges[i].why) ||
			    !strstr(err, "pick a private 2-byte ASN such as 65001"))
				fail_msg("asn %u: \"%s\"", asn, err);
		}
	}
	/* the issue's own wording */
	assert_false(edge_asn_ok(65515, err, sizeof(err)));
	assert_string_equal(err, "asn 65515 is reserved by Azure (ARS itself); pick a private "
				 "2-byte ASN such as 65001");
	/* no buffer: the verdict alone */
	assert_false(edge_asn_ok(12076, NULL, 0));
}

static void test_allowed_asns(void **state)
{
	static const uint32_t ok[] = { 1,     8073,  8076,  12075, 12077, 23455, 64495,
				       64512, 65001, 65514, 65516, 65521, 65534 };
	char err[EDGE_TEXT_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		err[0] = '\0';
		if (!edge_asn_ok(ok[i], err, sizeof(err)))
			fail_msg("asn %u refused: %s", ok[i], err);
		assert_string_equal(err, "");
	}
}

static void test_4byte_asn_refused(void **state)
{
	static const uint32_t four[] = { 65552, 131072, 4200000000u, 4294967295u };
	char err[EDGE_TEXT_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(four); i++) {
		assert_false(edge_asn_ok(four[i], err, sizeof(err)));
		assert_non_null(strstr(err, "is a 4-byte ASN"));
		assert_non_null(strstr(err, "2-byte ASNs only"));
	}
}

/* ---- the whole block ---- */

static void test_validate_seed000_lab(void **state)
{
	struct lab l;
	char err[EDGE_TEXT_LEN] = "x";

	lab_init(&l);
	assert_int_equal(edge_validate(&l.c, 65001, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(edge_check(&l.c, 65001, NULL, NULL), 0);
	/* the defaults the block expands with */
	assert_int_equal(l.c.max_routes, 1000);
	assert_true(l.c.conditional);
	assert_int_equal(l.c.role, EDGE_ROLE_PRIMARY);
	assert_int_equal(l.c.peer_subnet_len, 27);
	assert_int_equal(l.c.next_hop.family, 0);
}

enum mut {
	M_NONE,
	M_PEER1,	/* peers[1] = arg */
	M_PEER0_UNSET,	/* peers[0] missing */
	M_SUBNET_LEN,	/* peer_subnet_len = num */
	M_SUPERNET0,	/* supernets[0] = arg */
	M_ADD_SUPERNET, /* supernets[n++] = arg */
	M_NO_SUPERNET,
	M_MAX_ROUTES, /* max_routes = num */
	M_NEXT_HOP,   /* next_hop = arg */
	M_ROLE,	      /* role = num */
};

struct problem_row {
	const char *what;
	enum mut mut;
	const char *arg;
	unsigned num;
	const char *node; /* NULL: valid */
	const char *msg;  /* substring of the message */
};

static const struct problem_row problem_rows[] = {
	{ "seed 000 as is", M_NONE, NULL, 0, NULL, NULL },
	{ "peers in different subnets", M_PEER1, "10.200.3.4", 0, "peers",
	  "peers 10.200.2.4 and 10.200.3.4 are not in one /27 (10.200.2.0/27 holds only the "
	  "first)" },
	{ "same /24, different /27", M_PEER1, "10.200.2.40", 0, "peers", "not in one /27" },
	{ "a /29 RouteServerSubnet still shares the /27", M_PEER1, "10.200.2.6", 0, NULL, NULL },
	{ "both peers the same", M_PEER1, "10.200.2.4", 0, "peers", "both peers are 10.200.2.4" },
	{ "peer over IPv6", M_PEER1, "2001:db8::5", 0, "peers", "is not IPv4" },
	{ "peer 0.0.0.0", M_PEER1, "0.0.0.0", 0, "peers", "0.0.0.0 is not an address" },
	{ "one peer only", M_PEER0_UNSET, NULL, 0, "peers", "ARS always runs two instances" },
	{ "subnet length too long", M_SUBNET_LEN, NULL, 28, "peer-subnet-length",
	  "peer-subnet-length 28 is out of range" },
	{ "subnet length too short", M_SUBNET_LEN, NULL, 7, "peer-subnet-length", "out of range" },
	{ "supernet IPv6", M_SUPERNET0, "2001:db8::/32", 0, "supernet", "is not IPv4" },
	{ "supernet host bits", M_SUPERNET0, "10.100.1.0/19", 0, "supernet",
	  "supernet 10.100.1.0/19 has host bits set: write 10.100.0.0/19" },
	{ "supernet /32", M_SUPERNET0, "10.100.0.1/32", 0, "supernet", "is a host route" },
	{ "supernet twice", M_ADD_SUPERNET, "10.100.0.0/19", 0, "supernet", "listed twice" },
	{ "a second supernet", M_ADD_SUPERNET, "10.101.0.0/16", 0, NULL, NULL },
	{ "default route as supernet", M_SUPERNET0, "0.0.0.0/0", 0, NULL, NULL },
	{ "no supernet", M_NO_SUPERNET, NULL, 0, "supernet", "no supernet" },
	{ "max-routes 0", M_MAX_ROUTES, NULL, 0, "max-routes", "max-routes 0 is out of range" },
	{ "max-routes 4001", M_MAX_ROUTES, NULL, 4001, "max-routes", "4,000 when raised" },
	{ "max-routes 4000", M_MAX_ROUTES, NULL, 4000, NULL, NULL },
	{ "max-routes 1 with 2 supernets", M_ADD_SUPERNET, "10.101.0.0/16", 1, "supernet",
	  "2 supernets exceed max-routes 1" },
	{ "VIP", M_NEXT_HOP, "10.200.0.100", 0, NULL, NULL },
	{ "VIP is a peer", M_NEXT_HOP, "10.200.2.5", 0, "next-hop", "is a Route Server peer" },
	{ "VIP in RouteServerSubnet", M_NEXT_HOP, "10.200.2.10", 0, "next-hop",
	  "lies in RouteServerSubnet (10.200.2.0/27)" },
	{ "VIP IPv6", M_NEXT_HOP, "2001:db8::1", 0, "next-hop", "not an IPv4 address" },
	{ "role unknown", M_ROLE, NULL, 7, "role", "role 7 is unknown" },
	{ "secondary", M_ROLE, NULL, EDGE_ROLE_SECONDARY, NULL, NULL },
};

struct got {
	unsigned n;
	char node[64];
	char msg[EDGE_TEXT_LEN];
};

static void record(void *ctx, const char *node, const char *msg)
{
	struct got *g = ctx;

	if (!g->n++) {
		snprintf(g->node, sizeof(g->node), "%s", node);
		snprintf(g->msg, sizeof(g->msg), "%s", msg);
	}
}

static void apply_mut(struct lab *l, const struct problem_row *r)
{
	switch (r->mut) {
	case M_NONE:
		break;
	case M_PEER1:
		l->c.peers[1] = addr(r->arg);
		break;
	case M_PEER0_UNSET:
		memset(&l->c.peers[0], 0, sizeof(l->c.peers[0]));
		break;
	case M_SUBNET_LEN:
		l->c.peer_subnet_len = (uint8_t)r->num;
		break;
	case M_SUPERNET0:
		l->supernets[0] = pfx(r->arg);
		break;
	case M_ADD_SUPERNET:
		l->supernets[l->c.n_supernets++] = pfx(r->arg);
		if (r->num)
			l->c.max_routes = r->num;
		break;
	case M_NO_SUPERNET:
		l->c.n_supernets = 0;
		break;
	case M_MAX_ROUTES:
		l->c.max_routes = r->num;
		break;
	case M_NEXT_HOP:
		l->c.next_hop = addr(r->arg);
		break;
	case M_ROLE:
		l->c.role = (enum edge_role)r->num;
		break;
	}
}

static void test_validate_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(problem_rows); i++) {
		const struct problem_row *r = &problem_rows[i];
		struct got g = { 0 };
		char err[EDGE_TEXT_LEN * 2];
		struct lab l;
		unsigned n;

		lab_init(&l);
		apply_mut(&l, r);
		n = edge_check(&l.c, 65001, record, &g);
		if (!r->node) {
			if (n)
				fail_msg("%s: unexpected problem %s: %s", r->what, g.node, g.msg);
			assert_int_equal(edge_validate(&l.c, 65001, err, sizeof(err)), 0);
			continue;
		}
		if (n != 1 || strcmp(g.node, r->node) != 0 || !strstr(g.msg, r->msg))
			fail_msg("%s: got %u problem(s), first %s: %s", r->what, n, g.node, g.msg);
		assert_int_equal(edge_validate(&l.c, 65001, err, sizeof(err)), -1);
		assert_memory_equal(err, r->node, strlen(r->node));
	}
}

static void test_validate_peer_subnet_len_given(void **state)
{
	struct lab l;

	/* .4 and .40 share a /24: accepted when the operator says the subnet is a /24 */
	lab_init(&l);
	l.c.peers[1] = addr("10.200.2.40");
	assert_int_equal(edge_check(&l.c, 65001, NULL, NULL), 1);
	l.c.peer_subnet_len = 24;
	assert_int_equal(edge_check(&l.c, 65001, NULL, NULL), 0);
	/* 0 means the default /27 */
	l.c.peer_subnet_len = 0;
	assert_int_equal(edge_check(&l.c, 65001, NULL, NULL), 1);
}

static void test_validate_reports_every_problem(void **state)
{
	char err[2048];
	struct lab l;

	lab_init(&l);
	l.c.peers[1] = addr("10.200.3.5");
	l.c.max_routes = 5000;
	assert_int_equal(edge_check(&l.c, 65515, NULL, NULL), 3);
	assert_int_equal(edge_validate(&l.c, 65515, err, sizeof(err)), -1);
	assert_memory_equal(err, "asn: asn 65515 is reserved by Azure (ARS itself)", 48);
	assert_non_null(strstr(err, "\npeers: peers 10.200.2.4 and 10.200.3.5 are not in one /27"));
	assert_non_null(strstr(err, "\nmax-routes: max-routes 5000 is out of range"));
	/* a short buffer is cut, not overrun */
	assert_int_equal(edge_validate(&l.c, 65515, err, 20), -1);
	assert_int_equal(strlen(err), 19);
	assert_int_equal(edge_validate(&l.c, 65515, NULL, 0), -1);
}

/* ---- expansion ---- */

static void test_neighbor_templates(void **state)
{
	struct edge_neighbor n[2];
	char a[ADDR_STRLEN];
	struct lab l;

	lab_init(&l);
	edge_neighbors(&l.c, n);
	for (unsigned i = 0; i < 2; i++) {
		assert_string_equal(ipaddr_fmt(&n[i].addr, a, sizeof(a)),
				    i ? "10.200.2.5" : "10.200.2.4");
		assert_int_equal(n[i].remote_as, 65515);
		assert_int_equal(n[i].ebgp_multihop, 255);
		assert_int_equal(n[i].keepalive, 60);
		assert_int_equal(n[i].hold, 180);
		assert_true(n[i].soft_reconfig_in);
		assert_true(n[i].route_refresh);
		assert_true(n[i].ipv4_only);
		assert_string_equal(n[i].route_map_in, EDGE_RM_IN);
		assert_string_equal(n[i].route_map_out, EDGE_RM_OUT);
	}
	assert_string_equal(n[0].description, "Azure Route Server instance 1");
	assert_string_equal(n[1].description, "Azure Route Server instance 2");
	assert_int_equal(edge_prepend_count(EDGE_ROLE_PRIMARY), 0);
	assert_int_equal(edge_prepend_count(EDGE_ROLE_SECONDARY), 2);
}

static void test_builtin_policy_is_seed002(void **state)
{
	static const struct edge_aspath_entry want[] = {
		{ EDGE_ASPATH_AZURE, 5, POLICY_PERMIT, "_65515_" },
		{ EDGE_ASPATH_BOGON, 5, POLICY_PERMIT, "_0_" },
		{ EDGE_ASPATH_BOGON, 10, POLICY_PERMIT, "_23456_" },
		{ EDGE_ASPATH_BOGON, 15, POLICY_PERMIT, "_1310[0-6][0-9]_|_13107[0-1]_" },
		{ EDGE_ASPATH_BOGON, 20, POLICY_DENY, "_65515_" },
		{ EDGE_ASPATH_BOGON, 25, POLICY_PERMIT, "^65" },
	};
	const struct edge_aspath_entry *a;
	const struct edge_rm_entry *rm;
	size_t n;

	a = edge_builtin_aspath(&n);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(a[i].list, want[i].list);
		assert_int_equal(a[i].seq, want[i].seq);
		assert_int_equal(a[i].action, want[i].action);
		assert_string_equal(a[i].regex, want[i].regex);
	}
	rm = edge_builtin_route_maps(&n);
	assert_int_equal(n, 4);
	assert_string_equal(rm[0].route_map, EDGE_RM_IN);
	assert_int_equal(rm[0].action, POLICY_DENY);
	assert_string_equal(rm[0].match_as_path, EDGE_ASPATH_BOGON);
	assert_int_equal(rm[1].seq, 10);
	assert_null(rm[1].match_as_path);
	assert_string_equal(rm[2].route_map, EDGE_RM_OUT);
	assert_string_equal(rm[2].match_as_path, EDGE_ASPATH_AZURE);
	assert_true(rm[3].set_role_prepend);
	assert_true(rm[3].set_next_hop);
}

/* What a route-map does with a path: the verdict and the path it leaves. */
struct pol_row {
	const char *map;
	const char *path;
	enum policy_action want;
	const char *want_path; /* NULL: unchanged */
	const char *want_nh;   /* NULL: unchanged */
};

static void run_pol_rows(struct policy_set *ps, const struct pol_row *rows, size_t n)
{
	struct attr_pool *pool = attr_pool_new();

	assert_non_null(pool);
	for (size_t i = 0; i < n; i++) {
		const struct pol_row *r = &rows[i];
		struct route_map *rm = policy_set_find_route_map(ps, r->map, NULL);
		struct prefix p = pfx("10.100.10.0/24");
		struct policy_result res;
		struct attrs tmpl, *at;
		char got[128], nh[ADDR_STRLEN];
		enum policy_action v;

		assert_non_null(rm);
		attrs_init(&tmpl);
		tmpl.aspath = path(pool, r->path);
		tmpl.nexthop = addr("10.200.0.5");
		at = attrs_intern(pool, &tmpl);
		aspath_unref(pool, tmpl.aspath);
		assert_non_null(at);
		struct policy_route route = { .prefix = &p, .attrs = at, .peer_as = 65515 };
		v = route_map_apply(rm, pool, &route, &res);
		if (v != r->want)
			fail_msg("%s \"%s\": got %s", r->map, r->path, policy_action_str(v));
		if (v == POLICY_PERMIT) {
			const struct attrs *out = res.modified ? &res.attrs : at;

			aspath_fmt(out->aspath, got, sizeof(got));
			assert_string_equal(got, r->want_path ? r->want_path : r->path);
			ipaddr_fmt(&out->nexthop, nh, sizeof(nh));
			assert_string_equal(nh, r->want_nh ? r->want_nh : "10.200.0.5");
			if (res.modified)
				policy_result_release(pool, &res);
		}
		attrs_unref(pool, at);
	}
	attr_pool_free(pool);
}

static struct policy_set *installed(const struct edge_ars_conf *c)
{
	struct policy_set *ps = policy_set_new();
	struct policy_err err = { { 0 } };

	assert_non_null(ps);
	if (edge_policy_install(ps, c, 65001, &err) || policy_set_build(ps, &err))
		fail_msg("%s", err.msg);
	return ps;
}

static void test_policy_primary(void **state)
{
	/* docs/policy.md's table of seed 002, through the built-in maps */
	static const struct pol_row rows[] = {
		{ EDGE_RM_IN, "65515 12076 65150", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_IN, "65515", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_IN, "0", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_IN, "23456", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_IN, "131072", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_IN, "64512 65000", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_IN, "65000 64512", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_OUT, "65515 12076 65150", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_OUT, "65515", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_OUT, "", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_OUT, "65002", POLICY_PERMIT, NULL, NULL },
	};
	struct policy_set *ps;
	struct lab l;

	lab_init(&l);
	ps = installed(&l.c);
	run_pol_rows(ps, rows, ARRAY_SIZE(rows));
	policy_set_free(ps);
}

static void test_policy_secondary_with_vip(void **state)
{
	static const struct pol_row rows[] = {
		{ EDGE_RM_OUT, "", POLICY_PERMIT, "65001 65001", "10.200.0.100" },
		{ EDGE_RM_OUT, "65002", POLICY_PERMIT, "65001 65001 65002", "10.200.0.100" },
		{ EDGE_RM_OUT, "65515 12076 65150", POLICY_DENY, NULL, NULL },
		/* inbound is the same for both roles */
		{ EDGE_RM_IN, "65515 12076 65151", POLICY_PERMIT, NULL, NULL },
	};
	struct policy_set *ps;
	struct lab l;

	lab_init(&l);
	l.c.role = EDGE_ROLE_SECONDARY;
	l.c.next_hop = addr("10.200.0.100");
	ps = installed(&l.c);
	run_pol_rows(ps, rows, ARRAY_SIZE(rows));
	policy_set_free(ps);
}

static void test_policy_user_extension(void **state)
{
	static const struct pol_row rows[] = {
		/* the user's entries run after the built-in ones */
		{ EDGE_RM_OUT, "", POLICY_PERMIT, NULL, NULL },
		{ EDGE_RM_OUT, "65099", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_OUT, "65515 65099", POLICY_DENY, NULL, NULL },
		{ EDGE_RM_OUT, "65002", POLICY_PERMIT, NULL, NULL },
	};
	struct policy_err err = { { 0 } };
	struct policy_set *ps = policy_set_new();
	struct aspath_list *al;
	struct route_map *rm;
	struct rm_entry *e;
	struct lab l;

	lab_init(&l);
	al = policy_set_aspath_list(ps, "LAB");
	assert_int_equal(aspath_list_add(al, 5, POLICY_PERMIT, "_65099_", &err), 0);
	rm = policy_set_route_map(ps, EDGE_RM_OUT);
	e = route_map_add_entry(rm, 20, POLICY_DENY, &err);
	assert_non_null(e);
	assert_int_equal(rm_match_as_path(e, "LAB", &err), 0);
	assert_non_null(route_map_add_entry(rm, 30, POLICY_PERMIT, &err));
	assert_int_equal(edge_policy_install(ps, &l.c, 65001, &err), 0);
	assert_int_equal(policy_set_build(ps, &err), 0);
	run_pol_rows(ps, rows, ARRAY_SIZE(rows));
	policy_set_free(ps);
}

static void test_policy_install_conflicts(void **state)
{
	struct policy_err err = { { 0 } };
	struct policy_set *ps;
	struct lab l;

	lab_init(&l);
	/* a user entry on a reserved seq */
	ps = policy_set_new();
	assert_non_null(
		route_map_add_entry(policy_set_route_map(ps, EDGE_RM_IN), 10, POLICY_PERMIT, &err));
	assert_int_equal(edge_policy_install(ps, &l.c, 65001, &err), -1);
	assert_string_equal(err.msg, "route-map edge-ars-in seq 10 is built into the edge role "
				     "(seq 1-10 are reserved): number your entries from 11");
	policy_set_free(ps);
	/* a user list under a built-in name */
	ps = policy_set_new();
	assert_int_equal(aspath_list_add(policy_set_aspath_list(ps, EDGE_ASPATH_BOGON), 1,
					 POLICY_PERMIT, "_1_", &err),
			 0);
	assert_int_equal(edge_policy_install(ps, &l.c, 65001, &err), -1);
	assert_non_null(
		strstr(err.msg, "as-path-list edge-bogon-asns is built into the edge role"));
	policy_set_free(ps);
	/* seed 002's own names stay free for the user */
	ps = policy_set_new();
	assert_int_equal(aspath_list_add(policy_set_aspath_list(ps, "bogon-asns"), 5, POLICY_PERMIT,
					 "_0_", &err),
			 0);
	assert_int_equal(edge_policy_install(ps, &l.c, 65001, &err), 0);
	policy_set_free(ps);

	static const struct {
		const char *map;
		uint32_t seq;
		bool reserved;
	} seqs[] = {
		{ EDGE_RM_IN, 1, true },	 { EDGE_RM_IN, 7, true },
		{ EDGE_RM_OUT, 10, true },	 { EDGE_RM_OUT, 11, false },
		{ "rmap-azure-asns", 5, false }, { NULL, 5, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(seqs); i++)
		assert_int_equal(edge_policy_seq_reserved(seqs[i].map, seqs[i].seq),
				 seqs[i].reserved);
}

/* ---- conditional advertisement ---- */

struct state_row {
	const char *what;
	const char *supernet;
	bool conditional;
	struct rspec routes[8];
	bool advertise;
	unsigned n_er, n_warnings;
	const char *reason;  /* exact */
	const char *warning; /* substring; NULL: "" */
};

static const struct state_row state_rows[] = {
	{ "no routes",
	  "10.100.0.0/19",
	  true,
	  { { NULL, NULL } },
	  false,
	  0,
	  0,
	  "no ER-learned route inside",
	  NULL },
	{ "VNet route inside is no reason",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.5.0/24", "65515" }, { "10.200.0.0/16", "65515" }, { NULL, NULL } },
	  false,
	  0,
	  0,
	  "no ER-learned route inside (1 route inside without 12076 in the path does not count)",
	  NULL },
	{ "one site route",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.10.0/24", "65515 12076 65150" }, { NULL, NULL } },
	  true,
	  1,
	  0,
	  "1 ER route inside (10.100.10.0/24 via 12076 65150)",
	  NULL },
	{ "seed 000: two sites from both instances, plus the VNet",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.20.0/24", "65515 12076 65151" },
	    { "10.100.10.0/24", "65515 12076 65150" },
	    { "10.100.20.0/24", "65515 12076 65151" },
	    { "10.100.10.0/24", "65515 12076 65150" },
	    { "10.200.0.0/16", "65515" },
	    { NULL, NULL } },
	  true,
	  2,
	  0,
	  "2 ER routes inside (10.100.10.0/24 via 12076 65150, 10.100.20.0/24 via 12076 65151)",
	  NULL },
	{ "site route outside the supernet",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.32.0/24", "65515 12076 65150" }, { NULL, NULL } },
	  false,
	  0,
	  0,
	  "no ER-learned route inside",
	  NULL },
	{ "site route equal to the supernet",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.0.0/19", "65515 12076 65150" }, { NULL, NULL } },
	  false,
	  0,
	  1,
	  "no ER-learned route inside",
	  "ER-learned 10.100.0.0/19 (via 12076 65150) is not more specific than supernet "
	  "10.100.0.0/19, so it does not hairpin through the NVA: make the supernet /18 or "
	  "shorter" },
	{ "site route covering the supernet, next to one inside",
	  "10.100.0.0/19",
	  true,
	  { { "10.0.0.0/8", "65515 12076 65152" },
	    { "10.100.10.0/24", "65515 12076 65150" },
	    { NULL, NULL } },
	  true,
	  1,
	  1,
	  "1 ER route inside (10.100.10.0/24 via 12076 65150)",
	  "ER-learned 10.0.0.0/8 (via 12076 65152) is not more specific than supernet "
	  "10.100.0.0/19, so it does not hairpin through the NVA: make the supernet /7 or "
	  "shorter" },
	{ "ExpressRoute default route",
	  "10.100.0.0/19",
	  true,
	  { { "0.0.0.0/0", "65515 12076 65150" }, { NULL, NULL } },
	  false,
	  0,
	  1,
	  "no ER-learned route inside",
	  "a default route from ExpressRoute cannot be covered" },
	{ "conditional off",
	  "10.100.0.0/19",
	  false,
	  { { NULL, NULL } },
	  true,
	  0,
	  0,
	  "conditional advertisement off: always advertised; no ER-learned route inside",
	  NULL },
	{ "many sites",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.1.0/24", "65515 12076 65101" },
	    { "10.100.2.0/24", "65515 12076 65102" },
	    { "10.100.3.0/24", "65515 12076 65103" },
	    { "10.100.4.0/24", "65515 12076 65104" },
	    { "10.100.5.0/24", "65515 12076 65105" },
	    { "10.100.6.0/24", "65515 12076 65106" },
	    { "10.100.6.0/24", NULL },
	    { NULL, NULL } },
	  true,
	  6,
	  0,
	  "6 ER routes inside (10.100.1.0/24 via 12076 65101, 10.100.2.0/24 via 12076 65102, "
	  "10.100.3.0/24 via 12076 65103, 10.100.4.0/24 via 12076 65104, and 2 more)",
	  NULL },
	{ "same site over two circuits: the shorter path names it",
	  "10.100.0.0/19",
	  true,
	  { { "10.100.10.0/24", "65515 12076 65200 65150" },
	    { "10.100.10.0/24", "65515 12076 65150" },
	    { NULL, NULL } },
	  true,
	  1,
	  0,
	  "1 ER route inside (10.100.10.0/24 via 12076 65150)",
	  NULL },
};

static void test_supernet_state_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_rows); i++) {
		const struct state_row *r = &state_rows[i];
		struct prefix sn = pfx(r->supernet);
		struct edge_supernet_state st;
		struct rset rs;

		rset_init(&rs, r->routes);
		assert_int_equal(edge_supernet_state(&sn, r->conditional, &rs.rs, &st), 0);
		if (st.advertise != r->advertise || st.n_er != r->n_er ||
		    st.n_warnings != r->n_warnings || strcmp(st.reason, r->reason) != 0)
			fail_msg("%s: advertise %d n_er %u warnings %u reason \"%s\"", r->what,
				 st.advertise, st.n_er, st.n_warnings, st.reason);
		if (r->warning ? !strstr(st.warning, r->warning) : st.warning[0] != '\0')
			fail_msg("%s: warning \"%s\"", r->what, st.warning);
		rset_free(&rs);
	}
}

/* ---- route-count guard ---- */

static void test_route_guard(void **state)
{
	static const struct {
		size_t candidates, supernets, reserved;
		uint32_t max;
		enum edge_guard_mode mode;
		size_t sent;
		bool alarm, near;
	} rows[] = {
		{ 1, 1, 0, 1000, EDGE_GUARD_SEND_ALL, 1, false, false },
		{ 899, 1, 0, 1000, EDGE_GUARD_SEND_ALL, 899, false, false },
		{ 900, 1, 0, 1000, EDGE_GUARD_SEND_ALL, 900, false, true },
		{ 999, 1, 0, 1000, EDGE_GUARD_SEND_ALL, 999, false, true },
		{ 1000, 1, 0, 1000, EDGE_GUARD_SEND_ALL, 1000, false, true },
		{ 1001, 1, 0, 1000, EDGE_GUARD_SUPERNETS_ONLY, 1, true, false },
		{ 1500, 2, 0, 1000, EDGE_GUARD_SUPERNETS_ONLY, 2, true, false },
		{ 4000, 3, 0, 4000, EDGE_GUARD_SEND_ALL, 4000, false, true },
		{ 4001, 3, 0, 4000, EDGE_GUARD_SUPERNETS_ONLY, 3, true, false },
		{ 5, 3, 0, 2, EDGE_GUARD_SEND_NOTHING, 0, true, false },
		/* the supernet withdrawn (no ER route): its room is kept, as the guard admits */
		{ 999, 0, 1, 1000, EDGE_GUARD_SEND_ALL, 999, false, true },
		{ 1000, 0, 1, 1000, EDGE_GUARD_SUPERNETS_ONLY, 0, true, false },
		{ 999, 1, 1, 1000, EDGE_GUARD_SEND_ALL, 999, false, true },
		{ 1000, 1, 1, 1000, EDGE_GUARD_SUPERNETS_ONLY, 1, true, false },
		{ 0, 0, 2, 2, EDGE_GUARD_SEND_ALL, 0, false, true },
	};
	struct edge_guard g;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		edge_route_guard(rows[i].candidates, rows[i].supernets, rows[i].reserved,
				 rows[i].max, &g);
		if (g.mode != rows[i].mode || g.sent != rows[i].sent || g.alarm != rows[i].alarm ||
		    g.near != rows[i].near)
			fail_msg("row %zu: mode %d sent %zu alarm %d near %d", i, g.mode, g.sent,
				 g.alarm, g.near);
		assert_true(g.sent + rows[i].reserved <= rows[i].max ||
			    g.mode != EDGE_GUARD_SEND_ALL);
		assert_true(g.sent <= rows[i].max);
		assert_true(g.text[0] != '\0');
	}
	edge_route_guard(1001, 1, 0, 1000, &g);
	assert_string_equal(
		g.text, "policy would send 1001 routes to Azure Route Server, above max-routes "
			"1000 (ARS resets the session above its limit): sending the supernets only "
			"(1 advertised); narrow the outbound policy or raise max-routes (ARS "
			"accepts up to 4,000 when its limit is raised)");
	edge_route_guard(999, 1, 0, 1000, &g);
	assert_string_equal(
		g.text, "999 of max-routes 1000 routes sent to Azure Route Server: close to the "
			"limit");
	edge_route_guard(1000, 0, 1, 1000, &g);
	assert_string_equal(
		g.text, "policy would send 1000 routes to Azure Route Server (and room is kept for "
			"1 withdrawn supernet), above max-routes 1000 (ARS resets the session "
			"above its limit): sending the supernets only (0 advertised); narrow the "
			"outbound policy or raise max-routes (ARS accepts up to 4,000 when its "
			"limit is raised)");
}

/* ---- UDRs ---- */

static const struct rspec seed000_routes[] = {
	{ "10.100.20.0/24", "65515 12076 65151" },
	{ "10.100.10.0/24", "65515 12076 65150" },
	{ "10.100.20.0/24", "65515 12076 65151" },
	{ "10.100.10.0/24", "65515 12076 65150" },
	{ "10.200.0.0/16", "65515" },
	{ "10.100.5.0/24", "65515" },
	{ "10.100.0.0/19", "65515 12076 65150" },
	{ "172.16.0.0/24", "65515 12076 65150" },
	{ NULL, NULL },
};

static void expect_udrs(const struct edge_udr *u, size_t n, const char *const *want, size_t nwant,
			const char *nh)
{
	char p[ADDR_STRLEN + 4], a[ADDR_STRLEN];

	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(prefix_fmt(&u[i].prefix, p, sizeof(p)), want[i]);
		assert_string_equal(ipaddr_fmt(&u[i].next_hop, a, sizeof(a)), nh);
	}
}

static void test_udrs_seed000(void **state)
{
	static const char *const want[] = { "10.100.10.0/24", "10.100.20.0/24" };
	struct ipaddr nva = addr("10.200.0.5");
	struct edge_udr *u;
	struct rset rs;
	struct lab l;
	size_t n;

	lab_init(&l);
	rset_init(&rs, seed000_routes);
	/* the NVA's own address; VNet routes, the equal /19 and routes outside are left out */
	assert_int_equal(edge_udrs(&l.c, &nva, &rs.rs, &u, &n), 0);
	expect_udrs(u, n, want, ARRAY_SIZE(want), "10.200.0.5");
	free(u);
	/* the load balancer VIP wins */
	l.c.next_hop = addr("10.200.0.100");
	assert_int_equal(edge_udrs(&l.c, &nva, &rs.rs, &u, &n), 0);
	expect_udrs(u, n, want, ARRAY_SIZE(want), "10.200.0.100");
	free(u);
	assert_int_equal(edge_udrs(&l.c, NULL, &rs.rs, &u, &n), 0);
	assert_int_equal(n, 2);
	free(u);
	/* no next hop at all */
	memset(&l.c.next_hop, 0, sizeof(l.c.next_hop));
	assert_int_equal(edge_udrs(&l.c, NULL, &rs.rs, &u, &n), -1);
	assert_null(u);
	rset_free(&rs);
	/* nothing learned: no UDR */
	rset_init(&rs, NULL);
	assert_int_equal(edge_udrs(&l.c, &nva, &rs.rs, &u, &n), 0);
	assert_int_equal(n, 0);
	assert_null(u);
	rset_free(&rs);
}

static void test_udrs_two_supernets_sorted(void **state)
{
	static const struct rspec routes[] = {
		{ "10.101.0.0/24", "65515 12076 65160" },
		{ "10.100.10.0/25", "65515 12076 65150" },
		{ "10.100.10.0/24", "65515 12076 65150" },
		{ "10.100.9.0/24", "65515 12076 65150" },
		{ NULL, NULL },
	};
	static const char *const want[] = { "10.100.9.0/24", "10.100.10.0/24", "10.100.10.0/25",
					    "10.101.0.0/24" };
	struct ipaddr nva = addr("10.200.0.5");
	struct edge_udr *u;
	struct rset rs;
	struct lab l;
	size_t n;

	lab_init(&l);
	l.supernets[1] = pfx("10.101.0.0/16");
	l.c.n_supernets = 2;
	rset_init(&rs, routes);
	assert_int_equal(edge_udrs(&l.c, &nva, &rs.rs, &u, &n), 0);
	expect_udrs(u, n, want, ARRAY_SIZE(want), "10.200.0.5");
	free(u);
	rset_free(&rs);
}

static void test_az_command(void **state)
{
	struct edge_udr u = { .prefix = pfx("10.100.10.0/24"), .next_hop = addr("10.200.0.5") };
	char out[512], name[48];
	int len;

	assert_int_equal(edge_udr_name(&u, name, sizeof(name)), 19);
	assert_string_equal(name, "site-10-100-10-0-24");
	len = edge_az_command(&u, "RT", "RG", out, sizeof(out));
	assert_string_equal(out, "az network route-table route create --resource-group RG "
				 "--route-table-name RT --name site-10-100-10-0-24 "
				 "--address-prefix 10.100.10.0/24 --next-hop-type VirtualAppliance "
				 "--next-hop-ip-address 10.200.0.5");
	assert_int_equal(len, (int)strlen(out));
	/* an exact fit is not a cut */
	assert_int_equal(edge_az_command(&u, "RT", "RG", out, (size_t)len + 1), len);
	assert_int_equal(edge_az_command(&u, "RT", "RG", out, (size_t)len), -1);

	u.prefix = pfx("10.100.20.0/24");
	u.next_hop = addr("10.200.0.100");
	assert_true(edge_az_command(&u, "rt-gatewaysubnet", "rg-hub.prod_1", out, sizeof(out)) > 0);
	assert_string_equal(out, "az network route-table route create --resource-group "
				 "rg-hub.prod_1 --route-table-name rt-gatewaysubnet --name "
				 "site-10-100-20-0-24 --address-prefix 10.100.20.0/24 "
				 "--next-hop-type VirtualAppliance --next-hop-ip-address "
				 "10.200.0.100");
	/* names a shell would interpret are quoted; none given prints placeholders */
	assert_true(edge_az_command(&u, NULL, "rg (prod)'s", out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "--resource-group 'rg (prod)'\\''s' --route-table-name "
				    "<route-table> --name"));
	assert_true(edge_az_command(&u, "RT", NULL, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "--resource-group <resource-group> --route-table-name RT"));
	/* too small: -1, still terminated */
	assert_int_equal(edge_az_command(&u, "RT", "RG", out, 40), -1);
	assert_int_equal(strlen(out), 39);
	assert_int_equal(edge_az_command(&u, "RT", "RG", out, 0), -1);
}

/* ---- sysctls ---- */

static void test_sysctls(void **state)
{
	static const struct {
		enum edge_sysctl_id id;
		const char *ifname;
		const char *key, *path;
		int want;
	} rows[] = {
		{ EDGE_SYSCTL_IP_FORWARD, NULL, "net.ipv4.ip_forward",
		  "/proc/sys/net/ipv4/ip_forward", 1 },
		{ EDGE_SYSCTL_REDIRECTS_ALL, NULL, "net.ipv4.conf.all.send_redirects",
		  "/proc/sys/net/ipv4/conf/all/send_redirects", 0 },
		{ EDGE_SYSCTL_REDIRECTS_DEFAULT, "eth0", "net.ipv4.conf.default.send_redirects",
		  "/proc/sys/net/ipv4/conf/default/send_redirects", 0 },
		{ EDGE_SYSCTL_REDIRECTS_IFACE, "eth0", "net.ipv4.conf.eth0.send_redirects",
		  "/proc/sys/net/ipv4/conf/eth0/send_redirects", 0 },
		{ EDGE_SYSCTL_REDIRECTS_IFACE, "eth0.100", "net.ipv4.conf.eth0/100.send_redirects",
		  "/proc/sys/net/ipv4/conf/eth0.100/send_redirects", 0 },
	};
	struct edge_sysctl_check chk;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_int_equal(edge_sysctl_prepare(rows[i].id, rows[i].ifname, &chk), 0);
		assert_string_equal(chk.key, rows[i].key);
		assert_string_equal(chk.path, rows[i].path);
		assert_int_equal(chk.want, rows[i].want);
		edge_sysctl_eval(&chk, rows[i].want);
		assert_true(chk.ok);
		edge_sysctl_eval(&chk, !rows[i].want);
		assert_false(chk.ok);
		assert_non_null(strstr(chk.text, "fix: sysctl -w "));
	}
	assert_int_equal(edge_sysctl_prepare(EDGE_SYSCTL_IP_FORWARD, NULL, &chk), 0);
	edge_sysctl_eval(&chk, 0);
	assert_string_equal(chk.text, "net.ipv4.ip_forward = 0, want 1: the NVA must forward the "
				      "hairpin traffic; fix: sysctl -w net.ipv4.ip_forward=1 (or "
				      "set manage-sysctls)");
	edge_sysctl_eval(&chk, 1);
	assert_string_equal(chk.text, "net.ipv4.ip_forward = 1 (ok)");
	edge_sysctl_eval(&chk, -1);
	assert_false(chk.ok);
	assert_non_null(strstr(chk.text, "could not be read"));
	/* interface names that would leave the directory */
	assert_int_equal(edge_sysctl_prepare(EDGE_SYSCTL_REDIRECTS_IFACE, NULL, &chk), -1);
	assert_int_equal(edge_sysctl_prepare(EDGE_SYSCTL_REDIRECTS_IFACE, "..", &chk), -1);
	assert_int_equal(edge_sysctl_prepare(EDGE_SYSCTL_REDIRECTS_IFACE, "a/b", &chk), -1);
	assert_int_equal(
		edge_sysctl_prepare(EDGE_SYSCTL_REDIRECTS_IFACE, "averyveryverylong0", &chk), -1);
	assert_int_equal(edge_sysctl_prepare(EDGE_SYSCTL_COUNT, "eth0", &chk), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reserved_asn_refused),
		cmocka_unit_test(test_allowed_asns),
		cmocka_unit_test(test_4byte_asn_refused),
		cmocka_unit_test(test_validate_seed000_lab),
		cmocka_unit_test(test_validate_table),
		cmocka_unit_test(test_validate_peer_subnet_len_given),
		cmocka_unit_test(test_validate_reports_every_problem),
		cmocka_unit_test(test_neighbor_templates),
		cmocka_unit_test(test_builtin_policy_is_seed002),
		cmocka_unit_test(test_policy_primary),
		cmocka_unit_test(test_policy_secondary_with_vip),
		cmocka_unit_test(test_policy_user_extension),
		cmocka_unit_test(test_policy_install_conflicts),
		cmocka_unit_test(test_supernet_state_table),
		cmocka_unit_test(test_route_guard),
		cmocka_unit_test(test_udrs_seed000),
		cmocka_unit_test(test_udrs_two_supernets_sorted),
		cmocka_unit_test(test_az_command),
		cmocka_unit_test(test_sysctls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
