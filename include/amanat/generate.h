/* amanat generate: a deterministic synthetic country, its registry and its
 * monthly wage lists, streamed to files for demos, tests and benchmarks. */
#ifndef AMANAT_GENERATE_H
#define AMANAT_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/progress.h"
#include "amanat/rules.h"

/* How the wage lists are written (--format). */
enum am_generate_format {
	AM_GENERATE_CSV = 0, /* "csv": OUTDIR/wages/YYYY-MM.csv, one a month */
	AM_GENERATE_DBF,     /* "dbf": OUTDIR/wages/YYYY-MM/WORKSHOP/ with
			      * DSKKAR00.DBF and DSKWOR00.DBF (ListDisk 2.7,
			      * Windows-1256) */
};

/* "csv", "dbf"; "unknown" otherwise. */
const char *am_generate_format_name(enum am_generate_format f);
/* 0 and *out set, or AM_EINVALID_ARGUMENT (*out unchanged). */
int am_generate_format_parse(const char *name, enum am_generate_format *out);

/*
 * The options of `amanat generate`, one for one. am_generate_opts_init()
 * sets the defaults written here; the caller sets insured and outdir.
 */
struct am_generate_opts {
	/* --insured N (required, 1..40,000,000): the workers of the first
	 * month; later months differ by those joining and leaving. */
	uint64_t insured;
	/* --workshops M: 0 (the default) picks about insured/12, which gives
	 * the national shape (a third of workshops with one worker, about
	 * 2.5% with more than 50); else 1..insured. */
	uint64_t workshops;
	/* --months K: 1..600, default 1. */
	unsigned months;
	/* --start YYYY/MM: default 1403/01. The rules must cover every
	 * month generated (wage.minimum.daily, wage.ceiling.daily and the
	 * contribution rates). */
	struct am_period start;
	/* --seed S: default 1. The same options and rules give the same
	 * bytes, on any machine with IEEE-754 doubles: the few shapes drawn
	 * with doubles use + - × / only, never libm. */
	uint64_t seed;
	/* --format dbf|csv: default csv. */
	enum am_generate_format format;
	/* OUTDIR (required): created when missing, with registry/ and
	 * wages/ inside; files of the same names are replaced. */
	const char *outdir;
	/* Progress of the lines written (may be NULL): started again with
	 * the total (its label and language kept, when the caller started
	 * it), updated and finished by am_generate(). */
	struct am_progress *progress;
};

void am_generate_opts_init(struct am_generate_opts *o);

/* What am_generate() wrote. */
struct am_generate_stats {
	uint64_t persons;    /* rows of persons.csv (workers and dependants) */
	uint64_t dependants; /* rows of dependants.csv */
	uint64_t employers, workshops;
	uint64_t lists, lines;	/* wage lists and their lines, all months */
	uint64_t joins, leaves; /* workers who started or left in a month */
	uint64_t first_month_lines;
	size_t state_bytes; /* the generator's own memory, for the bench */
};

/*
 * Generate the country (docs/formats.md, "Registry" and "Wage lists"):
 * OUTDIR/registry/{persons,employers,workshops,dependants}.csv and the
 * lists of each month. Every list is valid for the rules of its period:
 * DSW_MAH = DSW_ROOZ × DSW_DD, DSW_MASH = min(DSW_MAH + DSW_MAZ, the
 * ceiling × DSW_DD), DSW_BIME the insured share of it rounded as
 * contribution.rounding says, DSW_TOTL >= DSW_MASH, header totals the
 * sums of the lines. Month by month, workshop by workshop: the memory
 * kept is about 9 bytes per insured (st->state_bytes).
 *
 * Errors: AM_EINVALID_ARGUMENT for options out of range (diags names
 * the option), the rules' AM_ERULES_… when a month is not covered,
 * AM_EIO (diags names the file) or AM_ENOMEM. Files written before an
 * error stay; each file is written under a temporary name and renamed
 * when complete. st (may be NULL) is filled on success.
 */
int am_generate(const struct am_rules *rules, const struct am_generate_opts *o,
		struct am_generate_stats *st, struct am_diags *diags);

#endif
