/*
 * `fabric up DIR`: namespaces, veth links (swpN on both ends), addresses,
 * forwarding sysctls, then one daemon per router. Refuses a lab that is
 * already (even partly) up; on a failure it stops and leaves what it made
 * for `fabric down` to remove, naming the log to read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabric/emit.h"
#include "fabric/fileio.h"
#include "fabric/lab.h"
#include "fabric/proc.h"
#include "routerd/conf/conf.h"

#define CMD_MS	    10000
#define READY_MS    15000
#define PRESENT_MAX 512

/* Runs a command (inside ns unless NULL); on failure says what failed and why. */
static int cmd(const char *ns, const char *who, ...) __attribute__((sentinel));

static int cmd(const char *ns, const char *who, ...)
{
	struct argv a;
	struct buf err;
	const char *s;
	char text[1024];
	va_list ap;
	int rc;

	argv_init(&a);
	if (ns)
		argv_netns(&a, ns);
	va_start(ap, who);
	while ((s = va_arg(ap, const char *)))
		argv_add(&a, s);
	va_end(ap);
	buf_init(&err);
	rc = proc_run(&a, NULL, &err, CMD_MS);
	if (rc != 0) {
		argv_text(&a, text, sizeof(text));
		lab_error("%s: `%s` failed (%s): %s", who, text,
			  rc < 0 ? strerror(errno) : "non-zero exit",
			  err.len ? err.data : "no message");
	}
	buf_free(&err);
	argv_free(&a);
	return rc == 0 ? 0 : -1;
}

static int refuse_if_up(const struct lab *lab)
{
	char present[PRESENT_MAX][LAB_NS_MAX];
	unsigned n = lab_ns_present(lab, present, PRESENT_MAX);

	if (!n)
		return 0;
	lab_error("lab %s is already up (namespace %s exists, %u in all): `fabric status %s` "
		  "shows it, `fabric down %s` removes it",
		  lab->plan.p.name, present[0], n, lab->dir, lab->dir);
	return -1;
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], full[PATH_MAX];

	for (const char *s = path ? path : "/usr/bin:/bin"; *s;) {
		size_t len = strcspn(s, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)len, s);
		fio_pathf(full, sizeof(full), "%s/%s", dir, prog);
		if (len && access(full, X_OK) == 0)
			return true;
		s += len + (s[len] == ':');
	}
	return false;
}

static int need_exec(const char *dir, const char *prog, const char *fix)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	if (access(path, X_OK) == 0)
		return 0;
	lab_error("%s: %s: %s", path, strerror(errno), fix);
	return -1;
}

static int check_tools(const struct lab *lab)
{
	bool routerd = false, frr = false;
	int rc = 0;

	for (unsigned i = 0; i < lab->plan.n_nodes; i++) {
		routerd |= lab->plan.nodes[i].daemon == FAB_DAEMON_ROUTERD;
		frr |= lab->plan.nodes[i].daemon == FAB_DAEMON_FRR;
	}
	if (routerd) {
		const char *fix = "build it (ninja -C build routerd routerctl) or point "
				  "ROUTERD_BUILD at the build folder";

		rc |= need_exec(lab->build, "routerd", fix);
		rc |= need_exec(lab->build, "routerctl", fix);
	}
	if (frr) {
		const char *fix = "install FRR (apt-get install frr) or set FABRIC_FRR_DIR";

		rc |= need_exec(lab->frr, "zebra", fix);
		rc |= need_exec(lab->frr, "bgpd", fix);
		if (!in_path("vtysh")) {
			lab_error("vtysh is not in PATH: install FRR (apt-get install frr)");
			rc = -1;
		}
	}
	return rc;
}

static int check_node_config(const struct lab *lab, const struct fab_node *n)
{
	char path[PATH_MAX];
	char *problems = NULL;
	struct routerd_conf *c;

	if (n->daemon == FAB_DAEMON_FRR) {
		fio_pathf(path, sizeof(path), "%s/%s/%s", lab->dir, n->name, FAB_FRR_FILE);
		if (access(path, R_OK) == 0)
			return 0;
		lab_error("%s: %s: %s", n->name, path, strerror(errno));
		return -1;
	}
	fio_pathf(path, sizeof(path), "%s/%s/%s", lab->dir, n->name, FAB_ROUTERD_FILE);
	c = conf_load_file(path, &problems);
	if (c) {
		conf_free(c);
		return 0;
	}
	lab_error("%s: routerd would not start with its config:\n%s", n->name,
		  problems ? problems : "(no detail)");
	free(problems);
	return -1;
}

static int check_configs(const struct lab *lab)
{
	int rc = 0;

	for (unsigned i = 0; i < lab->plan.n_nodes; i++)
		if (plan_is_router(&lab->plan.nodes[i]))
			rc |= check_node_config(lab, &lab->plan.nodes[i]);
	return rc;
}

