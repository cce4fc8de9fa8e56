/*
 * Unit tests for interned path attributes (routerd/rib/attr.c): sharing,
 * reference counts and stats, AS path validation and text form (FRR's),
 * community canonical order, and table growth past many thousand objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "routerd/rib/attr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static int setup_pool(void **state)
{
	*state = attr_pool_new();
	return *state ? 0 : -1;
}

/* Every test must give back all references: the pool is empty again. */
static int teardown_pool(void **state)
{
	struct attr_pool_stats st;

	attr_pool_stats(*state, &st);
	assert_int_equal(st.attrs + st.aspaths + st.communities + st.lcommunities + st.blobs, 0);
	assert_int_equal(st.attrs_bytes + st.aspath_bytes + st.community_bytes +
				 st.lcommunity_bytes + st.blob_bytes,
			 0);
	attr_pool_free(*state);
	return 0;
}

/* Builds 4-octet segments: {type, count, as...} groups terminated by a 0 type. */
static size_t build_path(uint8_t *out, const uint32_t *spec)
{
	size_t len = 0;

	while (spec[0]) {
		uint32_t type = spec[0], count = spec[1], i;

		out[len++] = (uint8_t)type;
		out[len++] = (uint8_t)count;
		for (i = 0; i < count; i++) {
			uint32_t as = spec[2 + i];

			out[len++] = (uint8_t)(as >> 24);
			out[len++] = (uint8_t)(as >> 16);
			out[len++] = (uint8_t)(as >> 8);
			out[len++] = (uint8_t)as;
		}
		spec += 2 + count;
	}
	return len;
}

static struct aspath *path_of(struct attr_pool *pool, const uint32_t *spec)
{
	uint8_t buf[512];

	return aspath_intern(pool, buf, build_path(buf, spec));
}

static void stats(struct attr_pool *pool, struct attr_pool_stats *st)
{
	attr_pool_stats(pool, st);
}

/* A typical eBGP attribute set with its sub-objects interned. */
static void fill_tmpl(struct attr_pool *pool, struct attrs *t)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 3, 65515, 12076, 65150, 0 };
	static const uint32_t comms[] = { 65000u << 16 | 1, COMMUNITY_NO_EXPORT };

	attrs_init(t);
	t->origin = ORIGIN_IGP;
	t->flags = ATTR_HAS_MED;
	t->med = 100;
	t->nexthop.family = AF_INET;
	t->nexthop.bytes[0] = 192;
	t->nexthop.bytes[1] = 0;
	t->nexthop.bytes[2] = 2;
	t->nexthop.bytes[3] = 1;
	t->aspath = path_of(pool, spec);
	t->communities = community_list_intern(pool, comms, ARRAY_SIZE(comms));
}

/* The template's own references (attrs_intern took separate ones). */
static void drop_tmpl(struct attr_pool *pool, struct attrs *t)
{
	aspath_unref(pool, t->aspath);
	community_list_unref(pool, t->communities);
	lcommunity_list_unref(pool, t->lcommunities);
	attr_blob_unref(pool, t->unknown);
}

/* ---- sharing and reference counts ---- */

static void test_identical_sets_share(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs t1, t2;
	struct attrs *a, *b;
	struct attr_pool_stats st;

	fill_tmpl(pool, &t1);
	fill_tmpl(pool, &t2);
	/* interning the same contents again yields the same sub-objects */
	assert_ptr_equal(t1.aspath, t2.aspath);
	assert_ptr_equal(t1.communities, t2.communities);
	a = attrs_intern(pool, &t1);
	b = attrs_intern(pool, &t2);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->refcnt, 2);
	/* two template references + one held by the interned set */
	assert_int_equal(a->aspath->refcnt, 3);
	stats(pool, &st);
	assert_int_equal(st.attrs, 1);
	assert_int_equal(st.attrs_bytes, sizeof(struct attrs));
	assert_int_equal(st.aspaths, 1);
	assert_int_equal(st.communities, 1);
	drop_tmpl(pool, &t1);
	drop_tmpl(pool, &t2);
	assert_int_equal(a->aspath->refcnt, 1);
	attrs_unref(pool, a);
	stats(pool, &st);
	assert_int_equal(st.attrs, 1);
	assert_int_equal(attrs_ref(b), b);
	attrs_unref(pool, b);
	attrs_unref(pool, b);
	/* last reference gone: the set and its sub-objects are freed */
	stats(pool, &st);
	assert_int_equal(st.attrs, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.communities, 0);
}

