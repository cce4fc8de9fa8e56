/*
 * Adj-RIB-Out: update groups shared by key, set/cancel semantics, packing
 * (every UPDATE decoded back with update_decode), withdrawals first, the
 * next hop's position in every form, replay under concurrent changes, walk
 * order, a randomized model check, and the 1M-prefix memory and time budget.
 *
 * Prefixes are 10.H.L.0/24 (IPv4) or 2001:db8:0:HL::/64 (IPv6): the pair
 * H, L is the prefix's number in the peer models. Every attribute set has
 * its own MED, so a decoded MED names the set a prefix was sent with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "routerd/rib/adjout.h"

#define NMODEL	 65536
#define MED_BASE 100u

struct fixture {
	struct attr_pool *pool;
	struct adjout *ao;
	struct update_scratch *scratch;
	uint8_t buf[BGP_EXT_MAX_MSG_LEN];
};

/* What a peer holds after the messages it got: MED per prefix number, 0 = nothing. */
struct model {
	uint32_t med[NMODEL];
	uint32_t seen[NMODEL]; /* announcements received */
	size_t msgs, withdraw_msgs, max_len;
	bool announced; /* an announcement came before */
	bool wd_after_ann;
};

static const struct update_ctx dec_ctx = {
	.as4 = true,
	.afs = BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST,
	.ext_nexthop = BGP_AF_IPV4_UNICAST,
};

/* ---- helpers ---- */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pool = attr_pool_new();
	f->ao = adjout_new(f->pool);
	f->scratch = malloc(sizeof(*f->scratch));
	assert_true(f->pool && f->ao && f->scratch);
	*state = f;
	return 0;
}

static void assert_pool_empty(struct attr_pool *pool)
{
	struct attr_pool_stats st;

	attr_pool_stats(pool, &st);
	assert_int_equal(st.attrs + st.aspaths + st.communities + st.lcommunities + st.blobs, 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	adjout_free(f->ao);
	assert_pool_empty(f->pool);
	attr_pool_free(f->pool);
	free(f->scratch);
	free(f);
	return 0;
}

static struct ipaddr ip(const char *s)
{
	struct ipaddr a = { 0 };

	if (strchr(s, ':')) {
		a.family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, a.bytes), 1);
	} else {
		a.family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, a.bytes), 1);
	}
	return a;
}

/* AS path 65001, community 65001:med, MED med; next hop nh (and link-local ll). */
static struct attrs *mk(struct attr_pool *pool, uint32_t med, const char *nh, const char *ll)
{
	static const uint8_t path[] = { ASPATH_SEQUENCE, 1, 0, 0, 0xfd, 0xe9 };
	uint32_t comm = 65001u << 16 | (med & 0xffff);
	struct attrs t, *a;

	attrs_init(&t);
	t.origin = ORIGIN_IGP;
	t.aspath = aspath_intern(pool, path, sizeof(path));
	t.communities = community_list_intern(pool, &comm, 1);
	t.flags = ATTR_HAS_MED;
	t.med = med;
	t.nexthop = ip(nh);
	if (ll)
		t.nexthop_ll = ip(ll);
	a = attrs_intern(pool, &t);
	assert_non_null(a);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	return a;
}

static struct attrs *mk4(struct attr_pool *pool, uint32_t med)
{
	return mk(pool, med, "192.0.2.1", NULL);
}

static struct attrs *mk6(struct attr_pool *pool, uint32_t med)
{
	return mk(pool, med, "2001:db8::1", "fe80::1");
}

static struct prefix pfx4(unsigned n)
{
	struct prefix p = { .family = AF_INET, .len = 24, .bytes = { 10, n >> 8, n & 0xff } };

	return p;
}

static struct prefix pfx6(unsigned n)
{
	struct prefix p = { .family = AF_INET6,
			    .len = 64,
			    .bytes = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, n >> 8, n & 0xff } };

	return p;
}

static struct prefix pfx_of(uint8_t family, unsigned n)
{
	return family == AF_INET ? pfx4(n) : pfx6(n);
}

static unsigned pfx_num(const struct prefix *p)
{
	return p->family == AF_INET ? (unsigned)p->bytes[1] << 8 | p->bytes[2]
				    : (unsigned)p->bytes[6] << 8 | p->bytes[7];
}

static struct adjout_group_key key_of(uint8_t family)
{
	struct adjout_group_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	k.enc.as4 = true;
	k.nh_family = family;
	k.nh_ll = family == AF_INET6;
	return k;
}

static struct model *model_new(void)
{
	struct model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	return m;
}

static void model_withdraw(struct model *m, const struct update_nlri *b)
{
	struct update_nlri_iter it;
	struct prefix p;

	update_nlri_iter_init(&it, b);
	while (update_nlri_next(&it, &p))
		m->med[pfx_num(&p)] = 0;
}

static void model_announce(struct model *m, const struct update_nlri *b, const struct update_msg *u)
{
	struct update_nlri_iter it;
	struct prefix p;

	if (!b->len)
		return;
	assert_true(u->attrs.flags & ATTR_HAS_MED);
	assert_int_equal(u->attrs.ncommunities, 1);
	assert_int_equal(u->attrs.communities[0], 65001u << 16 | (u->attrs.med & 0xffff));
	update_nlri_iter_init(&it, b);
	while (update_nlri_next(&it, &p)) {
		m->med[pfx_num(&p)] = u->attrs.med;
		m->seen[pfx_num(&p)]++;
	}
}

