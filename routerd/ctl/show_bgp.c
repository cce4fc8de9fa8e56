/*
 * `show bgp summary` and `show bgp neighbors`: one renderer per output form
 * (text in FRR's vtysh layout, JSON following the YANG operational names),
 * chosen through a table of functions as bgpctl does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/lib/json.h"

struct show_bgp_ops {
	void (*summary)(struct buf *out, struct routerd *rd);
	void (*neighbors)(struct buf *out, struct routerd *rd, struct bgp_peer **peers, unsigned n);
};

/* ---- shared helpers ---- */

/* Capabilities as shown to the operator, with a test for each. */
struct cap_desc {
	const char *name;
	bool (*has)(const struct bgp_caps *c);
};

static bool cap_v4(const struct bgp_caps *c)
{
	return c->mp & BGP_AF_IPV4_UNICAST;
}

static bool cap_v6(const struct bgp_caps *c)
{
	return c->mp & BGP_AF_IPV6_UNICAST;
}

static bool cap_rr(const struct bgp_caps *c)
{
	return c->route_refresh;
}

static bool cap_as4(const struct bgp_caps *c)
{
	return c->as4;
}

static bool cap_extnh(const struct bgp_caps *c)
{
	return c->ext_nexthop != 0;
}

static bool cap_extmsg(const struct bgp_caps *c)
{
	return c->ext_message;
}

static bool cap_err(const struct bgp_caps *c)
{
	return c->enhanced_rr;
}

static const struct cap_desc caps_table[] = {
	{ "ipv4-unicast", cap_v4 },
	{ "ipv6-unicast", cap_v6 },
	{ "route-refresh", cap_rr },
	{ "four-octet-as", cap_as4 },
	{ "extended-nexthop", cap_extnh },
	{ "extended-message", cap_extmsg },
	{ "enhanced-route-refresh", cap_err },
};

#define N_CAPS (sizeof(caps_table) / sizeof(caps_table[0]))

static const struct bgp_caps no_caps;

/* What the peer announced in the OPEN of the current session. */
static const struct bgp_caps *caps_received(const struct bgp_peer *p)
{
	return p->established ? &p->established->remote_open.caps : &no_caps;
}

/* FRR's peer_uptime(): hh:mm:ss under a day, then 1d02h03m, then 01w2d03h. */
static const char *fmt_uptime(const struct bgp_peer *p, char *s, size_t len)
{
	time_t t = bgp_peer_uptime(p);

	if (!p->last_change)
		snprintf(s, len, "never");
	else if (t < 86400)
		snprintf(s, len, "%02ld:%02ld:%02ld", (long)t / 3600, (long)(t / 60) % 60,
			 (long)t % 60);
	else if (t < 7 * 86400)
		snprintf(s, len, "%ldd%02ldh%02ldm", (long)t / 86400, (long)(t / 3600) % 24,
			 (long)(t / 60) % 60);
	else
		snprintf(s, len, "%02ldw%ldd%02ldh", (long)t / 604800, (long)(t / 86400) % 7,
			 (long)(t / 3600) % 24);
	return s;
}

static const char *peer_state_text(const struct bgp_peer *p)
{
	if (p->conf.shutdown)
		return "Idle (Admin)";
	return bgp_state_name(bgp_peer_state(p));
}

/* Remote AS as known: learned from OPEN, else configured. */
static void remote_as_text(const struct bgp_peer *p, char *s, size_t len)
{
	if (p->remote_as)
		snprintf(s, len, "%" PRIu32, p->remote_as);
	else if (p->conf.remote_as.kind == CONF_REMOTE_AS_NUMBER)
		snprintf(s, len, "%" PRIu32, p->conf.remote_as.asn);
	else
		snprintf(s, len, "%s",
			 p->conf.remote_as.kind == CONF_REMOTE_AS_INTERNAL ? "internal"
									   : "external");
}

static const struct bgp_conn *peer_conn(const struct bgp_peer *p)
{
	if (p->established)
		return p->established;
	return p->conn[BGP_CONN_IN].state > p->conn[BGP_CONN_OUT].state ? &p->conn[BGP_CONN_IN]
									: &p->conn[BGP_CONN_OUT];
}

/* ---- text ---- */

