/* amanat wage lists: the monthly list a workshop files (ListDisk DBF, CSV or
 * JSON), read into plain structs, validated and assessed with the rules in
 * force for its period. Reading, validation and assessment do no I/O beyond
 * the reader's own file, so they run the same for one list at a branch
 * counter and for a national month. */
#ifndef AMANAT_WAGELIST_H
#define AMANAT_WAGELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/arena.h"
#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/money.h"
#include "amanat/rules.h"
#include "amanat/text.h"

#include <stdio.h>

/* A date field that was empty in the file. */
#define AM_WAGE_DATE_NONE INT32_MIN

/* One worker's line (a DSKWOR00 record). Text is normalised UTF-8 owned by
 * the list's arena; amounts are rials. */
struct am_wage_line {
	unsigned row;		 /* 1-based row (record) in its file */
	char national_code[11];	 /* PER_NATCOD, digits folded */
	char insurance_no[11];	 /* DSW_ID1, digits folded ("" if empty) */
	const char *first_name;	 /* DSW_FNAME */
	const char *last_name;	 /* DSW_LNAME */
	const char *father_name; /* DSW_DNAME */
	const char *id_no;	 /* DSW_IDNO: birth certificate number */
	const char *id_place;	 /* DSW_IDPLC */
	am_date id_date;	 /* DSW_IDATE */
	am_date birth_date;	 /* DSW_BDATE */
	char sex; /* DSW_SEX «مرد» 'M', «زن» 'F', else 0 */
	const char *nationality; /* DSW_NAT, e.g. «ایرانی» */
	const char *occupation;	 /* DSW_OCP */
	const char *job_code;	 /* DSW_JOB */
	am_date start_date;	 /* DSW_SDATE */
	am_date end_date;	 /* DSW_EDATE */
	int days;		 /* DSW_DD */
	am_money daily_wage;	 /* DSW_ROOZ */
	am_money monthly_wage;	 /* DSW_MAH = daily wage × days */
	am_money benefits;	 /* DSW_MAZ: subject benefits */
	am_money subject_wage;	 /* DSW_MASH: wage + benefits, capped */
	am_money total_pay;	 /* DSW_TOTL: all pay, subject or not */
	am_money insured_share;	 /* DSW_BIME: the insured's 7% */
	int prate;		 /* DSW_PRATE: contract percentage */
	am_money seniority;	 /* DSW_INC (v6 layout; 0 otherwise) */
	am_money spouse;	 /* DSW_SPOUSE (v6 layout; 0 otherwise) */
	int hard_harmful_days;	 /* days in hard and harmful work */
};

/* The layouts of ListDisk files met in the wild (iran-rules.md §7). */
enum am_dbf_layout {
	AM_DBF_NONE = 0, /* not a DBF list (CSV, JSON) */
	AM_DBF_V27,	 /* official ListDisk 2.7: 23 + 27 columns */
	AM_DBF_V6,	 /* DSKEditor "v6": 25 + 29 columns */
	AM_DBF_OLD,	 /* older third-party: 26 + 31 columns */
};
const char *am_dbf_layout_name(enum am_dbf_layout l);
int am_dbf_layout_parse(const char *name, enum am_dbf_layout *out);

/* One list: a workshop's filing for one period and list number, with its
 * header (DSKKAR00) and lines. */
struct am_wage_list {
	const char *file;    /* where it was read from */
	unsigned header_row; /* row of the header, for diagnostics */
	char workshop[11];   /* DSK_ID / DSW_ID */
	struct am_period
		period; /* DSK_YY/DSK_MM (two-digit years read as 13YY/14YY) */
	char list_no[13];	   /* DSK_LISTNO */
	const char *workshop_name; /* DSK_NAME */
	const char *employer_name; /* DSK_FARM */
	const char *address;	   /* DSK_ADRS */
	const char *description;   /* DSK_DISC */
	int kind;		   /* DSK_KIND, 0 */
	char contract_row[4];	   /* MON_PYM */

