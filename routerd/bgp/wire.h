/*
 * BGP-4 message codec (RFC 4271) for the session layer: header, OPEN with
 * capabilities, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH.
 *
 * Pure: no I/O, no globals, no allocation. Every decoder takes the whole
 * message (header included), never reads past `len`, and on error fills a
 * struct bgp_notify with the NOTIFICATION the session must send.
 * UPDATE messages have their own codec (bgp/update.h).
 */
#ifndef ROUTERD_BGP_WIRE_H
#define ROUTERD_BGP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_HEADER_LEN	    19
#define BGP_MAX_MSG_LEN	    4096
#define BGP_EXT_MAX_MSG_LEN 65535 /* RFC 8654 */
#define BGP_OPEN_MIN_LEN    29
#define BGP_UPDATE_MIN_LEN  23
#define BGP_NOTIFY_MIN_LEN  21
#define BGP_RR_LEN	    23
#define BGP_VERSION	    4
#define BGP_AS_TRANS	    23456
#define BGP_NOTIFY_DATA_MAX 256

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313) */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
};

enum bgp_err_header_sub {
	BGP_ERR_HDR_NOT_SYNC = 1,
	BGP_ERR_HDR_BAD_LEN = 2,
	BGP_ERR_HDR_BAD_TYPE = 3,
};

enum bgp_err_open_sub {
	BGP_ERR_OPEN_UNSPEC = 0,
	BGP_ERR_OPEN_VERSION = 1,
	BGP_ERR_OPEN_BAD_AS = 2,
	BGP_ERR_OPEN_BAD_ID = 3,
	BGP_ERR_OPEN_OPT_PARAM = 4,
	BGP_ERR_OPEN_HOLD_TIME = 6,
	BGP_ERR_OPEN_CAPABILITY = 7,
};

enum bgp_err_update_sub {
	BGP_ERR_UPD_MALFORMED_ATTR_LIST = 1,
	BGP_ERR_UPD_UNRECOGNIZED_WK = 2,
	BGP_ERR_UPD_MISSING_WK = 3,
	BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LEN = 5,
	BGP_ERR_UPD_BAD_ORIGIN = 6,
	BGP_ERR_UPD_BAD_NEXTHOP = 8,
	BGP_ERR_UPD_OPT_ATTR = 9,
	BGP_ERR_UPD_BAD_NETWORK = 10,
	BGP_ERR_UPD_MALFORMED_AS_PATH = 11,
};

/* RFC 6608 */
enum bgp_err_fsm_sub {
	BGP_ERR_FSM_UNSPEC = 0,
	BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};

/* RFC 7313 */
enum bgp_err_rr_sub {
	BGP_ERR_RR_BAD_LEN = 1,
};

/* RFC 4486 */
enum bgp_err_cease_sub {
	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_CONN_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_OUT_OF_RESOURCES = 8,
};

/* Address families we negotiate, as bits so a set fits in one word. */
enum bgp_af {
	BGP_AF_IPV4_UNICAST = 1u << 0,
	BGP_AF_IPV6_UNICAST = 1u << 1,
};

#define BGP_AFI_IPV4	 1
#define BGP_AFI_IPV6	 2
#define BGP_SAFI_UNICAST 1

/* Capability codes (IANA) */
enum bgp_cap_code {
	BGP_CAP_MP = 1,
	BGP_CAP_ROUTE_REFRESH = 2,
	BGP_CAP_EXT_NEXTHOP = 5, /* RFC 8950 */
	BGP_CAP_EXT_MESSAGE = 6, /* RFC 8654 */
	BGP_CAP_AS4 = 65,	 /* RFC 6793 */
	BGP_CAP_ENHANCED_RR = 70,
	BGP_CAP_ROUTE_REFRESH_OLD = 128, /* pre-standard Cisco code, still sent by some */
};

struct bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_DATA_MAX];
};

struct bgp_caps {
	uint32_t mp;	      /* set of enum bgp_af announced with the MP capability */
	uint32_t ext_nexthop; /* set of enum bgp_af whose NLRI may carry an IPv6 next hop */
	bool route_refresh;   /* code 2 or 128 */
	bool enhanced_rr;     /* code 70: recognised, never announced by us yet */
	bool ext_message;     /* RFC 8654 */
	bool as4;	      /* 4-octet AS capability present */
	uint32_t as4_asn;     /* its value */
	uint16_t unknown; /* count of capabilities we did not recognise (ignored per RFC 5492) */
};

struct bgp_open {
	uint8_t version;
	uint16_t my_as;	    /* fixed 2-octet field: AS_TRANS when the real AS needs 4 octets */
	uint16_t hold_time; /* seconds; 0 or >= 3 */
	uint32_t bgp_id;    /* host byte order */
	struct bgp_caps caps;
};

struct bgp_header {
	uint16_t len; /* whole message, header included */
	uint8_t type;
};

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype; /* RFC 7313: 0 normal, 1 BoRR, 2 EoRR */
	uint8_t safi;
};

