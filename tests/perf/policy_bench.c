/*
 * Micro-benchmark of the policy engine (not a test; never part of pass/fail).
 *
 * Builds a 1,000-entry prefix-list and seed 002's AS-path lists, interns
 * 1M routes that share 100k distinct AS paths (a full table's ratio), then
 * times, per route:
 *   - the 1,000-entry prefix-list through the trie, and the same list
 *     scanned linearly (what the trie saves);
 *   - azure-asns and bogon-asns with a cold cache, then with cache hits;
 *   - a whole inbound route-map: deny match as-path bogon-asns, then permit
 *     match prefix-list (the "1,000-entry prefix-list plus seed
 *     002's AS-path lists");
 *   - a floor for ingest: building and interning the route's attribute set
 *     (every received route pays at least that, before decoding and the RIB).
 *
 * Two arrival orders: "packed", as a full table arrives (an UPDATE carries
 * several prefixes sharing one attribute set, so consecutive routes share a
 * path: here 10 in a row), and "random" (every route a different attribute
 * set from the last: each lookup pays its cache misses, the worst case).
 *
 * Usage: policy_bench [routes] (default 1000000).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "routerd/policy/policy_set.h"
#include "routerd/rib/attr.h"

#define PL_ENTRIES  1000
#define DISTINCT_AS 100000

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static struct prefix v4prefix(uint32_t a, unsigned len)
{
	struct prefix p = { .family = AF_INET, .len = (uint8_t)len };

	put32(p.bytes, len ? a & ~(uint32_t)0 << (32 - len) : 0);
	return p;
}

/* ---- a 1,000-entry list like an IRR-generated customer filter ---- */

struct lin_entry {
	uint32_t addr;
	uint8_t len, lo, hi, action;
};

static struct lin_entry lin[PL_ENTRIES];

static void build_prefix_list(struct prefix_list *pl)
{
	for (int i = 0; i < PL_ENTRIES; i++) {
		unsigned len = 8 + rnd() % 17; /* /8 .. /24 */
		uint32_t a = (1 + rnd() % 223) << 24 | (rnd() & 0xffffff);
		struct prefix p = v4prefix(a, len);
		unsigned kind = rnd() % 3;
		uint8_t ge = 0, le = 0;

		if (kind == 1 && len < 24)
			le = 24;
		if (kind == 2 && len < 24) {
			ge = (uint8_t)(len + 1);
			le = 24;
		}
		lin[i] = (struct lin_entry){ a & (len ? ~0u << (32 - len) : 0), (uint8_t)len,
					     ge ? ge : (uint8_t)len, le ? le : (uint8_t)len,
					     rnd() % 10 ? POLICY_PERMIT : POLICY_DENY };
		if (prefix_list_add(pl, (uint32_t)(i + 1) * 5, lin[i].action, &p, ge, le, NULL))
			abort();
	}
}

/* The obvious alternative: every entry, in seq order. */
static enum policy_action linear_match(const struct prefix *p)
{
	uint32_t a = (uint32_t)p->bytes[0] << 24 | (uint32_t)p->bytes[1] << 16 |
		     (uint32_t)p->bytes[2] << 8 | p->bytes[3];

	for (int i = 0; i < PL_ENTRIES; i++) {
		const struct lin_entry *e = &lin[i];
		uint32_t mask = e->len ? ~0u << (32 - e->len) : 0;

		if (p->len >= e->len && (a & mask) == e->addr && p->len >= e->lo && p->len <= e->hi)
			return e->action;
	}
	return POLICY_DENY;
}

/* ---- AS paths: 3..7 ASNs, mostly public 16/32-bit, some Azure and bogons ---- */

static uint32_t rnd_asn(void)
{
	uint32_t r = rnd() % 1000;

	if (r < 20)
		return 65515;
	if (r < 22)
		return 23456;
	if (r < 23)
		return 0;
	if (r < 30)
		return 64512 + rnd() % 1023;
	if (r < 150)
		return 131072 + rnd() % 300000;
	return 1 + rnd() % 64000;
}

static struct aspath *rnd_path(struct attr_pool *pool)
{
	uint8_t data[2 + 7 * 4];
	unsigned n = 3 + rnd() % 5;

