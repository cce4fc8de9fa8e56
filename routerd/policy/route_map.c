/*
 * Route-maps: entries sorted by seq, each with at most one clause of every
 * match and set kind, evaluated through two handler tables.
 *
 * Match clauses run in table order, cheapest first (they are ANDed, so the
 * order changes only the cost). Set clauses run in table order too, which
 * fixes the outcome when an entry has several: deletions before additions
 * (Cisco applies `set comm-list delete` before `set community`; likewise
 * `as-path exclude` before `prepend`, so a prepended ASN is never excluded).
 *
 * The route in flight starts as the interned input; the first set clause
 * copies it into the result template (taking references), so routes that
 * only pass through cost no copy and no re-interning.
 */
#include "routerd/policy/route_map.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/policy/aspath_edit.h"
#include "routerd/policy/aspath_regex.h"
#include "routerd/policy/community_list.h"
#include "routerd/policy/prefix_list.h"
#include "routerd/policy/route_map_internal.h"

#define RM_SEQ_MAX  65535u /* FRR: route-map NAME permit|deny (1-65535) */
#define LAST_AS_MAX 10u	   /* FRR: set as-path prepend last-as (1-10) */
#define ADJUST_BASE 0u	   /* FRR: +N/-N start from 0 when the attribute is absent */

enum rm_exit {
	RM_EXIT,
	RM_NEXT,
	RM_GOTO,
};

enum rm_match_kind {
	RM_M_SOURCE_PROTOCOL,
	RM_M_INTERFACE,
	RM_M_LOCAL_PREF,
	RM_M_METRIC,
	RM_M_PREFIX_LIST,
	RM_M_NEXTHOP_PREFIX_LIST,
	RM_M_AS_PATH,
	RM_M_COMMUNITY,
	RM_M_LARGE_COMMUNITY,
	RM_M_COUNT,
};

enum rm_set_kind {
	RM_S_ORIGIN,
	RM_S_LOCAL_PREF,
	RM_S_METRIC,
	RM_S_WEIGHT,
	RM_S_AS_EXCLUDE,
	RM_S_AS_PREPEND,
	RM_S_COMMUNITY_DELETE,
	RM_S_COMMUNITY,
	RM_S_LARGE_COMMUNITY_DELETE,
	RM_S_LARGE_COMMUNITY,
	RM_S_NEXTHOP,
	RM_S_COUNT,
};

/* Sub-modes of the set clauses that have several forms. */
enum rm_mode {
	RM_MODE_PLAIN,	   /* prepend ASNs, exclude ASNs, community replace, next-hop address */
	RM_MODE_LAST_AS,   /* prepend last-as */
	RM_MODE_ALL,	   /* exclude all */
	RM_MODE_ADDITIVE,  /* community additive */
	RM_MODE_NONE,	   /* community none */
	RM_MODE_PEER,	   /* next-hop peer-address */
	RM_MODE_UNCHANGED, /* next-hop unchanged */
};

struct rm_match {
	char *name; /* list or interface */
	void *list; /* resolved list */
	bool exact;
	uint32_t value; /* local-preference, metric, protocol */
};

struct rm_set {
	enum rm_mode mode;
	enum rm_adjust how;
	uint32_t value; /* origin, local-preference, metric, weight, last-as count */
	void *vals;	/* ASNs, communities or large communities */
	size_t n;
	char *name; /* list to delete by */
	void *list;
	struct ipaddr addr;
};

struct rm_entry {
	struct route_map *rm;
	uint32_t seq;
	enum policy_action action;
	enum rm_exit exit;
	uint32_t goto_seq;
	size_t goto_idx; /* first entry with seq >= goto_seq; resolved at build */
	uint32_t match_mask, set_mask;
	struct rm_match m[RM_M_COUNT];
	struct rm_set s[RM_S_COUNT];
};

struct route_map {
	char *name;
	struct rm_entry **ent; /* sorted by seq */
	size_t n, cap;
	bool resolved;
};

/* The route in flight. */
struct rm_ctx {
	const struct policy_route *r;
	struct attr_pool *pool;
	const struct attrs *cur; /* the input, then res->attrs once a set clause ran */
	struct policy_result *res;
};

/* ---- match handlers ---- */

static bool match_proto(const struct rm_match *m, const struct rm_ctx *c)
{
	return (uint32_t)c->r->proto == m->value;
}

static bool match_interface(const struct rm_match *m, const struct rm_ctx *c)
{
	return c->r->ifname && strcmp(c->r->ifname, m->name) == 0;
}

