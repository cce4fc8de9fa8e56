/* UPDATEs in: decode, RFC 7606 outcomes, interning, loop detection, into the RIB. */
#include <stdlib.h>
#include <string.h>

#include "routerd/bgp/peer.h"
#include "routerd/bgp/update.h"
#include "routerd/lib/log.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_internal.h"

/* Sub-objects shared by every NLRI block of one UPDATE, interned once. */
struct in_objs {
	struct aspath *aspath;
	struct community_list *comms;
	struct lcommunity_list *lcomms;
	struct attr_blob *unknown;
};

static enum rde_af af_of(uint8_t family)
{
	return family == AF_INET6 ? RDE_V6 : RDE_V4;
}

static void withdraw_one(struct rde *rde, struct bgp_peer *p, const struct prefix *pfx)
{
	enum rde_af af = af_of(pfx->family);

	if (p->adj_in[af])
		rib_withdraw(p->adj_in[af], pfx, RDE_ADJIN_PEER);
	if (rib_withdraw(rde->rib[af], pfx, p->id) == 1)
		rde_count_received(p, af, -1);
}

static void withdraw_block(struct rde *rde, struct bgp_peer *p, const struct update_nlri *b)
{
	struct update_nlri_iter it;
	struct prefix pfx;

	if (!b->family)
		return;
	update_nlri_iter_init(&it, b);
	while (update_nlri_next(&it, &pfx))
		withdraw_one(rde, p, &pfx);
}

/*
 * One route as received: kept pre-policy when soft-reconfiguration inbound is
 * on, then through the inbound policy into the RIB (or out of it if denied).
 */
void rde_in_route(struct rde *rde, struct bgp_peer *p, const struct prefix *pfx, struct attrs *a)
{
	enum rde_af af = af_of(pfx->family);
	struct attrs *accepted;

	if (p->adj_in[af])
		rib_update(p->adj_in[af], pfx, RDE_ADJIN_PEER, a);
	accepted = rde_policy_in(rde, p, pfx, a);
	if (!accepted) {
		if (rib_withdraw(rde->rib[af], pfx, p->id) == 1)
			rde_count_received(p, af, -1);
		return;
	}
	if (rib_update(rde->rib[af], pfx, p->id, accepted) == 2)
		rde_count_received(p, af, 1);
	attrs_unref(rde->pool, accepted);
}

static void objs_release(struct rde *rde, struct in_objs *o)
{
	if (o->aspath)
		aspath_unref(rde->pool, o->aspath);
	if (o->comms)
		community_list_unref(rde->pool, o->comms);
	if (o->lcomms)
		lcommunity_list_unref(rde->pool, o->lcomms);
	if (o->unknown)
		attr_blob_unref(rde->pool, o->unknown);
	memset(o, 0, sizeof(*o));
}

/* Returns 0, or -1 when an object could not be interned (treated as a withdrawal). */
static int objs_intern(struct rde *rde, const struct update_attrs *u, struct in_objs *o)
{
	memset(o, 0, sizeof(*o));
	o->aspath = aspath_intern(rde->pool, u->aspath, u->aspath_len);
	if (!o->aspath)
		return -1;
	if (u->ncommunities) {
		o->comms = community_list_intern(rde->pool, u->communities, u->ncommunities);
		if (!o->comms)
			return -1;
	}
	if (u->nlcommunities) {
		o->lcomms = lcommunity_list_intern(rde->pool, u->lcommunities, u->nlcommunities);
		if (!o->lcomms)
			return -1;
	}
	if (u->unknown_len) {
		o->unknown = attr_blob_intern(rde->pool, u->unknown, u->unknown_len);
		if (!o->unknown)
			return -1;
	}
	return 0;
}

