/*
 * Community lists and large-community lists with FRR semantics
 * (`bgp community-list`, `bgp large-community-list`), and the text forms of
 * communities that expanded lists match against.
 *
 * A list is an ordered set of entries (seq, permit|deny, then either values
 * or a regex); the first entry that matches decides, no match is deny.
 * - standard: the route must carry every listed value; an entry with no
 *   values matches every route (FRR: "when COMMUNITY is empty it matches to
 *   any routes"). With exact-match the route's values must be exactly the
 *   listed ones.
 * - expanded: an FRR-dialect regex (see aspath_regex.h) over the whole
 *   attribute as FRR prints it ("65000:100 no-export", large "1:2:3 4:5:6";
 *   "" when the route has none). exact-match does not change expanded
 *   entries, as in FRR. Verdicts of lists with expanded entries are cached
 *   by content like AS-path lists.
 * Deletion (`set comm-list NAME delete`) looks at each value alone: the
 * first entry matching that value decides, permit deletes it, deny keeps it.
 *
 * Pure: no I/O, no globals.
 */
#ifndef ROUTERD_POLICY_COMMUNITY_LIST_H
#define ROUTERD_POLICY_COMMUNITY_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/policy/cache.h"
#include "routerd/policy/policy.h"
#include "routerd/rib/attr.h"

struct comm_list;

/* large: a large-community-list (RFC 8092 values), else a community-list (RFC 1997). */
struct comm_list *comm_list_new(const char *name, bool large);
void comm_list_free(struct comm_list *cl);
const char *comm_list_name(const struct comm_list *cl);
bool comm_list_is_large(const struct comm_list *cl);
size_t comm_list_count(const struct comm_list *cl);

/* Standard entries; the first for community-lists, the second for large ones. n == 0: any. */
int comm_list_add_standard(struct comm_list *cl, uint32_t seq, enum policy_action action,
			   const uint32_t *v, size_t n, struct policy_err *err);
int lcomm_list_add_standard(struct comm_list *cl, uint32_t seq, enum policy_action action,
			    const struct lcommunity *v, size_t n, struct policy_err *err);
/* Expanded entry, either kind of list. */
int comm_list_add_expanded(struct comm_list *cl, uint32_t seq, enum policy_action action,
			   const char *regex, struct policy_err *err);

/* true when the deciding entry permits; c may be NULL (route without the attribute). */
bool comm_list_match(struct comm_list *cl, const struct community_list *c, bool exact);
bool lcomm_list_match(struct comm_list *cl, const struct lcommunity_list *c, bool exact);

/*
 * Removes the values the list selects. *out gets an interned list holding one
 * reference (NULL when nothing is left: the attribute goes away, as in FRR).
 * -1 on allocation failure, *out untouched.
 */
int comm_list_delete(struct comm_list *cl, struct attr_pool *pool, struct community_list *c,
		     struct community_list **out);
int lcomm_list_delete(struct comm_list *cl, struct attr_pool *pool, struct lcommunity_list *c,
		      struct lcommunity_list **out);

/*
 * Text forms as FRR prints and parses them: "AA:NN" (two 16-bit halves) or a
 * well-known name (no-export, no-advertise, local-AS, no-peer, blackhole,
 * graceful-shutdown, accept-own, llgr-stale, no-llgr, internet for 0:0, ...)
 * as FRR 8 prints them; parse also takes a
 * plain 32-bit number. Large: "GLOBAL:LOCAL1:LOCAL2". The *_fmt functions
 * have snprintf semantics (return the full length).
 */
bool community_parse(const char *s, uint32_t *v);
size_t community_fmt(uint32_t v, char *out, size_t outlen);
bool lcommunity_parse(const char *s, struct lcommunity *v);
size_t lcommunity_fmt(const struct lcommunity *v, char *out, size_t outlen);
/* Values separated by one space, in the interned (sorted) order; "" for NULL. */
size_t community_list_fmt(const struct community_list *c, char *out, size_t outlen);
size_t lcommunity_list_fmt(const struct lcommunity_list *c, char *out, size_t outlen);

void comm_list_cache_stats(const struct comm_list *cl, struct pcache_stats *st);

#endif
