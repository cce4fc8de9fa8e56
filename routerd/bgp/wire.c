/*
 * BGP-4 message codec: header, OPEN with capabilities, KEEPALIVE,
 * NOTIFICATION, ROUTE-REFRESH. See wire.h for the contract.
 *
 * Decoders work on the whole message and bound every read by `len`; the
 * reads go through get16()/get32() only after the length has been checked
 * by the caller of those helpers. Encoders go through struct wbuf, which
 * refuses to write past the caller's capacity instead of checking sizes up
 * front, so a new field cannot forget its own bounds check.
 */
#include "routerd/bgp/wire.h"

#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BGP_MARKER_LEN	   16
#define BGP_OPT_CAPS	   2   /* RFC 5492 Capabilities optional parameter */
#define BGP_OPT_EXT_LEN	   255 /* RFC 9072 "Non-Ext OP Type" marking the extended format */
#define BGP_EXT_NH_TUPLE   6   /* RFC 8950: NLRI AFI (2), NLRI SAFI (2), next hop AFI (2) */
#define BGP_OPEN_FIXED_LEN 28  /* header + version, AS, hold time, identifier */

/* ---- byte order helpers ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* ---- bounded writer for the encoders ---- */

struct wbuf {
	uint8_t *p; /* NULL: only count, to size a length field before writing it */
	size_t cap;
	size_t len;
	bool overflow; /* once set, nothing more is written and the encoder returns 0 */
};

static void w_bytes(struct wbuf *w, const void *data, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	if (w->p && n)
		memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2];

	set16(b, v);
	w_bytes(w, b, 2);
}

static void w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	w_bytes(w, b, 4);
}

static void w_header(struct wbuf *w, uint8_t type)
{
	static const uint8_t marker[BGP_MARKER_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
							0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
							0xff, 0xff, 0xff, 0xff };

	w_bytes(w, marker, sizeof(marker));
	w_u16(w, 0);
	w_u8(w, type);
}

/* Writes the final length into the header; returns the message length or 0. */
static size_t w_finish(struct wbuf *w)
{
	if (w->overflow || w->len > UINT16_MAX)
		return 0;
	set16(w->p + BGP_MARKER_LEN, (uint16_t)w->len);
	return w->len;
}

/* ---- errors ---- */

void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data,
		    size_t data_len)
{
	memset(n, 0, sizeof(*n));
	n->code = code;
	n->subcode = subcode;
	if (!data)
		return;
	if (data_len > BGP_NOTIFY_DATA_MAX)
		data_len = BGP_NOTIFY_DATA_MAX;
	memcpy(n->data, data, data_len);
	n->data_len = (uint16_t)data_len;
}

static int fail(struct bgp_notify *err, uint8_t code, uint8_t subcode, const void *data,
		size_t data_len)
{
	bgp_notify_set(err, code, subcode, data, data_len);
	return -1;
}

/* RFC 4271 §6.1: Bad Message Length carries the erroneous Length field. */
static int fail_len(struct bgp_notify *err, size_t len)
{
	uint8_t d[2];

	set16(d, len > UINT16_MAX ? UINT16_MAX : (uint16_t)len);
	return fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, d, sizeof(d));
}

/* Malformed optional parameters have no subcode of their own. */
static int fail_open_malformed(struct bgp_notify *err)
{
	return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC, NULL, 0);
}

/* ---- address families ---- */

struct af_code {
	uint32_t af;
	uint16_t afi;
	uint8_t safi;
};

/* Also the order in which MP capabilities are announced. */
static const struct af_code af_codes[] = {
	{ BGP_AF_IPV4_UNICAST, BGP_AFI_IPV4, BGP_SAFI_UNICAST },
	{ BGP_AF_IPV6_UNICAST, BGP_AFI_IPV6, BGP_SAFI_UNICAST },
};

/* 0 for families we do not negotiate: their MP capability is simply ignored. */
static uint32_t af_from_codes(uint16_t afi, uint16_t safi)
{
	for (size_t i = 0; i < ARRAY_SIZE(af_codes); i++) {
		if (af_codes[i].afi == afi && af_codes[i].safi == safi)
			return af_codes[i].af;
	}
	return 0;
}

/* ---- header ---- */

struct type_len {
	uint16_t min;
	uint16_t max; /* 0: bounded only by max_len */
};

