/* One line per event, key=value fields, to stderr. */
#ifndef ROUTERD_LIB_LOG_H
#define ROUTERD_LIB_LOG_H

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERR };

void log_set_level(enum log_level min);

/*
 * log_event(LOG_LVL_INFO, "session-up", "peer=%s as=%u", ...) prints
 * "2026-11-22T02:59:01.123Z level=info event=session-up peer=... as=...".
 * Values that may hold spaces must be quoted by the caller ("reason=\"%s\"").
 */
void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_info(ev, ...)  log_event(LOG_LVL_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)  log_event(LOG_LVL_WARN, ev, __VA_ARGS__)
#define log_err(ev, ...)   log_event(LOG_LVL_ERR, ev, __VA_ARGS__)
#define log_debug(ev, ...) log_event(LOG_LVL_DEBUG, ev, __VA_ARGS__)

#endif