/* Decodes one packed UPDATE as the peer would and applies it to m. */
static void model_apply(struct fixture *f, struct model *m, const uint8_t *msg,
			const struct adjout_msg *am)
{
	struct update_msg u;
	struct bgp_notify err;
	bool wd;

	assert_true(am->len <= BGP_EXT_MAX_MSG_LEN);
	assert_int_equal((size_t)(msg[16] << 8 | msg[17]), am->len);
	assert_int_equal(update_decode(msg, am->len, &dec_ctx, f->scratch, &u, &err), UPDATE_OK);
	wd = u.withdrawn.len || u.mp_unreach.len;
	assert_int_equal(wd, am->withdraw);
	assert_true(wd != (u.nlri.len || u.mp_reach.len));
	model_withdraw(m, &u.withdrawn);
	model_withdraw(m, &u.mp_unreach);
	model_announce(m, &u.nlri, &u);
	model_announce(m, &u.mp_reach, &u);
	m->msgs++;
	m->withdraw_msgs += wd;
	m->wd_after_ann |= wd && m->announced;
	m->announced |= !wd;
	if (am->len > m->max_len)
		m->max_len = am->len;
}

/* Packs everything pending into m; returns the number of messages. */
static size_t drain(struct fixture *f, struct adjout_group *g, struct model *m)
{
	struct adjout_msg am;
	size_t n = 0;

	while (adjout_next(g, f->buf, sizeof(f->buf), &am)) {
		model_apply(f, m, f->buf, &am);
		n++;
	}
	assert_false(adjout_pending(g));
	return n;
}

static uint32_t lookup_med(struct adjout_group *g, const struct prefix *p)
{
	struct attrs *a = adjout_lookup(g, p);

	return a ? a->med : 0;
}

/* ---- groups ---- */

static void test_group_sharing(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k1, k2 = key_of(AF_INET), k3 = key_of(AF_INET);
	struct adjout_group *g1, *g2, *g3, *g4;
	struct attrs *a = mk4(f->pool, MED_BASE);
	struct model *m = model_new();
	struct prefix p = pfx4(1);

	/* garbage in the padding must not split a group */
	memset(&k1, 0xa5, sizeof(k1));
	k1.family = AF_INET;
	k1.enc.as4 = true;
	k1.enc.ibgp = false;
	k1.enc.ext_nexthop = false;
	k1.enc.max_len = BGP_MAX_MSG_LEN; /* same bytes as 0 */
	k1.nh_family = AF_INET;
	k1.nh_ll = false;
	k1.policy_id = 0;
	k3.policy_id = 7;

	g1 = adjout_group_get(f->ao, &k1);
	g2 = adjout_group_get(f->ao, &k2);
	g3 = adjout_group_get(f->ao, &k3);
	assert_non_null(g1);
	assert_ptr_equal(g1, g2);
	assert_ptr_not_equal(g1, g3);
	assert_int_equal(adjout_group_members(g1), 2);
	assert_int_equal(adjout_group_members(g3), 1);
	assert_int_equal(adjout_group_key(g3)->policy_id, 7);

	assert_int_equal(adjout_set(g1, &p, a), 1);
	assert_int_equal(adjout_set(g3, &p, a), 1);
	assert_int_equal(drain(f, g1, m), 1);
	attrs_unref(f->pool, a); /* the groups keep their own references */
	assert_int_equal(lookup_med(g1, &p), MED_BASE);

	adjout_group_put(f->ao, g2);
	assert_int_equal(adjout_group_members(g1), 1);
	assert_int_equal(lookup_med(g1, &p), MED_BASE);
	adjout_group_put(f->ao, g1);
	adjout_group_put(f->ao, g3); /* g3's change was still pending */
	assert_pool_empty(f->pool);

	g4 = adjout_group_get(f->ao, &k2); /* a fresh, empty group */
	assert_int_equal(adjout_group_members(g4), 1);
	assert_int_equal(adjout_count(g4), 0);
	assert_null(adjout_lookup(g4, &p));
	adjout_group_put(f->ao, g4);
	assert_null(adjout_group_get(f->ao, &(struct adjout_group_key){ .family = 99 }));
	free(m);
}

/* ---- set / cancel ---- */

