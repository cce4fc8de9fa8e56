/* Small file helpers shared by the fabric tool: whole-file read and write, mkdir -p. */
#ifndef FABRIC_FILEIO_H
#define FABRIC_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "routerd/lib/buf.h"

/* Appends the file's bytes to out and NUL-terminates (not counted in len). -1 with errno. */
int fio_read(const char *path, struct buf *out);
/* Writes data to path through path.tmp and rename(). -1 with errno. */
int fio_write(const char *path, const void *data, size_t len);
/* mkdir -p with mode for every created component. -1 with errno. */
int fio_mkdirs(const char *path, mode_t mode);
/* rm -rf; missing is fine. -1 with errno on the first failure. */
int fio_remove_tree(const char *path);
/* snprintf for paths; -1 (errno ENAMETOOLONG) when out is too small. */
int fio_pathf(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* path joined: a/b into out; returns out (truncated paths are caught by the callers' lengths). */
char *fio_join(char *out, size_t len, const char *a, const char *b);

#endif
