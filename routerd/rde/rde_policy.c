/*
 * Route-maps where routes enter and leave: inbound per neighbor and family,
 * outbound per update group (its members share one policy), and on our own
 * originations; plus RFC 8212's rule that an eBGP session without policy
 * exchanges nothing under the traditional profile (FRR's ebgp-requires-policy).
 */
#include <string.h>

#include "routerd/bgp/peer.h"
#include "routerd/policy/route_map.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_internal.h"

enum conf_af_index rde_conf_af(uint8_t family)
{
	return family == AF_INET6 ? CONF_AF_IPV6_UNICAST : CONF_AF_IPV4_UNICAST;
}

bool rde_policy_blocks(const struct rde *rde, const struct bgp_peer *p, uint8_t family, bool in)
{
	return conf_policy_blocks(&rde->conf->bgp, &p->conf, rde_conf_af(family), in);
}

/*
 * Runs rm over a route: NULL when it is denied, else interned attributes with
 * one reference for the caller (a itself, referenced again, when unchanged).
 */
struct attrs *rde_policy_apply(struct rde *rde, const struct route_map *rm,
			       const struct policy_route *r, struct attrs *a)
{
	struct policy_result res;
	struct attrs *out;

	if (!rm)
		return attrs_ref(a);
	memset(&res, 0, sizeof(res));
	if (route_map_apply(rm, rde->pool, r, &res) != POLICY_PERMIT)
		return NULL;
	if (!res.modified)
		return attrs_ref(a);
	out = attrs_intern(rde->pool, &res.attrs);
	policy_result_release(rde->pool, &res);
	return out;
}

/* Inbound: what the RIB stores for a route the peer sent (NULL: filtered). */
struct attrs *rde_policy_in(struct rde *rde, const struct bgp_peer *p, const struct prefix *pfx,
			    struct attrs *a)
{
	struct policy_route r = {
		.prefix = pfx,
		.attrs = a,
		.peer_address = &p->addr,
		.peer_as = p->remote_as,
		.proto = POLICY_PROTO_BGP,
	};

	if (rde_policy_blocks(rde, p, pfx->family, true))
		return NULL;
	return rde_policy_apply(rde, p->conf.route_map_in[rde_conf_af(pfx->family)], &r, a);
}
