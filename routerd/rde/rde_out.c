/*
 * Routes out: update groups, export rules, and writing packed UPDATEs.
 *
 * Every session that reaches Established joins one update group per address
 * family it can carry. The group decides and packs once; each member gets
 * the same bytes with its own next hop patched in (next-hop-self differs per
 * session). A member that joins a group that already advertises routes gets
 * them replayed on its own, then End-of-RIB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/bgp/peer.h"
#include "routerd/edge/edge.h"
#include "routerd/lib/log.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_internal.h"
#include "routerd/policy/route_map.h"
#include "routerd/rib/adjout.h"

#define OUT_HIGH_WATER	   (256 * 1024) /* stop packing for a member with this much queued */
#define LOCAL_PREF_DEFAULT 100
#define GUARD_RECHECK_SECS 5.0 /* how soon a guarded group may send more than the supernets again */

struct rde_group {
	struct adjout_group *g;
	struct adjout_group_key key;
	enum rde_af af;
	const struct route_map *rm_out; /* the members' outbound policy (part of the key) */
	struct bgp_peer **members;
	unsigned n_members;
	/*
	 * The edge role's route-count guard (members are ARS sessions): never
	 * more than edge.max_routes prefixes in the group's Adj-RIB-Out; over
	 * it, the supernets only (guard.mode), until a recount says otherwise.
	 */
	bool guarded;
	bool refill_due;   /* the guard tripped or cleared: recompute at the next recount */
	double tripped_at; /* ev_now of the last trip: at most one immediate recount per period */
	struct edge_guard guard;
};

/* ---- export rules ---- */

static bool filtered_by_community(const struct attrs *a, bool ebgp)
{
	const struct community_list *c = a->communities;

	if (!c)
		return false;
	/* RFC 1997 well-known communities */
	if (community_list_has(c, COMMUNITY_NO_ADVERTISE))
		return true;
	return ebgp && (community_list_has(c, COMMUNITY_NO_EXPORT) ||
			community_list_has(c, COMMUNITY_NO_EXPORT_SUBCONFED));
}

static void set_placeholder_nexthop(const struct adjout_group_key *k, struct attrs *t)
{
	memset(&t->nexthop, 0, sizeof(t->nexthop));
	memset(&t->nexthop_ll, 0, sizeof(t->nexthop_ll));
	t->nexthop.family = k->nh_family;
	if (k->nh_ll) {
		t->nexthop_ll.family = AF_INET6;
		t->nexthop_ll.bytes[0] = 0xfe;
		t->nexthop_ll.bytes[1] = 0x80;
	}
}

/* The group's route-map over the export attributes (NULL: denied). */
static struct attrs *outbound_policy(struct rde *rde, const struct rde_group *rg,
				     const struct prefix *pfx, const struct rib_peer_info *src,
				     struct attrs *a)
{
	struct policy_route r = {
		.prefix = pfx,
		.attrs = a,
		.peer_as = src->remote_as,
		.proto = POLICY_PROTO_BGP,
	};
	struct attrs *out = rde_policy_apply(rde, rg->rm_out, &r, a);

	attrs_unref(rde->pool, a);
	return out;
}

/*
 * What a group advertises for a best path: NULL when it must not be sent
 * (iBGP split horizon, NO_ADVERTISE/NO_EXPORT, back to its only member),
 * otherwise interned export attributes with one reference for the caller.
 */
