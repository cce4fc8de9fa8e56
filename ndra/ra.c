/*
 * RA/RS codec: see ra.h. Every multi-byte field is big-endian on the wire
 * and is read and written a byte at a time, so no alignment is assumed.
 */
#include "ndra/ra.h"

#include <string.h>

static const char *const drop_names[RA_DROP__COUNT] = {
	[RA_OK] = "ok",
	[RA_DROP_HOPLIMIT] = "hop-limit",
	[RA_DROP_SOURCE] = "source",
	[RA_DROP_SHORT] = "short",
	[RA_DROP_BAD_CODE] = "bad-code",
	[RA_DROP_BAD_TYPE] = "bad-type",
	[RA_DROP_OPT_ZERO_LEN] = "opt-zero-len",
	[RA_DROP_OPT_OVERRUN] = "opt-overrun",
	[RA_DROP_BAD_SLLA] = "bad-slla",
};

/* RFC 4861 §6.1.1/§6.1.2: only a packet sent on this link arrives with 255. */
#define ND_HOP_LIMIT 255

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; /* fe80::/10 */
}

static bool is_multicast(const uint8_t *a)
{
	return a[0] == 0xff; /* ff00::/8 */
}

static bool is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

/* ---- encoding ---- */

static size_t put_slla(uint8_t *p, const uint8_t *mac)
{
	p[0] = ND_OPT_SLLA;
	p[1] = ND_OPT_SLLA_LEN / ND_OPT_UNIT;
	memcpy(p + 2, mac, ETH_ALEN_RA);
	return ND_OPT_SLLA_LEN;
}

static size_t put_mtu(uint8_t *p, uint32_t mtu)
{
	p[0] = ND_OPT_MTU;
	p[1] = ND_OPT_MTU_LEN / ND_OPT_UNIT;
	put16(p + 2, 0); /* reserved */
	put32(p + 4, mtu);
	return ND_OPT_MTU_LEN;
}

static size_t put_prefix(uint8_t *p, const struct ra_prefix *pi)
{
	p[0] = ND_OPT_PREFIX_INFO;
	p[1] = ND_OPT_PREFIX_INFO_LEN / ND_OPT_UNIT;
	p[2] = pi->len;
	p[3] = pi->flags;
	put32(p + 4, pi->valid);
	put32(p + 8, pi->preferred);
	put32(p + 12, 0); /* reserved2 */
	memcpy(p + 16, pi->prefix, 16);
	return ND_OPT_PREFIX_INFO_LEN;
}

size_t ra_encode(uint8_t *buf, size_t cap, const struct ra_msg *m)
{
	size_t need = RA_HDR_LEN, off;
	unsigned int i;

	if (m->n_prefixes > RA_MAX_PREFIXES)
		return 0;
	for (i = 0; i < m->n_prefixes; i++)
		if (m->prefixes[i].len > 128)
			return 0;
	if (m->has_slla)
		need += ND_OPT_SLLA_LEN;
	if (m->has_mtu)
		need += ND_OPT_MTU_LEN;
	need += (size_t)m->n_prefixes * ND_OPT_PREFIX_INFO_LEN;
	if (cap < need)
		return 0;

	buf[0] = ICMP6_TYPE_RA;
	buf[1] = 0;	   /* code */
	put16(buf + 2, 0); /* checksum: filled in by the kernel */
	buf[4] = m->cur_hop_limit;
	buf[5] = m->flags;
	put16(buf + 6, m->router_lifetime);
	put32(buf + 8, m->reachable_time);
	put32(buf + 12, m->retrans_timer);
	off = RA_HDR_LEN;
	if (m->has_slla)
		off += put_slla(buf + off, m->slla);
	if (m->has_mtu)
		off += put_mtu(buf + off, m->mtu);
	for (i = 0; i < m->n_prefixes; i++)
		off += put_prefix(buf + off, &m->prefixes[i]);
	return off;
}

size_t rs_encode(uint8_t *buf, size_t cap, const struct rs_msg *m)
{
	size_t need = RS_HDR_LEN + (m->has_slla ? ND_OPT_SLLA_LEN : 0);

	if (cap < need)
		return 0;
	buf[0] = ICMP6_TYPE_RS;
	buf[1] = 0;	   /* code */
	put16(buf + 2, 0); /* checksum: filled in by the kernel */
	put32(buf + 4, 0); /* reserved */
	if (m->has_slla)
		put_slla(buf + RS_HDR_LEN, m->slla);
	return need;
}

/* ---- decoding ---- */

/*
 * Steps over the option at *off: returns its type, start and byte length
 * in *type, *opt and *olen and advances *off, or a drop reason. RFC 4861
 * §6.1: every option must have a non-zero length, and it must fit.
 */
static enum ra_drop_reason opt_next(const uint8_t *pkt, size_t len, size_t *off, uint8_t *type,
				    const uint8_t **opt, size_t *olen)
{
	size_t left = len - *off;

	if (left < 2)
		return RA_DROP_OPT_OVERRUN; /* not even type and length */
	*type = pkt[*off];
	*olen = (size_t)pkt[*off + 1] * ND_OPT_UNIT;
	if (*olen == 0)
		return RA_DROP_OPT_ZERO_LEN;
	if (*olen > left)
		return RA_DROP_OPT_OVERRUN;
	*opt = pkt + *off;
	*off += *olen;
	return RA_OK;
}

