/*
 * Unit tests for the UPDATE codec (routerd/bgp/update.c).
 *
 * Golden messages are written out byte by byte from the RFC layouts
 * (RFC 4271 §4.3, RFC 4760 §3-4, RFC 2545, RFC 8950, RFC 6793, RFC 1997,
 * RFC 8092, RFC 4724) and checked against both the encoder and the decoder.
 * Every RFC 7606 case has its own row with the exact action, reason and
 * NOTIFICATION. Decoder input is copied into a heap buffer of exactly its
 * length, so an over-read shows up under valgrind or ASan. attr.c is linked
 * only to build interned attributes for the encoder.
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
#include <cmocka.h>

#include "routerd/bgp/update.h"
#include "routerd/rib/attr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 16 octets of all ones (RFC 4271 §4.1) */
#define MARKER                                                                                     \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  \
		0xff

/* 2001:db8::1, fe80::1 */
#define V6_GUA 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define V6_LL  0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define V6_ANY 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* ---- contexts ---- */

static const struct update_ctx ctx_ebgp4 = {
	.as4 = true,
	.afs = BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST,
	.ext_nexthop = BGP_AF_IPV4_UNICAST,
};
static const struct update_ctx ctx_ibgp4 = {
	.as4 = true,
	.ibgp = true,
	.afs = BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST,
	.ext_nexthop = BGP_AF_IPV4_UNICAST,
};
static const struct update_ctx ctx_ebgp2 = {
	.as4 = false,
	.afs = BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST,
};
static const struct update_ctx ctx_v4only = {
	.as4 = true,
	.afs = BGP_AF_IPV4_UNICAST,
};

static const struct update_enc_ctx enc_ibgp4 = { .as4 = true, .ibgp = true };
static const struct update_enc_ctx enc_ebgp4 = { .as4 = true, .ext_nexthop = true };
static const struct update_enc_ctx enc_ebgp2 = { .as4 = false };

/* ---- helpers ---- */

static struct update_scratch *scratch;
static uint8_t *held; /* the exact-size copy the last decode's views point into */

static int setup(void **state)
{
	scratch = malloc(sizeof(*scratch));
	*state = attr_pool_new();
	return scratch && *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct attr_pool_stats st;

	free(held);
	held = NULL;
	free(scratch);
	attr_pool_stats(*state, &st);
	assert_int_equal(st.attrs + st.aspaths + st.communities + st.lcommunities + st.blobs, 0);
	attr_pool_free(*state);
	return 0;
}

static enum update_action decode(const uint8_t *msg, size_t len, const struct update_ctx *ctx,
				 struct update_msg *u, struct bgp_notify *err)
{
	free(held);
	held = malloc(len);
	memcpy(held, msg, len);
	return update_decode(held, len, ctx, scratch, u, err);
}

/* An UPDATE from its three variable parts (RFC 4271 §4.3). */
static size_t build(uint8_t *buf, const uint8_t *wd, size_t wdlen, const uint8_t *at, size_t atlen,
		    const uint8_t *nl, size_t nllen)
{
	size_t len = BGP_UPDATE_MIN_LEN + wdlen + atlen + nllen;

	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)(len >> 8);
	buf[17] = (uint8_t)len;
	buf[18] = BGP_MSG_UPDATE;
	buf[19] = (uint8_t)(wdlen >> 8);
	buf[20] = (uint8_t)wdlen;
	if (wdlen)
		memcpy(buf + 21, wd, wdlen);
	buf[21 + wdlen] = (uint8_t)(atlen >> 8);
	buf[22 + wdlen] = (uint8_t)atlen;
	if (atlen)
		memcpy(buf + 23 + wdlen, at, atlen);
	if (nllen)
		memcpy(buf + 23 + wdlen + atlen, nl, nllen);
	return len;
}

static size_t collect(const struct update_nlri *block, struct prefix *out, size_t max)
{
	struct update_nlri_iter it;
	size_t n = 0;

	update_nlri_iter_init(&it, block);
	while (n < max && update_nlri_next(&it, &out[n]))
		n++;
	return n;
}

/* Local address helpers: the test links only the codec and attr.c. */
static struct ipaddr addr(const char *s)
{
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, s, a.bytes), 1);
	return a;
}

static void pfx(struct prefix *p, const char *s)
{
	char text[64];
	char *slash;
	struct ipaddr a;

	snprintf(text, sizeof(text), "%s", s);
	slash = strchr(text, '/');
	assert_non_null(slash);
	*slash = '\0';
	a = addr(text);
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	p->len = (uint8_t)atoi(slash + 1);
	memcpy(p->bytes, a.bytes, 16);
}

static void assert_addr(const struct ipaddr *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(a->family, a->bytes, buf, sizeof(buf)));
	assert_string_equal(buf, s);
}

static void assert_pfx(const struct prefix *p, const char *s)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	assert_non_null(inet_ntop(p->family, p->bytes, buf, sizeof(buf)));
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%u", p->len);
	assert_string_equal(buf, s);
}

static void assert_path(struct attr_pool *pool, const struct update_msg *u, const char *text)
{
	struct aspath *p = aspath_intern(pool, u->attrs.aspath, u->attrs.aspath_len);
	char buf[256];

	assert_non_null(p);
	aspath_fmt(p, buf, sizeof(buf));
	assert_string_equal(buf, text);
	aspath_unref(pool, p);
}

/* Interned attributes from a decoded UPDATE, as the RIB will build them. */
static struct attrs *intern_decoded(struct attr_pool *pool, const struct update_msg *u, bool mp)
{
	const struct update_attrs *d = &u->attrs;
	struct attrs t;
	struct attrs *a;

	update_fill_template(u, mp, &t);
	t.aspath = aspath_intern(pool, d->aspath, d->aspath_len);
	if (d->ncommunities)
		t.communities = community_list_intern(pool, d->communities, d->ncommunities);
	if (d->nlcommunities)
		t.lcommunities = lcommunity_list_intern(pool, d->lcommunities, d->nlcommunities);
	if (d->unknown_len)
		t.unknown = attr_blob_intern(pool, d->unknown, d->unknown_len);
	a = attrs_intern(pool, &t);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	lcommunity_list_unref(pool, t.lcommunities);
	attr_blob_unref(pool, t.unknown);
	assert_non_null(a);
	return a;
}

/* 4-octet segments {type, count, ASes...}, terminated by type 0 */
static struct aspath *path_of(struct attr_pool *pool, const uint32_t *spec)
{
	uint8_t buf[256];
	size_t len = 0;

	while (spec[0]) {
		uint32_t i, count = spec[1];

		buf[len++] = (uint8_t)spec[0];
		buf[len++] = (uint8_t)count;
		for (i = 0; i < count; i++) {
			uint32_t as = htonl(spec[2 + i]);

			memcpy(buf + len, &as, 4);
			len += 4;
		}
		spec += 2 + count;
	}
	return aspath_intern(pool, buf, len);
}

static void drop_tmpl(struct attr_pool *pool, struct attrs *t)
{
	aspath_unref(pool, t->aspath);
	community_list_unref(pool, t->communities);
	lcommunity_list_unref(pool, t->lcommunities);
	attr_blob_unref(pool, t->unknown);
}

/* Encodes pfx with a, checks every prefix went in one message equal to golden. */
static void assert_encodes_to(const struct attrs *a, uint8_t family, const struct update_enc_ctx *c,
			      const struct prefix *p, size_t n, const uint8_t *golden,
			      size_t golden_len)
{
	uint8_t buf[BGP_MAX_MSG_LEN];
	size_t used = 0;
	size_t len = update_encode(buf, sizeof(buf), a, family, c, p, n, &used);

	assert_int_equal(used, n);
	assert_int_equal(len, golden_len);
	assert_memory_equal(buf, golden, golden_len);
}

/* ---- golden: every attribute, IPv4 NLRI field ---- */

/*
 * iBGP, 4-octet AS: ORIGIN IGP, AS_PATH 65001 65002, NEXT_HOP 192.0.2.1,
 * MED 100, LOCAL_PREF 200, ATOMIC_AGGREGATE, AGGREGATOR 65001 10.0.0.1,
 * COMMUNITIES 65001:1 no-export, LARGE_COMMUNITIES 65001:1:2, one unknown
 * optional transitive attribute (type 99, passed on with Partial), NLRI
 * 10.0.0.0/8 and 192.168.1.0/24.
 */