/* FRR compares the stored value, which is 0 when the attribute is absent. */
static bool match_local_pref(const struct rm_match *m, const struct rm_ctx *c)
{
	uint32_t lp = (c->cur->flags & ATTR_HAS_LOCAL_PREF) ? c->cur->local_pref : 0;

	return lp == m->value;
}

static bool match_metric(const struct rm_match *m, const struct rm_ctx *c)
{
	uint32_t med = (c->cur->flags & ATTR_HAS_MED) ? c->cur->med : 0;

	return med == m->value;
}

static bool match_prefix_list(const struct rm_match *m, const struct rm_ctx *c)
{
	return prefix_list_match(m->list, c->r->prefix) == POLICY_PERMIT;
}

/* The next hop as a host prefix; the link-local one when only that was sent. */
static bool nexthop_prefix(const struct attrs *a, struct prefix *p)
{
	const struct ipaddr *nh = &a->nexthop;
	static const uint8_t zero[16];

	if (nh->family == AF_INET6 && !memcmp(nh->bytes, zero, 16) && a->nexthop_ll.family)
		nh = &a->nexthop_ll;
	if (nh->family != AF_INET && nh->family != AF_INET6)
		return false;
	p->family = nh->family;
	p->len = nh->family == AF_INET ? 32 : 128;
	memcpy(p->bytes, nh->bytes, sizeof(p->bytes));
	return true;
}

static bool match_nexthop_prefix_list(const struct rm_match *m, const struct rm_ctx *c)
{
	struct prefix p;

	return nexthop_prefix(c->cur, &p) && prefix_list_match(m->list, &p) == POLICY_PERMIT;
}

static bool match_as_path(const struct rm_match *m, const struct rm_ctx *c)
{
	return aspath_list_match(m->list, c->cur->aspath) == POLICY_PERMIT;
}

static bool match_community(const struct rm_match *m, const struct rm_ctx *c)
{
	return comm_list_match(m->list, c->cur->communities, m->exact);
}

static bool match_large_community(const struct rm_match *m, const struct rm_ctx *c)
{
	return lcomm_list_match(m->list, c->cur->lcommunities, m->exact);
}

struct match_op {
	const char *name;
	enum rm_list_kind list;
	bool (*eval)(const struct rm_match *m, const struct rm_ctx *c);
};

static const struct match_op match_ops[RM_M_COUNT] = {
	[RM_M_SOURCE_PROTOCOL] = { "source-protocol", RM_LIST_NONE, match_proto },
	[RM_M_INTERFACE] = { "interface", RM_LIST_NONE, match_interface },
	[RM_M_LOCAL_PREF] = { "local-preference", RM_LIST_NONE, match_local_pref },
	[RM_M_METRIC] = { "metric", RM_LIST_NONE, match_metric },
	[RM_M_PREFIX_LIST] = { "prefix-list", RM_LIST_PREFIX, match_prefix_list },
	[RM_M_NEXTHOP_PREFIX_LIST] = { "next-hop prefix-list", RM_LIST_PREFIX,
				       match_nexthop_prefix_list },
	[RM_M_AS_PATH] = { "as-path", RM_LIST_ASPATH, match_as_path },
	[RM_M_COMMUNITY] = { "community", RM_LIST_COMMUNITY, match_community },
	[RM_M_LARGE_COMMUNITY] = { "large-community", RM_LIST_LARGE_COMMUNITY,
				   match_large_community },
};

/* ---- set handlers ---- */

/* The template, made on first use: a copy of the input holding its own references. */
static struct attrs *writable(struct rm_ctx *c)
{
	struct attrs *a = &c->res->attrs;

	if (c->res->modified)
		return a;
	memcpy(a, c->r->attrs, sizeof(*a)); /* padding too: attrs compare as bytes */
	a->hnext = NULL;
	a->hash = 0;
	a->refcnt = 0;
	aspath_ref(a->aspath);
	community_list_ref(a->communities);
	lcommunity_list_ref(a->lcommunities);
	attr_blob_ref(a->unknown);
	c->res->modified = true;
	c->cur = a;
	return a;
}

static uint32_t adjust(enum rm_adjust how, uint32_t base, uint32_t v)
{
	if (how == RM_ADD)
		return base > UINT32_MAX - v ? UINT32_MAX : base + v;
	if (how == RM_SUB)
		return base > v ? base - v : 0;
	return v;
}

