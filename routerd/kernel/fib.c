/*
 * Kernel FIB writer: nexthop objects, groups and routes over rtnetlink.
 *
 * Batching: messages are built back to back in one flat buffer (nl.c's
 * nlbuf) and the whole buffer leaves in a single nl_sendto(), i.e. one
 * sendmsg carrying up to FIB_BATCH_MSGS messages. We chose a raw buffer over
 * one libnl nl_msg per message because nl_msg allocates a page per message
 * and libnl sends each nl_msg with its own sendmsg; batching them would mean
 * copying each into a buffer anyway.
 *
 * Answers: the kernel handles a batch inside sendmsg, in order. Only the
 * last message of a batch carries NLM_F_ACK; the kernel answers the others
 * only when they fail. So a batch costs one answer plus one per failure,
 * instead of one recvmsg per route (which costs as much as the route
 * itself). Failures arrive before the batch's ack and are mapped back by
 * sequence number to a ring of records that only in-flight messages have
 * (FIB_RING of them); the ack then completes every record up to it.
 *
 * The sending side never blocks on the kernel for long: batches leave when
 * full or from an ev_prepare watcher at the end of the loop iteration, and
 * answers are read by an ev_io watcher. Only when FIB_WINDOW messages are
 * unanswered does sending first read answers (already queued by then, since
 * the kernel answers inside sendmsg), which bounds the receive buffer.
 *
 * Per-route state: a compact open-addressing table (12 bytes per IPv4
 * slot, 24 per IPv6; 16 to 24 bytes per IPv4 route at <= 3/4 load) that
 * knows what the kernel has (for the installed count, for skipping
 * unchanged sets, for retrying failed ones) and which id each route holds.
 *
 * Ordering is the kernel's: one socket, one stream, so a nexthop is created
 * before the routes that use it and deleted after the last route left it.
 */
#include "routerd/kernel/fib.h"

#include <errno.h>
#include <linux/nexthop.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/nl.h"
#include "routerd/lib/hash.h"
#include "routerd/lib/log.h"

#define FIB_BATCH_BYTES (64 * 1024)
#define FIB_BATCH_MSGS	1024
/* Sent and not yet answered: each may come back as an error skb, so the
 * receive buffer must hold FIB_WINDOW of them (about 1 KiB each). */
#define FIB_WINDOW    4096
#define FIB_RING      8192 /* power of two, >= FIB_WINDOW + FIB_BATCH_MSGS */
#define FIB_RCVBUF    (16 * 1024 * 1024)
#define FIB_SNDBUF    (4 * FIB_BATCH_BYTES)
#define FIB_WAIT_MS   10000
#define FIB_RCACHE    256
#define FIB_LOG_BURST 100 /* fib-error lines per second; the rest are counted */

/* ---- records of in-flight messages ---- */

enum rec_op {
	REC_ROUTE_SET,
	REC_ROUTE_DEL,
	REC_NH_ADD,
	REC_NH_DEL,
	REC_SWEEP_ROUTE,
	REC_SWEEP_NH,
	REC_OPS
};

struct rec {
	uint8_t op;
	bool acked; /* carries NLM_F_ACK: its answer closes the batch */
	int32_t err;
	uint32_t id;
	struct prefix p;
};

/* ---- routes ---- */

enum {
	RT_USED = 1,
	RT_WANT = 2,   /* the RIB wants it in the kernel (with nhid) */
	RT_KERNEL = 4, /* the kernel has it, as far as its answers told */
	RT_FAILED = 8, /* the last write of nhid failed: setting it again retries */
};

/* A slot is [addr (4 or 16)] [plen] [flags] [pend u16] [nhid u32]. */
struct rtab {
	uint8_t alen;
	uint8_t stride;
	uint32_t mask;
	uint32_t count;
	uint8_t *slots;
};

struct rent {
	uint8_t addr[16];
	uint8_t plen;
	uint8_t flags;
	uint16_t pend; /* messages queued or in flight for it */
	uint32_t nhid;
};

/* ---- nexthop objects ---- */

struct nhkey {
	uint8_t family;
	uint8_t gw_family;
	uint8_t onlink;
	uint8_t blackhole;
	int32_t ifindex;
	uint8_t gw[16];
};

struct nhobj {
	struct nhobj *id_next;
	struct nhobj *key_next;
	uint32_t id;
	uint32_t refs;
	uint32_t hash;
	bool group;
	bool failed;
	struct nhkey key; /* single nexthop */
	unsigned n;	  /* group: members, sorted */
	uint32_t members[];
};

struct nhtab {
	struct nhobj **by_id;
	struct nhobj **by_key;
	uint32_t nbuckets;
	uint32_t count;
};

struct rcache {
	struct ipaddr gw;
	struct fib_nh nh;
	int rc;
	ev_tstamp at;
};

struct fib {
	struct ev_loop *loop;
	struct fib_conf conf;
	struct nl_sock *sk;   /* batched writes, answers read from the loop */
	struct nl_sock *sync; /* dumps and lookups */
	ev_io io;
	ev_prepare prep;

	struct nlbuf out;
	size_t last_off; /* the batch's last message */
	unsigned batch_msgs;
	uint32_t seq_next; /* next message's sequence number */
	uint32_t seq_sent; /* last one sent */
	uint32_t seq_done; /* last one completed */
	struct rec *ring;

	struct rtab rt4, rt6;
	struct nhtab nht;
	uint32_t id_next;
	uint32_t *free_ids;
	size_t n_free, cap_free;

	struct fib_stats st;
	bool closing; /* fib_shutdown walks the route tables */
	ev_tstamp log_window;
	unsigned log_count, log_suppressed;
	struct rcache rcache[FIB_RCACHE];
	unsigned n_rcache;
};

/* ==== route table ==== */

static void rt_init(struct rtab *t, uint8_t alen)
{
	memset(t, 0, sizeof(*t));
	t->alen = alen;
	t->stride = alen + 8;
}

static uint8_t *rt_slot(const struct rtab *t, uint32_t i)
{
	return t->slots + (size_t)i * t->stride;
}

static void rt_load(const struct rtab *t, uint32_t i, struct rent *e)
{
	const uint8_t *s = rt_slot(t, i);

	memset(e, 0, sizeof(*e));
	memcpy(e->addr, s, t->alen);
	e->plen = s[t->alen];
	e->flags = s[t->alen + 1];
	memcpy(&e->pend, s + t->alen + 2, 2);
	memcpy(&e->nhid, s + t->alen + 4, 4);
}

static void rt_store(struct rtab *t, uint32_t i, const struct rent *e)
{
	uint8_t *s = rt_slot(t, i);

	memcpy(s, e->addr, t->alen);
	s[t->alen] = e->plen;
	s[t->alen + 1] = e->flags;
	memcpy(s + t->alen + 2, &e->pend, 2);
	memcpy(s + t->alen + 4, &e->nhid, 4);
}

