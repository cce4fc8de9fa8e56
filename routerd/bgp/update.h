/*
 * BGP UPDATE codec (RFC 4271 §4.3, RFC 4760, RFC 6793, RFC 8950, RFC 1997,
 * RFC 8092, RFC 4724) with the revised error handling of RFC 7606.
 *
 * Pure: no I/O, no globals, no allocation, never logs. The decoder does not
 * intern anything: it hands back scalar attributes and views (into the
 * message or into a caller-owned struct update_scratch) that the caller
 * interns with routerd/rib/attr.h. The encoders take interned attributes and
 * pack as many prefixes as fit into one message.
 */
#ifndef ROUTERD_BGP_UPDATE_H
#define ROUTERD_BGP_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/bgp/wire.h"
#include "routerd/lib/addr.h"
#include "routerd/rib/attr.h"

/* Path attribute type codes (IANA) */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_MP_REACH_NLRI = 14,
	BGP_ATTR_MP_UNREACH_NLRI = 15,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITIES = 32,
};

/* Attribute Flags octet (RFC 4271 §4.3) */
#define BGP_ATTR_F_OPTIONAL   0x80
#define BGP_ATTR_F_TRANSITIVE 0x40
#define BGP_ATTR_F_PARTIAL    0x20
#define BGP_ATTR_F_EXT_LEN    0x10

/*
 * What the session does with a decoded UPDATE (RFC 7606 §2), in rising order
 * of severity: the decoder reports the most severe one it met.
 *  OK                 use everything.
 *  ATTR_DISCARD       some attributes were dropped; use the rest as usual.
 *  TREAT_AS_WITHDRAW  every announced prefix (NLRI field and MP_REACH_NLRI)
 *                     is withdrawn instead; withdrawals are processed as usual.
 *  SESSION_RESET      send the NOTIFICATION in err and close; use nothing.
 */
enum update_action {
	UPDATE_OK = 0,
	UPDATE_ATTR_DISCARD = 1,
	UPDATE_TREAT_AS_WITHDRAW = 2,
	UPDATE_SESSION_RESET = 3,
};

/* What was negotiated with the peer. */
struct update_ctx {
	bool as4;	      /* RFC 6793 4-octet AS numbers on both sides */
	bool ibgp;	      /* peer is in our AS (LOCAL_PREF accepted) */
	uint32_t afs;	      /* enum bgp_af set negotiated (plain IPv4: BGP_AF_IPV4_UNICAST) */
	uint32_t ext_nexthop; /* enum bgp_af set that may carry an IPv6 next hop (RFC 8950) */
};

/* A block of NLRI (prefix length + prefix octets, RFC 4271 §4.3), all validated. */
struct update_nlri {
	const uint8_t *data;
	uint16_t len;	/* octets */
	uint8_t family; /* AF_INET or AF_INET6; 0 when the block is absent */
};

/*
 * Scratch the decoder writes converted attributes into; large enough for
 * any message up to RFC 8654's 65535 octets (about 256 KiB: allocate it once,
 * not on the stack). Views in struct update_msg point here until the next
 * decode with the same scratch.
 */
#define UPDATE_ASPATH_MAX 65535
#define UPDATE_BLOB_MAX	  65535
struct update_scratch {
	uint8_t aspath[UPDATE_ASPATH_MAX];
	uint8_t unknown[UPDATE_BLOB_MAX];
	uint32_t communities[BGP_EXT_MAX_MSG_LEN / 4];
	struct lcommunity lcommunities[BGP_EXT_MAX_MSG_LEN / 12];
};

/* The path attributes of one UPDATE, shaped like struct attrs before interning. */
struct update_attrs {
	uint64_t present; /* bit (1 << type) for each attribute type < 64 accepted */
	uint8_t origin;	  /* ORIGIN_* */
	uint8_t flags;	  /* enum attr_flag: HAS_MED, HAS_LOCAL_PREF, ATOMIC..., HAS_AGGREGATOR */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as; /* AS4_AGGREGATOR already applied (RFC 6793 §4.2.3) */
	uint32_t aggregator_id; /* host byte order */
	struct ipaddr nexthop;	/* NEXT_HOP: for the IPv4 NLRI field only */
	/* 4-octet segments as in struct aspath, AS4_PATH merged; empty when absent */
	const uint8_t *aspath;
	uint16_t aspath_len;
	const uint32_t *communities; /* host order, as received (unsorted) */
	uint16_t ncommunities;
	const struct lcommunity *lcommunities;
	uint16_t nlcommunities;
	/* unknown optional transitive attributes: TLVs with Partial set, by type code */
	const uint8_t *unknown;
	uint16_t unknown_len;
};