static int set_origin(const struct rm_set *s, struct rm_ctx *c)
{
	writable(c)->origin = (uint8_t)s->value;
	return 0;
}

static int set_local_pref(const struct rm_set *s, struct rm_ctx *c)
{
	struct attrs *a = writable(c);
	uint32_t base = (a->flags & ATTR_HAS_LOCAL_PREF) ? a->local_pref : ADJUST_BASE;

	a->local_pref = adjust(s->how, base, s->value);
	a->flags |= ATTR_HAS_LOCAL_PREF;
	return 0;
}

static int set_metric(const struct rm_set *s, struct rm_ctx *c)
{
	struct attrs *a = writable(c);
	uint32_t base = (a->flags & ATTR_HAS_MED) ? a->med : ADJUST_BASE;

	a->med = adjust(s->how, base, s->value);
	a->flags |= ATTR_HAS_MED;
	return 0;
}

static int set_weight(const struct rm_set *s, struct rm_ctx *c)
{
	writable(c)->weight = s->value;
	return 0;
}

static int replace_aspath(struct rm_ctx *c, struct aspath *np)
{
	struct attrs *a;

	if (!np)
		return -1;
	a = writable(c);
	aspath_unref(c->pool, a->aspath);
	a->aspath = np;
	return 0;
}

static int set_as_exclude(const struct rm_set *s, struct rm_ctx *c)
{
	if (s->mode == RM_MODE_ALL)
		return replace_aspath(c, aspath_intern(c->pool, NULL, 0));
	return replace_aspath(c, policy_aspath_exclude(c->pool, c->cur->aspath, s->vals, s->n));
}

/*
 * prepend last-as repeats the leftmost AS of a leading AS_SEQUENCE. FRR 8.4
 * leaves the path alone when there is none (empty path, leading AS_SET) or it
 * is 0 (tests/unit/test_policy_frr.c has FRR's own verdicts); older FRR fell
 * back to the peer's AS.
 */
static int set_as_prepend(const struct rm_set *s, struct rm_ctx *c)
{
	uint32_t asn;

	if (s->mode == RM_MODE_PLAIN)
		return replace_aspath(
			c, policy_aspath_prepend(c->pool, c->cur->aspath, s->vals, s->n));
	asn = c->cur->aspath ? c->cur->aspath->neighbor_as : 0;
	if (!asn)
		return 0;
	return replace_aspath(c,
			      policy_aspath_prepend_repeat(c->pool, c->cur->aspath, asn, s->value));
}

static int replace_communities(struct rm_ctx *c, struct community_list *nc, bool ok)
{
	struct attrs *a;

	if (!ok)
		return -1;
	a = writable(c);
	community_list_unref(c->pool, a->communities);
	a->communities = nc;
	return 0;
}

static int set_community_delete(const struct rm_set *s, struct rm_ctx *c)
{
	struct community_list *out;

	if (!c->cur->communities)
		return 0;
	if (comm_list_delete(s->list, c->pool, c->cur->communities, &out))
		return -1;
	return replace_communities(c, out, true);
}

/* Existing values followed by the new ones; the pool sorts and deduplicates. */
static struct community_list *community_union(struct rm_ctx *c, const struct rm_set *s)
{
	const struct community_list *old = c->cur->communities;
	size_t n = (old ? old->n : 0) + s->n;
	uint32_t *v = malloc(n * sizeof(*v));
	struct community_list *nc;

	if (!v)
		return NULL;
	if (old)
		memcpy(v, old->v, old->n * sizeof(*v));
	memcpy(v + (old ? old->n : 0), s->vals, s->n * sizeof(*v));
	nc = community_list_intern(c->pool, v, n);
	free(v);
	return nc;
}

static int set_community(const struct rm_set *s, struct rm_ctx *c)
{
	struct community_list *nc = NULL;

	if (s->mode == RM_MODE_NONE)
		return replace_communities(c, NULL, true);
	if (s->mode == RM_MODE_ADDITIVE)
		nc = community_union(c, s);
	else
		nc = community_list_intern(c->pool, s->vals, s->n);
	return replace_communities(c, nc, nc != NULL);
}

static int replace_lcommunities(struct rm_ctx *c, struct lcommunity_list *nc, bool ok)
{
	struct attrs *a;

	if (!ok)
		return -1;
	a = writable(c);
	lcommunity_list_unref(c->pool, a->lcommunities);
	a->lcommunities = nc;
	return 0;
}

