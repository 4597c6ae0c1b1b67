/* Unit tests of the JSON wage-list reader (src/formats/json.c): the
 * fixtures in tests/data/wagelists/, refusals with their place, and the
 * same hash as the same lists read from CSV. */
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

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "wl_test.h"

static int read_json(const char *name, struct got *g, struct am_diags *ds)
{
	char p[512];

	memset(g, 0, sizeof(*g));
	return am_json_read(data_path(p, sizeof(p), name), NULL, got_fn, g, ds);
}

/* good.json holds the lists of good.csv: the same content, the same
 * hashes, whatever the number forms. */
static void test_good_same_as_csv(void **state)
{
	struct got g, c;
	struct am_diags ds;
	char p[512];

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(read_json("good.json", &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.n, 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(am_csv_read(data_path(p, sizeof(p), "good.csv"), NULL,
				     got_fn, &c, &ds),
			 0);
	assert_int_equal(c.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_false(g.l[i].refused);
		assert_memory_equal(g.l[i].hash, c.l[i].hash, 32);
		assert_int_equal(g.l[i].nlines, c.l[i].nlines);
	}
	assert_string_equal(g.l[0].workshop, "1234567890");
	assert_int_equal(g.l[0].period.year, 1403);
	assert_string_equal(g.l[0].head_text[0], "کارگاه نمونه");
	assert_string_equal(g.l[0].text[1][1], "کریمی");
	assert_int_equal(g.l[0].lines[1].row, 2);
	assert_int_equal(g.l[0].lines[1].days, 6);
	assert_int_equal(g.l[1].lines[0].daily_wage, 3000000);
	assert_string_equal(g.l[1].text[0][3], "راننده \"پایه یک\"");
	assert_false(g.l[0].has_totals);
	am_diags_release(&ds);
}

/* One list object rather than an array. */
static void test_one_object(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(read_json("one.json", &g, &ds), 0);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.l[0].workshop, "2234567891");
	assert_int_equal(g.l[0].nlines, 1);
	am_diags_release(&ds);
}

/* Unknown keys are refused, at the list level and in a line, named with
 * their place. */
static void test_unknown_key(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(read_json("unknown_key.json", &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 1);
	assert_true(g.l[0].refused);
	assert_int_equal(ds.nr, 2);
	assert_true(has_diag(&ds, AM_EWAGE_UNKNOWN_FIELD, "COLOR", 0));
	assert_true(has_diag(&ds, AM_EWAGE_UNKNOWN_FIELD, "lines[0].HARD", 1));
	am_diags_release(&ds);
}

/* Bad values: the row is the line's index in its list (1-based), the
 * field names the list and the line. The other list is not refused. */
static void test_bad_values(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(read_json("bad_values.json", &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 2);
	assert_false(g.l[0].refused);
	assert_true(g.l[1].refused);
	assert_int_equal(ds.nr, 3);
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "lists[1].lines[1].DSW_DD",
			     2));
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX,
			     "lists[1].lines[1].DSW_ROOZ", 2));
	assert_true(has_diag(&ds, AM_EWAGE_JSON_TYPE,
			     "lists[1].lines[1].DSW_MAZ", 2));
	am_diags_release(&ds);
}

/* A syntax error stops the reading, pointing at jansson's line. */
static void test_syntax(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(read_json("syntax.json", &g, &ds), AM_EJSON_SYNTAX);
	assert_int_equal(g.n, 0);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].line, 4);
	assert_int_equal(read_json("no-such-file.json", &g, &ds), AM_EIO);
	am_diags_release(&ds);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Structure problems: a list that is not an object, lines that are not an
 * array, a key missing, a line disagreeing with its list, totals given. */
static void test_structure(void **state)
{
	char path[] = "/tmp/amanat-json-XXXXXX";
	int fd = mkstemp(path);
	struct got g;
	struct am_diags ds;

	(void)state;
	assert_true(fd >= 0);
	write_file(path,
		   "[7, {\"DSK_ID\": \"1\", \"DSK_YY\": 3, \"DSK_MM\": 7,"
		   " \"lines\": {}},"
		   " {\"DSK_ID\": \"1\", \"DSK_YY\": 1403, \"DSK_MM\": 7,"
		   " \"DSK_LISTNO\": \"1\", \"DSK_TBIME\": 7, \"lines\": [3,"
		   " {\"DSW_MM\": 8, \"PER_NATCOD\": \"1\", \"DSW_DD\": 1,"
		   " \"DSW_ROOZ\": 1, \"DSW_MAH\": 1, \"DSW_MAZ\": 0,"
		   " \"DSW_MASH\": 1, \"DSW_TOTL\": 1}]}]");
	am_diags_init(&ds, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(am_json_read(path, NULL, got_fn, &g, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(g.n, 3);
	assert_true(g.l[0].refused && g.l[1].refused && g.l[2].refused);
	assert_true(has_diag(&ds, AM_EWAGE_JSON_TYPE, "lists[0]", 0));
	assert_true(has_diag(&ds, AM_EWAGE_MISSING_FIELD, "lists[1].DSK_LISTNO",
			     0));
	assert_true(has_diag(&ds, AM_EWAGE_JSON_TYPE, "lists[1].lines", 0));
	assert_true(has_diag(&ds, AM_EWAGE_JSON_TYPE, "lists[2].lines[0]", 1));
	assert_true(has_diag(&ds, AM_EWAGE_LINE_HEADER,
			     "lists[2].lines[1].DSW_MM", 2));
	assert_true(has_diag(&ds, AM_EWAGE_MISSING_FIELD,
			     "lists[2].lines[1].DSW_BIME", 2));
	assert_true(g.l[2].has_totals);
	assert_int_equal(g.l[2].t_insured, 7);
	close(fd);
	unlink(path);
	am_diags_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_same_as_csv),
		cmocka_unit_test(test_one_object),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
