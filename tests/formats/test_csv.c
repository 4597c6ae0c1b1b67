/* Unit tests of the CSV wage-list reader and writer (src/formats/csv.c):
 * the fixtures in tests/data/wagelists/ (BOM, CRLF, Persian digits, quoted
 * commas, separators), refusals, grouping, and write-then-read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/buf.h"
#include "amanat/text.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "formats/formats_int.h"
#include "wl_test.h"

static void read_csv(const char *name, struct got *g, struct am_diags *ds,
		     int want_rc)
{
	char p[512];

	memset(g, 0, sizeof(*g));
	assert_int_equal(
		am_csv_read(data_path(p, sizeof(p), name), NULL, got_fn, g, ds),
		want_rc);
}

/* The good fixture: two lists, every value in place. */
static void test_good(void **state)
{
	struct got g;
	struct am_diags ds;
	const struct got_list *a, *b;
	am_date d;

	(void)state;
	am_diags_init(&ds, 0);
	read_csv("good.csv", &g, &ds, 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.n, 2);
	a = &g.l[0];
	b = &g.l[1];
	assert_false(a->refused);
	assert_false(b->refused);
	assert_false(a->has_totals);
	assert_int_equal(a->layout, AM_DBF_NONE);
	assert_string_equal(a->workshop, "1234567890");
	assert_int_equal(a->period.year, 1403); /* "03" */
	assert_int_equal(a->period.month, 7);
	assert_string_equal(a->list_no, "1");
	assert_int_equal(a->nlines, 2);
	assert_int_equal(a->lines[0].row, 2); /* the header is row 1 */
	assert_int_equal(a->lines[1].row, 3);
	assert_string_equal(a->lines[0].national_code, "0011223344");
	assert_string_equal(a->lines[0].insurance_no, "1234567890");
	assert_string_equal(a->text[0][0], "علی");
	assert_string_equal(a->text[1][1], "کریمی"); /* Arabic yeh folded */
	assert_string_equal(a->text[1][3], "منشی، دفتردار");
	assert_int_equal(a->lines[1].sex, 'F');
	assert_int_equal(a->lines[0].days, 31);
	assert_int_equal(a->lines[0].daily_wage, 2388728);
	assert_int_equal(a->lines[0].insured_share, 6163540);
	assert_int_equal(am_jalali_to_date(1403, 7, 20, &d), 0);
	assert_int_equal(a->lines[1].end_date, d);
	assert_int_equal(a->lines[0].end_date, AM_WAGE_DATE_NONE);
	assert_int_equal(a->lines[0].id_date, AM_WAGE_DATE_NONE);
	assert_string_equal(a->text[1][6], "");

	/* Persian digits, thousands separators, quotes inside quotes. */
	assert_string_equal(b->workshop, "2234567891");
	assert_int_equal(b->period.year, 1403);
	assert_int_equal(b->nlines, 1);
	assert_int_equal(b->lines[0].row, 4);
	assert_string_equal(b->lines[0].national_code, "2280234512");
	assert_string_equal(b->text[0][0], "مهدی");
	assert_string_equal(b->text[0][3], "راننده \"پایه یک\"");
	assert_int_equal(b->lines[0].days, 31);
	assert_int_equal(b->lines[0].daily_wage, 3000000);
	assert_int_equal(b->lines[0].monthly_wage, 93000000);
	assert_int_equal(am_jalali_to_date(1402, 3, 1, &d), 0);
	assert_int_equal(b->lines[0].start_date, d);
	am_diags_release(&ds);
}

/* An unknown column refuses the whole file, naming the column. */
static void test_unknown_column(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	read_csv("unknown_column.csv", &g, &ds, AM_EWAGE_UNKNOWN_FIELD);
	assert_int_equal(g.n, 0);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].line, 1);
	assert_string_equal(ds.items[0].value, "HARD_HARMFUL_DAYS");
	am_diags_release(&ds);
}

static void test_missing_column(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	read_csv("missing_column.csv", &g, &ds, AM_EWAGE_MISSING_FIELD);
	assert_int_equal(g.n, 0);
	assert_int_equal(ds.nr, 2);
	assert_true(has_diag(&ds, AM_EWAGE_MISSING_FIELD, "DSW_TOTL", 1));
	assert_true(has_diag(&ds, AM_EWAGE_MISSING_FIELD, "DSW_BIME", 1));
	am_diags_release(&ds);
}

