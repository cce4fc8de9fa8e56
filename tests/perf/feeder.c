/*
 * perf-feeder: the two halves of tests/perf/ingest.
 *
 *   perf-feeder feed --peer A.B.C.D [--port P] [--prefixes N] [--seed S]
 *                    [--per-set K] [--order spread|sorted] [--as ASN]
 *                    [--next-hop A.B.C.D] [--hold SECONDS] [--connect-timeout S]
 *
 * A minimal BGP speaker (AS 65100 by default). It builds the whole table in
 * memory first, then connects to the peer (retrying while nothing listens),
 * sends OPEN (4-octet AS, MP IPv4 unicast, route refresh), answers with
 * KEEPALIVE, and once the session is Established writes N IPv4 prefixes as
 * fast as TCP takes them: distinct /24s and /22s in 1.0.0.0-223.255.255.255
 * (never 127/8, 169.254/16 or the lab's 192.0.0.0/22), about K prefixes
 * per attribute set (1..2K-1, mean K), AS paths of 2-6 ASes from a seeded
 * PRNG, each attribute set in one UPDATE of at most 4096 bytes, then
 * End-of-RIB. It then keeps the session alive with KEEPALIVEs until SIGTERM
 * or SIGINT, when it sends a Cease NOTIFICATION and exits 0.
 * Its own hold timer is not enforced: a busy daemon under test must not
 * lose the session to the feeder. Reports on stdout, one line per event,
 * with CLOCK_MONOTONIC seconds:
 *   built <prefixes> <updates> <bytes> <attribute sets>
 *   established <t> <hold>
 *   first_update <t>
 *   sent <t> <bytes> <updates>
 *   notification <t> <code> <subcode>    (then exit 3)
 *   closed <t>                           (the peer closed; exit 4)
 *
 *   perf-feeder fibcount --target N [--every SECONDS] [--no-bpf]
 *
 * Counts the IPv4 unicast routes of the main table in the current network
 * namespace, except those of protocol kernel/boot (connected routes): one
 * dump, then the kernel's route notifications, counted by an eBPF socket
 * filter that drops them (see attach_counter: no copy, no queue, no wakeup
 * per route; polling the whole table, or reading every notification, costs
 * the daemon under test measurably at a million routes). --no-bpf, or a
 * kernel that refuses the filter, reads every notification instead.
 * Reports `ready <t> <count> bpf|recv`, `count <t> <count>` every --every
 * seconds (default 0.5), `overrun <t>` (recv only: the socket overflowed,
 * it dumps again), `done <t> <count>` when the count reaches N (up to 5 ms
 * late), then with bpf `verified <t> <count by a dump> <replaced>`, and
 * exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BGP_MAX	    4096
#define BGP_HDR	    19
#define T_OPEN	    1
#define T_UPDATE    2
#define T_NOTIFY    3
#define T_KEEPALIVE 4
#define BATCH	    512	    /* fibcount: datagrams per recvmmsg */
#define POLL_NS	    5000000 /* fibcount: 5 ms between reads */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "perf-feeder: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("%s", "out of memory");
	return p;
}

/* ---- growable byte buffer ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static uint8_t *buf_room(struct buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1 << 16;
		while (b->len + n > b->cap)
			b->cap *= 2;
		b->p = xrealloc(b->p, b->cap);
	}
	b->len += n;
	return b->p + b->len - n;
}

static void put8(struct buf *b, unsigned v)
{
	*buf_room(b, 1) = (uint8_t)v;
}

static void put16(struct buf *b, unsigned v)
{
	uint8_t *p = buf_room(b, 2);

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t *p = buf_room(b, 4);

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void set16(struct buf *b, size_t at, unsigned v)
{
	b->p[at] = (uint8_t)(v >> 8);
	b->p[at + 1] = (uint8_t)v;
}

static size_t bgp_begin(struct buf *b, unsigned type)
{
	size_t at = b->len;

	memset(buf_room(b, 16), 0xff, 16);
	put16(b, 0);
	put8(b, type);
	return at;
}

static void bgp_end(struct buf *b, size_t at)
{
	set16(b, at + 16, (unsigned)(b->len - at));
}

/* ---- seeded PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	return mix64(rng_state);
}

/* ---- the table ---- */

