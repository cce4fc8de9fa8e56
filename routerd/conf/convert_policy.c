/*
 * Conversion of policy/ into a struct policy_set (routerd/policy/), built
 * with the engine's API, and of the route-map names that neighbors,
 * peer-groups, redistribute and network-route-map give into pointers into
 * it. The semantic checks (check_policy.c) have run and libyang has
 * validated every leafref, so an error from the engine here is either a
 * rule only the engine knows or out of memory; it is reported at the data
 * path of the node it concerns all the same.
 */
#include "routerd/conf/conf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "routerd/lib/addr.h"
#include "routerd/policy/policy_set.h"
#include "routerd/rib/attr.h" /* ORIGIN_* */

#define ENGINE_FIX "fix it; see docs/policy.md"

/* An error of the engine about node n; always returns -1. */
static int engine_problem(struct loader *l, const struct lyd_node *n, const struct policy_err *err)
{
	problem_node(l, n, "%s: " ENGINE_FIX, err->msg);
	return -1;
}

static enum policy_action action_at(const struct lyd_node *e)
{
	const char *v = conf_value_at(e, "action");

	return v && !strcmp(v, "permit") ? POLICY_PERMIT : POLICY_DENY;
}

static bool true_at(const struct lyd_node *n, const char *path)
{
	const char *v = conf_value_at(n, path);

	return v && !strcmp(v, "true");
}

/* ---- lists ---- */

static int add_pl_entry(struct loader *l, struct prefix_list *pl, const struct lyd_node *e)
{
	uint32_t seq = conf_num(conf_value_at(e, "seq"));
	const char *text = conf_value_at(e, "prefix");
	struct policy_err err;
	struct prefix p;
	int rc;

	if (text && !strcmp(text, "any"))
		rc = prefix_list_add_any(pl, seq, action_at(e), &err);
	else if (text && prefix_parse(text, &p))
		rc = prefix_list_add(pl, seq, action_at(e), &p,
				     (uint8_t)conf_num(conf_value_at(e, "ge")),
				     (uint8_t)conf_num(conf_value_at(e, "le")), &err);
	else
		rc = policy_fail(&err, "invalid prefix \"%s\"", text ? text : "");
	return rc ? engine_problem(l, e, &err) : 0;
}

/* The values of leaf-list `name` under parent, parsed; *out is malloc'd (NULL when none). */
static int collect_communities(const struct lyd_node *parent, uint32_t **out, size_t *n)
{
	const struct lyd_node *c;

	*out = NULL;
	*n = conf_count_children(parent, "community");
	if (!*n)
		return 0;
	*out = calloc(*n, sizeof(**out));
	if (!*out)
		return -1;
	*n = 0;
	for (c = conf_first_child(parent, "community"); c; c = conf_next_named(c, "community"))
		if (community_parse(lyd_get_value(c), &(*out)[*n]))
			(*n)++;
	return 0;
}

static int collect_lcommunities(const struct lyd_node *parent, struct lcommunity **out, size_t *n)
{
	const struct lyd_node *c;

	*out = NULL;
	*n = conf_count_children(parent, "large-community");
	if (!*n)
		return 0;
	*out = calloc(*n, sizeof(**out));
	if (!*out)
		return -1;
	*n = 0;
	for (c = conf_first_child(parent, "large-community"); c;
	     c = conf_next_named(c, "large-community"))
		if (lcommunity_parse(lyd_get_value(c), &(*out)[*n]))
			(*n)++;
	return 0;
}

static int add_cl_entry(struct loader *l, struct comm_list *cl, bool large,
			const struct lyd_node *e)
{
	uint32_t seq = conf_num(conf_value_at(e, "seq"));
	const char *regex = conf_value_at(e, "regex");
	struct lcommunity *lv = NULL;
	struct policy_err err;
	uint32_t *v = NULL;
	size_t n = 0;
	int rc;

	if (regex)
		rc = comm_list_add_expanded(cl, seq, action_at(e), regex, &err);
	else if (large)
		rc = collect_lcommunities(e, &lv, &n)
			     ? policy_fail(&err, "out of memory")
			     : lcomm_list_add_standard(cl, seq, action_at(e), lv, n, &err);
	else
		rc = collect_communities(e, &v, &n)
			     ? policy_fail(&err, "out of memory")
			     : comm_list_add_standard(cl, seq, action_at(e), v, n, &err);
	free(v);
	free(lv);
	return rc ? engine_problem(l, e, &err) : 0;
}

/*
 * Every list of kind `list` under policy, each entry added by its kind's
 * function. Returns the number of problems (or -1 on allocation failure).
 */
