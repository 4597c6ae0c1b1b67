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

#include "amanat/wagelist.h"
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
	fclose(f);
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_csv_read(path, NULL, got_fn, &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.n, 2);
	assert_memory_equal(g.l[1].hash, l.hash, 32);
	assert_memory_not_equal(g.l[0].hash, l.hash, 32);
	assert_int_equal(g.l[0].period.month, 7);
	assert_string_equal(g.l[0].text[0][3], "کارگر، ساده \"ماهر\"");
	assert_int_equal(g.l[1].lines[1].sex, 'F');
	assert_int_equal(g.l[1].lines[0].seniority, 2100000);
	assert_int_equal(g.l[1].lines[1].birth_date, l.lines[1].birth_date);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_column),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_repeated_group),
		cmocka_unit_test(test_malformed_rows),
		cmocka_unit_test(test_column_twice),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_long_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
