/*
 * BGP UPDATE codec: decode with RFC 7606 error handling, encode with packing.
 *
 * Decoding walks the path attributes once through a table of per-attribute
 * handlers; each handler either stores its attribute in the output or
 * records the RFC 7606 action its error calls for. The most severe action
 * wins. Cross-attribute rules (AS4_PATH merge, AS4_AGGREGATOR, mandatory
 * attributes, End-of-RIB) run after the walk.
 */
#include "routerd/bgp/update.h"

#include <string.h>
#include <sys/socket.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define UPDATE_AF_OTHER (1u << 31) /* ignored_afs: an AFI/SAFI we do not know */

/* ---- byte helpers ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static unsigned family_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* ---- NLRI (RFC 4271 §4.3, RFC 4760 §5) ---- */

/* Every prefix length within the family and no prefix running past the block. */
static bool nlri_valid(const uint8_t *p, size_t len, uint8_t family)
{
	size_t off = 0;

	while (off < len) {
		unsigned plen = p[off];
		size_t bytes = (plen + 7) / 8;

		if (plen > family_bits(family) || len - off - 1 < bytes)
			return false;
		off += 1 + bytes;
	}
	return true;
}

void update_nlri_iter_init(struct update_nlri_iter *it, const struct update_nlri *block)
{
	it->p = block->data;
	it->end = block->data ? block->data + block->len : NULL;
	it->family = block->family;
}

bool update_nlri_next(struct update_nlri_iter *it, struct prefix *out)
{
	unsigned plen;
	size_t bytes;

	if (!it->p || it->p >= it->end)
		return false;
	plen = it->p[0];
	bytes = (plen + 7) / 8;
	/* validated by update_decode; this only guards against misuse */
	if (plen > family_bits(it->family) || (size_t)(it->end - it->p) - 1 < bytes)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = it->family;
	out->len = (uint8_t)plen;
	memcpy(out->bytes, it->p + 1, bytes);
	if (plen % 8)
		out->bytes[bytes - 1] &= (uint8_t)(0xff << (8 - plen % 8));
	it->p += 1 + bytes;
	return true;
}

/* ---- decoder state ---- */

struct tlv {
	uint8_t flags;
	uint8_t type;
	const uint8_t *v;
	uint16_t len;
	const uint8_t *raw; /* from the flags octet: the NOTIFICATION data (RFC 4271 §6.3) */
	size_t raw_len;
};

struct unknown_attr {
	const uint8_t *v;
	uint16_t len;
	uint8_t flags;
};

struct dec {
	const struct update_ctx *ctx;
	struct update_scratch *s;
	struct update_msg *out;
	struct bgp_notify *err;
	enum update_action action;
	uint32_t seen[8];    /* attribute types met, for duplicates (RFC 7606 §3 g) */
	uint32_t unknown[8]; /* types kept in unk[] */
	bool classic_nlri;   /* the IPv4 NLRI field carries prefixes */
	uint32_t mp_unreach_af;
	/* RFC 6793 §4.2.3 inputs, reconciled after the walk */
	const uint8_t *as4_path;
	uint16_t as4_path_len;
	bool has_as4_path;
	bool has_agg, has_as4_agg;
	uint32_t agg_as, agg_id, as4_agg_as, as4_agg_id;
	/* last: not zeroed per message, an entry is valid when its bit in unknown[] is */
	struct unknown_attr unk[256];
};

static bool bit_test(const uint32_t *set, uint8_t i)
{
	return set[i / 32] & (1u << (i % 32));
}

static void bit_set(uint32_t *set, uint8_t i)
{
	set[i / 32] |= 1u << (i % 32);
}

static void present(struct dec *d, uint8_t type)
{
	if (type < 64)
		d->out->attrs.present |= (uint64_t)1 << type;
}

static bool is_present(const struct dec *d, uint8_t type)
{
	return d->out->attrs.present & ((uint64_t)1 << type);
}

/* Keeps the most severe action; on a tie the first reason stays. */
static void note(struct dec *d, enum update_action a, const char *reason)
{
	if (a > d->action) {
		d->action = a;
		d->out->reason = reason;
	}
}

static void notify_fill(struct bgp_notify *n, uint8_t subcode, const uint8_t *data, size_t len)
{
	if (len > BGP_NOTIFY_DATA_MAX)
		len = BGP_NOTIFY_DATA_MAX;
	n->code = BGP_ERR_UPDATE;
	n->subcode = subcode;
	n->data_len = (uint16_t)len;
	if (len)
		memcpy(n->data, data, len);
}

/* The first session reset met names the NOTIFICATION. */
static void reset(struct dec *d, uint8_t subcode, const struct tlv *t, const char *reason)
{
	if (d->action == UPDATE_SESSION_RESET)
		return;
	notify_fill(d->err, subcode, t ? t->raw : NULL, t ? t->raw_len : 0);
	note(d, UPDATE_SESSION_RESET, reason);
}

/* ---- AS paths (RFC 4271 §4.3 b, RFC 6793, RFC 7606 §7.2, RFC 7607) ---- */

enum aspath_check {
	ASP_OK,
	ASP_MALFORMED,
	ASP_AS0,
	ASP_TOO_LONG,
};

/*
 * Checks segments of asz-octet AS numbers and, when out is set, writes them
 * in 4-octet form. Malformed (RFC 7606 §7.2): unknown segment type, count
 * 0, a segment header or body overrunning the attribute.
 */
static enum aspath_check aspath_convert(const uint8_t *in, size_t len, unsigned asz, uint8_t *out,
					size_t cap, size_t *outlen)
{
	size_t off = 0, o = 0;

	while (off < len) {
		uint8_t type, count, i;

		if (len - off < 2)
			return ASP_MALFORMED;
		type = in[off];
		count = in[off + 1];
		if (type < ASPATH_SET || type > ASPATH_CONFED_SET || count == 0 ||
		    len - off - 2 < (size_t)count * asz)
			return ASP_MALFORMED;
		if (out && cap - o < 2 + (size_t)count * 4)
			return ASP_TOO_LONG;
		for (i = 0; i < count; i++) {
			const uint8_t *as = in + off + 2 + (size_t)i * asz;
			uint32_t v = asz == 4 ? get32(as) : get16(as);

			if (v == 0)
				return ASP_AS0;
			if (out)
				set32(out + o + 2 + (size_t)i * 4, v);
		}
		if (out) {
			out[o] = type;
			out[o + 1] = count;
		}
		o += 2 + (size_t)count * 4;
		off += 2 + (size_t)count * asz;
	}
	if (outlen)
		*outlen = o;
	return ASP_OK;
}

static bool is_confed(uint8_t type)
{
	return type == ASPATH_CONFED_SEQUENCE || type == ASPATH_CONFED_SET;
}

