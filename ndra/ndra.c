/*
 * ndra runtime: the raw ICMPv6 socket, per-interface timers and the peer
 * table (ndra/peer_table.c); packets are built and parsed by ndra/ra.c.
 * See ndra.h for the contract and docs/ndra.md for the timer choices.
 *
 * Each interface has one timer, `tick`, that drives everything it sends
 * on its own: the fast burst after start or link-up, the periodic RA, the
 * short retries after a send the kernel refused (DAD, a dying link), and the
 * 1 s poll while the interface is down or absent. A second timer,
 * `solicit`, holds back an answer to an RS that arrives right after
 * another RA. One table-wide timer fires at the earliest peer expiry.
 */
#include "ndra/ndra.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ndra/peer_table.h"
#include "routerd/lib/log.h"

/*
 * RFC 4861 §10 allows 3 initial RAs (MAX_INITIAL_RTR_ADVERTISEMENTS) but
 * at least 3 s apart (MIN_DELAY_BETWEEN_RAS). A fabric port is a
 * point-to-point link between two routers, so we send them 0.2 s apart:
 * the goal is a session within 1 s of link-up even if one RA is lost.
 */
#define BURST_COUNT   3
#define BURST_SPACING 0.2
/* Solicited RAs go out at once (RFC 4861 §6.2.6 delays up to 0.5 s to
 * spread answers from many routers; a fabric port has one), but no more
 * than one per SOLICITED_GAP per interface so an RS flood cannot turn into
 * an RA flood. */
#define SOLICITED_GAP 0.05
/* Periodic RAs are interval x [1 - JITTER, 1]: never later than the
 * interval, so a router lifetime of 3 x interval survives two lost RAs. */
#define JITTER 0.15
/* While the interface is down or absent, look at it every second. */
#define DOWN_POLL 1.0
/* A send refused while the link looks up (see if_retry_delay()): retry
 * at this pace for FAST_RETRIES tries, then at the DOWN_POLL pace. */
#define RETRY	     0.1
#define FAST_RETRIES 50
/* One drop log line per interface per DROP_LOG_GAP; the counters count all. */
#define DROP_LOG_GAP 5.0
/* Packets read per socket wakeup, so one busy socket cannot starve the loop. */
#define RX_BATCH 64
/* Jumbo frames: an RA may be as large as the link MTU. */
#define RX_BUF 9216

struct ndra_if {
	struct ndra_if *next;
	struct ndra *nd;
	char name[IF_NAMESIZE];
	unsigned int ifindex; /* 0 while the interface does not exist */
	bool up;	      /* admin up with carrier, as last seen */
	bool joined;	      /* member of ff02::2 on ifindex */
	bool have_mac;
	uint8_t mac[6];

	unsigned int ra_interval;
	uint16_t lifetime;
	uint8_t n_prefixes;
	struct ra_prefix prefixes[RA_MAX_PREFIXES];

	unsigned int burst_left; /* fast RAs still to send */
	unsigned int retries;	 /* refused sends in a row while the link looked up */
	ev_tstamp last_ra;	 /* when our last RA went out */
	ev_timer tick;
	ev_timer solicit;

	ev_tstamp last_drop_log;
	unsigned long drops_unlogged;
	struct ndra_if_stats st; /* counters only; the rest is filled on read */
};

struct ndra {
	struct ev_loop *loop;
	struct ndra_callbacks cb;
	void *ctx;
	int fd;
	ev_io io;
	ev_timer expiry;
	struct peer_table peers;
	struct ndra_if *ifs; /* in the order added */
	uint64_t rng;
	uint8_t rx_buf[RX_BUF];
};

static const char *const reason_names[NDRA_REASON__COUNT] = {
	[NDRA_REASON_RA] = "ra",
	[NDRA_REASON_EXPIRED] = "expired",
	[NDRA_REASON_LIFETIME_ZERO] = "lifetime-zero",
	[NDRA_REASON_LINK_DOWN] = "link-down",
	[NDRA_REASON_IF_REMOVED] = "if-removed",
};

static const char *const ndra_drop_names[NDRA_DROP__COUNT] = {
	[NDRA_DROP_NO_SLLA] = "no-slla",
	[NDRA_DROP_TABLE_FULL] = "table-full",
};

