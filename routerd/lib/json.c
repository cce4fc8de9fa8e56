#include "routerd/lib/json.h"

#include <inttypes.h>
#include <stdio.h>

void json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
	j->after_key = false;
}

/* Writes the separator a new value needs at the current position. */
static void json_value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		buf_puts(j->out, ",");
	j->need_comma[j->depth] = true;
}

static void json_open(struct json *j, char c)
{
	json_value_prefix(j);
	buf_append(j->out, &c, 1);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	buf_append(j->out, &c, 1);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_open(struct json *j)
{
	json_open(j, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j)
{
	json_open(j, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

static void json_escaped(struct buf *out, const char *s)
{
	buf_puts(out, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20)
			buf_printf(out, "\\u%04x", c);
		else
			buf_append(out, &c, 1);
	}
	buf_puts(out, "\"");
}

void json_key(struct json *j, const char *key)
{
	json_value_prefix(j);
	json_escaped(j->out, key);
	buf_puts(j->out, ":");
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	json_value_prefix(j);
	json_escaped(j->out, s ? s : "");
}

void json_int(struct json *j, int64_t v)
{
	json_value_prefix(j);
	buf_printf(j->out, "%" PRId64, v);
}

void json_uint(struct json *j, uint64_t v)
{
	json_value_prefix(j);
	buf_printf(j->out, "%" PRIu64, v);
}

void json_bool(struct json *j, bool v)
{
	json_value_prefix(j);
	buf_puts(j->out, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_value_prefix(j);
	buf_puts(j->out, "null");
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