/* Checked 4-octet segments: any confederation segment among them? */
static bool aspath_has_confed(const uint8_t *p, size_t len)
{
	size_t off;

	for (off = 0; off + 2 <= len; off += 2 + (size_t)p[off + 1] * 4)
		if (is_confed(p[off]))
			return true;
	return false;
}

/* RFC 4271 §9.1.2.2 a) and RFC 5065: a SET counts 1, confederation segments 0. */
static unsigned aspath_count(const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned n = 0;

	while (off + 2 <= len) {
		uint8_t type = p[off], count = p[off + 1];

		if (type == ASPATH_SEQUENCE)
			n += count;
		else if (type == ASPATH_SET)
			n += 1;
		off += 2 + (size_t)count * 4;
	}
	return n;
}

/*
 * RFC 6793 §4.2.3: with N(AS_PATH) >= N(AS4_PATH), keep the leading
 * N(AS_PATH) - N(AS4_PATH) AS numbers of AS_PATH (confederation segments
 * there are kept: they lead or are adjacent to a kept segment) and append
 * AS4_PATH without its confederation segments (§6 discards those); with
 * fewer, AS4_PATH is ignored. Works in place on path.
 */
static bool as4_merge(uint8_t *path, size_t len, size_t cap, const uint8_t *as4, size_t as4len,
		      size_t *outlen)
{
	unsigned n = aspath_count(path, len), n4 = aspath_count(as4, as4len);
	unsigned need;
	size_t off = 0, i, seglen;

	*outlen = len;
	if (n < n4)
		return true;
	need = n - n4;
	while (off < len) {
		uint8_t type = path[off], count = path[off + 1];

		if (is_confed(type)) {
			off += 2 + (size_t)count * 4;
			continue;
		}
		if (need == 0)
			break;
		if (type == ASPATH_SEQUENCE && count > need) {
			path[off + 1] = (uint8_t)need;
			off += 2 + (size_t)need * 4;
			break;
		}
		need -= type == ASPATH_SEQUENCE ? count : 1;
		off += 2 + (size_t)count * 4;
	}
	for (i = 0; i < as4len; i += seglen) {
		seglen = 2 + (size_t)as4[i + 1] * 4;
		if (is_confed(as4[i]))
			continue;
		if (cap - off < seglen)
			return false;
		memcpy(path + off, as4 + i, seglen);
		off += seglen;
	}
	*outlen = off;
	return true;
}

/* ---- per-attribute handlers ---- */

static void parse_origin(struct dec *d, const struct tlv *t)
{
	/* RFC 7606 §7.1 */
	if (t->len != 1 || t->v[0] > ORIGIN_INCOMPLETE) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-origin");
		return;
	}
	d->out->attrs.origin = t->v[0];
	present(d, t->type);
}

static void parse_as_path(struct dec *d, const struct tlv *t)
{
	static const char *const reasons[] = {
		[ASP_MALFORMED] = "malformed-as-path",
		[ASP_AS0] = "as-path-as0",
		[ASP_TOO_LONG] = "as-path-too-long",
	};
	size_t len = 0;
	enum aspath_check rc = aspath_convert(t->v, t->len, d->ctx->as4 ? 4 : 2, d->s->aspath,
					      sizeof(d->s->aspath), &len);

	/* RFC 7606 §7.2, RFC 7607 §2: treat-as-withdraw */
	if (rc != ASP_OK) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, reasons[rc]);
		return;
	}
	d->out->attrs.aspath = d->s->aspath;
	d->out->attrs.aspath_len = (uint16_t)len;
	present(d, t->type);
}

/* Not a host address: 0/8, 127/8, 224/4 multicast, 240/4 reserved (RFC 4271 §6.3). */
static bool ipv4_nexthop_bad(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

static void parse_next_hop(struct dec *d, const struct tlv *t)
{
	struct ipaddr *nh = &d->out->attrs.nexthop;

	/* RFC 4760 §3: without NLRI in the NLRI field, NEXT_HOP is ignored */
	if (!d->classic_nlri)
		return;
	/* RFC 7606 §7.3 */
	if (t->len != 4) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-next-hop");
		return;
	}
	if (ipv4_nexthop_bad(t->v)) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "invalid-next-hop");
		return;
	}
	nh->family = AF_INET;
	memcpy(nh->bytes, t->v, 4);
	present(d, t->type);
}

static void parse_med(struct dec *d, const struct tlv *t)
{
	/* RFC 7606 §7.4 */
	if (t->len != 4) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-med");
		return;
	}
	d->out->attrs.med = get32(t->v);
	d->out->attrs.flags |= ATTR_HAS_MED;
	present(d, t->type);
}

static void parse_local_pref(struct dec *d, const struct tlv *t)
{
	/* RFC 7606 §7.5: from an external peer it is discarded, whatever its length */
	if (!d->ctx->ibgp) {
		note(d, UPDATE_ATTR_DISCARD, "local-pref-from-ebgp");
		return;
	}
	if (t->len != 4) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-local-pref");
		return;
	}
	d->out->attrs.local_pref = get32(t->v);
	d->out->attrs.flags |= ATTR_HAS_LOCAL_PREF;
	present(d, t->type);
}

static void parse_atomic_aggregate(struct dec *d, const struct tlv *t)
{
	/* RFC 7606 §7.6 */
	if (t->len != 0) {
		note(d, UPDATE_ATTR_DISCARD, "malformed-atomic-aggregate");
		return;
	}
	d->out->attrs.flags |= ATTR_ATOMIC_AGGREGATE;
	present(d, t->type);
}

static void parse_aggregator(struct dec *d, const struct tlv *t)
{
	unsigned asz = d->ctx->as4 ? 4 : 2;
	uint32_t as;

	/* RFC 7606 §7.7, RFC 6793 §3: 6 octets, or 8 between 4-octet speakers */
	if (t->len != asz + 4) {
		note(d, UPDATE_ATTR_DISCARD, "malformed-aggregator");
		return;
	}
	as = asz == 4 ? get32(t->v) : get16(t->v);
	/* RFC 7607 §2 */
	if (as == 0) {
		note(d, UPDATE_ATTR_DISCARD, "aggregator-as0");
		return;
	}
	d->has_agg = true;
	d->agg_as = as;
	d->agg_id = get32(t->v + asz);
	present(d, t->type);
}

static void parse_communities(struct dec *d, const struct tlv *t)
{
	uint16_t i, n = t->len / 4;

	/* RFC 7606 §7.8: a non-zero multiple of 4 */
	if (t->len == 0 || t->len % 4) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-communities");
		return;
	}
	for (i = 0; i < n; i++)
		d->s->communities[i] = get32(t->v + (size_t)i * 4);
	d->out->attrs.communities = d->s->communities;
	d->out->attrs.ncommunities = n;
	present(d, t->type);
}