static void announce_block(struct rde *rde, struct bgp_peer *p, const struct update_msg *u, bool mp,
			   const struct in_objs *o)
{
	const struct update_nlri *b = mp ? &u->mp_reach : &u->nlri;
	struct update_nlri_iter it;
	struct attrs t, *a;
	struct prefix pfx;

	update_fill_template(u, mp, &t);
	t.aspath = o->aspath;
	t.communities = o->comms;
	t.lcommunities = o->lcomms;
	t.unknown = o->unknown;
	a = attrs_intern(rde->pool, &t);
	if (!a) {
		withdraw_block(rde, p, b);
		return;
	}
	update_nlri_iter_init(&it, b);
	while (update_nlri_next(&it, &pfx))
		rde_in_route(rde, p, &pfx, a);
	attrs_unref(rde->pool, a);
	ev_idle_start(rde->loop, &rde->work);
}

static void log_7606(struct rde *rde, struct bgp_peer *p, enum update_action act,
		     const struct update_msg *u)
{
	if (act == UPDATE_TREAT_AS_WITHDRAW) {
		rde->stats.treat_as_withdraw++;
		p->updates_treat_as_withdraw++;
	} else {
		rde->stats.attr_discard++;
		p->updates_attr_discard++;
	}
	log_warn("update-error", "peer=%s action=%s reason=%s", p->conf.peer,
		 update_action_name(act), u->reason ? u->reason : "-");
}

static void update_ctx_of(const struct bgp_peer *p, struct update_ctx *ctx)
{
	const struct bgp_caps *c = &p->caps_negotiated;

	ctx->as4 = c->as4;
	ctx->ibgp = bgp_peer_is_ibgp(p);
	/* Without the MP capability a session carries IPv4 unicast only (RFC 4760 §8). */
	ctx->afs = c->mp ? c->mp : BGP_AF_IPV4_UNICAST;
	ctx->ext_nexthop = c->ext_nexthop;
}

static void withdraw_all(struct rde *rde, struct bgp_peer *p, const struct update_msg *u)
{
	withdraw_block(rde, p, &u->withdrawn);
	withdraw_block(rde, p, &u->mp_unreach);
	withdraw_block(rde, p, &u->nlri);
	withdraw_block(rde, p, &u->mp_reach);
	rde_adjin_settle(p);
	ev_idle_start(rde->loop, &rde->work);
}

int rde_update_in(struct rde *rde, struct bgp_peer *p, const uint8_t *msg, size_t len,
		  struct bgp_notify *err)
{
	struct update_ctx ctx;
	struct update_msg u;
	struct in_objs o;
	enum update_action act;

	rde->stats.updates_in++;
	update_ctx_of(p, &ctx);
	act = update_decode(msg, len, &ctx, rde->scratch, &u, err);
	if (act == UPDATE_SESSION_RESET) {
		log_warn("update-error", "peer=%s action=session-reset reason=%s", p->conf.peer,
			 u.reason ? u.reason : "-");
		return -1;
	}
	if (act != UPDATE_OK)
		log_7606(rde, p, act, &u);
	if (u.eor)
		log_info("eor-received", "peer=%s afs=0x%x", p->conf.peer, u.eor);
	if (act == UPDATE_TREAT_AS_WITHDRAW || (!u.nlri.family && !u.mp_reach.family)) {
		withdraw_all(rde, p, &u);
		return 0;
	}
	withdraw_block(rde, p, &u.withdrawn);
	withdraw_block(rde, p, &u.mp_unreach);
	if (objs_intern(rde, &u.attrs, &o) < 0 || aspath_contains(o.aspath, rde->bgp->asn)) {
		/* RFC 4271 §9.1.2: a route carrying our own AS is not acceptable. */
		if (o.aspath) {
			rde->stats.as_loop++;
			p->updates_as_loop++;
		}
		withdraw_all(rde, p, &u);
		objs_release(rde, &o);
		return 0;
	}
	if (u.nlri.family)
		announce_block(rde, p, &u, false, &o);
	if (u.mp_reach.family)
		announce_block(rde, p, &u, true, &o);
	objs_release(rde, &o);
	rde_adjin_settle(p);
	return 0;
}