	/* Header totals, present in DBF lists; CSV and JSON lists carry none
	 * unless given, and then has_totals is false and nothing is checked. */
	bool has_totals;
	int64_t t_workers;	 /* DSK_NUM */
	int64_t t_days;		 /* DSK_TDD */
	am_money t_daily;	 /* DSK_TROOZ */
	am_money t_wage;	 /* DSK_TMAH */
	am_money t_benefits;	 /* DSK_TMAZ */
	am_money t_subject;	 /* DSK_TMASH */
	am_money t_total;	 /* DSK_TTOTL */
	am_money t_insured;	 /* DSK_TBIME */
	am_money t_employer;	 /* DSK_TKOSO */
	am_money t_unemployment; /* DSK_BIC */
	int rate;		 /* DSK_RATE */
	int prate;		 /* DSK_PRATE */
	am_money t_hard_harmful; /* DSK_BIMH */
	am_money t_seniority;	 /* DSK_INC (v6) */
	am_money t_spouse;	 /* DSK_SPOUSE (v6) */

	size_t nlines;
	struct am_wage_line *lines;

	enum am_dbf_layout layout;
	enum am_codepage codepage; /* of the Persian text as read */
	uint8_t hash[32];	   /* BLAKE2b-256 of the list's content */
	struct am_arena arena;	   /* owns the strings and lines */
};

/* Set up an empty list in caller memory (its arena included). */
void am_wage_list_init(struct am_wage_list *l);
/* Free what the list owns (its arena) and leave it empty, ready for reuse. */
void am_wage_list_release(struct am_wage_list *l);

/* Copy src into dst, deep: the header, every string and the lines go into
 * dst's own arena, so that dst outlives src (a reader reuses its list's
 * memory for the next one) and may be handed to another thread. dst must
 * have been set up by am_wage_list_init() (its arena's block size may be
 * changed after that); what it held is dropped first, its arena cleared
 * and reused. The hash is copied, not computed. src is not changed and
 * must not be dst. AM_ENOMEM leaves dst empty, as after
 * am_wage_list_init() but with its arena kept. */
int am_wage_list_copy(struct am_wage_list *dst, const struct am_wage_list *src);

/* The same without the lines: dst->lines is NULL, dst->nlines src's count
 * (a list's posting, once prepared, needs only its header: see
 * am_post_prepare()). */
int am_wage_list_copy_header(struct am_wage_list *dst,
			     const struct am_wage_list *src);

/* Compute l->hash: BLAKE2b-256 over a canonical form of the list's content
 * (workshop, period, list number, and each line's identity and amounts in
 * order; not the names or the header totals), so the same list read from
 * DBF, CSV or JSON hashes the same. */
void am_wage_list_hash(struct am_wage_list *l);

/*
 * Readers (src/formats/). Each reads lists from one source and hands them
 * one at a time to a callback, so that a national month streams in bounded
 * memory; the list passed is valid during the call only. A problem in the
 * input is a diagnostic (file, row, field, value, expected) in diags; a list
 * with any problem is still passed to the callback with l->nlines lines and
 * *refused set by the reader, so that the caller can report it whole. The
 * return value is 0, the callback's non-zero return, or an error that
 * stopped the reading (AM_EIO, AM_ENOMEM…).
 */

struct am_read_opts {
	/* AM_CP_UTF8 (the default, 0) detects the code page of DBF text per
	 * file; AM_CP_WINDOWS_1256 or AM_CP_IRAN_SYSTEM forces it. */
	enum am_codepage codepage;
};

/* Called for each list read. refused: the reader found problems in this
 * list (already in diags). A non-zero return stops the reading. */
typedef int (*am_wage_list_fn)(struct am_wage_list *l, bool refused, void *ctx);

/* A ListDisk folder holding DSKKAR00.DBF and DSKWOR00.DBF (names matched
 * without regard to case): one list. Layout by field names, widths from the
 * header; the code page detected per file unless opts forces it (opts may
 * be NULL). A line's row is its record number in DSKWOR00.DBF; header
 * problems are row 1 of DSKKAR00.DBF; each diagnostic's file is the DBF
 * file, l->file the folder. The list is always passed, refused when a file
 * is missing or damaged. */
int am_dbf_read(const char *dir, const struct am_read_opts *opts,
		am_wage_list_fn fn, void *ctx, struct am_diags *diags);
/* Write a list as a ListDisk folder in the given layout and code page
 * (AM_DBF_V27 and AM_CP_WINDOWS_1256 are the official ones). The files are
 * written under temporary names and renamed, so a crash leaves no half. */
int am_dbf_write(const struct am_wage_list *l, const char *dir,
		 enum am_dbf_layout layout, enum am_codepage cp);
