/* Unnumbered BGP: ndra's discoveries become sessions, kernel neighbors and next hops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndra/ndra.h"
#include "routerd/bgp/peer.h"
#include "routerd/bgp/unnumbered.h"
#include "routerd/kernel/neigh.h"
#include "routerd/lib/log.h"
#include "routerd/rde/rde.h"

#define REASSERT_SECS 2.0 /* how soon a deleted PERMANENT entry comes back */

#define unnum_of(w, member) ((struct unnumbered *)((char *)(w)-offsetof(struct unnumbered, member)))

static const struct ipaddr onlink_gw = { .family = AF_INET, .bytes = { 169, 254, 0, 1 } };

static struct unnum_port *port_by_name(struct unnumbered *u, const char *name)
{
	for (unsigned i = 0; i < u->n_ports; i++)
		if (!strcmp(u->ports[i].name, name))
			return &u->ports[i];
	return NULL;
}

static struct bgp_peer *slot_of(struct unnumbered *u, const struct ndra_peer *np, bool free_one)
{
	struct ipaddr lla = { .family = AF_INET6 };

	memcpy(lla.bytes, np->lla, 16);
	for (unsigned i = 0; i < u->bgp->n_peers; i++) {
		struct bgp_peer *p = &u->bgp->peers[i];
		size_t n = strlen(np->ifname);

		if (!p->conf.is_interface || strncmp(p->conf.peer, np->ifname, n) ||
		    (p->conf.peer[n] && p->conf.peer[n] != ':'))
			continue;
		if (free_one ? !p->addr.family
			     : ipaddr_equal(&p->addr, &lla) && p->scope_id == np->ifindex)
			return p;
	}
	return NULL;
}

static void sync_neighbor(struct unnumbered *u, struct unnum_port *port)
{
	const struct bgp_peer *only = NULL;

	for (unsigned i = 0; i < u->bgp->n_peers && port->n_routers == 1; i++) {
		const struct bgp_peer *p = &u->bgp->peers[i];

		if (p->addr.family && p->scope_id == port->ifindex && p->conf.is_interface)
			only = p;
	}
	if (only && u->neigh) {
		if (neigh_set_permanent(u->neigh, (int)port->ifindex, &onlink_gw, only->mac) == 0) {
			port->neigh_installed = true;
			memcpy(port->neigh_mac, only->mac, 6);
		}
	} else if (port->neigh_installed && u->neigh) {
		neigh_del(u->neigh, (int)port->ifindex, &onlink_gw);
		port->neigh_installed = false;
	}
}

/* A port's router count changed: maybe switch between 169.254.0.1 and inet6 next hops. */
static void port_changed(struct unnumbered *u, struct unnum_port *port)
{
	bool shared = port->n_routers > 1;
	bool switched = false;

	for (unsigned i = 0; i < u->bgp->n_peers; i++) {
		struct bgp_peer *p = &u->bgp->peers[i];

		if (!p->conf.is_interface || p->scope_id != port->ifindex || !p->addr.family)
			continue;
		switched |= p->unnum_shared != shared;
		p->unnum_shared = shared;
	}
	sync_neighbor(u, port);
	if (switched) {
		log_info("unnumbered-mode", "ifname=%s mode=%s routers=%u", port->name,
			 shared ? "inet6-gateway" : "169.254.0.1-onlink", port->n_routers);
		rde_fib_refresh(u->bgp->rde);
	}
}

static void on_peer_up(void *ctx, const struct ndra_peer *np, enum ndra_reason why)
{
	struct unnumbered *u = ctx;
	struct unnum_port *port = port_by_name(u, np->ifname);
	struct bgp_peer *p;
	char a[ADDR_STRLEN];

	if (!port || slot_of(u, np, false))
		return;
	p = slot_of(u, np, true);
	if (!p) {
		log_warn("unnumbered-no-slot", "ifname=%s routers=%u max=%u", np->ifname,
			 port->n_routers, BGP_UNNUMBERED_SLOTS);
		return;
	}
	p->addr.family = AF_INET6;
	memcpy(p->addr.bytes, np->lla, 16);
	p->scope_id = np->ifindex;
	memcpy(p->mac, np->mac, 6);
	p->idle_hold_secs = 1.0;
	port->ifindex = np->ifindex;
	port->n_routers++;
	log_info("unnumbered-peer-up", "peer=%s lla=%s mac=%02x:%02x:%02x:%02x:%02x:%02x",
		 p->conf.peer, ipaddr_fmt(&p->addr, a, sizeof(a)), np->mac[0], np->mac[1],
		 np->mac[2], np->mac[3], np->mac[4], np->mac[5]);
	port_changed(u, port);
	bgp_peer_start(p);
}

static void on_peer_changed(void *ctx, const struct ndra_peer *np, const uint8_t *old_mac,
			    enum ndra_reason why)
{
	struct unnumbered *u = ctx;
	struct bgp_peer *p = slot_of(u, np, false);
	struct unnum_port *port = port_by_name(u, np->ifname);

	if (!p || !port)
		return;
	memcpy(p->mac, np->mac, 6);
	log_info("unnumbered-peer-changed", "peer=%s mac=%02x:%02x:%02x:%02x:%02x:%02x",
		 p->conf.peer, np->mac[0], np->mac[1], np->mac[2], np->mac[3], np->mac[4],
		 np->mac[5]);
	sync_neighbor(u, port);
}

