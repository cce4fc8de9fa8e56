/*
 * Config loader: file -> libyang data tree -> checks -> struct routerd_conf.
 *
 * conf_load_file():
 *   1. reads the file (the text is kept to correct libyang's line numbers);
 *   2. builds a fresh libyang context holding only the embedded module;
 *   3. parses with LYD_PARSE_ONLY. libyang's validation stops at the first
 *      error and frees the tree, so the tree is parsed first, our checks
 *      run over it and report every instance of every problem they know,
 *      and only then does libyang validate (leafref, must, mandatory,
 *      duplicate keys). A libyang error at a path our checks already
 *      reported is dropped: ours says more;
 *   4. converts the validated tree (defaults now filled in) into the plain
 *      structs of conf.h, resolving peer-group inheritance and the
 *      profile's defaults.
 *
 * Every problem is one line "FILE: PATH[ (line N)]: WHAT: FIX".
 *
 * This file holds the pipeline; conf_internal.h lists the files doing each step.
 */
#include "routerd/conf/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libyang/libyang.h>

#include "routerd/conf/conf_internal.h"
#include "routerd/lib/buf.h"
#include "routerd/policy/policy_set.h"

/* routerd.yang, turned into a C string by embed-text at build time. */
extern const char routerd_yang_text[];

#define RA_INTERVAL_TRADITIONAL 10
#define RA_INTERVAL_DATACENTER	5

/* ------------------------------------------------------------------ */
/* Reading the file, the libyang context                              */
/* ------------------------------------------------------------------ */

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static int read_text(struct loader *l)
{
	char chunk[4096];
	struct buf b;
	FILE *f;
	size_t n;
	bool failed;

	f = fopen(l->file, "r");
	if (!f) {
		problem_add(&l->probs, "/", 0,
			    "cannot open the file (%s): check the path and permissions",
			    strerror(errno));
		return -1;
	}
	buf_init(&b);
	buf_reserve(&b, 0); /* an empty file still yields a string */
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	failed = ferror(f) || b.oom;
	fclose(f);
	if (failed) {
		problem_add(&l->probs, "/", 0,
			    "cannot read the file: check that it is a regular file");
		buf_free(&b);
		return -1;
	}
	b.data[b.len] = '\0';
	l->text = b.data;
	if (is_blank(l->text)) {
		problem_add(&l->probs, "/", 0,
			    "the file is empty: write at least "
			    "{\"routerd:routerd\": {\"router-id\": \"<IPv4 address>\"}}");
		return -1;
	}
	return 0;
}

/* XML by extension; anything else is read as JSON, the documented format. */
static LYD_FORMAT format_of(const char *file)
{
	const char *dot = strrchr(file, '.');

	return dot && !strcasecmp(dot, ".xml") ? LYD_XML : LYD_JSON;
}