/* ff02::1 all-nodes (RAs), ff02::2 all-routers (RSs), RFC 4291 §2.7.1 */
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };

static void if_tick_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void if_solicit_cb(struct ev_loop *loop, ev_timer *w, int revents);

static struct ndra_if *if_of_tick(ev_timer *w)
{
	return (struct ndra_if *)((char *)w - offsetof(struct ndra_if, tick));
}

static struct ndra_if *if_of_solicit(ev_timer *w)
{
	return (struct ndra_if *)((char *)w - offsetof(struct ndra_if, solicit));
}

const char *ndra_reason_name(enum ndra_reason r)
{
	if ((unsigned int)r >= NDRA_REASON__COUNT)
		return "unknown";
	return reason_names[r];
}

const char *ndra_drop_name(enum ndra_drop d)
{
	if ((unsigned int)d >= NDRA_DROP__COUNT)
		return "unknown";
	return ndra_drop_names[d];
}

/* ---- small helpers ---- */

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void fmt_ip6(char *out, const uint8_t *a)
{
	inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

/* xorshift64*: jitter only needs to keep routers from synchronising. */
static double rand_unit(struct ndra *nd)
{
	nd->rng ^= nd->rng >> 12;
	nd->rng ^= nd->rng << 25;
	nd->rng ^= nd->rng >> 27;
	return (double)((nd->rng * 0x2545f4914f6cdd1dull) >> 11) / (double)(1ull << 53);
}

static void rng_seed(struct ndra *nd)
{
	if (getrandom(&nd->rng, sizeof(nd->rng), GRND_NONBLOCK) != sizeof(nd->rng))
		nd->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (nd->rng == 0)
		nd->rng = 0x9e3779b97f4a7c15ull;
}

static struct ndra_if *if_by_index(const struct ndra *nd, unsigned int ifindex)
{
	struct ndra_if *ifp;

	if (ifindex == 0)
		return NULL;
	for (ifp = nd->ifs; ifp; ifp = ifp->next)
		if (ifp->ifindex == ifindex)
			return ifp;
	return NULL;
}

static struct ndra_if *if_by_name(const struct ndra *nd, const char *name)
{
	struct ndra_if *ifp;

	for (ifp = nd->ifs; ifp; ifp = ifp->next)
		if (strcmp(ifp->name, name) == 0)
			return ifp;
	return NULL;
}

static void if_schedule(struct ndra_if *ifp, ev_tstamp after)
{
	ev_timer_stop(ifp->nd->loop, &ifp->tick);
	ev_timer_set(&ifp->tick, after, 0.);
	ev_timer_start(ifp->nd->loop, &ifp->tick);
}

static ev_tstamp if_periodic_delay(struct ndra_if *ifp)
{
	return ifp->ra_interval * (1.0 - JITTER * rand_unit(ifp->nd));
}

/* ---- peer events ---- */

static void peer_of_entry(const struct ndra *nd, const struct pt_entry *e, struct ndra_peer *p)
{
	const struct ndra_if *ifp = if_by_index(nd, e->ifindex);

	memset(p, 0, sizeof(*p));
	p->ifindex = e->ifindex;
	if (ifp)
		memcpy(p->ifname, ifp->name, sizeof(p->ifname));
	memcpy(p->lla, e->lla, 16);
	memcpy(p->mac, e->mac, 6);
	p->router_lifetime = e->lifetime;
	p->expires_in = e->expires - ev_now(nd->loop);
	if (p->expires_in < 0)
		p->expires_in = 0;
}

static void log_peer(const char *event, const struct ndra_peer *p, const char *extra)
{
	char lla[INET6_ADDRSTRLEN], mac[18];

	fmt_ip6(lla, p->lla);
	fmt_mac(mac, sizeof(mac), p->mac);
	log_info(event, "ifname=%s ifindex=%u lla=%s mac=%s lifetime=%u%s", p->ifname, p->ifindex,
		 lla, mac, p->router_lifetime, extra);
}

static void emit_up(struct ndra *nd, const struct pt_entry *e)
{
	struct ndra_peer p;

	peer_of_entry(nd, e, &p);
	log_peer("ndra-peer-up", &p, "");
	if (nd->cb.peer_up)
		nd->cb.peer_up(nd->ctx, &p, NDRA_REASON_RA);
}

static void emit_changed(struct ndra *nd, const struct pt_entry *e, const uint8_t *old_mac)
{
	char extra[32], old[18];
	struct ndra_peer p;

	peer_of_entry(nd, e, &p);
	fmt_mac(old, sizeof(old), old_mac);
	snprintf(extra, sizeof(extra), " old-mac=%s", old);
	log_peer("ndra-peer-changed", &p, extra);
	if (nd->cb.peer_changed)
		nd->cb.peer_changed(nd->ctx, &p, old_mac, NDRA_REASON_RA);
}

static void emit_down(struct ndra *nd, const struct pt_entry *e, enum ndra_reason why)
{
	char extra[32];
	struct ndra_peer p;

	peer_of_entry(nd, e, &p);
	snprintf(extra, sizeof(extra), " reason=%s", ndra_reason_name(why));
	log_peer("ndra-peer-down", &p, extra);
	if (nd->cb.peer_down)
		nd->cb.peer_down(nd->ctx, &p, why);
}

static void expiry_rearm(struct ndra *nd)
{
	ev_tstamp when;

	ev_timer_stop(nd->loop, &nd->expiry);
	if (!pt_next_expiry(&nd->peers, &when))
		return;
	when -= ev_now(nd->loop);
	ev_timer_set(&nd->expiry, when > 0 ? when : 0., 0.);
	ev_timer_start(nd->loop, &nd->expiry);
}

static void expiry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ndra *nd = (struct ndra *)((char *)w - offsetof(struct ndra, expiry));
	struct pt_entry e;

	/* 1 ms of slack: the timer may fire a hair before the stored expiry. */
	while (pt_pop_expired(&nd->peers, ev_now(loop) + 0.001, &e))
		emit_down(nd, &e, NDRA_REASON_EXPIRED);
	expiry_rearm(nd);
}