/* RFC 4271 §6.1 minimum lengths per type; KEEPALIVE is exactly a header. */
static const struct type_len type_lens[] = {
	[BGP_MSG_OPEN] = { BGP_OPEN_MIN_LEN, 0 },
	[BGP_MSG_UPDATE] = { BGP_UPDATE_MIN_LEN, 0 },
	[BGP_MSG_NOTIFICATION] = { BGP_NOTIFY_MIN_LEN, 0 },
	[BGP_MSG_KEEPALIVE] = { BGP_HEADER_LEN, BGP_HEADER_LEN },
	/* RFC 7313: the exact length is the ROUTE-REFRESH decoder's 7/1 */
	[BGP_MSG_ROUTE_REFRESH] = { BGP_RR_LEN, 0 },
};

static bool marker_ok(const uint8_t *buf)
{
	for (size_t i = 0; i < BGP_MARKER_LEN; i++) {
		if (buf[i] != 0xff)
			return false;
	}
	return true;
}

static bool type_known(uint8_t type)
{
	return type >= BGP_MSG_OPEN && type <= BGP_MSG_ROUTE_REFRESH;
}

int bgp_header_parse(const uint8_t *buf, size_t avail, size_t max_len, struct bgp_header *h,
		     struct bgp_notify *err)
{
	uint16_t len;
	uint8_t type;

	if (avail < BGP_HEADER_LEN)
		return 0;
	if (!marker_ok(buf))
		return fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_NOT_SYNC, NULL, 0);

	len = get16(buf + BGP_MARKER_LEN);
	type = buf[BGP_MARKER_LEN + 2];
	if (len < BGP_HEADER_LEN || len > max_len)
		return fail_len(err, len);
	if (!type_known(type))
		return fail(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_TYPE, &type, 1);
	if (len < type_lens[type].min || (type_lens[type].max && len > type_lens[type].max))
		return fail_len(err, len);

	h->len = len;
	h->type = type;
	return 1;
}

/* ---- capabilities: one decoder per code, false when malformed ---- */

static bool cap_mp(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	/* RFC 4760 §8: AFI (2), reserved (1), SAFI (1) */
	if (n != 4)
		return false;
	c->mp |= af_from_codes(get16(v), v[3]);
	return true;
}

static bool cap_route_refresh(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	if (n != 0)
		return false;
	c->route_refresh = true;
	return true;
}

static bool cap_ext_nexthop(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	if (n % BGP_EXT_NH_TUPLE)
		return false;
	for (; n; v += BGP_EXT_NH_TUPLE, n -= BGP_EXT_NH_TUPLE) {
		uint32_t af = af_from_codes(get16(v), get16(v + 2));

		/* The only combination we route: IPv4 unicast over an IPv6 next hop. */
		if (af == BGP_AF_IPV4_UNICAST && get16(v + 4) == BGP_AFI_IPV6)
			c->ext_nexthop |= af;
	}
	return true;
}

static bool cap_ext_message(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	if (n != 0)
		return false;
	c->ext_message = true;
	return true;
}

static bool cap_as4(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	if (n != 4)
		return false;
	c->as4 = true;
	c->as4_asn = get32(v);
	return true;
}

static bool cap_enhanced_rr(const uint8_t *v, size_t n, struct bgp_caps *c)
{
	if (n != 0)
		return false;
	c->enhanced_rr = true;
	return true;
}

struct cap_decoder {
	uint8_t code;
	bool (*decode)(const uint8_t *v, size_t n, struct bgp_caps *c);
};

static const struct cap_decoder cap_decoders[] = {
	{ BGP_CAP_MP, cap_mp },
	{ BGP_CAP_ROUTE_REFRESH, cap_route_refresh },
	{ BGP_CAP_ROUTE_REFRESH_OLD, cap_route_refresh },
	{ BGP_CAP_EXT_NEXTHOP, cap_ext_nexthop },
	{ BGP_CAP_EXT_MESSAGE, cap_ext_message },
	{ BGP_CAP_AS4, cap_as4 },
	{ BGP_CAP_ENHANCED_RR, cap_enhanced_rr },
};

static bool cap_decode(uint8_t code, const uint8_t *v, size_t n, struct bgp_caps *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_decoders); i++) {
		if (cap_decoders[i].code == code)
			return cap_decoders[i].decode(v, n, c);
	}
	/* RFC 5492 §3: an unrecognised capability is ignored, not an error. */
	if (c->unknown < UINT16_MAX)
		c->unknown++;
	return true;
}

