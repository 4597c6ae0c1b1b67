/* The tests' own databases (tests/testdb.h) on the run's backend: a fresh
 * one is empty and apart from the others, the plain connection tells a
 * constraint from another failure and reads integers, text and bytes,
 * and a dropped one is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdb.h"

/* Whether the database at uri exists: its file, or its schema (the
 * search_path names only it, so current_schema() is NULL without it). */
static bool exists(const char *uri)
{
	if (!testdb_is_pg())
		return access(uri, F_OK) == 0;
	return testdb_int(uri, "SELECT current_schema() IS NOT NULL") == 1;
}

static void test_uri(void **state)
{
	const char *a = testdb_uri("a.db"), *b = testdb_uri("b.db");

	(void)state;
	assert_ptr_equal(testdb_uri("a.db"), a);
	assert_string_not_equal(a, b);
	if (testdb_is_pg()) {
		const char *base = getenv("AMANAT_TEST_PG");

		assert_memory_equal(a, "pg:", 3);
		assert_memory_equal(a + 3, base, strlen(base));
		assert_non_null(strstr(a, "options=-csearch_path%3D"));
	} else {
		assert_non_null(strstr(a, "/a.db"));
	}
	assert_false(exists(a));
}

static void test_fresh(void **state)
{
	const char *u = testdb_new("fresh.db");
	char *v;

	(void)state;
	assert_int_equal(testdb_exec(u, "CREATE TABLE t (id integer PRIMARY"
					" KEY, note text)"),
			 TESTDB_OK);
	assert_true(exists(u));
	assert_int_equal(testdb_exec(u, "INSERT INTO t VALUES (1, 'یک')"),
			 TESTDB_OK);
	/* A key twice is a constraint; a typo is not. */
	assert_int_equal(testdb_exec(u, "INSERT INTO t VALUES (1, 'x')"),
			 TESTDB_CONSTRAINT);
	assert_int_equal(testdb_exec(u, "INSERT INTO t VALUE (2, 'x')"),
			 TESTDB_ERROR);
	assert_int_equal(testdb_int(u, "SELECT count(*) FROM t"), 1);
	assert_int_equal(testdb_int(u, "SELECT 2 > 1"), 1);
	assert_int_equal(testdb_int(u, "SELECT 2 < 1"), 0);
	v = testdb_text(u, "SELECT note FROM t");
	assert_string_equal(v, "یک");
	free(v);
	assert_null(testdb_text(u, "SELECT NULL"));

	/* Made again: empty. */
	u = testdb_new("fresh.db");
	assert_int_equal(testdb_exec(u, "CREATE TABLE t (id integer)"),
			 TESTDB_OK);
	assert_int_equal(testdb_int(u, "SELECT count(*) FROM t"), 0);
	testdb_drop(u);
	assert_false(exists(u));
}

static void test_bytes(void **state)
{
	const char *u = testdb_new("bytes.db");
	uint8_t b[8];

	(void)state;
	assert_int_equal(testdb_exec(u, TESTDB_SQL("CREATE TABLE b (v blob);"
						   " INSERT INTO b VALUES"
						   " (x'00ff10')",
						   "CREATE TABLE b (v bytea);"
						   " INSERT INTO b VALUES"
						   " ('\\x00ff10')")),
			 TESTDB_OK);
	assert_int_equal(testdb_blob(u, "SELECT v FROM b", b, sizeof(b)), 3);
	assert_memory_equal(b, "\x00\xff\x10", 3);
	testdb_drop(u);
}

/* Two databases apart: a table of one is not the other's. */
static void test_apart(void **state)
{
	/* Names long enough to be cut, alike up to the cut. */
	const char *x = testdb_new("a name much longer than a schema's name "
				   "may be, number one.db");
	const char *y = testdb_new("a name much longer than a schema's name "
				   "may be, number two.db");

	(void)state;
	assert_int_equal(testdb_exec(x, "CREATE TABLE only_x (id integer)"),
			 TESTDB_OK);
	assert_int_equal(testdb_exec(y, "SELECT * FROM only_x"), TESTDB_ERROR);
	if (testdb_is_pg()) {
		char *sx = testdb_text(x, "SELECT current_schema()");
		char *sy = testdb_text(y, "SELECT current_schema()");

		assert_true(strlen(sx) <= 63);
		assert_string_not_equal(sx, sy);
		free(sx);
		free(sy);
	}
}

struct rows {
	int n;
	long long sum;
};

static void add_row(void *ctx, const char *const *cols, int ncols)
{
	struct rows *r = ctx;

	assert_int_equal(ncols, 2);
	r->n++;
	r->sum += strtoll(cols[0], NULL, 10);
	assert_null(cols[1]);
}

static void test_each(void **state)
{
	const char *u = testdb_new("each.db");
	struct rows r = { 0, 0 };

	(void)state;
	assert_int_equal(testdb_exec(u, "CREATE TABLE t (id integer, n text);"
					" INSERT INTO t VALUES (1, NULL),"
					" (2, NULL), (40, NULL)"),
			 TESTDB_OK);
	testdb_each(u, "SELECT id, n FROM t ORDER BY id", add_row, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.sum, 43);
	testdb_drop(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri),   cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_bytes), cmocka_unit_test(test_apart),
		cmocka_unit_test(test_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
