/*
 * The RIB table: updates, withdraws, dirty batching and change reports,
 * incremental peer flush, ordered walk, and the memory budget of a 1M-prefix
 * single-peer table (docs/architecture.md: <= 80 bytes per prefix).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "routerd/rib/decide.h"
#include "routerd/rib/rib.h"

#define NPEERS 8

struct fixture {
	struct attr_pool *pool;
	struct rib *rib;
	struct rib_peer_info peers[NPEERS];
};

/* Change recorder: counts calls and keeps the last one. */
struct rec {
	unsigned calls;
	struct prefix last_prefix;
	struct rib_sel old_best, new_best;
	bool best_changed, mp_changed;
	unsigned n_old, n_new;
	uint16_t new_peers[RIB_MAX_MULTIPATH];
	bool entry_had_best;
};

static void on_change(void *ctx, const struct rib_entry *e, const struct rib_change *chg)
{
	struct rec *r = ctx;

	r->calls++;
	rib_entry_prefix(e, &r->last_prefix);
	r->old_best = chg->old_best;
	r->new_best = chg->new_best;
	r->best_changed = chg->best_changed;
	r->mp_changed = chg->multipath_changed;
	r->n_old = chg->n_old;
	r->n_new = chg->n_new;
	for (unsigned i = 0; i < chg->n_new; i++)
		r->new_peers[i] = chg->new_mp[i].peer;
	r->entry_had_best = rib_entry_best(e) != NULL;
}

static struct prefix pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
	struct prefix p = { .family = AF_INET, .len = len, .bytes = { a, b, c, d } };

	return p;
}

/* An interned attribute set with AS_SEQUENCE asns and a MED; the caller owns one reference. */
static struct attrs *mkattrs(struct attr_pool *pool, const uint32_t *asns, unsigned n, uint32_t med)
{
	uint8_t data[2 + 4 * 16];
	struct attrs t, *a;

	assert_true(n <= 16);
	data[0] = ASPATH_SEQUENCE;
	data[1] = n;
	for (unsigned i = 0; i < n; i++) {
		data[2 + 4 * i] = asns[i] >> 24;
		data[3 + 4 * i] = asns[i] >> 16;
		data[4 + 4 * i] = asns[i] >> 8;
		data[5 + 4 * i] = asns[i];
	}
	attrs_init(&t);
	t.aspath = aspath_intern(pool, data, n ? 2 + 4 * n : 0);
	assert_non_null(t.aspath);
	t.flags = ATTR_HAS_MED;
	t.med = med;
	t.nexthop.family = AF_INET;
	t.nexthop.bytes[0] = 192;
	t.nexthop.bytes[3] = 1;
	a = attrs_intern(pool, &t);
	assert_non_null(a);
	aspath_unref(pool, t.aspath);
	return a;
}

static struct attrs *as1(struct attr_pool *pool, uint32_t asn, uint32_t med)
{
	return mkattrs(pool, &asn, 1, med);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = attr_pool_new();
	f->rib = rib_new(AF_INET, f->pool);
	assert_non_null(f->rib);
	f->peers[0].local = true;
	f->peers[0].router_id = 0x01010101;
	for (unsigned i = 1; i < NPEERS; i++) {
		f->peers[i].router_id = 0x0a000000 + i;
		f->peers[i].remote_as = 65000 + i;
		f->peers[i].addr.family = AF_INET;
		f->peers[i].addr.bytes[0] = 10;
		f->peers[i].addr.bytes[3] = i;
	}
	assert_int_equal(rib_set_peers(f->rib, f->peers, NPEERS), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rib_free(f->rib);
	attr_pool_free(f->pool); /* asserts that the rib gave every reference back */
	free(f);
	return 0;
}

static size_t run_all(struct rib *rib, struct rec *r)
{
	return rib_run(rib, SIZE_MAX, on_change, r);
}

static void test_update_replace_withdraw(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 1, 0, 0, 16);
	struct attrs *a = as1(f->pool, 65001, 0), *b = as1(f->pool, 65001, 5);
	struct rec r = { 0 };
	size_t npfx, npaths;

	assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
	assert_true(rib_busy(f->rib));
	assert_int_equal(run_all(f->rib, &r), 1);
	assert_false(rib_busy(f->rib));
	assert_int_equal(r.calls, 1);
	assert_null(r.old_best.attrs);
	assert_ptr_equal(r.new_best.attrs, a);
	assert_int_equal(r.new_best.peer, 1);
	assert_int_equal(r.n_old, 0);
	assert_int_equal(r.n_new, 1);
	assert_true(r.entry_had_best);
	assert_memory_equal(&r.last_prefix, &p, sizeof(p));
	assert_ptr_equal(rib_entry_best(rib_entry_find(f->rib, &p))->attrs, a);

	/* replace */
	assert_int_equal(rib_update(f->rib, &p, 1, b), 1);
	assert_null(rib_entry_best(rib_entry_find(f->rib, &p))); /* best pending */
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 2);
	assert_ptr_equal(r.old_best.attrs, a);
	assert_ptr_equal(r.new_best.attrs, b);
	assert_true(r.best_changed && r.mp_changed);
	rib_count(f->rib, &npfx, &npaths);
	assert_int_equal(npfx, 1);
	assert_int_equal(npaths, 1);

	/* withdraw: reported, then the empty entry goes */
	assert_int_equal(rib_withdraw(f->rib, &p, 2), 0);
	assert_int_equal(rib_withdraw(f->rib, &p, 1), 1);
	assert_int_equal(rib_withdraw(f->rib, &p, 1), 0);
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 3);
	assert_ptr_equal(r.old_best.attrs, b);
	assert_null(r.new_best.attrs);
	assert_int_equal(r.n_new, 0);
	assert_false(r.entry_had_best);
	assert_null(rib_entry_find(f->rib, &p));
	rib_count(f->rib, &npfx, &npaths);
	assert_int_equal(npfx, 0);
	assert_int_equal(npaths, 0);
	assert_int_equal(rib_withdraw(f->rib, &p, 1), 0);

	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
}

static void test_noop_update_not_dirty(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 2, 0, 0, 16);
	struct attrs *a = as1(f->pool, 65001, 0);
	struct rec r = { 0 };

	assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
	run_all(f->rib, &r);
	assert_int_equal(rib_update(f->rib, &p, 1, a), 0);
	assert_false(rib_busy(f->rib));
	assert_int_equal(run_all(f->rib, &r), 0);
	assert_int_equal(r.calls, 1);
	attrs_unref(f->pool, a);
}

static void test_bad_input(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 0, 0, 0, 8), bad_len = pfx4(10, 0, 0, 0, 33);
	struct prefix v6 = { .family = AF_INET6, .len = 64 };
	struct attrs *a = as1(f->pool, 65001, 0);

	assert_int_equal(rib_update(f->rib, &bad_len, 1, a), -1);
	assert_int_equal(rib_update(f->rib, &v6, 1, a), -1);
	assert_int_equal(rib_update(f->rib, &p, NPEERS, a), -1);
	assert_int_equal(rib_update(f->rib, &p, 1, NULL), -1);
	assert_int_equal(rib_withdraw(f->rib, &v6, 1), -1);
	assert_null(rib_entry_find(f->rib, &v6));
	assert_null(rib_new(0, f->pool));
	assert_false(rib_busy(f->rib));
	attrs_unref(f->pool, a);
}

static void test_host_bits_ignored(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 3, 7, 9, 16), canon = pfx4(10, 3, 0, 0, 16);
	struct attrs *a = as1(f->pool, 65001, 0);
	struct rec r = { 0 };

	assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
	assert_int_equal(rib_update(f->rib, &canon, 1, a), 0);
	assert_non_null(rib_entry_find(f->rib, &canon));
	run_all(f->rib, &r);
	assert_memory_equal(&r.last_prefix, &canon, sizeof(canon));
	attrs_unref(f->pool, a);
}