static void parse_large_communities(struct dec *d, const struct tlv *t)
{
	uint16_t i, n = t->len / 12;

	/* RFC 8092 §6: a non-zero multiple of 12, else treat-as-withdraw */
	if (t->len == 0 || t->len % 12) {
		note(d, UPDATE_TREAT_AS_WITHDRAW, "malformed-large-communities");
		return;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *p = t->v + (size_t)i * 12;

		d->s->lcommunities[i].global = get32(p);
		d->s->lcommunities[i].local1 = get32(p + 4);
		d->s->lcommunities[i].local2 = get32(p + 8);
	}
	d->out->attrs.lcommunities = d->s->lcommunities;
	d->out->attrs.nlcommunities = n;
	present(d, t->type);
}

static void parse_as4_path(struct dec *d, const struct tlv *t)
{
	enum aspath_check rc;

	/* RFC 6793 §4.2.3 / §6: between 4-octet speakers AS4_PATH is discarded */
	if (d->ctx->as4) {
		note(d, UPDATE_ATTR_DISCARD, "as4-path-from-as4-peer");
		return;
	}
	/* RFC 6793 §6 (and RFC 7607 §2 for AS 0): a malformed AS4_PATH is discarded */
	rc = aspath_convert(t->v, t->len, 4, NULL, 0, NULL);
	if (rc != ASP_OK) {
		note(d, UPDATE_ATTR_DISCARD, "malformed-as4-path");
		return;
	}
	/* RFC 6793 §6: confederation segments in it are dropped (in as4_merge), the rest used */
	if (aspath_has_confed(t->v, t->len))
		note(d, UPDATE_ATTR_DISCARD, "as4-path-confed-dropped");
	d->as4_path = t->v;
	d->as4_path_len = t->len;
	d->has_as4_path = true;
	present(d, t->type);
}

static void parse_as4_aggregator(struct dec *d, const struct tlv *t)
{
	if (d->ctx->as4) {
		note(d, UPDATE_ATTR_DISCARD, "as4-aggregator-from-as4-peer");
		return;
	}
	/* RFC 6793 §6 (length 8), RFC 7607 §2 (AS 0): attribute discard */
	if (t->len != 8 || get32(t->v) == 0) {
		note(d, UPDATE_ATTR_DISCARD, "malformed-as4-aggregator");
		return;
	}
	d->has_as4_agg = true;
	d->as4_agg_as = get32(t->v);
	d->as4_agg_id = get32(t->v + 4);
	present(d, t->type);
}

/* ---- MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 8950) ---- */

static uint32_t af_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return 0;
	if (afi == BGP_AFI_IPV4)
		return BGP_AF_IPV4_UNICAST;
	if (afi == BGP_AFI_IPV6)
		return BGP_AF_IPV6_UNICAST;
	return 0;
}

/* An AF this session negotiated, else it is recorded as ignored (false). */
static bool af_usable(struct dec *d, uint32_t af)
{
	if (af && (d->ctx->afs & af))
		return true;
	d->out->ignored_afs |= af ? af : UPDATE_AF_OTHER;
	return false;
}

