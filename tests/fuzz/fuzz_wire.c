/*
 * libFuzzer target for the BGP message codec: what the session does with
 * bytes from the network (header, then the decoder of the type), plus the
 * invariants that must hold for whatever decodes:
 *  - an OPEN that decodes re-encodes to one with the same capabilities;
 *  - every error NOTIFICATION the codec produces encodes and reads back;
 *  - descriptions are NUL-terminated within the given size.
 *
 *   clang -g -fsanitize=fuzzer,address -I. tests/fuzz/fuzz_wire.c \
 *         routerd/bgp/wire.c -o fuzz_wire && ./fuzz_wire -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/bgp/wire.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_describe(const struct bgp_notify *n)
{
	char out[512];
	char tiny[7];

	bgp_notify_describe(n, out, sizeof(out));
	check(memchr(out, '\0', sizeof(out)) != NULL);
	bgp_notify_describe(n, tiny, sizeof(tiny));
	check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
	(void)bgp_err_code_name(n->code);
	(void)bgp_err_subcode_name(n->code, n->subcode);
}

/* The NOTIFICATION we would send must survive the trip to the wire. */
static void check_error(const struct bgp_notify *err)
{
	uint8_t buf[BGP_NOTIFY_MIN_LEN + BGP_NOTIFY_DATA_MAX];
	struct bgp_notify back, err2;
	size_t len = bgp_notify_encode(buf, sizeof(buf), err);

	check(len == BGP_NOTIFY_MIN_LEN + err->data_len);
	check(bgp_notify_decode(buf, len, &back, &err2) == 0);
	check(back.code == err->code && back.subcode == err->subcode);
	check(back.data_len == err->data_len && !memcmp(back.data, err->data, err->data_len));
	check_describe(err);
}

static void check_open_roundtrip(const struct bgp_open *o)
{
	uint8_t buf[BGP_MAX_MSG_LEN];
	struct bgp_open back;
	struct bgp_notify err;
	size_t len = bgp_open_encode(buf, sizeof(buf), o);

	check(len >= BGP_OPEN_MIN_LEN);
	check(bgp_open_decode(buf, len, &back, &err) == 0);
	check(back.caps.mp == o->caps.mp);
	check(back.caps.ext_nexthop == o->caps.ext_nexthop);
	check(back.caps.route_refresh == o->caps.route_refresh);
	check(back.caps.enhanced_rr == o->caps.enhanced_rr);
	check(back.caps.ext_message == o->caps.ext_message);
	check(back.caps.as4 == o->caps.as4);
	check(back.caps.as4_asn == o->caps.as4_asn);
	check(back.caps.unknown == 0);
}

static void fuzz_open(const uint8_t *msg, size_t len)
{
	struct bgp_open o;
	struct bgp_notify err;
	struct bgp_open_expect x = { .local_as = 65001,
				     .local_id = 1,
				     .mode = BGP_REMOTE_AS_EXTERNAL };
	struct bgp_caps local, nego;
	uint32_t peer_as;

	if (bgp_open_decode(msg, len, &o, &err)) {
		check_error(&err);
		return;
	}
	check_open_roundtrip(&o);
	if (bgp_open_validate(&o, &x, &peer_as, &err))
		check_error(&err);
	bgp_caps_local(&local, BGP_AF_IPV4_UNICAST | BGP_AF_IPV6_UNICAST, BGP_AF_IPV4_UNICAST,
		       65001);
	bgp_caps_negotiate(&local, &o.caps, &nego);
	check((nego.mp & ~o.caps.mp) == 0);
}

static void fuzz_notify(const uint8_t *msg, size_t len)
{
	struct bgp_notify n, err;

	if (bgp_notify_decode(msg, len, &n, &err)) {
		check_error(&err);
		return;
	}
	check_describe(&n);
}

static void fuzz_route_refresh(const uint8_t *msg, size_t len)
{
	struct bgp_route_refresh rr;
	struct bgp_notify err;
	uint8_t buf[BGP_RR_LEN];

	if (bgp_route_refresh_decode(msg, len, &rr, &err)) {
		check_error(&err);
		return;
	}
	check(bgp_route_refresh_encode(buf, sizeof(buf), &rr) == BGP_RR_LEN);
	check(memcmp(buf, msg, BGP_RR_LEN) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_header h;
	struct bgp_notify err;
	uint8_t *msg;
	int rc;

	(void)bgp_msg_type_name(size ? data[0] : 0);
	/* Both limits: 4096 before RFC 8654 is agreed, 65535 after. */
	(void)bgp_header_parse(data, size, BGP_MAX_MSG_LEN, &h, &err);
	rc = bgp_header_parse(data, size, BGP_EXT_MAX_MSG_LEN, &h, &err);
	if (rc < 0)
		check_error(&err);
	/* The session waits until the whole message is there. */
	if (rc != 1 || h.len > size)
		return 0;

	/* An exact-size copy, so ASan sees any read past the message. */
	msg = malloc(h.len);
	check(msg != NULL);
	memcpy(msg, data, h.len);
	switch (h.type) {
	case BGP_MSG_OPEN:
		fuzz_open(msg, h.len);
		break;
	case BGP_MSG_NOTIFICATION:
		fuzz_notify(msg, h.len);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		fuzz_route_refresh(msg, h.len);
		break;
	default: /* KEEPALIVE has no body; UPDATE has its own codec */
		break;
	}
	free(msg);
	return 0;
}
