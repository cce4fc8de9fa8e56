/* routerd: command line, configuration, event loop and signals. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/daemon.h"
#include "routerd/reload.h"
#include "routerd/kernel/fib.h"
#include "routerd/kernel/iface.h"
#include "routerd/lib/log.h"

struct options {
	const char *config;
	const char *socket;
	bool check;
	bool debug;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: routerd -f FILE [-s SOCKET] [--check] [-d]\n"
		   "  -f, --config FILE   configuration (RFC 7951 JSON, YANG module routerd)\n"
		   "  -s, --socket PATH   control socket (default " CTL_DEFAULT_SOCKET ")\n"
		   "      --check         validate the configuration and exit\n"
		   "  -d, --debug         log debug events too\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->socket = CTL_DEFAULT_SOCKET;
	while ((ch = getopt_long(argc, argv, "f:s:dh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->config = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'c':
			o->check = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o->config || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static void on_terminate(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct routerd *rd = w->data;

	log_info("shutdown", "signal=%s", w->signum == SIGTERM ? "TERM" : "INT");
	rde_local_stop(&rd->local);
	edge_run_stop(&rd->edge);
	/* Cease first (ARS drops our routes at once: no wait for its hold timer), so peers log why; then the goodbye RA (lifetime 0) on fabric ports. */
	bgp_shutdown(&rd->bgp);
	unnumbered_stop(&rd->unnum);
	if (rd->ifm) {
		iface_mon_free(rd->ifm);
		rd->ifm = NULL;
	}
	if (rd->fib) {
		fib_shutdown(rd->fib);
		fib_free(rd->fib);
		rd->fib = NULL;
	}
	ctl_stop(&rd->ctl);
	ev_break(loop, EVBREAK_ALL);
}

static void on_hangup(struct ev_loop *loop, ev_signal *w, int revents)
{
	routerd_reload(w->data, NULL);
}

/* The kernel FIB, after removing what an earlier run left behind. */
static struct fib *kernel_open(struct ev_loop *loop, const struct routerd_conf *conf)
{
	struct fib_conf fc = { .keep_routes_on_exit = conf->keep_routes_on_exit };
	struct fib *fib = fib_new(loop, &fc);

	if (!fib) {
		log_err("fib-unavailable",
			"reason=\"cannot open rtnetlink\" effect=\"routes are not installed\"");
		return NULL;
	}
	log_info("fib-sweep", "removed=%d", fib_sweep(fib));
	return fib;
}

static int check_only(const char *path)
{
	char *err = NULL;
	struct routerd_conf *c = conf_load_file(path, &err);

	if (!c) {
		fprintf(stderr, "%s", err ? err : "invalid configuration\n");
		free(err);
		return 1;
	}
	printf("%s: configuration is valid\n", path);
	conf_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	static struct routerd rd;
	ev_signal sig_term, sig_int, sig_hup;
	struct options o;
	char rid[ADDR_STRLEN];
	char *err = NULL;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (o.check)
		return check_only(o.config);
	if (o.debug)
		log_set_level(LOG_LVL_DEBUG);
	rd.conf = conf_load_file(o.config, &err);
	if (!rd.conf) {
		fprintf(stderr, "%s", err ? err : "invalid configuration\n");
		free(err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	rd.loop = ev_default_loop(EVFLAG_AUTO);
	rd.started_at = mono_now();
	rd.fib = kernel_open(rd.loop, rd.conf);
	rd.ifm = iface_mon_new(rd.loop);
	if (ctl_start(&rd.ctl, rd.loop, o.socket, &rd) < 0 ||
	    bgp_start(&rd.bgp, rd.loop, rd.conf, &rd.rde, rd.fib) < 0 ||
	    rde_local_start(&rd.local, &rd.rde, rd.conf, rd.ifm) < 0 ||
	    edge_run_start(&rd.edge, &rd) < 0 ||
	    unnumbered_start(&rd.unnum, &rd.bgp, rd.conf, rd.ifm) < 0) {
		log_err("startup-failed", "config=%s", o.config);
		return 1;
	}
	ev_signal_init(&sig_term, on_terminate, SIGTERM);
	ev_signal_init(&sig_int, on_terminate, SIGINT);
	ev_signal_init(&sig_hup, on_hangup, SIGHUP);
	sig_term.data = sig_int.data = sig_hup.data = &rd;
	ev_signal_start(rd.loop, &sig_term);
	ev_signal_start(rd.loop, &sig_int);
	ev_signal_start(rd.loop, &sig_hup);
	log_info("started", "config=%s socket=%s router-id=%s asn=%u peers=%u", o.config, o.socket,
		 router_id_fmt(rd.conf->router_id, rid, sizeof(rid)), rd.conf->bgp.asn,
		 rd.bgp.n_peers);
	ev_run(rd.loop, 0);
	conf_free(rd.conf);
	return 0;
}
