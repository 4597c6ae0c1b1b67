/* amanat rules: legal parameters loaded from the YAML files of rules/<country>/, each a
 * list of dated values with a unit and a legal reference, looked up by date.
 * Code holds formulas, never figures. The loader is strict: an unknown key,
 * a gap or overlap of dates, a missing unit or reference is an error naming
 * file and line. Folders may be laid over one another, a later one adding
 * values after the earlier ones end (an operator's next year before the
 * next release). See docs/rules.md for the file format. */
#ifndef AMANAT_RULES_H
#define AMANAT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/money.h"

/* The unit of a parameter decides the type of its values. */
enum am_unit {
	AM_UNIT_RIAL = 1,     /* "rial": money (am_money) */
	AM_UNIT_RIAL_PER_DAY, /* "rial/day": money per day */
	AM_UNIT_RATE,	      /* "rate": an exact fraction, "7%" or "7/100" */
	AM_UNIT_DAYS,	      /* "days": an integer */
	AM_UNIT_MONTHS,	      /* "months" */
	AM_UNIT_YEARS,	      /* "years" */
	AM_UNIT_COUNT,	      /* "count": a plain integer */
	AM_UNIT_DATE,	      /* "date": a Jalali date */
	AM_UNIT_ROUNDING,     /* "rounding": half_up, half_even, down, … */
	AM_UNIT_BOOL,	      /* "bool": true or false */
	AM_UNIT_TEXT,	      /* "text": a short code word (e.g. a relation) */
	AM_UNIT_TABLE,	      /* "table": rows of typed columns */
};

/* "rial/day" for AM_UNIT_RIAL_PER_DAY …; "unknown" for other numbers. */
const char *am_unit_name(enum am_unit u);
/* 0 and *out set, or AM_ERULES_BAD_UNIT. */
int am_unit_parse(const char *name, enum am_unit *out);

/* One typed value: a scalar parameter's value, or one cell of a table. */
struct am_scalar {
	enum am_unit unit;
	union {
		int64_t i;	/* days, months, years, count */
		am_money money; /* rial, rial/day */
		struct am_rate rate;
		am_date date;
		enum am_round round;
		bool b;
		const char *text;
	} u;
};

struct am_column {
	const char *name;
	enum am_unit unit; /* never AM_UNIT_TABLE */
	const char *description_fa;
	const char *description_en;
};

/* End of an open-ended value. */
#define AM_DATE_OPEN INT32_MAX

/* One dated value. A value written without `to` ends the day before the
 * next one's `from`, and that day is in `to`; only the last value may be
 * open (AM_DATE_OPEN) or ended. */
struct am_value {
	am_date from;		 /* first day in force */
	am_date to;		 /* last day in force, or AM_DATE_OPEN */
	const char *reference;	 /* law, article, circular, URL */
	const char *note;	 /* may be NULL */
	unsigned line;		 /* where the value starts in its file */
	struct am_scalar scalar; /* for scalar parameters */
	size_t nrows;		 /* for tables: cells has nrows × ncolumns */
	const struct am_scalar *cells;
	const char *file; /* the file it was read from */
	unsigned layer; /* the folder: 0 the first, 1 the one laid over it … */
};

struct am_param {
	const char *name; /* "contribution.compulsory.insured" */
	enum am_unit unit;
	const char *description_fa;
	const char *description_en;
	const char *confidence; /* H, M, L, U or D, as in the sources */
	const char *file;	/* path it was read from (its first folder's) */
	unsigned line;
	size_t ncolumns; /* tables only */
	const struct am_column *columns;
	size_t nvalues; /* sorted by from */
	const struct am_value *values;
};

/* A loaded rule set. Opaque; read-only after loading, so it may be shared
 * between threads. */
struct am_rules;

/* The most folders a set is laid from. */
#define AM_RULES_LAYERS_MAX 16

/* Load every *.yaml and *.yml file directly in dir (sorted by name, not
 * recursive, names starting with '.' skipped) and finish the set. Every
 * error of every file is added to diags (when not NULL), each naming file
 * and 1-based line; the call then returns the first error code and *out is
 * NULL. A missing or unreadable dir, or one without rule files, is
 * AM_ERULES_DIR; a file over 4 MiB is AM_ETOO_LONG, one that cannot be read
 * AM_EIO. The caller frees *out with am_rules_free(). */
int am_rules_load_dir(const char *dir, struct am_rules **out,
		      struct am_diags *diags);
/* Load a stack of folders, dirs[0] first (the base, normally rules/ir),
 * each as am_rules_load_dir() reads one, and lay each over the ones before
 * as am_rules_add_layer() says. Every problem of every folder is added to
 * diags; the call then returns the first error and *out is NULL. No
 * folder is AM_ERULES_DIR, more than AM_RULES_LAYERS_MAX AM_ETOO_LONG. The
 * caller frees *out with am_rules_free(). */
int am_rules_load_dirs(const char *const *dirs, size_t ndirs,
		       struct am_rules **out, struct am_diags *diags);
