/*
 * fabric planner: numbering (ASNs, loopbacks, host subnets, ports), the
 * --frr and size checks, expected ECMP widths, every planned routerd config
 * loading with routerd's own loader, plan.json read back, and the planned
 * folders of 2x4 (all routerd) and 2x4 mixed (spine2, leaf4 on FRR) equal
 * byte for byte to the golden files in tests/unit/fabric/ and to the
 * committed labs in lab/. Runs with tests/unit as working directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fabric/emit.h"
#include "fabric/fileio.h"
#include "fabric/plan.h"
#include "fabric/planfile.h"
#include "routerd/conf/conf.h"

#define GOLDEN_2X4   "fabric/clos-2x4"
#define GOLDEN_MIXED "fabric/clos-mixed"
#define LAB_2X4	     "../../lab/clos-2x4"
#define LAB_MIXED    "../../lab/clos-mixed"

static void params(struct fab_params *p, const char *name, unsigned s, unsigned l, unsigned b,
		   const char *frr)
{
	struct fab_err err;

	plan_params_init(p);
	assert_int_equal(plan_params_set_name(p, name, &err), 0);
	p->spines = s;
	p->leaves = l;
	p->borders = b;
	snprintf(p->frr, sizeof(p->frr), "%s", frr);
}

static void build_ok(const struct fab_params *p, struct fab_plan *plan)
{
	struct fab_err err;

	if (plan_build(p, plan, &err) < 0)
		fail_msg("plan_build: %s", err.msg);
}

/* plan_build must fail with a message holding every needle (NULL-terminated). */
static void build_fails(const struct fab_params *p, ...)
{
	struct fab_plan plan;
	struct fab_err err;
	const char *needle;
	va_list ap;

	assert_int_equal(plan_build(p, &plan, &err), -1);
	va_start(ap, p);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(err.msg, needle))
			fail_msg("expected \"%s\" in: %s", needle, err.msg);
	va_end(ap);
}

static const struct fab_node *node(const struct fab_plan *plan, const char *name)
{
	int i = plan_find(plan, name);

	if (i < 0)
		fail_msg("no node %s", name);
	return &plan->nodes[i];
}

static void assert_ip(uint32_t a, const char *text)
{
	char s[16];

	plan_ip_fmt(a, s, sizeof(s));
	assert_string_equal(s, text);
}

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/test_fabric_plan.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

/* ---- numbering ---- */

static void test_numbering_seed003(void **state)
{
	struct fab_params p;
	struct fab_plan plan;

	(void)state;
	params(&p, "clos-2x4", 2, 4, 0, "");
	build_ok(&p, &plan);
	assert_int_equal(plan.n_nodes, 2 + 4 + 4);
	assert_int_equal(plan.n_links, 2 * 4 + 4);
	assert_int_equal(node(&plan, "spine1")->asn, 4200000000u);
	assert_int_equal(node(&plan, "spine2")->asn, 4200000000u);
	assert_int_equal(node(&plan, "leaf1")->asn, 4210000001u);
	assert_int_equal(node(&plan, "leaf4")->asn, 4210000004u);
	assert_ip(node(&plan, "spine1")->loopback, "10.0.254.254");
	assert_ip(node(&plan, "spine2")->loopback, "10.0.254.253");
	assert_ip(node(&plan, "leaf1")->loopback, "10.0.254.1");
	assert_ip(node(&plan, "leaf4")->loopback, "10.0.254.4");
	assert_ip(node(&plan, "leaf3")->host_net, "10.1.3.0");
	assert_ip(node(&plan, "host3")->host_net, "10.1.3.0");
	assert_int_equal(node(&plan, "spine1")->n_ports, 4);
	assert_int_equal(node(&plan, "leaf2")->n_ports, 2);
	assert_int_equal(node(&plan, "leaf2")->daemon, FAB_DAEMON_ROUTERD);
	assert_int_equal(node(&plan, "host2")->daemon, FAB_DAEMON_NONE);
	plan_free(&plan);
}

