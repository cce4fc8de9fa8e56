#include "fabric/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void argv_init(struct argv *a)
{
	memset(a, 0, sizeof(*a));
}

void argv_add(struct argv *a, const char *s)
{
	char **v;

	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		unsigned cap = a->cap ? 2 * a->cap : 16;

		v = realloc(a->v, cap * sizeof(*v));
		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n]) {
		a->oom = true;
		return;
	}
	a->v[++a->n] = NULL;
}

void argv_addf(struct argv *a, const char *fmt, ...)
{
	char s[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	argv_add(a, s);
}

void argv_free(struct argv *a)
{
	for (unsigned i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	argv_init(a);
}

void argv_netns(struct argv *a, const char *ns)
{
	argv_add(a, "ip");
	argv_add(a, "netns");
	argv_add(a, "exec");
	argv_add(a, ns);
}

void argv_text(const struct argv *a, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < a->n && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? " " : "", a->v[i]);

		if (n < 0)
			return;
		used += (size_t)n;
	}
}

long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void proc_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* In the child: fds 0..2 as given, everything else closed, then exec. */
static void child_exec(const struct argv *a, int in, int out, int err)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	execvp(a->v[0], a->v);
	dprintf(2, "fabric: cannot run %s: %s\n", a->v[0], strerror(errno));
	_exit(127);
}

static int open_null(int flags)
{
	return open("/dev/null", flags | O_CLOEXEC);
}

/* Reads both pipes until EOF or the deadline; -1 on timeout. */
static int drain(int fds[2], struct buf *bufs[2], long long deadline)
{
	struct pollfd p[2];
	char chunk[4096];
	int open_fds = 2;

	for (int i = 0; i < 2; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (open_fds) {
		long long left = deadline - proc_now_ms();
		int r;

		if (left <= 0)
			return -1;
		r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2 && r > 0; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n > 0 && bufs[i])
				buf_append(bufs[i], chunk, (size_t)n);
			if (n <= 0 && !(n < 0 && errno == EINTR)) {
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	return 0;
}

static int wait_status(pid_t pid, bool kill_first)
{
	int status;

	if (kill_first)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (kill_first) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void terminate(struct buf *b)
{
	if (b && buf_reserve(b, 1))
		b->data[b->len] = '\0';
}

int proc_run(const struct argv *a, struct buf *out, struct buf *err, int timeout_ms)
{
	int po[2], pe[2], in, timed_out;
	int fds[2];
	struct buf *bufs[2] = { out, err };
	pid_t pid;

	if (a->oom || !a->n)
		return -1;
	if (pipe2(po, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	in = open_null(O_RDONLY);
	pid = fork();
	if (pid == 0)
		child_exec(a, in, po[1], pe[1]);
	close(in);
	close(po[1]);
	close(pe[1]);
	fds[0] = po[0];
	fds[1] = pe[0];
	timed_out = pid > 0 ? drain(fds, bufs, proc_now_ms() + timeout_ms) : 0;
	close(po[0]);
	close(pe[0]);
	terminate(out);
	terminate(err);
	return pid < 0 ? -1 : wait_status(pid, timed_out < 0);
}

pid_t proc_spawn(const struct argv *a, const char *log)
{
	int in, out;
	pid_t pid;

	if (a->oom || !a->n)
		return -1;
	in = open_null(O_RDONLY);
	out = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
		  : open_null(O_WRONLY);
	if (in < 0 || out < 0) {
		if (in >= 0)
			close(in);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		setsid();
		child_exec(a, in, out, out);
	}
	close(in);
	close(out);
	return pid;
}

bool proc_exited(pid_t pid, int *status)
{
	pid_t r;

	*status = 0;
	r = waitpid(pid, status, WNOHANG);

	return r == pid || (r < 0 && errno == ECHILD);
}

void proc_status_text(int status, char *out, size_t len)
{
	if (WIFEXITED(status))
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, len, "stopped (status 0x%x)", status);
}