static void test_set_cancel(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = mk4(f->pool, MED_BASE), *b = mk4(f->pool, MED_BASE + 1);
	struct model *m = model_new();
	struct prefix p = pfx4(5), q = pfx4(6);
	struct adjout_msg am;

	assert_int_equal(adjout_set(g, &p, NULL), 0); /* withdraw of nothing */
	assert_false(adjout_pending(g));
	assert_int_equal(adjout_set(g, &p, a), 1);
	assert_true(adjout_pending(g));
	assert_int_equal(adjout_set(g, &p, a), 0);
	assert_null(adjout_lookup(g, &p)); /* pending is not sent */
	assert_int_equal(adjout_count(g), 0);
	assert_int_equal(adjout_count_target(g), 1); /* but it is counted for limits */
	assert_true(adjout_will_advertise(g, &p));
	assert_int_equal(adjout_set(g, &p, NULL), 0); /* announce + withdraw cancel */
	assert_false(adjout_pending(g));
	assert_false(adjout_next(g, f->buf, sizeof(f->buf), &am));

	assert_int_equal(adjout_set(g, &p, a), 1);
	assert_int_equal(adjout_set(g, &q, b), 1);
	assert_int_equal(drain(f, g, m), 2);
	assert_int_equal(adjout_count(g), 2);
	assert_int_equal(lookup_med(g, &p), MED_BASE);

	assert_int_equal(adjout_set(g, &p, a), 0); /* equal to what was sent */
	assert_false(adjout_pending(g));
	assert_int_equal(adjout_set(g, &p, b), 1);
	assert_int_equal(adjout_set(g, &p, a), 0); /* back to the sent value: cancelled */
	assert_false(adjout_pending(g));
	assert_int_equal(adjout_set(g, &p, NULL), 1);
	assert_int_equal(adjout_set(g, &p, b), 1); /* withdraw overwritten by another change */
	assert_int_equal(adjout_set(g, &p, NULL), 1);
	assert_int_equal(lookup_med(g, &p), MED_BASE); /* still the sent state */
	assert_int_equal(drain(f, g, m), 1);
	assert_int_equal(m->withdraw_msgs, 1);
	assert_null(adjout_lookup(g, &p));
	assert_int_equal(adjout_count(g), 1);
	assert_int_equal(m->med[5], 0);
	assert_int_equal(m->med[6], MED_BASE + 1);

	/* host bits are ignored: 10.0.6.1/24 is 10.0.6.0/24 */
	q.bytes[3] = 1;
	assert_int_equal(lookup_med(g, &q), MED_BASE + 1);
	assert_int_equal(adjout_set(g, &q, b), 0);

	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
	adjout_group_put(f->ao, g);
	free(m);
}

/*
 * A member leaving for a forked group (its policy changed at a reload):
 * the fork starts from what it was sent, so setting the new policy's
 * routes queues exactly the difference, and the original is untouched.
 */
static void test_fork_and_rekey(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET), k2 = key_of(AF_INET), k6 = key_of(AF_INET6);
	struct model *peer = model_new();
	struct adjout_group *g, *fork;
	struct attrs *a = mk4(f->pool, MED_BASE), *b = mk4(f->pool, MED_BASE + 1);
	const unsigned n = 300;

	k.policy_id = 10;
	k2.policy_id = 20;
	g = adjout_group_get(f->ao, &k);
	adjout_group_get(f->ao, &k); /* two members */
	for (unsigned i = 0; i < n; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(adjout_set(g, &p, a), 1);
	}
	drain(f, g, peer);
	assert_null(adjout_group_fork(f->ao, g, &k6)); /* another family */
	fork = adjout_group_fork(f->ao, g, &k2);
	assert_non_null(fork);
	adjout_group_hold(fork);
	adjout_group_put(f->ao, g);
	assert_int_equal(adjout_count(fork), n);
	assert_int_equal(adjout_count_target(fork), n);
	assert_false(adjout_pending(fork));
	/* the new policy: the first half unchanged, the rest withdrawn, one changed */
	for (unsigned i = 0; i < n; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(adjout_set(fork, &p, i < n / 2 ? a : NULL), i < n / 2 ? 0 : 1);
	}
	{
		struct prefix p = pfx4(0);

		assert_int_equal(adjout_set(fork, &p, b), 1);
	}
	assert_int_equal(adjout_count_target(fork), n / 2);
	drain(f, fork, peer);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(peer->med[i], i == 0 ? MED_BASE + 1 : i < n / 2 ? MED_BASE : 0);
	assert_int_equal(peer->seen[0], 2);
	assert_int_equal(peer->seen[1], 1); /* unchanged routes are not sent again */
	/* the original group still has everything, and nothing to send */
	assert_int_equal(adjout_count(g), n);
	assert_false(adjout_pending(g));
	/* rekey: a get with the new key finds the group, the old key no longer does */
	k.policy_id = 30;
	adjout_group_rekey(f->ao, g, &k);
	assert_ptr_equal(adjout_group_get(f->ao, &k), g);
	assert_int_equal(adjout_group_members(g), 2);
	assert_int_equal(adjout_count(g), n);
	adjout_group_put(f->ao, g);
	adjout_group_put(f->ao, g);
	adjout_group_put(f->ao, fork);
	free(peer);
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
}

static void test_bad_input(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = mk4(f->pool, MED_BASE);
	struct prefix p6 = pfx6(1), p = pfx4(1), bad = pfx4(2);
	struct adjout_msg am;

	assert_int_equal(adjout_set(g, &p6, a), -1); /* another family */
	bad.len = 33;
	assert_int_equal(adjout_set(g, &bad, a), -1);
	assert_null(adjout_lookup(g, &p6));
	assert_int_equal(adjout_set(g, &p, a), 1);
	/* a buffer below the message size is refused, and nothing is lost */
	assert_false(adjout_next(g, f->buf, 1024, &am));
	assert_true(adjout_pending(g));
	assert_true(adjout_next(g, f->buf, sizeof(f->buf), &am));
	assert_int_equal(am.n_prefixes, 1);
	attrs_unref(f->pool, a);
	adjout_group_put(f->ao, g);
}

