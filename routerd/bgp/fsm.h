/*
 * RFC 4271 §8 finite state machine, as a pure transition table.
 *
 * One instance runs per TCP connection (a peer can briefly own two during a
 * collision, §6.8). bgp_fsm_step() maps (state, event) to the next state and
 * a set of actions; the session layer (bgp/session.c) performs the actions in
 * the order documented below. The FSM never touches sockets or timers itself,
 * so the whole table is tested without I/O.
 *
 * Deviation kept on purpose: a failed outgoing TCP connection moves Connect to
 * Active with the ConnectRetryTimer running (the RFC's DelayOpen branch)
 * instead of Idle, so a session retries without an IdleHold round trip.
 */
#ifndef ROUTERD_BGP_FSM_H
#define ROUTERD_BGP_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum bgp_state {
	BGP_ST_IDLE,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
	BGP_ST__COUNT,
};

/* RFC 4271 §8.1 event numbers in comments. */
enum bgp_event {
	BGP_EV_START,		      /* 1/3: ManualStart, AutomaticStart */
	BGP_EV_START_PASSIVE,	      /* 4/5: ... with PassiveTcpEstablishment */
	BGP_EV_STOP,		      /* 2: ManualStop */
	BGP_EV_CONNECT_RETRY_EXPIRES, /* 9 */
	BGP_EV_HOLD_EXPIRES,	      /* 10 */
	BGP_EV_KEEPALIVE_EXPIRES,     /* 11 */
	BGP_EV_TCP_CONNECTED,	      /* 16/17: Tcp_CR_Acked, TcpConnectionConfirmed */
	BGP_EV_TCP_FAILS,	      /* 18 */
	BGP_EV_OPEN,		      /* 19: valid OPEN received (collision already resolved) */
	BGP_EV_HEADER_ERR,	      /* 21 */
	BGP_EV_OPEN_ERR,	      /* 22 */
	BGP_EV_COLLISION_DUMP,	      /* 23 */
	BGP_EV_NOTIFY_VERSION_ERR,    /* 24 */
	BGP_EV_NOTIFY,		      /* 25 */
	BGP_EV_KEEPALIVE,	      /* 26 */
	BGP_EV_UPDATE,		      /* 27 */
	BGP_EV_UPDATE_ERR,	      /* 28 */
	BGP_EV_ROUTE_REFRESH,	      /* RFC 2918 message; not an RFC 4271 event */
	BGP_EV__COUNT,
};

/* Actions, performed by the session in this bit order. */
enum bgp_action {
	BGP_ACT_SEND_NOTIFY = 1u << 0, /* code from the step, or the decoder's error when 0 */
	BGP_ACT_DROP_TCP = 1u << 1,    /* close the connection */
	BGP_ACT_RELEASE = 1u << 2,     /* leaving Established: withdraw the peer's routes */
	BGP_ACT_TIMERS_STOP = 1u << 3, /* stop hold and keepalive timers */
	BGP_ACT_CRT_STOP = 1u << 4,    /* stop the ConnectRetryTimer */
	BGP_ACT_CRT_START = 1u << 5,   /* (re)start the ConnectRetryTimer */
	BGP_ACT_CONNECT = 1u << 6,     /* initiate the outgoing TCP connection */
	BGP_ACT_SEND_OPEN = 1u << 7,
	BGP_ACT_HOLD_LARGE = 1u << 8,	    /* hold timer to 4 minutes while waiting for OPEN */
	BGP_ACT_NEGOTIATE = 1u << 9,	    /* hold/keepalive from the received OPEN, start both */
	BGP_ACT_SEND_KEEPALIVE = 1u << 10,  /* and restart the keepalive timer */
	BGP_ACT_HOLD_RESTART = 1u << 11,    /* a KEEPALIVE/UPDATE arrived */
	BGP_ACT_ESTABLISHED = 1u << 12,	    /* entering Established: start exchanging routes */
	BGP_ACT_PROCESS_UPDATE = 1u << 13,  /* hand the UPDATE to the RIB */
	BGP_ACT_PROCESS_REFRESH = 1u << 14, /* re-send the Adj-RIB-Out */
	BGP_ACT_CONNRETRY_INC = 1u << 15,   /* count a failed attempt (shown to the operator) */
};

struct bgp_fsm_step {
	enum bgp_state next;
	uint32_t actions;
	/* NOTIFICATION to send when BGP_ACT_SEND_NOTIFY is set and code != 0. */
	uint8_t notify_code;
	uint8_t notify_subcode;
};

struct bgp_fsm_step bgp_fsm_step(enum bgp_state state, enum bgp_event ev);

const char *bgp_state_name(enum bgp_state s);
const char *bgp_event_name(enum bgp_event ev);

#endif