static struct attrs *export_attrs(struct rde *rde, const struct rde_group *rg,
				  const struct prefix *pfx, const struct rib_sel *best)
{
	const struct rib_peer_info *src;
	const struct attrs *a = best->attrs;
	bool ebgp = !rg->key.enc.ibgp, nh_self;
	struct aspath *prepended = NULL;
	struct attrs t, *out;

	if (!a)
		return NULL;
	src = &rde->pinfo[best->peer];
	if (src->ibgp && !src->local && rg->key.enc.ibgp)
		return NULL; /* RFC 4271 §9.2: iBGP-learned routes are not sent to iBGP peers */
	if (filtered_by_community(a, ebgp))
		return NULL;
	/*
	 * Not back to the peer it came from when that is the group's only member,
	 * as FRR's update groups do; in a shared group the peer gets it and drops
	 * it by AS-loop detection (BIRD never sends back; sharing is worth more).
	 */
	if (rg->n_members == 1 && rg->members[0]->id == best->peer)
		return NULL;
	attrs_init(&t);
	memcpy(&t.origin, &a->origin, sizeof(t) - offsetof(struct attrs, origin));
	t.weight = 0;
	if (ebgp) {
		prepended = aspath_prepend(rde->pool, a->aspath, rde->bgp->asn, 1);
		if (!prepended)
			return NULL;
		t.aspath = prepended;
		t.flags &= ~ATTR_HAS_LOCAL_PREF;
		t.local_pref = 0;
		/* §5.1.4: a MED learned from a neighboring AS is not passed to another. */
		if (!src->local) {
			t.flags &= ~ATTR_HAS_MED;
			t.med = 0;
		}
		nh_self = true;
	} else {
		if (!(t.flags & ATTR_HAS_LOCAL_PREF)) {
			t.flags |= ATTR_HAS_LOCAL_PREF;
			t.local_pref = LOCAL_PREF_DEFAULT;
		}
		/* §5.1.3: iBGP keeps the next hop, unless it is ours or of another family. */
		nh_self = src->local || a->nexthop.family != rg->key.nh_family;
	}
	if (nh_self)
		set_placeholder_nexthop(&rg->key, &t);
	out = attrs_intern(rde->pool, &t);
	if (prepended)
		aspath_unref(rde->pool, prepended);
	return out && rg->rm_out ? outbound_policy(rde, rg, pfx, src, out) : out;
}

/* ---- the edge role's route-count guard ---- */

static bool is_supernet(const struct rde *rde, const struct prefix *pfx)
{
	const struct edge_ars_conf *e = &rde->conf->edge;

	for (unsigned i = 0; i < e->n_supernets; i++)
		if (prefix_equal(&e->supernets[i], pfx))
			return true;
	return false;
}

static size_t supernets_advertised(const struct rde *rde, const struct rde_group *rg)
{
	const struct edge_ars_conf *e = &rde->conf->edge;
	size_t n = 0;

	for (unsigned i = 0; i < e->n_supernets; i++)
		n += adjout_will_advertise(rg->g, &e->supernets[i]);
	return n;
}

static void guard_trip(struct rde *rde, struct rde_group *rg, const struct prefix *pfx)
{
	char ps[ADDR_STRLEN + 4];
	double now, after;

	rg->guard.mode = EDGE_GUARD_SUPERNETS_ONLY;
	rg->guard.alarm = true;
	snprintf(rg->guard.text, sizeof(rg->guard.text),
		 "more than max-routes %u routes would go to Azure Route Server: sending the "
		 "supernets only (counting the routes policy would send)",
		 rde->conf->edge.max_routes);
	rg->refill_due = true;
	log_warn("edge-route-guard", "state=tripped max-routes=%u at-prefix=%s effect=\"%s\"",
		 rde->conf->edge.max_routes, prefix_fmt(pfx, ps, sizeof(ps)),
		 "supernets only until the count fits");
	/*
	 * Recount now, so the routes already admitted are withdrawn at once; a
	 * second trip within the period waits for the regular recount, so no
	 * disagreement between admission and recount can spin the loop.
	 */
	now = ev_now(rde->loop);
	after = now - rg->tripped_at < GUARD_RECHECK_SECS ? GUARD_RECHECK_SECS : 0;
	rg->tripped_at = now;
	ev_timer_stop(rde->loop, &rde->guard_timer);
	ev_timer_set(&rde->guard_timer, after, GUARD_RECHECK_SECS);
	ev_timer_start(rde->loop, &rde->guard_timer);
}

/* May the guarded group advertise pfx? Supernets always; the rest while they fit. */
static bool guard_admits(struct rde *rde, struct rde_group *rg, const struct prefix *pfx)
{
	const struct edge_ars_conf *e = &rde->conf->edge;
	size_t others;

	if (is_supernet(rde, pfx))
		return true;
	if (rg->guard.mode != EDGE_GUARD_SEND_ALL)
		return false;
	if (adjout_will_advertise(rg->g, pfx))
		return true; /* a change of a route already counted */
	/* pending announcements count (they go out at the next pack); room is kept for every supernet */
	others = adjout_count_target(rg->g) - supernets_advertised(rde, rg);
	if (others + 1 + e->n_supernets <= e->max_routes)
		return true;
	guard_trip(rde, rg, pfx);
	return false;
}

