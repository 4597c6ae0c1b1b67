/* Internals shared by the wage-list readers and writers: the ListDisk field
 * names, and the setters that turn one field's text into a list's values. */
#ifndef AMANAT_FORMATS_INT_H
#define AMANAT_FORMATS_INT_H

#include "amanat/assess.h"
#include "amanat/formats.h"

/* DSKWOR00 fields, in the order of the official 2.7 template, then the v6
 * and older additions. */
enum am__wf {
	AM_WF_ID,
	AM_WF_YY,
	AM_WF_MM,
	AM_WF_LISTNO,
	AM_WF_ID1,
	AM_WF_FNAME,
	AM_WF_LNAME,
	AM_WF_DNAME,
	AM_WF_IDNO,
	AM_WF_IDPLC,
	AM_WF_IDATE,
	AM_WF_BDATE,
	AM_WF_SEX,
	AM_WF_NAT,
	AM_WF_OCP,
	AM_WF_SDATE,
	AM_WF_EDATE,
	AM_WF_DD,
	AM_WF_ROOZ,
	AM_WF_MAH,
	AM_WF_MAZ,
	AM_WF_MASH,
	AM_WF_TOTL,
	AM_WF_BIME,
	AM_WF_PRATE,
	AM_WF_JOB,
	AM_WF_NATCOD,
	AM_WF_INC,    /* v6 and older */
	AM_WF_SPOUSE, /* v6 and older */
	AM_WF_KOSO,   /* older only: read, checked, not kept */
	AM_WF_BIME20, /* older only: read, checked, not kept */
	AM_WF_COUNT,
};

/* DSKKAR00 fields, likewise. */
enum am__hf {
	AM_HF_ID,
	AM_HF_NAME,
	AM_HF_FARM,
	AM_HF_ADRS,
	AM_HF_KIND,
	AM_HF_YY,
	AM_HF_MM,
	AM_HF_LISTNO,
	AM_HF_DISC,
	AM_HF_NUM,
	AM_HF_TDD,
	AM_HF_TROOZ,
	AM_HF_TMAH,
	AM_HF_TMAZ,
	AM_HF_TMASH,
	AM_HF_TTOTL,
	AM_HF_TBIME,
	AM_HF_TKOSO,
	AM_HF_BIC,
	AM_HF_RATE,
	AM_HF_PRATE,
	AM_HF_BIMH,
	AM_HF_PYM,
	AM_HF_INC,    /* v6 and older */
	AM_HF_SPOUSE, /* v6 and older */
	AM_HF_TBIM20, /* older only */
	AM_HF_COUNT,
};

extern const char *const am__wf_names[AM_WF_COUNT];
extern const char *const am__hf_names[AM_HF_COUNT];
/* Index of a field name (exact, ASCII), or -1. */
int am__wf_lookup(const char *name, size_t len);
int am__hf_lookup(const char *name, size_t len);
/* Fields of each kind the CSV and JSON readers require (the DBF readers
 * require the whole layout). */
bool am__wf_required(int f);

/* The identity of a list as its lines repeat it (DSW_ID, DSW_YY, DSW_MM,
 * DSW_LISTNO), or as its header gives it. */
struct am__wkey {
	char id[11];
	struct am_period period;
	char list_no[13];
};

/*
 * The texts of the fields that repeat from line to line (names, places,
 * nationality, occupation), kept normalised with their bytes as read: a
 * text met again is found by its bytes and shared, without the check, the
 * normaliser or a copy. Lines point into it, so it is emptied only between
 * two lists, once full (am__fctx_list_done()). Bounded: TEXTS_MAX texts of
 * at most TEXT_KEPT_MAX bytes.
 */
struct am__text_slot {
	const char *raw;  /* the bytes as read; NULL: a free slot */
	const char *text; /* normalised, with its NUL */
	uint32_t len;	  /* of raw */
	uint32_t hash;
};

struct am__texts {
	struct am__text_slot *slot; /* AM__TEXT_SLOTS, or NULL until used */
	size_t n;
	struct am_arena arena;
};

/* Where the values being set come from, for diagnostics. */
struct am__fctx {
	struct am_wage_list *l; /* its arena holds the strings */
	struct am_diags *diags;
	const char *file;   /* for diagnostics */
	unsigned row;	    /* for diagnostics */
	const char *prefix; /* prepended to field names ("lists[0].") or NULL */
	unsigned nbad;	    /* diagnostics added so far */
	struct am_buf tmp;  /* scratch, reused */
	bool keep_texts;    /* a reader of many lists sets it */
	struct am__texts texts;
};

void am__fctx_init(struct am__fctx *c, struct am_wage_list *l,
		   struct am_diags *diags, const char *file);
void am__fctx_release(struct am__fctx *c);
/* A list has been handed over and its lines are done with: the texts kept
 * may be emptied (once full). */
void am__fctx_list_done(struct am__fctx *c);
/* Add a diagnostic at c->row naming field (with c->prefix). */
void am__fctx_diag(struct am__fctx *c, int code, const char *field,
		   const char *value, size_t vlen, const char *expected);

/* Set one DSKWOR00 field of w (or of key, for the four key fields) from its
 * UTF-8 text s[0..len) (already decoded from the file's code page; digits
 * of any script; surrounding blanks ignored). Text is normalised into the
 * list's arena; an empty value leaves the zero default (AM_WAGE_DATE_NONE
 * for dates). A bad value is a diagnostic (counted in c->nbad) and the
 * field keeps its default. Returns 0, or AM_ENOMEM. */
int am__wline_set(struct am__fctx *c, struct am_wage_line *w,
		  struct am__wkey *key, int f, const char *s, size_t len);
/* Same for a DSKKAR00 field of the list's header; the key fields go to
 * key. */
int am__whead_set(struct am__fctx *c, struct am__wkey *key, int f,
		  const char *s, size_t len);
/* Defaults of a line before its fields are set. */
void am__wline_reset(struct am_wage_line *w, unsigned row);
/* Copy the key into the list's workshop, period and list number. */
void am__wkey_apply(struct am_wage_list *l, const struct am__wkey *key);
bool am__wkey_equal(const struct am__wkey *a, const struct am__wkey *b);

/* The blanks around a value (space, tab, CR, LF) left out of s[0..len). */
static inline bool am__is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static inline void am__trim(const char **s, size_t *len)
{
	/* Most values have no blank at either end: one test, no loop. */
	if (*len == 0 || ((unsigned char)(*s)[0] > ' ' &&
			  (unsigned char)(*s)[*len - 1] > ' '))
		return;
	while (*len && am__is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && am__is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Parse a whole number: ASCII, Persian or Arabic-Indic digits, optional
 * sign and group separators, surrounding blanks. false when it is not one. */
bool am__parse_int64(const char *s, size_t len, int64_t *out);
/* Whether am_text_normalize() would leave s as it is: then a text field is
 * kept without a pass through it. Never true when it would not (the text
 * fuzzer checks). */
bool am__utf8_is_normal(const char *s, size_t len);

/* The year of a list: two digits (DSK_YY is N2) 00..69 mean 1400..1469 and
 * 70..99 mean 1370..1399; four digits are taken as they are. */
bool am__parse_year(const char *s, size_t len, int *out);

#endif
