#include "routerd/kernel/kroute.h"

#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/nl.h"

struct kroute {
	struct nl_sock *sk;
};

struct match {
	bool found;
	uint8_t dst_len;
	uint8_t proto;
	uint8_t type;
};

static int match_cb(struct nlmsghdr *nh, void *arg)
{
	const struct rtmsg *rtm = nlmsg_data(nh);
	struct match *m = arg;

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	m->found = true;
	m->dst_len = rtm->rtm_dst_len;
	m->proto = rtm->rtm_protocol;
	m->type = rtm->rtm_type;
	return 0;
}

struct kroute *kroute_open(void)
{
	struct kroute *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->sk = nl_open(0, 0);
	if (!k->sk) {
		free(k);
		return NULL;
	}
	return k;
}

void kroute_close(struct kroute *k)
{
	if (!k)
		return;
	nl_close(k->sk);
	free(k);
}

bool kroute_exists(struct kroute *k, const struct prefix *p, uint8_t ignore_proto)
{
	/* RTM_F_FIB_MATCH: the answer is the matching route itself, with its prefix length. */
	struct rtmsg rtm = { .rtm_family = p->family, .rtm_flags = RTM_F_FIB_MATCH };
	struct ipaddr a = { .family = p->family };
	struct match m = { 0 };
	struct nlbuf b;
	size_t off;
	int rc;

	memcpy(a.bytes, p->bytes, sizeof(a.bytes));
	rtm.rtm_dst_len = p->family == AF_INET ? 32 : 128;
	nlbuf_init(&b);
	off = nlbuf_msg(&b, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, nl_next_seq(k->sk), &rtm,
			sizeof(rtm));
	nlbuf_addr(&b, off, RTA_DST, &a);
	rc = nl_transact(k->sk, &b, match_cb, &m, NULL, 0);
	nlbuf_free(&b);
	if (rc || !m.found || m.dst_len != p->len || m.proto == ignore_proto)
		return false;
	return m.type == RTN_UNICAST || m.type == RTN_LOCAL || m.type == RTN_BLACKHOLE ||
	       m.type == RTN_UNREACHABLE || m.type == RTN_PROHIBIT;
}
