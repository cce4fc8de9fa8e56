/*
 * Conversion of the validated tree (defaults filled in) into the plain
 * structs of conf.h, resolving peer-group inheritance and the profile's
 * defaults.
 */
#include "routerd/conf/conf_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "routerd/bgp/wire.h" /* enum bgp_af */
#include "routerd/lib/addr.h"

/* A neighbor's setting: its own value, else its group's, else NULL. */
static const char *inherited(const struct lyd_node *nb, const struct lyd_node *grp,
			     const char *path)
{
	const char *v = conf_value_at(nb, path);

	return v ? v : conf_value_at(grp, path);
}

static bool inherited_bool(const struct lyd_node *nb, const struct lyd_node *grp, const char *path,
			   bool dflt)
{
	const char *v = inherited(nb, grp, path);

	return v ? !strcmp(v, "true") : dflt;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static struct conf_remote_as parse_remote_as(const char *v)
{
	struct conf_remote_as r = { .kind = CONF_REMOTE_AS_UNSET };

	if (!v)
		return r;
	if (!strcmp(v, "external")) {
		r.kind = CONF_REMOTE_AS_EXTERNAL;
	} else if (!strcmp(v, "internal")) {
		r.kind = CONF_REMOTE_AS_INTERNAL;
	} else {
		r.kind = CONF_REMOTE_AS_NUMBER;
		r.asn = conf_num(v);
	}
	return r;
}

/* Each timer on its own: neighbor, then group, then profile. */
static struct conf_timers resolve_timers(const struct lyd_node *nb, const struct lyd_node *grp,
					 enum conf_profile profile)
{
	struct conf_timers t = conf_profile_timers(profile);
	const char *keepalive = inherited(nb, grp, "timers/keepalive");
	const char *hold = inherited(nb, grp, "timers/hold");
	const char *retry = inherited(nb, grp, "timers/connect-retry");

	if (hold) {
		t.hold = (uint16_t)conf_num(hold);
		t.keepalive = t.hold / 3; /* RFC 4271's suggested ratio, unless set below */
	}
	if (keepalive)
		t.keepalive = (uint16_t)conf_num(keepalive);
	if (retry)
		t.connect_retry = (uint16_t)conf_num(retry);
	return t;
}

/* IPv4 unicast by default; IPv6 unicast too where the session runs over IPv6. */
static uint32_t resolve_afs(const struct lyd_node *nb, const struct lyd_node *grp,
			    const struct conf_neighbor *n)
{
	bool v6_default = n->is_interface || n->addr.family == AF_INET6;
	uint32_t afs = 0;

	if (inherited_bool(nb, grp, "address-family/ipv4-unicast", true))
		afs |= BGP_AF_IPV4_UNICAST;
	if (inherited_bool(nb, grp, "address-family/ipv6-unicast", v6_default))
		afs |= BGP_AF_IPV6_UNICAST;
	return afs;
}

static void convert_neighbor(struct loader *l, const struct lyd_node *bgp,
			     const struct lyd_node *nb, enum conf_profile profile,
			     struct conf_neighbor *n)
{
	const char *pg = conf_value_at(nb, "peer-group");
	const struct lyd_node *grp = conf_find_group(bgp, pg);
	const char *src;

	copy_str(n->peer, sizeof(n->peer), conf_value_at(nb, "peer"));
	n->is_interface = !ipaddr_parse(n->peer, &n->addr);
	copy_str(n->peer_group, sizeof(n->peer_group), pg);
	copy_str(n->description, sizeof(n->description), conf_value_at(nb, "description"));
	n->remote_as = parse_remote_as(inherited(nb, grp, "remote-as"));
	n->timers = resolve_timers(nb, grp, profile);
	n->passive = inherited_bool(nb, grp, "passive", false);
	n->shutdown = inherited_bool(nb, grp, "shutdown", false);
	n->ebgp_multihop = (uint8_t)conf_num(inherited(nb, grp, "ebgp-multihop"));
	n->extended_nexthop = inherited_bool(nb, grp, "extended-nexthop", n->is_interface);
	n->afs = resolve_afs(nb, grp, n);
	src = inherited(nb, grp, "update-source");
	if (src)
		ipaddr_parse(src, &n->update_source);
	check_resolved(l, nb, n);
}

static int convert_neighbors(struct loader *l, const struct lyd_node *bgp, struct conf_bgp *b)
{
	const struct lyd_node *nb;
	unsigned i = 0;

	b->n_neighbors = conf_count_children(bgp, "neighbor");
	if (!b->n_neighbors)
		return 0;
	b->neighbors = calloc(b->n_neighbors, sizeof(*b->neighbors));
	if (!b->neighbors)
		return -1;
	for (nb = conf_first_child(bgp, "neighbor"); nb; nb = conf_next_named(nb, "neighbor"))
		convert_neighbor(l, bgp, nb, b->profile, &b->neighbors[i++]);
	return 0;
}

static int convert_groups(const struct lyd_node *bgp, struct conf_bgp *b)
{
	const struct lyd_node *g;
	unsigned i = 0;

	b->n_groups = conf_count_children(bgp, "peer-group");
	if (!b->n_groups)
		return 0;
	b->groups = calloc(b->n_groups, sizeof(*b->groups));
	if (!b->groups)
		return -1;
	for (g = conf_first_child(bgp, "peer-group"); g;
	     g = conf_next_named(g, "peer-group"), i++) {
		copy_str(b->groups[i].name, sizeof(b->groups[i].name), conf_value_at(g, "name"));
		b->groups[i].remote_as = parse_remote_as(conf_value_at(g, "remote-as"));
	}
	return 0;
}

static int convert_networks(const struct lyd_node *af, struct conf_af *out)
{
	const struct lyd_node *n;
	unsigned i = 0;

	out->n_networks = conf_count_children(af, "network");
	if (!out->n_networks)
		return 0;
	out->networks = calloc(out->n_networks, sizeof(*out->networks));
	if (!out->networks)
		return -1;
	for (n = conf_first_child(af, "network"); n; n = conf_next_named(n, "network"))
		prefix_parse(lyd_get_value(n), &out->networks[i++]);
	return 0;
}

static int convert_redistribute(const struct lyd_node *af, struct conf_af *out)
{
	const struct lyd_node *r;
	unsigned i = 0;

	out->n_redistribute = conf_count_children(af, "redistribute");
	if (!out->n_redistribute)
		return 0;
	out->redistribute = calloc(out->n_redistribute, sizeof(*out->redistribute));
	if (!out->redistribute)
		return -1;
	for (r = conf_first_child(af, "redistribute"); r;
	     r = conf_next_named(r, "redistribute"), i++)
		copy_str(out->redistribute[i].protocol, sizeof(out->redistribute[i].protocol),
			 conf_value_at(r, "protocol"));
	return 0;
}

static bool bool_at(const struct lyd_node *n, const char *path, bool dflt)
{
	const char *v = conf_value_at(n, path);

	return v ? !strcmp(v, "true") : dflt;
}

static int convert_af(const struct lyd_node *af, enum conf_profile profile, struct conf_af *out)
{
	const char *mp = conf_value_at(af, "maximum-paths");

	out->maximum_paths = mp ? (uint8_t)conf_num(mp) : 1;
	/* multipath-relax has no YANG default: it follows the profile, as FRR's defaults do. */
	out->multipath_relax = bool_at(af, "multipath-relax", profile == CONF_PROFILE_DATACENTER);
	out->network_import_check = bool_at(af, "network-import-check", true);
	if (convert_networks(af, out) || convert_redistribute(af, out))
		return -1;
	return 0;
}

static int convert_bgp(struct loader *l, const struct lyd_node *bgp, struct conf_bgp *b)
{
	const char *profile = conf_value_at(bgp, "profile");

	b->asn = conf_num(conf_value_at(bgp, "asn"));
	b->profile = profile && !strcmp(profile, "datacenter") ? CONF_PROFILE_DATACENTER
							       : CONF_PROFILE_TRADITIONAL;
	b->listen_port = (uint16_t)conf_num(conf_value_at(bgp, "listen-port"));
	/* No YANG default: RFC 8212 behaviour follows the profile, as FRR's defaults do. */
	b->ebgp_requires_policy =
		bool_at(bgp, "ebgp-requires-policy", b->profile == CONF_PROFILE_TRADITIONAL);
	if (convert_groups(bgp, b) || convert_neighbors(l, bgp, b))
		return -1;
	if (convert_af(conf_first_child(bgp, "ipv4-unicast"), b->profile, &b->ipv4) ||
	    convert_af(conf_first_child(bgp, "ipv6-unicast"), b->profile, &b->ipv6))
		return -1;
	return 0;
}

/* ra-interval has no YANG default because it depends on the profile. */
static int convert_interfaces(const struct lyd_node *root, enum conf_profile profile,
			      struct routerd_conf *c)
{
	const struct lyd_node *ifn;
	unsigned i = 0;

	c->n_interfaces = conf_count_children(root, "interface");
	if (!c->n_interfaces)
		return 0;
	c->interfaces = calloc(c->n_interfaces, sizeof(*c->interfaces));
	if (!c->interfaces)
		return -1;
	for (ifn = conf_first_child(root, "interface"); ifn;
	     ifn = conf_next_named(ifn, "interface"), i++) {
		const char *ra = conf_value_at(ifn, "ra-interval");

		copy_str(c->interfaces[i].name, sizeof(c->interfaces[i].name),
			 conf_value_at(ifn, "name"));
		c->interfaces[i].ra_interval =
			ra ? (uint16_t)conf_num(ra) : conf_profile_ra_interval(profile);
	}
	return 0;
}

struct routerd_conf *conf_convert(struct loader *l)
{
	const struct lyd_node *root = conf_find_root(l), *bgp;
	struct routerd_conf *c = calloc(1, sizeof(*c));
	struct in_addr rid = { 0 };
	const char *rid_text;

	if (!c || !root || !(c->path = strdup(l->file)))
		goto fail;
	rid_text = conf_value_at(root, "router-id");
	if (rid_text)
		inet_pton(AF_INET, rid_text, &rid);
	c->router_id = ntohl(rid.s_addr);
	rid_text = conf_value_at(root, "kernel/keep-routes-on-exit");
	c->keep_routes_on_exit = rid_text && !strcmp(rid_text, "true");
	bgp = conf_first_child(root, "bgp");
	c->has_bgp = bgp != NULL;
	c->bgp.profile = CONF_PROFILE_TRADITIONAL;
	if (bgp && convert_bgp(l, bgp, &c->bgp))
		goto fail;
	if (conf_convert_edge(l, root, c))
		goto fail;
	if (convert_interfaces(root, c->bgp.profile, c))
		goto fail;
	if (conf_convert_policy(l, root, c))
		goto fail;
	return c;
fail:
	if (!problems_any(&l->probs))
		l->probs.oom = true;
	conf_free(c);
	return NULL;
}