/* Several updates to one prefix in a batch: one decision, one report. */
static void test_reported_once_per_batch(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 4, 0, 0, 16);
	struct attrs *a = as1(f->pool, 65001, 0), *b = as1(f->pool, 65002, 0);
	struct attrs *c = mkattrs(f->pool, (uint32_t[]){ 65003, 1 }, 2, 0);
	struct rec r = { 0 };

	assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
	assert_int_equal(rib_update(f->rib, &p, 2, b), 2);
	assert_int_equal(rib_update(f->rib, &p, 3, c), 2);
	assert_int_equal(rib_update(f->rib, &p, 1, b), 1);
	assert_int_equal(run_all(f->rib, &r), 1);
	assert_int_equal(r.calls, 1);
	/* peers 1 and 2 tie through IGP cost; router-id: peer 1 */
	assert_int_equal(r.new_best.peer, 1);
	assert_ptr_equal(r.new_best.attrs, b);

	/* A -> B -> A for the best path within one batch: nothing to report */
	assert_int_equal(rib_update(f->rib, &p, 1, a), 1);
	assert_int_equal(rib_update(f->rib, &p, 1, b), 1);
	assert_true(rib_busy(f->rib));
	assert_int_equal(run_all(f->rib, &r), 1);
	assert_int_equal(r.calls, 1);
	assert_int_equal(rib_entry_best(rib_entry_find(f->rib, &p))->peer, 1);

	/* a change to a path that is not selected: decided, not reported */
	assert_int_equal(rib_update(f->rib, &p, 3, a), 1);
	assert_int_equal(run_all(f->rib, &r), 1);
	assert_int_equal(r.calls, 1);

	/* withdrawing the best: the next one takes over, reported once */
	assert_int_equal(rib_withdraw(f->rib, &p, 1), 1);
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.old_best.peer, 1);
	assert_int_equal(r.new_best.peer, 2);
	assert_ptr_equal(r.old_best.attrs, b); /* old attrs still valid in the callback */

	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
	attrs_unref(f->pool, c);
}

static void test_multipath_changes(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 5, 0, 0, 16);
	struct attrs *a = as1(f->pool, 65100, 0);
	struct attrs *longer = mkattrs(f->pool, (uint32_t[]){ 65100, 1 }, 2, 0);
	struct decide_conf c;
	struct rec r = { 0 };
	const struct rib_path *mp[8];

	decide_conf_init(&c);
	c.max_paths = 4;
	rib_set_decide(f->rib, &c);
	for (uint16_t peer = 3; peer >= 1; peer--)
		assert_int_equal(rib_update(f->rib, &p, peer, a), 2);
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.n_new, 3);
	assert_int_equal(r.new_peers[0], 1);
	assert_int_equal(r.new_peers[1], 2);
	assert_int_equal(r.new_peers[2], 3);
	assert_int_equal(rib_entry_multipath(rib_entry_find(f->rib, &p), mp, 8), 3);

	/* a member drops out; the best stays */
	assert_int_equal(rib_update(f->rib, &p, 3, longer), 1);
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 2);
	assert_false(r.best_changed);
	assert_true(r.mp_changed);
	assert_int_equal(r.n_old, 3);
	assert_int_equal(r.n_new, 2);

	/* the cap: max_paths 1 re-decides every prefix (a sweep) */
	c.max_paths = 1;
	rib_set_decide(f->rib, &c);
	assert_true(rib_busy(f->rib));
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 3);
	assert_int_equal(r.n_new, 1);
	assert_int_equal(rib_entry_multipath(rib_entry_find(f->rib, &p), mp, 8), 1);

	attrs_unref(f->pool, a);
	attrs_unref(f->pool, longer);
}

/* An AS_SET counts 1 (§9.1.2.2 a), through the real interned AS path. */
static void test_as_set_counts_one(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 6, 0, 0, 16);
	static const uint8_t set_path[] = {
		ASPATH_SEQUENCE, 1, 0, 0, 0xfd, 0xe9, /* 65001 */
		ASPATH_SET,	 3, 0, 0, 0,	1,    0, 0, 0, 2, 0, 0, 0, 3,
	};
	struct attrs t, *with_set, *seq3;
	struct rec r = { 0 };

	attrs_init(&t);
	t.aspath = aspath_intern(f->pool, set_path, sizeof(set_path));
	assert_non_null(t.aspath);
	with_set = attrs_intern(f->pool, &t);
	aspath_unref(f->pool, t.aspath);
	seq3 = mkattrs(f->pool, (uint32_t[]){ 65001, 1, 2 }, 3, 0);

	/* peer 1 has the lower router-id, so only the path length can make peer 2 win */
	assert_int_equal(rib_update(f->rib, &p, 1, seq3), 2);
	assert_int_equal(rib_update(f->rib, &p, 2, with_set), 2);
	run_all(f->rib, &r);
	assert_int_equal(r.new_best.peer, 2);
	attrs_unref(f->pool, with_set);
	attrs_unref(f->pool, seq3);
}

