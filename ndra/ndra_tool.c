/*
 * ndra: debugging tool around the ndra library.
 *
 *   ndra watch [-i SECONDS] [-l SECONDS] [--json] [--no-link-monitor] [-v] IFACE...
 *
 * Advertises on the interfaces exactly as routerd would and prints every
 * peer event followed by the peer table (text), or one JSON object per
 * event (--json, for tests). SIGUSR1 prints the counters; SIGINT/SIGTERM
 * print them, send the final lifetime-0 RAs and exit. Logs go to stderr.
 *
 * Link changes come from a small RTNLGRP_LINK netlink socket, as routerd's
 * interface monitor would feed them; --no-link-monitor leaves ndra to
 * notice them by itself (slower: that path is what it tests).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "ndra/ndra.h"
#include "routerd/lib/buf.h"
#include "routerd/lib/json.h"
#include "routerd/lib/log.h"

struct watched {
	const char *name;
	unsigned int ifindex; /* as last reported by netlink; 0 unknown */
	int up;		      /* -1 unknown */
};

struct watch {
	struct ev_loop *loop;
	struct ndra *nd;
	bool json;
	struct watched *ifs;
	int n_ifs;
	int nl_fd;
	ev_io nl_io;
	ev_signal sig_int, sig_term, sig_usr1;
	struct buf out;
};

static struct watch W = { .nl_fd = -1 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC is shared by every namespace: tests compare it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---- output ---- */

static void flush_line(void)
{
	buf_puts(&W.out, "\n");
	fwrite(W.out.data, 1, W.out.len, stdout);
	fflush(stdout);
	buf_reset(&W.out);
}

/* Opens {"event": name, "t-ms": monotonic ms, ...}; the caller closes it. */
static void json_event(struct json *j, const char *name)
{
	json_init(j, &W.out);
	json_obj_open(j);
	json_kv_str(j, "event", name);
	json_kv_uint(j, "t-ms", now_ms());
}

static void json_peer(struct json *j, const struct ndra_peer *p)
{
	char lla[INET6_ADDRSTRLEN], mac[18];

	inet_ntop(AF_INET6, p->lla, lla, sizeof(lla));
	fmt_mac(mac, sizeof(mac), p->mac);
	json_kv_str(j, "ifname", p->ifname);
	json_kv_uint(j, "ifindex", p->ifindex);
	json_kv_str(j, "lla", lla);
	json_kv_str(j, "mac", mac);
	json_kv_uint(j, "lifetime", p->router_lifetime);
	json_kv_uint(j, "expires-in-ms", (uint64_t)(p->expires_in * 1000));
}

static void text_peer_row(void *arg, const struct ndra_peer *p)
{
	char lla[INET6_ADDRSTRLEN], mac[18];

	inet_ntop(AF_INET6, p->lla, lla, sizeof(lla));
	fmt_mac(mac, sizeof(mac), p->mac);
	(*(int *)arg)++;
	printf("  %-15s %-40s %-17s %8u %10.1f\n", p->ifname, lla, mac, p->router_lifetime,
	       p->expires_in);
}

static void text_table(void)
{
	int n = 0;

	printf("  %-15s %-40s %-17s %8s %10s\n", "IFNAME", "LLA", "MAC", "LIFETIME", "EXPIRES-IN");
	ndra_each_peer(W.nd, text_peer_row, &n);
	if (n == 0)
		printf("  (no peers)\n");
	fflush(stdout);
}

static void print_peer_event(const char *what, const struct ndra_peer *p, const uint8_t *old_mac,
			     enum ndra_reason why)
{
	char lla[INET6_ADDRSTRLEN], mac[18], old[18] = "";
	struct json j;