static int build_lists(struct loader *l, struct policy_set *ps, const struct lyd_node *policy)
{
	const struct lyd_node *n, *e;
	int bad = 0;

	for (n = conf_first_child(policy, "prefix-list"); n;
	     n = conf_next_named(n, "prefix-list")) {
		struct prefix_list *pl = policy_set_prefix_list(ps, conf_value_at(n, "name"));

		if (!pl)
			return -1;
		for (e = conf_first_child(n, "entry"); e; e = conf_next_named(e, "entry"))
			bad += !!add_pl_entry(l, pl, e);
	}
	for (n = conf_first_child(policy, "as-path-list"); n;
	     n = conf_next_named(n, "as-path-list")) {
		struct aspath_list *al = policy_set_aspath_list(ps, conf_value_at(n, "name"));
		struct policy_err err;

		if (!al)
			return -1;
		for (e = conf_first_child(n, "entry"); e; e = conf_next_named(e, "entry"))
			if (aspath_list_add(al, conf_num(conf_value_at(e, "seq")), action_at(e),
					    conf_value_at(e, "regex"), &err))
				bad += !!engine_problem(l, e, &err);
	}
	for (n = conf_first_child(policy, "community-list"); n;
	     n = conf_next_named(n, "community-list")) {
		struct comm_list *cl = policy_set_community_list(ps, conf_value_at(n, "name"));

		if (!cl)
			return -1;
		for (e = conf_first_child(n, "entry"); e; e = conf_next_named(e, "entry"))
			bad += !!add_cl_entry(l, cl, false, e);
	}
	for (n = conf_first_child(policy, "large-community-list"); n;
	     n = conf_next_named(n, "large-community-list")) {
		struct comm_list *cl =
			policy_set_large_community_list(ps, conf_value_at(n, "name"));

		if (!cl)
			return -1;
		for (e = conf_first_child(n, "entry"); e; e = conf_next_named(e, "entry"))
			bad += !!add_cl_entry(l, cl, true, e);
	}
	return bad;
}

/* ---- route-maps: match clauses ---- */

static int add_matches(struct rm_entry *re, const struct lyd_node *m, struct policy_err *err)
{
	const char *v;

	if ((v = conf_value_at(m, "prefix-list")) && rm_match_prefix_list(re, v, err))
		return -1;
	if ((v = conf_value_at(m, "next-hop-prefix-list")) &&
	    rm_match_nexthop_prefix_list(re, v, err))
		return -1;
	if ((v = conf_value_at(m, "as-path")) && rm_match_as_path(re, v, err))
		return -1;
	if ((v = conf_value_at(m, "community")) &&
	    rm_match_community(re, v, true_at(m, "community-exact-match"), err))
		return -1;
	if ((v = conf_value_at(m, "large-community")) &&
	    rm_match_large_community(re, v, true_at(m, "large-community-exact-match"), err))
		return -1;
	if ((v = conf_value_at(m, "interface")) && rm_match_interface(re, v, err))
		return -1;
	if ((v = conf_value_at(m, "source-protocol"))) {
		enum policy_proto proto = !strcmp(v, "connected") ? POLICY_PROTO_CONNECTED
					  : !strcmp(v, "static")  ? POLICY_PROTO_STATIC
								  : POLICY_PROTO_BGP;

		if (rm_match_source_protocol(re, proto, err))
			return -1;
	}
	if ((v = conf_value_at(m, "local-preference")) && rm_match_local_pref(re, conf_num(v), err))
		return -1;
	if ((v = conf_value_at(m, "metric")) && rm_match_metric(re, conf_num(v), err))
		return -1;
	return 0;
}

/* ---- route-maps: set clauses ---- */

/* "200", "+10", "-10" (check_policy.c has range-checked N). */
static enum rm_adjust adjustable(const char *v, uint32_t *value)
{
	enum rm_adjust how = v[0] == '+' ? RM_ADD : v[0] == '-' ? RM_SUB : RM_SET_VALUE;

	*value = conf_num(how == RM_SET_VALUE ? v : v + 1);
	return how;
}

static int set_prepend(struct rm_entry *re, const char *v, struct policy_err *err)
{
	char buf[1024], *tok, *save;
	uint32_t asns[sizeof(buf) / 2];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " ", &save); tok && n < sizeof(asns) / sizeof(asns[0]);
	     tok = strtok_r(NULL, " ", &save))
		asns[n++] = conf_num(tok);
	return rm_set_as_path_prepend(re, asns, n, err);
}

static int set_exclude(struct rm_entry *re, const struct lyd_node *s, struct policy_err *err)
{
	size_t n = conf_count_children(s, "as-path-exclude"), i = 0;
	const struct lyd_node *a;
	uint32_t *asns;
	int rc;

	if (!n)
		return true_at(s, "as-path-exclude-all") ? rm_set_as_path_exclude(re, NULL, 0, err)
							 : 0;
	asns = calloc(n, sizeof(*asns));
	if (!asns)
		return policy_fail(err, "out of memory");
	for (a = conf_first_child(s, "as-path-exclude"); a;
	     a = conf_next_named(a, "as-path-exclude"))
		asns[i++] = conf_num(lyd_get_value(a));
	rc = rm_set_as_path_exclude(re, asns, n, err);
	free(asns);
	return rc;
}