static void test_local_origination_preferred(void **state)
{
	struct fixture *f = *state;
	struct prefix p = pfx4(10, 7, 0, 0, 16);
	struct attrs *local = mkattrs(f->pool, NULL, 0, 0), *ebgp = as1(f->pool, 65001, 0);
	struct rec r = { 0 };

	assert_int_equal(rib_update(f->rib, &p, 1, ebgp), 2);
	assert_int_equal(rib_update(f->rib, &p, RIB_PEER_LOCAL, local), 2);
	run_all(f->rib, &r);
	assert_int_equal(r.new_best.peer, RIB_PEER_LOCAL);
	attrs_unref(f->pool, local);
	attrs_unref(f->pool, ebgp);
}

/* A flush runs in slices of at most budget units and leaves the other peer's paths. */
static void test_peer_flush_in_slices(void **state)
{
	struct fixture *f = *state;
	struct attrs *a = as1(f->pool, 65001, 0), *b = as1(f->pool, 65002, 0);
	struct rec r = { 0 };
	size_t npfx, npaths, total = 0;
	unsigned slices = 0;

	for (unsigned i = 0; i < 1000; i++) {
		struct prefix p = pfx4(20, i >> 8, i & 0xff, 0, 24);

		assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
		if (i % 2)
			assert_int_equal(rib_update(f->rib, &p, 2, b), 2);
	}
	run_all(f->rib, &r);
	assert_int_equal(r.calls, 1000);
	rib_peer_flush(f->rib, 1);
	assert_true(rib_busy(f->rib));
	while (rib_busy(f->rib)) {
		size_t done = rib_run(f->rib, 10, on_change, &r);

		assert_true(done >= 1 && done <= 10);
		total += done;
		slices++;
	}
	/* 1000 sweep steps + 1000 decisions */
	assert_int_equal(total, 2000);
	assert_true(slices >= 200);
	assert_int_equal(r.calls, 2000);
	rib_count(f->rib, &npfx, &npaths);
	assert_int_equal(npfx, 500);
	assert_int_equal(npaths, 500);
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
}

/* A peer that comes back during its flush keeps what it re-sent. */
static void test_flush_then_relearn(void **state)
{
	struct fixture *f = *state;
	struct attrs *a = as1(f->pool, 65001, 0), *b = as1(f->pool, 65001, 7);
	struct prefix p1 = pfx4(30, 0, 1, 0, 24), p2 = pfx4(30, 0, 2, 0, 24);
	struct prefix p3 = pfx4(30, 0, 3, 0, 24), p4 = pfx4(30, 0, 4, 0, 24);
	struct rec r = { 0 };
	size_t npfx;

	assert_int_equal(rib_update(f->rib, &p1, 1, a), 2);
	assert_int_equal(rib_update(f->rib, &p2, 1, a), 2);
	assert_int_equal(rib_update(f->rib, &p3, 1, a), 2);
	run_all(f->rib, &r);
	rib_peer_flush(f->rib, 1);
	rib_run(f->rib, 1, on_change, &r); /* part of the sweep */
	assert_int_equal(rib_update(f->rib, &p2, 1, a),
			 2); /* same attrs: new for the new session, not re-decided */
	assert_int_equal(rib_update(f->rib, &p3, 1, b), 2);
	assert_int_equal(rib_update(f->rib, &p4, 1, a), 2);
	rib_peer_flush(f->rib, 2); /* another peer's flush in the queue */
	run_all(f->rib, &r);
	assert_false(rib_busy(f->rib));
	assert_null(rib_entry_find(f->rib, &p1));
	assert_ptr_equal(rib_entry_best(rib_entry_find(f->rib, &p2))->attrs, a);
	assert_ptr_equal(rib_entry_best(rib_entry_find(f->rib, &p3))->attrs, b);
	assert_ptr_equal(rib_entry_best(rib_entry_find(f->rib, &p4))->attrs, a);
	rib_count(f->rib, &npfx, NULL);
	assert_int_equal(npfx, 3);
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
}