static void text_summary_af(struct buf *out, struct routerd *rd, uint32_t af, const char *name)
{
	struct bgp *bgp = &rd->bgp;
	char id[ADDR_STRLEN], up[32], as[16], st[32], sent[32];
	uint8_t family = af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET;
	enum rde_af raf = family == AF_INET6 ? RDE_V6 : RDE_V4; /* vtysh counts per family */
	unsigned n = 0;

	for (unsigned i = 0; i < bgp->n_peers; i++)
		n += (bgp->peers[i].conf.afs & af) && !bgp_peer_unused(&bgp->peers[i]);
	if (!n)
		return;
	buf_printf(out, "%s Summary:\n", name);
	buf_printf(out, "BGP router identifier %s, local AS number %" PRIu32 "\n",
		   router_id_fmt(bgp->router_id, id, sizeof(id)), bgp->asn);
	buf_printf(out, "Peers %u\n\n", n);
	buf_puts(out, "Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  "
		      "Up/Down State/PfxRcd   PfxSnt Desc\n");
	for (unsigned i = 0; i < bgp->n_peers; i++) {
		struct bgp_peer *p = &bgp->peers[i];

		if (!(p->conf.afs & af) || bgp_peer_unused(p))
			continue;
		remote_as_text(p, as, sizeof(as));
		/* RFC 8212 without policy: vtysh's "(Policy)" in place of the counts. */
		if (p->established && rde_policy_blocks(&rd->rde, p, family, true))
			snprintf(st, sizeof(st), "(Policy)");
		else if (p->established)
			snprintf(st, sizeof(st), "%" PRIu64, p->prefixes_received_af[raf]);
		else
			snprintf(st, sizeof(st), "%s", peer_state_text(p));
		if (p->established && rde_policy_blocks(&rd->rde, p, family, false))
			snprintf(sent, sizeof(sent), "(Policy)");
		else
			snprintf(sent, sizeof(sent), "%zu", rde_out_count_af(p, raf));
		/* Like vtysh, a name wider than the column gets a line of its own. */
		if (strlen(p->conf.peer) > 15)
			buf_printf(out, "%s\n%16s", p->conf.peer, "");
		else
			buf_printf(out, "%-16s", p->conf.peer);
		buf_printf(out, "4 %10s %9" PRIu64 " %9" PRIu64 " %8u %4u %4zu %8s %12s %8s %s\n",
			   as, p->rcvd.total, p->sent.total, 0, 0, peer_conn(p)->wbuf.len,
			   fmt_uptime(p, up, sizeof(up)), st, sent,
			   p->conf.description[0] ? p->conf.description : "N/A");
	}
	buf_printf(out, "\nTotal number of neighbors %u\n\n", n);
}

static void text_summary(struct buf *out, struct routerd *rd)
{
	if (!rd->bgp.n_peers) {
		buf_puts(out, "% No BGP neighbors found\n");
		return;
	}
	text_summary_af(out, rd, BGP_AF_IPV4_UNICAST, "IPv4 Unicast");
	text_summary_af(out, rd, BGP_AF_IPV6_UNICAST, "IPv6 Unicast");
}

/* vtysh prints "advertised and received" per capability either side announced. */
static void text_caps(struct buf *out, const struct bgp_peer *p)
{
	const struct bgp_caps *rcv = caps_received(p);

	buf_puts(out, "  Neighbor capabilities:\n");
	for (size_t i = 0; i < N_CAPS; i++) {
		bool adv = caps_table[i].has(&p->caps_sent), got = caps_table[i].has(rcv);

		if (!adv && !got)
			continue;
		buf_printf(out, "    %s: %s%s%s\n", caps_table[i].name, adv ? "advertised" : "",
			   adv && got ? " and " : "", got ? "received" : "");
	}
}

static void text_messages(struct buf *out, const struct bgp_peer *p)
{
	static const struct {
		const char *label;
		int type;
	} rows[] = {
		{ "Opens", BGP_MSG_OPEN },
		{ "Notifications", BGP_MSG_NOTIFICATION },
		{ "Updates", BGP_MSG_UPDATE },
		{ "Keepalives", BGP_MSG_KEEPALIVE },
		{ "Route Refresh", BGP_MSG_ROUTE_REFRESH },
	};

	buf_puts(out, "  Message statistics:\n");
	buf_printf(out, "    Outq depth is %zu\n", peer_conn(p)->wbuf.len);
	buf_puts(out, "                         Sent       Rcvd\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		buf_printf(out, "    %-16s %10" PRIu64 " %10" PRIu64 "\n", rows[i].label,
			   p->sent.by_type[rows[i].type], p->rcvd.by_type[rows[i].type]);
	buf_printf(out, "    %-16s %10" PRIu64 " %10" PRIu64 "\n", "Total", p->sent.total,
		   p->rcvd.total);
}

