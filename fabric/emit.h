/*
 * The planned files as text: the routerd config of a node (RFC 7951 JSON for
 * the YANG module "routerd"), the FRR config of a --frr node, the
 * containerlab topology and the namespace plan (plan.json) that `fabric up`
 * reads back.
 *
 * Pure: every function appends to a struct buf; fabric/write.c puts them on disk.
 */
#ifndef FABRIC_EMIT_H
#define FABRIC_EMIT_H

#include "fabric/plan.h"
#include "routerd/lib/buf.h"

#define FAB_PLAN_FILE	 "plan.json"
#define FAB_CLAB_FILE	 "topology.clab.yml"
#define FAB_ROUTERD_FILE "routerd.json"
#define FAB_FRR_FILE	 "frr.conf"
#define FAB_DAEMONS_FILE "frr-daemons" /* /etc/frr/daemons of the FRR containers */
#define FAB_PLAN_VERSION 1

void emit_routerd(const struct fab_plan *plan, const struct fab_node *n, struct buf *out);
void emit_frr(const struct fab_plan *plan, const struct fab_node *n, struct buf *out);
void emit_frr_daemons(struct buf *out);
void emit_clab(const struct fab_plan *plan, struct buf *out);
void emit_plan(const struct fab_plan *plan, struct buf *out);

/* Does the plan have at least one node running FRR? */
bool emit_has_frr(const struct fab_plan *plan);

#endif
