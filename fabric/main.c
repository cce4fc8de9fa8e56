/*
 * fabric: plan an unnumbered BGP Clos into per-node routerd (and FRR)
 * configs, a containerlab topology and a namespace plan; bring the plan up
 * in network namespaces, check it, ping across it and take it down.
 *
 *   fabric plan clos --spines S --leaves L [--border B] [--frr NODE,...|all]
 *                    [--spine-asn shared|per-spine] [--name NAME] [--ns-prefix P]
 *                    [--image IMG] [--frr-image IMG] [--host-image IMG] --out DIR
 *   fabric up DIR | fabric status [--wait SECS] DIR | fabric ping DIR | fabric down DIR
 *
 * Exit status: 0 success (status: converged), 1 failure, 2 usage error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabric/emit.h"
#include "fabric/lab.h"
#include "fabric/plan.h"
#include "fabric/planfile.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage:\n"
	"  fabric plan clos --spines S --leaves L [--border B] [--frr NODE,...|all]\n"
	"                   [--spine-asn shared|per-spine] [--name NAME] [--ns-prefix PREFIX]\n"
	"                   [--image IMG] [--frr-image IMG] [--host-image IMG] --out DIR\n"
	"  fabric up DIR                 namespaces, veth links, daemons\n"
	"  fabric status [--wait SECS] DIR   sessions, routes, ECMP per node; exit 1 unless "
	"converged\n"
	"  fabric ping DIR               ping every loopback and host from every leaf\n"
	"  fabric down DIR               remove everything `up` made (also after a partial up)\n"
	"environment: ROUTERD_BUILD (routerd, routerctl; default: fabric's own folder),\n"
	"  FABRIC_FRR_DIR (zebra, bgpd; default /usr/lib/frr), FABRIC_RUN_DIR (default "
	"/run/fabric)\n";

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "fabric: %s\n", why);
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int parse_count(const char *opt, const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > 100000 || s[0] == '-') {
		fprintf(stderr, "fabric: %s \"%s\": expected a number\n", opt, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int copy_opt(const char *opt, const char *s, char *out, size_t len)
{
	if (strlen(s) >= len) {
		fprintf(stderr, "fabric: %s: value too long (at most %zu characters)\n", opt,
			len - 1);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

enum {
	OPT_SPINES = 1,
	OPT_LEAVES,
	OPT_BORDER,
	OPT_FRR,
	OPT_ASN,
	OPT_NAME,
	OPT_PREFIX,
	OPT_IMAGE,
	OPT_FRR_IMAGE,
	OPT_HOST_IMAGE,
	OPT_OUT
};

static const struct option plan_opts[] = {
	{ "spines", required_argument, NULL, OPT_SPINES },
	{ "leaves", required_argument, NULL, OPT_LEAVES },
	{ "border", required_argument, NULL, OPT_BORDER },
	{ "borders", required_argument, NULL, OPT_BORDER },
	{ "frr", required_argument, NULL, OPT_FRR },
	{ "spine-asn", required_argument, NULL, OPT_ASN },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "ns-prefix", required_argument, NULL, OPT_PREFIX },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "frr-image", required_argument, NULL, OPT_FRR_IMAGE },
	{ "host-image", required_argument, NULL, OPT_HOST_IMAGE },
	{ "out", required_argument, NULL, OPT_OUT },
	{ NULL, 0, NULL, 0 },
};

/* One option of `plan clos`; -1 on a bad value. */
static int plan_opt(int c, const char *arg, struct fab_params *p, char *name, char *out)
{
	switch (c) {
	case OPT_SPINES:
		return parse_count("--spines", arg, &p->spines);
	case OPT_LEAVES:
		return parse_count("--leaves", arg, &p->leaves);
	case OPT_BORDER:
		return parse_count("--border", arg, &p->borders);
	case OPT_FRR:
		return copy_opt("--frr", arg, p->frr, sizeof(p->frr));
	case OPT_ASN:
		if (plan_asn_mode_parse(arg, &p->asn_mode) == 0)
			return 0;
		fprintf(stderr, "fabric: --spine-asn \"%s\": expected shared or per-spine\n", arg);
		return -1;
	case OPT_NAME:
		return copy_opt("--name", arg, name, FAB_NAME_MAX);
	case OPT_PREFIX:
		return copy_opt("--ns-prefix", arg, p->ns_prefix, sizeof(p->ns_prefix));
	case OPT_IMAGE:
		return copy_opt("--image", arg, p->image, sizeof(p->image));
	case OPT_FRR_IMAGE:
		return copy_opt("--frr-image", arg, p->frr_image, sizeof(p->frr_image));
	case OPT_HOST_IMAGE:
		return copy_opt("--host-image", arg, p->host_image, sizeof(p->host_image));
	case OPT_OUT:
		return copy_opt("--out", arg, out, PATH_MAX);
	default:
		return -1;
	}
}

