/*
 * Prefix lists: entries kept as added, compiled into one path-compressed
 * binary trie per family.
 *
 * Every trie node stands for one prefix (key, len). Nodes holding entry
 * prefixes carry their entries ("candidates"), sorted by seq; glue nodes
 * exist only where two entry prefixes diverge. An entry can match a looked-up
 * prefix P only if its prefix covers P, i.e. only if its node lies on the
 * walk from the root towards P, so a lookup costs the depth of that walk
 * (bounded by the number of distinct entry prefixes on the path, never by the
 * list length), and keeps the lowest seq whose ge/le range admits P's length.
 *
 * The top of such a trie is a binary search over the first byte (a list
 * spread over 200 /8s spends 8 levels there), so prefixes of length >= 8
 * hang from a 256-way table indexed by their first byte, and only the few
 * shorter ones live in a separate small trie. A 1,000-entry list then costs
 * about 3 node visits instead of 11.
 */
#include "routerd/policy/prefix_list.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PL_NONE UINT32_MAX

enum pl_family {
	PL_V4,
	PL_V6,
	PL_FAMILIES,
};

static const uint8_t family_bits[PL_FAMILIES] = { 32, 128 };

struct pl_entry {
	uint32_t seq;
	uint8_t action;
	uint8_t lo, hi; /* accepted prefix lengths, inclusive */
	uint8_t fam;	/* enum pl_family */
	uint8_t len;
	uint8_t key[16];
};

/* What a compiled node keeps of an entry: everything but the prefix itself. */
struct pl_cand {
	uint32_t seq;
	uint8_t lo, hi, action;
};

struct pl_node {
	uint8_t key[16]; /* bits past len are zero */
	uint8_t len;
	uint32_t child[2];
	uint32_t cand;	     /* first candidate in trie.cands */
	uint32_t ncand;	     /* candidates here, sorted by seq */
	struct pl_cand head; /* copy of cands[cand]: most nodes hold one entry, read it here */
};

#define STRIDE_BITS 8

struct pl_trie {
	struct pl_node *nodes;
	uint32_t n, cap;
	uint32_t root;	 /* prefixes shorter than STRIDE_BITS */
	uint32_t *root8; /* [256]: the subtrie of each first byte; NULL when unused */
	struct pl_cand *cands;
};

struct prefix_list {
	char *name;
	struct pl_entry *ent; /* "any" is stored as one entry per family */
	size_t n, cap;
	size_t nconf; /* entries as configured */
	bool compiled;
	struct pl_trie trie[PL_FAMILIES];
};

/* ---- bit helpers ---- */

static unsigned bit_at(const uint8_t *key, unsigned i)
{
	return (key[i >> 3] >> (7 - (i & 7))) & 1u;
}

static void mask_key(uint8_t *key, unsigned len, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		key[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
	}
}

/* True if the first len bits of a and b are equal (a byte loop: at most 16, no memcmp call). */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len >> 3, rest = len & 7;

	for (unsigned i = 0; i < full; i++)
		if (a[i] != b[i])
			return false;
	return !rest || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Length of the common leading bits of (a, alen) and (b, blen). */
static unsigned common_bits(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	unsigned max = alen < blen ? alen : blen;

	for (unsigned i = 0; i * 8 < max; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x) {
			unsigned d = i * 8 + (unsigned)__builtin_clz(x) - 24;

			return d < max ? d : max;
		}
	}
	return max;
}

/* ---- building ---- */

struct prefix_list *prefix_list_new(const char *name)
{
	struct prefix_list *pl = calloc(1, sizeof(*pl));

	if (!pl)
		return NULL;
	pl->name = strdup(name ? name : "");
	if (!pl->name) {
		free(pl);
		return NULL;
	}
	for (int f = 0; f < PL_FAMILIES; f++)
		pl->trie[f].root = PL_NONE;
	return pl;
}

static void trie_clear(struct pl_trie *t)
{
	free(t->nodes);
	free(t->root8);
	free(t->cands);
	memset(t, 0, sizeof(*t));
	t->root = PL_NONE;
}

