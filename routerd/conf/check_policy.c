/*
 * Semantic checks of policy/ and of every reference to a policy object,
 * run on the parsed tree before libyang validates it (as check.c), so that
 * every instance of every problem is reported, each at its own data path:
 *   - a route-map, prefix-list, AS-path list or community-list named but
 *     not defined (libyang's leafref check would stop at the first);
 *   - a regex that does not compile, checked with the engine's own
 *     translation of FRR's dialect, so what loads is what runs;
 *   - prefix-list entries: host bits, ge/le against the prefix length,
 *     the family's maximum and each other, ge/le on "any";
 *   - community and large-community values, "+N"/"-N" ranges, ASNs of
 *     as-path-prepend.
 */
#include "routerd/conf/conf_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "routerd/lib/addr.h"
#include "routerd/policy/aspath_regex.h"
#include "routerd/policy/community_list.h"

#define POLICY_DOCS "see docs/policy.md"

/* ---- references ---- */

/* A leaf naming an object of kind `list` (prefix-list, route-map...) under policy. */
static void check_ref(struct loader *l, const struct lyd_node *policy, const struct lyd_node *ref,
		      const char *list)
{
	char where[64];
	const char *v;

	if (!ref)
		return;
	v = lyd_get_value(ref);
	if (conf_find_by_name(policy, list, v))
		return;
	snprintf(where, sizeof(where), "policy/%s", list);
	problem_node(l, ref, UNDEFINED_REF, list, v, where);
}

static void check_ref_at(struct loader *l, const struct lyd_node *policy,
			 const struct lyd_node *parent, const char *path, const char *list)
{
	check_ref(l, policy, conf_node_at(parent, path), list);
}

/* The route-map leaves of a neighbor or peer-group. */
static const char *const session_maps[] = {
	"route-map-in",
	"route-map-out",
	"ipv4-unicast-route-map-in",
	"ipv4-unicast-route-map-out",
	"ipv6-unicast-route-map-in",
	"ipv6-unicast-route-map-out",
};

static void check_session_refs(struct loader *l, const struct lyd_node *policy,
			       const struct lyd_node *bgp, const char *list)
{
	const struct lyd_node *n;

	for (n = conf_first_child(bgp, list); n; n = conf_next_named(n, list))
		for (size_t i = 0; i < sizeof(session_maps) / sizeof(session_maps[0]); i++)
			check_ref_at(l, policy, n, session_maps[i], "route-map");
}

static void check_af_refs(struct loader *l, const struct lyd_node *policy,
			  const struct lyd_node *af)
{
	const struct lyd_node *r;

	check_ref_at(l, policy, af, "network-route-map", "route-map");
	for (r = conf_first_child(af, "redistribute"); r; r = conf_next_named(r, "redistribute"))
		check_ref_at(l, policy, r, "route-map", "route-map");
}

static void check_bgp_refs(struct loader *l, const struct lyd_node *policy,
			   const struct lyd_node *bgp)
{
	if (!bgp)
		return;
	check_session_refs(l, policy, bgp, "peer-group");
	check_session_refs(l, policy, bgp, "neighbor");
	check_af_refs(l, policy, conf_first_child(bgp, "ipv4-unicast"));
	check_af_refs(l, policy, conf_first_child(bgp, "ipv6-unicast"));
}

/* ---- values ---- */

/* Compiled exactly as the engine will compile it. */
static void check_regex(struct loader *l, const struct lyd_node *n)
{
	struct policy_regex rx;
	struct policy_err err;
	const char *why;

	if (!n)
		return;
	if (!policy_regex_init(&rx, lyd_get_value(n), "regex", &err)) {
		policy_regex_free(&rx);
		return;
	}
	why = strstr(err.msg, "bad regular expression");
	problem_node(l, n,
		     "%s: write a POSIX extended regular expression where _ stands for a "
		     "delimiter (FRR's dialect); " POLICY_DOCS,
		     why ? why : err.msg);
}