/* The value of one Capabilities optional parameter: code (1), length (1), value. */
static int caps_decode(const uint8_t *p, size_t n, struct bgp_caps *c, struct bgp_notify *err)
{
	while (n) {
		size_t clen;

		if (n < 2)
			return fail_open_malformed(err);
		clen = p[1];
		if (clen > n - 2)
			return fail_open_malformed(err);
		if (!cap_decode(p[0], p + 2, clen, c))
			return fail_open_malformed(err);
		p += 2 + clen;
		n -= 2 + clen;
	}
	return 0;
}

/*
 * Optional parameters: type (1), length (1, or 2 in the RFC 9072 extended
 * format), value. Only Capabilities is supported; RFC 4271 §6.2 makes any
 * other type (notably the deprecated Authentication, 1) a 2/4.
 */
static int params_decode(const uint8_t *p, size_t n, bool ext, struct bgp_caps *c,
			 struct bgp_notify *err)
{
	size_t hdr = ext ? 3 : 2;

	while (n) {
		size_t plen;

		if (n < hdr)
			return fail_open_malformed(err);
		plen = ext ? get16(p + 1) : p[1];
		if (plen > n - hdr)
			return fail_open_malformed(err);
		if (p[0] != BGP_OPT_CAPS)
			return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM, NULL, 0);
		if (caps_decode(p + hdr, plen, c, err))
			return -1;
		p += hdr + plen;
		n -= hdr + plen;
	}
	return 0;
}

/*
 * p points at the Optional Parameters Length octet and n counts it and
 * everything after it. RFC 9072: a non-zero length followed by type 255
 * announces a 2-octet length and 2-octet parameter lengths; the one-octet
 * length is then ignored. The parameters must fill the message exactly:
 * trailing bytes would mean the lengths disagree.
 */
static int opt_params_decode(const uint8_t *p, size_t n, struct bgp_caps *c, struct bgp_notify *err)
{
	size_t opt_len = p[0];
	bool ext = opt_len != 0 && n >= 2 && p[1] == BGP_OPT_EXT_LEN;
	size_t skip = 1;

	if (ext) {
		if (n < 4)
			return fail_open_malformed(err);
		opt_len = get16(p + 2);
		skip = 4;
	}
	if (opt_len != n - skip)
		return fail_open_malformed(err);
	return params_decode(p + skip, opt_len, ext, c, err);
}

/* RFC 4271 §6.2 checks on the fixed fields, in the order the RFC lists them. */
static int open_fixed_check(const struct bgp_open *o, struct bgp_notify *err)
{
	if (o->version != BGP_VERSION) {
		uint8_t d[2];

		/* Data: the version we support (the only one, so also the largest below theirs). */
		set16(d, BGP_VERSION);
		return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, d, sizeof(d));
	}
	if (o->hold_time == 1 || o->hold_time == 2)
		return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, NULL, 0);
	/* RFC 6286 §2.2: the identifier only has to be non-zero. */
	if (o->bgp_id == 0)
		return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_ID, NULL, 0);
	return 0;
}

int bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o, struct bgp_notify *err)
{
	const uint8_t *p;

	memset(o, 0, sizeof(*o));
	if (len < BGP_OPEN_MIN_LEN)
		return fail_len(err, len);

	p = msg + BGP_HEADER_LEN;
	o->version = p[0];
	o->my_as = get16(p + 1);
	o->hold_time = get16(p + 3);
	o->bgp_id = get32(p + 5);
	if (open_fixed_check(o, err))
		return -1;
	return opt_params_decode(msg + BGP_OPEN_FIXED_LEN, len - BGP_OPEN_FIXED_LEN, &o->caps, err);
}

/* ---- OPEN validation against configuration ---- */

static bool peer_as_expected(uint32_t as, const struct bgp_open_expect *x)
{
	switch (x->mode) {
	case BGP_REMOTE_AS_NUMBER:
		return as == x->remote_as;
	case BGP_REMOTE_AS_INTERNAL:
		return as == x->local_as;
	case BGP_REMOTE_AS_EXTERNAL:
		return as != x->local_as;
	}
	return false;
}