struct pfx {
	uint32_t addr; /* host order */
	uint8_t len;
};

#define FIRST_ADDR 0x01000000u	   /* 1.0.0.0 */
#define N_BLOCKS   (223u * 16384u) /* /22 blocks in 1.0.0.0-223.255.255.255 */

static bool excluded(uint32_t a)
{
	return (a >> 24) == 127 || (a >> 16) == 0xa9fe /* 169.254/16 */ ||
	       (a >> 10) == (0xc0000000u >> 10) /* 192.0.0.0/22 holds the lab's 192.0.2.0/24 */;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* N distinct prefixes: /22 blocks visited in a scattered order (a stride
 * coprime with the number of blocks), each giving either the /22 itself
 * (one in five) or one of its four /24s. */
static struct pfx *make_prefixes(unsigned long n, uint64_t seed, bool sorted)
{
	struct pfx *v = xrealloc(NULL, n * sizeof(*v));
	uint64_t step = 2654435761u % N_BLOCKS, off = mix64(seed) % N_BLOCKS;
	unsigned long got = 0;

	while (gcd(step, N_BLOCKS) != 1)
		step++;
	for (uint64_t i = 0; got < n; i++) {
		uint64_t b = (i * step + off) % N_BLOCKS, r = mix64(b ^ (seed << 32));
		uint32_t a = FIRST_ADDR + ((uint32_t)b << 10);

		if (i >= N_BLOCKS)
			die("%s", "--prefixes: more than the address space holds");
		if (excluded(a))
			continue;
		if (r % 5 == 0) {
			v[got].addr = a;
			v[got].len = 22;
		} else {
			v[got].addr = a + (uint32_t)(((r >> 8) % 4) << 8);
			v[got].len = 24;
		}
		got++;
	}
	if (sorted)
		qsort(v, n, sizeof(*v), pfx_cmp);
	return v;
}

static uint32_t random_asn(void)
{
	uint64_t r = rnd();

	if (r % 10 < 6) {
		uint32_t a = 1 + (uint32_t)((r >> 8) % 64495);

		return a == 23456 ? 23457 : a;
	}
	return 131072 + (uint32_t)((r >> 8) % 270000);
}

struct table {
	struct buf out;
	unsigned long updates, sets;
};

static void put_attrs(struct buf *b, uint32_t my_as, uint32_t nh)
{
	unsigned hops = 2 + (unsigned)(rnd() % 5); /* 2..6 ASes, ours first */

	/* ORIGIN: mostly IGP */
	put8(b, 0x40);
	put8(b, 1);
	put8(b, 1);
	put8(b, rnd() % 8 == 0 ? 2 : 0);
	/* AS_PATH: one AS_SEQUENCE of 4-octet ASes */
	put8(b, 0x40);
	put8(b, 2);
	put8(b, 2 + 4 * hops);
	put8(b, 2);
	put8(b, hops);
	put32(b, my_as);
	for (unsigned i = 1; i < hops; i++)
		put32(b, random_asn());
	/* NEXT_HOP */
	put8(b, 0x40);
	put8(b, 3);
	put8(b, 4);
	put32(b, nh);
	/* MULTI_EXIT_DISC on a third of the sets */
	if (rnd() % 3 == 0) {
		put8(b, 0x80);
		put8(b, 4);
		put8(b, 4);
		put32(b, (uint32_t)(rnd() % 1000));
	}
	/* COMMUNITIES (1..3) on a third of the sets */
	if (rnd() % 3 == 0) {
		unsigned k = 1 + (unsigned)(rnd() % 3);

		put8(b, 0xc0);
		put8(b, 8);
		put8(b, 4 * k);
		for (unsigned i = 0; i < k; i++)
			put32(b, (uint32_t)(((rnd() % 65000) + 1) << 16 | (rnd() % 1000)));
	}
}

static void put_nlri(struct buf *b, const struct pfx *p)
{
	unsigned bytes = (p->len + 7u) / 8u;

	put8(b, p->len);
	for (unsigned i = 0; i < bytes; i++)
		put8(b, (p->addr >> (24 - 8 * i)) & 0xff);
}

/* One UPDATE per attribute set; a set that does not fit 4096 bytes goes on
 * in further UPDATEs with the same attributes. */
static void build_table(struct table *t, const struct pfx *v, unsigned long n, unsigned per_set,
			uint32_t my_as, uint32_t nh)
{
	unsigned long i = 0;

	while (i < n) {
		unsigned long k = 1 + rnd() % (2 * per_set - 1), end = i + k < n ? i + k : n;
		struct buf attrs = { 0 };

		put_attrs(&attrs, my_as, nh);
		t->sets++;
		while (i < end) {
			size_t at = bgp_begin(&t->out, T_UPDATE);

			put16(&t->out, 0); /* no withdrawn routes */
			put16(&t->out, (unsigned)attrs.len);
			memcpy(buf_room(&t->out, attrs.len), attrs.p, attrs.len);
			while (i < end && t->out.len - at + 1 + (v[i].len + 7u) / 8u <= BGP_MAX)
				put_nlri(&t->out, &v[i++]);
			bgp_end(&t->out, at);
			t->updates++;
		}
		free(attrs.p);
	}
	/* End-of-RIB for IPv4 unicast: an empty UPDATE */
	{
		size_t at = bgp_begin(&t->out, T_UPDATE);

		put16(&t->out, 0);
		put16(&t->out, 0);
		bgp_end(&t->out, at);
	}
}

/* ---- the session ---- */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

struct feeder {
	const char *peer;
	unsigned port, per_set, hold;
	unsigned long n;
	uint64_t seed;
	bool sorted;
	uint32_t my_as, nh;
	double connect_timeout;

	int fd;
	struct buf in;
	bool got_open, established;
	unsigned peer_hold;
	bool peer_as4;
};

static void write_all_blocking(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0)
			die("write: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

static void send_keepalive(int fd)
{
	struct buf b = { 0 };
	size_t at = bgp_begin(&b, T_KEEPALIVE);

	bgp_end(&b, at);
	write_all_blocking(fd, b.p, b.len);
	free(b.p);
}

static void send_open(struct feeder *f)
{
	struct buf b = { 0 };
	size_t at = bgp_begin(&b, T_OPEN), opt;

	put8(&b, 4);
	put16(&b, f->my_as > 65535 ? 23456 : f->my_as);
	put16(&b, f->hold);
	put32(&b, f->nh); /* BGP identifier: our address */
	opt = b.len;
	put8(&b, 0);
	/* one capabilities parameter holding all three */
	put8(&b, 2);
	put8(&b, 6 + 2 + 6);
	put8(&b, 1); /* multiprotocol: IPv4 unicast */
	put8(&b, 4);
	put16(&b, 1);
	put8(&b, 0);
	put8(&b, 1);
	put8(&b, 2); /* route refresh */
	put8(&b, 0);
	put8(&b, 65); /* 4-octet AS */
	put8(&b, 4);
	put32(&b, f->my_as);
	b.p[opt] = (uint8_t)(b.len - opt - 1);
	bgp_end(&b, at);
	write_all_blocking(f->fd, b.p, b.len);
	free(b.p);
}

static void send_cease(int fd)
{
	struct buf b = { 0 };
	size_t at = bgp_begin(&b, T_NOTIFY);

	put8(&b, 6);
	put8(&b, 2); /* Cease / Administrative Shutdown */
	bgp_end(&b, at);
	if (write(fd, b.p, b.len) < 0) {
		/* the peer may be gone already */
	}
	free(b.p);
}

static void parse_open(struct feeder *f, const uint8_t *m, size_t len)
{
	size_t optlen, i;

	if (len < BGP_HDR + 10)
		die("%s", "short OPEN");
	f->peer_hold = (unsigned)(m[BGP_HDR + 3] << 8 | m[BGP_HDR + 4]);
	optlen = m[BGP_HDR + 9];
	for (i = BGP_HDR + 10; i + 2 <= len && i < BGP_HDR + 10 + optlen;) {
		unsigned ptype = m[i], plen = m[i + 1];

		if (ptype == 2) {
			for (size_t c = i + 2; c + 2 <= i + 2 + plen && c + 2 <= len;) {
				if (m[c] == 65)
					f->peer_as4 = true;
				c += 2 + m[c + 1];
			}
		}
		i += 2 + plen;
	}
	f->got_open = true;
}

/* Reads what the peer sent and handles each whole message. Returns false
 * when the connection ended. */
static bool read_peer(struct feeder *f)
{
	for (;;) {
		uint8_t *room;
		ssize_t r;
		size_t off = 0;

		if (f->in.cap - f->in.len < 65536) {
			buf_room(&f->in, 65536);
			f->in.len -= 65536;
		}
		room = f->in.p + f->in.len;
		r = read(f->fd, room, f->in.cap - f->in.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return true;
		if (r <= 0)
			return false;
		f->in.len += (size_t)r;
		while (f->in.len - off >= BGP_HDR) {
			const uint8_t *m = f->in.p + off;
			size_t mlen = (size_t)(m[16] << 8 | m[17]);

			if (mlen < BGP_HDR || mlen > 65535)
				die("%s", "bad message length from peer");
			if (f->in.len - off < mlen)
				break;
			switch (m[18]) {
			case T_OPEN:
				parse_open(f, m, mlen);
				if (!f->peer_as4)
					die("%s", "the peer did not announce 4-octet AS");
				send_keepalive(f->fd);
				break;
			case T_KEEPALIVE:
				if (f->got_open && !f->established) {
					f->established = true;
					printf("established %.6f %u\n", now_s(),
					       f->hold < f->peer_hold ? f->hold : f->peer_hold);
				}
				break;
			case T_NOTIFY:
				printf("notification %.6f %u %u\n", now_s(), mlen > 19 ? m[19] : 0,
				       mlen > 20 ? m[20] : 0);
				exit(3);
			default:
				break; /* UPDATEs and ROUTE-REFRESH are ignored */
			}
			off += mlen;
		}
		memmove(f->in.p, f->in.p + off, f->in.len - off);
		f->in.len -= off;
	}
}

static int tcp_connect(struct feeder *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	double deadline = now_s() + f->connect_timeout;
	int one = 1;

	if (inet_pton(AF_INET, f->peer, &sa.sin_addr) != 1)
		die("bad --peer %s", f->peer);
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if (stop_requested || now_s() > deadline)
			die("connect: %s", strerror(errno));
		usleep(100000);
	}
}

static int run_feed(struct feeder *f)
{
	struct table t = { 0 };
	struct pfx *v = make_prefixes(f->n, f->seed, f->sorted);
	size_t sent = 0;
	double next_ka, ka_every;
	bool reported_sent = false;

	rng_state = f->seed;
	build_table(&t, v, f->n, f->per_set, f->my_as, f->nh);
	free(v);
	printf("built %lu %lu %zu %lu\n", f->n, t.updates, t.out.len, t.sets);

	f->fd = tcp_connect(f);
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	send_open(f);
	while (!f->established) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };

		if (stop_requested)
			return 0;
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (pfd.revents && !read_peer(f)) {
			printf("closed %.6f\n", now_s());
			return 4;
		}
	}
	ka_every = (f->hold < f->peer_hold ? f->hold : f->peer_hold) / 3.0;
	if (ka_every <= 0)
		ka_every = 30;
	printf("first_update %.6f\n", now_s());
	next_ka = now_s() + ka_every;
	while (!stop_requested) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		double now = now_s();
		int timeout;

		if (sent < t.out.len) {
			ssize_t w = write(f->fd, t.out.p + sent, t.out.len - sent);

			if (w > 0)
				sent += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				die("write: %s", strerror(errno));
			if (sent < t.out.len)
				pfd.events |= POLLOUT;
		}
		if (sent == t.out.len && !reported_sent) {
			printf("sent %.6f %zu %lu\n", now_s(), t.out.len, t.updates + 1);
			reported_sent = true;
			next_ka = now_s() + ka_every;
		}
		if (reported_sent && now >= next_ka) {
			send_keepalive(f->fd);
			next_ka = now + ka_every;
		}
		timeout = reported_sent ? (int)((next_ka - now) * 1000) + 1 : 1000;
		if (timeout < 0)
			timeout = 0;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && !read_peer(f)) {
			printf("closed %.6f\n", now_s());
			return 4;
		}
	}
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
	send_cease(f->fd);
	close(f->fd);
	return 0;
}

