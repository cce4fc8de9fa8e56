/*
 * Community and large-community lists. Both kinds share one implementation
 * through a read-only "view" of the route's attribute (count, values, hash),
 * so matching, caching and deletion are written once.
 */
#include "routerd/policy/community_list.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/policy/aspath_regex.h"

#define TEXT_STACK_BUF 1024
/* Keeps exact-match verdicts apart from plain ones in the shared cache. */
#define EXACT_SALT 0x9e3779b9u

enum cl_style {
	CL_STANDARD,
	CL_EXPANDED,
};

struct cl_entry {
	uint32_t seq;
	enum policy_action action;
	enum cl_style style;
	size_t n;		/* standard: values, sorted and unique; 0 = any */
	uint32_t *v;		/* community-list */
	struct lcommunity *lv;	/* large-community-list */
	struct policy_regex re; /* expanded */
	char *text;		/* expanded: as configured */
};

struct comm_list {
	char *name;
	bool large;
	struct cl_entry *ent; /* sorted by seq */
	size_t n, cap;
	size_t nexpanded;
	struct pcache cache;
};

/* A route's communities of either kind, read-only. */
struct cview {
	bool large;
	size_t n;
	const uint32_t *v;
	const struct lcommunity *lv;
	uint32_t hash;
};

/* ---- text forms ---- */

static const struct {
	uint32_t value;
	const char *name;
} well_known[] = {
	{ 0x00000000u, "internet" }, /* FRR 8 still prints 0:0 so */
	{ COMMUNITY_GRACEFUL_SHUTDOWN, "graceful-shutdown" },
	{ 0xFFFF0001u, "accept-own" },
	{ 0xFFFF0002u, "route-filter-translated-v4" },
	{ 0xFFFF0003u, "route-filter-v4" },
	{ 0xFFFF0004u, "route-filter-translated-v6" },
	{ 0xFFFF0005u, "route-filter-v6" },
	{ 0xFFFF0006u, "llgr-stale" },
	{ 0xFFFF0007u, "no-llgr" },
	{ 0xFFFF0008u, "accept-own-nexthop" },
	{ COMMUNITY_BLACKHOLE, "blackhole" },
	{ COMMUNITY_NO_EXPORT, "no-export" },
	{ COMMUNITY_NO_ADVERTISE, "no-advertise" },
	{ COMMUNITY_NO_EXPORT_SUBCONFED, "local-AS" },
	{ 0xFFFFFF04u, "no-peer" },
};

#define N_WELL_KNOWN (sizeof(well_known) / sizeof(well_known[0]))