static void test_links_leafN_swpK_spineK_swpN(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	char ns[64];

	(void)state;
	params(&p, "x", 3, 5, 0, "");
	build_ok(&p, &plan);
	for (unsigned i = 0; i < plan.n_links; i++) {
		const struct fab_link *l = &plan.links[i];
		const struct fab_node *a = &plan.nodes[l->a], *b = &plan.nodes[l->b];
		char want_a[16], want_b[16];

		if (b->role == FAB_HOST) {
			assert_string_equal(l->a_if, FAB_LEAF_HOST_IF);
			assert_string_equal(l->b_if, FAB_HOST_IF);
			assert_int_equal(a->index, b->index);
			continue;
		}
		assert_int_equal(a->role, FAB_LEAF);
		assert_int_equal(b->role, FAB_SPINE);
		snprintf(want_a, sizeof(want_a), "swp%u", b->index);
		snprintf(want_b, sizeof(want_b), "swp%u", a->index);
		assert_string_equal(l->a_if, want_a);
		assert_string_equal(l->b_if, want_b);
	}
	plan_ns_name(&plan, node(&plan, "leaf5"), ns, sizeof(ns));
	assert_string_equal(ns, "fab-x-leaf5");
	plan_free(&plan);
}

static void test_borders(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	struct fab_addr a[FAB_ADDRS_MAX];

	(void)state;
	params(&p, "b", 2, 3, 2, "");
	build_ok(&p, &plan);
	assert_int_equal(node(&plan, "border1")->asn, 4220000001u);
	assert_int_equal(node(&plan, "border2")->asn, 4220000002u);
	assert_ip(node(&plan, "border2")->loopback, "10.0.254.5");
	assert_int_equal(node(&plan, "spine1")->n_ports, 5);
	assert_int_equal(plan_node_addrs(node(&plan, "border1"), a), 1);
	assert_int_equal(plan_find(&plan, "host4"), -1);
	/* border2 is lower-tier router 5: spine ports swp5 */
	for (unsigned i = 0; i < plan.n_links; i++)
		if (!strcmp(plan.nodes[plan.links[i].a].name, "border2"))
			assert_string_equal(plan.links[i].b_if, "swp5");
	plan_free(&plan);
}

static void test_addresses(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	struct fab_addr a[FAB_ADDRS_MAX];

	(void)state;
	params(&p, "a", 2, 2, 0, "");
	build_ok(&p, &plan);
	assert_int_equal(plan_node_addrs(node(&plan, "leaf2"), a), 2);
	assert_string_equal(a[0].ifname, "lo");
	assert_ip(a[0].addr, "10.0.254.2");
	assert_int_equal(a[0].plen, 32);
	assert_string_equal(a[1].ifname, FAB_LEAF_HOST_IF);
	assert_ip(a[1].addr, "10.1.2.1");
	assert_int_equal(a[1].plen, 26);
	assert_int_equal(plan_node_addrs(node(&plan, "host2"), a), 1);
	assert_string_equal(a[0].ifname, FAB_HOST_IF);
	assert_ip(a[0].addr, "10.1.2.2");
	assert_ip(plan_host_gateway(node(&plan, "host2")), "10.1.2.1");
	assert_int_equal(plan_node_addrs(node(&plan, "spine1"), a), 1);
	assert_ip(a[0].addr, "10.0.254.254");
	plan_free(&plan);
}

static void test_per_spine_asn(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	enum fab_asn_mode m;

	(void)state;
	params(&p, "ps", 3, 2, 0, "");
	p.asn_mode = FAB_ASN_PER_SPINE;
	build_ok(&p, &plan);
	assert_int_equal(node(&plan, "spine1")->asn, 4200000000u);
	assert_int_equal(node(&plan, "spine2")->asn, 4200000001u);
	assert_int_equal(node(&plan, "spine3")->asn, 4200000002u);
	assert_int_equal(node(&plan, "leaf2")->asn, 4210000002u);
	/* spines now reach each other through every leaf */
	assert_int_equal(plan_expected_paths(&plan, 0, 1), 2);
	plan_free(&plan);
	assert_int_equal(plan_asn_mode_parse("per-spine", &m), 0);
	assert_int_equal(m, FAB_ASN_PER_SPINE);
	assert_int_equal(plan_asn_mode_parse("shared", &m), 0);
	assert_int_equal(m, FAB_ASN_SHARED);
	assert_int_equal(plan_asn_mode_parse("each", &m), -1);
}

