/*
 * Unit tests of the policy engine (routerd/policy/): prefix-lists (ge/le
 * edge cases, IPv6, the trie against a linear reference), the FRR regex
 * dialect on every AS-path list of seed 002, community and large-community
 * lists, AS-path edits, and route-maps (match, set, on-match, continue,
 * name resolution) with FRR semantics.
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

#include "routerd/policy/aspath_edit.h"
#include "routerd/policy/aspath_regex.h"
#include "routerd/policy/cache.h"
#include "routerd/policy/community_list.h"
#include "routerd/policy/policy_set.h"
#include "routerd/policy/prefix_list.h"
#include "routerd/policy/route_map.h"
#include "routerd/rib/attr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define P  POLICY_PERMIT
#define D  POLICY_DENY
#define NM 0 /* "no entry matched" in the seq column */

/* ---- helpers ---- */

static struct prefix pfx(const char *s)
{
	struct prefix p = { 0 };
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	p.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p.family, buf, p.bytes), 1);
	p.len = (uint8_t)atoi(slash + 1);
	return p;
}

static struct ipaddr addr(const char *s)
{
	struct ipaddr a = { 0 };

	a.family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, s, a.bytes), 1);
	return a;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/*
 * Interns a path written the way FRR prints it: "65515 12076", "{1,2}",
 * "(1 2)", "[1,2]". Sequences of plain numbers form AS_SEQUENCE segments.
 */
static struct aspath *path(struct attr_pool *pool, const char *text)
{
	uint8_t data[4096];
	size_t len = 0, seg = SIZE_MAX;
	const char *s = text;

	while (*s) {
		uint8_t type = ASPATH_SEQUENCE;
		char close = 0;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '{' || *s == '(' || *s == '[') {
			type = *s == '{'   ? ASPATH_SET
			       : *s == '(' ? ASPATH_CONFED_SEQUENCE
					   : ASPATH_CONFED_SET;
			close = *s == '{' ? '}' : *s == '(' ? ')' : ']';
			s++;
		}
		if (close || seg == SIZE_MAX || data[seg] != ASPATH_SEQUENCE) {
			seg = len;
			data[len++] = type;
			data[len++] = 0;
		}
		do {
			char *end;
			unsigned long v = strtoul(s, &end, 10);

			assert_true(end != s);
			put32(data + len, (uint32_t)v);
			len += 4;
			data[seg + 1]++;
			s = end;
			if (close && (*s == ',' || *s == ' '))
				s++;
		} while (close && *s != close);
		if (close) {
			s++;
			seg = SIZE_MAX; /* the next plain number opens a new sequence */
		}
	}
	struct aspath *p = aspath_intern(pool, data, len);
	assert_non_null(p);
	return p;
}

