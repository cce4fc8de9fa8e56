/*
 * One BGP connection: TCP I/O, message framing and dispatch, timers, and the
 * execution of the actions the pure FSM (fsm.c) asks for.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "routerd/bgp/peer.h"
#include "routerd/lib/log.h"

#define HOLD_LARGE_SECS 240 /* RFC 4271 §8: "a large value", suggested 4 minutes */
#define READ_CHUNK	65536

#define conn_of(w, member) ((struct bgp_conn *)((char *)(w)-offsetof(struct bgp_conn, member)))

static uint32_t conn_apply(struct bgp_conn *c, enum bgp_event ev, struct bgp_fsm_step st,
			   const struct bgp_notify *err);

static const char *dir_name(const struct bgp_conn *c)
{
	return c->dir == BGP_CONN_OUT ? "out" : "in";
}

/* ---- sending ---- */

static void conn_flush(struct bgp_conn *c)
{
	while (c->wbuf.len > 0) {
		ssize_t n = send(c->fd, c->wbuf.data, c->wbuf.len, MSG_NOSIGNAL);

		if (n > 0) {
			buf_consume(&c->wbuf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(c->peer->bgp->loop, &c->io_write);
			return;
		}
		/* Report the failure from the loop, not from inside an FSM action. */
		c->write_failed = true;
		ev_feed_event(c->peer->bgp->loop, &c->io_read, EV_CUSTOM);
		return;
	}
	ev_io_stop(c->peer->bgp->loop, &c->io_write);
}

static void conn_send(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_msg_counters *sent = &c->peer->sent;

	if (c->fd < 0 || len < BGP_HEADER_LEN)
		return;
	buf_append(&c->wbuf, msg, len);
	if (msg[18] <= BGP_MSG_ROUTE_REFRESH)
		sent->by_type[msg[18]]++;
	sent->total++;
	conn_flush(c);
}

static void send_open(struct bgp_conn *c)
{
	const struct bgp_peer *p = c->peer;
	struct bgp_open o = {
		.version = BGP_VERSION,
		.my_as = p->bgp->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)p->bgp->asn,
		.hold_time = p->conf.timers.hold,
		.bgp_id = p->bgp->router_id,
		.caps = p->caps_sent,
	};
	uint8_t msg[BGP_MAX_MSG_LEN];
	size_t len = bgp_open_encode(msg, sizeof(msg), &o);

	conn_send(c, msg, len);
}

static void send_keepalive(struct bgp_conn *c)
{
	uint8_t msg[BGP_HEADER_LEN];

	conn_send(c, msg, bgp_keepalive_encode(msg, sizeof(msg)));
}

static void record_error(struct bgp_peer *p, const struct bgp_notify *n, bool sent)
{
	p->last_error.valid = true;
	p->last_error.sent = sent;
	p->last_error.notify = *n;
	p->last_error.at = mono_now();
}

static void send_notify(struct bgp_conn *c, const struct bgp_notify *n)
{
	uint8_t msg[BGP_MAX_MSG_LEN];
	char text[BGP_NOTIFY_DATA_MAX + 64];

	bgp_notify_describe(n, text, sizeof(text));
	log_warn("notification-sent", "peer=%s dir=%s code=%u subcode=%u reason=\"%s\"",
		 c->peer->conf.peer, dir_name(c), n->code, n->subcode, text);
	record_error(c->peer, n, true);
	conn_send(c, msg, bgp_notify_encode(msg, sizeof(msg), n));
}

/* ---- timers ---- */

static void timer_set(struct bgp_conn *c, ev_timer *t, double secs)
{
	ev_timer_stop(c->peer->bgp->loop, t);
	if (secs <= 0)
		return;
	ev_timer_set(t, secs, secs);
	ev_timer_start(c->peer->bgp->loop, t);
}

static void timers_stop(struct bgp_conn *c)
{
	ev_timer_stop(c->peer->bgp->loop, &c->hold);
	ev_timer_stop(c->peer->bgp->loop, &c->keepalive);
}

