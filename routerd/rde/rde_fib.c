/*
 * Best paths and ECMP sets into the kernel: each set of next hops becomes a
 * kernel nexthop object (or group), so a link or peer failure changes one
 * group instead of rewriting every route that uses it.
 */
#include <string.h>

#include "routerd/bgp/peer.h"
#include "routerd/kernel/fib.h"
#include "routerd/kernel/iface.h"
#include "routerd/lib/log.h"
#include "routerd/rde/rde.h"

/*
 * The kernel next hop of one path: a global next hop is resolved through the
 * kernel's own routes; a link-local one (IPv6 sessions over link-local, RFC
 * 8950 unnumbered) is only meaningful on the interface of the session.
 */
/*
 * Unnumbered (RFC 8950): an IPv4 route goes via 169.254.0.1 onlink on the
 * session's interface, the PERMANENT neighbor entry naming the router's MAC
 * (unnumbered.c); on a segment shared by several routers via the router's
 * link-local address (an IPv6 gateway for an IPv4 route, Linux >= 5.2).
 */
static int unnumbered_nh(const struct bgp_peer *p, uint8_t family, const struct attrs *a,
			 struct fib_nh *out)
{
	const struct ipaddr *ll = a->nexthop_ll.family ? &a->nexthop_ll : &p->addr;

	if (!p->scope_id)
		return -1;
	out->ifindex = (int)p->scope_id;
	if (family == AF_INET && !p->unnum_shared) {
		out->family = AF_INET;
		out->gw.family = AF_INET;
		out->gw.bytes[0] = 169;
		out->gw.bytes[1] = 254;
		out->gw.bytes[3] = 1;
		out->onlink = true;
		return 0;
	}
	out->family = AF_INET6;
	out->gw = ipaddr_is_v6_linklocal(&a->nexthop) ? a->nexthop : *ll;
	return 0;
}

static int path_nh(struct rde *rde, uint8_t family, const struct rib_sel *s, struct fib_nh *out)
{
	const struct attrs *a = s->attrs;
	const struct bgp_peer *p = &rde->bgp->peers[s->peer - 1];
	const struct ipaddr *ll = a->nexthop_ll.family ? &a->nexthop_ll : NULL;

	memset(out, 0, sizeof(*out));
	if (p->conf.is_interface)
		return unnumbered_nh(p, family, a, out);
	if (!ll && ipaddr_is_v6_linklocal(&a->nexthop))
		ll = &a->nexthop;
	if (ll && (ipaddr_is_unspec(&a->nexthop) || ll == &a->nexthop)) {
		if (!p->scope_id)
			return -1;
		out->family = AF_INET6;
		out->gw = *ll;
		out->ifindex = (int)p->scope_id;
		return 0;
	}
	return fib_resolve(rde->fib, &a->nexthop, out);
}

/* The nexthop object or group for a selection, with one reference for the caller; 0 if none. */
static uint32_t selection_id(struct rde *rde, const struct prefix *pfx, const struct rib_sel *sel,
			     unsigned n)
{
	uint32_t ids[RIB_MAX_MULTIPATH], id = 0;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct fib_nh nh;

		if (sel[i].peer == RIB_PEER_LOCAL)
			continue;
		if (path_nh(rde, pfx->family, &sel[i], &nh) < 0) {
			char s[ADDR_STRLEN], ps[ADDR_STRLEN + 4];

			rde->stats.fib_unresolved++;
			log_warn("nexthop-unresolved", "prefix=%s nexthop=%s",
				 prefix_fmt(pfx, ps, sizeof(ps)),
				 ipaddr_fmt(&sel[i].attrs->nexthop, s, sizeof(s)));
			continue;
		}
		ids[k] = fib_nh_get(rde->fib, &nh);
		if (ids[k])
			k++;
	}
	if (k)
		id = fib_group_get(rde->fib, ids, k);
	for (unsigned i = 0; i < k; i++)
		fib_nh_put(rde->fib, ids[i]);
	return id;
}

struct connected_match {
	const struct prefix *pfx;
	bool found;
};

static void match_addr(const struct iface *ifp, const struct iface_addr *a, void *arg)
{
	struct connected_match *m = arg;
	struct prefix q = { .family = a->addr.family, .len = a->plen };

	memcpy(q.bytes, a->addr.bytes, sizeof(q.bytes));
	prefix_normalize(&q);
	if (q.family == m->pfx->family && q.len == m->pfx->len &&
	    !memcmp(q.bytes, m->pfx->bytes, sizeof(q.bytes)))
		m->found = true;
}

