/*
 * Interned (hash-consed, reference-counted) path attributes.
 *
 * A full table holds a million prefixes but only tens of thousands of
 * distinct attribute sets, AS paths and community lists; each is stored once
 * and shared (OpenBGPD rde_attr.c style: lookup / link / unlink). Pure: all
 * state lives in a caller-owned struct attr_pool, no globals, no I/O.
 *
 * Rules for users:
 * - A template (struct attrs on the stack) is filled after attrs_init(); its
 *   sub-objects (aspath, communities...) must already be interned, and the
 *   template keeps the references it holds: attrs_intern() takes its own.
 * - Every *_intern() returns a pointer holding one reference; give it back
 *   with the matching *_unref(). Interned objects are immutable.
 * - Interned pointers compare equal iff the contents are equal, so decision
 *   and update grouping compare pointers, never contents.
 */
#ifndef ROUTERD_RIB_ATTR_H
#define ROUTERD_RIB_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/lib/addr.h"

/* AS_PATH segment types (RFC 4271, RFC 5065) */
#define ASPATH_SET	       1
#define ASPATH_SEQUENCE	       2
#define ASPATH_CONFED_SEQUENCE 3
#define ASPATH_CONFED_SET      4

#define ORIGIN_IGP	  0
#define ORIGIN_EGP	  1
#define ORIGIN_INCOMPLETE 2

/* Well-known communities (RFC 1997, RFC 7999, RFC 8326) */
#define COMMUNITY_GRACEFUL_SHUTDOWN   0xFFFF0000u
#define COMMUNITY_BLACKHOLE	      0xFFFF029Au
#define COMMUNITY_NO_EXPORT	      0xFFFFFF01u
#define COMMUNITY_NO_ADVERTISE	      0xFFFFFF02u
#define COMMUNITY_NO_EXPORT_SUBCONFED 0xFFFFFF03u /* "local-AS" in FRR */

struct attr_pool;

struct aspath {
	struct aspath *hnext;
	uint32_t hash;
	uint32_t refcnt;
	uint16_t len;	      /* bytes in data */
	uint16_t path_len;    /* §9.1.2.2 a): a SET counts 1, confederation segments 0 */
	uint32_t neighbor_as; /* first AS of a leading AS_SEQUENCE, 0 if none */
	uint32_t origin_as;   /* last AS of the last segment, 0 if the path is empty */
	uint8_t data[];	      /* segments, 4-octet form: type, count, count x AS (network order) */
};

struct community_list {
	struct community_list *hnext;
	uint32_t hash;
	uint32_t refcnt;
	uint16_t n;
	uint32_t v[]; /* sorted ascending, no duplicates (host order) */
};

struct lcommunity {
	uint32_t global;
	uint32_t local1;
	uint32_t local2;
};

struct lcommunity_list {
	struct lcommunity_list *hnext;
	uint32_t hash;
	uint32_t refcnt;
	uint16_t n;
	struct lcommunity v[]; /* sorted, no duplicates */
};

/* Unknown optional transitive attributes, kept as wire TLVs (Partial bit set) to pass on. */
struct attr_blob {
	struct attr_blob *hnext;
	uint32_t hash;
	uint32_t refcnt;
	uint16_t len;
	uint8_t data[];
};

enum attr_flag {
	ATTR_HAS_MED = 1u << 0,
	ATTR_HAS_LOCAL_PREF = 1u << 1,
	ATTR_ATOMIC_AGGREGATE = 1u << 2,
	ATTR_HAS_AGGREGATOR = 1u << 3,
};

struct attrs {
	struct attrs *hnext;
	uint32_t hash;
	uint32_t refcnt;
	/* ---- everything from here on is the key: hashed and compared ---- */
	uint8_t origin;
	uint8_t flags; /* enum attr_flag */
	uint32_t med;
	uint32_t local_pref;
	uint32_t weight; /* local only, set by policy; never on the wire */
	uint32_t aggregator_as;
	uint32_t aggregator_id;
	struct ipaddr nexthop;	  /* IPv4, or IPv6 global (or :: when only a link-local was sent) */
	struct ipaddr nexthop_ll; /* IPv6 link-local next hop; family 0 when absent */
	struct aspath *aspath;	  /* never NULL once interned: the empty path is interned too */
	struct community_list *communities;   /* NULL = none */
	struct lcommunity_list *lcommunities; /* NULL = none */
	struct attr_blob *unknown;	      /* NULL = none */
};

struct attr_pool_stats {
	size_t attrs, attrs_bytes;
	size_t aspaths, aspath_bytes;
	size_t communities, community_bytes;
	size_t lcommunities, lcommunity_bytes;
	size_t blobs, blob_bytes;
};

struct attr_pool *attr_pool_new(void);
/* Frees the pool; every object must have been unreferenced (asserted in debug builds). */
void attr_pool_free(struct attr_pool *pool);
void attr_pool_stats(const struct attr_pool *pool, struct attr_pool_stats *st);

/* data: segments in 4-octet form (as in struct aspath). NULL on allocation failure or bad segments. */
struct aspath *aspath_intern(struct attr_pool *pool, const uint8_t *data, size_t len);
struct aspath *aspath_ref(struct aspath *p);
void aspath_unref(struct attr_pool *pool, struct aspath *p);
/* FRR's text form: "65515 12076 65150", sets as "{1,2}", confed as "(1 2)"; "" when empty. */
size_t aspath_fmt(const struct aspath *p, char *out, size_t outlen);
bool aspath_contains(const struct aspath *p, uint32_t asn);
/* p with asn prepended count times (1..255), interned; NULL on allocation failure. */
struct aspath *aspath_prepend(struct attr_pool *pool, const struct aspath *p, uint32_t asn,
			      unsigned count);

/* v need not be sorted or unique; the interned list is. */
struct community_list *community_list_intern(struct attr_pool *pool, const uint32_t *v, size_t n);
struct community_list *community_list_ref(struct community_list *c);
void community_list_unref(struct attr_pool *pool, struct community_list *c);
bool community_list_has(const struct community_list *c, uint32_t value);

/* The order of interned list values, for qsort() and bsearch() of one kind's values. */
static inline int community_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static inline int lcommunity_cmp(const void *a, const void *b)
{
	const struct lcommunity *x = a, *y = b;

	if (x->global != y->global)
		return x->global < y->global ? -1 : 1;
	if (x->local1 != y->local1)
		return x->local1 < y->local1 ? -1 : 1;
	return x->local2 < y->local2 ? -1 : x->local2 > y->local2;
}

struct lcommunity_list *lcommunity_list_intern(struct attr_pool *pool, const struct lcommunity *v,
					       size_t n);
struct lcommunity_list *lcommunity_list_ref(struct lcommunity_list *c);
void lcommunity_list_unref(struct attr_pool *pool, struct lcommunity_list *c);

struct attr_blob *attr_blob_intern(struct attr_pool *pool, const uint8_t *data, size_t len);
struct attr_blob *attr_blob_ref(struct attr_blob *b);
void attr_blob_unref(struct attr_pool *pool, struct attr_blob *b);

/* Zeroes a template (padding included, so hashing the key region is deterministic). */
void attrs_init(struct attrs *tmpl);
struct attrs *attrs_intern(struct attr_pool *pool, const struct attrs *tmpl);
struct attrs *attrs_ref(struct attrs *a);
void attrs_unref(struct attr_pool *pool, struct attrs *a);

#endif