/* A bad number is a diagnostic with row, field and value, never a 0. */
static void test_bad_number(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	read_csv("bad_number.csv", &g, &ds, 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 1);
	assert_true(g.l[0].refused);
	assert_int_equal(g.l[0].nlines, 2);
	assert_int_equal(ds.nr, 2);
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSW_ROOZ", 2));
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSW_DD", 3));
	assert_string_equal(ds.items[0].value, "2,388,72a");
	assert_string_equal(ds.items[1].value, "۶x");
	am_diags_release(&ds);
}

/* Rows of a list must be together: a group met again is refused, and
 * only it. */
static void test_repeated_group(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	read_csv("repeated_group.csv", &g, &ds, 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 3);
	assert_false(g.l[0].refused);
	assert_int_equal(g.l[0].nlines, 2);
	assert_false(g.l[1].refused);
	assert_string_equal(g.l[1].workshop, "2234567891");
	assert_true(g.l[2].refused);
	assert_string_equal(g.l[2].workshop, "1234567890");
	assert_int_equal(ds.nr, 1);
	assert_true(has_diag(&ds, AM_EWAGE_GROUP_REPEATED, "DSW_ID", 5));
	am_diags_release(&ds);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *const hdr =
	"DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,DSW_MAH,"
	"DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME";

/* Read hdr (and extra columns, "" for none), then rows[0..n) (which may
 * hold NUL bytes), as a file: the lists into *g, the problems into *ds
 * (set up here; the caller releases it). */
static void read_rows(const char *extra, const char *rows, size_t n,
		      struct got *g, struct am_diags *ds)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s%s\n", hdr, extra);
	assert_int_equal(fwrite(rows, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	am_diags_init(ds, 0);
	memset(g, 0, sizeof(*g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, g, ds), 0);
	dump_diags(ds);
	unlink(path);
}

/* Malformed rows: a stray quote, a wrong field count, an empty required
 * value, a bad year; LF endings and no final line end. */
static void test_malformed_rows(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	char text[2048];
	struct got g;
	struct am_diags ds;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "%s\n"
		 "1234567890,1403,7,1,0011223344,31,1,31,0,31,31,2\n"
		 "1234567890,1403,7,1,0011223345,31,1,31,0,31,31\n"
		 "1234567890,1403,7,1,0011223346,,1,31,0,31,31,2\n"
		 "1234567890,1403,7,1,0011223347,31,\"1\"x,31,0,31,31,2\n"
		 "1234567890,140,7,1,0011223348,31,1,31,0,31,31,2",
		 hdr);
	write_file(path, text);
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 2);
	assert_true(g.l[0].refused);
	assert_int_equal(g.l[0].nlines, 3);
	assert_true(has_diag(&ds, AM_EREGISTRY_FIELD_COUNT, "", 3));
	assert_true(has_diag(&ds, AM_EREGISTRY_MISSING_VALUE, "DSW_DD", 4));
	assert_true(has_diag(&ds, AM_ECSV_SYNTAX, "", 5));
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSW_YY", 6));
	assert_true(g.l[1].refused);
	unlink(path);
	am_diags_release(&ds);
}

/* Rows of one list repeat its key's fields, which the reader does not
 * parse again when their bytes are the same as the row before's: the
 * same key in other bytes ("03" for 1403) stays in the list, a key that
 * differs in one byte of the same length starts another, and a key that
 * did not parse is parsed, and reported, again on every row. */
static void test_repeated_keys(void **state)
{
	static const char rows[] =
		"1234567890,1403,7,1,0011223344,31,1,31,0,31,31,2\n"
		"1234567890,03,7,1,0011223352,31,1,31,0,31,31,2\n"
		"1234567890,03,7,1,0011223360,31,1,31,0,31,31,2\n"
		"1234567890,1403,7,2,0011223344,31,1,31,0,31,31,2\n"
		"1234567890,14x3,7,2,0011223352,31,1,31,0,31,31,2\n"
		"1234567890,14x3,7,2,0011223360,31,1,31,0,31,31,2\n";
	struct got g;
	struct am_diags ds;

	(void)state;
	read_rows("", rows, sizeof(rows) - 1, &g, &ds);
	assert_int_equal(g.n, 3);
	assert_false(g.l[0].refused);
	assert_int_equal(g.l[0].nlines, 3);
	assert_int_equal(g.l[0].period.year, 1403);
	assert_false(g.l[1].refused);
	assert_int_equal(g.l[1].nlines, 1);
	assert_string_equal(g.l[1].list_no, "2");
	assert_true(g.l[2].refused);
	assert_int_equal(g.l[2].nlines, 2);
	assert_int_equal(ds.nr, 2);
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSW_YY", 6));
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSW_YY", 7));
	am_diags_release(&ds);
}

/* Names of lines as the text cache sees them: more distinct ones than it
 * keeps (it is emptied between lists), in Arabic letters that the
 * normaliser folds and in Persian ones, each line's found as the
 * normaliser makes it, in every list. */
#define KEPT_LINES 9000

static void kept_name(char *out, size_t size, int row, bool last)
{
	/* Arabic yeh and kaf (folded) on odd rows, Persian on even. */
	if (last)
		snprintf(out, size, "%s", row % 2 ? "كريمي" : "کریمی");
	else
		snprintf(out, size, "%s%d", row % 2 ? "علي" : "علی",
			 (row * 7) % 6000);
}

struct kept_check {
	int lines, wrong;
};

static int kept_fn(struct am_wage_list *l, bool refused, void *ctx)
{
	struct kept_check *k = ctx;
	struct am_buf want;

	assert_false(refused);
	am_buf_init(&want, 1 << 16);
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *w = &l->lines[i];
		const char *got[2] = { w->first_name, w->last_name };

		for (int f = 0; f < 2; f++) {
			char raw[64];

			kept_name(raw, sizeof(raw), (int)w->row, f == 1);
			am_buf_clear(&want);
			assert_int_equal(
				am_text_normalize(raw, strlen(raw), &want), 0);
			if (strcmp(got[f], want.buf) != 0)
				k->wrong++;
		}
		k->lines++;
	}
	am_buf_release(&want);
	return 0;
}

static void test_kept_texts(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct am_diags ds;
	struct kept_check k = { 0, 0 };

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s,DSW_FNAME,DSW_LNAME\n", hdr);
	for (int row = 2; row < 2 + KEPT_LINES; row++) {
		char first[64], last[64];

		kept_name(first, sizeof(first), row, false);
		kept_name(last, sizeof(last), row, true);
		/* Three lists, of 3,000 lines each. */
		fprintf(f,
			"1234567890,1403,7,%d,%010d,31,1,31,0,31,31,2,%s,%s\n",
			(row - 2) / 3000 + 1, row, first, last);
	}
	assert_int_equal(fclose(f), 0);
	am_diags_init(&ds, 0);
	assert_int_equal(am_csv_read(path, NULL, kept_fn, &k, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(k.lines, KEPT_LINES);
	assert_int_equal(k.wrong, 0);
	unlink(path);
	am_diags_release(&ds);
}

/* Values that were read as empty though they were not, each list
 * written back from them then refused: now refused where they stand, a
 * list of two rows each, the file's rows 2 and 3 naming a field each.
 * A NUL byte would end a value early (a national code of "\0" read as
 * none): refused as text that is not valid, in an identifier and a name
 * alike. A required value of blanks alone is missing, as an empty one. */
static void test_values_refused(void **state)
{
	static const char nul[] =
		"1234567890,1403,7,1,\0,31,1,31,0,31,31,2,x\n"
		"1234567890,1403,7,2,0011223344,31,1,31,0,31,31,2,\xD8\xB9\0b\n";
	static const char blanks[] =
		"1234567890,1403,7,1,\t\t ,31,1,31,0,31,31,2\n"
		"1234567890,1403,7,2,0011223344,  ,1,31,0,31,31,2\n";
	static const struct {
		const char *extra, *rows;
		size_t n;
		int code;
		const char *field2, *field3;
	} cases[] = {
		{ ",DSW_FNAME", nul, sizeof(nul) - 1, AM_EINVALID_UTF8,
		  "PER_NATCOD", "DSW_FNAME" },
		{ "", blanks, sizeof(blanks) - 1, AM_EREGISTRY_MISSING_VALUE,
		  "PER_NATCOD", "DSW_DD" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct got g;
		struct am_diags ds;

		read_rows(cases[k].extra, cases[k].rows, cases[k].n, &g, &ds);
		assert_int_equal(g.n, 2);
		assert_true(g.l[0].refused);
		assert_true(g.l[1].refused);
		assert_int_equal(ds.nr, 2);
		assert_true(has_diag(&ds, cases[k].code, cases[k].field2, 2));
		assert_true(has_diag(&ds, cases[k].code, cases[k].field3, 3));
		am_diags_release(&ds);
	}
}

/* A column named twice refuses the file. */
static void test_column_twice(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	char text[512];
	struct got g;
	struct am_diags ds;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text), "%s,DSW_DD\r\n", hdr);
	write_file(path, text);
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, &g, &ds),
			 AM_EWAGE_FIELD_TWICE);
	assert_int_equal(g.n, 0);
	assert_true(has_diag(&ds, AM_EWAGE_FIELD_TWICE, "", 1));
	assert_string_equal(ds.items[0].value, "DSW_DD");
	unlink(path);
	am_diags_release(&ds);
}

