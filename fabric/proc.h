/*
 * Running programs for the fabric tool: always an argv array handed to
 * execvp(), never a shell string, so node names and paths cannot inject
 * anything.
 */
#ifndef FABRIC_PROC_H
#define FABRIC_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "routerd/lib/buf.h"

/* A growable NULL-terminated argv. */
struct argv {
	char **v;
	unsigned n, cap;
	bool oom;
};

void argv_init(struct argv *a);
void argv_add(struct argv *a, const char *s);
void argv_addf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void argv_free(struct argv *a);
/* "ip netns exec NS": the prefix of every command run inside a node. */
void argv_netns(struct argv *a, const char *ns);
/* The command as one line, for messages only (never executed). */
void argv_text(const struct argv *a, char *out, size_t len);

/*
 * Runs a->v and waits at most timeout_ms. Its stdout is appended to out and
 * its stderr to err (either may be NULL: discarded). Returns the exit status
 * (0..255), 128 + signal when killed by one, or -1 when it could not be run
 * or timed out (errno ETIMEDOUT, and it is killed).
 */
int proc_run(const struct argv *a, struct buf *out, struct buf *err, int timeout_ms);

/*
 * Starts a->v in its own session with stdin from /dev/null and stdout and
 * stderr appended to log (NULL: /dev/null). Returns the pid or -1.
 */
pid_t proc_spawn(const struct argv *a, const char *log);

/* true when our child pid has exited (reaped); *status as from waitpid. */
bool proc_exited(pid_t pid, int *status);

/* "exited with status 3" / "was killed by signal 9" */
void proc_status_text(int status, char *out, size_t len);

/* Milliseconds of a monotonic clock. */
long long proc_now_ms(void);
void proc_sleep_ms(int ms);

#endif
