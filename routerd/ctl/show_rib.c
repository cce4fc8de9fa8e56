/*
 * `show bgp ipv4|ipv6 unicast [PREFIX]` and `show bgp neighbors PEER
 * advertised-routes|received-routes`: the BGP tables in vtysh's layout
 * (status codes, Network / Next Hop / Metric / LocPrf / Weight / Path) or
 * JSON, through one table of output functions.
 */
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "routerd/ctl/show.h"
#include "routerd/daemon.h"
#include "routerd/lib/json.h"

/* One path as shown: the table view of a RIB path or of an advertised route. */
struct route_row {
	const struct prefix *pfx;
	const struct attrs *a;
	const struct bgp_peer *from; /* NULL: ours */
	bool first;		     /* first path of its prefix: the Network column is printed */
	bool best, multipath, internal;
};

/* Where a reply is being written: the buffer and, for JSON, the writer's state. */
struct render {
	struct buf *out;
	struct json j;
	bool open_prefix; /* JSON: a prefix object with its "paths" array is open */
};

struct rib_out_ops {
	void (*begin)(struct render *rn, struct routerd *rd);
	void (*row)(struct render *rn, const struct route_row *r);
	void (*end)(struct render *rn, size_t prefixes, size_t paths);
};

static const struct bgp_peer *peer_by_id(struct routerd *rd, uint16_t id)
{
	return id == RIB_PEER_LOCAL || id > rd->bgp.n_peers ? NULL : &rd->bgp.peers[id - 1];
}

static const char origin_char[] = { 'i', 'e', '?' };
static const char *const origin_name[] = { "IGP", "EGP", "incomplete" };

/* Next hop text: an interface name stands for a link-local-only next hop, as vtysh prints it. */
static const char *nexthop_text(const struct route_row *r, char *s, size_t len)
{
	const struct attrs *a = r->a;
	char ifname[IF_NAMESIZE];

	if (r->from && !ipaddr_is_unspec(&a->nexthop))
		return ipaddr_fmt(&a->nexthop, s, len);
	if (r->from && a->nexthop_ll.family) {
		if (r->from->scope_id && if_indextoname(r->from->scope_id, ifname))
			snprintf(s, len, "%s", ifname);
		else
			ipaddr_fmt(&a->nexthop_ll, s, len);
		return s;
	}
	/* Our own routes: vtysh shows the unspecified address of the family. */
	snprintf(s, len, "%s", a->nexthop.family == AF_INET6 ? "::" : "0.0.0.0");
	return s;
}

/* ---- text ---- */

static void text_begin(struct render *rn, struct routerd *rd)
{
	struct buf *out = rn->out;
	char id[ADDR_STRLEN];

	buf_printf(out, "BGP table version is 0, local router ID is %s, vrf id 0\n",
		   router_id_fmt(rd->bgp.router_id, id, sizeof(id)));
	buf_printf(out, "Default local pref 100, local AS %" PRIu32 "\n", rd->bgp.asn);
	buf_puts(out,
		 "Status codes:  s suppressed, d damped, h history, * valid, > best, = multipath,\n"
		 "               i internal, r RIB-failure, S Stale, R Removed\n"
		 "Nexthop codes: @NNN nexthop's vrf id, < announce-nh-self\n"
		 "Origin codes:  i - IGP, e - EGP, ? - incomplete\n"
		 "RPKI validation codes: V valid, I invalid, N Not found\n\n"
		 "   Network          Next Hop            Metric LocPrf Weight Path\n");
}

/* Columns as vtysh: status 3, Network 17, Next Hop 20, Metric 6, LocPrf 7, Weight 7, Path. */
static void text_row(struct render *rn, const struct route_row *r)
{
	struct buf *out = rn->out;
	char status[4], net[ADDR_STRLEN + 4], nh[ADDR_STRLEN], path[1024], med[12] = "",
									   lp[12] = "";
	const struct attrs *a = r->a;

	snprintf(status, sizeof(status), "*%c%c",
		 r->best	? '>'
		 : r->multipath ? '='
				: ' ',
		 r->internal ? 'i' : ' ');
	if (r->first)
		prefix_fmt(r->pfx, net, sizeof(net));
	else
		net[0] = '\0';
	nexthop_text(r, nh, sizeof(nh));
	if ((a->flags & ATTR_HAS_MED) || !r->from)
		snprintf(med, sizeof(med), "%" PRIu32, a->med);
	if (a->flags & ATTR_HAS_LOCAL_PREF)
		snprintf(lp, sizeof(lp), "%" PRIu32, a->local_pref);
	aspath_fmt(a->aspath, path, sizeof(path));
	buf_puts(out, status);
	if (strlen(net) > 16)
		buf_printf(out, "%s\n%20s", net, "");
	else
		buf_printf(out, "%-17s", net);
	if (strlen(nh) > 19)
		buf_printf(out, "%s\n%40s", nh, "");
	else
		buf_printf(out, "%-20s", nh);
	buf_printf(out, "%6s %6s %6" PRIu32 " %s%s%c\n", med, lp, a->weight, path,
		   path[0] ? " " : "", origin_char[a->origin < 3 ? a->origin : 2]);
}

