/*
 * RFC 4271 §9.1.2 decision process, table-driven: each row is one pair of
 * paths that differ so that exactly the named step decides. Attributes are
 * built by hand (the decision reads fields only, no interning needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "routerd/rib/decide.h"

/* One path and its peer, described by what differs from a plain eBGP route. */
struct side {
	uint32_t weight;
	bool has_lp;
	uint32_t lp;
	uint8_t origin;
	bool has_med;
	uint32_t med;
	uint16_t plen; /* AS path length as attr.c computes it */
	uint32_t nas;  /* neighbor AS */
	bool ibgp, local;
	uint32_t igp, rid;
	uint8_t family; /* peer address family, AF_INET when 0 */
	uint8_t addr;	/* last byte of the peer address */
};

#define LP(x)  .has_lp = true, .lp = (x)
#define MED(x) .has_med = true, .med = (x)

struct built {
	struct aspath *as;
	struct attrs at;
	struct rib_path p;
};

/* peers[1] is side a, peers[2] side b; peers[0] (local origination) unused here. */
struct pair {
	struct built a, b;
	struct rib_peer_info peers[3];
};

static void build_side(const struct side *s, uint16_t id, struct built *b, struct rib_peer_info *pi)
{
	b->as = calloc(1, sizeof(*b->as));
	assert_non_null(b->as);
	b->as->path_len = s->plen;
	b->as->neighbor_as = s->nas;
	memset(&b->at, 0, sizeof(b->at));
	b->at.weight = s->weight;
	b->at.local_pref = s->lp;
	b->at.origin = s->origin;
	b->at.med = s->med;
	b->at.flags = (s->has_lp ? ATTR_HAS_LOCAL_PREF : 0) | (s->has_med ? ATTR_HAS_MED : 0);
	b->at.aspath = b->as;
	b->p = (struct rib_path){ .attrs = &b->at, .peer = id };
	memset(pi, 0, sizeof(*pi));
	pi->router_id = s->rid;
	pi->remote_as = s->nas;
	pi->ibgp = s->ibgp;
	pi->local = s->local;
	pi->igp_cost = s->igp;
	pi->addr.family = s->family ? s->family : AF_INET;
	pi->addr.bytes[0] = 10;
	pi->addr.bytes[15] = s->addr;
	if (pi->addr.family == AF_INET)
		pi->addr.bytes[3] = s->addr;
}

static void build_pair(const struct side *a, const struct side *b, struct pair *pr)
{
	memset(pr, 0, sizeof(*pr));
	build_side(a, 1, &pr->a, &pr->peers[1]);
	build_side(b, 2, &pr->b, &pr->peers[2]);
}

static void free_pair(struct pair *pr)
{
	free(pr->a.as);
	free(pr->b.as);
}

static int sign(int r)
{
	return (r > 0) - (r < 0);
}

/* ---- best path: which side wins and at which step ---- */

struct row {
	const char *name;
	struct side a, b;
	struct decide_conf conf; /* max_paths 0 here means the default */
	int winner;		 /* -1: a, +1: b */
	enum decide_step step;
};