/* Same, and on error *diag (may be NULL) names the file, the line's row
 * (0 for the header), the field and the value: AM_EENCODING_UNMAPPABLE for
 * text the code page cannot hold, AM_EWAGE_FIELD_TOO_LONG for a value wider
 * than its field, AM_EINVALID_ARGUMENT for a year a two-digit DSK_YY cannot
 * carry (outside 1370..1469), AM_EIO. Text is never substituted. */
int am_dbf_write_diag(const struct am_wage_list *l, const char *dir,
		      enum am_dbf_layout layout, enum am_codepage cp,
		      struct am_diag *diag);

/* A UTF-8 CSV with a header row naming the DSKWOR00 columns in any order;
 * each (DSW_ID, DSW_YY, DSW_MM, DSW_LISTNO) group of consecutive rows is one
 * list (a group met again after another is refused: keep each list's rows
 * together). Streams through a fixed buffer, holding one list at a time; a
 * line's row is its line in the file (the header is row 1). A header row
 * that cannot be used (an unknown, missing or repeated column) refuses the
 * whole file: no list is passed and the return is that problem's code
 * (AM_EWAGE_UNKNOWN_FIELD, AM_EWAGE_MISSING_FIELD, AM_EWAGE_FIELD_TWICE).
 * AM_ETOO_LONG for a record over 1 MiB, AM_EIO when the file cannot be
 * read (both also in diags). opts may be NULL (CSV is always UTF-8). */
int am_csv_read(const char *path, const struct am_read_opts *opts,
		am_wage_list_fn fn, void *ctx, struct am_diags *diags);
/* Write lists as such a CSV (header row first); for the generator and for
 * exports. Appends rows to an open stream. */
int am_csv_write_header(FILE *out);
int am_csv_write_list(FILE *out, const struct am_wage_list *l);

/* A JSON file: one list object, or an array of them, each with the same
 * field names and a "lines" array (docs/formats.md). A line's row is its
 * 1-based index in its list, and diagnostics name the place in the field
 * ("lists[2].lines[5].DSW_DD"). The file is read whole: over 256 MiB is
 * AM_ETOO_LONG; a syntax error is AM_EJSON_SYNTAX with jansson's line as
 * the row; in both cases no list is passed. opts may be NULL. */
int am_json_read(const char *path, const struct am_read_opts *opts,
		 am_wage_list_fn fn, void *ctx, struct am_diags *diags);

/*
 * Assessment and validation (src/domain/): pure functions of a list and the
 * rules in force for its period. They do no I/O, and nothing on the
 * per-line path allocates; docs/assessment.md gives the formulas and lists
 * every check with its error id.
 */

/* The rule values in force for one period, looked up once (on the period's
 * first day) and reused for every line of that period. */
struct am_assess_params {
	struct am_period period;
	am_date first_day, last_day;
	/* Length of the month, Esfand by the leap rule. */
	int month_days;
	struct am_rate insured;	     /* contribution.compulsory.insured */
	struct am_rate employer;     /* contribution.compulsory.employer */
	struct am_rate state;	     /* contribution.compulsory.state */
	struct am_rate unemployment; /* contribution.unemployment.employer */
	struct am_rate hard_harmful; /* contribution.hard_harmful.employer */
	/* contribution.small_exempt.employer_share_payer is "state": in an
	 * exempt small workshop the state pays the employer's share. */
	bool exempt_state_pays_employer;
	/* contribution.small_exempt.unemployment_paid_by_employer */
	bool exempt_pays_unemployment;
	am_money min_daily;	 /* wage.minimum.daily */
	am_money ceiling_daily;	 /* wage.ceiling.daily */
	enum am_round rounding;	 /* contribution.rounding */
	am_money bime_tolerance; /* wagelist.bime_tolerance */
	int max_days;		 /* wagelist.max_days */
	int kind;		 /* wagelist.kind: the one DSK_KIND allowed */
	char rules_identity[65];
};

/* Look the period's values up. A month outside 1..12 is
 * AM_EWAGE_PERIOD_RANGE (diag field "DSK_MM"), a year outside the calendar
 * AM_EDATE_YEAR_RANGE (field "DSK_YY"); AM_ERULES_NO_VALUE (diag names the
 * parameter and date) when the rules do not cover the period;
 * AM_ERULES_TYPE_MISMATCH or AM_ERULES_BAD_VALUE when a parameter has the
 * wrong unit or a value this code cannot apply (an employer_share_payer
 * other than "state" or "employer"). diag may be NULL. On error *out is
 * unchanged. */