static void text_end(struct render *rn, size_t prefixes, size_t paths)
{
	buf_printf(rn->out, "\nDisplayed  %zu routes and %zu total paths\n", prefixes, paths);
}

/* ---- JSON ---- */

static void json_begin(struct render *rn, struct routerd *rd)
{
	char id[ADDR_STRLEN];
	struct json *j = &rn->j;

	json_init(j, rn->out);
	rn->open_prefix = false;
	json_obj_open(j);
	json_kv_str(j, "router-id", router_id_fmt(rd->bgp.router_id, id, sizeof(id)));
	json_kv_uint(j, "as", rd->bgp.asn);
	json_key(j, "routes");
	json_arr_open(j);
}

static void json_communities(struct json *j, const struct community_list *c)
{
	json_key(j, "communities");
	json_arr_open(j);
	for (unsigned i = 0; c && i < c->n; i++) {
		char s[16];

		snprintf(s, sizeof(s), "%u:%u", c->v[i] >> 16, c->v[i] & 0xffff);
		json_str(j, s);
	}
	json_arr_close(j);
}

static void json_row(struct render *rn, const struct route_row *r)
{
	struct json *j = &rn->j;
	char s[1024];

	if (r->first) {
		if (rn->open_prefix) {
			json_arr_close(j);
			json_obj_close(j);
		}
		json_obj_open(j);
		json_kv_str(j, "prefix", prefix_fmt(r->pfx, s, sizeof(s)));
		json_key(j, "paths");
		json_arr_open(j);
		rn->open_prefix = true;
	}
	json_obj_open(j);
	json_kv_str(j, "peer", r->from ? r->from->conf.peer : "local");
	json_kv_bool(j, "best", r->best);
	json_kv_bool(j, "multipath", r->multipath);
	json_kv_bool(j, "internal", r->internal);
	json_kv_str(j, "nexthop", ipaddr_fmt(&r->a->nexthop, s, sizeof(s)));
	if (r->a->nexthop_ll.family)
		json_kv_str(j, "nexthop-link-local", ipaddr_fmt(&r->a->nexthop_ll, s, sizeof(s)));
	if (r->a->flags & ATTR_HAS_MED)
		json_kv_uint(j, "med", r->a->med);
	if (r->a->flags & ATTR_HAS_LOCAL_PREF)
		json_kv_uint(j, "local-pref", r->a->local_pref);
	json_kv_uint(j, "weight", r->a->weight);
	aspath_fmt(r->a->aspath, s, sizeof(s));
	json_kv_str(j, "as-path", s);
	json_kv_str(j, "origin", origin_name[r->a->origin < 3 ? r->a->origin : 2]);
	json_communities(j, r->a->communities);
	json_obj_close(j);
}