static void match_iface(const struct iface *ifp, void *arg)
{
	if (iface_usable(ifp))
		iface_each_addr(ifp, match_addr, arg);
}

/* A subnet of our own interfaces: the kernel's connected route wins, as zebra's distance 0 does. */
static bool is_connected(const struct rde *rde, const struct prefix *pfx)
{
	struct connected_match m = { pfx, false };

	if (rde->ifm)
		iface_each(rde->ifm, match_iface, &m);
	return m.found;
}

static bool anchored(const struct rde *rde, const struct prefix *pfx)
{
	const struct edge_ars_conf *e = &rde->conf->edge;

	for (unsigned i = 0; rde->conf->has_edge && i < e->n_supernets; i++)
		if (prefix_equal(&e->supernets[i], pfx))
			return true;
	return false;
}

/* A blackhole nexthop for pfx's family, with one reference for the caller. */
static uint32_t blackhole_id(struct rde *rde, const struct prefix *pfx)
{
	struct fib_nh nh = { .family = pfx->family, .blackhole = true };

	return fib_nh_get(rde->fib, &nh);
}

static void install(struct rde *rde, const struct prefix *pfx, const struct rib_sel *sel,
		    unsigned n)
{
	uint32_t id = is_connected(rde, pfx) ? 0 : selection_id(rde, pfx, sel, n);

	if (!id && anchored(rde, pfx))
		id = blackhole_id(rde, pfx);

	if (id) {
		/* The route takes its own reference and drops the one of its old set. */
		fib_route_set(rde->fib, pfx, id);
		fib_group_put(rde->fib, id);
	} else {
		fib_route_del(rde->fib, pfx);
	}
}

void rde_fib_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg)
{
	struct prefix pfx;

	if (!rde->fib || (!chg->best_changed && !chg->multipath_changed))
		return;
	rib_entry_prefix(e, &pfx);
	install(rde, &pfx, chg->new_mp, chg->n_new);
}

unsigned rde_fib_nexthops(struct rde *rde, const struct rib_entry *e, struct fib_nh *out,
			  unsigned max)
{
	const struct rib_path *mp[RIB_MAX_MULTIPATH];
	unsigned n = rib_entry_multipath(e, mp, RIB_MAX_MULTIPATH), k = 0;
	struct prefix pfx;

	rib_entry_prefix(e, &pfx);
	for (unsigned i = 0; i < n && k < max; i++) {
		struct rib_sel sel = { mp[i]->attrs, mp[i]->peer };

		if (sel.peer != RIB_PEER_LOCAL && path_nh(rde, pfx.family, &sel, &out[k]) == 0)
			k++;
	}
	return k;
}

static int refresh_one(void *ctx, const struct rib_entry *e)
{
	const struct rib_path *mp[RIB_MAX_MULTIPATH];
	struct rib_sel sel[RIB_MAX_MULTIPATH];
	unsigned n = rib_entry_multipath(e, mp, RIB_MAX_MULTIPATH);
	struct prefix pfx;

	for (unsigned i = 0; i < n; i++) {
		sel[i].attrs = mp[i]->attrs;
		sel[i].peer = mp[i]->peer;
	}
	rib_entry_prefix(e, &pfx);
	install(ctx, &pfx, sel, n);
	return 0;
}

/* Re-derives every installed route's next hops (an unnumbered port changed its mode). */
void rde_fib_refresh(struct rde *rde)
{
	if (!rde->fib)
		return;
	for (int af = 0; af < RDE_AF_COUNT; af++)
		rib_walk(rde->rib[af], refresh_one, rde);
}

void rde_fib_anchor(struct rde *rde)
{
	const struct edge_ars_conf *e = &rde->conf->edge;

	if (!rde->fib || !rde->conf->has_edge)
		return;
	for (unsigned i = 0; i < e->n_supernets; i++) {
		const struct prefix *p = &e->supernets[i];
		const struct rib_entry *ent = rib_entry_find(rde_rib(rde, p->family), p);
		const struct rib_path *mp[RIB_MAX_MULTIPATH];
		struct rib_sel sel[RIB_MAX_MULTIPATH];
		unsigned n = ent ? rib_entry_multipath(ent, mp, RIB_MAX_MULTIPATH) : 0;

		for (unsigned k = 0; k < n && k < RIB_MAX_MULTIPATH; k++) {
			sel[k].attrs = mp[k]->attrs;
			sel[k].peer = mp[k]->peer;
		}
		install(rde, p, sel, n < RIB_MAX_MULTIPATH ? n : RIB_MAX_MULTIPATH);
	}
}
