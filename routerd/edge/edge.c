/* The Azure Route Server edge role, pure core: see edge.h and docs/edge-azure.md. */
#include "routerd/edge/edge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/policy/aspath_regex.h"
#include "routerd/policy/policy_set.h"
#include "routerd/policy/route_map.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* How many ER routes a reason names before "and N more". */
#define REASON_SHOW 4

#define PATH_TEXT_LEN 96

/* ---- text ---- */

/* An append-only string that truncates instead of overflowing. */
struct text {
	char *buf;
	size_t size;
	size_t len;
	bool cut; /* something did not fit */
};

static void text_init(struct text *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	t->cut = false;
	if (size)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size) {
		t->cut = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len += (size_t)n;
	if (t->len >= t->size) {
		t->len = t->size - 1;
		t->cut = true;
	}
}

/* ---- prefixes ---- */

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (!rest)
		return true;
	return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* inner lies inside outer and is more specific (IPv4 only: the edge role is). */
static bool strictly_inside(const struct prefix *inner, const struct prefix *outer)
{
	return inner->family == AF_INET && outer->family == AF_INET && inner->len > outer->len &&
	       bits_equal(inner->bytes, outer->bytes, outer->len);
}

/* a equals outer or covers it. */
static bool equal_or_covering(const struct prefix *a, const struct prefix *outer)
{
	return a->family == AF_INET && outer->family == AF_INET && a->len <= outer->len &&
	       bits_equal(a->bytes, outer->bytes, a->len);
}

static int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static bool host_bits_clean(const struct prefix *p)
{
	struct prefix q = *p;

	return prefix_normalize(&q);
}

/* The /len prefix holding a. */
static struct prefix prefix_of(const struct ipaddr *a, unsigned len)
{
	struct prefix p = { .family = a->family, .len = (uint8_t)len };

	memcpy(p.bytes, a->bytes, sizeof(p.bytes));
	prefix_normalize(&p);
	return p;
}

/* ---- configuration ---- */

void edge_ars_conf_init(struct edge_ars_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_routes = EDGE_MAX_ROUTES_DEFAULT;
	c->role = EDGE_ROLE_PRIMARY;
	c->conditional = true;
	c->manage_sysctls = false;
	c->peer_subnet_len = EDGE_PEER_SUBNET_LEN_DEFAULT;
}

struct asn_range {
	uint32_t lo, hi;
	const char *why;
};

/* ASNs ARS refuses from a peer (Azure Route Server FAQ) and the ones no AS may use. */
static const struct asn_range reserved_asns[] = {
	{ 0, 0, "not a valid AS number (RFC 7607)" },
	{ 8074, 8075, "reserved by Azure (Microsoft's public ASNs)" },
	{ 12076, 12076, "reserved by Azure (ExpressRoute)" },
	{ 23456, 23456, "AS_TRANS, the stand-in for 4-byte ASNs (RFC 6793)" },
	{ 64496, 64511, "reserved for documentation (RFC 5398)" },
	{ 65515, 65515, "reserved by Azure (ARS itself)" },
	{ 65517, 65520, "reserved by Azure" },
	{ 65535, 65535, "reserved (RFC 7300)" },
	{ 65536, 65551, "reserved for documentation (RFC 5398)" },
};

bool edge_asn_ok(uint32_t asn, char *err, size_t errlen)
{
	const char *why = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(reserved_asns); i++)
		if (asn >= reserved_asns[i].lo && asn <= reserved_asns[i].hi)
			why = reserved_asns[i].why;
	if (why) {
		if (err && errlen)
			snprintf(err, errlen,
				 "asn %u is %s; pick a private 2-byte ASN such as 65001", asn, why);
		return false;
	}
	if (asn > 65535) {
		if (err && errlen)
			snprintf(err, errlen,
				 "asn %u is a 4-byte ASN and Azure Route Server peers with 2-byte "
				 "ASNs only; pick a private 2-byte ASN such as 65001",
				 asn);
		return false;
	}
	return true;
}

struct checker {
	edge_problem_fn fn;
	void *ctx;
	unsigned n;
};