static void if_flush_peers(struct ndra_if *ifp, enum ndra_reason why)
{
	struct ndra *nd = ifp->nd;
	struct pt_entry e;

	if (ifp->ifindex == 0)
		return;
	while (pt_pop_if(&nd->peers, ifp->ifindex, &e))
		emit_down(nd, &e, why);
	expiry_rearm(nd);
}

/* ---- sending ---- */

/* Sends one ICMPv6 message to group on ifp; returns 0 or an errno value. */
static int send_icmp(struct ndra_if *ifp, const uint8_t *group, const uint8_t *msg, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_scope_id = ifp->ifindex };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_name = &dst,
			     .msg_namelen = sizeof(dst),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	struct in6_pktinfo pi = { .ipi6_ifindex =
					  ifp->ifindex }; /* source :: = kernel picks the LL */
	int hops = 255; /* RFC 4861 §6.1: receivers drop anything else */
	struct cmsghdr *c;

	memset(&cbuf, 0, sizeof(cbuf));
	memcpy(&dst.sin6_addr, group, 16);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(hops));
	memcpy(CMSG_DATA(c), &hops, sizeof(hops));
	if (sendmsg(ifp->nd->fd, &mh, 0) < 0)
		return errno;
	return 0;
}

static size_t build_ra(const struct ndra_if *ifp, uint16_t lifetime, uint8_t *buf, size_t cap)
{
	struct ra_msg m;

	/* Hop limit, reachable and retrans 0 = unspecified: we only announce ourselves. */
	memset(&m, 0, sizeof(m));
	m.router_lifetime = lifetime;
	m.has_slla = ifp->have_mac;
	memcpy(m.slla, ifp->mac, sizeof(m.slla));
	m.n_prefixes = ifp->n_prefixes;
	memcpy(m.prefixes, ifp->prefixes, sizeof(m.prefixes));
	return ra_encode(buf, cap, &m);
}

static int send_ra(struct ndra_if *ifp, uint16_t lifetime)
{
	uint8_t buf[RA_MAX_LEN];
	size_t len = build_ra(ifp, lifetime, buf, sizeof(buf));
	int err;

	if (len == 0)
		return EINVAL;
	err = send_icmp(ifp, all_nodes, buf, len);
	if (err) {
		ifp->st.tx_errors++;
		return err;
	}
	ifp->st.tx_ra++;
	ifp->last_ra = ev_now(ifp->nd->loop);
	return 0;
}