static bool rt_used(const struct rtab *t, uint32_t i)
{
	return rt_slot(t, i)[t->alen + 1] & RT_USED;
}

static bool rt_match(const struct rtab *t, uint32_t i, const uint8_t *addr, uint8_t plen)
{
	const uint8_t *s = rt_slot(t, i);

	return s[t->alen] == plen && memcmp(s, addr, t->alen) == 0;
}

static uint32_t rt_home(const struct rtab *t, const uint8_t *addr, uint8_t plen)
{
	return hash_words(addr, t->alen, plen) & t->mask;
}

#define RT_NONE UINT32_MAX

static uint32_t rt_find(const struct rtab *t, const uint8_t *addr, uint8_t plen)
{
	uint32_t i;

	if (!t->slots)
		return RT_NONE;
	for (i = rt_home(t, addr, plen); rt_used(t, i); i = (i + 1) & t->mask)
		if (rt_match(t, i, addr, plen))
			return i;
	return RT_NONE;
}

/* Places a slot's bytes at its first free position (no duplicates there). */
static void rt_place(struct rtab *t, const uint8_t *slot)
{
	uint32_t i = rt_home(t, slot, slot[t->alen]);

	while (rt_used(t, i))
		i = (i + 1) & t->mask;
	memcpy(rt_slot(t, i), slot, t->stride);
}

/* Load stays under 3/4 so that linear probing keeps short runs. */
static void rt_grow(struct rtab *t)
{
	uint32_t old_n = t->slots ? t->mask + 1 : 0;
	uint32_t n = old_n ? old_n * 2 : 1024;
	uint8_t *old = t->slots;

	t->slots = calloc(n, t->stride);
	if (!t->slots)
		abort();
	t->mask = n - 1;
	for (uint32_t i = 0; i < old_n; i++)
		if (old[(size_t)i * t->stride + t->alen + 1] & RT_USED)
			rt_place(t, old + (size_t)i * t->stride);
	free(old);
}

/* The entry for addr/plen, created (flags RT_USED, nothing else) if absent. */
static uint32_t rt_find_or_insert(struct rtab *t, const uint8_t *addr, uint8_t plen)
{
	struct rent e = { .plen = plen, .flags = RT_USED };
	uint32_t i;

	if (!t->slots || (t->count + 1) * 4 > (t->mask + 1) * 3)
		rt_grow(t);
	for (i = rt_home(t, addr, plen); rt_used(t, i); i = (i + 1) & t->mask)
		if (rt_match(t, i, addr, plen))
			return i;
	memcpy(e.addr, addr, t->alen);
	rt_store(t, i, &e);
	t->count++;
	return i;
}

/* Backward-shift deletion: no tombstones, so lookups stay short. */
static void rt_remove(struct rtab *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint8_t *s;
		uint32_t home;

		j = (j + 1) & t->mask;
		if (!rt_used(t, j))
			break;
		s = rt_slot(t, j);
		home = rt_home(t, s, s[t->alen]);
		if (hash_probe_may_fill(home, i, j, t->mask)) {
			memcpy(rt_slot(t, i), s, t->stride);
			i = j;
		}
	}
	memset(rt_slot(t, i), 0, t->stride);
	t->count--;
}

static struct rtab *rt_table(struct fib *f, uint8_t family)
{
	return family == AF_INET ? &f->rt4 : &f->rt6;
}

/* ==== message queue ==== */

static uint32_t fib_inflight(const struct fib *f)
{
	return f->seq_sent - f->seq_done;
}

static uint32_t fib_queued(const struct fib *f)
{
	return f->seq_next - 1 - f->seq_sent;
}

static struct rec *rec_at(struct fib *f, uint32_t seq)
{
	return &f->ring[seq & (FIB_RING - 1)];
}

static void fib_send(struct fib *f);

/* Starts a message; the caller appends attributes at *off and fills the record. */
static struct rec *fib_queue(struct fib *f, uint16_t type, uint16_t flags, const void *hdr,
			     size_t hdrlen, size_t *off)
{
	struct rec *r;

	if (f->batch_msgs >= FIB_BATCH_MSGS || f->out.len + 256 > FIB_BATCH_BYTES)
		fib_send(f);
	*off = nlbuf_msg(&f->out, type, NLM_F_REQUEST | flags, f->seq_next, hdr, hdrlen);
	f->last_off = *off;
	f->batch_msgs++;
	r = rec_at(f, f->seq_next);
	memset(r, 0, sizeof(*r));
	f->seq_next++;
	if (!ev_is_active(&f->prep))
		ev_prepare_start(f->loop, &f->prep);
	return r;
}

/* ---- completion: what an answer means for each kind of message ---- */

static bool err_is_gone(int err)
{
	return err == -ESRCH || err == -ENOENT;
}

static void route_done(struct fib *f, const struct rec *r)
{
	struct rtab *t = rt_table(f, r->p.family);
	uint32_t i = rt_find(t, r->p.bytes, r->p.len);
	struct rent e;

	if (i == RT_NONE)
		return; /* cannot happen: pend keeps the entry */
	rt_load(t, i, &e);
	e.pend--;
	if (r->op == REC_ROUTE_SET && !r->err) {
		if (!(e.flags & RT_KERNEL))
			f->st.installed++;
		e.flags |= RT_KERNEL;
		if (e.nhid == r->id)
			e.flags &= ~RT_FAILED;
	} else if (r->op == REC_ROUTE_SET) {
		f->st.failed++;
		if (e.nhid == r->id)
			e.flags |= RT_FAILED;
	} else if (!r->err || err_is_gone(r->err)) {
		if (e.flags & RT_KERNEL)
			f->st.installed--;
		e.flags &= ~RT_KERNEL;
	} else {
		f->st.failed++;
	}
	if (!e.pend && !(e.flags & (RT_WANT | RT_KERNEL)) && !f->closing)
		rt_remove(t, i);
	else
		rt_store(t, i, &e);
}

static struct nhobj *nh_by_id(const struct fib *f, uint32_t id);

static void nh_add_done(struct fib *f, const struct rec *r)
{
	struct nhobj *o;

	if (!r->err)
		return;
	f->st.nh_failed++;
	o = nh_by_id(f, r->id);
	if (o)
		o->failed = true;
}

static void nh_del_done(struct fib *f, const struct rec *r)
{
	if (r->err && !err_is_gone(r->err))
		f->st.nh_failed++;
}

static void sweep_done(struct fib *f, const struct rec *r)
{
	if (!r->err)
		f->st.swept++;
}

typedef void (*rec_done_fn)(struct fib *f, const struct rec *r);

static const rec_done_fn rec_done[REC_OPS] = {
	[REC_ROUTE_SET] = route_done, [REC_ROUTE_DEL] = route_done,   [REC_NH_ADD] = nh_add_done,
	[REC_NH_DEL] = nh_del_done,   [REC_SWEEP_ROUTE] = sweep_done, [REC_SWEEP_NH] = sweep_done,
};