	if (W.json) {
		json_event(&j, what);
		json_peer(&j, p);
		if (old_mac) {
			fmt_mac(old, sizeof(old), old_mac);
			json_kv_str(&j, "old-mac", old);
		}
		json_kv_str(&j, "reason", ndra_reason_name(why));
		json_obj_close(&j);
		flush_line();
		return;
	}
	inet_ntop(AF_INET6, p->lla, lla, sizeof(lla));
	fmt_mac(mac, sizeof(mac), p->mac);
	if (old_mac)
		fmt_mac(old, sizeof(old), old_mac);
	printf("%s %s %s mac %s%s%s lifetime %u reason %s\n", what, p->ifname, lla, mac,
	       old_mac ? " was " : "", old, p->router_lifetime, ndra_reason_name(why));
	text_table();
}

static void on_up(void *ctx, const struct ndra_peer *p, enum ndra_reason why)
{
	print_peer_event("peer-up", p, NULL, why);
}

static void on_changed(void *ctx, const struct ndra_peer *p, const uint8_t *old_mac,
		       enum ndra_reason why)
{
	print_peer_event("peer-changed", p, old_mac, why);
}

static void on_down(void *ctx, const struct ndra_peer *p, enum ndra_reason why)
{
	print_peer_event("peer-down", p, NULL, why);
}

static void json_if_stats(void *arg, const struct ndra_if_stats *s)
{
	struct json *j = arg;
	int r;

	json_obj_open(j);
	json_kv_str(j, "ifname", s->ifname);
	json_kv_uint(j, "ifindex", s->ifindex);
	json_kv_bool(j, "up", s->up);
	json_kv_uint(j, "peers", s->n_peers);
	json_kv_uint(j, "tx-ra", s->tx_ra);
	json_kv_uint(j, "tx-rs", s->tx_rs);
	json_kv_uint(j, "tx-errors", s->tx_errors);
	json_kv_uint(j, "rx-ra", s->rx_ra);
	json_kv_uint(j, "rx-rs", s->rx_rs);
	json_key(j, "drops");
	json_obj_open(j);
	for (r = RA_OK + 1; r < RA_DROP__COUNT; r++)
		json_kv_uint(j, ra_drop_reason_name(r), s->drops.by_reason[r]);
	for (r = 0; r < NDRA_DROP__COUNT; r++)
		json_kv_uint(j, ndra_drop_name(r), s->ndra_drops[r]);
	json_obj_close(j);
	json_obj_close(j);
}

static void text_if_stats(void *arg, const struct ndra_if_stats *s)
{
	int r;

	printf("stats %s ifindex %u %s peers %u tx-ra %" PRIu64 " tx-rs %" PRIu64
	       " tx-errors %" PRIu64 " rx-ra %" PRIu64 " rx-rs %" PRIu64 "\n  drops:",
	       s->ifname, s->ifindex, s->up ? "up" : "down", s->n_peers, s->tx_ra, s->tx_rs,
	       s->tx_errors, s->rx_ra, s->rx_rs);
	for (r = RA_OK + 1; r < RA_DROP__COUNT; r++)
		printf(" %s %" PRIu64, ra_drop_reason_name(r), s->drops.by_reason[r]);
	for (r = 0; r < NDRA_DROP__COUNT; r++)
		printf(" %s %" PRIu64, ndra_drop_name(r), s->ndra_drops[r]);
	printf("\n");
}

static void print_stats(void)
{
	struct json j;

	if (!W.json) {
		ndra_each_stats(W.nd, text_if_stats, NULL);
		fflush(stdout);
		return;
	}
	json_event(&j, "stats");
	json_key(&j, "interfaces");
	json_arr_open(&j);
	ndra_each_stats(W.nd, json_if_stats, &j);
	json_arr_close(&j);
	json_obj_close(&j);
	flush_line();
}

static void print_simple(const char *what, const char *ifname, unsigned int ifindex, int up)
{
	struct json j;

	if (!W.json) {
		if (ifname)
			printf("%s %s ifindex %u %s\n", what, ifname, ifindex, up ? "up" : "down");
		else
			printf("%s\n", what);
		fflush(stdout);
		return;
	}
	json_event(&j, what);
	if (ifname) {
		json_kv_str(&j, "ifname", ifname);
		json_kv_uint(&j, "ifindex", ifindex);
		json_kv_bool(&j, "up", up);
	}
	json_obj_close(&j);
	flush_line();
}

/* ---- link monitor (RTNLGRP_LINK) ---- */

static struct watched *watched_by_name(const char *name)
{
	int i;

	for (i = 0; i < W.n_ifs; i++)
		if (strcmp(W.ifs[i].name, name) == 0)
			return &W.ifs[i];
	return NULL;
}

static const char *link_name(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)IFLA_PAYLOAD(h);
	struct rtattr *a;

	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME)
			return RTA_DATA(a);
	return NULL;
}

static void on_link_msg(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	const char *name = link_name(h);
	struct watched *w = name ? watched_by_name(name) : NULL;
	int up;

	if (!w)
		return;
	up = h->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
	     (ifi->ifi_flags & IFF_RUNNING);
	if (up != w->up || (unsigned int)ifi->ifi_index != w->ifindex)
		print_simple("link", w->name, (unsigned int)ifi->ifi_index, up);
	w->up = up;
	w->ifindex = (unsigned int)ifi->ifi_index;
	/* Every RTM_NEWLINK, not only up/down: a MAC change arrives as one. */
	ndra_link_event(W.nd, w->ifindex, up);
}

