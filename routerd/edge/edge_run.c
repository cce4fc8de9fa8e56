/* The edge role at run time: conditional advertisement, anchors, sysctls. */
#include "routerd/edge/edge_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/daemon.h"
#include "routerd/kernel/fib.h"
#include "routerd/lib/log.h"
#include "routerd/rib/attr.h"

#define EVAL_PERIOD_SECS 10.0 /* sysctls and the interface toward ARS are rechecked this often */

#define run_of(w) ((struct edge_run *)((char *)(w)-offsetof(struct edge_run, eval)))

/* ---- the routes ARS sent ---- */

struct walk {
	struct edge_run *er;
	edge_route_fn fn;
	void *arg;
};

static bool from_ars(const struct edge_run *er, uint16_t peer)
{
	const struct bgp *bgp = &er->rd->bgp;

	return peer != RIB_PEER_LOCAL && peer <= bgp->n_peers && bgp->peers[peer - 1].conf.edge;
}

static int walk_entry(void *ctx, const struct rib_entry *e)
{
	struct walk *w = ctx;
	struct prefix pfx;

	rib_entry_prefix(e, &pfx);
	for (const struct rib_path *p = rib_entry_paths(e); p; p = rib_path_next(p)) {
		struct edge_route r = { &pfx, p->attrs ? p->attrs->aspath : NULL };

		if (from_ars(w->er, p->peer))
			w->fn(w->arg, &r);
	}
	return 0;
}

static void routes_foreach(void *ctx, edge_route_fn fn, void *arg)
{
	struct edge_run *er = ctx;
	struct walk w = { er, fn, arg };

	rib_walk(rde_rib(&er->rd->rde, AF_INET), walk_entry, &w);
}

void edge_run_routes(struct edge_run *er, struct edge_routes *rs)
{
	rs->foreach = routes_foreach;
	rs->ctx = er;
}

bool edge_run_nva_addr(const struct edge_run *er, struct ipaddr *out)
{
	const struct bgp *bgp = &er->rd->bgp;

	if (er->rd->conf->edge.next_hop.family) {
		*out = er->rd->conf->edge.next_hop;
		return true;
	}
	for (unsigned i = 0; i < bgp->n_peers; i++)
		if (bgp->peers[i].conf.edge && bgp->peers[i].established) {
			*out = bgp->peers[i].established->local_addr;
			return true;
		}
	return false;
}

/* ---- conditional advertisement ---- */

static void supernet_apply(struct edge_run *er, unsigned i, bool advertise)
{
	const struct prefix *sn = &er->rd->conf->edge.supernets[i];
	char ps[ADDR_STRLEN + 4];

	prefix_fmt(sn, ps, sizeof(ps));
	if (advertise)
		rde_local_set(&er->rd->rde, sn, ORIGIN_IGP, NULL, NULL);
	else
		rde_local_del(&er->rd->rde, sn);
	log_info("edge-supernet", "prefix=%s state=%s reason=\"%s\"", ps,
		 advertise ? "advertised" : "withdrawn", er->state[i].reason);
	er->advertised[i] = advertise;
}

static void decide(struct edge_run *er, bool first)
{
	const struct edge_ars_conf *c = &er->rd->conf->edge;
	struct edge_routes rs;

	edge_run_routes(er, &rs);
	for (unsigned i = 0; i < er->n && i < c->n_supernets; i++) {
		struct edge_supernet_state *st = &er->state[i];

		if (edge_supernet_state(&c->supernets[i], c->conditional, &rs, st) < 0) {
			log_err("edge-supernet", "error=\"out of memory\" effect=\"state kept\"");
			continue;
		}
		if (st->warning[0] && strcmp(st->warning, er->warned)) {
			log_warn("edge-supernet-warning", "text=\"%s\"", st->warning);
			snprintf(er->warned, sizeof(er->warned), "%s", st->warning);
		}
		if (first || st->advertise != er->advertised[i])
			supernet_apply(er, i, st->advertise);
	}
}

