/*
 * What changed between two loaded configurations, apart from policy.
 *
 * Reload swaps a new policy in without touching sessions; every other kind
 * of change still needs a restart, and the operator is told which ones.
 * Policy here means the route-maps and lists, their bindings (route-map-in/
 * out, redistribute and network route-maps), soft-reconfiguration-inbound
 * and ebgp-requires-policy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "routerd/conf/conf.h"

struct diff {
	char *out;
	size_t len;
	size_t used;
	unsigned n;
};

static void note(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct diff *d, const char *fmt, ...)
{
	va_list ap;
	int w;

	d->n++;
	if (!d->out || d->used >= d->len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(d->out + d->used, d->len - d->used, fmt, ap);
	va_end(ap);
	if (w > 0)
		d->used += (size_t)w < d->len - d->used ? (size_t)w : d->len - d->used - 1;
}

static bool remote_as_equal(const struct conf_remote_as *a, const struct conf_remote_as *b)
{
	return a->kind == b->kind && (a->kind != CONF_REMOTE_AS_NUMBER || a->asn == b->asn);
}

static bool timers_equal(const struct conf_timers *a, const struct conf_timers *b)
{
	return a->keepalive == b->keepalive && a->hold == b->hold &&
	       a->connect_retry == b->connect_retry;
}

/* Everything of a neighbor that shapes its session (not its policy). */
static bool neighbor_equal(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
	return !strcmp(a->peer, b->peer) && a->is_interface == b->is_interface &&
	       ipaddr_equal(&a->addr, &b->addr) && !strcmp(a->peer_group, b->peer_group) &&
	       !strcmp(a->description, b->description) &&
	       remote_as_equal(&a->remote_as, &b->remote_as) &&
	       timers_equal(&a->timers, &b->timers) && a->passive == b->passive &&
	       a->shutdown == b->shutdown && a->ebgp_multihop == b->ebgp_multihop &&
	       a->extended_nexthop == b->extended_nexthop && a->afs == b->afs &&
	       ipaddr_equal(&a->update_source, &b->update_source);
}

static const struct conf_neighbor *find_neighbor(const struct conf_bgp *b, const char *peer)
{
	for (unsigned i = 0; i < b->n_neighbors; i++)
		if (!strcmp(b->neighbors[i].peer, peer))
			return &b->neighbors[i];
	return NULL;
}

static void diff_neighbors(const struct conf_bgp *a, const struct conf_bgp *b, struct diff *d)
{
	for (unsigned i = 0; i < a->n_neighbors; i++) {
		const struct conf_neighbor *o = &a->neighbors[i], *n = find_neighbor(b, o->peer);

		if (!n)
			note(d, "neighbor %s removed; ", o->peer);
		else if (!neighbor_equal(o, n))
			note(d, "neighbor %s changed; ", o->peer);
	}
	for (unsigned i = 0; i < b->n_neighbors; i++)
		if (!find_neighbor(a, b->neighbors[i].peer))
			note(d, "neighbor %s added; ", b->neighbors[i].peer);
}

static bool prefixes_equal(const struct conf_af *a, const struct conf_af *b)
{
	if (a->n_networks != b->n_networks)
		return false;
	for (unsigned i = 0; i < a->n_networks; i++)
		if (a->networks[i].family != b->networks[i].family ||
		    a->networks[i].len != b->networks[i].len ||
		    memcmp(a->networks[i].bytes, b->networks[i].bytes, 16))
			return false;
	return true;
}

static bool redistribute_equal(const struct conf_af *a, const struct conf_af *b)
{
	if (a->n_redistribute != b->n_redistribute)
		return false;
	for (unsigned i = 0; i < a->n_redistribute; i++)
		if (strcmp(a->redistribute[i].protocol, b->redistribute[i].protocol))
			return false;
	return true;
}

static void diff_af(const char *name, const struct conf_af *a, const struct conf_af *b,
		    struct diff *d)
{
	if (!prefixes_equal(a, b))
		note(d, "%s network list changed; ", name);
	if (!redistribute_equal(a, b))
		note(d, "%s redistribute changed; ", name);
	if (a->maximum_paths != b->maximum_paths || a->multipath_relax != b->multipath_relax)
		note(d, "%s maximum-paths or multipath-relax changed; ", name);
	if (a->network_import_check != b->network_import_check)
		note(d, "%s network-import-check changed; ", name);
}

static void diff_interfaces(const struct routerd_conf *a, const struct routerd_conf *b,
			    struct diff *d)
{
	bool same = a->n_interfaces == b->n_interfaces;

	for (unsigned i = 0; same && i < a->n_interfaces; i++)
		same = !strcmp(a->interfaces[i].name, b->interfaces[i].name) &&
		       a->interfaces[i].ra_interval == b->interfaces[i].ra_interval;
	if (!same)
		note(d, "interface list changed; ");
}

static bool supernets_equal(const struct edge_ars_conf *a, const struct edge_ars_conf *b)
{
	if (a->n_supernets != b->n_supernets)
		return false;
	for (unsigned i = 0; i < a->n_supernets; i++)
		if (a->supernets[i].len != b->supernets[i].len ||
		    memcmp(a->supernets[i].bytes, b->supernets[i].bytes, 16))
			return false;
	return true;
}

/* role and next-hop live in the built-in route-map: they are policy. */
static void diff_edge(const struct routerd_conf *a, const struct routerd_conf *b, struct diff *d)
{
	const struct edge_ars_conf *x = &a->edge, *y = &b->edge;

	if (a->has_edge != b->has_edge) {
		note(d, "edge azure-route-server %s; ", b->has_edge ? "added" : "removed");
		return;
	}
	if (!a->has_edge)
		return;
	if (!supernets_equal(x, y))
		note(d, "edge supernet list changed; ");
	if (x->max_routes != y->max_routes || x->conditional != y->conditional ||
	    x->manage_sysctls != y->manage_sysctls || x->peer_subnet_len != y->peer_subnet_len)
		note(d, "edge max-routes, conditional-advertisement or manage-sysctls changed; ");
}

unsigned conf_diff_nonpolicy(const struct routerd_conf *a, const struct routerd_conf *b, char *out,
			     size_t outlen)
{
	struct diff d = { out, outlen, 0, 0 };

	if (out && outlen)
		out[0] = '\0';
	if (a->router_id != b->router_id)
		note(&d, "router-id changed; ");
	if (a->keep_routes_on_exit != b->keep_routes_on_exit)
		note(&d, "kernel keep-routes-on-exit changed; ");
	if (a->has_bgp != b->has_bgp || a->bgp.asn != b->bgp.asn)
		note(&d, "bgp asn changed; ");
	if (a->bgp.profile != b->bgp.profile)
		note(&d, "bgp profile changed; ");
	if (a->bgp.listen_port != b->bgp.listen_port)
		note(&d, "bgp listen-port changed; ");
	diff_neighbors(&a->bgp, &b->bgp, &d);
	diff_af("ipv4-unicast", &a->bgp.ipv4, &b->bgp.ipv4, &d);
	diff_af("ipv6-unicast", &a->bgp.ipv6, &b->bgp.ipv6, &d);
	diff_interfaces(a, b, &d);
	diff_edge(a, b, &d);
	/* "; " separators: drop the last one */
	if (out && d.used >= 2 && out[d.used - 2] == ';')
		out[d.used - 2] = '\0';
	return d.n;
}