	data[0] = ASPATH_SEQUENCE;
	data[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		put32(data + 2 + i * 4, rnd_asn());
	return aspath_intern(pool, data, 2 + n * 4);
}

/* Same lists on every call: the generator restarts from a fixed seed. */
static void build_policy(struct policy_set *ps)
{
	struct aspath_list *azure = policy_set_aspath_list(ps, "azure-asns");
	struct aspath_list *bogon = policy_set_aspath_list(ps, "bogon-asns");
	struct route_map *in = policy_set_route_map(ps, "rmap-in");
	struct policy_err err;
	struct rm_entry *e;

	rnd_state = 0x2545f4914f6cdd1dull;
	build_prefix_list(policy_set_prefix_list(ps, "PL1000"));
	if (aspath_list_add(azure, 5, POLICY_PERMIT, "_65515_", &err) ||
	    aspath_list_add(bogon, 5, POLICY_PERMIT, "_0_", &err) ||
	    aspath_list_add(bogon, 10, POLICY_PERMIT, "_23456_", &err) ||
	    aspath_list_add(bogon, 15, POLICY_PERMIT, "_1310[0-6][0-9]_|_13107[0-1]_", &err) ||
	    aspath_list_add(bogon, 20, POLICY_DENY, "_65515_", &err) ||
	    aspath_list_add(bogon, 25, POLICY_PERMIT, "^65", &err))
		goto fail;
	e = route_map_add_entry(in, 5, POLICY_DENY, &err);
	if (!e || rm_match_as_path(e, "bogon-asns", &err))
		goto fail;
	e = route_map_add_entry(in, 10, POLICY_PERMIT, &err);
	if (!e || rm_match_prefix_list(e, "PL1000", &err))
		goto fail;
	if (policy_set_build(ps, &err) == 0)
		return;
fail:
	fprintf(stderr, "policy_bench: %s\n", err.msg);
	exit(1);
}

/* ---- timing ---- */

struct route {
	struct prefix p;
	struct attrs *a;
};

static void report(const char *what, double secs, size_t n, double base)
{
	printf("  %-44s %8.1f ms %7.1f ns/route", what, secs * 1e3, secs * 1e9 / (double)n);
	if (base > 0)
		printf("  %5.1f %% of the ingest floor", secs / base * 100.0);
	printf("\n");
}

static volatile unsigned sink;

static double run_route_map(struct route *r, size_t n, struct attr_pool *pool,
			    const struct route_map *rm)
{
	unsigned acc = 0;
	double t = now();

	for (size_t i = 0; i < n; i++) {
		struct policy_route pr = { .prefix = &r[i].p, .attrs = r[i].a };
		struct policy_result res;

		acc += route_map_apply(rm, pool, &pr, &res);
		policy_result_release(pool, &res);
	}
	sink = acc;
	return now() - t;
}

static double run_aspath_lists(struct route *r, size_t n, struct policy_set *ps)
{
	struct aspath_list *azure = policy_set_find_aspath_list(ps, "azure-asns");
	struct aspath_list *bogon = policy_set_find_aspath_list(ps, "bogon-asns");
	unsigned acc = 0;
	double t = now();

	for (size_t i = 0; i < n; i++)
		acc += aspath_list_match(azure, r[i].a->aspath) +
		       aspath_list_match(bogon, r[i].a->aspath);
	sink = acc;
	return now() - t;
}

/*
 * Interns every route's attribute set (the floor), then runs each policy
 * step over all routes; fresh policy sets, so "first sight" means cold caches.
 */
static void run(const char *order, struct route *r, size_t n, struct aspath **paths,
		size_t (*path_of)(size_t i, size_t n), struct attr_pool *pool)
{
	struct policy_set *ps = policy_set_new(), *ps2 = policy_set_new();
	struct prefix_list *pl;
	struct route_map *rm;
	unsigned acc = 0;
	double t, base;

	build_policy(ps);
	build_policy(ps2);
	pl = policy_set_find_prefix_list(ps, "PL1000");
	rm = policy_set_find_route_map(ps, "rmap-in", NULL);
	printf("%s order:\n", order);
	t = now();
	for (size_t i = 0; i < n; i++) {
		struct attrs tmpl;

		attrs_init(&tmpl);
		tmpl.aspath = paths[path_of(i, n)];
		tmpl.origin = ORIGIN_IGP;
		tmpl.nexthop.family = AF_INET;
		put32(tmpl.nexthop.bytes, 0x0a00d204u);
		r[i].a = attrs_intern(pool, &tmpl);
	}
	base = now() - t;
	report("ingest floor (attrs_intern)", base, n, 0);

	t = now();
	for (size_t i = 0; i < n; i++)
		acc += prefix_list_match(pl, &r[i].p);
	report("prefix-list, 1000 entries, trie", now() - t, n, base);

	t = now();
	for (size_t i = 0; i < n; i++)
		acc += linear_match(&r[i].p);
	report("prefix-list, 1000 entries, linear scan", now() - t, n, base);

	report("route-map (bogon + 1000 prefixes), first sight", run_route_map(r, n, pool, rm), n,
	       base);
	report("route-map (bogon + 1000 prefixes), warm", run_route_map(r, n, pool, rm), n, base);
	report("as-path lists (2), first sight", run_aspath_lists(r, n, ps2), n, base);
	report("as-path lists (2), cache hits", run_aspath_lists(r, n, ps2), n, base);

	for (size_t i = 0; i < n; i++)
		attrs_unref(pool, r[i].a);
	sink = acc;
	policy_set_free(ps);
	policy_set_free(ps2);
}

/* 10 consecutive routes share a path, as prefixes packed into one UPDATE do. */
static size_t packed(size_t i, size_t n)
{
	return (i / 10) % DISTINCT_AS;
}

/* Consecutive routes never share a path. */
static size_t scattered(size_t i, size_t n)
{
	return (i * 7919) % DISTINCT_AS;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct attr_pool *pool = attr_pool_new();
	struct aspath **paths = calloc(DISTINCT_AS, sizeof(*paths));
	struct route *r = calloc(n, sizeof(*r));

	if (!pool || !paths || !r)
		return 1;
	for (size_t i = 0; i < DISTINCT_AS; i++)
		paths[i] = rnd_path(pool);
	for (size_t i = 0; i < n; i++) {
		unsigned len = rnd() % 10 < 6 ? 24 : 16 + rnd() % 8;

		r[i].p = v4prefix((1 + rnd() % 223) << 24 | (rnd() & 0xffffff), len);
	}
	printf("policy_bench: %zu routes, %d distinct AS paths, %d-entry prefix-list\n", n,
	       DISTINCT_AS, PL_ENTRIES);
	run("packed (as UPDATEs arrive)", r, n, paths, packed, pool);
	run("random (worst case)", r, n, paths, scattered, pool);

	for (size_t i = 0; i < DISTINCT_AS; i++)
		aspath_unref(pool, paths[i]);
	attr_pool_free(pool);
	free(paths);
	free(r);
	return 0;
}