/* A decimal number in [0, max], the whole of [s, end). */
static bool parse_u32(const char *s, const char *end, uint32_t max, uint32_t *out)
{
	unsigned long long v = 0;

	if (s == end || end - s > 10)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool community_parse(const char *s, uint32_t *v)
{
	const char *colon = strchr(s, ':');
	uint32_t hi, lo;

	for (size_t i = 0; i < N_WELL_KNOWN; i++) {
		if (strcmp(s, well_known[i].name) == 0) {
			*v = well_known[i].value;
			return true;
		}
	}
	if (!colon)
		return parse_u32(s, s + strlen(s), UINT32_MAX, v);
	if (!parse_u32(s, colon, 0xffff, &hi) ||
	    !parse_u32(colon + 1, colon + 1 + strlen(colon + 1), 0xffff, &lo))
		return false;
	*v = hi << 16 | lo;
	return true;
}

size_t community_fmt(uint32_t v, char *out, size_t outlen)
{
	for (size_t i = 0; i < N_WELL_KNOWN; i++)
		if (well_known[i].value == v)
			return (size_t)snprintf(out, outlen, "%s", well_known[i].name);
	return (size_t)snprintf(out, outlen, "%u:%u", v >> 16, v & 0xffff);
}

bool lcommunity_parse(const char *s, struct lcommunity *v)
{
	const char *c1 = strchr(s, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	return c1 && c2 && parse_u32(s, c1, UINT32_MAX, &v->global) &&
	       parse_u32(c1 + 1, c2, UINT32_MAX, &v->local1) &&
	       parse_u32(c2 + 1, c2 + 1 + strlen(c2 + 1), UINT32_MAX, &v->local2);
}

size_t lcommunity_fmt(const struct lcommunity *v, char *out, size_t outlen)
{
	return (size_t)snprintf(out, outlen, "%u:%u:%u", v->global, v->local1, v->local2);
}

static size_t value_fmt(const struct cview *cv, size_t i, char *out, size_t outlen)
{
	return cv->large ? lcommunity_fmt(&cv->lv[i], out, outlen)
			 : community_fmt(cv->v[i], out, outlen);
}

/* All values, space separated, snprintf semantics. */
static size_t view_fmt(const struct cview *cv, char *out, size_t outlen)
{
	size_t total = 0;

	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < cv->n; i++) {
		size_t room = total < outlen ? outlen - total : 0;

		if (i) {
			if (room > 1) {
				out[total] = ' ';
				out[total + 1] = '\0';
			}
			total++;
			room = total < outlen ? outlen - total : 0;
		}
		total += value_fmt(cv, i, room ? out + total : NULL, room);
	}
	return total;
}

static struct cview view_of(const struct community_list *c)
{
	return (struct cview){ .n = c ? c->n : 0, .v = c ? c->v : NULL, .hash = c ? c->hash : 0 };
}

static struct cview lview_of(const struct lcommunity_list *c)
{
	return (struct cview){
		.large = true, .n = c ? c->n : 0, .lv = c ? c->v : NULL, .hash = c ? c->hash : 0
	};
}

size_t community_list_fmt(const struct community_list *c, char *out, size_t outlen)
{
	struct cview cv = view_of(c);

	return view_fmt(&cv, out, outlen);
}

size_t lcommunity_list_fmt(const struct lcommunity_list *c, char *out, size_t outlen)
{
	struct cview cv = lview_of(c);

	return view_fmt(&cv, out, outlen);
}

/* ---- building ---- */

struct comm_list *comm_list_new(const char *name, bool large)
{
	struct comm_list *cl = calloc(1, sizeof(*cl));

	if (!cl)
		return NULL;
	cl->name = strdup(name ? name : "");
	if (!cl->name) {
		free(cl);
		return NULL;
	}
	cl->large = large;
	pcache_init(&cl->cache, PCACHE_DEFAULT_MAX);
	return cl;
}

static void entry_free(struct cl_entry *e)
{
	if (e->style == CL_EXPANDED)
		policy_regex_free(&e->re);
	free(e->text);
	free(e->v);
	free(e->lv);
}

void comm_list_free(struct comm_list *cl)
{
	if (!cl)
		return;
	for (size_t i = 0; i < cl->n; i++)
		entry_free(&cl->ent[i]);
	pcache_destroy(&cl->cache);
	free(cl->ent);
	free(cl->name);
	free(cl);
}

const char *comm_list_name(const struct comm_list *cl)
{
	return cl->name;
}

bool comm_list_is_large(const struct comm_list *cl)
{
	return cl->large;
}

size_t comm_list_count(const struct comm_list *cl)
{
	return cl->n;
}

static const char *kind(const struct comm_list *cl)
{
	return cl->large ? "large-community-list" : "community-list";
}

/* Checks seq, makes room; returns the insert position or -1. */
static long make_room(struct comm_list *cl, uint32_t seq, struct policy_err *err)
{
	size_t pos = 0;

	if (seq == 0)
		return policy_fail(err, "%s %s: seq must be 1-4294967295", kind(cl), cl->name);
	while (pos < cl->n && cl->ent[pos].seq < seq)
		pos++;
	if (pos < cl->n && cl->ent[pos].seq == seq)
		return policy_fail(err, "%s %s: duplicate seq %u", kind(cl), cl->name, seq);
	if (cl->n == cl->cap) {
		size_t ncap = cl->cap ? cl->cap * 2 : 8;
		struct cl_entry *ne = realloc(cl->ent, ncap * sizeof(*ne));

		if (!ne)
			return policy_fail(err, "%s %s: out of memory", kind(cl), cl->name);
		cl->ent = ne;
		cl->cap = ncap;
	}
	return (long)pos;
}

static void insert_entry(struct comm_list *cl, long pos, const struct cl_entry *e)
{
	memmove(&cl->ent[pos + 1], &cl->ent[pos], (cl->n - (size_t)pos) * sizeof(*e));
	cl->ent[pos] = *e;
	cl->n++;
	if (e->style == CL_EXPANDED)
		cl->nexpanded++;
	/* Cached verdicts were computed without this entry. */
	pcache_clear(&cl->cache);
}

/* Sorts and deduplicates n elements in place; returns the new count. */
static size_t sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t out = 0;

	qsort(base, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && cmp(b + (out - 1) * size, b + i * size) == 0)
			continue;
		memmove(b + out * size, b + i * size, size);
		out++;
	}
	return out;
}

