/*
 * Content-keyed verdict cache: a chained hash table grown by doubling, with
 * one-for-one replacement once full.
 */
#include "routerd/policy/cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PCACHE_MIN_BUCKETS 256u

struct pcache_ent {
	struct pcache_ent *next;
	uint32_t hash;
	uint32_t len;
	uint8_t value;
	uint8_t key[];
};

void pcache_init(struct pcache *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->max = max ? max : PCACHE_DEFAULT_MAX;
}

static void free_chains(struct pcache *c)
{
	if (!c->b)
		return;
	for (uint32_t i = 0; i <= c->mask; i++) {
		struct pcache_ent *e = c->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
		c->b[i] = NULL;
	}
	c->n = 0;
	c->last = NULL;
}

void pcache_destroy(struct pcache *c)
{
	free_chains(c);
	free(c->b);
	c->b = NULL;
	c->mask = 0;
}

void pcache_clear(struct pcache *c)
{
	if (c->n)
		c->flushes++;
	free_chains(c);
}

static bool same(const struct pcache_ent *e, uint32_t hash, const void *key, size_t len)
{
	return e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0;
}

int pcache_get(struct pcache *c, uint32_t hash, const void *key, size_t len)
{
	struct pcache_ent *e = c->last;

	if (e && same(e, hash, key, len)) {
		c->hits++;
		return e->value;
	}
	for (e = c->b ? c->b[hash & c->mask] : NULL; e; e = e->next) {
		if (same(e, hash, key, len)) {
			c->hits++;
			c->last = e;
			return e->value;
		}
	}
	c->misses++;
	return -1;
}

/* Doubles the bucket array once the chains average more than one entry. */
static void grow(struct pcache *c)
{
	uint32_t nb = c->b ? (c->mask + 1) * 2 : PCACHE_MIN_BUCKETS;
	struct pcache_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; c->b && i <= c->mask; i++) {
		struct pcache_ent *e = c->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(c->b);
	c->b = b;
	c->mask = nb - 1;
}

/* Frees the head of the next non-empty bucket after the cursor. */
static void evict_one(struct pcache *c)
{
	for (uint32_t i = 0; i <= c->mask; i++) {
		uint32_t b = (c->cursor + i) & c->mask;
		struct pcache_ent *e = c->b[b];

		if (e) {
			c->b[b] = e->next;
			if (c->last == e)
				c->last = NULL;
			free(e);
			c->n--;
			c->evictions++;
			c->cursor = (b + 1) & c->mask;
			return;
		}
	}
}

void pcache_put(struct pcache *c, uint32_t hash, const void *key, size_t len, uint8_t value)
{
	struct pcache_ent *e;

	if (len > UINT32_MAX)
		return;
	if (c->b && c->n >= c->max)
		evict_one(c);
	if (!c->b || c->n > c->mask)
		grow(c);
	if (!c->b)
		return;
	e = malloc(sizeof(*e) + len);
	if (!e)
		return;
	e->hash = hash;
	e->len = (uint32_t)len;
	e->value = value;
	if (len)
		memcpy(e->key, key, len);
	e->next = c->b[hash & c->mask];
	c->b[hash & c->mask] = e;
	c->n++;
}

void pcache_stats(const struct pcache *c, struct pcache_stats *st)
{
	st->entries = c->n;
	st->hits = c->hits;
	st->misses = c->misses;
	st->evictions = c->evictions;
	st->flushes = c->flushes;
}