static bool ipv6_is_ll(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static void set_v6(struct ipaddr *a, const uint8_t *bytes)
{
	a->family = AF_INET6;
	if (bytes)
		memcpy(a->bytes, bytes, 16);
	else
		memset(a->bytes, 0, 16);
}

/*
 * RFC 2545 §3 / RFC 8950 §3: 16 octets (global, or a lone link-local) or 32
 * [global, link-local]. Accepted as the architecture requires: a lone
 * link-local, [GUA, LL], [::, LL], [LL, LL]; the global slot becomes :: when
 * it holds a link-local. A second address that is not link-local is ignored.
 */
static void mp_nexthop_v6(struct update_msg *u, const uint8_t *p, uint8_t nhlen)
{
	const uint8_t *first = p, *second = nhlen == 32 ? p + 16 : NULL;

	if (second && ipv6_is_ll(second)) {
		set_v6(&u->mp_nexthop_ll, second);
		set_v6(&u->mp_nexthop, ipv6_is_ll(first) ? NULL : first);
	} else if (ipv6_is_ll(first)) {
		set_v6(&u->mp_nexthop_ll, first);
		set_v6(&u->mp_nexthop, NULL);
	} else {
		set_v6(&u->mp_nexthop, first);
	}
}

/* False when the length does not suit the AFI: RFC 7606 §7.11 session reset. */
static bool mp_nexthop_parse(struct dec *d, uint32_t af, const uint8_t *p, uint8_t nhlen)
{
	struct update_msg *u = d->out;
	bool v6_ok = af == BGP_AF_IPV6_UNICAST || (d->ctx->ext_nexthop & BGP_AF_IPV4_UNICAST);

	if (af == BGP_AF_IPV4_UNICAST && nhlen == 4) {
		u->mp_nexthop.family = AF_INET;
		memcpy(u->mp_nexthop.bytes, p, 4);
		return true;
	}
	if (!v6_ok || (nhlen != 16 && nhlen != 32))
		return false;
	mp_nexthop_v6(u, p, nhlen);
	return true;
}

/*
 * Next hops that cannot be a neighbor's address (a multicast global, or ::
 * with no link-local beside it): treat-as-withdraw, as RFC 7606 §7.3 does
 * for a NEXT_HOP that is not a host address.
 */
static bool mp_nexthop_bad(const struct update_msg *u)
{
	static const uint8_t zero[16];
	const struct ipaddr *nh = &u->mp_nexthop;

	if (nh->family == AF_INET)
		return ipv4_nexthop_bad(nh->bytes);
	if (nh->bytes[0] == 0xff)
		return true;
	return !u->mp_nexthop_ll.family && memcmp(nh->bytes, zero, 16) == 0;
}

static void parse_mp_reach(struct dec *d, const struct tlv *t)
{
	uint32_t af;
	uint8_t nhlen;
	uint8_t family;

	/* AFI (2), SAFI (1), next hop length (1), next hop, reserved (1), NLRI */
	if (t->len < 5 || t->len < 5 + t->v[3]) {
		reset(d, BGP_ERR_UPD_OPT_ATTR, t, "malformed-mp-reach");
		return;
	}
	present(d, t->type);
	af = af_of(get16(t->v), t->v[2]);
	if (!af_usable(d, af))
		return;
	nhlen = t->v[3];
	family = af == BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6;
	if (!mp_nexthop_parse(d, af, t->v + 4, nhlen)) {
		reset(d, BGP_ERR_UPD_OPT_ATTR, t, "mp-reach-bad-next-hop-length");
		return;
	}
	if (!nlri_valid(t->v + 5 + nhlen, t->len - 5 - nhlen, family)) {
		reset(d, BGP_ERR_UPD_BAD_NETWORK, NULL, "malformed-mp-reach-nlri");
		return;
	}
	d->out->mp_reach.data = t->v + 5 + nhlen;
	d->out->mp_reach.len = (uint16_t)(t->len - 5 - nhlen);
	d->out->mp_reach.family = family;
	if (mp_nexthop_bad(d->out))
		note(d, UPDATE_TREAT_AS_WITHDRAW, "invalid-mp-next-hop");
}

static void parse_mp_unreach(struct dec *d, const struct tlv *t)
{
	uint32_t af;
	uint8_t family;

	/* AFI (2), SAFI (1), withdrawn routes */
	if (t->len < 3) {
		reset(d, BGP_ERR_UPD_OPT_ATTR, t, "malformed-mp-unreach");
		return;
	}
	present(d, t->type);
	af = af_of(get16(t->v), t->v[2]);
	if (!af_usable(d, af))
		return;
	family = af == BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6;
	if (!nlri_valid(t->v + 3, t->len - 3u, family)) {
		reset(d, BGP_ERR_UPD_BAD_NETWORK, NULL, "malformed-mp-unreach-nlri");
		return;
	}
	d->out->mp_unreach.data = t->v + 3;
	d->out->mp_unreach.len = (uint16_t)(t->len - 3);
	d->out->mp_unreach.family = family;
	d->mp_unreach_af = af;
}

/* ---- the handler table ---- */

#define OPT_TRANS (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)

struct attr_def {
	void (*parse)(struct dec *d, const struct tlv *t);
	uint8_t flags; /* the Optional and Transitive bits the attribute must have */
	/* RFC 7606 §3 c: wrong flags are treat-as-withdraw unless the attribute says otherwise */
	enum update_action bad_flags;
	const char *bad_flags_reason;
};

static const struct attr_def attr_defs[] = {
	[BGP_ATTR_ORIGIN] = { parse_origin, BGP_ATTR_F_TRANSITIVE, UPDATE_TREAT_AS_WITHDRAW,
			      "origin-flags" },
	[BGP_ATTR_AS_PATH] = { parse_as_path, BGP_ATTR_F_TRANSITIVE, UPDATE_TREAT_AS_WITHDRAW,
			       "as-path-flags" },
	[BGP_ATTR_NEXT_HOP] = { parse_next_hop, BGP_ATTR_F_TRANSITIVE, UPDATE_TREAT_AS_WITHDRAW,
				"next-hop-flags" },
	[BGP_ATTR_MED] = { parse_med, BGP_ATTR_F_OPTIONAL, UPDATE_TREAT_AS_WITHDRAW, "med-flags" },
	[BGP_ATTR_LOCAL_PREF] = { parse_local_pref, BGP_ATTR_F_TRANSITIVE, UPDATE_TREAT_AS_WITHDRAW,
				  "local-pref-flags" },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { parse_atomic_aggregate, BGP_ATTR_F_TRANSITIVE,
					UPDATE_TREAT_AS_WITHDRAW, "atomic-aggregate-flags" },
	[BGP_ATTR_AGGREGATOR] = { parse_aggregator, OPT_TRANS, UPDATE_TREAT_AS_WITHDRAW,
				  "aggregator-flags" },
	[BGP_ATTR_COMMUNITIES] = { parse_communities, OPT_TRANS, UPDATE_TREAT_AS_WITHDRAW,
				   "communities-flags" },
	/* RFC 7606 §7.11-7.12, RFC 4760 §7: a bad MP attribute resets the session */
	[BGP_ATTR_MP_REACH_NLRI] = { parse_mp_reach, BGP_ATTR_F_OPTIONAL, UPDATE_SESSION_RESET,
				     "mp-reach-flags" },
	[BGP_ATTR_MP_UNREACH_NLRI] = { parse_mp_unreach, BGP_ATTR_F_OPTIONAL, UPDATE_SESSION_RESET,
				       "mp-unreach-flags" },
	/* RFC 6793 §6: AS4 attributes in error are discarded */
	[BGP_ATTR_AS4_PATH] = { parse_as4_path, OPT_TRANS, UPDATE_ATTR_DISCARD, "as4-path-flags" },
	[BGP_ATTR_AS4_AGGREGATOR] = { parse_as4_aggregator, OPT_TRANS, UPDATE_ATTR_DISCARD,
				      "as4-aggregator-flags" },
	[BGP_ATTR_LARGE_COMMUNITIES] = { parse_large_communities, OPT_TRANS,
					 UPDATE_TREAT_AS_WITHDRAW, "large-communities-flags" },
};

static void unknown_attr(struct dec *d, const struct tlv *t)
{
	/* RFC 4271 §6.3: Unrecognized Well-known Attribute */
	if (!(t->flags & BGP_ATTR_F_OPTIONAL)) {
		reset(d, BGP_ERR_UPD_UNRECOGNIZED_WK, t, "unknown-well-known-attribute");
		return;
	}
	/* RFC 4271 §5 / §9: optional non-transitive ones are quietly dropped */
	if (!(t->flags & BGP_ATTR_F_TRANSITIVE))
		return;
	bit_set(d->unknown, t->type);
	d->unk[t->type] = (struct unknown_attr){ t->v, t->len, t->flags };
}

static bool is_mp_attr(uint8_t type)
{
	return type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI;
}

static void process_attr(struct dec *d, const struct tlv *t)
{
	const struct attr_def *def = t->type < ARRAY_SIZE(attr_defs) && attr_defs[t->type].parse
					     ? &attr_defs[t->type]
					     : NULL;

	/* RFC 7606 §3 g */
	if (bit_test(d->seen, t->type)) {
		if (is_mp_attr(t->type))
			reset(d, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, "duplicate-mp-attribute");
		else
			note(d, UPDATE_ATTR_DISCARD, "duplicate-attribute");
		return;
	}
	bit_set(d->seen, t->type);
	if (!def) {
		unknown_attr(d, t);
		return;
	}
	if ((t->flags & OPT_TRANS) != def->flags) {
		if (def->bad_flags == UPDATE_SESSION_RESET)
			reset(d, BGP_ERR_UPD_ATTR_FLAGS, t, def->bad_flags_reason);
		else
			note(d, def->bad_flags, def->bad_flags_reason);
		return;
	}
	def->parse(d, t);
}

/*
 * RFC 7606 §4: an attribute overrunning the path attributes, or too few
 * octets left for an attribute header, is treat-as-withdraw with the NLRI
 * field located through Total Attribute Length. That only withdraws what it
 * should if no MP_REACH/MP_UNREACH_NLRI hides in the unparsed rest; senders
 * put those first (§5.1), so the damage is beyond repair only when the broken
 * attribute is, or may be, one of them: then the session is reset.
 */
static void length_conflict(struct dec *d, const uint8_t *p, size_t left)
{
	if (left < 2 || is_mp_attr(p[1]))
		reset(d, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, "attribute-length-overrun");
	else
		note(d, UPDATE_TREAT_AS_WITHDRAW, "attribute-length-overrun");
}

static void walk_attrs(struct dec *d, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len && d->action != UPDATE_SESSION_RESET) {
		size_t left = len - off;
		struct tlv t;
		size_t hlen;

		if (left < 3) {
			length_conflict(d, p + off, left);
			return;
		}
		t.flags = p[off];
		t.type = p[off + 1];
		hlen = (t.flags & BGP_ATTR_F_EXT_LEN) ? 4 : 3;
		if (left < hlen) {
			length_conflict(d, p + off, left);
			return;
		}
		t.len = hlen == 4 ? get16(p + off + 2) : p[off + 2];
		if (left - hlen < t.len) {
			length_conflict(d, p + off, left);
			return;
		}
		t.v = p + off + hlen;
		t.raw = p + off;
		t.raw_len = hlen + t.len;
		process_attr(d, &t);
		off += hlen + t.len;
	}
}