static int set_large_community_delete(const struct rm_set *s, struct rm_ctx *c)
{
	struct lcommunity_list *out;

	if (!c->cur->lcommunities)
		return 0;
	if (lcomm_list_delete(s->list, c->pool, c->cur->lcommunities, &out))
		return -1;
	return replace_lcommunities(c, out, true);
}

static struct lcommunity_list *lcommunity_union(struct rm_ctx *c, const struct rm_set *s)
{
	const struct lcommunity_list *old = c->cur->lcommunities;
	size_t n = (old ? old->n : 0) + s->n;
	struct lcommunity *v = malloc(n * sizeof(*v));
	struct lcommunity_list *nc;

	if (!v)
		return NULL;
	if (old)
		memcpy(v, old->v, old->n * sizeof(*v));
	memcpy(v + (old ? old->n : 0), s->vals, s->n * sizeof(*v));
	nc = lcommunity_list_intern(c->pool, v, n);
	free(v);
	return nc;
}

static int set_large_community(const struct rm_set *s, struct rm_ctx *c)
{
	struct lcommunity_list *nc = NULL;

	if (s->mode == RM_MODE_NONE)
		return replace_lcommunities(c, NULL, true);
	if (s->mode == RM_MODE_ADDITIVE)
		nc = lcommunity_union(c, s);
	else
		nc = lcommunity_list_intern(c->pool, s->vals, s->n);
	return replace_lcommunities(c, nc, nc != NULL);
}