struct walk_ctx {
	unsigned n;
	struct prefix seen[8];
};

static int walk_collect(void *ctx, const struct rib_entry *e)
{
	struct walk_ctx *w = ctx;

	rib_entry_prefix(e, &w->seen[w->n++]);
	return w->n == 8;
}

static void test_walk_in_prefix_order(void **state)
{
	struct fixture *f = *state;
	struct prefix in[] = {
		pfx4(10, 0, 0, 0, 24), pfx4(192, 168, 0, 0, 16), pfx4(10, 0, 0, 0, 8),
		pfx4(9, 0, 0, 0, 8),   pfx4(10, 0, 0, 0, 16),	 pfx4(10, 128, 0, 0, 9),
	};
	const unsigned order[] = { 3, 2, 4, 0, 5, 1 };
	struct attrs *a = as1(f->pool, 65001, 0);
	struct walk_ctx w = { 0 };
	struct rec r = { 0 };

	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rib_update(f->rib, &in[i], 1, a), 2);
	run_all(f->rib, &r);
	assert_int_equal(rib_walk(f->rib, walk_collect, &w), 0);
	assert_int_equal(w.n, 6);
	for (unsigned i = 0; i < 6; i++)
		assert_memory_equal(&w.seen[i], &in[order[i]], sizeof(struct prefix));
	attrs_unref(f->pool, a);
}