/* ---- after the walk ---- */

/* RFC 6793 §4.2.3: AGGREGATOR / AS4_AGGREGATOR, then AS_PATH / AS4_PATH. */
static void resolve_as4(struct dec *d)
{
	struct update_attrs *a = &d->out->attrs;
	bool use_as4_path = d->has_as4_path;

	if (d->has_agg && d->has_as4_agg && d->agg_as != BGP_AS_TRANS) {
		/* an AGGREGATOR that is not AS_TRANS: both AS4 attributes are ignored */
		use_as4_path = false;
	} else if (d->has_agg && d->has_as4_agg) {
		d->agg_as = d->as4_agg_as;
		d->agg_id = d->as4_agg_id;
	}
	if (d->has_agg) {
		a->flags |= ATTR_HAS_AGGREGATOR;
		a->aggregator_as = d->agg_as;
		a->aggregator_id = d->agg_id;
	}
	if (use_as4_path && is_present(d, BGP_ATTR_AS_PATH)) {
		size_t len;

		if (!as4_merge(d->s->aspath, a->aspath_len, sizeof(d->s->aspath), d->as4_path,
			       d->as4_path_len, &len)) {
			note(d, UPDATE_TREAT_AS_WITHDRAW, "as-path-too-long");
			return;
		}
		a->aspath_len = (uint16_t)len;
	}
}

/* RFC 7606 §3 d: a missing well-known mandatory attribute is treat-as-withdraw. */
static void check_mandatory(struct dec *d)
{
	bool announces = d->classic_nlri || d->out->mp_reach.family;

	if (!announces)
		return;
	if (!is_present(d, BGP_ATTR_ORIGIN))
		note(d, UPDATE_TREAT_AS_WITHDRAW, "missing-origin");
	if (!is_present(d, BGP_ATTR_AS_PATH))
		note(d, UPDATE_TREAT_AS_WITHDRAW, "missing-as-path");
	/* RFC 4760 §3: NEXT_HOP is needed for the NLRI field only */
	if (d->classic_nlri && !is_present(d, BGP_ATTR_NEXT_HOP))
		note(d, UPDATE_TREAT_AS_WITHDRAW, "missing-next-hop");
}

/* Unknown optional transitive attributes, by type code, Partial set (RFC 4271 §5). */
static void collect_unknown(struct dec *d)
{
	uint8_t *out = d->s->unknown;
	size_t o = 0;
	unsigned type;

	for (type = 0; type < 256; type++) {
		const struct unknown_attr *u = &d->unk[type];
		uint8_t flags;
		size_t hlen;

		if (!bit_test(d->unknown, (uint8_t)type))
			continue;
		flags = (uint8_t)((u->flags & OPT_TRANS) | BGP_ATTR_F_PARTIAL);
		hlen = u->len > 255 ? 4 : 3;
		if (sizeof(d->s->unknown) - o < hlen + u->len) {
			note(d, UPDATE_ATTR_DISCARD, "unknown-attributes-too-long");
			break;
		}
		out[o] = hlen == 4 ? (uint8_t)(flags | BGP_ATTR_F_EXT_LEN) : flags;
		out[o + 1] = (uint8_t)type;
		if (hlen == 4) {
			out[o + 2] = (uint8_t)(u->len >> 8);
			out[o + 3] = (uint8_t)u->len;
		} else {
			out[o + 2] = (uint8_t)u->len;
		}
		memcpy(out + o + hlen, u->v, u->len);
		o += hlen + u->len;
	}
	if (o) {
		d->out->attrs.unknown = out;
		d->out->attrs.unknown_len = (uint16_t)o;
	}
}

/* RFC 4724 §2 */
static void detect_eor(struct dec *d, size_t len)
{
	struct update_msg *u = d->out;

	if (len == BGP_UPDATE_MIN_LEN) {
		u->eor |= BGP_AF_IPV4_UNICAST;
		return;
	}
	if (d->mp_unreach_af && u->mp_unreach.len == 0 && !is_present(d, BGP_ATTR_MP_REACH_NLRI) &&
	    !u->withdrawn.len && !u->nlri.len)
		u->eor |= d->mp_unreach_af;
}

/* The two IPv4 fields, or nothing when IPv4 unicast was not negotiated. */
static void set_ipv4_fields(struct dec *d, const uint8_t *w, uint16_t wlen, const uint8_t *n,
			    size_t nlen)
{
	if (!(d->ctx->afs & BGP_AF_IPV4_UNICAST)) {
		if (wlen || nlen)
			d->out->ignored_afs |= BGP_AF_IPV4_UNICAST;
		return;
	}
	d->out->withdrawn = (struct update_nlri){ w, wlen, AF_INET };
	d->out->nlri = (struct update_nlri){ n, (uint16_t)nlen, AF_INET };
	d->classic_nlri = nlen > 0;
}

