#include "routerd/lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level log_min = LOG_LVL_INFO;

static const char *const level_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_ERR] = "error",
};

void log_set_level(enum log_level min)
{
	log_min = min;
}

void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	char line[1024];
	va_list ap;
	int n;

	if (lvl < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ level=%s event=%s ", stamp,
		     ts.tv_nsec / 1000000, level_names[lvl], event);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole when several daemons share a log. */
	fprintf(stderr, "%s\n", line);
}
