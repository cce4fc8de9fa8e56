#include "fabric/planfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabric/emit.h"
#include "fabric/fileio.h"
#include "fabric/jsonr.h"
#include "routerd/conf/conf.h"

static int write_buf(const char *path, struct buf *b, struct fab_err *err)
{
	if (b->oom)
		return fab_fail(err, "%s: out of memory", path);
	if (fio_write(path, b->data, b->len) < 0)
		return fab_fail(err, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}

/* Writes path.check, loads it as routerd would, and only then moves it to path. */
static int write_checked(const char *path, struct buf *b, struct fab_err *err)
{
	char tmp[4096];
	char *problems = NULL;
	struct routerd_conf *c;

	snprintf(tmp, sizeof(tmp), "%s.check", path);
	if (write_buf(tmp, b, err) < 0)
		return -1;
	c = conf_load_file(tmp, &problems);
	if (!c) {
		fab_fail(err, "planned routerd config does not validate (not written):\n%s",
			 problems ? problems : "(no detail)");
		free(problems);
		unlink(tmp);
		return -1;
	}
	conf_free(c);
	if (rename(tmp, path) < 0)
		return fab_fail(err, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}

static int write_node(const struct fab_plan *plan, const struct fab_node *n, const char *dir,
		      struct fab_err *err)
{
	char ndir[4096], path[4096];
	struct buf b;
	int rc;

	fio_join(ndir, sizeof(ndir), dir, n->name);
	if (fio_mkdirs(ndir, 0755) < 0)
		return fab_fail(err, "%s: cannot create: %s", ndir, strerror(errno));
	buf_init(&b);
	emit_routerd(plan, n, &b);
	rc = write_checked(fio_join(path, sizeof(path), ndir, FAB_ROUTERD_FILE), &b, err);
	buf_reset(&b);
	if (rc == 0 && n->daemon == FAB_DAEMON_FRR) {
		emit_frr(plan, n, &b);
		rc = write_buf(fio_join(path, sizeof(path), ndir, FAB_FRR_FILE), &b, err);
	}
	buf_free(&b);
	return rc;
}

typedef void (*emit_fn)(const struct fab_plan *plan, struct buf *out);

static int write_top(const struct fab_plan *plan, const char *dir, const char *name, emit_fn fn,
		     struct fab_err *err)
{
	char path[4096];
	struct buf b;
	int rc;

	buf_init(&b);
	fn(plan, &b);
	rc = write_buf(fio_join(path, sizeof(path), dir, name), &b, err);
	buf_free(&b);
	return rc;
}

static void emit_daemons_of(const struct fab_plan *plan, struct buf *out)
{
	(void)plan;
	emit_frr_daemons(out);
}

int planfile_write(const struct fab_plan *plan, const char *dir, struct fab_err *err)
{
	if (fio_mkdirs(dir, 0755) < 0)
		return fab_fail(err, "%s: cannot create: %s", dir, strerror(errno));
	for (unsigned i = 0; i < plan->n_nodes; i++)
		if (plan_is_router(&plan->nodes[i]) && write_node(plan, &plan->nodes[i], dir, err))
			return -1;
	if (emit_has_frr(plan) && write_top(plan, dir, FAB_DAEMONS_FILE, emit_daemons_of, err))
		return -1;
	if (write_top(plan, dir, FAB_CLAB_FILE, emit_clab, err))
		return -1;
	/* Last: a folder whose plan.json exists is complete. */
	return write_top(plan, dir, FAB_PLAN_FILE, emit_plan, err);
}

/* ---- reading ---- */

static int get_uint(const struct jv *root, const char *key, unsigned max, unsigned *out,
		    struct fab_err *err)
{
	int64_t v;

	if (jv_int(jv_get(root, key), 0, max, &v) < 0)
		return fab_fail(err, "\"%s\" is missing or not a number in 0..%u", key, max);
	*out = (unsigned)v;
	return 0;
}

static int get_str(const struct jv *root, const char *key, char *out, size_t len,
		   struct fab_err *err)
{
	const char *s = jv_str(jv_get(root, key));

	if (!s || strlen(s) >= len)
		return fab_fail(err, "\"%s\" is missing, not a string or too long", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_frr(const struct jv *root, struct fab_params *p, struct fab_err *err)
{
	const struct jv *list = jv_get(root, "frr");
	size_t used = 0;

	if (!list || list->type != JV_ARRAY)
		return fab_fail(err, "\"frr\" is missing or not a list");
	for (unsigned i = 0; i < list->n_items; i++) {
		const char *s = jv_str(&list->items[i]);
		int n;

		if (!s)
			return fab_fail(err, "\"frr\" holds something other than node names");
		n = snprintf(p->frr + used, sizeof(p->frr) - used, "%s%s", i ? "," : "", s);
		if (n < 0 || (size_t)n >= sizeof(p->frr) - used)
			return fab_fail(err, "\"frr\" is too long");
		used += (size_t)n;
	}
	return 0;
}

static int get_params(const struct jv *root, struct fab_params *p, struct fab_err *err)
{
	char mode[16];
	unsigned version = 0;

	if (get_uint(root, "fabric-plan", 1000, &version, err) < 0)
		return -1;
	if (version != FAB_PLAN_VERSION)
		return fab_fail(err, "plan format %u, this fabric reads %d", version,
				FAB_PLAN_VERSION);
	if (get_str(root, "name", p->name, sizeof(p->name), err) ||
	    get_str(root, "namespace-prefix", p->ns_prefix, sizeof(p->ns_prefix), err) ||
	    get_uint(root, "spines", FAB_MAX_ROUTER, &p->spines, err) ||
	    get_uint(root, "leaves", FAB_MAX_ROUTER, &p->leaves, err) ||
	    get_uint(root, "borders", FAB_MAX_ROUTER, &p->borders, err) ||
	    get_str(root, "spine-asn", mode, sizeof(mode), err) || get_frr(root, p, err) ||
	    get_str(root, "image", p->image, sizeof(p->image), err) ||
	    get_str(root, "frr-image", p->frr_image, sizeof(p->frr_image), err) ||
	    get_str(root, "host-image", p->host_image, sizeof(p->host_image), err))
		return -1;
	if (plan_asn_mode_parse(mode, &p->asn_mode) < 0)
		return fab_fail(err, "\"spine-asn\" is \"%s\": expected shared or per-spine", mode);
	return 0;
}

int planfile_params(const char *text, struct fab_params *p, struct fab_err *err)
{
	char jerr[128];
	struct jv *root = jv_parse(text, jerr, sizeof(jerr));
	int rc;

	if (!root)
		return fab_fail(err, "not JSON: %s", jerr);
	plan_params_init(p);
	rc = get_params(root, p, err);
	jv_free(root);
	return rc;
}

static int prefixed(struct fab_err *err, const char *path)
{
	char msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return fab_fail(err, "%s: %s", path, msg);
}

/* The file must be exactly what its parameters plan. */
static int check_same(const struct fab_plan *plan, const struct buf *text, const char *path,
		      struct fab_err *err)
{
	struct buf again;
	bool same;

	buf_init(&again);
	emit_plan(plan, &again);
	same = again.len == text->len && !memcmp(again.data, text->data, text->len);
	buf_free(&again);
	if (!same)
		return fab_fail(
			err,
			"%s does not match what its parameters plan (edited by hand, or made "
			"by another version of fabric): run `fabric plan clos` again",
			path);
	return 0;
}

int planfile_load(const char *dir, struct fab_plan *plan, struct fab_err *err)
{
	char path[4096];
	struct fab_params p;
	struct buf text;
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	fio_join(path, sizeof(path), dir, FAB_PLAN_FILE);
	buf_init(&text);
	if (fio_read(path, &text) < 0)
		fab_fail(err,
			 "%s: cannot read: %s (plan the lab first: fabric plan clos ... --out %s)",
			 path, strerror(errno), dir);
	else if (planfile_params(text.data, &p, err) < 0 || plan_build(&p, plan, err) < 0)
		prefixed(err, path);
	else
		rc = check_same(plan, &text, path, err);
	if (rc < 0)
		plan_free(plan);
	buf_free(&text);
	return rc;
}