void prefix_list_free(struct prefix_list *pl)
{
	if (!pl)
		return;
	for (int f = 0; f < PL_FAMILIES; f++)
		trie_clear(&pl->trie[f]);
	free(pl->ent);
	free(pl->name);
	free(pl);
}

const char *prefix_list_name(const struct prefix_list *pl)
{
	return pl->name;
}

size_t prefix_list_count(const struct prefix_list *pl)
{
	return pl->nconf;
}

bool prefix_list_compiled(const struct prefix_list *pl)
{
	return pl->compiled;
}

static bool seq_taken(const struct prefix_list *pl, uint32_t seq)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->ent[i].seq == seq)
			return true;
	return false;
}

static int check_seq(const struct prefix_list *pl, uint32_t seq, struct policy_err *err)
{
	if (seq == 0)
		return policy_fail(err, "prefix-list %s: seq must be 1-4294967295", pl->name);
	if (seq_taken(pl, seq))
		return policy_fail(err, "prefix-list %s: duplicate seq %u", pl->name, seq);
	return 0;
}

static struct pl_entry *entry_push(struct prefix_list *pl, struct policy_err *err)
{
	if (pl->n == pl->cap) {
		size_t ncap = pl->cap ? pl->cap * 2 : 16;
		struct pl_entry *ne = realloc(pl->ent, ncap * sizeof(*ne));

		if (!ne) {
			policy_fail(err, "prefix-list %s: out of memory", pl->name);
			return NULL;
		}
		pl->ent = ne;
		pl->cap = ncap;
	}
	pl->compiled = false;
	return memset(&pl->ent[pl->n++], 0, sizeof(struct pl_entry));
}

/* FRR: mask length <= ge <= le <= max; a bound of 0 is "not given". */
static int length_range(const struct prefix_list *pl, uint8_t len, uint8_t max, uint8_t ge,
			uint8_t le, uint8_t *lo, uint8_t *hi, struct policy_err *err)
{
	if ((ge && (ge < len || ge > max)) || (le && (le < len || le > max)) ||
	    (ge && le && ge > le))
		return policy_fail(err,
				   "prefix-list %s: invalid range ge %u le %u for a /%u: need "
				   "length <= ge <= le <= %u",
				   pl->name, ge, le, len, max);
	*lo = ge ? ge : len;
	*hi = le ? le : (ge ? max : len);
	return 0;
}

int prefix_list_add(struct prefix_list *pl, uint32_t seq, enum policy_action action,
		    const struct prefix *p, uint8_t ge, uint8_t le, struct policy_err *err)
{
	enum pl_family fam = p->family == AF_INET6 ? PL_V6 : PL_V4;
	uint8_t lo = 0, hi = 0;
	struct pl_entry *e;

	if (p->family != AF_INET && p->family != AF_INET6)
		return policy_fail(err, "prefix-list %s seq %u: not an IPv4 or IPv6 prefix",
				   pl->name, seq);
	if (p->len > family_bits[fam])
		return policy_fail(err, "prefix-list %s seq %u: prefix length %u too long",
				   pl->name, seq, p->len);
	if (check_seq(pl, seq, err) ||
	    length_range(pl, p->len, family_bits[fam], ge, le, &lo, &hi, err))
		return -1;
	e = entry_push(pl, err);
	if (!e)
		return -1;
	*e = (struct pl_entry){ .seq = seq,
				.action = (uint8_t)action,
				.lo = lo,
				.hi = hi,
				.fam = (uint8_t)fam,
				.len = p->len };
	memcpy(e->key, p->bytes, fam == PL_V4 ? 4 : 16);
	mask_key(e->key, p->len, sizeof(e->key));
	pl->nconf++;
	return 0;
}

int prefix_list_add_any(struct prefix_list *pl, uint32_t seq, enum policy_action action,
			struct policy_err *err)
{
	if (check_seq(pl, seq, err))
		return -1;
	for (int f = 0; f < PL_FAMILIES; f++) {
		struct pl_entry *e = entry_push(pl, err);

		if (!e)
			return -1;
		*e = (struct pl_entry){ .seq = seq,
					.action = (uint8_t)action,
					.lo = 0,
					.hi = family_bits[f],
					.fam = (uint8_t)f };
	}
	pl->nconf++;
	return 0;
}

