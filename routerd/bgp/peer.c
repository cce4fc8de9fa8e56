/*
 * Peers: creation from the configuration, automatic (re)start, and what the
 * rest of the daemon sees of a session going up or down.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routerd/bgp/peer.h"
#include "routerd/lib/log.h"

#define IDLE_HOLD_FIRST 1.0 /* seconds before the first automatic restart */

#define peer_of(w, member) ((struct bgp_peer *)((char *)(w)-offsetof(struct bgp_peer, member)))

time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

bool bgp_peer_is_ibgp(const struct bgp_peer *p)
{
	if (p->remote_as)
		return p->remote_as == p->bgp->asn;
	if (p->conf.remote_as.kind == CONF_REMOTE_AS_INTERNAL)
		return true;
	return p->conf.remote_as.kind == CONF_REMOTE_AS_NUMBER &&
	       p->conf.remote_as.asn == p->bgp->asn;
}

enum bgp_state bgp_peer_state(const struct bgp_peer *p)
{
	enum bgp_state out = p->conn[BGP_CONN_OUT].state;
	enum bgp_state in = p->conn[BGP_CONN_IN].state;

	return in > out ? in : out;
}

time_t bgp_peer_uptime(const struct bgp_peer *p)
{
	if (!p->last_change)
		return 0;
	return mono_now() - p->last_change;
}

struct bgp_peer *bgp_peer_find_addr(struct bgp *bgp, const struct ipaddr *a, uint32_t scope)
{
	for (unsigned i = 0; i < bgp->n_peers; i++) {
		struct bgp_peer *p = &bgp->peers[i];

		/* A link-local address means something only together with its interface. */
		if (ipaddr_equal(&p->addr, a) &&
		    (!ipaddr_is_v6_linklocal(a) || p->scope_id == scope))
			return p;
	}
	return NULL;
}

struct bgp_peer *bgp_peer_find_name(struct bgp *bgp, const char *name)
{
	struct ipaddr a;

	for (unsigned i = 0; i < bgp->n_peers; i++)
		if (strcmp(bgp->peers[i].conf.peer, name) == 0)
			return &bgp->peers[i];
	/* Accept another spelling of the same address ("2001:DB8::2"). */
	if (ipaddr_parse(name, &a) && !ipaddr_is_v6_linklocal(&a))
		return bgp_peer_find_addr(bgp, &a, 0);
	return NULL;
}

/* Unnumbered peers start once ndra has bound a discovered router to them (unnumbered.c). */
static bool peer_can_start(const struct bgp_peer *p)
{
	return !p->conf.shutdown && !p->bgp->shutting_down && p->addr.family;
}

void bgp_peer_start(struct bgp_peer *p)
{
	struct bgp_conn *out = &p->conn[BGP_CONN_OUT];

	if (!peer_can_start(p) || out->state != BGP_ST_IDLE)
		return;
	session_event(out, p->conf.passive ? BGP_EV_START_PASSIVE : BGP_EV_START);
}

static void idle_hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	bgp_peer_start(peer_of(w, idle_hold));
}

/*
 * A connection fell back to Idle. Restart the outgoing side after a delay that
 * doubles with each failure (capped by connect-retry), unless the other
 * connection is still alive and may yet become the session.
 */
void peer_conn_idle(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_conn *other = &p->conn[!c->dir];
	double cap = p->conf.timers.connect_retry ? p->conf.timers.connect_retry : 1;

	if (other->state >= BGP_ST_OPENSENT || !peer_can_start(p))
		return;
	if (p->conn[BGP_CONN_OUT].state != BGP_ST_IDLE)
		return;
	ev_timer_stop(p->bgp->loop, &p->idle_hold);
	ev_timer_set(&p->idle_hold, p->idle_hold_secs, 0);
	ev_timer_start(p->bgp->loop, &p->idle_hold);
	p->idle_hold_secs = p->idle_hold_secs * 2 > cap ? cap : p->idle_hold_secs * 2;
}

void peer_established(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct bgp_conn *other = &p->conn[!c->dir];
	char a[ADDR_STRLEN];

	p->established = c;
	p->established_at = p->last_change = mono_now();
	p->established_count++;
	p->idle_hold_secs = IDLE_HOLD_FIRST;
	log_info("session-established",
		 "peer=%s remote-as=%u remote-id=%s dir=%s hold=%u keepalive=%u", p->conf.peer,
		 p->remote_as, router_id_fmt(p->remote_id, a, sizeof(a)),
		 c->dir == BGP_CONN_OUT ? "out" : "in", c->hold_time, c->keepalive_time);
	/* The other connection lost the race (§6.8): close it. */
	if (other->state >= BGP_ST_OPENSENT)
		session_event(other, BGP_EV_COLLISION_DUMP);
	else if (other->state != BGP_ST_IDLE)
		session_conn_close(other);
	rde_peer_up(p->bgp->rde, p);
}

