/* AS-path lists: FRR's `_` dialect translated to POSIX ERE, verdicts cached by path content. */
#include "routerd/policy/aspath_regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FRR's expansion of `_`, character for character, so both engines see the same ERE. */
static const char underscore_ere[] = "(^|[,{}() ]|$)";

/* Paths longer than this in text form are formatted into a heap buffer. */
#define PATH_STACK_BUF 1024

struct asl_entry {
	uint32_t seq;
	enum policy_action action;
	char *text; /* as configured, for errors and show */
	struct policy_regex re;
};

struct aspath_list {
	char *name;
	struct asl_entry *ent; /* sorted by seq */
	size_t n, cap;
	struct pcache cache;
};

char *policy_regex_translate(const char *frr)
{
	size_t n = 0, extra = sizeof(underscore_ere) - 2;
	char *out, *o;

	for (const char *s = frr; *s; s++)
		n += *s == '_' ? extra + 1 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	/* Every `_` is replaced, even inside brackets or after a backslash: FRR does the same. */
	for (o = out; *frr; frr++) {
		if (*frr == '_') {
			memcpy(o, underscore_ere, sizeof(underscore_ere) - 1);
			o += sizeof(underscore_ere) - 1;
		} else {
			*o++ = *frr;
		}
	}
	*o = '\0';
	return out;
}

/* ---- analysis for the shortcuts ---- */

/* The delimiters `_` stands for, besides the start and the end. */
static bool is_delim(char c)
{
	return c == ',' || c == '{' || c == '}' || c == '(' || c == ')' || c == ' ';
}

/* Characters a token may contain: never special in an ERE, never `_`. */
static bool is_token_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == ':' || c == ',' || c == ' ' || c == '-';
}

/* Recognizes [^_]? token [$_]?; fills lit, lead, trail. */
static bool parse_token(struct policy_regex *rx, const char *s)
{
	const char *start, *end;

	rx->lead = *s == '^' || *s == '_' ? *s : 0;
	start = s + (rx->lead != 0);
	for (end = start; is_token_char(*end); end++)
		;
	if (end == start)
		return false;
	rx->trail = *end == '$' || *end == '_' ? *end : 0;
	if (end[rx->trail != 0] != '\0')
		return false;
	rx->litlen = (size_t)(end - start);
	rx->lit = strndup(start, rx->litlen);
	return rx->lit != NULL;
}

/*
 * Exact for the token form: the ERE (^|[,{}() ]|$)TOKEN(^|[,{}() ]|$) can
 * only use ^ or a delimiter before a non-empty token and a delimiter or $
 * after it, so some occurrence must have those on its guarded sides.
 */
static bool token_match(const struct policy_regex *rx, const char *text)
{
	size_t len = strlen(text);
	const char *hit = text;

	while ((hit = memmem(hit, len - (size_t)(hit - text), rx->lit, rx->litlen))) {
		size_t i = (size_t)(hit - text), j = i + rx->litlen;
		bool before = !rx->lead || i == 0 || (rx->lead == '_' && is_delim(text[i - 1]));
		bool after = !rx->trail || j == len || (rx->trail == '_' && is_delim(text[j]));

		if (before && after)
			return true;
		if (rx->lead == '^')
			return false;
		hit++;
	}
	return false;
}

/* Skips a bracket expression starting at s ('['); NULL if it is one we do not follow. */
static const char *skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++;
	for (; *s && *s != ']'; s++)
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '='))
			return NULL;
	return *s ? s + 1 : NULL;
}

struct lit_scan {
	char run[64], best[64];
	size_t runlen, bestlen;
};

static void run_end(struct lit_scan *ls)
{
	if (ls->runlen > ls->bestlen) {
		memcpy(ls->best, ls->run, ls->runlen);
		ls->bestlen = ls->runlen;
	}
	ls->runlen = 0;
}