static void check_communities(struct loader *l, const struct lyd_node *parent)
{
	const struct lyd_node *n;
	uint32_t v;

	for (n = conf_first_child(parent, "community"); n; n = conf_next_named(n, "community"))
		if (!community_parse(lyd_get_value(n), &v))
			problem_node(l, n,
				     "invalid community \"%s\": write AA:NN (each 0..65535), a "
				     "number in 0..4294967295 or a well-known name such as "
				     "no-export; " POLICY_DOCS,
				     lyd_get_value(n));
}

static void check_large_communities(struct loader *l, const struct lyd_node *parent)
{
	const struct lyd_node *n;
	struct lcommunity v;

	for (n = conf_first_child(parent, "large-community"); n;
	     n = conf_next_named(n, "large-community"))
		if (!lcommunity_parse(lyd_get_value(n), &v))
			problem_node(l, n,
				     "invalid large community \"%s\": write GLOBAL:LOCAL1:LOCAL2, "
				     "each 0..4294967295",
				     lyd_get_value(n));
}

/* "123" in 0..max; YANG patterns have already made sure of the digits. */
static bool digits_in_range(const char *s, unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!*s || strlen(s) > 20)
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return !errno && !*end && v >= min && v <= max;
}

/* set/local-preference, set/metric: a number (range-checked by YANG) or "+N" / "-N". */
static void check_adjustable(struct loader *l, const struct lyd_node *set, const char *leaf)
{
	const struct lyd_node *n = conf_node_at(set, leaf);
	const char *v = n ? lyd_get_value(n) : NULL;

	if (v && (v[0] == '+' || v[0] == '-') && !digits_in_range(v + 1, 0, UINT32_MAX))
		problem_node(l, n,
			     "%s change \"%s\" is out of range: write +N or -N with N in "
			     "0..4294967295",
			     leaf, v);
}

/* "65001 65001": each ASN in 1..4294967295 (YANG checked the shape). */
static void check_prepend(struct loader *l, const struct lyd_node *set)
{
	const struct lyd_node *n = conf_node_at(set, "as-path-prepend");
	char buf[1024], *tok, *save;

	if (!n)
		return;
	snprintf(buf, sizeof(buf), "%s", lyd_get_value(n));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!digits_in_range(tok, 1, UINT32_MAX)) {
			problem_node(l, n,
				     "AS number %s in as-path-prepend is out of range: each must "
				     "be in 1..4294967295",
				     tok);
			return;
		}
	}
}

/* ---- prefix-lists ---- */

static unsigned len_at(const struct lyd_node *n)
{
	return n ? conf_num(lyd_get_value(n)) : 0;
}

static void check_length(struct loader *l, const struct lyd_node *n, const char *what,
			 const struct prefix *p, const char *text, unsigned max)
{
	unsigned v = len_at(n);

	if (!n)
		return;
	if (v < p->len)
		problem_node(l, n,
			     "%s %u is shorter than the prefix length %u of %s: set %s between %u "
			     "and %u, or remove it",
			     what, v, p->len, text, what, p->len, max);
	else if (v > max)
		problem_node(l, n,
			     "%s %u is longer than an %s prefix can be: set %s between %u and %u, "
			     "or remove it",
			     what, v, p->family == AF_INET ? "IPv4" : "IPv6", what, p->len, max);
}