static bool is_v6_linklocal(const struct ipaddr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

/*
 * attr.h keeps an IPv6 link-local next hop in nexthop_ll with :: as the
 * global one; an IPv4 next hop has no link-local companion.
 */
static void put_nexthop(struct attrs *a, const struct ipaddr *addr)
{
	if (is_v6_linklocal(addr)) {
		memset(&a->nexthop, 0, sizeof(a->nexthop));
		a->nexthop.family = AF_INET6;
		a->nexthop_ll = *addr;
		return;
	}
	a->nexthop = *addr;
	if (addr->family == AF_INET)
		memset(&a->nexthop_ll, 0, sizeof(a->nexthop_ll));
}

static int set_nexthop(const struct rm_set *s, struct rm_ctx *c)
{
	if (s->mode == RM_MODE_UNCHANGED) {
		c->res->nexthop_unchanged = true;
		return 0;
	}
	if (s->mode == RM_MODE_PEER && !c->r->peer_address)
		return 0;
	put_nexthop(writable(c), s->mode == RM_MODE_PEER ? c->r->peer_address : &s->addr);
	return 0;
}

struct set_op {
	const char *name;
	enum rm_list_kind list;
	int (*apply)(const struct rm_set *s, struct rm_ctx *c);
};

static const struct set_op set_ops[RM_S_COUNT] = {
	[RM_S_ORIGIN] = { "origin", RM_LIST_NONE, set_origin },
	[RM_S_LOCAL_PREF] = { "local-preference", RM_LIST_NONE, set_local_pref },
	[RM_S_METRIC] = { "metric", RM_LIST_NONE, set_metric },
	[RM_S_WEIGHT] = { "weight", RM_LIST_NONE, set_weight },
	[RM_S_AS_EXCLUDE] = { "as-path exclude", RM_LIST_NONE, set_as_exclude },
	[RM_S_AS_PREPEND] = { "as-path prepend", RM_LIST_NONE, set_as_prepend },
	[RM_S_COMMUNITY_DELETE] = { "comm-list delete", RM_LIST_COMMUNITY, set_community_delete },
	[RM_S_COMMUNITY] = { "community", RM_LIST_NONE, set_community },
	[RM_S_LARGE_COMMUNITY_DELETE] = { "large-comm-list delete", RM_LIST_LARGE_COMMUNITY,
					  set_large_community_delete },
	[RM_S_LARGE_COMMUNITY] = { "large-community", RM_LIST_NONE, set_large_community },
	[RM_S_NEXTHOP] = { "next-hop", RM_LIST_NONE, set_nexthop },
};

/* ---- evaluation ---- */

/* Visits only the clauses present, lowest kind first (the tables' order). */
static bool entry_matches(const struct rm_entry *e, const struct rm_ctx *c)
{
	for (uint32_t m = e->match_mask; m; m &= m - 1) {
		unsigned k = (unsigned)__builtin_ctz(m);

		if (!match_ops[k].eval(&e->m[k], c))
			return false;
	}
	return true;
}

static int entry_sets(const struct rm_entry *e, struct rm_ctx *c)
{
	for (uint32_t m = e->set_mask; m; m &= m - 1) {
		unsigned k = (unsigned)__builtin_ctz(m);

		if (set_ops[k].apply(&e->s[k], c))
			return -1;
	}
	return 0;
}

void policy_result_release(struct attr_pool *pool, struct policy_result *res)
{
	struct attrs *a = &res->attrs;

	if (!res->modified)
		return;
	aspath_unref(pool, a->aspath);
	community_list_unref(pool, a->communities);
	lcommunity_list_unref(pool, a->lcommunities);
	attr_blob_unref(pool, a->unknown);
	memset(a, 0, sizeof(*a));
	res->modified = false;
}

/* Runs the entries; see route_map.h for the rules and the fall-off-the-end case. */
static enum policy_action run(const struct route_map *rm, struct rm_ctx *c)
{
	enum policy_action verdict = POLICY_DENY;
	size_t i = 0;

	while (i < rm->n) {
		const struct rm_entry *e = rm->ent[i];

		if (!entry_matches(e, c)) {
			verdict = POLICY_DENY;
			i++;
			continue;
		}
		if (e->action == POLICY_DENY)
			return POLICY_DENY;
		if (entry_sets(e, c)) {
			c->res->enomem = true;
			return POLICY_DENY;
		}
		verdict = POLICY_PERMIT;
		if (e->exit == RM_EXIT)
			break;
		i = e->exit == RM_NEXT ? i + 1 : e->goto_idx;
	}
	return verdict;
}

enum policy_action route_map_apply(const struct route_map *rm, struct attr_pool *pool,
				   const struct policy_route *r, struct policy_result *res)
{
	struct rm_ctx c = { .r = r, .pool = pool, .cur = r->attrs, .res = res };
	enum policy_action verdict;

	/* res->attrs is written by the first set clause (writable()): most routes pass untouched */
	res->modified = false;
	res->nexthop_unchanged = false;
	res->enomem = false;
	verdict = rm->resolved ? run(rm, &c) : POLICY_DENY;
	if (verdict == POLICY_DENY)
		policy_result_release(pool, res);
	return verdict;
}

/* ---- building ---- */

struct route_map *route_map_new(const char *name)
{
	struct route_map *rm = calloc(1, sizeof(*rm));

	if (!rm)
		return NULL;
	rm->name = strdup(name ? name : "");
	if (!rm->name) {
		free(rm);
		return NULL;
	}
	return rm;
}

static void entry_free(struct rm_entry *e)
{
	for (unsigned k = 0; k < RM_M_COUNT; k++)
		free(e->m[k].name);
	for (unsigned k = 0; k < RM_S_COUNT; k++) {
		free(e->s[k].vals);
		free(e->s[k].name);
	}
	free(e);
}

void route_map_free(struct route_map *rm)
{
	if (!rm)
		return;
	for (size_t i = 0; i < rm->n; i++)
		entry_free(rm->ent[i]);
	free(rm->ent);
	free(rm->name);
	free(rm);
}

const char *route_map_name(const struct route_map *rm)
{
	return rm->name;
}

size_t route_map_count(const struct route_map *rm)
{
	return rm->n;
}

static size_t seq_pos(const struct route_map *rm, uint32_t seq)
{
	size_t i = 0;

	while (i < rm->n && rm->ent[i]->seq < seq)
		i++;
	return i;
}

static int grow_entries(struct route_map *rm)
{
	size_t ncap;
	struct rm_entry **ne;

	if (rm->n < rm->cap)
		return 0;
	ncap = rm->cap ? rm->cap * 2 : 8;
	ne = realloc(rm->ent, ncap * sizeof(*ne));
	if (!ne)
		return -1;
	rm->ent = ne;
	rm->cap = ncap;
	return 0;
}

struct rm_entry *route_map_add_entry(struct route_map *rm, uint32_t seq, enum policy_action action,
				     struct policy_err *err)
{
	size_t pos = seq_pos(rm, seq);
	struct rm_entry *e;

	if (seq == 0 || seq > RM_SEQ_MAX) {
		policy_fail(err, "route-map %s: seq %u out of range 1-%u", rm->name, seq,
			    RM_SEQ_MAX);
		return NULL;
	}
	if (pos < rm->n && rm->ent[pos]->seq == seq) {
		policy_fail(err, "route-map %s: duplicate seq %u", rm->name, seq);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e || grow_entries(rm)) {
		free(e);
		policy_fail(err, "route-map %s: out of memory", rm->name);
		return NULL;
	}
	e->rm = rm;
	e->seq = seq;
	e->action = action;
	memmove(&rm->ent[pos + 1], &rm->ent[pos], (rm->n - pos) * sizeof(*rm->ent));
	rm->ent[pos] = e;
	rm->n++;
	rm->resolved = false;
	return e;
}

static int exit_policy(struct rm_entry *e, enum rm_exit how, uint32_t seq, struct policy_err *err)
{
	const char *rn = e->rm->name;

	/* FRR refuses these: a matching deny entry always ends processing. */
	if (e->action == POLICY_DENY)
		return policy_fail(err, "route-map %s seq %u: on-match/continue on a deny entry",
				   rn, e->seq);
	if (e->exit != RM_EXIT)
		return policy_fail(err, "route-map %s seq %u: exit policy given twice", rn, e->seq);
	if (how == RM_GOTO && (seq <= e->seq || seq > RM_SEQ_MAX))
		return policy_fail(err, "route-map %s seq %u: on-match goto %u must jump forward",
				   rn, e->seq, seq);
	e->exit = how;
	e->goto_seq = seq;
	return 0;
}

int rm_on_match_next(struct rm_entry *e, struct policy_err *err)
{
	return exit_policy(e, RM_NEXT, 0, err);
}

int rm_on_match_goto(struct rm_entry *e, uint32_t seq, struct policy_err *err)
{
	return exit_policy(e, RM_GOTO, seq, err);
}

static struct rm_match *claim_match(struct rm_entry *e, enum rm_match_kind k,
				    struct policy_err *err)
{
	if (e->match_mask & (1u << k)) {
		policy_fail(err, "route-map %s seq %u: match %s given twice", e->rm->name, e->seq,
			    match_ops[k].name);
		return NULL;
	}
	e->match_mask |= 1u << k;
	e->rm->resolved = false;
	return &e->m[k];
}

static int match_named(struct rm_entry *e, enum rm_match_kind k, const char *name, bool exact,
		       struct policy_err *err)
{
	struct rm_match *m = claim_match(e, k, err);

	if (!m)
		return -1;
	m->name = strdup(name);
	m->exact = exact;
	if (m->name)
		return 0;
	e->match_mask &= ~(1u << k);
	return policy_fail(err, "route-map %s: out of memory", e->rm->name);
}

static int match_value(struct rm_entry *e, enum rm_match_kind k, uint32_t value,
		       struct policy_err *err)
{
	struct rm_match *m = claim_match(e, k, err);

	if (!m)
		return -1;
	m->value = value;
	return 0;
}

int rm_match_prefix_list(struct rm_entry *e, const char *list, struct policy_err *err)
{
	return match_named(e, RM_M_PREFIX_LIST, list, false, err);
}

int rm_match_nexthop_prefix_list(struct rm_entry *e, const char *list, struct policy_err *err)
{
	return match_named(e, RM_M_NEXTHOP_PREFIX_LIST, list, false, err);
}

int rm_match_as_path(struct rm_entry *e, const char *list, struct policy_err *err)
{
	return match_named(e, RM_M_AS_PATH, list, false, err);
}

int rm_match_community(struct rm_entry *e, const char *list, bool exact, struct policy_err *err)
{
	return match_named(e, RM_M_COMMUNITY, list, exact, err);
}

int rm_match_large_community(struct rm_entry *e, const char *list, bool exact,
			     struct policy_err *err)
{
	return match_named(e, RM_M_LARGE_COMMUNITY, list, exact, err);
}

int rm_match_interface(struct rm_entry *e, const char *ifname, struct policy_err *err)
{
	return match_named(e, RM_M_INTERFACE, ifname, false, err);
}

int rm_match_source_protocol(struct rm_entry *e, enum policy_proto proto, struct policy_err *err)
{
	return match_value(e, RM_M_SOURCE_PROTOCOL, (uint32_t)proto, err);
}

int rm_match_local_pref(struct rm_entry *e, uint32_t value, struct policy_err *err)
{
	return match_value(e, RM_M_LOCAL_PREF, value, err);
}

int rm_match_metric(struct rm_entry *e, uint32_t value, struct policy_err *err)
{
	return match_value(e, RM_M_METRIC, value, err);
}

static struct rm_set *claim_set(struct rm_entry *e, enum rm_set_kind k, struct policy_err *err)
{
	if (e->set_mask & (1u << k)) {
		policy_fail(err, "route-map %s seq %u: set %s given twice", e->rm->name, e->seq,
			    set_ops[k].name);
		return NULL;
	}
	e->set_mask |= 1u << k;
	e->rm->resolved = false;
	return &e->s[k];
}

/* A set clause carrying an array (ASNs, communities) or none of it. */
static int set_array(struct rm_entry *e, enum rm_set_kind k, enum rm_mode mode, const void *v,
		     size_t n, size_t size, struct policy_err *err)
{
	struct rm_set *s = claim_set(e, k, err);

	if (!s)
		return -1;
	s->mode = mode;
	s->n = n;
	if (!n)
		return 0;
	s->vals = malloc(n * size);
	if (s->vals) {
		memcpy(s->vals, v, n * size);
		return 0;
	}
	e->set_mask &= ~(1u << k);
	return policy_fail(err, "route-map %s: out of memory", e->rm->name);
}

static int set_value(struct rm_entry *e, enum rm_set_kind k, enum rm_mode mode, enum rm_adjust how,
		     uint32_t value, struct policy_err *err)
{
	struct rm_set *s = claim_set(e, k, err);

	if (!s)
		return -1;
	s->mode = mode;
	s->how = how;
	s->value = value;
	return 0;
}

static int set_named(struct rm_entry *e, enum rm_set_kind k, const char *name,
		     struct policy_err *err)
{
	struct rm_set *s = claim_set(e, k, err);

	if (!s)
		return -1;
	s->name = strdup(name);
	if (s->name)
		return 0;
	e->set_mask &= ~(1u << k);
	return policy_fail(err, "route-map %s: out of memory", e->rm->name);
}

static int need_values(const struct rm_entry *e, const char *what, size_t n, struct policy_err *err)
{
	if (n)
		return 0;
	return policy_fail(err, "route-map %s seq %u: set %s needs at least one value", e->rm->name,
			   e->seq, what);
}

int rm_set_local_pref(struct rm_entry *e, enum rm_adjust how, uint32_t value,
		      struct policy_err *err)
{
	return set_value(e, RM_S_LOCAL_PREF, RM_MODE_PLAIN, how, value, err);
}

int rm_set_metric(struct rm_entry *e, enum rm_adjust how, uint32_t value, struct policy_err *err)
{
	return set_value(e, RM_S_METRIC, RM_MODE_PLAIN, how, value, err);
}

int rm_set_weight(struct rm_entry *e, uint32_t value, struct policy_err *err)
{
	return set_value(e, RM_S_WEIGHT, RM_MODE_PLAIN, RM_SET_VALUE, value, err);
}

int rm_set_origin(struct rm_entry *e, uint8_t origin, struct policy_err *err)
{
	if (origin > ORIGIN_INCOMPLETE)
		return policy_fail(err,
				   "route-map %s seq %u: origin %u is not igp, egp or incomplete",
				   e->rm->name, e->seq, origin);
	return set_value(e, RM_S_ORIGIN, RM_MODE_PLAIN, RM_SET_VALUE, origin, err);
}

int rm_set_as_path_prepend(struct rm_entry *e, const uint32_t *asns, size_t n,
			   struct policy_err *err)
{
	if (need_values(e, "as-path prepend", n, err))
		return -1;
	return set_array(e, RM_S_AS_PREPEND, RM_MODE_PLAIN, asns, n, sizeof(*asns), err);
}

int rm_set_as_path_prepend_last_as(struct rm_entry *e, unsigned count, struct policy_err *err)
{
	if (count < 1 || count > LAST_AS_MAX)
		return policy_fail(err, "route-map %s seq %u: prepend last-as %u out of range 1-%u",
				   e->rm->name, e->seq, count, LAST_AS_MAX);
	return set_value(e, RM_S_AS_PREPEND, RM_MODE_LAST_AS, RM_SET_VALUE, count, err);
}

int rm_set_as_path_exclude(struct rm_entry *e, const uint32_t *asns, size_t n,
			   struct policy_err *err)
{
	return set_array(e, RM_S_AS_EXCLUDE, n ? RM_MODE_PLAIN : RM_MODE_ALL, asns, n,
			 sizeof(*asns), err);
}

int rm_set_community(struct rm_entry *e, const uint32_t *v, size_t n, bool additive,
		     struct policy_err *err)
{
	if (need_values(e, "community", n, err))
		return -1;
	return set_array(e, RM_S_COMMUNITY, additive ? RM_MODE_ADDITIVE : RM_MODE_PLAIN, v, n,
			 sizeof(*v), err);
}

int rm_set_community_none(struct rm_entry *e, struct policy_err *err)
{
	return set_array(e, RM_S_COMMUNITY, RM_MODE_NONE, NULL, 0, 0, err);
}

int rm_set_community_delete(struct rm_entry *e, const char *list, struct policy_err *err)
{
	return set_named(e, RM_S_COMMUNITY_DELETE, list, err);
}

int rm_set_large_community(struct rm_entry *e, const struct lcommunity *v, size_t n, bool additive,
			   struct policy_err *err)
{
	if (need_values(e, "large-community", n, err))
		return -1;
	return set_array(e, RM_S_LARGE_COMMUNITY, additive ? RM_MODE_ADDITIVE : RM_MODE_PLAIN, v, n,
			 sizeof(*v), err);
}

int rm_set_large_community_none(struct rm_entry *e, struct policy_err *err)
{
	return set_array(e, RM_S_LARGE_COMMUNITY, RM_MODE_NONE, NULL, 0, 0, err);
}

int rm_set_large_community_delete(struct rm_entry *e, const char *list, struct policy_err *err)
{
	return set_named(e, RM_S_LARGE_COMMUNITY_DELETE, list, err);
}

int rm_set_nexthop(struct rm_entry *e, const struct ipaddr *addr, struct policy_err *err)
{
	struct rm_set *s;

	if (addr->family != AF_INET && addr->family != AF_INET6)
		return policy_fail(err, "route-map %s seq %u: set next-hop needs an address",
				   e->rm->name, e->seq);
	s = claim_set(e, RM_S_NEXTHOP, err);
	if (!s)
		return -1;
	s->mode = RM_MODE_PLAIN;
	s->addr = *addr;
	return 0;
}

int rm_set_nexthop_peer_address(struct rm_entry *e, struct policy_err *err)
{
	return set_value(e, RM_S_NEXTHOP, RM_MODE_PEER, RM_SET_VALUE, 0, err);
}

int rm_set_nexthop_unchanged(struct rm_entry *e, struct policy_err *err)
{
	return set_value(e, RM_S_NEXTHOP, RM_MODE_UNCHANGED, RM_SET_VALUE, 0, err);
}

/* ---- name resolution (policy_set_build) ---- */

static int resolve_one(const struct rm_entry *e, const char *clause, enum rm_list_kind kind,
		       const char *name, void **out, const struct rm_resolver *rs,
		       struct policy_err *err)
{
	*out = rs->find(rs->ctx, kind, name);
	if (*out)
		return 0;
	return policy_fail(err, "route-map %s seq %u: %s %s: no such %s", e->rm->name, e->seq,
			   clause, name, rm_list_kind_name(kind));
}

static int resolve_entry(const struct route_map *rm, size_t idx, const struct rm_resolver *rs,
			 struct policy_err *err)
{
	struct rm_entry *e = rm->ent[idx];

	for (unsigned k = 0; k < RM_M_COUNT; k++)
		if ((e->match_mask & (1u << k)) && match_ops[k].list != RM_LIST_NONE &&
		    resolve_one(e, match_ops[k].name, match_ops[k].list, e->m[k].name,
				&e->m[k].list, rs, err))
			return -1;
	for (unsigned k = 0; k < RM_S_COUNT; k++)
		if ((e->set_mask & (1u << k)) && set_ops[k].list != RM_LIST_NONE &&
		    resolve_one(e, set_ops[k].name, set_ops[k].list, e->s[k].name, &e->s[k].list,
				rs, err))
			return -1;
	e->goto_idx = e->exit == RM_GOTO ? seq_pos(rm, e->goto_seq) : idx + 1;
	return 0;
}

int route_map_resolve(struct route_map *rm, const struct rm_resolver *rs, struct policy_err *err)
{
	rm->resolved = false;
	for (size_t i = 0; i < rm->n; i++)
		if (resolve_entry(rm, i, rs, err))
			return -1;
	rm->resolved = true;
	return 0;
}

const char *rm_list_kind_name(enum rm_list_kind kind)
{
	static const char *const names[] = {
		[RM_LIST_NONE] = "list",
		[RM_LIST_PREFIX] = "prefix-list",
		[RM_LIST_ASPATH] = "as-path-list",
		[RM_LIST_COMMUNITY] = "community-list",
		[RM_LIST_LARGE_COMMUNITY] = "large-community-list",
	};

	return names[kind];
}