/* Every write to a group's Adj-RIB-Out goes through here (a: NULL withdraws). */
static void group_set(struct rde *rde, struct rde_group *rg, const struct prefix *pfx,
		      struct attrs *a)
{
	if (a && rg->guarded && !guard_admits(rde, rg, pfx))
		a = NULL;
	adjout_set(rg->g, pfx, a);
}

static bool guard_prepare(struct rde *rde, struct rde_group *rg);

/* ---- groups ---- */

static bool key_equal(const struct adjout_group_key *a, const struct adjout_group_key *b)
{
	return a->family == b->family && a->enc.as4 == b->enc.as4 && a->enc.ibgp == b->enc.ibgp &&
	       a->enc.ext_nexthop == b->enc.ext_nexthop && a->enc.max_len == b->enc.max_len &&
	       a->nh_family == b->nh_family && a->nh_ll == b->nh_ll && a->policy_id == b->policy_id;
}

static void group_export_one(struct rde *rde, struct rde_group *rg, const struct rib_entry *e)
{
	const struct rib_path *best = rib_entry_best(e);
	struct rib_sel sel = { best ? best->attrs : NULL, best ? best->peer : 0 };
	struct prefix pfx;
	struct attrs *a;

	rib_entry_prefix(e, &pfx);
	a = export_attrs(rde, rg, &pfx, &sel);
	group_set(rde, rg, &pfx, a);
	if (a)
		attrs_unref(rde->pool, a);
}

struct refill_ctx {
	struct rde *rde;
	struct rde_group *rg;
};

static int refill_one(void *ctx, const struct rib_entry *e)
{
	struct refill_ctx *r = ctx;

	group_export_one(r->rde, r->rg, e);
	return 0;
}

/*
 * Recomputes what the group advertises for every prefix (a new group, or a
 * membership change that alters the export rules). Synchronous for now: a
 * full table takes a fraction of a second.
 */
static void group_refill(struct rde *rde, struct rde_group *rg)
{
	struct refill_ctx r = { rde, rg };

	rib_walk(rde->rib[rg->af], refill_one, &r);
}

static struct rde_group *group_find(struct rde *rde, const struct adjout_group_key *k)
{
	for (unsigned i = 0; i < rde->n_groups; i++)
		if (key_equal(&rde->groups[i]->key, k))
			return rde->groups[i];
	return NULL;
}

static struct rde_group *group_create(struct rde *rde, const struct adjout_group_key *k,
				      enum rde_af af)
{
	struct rde_group **v = realloc(rde->groups, (rde->n_groups + 1) * sizeof(*v));
	struct rde_group *rg = calloc(1, sizeof(*rg));

	if (v)
		rde->groups = v;
	if (!v || !rg) {
		free(rg);
		return NULL;
	}
	rg->key = *k;
	rg->af = af;
	rde->groups[rde->n_groups++] = rg;
	return rg;
}

static void group_destroy(struct rde *rde, struct rde_group *rg)
{
	for (unsigned i = 0; i < rde->n_groups; i++) {
		if (rde->groups[i] != rg)
			continue;
		rde->groups[i] = rde->groups[--rde->n_groups];
		break;
	}
	free(rg->members);
	free(rg);
}

static int group_add_member(struct rde_group *rg, struct bgp_peer *p)
{
	struct bgp_peer **v = realloc(rg->members, (rg->n_members + 1) * sizeof(*v));

	if (!v)
		return -1;
	rg->members = v;
	rg->members[rg->n_members++] = p;
	return 0;
}

static void group_del_member(struct rde_group *rg, struct bgp_peer *p)
{
	for (unsigned i = 0; i < rg->n_members; i++)
		if (rg->members[i] == p) {
			rg->members[i] = rg->members[--rg->n_members];
			return;
		}
}

/*
 * A guarded group must not share its Adj-RIB-Out with an unguarded one of
 * the same route-map: the low bit of the (aligned) pointer tells them apart.
 */
static uintptr_t policy_key(const struct route_map *rm, bool guarded)
{
	return (uintptr_t)rm | (guarded ? 1u : 0u);
}

/* The edge role guards IPv4 toward the ARS sessions it expanded into. */
static bool member_guarded(const struct rde *rde, const struct bgp_peer *p, enum rde_af af)
{
	return rde->conf->has_edge && p->conf.edge && af == RDE_V4;
}

/*
 * The group key of a session for one family, and the next hop bytes patched
 * into its copy of each UPDATE. -1 when the session cannot carry the family
 * (IPv4 over an IPv6 session without RFC 8950, IPv6 over an IPv4 session).
 */
