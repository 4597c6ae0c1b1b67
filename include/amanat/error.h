/* amanat errors: the codes every call returns, their messages in Persian and
 * English, and diagnostics that point at the input (file, row, field, value). */
#ifndef AMANAT_ERROR_H
#define AMANAT_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "amanat/errcodes.h"

enum am_lang {
	AM_LANG_FA = 0,
	AM_LANG_EN = 1,
};

/* Messages of an error code (AM_E…, negative, or its positive table code).
 * Unknown codes give a generic "unknown error" message, never NULL. The
 * strings are static. */
const char *am_strerror(int err);    /* English */
const char *am_strerror_fa(int err); /* Persian */
const char *am_strerror_lang(int err, enum am_lang lang);
/* Stable textual id ("natcode_checksum"), or "unknown". */
const char *am_error_id(int err);
/* HTTP status the API answers with (500 for unknown codes, 200 for AM_OK). */
int am_error_http(int err);
/* Look an error up by id; 0 when there is none. */
int am_error_from_id(const char *id);

/* One refusal, pointing at the input. Every string is NUL-terminated and
 * silently truncated to its field; empty means "not applicable". */
#define AM_DIAG_TEXT 192
struct am_diag {
	int code;      /* AM_E… */
	unsigned line; /* 1-based line or row; 0 = none */
	char file[AM_DIAG_TEXT];
	char field[AM_DIAG_TEXT];    /* field, column or key */
	char value[AM_DIAG_TEXT];    /* what was found */
	char expected[AM_DIAG_TEXT]; /* what was expected */
};

/* Fill *d. Any of file, field, value and expected may be NULL. */
void am_diag_set(struct am_diag *d, int code, const char *file, unsigned line,
		 const char *field, const char *value, const char *expected);

/* A growing list of diagnostics with a cap on how many are kept: past the
 * cap they are only counted (in dropped), so hostile input cannot exhaust
 * memory. am_diags_init() takes the cap (0 = a default of 10,000). */
struct am_diags {
	struct am_diag *items;
	size_t nr, alloc, cap;
	size_t dropped;
};

void am_diags_init(struct am_diags *ds, size_t cap);
void am_diags_release(struct am_diags *ds);
void am_diags_clear(struct am_diags *ds);
/* Append a copy. Returns 0, or AM_ENOMEM (the diagnostic is then counted in
 * dropped, so the total stays right). */
int am_diags_push(struct am_diags *ds, const struct am_diag *d);
int am_diags_add(struct am_diags *ds, int code, const char *file, unsigned line,
		 const char *field, const char *value, const char *expected);
static inline size_t am_diags_total(const struct am_diags *ds)
{
	return ds->nr + ds->dropped;
}

/* One line for a person to read:
 *   en: "FILE:LINE: MESSAGE: field 'F', found 'V', expected 'E' [id]"
 *   fa: "FILE، سطر ۷: پیام: فیلد «F»، مقدار «V»، مورد انتظار «E» [id]"
 *       (the line in Persian digits; the file, the value and the id as
 *       they are: a clerk copies them)
 * Parts that are empty are left out (without a field, the value follows a
 * colon). Appends to out; on error out is unchanged. */
struct am_buf;
int am_diag_format(const struct am_diag *d, enum am_lang lang,
		   struct am_buf *out);
/* The diagnostic as a JSON object with the keys file, row, field, value,
 * expected, code (the stable id), message_fa and message_en. */
int am_diag_json(const struct am_diag *d, struct am_buf *out);

#endif