static const uint8_t golden_ipv4_all[] = {
	MARKER, 0x00, 0x70,			    /* length 112 = 23 + 83 + 6 */
	0x02,					    /* type UPDATE */
	0x00,	0x00,				    /* withdrawn routes length 0 */
	0x00,	0x53,				    /* total path attribute length 83 */
	0x40,	0x01, 0x01, 0x00,		    /* ORIGIN: well-known transitive, len 1, IGP */
	0x40,	0x02, 0x0a,			    /* AS_PATH, len 10 */
	0x02,	0x02,				    /*   AS_SEQUENCE of 2 */
	0x00,	0x00, 0xfd, 0xe9,		    /*   65001 */
	0x00,	0x00, 0xfd, 0xea,		    /*   65002 */
	0x40,	0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, /* NEXT_HOP 192.0.2.1 */
	0x80,	0x04, 0x04, 0x00, 0x00, 0x00, 0x64, /* MED: optional non-transitive, 100 */
	0x40,	0x05, 0x04, 0x00, 0x00, 0x00, 0xc8, /* LOCAL_PREF 200 */
	0x40,	0x06, 0x00,			    /* ATOMIC_AGGREGATE, len 0 */
	0xc0,	0x07, 0x08,			    /* AGGREGATOR: optional transitive, len 8 */
	0x00,	0x00, 0xfd, 0xe9,		    /*   AS 65001 (4 octets) */
	0x0a,	0x00, 0x00, 0x01,		    /*   10.0.0.1 */
	0xc0,	0x08, 0x08,			    /* COMMUNITIES, len 8 */
	0xfd,	0xe9, 0x00, 0x01,		    /*   65001:1 */
	0xff,	0xff, 0xff, 0x01,		    /*   NO_EXPORT */
	0xc0,	0x20, 0x0c,			    /* LARGE_COMMUNITIES (32), len 12 */
	0x00,	0x00, 0xfd, 0xe9,		    /*   global 65001 */
	0x00,	0x00, 0x00, 0x01,		    /*   local 1 */
	0x00,	0x00, 0x00, 0x02,		    /*   local 2 */
	0xe0,	0x63, 0x02, 0xab, 0xcd, /* type 99: optional transitive Partial, len 2 */
	0x08,	0x0a,			/* NLRI 10.0.0.0/8 */
	0x18,	0xc0, 0xa8, 0x01,	/* NLRI 192.168.1.0/24 */
};

static struct attrs *attrs_all(struct attr_pool *pool)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 2, 65001, 65002, 0 };
	static const uint32_t comms[] = { COMMUNITY_NO_EXPORT, 65001u << 16 | 1 };
	static const struct lcommunity lc = { 65001, 1, 2 };
	static const uint8_t unknown[] = { 0xe0, 0x63, 0x02, 0xab, 0xcd };
	struct attrs t;
	struct attrs *a;

	attrs_init(&t);
	t.origin = ORIGIN_IGP;
	t.flags = ATTR_HAS_MED | ATTR_HAS_LOCAL_PREF | ATTR_ATOMIC_AGGREGATE | ATTR_HAS_AGGREGATOR;
	t.med = 100;
	t.local_pref = 200;
	t.aggregator_as = 65001;
	t.aggregator_id = 0x0a000001;
	t.nexthop = addr("192.0.2.1");
	t.aspath = path_of(pool, spec);
	t.communities = community_list_intern(pool, comms, 2);
	t.lcommunities = lcommunity_list_intern(pool, &lc, 1);
	t.unknown = attr_blob_intern(pool, unknown, sizeof(unknown));
	a = attrs_intern(pool, &t);
	drop_tmpl(pool, &t);
	return a;
}

static void test_golden_ipv4_all_encode(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs *a = attrs_all(pool);
	struct prefix p[2];

	pfx(&p[0], "10.0.0.0/8");
	pfx(&p[1], "192.168.1.0/24");
	assert_encodes_to(a, AF_INET, &enc_ibgp4, p, 2, golden_ipv4_all, sizeof(golden_ipv4_all));
	attrs_unref(pool, a);
}

static void test_golden_ipv4_all_decode(void **state)
{
	struct attr_pool *pool = *state;
	struct update_msg u;
	struct bgp_notify err;
	struct prefix p[4];
	const struct update_attrs *d = &u.attrs;

	assert_int_equal(decode(golden_ipv4_all, sizeof(golden_ipv4_all), &ctx_ibgp4, &u, &err),
			 UPDATE_OK);
	assert_null(u.reason);
	assert_int_equal(d->origin, ORIGIN_IGP);
	assert_path(pool, &u, "65001 65002");
	assert_addr(&d->nexthop, "192.0.2.1");
	assert_int_equal(d->flags, ATTR_HAS_MED | ATTR_HAS_LOCAL_PREF | ATTR_ATOMIC_AGGREGATE |
					   ATTR_HAS_AGGREGATOR);
	assert_int_equal(d->med, 100);
	assert_int_equal(d->local_pref, 200);
	assert_int_equal(d->aggregator_as, 65001);
	assert_int_equal(d->aggregator_id, 0x0a000001);
	assert_int_equal(d->ncommunities, 2);
	assert_int_equal(d->communities[0], 0xfde90001);
	assert_int_equal(d->communities[1], COMMUNITY_NO_EXPORT);
	assert_int_equal(d->nlcommunities, 1);
	assert_int_equal(d->lcommunities[0].global, 65001);
	assert_int_equal(d->lcommunities[0].local1, 1);
	assert_int_equal(d->lcommunities[0].local2, 2);
	assert_int_equal(d->unknown_len, 5);
	assert_memory_equal(d->unknown, ((const uint8_t[]){ 0xe0, 0x63, 0x02, 0xab, 0xcd }), 5);
	assert_int_equal(collect(&u.nlri, p, 4), 2);
	assert_pfx(&p[0], "10.0.0.0/8");
	assert_pfx(&p[1], "192.168.1.0/24");
	assert_int_equal(collect(&u.withdrawn, p, 4), 0);
	assert_int_equal(u.mp_reach.family, 0);
	assert_int_equal(u.eor, 0);
}

/* Decode, intern, encode again: the same octets. */
static void roundtrip(struct attr_pool *pool, const uint8_t *golden, size_t len,
		      const struct update_ctx *ctx, const struct update_enc_ctx *ectx)
{
	struct update_msg u;
	struct bgp_notify err;
	struct prefix p[8];
	bool mp;
	size_t n;
	struct attrs *a;

	assert_int_equal(decode(golden, len, ctx, &u, &err), UPDATE_OK);
	mp = u.mp_reach.family != 0;
	n = collect(mp ? &u.mp_reach : &u.nlri, p, ARRAY_SIZE(p));
	a = intern_decoded(pool, &u, mp);
	assert_encodes_to(a, p[0].family, ectx, p, n, golden, len);
	attrs_unref(pool, a);
}

static void test_roundtrip_ipv4_all(void **state)
{
	roundtrip(*state, golden_ipv4_all, sizeof(golden_ipv4_all), &ctx_ibgp4, &enc_ibgp4);
}

/* ---- golden: 2-octet peer, AS_TRANS with AS4_PATH and AS4_AGGREGATOR (RFC 6793 §4.2.2) ---- */

static const uint8_t golden_as2[] = {
	MARKER, 0x00, 0x4e,			    /* length 78 = 23 + 53 + 2 */
	0x02,	0x00, 0x00,			    /* UPDATE, no withdrawn routes */
	0x00,	0x35,				    /* path attributes 53 */
	0x40,	0x01, 0x01, 0x02,		    /* ORIGIN INCOMPLETE */
	0x40,	0x02, 0x06,			    /* AS_PATH, len 6 (2-octet ASes) */
	0x02,	0x02,				    /*   AS_SEQUENCE of 2 */
	0xfd,	0xe9,				    /*   65001 */
	0x5b,	0xa0,				    /*   AS_TRANS 23456 for 4200000000 */
	0x40,	0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, /* NEXT_HOP 192.0.2.1 */
	0xc0,	0x07, 0x06,			    /* AGGREGATOR, len 6 */
	0x5b,	0xa0,				    /*   AS_TRANS */
	0xc0,	0x00, 0x02, 0x09,		    /*   192.0.2.9 */
	0xc0,	0x11, 0x0a,			    /* AS4_PATH (17), len 10 */
	0x02,	0x02,				    /*   AS_SEQUENCE of 2 */
	0x00,	0x00, 0xfd, 0xe9,		    /*   65001 */
	0xfa,	0x56, 0xea, 0x00,		    /*   4200000000 */
	0xc0,	0x12, 0x08,			    /* AS4_AGGREGATOR (18), len 8 */
	0xfa,	0x56, 0xea, 0x00,		    /*   4200000000 */
	0xc0,	0x00, 0x02, 0x09,		    /*   192.0.2.9 */
	0x08,	0x0a,				    /* NLRI 10.0.0.0/8 */
};

