/*
 * IPv6 Router Advertisement / Router Solicitation codec (RFC 4861 §4.1,
 * §4.2, §4.6) for ndra, the helper that lets BGP unnumbered learn each
 * peer's link-local address (the IPv6 source of its RA) and MAC (the RA's
 * Source Link-Layer Address option).
 *
 * Pure: no I/O, no globals, no allocation. Buffers hold the ICMPv6 message
 * only (from the ICMPv6 type byte on), as a raw IPPROTO_ICMPV6 socket
 * hands it over and takes it; what the IPv6 header said (hop limit, source
 * address) arrives separately in struct ra_rx_meta.
 *
 * Checksums: the kernel computes the ICMPv6 checksum of everything sent on
 * a raw ICMPv6 socket and verifies it on receive, dropping bad ones before
 * we see them (RFC 3542 §3.1). The encoders therefore leave it 0 and the
 * decoders ignore it.
 *
 * Link layer: ndra runs on Ethernet fabric ports only, so a link-layer
 * address option must be exactly 8 bytes (length 1, RFC 2464 §6); any
 * other length is treated as malformed.
 */
#ifndef NDRA_RA_H
#define NDRA_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP6_TYPE_RS 133
#define ICMP6_TYPE_RA 134

#define RA_HDR_LEN 16 /* type, code, cksum, hop limit, flags, lifetime, reachable, retrans */
#define RS_HDR_LEN 8  /* type, code, cksum, reserved */

/* Neighbor Discovery option types (RFC 4861 §4.6) */
enum nd_opt_type {
	ND_OPT_SLLA = 1,
	ND_OPT_TLLA = 2,
	ND_OPT_PREFIX_INFO = 3,
	ND_OPT_REDIRECTED_HDR = 4,
	ND_OPT_MTU = 5,
};

#define ND_OPT_UNIT	       8  /* option length is counted in units of 8 bytes */
#define ND_OPT_SLLA_LEN	       8  /* Ethernet: type, len, 6-byte MAC */
#define ND_OPT_MTU_LEN	       8  /* type, len, reserved(2), MTU(4) */
#define ND_OPT_PREFIX_INFO_LEN 32 /* RFC 4861 §4.6.2 */

#define ETH_ALEN_RA 6

/* RA flags byte (struct ra_msg.flags); other bits are carried through as is. */
#define RA_FLAG_MANAGED	 0x80 /* M: addresses via DHCPv6 */
#define RA_FLAG_OTHER	 0x40 /* O: other configuration via DHCPv6 */
#define RA_FLAG_HOME_AGT 0x20 /* H: RFC 6275 */
#define RA_FLAG_PRF_MASK 0x18 /* default router preference, RFC 4191 */
#define RA_FLAG_PROXY	 0x04 /* RFC 4389 */

/* Prefix Information flags byte (struct ra_prefix.flags) */
#define RA_PREFIX_ONLINK 0x80 /* L */
#define RA_PREFIX_AUTO	 0x40 /* A: usable for SLAAC */
#define RA_PREFIX_ROUTER 0x20 /* R: RFC 6275 */

#define RA_LIFETIME_INFINITE 0xffffffffu /* valid/preferred lifetime "forever" */

#define RA_MAX_PREFIXES 8
#define RA_MAX_LEN                                                                                 \
	(RA_HDR_LEN + ND_OPT_SLLA_LEN + ND_OPT_MTU_LEN + RA_MAX_PREFIXES * ND_OPT_PREFIX_INFO_LEN)
#define RS_MAX_LEN (RS_HDR_LEN + ND_OPT_SLLA_LEN)

struct ra_prefix {
	uint8_t prefix[16];
	uint8_t len;	    /* 0..128 */
	uint8_t flags;	    /* RA_PREFIX_* bits, carried through as is */
	uint32_t valid;	    /* seconds, RA_LIFETIME_INFINITE = forever */
	uint32_t preferred; /* seconds */
};

