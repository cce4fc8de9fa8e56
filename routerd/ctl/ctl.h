/*
 * Control socket (unix stream). Protocol: the client sends one command line
 * ending in '\n'; the daemon answers with one status byte ('0' success, '1'
 * error) followed by the output, then closes the connection.
 */
#ifndef ROUTERD_CTL_CTL_H
#define ROUTERD_CTL_CTL_H

#include <ev.h>
#include <stdbool.h>

#include "routerd/lib/buf.h"

#define CTL_DEFAULT_SOCKET "/run/routerd/routerd.sock"
#define CTL_MAX_REQUEST	   4096
#define CTL_MAX_ARGS	   32

struct routerd;

struct ctl_server {
	struct ev_loop *loop;
	struct routerd *rd;
	int fd;
	ev_io io;
	char path[108];
};

int ctl_start(struct ctl_server *s, struct ev_loop *loop, const char *path, struct routerd *rd);
void ctl_stop(struct ctl_server *s);

/* commands.c: runs one request line, writing the reply into out. Returns 0 or 1 (error). */
int ctl_execute(struct routerd *rd, char *line, struct buf *out);

#endif