static void assert_path(const struct aspath *p, const char *want)
{
	char buf[512];

	aspath_fmt(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static struct community_list *comms(struct attr_pool *pool, const char *text)
{
	uint32_t v[64];
	size_t n = 0;
	char buf[512], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		assert_true(community_parse(tok, &v[n++]));
	return community_list_intern(pool, v, n);
}

static struct lcommunity_list *lcomms(struct attr_pool *pool, const char *text)
{
	struct lcommunity v[64];
	size_t n = 0;
	char buf[512], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		assert_true(lcommunity_parse(tok, &v[n++]));
	return lcommunity_list_intern(pool, v, n);
}

/* A route's attributes: path text, community text (NULL = none), large (NULL = none). */
static struct attrs *mkattrs(struct attr_pool *pool, const char *aspath, const char *c,
			     const char *lc)
{
	struct attrs t;
	struct attrs *a;

	attrs_init(&t);
	t.aspath = path(pool, aspath);
	t.communities = c ? comms(pool, c) : NULL;
	t.lcommunities = lc ? lcomms(pool, lc) : NULL;
	t.nexthop = addr("192.0.2.1");
	a = attrs_intern(pool, &t);
	assert_non_null(a);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	lcommunity_list_unref(pool, t.lcommunities);
	return a;
}

static void fmt_comms(const struct community_list *c, char *buf, size_t len)
{
	community_list_fmt(c, buf, len);
}

/* ================= prefix-lists ================= */

struct pl_def {
	uint32_t seq;
	enum policy_action action;
	const char *prefix; /* "any" for any */
	uint8_t ge, le;
};

struct pl_query {
	const char *prefix;
	enum policy_action want;
	uint32_t seq; /* deciding entry, NM when none */
};

struct pl_case {
	const char *name;
	struct pl_def def[8];
	struct pl_query q[16];
};

static struct prefix_list *build_pl(const struct pl_def *def, size_t max)
{
	struct prefix_list *pl = prefix_list_new("T");
	struct policy_err err;

	assert_non_null(pl);
	for (size_t i = 0; i < max && def[i].prefix; i++) {
		int rc;

		if (strcmp(def[i].prefix, "any") == 0) {
			rc = prefix_list_add_any(pl, def[i].seq, def[i].action, &err);
		} else {
			struct prefix p = pfx(def[i].prefix);

			rc = prefix_list_add(pl, def[i].seq, def[i].action, &p, def[i].ge,
					     def[i].le, &err);
		}
		if (rc)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(prefix_list_compile(pl, &err), 0);
	return pl;
}

static const struct pl_case pl_cases[] = {
	{ "seed 003 DC_LOCAL_SUBNET: ge without le runs up to /32",
	  { { 5, P, "10.1.0.0/16", 26, 0 }, { 10, P, "10.0.254.0/24", 32, 0 } },
	  { { "10.1.1.0/26", P, 5 },	/* a leaf's vlan10 subnet */
	    { "10.1.1.1/32", P, 5 },	/* ge 26 alone admits /26../32 */
	    { "10.1.1.0/25", D, NM },	/* shorter than ge */
	    { "10.1.0.0/16", D, NM },	/* the list prefix itself is below ge */
	    { "10.0.254.1/32", P, 10 }, /* a loopback */
	    { "10.0.254.0/24", D, NM },
	    { "10.0.254.0/31", D, NM },
	    { "10.2.0.0/26", D, NM }, /* outside both */
	    { "192.168.0.0/26", D, NM },
	    { "::/0", D, NM } } }, /* IPv6 never meets IPv4 entries */
	{ "le without ge: [len, le]",
	  { { 5, P, "10.0.0.0/8", 0, 24 } },
	  { { "10.0.0.0/8", P, 5 },
	    { "10.1.0.0/16", P, 5 },
	    { "10.1.2.0/24", P, 5 },
	    { "10.1.2.0/25", D, NM },
	    { "11.0.0.0/8", D, NM },
	    { "10.0.0.0/7", D, NM } } }, /* covers the entry, not covered by it */
	{ "ge equal to the length: [len, 32]",
	  { { 5, P, "10.0.0.0/8", 8, 0 } },
	  { { "10.0.0.0/8", P, 5 }, { "10.255.255.255/32", P, 5 }, { "10.0.0.0/7", D, NM } } },
	{ "ge and le",
	  { { 5, P, "172.16.0.0/12", 16, 24 } },
	  { { "172.16.0.0/12", D, NM },
	    { "172.31.0.0/16", P, 5 },
	    { "172.20.1.0/24", P, 5 },
	    { "172.20.1.0/25", D, NM },
	    { "172.32.0.0/16", D, NM } } },
	{ "neither ge nor le: exact length",
	  { { 5, P, "192.0.2.0/24", 0, 0 } },
	  { { "192.0.2.0/24", P, 5 }, { "192.0.2.0/25", D, NM }, { "192.0.2.0/23", D, NM } } },
	{ "/0 exact is the default route only; any covers both families",
	  { { 5, D, "0.0.0.0/0", 0, 0 }, { 10, P, "any", 0, 0 } },
	  { { "0.0.0.0/0", D, 5 },
	    { "10.0.0.0/8", P, 10 },
	    { "255.255.255.255/32", P, 10 },
	    { "::/0", P, 10 },
	    { "2001:db8::/32", P, 10 } } },
	{ "/32 host entry",
	  { { 5, P, "10.0.254.1/32", 0, 0 } },
	  { { "10.0.254.1/32", P, 5 }, { "10.0.254.2/32", D, NM }, { "10.0.254.0/31", D, NM } } },
	{ "lowest seq wins whatever the depth; two entries on one prefix",
	  { { 20, P, "10.0.0.0/8", 0, 32 },
	    { 10, D, "10.1.0.0/16", 0, 32 },
	    { 30, D, "10.1.2.0/24", 0, 0 },
	    { 5, P, "10.1.2.0/24", 25, 26 } },
	  { { "10.1.2.0/24", D, 10 },
	    { "10.1.2.128/25", P, 5 },
	    { "10.1.2.192/26", P, 5 },
	    { "10.1.2.1/32", D, 10 },
	    { "10.2.0.0/16", P, 20 },
	    { "10.1.3.0/24", D, 10 },
	    { "10.0.0.0/8", P, 20 } } },
	{ "IPv6",
	  { { 5, P, "2001:db8::/32", 0, 48 },
	    { 10, D, "2001:db8:1::/48", 0, 0 },
	    { 15, P, "::/0", 64, 64 },
	    { 1, P, "2001:db8:1:2:3:4:5:6/128", 0, 0 } },
	  { { "2001:db8::/32", P, 5 },
	    { "2001:db8:1::/48", P, 5 },  /* 5 before 10 */
	    { "2001:db8:1::/64", P, 15 }, /* 5 stops at /48, 10 is exact */
	    { "2001:db8:1:200::/56", D, NM },
	    { "2001:db9::/64", P, 15 },
	    { "2001:db8::/33", P, 5 },
	    { "2001:db8:1:2:3:4:5:6/128", P, 1 },
	    { "2001:db8:1:2:3:4:5:7/128", D, NM },
	    { "fe80::/10", D, NM },
	    { "10.0.0.0/8", D, NM } } },
	{ "sibling prefixes and a covering one added last (trie glue and split)",
	  { { 30, P, "10.0.0.0/24", 0, 0 },
	    { 20, D, "10.0.1.0/24", 0, 0 },
	    { 10, P, "10.0.0.0/23", 0, 24 },
	    { 40, D, "10.0.2.0/24", 0, 0 } },
	  { { "10.0.0.0/24", P, 10 },
	    { "10.0.1.0/24", P, 10 },
	    { "10.0.0.0/23", P, 10 },
	    { "10.0.2.0/24", D, 40 },
	    { "10.0.3.0/24", D, NM },
	    { "10.0.0.0/22", D, NM } } },
	/* FRR 8.4's verdict (tests/unit/test_policy_frr.c, RM-PL-EMPTY): nothing matches. */
	{ "a list without entries matches nothing (FRR)",
	  { { 0 } },
	  { { "10.0.0.0/8", D, NM }, { "2001:db8::/32", D, NM } } },
};

static void test_prefix_list_table(void **state)
{
	for (size_t c = 0; c < ARRAY_SIZE(pl_cases); c++) {
		const struct pl_case *pc = &pl_cases[c];
		struct prefix_list *pl = build_pl(pc->def, ARRAY_SIZE(pc->def));

		for (size_t i = 0; i < ARRAY_SIZE(pc->q) && pc->q[i].prefix; i++) {
			struct prefix p = pfx(pc->q[i].prefix);
			uint32_t seq;
			enum policy_action got = prefix_list_match_seq(pl, &p, &seq);

			if (got != pc->q[i].want || seq != pc->q[i].seq)
				fail_msg("%s: %s: got %s seq %u, want %s seq %u", pc->name,
					 pc->q[i].prefix, policy_action_str(got), seq,
					 policy_action_str(pc->q[i].want), pc->q[i].seq);
		}
		prefix_list_free(pl);
	}
}

struct pl_bad {
	const char *prefix;
	uint8_t ge, le;
	const char *why;
};

static void test_prefix_list_errors(void **state)
{
	static const struct pl_bad bad[] = {
		{ "10.0.0.0/16", 8, 0, "ge below the length" },
		{ "10.0.0.0/16", 0, 8, "le below the length" },
		{ "10.0.0.0/16", 24, 20, "ge above le" },
		{ "10.0.0.0/16", 0, 33, "le past /32" },
		{ "10.0.0.0/16", 33, 0, "ge past /32" },
		{ "2001:db8::/32", 0, 129, "le past /128" },
	};
	struct prefix_list *pl = prefix_list_new("E");
	struct policy_err err;
	struct prefix p = pfx("10.0.0.0/8");

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct prefix q = pfx(bad[i].prefix);

		if (prefix_list_add(pl, 100 + (uint32_t)i, P, &q, bad[i].ge, bad[i].le, &err) != -1)
			fail_msg("accepted: %s", bad[i].why);
		assert_non_null(strstr(err.msg, "prefix-list E"));
	}
	assert_int_equal(prefix_list_add(pl, 5, P, &p, 0, 0, &err), 0);
	assert_int_equal(prefix_list_add(pl, 5, D, &p, 0, 0, &err), -1);
	assert_non_null(strstr(err.msg, "duplicate seq 5"));
	assert_int_equal(prefix_list_add_any(pl, 5, D, &err), -1);
	assert_int_equal(prefix_list_add(pl, 0, D, &p, 0, 0, &err), -1);
	assert_int_equal(prefix_list_count(pl), 1);
	prefix_list_free(pl);
}

/* FRR masks host bits off a list prefix: 10.1.2.3/16 is 10.1.0.0/16. */
static void test_prefix_list_host_bits(void **state)
{
	struct prefix_list *pl = prefix_list_new("H");
	struct prefix p = pfx("10.1.2.3/16"), q = pfx("10.1.0.0/16");

	assert_int_equal(prefix_list_add(pl, 5, P, &p, 0, 0, NULL), 0);
	assert_int_equal(prefix_list_compile(pl, NULL), 0);
	assert_int_equal(prefix_list_match(pl, &q), P);
	prefix_list_free(pl);
}

/* ---- the trie against the obvious linear scan ---- */

struct ref_entry {
	uint32_t seq;
	enum policy_action action;
	struct prefix p;
	uint8_t lo, hi;
};

static bool ref_covers(const struct prefix *e, const struct prefix *q)
{
	if (e->family != q->family || e->len > q->len)
		return false;
	for (unsigned i = 0; i < e->len; i++) {
		unsigned a = (e->bytes[i / 8] >> (7 - i % 8)) & 1;
		unsigned b = (q->bytes[i / 8] >> (7 - i % 8)) & 1;

		if (a != b)
			return false;
	}
	return true;
}

static enum policy_action ref_match(const struct ref_entry *e, size_t n, const struct prefix *q,
				    uint32_t *seq)
{
	const struct ref_entry *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (ref_covers(&e[i].p, q) && q->len >= e[i].lo && q->len <= e[i].hi &&
		    (!best || e[i].seq < best->seq))
			best = &e[i];
	*seq = best ? best->seq : 0;
	return best ? best->action : D;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random prefix in a small space (10.0.0.0/14 or 2001:db8::/46) so entries overlap a lot. */
static struct prefix rnd_prefix(int family)
{
	struct prefix p = { 0 };
	uint32_t r = rnd();

	p.family = (uint8_t)family;
	if (family == AF_INET) {
		p.len = (uint8_t)(rnd() % 33);
		put32(p.bytes, 0x0a000000u | (r & 0x0003ffffu) << 6 | (rnd() & 0x3f));
	} else {
		p.len = (uint8_t)(rnd() % 129);
		put32(p.bytes, 0x20010db8u);
		put32(p.bytes + 4, r & 0x0003ffffu);
		put32(p.bytes + 8, rnd());
		put32(p.bytes + 12, rnd());
	}
	for (unsigned i = p.len; i < 128; i++)
		p.bytes[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	return p;
}

static void test_prefix_list_vs_linear(void **state)
{
	enum { N = 300, Q = 30000 };
	struct ref_entry *ref = calloc(N, sizeof(*ref));
	struct prefix_list *pl = prefix_list_new("R");
	size_t n = 0;

	for (int i = 0; i < N; i++) {
		int fam = rnd() % 4 ? AF_INET : AF_INET6;
		uint8_t max = fam == AF_INET ? 32 : 128;
		struct ref_entry e = { .seq = rnd() % 100000 + 1, .action = rnd() % 2 ? P : D };
		uint8_t ge = 0, le = 0;

		e.p = rnd_prefix(fam);
		if (rnd() % 2)
			ge = (uint8_t)(e.p.len + rnd() % (max - e.p.len + 1));
		if (rnd() % 2)
			le = (uint8_t)((ge ? ge : e.p.len) +
				       rnd() % (max - (ge ? ge : e.p.len) + 1));
		e.lo = ge ? ge : e.p.len;
		e.hi = le ? le : (ge ? max : e.p.len);
		if (prefix_list_add(pl, e.seq, e.action, &e.p, ge, le, NULL) == 0)
			ref[n++] =
				e; /* a duplicate seq is refused: leave it out of the reference */
	}
	assert_int_equal(prefix_list_compile(pl, NULL), 0);
	for (int i = 0; i < Q; i++) {
		struct prefix q = rnd_prefix(rnd() % 4 ? AF_INET : AF_INET6);
		uint32_t s1, s2;
		enum policy_action a1 = prefix_list_match_seq(pl, &q, &s1);
		enum policy_action a2 = ref_match(ref, n, &q, &s2);

		if (a1 != a2 || s1 != s2)
			fail_msg("query %d: trie %d/%u, linear %d/%u", i, a1, s1, a2, s2);
	}
	prefix_list_free(pl);
	free(ref);
}

/* ================= the FRR regex dialect and seed 002 ================= */

static void test_regex_translate(void **state)
{
	static const struct {
		const char *frr, *ere;
	} t[] = {
		{ "_65515_", "(^|[,{}() ]|$)65515(^|[,{}() ]|$)" },
		{ "^65", "^65" },
		{ "_1310[0-6][0-9]_|_13107[0-1]_", "(^|[,{}() ]|$)1310[0-6][0-9](^|[,{}() "
						   "]|$)|(^|[,{}() ]|$)13107[0-1](^|[,{}() ]|$)" },
		{ "", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char *ere = policy_regex_translate(t[i].frr);

		assert_string_equal(ere, t[i].ere);
		free(ere);
	}
}

/*
 * Seed 002 (an Azure NVA, FRR 8.3.1):
 *   bgp as-path access-list azure-asns seq 5 permit _65515_
 *   bgp as-path access-list bogon-asns seq 5 permit _0_
 *   bgp as-path access-list bogon-asns seq 10 permit _23456_
 *   bgp as-path access-list bogon-asns seq 15 permit _1310[0-6][0-9]_|_13107[0-1]_
 *   bgp as-path access-list bogon-asns seq 20 deny _65515_
 *   bgp as-path access-list bogon-asns seq 25 permit ^65
 *
 * How FRR decides: each `_` becomes (^|[,{}() ]|$), the result is a POSIX
 * ERE searched anywhere in the path text, the first entry that finds a match
 * gives its action, and no match at all is deny. So `_N_` means "the whole
 * token N": N preceded by the start or a delimiter and followed by a
 * delimiter or the end; a digit next to it defeats the match.
 */
struct aspath_case {
	const char *path;
	enum policy_action azure; /* azure-asns verdict */
	enum policy_action bogon; /* bogon-asns verdict */
	const char *why;
};

static const struct aspath_case seed002[] = {
	{ "65515 12076 65150", P, D,
	  "azure: `^65515 ` hits. bogon: no standalone 0 (the 0s of 12076 and 65150 sit "
	  "between digits), no 23456, no 1310xx; seq 20 `_65515_` hits first: deny, so ^65 "
	  "(seq 25) is never reached" },
	{ "0", D, P, "bogon seq 5: `^0$`" },
	{ "23456", D, P, "bogon seq 10: AS_TRANS alone" },
	{ "131072", D, D,
	  "1310[0-6][0-9] needs 13100-13106x: the 5th digit is 7; 13107[0-1] needs a last digit "
	  "0 or 1, not 2; nothing else applies: no match, deny (not a bogon)" },
	{ "64512 65000", D, D,
	  "the 0s of 65000 follow digits; ^65 fails because the path starts with 64: no match" },
	{ "65000 64512", D, P, "bogon seq 25: starts with 65" },
	{ "", D, D, "the empty path (a locally originated route) matches nothing" },
	{ "65515", P, D, "azure: ^65515$; bogon seq 20 deny comes before ^65" },
	{ "165515", D, D, "a digit before 65515 is no delimiter" },
	{ "655150", D, P,
	  "a digit after 65515 is no delimiter, so seq 20 misses and ^65 (seq 25) flags it" },
	{ "12076 65515", P, D, "azure: space then end; bogon: seq 20 deny" },
	{ "{65515,65001}", P, D, "`{` and `,` are delimiters" },
	{ "(65515 65001) 12076", P, D, "`(` and space are delimiters" },
	{ "[65515,65001]", D, D,
	  "FRR prints a confederation set with [ ]: `[` is not a delimiter and ^ is "
	  "before it, so _65515_ cannot match (an FRR quirk kept on purpose)" },
	{ "131000", D, P, "bogon seq 15, first alternative" },
	{ "131069", D, P, "bogon seq 15, first alternative" },
	{ "131070", D, P, "bogon seq 15, second alternative" },
	{ "131071", D, P, "bogon seq 15, second alternative" },
	{ "1310000", D, D, "seven digits: the character after 131000 is a digit" },
	{ "64496 0 64497", D, P, "bogon seq 5: 0 between spaces" },
	{ "64496 10", D, D, "the 0 of 10 follows a digit" },
	{ "{0,65001}", D, P, "bogon seq 5: `{0,`" },
	{ "23456 65515", P, P, "bogon seq 10 permit comes before seq 20 deny" },
	{ "65515 0", P, P, "bogon seq 5 comes before seq 20" },
	{ "65501", D, P, "bogon seq 25: ^65" },
	{ "4200000000 65515", P, D, "bogon seq 20: deny" },
};

static struct aspath_list *seed002_list(const char *name)
{
	struct aspath_list *l = aspath_list_new(name);
	struct policy_err err;

	if (strcmp(name, "azure-asns") == 0) {
		assert_int_equal(aspath_list_add(l, 5, P, "_65515_", &err), 0);
		return l;
	}
	/* added out of order on purpose: evaluation follows seq */
	assert_int_equal(aspath_list_add(l, 25, P, "^65", &err), 0);
	assert_int_equal(aspath_list_add(l, 5, P, "_0_", &err), 0);
	assert_int_equal(aspath_list_add(l, 20, D, "_65515_", &err), 0);
	assert_int_equal(aspath_list_add(l, 10, P, "_23456_", &err), 0);
	assert_int_equal(aspath_list_add(l, 15, P, "_1310[0-6][0-9]_|_13107[0-1]_", &err), 0);
	return l;
}

static void test_seed002_aspath_text(void **state)
{
	struct aspath_list *azure = seed002_list("azure-asns");
	struct aspath_list *bogon = seed002_list("bogon-asns");

	for (size_t i = 0; i < ARRAY_SIZE(seed002); i++) {
		const struct aspath_case *c = &seed002[i];

		if (aspath_list_match_str(azure, c->path) != c->azure ||
		    aspath_list_match_str(bogon, c->path) != c->bogon)
			fail_msg("\"%s\": %s", c->path, c->why);
	}
	aspath_list_free(azure);
	aspath_list_free(bogon);
}

/* Same table through interned paths and the cache, twice: the second round is all hits. */
static void test_seed002_aspath_interned(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	struct aspath_list *azure = seed002_list("azure-asns");
	struct aspath_list *bogon = seed002_list("bogon-asns");
	struct aspath *p[ARRAY_SIZE(seed002)];
	struct pcache_stats st;

	for (size_t i = 0; i < ARRAY_SIZE(seed002); i++) {
		p[i] = path(pool, seed002[i].path);
		assert_path(p[i], seed002[i].path); /* the text FRR would print */
	}
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < ARRAY_SIZE(seed002); i++)
			if (aspath_list_match(azure, p[i]) != seed002[i].azure ||
			    aspath_list_match(bogon, p[i]) != seed002[i].bogon)
				fail_msg("round %d \"%s\": %s", round, seed002[i].path,
					 seed002[i].why);
	aspath_list_cache_stats(bogon, &st);
	assert_int_equal(st.misses, ARRAY_SIZE(seed002));
	assert_int_equal(st.hits, ARRAY_SIZE(seed002));
	for (size_t i = 0; i < ARRAY_SIZE(seed002); i++)
		aspath_unref(pool, p[i]);
	aspath_list_free(azure);
	aspath_list_free(bogon);
	attr_pool_free(pool);
}

/*
 * The cache must never answer for a freed path whose memory now holds
 * another one: free a path, intern a different one (malloc will often hand
 * back the same address), and check the verdict is the new path's.
 */
static void test_aspath_cache_address_reuse(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	struct aspath_list *azure = seed002_list("azure-asns");
	struct pcache_stats st;

	for (int i = 0; i < 50; i++) {
		struct aspath *a = path(pool, "65515 12076 65150");

		assert_int_equal(aspath_list_match(azure, a), P);
		aspath_unref(pool, a);
		struct aspath *b = path(pool, "64512 12076 65150");

		assert_int_equal(aspath_list_match(azure, b), D);
		aspath_unref(pool, b);
	}
	aspath_list_cache_stats(azure, &st);
	assert_int_equal(st.misses, 2); /* each content computed once, freed or not */
	assert_int_equal(st.hits, 98);
	aspath_list_free(azure);
	attr_pool_free(pool);
}

/* Adding an entry drops the verdicts cached without it. */
static void test_aspath_cache_cleared_on_add(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	struct aspath_list *l = aspath_list_new("L");
	struct aspath *p = path(pool, "64512 1");

	assert_int_equal(aspath_list_add(l, 10, P, "_1$", NULL), 0);
	assert_int_equal(aspath_list_match(l, p), P);
	assert_int_equal(aspath_list_add(l, 5, D, "^64512_", NULL), 0);
	assert_int_equal(aspath_list_match(l, p), D);
	aspath_unref(pool, p);
	aspath_list_free(l);
	attr_pool_free(pool);
}

/*
 * The shortcuts (token scan, literal prefilter) must agree with regexec on
 * every subject: random texts over the characters paths and communities use,
 * plus hand-picked edge cases, for token forms, alternations, brackets,
 * quantifiers and expressions the analysis must leave to regexec.
 */
static void test_regex_shortcuts_agree(void **state)
{
	static const char *const patterns[] = {
		"_65515_",
		"_0_",
		"_23456_",
		"^65",
		"_1310[0-6][0-9]_|_13107[0-1]_",
		"65515",
		"^65515$",
		"_65515",
		"65515_",
		"^1_",
		"_1$",
		"1 2",
		"_1 2_",
		"_,_",
		"_65000:1_",
		"no-export",
		"_no-export$",
		"^$",
		"",
		".*",
		"^1|2$",
		"1[0-9]*2",
		"12*3",
		"12?3",
		"12+3",
		"(1|2)3",
		"1\\ 2",
		"[[:digit:]]5",
		"[]1]2",
		"[^1]2",
		"a|",
		"_1_|_2_",
		"1.2",
		"^(1 )+2",
		"{1,2}",
		"_{_",
		"12_*3",
		"3_?4",
		"1_+",
	};
	static const char *const fixed[] = {
		"",
		"0",
		"1",
		"65515",
		"65515 12076 65150",
		"{1,2}",
		"(1 2) 3",
		"[1,2]",
		"131072",
		"1310000",
		"165515",
		"655150",
		"1 2",
		"1  2",
		"12 3",
		"13",
		"123",
		"65000:1 no-export",
		"no-export",
		"1:1 65000:1",
		"2",
		"1 2 3",
		"12223",
		",",
		"{0,65001}",
		"a",
		"12 2",
		"1 {2}",
	};
	static const char alphabet[] = "0123456 ,{}()[]:5";
	char text[24];

	for (size_t k = 0; k < ARRAY_SIZE(patterns); k++) {
		struct policy_regex rx;
		struct policy_err err;

		if (policy_regex_init(&rx, patterns[k], "t", &err))
			continue; /* not a valid ERE: nothing to compare */
		for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
			if (policy_regex_match(&rx, fixed[i]) !=
			    policy_regex_match_slow(&rx, fixed[i]))
				fail_msg("\"%s\" on \"%s\"", patterns[k], fixed[i]);
		for (int i = 0; i < 4000; i++) {
			size_t n = rnd() % (sizeof(text) - 1);

			for (size_t j = 0; j < n; j++)
				text[j] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			text[n] = '\0';
			if (policy_regex_match(&rx, text) != policy_regex_match_slow(&rx, text))
				fail_msg("\"%s\" on \"%s\"", patterns[k], text);
		}
		policy_regex_free(&rx);
	}
}

/* Which expressions take which shortcut (so a regression to plain regexec is seen). */
static void test_regex_shortcut_choice(void **state)
{
	static const struct {
		const char *pattern;
		const char *token;   /* NULL: not a token */
		const char *need[2]; /* prefilter literals */
	} t[] = {
		{ "_65515_", "65515", { NULL } },
		{ "^65", "65", { NULL } },
		{ "_0_", "0", { NULL } },
		{ "_1310[0-6][0-9]_|_13107[0-1]_", NULL, { "1310", "13107" } },
		{ "12*3", NULL, { "1", NULL } },
		{ "123+4", NULL, { "123", NULL } },
		{ "(1|2)3", NULL, { NULL } },
		{ "^$", NULL, { NULL } },
		{ "1|.*", NULL, { NULL } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct policy_regex rx;
		size_t n = 0;

		assert_int_equal(policy_regex_init(&rx, t[i].pattern, "t", NULL), 0);
		if (t[i].token)
			assert_string_equal(rx.lit, t[i].token);
		else
			assert_null(rx.lit);
		while (n < 2 && t[i].need[n])
			n++;
		if (rx.nneed != n)
			fail_msg("%s: %zu literals", t[i].pattern, rx.nneed);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(rx.need[k], t[i].need[k]);
		policy_regex_free(&rx);
	}
}

static void test_aspath_list_errors(void **state)
{
	struct aspath_list *l = aspath_list_new("X");
	struct policy_err err;

	assert_int_equal(aspath_list_add(l, 5, P, "_65515_", &err), 0);
	assert_int_equal(aspath_list_add(l, 5, P, "^1", &err), -1);
	assert_non_null(strstr(err.msg, "duplicate seq 5"));
	assert_int_equal(aspath_list_add(l, 6, P, "(12", &err), -1);
	assert_non_null(strstr(err.msg, "as-path-list X seq 6"));
	assert_non_null(strstr(err.msg, "(12"));
	assert_int_equal(aspath_list_count(l), 1);
	/* an empty list matches nothing */
	aspath_list_free(l);
	l = aspath_list_new("E");
	assert_int_equal(aspath_list_match_str(l, "1 2 3"), D);
	aspath_list_free(l);
}

/* ================= content cache ================= */

static void test_pcache(void **state)
{
	struct pcache c;
	const char a[] = "abc", b[] = "abd";
	struct pcache_stats st;
	size_t hits;

	pcache_init(&c, 3);
	assert_int_equal(pcache_get(&c, 7, a, 3), -1);
	pcache_put(&c, 7, a, 3, 1);
	assert_int_equal(pcache_get(&c, 7, a, 3), 1);
	assert_int_equal(pcache_get(&c, 7, b, 3), -1); /* same hash, other bytes */
	assert_int_equal(pcache_get(&c, 7, a, 2), -1); /* same hash, other length */
	pcache_put(&c, 7, b, 3, 0);
	assert_int_equal(pcache_get(&c, 7, b, 3), 0);
	pcache_put(&c, 8, "x", 1, 1);
	pcache_put(&c, 9, "y", 1, 1); /* full: one entry goes (the head of bucket 7, b) */
	pcache_stats(&c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.flushes, 0);
	assert_int_equal(pcache_get(&c, 9, "y", 1), 1);
	assert_int_equal(pcache_get(&c, 8, "x", 1), 1);
	assert_int_equal(pcache_get(&c, 7, a, 3), 1);
	assert_int_equal(pcache_get(&c, 7, b, 3), -1);
	pcache_clear(&c);
	pcache_stats(&c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.flushes, 1);
	assert_int_equal(pcache_get(&c, 9, "y", 1), -1);
	pcache_destroy(&c);

	/* 2000 entries grow past the first bucket array and all stay reachable */
	pcache_init(&c, 0);
	for (uint32_t i = 0; i < 2000; i++)
		pcache_put(&c, i * 2654435761u, &i, sizeof(i), (uint8_t)(i & 1));
	for (uint32_t i = 0; i < 2000; i++)
		assert_int_equal(pcache_get(&c, i * 2654435761u, &i, sizeof(i)), (int)(i & 1));
	pcache_destroy(&c);

	/* cycling through more keys than fit still hits (flushing all would never) */
	pcache_init(&c, 1000);
	for (int round = 0; round < 10; round++) {
		for (uint32_t i = 0; i < 1500; i++) {
			if (pcache_get(&c, i * 2654435761u, &i, sizeof(i)) < 0)
				pcache_put(&c, i * 2654435761u, &i, sizeof(i), 1);
		}
	}
	pcache_stats(&c, &st);
	hits = st.hits;
	assert_true(hits > 1500 * 9 / 4);
	assert_int_equal(st.entries, 1000);
	pcache_destroy(&c);
}

/* ================= communities ================= */

static void test_community_text(void **state)
{
	static const struct {
		const char *text;
		uint32_t value;
		const char *printed; /* NULL: same as text */
	} ok[] = {
		{ "65000:100", 0xFDE80064u, NULL },
		{ "0:0", 0, "internet" }, /* FRR 8's name for it */
		{ "internet", 0, NULL },
		{ "65535:65535", 0xFFFFFFFFu, NULL },
		{ "no-export", COMMUNITY_NO_EXPORT, NULL },
		{ "no-advertise", COMMUNITY_NO_ADVERTISE, NULL },
		{ "local-AS", COMMUNITY_NO_EXPORT_SUBCONFED, NULL },
		{ "blackhole", COMMUNITY_BLACKHOLE, NULL },
		{ "graceful-shutdown", COMMUNITY_GRACEFUL_SHUTDOWN, NULL },
		{ "65535:0", COMMUNITY_GRACEFUL_SHUTDOWN, "graceful-shutdown" },
		{ "65535:666", COMMUNITY_BLACKHOLE, "blackhole" },
		{ "4259840100", 0xFDE80064u, "65000:100" },
	};
	static const char *const bad[] = {
		"65536:1", "1:65536", "abc",  "1:2:3",	    "",
		":1",	   "1:",      "-1:2", "4294967296", "no-exports"
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		uint32_t v;

		assert_true(community_parse(ok[i].text, &v));
		assert_int_equal(v, ok[i].value);
		community_fmt(v, buf, sizeof(buf));
		assert_string_equal(buf, ok[i].printed ? ok[i].printed : ok[i].text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint32_t v;

		if (community_parse(bad[i], &v))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_lcommunity_text(void **state)
{
	static const char *const bad[] = { "1:2", "1:2:3:4", "4294967296:0:0", "a:b:c", "1::3" };
	struct lcommunity v;
	char buf[64];

	assert_true(lcommunity_parse("4294967295:0:65536", &v));
	assert_int_equal(v.global, 4294967295u);
	assert_int_equal(v.local1, 0);
	assert_int_equal(v.local2, 65536);
	lcommunity_fmt(&v, buf, sizeof(buf));
	assert_string_equal(buf, "4294967295:0:65536");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (lcommunity_parse(bad[i], &v))
			fail_msg("accepted \"%s\"", bad[i]);
}

/* The text expanded lists see: sorted values, well-known names, one space between. */
static void test_community_list_text(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	struct community_list *c = comms(pool, "no-export 65000:100 1:1");
	struct lcommunity_list *l = lcomms(pool, "65000:2:1 1:2:3");
	char buf[64], tiny[8];

	fmt_comms(c, buf, sizeof(buf));
	assert_string_equal(buf, "1:1 65000:100 no-export");
	assert_int_equal(community_list_fmt(c, tiny, sizeof(tiny)), strlen(buf));
	assert_string_equal(tiny, "1:1 650");
	lcommunity_list_fmt(l, buf, sizeof(buf));
	assert_string_equal(buf, "1:2:3 65000:2:1");
	assert_int_equal(community_list_fmt(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	community_list_unref(pool, c);
	lcommunity_list_unref(pool, l);
	attr_pool_free(pool);
}

struct cl_def {
	uint32_t seq;
	enum policy_action action;
	const char *values; /* standard: space separated ("" = any); NULL when regex */
	const char *regex;
};

struct cl_query {
	const char *route; /* "-": no communities attribute; NULL ends the table */
	bool exact;
	bool want;
};

struct cl_case {
	const char *name;
	bool large;
	struct cl_def def[4];
	struct cl_query q[8];
};

static struct comm_list *build_cl(const char *name, bool large, const struct cl_def *def,
				  size_t max)
{
	struct comm_list *cl = comm_list_new(name, large);
	struct policy_err err;

	for (size_t i = 0; i < max && def[i].seq; i++) {
		int rc;

		if (def[i].regex) {
			rc = comm_list_add_expanded(cl, def[i].seq, def[i].action, def[i].regex,
						    &err);
		} else {
			uint32_t v[16];
			struct lcommunity lv[16];
			size_t n = 0;
			char buf[256], *tok, *save;

			snprintf(buf, sizeof(buf), "%s", def[i].values);
			for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				assert_true(large ? lcommunity_parse(tok, &lv[n++])
						  : community_parse(tok, &v[n++]));
			rc = large ? lcomm_list_add_standard(cl, def[i].seq, def[i].action, lv, n,
							     &err)
				   : comm_list_add_standard(cl, def[i].seq, def[i].action, v, n,
							    &err);
		}
		if (rc)
			fail_msg("%s", err.msg);
	}
	return cl;
}

static const struct cl_case cl_cases[] = {
	{ "FRR docs: permit (0:80 and 0:90) or 0:100",
	  false,
	  { { 1, P, "0:80 0:90", NULL }, { 2, P, "0:100", NULL } },
	  { { "0:80 0:90", false, true },
	    { "0:80", false, false }, /* every listed value is needed */
	    { "0:90 0:80 7:7", false, true },
	    { "0:100 5:5", false, true },
	    { "-", false, false },
	    { "0:80 0:90 7:7", true, false }, /* exact-match: nothing else allowed */
	    { "0:80 0:90", true, true },
	    { "0:100", true, true } } },
	{ "FRR docs: deny 1:1, then an empty permit for everything else",
	  false,
	  { { 5, D, "1:1", NULL }, { 10, P, "", NULL } },
	  { { "1:1", false, false },
	    { "1:1 2:2", false, false },
	    { "2:2", false, true },
	    { "2:2", true, true },    /* an empty entry matches under exact-match too */
	    { "-", false, true } } }, /* and routes without communities */
	{ "well-known names",
	  false,
	  { { 5, P, "no-export", NULL }, { 6, P, "local-AS blackhole", NULL } },
	  { { "65535:65281", false, true }, /* no-export by number */
	    { "no-advertise", false, false },
	    { "blackhole", false, false },
	    { "blackhole local-AS 1:1", false, true } } },
	{ "expanded: the whole attribute text",
	  false,
	  { { 5, P, NULL, "_65000:1_" }, { 10, D, NULL, "^1:" }, { 15, P, NULL, "no-export" } },
	  { { "65000:1", false, true },
	    { "65000:10", false, false },      /* `_` needs a delimiter after the 1 */
	    { "1:1 65000:1", false, true },    /* seq 5 finds " 65000:1" before seq 10 runs */
	    { "1:5 no-export", false, false }, /* seq 10 deny first */
	    { "2:5 no-export", false, true },  /* seq 15, by name */
	    { "65000:1", true, true },	       /* exact-match leaves expanded entries alone */
	    { "-", false, false } } },
	{ "exact and plain verdicts of one content are cached apart",
	  false,
	  { { 5, P, "1:1", NULL }, { 10, D, NULL, ".*" } },
	  { { "1:1 2:2", false, true }, { "1:1 2:2", true, false }, { "1:1 2:2", false, true } } },
	{ "expanded: routes without communities are the empty string",
	  false,
	  { { 5, P, NULL, "^$" } },
	  { { "-", false, true }, { "1:1", false, false } } },
	{ "large standard and expanded",
	  true,
	  { { 5, P, "65000:1:1 65000:1:2", NULL }, { 10, P, NULL, "^64512:" } },
	  { { "65000:1:1 65000:1:2", false, true },
	    { "65000:1:1", false, false },
	    { "64512:7:7", false, true },
	    { "1:1:1 64512:7:7", false, false }, /* ^ anchors at the start of the whole text */
	    { "65000:1:1 65000:1:2 9:9:9", true, false },
	    { "-", false, false } } },
};

static void test_community_lists(void **state)
{
	struct attr_pool *pool = attr_pool_new();

	for (size_t c = 0; c < ARRAY_SIZE(cl_cases); c++) {
		const struct cl_case *cc = &cl_cases[c];
		struct comm_list *cl = build_cl("C", cc->large, cc->def, ARRAY_SIZE(cc->def));

		for (int round = 0; round < 2; round++) { /* the second round hits the cache */
			for (size_t i = 0; i < ARRAY_SIZE(cc->q) && cc->q[i].route; i++) {
				const struct cl_query *q = &cc->q[i];
				bool none = strcmp(q->route, "-") == 0;
				bool got;

				if (cc->large) {
					struct lcommunity_list *l =
						none ? NULL : lcomms(pool, q->route);

					got = lcomm_list_match(cl, l, q->exact);
					lcommunity_list_unref(pool, l);
				} else {
					struct community_list *l =
						none ? NULL : comms(pool, q->route);

					got = comm_list_match(cl, l, q->exact);
					community_list_unref(pool, l);
				}
				if (got != q->want)
					fail_msg("%s: \"%s\"%s: got %d", cc->name, q->route,
						 q->exact ? " exact" : "", got);
			}
		}
		comm_list_free(cl);
	}
	attr_pool_free(pool);
}

struct del_case {
	const char *name;
	bool large;
	struct cl_def def[3];
	const char *route;
	const char *left; /* NULL: the attribute is gone */
};

static const struct del_case del_cases[] = {
	{ "FRR docs: delete 100:1 and 100:2 (each value alone)",
	  false,
	  { { 5, P, "100:1 100:2", NULL } },
	  "100:1 100:3 100:2",
	  "100:3" },
	{ "the first entry matching a value decides: deny protects it",
	  false,
	  { { 5, D, "100:1", NULL }, { 10, P, "", NULL } },
	  "100:1 100:2 no-export",
	  "100:1" },
	{ "expanded: regex on each value's text",
	  false,
	  { { 5, P, NULL, "^100:" } },
	  "100:1 1100:1 100:65535",
	  "1100:1" },
	{ "nothing left: the attribute goes away", false, { { 5, P, "", NULL } }, "1:1 2:2", NULL },
	{ "large",
	  true,
	  { { 5, P, "1:2:3", NULL }, { 10, P, NULL, "^65000:" } },
	  "1:2:3 65000:0:0 7:7:7",
	  "7:7:7" },
};

static void test_community_delete(void **state)
{
	struct attr_pool *pool = attr_pool_new();

	for (size_t c = 0; c < ARRAY_SIZE(del_cases); c++) {
		const struct del_case *dc = &del_cases[c];
		struct comm_list *cl = build_cl("DEL", dc->large, dc->def, ARRAY_SIZE(dc->def));
		char buf[128] = "";

		if (dc->large) {
			struct lcommunity_list *in = lcomms(pool, dc->route), *out;

			assert_int_equal(lcomm_list_delete(cl, pool, in, &out), 0);
			if (out)
				lcommunity_list_fmt(out, buf, sizeof(buf));
			if (dc->left ? !out || strcmp(buf, dc->left) : out != NULL)
				fail_msg("%s: left \"%s\"", dc->name, buf);
			lcommunity_list_unref(pool, out);
			lcommunity_list_unref(pool, in);
		} else {
			struct community_list *in = comms(pool, dc->route), *out;

			assert_int_equal(comm_list_delete(cl, pool, in, &out), 0);
			if (out)
				community_list_fmt(out, buf, sizeof(buf));
			if (dc->left ? !out || strcmp(buf, dc->left) : out != NULL)
				fail_msg("%s: left \"%s\"", dc->name, buf);
			community_list_unref(pool, out);
			community_list_unref(pool, in);
		}
		comm_list_free(cl);
	}
	attr_pool_free(pool);
}

static void test_community_list_errors(void **state)
{
	struct comm_list *cl = comm_list_new("K", false);
	struct lcommunity lv = { 1, 2, 3 };
	uint32_t v = 1;
	struct policy_err err;

	assert_int_equal(comm_list_add_standard(cl, 5, P, &v, 1, &err), 0);
	assert_int_equal(comm_list_add_standard(cl, 5, P, &v, 1, &err), -1);
	assert_non_null(strstr(err.msg, "community-list K: duplicate seq 5"));
	assert_int_equal(lcomm_list_add_standard(cl, 6, P, &lv, 1, &err), -1);
	assert_int_equal(comm_list_add_expanded(cl, 7, P, "[", &err), -1);
	assert_non_null(strstr(err.msg, "community-list K seq 7"));
	assert_int_equal(comm_list_count(cl), 1);
	comm_list_free(cl);
}

/* ================= AS-path edits ================= */

static void test_aspath_edit(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	static const uint32_t two[] = { 65001, 65001 };
	static const uint32_t drop[] = { 65515, 3 };
	struct {
		const char *in;
		const char *out;
		int op; /* 0 prepend two, 1 prepend 65010 x3, 2 exclude drop */
	} t[] = {
		{ "65515 12076", "65001 65001 65515 12076", 0 },
		{ "", "65001 65001", 0 },
		{ "{1,2} 3", "65001 65001 {1,2} 3", 0 },
		{ "(64512) 1", "65001 65001 (64512) 1", 0 },
		{ "1", "65010 65010 65010 1", 1 },
		{ "65515 12076 65515 {65515,1}", "12076 {1}", 2 },
		{ "{65515} 1 3 2", "1 2", 2 },
		{ "65515", "", 2 },
		{ "(65515 1) 3 4", "(1) 4", 2 },
		{ "{1,2} {4,5}", "{1,2} {4,5}", 2 }, /* adjacent sets stay apart */
		{ "1 {3} 2", "1 2", 2 },	     /* the sequences around a vanished set join */
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct aspath *in = path(pool, t[i].in), *out;

		if (t[i].op == 0)
			out = policy_aspath_prepend(pool, in, two, 2);
		else if (t[i].op == 1)
			out = policy_aspath_prepend_repeat(pool, in, 65010, 3);
		else
			out = policy_aspath_exclude(pool, in, drop, 2);
		assert_non_null(out);
		assert_path(out, t[i].out);
		aspath_unref(pool, out);
		aspath_unref(pool, in);
	}
	attr_pool_free(pool);
}

/* 300 prepends overflow one segment: two segments, still printed as one sequence. */
static void test_aspath_prepend_long(void **state)
{
	struct attr_pool *pool = attr_pool_new();
	struct aspath *in = path(pool, "7"), *out;
	uint32_t many[300];

	for (int i = 0; i < 300; i++)
		many[i] = 1;
	out = policy_aspath_prepend(pool, in, many, 300);
	assert_non_null(out);
	assert_int_equal(out->path_len, 301);
	assert_int_equal(out->len, 2 + 255 * 4 + 2 + 46 * 4);
	assert_int_equal(out->neighbor_as, 1);
	aspath_unref(pool, out);
	aspath_unref(pool, in);
	attr_pool_free(pool);
}

/* ================= route-maps ================= */

struct fixture {
	struct attr_pool *pool;
	struct policy_set *ps;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->pool = attr_pool_new();
	f->ps = policy_set_new();
	*state = f;
	return 0;
}

/*
 * Every interned object must have been released. A test that failed halfway
 * leaves some behind: report that instead of letting attr_pool_free()'s
 * assertion abort the whole run (the pool then leaks, which is fine here).
 */
static int teardown(void **state)
{
	struct fixture *f = *state;
	struct attr_pool_stats st;
	int rc = 0;

	policy_set_free(f->ps);
	attr_pool_stats(f->pool, &st);
	if (st.attrs || st.aspaths || st.communities || st.lcommunities || st.blobs) {
		print_error("interned objects left: %zu attrs, %zu paths, %zu communities, "
			    "%zu large\n",
			    st.attrs, st.aspaths, st.communities, st.lcommunities);
		rc = -1;
	} else {
		attr_pool_free(f->pool);
	}
	free(f);
	return rc;
}

static void build_ok(struct policy_set *ps)
{
	struct policy_err err;

	if (policy_set_build(ps, &err))
		fail_msg("%s", err.msg);
}

static struct rm_entry *entry(struct policy_set *ps, const char *rm, uint32_t seq,
			      enum policy_action a)
{
	struct policy_err err;
	struct rm_entry *e = route_map_add_entry(policy_set_route_map(ps, rm), seq, a, &err);

	if (!e)
		fail_msg("%s", err.msg);
	return e;
}

/* Applies rm to a BGP route; on permit the result is interned and returned (else NULL). */
static struct attrs *apply(struct fixture *f, const char *rm_name, const char *prefix,
			   struct attrs *in, enum policy_action want, struct policy_result *res)
{
	struct route_map *rm = policy_set_find_route_map(f->ps, rm_name, NULL);
	struct prefix p = pfx(prefix);
	struct ipaddr peer = addr("10.0.210.4");
	struct policy_route r = { .prefix = &p,
				  .attrs = in,
				  .peer_address = &peer,
				  .peer_as = 65515,
				  .proto = POLICY_PROTO_BGP };
	struct attrs *out;

	assert_non_null(rm);
	assert_int_equal(route_map_apply(rm, f->pool, &r, res), want);
	if (want == D) {
		assert_false(res->modified);
		return NULL;
	}
	if (!res->modified)
		return attrs_ref(in);
	out = attrs_intern(f->pool, &res->attrs);
	policy_result_release(f->pool, res);
	assert_non_null(out);
	return out;
}

/* Applies rm and checks the verdict only. */
static void check(struct fixture *f, const char *rm, struct attrs *in, enum policy_action want)
{
	struct policy_result res;

	attrs_unref(f->pool, apply(f, rm, "10.0.0.0/8", in, want, &res));
}

static void seed002_policy(struct policy_set *ps)
{
	struct aspath_list *azure = policy_set_aspath_list(ps, "azure-asns");
	struct aspath_list *bogon = policy_set_aspath_list(ps, "bogon-asns");
	struct policy_err err;

	assert_int_equal(aspath_list_add(azure, 5, P, "_65515_", &err), 0);
	assert_int_equal(aspath_list_add(bogon, 5, P, "_0_", &err), 0);
	assert_int_equal(aspath_list_add(bogon, 10, P, "_23456_", &err), 0);
	assert_int_equal(aspath_list_add(bogon, 15, P, "_1310[0-6][0-9]_|_13107[0-1]_", &err), 0);
	assert_int_equal(aspath_list_add(bogon, 20, D, "_65515_", &err), 0);
	assert_int_equal(aspath_list_add(bogon, 25, P, "^65", &err), 0);
	assert_int_equal(rm_match_as_path(entry(ps, "rmap-bogon-asns", 5, D), "bogon-asns", &err),
			 0);
	entry(ps, "rmap-bogon-asns", 10, P);
	assert_int_equal(rm_match_as_path(entry(ps, "rmap-azure-asns", 5, D), "azure-asns", &err),
			 0);
	entry(ps, "rmap-azure-asns", 10, P);
	build_ok(ps);
}

/*
 * Seed 002's route-maps: rmap-bogon-asns (in) denies what bogon-asns
 * permits; rmap-azure-asns (out) denies what azure-asns permits; both end in
 * an empty permit. So the NVA accepts Azure's own routes (bogon seq 20 denies
 * _65515_ before ^65 could flag them) and never re-advertises them to the
 * Route Server (no loop); locally originated 10.0.0.0/8 goes out.
 */
static void test_seed002_route_maps(void **state)
{
	struct fixture *f = *state;
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

	seed002_policy(f->ps);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct attrs *a = mkattrs(f->pool, t[i].path, NULL, NULL);

		check(f, "rmap-bogon-asns", a, t[i].in);
		check(f, "rmap-azure-asns", a, t[i].out);
		attrs_unref(f->pool, a);
	}
}

/* Seed 003: redistribute connected through ACCEPT_DC_LOCAL (prefix-list) and ADV_LO (interface). */
static void test_seed003_redistribute(void **state)
{
	struct fixture *f = *state;
	struct prefix_list *pl = policy_set_prefix_list(f->ps, "DC_LOCAL_SUBNET");
	struct prefix p1 = pfx("10.1.0.0/16"), p2 = pfx("10.0.254.0/24");
	struct policy_err err;
	static const struct {
		const char *rm, *prefix, *ifname;
		enum policy_proto proto;
		enum policy_action want;
	} t[] = {
		{ "ACCEPT_DC_LOCAL", "10.1.1.0/26", "vlan10", POLICY_PROTO_CONNECTED, P },
		{ "ACCEPT_DC_LOCAL", "10.0.254.1/32", "lo", POLICY_PROTO_CONNECTED, P },
		{ "ACCEPT_DC_LOCAL", "192.168.121.0/24", "eth0", POLICY_PROTO_CONNECTED, D },
		{ "ADV_LO", "10.0.254.254/32", "lo", POLICY_PROTO_CONNECTED, P },
		{ "ADV_LO", "10.1.1.0/26", "swp1", POLICY_PROTO_CONNECTED, D },
		{ "ADV_LO", "10.0.254.1/32", NULL, POLICY_PROTO_BGP, D },
	};

	assert_int_equal(prefix_list_add(pl, 5, P, &p1, 26, 0, &err), 0);
	assert_int_equal(prefix_list_add(pl, 10, P, &p2, 32, 0, &err), 0);
	assert_int_equal(rm_match_prefix_list(entry(f->ps, "ACCEPT_DC_LOCAL", 10, P),
					      "DC_LOCAL_SUBNET", &err),
			 0);
	assert_int_equal(rm_match_interface(entry(f->ps, "ADV_LO", 10, P), "lo", &err), 0);
	build_ok(f->ps);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct attrs *a = mkattrs(f->pool, "", NULL, NULL);
		struct prefix p = pfx(t[i].prefix);
		struct policy_route r = {
			.prefix = &p, .attrs = a, .proto = t[i].proto, .ifname = t[i].ifname
		};
		struct policy_result res;
		struct route_map *rm = policy_set_find_route_map(f->ps, t[i].rm, NULL);

		if (route_map_apply(rm, f->pool, &r, &res) != t[i].want)
			fail_msg("%s %s", t[i].rm, t[i].prefix);
		assert_false(res.modified);
		attrs_unref(f->pool, a);
	}
}

/* A permit entry without match clauses matches everything; no entry matching is deny. */
static void test_rm_basics(void **state)
{
	struct fixture *f = *state;
	struct policy_err err;
	struct policy_result res;
	struct attrs *a = mkattrs(f->pool, "1 2", NULL, NULL), *o;

	assert_int_equal(rm_set_local_pref(entry(f->ps, "ALL", 10, P), RM_SET_VALUE, 200, &err), 0);
	assert_int_equal(rm_match_metric(entry(f->ps, "NONE", 10, P), 7, &err), 0);
	policy_set_route_map(f->ps, "EMPTY");
	assert_int_equal(rm_match_local_pref(entry(f->ps, "DENYFIRST", 10, D), 0, &err), 0);
	entry(f->ps, "DENYFIRST", 20, P);
	build_ok(f->ps);

	o = apply(f, "ALL", "10.0.0.0/8", a, P, &res);
	assert_int_equal(o->local_pref, 200);
	assert_true(o->flags & ATTR_HAS_LOCAL_PREF);
	attrs_unref(f->pool, o);
	check(f, "NONE", a, D); /* MED 0, not 7: the only entry fails */
	check(f, "EMPTY", a, D);
	check(f, "DENYFIRST", a, D); /* no LOCAL_PREF compares as 0 */
	attrs_unref(f->pool, a);
}

/*
 * on-match next, as in the FRR example of batfish issue 8593:
 *   permit 10: set local-preference 150, on-match next
 *   permit 20: match community C (0:0), set local-preference 200
 * FRR evaluates entry 20 after 10; when it does not match, the route-map
 * falls off the end after a non-matching entry and FRR returns deny (its
 * result variable turns to deny on every non-matching entry). With an empty
 * permit 30 added, the route leaves with local-preference 150.
 */
static void test_rm_on_match_next(void **state)
{
	struct fixture *f = *state;
	struct comm_list *c = policy_set_community_list(f->ps, "C");
	uint32_t tag = 65000u << 16 | 1; /* not 0:0: "internet" would match every route */
	struct policy_err err;
	struct policy_result res;
	struct rm_entry *e;
	struct attrs *with = mkattrs(f->pool, "1", "65000:1", NULL);
	struct attrs *without = mkattrs(f->pool, "1", NULL, NULL), *o;

	assert_int_equal(comm_list_add_standard(c, 5, P, &tag, 1, &err), 0);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "RM30" : "RM";

		e = entry(f->ps, name, 10, P);
		assert_int_equal(rm_set_local_pref(e, RM_SET_VALUE, 150, &err), 0);
		assert_int_equal(rm_on_match_next(e, &err), 0);
		e = entry(f->ps, name, 20, P);
		assert_int_equal(rm_match_community(e, "C", false, &err), 0);
		assert_int_equal(rm_set_local_pref(e, RM_SET_VALUE, 200, &err), 0);
	}
	entry(f->ps, "RM30", 30, P);
	build_ok(f->ps);

	o = apply(f, "RM", "10.0.0.0/8", with, P, &res);
	assert_int_equal(o->local_pref, 200);
	attrs_unref(f->pool, o);
	check(f, "RM", without, D);
	o = apply(f, "RM30", "10.0.0.0/8", without, P, &res);
	assert_int_equal(o->local_pref, 150);
	attrs_unref(f->pool, o);
	o = apply(f, "RM30", "10.0.0.0/8", with, P, &res); /* 20 matched and exited */
	assert_int_equal(o->local_pref, 200);
	attrs_unref(f->pool, o);
	attrs_unref(f->pool, with);
	attrs_unref(f->pool, without);
}

/*
 * on-match goto N (and its alias continue N) jumps to the first entry with
 * seq >= N, skipping the ones between; a matching permit whose jump (or
 * next) runs past the last entry exits permitting, with its sets applied.
 */
static void test_rm_on_match_goto(void **state)
{
	struct fixture *f = *state;
	struct policy_err err;
	struct policy_result res;
	struct rm_entry *e;
	struct attrs *m5, *m6, *o;

	e = entry(f->ps, "G", 10, P);
	assert_int_equal(rm_set_weight(e, 10, &err), 0);
	assert_int_equal(rm_on_match_goto(e, 25, &err), 0); /* no entry 25: lands on 30 */
	e = entry(f->ps, "G", 20, P);
	assert_int_equal(rm_set_weight(e, 20, &err), 0);
	e = entry(f->ps, "G", 30, P);
	assert_int_equal(rm_match_metric(e, 5, &err), 0);
	assert_int_equal(rm_set_local_pref(e, RM_SET_VALUE, 300, &err), 0);
	e = entry(f->ps, "G", 40, P);
	assert_int_equal(rm_set_local_pref(e, RM_SET_VALUE, 400, &err), 0);

	e = entry(f->ps, "PAST", 10, P);
	assert_int_equal(rm_set_weight(e, 1, &err), 0);
	assert_int_equal(rm_on_match_goto(e, 100, &err), 0);
	e = entry(f->ps, "PAST", 20, P);
	assert_int_equal(rm_set_weight(e, 2, &err), 0);

	e = entry(f->ps, "LASTNEXT", 10, D);
	assert_int_equal(rm_match_metric(e, 6, &err), 0);
	e = entry(f->ps, "LASTNEXT", 20, P);
	assert_int_equal(rm_set_weight(e, 3, &err), 0);
	assert_int_equal(rm_on_match_next(e, &err), 0);
	build_ok(f->ps);

	{
		struct attrs t;

		attrs_init(&t);
		t.aspath = path(f->pool, "1");
		t.flags = ATTR_HAS_MED;
		t.med = 5;
		m5 = attrs_intern(f->pool, &t);
		t.med = 6;
		m6 = attrs_intern(f->pool, &t);
		aspath_unref(f->pool, t.aspath);
	}
	o = apply(f, "G", "10.0.0.0/8", m5, P, &res);
	assert_int_equal(o->weight, 10);
	assert_int_equal(o->local_pref, 300);
	attrs_unref(f->pool, o);
	o = apply(f, "G", "10.0.0.0/8", m6, P, &res);
	assert_int_equal(o->weight, 10); /* 20 skipped */
	assert_int_equal(o->local_pref, 400);
	attrs_unref(f->pool, o);
	o = apply(f, "PAST", "10.0.0.0/8", m5, P, &res);
	assert_int_equal(o->weight, 1);
	attrs_unref(f->pool, o);
	o = apply(f, "LASTNEXT", "10.0.0.0/8", m5, P, &res);
	assert_int_equal(o->weight, 3);
	attrs_unref(f->pool, o);
	check(f, "LASTNEXT", m6, D);
	attrs_unref(f->pool, m5);
	attrs_unref(f->pool, m6);
}

/* FRR applies sets to the route in flight: a later entry matches what an earlier one set. */
static void test_rm_sees_earlier_sets(void **state)
{
	struct fixture *f = *state;
	struct comm_list *c = policy_set_community_list(f->ps, "TAGGED");
	uint32_t tag;
	struct policy_err err;
	struct policy_result res;
	struct rm_entry *e;
	struct attrs *a = mkattrs(f->pool, "1", NULL, NULL), *o;
	char buf[64];

	assert_true(community_parse("65000:1", &tag));
	assert_int_equal(comm_list_add_standard(c, 5, P, &tag, 1, &err), 0);
	e = entry(f->ps, "RM", 10, P);
	assert_int_equal(rm_set_community(e, &tag, 1, true, &err), 0);
	assert_int_equal(rm_on_match_next(e, &err), 0);
	e = entry(f->ps, "RM", 20, P);
	assert_int_equal(rm_match_community(e, "TAGGED", false, &err), 0);
	assert_int_equal(rm_set_local_pref(e, RM_SET_VALUE, 111, &err), 0);
	build_ok(f->ps);

	o = apply(f, "RM", "10.0.0.0/8", a, P, &res);
	assert_int_equal(o->local_pref, 111);
	fmt_comms(o->communities, buf, sizeof(buf));
	assert_string_equal(buf, "65000:1");
	attrs_unref(f->pool, o);
	attrs_unref(f->pool, a);
}

/* The config errors FRR refuses too, and those routerd adds (unknown names). */
static void test_rm_config_errors(void **state)
{
	struct fixture *f = *state;
	struct route_map *rm = policy_set_route_map(f->ps, "RM");
	struct policy_err err;
	struct rm_entry *d, *p;

	d = entry(f->ps, "RM", 10, D);
	p = entry(f->ps, "RM", 20, P);
	assert_int_equal(rm_on_match_next(d, &err), -1);
	assert_non_null(strstr(err.msg, "deny entry"));
	assert_int_equal(rm_on_match_goto(d, 30, &err), -1);
	assert_int_equal(rm_on_match_goto(p, 20, &err), -1);
	assert_non_null(strstr(err.msg, "forward"));
	assert_int_equal(rm_on_match_goto(p, 15, &err), -1);
	assert_int_equal(rm_on_match_next(p, &err), 0);
	assert_int_equal(rm_on_match_goto(p, 30, &err), -1); /* one exit policy per entry */
	assert_null(route_map_add_entry(rm, 20, P, &err));
	assert_non_null(strstr(err.msg, "duplicate seq 20"));
	assert_null(route_map_add_entry(rm, 0, P, &err));
	assert_null(route_map_add_entry(rm, 65536, P, &err));
	assert_int_equal(rm_match_metric(p, 1, &err), 0);
	assert_int_equal(rm_match_metric(p, 2, &err), -1);
	assert_non_null(strstr(err.msg, "match metric given twice"));
	assert_int_equal(rm_set_origin(p, 3, &err), -1);
	assert_int_equal(rm_set_as_path_prepend_last_as(p, 11, &err), -1);
	assert_int_equal(rm_set_as_path_prepend(p, NULL, 0, &err), -1);
	assert_int_equal(rm_set_community(p, NULL, 0, false, &err), -1);

	/* unknown names: the build fails and says which */
	assert_int_equal(rm_match_prefix_list(p, "NOPE", &err), 0);
	assert_int_equal(policy_set_build(f->ps, &err), -1);
	assert_string_equal(err.msg, "route-map RM seq 20: prefix-list NOPE: no such prefix-list");
	assert_false(policy_set_built(f->ps));
	policy_set_prefix_list(f->ps, "NOPE");
	assert_int_equal(rm_set_community_delete(d, "GONE", &err), 0);
	assert_int_equal(policy_set_build(f->ps, &err), -1);
	assert_string_equal(err.msg,
			    "route-map RM seq 10: comm-list delete GONE: no such community-list");
	/* a large-community-list of that name does not count: separate name spaces */
	policy_set_large_community_list(f->ps, "GONE");
	assert_int_equal(policy_set_build(f->ps, &err), -1);
	policy_set_community_list(f->ps, "GONE");
	build_ok(f->ps);
	assert_true(policy_set_built(f->ps));

	/* neighbors and redistribute name route-maps: a missing one is an error, not a deny */
	assert_null(policy_set_find_route_map(f->ps, "rmap-missing", &err));
	assert_string_equal(err.msg, "route-map rmap-missing does not exist");
	assert_ptr_equal(policy_set_find_route_map(f->ps, "RM", &err), rm);
}

/* ---- set clauses, table-driven ---- */

enum set_kind {
	S_LP,
	S_MED,
	S_WEIGHT,
	S_ORIGIN,
	S_PREPEND,
	S_PREPEND_LAST,
	S_EXCLUDE,
	S_EXCLUDE_ALL,
	S_COMM,
	S_COMM_ADD,
	S_COMM_NONE,
	S_COMM_DEL,
	S_LCOMM,
	S_LCOMM_ADD,
	S_LCOMM_NONE,
	S_LCOMM_DEL,
	S_NH,
	S_NH_PEER,
	S_NH_UNCHANGED,
};

struct set_case {
	const char *name;
	enum set_kind kind;
	enum rm_adjust how;
	uint32_t value;
	const char *arg; /* ASNs, communities, address, list name */
	/* route in */
	const char *path;
	const char *comm, *lcomm;
	int has_lp;	  /* -1: absent */
	int has_med;	  /* -1: absent */
	uint32_t peer_as; /* for last-as */
	const char *peer; /* peer-address */
	/* expected */
	const char *want_path, *want_comm, *want_lcomm, *want_nh, *want_nh_ll;
	long want_lp, want_med, want_weight, want_origin; /* -1: don't check / absent */
	bool want_unchanged;
	bool want_modified;
};

static const struct set_case set_cases[] = {
	{ "local-preference N", S_LP, RM_SET_VALUE, 200, NULL, "1", NULL, NULL, -1, -1, 0, NULL,
	  .want_lp = 200, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "local-preference +N on 100", S_LP, RM_ADD, 50, NULL, "1", NULL, NULL, 100, -1, 0, NULL,
	  .want_lp = 150, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "local-preference +N saturates", S_LP, RM_ADD, 10, NULL, "1", NULL, NULL, -2, -1, 0, NULL,
	  .want_lp = 4294967295, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "local-preference -N floors at 0", S_LP, RM_SUB, 500, NULL, "1", NULL, NULL, 100, -1, 0,
	  NULL, .want_lp = 0, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "local-preference +N when absent starts at 0", S_LP, RM_ADD, 7, NULL, "1", NULL, NULL, -1,
	  -1, 0, NULL, .want_lp = 7, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "metric N", S_MED, RM_SET_VALUE, 20, NULL, "1", NULL, NULL, -1, 5, 0, NULL, .want_lp = -1,
	  .want_med = 20, .want_weight = -1, .want_origin = -1, .want_modified = true },
	{ "metric -N", S_MED, RM_SUB, 2, NULL, "1", NULL, NULL, -1, 5, 0, NULL, .want_lp = -1,
	  .want_med = 3, .want_weight = -1, .want_origin = -1, .want_modified = true },
	{ "weight", S_WEIGHT, RM_SET_VALUE, 32768, NULL, "1", NULL, NULL, -1, -1, 0, NULL,
	  .want_lp = -1, .want_med = -1, .want_weight = 32768, .want_origin = -1,
	  .want_modified = true },
	{ "origin incomplete", S_ORIGIN, RM_SET_VALUE, ORIGIN_INCOMPLETE, NULL, "1", NULL, NULL, -1,
	  -1, 0, NULL, .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = ORIGIN_INCOMPLETE, .want_modified = true },
	{ "as-path prepend", S_PREPEND, 0, 0, "65001 65001", "65515 12076", NULL, NULL, -1, -1, 0,
	  NULL, "65001 65001 65515 12076", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = true },
	{ "as-path prepend last-as 2", S_PREPEND_LAST, 0, 2, NULL, "65515 12076", NULL, NULL, -1,
	  -1, 65099, NULL, "65515 65515 65515 12076", .want_lp = -1, .want_med = -1,
	  .want_weight = -1, .want_origin = -1, .want_modified = true },
	/* FRR 8.4 (tests/unit/test_policy_frr.c): no leftmost AS, nothing to repeat. */
	{ "prepend last-as on an empty path changes nothing", S_PREPEND_LAST, 0, 2, NULL, "", NULL,
	  NULL, -1, -1, 65099, NULL, "", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = false },
	{ "prepend last-as with nothing to repeat changes nothing", S_PREPEND_LAST, 0, 2, NULL, "",
	  NULL, NULL, -1, -1, 0, NULL, "", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = false },
	{ "prepend last-as when the path starts with a set changes nothing", S_PREPEND_LAST, 0, 1,
	  NULL, "{1,2}", NULL, NULL, -1, -1, 65099, NULL, "{1,2}", .want_lp = -1, .want_med = -1,
	  .want_weight = -1, .want_origin = -1, .want_modified = false },
	{ "as-path exclude", S_EXCLUDE, 0, 0, "65515", "65515 12076 65515 65150", NULL, NULL, -1,
	  -1, 0, NULL, "12076 65150", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = true },
	{ "as-path exclude all", S_EXCLUDE_ALL, 0, 0, NULL, "65515 12076", NULL, NULL, -1, -1, 0,
	  NULL, "", .want_lp = -1, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "community replace", S_COMM, 0, 0, "65000:1 no-export", "1", "1:1 2:2", NULL, -1, -1, 0,
	  NULL, NULL, "65000:1 no-export", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = true },
	{ "community additive", S_COMM_ADD, 0, 0, "65000:1 1:1", "1", "1:1 2:2", NULL, -1, -1, 0,
	  NULL, NULL, "1:1 2:2 65000:1", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = true },
	{ "community additive without communities", S_COMM_ADD, 0, 0, "graceful-shutdown", "1",
	  NULL, NULL, -1, -1, 0, NULL, NULL, "graceful-shutdown", .want_lp = -1, .want_med = -1,
	  .want_weight = -1, .want_origin = -1, .want_modified = true },
	{ "community none", S_COMM_NONE, 0, 0, NULL, "1", "1:1", NULL, -1, -1, 0, NULL, NULL,
	  "(none)", .want_lp = -1, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "comm-list delete", S_COMM_DEL, 0, 0, "DEL", "1", "100:1 100:2 100:3", NULL, -1, -1, 0,
	  NULL, NULL, "100:3", .want_lp = -1, .want_med = -1, .want_weight = -1, .want_origin = -1,
	  .want_modified = true },
	{ "comm-list delete on a route without communities", S_COMM_DEL, 0, 0, "DEL", "1", NULL,
	  NULL, -1, -1, 0, NULL, NULL, "(none)", .want_lp = -1, .want_med = -1, .want_weight = -1,
	  .want_origin = -1, .want_modified = false },
	{ "large-community replace",
	  S_LCOMM,
	  0,
	  0,
	  "65000:0:1",
	  "1",
	  NULL,
	  "1:2:3",
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  "65000:0:1",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "large-community additive",
	  S_LCOMM_ADD,
	  0,
	  0,
	  "65000:0:1",
	  "1",
	  NULL,
	  "1:2:3",
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  "1:2:3 65000:0:1",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "large-community none",
	  S_LCOMM_NONE,
	  0,
	  0,
	  NULL,
	  "1",
	  NULL,
	  "1:2:3",
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  "(none)",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "large-comm-list delete",
	  S_LCOMM_DEL,
	  0,
	  0,
	  "LDEL",
	  "1",
	  NULL,
	  "1:2:3 4:5:6",
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  "4:5:6",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "next-hop address",
	  S_NH,
	  0,
	  0,
	  "198.51.100.7",
	  "1",
	  NULL,
	  NULL,
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "198.51.100.7",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "next-hop IPv6 global",
	  S_NH,
	  0,
	  0,
	  "2001:db8::7",
	  "1",
	  NULL,
	  NULL,
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "2001:db8::7",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "next-hop peer-address",
	  S_NH_PEER,
	  0,
	  0,
	  NULL,
	  "1",
	  NULL,
	  NULL,
	  -1,
	  -1,
	  0,
	  "10.0.210.4",
	  NULL,
	  NULL,
	  NULL,
	  "10.0.210.4",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "next-hop peer-address, a link-local peer (unnumbered)",
	  S_NH_PEER,
	  0,
	  0,
	  NULL,
	  "1",
	  NULL,
	  NULL,
	  -1,
	  -1,
	  0,
	  "fe80::20c:29ff:fede:9b3c",
	  NULL,
	  NULL,
	  NULL,
	  "::",
	  "fe80::20c:29ff:fede:9b3c",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_modified = true },
	{ "next-hop unchanged",
	  S_NH_UNCHANGED,
	  0,
	  0,
	  NULL,
	  "1",
	  NULL,
	  NULL,
	  -1,
	  -1,
	  0,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "192.0.2.1",
	  .want_lp = -1,
	  .want_med = -1,
	  .want_weight = -1,
	  .want_origin = -1,
	  .want_unchanged = true,
	  .want_modified = false },
};

static size_t parse_asns(const char *s, uint32_t *v)
{
	size_t n = 0;

	while (s && *s) {
		char *end;

		v[n++] = (uint32_t)strtoul(s, &end, 10);
		s = *end ? end + 1 : end;
	}
	return n;
}

static size_t parse_comms(const char *s, uint32_t *v, struct lcommunity *lv)
{
	char buf[256], *tok, *save;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (v)
			assert_true(community_parse(tok, &v[n++]));
		else
			assert_true(lcommunity_parse(tok, &lv[n++]));
	}
	return n;
}

static void add_set(struct rm_entry *e, const struct set_case *c)
{
	uint32_t v[32];
	struct lcommunity lv[32];
	struct ipaddr a;
	struct policy_err err;
	int rc = 0;

	switch (c->kind) {
	case S_LP:
		rc = rm_set_local_pref(e, c->how, c->value, &err);
		break;
	case S_MED:
		rc = rm_set_metric(e, c->how, c->value, &err);
		break;
	case S_WEIGHT:
		rc = rm_set_weight(e, c->value, &err);
		break;
	case S_ORIGIN:
		rc = rm_set_origin(e, (uint8_t)c->value, &err);
		break;
	case S_PREPEND:
		rc = rm_set_as_path_prepend(e, v, parse_asns(c->arg, v), &err);
		break;
	case S_PREPEND_LAST:
		rc = rm_set_as_path_prepend_last_as(e, c->value, &err);
		break;
	case S_EXCLUDE:
		rc = rm_set_as_path_exclude(e, v, parse_asns(c->arg, v), &err);
		break;
	case S_EXCLUDE_ALL:
		rc = rm_set_as_path_exclude(e, NULL, 0, &err);
		break;
	case S_COMM:
	case S_COMM_ADD:
		rc = rm_set_community(e, v, parse_comms(c->arg, v, NULL), c->kind == S_COMM_ADD,
				      &err);
		break;
	case S_COMM_NONE:
		rc = rm_set_community_none(e, &err);
		break;
	case S_COMM_DEL:
		rc = rm_set_community_delete(e, c->arg, &err);
		break;
	case S_LCOMM:
	case S_LCOMM_ADD:
		rc = rm_set_large_community(e, lv, parse_comms(c->arg, NULL, lv),
					    c->kind == S_LCOMM_ADD, &err);
		break;
	case S_LCOMM_NONE:
		rc = rm_set_large_community_none(e, &err);
		break;
	case S_LCOMM_DEL:
		rc = rm_set_large_community_delete(e, c->arg, &err);
		break;
	case S_NH:
		a = addr(c->arg);
		rc = rm_set_nexthop(e, &a, &err);
		break;
	case S_NH_PEER:
		rc = rm_set_nexthop_peer_address(e, &err);
		break;
	case S_NH_UNCHANGED:
		rc = rm_set_nexthop_unchanged(e, &err);
		break;
	}
	if (rc)
		fail_msg("%s: %s", c->name, err.msg);
}

static struct attrs *set_case_route(struct attr_pool *pool, const struct set_case *c)
{
	struct attrs t;
	struct attrs *a;

	attrs_init(&t);
	t.aspath = path(pool, c->path);
	t.communities = c->comm ? comms(pool, c->comm) : NULL;
	t.lcommunities = c->lcomm ? lcomms(pool, c->lcomm) : NULL;
	t.nexthop = addr("192.0.2.1");
	if (c->has_lp != -1) {
		t.flags |= ATTR_HAS_LOCAL_PREF;
		t.local_pref = c->has_lp == -2 ? UINT32_MAX - 5 : (uint32_t)c->has_lp;
	}
	if (c->has_med != -1) {
		t.flags |= ATTR_HAS_MED;
		t.med = (uint32_t)c->has_med;
	}
	a = attrs_intern(pool, &t);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	lcommunity_list_unref(pool, t.lcommunities);
	return a;
}

static void check_set_result(const struct set_case *c, const struct attrs *o)
{
	char buf[256], nh[64];

	if (c->want_path) {
		aspath_fmt(o->aspath, buf, sizeof(buf));
		if (strcmp(buf, c->want_path))
			fail_msg("%s: path \"%s\"", c->name, buf);
	}
	if (c->want_comm) {
		if (o->communities)
			community_list_fmt(o->communities, buf, sizeof(buf));
		else
			strcpy(buf, "(none)");
		if (strcmp(buf, c->want_comm))
			fail_msg("%s: communities \"%s\"", c->name, buf);
	}
	if (c->want_lcomm) {
		if (o->lcommunities)
			lcommunity_list_fmt(o->lcommunities, buf, sizeof(buf));
		else
			strcpy(buf, "(none)");
		if (strcmp(buf, c->want_lcomm))
			fail_msg("%s: large communities \"%s\"", c->name, buf);
	}
	if (c->want_nh) {
		inet_ntop(o->nexthop.family, o->nexthop.bytes, nh, sizeof(nh));
		if (strcmp(nh, c->want_nh))
			fail_msg("%s: next hop %s", c->name, nh);
	}
	if (c->want_nh_ll) {
		inet_ntop(o->nexthop_ll.family, o->nexthop_ll.bytes, nh, sizeof(nh));
		if (strcmp(nh, c->want_nh_ll))
			fail_msg("%s: link-local next hop %s", c->name, nh);
	}
	if (c->want_lp >= 0 && (!(o->flags & ATTR_HAS_LOCAL_PREF) || o->local_pref != c->want_lp))
		fail_msg("%s: local-preference %u", c->name, o->local_pref);
	if (c->want_med >= 0 && (!(o->flags & ATTR_HAS_MED) || o->med != c->want_med))
		fail_msg("%s: metric %u", c->name, o->med);
	if (c->want_weight >= 0 && o->weight != c->want_weight)
		fail_msg("%s: weight %u", c->name, o->weight);
	if (c->want_origin >= 0 && o->origin != c->want_origin)
		fail_msg("%s: origin %u", c->name, o->origin);
}

static void test_rm_set_clauses(void **state)
{
	struct fixture *f = *state;
	struct comm_list *del = policy_set_community_list(f->ps, "DEL");
	struct comm_list *ldel = policy_set_large_community_list(f->ps, "LDEL");
	struct lcommunity l123 = { 1, 2, 3 };
	uint32_t v[2];
	char name[16];

	assert_true(community_parse("100:1", &v[0]));
	assert_true(community_parse("100:2", &v[1]));
	assert_int_equal(comm_list_add_standard(del, 5, P, v, 2, NULL), 0);
	assert_int_equal(lcomm_list_add_standard(ldel, 5, P, &l123, 1, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(set_cases); i++) {
		snprintf(name, sizeof(name), "S%zu", i);
		add_set(entry(f->ps, name, 10, P), &set_cases[i]);
	}
	build_ok(f->ps);
	for (size_t i = 0; i < ARRAY_SIZE(set_cases); i++) {
		const struct set_case *c = &set_cases[i];
		struct attrs *a = set_case_route(f->pool, c), *o;
		struct prefix p = pfx("10.0.0.0/8");
		struct ipaddr peer;
		struct policy_route r = { .prefix = &p, .attrs = a, .peer_as = c->peer_as };
		struct policy_result res;

		if (c->peer) {
			peer = addr(c->peer);
			r.peer_address = &peer;
		}
		snprintf(name, sizeof(name), "S%zu", i);
		if (route_map_apply(policy_set_find_route_map(f->ps, name, NULL), f->pool, &r,
				    &res) != P)
			fail_msg("%s: denied", c->name);
		if (res.modified != c->want_modified || res.nexthop_unchanged != c->want_unchanged)
			fail_msg("%s: modified %d unchanged %d", c->name, res.modified,
				 res.nexthop_unchanged);
		o = res.modified ? attrs_intern(f->pool, &res.attrs) : attrs_ref(a);
		policy_result_release(f->pool, &res);
		check_set_result(c, o);
		attrs_unref(f->pool, o);
		attrs_unref(f->pool, a);
	}
}

/* Deletions run before additions whatever order the config gave them in. */
static void test_rm_set_order(void **state)
{
	struct fixture *f = *state;
	struct comm_list *del = policy_set_community_list(f->ps, "ALL");
	uint32_t v;
	struct policy_result res;
	struct rm_entry *e = entry(f->ps, "RM", 10, P);
	struct attrs *a = mkattrs(f->pool, "65515 1", "1:1 2:2", NULL), *o;
	uint32_t asn = 65515;
	char buf[64];

	assert_true(community_parse("9:9", &v));
	assert_int_equal(comm_list_add_standard(del, 5, P, NULL, 0, NULL), 0);
	assert_int_equal(rm_set_community(e, &v, 1, true, NULL), 0);
	assert_int_equal(rm_set_community_delete(e, "ALL", NULL), 0);
	assert_int_equal(rm_set_as_path_prepend(e, &asn, 1, NULL), 0);
	assert_int_equal(rm_set_as_path_exclude(e, &asn, 1, NULL), 0);
	build_ok(f->ps);
	o = apply(f, "RM", "10.0.0.0/8", a, P, &res);
	fmt_comms(o->communities, buf, sizeof(buf));
	assert_string_equal(buf, "9:9");
	assert_path(o->aspath, "65515 1");
	attrs_unref(f->pool, o);
	attrs_unref(f->pool, a);
}

/* Match clauses other than lists: local-preference, metric, source-protocol, next-hop, large. */
static void test_rm_match_clauses(void **state)
{
	struct fixture *f = *state;
	struct prefix_list *nh = policy_set_prefix_list(f->ps, "NH");
	struct comm_list *lc = policy_set_large_community_list(f->ps, "L");
	struct prefix p192 = pfx("192.0.2.0/24"), pll = pfx("fe80::/10");
	struct lcommunity l = { 65000, 1, 1 };
	struct policy_err err;
	struct attrs t, *v4, *ll, *big;

	assert_int_equal(prefix_list_add(nh, 5, P, &p192, 0, 32, &err), 0);
	assert_int_equal(prefix_list_add(nh, 10, P, &pll, 0, 128, &err), 0);
	assert_int_equal(lcomm_list_add_standard(lc, 5, P, &l, 1, &err), 0);
	assert_int_equal(rm_match_nexthop_prefix_list(entry(f->ps, "NHM", 10, P), "NH", &err), 0);
	assert_int_equal(rm_match_large_community(entry(f->ps, "LM", 10, P), "L", true, &err), 0);
	assert_int_equal(rm_match_local_pref(entry(f->ps, "LPM", 10, P), 300, &err), 0);
	assert_int_equal(
		rm_match_source_protocol(entry(f->ps, "STATIC", 10, P), POLICY_PROTO_STATIC, &err),
		0);
	build_ok(f->ps);

	attrs_init(&t);
	t.aspath = path(f->pool, "");
	t.nexthop = addr("192.0.2.1");
	v4 = attrs_intern(f->pool, &t);
	t.nexthop = addr("::");
	t.nexthop_ll = addr("fe80::1");
	t.flags = ATTR_HAS_LOCAL_PREF;
	t.local_pref = 300;
	ll = attrs_intern(f->pool, &t);
	t.nexthop = addr("2001:db8::1");
	t.lcommunities = lcomms(f->pool, "65000:1:1");
	big = attrs_intern(f->pool, &t);
	lcommunity_list_unref(f->pool, t.lcommunities);
	aspath_unref(f->pool, t.aspath);

	check(f, "NHM", v4, P);
	check(f, "NHM", ll, P);	 /* :: global: the link-local next hop counts */
	check(f, "NHM", big, D); /* 2001:db8::1 is in neither entry */
	check(f, "LM", big, P);
	check(f, "LM", v4, D);
	check(f, "LPM", ll, P);
	check(f, "LPM", v4, D);
	check(f, "STATIC", v4, D); /* check() passes a BGP route */
	attrs_unref(f->pool, v4);
	attrs_unref(f->pool, ll);
	attrs_unref(f->pool, big);
}

/* An IPv4 next hop has no link-local companion; a link-local one goes to nexthop_ll. */
static void test_rm_nexthop_families(void **state)
{
	struct fixture *f = *state;
	struct ipaddr v4 = addr("198.51.100.1");
	struct policy_result res;
	struct attrs t, *in, *o;
	char buf[64];

	assert_int_equal(rm_set_nexthop(entry(f->ps, "V4", 10, P), &v4, NULL), 0);
	build_ok(f->ps);
	attrs_init(&t);
	t.aspath = path(f->pool, "1");
	t.nexthop = addr("::");
	t.nexthop_ll = addr("fe80::1");
	in = attrs_intern(f->pool, &t);
	aspath_unref(f->pool, t.aspath);
	o = apply(f, "V4", "10.0.0.0/8", in, P, &res);
	inet_ntop(AF_INET, o->nexthop.bytes, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.1");
	assert_int_equal(o->nexthop.family, AF_INET);
	assert_int_equal(o->nexthop_ll.family, 0);
	attrs_unref(f->pool, o);
	attrs_unref(f->pool, in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_list_table),
		cmocka_unit_test(test_prefix_list_errors),
		cmocka_unit_test(test_prefix_list_host_bits),
		cmocka_unit_test(test_prefix_list_vs_linear),
		cmocka_unit_test(test_regex_translate),
		cmocka_unit_test(test_seed002_aspath_text),
		cmocka_unit_test(test_seed002_aspath_interned),
		cmocka_unit_test(test_aspath_cache_address_reuse),
		cmocka_unit_test(test_regex_shortcuts_agree),
		cmocka_unit_test(test_regex_shortcut_choice),
		cmocka_unit_test(test_aspath_cache_cleared_on_add),
		cmocka_unit_test(test_aspath_list_errors),
		cmocka_unit_test(test_pcache),
		cmocka_unit_test(test_community_text),
		cmocka_unit_test(test_lcommunity_text),
		cmocka_unit_test(test_community_list_text),
		cmocka_unit_test(test_community_lists),
		cmocka_unit_test(test_community_delete),
		cmocka_unit_test(test_community_list_errors),
		cmocka_unit_test(test_aspath_edit),
		cmocka_unit_test(test_aspath_prepend_long),
		cmocka_unit_test_setup_teardown(test_seed002_route_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed003_redistribute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_on_match_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_on_match_goto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_sees_earlier_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_set_clauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_set_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_match_clauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_nexthop_families, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
