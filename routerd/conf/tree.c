/*
 * Data tree access: small helpers over libyang's data tree, shared by the
 * semantic checks (check.c) and the conversion (convert.c).
 */
#include "routerd/conf/conf_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

bool conf_named(const struct lyd_node *n, const char *name)
{
	return n->schema && !strcmp(n->schema->name, name);
}

/* n or the first sibling after it that is an instance of name. */
static const struct lyd_node *seek(const struct lyd_node *n, const char *name)
{
	while (n && !conf_named(n, name))
		n = n->next;
	return n;
}

const struct lyd_node *conf_first_child(const struct lyd_node *parent, const char *name)
{
	return parent ? seek(lyd_child(parent), name) : NULL;
}

const struct lyd_node *conf_next_named(const struct lyd_node *n, const char *name)
{
	return seek(n->next, name);
}

unsigned conf_count_children(const struct lyd_node *parent, const char *name)
{
	unsigned n = 0;

	for (const struct lyd_node *c = conf_first_child(parent, name); c;
	     c = conf_next_named(c, name))
		n++;
	return n;
}

/* The node at a relative path ("timers/hold") under parent, or NULL. */
const struct lyd_node *conf_node_at(const struct lyd_node *parent, const char *path)
{
	struct lyd_node *n = NULL;

	if (!parent || lyd_find_path(parent, path, 0, &n) != LY_SUCCESS)
		return NULL;
	return n;
}

const char *conf_value_at(const struct lyd_node *parent, const char *path)
{
	const struct lyd_node *n = conf_node_at(parent, path);

	return n ? lyd_get_value(n) : NULL;
}

/* For values libyang has already range-checked. */
uint32_t conf_num(const char *v)
{
	return v ? (uint32_t)strtoul(v, NULL, 10) : 0;
}

const struct lyd_node *conf_find_group(const struct lyd_node *bgp, const char *name)
{
	return conf_find_by_name(bgp, "peer-group", name);
}

const struct lyd_node *conf_find_by_name(const struct lyd_node *parent, const char *list,
					 const char *name)
{
	const struct lyd_node *g;

	for (g = conf_first_child(parent, list); g && name; g = conf_next_named(g, list)) {
		const char *v = conf_value_at(g, "name");

		if (v && !strcmp(v, name))
			return g;
	}
	return NULL;
}