struct ra_msg {
	uint8_t cur_hop_limit;	  /* 0 = unspecified */
	uint8_t flags;		  /* RA_FLAG_* bits, the whole byte */
	uint16_t router_lifetime; /* seconds; 0 = not a default router */
	uint32_t reachable_time;  /* milliseconds; 0 = unspecified */
	uint32_t retrans_timer;	  /* milliseconds; 0 = unspecified */

	bool has_slla;
	uint8_t slla[ETH_ALEN_RA];

	bool has_mtu;
	uint32_t mtu;

	uint8_t n_prefixes;
	struct ra_prefix prefixes[RA_MAX_PREFIXES];

	/*
	 * Decode only: options that were well formed but not used (unknown
	 * types, a second SLLA or MTU option, prefixes beyond
	 * RA_MAX_PREFIXES, Prefix Information or MTU options of the wrong
	 * size, prefix length > 128). Ignored by the encoder.
	 */
	uint16_t n_skipped;
};

struct rs_msg {
	bool has_slla;
	uint8_t slla[ETH_ALEN_RA];
	uint16_t n_skipped; /* decode only, as in struct ra_msg */
};

/* What the socket told us about a received packet. */
struct ra_rx_meta {
	int hop_limit;	 /* from the IPV6_RECVHOPLIMIT cmsg; -1 if it was missing */
	uint8_t src[16]; /* IPv6 source address */
};

enum ra_drop_reason {
	RA_OK = 0,
	RA_DROP_HOPLIMIT,     /* IPv6 hop limit not 255: not from this link */
	RA_DROP_SOURCE,	      /* RA source not link-local; RS source multicast */
	RA_DROP_SHORT,	      /* shorter than the fixed header */
	RA_DROP_BAD_CODE,     /* ICMPv6 code not 0 */
	RA_DROP_BAD_TYPE,     /* not an RA (resp. RS) */
	RA_DROP_OPT_ZERO_LEN, /* an option with length 0 */
	RA_DROP_OPT_OVERRUN,  /* an option running past the end */
	RA_DROP_BAD_SLLA,     /* SLLA option not 8 bytes, or in an RS from :: */
	RA_DROP__COUNT
};

/*
 * Encoders write the ICMPv6 message (type, code 0, checksum 0, body,
 * options: SLLA, MTU, then prefixes) into buf and return its length, or 0
 * if cap is too small or *m cannot be encoded (n_prefixes > RA_MAX_PREFIXES
 * or a prefix length > 128).
 */
size_t ra_encode(uint8_t *buf, size_t cap, const struct ra_msg *m);
size_t rs_encode(uint8_t *buf, size_t cap, const struct rs_msg *m);

/*
 * Decoders validate per RFC 4861 §6.1.2 (RA) and §6.1.1 (RS) and fill *out.
 * On any drop reason other than RA_OK, *out is all zeroes. Unknown options
 * are skipped. Never reads outside pkt[0..len).
 *
 * The RA source must be link-local (fe80::/10). An RS may come from any
 * non-multicast source including the unspecified address ::, but one from
 * :: must not carry an SLLA option (RA_DROP_BAD_SLLA).
 */
enum ra_drop_reason ra_decode(const uint8_t *pkt, size_t len, const struct ra_rx_meta *meta,
			      struct ra_msg *out);
enum ra_drop_reason rs_decode(const uint8_t *pkt, size_t len, const struct ra_rx_meta *meta,
			      struct rs_msg *out);

/* Short kebab-case name ("hop-limit", ...), used as a counter name; "ok" for RA_OK. */
const char *ra_drop_reason_name(enum ra_drop_reason r);

/*
 * Counters per reason. The runtime owns an instance; this is only the
 * shape and the helper. by_reason[RA_OK] counts packets accepted.
 */
struct ra_drop_counters {
	uint64_t by_reason[RA_DROP__COUNT];
};

/* Adds one to the counter of r; an out-of-range r is ignored. */
void ra_drop_count(struct ra_drop_counters *c, enum ra_drop_reason r);

#endif
