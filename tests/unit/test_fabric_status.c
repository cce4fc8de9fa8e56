/*
 * What `fabric status` reads: the JSON reader on its own, then BGP sessions
 * from routerd's and FRR's summaries and ECMP widths from `ip -j route` and
 * `ip -j nexthop`, on output captured from real labs
 * (tests/unit/fabric/status/). Runs with tests/unit as working directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/fileio.h"
#include "fabric/jsonr.h"
#include "fabric/status_parse.h"

#define FIXTURES "fabric/status/"

static char *fixture(const char *name)
{
	struct buf b;
	char path[256];

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	buf_init(&b);
	if (fio_read(path, &b) < 0)
		fail_msg("cannot read %s", path);
	return b.data;
}

static struct jv *parse_ok(const char *text)
{
	char err[128];
	struct jv *v = jv_parse(text, err, sizeof(err));

	if (!v)
		fail_msg("jv_parse(%s): %s", text, err);
	return v;
}

static void parse_bad(const char *text, const char *why)
{
	char err[128];
	struct jv *v = jv_parse(text, err, sizeof(err));

	if (v)
		fail_msg("jv_parse(%s) should fail", text);
	if (!strstr(err, why))
		fail_msg("jv_parse(%s): expected \"%s\" in \"%s\"", text, why, err);
}

/* ---- JSON reader ---- */

static void test_json_values(void **state)
{
	struct jv *v = parse_ok(" { \"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"d\"},"
				"\"n\": 4294967295, \"e\": {}, \"f\": [] } ");
	const struct jv *a = jv_get(v, "a");
	int64_t n;

	(void)state;
	assert_int_equal(v->type, JV_OBJECT);
	assert_int_equal(jv_len(a), 5);
	assert_int_equal(a->items[0].type, JV_NUMBER);
	assert_string_equal(a->items[1].text, "-2.5e3");
	assert_true(a->items[2].boolean);
	assert_int_equal(a->items[3].type, JV_BOOL);
	assert_false(a->items[3].boolean);
	assert_int_equal(a->items[4].type, JV_NULL);
	assert_string_equal(jv_str(jv_get(jv_get(v, "b"), "c")), "d");
	assert_int_equal(jv_int(jv_get(v, "n"), 0, 4294967295LL, &n), 0);
	assert_int_equal(n, 4294967295LL);
	assert_int_equal(jv_int(jv_get(v, "n"), 0, 65535, &n), -1);
	assert_int_equal(jv_int(&a->items[1], -10000, 10000, &n), -1); /* not an integer */
	assert_int_equal(jv_len(jv_get(v, "e")), 0);
	assert_int_equal(jv_get(v, "f")->type, JV_ARRAY);
	assert_null(jv_get(v, "missing"));
	assert_null(jv_get(a, "a")); /* not an object */
	assert_null(jv_str(jv_get(v, "n")));
	jv_free(v);
}

static void test_json_strings(void **state)
{
	struct jv *v = parse_ok(
		"[\"q\\\"b\\\\s\\/\\n\\t\", \"\\u00e9\\u20ac\", \"\\ud83d\\ude00\", \"\"]");

	(void)state;
	assert_string_equal(v->items[0].text, "q\"b\\s/\n\t");
	assert_string_equal(v->items[1].text, "\xc3\xa9\xe2\x82\xac");
	assert_string_equal(v->items[2].text, "\xf0\x9f\x98\x80");
	assert_string_equal(v->items[3].text, "");
	jv_free(v);
}

static void test_json_errors(void **state)
{
	(void)state;
	parse_bad("", "unexpected end");
	parse_bad("{\"a\" 1}", "expected ':'");
	parse_bad("{\"a\": 1,}", "expected a member name");
	parse_bad("[1 2]", "expected ',' or ']'");
	parse_bad("[1, 2", "expected ',' or ']'");
	parse_bad("\"abc", "unterminated string");
	parse_bad("\"a\\x\"", "bad escape");
	parse_bad("\"\\u12g4\"", "bad \\u escape");
	parse_bad("[1] 2", "text after");
	parse_bad("{\"a\": tru}", "unexpected character");
	parse_bad("\"a\nb\"", "control character");
}

static void test_json_depth(void **state)
{
	char deep[200];

	(void)state;
	memset(deep, '[', 100);
	memset(deep + 100, ']', 99);
	deep[199] = '\0';
	parse_bad(deep, "nested too deeply");
}