__attribute__((format(printf, 3, 4))) static void problem(struct checker *ck, const char *node,
							  const char *fmt, ...)
{
	char msg[EDGE_TEXT_LEN];
	va_list ap;

	ck->n++;
	if (!ck->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck->fn(ck->ctx, node, msg);
}

static unsigned peer_subnet_len(const struct edge_ars_conf *c)
{
	return c->peer_subnet_len ? c->peer_subnet_len : EDGE_PEER_SUBNET_LEN_DEFAULT;
}

static void check_asn(struct checker *ck, uint32_t asn)
{
	char msg[EDGE_TEXT_LEN];

	if (!edge_asn_ok(asn, msg, sizeof(msg)))
		problem(ck, "asn", "%s", msg);
}

/* true when both peers are usable IPv4 addresses (reported otherwise). */
static bool check_peer_addrs(struct checker *ck, const struct edge_ars_conf *c)
{
	char a[ADDR_STRLEN];
	bool ok = true;

	for (unsigned i = 0; i < 2; i++) {
		const struct ipaddr *p = &c->peers[i];

		if (!p->family) {
			problem(ck, "peers",
				"%s Route Server peer is missing: ARS always runs two instances; "
				"list both IPs (az network routeserver show --query "
				"virtualRouterIps)",
				i ? "the second" : "the first");
			ok = false;
		} else if (p->family != AF_INET) {
			problem(ck, "peers",
				"peer %s is not IPv4: Azure Route Server peers over IPv4 only; use "
				"the "
				"instance IPs from RouteServerSubnet",
				ipaddr_fmt(p, a, sizeof(a)));
			ok = false;
		} else if (ipaddr_is_unspec(p)) {
			problem(ck, "peers",
				"peer 0.0.0.0 is not an address: use the instance IPs "
				"from RouteServerSubnet");
			ok = false;
		}
	}
	if (ok && ipaddr_equal(&c->peers[0], &c->peers[1])) {
		problem(ck, "peers",
			"both peers are %s: ARS runs two instances with two IPs; peer with both "
			"and "
			"advertise the same routes to both",
			ipaddr_fmt(&c->peers[0], a, sizeof(a)));
		ok = false;
	}
	return ok;
}

static void check_peers(struct checker *ck, const struct edge_ars_conf *c)
{
	unsigned len = peer_subnet_len(c);
	char a[ADDR_STRLEN], b[ADDR_STRLEN], s[ADDR_STRLEN + 4];
	struct prefix sub;

	if (len < EDGE_PEER_SUBNET_LEN_MIN || len > EDGE_PEER_SUBNET_LEN_DEFAULT) {
		problem(ck, "peer-subnet-length",
			"peer-subnet-length %u is out of range: RouteServerSubnet is a /27 or "
			"larger; give its length (%u..%u) or leave the default %u",
			len, EDGE_PEER_SUBNET_LEN_MIN, EDGE_PEER_SUBNET_LEN_DEFAULT,
			EDGE_PEER_SUBNET_LEN_DEFAULT);
		return;
	}
	if (!check_peer_addrs(ck, c))
		return;
	if (bits_equal(c->peers[0].bytes, c->peers[1].bytes, len))
		return;
	sub = prefix_of(&c->peers[0], len);
	problem(ck, "peers",
		"peers %s and %s are not in one /%u (%s holds only the first): both ARS instances "
		"live in RouteServerSubnet; copy the two IPs from az network routeserver show "
		"--query virtualRouterIps",
		ipaddr_fmt(&c->peers[0], a, sizeof(a)), ipaddr_fmt(&c->peers[1], b, sizeof(b)), len,
		prefix_fmt(&sub, s, sizeof(s)));
}

static void check_next_hop(struct checker *ck, const struct edge_ars_conf *c)
{
	const struct ipaddr *v = &c->next_hop;
	unsigned len = peer_subnet_len(c);
	char a[ADDR_STRLEN], s[ADDR_STRLEN + 4];
	struct prefix sub;

	if (!v->family)
		return;
	if (v->family != AF_INET || ipaddr_is_unspec(v)) {
		problem(ck, "next-hop",
			"next-hop %s is not an IPv4 address: give the load balancer's frontend IP "
			"(VIP) in the NVA subnet, or remove next-hop to use the NVA's own address",
			ipaddr_fmt(v, a, sizeof(a)));
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (ipaddr_equal(v, &c->peers[i])) {
			problem(ck, "next-hop",
				"next-hop %s is a Route Server peer: give the load balancer's "
				"frontend IP (VIP) in the NVA subnet",
				ipaddr_fmt(v, a, sizeof(a)));
			return;
		}
	}
	if (c->peers[0].family == AF_INET && len <= EDGE_PEER_SUBNET_LEN_DEFAULT &&
	    bits_equal(v->bytes, c->peers[0].bytes, len)) {
		sub = prefix_of(&c->peers[0], len);
		problem(ck, "next-hop",
			"next-hop %s lies in RouteServerSubnet (%s), which holds only the Route "
			"Server: give the load balancer's frontend IP (VIP) in the NVA subnet",
			ipaddr_fmt(v, a, sizeof(a)), prefix_fmt(&sub, s, sizeof(s)));
	}
}

static void check_one_supernet(struct checker *ck, const struct edge_ars_conf *c, unsigned i)
{
	const struct prefix *p = &c->supernets[i];
	char s[ADDR_STRLEN + 4], clean_s[ADDR_STRLEN + 4];
	struct prefix clean = *p;

	if (p->family != AF_INET) {
		problem(ck, "supernet",
			"supernet %s is not IPv4: the edge role advertises IPv4 only (ARS peers "
			"over IPv4); remove it",
			prefix_fmt(p, s, sizeof(s)));
		return;
	}
	if (!host_bits_clean(p)) {
		prefix_normalize(&clean);
		problem(ck, "supernet", "supernet %s has host bits set: write %s",
			prefix_fmt(p, s, sizeof(s)), prefix_fmt(&clean, clean_s, sizeof(clean_s)));
		return;
	}
	if (p->len == 32) {
		problem(ck, "supernet",
			"supernet %s is a host route: it cannot be less specific than a site "
			"prefix; use a prefix covering every site, e.g. 10.100.0.0/19",
			prefix_fmt(p, s, sizeof(s)));
		return;
	}
	for (unsigned j = 0; j < i; j++) {
		if (prefix_cmp(p, &c->supernets[j]) == 0) {
			problem(ck, "supernet", "supernet %s is listed twice: keep one",
				prefix_fmt(p, s, sizeof(s)));
			return;
		}
	}
}

static void check_supernets(struct checker *ck, const struct edge_ars_conf *c)
{
	if (!c->n_supernets) {
		problem(ck, "supernet",
			"no supernet: the edge role attracts hairpin traffic with supernets; list "
			"at least one prefix covering the site prefixes, e.g. 10.100.0.0/19");
		return;
	}
	for (unsigned i = 0; i < c->n_supernets; i++)
		check_one_supernet(ck, c, i);
	if (c->max_routes && c->n_supernets > c->max_routes)
		problem(ck, "supernet",
			"%u supernets exceed max-routes %u: the route guard could not even send "
			"the supernets; list fewer supernets or raise max-routes",
			c->n_supernets, c->max_routes);
}

static void check_max_routes(struct checker *ck, const struct edge_ars_conf *c)
{
	if (c->max_routes >= 1 && c->max_routes <= EDGE_MAX_ROUTES_CEILING)
		return;
	problem(ck, "max-routes",
		"max-routes %u is out of range: ARS resets a peer that sends more than its limit "
		"(1,000 by default, 4,000 when raised); use 1..%u (default %u)",
		c->max_routes, EDGE_MAX_ROUTES_CEILING, EDGE_MAX_ROUTES_DEFAULT);
}

unsigned edge_check(const struct edge_ars_conf *c, uint32_t local_asn, edge_problem_fn fn,
		    void *ctx)
{
	struct checker ck = { .fn = fn, .ctx = ctx, .n = 0 };

	check_asn(&ck, local_asn);
	check_peers(&ck, c);
	check_next_hop(&ck, c);
	check_max_routes(&ck, c);
	check_supernets(&ck, c);
	if (c->role != EDGE_ROLE_PRIMARY && c->role != EDGE_ROLE_SECONDARY)
		problem(&ck, "role", "role %d is unknown: use primary or secondary", (int)c->role);
	return ck.n;
}

static void collect_problem(void *ctx, const char *node, const char *msg)
{
	struct text *t = ctx;

	text_add(t, "%s%s: %s", t->len ? "\n" : "", node, msg);
}

int edge_validate(const struct edge_ars_conf *c, uint32_t local_asn, char *err, size_t errlen)
{
	struct text t;

	text_init(&t, err, err ? errlen : 0);
	return edge_check(c, local_asn, err && errlen ? collect_problem : NULL, &t) ? -1 : 0;
}

/* ---- expansion ---- */

void edge_neighbors(const struct edge_ars_conf *c, struct edge_neighbor out[2])
{
	for (unsigned i = 0; i < 2; i++) {
		struct edge_neighbor *n = &out[i];

		memset(n, 0, sizeof(*n));
		n->addr = c->peers[i];
		n->remote_as = EDGE_ARS_ASN;
		n->ebgp_multihop = EDGE_ARS_MULTIHOP;
		n->keepalive = EDGE_ARS_KEEPALIVE;
		n->hold = EDGE_ARS_HOLD;
		n->soft_reconfig_in = true;
		n->route_refresh = true;
		n->ipv4_only = true;
		n->route_map_in = EDGE_RM_IN;
		n->route_map_out = EDGE_RM_OUT;
		snprintf(n->description, sizeof(n->description), "Azure Route Server instance %u",
			 i + 1);
	}
}

/* Seed 002, verbatim. */
static const struct edge_aspath_entry builtin_aspath[] = {
	{ EDGE_ASPATH_AZURE, 5, POLICY_PERMIT, "_65515_" },
	{ EDGE_ASPATH_BOGON, 5, POLICY_PERMIT, "_0_" },
	{ EDGE_ASPATH_BOGON, 10, POLICY_PERMIT, "_23456_" },
	{ EDGE_ASPATH_BOGON, 15, POLICY_PERMIT, "_1310[0-6][0-9]_|_13107[0-1]_" },
	{ EDGE_ASPATH_BOGON, 20, POLICY_DENY, "_65515_" },
	{ EDGE_ASPATH_BOGON, 25, POLICY_PERMIT, "^65" },
};

/* Seed 002's rmap-bogon-asns and rmap-azure-asns, plus what the role adds to the permit. */
static const struct edge_rm_entry builtin_rm[] = {
	{ EDGE_RM_IN, 5, POLICY_DENY, EDGE_ASPATH_BOGON, false, false, false },
	{ EDGE_RM_IN, 10, POLICY_PERMIT, NULL, true, false, false },
	{ EDGE_RM_OUT, 5, POLICY_DENY, EDGE_ASPATH_AZURE, false, false, false },
	{ EDGE_RM_OUT, 10, POLICY_PERMIT, NULL, true, true, true },
};

const struct edge_aspath_entry *edge_builtin_aspath(size_t *n)
{
	*n = ARRAY_SIZE(builtin_aspath);
	return builtin_aspath;
}

const struct edge_rm_entry *edge_builtin_route_maps(size_t *n)
{
	*n = ARRAY_SIZE(builtin_rm);
	return builtin_rm;
}

unsigned edge_prepend_count(enum edge_role role)
{
	return role == EDGE_ROLE_SECONDARY ? EDGE_SECONDARY_PREPEND : 0;
}

bool edge_policy_seq_reserved(const char *route_map, uint32_t seq)
{
	if (!route_map || seq > EDGE_RM_RESERVED_SEQ_MAX)
		return false;
	return strcmp(route_map, EDGE_RM_IN) == 0 || strcmp(route_map, EDGE_RM_OUT) == 0;
}

static int install_aspath_lists(struct policy_set *ps, struct policy_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_aspath); i++) {
		const struct edge_aspath_entry *e = &builtin_aspath[i];
		struct aspath_list *l = policy_set_find_aspath_list(ps, e->list);

		/* the first entry of a list meets only what the user defined */
		if (l && (i == 0 || strcmp(builtin_aspath[i - 1].list, e->list) != 0) &&
		    aspath_list_count(l))
			return policy_fail(
				err,
				"as-path-list %s is built into the edge role (seed 002's "
				"list); give yours another name",
				e->list);
		l = policy_set_aspath_list(ps, e->list);
		if (!l)
			return policy_fail(err, "out of memory");
		if (aspath_list_add(l, e->seq, e->action, e->regex, err))
			return -1;
	}
	return 0;
}