/* Copies n values of `size` bytes, sorted and unique; NULL only on allocation failure. */
static void *values_dup(const void *v, size_t *n, size_t size,
			int (*cmp)(const void *, const void *))
{
	void *copy = malloc(*n ? *n * size : 1);

	if (!copy)
		return NULL;
	if (*n)
		memcpy(copy, v, *n * size);
	*n = sort_unique(copy, *n, size, cmp);
	return copy;
}

static int add_standard(struct comm_list *cl, uint32_t seq, enum policy_action action,
			const void *v, size_t n, bool large, struct policy_err *err)
{
	struct cl_entry e = { .seq = seq, .action = action, .style = CL_STANDARD, .n = n };
	void *copy;
	long pos;

	if (large != cl->large)
		return policy_fail(err, "%s %s seq %u: %s values in a %s", kind(cl), cl->name, seq,
				   large ? "large-community" : "community", kind(cl));
	pos = make_room(cl, seq, err);
	if (pos < 0)
		return -1;
	copy = large ? values_dup(v, &e.n, sizeof(struct lcommunity), lcommunity_cmp)
		     : values_dup(v, &e.n, sizeof(uint32_t), community_cmp);
	if (!copy)
		return policy_fail(err, "%s %s: out of memory", kind(cl), cl->name);
	if (large)
		e.lv = copy;
	else
		e.v = copy;
	insert_entry(cl, pos, &e);
	return 0;
}

int comm_list_add_standard(struct comm_list *cl, uint32_t seq, enum policy_action action,
			   const uint32_t *v, size_t n, struct policy_err *err)
{
	return add_standard(cl, seq, action, v, n, false, err);
}

int lcomm_list_add_standard(struct comm_list *cl, uint32_t seq, enum policy_action action,
			    const struct lcommunity *v, size_t n, struct policy_err *err)
{
	return add_standard(cl, seq, action, v, n, true, err);
}

int comm_list_add_expanded(struct comm_list *cl, uint32_t seq, enum policy_action action,
			   const char *regex, struct policy_err *err)
{
	struct cl_entry e = { .seq = seq, .action = action, .style = CL_EXPANDED };
	char what[96];
	long pos = make_room(cl, seq, err);

	if (pos < 0)
		return -1;
	snprintf(what, sizeof(what), "%s %s seq %u", kind(cl), cl->name, seq);
	if (policy_regex_init(&e.re, regex, what, err))
		return -1;
	e.text = strdup(regex);
	if (!e.text) {
		policy_regex_free(&e.re);
		return policy_fail(err, "%s: out of memory", what);
	}
	insert_entry(cl, pos, &e);
	return 0;
}

/* ---- matching ---- */

