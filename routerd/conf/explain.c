/*
 * libyang's error items turned into problems: each message is rephrased as
 * "WHAT: FIX" with the expected value described from the schema, a likely
 * typo named, and libyang's line number corrected where it is off by one.
 */
#include "routerd/conf/conf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>
#include <libyang/plugins_types.h> /* struct lyplg_type: its id names the inet:* types */

#include "routerd/lib/buf.h"

#define DOCS "see docs/config.md"

/* ------------------------------------------------------------------ */
/* Describing the model: schema lookups for readable messages         */
/* ------------------------------------------------------------------ */

const struct lysc_node *conf_schema_at(const struct loader *l, const char *path)
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

void conf_add_missing(struct loader *l, const char *path, const struct lysc_node *sn)
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
		parent = conf_schema_at(l, w->path);
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
	want = expected(conf_schema_at(l, w->path));
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

/* path with every [predicate] removed, into out. */
static void strip_predicates(const char *path, char *out, size_t outlen)
{
	size_t n = 0;
	int depth = 0;

	for (; *path && n + 1 < outlen; path++) {
		if (*path == '[')
			depth++;
		else if (*path == ']')
			depth--;
		else if (!depth)
			out[n++] = *path;
	}
	out[n] = '\0';
}

/*
 * libyang gives a missing node inside a list entry a schema location, with
 * no keys; check.c has reported every instance at its data path already.
 */
static bool reported_instance(const struct problems *ps, const char *schema_path)
{
	char stripped[1024];

	for (unsigned i = 0; i < ps->n; i++) {
		strip_predicates(ps->v[i].path, stripped, sizeof(stripped));
		if (!strcmp(stripped, schema_path))
			return true;
	}
	return false;
}

static void explain_mandatory(struct loader *l, const struct ly_err_item *e,
			      const struct ly_where *w)
{
	const struct lysc_node *sn = conf_schema_at(l, w->path);
	char name[CONF_NAME_MAX] = "?";

	if (reported_instance(&l->probs, w->path))
		return;
	if (sn) {
		conf_add_missing(l, w->path, sn);
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

/*
 * Two cases of one choice given together, e.g. set/as-path-exclude with
 * set/as-path-exclude-all. libyang's location ends in the choice's name,
 * which is no data node: the path reported stops at its parent.
 */
static void explain_both_cases(struct loader *l, const struct ly_err_item *e,
			       const struct ly_where *w)
{
	char a[CONF_NAME_MAX] = "?", b[CONF_NAME_MAX] = "?", path[sizeof(w->path)];
	char *slash;

	quoted(e->msg, 0, a, sizeof(a));
	quoted(e->msg, 1, b, sizeof(b));
	snprintf(path, sizeof(path), "%s", w->path);
	slash = strrchr(path, '/');
	if (slash && slash != path && !strchr(slash, '['))
		*slash = '\0';
	problem_add(&l->probs, path, w->line,
		    "\"%s\" and \"%s\" exclude each other: keep one of them; " DOCS, a, b);
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
	{ "Data for both cases", explain_both_cases },
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
void take_ly_errors(struct loader *l, bool skip_reported)
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