/* ---- fibcount: route notifications into a set of prefixes ---- */

struct set {
	uint64_t *slot; /* 0 = empty; keys are never 0 (length 0 is stored as 64) */
	size_t cap, n;
};

static size_t set_hash(uint64_t k, size_t cap)
{
	return (size_t)(mix64(k) & (cap - 1));
}

static bool set_add(struct set *s, uint64_t k);

static void set_grow(struct set *s)
{
	struct set ns = { .cap = s->cap ? s->cap * 2 : 1 << 16 };

	ns.slot = calloc(ns.cap, sizeof(uint64_t));
	if (!ns.slot)
		die("%s", "out of memory");
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			set_add(&ns, s->slot[i]);
	free(s->slot);
	*s = ns;
}

static bool set_add(struct set *s, uint64_t k)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		set_grow(s);
	for (i = set_hash(k, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return false;
	s->slot[i] = k;
	s->n++;
	return true;
}

/* Linear probing with backward-shift deletion: no tombstones. */
static void set_del(struct set *s, uint64_t k)
{
	size_t i, j;

	if (!s->cap)
		return;
	for (i = set_hash(k, s->cap); s->slot[i] != k; i = (i + 1) & (s->cap - 1))
		if (!s->slot[i])
			return;
	s->slot[i] = 0;
	s->n--;
	for (j = (i + 1) & (s->cap - 1); s->slot[j]; j = (j + 1) & (s->cap - 1)) {
		size_t h = set_hash(s->slot[j], s->cap);

		/* move slot j back to i unless its home lies cyclically in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

static void set_clear(struct set *s)
{
	if (s->slot)
		memset(s->slot, 0, s->cap * sizeof(uint64_t));
	s->n = 0;
}

/* The key of a route worth counting, or 0. */
static uint64_t route_key(const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rtm));
	uint32_t table = rtm->rtm_table, dst = 0, prio = 0;

	if (len < 0 || rtm->rtm_family != AF_INET || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol == RTPROT_KERNEL || rtm->rtm_protocol == RTPROT_BOOT)
		return 0;
	for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= 4)
			memcpy(&dst, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_PRIORITY && RTA_PAYLOAD(a) >= 4)
			memcpy(&prio, RTA_DATA(a), 4);
	}
	if (table != RT_TABLE_MAIN)
		return 0;
	return (uint64_t)ntohl(dst) << 32 |
	       (uint64_t)(rtm->rtm_dst_len ? rtm->rtm_dst_len : 64) << 24 | (prio & 0xffffff);
}

