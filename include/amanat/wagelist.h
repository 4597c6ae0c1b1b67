/* amanat wage lists: the monthly list a workshop files, as plain structs:
 * its header and lines, their lifecycle, a deep copy, and the content hash
 * that makes posting idempotent. The readers and writers of ListDisk DBF,
 * CSV and JSON are in formats.h; validation and assessment in assess.h. */
#ifndef AMANAT_WAGELIST_H
#define AMANAT_WAGELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/arena.h"
#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/money.h"
#include "amanat/text.h"

/* A date field that was empty in the file. */
#define AM_WAGE_DATE_NONE AM_DATE_NONE

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

/* The layouts of ListDisk files met in the wild (iran-rules.md §7): where
 * a list came from (formats.h names them and reads and writes them). */
enum am_dbf_layout {
	AM_DBF_NONE = 0, /* not a DBF list (CSV, JSON) */
	AM_DBF_V27,	 /* official ListDisk 2.7: 23 + 27 columns */
	AM_DBF_V6,	 /* DSKEditor "v6": 25 + 29 columns */
	AM_DBF_OLD,	 /* older third-party: 26 + 31 columns */
};

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
	/* Bytes of its file read when the reader passed it on, for a progress
	 * bar; 0 where the reader does not tell (DBF, JSON: read whole). */
	uint64_t input_offset;
	uint8_t hash[32];      /* BLAKE2b-256 of the list's content */
	struct am_arena arena; /* owns the strings and lines */
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

#endif
