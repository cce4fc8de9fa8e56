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
 */
#include "routerd/conf/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libyang/libyang.h>
#include <libyang/plugins_types.h> /* struct lyplg_type: its id names the inet:* types */

#include "routerd/bgp/wire.h" /* enum bgp_af */
#include "routerd/lib/buf.h"

/* routerd.yang, turned into a C string by embed-text at build time. */
extern const char routerd_yang_text[];

#define DOCS "see docs/config.md"
/* Same text as the error-message of the neighbor's must in routerd.yang. */
#define NO_REMOTE_AS  "no remote-as: set \"remote-as\" on the neighbor or its peer-group"
#define UNDEFINED_REF "%s \"%s\" is not defined: add it under %s"

#define RA_INTERVAL_TRADITIONAL 10
#define RA_INTERVAL_DATACENTER	5

/* ------------------------------------------------------------------ */
/* Problems: what the loader found, turned into the error text at the end */
/* ------------------------------------------------------------------ */

struct problem {
	char *path;    /* data path; "/" when there is none */
	unsigned line; /* 1-based; 0 when unknown */
	char *text;    /* "WHAT: FIX" */
};

struct problems {
	struct problem *v;
	unsigned n;
	bool oom;
};

/* libyang quotes raw input into its messages; a newline would break the one-line-per-problem rule. */
static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static bool problem_at(const struct problems *ps, const char *path)
{
	for (unsigned i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].path, path))
			return true;
	return false;
}

static bool problem_known(const struct problems *ps, const struct problem *p)
{
	for (unsigned i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].path, p->path) && !strcmp(ps->v[i].text, p->text))
			return true;
	return false;
}

static void problem_vadd(struct problems *ps, const char *path, unsigned line, const char *fmt,
			 va_list ap)
{
	struct problem p = { .line = line };
	struct problem *v;

	if (vasprintf(&p.text, fmt, ap) < 0)
		p.text = NULL;
	p.path = strdup(path && *path ? path : "/");
	if (!p.text || !p.path)
		goto oom;
	flatten(p.text);
	flatten(p.path);
	if (problem_known(ps, &p))
		goto drop;
	v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
	if (!v)
		goto oom;
	ps->v = v;
	ps->v[ps->n++] = p;
	return;
oom:
	ps->oom = true;
drop:
	free(p.text);
	free(p.path);
}

