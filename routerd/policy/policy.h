/*
 * Shared vocabulary of the policy engine (routerd/policy/): the verdict every
 * list and route-map returns, and the error a builder fills.
 *
 * The engine is pure: no I/O, no globals, no libyang. The config layer builds
 * the objects from YANG data; the RIB calls the matchers.
 */
#ifndef ROUTERD_POLICY_POLICY_H
#define ROUTERD_POLICY_POLICY_H

#include <stdint.h>

/* A list that no entry matches says deny, as in FRR. */
enum policy_action {
	POLICY_DENY = 0,
	POLICY_PERMIT = 1,
};

#define POLICY_ERR_LEN 256

struct policy_err {
	char msg[POLICY_ERR_LEN];
};

/* Fills err (if not NULL) and returns -1, so callers can `return policy_fail(...)`. */
int policy_fail(struct policy_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *policy_action_str(enum policy_action a);

#endif
