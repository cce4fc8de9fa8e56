#include "fabric/lab.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fabric/fileio.h"
#include "fabric/planfile.h"
#include "fabric/proc.h"

#define NETNS_DIR "/run/netns"

void lab_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fabric: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The folder this executable lives in: where meson puts routerd and routerctl too. */
static void own_folder(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		snprintf(out, len, "build");
		return;
	}
	exe[n] = '\0';
	snprintf(out, len, "%s", dirname(exe));
}

static void env_or(const char *var, const char *fallback, char *out, size_t len)
{
	const char *v = getenv(var);

	snprintf(out, len, "%s", v && *v ? v : fallback);
}

int lab_open(struct lab *lab, const char *dir, struct fab_err *err)
{
	char base[PATH_MAX], own[PATH_MAX];

	memset(lab, 0, sizeof(*lab));
	if (!realpath(dir, lab->dir)) {
		snprintf(err->msg, sizeof(err->msg),
			 "%s: %s (plan the lab first: fabric plan clos "
			 "... --out %s)",
			 dir, strerror(errno), dir);
		return -1;
	}
	if (planfile_load(lab->dir, &lab->plan, err) < 0)
		return -1;
	env_or("FABRIC_RUN_DIR", "/run/fabric", base, sizeof(base));
	fio_pathf(lab->run, sizeof(lab->run), "%s/%s", base, lab->plan.p.ns_prefix);
	own_folder(own, sizeof(own));
	env_or("ROUTERD_BUILD", own, lab->build, sizeof(lab->build));
	env_or("FABRIC_FRR_DIR", "/usr/lib/frr", lab->frr, sizeof(lab->frr));
	return 0;
}

void lab_close(struct lab *lab)
{
	plan_free(&lab->plan);
}

void lab_ns(const struct lab *lab, const struct fab_node *n, char *out, size_t len)
{
	plan_ns_name(&lab->plan, n, out, len);
}

void lab_node_path(const struct lab *lab, const struct fab_node *n, const char *file, char *out,
		   size_t len)
{
	if (file)
		snprintf(out, len, "%s/%s/%s", lab->run, n->name, file);
	else
		snprintf(out, len, "%s/%s", lab->run, n->name);
}

bool lab_ns_exists(const char *ns)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, ns);
	return stat(path, &st) == 0;
}

/* "<prefix>-<word>" with no further '-': node names never hold one, so lab
 * "a" does not claim the namespaces of lab "a-b". */
static bool ours(const struct lab *lab, const char *ns)
{
	size_t n = strlen(lab->plan.p.ns_prefix);

	return !strncmp(ns, lab->plan.p.ns_prefix, n) && ns[n] == '-' && ns[n + 1] &&
	       !strchr(ns + n + 1, '-');
}

unsigned lab_ns_present(const struct lab *lab, char (*out)[LAB_NS_MAX], unsigned max)
{
	DIR *d = opendir(NETNS_DIR);
	struct dirent *e;
	unsigned count = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && count < max)
		if (ours(lab, e->d_name) && strlen(e->d_name) < LAB_NS_MAX)
			snprintf(out[count++], LAB_NS_MAX, "%s", e->d_name);
	closedir(d);
	return count;
}

int lab_ns_run(const char *ns, const struct argv *cmd, struct buf *out, struct buf *err,
	       int timeout_ms)
{
	struct argv a;
	int rc;

	argv_init(&a);
	argv_netns(&a, ns);
	for (unsigned i = 0; i < cmd->n; i++)
		argv_add(&a, cmd->v[i]);
	rc = proc_run(&a, out, err, timeout_ms);
	argv_free(&a);
	return rc;
}

/* Start of the last `lines` lines of text[0..end). */
static size_t tail_start(const char *text, size_t end, unsigned lines)
{
	size_t start = end;
	unsigned seen = 0;

	while (start > 0) {
		if (text[start - 1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	return start;
}

void lab_print_tail(const char *path, unsigned lines)
{
	struct buf b;
	size_t end, start;

	buf_init(&b);
	if (fio_read(path, &b) < 0) {
		fprintf(stderr, "    (cannot read %s: %s)\n", path, strerror(errno));
		buf_free(&b);
		return;
	}
	end = b.len;
	if (end && b.data[end - 1] == '\n')
		end--;
	start = tail_start(b.data, end, lines);
	while (start < end) {
		char *nl = memchr(b.data + start, '\n', end - start);
		size_t stop = nl ? (size_t)(nl - b.data) : end;

		fprintf(stderr, "    %.*s\n", (int)(stop - start), b.data + start);
		start = stop + 1;
	}
	if (!b.len)
		fprintf(stderr, "    (%s is empty)\n", path);
	buf_free(&b);
}
