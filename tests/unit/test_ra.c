/*
 * Unit tests of the RA/RS codec (ndra/ra.c): golden bytes derived by hand
 * from RFC 4861 §4.1, §4.2 and §4.6, decoding them back, and every
 * malformed case with the exact drop reason expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "ndra/ra.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t mac1[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* fe80::1, a link-local source */
static const uint8_t src_ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
/* 2001:db8::1, a global (documentation) source */
static const uint8_t src_gua[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};
/* ::, the unspecified address */
static const uint8_t src_unspec[16];
/* ff02::1, all-nodes multicast */
static const uint8_t src_mcast[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
/* febf::1, the top of fe80::/10 */
static const uint8_t src_ll_top[16] = { 0xfe, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
/* ff80::1, multicast whose second byte looks link-local */
static const uint8_t src_ff80[16] = { 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
/* fec0::1, just past fe80::/10 (deprecated site-local) */
static const uint8_t src_sitelocal[16] = {
	0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};

/*
 * RA, router lifetime 1800 s, cur hop limit 64, SLLA 02:00:00:00:00:01,
 * MTU 1500, no prefixes (RFC 4861 §4.2, §4.6.1, §4.6.4).
 */
static const uint8_t golden_ra_1800[] = {
	0x86, 0x00, 0x00, 0x00, /* type 134 (RA), code 0, checksum 0 (kernel fills it) */
	0x40, 0x00, 0x07, 0x08, /* cur hop limit 64, flags M=0 O=0, router lifetime 1800 */
	0x00, 0x00, 0x00, 0x00, /* reachable time 0 (unspecified) */
	0x00, 0x00, 0x00, 0x00, /* retrans timer 0 (unspecified) */
	0x01, 0x01,		/* option SLLA (type 1), length 1 (8 bytes) */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* MAC 02:00:00:00:00:01 */
	0x05, 0x01, 0x00, 0x00,		    /* option MTU (type 5), length 1, reserved */
	0x00, 0x00, 0x05, 0xdc,		    /* MTU 1500 */
};

/* Same with router lifetime 0: "not a default router", still a valid peer RA. */
static const uint8_t golden_ra_0[] = {
	0x86, 0x00, 0x00, 0x00, /* type 134, code 0, checksum 0 */
	0x40, 0x00, 0x00, 0x00, /* cur hop limit 64, flags 0, router lifetime 0 */
	0x00, 0x00, 0x00, 0x00, /* reachable time */
	0x00, 0x00, 0x00, 0x00, /* retrans timer */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* SLLA 02:00:00:00:00:01 */
	0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, /* MTU 1500 */
};

/* RS with SLLA 02:00:00:00:00:01 (RFC 4861 §4.1). */
static const uint8_t golden_rs[] = {
	0x85, 0x00, 0x00, 0x00,				/* type 133 (RS), code 0, checksum 0 */
	0x00, 0x00, 0x00, 0x00,				/* reserved */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* SLLA 02:00:00:00:00:01 */
};

/*
 * RA, lifetime 1800, hop limit 64, SLLA, with one Prefix Information option
 * (RFC 4861 §4.6.2): 2001:db8:1::/64, L and A set, valid 30 days
 * (2592000 s), preferred 7 days (604800 s).
 */
static const uint8_t golden_ra_prefix[] = {
	0x86, 0x00, 0x00, 0x00, /* type 134, code 0, checksum 0 */
	0x40, 0x00, 0x07, 0x08, /* cur hop limit 64, flags 0, router lifetime 1800 */
	0x00, 0x00, 0x00, 0x00, /* reachable time */
	0x00, 0x00, 0x00, 0x00, /* retrans timer */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* SLLA 02:00:00:00:00:01 */
	0x03, 0x04, 0x40, 0xc0, /* option Prefix Info (type 3), length 4 (32 bytes), /64, L|A */
	0x00, 0x27, 0x8d, 0x00, /* valid lifetime 2592000 */
	0x00, 0x09, 0x3a, 0x80, /* preferred lifetime 604800 */
	0x00, 0x00, 0x00, 0x00, /* reserved2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, /* prefix 2001:db8:1:: */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t prefix_2001_db8_1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };

static struct ra_rx_meta meta_ok(void)
{
	struct ra_rx_meta m = { .hop_limit = 255 };

	memcpy(m.src, src_ll, 16);
	return m;
}

static struct ra_msg ra_1800(void)
{
	struct ra_msg m = {
		.cur_hop_limit = 64,
		.router_lifetime = 1800,
		.has_slla = true,
		.has_mtu = true,
		.mtu = 1500,
	};

	memcpy(m.slla, mac1, 6);
	return m;
}

static void assert_ra_equal(const struct ra_msg *a, const struct ra_msg *b)
{
	unsigned int i;

	assert_int_equal(a->cur_hop_limit, b->cur_hop_limit);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->router_lifetime, b->router_lifetime);
	assert_int_equal(a->reachable_time, b->reachable_time);
	assert_int_equal(a->retrans_timer, b->retrans_timer);
	assert_int_equal(a->has_slla, b->has_slla);
	if (a->has_slla)
		assert_memory_equal(a->slla, b->slla, 6);
	assert_int_equal(a->has_mtu, b->has_mtu);
	if (a->has_mtu)
		assert_int_equal(a->mtu, b->mtu);
	assert_int_equal(a->n_prefixes, b->n_prefixes);
	for (i = 0; i < a->n_prefixes; i++) {
		assert_memory_equal(a->prefixes[i].prefix, b->prefixes[i].prefix, 16);
		assert_int_equal(a->prefixes[i].len, b->prefixes[i].len);
		assert_int_equal(a->prefixes[i].flags, b->prefixes[i].flags);
		assert_int_equal(a->prefixes[i].valid, b->prefixes[i].valid);
		assert_int_equal(a->prefixes[i].preferred, b->prefixes[i].preferred);
	}
}

/* ---- golden encodes, decoded back ---- */

static void check_ra_golden(const struct ra_msg *m, const uint8_t *golden, size_t golden_len)
{
	struct ra_rx_meta meta = meta_ok();
	uint8_t buf[RA_MAX_LEN];
	struct ra_msg out;
	size_t n;

	n = ra_encode(buf, sizeof(buf), m);
	assert_int_equal(n, golden_len);
	assert_memory_equal(buf, golden, golden_len);

	assert_int_equal(ra_decode(golden, golden_len, &meta, &out), RA_OK);
	assert_ra_equal(&out, m);
	assert_int_equal(out.n_skipped, 0);
}

static void test_ra_golden_lifetime_1800(void **state)
{
	struct ra_msg m = ra_1800();

	(void)state;
	check_ra_golden(&m, golden_ra_1800, sizeof(golden_ra_1800));
}

static void test_ra_golden_lifetime_0(void **state)
{
	struct ra_msg m = ra_1800();

	(void)state;
	m.router_lifetime = 0;
	check_ra_golden(&m, golden_ra_0, sizeof(golden_ra_0));
}

static void test_ra_golden_prefix(void **state)
{
	struct ra_msg m = ra_1800();

	(void)state;
	m.has_mtu = false;
	m.mtu = 0;
	m.n_prefixes = 1;
	memcpy(m.prefixes[0].prefix, prefix_2001_db8_1, 16);
	m.prefixes[0].len = 64;
	m.prefixes[0].flags = RA_PREFIX_ONLINK | RA_PREFIX_AUTO;
	m.prefixes[0].valid = 2592000;
	m.prefixes[0].preferred = 604800;
	check_ra_golden(&m, golden_ra_prefix, sizeof(golden_ra_prefix));
}

static void test_rs_golden(void **state)
{
	struct ra_rx_meta meta = meta_ok();
	struct rs_msg m = { .has_slla = true }, out;
	uint8_t buf[RS_MAX_LEN];

	(void)state;
	memcpy(m.slla, mac1, 6);
	assert_int_equal(rs_encode(buf, sizeof(buf), &m), sizeof(golden_rs));
	assert_memory_equal(buf, golden_rs, sizeof(golden_rs));

	assert_int_equal(rs_decode(golden_rs, sizeof(golden_rs), &meta, &out), RA_OK);
	assert_true(out.has_slla);
	assert_memory_equal(out.slla, mac1, 6);
	assert_int_equal(out.n_skipped, 0);
}

static void test_rs_no_slla(void **state)
{
	struct ra_rx_meta meta = meta_ok();
	struct rs_msg m = { 0 }, out;
	uint8_t buf[RS_MAX_LEN];

	(void)state;
	assert_int_equal(rs_encode(buf, sizeof(buf), &m), RS_HDR_LEN);
	assert_memory_equal(buf, golden_rs, RS_HDR_LEN);
	/* from ::, without SLLA, is fine (RFC 4861 §6.1.1) */
	memcpy(meta.src, src_unspec, 16);
	assert_int_equal(rs_decode(buf, RS_HDR_LEN, &meta, &out), RA_OK);
	assert_false(out.has_slla);
}

/* Every bit of the RA header is carried: flags byte, timers. */
static void test_ra_header_fields(void **state)
{
	struct ra_rx_meta meta = meta_ok();
	struct ra_msg m = { 0 }, out;
	uint8_t buf[RA_MAX_LEN];
	size_t n;

	(void)state;
	m.cur_hop_limit = 255;
	m.flags = RA_FLAG_MANAGED | RA_FLAG_OTHER | RA_FLAG_PRF_MASK | RA_FLAG_PROXY;
	m.router_lifetime = 0xffff;
	m.reachable_time = 0x01020304;
	m.retrans_timer = 0xa0b0c0d0;
	n = ra_encode(buf, sizeof(buf), &m);
	assert_int_equal(n, RA_HDR_LEN);
	assert_int_equal(buf[5], 0xdc);
	assert_int_equal(buf[8], 0x01);
	assert_int_equal(buf[15], 0xd0);
	assert_int_equal(ra_decode(buf, n, &meta, &out), RA_OK);
	assert_ra_equal(&out, &m);
	assert_false(out.has_slla);
	assert_false(out.has_mtu);
}

static void test_ra_max_roundtrip(void **state)
{
	struct ra_rx_meta meta = meta_ok();
	struct ra_msg m = ra_1800(), out;
	uint8_t buf[RA_MAX_LEN];
	unsigned int i;

	(void)state;
	m.n_prefixes = RA_MAX_PREFIXES;
	for (i = 0; i < RA_MAX_PREFIXES; i++) {
		memcpy(m.prefixes[i].prefix, prefix_2001_db8_1, 16);
		m.prefixes[i].prefix[7] = i;
		m.prefixes[i].len = 64 + i;
		m.prefixes[i].flags = RA_PREFIX_ONLINK;
		m.prefixes[i].valid = RA_LIFETIME_INFINITE;
		m.prefixes[i].preferred = i;
	}
	m.prefixes[0].len = 0;
	m.prefixes[1].len = 128;
	assert_int_equal(ra_encode(buf, sizeof(buf), &m), RA_MAX_LEN);
	assert_int_equal(ra_decode(buf, RA_MAX_LEN, &meta, &out), RA_OK);
	assert_ra_equal(&out, &m);
}

static void test_encode_limits(void **state)
{
	struct ra_msg m = ra_1800();
	struct rs_msg rs = { .has_slla = true };
	uint8_t buf[RA_MAX_LEN];
	size_t cap;

	(void)state;
	/* every capacity below the need fails and writes nothing past cap */
	for (cap = 0; cap < sizeof(golden_ra_1800); cap++)
		assert_int_equal(ra_encode(buf, cap, &m), 0);
	assert_int_equal(ra_encode(buf, sizeof(golden_ra_1800), &m), sizeof(golden_ra_1800));
	for (cap = 0; cap < sizeof(golden_rs); cap++)
		assert_int_equal(rs_encode(buf, cap, &rs), 0);
	assert_int_equal(rs_encode(buf, sizeof(golden_rs), &rs), sizeof(golden_rs));

	m.n_prefixes = RA_MAX_PREFIXES + 1;
	assert_int_equal(ra_encode(buf, sizeof(buf), &m), 0);
	m.n_prefixes = 1;
	m.prefixes[0].len = 129;
	assert_int_equal(ra_encode(buf, sizeof(buf), &m), 0);
}

/* ---- malformed and edge packets, table-driven ---- */

enum which { RA, RS };

struct bad_case {
	const char *name;
	enum which which;
	int hop_limit;
	const uint8_t *src;
	size_t len;
	uint8_t pkt[64];
	enum ra_drop_reason want;
	uint16_t want_skipped; /* checked when want == RA_OK */
};

/* An RA header: type 134, code 0, cur hop limit 64, lifetime 1800. */
#define RA_HDR 0x86, 0x00, 0x00, 0x00, 0x40, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0
#define RS_HDR 0x85, 0x00, 0x00, 0x00, 0, 0, 0, 0
#define SLLA   0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define MTU    0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc

static const struct bad_case bad_cases[] = {
	{ "ra short (15 bytes)", RA, 255, src_ll, 15, { RA_HDR }, RA_DROP_SHORT, 0 },
	{ "ra empty", RA, 255, src_ll, 0, { 0 }, RA_DROP_SHORT, 0 },
	{ "ra option overrun (MTU says 16 bytes, 8 left)",
	  RA,
	  255,
	  src_ll,
	  32,
	  { RA_HDR, SLLA, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc },
	  RA_DROP_OPT_OVERRUN,
	  0 },
	{ "ra option overrun (one stray byte)",
	  RA,
	  255,
	  src_ll,
	  25,
	  { RA_HDR, SLLA, 0x05 },
	  RA_DROP_OPT_OVERRUN,
	  0 },
	{ "ra option overrun (truncated SLLA)",
	  RA,
	  255,
	  src_ll,
	  20,
	  { RA_HDR, SLLA },
	  RA_DROP_OPT_OVERRUN,
	  0 },
	{ "ra zero-length option",
	  RA,
	  255,
	  src_ll,
	  32,
	  { RA_HDR, SLLA, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc },
	  RA_DROP_OPT_ZERO_LEN,
	  0 },
	{ "ra zero-length unknown option",
	  RA,
	  255,
	  src_ll,
	  24,
	  { RA_HDR, 0xc8, 0x00, 0, 0, 0, 0, 0, 0 },
	  RA_DROP_OPT_ZERO_LEN,
	  0 },
	{ "ra hop limit 254", RA, 254, src_ll, 24, { RA_HDR, SLLA }, RA_DROP_HOPLIMIT, 0 },
	{ "ra hop limit missing", RA, -1, src_ll, 24, { RA_HDR, SLLA }, RA_DROP_HOPLIMIT, 0 },
	{ "ra from 2001:db8::1", RA, 255, src_gua, 24, { RA_HDR, SLLA }, RA_DROP_SOURCE, 0 },
	{ "ra from ::", RA, 255, src_unspec, 24, { RA_HDR, SLLA }, RA_DROP_SOURCE, 0 },
	{ "ra from fec0::1", RA, 255, src_sitelocal, 24, { RA_HDR, SLLA }, RA_DROP_SOURCE, 0 },
	{ "ra from ff80::1", RA, 255, src_ff80, 24, { RA_HDR, SLLA }, RA_DROP_SOURCE, 0 },
	{ "ra from febf::1", RA, 255, src_ll_top, 24, { RA_HDR, SLLA }, RA_OK, 0 },
	{ "ra icmp code 1",
	  RA,
	  255,
	  src_ll,
	  24,
	  { 0x86, 0x01, 0x00, 0x00, 0x40, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, SLLA },
	  RA_DROP_BAD_CODE,
	  0 },
	{ "ra decoder given an RS", RA, 255, src_ll, 16, { RS_HDR, SLLA }, RA_DROP_BAD_TYPE, 0 },
	{ "ra slla length 2",
	  RA,
	  255,
	  src_ll,
	  32,
	  { RA_HDR, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 },
	  RA_DROP_BAD_SLLA,
	  0 },
	{ "ra unknown option skipped",
	  RA,
	  255,
	  src_ll,
	  48,
	  { RA_HDR, 0xc8, 0x02, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, SLLA, MTU },
	  RA_OK,
	  1 },
	{ "ra second SLLA ignored",
	  RA,
	  255,
	  src_ll,
	  32,
	  { RA_HDR, SLLA, 0x01, 0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff },
	  RA_OK,
	  1 },
	{ "ra MTU option of length 2 skipped",
	  RA,
	  255,
	  src_ll,
	  40,
	  { RA_HDR, SLLA, 0x05, 0x02, 0, 0, 0, 0, 0x05, 0xdc, 0, 0, 0, 0, 0, 0, 0, 0 },
	  RA_OK,
	  1 },
	{ "ra prefix option of length 3 skipped",
	  RA,
	  255,
	  src_ll,
	  48,
	  { RA_HDR, SLLA, 0x03, 0x03, 0x40, 0xc0 },
	  RA_OK,
	  1 },
	{ "rs from :: with SLLA", RS, 255, src_unspec, 16, { RS_HDR, SLLA }, RA_DROP_BAD_SLLA, 0 },
	{ "rs from :: with SLLA after unknown option",
	  RS,
	  255,
	  src_unspec,
	  24,
	  { RS_HDR, 0xc8, 0x01, 0, 0, 0, 0, 0, 0, SLLA },
	  RA_DROP_BAD_SLLA,
	  0 },
	{ "rs from :: without SLLA", RS, 255, src_unspec, 8, { RS_HDR }, RA_OK, 0 },
	{ "rs from 2001:db8::1", RS, 255, src_gua, 16, { RS_HDR, SLLA }, RA_OK, 0 },
	{ "rs from ff02::1", RS, 255, src_mcast, 16, { RS_HDR, SLLA }, RA_DROP_SOURCE, 0 },
	{ "rs short (7 bytes)", RS, 255, src_ll, 7, { RS_HDR }, RA_DROP_SHORT, 0 },
	{ "rs hop limit 254", RS, 254, src_ll, 16, { RS_HDR, SLLA }, RA_DROP_HOPLIMIT, 0 },
	{ "rs icmp code 1",
	  RS,
	  255,
	  src_ll,
	  16,
	  { 0x85, 0x01, 0x00, 0x00, 0, 0, 0, 0, SLLA },
	  RA_DROP_BAD_CODE,
	  0 },
	{ "rs decoder given an RA", RS, 255, src_ll, 24, { RA_HDR, SLLA }, RA_DROP_BAD_TYPE, 0 },
	{ "rs slla length 2",
	  RS,
	  255,
	  src_ll,
	  24,
	  { RS_HDR, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 },
	  RA_DROP_BAD_SLLA,
	  0 },
	{ "rs zero-length option",
	  RS,
	  255,
	  src_ll,
	  16,
	  { RS_HDR, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
	  RA_DROP_OPT_ZERO_LEN,
	  0 },
	{ "rs option overrun", RS, 255, src_ll, 12, { RS_HDR, SLLA }, RA_DROP_OPT_OVERRUN, 0 },
	{ "rs unknown option skipped",
	  RS,
	  255,
	  src_ll,
	  24,
	  { RS_HDR, 0xc8, 0x01, 0, 0, 0, 0, 0, 0, SLLA },
	  RA_OK,
	  1 },
};

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_malformed_table(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ra_rx_meta meta = { .hop_limit = c->hop_limit };
		enum ra_drop_reason got;
		struct ra_msg ra;
		struct rs_msg rs;

		memcpy(meta.src, c->src, 16);
		/* poison the output so "zeroed on drop" is really checked */
		memset(&ra, 0xa5, sizeof(ra));
		memset(&rs, 0xa5, sizeof(rs));
		if (c->which == RA)
			got = ra_decode(c->pkt, c->len, &meta, &ra);
		else
			got = rs_decode(c->pkt, c->len, &meta, &rs);
		if (got != c->want)
			fail_msg("case \"%s\": got %s, want %s", c->name, ra_drop_reason_name(got),
				 ra_drop_reason_name(c->want));
		if (c->want != RA_OK) {
			if (c->which == RA)
				assert_true(all_zero(&ra, sizeof(ra)));
			else
				assert_true(all_zero(&rs, sizeof(rs)));
			continue;
		}
		if (c->which == RA) {
			assert_int_equal(ra.n_skipped, c->want_skipped);
			/* every RA_OK RA case carries SLLA 02:00:00:00:00:01 first */
			assert_true(ra.has_slla);
			assert_memory_equal(ra.slla, mac1, 6);
		} else {
			assert_int_equal(rs.n_skipped, c->want_skipped);
		}
	}
}

/* The unknown-option case also keeps the options after it. */
static void test_ra_unknown_then_known(void **state)
{
	static const uint8_t pkt[] = { RA_HDR, 0xc8, 0x01, 0, 0, 0, 0, 0, 0, SLLA, MTU };
	struct ra_rx_meta meta = meta_ok();
	struct ra_msg out;

	(void)state;
	assert_int_equal(ra_decode(pkt, sizeof(pkt), &meta, &out), RA_OK);
	assert_int_equal(out.n_skipped, 1);
	assert_true(out.has_slla);
	assert_memory_equal(out.slla, mac1, 6);
	assert_true(out.has_mtu);
	assert_int_equal(out.mtu, 1500);
}

/* Prefixes past RA_MAX_PREFIXES, or with length > 128, are skipped, not fatal. */
static void test_ra_prefix_skips(void **state)
{
	struct ra_rx_meta meta = meta_ok();
	uint8_t buf[RA_HDR_LEN + 10 * ND_OPT_PREFIX_INFO_LEN];
	struct ra_msg m = { 0 }, out;
	size_t n, off;
	unsigned int i;

	(void)state;
	m.n_prefixes = 1;
	m.prefixes[0].len = 64;
	n = ra_encode(buf, sizeof(buf), &m);
	assert_int_equal(n, RA_HDR_LEN + ND_OPT_PREFIX_INFO_LEN);
	/* append 9 more copies of the prefix option: 10 in all */
	for (i = 1; i < 10; i++)
		memcpy(buf + RA_HDR_LEN + i * ND_OPT_PREFIX_INFO_LEN, buf + RA_HDR_LEN,
		       ND_OPT_PREFIX_INFO_LEN);
	n = sizeof(buf);
	assert_int_equal(ra_decode(buf, n, &meta, &out), RA_OK);
	assert_int_equal(out.n_prefixes, RA_MAX_PREFIXES);
	assert_int_equal(out.n_skipped, 10 - RA_MAX_PREFIXES);

	/* the first now has length 129: skipped; the other 9 fill 8 slots */
	off = RA_HDR_LEN;
	buf[off + 2] = 129;
	assert_int_equal(ra_decode(buf, n, &meta, &out), RA_OK);
	assert_int_equal(out.n_prefixes, RA_MAX_PREFIXES);
	assert_int_equal(out.n_skipped, 2);

	/* on its own, the /129 leaves no prefix at all */
	n = RA_HDR_LEN + ND_OPT_PREFIX_INFO_LEN;
	assert_int_equal(ra_decode(buf, n, &meta, &out), RA_OK);
	assert_int_equal(out.n_prefixes, 0);
	assert_int_equal(out.n_skipped, 1);
}

/* ---- names and counters ---- */

static void test_reason_names(void **state)
{
	unsigned int i, j;

	(void)state;
	assert_string_equal(ra_drop_reason_name(RA_OK), "ok");
	assert_string_equal(ra_drop_reason_name(RA_DROP_HOPLIMIT), "hop-limit");
	assert_string_equal(ra_drop_reason_name(RA_DROP_SOURCE), "source");
	assert_string_equal(ra_drop_reason_name(RA_DROP_SHORT), "short");
	assert_string_equal(ra_drop_reason_name(RA_DROP_BAD_CODE), "bad-code");
	assert_string_equal(ra_drop_reason_name(RA_DROP_BAD_TYPE), "bad-type");
	assert_string_equal(ra_drop_reason_name(RA_DROP_OPT_ZERO_LEN), "opt-zero-len");
	assert_string_equal(ra_drop_reason_name(RA_DROP_OPT_OVERRUN), "opt-overrun");
	assert_string_equal(ra_drop_reason_name(RA_DROP_BAD_SLLA), "bad-slla");
	assert_string_equal(ra_drop_reason_name(RA_DROP__COUNT), "unknown");
	assert_string_equal(ra_drop_reason_name((enum ra_drop_reason) - 1), "unknown");

	/* every name is set, kebab-case, and unique */
	for (i = 0; i < RA_DROP__COUNT; i++) {
		const char *a = ra_drop_reason_name(i), *p;

		assert_non_null(a);
		assert_true(a[0] != '\0');
		for (p = a; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
		for (j = 0; j < i; j++)
			assert_string_not_equal(a, ra_drop_reason_name(j));
	}
}

static void test_drop_count(void **state)
{
	struct ra_drop_counters c = { { 0 } };
	unsigned int i;

	(void)state;
	ra_drop_count(&c, RA_OK);
	ra_drop_count(&c, RA_DROP_HOPLIMIT);
	ra_drop_count(&c, RA_DROP_HOPLIMIT);
	ra_drop_count(&c, RA_DROP_BAD_SLLA);
	ra_drop_count(&c, RA_DROP__COUNT);	      /* ignored */
	ra_drop_count(&c, (enum ra_drop_reason) - 1); /* ignored */
	assert_int_equal(c.by_reason[RA_OK], 1);
	assert_int_equal(c.by_reason[RA_DROP_HOPLIMIT], 2);
	assert_int_equal(c.by_reason[RA_DROP_BAD_SLLA], 1);
	for (i = 0; i < RA_DROP__COUNT; i++)
		if (i != RA_OK && i != RA_DROP_HOPLIMIT && i != RA_DROP_BAD_SLLA)
			assert_int_equal(c.by_reason[i], 0);

	/* counting what the decoder says, as the runtime will */
	{
		struct ra_rx_meta meta = meta_ok();
		struct ra_msg out;

		memset(&c, 0, sizeof(c));
		ra_drop_count(&c, ra_decode(golden_ra_1800, sizeof(golden_ra_1800), &meta, &out));
		ra_drop_count(&c, ra_decode(golden_ra_1800, 15, &meta, &out));
		meta.hop_limit = 254;
		ra_drop_count(&c, ra_decode(golden_ra_1800, sizeof(golden_ra_1800), &meta, &out));
		assert_int_equal(c.by_reason[RA_OK], 1);
		assert_int_equal(c.by_reason[RA_DROP_SHORT], 1);
		assert_int_equal(c.by_reason[RA_DROP_HOPLIMIT], 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ra_golden_lifetime_1800),
		cmocka_unit_test(test_ra_golden_lifetime_0),
		cmocka_unit_test(test_ra_golden_prefix),
		cmocka_unit_test(test_rs_golden),
		cmocka_unit_test(test_rs_no_slla),
		cmocka_unit_test(test_ra_header_fields),
		cmocka_unit_test(test_ra_max_roundtrip),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_ra_unknown_then_known),
		cmocka_unit_test(test_ra_prefix_skips),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_drop_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
