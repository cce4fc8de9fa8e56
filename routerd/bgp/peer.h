/*
 * BGP peers and their TCP connections (the "session" side of the daemon, in
 * OpenBGPD's terms). A peer is created per configured neighbor; it owns up to
 * two connections: the one it initiates and one it accepted, which coexist
 * only until RFC 4271 §6.8 collision detection keeps one of them.
 */
#ifndef ROUTERD_BGP_PEER_H
#define ROUTERD_BGP_PEER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "routerd/bgp/fsm.h"
#include "routerd/bgp/wire.h"
#include "routerd/conf/conf.h"
#include "routerd/lib/addr.h"
#include "routerd/lib/buf.h"
#include "routerd/rde/rde.h"

struct bgp_peer;
struct bgp;

/* Sessions kept per interface neighbor: one per router found on its segment. */
#define BGP_UNNUMBERED_SLOTS 4

enum bgp_conn_dir { BGP_CONN_OUT, BGP_CONN_IN };

/* Message counters by type, indexed by enum bgp_msg_type (0 unused). */
struct bgp_msg_counters {
	uint64_t by_type[BGP_MSG_ROUTE_REFRESH + 1];
	uint64_t total;
};

struct bgp_conn {
	struct bgp_peer *peer;
	enum bgp_conn_dir dir;
	enum bgp_state state;
	int fd;		   /* -1 when there is no TCP connection */
	bool connecting;   /* non-blocking connect() in progress */
	bool write_failed; /* reported to the FSM from the loop, not mid-action */
	ev_io io_read;
	ev_io io_write;
	ev_timer connect_retry; /* outgoing connection only */
	ev_timer hold;
	ev_timer keepalive;
	struct buf rbuf;
	struct buf wbuf;
	bool open_received;
	struct bgp_open remote_open;
	uint16_t hold_time;	  /* negotiated, seconds */
	uint16_t keepalive_time;  /* in use, seconds */
	struct ipaddr local_addr; /* of the TCP connection */
	uint16_t local_port;
	uint16_t remote_port;
};

/* The last NOTIFICATION we sent or received, kept for `show bgp neighbors`. */
struct bgp_last_error {
	bool valid;
	bool sent; /* true: we sent it; false: the peer did */
	struct bgp_notify notify;
	time_t at; /* monotonic seconds */
};

struct bgp_peer {
	struct bgp *bgp;
	uint16_t id; /* RIB peer id: index in bgp->peers + 1 (0 is our own origination) */
	struct rde_peer_out out[RDE_AF_COUNT];
	/* soft-reconfiguration inbound: the routes as received, before inbound policy */
	struct rib *adj_in[RDE_AF_COUNT];
	struct conf_neighbor conf;
	struct ipaddr addr; /* remote address: configured, or the link-local ndra found */
	uint32_t scope_id;  /* interface index for link-local peers */
	unsigned slot;	    /* interface neighbors: which of the segment's routers (0 = first) */
	uint8_t mac[6];	    /* unnumbered: the router's MAC from its RA (SLLA option) */
	bool unnum_shared;  /* unnumbered: several routers share the segment: route via inet6 */
	struct bgp_conn conn[2];      /* [BGP_CONN_OUT], [BGP_CONN_IN] */
	struct bgp_conn *established; /* the connection in Established, or NULL */
	ev_timer idle_hold;	      /* delays the automatic restart after an error */
	double idle_hold_secs;	      /* doubles on each failure, reset on Established */

	/* Facts of the current (or last) session. */
	uint32_t remote_as; /* learned from OPEN; 0 until then */
	uint32_t remote_id; /* host byte order */
	struct bgp_caps caps_sent;
	struct bgp_caps caps_negotiated;
	time_t established_at; /* monotonic seconds; 0 when not Established */
	time_t last_change;    /* monotonic seconds of the last transition to/from Established */
	uint32_t established_count;
	uint32_t dropped_count;
	uint32_t connect_retry_count;
	struct bgp_msg_counters sent;
	struct bgp_msg_counters rcvd;
	struct bgp_last_error last_error;
	/* UPDATEs handled by RFC 7606 rather than a session reset, and loop rejections. */
	uint64_t updates_treat_as_withdraw;
	uint64_t updates_attr_discard;
	uint64_t updates_as_loop;
	uint64_t prefixes_received; /* all families */
	uint64_t prefixes_received_af[RDE_AF_COUNT];
};

struct bgp {
	struct ev_loop *loop;
	uint32_t asn;
	uint32_t router_id; /* host byte order */
	uint16_t port;
	struct bgp_peer *peers;
	unsigned n_peers;
	int listen_fd[2]; /* IPv4, IPv6; -1 when not open */
	ev_io listen_io[2];
	bool shutting_down;
	struct rde *rde;
};

/*
 * Creates peers for every configured neighbor, the RDE (rde, with the kernel
 * FIB fib, which may be NULL) and starts the peers.
 */
int bgp_start(struct bgp *bgp, struct ev_loop *loop, const struct routerd_conf *conf,
	      struct rde *rde, struct fib *fib);
/* Sends Cease (Administrative Shutdown) to every peer and closes everything. */
void bgp_shutdown(struct bgp *bgp);

/* Display state of a peer: Established if any connection is, else the furthest one. */
enum bgp_state bgp_peer_state(const struct bgp_peer *p);
/* The peer at address a (for a link-local address: on interface scope). */
struct bgp_peer *bgp_peer_find_addr(struct bgp *bgp, const struct ipaddr *a, uint32_t scope);
/* Starts the peer's outgoing side if it can run (configured, not shut down, address known). */
void bgp_peer_start(struct bgp_peer *p);
/* Hidden from show output: a spare slot of an interface neighbor with no router bound. */
static inline bool bgp_peer_unused(const struct bgp_peer *p)
{
	return p->slot > 0 && !p->addr.family;
}
struct bgp_peer *bgp_peer_find_name(struct bgp *bgp, const char *name);
/* Seconds since the session came up (Established) or went down (otherwise); 0 if never. */
time_t bgp_peer_uptime(const struct bgp_peer *p);
/* True when the peer is on the iBGP side (learned AS, or configured internal). */
bool bgp_peer_is_ibgp(const struct bgp_peer *p);

/* session.c: one connection's life. */
void session_conn_init(struct bgp_conn *c, struct bgp_peer *p, enum bgp_conn_dir dir);
/* Feeds one event to the connection's FSM; returns the actions performed. */
uint32_t session_event(struct bgp_conn *c, enum bgp_event ev);
/* Adopts an accepted socket as the peer's incoming connection. */
void session_accept(struct bgp_peer *p, int fd);
void session_conn_close(struct bgp_conn *c);
/* Sends Cease/Administrative Shutdown on a connection that has exchanged OPEN. */
void session_cease(struct bgp_conn *c);
/* Queues a whole message (header included) on the connection and writes what the socket takes. */
void session_send(struct bgp_conn *c, const uint8_t *msg, size_t len);
/* Bytes queued and not yet written. */
size_t session_queued(const struct bgp_conn *c);

/* peer.c: called by the session on transitions. */
void peer_conn_idle(struct bgp_conn *c);
void peer_established(struct bgp_conn *c);
void peer_session_down(struct bgp_conn *c);

/* listen.c */
int bgp_listen_start(struct bgp *bgp);
void bgp_listen_stop(struct bgp *bgp);

time_t mono_now(void);

#endif
