/* Originations: `network` with import check, `redistribute connected`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/kernel/fib.h"
#include "routerd/kernel/kroute.h"
#include "routerd/lib/log.h"
#include "routerd/rde/rde.h"
#include "routerd/rde/rde_local.h"
#include "routerd/rib/attr.h"

#define RECHECK_SECS 5.0 /* how soon a network's new kernel route is noticed */

#define local_of(w, member) ((struct rde_local *)((char *)(w)-offsetof(struct rde_local, member)))

static const struct conf_af *af_conf(const struct rde_local *l, uint8_t family)
{
	return family == AF_INET6 ? &l->conf->bgp.ipv6 : &l->conf->bgp.ipv4;
}

static struct local_src *src_find(struct rde_local *l, const struct prefix *p, bool create)
{
	struct local_src *v;

	for (unsigned i = 0; i < l->n_src; i++)
		if (l->src[i].pfx.family == p->family && l->src[i].pfx.len == p->len &&
		    !memcmp(l->src[i].pfx.bytes, p->bytes, sizeof(p->bytes)))
			return &l->src[i];
	if (!create)
		return NULL;
	v = realloc(l->src, (l->n_src + 1) * sizeof(*v));
	if (!v)
		return NULL;
	l->src = v;
	memset(&v[l->n_src], 0, sizeof(v[0]));
	v[l->n_src].pfx = *p;
	return &v[l->n_src++];
}

static const struct route_map *connected_route_map(const struct conf_af *af)
{
	for (unsigned i = 0; i < af->n_redistribute; i++)
		if (!strcmp(af->redistribute[i].protocol, "connected"))
			return af->redistribute[i].route_map;
	return NULL;
}

/* Puts the RIB in line with why the prefix is originated: IGP for network, incomplete for connected. */
static void src_apply(struct rde_local *l, const struct local_src *s)
{
	char buf[ADDR_STRLEN + 4];

	const struct conf_af *af = af_conf(l, s->pfx.family);

	prefix_fmt(&s->pfx, buf, sizeof(buf));
	if (s->network)
		rde_local_set(l->rde, &s->pfx, ORIGIN_IGP, af->network_route_map, NULL);
	else if (s->connected)
		rde_local_set(l->rde, &s->pfx, ORIGIN_INCOMPLETE, connected_route_map(af),
			      s->ifname);
	else
		rde_local_del(l->rde, &s->pfx);
	log_debug("local-origination", "prefix=%s network=%d connected=%u", buf, s->network,
		  s->connected);
}

static bool redistributes_connected(const struct conf_af *af)
{
	for (unsigned i = 0; i < af->n_redistribute; i++)
		if (!strcmp(af->redistribute[i].protocol, "connected"))
			return true;
	return false;
}

/* Loopback range, link-local and host-scope addresses are never redistributed (as zebra). */
static bool connected_eligible(const struct iface_addr *a)
{
	if (a->scope != 0)
		return false;
	if (a->addr.family == AF_INET)
		return a->addr.bytes[0] != 127;
	return !ipaddr_is_v6_linklocal(&a->addr) &&
	       !(a->plen == 128 && a->addr.bytes[15] == 1 &&
		 !memcmp(a->addr.bytes, (uint8_t[15]){ 0 }, 15));
}

static void connected_change(struct rde_local *l, const struct iface *ifp,
			     const struct iface_addr *a, bool added)
{
	struct prefix p = { .family = a->addr.family, .len = a->plen };
	struct local_src *s;

	if (!connected_eligible(a) || !redistributes_connected(af_conf(l, p.family)))
		return;
	memcpy(p.bytes, a->addr.bytes, sizeof(p.bytes));
	prefix_normalize(&p);
	s = src_find(l, &p, added);
	if (!s || (!added && !s->connected))
		return;
	s->connected += added ? 1 : -1;
	if (added)
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifp->name);
	src_apply(l, s);
}

static void each_addr_added(const struct iface *ifp, const struct iface_addr *a, void *arg)
{
	connected_change(arg, ifp, a, true);
}

static void each_addr_removed(const struct iface *ifp, const struct iface_addr *a, void *arg)
{
	connected_change(arg, ifp, a, false);
}

static void on_link(struct iface_watcher *w, const struct iface *ifp, enum iface_event ev)
{
	struct rde_local *l = local_of(w, watcher);

	if (ev == IFACE_UP)
		iface_each_addr(ifp, each_addr_added, l);
	else if (ev == IFACE_DOWN)
		iface_each_addr(ifp, each_addr_removed, l);
	/* A link change may add or remove the kernel route a network waits for. */
	ev_feed_event(l->rde->loop, &l->recheck, EV_TIMER);
}

static void on_addr(struct iface_watcher *w, const struct iface *ifp, const struct iface_addr *a,
		    bool added)
{
	struct rde_local *l = local_of(w, watcher);

	if (iface_usable(ifp))
		connected_change(l, ifp, a, added);
	ev_feed_event(l->rde->loop, &l->recheck, EV_TIMER);
}

static void network_check_af(struct rde_local *l, const struct conf_af *af)
{
	for (unsigned i = 0; i < af->n_networks; i++) {
		const struct prefix *p = &af->networks[i];
		bool want = !af->network_import_check ||
			    (l->kq && kroute_exists(l->kq, p, FIB_PROTO_BGP));
		struct local_src *s = src_find(l, p, want);

		if (!s || s->network == want)
			continue;
		s->network = want;
		if (!want) {
			char buf[ADDR_STRLEN + 4];

			log_info("network-withdrawn",
				 "prefix=%s reason=\"no kernel route (import check)\"",
				 prefix_fmt(p, buf, sizeof(buf)));
		}
		src_apply(l, s);
	}
}

static void recheck_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rde_local *l = local_of(w, recheck);

	if (l->kq)
		kroute_forget(l->kq);
	network_check_af(l, &l->conf->bgp.ipv4);
	network_check_af(l, &l->conf->bgp.ipv6);
}

static void initial_connected(const struct iface *ifp, void *arg)
{
	if (iface_usable(ifp))
		iface_each_addr(ifp, each_addr_added, arg);
}

int rde_local_start(struct rde_local *l, struct rde *rde, const struct routerd_conf *conf,
		    struct iface_mon *ifm)
{
	memset(l, 0, sizeof(*l));
	l->rde = rde;
	l->conf = conf;
	l->ifm = ifm;
	rde->ifm = ifm;
	l->kq = kroute_open();
	if (!l->kq)
		log_warn("kroute-unavailable",
			 "effect=\"networks with import check stay withdrawn\"");
	ev_timer_init(&l->recheck, recheck_cb, 0, RECHECK_SECS);
	ev_timer_start(rde->loop, &l->recheck);
	if (ifm) {
		l->watcher.link = on_link;
		l->watcher.addr = on_addr;
		iface_watcher_start(ifm, &l->watcher);
		iface_each(ifm, initial_connected, l);
	}
	return 0;
}

void rde_local_reconf(struct rde_local *l, const struct routerd_conf *conf)
{
	l->conf = conf;
	/* Same prefixes (reload refuses other changes), possibly other route-maps. */
	for (unsigned i = 0; i < l->n_src; i++)
		src_apply(l, &l->src[i]);
}

void rde_local_stop(struct rde_local *l)
{
	if (!l->rde)
		return;
	ev_timer_stop(l->rde->loop, &l->recheck);
	if (l->ifm)
		iface_watcher_stop(l->ifm, &l->watcher);
	kroute_close(l->kq);
	free(l->src);
	memset(l, 0, sizeof(*l));
}
