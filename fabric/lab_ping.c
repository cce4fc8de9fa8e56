/*
 * `fabric ping DIR`: from every leaf (source: its loopback), one ping to
 * every router's loopback and every host, all at once, printed as a matrix.
 * A ping may take up to PING_DEADLINE seconds and is answered by the first
 * reply (`-c 1 -w`), so a slow neighbour resolution is not a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fabric/lab.h"
#include "fabric/proc.h"

#define PING_DEADLINE "3"

struct cell {
	pid_t pid;
	bool ok;
};

/* Address pinged for node to: a router's loopback or a host's address. */
static uint32_t target_addr(const struct fab_node *to)
{
	struct fab_addr a[FAB_ADDRS_MAX];

	plan_node_addrs(to, a);
	return a[0].addr;
}

static pid_t start_ping(const struct lab *lab, const struct fab_node *from,
			const struct fab_node *to)
{
	char ns[LAB_NS_MAX], src[16], dst[16];
	struct argv a;
	pid_t pid;

	lab_ns(lab, from, ns, sizeof(ns));
	plan_ip_fmt(from->loopback, src, sizeof(src));
	plan_ip_fmt(target_addr(to), dst, sizeof(dst));
	argv_init(&a);
	argv_netns(&a, ns);
	argv_add(&a, "ping");
	argv_add(&a, "-n");
	argv_add(&a, "-q");
	argv_add(&a, "-c");
	argv_add(&a, "1");
	argv_add(&a, "-i");
	argv_add(&a, "0.2");
	argv_add(&a, "-w");
	argv_add(&a, PING_DEADLINE);
	argv_add(&a, "-I");
	argv_add(&a, src);
	argv_add(&a, dst);
	pid = proc_spawn(&a, NULL);
	argv_free(&a);
	return pid;
}

/* One source's pings run at once; rows one after the other bound the process count. */
static void ping_row(const struct lab *lab, unsigned from, struct cell *row)
{
	const struct fab_plan *p = &lab->plan;
	int status;

	for (unsigned j = 0; j < p->n_nodes; j++)
		row[j].pid = start_ping(lab, &p->nodes[from], &p->nodes[j]);
	for (unsigned j = 0; j < p->n_nodes; j++)
		if (row[j].pid > 0 && waitpid(row[j].pid, &status, 0) == row[j].pid)
			row[j].ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool is_source(const struct fab_node *n)
{
	return n->role == FAB_LEAF;
}

static void header(const struct fab_plan *p)
{
	printf("%-9s", "from\\to");
	for (unsigned j = 0; j < p->n_nodes; j++)
		printf(" %-7s", p->nodes[j].name);
	printf("\n");
}

static unsigned print_rows(const struct fab_plan *p, const struct cell *cells, unsigned *total)
{
	unsigned ok = 0;

	*total = 0;
	for (unsigned i = 0; i < p->n_nodes; i++) {
		if (!is_source(&p->nodes[i]))
			continue;
		printf("%-9s", p->nodes[i].name);
		for (unsigned j = 0; j < p->n_nodes; j++) {
			const struct cell *c = &cells[i * p->n_nodes + j];

			printf(" %-7s", c->ok ? "ok" : "FAIL");
			ok += c->ok;
			(*total)++;
		}
		printf("\n");
	}
	return ok;
}

int lab_ping(struct lab *lab)
{
	const struct fab_plan *p = &lab->plan;
	struct cell *cells = calloc((size_t)p->n_nodes * p->n_nodes, sizeof(*cells));
	char present[1][LAB_NS_MAX];
	unsigned ok, total;

	if (!cells)
		return 1;
	if (!lab_ns_present(lab, present, 1)) {
		lab_error("lab %s is not up (no namespace %s-*): `fabric up %s` starts it",
			  p->p.name, p->p.ns_prefix, lab->dir);
		free(cells);
		return 1;
	}
	for (unsigned i = 0; i < p->n_nodes; i++)
		if (is_source(&p->nodes[i]))
			ping_row(lab, i, &cells[i * p->n_nodes]);
	header(p);
	ok = print_rows(p, cells, &total);
	printf("lab %s: %u of %u pings answered%s\n", p->p.name, ok, total,
	       ok == total ? "" : " (FAIL: no reply within " PING_DEADLINE " s)");
	free(cells);
	return ok == total ? 0 : 1;
}