static void send_rs(struct ndra_if *ifp)
{
	struct rs_msg m = { .has_slla = ifp->have_mac };
	uint8_t buf[RS_MAX_LEN];
	size_t len;

	memcpy(m.slla, ifp->mac, sizeof(m.slla));
	len = rs_encode(buf, sizeof(buf), &m);
	if (len && send_icmp(ifp, all_routers, buf, len) == 0)
		ifp->st.tx_rs++;
	else
		ifp->st.tx_errors++;
}

/* ---- interface state ---- */

static int if_ioctl(struct ndra_if *ifp, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, ifp->name, sizeof(ifp->name));
	return ioctl(ifp->nd->fd, req, ifr);
}

static bool if_running(struct ndra_if *ifp)
{
	struct ifreq ifr;

	if (if_ioctl(ifp, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	/* IFF_RUNNING is the operational state: admin up and carrier. */
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

/* Re-reads our MAC (the SLLA we advertise); returns whether it changed. */
static bool if_read_mac(struct ndra_if *ifp)
{
	char old[18], now[18];
	struct ifreq ifr;

	if (if_ioctl(ifp, SIOCGIFHWADDR, &ifr) < 0)
		return false;
	if (ifp->have_mac && memcmp(ifp->mac, ifr.ifr_hwaddr.sa_data, 6) == 0)
		return false;
	fmt_mac(old, sizeof(old), ifp->mac);
	fmt_mac(now, sizeof(now), (const uint8_t *)ifr.ifr_hwaddr.sa_data);
	if (ifp->have_mac)
		log_info("ndra-mac-changed", "ifname=%s mac=%s old-mac=%s", ifp->name, now, old);
	memcpy(ifp->mac, ifr.ifr_hwaddr.sa_data, 6);
	ifp->have_mac = true;
	return true;
}

/* Joins or leaves ff02::2 so that RSs reach us (RFC 4861 §6.2.6). */
static void if_group(struct ndra_if *ifp, bool join)
{
	struct ipv6_mreq mr = { .ipv6mr_interface = ifp->ifindex };

	if (join == ifp->joined || ifp->ifindex == 0)
		return;
	memcpy(&mr.ipv6mr_multiaddr, all_routers, 16);
	if (setsockopt(ifp->nd->fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mr,
		       sizeof(mr)) < 0 &&
	    join && errno != EADDRINUSE)
		log_warn("ndra-join-failed", "ifname=%s group=ff02::2 error=\"%s\"", ifp->name,
			 strerror(errno));
	/* A failed leave means the device is gone, and its membership with it. */
	ifp->joined = join;
}

static void if_link_up(struct ndra_if *ifp)
{
	ifp->up = true;
	ifp->burst_left = BURST_COUNT;
	ifp->retries = 0;
	log_info("ndra-link-up", "ifname=%s ifindex=%u", ifp->name, ifp->ifindex);
	if_schedule(ifp, 0.);
}

static void if_link_down(struct ndra_if *ifp, enum ndra_reason why)
{
	ifp->up = false;
	ifp->burst_left = 0;
	ev_timer_stop(ifp->nd->loop, &ifp->solicit);
	log_info("ndra-link-down", "ifname=%s ifindex=%u", ifp->name, ifp->ifindex);
	if_flush_peers(ifp, why);
	if_schedule(ifp, DOWN_POLL);
}

/* The interface appeared, vanished or was re-created under a new index. */
static void if_rebind(struct ndra_if *ifp, unsigned int ifindex)
{
	if (ifp->ifindex) {
		if (ifp->up)
			if_link_down(ifp, NDRA_REASON_IF_REMOVED);
		if_flush_peers(ifp, NDRA_REASON_IF_REMOVED);
		if_group(ifp, false);
		log_info("ndra-if-gone", "ifname=%s ifindex=%u", ifp->name, ifp->ifindex);
	}
	ifp->ifindex = ifindex;
	ifp->have_mac = false;
	if (ifindex) {
		log_info("ndra-if-bound", "ifname=%s ifindex=%u", ifp->name, ifindex);
		if_group(ifp, true);
	}
}

/*
 * Re-reads index, flags and MAC and applies what changed. Returns whether
 * the link is usable; *mac_changed (may be NULL) says whether our MAC
 * changed while the link stayed up.
 */
static bool if_refresh(struct ndra_if *ifp, bool *mac_changed)
{
	unsigned int ifindex = if_nametoindex(ifp->name);
	bool was_up, mac;

	if (ifindex != ifp->ifindex)
		if_rebind(ifp, ifindex);
	if (mac_changed)
		*mac_changed = false;
	if (ifp->ifindex == 0)
		return false;
	was_up = ifp->up;
	mac = if_read_mac(ifp);
	if (if_running(ifp)) {
		if (!was_up)
			if_link_up(ifp);
		else if (mac_changed)
			*mac_changed = mac;
		return true;
	}
	if (was_up)
		if_link_down(ifp, NDRA_REASON_LINK_DOWN);
	return false;
}

/* After a send error: transient (full queue), or is the link gone? */
static bool if_send_failed(struct ndra_if *ifp, int err)
{
	log_debug("ndra-send-failed", "ifname=%s error=\"%s\"", ifp->name, strerror(err));
	return if_refresh(ifp, NULL);
}

/*
 * The kernel refused an RA although the link looks up: the link-local
 * address is still tentative (DAD: EADDRNOTAVAIL), or the link is failing
 * and the kernel has not said so yet (linkwatch reports carrier changes
 * up to 1 s late). Look again soon, then less often.
 */
static ev_tstamp if_retry_delay(struct ndra_if *ifp, int err)
{
	if (++ifp->retries == FAST_RETRIES)
		log_warn("ndra-send-retrying",
			 "ifname=%s error=\"%s\" tries=%u note=\"retrying every %.0f s\"",
			 ifp->name, strerror(err), ifp->retries, DOWN_POLL);
	return ifp->retries < FAST_RETRIES ? RETRY : DOWN_POLL;
}

/* One step of the burst / periodic schedule; the link is up. */
static void if_advertise(struct ndra_if *ifp)
{
	int err = send_ra(ifp, ifp->lifetime);

	if (err && err != EADDRNOTAVAIL && !if_send_failed(ifp, err))
		return; /* link went down: if_link_down() scheduled the poll */
	if (err) {
		/* The burst step is not used up: it is retried. */
		if_schedule(ifp, if_retry_delay(ifp, err));
		return;
	}
	ifp->retries = 0;
	if (ifp->burst_left == 0) {
		if_schedule(ifp, if_periodic_delay(ifp));
		return;
	}
	ifp->burst_left--;
	/* Ask too while we know nobody: the answer beats the peer's own schedule. */
	if (pt_count_if(&ifp->nd->peers, ifp->ifindex) == 0)
		send_rs(ifp);
	if_schedule(ifp, ifp->burst_left ? BURST_SPACING : if_periodic_delay(ifp));
}

static void if_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ndra_if *ifp = if_of_tick(w);

	if (!if_refresh(ifp, NULL)) {
		if_schedule(ifp, DOWN_POLL);
		return;
	}
	if_advertise(ifp);
}

static void if_send_solicited(struct ndra_if *ifp)
{
	int err = send_ra(ifp, ifp->lifetime);

	/* No LL yet: the tick's retries will announce us soon enough. */
	if (err && err != EADDRNOTAVAIL)
		if_send_failed(ifp, err);
}

static void if_solicit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ndra_if *ifp = if_of_solicit(w);

	if (ifp->up)
		if_send_solicited(ifp);
}

/* An RA now, or as soon as SOLICITED_GAP allows; several requests coalesce. */
static void if_answer(struct ndra_if *ifp)
{
	ev_tstamp now = ev_now(ifp->nd->loop);
	ev_tstamp due = ifp->last_ra + SOLICITED_GAP;

	if (!ifp->up || ev_is_active(&ifp->solicit))
		return;
	if (due <= now) {
		if_send_solicited(ifp);
		return;
	}
	ev_timer_set(&ifp->solicit, due - now, 0.);
	ev_timer_start(ifp->nd->loop, &ifp->solicit);
}

/* ---- receiving ---- */

static void note_drop(struct ndra_if *ifp, const char *reason, const uint8_t *src)
{
	ev_tstamp now = ev_now(ifp->nd->loop);
	char a[INET6_ADDRSTRLEN];

	if (now - ifp->last_drop_log < DROP_LOG_GAP) {
		ifp->drops_unlogged++;
		return;
	}
	fmt_ip6(a, src);
	log_info("ndra-drop", "reason=%s ifname=%s src=%s suppressed=%lu", reason, ifp->name, a,
		 ifp->drops_unlogged);
	ifp->last_drop_log = now;
	ifp->drops_unlogged = 0;
}

static void learn(struct ndra_if *ifp, const uint8_t *lla, const struct ra_msg *m)
{
	struct ndra *nd = ifp->nd;
	uint8_t old_mac[6];
	struct pt_entry e;

	switch (pt_update(&nd->peers, ifp->ifindex, lla, m->slla, m->router_lifetime,
			  ev_now(nd->loop), &e, old_mac)) {
	case PT_NEW:
		emit_up(nd, &e);
		/* Let the newcomer learn us now rather than at our next periodic RA. */
		if_answer(ifp);
		break;
	case PT_MAC_CHANGED:
		emit_changed(nd, &e, old_mac);
		break;
	case PT_REMOVED:
		emit_down(nd, &e, NDRA_REASON_LIFETIME_ZERO);
		break;
	case PT_FULL:
		ifp->st.ndra_drops[NDRA_DROP_TABLE_FULL]++;
		note_drop(ifp, ndra_drop_name(NDRA_DROP_TABLE_FULL), lla);
		break;
	case PT_NOMEM:
		log_err("ndra-nomem", "ifname=%s what=peer", ifp->name);
		break;
	case PT_REFRESHED:
	case PT_IGNORED:
		break;
	}
	expiry_rearm(nd);
}

/*
 * A packet arrived on an interface we think is down: we may have missed
 * the link-up. Returns whether the link is up after a fresh look.
 */
static bool if_usable(struct ndra_if *ifp)
{
	return ifp->up || if_refresh(ifp, NULL);
}

static void handle_ra(struct ndra_if *ifp, const uint8_t *pkt, size_t len,
		      const struct ra_rx_meta *meta)
{
	enum ra_drop_reason r;
	struct ra_msg m;

	r = ra_decode(pkt, len, meta, &m);
	ra_drop_count(&ifp->st.drops, r);
	if (r != RA_OK) {
		note_drop(ifp, ra_drop_reason_name(r), meta->src);
		return;
	}
	if (!m.has_slla) {
		/* RFC 4861 §4.2 makes SLLA optional, but we need the MAC. */
		ifp->st.ndra_drops[NDRA_DROP_NO_SLLA]++;
		note_drop(ifp, ndra_drop_name(NDRA_DROP_NO_SLLA), meta->src);
		return;
	}
	ifp->st.rx_ra++;
	if (if_usable(ifp))
		learn(ifp, meta->src, &m);
}

static void handle_rs(struct ndra_if *ifp, const uint8_t *pkt, size_t len,
		      const struct ra_rx_meta *meta)
{
	enum ra_drop_reason r;
	struct rs_msg m;

	r = rs_decode(pkt, len, meta, &m);
	ra_drop_count(&ifp->st.drops, r);
	if (r != RA_OK) {
		note_drop(ifp, ra_drop_reason_name(r), meta->src);
		return;
	}
	ifp->st.rx_rs++;
	if (if_usable(ifp))
		if_answer(ifp);
}

/* Hop limit and arrival interface from the ancillary data. */
static void rx_meta(struct msghdr *mh, struct ra_rx_meta *meta, unsigned int *ifindex)
{
	struct in6_pktinfo pi;
	struct cmsghdr *c;

	meta->hop_limit = -1;
	*ifindex = 0;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&meta->hop_limit, CMSG_DATA(c), sizeof(int));
		if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = pi.ipi6_ifindex;
		}
	}
}

