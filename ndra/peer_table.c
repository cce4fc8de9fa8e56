/* Peer table: see peer_table.h. */
#include "ndra/peer_table.h"

#include <stdlib.h>
#include <string.h>

void pt_init(struct peer_table *t, unsigned int max_per_if)
{
	memset(t, 0, sizeof(*t));
	t->max_per_if = max_per_if;
}

void pt_free(struct peer_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

static struct pt_entry *find(const struct peer_table *t, unsigned int ifindex, const uint8_t *lla)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].ifindex == ifindex && memcmp(t->v[i].lla, lla, 16) == 0)
			return &t->v[i];
	return NULL;
}

const struct pt_entry *pt_find(const struct peer_table *t, unsigned int ifindex, const uint8_t *lla)
{
	return find(t, ifindex, lla);
}

size_t pt_count_if(const struct peer_table *t, unsigned int ifindex)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].ifindex == ifindex)
			n++;
	return n;
}

/* Order does not matter to anyone, so the last entry fills the hole. */
static void remove_at(struct peer_table *t, size_t i, struct pt_entry *out)
{
	if (out)
		*out = t->v[i];
	t->v[i] = t->v[--t->n];
}

static bool grow(struct peer_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 8;
	struct pt_entry *v;

	if (t->n < t->cap)
		return true;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return false;
	t->v = v;
	t->cap = cap;
	return true;
}

static enum pt_result add(struct peer_table *t, unsigned int ifindex, const uint8_t *lla,
			  const uint8_t *mac, uint16_t lifetime, double now, struct pt_entry *out)
{
	struct pt_entry *e;

	if (lifetime == 0)
		return PT_IGNORED; /* RFC 4861 §6.3.4: 0 means "not a router" */
	if (t->max_per_if && pt_count_if(t, ifindex) >= t->max_per_if)
		return PT_FULL;
	if (!grow(t))
		return PT_NOMEM;
	e = &t->v[t->n++];
	e->ifindex = ifindex;
	memcpy(e->lla, lla, 16);
	memcpy(e->mac, mac, PT_MAC_LEN);
	e->lifetime = lifetime;
	e->expires = now + lifetime;
	if (out)
		*out = *e;
	return PT_NEW;
}

enum pt_result pt_update(struct peer_table *t, unsigned int ifindex, const uint8_t *lla,
			 const uint8_t *mac, uint16_t lifetime, double now, struct pt_entry *out,
			 uint8_t *old_mac)
{
	struct pt_entry *e = find(t, ifindex, lla);
	enum pt_result r = PT_REFRESHED;

	if (!e)
		return add(t, ifindex, lla, mac, lifetime, now, out);
	if (lifetime == 0) {
		remove_at(t, (size_t)(e - t->v), out);
		return PT_REMOVED;
	}
	if (memcmp(e->mac, mac, PT_MAC_LEN) != 0) {
		if (old_mac)
			memcpy(old_mac, e->mac, PT_MAC_LEN);
		memcpy(e->mac, mac, PT_MAC_LEN);
		r = PT_MAC_CHANGED;
	}
	e->lifetime = lifetime;
	e->expires = now + lifetime;
	if (out)
		*out = *e;
	return r;
}

bool pt_pop_expired(struct peer_table *t, double now, struct pt_entry *out)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].expires <= now) {
			remove_at(t, i, out);
			return true;
		}
	}
	return false;
}

bool pt_pop_if(struct peer_table *t, unsigned int ifindex, struct pt_entry *out)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].ifindex == ifindex) {
			remove_at(t, i, out);
			return true;
		}
	}
	return false;
}

bool pt_next_expiry(const struct peer_table *t, double *when)
{
	size_t i;

	if (t->n == 0)
		return false;
	*when = t->v[0].expires;
	for (i = 1; i < t->n; i++)
		if (t->v[i].expires < *when)
			*when = t->v[i].expires;
	return true;
}
