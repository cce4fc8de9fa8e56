/*
 * One routing daemon per router namespace: routerd with its own socket and
 * log, or FRR (zebra + bgpd) started as tests/integration/netlab.py does
 * (own folder owned by frr, -N <namespace>, own zserv and vty sockets).
 * The pids we started go to <node>/fabric.pids for `down` and `status`.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fabric/emit.h"
#include "fabric/fileio.h"
#include "fabric/lab.h"
#include "fabric/proc.h"

#define PIDS_FILE     "fabric.pids"
#define ZSERV_WAIT_MS 10000
#define QUERY_MS      5000

void lab_daemon_log(const struct lab *lab, const struct fab_node *n, char *out, size_t len)
{
	lab_node_path(lab, n, n->daemon == FAB_DAEMON_FRR ? "bgpd.log" : "routerd.log", out, len);
}

static int record_pid(const struct lab *lab, const struct fab_node *n, const char *label, pid_t pid)
{
	char path[PATH_MAX];
	FILE *f;

	lab_node_path(lab, n, PIDS_FILE, path, sizeof(path));
	f = fopen(path, "a");
	if (!f)
		return -1;
	fprintf(f, "%s %d\n", label, (int)pid);
	return fclose(f);
}

/* Starts one daemon in n's namespace with its output appended to <node>/<out_name>. */
static pid_t spawn_in(const struct lab *lab, const struct fab_node *n, const char *label,
		      const struct argv *cmd, const char *out_name)
{
	char ns[LAB_NS_MAX], log[PATH_MAX];
	struct argv a;
	pid_t pid;

	lab_ns(lab, n, ns, sizeof(ns));
	lab_node_path(lab, n, out_name, log, sizeof(log));
	argv_init(&a);
	argv_netns(&a, ns);
	for (unsigned i = 0; i < cmd->n; i++)
		argv_add(&a, cmd->v[i]);
	pid = proc_spawn(&a, log);
	argv_free(&a);
	if (pid < 0) {
		lab_error("%s: cannot start %s: %s", n->name, label, strerror(errno));
		return -1;
	}
	if (record_pid(lab, n, label, pid) < 0)
		lab_error("%s: cannot record the pid of %s: %s", n->name, label, strerror(errno));
	return pid;
}

static int start_routerd(const struct lab *lab, const struct fab_node *n)
{
	char conf[PATH_MAX], sock[PATH_MAX];
	struct argv a;
	pid_t pid;

	fio_pathf(conf, sizeof(conf), "%s/%s/%s", lab->dir, n->name, FAB_ROUTERD_FILE);
	lab_node_path(lab, n, "routerd.sock", sock, sizeof(sock));
	argv_init(&a);
	argv_addf(&a, "%s/routerd", lab->build);
	argv_add(&a, "-f");
	argv_add(&a, conf);
	argv_add(&a, "-s");
	argv_add(&a, sock);
	pid = spawn_in(lab, n, "routerd", &a, "routerd.log");
	argv_free(&a);
	return pid < 0 ? -1 : 0;
}