/* Hold time is the smaller of both proposals; keepalive a third of it unless configured lower. */
static void negotiate_timers(struct bgp_conn *c)
{
	const struct conf_timers *t = &c->peer->conf.timers;
	uint16_t hold = c->remote_open.hold_time < t->hold ? c->remote_open.hold_time : t->hold;
	uint16_t ka = hold / 3;

	if (t->keepalive && t->keepalive < ka)
		ka = t->keepalive;
	if (hold && !ka)
		ka = 1;
	c->hold_time = hold;
	c->keepalive_time = ka;
	timer_set(c, &c->hold, hold);
	timer_set(c, &c->keepalive, ka);
}

static void connect_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	session_event(conn_of(w, connect_retry), BGP_EV_CONNECT_RETRY_EXPIRES);
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_timer_stop(loop, w);
	session_event(conn_of(w, hold), BGP_EV_HOLD_EXPIRES);
}

static void keepalive_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	session_event(conn_of(w, keepalive), BGP_EV_KEEPALIVE_EXPIRES);
}

/* ---- TCP ---- */

/* TTL 1 for directly connected eBGP (as FRR and BIRD), the configured hop count for multihop. */
static int session_ttl(const struct bgp_peer *p)
{
	if (bgp_peer_is_ibgp(p))
		return 255;
	return p->conf.ebgp_multihop ? p->conf.ebgp_multihop : 1;
}

static void socket_tune(const struct bgp_peer *p, int fd, int family)
{
	int one = 1, ttl = session_ttl(p), tos = 0xc0; /* CS6, network control */

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (family == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	}
}

static void conn_learn_endpoints(struct bgp_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) == 0) {
		ipaddr_from_sockaddr((struct sockaddr *)&ss, &c->local_addr, NULL);
		c->local_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	len = sizeof(ss);
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0)
		c->remote_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void conn_attach_fd(struct bgp_conn *c, int fd)
{
	struct ev_loop *loop = c->peer->bgp->loop;

	c->fd = fd;
	c->write_failed = false;
	c->open_received = false;
	buf_reset(&c->rbuf);
	buf_reset(&c->wbuf);
	ev_io_set(&c->io_read, fd, EV_READ);
	ev_io_set(&c->io_write, fd, EV_WRITE);
	ev_io_start(loop, &c->io_read);
}

static void conn_drop_tcp(struct bgp_conn *c)
{
	struct ev_loop *loop = c->peer->bgp->loop;

	if (c->fd < 0)
		return;
	ev_io_stop(loop, &c->io_read);
	ev_io_stop(loop, &c->io_write);
	/* Best effort: a NOTIFICATION queued just before should leave first. */
	if (c->wbuf.len)
		(void)send(c->fd, c->wbuf.data, c->wbuf.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(c->fd);
	c->fd = -1;
	c->connecting = false;
	c->write_failed = false;
	buf_reset(&c->rbuf);
	buf_reset(&c->wbuf);
}

static int bind_update_source(const struct bgp_peer *p, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!p->conf.update_source.family)
		return 0;
	len = ipaddr_to_sockaddr(&p->conf.update_source, 0, p->scope_id, &ss);
	return bind(fd, (struct sockaddr *)&ss, len);
}

/* Starts a non-blocking connect; completion arrives on io_write. Returns -1 on immediate failure. */
static int conn_connect(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct sockaddr_storage ss;
	socklen_t len = ipaddr_to_sockaddr(&p->addr, p->bgp->port, p->scope_id, &ss);
	char a[ADDR_STRLEN];
	int fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	socket_tune(p, fd, ss.ss_family);
	if (bind_update_source(p, fd) < 0) {
		close(fd);
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		goto fail;
	}
	conn_attach_fd(c, fd);
	c->connecting = true;
	ev_io_start(p->bgp->loop, &c->io_write);
	log_debug("connect", "peer=%s remote=%s port=%u", p->conf.peer,
		  ipaddr_fmt(&p->addr, a, sizeof(a)), p->bgp->port);
	return 0;
fail:
	log_info("connect-failed", "peer=%s error=\"%s\"", p->conf.peer, strerror(errno));
	return -1;
}

static void connect_done(struct bgp_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	c->connecting = false;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		log_info("connect-failed", "peer=%s error=\"%s\"", c->peer->conf.peer,
			 strerror(err));
		session_event(c, BGP_EV_TCP_FAILS);
		return;
	}
	conn_learn_endpoints(c);
	session_event(c, BGP_EV_TCP_CONNECTED);
}