static void check_pl_entry(struct loader *l, const struct lyd_node *e)
{
	const struct lyd_node *pn = conf_node_at(e, "prefix");
	const struct lyd_node *ge = conf_node_at(e, "ge"), *le = conf_node_at(e, "le");
	char fixed[ADDR_STRLEN + 4];
	const char *text;
	struct prefix p;
	unsigned max;

	if (!pn)
		return; /* reported as missing */
	text = lyd_get_value(pn);
	if (!strcmp(text, "any")) {
		if (ge)
			problem_node(l, ge,
				     "ge does not apply to \"any\", which covers every length: "
				     "remove ge, or write a prefix such as 0.0.0.0/0 with ge");
		if (le)
			problem_node(l, le,
				     "le does not apply to \"any\", which covers every length: "
				     "remove le, or write a prefix such as 0.0.0.0/0 with le");
		return;
	}
	if (!prefix_parse(text, &p)) {
		problem_node(l, pn, "invalid prefix \"%s\": write ADDRESS/LENGTH or \"any\"", text);
		return;
	}
	if (!prefix_normalize(&p))
		problem_node(l, pn, "prefix %s has host bits set: write %s", text,
			     prefix_fmt(&p, fixed, sizeof(fixed)));
	max = p.family == AF_INET ? 32 : 128;
	check_length(l, ge, "ge", &p, text, max);
	check_length(l, le, "le", &p, text, max);
	if (ge && le && len_at(le) < len_at(ge) && len_at(le) >= p.len && len_at(ge) <= max)
		problem_node(l, le,
			     "le %u is less than ge %u: set le between %u and %u, or remove it",
			     len_at(le), len_at(ge), len_at(ge), max);
}

/* ---- the lists and route-maps ---- */

static void check_lists(struct loader *l, const struct lyd_node *policy)
{
	const struct lyd_node *list, *e;

	for (list = conf_first_child(policy, "prefix-list"); list;
	     list = conf_next_named(list, "prefix-list"))
		for (e = conf_first_child(list, "entry"); e; e = conf_next_named(e, "entry"))
			check_pl_entry(l, e);
	for (list = conf_first_child(policy, "as-path-list"); list;
	     list = conf_next_named(list, "as-path-list"))
		for (e = conf_first_child(list, "entry"); e; e = conf_next_named(e, "entry"))
			check_regex(l, conf_node_at(e, "regex"));
	for (list = conf_first_child(policy, "community-list"); list;
	     list = conf_next_named(list, "community-list")) {
		for (e = conf_first_child(list, "entry"); e; e = conf_next_named(e, "entry")) {
			check_communities(l, e);
			check_regex(l, conf_node_at(e, "regex"));
		}
	}
	for (list = conf_first_child(policy, "large-community-list"); list;
	     list = conf_next_named(list, "large-community-list")) {
		for (e = conf_first_child(list, "entry"); e; e = conf_next_named(e, "entry")) {
			check_large_communities(l, e);
			check_regex(l, conf_node_at(e, "regex"));
		}
	}
}

static void check_rm_entry(struct loader *l, const struct lyd_node *policy,
			   const struct lyd_node *e)
{
	const struct lyd_node *match = conf_first_child(e, "match");
	const struct lyd_node *set = conf_first_child(e, "set");

	check_ref_at(l, policy, match, "prefix-list", "prefix-list");
	check_ref_at(l, policy, match, "next-hop-prefix-list", "prefix-list");
	check_ref_at(l, policy, match, "as-path", "as-path-list");
	check_ref_at(l, policy, match, "community", "community-list");
	check_ref_at(l, policy, match, "large-community", "large-community-list");
	check_ref_at(l, policy, set, "community-delete", "community-list");
	check_ref_at(l, policy, set, "large-community-delete", "large-community-list");
	check_adjustable(l, set, "local-preference");
	check_adjustable(l, set, "metric");
	check_prepend(l, set);
	check_communities(l, set);
	check_large_communities(l, set);
}

void check_policy(struct loader *l, const struct lyd_node *root)
{
	const struct lyd_node *policy = conf_first_child(root, "policy");
	const struct lyd_node *rm, *e;

	check_lists(l, policy);
	for (rm = conf_first_child(policy, "route-map"); rm; rm = conf_next_named(rm, "route-map"))
		for (e = conf_first_child(rm, "entry"); e; e = conf_next_named(e, "entry"))
			check_rm_entry(l, policy, e);
	check_bgp_refs(l, policy, conf_first_child(root, "bgp"));
}
