/*
 * A bounded result cache keyed by content, for verdicts that are expensive to
 * compute (regular expressions over an AS path or a community list).
 *
 * Why content and not the interned pointer: interned objects are freed when
 * their last reference goes and malloc may hand the same address to a new,
 * different object, so a pointer-keyed cache could answer for the wrong path.
 * An entry here holds the object's hash (the one attr.c computed while
 * interning) and a copy of its bytes; a hit needs the hash, the length and
 * the bytes to be equal. A stale entry can never answer for another object,
 * an object freed and interned again still hits, and no hook into attr.c is
 * needed. The cost is one memcmp of a few dozen bytes per hit.
 *
 * Bounded: once max entries are held, each new entry replaces an old one
 * picked by a cursor that sweeps the buckets. Flushing everything instead
 * would thrash: a table cycling through more distinct paths than max would
 * never hit. The default holds a full table's distinct AS paths (about 100k
 * for 1M prefixes) with room to spare, at roughly 60 bytes an entry.
 * Internal to routerd/policy; pure, no globals.
 */
#ifndef ROUTERD_POLICY_CACHE_H
#define ROUTERD_POLICY_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define PCACHE_DEFAULT_MAX 262144u

struct pcache_ent;

struct pcache {
	struct pcache_ent **b;
	struct pcache_ent *last; /* the last hit: consecutive routes often share a path */
	uint32_t mask;		 /* buckets - 1; no buckets until the first put */
	uint32_t cursor;	 /* next bucket to evict from when full */
	size_t n, max;
	size_t hits, misses, evictions, flushes;
};

struct pcache_stats {
	size_t entries, hits, misses, evictions, flushes;
};

void pcache_init(struct pcache *c, size_t max);
void pcache_destroy(struct pcache *c);
/* Drops every entry (the owner's entries changed); counted as a flush. */
void pcache_clear(struct pcache *c);
/* The stored value, or -1 on a miss. */
int pcache_get(struct pcache *c, uint32_t hash, const void *key, size_t len);
/* Best effort: an allocation failure only means a later miss. */
void pcache_put(struct pcache *c, uint32_t hash, const void *key, size_t len, uint8_t value);
void pcache_stats(const struct pcache *c, struct pcache_stats *st);

#endif
