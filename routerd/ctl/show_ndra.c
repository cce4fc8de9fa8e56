/* `show ndra neighbors`: the routers ndra found on fabric ports, and its per-port counters. */
#include <inttypes.h>
#include <stdio.h>

#include "ndra/ndra.h"
#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/lib/json.h"

struct ndra_walk {
	struct routerd *rd;
	struct buf *out;
	struct json j;
	bool json;
};

/* The session a discovered router is bound to (swp1, swp1:2...), or "-". */
static const char *session_of(struct routerd *rd, const struct ndra_peer *np)
{
	struct ipaddr lla = { .family = AF_INET6 };

	memcpy(lla.bytes, np->lla, 16);
	for (unsigned i = 0; i < rd->bgp.n_peers; i++) {
		const struct bgp_peer *p = &rd->bgp.peers[i];

		if (p->conf.is_interface && p->scope_id == np->ifindex &&
		    ipaddr_equal(&p->addr, &lla))
			return p->conf.peer;
	}
	return "-";
}

static void peer_row(void *arg, const struct ndra_peer *np)
{
	struct ndra_walk *w = arg;
	struct ipaddr lla = { .family = AF_INET6 };
	char a[ADDR_STRLEN], mac[18];

	memcpy(lla.bytes, np->lla, 16);
	ipaddr_fmt(&lla, a, sizeof(a));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", np->mac[0], np->mac[1],
		 np->mac[2], np->mac[3], np->mac[4], np->mac[5]);
	if (!w->json) {
		buf_printf(w->out, "%-15s %-28s %-17s %8u %7.1fs  %s\n", np->ifname, a, mac,
			   np->router_lifetime, np->expires_in, session_of(w->rd, np));
		return;
	}
	json_obj_open(&w->j);
	json_kv_str(&w->j, "interface", np->ifname);
	json_kv_str(&w->j, "link-local", a);
	json_kv_str(&w->j, "mac", mac);
	json_kv_uint(&w->j, "router-lifetime", np->router_lifetime);
	json_kv_uint(&w->j, "expires-in-ms", (uint64_t)(np->expires_in * 1000));
	json_kv_str(&w->j, "session", session_of(w->rd, np));
	json_obj_close(&w->j);
}

static void stats_row(void *arg, const struct ndra_if_stats *s)
{
	struct ndra_walk *w = arg;

	if (!w->json) {
		buf_printf(w->out,
			   "%s: %s, routers %u, sent RA %" PRIu64 " RS %" PRIu64
			   ", received RA %" PRIu64 " RS %" PRIu64 ", dropped",
			   s->ifname, s->up ? "up" : "down", s->n_peers, s->tx_ra, s->tx_rs,
			   s->rx_ra, s->rx_rs);
		for (int r = 1; r < RA_DROP__COUNT; r++)
			buf_printf(w->out, " %s %" PRIu64, ra_drop_reason_name(r),
				   s->drops.by_reason[r]);
		for (int r = 0; r < NDRA_DROP__COUNT; r++)
			buf_printf(w->out, " %s %" PRIu64, ndra_drop_name(r), s->ndra_drops[r]);
		buf_puts(w->out, "\n");
		return;
	}
	json_obj_open(&w->j);
	json_kv_str(&w->j, "interface", s->ifname);
	json_kv_bool(&w->j, "up", s->up);
	json_kv_uint(&w->j, "routers", s->n_peers);
	json_kv_uint(&w->j, "tx-ra", s->tx_ra);
	json_kv_uint(&w->j, "tx-rs", s->tx_rs);
	json_kv_uint(&w->j, "rx-ra", s->rx_ra);
	json_kv_uint(&w->j, "rx-rs", s->rx_rs);
	json_key(&w->j, "drops");
	json_obj_open(&w->j);
	for (int r = 1; r < RA_DROP__COUNT; r++)
		json_kv_uint(&w->j, ra_drop_reason_name(r), s->drops.by_reason[r]);
	for (int r = 0; r < NDRA_DROP__COUNT; r++)
		json_kv_uint(&w->j, ndra_drop_name(r), s->ndra_drops[r]);
	json_obj_close(&w->j);
	json_obj_close(&w->j);
}

int show_ndra_neighbors(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	struct ndra_walk w = { .rd = rd, .out = out, .json = json };
	const struct ndra *nd = rd->unnum.ndra;

	if (!nd) {
		buf_puts(
			out,
			"% ndra is not running: no interface neighbors or interfaces configured\n");
		return 1;
	}
	if (json) {
		json_init(&w.j, out);
		json_obj_open(&w.j);
		json_key(&w.j, "neighbors");
		json_arr_open(&w.j);
		ndra_each_peer(nd, peer_row, &w);
		json_arr_close(&w.j);
		json_key(&w.j, "interfaces");
		json_arr_open(&w.j);
		ndra_each_stats(nd, stats_row, &w);
		json_arr_close(&w.j);
		json_obj_close(&w.j);
		buf_puts(out, "\n");
		return 0;
	}
	buf_puts(out, "Interface       Link-local address           MAC               Lifetime "
		      " Expires  Session\n");
	ndra_each_peer(nd, peer_row, &w);
	buf_puts(out, "\n");
	ndra_each_stats(nd, stats_row, &w);
	return 0;
}
