/* Listening sockets on the BGP port: accept only configured neighbors. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "routerd/bgp/peer.h"
#include "routerd/lib/log.h"

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp *bgp = w->data;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct bgp_peer *p;
	struct ipaddr a;
	char s[ADDR_STRLEN];
	uint32_t scope;
	int fd;

	fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	ipaddr_from_sockaddr((struct sockaddr *)&ss, &a, &scope);
	p = bgp_peer_find_addr(bgp, &a, scope);
	if (!p || p->conf.shutdown || bgp->shutting_down) {
		log_info("connection-rejected", "remote=%s reason=\"%s\"",
			 ipaddr_fmt(&a, s, sizeof(s)),
			 p ? "neighbor is shut down" : "not a configured neighbor");
		close(fd);
		return;
	}
	if (p->established) {
		/* §6.8: a connection colliding with an Established session is closed. */
		log_info("connection-rejected", "peer=%s reason=\"session already established\"",
			 p->conf.peer);
		close(fd);
		return;
	}
	log_info("connection-accepted", "peer=%s remote=%s", p->conf.peer,
		 ipaddr_fmt(&a, s, sizeof(s)));
	session_accept(p, fd);
}

static int listen_one(struct bgp *bgp, int idx, int family)
{
	struct ipaddr any = { .family = (uint8_t)family };
	struct sockaddr_storage ss;
	socklen_t len = ipaddr_to_sockaddr(&any, bgp->port, 0, &ss);
	int one = 1;
	int fd;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return family == AF_INET6 && errno == EAFNOSUPPORT ? 0 : -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		log_err("listen-failed", "family=%s port=%u error=\"%s\"",
			family == AF_INET ? "ipv4" : "ipv6", bgp->port, strerror(errno));
		close(fd);
		return -1;
	}
	bgp->listen_fd[idx] = fd;
	ev_io_init(&bgp->listen_io[idx], accept_cb, fd, EV_READ);
	bgp->listen_io[idx].data = bgp;
	ev_io_start(bgp->loop, &bgp->listen_io[idx]);
	return 0;
}

int bgp_listen_start(struct bgp *bgp)
{
	if (listen_one(bgp, 0, AF_INET) < 0 || listen_one(bgp, 1, AF_INET6) < 0) {
		bgp_listen_stop(bgp);
		return -1;
	}
	log_info("listening", "port=%u", bgp->port);
	return 0;
}

void bgp_listen_stop(struct bgp *bgp)
{
	for (int i = 0; i < 2; i++) {
		if (bgp->listen_fd[i] < 0)
			continue;
		ev_io_stop(bgp->loop, &bgp->listen_io[i]);
		close(bgp->listen_fd[i]);
		bgp->listen_fd[i] = -1;
	}
}