static void io_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_conn *c = conn_of(w, io_write);

	if (c->connecting) {
		ev_io_stop(loop, w);
		connect_done(c);
		return;
	}
	conn_flush(c);
}

/* ---- receiving ---- */

typedef void (*msg_handler)(struct bgp_conn *c, const uint8_t *msg, size_t len);

static void conn_error(struct bgp_conn *c, enum bgp_event ev, const struct bgp_notify *err)
{
	(void)conn_apply(c, ev, bgp_fsm_step(c->state, ev), err);
}

/*
 * §6.8: which of two connections to the same peer survives. Returns the loser.
 *
 * The rule is applied as soon as an OPEN gives us the peer's identifier and
 * the other connection has sent its OPEN (OpenSent or later): §6.8 allows
 * detection in OpenSent when the identifier is known by other means, and
 * waiting for OpenConfirm lets us send a KEEPALIVE on a connection the rule
 * later condemns, which the peer may already have taken to Established while
 * we close it. The identifiers decide even against an Established connection
 * (as BIRD does), so both ends always keep the same one: the connection the
 * higher identifier initiated.
 */
static struct bgp_conn *collision_loser(struct bgp_conn *c, struct bgp_conn *other,
					uint32_t remote_id)
{
	struct bgp_peer *p = c->peer;

	if (other->state < BGP_ST_OPENSENT)
		return NULL;
	/* The side with the higher identifier keeps the connection it initiated. */
	if (p->bgp->router_id < remote_id)
		return &p->conn[BGP_CONN_OUT];
	return &p->conn[BGP_CONN_IN];
}

static void handle_open(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_open_expect x = {
		.local_as = p->bgp->asn,
		.local_id = p->bgp->router_id,
		.remote_as = p->conf.remote_as.asn,
	};
	struct bgp_notify err;
	struct bgp_conn *loser;
	uint32_t peer_as;

	switch (p->conf.remote_as.kind) {
	case CONF_REMOTE_AS_EXTERNAL:
		x.mode = BGP_REMOTE_AS_EXTERNAL;
		break;
	case CONF_REMOTE_AS_INTERNAL:
		x.mode = BGP_REMOTE_AS_INTERNAL;
		break;
	default:
		x.mode = BGP_REMOTE_AS_NUMBER;
	}
	if (bgp_open_decode(msg, len, &c->remote_open, &err) < 0 ||
	    bgp_open_validate(&c->remote_open, &x, &peer_as, &err) < 0) {
		conn_error(c, BGP_EV_OPEN_ERR, &err);
		return;
	}
	c->open_received = true;
	loser = collision_loser(c, &p->conn[!c->dir], c->remote_open.bgp_id);
	if (loser) {
		log_info("collision", "peer=%s closing=%s", p->conf.peer, dir_name(loser));
		session_event(loser, BGP_EV_COLLISION_DUMP);
		if (loser == c)
			return;
	}
	p->remote_as = peer_as;
	p->remote_id = c->remote_open.bgp_id;
	bgp_caps_negotiate(&p->caps_sent, &c->remote_open.caps, &p->caps_negotiated);
	session_event(c, BGP_EV_OPEN);
}

static void handle_update(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_notify err;

	if (!(session_event(c, BGP_EV_UPDATE) & BGP_ACT_PROCESS_UPDATE))
		return;
	if (rde_update_in(p->bgp->rde, p, msg, len, &err) < 0)
		conn_error(c, BGP_EV_UPDATE_ERR, &err);
}

static void handle_notification(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_notify n, err;
	char text[BGP_NOTIFY_DATA_MAX + 64];

	if (bgp_notify_decode(msg, len, &n, &err) < 0) {
		/* A broken NOTIFICATION still ends the session; there is nothing to answer. */
		session_event(c, BGP_EV_NOTIFY);
		return;
	}
	bgp_notify_describe(&n, text, sizeof(text));
	log_warn("notification-received", "peer=%s dir=%s code=%u subcode=%u reason=\"%s\"",
		 c->peer->conf.peer, dir_name(c), n.code, n.subcode, text);
	record_error(c->peer, &n, false);
	if (n.code == BGP_ERR_OPEN && n.subcode == BGP_ERR_OPEN_VERSION)
		session_event(c, BGP_EV_NOTIFY_VERSION_ERR);
	else
		session_event(c, BGP_EV_NOTIFY);
}

