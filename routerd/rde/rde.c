/* The RDE's life: set-up, the decision loop, sessions coming and going, our own routes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/bgp/peer.h"
#include "routerd/bgp/update.h"
#include "routerd/lib/log.h"
#include "routerd/policy/route_map.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_internal.h"
#include "routerd/rib/adjout.h"

/* Entries decided per loop iteration: small enough that keepalives are never late. */
#define DECIDE_SLICE 4096
#define WEIGHT_LOCAL 32768 /* FRR's weight for routes the router originates */

#define rde_of(w, member) ((struct rde *)((char *)(w)-offsetof(struct rde, member)))

struct rib *rde_rib(struct rde *rde, uint8_t family)
{
	return rde->rib[family == AF_INET6 ? RDE_V6 : RDE_V4];
}

static void on_change(void *ctx, const struct rib_entry *e, const struct rib_change *chg)
{
	struct rde *rde = ctx;

	rde_fib_change(rde, e, chg);
	rde_out_change(rde, e, chg);
	if (rde->watch)
		rde->watch(rde->watch_ctx, e, chg);
}

/* Guarded groups are recounted now and then, so a shrunken table is sent in full again. */
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	rde_out_guard_recount(rde_of(w, guard_timer));
}

static void work_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct rde *rde = rde_of(w, work);
	bool busy = false;

	for (int af = 0; af < RDE_AF_COUNT; af++) {
		rib_run(rde->rib[af], DECIDE_SLICE, on_change, rde);
		busy |= rib_busy(rde->rib[af]);
	}
	if (!busy)
		ev_idle_stop(loop, w);
}

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	rde_out_flush(rde_of(w, flush));
}

static void publish_peers(struct rde *rde)
{
	for (int af = 0; af < RDE_AF_COUNT; af++)
		rib_set_peers(rde->rib[af], rde->pinfo, rde->n_pinfo);
}

static void decide_conf_of(const struct conf_af *c, struct decide_conf *d)
{
	decide_conf_init(d);
	d->max_paths = c->maximum_paths ? c->maximum_paths : 1;
	d->multipath_relax = c->multipath_relax;
}

int rde_init(struct rde *rde, struct bgp *bgp, const struct routerd_conf *conf, struct fib *fib)
{
	memset(rde, 0, sizeof(*rde));
	rde->bgp = bgp;
	rde->conf = conf;
	rde->loop = bgp->loop;
	rde->fib = fib;
	rde->pool = attr_pool_new();
	rde->adjout = rde->pool ? adjout_new(rde->pool) : NULL;
	rde->scratch = malloc(sizeof(*rde->scratch));
	rde->n_pinfo = bgp->n_peers + 1;
	rde->pinfo = calloc(rde->n_pinfo, sizeof(*rde->pinfo));
	if (!rde->adjout || !rde->scratch || !rde->pinfo)
		return -1;
	rde->pinfo[RIB_PEER_LOCAL].local = true;
	rde->pinfo[RIB_PEER_LOCAL].router_id = bgp->router_id;
	rde->pinfo[RIB_PEER_LOCAL].remote_as = bgp->asn;
	decide_conf_of(&conf->bgp.ipv4, &rde->decide[RDE_V4]);
	decide_conf_of(&conf->bgp.ipv6, &rde->decide[RDE_V6]);
	for (int af = 0; af < RDE_AF_COUNT; af++) {
		rde->rib[af] = rib_new(af == RDE_V4 ? AF_INET : AF_INET6, rde->pool);
		if (!rde->rib[af])
			return -1;
		rib_set_decide(rde->rib[af], &rde->decide[af]);
	}
	publish_peers(rde);
	ev_idle_init(&rde->work, work_cb);
	ev_prepare_init(&rde->flush, flush_cb);
	ev_prepare_start(rde->loop, &rde->flush);
	ev_timer_init(&rde->guard_timer, guard_cb, 1.0, 5.0);
	if (conf->has_edge)
		ev_timer_start(rde->loop, &rde->guard_timer);
	return 0;
}

