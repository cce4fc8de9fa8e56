/*
 * AS-path rewriting for route-map sets (internal to routerd/policy): prepend
 * and exclude, producing a new interned path.
 *
 * Adjacent AS_SEQUENCE segments are merged (up to 255 ASNs a segment,
 * RFC 4271 §4.3) so that paths that print alike intern alike; AS_SETs are
 * never merged, since {1,2} {3} and {1,2,3} differ in path length.
 * Pure: no I/O, no globals.
 */
#ifndef ROUTERD_POLICY_ASPATH_EDIT_H
#define ROUTERD_POLICY_ASPATH_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "routerd/rib/attr.h"

/*
 * asns[0..n) followed by p (NULL = the empty path), as FRR's
 * `set as-path prepend`. Returns an interned path holding one reference,
 * NULL on allocation failure or when the result would not fit an attribute.
 */
struct aspath *policy_aspath_prepend(struct attr_pool *pool, const struct aspath *p,
				     const uint32_t *asns, size_t n);
/* asn `count` times followed by p. */
struct aspath *policy_aspath_prepend_repeat(struct attr_pool *pool, const struct aspath *p,
					    uint32_t asn, unsigned count);
/* p with every occurrence of asns[0..n) removed; empty segments vanish. */
struct aspath *policy_aspath_exclude(struct attr_pool *pool, const struct aspath *p,
				     const uint32_t *asns, size_t n);

#endif