static void print_plan(const struct fab_plan *plan, const char *out)
{
	char ip[16], ns[2 * FAB_NAME_MAX];

	printf("planned lab %s in %s (spine ASN %s)\n", plan->p.name, out,
	       plan_asn_mode_name(plan->p.asn_mode));
	printf("%-9s %-7s %-8s %-11s %-13s %s\n", "NODE", "ROLE", "DAEMON", "ASN", "LOOPBACK",
	       "NAMESPACE");
	for (unsigned i = 0; i < plan->n_nodes; i++) {
		const struct fab_node *n = &plan->nodes[i];
		char asn[12] = "-";

		plan_ip_fmt(plan_is_router(n) ? n->loopback : n->host_net + 2, ip, sizeof(ip));
		if (n->asn)
			snprintf(asn, sizeof(asn), "%" PRIu32, n->asn);
		plan_ns_name(plan, n, ns, sizeof(ns));
		printf("%-9s %-7s %-8s %-11s %-13s %s\n", n->name, plan_role_name(n->role),
		       plan_daemon_name(n->daemon), asn, ip, ns);
	}
	printf("wrote <node>/%s (validated against the routerd YANG module)%s, %s, %s\n",
	       FAB_ROUTERD_FILE,
	       emit_has_frr(plan) ? ", <node>/" FAB_FRR_FILE " for FRR nodes" : "", FAB_CLAB_FILE,
	       FAB_PLAN_FILE);
}

/* Default lab name: the output folder's last component. */
static void default_name(const char *out, char *name)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", out);
	snprintf(name, FAB_NAME_MAX, "%s", basename(copy));
}

static int cmd_plan(int argc, char **argv)
{
	struct fab_params p;
	struct fab_plan plan;
	struct fab_err err;
	char name[FAB_NAME_MAX] = "", out[PATH_MAX] = "";
	int c;

	if (argc < 2 || strcmp(argv[1], "clos"))
		return usage("plan: the only topology is `clos`");
	plan_params_init(&p);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", plan_opts, NULL)) != -1)
		if (c == '?')
			return usage(NULL);
		else if (plan_opt(c, optarg, &p, name, out) < 0)
			return EXIT_USAGE;
	if (optind != argc)
		return usage("plan clos: unexpected argument");
	if (!out[0] || !p.spines || !p.leaves)
		return usage("plan clos needs --spines, --leaves and --out");
	if (!name[0])
		default_name(out, name);
	if (plan_params_set_name(&p, name, &err) < 0 || plan_build(&p, &plan, &err) < 0) {
		fprintf(stderr, "fabric: %s\n", err.msg);
		return 1;
	}
	if (planfile_write(&plan, out, &err) < 0) {
		fprintf(stderr, "fabric: %s\n", err.msg);
		plan_free(&plan);
		return 1;
	}
	print_plan(&plan, out);
	plan_free(&plan);
	return 0;
}

typedef int (*lab_cmd)(struct lab *lab, int wait_secs);

static int run_up(struct lab *lab, int w)
{
	(void)w;
	return lab_up(lab);
}

static int run_down(struct lab *lab, int w)
{
	(void)w;
	return lab_down(lab);
}

static int run_ping(struct lab *lab, int w)
{
	(void)w;
	return lab_ping(lab);
}

static const struct {
	const char *name;
	lab_cmd fn;
	bool takes_wait;
} lab_cmds[] = {
	{ "up", run_up, false },
	{ "status", lab_status, true },
	{ "ping", run_ping, false },
	{ "down", run_down, false },
};

static int parse_wait(int *argc, char ***argv, int *wait_secs)
{
	unsigned v;

	if (*argc >= 3 && !strcmp((*argv)[1], "--wait")) {
		if (parse_count("--wait", (*argv)[2], &v) < 0)
			return -1;
		*wait_secs = (int)v;
		*argc -= 2;
		*argv += 2;
	}
	return 0;
}

static int cmd_lab(unsigned k, int argc, char **argv)
{
	struct lab lab;
	struct fab_err err;
	int wait_secs = 0, rc;

	if (lab_cmds[k].takes_wait && parse_wait(&argc, &argv, &wait_secs) < 0)
		return usage(NULL);
	if (argc != 2 || argv[1][0] == '-')
		return usage("expected the lab folder (the --out of `fabric plan`)");
	if (geteuid() != 0)
		fprintf(stderr, "fabric: warning: not root; network namespaces need root\n");
	if (lab_open(&lab, argv[1], &err) < 0) {
		fprintf(stderr, "fabric: %s\n", err.msg);
		return 1;
	}
	rc = lab_cmds[k].fn(&lab, wait_secs);
	lab_close(&lab);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "plan"))
		return cmd_plan(argc - 1, argv + 1);
	for (unsigned k = 0; k < sizeof(lab_cmds) / sizeof(lab_cmds[0]); k++)
		if (!strcmp(argv[1], lab_cmds[k].name))
			return cmd_lab(k, argc - 1, argv + 1);
	return usage("unknown command");
}