static void test_golden_as2(void **state)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 2, 65001, 4200000000u, 0 };
	struct attr_pool *pool = *state;
	struct update_msg u;
	struct bgp_notify err;
	struct attrs t;
	struct attrs *a;
	struct prefix p;

	attrs_init(&t);
	t.origin = ORIGIN_INCOMPLETE;
	t.flags = ATTR_HAS_AGGREGATOR;
	t.aggregator_as = 4200000000u;
	t.aggregator_id = 0xc0000209;
	t.nexthop = addr("192.0.2.1");
	t.aspath = path_of(pool, spec);
	a = attrs_intern(pool, &t);
	drop_tmpl(pool, &t);
	pfx(&p, "10.0.0.0/8");
	assert_encodes_to(a, AF_INET, &enc_ebgp2, &p, 1, golden_as2, sizeof(golden_as2));
	attrs_unref(pool, a);

	/* and back: the 4-octet path and aggregator are reconstructed (§4.2.3) */
	assert_int_equal(decode(golden_as2, sizeof(golden_as2), &ctx_ebgp2, &u, &err), UPDATE_OK);
	assert_path(pool, &u, "65001 4200000000");
	assert_int_equal(u.attrs.aggregator_as, 4200000000u);
	assert_int_equal(u.attrs.aggregator_id, 0xc0000209);
	assert_int_equal(u.attrs.unknown_len, 0);
	roundtrip(pool, golden_as2, sizeof(golden_as2), &ctx_ebgp2, &enc_ebgp2);
}

/* ---- golden: MP_REACH_NLRI next hops (RFC 4760 §3, RFC 2545 §3, RFC 8950 §3) ---- */

#define ORIGIN_IGP_ATTR 0x40, 0x01, 0x01, 0x00
/* AS_PATH 65001 in 4-octet form */
#define ASPATH_65001_ATTR 0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9

/* IPv6 2001:db8:1::/48 via 2001:db8::1 (16 octets) */
static const uint8_t golden_mp_v6_16[] = {
	MARKER,
	0x00,
	0x44, /* length 68 = 23 + 45 */
	0x02,
	0x00,
	0x00, /* UPDATE, no withdrawn */
	0x00,
	0x2d, /* path attributes 45 */
	0x90,
	0x0e,
	0x00,
	0x1c, /* MP_REACH_NLRI first: optional, extended length 28 */
	0x00,
	0x02,
	0x01, /*   AFI IPv6, SAFI unicast */
	0x10,
	V6_GUA, /*   next hop length 16: 2001:db8::1 */
	0x00,	/*   reserved */
	0x30,
	0x20,
	0x01,
	0x0d,
	0xb8,
	0x00,
	0x01, /* 2001:db8:1::/48 */
	ORIGIN_IGP_ATTR,
	ASPATH_65001_ATTR,
};

/* The same with [2001:db8::1, fe80::1] (32 octets) */
static const uint8_t golden_mp_v6_32[] = {
	MARKER,
	0x00,
	0x54, /* length 84 = 23 + 61 */
	0x02,
	0x00,
	0x00, /* UPDATE, no withdrawn */
	0x00,
	0x3d, /* path attributes 61 */
	0x90,
	0x0e,
	0x00,
	0x2c, /* MP_REACH_NLRI, length 44 */
	0x00,
	0x02,
	0x01, /*   IPv6 unicast */
	0x20,
	V6_GUA,
	V6_LL, /*   next hop length 32: global, link-local */
	0x00,  /*   reserved */
	0x30,
	0x20,
	0x01,
	0x0d,
	0xb8,
	0x00,
	0x01, /* 2001:db8:1::/48 */
	ORIGIN_IGP_ATTR,
	ASPATH_65001_ATTR,
};

/* IPv4 10.0.0.0/8 over an IPv6 link-local only (RFC 8950): sent as [LL, LL] */
static const uint8_t golden_mp_v4_ll[] = {
	MARKER,
	0x00,
	0x4f, /* length 79 = 23 + 56 */
	0x02,
	0x00,
	0x00, /* UPDATE, no withdrawn */
	0x00,
	0x38, /* path attributes 56 */
	0x90,
	0x0e,
	0x00,
	0x27, /* MP_REACH_NLRI, length 39 */
	0x00,
	0x01,
	0x01, /*   AFI IPv4, SAFI unicast */
	0x20,
	V6_LL,
	V6_LL, /*   next hop length 32: link-local twice */
	0x00,  /*   reserved */
	0x08,
	0x0a, /*   10.0.0.0/8 */
	ORIGIN_IGP_ATTR,
	ASPATH_65001_ATTR,
};

/* IPv4 over a 4-octet MP_REACH next hop (legal, we never send it): decode only */
static const uint8_t golden_mp_v4_4[] = {
	MARKER,
	0x00,
	0x32, /* length 50 = 23 + 27 */
	0x02,
	0x00,
	0x00, /* UPDATE, no withdrawn */
	0x00,
	0x1b, /* path attributes 27 */
	0x80,
	0x0e,
	0x0b, /* MP_REACH_NLRI, 1-octet length 11 */
	0x00,
	0x01,
	0x01, /*   IPv4 unicast */
	0x04,
	0xc0,
	0x00,
	0x02,
	0x01, /*   next hop length 4: 192.0.2.1 */
	0x00, /*   reserved */
	0x08,
	0x0a, /*   10.0.0.0/8 */
	ORIGIN_IGP_ATTR,
	ASPATH_65001_ATTR,
};

static struct attrs *attrs_nh(struct attr_pool *pool, const char *nh, const char *ll)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 1, 65001, 0 };
	struct attrs t;
	struct attrs *a;

	attrs_init(&t);
	t.aspath = path_of(pool, spec);
	if (nh)
		t.nexthop = addr(nh);
	if (ll)
		t.nexthop_ll = addr(ll);
	a = attrs_intern(pool, &t);
	drop_tmpl(pool, &t);
	return a;
}

static void test_golden_mp_reach_encode(void **state)
{
	struct attr_pool *pool = *state;
	struct attrs *a16 = attrs_nh(pool, "2001:db8::1", NULL);
	struct attrs *a32 = attrs_nh(pool, "2001:db8::1", "fe80::1");
	struct attrs *all = attrs_nh(pool, "::", "fe80::1");
	struct prefix p6, p4;

	pfx(&p6, "2001:db8:1::/48");
	pfx(&p4, "10.0.0.0/8");
	assert_encodes_to(a16, AF_INET6, &enc_ebgp4, &p6, 1, golden_mp_v6_16,
			  sizeof(golden_mp_v6_16));
	assert_encodes_to(a32, AF_INET6, &enc_ebgp4, &p6, 1, golden_mp_v6_32,
			  sizeof(golden_mp_v6_32));
	assert_encodes_to(all, AF_INET, &enc_ebgp4, &p4, 1, golden_mp_v4_ll,
			  sizeof(golden_mp_v4_ll));
	attrs_unref(pool, a16);
	attrs_unref(pool, a32);
	attrs_unref(pool, all);
}

static void assert_mp(const uint8_t *msg, size_t len, const struct update_ctx *ctx,
		      const char *pfx_text, const char *nh, const char *ll)
{
	struct update_msg u;
	struct bgp_notify err;
	struct prefix p[2];

	assert_int_equal(decode(msg, len, ctx, &u, &err), UPDATE_OK);
	assert_int_equal(collect(&u.mp_reach, p, 2), 1);
	assert_pfx(&p[0], pfx_text);
	assert_addr(&u.mp_nexthop, nh);
	if (ll)
		assert_addr(&u.mp_nexthop_ll, ll);
	else
		assert_int_equal(u.mp_nexthop_ll.family, 0);
	assert_int_equal(u.nlri.len, 0);
}

static void test_golden_mp_reach_decode(void **state)
{
	assert_mp(golden_mp_v6_16, sizeof(golden_mp_v6_16), &ctx_ebgp4, "2001:db8:1::/48",
		  "2001:db8::1", NULL);
	assert_mp(golden_mp_v6_32, sizeof(golden_mp_v6_32), &ctx_ebgp4, "2001:db8:1::/48",
		  "2001:db8::1", "fe80::1");
	assert_mp(golden_mp_v4_ll, sizeof(golden_mp_v4_ll), &ctx_ebgp4, "10.0.0.0/8",
		  "::", "fe80::1");
	assert_mp(golden_mp_v4_4, sizeof(golden_mp_v4_4), &ctx_ebgp4, "10.0.0.0/8", "192.0.2.1",
		  NULL);
}

