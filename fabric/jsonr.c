/* Recursive-descent JSON parser (RFC 8259) building a tree of struct jv. */
#include "fabric/jsonr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JV_MAX_DEPTH 64

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t errlen;
	bool failed;
};

static int perr(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	p->failed = true;
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->s[p->pos] && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static int parse_value(struct parser *p, struct jv *v, int depth);

static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return perr(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

/* Appends code point cp as UTF-8 (surrogate pairs are joined by the caller). */
static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int unicode_escape(struct parser *p, char *o, size_t *n)
{
	unsigned cp, lo;

	if (hex4(p, &cp) < 0)
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
		p->pos += 2;
		if (hex4(p, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return perr(p, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*n += put_utf8(o + *n, cp);
	return 0;
}

static int escape(struct parser *p, char *o, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = p->s[p->pos++];
	const char *k = c ? strchr(from, c) : NULL;

	if (c == 'u')
		return unicode_escape(p, o, n);
	if (!k)
		return perr(p, "bad escape in string");
	o[(*n)++] = to[k - from];
	return 0;
}

/* Parses a string starting at the opening quote into a new malloc'd text. */
static int parse_string(struct parser *p, char **out)
{
	size_t start = ++p->pos, n = 0;
	char *o;

	while (p->s[p->pos] && p->s[p->pos] != '"')
		p->pos += p->s[p->pos] == '\\' && p->s[p->pos + 1] ? 2 : 1;
	if (p->s[p->pos] != '"')
		return perr(p, "unterminated string");
	o = malloc(p->pos - start + 1); /* decoding never grows the text */
	if (!o)
		return perr(p, "out of memory");
	for (p->pos = start; p->s[p->pos] != '"';) {
		char c = p->s[p->pos++];

		if ((unsigned char)c < 0x20) {
			free(o);
			return perr(p, "control character in string");
		}
		if (c != '\\')
			o[n++] = c;
		else if (escape(p, o, &n) < 0) {
			free(o);
			return -1;
		}
	}
	p->pos++;
	o[n] = '\0';
	*out = o;
	return 0;
}

static int parse_number(struct parser *p, struct jv *v)
{
	const char *start = p->s + p->pos;
	char *end;

	errno = 0;
	strtod(start, &end);
	if (end == start || !strchr("-0123456789", *start))
		return perr(p, "unexpected character");
	v->type = JV_NUMBER;
	v->text = strndup(start, (size_t)(end - start));
	p->pos += (size_t)(end - start);
	return v->text ? 0 : perr(p, "out of memory");
}

static int parse_word(struct parser *p, struct jv *v)
{
	static const struct {
		const char *word;
		enum jv_type type;
		bool value;
	} words[] = { { "true", JV_BOOL, true },
		      { "false", JV_BOOL, false },
		      { "null", JV_NULL, false } };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t len = strlen(words[i].word);

		if (!strncmp(p->s + p->pos, words[i].word, len)) {
			v->type = words[i].type;
			v->boolean = words[i].value;
			p->pos += len;
			return 0;
		}
	}
	return parse_number(p, v);
}

static struct jv *push_item(struct parser *p, struct jv *v)
{
	struct jv *items = realloc(v->items, (v->n_items + 1) * sizeof(*items));

	if (!items) {
		perr(p, "out of memory");
		return NULL;
	}
	v->items = items;
	memset(&items[v->n_items], 0, sizeof(items[0]));
	return &items[v->n_items++];
}

static int parse_member(struct parser *p, struct jv *obj, int depth)
{
	struct jv *m;
	char *key;

	skip_ws(p);
	if (p->s[p->pos] != '"')
		return perr(p, "expected a member name");
	if (parse_string(p, &key) < 0)
		return -1;
	m = push_item(p, obj);
	if (!m) {
		free(key);
		return -1;
	}
	m->key = key;
	skip_ws(p);
	if (p->s[p->pos++] != ':')
		return perr(p, "expected ':'");
	return parse_value(p, m, depth + 1);
}

/* Arrays and objects: items separated by commas up to the closing bracket. */
static int parse_container(struct parser *p, struct jv *v, int depth)
{
	bool object = p->s[p->pos] == '{';
	char close = object ? '}' : ']';

	v->type = object ? JV_OBJECT : JV_ARRAY;
	p->pos++;
	skip_ws(p);
	if (p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct jv *item = object ? NULL : push_item(p, v);

		if (object ? parse_member(p, v, depth) < 0
			   : (!item || parse_value(p, item, depth + 1) < 0))
			return -1;
		skip_ws(p);
		if (p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos++] != ',')
			return perr(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *p, struct jv *v, int depth)
{
	char c;

	if (depth > JV_MAX_DEPTH)
		return perr(p, "nested too deeply");
	skip_ws(p);
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return parse_container(p, v, depth);
	if (c == '"') {
		v->type = JV_STRING;
		return parse_string(p, &v->text);
	}
	if (!c)
		return perr(p, "unexpected end of text");
	return parse_word(p, v);
}

static void jv_clear(struct jv *v)
{
	for (unsigned i = 0; i < v->n_items; i++)
		jv_clear(&v->items[i]);
	free(v->items);
	free(v->key);
	free(v->text);
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	jv_clear(v);
	free(v);
}

struct jv *jv_parse(const char *text, char *err, size_t errlen)
{
	struct parser p = { .s = text, .err = err, .errlen = errlen };
	struct jv *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_value(&p, v, 0) == 0) {
		skip_ws(&p);
		if (!p.s[p.pos])
			return v;
		perr(&p, "text after the JSON value");
	}
	jv_free(v);
	return NULL;
}

const struct jv *jv_get(const struct jv *v, const char *key)
{
	if (!v || v->type != JV_OBJECT)
		return NULL;
	for (unsigned i = 0; i < v->n_items; i++)
		if (!strcmp(v->items[i].key, key))
			return &v->items[i];
	return NULL;
}

const char *jv_str(const struct jv *v)
{
	return v && v->type == JV_STRING ? v->text : NULL;
}

int jv_int(const struct jv *v, int64_t min, int64_t max, int64_t *out)
{
	long long n;
	char *end;

	if (!v || v->type != JV_NUMBER)
		return -1;
	errno = 0;
	n = strtoll(v->text, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

unsigned jv_len(const struct jv *v)
{
	return v && (v->type == JV_ARRAY || v->type == JV_OBJECT) ? v->n_items : 0;
}