static bool has_value(const struct cview *cv, const void *val)
{
	size_t lo = 0, hi = cv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cv->large ? lcommunity_cmp(&cv->lv[mid], val)
				  : community_cmp(&cv->v[mid], val);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static const void *entry_value(const struct cl_entry *e, size_t i)
{
	return e->lv ? (const void *)&e->lv[i] : (const void *)&e->v[i];
}

/*
 * Standard entry against the whole attribute: every listed value present
 * (exact: nothing else). As FRR 8.4 does (tests/unit/test_policy_frr.c), an
 * entry listing `internet` (0:0) matches every route, exact-match or not.
 */
static bool standard_match(const struct cl_entry *e, const struct cview *cv, bool exact)
{
	if (e->n == 0 || (!e->lv && e->v[0] == 0))
		return true;
	if (exact && cv->n != e->n)
		return false;
	for (size_t i = 0; i < e->n; i++)
		if (!has_value(cv, entry_value(e, i)))
			return false;
	return true;
}

static bool regex_match_text(const struct policy_regex *re, const struct cview *cv)
{
	char stackbuf[TEXT_STACK_BUF];
	size_t need = view_fmt(cv, stackbuf, sizeof(stackbuf));
	char *heap;
	bool hit;

	if (need < sizeof(stackbuf))
		return policy_regex_match(re, stackbuf);
	heap = malloc(need + 1);
	if (!heap)
		return false;
	view_fmt(cv, heap, need + 1);
	hit = policy_regex_match(re, heap);
	free(heap);
	return hit;
}

static enum policy_action list_verdict(const struct comm_list *cl, const struct cview *cv,
				       bool exact)
{
	for (size_t i = 0; i < cl->n; i++) {
		const struct cl_entry *e = &cl->ent[i];
		bool hit = e->style == CL_STANDARD ? standard_match(e, cv, exact)
						   : regex_match_text(&e->re, cv);

		if (hit)
			return e->action;
	}
	return POLICY_DENY;
}

static size_t view_bytes(const struct cview *cv)
{
	return cv->n * (cv->large ? sizeof(struct lcommunity) : sizeof(uint32_t));
}

static const void *view_data(const struct cview *cv)
{
	return cv->large ? (const void *)cv->lv : (const void *)cv->v;
}

/* Standard-only lists are a few binary searches: only regex verdicts go through the cache. */
static bool view_match(struct comm_list *cl, const struct cview *cv, bool exact)
{
	uint32_t hash = cv->hash ^ (exact ? EXACT_SALT : 0);
	enum policy_action verdict;
	int cached;

	if (!cl->nexpanded || !cv->n)
		return list_verdict(cl, cv, exact) == POLICY_PERMIT;
	cached = pcache_get(&cl->cache, hash, view_data(cv), view_bytes(cv));
	if (cached >= 0)
		return cached == POLICY_PERMIT;
	verdict = list_verdict(cl, cv, exact);
	pcache_put(&cl->cache, hash, view_data(cv), view_bytes(cv), (uint8_t)verdict);
	return verdict == POLICY_PERMIT;
}

bool comm_list_match(struct comm_list *cl, const struct community_list *c, bool exact)
{
	struct cview cv = view_of(c);

	return !cl->large && view_match(cl, &cv, exact);
}

bool lcomm_list_match(struct comm_list *cl, const struct lcommunity_list *c, bool exact)
{
	struct cview cv = lview_of(c);

	return cl->large && view_match(cl, &cv, exact);
}

/* ---- deletion ---- */

/* Does entry e select the single value i of cv? */
static bool entry_selects(const struct cl_entry *e, const struct cview *cv, size_t i)
{
	struct cview one = { .large = cv->large, .n = 1 };

	if (e->style == CL_STANDARD) {
		struct cview ev = { .large = cv->large, .n = e->n, .v = e->v, .lv = e->lv };

		return e->n == 0 || has_value(&ev, cv->large ? (const void *)&cv->lv[i]
							     : (const void *)&cv->v[i]);
	}
	if (cv->large)
		one.lv = &cv->lv[i];
	else
		one.v = &cv->v[i];
	return regex_match_text(&e->re, &one);
}

static bool deletes(const struct comm_list *cl, const struct cview *cv, size_t i)
{
	for (size_t k = 0; k < cl->n; k++)
		if (entry_selects(&cl->ent[k], cv, i))
			return cl->ent[k].action == POLICY_PERMIT;
	return false;
}

static void *comm_intern(struct attr_pool *pool, const void *v, size_t n)
{
	return community_list_intern(pool, v, n);
}

static void *lcomm_intern(struct attr_pool *pool, const void *v, size_t n)
{
	return lcommunity_list_intern(pool, v, n);
}

/*
 * Deletion for either kind: 0 when cl deletes no value, 1 with *rest the
 * values it keeps, interned (NULL when none is left), -1 on allocation failure.
 */
static int view_delete(const struct comm_list *cl, const struct cview *cv, struct attr_pool *pool,
		       void *(*intern)(struct attr_pool *pool, const void *v, size_t n),
		       void **rest)
{
	size_t size = cv->large ? sizeof(struct lcommunity) : sizeof(uint32_t);
	const char *all = view_data(cv);
	char *kept = malloc((cv->n + 1) * size);
	size_t n = 0;
	int ret = 1;

	if (!kept)
		return -1;
	for (size_t i = 0; i < cv->n; i++)
		if (!deletes(cl, cv, i))
			memcpy(kept + n++ * size, all + i * size, size);
	*rest = NULL;
	if (n == cv->n)
		ret = 0;
	else if (n && !(*rest = intern(pool, kept, n)))
		ret = -1;
	free(kept);
	return ret;
}

int comm_list_delete(struct comm_list *cl, struct attr_pool *pool, struct community_list *c,
		     struct community_list **out)
{
	struct cview cv = view_of(c);
	void *rest = NULL;
	int ret = !c || cl->large ? 0 : view_delete(cl, &cv, pool, comm_intern, &rest);

	if (ret >= 0)
		*out = ret ? rest : community_list_ref(c);
	return ret < 0 ? -1 : 0;
}

int lcomm_list_delete(struct comm_list *cl, struct attr_pool *pool, struct lcommunity_list *c,
		      struct lcommunity_list **out)
{
	struct cview cv = lview_of(c);
	void *rest = NULL;
	int ret = !c || !cl->large ? 0 : view_delete(cl, &cv, pool, lcomm_intern, &rest);

	if (ret >= 0)
		*out = ret ? rest : lcommunity_list_ref(c);
	return ret < 0 ? -1 : 0;
}

void comm_list_cache_stats(const struct comm_list *cl, struct pcache_stats *st)
{
	pcache_stats(&cl->cache, st);
}
