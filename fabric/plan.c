/*
 * Clos planner: numbering follows seed 003 (leaves 10.0.254.1.., spines
 * 10.0.254.254 downwards, spines sharing AS 4200000000, leaf N in AS
 * 4210000000 + N) so the FRR and routerd configs read like the seed's.
 */
#include "fabric/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fab_fail(struct fab_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void plan_params_init(struct fab_params *p)
{
	memset(p, 0, sizeof(*p));
	p->asn_mode = FAB_ASN_SHARED;
	snprintf(p->image, sizeof(p->image), "%s", FAB_DEFAULT_IMAGE);
	snprintf(p->frr_image, sizeof(p->frr_image), "%s", FAB_DEFAULT_FRR_IMG);
	snprintf(p->host_image, sizeof(p->host_image), "%s", FAB_DEFAULT_HOST_IMG);
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    *s))
			return false;
	return true;
}

int plan_params_set_name(struct fab_params *p, const char *name, struct fab_err *err)
{
	if (!name_ok(name, FAB_NAME_MAX - 5))
		return fab_fail(
			err,
			"lab name \"%s\" is not usable: use 1..%d letters, digits, '_', '.', '-' "
			"(not starting with '-' or '.'); --name NAME sets it",
			name, FAB_NAME_MAX - 6);
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (!p->ns_prefix[0])
		snprintf(p->ns_prefix, sizeof(p->ns_prefix), "fab-%s", name);
	return 0;
}

const char *plan_role_name(enum fab_role r)
{
	static const char *const names[] = { "spine", "leaf", "border", "host" };

	return names[r];
}

const char *plan_daemon_name(enum fab_daemon d)
{
	static const char *const names[] = { "none", "routerd", "frr" };

	return names[d];
}

const char *plan_asn_mode_name(enum fab_asn_mode m)
{
	return m == FAB_ASN_PER_SPINE ? "per-spine" : "shared";
}

int plan_asn_mode_parse(const char *s, enum fab_asn_mode *m)
{
	if (!strcmp(s, "shared"))
		*m = FAB_ASN_SHARED;
	else if (!strcmp(s, "per-spine"))
		*m = FAB_ASN_PER_SPINE;
	else
		return -1;
	return 0;
}

void plan_ip_fmt(uint32_t a, char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

bool plan_is_router(const struct fab_node *n)
{
	return n->role != FAB_HOST;
}

void plan_ns_name(const struct fab_plan *plan, const struct fab_node *n, char *out, size_t len)
{
	snprintf(out, len, "%s-%s", plan->p.ns_prefix, n->name);
}

int plan_find(const struct fab_plan *plan, const char *name)
{
	for (unsigned i = 0; i < plan->n_nodes; i++)
		if (!strcmp(plan->nodes[i].name, name))
			return (int)i;
	return -1;
}

/* Image names go into YAML unquoted: keep them to what registries allow. */
static bool image_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/@-",
			    *s))
			return false;
	return true;
}

static int check_sizes(const struct fab_params *p, struct fab_err *err)
{
	if (!p->name[0])
		return fab_fail(
			err, "no lab name: give --name NAME (default: the output folder's name)");
	if (!name_ok(p->ns_prefix, FAB_NAME_MAX))
		return fab_fail(
			err,
			"namespace prefix \"%s\" is not usable: use letters, digits, '_', '.', '-'",
			p->ns_prefix);
	if (!image_ok(p->image) || !image_ok(p->frr_image) || !image_ok(p->host_image))
		return fab_fail(err, "image names may hold only letters, digits and \"_.:/@-\"");
	if (p->spines < 1 || p->spines > FAB_MAX_SPINES)
		return fab_fail(err, "--spines %u: a Clos needs 1..%d spines", p->spines,
				FAB_MAX_SPINES);
	if (p->leaves < 1)
		return fab_fail(err, "--leaves %u: a Clos needs at least 1 leaf", p->leaves);
	if (p->spines + p->leaves + p->borders > FAB_MAX_ROUTER)
		return fab_fail(
			err,
			"%u spines + %u leaves + %u borders is too many: each router takes one "
			"loopback in 10.0.254.0/24, so at most %d in all",
			p->spines, p->leaves, p->borders, FAB_MAX_ROUTER);
	return 0;
}

