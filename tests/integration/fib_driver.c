/*
 * fib-driver: drives routerd/kernel (fib, neigh, iface) inside a network
 * namespace for test_fib.py, and measures a full-table install.
 *
 *   fib-driver [--no-sweep] [--keep] [--gw IP]... [--route PFX=SPEC]...
 *              [--routes N [--base A.B.C.0] [--groups G] [--width W]]
 *              [--spread] [--ifaces] [--watch SECONDS]
 *
 * SPEC is one of
 *   gw,IP                 numbered next hop, resolved with fib_resolve
 *   dev,IFNAME,IP         gateway on a named device, not resolved
 *   ifindex,N,IP          gateway on an interface index (one that does not exist fails)
 *   ll,IFNAME,LLA         IPv6 link-local gateway (IPv4 routes show `via inet6`)
 *   onlink,IFNAME,MAC     169.254.0.1 onlink, plus a PERMANENT neighbor entry with MAC
 *   blackhole             blackhole nexthop of the prefix's family
 *   group,IP,IP...        ECMP group of resolved numbered next hops
 *   del                   fib_route_del (of a prefix set by an earlier --route)
 * Routes are queued in argument order; a resolution first waits for the
 * routes queued before it, so a later gw can be covered by an earlier route.
 * --routes installs N /24s from --base (default 32.0.0.0) spread round-robin
 * over G groups of W next hops taken from the --gw list, inserting them in
 * slices from an ev_idle watcher as the RIB would; --spread scatters their
 * order (the kernel's trie takes sorted insertions much more slowly).
 *
 * Prints one JSON object on stdout: sweep result, seconds from the first
 * route to the last answer, fib_stats after the install and (without
 * --keep) after fib_shutdown. --ifaces adds the interface table; --watch
 * prints interface events as JSON lines for SECONDS instead of installing.
 */
#include <arpa/inet.h>
#include <ev.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routerd/kernel/fib.h"
#include "routerd/kernel/iface.h"
#include "routerd/kernel/neigh.h"
#include "routerd/lib/log.h"

#define MAX_ITEMS 256
#define SLICE	  10000

struct explicit_route {
	struct prefix p;
	char spec[160];
	uint32_t id;
};

struct driver {
	struct ev_loop *loop;
	struct fib *fib;
	struct neigh *neigh;
	struct iface_mon *ifm;
	bool keep, sweep, show_ifaces, spread;
	double watch;

	struct ipaddr gws[MAX_ITEMS];
	unsigned n_gws;
	uint32_t gw_ids[MAX_ITEMS];
	struct explicit_route routes[MAX_ITEMS];
	unsigned n_routes;

	unsigned long bulk, next;
	uint32_t base;
	unsigned n_groups, width;
	uint32_t group_ids[4096];

	struct {
		int ifindex;
		struct ipaddr ip;
	} neighs[MAX_ITEMS];
	unsigned n_neighs;

	ev_idle idle;
	double t0, seconds, sweep_seconds, shutdown_seconds;
	int errors;
	int neigh_swept;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "fib-driver: %s: %s\n", what, arg);
	exit(2);
}

/* ---- next hops from specs ---- */

static int ifindex_of(struct driver *d, const char *name)
{
	const struct iface *ifp = iface_by_name(d->ifm, name);

	if (!ifp)
		die("no such interface", name);
	return ifp->ifindex;
}

static uint32_t nh_resolved_addr(struct driver *d, const struct ipaddr *gw)
{
	struct fib_nh nh;
	char s[ADDR_STRLEN];

	/* Resolution asks the kernel: let it see the routes queued so far. */
	fib_drain(d->fib);
	if (fib_resolve(d->fib, gw, &nh))
		die("cannot resolve", ipaddr_fmt(gw, s, sizeof(s)));
	return fib_nh_get(d->fib, &nh);
}

static uint32_t nh_resolved(struct driver *d, const char *ip)
{
	struct ipaddr gw;

	if (!ipaddr_parse(ip, &gw))
		die("bad address", ip);
	return nh_resolved_addr(d, &gw);
}

static uint32_t nh_on(struct driver *d, int ifindex, const char *ip, bool onlink)
{
	struct fib_nh nh = { .ifindex = ifindex, .onlink = onlink };

	if (!ipaddr_parse(ip, &nh.gw))
		die("bad address", ip);
	nh.family = nh.gw.family;
	return fib_nh_get(d->fib, &nh);
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6;
}

