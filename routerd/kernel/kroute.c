#include "routerd/kernel/kroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/nl.h"

/*
 * The kernel answers a route lookup that lands on a blackhole, unreachable
 * or prohibit route with an error (EINVAL, EHOSTUNREACH, EACCES) instead of
 * the route, so those "reject" routes (null routes for aggregates, the
 * usual thing a `network` statement waits for) are read with one filtered
 * dump per family and type, once per round (kroute_forget).
 */
struct reject {
	struct prefix p;
	uint8_t proto;
};

struct reject_set {
	struct reject *v;
	size_t n, cap;
	bool loaded;
	bool short_of_memory; /* some routes missing: read again at the next question */
};

struct kroute {
	struct nl_sock *sk;
	struct reject_set rej[2]; /* [0] IPv4, [1] IPv6 */
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
	for (int i = 0; i < 2; i++)
		free(k->rej[i].v);
	free(k);
}

void kroute_forget(struct kroute *k)
{
	for (int i = 0; i < 2; i++)
		k->rej[i].loaded = false;
}

static int reject_cmp(const void *a, const void *b)
{
	const struct prefix *x = &((const struct reject *)a)->p;
	const struct prefix *y = &((const struct reject *)b)->p;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, sizeof(x->bytes));
}

static int reject_cb(struct nlmsghdr *nh, void *arg)
{
	const struct rtmsg *rtm = nlmsg_data(nh);
	struct reject_set *s = arg;
	struct nlattr *tb[RTA_MAX + 1];
	struct ipaddr dst;
	struct reject r = { 0 };

	if (nh->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(nh, sizeof(*rtm), tb, RTA_MAX, NULL))
		return 0;
	if (rtm->rtm_type != RTN_BLACKHOLE && rtm->rtm_type != RTN_UNREACHABLE &&
	    rtm->rtm_type != RTN_PROHIBIT)
		return 0; /* a kernel without strict dump filtering sends everything */
	if ((tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table) != RT_TABLE_MAIN)
		return 0;
	r.p.family = rtm->rtm_family;
	r.p.len = rtm->rtm_dst_len;
	if (tb[RTA_DST]) {
		if (!nl_get_addr(tb[RTA_DST], rtm->rtm_family, &dst))
			return 0;
		memcpy(r.p.bytes, dst.bytes, sizeof(r.p.bytes));
	}
	r.proto = rtm->rtm_protocol;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct reject *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->short_of_memory = true;
			return 0;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = r;
	return 0;
}

static void reject_load(struct kroute *k, uint8_t family, struct reject_set *s)
{
	static const uint8_t types[] = { RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };

	s->n = 0;
	s->short_of_memory = false;
	for (size_t i = 0; i < sizeof(types); i++) {
		struct rtmsg rtm = { .rtm_family = family,
				     .rtm_table = RT_TABLE_MAIN,
				     .rtm_type = types[i] };
		struct nlbuf b;
		size_t off;

		nlbuf_init(&b);
		off = nlbuf_msg(&b, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, nl_next_seq(k->sk),
				&rtm, sizeof(rtm));
		nlbuf_u32(&b, off, RTA_TABLE, RT_TABLE_MAIN);
		nl_transact(k->sk, &b, reject_cb, s, NULL, 0);
		nlbuf_free(&b);
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), reject_cmp);
	s->loaded = !s->short_of_memory;
}

static bool reject_exists(struct kroute *k, const struct prefix *p, uint8_t ignore_proto)
{
	struct reject_set *s = &k->rej[p->family == AF_INET6];
	struct reject key = { .p = *p };
	const struct reject *r;

	if (!s->loaded)
		reject_load(k, p->family, s);
	r = s->n ? bsearch(&key, s->v, s->n, sizeof(*s->v), reject_cmp) : NULL;
	if (!r)
		return false;
	/* the same prefix may have several (metrics): any one that is not ours */
	while (r > s->v && !reject_cmp(r - 1, &key))
		r--;
	for (; r < s->v + s->n && !reject_cmp(r, &key); r++)
		if (r->proto != ignore_proto)
			return true;
	return false;
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
	if (rc == -EINVAL || rc == -EHOSTUNREACH || rc == -EACCES)
		return reject_exists(k, p, ignore_proto);
	if (rc || !m.found || m.dst_len != p->len || m.proto == ignore_proto)
		return false;
	return m.type == RTN_UNICAST || m.type == RTN_LOCAL;
}