int bgp_open_validate(const struct bgp_open *o, const struct bgp_open_expect *x, uint32_t *peer_as,
		      struct bgp_notify *err)
{
	/* RFC 6793: the capability carries the real AS, the fixed field may be AS_TRANS. */
	uint32_t as = o->caps.as4 ? o->caps.as4_asn : o->my_as;

	/* RFC 7607: AS 0 is never a valid peer AS, whatever the configuration. */
	if (as == 0 || !peer_as_expected(as, x)) {
		uint8_t d[2];

		set16(d, o->my_as);
		return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_AS, d, sizeof(d));
	}
	/* RFC 6286 §2.2: identifiers must differ within an AS; across ASes they may clash. */
	if (as == x->local_as && o->bgp_id == x->local_id)
		return fail(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_ID, NULL, 0);

	*peer_as = as;
	return 0;
}

/* ---- OPEN encoding ---- */

static void w_cap_flag(struct wbuf *w, uint8_t code)
{
	w_u8(w, code);
	w_u8(w, 0);
}

static void w_caps_mp(struct wbuf *w, uint32_t afs)
{
	for (size_t i = 0; i < ARRAY_SIZE(af_codes); i++) {
		if (!(afs & af_codes[i].af))
			continue;
		w_u8(w, BGP_CAP_MP);
		w_u8(w, 4);
		w_u16(w, af_codes[i].afi);
		w_u8(w, 0); /* reserved */
		w_u8(w, af_codes[i].safi);
	}
}

static void w_cap_ext_nexthop(struct wbuf *w, uint32_t afs)
{
	/* Mirrors cap_ext_nexthop(): only IPv4 unicast over IPv6 has a meaning here. */
	if (!(afs & BGP_AF_IPV4_UNICAST))
		return;
	w_u8(w, BGP_CAP_EXT_NEXTHOP);
	w_u8(w, BGP_EXT_NH_TUPLE);
	w_u16(w, BGP_AFI_IPV4);
	w_u16(w, BGP_SAFI_UNICAST);
	w_u16(w, BGP_AFI_IPV6);
}

/* Capabilities in code order; only the code 2 form of route refresh is sent. */
static void w_caps(struct wbuf *w, const struct bgp_caps *c)
{
	w_caps_mp(w, c->mp);
	if (c->route_refresh)
		w_cap_flag(w, BGP_CAP_ROUTE_REFRESH);
	w_cap_ext_nexthop(w, c->ext_nexthop);
	if (c->ext_message)
		w_cap_flag(w, BGP_CAP_EXT_MESSAGE);
	if (c->as4) {
		w_u8(w, BGP_CAP_AS4);
		w_u8(w, 4);
		w_u32(w, c->as4_asn);
	}
	if (c->enhanced_rr)
		w_cap_flag(w, BGP_CAP_ENHANCED_RR);
}

/*
 * All capabilities go into a single Capabilities parameter (RFC 5492 allows
 * either form; one parameter is what every implementation accepts). What we
 * announce is far below the 255 octets that would need RFC 9072.
 */
static void w_opt_params(struct wbuf *w, const struct bgp_caps *c)
{
	struct wbuf count = { NULL, SIZE_MAX, 0, false };

	w_caps(&count, c);
	if (count.len == 0) {
		w_u8(w, 0); /* nothing to announce: no parameter at all */
		return;
	}
	if (count.len > UINT8_MAX - 2) {
		w->overflow = true;
		return;
	}
	w_u8(w, (uint8_t)(count.len + 2)); /* optional parameters length */
	w_u8(w, BGP_OPT_CAPS);
	w_u8(w, (uint8_t)count.len);
	w_caps(w, c);
}

/* The 2-octet field: the real AS when it fits, else AS_TRANS (RFC 6793). */
static uint16_t open_wire_as(const struct bgp_open *o)
{
	if (!o->caps.as4)
		return o->my_as;
	return o->caps.as4_asn > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)o->caps.as4_asn;
}

