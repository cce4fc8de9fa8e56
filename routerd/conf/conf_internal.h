/*
 * Shared by the loader's .c files in routerd/conf/ only; nothing outside
 * routerd/conf/ includes it.
 *
 *   conf.c      context, reading the file, the load pipeline, public API
 *   problems.c  the problem list and its "FILE: PATH[ (line N)]: WHAT: FIX" text
 *   explain.c   libyang's error items rephrased into problems
 *   check.c     semantic checks on the parsed tree
 *   check_policy.c  the same for policy/ and every reference to a policy object
 *   tree.c      small data tree helpers for check.c and convert.c
 *   convert.c   validated tree -> struct routerd_conf, inheritance resolved
 *   convert_policy.c  policy/ -> struct policy_set, route-maps of neighbors
 *               and redistribution resolved to pointers
 */
#ifndef ROUTERD_CONF_CONF_INTERNAL_H
#define ROUTERD_CONF_CONF_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <libyang/libyang.h>

#include "routerd/conf/conf.h"

#define UNDEFINED_REF "%s \"%s\" is not defined: add it under %s"

/* ---- problems.c: what the loader found, turned into the error text at the end ---- */

struct problem {
	char *path;    /* data path; "/" when there is none */
	unsigned line; /* 1-based; 0 when unknown */
	char *text;    /* "WHAT: FIX" */
};

struct problems {
	struct problem *v;
	unsigned n;
	bool oom;
};

bool problem_at(const struct problems *ps, const char *path);
void problem_vadd(struct problems *ps, const char *path, unsigned line, const char *fmt,
		  va_list ap);
void problem_add(struct problems *ps, const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool problems_any(const struct problems *ps);
void problems_free(struct problems *ps);
char *problems_format(const struct problems *ps, const char *file);

/* ---- conf.c: the loader's state for one file ---- */

struct loader {
	const char *file; /* as the caller wrote it: every message starts with it */
	char *text;
	struct ly_ctx *ctx;
	struct lys_module *mod;
	struct lyd_node *tree;
	struct problems probs;
};

/* ---- explain.c: libyang's errors, rephrased ---- */

/*
 * libyang 2.1 packs the location into one string, e.g.
 *   Data location "/routerd:routerd/bgp", line number 5.
 *   Schema location "/routerd:routerd/router-id".
 *   Line number 1.
 */
struct ly_where {
	char path[1024];
	unsigned line;
};

const struct lysc_node *conf_schema_at(const struct loader *l, const char *path);
void conf_add_missing(struct loader *l, const char *path, const struct lysc_node *sn);
void take_ly_errors(struct loader *l, bool skip_reported);

/* ---- tree.c: data tree access ---- */

bool conf_named(const struct lyd_node *n, const char *name);
const struct lyd_node *conf_first_child(const struct lyd_node *parent, const char *name);
const struct lyd_node *conf_next_named(const struct lyd_node *n, const char *name);
unsigned conf_count_children(const struct lyd_node *parent, const char *name);
const struct lyd_node *conf_node_at(const struct lyd_node *parent, const char *path);
const char *conf_value_at(const struct lyd_node *parent, const char *path);
uint32_t conf_num(const char *v);
const struct lyd_node *conf_find_group(const struct lyd_node *bgp, const char *name);
/* The instance of list `list` under parent whose "name" key is name, or NULL. */
const struct lyd_node *conf_find_by_name(const struct lyd_node *parent, const char *list,
					 const char *name);

/* ---- check.c: semantic checks ---- */

/* A problem at data node n (its path); the message is "WHAT: FIX". */
void problem_node(struct loader *l, const struct lyd_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct lyd_node *conf_find_root(struct loader *l);
void check_tree(struct loader *l);
void check_resolved(struct loader *l, const struct lyd_node *nb, const struct conf_neighbor *n);

/* ---- check_policy.c: policy/ and the references to it ---- */

/*
 * Every reference to a route-map or list names one that exists; regexes
 * compile; prefix-list lengths fit; community values parse.
 */
void check_policy(struct loader *l, const struct lyd_node *root);

/* ---- convert.c: the validated tree as struct routerd_conf ---- */

struct routerd_conf *conf_convert(struct loader *l);

/* ---- convert_policy.c: policy/ as a built struct policy_set ---- */

/*
 * Builds c->policy from policy/ (always, empty when there is none) and
 * points the neighbors' and the address families' route-map fields into
 * it. Runs after the rest of c is converted. -1 on allocation failure;
 * configuration problems go to l->probs.
 */
int conf_convert_policy(struct loader *l, const struct lyd_node *root, struct routerd_conf *c);

/* ---- convert_edge.c: edge/azure-route-server and its expansion ---- */

/*
 * Reads the block into c->edge, checks it (edge_check(), clashes with
 * bgp/neighbor, user entries in the built-in route-maps' seqs) and appends
 * its two neighbors to c->bgp.neighbors. Runs after the bgp conversion.
 * -1 on allocation failure; configuration problems go to l->probs.
 */
int conf_convert_edge(struct loader *l, const struct lyd_node *root, struct routerd_conf *c);
/* Adds the built-in policy to c->policy: after the user's objects, before policy_set_build(). */
int conf_edge_install(struct loader *l, struct routerd_conf *c);
/* Points the edge neighbors at the built-in route-maps (after policy_set_build()). */
void conf_edge_bind(struct loader *l, struct routerd_conf *c);

#endif
