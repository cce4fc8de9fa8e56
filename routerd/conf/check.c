/*
 * Semantic checks on the parsed tree, before libyang validates it, and the
 * rules that only make sense once inheritance is resolved (check_resolved(),
 * called by the conversion). Every instance of every problem is reported.
 */
#include "routerd/conf/conf_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "routerd/lib/addr.h"

/* Same text as the error-message of the neighbor's must in routerd.yang. */
#define NO_REMOTE_AS "no remote-as: set \"remote-as\" on the neighbor or its peer-group"

void problem_node(struct loader *l, const struct lyd_node *n, const char *fmt, ...)
{
	char *path = lyd_path(n, LYD_PATH_STD, NULL, 0);
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(&l->probs, path, 0, fmt, ap);
	va_end(ap);
	free(path);
}

static bool has_instance(const struct lyd_node *parent, const struct lysc_node *sn)
{
	for (const struct lyd_node *c = lyd_child(parent); c; c = c->next)
		if (c->schema == sn)
			return true;
	return false;
}

/*
 * Reports the mandatory leaves under schema node parent_sn at path. data is
 * its instance, or NULL when the (non-presence) container is absent.
 */
static void report_missing(struct loader *l, const char *path, const struct lyd_node *data,
			   const struct lysc_node *parent_sn)
{
	const struct lysc_node *sn = NULL;
	char *sub;

	while ((sn = lys_getnext(sn, parent_sn, NULL, 0))) {
		if (!(sn->flags & LYS_MAND_TRUE) || (sn->flags & LYS_KEY))
			continue;
		if (data && has_instance(data, sn))
			continue;
		if (asprintf(&sub, "%s/%s", path, sn->name) < 0) {
			l->probs.oom = true;
			return;
		}
		if (sn->nodetype == LYS_CONTAINER)
			report_missing(l, sub, NULL, sn);
		else
			conf_add_missing(l, sub, sn);
		free(sub);
	}
}

/*
 * libyang would report only the first missing mandatory node; walking the
 * tree ourselves lists them all.
 */
static void check_mandatory(struct loader *l, const struct lyd_node *n)
{
	char *path = lyd_path(n, LYD_PATH_STD, NULL, 0);

	if (path)
		report_missing(l, path, n, n->schema);
	free(path);
	for (const struct lyd_node *c = lyd_child(n); c; c = c->next)
		if (c->schema && (c->schema->nodetype & (LYS_CONTAINER | LYS_LIST)))
			check_mandatory(l, c);
}

/* The routerd container; anything else at the top level is reported. */
const struct lyd_node *conf_find_root(struct loader *l)
{
	const struct lyd_node *n, *root = NULL;

	for (n = l->tree ? lyd_first_sibling(l->tree) : NULL; n; n = n->next) {
		if (n->schema && n->schema->module == l->mod && conf_named(n, "routerd"))
			root = n;
		else
			problem_add(&l->probs, "/", 0,
				    "unexpected top-level node \"%s\": a routerd file holds only "
				    "\"routerd:routerd\"",
				    LYD_NAME(n));
	}
	return root;
}

/* Digits and dots only: meant as an IPv4 address, not as an interface name. */
static bool looks_ipv4(const char *s)
{
	return strchr(s, '.') && strspn(s, "0123456789.") == strlen(s);
}

static void check_peer(struct loader *l, const struct lyd_node *nb)
{
	const char *peer = conf_value_at(nb, "peer");
	struct ipaddr a;

	if (!peer)
		return;
	if (ipaddr_parse(peer, &a)) {
		if (ipaddr_is_v6_linklocal(&a))
			problem_node(l, nb,
				     "peer %s is a link-local address: name the interface instead, "
				     "and routerd learns the address from router advertisements",
				     peer);
		return;
	}
	/* The YANG union accepts it as an interface name; it is a mistyped address. */
	if (looks_ipv4(peer))
		problem_node(
			l, nb,
			"peer \"%s\" is neither an IPv4 address nor an interface name: write an "
			"address such as 192.0.2.1, an IPv6 address or an interface name",
			peer);
}

