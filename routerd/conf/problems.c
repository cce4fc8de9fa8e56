/*
 * Problems: what the loader found, turned into the error text at the end.
 * Every problem is one line "FILE: PATH[ (line N)]: WHAT: FIX".
 */
#include "routerd/conf/conf_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/lib/buf.h"

/* libyang quotes raw input into its messages; a newline would break the one-line-per-problem rule. */
static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

bool problem_at(const struct problems *ps, const char *path)
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

void problem_vadd(struct problems *ps, const char *path, unsigned line, const char *fmt, va_list ap)
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

void problem_add(struct problems *ps, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(ps, path, line, fmt, ap);
	va_end(ap);
}

bool problems_any(const struct problems *ps)
{
	return ps->n || ps->oom;
}

void problems_free(struct problems *ps)
{
	for (unsigned i = 0; i < ps->n; i++) {
		free(ps->v[i].path);
		free(ps->v[i].text);
	}
	free(ps->v);
}

char *problems_format(const struct problems *ps, const char *file)
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
