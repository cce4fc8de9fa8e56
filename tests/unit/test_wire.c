/*
 * Unit tests for the BGP message codec (routerd/bgp/wire.c).
 *
 * Golden messages are written out byte by byte from the RFC layouts
 * (RFC 4271 §4, RFC 5492, RFC 4760 §8, RFC 6793, RFC 8950, RFC 2918,
 * RFC 7313, RFC 9003, RFC 9072) so that encoder and decoder are each checked
 * against the wire format, not only against each other. Every decoder input
 * is copied into a heap buffer of exactly its length, so an over-read shows
 * up under valgrind or ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "routerd/bgp/wire.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 16 octets of all ones (RFC 4271 §4.1) */
#define MARKER                                                                                     \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  \
		0xff

/* ---- helpers ---- */

/* Exact-size heap copy: reading one byte past the end is caught by the tools. */
static uint8_t *dup_exact(const uint8_t *msg, size_t len)
{
	uint8_t *p = test_malloc(len ? len : 1);

	memcpy(p, msg, len);
	return p;
}

static int open_decode_exact(const uint8_t *msg, size_t len, struct bgp_open *o,
			     struct bgp_notify *err)
{
	uint8_t *copy = dup_exact(msg, len);
	int rc = bgp_open_decode(copy, len, o, err);

	test_free(copy);
	return rc;
}

/* The whole message must pass the header check before its decoder sees it. */
static void assert_header(const uint8_t *msg, size_t len, uint8_t type)
{
	struct bgp_header h;
	struct bgp_notify err;

	assert_int_equal(bgp_header_parse(msg, len, BGP_MAX_MSG_LEN, &h, &err), 1);
	assert_int_equal(h.len, len);
	assert_int_equal(h.type, type);
}

static void assert_notify(const struct bgp_notify *n, uint8_t code, uint8_t subcode,
			  const void *data, size_t data_len)
{
	assert_int_equal(n->code, code);
	assert_int_equal(n->subcode, subcode);
	assert_int_equal(n->data_len, data_len);
	if (data_len)
		assert_memory_equal(n->data, data, data_len);
}

/* ---- KEEPALIVE ---- */

static void test_keepalive_golden(void **state)
{
	/* clang-format off */
	static const uint8_t golden[] = {
		MARKER,
		0x00, 0x13,     /* length 19: a KEEPALIVE is the bare header */
		0x04,           /* type KEEPALIVE */
	};
	/* clang-format on */
	uint8_t buf[64];

	assert_int_equal(bgp_keepalive_encode(buf, sizeof(buf)), sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
	assert_header(golden, sizeof(golden), BGP_MSG_KEEPALIVE);
}

/* ---- OPEN golden messages ---- */

/* AS 65001, hold 90, id 10.0.0.1, IPv4 unicast + route refresh + AS4 */
/* clang-format off */
static const uint8_t open_as2_golden[] = {
	MARKER,
	0x00, 0x2d,             /* length 45 = 29 + 16 */
	0x01,                   /* type OPEN */
	0x04,                   /* version 4 */
	0xfd, 0xe9,             /* My AS 65001 */
	0x00, 0x5a,             /* hold time 90 */
	0x0a, 0x00, 0x00, 0x01, /* BGP identifier 10.0.0.1 */
	0x10,                   /* optional parameters length 16 */
	0x02, 0x0e,             /* parameter: Capabilities (2), 14 octets */
	0x01, 0x04,             /* cap MP (1), length 4 */
	0x00, 0x01, 0x00, 0x01, /*   AFI 1 IPv4, reserved, SAFI 1 unicast */
	0x02, 0x00,             /* cap route refresh (2), length 0 */
	0x41, 0x04,             /* cap 4-octet AS (65), length 4 */
	0x00, 0x00, 0xfd, 0xe9, /*   AS 65001 */
};
/* clang-format on */

/*
 * AS 4210000001 (0xfaef8081), hold 180, id 192.0.2.1, IPv4 + IPv6 unicast,
 * route refresh, IPv4 unicast over IPv6 next hop, AS4.
 */
/* clang-format off */
static const uint8_t open_as4_golden[] = {
	MARKER,
	0x00, 0x3b,             /* length 59 = 29 + 30 */
	0x01,                   /* type OPEN */
	0x04,                   /* version 4 */
	0x5b, 0xa0,             /* My AS: AS_TRANS 23456, the real AS does not fit */
	0x00, 0xb4,             /* hold time 180 */
	0xc0, 0x00, 0x02, 0x01, /* BGP identifier 192.0.2.1 */
	0x1e,                   /* optional parameters length 30 */
	0x02, 0x1c,             /* parameter: Capabilities (2), 28 octets */
	0x01, 0x04,             /* cap MP, length 4 */
	0x00, 0x01, 0x00, 0x01, /*   IPv4 unicast */
	0x01, 0x04,             /* cap MP, length 4 */
	0x00, 0x02, 0x00, 0x01, /*   AFI 2 IPv6, reserved, SAFI 1 unicast */
	0x02, 0x00,             /* cap route refresh, length 0 */
	0x05, 0x06,             /* cap extended next hop (5), one 6-octet tuple */
	0x00, 0x01,             /*   NLRI AFI 1 IPv4 */
	0x00, 0x01,             /*   NLRI SAFI 1 unicast (2 octets in RFC 8950) */
	0x00, 0x02,             /*   next hop AFI 2 IPv6 */
	0x41, 0x04,             /* cap 4-octet AS, length 4 */
	0xfa, 0xef, 0x80, 0x81, /*   AS 4210000001 */
};
/* clang-format on */

static void test_open_golden_as2_encode(void **state)
{
	struct bgp_open o = { .my_as = 65001, .hold_time = 90, .bgp_id = 0x0a000001 };
	uint8_t buf[128];

	bgp_caps_local(&o.caps, BGP_AF_IPV4_UNICAST, 0, 65001);
	assert_int_equal(bgp_open_encode(buf, sizeof(buf), &o), sizeof(open_as2_golden));
	assert_memory_equal(buf, open_as2_golden, sizeof(open_as2_golden));
}

static void test_open_golden_as2_decode(void **state)
{
	struct bgp_open o;
	struct bgp_notify err;

	assert_header(open_as2_golden, sizeof(open_as2_golden), BGP_MSG_OPEN);
	assert_int_equal(open_decode_exact(open_as2_golden, sizeof(open_as2_golden), &o, &err), 0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.my_as, 65001);
	assert_int_equal(o.hold_time, 90);
	assert_int_equal(o.bgp_id, 0x0a000001);
	assert_int_equal(o.caps.mp, BGP_AF_IPV4_UNICAST);
	assert_int_equal(o.caps.ext_nexthop, 0);
	assert_true(o.caps.route_refresh);
	assert_false(o.caps.enhanced_rr);
	assert_false(o.caps.ext_message);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65001);
	assert_int_equal(o.caps.unknown, 0);
}