static const char *const rec_names[REC_OPS] = {
	[REC_ROUTE_SET] = "route-set",	   [REC_ROUTE_DEL] = "route-del",
	[REC_NH_ADD] = "nh-add",	   [REC_NH_DEL] = "nh-del",
	[REC_SWEEP_ROUTE] = "sweep-route", [REC_SWEEP_NH] = "sweep-nh",
};

static bool rec_benign(const struct rec *r)
{
	bool is_del = r->op == REC_ROUTE_DEL || r->op == REC_NH_DEL || r->op == REC_SWEEP_ROUTE ||
		      r->op == REC_SWEEP_NH;

	/* Deleting what is already gone (a link went down and took it) is fine. */
	return is_del && err_is_gone(r->err);
}

static bool rec_is_route(const struct rec *r)
{
	return r->op == REC_ROUTE_SET || r->op == REC_ROUTE_DEL || r->op == REC_SWEEP_ROUTE;
}

/*
 * A dead nexthop can fail a million routes at once: past FIB_LOG_BURST lines
 * a second the rest are counted, and the count is logged (never silent).
 */
static void log_suppressed(struct fib *f)
{
	if (f->log_suppressed)
		log_err("fib-error",
			"suppressed=%u reason=\"more failures than logged, see counters\"",
			f->log_suppressed);
	f->log_suppressed = 0;
}

static bool log_allowed(struct fib *f)
{
	ev_tstamp now = ev_time();

	if (now - f->log_window >= 1.0) {
		log_suppressed(f);
		f->log_window = now;
		f->log_count = 0;
	}
	if (f->log_count < FIB_LOG_BURST) {
		f->log_count++;
		return true;
	}
	f->log_suppressed++;
	return false;
}

static void rec_log_error(struct fib *f, const struct rec *r, const char *reason)
{
	char pfx[ADDR_STRLEN];

	if (rec_benign(r) || !log_allowed(f))
		return;
	if (rec_is_route(r))
		log_err("fib-error", "prefix=%s nhid=%u op=%s error=\"%s\" reason=\"%s\"",
			prefix_fmt(&r->p, pfx, sizeof(pfx)), r->id, rec_names[r->op],
			strerror(-r->err), reason ? reason : "");
	else
		log_err("fib-error", "nhid=%u op=%s error=\"%s\" reason=\"%s\"", r->id,
			rec_names[r->op], strerror(-r->err), reason ? reason : "");
}

static void fib_complete_upto(struct fib *f, uint32_t seq)
{
	while (f->seq_done != seq) {
		struct rec *r;

		f->seq_done++;
		r = rec_at(f, f->seq_done);
		rec_done[r->op](f, r);
	}
}

/* Every in-flight message ends with err (the socket lost the answers). */
static void fib_fail_inflight(struct fib *f, int err)
{
	for (uint32_t s = f->seq_done + 1; s != f->seq_sent + 1; s++) {
		struct rec *r = rec_at(f, s);

		if (!r->err) {
			r->err = err;
			rec_log_error(f, r, "answer lost");
		}
	}
	fib_complete_upto(f, f->seq_sent);
}

static bool seq_inflight(const struct fib *f, uint32_t seq)
{
	return seq - f->seq_done - 1 < fib_inflight(f);
}

static void fib_take(struct fib *f, const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e;
	struct rec *r;

	if (nh->nlmsg_type != NLMSG_ERROR || !seq_inflight(f, nh->nlmsg_seq))
		return;
	e = NLMSG_DATA(nh);
	r = rec_at(f, nh->nlmsg_seq);
	if (e->error) {
		r->err = e->error;
		rec_log_error(f, r, nl_err_text(nh));
	}
	if (!e->error || r->acked)
		fib_complete_upto(f, nh->nlmsg_seq);
}

/* Reads every answer there is; returns how many datagrams it read or -errno. */
static int fib_read_some(struct fib *f)
{
	static uint8_t buf[65536];
	int fd = nl_fd(f->sk);
	int got = 0;

	while (fib_inflight(f)) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nh;
		int left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		left = (int)n;
		for (nh = (void *)buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left))
			fib_take(f, nh);
		got++;
	}
	return got;
}

static void fib_io_update(struct fib *f)
{
	if (fib_inflight(f) && !ev_is_active(&f->io))
		ev_io_start(f->loop, &f->io);
	else if (!fib_inflight(f) && ev_is_active(&f->io))
		ev_io_stop(f->loop, &f->io);
}

/* Reads answers; with wait, blocks until at least one arrives. */
static void fib_read(struct fib *f, bool wait)
{
	int rc = fib_read_some(f);

	if (rc == -ENOBUFS) {
		log_err("fib-error", "error=\"%s\" inflight=%u", strerror(ENOBUFS),
			fib_inflight(f));
		fib_fail_inflight(f, -ENOBUFS);
	} else if (rc == 0 && wait && fib_inflight(f)) {
		struct pollfd p = { .fd = nl_fd(f->sk), .events = POLLIN };

		if (poll(&p, 1, FIB_WAIT_MS) == 0) {
			log_err("fib-error", "error=\"no answer from the kernel\" inflight=%u",
				fib_inflight(f));
			fib_fail_inflight(f, -ETIMEDOUT);
		}
	}
	/* everything answered: the burst is over, say what it hid */
	if (!fib_inflight(f))
		log_suppressed(f);
	fib_io_update(f);
}

static void fib_send(struct fib *f)
{
	uint32_t n = fib_queued(f);
	ssize_t rc;

	if (!n)
		return;
	/* The kernel answers during sendmsg: make room for the answers first. */
	while (fib_inflight(f) + n > FIB_WINDOW)
		fib_read(f, true);
	nlbuf_at(&f->out, f->last_off)->nlmsg_flags |= NLM_F_ACK;
	rec_at(f, f->seq_next - 1)->acked = true;
	errno = 0;
	rc = nl_sendto(f->sk, f->out.data, f->out.len);
	f->seq_sent = f->seq_next - 1;
	nlbuf_reset(&f->out);
	f->batch_msgs = 0;
	if (rc < 0) {
		log_err("fib-error", "error=\"sendmsg: %s\" messages=%u",
			strerror(errno ? errno : EIO), n);
		fib_fail_inflight(f, errno ? -errno : -EIO);
	}
	fib_io_update(f);
}

void fib_flush(struct fib *f)
{
	fib_send(f);
	if (ev_is_active(&f->prep))
		ev_prepare_stop(f->loop, &f->prep);
}

void fib_drain(struct fib *f)
{
	fib_flush(f);
	while (fib_inflight(f))
		fib_read(f, true);
	log_suppressed(f);
}

static void fib_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct fib *f = (struct fib *)((char *)w - offsetof(struct fib, prep));

	fib_flush(f);
}

static void fib_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fib *f = (struct fib *)((char *)w - offsetof(struct fib, io));

	fib_read(f, false);
}

/* ==== messages ==== */

