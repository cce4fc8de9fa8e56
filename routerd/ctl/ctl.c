/* Control socket server: accepts clients, reads one command line, writes the reply. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "routerd/ctl/ctl.h"
#include "routerd/lib/log.h"

struct ctl_client {
	struct ctl_server *srv;
	ev_io io;
	struct buf in;
	struct buf out;
	size_t sent;
};

static void client_free(struct ctl_client *c)
{
	ev_io_stop(c->srv->loop, &c->io);
	close(c->io.fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	while (c->sent < c->out.len) {
		ssize_t n = send(w->fd, c->out.data + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	client_free(c);
}

static void client_reply(struct ctl_client *c, char *line)
{
	struct buf body;
	int status;

	buf_init(&body);
	status = ctl_execute(c->srv->rd, line, &body);
	buf_puts(&c->out, status ? "1" : "0");
	buf_append(&c->out, body.data ? body.data : "", body.len);
	buf_free(&body);
	ev_io_stop(c->srv->loop, &c->io);
	ev_io_init(&c->io, client_write_cb, c->io.fd, EV_WRITE);
	c->io.data = c;
	ev_io_start(c->srv->loop, &c->io);
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	char *nl;
	ssize_t n;

	if (!buf_reserve(&c->in, 512)) {
		client_free(c);
		return;
	}
	n = recv(w->fd, c->in.data + c->in.len, 512, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->in.len + (size_t)n > CTL_MAX_REQUEST) {
		client_free(c);
		return;
	}
	c->in.len += (size_t)n;
	c->in.data[c->in.len] = '\0';
	nl = strchr(c->in.data, '\n');
	if (nl) {
		*nl = '\0';
		client_reply(c, c->in.data);
	}
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	struct ctl_client *c;
	int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	buf_init(&c->in);
	buf_init(&c->out);
	ev_io_init(&c->io, client_read_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
}

static void make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
}

int ctl_start(struct ctl_server *s, struct ev_loop *loop, const char *path, struct routerd *rd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("ctl-failed", "socket=%s error=\"path too long\"", path);
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	make_parent_dir(path);
	unlink(path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(s->fd, 16) < 0) {
		log_err("ctl-failed", "socket=%s error=\"%s\"", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return -1;
	}
	chmod(path, 0660);
	s->loop = loop;
	s->rd = rd;
	ev_io_init(&s->io, accept_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	log_info("ctl-listening", "socket=%s", path);
	return 0;
}

void ctl_stop(struct ctl_server *s)
{
	if (s->fd < 0)
		return;
	ev_io_stop(s->loop, &s->io);
	close(s->fd);
	unlink(s->path);
	s->fd = -1;
}