static void test_open_golden_as4_encode(void **state)
{
	struct bgp_open o = { .my_as = BGP_AS_TRANS, .hold_time = 180, .bgp_id = 0xc0000201 };
	uint8_t buf[128];

	bgp_caps_local(&o.caps, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST, BGP_AF_IPV4_UNICAST,
		       4210000001u);
	assert_int_equal(bgp_open_encode(buf, sizeof(buf), &o), sizeof(open_as4_golden));
	assert_memory_equal(buf, open_as4_golden, sizeof(open_as4_golden));

	/* The encoder derives the 2-octet field itself; a stale my_as does not leak. */
	o.my_as = 12345;
	assert_int_equal(bgp_open_encode(buf, sizeof(buf), &o), sizeof(open_as4_golden));
	assert_memory_equal(buf, open_as4_golden, sizeof(open_as4_golden));
}

static void test_open_golden_as4_decode(void **state)
{
	struct bgp_open o;
	struct bgp_notify err;
	struct bgp_open_expect x = { .local_as = 65001,
				     .local_id = 0x0a000001,
				     .mode = BGP_REMOTE_AS_NUMBER,
				     .remote_as = 4210000001u };
	uint32_t peer_as = 0;

	assert_header(open_as4_golden, sizeof(open_as4_golden), BGP_MSG_OPEN);
	assert_int_equal(open_decode_exact(open_as4_golden, sizeof(open_as4_golden), &o, &err), 0);
	assert_int_equal(o.my_as, BGP_AS_TRANS);
	assert_int_equal(o.hold_time, 180);
	assert_int_equal(o.bgp_id, 0xc0000201);
	assert_int_equal(o.caps.mp, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST);
	assert_int_equal(o.caps.ext_nexthop, BGP_AF_IPV4_UNICAST);
	assert_true(o.caps.route_refresh);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 4210000001u);
	assert_int_equal(o.caps.unknown, 0);

	assert_int_equal(bgp_open_validate(&o, &x, &peer_as, &err), 0);
	assert_int_equal(peer_as, 4210000001u);
}

/* ---- OPENs shaped like those of other daemons ---- */

/*
 * FRR's layout: every capability in its own Capabilities parameter, with
 * several we do not implement (64 graceful restart, 69 ADD-PATH, 71
 * long-lived GR, 73 FQDN) next to the old and new route refresh codes.
 */
/* clang-format off */
static const uint8_t open_frr_style[] = {
	MARKER,
	0x00, 0x6c,                                     /* length 108 = 29 + 79 */
	0x01,                                           /* OPEN */
	0x04,                                           /* version */
	0xfd, 0xea,                                     /* AS 65002 */
	0x00, 0xb4,                                     /* hold 180 */
	0x0a, 0x00, 0x00, 0x02,                         /* id 10.0.0.2 */
	0x4f,                                           /* optional parameters length 79 */
	0x02, 0x06,                                     /* param Capabilities, 6 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01,             /* MP IPv4 unicast */
	0x02, 0x06,                                     /* param Capabilities, 6 */
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01,             /* MP IPv6 unicast */
	0x02, 0x02,                                     /* param Capabilities, 2 */
	0x80, 0x00,                                     /* route refresh, old code 128 */
	0x02, 0x02,                                     /* param Capabilities, 2 */
	0x02, 0x00,                                     /* route refresh (2) */
	0x02, 0x02,                                     /* param Capabilities, 2 */
	0x46, 0x00,                                     /* enhanced route refresh (70) */
	0x02, 0x06,                                     /* param Capabilities, 6 */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xea,             /* AS4 65002 */
	0x02, 0x06,                                     /* param Capabilities, 6 */
	0x45, 0x04, 0x00, 0x01, 0x01, 0x01,             /* ADD-PATH (69): IPv4 unicast, receive */
	0x02, 0x09,                                     /* param Capabilities, 9 */
	0x49, 0x07,                                     /* FQDN (73), 7 */
	0x05, 'r', 't', 'r', '-', '1',                  /*   hostname length 5, "rtr-1" */
	0x00,                                           /*   domain name length 0 */
	0x02, 0x04,                                     /* param Capabilities, 4 */
	0x40, 0x02, 0xc0, 0x78,                         /* graceful restart (64): R+N flags, 120 s */
	0x02, 0x02,                                     /* param Capabilities, 2 */
	0x06, 0x00,                                     /* extended message (6) */
	0x02, 0x08,                                     /* param Capabilities, 8 */
	0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, /* ext next hop IPv4/uni/IPv6 */
	0x02, 0x02,                                     /* param Capabilities, 2 */
	0x47, 0x00,                                     /* long-lived GR (71), no AFIs */
};
/* clang-format on */

static void test_open_frr_style(void **state)
{
	struct bgp_open o;
	struct bgp_notify err;

	assert_header(open_frr_style, sizeof(open_frr_style), BGP_MSG_OPEN);
	assert_int_equal(open_decode_exact(open_frr_style, sizeof(open_frr_style), &o, &err), 0);
	assert_int_equal(o.my_as, 65002);
	assert_int_equal(o.hold_time, 180);
	assert_int_equal(o.bgp_id, 0x0a000002);
	assert_int_equal(o.caps.mp, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST);
	assert_int_equal(o.caps.ext_nexthop, BGP_AF_IPV4_UNICAST);
	assert_true(o.caps.route_refresh);
	assert_true(o.caps.enhanced_rr);
	assert_true(o.caps.ext_message);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65002);
	assert_int_equal(o.caps.unknown, 4); /* 69, 73, 64, 71 */
}

/*
 * The single-parameter layout (as BIRD sends it), with graceful restart
 * in the middle, an MP capability for a family we do not run (AFI 25
 * L2VPN, SAFI 70 EVPN) and only the old route refresh code.
 */
/* clang-format off */
static const uint8_t open_single_param_style[] = {
	MARKER,
	0x00, 0x3b,                         /* length 59 = 29 + 30 */
	0x01,                               /* OPEN */
	0x04,                               /* version */
	0xfd, 0xeb,                         /* AS 65003 */
	0x00, 0x00,                         /* hold 0: no keepalives at all, legal */
	0x0a, 0x00, 0x00, 0x03,             /* id 10.0.0.3 */
	0x1e,                               /* optional parameters length 30 */
	0x02, 0x1c,                         /* param Capabilities, 28 */
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01, /* MP IPv6 unicast */
	0x01, 0x04, 0x00, 0x19, 0x00, 0x46, /* MP L2VPN EVPN: known code, unknown family */
	0x80, 0x00,                         /* route refresh, old code */
	0x40, 0x02, 0x00, 0x78,             /* graceful restart, 120 s */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xeb, /* AS4 65003 */
	0x46, 0x00,                         /* enhanced route refresh */
	0x05, 0x00,                         /* extended next hop with no tuples */
};
/* clang-format on */