static void check_group_ref(struct loader *l, const struct lyd_node *bgp, const struct lyd_node *nb)
{
	const struct lyd_node *ref = conf_node_at(nb, "peer-group");

	if (ref && !conf_find_group(bgp, lyd_get_value(ref)))
		problem_node(l, ref, UNDEFINED_REF, "peer-group", lyd_get_value(ref),
			     "bgp/peer-group");
}

static void check_remote_as(struct loader *l, const struct lyd_node *bgp, const struct lyd_node *nb)
{
	const char *pg = conf_value_at(nb, "peer-group");
	const struct lyd_node *grp = conf_find_group(bgp, pg);

	if (conf_node_at(nb, "remote-as") || conf_node_at(grp, "remote-as"))
		return;
	if (pg && !grp)
		return; /* reported as an undefined peer-group */
	problem_node(l, nb, NO_REMOTE_AS);
}

static bool same_peer(const char *x, const char *y)
{
	struct ipaddr a, b;

	if (ipaddr_parse(x, &a) && ipaddr_parse(y, &b))
		return ipaddr_equal(&a, &b);
	return !strcmp(x, y);
}

/* Compares addresses by value: "2001:DB8:0::2" is "2001:db8::2". */
static void check_duplicate_peers(struct loader *l, const struct lyd_node *bgp)
{
	const struct lyd_node *a, *b;

	for (a = conf_first_child(bgp, "neighbor"); a; a = conf_next_named(a, "neighbor")) {
		const char *pa = conf_value_at(a, "peer");

		for (b = conf_first_child(bgp, "neighbor"); pa && b != a;
		     b = conf_next_named(b, "neighbor")) {
			const char *pb = conf_value_at(b, "peer");

			if (pb && same_peer(pa, pb)) {
				problem_node(l, a,
					     "neighbor %s is configured twice: keep one entry "
					     "(addresses are compared by value, however written)",
					     pa);
				break;
			}
		}
	}
}

static void check_networks(struct loader *l, const struct lyd_node *af)
{
	const struct lyd_node *n;
	char fixed[ADDR_STRLEN + 4];
	struct prefix p;

	for (n = conf_first_child(af, "network"); n; n = conf_next_named(n, "network")) {
		const char *v = lyd_get_value(n);

		if (!prefix_parse(v, &p))
			problem_node(l, n, "invalid prefix \"%s\": write ADDRESS/LENGTH", v);
		else if (!prefix_normalize(&p))
			problem_node(l, n, "prefix %s has host bits set: write %s", v,
				     prefix_fmt(&p, fixed, sizeof(fixed)));
	}
}

static void check_bgp(struct loader *l, const struct lyd_node *bgp)
{
	const struct lyd_node *nb;

	for (nb = conf_first_child(bgp, "neighbor"); nb; nb = conf_next_named(nb, "neighbor")) {
		check_peer(l, nb);
		check_group_ref(l, bgp, nb);
		check_remote_as(l, bgp, nb);
	}
	check_duplicate_peers(l, bgp);
	check_networks(l, conf_first_child(bgp, "ipv4-unicast"));
	check_networks(l, conf_first_child(bgp, "ipv6-unicast"));
}

void check_tree(struct loader *l)
{
	const struct lyd_node *root = conf_find_root(l);
	const struct lysc_node *root_sn;

	if (!root) {
		root_sn = conf_schema_at(l, "/routerd:routerd");
		if (root_sn)
			report_missing(l, "/routerd:routerd", NULL, root_sn);
		return;
	}
	check_mandatory(l, root);
	check_bgp(l, conf_first_child(root, "bgp"));
	check_policy(l, root);
}

/* Rules that only make sense once inheritance is resolved. */
void check_resolved(struct loader *l, const struct lyd_node *nb, const struct conf_neighbor *n)
{
	const struct conf_timers *t = &n->timers;

	if (t->hold && (t->keepalive == 0 || t->keepalive >= t->hold))
		problem_node(l, nb,
			     "keepalive %u does not fit hold %u (after peer-group and profile "
			     "defaults): set timers/keepalive between 1 and hold - 1, usually "
			     "a third of hold",
			     t->keepalive, t->hold);
	if (!n->afs)
		problem_node(l, nb,
			     "no address family enabled: set address-family/ipv4-unicast or "
			     "ipv6-unicast to true");
}