static const struct row rows[] = {
	{ "weight: higher wins", { .weight = 100 }, { .weight = 0 }, {}, -1, DECIDE_WEIGHT },
	{ "weight before local-pref", { .weight = 1, LP(50) }, { LP(200) }, {}, -1, DECIDE_WEIGHT },
	{ "local-pref: higher wins", { LP(200) }, { LP(150) }, {}, -1, DECIDE_LOCAL_PREF },
	{ "local-pref: absent counts 100 (beats 90)", {}, { LP(90) }, {}, -1, DECIDE_LOCAL_PREF },
	{ "local-pref: absent counts 100 (loses to 150)",
	  {},
	  { LP(150) },
	  {},
	  +1,
	  DECIDE_LOCAL_PREF },
	{ "local-pref before local route",
	  { LP(200) },
	  { .local = true },
	  {},
	  -1,
	  DECIDE_LOCAL_PREF },
	{ "local route before AS path length",
	  { .local = true, .plen = 2 },
	  { .plen = 1 },
	  {},
	  -1,
	  DECIDE_LOCAL_ROUTE },
	{ "AS path: shorter wins", { .plen = 1 }, { .plen = 2 }, {}, -1, DECIDE_AS_PATH },
	{ "AS path before origin",
	  { .plen = 1, .origin = ORIGIN_INCOMPLETE },
	  { .plen = 2 },
	  {},
	  -1,
	  DECIDE_AS_PATH },
	{ "as-path ignore: origin decides",
	  { .plen = 3 },
	  { .plen = 1, .origin = ORIGIN_EGP },
	  { .as_path_ignore = true },
	  -1,
	  DECIDE_ORIGIN },
	{ "origin: IGP before EGP",
	  { .origin = ORIGIN_IGP },
	  { .origin = ORIGIN_EGP },
	  {},
	  -1,
	  DECIDE_ORIGIN },
	{ "origin: EGP before INCOMPLETE",
	  { .origin = ORIGIN_INCOMPLETE },
	  { .origin = ORIGIN_EGP },
	  {},
	  +1,
	  DECIDE_ORIGIN },
	{ "origin before MED",
	  { .nas = 1, MED(100) },
	  { .nas = 1, .origin = ORIGIN_EGP },
	  {},
	  -1,
	  DECIDE_ORIGIN },
	{ "MED: lower wins from the same neighbor AS",
	  { .nas = 65001, MED(10) },
	  { .nas = 65001, MED(20) },
	  {},
	  -1,
	  DECIDE_MED },
	{ "MED: missing counts 0", { .nas = 65001 }, { .nas = 65001, MED(1) }, {}, -1, DECIDE_MED },
	{ "MED: not compared across neighbor ASes",
	  { .nas = 65001, MED(10), .rid = 1 },
	  { .nas = 65002, MED(5), .rid = 2 },
	  {},
	  -1,
	  DECIDE_ROUTER_ID },
	{ "MED: always-compare-med",
	  { .nas = 65001, MED(10), .rid = 1 },
	  { .nas = 65002, MED(5), .rid = 2 },
	  { .always_compare_med = true },
	  +1,
	  DECIDE_MED },
	{ "MED: compared between empty AS paths (iBGP)",
	  { .ibgp = true, MED(20) },
	  { .ibgp = true, MED(10) },
	  {},
	  +1,
	  DECIDE_MED },
	{ "MED before peer type",
	  { .nas = 7, .ibgp = true },
	  { .nas = 7, MED(10) },
	  {},
	  -1,
	  DECIDE_MED },
	{ "peer type: eBGP over iBGP", { .ibgp = true }, {}, {}, +1, DECIDE_PEER_TYPE },
	{ "peer type before IGP cost", { .igp = 50 }, { .ibgp = true }, {}, -1, DECIDE_PEER_TYPE },
	{ "IGP cost: lower wins",
	  { .ibgp = true, .igp = 10, .rid = 9 },
	  { .ibgp = true, .igp = 20, .rid = 1 },
	  {},
	  -1,
	  DECIDE_IGP_COST },
	{ "router-id: lower wins",
	  { .rid = 0x0a000002 },
	  { .rid = 0x0a000001 },
	  {},
	  +1,
	  DECIDE_ROUTER_ID },
	{ "router-id: no oldest-eBGP-path rule",
	  { .nas = 1, .rid = 5 },
	  { .nas = 2, .rid = 4 },
	  {},
	  +1,
	  DECIDE_ROUTER_ID },
	{ "router-id before peer address",
	  { .rid = 1, .addr = 9 },
	  { .rid = 2, .addr = 1 },
	  {},
	  -1,
	  DECIDE_ROUTER_ID },
	{ "peer address: lower wins (IPv4)",
	  { .rid = 7, .addr = 2 },
	  { .rid = 7, .addr = 1 },
	  {},
	  +1,
	  DECIDE_PEER_ADDR },
	{ "peer address: lower wins (IPv6)",
	  { .rid = 7, .family = AF_INET6, .addr = 1 },
	  { .rid = 7, .family = AF_INET6, .addr = 2 },
	  {},
	  -1,
	  DECIDE_PEER_ADDR },
	{ "peer id: last resort for identical peers", {}, {}, {}, -1, DECIDE_PEER_ID },
};

static void check_row(const struct row *r)
{
	struct decide_conf c = r->conf;
	enum decide_step st1, st2;
	struct pair pr;
	int r1, r2;

	if (!c.max_paths)
		c.max_paths = 1;
	build_pair(&r->a, &r->b, &pr);
	r1 = decide_cmp_step(&pr.a.p, &pr.b.p, pr.peers, &c, &st1);
	r2 = decide_cmp_step(&pr.b.p, &pr.a.p, pr.peers, &c, &st2);
	free_pair(&pr);
	if (sign(r1) != r->winner || st1 != r->step)
		fail_msg("%s: got %d at %s, want %d at %s", r->name, sign(r1),
			 decide_step_name(st1), r->winner, decide_step_name(r->step));
	if (sign(r2) != -r->winner || st2 != r->step)
		fail_msg("%s: not antisymmetric (%d at %s)", r->name, sign(r2),
			 decide_step_name(st2));
}

