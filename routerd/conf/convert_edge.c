/*
 * edge/azure-route-server -> struct edge_ars_conf, and its expansion: two
 * neighbors appended to bgp.neighbors (the built-in policy is installed by
 * convert_policy.c, the route-maps bound by conf_edge_bind()). The rules of
 * the block are the edge core's (edge_check()); this file only maps its
 * findings to data paths.
 */
#include "routerd/conf/conf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "routerd/bgp/wire.h" /* enum bgp_af */
#include "routerd/edge/edge.h"
#include "routerd/lib/addr.h"
#include "routerd/policy/policy_set.h"

#define EDGE_PATH "/routerd:routerd/edge/azure-route-server"

static int convert_supernets(const struct lyd_node *ars, struct edge_ars_conf *e)
{
	const struct lyd_node *n;

	e->n_supernets = conf_count_children(ars, "supernet");
	if (!e->n_supernets)
		return 0;
	e->supernets = calloc(e->n_supernets, sizeof(*e->supernets));
	if (!e->supernets)
		return -1;
	e->n_supernets = 0;
	for (n = conf_first_child(ars, "supernet"); n; n = conf_next_named(n, "supernet"))
		if (prefix_parse(lyd_get_value(n), &e->supernets[e->n_supernets]))
			e->n_supernets++;
	return 0;
}

static void convert_block(const struct lyd_node *ars, struct edge_ars_conf *e)
{
	const struct lyd_node *n;
	const char *v;
	unsigned i = 0;

	for (n = conf_first_child(ars, "peers"); n && i < 2; n = conf_next_named(n, "peers"))
		ipaddr_parse(lyd_get_value(n), &e->peers[i++]);
	if ((v = conf_value_at(ars, "max-routes")))
		e->max_routes = conf_num(v);
	if ((v = conf_value_at(ars, "role")))
		e->role = strcmp(v, "secondary") ? EDGE_ROLE_PRIMARY : EDGE_ROLE_SECONDARY;
	if ((v = conf_value_at(ars, "next-hop")))
		ipaddr_parse(v, &e->next_hop);
	if ((v = conf_value_at(ars, "conditional-advertisement")))
		e->conditional = !strcmp(v, "true");
	if ((v = conf_value_at(ars, "manage-sysctls")))
		e->manage_sysctls = !strcmp(v, "true");
	if ((v = conf_value_at(ars, "peer-subnet-length")))
		e->peer_subnet_len = (uint8_t)conf_num(v);
}

/* edge_check() names the node relative to the block ("asn" is bgp's); msg is what and the fix. */
static void edge_problem(void *ctx, const char *node, const char *msg)
{
	struct loader *l = ctx;
	char path[256], text[EDGE_TEXT_LEN * 2], *semi;

	if (!strcmp(node, "asn"))
		snprintf(path, sizeof(path), "/routerd:routerd/bgp/asn");
	else
		snprintf(path, sizeof(path), EDGE_PATH "/%s", node);
	snprintf(text, sizeof(text), "%s", msg);
	/* the loader's messages read "WHAT: FIX"; the core's separate them with "; " */
	semi = strstr(text, ": ") ? NULL : strstr(text, "; ");
	if (semi)
		*semi = ':';
	problem_add(&l->probs, path, 0, "%s", text);
}

/* A neighbor the user wrote with the address of an ARS instance would be a second session. */
static void check_clash(struct loader *l, const struct conf_bgp *b, const struct ipaddr *peer)
{
	char s[ADDR_STRLEN];

	for (unsigned i = 0; i < b->n_neighbors; i++)
		if (!b->neighbors[i].is_interface && ipaddr_equal(&b->neighbors[i].addr, peer))
			problem_add(&l->probs, EDGE_PATH "/peers", 0,
				    "%s is also configured as bgp/neighbor: remove that neighbor, "
				    "the edge role creates the session to each ARS instance",
				    ipaddr_fmt(peer, s, sizeof(s)));
}

/* A supernet is the edge role's own origination: a `network` for it would fight over the RIB. */
static void check_networks(struct loader *l, const struct routerd_conf *c)
{
	char ps[ADDR_STRLEN + 4];

	for (unsigned i = 0; i < c->edge.n_supernets; i++)
		for (unsigned k = 0; k < c->bgp.ipv4.n_networks; k++)
			if (prefix_equal(&c->edge.supernets[i], &c->bgp.ipv4.networks[k]))
				problem_add(
					&l->probs, "/routerd:routerd/bgp/ipv4-unicast/network", 0,
					"%s is also an edge supernet: remove it from network, the "
					"edge role originates it (conditionally, with a blackhole "
					"anchor)",
					prefix_fmt(&c->edge.supernets[i], ps, sizeof(ps)));
}

