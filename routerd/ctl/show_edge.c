/*
 * show edge [json]: the Azure Route Server role as the operator needs it:
 * the two ARS sessions, each supernet and why it is (not) advertised, the
 * route count against max-routes, the sysctl checks, and the GatewaySubnet
 * UDRs with the Azure CLI commands that create them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/lib/json.h"

/* Everything both layouts print, gathered once. */
struct edge_view {
	const struct edge_ars_conf *c;
	struct bgp_peer *ars[2];
	size_t sent; /* routes in the ARS sessions' Adj-RIB-Out */
	bool have_guard;
	struct edge_guard guard;
	struct ipaddr nva; /* UDR next hop */
	bool have_nva;
	struct edge_udr *udr;
	size_t n_udr;
};

static int view_build(struct routerd *rd, struct edge_view *v)
{
	struct edge_routes rs;
	unsigned k = 0;

	memset(v, 0, sizeof(*v));
	v->c = &rd->conf->edge;
	for (unsigned i = 0; i < rd->bgp.n_peers && k < 2; i++)
		if (rd->bgp.peers[i].conf.edge)
			v->ars[k++] = &rd->bgp.peers[i];
	for (unsigned i = 0; i < k; i++) {
		if (!v->ars[i]->established)
			continue;
		if (rde_out_count_af(v->ars[i], RDE_V4) > v->sent)
			v->sent = rde_out_count_af(v->ars[i], RDE_V4);
		if (!v->have_guard)
			v->have_guard = rde_out_guard_state(v->ars[i], &v->guard);
	}
	v->have_nva = edge_run_nva_addr(&rd->edge, &v->nva);
	edge_run_routes(&rd->edge, &rs);
	if (v->have_nva && edge_udrs(v->c, &v->nva, &rs, &v->udr, &v->n_udr) < 0)
		return -1;
	return 0;
}

static const char *role_name(enum edge_role r)
{
	return r == EDGE_ROLE_SECONDARY ? "secondary" : "primary";
}

static const char *guard_mode_name(const struct edge_view *v)
{
	if (!v->have_guard)
		return "no session";
	switch (v->guard.mode) {
	case EDGE_GUARD_SEND_ALL:
		return "send-all";
	case EDGE_GUARD_SUPERNETS_ONLY:
		return "supernets-only";
	default:
		return "send-nothing";
	}
}

/* ---- text ---- */

static void text_sessions(struct buf *out, const struct edge_view *v)
{
	char a[ADDR_STRLEN];

	buf_printf(out, "Route server sessions (AS %u, multihop, hold %u):\n", EDGE_ARS_ASN,
		   EDGE_ARS_HOLD);
	buf_printf(out, "  %-16s %-12s %8s %8s\n", "Neighbor", "State", "PfxRcd", "PfxSnt");
	for (unsigned i = 0; i < 2 && v->ars[i]; i++) {
		const struct bgp_peer *p = v->ars[i];

		buf_printf(out, "  %-16s %-12s %8llu %8zu\n", ipaddr_fmt(&p->addr, a, sizeof(a)),
			   bgp_state_name(bgp_peer_state(p)),
			   (unsigned long long)p->prefixes_received_af[RDE_V4],
			   p->established ? rde_out_count_af(p, RDE_V4) : 0);
	}
}

static void text_supernets(struct buf *out, const struct edge_run *er)
{
	char ps[ADDR_STRLEN + 4];

	buf_printf(out, "Supernets (conditional advertisement %s):\n",
		   er->rd->conf->edge.conditional ? "on" : "off");
	for (unsigned i = 0; i < er->n; i++) {
		buf_printf(out, "  %-18s %-11s %s\n",
			   prefix_fmt(&er->rd->conf->edge.supernets[i], ps, sizeof(ps)),
			   er->advertised[i] ? "advertised" : "withdrawn", er->state[i].reason);
		if (er->state[i].warning[0])
			buf_printf(out, "  %-18s warning: %s\n", "", er->state[i].warning);
	}
}

static void text_guard(struct buf *out, const struct edge_view *v)
{
	buf_printf(out, "Routes to ARS: %zu of max-routes %u (%s)\n", v->sent, v->c->max_routes,
		   guard_mode_name(v));
	if (v->have_guard && (v->guard.alarm || v->guard.near))
		buf_printf(out, "  %s: %s\n", v->guard.alarm ? "ALARM" : "warning", v->guard.text);
}

static void text_sysctls(struct buf *out, const struct edge_run *er)
{
	buf_printf(out, "Sysctls (manage-sysctls %s):\n",
		   er->rd->conf->edge.manage_sysctls ? "on" : "off");
	for (unsigned i = 0; i < er->n_sysctl; i++)
		buf_printf(out, "  %-4s %s\n", er->sysctl[i].ok ? "ok" : "FAIL",
			   er->sysctl[i].text);
}

static void text_udrs(struct buf *out, const struct edge_view *v)
{
	char ps[ADDR_STRLEN + 4], a[ADDR_STRLEN], line[EDGE_TEXT_LEN];

	if (!v->have_nva) {
		buf_puts(out, "GatewaySubnet UDRs: unknown until an ARS session is up "
			      "(or next-hop is set)\n");
		return;
	}
	buf_printf(out, "GatewaySubnet UDRs (next hop %s, type VirtualAppliance):\n",
		   ipaddr_fmt(&v->nva, a, sizeof(a)));
	for (size_t i = 0; i < v->n_udr; i++)
		buf_printf(out, "  %-18s via %s\n", prefix_fmt(&v->udr[i].prefix, ps, sizeof(ps)),
			   ipaddr_fmt(&v->udr[i].next_hop, a, sizeof(a)));
	if (!v->n_udr)
		buf_puts(out, "  (none: no ExpressRoute-learned prefix inside a supernet)\n");
	buf_puts(out, "Azure CLI:\n");
	for (size_t i = 0; i < v->n_udr; i++)
		if (edge_az_command(&v->udr[i], NULL, NULL, line, sizeof(line)) >= 0)
			buf_printf(out, "  %s\n", line);
}