/* Handles a buffer of netlink messages; returns 1 at NLMSG_DONE. */
static int handle_nl(struct set *s, const uint8_t *p, size_t n)
{
	for (const struct nlmsghdr *h = (const void *)p; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		uint64_t k;

		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR)
			return 1;
		if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
			continue;
		k = route_key(h);
		if (!k)
			continue;
		if (h->nlmsg_type == RTM_NEWROUTE)
			set_add(s, k);
		else
			set_del(s, k);
	}
	return 0;
}

static void dump_routes(struct set *s, uint8_t *buf, size_t bufsz)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req = { .h = { .nlmsg_len = sizeof(req),
			 .nlmsg_type = RTM_GETROUTE,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			 .nlmsg_seq = 1 },
		  .r = { .rtm_family = AF_INET } };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0 || send(fd, &req, sizeof(req), 0) < 0)
		die("netlink dump: %s", strerror(errno));
	for (;;) {
		ssize_t r = recv(fd, buf, bufsz, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("netlink dump: %s", strerror(errno));
		if (handle_nl(s, buf, (size_t)r))
			break;
	}
	close(fd);
}

/*
 * The cheap way: a socket filter (eBPF) on the notification socket counts
 * each route created, deleted or replaced into an array map and drops the
 * message, so nothing is queued, copied or woken per route; the count is
 * read from the map every 5 ms. Created = RTM_NEWROUTE without
 * NLM_F_REPLACE, deleted = RTM_DELROUTE, both only for AF_INET unicast
 * routes of the main table not of protocol kernel/boot (as route_key).
 * The kernel does not notify routes it drops with a nexthop object or a
 * link; `verified` (a dump after `done`) is the exact figure.
 */