static int install_sets(struct rm_entry *re, const struct edge_rm_entry *e,
			const struct edge_ars_conf *c, uint32_t local_asn, struct policy_err *err)
{
	unsigned n = edge_prepend_count(c->role);
	uint32_t asns[EDGE_SECONDARY_PREPEND];

	if (e->on_match_next && rm_on_match_next(re, err))
		return -1;
	if (e->set_role_prepend && n) {
		for (unsigned i = 0; i < n; i++)
			asns[i] = local_asn;
		if (rm_set_as_path_prepend(re, asns, n, err))
			return -1;
	}
	if (e->set_next_hop && c->next_hop.family && rm_set_nexthop(re, &c->next_hop, err))
		return -1;
	return 0;
}

static int install_route_maps(struct policy_set *ps, const struct edge_ars_conf *c,
			      uint32_t local_asn, struct policy_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_rm); i++) {
		const struct edge_rm_entry *e = &builtin_rm[i];
		struct route_map *rm = policy_set_route_map(ps, e->route_map);
		struct rm_entry *re;

		if (!rm)
			return policy_fail(err, "out of memory");
		re = route_map_add_entry(rm, e->seq, e->action, NULL);
		if (!re)
			return policy_fail(err,
					   "route-map %s seq %u is built into the edge role (seq "
					   "1-%u are reserved): number your entries from %u",
					   e->route_map, e->seq, EDGE_RM_RESERVED_SEQ_MAX,
					   EDGE_RM_RESERVED_SEQ_MAX + 1);
		if (e->match_as_path && rm_match_as_path(re, e->match_as_path, err))
			return -1;
		if (install_sets(re, e, c, local_asn, err))
			return -1;
	}
	return 0;
}

