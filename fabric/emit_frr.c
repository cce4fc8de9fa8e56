/*
 * FRR config of a --frr node, the same intent as its routerd config and
 * laid out as seed 003's: interface neighbors in one peer-group with
 * extended next hop, router advertisements on every fabric port,
 * redistribute connected and maximum-paths 64, `frr defaults datacenter`.
 * (The seed's route-maps are left out: routerd's model has no route-map
 * attachment yet, and the only connected prefixes here are the loopback and
 * the host subnet, which those route-maps let through anyway.)
 */
#include <inttypes.h>

#include "fabric/emit.h"

static void emit_interfaces(const struct fab_node *n, struct buf *out)
{
	for (unsigned port = 1; port <= n->n_ports; port++)
		buf_printf(out,
			   "interface swp%u\n"
			   " ipv6 nd ra-interval %d\n"
			   " no ipv6 nd suppress-ra\n"
			   "exit\n"
			   "!\n",
			   port, FAB_RA_INTERVAL);
}

static void emit_neighbors(const struct fab_node *n, struct buf *out)
{
	buf_printf(out,
		   " neighbor %s peer-group\n"
		   " neighbor %s remote-as external\n"
		   " neighbor %s timers connect %d\n"
		   " neighbor %s capability extended-nexthop\n",
		   FAB_PEER_GROUP, FAB_PEER_GROUP, FAB_PEER_GROUP, FAB_CONNECT_RETRY,
		   FAB_PEER_GROUP);
	for (unsigned port = 1; port <= n->n_ports; port++)
		buf_printf(out, " neighbor swp%u interface peer-group %s\n", port, FAB_PEER_GROUP);
}

static void emit_af(struct buf *out, const char *af)
{
	buf_printf(out,
		   " !\n"
		   " address-family %s unicast\n"
		   "  redistribute connected\n"
		   "  neighbor %s activate\n"
		   "  maximum-paths %d\n"
		   " exit-address-family\n",
		   af, FAB_PEER_GROUP, FAB_MAX_PATHS);
}

void emit_frr(const struct fab_plan *plan, const struct fab_node *n, struct buf *out)
{
	char rid[16];

	plan_ip_fmt(n->loopback, rid, sizeof(rid));
	buf_printf(out,
		   "! %s in lab %s, planned by `fabric plan clos`\n"
		   "frr defaults datacenter\n"
		   "hostname %s\n"
		   "log timestamp precision 3\n"
		   "!\n",
		   n->name, plan->p.name, n->name);
	emit_interfaces(n, out);
	buf_printf(out,
		   "router bgp %" PRIu32 "\n"
		   " bgp router-id %s\n"
		   " bgp bestpath as-path multipath-relax\n",
		   n->asn, rid);
	emit_neighbors(n, out);
	emit_af(out, "ipv4");
	emit_af(out, "ipv6");
	buf_puts(out, "exit\n!\nend\n");
}

void emit_frr_daemons(struct buf *out)
{
	buf_puts(out, "# /etc/frr/daemons of the FRR nodes: zebra and bgpd only\n"
		      "zebra=yes\n"
		      "bgpd=yes\n"
		      "vtysh_enable=yes\n"
		      "zebra_options=\"  -A 127.0.0.1 -s 90000000\"\n"
		      "bgpd_options=\"   -A 127.0.0.1\"\n");
}
