/* Growable byte buffer used for control-socket replies and outgoing messages. */
#ifndef ROUTERD_LIB_BUF_H
#define ROUTERD_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom; /* set once an allocation failed; later appends are dropped */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
bool buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As buf_printf, returning the number of characters written (for aligning continuation lines). */
int buf_printf_len(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes (consumed input). */
void buf_consume(struct buf *b, size_t n);

#endif