static void on_peer_down(void *ctx, const struct ndra_peer *np, enum ndra_reason why)
{
	struct unnumbered *u = ctx;
	struct bgp_peer *p = slot_of(u, np, false);
	struct unnum_port *port = port_by_name(u, np->ifname);

	if (!p || !port)
		return;
	log_info("unnumbered-peer-down", "peer=%s reason=%s", p->conf.peer, ndra_reason_name(why));
	/* The router is gone: close at once, withdraw its paths, free the slot. */
	ev_timer_stop(u->bgp->loop, &p->idle_hold);
	for (int d = 0; d < 2; d++)
		session_conn_close(&p->conn[d]);
	memset(&p->addr, 0, sizeof(p->addr));
	p->scope_id = 0;
	p->unnum_shared = false;
	if (port->n_routers)
		port->n_routers--;
	port_changed(u, port);
}

static void on_link(struct iface_watcher *w, const struct iface *ifp, enum iface_event ev)
{
	struct unnumbered *u = unnum_of(w, watcher);
	struct unnum_port *port = port_by_name(u, ifp->name);

	if (!port)
		return;
	/* The kernel drops the port's neighbor entries with the interface. */
	if (ev == IFACE_REMOVED)
		port->neigh_installed = false;
	/* A changed MAC of ours is told to the peers at once (ndra sends an RA). */
	if (ev == IFACE_UP || (ev == IFACE_CHANGED && iface_usable(ifp)))
		ndra_link_event(u->ndra, (unsigned)ifp->ifindex, true);
	else if (ev == IFACE_DOWN || ev == IFACE_REMOVED)
		ndra_link_event(u->ndra, (unsigned)ifp->ifindex, false);
}

static void reassert_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct unnumbered *u = unnum_of(w, reassert);

	for (unsigned i = 0; i < u->n_ports; i++)
		if (u->ports[i].neigh_installed)
			neigh_set_permanent(u->neigh, (int)u->ports[i].ifindex, &onlink_gw,
					    u->ports[i].neigh_mac);
}

static int port_add(struct unnumbered *u, const char *name, unsigned ra_interval)
{
	struct ndra_if_conf c = { .ra_interval = ra_interval };
	struct unnum_port *v;

	if (port_by_name(u, name))
		return 0;
	v = realloc(u->ports, (u->n_ports + 1) * sizeof(*v));
	if (!v)
		return -1;
	u->ports = v;
	memset(&v[u->n_ports], 0, sizeof(v[0]));
	snprintf(v[u->n_ports].name, sizeof(v[0].name), "%s", name);
	u->n_ports++;
	if (ndra_if_add(u->ndra, name, &c) < 0) {
		log_err("ndra-if-failed", "ifname=%s", name);
		return -1;
	}
	return 0;
}

static unsigned ra_interval_of(const struct routerd_conf *conf, const char *name)
{
	for (unsigned i = 0; i < conf->n_interfaces; i++)
		if (!strcmp(conf->interfaces[i].name, name))
			return conf->interfaces[i].ra_interval;
	return conf_profile_ra_interval(conf->bgp.profile);
}

static bool wanted(const struct routerd_conf *conf)
{
	for (unsigned i = 0; i < conf->bgp.n_neighbors; i++)
		if (conf->bgp.neighbors[i].is_interface)
			return true;
	return conf->n_interfaces > 0;
}

int unnumbered_start(struct unnumbered *u, struct bgp *bgp, const struct routerd_conf *conf,
		     struct iface_mon *ifm)
{
	static const struct ndra_callbacks cb = { on_peer_up, on_peer_changed, on_peer_down };

	memset(u, 0, sizeof(*u));
	u->bgp = bgp;
	if (!wanted(conf))
		return 0;
	u->ndra = ndra_new(bgp->loop, &cb, u);
	u->neigh = neigh_new();
	if (!u->ndra || !u->neigh) {
		log_err("unnumbered-failed", "reason=\"cannot open the RA socket or rtnetlink\"");
		return -1;
	}
	neigh_sweep(u->neigh);
	for (unsigned i = 0; i < conf->n_interfaces; i++)
		if (port_add(u, conf->interfaces[i].name, conf->interfaces[i].ra_interval) < 0)
			return -1;
	for (unsigned i = 0; i < conf->bgp.n_neighbors; i++) {
		const struct conf_neighbor *n = &conf->bgp.neighbors[i];

		if (n->is_interface && port_add(u, n->peer, ra_interval_of(conf, n->peer)) < 0)
			return -1;
	}
	if (ifm) {
		u->ifm = ifm;
		u->watcher.link = on_link;
		iface_watcher_start(ifm, &u->watcher);
	}
	ev_timer_init(&u->reassert, reassert_cb, REASSERT_SECS, REASSERT_SECS);
	ev_timer_start(bgp->loop, &u->reassert);
	return 0;
}

void unnumbered_stop(struct unnumbered *u)
{
	if (!u->ndra)
		return;
	ev_timer_stop(u->bgp->loop, &u->reassert);
	if (u->ifm)
		iface_watcher_stop(u->ifm, &u->watcher);
	/* A last RA with lifetime 0 tells the peers at once that we are leaving. */
	ndra_free(u->ndra);
	for (unsigned i = 0; i < u->n_ports; i++)
		if (u->ports[i].neigh_installed)
			neigh_del(u->neigh, (int)u->ports[i].ifindex, &onlink_gw);
	neigh_free(u->neigh);
	free(u->ports);
	memset(u, 0, sizeof(*u));
}