static void handle_keepalive(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	session_event(c, BGP_EV_KEEPALIVE);
}

static void handle_route_refresh(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_route_refresh rr;
	struct bgp_notify err;

	if (bgp_route_refresh_decode(msg, len, &rr, &err) < 0) {
		conn_error(c, BGP_EV_UPDATE_ERR, &err);
		return;
	}
	if (session_event(c, BGP_EV_ROUTE_REFRESH) & BGP_ACT_PROCESS_REFRESH)
		rde_refresh_out(c->peer->bgp->rde, c->peer, rr.afi, rr.safi);
}

static const msg_handler handlers[] = {
	[BGP_MSG_OPEN] = handle_open,
	[BGP_MSG_UPDATE] = handle_update,
	[BGP_MSG_NOTIFICATION] = handle_notification,
	[BGP_MSG_KEEPALIVE] = handle_keepalive,
	[BGP_MSG_ROUTE_REFRESH] = handle_route_refresh,
};

/* Dispatches every complete message in rbuf. Stops as soon as the connection closes. */
static void conn_parse(struct bgp_conn *c)
{
	size_t off = 0;
	size_t max = c->peer->caps_negotiated.ext_message ? BGP_EXT_MAX_MSG_LEN : BGP_MAX_MSG_LEN;

	while (c->fd >= 0 && c->rbuf.len - off >= BGP_HEADER_LEN) {
		const uint8_t *msg = (const uint8_t *)c->rbuf.data + off;
		struct bgp_header h;
		struct bgp_notify err;

		if (bgp_header_parse(msg, c->rbuf.len - off, max, &h, &err) < 0) {
			conn_error(c, BGP_EV_HEADER_ERR, &err);
			return;
		}
		if (c->rbuf.len - off < h.len)
			break;
		c->peer->rcvd.by_type[h.type]++;
		c->peer->rcvd.total++;
		handlers[h.type](c, msg, h.len);
		off += h.len;
	}
	if (c->fd >= 0)
		buf_consume(&c->rbuf, off);
}

static void io_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_conn *c = conn_of(w, io_read);
	ssize_t n;

	if (c->fd < 0)
		return;
	/* The peer's OPEN can be readable before we saw the connect complete. */
	if (c->connecting) {
		ev_io_stop(loop, &c->io_write);
		connect_done(c);
		if (c->fd < 0)
			return;
	}
	if (c->write_failed) {
		session_event(c, BGP_EV_TCP_FAILS);
		return;
	}
	if (!(revents & EV_READ) || !buf_reserve(&c->rbuf, READ_CHUNK))
		return;
	n = recv(c->fd, c->rbuf.data + c->rbuf.len, READ_CHUNK, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		log_info("connection-closed", "peer=%s dir=%s error=\"%s\"", c->peer->conf.peer,
			 dir_name(c), n == 0 ? "closed by peer" : strerror(errno));
		session_event(c, BGP_EV_TCP_FAILS);
		return;
	}
	c->rbuf.len += (size_t)n;
	conn_parse(c);
}

/* ---- FSM actions ---- */

static void apply_notify(struct bgp_conn *c, struct bgp_fsm_step st, const struct bgp_notify *err)
{
	struct bgp_notify n;

	if (st.notify_code)
		bgp_notify_set(&n, st.notify_code, st.notify_subcode, NULL, 0);
	else if (err)
		n = *err;
	else
		bgp_notify_set(&n, BGP_ERR_CEASE, 0, NULL, 0);
	send_notify(c, &n);
}

static void apply_connect(struct bgp_conn *c)
{
	if (c->dir == BGP_CONN_OUT && c->peer->addr.family && conn_connect(c) < 0)
		session_event(c, BGP_EV_TCP_FAILS);
}

