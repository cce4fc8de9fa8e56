/*
 * routerd config of one router: only the router-id and the ASN differ
 * between nodes; every fabric port is an unnumbered neighbor in the
 * "fabric" peer-group (remote-as external), with router advertisements,
 * connected routes redistributed (loopback, and the host subnet on leaves)
 * and ECMP over up to 64 paths.
 */
#include <inttypes.h>

#include "fabric/emit.h"

/* The node at the other end of router n's fabric port swp<port>. */
static const struct fab_node *port_peer(const struct fab_plan *plan, const struct fab_node *n,
					unsigned port)
{
	const struct fab_node *base = plan->nodes;

	if (n->role == FAB_SPINE)
		return &base[plan->p.spines + port - 1];
	return &base[port - 1];
}

static void emit_neighbors(const struct fab_plan *plan, const struct fab_node *n, struct buf *out)
{
	buf_puts(out, "      \"neighbor\": [\n");
	for (unsigned port = 1; port <= n->n_ports; port++)
		buf_printf(out,
			   "        { \"peer\": \"swp%u\", \"peer-group\": \"%s\", "
			   "\"description\": \"%s\" }%s\n",
			   port, FAB_PEER_GROUP, port_peer(plan, n, port)->name,
			   port < n->n_ports ? "," : "");
	buf_puts(out, "      ],\n");
}

static void emit_af(struct buf *out, const char *af, bool last)
{
	buf_printf(out,
		   "      \"%s\": {\n"
		   "        \"redistribute\": [ { \"protocol\": \"connected\" } ],\n"
		   "        \"maximum-paths\": %d\n"
		   "      }%s\n",
		   af, FAB_MAX_PATHS, last ? "" : ",");
}

static void emit_interfaces(const struct fab_node *n, struct buf *out)
{
	buf_puts(out, "    \"interface\": [\n");
	for (unsigned port = 1; port <= n->n_ports; port++)
		buf_printf(out, "      { \"name\": \"swp%u\", \"ra-interval\": %d }%s\n", port,
			   FAB_RA_INTERVAL, port < n->n_ports ? "," : "");
	buf_puts(out, "    ]\n");
}

void emit_routerd(const struct fab_plan *plan, const struct fab_node *n, struct buf *out)
{
	char rid[16];

	plan_ip_fmt(n->loopback, rid, sizeof(rid));
	buf_printf(out,
		   "{\n"
		   "  \"routerd:routerd\": {\n"
		   "    \"router-id\": \"%s\",\n"
		   "    \"bgp\": {\n"
		   "      \"asn\": %" PRIu32 ",\n"
		   "      \"profile\": \"datacenter\",\n"
		   "      \"peer-group\": [\n"
		   "        { \"name\": \"%s\", \"remote-as\": \"external\", "
		   "\"timers\": { \"connect-retry\": %d } }\n"
		   "      ],\n",
		   rid, n->asn, FAB_PEER_GROUP, FAB_CONNECT_RETRY);
	emit_neighbors(plan, n, out);
	emit_af(out, "ipv4-unicast", false);
	emit_af(out, "ipv6-unicast", true);
	buf_puts(out, "    },\n");
	emit_interfaces(n, out);
	buf_puts(out, "  }\n}\n");
}
