/* Configuration reload (SIGHUP, `routerctl reload`). */
#ifndef ROUTERD_RELOAD_H
#define ROUTERD_RELOAD_H

#include "routerd/lib/buf.h"

struct routerd;

/*
 * Reads the configuration file again. A file that fails validation is
 * refused and the running configuration kept; so is one that changes more
 * than policy (the reply names what needs a restart). A policy-only change
 * is swapped in and every Established peer is soft-refreshed in and out,
 * without resetting any session. Writes what happened to out (may be NULL);
 * returns 0 when the new configuration is in force.
 */
int routerd_reload(struct routerd *rd, struct buf *out);

#endif