struct update_msg {
	struct update_attrs attrs;
	struct update_nlri withdrawn; /* IPv4 Withdrawn Routes field */
	struct update_nlri nlri;      /* IPv4 NLRI field (next hop: attrs.nexthop) */
	struct update_nlri mp_reach;  /* MP_REACH_NLRI of a negotiated unicast AF */
	struct ipaddr mp_nexthop;     /* IPv4, IPv6 global, or :: when only a link-local came */
	struct ipaddr mp_nexthop_ll;  /* IPv6 link-local next hop; family 0 when absent */
	struct update_nlri mp_unreach;
	uint32_t eor;	      /* enum bgp_af set this UPDATE marks End-of-RIB for (RFC 4724) */
	uint32_t ignored_afs; /* enum bgp_af set (or ~0 for unknown ones) skipped */
	const char *reason;   /* most severe problem, e.g. "malformed-origin"; NULL when none */
};

/*
 * Decodes a whole UPDATE (header included; the caller has checked the header
 * with bgp_header_parse). Every NLRI block is validated here, so iteration
 * cannot fail. Returns the action; for UPDATE_SESSION_RESET err holds the
 * NOTIFICATION (3/1 Malformed Attribute List, 3/2, 3/4, 3/9 Optional
 * Attribute Error for a malformed MP_REACH/MP_UNREACH_NLRI, 3/10 Invalid
 * Network Field for NLRI that cannot be parsed). err is untouched otherwise.
 * MP attributes of an AF not negotiated are skipped (ignored_afs).
 */
enum update_action update_decode(const uint8_t *msg, size_t len, const struct update_ctx *ctx,
				 struct update_scratch *scratch, struct update_msg *out,
				 struct bgp_notify *err);

/*
 * Copies the scalar attributes of u into a template (zeroed first, as by
 * attrs_init) and picks the next hop for the NLRI block: mp false for the
 * IPv4 NLRI field (NEXT_HOP), true for MP_REACH_NLRI. The caller interns the
 * AS path, communities and unknown TLVs and sets the pointers.
 */
void update_fill_template(const struct update_msg *u, bool mp, struct attrs *t);

struct update_nlri_iter {
	const uint8_t *p;
	const uint8_t *end;
	uint8_t family;
};

void update_nlri_iter_init(struct update_nlri_iter *it, const struct update_nlri *block);
/* Next prefix (host bits zeroed); false at the end of the block. */
bool update_nlri_next(struct update_nlri_iter *it, struct prefix *out);

/* What the encoders need to know about the peer. */
struct update_enc_ctx {
	bool as4;	  /* peer speaks 4-octet AS: else AS_PATH with AS_TRANS + AS4_PATH */
	bool ibgp;	  /* LOCAL_PREF is sent only to internal peers (RFC 4271 §5.1.5) */
	bool ext_nexthop; /* IPv4 NLRI may carry an IPv6 next hop (RFC 8950) */
	size_t max_len;	  /* BGP_MAX_MSG_LEN, or up to BGP_EXT_MAX_MSG_LEN (RFC 8654); 0 = 4096 */
};

/*
 * One UPDATE announcing as many of pfx[0..n) (all of `family`) as fit, with
 * the attributes a sent as they are (AS prepending and next-hop rewriting
 * are the caller's). IPv4 prefixes with an IPv4 next hop go in the NLRI
 * field with NEXT_HOP; IPv6, and IPv4 with an IPv6 next hop, go in
 * MP_REACH_NLRI (first attribute, RFC 7606 §5.1) with a 16-octet next hop,
 * or 32 octets [global or link-local, link-local] when a link-local is set.
 * Returns the message length and sets *consumed, or returns 0 when not even
 * one prefix fits, the attributes cannot be encoded (IPv6 next hop for IPv4
 * without ext_nexthop, an attribute over 65535 octets), or a prefix has
 * another family (*consumed then says where it stopped).
 */
size_t update_encode(uint8_t *buf, size_t cap, const struct attrs *a, uint8_t family,
		     const struct update_enc_ctx *ctx, const struct prefix *pfx, size_t n,
		     size_t *consumed);

/* Withdrawals: IPv4 in the Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI. Same returns. */
size_t update_withdraw_encode(uint8_t *buf, size_t cap, uint8_t family,
			      const struct update_enc_ctx *ctx, const struct prefix *pfx, size_t n,
			      size_t *consumed);

/* End-of-RIB (RFC 4724 §2): IPv4 the empty UPDATE, IPv6 an empty MP_UNREACH_NLRI. */
size_t update_eor_encode(uint8_t *buf, size_t cap, uint8_t family);

/* "treat-as-withdraw" etc. for logs */
const char *update_action_name(enum update_action a);

#endif