/*
 * The longest run of plain characters every match of one alternative
 * contains; 0 when there is none or the syntax is beyond this scan. A
 * quantifier ends the run: after * or ? the last character is optional.
 */
static size_t branch_literal(const char *s, const char *end, char *out)
{
	struct lit_scan ls = { .runlen = 0, .bestlen = 0 };
	bool last_plain = false;

	while (s < end) {
		char c = *s;

		if (c == '\\' || c == '(' || c == ')' || c == '{' || c == '}')
			return 0;
		if (c == '*' || c == '?' || c == '+') {
			if (last_plain && c != '+')
				ls.runlen--;
			run_end(&ls);
			last_plain = false;
			s++;
			continue;
		}
		last_plain = is_token_char(c) && ls.runlen < sizeof(ls.run);
		if (last_plain) {
			ls.run[ls.runlen++] = c;
			s++;
			continue;
		}
		run_end(&ls);
		s = c == '[' ? skip_bracket(s) : s + 1;
		if (!s)
			return 0;
	}
	run_end(&ls);
	memcpy(out, ls.best, ls.bestlen);
	return ls.bestlen;
}

/* The end of the top-level alternative starting at s: '|' or the terminating NUL. */
static const char *branch_end(const char *s)
{
	while (*s && *s != '|') {
		if (*s == '[') {
			const char *e = skip_bracket(s);

			if (!e)
				return NULL;
			s = e;
		} else {
			s++;
		}
	}
	return s;
}

static void free_need(struct policy_regex *rx)
{
	for (size_t i = 0; i < rx->nneed; i++)
		free(rx->need[i]);
	free(rx->need);
	rx->need = NULL;
	rx->nneed = 0;
}

/* One literal per top-level alternative, or no prefilter at all. */
static void build_prefilter(struct policy_regex *rx, const char *s)
{
	for (;;) {
		const char *e = branch_end(s);
		char lit[64];
		size_t n = e ? branch_literal(s, e, lit) : 0;
		char **nn;

		if (!n || !(nn = realloc(rx->need, (rx->nneed + 1) * sizeof(*nn))))
			break;
		rx->need = nn;
		rx->need[rx->nneed] = strndup(lit, n);
		if (!rx->need[rx->nneed])
			break;
		rx->nneed++;
		if (!*e)
			return;
		s = e + 1;
	}
	free_need(rx); /* some alternative can match without a literal: no prefilter */
}

int policy_regex_init(struct policy_regex *rx, const char *frr, const char *what,
		      struct policy_err *err)
{
	char *ere = policy_regex_translate(frr);
	char why[128];
	int rc;

	memset(rx, 0, sizeof(*rx));
	if (!ere)
		return policy_fail(err, "%s: out of memory", what);
	rc = regcomp(&rx->re, ere, REG_EXTENDED | REG_NOSUB);
	free(ere);
	if (rc) {
		regerror(rc, &rx->re, why, sizeof(why));
		return policy_fail(err, "%s: bad regular expression \"%s\": %s", what, frr, why);
	}
	/* The shortcuts are optional: without them (or their memory) regexec decides. */
	if (!parse_token(rx, frr))
		build_prefilter(rx, frr);
	return 0;
}

void policy_regex_free(struct policy_regex *rx)
{
	regfree(&rx->re);
	free(rx->lit);
	free_need(rx);
}

bool policy_regex_match_slow(const struct policy_regex *rx, const char *text)
{
	return regexec(&rx->re, text, 0, NULL, 0) == 0;
}

bool policy_regex_match(const struct policy_regex *rx, const char *text)
{
	size_t i;

	if (rx->lit)
		return token_match(rx, text);
	for (i = 0; i < rx->nneed; i++)
		if (strstr(text, rx->need[i]))
			break;
	if (rx->nneed && i == rx->nneed)
		return false;
	return policy_regex_match_slow(rx, text);
}