/* The callback's non-zero return stops the reading and is returned. */
static void test_stop(void **state)
{
	struct got g;
	struct am_diags ds;
	char p[512];

	(void)state;
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	g.stop_after = 1;
	assert_int_equal(am_csv_read(data_path(p, sizeof(p), "good.csv"), NULL,
				     got_fn, &g, &ds),
			 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(
		am_csv_read("/nonexistent/x.csv", NULL, got_fn, &g, &ds),
		AM_EIO);
	am_diags_release(&ds);
}

/* Write then read: the same list back (hash and text), many lists in one
 * file, in bounded memory (a list's arena is reused). */
static void test_write_read(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	uint8_t hash8[32];
	struct am_wage_list l;
	struct got g;
	struct am_diags ds;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	sample_list(&l);
	l.lines[0].occupation = "کارگر، ساده \"ماهر\"";
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(am_csv_write_header(f), 0);
	assert_int_equal(am_csv_write_list(f, &l), 0);
	l.period.month = 8;
	am_wage_list_hash(&l);
	assert_int_equal(am_csv_write_list(f, &l), 0);
	memcpy(hash8, l.hash, 32);
	/* A year goes out in four digits, as the reader takes four digits
	 * as they are: 903 (read from "0903") is not three digits, which it
	 * refuses. */
	l.period.year = 903;
	am_wage_list_hash(&l);
	assert_int_equal(am_csv_write_list(f, &l), 0);
	fclose(f);
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.n, 3);
	assert_memory_equal(g.l[1].hash, hash8, 32);
	assert_memory_not_equal(g.l[0].hash, hash8, 32);
	assert_false(g.l[2].refused);
	assert_int_equal(g.l[2].period.year, 903);
	assert_memory_equal(g.l[2].hash, l.hash, 32);
	assert_int_equal(g.l[0].period.month, 7);
	assert_string_equal(g.l[0].text[0][3], "کارگر، ساده \"ماهر\"");
	assert_int_equal(g.l[1].lines[1].sex, 'F');
	assert_int_equal(g.l[1].lines[0].seniority, 2100000);
	assert_int_equal(g.l[1].lines[1].birth_date, l.lines[1].birth_date);
	unlink(path);
	am_diags_release(&ds);
	am_wage_list_release(&l);
}

/* Fields of every length, so that the commas of a plain row fall at every
 * place of the reader's 16- and 8-byte steps; read back as written. */
struct shift_check {
	int n, bad;
};

static void shift_text(char *out, char c, int n)
{
	memset(out, c, (size_t)n);
	out[n] = 0;
}

static int shift_fn(struct am_wage_list *l, bool refused, void *ctx)
{
	struct shift_check *c = ctx;
	int k = atoi(l->list_no);
	char occ[64], last[64];

	shift_text(occ, 'o', 1 + k % 40);
	shift_text(last, 'L', 1 + (k * 7) % 23);
	if (refused || l->nlines < 1 || strcmp(l->lines[0].occupation, occ) ||
	    strcmp(l->lines[0].last_name, last))
		c->bad++;
	c->n++;
	return 0;
}

static void test_every_comma_place(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	struct shift_check c = { 0, 0 };
	struct am_wage_list l;
	struct am_diags ds;
	char occ[64], last[64];
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	sample_list(&l);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(am_csv_write_header(f), 0);
	for (int k = 1; k <= 80; k++) {
		snprintf(l.list_no, sizeof(l.list_no), "%d", k);
		shift_text(occ, 'o', 1 + k % 40);
		shift_text(last, 'L', 1 + (k * 7) % 23);
		l.lines[0].occupation = occ;
		l.lines[0].last_name = last;
		assert_int_equal(am_csv_write_list(f, &l), 0);
	}
	fclose(f);
	am_diags_init(&ds, 0);
	assert_int_equal(am_csv_read(path, NULL, shift_fn, &c, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(c.n, 80);
	assert_int_equal(c.bad, 0);
	unlink(path);
	am_diags_release(&ds);
	am_wage_list_release(&l);
}

/* A record longer than the reader's buffer is an error, not a crash. */
static void test_long_record(void **state)
{
	char path[] = "/tmp/amanat-csv-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct got g;
	struct am_diags ds;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n\"", hdr);
	for (int i = 0; i < (2 << 20); i++)
		fputc('a', f);
	fclose(f);
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, &g, &ds),
			 AM_ETOO_LONG);
	assert_true(has_diag(&ds, AM_ETOO_LONG, NULL, 0));
	unlink(path);
	am_diags_release(&ds);
}

