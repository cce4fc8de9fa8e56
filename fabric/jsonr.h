/*
 * A small JSON reader: parses a whole document into a tree of values, enough
 * for plan.json and the JSON that `ip -j`, routerctl and vtysh print.
 *
 * Pure: no I/O, no globals.
 */
#ifndef FABRIC_JSONR_H
#define FABRIC_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	char *key;  /* member name when inside an object */
	char *text; /* strings: the decoded text; numbers: as written */
	bool boolean;
	struct jv *items; /* arrays and objects */
	unsigned n_items;
};

/* Parses text; NULL on error with a message (and byte offset) in err. */
struct jv *jv_parse(const char *text, char *err, size_t errlen);
void jv_free(struct jv *v);

/* Member `key` of an object, or NULL (also when v is NULL or not an object). */
const struct jv *jv_get(const struct jv *v, const char *key);
/* The string of v, or NULL when v is not a string. */
const char *jv_str(const struct jv *v);
/* v as an integer in [min, max]; -1 when v is not such a number. */
int jv_int(const struct jv *v, int64_t min, int64_t max, int64_t *out);
/* Number of items of an array or object, 0 otherwise. */
unsigned jv_len(const struct jv *v);

#endif