static uint8_t rt_table_byte(uint32_t table)
{
	return table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
}

static void route_attrs(struct fib *f, size_t off, const struct prefix *p, uint32_t metric)
{
	struct ipaddr dst = { .family = p->family };

	memcpy(dst.bytes, p->bytes, sizeof(dst.bytes));
	nlbuf_addr(&f->out, off, RTA_DST, &dst);
	nlbuf_u32(&f->out, off, RTA_PRIORITY, metric);
	nlbuf_u32(&f->out, off, RTA_TABLE, f->conf.table);
}

static void msg_route_set(struct fib *f, const struct prefix *p, uint32_t id)
{
	struct rtmsg rtm = {
		.rtm_family = p->family,
		.rtm_dst_len = p->len,
		.rtm_table = rt_table_byte(f->conf.table),
		.rtm_protocol = f->conf.protocol,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	size_t off;
	struct rec *r =
		fib_queue(f, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rtm, sizeof(rtm), &off);

	route_attrs(f, off, p, f->conf.metric);
	nlbuf_u32(&f->out, off, RTA_NH_ID, id);
	r->op = REC_ROUTE_SET;
	r->p = *p;
	r->id = id;
}

/* Matches on table, protocol, prefix and metric only (any scope, type, nexthop). */
static void msg_route_del(struct fib *f, const struct prefix *p, uint32_t metric, uint8_t op)
{
	struct rtmsg rtm = {
		.rtm_family = p->family,
		.rtm_dst_len = p->len,
		.rtm_table = rt_table_byte(f->conf.table),
		.rtm_protocol = f->conf.protocol,
		.rtm_scope = RT_SCOPE_NOWHERE,
	};
	size_t off;
	struct rec *r = fib_queue(f, RTM_DELROUTE, 0, &rtm, sizeof(rtm), &off);

	route_attrs(f, off, p, metric);
	r->op = op;
	r->p = *p;
}

static void msg_nh_add(struct fib *f, const struct nhobj *o)
{
	struct nhmsg nhm = {
		.nh_family = o->group ? AF_UNSPEC : o->key.family,
		.nh_protocol = f->conf.protocol,
		.nh_flags = o->key.onlink ? RTNH_F_ONLINK : 0,
	};
	size_t off;
	struct rec *r =
		fib_queue(f, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL, &nhm, sizeof(nhm), &off);

	nlbuf_u32(&f->out, off, NHA_ID, o->id);
	if (o->group) {
		struct nexthop_grp g[FIB_GROUP_MAX];

		/* weight 0 on the wire means 1: plain ECMP */
		memset(g, 0, sizeof(g));
		for (unsigned i = 0; i < o->n; i++)
			g[i].id = o->members[i];
		nlbuf_attr(&f->out, off, NHA_GROUP, g, o->n * sizeof(g[0]));
	} else if (o->key.blackhole) {
		nlbuf_attr(&f->out, off, NHA_BLACKHOLE, NULL, 0);
	} else {
		struct ipaddr gw = { .family = o->key.gw_family };

		memcpy(gw.bytes, o->key.gw, sizeof(gw.bytes));
		nlbuf_u32(&f->out, off, NHA_OIF, (uint32_t)o->key.ifindex);
		nlbuf_addr(&f->out, off, NHA_GATEWAY, &gw);
	}
	r->op = REC_NH_ADD;
	r->id = o->id;
}

static void msg_nh_del(struct fib *f, uint32_t id, uint8_t op)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	size_t off;
	struct rec *r = fib_queue(f, RTM_DELNEXTHOP, 0, &nhm, sizeof(nhm), &off);

	nlbuf_u32(&f->out, off, NHA_ID, id);
	r->op = op;
	r->id = id;
}

/* ==== nexthop objects ==== */

static uint32_t nh_key_hash(const struct nhkey *k)
{
	return hash_words(k, sizeof(*k), 0x6b);
}

static uint32_t nh_group_hash(const uint32_t *ids, unsigned n)
{
	return hash_words(ids, n * 4, (uint8_t)n);
}

static struct nhobj *nh_by_id(const struct fib *f, uint32_t id)
{
	struct nhobj *o;

	if (!f->nht.nbuckets)
		return NULL;
	for (o = f->nht.by_id[hash_fmix32(id) & (f->nht.nbuckets - 1)]; o; o = o->id_next)
		if (o->id == id)
			return o;
	return NULL;
}

static bool nh_same(const struct nhobj *o, const struct nhkey *k, const uint32_t *ids, unsigned n)
{
	if (k)
		return !o->group && memcmp(&o->key, k, sizeof(*k)) == 0;
	return o->group && o->n == n && memcmp(o->members, ids, n * 4) == 0;
}

static struct nhobj *nh_by_key(const struct fib *f, uint32_t hash, const struct nhkey *k,
			       const uint32_t *ids, unsigned n)
{
	struct nhobj *o;

	if (!f->nht.nbuckets)
		return NULL;
	for (o = f->nht.by_key[hash & (f->nht.nbuckets - 1)]; o; o = o->key_next)
		if (o->hash == hash && nh_same(o, k, ids, n))
			return o;
	return NULL;
}

static void nh_link(struct nhtab *t, struct nhobj *o)
{
	struct nhobj **b = &t->by_id[hash_fmix32(o->id) & (t->nbuckets - 1)];
	struct nhobj **k = &t->by_key[o->hash & (t->nbuckets - 1)];

	o->id_next = *b;
	*b = o;
	o->key_next = *k;
	*k = o;
}

static void nh_unlink_chain(struct nhobj **head, struct nhobj *o, bool by_id)
{
	for (; *head; head = by_id ? &(*head)->id_next : &(*head)->key_next) {
		if (*head == o) {
			*head = by_id ? o->id_next : o->key_next;
			return;
		}
	}
}

static void nh_grow(struct nhtab *t)
{
	uint32_t old_n = t->nbuckets;
	struct nhobj **old = t->by_id;
	struct nhobj *o, *next;

	t->nbuckets = old_n ? old_n * 2 : 64;
	t->by_id = calloc(t->nbuckets, sizeof(*t->by_id));
	free(t->by_key);
	t->by_key = calloc(t->nbuckets, sizeof(*t->by_key));
	if (!t->by_id || !t->by_key)
		abort();
	for (uint32_t i = 0; i < old_n; i++) {
		for (o = old[i]; o; o = next) {
			next = o->id_next;
			nh_link(t, o);
		}
	}
	free(old);
}

static uint32_t nh_alloc_id(struct fib *f)
{
	if (f->n_free)
		return f->free_ids[--f->n_free];
	if (f->id_next >= FIB_NH_ID_SPAN)
		return 0;
	return f->conf.nh_id_base + f->id_next++;
}

static void nh_release_id(struct fib *f, uint32_t id)
{
	if (f->n_free == f->cap_free) {
		f->cap_free = f->cap_free ? f->cap_free * 2 : 64;
		f->free_ids = realloc(f->free_ids, f->cap_free * sizeof(*f->free_ids));
		if (!f->free_ids)
			abort();
	}
	f->free_ids[f->n_free++] = id;
}