static void text_neighbor(struct buf *out, struct routerd *rd, const struct bgp_peer *p)
{
	const struct bgp_conn *c = peer_conn(p);
	char as[16], rid[ADDR_STRLEN], lid[ADDR_STRLEN], up[32], la[ADDR_STRLEN], ra[ADDR_STRLEN];

	remote_as_text(p, as, sizeof(as));
	buf_printf(out, "BGP neighbor is %s, remote AS %s, local AS %" PRIu32 ", %s link\n",
		   p->conf.peer, as, rd->bgp.asn, bgp_peer_is_ibgp(p) ? "internal" : "external");
	if (p->conf.description[0])
		buf_printf(out, " Description: %s\n", p->conf.description);
	buf_printf(out, "  BGP version 4, remote router ID %s, local router ID %s\n",
		   router_id_fmt(p->remote_id, rid, sizeof(rid)),
		   router_id_fmt(rd->bgp.router_id, lid, sizeof(lid)));
	buf_printf(out, "  BGP state = %s%s%s\n", peer_state_text(p),
		   p->established ? ", up for " : "",
		   p->established ? fmt_uptime(p, up, sizeof(up)) : "");
	if (p->established)
		buf_printf(out, "  Hold time is %u, keepalive interval is %u seconds\n",
			   c->hold_time, c->keepalive_time);
	buf_printf(out, "  Configured hold time is %u, keepalive interval is %u seconds\n",
		   p->conf.timers.hold, p->conf.timers.keepalive);
	buf_printf(out, "  Configured connect retry is %u seconds%s\n",
		   p->conf.timers.connect_retry, p->conf.passive ? ", passive" : "");
	text_caps(out, p);
	text_messages(out, p);
	buf_printf(out, "  Connections established %u; dropped %u\n", p->established_count,
		   p->dropped_count);
	buf_printf(out,
		   "  UPDATE errors (RFC 7606): treat-as-withdraw %" PRIu64
		   ", attribute-discard %" PRIu64 "; rejected for AS loop %" PRIu64 "\n",
		   p->updates_treat_as_withdraw, p->updates_attr_discard, p->updates_as_loop);
	if (p->last_error.valid) {
		char text[BGP_NOTIFY_DATA_MAX + 64];

		bgp_notify_describe(&p->last_error.notify, text, sizeof(text));
		buf_printf(out, "  Last notification %s %lds ago: %s\n",
			   p->last_error.sent ? "sent" : "received",
			   (long)(mono_now() - p->last_error.at), text);
	}
	if (c->fd >= 0) {
		buf_printf(out, "Local host: %s, Local port: %u\n",
			   ipaddr_fmt(&c->local_addr, la, sizeof(la)), c->local_port);
		buf_printf(out, "Foreign host: %s, Foreign port: %u\n",
			   ipaddr_fmt(&p->addr, ra, sizeof(ra)), c->remote_port);
	}
	buf_puts(out, "\n");
}

static void text_neighbors(struct buf *out, struct routerd *rd, struct bgp_peer **peers, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		text_neighbor(out, rd, peers[i]);
}

/* ---- JSON ---- */

static void json_remote_as(struct json *j, const struct bgp_peer *p)
{
	char as[16];

	remote_as_text(p, as, sizeof(as));
	json_key(j, "remote-as");
	if (p->remote_as || p->conf.remote_as.kind == CONF_REMOTE_AS_NUMBER)
		json_uint(j, p->remote_as ? p->remote_as : p->conf.remote_as.asn);
	else
		json_str(j, as);
}

/* The family a session is mostly about: IPv4 unless it carries IPv6 only. */
static uint8_t main_family(const struct bgp_peer *p)
{
	return p->conf.afs & BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6;
}

