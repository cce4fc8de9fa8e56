/*
 * `fabric status [--wait SECS] DIR`: one line per router with its BGP
 * sessions (up/expected, from the daemon), its BGP routes in the kernel and
 * the ECMP width towards every other router's loopback (from the kernel
 * FIB, so routerd and FRR are judged alike). Converged means every session
 * up and every loopback and host subnet reached over as many paths as the
 * plan gives (fabric/plan.c: plan_expected_paths). Exit 0 only then.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/lab.h"
#include "fabric/proc.h"
#include "fabric/status_parse.h"

#define QUERY_MS 5000
#define POLL_MS	 1000

#define SHOWN_PROBLEMS 3

struct node_state {
	bool daemon_ok;
	unsigned n_problems; /* the first SHOWN_PROBLEMS are spelled out */
	struct sp_sessions sessions;
	struct sp_routes routes;
	char ecmp[2048];
	char problems[512];
};

static void add_problem(struct node_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_problem(struct node_state *st, const char *fmt, ...)
{
	size_t used = strlen(st->problems);
	va_list ap;

	if (++st->n_problems > SHOWN_PROBLEMS)
		return;
	if (used)
		used += (size_t)snprintf(st->problems + used, sizeof(st->problems) - used, "; ");
	if (used >= sizeof(st->problems))
		return;
	va_start(ap, fmt);
	vsnprintf(st->problems + used, sizeof(st->problems) - used, fmt, ap);
	va_end(ap);
}

static int ns_query(const char *ns, struct buf *out, const char *a0, const char *a1, const char *a2,
		    const char *a3, const char *a4, const char *a5)
{
	const char *args[] = { a0, a1, a2, a3, a4, a5 };
	struct argv a;
	int rc;

	argv_init(&a);
	for (unsigned i = 0; i < 6 && args[i]; i++)
		argv_add(&a, args[i]);
	rc = lab_ns_run(ns, &a, out, NULL, QUERY_MS);
	argv_free(&a);
	return rc;
}

/* Routes that only name a nexthop object get their width from it. */
static void resolve_nhids(const char *ns, struct sp_routes *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		struct buf out;
		char id[16];

		if (r->v[i].width || !r->v[i].nhid)
			continue;
		snprintf(id, sizeof(id), "%d", r->v[i].nhid);
		buf_init(&out);
		if (ns_query(ns, &out, "ip", "-j", "nexthop", "show", "id", id) == 0)
			sp_nexthop_width(out.data, &r->v[i].width);
		buf_free(&out);
	}
}

static void read_routes(const char *ns, struct node_state *st)
{
	struct buf out;

	buf_init(&out);
	if (ns_query(ns, &out, "ip", "-4", "-j", "route", "show", NULL) != 0 ||
	    sp_kernel_routes(out.data, &st->routes) < 0)
		add_problem(st, "cannot read the kernel routes of %s", ns);
	else
		resolve_nhids(ns, &st->routes);
	buf_free(&out);
}

static void read_sessions(const struct lab *lab, const struct fab_node *n, struct node_state *st)
{
	struct buf out;
	int rc;
	char log[PATH_MAX];

	buf_init(&out);
	rc = lab_daemon_summary(lab, n, &out);
	if (rc == 0)
		rc = n->daemon == FAB_DAEMON_FRR ? sp_frr_sessions(out.data, &st->sessions)
						 : sp_routerd_sessions(out.data, &st->sessions);
	buf_free(&out);
	st->daemon_ok = rc == 0;
	if (!st->daemon_ok) {
		lab_daemon_log(lab, n, log, sizeof(log));
		add_problem(st, "%s not answering (see %s)", plan_daemon_name(n->daemon), log);
	} else if (st->sessions.up < plan_expected_sessions(n)) {
		add_problem(st, "%u of %u sessions down",
			    plan_expected_sessions(n) - st->sessions.up, plan_expected_sessions(n));
	}
}

static unsigned width_to(const struct node_state *st, uint32_t dst, unsigned plen)
{
	const struct sp_route *r = sp_find(&st->routes, dst, plen);

	return r ? r->width : 0;
}