static struct fab_node *add_node(struct fab_plan *plan, enum fab_role role, unsigned index)
{
	struct fab_node *n = &plan->nodes[plan->n_nodes++];

	memset(n, 0, sizeof(*n));
	n->role = role;
	n->index = index;
	n->daemon = role == FAB_HOST ? FAB_DAEMON_NONE : FAB_DAEMON_ROUTERD;
	snprintf(n->name, sizeof(n->name), "%s%u", plan_role_name(role), index);
	return n;
}

static void add_routers(struct fab_plan *plan)
{
	const struct fab_params *p = &plan->p;
	struct fab_node *n;

	for (unsigned k = 1; k <= p->spines; k++) {
		n = add_node(plan, FAB_SPINE, k);
		n->asn = p->asn_mode == FAB_ASN_PER_SPINE ? FAB_SPINE_ASN + k - 1 : FAB_SPINE_ASN;
		n->loopback = FAB_LOOPBACK_NET + 255 - k;
		n->n_ports = p->leaves + p->borders;
	}
	for (unsigned l = 1; l <= p->leaves; l++) {
		n = add_node(plan, FAB_LEAF, l);
		n->asn = FAB_LEAF_ASN_BASE + l;
		n->loopback = FAB_LOOPBACK_NET + l;
		n->host_net = FAB_HOST_NET + (l << 8);
		n->n_ports = p->spines;
	}
	for (unsigned b = 1; b <= p->borders; b++) {
		n = add_node(plan, FAB_BORDER, b);
		n->asn = FAB_BORDER_ASN_BASE + b;
		n->loopback = FAB_LOOPBACK_NET + p->leaves + b;
		n->n_ports = p->spines;
	}
}

static void add_link(struct fab_plan *plan, unsigned a, const char *a_if, unsigned b,
		     const char *b_if)
{
	struct fab_link *l = &plan->links[plan->n_links++];

	l->a = a;
	l->b = b;
	snprintf(l->a_if, sizeof(l->a_if), "%s", a_if);
	snprintf(l->b_if, sizeof(l->b_if), "%s", b_if);
}

/* Lower-tier router number t (leaves 1..L, borders L+1..) takes spine port swp<t>. */
static void add_fabric_links(struct fab_plan *plan)
{
	unsigned spines = plan->p.spines, lower = plan->p.leaves + plan->p.borders;
	char a_if[FAB_NODE_MAX], b_if[FAB_NODE_MAX];

	for (unsigned t = 1; t <= lower; t++)
		for (unsigned k = 1; k <= spines; k++) {
			snprintf(a_if, sizeof(a_if), "swp%u", k);
			snprintf(b_if, sizeof(b_if), "swp%u", t);
			add_link(plan, spines + t - 1, a_if, k - 1, b_if);
		}
}

static void add_hosts(struct fab_plan *plan)
{
	unsigned first_leaf = plan->p.spines;

	for (unsigned l = 1; l <= plan->p.leaves; l++) {
		unsigned leaf = first_leaf + l - 1;
		struct fab_node *h = add_node(plan, FAB_HOST, l);

		h->host_net = plan->nodes[leaf].host_net;
		h->attached = leaf;
		plan->nodes[leaf].attached = plan->n_nodes - 1;
		add_link(plan, leaf, FAB_LEAF_HOST_IF, plan->n_nodes - 1, FAB_HOST_IF);
	}
}

/* Marks one node named in --frr; -1 with a message naming the problem. */
static int mark_frr(struct fab_plan *plan, const char *name, struct fab_err *err)
{
	int i = plan_find(plan, name);
	const struct fab_params *p = &plan->p;

	if (!name[0])
		return fab_fail(err,
				"--frr \"%s\": empty node name (write names separated by commas)",
				p->frr);
	if (i < 0) {
		char borders[32] = "";

		if (p->borders)
			snprintf(borders, sizeof(borders), ", border1..border%u", p->borders);
		return fab_fail(err,
				"--frr: no node \"%s\" in this plan (routers are spine1..spine%u, "
				"leaf1..leaf%u%s): check the name",
				name, p->spines, p->leaves, borders);
	}
	if (!plan_is_router(&plan->nodes[i]))
		return fab_fail(
			err,
			"--frr: %s is a host; only spines, leaves and borders run a routing daemon",
			name);
	if (plan->nodes[i].daemon == FAB_DAEMON_FRR)
		return fab_fail(err, "--frr: %s is named twice: name each node once", name);
	plan->nodes[i].daemon = FAB_DAEMON_FRR;
	return 0;
}