enum update_action update_decode(const uint8_t *msg, size_t len, const struct update_ctx *ctx,
				 struct update_scratch *scratch, struct update_msg *out,
				 struct bgp_notify *err)
{
	struct dec d;
	size_t wlen, alen, nlen;
	const uint8_t *attrs;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, offsetof(struct dec, unk));
	d.ctx = ctx;
	d.s = scratch;
	d.out = out;
	d.err = err;
	/* RFC 4271 §6.3: lengths that do not add up are Malformed Attribute List */
	if (len < BGP_UPDATE_MIN_LEN || len > BGP_EXT_MAX_MSG_LEN) {
		reset(&d, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, "bad-update-length");
		return d.action;
	}
	wlen = get16(msg + BGP_HEADER_LEN);
	if (wlen > len - BGP_UPDATE_MIN_LEN) {
		reset(&d, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, "withdrawn-length-overrun");
		return d.action;
	}
	alen = get16(msg + BGP_HEADER_LEN + 2 + wlen);
	if (alen > len - BGP_UPDATE_MIN_LEN - wlen) {
		reset(&d, BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL,
		      "attribute-length-overrun-message");
		return d.action;
	}
	attrs = msg + BGP_UPDATE_MIN_LEN + wlen;
	nlen = len - BGP_UPDATE_MIN_LEN - wlen - alen;
	/* RFC 7606 §5.3: NLRI that cannot be parsed leaves nothing to withdraw: reset */
	if (!nlri_valid(msg + BGP_HEADER_LEN + 2, wlen, AF_INET)) {
		reset(&d, BGP_ERR_UPD_BAD_NETWORK, NULL, "malformed-withdrawn");
		return d.action;
	}
	if (!nlri_valid(attrs + alen, nlen, AF_INET)) {
		reset(&d, BGP_ERR_UPD_BAD_NETWORK, NULL, "malformed-nlri");
		return d.action;
	}
	set_ipv4_fields(&d, msg + BGP_HEADER_LEN + 2, (uint16_t)wlen, attrs + alen, nlen);
	walk_attrs(&d, attrs, alen);
	if (d.action == UPDATE_SESSION_RESET)
		return d.action;
	resolve_as4(&d);
	check_mandatory(&d);
	collect_unknown(&d);
	detect_eor(&d, len);
	return d.action;
}

void update_fill_template(const struct update_msg *u, bool mp, struct attrs *t)
{
	const struct update_attrs *a = &u->attrs;

	memset(t, 0, sizeof(*t));
	t->origin = a->origin;
	t->flags = a->flags;
	t->med = a->med;
	t->local_pref = a->local_pref;
	t->aggregator_as = a->aggregator_as;
	t->aggregator_id = a->aggregator_id;
	if (mp) {
		t->nexthop = u->mp_nexthop;
		t->nexthop_ll = u->mp_nexthop_ll;
	} else {
		t->nexthop = a->nexthop;
	}
}

const char *update_action_name(enum update_action a)
{
	static const char *const names[] = {
		[UPDATE_OK] = "ok",
		[UPDATE_ATTR_DISCARD] = "attribute-discard",
		[UPDATE_TREAT_AS_WITHDRAW] = "treat-as-withdraw",
		[UPDATE_SESSION_RESET] = "session-reset",
	};

	return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "unknown";
}

/* ---- encoding ---- */

/* A writer that also measures: with p NULL it only counts. */
struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool over; /* ran past cap, or an attribute over 65535 octets */
};

static void w_put(struct wbuf *w, const void *src, size_t n)
{
	if (w->len > w->cap || n > w->cap - w->len)
		w->over = true;
	else if (w->p && n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void w_u8(struct wbuf *w, uint8_t v)
{
	w_put(w, &v, 1);
}

static void w_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	w_put(w, b, 2);
}

static void w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];

	set32(b, v);
	w_put(w, b, 4);
}

/* Flags, type and the 1- or 2-octet length (Extended Length above 255). */
static void w_attr_hdr(struct wbuf *w, uint8_t flags, uint8_t type, size_t vlen)
{
	if (vlen > UINT16_MAX) {
		w->over = true;
		return;
	}
	if (vlen > 255) {
		w_u8(w, flags | BGP_ATTR_F_EXT_LEN);
		w_u8(w, type);
		w_u16(w, (uint16_t)vlen);
	} else {
		w_u8(w, flags);
		w_u8(w, type);
		w_u8(w, (uint8_t)vlen);
	}
}

static void w_prefix(struct wbuf *w, const struct prefix *p)
{
	size_t bytes = ((size_t)p->len + 7) / 8;
	uint8_t b[16];

	memcpy(b, p->bytes, bytes);
	if (p->len % 8)
		b[bytes - 1] &= (uint8_t)(0xff << (8 - p->len % 8));
	w_u8(w, p->len);
	w_put(w, b, bytes);
}