/* Reads and handles one packet; false when the socket is drained. */
static bool rx_one(struct ndra *nd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64];
	} cbuf;
	struct sockaddr_in6 src;
	struct iovec iov = { .iov_base = nd->rx_buf, .iov_len = sizeof(nd->rx_buf) };
	struct msghdr mh = { .msg_name = &src,
			     .msg_namelen = sizeof(src),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	struct ra_rx_meta meta;
	struct ndra_if *ifp;
	unsigned int ifindex;
	ssize_t n;

	n = recvmsg(nd->fd, &mh, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("ndra-recv-failed", "error=\"%s\"", strerror(errno));
		return errno == EINTR;
	}
	rx_meta(&mh, &meta, &ifindex);
	memcpy(meta.src, &src.sin6_addr, 16);
	ifp = if_by_index(nd, ifindex);
	if (!ifp)
		return true; /* an interface we do not run on */
	if (n > 0 && nd->rx_buf[0] == ICMP6_TYPE_RS)
		handle_rs(ifp, nd->rx_buf, (size_t)n, &meta);
	else
		handle_ra(ifp, nd->rx_buf, (size_t)n, &meta);
	return true;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ndra *nd = (struct ndra *)((char *)w - offsetof(struct ndra, io));
	int i;

	for (i = 0; i < RX_BATCH && rx_one(nd); i++)
		;
}