void rde_free(struct rde *rde)
{
	ev_idle_stop(rde->loop, &rde->work);
	ev_prepare_stop(rde->loop, &rde->flush);
	ev_timer_stop(rde->loop, &rde->guard_timer);
	if (rde->adjout)
		adjout_free(rde->adjout);
	for (int af = 0; af < RDE_AF_COUNT; af++)
		if (rde->rib[af])
			rib_free(rde->rib[af]);
	if (rde->pool)
		attr_pool_free(rde->pool);
	free(rde->groups);
	free(rde->scratch);
	free(rde->pinfo);
	memset(rde, 0, sizeof(*rde));
}

void rde_count_received(struct bgp_peer *p, enum rde_af af, int delta)
{
	if (delta < 0 && !p->prefixes_received_af[af])
		return;
	p->prefixes_received_af[af] += delta;
	p->prefixes_received += delta;
}

static void adjin_free(struct bgp_peer *p)
{
	for (int af = 0; af < RDE_AF_COUNT; af++) {
		if (p->adj_in[af])
			rib_free(p->adj_in[af]);
		p->adj_in[af] = NULL;
	}
}

/* One small table per family holding only this peer's routes as received. */
static void adjin_create(struct rde *rde, struct bgp_peer *p)
{
	static const struct rib_peer_info info[2] = { { .local = true }, { 0 } };

	for (int af = 0; af < RDE_AF_COUNT; af++) {
		p->adj_in[af] = rib_new(af == RDE_V4 ? AF_INET : AF_INET6, rde->pool);
		if (p->adj_in[af])
			rib_set_peers(p->adj_in[af], info, 2);
	}
}

void rde_adjin_settle(struct bgp_peer *p)
{
	for (int af = 0; af < RDE_AF_COUNT; af++)
		if (p->adj_in[af])
			rib_run(p->adj_in[af], SIZE_MAX, NULL, NULL);
}

struct reapply {
	struct rde *rde;
	struct bgp_peer *p;
};

static int reapply_one(void *ctx, const struct rib_entry *e)
{
	struct reapply *r = ctx;
	const struct rib_path *path = rib_entry_best(e);
	struct prefix pfx;
	struct attrs *accepted;
	enum rde_af af;

	if (!path)
		return 0;
	rib_entry_prefix(e, &pfx);
	af = pfx.family == AF_INET6 ? RDE_V6 : RDE_V4;
	accepted = rde_policy_in(r->rde, r->p, &pfx, path->attrs);
	if (!accepted) {
		if (rib_withdraw(r->rde->rib[af], &pfx, r->p->id) == 1)
			rde_count_received(r->p, af, -1);
		return 0;
	}
	if (rib_update(r->rde->rib[af], &pfx, r->p->id, accepted) == 2)
		rde_count_received(r->p, af, 1);
	attrs_unref(r->rde->pool, accepted);
	return 0;
}

static void send_route_refresh(struct bgp_peer *p, uint16_t afi)
{
	struct bgp_route_refresh rr = { .afi = afi, .safi = BGP_SAFI_UNICAST };
	uint8_t msg[BGP_RR_LEN];

	session_send(p->established, msg, bgp_route_refresh_encode(msg, sizeof(msg), &rr));
}

int rde_soft_in(struct rde *rde, struct bgp_peer *p, const char **why)
{
	struct reapply r = { rde, p };

	if (!p->established) {
		*why = "the session is not Established";
		return -1;
	}
	if (p->adj_in[RDE_V4]) {
		for (int af = 0; af < RDE_AF_COUNT; af++)
			rib_walk(p->adj_in[af], reapply_one, &r);
		ev_idle_start(rde->loop, &rde->work);
		log_info("soft-in", "peer=%s from=adj-rib-in", p->conf.peer);
		return 0;
	}
	if (!p->caps_negotiated.route_refresh) {
		*why = "no soft-reconfiguration inbound and the peer does not support route "
		       "refresh";
		return -1;
	}
	if (p->caps_negotiated.mp & BGP_AF_IPV4_UNICAST || !p->caps_negotiated.mp)
		send_route_refresh(p, BGP_AFI_IPV4);
	if (p->caps_negotiated.mp & BGP_AF_IPV6_UNICAST)
		send_route_refresh(p, BGP_AFI_IPV6);
	log_info("soft-in", "peer=%s from=route-refresh", p->conf.peer);
	return 0;
}

