/* Reload: validate, compare, swap the policy in, refresh the peers it concerns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routerd/daemon.h"
#include "routerd/lib/log.h"
#include "routerd/reload.h"

static void say(struct buf *out, const char *text)
{
	if (out)
		buf_puts(out, text);
}

/* The policy part of a neighbor (the rest is equal: conf_diff_nonpolicy said so). */
static void take_policy(struct bgp_peer *p, const struct conf_neighbor *n)
{
	memcpy(p->conf.route_map_in, n->route_map_in, sizeof(p->conf.route_map_in));
	memcpy(p->conf.route_map_out, n->route_map_out, sizeof(p->conf.route_map_out));
	p->conf.soft_reconfig_in = n->soft_reconfig_in;
}

/* Interface neighbors own several slots named swp1, swp1:2...: match the configured name. */
static const struct conf_neighbor *conf_of_slot(const struct routerd_conf *c,
						const struct bgp_peer *p)
{
	char name[CONF_NAME_MAX];
	char *colon;

	snprintf(name, sizeof(name), "%s", p->conf.peer);
	colon = p->conf.is_interface ? strchr(name, ':') : NULL;
	if (colon)
		*colon = '\0';
	return conf_find_neighbor(c, name);
}

static void swap_in(struct routerd *rd, struct routerd_conf *next)
{
	struct routerd_conf *prev = rd->conf;
	const char *why;

	for (unsigned i = 0; i < rd->bgp.n_peers; i++) {
		const struct conf_neighbor *n = conf_of_slot(next, &rd->bgp.peers[i]);

		if (n)
			take_policy(&rd->bgp.peers[i], n);
	}
	rd->conf = next;
	rd->rde.conf = next;
	rde_local_reconf(&rd->local, next);
	edge_run_reconf(&rd->edge);
	for (unsigned i = 0; i < rd->bgp.n_peers; i++) {
		struct bgp_peer *p = &rd->bgp.peers[i];

		if (p->established && rde_soft_in(&rd->rde, p, &why) < 0)
			log_warn("reload-soft-in-skipped", "peer=%s reason=\"%s\"", p->conf.peer,
				 why);
	}
	/* soft out for everyone at once: sessions whose policies now differ part groups */
	rde_policy_reloaded(&rd->rde);
	/* Nothing refers to the old route-maps any more: the groups were refilled. */
	conf_free(prev);
}

int routerd_reload(struct routerd *rd, struct buf *out)
{
	char *err = NULL, diff[1024];
	struct routerd_conf *next = conf_load_file(rd->conf->path, &err);

	if (!next) {
		log_err("reload-refused", "config=%s reason=invalid", rd->conf->path);
		say(out, "% reload refused, the running configuration is kept:\n");
		say(out, err ? err : "invalid configuration\n");
		free(err);
		return -1;
	}
	if (conf_diff_nonpolicy(rd->conf, next, diff, sizeof(diff))) {
		log_warn("reload-refused", "config=%s reason=\"needs a restart: %s\"",
			 rd->conf->path, diff);
		say(out,
		    "% reload refused, the running configuration is kept: these changes need a "
		    "restart: ");
		say(out, diff);
		say(out, "\n");
		conf_free(next);
		return -1;
	}
	swap_in(rd, next);
	log_info("reload", "config=%s applied=policy", rd->conf->path);
	say(out, "reloaded: policy swapped in, peers soft-refreshed in and out\n");
	return 0;
}