static void append(char *s, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *s, size_t len, const char *fmt, ...)
{
	size_t used = strlen(s);
	va_list ap;

	if (used >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(s + used, len - used, fmt, ap);
	va_end(ap);
}

/* "leaf2:2" when as planned, "leaf2:1/2" when not, "spine2:-" when not expected and absent. */
static void judge_loopback(const struct lab *lab, unsigned from, unsigned to, struct node_state *st)
{
	const struct fab_node *t = &lab->plan.nodes[to];
	unsigned want = plan_expected_paths(&lab->plan, from, to);
	unsigned have = width_to(st, t->loopback, 32);

	if (!want && !have)
		append(st->ecmp, sizeof(st->ecmp), " %s:-", t->name);
	else if (!want || have == want)
		append(st->ecmp, sizeof(st->ecmp), " %s:%u", t->name, have);
	else {
		append(st->ecmp, sizeof(st->ecmp), " %s:%u/%u", t->name, have, want);
		add_problem(st, "%s loopback over %u of %u paths", t->name, have, want);
	}
}

static void judge_host(const struct lab *lab, unsigned from, unsigned to, struct node_state *st)
{
	const struct fab_node *h = &lab->plan.nodes[to];
	unsigned want = plan_expected_paths(&lab->plan, from, to);
	unsigned have = width_to(st, h->host_net, FAB_HOST_PLEN);

	if (want && have != want)
		add_problem(st, "%s subnet over %u of %u paths", h->name, have, want);
}

static void judge(const struct lab *lab, unsigned from, struct node_state *st)
{
	const struct fab_plan *p = &lab->plan;

	for (unsigned to = 0; to < p->n_nodes; to++) {
		if (to == from ||
		    (p->nodes[from].role == FAB_LEAF && p->nodes[from].attached == to))
			continue;
		if (plan_is_router(&p->nodes[to]))
			judge_loopback(lab, from, to, st);
		else
			judge_host(lab, from, to, st);
	}
}

static bool node_check(const struct lab *lab, unsigned i, struct node_state *st)
{
	const struct fab_node *n = &lab->plan.nodes[i];
	char ns[LAB_NS_MAX];

	memset(st, 0, sizeof(*st));
	lab_ns(lab, n, ns, sizeof(ns));
	if (!lab_ns_exists(ns)) {
		add_problem(st, "namespace %s is missing", ns);
		return false;
	}
	read_sessions(lab, n, st);
	read_routes(ns, st);
	judge(lab, i, st);
	return !st->problems[0];
}

static void print_line(const struct fab_node *n, const struct node_state *st)
{
	char sessions[32];

	if (st->daemon_ok)
		snprintf(sessions, sizeof(sessions), "%u/%u", st->sessions.up,
			 plan_expected_sessions(n));
	else
		snprintf(sessions, sizeof(sessions), "?/%u", plan_expected_sessions(n));
	printf("%-9s %-8s %-9s %-7u%s  %s%s", n->name, plan_daemon_name(n->daemon), sessions,
	       sp_count_bgp(&st->routes), st->ecmp, st->problems[0] ? "NOT CONVERGED: " : "ok",
	       st->problems);
	if (st->n_problems > SHOWN_PROBLEMS)
		printf("; %u more", st->n_problems - SHOWN_PROBLEMS);
	printf("\n");
}

/* One pass over every router; prints the table when `print`. Returns converged. */
static bool check_all(const struct lab *lab, bool print)
{
	const struct fab_plan *p = &lab->plan;
	struct node_state st;
	unsigned bad = 0, routers = 0;

	if (print)
		printf("%-9s %-8s %-9s %-7s%s  %s\n", "NODE", "DAEMON", "SESSIONS", "ROUTES",
		       " ECMP TO EACH LOOPBACK", "STATE");
	for (unsigned i = 0; i < p->n_nodes; i++) {
		if (!plan_is_router(&p->nodes[i]))
			continue;
		routers++;
		bad += !node_check(lab, i, &st);
		if (print)
			print_line(&p->nodes[i], &st);
		sp_routes_free(&st.routes);
	}
	if (print && bad)
		printf("lab %s: NOT CONVERGED (%u of %u routers)\n", p->p.name, bad, routers);
	else if (print)
		printf("lab %s: converged (%u routers)\n", p->p.name, routers);
	return !bad;
}

int lab_status(struct lab *lab, int wait_secs)
{
	char present[1][LAB_NS_MAX];
	long long deadline = proc_now_ms() + (long long)wait_secs * 1000;

	if (!lab_ns_present(lab, present, 1)) {
		lab_error("lab %s is not up (no namespace %s-*): `fabric up %s` starts it",
			  lab->plan.p.name, lab->plan.p.ns_prefix, lab->dir);
		return 1;
	}
	while (wait_secs > 0 && proc_now_ms() < deadline && !check_all(lab, false))
		proc_sleep_ms(POLL_MS);
	return check_all(lab, true) ? 0 : 1;
}