static void test_roundtrip_mp(void **state)
{
	roundtrip(*state, golden_mp_v6_16, sizeof(golden_mp_v6_16), &ctx_ebgp4, &enc_ebgp4);
	roundtrip(*state, golden_mp_v6_32, sizeof(golden_mp_v6_32), &ctx_ebgp4, &enc_ebgp4);
	roundtrip(*state, golden_mp_v4_ll, sizeof(golden_mp_v4_ll), &ctx_ebgp4, &enc_ebgp4);
}

/* The next-hop forms RFC 8950 peers send for IPv4 (architecture: accept all four). */
static void test_mp_nexthop_forms(void **state)
{
	static const struct {
		uint8_t nh[32];
		uint8_t nhlen;
		const char *global, *ll;
	} cases[] = {
		{ { V6_LL }, 16, "::", "fe80::1" },		     /* lone link-local */
		{ { V6_GUA, V6_LL }, 32, "2001:db8::1", "fe80::1" }, /* [GUA, LL] */
		{ { V6_ANY, V6_LL }, 32, "::", "fe80::1" },	     /* [::, LL] */
		{ { V6_LL, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 },
		  32,
		  "::",
		  "fe80::2" },					 /* [LL, LL] */
		{ { V6_GUA }, 16, "2001:db8::1", NULL },	 /* global alone */
		{ { V6_GUA, V6_GUA }, 32, "2001:db8::1", NULL }, /* second not LL: ignored */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t at[64], msg[128];
		size_t n = 0, len;

		at[n++] = 0x80;
		at[n++] = BGP_ATTR_MP_REACH_NLRI;
		at[n++] = (uint8_t)(5 + cases[i].nhlen + 2);
		at[n++] = 0x00;
		at[n++] = 0x01; /* AFI IPv4 */
		at[n++] = 0x01;
		at[n++] = cases[i].nhlen;
		memcpy(at + n, cases[i].nh, cases[i].nhlen);
		n += cases[i].nhlen;
		at[n++] = 0x00;
		at[n++] = 0x08;
		at[n++] = 0x0a;
		memcpy(at + n, (const uint8_t[]){ ORIGIN_IGP_ATTR, ASPATH_65001_ATTR }, 13);
		n += 13;
		len = build(msg, NULL, 0, at, n, NULL, 0);
		assert_mp(msg, len, &ctx_ebgp4, "10.0.0.0/8", cases[i].global, cases[i].ll);
	}
}

/* ---- golden: withdrawals and End-of-RIB ---- */