/* ---- sysctls ---- */

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int write_int(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fprintf(f, "%d\n", v) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

/* The interface the kernel uses toward the first ARS instance (send_redirects is per interface). */
static void resolve_ifname(struct edge_run *er)
{
	struct fib_nh nh;

	if (!er->rd->fib || fib_resolve(er->rd->fib, &er->rd->conf->edge.peers[0], &nh) < 0 ||
	    !if_indextoname((unsigned)nh.ifindex, er->ifname))
		er->ifname[0] = '\0';
}

static void check_one(struct edge_run *er, struct edge_sysctl_check *chk)
{
	edge_sysctl_eval(chk, read_int(chk->path));
	if (chk->ok || !er->rd->conf->edge.manage_sysctls)
		return;
	if (write_int(chk->path, chk->want) < 0) {
		log_err("edge-sysctl", "key=%s want=%d error=\"%s\"", chk->key, chk->want,
			strerror(errno));
		return;
	}
	log_info("edge-sysctl", "key=%s was=%d now=%d reason=manage-sysctls", chk->key, chk->have,
		 chk->want);
	edge_sysctl_eval(chk, read_int(chk->path));
}

static void check_sysctls(struct edge_run *er)
{
	er->n_sysctl = 0;
	resolve_ifname(er);
	for (int id = 0; id < EDGE_SYSCTL_COUNT; id++) {
		struct edge_sysctl_check *chk = &er->sysctl[er->n_sysctl];

		if (edge_sysctl_prepare(id, er->ifname, chk) < 0)
			continue; /* the interface is not known yet */
		check_one(er, chk);
		/* wrong from the start or wrong again: one line, not one every period */
		if (!chk->ok && !er->sysctl_warned[id])
			log_warn("edge-sysctl", "text=\"%s\"", chk->text);
		er->sysctl_warned[id] = !chk->ok;
		er->n_sysctl++;
	}
}

/* ---- events ---- */

static void eval_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct edge_run *er = run_of(w);

	decide(er, false);
	if (revents & EV_TIMER && w->repeat == EVAL_PERIOD_SECS)
		check_sysctls(er);
}

/* A best path changed: if it lies within a supernet, decide again once this batch is done. */
static void on_rib_change(void *ctx, const struct rib_entry *e, const struct rib_change *chg)
{
	struct edge_run *er = ctx;
	const struct edge_ars_conf *c = &er->rd->conf->edge;
	struct prefix pfx;

	rib_entry_prefix(e, &pfx);
	for (unsigned i = 0; i < c->n_supernets; i++)
		if (prefix_within(&pfx, &c->supernets[i]) &&
		    !prefix_equal(&pfx, &c->supernets[i])) {
			/* the RIB must not be changed from here: the timer runs after the batch */
			ev_feed_event(er->rd->loop, &er->eval, EV_CUSTOM);
			return;
		}
}

int edge_run_start(struct edge_run *er, struct routerd *rd)
{
	const struct edge_ars_conf *c = &rd->conf->edge;

	memset(er, 0, sizeof(*er));
	er->rd = rd;
	if (!rd->conf->has_edge)
		return 0;
	er->n = c->n_supernets;
	er->state = calloc(er->n ? er->n : 1, sizeof(*er->state));
	er->advertised = calloc(er->n ? er->n : 1, sizeof(*er->advertised));
	if (!er->state || !er->advertised)
		return -1;
	rde_fib_anchor(&rd->rde);
	rd->rde.watch = on_rib_change;
	rd->rde.watch_ctx = er;
	ev_timer_init(&er->eval, eval_cb, EVAL_PERIOD_SECS, EVAL_PERIOD_SECS);
	ev_timer_start(rd->loop, &er->eval);
	decide(er, true);
	check_sysctls(er);
	log_info("edge-start", "role=azure-route-server supernets=%u max-routes=%u conditional=%d",
		 er->n, c->max_routes, c->conditional);
	return 0;
}

void edge_run_reconf(struct edge_run *er)
{
	if (er->rd && er->rd->conf->has_edge && er->state)
		decide(er, false);
}

void edge_run_stop(struct edge_run *er)
{
	if (!er->rd)
		return;
	if (er->state) {
		ev_timer_stop(er->rd->loop, &er->eval);
		er->rd->rde.watch = NULL;
	}
	free(er->state);
	free(er->advertised);
	memset(er, 0, sizeof(*er));
}