/* ---- socket ---- */

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

static int open_socket(void)
{
	struct icmp6_filter f;
	int fd, err;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0 ||
	    /* Our own RAs must not come back as a peer. */
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

struct ndra *ndra_new(struct ev_loop *loop, const struct ndra_callbacks *cb, void *ctx)
{
	struct ndra *nd = calloc(1, sizeof(*nd));

	if (!nd)
		return NULL;
	nd->fd = open_socket();
	if (nd->fd < 0) {
		int err = errno;

		free(nd);
		errno = err;
		return NULL;
	}
	nd->loop = loop;
	if (cb)
		nd->cb = *cb;
	nd->ctx = ctx;
	rng_seed(nd);
	pt_init(&nd->peers, NDRA_MAX_PEERS_PER_IF);
	ev_io_init(&nd->io, io_cb, nd->fd, EV_READ);
	ev_io_start(loop, &nd->io);
	ev_timer_init(&nd->expiry, expiry_cb, 0., 0.);
	return nd;
}

/* ---- interfaces ---- */

static int conf_check(const struct ndra_if_conf *c, unsigned int *interval, uint16_t *lifetime)
{
	unsigned int i = c->ra_interval ? c->ra_interval : NDRA_RA_INTERVAL_DEFAULT;
	unsigned int l = c->router_lifetime;
	unsigned int k;

	if (i > NDRA_RA_INTERVAL_MAX || c->n_prefixes > RA_MAX_PREFIXES)
		return -1;
	for (k = 0; k < c->n_prefixes; k++)
		if (c->prefixes[k].len > 128)
			return -1;
	if (l == 0) {
		/* RFC 4861 §6.2.1 default ratio; 3 x 1 s is also our 3 s floor. */
		l = 3 * i;
		if (l > NDRA_LIFETIME_MAX)
			l = NDRA_LIFETIME_MAX;
	} else if (l < i || l > NDRA_LIFETIME_MAX) {
		return -1; /* RFC 4861 §6.2.1: MaxRtrAdvInterval..9000 */
	}
	*interval = i;
	*lifetime = (uint16_t)l;
	return 0;
}

int ndra_if_add(struct ndra *nd, const char *ifname, const struct ndra_if_conf *conf)
{
	static const struct ndra_if_conf defaults;
	struct ndra_if *ifp, **tail;
	unsigned int interval;
	uint16_t lifetime;

	if (!conf)
		conf = &defaults;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE ||
	    conf_check(conf, &interval, &lifetime) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (if_by_name(nd, ifname)) {
		errno = EEXIST;
		return -1;
	}
	ifp = calloc(1, sizeof(*ifp));
	if (!ifp)
		return -1;
	ifp->nd = nd;
	strcpy(ifp->name, ifname);
	ifp->ra_interval = interval;
	ifp->lifetime = lifetime;
	ifp->n_prefixes = conf->n_prefixes;
	memcpy(ifp->prefixes, conf->prefixes, sizeof(ifp->prefixes));
	ifp->last_ra = -1e9;
	ifp->last_drop_log = -1e9;
	ev_timer_init(&ifp->tick, if_tick_cb, 0., 0.);
	ev_timer_init(&ifp->solicit, if_solicit_cb, 0., 0.);
	for (tail = &nd->ifs; *tail; tail = &(*tail)->next)
		;
	*tail = ifp;
	log_info("ndra-if-add", "ifname=%s ra-interval=%u router-lifetime=%u", ifname, interval,
		 lifetime);
	/* Up now: the burst starts at once. Otherwise the 1 s poll waits for it. */
	if (!if_refresh(ifp, NULL))
		if_schedule(ifp, DOWN_POLL);
	return 0;
}

/* Router lifetime 0: peers drop us now instead of at expiry (RFC 4861 §6.2.5). */
static void if_goodbye(struct ndra_if *ifp)
{
	if (ifp->ifindex && ifp->up && if_running(ifp) && send_ra(ifp, 0) == 0)
		log_info("ndra-goodbye", "ifname=%s", ifp->name);
}

static void if_release(struct ndra_if *ifp)
{
	ev_timer_stop(ifp->nd->loop, &ifp->tick);
	ev_timer_stop(ifp->nd->loop, &ifp->solicit);
	if_group(ifp, false);
	free(ifp);
}

int ndra_if_del(struct ndra *nd, const char *ifname)
{
	struct ndra_if **pp, *ifp;

	for (pp = &nd->ifs; *pp && strcmp((*pp)->name, ifname) != 0; pp = &(*pp)->next)
		;
	ifp = *pp;
	if (!ifp) {
		errno = ENOENT;
		return -1;
	}
	if_goodbye(ifp);
	ev_timer_stop(nd->loop, &ifp->tick);
	/* Still listed while its peers go down, so their events carry its name. */
	if_flush_peers(ifp, NDRA_REASON_IF_REMOVED);
	*pp = ifp->next;
	log_info("ndra-if-del", "ifname=%s", ifp->name);
	if_release(ifp);
	return 0;
}

void ndra_free(struct ndra *nd)
{
	struct ndra_if *ifp, *next;

	if (!nd)
		return;
	for (ifp = nd->ifs; ifp; ifp = next) {
		next = ifp->next;
		if_goodbye(ifp);
		if_release(ifp);
	}
	ev_io_stop(nd->loop, &nd->io);
	ev_timer_stop(nd->loop, &nd->expiry);
	pt_free(&nd->peers);
	close(nd->fd);
	free(nd);
}

void ndra_link_event(struct ndra *nd, unsigned int ifindex, bool up)
{
	char name[IF_NAMESIZE];
	struct ndra_if *ifp = if_by_index(nd, ifindex);
	bool mac_changed;

	/* A new index under a configured name: the interface was (re)created. */
	if (!ifp && if_indextoname(ifindex, name))
		ifp = if_by_name(nd, name);
	if (!ifp)
		return;
	/* The owner saw it go down: drop peers now even if it is back up
	 * already (a flap), so sessions restart cleanly. */
	if (!up && ifp->up && ifp->ifindex == ifindex)
		if_link_down(ifp, NDRA_REASON_LINK_DOWN);
	if (if_refresh(ifp, &mac_changed) && mac_changed)
		if_answer(ifp); /* advertise our new MAC now */
	else if (!ifp->up)
		if_schedule(ifp, DOWN_POLL);
}

/* ---- queries ---- */

void ndra_each_peer(const struct ndra *nd, void (*fn)(void *arg, const struct ndra_peer *p),
		    void *arg)
{
	struct ndra_peer p;
	size_t i;

	for (i = 0; i < nd->peers.n; i++) {
		peer_of_entry(nd, &nd->peers.v[i], &p);
		fn(arg, &p);
	}
}

static void fill_stats(const struct ndra_if *ifp, struct ndra_if_stats *out)
{
	*out = ifp->st;
	memcpy(out->ifname, ifp->name, sizeof(out->ifname));
	out->ifindex = ifp->ifindex;
	out->up = ifp->up;
	out->n_peers = ifp->ifindex ? (unsigned int)pt_count_if(&ifp->nd->peers, ifp->ifindex) : 0;
}

int ndra_stats(const struct ndra *nd, const char *ifname, struct ndra_if_stats *out)
{
	const struct ndra_if *ifp = if_by_name(nd, ifname);

	if (!ifp) {
		errno = ENOENT;
		return -1;
	}
	fill_stats(ifp, out);
	return 0;
}

void ndra_each_stats(const struct ndra *nd, void (*fn)(void *arg, const struct ndra_if_stats *s),
		     void *arg)
{
	struct ndra_if_stats s;
	const struct ndra_if *ifp;

	for (ifp = nd->ifs; ifp; ifp = ifp->next) {
		fill_stats(ifp, &s);
		fn(arg, &s);
	}
}