static int apply_frr(struct fab_plan *plan, struct fab_err *err)
{
	char list[sizeof(plan->p.frr)], *s, *comma;

	if (!plan->p.frr[0])
		return 0;
	if (!strcmp(plan->p.frr, "all")) {
		for (unsigned i = 0; i < plan->n_nodes; i++)
			if (plan_is_router(&plan->nodes[i]))
				plan->nodes[i].daemon = FAB_DAEMON_FRR;
		return 0;
	}
	snprintf(list, sizeof(list), "%s", plan->p.frr);
	for (s = list;; s = comma + 1) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (mark_frr(plan, s, err) < 0)
			return -1;
		if (!comma)
			return 0;
	}
}

int plan_build(const struct fab_params *p, struct fab_plan *plan, struct fab_err *err)
{
	unsigned routers = p->spines + p->leaves + p->borders;

	memset(plan, 0, sizeof(*plan));
	if (check_sizes(p, err) < 0)
		return -1;
	plan->p = *p;
	plan->nodes = calloc(routers + p->leaves, sizeof(*plan->nodes));
	plan->links =
		calloc(p->spines * (p->leaves + p->borders) + p->leaves, sizeof(*plan->links));
	if (!plan->nodes || !plan->links) {
		plan_free(plan);
		return fab_fail(err, "out of memory");
	}
	add_routers(plan);
	add_fabric_links(plan);
	add_hosts(plan);
	if (apply_frr(plan, err) < 0) {
		plan_free(plan);
		return -1;
	}
	return 0;
}

void plan_free(struct fab_plan *plan)
{
	free(plan->nodes);
	free(plan->links);
	plan->nodes = NULL;
	plan->links = NULL;
	plan->n_nodes = plan->n_links = 0;
}

unsigned plan_expected_sessions(const struct fab_node *n)
{
	return plan_is_router(n) ? n->n_ports : 0;
}

/*
 * Leaves and borders reach each other through every spine; spines and the
 * lower tier see each other directly (a longer path through another spine
 * never ties). Spine to spine only exists with per-spine ASNs, through every
 * lower-tier router; with one shared ASN the spines drop each other's routes
 * (their own AS in the path), as in seed 003.
 */
unsigned plan_expected_paths(const struct fab_plan *plan, unsigned from, unsigned to)
{
	const struct fab_node *f = &plan->nodes[from], *t = &plan->nodes[to];

	if (t->role == FAB_HOST)
		t = &plan->nodes[t->attached];
	if (f == t)
		return 0;
	if (f->role == FAB_SPINE && t->role == FAB_SPINE)
		return plan->p.asn_mode == FAB_ASN_PER_SPINE ? plan->p.leaves + plan->p.borders : 0;
	if (f->role == FAB_SPINE || t->role == FAB_SPINE)
		return 1;
	return plan->p.spines;
}

static void set_addr(struct fab_addr *a, const char *ifname, uint32_t addr, unsigned plen)
{
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->addr = addr;
	a->plen = plen;
}

uint32_t plan_host_gateway(const struct fab_node *host)
{
	return host->host_net + 1;
}

unsigned plan_node_addrs(const struct fab_node *n, struct fab_addr out[FAB_ADDRS_MAX])
{
	unsigned count = 0;

	if (n->role == FAB_HOST) {
		set_addr(&out[count++], FAB_HOST_IF, n->host_net + 2, FAB_HOST_PLEN);
		return count;
	}
	set_addr(&out[count++], "lo", n->loopback, 32);
	if (n->role == FAB_LEAF)
		set_addr(&out[count++], FAB_LEAF_HOST_IF, n->host_net + 1, FAB_HOST_PLEN);
	return count;
}
