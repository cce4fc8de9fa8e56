/*
 * A planned lab on this machine: one network namespace per node
 * ("<ns_prefix>-<node>"), veth links named as planned, and one routerd or
 * FRR per router, each with its own directory under the run folder
 * (<FABRIC_RUN_DIR or /run/fabric>/<ns_prefix>/<node>/: socket, logs, pids).
 *
 * Every command goes through fork/exec of `ip`, routerd, routerctl, FRR and
 * ping with argv arrays (fabric/proc.h).
 */
#ifndef FABRIC_LAB_H
#define FABRIC_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fabric/plan.h"
#include "routerd/lib/buf.h"

#define LAB_NS_MAX 64

struct lab {
	struct fab_plan plan;
	char dir[PATH_MAX]; /* the planned folder */
	char run[PATH_MAX]; /* run folder of this lab */
	char build
		[PATH_MAX]; /* holds routerd and routerctl: ROUTERD_BUILD or fabric's own folder */
	char frr[PATH_MAX]; /* holds zebra and bgpd: FABRIC_FRR_DIR or /usr/lib/frr */
};

/* Reads DIR/plan.json and works out the folders; -1 with err. */
int lab_open(struct lab *lab, const char *dir, struct fab_err *err);
void lab_close(struct lab *lab);

void lab_ns(const struct lab *lab, const struct fab_node *n, char *out, size_t len);
/* <run>/<node>/<file> (file NULL: the node's folder). */
void lab_node_path(const struct lab *lab, const struct fab_node *n, const char *file, char *out,
		   size_t len);

bool lab_ns_exists(const char *ns);
/* Namespaces of this lab that exist now: planned names and any "<prefix>-<word>". */
unsigned lab_ns_present(const struct lab *lab, char (*out)[LAB_NS_MAX], unsigned max);

struct argv;

/* Runs argv inside namespace ns, waits (timeout_ms); as proc_run. */
int lab_ns_run(const char *ns, const struct argv *cmd, struct buf *out, struct buf *err,
	       int timeout_ms);

/* Prints "fabric: ..." to stderr. */
void lab_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the last lines of a log file to stderr, indented. */
void lab_print_tail(const char *path, unsigned lines);

/* Daemons (fabric/lab_daemon.c). */
int lab_daemon_start(const struct lab *lab, const struct fab_node *n);
int lab_daemon_wait_ready(const struct lab *lab, const struct fab_node *n, int timeout_ms);
/* The daemon's `show bgp summary json` into out; the query's exit status. */
int lab_daemon_summary(const struct lab *lab, const struct fab_node *n, struct buf *out);
/* The log a person should read first when the node's daemon misbehaves. */
void lab_daemon_log(const struct lab *lab, const struct fab_node *n, char *out, size_t len);

/* Subcommands: each returns the process exit status. */
int lab_up(struct lab *lab);
int lab_down(struct lab *lab);
int lab_status(struct lab *lab, int wait_secs);
int lab_ping(struct lab *lab);

#endif