static uint32_t nh_onlink(struct driver *d, const char *ifname, const char *mac_s)
{
	int ifindex = ifindex_of(d, ifname);
	uint8_t mac[6];
	struct ipaddr ll4;

	if (!parse_mac(mac_s, mac))
		die("bad MAC", mac_s);
	ipaddr_parse("169.254.0.1", &ll4);
	if (neigh_set_permanent(d->neigh, ifindex, &ll4, mac))
		d->errors++;
	d->neighs[d->n_neighs].ifindex = ifindex;
	d->neighs[d->n_neighs++].ip = ll4;
	return nh_on(d, ifindex, "169.254.0.1", true);
}

static uint32_t nh_group(struct driver *d, char *list)
{
	uint32_t ids[FIB_GROUP_MAX];
	unsigned n = 0;
	uint32_t g;

	for (char *ip = strtok(list, ","); ip && n < FIB_GROUP_MAX; ip = strtok(NULL, ","))
		ids[n++] = nh_resolved(d, ip);
	g = fib_group_get(d->fib, ids, n);
	/* the group holds its own references on the members */
	for (unsigned i = 0; i < n; i++)
		fib_nh_put(d->fib, ids[i]);
	return g;
}

static uint32_t nh_from_spec(struct driver *d, const struct prefix *p, const char *spec_in)
{
	char spec[160], *kind, *a, *b;

	snprintf(spec, sizeof(spec), "%s", spec_in);
	kind = strtok(spec, ",");
	if (kind && strcmp(kind, "group") == 0)
		return nh_group(d, spec + strlen(kind) + 1);
	a = strtok(NULL, ",");
	b = strtok(NULL, ",");
	if (kind && strcmp(kind, "blackhole") == 0) {
		struct fib_nh nh = { .family = p->family, .blackhole = true };

		return fib_nh_get(d->fib, &nh);
	}
	if (kind && a && strcmp(kind, "gw") == 0)
		return nh_resolved(d, a);
	if (kind && a && b && strcmp(kind, "dev") == 0)
		return nh_on(d, ifindex_of(d, a), b, false);
	if (kind && a && b && strcmp(kind, "ifindex") == 0)
		return nh_on(d, atoi(a), b, false);
	if (kind && a && b && strcmp(kind, "ll") == 0)
		return nh_on(d, ifindex_of(d, a), b, false);
	if (kind && a && b && strcmp(kind, "onlink") == 0)
		return nh_onlink(d, a, b);
	die("bad route spec", spec_in);
	return 0;
}

/* ---- bulk install ---- */

/* The k-th pair (or W-tuple) of next hops, in lexicographic order, wrapping. */
static void combo(unsigned k, unsigned n, unsigned w, unsigned *out)
{
	for (unsigned i = 0; i < w; i++)
		out[i] = i;
	while (k--) {
		int i = (int)w - 1;

		while (i >= 0 && out[i] == n - w + (unsigned)i)
			i--;
		if (i < 0) {
			for (unsigned j = 0; j < w; j++)
				out[j] = j;
			continue;
		}
		out[i]++;
		for (unsigned j = (unsigned)i + 1; j < w; j++)
			out[j] = out[j - 1] + 1;
	}
}

static void make_groups(struct driver *d)
{
	unsigned idx[FIB_GROUP_MAX];
	uint32_t ids[FIB_GROUP_MAX];

	if (d->width > d->n_gws)
		d->width = d->n_gws;
	for (unsigned g = 0; g < d->n_groups; g++) {
		combo(g, d->n_gws, d->width, idx);
		for (unsigned i = 0; i < d->width; i++)
			ids[i] = d->gw_ids[idx[i]];
		d->group_ids[g] = fib_group_get(d->fib, ids, d->width);
	}
}

static void bulk_prefix(const struct driver *d, unsigned long i, struct prefix *p)
{
	uint32_t k = d->spread ? ((uint32_t)i * 0x9e3779b1u) & 0xfffff : (uint32_t)i;
	uint32_t a = htonl(d->base + (k << 8));

	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = 24;
	memcpy(p->bytes, &a, 4);
}

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct driver *d = (struct driver *)((char *)w - offsetof(struct driver, idle));
	unsigned long end = d->next + SLICE < d->bulk ? d->next + SLICE : d->bulk;

	for (; d->next < end; d->next++) {
		struct prefix p;

		bulk_prefix(d, d->next, &p);
		fib_route_set(d->fib, &p, d->group_ids[d->next % d->n_groups]);
	}
	if (d->next == d->bulk && fib_stats(d->fib).pending == 0) {
		d->seconds = now_s() - d->t0;
		ev_idle_stop(loop, w);
		ev_break(loop, EVBREAK_ONE);
	}
}