static int set_communities(struct rm_entry *re, const struct lyd_node *s, struct policy_err *err)
{
	struct lcommunity *lv;
	uint32_t *v;
	size_t n;
	int rc = 0;

	if (collect_communities(s, &v, &n))
		return policy_fail(err, "out of memory");
	if (n)
		rc = rm_set_community(re, v, n, true_at(s, "community-additive"), err);
	else if (true_at(s, "community-none"))
		rc = rm_set_community_none(re, err);
	free(v);
	if (rc)
		return rc;
	if (collect_lcommunities(s, &lv, &n))
		return policy_fail(err, "out of memory");
	if (n)
		rc = rm_set_large_community(re, lv, n, true_at(s, "large-community-additive"), err);
	else if (true_at(s, "large-community-none"))
		rc = rm_set_large_community_none(re, err);
	free(lv);
	return rc;
}

static int set_nexthop(struct rm_entry *re, const char *v, struct policy_err *err)
{
	struct ipaddr a;

	if (!strcmp(v, "peer-address"))
		return rm_set_nexthop_peer_address(re, err);
	if (!strcmp(v, "unchanged"))
		return rm_set_nexthop_unchanged(re, err);
	if (!ipaddr_parse(v, &a))
		return policy_fail(err, "invalid next-hop \"%s\"", v);
	return rm_set_nexthop(re, &a, err);
}

static int add_sets(struct rm_entry *re, const struct lyd_node *s, struct policy_err *err)
{
	const char *v;
	uint32_t value;

	if ((v = conf_value_at(s, "origin"))) {
		uint8_t origin = !strcmp(v, "igp")   ? ORIGIN_IGP
				 : !strcmp(v, "egp") ? ORIGIN_EGP
						     : ORIGIN_INCOMPLETE;

		if (rm_set_origin(re, origin, err))
			return -1;
	}
	if ((v = conf_value_at(s, "local-preference"))) {
		enum rm_adjust how = adjustable(v, &value);

		if (rm_set_local_pref(re, how, value, err))
			return -1;
	}
	if ((v = conf_value_at(s, "metric"))) {
		enum rm_adjust how = adjustable(v, &value);

		if (rm_set_metric(re, how, value, err))
			return -1;
	}
	if ((v = conf_value_at(s, "weight")) && rm_set_weight(re, conf_num(v), err))
		return -1;
	if ((v = conf_value_at(s, "as-path-prepend")) && set_prepend(re, v, err))
		return -1;
	if ((v = conf_value_at(s, "as-path-prepend-last-as")) &&
	    rm_set_as_path_prepend_last_as(re, conf_num(v), err))
		return -1;
	if (set_exclude(re, s, err))
		return -1;
	if ((v = conf_value_at(s, "community-delete")) && rm_set_community_delete(re, v, err))
		return -1;
	if ((v = conf_value_at(s, "large-community-delete")) &&
	    rm_set_large_community_delete(re, v, err))
		return -1;
	if (set_communities(re, s, err))
		return -1;
	if ((v = conf_value_at(s, "next-hop")) && set_nexthop(re, v, err))
		return -1;
	return 0;
}

/* on-match next / on-match-goto N / continue [N]. */
static int add_exit(struct rm_entry *re, const struct lyd_node *e, struct policy_err *err)
{
	const char *v;

	if (conf_value_at(e, "on-match"))
		return rm_on_match_next(re, err);
	if ((v = conf_value_at(e, "on-match-goto")))
		return rm_on_match_goto(re, conf_num(v), err);
	v = conf_value_at(e, "continue");
	if (!v || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "true"))
		return rm_on_match_next(re, err);
	return rm_on_match_goto(re, conf_num(v), err);
}

static int add_rm_entry(struct loader *l, struct route_map *rm, const struct lyd_node *e)
{
	struct policy_err err;
	struct rm_entry *re;

	re = route_map_add_entry(rm, conf_num(conf_value_at(e, "seq")), action_at(e), &err);
	if (!re || add_matches(re, conf_first_child(e, "match"), &err) ||
	    add_sets(re, conf_first_child(e, "set"), &err) || add_exit(re, e, &err))
		return engine_problem(l, e, &err);
	return 0;
}

static int build_route_maps(struct loader *l, struct policy_set *ps, const struct lyd_node *policy)
{
	const struct lyd_node *n, *e;
	int bad = 0;

	for (n = conf_first_child(policy, "route-map"); n; n = conf_next_named(n, "route-map")) {
		struct route_map *rm = policy_set_route_map(ps, conf_value_at(n, "name"));

		if (!rm)
			return -1;
		for (e = conf_first_child(n, "entry"); e; e = conf_next_named(e, "entry"))
			bad += !!add_rm_entry(l, rm, e);
	}
	return bad;
}

