/* AS-path prepend and exclude through a small segment writer. */
#include "routerd/policy/aspath_edit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAX 255

struct aswriter {
	uint8_t *buf;
	size_t len, cap;
	size_t seg; /* offset of the open segment's header, or SIZE_MAX */
	bool fail;
};

static bool is_sequence(uint8_t type)
{
	return type == ASPATH_SEQUENCE || type == ASPATH_CONFED_SEQUENCE;
}

static bool w_reserve(struct aswriter *w, size_t extra)
{
	size_t ncap;
	uint8_t *nb;

	if (w->fail)
		return false;
	if (w->len + extra <= w->cap)
		return true;
	if (w->len + extra > UINT16_MAX) {
		w->fail = true;
		return false;
	}
	ncap = w->cap ? w->cap * 2 : 64;
	while (ncap < w->len + extra)
		ncap *= 2;
	nb = realloc(w->buf, ncap);
	if (!nb) {
		w->fail = true;
		return false;
	}
	w->buf = nb;
	w->cap = ncap;
	return true;
}

static void w_open(struct aswriter *w, uint8_t type)
{
	if (!w_reserve(w, 2))
		return;
	w->seg = w->len;
	w->buf[w->len++] = type;
	w->buf[w->len++] = 0;
}

/* Appends asn to the open segment when allowed and it is of `type` with room, else opens one. */
static void w_push(struct aswriter *w, uint8_t type, uint32_t asn, bool may_join)
{
	bool join = may_join && w->seg != SIZE_MAX && w->buf[w->seg] == type &&
		    w->buf[w->seg + 1] < SEG_MAX;

	if (!join)
		w_open(w, type);
	if (!w_reserve(w, 4))
		return;
	w->buf[w->len++] = (uint8_t)(asn >> 24);
	w->buf[w->len++] = (uint8_t)(asn >> 16);
	w->buf[w->len++] = (uint8_t)(asn >> 8);
	w->buf[w->len++] = (uint8_t)asn;
	w->buf[w->seg + 1]++;
}

static uint32_t get_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool listed(const uint32_t *asns, size_t n, uint32_t asn)
{
	for (size_t i = 0; i < n; i++)
		if (asns[i] == asn)
			return true;
	return false;
}

/* Copies p's segments, leaving out the ASNs in drop[0..ndrop). */
static void w_copy(struct aswriter *w, const struct aspath *p, const uint32_t *drop, size_t ndrop)
{
	size_t off = 0;

	while (p && off < p->len) {
		uint8_t type = p->data[off], count = p->data[off + 1];
		bool first = true;

		for (uint8_t i = 0; i < count; i++) {
			uint32_t asn = get_be32(p->data + off + 2 + (size_t)i * 4);

			if (listed(drop, ndrop, asn))
				continue;
			/* Sequences join their neighbours; a set only joins itself. */
			w_push(w, type, asn, is_sequence(type) || !first);
			first = false;
		}
		off += 2 + (size_t)count * 4;
	}
}

static struct aspath *w_finish(struct aswriter *w, struct attr_pool *pool)
{
	struct aspath *p = w->fail ? NULL : aspath_intern(pool, w->buf, w->len);

	free(w->buf);
	return p;
}

struct aspath *policy_aspath_prepend(struct attr_pool *pool, const struct aspath *p,
				     const uint32_t *asns, size_t n)
{
	struct aswriter w = { .seg = SIZE_MAX };

	for (size_t i = 0; i < n; i++)
		w_push(&w, ASPATH_SEQUENCE, asns[i], true);
	w_copy(&w, p, NULL, 0);
	return w_finish(&w, pool);
}

struct aspath *policy_aspath_prepend_repeat(struct attr_pool *pool, const struct aspath *p,
					    uint32_t asn, unsigned count)
{
	struct aswriter w = { .seg = SIZE_MAX };

	for (unsigned i = 0; i < count; i++)
		w_push(&w, ASPATH_SEQUENCE, asn, true);
	w_copy(&w, p, NULL, 0);
	return w_finish(&w, pool);
}

struct aspath *policy_aspath_exclude(struct attr_pool *pool, const struct aspath *p,
				     const uint32_t *asns, size_t n)
{
	struct aswriter w = { .seg = SIZE_MAX };

	w_copy(&w, p, asns, n);
	return w_finish(&w, pool);
}
