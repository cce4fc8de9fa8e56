/*
 * containerlab topology: every node is kind `linux` (routerd image, FRR
 * image, or a small host image), configs bound from the planned folder
 * (paths relative to the topology file, as containerlab resolves them),
 * addresses and forwarding set by `exec` once the links exist.
 */
#include "fabric/emit.h"

static const char *node_image(const struct fab_plan *plan, const struct fab_node *n)
{
	if (n->daemon == FAB_DAEMON_FRR)
		return plan->p.frr_image;
	if (n->daemon == FAB_DAEMON_ROUTERD)
		return plan->p.image;
	return plan->p.host_image;
}

static void emit_binds(const struct fab_node *n, struct buf *out)
{
	if (n->daemon == FAB_DAEMON_NONE)
		return;
	buf_puts(out, "      binds:\n");
	if (n->daemon == FAB_DAEMON_FRR)
		buf_printf(out,
			   "        - %s/%s:/etc/frr/frr.conf\n"
			   "        - %s:/etc/frr/daemons\n",
			   n->name, FAB_FRR_FILE, FAB_DAEMONS_FILE);
	else
		buf_printf(out, "        - %s/%s:/etc/routerd/routerd.json:ro\n", n->name,
			   FAB_ROUTERD_FILE);
}

static void emit_exec(const struct fab_node *n, struct buf *out)
{
	struct fab_addr a[FAB_ADDRS_MAX];
	unsigned count = plan_node_addrs(n, a);
	char ip[16];

	buf_puts(out, "      exec:\n");
	if (plan_is_router(n))
		buf_puts(out, "        - sysctl -qw net.ipv4.ip_forward=1 "
			      "net.ipv6.conf.all.forwarding=1\n");
	for (unsigned i = 0; i < count; i++) {
		plan_ip_fmt(a[i].addr, ip, sizeof(ip));
		buf_printf(out, "        - ip addr add %s/%u dev %s\n", ip, a[i].plen, a[i].ifname);
	}
	if (n->role == FAB_HOST) {
		plan_ip_fmt(plan_host_gateway(n), ip, sizeof(ip));
		buf_printf(out, "        - ip route add %s via %s\n", FAB_HOST_ROUTE, ip);
	}
}

static void emit_node(const struct fab_plan *plan, const struct fab_node *n, struct buf *out)
{
	buf_printf(out,
		   "    %s:\n"
		   "      kind: linux\n"
		   "      image: %s\n",
		   n->name, node_image(plan, n));
	emit_binds(n, out);
	emit_exec(n, out);
}

void emit_clab(const struct fab_plan *plan, struct buf *out)
{
	buf_printf(out,
		   "# containerlab topology of lab %s (spines %u, leaves %u, borders %u, "
		   "spine ASN %s).\n"
		   "# Planned by `fabric plan clos`; deploy with `containerlab deploy -t %s`\n"
		   "# after building the routerd image: docker build -f lab/Dockerfile -t %s .\n"
		   "name: %s\n"
		   "topology:\n"
		   "  nodes:\n",
		   plan->p.name, plan->p.spines, plan->p.leaves, plan->p.borders,
		   plan_asn_mode_name(plan->p.asn_mode), FAB_CLAB_FILE, plan->p.image,
		   plan->p.name);
	for (unsigned i = 0; i < plan->n_nodes; i++)
		emit_node(plan, &plan->nodes[i], out);
	buf_puts(out, "  links:\n");
	for (unsigned i = 0; i < plan->n_links; i++) {
		const struct fab_link *l = &plan->links[i];

		buf_printf(out, "    - endpoints: [\"%s:%s\", \"%s:%s\"]\n", plan->nodes[l->a].name,
			   l->a_if, plan->nodes[l->b].name, l->b_if);
	}
}