void rde_soft_out(struct rde *rde, struct bgp_peer *p)
{
	rde_out_refill(rde, p);
	log_info("soft-out", "peer=%s", p->conf.peer);
}

void rde_policy_reloaded(struct rde *rde)
{
	rde_out_reconf(rde);
}

void rde_peer_up(struct rde *rde, struct bgp_peer *p)
{
	struct rib_peer_info *pi = &rde->pinfo[p->id];

	pi->router_id = p->remote_id;
	pi->remote_as = p->remote_as;
	pi->addr = p->addr;
	pi->ibgp = bgp_peer_is_ibgp(p);
	pi->local = false;
	publish_peers(rde);
	p->prefixes_received = 0;
	memset(p->prefixes_received_af, 0, sizeof(p->prefixes_received_af));
	if (p->conf.soft_reconfig_in)
		adjin_create(rde, p);
	rde_out_peer_up(rde, p);
}

void rde_peer_down(struct rde *rde, struct bgp_peer *p)
{
	rde_out_peer_down(rde, p);
	adjin_free(p);
	for (int af = 0; af < RDE_AF_COUNT; af++)
		rib_peer_flush(rde->rib[af], p->id);
	p->prefixes_received = 0;
	memset(p->prefixes_received_af, 0, sizeof(p->prefixes_received_af));
	ev_idle_start(rde->loop, &rde->work);
}

void rde_refresh_out(struct rde *rde, struct bgp_peer *p, uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST || (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6))
		return; /* RFC 2918: an AFI/SAFI we did not negotiate is ignored */
	log_info("route-refresh-received", "peer=%s afi=%u safi=%u", p->conf.peer, afi, safi);
	rde_out_refresh(rde, p, afi == BGP_AFI_IPV4 ? RDE_V4 : RDE_V6);
}

/* Our originations: no AS path, next hop is ourselves (filled in per session). */
int rde_local_set(struct rde *rde, const struct prefix *p, uint8_t origin,
		  const struct route_map *rm, const char *ifname)
{
	struct policy_route r = {
		.prefix = p,
		.proto = ifname ? POLICY_PROTO_CONNECTED : POLICY_PROTO_STATIC,
		.ifname = ifname,
	};
	struct attrs t, *a, *accepted;
	int ret;

	attrs_init(&t);
	t.origin = origin;
	t.weight = WEIGHT_LOCAL;
	t.nexthop.family = p->family;
	t.aspath = aspath_intern(rde->pool, NULL, 0);
	if (!t.aspath)
		return -1;
	a = attrs_intern(rde->pool, &t);
	aspath_unref(rde->pool, t.aspath);
	if (!a)
		return -1;
	r.attrs = a;
	accepted = rde_policy_apply(rde, rm, &r, a);
	attrs_unref(rde->pool, a);
	if (!accepted)
		return rde_local_del(rde, p);
	ret = rib_update(rde_rib(rde, p->family), p, RIB_PEER_LOCAL, accepted);
	attrs_unref(rde->pool, accepted);
	ev_idle_start(rde->loop, &rde->work);
	return ret < 0 ? -1 : 0;
}

int rde_local_del(struct rde *rde, const struct prefix *p)
{
	int ret = rib_withdraw(rde_rib(rde, p->family), p, RIB_PEER_LOCAL);

	ev_idle_start(rde->loop, &rde->work);
	return ret < 0 ? -1 : 0;
}
