/*
 * show running [json]: the configuration in force after the loader
 * resolved it (profile defaults, peer-group inheritance, the edge role's
 * expansion), in FRR's `show running-config` layout so that it reads like
 * the FRR config an operator would otherwise write by hand. The edge
 * role's neighbors and built-in policy are printed in full; policy objects
 * written in the file are referred to by name (the file holds them).
 */
#include <stdio.h>
#include <string.h>

#include "routerd/bgp/wire.h"
#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/lib/json.h"
#include "routerd/policy/route_map.h"

static const char *action_name(enum policy_action a)
{
	return a == POLICY_PERMIT ? "permit" : "deny";
}

static void remote_as_text(const struct conf_remote_as *r, char *s, size_t n)
{
	if (r->kind == CONF_REMOTE_AS_EXTERNAL)
		snprintf(s, n, "external");
	else if (r->kind == CONF_REMOTE_AS_INTERNAL)
		snprintf(s, n, "internal");
	else
		snprintf(s, n, "%u", r->asn);
}

static void text_neighbor(struct buf *out, const struct conf_bgp *b, const struct conf_neighbor *n)
{
	struct conf_timers dflt = conf_profile_timers(b->profile);
	char ras[16], a[ADDR_STRLEN];

	remote_as_text(&n->remote_as, ras, sizeof(ras));
	if (n->edge)
		buf_printf(out, " ! %s: expanded from edge azure-route-server\n", n->peer);
	buf_printf(out, " neighbor %s%s remote-as %s\n", n->peer,
		   n->is_interface ? " interface" : "", ras);
	if (n->peer_group[0])
		buf_printf(out, " neighbor %s peer-group %s\n", n->peer, n->peer_group);
	if (n->description[0])
		buf_printf(out, " neighbor %s description %s\n", n->peer, n->description);
	if (n->ebgp_multihop)
		buf_printf(out, " neighbor %s ebgp-multihop %u\n", n->peer, n->ebgp_multihop);
	if (n->passive)
		buf_printf(out, " neighbor %s passive\n", n->peer);
	if (n->shutdown)
		buf_printf(out, " neighbor %s shutdown\n", n->peer);
	if (n->update_source.family)
		buf_printf(out, " neighbor %s update-source %s\n", n->peer,
			   ipaddr_fmt(&n->update_source, a, sizeof(a)));
	if (n->extended_nexthop && !n->is_interface)
		buf_printf(out, " neighbor %s capability extended-nexthop\n", n->peer);
	if (n->timers.keepalive != dflt.keepalive || n->timers.hold != dflt.hold || n->edge)
		buf_printf(out, " neighbor %s timers %u %u\n", n->peer, n->timers.keepalive,
			   n->timers.hold);
	if (n->timers.connect_retry != dflt.connect_retry)
		buf_printf(out, " neighbor %s timers connect %u\n", n->peer,
			   n->timers.connect_retry);
}

static void text_af_neighbor(struct buf *out, const struct conf_neighbor *n, uint32_t af_bit,
			     enum conf_af_index af)
{
	if (!(n->afs & af_bit)) {
		buf_printf(out, "  no neighbor %s activate\n", n->peer);
		return;
	}
	if (n->soft_reconfig_in)
		buf_printf(out, "  neighbor %s soft-reconfiguration inbound\n", n->peer);
	if (n->route_map_in[af])
		buf_printf(out, "  neighbor %s route-map %s in\n", n->peer,
			   route_map_name(n->route_map_in[af]));
	if (n->route_map_out[af])
		buf_printf(out, "  neighbor %s route-map %s out\n", n->peer,
			   route_map_name(n->route_map_out[af]));
}

