/*
 * Interface monitor: our own multicast socket read by an ev_io watcher
 * (rather than libnl's cache manager) so that the table is ours, without
 * libnl objects to mirror, and so that an overrun (ENOBUFS: events were
 * lost) is answered by a full resync with the right callbacks. The initial
 * table and resyncs are dumps on a second socket, taken after subscribing
 * so that no change falls between dump and events.
 */
#include "routerd/kernel/iface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/nl.h"
#include "routerd/lib/log.h"

struct iface_mon {
	struct ev_loop *loop;
	struct nl_sock *events;
	struct nl_sock *sync;
	ev_io io;
	struct iface **v;
	unsigned n, cap;
	struct iface_watcher *watchers;
};

static const char *const event_names[] = {
	[IFACE_ADDED] = "added",     [IFACE_UP] = "up",		  [IFACE_DOWN] = "down",
	[IFACE_CHANGED] = "changed", [IFACE_REMOVED] = "removed",
};

const char *iface_event_name(enum iface_event ev)
{
	return ev <= IFACE_REMOVED ? event_names[ev] : "?";
}

/* ---- watchers ---- */

static void notify_link(struct iface_mon *m, const struct iface *ifp, enum iface_event ev)
{
	struct iface_watcher *w, *next;

	/* next is read first: a callback may stop its own watcher */
	for (w = m->watchers; w; w = next) {
		next = w->next;
		if (w->link)
			w->link(w, ifp, ev);
	}
}

static void notify_addr(struct iface_mon *m, const struct iface *ifp, const struct iface_addr *a,
			bool added)
{
	struct iface_watcher *w, *next;

	for (w = m->watchers; w; w = next) {
		next = w->next;
		if (w->addr)
			w->addr(w, ifp, a, added);
	}
}

void iface_watcher_start(struct iface_mon *m, struct iface_watcher *w)
{
	w->next = m->watchers;
	m->watchers = w;
}

void iface_watcher_stop(struct iface_mon *m, struct iface_watcher *w)
{
	for (struct iface_watcher **p = &m->watchers; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			return;
		}
	}
}

/* ---- the table ---- */

static struct iface *find_index(const struct iface_mon *m, int ifindex, unsigned *pos)
{
	for (unsigned i = 0; i < m->n; i++) {
		if (m->v[i]->ifindex == ifindex) {
			if (pos)
				*pos = i;
			return m->v[i];
		}
	}
	return NULL;
}

const struct iface *iface_by_index(const struct iface_mon *m, int ifindex)
{
	return find_index(m, ifindex, NULL);
}

const struct iface *iface_by_name(const struct iface_mon *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->v[i]->name, name) == 0)
			return m->v[i];
	return NULL;
}

void iface_each(const struct iface_mon *m, void (*fn)(const struct iface *ifp, void *arg),
		void *arg)
{
	for (unsigned i = 0; i < m->n; i++)
		fn(m->v[i], arg);
}

void iface_each_addr(const struct iface *ifp,
		     void (*fn)(const struct iface *ifp, const struct iface_addr *a, void *arg),
		     void *arg)
{
	for (unsigned i = 0; i < ifp->n_addrs; i++)
		fn(ifp, &ifp->addrs[i], arg);
}

static struct iface *iface_create(struct iface_mon *m, int ifindex)
{
	struct iface *ifp = calloc(1, sizeof(*ifp));

	if (!ifp)
		abort();
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	ifp->ifindex = ifindex;
	m->v[m->n++] = ifp;
	return ifp;
}

static int addr_find(const struct iface *ifp, const struct iface_addr *a)
{
	for (unsigned i = 0; i < ifp->n_addrs; i++)
		if (ifp->addrs[i].plen == a->plen && ipaddr_equal(&ifp->addrs[i].addr, &a->addr))
			return (int)i;
	return -1;
}

static void addr_remove_at(struct iface_mon *m, struct iface *ifp, unsigned i)
{
	struct iface_addr a = ifp->addrs[i];

	ifp->addrs[i] = ifp->addrs[--ifp->n_addrs];
	notify_addr(m, ifp, &a, false);
}