static void problem_add(struct problems *ps, const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem_add(struct problems *ps, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(ps, path, line, fmt, ap);
	va_end(ap);
}

static bool problems_any(const struct problems *ps)
{
	return ps->n || ps->oom;
}

static void problems_free(struct problems *ps)
{
	for (unsigned i = 0; i < ps->n; i++) {
		free(ps->v[i].path);
		free(ps->v[i].text);
	}
	free(ps->v);
}

static char *problems_format(const struct problems *ps, const char *file)
{
	struct buf b;

	buf_init(&b);
	for (unsigned i = 0; i < ps->n; i++) {
		const struct problem *p = &ps->v[i];

		buf_printf(&b, "%s%s: %s", i ? "\n" : "", file, p->path);
		if (p->line)
			buf_printf(&b, " (line %u)", p->line);
		buf_printf(&b, ": %s", p->text);
	}
	if (ps->oom)
		buf_printf(&b, "%s%s: /: out of memory: some problems may not be listed",
			   ps->n ? "\n" : "", file);
	if (b.oom) {
		buf_free(&b);
		return strdup("out of memory");
	}
	return b.data;
}

/* ------------------------------------------------------------------ */
/* The loader's state for one file                                    */
/* ------------------------------------------------------------------ */

struct loader {
	const char *file; /* as the caller wrote it: every message starts with it */
	char *text;
	struct ly_ctx *ctx;
	struct lys_module *mod;
	struct lyd_node *tree;
	struct problems probs;
};

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
/* Describing the model: schema lookups for readable messages         */
/* ------------------------------------------------------------------ */

static const struct lysc_node *schema_at(const struct loader *l, const char *path)
{
	return path && *path ? lys_find_path(l->ctx, NULL, path, 0) : NULL;
}

static void describe_type(struct buf *b, const struct lysc_type *t);

static void describe_bounds(struct buf *b, LY_DATA_TYPE base)
{
	switch (base) {
	case LY_TYPE_UINT8:
		buf_puts(b, "a number in 0..255");
		break;
	case LY_TYPE_UINT16:
		buf_puts(b, "a number in 0..65535");
		break;
	case LY_TYPE_UINT32:
		buf_puts(b, "a number in 0..4294967295");
		break;
	default:
		buf_puts(b, "a whole number");
	}
}

static void describe_number(struct buf *b, const struct lysc_type *t)
{
	const struct lysc_range *r = ((const struct lysc_type_num *)t)->range;
	bool is_signed = t->basetype > LY_TYPE_DEC64; /* see struct lysc_range */
	LY_ARRAY_COUNT_TYPE i;

	if (!r) {
		describe_bounds(b, t->basetype);
		return;
	}
	buf_puts(b, "a number in ");
	LY_ARRAY_FOR(r->parts, i)
	{
		const struct lysc_range_part *p = &r->parts[i];

		if (i)
			buf_puts(b, " or ");
		if (is_signed && p->min_64 == p->max_64)
			buf_printf(b, "%lld", (long long)p->min_64);
		else if (is_signed)
			buf_printf(b, "%lld..%lld", (long long)p->min_64, (long long)p->max_64);
		else if (p->min_u64 == p->max_u64)
			buf_printf(b, "%llu", (unsigned long long)p->min_u64);
		else
			buf_printf(b, "%llu..%llu", (unsigned long long)p->min_u64,
				   (unsigned long long)p->max_u64);
	}
}

static void describe_enum(struct buf *b, const struct lysc_type *t)
{
	const struct lysc_type_enum *en = (const struct lysc_type_enum *)t;
	LY_ARRAY_COUNT_TYPE i;

	buf_puts(b, "one of ");
	LY_ARRAY_FOR(en->enums, i)
	{
		buf_printf(b, "%s\"%s\"", i ? ", " : "", en->enums[i].name);
	}
}

static void describe_union(struct buf *b, const struct lysc_type *t)
{
	const struct lysc_type_union *un = (const struct lysc_type_union *)t;
	LY_ARRAY_COUNT_TYPE i;

	LY_ARRAY_FOR(un->types, i)
	{
		if (i)
			buf_puts(b, " or ");
		describe_type(b, un->types[i]);
	}
}

/*
 * Strings are told apart by the libyang plugin for the ietf-inet-types
 * addresses, and by the description of the first pattern for our own
 * typedefs (routerd.yang gives each pattern one for this purpose).
 */
static void describe_string(struct buf *b, const struct lysc_type *t)
{
	static const struct {
		const char *plugin;
		const char *text;
	} inet[] = {
		{ "ipv4-address", "an IPv4 address" },
		{ "ipv6-address", "an IPv6 address" },
		{ "ipv4-prefix", "an IPv4 prefix" },
		{ "ipv6-prefix", "an IPv6 prefix" },
	};
	const struct lysc_type_str *s = (const struct lysc_type_str *)t;
	const char *id = t->plugin && t->plugin->id ? t->plugin->id : "";

	for (size_t i = 0; i < sizeof(inet) / sizeof(inet[0]); i++) {
		if (strstr(id, inet[i].plugin)) {
			buf_puts(b, inet[i].text);
			return;
		}
	}
	if (LY_ARRAY_COUNT(s->patterns) && s->patterns[0]->dsc)
		buf_puts(b, s->patterns[0]->dsc);
	else if (s->length && LY_ARRAY_COUNT(s->length->parts))
		buf_printf(
			b, "a string of at most %llu characters",
			(unsigned long long)s->length->parts[LY_ARRAY_COUNT(s->length->parts) - 1]
				.max_u64);
	else
		buf_puts(b, "a string");
}

static void describe_type(struct buf *b, const struct lysc_type *t)
{
	switch (t->basetype) {
	case LY_TYPE_UINT8:
	case LY_TYPE_UINT16:
	case LY_TYPE_UINT32:
	case LY_TYPE_UINT64:
	case LY_TYPE_INT8:
	case LY_TYPE_INT16:
	case LY_TYPE_INT32:
	case LY_TYPE_INT64:
		describe_number(b, t);
		break;
	case LY_TYPE_BOOL:
		buf_puts(b, "true or false");
		break;
	case LY_TYPE_ENUM:
		describe_enum(b, t);
		break;
	case LY_TYPE_UNION:
		describe_union(b, t);
		break;
	case LY_TYPE_STRING:
		describe_string(b, t);
		break;
	case LY_TYPE_LEAFREF:
		buf_puts(b, "the name of an entry defined elsewhere in the file");
		break;
	default:
		buf_puts(b, "a value of the type given in docs/config.md");
	}
}

/* What a value of schema node sn must look like; the caller frees the result. */
static char *expected(const struct lysc_node *sn)
{
	struct buf b;

	buf_init(&b);
	if (sn && (sn->nodetype & LYD_NODE_TERM))
		describe_type(&b, ((const struct lysc_node_leaf *)sn)->type);
	else if (sn)
		buf_printf(&b, "a \"%s\" object", sn->name);
	else
		buf_puts(&b, DOCS);
	if (b.oom || !b.data) {
		buf_free(&b);
		return strdup("a valid value");
	}
	return b.data;
}

static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[CONF_NAME_MAX + 1], la = strlen(a), lb = strlen(b);

	if (la > CONF_NAME_MAX || lb > CONF_NAME_MAX)
		return ~0u;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The child of parent (top level when NULL) spelled closest to name, if close enough to be a typo. */
static const char *closest_child(const struct loader *l, const struct lysc_node *parent,
				 const char *name)
{
	const struct lysc_node *sn = NULL;
	const char *best = NULL;
	unsigned best_d = 3; /* suggest at most two edits away */

	while ((sn = lys_getnext(sn, parent, parent ? NULL : l->mod->compiled, 0))) {
		unsigned d = edit_distance(name, sn->name);

		if (d < best_d && d < strlen(name)) {
			best = sn->name;
			best_d = d;
		}
	}
	return best;
}

/* ------------------------------------------------------------------ */
/* libyang's errors, rephrased                                        */
/* ------------------------------------------------------------------ */

/*
 * libyang 2.1 packs the location into one string, e.g.
 *   Data location "/routerd:routerd/bgp", line number 5.
 *   Schema location "/routerd:routerd/router-id".
 *   Line number 1.
 */
struct ly_where {
	char path[1024];
	unsigned line;
};

static void where_parse(const char *s, struct ly_where *w)
{
	const char *p, *q;

	w->path[0] = '\0';
	w->line = 0;
	if (!s)
		return;
	p = strcasestr(s, "data location \"");
	if (!p)
		p = strcasestr(s, "schema location \"");
	if (p) {
		p = strchr(p, '"') + 1;
		q = strchr(p, '"');
		if (q)
			snprintf(w->path, sizeof(w->path), "%.*s", (int)(q - p), p);
	}
	p = strcasestr(s, "line number ");
	if (p)
		w->line = (unsigned)strtoul(p + strlen("line number "), NULL, 10);
}

/* Copies the idx-th "quoted" part of msg (0 = first) into out. */
static bool quoted(const char *msg, int idx, char *out, size_t outlen)
{
	const char *p = msg, *q;

	for (int i = 0;; i++) {
		p = strchr(p, '"');
		if (!p)
			return false;
		q = strchr(p + 1, '"');
		if (!q)
			return false;
		if (i == idx) {
			snprintf(out, outlen, "%.*s", (int)(q - p - 1), p + 1);
			return true;
		}
		p = q + 1;
	}
}

/* libyang's message without its final full stop, so a ": FIX" can follow. */
static void trimmed(const char *msg, char *out, size_t outlen)
{
	size_t n;

	snprintf(out, outlen, "%s", msg);
	n = strlen(out);
	while (n && (out[n - 1] == '.' || out[n - 1] == ' ' || out[n - 1] == '\n'))
		out[--n] = '\0';
}

/* The last node name of a data path, without predicate or module prefix. */
static void last_name(const char *path, char *out, size_t outlen)
{
	const char *start = path, *p;
	size_t n;
	int depth = 0;

	for (p = path; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (*p == '/' && !depth)
			start = p + 1;
	}
	n = strcspn(start, "[");
	p = memchr(start, ':', n);
	if (p) {
		n -= (size_t)(p + 1 - start);
		start = p + 1;
	}
	snprintf(out, outlen, "%.*s", (int)n, start);
}

static bool line_span(const char *text, unsigned n, const char **start, size_t *len)
{
	const char *p = text;

	for (unsigned i = 1; i < n; i++) {
		p = strchr(p, '\n');
		if (!p)
			return false;
		p++;
	}
	*start = p;
	*len = strcspn(p, "\n");
	return true;
}

static bool span_has(const char *s, size_t len, const char *token)
{
	return memmem(s, len, token, strlen(token)) != NULL;
}

/*
 * libyang's JSON parser looks one token ahead before it reports a bad
 * value, so a value that ends its line is blamed on the next line. If line
 * n does not hold token but the previous non-blank line does, use that.
 */
static unsigned fix_line(const char *text, unsigned n, const char *token)
{
	const char *s;
	size_t len;

	if (!n || !token || !*token || !line_span(text, n, &s, &len) || span_has(s, len, token))
		return n;
	for (unsigned k = n - 1; k >= 1 && line_span(text, k, &s, &len); k--) {
		if (strspn(s, " \t\r") >= len)
			continue;
		return span_has(s, len, token) ? k : n;
	}
	return n;
}

/*
 * Where the entries a leafref points at live, written the way docs/config.md
 * does ("bgp/peer-group"): the leaf's schema path with the leafref's path
 * applied, the final key leaf and the top "routerd" dropped.
 */
static void ref_location(const char *leaf_path, const char *target, char *out, size_t outlen)
{
	char sp[512] = "", tok[128];
	const char *p = target, *q, *colon;
	size_t n = 0;
	int depth = 0;

	/* The leaf's path without predicates; only its top node has a module prefix. */
	for (q = target[0] == '/' ? "" : leaf_path; *q && n + 1 < sizeof(sp); q++) {
		if (*q == '[')
			depth++;
		else if (*q == ']')
			depth--;
		else if (!depth)
			sp[n++] = *q;
	}
	sp[n] = '\0';
	while (*p) {
		size_t tl = strcspn(p, "/");

		snprintf(tok, sizeof(tok), "%.*s", (int)strcspn(p, "/["), p);
		colon = strchr(tok, ':');
		if (!strcmp(tok, "..")) {
			char *slash = strrchr(sp, '/');

			if (slash)
				*slash = '\0';
		} else if (*tok && strcmp(tok, ".")) {
			size_t used = strlen(sp);

			snprintf(sp + used, sizeof(sp) - used, "/%s", colon ? colon + 1 : tok);
		}
		p += tl + (p[tl] == '/');
	}
	/* Drop the key leaf at the end and the top container at the start. */
	q = strrchr(sp, '/');
	if (q)
		sp[q - sp] = '\0';
	q = sp[0] == '/' ? strchr(sp + 1, '/') : NULL;
	snprintf(out, outlen, "%s", q ? q + 1 : "the top level");
}

static void add_missing(struct loader *l, const char *path, const struct lysc_node *sn)
{
	char *want = expected(sn);

	problem_add(&l->probs, path, 0, "missing mandatory \"%s\": add it (%s)", sn->name,
		    want ? want : DOCS);
	free(want);
}

typedef void explain_fn(struct loader *l, const struct ly_err_item *e, const struct ly_where *w);

static void explain_unknown(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	const struct lysc_node *parent = NULL;
	const char *near;
	char name[128] = "?";

	quoted(e->msg, 0, name, sizeof(name));
	if (strstr(e->msg, "as a child of"))
		parent = schema_at(l, w->path);
	near = closest_child(l, parent, name);
	problem_add(&l->probs, w->path, fix_line(l->text, w->line, name),
		    "unknown node \"%s\": not in the routerd model%s%s%s; " DOCS, name,
		    near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
}

static const char *encoding_hint(const char *msg, const char *value)
{
	if (strstr(msg, "non-number-encoded") && value[0] &&
	    strspn(value, "-0123456789") == strlen(value))
		return ", written without quotes";
	if (strstr(msg, "non-boolean-encoded") &&
	    (!strcmp(value, "true") || !strcmp(value, "false")))
		return ", written without quotes";
	if (strstr(msg, "non-string-encoded"))
		return ", written in quotes";
	return "";
}

static void explain_bad_value(struct loader *l, const struct ly_err_item *e,
			      const struct ly_where *w)
{
	char value[256], leaf[CONF_NAME_MAX], what[512];
	char *want;

	if (!quoted(e->msg, 0, value, sizeof(value))) {
		trimmed(e->msg, what, sizeof(what));
		problem_add(&l->probs, w->path, w->line, "%s: " DOCS, what);
		return;
	}
	last_name(w->path, leaf, sizeof(leaf));
	want = expected(schema_at(l, w->path));
	problem_add(&l->probs, w->path, fix_line(l->text, w->line, value),
		    "invalid value \"%s\" for \"%s\": expected %s%s", value, leaf,
		    want ? want : DOCS, encoding_hint(e->msg, value));
	free(want);
}

static void explain_leafref(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	char value[256] = "", target[256] = "", leaf[CONF_NAME_MAX], where[256];

	quoted(e->msg, 0, value, sizeof(value));
	quoted(e->msg, 1, target, sizeof(target));
	last_name(w->path, leaf, sizeof(leaf));
	ref_location(w->path, target, where, sizeof(where));
	problem_add(&l->probs, w->path, w->line, UNDEFINED_REF, leaf, value, where);
}

static void explain_mandatory(struct loader *l, const struct ly_err_item *e,
			      const struct ly_where *w)
{
	const struct lysc_node *sn = schema_at(l, w->path);
	char name[CONF_NAME_MAX] = "?";

	if (sn) {
		add_missing(l, w->path, sn);
		return;
	}
	quoted(e->msg, 0, name, sizeof(name));
	problem_add(&l->probs, w->path, w->line, "missing mandatory \"%s\": add it; " DOCS, name);
}

static void explain_duplicate(struct loader *l, const struct ly_err_item *e,
			      const struct ly_where *w)
{
	char name[CONF_NAME_MAX] = "?";

	quoted(e->msg, 0, name, sizeof(name));
	problem_add(&l->probs, w->path, w->line,
		    "duplicate \"%s\" entry: keep only one (values are compared after "
		    "normalisation: 2001:DB8:0::2 equals 2001:db8::2)",
		    name);
}

static void explain_missing_key(struct loader *l, const struct ly_err_item *e,
				const struct ly_where *w)
{
	char key[CONF_NAME_MAX] = "?", list[CONF_NAME_MAX];

	quoted(e->msg, 0, key, sizeof(key));
	last_name(w->path, list, sizeof(list));
	problem_add(&l->probs, w->path, w->line,
		    "a \"%s\" entry has no \"%s\": add \"%s\" (it is the entry's key)", list, key,
		    key);
}

/* Our must statements carry an error-message already shaped "WHAT: FIX". */
static void explain_must(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	char what[512];

	trimmed(e->msg, what, sizeof(what));
	problem_add(&l->probs, w->path, w->line, strstr(what, ": ") ? "%s" : "%s: " DOCS, what);
}

/*
 * libyang quotes the whole rest of the input after a JSON syntax error:
 * keep the first characters of each quoted part, white space squeezed.
 */
static void squeeze_quotes(const char *msg, char *out, size_t outlen)
{
	bool in_quote = false, space = false;
	size_t n = 0, kept = 0;

	for (const char *p = msg; *p && n + 4 < outlen; p++) {
		bool ws = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';

		if (*p == '"') {
			if (in_quote && n && out[n - 1] == ' ')
				n--;
			in_quote = !in_quote;
			kept = 0;
			space = false;
		} else if (in_quote) {
			if (ws && space)
				continue;
			space = ws;
			if (++kept > 16) {
				if (kept == 17)
					n += (size_t)snprintf(out + n, outlen - n, "...");
				continue;
			}
		}
		out[n++] = ws ? ' ' : *p;
	}
	out[n] = '\0';
}

static unsigned count_char(const char *s, char c)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void explain_syntax(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	const char *fix = "check for a missing or extra comma, quote or bracket on or "
			  "just before this line";
	char squeezed[512], what[512];

	squeeze_quotes(e->msg, squeezed, sizeof(squeezed));
	trimmed(squeezed, what, sizeof(what));
	if (strstr(e->msg, "namespace-qualified")) {
		fix = "the top-level member must be \"routerd:routerd\"";
	} else if (strstr(e->msg, "sequence \"}") || strstr(e->msg, "sequence \"]")) {
		fix = "remove the comma before this closing bracket (JSON allows no trailing "
		      "comma)";
	} else if (count_char(e->msg, '"') % 2) {
		/* libyang quotes the rest of the input, and at the end there is none */
		snprintf(what, sizeof(what), "the file ends too early");
		fix = "close every { and [ that is opened";
	}
	problem_add(&l->probs, w->path, w->line, "syntax error: %s: %s", what, fix);
}

static void explain_other(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	char what[512];

	trimmed(e->msg, what, sizeof(what));
	problem_add(&l->probs, w->path, w->line, "%s: " DOCS, what);
}

/* Checked in order: the first rule whose text occurs in the message explains it. */
static const struct ly_rule {
	const char *text;
	explain_fn *explain;
} ly_rules[] = {
	{ " not found as a child of ", explain_unknown },
	{ " not found in the ", explain_unknown },
	{ "Invalid leafref value", explain_leafref },
	{ "Mandatory node", explain_mandatory },
	{ "Duplicate instance", explain_duplicate },
	{ "missing its key", explain_missing_key },
	{ "Invalid ", explain_bad_value },
	{ "Unsatisfied ", explain_bad_value },
	{ "Value \"", explain_bad_value },
};

static bool is_syntax(LY_VECODE v)
{
	return v == LYVE_SYNTAX || v == LYVE_SYNTAX_JSON || v == LYVE_SYNTAX_XML;
}

static void explain(struct loader *l, const struct ly_err_item *e, const struct ly_where *w)
{
	if (e->apptag && !strcmp(e->apptag, "must-violation")) {
		explain_must(l, e, w);
		return;
	}
	if (is_syntax(e->vecode)) {
		explain_syntax(l, e, w);
		return;
	}
	for (size_t i = 0; i < sizeof(ly_rules) / sizeof(ly_rules[0]); i++) {
		if (strstr(e->msg, ly_rules[i].text)) {
			ly_rules[i].explain(l, e, w);
			return;
		}
	}
	explain_other(l, e, w);
}

/*
 * Moves libyang's stored errors into our problems. With skip_reported, an
 * error at a path we already reported is dropped as a repeat.
 */
static void take_ly_errors(struct loader *l, bool skip_reported)
{
	struct ly_err_item *e, *last = ly_err_last(l->ctx);
	struct ly_where w;

	/* Explaining looks schema nodes up, and a failed lookup appends to this very list. */
	for (e = ly_err_first(l->ctx); e; e = e == last ? NULL : e->next) {
		if (e->level != LY_LLERR || !e->msg)
			continue;
		where_parse(e->path, &w);
		if (skip_reported && problem_at(&l->probs, w.path[0] ? w.path : "/"))
			continue;
		explain(l, e, &w);
	}
	ly_err_clean(l->ctx, NULL);
}

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
/* Data tree access                                                   */
/* ------------------------------------------------------------------ */

static bool named(const struct lyd_node *n, const char *name)
{
	return n->schema && !strcmp(n->schema->name, name);
}

/* n or the first sibling after it that is an instance of name. */
static const struct lyd_node *seek(const struct lyd_node *n, const char *name)
{
	while (n && !named(n, name))
		n = n->next;
	return n;
}

static const struct lyd_node *first_child(const struct lyd_node *parent, const char *name)
{
	return parent ? seek(lyd_child(parent), name) : NULL;
}

static const struct lyd_node *next_named(const struct lyd_node *n, const char *name)
{
	return seek(n->next, name);
}

static unsigned count_children(const struct lyd_node *parent, const char *name)
{
	unsigned n = 0;

	for (const struct lyd_node *c = first_child(parent, name); c; c = next_named(c, name))
		n++;
	return n;
}

/* The node at a relative path ("timers/hold") under parent, or NULL. */
static const struct lyd_node *node_at(const struct lyd_node *parent, const char *path)
{
	struct lyd_node *n = NULL;

	if (!parent || lyd_find_path(parent, path, 0, &n) != LY_SUCCESS)
		return NULL;
	return n;
}

static const char *value_at(const struct lyd_node *parent, const char *path)
{
	const struct lyd_node *n = node_at(parent, path);

	return n ? lyd_get_value(n) : NULL;
}

/* For values libyang has already range-checked. */
static uint32_t num(const char *v)
{
	return v ? (uint32_t)strtoul(v, NULL, 10) : 0;
}

static void problem_node(struct loader *l, const struct lyd_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem_node(struct loader *l, const struct lyd_node *n, const char *fmt, ...)
{
	char *path = lyd_path(n, LYD_PATH_STD, NULL, 0);
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(&l->probs, path, 0, fmt, ap);
	va_end(ap);
	free(path);
}

static const struct lyd_node *find_group(const struct lyd_node *bgp, const char *name)
{
	const struct lyd_node *g;

	for (g = first_child(bgp, "peer-group"); g && name; g = next_named(g, "peer-group")) {
		const char *v = value_at(g, "name");

		if (v && !strcmp(v, name))
			return g;
	}
	return NULL;
}

/* A neighbor's setting: its own value, else its group's, else NULL. */
static const char *inherited(const struct lyd_node *nb, const struct lyd_node *grp,
			     const char *path)
{
	const char *v = value_at(nb, path);

	return v ? v : value_at(grp, path);
}

static bool inherited_bool(const struct lyd_node *nb, const struct lyd_node *grp, const char *path,
			   bool dflt)
{
	const char *v = inherited(nb, grp, path);

	return v ? !strcmp(v, "true") : dflt;
}

/* ------------------------------------------------------------------ */
/* Semantic checks on the parsed tree, before libyang validates it    */
/* ------------------------------------------------------------------ */

static bool has_instance(const struct lyd_node *parent, const struct lysc_node *sn)
{
	for (const struct lyd_node *c = lyd_child(parent); c; c = c->next)
		if (c->schema == sn)
			return true;
	return false;
}

/*
 * Reports the mandatory leaves under schema node parent_sn at path. data is
 * its instance, or NULL when the (non-presence) container is absent.
 */
static void report_missing(struct loader *l, const char *path, const struct lyd_node *data,
			   const struct lysc_node *parent_sn)
{
	const struct lysc_node *sn = NULL;
	char *sub;

	while ((sn = lys_getnext(sn, parent_sn, NULL, 0))) {
		if (!(sn->flags & LYS_MAND_TRUE) || (sn->flags & LYS_KEY))
			continue;
		if (data && has_instance(data, sn))
			continue;
		if (asprintf(&sub, "%s/%s", path, sn->name) < 0) {
			l->probs.oom = true;
			return;
		}
		if (sn->nodetype == LYS_CONTAINER)
			report_missing(l, sub, NULL, sn);
		else
			add_missing(l, sub, sn);
		free(sub);
	}
}

/*
 * libyang would report only the first missing mandatory node; walking the
 * tree ourselves lists them all.
 */
static void check_mandatory(struct loader *l, const struct lyd_node *n)
{
	char *path = lyd_path(n, LYD_PATH_STD, NULL, 0);

	if (path)
		report_missing(l, path, n, n->schema);
	free(path);
	for (const struct lyd_node *c = lyd_child(n); c; c = c->next)
		if (c->schema && (c->schema->nodetype & (LYS_CONTAINER | LYS_LIST)))
			check_mandatory(l, c);
}

/* The routerd container; anything else at the top level is reported. */
static const struct lyd_node *find_root(struct loader *l)
{
	const struct lyd_node *n, *root = NULL;

	for (n = l->tree ? lyd_first_sibling(l->tree) : NULL; n; n = n->next) {
		if (n->schema && n->schema->module == l->mod && named(n, "routerd"))
			root = n;
		else
			problem_add(&l->probs, "/", 0,
				    "unexpected top-level node \"%s\": a routerd file holds only "
				    "\"routerd:routerd\"",
				    LYD_NAME(n));
	}
	return root;
}

/* Digits and dots only: meant as an IPv4 address, not as an interface name. */
static bool looks_ipv4(const char *s)
{
	return strchr(s, '.') && strspn(s, "0123456789.") == strlen(s);
}

static void check_peer(struct loader *l, const struct lyd_node *nb)
{
	const char *peer = value_at(nb, "peer");
	struct ipaddr a;

	if (!peer)
		return;
	if (ipaddr_parse(peer, &a)) {
		if (ipaddr_is_v6_linklocal(&a))
			problem_node(l, nb,
				     "peer %s is a link-local address: name the interface instead, "
				     "and routerd learns the address from router advertisements",
				     peer);
		return;
	}
	/* The YANG union accepts it as an interface name; it is a mistyped address. */
	if (looks_ipv4(peer))
		problem_node(
			l, nb,
			"peer \"%s\" is neither an IPv4 address nor an interface name: write an "
			"address such as 192.0.2.1, an IPv6 address or an interface name",
			peer);
}

static void check_group_ref(struct loader *l, const struct lyd_node *bgp, const struct lyd_node *nb)
{
	const struct lyd_node *ref = node_at(nb, "peer-group");

	if (ref && !find_group(bgp, lyd_get_value(ref)))
		problem_node(l, ref, UNDEFINED_REF, "peer-group", lyd_get_value(ref),
			     "bgp/peer-group");
}

static void check_remote_as(struct loader *l, const struct lyd_node *bgp, const struct lyd_node *nb)
{
	const char *pg = value_at(nb, "peer-group");
	const struct lyd_node *grp = find_group(bgp, pg);

	if (node_at(nb, "remote-as") || node_at(grp, "remote-as"))
		return;
	if (pg && !grp)
		return; /* reported as an undefined peer-group */
	problem_node(l, nb, NO_REMOTE_AS);
}

static bool same_peer(const char *x, const char *y)
{
	struct ipaddr a, b;

	if (ipaddr_parse(x, &a) && ipaddr_parse(y, &b))
		return ipaddr_equal(&a, &b);
	return !strcmp(x, y);
}

/* Compares addresses by value: "2001:DB8:0::2" is "2001:db8::2". */
static void check_duplicate_peers(struct loader *l, const struct lyd_node *bgp)
{
	const struct lyd_node *a, *b;

	for (a = first_child(bgp, "neighbor"); a; a = next_named(a, "neighbor")) {
		const char *pa = value_at(a, "peer");

		for (b = first_child(bgp, "neighbor"); pa && b != a;
		     b = next_named(b, "neighbor")) {
			const char *pb = value_at(b, "peer");

			if (pb && same_peer(pa, pb)) {
				problem_node(l, a,
					     "neighbor %s is configured twice: keep one entry "
					     "(addresses are compared by value, however written)",
					     pa);
				break;
			}
		}
	}
}

static void check_networks(struct loader *l, const struct lyd_node *af)
{
	const struct lyd_node *n;
	char fixed[ADDR_STRLEN + 4];
	struct prefix p;

	for (n = first_child(af, "network"); n; n = next_named(n, "network")) {
		const char *v = lyd_get_value(n);

		if (!prefix_parse(v, &p))
			problem_node(l, n, "invalid prefix \"%s\": write ADDRESS/LENGTH", v);
		else if (!prefix_normalize(&p))
			problem_node(l, n, "prefix %s has host bits set: write %s", v,
				     prefix_fmt(&p, fixed, sizeof(fixed)));
	}
}

static void check_bgp(struct loader *l, const struct lyd_node *bgp)
{
	const struct lyd_node *nb;

	for (nb = first_child(bgp, "neighbor"); nb; nb = next_named(nb, "neighbor")) {
		check_peer(l, nb);
		check_group_ref(l, bgp, nb);
		check_remote_as(l, bgp, nb);
	}
	check_duplicate_peers(l, bgp);
	check_networks(l, first_child(bgp, "ipv4-unicast"));
	check_networks(l, first_child(bgp, "ipv6-unicast"));
}

static void check_tree(struct loader *l)
{
	const struct lyd_node *root = find_root(l);
	const struct lysc_node *root_sn;

	if (!root) {
		root_sn = schema_at(l, "/routerd:routerd");
		if (root_sn)
			report_missing(l, "/routerd:routerd", NULL, root_sn);
		return;
	}
	check_mandatory(l, root);
	check_bgp(l, first_child(root, "bgp"));
}

/* ------------------------------------------------------------------ */
/* Conversion of the validated tree into struct routerd_conf          */
/* ------------------------------------------------------------------ */

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static struct conf_remote_as parse_remote_as(const char *v)
{
	struct conf_remote_as r = { .kind = CONF_REMOTE_AS_UNSET };

	if (!v)
		return r;
	if (!strcmp(v, "external")) {
		r.kind = CONF_REMOTE_AS_EXTERNAL;
	} else if (!strcmp(v, "internal")) {
		r.kind = CONF_REMOTE_AS_INTERNAL;
	} else {
		r.kind = CONF_REMOTE_AS_NUMBER;
		r.asn = num(v);
	}
	return r;
}

/* Each timer on its own: neighbor, then group, then profile. */
static struct conf_timers resolve_timers(const struct lyd_node *nb, const struct lyd_node *grp,
					 enum conf_profile profile)
{
	struct conf_timers t = conf_profile_timers(profile);
	const char *keepalive = inherited(nb, grp, "timers/keepalive");
	const char *hold = inherited(nb, grp, "timers/hold");
	const char *retry = inherited(nb, grp, "timers/connect-retry");

	if (hold) {
		t.hold = (uint16_t)num(hold);
		t.keepalive = t.hold / 3; /* RFC 4271's suggested ratio, unless set below */
	}
	if (keepalive)
		t.keepalive = (uint16_t)num(keepalive);
	if (retry)
		t.connect_retry = (uint16_t)num(retry);
	return t;
}

/* IPv4 unicast by default; IPv6 unicast too where the session runs over IPv6. */
static uint32_t resolve_afs(const struct lyd_node *nb, const struct lyd_node *grp,
			    const struct conf_neighbor *n)
{
	bool v6_default = n->is_interface || n->addr.family == AF_INET6;
	uint32_t afs = 0;

	if (inherited_bool(nb, grp, "address-family/ipv4-unicast", true))
		afs |= BGP_AF_IPV4_UNICAST;
	if (inherited_bool(nb, grp, "address-family/ipv6-unicast", v6_default))
		afs |= BGP_AF_IPV6_UNICAST;
	return afs;
}

/* Rules that only make sense once inheritance is resolved. */
static void check_resolved(struct loader *l, const struct lyd_node *nb,
			   const struct conf_neighbor *n)
{
	const struct conf_timers *t = &n->timers;

	if (t->hold && (t->keepalive == 0 || t->keepalive >= t->hold))
		problem_node(l, nb,
			     "keepalive %u does not fit hold %u (after peer-group and profile "
			     "defaults): set timers/keepalive between 1 and hold - 1, usually "
			     "a third of hold",
			     t->keepalive, t->hold);
	if (!n->afs)
		problem_node(l, nb,
			     "no address family enabled: set address-family/ipv4-unicast or "
			     "ipv6-unicast to true");
}

static void convert_neighbor(struct loader *l, const struct lyd_node *bgp,
			     const struct lyd_node *nb, enum conf_profile profile,
			     struct conf_neighbor *n)
{
	const char *pg = value_at(nb, "peer-group");
	const struct lyd_node *grp = find_group(bgp, pg);
	const char *src;

	copy_str(n->peer, sizeof(n->peer), value_at(nb, "peer"));
	n->is_interface = !ipaddr_parse(n->peer, &n->addr);
	copy_str(n->peer_group, sizeof(n->peer_group), pg);
	copy_str(n->description, sizeof(n->description), value_at(nb, "description"));
	n->remote_as = parse_remote_as(inherited(nb, grp, "remote-as"));
	n->timers = resolve_timers(nb, grp, profile);
	n->passive = inherited_bool(nb, grp, "passive", false);
	n->shutdown = inherited_bool(nb, grp, "shutdown", false);
	n->ebgp_multihop = (uint8_t)num(inherited(nb, grp, "ebgp-multihop"));
	n->extended_nexthop = inherited_bool(nb, grp, "extended-nexthop", n->is_interface);
	n->afs = resolve_afs(nb, grp, n);
	src = inherited(nb, grp, "update-source");
	if (src)
		ipaddr_parse(src, &n->update_source);
	check_resolved(l, nb, n);
}

static int convert_neighbors(struct loader *l, const struct lyd_node *bgp, struct conf_bgp *b)
{
	const struct lyd_node *nb;
	unsigned i = 0;

	b->n_neighbors = count_children(bgp, "neighbor");
	if (!b->n_neighbors)
		return 0;
	b->neighbors = calloc(b->n_neighbors, sizeof(*b->neighbors));
	if (!b->neighbors)
		return -1;
	for (nb = first_child(bgp, "neighbor"); nb; nb = next_named(nb, "neighbor"))
		convert_neighbor(l, bgp, nb, b->profile, &b->neighbors[i++]);
	return 0;
}

static int convert_groups(const struct lyd_node *bgp, struct conf_bgp *b)
{
	const struct lyd_node *g;
	unsigned i = 0;

	b->n_groups = count_children(bgp, "peer-group");
	if (!b->n_groups)
		return 0;
	b->groups = calloc(b->n_groups, sizeof(*b->groups));
	if (!b->groups)
		return -1;
	for (g = first_child(bgp, "peer-group"); g; g = next_named(g, "peer-group"), i++) {
		copy_str(b->groups[i].name, sizeof(b->groups[i].name), value_at(g, "name"));
		b->groups[i].remote_as = parse_remote_as(value_at(g, "remote-as"));
	}
	return 0;
}

static int convert_networks(const struct lyd_node *af, struct conf_af *out)
{
	const struct lyd_node *n;
	unsigned i = 0;

	out->n_networks = count_children(af, "network");
	if (!out->n_networks)
		return 0;
	out->networks = calloc(out->n_networks, sizeof(*out->networks));
	if (!out->networks)
		return -1;
	for (n = first_child(af, "network"); n; n = next_named(n, "network"))
		prefix_parse(lyd_get_value(n), &out->networks[i++]);
	return 0;
}

static int convert_redistribute(const struct lyd_node *af, struct conf_af *out)
{
	const struct lyd_node *r;
	unsigned i = 0;

	out->n_redistribute = count_children(af, "redistribute");
	if (!out->n_redistribute)
		return 0;
	out->redistribute = calloc(out->n_redistribute, sizeof(*out->redistribute));
	if (!out->redistribute)
		return -1;
	for (r = first_child(af, "redistribute"); r; r = next_named(r, "redistribute"), i++)
		copy_str(out->redistribute[i].protocol, sizeof(out->redistribute[i].protocol),
			 value_at(r, "protocol"));
	return 0;
}

static int convert_af(const struct lyd_node *af, struct conf_af *out)
{
	const char *mp = value_at(af, "maximum-paths");

	out->maximum_paths = mp ? (uint8_t)num(mp) : 1;
	if (convert_networks(af, out) || convert_redistribute(af, out))
		return -1;
	return 0;
}

static int convert_bgp(struct loader *l, const struct lyd_node *bgp, struct conf_bgp *b)
{
	const char *profile = value_at(bgp, "profile");

	b->asn = num(value_at(bgp, "asn"));
	b->profile = profile && !strcmp(profile, "datacenter") ? CONF_PROFILE_DATACENTER
							       : CONF_PROFILE_TRADITIONAL;
	b->listen_port = (uint16_t)num(value_at(bgp, "listen-port"));
	if (convert_groups(bgp, b) || convert_neighbors(l, bgp, b))
		return -1;
	if (convert_af(first_child(bgp, "ipv4-unicast"), &b->ipv4) ||
	    convert_af(first_child(bgp, "ipv6-unicast"), &b->ipv6))
		return -1;
	return 0;
}

/* ra-interval has no YANG default because it depends on the profile. */
static int convert_interfaces(const struct lyd_node *root, enum conf_profile profile,
			      struct routerd_conf *c)
{
	const struct lyd_node *ifn;
	unsigned i = 0;

	c->n_interfaces = count_children(root, "interface");
	if (!c->n_interfaces)
		return 0;
	c->interfaces = calloc(c->n_interfaces, sizeof(*c->interfaces));
	if (!c->interfaces)
		return -1;
	for (ifn = first_child(root, "interface"); ifn; ifn = next_named(ifn, "interface"), i++) {
		const char *ra = value_at(ifn, "ra-interval");

		copy_str(c->interfaces[i].name, sizeof(c->interfaces[i].name),
			 value_at(ifn, "name"));
		c->interfaces[i].ra_interval =
			ra ? (uint16_t)num(ra) : conf_profile_ra_interval(profile);
	}
	return 0;
}

static struct routerd_conf *convert(struct loader *l)
{
	const struct lyd_node *root = find_root(l), *bgp;
	struct routerd_conf *c = calloc(1, sizeof(*c));
	struct in_addr rid = { 0 };
	const char *rid_text;

	if (!c || !root || !(c->path = strdup(l->file)))
		goto fail;
	rid_text = value_at(root, "router-id");
	if (rid_text)
		inet_pton(AF_INET, rid_text, &rid);
	c->router_id = ntohl(rid.s_addr);
	bgp = first_child(root, "bgp");
	c->has_bgp = bgp != NULL;
	c->bgp.profile = CONF_PROFILE_TRADITIONAL;
	if (bgp && convert_bgp(l, bgp, &c->bgp))
		goto fail;
	if (convert_interfaces(root, c->bgp.profile, c))
		goto fail;
	return c;
fail:
	if (!problems_any(&l->probs))
		l->probs.oom = true;
	conf_free(c);
	return NULL;
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
	c = convert(l);
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