static void test_expected_paths(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	unsigned s1, s2, l1, l2, b1, h1, h2;

	(void)state;
	params(&p, "e", 2, 2, 1, "");
	build_ok(&p, &plan);
	s1 = (unsigned)plan_find(&plan, "spine1");
	s2 = (unsigned)plan_find(&plan, "spine2");
	l1 = (unsigned)plan_find(&plan, "leaf1");
	l2 = (unsigned)plan_find(&plan, "leaf2");
	b1 = (unsigned)plan_find(&plan, "border1");
	h1 = (unsigned)plan_find(&plan, "host1");
	h2 = (unsigned)plan_find(&plan, "host2");
	assert_int_equal(plan_expected_paths(&plan, l1, l2), 2);
	assert_int_equal(plan_expected_paths(&plan, l1, b1), 2);
	assert_int_equal(plan_expected_paths(&plan, l1, h2), 2);
	assert_int_equal(plan_expected_paths(&plan, l1, h1), 0); /* its own subnet */
	assert_int_equal(plan_expected_paths(&plan, l1, s2), 1);
	assert_int_equal(plan_expected_paths(&plan, s1, l2), 1);
	assert_int_equal(plan_expected_paths(&plan, s1, h2), 1);
	assert_int_equal(plan_expected_paths(&plan, s1, s2), 0); /* shared ASN: no route */
	assert_int_equal(plan_expected_paths(&plan, l1, l1), 0);
	assert_int_equal(plan_expected_sessions(&plan.nodes[s1]), 3);
	assert_int_equal(plan_expected_sessions(&plan.nodes[l1]), 2);
	assert_int_equal(plan_expected_sessions(&plan.nodes[h1]), 0);
	plan_free(&plan);
}

/* ---- --frr and size checks ---- */

static void test_frr_nodes(void **state)
{
	struct fab_params p;
	struct fab_plan plan;

	(void)state;
	params(&p, "m", 2, 4, 0, "leaf4,spine2");
	build_ok(&p, &plan);
	assert_int_equal(node(&plan, "spine2")->daemon, FAB_DAEMON_FRR);
	assert_int_equal(node(&plan, "leaf4")->daemon, FAB_DAEMON_FRR);
	assert_int_equal(node(&plan, "spine1")->daemon, FAB_DAEMON_ROUTERD);
	assert_true(emit_has_frr(&plan));
	plan_free(&plan);

	params(&p, "m", 2, 2, 1, "all");
	build_ok(&p, &plan);
	for (unsigned i = 0; i < plan.n_nodes; i++)
		assert_int_equal(plan.nodes[i].daemon,
				 plan_is_router(&plan.nodes[i]) ? FAB_DAEMON_FRR : FAB_DAEMON_NONE);
	plan_free(&plan);
}

static void test_frr_errors(void **state)
{
	struct fab_params p;

	(void)state;
	params(&p, "m", 2, 4, 0, "leaf9");
	build_fails(&p, "--frr", "no node \"leaf9\"", "spine1..spine2", "leaf1..leaf4", NULL);
	params(&p, "m", 2, 4, 1, "spine3");
	build_fails(&p, "no node \"spine3\"", "border1..border1", NULL);
	params(&p, "m", 2, 4, 0, "host1");
	build_fails(&p, "host1 is a host", NULL);
	params(&p, "m", 2, 4, 0, "leaf1,leaf1");
	build_fails(&p, "leaf1 is named twice", NULL);
	params(&p, "m", 2, 4, 0, "leaf1,,leaf2");
	build_fails(&p, "empty node name", NULL);
	params(&p, "m", 2, 4, 0, "Leaf1");
	build_fails(&p, "no node \"Leaf1\"", NULL);
}

static void test_size_errors(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	struct fab_err err;

	(void)state;
	params(&p, "s", 0, 4, 0, "");
	build_fails(&p, "--spines 0", NULL);
	params(&p, "s", 2, 0, 0, "");
	build_fails(&p, "--leaves 0", NULL);
	params(&p, "s", 65, 4, 0, "");
	build_fails(&p, "1..64 spines", NULL);
	params(&p, "s", 4, 240, 11, "");
	build_fails(&p, "too many", "at most 254", NULL);
	params(&p, "s", 4, 240, 10, "");
	build_ok(&p, &plan);
	plan_free(&plan);
	plan_params_init(&p);
	assert_int_equal(plan_params_set_name(&p, "bad name", &err), -1);
	assert_non_null(strstr(err.msg, "lab name \"bad name\""));
	assert_int_equal(plan_params_set_name(&p, "-x", &err), -1);
	params(&p, "s", 2, 2, 0, "");
	snprintf(p.image, sizeof(p.image), "routerd:latest\nevil: 1");
	build_fails(&p, "image names", NULL);
}

/* ---- configs ---- */

