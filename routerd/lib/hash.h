/*
 * Hash functions shared by routerd's tables: the RIB and adj-RIB-out prefix
 * indexes, the FIB route and nexthop tables and the interned attributes.
 *
 * Pure: static inline, no state, no I/O.
 */
#ifndef ROUTERD_LIB_HASH_H
#define ROUTERD_LIB_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* MurmurHash3's finalizers (public-domain algorithm): every input bit reaches every output bit. */
static inline uint32_t hash_fmix32(uint32_t h)
{
	h = (h ^ (h >> 16)) * 0x85ebca6bu;
	h = (h ^ (h >> 13)) * 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static inline uint64_t hash_fmix64(uint64_t h)
{
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
	h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static inline uint32_t hash_rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline uint32_t hash_mix_block(uint32_t h, uint32_t k)
{
	k = hash_rotl32(k * 0xcc9e2d51u, 15) * 0x1b873593u;
	return hash_rotl32(h ^ k, 13) * 5 + 0xe6546b64u;
}

/*
 * MurmurHash3 x86_32's mixing over any bytes (the tail block, zero-padded,
 * goes through the same mix as a full one); the seed keeps equal bytes of
 * different kinds apart.
 */
static inline uint32_t hash_bytes(const void *data, size_t len, uint32_t seed)
{
	const uint8_t *p = data;
	uint32_t h = seed;
	uint32_t k;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&k, p + i, 4);
		h = hash_mix_block(h, k);
	}
	if (len > i) {
		k = 0;
		memcpy(&k, p + i, len - i);
		h = hash_mix_block(h, k);
	}
	return hash_fmix32(h ^ (uint32_t)len);
}

/*
 * A table key made of 32-bit words (len a multiple of 4: an IPv4 or IPv6
 * prefix's address, a nexthop key) and a small salt such as the prefix
 * length. Cheaper than hash_bytes() for the 4- and 16-byte keys of a full
 * table: one finalizer round per word.
 */
static inline uint32_t hash_words(const void *key, size_t len, uint32_t salt)
{
	const uint8_t *p = key;
	uint32_t h = salt * 0x9e3779b9u;
	uint32_t w;

	for (size_t i = 0; i < len; i += 4) {
		memcpy(&w, p + i, 4);
		h = hash_fmix32(h ^ w);
	}
	return h;
}

/*
 * Backward-shift deletion in a linear-probing table of mask + 1 slots: may
 * the entry at slot j, whose home slot is home, move back into the hole?
 * Only if its home does not lie cyclically in (hole, j]: moved in front of
 * its home, it would be out of reach of a lookup that starts there.
 */
static inline bool hash_probe_may_fill(uint32_t home, uint32_t hole, uint32_t j, uint32_t mask)
{
	return ((j - home) & mask) >= ((j - hole) & mask);
}

#endif
