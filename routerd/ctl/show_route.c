/*
 * `show ip route` / `show ipv6 route`: the BGP routes routerd installs, in
 * zebra's layout (B>* with one line per ECMP next hop) or JSON. routerd is
 * not a RIB manager: kernel and connected routes are the kernel's to show.
 */
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/kernel/fib.h"
#include "routerd/lib/json.h"

struct route_walk {
	struct routerd *rd;
	struct buf *out;
	struct json j;
	bool json;
	size_t n;
};

static char fib_code(enum fib_route_state st)
{
	switch (st) {
	case FIB_ROUTE_INSTALLED:
		return '*';
	case FIB_ROUTE_FAILED:
		return 'r';
	default:
		return 'q';
	}
}

static const char *state_name(enum fib_route_state st)
{
	static const char *const names[] = { "none", "queued", "installed", "rejected" };

	return names[st];
}

/* "via GW, IF[ onlink], weight 1"; zebra writes an IPv6 gateway of an IPv4 route "via inet6". */
static void nh_line(struct buf *out, uint8_t family, const struct fib_nh *nh)
{
	char gw[ADDR_STRLEN], ifname[IF_NAMESIZE] = "?";

	if_indextoname((unsigned)nh->ifindex, ifname);
	buf_printf(out, "via %s%s, %s%s, weight 1\n",
		   family == AF_INET && nh->gw.family == AF_INET6 ? "inet6 " : "",
		   ipaddr_fmt(&nh->gw, gw, sizeof(gw)), ifname, nh->onlink ? " onlink" : "");
}

static void text_route(struct route_walk *w, const struct prefix *p, enum fib_route_state st,
		       const struct fib_nh *nh, unsigned n)
{
	char pfx[ADDR_STRLEN + 4];
	int indent;

	prefix_fmt(p, pfx, sizeof(pfx));
	indent = buf_printf_len(w->out, "B>%c %s [20/0] ", fib_code(st), pfx);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			buf_printf(w->out, "  %c%*s", fib_code(st), indent - 3, "");
		nh_line(w->out, p->family, &nh[i]);
	}
	if (!n)
		buf_puts(w->out, "unresolved\n");
}

static void json_route(struct route_walk *w, const struct prefix *p, enum fib_route_state st,
		       const struct fib_nh *nh, unsigned n)
{
	char s[ADDR_STRLEN + 4], ifname[IF_NAMESIZE];

	json_obj_open(&w->j);
	json_kv_str(&w->j, "prefix", prefix_fmt(p, s, sizeof(s)));
	json_kv_str(&w->j, "protocol", "bgp");
	json_kv_bool(&w->j, "selected", true);
	json_kv_str(&w->j, "fib", state_name(st));
	json_kv_uint(&w->j, "distance", 20);
	json_kv_uint(&w->j, "metric", 0);
	json_key(&w->j, "nexthops");
	json_arr_open(&w->j);
	for (unsigned i = 0; i < n; i++) {
		json_obj_open(&w->j);
		json_kv_str(&w->j, "ip", ipaddr_fmt(&nh[i].gw, s, sizeof(s)));
		json_kv_str(&w->j, "afi", nh[i].gw.family == AF_INET6 ? "ipv6" : "ipv4");
		json_kv_str(&w->j, "interface",
			    if_indextoname((unsigned)nh[i].ifindex, ifname) ? ifname : "");
		json_kv_bool(&w->j, "onlink", nh[i].onlink);
		json_kv_uint(&w->j, "weight", 1);
		json_obj_close(&w->j);
	}
	json_arr_close(&w->j);
	json_obj_close(&w->j);
}

static int route_row(void *ctx, const struct rib_entry *e)
{
	struct route_walk *w = ctx;
	const struct rib_path *best = rib_entry_best(e);
	struct fib_nh nh[RIB_MAX_MULTIPATH];
	enum fib_route_state st;
	struct prefix p;
	unsigned n;

	/* Our own originations are the kernel's routes, not BGP's. */
	if (!best || best->peer == RIB_PEER_LOCAL || !w->rd->fib)
		return 0;
	rib_entry_prefix(e, &p);
	st = fib_route_state(w->rd->fib, &p);
	if (st == FIB_ROUTE_NONE)
		return 0; /* e.g. one of our connected subnets: the kernel's route wins */
	n = rde_fib_nexthops(&w->rd->rde, e, nh, RIB_MAX_MULTIPATH);
	if (w->json)
		json_route(w, &p, st, nh, n);
	else
		text_route(w, &p, st, nh, n);
	w->n++;
	return 0;
}

static const char codes[] =
	"Codes: K - kernel route, C - connected, S - static, R - RIP,\n"
	"       O - OSPF, I - IS-IS, B - BGP, E - EIGRP, N - NHRP,\n"
	"       T - Table, v - VNC, V - VNC-Direct, A - Babel, F - PBR,\n"
	"       f - OpenFabric,\n"
	"       > - selected route, * - FIB route, q - queued, r - rejected, b - backup\n"
	"       t - trapped, o - offload failure\n\n";

static int show_route(struct routerd *rd, uint8_t family, bool json, struct buf *out)
{
	struct route_walk w = { .rd = rd, .out = out, .json = json };

	if (json) {
		json_init(&w.j, out);
		json_obj_open(&w.j);
		json_key(&w.j, "routes");
		json_arr_open(&w.j);
	} else {
		buf_puts(out, codes);
	}
	rib_walk(rde_rib(&rd->rde, family), route_row, &w);
	if (json) {
		json_arr_close(&w.j);
		json_obj_close(&w.j);
		buf_puts(out, "\n");
	}
	return 0;
}

int show_ip_route(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	return show_route(rd, AF_INET, json, out);
}

int show_ipv6_route(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	return show_route(rd, AF_INET6, json, out);
}