static void text_edge(struct buf *out, struct routerd *rd, const struct edge_view *v)
{
	buf_printf(out, "Edge role: Azure Route Server NVA, AS %u, role %s\n", rd->conf->bgp.asn,
		   role_name(v->c->role));
	text_sessions(out, v);
	text_supernets(out, &rd->edge);
	text_guard(out, v);
	text_sysctls(out, &rd->edge);
	text_udrs(out, v);
}

/* ---- json ---- */

static void json_sessions(struct json *j, const struct edge_view *v)
{
	char a[ADDR_STRLEN];

	json_key(j, "sessions");
	json_arr_open(j);
	for (unsigned i = 0; i < 2 && v->ars[i]; i++) {
		const struct bgp_peer *p = v->ars[i];

		json_obj_open(j);
		json_kv_str(j, "peer", ipaddr_fmt(&p->addr, a, sizeof(a)));
		json_kv_str(j, "state", bgp_state_name(bgp_peer_state(p)));
		json_kv_uint(j, "pfxRcd", p->prefixes_received_af[RDE_V4]);
		json_kv_uint(j, "pfxSnt", p->established ? rde_out_count_af(p, RDE_V4) : 0);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_supernets(struct json *j, const struct edge_run *er)
{
	char ps[ADDR_STRLEN + 4];

	json_key(j, "supernets");
	json_arr_open(j);
	for (unsigned i = 0; i < er->n; i++) {
		json_obj_open(j);
		json_kv_str(j, "prefix",
			    prefix_fmt(&er->rd->conf->edge.supernets[i], ps, sizeof(ps)));
		json_kv_bool(j, "advertised", er->advertised[i]);
		json_kv_uint(j, "erRoutes", er->state[i].n_er);
		json_kv_uint(j, "otherRoutes", er->state[i].n_other);
		json_kv_str(j, "reason", er->state[i].reason);
		json_kv_str(j, "warning", er->state[i].warning);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_guard(struct json *j, const struct edge_view *v)
{
	json_key(j, "routeGuard");
	json_obj_open(j);
	json_kv_uint(j, "sent", v->sent);
	json_kv_uint(j, "maxRoutes", v->c->max_routes);
	json_kv_str(j, "mode", guard_mode_name(v));
	json_kv_bool(j, "alarm", v->have_guard && v->guard.alarm);
	json_kv_bool(j, "nearLimit", v->have_guard && v->guard.near);
	json_kv_str(j, "text", v->have_guard ? v->guard.text : "");
	json_obj_close(j);
}

static void json_sysctls(struct json *j, const struct edge_run *er)
{
	json_key(j, "sysctls");
	json_arr_open(j);
	for (unsigned i = 0; i < er->n_sysctl; i++) {
		json_obj_open(j);
		json_kv_str(j, "key", er->sysctl[i].key);
		json_kv_int(j, "value", er->sysctl[i].have);
		json_kv_int(j, "want", er->sysctl[i].want);
		json_kv_bool(j, "ok", er->sysctl[i].ok);
		json_kv_str(j, "text", er->sysctl[i].text);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_udrs(struct json *j, const struct edge_view *v)
{
	char ps[ADDR_STRLEN + 4], a[ADDR_STRLEN], line[EDGE_TEXT_LEN];

	json_key(j, "udr");
	json_arr_open(j);
	for (size_t i = 0; i < v->n_udr; i++) {
		json_obj_open(j);
		json_kv_str(j, "prefix", prefix_fmt(&v->udr[i].prefix, ps, sizeof(ps)));
		json_kv_str(j, "next-hop", ipaddr_fmt(&v->udr[i].next_hop, a, sizeof(a)));
		json_obj_close(j);
	}
	json_arr_close(j);
	json_key(j, "azCommands");
	json_arr_open(j);
	for (size_t i = 0; i < v->n_udr; i++)
		if (edge_az_command(&v->udr[i], NULL, NULL, line, sizeof(line)) >= 0)
			json_str(j, line);
	json_arr_close(j);
}

static void json_edge(struct buf *out, struct routerd *rd, const struct edge_view *v)
{
	struct json j;

	json_init(&j, out);
	json_obj_open(&j);
	json_kv_str(&j, "role", role_name(v->c->role));
	json_kv_uint(&j, "asn", rd->conf->bgp.asn);
	json_sessions(&j, v);
	json_supernets(&j, &rd->edge);
	json_guard(&j, v);
	json_sysctls(&j, &rd->edge);
	json_udrs(&j, v);
	json_obj_close(&j);
	buf_puts(out, "\n");
}

int show_edge(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	struct edge_view v;

	if (!rd->conf->has_edge || !rd->edge.state) {
		buf_puts(out,
			 json ? "{}\n" : "% no edge role configured (edge/azure-route-server)\n");
		return json ? 0 : 1;
	}
	if (view_build(rd, &v) < 0) {
		buf_puts(out, "% out of memory\n");
		return 1;
	}
	if (json)
		json_edge(out, rd, &v);
	else
		text_edge(out, rd, &v);
	free(v.udr);
	return 0;
}