static struct nhobj *nh_create(struct fib *f, uint32_t hash, unsigned n)
{
	struct nhobj *o = calloc(1, sizeof(*o) + n * sizeof(uint32_t));

	if (!o)
		abort();
	o->id = nh_alloc_id(f);
	if (!o->id) {
		log_err("fib-error", "error=\"nexthop ids exhausted\"");
		free(o);
		return NULL;
	}
	o->refs = 1;
	o->hash = hash;
	if (f->nht.count + 1 > f->nht.nbuckets)
		nh_grow(&f->nht);
	nh_link(&f->nht, o);
	f->nht.count++;
	return o;
}

/* A failed object is written again when someone asks for it again. */
static void nh_retry(struct fib *f, struct nhobj *o)
{
	if (!o->failed)
		return;
	o->failed = false;
	for (unsigned i = 0; o->group && i < o->n; i++)
		nh_retry(f, nh_by_id(f, o->members[i]));
	msg_nh_add(f, o);
}

static bool nh_key_make(const struct fib_nh *nh, struct nhkey *k)
{
	memset(k, 0, sizeof(*k));
	if (nh->blackhole) {
		k->blackhole = 1;
		k->family = nh->family;
		return (nh->family == AF_INET || nh->family == AF_INET6) && !nh->onlink;
	}
	if (nh->gw.family != AF_INET && nh->gw.family != AF_INET6)
		return false;
	if ((nh->family && nh->family != nh->gw.family) || nh->ifindex <= 0)
		return false;
	k->family = nh->gw.family;
	k->gw_family = nh->gw.family;
	k->onlink = nh->onlink;
	k->ifindex = nh->ifindex;
	memcpy(k->gw, nh->gw.bytes, nh->gw.family == AF_INET ? 4 : 16);
	return true;
}

uint32_t fib_nh_get(struct fib *f, const struct fib_nh *nh)
{
	struct nhkey k;
	struct nhobj *o;
	uint32_t hash;
	char gw[ADDR_STRLEN];

	if (!nh_key_make(nh, &k)) {
		log_warn("fib-invalid", "what=nexthop gw=%s ifindex=%d blackhole=%d",
			 ipaddr_fmt(&nh->gw, gw, sizeof(gw)), nh->ifindex, nh->blackhole);
		return 0;
	}
	hash = nh_key_hash(&k);
	o = nh_by_key(f, hash, &k, NULL, 0);
	if (o) {
		o->refs++;
		nh_retry(f, o);
		return o->id;
	}
	o = nh_create(f, hash, 0);
	if (!o)
		return 0;
	o->key = k;
	f->st.nexthops++;
	msg_nh_add(f, o);
	return o->id;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted, without duplicates, all of them single nexthops of ours; 0 if not. */
static unsigned group_members(struct fib *f, const uint32_t *ids, unsigned n, uint32_t *out)
{
	unsigned m = 0;

	if (!n || n > FIB_GROUP_MAX)
		return 0;
	memcpy(out, ids, n * sizeof(*ids));
	qsort(out, n, sizeof(*out), cmp_u32);
	for (unsigned i = 0; i < n; i++) {
		struct nhobj *o = nh_by_id(f, out[i]);

		if (!o || o->group)
			return 0;
		if (!m || out[m - 1] != out[i])
			out[m++] = out[i];
	}
	return m;
}

uint32_t fib_group_get(struct fib *f, const uint32_t *ids, unsigned n)
{
	uint32_t m_ids[FIB_GROUP_MAX];
	unsigned m = group_members(f, ids, n, m_ids);
	struct nhobj *o;
	uint32_t hash;

	if (!m) {
		log_warn("fib-invalid", "what=group members=%u", n);
		return 0;
	}
	if (m == 1) {
		nh_by_id(f, m_ids[0])->refs++;
		return m_ids[0];
	}
	hash = nh_group_hash(m_ids, m);
	o = nh_by_key(f, hash, NULL, m_ids, m);
	if (o) {
		o->refs++;
		nh_retry(f, o);
		return o->id;
	}
	o = nh_create(f, hash, m);
	if (!o)
		return 0;
	o->group = true;
	o->n = m;
	memcpy(o->members, m_ids, m * sizeof(*m_ids));
	for (unsigned i = 0; i < m; i++)
		nh_by_id(f, m_ids[i])->refs++;
	f->st.groups++;
	msg_nh_add(f, o);
	return o->id;
}

static void nh_destroy(struct fib *f, struct nhobj *o)
{
	nh_unlink_chain(&f->nht.by_id[hash_fmix32(o->id) & (f->nht.nbuckets - 1)], o, true);
	nh_unlink_chain(&f->nht.by_key[o->hash & (f->nht.nbuckets - 1)], o, false);
	f->nht.count--;
	nh_release_id(f, o->id);
	if (o->group)
		f->st.groups--;
	else
		f->st.nexthops--;
	free(o);
}

static void nh_put(struct fib *f, uint32_t id)
{
	struct nhobj *o = nh_by_id(f, id);

	if (!o) {
		log_warn("fib-invalid", "what=put nhid=%u", id);
		return;
	}
	if (--o->refs)
		return;
	/* The group goes before its members, in the kernel's order too. */
	msg_nh_del(f, o->id, REC_NH_DEL);
	for (unsigned i = 0; o->group && i < o->n; i++)
		nh_put(f, o->members[i]);
	nh_destroy(f, o);
}

void fib_nh_put(struct fib *f, uint32_t id)
{
	nh_put(f, id);
}

void fib_group_put(struct fib *f, uint32_t id)
{
	nh_put(f, id);
}

/* ==== routes ==== */

static bool prefix_ok(const struct prefix *p, struct prefix *out)
{
	if (p->family != AF_INET && p->family != AF_INET6)
		return false;
	if (p->len > (p->family == AF_INET ? 32 : 128))
		return false;
	*out = *p;
	prefix_normalize(out);
	return true;
}

/*
 * A route holds one reference on the id it wants, from set to del: so the
 * objects no route uses any more go away by themselves, each after the
 * route writes that stopped using it (the kernel sees them in that order).
 */
int fib_route_set(struct fib *f, const struct prefix *p, uint32_t id)
{
	struct nhobj *o = nh_by_id(f, id);
	uint32_t i, old = 0;
	struct prefix q;
	struct rtab *t;
	struct rent e;

	if (!prefix_ok(p, &q) || !o) {
		log_warn("fib-invalid", "what=route nhid=%u", id);
		return -1;
	}
	t = rt_table(f, q.family);
	i = rt_find_or_insert(t, q.bytes, q.len);
	rt_load(t, i, &e);
	if ((e.flags & RT_WANT) && e.nhid == id && !(e.flags & RT_FAILED))
		return 0;
	if (!(e.flags & RT_WANT) || e.nhid != id) {
		o->refs++;
		old = e.flags & RT_WANT ? e.nhid : 0;
	}
	e.flags = (e.flags | RT_WANT) & ~RT_FAILED;
	e.nhid = id;
	e.pend++;
	rt_store(t, i, &e);
	msg_route_set(f, &q, id);
	if (old)
		nh_put(f, old);
	return 0;
}

enum fib_route_state fib_route_state(struct fib *f, const struct prefix *p)
{
	struct prefix q;
	struct rtab *t;
	struct rent e;
	uint32_t i;

	if (!prefix_ok(p, &q))
		return FIB_ROUTE_NONE;
	t = rt_table(f, q.family);
	i = rt_find(t, q.bytes, q.len);
	if (i == RT_NONE)
		return FIB_ROUTE_NONE;
	rt_load(t, i, &e);
	if (!(e.flags & RT_WANT))
		return FIB_ROUTE_NONE;
	if (e.flags & RT_FAILED)
		return FIB_ROUTE_FAILED;
	return e.pend || !(e.flags & RT_KERNEL) ? FIB_ROUTE_QUEUED : FIB_ROUTE_INSTALLED;
}

int fib_route_del(struct fib *f, const struct prefix *p)
{
	struct prefix q;
	struct rtab *t;
	struct rent e;
	uint32_t i, old;

	if (!prefix_ok(p, &q))
		return -1;
	t = rt_table(f, q.family);
	i = rt_find(t, q.bytes, q.len);
	if (i == RT_NONE)
		return 0;
	rt_load(t, i, &e);
	if (!(e.flags & RT_WANT))
		return 0;
	old = e.nhid;
	if (!(e.flags & RT_KERNEL) && !e.pend) {
		rt_remove(t, i); /* it never made it to the kernel */
	} else {
		e.flags &= ~(RT_WANT | RT_FAILED);
		e.nhid = 0;
		e.pend++;
		rt_store(t, i, &e);
		msg_route_del(f, &q, f->conf.metric, REC_ROUTE_DEL);
	}
	nh_put(f, old);
	return 0;
}

/* ==== sweep ==== */

struct stale {
	struct prefix p;
	uint32_t metric;
};

struct idvec {
	uint32_t *v;
	size_t n, cap;
};

struct sweep {
	struct fib *f;
	struct stale *v;
	size_t n, cap;
	struct idvec groups, singles;
};

static void sweep_push_route(struct sweep *s, const struct prefix *p, uint32_t metric)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n].p = *p;
	s->v[s->n++].metric = metric;
}