#define INSN(c, d, s_, o, i)                                                                       \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_), .off = (o), .imm = (i) })
#define MOV_REG(d, s_)	  INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s_, 0, 0)
#define MOV_IMM(d, i)	  INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s_, o) INSN(BPF_LDX | (sz) | BPF_MEM, d, s_, o, 0)
#define STX(sz, d, s_, o) INSN(BPF_STX | (sz) | BPF_MEM, d, s_, o, 0)
#define JMP_IMM(op, d, i, to)                                                                      \
	INSN(BPF_JMP | (op) | BPF_K, d, 0, to, i) /* to: absolute, fixed below */
#define JA(to)	 INSN(BPF_JMP | BPF_JA, 0, 0, to, 0)
#define CALL(fn) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT()	 INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { C_CREATED, C_DELETED, C_REPLACED, C_N };

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* Returns the map fd, or -1 (errno set) when the kernel refuses. */
static int attach_counter(int sock)
{
	union bpf_attr m = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = C_N
	};
	int map = (int)sys_bpf(BPF_MAP_CREATE, &m), prog;
	enum { OUT = 36, DEL = 26, LOOKUP = 27 };
	/* The message's first 24 octets (nlmsghdr + rtmsg) are copied to fp-24. */
	struct bpf_insn insns[] = {
		/* 0 */ MOV_REG(BPF_REG_6, BPF_REG_1),
		MOV_REG(BPF_REG_1, BPF_REG_6),
		MOV_IMM(BPF_REG_2, 0),
		MOV_REG(BPF_REG_3, BPF_REG_10),
		ALU_IMM(BPF_ADD, BPF_REG_3, -24),
		/* 5 */ MOV_IMM(BPF_REG_4, 24),
		CALL(BPF_FUNC_skb_load_bytes),
		JMP_IMM(BPF_JNE, BPF_REG_0, 0, OUT),
		LDX(BPF_B, BPF_REG_1, BPF_REG_10, -24 + 16), /* rtm_family */
		JMP_IMM(BPF_JNE, BPF_REG_1, AF_INET, OUT),
		/* 10 */ LDX(BPF_B, BPF_REG_1, BPF_REG_10, -24 + 20), /* rtm_table */
		JMP_IMM(BPF_JNE, BPF_REG_1, RT_TABLE_MAIN, OUT),
		LDX(BPF_B, BPF_REG_1, BPF_REG_10, -24 + 21), /* rtm_protocol */
		JMP_IMM(BPF_JEQ, BPF_REG_1, RTPROT_KERNEL, OUT),
		JMP_IMM(BPF_JEQ, BPF_REG_1, RTPROT_BOOT, OUT),
		/* 15 */ LDX(BPF_B, BPF_REG_1, BPF_REG_10, -24 + 23), /* rtm_type */
		JMP_IMM(BPF_JNE, BPF_REG_1, RTN_UNICAST, OUT),
		LDX(BPF_H, BPF_REG_1, BPF_REG_10, -24 + 4), /* nlmsg_type */
		MOV_IMM(BPF_REG_7, C_CREATED),
		JMP_IMM(BPF_JEQ, BPF_REG_1, RTM_DELROUTE, DEL),
		/* 20 */ JMP_IMM(BPF_JNE, BPF_REG_1, RTM_NEWROUTE, OUT),
		LDX(BPF_H, BPF_REG_1, BPF_REG_10, -24 + 6), /* nlmsg_flags */
		ALU_IMM(BPF_AND, BPF_REG_1, NLM_F_REPLACE),
		JMP_IMM(BPF_JEQ, BPF_REG_1, 0, LOOKUP),
		MOV_IMM(BPF_REG_7, C_REPLACED),
		/* 25 */ JA(LOOKUP),
		/* 26 DEL */ MOV_IMM(BPF_REG_7, C_DELETED),
		/* 27 LOOKUP */ STX(BPF_W, BPF_REG_10, BPF_REG_7, -28),
		MOV_REG(BPF_REG_2, BPF_REG_10),
		ALU_IMM(BPF_ADD, BPF_REG_2, -28),
		/* 30 */ INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map),
		INSN(0, 0, 0, 0, 0),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, BPF_REG_0, 0, OUT),
		MOV_IMM(BPF_REG_1, 1),
		/* 35 */ INSN(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
		/* 36 OUT */ MOV_IMM(BPF_REG_0, 0), /* drop: nothing reaches the socket */
		EXIT(),
	};
	static char vlog[65536];
	union bpf_attr p = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
			     .insn_cnt = sizeof(insns) / sizeof(insns[0]),
			     .insns = (uintptr_t)insns,
			     .license = (uintptr_t) "GPL",
			     .log_buf = (uintptr_t)vlog,
			     .log_size = sizeof(vlog),
			     .log_level = 1 };

	if (map < 0)
		return -1;
	for (unsigned i = 0; i < p.insn_cnt; i++) {
		uint8_t cls = BPF_CLASS(insns[i].code), op = BPF_OP(insns[i].code);

		if (cls == BPF_JMP && op != BPF_CALL && op != BPF_EXIT)
			insns[i].off = (int16_t)(insns[i].off - (int)i - 1);
	}
	prog = (int)sys_bpf(BPF_PROG_LOAD, &p);
	if (prog < 0) {
		fprintf(stderr, "perf-feeder: BPF_PROG_LOAD: %s\n%s\n", strerror(errno), vlog);
		close(map);
		return -1;
	}
	if (setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) < 0) {
		close(prog);
		close(map);
		return -1;
	}
	close(prog);
	return map;
}