/* ---- packing ---- */

/* 10,000 prefixes over 10 attribute sets: few full messages, each decoding to exactly the set. */
static void check_packing(struct fixture *f, uint8_t family, size_t max_len, size_t max_msgs)
{
	struct adjout_group_key k = key_of(family);
	struct adjout_group *g;
	struct attrs *v[10];
	struct model *m = model_new();
	const unsigned n = 10000;

	k.enc.max_len = max_len;
	g = adjout_group_get(f->ao, &k);
	for (unsigned i = 0; i < 10; i++)
		v[i] = family == AF_INET ? mk4(f->pool, MED_BASE + i) : mk6(f->pool, MED_BASE + i);
	for (unsigned i = 0; i < n; i++) {
		struct prefix p = pfx_of(family, i);

		assert_int_equal(adjout_set(g, &p, v[(i * 7) % 10]), 1);
	}
	assert_int_equal(adjout_count(g), 0);
	assert_true(drain(f, g, m) <= max_msgs);
	assert_true(m->max_len <= (max_len ? max_len : BGP_MAX_MSG_LEN));
	for (unsigned i = 0; i < n; i++) {
		struct prefix p = pfx_of(family, i);

		assert_int_equal(m->seen[i], 1);
		assert_int_equal(m->med[i], MED_BASE + (i * 7) % 10);
		assert_int_equal(lookup_med(g, &p), MED_BASE + (i * 7) % 10);
	}
	assert_int_equal(m->seen[n], 0);
	assert_int_equal(adjout_count(g), n);
	for (unsigned i = 0; i < 10; i++)
		attrs_unref(f->pool, v[i]);
	adjout_group_put(f->ao, g);
	assert_pool_empty(f->pool);
	free(m);
}

static void test_pack_ipv4(void **state)
{
	/* 1,000 prefixes of 4 octets per set: 2 messages per set at 4096 */
	check_packing(*state, AF_INET, 0, 20);
}

static void test_pack_ipv6(void **state)
{
	/* 9 octets per prefix, ~440 per message: 3 messages per set */
	check_packing(*state, AF_INET6, 0, 30);
}

static void test_pack_extended(void **state)
{
	/* RFC 8654: one message per set */
	check_packing(*state, AF_INET, BGP_EXT_MAX_MSG_LEN, 10);
}

static void check_withdraw_first(struct fixture *f, uint8_t family)
{
	struct adjout_group_key k = key_of(family);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = family == AF_INET ? mk4(f->pool, MED_BASE) : mk6(f->pool, MED_BASE);
	struct attrs *b =
		family == AF_INET ? mk4(f->pool, MED_BASE + 1) : mk6(f->pool, MED_BASE + 1);
	struct model *m = model_new();

	for (unsigned i = 0; i < 3000; i++) {
		struct prefix p = pfx_of(family, i);

		assert_int_equal(adjout_set(g, &p, a), 1);
	}
	drain(f, g, m);
	/* keep med (the peer's state), restart the counters */
	m->msgs = m->withdraw_msgs = 0;
	m->announced = m->wd_after_ann = false;
	memset(m->seen, 0, sizeof(m->seen));
	/* interleaved: change 1000, withdraw 1000, add 1000 */
	for (unsigned i = 0; i < 1000; i++) {
		struct prefix pc = pfx_of(family, i), pw = pfx_of(family, 1000 + i),
			      pn = pfx_of(family, 3000 + i);

		assert_int_equal(adjout_set(g, &pn, b), 1);
		assert_int_equal(adjout_set(g, &pw, NULL), 1);
		assert_int_equal(adjout_set(g, &pc, b), 1);
	}
	drain(f, g, m);
	assert_true(m->withdraw_msgs >= 1);
	assert_false(m->wd_after_ann);
	for (unsigned i = 0; i < 4000; i++)
		assert_int_equal(m->med[i], i < 1000 || i >= 3000 ? MED_BASE + 1
					    : i < 2000		  ? 0
								  : MED_BASE);
	assert_int_equal(adjout_count(g), 3000);
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
	adjout_group_put(f->ao, g);
	free(m);
}

static void test_withdraw_first(void **state)
{
	check_withdraw_first(*state, AF_INET);
	check_withdraw_first(*state, AF_INET6);
}

/* Changes made while a batch is being packed: only the last value reaches the peer. */
static void test_change_during_batch(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = mk4(f->pool, MED_BASE), *b = mk4(f->pool, MED_BASE + 1);
	struct model *m = model_new();
	struct adjout_msg am;
	uint32_t want[3000];

	for (unsigned i = 0; i < 3000; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(adjout_set(g, &p, i % 2 ? a : b), 1);
		want[i] = i % 2 ? MED_BASE : MED_BASE + 1;
	}
	assert_true(adjout_next(g, f->buf, sizeof(f->buf), &am));
	model_apply(f, m, f->buf, &am);
	/* some of these were just sent, most are still in the batch */
	for (unsigned i = 0; i < 3000; i += 3) {
		struct prefix p = pfx4(i);
		struct attrs *to = i % 9 == 0 ? NULL : i % 2 ? b : a;

		assert_true(adjout_set(g, &p, to) >= 0);
		want[i] = to ? to->med : 0;
	}
	for (unsigned i = 0; i < 3000; i += 5) {
		struct prefix p = pfx4(i);

		assert_true(adjout_set(g, &p, a) >= 0);
		want[i] = MED_BASE;
	}
	drain(f, g, m);
	for (unsigned i = 0; i < 3000; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(m->med[i], want[i]);
		assert_int_equal(lookup_med(g, &p), want[i]);
	}
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, b);
	adjout_group_put(f->ao, g);
	free(m);
}