/* Every routerd config of the plan loads with routerd's loader and says what we planned. */
static void check_configs_load(const struct fab_plan *plan)
{
	char *dir = make_tmpdir(), path[512], *err = NULL;

	for (unsigned i = 0; i < plan->n_nodes; i++) {
		const struct fab_node *n = &plan->nodes[i];
		struct routerd_conf *c;
		struct buf b;

		if (!plan_is_router(n))
			continue;
		buf_init(&b);
		emit_routerd(plan, n, &b);
		snprintf(path, sizeof(path), "%s/%s.json", dir, n->name);
		assert_int_equal(fio_write(path, b.data, b.len), 0);
		buf_free(&b);
		c = conf_load_file(path, &err);
		if (!c)
			fail_msg("%s does not load:\n%s", n->name, err);
		assert_int_equal(c->router_id, n->loopback);
		assert_int_equal(c->bgp.asn, n->asn);
		assert_int_equal(c->bgp.profile, CONF_PROFILE_DATACENTER);
		assert_int_equal(c->bgp.n_neighbors, n->n_ports);
		assert_int_equal(c->n_interfaces, n->n_ports);
		for (unsigned k = 0; k < c->bgp.n_neighbors; k++) {
			assert_true(c->bgp.neighbors[k].is_interface);
			assert_true(c->bgp.neighbors[k].extended_nexthop);
			assert_int_equal(c->bgp.neighbors[k].remote_as.kind,
					 CONF_REMOTE_AS_EXTERNAL);
		}
		assert_int_equal(c->bgp.ipv4.maximum_paths, 64);
		assert_int_equal(c->bgp.ipv4.n_redistribute, 1);
		conf_free(c);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

static void test_every_config_loads(void **state)
{
	static const unsigned shapes[][3] = {
		{ 2, 4, 0 }, { 1, 1, 0 }, { 4, 8, 2 }, { 16, 64, 4 }
	};
	struct fab_params p;
	struct fab_plan plan;

	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		params(&p, "load", shapes[i][0], shapes[i][1], shapes[i][2], "");
		p.asn_mode = i % 2 ? FAB_ASN_PER_SPINE : FAB_ASN_SHARED;
		build_ok(&p, &plan);
		check_configs_load(&plan);
		plan_free(&plan);
	}
}

static void test_frr_config_intent(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	struct buf b;
	static const char *const needles[] = {
		"frr defaults datacenter\n",
		"hostname spine2\n",
		"interface swp3\n ipv6 nd ra-interval 5\n no ipv6 nd suppress-ra\n",
		"router bgp 4200000000\n bgp router-id 10.0.254.253\n",
		" neighbor fabric peer-group\n neighbor fabric remote-as external\n",
		" neighbor fabric capability extended-nexthop\n",
		" neighbor swp4 interface peer-group fabric\n",
		"address-family ipv4 unicast\n  redistribute connected\n",
		"maximum-paths 64\n",
	};

	(void)state;
	params(&p, "f", 2, 4, 0, "spine2");
	build_ok(&p, &plan);
	buf_init(&b);
	emit_frr(&plan, node(&plan, "spine2"), &b);
	buf_append(&b, "", 1);
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (!strstr(b.data, needles[i]))
			fail_msg("expected \"%s\" in:\n%s", needles[i], b.data);
	assert_null(strstr(b.data, "swp5"));
	buf_free(&b);
	plan_free(&plan);
}

/* ---- folders: write, compare, read back ---- */

static bool same_file(const char *a, const char *b)
{
	struct buf x, y;
	bool same;

	buf_init(&x);
	buf_init(&y);
	same = fio_read(a, &x) == 0 && fio_read(b, &y) == 0 && x.len == y.len &&
	       !memcmp(x.data, y.data, x.len);
	buf_free(&x);
	buf_free(&y);
	return same;
}

/* Every file under want (but README.md) exists under got with the same bytes;
 * returns how many files were compared. */
static unsigned compare_tree(const char *want, const char *got, const char *how)
{
	DIR *d = opendir(want);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		fail_msg("cannot open %s", want);
	while ((e = readdir(d))) {
		char w[1024], g[1024];
		struct stat st;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		snprintf(w, sizeof(w), "%s/%s", want, e->d_name);
		snprintf(g, sizeof(g), "%s/%s", got, e->d_name);
		assert_int_equal(stat(w, &st), 0);
		if (S_ISDIR(st.st_mode))
			n += compare_tree(w, g, how);
		else if (!same_file(w, g))
			fail_msg("%s differs from %s: if the change is intended, %s", g, w, how);
		else
			n++;
	}
	closedir(d);
	return n;
}

static void plan_into(const struct fab_params *p, const char *dir)
{
	struct fab_plan plan;
	struct fab_err err;

	build_ok(p, &plan);
	if (planfile_write(&plan, dir, &err) < 0)
		fail_msg("planfile_write: %s", err.msg);
	plan_free(&plan);
}

static void check_golden(const char *name, const char *frr, const char *golden, const char *lab,
			 const char *how)
{
	struct fab_params p;
	char *dir = make_tmpdir(), *again = make_tmpdir();
	unsigned files;

	params(&p, name, 2, 4, 0, frr);
	plan_into(&p, dir);
	files = compare_tree(golden, dir, how);
	/* and nothing more than the golden files */
	assert_int_equal(compare_tree(dir, golden, how), files);
	/* deterministic: a second plan gives the same bytes */
	plan_into(&p, again);
	assert_int_equal(compare_tree(golden, again, how), files);
	/* the committed lab is the same plan */
	assert_int_equal(compare_tree(lab, dir, how), files);
	assert_int_equal(compare_tree(dir, lab, how), files);
	fio_remove_tree(dir);
	fio_remove_tree(again);
	free(dir);
	free(again);
}

static void test_golden_2x4(void **state)
{
	(void)state;
	check_golden("clos-2x4", "", GOLDEN_2X4, LAB_2X4,
		     "regenerate with: build/fabric plan clos --spines 2 --leaves 4 --out "
		     "tests/unit/" GOLDEN_2X4 " (and --out lab/clos-2x4)");
}

static void test_golden_mixed(void **state)
{
	(void)state;
	check_golden("clos-mixed", "spine2,leaf4", GOLDEN_MIXED, LAB_MIXED,
		     "regenerate with: build/fabric plan clos --spines 2 --leaves 4 --frr "
		     "spine2,leaf4 --out tests/unit/" GOLDEN_MIXED " (and --out lab/clos-mixed)");
}

static void test_plan_file_roundtrip(void **state)
{
	struct fab_params p;
	struct fab_plan plan;
	struct fab_err err;
	char *dir = make_tmpdir(), path[512];
	struct buf b;

	(void)state;
	params(&p, "rt", 3, 5, 1, "leaf2,border1");
	p.asn_mode = FAB_ASN_PER_SPINE;
	snprintf(p.ns_prefix, sizeof(p.ns_prefix), "rdt1-fab");
	plan_into(&p, dir);
	if (planfile_load(dir, &plan, &err) < 0)
		fail_msg("planfile_load: %s", err.msg);
	assert_string_equal(plan.p.name, "rt");
	assert_string_equal(plan.p.ns_prefix, "rdt1-fab");
	assert_int_equal(plan.p.spines, 3);
	assert_int_equal(plan.p.leaves, 5);
	assert_int_equal(plan.p.borders, 1);
	assert_int_equal(plan.p.asn_mode, FAB_ASN_PER_SPINE);
	assert_string_equal(plan.p.frr, "leaf2,border1");
	assert_int_equal(node(&plan, "border1")->daemon, FAB_DAEMON_FRR);
	plan_free(&plan);

	/* a hand-edited plan is refused */
	fio_join(path, sizeof(path), dir, FAB_PLAN_FILE);
	buf_init(&b);
	assert_int_equal(fio_read(path, &b), 0);
	memcpy(strstr(b.data, "10.0.254.1\""), "10.0.254.9", 10);
	assert_int_equal(fio_write(path, b.data, b.len), 0);
	buf_free(&b);
	assert_int_equal(planfile_load(dir, &plan, &err), -1);
	assert_non_null(strstr(err.msg, "does not match"));
	fio_remove_tree(dir);
	assert_int_equal(planfile_load(dir, &plan, &err), -1);
	assert_non_null(strstr(err.msg, "plan the lab first"));
	free(dir);
}

static void test_plan_file_bad_params(void **state)
{
	struct fab_params p;
	struct fab_err err;

	(void)state;
	assert_int_equal(planfile_params("{", &p, &err), -1);
	assert_non_null(strstr(err.msg, "not JSON"));
	assert_int_equal(planfile_params("{\"fabric-plan\": 2}", &p, &err), -1);
	assert_non_null(strstr(err.msg, "plan format 2"));
	assert_int_equal(planfile_params("{\"fabric-plan\": 1, \"name\": \"x\"}", &p, &err), -1);
	assert_non_null(strstr(err.msg, "namespace-prefix"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering_seed003),
		cmocka_unit_test(test_links_leafN_swpK_spineK_swpN),
		cmocka_unit_test(test_borders),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_per_spine_asn),
		cmocka_unit_test(test_expected_paths),
		cmocka_unit_test(test_frr_nodes),
		cmocka_unit_test(test_frr_errors),
		cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_every_config_loads),
		cmocka_unit_test(test_frr_config_intent),
		cmocka_unit_test(test_golden_2x4),
		cmocka_unit_test(test_golden_mixed),
		cmocka_unit_test(test_plan_file_roundtrip),
		cmocka_unit_test(test_plan_file_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