static int member_key(const struct bgp_peer *p, enum rde_af af, bool guarded,
		      struct adjout_group_key *k, struct rde_peer_out *o)
{
	const struct bgp_conn *c = p->established;
	const struct ipaddr *local = &c->local_addr;

	memset(k, 0, sizeof(*k));
	k->family = af == RDE_V4 ? AF_INET : AF_INET6;
	k->policy_id = policy_key(p->conf.route_map_out[rde_conf_af(k->family)], guarded);
	k->enc.as4 = p->caps_negotiated.as4;
	k->enc.ibgp = bgp_peer_is_ibgp(p);
	k->enc.max_len = BGP_MAX_MSG_LEN;
	if (af == RDE_V4 && local->family == AF_INET) {
		k->nh_family = AF_INET;
	} else if (local->family == AF_INET6 &&
		   (af == RDE_V6 || (p->caps_negotiated.ext_nexthop & BGP_AF_IPV4_UNICAST))) {
		k->nh_family = AF_INET6;
		k->enc.ext_nexthop = af == RDE_V4;
		/* [global-or-link-local, link-local], as FRR sends on link-local sessions */
		k->nh_ll = ipaddr_is_v6_linklocal(local);
	} else {
		return -1;
	}
	o->nh_len = k->nh_family == AF_INET ? 4 : k->nh_ll ? 32 : 16;
	memcpy(o->nh, local->bytes, k->nh_family == AF_INET ? 4 : 16);
	if (k->nh_ll)
		memcpy(o->nh + 16, local->bytes, 16);
	return 0;
}

static uint32_t af_bit(enum rde_af af)
{
	return af == RDE_V4 ? BGP_AF_IPV4_UNICAST : BGP_AF_IPV6_UNICAST;
}

static void join(struct rde *rde, struct bgp_peer *p, enum rde_af af)
{
	struct rde_peer_out *o = &p->out[af];
	bool guarded = member_guarded(rde, p, af);
	struct adjout_group_key k;
	struct rde_group *rg;
	bool created = false;

	if (rde_policy_blocks(rde, p, af == RDE_V4 ? AF_INET : AF_INET6, false)) {
		log_info("family-not-sent", "peer=%s family=%s reason=\"%s\"", p->conf.peer,
			 af == RDE_V4 ? "ipv4" : "ipv6", "no outbound policy (RFC 8212)");
		return;
	}
	if (member_key(p, af, guarded, &k, o) < 0) {
		log_info("family-not-sent",
			 "peer=%s family=%s reason=\"no next hop of that family\"", p->conf.peer,
			 af == RDE_V4 ? "ipv4" : "ipv6");
		return;
	}
	rg = group_find(rde, &k);
	if (!rg) {
		rg = group_create(rde, &k, af);
		if (rg) {
			rg->rm_out = p->conf.route_map_out[rde_conf_af(k.family)];
			rg->guarded = guarded;
		}
		created = true;
	}
	if (!rg || group_add_member(rg, p) < 0)
		return;
	/* An existing group keeps its Adj-RIB-Out (a forked one shares its key with another). */
	if (created)
		rg->g = adjout_group_get(rde->adjout, &k);
	else
		adjout_group_hold(rg->g);
	o->group = rg;
	o->eor_due = true;
	/* A new group, or one whose send-back rule just changed, is recomputed. */
	if (created && rg->guarded)
		guard_prepare(rde, rg); /* counted before anything goes out */
	if (created || rg->n_members == 2)
		group_refill(rde, rg);
	if (!created)
		o->replay = adjout_replay_start(rg->g);
}

static void leave(struct rde *rde, struct bgp_peer *p, enum rde_af af)
{
	struct rde_peer_out *o = &p->out[af];
	struct rde_group *rg = o->group;

	if (!rg)
		return;
	if (o->replay)
		adjout_replay_free(o->replay);
	group_del_member(rg, p);
	adjout_group_put(rde->adjout, rg->g);
	memset(o, 0, sizeof(*o));
	if (!rg->n_members)
		group_destroy(rde, rg);
	else if (rg->n_members == 1)
		group_refill(rde, rg);
}

void rde_out_peer_up(struct rde *rde, struct bgp_peer *p)
{
	uint32_t afs = p->caps_negotiated.mp ? p->caps_negotiated.mp : BGP_AF_IPV4_UNICAST;

	for (int af = 0; af < RDE_AF_COUNT; af++)
		if (afs & af_bit(af))
			join(rde, p, af);
}