/* Common checks of the ICMPv6 header: length, type, code. */
static enum ra_drop_reason check_hdr(const uint8_t *pkt, size_t len, size_t min_len, uint8_t type)
{
	if (len < min_len)
		return RA_DROP_SHORT;
	if (pkt[0] != type)
		return RA_DROP_BAD_TYPE;
	if (pkt[1] != 0)
		return RA_DROP_BAD_CODE;
	return RA_OK;
}

/* Copies the MAC from an SLLA option, or says why it is malformed. */
static enum ra_drop_reason take_slla(const uint8_t *opt, size_t olen, bool *has, uint8_t *mac,
				     uint16_t *n_skipped)
{
	if (olen != ND_OPT_SLLA_LEN)
		return RA_DROP_BAD_SLLA;
	if (*has) {
		(*n_skipped)++; /* the first one wins */
		return RA_OK;
	}
	*has = true;
	memcpy(mac, opt + 2, ETH_ALEN_RA);
	return RA_OK;
}

static void take_mtu(const uint8_t *opt, size_t olen, struct ra_msg *m)
{
	if (olen != ND_OPT_MTU_LEN || m->has_mtu) {
		m->n_skipped++;
		return;
	}
	m->has_mtu = true;
	m->mtu = get32(opt + 4);
}

static void take_prefix(const uint8_t *opt, size_t olen, struct ra_msg *m)
{
	struct ra_prefix *pi;

	if (olen != ND_OPT_PREFIX_INFO_LEN || opt[2] > 128 || m->n_prefixes >= RA_MAX_PREFIXES) {
		m->n_skipped++;
		return;
	}
	pi = &m->prefixes[m->n_prefixes++];
	pi->len = opt[2];
	pi->flags = opt[3];
	pi->valid = get32(opt + 4);
	pi->preferred = get32(opt + 8);
	memcpy(pi->prefix, opt + 16, 16);
}

static enum ra_drop_reason ra_decode_opts(const uint8_t *pkt, size_t len, struct ra_msg *out)
{
	size_t off = RA_HDR_LEN, olen;
	const uint8_t *opt;
	enum ra_drop_reason r;
	uint8_t type;

	while (off < len) {
		r = opt_next(pkt, len, &off, &type, &opt, &olen);
		if (r != RA_OK)
			return r;
		switch (type) {
		case ND_OPT_SLLA:
			r = take_slla(opt, olen, &out->has_slla, out->slla, &out->n_skipped);
			if (r != RA_OK)
				return r;
			break;
		case ND_OPT_MTU:
			take_mtu(opt, olen, out);
			break;
		case ND_OPT_PREFIX_INFO:
			take_prefix(opt, olen, out);
			break;
		default:
			out->n_skipped++; /* RFC 4861 §4.6: unknown options are ignored */
			break;
		}
	}
	return RA_OK;
}

enum ra_drop_reason ra_decode(const uint8_t *pkt, size_t len, const struct ra_rx_meta *meta,
			      struct ra_msg *out)
{
	enum ra_drop_reason r;

	memset(out, 0, sizeof(*out));
	if (meta->hop_limit != ND_HOP_LIMIT)
		return RA_DROP_HOPLIMIT;
	if (!is_linklocal(meta->src))
		return RA_DROP_SOURCE;
	r = check_hdr(pkt, len, RA_HDR_LEN, ICMP6_TYPE_RA);
	if (r != RA_OK)
		return r;

	out->cur_hop_limit = pkt[4];
	out->flags = pkt[5];
	out->router_lifetime = get16(pkt + 6);
	out->reachable_time = get32(pkt + 8);
	out->retrans_timer = get32(pkt + 12);
	r = ra_decode_opts(pkt, len, out);
	if (r != RA_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

enum ra_drop_reason rs_decode(const uint8_t *pkt, size_t len, const struct ra_rx_meta *meta,
			      struct rs_msg *out)
{
	bool unspec = is_unspecified(meta->src);
	size_t off = RS_HDR_LEN, olen;
	const uint8_t *opt;
	enum ra_drop_reason r;
	uint8_t type;

	memset(out, 0, sizeof(*out));
	if (meta->hop_limit != ND_HOP_LIMIT)
		return RA_DROP_HOPLIMIT;
	if (is_multicast(meta->src))
		return RA_DROP_SOURCE;
	r = check_hdr(pkt, len, RS_HDR_LEN, ICMP6_TYPE_RS);
	if (r != RA_OK)
		return r;

	/* pkt[4..8) is reserved: ignored on receipt. */
	while (off < len) {
		r = opt_next(pkt, len, &off, &type, &opt, &olen);
		if (r != RA_OK)
			break;
		if (type != ND_OPT_SLLA) {
			out->n_skipped++;
			continue;
		}
		/* RFC 4861 §6.1.1: no SLLA when the source is unspecified. */
		if (unspec) {
			r = RA_DROP_BAD_SLLA;
			break;
		}
		r = take_slla(opt, olen, &out->has_slla, out->slla, &out->n_skipped);
		if (r != RA_OK)
			break;
	}
	if (r != RA_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

const char *ra_drop_reason_name(enum ra_drop_reason r)
{
	if ((unsigned int)r >= RA_DROP__COUNT)
		return "unknown";
	return drop_names[r];
}

void ra_drop_count(struct ra_drop_counters *c, enum ra_drop_reason r)
{
	if ((unsigned int)r >= RA_DROP__COUNT)
		return;
	c->by_reason[r]++;
}
