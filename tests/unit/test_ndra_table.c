/*
 * Unit tests of ndra's peer table (ndra/peer_table.c): insert, refresh,
 * MAC change, lifetime 0, expiry, link-down flush, several routers on one
 * segment and the per-interface cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "ndra/peer_table.h"

static const uint8_t lla1[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t lla2[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 };
static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct fixture {
	struct peer_table t;
};

static int setup(void **state)
{
	static struct fixture f;

	pt_init(&f.t, 4);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pt_free(&f->t);
	return 0;
}

static struct peer_table *table(void **state)
{
	return &((struct fixture *)*state)->t;
}

static void test_new_then_refresh(void **state)
{
	struct peer_table *t = table(state);
	struct pt_entry e;
	double when = 0;

	assert_int_equal(pt_update(t, 3, lla1, mac1, 30, 100.0, &e, NULL), PT_NEW);
	assert_int_equal(e.ifindex, 3);
	assert_memory_equal(e.lla, lla1, 16);
	assert_memory_equal(e.mac, mac1, 6);
	assert_int_equal(e.lifetime, 30);
	assert_true(e.expires == 130.0);

	/* A refresh moves the expiry and takes the new lifetime. */
	assert_int_equal(pt_update(t, 3, lla1, mac1, 9, 110.0, &e, NULL), PT_REFRESHED);
	assert_true(e.expires == 119.0);
	assert_int_equal(e.lifetime, 9);
	assert_int_equal(t->n, 1);
	assert_true(pt_next_expiry(t, &when));
	assert_true(when == 119.0);
}

static void test_mac_change(void **state)
{
	struct peer_table *t = table(state);
	uint8_t old[6] = { 0 };
	struct pt_entry e;

	pt_update(t, 3, lla1, mac1, 30, 100.0, NULL, NULL);
	assert_int_equal(pt_update(t, 3, lla1, mac2, 30, 101.0, &e, old), PT_MAC_CHANGED);
	assert_memory_equal(e.mac, mac2, 6);
	assert_memory_equal(old, mac1, 6);
	assert_true(e.expires == 131.0);
	assert_memory_equal(pt_find(t, 3, lla1)->mac, mac2, 6);
	/* The same MAC again is a plain refresh. */
	assert_int_equal(pt_update(t, 3, lla1, mac2, 30, 102.0, NULL, NULL), PT_REFRESHED);
}

static void test_lifetime_zero(void **state)
{
	struct peer_table *t = table(state);
	struct pt_entry e;

	/* Unknown router with lifetime 0: never added. */
	assert_int_equal(pt_update(t, 3, lla1, mac1, 0, 100.0, NULL, NULL), PT_IGNORED);
	assert_int_equal(t->n, 0);

	pt_update(t, 3, lla1, mac1, 30, 100.0, NULL, NULL);
	memset(&e, 0, sizeof(e));
	assert_int_equal(pt_update(t, 3, lla1, mac1, 0, 101.0, &e, NULL), PT_REMOVED);
	assert_memory_equal(e.lla, lla1, 16);
	assert_int_equal(e.lifetime, 30); /* as it was */
	assert_int_equal(t->n, 0);
	assert_null(pt_find(t, 3, lla1));
}

static void test_expiry(void **state)
{
	struct peer_table *t = table(state);
	struct pt_entry e;
	double when;

	assert_false(pt_next_expiry(t, &when));
	pt_update(t, 3, lla1, mac1, 3, 100.0, NULL, NULL); /* expires 103 */
	pt_update(t, 4, lla2, mac2, 9, 100.0, NULL, NULL); /* expires 109 */
	assert_true(pt_next_expiry(t, &when));
	assert_true(when == 103.0);

	assert_false(pt_pop_expired(t, 102.999, &e));
	assert_true(pt_pop_expired(t, 103.0, &e)); /* due exactly at expiry */
	assert_memory_equal(e.lla, lla1, 16);
	assert_false(pt_pop_expired(t, 103.0, &e));
	assert_true(pt_next_expiry(t, &when));
	assert_true(when == 109.0);

	/* A refresh in time keeps the entry. */
	pt_update(t, 4, lla2, mac2, 9, 108.0, NULL, NULL);
	assert_false(pt_pop_expired(t, 110.0, &e));
	assert_true(pt_pop_expired(t, 117.0, &e));
	assert_int_equal(t->n, 0);
}

/* Several routers on one segment each get an entry (unlike FRR, issue #8668). */
static void test_shared_segment(void **state)
{
	struct peer_table *t = table(state);

	assert_int_equal(pt_update(t, 3, lla1, mac1, 30, 100.0, NULL, NULL), PT_NEW);
	assert_int_equal(pt_update(t, 3, lla2, mac2, 30, 100.0, NULL, NULL), PT_NEW);
	/* The same LLA on another interface is another peer. */
	assert_int_equal(pt_update(t, 5, lla1, mac1, 30, 100.0, NULL, NULL), PT_NEW);
	assert_int_equal(pt_count_if(t, 3), 2);
	assert_int_equal(pt_count_if(t, 5), 1);
	assert_int_equal(t->n, 3);
}

static void test_flush_interface(void **state)
{
	struct peer_table *t = table(state);
	struct pt_entry e;
	int n = 0;

	pt_update(t, 3, lla1, mac1, 30, 100.0, NULL, NULL);
	pt_update(t, 5, lla1, mac1, 30, 100.0, NULL, NULL);
	pt_update(t, 3, lla2, mac2, 30, 100.0, NULL, NULL);
	while (pt_pop_if(t, 3, &e)) {
		assert_int_equal(e.ifindex, 3);
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(t->n, 1);
	assert_non_null(pt_find(t, 5, lla1));
}

static void test_cap_per_interface(void **state)
{
	struct peer_table *t = table(state); /* max 4 per interface */
	uint8_t lla[16];
	int i;

	memcpy(lla, lla1, 16);
	for (i = 0; i < 4; i++) {
		lla[15] = (uint8_t)(0x10 + i);
		assert_int_equal(pt_update(t, 3, lla, mac1, 30, 100.0, NULL, NULL), PT_NEW);
	}
	lla[15] = 0x20;
	assert_int_equal(pt_update(t, 3, lla, mac1, 30, 100.0, NULL, NULL), PT_FULL);
	/* Known routers still refresh, and other interfaces are not affected. */
	lla[15] = 0x10;
	assert_int_equal(pt_update(t, 3, lla, mac1, 30, 101.0, NULL, NULL), PT_REFRESHED);
	assert_int_equal(pt_update(t, 4, lla, mac1, 30, 101.0, NULL, NULL), PT_NEW);
}

/* The array grows past its first allocation without losing entries. */
static void test_growth(void **state)
{
	struct peer_table t;
	uint8_t lla[16];
	unsigned int i;

	pt_init(&t, 0);
	memcpy(lla, lla1, 16);
	for (i = 0; i < 100; i++) {
		lla[15] = (uint8_t)i;
		assert_int_equal(pt_update(&t, 1 + i % 7, lla, mac1, 30, 0.0, NULL, NULL), PT_NEW);
	}
	for (i = 0; i < 100; i++) {
		lla[15] = (uint8_t)i;
		assert_non_null(pt_find(&t, 1 + i % 7, lla));
	}
	pt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_then_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifetime_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_interface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_per_interface, setup, teardown),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