static int prepare_run(const struct lab *lab)
{
	char path[PATH_MAX];

	if (fio_remove_tree(lab->run) < 0) {
		lab_error("%s: cannot remove the previous run's files: %s", lab->run,
			  strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < lab->plan.n_nodes; i++) {
		lab_node_path(lab, &lab->plan.nodes[i], NULL, path, sizeof(path));
		if (plan_is_router(&lab->plan.nodes[i]) && fio_mkdirs(path, 0755) < 0) {
			lab_error("%s: cannot create: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* No DAD (link-local addresses usable at once), addresses kept on link down, no rp_filter. */
static int make_namespace(const struct lab *lab, const struct fab_node *n)
{
	char ns[LAB_NS_MAX];

	lab_ns(lab, n, ns, sizeof(ns));
	if (cmd(NULL, n->name, "ip", "netns", "add", ns, NULL) ||
	    cmd(ns, n->name, "ip", "link", "set", "lo", "up", NULL) ||
	    cmd(ns, n->name, "sysctl", "-qw", "net.ipv6.conf.all.keep_addr_on_down=1",
		"net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0",
		"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", NULL))
		return -1;
	if (!plan_is_router(n))
		return 0;
	return cmd(ns, n->name, "sysctl", "-qw", "net.ipv4.ip_forward=1",
		   "net.ipv6.conf.all.forwarding=1", NULL);
}

/* Both ends are created directly in their namespaces: nothing ever lands in ours. */
static int make_link(const struct lab *lab, const struct fab_link *l)
{
	const struct fab_node *a = &lab->plan.nodes[l->a], *b = &lab->plan.nodes[l->b];
	char ns_a[LAB_NS_MAX], ns_b[LAB_NS_MAX];

	lab_ns(lab, a, ns_a, sizeof(ns_a));
	lab_ns(lab, b, ns_b, sizeof(ns_b));
	return cmd(NULL, a->name, "ip", "link", "add", l->a_if, "netns", ns_a, "type", "veth",
		   "peer", "name", l->b_if, "netns", ns_b, NULL);
}

static int set_addresses(const struct lab *lab, const struct fab_node *n)
{
	struct fab_addr a[FAB_ADDRS_MAX];
	unsigned count = plan_node_addrs(n, a);
	char ns[LAB_NS_MAX], cidr[24], ip[16];

	lab_ns(lab, n, ns, sizeof(ns));
	for (unsigned i = 0; i < count; i++) {
		plan_ip_fmt(a[i].addr, ip, sizeof(ip));
		snprintf(cidr, sizeof(cidr), "%s/%u", ip, a[i].plen);
		if (cmd(ns, n->name, "ip", "addr", "add", cidr, "dev", a[i].ifname, NULL))
			return -1;
	}
	return 0;
}

static int link_up(const struct lab *lab, const struct fab_link *l)
{
	char ns_a[LAB_NS_MAX], ns_b[LAB_NS_MAX], gw[16];
	const struct fab_node *a = &lab->plan.nodes[l->a], *b = &lab->plan.nodes[l->b];

	lab_ns(lab, a, ns_a, sizeof(ns_a));
	lab_ns(lab, b, ns_b, sizeof(ns_b));
	if (cmd(ns_a, a->name, "ip", "link", "set", l->a_if, "up", NULL) ||
	    cmd(ns_b, b->name, "ip", "link", "set", l->b_if, "up", NULL))
		return -1;
	if (b->role != FAB_HOST)
		return 0;
	plan_ip_fmt(plan_host_gateway(b), gw, sizeof(gw));
	return cmd(ns_b, b->name, "ip", "route", "add", FAB_HOST_ROUTE, "via", gw, NULL);
}

static int build_network(const struct lab *lab)
{
	const struct fab_plan *p = &lab->plan;

	for (unsigned i = 0; i < p->n_nodes; i++)
		if (make_namespace(lab, &p->nodes[i]) < 0)
			return -1;
	for (unsigned i = 0; i < p->n_links; i++)
		if (make_link(lab, &p->links[i]) < 0)
			return -1;
	for (unsigned i = 0; i < p->n_nodes; i++)
		if (set_addresses(lab, &p->nodes[i]) < 0)
			return -1;
	for (unsigned i = 0; i < p->n_links; i++)
		if (link_up(lab, &p->links[i]) < 0)
			return -1;
	return 0;
}

static int start_daemons(const struct lab *lab)
{
	const struct fab_plan *p = &lab->plan;
	int rc = 0;

	for (unsigned i = 0; i < p->n_nodes; i++)
		if (lab_daemon_start(lab, &p->nodes[i]) < 0)
			return -1;
	for (unsigned i = 0; i < p->n_nodes; i++)
		if (plan_is_router(&p->nodes[i]) &&
		    lab_daemon_wait_ready(lab, &p->nodes[i], READY_MS) < 0)
			rc = -1;
	return rc;
}

static void count_daemons(const struct fab_plan *p, unsigned *routerd, unsigned *frr,
			  unsigned *hosts)
{
	*routerd = *frr = *hosts = 0;
	for (unsigned i = 0; i < p->n_nodes; i++) {
		*routerd += p->nodes[i].daemon == FAB_DAEMON_ROUTERD;
		*frr += p->nodes[i].daemon == FAB_DAEMON_FRR;
		*hosts += p->nodes[i].role == FAB_HOST;
	}
}

int lab_up(struct lab *lab)
{
	unsigned routerd, frr, hosts;

	if (refuse_if_up(lab) || check_tools(lab) || check_configs(lab) || prepare_run(lab))
		return 1;
	count_daemons(&lab->plan, &routerd, &frr, &hosts);
	printf("lab %s: %u routers (%u routerd, %u FRR), %u hosts, %u links in namespaces %s-*\n",
	       lab->plan.p.name, routerd + frr, routerd, frr, hosts, lab->plan.n_links,
	       lab->plan.p.ns_prefix);
	fflush(stdout);
	if (build_network(lab) < 0 || start_daemons(lab) < 0) {
		lab_error("up of lab %s failed; what was made is left for inspection: `fabric down "
			  "%s` removes it",
			  lab->plan.p.name, lab->dir);
		return 1;
	}
	printf("lab %s is up; sockets and logs in %s/<node>/\n"
	       "next: fabric status --wait 60 %s; fabric ping %s; fabric down %s\n",
	       lab->plan.p.name, lab->run, lab->dir, lab->dir, lab->dir);
	return 0;
}