static void test_golden_withdraw(void **state)
{
	static const uint8_t v4[] = {
		MARKER, 0x00, 0x1d,	  /* length 29 */
		0x02,	0x00, 0x06,	  /* UPDATE, withdrawn routes length 6 */
		0x08,	0x0a,		  /*   10.0.0.0/8 */
		0x18,	0xc0, 0xa8, 0x01, /*   192.168.1.0/24 */
		0x00,	0x00,		  /* no path attributes */
	};
	static const uint8_t v6[] = {
		MARKER, 0x00, 0x25,	  /* length 37 */
		0x02,	0x00, 0x00,	  /* UPDATE, no withdrawn */
		0x00,	0x0e,		  /* path attributes 14 */
		0x90,	0x0f, 0x00, 0x0a, /* MP_UNREACH_NLRI, extended length 10 */
		0x00,	0x02, 0x01,	  /*   IPv6 unicast */
		0x30,	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, /* 2001:db8:1::/48 */
	};
	uint8_t buf[128];
	struct prefix p[2], back[2];
	struct update_msg u;
	struct bgp_notify err;
	size_t used;

	pfx(&p[0], "10.0.0.0/8");
	pfx(&p[1], "192.168.1.0/24");
	assert_int_equal(update_withdraw_encode(buf, sizeof(buf), AF_INET, &enc_ebgp4, p, 2, &used),
			 sizeof(v4));
	assert_int_equal(used, 2);
	assert_memory_equal(buf, v4, sizeof(v4));
	assert_int_equal(decode(v4, sizeof(v4), &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(collect(&u.withdrawn, back, 2), 2);
	assert_pfx(&back[1], "192.168.1.0/24");
	assert_int_equal(u.eor, 0);

	pfx(&p[0], "2001:db8:1::/48");
	assert_int_equal(
		update_withdraw_encode(buf, sizeof(buf), AF_INET6, &enc_ebgp4, p, 1, &used),
		sizeof(v6));
	assert_memory_equal(buf, v6, sizeof(v6));
	/* an MP_UNREACH_NLRI needs no other attribute (RFC 4760 §4) */
	assert_int_equal(decode(v6, sizeof(v6), &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(collect(&u.mp_unreach, back, 2), 1);
	assert_pfx(&back[0], "2001:db8:1::/48");
	assert_int_equal(u.eor, 0);
}

static void test_golden_eor(void **state)
{
	static const uint8_t v4[] = {
		MARKER, 0x00, 0x17, 0x02, /* length 23, UPDATE */
		0x00,	0x00, 0x00, 0x00, /* nothing at all (RFC 4724 §2) */
	};
	static const uint8_t v6[] = {
		MARKER, 0x00, 0x1d, 0x02, /* length 29, UPDATE */
		0x00,	0x00, 0x00, 0x06, /* no withdrawn, attributes 6 */
		0x80,	0x0f, 0x03,	  /* MP_UNREACH_NLRI, length 3 */
		0x00,	0x02, 0x01,	  /*   IPv6 unicast and nothing else */
	};
	uint8_t buf[64];
	struct update_msg u;
	struct bgp_notify err;

	assert_int_equal(update_eor_encode(buf, sizeof(buf), AF_INET), sizeof(v4));
	assert_memory_equal(buf, v4, sizeof(v4));
	assert_int_equal(update_eor_encode(buf, sizeof(buf), AF_INET6), sizeof(v6));
	assert_memory_equal(buf, v6, sizeof(v6));
	assert_int_equal(update_eor_encode(buf, 20, AF_INET6), 0);
	assert_int_equal(decode(v4, sizeof(v4), &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(u.eor, BGP_AF_IPV4_UNICAST);
	assert_int_equal(decode(v6, sizeof(v6), &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(u.eor, BGP_AF_IPV6_UNICAST);
}

/* ---- RFC 7606 error handling, one row per case ---- */

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

#define NH_ATTR	      0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01
#define BASE	      ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, NH_ATTR
#define ASPATH2_65001 0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9
#define BASE2	      ORIGIN_IGP_ATTR, ASPATH2_65001, NH_ATTR
#define MP_REACH_V6_VALUE                                                                          \
	0x00, 0x02, 0x01, 0x10, V6_GUA, 0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01
#define MP_REACH_V6   0x80, 0x0e, 0x1c, MP_REACH_V6_VALUE
#define MP_UNREACH_V6 0x80, 0x0f, 0x0a, 0x00, 0x02, 0x01, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01

struct err_case {
	const char *name;
	const uint8_t *attrs;
	size_t attrs_len;
	bool nlri; /* 10.0.0.0/8 in the NLRI field */
	const struct update_ctx *ctx;
	enum update_action action;
	const char *reason;
	uint8_t subcode;  /* for session resets */
	size_t data_tail; /* NOTIFICATION data: the last data_tail octets of attrs */
};

#define TAW   UPDATE_TREAT_AS_WITHDRAW
#define DISC  UPDATE_ATTR_DISCARD
#define RESET UPDATE_SESSION_RESET

static const struct err_case err_cases[] = {
	/* §7.1 ORIGIN */
	{ "origin value 3", BYTES(0x40, 0x01, 0x01, 0x03, ASPATH_65001_ATTR, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "malformed-origin" },
	{ "origin length 2", BYTES(0x40, 0x01, 0x02, 0x00, 0x00, ASPATH_65001_ATTR, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "malformed-origin" },
	{ "origin length 0 (§4)", BYTES(0x40, 0x01, 0x00, ASPATH_65001_ATTR, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "malformed-origin" },
	/* §7.2 AS_PATH */
	{ "as-path segment type 5",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x05, 0x01, 0, 0, 0xfd, 0xe9, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "malformed-as-path" },
	{ "as-path segment count 0", BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x02, 0x02, 0x00, NH_ATTR),
	  true, &ctx_ebgp4, TAW, "malformed-as-path" },
	{ "as-path segment overrun",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x02, 0x02, 0, 0, 0xfd, 0xe9, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "malformed-as-path" },
	{ "as-path lone trailing octet",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x07, 0x02, 0x01, 0, 0, 0xfd, 0xe9, 0x02, NH_ATTR),
	  true, &ctx_ebgp4, TAW, "malformed-as-path" },
	{ "as-path 2-octet overrun",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x04, 0x02, 0x02, 0xfd, 0xe9, NH_ATTR), true,
	  &ctx_ebgp2, TAW, "malformed-as-path" },
	{ "as-path AS 0 (RFC 7607)",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x02, 0x01, 0, 0, 0, 0, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "as-path-as0" },
	/* §7.3 NEXT_HOP */
	{ "next-hop length 5",
	  BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0x40, 0x03, 0x05, 192, 0, 2, 1, 0), true,
	  &ctx_ebgp4, TAW, "malformed-next-hop" },
	{ "next-hop 0.0.0.0",
	  BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0x40, 0x03, 0x04, 0, 0, 0, 0), true, &ctx_ebgp4,
	  TAW, "invalid-next-hop" },
	{ "next-hop multicast",
	  BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0x40, 0x03, 0x04, 224, 0, 0, 1), true,
	  &ctx_ebgp4, TAW, "invalid-next-hop" },
	{ "bad next-hop ignored without NLRI field (RFC 4760 §3)",
	  BYTES(MP_REACH_V6, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0x40, 0x03, 0x01, 0x00), false,
	  &ctx_ebgp4, UPDATE_OK, NULL },
	/* §7.4 MED, §7.5 LOCAL_PREF */
	{ "med length 3", BYTES(BASE, 0x80, 0x04, 0x03, 0, 0, 1), true, &ctx_ebgp4, TAW,
	  "malformed-med" },
	{ "local-pref length 5 from iBGP", BYTES(BASE, 0x40, 0x05, 0x05, 0, 0, 0, 100, 0), true,
	  &ctx_ibgp4, TAW, "malformed-local-pref" },
	{ "local-pref from eBGP", BYTES(BASE, 0x40, 0x05, 0x04, 0, 0, 0, 100), true, &ctx_ebgp4,
	  DISC, "local-pref-from-ebgp" },
	{ "bad local-pref from eBGP is only discarded", BYTES(BASE, 0x40, 0x05, 0x01, 7), true,
	  &ctx_ebgp4, DISC, "local-pref-from-ebgp" },
	/* §7.6 ATOMIC_AGGREGATE, §7.7 AGGREGATOR */
	{ "atomic-aggregate length 1", BYTES(BASE, 0x40, 0x06, 0x01, 0x00), true, &ctx_ebgp4, DISC,
	  "malformed-atomic-aggregate" },
	{ "aggregator length 7 (4-octet)",
	  BYTES(BASE, 0xc0, 0x07, 0x07, 0, 0, 0xfd, 0xe9, 10, 0, 0), true, &ctx_ebgp4, DISC,
	  "malformed-aggregator" },
	{ "aggregator length 8 (2-octet)",
	  BYTES(BASE2, 0xc0, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1), true, &ctx_ebgp2, DISC,
	  "malformed-aggregator" },
	{ "aggregator AS 0 (RFC 7607)", BYTES(BASE, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 10, 0, 0, 1),
	  true, &ctx_ebgp4, DISC, "aggregator-as0" },
	/* §7.8 COMMUNITIES, RFC 8092 §6 LARGE_COMMUNITIES */
	{ "communities length 5", BYTES(BASE, 0xc0, 0x08, 0x05, 0xfd, 0xe9, 0, 1, 0), true,
	  &ctx_ebgp4, TAW, "malformed-communities" },
	{ "communities length 0", BYTES(BASE, 0xc0, 0x08, 0x00), true, &ctx_ebgp4, TAW,
	  "malformed-communities" },
	{ "large communities length 13",
	  BYTES(BASE, 0xc0, 0x20, 0x0d, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0), true, &ctx_ebgp4,
	  TAW, "malformed-large-communities" },
	/* §3 g duplicates */
	{ "duplicate origin", BYTES(BASE, 0x40, 0x01, 0x01, 0x02), true, &ctx_ebgp4, DISC,
	  "duplicate-attribute" },
	{ "duplicate unknown attribute",
	  BYTES(BASE, 0xc0, 0x63, 0x01, 0xaa, 0xc0, 0x63, 0x01, 0xbb), true, &ctx_ebgp4, DISC,
	  "duplicate-attribute" },
	{ "duplicate MP_REACH_NLRI",
	  BYTES(MP_REACH_V6, MP_REACH_V6, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR), false, &ctx_ebgp4,
	  RESET, "duplicate-mp-attribute", BGP_ERR_UPD_MALFORMED_ATTR_LIST },
	{ "duplicate MP_UNREACH_NLRI", BYTES(MP_UNREACH_V6, MP_UNREACH_V6), false, &ctx_ebgp4,
	  RESET, "duplicate-mp-attribute", BGP_ERR_UPD_MALFORMED_ATTR_LIST },
	/* §3 c flags */
	{ "origin marked optional", BYTES(0xc0, 0x01, 0x01, 0x00, ASPATH_65001_ATTR, NH_ATTR), true,
	  &ctx_ebgp4, TAW, "origin-flags" },
	{ "med marked transitive", BYTES(BASE, 0xc0, 0x04, 0x04, 0, 0, 0, 1), true, &ctx_ebgp4, TAW,
	  "med-flags" },
	{ "communities non-transitive", BYTES(BASE, 0x80, 0x08, 0x04, 0, 0, 0, 1), true, &ctx_ebgp4,
	  TAW, "communities-flags" },
	{ "as4-path non-transitive (RFC 6793 §6)",
	  BYTES(BASE2, 0x80, 0x11, 0x06, 0x02, 0x01, 0, 0, 0xfd, 0xe9), true, &ctx_ebgp2, DISC,
	  "as4-path-flags" },
	{ "MP_REACH_NLRI marked transitive",
	  BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0xc0, 0x0e, 0x1c, MP_REACH_V6_VALUE), false,
	  &ctx_ebgp4, RESET, "mp-reach-flags", BGP_ERR_UPD_ATTR_FLAGS, 31 },
	{ "partial bit on a well-known attribute is ignored",
	  BYTES(0x60, 0x01, 0x01, 0x00, ASPATH_65001_ATTR, NH_ATTR), true, &ctx_ebgp4, UPDATE_OK,
	  NULL },
	{ "extended length on a short attribute",
	  BYTES(0x50, 0x01, 0x00, 0x01, 0x00, ASPATH_65001_ATTR, NH_ATTR), true, &ctx_ebgp4,
	  UPDATE_OK, NULL },
	/* §4 attribute length against the path attribute section */
	{ "last attribute overruns", BYTES(BASE, 0xc0, 0x08, 0x08, 0xfd, 0xe9, 0, 1), true,
	  &ctx_ebgp4, TAW, "attribute-length-overrun" },
	{ "two octets left", BYTES(BASE, 0x40, 0x01), true, &ctx_ebgp4, TAW,
	  "attribute-length-overrun" },
	{ "extended length header cut", BYTES(BASE, 0x50, 0x01, 0x00), true, &ctx_ebgp4, TAW,
	  "attribute-length-overrun" },
	{ "MP_REACH_NLRI overruns: cannot withdraw",
	  BYTES(0x80, 0x0e, 0x40, 0x00, 0x02, 0x01, 0x10), false, &ctx_ebgp4, RESET,
	  "attribute-length-overrun", BGP_ERR_UPD_MALFORMED_ATTR_LIST },
	{ "one octet left: type unknown", BYTES(BASE, 0x40), true, &ctx_ebgp4, RESET,
	  "attribute-length-overrun", BGP_ERR_UPD_MALFORMED_ATTR_LIST },
	/* §3 d missing well-known mandatory */
	{ "missing origin", BYTES(ASPATH_65001_ATTR, NH_ATTR), true, &ctx_ebgp4, TAW,
	  "missing-origin" },
	{ "missing as-path", BYTES(ORIGIN_IGP_ATTR, NH_ATTR), true, &ctx_ebgp4, TAW,
	  "missing-as-path" },
	{ "missing next-hop", BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR), true, &ctx_ebgp4, TAW,
	  "missing-next-hop" },
	{ "MP_REACH_NLRI without origin", BYTES(MP_REACH_V6, ASPATH_65001_ATTR), false, &ctx_ebgp4,
	  TAW, "missing-origin" },
	{ "no NLRI: nothing is mandatory", BYTES(0x80, 0x04, 0x04, 0, 0, 0, 1), false, &ctx_ebgp4,
	  UPDATE_OK, NULL },
	{ "MP_REACH_NLRI needs no NEXT_HOP", BYTES(MP_REACH_V6, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR),
	  false, &ctx_ebgp4, UPDATE_OK, NULL },
	/* §7.11 / RFC 4760 §7 MP attributes */
	{ "MP_REACH_NLRI next hop length 12",
	  BYTES(0x80, 0x0e, 0x11, 0x00, 0x02, 0x01, 0x0c, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0,
		0, 1, 0x00),
	  false, &ctx_ebgp4, RESET, "mp-reach-bad-next-hop-length", BGP_ERR_UPD_OPT_ATTR, 20 },
	{ "IPv4 with IPv6 next hop, no extended next hop",
	  BYTES(ORIGIN_IGP_ATTR, ASPATH_65001_ATTR, 0x80, 0x0e, 0x17, 0x00, 0x01, 0x01, 0x10, V6_LL,
		0x00, 0x08, 0x0a),
	  false, &ctx_v4only, RESET, "mp-reach-bad-next-hop-length", BGP_ERR_UPD_OPT_ATTR, 26 },
	{ "MP_REACH_NLRI shorter than its header", BYTES(0x80, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x10),
	  false, &ctx_ebgp4, RESET, "malformed-mp-reach", BGP_ERR_UPD_OPT_ATTR, 7 },
	{ "MP_REACH_NLRI next hop past the attribute",
	  BYTES(0x80, 0x0e, 0x05, 0x00, 0x02, 0x01, 0x10, 0x00), false, &ctx_ebgp4, RESET,
	  "malformed-mp-reach", BGP_ERR_UPD_OPT_ATTR, 8 },
	{ "MP_REACH_NLRI prefix length 129",
	  BYTES(0x80, 0x0e, 0x16, 0x00, 0x02, 0x01, 0x10, V6_GUA, 0x00, 0x81, ORIGIN_IGP_ATTR,
		ASPATH_65001_ATTR),
	  false, &ctx_ebgp4, RESET, "malformed-mp-reach-nlri", BGP_ERR_UPD_BAD_NETWORK },
	{ "MP_UNREACH_NLRI shorter than AFI/SAFI", BYTES(0x80, 0x0f, 0x02, 0x00, 0x02), false,
	  &ctx_ebgp4, RESET, "malformed-mp-unreach", BGP_ERR_UPD_OPT_ATTR, 5 },
	{ "MP_UNREACH_NLRI prefix cut", BYTES(0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x30, 0x20),
	  false, &ctx_ebgp4, RESET, "malformed-mp-unreach-nlri", BGP_ERR_UPD_BAD_NETWORK },
	{ "MP_REACH_NLRI with next hop ::",
	  BYTES(0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10, V6_ANY, 0x00, 0x30, 0x20, 0x01, 0x0d,
		0xb8, 0x00, 0x01, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR),
	  false, &ctx_ebgp4, TAW, "invalid-mp-next-hop" },
	{ "AF not negotiated is skipped", BYTES(MP_REACH_V6, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR),
	  false, &ctx_v4only, UPDATE_OK, NULL },
	/* RFC 4271 §6.3 unknown attributes */
	{ "unknown well-known attribute", BYTES(BASE, 0x40, 0x63, 0x01, 0xaa), true, &ctx_ebgp4,
	  RESET, "unknown-well-known-attribute", BGP_ERR_UPD_UNRECOGNIZED_WK, 4 },
	{ "unknown optional non-transitive dropped", BYTES(BASE, 0x80, 0x63, 0x01, 0xaa), true,
	  &ctx_ebgp4, UPDATE_OK, NULL },
	/* RFC 6793 §6 AS4 attributes */
	{ "as4-path malformed", BYTES(BASE2, 0xc0, 0x11, 0x02, 0x02, 0x00), true, &ctx_ebgp2, DISC,
	  "malformed-as4-path" },
	{ "as4-path with confederation segment",
	  BYTES(BASE2, 0xc0, 0x11, 0x06, 0x03, 0x01, 0, 0, 0xfd, 0xe9), true, &ctx_ebgp2, DISC,
	  "as4-path-confed-dropped" },
	{ "as4-path with AS 0", BYTES(BASE2, 0xc0, 0x11, 0x06, 0x02, 0x01, 0, 0, 0, 0), true,
	  &ctx_ebgp2, DISC, "malformed-as4-path" },
	{ "as4-path from a 4-octet peer",
	  BYTES(BASE, 0xc0, 0x11, 0x06, 0x02, 0x01, 0, 0, 0xfd, 0xe9), true, &ctx_ebgp4, DISC,
	  "as4-path-from-as4-peer" },
	{ "as4-aggregator length 7",
	  BYTES(BASE2, 0xc0, 0x12, 0x07, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0), true, &ctx_ebgp2, DISC,
	  "malformed-as4-aggregator" },
	{ "as4-aggregator from a 4-octet peer",
	  BYTES(BASE, 0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 1), true, &ctx_ebgp4,
	  DISC, "as4-aggregator-from-as4-peer" },
	/* severity: a later treat-as-withdraw outranks an earlier discard */
	{ "discard then withdraw", BYTES(BASE, 0x40, 0x06, 0x01, 0x00, 0x80, 0x04, 0x01, 0x00),
	  true, &ctx_ebgp4, TAW, "malformed-med" },
};

static void test_rfc7606_cases(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		static const uint8_t nlri[] = { 0x08, 0x0a };
		uint8_t msg[512];
		struct update_msg u;
		struct bgp_notify err;
		size_t len = build(msg, NULL, 0, c->attrs, c->attrs_len, nlri, c->nlri ? 2 : 0);
		enum update_action got;

		memset(&err, 0, sizeof(err));
		got = decode(msg, len, c->ctx, &u, &err);
		if (got != c->action)
			fail_msg("%s: action %s, want %s (%s)", c->name, update_action_name(got),
				 update_action_name(c->action), u.reason ? u.reason : "-");
		if (c->reason)
			assert_string_equal(u.reason, c->reason);
		else
			assert_null(u.reason);
		if (c->action != RESET) {
			assert_int_equal(err.code, 0);
			continue;
		}
		assert_int_equal(err.code, BGP_ERR_UPDATE);
		if (err.subcode != c->subcode)
			fail_msg("%s: subcode %u, want %u", c->name, err.subcode, c->subcode);
		assert_int_equal(err.data_len, c->data_tail);
		if (c->data_tail)
			assert_memory_equal(err.data, c->attrs + c->attrs_len - c->data_tail,
					    c->data_tail);
	}
}

/* The kept values after an attribute error. */
static void test_discard_keeps_the_rest(void **state)
{
	uint8_t msg[256];
	struct update_msg u;
	struct bgp_notify err;
	size_t len;

	/* duplicate ORIGIN: the first (IGP) wins */
	len = build(msg, NULL, 0, BYTES(BASE, 0x40, 0x01, 0x01, 0x02), BYTES(0x08, 0x0a));
	assert_int_equal(decode(msg, len, &ctx_ebgp4, &u, &err), UPDATE_ATTR_DISCARD);
	assert_int_equal(u.attrs.origin, ORIGIN_IGP);
	assert_int_equal(u.nlri.len, 2);
	/* malformed AGGREGATOR: dropped, flag clear, the rest intact */
	len = build(msg, NULL, 0, BYTES(BASE, 0xc0, 0x07, 0x07, 0, 0, 0xfd, 0xe9, 10, 0, 0),
		    BYTES(0x08, 0x0a));
	assert_int_equal(decode(msg, len, &ctx_ebgp4, &u, &err), UPDATE_ATTR_DISCARD);
	assert_int_equal(u.attrs.flags & ATTR_HAS_AGGREGATOR, 0);
	assert_addr(&u.attrs.nexthop, "192.0.2.1");
	/* optional non-transitive unknown: gone without a trace */
	len = build(msg, NULL, 0, BYTES(BASE, 0x80, 0x63, 0x01, 0xaa), BYTES(0x08, 0x0a));
	assert_int_equal(decode(msg, len, &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(u.attrs.unknown_len, 0);
	/* AF not negotiated: reported, nothing to use */
	len = build(msg, NULL, 0, BYTES(MP_REACH_V6, ORIGIN_IGP_ATTR, ASPATH_65001_ATTR), NULL, 0);
	assert_int_equal(decode(msg, len, &ctx_v4only, &u, &err), UPDATE_OK);
	assert_int_equal(u.mp_reach.family, 0);
	assert_int_equal(u.ignored_afs, BGP_AF_IPV6_UNICAST);
}

/* Unknown transitive attributes come out sorted by type, Partial set, shortest length form. */
static void test_unknown_sorted(void **state)
{
	static const uint8_t expect[] = {
		0xe0, 0x40, 0x01, 0x02, /* type 64, Partial added */
		0xe0, 0x63, 0x01, 0x01, /* type 99, extended length folded */
	};
	uint8_t msg[256];
	struct update_msg u;
	struct bgp_notify err;
	size_t len =
		build(msg, NULL, 0,
		      BYTES(BASE, 0xd0, 0x63, 0x00, 0x01, 0x01, 0xc0, 0x40, 0x01, 0x02), NULL, 0);

	assert_int_equal(decode(msg, len, &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(u.attrs.unknown_len, sizeof(expect));
	assert_memory_equal(u.attrs.unknown, expect, sizeof(expect));
}

/* RFC 4271 §6.3 lengths that do not add up, and NLRI that cannot be parsed */
static void test_framing_errors(void **state)
{
	static const struct {
		const char *name;
		uint8_t body[16];
		size_t body_len;
		uint8_t subcode;
		const char *reason;
	} cases[] = {
		{ "withdrawn length overruns",
		  { 0x00, 0x05, 0x08, 0x0a, 0x00, 0x00 },
		  6,
		  BGP_ERR_UPD_MALFORMED_ATTR_LIST,
		  "withdrawn-length-overrun" },
		{ "attribute length overruns",
		  { 0x00, 0x00, 0x00, 0x05, 0x40, 0x01, 0x01, 0x00 },
		  8,
		  BGP_ERR_UPD_MALFORMED_ATTR_LIST,
		  "attribute-length-overrun-message" },
		{ "withdrawn prefix cut",
		  { 0x00, 0x02, 0x18, 0x0a, 0x00, 0x00 },
		  6,
		  BGP_ERR_UPD_BAD_NETWORK,
		  "malformed-withdrawn" },
		{ "NLRI prefix length 33",
		  { 0x00, 0x00, 0x00, 0x00, 0x21, 1, 2, 3, 4, 5 },
		  10,
		  BGP_ERR_UPD_BAD_NETWORK,
		  "malformed-nlri" },
		{ "NLRI prefix cut",
		  { 0x00, 0x00, 0x00, 0x00, 0x18, 0x0a, 0x00 },
		  7,
		  BGP_ERR_UPD_BAD_NETWORK,
		  "malformed-nlri" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t msg[64];
		struct update_msg u;
		struct bgp_notify err;
		size_t len = BGP_HEADER_LEN + cases[i].body_len;

		memset(msg, 0xff, 16);
		msg[16] = 0;
		msg[17] = (uint8_t)len;
		msg[18] = BGP_MSG_UPDATE;
		memcpy(msg + BGP_HEADER_LEN, cases[i].body, cases[i].body_len);
		if (decode(msg, len, &ctx_ebgp4, &u, &err) != UPDATE_SESSION_RESET)
			fail_msg("%s: no session reset", cases[i].name);
		assert_int_equal(err.code, BGP_ERR_UPDATE);
		assert_int_equal(err.subcode, cases[i].subcode);
		assert_int_equal(err.data_len, 0);
		assert_string_equal(u.reason, cases[i].reason);
	}
}

/* Host bits in received NLRI are cleared by the iterator. */
static void test_nlri_host_bits(void **state)
{
	uint8_t msg[64];
	struct update_msg u;
	struct bgp_notify err;
	struct prefix p[4];
	size_t len = build(msg, BYTES(0x0c, 0x0a, 0xff, 0x00, 0x20, 1, 2, 3, 4), NULL, 0, NULL, 0);

	assert_int_equal(decode(msg, len, &ctx_ebgp4, &u, &err), UPDATE_OK);
	assert_int_equal(collect(&u.withdrawn, p, 4), 3);
	assert_pfx(&p[0], "10.240.0.0/12");
	assert_pfx(&p[1], "0.0.0.0/0");
	assert_pfx(&p[2], "1.2.3.4/32");
}

/* ---- RFC 6793 §4.2.3: AS_PATH + AS4_PATH from a 2-octet peer ---- */

struct as4_case {
	const char *name;
	const uint8_t *attrs;
	size_t attrs_len;
	const char *path;
	uint32_t aggregator_as;
	enum update_action action;
};

#define AS4_SEQ2 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02

static const struct as4_case as4_cases[] = {
	{ "trans replaced",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x08, 0x02, 0x03, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0,
		NH_ATTR, 0xc0, 0x11, 0x0a, AS4_SEQ2),
	  "65001 4200000001 4200000002" },
	{ "AS4_PATH longer than AS_PATH is ignored",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0, NH_ATTR, 0xc0, 0x11,
		0x0a, AS4_SEQ2),
	  "23456" },
	{ "sequence split",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x08, 0x02, 0x03, 0xfd, 0xe9, 0xfd, 0xea, 0x5b, 0xa0,
		NH_ATTR, 0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01),
	  "65001 65002 4200000001" },
	{ "leading confederation kept",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x0a, 0x03, 0x01, 0xfc, 0x00, 0x02, 0x02, 0xfd, 0xe9,
		0x5b, 0xa0, NH_ATTR, 0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01),
	  "(64512) 65001 4200000001" },
	{ "set counts one",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x0a, 0x02, 0x01, 0xfd, 0xe9, 0x01, 0x02, 0x5b, 0xa0,
		0xfd, 0xeb, NH_ATTR, 0xc0, 0x11, 0x0a, 0x01, 0x02, 0xfa, 0x56, 0xea, 0x01, 0x00,
		0x00, 0xfd, 0xeb),
	  "65001 {4200000001,65003}" },
	{ "confederation segment of AS4_PATH dropped (RFC 6793 §6)",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0, NH_ATTR,
		0xc0, 0x11, 0x0c, 0x03, 0x01, 0x00, 0x00, 0xfc, 0x00, 0x02, 0x01, 0xfa, 0x56, 0xea,
		0x01),
	  "65001 4200000001", 0, UPDATE_ATTR_DISCARD },
	{ "AGGREGATOR not AS_TRANS: AS4 attributes ignored",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0, NH_ATTR,
		0xc0, 0x07, 0x06, 0xfd, 0xe9, 10, 0, 0, 1, 0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56,
		0xea, 0x01, 0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 1),
	  "65001 23456", 65001 },
	{ "AGGREGATOR AS_TRANS: AS4_AGGREGATOR used",
	  BYTES(ORIGIN_IGP_ATTR, 0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0, NH_ATTR,
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 10, 0, 0, 1, 0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56,
		0xea, 0x01, 0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 1),
	  "65001 4200000001", 4200000001u },
};

