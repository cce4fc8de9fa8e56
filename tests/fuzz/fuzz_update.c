/*
 * libFuzzer target for the UPDATE codec: the first input octet picks what
 * was negotiated (4-octet AS, iBGP, address families, extended next hop,
 * extended messages), the rest is the UPDATE body after the header. Beyond
 * memory safety it checks that:
 *  - the action, reason and NOTIFICATION agree with each other;
 *  - every NLRI block of a decoded message iterates to its exact end;
 *  - what decodes cleanly re-encodes (interned through attr.c) to messages
 *    that decode to the same interned attributes and the same prefixes,
 *    withdrawals and End-of-RIB markers included;
 *  - the attribute pool is empty again after every input.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_update.c \
 *         routerd/bgp/update.c routerd/rib/attr.c -o fuzz_update
 *   ./fuzz_update -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "routerd/bgp/update.h"
#include "routerd/rib/attr.h"

#define MAX_PFX 16384

static struct update_scratch scratch, scratch2;
static struct attr_pool *pool;
static struct prefix pfx[MAX_PFX], back[MAX_PFX];
static uint8_t out[BGP_EXT_MAX_MSG_LEN];

static void check(int ok)
{
	if (!ok)
		abort();
}

static void ctx_from(uint8_t sel, struct update_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->as4 = sel & 1;
	c->ibgp = sel & 2;
	c->afs = (sel & 4 ? BGP_AF_IPV4_UNICAST : 0) | (sel & 8 ? BGP_AF_IPV6_UNICAST : 0);
	c->ext_nexthop = sel & 16 ? BGP_AF_IPV4_UNICAST : 0;
}

static size_t collect(const struct update_nlri *block, struct prefix *dst, size_t max)
{
	struct update_nlri_iter it;
	struct prefix p;
	size_t n = 0, octets = 0;

	update_nlri_iter_init(&it, block);
	while (update_nlri_next(&it, &p)) {
		check(p.family == block->family);
		octets += 1 + ((size_t)p.len + 7) / 8;
		if (n < max)
			dst[n] = p;
		n++;
	}
	/* validated up front: iteration never stops early */
	check(octets == block->len);
	return n;
}

static bool path_has_confed(const struct aspath *p)
{
	size_t off = 0;

	while (off + 2 <= p->len) {
		if (p->data[off] == ASPATH_CONFED_SEQUENCE || p->data[off] == ASPATH_CONFED_SET)
			return true;
		off += 2 + (size_t)p->data[off + 1] * 4;
	}
	return false;
}

static struct attrs *intern_msg(const struct update_msg *u, bool mp, bool ibgp_lp)
{
	const struct update_attrs *d = &u->attrs;
	struct attrs t;
	struct attrs *a;

	update_fill_template(u, mp, &t);
	/* iBGP always gets LOCAL_PREF, 100 when unset (RFC 4271 §5.1.5) */
	if (ibgp_lp && !(t.flags & ATTR_HAS_LOCAL_PREF)) {
		t.flags |= ATTR_HAS_LOCAL_PREF;
		t.local_pref = 100;
	}
	t.aspath = aspath_intern(pool, d->aspath, d->aspath_len);
	check(t.aspath != NULL);
	if (d->ncommunities)
		t.communities = community_list_intern(pool, d->communities, d->ncommunities);
	if (d->nlcommunities)
		t.lcommunities = lcommunity_list_intern(pool, d->lcommunities, d->nlcommunities);
	if (d->unknown_len)
		t.unknown = attr_blob_intern(pool, d->unknown, d->unknown_len);
	a = attrs_intern(pool, &t);
	check(a != NULL);
	aspath_unref(pool, t.aspath);
	community_list_unref(pool, t.communities);
	lcommunity_list_unref(pool, t.lcommunities);
	attr_blob_unref(pool, t.unknown);
	return a;
}

/* Re-encodes one announced block and checks it decodes to the same set and prefixes. */
static void check_announce(const struct update_msg *u, const struct update_nlri *block, bool mp,
			   const struct update_ctx *c)
{
	struct update_enc_ctx ec = { c->as4, c->ibgp, c->ext_nexthop != 0, BGP_EXT_MAX_MSG_LEN };
	size_t n = collect(block, pfx, MAX_PFX), done = 0;
	struct attrs *a;

	if (!n || n > MAX_PFX)
		return;
	a = intern_msg(u, mp, c->ibgp);
	/*
	 * To a 2-octet peer confederation segments stay out of AS4_PATH
	 * (RFC 6793 §4.2.2), so only leading ones survive the trip: skip those.
	 */
	if (!c->as4 && path_has_confed(a->aspath)) {
		attrs_unref(pool, a);
		return;
	}
	while (done < n) {
		struct update_msg u2;
		struct bgp_notify err;
		struct attrs *b;
		size_t used = 0, len, got;

		len = update_encode(out, sizeof(out), a, block->family, &ec, pfx + done, n - done,
				    &used);
		check(len > 0 && used > 0);
		check(update_decode(out, len, c, &scratch2, &u2, &err) == UPDATE_OK);
		got = collect(u2.mp_reach.family ? &u2.mp_reach : &u2.nlri, back, MAX_PFX);
		check(got == used);
		check(memcmp(back, pfx + done, used * sizeof(*back)) == 0);
		b = intern_msg(&u2, u2.mp_reach.family != 0, false);
		check(a == b);
		attrs_unref(pool, b);
		done += used;
	}
	attrs_unref(pool, a);
}