/* One mutation per field of the key region. */
static void mutate(struct attr_pool *pool, struct attrs *t, int which)
{
	static const uint32_t other_path[] = { ASPATH_SEQUENCE, 1, 65001, 0 };
	static const uint32_t other_comm[] = { 1 };
	static const struct lcommunity lc = { 65000, 1, 2 };
	static const uint8_t blob[] = { 0xc0, 99, 1, 0xab };

	switch (which) {
	case 0:
		t->origin = ORIGIN_INCOMPLETE;
		break;
	case 1:
		t->flags |= ATTR_ATOMIC_AGGREGATE;
		break;
	case 2:
		t->med = 101;
		break;
	case 3:
		t->flags |= ATTR_HAS_LOCAL_PREF;
		t->local_pref = 200;
		break;
	case 4:
		t->weight = 32768;
		break;
	case 5:
		t->flags |= ATTR_HAS_AGGREGATOR;
		t->aggregator_as = 65001;
		break;
	case 6:
		t->aggregator_id = 0x0a000001;
		break;
	case 7:
		t->nexthop.bytes[3] = 2;
		break;
	case 8:
		t->nexthop_ll.family = AF_INET6;
		t->nexthop_ll.bytes[0] = 0xfe;
		t->nexthop_ll.bytes[1] = 0x80;
		t->nexthop_ll.bytes[15] = 1;
		break;
	case 9:
		aspath_unref(pool, t->aspath);
		t->aspath = path_of(pool, other_path);
		break;
	case 10:
		community_list_unref(pool, t->communities);
		t->communities = community_list_intern(pool, other_comm, 1);
		break;
	case 11:
		t->lcommunities = lcommunity_list_intern(pool, &lc, 1);
		break;
	case 12:
		t->unknown = attr_blob_intern(pool, blob, sizeof(blob));
		break;
	case 13:
		community_list_unref(pool, t->communities);
		t->communities = NULL;
		break;
	}
}

static void test_any_difference_separates(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs base_t, t;
	struct attrs *base, *a;
	struct attr_pool_stats st;
	int i;

	fill_tmpl(pool, &base_t);
	base = attrs_intern(pool, &base_t);
	for (i = 0; i <= 13; i++) {
		fill_tmpl(pool, &t);
		mutate(pool, &t, i);
		a = attrs_intern(pool, &t);
		assert_non_null(a);
		assert_ptr_not_equal(a, base);
		assert_int_equal(a->refcnt, 1);
		stats(pool, &st);
		assert_int_equal(st.attrs, 2);
		attrs_unref(pool, a);
		drop_tmpl(pool, &t);
	}
	attrs_unref(pool, base);
	drop_tmpl(pool, &base_t);
}

/* Bytes past an IPv4 address's four do not make a different set. */
static void test_ipv4_nexthop_tail_ignored(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs t1, t2;
	struct attrs *a, *b;

	fill_tmpl(pool, &t1);
	fill_tmpl(pool, &t2);
	t2.nexthop.bytes[10] = 0x55;
	a = attrs_intern(pool, &t1);
	b = attrs_intern(pool, &t2);
	assert_ptr_equal(a, b);
	attrs_unref(pool, a);
	attrs_unref(pool, b);
	drop_tmpl(pool, &t1);
	drop_tmpl(pool, &t2);
}

/* No AS path in the template: the interned set points at the interned empty path. */
static void test_empty_aspath_interned(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs t;
	struct attrs *a, *b;
	struct aspath *empty = aspath_intern(pool, NULL, 0);
	struct attr_pool_stats st;
	char text[8];

	assert_non_null(empty);
	assert_int_equal(empty->len, 0);
	assert_int_equal(empty->path_len, 0);
	assert_int_equal(empty->neighbor_as, 0);
	assert_int_equal(empty->origin_as, 0);
	assert_int_equal(aspath_fmt(empty, text, sizeof(text)), 0);
	assert_string_equal(text, "");
	attrs_init(&t);
	a = attrs_intern(pool, &t);
	assert_ptr_equal(a->aspath, empty);
	t.aspath = empty; /* explicit empty path: the same set */
	b = attrs_intern(pool, &t);
	assert_ptr_equal(a, b);
	aspath_unref(pool, empty);
	stats(pool, &st);
	assert_int_equal(st.aspaths, 1);
	attrs_unref(pool, a);
	attrs_unref(pool, b);
}