static void test_open_single_param_style(void **state)
{
	struct bgp_open o;
	struct bgp_notify err;

	assert_header(open_single_param_style, sizeof(open_single_param_style), BGP_MSG_OPEN);
	assert_int_equal(open_decode_exact(open_single_param_style, sizeof(open_single_param_style),
					   &o, &err),
			 0);
	assert_int_equal(o.hold_time, 0);
	assert_int_equal(o.caps.mp, BGP_AF_IPV6_UNICAST);
	assert_int_equal(o.caps.ext_nexthop, 0);
	assert_true(o.caps.route_refresh);
	assert_true(o.caps.enhanced_rr);
	assert_int_equal(o.caps.as4_asn, 65003);
	assert_int_equal(o.caps.unknown, 1); /* graceful restart */
}

/* RFC 9072: Non-Ext OP Len 255, Non-Ext OP Type 255, 2-octet lengths. */
/* clang-format off */
static const uint8_t open_ext_params[] = {
	MARKER,
	0x00, 0x2b,                         /* length 43 = 28 + 4 + 11 */
	0x01,                               /* OPEN */
	0x04,                               /* version */
	0xfd, 0xec,                         /* AS 65004 */
	0x00, 0x5a,                         /* hold 90 */
	0x0a, 0x00, 0x00, 0x04,             /* id 10.0.0.4 */
	0xff,                               /* Non-Ext OP Len: 255, ignored once the format is known */
	0xff,                               /* Non-Ext OP Type 255: extended format */
	0x00, 0x0b,                         /* Extended Opt. Parm. Length 11 */
	0x02, 0x00, 0x08,                   /* param Capabilities, 2-octet length 8 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* MP IPv4 unicast */
	0x02, 0x00,                         /* route refresh */
};
/* clang-format on */

static void test_open_rfc9072(void **state)
{
	uint8_t msg[sizeof(open_ext_params)];
	struct bgp_open o;
	struct bgp_notify err;

	assert_header(open_ext_params, sizeof(open_ext_params), BGP_MSG_OPEN);
	assert_int_equal(open_decode_exact(open_ext_params, sizeof(open_ext_params), &o, &err), 0);
	assert_int_equal(o.my_as, 65004);
	assert_int_equal(o.caps.mp, BGP_AF_IPV4_UNICAST);
	assert_true(o.caps.route_refresh);
	assert_false(o.caps.as4);

	/* Any non-zero Non-Ext OP Len followed by type 255 means the same. */
	memcpy(msg, open_ext_params, sizeof(msg));
	msg[28] = 0x01;
	assert_int_equal(open_decode_exact(msg, sizeof(msg), &o, &err), 0);
	assert_int_equal(o.caps.mp, BGP_AF_IPV4_UNICAST);
}

static void test_open_no_params(void **state)
{
	/* clang-format off */
	static const uint8_t msg[] = {
		MARKER,
		0x00, 0x1d, 0x01,             /* length 29, OPEN */
		0x04, 0xfd, 0xe9, 0x00, 0x5a, /* version 4, AS 65001, hold 90 */
		0x0a, 0x00, 0x00, 0x01, 0x00, /* id 10.0.0.1, no optional parameters */
	};
	/* clang-format on */
	struct bgp_open o;
	struct bgp_notify err;
	uint8_t buf[64];

	assert_int_equal(open_decode_exact(msg, sizeof(msg), &o, &err), 0);
	assert_int_equal(o.caps.mp, 0);
	assert_false(o.caps.as4);

	/* And no capabilities encode to no parameter at all, in exactly 29 octets. */
	assert_int_equal(bgp_open_encode(buf, sizeof(msg), &o), sizeof(msg));
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(bgp_open_encode(buf, sizeof(msg) - 1, &o), 0);
}

/* Encode, decode, compare, for every combination of what we can announce. */
static void test_open_roundtrip(void **state)
{
	static const uint32_t asns[] = { 65001, 4210000001u, 65535, 65536 };

	for (unsigned int bits = 0; bits < 128; bits++) {
		for (size_t a = 0; a < ARRAY_SIZE(asns); a++) {
			struct bgp_open in = { .my_as = 64512, .hold_time = 9, .bgp_id = 1 };
			struct bgp_open out;
			struct bgp_notify err;
			uint8_t buf[128];
			size_t len;

			in.caps.mp = bits & 3;
			in.caps.ext_nexthop = bits & 4 ? BGP_AF_IPV4_UNICAST : 0;
			in.caps.route_refresh = bits & 8;
			in.caps.ext_message = bits & 16;
			in.caps.enhanced_rr = bits & 32;
			in.caps.as4 = bits & 64;
			in.caps.as4_asn = in.caps.as4 ? asns[a] : 0;

			len = bgp_open_encode(buf, sizeof(buf), &in);
			assert_true(len >= BGP_OPEN_MIN_LEN);
			assert_header(buf, len, BGP_MSG_OPEN);
			assert_int_equal(open_decode_exact(buf, len, &out, &err), 0);
			assert_memory_equal(&out.caps, &in.caps, sizeof(in.caps));
			if (!in.caps.as4)
				assert_int_equal(out.my_as, 64512);
			else if (asns[a] > 65535)
				assert_int_equal(out.my_as, BGP_AS_TRANS);
			else
				assert_int_equal(out.my_as, asns[a]);
		}
	}
}

/* ---- NOTIFICATION ---- */

/* Cease / Administrative Shutdown with an RFC 9003 shutdown communication */
/* clang-format off */
static const uint8_t notify_golden[] = {
	MARKER,
	0x00, 0x21,             /* length 33 = 21 + 12 */
	0x03,                   /* type NOTIFICATION */
	0x06,                   /* error code 6 Cease */
	0x02,                   /* subcode 2 Administrative Shutdown */
	0x0b,                   /* shutdown communication length 11 */
	'm', 'a', 'i', 'n', 't', 'e', 'n', 'a', 'n', 'c', 'e',
};
/* clang-format on */

static void test_notify_golden(void **state)
{
	struct bgp_notify n, back, err;
	uint8_t buf[64];
	uint8_t *copy;
	char text[128];

	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, "\x0bmaintenance", 12);
	assert_int_equal(bgp_notify_encode(buf, sizeof(buf), &n), sizeof(notify_golden));
	assert_memory_equal(buf, notify_golden, sizeof(notify_golden));

	assert_header(notify_golden, sizeof(notify_golden), BGP_MSG_NOTIFICATION);
	copy = dup_exact(notify_golden, sizeof(notify_golden));
	assert_int_equal(bgp_notify_decode(copy, sizeof(notify_golden), &back, &err), 0);
	test_free(copy);
	assert_notify(&back, 6, 2, "\x0bmaintenance", 12);

	bgp_notify_describe(&back, text, sizeof(text));
	assert_string_equal(text, "Cease/Administrative Shutdown \"maintenance\"");
}