static void test_ipv6_table(void **state)
{
	struct fixture *f = *state;
	struct rib *rib6 = rib_new(AF_INET6, f->pool);
	struct prefix p = { .family = AF_INET6,
			    .len = 48,
			    .bytes = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
	struct prefix host = p, out;
	struct attrs *a = as1(f->pool, 65001, 0);
	struct rec r = { 0 };

	host.bytes[15] = 1;
	assert_non_null(rib6);
	assert_int_equal(rib_set_peers(rib6, f->peers, NPEERS), 0);
	assert_int_equal(rib_update(rib6, &host, 4, a), 2);
	run_all(rib6, &r);
	assert_int_equal(r.calls, 1);
	assert_memory_equal(&r.last_prefix, &p, sizeof(p));
	rib_entry_prefix(rib_entry_find(rib6, &p), &out);
	assert_memory_equal(&out, &p, sizeof(p));
	assert_int_equal(rib_entry_paths(rib_entry_find(rib6, &p))->peer, 4);
	assert_null(rib_path_next(rib_entry_paths(rib_entry_find(rib6, &p))));
	rib_free(rib6);
	attrs_unref(f->pool, a);
}

/* Many prefixes: index growth and deletion (backward shift) keep every entry findable. */
static void test_grow_and_delete(void **state)
{
	struct fixture *f = *state;
	struct attrs *a = as1(f->pool, 65001, 0);
	struct rec r = { 0 };
	size_t npfx;

	for (unsigned i = 0; i < 20000; i++) {
		struct prefix p = pfx4(40, i >> 8, i & 0xff, 0, 24);

		assert_int_equal(rib_update(f->rib, &p, 1, a), 2);
	}
	run_all(f->rib, &r);
	for (unsigned i = 0; i < 20000; i += 3) {
		struct prefix p = pfx4(40, i >> 8, i & 0xff, 0, 24);

		assert_int_equal(rib_withdraw(f->rib, &p, 1), 1);
	}
	run_all(f->rib, &r);
	for (unsigned i = 0; i < 20000; i++) {
		struct prefix p = pfx4(40, i >> 8, i & 0xff, 0, 24);

		assert_true((rib_entry_find(f->rib, &p) == NULL) == (i % 3 == 0));
	}
	rib_count(f->rib, &npfx, NULL);
	assert_int_equal(npfx, 20000 - 6667);
	attrs_unref(f->pool, a);
}

/* ---- random operations against a model: paths, selection and reports must agree ---- */

#define M_PFX	16
#define M_ATTRS 6

struct model {
	struct attrs *paths[M_PFX][NPEERS]; /* what each peer last sent, NULL = none */
	struct rib_sel fib_best[M_PFX];	    /* mirror built from the reports only */
	struct rib_sel fib_mp[M_PFX][RIB_MAX_MULTIPATH];
	unsigned fib_n[M_PFX];
	/* a flushed peer's old paths linger until the sweep: return values differ meanwhile */
	bool flushing[NPEERS];
	const struct rib_peer_info *peers;
	struct decide_conf conf;
};

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct prefix m_prefix(unsigned i)
{
	return pfx4(50, 0, i, 0, 24);
}

/* Each report must start from the state the previous reports left. */
static void m_on_change(void *ctx, const struct rib_entry *e, const struct rib_change *chg)
{
	struct model *m = ctx;
	struct prefix p;
	unsigned i;

	rib_entry_prefix(e, &p);
	i = p.bytes[2];
	assert_true(chg->best_changed || chg->multipath_changed);
	assert_ptr_equal(chg->old_best.attrs, m->fib_best[i].attrs);
	assert_int_equal(chg->old_best.peer, m->fib_best[i].peer);
	assert_int_equal(chg->n_old, m->fib_n[i]);
	assert_memory_equal(chg->old_mp, m->fib_mp[i], chg->n_old * sizeof(struct rib_sel));
	m->fib_best[i] = chg->new_best;
	m->fib_n[i] = chg->n_new;
	memcpy(m->fib_mp[i], chg->new_mp, chg->n_new * sizeof(struct rib_sel));
}

static void m_check_prefix(struct model *m, struct rib *rib, unsigned i)
{
	struct prefix p = m_prefix(i);
	const struct rib_entry *e = rib_entry_find(rib, &p);
	struct rib_path paths[NPEERS], *cand[NPEERS], *mp[RIB_MAX_MULTIPATH];
	unsigned n = 0, nmp;

	for (uint16_t peer = 0; peer < NPEERS; peer++) {
		const struct rib_path *rp = e ? rib_entry_path_of(e, peer) : NULL;

		assert_ptr_equal(rp ? rp->attrs : NULL, m->paths[i][peer]);
		if (!m->paths[i][peer])
			continue;
		paths[n] = (struct rib_path){ .attrs = m->paths[i][peer], .peer = peer };
		cand[n] = &paths[n];
		n++;
	}
	assert_true((e != NULL) == (n > 0));
	nmp = decide_select(cand, n, m->peers, &m->conf, mp);
	assert_int_equal(m->fib_n[i], nmp);
	assert_ptr_equal(m->fib_best[i].attrs, nmp ? mp[0]->attrs : NULL);
	if (nmp)
		assert_int_equal(rib_entry_best(e)->peer, mp[0]->peer);
}

static void m_apply(struct model *m, struct rib *rib, struct attrs **av, uint32_t *seed)
{
	uint32_t r = xorshift(seed) % 100;
	unsigned i = xorshift(seed) % M_PFX;
	uint16_t peer = xorshift(seed) % NPEERS;
	struct prefix p = m_prefix(i);

	if (r < 55) {
		struct attrs *a = av[xorshift(seed) % M_ATTRS];

		int ret = rib_update(rib, &p, peer, a);

		if (!m->flushing[peer])
			assert_int_equal(ret, m->paths[i][peer] == a ? 0
					      : m->paths[i][peer]    ? 1
								     : 2);
		m->paths[i][peer] = a;
	} else if (r < 80) {
		int ret = rib_withdraw(rib, &p, peer);

		if (!m->flushing[peer])
			assert_int_equal(ret, m->paths[i][peer] != NULL);
		m->paths[i][peer] = NULL;
	} else if (r < 84) {
		rib_peer_flush(rib, peer);
		m->flushing[peer] = true;
		for (unsigned k = 0; k < M_PFX; k++)
			m->paths[k][peer] = NULL;
	} else {
		rib_run(rib, 1 + xorshift(seed) % 8, m_on_change, m);
	}
}

static void test_random_against_model(void **state)
{
	struct fixture *f = *state;
	struct model *m = calloc(1, sizeof(*m));
	struct attrs *av[M_ATTRS];
	uint32_t seed = 12345;
	unsigned drained = 0;

	assert_non_null(m);
	/* three of the same length from two neighbor ASes (multipath), MEDs, a longer path */
	av[0] = as1(f->pool, 65001, 0);
	av[1] = as1(f->pool, 65001, 10);
	av[2] = as1(f->pool, 65002, 0);
	av[3] = as1(f->pool, 65002, 5);
	av[4] = mkattrs(f->pool, (uint32_t[]){ 65001, 1 }, 2, 0);
	av[5] = mkattrs(f->pool, NULL, 0, 0);
	f->peers[3].ibgp = true;
	m->peers = f->peers;
	decide_conf_init(&m->conf);
	m->conf.max_paths = 3;
	m->conf.multipath_relax = true;
	rib_set_decide(f->rib, &m->conf);
	for (unsigned step = 0; step < 20000; step++) {
		m_apply(m, f->rib, av, &seed);
		if (step % 500 != 499)
			continue;
		while (rib_busy(f->rib))
			rib_run(f->rib, 3, m_on_change, m);
		for (unsigned i = 0; i < M_PFX; i++)
			m_check_prefix(m, f->rib, i);
		memset(m->flushing, 0, sizeof(m->flushing));
		drained++;
	}
	assert_int_equal(drained, 40);
	for (unsigned i = 0; i < M_ATTRS; i++)
		attrs_unref(f->pool, av[i]);
	free(m);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* RIB_TEST_SMALL=1 (e.g. under valgrind) scales the big test down 100 times. */
static unsigned big_scale(void)
{
	return getenv("RIB_TEST_SMALL") ? 100 : 1;
}

/* 1M IPv4 prefixes from one peer over 100k attribute sets: bytes/prefix and time. */
static void test_million_prefixes(void **state)
{
	struct fixture *f = *state;
	const unsigned nprefixes = 1000000 / big_scale(), nattrs = 100000 / big_scale();
	struct attrs **v = malloc(nattrs * sizeof(*v));
	struct attr_pool_stats ast;
	struct rib_stats st;
	size_t calls = 0;
	double t0, t1, t2;

	assert_non_null(v);
	for (unsigned i = 0; i < nattrs; i++)
		v[i] = mkattrs(f->pool, (uint32_t[]){ 65001, 100000 + i }, 2, 0);
	t0 = now();
	for (unsigned i = 0; i < nprefixes; i++) {
		uint32_t net = 0x01000000u + (i << 8);
		struct prefix p = pfx4(net >> 24, net >> 16, net >> 8, 0, 24);

		assert_true(rib_update(f->rib, &p, 1, v[i % nattrs]) == 2);
	}
	t1 = now();
	assert_int_equal(rib_run(f->rib, SIZE_MAX, NULL, NULL), nprefixes);
	t2 = now();
	rib_stats(f->rib, &st);
	attr_pool_stats(f->pool, &ast);
	assert_int_equal(st.prefixes, nprefixes);
	print_message("%u prefixes: update %.3f s, run %.3f s, total %.3f s\n", nprefixes, t1 - t0,
		      t2 - t1, t2 - t0);
	print_message("rib %.1f bytes/prefix (entries %zu, paths %zu, index %zu, other %zu); "
		      "with attrs %.1f\n",
		      (double)st.total_bytes / st.prefixes, st.entry_bytes, st.path_bytes,
		      st.table_bytes, st.other_bytes,
		      (double)(st.total_bytes + ast.attrs_bytes + ast.aspath_bytes) / st.prefixes);
	assert_true(st.total_bytes <= 80ull * st.prefixes);

	/* the peer goes down: flushed in slices */
	rib_peer_flush(f->rib, 1);
	t0 = now();
	while (rib_busy(f->rib)) {
		size_t done = rib_run(f->rib, 4096, NULL, NULL);

		assert_true(done <= 4096);
		calls++;
	}
	t1 = now();
	print_message("flush: %.3f s in %zu slices\n", t1 - t0, calls);
	rib_stats(f->rib, &st);
	assert_int_equal(st.prefixes, 0);
	for (unsigned i = 0; i < nattrs; i++)
		attrs_unref(f->pool, v[i]);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_update_replace_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noop_update_not_dirty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_bits_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reported_once_per_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipath_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_set_counts_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_origination_preferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_flush_in_slices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_then_relearn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_in_prefix_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_million_prefixes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