void rde_out_peer_down(struct rde *rde, struct bgp_peer *p)
{
	for (int af = 0; af < RDE_AF_COUNT; af++)
		leave(rde, p, af);
}

void rde_out_change(struct rde *rde, const struct rib_entry *e, const struct rib_change *chg)
{
	enum rde_af af;
	struct prefix pfx;

	if (!chg->best_changed)
		return;
	rib_entry_prefix(e, &pfx);
	af = pfx.family == AF_INET6 ? RDE_V6 : RDE_V4;
	for (unsigned i = 0; i < rde->n_groups; i++) {
		struct rde_group *rg = rde->groups[i];
		struct attrs *a;

		if (rg->af != af)
			continue;
		a = export_attrs(rde, rg, &pfx, &chg->new_best);
		group_set(rde, rg, &pfx, a);
		if (a)
			attrs_unref(rde->pool, a);
	}
}

/*
 * Recomputes everything the peer's groups advertise under the policy now in
 * force (clear soft out, a reloaded policy): changed routes go out again,
 * newly denied ones are withdrawn.
 */
void rde_out_refill(struct rde *rde, struct bgp_peer *p)
{
	for (int af = 0; af < RDE_AF_COUNT; af++) {
		struct rde_group *rg = p->out[af].group;

		if (!rg)
			continue;
		if (rg->guarded)
			guard_prepare(
				rde,
				rg); /* the count under the policy now in force decides first */
		group_refill(rde, rg);
	}
}

/* ---- reload: groups whose members' outbound policy changed ---- */

/* The key p's group must have under the policy now in force. */
static bool member_new_key(const struct bgp_peer *p, const struct rde_group *rg,
			   struct adjout_group_key *k)
{
	struct rde_peer_out scratch;

	return member_key(p, rg->af, rg->guarded, k, &scratch) == 0;
}

/* p (not the group's first member) moves from one group to another. */
static bool member_move(struct rde *rde, struct rde_group *from, struct rde_group *to,
			struct bgp_peer *p)
{
	struct rde_peer_out *o = &p->out[from->af];

	if (group_add_member(to, p) < 0)
		return false;
	adjout_group_hold(to->g);
	group_del_member(from, p);
	adjout_group_put(rde->adjout, from->g); /* never the last reference: the first stays */
	o->group = to;
	if (o->replay) {
		/* it had not got all of the old group's routes: it gets the new one's again */
		adjout_replay_free(o->replay);
		o->replay = adjout_replay_start(to->g);
	}
	return true;
}

/*
 * The members whose policy now gives key k leave rg for a group forked from
 * it: it starts from what they were sent, so its refill queues exactly the
 * withdrawals and changes they must see, and no session is reset.
 */
static bool group_split(struct rde *rde, struct rde_group *rg, const struct adjout_group_key *k)
{
	struct rde_group *nrg = group_create(rde, k, rg->af);
	struct adjout_group_key mk;
	unsigned moved = 0;

	if (nrg)
		nrg->g = adjout_group_fork(rde->adjout, rg->g, k);
	if (!nrg || !nrg->g) {
		if (nrg)
			group_destroy(rde, nrg);
		log_err("update-group-split", "error=\"out of memory\" effect=\"%s\"",
			"members keep the group's previous policy until their session resets");
		return false;
	}
	nrg->guarded = rg->guarded;
	nrg->guard = rg->guard;
	/* from the end: group_del_member fills slot i with the last one, already seen */
	for (unsigned i = rg->n_members; i-- > 1;) {
		struct bgp_peer *p = rg->members[i];

		if (!member_new_key(p, rg, &mk) || !key_equal(&mk, k))
			continue;
		nrg->rm_out = p->conf.route_map_out[rde_conf_af(k->family)];
		moved += member_move(rde, rg, nrg, p);
	}
	if (!moved) {
		adjout_group_hold(nrg->g);
		adjout_group_put(rde->adjout, nrg->g);
		group_destroy(rde, nrg);
		return false;
	}
	if (nrg->guarded)
		guard_prepare(rde, nrg);
	group_refill(rde, nrg);
	return true;
}

