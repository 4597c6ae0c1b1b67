/* amanat CSV records: a streaming reader of RFC 4180 CSV in UTF-8 (quoted
 * fields, doubled quotes, CRLF or LF, a leading BOM tolerated), one record
 * at a time with a fixed memory bound, for the registry and history files
 * and any other table the outside world sends. */
#ifndef AMANAT_CSV_H
#define AMANAT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct am_csv_reader;

/* Open path for reading. max_record caps one record's bytes (0: 1 MiB), so
 * a file without line ends cannot exhaust memory. AM_EIO (errno kept) or
 * AM_ENOMEM. */
int am_csv_open(const char *path, size_t max_record,
		struct am_csv_reader **out);
void am_csv_close(struct am_csv_reader *r);

/* The records of path that start in [start, end): start must be where a
 * record starts (a BOM is skipped only at 0); the lines are counted from
 * 1 there. For reading a large file in parts, each on a thread: whether
 * the part before ended exactly at start is the caller's to check
 * (am_csv_offset()), since a line end inside quotes looks like any
 * other. */
int am_csv_open_range(const char *path, size_t max_record,
		      unsigned long long start, unsigned long long end,
		      struct am_csv_reader **out);
/* Move the end (ULLONG_MAX: the file's). */
void am_csv_set_end(struct am_csv_reader *r, unsigned long long end);

/* Read the next record. On success *nfields and *fields describe it: each
 * field NUL-terminated, unquoted, valid until the next call; *line is the
 * 1-based line where the record starts. Returns 1 for a record, 0 at the end
 * of the file, or AM_ETOO_LONG (record past the cap), AM_EINVALID_UTF8, or
 * AM_EIO; the reader can go on after AM_EINVALID_UTF8 (the record is
 * skipped) but not after the others. A malformed quote (text after a
 * closing quote, or a quote left open at the end of file) is
 * AM_EINVALID_ARGUMENT for that record. */
int am_csv_next(struct am_csv_reader *r, size_t *nfields, char ***fields,
		unsigned *line);

/* Bytes of the file consumed so far, for progress reports. */
unsigned long long am_csv_offset(const struct am_csv_reader *r);

/* Find a column by name in a header record (exact match, after trimming
 * spaces); -1 when absent. */
int am_csv_column(size_t nfields, char **fields, const char *name);

#endif
