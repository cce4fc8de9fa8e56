/* Shared helpers of the policy engine: error formatting. */
#include "routerd/policy/policy.h"

#include <stdarg.h>
#include <stdio.h>

int policy_fail(struct policy_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *policy_action_str(enum policy_action a)
{
	return a == POLICY_PERMIT ? "permit" : "deny";
}
