/* amanat db copy through the command: a generated province imported
 * (registry, wages, an amended list, payments, migrated months), copied to
 * a second database and back to a third; history, employer statement,
 * export dskwin and audit verify give the same on each, both go on alike
 * with the next month; a target with rows is refused in both languages.
 * The first and third are SQLite files, the second on the run's backend
 * (tests/testdb.h): with $AMANAT_TEST_PG, SQLite into PostgreSQL and
 * back. */
#include "clitest.h"

#define AMEND_WORKSHOP "1234567890"

static char origin[400], back[400];
static const char *copy; /* the run's backend */

/* Run "amanat ARGS" on the database at path; its stdout (to free) when it
 * exits with status. */
static char *out_on(const char *path, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *out_on(const char *path, int status, const char *fmt, ...)
{
	char args[2048];
	struct run r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	db = path;
	run(&r, "%s", args);
	if (r.status != status)
		fail_msg("amanat %s on %s: exit %d, expected %d: %s %s", args,
			 path, r.status, status, r.out, r.err);
	free(r.err);
	return r.out;
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("key '%s' is not an integer", key);
	return json_integer_value(v);
}

/* The first column of a CSV's rows after its header: at most max. */
static size_t first_column(const char *file, char (*out)[16], size_t max)
{
	char path[700], line[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (n < max && fgets(line, sizeof(line), f)) {
		size_t k = strcspn(line, ",\n");

		assert_true(k < sizeof(out[0]));
		memcpy(out[n], line, k);
		out[n][k] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

/* The same command's output on two databases. */
static void assert_same(const char *a, const char *b, const char *args)
{
	char *x = out_on(a, 0, "%s", args), *y = out_on(b, 0, "%s", args);

	if (strcmp(x, y) != 0)
		fail_msg("amanat %s differs:\n%s\n%s", args, x, y);
	free(x);
	free(y);
}

/* The bytes of dir/name; *n their count. */
static char *read_in(const char *dir, const char *name, size_t *n)
{
	char path[900];
	char *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("no %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* A list exported from each database: the same files, byte for byte. */
static void assert_same_export(const char *a, const char *b,
			       const char *workshop, const char *period)
{
	static const char *const files[] = { "DSKKAR00.DBF", "DSKWOR00.DBF" };
	static unsigned n;
	char da[700], dbb[700];

	snprintf(da, sizeof(da), "%s/ex%u-a", workdir, n);
	snprintf(dbb, sizeof(dbb), "%s/ex%u-b", workdir, n++);
	free(out_on(a, 0, "export dskwin %s %s '%s'", workshop, period, da));
	free(out_on(b, 0, "export dskwin %s %s '%s'", workshop, period, dbb));
	for (size_t i = 0; i < 2; i++) {
		size_t nx, ny;
		char *x = read_in(da, files[i], &nx),
		     *y = read_in(dbb, files[i], &ny);

		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		free(x);
		free(y);
	}
}

/* Every view the tests read, the same on a and b; their audit trails
 * the same entries (same_trail) or as many, each intact. */
static void assert_views_same(const char *a, const char *b, bool same_trail)
{
	char persons[60][16], workshops[40][16], listed[2][16];
	size_t np = first_column("gen/registry/persons.csv", persons, 60);
	size_t nw = first_column("gen/registry/workshops.csv", workshops, 40);
	char *x, *y;
	json_t *j;

	assert_true(np > 20 && nw > 5);
	for (size_t i = 0; i < np; i++) {
		char args[64];

		snprintf(args, sizeof(args), "--json history %s", persons[i]);
		assert_same(a, b, args);
	}
	/* Known from lines and migrated months only. */
	assert_same(a, b, "--json history 0499370899");
	assert_same(a, b, "--json history 0790419904");
	assert_same(a, b, "history 0499370899");
	assert_same(a, b, "--json worker statement 0499370899 1403/02");
	for (size_t i = 0; i < nw; i++) {
		char args[64];

		snprintf(args, sizeof(args), "--json employer statement %s",
			 workshops[i]);
		assert_same(a, b, args);
	}
	assert_same(a, b, "--json employer statement " AMEND_WORKSHOP);
	assert_same(a, b, "employer statement " AMEND_WORKSHOP);
	/* A workshop with a list in each month. */
	assert_int_equal(first_column("gen/wages/1403-01.csv", listed, 1), 1);
	assert_int_equal(first_column("gen/wages/1403-02.csv", listed + 1, 1),
			 1);
	assert_same_export(a, b, listed[0], "1403/01");
	assert_same_export(a, b, listed[1], "1403/02");
	assert_same_export(a, b, AMEND_WORKSHOP, "1403/02");
	/* The audit trails: intact, the same head. */
	x = out_on(a, 0, "--json audit verify");
	y = out_on(b, 0, "--json audit verify");
	j = parse_json(y);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(jint(j, "entries") > 5);
	if (same_trail) {
		assert_string_equal(x, y);
	} else {
		json_t *k = parse_json(x);

		assert_int_equal(jint(k, "entries"), jint(j, "entries"));
		json_decref(k);
	}
	json_decref(j);
	free(x);
	free(y);
}

/* A province with every kind of row: the registry, two months of lists,
 * a list amended, payments and migrated months. */
static void make_origin(void)
{
	free(out_on(origin, 0,
		    "generate --insured 300 --months 3 --start 1403/01 "
		    "--seed 7 '%s/gen'",
		    workdir));
	free(out_on(origin, 0, "init"));
	free(out_on(origin, 0,
		    "import registry '%s/gen/registry/persons.csv' "
		    "'%s/gen/registry/employers.csv' "
		    "'%s/gen/registry/workshops.csv' "
		    "'%s/gen/registry/dependants.csv'",
		    workdir, workdir, workdir, workdir));
	free(out_on(origin, 0,
		    "import wages '%s/gen/wages/1403-01.csv' "
		    "'%s/gen/wages/1403-02.csv'",
		    workdir, workdir));
	write_file("list.csv",
		   "DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,"
		   "DSW_MAH,DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME\n"
		   "1234567890,1403,2,7,0499370899,31,2388728,74050568,0,"
		   "74050568,74050568,5183540\n");
	write_file("amend.csv",
		   "DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,"
		   "DSW_MAH,DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME\n"
		   "1234567890,1403,2,7,0499370899,20,2388728,47774560,0,"
		   "47774560,47774560,3344219\n");
	free(out_on(origin, 0,
		    "import wages --register-workshops '%s/list.csv'",
		    workdir));
	free(out_on(origin, 0, "import wages --amend '%s/amend.csv'", workdir));
	write_file("pay.csv", "workshop,period,amount,date,reference\n"
			      "1234567890,1403/02,10000000,1403/03/20,REF-1\n");
	free(out_on(origin, 0, "import payments '%s/pay.csv'", workdir));
	write_file("hist.csv",
		   "national_code,period,workshop,days,subject_wage\n"
		   "0790419904,1402/12,1234567890,29,58000000\n"
		   "0499370899,1402/11,1234567890,30,60000000\n");
	free(out_on(origin, 0, "import history '%s/hist.csv'", workdir));
}

static void test_copy_and_back(void **state)
{
	json_t *j, *tables;
	char *out;

	(void)state;
	snprintf(origin, sizeof(origin), "%s/origin.db", workdir);
	copy = testdb_new("copy");
	snprintf(back, sizeof(back), "%s/back.db", workdir);
	make_origin();

	out = out_on(origin, 0, "--json db copy 'sqlite:%s' '%s'", origin,
		     copy);
	j = parse_json(out);
	free(out);
	assert_true(json_is_true(json_object_get(j, "verified")));
	assert_string_equal(jstr(j, "from") + strlen("sqlite:"), origin);
	assert_string_equal(jstr(j, "to"), copy);
	tables = json_object_get(j, "tables");
	assert_true(jint(tables, "persons") > 300);
	assert_true(jint(tables, "workshops") > 5);
	assert_true(jint(tables, "dependants") > 0);
	assert_true(jint(tables, "meta") >= 1);
	assert_true(jint(tables, "audit") > 5);
	assert_true(jint(tables, "wage_lists") > 10);
	assert_true(jint(tables, "ledger") > 10);
	assert_int_equal(jint(tables, "payments"), 1);
	assert_int_equal(jint(tables, "history_migrated"), 2);
	assert_true(jint(j, "lines_indexed") > 300);
	assert_true(jint(j, "histories") > 300);
	/* PostgreSQL's copy ends with VACUUM ANALYZE (statistics, and the
	 * visibility map the posting's scans of keys read); SQLite's with
	 * nothing. */
	{
		json_t *v = json_object_get(json_object_get(j, "seconds"),
					    "vacuum");

		assert_true(json_is_number(v));
		if (!strncmp(copy, "pg:", 3))
			assert_true(json_number_value(v) > 0);
		else
			assert_true(json_number_value(v) == 0);
	}
	json_decref(j);
	assert_views_same(origin, copy, true);

	/* Back from the copy into a third database, in the text form. */
	out = out_on(copy, 0, "db copy '%s' '%s'", copy, back);
	assert_non_null(strstr(out, "verified"));
	assert_non_null(strstr(out, "wage_lists"));
	free(out);
	assert_views_same(origin, back, true);

	/* Both go on alike: the next month's lists, imported into each. */
	free(out_on(origin, 0, "import wages '%s/gen/wages/1403-03.csv'",
		    workdir));
	free(out_on(copy, 0, "import wages '%s/gen/wages/1403-03.csv'",
		    workdir));
	/* The new entries' times are each import's own. */
	assert_views_same(origin, copy, false);
}

static void test_refused(void **state)
{
	char other[400];
	struct run r;
	json_t *j, *e;

	(void)state;
	/* Into the copy, which holds rows: refused, nothing written. */
	db = copy;
	run(&r, "--json db copy '%s' '%s'", origin, copy);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	e = json_object_get(j, "error");
	assert_string_equal(jstr(e, "code"), "store_copy_not_empty");
	assert_string_equal(jstr(e, "table"), "persons");
	assert_true(strlen(jstr(e, "message_fa")) > 0);
	assert_true(strlen(jstr(e, "check_en")) > 0);
	json_decref(j);
	run_free(&r);
	/* In Persian and in English. */
	run(&r, "--lang fa db copy '%s' '%s'", origin, copy);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "پایگاه دادهٔ مقصد خالی نیست"));
	assert_non_null(strstr(r.err, "persons"));
	run_free(&r);
	run(&r, "--lang en db copy '%s' '%s'", origin, copy);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "the target database is not empty"));
	run_free(&r);

	/* A database "amanat init" made holds its settings: refused too. */
	db = testdb_new("inited");
	free(out_on(db, 0, "init"));
	run(&r, "--json db copy '%s' '%s'", origin, db);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_string_equal(jstr(json_object_get(j, "error"), "table"), "meta");
	json_decref(j);
	run_free(&r);

	/* The same database twice, a missing source, a backend not built:
	 * usage, not initialised, unknown. */
	run(&r, "db copy '%s' '%s'", origin, origin);
	assert_int_equal(r.status, 2);
	run_free(&r);
	snprintf(other, sizeof(other), "%s/new.db", workdir);
	run(&r, "db copy '%s/missing.db' '%s'", workdir, other);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "missing.db"));
	run_free(&r);
	run(&r, "db copy '%s'", origin);
	assert_int_equal(r.status, 2);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_and_back),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