size_t bgp_open_encode(uint8_t *buf, size_t cap, const struct bgp_open *o)
{
	struct wbuf w = { buf, cap, 0, false };

	w_header(&w, BGP_MSG_OPEN);
	w_u8(&w, BGP_VERSION);
	w_u16(&w, open_wire_as(o));
	w_u16(&w, o->hold_time);
	w_u32(&w, o->bgp_id);
	w_opt_params(&w, &o->caps);
	return w_finish(&w);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

size_t bgp_keepalive_encode(uint8_t *buf, size_t cap)
{
	struct wbuf w = { buf, cap, 0, false };

	w_header(&w, BGP_MSG_KEEPALIVE);
	return w_finish(&w);
}

size_t bgp_notify_encode(uint8_t *buf, size_t cap, const struct bgp_notify *n)
{
	struct wbuf w = { buf, cap, 0, false };
	size_t data_len = n->data_len > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : n->data_len;

	w_header(&w, BGP_MSG_NOTIFICATION);
	w_u8(&w, n->code);
	w_u8(&w, n->subcode);
	w_bytes(&w, n->data, data_len);
	return w_finish(&w);
}

size_t bgp_route_refresh_encode(uint8_t *buf, size_t cap, const struct bgp_route_refresh *rr)
{
	struct wbuf w = { buf, cap, 0, false };

	w_header(&w, BGP_MSG_ROUTE_REFRESH);
	w_u16(&w, rr->afi);
	w_u8(&w, rr->subtype);
	w_u8(&w, rr->safi);
	return w_finish(&w);
}

int bgp_notify_decode(const uint8_t *msg, size_t len, struct bgp_notify *n, struct bgp_notify *err)
{
	if (len < BGP_NOTIFY_MIN_LEN)
		return fail_len(err, len);
	/* Data beyond BGP_NOTIFY_DATA_MAX only matters to humans; it is cut off. */
	bgp_notify_set(n, msg[BGP_HEADER_LEN], msg[BGP_HEADER_LEN + 1], msg + BGP_NOTIFY_MIN_LEN,
		       len - BGP_NOTIFY_MIN_LEN);
	return 0;
}

int bgp_route_refresh_decode(const uint8_t *msg, size_t len, struct bgp_route_refresh *rr,
			     struct bgp_notify *err)
{
	const uint8_t *p;

	/* RFC 7313 §5: Invalid Message Length carries the whole offending message. */
	if (len != BGP_RR_LEN)
		return fail(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_BAD_LEN, msg, len);
	p = msg + BGP_HEADER_LEN;
	rr->afi = get16(p);
	rr->subtype = p[2];
	rr->safi = p[3];
	return 0;
}

/* ---- names ---- */

#define NAMES(a) ((struct name_table){ (a), ARRAY_SIZE(a) })

struct name_table {
	const char *const *names;
	size_t n;
};

/* NULL when the table has no name for i */
static const char *name_find(struct name_table t, size_t i)
{
	return i < t.n ? t.names[i] : NULL;
}

static const char *name_or_unknown(const char *name)
{
	return name ? name : "Unknown";
}

static const char *const msg_type_names[] = {
	[BGP_MSG_OPEN] = "OPEN",
	[BGP_MSG_UPDATE] = "UPDATE",
	[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
	[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
	[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
};

static const char *const err_code_names[] = {
	[BGP_ERR_HEADER] = "Message Header Error",
	[BGP_ERR_OPEN] = "OPEN Message Error",
	[BGP_ERR_UPDATE] = "UPDATE Message Error",
	[BGP_ERR_HOLD] = "Hold Timer Expired",
	[BGP_ERR_FSM] = "Finite State Machine Error",
	[BGP_ERR_CEASE] = "Cease",
	[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
};

/* RFC 4271 §4.5: subcode 0 is "Unspecific" wherever no subcode applies. */
static const char *const header_sub_names[] = {
	[0] = "Unspecific",
	[BGP_ERR_HDR_NOT_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_BAD_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_BAD_TYPE] = "Bad Message Type",
};

static const char *const open_sub_names[] = {
	[BGP_ERR_OPEN_UNSPEC] = "Unspecific",
	[BGP_ERR_OPEN_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_BAD_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BAD_ID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_OPT_PARAM] = "Unsupported Optional Parameter",
	[BGP_ERR_OPEN_HOLD_TIME] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_CAPABILITY] = "Unsupported Capability", /* RFC 5492 */
	[11] = "Role Mismatch",				      /* RFC 9234 */
};

static const char *const update_sub_names[] = {
	[0] = "Unspecific",
	[BGP_ERR_UPD_MALFORMED_ATTR_LIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_UNRECOGNIZED_WK] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING_WK] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_ATTR_FLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_ATTR_LEN] = "Attribute Length Error",
	[BGP_ERR_UPD_BAD_ORIGIN] = "Invalid ORIGIN Attribute",
	[BGP_ERR_UPD_BAD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPT_ATTR] = "Optional Attribute Error",
	[BGP_ERR_UPD_BAD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_MALFORMED_AS_PATH] = "Malformed AS_PATH",
};

static const char *const hold_sub_names[] = {
	[0] = "Unspecific",
};

/* RFC 6608 */
static const char *const fsm_sub_names[] = {
	[BGP_ERR_FSM_UNSPEC] = "Unspecified Error",
	[BGP_ERR_FSM_OPENSENT] = "Receive Unexpected Message in OpenSent State",
	[BGP_ERR_FSM_OPENCONFIRM] = "Receive Unexpected Message in OpenConfirm State",
	[BGP_ERR_FSM_ESTABLISHED] = "Receive Unexpected Message in Established State",
};

/* RFC 4486, RFC 8538 (9), RFC 9384 (10) */
static const char *const cease_sub_names[] = {
	[0] = "Unspecific",
	[BGP_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
	[BGP_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
	[BGP_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_CEASE_CONN_REJECTED] = "Connection Rejected",
	[BGP_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[9] = "Hard Reset",
	[10] = "BFD Down",
};

/* RFC 7313 */
static const char *const rr_sub_names[] = {
	[0] = "Reserved",
	[BGP_ERR_RR_BAD_LEN] = "Invalid Message Length",
};

static const struct name_table sub_tables[] = {
	[BGP_ERR_HEADER] = { header_sub_names, ARRAY_SIZE(header_sub_names) },
	[BGP_ERR_OPEN] = { open_sub_names, ARRAY_SIZE(open_sub_names) },
	[BGP_ERR_UPDATE] = { update_sub_names, ARRAY_SIZE(update_sub_names) },
	[BGP_ERR_HOLD] = { hold_sub_names, ARRAY_SIZE(hold_sub_names) },
	[BGP_ERR_FSM] = { fsm_sub_names, ARRAY_SIZE(fsm_sub_names) },
	[BGP_ERR_CEASE] = { cease_sub_names, ARRAY_SIZE(cease_sub_names) },
	[BGP_ERR_ROUTE_REFRESH] = { rr_sub_names, ARRAY_SIZE(rr_sub_names) },
};

static const char *err_code_find(uint8_t code)
{
	return name_find(NAMES(err_code_names), code);
}

static const char *err_subcode_find(uint8_t code, uint8_t subcode)
{
	if (code >= ARRAY_SIZE(sub_tables))
		return NULL;
	return name_find(sub_tables[code], subcode);
}

const char *bgp_msg_type_name(uint8_t type)
{
	return name_or_unknown(name_find(NAMES(msg_type_names), type));
}

const char *bgp_err_code_name(uint8_t code)
{
	return name_or_unknown(err_code_find(code));
}

const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	return name_or_unknown(err_subcode_find(code, subcode));
}

/* ---- NOTIFICATION description ---- */

/* Bounded string builder: truncates, and stops for good once it is full. */
struct sbuf {
	char *p;
	size_t cap; /* > 0: room for the NUL included */
	size_t len;
	bool full;
};

static void sb_putn(struct sbuf *s, const void *data, size_t n, bool whole)
{
	size_t room = s->cap - 1 - s->len;

	if (s->full)
		return;
	if (n > room) {
		s->full = true;
		if (whole)
			return;
		n = room;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void sb_puts(struct sbuf *s, const char *str)
{
	sb_putn(s, str, strlen(str), false);
}

struct utf8_lead {
	uint8_t lo, hi;	  /* lead byte range */
	uint8_t len;	  /* sequence length */
	uint8_t lo2, hi2; /* allowed second byte: excludes overlongs, surrogates, > U+10FFFF */
};

/* RFC 3629 §4 syntax, lead bytes of multi-byte sequences. */
static const struct utf8_lead utf8_leads[] = {
	{ 0xc2, 0xdf, 2, 0x80, 0xbf }, { 0xe0, 0xe0, 3, 0xa0, 0xbf }, { 0xe1, 0xec, 3, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x80, 0x9f }, { 0xee, 0xef, 3, 0x80, 0xbf }, { 0xf0, 0xf0, 4, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf }, { 0xf4, 0xf4, 4, 0x80, 0x8f },
};

/* Length of the valid UTF-8 sequence at p (n > 0 bytes available), 0 if invalid. */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
	const struct utf8_lead *l = NULL;

	if (p[0] < 0x80)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(utf8_leads); i++) {
		if (p[0] >= utf8_leads[i].lo && p[0] <= utf8_leads[i].hi)
			l = &utf8_leads[i];
	}
	if (!l || n < l->len || p[1] < l->lo2 || p[1] > l->hi2)
		return 0;
	for (size_t i = 2; i < l->len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return l->len;
}

static bool utf8_valid(const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = utf8_seq_len(p, n);

		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* Quotes and control characters are escaped so a peer cannot forge log lines. */
static void sb_put_quoted(struct sbuf *s, const uint8_t *p, size_t n)
{
	sb_puts(s, " \"");
	while (n) {
		size_t k = utf8_seq_len(p, n);
		char esc[8];

		if (!k)
			k = 1; /* callers validate first; escape rather than loop forever */
		if (k == 1 && (p[0] < 0x20 || p[0] >= 0x7f)) {
			snprintf(esc, sizeof(esc), "\\x%02x", p[0]);
			sb_putn(s, esc, strlen(esc), true);
		} else if (k == 1 && (p[0] == '"' || p[0] == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)p[0];
			sb_putn(s, esc, 2, true);
		} else {
			sb_putn(s, p, k, true); /* never split a character */
		}
		p += k;
		n -= k;
	}
	sb_puts(s, "\"");
}

static bool has_shutdown_communication(const struct bgp_notify *n)
{
	return n->code == BGP_ERR_CEASE &&
	       (n->subcode == BGP_CEASE_ADMIN_SHUTDOWN || n->subcode == BGP_CEASE_ADMIN_RESET) &&
	       n->data_len > 0 && n->data[0] > 0;
}

/*
 * RFC 9003: a length octet, then that many octets of UTF-8. A malformed
 * communication must not be logged verbatim, so it is only flagged.
 */
static void sb_put_shutdown_communication(struct sbuf *s, const struct bgp_notify *n)
{
	size_t len = n->data[0];
	size_t avail = n->data_len > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : n->data_len;

	if (len > avail - 1 || !utf8_valid(n->data + 1, len)) {
		sb_puts(s, " (malformed shutdown communication)");
		return;
	}
	sb_put_quoted(s, n->data + 1, len);
}

void bgp_notify_describe(const struct bgp_notify *n, char *out, size_t outlen)
{
	struct sbuf s = { out, outlen, 0, false };
	char num[48];

	if (!outlen)
		return;
	out[0] = '\0';
	if (!err_code_find(n->code)) {
		snprintf(num, sizeof(num), "Unknown (code %u, subcode %u)", n->code, n->subcode);
		sb_puts(&s, num);
		return;
	}
	sb_puts(&s, err_code_find(n->code));
	/* Subcode 0 adds nothing but "Unspecific": leave it out. */
	if (n->subcode) {
		const char *sub = err_subcode_find(n->code, n->subcode);

		if (!sub) {
			snprintf(num, sizeof(num), "Unknown (%u)", n->subcode);
			sub = num;
		}
		sb_puts(&s, "/");
		sb_puts(&s, sub);
	}
	if (has_shutdown_communication(n))
		sb_put_shutdown_communication(&s, n);
}

/* ---- capability sets ---- */

void bgp_caps_local(struct bgp_caps *c, uint32_t afs, uint32_t ext_nexthop_afs, uint32_t local_as)
{
	memset(c, 0, sizeof(*c));
	c->mp = afs;
	c->ext_nexthop = ext_nexthop_afs;
	c->route_refresh = true;
	c->as4 = true;
	c->as4_asn = local_as;
}

void bgp_caps_negotiate(const struct bgp_caps *local, const struct bgp_caps *remote,
			struct bgp_caps *out)
{
	struct bgp_caps r; /* out may alias local or remote */

	memset(&r, 0, sizeof(r));
	r.mp = local->mp & remote->mp;
	r.ext_nexthop = local->ext_nexthop & remote->ext_nexthop;
	r.route_refresh = local->route_refresh && remote->route_refresh;
	r.enhanced_rr = local->enhanced_rr && remote->enhanced_rr;
	r.ext_message = local->ext_message && remote->ext_message;
	r.as4 = local->as4 && remote->as4;
	r.as4_asn = r.as4 ? remote->as4_asn : 0;
	*out = r;
}