/* FRR drops privileges to frr:frr: its folder and config must be theirs. */
static int frr_owned(const char *path)
{
	struct passwd *pw = getpwnam("frr");
	struct group *gr = getgrnam("frr");

	if (!pw || !gr) {
		lab_error("no user or group \"frr\": install FRR (apt-get install frr)");
		return -1;
	}
	if (chown(path, pw->pw_uid, gr->gr_gid) < 0) {
		lab_error("%s: cannot chown to frr: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Copies the planned frr.conf next to the sockets and gives vtysh its /etc/frr/<ns>. */
static int frr_prepare(const struct lab *lab, const struct fab_node *n, char *conf, size_t len)
{
	char src[PATH_MAX], etc[PATH_MAX], ndir[PATH_MAX], ns[LAB_NS_MAX];
	struct buf b;
	int rc;

	fio_pathf(src, sizeof(src), "%s/%s/%s", lab->dir, n->name, FAB_FRR_FILE);
	lab_node_path(lab, n, FAB_FRR_FILE, conf, len);
	lab_node_path(lab, n, NULL, ndir, sizeof(ndir));
	buf_init(&b);
	rc = fio_read(src, &b);
	if (rc < 0)
		lab_error("%s: cannot read %s: %s", n->name, src, strerror(errno));
	else if ((rc = fio_write(conf, b.data, b.len)) < 0)
		lab_error("%s: cannot write %s: %s", n->name, conf, strerror(errno));
	buf_free(&b);
	if (rc < 0 || frr_owned(ndir) < 0 || frr_owned(conf) < 0)
		return -1;
	lab_ns(lab, n, ns, sizeof(ns));
	snprintf(etc, sizeof(etc), "/etc/frr/%s", ns);
	if (fio_mkdirs(etc, 0755) < 0 ||
	    fio_write(fio_join(etc, sizeof(etc), etc, "vtysh.conf"), "", 0) < 0) {
		lab_error("%s: cannot create /etc/frr/%s/vtysh.conf: %s", n->name, ns,
			  strerror(errno));
		return -1;
	}
	return 0;
}

static void frr_argv(const struct lab *lab, const struct fab_node *n, const char *daemon,
		     const char *conf, struct argv *a)
{
	char ns[LAB_NS_MAX], ndir[PATH_MAX];

	lab_ns(lab, n, ns, sizeof(ns));
	lab_node_path(lab, n, NULL, ndir, sizeof(ndir));
	argv_addf(a, "%s/%s", lab->frr, daemon);
	argv_add(a, "-N");
	argv_add(a, ns);
	argv_add(a, "-i");
	argv_addf(a, "%s/%s.pid", ndir, daemon);
	argv_add(a, "-z");
	argv_addf(a, "%s/zserv.api", ndir);
	argv_add(a, "--vty_socket");
	argv_add(a, ndir);
	argv_add(a, "-f");
	argv_add(a, conf);
	argv_add(a, "-u");
	argv_add(a, "frr");
	argv_add(a, "-g");
	argv_add(a, "frr");
	argv_add(a, "--log");
	argv_addf(a, "file:%s/%s.log", ndir, daemon);
}

static pid_t start_frr_daemon(const struct lab *lab, const struct fab_node *n, const char *daemon,
			      const char *conf)
{
	char out[32];
	struct argv a;
	pid_t pid;

	argv_init(&a);
	frr_argv(lab, n, daemon, conf, &a);
	snprintf(out, sizeof(out), "%s.out", daemon);
	pid = spawn_in(lab, n, daemon, &a, out);
	argv_free(&a);
	return pid;
}

/* bgpd needs zebra's socket: wait for it, or for zebra to die. */
static int wait_zserv(const struct lab *lab, const struct fab_node *n, pid_t zebra)
{
	char path[PATH_MAX], log[PATH_MAX], why[64];
	long long deadline = proc_now_ms() + ZSERV_WAIT_MS;
	int status;

	lab_node_path(lab, n, "zserv.api", path, sizeof(path));
	lab_node_path(lab, n, "zebra.out", log, sizeof(log));
	while (access(path, F_OK) < 0) {
		if (proc_exited(zebra, &status)) {
			proc_status_text(status, why, sizeof(why));
			lab_error("%s: zebra %s while starting: see %s", n->name, why, log);
			lab_print_tail(log, 15);
			return -1;
		}
		if (proc_now_ms() > deadline) {
			lab_error("%s: zebra made no %s within %d s: see %s", n->name, path,
				  ZSERV_WAIT_MS / 1000, log);
			return -1;
		}
		proc_sleep_ms(50);
	}
	return 0;
}

static int start_frr(const struct lab *lab, const struct fab_node *n)
{
	char conf[PATH_MAX];
	pid_t zebra;

	if (frr_prepare(lab, n, conf, sizeof(conf)) < 0)
		return -1;
	zebra = start_frr_daemon(lab, n, "zebra", conf);
	if (zebra < 0 || wait_zserv(lab, n, zebra) < 0)
		return -1;
	return start_frr_daemon(lab, n, "bgpd", conf) < 0 ? -1 : 0;
}

int lab_daemon_start(const struct lab *lab, const struct fab_node *n)
{
	if (n->daemon == FAB_DAEMON_FRR)
		return start_frr(lab, n);
	if (n->daemon == FAB_DAEMON_ROUTERD)
		return start_routerd(lab, n);
	return 0;
}

int lab_daemon_summary(const struct lab *lab, const struct fab_node *n, struct buf *out)
{
	char path[PATH_MAX];
	struct argv a;
	int rc;

	argv_init(&a);
	if (n->daemon == FAB_DAEMON_FRR) {
		lab_node_path(lab, n, NULL, path, sizeof(path));
		argv_add(&a, "vtysh");
		argv_add(&a, "--vty_socket");
		argv_add(&a, path);
		argv_add(&a, "-c");
		argv_add(&a, "show bgp summary json");
	} else {
		lab_node_path(lab, n, "routerd.sock", path, sizeof(path));
		argv_addf(&a, "%s/routerctl", lab->build);
		argv_add(&a, "-s");
		argv_add(&a, path);
		argv_add(&a, "show");
		argv_add(&a, "bgp");
		argv_add(&a, "summary");
		argv_add(&a, "json");
	}
	rc = proc_run(&a, out, NULL, QUERY_MS);
	argv_free(&a);
	return rc;
}

/* The first of our pids for n that has exited, with its label and status; 0 when none. */
static pid_t exited_pid(const struct lab *lab, const struct fab_node *n, char *label, size_t len,
			int *status)
{
	char path[PATH_MAX], name[32];
	int pid;
	FILE *f;

	lab_node_path(lab, n, PIDS_FILE, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%31s %d", name, &pid) == 2)
		if (proc_exited(pid, status)) {
			snprintf(label, len, "%s", name);
			fclose(f);
			return pid;
		}
	fclose(f);
	return 0;
}

/* routerd logs to its stdout; FRR to <daemon>.log, or only <daemon>.out when it died early. */
static void label_log(const struct lab *lab, const struct fab_node *n, const char *label, char *out,
		      size_t len)
{
	char name[48];
	struct stat st;

	if (!strcmp(label, "routerd")) {
		lab_node_path(lab, n, "routerd.log", out, len);
		return;
	}
	snprintf(name, sizeof(name), "%s.log", label);
	lab_node_path(lab, n, name, out, len);
	if (stat(out, &st) == 0 && st.st_size > 0)
		return;
	snprintf(name, sizeof(name), "%s.out", label);
	lab_node_path(lab, n, name, out, len);
}

static int report_exit(const struct lab *lab, const struct fab_node *n, const char *label,
		       int status)
{
	char why[64], log[PATH_MAX];

	proc_status_text(status, why, sizeof(why));
	label_log(lab, n, label, log, sizeof(log));
	lab_error("%s: %s %s while starting: see its log %s", n->name, label, why, log);
	lab_print_tail(log, 15);
	return -1;
}

int lab_daemon_wait_ready(const struct lab *lab, const struct fab_node *n, int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;
	char label[32], log[PATH_MAX];
	struct buf out;
	int status;

	buf_init(&out);
	for (;;) {
		int rc;

		if (exited_pid(lab, n, label, sizeof(label), &status)) {
			buf_free(&out);
			return report_exit(lab, n, label, status);
		}
		buf_reset(&out);
		rc = lab_daemon_summary(lab, n, &out);
		if (rc == 0)
			break;
		if (proc_now_ms() > deadline) {
			lab_daemon_log(lab, n, log, sizeof(log));
			lab_error(
				"%s: %s did not answer `show bgp summary` within %d s: see its log "
				"%s",
				n->name, plan_daemon_name(n->daemon), timeout_ms / 1000, log);
			lab_print_tail(log, 15);
			buf_free(&out);
			return -1;
		}
		proc_sleep_ms(100);
	}
	buf_free(&out);
	return 0;
}