static void test_as4_merge(void **state)
{
	struct attr_pool *pool = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(as4_cases); i++) {
		const struct as4_case *c = &as4_cases[i];
		uint8_t msg[256];
		struct update_msg u;
		struct bgp_notify err;
		size_t len = build(msg, NULL, 0, c->attrs, c->attrs_len, BYTES(0x08, 0x0a));

		if (decode(msg, len, &ctx_ebgp2, &u, &err) != c->action)
			fail_msg("%s: %s", c->name, u.reason);
		assert_path(pool, &u, c->path);
		assert_int_equal(u.attrs.aggregator_as, c->aggregator_as);
	}
}

/* ---- encoder details ---- */

static void test_encode_refusals(void **state)
{
	static const uint32_t spec[] = { ASPATH_SEQUENCE, 1, 65001, 0 };
	struct attr_pool *pool = *state;
	struct attrs *ll = attrs_nh(pool, "::", "fe80::1");
	struct attrs *v4 = attrs_nh(pool, "192.0.2.1", NULL);
	uint32_t *many = malloc(2000 * sizeof(*many));
	struct prefix p[2];
	uint8_t buf[BGP_MAX_MSG_LEN];
	struct attrs t;
	struct attrs *big;
	size_t used, i;

	pfx(&p[0], "10.0.0.0/8");
	pfx(&p[1], "2001:db8::/32");
	/* IPv6 next hop for IPv4 without RFC 8950 negotiated */
	assert_int_equal(update_encode(buf, sizeof(buf), ll, AF_INET, &enc_ibgp4, p, 1, &used), 0);
	/* an IPv6 prefix needs an IPv6 next hop */
	assert_int_equal(update_encode(buf, sizeof(buf), v4, AF_INET6, &enc_ebgp4, p + 1, 1, &used),
			 0);
	/* family mismatch stops the batch where it is */
	assert_int_equal(update_encode(buf, sizeof(buf), v4, AF_INET, &enc_ebgp4, p, 2, &used) > 0,
			 true);
	assert_int_equal(used, 1);
	/* attributes larger than a message: nothing fits */
	for (i = 0; i < 2000; i++)
		many[i] = (uint32_t)i;
	attrs_init(&t);
	t.nexthop = addr("192.0.2.1");
	t.aspath = path_of(pool, spec);
	t.communities = community_list_intern(pool, many, 2000);
	big = attrs_intern(pool, &t);
	drop_tmpl(pool, &t);
	assert_int_equal(update_encode(buf, sizeof(buf), big, AF_INET, &enc_ebgp4, p, 1, &used), 0);
	assert_int_equal(used, 0);
	/* ... but with RFC 8654 extended messages it goes */
	{
		static uint8_t ext[BGP_EXT_MAX_MSG_LEN];
		struct update_enc_ctx c = enc_ebgp4;
		struct update_msg u;
		struct bgp_notify err;

		c.max_len = BGP_EXT_MAX_MSG_LEN;
		assert_true(update_encode(ext, sizeof(ext), big, AF_INET, &c, p, 1, &used) > 8000);
		assert_int_equal(decode(ext, (size_t)ext[16] << 8 | ext[17], &ctx_ebgp4, &u, &err),
				 UPDATE_OK);
		assert_int_equal(u.attrs.ncommunities, 2000);
	}
	/* LOCAL_PREF: never to eBGP, always to iBGP (100 when unset) */
	assert_true(update_encode(buf, sizeof(buf), v4, AF_INET, &enc_ibgp4, p, 1, &used) > 0);
	{
		struct update_msg u;
		struct bgp_notify err;

		assert_int_equal(decode(buf, (size_t)buf[16] << 8 | buf[17], &ctx_ibgp4, &u, &err),
				 UPDATE_OK);
		assert_int_equal(u.attrs.local_pref, 100);
	}
	attrs_unref(pool, big);
	attrs_unref(pool, ll);
	attrs_unref(pool, v4);
	free(many);
}

