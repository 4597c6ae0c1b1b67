/* amanat use cases: the batches that tie the layers together (import the
 * registry, legacy histories, wage lists and bank payments). Each streams,
 * refuses bad input with diagnostics that name the file, row and field, and
 * changes nothing when run twice. */
#ifndef AMANAT_APP_H
#define AMANAT_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "amanat/error.h"
#include "amanat/rules.h"
#include "amanat/store.h"

/* Counts of what an import did. */
struct am_import_stats {
	size_t files;
	size_t records;	 /* rows read */
	size_t accepted; /* written (or already there unchanged) */
	size_t refused;	 /* rows or lists refused */
	size_t persons, employers, workshops, dependants;
};

/*
 * The registry: persons, employers, workshops and dependants (formats in
 * docs/formats.md, "Registry"). A CSV file holds one kind, told by its
 * header row; a JSON file is an object with any of the arrays "persons",
 * "employers", "workshops", "dependants". The file is checked whole first:
 * any problem refuses it whole (AM_EINVALID_ARGUMENT, with every problem in
 * diags) and nothing is written. Then it is written in batches, each record
 * an upsert, so a rerun after a crash completes it and a second run changes
 * nothing. Text is normalised (ی/ک, digits folded where a code is parsed).
 */
int am_import_registry(struct am_store *s, const char *path,
		       struct am_import_stats *st, struct am_diags *diags);

#endif