int edge_policy_install(struct policy_set *ps, const struct edge_ars_conf *c, uint32_t local_asn,
			struct policy_err *err)
{
	if (install_aspath_lists(ps, err))
		return -1;
	return install_route_maps(ps, c, local_asn, err);
}

/* ---- learned routes ---- */

static void array_foreach(void *ctx, edge_route_fn fn, void *arg)
{
	const struct edge_route_array *a = ctx;

	for (size_t i = 0; i < a->n; i++)
		fn(arg, &a->v[i]);
}

void edge_routes_from_array(struct edge_routes *rs, struct edge_route_array *arr)
{
	rs->foreach = array_foreach;
	rs->ctx = arr;
}

bool edge_route_is_er(const struct edge_route *r)
{
	return r->aspath && aspath_contains(r->aspath, EDGE_ER_ASN);
}

/* One distinct prefix with the path that names it (the shortest, then the first in text order). */
struct seen {
	struct prefix prefix;
	uint16_t path_len;
	char path[PATH_TEXT_LEN];
};

struct seen_set {
	struct seen *v;
	size_t n, cap;
	bool enomem;
};

/* "65515 12076 65150" -> "12076 65150": the part of the path beyond Azure. */
static void er_path_text(const struct aspath *p, char *out, size_t outlen)
{
	char full[PATH_TEXT_LEN];
	const char *s = full;

	aspath_fmt(p, full, sizeof(full));
	while (*s) {
		if (strncmp(s, "12076", 5) == 0 && (s[5] == ' ' || s[5] == '\0')) {
			snprintf(out, outlen, "%s", s);
			return;
		}
		s = strchr(s, ' ');
		if (!s)
			break;
		s++;
	}
	snprintf(out, outlen, "%s", full);
}

