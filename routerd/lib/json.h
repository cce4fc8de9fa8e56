/*
 * Streaming JSON writer. Show commands may emit a million routes, so output is
 * written straight into a buffer instead of building a document tree first.
 */
#ifndef ROUTERD_LIB_JSON_H
#define ROUTERD_LIB_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "routerd/lib/buf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, struct buf *out);
void json_obj_open(struct json *j);  /* { */
void json_obj_close(struct json *j); /* } */
void json_arr_open(struct json *j);  /* [ */
void json_arr_close(struct json *j); /* ] */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Shorthands for "key": value inside an object. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif
