/*
 * AS-path access lists (FRR `bgp as-path access-list`) and the FRR/Cisco
 * regular-expression dialect they share with expanded community lists.
 *
 * Dialect: POSIX extended regular expressions in which every `_` stands for
 * a delimiter: the start or the end of the string, a space, `{`, `}`, `,`,
 * `(` or `)`. FRR implements it by replacing each `_` with
 * `(^|[,{}() ]|$)` before regcomp(REG_EXTENDED | REG_NOSUB); so do we, so an
 * expression means here exactly what it means there. The subject is the AS
 * path as FRR prints it (aspath_fmt(): "65515 12076 65150", sets "{1,2}").
 *
 * Speed without changing a verdict: most expressions in the field are a
 * token with guards (`_65515_`, `^65`, `_0_`), which match exactly when the
 * token occurs with a delimiter, the start or the end on each guarded side;
 * those are checked by a substring scan, no regexec. Other expressions get a
 * conservative prefilter: literal runs every match must contain (one per
 * top-level alternative); when none occurs, regexec cannot match and is not
 * called. Anything the analysis does not understand goes to regexec as is.
 *
 * An AS-path list is an ordered set of (seq, permit|deny, regex); the first
 * entry whose regex matches decides, no match is deny. Verdicts are cached
 * per list by AS-path content (see cache.h for why not by pointer), so a
 * table of a million routes sharing a hundred thousand paths runs each
 * regex once per distinct path. Pure: no I/O, no globals.
 */
#ifndef ROUTERD_POLICY_ASPATH_REGEX_H
#define ROUTERD_POLICY_ASPATH_REGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routerd/policy/cache.h"
#include "routerd/policy/policy.h"
#include "routerd/rib/attr.h"

/* The ERE for an FRR-dialect expression; malloc'd, NULL on allocation failure. */
char *policy_regex_translate(const char *frr);

/* A compiled FRR-dialect expression. */
struct policy_regex {
	regex_t re; /* always compiled: it is the reference the shortcuts agree with */
	/* token fast path (lit != NULL): lead/trail are 0, '^'/'$' or '_' */
	char *lit;
	size_t litlen;
	char lead, trail;
	/* prefilter: a match contains one of need[0..nneed); nneed 0 = no prefilter */
	char **need;
	size_t nneed;
};

/* Translates and compiles; `what` names the owner in the error ("as-path-list X seq 5"). */
int policy_regex_init(struct policy_regex *rx, const char *frr, const char *what,
		      struct policy_err *err);
void policy_regex_free(struct policy_regex *rx);
/* Does the expression find a match in text (anywhere, as regexec does)? */
bool policy_regex_match(const struct policy_regex *rx, const char *text);
/* The same with regexec only: the reference the tests compare the shortcuts with. */
bool policy_regex_match_slow(const struct policy_regex *rx, const char *text);

struct aspath_list;

struct aspath_list *aspath_list_new(const char *name);
void aspath_list_free(struct aspath_list *l);
const char *aspath_list_name(const struct aspath_list *l);
size_t aspath_list_count(const struct aspath_list *l);

/* Entries may come in any order; they are kept sorted by seq (unique, >= 1). */
int aspath_list_add(struct aspath_list *l, uint32_t seq, enum policy_action action,
		    const char *regex, struct policy_err *err);

/* Matches an interned path (NULL counts as the empty path), through the cache. */
enum policy_action aspath_list_match(struct aspath_list *l, const struct aspath *p);
/* Matches a path already in FRR's text form; no cache. */
enum policy_action aspath_list_match_str(const struct aspath_list *l, const char *path);

void aspath_list_cache_stats(const struct aspath_list *l, struct pcache_stats *st);

#endif