/* RFC 7313 §5: a ROUTE-REFRESH with any other subtype is to be ignored. */
enum bgp_rr_subtype {
	BGP_RR_NORMAL = 0,
	BGP_RR_BORR = 1,
	BGP_RR_EORR = 2,
};

/* What the local side expects of the remote, for bgp_open_validate(). */
enum bgp_remote_as_mode {
	BGP_REMOTE_AS_NUMBER,	/* remote AS must equal remote_as */
	BGP_REMOTE_AS_EXTERNAL, /* any AS other than local_as */
	BGP_REMOTE_AS_INTERNAL, /* must equal local_as */
};

struct bgp_open_expect {
	uint32_t local_as;
	uint32_t local_id; /* host byte order */
	enum bgp_remote_as_mode mode;
	uint32_t remote_as;
};

/* Fills n; data may be NULL. Data longer than BGP_NOTIFY_DATA_MAX is truncated. */
void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data,
		    size_t data_len);

/*
 * Header: returns 1 when a complete valid header is at buf (h filled), 0 when
 * fewer than BGP_HEADER_LEN bytes are available, -1 on error (err filled:
 * marker not all ones -> 1/1; length < 19, > max_len or too short/long for
 * the type -> 1/2 with the length as data; unknown type -> 1/3 with the type).
 * max_len is BGP_MAX_MSG_LEN, or BGP_EXT_MAX_MSG_LEN once RFC 8654 is agreed.
 */
int bgp_header_parse(const uint8_t *buf, size_t avail, size_t max_len, struct bgp_header *h,
		     struct bgp_notify *err);

/*
 * Encoders write a whole message (header included) into buf and return its
 * length, or 0 if cap is too small.
 * OPEN: version is always BGP_VERSION; when caps.as4 is set the 2-octet AS
 * field is derived from caps.as4_asn (AS_TRANS above 65535), else my_as is
 * sent. All capabilities go into one Capabilities parameter, in the order
 * MP (IPv4 then IPv6 unicast), route refresh (code 2), extended next hop
 * (IPv4 unicast over IPv6 only), extended message, 4-octet AS, enhanced RR.
 */
size_t bgp_open_encode(uint8_t *buf, size_t cap, const struct bgp_open *o);
size_t bgp_keepalive_encode(uint8_t *buf, size_t cap);
size_t bgp_notify_encode(uint8_t *buf, size_t cap, const struct bgp_notify *n);
size_t bgp_route_refresh_encode(uint8_t *buf, size_t cap, const struct bgp_route_refresh *rr);

/*
 * OPEN: syntax checks only (version 4, hold time not 1 or 2, BGP identifier
 * not zero, optional parameters and capabilities well formed, RFC 9072
 * extended parameter length accepted). Returns 0, or -1 with err filled.
 */
int bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o, struct bgp_notify *err);

/*
 * OPEN checks that need local configuration: peer AS against the expected
 * one (2/2 Bad Peer AS), identifier equal to ours on an iBGP session (2/3).
 * On success returns 0 and sets *peer_as to the effective (4-octet) AS.
 */
int bgp_open_validate(const struct bgp_open *o, const struct bgp_open_expect *x, uint32_t *peer_as,
		      struct bgp_notify *err);

/*
 * Returns 0, or -1 when the message is malformed (err: 1/2 or 7/1).
 * NOTIFICATION data longer than BGP_NOTIFY_DATA_MAX is truncated. A
 * ROUTE-REFRESH whose subtype is not enum bgp_rr_subtype decodes fine: the
 * caller ignores it (RFC 7313), as it does unknown AFI/SAFI (RFC 2918).
 */
int bgp_notify_decode(const uint8_t *msg, size_t len, struct bgp_notify *n, struct bgp_notify *err);
int bgp_route_refresh_decode(const uint8_t *msg, size_t len, struct bgp_route_refresh *rr,
			     struct bgp_notify *err);

/* Names for logs and show output, e.g. "Cease", "Administrative Shutdown". */
const char *bgp_msg_type_name(uint8_t type);
const char *bgp_err_code_name(uint8_t code);
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);
/*
 * "Cease/Administrative Shutdown" plus, for RFC 9003 shutdown communication,
 * ` "text"`. Writes at most outlen bytes, always NUL-terminated.
 * Subcode 0 prints the code name alone ("Hold Timer Expired"); unknown
 * values print their numbers. Control characters, quotes and backslashes in
 * the text are escaped; an invalid communication (bad length or UTF-8) is
 * not printed, only flagged as malformed (RFC 9003).
 */
void bgp_notify_describe(const struct bgp_notify *n, char *out, size_t outlen);

/* Announces this set of capabilities (what we send in OPEN). */
void bgp_caps_local(struct bgp_caps *c, uint32_t afs, uint32_t ext_nexthop_afs, uint32_t local_as);
/* The negotiated set: what both sides announced. */
void bgp_caps_negotiate(const struct bgp_caps *local, const struct bgp_caps *remote,
			struct bgp_caps *out);

#endif
