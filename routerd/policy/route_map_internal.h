/*
 * Between route_map.c and policy_set.c only: how a route-map's list names
 * are turned into pointers when the policy set is built.
 */
#ifndef ROUTERD_POLICY_ROUTE_MAP_INTERNAL_H
#define ROUTERD_POLICY_ROUTE_MAP_INTERNAL_H

#include "routerd/policy/policy.h"

struct route_map;

enum rm_list_kind {
	RM_LIST_NONE,
	RM_LIST_PREFIX,
	RM_LIST_ASPATH,
	RM_LIST_COMMUNITY,
	RM_LIST_LARGE_COMMUNITY,
};

struct rm_resolver {
	void *ctx;
	/* The list of that kind and name, NULL if there is none. */
	void *(*find)(void *ctx, enum rm_list_kind kind, const char *name);
};

/* Resolves every name; -1 with err naming the route-map, seq, clause and missing list. */
int route_map_resolve(struct route_map *rm, const struct rm_resolver *rs, struct policy_err *err);
const char *rm_list_kind_name(enum rm_list_kind kind);

#endif
