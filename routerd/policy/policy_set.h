/*
 * The container of one configuration's policy: every named prefix-list,
 * AS-path list, community-list, large-community-list and route-map, each
 * name space separate (as in FRR).
 *
 * The config layer creates the objects by name (get-or-create) in any order,
 * fills them, then calls policy_set_build(), which compiles the lists and
 * resolves every name a route-map uses into a pointer. A name that does not
 * exist is a config error naming it, never a silent deny; the same goes for
 * route-maps that neighbors and redistribution refer to
 * (policy_set_find_route_map). After a successful build the set is read-only
 * apart from the verdict caches inside the lists.
 *
 * On reload, build a new set and swap it in; the old one is freed whole.
 * Pure: no I/O, no globals.
 */
#ifndef ROUTERD_POLICY_POLICY_SET_H
#define ROUTERD_POLICY_POLICY_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "routerd/policy/aspath_regex.h"
#include "routerd/policy/community_list.h"
#include "routerd/policy/policy.h"
#include "routerd/policy/prefix_list.h"
#include "routerd/policy/route_map.h"

struct policy_set;

struct policy_set *policy_set_new(void);
void policy_set_free(struct policy_set *ps);

/* Get-or-create by name; NULL on allocation failure. */
struct prefix_list *policy_set_prefix_list(struct policy_set *ps, const char *name);
struct aspath_list *policy_set_aspath_list(struct policy_set *ps, const char *name);
struct comm_list *policy_set_community_list(struct policy_set *ps, const char *name);
struct comm_list *policy_set_large_community_list(struct policy_set *ps, const char *name);
struct route_map *policy_set_route_map(struct policy_set *ps, const char *name);

/* Compiles every list and resolves every route-map reference; -1 and err on the first problem. */
int policy_set_build(struct policy_set *ps, struct policy_err *err);
bool policy_set_built(const struct policy_set *ps);

/* Lookups without creating; find_route_map fills err ("route-map X does not exist"). */
struct route_map *policy_set_find_route_map(const struct policy_set *ps, const char *name,
					    struct policy_err *err);
struct prefix_list *policy_set_find_prefix_list(const struct policy_set *ps, const char *name);
struct aspath_list *policy_set_find_aspath_list(const struct policy_set *ps, const char *name);
struct comm_list *policy_set_find_community_list(const struct policy_set *ps, const char *name);
struct comm_list *policy_set_find_large_community_list(const struct policy_set *ps,
						       const char *name);

#endif