/* An empty set to add texts to: 0, or AM_ENOMEM. */
int am_rules_new(struct am_rules **out);
/* Start the next layer: the texts added after this call form a folder
 * laid over the texts added before it (which, without an earlier call,
 * form an unnamed first layer). name (may be NULL) is copied and names the
 * layer for am_rules_layer_name(). When the set is finished, a parameter
 * of a later layer that an earlier one has must keep its unit and columns
 * (AM_ERULES_LAYER_MISMATCH), and its values must start on the day after
 * the earlier layers' last value ends: not before (an overlap or a change
 * of a past value, AM_ERULES_LAYER_OVERLAP), not later (a gap,
 * AM_ERULES_DATE_GAP), and not after a value without end
 * (AM_ERULES_LAYER_OPEN); each diagnostic names the later file and line,
 * the parameter (field), its first date (value) and where the earlier
 * values end (expected). A parameter no earlier layer has is added whole.
 * The merged parameter keeps the first layer's description, confidence,
 * file and line. Returns 0; AM_EINVALID_ARGUMENT once the set is closed,
 * AM_ETOO_LONG past AM_RULES_LAYERS_MAX layers, AM_ENOMEM. */
int am_rules_add_layer(struct am_rules *r, const char *name);
/* Read one YAML text of at most 4 MiB (it need not end in NUL); name (may
 * be NULL) is copied and used as the file in diagnostics and in
 * am_param.file. Returns 0, or the first error of this text with all of
 * them added to diags (sorted by line). A text with errors adds none of its
 * bad parameters, but keeps its good ones so that am_rules_finish() can
 * still name duplicates; the set can then no longer be finished. */
int am_rules_add_text(struct am_rules *r, const char *name, const char *text,
		      size_t len, struct am_diags *diags);
/* Close the set: sort the parameters by name, report every duplicate name
 * within a layer (naming where the first one is), lay the layers over one
 * another (am_rules_add_layer()) and compute the identity. Returns 0, or
 * the first error of an earlier am_rules_add_text() if any, else
 * AM_ERULES_DUPLICATE, else the first error of the layering;
 * AM_EINVALID_ARGUMENT when called twice. Only after it succeeded do
 * lookups find anything; the set is then read-only. */
int am_rules_finish(struct am_rules *r, struct am_diags *diags);
/* Free the set and everything it holds (NULL is fine). */
void am_rules_free(struct am_rules *r);

/* The identity of the rule set: BLAKE2b-256 over a canonical form of every
 * parameter, as 64 hex digits. Stored with every decision. It changes with
 * any figure, date, unit or reference, not with the order of files or
 * parameters, comments, descriptions or notes; nor with how the values are
 * spread over folders: a stack has the identity of one folder holding all
 * its values, so a folder alone keeps its own and a folder laid over it
 * gives another. "" before am_rules_finish() succeeded. Owned by the set. */
const char *am_rules_identity(const struct am_rules *r);

/* The layers of a finished set (0 before), and the name each was given
 * (a folder's path; NULL for an unnamed one or i out of range). A value's
 * layer is in am_value.layer. */
size_t am_rules_layer_count(const struct am_rules *r);
const char *am_rules_layer_name(const struct am_rules *r, size_t i);

/* Parameters sorted by name; count 0 and NULL before a successful finish,
 * NULL for i out of range or an unknown name. Owned by the set. */
size_t am_rules_count(const struct am_rules *r);
const struct am_param *am_rules_at(const struct am_rules *r, size_t i);
const struct am_param *am_rules_find(const struct am_rules *r,
				     const char *name);

/* The value of a parameter in force on a date (binary search; *out is owned
 * by the set). AM_ERULES_UNKNOWN_PARAM, or AM_ERULES_NO_VALUE when no value
 * is in force then: before the first from or after an ended last value,
 * never a silent carry-forward. On error diag (may be NULL) is set: for
 * AM_ERULES_NO_VALUE file and line of the parameter, field its name, value
 * the date as Jalali and expected the span covered ("a date in
 * 1401/01/01..1404/12/29"); for AM_ERULES_UNKNOWN_PARAM field "parameter"
 * and value the name. */
int am_rules_value(const struct am_rules *r, const char *name, am_date on,
		   const struct am_value **out, struct am_diag *diag);

/* Typed lookups; AM_ERULES_TYPE_MISMATCH when the unit does not fit:
 * money for rial and rial/day, int for days, months, years and count. */
int am_rules_money(const struct am_rules *r, const char *name, am_date on,
		   am_money *out, struct am_diag *diag);
int am_rules_rate(const struct am_rules *r, const char *name, am_date on,
		  struct am_rate *out, struct am_diag *diag);
int am_rules_int(const struct am_rules *r, const char *name, am_date on,
		 int64_t *out, struct am_diag *diag);
int am_rules_rounding(const struct am_rules *r, const char *name, am_date on,
		      enum am_round *out, struct am_diag *diag);
int am_rules_bool(const struct am_rules *r, const char *name, am_date on,
		  bool *out, struct am_diag *diag);

/* Column index of a table parameter by name, or -1. */
int am_param_column(const struct am_param *p, const char *name);
/* Cell (row, col) of a table value; NULL when p is not a table or row or
 * col is out of range. */
const struct am_scalar *am_value_cell(const struct am_param *p,
				      const struct am_value *v, size_t row,
				      size_t col);

/* Text of a scalar as written in rule files ("7/100", "1403/12/30",
 * "3463656", "half_up", "true"), always NUL-terminated when size > 0 and
 * never cut inside a UTF-8 character. Returns the length of the whole text
 * (as snprintf does). Needs at most 64 bytes except for text. */
size_t am_scalar_format(const struct am_scalar *s, char *out, size_t size);

#endif