/* The kernel dropped messages: look at every interface again. */
static void link_resync(void)
{
	unsigned int idx;
	int i;

	for (i = 0; i < W.n_ifs; i++) {
		idx = if_nametoindex(W.ifs[i].name);
		if (idx)
			ndra_link_event(W.nd, idx, true); /* ndra reads the real state */
	}
}

static void nl_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h;
	ssize_t n;

	for (;;) {
		n = recv(W.nl_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			link_resync();
			continue;
		}
		if (n <= 0)
			return;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
				on_link_msg(h);
	}
}

static int link_monitor_start(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };

	W.nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (W.nl_fd < 0 || bind(W.nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	ev_io_init(&W.nl_io, nl_cb, W.nl_fd, EV_READ);
	ev_io_start(W.loop, &W.nl_io);
	return 0;
}

/* ---- main ---- */

static void on_usr1(struct ev_loop *loop, ev_signal *w, int revents)
{
	print_stats();
}

static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ndra watch [-i SECONDS] [-l SECONDS] [--json] [--no-link-monitor] [-v] "
		"IFACE...\n"
		"  -i, --interval SECONDS  RA interval (default %d)\n"
		"  -l, --lifetime SECONDS  router lifetime (default 3 x interval)\n"
		"  --json                  one JSON object per event line\n"
		"  --no-link-monitor       no netlink: ndra finds link changes by itself\n"
		"  -v                      debug logs\n"
		"SIGUSR1 prints the counters; SIGINT/SIGTERM print them and exit.\n",
		NDRA_RA_INTERVAL_DEFAULT);
}

static int parse_uint(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v > 65535)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct ndra_if_conf *conf, bool *monitor)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-link-monitor", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:l:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_uint(optarg, &conf->ra_interval) < 0)
				return -1;
			break;
		case 'l':
			if (parse_uint(optarg, &conf->router_lifetime) < 0)
				return -1;
			break;
		case 'j':
			W.json = true;
			break;
		case 'n':
			*monitor = false;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		default:
			return -1;
		}
	}
	return optind < argc ? 0 : -1;
}

static int add_interfaces(int argc, char **argv, const struct ndra_if_conf *conf)
{
	int i;

	W.ifs = calloc((size_t)argc, sizeof(*W.ifs));
	if (!W.ifs)
		return -1;
	for (i = 0; i < argc; i++) {
		if (ndra_if_add(W.nd, argv[i], conf) < 0) {
			if (errno == EINVAL)
				fprintf(stderr,
					"ndra: %s: bad name or timers (interval 1..%d, lifetime "
					"interval..%d)\n",
					argv[i], NDRA_RA_INTERVAL_MAX, NDRA_LIFETIME_MAX);
			else
				fprintf(stderr, "ndra: %s: %s\n", argv[i], strerror(errno));
			return -1;
		}
		W.ifs[W.n_ifs].name = argv[i];
		W.ifs[W.n_ifs].up = -1;
		W.n_ifs++;
	}
	return 0;
}

static void start_signals(void)
{
	ev_signal_init(&W.sig_int, on_stop, SIGINT);
	ev_signal_init(&W.sig_term, on_stop, SIGTERM);
	ev_signal_init(&W.sig_usr1, on_usr1, SIGUSR1);
	ev_signal_start(W.loop, &W.sig_int);
	ev_signal_start(W.loop, &W.sig_term);
	ev_signal_start(W.loop, &W.sig_usr1);
}

static int watch(int argc, char **argv)
{
	static const struct ndra_callbacks cb = { on_up, on_changed, on_down };
	struct ndra_if_conf conf = { 0 };
	bool monitor = true;

	if (parse_args(argc, argv, &conf, &monitor) < 0) {
		usage(stderr);
		return 2;
	}
	W.loop = EV_DEFAULT;
	buf_init(&W.out);
	start_signals();
	W.nd = ndra_new(W.loop, &cb, NULL);
	if (!W.nd) {
		fprintf(stderr, "ndra: raw ICMPv6 socket: %s\n", strerror(errno));
		return 1;
	}
	if (monitor && link_monitor_start() < 0) {
		fprintf(stderr, "ndra: netlink: %s\n", strerror(errno));
		return 1;
	}
	if (add_interfaces(argc - optind, argv + optind, &conf) < 0)
		return 1;
	print_simple("start", NULL, 0, 0);
	ev_run(W.loop, 0);
	print_stats();
	ndra_free(W.nd);
	print_simple("exit", NULL, 0, 0);
	buf_free(&W.out);
	free(W.ifs);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "watch") == 0)
		return watch(argc - 1, argv + 1);
	usage(argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? stdout
										  : stderr);
	return 2;
}
