/*
 * libFuzzer target for the RA/RS decoders (ndra/ra.c). Each input is fed
 * to both decoders as if it came from fe80::1 with hop limit 255, so the
 * fuzzer gets past the IPv6-header checks into header and option parsing.
 * An accepted RA is re-encoded and decoded again, which must give the
 * same message back.
 *
 *   clang -g -fsanitize=fuzzer,address -I. tests/fuzz/fuzz_ra.c ndra/ra.c -o /tmp/fuzz_ra
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ndra/ra.h"

static void check_ra_roundtrip(const struct ra_msg *m, const struct ra_rx_meta *meta)
{
	uint8_t buf[RA_MAX_LEN];
	struct ra_msg again, want;
	size_t n;

	memcpy(&want, m, sizeof(want)); /* padding included, for memcmp */

	n = ra_encode(buf, sizeof(buf), m);
	if (n == 0)
		abort(); /* a decoded RA always fits and always encodes */
	if (ra_decode(buf, n, meta, &again) != RA_OK)
		abort();
	want.n_skipped = 0; /* the encoder writes only what it knows */
	if (memcmp(&again, &want, sizeof(want)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_rx_meta meta = { .hop_limit = 255, .src = { 0xfe, 0x80, [15] = 0x01 } };
	struct ra_msg ra;
	struct rs_msg rs;
	enum ra_drop_reason r;
	uint8_t *copy;

	/* an exact-size heap copy, so ASan catches any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);

	r = ra_decode(copy, size, &meta, &ra);
	if ((unsigned int)r >= RA_DROP__COUNT)
		abort();
	if (r == RA_OK)
		check_ra_roundtrip(&ra, &meta);

	r = rs_decode(copy, size, &meta, &rs);
	if ((unsigned int)r >= RA_DROP__COUNT)
		abort();

	free(copy);
	return 0;
}
