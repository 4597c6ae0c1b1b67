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
#include "amanat/text.h"
#include "amanat/wagelist.h"

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

/*
 * Legacy histories (docs/formats.md, "History"): a CSV with the columns
 * national_code, period (YYYY/MM Jalali), workshop, days, subject_wage and
 * optionally hard_harmful (days). Stored as migrated months, without
 * assessment; they count toward the worker's credited days. Checked whole,
 * then written; the same row again changes nothing, a different row under
 * the same (person, period, workshop) is refused with its row.
 */
int am_import_history(struct am_store *s, const char *path,
		      struct am_import_stats *st, struct am_diags *diags);

/*
 * Bank payments (docs/formats.md, "Payments"): a CSV statement with the
 * columns workshop, period, amount, date and reference; each payment is
 * matched to the workshop's debt for the period, idempotently by reference.
 */
int am_import_payments(struct am_store *s, const char *path,
		       struct am_import_stats *st, struct am_diags *diags);

/*
 * Wage lists: every PATH is a ListDisk folder (DSKKAR00.DBF and
 * DSKWOR00.DBF), a tree of such folders, a .csv or a .json file. Each list
 * is read, checked against the registry, validated and assessed with the
 * rules of its period before anything is written; a list with any problem
 * is refused whole (its problems in diags) and the others go on. Accepted
 * lists are posted many to a transaction, each still wholly posted or
 * absent after a crash. The same list again changes nothing; another list
 * under the same workshop, period and list number is refused unless amend.
 */
struct am_wage_import_opts {
	bool register_workshops; /* register unknown workshops from the list */
	bool amend;		 /* supersede a different earlier list */
	enum am_codepage codepage; /* AM_CP_UTF8 (0): detect per DBF file */
	am_date today;		   /* bounds the period; 0: the real today */
	size_t batch_lines;	   /* lines per transaction; 0: 500,000 */
	bool progress;		   /* draw a progress bar (when a terminal) */
	bool persian;		   /* ... its words and digits in Persian */
	/* Lines read before the registered persons are held in memory
	 * (am_person_set, up to 119 MiB); 0: 250,000; SIZE_MAX: never. */
	size_t person_set_lines;
	/* ... and only when at least this many persons are registered;
	 * 0: the backend's threshold (SQLite 4,000,000: fewer stay in its
	 * cache anyway; PostgreSQL none: each question is a round trip). */
	int64_t person_set_persons;
	/* The month's new persons registered before its lists, in one pass
	 * in key order (AM_AHEAD_AUTO: when the files named hold more lines
	 * than the registry has persons: a new country's first months). */
	enum am_ahead { AM_AHEAD_AUTO, AM_AHEAD_ALWAYS, AM_AHEAD_NEVER } ahead;
};

struct am_wage_import_stats {
	size_t files;
	size_t lists_read;
	size_t lists_accepted; /* posted, amended or already there */
	size_t lists_posted, lists_unchanged, lists_amended;
	size_t lists_refused;
	size_t lines;	     /* lines read */
	size_t lines_posted; /* lines of lists written now */
	size_t persons_registered;
	size_t persons_ahead; /* of them, registered before the lists */
	size_t workshops_registered;
	size_t workshops_ahead; /* of them, registered before the lists */
	/* Where the time went, in seconds: each thread's CPU, how long each
	 * waited for the other at the queue, and the compaction's wall time
	 * at the end. With one thread the writing is the reader's and the
	 * writer's figures are 0. */
	double reader_cpu, writer_cpu;
	double reader_waited, writer_waited;
	double compact;
	/* The writer's waits for the checkpoint thread (a complete copy of
	 * the log now and then), and that thread's checkpoints. */
	double checkpoint_waited;
	size_t checkpoints;
};

int am_import_wages(struct am_store *s, const struct am_rules *rules,
		    char *const *paths, size_t npaths,
		    const struct am_wage_import_opts *o,
		    struct am_wage_import_stats *st, struct am_diags *diags);

/*
 * Write a posted list (list_no NULL: the workshop's lowest list number of
 * the period) as a ListDisk folder in dir: DSKKAR00.DBF and DSKWOR00.DBF in
 * the layout and code page given (AM_DBF_V27 and AM_CP_WINDOWS_1256 are
 * the official ones). The header totals are the sums of the lines; the
 * files import back to the same list (the same am_wage_list_hash). On
 * error *diag names what failed.
 */
int am_export_dskwin(struct am_store *s, const struct am_rules *rules,
		     const char *workshop, struct am_period period,
		     const char *list_no, const char *dir,
		     enum am_dbf_layout layout, enum am_codepage cp,
		     struct am_diag *diag);

#endif
