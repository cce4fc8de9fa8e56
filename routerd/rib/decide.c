/*
 * RFC 4271 §9.1.2 decision process as a table of step functions. Each step
 * returns <0 when a is preferred, >0 when b is, 0 when it cannot tell; the
 * first nonzero step decides (§9.1.2.2: "the algorithm terminates as soon as
 * only one route remains in consideration").
 */
#include "routerd/rib/decide.h"

#include <string.h>

struct decide_ctx {
	const struct rib_peer_info *pa, *pb; /* peers of a and b */
	const struct decide_conf *conf;
};

typedef int (*decide_step_fn)(const struct rib_path *a, const struct rib_path *b,
			      const struct decide_ctx *x);

struct step_def {
	decide_step_fn cmp;
	const char *name; /* FRR's bestpath reason */
};

/* Prefers the higher value. */
static int cmp_high(uint32_t a, uint32_t b)
{
	return (a < b) - (a > b);
}

/* Prefers the lower value. */
static int cmp_low(uint32_t a, uint32_t b)
{
	return (a > b) - (a < b);
}

/* Local extension (Cisco/FRR "weight"): set by inbound policy, higher wins. */
static int step_weight(const struct rib_path *a, const struct rib_path *b,
		       const struct decide_ctx *x)
{
	return cmp_high(a->attrs->weight, b->attrs->weight);
}

static uint32_t local_pref(const struct attrs *a)
{
	if (a->flags & ATTR_HAS_LOCAL_PREF)
		return a->local_pref;
	return DECIDE_DEFAULT_LOCAL_PREF;
}

/*
 * §9.1.1 Phase 1: the degree of preference is LOCAL_PREF (for eBGP routes
 * policy computes it; absent means the configured default, 100).
 */
static int step_local_pref(const struct rib_path *a, const struct rib_path *b,
			   const struct decide_ctx *x)
{
	return cmp_high(local_pref(a->attrs), local_pref(b->attrs));
}

/* Extension (FRR "Local Route"): our own originations win over learned paths. */
static int step_local_route(const struct rib_path *a, const struct rib_path *b,
			    const struct decide_ctx *x)
{
	return cmp_high(x->pa->local, x->pb->local);
}

static uint32_t path_len(const struct attrs *a)
{
	return a->aspath ? a->aspath->path_len : 0;
}

/*
 * §9.1.2.2 a) "Remove from consideration all routes that are not tied for
 * having the smallest number of AS numbers present in their AS_PATH
 * attributes." An AS_SET counts 1 (path_len does that). Skipped with
 * `bgp bestpath as-path ignore`.
 */
static int step_as_path(const struct rib_path *a, const struct rib_path *b,
			const struct decide_ctx *x)
{
	if (x->conf->as_path_ignore)
		return 0;
	return cmp_low(path_len(a->attrs), path_len(b->attrs));
}

/* §9.1.2.2 b) "... not tied for having the lowest Origin number": IGP < EGP < INCOMPLETE. */
static int step_origin(const struct rib_path *a, const struct rib_path *b,
		       const struct decide_ctx *x)
{
	return cmp_low(a->attrs->origin, b->attrs->origin);
}

static uint32_t neighbor_as(const struct attrs *a)
{
	return a->aspath ? a->aspath->neighbor_as : 0;
}

/*
 * §9.1.2.2 c) "MULTI_EXIT_DISC is only comparable between routes learned
 * from the same neighboring AS" (the leftmost AS of AS_PATH; an empty path
 * means our own AS, so two such routes compare). "routes that do not have
 * the MULTI_EXIT_DISC attribute are considered to have the lowest possible
 * MULTI_EXIT_DISC value." `bgp always-compare-med` compares across ASes.
 */
static int step_med(const struct rib_path *a, const struct rib_path *b, const struct decide_ctx *x)
{
	uint32_t ma = (a->attrs->flags & ATTR_HAS_MED) ? a->attrs->med : 0;
	uint32_t mb = (b->attrs->flags & ATTR_HAS_MED) ? b->attrs->med : 0;

	if (!x->conf->always_compare_med && neighbor_as(a->attrs) != neighbor_as(b->attrs))
		return 0;
	return cmp_low(ma, mb);
}

/*
 * §9.1.2.2 d) "If at least one of the candidate routes was received via
 * EBGP, remove from consideration all routes that were received via IBGP."
 */
static int step_peer_type(const struct rib_path *a, const struct rib_path *b,
			  const struct decide_ctx *x)
{
	return cmp_low(x->pa->ibgp, x->pb->ibgp);
}

/*
 * §9.1.2.2 e) "Remove from consideration any routes with less-preferred
 * interior cost." (the cost to the NEXT_HOP; per peer for now).
 */
static int step_igp_cost(const struct rib_path *a, const struct rib_path *b,
			 const struct decide_ctx *x)
{
	return cmp_low(x->pa->igp_cost, x->pb->igp_cost);
}

/*
 * §9.1.2.2 f) "Remove from consideration all routes other than the route
 * that was advertised by the BGP speaker with the lowest BGP Identifier
 * value." RFC 4456 §9 substitutes ORIGINATOR_ID for reflected routes and
 * adds CLUSTER_LIST length before g): both wait for those attributes.
 */
static int step_router_id(const struct rib_path *a, const struct rib_path *b,
			  const struct decide_ctx *x)
{
	return cmp_low(x->pa->router_id, x->pb->router_id);
}

/* §9.1.2.2 g) "Prefer the route received from the lowest peer address." */
static int step_peer_addr(const struct rib_path *a, const struct rib_path *b,
			  const struct decide_ctx *x)
{
	const struct ipaddr *ia = &x->pa->addr, *ib = &x->pb->addr;
	int r;

	if (ia->family != ib->family)
		return cmp_low(ia->family, ib->family);
	r = memcmp(ia->bytes, ib->bytes, sizeof(ia->bytes));
	return (r > 0) - (r < 0);
}