static void test_blob_and_lcomm_refcounts(void **state)
{
	struct attr_pool *pool = *state;
	static const uint8_t tlv[] = { 0xe0, 0x63, 0x02, 0x01, 0x02 };
	struct attr_blob *x = attr_blob_intern(pool, tlv, sizeof(tlv));
	struct attr_blob *y = attr_blob_intern(pool, tlv, sizeof(tlv));
	struct attr_blob *z = attr_blob_intern(pool, tlv, sizeof(tlv) - 1);
	struct attr_pool_stats st;

	assert_ptr_equal(x, y);
	assert_ptr_not_equal(x, z);
	assert_int_equal(x->refcnt, 2);
	assert_memory_equal(x->data, tlv, sizeof(tlv));
	stats(pool, &st);
	assert_int_equal(st.blobs, 2);
	assert_int_equal(st.blob_bytes,
			 2 * sizeof(struct attr_blob) + sizeof(tlv) + sizeof(tlv) - 1);
	attr_blob_unref(pool, x);
	attr_blob_unref(pool, y);
	attr_blob_unref(pool, z);
	/* unref(NULL) is allowed: NULL means "none" for optional sub-objects */
	attr_blob_unref(pool, NULL);
	community_list_unref(pool, NULL);
	lcommunity_list_unref(pool, NULL);
	attrs_unref(pool, NULL);
	aspath_unref(pool, NULL);
}

/* ---- AS paths ---- */

struct fmt_case {
	uint32_t spec[24];
	const char *text;
	uint16_t path_len;
	uint32_t neighbor_as, origin_as;
};

static void test_aspath_fmt_and_len(void **state)
{
	static const struct fmt_case cases[] = {
		{ { ASPATH_SEQUENCE, 3, 65515, 12076, 65150, 0 },
		  "65515 12076 65150",
		  3,
		  65515,
		  65150 },
		{ { ASPATH_SEQUENCE, 1, 4200000000u, 0 },
		  "4200000000",
		  1,
		  4200000000u,
		  4200000000u },
		/* a SET counts 1 (RFC 4271 §9.1.2.2 a) */
		{ { ASPATH_SEQUENCE, 2, 1, 2, ASPATH_SET, 3, 3, 4, 5, 0 }, "1 2 {3,4,5}", 3, 1, 5 },
		/* confederation segments count 0 (RFC 5065 §5.3) */
		{ { ASPATH_CONFED_SEQUENCE, 2, 64512, 64513, ASPATH_SEQUENCE, 1, 65001, 0 },
		  "(64512 64513) 65001",
		  1,
		  0,
		  65001 },
		{ { ASPATH_CONFED_SET, 2, 64512, 64513, ASPATH_SEQUENCE, 2, 65001, 65002, 0 },
		  "[64512,64513] 65001 65002",
		  2,
		  0,
		  65002 },
		{ { ASPATH_SET, 1, 7, 0 }, "{7}", 1, 0, 7 },
		/* two sequences in a row (e.g. after a 255-AS segment) print as one list */
		{ { ASPATH_SEQUENCE, 1, 1, ASPATH_SEQUENCE, 1, 2, 0 }, "1 2", 2, 1, 2 },
	};
	struct attr_pool *pool = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct aspath *p = path_of(pool, cases[i].spec);
		char text[128];

		assert_non_null(p);
		assert_int_equal(aspath_fmt(p, text, sizeof(text)), strlen(cases[i].text));
		assert_string_equal(text, cases[i].text);
		assert_int_equal(p->path_len, cases[i].path_len);
		assert_int_equal(p->neighbor_as, cases[i].neighbor_as);
		assert_int_equal(p->origin_as, cases[i].origin_as);
		aspath_unref(pool, p);
	}
}

static void test_aspath_fmt_truncates(void **state)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 3, 65515, 12076, 65150, 0 };
	struct attr_pool *pool = *state;
	struct aspath *p = path_of(pool, spec);
	char text[8];

	memset(text, 'x', sizeof(text));
	/* snprintf semantics: the full length is returned, the output is cut and terminated */
	assert_int_equal(aspath_fmt(p, text, sizeof(text)), 17);
	assert_string_equal(text, "65515 1");
	assert_int_equal(aspath_fmt(p, text, 0), 17);
	aspath_unref(pool, p);
}