static void check_withdraw(const struct update_nlri *block, const struct update_ctx *c)
{
	struct update_enc_ctx ec = { c->as4, c->ibgp, false, BGP_EXT_MAX_MSG_LEN };
	size_t n = collect(block, pfx, MAX_PFX), done = 0;

	if (!n || n > MAX_PFX)
		return;
	while (done < n) {
		struct update_msg u2;
		struct bgp_notify err;
		size_t used = 0, len, got;

		len = update_withdraw_encode(out, sizeof(out), block->family, &ec, pfx + done,
					     n - done, &used);
		check(len > 0 && used > 0);
		check(update_decode(out, len, c, &scratch2, &u2, &err) == UPDATE_OK);
		got = collect(block->family == AF_INET ? &u2.withdrawn : &u2.mp_unreach, back,
			      MAX_PFX);
		check(got == used && !memcmp(back, pfx + done, used * sizeof(*back)));
		done += used;
	}
}

static void check_eor(uint32_t eor, const struct update_ctx *c)
{
	struct update_msg u2;
	struct bgp_notify err;
	size_t len;

	if (eor & BGP_AF_IPV4_UNICAST) {
		len = update_eor_encode(out, sizeof(out), AF_INET);
		check(update_decode(out, len, c, &scratch2, &u2, &err) == UPDATE_OK);
		check(u2.eor == BGP_AF_IPV4_UNICAST);
	}
	if (eor & BGP_AF_IPV6_UNICAST) {
		len = update_eor_encode(out, sizeof(out), AF_INET6);
		check(update_decode(out, len, c, &scratch2, &u2, &err) == UPDATE_OK);
		check(u2.eor == BGP_AF_IPV6_UNICAST);
	}
}

static void check_clean(const struct update_msg *u, const struct update_ctx *c)
{
	check_announce(u, &u->nlri, false, c);
	if (u->mp_reach.family)
		check_announce(u, &u->mp_reach, true, c);
	check_withdraw(&u->withdrawn, c);
	if (u->mp_unreach.family)
		check_withdraw(&u->mp_unreach, c);
	check_eor(u->eor, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct update_ctx c;
	struct update_msg u;
	struct bgp_notify err;
	struct attr_pool_stats st;
	enum update_action act;
	size_t max, len;
	uint8_t *msg;

	if (size < 1)
		return 0;
	if (!pool)
		pool = attr_pool_new();
	ctx_from(data[0], &c);
	max = data[0] & 32 ? BGP_EXT_MAX_MSG_LEN : BGP_MAX_MSG_LEN;
	if (size - 1 > max - BGP_HEADER_LEN)
		return 0;
	len = BGP_HEADER_LEN + size - 1;
	/* exact size, so ASan sees any read past the message */
	msg = malloc(len);
	check(msg != NULL);
	memset(msg, 0xff, 16);
	msg[16] = (uint8_t)(len >> 8);
	msg[17] = (uint8_t)len;
	msg[18] = BGP_MSG_UPDATE;
	memcpy(msg + BGP_HEADER_LEN, data + 1, size - 1);

	memset(&err, 0, sizeof(err));
	act = update_decode(msg, len, &c, &scratch, &u, &err);
	check(act >= UPDATE_OK && act <= UPDATE_SESSION_RESET);
	check((act == UPDATE_OK) == (u.reason == NULL));
	(void)update_action_name(act);
	if (act == UPDATE_SESSION_RESET) {
		check(err.code == BGP_ERR_UPDATE && err.subcode >= 1 && err.subcode <= 11);
		check(err.data_len <= BGP_NOTIFY_DATA_MAX);
	} else {
		check(err.code == 0);
		collect(&u.withdrawn, pfx, 0);
		collect(&u.nlri, pfx, 0);
		collect(&u.mp_reach, pfx, 0);
		collect(&u.mp_unreach, pfx, 0);
		if (act != UPDATE_TREAT_AS_WITHDRAW)
			check_clean(&u, &c);
	}
	free(msg);
	attr_pool_stats(pool, &st);
	check(st.attrs == 0 && st.aspaths == 0 && st.communities == 0 && st.lcommunities == 0 &&
	      st.blobs == 0);
	return 0;
}