/* ---- references from bgp/ ---- */

/* The route-map named by leaf `path` of n, if n has that leaf; NULL otherwise. */
static const struct route_map *route_map_at(struct loader *l, const struct policy_set *ps,
					    const struct lyd_node *n, const char *path)
{
	const struct lyd_node *ref = conf_node_at(n, path);
	const struct route_map *rm;
	struct policy_err err;

	if (!ref)
		return NULL;
	rm = policy_set_find_route_map(ps, lyd_get_value(ref), &err);
	if (!rm)
		problem_node(l, ref, "%s: define it under policy/route-map", err.msg);
	return rm;
}

/*
 * A neighbor's route-map for one direction and family: its own AF-specific
 * leaf, its own all-AF leaf, then the same two of its group.
 */
static const struct route_map *session_map(struct loader *l, const struct policy_set *ps,
					   const struct lyd_node *nb, const struct lyd_node *grp,
					   const char *af, const char *dir)
{
	const struct lyd_node *level[2] = { nb, grp };
	char specific[64], general[32];

	snprintf(specific, sizeof(specific), "%s-route-map-%s", af, dir);
	snprintf(general, sizeof(general), "route-map-%s", dir);
	for (int i = 0; i < 2; i++) {
		if (conf_node_at(level[i], specific))
			return route_map_at(l, ps, level[i], specific);
		if (conf_node_at(level[i], general))
			return route_map_at(l, ps, level[i], general);
	}
	return NULL;
}

static void resolve_neighbors(struct loader *l, const struct policy_set *ps,
			      const struct lyd_node *bgp, struct conf_bgp *b)
{
	static const char *const afs[CONF_AF_COUNT] = {
		[CONF_AF_IPV4_UNICAST] = "ipv4-unicast",
		[CONF_AF_IPV6_UNICAST] = "ipv6-unicast",
	};
	const struct lyd_node *nb;
	unsigned i = 0;

	for (nb = conf_first_child(bgp, "neighbor"); nb && i < b->n_neighbors;
	     nb = conf_next_named(nb, "neighbor"), i++) {
		const struct lyd_node *grp = conf_find_group(bgp, conf_value_at(nb, "peer-group"));
		struct conf_neighbor *n = &b->neighbors[i];
		const char *soft = conf_value_at(nb, "soft-reconfiguration-inbound");

		for (int af = 0; af < CONF_AF_COUNT; af++) {
			n->route_map_in[af] = session_map(l, ps, nb, grp, afs[af], "in");
			n->route_map_out[af] = session_map(l, ps, nb, grp, afs[af], "out");
		}
		if (!soft)
			soft = conf_value_at(grp, "soft-reconfiguration-inbound");
		n->soft_reconfig_in = soft && !strcmp(soft, "true");
	}
}

static void resolve_af(struct loader *l, const struct policy_set *ps, const struct lyd_node *af,
		       struct conf_af *out)
{
	const struct lyd_node *r;
	unsigned i = 0;

	out->network_route_map = route_map_at(l, ps, af, "network-route-map");
	for (r = conf_first_child(af, "redistribute"); r && i < out->n_redistribute;
	     r = conf_next_named(r, "redistribute"), i++)
		out->redistribute[i].route_map = route_map_at(l, ps, r, "route-map");
}

int conf_convert_policy(struct loader *l, const struct lyd_node *root, struct routerd_conf *c)
{
	const struct lyd_node *policy = conf_first_child(root, "policy");
	const struct lyd_node *bgp = conf_first_child(root, "bgp");
	struct policy_err err;
	int lists, maps;

	c->policy = policy_set_new();
	if (!c->policy)
		return -1;
	lists = build_lists(l, c->policy, policy);
	maps = build_route_maps(l, c->policy, policy);
	if (lists < 0 || maps < 0)
		return -1;
	if (lists || maps)
		return 0; /* reported; the load fails */
	if (conf_edge_install(l, c) || problems_any(&l->probs))
		return 0;
	if (policy_set_build(c->policy, &err)) {
		problem_add(&l->probs, "/routerd:routerd/policy", 0, "%s: " ENGINE_FIX, err.msg);
		return 0;
	}
	conf_edge_bind(l, c);
	if (!bgp)
		return 0;
	resolve_neighbors(l, c->policy, bgp, &c->bgp);
	resolve_af(l, c->policy, conf_first_child(bgp, "ipv4-unicast"), &c->bgp.ipv4);
	resolve_af(l, c->policy, conf_first_child(bgp, "ipv6-unicast"), &c->bgp.ipv6);
	return 0;
}
