/*
 * Prefix lists with FRR semantics (`ip prefix-list` / `ipv6 prefix-list`):
 * ordered entries (seq, permit|deny, prefix, optional ge/le, or "any"),
 * first match in seq order wins, no match is deny.
 *
 * One list holds entries of both families; a prefix is only compared with
 * entries of its own family ("any" covers both). A list with no entries at
 * all permits everything, as FRR's does.
 *
 * Build with prefix_list_add*(), then prefix_list_compile() turns the
 * entries into one path-compressed binary trie per family, so a lookup
 * visits only the trie nodes on the path of the looked-up prefix instead of
 * every entry. Pure: no I/O, no globals.
 */
#ifndef ROUTERD_POLICY_PREFIX_LIST_H
#define ROUTERD_POLICY_PREFIX_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "routerd/lib/addr.h"
#include "routerd/policy/policy.h"

struct prefix_list;

/* NULL on allocation failure. */
struct prefix_list *prefix_list_new(const char *name);
void prefix_list_free(struct prefix_list *pl);
const char *prefix_list_name(const struct prefix_list *pl);

/*
 * ge/le: 0 means "not given". FRR rules: prefix length <= ge <= le <= 32|128,
 * le alone means [length, le], ge alone means [ge, 32|128], neither means the
 * exact length. Host bits are cleared (FRR does the same, with a warning).
 * seq must be unique within the list.
 */
int prefix_list_add(struct prefix_list *pl, uint32_t seq, enum policy_action action,
		    const struct prefix *p, uint8_t ge, uint8_t le, struct policy_err *err);
/* "any": 0.0.0.0/0 le 32 and ::/0 le 128. */
int prefix_list_add_any(struct prefix_list *pl, uint32_t seq, enum policy_action action,
			struct policy_err *err);

/* Builds the lookup tries; must run after the last add and before any match. */
int prefix_list_compile(struct prefix_list *pl, struct policy_err *err);
bool prefix_list_compiled(const struct prefix_list *pl);

/* The verdict of the lowest-seq entry that matches; POLICY_DENY when none does. */
enum policy_action prefix_list_match(const struct prefix_list *pl, const struct prefix *p);
/* Same, and *seq = the deciding entry's seq (0 when none matched, or the list is empty). */
enum policy_action prefix_list_match_seq(const struct prefix_list *pl, const struct prefix *p,
					 uint32_t *seq);

size_t prefix_list_count(const struct prefix_list *pl);

#endif