/* Confederation segments stay out of AS4_PATH (RFC 6793 §4.2.2). */
static void test_encode_as4_path_no_confed(void **state)
{
	static const uint32_t spec[] = {
		ASPATH_CONFED_SEQUENCE, 1, 64512, ASPATH_SEQUENCE, 1, 4200000000u, 0
	};
	static const uint8_t expect[] = {
		0x40, 0x02, 0x08, 0x03, 0x01, 0xfc, 0x00, 0x02, 0x01, 0x5b, 0xa0, /* AS_PATH */
		0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x00, /* AS4_PATH, no confed */
	};
	struct attr_pool *pool = *state;
	uint8_t buf[256];
	struct attrs t;
	struct attrs *a;
	struct prefix p;
	size_t used, len;

	attrs_init(&t);
	t.nexthop = addr("192.0.2.1");
	t.aspath = path_of(pool, spec);
	a = attrs_intern(pool, &t);
	drop_tmpl(pool, &t);
	pfx(&p, "10.0.0.0/8");
	len = update_encode(buf, sizeof(buf), a, AF_INET, &enc_ebgp2, &p, 1, &used);
	assert_true(len > 0);
	/* after ORIGIN (4 octets): AS_PATH, then NEXT_HOP (7), then AS4_PATH */
	assert_memory_equal(buf + 23 + 4, expect, 11);
	assert_memory_equal(buf + 23 + 4 + 11 + 7, expect + 11, 9);
	attrs_unref(pool, a);
}