static void w_header(struct wbuf *w)
{
	static const uint8_t marker[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	w_put(w, marker, sizeof(marker));
	w_u16(w, 0); /* patched by w_finish */
	w_u8(w, BGP_MSG_UPDATE);
}

static size_t w_finish(struct wbuf *w)
{
	if (w->over)
		return 0;
	w->p[16] = (uint8_t)(w->len >> 8);
	w->p[17] = (uint8_t)w->len;
	return w->len;
}

struct enc_job {
	const struct attrs *a;
	const struct update_enc_ctx *c;
	bool next_hop; /* IPv4 NLRI field in use: NEXT_HOP goes along */
};

static bool as_is_mappable(uint32_t as)
{
	return as <= UINT16_MAX;
}

/* RFC 6793 §4.2.2: an AS4_PATH goes along when a non-confederation AS does not fit in 2 octets. */
static bool needs_as4_path(const struct aspath *p)
{
	size_t off = 0;

	while (p && off + 2 <= p->len) {
		uint8_t type = p->data[off], count = p->data[off + 1], i;

		for (i = 0; i < count && !is_confed(type); i++)
			if (!as_is_mappable(get32(p->data + off + 2 + (size_t)i * 4)))
				return true;
		off += 2 + (size_t)count * 4;
	}
	return false;
}

/* Segments with asz-octet ASes (AS_TRANS for the unmappable), optionally without confeds. */
static void w_segments(struct wbuf *w, const struct aspath *p, unsigned asz, bool confed)
{
	size_t off = 0;

	while (p && off + 2 <= p->len) {
		uint8_t type = p->data[off], count = p->data[off + 1], i;

		if (confed || !is_confed(type)) {
			w_u8(w, type);
			w_u8(w, count);
			for (i = 0; i < count; i++) {
				uint32_t as = get32(p->data + off + 2 + (size_t)i * 4);

				if (asz == 4)
					w_u32(w, as);
				else
					w_u16(w, as_is_mappable(as) ? (uint16_t)as : BGP_AS_TRANS);
			}
		}
		off += 2 + (size_t)count * 4;
	}
}

static size_t segments_len(const struct aspath *p, unsigned asz, bool confed)
{
	struct wbuf m = { NULL, 0, SIZE_MAX, false };

	w_segments(&m, p, asz, confed);
	return m.len;
}

static void enc_origin(struct wbuf *w, const struct enc_job *j)
{
	w_attr_hdr(w, BGP_ATTR_F_TRANSITIVE, BGP_ATTR_ORIGIN, 1);
	w_u8(w, j->a->origin);
}

static void enc_as_path(struct wbuf *w, const struct enc_job *j)
{
	unsigned asz = j->c->as4 ? 4 : 2;

	w_attr_hdr(w, BGP_ATTR_F_TRANSITIVE, BGP_ATTR_AS_PATH,
		   segments_len(j->a->aspath, asz, true));
	w_segments(w, j->a->aspath, asz, true);
}

static void enc_next_hop(struct wbuf *w, const struct enc_job *j)
{
	if (!j->next_hop)
		return;
	w_attr_hdr(w, BGP_ATTR_F_TRANSITIVE, BGP_ATTR_NEXT_HOP, 4);
	w_put(w, j->a->nexthop.bytes, 4);
}

static void enc_med(struct wbuf *w, const struct enc_job *j)
{
	if (!(j->a->flags & ATTR_HAS_MED))
		return;
	w_attr_hdr(w, BGP_ATTR_F_OPTIONAL, BGP_ATTR_MED, 4);
	w_u32(w, j->a->med);
}

/* RFC 4271 §5.1.5: to internal peers always (100 when unset), never to external ones. */
static void enc_local_pref(struct wbuf *w, const struct enc_job *j)
{
	if (!j->c->ibgp)
		return;
	w_attr_hdr(w, BGP_ATTR_F_TRANSITIVE, BGP_ATTR_LOCAL_PREF, 4);
	w_u32(w, (j->a->flags & ATTR_HAS_LOCAL_PREF) ? j->a->local_pref : 100);
}

static void enc_atomic_aggregate(struct wbuf *w, const struct enc_job *j)
{
	if (!(j->a->flags & ATTR_ATOMIC_AGGREGATE))
		return;
	w_attr_hdr(w, BGP_ATTR_F_TRANSITIVE, BGP_ATTR_ATOMIC_AGGREGATE, 0);
}

static void enc_aggregator(struct wbuf *w, const struct enc_job *j)
{
	uint32_t as = j->a->aggregator_as;

	if (!(j->a->flags & ATTR_HAS_AGGREGATOR))
		return;
	w_attr_hdr(w, OPT_TRANS, BGP_ATTR_AGGREGATOR, j->c->as4 ? 8 : 6);
	if (j->c->as4)
		w_u32(w, as);
	else
		w_u16(w, as_is_mappable(as) ? (uint16_t)as : BGP_AS_TRANS);
	w_u32(w, j->a->aggregator_id);
}

static void enc_communities(struct wbuf *w, const struct enc_job *j)
{
	const struct community_list *c = j->a->communities;
	uint16_t i;

	if (!c || !c->n)
		return;
	w_attr_hdr(w, OPT_TRANS, BGP_ATTR_COMMUNITIES, (size_t)c->n * 4);
	for (i = 0; i < c->n; i++)
		w_u32(w, c->v[i]);
}

static void enc_as4_path(struct wbuf *w, const struct enc_job *j)
{
	if (j->c->as4 || !needs_as4_path(j->a->aspath))
		return;
	/* RFC 6793 §4.2.2: no confederation segments in AS4_PATH */
	w_attr_hdr(w, OPT_TRANS, BGP_ATTR_AS4_PATH, segments_len(j->a->aspath, 4, false));
	w_segments(w, j->a->aspath, 4, false);
}

static void enc_as4_aggregator(struct wbuf *w, const struct enc_job *j)
{
	if (j->c->as4 || !(j->a->flags & ATTR_HAS_AGGREGATOR) ||
	    as_is_mappable(j->a->aggregator_as))
		return;
	w_attr_hdr(w, OPT_TRANS, BGP_ATTR_AS4_AGGREGATOR, 8);
	w_u32(w, j->a->aggregator_as);
	w_u32(w, j->a->aggregator_id);
}

static void enc_large_communities(struct wbuf *w, const struct enc_job *j)
{
	const struct lcommunity_list *c = j->a->lcommunities;
	uint16_t i;

	if (!c || !c->n)
		return;
	w_attr_hdr(w, OPT_TRANS, BGP_ATTR_LARGE_COMMUNITIES, (size_t)c->n * 12);
	for (i = 0; i < c->n; i++) {
		w_u32(w, c->v[i].global);
		w_u32(w, c->v[i].local1);
		w_u32(w, c->v[i].local2);
	}
}

/* RFC 4271 §5: attributes in ascending type order (MP_REACH_NLRI aside, see update_encode). */
static const struct {
	uint8_t type;
	void (*enc)(struct wbuf *w, const struct enc_job *j);
} attr_encoders[] = {
	{ BGP_ATTR_ORIGIN, enc_origin },
	{ BGP_ATTR_AS_PATH, enc_as_path },
	{ BGP_ATTR_NEXT_HOP, enc_next_hop },
	{ BGP_ATTR_MED, enc_med },
	{ BGP_ATTR_LOCAL_PREF, enc_local_pref },
	{ BGP_ATTR_ATOMIC_AGGREGATE, enc_atomic_aggregate },
	{ BGP_ATTR_AGGREGATOR, enc_aggregator },
	{ BGP_ATTR_COMMUNITIES, enc_communities },
	{ BGP_ATTR_AS4_PATH, enc_as4_path },
	{ BGP_ATTR_AS4_AGGREGATOR, enc_as4_aggregator },
	{ BGP_ATTR_LARGE_COMMUNITIES, enc_large_communities },
};

/* Copies the unknown TLVs (sorted by type) whose type is below limit. */
static void enc_unknown_upto(struct wbuf *w, const struct attr_blob *b, size_t *off, unsigned limit)
{
	while (b && *off + 3 <= b->len) {
		const uint8_t *t = b->data + *off;
		size_t hlen = (t[0] & BGP_ATTR_F_EXT_LEN) ? 4 : 3;
		size_t vlen;

		if (t[1] >= limit)
			return;
		if (*off + hlen > b->len)
			break;
		vlen = hlen == 4 ? get16(t + 2) : t[2];
		if (*off + hlen + vlen > b->len)
			break;
		w_put(w, t, hlen + vlen);
		*off += hlen + vlen;
	}
	if (b)
		*off = b->len; /* a malformed rest is dropped */
}

static void enc_path_attrs(struct wbuf *w, const struct enc_job *j)
{
	size_t boff = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attr_encoders); i++) {
		enc_unknown_upto(w, j->a->unknown, &boff, attr_encoders[i].type);
		attr_encoders[i].enc(w, j);
	}
	enc_unknown_upto(w, j->a->unknown, &boff, 256);
}

static size_t msg_limit(size_t cap, const struct update_enc_ctx *c)
{
	size_t max = c->max_len ? c->max_len : BGP_MAX_MSG_LEN;

	if (max > BGP_EXT_MAX_MSG_LEN)
		max = BGP_EXT_MAX_MSG_LEN;
	return cap < max ? cap : max;
}