static uint32_t attr_u32(struct nlattr *at, uint32_t dflt)
{
	return at ? nla_get_u32(at) : dflt;
}

static uint32_t route_table_of(const struct rtmsg *rtm, struct nlattr **tb)
{
	return attr_u32(tb[RTA_TABLE], rtm->rtm_table);
}

static int sweep_route_cb(struct nlmsghdr *nh, void *arg)
{
	struct sweep *s = arg;
	const struct rtmsg *rtm = nlmsg_data(nh);
	struct nlattr *tb[RTA_MAX + 1];
	struct prefix p = { .family = rtm->rtm_family, .len = rtm->rtm_dst_len };
	struct ipaddr dst;

	if (nh->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(nh, sizeof(*rtm), tb, RTA_MAX, NULL))
		return 0;
	if (rtm->rtm_protocol != s->f->conf.protocol || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (route_table_of(rtm, tb) != s->f->conf.table)
		return 0;
	if (tb[RTA_DST] && nl_get_addr(tb[RTA_DST], p.family, &dst))
		memcpy(p.bytes, dst.bytes, sizeof(p.bytes));
	/* Routes we installed in this run are not stale. */
	if (rt_find(rt_table(s->f, p.family), p.bytes, p.len) != RT_NONE)
		return 0;
	sweep_push_route(s, &p, attr_u32(tb[RTA_PRIORITY], 0));
	return 0;
}

static void idvec_push(struct idvec *iv, uint32_t id)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 64;
		iv->v = realloc(iv->v, iv->cap * sizeof(*iv->v));
		if (!iv->v)
			abort();
	}
	iv->v[iv->n++] = id;
}

static int sweep_nh_cb(struct nlmsghdr *nh, void *arg)
{
	struct sweep *s = arg;
	const struct nhmsg *nhm = nlmsg_data(nh);
	struct nlattr *tb[NHA_MAX + 1];
	uint32_t id;

	if (nh->nlmsg_type != RTM_NEWNEXTHOP || nlmsg_parse(nh, sizeof(*nhm), tb, NHA_MAX, NULL))
		return 0;
	if (nhm->nh_protocol != s->f->conf.protocol || !tb[NHA_ID])
		return 0;
	id = nla_get_u32(tb[NHA_ID]);
	if (nh_by_id(s->f, id))
		return 0;
	idvec_push(tb[NHA_GROUP] ? &s->groups : &s->singles, id);
	return 0;
}

static int dump_routes(struct fib *f, uint8_t family, nl_reply_fn fn, void *arg)
{
	struct rtmsg rtm = { .rtm_family = family, .rtm_table = rt_table_byte(f->conf.table) };
	struct nlbuf b;
	char why[128];
	size_t off;
	int rc;

	nlbuf_init(&b);
	off = nlbuf_msg(&b, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, nl_next_seq(f->sync), &rtm,
			sizeof(rtm));
	nlbuf_u32(&b, off, RTA_TABLE, f->conf.table);
	rc = nl_transact(f->sync, &b, fn, arg, why, sizeof(why));
	nlbuf_free(&b);
	if (rc)
		log_err("fib-error", "op=dump-routes family=%u error=\"%s\" reason=\"%s\"", family,
			strerror(-rc), why);
	return rc;
}

static int dump_nexthops(struct fib *f, nl_reply_fn fn, void *arg)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	struct nlbuf b;
	char why[128];
	int rc;

	nlbuf_init(&b);
	nlbuf_msg(&b, RTM_GETNEXTHOP, NLM_F_REQUEST | NLM_F_DUMP, nl_next_seq(f->sync), &nhm,
		  sizeof(nhm));
	rc = nl_transact(f->sync, &b, fn, arg, why, sizeof(why));
	nlbuf_free(&b);
	if (rc)
		log_err("fib-error", "op=dump-nexthops error=\"%s\" reason=\"%s\"", strerror(-rc),
			why);
	return rc;
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Deletes in a scattered order: removing prefixes in the dump's (sorted)
 * order makes the kernel's trie rebalance over and over, about three times
 * slower for a full table than any order that jumps around.
 */
static void sweep_routes(struct fib *f, const struct sweep *s)
{
	size_t step = s->n / 2 + 1, j = 0;

	while (s->n && gcd(step, s->n) != 1)
		step++;
	for (size_t i = 0; i < s->n; i++, j = (j + step) % s->n)
		msg_route_del(f, &s->v[j].p, s->v[j].metric, REC_SWEEP_ROUTE);
}

