/*
 * The command table of the control socket. Words may be abbreviated as in
 * vtysh ("sh bgp sum"); a trailing "json" selects the JSON form.
 */
#include <string.h>

#include "routerd/ctl/ctl.h"
#include "routerd/ctl/show.h"
#include "routerd/reload.h"

#define MAX_WORDS 6

struct ctl_command {
	const char *words[MAX_WORDS];
	int min_args;
	int max_args;
	ctl_handler fn;
	const char *usage;
};

static int cmd_help(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);

static int cmd_reload(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	return routerd_reload(rd, out) < 0 ? 1 : 0;
}

/* The family word is part of the command; the table code takes it as its first argument. */
static int show_bgp_family(const char *afi, struct routerd *rd, char **args, int nargs, bool json,
			   struct buf *out)
{
	char *argv[3] = { (char *)afi };

	for (int i = 0; i < nargs && i < 2; i++)
		argv[i + 1] = args[i];
	return show_bgp_table(rd, argv, nargs + 1, json, out);
}

static int show_bgp_ipv4(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	return show_bgp_family("ipv4", rd, args, nargs, json, out);
}

static int show_bgp_ipv6(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	return show_bgp_family("ipv6", rd, args, nargs, json, out);
}

/* clang-format off: one command per line reads better than clang-format's layout */
static const struct ctl_command commands[] = {
	{ { "show", "bgp", "summary" }, 0, 0, show_bgp_summary, "show bgp summary [json]" },
	{ { "show", "bgp", "neighbors" },
	  0,
	  2,
	  show_bgp_neighbors,
	  "show bgp neighbors [PEER [advertised-routes|received-routes]] [json]" },
	{ { "show", "bgp", "ipv4" },
	  0,
	  2,
	  show_bgp_ipv4,
	  "show bgp ipv4 [unicast] [PREFIX] [json]" },
	{ { "show", "bgp", "ipv6" },
	  0,
	  2,
	  show_bgp_ipv6,
	  "show bgp ipv6 [unicast] [PREFIX] [json]" },
	{ { "show", "ip", "route" }, 0, 0, show_ip_route, "show ip route [json]" },
	{ { "show", "ipv6", "route" }, 0, 0, show_ipv6_route, "show ipv6 route [json]" },
	{ { "show", "ndra", "neighbors" },
	  0,
	  0,
	  show_ndra_neighbors,
	  "show ndra neighbors [json]" },
	{ { "show", "edge" }, 0, 0, show_edge, "show edge [json]" },
	{ { "show", "running" }, 0, 0, show_running, "show running [json]" },
	{ { "show", "running-config" }, 0, 0, show_running, "show running-config [json]" },
	{ { "clear", "bgp" }, 2, 3, cmd_clear_bgp, "clear bgp PEER soft [in|out]" },
	{ { "reload" }, 0, 0, cmd_reload, "reload" },
	{ { "help" }, 0, 0, cmd_help, "help" },
};
/* clang-format on */

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(struct routerd *rd, char **args, int nargs, bool json, struct buf *out)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		buf_printf(out, "%s\n", commands[i].usage);
	return 0;
}

static int command_words(const struct ctl_command *c)
{
	int n = 0;

	while (n < MAX_WORDS && c->words[n])
		n++;
	return n;
}

/*
 * How well the request's first words name the command: -1 when some word is
 * not an abbreviation of the command's, else the number of words typed in
 * full, so "show ip route" picks ip over ipv6 as vtysh does.
 */
#define CMD_INCOMPLETE (-2) /* the request is the start of this command */

static int command_score(const struct ctl_command *c, char **tok, int ntok)
{
	int n = command_words(c), exact = 0;

	for (int i = 0; i < n && i < ntok; i++) {
		if (strncmp(c->words[i], tok[i], strlen(tok[i])) != 0)
			return -1;
		exact += strcmp(c->words[i], tok[i]) == 0;
	}
	return ntok < n ? CMD_INCOMPLETE : exact;
}

static int tokenize(char *line, char **tok, int max)
{
	int n = 0;

	for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	return n;
}

int ctl_execute(struct routerd *rd, char *line, struct buf *out)
{
	char *tok[CTL_MAX_ARGS];
	const struct ctl_command *found = NULL;
	bool ambiguous = false, incomplete = false;
	int best = -1;
	int ntok = tokenize(line, tok, CTL_MAX_ARGS);
	bool json = ntok > 0 && strcmp(tok[ntok - 1], "json") == 0;
	int nargs;

	if (json)
		ntok--;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		int score = command_score(&commands[i], tok, ntok);

		incomplete |= score == CMD_INCOMPLETE && ntok > 0;
		if (score < 0 || score < best)
			continue;
		ambiguous = found && score == best;
		found = &commands[i];
		best = score;
	}
	if (ambiguous) {
		buf_puts(out, "% Ambiguous command\n");
		return 1;
	}
	if (!found) {
		buf_puts(out, incomplete ? "% Command incomplete; try \"help\"\n"
					 : "% Unknown command; try \"help\"\n");
		return 1;
	}
	nargs = ntok - command_words(found);
	if (nargs < found->min_args || nargs > found->max_args) {
		buf_printf(out, "%% Usage: %s\n", found->usage);
		return 1;
	}
	return found->fn(rd, tok + command_words(found), nargs, json, out);
}
