/*
 * Policy set: one small name table per kind. Names are looked up only while
 * the configuration is built, never per route, so a linear table is enough.
 */
#include "routerd/policy/policy_set.h"

#include <stdlib.h>
#include <string.h>

#include "routerd/policy/route_map_internal.h"

enum ps_kind {
	PS_PREFIX,
	PS_ASPATH,
	PS_COMMUNITY,
	PS_LARGE_COMMUNITY,
	PS_ROUTE_MAP,
	PS_KINDS,
};

struct ps_table {
	void **obj;
	size_t n, cap;
};

struct policy_set {
	struct ps_table t[PS_KINDS];
	bool built;
};

/* How each kind is created, named and freed. */
struct ps_ops {
	void *(*create)(const char *name);
	const char *(*name)(const void *obj);
	void (*destroy)(void *obj);
};

static void *new_prefix(const char *n)
{
	return prefix_list_new(n);
}

static void *new_aspath(const char *n)
{
	return aspath_list_new(n);
}

static void *new_comm(const char *n)
{
	return comm_list_new(n, false);
}

static void *new_lcomm(const char *n)
{
	return comm_list_new(n, true);
}

static void *new_rmap(const char *n)
{
	return route_map_new(n);
}

static const char *name_prefix(const void *o)
{
	return prefix_list_name(o);
}

static const char *name_aspath(const void *o)
{
	return aspath_list_name(o);
}

static const char *name_comm(const void *o)
{
	return comm_list_name(o);
}

static const char *name_rmap(const void *o)
{
	return route_map_name(o);
}

static void free_prefix(void *o)
{
	prefix_list_free(o);
}

static void free_aspath(void *o)
{
	aspath_list_free(o);
}

static void free_comm(void *o)
{
	comm_list_free(o);
}

static void free_rmap(void *o)
{
	route_map_free(o);
}

static const struct ps_ops ops[PS_KINDS] = {
	[PS_PREFIX] = { new_prefix, name_prefix, free_prefix },
	[PS_ASPATH] = { new_aspath, name_aspath, free_aspath },
	[PS_COMMUNITY] = { new_comm, name_comm, free_comm },
	[PS_LARGE_COMMUNITY] = { new_lcomm, name_comm, free_comm },
	[PS_ROUTE_MAP] = { new_rmap, name_rmap, free_rmap },
};

struct policy_set *policy_set_new(void)
{
	return calloc(1, sizeof(struct policy_set));
}

void policy_set_free(struct policy_set *ps)
{
	if (!ps)
		return;
	for (int k = 0; k < PS_KINDS; k++) {
		for (size_t i = 0; i < ps->t[k].n; i++)
			ops[k].destroy(ps->t[k].obj[i]);
		free(ps->t[k].obj);
	}
	free(ps);
}

static void *find(const struct policy_set *ps, enum ps_kind k, const char *name)
{
	const struct ps_table *t = &ps->t[k];

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(ops[k].name(t->obj[i]), name) == 0)
			return t->obj[i];
	return NULL;
}

static void *get(struct policy_set *ps, enum ps_kind k, const char *name)
{
	struct ps_table *t = &ps->t[k];
	void *obj = find(ps, k, name);

	if (obj)
		return obj;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 8;
		void **no = realloc(t->obj, ncap * sizeof(*no));

		if (!no)
			return NULL;
		t->obj = no;
		t->cap = ncap;
	}
	obj = ops[k].create(name);
	if (obj) {
		t->obj[t->n++] = obj;
		ps->built = false;
	}
	return obj;
}

struct prefix_list *policy_set_prefix_list(struct policy_set *ps, const char *name)
{
	return get(ps, PS_PREFIX, name);
}

struct aspath_list *policy_set_aspath_list(struct policy_set *ps, const char *name)
{
	return get(ps, PS_ASPATH, name);
}

struct comm_list *policy_set_community_list(struct policy_set *ps, const char *name)
{
	return get(ps, PS_COMMUNITY, name);
}

struct comm_list *policy_set_large_community_list(struct policy_set *ps, const char *name)
{
	return get(ps, PS_LARGE_COMMUNITY, name);
}

struct route_map *policy_set_route_map(struct policy_set *ps, const char *name)
{
	return get(ps, PS_ROUTE_MAP, name);
}

struct prefix_list *policy_set_find_prefix_list(const struct policy_set *ps, const char *name)
{
	return find(ps, PS_PREFIX, name);
}

struct aspath_list *policy_set_find_aspath_list(const struct policy_set *ps, const char *name)
{
	return find(ps, PS_ASPATH, name);
}

struct comm_list *policy_set_find_community_list(const struct policy_set *ps, const char *name)
{
	return find(ps, PS_COMMUNITY, name);
}

struct comm_list *policy_set_find_large_community_list(const struct policy_set *ps,
						       const char *name)
{
	return find(ps, PS_LARGE_COMMUNITY, name);
}

struct route_map *policy_set_find_route_map(const struct policy_set *ps, const char *name,
					    struct policy_err *err)
{
	struct route_map *rm = find(ps, PS_ROUTE_MAP, name);

	if (!rm)
		policy_fail(err, "route-map %s does not exist", name);
	return rm;
}

/* The resolver route-maps use: route-map list kinds map onto our tables. */
static void *resolve_find(void *ctx, enum rm_list_kind kind, const char *name)
{
	static const enum ps_kind table[] = {
		[RM_LIST_PREFIX] = PS_PREFIX,
		[RM_LIST_ASPATH] = PS_ASPATH,
		[RM_LIST_COMMUNITY] = PS_COMMUNITY,
		[RM_LIST_LARGE_COMMUNITY] = PS_LARGE_COMMUNITY,
	};

	if (kind == RM_LIST_NONE)
		return NULL;
	return find(ctx, table[kind], name);
}

int policy_set_build(struct policy_set *ps, struct policy_err *err)
{
	struct rm_resolver rs = { ps, resolve_find };
	struct ps_table *t;

	ps->built = false;
	t = &ps->t[PS_PREFIX];
	for (size_t i = 0; i < t->n; i++)
		if (prefix_list_compile(t->obj[i], err))
			return -1;
	t = &ps->t[PS_ROUTE_MAP];
	for (size_t i = 0; i < t->n; i++)
		if (route_map_resolve(t->obj[i], &rs, err))
			return -1;
	ps->built = true;
	return 0;
}

bool policy_set_built(const struct policy_set *ps)
{
	return ps->built;
}
