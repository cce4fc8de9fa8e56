/*
 * plan.json: the parameters the plan was made from (what `fabric up` reads
 * back and re-plans from) followed by everything derived from them, for
 * people and tools: namespaces, ASNs, addresses, configs and links.
 */
#include <inttypes.h>

#include "fabric/emit.h"

bool emit_has_frr(const struct fab_plan *plan)
{
	for (unsigned i = 0; i < plan->n_nodes; i++)
		if (plan->nodes[i].daemon == FAB_DAEMON_FRR)
			return true;
	return false;
}

static void emit_frr_list(const struct fab_plan *plan, struct buf *out)
{
	bool first = true;

	buf_puts(out, "  \"frr\": [");
	for (unsigned i = 0; i < plan->n_nodes; i++) {
		if (plan->nodes[i].daemon != FAB_DAEMON_FRR)
			continue;
		buf_printf(out, "%s\"%s\"", first ? " " : ", ", plan->nodes[i].name);
		first = false;
	}
	buf_puts(out, first ? "],\n" : " ],\n");
}

static void emit_params(const struct fab_plan *plan, struct buf *out)
{
	const struct fab_params *p = &plan->p;

	buf_printf(out,
		   "{\n"
		   "  \"fabric-plan\": %d,\n"
		   "  \"name\": \"%s\",\n"
		   "  \"namespace-prefix\": \"%s\",\n"
		   "  \"spines\": %u,\n"
		   "  \"leaves\": %u,\n"
		   "  \"borders\": %u,\n"
		   "  \"spine-asn\": \"%s\",\n",
		   FAB_PLAN_VERSION, p->name, p->ns_prefix, p->spines, p->leaves, p->borders,
		   plan_asn_mode_name(p->asn_mode));
	emit_frr_list(plan, out);
	buf_printf(out,
		   "  \"image\": \"%s\",\n"
		   "  \"frr-image\": \"%s\",\n"
		   "  \"host-image\": \"%s\",\n",
		   p->image, p->frr_image, p->host_image);
}

static void emit_addrs(const struct fab_node *n, struct buf *out)
{
	struct fab_addr a[FAB_ADDRS_MAX];
	unsigned count = plan_node_addrs(n, a);
	char ip[16];

	buf_puts(out, ",\n      \"addresses\": [");
	for (unsigned i = 0; i < count; i++) {
		plan_ip_fmt(a[i].addr, ip, sizeof(ip));
		buf_printf(out, "%s{ \"interface\": \"%s\", \"address\": \"%s/%u\" }",
			   i ? ", " : " ", a[i].ifname, ip, a[i].plen);
	}
	buf_puts(out, " ]");
}

static void emit_router_fields(const struct fab_node *n, struct buf *out)
{
	char ip[16];

	plan_ip_fmt(n->loopback, ip, sizeof(ip));
	buf_printf(out, ",\n      \"asn\": %" PRIu32 ", \"router-id\": \"%s\", \"sessions\": %u",
		   n->asn, ip, plan_expected_sessions(n));
	buf_printf(out, ",\n      \"config\": \"%s/%s\"", n->name, FAB_ROUTERD_FILE);
	if (n->daemon == FAB_DAEMON_FRR)
		buf_printf(out, ", \"frr-config\": \"%s/%s\"", n->name, FAB_FRR_FILE);
}

static void emit_host_fields(const struct fab_plan *plan, const struct fab_node *n, struct buf *out)
{
	char ip[16];

	plan_ip_fmt(plan_host_gateway(n), ip, sizeof(ip));
	buf_printf(out,
		   ",\n      \"leaf\": \"%s\", \"routes\": [ { \"to\": \"%s\", \"via\": \"%s\" } ]",
		   plan->nodes[n->attached].name, FAB_HOST_ROUTE, ip);
}

static void emit_node(const struct fab_plan *plan, const struct fab_node *n, bool last,
		      struct buf *out)
{
	char ns[2 * FAB_NAME_MAX];

	plan_ns_name(plan, n, ns, sizeof(ns));
	buf_printf(out,
		   "    {\n"
		   "      \"name\": \"%s\", \"role\": \"%s\", \"daemon\": \"%s\", "
		   "\"namespace\": \"%s\"",
		   n->name, plan_role_name(n->role), plan_daemon_name(n->daemon), ns);
	if (plan_is_router(n))
		emit_router_fields(n, out);
	else
		emit_host_fields(plan, n, out);
	emit_addrs(n, out);
	buf_printf(out, "\n    }%s\n", last ? "" : ",");
}

void emit_plan(const struct fab_plan *plan, struct buf *out)
{
	emit_params(plan, out);
	buf_puts(out, "  \"nodes\": [\n");
	for (unsigned i = 0; i < plan->n_nodes; i++)
		emit_node(plan, &plan->nodes[i], i + 1 == plan->n_nodes, out);
	buf_puts(out, "  ],\n  \"links\": [\n");
	for (unsigned i = 0; i < plan->n_links; i++) {
		const struct fab_link *l = &plan->links[i];

		buf_printf(out,
			   "    { \"a\": \"%s\", \"a-if\": \"%s\", \"b\": \"%s\", \"b-if\": \"%s\" "
			   "}%s\n",
			   plan->nodes[l->a].name, l->a_if, plan->nodes[l->b].name, l->b_if,
			   i + 1 == plan->n_links ? "" : ",");
	}
	buf_puts(out, "  ]\n}\n");
}