static size_t prefix_octets(const struct prefix *p)
{
	return 1 + ((size_t)p->len + 7) / 8;
}

/* How many prefixes of family fit in room octets; *bytes gets their size. */
static size_t prefixes_fitting(const struct prefix *pfx, size_t n, uint8_t family, size_t room,
			       size_t *bytes)
{
	size_t k, used = 0;

	for (k = 0; k < n; k++) {
		size_t sz = prefix_octets(&pfx[k]);

		if (pfx[k].family != family || pfx[k].len > family_bits(family) || sz > room - used)
			break;
		used += sz;
	}
	*bytes = used;
	return k;
}

/* Next hop octets for MP_REACH_NLRI: 16, or 32 [global or link-local, link-local]. */
static size_t mp_nexthop_build(const struct attrs *a, uint8_t out[32])
{
	bool has_ll = a->nexthop_ll.family == AF_INET6;
	bool has_global = a->nexthop.family == AF_INET6;
	static const uint8_t zero[16];

	if (has_global && memcmp(a->nexthop.bytes, zero, 16) == 0 && has_ll)
		has_global = false;
	if (!has_ll) {
		memcpy(out, a->nexthop.bytes, 16);
		return 16;
	}
	memcpy(out, has_global ? a->nexthop.bytes : a->nexthop_ll.bytes, 16);
	memcpy(out + 16, a->nexthop_ll.bytes, 16);
	return 32;
}

static uint16_t afi_of_family(uint8_t family)
{
	return family == AF_INET ? BGP_AFI_IPV4 : BGP_AFI_IPV6;
}

size_t update_encode(uint8_t *buf, size_t cap, const struct attrs *a, uint8_t family,
		     const struct update_enc_ctx *ctx, const struct prefix *pfx, size_t n,
		     size_t *consumed)
{
	bool v6_nh = a->nexthop.family == AF_INET6 || a->nexthop_ll.family == AF_INET6;
	bool mp = family == AF_INET6 || v6_nh;
	struct enc_job j = { a, ctx, !mp };
	struct wbuf m = { NULL, 0, SIZE_MAX, false };
	struct wbuf w = { buf, 0, msg_limit(cap, ctx), false };
	uint8_t nh[32];
	size_t nhlen = 0, mp_fixed = 0, fixed, bytes, k, i;

	*consumed = 0;
	if ((family != AF_INET && family != AF_INET6) || (family == AF_INET6 && !v6_nh) ||
	    (family == AF_INET && v6_nh && !ctx->ext_nexthop) ||
	    (family == AF_INET && !v6_nh && a->nexthop.family != AF_INET))
		return 0;
	enc_path_attrs(&m, &j);
	if (m.over)
		return 0;
	if (mp) {
		nhlen = mp_nexthop_build(a, nh);
		/* flags, type, 2-octet length; AFI, SAFI, next hop length, next hop, reserved */
		mp_fixed = 4 + 3 + 1 + nhlen + 1;
	}
	fixed = BGP_UPDATE_MIN_LEN + mp_fixed + m.len;
	if (fixed >= w.cap)
		return 0;
	k = prefixes_fitting(pfx, n, family, w.cap - fixed, &bytes);
	if (mp && mp_fixed - 4 + bytes > UINT16_MAX)
		k = prefixes_fitting(pfx, n, family, UINT16_MAX - (mp_fixed - 4), &bytes);
	*consumed = k;
	if (!k)
		return 0;
	w_header(&w);
	w_u16(&w, 0); /* no withdrawn routes */
	w_u16(&w, (uint16_t)(mp_fixed + m.len + (mp ? bytes : 0)));
	if (mp) {
		/* RFC 7606 §5.1: MP_REACH_NLRI first, so errors later cannot hide it */
		w_u8(&w, BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXT_LEN);
		w_u8(&w, BGP_ATTR_MP_REACH_NLRI);
		w_u16(&w, (uint16_t)(mp_fixed - 4 + bytes));
		w_u16(&w, afi_of_family(family));
		w_u8(&w, BGP_SAFI_UNICAST);
		w_u8(&w, (uint8_t)nhlen);
		w_put(&w, nh, nhlen);
		w_u8(&w, 0); /* reserved (RFC 4760 §3) */
		for (i = 0; i < k; i++)
			w_prefix(&w, &pfx[i]);
	}
	enc_path_attrs(&w, &j);
	for (i = 0; !mp && i < k; i++)
		w_prefix(&w, &pfx[i]);
	return w_finish(&w);
}

size_t update_withdraw_encode(uint8_t *buf, size_t cap, uint8_t family,
			      const struct update_enc_ctx *ctx, const struct prefix *pfx, size_t n,
			      size_t *consumed)
{
	struct wbuf w = { buf, 0, msg_limit(cap, ctx), false };
	/* IPv6: MP_UNREACH_NLRI header (4) + AFI/SAFI (3) */
	size_t fixed = BGP_UPDATE_MIN_LEN + (family == AF_INET6 ? 7 : 0);
	size_t bytes, k, i;

	*consumed = 0;
	if ((family != AF_INET && family != AF_INET6) || fixed >= w.cap)
		return 0;
	k = prefixes_fitting(pfx, n, family, w.cap - fixed, &bytes);
	*consumed = k;
	if (!k)
		return 0;
	w_header(&w);
	if (family == AF_INET) {
		w_u16(&w, (uint16_t)bytes);
		for (i = 0; i < k; i++)
			w_prefix(&w, &pfx[i]);
		w_u16(&w, 0);
		return w_finish(&w);
	}
	w_u16(&w, 0);
	w_u16(&w, (uint16_t)(7 + bytes));
	w_u8(&w, BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXT_LEN);
	w_u8(&w, BGP_ATTR_MP_UNREACH_NLRI);
	w_u16(&w, (uint16_t)(3 + bytes));
	w_u16(&w, BGP_AFI_IPV6);
	w_u8(&w, BGP_SAFI_UNICAST);
	for (i = 0; i < k; i++)
		w_prefix(&w, &pfx[i]);
	return w_finish(&w);
}

size_t update_eor_encode(uint8_t *buf, size_t cap, uint8_t family)
{
	struct wbuf w = { buf, 0, cap, false };

	if (family != AF_INET && family != AF_INET6)
		return 0;
	w_header(&w);
	w_u16(&w, 0);
	if (family == AF_INET) {
		w_u16(&w, 0);
		return w_finish(&w);
	}
	w_u16(&w, 6);
	w_u8(&w, BGP_ATTR_F_OPTIONAL);
	w_u8(&w, BGP_ATTR_MP_UNREACH_NLRI);
	w_u8(&w, 3);
	w_u16(&w, BGP_AFI_IPV6);
	w_u8(&w, BGP_SAFI_UNICAST);
	return w_finish(&w);
}
