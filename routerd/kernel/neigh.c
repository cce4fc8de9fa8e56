#include "routerd/kernel/neigh.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/nl.h"
#include "routerd/lib/log.h"

#define NEIGH_PROTO RTPROT_BGP

struct neigh {
	struct nl_sock *sk;
	bool proto_ok; /* the kernel takes NDA_PROTOCOL (Linux >= 5.0) */
};

struct neigh *neigh_new(void)
{
	struct neigh *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->sk = nl_open(0, 0);
	if (!n->sk) {
		log_err("neigh-error", "error=\"cannot open rtnetlink socket\"");
		free(n);
		return NULL;
	}
	n->proto_ok = true;
	return n;
}

void neigh_free(struct neigh *n)
{
	if (!n)
		return;
	nl_close(n->sk);
	free(n);
}

static size_t neigh_msg(struct neigh *n, struct nlbuf *b, uint16_t type, uint16_t flags,
			int ifindex, const struct ipaddr *ip, uint16_t state)
{
	struct ndmsg ndm = {
		.ndm_family = ip->family,
		.ndm_ifindex = ifindex,
		.ndm_state = state,
	};
	size_t off;

	off = nlbuf_msg(b, type, NLM_F_REQUEST | NLM_F_ACK | flags, nl_next_seq(n->sk), &ndm,
			sizeof(ndm));
	nlbuf_addr(b, off, NDA_DST, ip);
	return off;
}

static int neigh_add(struct neigh *n, int ifindex, const struct ipaddr *ip, const uint8_t mac[6],
		     bool tag, char *why, size_t whylen)
{
	struct nlbuf b;
	size_t off;
	int rc;

	nlbuf_init(&b);
	off = neigh_msg(n, &b, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex, ip,
			NUD_PERMANENT);
	nlbuf_attr(&b, off, NDA_LLADDR, mac, 6);
	if (tag)
		nlbuf_u8(&b, off, NDA_PROTOCOL, NEIGH_PROTO);
	rc = nl_transact(n->sk, &b, NULL, NULL, why, whylen);
	nlbuf_free(&b);
	return rc;
}

int neigh_set_permanent(struct neigh *n, int ifindex, const struct ipaddr *ip, const uint8_t mac[6])
{
	char why[128], a[ADDR_STRLEN];
	int rc = neigh_add(n, ifindex, ip, mac, n->proto_ok, why, sizeof(why));

	/* An old kernel refuses the unknown attribute: go on untagged. */
	if (rc == -EINVAL && n->proto_ok &&
	    neigh_add(n, ifindex, ip, mac, false, why, sizeof(why)) == 0) {
		n->proto_ok = false;
		log_warn("neigh-untagged", "reason=\"kernel refuses NDA_PROTOCOL\"");
		rc = 0;
	}
	if (rc)
		log_err("neigh-error", "op=set ifindex=%d ip=%s error=\"%s\" reason=\"%s\"",
			ifindex, ipaddr_fmt(ip, a, sizeof(a)), strerror(-rc), why);
	return rc;
}

int neigh_del(struct neigh *n, int ifindex, const struct ipaddr *ip)
{
	char why[128], a[ADDR_STRLEN];
	struct nlbuf b;
	int rc;

	nlbuf_init(&b);
	neigh_msg(n, &b, RTM_DELNEIGH, 0, ifindex, ip, 0);
	rc = nl_transact(n->sk, &b, NULL, NULL, why, sizeof(why));
	nlbuf_free(&b);
	if (rc == -ENOENT || rc == -ESRCH)
		return 0;
	if (rc)
		log_err("neigh-error", "op=del ifindex=%d ip=%s error=\"%s\" reason=\"%s\"",
			ifindex, ipaddr_fmt(ip, a, sizeof(a)), strerror(-rc), why);
	return rc;
}

struct stale_neigh {
	int ifindex;
	struct ipaddr ip;
};

struct neigh_sweep {
	struct stale_neigh *v;
	size_t n, cap;
};

static int sweep_cb(struct nlmsghdr *nh, void *arg)
{
	struct neigh_sweep *s = arg;
	const struct ndmsg *ndm = nlmsg_data(nh);
	struct nlattr *tb[NDA_MAX + 1];
	struct stale_neigh e = { .ifindex = ndm->ndm_ifindex };

	if (nh->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(nh, sizeof(*ndm), tb, NDA_MAX, NULL))
		return 0;
	if (!tb[NDA_PROTOCOL] || nla_get_u8(tb[NDA_PROTOCOL]) != NEIGH_PROTO)
		return 0;
	if (!nl_get_addr(tb[NDA_DST], ndm->ndm_family, &e.ip))
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = e;
	return 0;
}

static int neigh_dump(struct neigh *n, uint8_t family, struct neigh_sweep *s)
{
	struct ndmsg ndm = { .ndm_family = family };
	struct nlbuf b;
	int rc;

	nlbuf_init(&b);
	nlbuf_msg(&b, RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, nl_next_seq(n->sk), &ndm,
		  sizeof(ndm));
	rc = nl_transact(n->sk, &b, sweep_cb, s, NULL, 0);
	nlbuf_free(&b);
	return rc;
}

int neigh_sweep(struct neigh *n)
{
	struct neigh_sweep s = { 0 };
	int removed = 0;
	int rc;

	rc = neigh_dump(n, AF_INET, &s);
	if (!rc)
		rc = neigh_dump(n, AF_INET6, &s);
	for (size_t i = 0; i < s.n; i++)
		if (neigh_del(n, s.v[i].ifindex, &s.v[i].ip) == 0)
			removed++;
	free(s.v);
	if (rc) {
		log_err("neigh-error", "op=sweep error=\"%s\"", strerror(-rc));
		return -1;
	}
	log_info("neigh-sweep", "removed=%d", removed);
	return removed;
}