static void seen_add(struct seen_set *set, const struct edge_route *r, bool with_path)
{
	struct seen *e;

	if (set->enomem)
		return;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct seen *v = realloc(set->v, cap * sizeof(*v));

		if (!v) {
			set->enomem = true;
			return;
		}
		set->v = v;
		set->cap = cap;
	}
	e = &set->v[set->n++];
	e->prefix = *r->prefix;
	e->path_len = r->aspath ? r->aspath->path_len : 0;
	e->path[0] = '\0';
	if (with_path && r->aspath)
		er_path_text(r->aspath, e->path, sizeof(e->path));
}

static int seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = prefix_cmp(&x->prefix, &y->prefix);

	if (c)
		return c;
	if (x->path_len != y->path_len)
		return x->path_len < y->path_len ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Sorts and keeps the first entry of each prefix. */
static void seen_finish(struct seen_set *set)
{
	size_t out = 0;

	if (!set->n)
		return;
	qsort(set->v, set->n, sizeof(*set->v), seen_cmp);
	for (size_t i = 1; i < set->n; i++)
		if (prefix_cmp(&set->v[i].prefix, &set->v[out].prefix) != 0)
			set->v[++out] = set->v[i];
	set->n = out + 1;
}

/* ---- conditional advertisement ---- */