/* ---- compiling ---- */

static uint32_t node_new(struct pl_trie *t, const uint8_t *key, unsigned len)
{
	struct pl_node *n;

	if (t->n == t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 32;
		struct pl_node *nn = realloc(t->nodes, ncap * sizeof(*nn));

		if (!nn)
			return PL_NONE;
		t->nodes = nn;
		t->cap = ncap;
	}
	n = &t->nodes[t->n];
	memset(n, 0, sizeof(*n));
	memcpy(n->key, key, sizeof(n->key));
	mask_key(n->key, len, sizeof(n->key));
	n->len = (uint8_t)len;
	n->child[0] = n->child[1] = PL_NONE;
	return t->n++;
}

/* parent PL_NONE: n becomes the root held in *root. */
static void link_node(struct pl_trie *t, uint32_t *root, uint32_t parent, unsigned dir, uint32_t n)
{
	if (parent == PL_NONE)
		*root = n;
	else
		t->nodes[parent].child[dir] = n;
}

/* Node `cur` hangs below (parent, dir) and diverges from key at bit `common`. */
static uint32_t split(struct pl_trie *t, uint32_t *root, uint32_t parent, unsigned dir,
		      uint32_t cur, const uint8_t *key, unsigned len, unsigned common)
{
	uint32_t n, glue;

	if (common == len) { /* the new prefix covers cur: it becomes cur's parent */
		n = node_new(t, key, len);
		if (n == PL_NONE)
			return PL_NONE;
		t->nodes[n].child[bit_at(t->nodes[cur].key, len)] = cur;
		link_node(t, root, parent, dir, n);
		return n;
	}
	glue = node_new(t, key, common);
	n = node_new(t, key, len);
	if (glue == PL_NONE || n == PL_NONE)
		return PL_NONE;
	t->nodes[glue].child[bit_at(key, common)] = n;
	t->nodes[glue].child[bit_at(t->nodes[cur].key, common)] = cur;
	link_node(t, root, parent, dir, glue);
	return n;
}

/* Returns the node for (key, len) below *root, creating it (and a glue node) if needed. */
static uint32_t subtrie_insert(struct pl_trie *t, uint32_t *root, const uint8_t *key, unsigned len)
{
	uint32_t parent = PL_NONE, cur = *root;
	unsigned dir = 0;

	while (cur != PL_NONE) {
		const struct pl_node *c = &t->nodes[cur];
		unsigned common = common_bits(key, len, c->key, c->len);

		if (common == c->len && common == len)
			return cur;
		if (common < c->len)
			return split(t, root, parent, dir, cur, key, len, common);
		parent = cur;
		dir = bit_at(key, c->len);
		cur = c->child[dir];
	}
	cur = node_new(t, key, len);
	if (cur != PL_NONE)
		link_node(t, root, parent, dir, cur);
	return cur;
}

static uint32_t trie_insert(struct pl_trie *t, const uint8_t *key, unsigned len)
{
	if (len < STRIDE_BITS)
		return subtrie_insert(t, &t->root, key, len);
	if (!t->root8) {
		t->root8 = malloc(256 * sizeof(*t->root8));
		if (!t->root8)
			return PL_NONE;
		for (unsigned i = 0; i < 256; i++)
			t->root8[i] = PL_NONE;
	}
	return subtrie_insert(t, &t->root8[key[0]], key, len);
}

struct pl_sortrec {
	uint32_t node;
	struct pl_cand c;
};

static int cmp_sortrec(const void *a, const void *b)
{
	const struct pl_sortrec *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->c.seq < y->c.seq ? -1 : x->c.seq > y->c.seq;
}

/* Gives every node its candidates, contiguous and in seq order. */
static int attach_candidates(struct pl_trie *t, struct pl_sortrec *rec, size_t n)
{
	qsort(rec, n, sizeof(*rec), cmp_sortrec);
	t->cands = malloc((n ? n : 1) * sizeof(*t->cands));
	if (!t->cands)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct pl_node *node = &t->nodes[rec[i].node];

		if (!node->ncand) {
			node->cand = (uint32_t)i;
			node->head = rec[i].c;
		}
		node->ncand++;
		t->cands[i] = rec[i].c;
	}
	return 0;
}