/* Attributes the peers cannot take: withdrawn instead of leaving stale ones. */
static void test_unencodable(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET); /* no RFC 8950 */
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = mk4(f->pool, MED_BASE), *v6nh = mk6(f->pool, MED_BASE + 1);
	struct model *m = model_new();
	struct prefix p = pfx4(1), q = pfx4(2);

	assert_int_equal(adjout_set(g, &p, a), 1);
	drain(f, g, m);
	assert_int_equal(adjout_set(g, &p, v6nh), 1);
	assert_int_equal(adjout_set(g, &q, v6nh), 1);
	assert_int_equal(drain(f, g, m), 1);
	assert_int_equal(m->withdraw_msgs, 1);
	assert_int_equal(m->med[1], 0);
	assert_int_equal(m->seen[2], 0);
	assert_int_equal(adjout_unencodable(g), 2);
	assert_int_equal(adjout_count(g), 0);
	assert_int_equal(adjout_count_target(g), 0);
	assert_false(adjout_will_advertise(g, &q));
	attrs_unref(f->pool, a);
	attrs_unref(f->pool, v6nh);
	adjout_group_put(f->ao, g);
	assert_pool_empty(f->pool);
	free(m);
}

/* ---- next hop position ---- */

/* Finds the next hop in msg, checks it holds want, patches in repl and decodes the copy. */
static void check_nh(struct fixture *f, const uint8_t *msg, size_t len, const uint8_t *want,
		     size_t want_len, const uint8_t *repl, struct update_msg *u)
{
	static uint8_t copy[BGP_EXT_MAX_MSG_LEN];
	struct bgp_notify err;
	size_t off = 0, nhlen = 0;

	assert_true(adjout_find_nexthop(msg, len, &off, &nhlen));
	assert_int_equal(nhlen, want_len);
	assert_true(off + nhlen <= len);
	assert_memory_equal(msg + off, want, want_len);
	memcpy(copy, msg, len);
	memcpy(copy + off, repl, nhlen);
	assert_int_equal(update_decode(copy, len, &dec_ctx, f->scratch, u, &err), UPDATE_OK);
}

static void test_nexthop_forms(void **state)
{
	struct fixture *f = *state;
	struct update_enc_ctx enc = { .as4 = true, .ext_nexthop = true };
	struct ipaddr nh4 = ip("192.0.2.1"), g6 = ip("2001:db8::1"), ll = ip("fe80::1");
	struct ipaddr r4 = ip("198.51.100.7"), rg = ip("2001:db8::99"), rl = ip("fe80::77");
	struct attrs *a4 = mk(f->pool, 1, "192.0.2.1", NULL);
	struct attrs *a16 = mk(f->pool, 2, "2001:db8::1", NULL);
	struct attrs *a32 = mk(f->pool, 3, "2001:db8::1", "fe80::1");
	struct prefix p4 = pfx4(1), p6 = pfx6(1);
	uint8_t want[32], repl[32];
	struct update_msg u;
	size_t len, k;

	/* IPv4 NLRI, NEXT_HOP */
	len = update_encode(f->buf, sizeof(f->buf), a4, AF_INET, &enc, &p4, 1, &k);
	assert_true(len);
	check_nh(f, f->buf, len, nh4.bytes, 4, r4.bytes, &u);
	assert_memory_equal(u.attrs.nexthop.bytes, r4.bytes, 4);
	assert_int_equal(u.nlri.len, 4);

	/* IPv6, MP_REACH_NLRI with 16 octets */
	len = update_encode(f->buf, sizeof(f->buf), a16, AF_INET6, &enc, &p6, 1, &k);
	assert_true(len);
	check_nh(f, f->buf, len, g6.bytes, 16, rg.bytes, &u);
	assert_memory_equal(u.mp_nexthop.bytes, rg.bytes, 16);
	assert_int_equal(u.mp_nexthop_ll.family, 0);

	/* IPv6, MP_REACH_NLRI with 32 octets [global, link-local] */
	memcpy(want, g6.bytes, 16);
	memcpy(want + 16, ll.bytes, 16);
	memcpy(repl, rg.bytes, 16);
	memcpy(repl + 16, rl.bytes, 16);
	len = update_encode(f->buf, sizeof(f->buf), a32, AF_INET6, &enc, &p6, 1, &k);
	assert_true(len);
	check_nh(f, f->buf, len, want, 32, repl, &u);
	assert_memory_equal(u.mp_nexthop.bytes, rg.bytes, 16);
	assert_memory_equal(u.mp_nexthop_ll.bytes, rl.bytes, 16);

	/* IPv4 NLRI with an IPv6 next hop (RFC 8950): MP_REACH_NLRI, AFI 1 */
	len = update_encode(f->buf, sizeof(f->buf), a32, AF_INET, &enc, &p4, 1, &k);
	assert_true(len);
	check_nh(f, f->buf, len, want, 32, repl, &u);
	assert_int_equal(u.mp_reach.family, AF_INET);
	assert_memory_equal(u.mp_nexthop.bytes, rg.bytes, 16);
	assert_memory_equal(u.mp_nexthop_ll.bytes, rl.bytes, 16);
	len = update_encode(f->buf, sizeof(f->buf), a16, AF_INET, &enc, &p4, 1, &k);
	assert_true(len);
	check_nh(f, f->buf, len, g6.bytes, 16, rg.bytes, &u);
	assert_memory_equal(u.mp_nexthop.bytes, rg.bytes, 16);

	attrs_unref(f->pool, a4);
	attrs_unref(f->pool, a16);
	attrs_unref(f->pool, a32);
}

