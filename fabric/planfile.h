/*
 * Writing a planned lab folder and reading its plan back.
 *
 * planfile_write() writes every file of the plan into a folder, checking each
 * routerd config with the daemon's own loader (libyang against the embedded
 * routerd YANG module) before it is written. planfile_load() reads
 * DIR/plan.json, plans again from the parameters it records and refuses a
 * file that does not match what those parameters give (edited by hand, or
 * made by another version of the tool).
 */
#ifndef FABRIC_PLANFILE_H
#define FABRIC_PLANFILE_H

#include "fabric/plan.h"

int planfile_write(const struct fab_plan *plan, const char *dir, struct fab_err *err);
int planfile_load(const char *dir, struct fab_plan *plan, struct fab_err *err);

/* Pure: the parameters recorded in plan.json text. */
int planfile_params(const char *text, struct fab_params *p, struct fab_err *err);

#endif