static void test_notify_bad_peer_as_golden(void **state)
{
	/* clang-format off */
	static const uint8_t golden[] = {
		MARKER,
		0x00, 0x17,     /* length 23 = 21 + 2 */
		0x03,           /* NOTIFICATION */
		0x02,           /* OPEN Message Error */
		0x02,           /* Bad Peer AS */
		0xfd, 0xe9,     /* data: the My AS field received, 65001 */
	};
	/* clang-format on */
	struct bgp_notify n, back, err;
	uint8_t buf[64];

	bgp_notify_set(&n, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_AS, "\xfd\xe9", 2);
	assert_int_equal(bgp_notify_encode(buf, sizeof(buf), &n), sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
	assert_int_equal(bgp_notify_decode(golden, sizeof(golden), &back, &err), 0);
	assert_notify(&back, 2, 2, "\xfd\xe9", 2);
}

static void test_notify_no_data(void **state)
{
	/* clang-format off */
	static const uint8_t golden[] = {
		MARKER,
		0x00, 0x15, 0x03, /* length 21, NOTIFICATION */
		0x04, 0x00,       /* Hold Timer Expired, subcode 0 */
	};
	/* clang-format on */
	struct bgp_notify n, back, err;
	uint8_t buf[64];

	bgp_notify_set(&n, BGP_ERR_HOLD, 0, NULL, 0);
	assert_int_equal(bgp_notify_encode(buf, sizeof(buf), &n), sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
	assert_int_equal(bgp_notify_decode(golden, sizeof(golden), &back, &err), 0);
	assert_notify(&back, 4, 0, NULL, 0);
}

/* Data beyond what struct bgp_notify holds is cut, not an error. */
static void test_notify_long_data_truncated(void **state)
{
	uint8_t *msg = test_malloc(BGP_MAX_MSG_LEN);
	struct bgp_notify n, err;

	memset(msg, 0xff, BGP_HEADER_LEN);
	msg[16] = 0x10; /* length 4096 */
	msg[17] = 0x00;
	msg[18] = BGP_MSG_NOTIFICATION;
	msg[19] = BGP_ERR_CEASE;
	msg[20] = BGP_CEASE_OUT_OF_RESOURCES;
	for (size_t i = 21; i < BGP_MAX_MSG_LEN; i++)
		msg[i] = (uint8_t)i;
	assert_header(msg, BGP_MAX_MSG_LEN, BGP_MSG_NOTIFICATION);
	assert_int_equal(bgp_notify_decode(msg, BGP_MAX_MSG_LEN, &n, &err), 0);
	assert_notify(&n, 6, 8, msg + 21, BGP_NOTIFY_DATA_MAX);
	test_free(msg);
}

static void test_notify_set(void **state)
{
	uint8_t big[BGP_NOTIFY_DATA_MAX + 10];
	struct bgp_notify n;

	memset(big, 0x5a, sizeof(big));
	bgp_notify_set(&n, 1, 2, big, sizeof(big));
	assert_notify(&n, 1, 2, big, BGP_NOTIFY_DATA_MAX);

	/* NULL data means no data, whatever the length says. */
	bgp_notify_set(&n, 6, 4, NULL, 12);
	assert_notify(&n, 6, 4, NULL, 0);
}

/* ---- ROUTE-REFRESH ---- */

static void test_route_refresh_golden(void **state)
{
	/* clang-format off */
	static const uint8_t golden[] = {
		MARKER,
		0x00, 0x17,     /* length 23 */
		0x05,           /* type ROUTE-REFRESH */
		0x00, 0x02,     /* AFI 2 IPv6 */
		0x00,           /* subtype 0: normal request (RFC 7313; reserved in RFC 2918) */
		0x01,           /* SAFI 1 unicast */
	};
	/* clang-format on */
	/* clang-format off */
	static const uint8_t borr_golden[] = {
		MARKER,
		0x00, 0x17, 0x05, 0x00, 0x01, /* AFI 1 IPv4 */
		0x01,                         /* subtype 1: Beginning of Route Refresh */
		0x01,                         /* SAFI 1 */
	};
	/* clang-format on */
	struct bgp_route_refresh rr = { .afi = BGP_AFI_IPV6,
					.subtype = BGP_RR_NORMAL,
					.safi = BGP_SAFI_UNICAST };
	struct bgp_route_refresh back;
	struct bgp_notify err;
	uint8_t buf[64];

	assert_int_equal(bgp_route_refresh_encode(buf, sizeof(buf), &rr), sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
	assert_header(golden, sizeof(golden), BGP_MSG_ROUTE_REFRESH);
	assert_int_equal(bgp_route_refresh_decode(golden, sizeof(golden), &back, &err), 0);
	assert_int_equal(back.afi, BGP_AFI_IPV6);
	assert_int_equal(back.subtype, BGP_RR_NORMAL);
	assert_int_equal(back.safi, BGP_SAFI_UNICAST);

	rr = (struct bgp_route_refresh){ .afi = BGP_AFI_IPV4, .subtype = BGP_RR_BORR, .safi = 1 };
	assert_int_equal(bgp_route_refresh_encode(buf, sizeof(buf), &rr), sizeof(borr_golden));
	assert_memory_equal(buf, borr_golden, sizeof(borr_golden));
	assert_int_equal(bgp_route_refresh_decode(borr_golden, sizeof(borr_golden), &back, &err),
			 0);
	assert_int_equal(back.subtype, BGP_RR_BORR);
}

/* ---- encoders never write past cap ---- */

static size_t encode_open_as4(uint8_t *buf, size_t cap)
{
	struct bgp_open o = { .hold_time = 180, .bgp_id = 0xc0000201 };

	bgp_caps_local(&o.caps, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST, BGP_AF_IPV4_UNICAST,
		       4210000001u);
	return bgp_open_encode(buf, cap, &o);
}

static size_t encode_keepalive(uint8_t *buf, size_t cap)
{
	return bgp_keepalive_encode(buf, cap);
}

static size_t encode_notify(uint8_t *buf, size_t cap)
{
	struct bgp_notify n;

	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, "\x0bmaintenance", 12);
	return bgp_notify_encode(buf, cap, &n);
}

static size_t encode_rr(uint8_t *buf, size_t cap)
{
	struct bgp_route_refresh rr = { .afi = 1, .safi = 1 };

	return bgp_route_refresh_encode(buf, cap, &rr);
}

static void test_encode_short_buffer(void **state)
{
	static size_t (*const encoders[])(uint8_t *, size_t) = {
		encode_open_as4,
		encode_keepalive,
		encode_notify,
		encode_rr,
	};

	for (size_t e = 0; e < ARRAY_SIZE(encoders); e++) {
		uint8_t buf[128];
		size_t full = encoders[e](buf, sizeof(buf));

		assert_true(full > 0);
		for (size_t cap = 0; cap < full; cap++) {
			memset(buf, 0xcc, sizeof(buf));
			assert_int_equal(encoders[e](buf, cap), 0);
			for (size_t i = cap; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xcc);
		}
		assert_int_equal(encoders[e](buf, full), full);
	}
}

/* ---- header ---- */

static void test_header_truncated(void **state)
{
	static const uint8_t ka[] = { MARKER, 0x00, 0x13, 0x04 };
	struct bgp_header h;
	struct bgp_notify err;

	/* Too few bytes to judge: wait for more, even if the marker is already wrong. */
	for (size_t avail = 0; avail < BGP_HEADER_LEN; avail++)
		assert_int_equal(bgp_header_parse(ka, avail, BGP_MAX_MSG_LEN, &h, &err), 0);
	assert_int_equal(bgp_header_parse(ka, sizeof(ka), BGP_MAX_MSG_LEN, &h, &err), 1);
}

/* The header only needs its 19 bytes: the body may still be on its way. */
static void test_header_body_not_needed(void **state)
{
	static const uint8_t upd[] = { MARKER, 0x01, 0x00, 0x02 }; /* UPDATE, length 256 */
	struct bgp_header h;
	struct bgp_notify err;

	assert_int_equal(bgp_header_parse(upd, sizeof(upd), BGP_MAX_MSG_LEN, &h, &err), 1);
	assert_int_equal(h.len, 256);
	assert_int_equal(h.type, BGP_MSG_UPDATE);
}

/* RFC 8654: once extended messages are agreed, up to 65535 octets. */
static void test_header_ext_message(void **state)
{
	static const uint8_t upd[] = { MARKER, 0x13, 0x88, 0x02 }; /* UPDATE, length 5000 */
	struct bgp_header h;
	struct bgp_notify err;

	assert_int_equal(bgp_header_parse(upd, sizeof(upd), BGP_EXT_MAX_MSG_LEN, &h, &err), 1);
	assert_int_equal(h.len, 5000);
	assert_int_equal(bgp_header_parse(upd, sizeof(upd), BGP_MAX_MSG_LEN, &h, &err), -1);
	assert_notify(&err, 1, 2, "\x13\x88", 2);
}

/* ---- malformed messages: each is its own test, named after the case ---- */

struct bad_case {
	const char *name;
	uint8_t msg[48];
	size_t len;
	uint8_t code;
	uint8_t subcode;
	uint8_t data[4];
	size_t data_len;
	bool data_is_msg; /* the NOTIFICATION data is the whole message */
};

#define BAD(n, c, s, d, dl, ...)                                                                   \
	{                                                                                          \
		.name = n, .msg = { __VA_ARGS__ }, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),      \
		.code = c, .subcode = s, .data = d, .data_len = dl,                                \
	}

/* version 4, AS 65001, hold 90, id 10.0.0.1: the fixed part of a valid OPEN */
#define OPEN_FIXED 0x04, 0xfd, 0xe9, 0x00, 0x5a, 0x0a, 0x00, 0x00, 0x01

static const struct bad_case bad_cases[] = {
	/* header (RFC 4271 §6.1) */
	BAD("bad marker", 1, 1, "", 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x04),
	BAD("length 18", 1, 2, "\x00\x12", 2, MARKER, 0x00, 0x12, 0x04),
	BAD("length 4097", 1, 2, "\x10\x01", 2, MARKER, 0x10, 0x01, 0x02),
	BAD("length 65535 type UPDATE", 1, 2, "\xff\xff", 2, MARKER, 0xff, 0xff, 0x02),
	BAD("KEEPALIVE of length 20", 1, 2, "\x00\x14", 2, MARKER, 0x00, 0x14, 0x04, 0x00),
	BAD("OPEN of length 28", 1, 2, "\x00\x1c", 2, MARKER, 0x00, 0x1c, 0x01, 0x04, 0xfd, 0xe9,
	    0x00, 0x5a, 0x0a, 0x00, 0x00, 0x01),
	BAD("UPDATE of length 22", 1, 2, "\x00\x16", 2, MARKER, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00),
	BAD("NOTIFICATION of length 20", 1, 2, "\x00\x14", 2, MARKER, 0x00, 0x14, 0x03, 0x06),
	BAD("ROUTE-REFRESH of length 22", 1, 2, "\x00\x16", 2, MARKER, 0x00, 0x16, 0x05, 0x00, 0x01,
	    0x00),
	BAD("unknown type 7", 1, 3, "\x07", 1, MARKER, 0x00, 0x13, 0x07),
	BAD("unknown type 0", 1, 3, "\x00", 1, MARKER, 0x00, 0x13, 0x00),

	/* OPEN fixed fields (RFC 4271 §6.2) */
	BAD("version 3", 2, 1, "\x00\x04", 2, MARKER, 0x00, 0x1d, 0x01, 0x03, 0xfd, 0xe9, 0x00,
	    0x5a, 0x0a, 0x00, 0x00, 0x01, 0x00),
	BAD("hold time 1", 2, 6, "", 0, MARKER, 0x00, 0x1d, 0x01, 0x04, 0xfd, 0xe9, 0x00, 0x01,
	    0x0a, 0x00, 0x00, 0x01, 0x00),
	BAD("hold time 2", 2, 6, "", 0, MARKER, 0x00, 0x1d, 0x01, 0x04, 0xfd, 0xe9, 0x00, 0x02,
	    0x0a, 0x00, 0x00, 0x01, 0x00),
	BAD("BGP identifier 0", 2, 3, "", 0, MARKER, 0x00, 0x1d, 0x01, 0x04, 0xfd, 0xe9, 0x00, 0x5a,
	    0x00, 0x00, 0x00, 0x00, 0x00),

	/* OPEN optional parameters */
	BAD("opt param length overruns the message", 2, 0, "", 0, MARKER, 0x00, 0x21, 0x01,
	    OPEN_FIXED, 0x0a, /* claims 10 octets, 4 follow */
	    0x02, 0x02, 0x02, 0x00),
	BAD("opt param length short of the message", 2, 0, "", 0, MARKER, 0x00, 0x1f, 0x01,
	    OPEN_FIXED, 0x00, /* claims none, 2 follow */
	    0x02, 0x00),
	BAD("opt param value overruns opt params", 2, 0, "", 0, MARKER, 0x00, 0x21, 0x01,
	    OPEN_FIXED, 0x04, 0x02, 0x05, /* param claims 5, 2 follow */
	    0x02, 0x00),
	BAD("opt param header cut", 2, 0, "", 0, MARKER, 0x00, 0x1e, 0x01, OPEN_FIXED, 0x01, 0x02),
	BAD("capability length overruns the parameter", 2, 0, "", 0, MARKER, 0x00, 0x21, 0x01,
	    OPEN_FIXED, 0x04, 0x02, 0x02, /* param of 2 */
	    0x01, 0x06),		  /* MP claiming 6 */
	BAD("capability header cut", 2, 0, "", 0, MARKER, 0x00, 0x20, 0x01, OPEN_FIXED, 0x03, 0x02,
	    0x01, 0x41),
	BAD("AS4 capability of length 2", 2, 0, "", 0, MARKER, 0x00, 0x23, 0x01, OPEN_FIXED, 0x06,
	    0x02, 0x04, 0x41, 0x02, 0xfd, 0xe9),
	BAD("MP capability of length 1", 2, 0, "", 0, MARKER, 0x00, 0x22, 0x01, OPEN_FIXED, 0x05,
	    0x02, 0x03, 0x01, 0x01, 0x00),
	BAD("route refresh capability of length 1", 2, 0, "", 0, MARKER, 0x00, 0x22, 0x01,
	    OPEN_FIXED, 0x05, 0x02, 0x03, 0x02, 0x01, 0x00),
	BAD("extended next hop of 4 octets", 2, 0, "", 0, MARKER, 0x00, 0x25, 0x01, OPEN_FIXED,
	    0x08, 0x02, 0x06, 0x05, 0x04, 0x00, 0x01, 0x00, 0x01),
	BAD("opt param type 1 (authentication)", 2, 4, "", 0, MARKER, 0x00, 0x21, 0x01, OPEN_FIXED,
	    0x04, 0x01, 0x02, 0xaa, 0xbb),
	BAD("opt param type 3", 2, 4, "", 0, MARKER, 0x00, 0x1f, 0x01, OPEN_FIXED, 0x02, 0x03,
	    0x00),
	BAD("RFC 9072 length overruns the message", 2, 0, "", 0, MARKER, 0x00, 0x20, 0x01,
	    OPEN_FIXED, 0xff, 0xff, 0x00, 0x10),
	BAD("RFC 9072 length field cut", 2, 0, "", 0, MARKER, 0x00, 0x1f, 0x01, OPEN_FIXED, 0xff,
	    0xff, 0x00),
	BAD("RFC 9072 parameter overruns", 2, 0, "", 0, MARKER, 0x00, 0x23, 0x01, OPEN_FIXED, 0xff,
	    0xff, 0x00, 0x03, 0x02, 0x00, 0x09),

	/* ROUTE-REFRESH (RFC 7313 §5): the data is the whole message */
	{
		.name = "ROUTE-REFRESH of length 24",
		.msg = { MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x00, 0x01, 0xee },
		.len = 24,
		.code = 7,
		.subcode = 1,
		.data_is_msg = true,
	},
};

/* What the session does: header first, then the decoder of the type. */
static int decode_as_session(const uint8_t *msg, size_t len, struct bgp_notify *err)
{
	struct bgp_header h;
	struct bgp_open o;
	struct bgp_notify n;
	struct bgp_route_refresh rr;
	int rc = bgp_header_parse(msg, len, BGP_MAX_MSG_LEN, &h, err);

	if (rc != 1)
		return rc;
	/* Cases with a valid header carry their whole body: keep them honest. */
	assert_int_equal(h.len, len);
	switch (h.type) {
	case BGP_MSG_OPEN:
		return bgp_open_decode(msg, h.len, &o, err);
	case BGP_MSG_NOTIFICATION:
		return bgp_notify_decode(msg, h.len, &n, err);
	case BGP_MSG_ROUTE_REFRESH:
		return bgp_route_refresh_decode(msg, h.len, &rr, err);
	default:
		return 0;
	}
}

static void run_bad_case(void **state)
{
	const struct bad_case *c = *state;
	uint8_t *msg = dup_exact(c->msg, c->len);
	struct bgp_notify err;

	memset(&err, 0xaa, sizeof(err));
	assert_int_equal(decode_as_session(msg, c->len, &err), -1);
	if (c->data_is_msg)
		assert_notify(&err, c->code, c->subcode, c->msg, c->len);
	else
		assert_notify(&err, c->code, c->subcode, c->data, c->data_len);
	test_free(msg);
}

/* ---- OPEN validation against configuration ---- */

static struct bgp_open open_from(uint16_t my_as, bool as4, uint32_t as4_asn, uint32_t id)
{
	struct bgp_open o = { .version = 4, .my_as = my_as, .hold_time = 90, .bgp_id = id };

	o.caps.as4 = as4;
	o.caps.as4_asn = as4_asn;
	return o;
}

struct validate_case {
	const char *what;
	struct bgp_open open;
	struct bgp_open_expect expect;
	int rc;
	uint32_t peer_as; /* when rc == 0 */
	uint8_t subcode;  /* when rc == -1 */
	uint8_t data[2];  /* the My AS field, for 2/2 */
	size_t data_len;
};

#define V_OK(as)	 .rc = 0, .peer_as = (as)
#define V_BAD_AS(hi, lo) .rc = -1, .subcode = BGP_ERR_OPEN_BAD_AS, .data = { hi, lo }, .data_len = 2
#define V_BAD_ID	 .rc = -1, .subcode = BGP_ERR_OPEN_BAD_ID

static void test_open_validate(void **state)
{
	const struct validate_case cases[] = {
		{ .what = "number: match",
		  .open = open_from(65002, true, 65002, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 65002 },
		  V_OK(65002) },
		{ .what = "number: mismatch",
		  .open = open_from(65003, true, 65003, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 65002 },
		  V_BAD_AS(0xfd, 0xeb) },
		{ .what = "number: no AS4 capability, 2-octet AS",
		  .open = open_from(65002, false, 0, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 65002 },
		  V_OK(65002) },
		{ .what = "number: AS4 capability overrides AS_TRANS",
		  .open = open_from(BGP_AS_TRANS, true, 4210000001u, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 4210000001u },
		  V_OK(4210000001u) },
		{ .what = "number: AS_TRANS without AS4 is AS 23456",
		  .open = open_from(BGP_AS_TRANS, false, 0, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 4210000001u },
		  V_BAD_AS(0x5b, 0xa0) },
		{ .what = "number: AS4 capability disagrees",
		  .open = open_from(BGP_AS_TRANS, true, 4210000002u, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 4210000001u },
		  V_BAD_AS(0x5b, 0xa0) },
		{ .what = "internal: match",
		  .open = open_from(65001, true, 65001, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_INTERNAL, 0 },
		  V_OK(65001) },
		{ .what = "internal: mismatch",
		  .open = open_from(65002, true, 65002, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_INTERNAL, 0 },
		  V_BAD_AS(0xfd, 0xea) },
		{ .what = "internal: AS4 capability decides, not the 2-octet field",
		  .open = open_from(65001, true, 65099, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_INTERNAL, 0 },
		  V_BAD_AS(0xfd, 0xe9) },
		{ .what = "external: any other AS",
		  .open = open_from(65002, true, 65002, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_EXTERNAL, 0 },
		  V_OK(65002) },
		{ .what = "external: our own AS",
		  .open = open_from(65001, true, 65001, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_EXTERNAL, 0 },
		  V_BAD_AS(0xfd, 0xe9) },
		{ .what = "external: our own 4-octet AS behind AS_TRANS",
		  .open = open_from(BGP_AS_TRANS, true, 4210000001u, 2),
		  .expect = { 4210000001u, 1, BGP_REMOTE_AS_EXTERNAL, 0 },
		  V_BAD_AS(0x5b, 0xa0) },
		{ .what = "external: AS 0 (RFC 7607)",
		  .open = open_from(0, false, 0, 2),
		  .expect = { 65001, 1, BGP_REMOTE_AS_EXTERNAL, 0 },
		  V_BAD_AS(0x00, 0x00) },
		{ .what = "iBGP with our identifier",
		  .open = open_from(65001, true, 65001, 1),
		  .expect = { 65001, 1, BGP_REMOTE_AS_INTERNAL, 0 },
		  V_BAD_ID },
		{ .what = "iBGP by number with our identifier",
		  .open = open_from(65001, true, 65001, 1),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 65001 },
		  V_BAD_ID },
		{ .what = "eBGP with our identifier is allowed (RFC 6286)",
		  .open = open_from(65002, true, 65002, 1),
		  .expect = { 65001, 1, BGP_REMOTE_AS_NUMBER, 65002 },
		  V_OK(65002) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct validate_case *c = &cases[i];
		uint32_t peer_as = 0xdeadbeef;
		struct bgp_notify err;
		int rc;

		print_message("validate: %s\n", c->what);
		rc = bgp_open_validate(&c->open, &c->expect, &peer_as, &err);
		assert_int_equal(rc, c->rc);
		if (rc == 0)
			assert_int_equal(peer_as, c->peer_as);
		else
			assert_notify(&err, BGP_ERR_OPEN, c->subcode, c->data, c->data_len);
	}
}

/* ---- capability sets ---- */

static void test_caps_local(void **state)
{
	struct bgp_caps c;

	memset(&c, 0xff, sizeof(c));
	bgp_caps_local(&c, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST, BGP_AF_IPV4_UNICAST,
		       4210000001u);
	assert_int_equal(c.mp, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST);
	assert_int_equal(c.ext_nexthop, BGP_AF_IPV4_UNICAST);
	assert_true(c.route_refresh);
	assert_false(c.enhanced_rr);
	assert_false(c.ext_message);
	assert_true(c.as4);
	assert_int_equal(c.as4_asn, 4210000001u);
	assert_int_equal(c.unknown, 0);
}

static void test_caps_negotiate(void **state)
{
	struct bgp_caps local, remote, out;

	bgp_caps_local(&local, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST, BGP_AF_IPV4_UNICAST,
		       65001);
	memset(&remote, 0, sizeof(remote));
	remote.mp = BGP_AF_IPV4_UNICAST;
	remote.ext_nexthop = BGP_AF_IPV4_UNICAST;
	remote.enhanced_rr = true;
	remote.ext_message = true;
	remote.as4 = true;
	remote.as4_asn = 4210000001u;
	remote.unknown = 3;

	bgp_caps_negotiate(&local, &remote, &out);
	assert_int_equal(out.mp, BGP_AF_IPV4_UNICAST);
	assert_int_equal(out.ext_nexthop, BGP_AF_IPV4_UNICAST);
	assert_false(out.route_refresh); /* remote did not announce it */
	assert_false(out.enhanced_rr);	 /* we did not */
	assert_false(out.ext_message);	 /* we did not */
	assert_true(out.as4);
	assert_int_equal(out.as4_asn, 4210000001u);

	remote.route_refresh = true;
	remote.as4 = false;
	bgp_caps_negotiate(&local, &remote, &local); /* output may alias an input */
	assert_true(local.route_refresh);
	assert_false(local.as4);
	assert_int_equal(local.mp, BGP_AF_IPV4_UNICAST);
}

/* ---- names and descriptions ---- */

static void test_names(void **state)
{
	assert_string_equal(bgp_msg_type_name(BGP_MSG_OPEN), "OPEN");
	assert_string_equal(bgp_msg_type_name(BGP_MSG_UPDATE), "UPDATE");
	assert_string_equal(bgp_msg_type_name(BGP_MSG_NOTIFICATION), "NOTIFICATION");
	assert_string_equal(bgp_msg_type_name(BGP_MSG_KEEPALIVE), "KEEPALIVE");
	assert_string_equal(bgp_msg_type_name(BGP_MSG_ROUTE_REFRESH), "ROUTE-REFRESH");
	assert_string_equal(bgp_msg_type_name(0), "Unknown");
	assert_string_equal(bgp_msg_type_name(6), "Unknown");
	assert_string_equal(bgp_msg_type_name(255), "Unknown");

	assert_string_equal(bgp_err_code_name(1), "Message Header Error");
	assert_string_equal(bgp_err_code_name(2), "OPEN Message Error");
	assert_string_equal(bgp_err_code_name(3), "UPDATE Message Error");
	assert_string_equal(bgp_err_code_name(4), "Hold Timer Expired");
	assert_string_equal(bgp_err_code_name(5), "Finite State Machine Error");
	assert_string_equal(bgp_err_code_name(6), "Cease");
	assert_string_equal(bgp_err_code_name(7), "ROUTE-REFRESH Message Error");
	assert_string_equal(bgp_err_code_name(0), "Unknown");
	assert_string_equal(bgp_err_code_name(8), "Unknown");

	assert_string_equal(bgp_err_subcode_name(1, 1), "Connection Not Synchronized");
	assert_string_equal(bgp_err_subcode_name(1, 2), "Bad Message Length");
	assert_string_equal(bgp_err_subcode_name(1, 3), "Bad Message Type");
	assert_string_equal(bgp_err_subcode_name(2, 0), "Unspecific");
	assert_string_equal(bgp_err_subcode_name(2, 1), "Unsupported Version Number");
	assert_string_equal(bgp_err_subcode_name(2, 2), "Bad Peer AS");
	assert_string_equal(bgp_err_subcode_name(2, 3), "Bad BGP Identifier");
	assert_string_equal(bgp_err_subcode_name(2, 4), "Unsupported Optional Parameter");
	assert_string_equal(bgp_err_subcode_name(2, 5), "Unknown"); /* deprecated */
	assert_string_equal(bgp_err_subcode_name(2, 6), "Unacceptable Hold Time");
	assert_string_equal(bgp_err_subcode_name(2, 7), "Unsupported Capability");
	assert_string_equal(bgp_err_subcode_name(3, 1), "Malformed Attribute List");
	assert_string_equal(bgp_err_subcode_name(3, 11), "Malformed AS_PATH");
	assert_string_equal(bgp_err_subcode_name(4, 0), "Unspecific");
	assert_string_equal(bgp_err_subcode_name(5, 1),
			    "Receive Unexpected Message in OpenSent State");
	assert_string_equal(bgp_err_subcode_name(5, 2),
			    "Receive Unexpected Message in OpenConfirm State");
	assert_string_equal(bgp_err_subcode_name(5, 3),
			    "Receive Unexpected Message in Established State");
	assert_string_equal(bgp_err_subcode_name(6, 1), "Maximum Number of Prefixes Reached");
	assert_string_equal(bgp_err_subcode_name(6, 2), "Administrative Shutdown");
	assert_string_equal(bgp_err_subcode_name(6, 3), "Peer De-configured");
	assert_string_equal(bgp_err_subcode_name(6, 4), "Administrative Reset");
	assert_string_equal(bgp_err_subcode_name(6, 5), "Connection Rejected");
	assert_string_equal(bgp_err_subcode_name(6, 6), "Other Configuration Change");
	assert_string_equal(bgp_err_subcode_name(6, 7), "Connection Collision Resolution");
	assert_string_equal(bgp_err_subcode_name(6, 8), "Out of Resources");
	assert_string_equal(bgp_err_subcode_name(7, 1), "Invalid Message Length");
	assert_string_equal(bgp_err_subcode_name(6, 200), "Unknown");
	assert_string_equal(bgp_err_subcode_name(0, 0), "Unknown");
	assert_string_equal(bgp_err_subcode_name(99, 1), "Unknown");
}

struct describe_case {
	uint8_t code, subcode;
	const char *data; /* NULL: no data */
	size_t data_len;
	const char *want;
};

static void test_notify_describe(void **state)
{
	static const struct describe_case cases[] = {
		{ 6, 2, NULL, 0, "Cease/Administrative Shutdown" },
		{ 6, 2, "\x0bmaintenance", 12, "Cease/Administrative Shutdown \"maintenance\"" },
		{ 6, 4, "\x0bmaintenance", 12, "Cease/Administrative Reset \"maintenance\"" },
		/* length 0: no communication */
		{ 6, 2, "\x00", 1, "Cease/Administrative Shutdown" },
		/* only subcodes 2 and 4 carry a communication */
		{ 6, 3, "\x02hi", 3, "Cease/Peer De-configured" },
		/* trailing data after the communication is ignored */
		{ 6, 2, "\x02hi!!", 5, "Cease/Administrative Shutdown \"hi\"" },
		/* RFC 9003: malformed communications are never printed */
		{ 6, 2,
		  "\x05"
		  "ab",
		  3, "Cease/Administrative Shutdown (malformed shutdown communication)" },
		{ 6, 2, "\x02\xc3\x28", 3,
		  "Cease/Administrative Shutdown (malformed shutdown communication)" },
		{ 6, 2, "\x02\xc0\xaf", 3, /* overlong '/' */
		  "Cease/Administrative Shutdown (malformed shutdown communication)" },
		{ 6, 2, "\x03\xed\xa0\x80", 4, /* UTF-16 surrogate */
		  "Cease/Administrative Shutdown (malformed shutdown communication)" },
		/* valid UTF-8 passes through whole */
		{ 6, 2, "\x0dWartung \xe2\x80\x93 5", 14,
		  "Cease/Administrative Shutdown \"Wartung \xe2\x80\x93 5\"" },
		{ 6, 2, "\x05\xf0\x9f\x9b\xa0!", 6,
		  "Cease/Administrative Shutdown \"\xf0\x9f\x9b\xa0!\"" },
		/* a peer cannot break out of the quotes or add log lines */
		{ 6, 2, "\x0asay \"hi\"\n\\", 11,
		  "Cease/Administrative Shutdown \"say \\\"hi\\\"\\x0a\\\\\"" },
		{ 6, 2,
		  "\x03"
		  "a\x7f"
		  "b",
		  4, "Cease/Administrative Shutdown \"a\\x7fb\"" },
		{ 6, 4, "\x01x", 2, "Cease/Administrative Reset \"x\"" },
		{ 4, 0, NULL, 0, "Hold Timer Expired" },
		{ 2, 2, "\xfd\xe9", 2, "OPEN Message Error/Bad Peer AS" },
		{ 1, 2, "\x00\x12", 2, "Message Header Error/Bad Message Length" },
		{ 5, 1, NULL, 0,
		  "Finite State Machine Error/Receive Unexpected Message in OpenSent State" },
		{ 7, 1, NULL, 0, "ROUTE-REFRESH Message Error/Invalid Message Length" },
		{ 6, 0, NULL, 0, "Cease" },
		{ 6, 99, NULL, 0, "Cease/Unknown (99)" },
		{ 42, 1, NULL, 0, "Unknown (code 42, subcode 1)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bgp_notify n;
		char out[300];

		bgp_notify_set(&n, cases[i].code, cases[i].subcode, cases[i].data,
			       cases[i].data_len);
		bgp_notify_describe(&n, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_notify_describe_full_length(void **state)
{
	uint8_t data[BGP_NOTIFY_DATA_MAX];
	struct bgp_notify n;
	char out[400];

	/* The longest communication RFC 9003 allows: 255 octets. */
	data[0] = 255;
	memset(data + 1, 'x', 255);
	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, data, sizeof(data));
	bgp_notify_describe(&n, out, sizeof(out));
	assert_int_equal(strlen(out), strlen("Cease/Administrative Shutdown \"\"") + 255);
}

static void test_notify_describe_truncates(void **state)
{
	struct bgp_notify n;
	char out[64];

	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, NULL, 0);
	memset(out, 'Z', sizeof(out));
	bgp_notify_describe(&n, out, 10);
	assert_string_equal(out, "Cease/Adm");
	assert_int_equal(out[10], 'Z');

	bgp_notify_describe(&n, out, 1);
	assert_string_equal(out, "");

	out[0] = 'Z';
	bgp_notify_describe(&n, out, 0);
	assert_int_equal(out[0], 'Z');

	/* A character is never split: "é" (2 octets) does not fit, so it goes whole. */
	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, "\x02\xc3\xa9", 3);
	memset(out, 'Z', sizeof(out));
	bgp_notify_describe(&n, out, 33);
	assert_string_equal(out, "Cease/Administrative Shutdown \"");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_keepalive_golden),
		cmocka_unit_test(test_open_golden_as2_encode),
		cmocka_unit_test(test_open_golden_as2_decode),
		cmocka_unit_test(test_open_golden_as4_encode),
		cmocka_unit_test(test_open_golden_as4_decode),
		cmocka_unit_test(test_open_frr_style),
		cmocka_unit_test(test_open_single_param_style),
		cmocka_unit_test(test_open_rfc9072),
		cmocka_unit_test(test_open_no_params),
		cmocka_unit_test(test_open_roundtrip),
		cmocka_unit_test(test_notify_golden),
		cmocka_unit_test(test_notify_bad_peer_as_golden),
		cmocka_unit_test(test_notify_no_data),
		cmocka_unit_test(test_notify_long_data_truncated),
		cmocka_unit_test(test_notify_set),
		cmocka_unit_test(test_route_refresh_golden),
		cmocka_unit_test(test_encode_short_buffer),
		cmocka_unit_test(test_header_truncated),
		cmocka_unit_test(test_header_body_not_needed),
		cmocka_unit_test(test_header_ext_message),
		cmocka_unit_test(test_open_validate),
		cmocka_unit_test(test_caps_local),
		cmocka_unit_test(test_caps_negotiate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_notify_describe),
		cmocka_unit_test(test_notify_describe_full_length),
		cmocka_unit_test(test_notify_describe_truncates),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(bad_cases)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	/* One named test per malformed message, so a failure says which one. */
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		tests[n++] = (struct CMUnitTest){
			.name = bad_cases[i].name,
			.test_func = run_bad_case,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	return _cmocka_run_group_tests("wire", tests, n, NULL, NULL);
}