/* ---- packing ---- */

#define PACK_MAX 3000

/* Packs p[0..n) into as many messages as needed; returns how many. */
static size_t pack_and_check(const struct attrs *a, uint8_t family, const struct prefix *p,
			     size_t n, size_t prefix_octets, bool withdraw)
{
	static struct prefix back[PACK_MAX];
	size_t done = 0, got = 0, messages = 0;

	while (done < n) {
		uint8_t buf[BGP_MAX_MSG_LEN + 64];
		struct update_msg u;
		struct bgp_notify err;
		const struct update_nlri *block;
		size_t used = 0, len, fixed, fit;

		len = withdraw ? update_withdraw_encode(buf, sizeof(buf), family, &enc_ebgp4,
							p + done, n - done, &used)
			       : update_encode(buf, sizeof(buf), a, family, &enc_ebgp4, p + done,
					       n - done, &used);
		assert_true(len > 0 && len <= BGP_MAX_MSG_LEN);
		assert_int_equal((size_t)buf[16] << 8 | buf[17], len);
		/* everything but the prefixes, and how many more could have fitted: none */
		fixed = len - used * prefix_octets;
		fit = (BGP_MAX_MSG_LEN - fixed) / prefix_octets;
		if (done + used < n)
			assert_int_equal(used, fit);
		assert_int_equal(decode(buf, len, &ctx_ebgp4, &u, &err), UPDATE_OK);
		block = withdraw ? (family == AF_INET ? &u.withdrawn : &u.mp_unreach)
				 : (u.mp_reach.family ? &u.mp_reach : &u.nlri);
		got += collect(block, back + got, n - got);
		done += used;
		messages++;
	}
	assert_int_equal(got, n);
	assert_memory_equal(back, p, n * sizeof(*p));
	return messages;
}

static void test_packing(void **state)
{
	struct attr_pool *pool = *state;
	static struct prefix v4[PACK_MAX], v6[PACK_MAX];
	struct attrs *a4 = attrs_all(pool);
	struct attrs *a6 = attrs_nh(pool, "2001:db8::1", "fe80::1");
	struct attrs *a4ll = attrs_nh(pool, "::", "fe80::1");
	size_t i;

	for (i = 0; i < PACK_MAX; i++) {
		memset(&v4[i], 0, sizeof(v4[i]));
		v4[i].family = AF_INET;
		v4[i].len = 24;
		v4[i].bytes[0] = 10;
		v4[i].bytes[1] = (uint8_t)(i >> 8);
		v4[i].bytes[2] = (uint8_t)i;
		memset(&v6[i], 0, sizeof(v6[i]));
		v6[i].family = AF_INET6;
		v6[i].len = 48;
		v6[i].bytes[0] = 0x20;
		v6[i].bytes[1] = 0x01;
		v6[i].bytes[2] = 0x0d;
		v6[i].bytes[3] = 0xb8;
		v6[i].bytes[4] = (uint8_t)(i >> 8);
		v6[i].bytes[5] = (uint8_t)i;
	}
	/*
	 * 1000 /24s with every attribute (76 octets to an eBGP peer):
	 * (4096 - 23 - 76) / 4 = 999 in the first message, 1 in the second.
	 */
	assert_int_equal(pack_and_check(a4, AF_INET, v4, 1000, 4, false), 2);
	/* /48s in MP_REACH_NLRI with a 32-octet next hop: 574 per message */
	assert_int_equal(pack_and_check(a6, AF_INET6, v6, 1000, 7, false), 2);
	/* IPv4 over a link-local (RFC 8950): 1004 per message */
	assert_int_equal(pack_and_check(a4ll, AF_INET, v4, 3000, 4, false), 3);
	/* withdrawals: 1018 /24s, 580 /48s per message */
	assert_int_equal(pack_and_check(NULL, AF_INET, v4, 3000, 4, true), 3);
	assert_int_equal(pack_and_check(NULL, AF_INET6, v6, 1000, 7, true), 2);
	attrs_unref(pool, a4);
	attrs_unref(pool, a6);
	attrs_unref(pool, a4ll);
}

static void test_action_names(void **state)
{
	assert_string_equal(update_action_name(UPDATE_OK), "ok");
	assert_string_equal(update_action_name(UPDATE_ATTR_DISCARD), "attribute-discard");
	assert_string_equal(update_action_name(UPDATE_TREAT_AS_WITHDRAW), "treat-as-withdraw");
	assert_string_equal(update_action_name(UPDATE_SESSION_RESET), "session-reset");
	assert_string_equal(update_action_name((enum update_action)9), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_golden_ipv4_all_encode),
		T(test_golden_ipv4_all_decode),
		T(test_roundtrip_ipv4_all),
		T(test_golden_as2),
		T(test_golden_mp_reach_encode),
		T(test_golden_mp_reach_decode),
		T(test_roundtrip_mp),
		T(test_mp_nexthop_forms),
		T(test_golden_withdraw),
		T(test_golden_eor),
		T(test_rfc7606_cases),
		T(test_discard_keeps_the_rest),
		T(test_unknown_sorted),
		T(test_framing_errors),
		T(test_nlri_host_bits),
		T(test_as4_merge),
		T(test_encode_refusals),
		T(test_encode_as4_path_no_confed),
		T(test_packing),
		T(test_action_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