static void test_nexthop_none(void **state)
{
	struct fixture *f = *state;
	struct update_enc_ctx enc = { .as4 = true };
	struct attrs *a4 = mk4(f->pool, 1);
	struct prefix p4 = pfx4(1), p6 = pfx6(1);
	size_t len, k, off, nhlen;

	len = update_withdraw_encode(f->buf, sizeof(f->buf), AF_INET, &enc, &p4, 1, &k);
	assert_false(adjout_find_nexthop(f->buf, len, &off, &nhlen));
	len = update_withdraw_encode(f->buf, sizeof(f->buf), AF_INET6, &enc, &p6, 1, &k);
	assert_false(adjout_find_nexthop(f->buf, len, &off, &nhlen));
	len = update_encode(f->buf, sizeof(f->buf), a4, AF_INET, &enc, &p4, 1, &k);
	assert_true(adjout_find_nexthop(f->buf, len, &off, &nhlen));
	/* truncated attributes, not an UPDATE, too short */
	assert_false(adjout_find_nexthop(f->buf, off + 2, &off, &nhlen));
	assert_false(adjout_find_nexthop(f->buf, 10, &off, &nhlen));
	f->buf[18] = BGP_MSG_KEEPALIVE;
	assert_false(adjout_find_nexthop(f->buf, len, &off, &nhlen));
	attrs_unref(f->pool, a4);
}

/* adjout_next says where the placeholder sits, for the daemon to patch per member. */
static void check_group_nh(struct fixture *f, uint8_t family, bool ext, struct attrs *a,
			   size_t want_len)
{
	struct adjout_group_key k = key_of(family);
	struct adjout_group *g;
	struct adjout_msg am;
	struct prefix p = pfx_of(family, 9);
	size_t off, nhlen;

	k.enc.ext_nexthop = ext;
	g = adjout_group_get(f->ao, &k);
	assert_int_equal(adjout_set(g, &p, a), 1);
	assert_true(adjout_next(g, f->buf, sizeof(f->buf), &am));
	assert_false(am.withdraw);
	assert_int_equal(am.n_prefixes, 1);
	assert_true(adjout_find_nexthop(f->buf, am.len, &off, &nhlen));
	assert_int_equal(am.nh_off, off);
	assert_int_equal(am.nh_len, want_len);
	if (want_len == 32) /* [global or link-local, link-local] */
		assert_memory_equal(f->buf + am.nh_off + 16, a->nexthop_ll.bytes, 16);
	else
		assert_memory_equal(f->buf + am.nh_off, a->nexthop.bytes, want_len);
	assert_int_equal(adjout_set(g, &p, NULL), 1);
	assert_true(adjout_next(g, f->buf, sizeof(f->buf), &am));
	assert_true(am.withdraw);
	assert_int_equal(am.nh_len, 0);
	adjout_group_put(f->ao, g);
}

static void test_group_nexthop(void **state)
{
	struct fixture *f = *state;
	struct attrs *a4 = mk(f->pool, 1, "192.0.2.1", NULL);
	struct attrs *a16 = mk(f->pool, 2, "2001:db8::1", NULL);
	struct attrs *a32 = mk(f->pool, 3, "::", "fe80::1"); /* next-hop-self placeholder */

	check_group_nh(f, AF_INET, false, a4, 4);
	check_group_nh(f, AF_INET6, false, a16, 16);
	check_group_nh(f, AF_INET6, false, a32, 32);
	check_group_nh(f, AF_INET, true, a32, 32);
	attrs_unref(f->pool, a4);
	attrs_unref(f->pool, a16);
	attrs_unref(f->pool, a32);
}

/* ---- replay ---- */

static void replay_one(struct fixture *f, struct adjout_replay *r, struct model *joined, bool *done)
{
	struct adjout_msg am;

	if (*done)
		return;
	if (adjout_replay_next(r, f->buf, sizeof(f->buf), &am)) {
		assert_false(am.withdraw);
		model_apply(f, joined, f->buf, &am);
	} else {
		*done = true;
	}
}

/* A group's message goes to every member, the one joining included. */
static bool group_one(struct fixture *f, struct adjout_group *g, struct model *old,
		      struct model *joined)
{
	struct adjout_msg am;

	if (!adjout_next(g, f->buf, sizeof(f->buf), &am))
		return false;
	model_apply(f, old, f->buf, &am);
	if (joined)
		model_apply(f, joined, f->buf, &am);
	return true;
}