/* The user may extend the built-in route-maps only above the seqs the role owns. */
static void check_user_entries(struct loader *l, const struct lyd_node *root)
{
	const struct lyd_node *pol = conf_first_child(root, "policy"), *rm, *e;

	for (rm = conf_first_child(pol, "route-map"); rm; rm = conf_next_named(rm, "route-map"))
		for (e = conf_first_child(rm, "entry"); e; e = conf_next_named(e, "entry"))
			if (edge_policy_seq_reserved(conf_value_at(rm, "name"),
						     conf_num(conf_value_at(e, "seq"))))
				problem_node(l, e,
					     "seq 1-%u of route-map %s are built into the edge "
					     "role: number your entries from %u",
					     EDGE_RM_RESERVED_SEQ_MAX, conf_value_at(rm, "name"),
					     EDGE_RM_RESERVED_SEQ_MAX + 1);
}

static void fill_neighbor(const struct edge_neighbor *en, struct conf_neighbor *n)
{
	memset(n, 0, sizeof(*n));
	ipaddr_fmt(&en->addr, n->peer, sizeof(n->peer));
	n->addr = en->addr;
	snprintf(n->description, sizeof(n->description), "%s", en->description);
	n->remote_as.kind = CONF_REMOTE_AS_NUMBER;
	n->remote_as.asn = en->remote_as;
	n->timers.keepalive = en->keepalive;
	n->timers.hold = en->hold;
	n->timers.connect_retry = conf_profile_timers(CONF_PROFILE_TRADITIONAL).connect_retry;
	n->ebgp_multihop = en->ebgp_multihop;
	n->afs = BGP_AF_IPV4_UNICAST; /* en->ipv4_only */
	n->soft_reconfig_in = en->soft_reconfig_in;
	n->edge = true;
	/* en->route_refresh: routerd always offers ROUTE-REFRESH (RFC 2918) */
}

static int append_neighbors(struct conf_bgp *b, const struct edge_ars_conf *e)
{
	struct edge_neighbor en[2];
	struct conf_neighbor *v = realloc(b->neighbors, (b->n_neighbors + 2) * sizeof(*v));

	if (!v)
		return -1;
	b->neighbors = v;
	edge_neighbors(e, en);
	for (unsigned i = 0; i < 2; i++)
		fill_neighbor(&en[i], &b->neighbors[b->n_neighbors++]);
	return 0;
}

int conf_convert_edge(struct loader *l, const struct lyd_node *root, struct routerd_conf *c)
{
	const struct lyd_node *ars = conf_node_at(root, "edge/azure-route-server");

	if (!ars)
		return 0;
	c->has_edge = true;
	edge_ars_conf_init(&c->edge);
	if (convert_supernets(ars, &c->edge))
		return -1;
	convert_block(ars, &c->edge);
	if (!c->has_bgp) {
		problem_node(l, ars,
			     "the edge role needs BGP: add \"bgp\": { \"asn\": 65001 } (a "
			     "private 2-byte ASN)");
		return 0;
	}
	edge_check(&c->edge, c->bgp.asn, edge_problem, l);
	for (unsigned i = 0; i < 2; i++)
		check_clash(l, &c->bgp, &c->edge.peers[i]);
	check_user_entries(l, root);
	check_networks(l, c);
	return append_neighbors(&c->bgp, &c->edge);
}

int conf_edge_install(struct loader *l, struct routerd_conf *c)
{
	struct policy_err err;

	if (!c->has_edge || !c->has_bgp)
		return 0;
	if (edge_policy_install(c->policy, &c->edge, c->bgp.asn, &err))
		problem_add(&l->probs, EDGE_PATH, 0, "%s", err.msg);
	return 0;
}

void conf_edge_bind(struct loader *l, struct routerd_conf *c)
{
	const struct route_map *in, *out;
	struct policy_err err;

	if (!c->has_edge || !c->has_bgp)
		return;
	in = policy_set_find_route_map(c->policy, EDGE_RM_IN, &err);
	out = policy_set_find_route_map(c->policy, EDGE_RM_OUT, &err);
	if (!in || !out) {
		problem_add(&l->probs, EDGE_PATH, 0, "built-in route-maps missing: %s", err.msg);
		return;
	}
	for (unsigned i = 0; i < c->bgp.n_neighbors; i++) {
		struct conf_neighbor *n = &c->bgp.neighbors[i];

		if (!n->edge)
			continue;
		n->route_map_in[CONF_AF_IPV4_UNICAST] = in;
		n->route_map_out[CONF_AF_IPV4_UNICAST] = out;
	}
}
