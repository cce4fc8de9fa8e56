/*
 * Interface and address monitor: a table of the kernel's interfaces (index,
 * name, flags, MAC, addresses) kept current from rtnetlink events
 * (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR) read from the
 * loop, and watchers told of changes (redistribute connected, unnumbered
 * sessions). No libnl type appears here.
 *
 * Watchers are caller-owned, as libev's are: embed a struct iface_watcher
 * in the object it serves and recover that object with container_of.
 */
#ifndef ROUTERD_KERNEL_IFACE_H
#define ROUTERD_KERNEL_IFACE_H

#include <ev.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "routerd/lib/addr.h"

struct iface_addr {
	struct ipaddr addr;
	uint8_t plen;
	uint8_t scope; /* RT_SCOPE_*: 253 link, 0 universe */
};

struct iface {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags; /* IFF_* as the kernel reports them */
	bool up;	/* IFF_UP: administratively up */
	bool running;	/* IFF_RUNNING: operationally up (carrier) */
	bool has_mac;
	uint8_t mac[6];
	unsigned mtu;
	/* private to iface.c */
	struct iface_addr *addrs;
	unsigned n_addrs, cap_addrs;
	bool seen;
};

/* up and running together: the interface can carry traffic. */
static inline bool iface_usable(const struct iface *ifp)
{
	return ifp->up && ifp->running;
}

enum iface_event {
	IFACE_ADDED,
	IFACE_UP,      /* became usable */
	IFACE_DOWN,    /* stopped being usable */
	IFACE_CHANGED, /* name, MAC or MTU */
	IFACE_REMOVED, /* after IFACE_DOWN and every address's removal */
};

struct iface_watcher {
	void (*link)(struct iface_watcher *w, const struct iface *ifp, enum iface_event ev);
	void (*addr)(struct iface_watcher *w, const struct iface *ifp, const struct iface_addr *a,
		     bool added);
	struct iface_watcher *next; /* private */
};

struct iface_mon;

/* Subscribes, reads the current table, then follows events. NULL on error (logged). */
struct iface_mon *iface_mon_new(struct ev_loop *loop);
void iface_mon_free(struct iface_mon *m);
/* Either callback may be NULL. Watchers see changes after they start, not the initial table. */
void iface_watcher_start(struct iface_mon *m, struct iface_watcher *w);
void iface_watcher_stop(struct iface_mon *m, struct iface_watcher *w);
/* Reads the events waiting now (the loop does this by itself). */
void iface_mon_poll(struct iface_mon *m);

const struct iface *iface_by_name(const struct iface_mon *m, const char *name);
const struct iface *iface_by_index(const struct iface_mon *m, int ifindex);
void iface_each(const struct iface_mon *m, void (*fn)(const struct iface *ifp, void *arg),
		void *arg);
void iface_each_addr(const struct iface *ifp,
		     void (*fn)(const struct iface *ifp, const struct iface_addr *a, void *arg),
		     void *arg);

const char *iface_event_name(enum iface_event ev);

#endif
