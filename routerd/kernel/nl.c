#include "routerd/kernel/nl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NLBUF_MIN 4096
/* Dump answers come in datagrams of at most 32 KiB; twice that is safe. */
#define NL_RECV_BYTES 65536

void nlbuf_init(struct nlbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void nlbuf_free(struct nlbuf *b)
{
	free(b->data);
	nlbuf_init(b);
}

void nlbuf_reset(struct nlbuf *b)
{
	b->len = 0;
}

/* Out of memory while building a kernel message is not recoverable. */
static void nlbuf_reserve(struct nlbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : NLBUF_MIN;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		abort();
	b->data = p;
	b->cap = cap;
}

struct nlmsghdr *nlbuf_at(const struct nlbuf *b, size_t off)
{
	return (struct nlmsghdr *)(b->data + off);
}

size_t nlbuf_msg(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq, const void *hdr,
		 size_t hdrlen)
{
	size_t off = b->len;
	struct nlmsghdr *nh;

	nlbuf_reserve(b, NLMSG_SPACE(hdrlen));
	nh = nlbuf_at(b, off);
	memset(nh, 0, NLMSG_SPACE(hdrlen));
	nh->nlmsg_len = NLMSG_LENGTH(hdrlen);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	nh->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(nh), hdr, hdrlen);
	b->len += NLMSG_SPACE(hdrlen);
	return off;
}

void nlbuf_attr(struct nlbuf *b, size_t off, uint16_t type, const void *data, size_t len)
{
	struct nlmsghdr *nh;
	struct rtattr *rta;

	nlbuf_reserve(b, RTA_SPACE(len));
	nh = nlbuf_at(b, off);
	rta = (struct rtattr *)(b->data + NLMSG_ALIGN(nh->nlmsg_len) + off);
	memset(rta, 0, RTA_SPACE(len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
	b->len = off + nh->nlmsg_len;
}

void nlbuf_u32(struct nlbuf *b, size_t off, uint16_t type, uint32_t v)
{
	nlbuf_attr(b, off, type, &v, sizeof(v));
}

void nlbuf_u8(struct nlbuf *b, size_t off, uint16_t type, uint8_t v)
{
	nlbuf_attr(b, off, type, &v, sizeof(v));
}

void nlbuf_addr(struct nlbuf *b, size_t off, uint16_t type, const struct ipaddr *a)
{
	nlbuf_attr(b, off, type, a->bytes, a->family == AF_INET ? 4 : 16);
}

static void nl_setopt(int fd, int level, int opt, int val)
{
	/* Best effort: older kernels lack some options and work without them. */
	(void)setsockopt(fd, level, opt, &val, sizeof(val));
}

static void nl_set_buf(int fd, int force_opt, int opt, int bytes)
{
	if (bytes <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

struct nl_sock *nl_open(int rcvbuf, int sndbuf)
{
	struct nl_sock *sk = nl_socket_alloc();
	int fd;

	if (!sk)
		return NULL;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	fd = nl_socket_get_fd(sk);
	nl_setopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	nl_setopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	nl_setopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
	nl_set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
	nl_set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
	return sk;
}

void nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int nl_fd(struct nl_sock *sk)
{
	return nl_socket_get_fd(sk);
}

uint32_t nl_next_seq(struct nl_sock *sk)
{
	return nl_socket_use_seq(sk);
}

const char *nl_err_text(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	/* Without NLM_F_CAPPED the whole request sits between error and TLVs. */
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	len = (int)nh->nlmsg_len - (int)NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((uint8_t *)e + off), len, NULL) < 0)
		return NULL;
	if (!tb[NLMSGERR_ATTR_MSG])
		return NULL;
	return nla_get_string(tb[NLMSGERR_ATTR_MSG]);
}

bool nl_get_addr(const struct nlattr *at, uint8_t family, struct ipaddr *a)
{
	int len = family == AF_INET ? 4 : 16;

	memset(a, 0, sizeof(*a));
	if (!at || nla_len(at) != len)
		return false;
	a->family = family;
	memcpy(a->bytes, nla_data(at), len);
	return true;
}

static int nl_wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&pfd, 1, 10000);
	} while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -ETIMEDOUT;
}

struct nl_reader {
	uint32_t seq;
	nl_reply_fn fn;
	void *arg;
	bool stop_calls;
	bool done;
	int err;
	char *why;
	size_t whylen;
};

/* One message of the answer; sets r->done at the end of it. */
static void nl_take(struct nl_reader *r, struct nlmsghdr *nh)
{
	if (nh->nlmsg_seq != r->seq)
		return; /* a late answer to an earlier, abandoned request */
	if (nh->nlmsg_type == NLMSG_DONE) {
		/* A dump that failed midway says so in DONE's payload. */
		if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) && *(int *)NLMSG_DATA(nh) < 0)
			r->err = *(int *)NLMSG_DATA(nh);
		r->done = true;
		return;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);
		const char *text = nl_err_text(nh);

		r->err = e->error;
		if (e->error && r->why && text)
			snprintf(r->why, r->whylen, "%s", text);
		r->done = true;
		return;
	}
	if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->err = -EINTR; /* the table changed under the dump: caller may retry */
	if (r->fn && !r->stop_calls && r->fn(nh, r->arg))
		r->stop_calls = true;
}

static int nl_read_loop(int fd, uint8_t *buf, struct nl_reader *r)
{
	while (!r->done) {
		ssize_t n = recv(fd, buf, NL_RECV_BYTES, MSG_DONTWAIT);
		struct nlmsghdr *nh;
		int left;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (nl_wait_readable(fd) < 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		left = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left))
			nl_take(r, nh);
	}
	return r->err;
}

/* The buffer is per call so that a reply callback may run its own request. */
static int nl_read_answer(struct nl_sock *sk, struct nl_reader *r)
{
	uint8_t *buf = malloc(NL_RECV_BYTES);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = nl_read_loop(nl_socket_get_fd(sk), buf, r);
	free(buf);
	return rc;
}

int nl_transact(struct nl_sock *sk, struct nlbuf *b, nl_reply_fn fn, void *arg, char *why,
		size_t whylen)
{
	struct nl_reader r = { .fn = fn, .arg = arg, .why = why, .whylen = whylen };
	int rc;

	if (why && whylen)
		why[0] = '\0';
	r.seq = nlbuf_at(b, 0)->nlmsg_seq;
	/* libnl returns its own codes; errno still holds the system's. */
	errno = 0;
	rc = nl_sendto(sk, b->data, b->len);
	if (rc < 0)
		return errno ? -errno : -EIO;
	return nl_read_answer(sk, &r);
}