static int compile_family(struct prefix_list *pl, enum pl_family fam)
{
	struct pl_trie *t = &pl->trie[fam];
	struct pl_sortrec *rec = malloc((pl->n ? pl->n : 1) * sizeof(*rec));
	size_t n = 0;
	int ret = 0;

	trie_clear(t);
	if (!rec)
		return -1;
	for (size_t i = 0; i < pl->n && !ret; i++) {
		const struct pl_entry *e = &pl->ent[i];

		if (e->fam != fam)
			continue;
		rec[n].node = trie_insert(t, e->key, e->len);
		rec[n].c = (struct pl_cand){ e->seq, e->lo, e->hi, e->action };
		ret = rec[n++].node == PL_NONE ? -1 : 0;
	}
	if (!ret)
		ret = attach_candidates(t, rec, n);
	free(rec);
	return ret;
}

int prefix_list_compile(struct prefix_list *pl, struct policy_err *err)
{
	for (int f = 0; f < PL_FAMILIES; f++) {
		if (compile_family(pl, (enum pl_family)f)) {
			trie_clear(&pl->trie[f]);
			return policy_fail(err, "prefix-list %s: out of memory", pl->name);
		}
	}
	pl->compiled = true;
	return 0;
}

/* ---- lookup ---- */

struct pl_best {
	uint64_t seq; /* above any uint32_t until something matched */
	uint8_t action;
};

/* Candidates are in seq order: the first one admitting len is this node's best. */
static void node_pick(const struct pl_trie *t, const struct pl_node *n, unsigned len,
		      struct pl_best *b)
{
	const struct pl_cand *c;

	if (len >= n->head.lo && len <= n->head.hi) {
		b->seq = n->head.seq;
		b->action = n->head.action;
		return;
	}
	c = &t->cands[n->cand];
	for (uint32_t i = 1; i < n->ncand && c[i].seq < b->seq; i++) {
		if (len >= c[i].lo && len <= c[i].hi) {
			b->seq = c[i].seq;
			b->action = c[i].action;
			return;
		}
	}
}

static void subtrie_lookup(const struct pl_trie *t, uint32_t i, const uint8_t *key, unsigned len,
			   struct pl_best *b)
{
	while (i != PL_NONE) {
		const struct pl_node *n = &t->nodes[i];

		if (n->len > len || !bits_equal(n->key, key, n->len))
			return;
		if (n->ncand && n->head.seq < b->seq)
			node_pick(t, n, len, b);
		if (n->len == len)
			return;
		i = n->child[bit_at(key, n->len)];
	}
}

static void trie_lookup(const struct pl_trie *t, const uint8_t *key, unsigned len,
			struct pl_best *b)
{
	subtrie_lookup(t, t->root, key, len, b);
	if (t->root8 && len >= STRIDE_BITS)
		subtrie_lookup(t, t->root8[key[0]], key, len, b);
}

enum policy_action prefix_list_match_seq(const struct prefix_list *pl, const struct prefix *p,
					 uint32_t *seq)
{
	struct pl_best b = { UINT64_MAX, POLICY_DENY };
	enum pl_family fam = p->family == AF_INET6 ? PL_V6 : PL_V4;

	if (seq)
		*seq = 0;
	/* FRR 8.4: a list without entries matches nothing (tests/unit/test_policy_frr.c). */
	if (!pl->nconf)
		return POLICY_DENY;
	if ((p->family != AF_INET && p->family != AF_INET6) || p->len > family_bits[fam])
		return POLICY_DENY;
	trie_lookup(&pl->trie[fam], p->bytes, p->len, &b);
	if (b.seq == UINT64_MAX)
		return POLICY_DENY;
	if (seq)
		*seq = (uint32_t)b.seq;
	return (enum policy_action)b.action;
}

enum policy_action prefix_list_match(const struct prefix_list *pl, const struct prefix *p)
{
	return prefix_list_match_seq(pl, p, NULL);
}
