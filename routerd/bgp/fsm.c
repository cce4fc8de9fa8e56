#include "routerd/bgp/fsm.h"

#include "routerd/bgp/wire.h"

/*
 * Each state has one function holding its rows of RFC 4271 §8.2.2; events a
 * state does not list fall to that state's "any other event" rule.
 */

static struct bgp_fsm_step step(enum bgp_state next, uint32_t actions)
{
	return (struct bgp_fsm_step){ .next = next, .actions = actions };
}

static struct bgp_fsm_step step_notify(enum bgp_state next, uint32_t actions, uint8_t code,
				       uint8_t subcode)
{
	struct bgp_fsm_step s = step(next, actions | BGP_ACT_SEND_NOTIFY);

	s.notify_code = code;
	s.notify_subcode = subcode;
	return s;
}

/* Tear-down to Idle; `extra` adds RELEASE when leaving Established. */
#define TEARDOWN (BGP_ACT_DROP_TCP | BGP_ACT_TIMERS_STOP | BGP_ACT_CRT_STOP | BGP_ACT_CONNRETRY_INC)

static struct bgp_fsm_step fsm_error(uint8_t subcode, uint32_t extra)
{
	return step_notify(BGP_ST_IDLE, TEARDOWN | extra, BGP_ERR_FSM, subcode);
}

static struct bgp_fsm_step idle(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_START:
		return step(BGP_ST_CONNECT, BGP_ACT_CRT_START | BGP_ACT_CONNECT);
	case BGP_EV_START_PASSIVE:
		return step(BGP_ST_ACTIVE, 0);
	default:
		/* §8.2.2 Idle: all other events are ignored. */
		return step(BGP_ST_IDLE, 0);
	}
}

static struct bgp_fsm_step connect_or_active(enum bgp_state state, enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_START_PASSIVE:
		return step(state, 0);
	case BGP_EV_STOP:
		return step(BGP_ST_IDLE, BGP_ACT_DROP_TCP | BGP_ACT_CRT_STOP);
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		return step(BGP_ST_CONNECT, BGP_ACT_DROP_TCP | BGP_ACT_CRT_START | BGP_ACT_CONNECT);
	case BGP_EV_TCP_CONNECTED:
		return step(BGP_ST_OPENSENT,
			    BGP_ACT_CRT_STOP | BGP_ACT_SEND_OPEN | BGP_ACT_HOLD_LARGE);
	case BGP_EV_TCP_FAILS:
		/* Keep listening and retry when the ConnectRetryTimer fires. */
		return step(BGP_ST_ACTIVE,
			    BGP_ACT_DROP_TCP | BGP_ACT_CRT_START | BGP_ACT_CONNRETRY_INC);
	case BGP_EV_NOTIFY_VERSION_ERR:
		return step(BGP_ST_IDLE, TEARDOWN);
	default:
		/* No connection yet: nothing to notify, back to Idle. */
		return step(BGP_ST_IDLE, TEARDOWN);
	}
}

static struct bgp_fsm_step opensent(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_START_PASSIVE:
		return step(BGP_ST_OPENSENT, 0);
	case BGP_EV_STOP:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_HOLD_EXPIRES:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_HOLD, 0);
	case BGP_EV_TCP_FAILS:
		return step(BGP_ST_ACTIVE,
			    BGP_ACT_DROP_TCP | BGP_ACT_TIMERS_STOP | BGP_ACT_CRT_START);
	case BGP_EV_OPEN:
		return step(BGP_ST_OPENCONFIRM,
			    BGP_ACT_CRT_STOP | BGP_ACT_NEGOTIATE | BGP_ACT_SEND_KEEPALIVE);
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		return step_notify(BGP_ST_IDLE, TEARDOWN, 0, 0);
	case BGP_EV_COLLISION_DUMP:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	case BGP_EV_NOTIFY_VERSION_ERR:
	case BGP_EV_NOTIFY:
		return step(BGP_ST_IDLE, TEARDOWN);
	default:
		return fsm_error(BGP_ERR_FSM_OPENSENT, 0);
	}
}

static struct bgp_fsm_step openconfirm(enum bgp_event ev)
{
	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_START_PASSIVE:
		return step(BGP_ST_OPENCONFIRM, 0);
	case BGP_EV_STOP:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_HOLD_EXPIRES:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_HOLD, 0);
	case BGP_EV_KEEPALIVE_EXPIRES:
		return step(BGP_ST_OPENCONFIRM, BGP_ACT_SEND_KEEPALIVE);
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIFY:
	case BGP_EV_NOTIFY_VERSION_ERR:
		return step(BGP_ST_IDLE, TEARDOWN);
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		return step_notify(BGP_ST_IDLE, TEARDOWN, 0, 0);
	case BGP_EV_COLLISION_DUMP:
		return step_notify(BGP_ST_IDLE, TEARDOWN, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	case BGP_EV_KEEPALIVE:
		return step(BGP_ST_ESTABLISHED, BGP_ACT_HOLD_RESTART | BGP_ACT_ESTABLISHED);
	default:
		return fsm_error(BGP_ERR_FSM_OPENCONFIRM, 0);
	}
}

