/*
 * rtnetlink plumbing shared by fib.c, neigh.c and iface.c. Private to
 * routerd/kernel/: it includes libnl, and the rest of the daemon must not
 * (it includes fib.h, neigh.h and iface.h, which carry no libnl type).
 *
 * Messages are built in a flat buffer (struct nlbuf) so that many of them
 * can leave in one sendmsg; libnl owns the sockets (nl_sock, nl_sendto) and
 * parses attributes (nlmsg_parse, nla_*).
 */
#ifndef ROUTERD_KERNEL_NL_H
#define ROUTERD_KERNEL_NL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/lib/addr.h"

/* Netlink messages back to back, ready for one sendmsg. */
struct nlbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void nlbuf_init(struct nlbuf *b);
void nlbuf_free(struct nlbuf *b);
void nlbuf_reset(struct nlbuf *b);
/* Starts a message with its fixed header (rtmsg, nhmsg, ...); returns its offset. */
size_t nlbuf_msg(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq, const void *hdr,
		 size_t hdrlen);
struct nlmsghdr *nlbuf_at(const struct nlbuf *b, size_t off);
/* Appends an attribute to the message at off (always its last one). */
void nlbuf_attr(struct nlbuf *b, size_t off, uint16_t type, const void *data, size_t len);
void nlbuf_u32(struct nlbuf *b, size_t off, uint16_t type, uint32_t v);
void nlbuf_u8(struct nlbuf *b, size_t off, uint16_t type, uint8_t v);
void nlbuf_addr(struct nlbuf *b, size_t off, uint16_t type, const struct ipaddr *a);

/*
 * A NETLINK_ROUTE socket with extended acks (kernel's reason text), capped
 * acks (errors carry the request's header only: we map them by sequence
 * number) and strict dump checking (dumps filtered in the kernel). Buffer
 * sizes of 0 keep the defaults; larger ones are forced (we run as root).
 */
struct nl_sock *nl_open(int rcvbuf, int sndbuf);
void nl_close(struct nl_sock *sk);
int nl_fd(struct nl_sock *sk);

/* The kernel's NLMSGERR_ATTR_MSG of an error message, or NULL. */
const char *nl_err_text(const struct nlmsghdr *nh);

typedef int (*nl_reply_fn)(struct nlmsghdr *nh, void *arg);

/*
 * Sends the one request in b (NLM_F_ACK or NLM_F_DUMP set by the caller)
 * and reads the answer synchronously: fn sees each data message (a nonzero
 * return stops the dump early but the rest is still read). Returns 0 or a
 * negative errno; why (may be NULL) gets the kernel's text of an error.
 */
int nl_transact(struct nl_sock *sk, struct nlbuf *b, nl_reply_fn fn, void *arg, char *why,
		size_t whylen);

/* Next sequence number for a synchronous request on sk. */
uint32_t nl_next_seq(struct nl_sock *sk);

/* Fills a with the address in attribute at (4 or 16 bytes). */
bool nl_get_addr(const struct nlattr *at, uint8_t family, struct ipaddr *a);

#endif