struct state_walk {
	const struct prefix *supernet;
	struct seen_set inside, other, covering;
};

static void state_visit(void *arg, const struct edge_route *r)
{
	struct state_walk *w = arg;

	if (!r->prefix || r->prefix->family != AF_INET)
		return;
	if (!edge_route_is_er(r)) {
		if (strictly_inside(r->prefix, w->supernet))
			seen_add(&w->other, r, false);
		return;
	}
	if (strictly_inside(r->prefix, w->supernet))
		seen_add(&w->inside, r, true);
	else if (equal_or_covering(r->prefix, w->supernet))
		seen_add(&w->covering, r, true);
}

static void state_reason(struct edge_supernet_state *st, const struct seen_set *inside,
			 bool conditional)
{
	struct text t;
	char p[ADDR_STRLEN + 4];

	text_init(&t, st->reason, sizeof(st->reason));
	if (!conditional)
		text_add(&t, "conditional advertisement off: always advertised; ");
	if (!inside->n) {
		text_add(&t, "no ER-learned route inside");
		if (st->n_other)
			text_add(&t, " (%u route%s inside without %u in the path do%s not count)",
				 st->n_other, st->n_other == 1 ? "" : "s", EDGE_ER_ASN,
				 st->n_other == 1 ? "es" : "");
		return;
	}
	text_add(&t, "%zu ER route%s inside (", inside->n, inside->n == 1 ? "" : "s");
	for (size_t i = 0; i < inside->n && i < REASON_SHOW; i++)
		text_add(&t, "%s%s via %s", i ? ", " : "",
			 prefix_fmt(&inside->v[i].prefix, p, sizeof(p)), inside->v[i].path);
	if (inside->n > REASON_SHOW)
		text_add(&t, ", and %zu more", inside->n - REASON_SHOW);
	text_add(&t, ")");
}

static void state_warning(struct edge_supernet_state *st, const struct prefix *supernet,
			  const struct seen_set *covering)
{
	char p[ADDR_STRLEN + 4], s[ADDR_STRLEN + 4];
	struct text t;

	text_init(&t, st->warning, sizeof(st->warning));
	prefix_fmt(supernet, s, sizeof(s));
	for (size_t i = 0; i < covering->n; i++) {
		const struct seen *e = &covering->v[i];
		unsigned want = e->prefix.len ? e->prefix.len - 1u : 0;

		text_add(&t,
			 "%sER-learned %s (via %s) is not more specific than supernet %s, so it "
			 "does not hairpin through the NVA",
			 i ? "; " : "", prefix_fmt(&e->prefix, p, sizeof(p)), e->path, s);
		if (e->prefix.len)
			text_add(&t, ": make the supernet /%u or shorter", want);
		else
			text_add(&t, ": a default route from ExpressRoute cannot be covered");
	}
}

int edge_supernet_state(const struct prefix *supernet, bool conditional,
			const struct edge_routes *routes, struct edge_supernet_state *st)
{
	struct state_walk w = { .supernet = supernet };
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (routes && routes->foreach)
		routes->foreach (routes->ctx, state_visit, &w);
	if (w.inside.enomem || w.other.enomem || w.covering.enomem) {
		snprintf(st->reason, sizeof(st->reason), "out of memory");
		rc = -1;
		goto out;
	}
	seen_finish(&w.inside);
	seen_finish(&w.other);
	seen_finish(&w.covering);
	st->n_er = (unsigned)w.inside.n;
	st->n_other = (unsigned)w.other.n;
	st->n_warnings = (unsigned)w.covering.n;
	st->advertise = !conditional || st->n_er > 0;
	state_reason(st, &w.inside, conditional);
	state_warning(st, supernet, &w.covering);
out:
	free(w.inside.v);
	free(w.other.v);
	free(w.covering.v);
	return rc;
}

/* ---- route-count guard ---- */

void edge_route_guard(size_t candidates, size_t supernets, size_t reserved, uint32_t max_routes,
		      struct edge_guard *g)
{
	size_t counted = candidates + reserved;
	struct text t;