/* Not in the RFC: two paths from peers with equal identity still get a total order. */
static int step_peer_id(const struct rib_path *a, const struct rib_path *b,
			const struct decide_ctx *x)
{
	return cmp_low(a->peer, b->peer);
}

static const struct step_def steps[] = {
	[DECIDE_WEIGHT] = { step_weight, "Weight" },
	[DECIDE_LOCAL_PREF] = { step_local_pref, "Local Pref" },
	[DECIDE_LOCAL_ROUTE] = { step_local_route, "Local Route" },
	[DECIDE_AS_PATH] = { step_as_path, "AS Path" },
	[DECIDE_ORIGIN] = { step_origin, "Origin" },
	[DECIDE_MED] = { step_med, "MED" },
	[DECIDE_PEER_TYPE] = { step_peer_type, "Peer Type" },
	[DECIDE_IGP_COST] = { step_igp_cost, "IGP Metric" },
	[DECIDE_ROUTER_ID] = { step_router_id, "Router ID" },
	[DECIDE_PEER_ADDR] = { step_peer_addr, "Neighbor IP" },
	[DECIDE_PEER_ID] = { step_peer_id, "Peer ID" },
};

_Static_assert(sizeof(steps) / sizeof(steps[0]) == DECIDE_EQUAL, "one function per step");

void decide_conf_init(struct decide_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_paths = 1;
}

const char *decide_step_name(enum decide_step step)
{
	if (step < DECIDE_EQUAL)
		return steps[step].name;
	return "Equal";
}

/* Runs steps [0, last]; returns the first nonzero result and its step in *at. */
static int run_steps(const struct rib_path *a, const struct rib_path *b, const struct decide_ctx *x,
		     enum decide_step last, enum decide_step *at)
{
	for (unsigned i = 0; i <= last; i++) {
		int r = steps[i].cmp(a, b, x);

		if (r) {
			*at = i;
			return r;
		}
	}
	*at = DECIDE_EQUAL;
	return 0;
}

static void ctx_init(struct decide_ctx *x, const struct rib_path *a, const struct rib_path *b,
		     const struct rib_peer_info *peers, const struct decide_conf *c)
{
	x->pa = &peers[a->peer];
	x->pb = &peers[b->peer];
	x->conf = c;
}

int decide_cmp_step(const struct rib_path *a, const struct rib_path *b,
		    const struct rib_peer_info *peers, const struct decide_conf *c,
		    enum decide_step *step)
{
	struct decide_ctx x;
	enum decide_step at;
	int r;

	ctx_init(&x, a, b, peers, c);
	r = run_steps(a, b, &x, DECIDE_PEER_ID, &at);
	if (step)
		*step = at;
	return r;
}

int decide_cmp(const struct rib_path *a, const struct rib_path *b,
	       const struct rib_peer_info *peers, const struct decide_conf *c)
{
	return decide_cmp_step(a, b, peers, c, NULL);
}

/* Without relax: eBGP needs the same neighbor AS, iBGP the identical (interned) AS path. */
static bool same_as_path_class(const struct rib_path *a, const struct rib_path *b,
			       const struct decide_ctx *x)
{
	if (x->conf->multipath_relax)
		return path_len(a->attrs) == path_len(b->attrs);
	if (x->pa->ibgp)
		return a->attrs->aspath == b->attrs->aspath;
	return neighbor_as(a->attrs) == neighbor_as(b->attrs);
}

bool decide_multipath_eq(const struct rib_path *a, const struct rib_path *b,
			 const struct rib_peer_info *peers, const struct decide_conf *c)
{
	struct decide_ctx x;
	enum decide_step at;

	ctx_init(&x, a, b, peers, c);
	if (x.pa->local || x.pb->local)
		return false;
	if (run_steps(a, b, &x, DECIDE_IGP_COST, &at))
		return false;
	return same_as_path_class(a, b, &x);
}

static struct rib_path *select_best(struct rib_path *const *cand, unsigned n,
				    const struct rib_peer_info *peers, const struct decide_conf *c)
{
	struct rib_path *best = cand[0];

	for (unsigned i = 1; i < n; i++) {
		if (decide_cmp(cand[i], best, peers, c) < 0)
			best = cand[i];
	}
	return best;
}

/* Inserts p into mp[1..*n) in decision order, keeping at most max paths (max >= 2). */
static void mp_insert(struct rib_path **mp, unsigned *n, unsigned max, struct rib_path *p,
		      const struct rib_peer_info *peers, const struct decide_conf *c)
{
	unsigned i = *n;

	if (i == max) {
		if (decide_cmp(p, mp[i - 1], peers, c) > 0)
			return;
		i--;
	} else {
		(*n)++;
	}
	for (; i > 1 && decide_cmp(p, mp[i - 1], peers, c) < 0; i--)
		mp[i] = mp[i - 1];
	mp[i] = p;
}

unsigned decide_select(struct rib_path *const *cand, unsigned n, const struct rib_peer_info *peers,
		       const struct decide_conf *c, struct rib_path **mp)
{
	unsigned nmp = 1, max = c->max_paths ? c->max_paths : 1;

	if (!n)
		return 0;
	mp[0] = select_best(cand, n, peers, c);
	if (max == 1)
		return nmp;
	for (unsigned i = 0; i < n; i++) {
		if (cand[i] != mp[0] && decide_multipath_eq(mp[0], cand[i], peers, c))
			mp_insert(mp, &nmp, max, cand[i], peers, c);
	}
	return nmp;
}