static void test_best_rows(void **state)
{
	size_t n = sizeof(rows) / sizeof(rows[0]);

	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++)
		check_row(&rows[i]);
}

static void test_same_path_is_equal(void **state)
{
	struct side s = { .nas = 1 };
	struct decide_conf c;
	enum decide_step st;
	struct pair pr;

	decide_conf_init(&c);
	build_pair(&s, &s, &pr);
	assert_int_equal(decide_cmp_step(&pr.a.p, &pr.a.p, pr.peers, &c, &st), 0);
	assert_int_equal(st, DECIDE_EQUAL);
	assert_string_equal(decide_step_name(st), "Equal");
	assert_string_equal(decide_step_name(DECIDE_ROUTER_ID), "Router ID");
	free_pair(&pr);
}

/* ---- multipath equality ---- */

struct mrow {
	const char *name;
	struct side a, b;
	struct decide_conf conf;
	bool share_aspath; /* b uses a's AS path object (identical interned path) */
	bool eq;
};

static const struct mrow mrows[] = {
	{ "eBGP, same neighbor AS",
	  { .nas = 1, .plen = 2, .rid = 1 },
	  { .nas = 1, .plen = 2, .rid = 2 },
	  {},
	  false,
	  true },
	{ "eBGP, different AS, no relax",
	  { .nas = 1, .plen = 2 },
	  { .nas = 2, .plen = 2 },
	  {},
	  false,
	  false },
	{ "eBGP, different AS, relax",
	  { .nas = 1, .plen = 2 },
	  { .nas = 2, .plen = 2 },
	  { .multipath_relax = true },
	  false,
	  true },
	{ "relax needs the same length (as-path ignore)",
	  { .nas = 1, .plen = 2 },
	  { .nas = 2, .plen = 3 },
	  { .multipath_relax = true, .as_path_ignore = true },
	  false,
	  false },
	{ "different length fails at AS path",
	  { .nas = 1, .plen = 2 },
	  { .nas = 1, .plen = 3 },
	  { .multipath_relax = true },
	  false,
	  false },
	{ "eBGP and iBGP never mixed",
	  { .nas = 1 },
	  { .nas = 1, .ibgp = true },
	  { .multipath_relax = true },
	  true,
	  false },
	{ "iBGP, identical AS path",
	  { .ibgp = true, .nas = 3, .rid = 1 },
	  { .ibgp = true, .nas = 3, .rid = 2 },
	  {},
	  true,
	  true },
	{ "iBGP, same neighbor AS but another path",
	  { .ibgp = true, .nas = 3 },
	  { .ibgp = true, .nas = 3 },
	  {},
	  false,
	  false },
	{ "iBGP, another path, relax",
	  { .ibgp = true, .nas = 3 },
	  { .ibgp = true, .nas = 4 },
	  { .multipath_relax = true },
	  false,
	  true },
	{ "different MED", { .nas = 1, MED(1) }, { .nas = 1, MED(2) }, {}, false, false },
	{ "different IGP cost", { .nas = 1, .igp = 1 }, { .nas = 1, .igp = 2 }, {}, false, false },
	{ "different local-pref", { .nas = 1, LP(100) }, { .nas = 1, LP(101) }, {}, false, false },
	{ "locally originated never", { .local = true }, { .local = true }, {}, true, false },
};

static void check_mrow(const struct mrow *r)
{
	struct decide_conf c = r->conf;
	struct pair pr;
	bool ab, ba;

	c.max_paths = 64;
	build_pair(&r->a, &r->b, &pr);
	if (r->share_aspath)
		pr.b.at.aspath = pr.a.as;
	ab = decide_multipath_eq(&pr.a.p, &pr.b.p, pr.peers, &c);
	ba = decide_multipath_eq(&pr.b.p, &pr.a.p, pr.peers, &c);
	free_pair(&pr);
	if (ab != r->eq || ba != r->eq)
		fail_msg("%s: got %d/%d, want %d", r->name, ab, ba, r->eq);
}

static void test_multipath_rows(void **state)
{
	for (size_t i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++)
		check_mrow(&mrows[i]);
}

/* ---- selection: best first, then equal-cost paths in decision order, capped ---- */

#define NSEL 6

struct sel_fixture {
	struct built b[NSEL];
	struct rib_peer_info peers[NSEL + 1];
	struct rib_path *cand[NSEL];
};