	memset(g, 0, sizeof(*g));
	text_init(&t, g->text, sizeof(g->text));
	if (counted <= max_routes) {
		g->mode = EDGE_GUARD_SEND_ALL;
		g->sent = candidates;
		g->near = (uint64_t)counted * 100 >= (uint64_t)max_routes * EDGE_NEAR_LIMIT_PERCENT;
		text_add(&t, "%zu of max-routes %u routes sent to Azure Route Server", candidates,
			 max_routes);
		if (reserved)
			text_add(&t, " (room kept for %zu withdrawn supernet%s)", reserved,
				 reserved == 1 ? "" : "s");
		if (g->near)
			text_add(&t, ": close to the limit");
		return;
	}
	g->alarm = true;
	if (supernets <= max_routes) {
		g->mode = EDGE_GUARD_SUPERNETS_ONLY;
		g->sent = supernets;
		text_add(&t, "policy would send %zu routes to Azure Route Server", candidates);
		if (reserved)
			text_add(&t, " (and room is kept for %zu withdrawn supernet%s)", reserved,
				 reserved == 1 ? "" : "s");
		text_add(&t,
			 ", above max-routes %u (ARS resets the session above its limit): sending "
			 "the supernets only (%zu advertised); narrow the outbound policy or raise "
			 "max-routes (ARS accepts up to 4,000 when its limit is raised)",
			 max_routes, supernets);
		return;
	}
	g->mode = EDGE_GUARD_SEND_NOTHING;
	g->sent = 0;
	text_add(&t,
		 "even the %zu supernets exceed max-routes %u: sending nothing to Azure Route "
		 "Server; list fewer supernets or raise max-routes",
		 supernets, max_routes);
}

/* ---- GatewaySubnet UDRs ---- */

struct udr_walk {
	const struct edge_ars_conf *c;
	struct seen_set set;
};

static void udr_visit(void *arg, const struct edge_route *r)
{
	struct udr_walk *w = arg;

	if (!r->prefix || r->prefix->family != AF_INET || !edge_route_is_er(r))
		return;
	for (unsigned i = 0; i < w->c->n_supernets; i++) {
		if (strictly_inside(r->prefix, &w->c->supernets[i])) {
			seen_add(&w->set, r, false);
			return;
		}
	}
}

int edge_udrs(const struct edge_ars_conf *c, const struct ipaddr *nva_addr,
	      const struct edge_routes *routes, struct edge_udr **out, size_t *n)
{
	struct udr_walk w = { .c = c };
	const struct ipaddr *nh = c->next_hop.family ? &c->next_hop : nva_addr;
	struct edge_udr *v = NULL;

	*out = NULL;
	*n = 0;
	if (!nh || nh->family != AF_INET)
		return -1;
	if (routes && routes->foreach)
		routes->foreach (routes->ctx, udr_visit, &w);
	if (w.set.enomem) {
		free(w.set.v);
		return -1;
	}
	seen_finish(&w.set);
	if (w.set.n) {
		v = calloc(w.set.n, sizeof(*v));
		if (!v) {
			free(w.set.v);
			return -1;
		}
	}
	for (size_t i = 0; i < w.set.n; i++) {
		v[i].prefix = w.set.v[i].prefix;
		v[i].next_hop = *nh;
	}
	free(w.set.v);
	*out = v;
	*n = w.set.n;
	return 0;
}

int edge_udr_name(const struct edge_udr *u, char *out, size_t outlen)
{
	const uint8_t *b = u->prefix.bytes;

	return snprintf(out, outlen, "site-%u-%u-%u-%u-%u", b[0], b[1], b[2], b[3], u->prefix.len);
}

/* Azure names that a shell takes as they are; anything else is single-quoted. */
static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static void add_shell_word(struct text *t, const char *s)
{
	if (shell_safe(s)) {
		text_add(t, "%s", s);
		return;
	}
	text_add(t, "'");
	for (; *s; s++) {
		if (*s == '\'')
			text_add(t, "'\\''");
		else
			text_add(t, "%c", *s);
	}
	text_add(t, "'");
}