static void assert_model_is_group(struct model *m, struct adjout_group *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(m->med[i], lookup_med(g, &p));
	}
}

static void test_replay_concurrent(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct model *old = model_new(), *joined = model_new();
	struct attrs *v[8];
	struct adjout_replay *r;
	bool done = false;
	unsigned step = 0;

	for (unsigned i = 0; i < 8; i++)
		v[i] = mk4(f->pool, MED_BASE + i);
	for (unsigned i = 0; i < 6000; i++) {
		struct prefix p = pfx4(i);

		adjout_set(g, &p, v[i % 5]);
	}
	drain(f, g, old);
	r = adjout_replay_start(g);
	assert_non_null(r);
	/* the group keeps changing while the replay runs: withdraw, re-attribute, add */
	while (!done) {
		for (unsigned j = 0; j < 200; j++, step++) {
			unsigned i = (step * 7919u) % 8000;
			struct prefix p = pfx4(i);

			adjout_set(g, &p, step % 4 == 0 ? NULL : v[step % 8]);
		}
		group_one(f, g, old, joined);
		replay_one(f, r, joined, &done);
	}
	while (group_one(f, g, old, joined))
		;
	adjout_replay_free(r);
	assert_model_is_group(old, g, 8000);
	assert_model_is_group(joined, g, 8000);
	for (unsigned i = 0; i < 8; i++)
		attrs_unref(f->pool, v[i]);
	adjout_group_put(f->ao, g);
	free(old);
	free(joined);
}

static void test_replay_packs(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct model *old = model_new(), *joined = model_new();
	struct attrs *v[4];
	struct adjout_replay *r, *r2;
	struct adjout_msg am;
	bool done = false;

	for (unsigned i = 0; i < 4; i++)
		v[i] = mk4(f->pool, MED_BASE + i);
	for (unsigned i = 0; i < 4000; i++) {
		struct prefix p = pfx4(i);

		adjout_set(g, &p, v[i % 4]);
	}
	drain(f, g, old);
	r = adjout_replay_start(g);
	while (!done)
		replay_one(f, r, joined, &done);
	/* 1,000 prefixes of 4 octets per set: sorted by set, 2 messages each */
	assert_true(joined->msgs <= 8);
	assert_model_is_group(joined, g, 4000);
	adjout_replay_free(r);

	/* a replay outliving its group ends quietly */
	r = adjout_replay_start(g);
	r2 = adjout_replay_start(g);
	adjout_replay_free(r2);
	adjout_group_put(f->ao, g);
	assert_false(adjout_replay_next(r, f->buf, sizeof(f->buf), &am));
	adjout_replay_free(r);
	for (unsigned i = 0; i < 4; i++)
		attrs_unref(f->pool, v[i]);
	free(old);
	free(joined);
}

/* ---- walk ---- */

struct walk_rec {
	char got[8][64];
	unsigned n, stop_at;
};

static int walk_fn(void *ctx, const struct prefix *p, struct attrs *a)
{
	struct walk_rec *w = ctx;
	char addr[INET6_ADDRSTRLEN];

	assert_non_null(a);
	inet_ntop(p->family, p->bytes, addr, sizeof(addr));
	snprintf(w->got[w->n], sizeof(w->got[0]), "%s/%u", addr, p->len);
	return ++w->n == w->stop_at ? 42 : 0;
}

static void test_walk_order(void **state)
{
	static const struct {
		uint8_t b0, b1, len;
	} in[] = { { 10, 1, 16 }, { 10, 0, 24 }, { 10, 0, 8 },
		   { 9, 0, 8 },	  { 10, 0, 16 }, { 11, 0, 8 } };
	static const char *const want[] = { "9.0.0.0/8",   "10.0.0.0/8",  "10.0.0.0/16",
					    "10.0.0.0/24", "10.1.0.0/16", "11.0.0.0/8" };
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs *a = mk4(f->pool, MED_BASE);
	struct model *m = model_new();
	struct walk_rec w = { 0 };
	struct prefix pend = pfx4(0x0505);

	for (unsigned i = 0; i < 6; i++) {
		struct prefix p = { .family = AF_INET,
				    .len = in[i].len,
				    .bytes = { in[i].b0, in[i].b1 } };

		assert_int_equal(adjout_set(g, &p, a), 1);
	}
	drain(f, g, m);
	assert_int_equal(adjout_set(g, &pend, a), 1); /* pending: not advertised yet */
	assert_int_equal(adjout_walk(g, walk_fn, &w), 0);
	assert_int_equal(w.n, 6);
	for (unsigned i = 0; i < 6; i++)
		assert_string_equal(w.got[i], want[i]);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(adjout_walk(g, walk_fn, &w), 42);
	assert_int_equal(w.n, 2);
	attrs_unref(f->pool, a);
	adjout_group_put(f->ao, g);
	free(m);
}

/* ---- randomized model check ---- */