/* ---- sessions ---- */

static void test_routerd_sessions(void **state)
{
	char *text = fixture("routerd-summary.json");
	struct sp_sessions s;

	(void)state;
	assert_int_equal(sp_routerd_sessions(text, &s), 0);
	assert_int_equal(s.up, 1);
	assert_int_equal(s.total, 2);
	assert_int_equal(sp_routerd_sessions("{\"peers\": []}", &s), 0);
	assert_int_equal(s.total, 0);
	assert_int_equal(sp_routerd_sessions("routerctl: cannot connect", &s), -1);
	assert_int_equal(sp_routerd_sessions("{}", &s), -1);
	free(text);
}

static void test_frr_sessions(void **state)
{
	char *up = fixture("frr-summary.json"), *down = fixture("frr-summary-down.json");
	struct sp_sessions s;

	(void)state;
	/* swp1 and swp2 listed under ipv4Unicast and ipv6Unicast: two sessions */
	assert_int_equal(sp_frr_sessions(up, &s), 0);
	assert_int_equal(s.up, 2);
	assert_int_equal(s.total, 2);
	assert_int_equal(sp_frr_sessions(down, &s), 0);
	assert_int_equal(s.up, 1);
	assert_int_equal(s.total, 2);
	assert_int_equal(sp_frr_sessions("{}", &s), 0);
	assert_int_equal(s.total, 0);
	assert_int_equal(sp_frr_sessions("[]", &s), -1);
	free(up);
	free(down);
}

/* ---- routes ---- */

static void check_routes(const char *file)
{
	char *text = fixture(file);
	struct sp_routes r;
	const struct sp_route *x;

	assert_int_equal(sp_kernel_routes(text, &r), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(sp_count_bgp(&r), 4);
	x = sp_find(&r, 0x0a00fe02, 32); /* leaf2's loopback over both spines */
	assert_non_null(x);
	assert_true(x->bgp);
	assert_int_equal(x->width, 2);
	x = sp_find(&r, 0x0a00fefe, 32); /* spine1 */
	assert_non_null(x);
	assert_int_equal(x->width, 1);
	x = sp_find(&r, 0x0a010200, 26); /* host2's subnet */
	assert_non_null(x);
	assert_int_equal(x->width, 2);
	x = sp_find(&r, 0x0a010100, 26); /* our own, connected */
	assert_non_null(x);
	assert_false(x->bgp);
	assert_null(sp_find(&r, 0x0a010200, 24));
	sp_routes_free(&r);
	free(text);
}

static void test_routes_routerd(void **state)
{
	(void)state;
	check_routes("routerd-routes.json"); /* via 169.254.0.1 onlink */
}

static void test_routes_frr(void **state)
{
	(void)state;
	check_routes("frr-routes.json"); /* via inet6 fe80::... */
}

static void test_routes_nhid_only(void **state)
{
	struct sp_routes r;
	unsigned width = 0;

	(void)state;
	/* net.ipv4.nexthop_compat_mode=0: a route names only its nexthop object */
	assert_int_equal(
		sp_kernel_routes("[{\"dst\":\"10.0.254.3\",\"nhid\":16,\"protocol\":\"bgp\"},"
				 "{\"dst\":\"default\",\"gateway\":\"10.1.1.1\"}]",
				 &r),
		0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].width, 0);
	assert_int_equal(r.v[0].nhid, 16);
	assert_int_equal(r.v[1].plen, 0);
	assert_int_equal(r.v[1].width, 1);
	sp_routes_free(&r);
	assert_int_equal(
		sp_nexthop_width("[{\"id\":16,\"group\":[{\"id\":12},{\"id\":17}]}]", &width), 0);
	assert_int_equal(width, 2);
	assert_int_equal(
		sp_nexthop_width("[{\"id\":12,\"gateway\":\"fe80::1\",\"dev\":\"swp1\"}]", &width),
		0);
	assert_int_equal(width, 1);
	assert_int_equal(sp_nexthop_width("[]", &width), -1);
	assert_int_equal(sp_kernel_routes("Error: ipv4: FIB table does not exist.", &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_values),	 cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_errors),	 cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_routerd_sessions), cmocka_unit_test(test_frr_sessions),
		cmocka_unit_test(test_routes_routerd),	 cmocka_unit_test(test_routes_frr),
		cmocka_unit_test(test_routes_nhid_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