static void test_aspath_malformed(void **state)
{
	static const uint8_t bad_type0[] = { 0, 1, 0, 0, 0, 1 };
	static const uint8_t bad_type5[] = { 5, 1, 0, 0, 0, 1 };
	static const uint8_t zero_count[] = { 2, 0 };
	static const uint8_t overrun[] = { 2, 2, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t lone_byte[] = { 2, 1, 0, 0, 0, 1, 2 };
	static const struct {
		const uint8_t *d;
		size_t len;
	} cases[] = {
		{ bad_type0, sizeof(bad_type0) },   { bad_type5, sizeof(bad_type5) },
		{ zero_count, sizeof(zero_count) }, { overrun, sizeof(overrun) },
		{ lone_byte, sizeof(lone_byte) },
	};
	struct attr_pool *pool = *state;
	struct attr_pool_stats st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_null(aspath_intern(pool, cases[i].d, cases[i].len));
	stats(pool, &st);
	assert_int_equal(st.aspaths, 0);
}

static void test_aspath_contains(void **state)
{
	static const uint32_t spec[] = { ASPATH_CONFED_SEQUENCE,
					 1,
					 64512,
					 ASPATH_SEQUENCE,
					 2,
					 65001,
					 65002,
					 ASPATH_SET,
					 2,
					 7,
					 8,
					 0 };
	struct attr_pool *pool = *state;
	struct aspath *p = path_of(pool, spec);

	assert_true(aspath_contains(p, 64512));
	assert_true(aspath_contains(p, 65002));
	assert_true(aspath_contains(p, 8));
	assert_false(aspath_contains(p, 65003));
	aspath_unref(pool, p);
}

/* ---- communities ---- */

/* eBGP export: our AS goes in front, joining a leading sequence where it fits (RFC 4271 §5.1.2). */
static void test_aspath_prepend(void **state)
{
	static const struct {
		uint32_t spec[8];
		unsigned count;
		const char *text;
		uint16_t path_len;
		uint8_t first_seg_count;
	} cases[] = {
		{ { 0 }, 1, "65001", 1, 1 },
		{ { ASPATH_SEQUENCE, 2, 65515, 12076, 0 }, 1, "65001 65515 12076", 3, 3 },
		{ { ASPATH_SEQUENCE, 1, 65515, 0 }, 2, "65001 65001 65515", 3, 3 },
		/* a leading SET gets a new sequence in front */
		{ { ASPATH_SET, 2, 1, 2, 0 }, 1, "65001 {1,2}", 2, 1 },
	};
	struct attr_pool *pool = *state;
	struct attr_pool_stats st;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct aspath *p = path_of(pool, cases[i].spec);
		struct aspath *q = aspath_prepend(pool, p, 65001, cases[i].count);
		char text[128];

		assert_non_null(q);
		aspath_fmt(q, text, sizeof(text));
		assert_string_equal(text, cases[i].text);
		assert_int_equal(q->path_len, cases[i].path_len);
		assert_int_equal(q->neighbor_as, 65001);
		assert_int_equal(q->data[1], cases[i].first_seg_count);
		aspath_unref(pool, q);
		aspath_unref(pool, p);
	}
	stats(pool, &st);
	assert_int_equal(st.aspaths, 0);
}

/* A full 255-AS sequence cannot take one more: a new segment goes in front. */
static void test_aspath_prepend_full_segment(void **state)
{
	struct attr_pool *pool = *state;
	uint8_t data[2 + 255 * 4];
	struct aspath *p, *q;

	data[0] = ASPATH_SEQUENCE;
	data[1] = 255;
	for (unsigned i = 0; i < 255; i++) {
		data[2 + i * 4] = 0;
		data[3 + i * 4] = 0;
		data[4 + i * 4] = 0xfd;
		data[5 + i * 4] = (uint8_t)i;
	}
	p = aspath_intern(pool, data, sizeof(data));
	q = aspath_prepend(pool, p, 65001, 1);
	assert_non_null(q);
	assert_int_equal(q->len, sizeof(data) + 6);
	assert_int_equal(q->data[0], ASPATH_SEQUENCE);
	assert_int_equal(q->data[1], 1);
	assert_int_equal(q->path_len, 256);
	assert_null(aspath_prepend(pool, p, 65001, 0));
	aspath_unref(pool, q);
	aspath_unref(pool, p);
}

static void test_communities_sorted_dedup(void **state)
{
	static const uint32_t messy[] = { COMMUNITY_NO_EXPORT, 3, 1, 3, 2, COMMUNITY_NO_EXPORT, 1 };
	static const uint32_t clean[] = { 1, 2, 3, COMMUNITY_NO_EXPORT };
	struct attr_pool *pool = *state;
	struct community_list *a = community_list_intern(pool, messy, ARRAY_SIZE(messy));
	struct community_list *b = community_list_intern(pool, clean, ARRAY_SIZE(clean));
	struct attr_pool_stats st;

	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(a->n, 4);
	assert_memory_equal(a->v, clean, sizeof(clean));
	assert_true(community_list_has(a, COMMUNITY_NO_EXPORT));
	assert_true(community_list_has(a, 1));
	assert_false(community_list_has(a, 4));
	assert_false(community_list_has(NULL, 1));
	stats(pool, &st);
	assert_int_equal(st.communities, 1);
	assert_int_equal(st.community_bytes, sizeof(struct community_list) + sizeof(clean));
	community_list_unref(pool, a);
	community_list_unref(pool, b);
}

