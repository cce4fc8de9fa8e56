/* Show commands. Each writes text (FRR vtysh layout) or JSON into out; returns 0 or 1. */
#ifndef ROUTERD_CTL_SHOW_H
#define ROUTERD_CTL_SHOW_H

#include <stdbool.h>

#include "routerd/lib/buf.h"

struct routerd;

typedef int (*ctl_handler)(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);

int show_bgp_summary(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_bgp_neighbors(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_bgp_table(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
struct bgp_peer;
int cmd_clear_bgp(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_ip_route(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_ipv6_route(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_edge(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_running(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_ndra_neighbors(struct routerd *rd, char **args, int nargs, bool json, struct buf *out);
int show_bgp_neighbor_routes(struct routerd *rd, struct bgp_peer *p, bool advertised, bool json,
			     struct buf *out);

#endif