int edge_az_command(const struct edge_udr *u, const char *route_table, const char *resource_group,
		    char *out, size_t outlen)
{
	char name[48], p[ADDR_STRLEN + 4], nh[ADDR_STRLEN];
	struct text t;

	if (!outlen)
		return -1;
	text_init(&t, out, outlen);
	edge_udr_name(u, name, sizeof(name));
	text_add(&t, "az network route-table route create --resource-group ");
	if (resource_group)
		add_shell_word(&t, resource_group);
	else
		text_add(&t, "<resource-group>");
	text_add(&t, " --route-table-name ");
	if (route_table)
		add_shell_word(&t, route_table);
	else
		text_add(&t, "<route-table>");
	text_add(&t,
		 " --name %s --address-prefix %s --next-hop-type VirtualAppliance "
		 "--next-hop-ip-address %s",
		 name, prefix_fmt(&u->prefix, p, sizeof(p)),
		 ipaddr_fmt(&u->next_hop, nh, sizeof(nh)));
	if (t.cut)
		return -1;
	return (int)t.len;
}

/* ---- sysctls ---- */

struct sysctl_def {
	const char *conf; /* NULL: not under net.ipv4.conf */
	const char *key;  /* full key when conf is NULL, else the leaf */
	int want;
	const char *why;
};

static const struct sysctl_def sysctl_defs[EDGE_SYSCTL_COUNT] = {
	[EDGE_SYSCTL_IP_FORWARD] = { NULL, "net.ipv4.ip_forward", 1,
				     "the NVA must forward the hairpin traffic" },
	[EDGE_SYSCTL_REDIRECTS_ALL] = { "all", "send_redirects", 0,
					"an ICMP redirect would send the sites around the NVA" },
	[EDGE_SYSCTL_REDIRECTS_DEFAULT] = { "default", "send_redirects", 0,
					    "interfaces created later would send redirects" },
	[EDGE_SYSCTL_REDIRECTS_IFACE] = { "", "send_redirects", 0,
					  "the kernel sends redirects when either this or "
					  "conf.all is 1" },
};

static bool ifname_ok(const char *ifname)
{
	size_t len;

	if (!ifname)
		return false;
	len = strlen(ifname);
	/* IFNAMSIZ 16 with the NUL; "." and ".." would name other directories */
	return len && len < 16 && !strchr(ifname, '/') && strcmp(ifname, ".") != 0 &&
	       strcmp(ifname, "..") != 0;
}

int edge_sysctl_prepare(enum edge_sysctl_id id, const char *ifname, struct edge_sysctl_check *chk)
{
	const struct sysctl_def *d;
	char keyname[20];
	const char *conf;

	memset(chk, 0, sizeof(*chk));
	chk->have = -1;
	if ((unsigned)id >= EDGE_SYSCTL_COUNT)
		return -1;
	d = &sysctl_defs[id];
	chk->id = id;
	chk->want = d->want;
	if (!d->conf) {
		snprintf(chk->key, sizeof(chk->key), "%s", d->key);
		snprintf(chk->path, sizeof(chk->path), "/proc/sys/net/ipv4/ip_forward");
		return 0;
	}
	conf = d->conf;
	if (!*conf) {
		if (!ifname_ok(ifname))
			return -1;
		conf = ifname;
	}
	/* sysctl(8) writes a dot inside a name ("eth0.100", a VLAN) as a slash */
	snprintf(keyname, sizeof(keyname), "%s", conf);
	for (char *s = keyname; *s; s++)
		if (*s == '.')
			*s = '/';
	snprintf(chk->key, sizeof(chk->key), "net.ipv4.conf.%s.%s", keyname, d->key);
	snprintf(chk->path, sizeof(chk->path), "/proc/sys/net/ipv4/conf/%s/%s", conf, d->key);
	return 0;
}

void edge_sysctl_eval(struct edge_sysctl_check *chk, int have)
{
	const struct sysctl_def *d = &sysctl_defs[chk->id];
	struct text t;

	chk->have = have;
	chk->ok = have == chk->want;
	text_init(&t, chk->text, sizeof(chk->text));
	if (chk->ok) {
		text_add(&t, "%s = %d (ok)", chk->key, have);
		return;
	}
	if (have < 0)
		text_add(&t, "%s could not be read, want %d", chk->key, chk->want);
	else
		text_add(&t, "%s = %d, want %d", chk->key, have, chk->want);
	text_add(&t, ": %s; fix: sysctl -w %s=%d (or set manage-sysctls)", d->why, chk->key,
		 chk->want);
}
