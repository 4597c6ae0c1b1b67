/* amanat list files: the readers and writers of wage lists in ListDisk DBF
 * (DSKKAR00.DBF and DSKWOR00.DBF), CSV and JSON. They turn bytes into the
 * domain's lists (wagelist.h) and back, and do the only I/O of a list. */
#ifndef AMANAT_FORMATS_H
#define AMANAT_FORMATS_H

#include <stdbool.h>
#include <stdio.h>

#include "amanat/error.h"
#include "amanat/text.h"
#include "amanat/wagelist.h"

/* A layout's name ("2.7", "v6", "old", "none"; "unknown" past them), and
 * back from the names a user may give ("2.7", "official", "v6",
 * "dskeditor", "old", …; AM_EINVALID_ARGUMENT for another). */
const char *am_dbf_layout_name(enum am_dbf_layout l);
int am_dbf_layout_parse(const char *name, enum am_dbf_layout *out);

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

#endif