static void iface_remove(struct iface_mon *m, struct iface *ifp, unsigned pos)
{
	while (ifp->n_addrs)
		addr_remove_at(m, ifp, ifp->n_addrs - 1);
	if (iface_usable(ifp))
		notify_link(m, ifp, IFACE_DOWN);
	notify_link(m, ifp, IFACE_REMOVED);
	m->v[pos] = m->v[--m->n];
	free(ifp->addrs);
	free(ifp);
}

/* ---- links ---- */

struct link_info {
	int ifindex;
	unsigned flags;
	const char *name;
	const uint8_t *mac;
	unsigned mtu;
};

static bool link_parse(struct nlmsghdr *nh, struct link_info *li)
{
	const struct ifinfomsg *ifi = nlmsg_data(nh);
	struct nlattr *tb[IFLA_MAX + 1];

	/* Bridge port messages share RTNLGRP_LINK but describe ports, not links. */
	if (ifi->ifi_family == AF_BRIDGE || nlmsg_parse(nh, sizeof(*ifi), tb, IFLA_MAX, NULL))
		return false;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME])
		li->name = nla_get_string(tb[IFLA_IFNAME]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
		li->mac = nla_data(tb[IFLA_ADDRESS]);
	if (tb[IFLA_MTU])
		li->mtu = nla_get_u32(tb[IFLA_MTU]);
	return true;
}

/* Returns true if name, MAC or MTU changed. */
static bool link_apply(struct iface *ifp, const struct link_info *li)
{
	bool changed = false;

	ifp->flags = li->flags;
	ifp->up = li->flags & IFF_UP;
	ifp->running = li->flags & IFF_RUNNING;
	if (li->name && strncmp(ifp->name, li->name, sizeof(ifp->name) - 1)) {
		strncpy(ifp->name, li->name, sizeof(ifp->name) - 1);
		changed = true;
	}
	if (li->mac && (!ifp->has_mac || memcmp(ifp->mac, li->mac, 6))) {
		memcpy(ifp->mac, li->mac, 6);
		ifp->has_mac = true;
		changed = true;
	}
	if (li->mtu && li->mtu != ifp->mtu) {
		ifp->mtu = li->mtu;
		changed = true;
	}
	return changed;
}

static void link_new(struct iface_mon *m, struct nlmsghdr *nh)
{
	struct link_info li;
	struct iface *ifp;
	bool was_usable, created = false, changed;

	if (!link_parse(nh, &li))
		return;
	ifp = find_index(m, li.ifindex, NULL);
	if (!ifp) {
		ifp = iface_create(m, li.ifindex);
		created = true;
	}
	was_usable = iface_usable(ifp);
	changed = link_apply(ifp, &li);
	ifp->seen = true;
	if (created)
		notify_link(m, ifp, IFACE_ADDED);
	else if (changed)
		notify_link(m, ifp, IFACE_CHANGED);
	if (iface_usable(ifp) != was_usable)
		notify_link(m, ifp, iface_usable(ifp) ? IFACE_UP : IFACE_DOWN);
}

static void link_del(struct iface_mon *m, struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = nlmsg_data(nh);
	struct iface *ifp;
	unsigned pos;

	if (ifi->ifi_family == AF_BRIDGE)
		return;
	ifp = find_index(m, ifi->ifi_index, &pos);
	if (ifp)
		iface_remove(m, ifp, pos);
}

/* ---- addresses ---- */

static struct iface *addr_parse(struct iface_mon *m, struct nlmsghdr *nh, struct iface_addr *a)
{
	const struct ifaddrmsg *ifa = nlmsg_data(nh);
	struct nlattr *tb[IFA_MAX + 1];
	struct nlattr *at;

	if (nlmsg_parse(nh, sizeof(*ifa), tb, IFA_MAX, NULL))
		return NULL;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return NULL;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer's on point-to-point links */
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	memset(a, 0, sizeof(*a));
	if (!nl_get_addr(at, ifa->ifa_family, &a->addr))
		return NULL;
	a->plen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	return find_index(m, (int)ifa->ifa_index, NULL);
}

static void addr_new(struct iface_mon *m, struct nlmsghdr *nh)
{
	struct iface_addr a;
	struct iface *ifp = addr_parse(m, nh, &a);

	if (!ifp || addr_find(ifp, &a) >= 0)
		return;
	if (ifp->n_addrs == ifp->cap_addrs) {
		ifp->cap_addrs = ifp->cap_addrs ? ifp->cap_addrs * 2 : 4;
		ifp->addrs = realloc(ifp->addrs, ifp->cap_addrs * sizeof(*ifp->addrs));
		if (!ifp->addrs)
			abort();
	}
	ifp->addrs[ifp->n_addrs++] = a;
	notify_addr(m, ifp, &a, true);
}