/* Paths 0..NSEL-1 on peers 1..NSEL; router-ids descend so later peers win ties. */
static void sel_build(struct sel_fixture *f, const struct side *sides)
{
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < NSEL; i++) {
		build_side(&sides[i], i + 1, &f->b[i], &f->peers[i + 1]);
		f->cand[i] = &f->b[i].p;
	}
}

static void sel_free(struct sel_fixture *f)
{
	for (unsigned i = 0; i < NSEL; i++)
		free(f->b[i].as);
}

static const struct side sel_sides[NSEL] = {
	{ .nas = 1, .plen = 2, .rid = 60 }, { .nas = 1, .plen = 2, .rid = 50 },
	{ .nas = 2, .plen = 2, .rid = 40 }, { .nas = 1, .plen = 2, .rid = 30, .ibgp = true },
	{ .nas = 1, .plen = 2, .rid = 20 }, { .nas = 1, .plen = 3, .rid = 10 },
};

static unsigned select_peers(struct sel_fixture *f, struct decide_conf *c, uint16_t *out)
{
	struct rib_path *mp[RIB_MAX_MULTIPATH];
	unsigned n = decide_select(f->cand, NSEL, f->peers, c, mp);

	for (unsigned i = 0; i < n; i++)
		out[i] = mp[i]->peer;
	return n;
}

static void test_select_same_as(void **state)
{
	struct sel_fixture f;
	struct decide_conf c;
	uint16_t p[RIB_MAX_MULTIPATH];

	sel_build(&f, sel_sides);
	decide_conf_init(&c);
	/* max_paths 1: only the best (eBGP, length 2, lowest router-id: peer 5) */
	assert_int_equal(select_peers(&f, &c, p), 1);
	assert_int_equal(p[0], 5);
	/* same neighbor AS only: peers 5, 2, 1 (the iBGP path 4 and AS 2 path 3 stay out) */
	c.max_paths = 8;
	assert_int_equal(select_peers(&f, &c, p), 3);
	assert_int_equal(p[0], 5);
	assert_int_equal(p[1], 2);
	assert_int_equal(p[2], 1);
	sel_free(&f);
}

static void test_select_relax_and_cap(void **state)
{
	struct sel_fixture f;
	struct decide_conf c;
	uint16_t p[RIB_MAX_MULTIPATH];

	sel_build(&f, sel_sides);
	decide_conf_init(&c);
	c.multipath_relax = true;
	c.max_paths = 8;
	/* any AS, same length, eBGP only: 5, 3, 2, 1 */
	assert_int_equal(select_peers(&f, &c, p), 4);
	assert_int_equal(p[0], 5);
	assert_int_equal(p[1], 3);
	assert_int_equal(p[2], 2);
	assert_int_equal(p[3], 1);
	/* the cap keeps the best ones */
	c.max_paths = 2;
	assert_int_equal(select_peers(&f, &c, p), 2);
	assert_int_equal(p[0], 5);
	assert_int_equal(p[1], 3);
	assert_int_equal(decide_select(f.cand, 0, f.peers, &c, NULL), 0);
	/* a full set keeps its best members whatever the candidate order */
	for (unsigned i = 0; i < NSEL / 2; i++) {
		struct rib_path *t = f.cand[i];

		f.cand[i] = f.cand[NSEL - 1 - i];
		f.cand[NSEL - 1 - i] = t;
	}
	assert_int_equal(select_peers(&f, &c, p), 2);
	assert_int_equal(p[0], 5);
	assert_int_equal(p[1], 3);
	sel_free(&f);
}

/* The candidate order is the caller's: the result only depends on it through MED (non-transitive). */
static void test_select_order_independent_without_med(void **state)
{
	struct sel_fixture f;
	struct decide_conf c;
	struct rib_path *mp[RIB_MAX_MULTIPATH], *rev[NSEL];

	sel_build(&f, sel_sides);
	decide_conf_init(&c);
	c.max_paths = 8;
	for (unsigned i = 0; i < NSEL; i++)
		rev[i] = f.cand[NSEL - 1 - i];
	assert_int_equal(decide_select(rev, NSEL, f.peers, &c, mp), 3);
	assert_int_equal(mp[0]->peer, 5);
	assert_int_equal(mp[1]->peer, 2);
	assert_int_equal(mp[2]->peer, 1);
	sel_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_rows),
		cmocka_unit_test(test_same_path_is_equal),
		cmocka_unit_test(test_multipath_rows),
		cmocka_unit_test(test_select_same_as),
		cmocka_unit_test(test_select_relax_and_cap),
		cmocka_unit_test(test_select_order_independent_without_med),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