/* As the RIB does it: get the id, set the route (it takes its own reference), put the id. */
static void explicit_route(struct driver *d, struct explicit_route *r)
{
	if (strcmp(r->spec, "del") == 0) {
		r->id = 0;
		if (fib_route_del(d->fib, &r->p))
			d->errors++;
		return;
	}
	r->id = nh_from_spec(d, &r->p, r->spec);
	if (!r->id || fib_route_set(d->fib, &r->p, r->id))
		d->errors++;
	if (r->id)
		fib_group_put(d->fib, r->id);
}

static void install(struct driver *d)
{
	d->t0 = now_s();
	for (unsigned i = 0; i < d->n_gws; i++)
		d->gw_ids[i] = nh_resolved_addr(d, &d->gws[i]);
	make_groups(d);
	for (unsigned i = 0; i < d->n_routes; i++)
		explicit_route(d, &d->routes[i]);
	if (!d->n_groups)
		d->bulk = 0;
	ev_idle_init(&d->idle, idle_cb);
	ev_idle_start(d->loop, &d->idle);
	ev_run(d->loop, 0);
}

/* ---- output ---- */

static void print_stats(const char *key, struct fib_stats s)
{
	printf("\"%s\":{\"installed\":%llu,\"pending\":%llu,\"failed\":%llu,\"nexthops\":%llu,"
	       "\"groups\":%llu,\"nh_failed\":%llu,\"swept\":%llu}",
	       key, (unsigned long long)s.installed, (unsigned long long)s.pending,
	       (unsigned long long)s.failed, (unsigned long long)s.nexthops,
	       (unsigned long long)s.groups, (unsigned long long)s.nh_failed,
	       (unsigned long long)s.swept);
}

static void print_addr(const struct iface *ifp, const struct iface_addr *a, void *arg)
{
	unsigned *n = arg;
	char s[ADDR_STRLEN];

	printf("%s\"%s/%u\"", (*n)++ ? "," : "", ipaddr_fmt(&a->addr, s, sizeof(s)), a->plen);
}

static void print_iface(const struct iface *ifp, void *arg)
{
	unsigned *n = arg, na = 0;

	printf("%s{\"ifindex\":%d,\"name\":\"%s\",\"up\":%s,\"running\":%s,\"mtu\":%u",
	       (*n)++ ? "," : "", ifp->ifindex, ifp->name, ifp->up ? "true" : "false",
	       ifp->running ? "true" : "false", ifp->mtu);
	if (ifp->has_mac)
		printf(",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"", ifp->mac[0], ifp->mac[1],
		       ifp->mac[2], ifp->mac[3], ifp->mac[4], ifp->mac[5]);
	printf(",\"addrs\":[");
	iface_each_addr(ifp, print_addr, &na);
	printf("]}");
}

static void print_result(struct driver *d, int swept, struct fib_stats installed,
			 const struct fib_stats *after)
{
	printf("{\"swept\":%d,\"neigh_swept\":%d,\"errors\":%d,\"seconds\":%.3f,"
	       "\"sweep_seconds\":%.3f,\"shutdown_seconds\":%.3f,\"routes\":%lu,",
	       swept, d->neigh_swept, d->errors, d->seconds, d->sweep_seconds, d->shutdown_seconds,
	       d->bulk);
	printf("\"group_ids\":[");
	for (unsigned g = 0; g < d->n_groups; g++)
		printf("%s%u", g ? "," : "", d->group_ids[g]);
	printf("],\"explicit\":{");
	for (unsigned i = 0; i < d->n_routes; i++) {
		char s[ADDR_STRLEN];

		printf("%s\"%s\":%u", i ? "," : "", prefix_fmt(&d->routes[i].p, s, sizeof(s)),
		       d->routes[i].id);
	}
	printf("},");
	print_stats("stats", installed);
	if (after) {
		printf(",");
		print_stats("after_shutdown", *after);
	}
	if (d->show_ifaces) {
		unsigned n = 0;

		printf(",\"ifaces\":[");
		iface_each(d->ifm, print_iface, &n);
		printf("]");
	}
	printf("}\n");
}

/* ---- --watch: interface events as JSON lines ---- */

struct watch {
	struct iface_watcher w;
};

static void on_link(struct iface_watcher *w, const struct iface *ifp, enum iface_event ev)
{
	printf("{\"event\":\"link\",\"what\":\"%s\",\"name\":\"%s\",\"ifindex\":%d}\n",
	       iface_event_name(ev), ifp->name, ifp->ifindex);
	fflush(stdout);
}