static void addr_del(struct iface_mon *m, struct nlmsghdr *nh)
{
	struct iface_addr a;
	struct iface *ifp = addr_parse(m, nh, &a);
	int i;

	if (ifp && (i = addr_find(ifp, &a)) >= 0)
		addr_remove_at(m, ifp, (unsigned)i);
}

/* ---- events and dumps ---- */

typedef void (*msg_handler)(struct iface_mon *m, struct nlmsghdr *nh);

static const msg_handler handlers[RTM_DELADDR + 1] = {
	[RTM_NEWLINK] = link_new,
	[RTM_DELLINK] = link_del,
	[RTM_NEWADDR] = addr_new,
	[RTM_DELADDR] = addr_del,
};

static msg_handler handler_of(uint16_t type)
{
	return type <= RTM_DELADDR ? handlers[type] : NULL;
}

static int dump_cb(struct nlmsghdr *nh, void *arg)
{
	msg_handler h = handler_of(nh->nlmsg_type);

	if (h)
		h(arg, nh);
	return 0;
}

static int dump(struct iface_mon *m, uint16_t type, const void *hdr, size_t hdrlen)
{
	struct nlbuf b;
	int rc;

	nlbuf_init(&b);
	nlbuf_msg(&b, type, NLM_F_REQUEST | NLM_F_DUMP, nl_next_seq(m->sync), hdr, hdrlen);
	rc = nl_transact(m->sync, &b, dump_cb, m, NULL, 0);
	nlbuf_free(&b);
	return rc;
}

/* Rebuilds the table from dumps; whatever the dumps no longer show is removed. */
static int resync(struct iface_mon *m)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	int rc;

	for (unsigned i = 0; i < m->n; i++)
		m->v[i]->seen = false;
	rc = dump(m, RTM_GETLINK, &ifi, sizeof(ifi));
	if (!rc)
		rc = dump(m, RTM_GETADDR, &ifa, sizeof(ifa));
	if (rc) {
		log_err("iface-error", "op=dump error=\"%s\"", strerror(-rc));
		return rc;
	}
	for (unsigned i = m->n; i-- > 0;)
		if (!m->v[i]->seen)
			iface_remove(m, m->v[i], i);
	return 0;
}

void iface_mon_poll(struct iface_mon *m)
{
	uint8_t buf[32768];
	int fd = nl_fd(m->events);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nh;
		int left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			log_warn("iface-resync", "reason=\"events lost\"");
			resync(m);
			continue;
		}
		if (n <= 0)
			return;
		left = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			msg_handler h = handler_of(nh->nlmsg_type);

			if (h)
				h(m, nh);
		}
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct iface_mon *m = (struct iface_mon *)((char *)w - offsetof(struct iface_mon, io));

	iface_mon_poll(m);
}

struct iface_mon *iface_mon_new(struct ev_loop *loop)
{
	struct iface_mon *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->loop = loop;
	m->events = nl_open(4 * 1024 * 1024, 0);
	m->sync = nl_open(0, 0);
	if (!m->events || !m->sync ||
	    nl_socket_add_memberships(m->events, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
				      RTNLGRP_IPV6_IFADDR, 0) < 0 ||
	    resync(m)) {
		log_err("iface-error", "error=\"cannot start the interface monitor\"");
		iface_mon_free(m);
		return NULL;
	}
	nl_socket_set_nonblocking(m->events);
	ev_io_init(&m->io, io_cb, nl_fd(m->events), EV_READ);
	ev_io_start(loop, &m->io);
	return m;
}

void iface_mon_free(struct iface_mon *m)
{
	if (!m)
		return;
	if (m->loop && ev_is_active(&m->io))
		ev_io_stop(m->loop, &m->io);
	for (unsigned i = 0; i < m->n; i++) {
		free(m->v[i]->addrs);
		free(m->v[i]);
	}
	free(m->v);
	nl_close(m->events);
	nl_close(m->sync);
	free(m);
}