static int sweep_once(struct fib *f)
{
	struct sweep s = { .f = f };
	int rc = dump_routes(f, AF_INET, sweep_route_cb, &s);

	if (!rc)
		rc = dump_routes(f, AF_INET6, sweep_route_cb, &s);
	if (!rc)
		rc = dump_nexthops(f, sweep_nh_cb, &s);
	/* Routes first, then groups, then the nexthops the groups held. */
	sweep_routes(f, &s);
	for (size_t i = 0; i < s.groups.n; i++)
		msg_nh_del(f, s.groups.v[i], REC_SWEEP_NH);
	for (size_t i = 0; i < s.singles.n; i++)
		msg_nh_del(f, s.singles.v[i], REC_SWEEP_NH);
	fib_drain(f);
	log_info("fib-sweep", "routes=%zu groups=%zu nexthops=%zu", s.n, s.groups.n, s.singles.n);
	free(s.v);
	free(s.groups.v);
	free(s.singles.v);
	return rc;
}

int fib_sweep(struct fib *f)
{
	uint64_t before = f->st.swept;
	int rc = -EINTR;

	/* A dump the kernel marks interrupted may have missed entries: go again. */
	for (int pass = 0; pass < 3 && rc == -EINTR; pass++)
		rc = sweep_once(f);
	return rc ? -1 : (int)(f->st.swept - before);
}

/* ==== shutdown ==== */

static void rt_forget_all(struct rtab *t)
{
	free(t->slots);
	rt_init(t, t->alen);
}

/* Queues a delete for every route the kernel may have from us. */
static void shutdown_routes(struct fib *f, struct rtab *t)
{
	struct prefix p;
	struct rent e;

	for (uint32_t i = 0; t->slots && i <= t->mask; i++) {
		if (!rt_used(t, i))
			continue;
		rt_load(t, i, &e);
		if (!(e.flags & (RT_KERNEL | RT_WANT)))
			continue;
		memset(&p, 0, sizeof(p));
		p.family = t->alen == 4 ? AF_INET : AF_INET6;
		p.len = e.plen;
		memcpy(p.bytes, e.addr, t->alen);
		e.flags &= ~(RT_WANT | RT_FAILED);
		e.pend++;
		rt_store(t, i, &e);
		msg_route_del(f, &p, f->conf.metric, REC_ROUTE_DEL);
	}
}

static void shutdown_objects(struct fib *f)
{
	size_t n = 0;
	uint32_t *ids = malloc((f->nht.count + 1) * sizeof(*ids));

	if (!ids)
		abort();
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t b = 0; b < f->nht.nbuckets; b++)
			for (struct nhobj *o = f->nht.by_id[b]; o; o = o->id_next)
				if (o->group == (pass == 0))
					ids[n++] = o->id;
	for (size_t i = 0; i < n; i++) {
		struct nhobj *o = nh_by_id(f, ids[i]);

		msg_nh_del(f, o->id, REC_NH_DEL);
		nh_destroy(f, o);
	}
	free(ids);
}

void fib_shutdown(struct fib *f)
{
	uint64_t routes;

	fib_drain(f);
	if (f->conf.keep_routes_on_exit) {
		log_info("fib-shutdown", "kept=%llu", (unsigned long long)f->st.installed);
		return;
	}
	routes = f->st.installed;
	/*
	 * Routes one by one, then groups, then nexthops. Deleting the objects
	 * alone would take the routes along, but the kernel then walks the
	 * whole table once per dying group: far slower with many groups.
	 * Answers must not move slots while we walk the table: closing keeps
	 * route_done from removing entries.
	 */
	f->closing = true;
	shutdown_routes(f, &f->rt4);
	shutdown_routes(f, &f->rt6);
	shutdown_objects(f);
	fib_drain(f);
	log_info("fib-shutdown", "routes=%llu left=%llu", (unsigned long long)routes,
		 (unsigned long long)f->st.installed);
	rt_forget_all(&f->rt4);
	rt_forget_all(&f->rt6);
	f->closing = false;
}

/* ==== next-hop resolution ==== */

struct rpath {
	bool found;
	uint8_t proto, type, dst_len;
	uint32_t metric;
	int ifindex;
	bool onlink;
	struct ipaddr gw; /* unset when directly connected */
};

static void path_gateway(struct nlattr *gw, struct nlattr *via, uint8_t family, struct rpath *rp)
{
	if (gw) {
		nl_get_addr(gw, family, &rp->gw);
	} else if (via && nla_len(via) >= (int)sizeof(struct rtvia)) {
		const struct rtvia *v = nla_data(via);

		/* RTA_VIA: an IPv4 route through an IPv6 gateway (RFC 5549) */
		memset(&rp->gw, 0, sizeof(rp->gw));
		if ((v->rtvia_family == AF_INET6 && nla_len(via) == 2 + 16) ||
		    (v->rtvia_family == AF_INET && nla_len(via) == 2 + 4)) {
			rp->gw.family = (uint8_t)v->rtvia_family;
			memcpy(rp->gw.bytes, v->rtvia_addr, nla_len(via) - 2);
		}
	}
}

/* The route's path, or its first one when it has several (ECMP). */
static void route_path(const struct rtmsg *rtm, struct nlattr **tb, struct rpath *rp)
{
	rp->ifindex = (int)attr_u32(tb[RTA_OIF], 0);
	rp->onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	path_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], rtm->rtm_family, rp);
	if (tb[RTA_MULTIPATH] && nla_len(tb[RTA_MULTIPATH]) >= (int)sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = nla_data(tb[RTA_MULTIPATH]);
		struct nlattr *ntb[RTA_MAX + 1];
		int alen = nh->rtnh_len - (int)sizeof(*nh);

		rp->ifindex = nh->rtnh_ifindex;
		rp->onlink = nh->rtnh_flags & RTNH_F_ONLINK;
		if (alen > 0 &&
		    nla_parse(ntb, RTA_MAX, (struct nlattr *)RTNH_DATA(nh), alen, NULL) == 0)
			path_gateway(ntb[RTA_GATEWAY], ntb[RTA_VIA], rtm->rtm_family, rp);
	}
}

static int lookup_cb(struct nlmsghdr *nh, void *arg)
{
	struct rpath *rp = arg;
	const struct rtmsg *rtm = nlmsg_data(nh);
	struct nlattr *tb[RTA_MAX + 1];

	if (nh->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(nh, sizeof(*rtm), tb, RTA_MAX, NULL))
		return 0;
	rp->found = true;
	rp->proto = rtm->rtm_protocol;
	rp->type = rtm->rtm_type;
	rp->dst_len = rtm->rtm_dst_len;
	route_path(rtm, tb, rp);
	return 1;
}