static void on_addr(struct iface_watcher *w, const struct iface *ifp, const struct iface_addr *a,
		    bool added)
{
	char s[ADDR_STRLEN];

	printf("{\"event\":\"addr\",\"what\":\"%s\",\"name\":\"%s\",\"addr\":\"%s/%u\"}\n",
	       added ? "added" : "removed", ifp->name, ipaddr_fmt(&a->addr, s, sizeof(s)), a->plen);
	fflush(stdout);
}

static void watch_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void run_watch(struct driver *d)
{
	struct watch w = { .w = { .link = on_link, .addr = on_addr } };
	ev_timer t;

	iface_watcher_start(d->ifm, &w.w);
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	ev_timer_init(&t, watch_timeout, d->watch, 0);
	ev_timer_start(d->loop, &t);
	ev_run(d->loop, 0);
	iface_watcher_stop(d->ifm, &w.w);
}

/* ---- main ---- */

static void add_route(struct driver *d, const char *arg)
{
	char buf[200], *eq;
	struct explicit_route *r;

	snprintf(buf, sizeof(buf), "%s", arg);
	eq = strchr(buf, '=');
	if (!eq || d->n_routes == MAX_ITEMS)
		die("bad --route", arg);
	*eq = '\0';
	r = &d->routes[d->n_routes++];
	if (!prefix_parse(buf, &r->p))
		die("bad prefix", buf);
	snprintf(r->spec, sizeof(r->spec), "%s", eq + 1);
}

static void parse_args(struct driver *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ "no-sweep", no_argument, NULL, 'S' },
		{ "gw", required_argument, NULL, 'g' },
		{ "route", required_argument, NULL, 'r' },
		{ "routes", required_argument, NULL, 'n' },
		{ "base", required_argument, NULL, 'b' },
		{ "groups", required_argument, NULL, 'G' },
		{ "width", required_argument, NULL, 'w' },
		{ "ifaces", no_argument, NULL, 'i' },
		{ "spread", no_argument, NULL, 's' },
		{ "watch", required_argument, NULL, 'W' },
		{ 0 },
	};
	struct in_addr base;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			d->keep = true;
			break;
		case 'S':
			d->sweep = false;
			break;
		case 'g':
			if (d->n_gws == MAX_ITEMS || !ipaddr_parse(optarg, &d->gws[d->n_gws++]))
				die("bad --gw", optarg);
			break;
		case 'r':
			add_route(d, optarg);
			break;
		case 'n':
			d->bulk = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &base) != 1)
				die("bad --base", optarg);
			d->base = ntohl(base.s_addr);
			break;
		case 'G':
			d->n_groups = (unsigned)atoi(optarg);
			break;
		case 'w':
			d->width = (unsigned)atoi(optarg);
			break;
		case 'i':
			d->show_ifaces = true;
			break;
		case 's':
			d->spread = true;
			break;
		case 'W':
			d->watch = atof(optarg);
			break;
		default:
			exit(2);
		}
	}
	if (d->n_groups > 4096 || (d->bulk && !d->n_gws))
		die("bad arguments", "--routes needs --gw and at most 4096 --groups");
}

int main(int argc, char **argv)
{
	static struct driver d = { .sweep = true, .n_groups = 1, .width = 2 };
	struct fib_conf conf = { 0 };
	struct fib_stats installed, after;
	int swept = 0;

	d.base = 0x20000000; /* 32.0.0.0 */
	parse_args(&d, argc, argv);
	if (!d.n_gws)
		d.n_groups = 0;
	d.loop = ev_default_loop(0);
	conf.keep_routes_on_exit = d.keep;
	d.fib = fib_new(d.loop, &conf);
	d.neigh = neigh_new();
	d.ifm = iface_mon_new(d.loop);
	if (!d.fib || !d.neigh || !d.ifm)
		return 1;
	if (d.watch > 0) {
		run_watch(&d);
		return 0;
	}
	if (d.sweep) {
		double t = now_s();

		swept = fib_sweep(d.fib);
		d.neigh_swept = neigh_sweep(d.neigh);
		d.sweep_seconds = now_s() - t;
	}
	install(&d);
	fib_drain(d.fib);
	installed = fib_stats(d.fib);
	if (!d.keep) {
		double t = now_s();

		fib_shutdown(d.fib);
		d.shutdown_seconds = now_s() - t;
		for (unsigned i = 0; i < d.n_neighs; i++)
			neigh_del(d.neigh, d.neighs[i].ifindex, &d.neighs[i].ip);
		after = fib_stats(d.fib);
	}
	print_result(&d, swept, installed, d.keep ? NULL : &after);
	fib_free(d.fib);
	neigh_free(d.neigh);
	iface_mon_free(d.ifm);
	return 0;
}