static uint64_t counter_get(int map, uint32_t key)
{
	uint64_t v = 0;
	union bpf_attr a = { .map_fd = (uint32_t)map,
			     .key = (uintptr_t)&key,
			     .value = (uintptr_t)&v };

	sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
	return v;
}

/* The fallback: read every notification (recvmmsg) into the set. */
static void drain_notifications(int fd, struct set *s, uint8_t *buf, size_t bufsz)
{
	static struct mmsghdr mm[BATCH];
	static struct iovec iov[BATCH];

	if (!iov[0].iov_base) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = xrealloc(NULL, 8192);
			iov[i].iov_len = 8192;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
	}
	for (;;) {
		/* one notification per datagram: take many per system call */
		int r = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);

		if (r < 0 && errno == ENOBUFS) {
			printf("overrun %.6f\n", now_s());
			set_clear(s);
			dump_routes(s, buf, bufsz);
			continue;
		}
		if (r <= 0)
			break;
		for (int i = 0; i < r; i++)
			handle_nl(s, mm[i].msg_hdr.msg_iov->iov_base, mm[i].msg_len);
	}
}

static int run_fibcount(unsigned long target, double every, bool use_bpf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV4_ROUTE };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), map = -1;
	int rcvbuf = 256 << 20;
	size_t bufsz = 1 << 20, base;
	uint8_t *buf = xrealloc(NULL, bufsz);
	struct set s = { 0 };
	double next;

	if (fd < 0)
		die("netlink: %s", strerror(errno));
	if (use_bpf && (map = attach_counter(fd)) < 0)
		fprintf(stderr, "perf-feeder: no BPF counter (%s): reading every notification\n",
			strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("netlink: %s", strerror(errno));
	if (map < 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	set_grow(&s);
	dump_routes(&s, buf, bufsz);
	base = s.n;
	printf("ready %.6f %zu %s\n", now_s(), s.n, map >= 0 ? "bpf" : "recv");
	next = now_s() + every;
	/* Read, then sleep: nothing wakes this process per route. */
	while (!stop_requested) {
		struct timespec nap = { 0, POLL_NS };
		double now;
		size_t n;

		if (map >= 0) {
			n = base + counter_get(map, C_CREATED) - counter_get(map, C_DELETED);
		} else {
			drain_notifications(fd, &s, buf, bufsz);
			n = s.n;
		}
		now = now_s();
		if (n >= target) {
			printf("done %.6f %zu\n", now, n);
			if (map >= 0) {
				set_clear(&s);
				dump_routes(&s, buf, bufsz);
				printf("verified %.6f %zu %llu\n", now_s(), s.n,
				       (unsigned long long)counter_get(map, C_REPLACED));
			}
			return 0;
		}
		if (now >= next) {
			printf("count %.6f %zu\n", now, n);
			next = now + every;
		}
		nanosleep(&nap, NULL);
	}
	return 1;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: perf-feeder feed --peer A.B.C.D [--port P] [--prefixes N] [--seed S]\n"
		   "                        [--per-set K] [--order spread|sorted] [--as ASN]\n"
		   "                        [--next-hop A.B.C.D] [--hold S] [--connect-timeout S]\n"
		   "       perf-feeder fibcount --target N [--every SECONDS] [--no-bpf]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "prefixes", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "per-set", required_argument, NULL, 'k' },
		{ "order", required_argument, NULL, 'o' },
		{ "as", required_argument, NULL, 'a' },
		{ "next-hop", required_argument, NULL, 'N' },
		{ "hold", required_argument, NULL, 'H' },
		{ "connect-timeout", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 't' },
		{ "every", required_argument, NULL, 'e' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct feeder f = { .port = 179,
			    .n = 1000000,
			    .seed = 1,
			    .per_set = 10,
			    .my_as = 65100,
			    .hold = 180,
			    .connect_timeout = 30 };
	const char *nh = NULL;
	unsigned long target = 0;
	double every = 0.5;
	bool use_bpf = true;
	struct sigaction sa = { .sa_handler = on_signal };
	struct in_addr a;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || (strcmp(argv[1], "feed") && strcmp(argv[1], "fibcount"))) {
		usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			f.peer = optarg;
			break;
		case 'P':
			f.port = (unsigned)atoi(optarg);
			break;
		case 'n':
			f.n = strtoul(optarg, NULL, 10);
			break;
		case 's':
			f.seed = strtoull(optarg, NULL, 10);
			break;
		case 'k':
			f.per_set = (unsigned)atoi(optarg);
			break;
		case 'o':
			if (strcmp(optarg, "sorted") && strcmp(optarg, "spread"))
				die("bad --order %s", optarg);
			f.sorted = !strcmp(optarg, "sorted");
			break;
		case 'a':
			f.my_as = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'N':
			nh = optarg;
			break;
		case 'H':
			f.hold = (unsigned)atoi(optarg);
			break;
		case 'c':
			f.connect_timeout = atof(optarg);
			break;
		case 't':
			target = strtoul(optarg, NULL, 10);
			break;
		case 'e':
			every = atof(optarg);
			break;
		case 'B':
			use_bpf = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!strcmp(argv[1], "fibcount")) {
		if (!target)
			die("%s", "fibcount needs --target N");
		return run_fibcount(target, every > 0 ? every : 0.5, use_bpf);
	}
	if (!f.peer || !f.n || !f.per_set)
		die("%s", "feed needs --peer, and --prefixes and --per-set above 0");
	if (!nh) {
		/* the next hop is our own end of the link: the address the
		 * kernel picks to reach the peer */
		struct sockaddr_in sa2 = { .sin_family = AF_INET, .sin_port = htons(179) };
		socklen_t sl = sizeof(sa2);
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (inet_pton(AF_INET, f.peer, &sa2.sin_addr) != 1 ||
		    connect(fd, (struct sockaddr *)&sa2, sizeof(sa2)) ||
		    getsockname(fd, (struct sockaddr *)&sa2, &sl))
			die("cannot find our address towards %s", f.peer);
		close(fd);
		f.nh = ntohl(sa2.sin_addr.s_addr);
	} else {
		if (inet_pton(AF_INET, nh, &a) != 1)
			die("bad --next-hop %s", nh);
		f.nh = ntohl(a.s_addr);
	}
	return run_feed(&f);
}