/* The kernel's own choice (RTM_F_FIB_MATCH: the matching route, not a cache entry). */
static int lookup_kernel(struct fib *f, const struct ipaddr *gw, struct rpath *rp)
{
	struct rtmsg rtm = {
		.rtm_family = gw->family,
		.rtm_dst_len = gw->family == AF_INET ? 32 : 128,
		.rtm_flags = RTM_F_FIB_MATCH,
	};
	struct nlbuf b;
	size_t off;
	int rc;

	nlbuf_init(&b);
	off = nlbuf_msg(&b, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, nl_next_seq(f->sync), &rtm,
			sizeof(rtm));
	nlbuf_addr(&b, off, RTA_DST, gw);
	rc = nl_transact(f->sync, &b, lookup_cb, rp, NULL, 0);
	nlbuf_free(&b);
	return rc;
}

static bool prefix_covers(const uint8_t *net, uint8_t len, const struct ipaddr *a)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(net, a->bytes, full))
		return false;
	return !rest || ((net[full] ^ a->bytes[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

struct lpm {
	struct fib *f;
	const struct ipaddr *gw;
	struct rpath best;
};

static bool lpm_better(const struct rpath *best, uint8_t len, uint32_t metric)
{
	return !best->found || len > best->dst_len ||
	       (len == best->dst_len && metric < best->metric);
}

/* Longest match among the table's routes that are not ours. */
static int lpm_cb(struct nlmsghdr *nh, void *arg)
{
	struct lpm *l = arg;
	const struct rtmsg *rtm = nlmsg_data(nh);
	struct nlattr *tb[RTA_MAX + 1];
	struct ipaddr dst = { 0 };
	uint32_t metric;

	if (nh->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(nh, sizeof(*rtm), tb, RTA_MAX, NULL))
		return 0;
	if (rtm->rtm_protocol == l->f->conf.protocol || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (tb[RTA_DST])
		nl_get_addr(tb[RTA_DST], rtm->rtm_family, &dst);
	metric = attr_u32(tb[RTA_PRIORITY], 0);
	if (!prefix_covers(dst.bytes, rtm->rtm_dst_len, l->gw) ||
	    !lpm_better(&l->best, rtm->rtm_dst_len, metric))
		return 0;
	memset(&l->best, 0, sizeof(l->best));
	l->best.found = true;
	l->best.proto = rtm->rtm_protocol;
	l->best.type = rtm->rtm_type;
	l->best.dst_len = rtm->rtm_dst_len;
	l->best.metric = metric;
	route_path(rtm, tb, &l->best);
	return 0;
}

static int resolve_uncached(struct fib *f, const struct ipaddr *gw, struct fib_nh *out)
{
	struct rpath rp = { 0 };

	if (lookup_kernel(f, gw, &rp) || !rp.found)
		return -1;
	if (rp.proto == f->conf.protocol) {
		/* Our own route covers gw: find what would carry it without us. */
		struct lpm l = { .f = f, .gw = gw };

		if (dump_routes(f, gw->family, lpm_cb, &l))
			return -1;
		rp = l.best;
	}
	if (!rp.found || rp.type != RTN_UNICAST || rp.ifindex <= 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->ifindex = rp.ifindex;
	out->gw = rp.gw.family ? rp.gw : *gw;
	out->family = out->gw.family;
	out->onlink = rp.gw.family ? rp.onlink : false;
	return 0;
}

static struct rcache *rcache_slot(struct fib *f, const struct ipaddr *gw)
{
	struct rcache *oldest = NULL;

	for (unsigned i = 0; i < f->n_rcache; i++) {
		struct rcache *c = &f->rcache[i];

		if (ipaddr_equal(&c->gw, gw))
			return c;
		if (!oldest || c->at < oldest->at)
			oldest = c;
	}
	if (f->n_rcache < FIB_RCACHE)
		return &f->rcache[f->n_rcache++];
	return oldest;
}

int fib_resolve(struct fib *f, const struct ipaddr *gw, struct fib_nh *out)
{
	ev_tstamp now = ev_now(f->loop);
	struct rcache *c;

	if ((gw->family != AF_INET && gw->family != AF_INET6) || ipaddr_is_v6_linklocal(gw))
		return -1;
	c = rcache_slot(f, gw);
	if (ipaddr_equal(&c->gw, gw) && now - c->at < FIB_RESOLVE_TTL) {
		*out = c->nh;
		return c->rc;
	}
	c->gw = *gw;
	c->at = now;
	c->rc = resolve_uncached(f, gw, &c->nh);
	if (c->rc)
		memset(&c->nh, 0, sizeof(c->nh));
	*out = c->nh;
	return c->rc;
}

void fib_resolve_flush(struct fib *f)
{
	f->n_rcache = 0;
}

/* ==== life cycle ==== */

static void fib_conf_defaults(struct fib_conf *c)
{
	if (!c->table)
		c->table = FIB_TABLE_MAIN;
	if (!c->metric)
		c->metric = FIB_METRIC_BGP;
	if (!c->protocol)
		c->protocol = FIB_PROTO_BGP;
	if (!c->nh_id_base)
		c->nh_id_base = FIB_NH_ID_BASE;
}

struct fib *fib_new(struct ev_loop *loop, const struct fib_conf *c)
{
	struct fib *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->loop = loop;
	if (c)
		f->conf = *c;
	fib_conf_defaults(&f->conf);
	f->sk = nl_open(FIB_RCVBUF, FIB_SNDBUF);
	f->sync = nl_open(0, 0);
	f->ring = calloc(FIB_RING, sizeof(*f->ring));
	if (!f->sk || !f->sync || !f->ring) {
		log_err("fib-error", "error=\"cannot open rtnetlink sockets\"");
		fib_free(f);
		return NULL;
	}
	nl_socket_set_nonblocking(f->sk);
	nlbuf_init(&f->out);
	rt_init(&f->rt4, 4);
	rt_init(&f->rt6, 16);
	f->seq_sent = f->seq_done = 1000;
	f->seq_next = f->seq_sent + 1;
	ev_io_init(&f->io, fib_io_cb, nl_fd(f->sk), EV_READ);
	ev_prepare_init(&f->prep, fib_prepare_cb);
	return f;
}

void fib_free(struct fib *f)
{
	struct nhobj *o, *next;

	if (!f)
		return;
	if (f->loop) {
		ev_io_stop(f->loop, &f->io);
		ev_prepare_stop(f->loop, &f->prep);
	}
	for (uint32_t b = 0; b < f->nht.nbuckets; b++) {
		for (o = f->nht.by_id[b]; o; o = next) {
			next = o->id_next;
			free(o);
		}
	}
	free(f->nht.by_id);
	free(f->nht.by_key);
	free(f->free_ids);
	free(f->rt4.slots);
	free(f->rt6.slots);
	free(f->ring);
	nlbuf_free(&f->out);
	nl_close(f->sk);
	nl_close(f->sync);
	free(f);
}

struct fib_stats fib_stats(const struct fib *f)
{
	struct fib_stats s = f->st;

	s.pending = fib_queued(f) + fib_inflight(f);
	return s;
}