static void text_af(struct buf *out, const struct routerd_conf *c, const char *name,
		    const struct conf_af *af, uint32_t af_bit, enum conf_af_index idx)
{
	char ps[ADDR_STRLEN + 4];

	buf_printf(out, " !\n address-family %s unicast\n", name);
	for (unsigned i = 0; i < af->n_networks; i++)
		buf_printf(out, "  network %s%s%s\n", prefix_fmt(&af->networks[i], ps, sizeof(ps)),
			   af->network_route_map ? " route-map " : "",
			   af->network_route_map ? route_map_name(af->network_route_map) : "");
	if (idx == CONF_AF_IPV4_UNICAST && c->has_edge)
		for (unsigned i = 0; i < c->edge.n_supernets; i++)
			buf_printf(out, "  network %s ! edge supernet: %s, blackhole anchor\n",
				   prefix_fmt(&c->edge.supernets[i], ps, sizeof(ps)),
				   c->edge.conditional ? "while an ER route lies inside"
						       : "always");
	for (unsigned i = 0; i < af->n_redistribute; i++)
		buf_printf(out, "  redistribute %s%s%s\n", af->redistribute[i].protocol,
			   af->redistribute[i].route_map ? " route-map " : "",
			   af->redistribute[i].route_map
				   ? route_map_name(af->redistribute[i].route_map)
				   : "");
	if (af->maximum_paths > 1)
		buf_printf(out, "  maximum-paths %u\n", af->maximum_paths);
	for (unsigned i = 0; i < c->bgp.n_neighbors; i++)
		text_af_neighbor(out, &c->bgp.neighbors[i], af_bit, idx);
	buf_puts(out, " exit-address-family\n");
}

static void text_edge_policy(struct buf *out, const struct routerd_conf *c)
{
	const struct edge_aspath_entry *al;
	const struct edge_rm_entry *rm;
	char a[ADDR_STRLEN];
	size_t n;

	buf_puts(out, "! edge azure-route-server: built-in policy (seed 002); extend the "
		      "route-maps from seq 11\n");
	al = edge_builtin_aspath(&n);
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "bgp as-path access-list %s seq %u %s %s\n", al[i].list, al[i].seq,
			   action_name(al[i].action), al[i].regex);
	buf_puts(out, "!\n");
	rm = edge_builtin_route_maps(&n);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "route-map %s %s %u\n", rm[i].route_map, action_name(rm[i].action),
			   rm[i].seq);
		if (rm[i].match_as_path)
			buf_printf(out, " match as-path %s\n", rm[i].match_as_path);
		if (rm[i].set_role_prepend && edge_prepend_count(c->edge.role)) {
			buf_puts(out, " set as-path prepend");
			for (unsigned k = 0; k < edge_prepend_count(c->edge.role); k++)
				buf_printf(out, " %u", c->bgp.asn);
			buf_puts(out, "\n");
		}
		if (rm[i].set_next_hop && c->edge.next_hop.family)
			buf_printf(out, " set ip next-hop %s\n",
				   ipaddr_fmt(&c->edge.next_hop, a, sizeof(a)));
		if (rm[i].on_match_next)
			buf_puts(out, " on-match next\n");
		buf_puts(out, "exit\n!\n");
	}
}

static void text_running(struct buf *out, const struct routerd_conf *c)
{
	const struct conf_bgp *b = &c->bgp;
	char rid[ADDR_STRLEN];

	buf_printf(out, "! routerd running configuration, resolved from %s\n", c->path);
	buf_printf(out, "frr defaults %s\n",
		   b->profile == CONF_PROFILE_DATACENTER ? "datacenter" : "traditional");
	buf_puts(out, "!\n");
	for (unsigned i = 0; i < c->n_interfaces; i++)
		buf_printf(out, "interface %s\n ipv6 nd ra-interval %u\nexit\n!\n",
			   c->interfaces[i].name, c->interfaces[i].ra_interval);
	if (!c->has_bgp)
		return;
	buf_printf(out, "router bgp %u\n", b->asn);
	buf_printf(out, " bgp router-id %s\n", router_id_fmt(c->router_id, rid, sizeof(rid)));
	buf_printf(out, " %sbgp ebgp-requires-policy\n", b->ebgp_requires_policy ? "" : "no ");
	if (b->listen_port != 179)
		buf_printf(out, " bgp listen port %u\n", b->listen_port);
	for (unsigned i = 0; i < b->n_groups; i++)
		buf_printf(out, " neighbor %s peer-group\n", b->groups[i].name);
	for (unsigned i = 0; i < b->n_neighbors; i++)
		text_neighbor(out, b, &b->neighbors[i]);
	text_af(out, c, "ipv4", &b->ipv4, BGP_AF_IPV4_UNICAST, CONF_AF_IPV4_UNICAST);
	text_af(out, c, "ipv6", &b->ipv6, BGP_AF_IPV6_UNICAST, CONF_AF_IPV6_UNICAST);
	buf_puts(out, "exit\n!\n");
	if (c->has_edge)
		text_edge_policy(out, c);
	buf_puts(out, "end\n");
}