static struct bgp_fsm_step established(enum bgp_event ev)
{
	const uint32_t down = TEARDOWN | BGP_ACT_RELEASE;

	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_START_PASSIVE:
		return step(BGP_ST_ESTABLISHED, 0);
	case BGP_EV_STOP:
		return step_notify(BGP_ST_IDLE, down, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_HOLD_EXPIRES:
		return step_notify(BGP_ST_IDLE, down, BGP_ERR_HOLD, 0);
	case BGP_EV_KEEPALIVE_EXPIRES:
		return step(BGP_ST_ESTABLISHED, BGP_ACT_SEND_KEEPALIVE);
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIFY:
	case BGP_EV_NOTIFY_VERSION_ERR:
		return step(BGP_ST_IDLE, down);
	case BGP_EV_KEEPALIVE:
		return step(BGP_ST_ESTABLISHED, BGP_ACT_HOLD_RESTART);
	case BGP_EV_UPDATE:
		return step(BGP_ST_ESTABLISHED, BGP_ACT_HOLD_RESTART | BGP_ACT_PROCESS_UPDATE);
	case BGP_EV_ROUTE_REFRESH:
		return step(BGP_ST_ESTABLISHED, BGP_ACT_HOLD_RESTART | BGP_ACT_PROCESS_REFRESH);
	case BGP_EV_HEADER_ERR:
	case BGP_EV_UPDATE_ERR:
		return step_notify(BGP_ST_IDLE, down, 0, 0);
	case BGP_EV_COLLISION_DUMP:
		return step_notify(BGP_ST_IDLE, down, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	default:
		return fsm_error(BGP_ERR_FSM_ESTABLISHED, BGP_ACT_RELEASE);
	}
}

struct bgp_fsm_step bgp_fsm_step(enum bgp_state state, enum bgp_event ev)
{
	switch (state) {
	case BGP_ST_IDLE:
		return idle(ev);
	case BGP_ST_CONNECT:
	case BGP_ST_ACTIVE:
		return connect_or_active(state, ev);
	case BGP_ST_OPENSENT:
		return opensent(ev);
	case BGP_ST_OPENCONFIRM:
		return openconfirm(ev);
	case BGP_ST_ESTABLISHED:
		return established(ev);
	default:
		return step(BGP_ST_IDLE, TEARDOWN);
	}
}

const char *bgp_state_name(enum bgp_state s)
{
	static const char *const names[BGP_ST__COUNT] = {
		[BGP_ST_IDLE] = "Idle",
		[BGP_ST_CONNECT] = "Connect",
		[BGP_ST_ACTIVE] = "Active",
		[BGP_ST_OPENSENT] = "OpenSent",
		[BGP_ST_OPENCONFIRM] = "OpenConfirm",
		[BGP_ST_ESTABLISHED] = "Established",
	};

	return (unsigned)s < BGP_ST__COUNT ? names[s] : "Unknown";
}

const char *bgp_event_name(enum bgp_event ev)
{
	static const char *const names[BGP_EV__COUNT] = {
		[BGP_EV_START] = "start",
		[BGP_EV_START_PASSIVE] = "start-passive",
		[BGP_EV_STOP] = "stop",
		[BGP_EV_CONNECT_RETRY_EXPIRES] = "connect-retry-expires",
		[BGP_EV_HOLD_EXPIRES] = "hold-expires",
		[BGP_EV_KEEPALIVE_EXPIRES] = "keepalive-expires",
		[BGP_EV_TCP_CONNECTED] = "tcp-connected",
		[BGP_EV_TCP_FAILS] = "tcp-fails",
		[BGP_EV_OPEN] = "open",
		[BGP_EV_HEADER_ERR] = "header-error",
		[BGP_EV_OPEN_ERR] = "open-error",
		[BGP_EV_COLLISION_DUMP] = "collision-dump",
		[BGP_EV_NOTIFY_VERSION_ERR] = "notify-version-error",
		[BGP_EV_NOTIFY] = "notification",
		[BGP_EV_KEEPALIVE] = "keepalive",
		[BGP_EV_UPDATE] = "update",
		[BGP_EV_UPDATE_ERR] = "update-error",
		[BGP_EV_ROUTE_REFRESH] = "route-refresh",
	};

	return (unsigned)ev < BGP_EV__COUNT ? names[ev] : "unknown";
}
