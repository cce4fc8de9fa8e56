/*
 * `fabric down DIR`: every namespace of the lab (the planned names and any
 * "<prefix>-<word>" left by an older plan), the processes inside them
 * (SIGTERM, then SIGKILL), FRR's /etc/frr/<namespace> and the run folder.
 * Veth links go with their namespaces: `up` never puts one in ours.
 * Works after a partial `up`, and when nothing is up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fabric/fileio.h"
#include "fabric/lab.h"
#include "fabric/proc.h"

#define NS_MAX	     512
#define PIDS_MAX     256
#define TERM_WAIT_MS 5000
#define KILL_WAIT_MS 3000

static unsigned ns_pids(const char *ns, int *pids, unsigned max)
{
	struct argv a;
	struct buf out;
	unsigned n = 0;

	argv_init(&a);
	argv_add(&a, "ip");
	argv_add(&a, "netns");
	argv_add(&a, "pids");
	argv_add(&a, ns);
	buf_init(&out);
	if (proc_run(&a, &out, NULL, 5000) == 0 && out.data)
		for (char *s = out.data, *end; *s && n < max; s = end) {
			long pid = strtol(s, &end, 10);

			if (end == s)
				break;
			if (pid > 1)
				pids[n++] = (int)pid;
		}
	buf_free(&out);
	argv_free(&a);
	return n;
}

static bool wait_empty(const char *ns, int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;
	int pids[PIDS_MAX];

	while (ns_pids(ns, pids, PIDS_MAX)) {
		if (proc_now_ms() > deadline)
			return false;
		proc_sleep_ms(50);
	}
	return true;
}

static void signal_all(const char *ns, int sig)
{
	int pids[PIDS_MAX];
	unsigned n = ns_pids(ns, pids, PIDS_MAX);

	for (unsigned i = 0; i < n; i++) {
		kill(pids[i], SIGCONT);
		kill(pids[i], sig);
	}
}

/* Stops everything running in ns; returns how many processes there were. */
static unsigned stop_processes(const char *ns)
{
	int pids[PIDS_MAX];
	unsigned n = ns_pids(ns, pids, PIDS_MAX);

	if (!n)
		return 0;
	signal_all(ns, SIGTERM);
	if (!wait_empty(ns, TERM_WAIT_MS)) {
		signal_all(ns, SIGKILL);
		if (!wait_empty(ns, KILL_WAIT_MS))
			lab_error("%s: processes survive SIGKILL", ns);
	}
	return n;
}

static int delete_ns(const char *ns)
{
	struct argv a;
	struct buf err;
	int rc;

	argv_init(&a);
	argv_add(&a, "ip");
	argv_add(&a, "netns");
	argv_add(&a, "delete");
	argv_add(&a, ns);
	buf_init(&err);
	rc = proc_run(&a, NULL, &err, 10000);
	if (rc != 0)
		lab_error("ip netns delete %s failed: %s", ns, err.len ? err.data : "no message");
	buf_free(&err);
	argv_free(&a);
	return rc == 0 ? 0 : -1;
}

static void remove_frr_dirs(const char *ns)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/etc/frr/%s", ns);
	fio_remove_tree(path);
	/* FRR's -N makes /var/run/frr/<ns> even with every socket moved elsewhere. */
	snprintf(path, sizeof(path), "/var/run/frr/%s", ns);
	fio_remove_tree(path);
}

/* The planned namespaces that exist, plus any other of this lab's. */
static unsigned collect(const struct lab *lab, char (*ns)[LAB_NS_MAX])
{
	unsigned n = lab_ns_present(lab, ns, NS_MAX);

	for (unsigned i = 0; i < lab->plan.n_nodes && n < NS_MAX; i++) {
		char name[LAB_NS_MAX];
		bool seen = false;

		lab_ns(lab, &lab->plan.nodes[i], name, sizeof(name));
		for (unsigned j = 0; j < n && !seen; j++)
			seen = !strcmp(ns[j], name);
		if (!seen && lab_ns_exists(name))
			snprintf(ns[n++], LAB_NS_MAX, "%s", name);
	}
	return n;
}

static void remove_leftover_files(const struct lab *lab)
{
	for (unsigned i = 0; i < lab->plan.n_nodes; i++) {
		char name[LAB_NS_MAX];

		lab_ns(lab, &lab->plan.nodes[i], name, sizeof(name));
		remove_frr_dirs(name);
	}
	if (fio_remove_tree(lab->run) < 0)
		lab_error("%s: cannot remove: %s", lab->run, strerror(errno));
}

int lab_down(struct lab *lab)
{
	static char ns[NS_MAX][LAB_NS_MAX];
	unsigned n = collect(lab, ns), procs = 0, left;
	struct stat st;
	bool had_run = stat(lab->run, &st) == 0;
	int rc = 0;

	for (unsigned i = 0; i < n; i++)
		procs += stop_processes(ns[i]);
	for (unsigned i = 0; i < n; i++) {
		rc |= delete_ns(ns[i]);
		remove_frr_dirs(ns[i]);
	}
	remove_leftover_files(lab);
	left = lab_ns_present(lab, ns, NS_MAX);
	if (left) {
		lab_error("lab %s: %u namespaces are still there (e.g. %s)", lab->plan.p.name, left,
			  ns[0]);
		return 1;
	}
	if (!n && !had_run)
		printf("lab %s was not up: nothing to remove\n", lab->plan.p.name);
	else
		printf("lab %s is down: removed %u namespaces (and their links), stopped %u "
		       "processes, removed %s\n",
		       lab->plan.p.name, n, procs, lab->run);
	return rc ? 1 : 0;
}