void peer_session_down(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;

	if (p->established != c)
		return;
	p->established = NULL;
	p->established_at = 0;
	p->last_change = mono_now();
	p->dropped_count++;
	log_info("session-down", "peer=%s prefixes-received=%" PRIu64, p->conf.peer,
		 p->prefixes_received);
	rde_peer_down(p->bgp->rde, p);
}

static void peer_init(struct bgp *bgp, struct bgp_peer *p, const struct conf_neighbor *n,
		      unsigned slot)
{
	memset(p, 0, sizeof(*p));
	p->bgp = bgp;
	p->id = (uint16_t)(p - bgp->peers + 1);
	p->conf = *n;
	p->slot = slot;
	/* Further routers on an interface's segment show as swp1:2, swp1:3, ... */
	if (slot)
		snprintf(p->conf.peer, sizeof(p->conf.peer), "%.*s:%u", IF_NAMESIZE, n->peer,
			 slot + 1);
	p->addr = n->addr;
	p->idle_hold_secs = IDLE_HOLD_FIRST;
	session_conn_init(&p->conn[BGP_CONN_OUT], p, BGP_CONN_OUT);
	session_conn_init(&p->conn[BGP_CONN_IN], p, BGP_CONN_IN);
	ev_init(&p->idle_hold, idle_hold_cb);
	bgp_caps_local(&p->caps_sent, n->afs, n->extended_nexthop ? BGP_AF_IPV4_UNICAST : 0,
		       bgp->asn);
}

/* One peer per numbered neighbor, BGP_UNNUMBERED_SLOTS per interface neighbor. */
static unsigned peer_slots(const struct routerd_conf *conf)
{
	unsigned n = 0;

	for (unsigned i = 0; i < conf->bgp.n_neighbors; i++)
		n += conf->bgp.neighbors[i].is_interface ? BGP_UNNUMBERED_SLOTS : 1;
	return n;
}

int bgp_start(struct bgp *bgp, struct ev_loop *loop, const struct routerd_conf *conf,
	      struct rde *rde, struct fib *fib)
{
	memset(bgp, 0, sizeof(*bgp));
	bgp->loop = loop;
	bgp->asn = conf->bgp.asn;
	bgp->router_id = conf->router_id;
	bgp->port = conf->bgp.listen_port ? conf->bgp.listen_port : 179;
	bgp->listen_fd[0] = bgp->listen_fd[1] = -1;
	bgp->n_peers = peer_slots(conf);
	bgp->peers = calloc(bgp->n_peers ? bgp->n_peers : 1, sizeof(*bgp->peers));
	if (!bgp->peers)
		return -1;
	for (unsigned i = 0, k = 0; i < conf->bgp.n_neighbors; i++) {
		const struct conf_neighbor *n = &conf->bgp.neighbors[i];

		for (unsigned slot = 0; slot < (n->is_interface ? BGP_UNNUMBERED_SLOTS : 1); slot++)
			peer_init(bgp, &bgp->peers[k++], n, slot);
	}
	if (rde_init(rde, bgp, conf, fib) < 0)
		return -1;
	bgp->rde = rde;
	if (!conf->has_bgp)
		return 0;
	if (bgp_listen_start(bgp) < 0)
		return -1;
	for (unsigned i = 0; i < bgp->n_peers; i++)
		bgp_peer_start(&bgp->peers[i]);
	return 0;
}

void bgp_shutdown(struct bgp *bgp)
{
	bgp->shutting_down = true;
	bgp_listen_stop(bgp);
	for (unsigned i = 0; i < bgp->n_peers; i++) {
		struct bgp_peer *p = &bgp->peers[i];

		ev_timer_stop(bgp->loop, &p->idle_hold);
		for (int d = 0; d < 2; d++) {
			session_cease(&p->conn[d]);
			session_conn_close(&p->conn[d]);
			buf_free(&p->conn[d].rbuf);
			buf_free(&p->conn[d].wbuf);
		}
	}
	if (bgp->rde)
		rde_free(bgp->rde);
	bgp->rde = NULL;
	free(bgp->peers);
	bgp->peers = NULL;
	bgp->n_peers = 0;
}