/* The readers' shortcut for text fields: every string of up to four
 * pieces that it calls normal, the normaliser leaves as it is; and plain
 * Persian text it does call normal (else it saves nothing). */
static void test_text_shortcut(void **state)
{
	static const char *const piece[] = {
		"\xD8\xB9",	/* ain */
		"\xDB\x8C",	/* Persian yeh */
		"\xDA\xA9",	/* keheh */
		"\xD9\x8A",	/* Arabic yeh */
		"\xD9\x83",	/* Arabic kaf */
		"\xD9\x89",	/* alef maksura */
		"\xC2\xA0",	/* no-break space */
		"\xE2\x80\x8C", /* ZWNJ */
		"\xDB\xB1",	/* Persian one */
		" ",
		"\t",
		"a",
		"\xD9", /* a lead byte alone */
		"\x80", /* a continuation byte alone */
	};
	const size_t n = sizeof(piece) / sizeof(piece[0]);
	struct am_buf out;
	char s[32];
	size_t normal = 0;

	(void)state;
	am_buf_init(&out, 0);
	for (size_t k = 0; k < n * n * n * n; k++) {
		size_t len = 0, code = k;

		for (int j = 0; j < 4; j++, code /= n) {
			size_t pl = strlen(piece[code % n]);

			memcpy(s + len, piece[code % n], pl);
			len += pl;
		}
		for (size_t cut = 1; cut <= len; cut++) {
			if (!am__utf8_is_normal(s, cut))
				continue;
			normal++;
			am_buf_clear(&out);
			assert_int_equal(am_text_normalize(s, cut, &out), 0);
			assert_int_equal(out.len, cut);
			assert_memory_equal(out.buf, s, cut);
		}
	}
	assert_true(normal > 10000);
	assert_true(
		am__utf8_is_normal("\xD8\xB9\xD9\x84\xDB\x8C "
				   "\xDA\xA9\xD8\xA7\xD8\xB1\xDA\xAF\xD8\xB1",
				   strlen("\xD8\xB9\xD9\x84\xDB\x8C "
					  "\xDA\xA9\xD8\xA7\xD8\xB1"
					  "\xDA\xAF\xD8\xB1")));
	assert_false(am__utf8_is_normal("\xD8\xB9\xD9\x84\xD9\x8A", 6));
	am_buf_release(&out);
}

/* Integers as the readers parse them, against a plain reference: every
 * length up to 19 digits, with signs, blanks and a stray byte at every
 * place. */
static bool ref_int64(const char *s, size_t len, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0, n = 0;
	bool neg = false;

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len; i++, n++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (n == 0 || n > 18)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static void test_int_digits(void **state)
{
	static const char stray[] = { ':', '/', 'a', '.', 0x7f };
	char s[40];
	uint64_t seed = 12345;

	(void)state;
	for (int len = 1; len <= 18; len++) {
		for (int k = 0; k < 200; k++) {
			int64_t got = 0, want = 0;
			bool ok;
			size_t n = 0;

			if (k % 3 == 1)
				s[n++] = '-';
			for (int d = 0; d < len; d++) {
				seed = seed * 6364136223846793005ULL +
				       1442695040888963407ULL;
				s[n++] = (char)('0' + (seed >> 33) % 10);
			}
			if (k % 5 == 2)
				s[n++] = ' ';
			if (k % 7 == 3) /* a stray byte somewhere */
				s[(seed >> 40) % n] = stray[(seed >> 20) % 5];
			ok = ref_int64(s, n, &want);
			assert_int_equal(am__parse_int64(s, n, &got), ok);
			if (ok)
				assert_int_equal(got, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_text_shortcut),
		cmocka_unit_test(test_int_digits),
		cmocka_unit_test(test_unknown_column),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_repeated_group),
		cmocka_unit_test(test_malformed_rows),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_kept_texts),
		cmocka_unit_test(test_values_refused),
		cmocka_unit_test(test_column_twice),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_every_comma_place),
		cmocka_unit_test(test_long_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