/* ---- json: the same facts, one object per neighbor ---- */

static void json_neighbor(struct json *j, const struct conf_neighbor *n)
{
	char ras[16];

	remote_as_text(&n->remote_as, ras, sizeof(ras));
	json_obj_open(j);
	json_kv_str(j, "peer", n->peer);
	json_kv_bool(j, "interface", n->is_interface);
	json_kv_str(j, "remoteAs", ras);
	json_kv_str(j, "description", n->description);
	json_kv_str(j, "peerGroup", n->peer_group);
	json_kv_uint(j, "ebgpMultihop", n->ebgp_multihop);
	json_kv_uint(j, "keepalive", n->timers.keepalive);
	json_kv_uint(j, "hold", n->timers.hold);
	json_kv_bool(j, "passive", n->passive);
	json_kv_bool(j, "shutdown", n->shutdown);
	json_kv_bool(j, "ipv4Unicast", n->afs & BGP_AF_IPV4_UNICAST);
	json_kv_bool(j, "ipv6Unicast", n->afs & BGP_AF_IPV6_UNICAST);
	json_kv_bool(j, "softReconfigurationInbound", n->soft_reconfig_in);
	json_kv_bool(j, "routeRefresh", true);
	json_kv_str(j, "routeMapIn",
		    n->route_map_in[CONF_AF_IPV4_UNICAST]
			    ? route_map_name(n->route_map_in[CONF_AF_IPV4_UNICAST])
			    : "");
	json_kv_str(j, "routeMapOut",
		    n->route_map_out[CONF_AF_IPV4_UNICAST]
			    ? route_map_name(n->route_map_out[CONF_AF_IPV4_UNICAST])
			    : "");
	json_kv_bool(j, "fromEdge", n->edge);
	json_obj_close(j);
}

static void json_running(struct buf *out, const struct routerd_conf *c)
{
	char rid[ADDR_STRLEN], ps[ADDR_STRLEN + 4];
	struct json j;

	json_init(&j, out);
	json_obj_open(&j);
	json_kv_str(&j, "file", c->path);
	json_kv_str(&j, "routerId", router_id_fmt(c->router_id, rid, sizeof(rid)));
	json_kv_uint(&j, "asn", c->bgp.asn);
	json_key(&j, "neighbors");
	json_arr_open(&j);
	for (unsigned i = 0; i < c->bgp.n_neighbors; i++)
		json_neighbor(&j, &c->bgp.neighbors[i]);
	json_arr_close(&j);
	if (c->has_edge) {
		json_key(&j, "supernets");
		json_arr_open(&j);
		for (unsigned i = 0; i < c->edge.n_supernets; i++)
			json_str(&j, prefix_fmt(&c->edge.supernets[i], ps, sizeof(ps)));
		json_arr_close(&j);
	}
	json_obj_close(&j);
	buf_puts(out, "\n");
}

int show_running(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	if (json)
		json_running(out, rd->conf);
	else
		text_running(out, rd->conf);
	return 0;
}