static int make_context(struct loader *l)
{
	const struct ly_err_item *e;

	/*
	 * No search directories: the one schema is embedded and libyang carries
	 * ietf-inet-types itself, so no file on disk can change the model.
	 */
	if (ly_ctx_new(NULL, LY_CTX_DISABLE_SEARCHDIRS | LY_CTX_NO_YANGLIBRARY, &l->ctx)) {
		problem_add(&l->probs, "/", 0, "internal error: cannot create a libyang context");
		return -1;
	}
	if (lys_parse_mem(l->ctx, routerd_yang_text, LYS_IN_YANG, &l->mod)) {
		e = ly_err_first(l->ctx);
		problem_add(&l->probs, "/", 0,
			    "internal error: the embedded YANG module is rejected (%s): rebuild "
			    "routerd",
			    e ? e->msg : "no detail");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsing, then libyang's validation after our checks                */
/* ------------------------------------------------------------------ */

static int parse_tree(struct loader *l)
{
	LY_ERR r;

	r = lyd_parse_data_mem(l->ctx, l->text, format_of(l->file),
			       LYD_PARSE_STRICT | LYD_PARSE_ONLY, 0, &l->tree);
	if (r == LY_SUCCESS)
		return 0;
	take_ly_errors(l, false);
	if (!problems_any(&l->probs))
		problem_add(
			&l->probs, "/", 0,
			"cannot parse the file (libyang error %d): it must be RFC 7951 JSON or XML",
			(int)r);
	return -1;
}

static void validate_tree(struct loader *l)
{
	ly_err_clean(l->ctx, NULL); /* whatever our checks' lookups left behind */
	/*
	 * lyd_validate_module() rather than lyd_validate_all() with
	 * LYD_VALIDATE_PRESENT: it validates our module even when the file
	 * holds none of its data, so "{}" reports the missing router-id.
	 */
	if (lyd_validate_module(&l->tree, l->mod, 0, NULL) != LY_SUCCESS)
		take_ly_errors(l, true);
}

/* ------------------------------------------------------------------ */
/* Public API                                                         */
/* ------------------------------------------------------------------ */

static void loader_free(struct loader *l)
{
	lyd_free_all(l->tree);
	ly_ctx_destroy(l->ctx);
	free(l->text);
	problems_free(&l->probs);
}

static struct routerd_conf *load(struct loader *l)
{
	struct routerd_conf *c;

	if (read_text(l) || make_context(l) || parse_tree(l))
		return NULL;
	check_tree(l);
	validate_tree(l);
	if (problems_any(&l->probs))
		return NULL;
	c = conf_convert(l);
	if (c && problems_any(&l->probs)) {
		conf_free(c);
		c = NULL;
	}
	return c;
}

struct routerd_conf *conf_load_file(const char *path, char **err)
{
	struct loader l = { .file = path };
	struct routerd_conf *c;
	/* libyang must print nothing itself: every message reaches the caller through *err. */
	uint32_t saved = ly_log_options(LY_LOSTORE);

	c = load(&l);
	if (err)
		*err = c ? NULL : problems_format(&l.probs, path);
	loader_free(&l);
	ly_log_options(saved);
	return c;
}

static void conf_af_free(struct conf_af *af)
{
	free(af->networks);
	free(af->redistribute);
}

void conf_free(struct routerd_conf *c)
{
	if (!c)
		return;
	free(c->bgp.groups);
	free(c->bgp.neighbors);
	conf_af_free(&c->bgp.ipv4);
	conf_af_free(&c->bgp.ipv6);
	free(c->interfaces);
	free(c->edge.supernets);
	policy_set_free(c->policy);
	free(c->path);
	free(c);
}

struct conf_timers conf_profile_timers(enum conf_profile p)
{
	static const struct conf_timers datacenter = { .keepalive = 3,
						       .hold = 9,
						       .connect_retry = 10 };
	static const struct conf_timers traditional = { .keepalive = 60,
							.hold = 180,
							.connect_retry = 30 };

	return p == CONF_PROFILE_DATACENTER ? datacenter : traditional;
}

uint16_t conf_profile_ra_interval(enum conf_profile p)
{
	return p == CONF_PROFILE_DATACENTER ? RA_INTERVAL_DATACENTER : RA_INTERVAL_TRADITIONAL;
}

const struct conf_neighbor *conf_find_neighbor(const struct routerd_conf *c, const char *peer)
{
	for (unsigned i = 0; c && peer && i < c->bgp.n_neighbors; i++)
		if (!strcmp(c->bgp.neighbors[i].peer, peer))
			return &c->bgp.neighbors[i];
	return NULL;
}

bool conf_policy_blocks(const struct conf_bgp *b, const struct conf_neighbor *n,
			enum conf_af_index af, bool in)
{
	bool ebgp = n->remote_as.kind == CONF_REMOTE_AS_EXTERNAL ||
		    (n->remote_as.kind == CONF_REMOTE_AS_NUMBER && n->remote_as.asn != b->asn);

	if (!b->ebgp_requires_policy || !ebgp || (unsigned)af >= CONF_AF_COUNT)
		return false;
	return in ? !n->route_map_in[af] : !n->route_map_out[af];
}