static void test_lcommunities_sorted_dedup(void **state)
{
	static const struct lcommunity messy[] = {
		{ 65001, 2, 1 }, { 65000, 9, 9 }, { 65001, 1, 7 }, { 65001, 2, 1 }, { 65001, 1, 3 },
	};
	static const struct lcommunity clean[] = {
		{ 65000, 9, 9 },
		{ 65001, 1, 3 },
		{ 65001, 1, 7 },
		{ 65001, 2, 1 },
	};
	struct attr_pool *pool = *state;
	struct lcommunity_list *a = lcommunity_list_intern(pool, messy, ARRAY_SIZE(messy));
	struct lcommunity_list *b = lcommunity_list_intern(pool, clean, ARRAY_SIZE(clean));

	assert_ptr_equal(a, b);
	assert_int_equal(a->n, 4);
	assert_memory_equal(a->v, clean, sizeof(clean));
	assert_ptr_equal(lcommunity_list_ref(a), a);
	assert_int_equal(a->refcnt, 3);
	lcommunity_list_unref(pool, a);
	lcommunity_list_unref(pool, a);
	lcommunity_list_unref(pool, b);
}

/* A large unsorted list goes through the pool's scratch buffer. */
static void test_communities_large(void **state)
{
	struct attr_pool *pool = *state;
	uint32_t *v = malloc(5000 * sizeof(*v));
	struct community_list *c;
	uint32_t i;

	for (i = 0; i < 5000; i++)
		v[i] = (4999 - i) / 2; /* descending, each value twice */
	c = community_list_intern(pool, v, 5000);
	assert_non_null(c);
	assert_int_equal(c->n, 2500);
	for (i = 0; i < 2500; i++)
		assert_int_equal(c->v[i], i);
	community_list_unref(pool, c);
	free(v);
}

/* ---- growth ---- */

#define MANY 20000

static void test_growth(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs **sets = calloc(MANY, sizeof(*sets));
	struct attr_pool_stats st;
	uint32_t i;

	for (i = 0; i < MANY; i++) {
		uint32_t spec[] = { ASPATH_SEQUENCE, 2, 65001, 100000 + i, 0 };
		uint32_t comm = i % 100;
		struct attrs t;

		attrs_init(&t);
		t.med = i % 7;
		t.aspath = path_of(pool, spec);
		t.communities = community_list_intern(pool, &comm, 1);
		sets[i] = attrs_intern(pool, &t);
		assert_non_null(sets[i]);
		drop_tmpl(pool, &t);
	}
	stats(pool, &st);
	assert_int_equal(st.attrs, MANY);
	assert_int_equal(st.aspaths, MANY);
	assert_int_equal(st.communities, 100);
	/* every set can be found again, by contents */
	for (i = 0; i < MANY; i++) {
		uint32_t spec[] = { ASPATH_SEQUENCE, 2, 65001, 100000 + i, 0 };
		uint32_t comm = i % 100;
		struct attrs t;
		struct attrs *again;

		attrs_init(&t);
		t.med = i % 7;
		t.aspath = path_of(pool, spec);
		t.communities = community_list_intern(pool, &comm, 1);
		again = attrs_intern(pool, &t);
		assert_ptr_equal(again, sets[i]);
		assert_int_equal(again->refcnt, 2);
		attrs_unref(pool, again);
		drop_tmpl(pool, &t);
	}
	stats(pool, &st);
	assert_int_equal(st.attrs, MANY);
	/* free in an order unrelated to insertion */
	for (i = 0; i < MANY; i++)
		attrs_unref(pool, sets[(i * 7919u) % MANY]);
	free(sets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identical_sets_share, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_any_difference_separates, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_ipv4_nexthop_tail_ignored, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_empty_aspath_interned, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_blob_and_lcomm_refcounts, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_fmt_and_len, setup_pool, teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_fmt_truncates, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_malformed, setup_pool, teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_contains, setup_pool, teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_prepend, setup_pool, teardown_pool),
		cmocka_unit_test_setup_teardown(test_aspath_prepend_full_segment, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_communities_sorted_dedup, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_lcommunities_sorted_dedup, setup_pool,
						teardown_pool),
		cmocka_unit_test_setup_teardown(test_communities_large, setup_pool, teardown_pool),
		cmocka_unit_test_setup_teardown(test_growth, setup_pool, teardown_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
