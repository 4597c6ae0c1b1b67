/* The persons of a month's lines, gathered before its lists are posted and
 * registered in one pass in key order (ahead.c). Internal to the app
 * layer: the wage import (wages.c) uses it for a registry too small for
 * the month it is given. */
#ifndef AMANAT_APP_AHEAD_H
#define AMANAT_APP_AHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_store;
struct am_wage_line;

struct am__ahead;

/* chunk_bytes: the records held in memory before a sorted run goes to a
 * temporary file (0: 64 MiB). */
int am__ahead_new(size_t chunk_bytes, struct am__ahead **out);
void am__ahead_free(struct am__ahead *g);

/* The line's person (a line with a sex: the registry needs one), kept as
 * the line gives it. The first line of a code is the one registered. */
int am__ahead_add(struct am__ahead *g, const struct am_wage_line *ln);

/* A workshop the lists name and the registry lacks (--register-workshops),
 * from its list's header: its code, name and address (copied). */
int am__ahead_workshop(struct am__ahead *g, const char *code, const char *name,
		       const char *address);

/* Lines gathered, and sorted runs written to temporary files so far. */
size_t am__ahead_lines(const struct am__ahead *g);
size_t am__ahead_runs(const struct am__ahead *g);

/* Register the gathered workshops, then the persons, each code once,
 * ascending, in transactions of batch rows (0: 500,000), each with its
 * audit entry ("workshops.register", "persons.register") naming its
 * bounds, its count and the hash of what it offered; a person already
 * registered is kept as it is. *added: the persons new to the registry;
 * *workshops: the workshops registered. progress: draw a bar (Persian words when
 * persian). On an error the batches committed before stay (each is whole
 * and idempotent), and the diagnostic is in s's last error. */
int am__ahead_register(struct am__ahead *g, struct am_store *s, size_t batch,
		       bool progress, bool persian, size_t *added,
		       size_t *workshops);

#endif