static void json_end(struct render *rn, size_t prefixes, size_t paths)
{
	struct json *j = &rn->j;

	if (rn->open_prefix) {
		json_arr_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_kv_uint(j, "prefixes", prefixes);
	json_kv_uint(j, "paths", paths);
	json_obj_close(j);
	buf_puts(rn->out, "\n");
}

static const struct rib_out_ops text_ops = { text_begin, text_row, text_end };
static const struct rib_out_ops json_ops = { json_begin, json_row, json_end };

/* ---- walking the tables ---- */

struct walk {
	struct routerd *rd;
	struct render rn;
	const struct rib_out_ops *ops;
	const struct bgp_peer *only; /* received-routes: that peer's paths only */
	bool adj_in;		     /* walking only's pre-policy Adj-RIB-In */
	size_t prefixes, paths;
};

static int rib_row(void *ctx, const struct rib_entry *e)
{
	struct walk *w = ctx;
	struct prefix pfx;
	bool first = true;

	rib_entry_prefix(e, &pfx);
	for (const struct rib_path *p = rib_entry_paths(e); p; p = rib_path_next(p)) {
		const struct bgp_peer *from = w->adj_in ? w->only : peer_by_id(w->rd, p->peer);
		struct route_row r = {
			.pfx = &pfx,
			.a = p->attrs,
			.from = from,
			.first = first,
			.best = p->flags & RIB_PATH_BEST,
			.multipath = (p->flags & RIB_PATH_MULTIPATH) && !(p->flags & RIB_PATH_BEST),
			.internal = from && bgp_peer_is_ibgp(from),
		};

		if (w->only && from != w->only)
			continue;
		w->ops->row(&w->rn, &r);
		first = false;
		w->paths++;
	}
	w->prefixes += !first;
	return 0;
}

static int parse_family(const char *afi, const char *safi, uint8_t *family, struct buf *out)
{
	if (safi && strncmp("unicast", safi, strlen(safi))) {
		buf_printf(out, "%% Unknown SAFI: %s (only unicast)\n", safi);
		return -1;
	}
	if (!strcmp(afi, "ipv4"))
		*family = AF_INET;
	else if (!strcmp(afi, "ipv6"))
		*family = AF_INET6;
	else {
		buf_printf(out, "%% Unknown address family: %s (ipv4 or ipv6)\n", afi);
		return -1;
	}
	return 0;
}

/* The entry for text (a prefix or an address: its host prefix), or NULL with the error in out. */
static const struct rib_entry *find_one_prefix(struct rib *rib, const char *text, bool json,
					       struct buf *out)
{
	const struct rib_entry *e;
	struct prefix p;
	struct ipaddr a;

	if (!prefix_parse(text, &p)) {
		if (!ipaddr_parse(text, &a)) {
			if (json)
				buf_printf(out, "{\"warning\":\"Malformed prefix or address\"}\n");
			else
				buf_printf(out, "%% Malformed prefix or address: %s\n", text);
			return NULL;
		}
		p.family = a.family;
		p.len = a.family == AF_INET ? 32 : 128;
		memcpy(p.bytes, a.bytes, sizeof(p.bytes));
	}
	prefix_normalize(&p);
	e = rib_entry_find(rib, &p);
	if (!e)
		/* vtysh's words, and its JSON object for the same answer */
		buf_printf(out, json ? "{\"warning\":\"Network not in table\"}\n"
				     : "%% Network not in table\n");
	return e;
}

/* show bgp ipv4|ipv6 [unicast] [PREFIX] */
int show_bgp_table(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	struct walk w = { .rd = rd, .rn = { .out = out }, .ops = json ? &json_ops : &text_ops };
	const struct rib_entry *one = NULL;
	uint8_t family;
	int arg = 1;

	if (nargs > 1 && !strncmp("unicast", args[1], strlen(args[1])))
		arg = 2;
	if (parse_family(args[0], NULL, &family, out) < 0)
		return 1;
	if (arg < nargs) {
		one = find_one_prefix(rde_rib(&rd->rde, family), args[arg], json, out);
		if (!one)
			return 1;
	}
	w.ops->begin(&w.rn, rd);
	if (one)
		rib_row(&w, one);
	else
		rib_walk(rde_rib(&rd->rde, family), rib_row, &w);
	w.ops->end(&w.rn, w.prefixes, w.paths);
	return 0;
}

/*
 * An advertised prefix, shown as vtysh does: with the Loc-RIB path it comes
 * from (before our AS is prepended and the next hop set), falling back to
 * what was sent when the Loc-RIB no longer has it.
 */
static int adv_row(void *ctx, const struct prefix *p, struct attrs *sent)
{
	struct walk *w = ctx;
	const struct rib_entry *e = rib_entry_find(rde_rib(&w->rd->rde, p->family), p);
	const struct rib_path *best = e ? rib_entry_best(e) : NULL;
	const struct bgp_peer *from = best ? peer_by_id(w->rd, best->peer) : NULL;
	struct route_row r = {
		.pfx = p,
		.a = best ? best->attrs : sent,
		.from = from,
		.first = true,
		.best = true,
		.internal = from && bgp_peer_is_ibgp(from),
	};

	w->ops->row(&w->rn, &r);
	w->prefixes++;
	w->paths++;
	return 0;
}

#define NOTE_NO_SOFT_RECONFIG                                                                      \
	"Note: soft-reconfiguration inbound is not enabled: these are the routes kept after "      \
	"inbound policy (the Adj-RIB-In as accepted).\n"

/* show bgp neighbors PEER advertised-routes|received-routes */
int show_bgp_neighbor_routes(struct routerd *rd, struct bgp_peer *p, bool advertised, bool json,
			     struct buf *out)
{
	struct walk w = { .rd = rd, .rn = { .out = out }, .ops = json ? &json_ops : &text_ops };

	if (!advertised) {
		w.only = p;
		w.adj_in = p->adj_in[RDE_V4] != NULL;
		if (!json && !w.adj_in)
			buf_puts(out, NOTE_NO_SOFT_RECONFIG);
	}
	w.ops->begin(&w.rn, rd);
	for (int af = 0; af < RDE_AF_COUNT; af++) {
		if (advertised)
			rde_out_walk(p, af, adv_row, &w);
		else if (w.adj_in)
			rib_walk(p->adj_in[af], rib_row, &w); /* as received, before policy */
		else
			rib_walk(rd->rde.rib[af], rib_row, &w);
	}
	w.ops->end(&w.rn, w.prefixes, w.paths);
	return 0;
}