int am_assess_params_load(const struct am_rules *r, struct am_period p,
			  struct am_assess_params *out, struct am_diag *diag);

/* What the registry says of the workshop, as assessment needs it. */
struct am_workshop_terms {
	bool hard_harmful; /* all its lines' days count as hard and harmful
			    * unless the line says otherwise */
	bool small_exempt; /* the state pays the employer's share */
};

/* One line's contributions, in rials. Each share is base × its rate,
 * rounded on its own by params->rounding.
 *
 * Who pays what: the employer owes employer + hard_harmful, plus
 * unemployment unless unemployment_by_state; the state owes state, plus
 * unemployment when unemployment_by_state; the worker's insured share is
 * withheld by the employer. In an exempt small workshop (terms small_exempt
 * and params exempt_state_pays_employer) employer is 0 and state is the
 * state's 3% plus the employer's 20%, each rounded separately and added.
 * Whether such an employer still pays the 3% unemployment share is not
 * established (rule confidence U): it follows
 * contribution.small_exempt.unemployment_paid_by_employer, and when that is
 * false unemployment_by_state is set. The 4% hard-and-harmful share always
 * stays with the employer. */
struct am_line_assessment {
	am_money base;	       /* the subject wage assessed: floored, capped */
	am_money insured;      /* the worker's share (7%) */
	am_money employer;     /* the employer's share (20%); 0 when exempt */
	am_money state;	       /* the state's 3%, plus the employer's 20%
				* for exempt small workshops */
	am_money unemployment; /* 3%, paid by the employer unless
				* unemployment_by_state */
	am_money hard_harmful; /* 4% on hard and harmful days */
	int hard_harmful_days;
	bool unemployment_by_state; /* the state pays unemployment */
};

/* DSK_RATE of a list's header: the employer's rate and the unemployment
 * insurance rate together, in whole percent (20% + 3% = 23), from the
 * rules of the period. What the SSO expects there is not confirmed
 * (iran-rules.md §7.2). */
int am_assess_dsk_rate(const struct am_assess_params *p);

/* Assess one line: base = DSW_MASH, floored at min_daily × days and capped
 * at ceiling_daily × days (0 when days <= 0). Hard-and-harmful days are the
 * line's own when > 0, else all its days when the workshop is hard and
 * harmful, else 0, and never more than days; that share is base × rate ×
 * hh / days, one exact rate rounded once. Nothing is validated here (see
 * am_wage_list_validate). AM_EMONEY_OVERFLOW only for absurd amounts; on
 * error *out is unchanged. */
int am_wage_line_assess(const struct am_assess_params *p,
			const struct am_workshop_terms *t,
			const struct am_wage_line *line,
			struct am_line_assessment *out);

/* Fill a line's derived amounts from its daily wage, days and benefits, as
 * a correct list carries them: DSW_MAH = daily × days, DSW_MASH = min(MAH +
 * MAZ, ceiling_daily × days), DSW_BIME = the assessed insured share. For
 * the synthetic-data generator and for tests. AM_EMONEY_OVERFLOW leaves
 * the line unchanged. */
int am_wage_line_fill(const struct am_assess_params *p,
		      struct am_wage_line *line);

/* Validate a whole list before anything is written: every problem is a
 * diagnostic naming the list's file, the row (the header's row for header
 * fields), the DSKWOR00/DSKKAR00 field, the value found and the value
 * expected, with its own AM_EWAGE_… code; all problems are reported, not
 * just the first. today bounds the period (no future periods; the current
 * month is allowed). p may be NULL when am_assess_params_load() failed for
 * the list's period: the checks that need no rule figure (identifiers,
 * period, duplicates, signs, header totals) are still made, so the list's
 * other problems are reported with the period's. t may be NULL: the terms
 * change who pays, never what a list must say. Header totals are checked
 * only when l->has_totals; duplicates ignore leading zeros of the codes. Returns the number of problems found (0: the
 * list may be posted), counted even past the cap of diags. */
size_t am_wage_list_validate(const struct am_assess_params *p,
			     const struct am_workshop_terms *t,
			     const struct am_wage_list *l, am_date today,
			     struct am_diags *diags);

#endif