static void json_summary(struct buf *out, struct routerd *rd)
{
	struct json j;
	char id[ADDR_STRLEN];

	json_init(&j, out);
	json_obj_open(&j);
	json_kv_str(&j, "router-id", router_id_fmt(rd->bgp.router_id, id, sizeof(id)));
	json_kv_uint(&j, "as", rd->bgp.asn);
	json_key(&j, "peers");
	json_arr_open(&j);
	for (unsigned i = 0; i < rd->bgp.n_peers; i++) {
		const struct bgp_peer *p = &rd->bgp.peers[i];

		if (bgp_peer_unused(p))
			continue;
		json_obj_open(&j);
		json_kv_str(&j, "peer", p->conf.peer);
		json_remote_as(&j, p);
		json_kv_str(&j, "state", bgp_state_name(bgp_peer_state(p)));
		json_kv_bool(&j, "admin-down", p->conf.shutdown);
		json_kv_uint(&j, "uptime-seconds", (uint64_t)bgp_peer_uptime(p));
		json_kv_uint(&j, "prefixes-received", p->prefixes_received);
		json_kv_uint(&j, "prefixes-sent", rde_out_count(p));
		/* RFC 8212: true where an eBGP session without policy exchanges nothing. */
		json_kv_bool(&j, "policy-blocks-in",
			     rde_policy_blocks(&rd->rde, p, main_family(p), true));
		json_kv_bool(&j, "policy-blocks-out",
			     rde_policy_blocks(&rd->rde, p, main_family(p), false));
		json_kv_uint(&j, "messages-received", p->rcvd.total);
		json_kv_uint(&j, "messages-sent", p->sent.total);
		json_kv_str(&j, "description", p->conf.description);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	buf_puts(out, "\n");
}

static void json_caps(struct json *j, const char *key, const struct bgp_caps *c)
{
	json_key(j, key);
	json_arr_open(j);
	for (size_t i = 0; i < N_CAPS; i++)
		if (caps_table[i].has(c))
			json_str(j, caps_table[i].name);
	json_arr_close(j);
}

static void json_counters(struct json *j, const char *key, const struct bgp_msg_counters *m)
{
	json_key(j, key);
	json_obj_open(j);
	json_kv_uint(j, "open", m->by_type[BGP_MSG_OPEN]);
	json_kv_uint(j, "update", m->by_type[BGP_MSG_UPDATE]);
	json_kv_uint(j, "notification", m->by_type[BGP_MSG_NOTIFICATION]);
	json_kv_uint(j, "keepalive", m->by_type[BGP_MSG_KEEPALIVE]);
	json_kv_uint(j, "route-refresh", m->by_type[BGP_MSG_ROUTE_REFRESH]);
	json_kv_uint(j, "total", m->total);
	json_obj_close(j);
}

static void json_last_error(struct json *j, const struct bgp_last_error *e)
{
	char text[BGP_NOTIFY_DATA_MAX + 64];

	json_key(j, "last-error");
	if (!e->valid) {
		json_null(j);
		return;
	}
	bgp_notify_describe(&e->notify, text, sizeof(text));
	json_obj_open(j);
	json_kv_str(j, "direction", e->sent ? "sent" : "received");
	json_kv_uint(j, "code", e->notify.code);
	json_kv_uint(j, "subcode", e->notify.subcode);
	json_kv_str(j, "text", text);
	json_kv_uint(j, "seconds-ago", (uint64_t)(mono_now() - e->at));
	json_obj_close(j);
}

static void json_neighbor(struct json *j, struct routerd *rd, const struct bgp_peer *p)
{
	const struct bgp_conn *c = peer_conn(p);
	char s[ADDR_STRLEN];

	json_obj_open(j);
	json_kv_str(j, "peer", p->conf.peer);
	json_remote_as(j, p);
	json_kv_uint(j, "local-as", rd->bgp.asn);
	json_kv_str(j, "link", bgp_peer_is_ibgp(p) ? "internal" : "external");
	json_kv_str(j, "state", bgp_state_name(bgp_peer_state(p)));
	json_kv_bool(j, "admin-down", p->conf.shutdown);
	json_kv_bool(j, "passive", p->conf.passive);
	json_kv_str(j, "remote-router-id", router_id_fmt(p->remote_id, s, sizeof(s)));
	json_kv_str(j, "local-router-id", router_id_fmt(rd->bgp.router_id, s, sizeof(s)));
	json_kv_uint(j, "uptime-seconds", (uint64_t)bgp_peer_uptime(p));
	json_kv_uint(j, "hold-time", p->established ? c->hold_time : p->conf.timers.hold);
	json_kv_uint(j, "keepalive", p->established ? c->keepalive_time : p->conf.timers.keepalive);
	json_kv_uint(j, "configured-hold-time", p->conf.timers.hold);
	json_kv_uint(j, "configured-keepalive", p->conf.timers.keepalive);
	json_kv_uint(j, "connect-retry", p->conf.timers.connect_retry);
	json_key(j, "capabilities");
	json_obj_open(j);
	json_caps(j, "advertised", &p->caps_sent);
	json_caps(j, "received", caps_received(p));
	json_caps(j, "negotiated", p->established ? &p->caps_negotiated : &no_caps);
	json_obj_close(j);
	json_key(j, "messages");
	json_obj_open(j);
	json_counters(j, "sent", &p->sent);
	json_counters(j, "received", &p->rcvd);
	json_obj_close(j);
	json_kv_uint(j, "connections-established", p->established_count);
	json_kv_uint(j, "connections-dropped", p->dropped_count);
	json_kv_uint(j, "connect-retry-count", p->connect_retry_count);
	json_key(j, "update-errors");
	json_obj_open(j);
	json_kv_uint(j, "treat-as-withdraw", p->updates_treat_as_withdraw);
	json_kv_uint(j, "attribute-discard", p->updates_attr_discard);
	json_kv_uint(j, "as-loop", p->updates_as_loop);
	json_obj_close(j);
	json_last_error(j, &p->last_error);
	if (c->fd >= 0) {
		json_kv_str(j, "local-host", ipaddr_fmt(&c->local_addr, s, sizeof(s)));
		json_kv_uint(j, "local-port", c->local_port);
		json_kv_str(j, "remote-host", ipaddr_fmt(&p->addr, s, sizeof(s)));
		json_kv_uint(j, "remote-port", c->remote_port);
	}
	json_obj_close(j);
}

static void json_neighbors(struct buf *out, struct routerd *rd, struct bgp_peer **peers, unsigned n)
{
	struct json j;

	json_init(&j, out);
	json_obj_open(&j);
	json_key(&j, "neighbors");
	json_arr_open(&j);
	for (unsigned i = 0; i < n; i++)
		json_neighbor(&j, rd, peers[i]);
	json_arr_close(&j);
	json_obj_close(&j);
	buf_puts(out, "\n");
}

static const struct show_bgp_ops text_ops = { text_summary, text_neighbors };
static const struct show_bgp_ops json_ops = { json_summary, json_neighbors };

int show_bgp_summary(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	(json ? &json_ops : &text_ops)->summary(out, rd);
	return 0;
}

/* clear bgp PEER soft [in|out]: policy again without resetting the session. */
int cmd_clear_bgp(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	struct bgp_peer *p = bgp_peer_find_name(&rd->bgp, args[0]);
	const char *dir = nargs == 3 ? args[2] : "both", *why = NULL;
	bool in = !strcmp(dir, "both") || !strcmp(dir, "in"),
	     o = !strcmp(dir, "both") || !strcmp(dir, "out");

	if (!p) {
		buf_printf(out, "%% No such neighbor: %s\n", args[0]);
		return 1;
	}
	if (strcmp(args[1], "soft") || (!in && !o)) {
		buf_puts(out,
			 "% Usage: clear bgp PEER soft [in|out] (a hard reset is not offered)\n");
		return 1;
	}
	if (in && rde_soft_in(&rd->rde, p, &why) < 0) {
		buf_printf(out, "%% %s: %s\n", p->conf.peer, why);
		return 1;
	}
	if (o)
		rde_soft_out(&rd->rde, p);
	buf_printf(out, "%s: soft %s done\n", p->conf.peer, dir);
	return 0;
}

static int neighbor_routes(struct routerd *rd, struct bgp_peer *p, const char *what, bool json,
			   struct buf *out)
{
	size_t n = strlen(what);

	if (n && !strncmp("advertised-routes", what, n))
		return show_bgp_neighbor_routes(rd, p, true, json, out);
	if (n && !strncmp("received-routes", what, n))
		return show_bgp_neighbor_routes(rd, p, false, json, out);
	buf_printf(out, "%% Unknown: %s (advertised-routes or received-routes)\n", what);
	return 1;
}

int show_bgp_neighbors(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	const struct show_bgp_ops *ops = json ? &json_ops : &text_ops;
	struct bgp *bgp = &rd->bgp;
	struct bgp_peer *one;
	struct bgp_peer **all;
	unsigned n = 0;

	if (nargs >= 1) {
		one = bgp_peer_find_name(bgp, args[0]);
		if (!one) {
			buf_printf(out, "%% No such neighbor: %s\n", args[0]);
			return 1;
		}
		if (nargs == 2)
			return neighbor_routes(rd, one, args[1], json, out);
		ops->neighbors(out, rd, &one, 1);
		return 0;
	}
	all = calloc(bgp->n_peers ? bgp->n_peers : 1, sizeof(*all));
	if (!all) {
		buf_puts(out, "% Out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < bgp->n_peers; i++)
		if (!bgp_peer_unused(&bgp->peers[i]))
			all[n++] = &bgp->peers[i];
	ops->neighbors(out, rd, all, n);
	free(all);
	return 0;
}