struct aspath_list *aspath_list_new(const char *name)
{
	struct aspath_list *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->name = strdup(name ? name : "");
	if (!l->name) {
		free(l);
		return NULL;
	}
	pcache_init(&l->cache, PCACHE_DEFAULT_MAX);
	return l;
}

void aspath_list_free(struct aspath_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		policy_regex_free(&l->ent[i].re);
		free(l->ent[i].text);
	}
	pcache_destroy(&l->cache);
	free(l->ent);
	free(l->name);
	free(l);
}

const char *aspath_list_name(const struct aspath_list *l)
{
	return l->name;
}

size_t aspath_list_count(const struct aspath_list *l)
{
	return l->n;
}

/* Index where seq belongs; -1 if it is already there. */
static long insert_pos(const struct aspath_list *l, uint32_t seq)
{
	size_t i = 0;

	while (i < l->n && l->ent[i].seq < seq)
		i++;
	if (i < l->n && l->ent[i].seq == seq)
		return -1;
	return (long)i;
}

static int reserve(struct aspath_list *l)
{
	size_t ncap;
	struct asl_entry *ne;

	if (l->n < l->cap)
		return 0;
	ncap = l->cap ? l->cap * 2 : 8;
	ne = realloc(l->ent, ncap * sizeof(*ne));
	if (!ne)
		return -1;
	l->ent = ne;
	l->cap = ncap;
	return 0;
}

int aspath_list_add(struct aspath_list *l, uint32_t seq, enum policy_action action,
		    const char *regex, struct policy_err *err)
{
	char what[96];
	struct asl_entry e = { .seq = seq, .action = action };
	long pos = insert_pos(l, seq);

	snprintf(what, sizeof(what), "as-path-list %s seq %u", l->name, seq);
	if (seq == 0)
		return policy_fail(err, "%s: seq must be 1-4294967295", what);
	if (pos < 0)
		return policy_fail(err, "as-path-list %s: duplicate seq %u", l->name, seq);
	if (policy_regex_init(&e.re, regex, what, err))
		return -1;
	e.text = strdup(regex);
	if (!e.text || reserve(l)) {
		free(e.text);
		policy_regex_free(&e.re);
		return policy_fail(err, "%s: out of memory", what);
	}
	memmove(&l->ent[pos + 1], &l->ent[pos], (l->n - (size_t)pos) * sizeof(*l->ent));
	l->ent[pos] = e;
	l->n++;
	/* Cached verdicts were computed without this entry. */
	pcache_clear(&l->cache);
	return 0;
}

enum policy_action aspath_list_match_str(const struct aspath_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (policy_regex_match(&l->ent[i].re, path))
			return l->ent[i].action;
	return POLICY_DENY;
}

/* Formats p and runs the list on the text; deny if the text cannot be allocated. */
static enum policy_action match_path(const struct aspath_list *l, const struct aspath *p)
{
	char stackbuf[PATH_STACK_BUF];
	size_t need = aspath_fmt(p, stackbuf, sizeof(stackbuf));
	enum policy_action verdict;
	char *heap;

	if (need < sizeof(stackbuf))
		return aspath_list_match_str(l, stackbuf);
	heap = malloc(need + 1);
	if (!heap)
		return POLICY_DENY;
	aspath_fmt(p, heap, need + 1);
	verdict = aspath_list_match_str(l, heap);
	free(heap);
	return verdict;
}

enum policy_action aspath_list_match(struct aspath_list *l, const struct aspath *p)
{
	int cached;
	enum policy_action verdict;

	if (!p)
		return aspath_list_match_str(l, "");
	cached = pcache_get(&l->cache, p->hash, p->data, p->len);
	if (cached >= 0)
		return (enum policy_action)cached;
	verdict = match_path(l, p);
	pcache_put(&l->cache, p->hash, p->data, p->len, (uint8_t)verdict);
	return verdict;
}

void aspath_list_cache_stats(const struct aspath_list *l, struct pcache_stats *st)
{
	pcache_stats(&l->cache, st);
}