/* rg's members under the policy now in force: split by new key, then recomputed. */
static void group_reconf(struct rde *rde, struct rde_group *rg)
{
	struct adjout_group_key lead, k;

	if (!rg->n_members || !member_new_key(rg->members[0], rg, &lead))
		return;
	for (unsigned i = 1; i < rg->n_members; i++) {
		if (!member_new_key(rg->members[i], rg, &k) || key_equal(&k, &lead))
			continue;
		if (!group_split(rde, rg, &k))
			break;
		i = 0; /* membership changed: scan again */
	}
	if (!key_equal(&rg->key, &lead)) {
		rg->key = lead;
		adjout_group_rekey(rde->adjout, rg->g, &lead);
	}
	rg->rm_out = rg->members[0]->conf.route_map_out[rde_conf_af(lead.family)];
	if (rg->guarded)
		guard_prepare(rde, rg);
	group_refill(rde, rg);
}

void rde_out_reconf(struct rde *rde)
{
	unsigned n = rde->n_groups; /* groups split off are already computed */

	for (unsigned i = 0; i < n; i++)
		group_reconf(rde, rde->groups[i]);
}

void rde_out_refresh(struct rde *rde, struct bgp_peer *p, enum rde_af af)
{
	struct rde_peer_out *o = &p->out[af];

	if (!o->group)
		return;
	if (o->replay)
		adjout_replay_free(o->replay);
	o->replay = adjout_replay_start(o->group->g);
	o->eor_due = true;
}

/* ---- the guard's recount ---- */

struct recount {
	struct rde *rde;
	struct rde_group *rg;
	size_t candidates, supernets;
};

static int recount_one(void *ctx, const struct rib_entry *e)
{
	struct recount *rc = ctx;
	const struct rib_path *best = rib_entry_best(e);
	struct rib_sel sel = { best ? best->attrs : NULL, best ? best->peer : 0 };
	struct prefix pfx;
	struct attrs *a;

	rib_entry_prefix(e, &pfx);
	a = export_attrs(rc->rde, rc->rg, &pfx, &sel);
	if (!a)
		return 0;
	rc->candidates++;
	rc->supernets += is_supernet(rc->rde, &pfx);
	attrs_unref(rc->rde->pool, a);
	return 0;
}

/* What policy would send the group, against max-routes: the guard's mode from now on. */
static bool guard_prepare(struct rde *rde, struct rde_group *rg)
{
	struct recount rc = { rde, rg, 0, 0 };
	enum edge_guard_mode was = rg->guard.mode;

	rib_walk(rde->rib[rg->af], recount_one, &rc);
	/* the same count guard_admits keeps: room for every configured supernet */
	edge_route_guard(rc.candidates, rc.supernets, rde->conf->edge.n_supernets - rc.supernets,
			 rde->conf->edge.max_routes, &rg->guard);
	if (rg->guard.mode == was && !rg->refill_due)
		return false;
	log_info("edge-route-guard", "state=%s candidates=%zu sent=%zu max-routes=%u",
		 rg->guard.mode == EDGE_GUARD_SEND_ALL ? "clear" : "tripped", rc.candidates,
		 rg->guard.sent, rde->conf->edge.max_routes);
	rg->refill_due = false;
	return true;
}

static void group_recount(struct rde *rde, struct rde_group *rg)
{
	const struct edge_ars_conf *e = &rde->conf->edge;

	/*
	 * Sending everything, admission has counted every route already: the
	 * target count is the recount, without a walk of the table. Only a
	 * tripped guard needs the walk, to see a table that shrank.
	 */
	if (rg->guard.mode == EDGE_GUARD_SEND_ALL && !rg->refill_due) {
		size_t sn = supernets_advertised(rde, rg);

		edge_route_guard(adjout_count_target(rg->g), sn, e->n_supernets - sn, e->max_routes,
				 &rg->guard);
		if (rg->guard.mode == EDGE_GUARD_SEND_ALL)
			return;
		rg->guard.mode = EDGE_GUARD_SEND_ALL; /* cannot happen; the walk decides and logs */
	}
	if (guard_prepare(rde, rg))
		group_refill(rde, rg);
}

void rde_out_guard_recount(struct rde *rde)
{
	for (unsigned i = 0; i < rde->n_groups; i++)
		if (rde->groups[i]->guarded)
			group_recount(rde, rde->groups[i]);
}

bool rde_out_guard_state(const struct bgp_peer *p, struct edge_guard *g)
{
	const struct rde_group *rg = p->out[RDE_V4].group;

	if (!rg || !rg->guarded)
		return false;
	*g = rg->guard;
	return true;
}