/* Random sets, packs and replays against a model of what each peer must end up with. */
static void test_random_model(void **state)
{
	struct fixture *f = *state;
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct model *old = model_new(), *joined = NULL;
	struct adjout_replay *r = NULL;
	static uint32_t want[2000];
	struct attrs *v[6];
	bool done = false;
	size_t nwant = 0, ntarget = 0;

	srand(1234);
	for (unsigned i = 0; i < 6; i++)
		v[i] = mk4(f->pool, MED_BASE + i);
	for (unsigned step = 0; step < 60000; step++) {
		unsigned op = (unsigned)rand() % 100;

		if (op < 75) {
			unsigned i = (unsigned)rand() % 2000, s = (unsigned)rand() % 7;
			struct prefix p = pfx4(i);
			uint32_t to = s < 6 ? MED_BASE + s : 0;
			int expect = to == want[i] || to == old->med[i] ? 0 : 1;

			assert_int_equal(adjout_set(g, &p, s < 6 ? v[s] : NULL), expect);
			ntarget += (to != 0) - (want[i] != 0);
			want[i] = to;
			/* the target count follows every change at once, packed or not */
			assert_int_equal(adjout_count_target(g), ntarget);
			assert_int_equal(adjout_will_advertise(g, &p), to != 0);
		} else if (op < 97) {
			group_one(f, g, old, joined);
		} else if (!r) {
			r = adjout_replay_start(g);
			joined = model_new();
			done = false;
		} else if (!done) {
			replay_one(f, r, joined, &done);
		}
	}
	while (r && !done)
		replay_one(f, r, joined, &done);
	while (group_one(f, g, old, joined))
		;
	for (unsigned i = 0; i < 2000; i++) {
		struct prefix p = pfx4(i);

		assert_int_equal(old->med[i], want[i]);
		assert_int_equal(lookup_med(g, &p), want[i]);
		if (joined)
			assert_int_equal(joined->med[i], want[i]);
		nwant += want[i] != 0;
	}
	assert_int_equal(adjout_count(g), nwant);
	assert_int_equal(adjout_count_target(g), nwant);
	adjout_replay_free(r);
	for (unsigned i = 0; i < 6; i++)
		attrs_unref(f->pool, v[i]);
	adjout_group_put(f->ao, g);
	free(old);
	free(joined);
}

/* ---- scale ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ADJOUT_TEST_SMALL=1 (e.g. under valgrind) scales the big test down 100 times. */
static unsigned big_scale(void)
{
	return getenv("ADJOUT_TEST_SMALL") ? 100 : 1;
}

/* 1M IPv4 prefixes over 100k attribute sets: bytes/prefix and the time to pack it all. */
static void test_million_prefixes(void **state)
{
	struct fixture *f = *state;
	const unsigned nprefixes = 1000000 / big_scale(), nattrs = 100000 / big_scale();
	struct adjout_group_key k = key_of(AF_INET);
	struct adjout_group *g = adjout_group_get(f->ao, &k);
	struct attrs **v = malloc(nattrs * sizeof(*v));
	struct adjout_replay *r;
	struct adjout_msg am;
	size_t msgs = 0, octets = 0, packed = 0, peak;
	double t0, t1, t2, t3;

	assert_non_null(v);
	for (unsigned i = 0; i < nattrs; i++)
		v[i] = mk4(f->pool, MED_BASE + i);
	t0 = now();
	for (unsigned i = 0; i < nprefixes; i++) {
		uint32_t net = 0x01000000u + (i << 8);
		struct prefix p = { .family = AF_INET,
				    .len = 24,
				    .bytes = { net >> 24, net >> 16, net >> 8 } };

		assert_int_equal(adjout_set(g, &p, v[i % nattrs]), 1);
	}
	t1 = now();
	peak = adjout_bytes(f->ao);
	while (adjout_next(g, f->buf, sizeof(f->buf), &am)) {
		assert_true(am.len <= BGP_MAX_MSG_LEN);
		msgs++;
		octets += am.len;
		packed += am.n_prefixes;
	}
	t2 = now();
	assert_int_equal(packed, nprefixes);
	assert_int_equal(adjout_count(g), nprefixes);
	print_message("%u prefixes over %u sets: set %.3f s, pack %.3f s (%zu messages, %.1f MB)\n",
		      nprefixes, nattrs, t1 - t0, t2 - t1, msgs, octets / 1e6);
	print_message("adjout %.1f bytes/prefix advertised (%.1f with the queue while pending)\n",
		      (double)adjout_bytes(f->ao) / nprefixes, (double)peak / nprefixes);
	assert_true(adjout_bytes(f->ao) <= 40ull * nprefixes);

	r = adjout_replay_start(g);
	packed = 0;
	while (adjout_replay_next(r, f->buf, sizeof(f->buf), &am))
		packed += am.n_prefixes;
	t3 = now();
	assert_int_equal(packed, nprefixes);
	print_message("replay %.3f s\n", t3 - t2);
	adjout_replay_free(r);

	for (unsigned i = 0; i < nattrs; i++)
		attrs_unref(f->pool, v[i]);
	adjout_group_put(f->ao, g);
	free(v);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_group_sharing),	   T(test_set_cancel),		T(test_bad_input),
		T(test_pack_ipv4),	   T(test_pack_ipv6),		T(test_pack_extended),
		T(test_withdraw_first),	   T(test_change_during_batch), T(test_unencodable),
		T(test_nexthop_forms),	   T(test_nexthop_none),	T(test_group_nexthop),
		T(test_replay_concurrent), T(test_replay_packs),	T(test_walk_order),
		T(test_random_model),	   T(test_million_prefixes),	T(test_fork_and_rekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