/* Performs a transition's actions; returns them so message handlers can act on PROCESS_*. */
static uint32_t conn_apply(struct bgp_conn *c, enum bgp_event ev, struct bgp_fsm_step st,
			   const struct bgp_notify *err)
{
	struct bgp_peer *p = c->peer;
	enum bgp_state old = c->state;
	uint32_t a = st.actions;

	if (a & BGP_ACT_SEND_NOTIFY)
		apply_notify(c, st, err);
	if (a & BGP_ACT_RELEASE)
		peer_session_down(c);
	if (a & BGP_ACT_DROP_TCP)
		conn_drop_tcp(c);
	if (a & BGP_ACT_TIMERS_STOP)
		timers_stop(c);
	if (a & BGP_ACT_CRT_STOP)
		ev_timer_stop(p->bgp->loop, &c->connect_retry);
	if ((a & BGP_ACT_CRT_START) && c->dir == BGP_CONN_OUT)
		timer_set(c, &c->connect_retry, p->conf.timers.connect_retry);
	if (a & BGP_ACT_CONNRETRY_INC)
		p->connect_retry_count++;
	c->state = st.next;
	if (a & BGP_ACT_SEND_OPEN)
		send_open(c);
	if (a & BGP_ACT_HOLD_LARGE)
		timer_set(c, &c->hold, HOLD_LARGE_SECS);
	if (a & BGP_ACT_NEGOTIATE)
		negotiate_timers(c);
	if (a & BGP_ACT_SEND_KEEPALIVE) {
		send_keepalive(c);
		if (c->keepalive_time)
			ev_timer_again(p->bgp->loop, &c->keepalive);
	}
	if ((a & BGP_ACT_HOLD_RESTART) && c->hold_time)
		ev_timer_again(p->bgp->loop, &c->hold);
	if (old != st.next)
		log_info("fsm", "peer=%s dir=%s from=%s to=%s cause=%s", p->conf.peer, dir_name(c),
			 bgp_state_name(old), bgp_state_name(st.next), bgp_event_name(ev));
	if (a & BGP_ACT_ESTABLISHED)
		peer_established(c);
	if (st.next == BGP_ST_IDLE && old != BGP_ST_IDLE)
		peer_conn_idle(c);
	if (a & BGP_ACT_CONNECT)
		apply_connect(c);
	return a;
}

uint32_t session_event(struct bgp_conn *c, enum bgp_event ev)
{
	return conn_apply(c, ev, bgp_fsm_step(c->state, ev), NULL);
}

void session_send(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	conn_send(c, msg, len);
}

size_t session_queued(const struct bgp_conn *c)
{
	return c->wbuf.len;
}

void session_conn_init(struct bgp_conn *c, struct bgp_peer *p, enum bgp_conn_dir dir)
{
	memset(c, 0, sizeof(*c));
	c->peer = p;
	c->dir = dir;
	c->state = BGP_ST_IDLE;
	c->fd = -1;
	buf_init(&c->rbuf);
	buf_init(&c->wbuf);
	ev_init(&c->io_read, io_read_cb);
	ev_init(&c->io_write, io_write_cb);
	ev_init(&c->connect_retry, connect_retry_cb);
	ev_init(&c->hold, hold_cb);
	ev_init(&c->keepalive, keepalive_cb);
}

void session_accept(struct bgp_peer *p, int fd)
{
	struct bgp_conn *c = &p->conn[BGP_CONN_IN];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	/* A newer connection from the peer replaces one still negotiating. */
	if (c->fd >= 0)
		session_conn_close(c);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		socket_tune(p, fd, ss.ss_family);
	conn_attach_fd(c, fd);
	conn_learn_endpoints(c);
	c->state = BGP_ST_ACTIVE;
	session_event(c, BGP_EV_TCP_CONNECTED);
}

/* Closes a connection without a NOTIFICATION and without restarting anything. */
void session_conn_close(struct bgp_conn *c)
{
	struct ev_loop *loop = c->peer->bgp->loop;

	if (c->state == BGP_ST_ESTABLISHED)
		peer_session_down(c);
	conn_drop_tcp(c);
	timers_stop(c);
	ev_timer_stop(loop, &c->connect_retry);
	c->state = BGP_ST_IDLE;
}

/* Queues a Cease and flushes it synchronously where the socket allows: used at exit. */
void session_cease(struct bgp_conn *c)
{
	struct bgp_notify n;

	if (c->fd < 0 || c->connecting || c->state < BGP_ST_OPENSENT)
		return;
	bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, NULL, 0);
	send_notify(c, &n);
}