/* ---- writing ---- */

static bool is_ll_placeholder(const uint8_t *b)
{
	static const uint8_t zero[14];

	return b[0] == 0xfe && b[1] == 0x80 && !memcmp(b + 2, zero, 14);
}

/*
 * The group packs next-hop-self as zeros, and fe80:: for a link-local half;
 * with no global address the encoder repeats the link-local in the first
 * half ([LL, LL]). Real next hops are never these.
 */
static bool is_placeholder(const uint8_t *b, size_t len)
{
	static const uint8_t zero[16];

	if (len == 32)
		return (!memcmp(b, zero, 16) || is_ll_placeholder(b)) && is_ll_placeholder(b + 16);
	return !memcmp(b, zero, len);
}

static void send_patched(struct bgp_peer *p, const struct rde_peer_out *o, uint8_t *msg,
			 const struct adjout_msg *m)
{
	uint8_t saved[32];
	bool patch =
		m->nh_len && m->nh_len == o->nh_len && is_placeholder(msg + m->nh_off, m->nh_len);

	if (patch) {
		memcpy(saved, msg + m->nh_off, m->nh_len);
		memcpy(msg + m->nh_off, o->nh, m->nh_len);
	}
	session_send(p->established, msg, m->len);
	if (patch)
		memcpy(msg + m->nh_off, saved, m->nh_len);
}

static bool member_blocked(const struct bgp_peer *p)
{
	return !p->established || session_queued(p->established) > OUT_HIGH_WATER;
}

static bool group_blocked(const struct rde_group *rg)
{
	for (unsigned i = 0; i < rg->n_members; i++)
		if (member_blocked(rg->members[i]))
			return true;
	return false;
}

static void flush_group(struct rde *rde, struct rde_group *rg)
{
	uint8_t msg[BGP_MAX_MSG_LEN];
	struct adjout_msg m;

	while (adjout_pending(rg->g) && !group_blocked(rg) &&
	       adjout_next(rg->g, msg, sizeof(msg), &m)) {
		rde->stats.updates_out++;
		for (unsigned i = 0; i < rg->n_members; i++)
			send_patched(rg->members[i], &rg->members[i]->out[rg->af], msg, &m);
	}
}

static void send_eor(struct bgp_peer *p, enum rde_af af)
{
	uint8_t msg[64];
	size_t len = update_eor_encode(msg, sizeof(msg), af == RDE_V4 ? AF_INET : AF_INET6);

	session_send(p->established, msg, len);
	log_info("eor-sent", "peer=%s family=%s", p->conf.peer, af == RDE_V4 ? "ipv4" : "ipv6");
}

static void flush_member(struct rde *rde, struct bgp_peer *p, enum rde_af af)
{
	struct rde_peer_out *o = &p->out[af];
	uint8_t msg[BGP_MAX_MSG_LEN];
	struct adjout_msg m;

	while (o->replay && !member_blocked(p)) {
		if (!adjout_replay_next(o->replay, msg, sizeof(msg), &m)) {
			adjout_replay_free(o->replay);
			o->replay = NULL;
			break;
		}
		send_patched(p, o, msg, &m);
	}
	if (o->eor_due && !o->replay && !adjout_pending(o->group->g) && !member_blocked(p)) {
		send_eor(p, af);
		o->eor_due = false;
	}
}

void rde_out_flush(struct rde *rde)
{
	for (unsigned i = 0; i < rde->n_groups; i++) {
		struct rde_group *rg = rde->groups[i];

		flush_group(rde, rg);
		for (unsigned k = 0; k < rg->n_members; k++)
			flush_member(rde, rg->members[k], rg->af);
	}
}

int rde_out_walk(const struct bgp_peer *p, enum rde_af af,
		 int (*fn)(void *ctx, const struct prefix *pfx, struct attrs *a), void *ctx)
{
	return p->out[af].group ? adjout_walk(p->out[af].group->g, fn, ctx) : 0;
}

size_t rde_out_count_af(const struct bgp_peer *p, enum rde_af af)
{
	return p->out[af].group ? adjout_count(p->out[af].group->g) : 0;
}

size_t rde_out_count(const struct bgp_peer *p)
{
	size_t n = 0;

	for (int af = 0; af < RDE_AF_COUNT; af++)
		if (p->out[af].group)
			n += adjout_count(p->out[af].group->g);
	return n;
}
