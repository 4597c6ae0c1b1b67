/* The monthly cycle through the amanat command: generated lists imported
 * and assessed, re-imports that change nothing, a bad list refused whole
 * with its file, row and field while the others import, a conflicting list
 * refused and then amended, the views, payments, and an export that
 * imports back to the same list in both code pages. */
#include "clitest.h"

#include <sys/stat.h>

/* The first workshop with a list of several lines in 1403/02. */
static char workshop[16];

static json_t *run_json(const char *fmt, const char *arg, int status)
{
	struct run r;
	json_t *j;

	run(&r, fmt, arg, arg, arg);
	if (r.status != status)
		fail_msg("exit %d, expected %d: %s %s", r.status, status, r.out,
			 r.err);
	j = parse_json(r.out);
	run_free(&r);
	return j;
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("key '%s' is not an integer", key);
	return json_integer_value(v);
}

static void test_import_generated(void **state)
{
	struct run r;
	json_t *j;
	FILE *f;
	char path[600], line[4096];

	run(&r,
	    "generate --insured 400 --months 2 --start 1403/01 --seed 9 "
	    "'%s/gen'",
	    workdir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	run(&r, "init");
	assert_int_equal(r.status, 0);
	run_free(&r);
	run(&r,
	    "import registry '%s/gen/registry/employers.csv' "
	    "'%s/gen/registry/workshops.csv' '%s/gen/registry/persons.csv'",
	    workdir, workdir, workdir);
	assert_int_equal(r.status, 0);
	run_free(&r);

	j = run_json("--json import wages '%s/gen/wages'", workdir, 0);
	assert_true(jint(j, "lists_accepted") > 10);
	assert_int_equal(jint(j, "lists_refused"), 0);
	assert_int_equal(jint(j, "lines"), jint(j, "lines_posted"));
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
	json_decref(j);

	/* The same lists again: nothing changes. */
	j = run_json("--json import wages '%s/gen/wages'", workdir, 0);
	assert_int_equal(jint(j, "lists_posted"), 0);
	assert_int_equal(jint(j, "lines_posted"), 0);
	assert_int_equal(jint(j, "lists_unchanged"), jint(j, "lists_accepted"));
	json_decref(j);

	/* A workshop with a few lines in 1403/02, for the next tests. */
	snprintf(path, sizeof(path), "%s/gen/wages/1403-02.csv", workdir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	memcpy(workshop, line, 10);
	workshop[10] = '\0';
}

/* A CSV of two lists: the first has a wrong insured share and a wrong
 * monthly wage, the second is good. */
static void test_bad_list_refused_whole(void **state)
{
	json_t *j, *errs;
	bool saw_bime = false, saw_mah = false;
	struct run r;

	write_file("two.csv",
		   "DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,"
		   "DSW_MAH,DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME\n"
		   /* 7% of 74,050,568 = 5,183,539.76 → 5,183,540; the
		    * tolerance is 1 rial, so 5,183,545 is refused */
		   "1234567890,1403,1,7,0499370899,31,2388728,74050568,0,"
		   "74050568,74050568,5183545\n"
		   "1234567890,1403,1,7,0790419904,31,2388728,74050567,0,"
		   "74050567,74050567,5183540\n"
		   "1234567890,03,2,7,0499370899,31,2388728,74050568,0,"
		   "74050568,74050568,5183540\n");
	run(&r, "init");
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* The workshop must be known: register it from the list. */
	j = run_json("--json import wages --register-workshops '%s/two.csv'",
		     workdir, 1);
	assert_int_equal(jint(j, "lists_refused"), 1);
	assert_int_equal(jint(j, "lists_accepted"), 1);
	errs = json_object_get(j, "errors");
	for (size_t i = 0; i < json_array_size(errs); i++) {
		json_t *e = json_array_get(errs, i);
		const char *field = jstr(e, "field");

		assert_non_null(strstr(jstr(e, "file"), "two.csv"));
		assert_true(strlen(jstr(e, "message_fa")) > 0);
		assert_true(strlen(jstr(e, "message_en")) > 0);
		if (!strcmp(field, "DSW_BIME")) {
			saw_bime = true;
			assert_int_equal(jint(e, "row"), 2);
			assert_string_equal(jstr(e, "value"), "5183545");
			assert_string_equal(jstr(e, "code"),
					    "wage_insured_share");
		}
		if (!strcmp(field, "DSW_MAH")) {
			saw_mah = true;
			assert_int_equal(jint(e, "row"), 3);
		}
	}
	assert_true(saw_bime && saw_mah);
	json_decref(j);

	/* Nothing of the refused list was written. */
	j = run_json("--json history 0790419904", "", 0);
	assert_int_equal(jint(j, "credited_days"), 0);
	json_decref(j);
	j = run_json("--json worker statement 0499370899 1403/02", "", 0);
	assert_int_equal(json_array_size(json_object_get(j, "reports")), 1);
	json_decref(j);
}

static void test_conflict_and_amend(void **state)
{
	json_t *j, *months;

	/* Another list under workshop 1234567890, 1403/02, list 7. */
	write_file("amend.csv",
		   "DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,"
		   "DSW_MAH,DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME\n"
		   "1234567890,1403,2,7,0499370899,20,2388728,47774560,0,"
		   "47774560,47774560,3344219\n");
	j = run_json("--json import wages '%s/amend.csv'", workdir, 1);
	assert_int_equal(jint(j, "lists_refused"), 1);
	assert_string_equal(
		jstr(json_array_get(json_object_get(j, "errors"), 0), "code"),
		"wage_list_conflict");
	json_decref(j);
	j = run_json("--json import wages --amend '%s/amend.csv'", workdir, 0);
	assert_int_equal(jint(j, "lists_amended"), 1);
	json_decref(j);

	/* The history shows the amended month only; the ledger balances. */
	j = run_json("--json history 0499370899", "", 0);
	months = json_object_get(j, "months");
	assert_int_equal(json_array_size(months), 1);
	assert_int_equal(jint(json_array_get(months, 0), "days"), 20);
	assert_int_equal(jint(json_array_get(months, 0), "insured_share"),
			 3344219);
	assert_string_equal(jstr(json_array_get(months, 0), "period"),
			    "1403/02");
	assert_int_equal(jint(j, "credited_days"), 20);
	json_decref(j);
	j = run_json("--json employer statement 1234567890", "", 0);
	/* 47,774,560 × (7% + 20% + 3%) = 3,344,219.2 + 9,554,912 +
	 * 1,433,236.8 → 3,344,219 + 9,554,912 + 1,433,237 */
	assert_int_equal(jint(j, "balance"), 3344219 + 9554912 + 1433237);
	/* The amended list's reversal is not a payment: nothing was paid,
	 * and what is due is the new list's assessment. */
	assert_int_equal(jint(j, "assessed"), 3344219 + 9554912 + 1433237);
	assert_int_equal(jint(j, "paid"), 0);
	assert_int_equal(jint(j, "due"), jint(j, "balance"));
	json_decref(j);
	j = run_json("--json audit verify", "", 0);
	assert_true(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
}

static void test_payments(void **state)
{
	json_t *j;
	char text[256];

	snprintf(text, sizeof(text),
		 "workshop,period,amount,date,reference\n"
		 "1234567890,1403/02,10000000,1403/03/20,REF-1\n");
	write_file("pay.csv", text);
	j = run_json("--json import payments '%s/pay.csv'", workdir, 0);
	json_decref(j);
	j = run_json("--json import payments '%s/pay.csv'", workdir, 0);
	json_decref(j);
	j = run_json("--json employer statement 1234567890", "", 0);
	assert_int_equal(jint(j, "balance"),
			 3344219 + 9554912 + 1433237 - 10000000);
	assert_int_equal(jint(j, "paid"), 10000000);
	assert_int_equal(jint(j, "assessed"), 3344219 + 9554912 + 1433237);
	json_decref(j);
	/* The same reference with another amount is refused. */
	write_file("pay2.csv", "workshop,period,amount,date,reference\n"
			       "1234567890,1403/02,5,1403/03/20,REF-1\n");
	j = run_json("--json import payments '%s/pay2.csv'", workdir, 1);
	assert_string_equal(
		jstr(json_array_get(json_object_get(j, "errors"), 0), "code"),
		"idempotency_conflict");
	json_decref(j);
}

/* A registered person (the generated registry's first) and the names the
 * registry holds for them. */
static void first_person(char code[11], char *first, char *last, char *father,
			 size_t size)
{
	char path[600], line[1024], *f[4], *p = line;
	FILE *in;

	snprintf(path, sizeof(path), "%s/gen/registry/persons.csv", workdir);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_non_null(fgets(line, sizeof(line), in)); /* header */
	assert_non_null(fgets(line, sizeof(line), in));
	fclose(in);
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ',');
		assert_non_null(p);
		*p++ = '\0';
	}
	snprintf(code, 11, "%s", f[0]);
	snprintf(first, size, "%s", f[1]);
	snprintf(last, size, "%s", f[2]);
	snprintf(father, size, "%s", f[3]);
}

/* The worker statement shows the names the employer wrote beside the
 * registry's and says which differ: here the last name, not the first
 * (the same name with a ZWNJ where the registry has none) nor the
 * father's (not written). */
static void test_reported_names(void **state)
{
	char code[11], first[200], last[200], father[200], text[2048];
	json_t *j, *rep, *d;
	struct run r;

	first_person(code, first, last, father, sizeof(first));
	snprintf(
		text, sizeof(text),
		"DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_FNAME,"
		"DSW_LNAME,DSW_DNAME,DSW_DD,DSW_ROOZ,DSW_MAH,DSW_MAZ,DSW_MASH,"
		"DSW_TOTL,DSW_BIME\n"
		"1234567890,1403,3,1,%s,%s\u200c,نادرستی,,31,2388728,74050568,0,"
		"74050568,74050568,5183540\n",
		code, first);
	write_file("names.csv", text);
	j = run_json("--json import wages '%s/names.csv'", workdir, 0);
	assert_int_equal(jint(j, "lists_posted"), 1);
	json_decref(j);

	run(&r, "--json worker statement %s 1403/03", code);
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	run_free(&r);
	assert_string_equal(jstr(json_object_get(j, "registry"), "last_name"),
			    last);
	assert_string_equal(jstr(json_object_get(j, "registry"), "father_name"),
			    father);
	rep = json_array_get(json_object_get(j, "reports"), 0);
	assert_string_equal(jstr(json_object_get(rep, "reported"), "last_name"),
			    "نادرستی");
	assert_string_equal(
		jstr(json_object_get(rep, "reported"), "father_name"), "");
	d = json_object_get(rep, "name_differs");
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_array_get(d, 0)),
			    "last_name");
	/* The keys there were are still there. */
	assert_int_equal(jint(rep, "days"), 31);
	assert_string_equal(jstr(rep, "workshop"), "1234567890");
	json_decref(j);

	run(&r, "--lang en worker statement %s 1403/03", code);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "in the registry: first name"));
	assert_non_null(strstr(r.out, "names on the list: first name"));
	assert_non_null(strstr(r.out, "last name نادرستی"));
	assert_non_null(
		strstr(r.out, "<-- differs from the registry: last name\n"));
	run_free(&r);
	run(&r, "--lang fa worker statement %s 1403/03", code);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "در ثبت اشخاص: نام"));
	assert_non_null(strstr(r.out, "نام در لیست: نام"));
	assert_non_null(strstr(r.out, "← مغایرت با ثبت اشخاص: نام خانوادگی\n"));
	run_free(&r);
}

/* No ASCII digit in s (Persian text for people). */
static void assert_no_ascii_digit(const char *what, const char *s)
{
	const char *p = strpbrk(s, "0123456789");

	if (p)
		fail_msg("%s: an ASCII digit at '%.40s' in:\n%s", what, p, s);
}

/* With --lang fa every figure is in Persian digits and every word in
 * Persian; --json keeps ASCII digits and the English words of its
 * values. */
static void test_persian_output(void **state)
{
	char code[11], first[200], last[200], father[200], cmd[2048], *bar;
	struct run r;

	first_person(code, first, last, father, sizeof(first));
	run(&r, "--lang fa employer statement 1234567890");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "REF-1")); /* a reference as it is */
	strstr(r.out, "REF-1")[4] = 'x';
	assert_no_ascii_digit("employer statement", r.out);
	assert_null(strstr(r.out, "assessment"));
	assert_null(strstr(r.out, "reversal"));
	assert_null(strstr(r.out, "payment"));
	assert_non_null(strstr(r.out, "حق‌بیمهٔ لیست"));
	assert_non_null(strstr(r.out, "برگشت اصلاحیه"));
	assert_non_null(strstr(r.out, "پرداخت"));
	assert_non_null(strstr(r.out, "۱۰٬۰۰۰٬۰۰۰")); /* the payment */
	run_free(&r);
	run(&r, "--json --lang fa employer statement 1234567890");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"kind\":\"assessment\""));
	assert_non_null(strstr(r.out, "\"paid\":10000000"));
	assert_null(strstr(r.out, "۰"));
	run_free(&r);
	run(&r, "--lang en employer statement 1234567890");
	assert_non_null(strstr(r.out, "assessment"));
	assert_non_null(strstr(r.out, "10,000,000"));
	run_free(&r);

	run(&r, "--lang fa history %s", code);
	assert_int_equal(r.status, 0);
	assert_no_ascii_digit("history", r.out);
	run_free(&r);
	run(&r, "--lang fa worker statement %s 1403/03", code);
	assert_no_ascii_digit("worker statement", r.out);
	run_free(&r);
	run(&r, "--lang fa import wages '%s/names.csv'", workdir);
	assert_int_equal(r.status, 0);
	assert_no_ascii_digit("import", r.out);
	run_free(&r);
	run(&r, "--lang fa rules show --on 1403/05/01 wage.minimum.daily");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "۲٬۳۸۸٬۷۲۸ ریال در روز"));
	assert_non_null(strstr(r.out, "اطمینان زیاد"));
	run_free(&r);
	/* A row in a diagnostic, and the usage. */
	write_file("short.csv", "DSW_ID,DSW_YY\n1,2\n");
	run(&r, "--lang fa import wages '%s/short.csv'", workdir);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "short.csv، سطر ۱: "));
	run_free(&r);
	run(&r, "--lang fa worker statement");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "کد ملی و ماه لازم است"));
	assert_non_null(strstr(r.err, "کاربرد: amanat worker statement"));
	run_free(&r);
	/* The progress bar (forced on: no terminal here), its share in
	 * Persian. */
	snprintf(cmd, sizeof(cmd),
		 "AMANAT_PROGRESS=1 '%s' --db '%s' --lang fa import wages "
		 "'%s/names.csv' >/dev/null 2>'%s/progress'",
		 getenv("AMANAT_BIN"), db, workdir, workdir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/progress", workdir);
	bar = test_slurp(cmd);
	assert_non_null(strstr(bar, "ورود لیست‌ها ["));
	assert_non_null(strstr(bar, "۱۰۰٪"));
	assert_no_ascii_digit("progress", strrchr(bar, '\r'));
	free(bar);
}

/* A copy of workdir/from as Excel saves a CSV on Windows: a UTF-8
 * byte-order mark, and CRLF line ends (RFC 4180's own). */
static void excel_copy(const char *from, const char *to)
{
	char path[700], *text;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, from);
	text = test_slurp(path);
	snprintf(path, sizeof(path), "%s/%s", workdir, to);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("\xef\xbb\xbf", f);
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			fputc('\r', f);
		fputc(*p, f);
	}
	assert_int_equal(fclose(f), 0);
	free(text);
}

/* Every CSV the project reads, saved by Excel, into a database of its own:
 * the same rows are taken as from the plain files. */
static void test_windows_csv(void **state)
{
	static const char *const reg[] = { "employers", "workshops", "persons",
					   "dependants" };
	const char *plain = db, *excel = testdb_new("excel");
	char from[300], to[300], code[16], *a, *b;
	struct run r;
	json_t *j;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(from, sizeof(from), "gen/registry/%s.csv", reg[i]);
		snprintf(to, sizeof(to), "x-%s.csv", reg[i]);
		excel_copy(from, to);
	}
	excel_copy("gen/wages/1403-01.csv", "x-wages.csv");
	db = excel;
	run(&r, "init");
	assert_int_equal(r.status, 0);
	run_free(&r);
	run(&r,
	    "--json import registry '%s/x-employers.csv' '%s/x-workshops.csv'"
	    " '%s/x-persons.csv' '%s/x-dependants.csv'",
	    workdir, workdir, workdir, workdir);
	if (r.status != 0)
		fail_msg("registry: %s %s", r.out, r.err);
	j = parse_json(r.out);
	run_free(&r);
	assert_true(jint(j, "persons") > 400);
	assert_true(jint(j, "dependants") > 0);
	assert_int_equal(jint(j, "accepted"), jint(j, "records"));
	assert_int_equal(jint(j, "refused"), 0);
	json_decref(j);
	j = run_json("--json import wages '%s/x-wages.csv'", workdir, 0);
	assert_true(jint(j, "lists_accepted") > 10);
	assert_int_equal(jint(j, "lists_refused"), 0);
	assert_int_equal(jint(j, "lines"), jint(j, "lines_posted"));
	json_decref(j);

	/* A person of the month, a migrated month and a payment, each from
	 * an Excel file. */
	snprintf(from, sizeof(from), "%s/gen/wages/1403-01.csv", workdir);
	a = test_slurp(from);
	{
		/* PER_NATCOD of the first line: the header names the column. */
		const char *hdr = a, *line = strchr(a, '\n') + 1;
		size_t col = 0;

		for (const char *p = hdr; strncmp(p, "PER_NATCOD", 10); p++)
			col += *p == ',';
		for (const char *p = line; col; p++)
			if (*p == ',' && --col == 0)
				line = p + 1;
		memcpy(code, line, 10);
		code[10] = '\0';
	}
	free(a);
	snprintf(to, sizeof(to),
		 "national_code,period,workshop,days,subject_wage\n"
		 "%s,1402/12,%s,29,58000000\n",
		 code, workshop);
	write_file("hist.csv", to);
	excel_copy("hist.csv", "x-hist.csv");
	snprintf(to, sizeof(to),
		 "workshop,period,amount,date,reference\n"
		 "%s,1403/01,10000000,1403/02/20,XL-1\n",
		 workshop);
	write_file("xpay.csv", to);
	excel_copy("xpay.csv", "x-pay.csv");
	for (int k = 0; k < 2; k++) {
		db = k ? plain : excel;
		run(&r, "import history '%s/%s'", workdir,
		    k ? "hist.csv" : "x-hist.csv");
		if (r.status != 0)
			fail_msg("history: %s %s", r.out, r.err);
		run_free(&r);
		run(&r, "import payments '%s/%s'", workdir,
		    k ? "xpay.csv" : "x-pay.csv");
		if (r.status != 0)
			fail_msg("payments: %s %s", r.out, r.err);
		run_free(&r);
	}
	/* The person's history and the workshop's statement, alike on both
	 * (the plain database holds 1403/02 as well: its first month read). */
	db = excel;
	run(&r, "--json history %s", code);
	assert_int_equal(r.status, 0);
	a = r.out;
	free(r.err);
	assert_non_null(strstr(a, "\"1402/12\""));
	assert_non_null(strstr(a, "\"1403/01\""));
	run(&r, "--json employer statement %s", workshop);
	assert_int_equal(r.status, 0);
	b = r.out;
	free(r.err);
	assert_non_null(strstr(b, "XL-1"));
	free(a);
	free(b);
	db = plain;
	testdb_drop(excel);
}

static void export_round_trip(const char *encoding)
{
	char dir[600];
	struct run r;
	json_t *j;

	snprintf(dir, sizeof(dir), "%s/ex-%s", workdir, encoding);
	run(&r, "export dskwin --encoding %s %s 1403/02 '%s'", encoding,
	    workshop, dir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* Back into the same database: the same list, so nothing changes. */
	j = run_json("--json import wages '%s'", dir, 0);
	assert_int_equal(jint(j, "lists_unchanged"), 1);
	assert_int_equal(jint(j, "lists_refused"), 0);
	json_decref(j);
}

static void test_export_round_trip(void **state)
{
	export_round_trip("windows-1256");
	export_round_trip("iran-system");
}

/* A ListDisk folder with one of its two files (either) is refused, naming
 * the folder and the file missing, in both languages, exit status 1; a
 * folder holding such a disk is refused the same. */
static void test_incomplete_listdisk(void **state)
{
	static const char *const files[] = { "DSKWOR00.DBF", "DSKKAR00.DBF" };
	char dir[300], path[2048];
	struct run r;
	json_t *j, *e;

	(void)state;
	for (int k = 0; k < 2; k++) {
		snprintf(dir, sizeof(dir), "%s/tree-%d", workdir, k);
		assert_int_equal(mkdir(dir, 0755), 0);
		snprintf(dir, sizeof(dir), "%s/tree-%d/disk", workdir, k);
		run(&r, "export dskwin %s 1403/02 '%s'", workshop, dir);
		assert_int_equal(r.status, 0);
		run_free(&r);
		snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
		assert_int_equal(unlink(path), 0);

		j = run_json("--json import wages '%s'", dir, 1);
		assert_int_equal(jint(j, "lists_accepted"), 0);
		assert_int_equal(json_array_size(json_object_get(j, "errors")),
				 1);
		e = json_array_get(json_object_get(j, "errors"), 0);
		assert_string_equal(jstr(e, "code"), "wage_dbf_missing_file");
		assert_string_equal(jstr(e, "file"), dir);
		assert_string_equal(jstr(e, "expected"), files[k]);
		json_decref(j);

		run(&r, "--lang fa import wages '%s'", dir);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "پوشهٔ لیست دیسک ناقص است"));
		assert_non_null(strstr(r.err, files[k]));
		run_free(&r);
		run(&r, "--lang en import wages '%s/tree-%d'", workdir, k);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "ListDisk folder is incomplete"));
		assert_non_null(strstr(r.err, dir));
		run_free(&r);
		/* Whole again, it imports. */
		run(&r, "export dskwin %s 1403/02 '%s-whole'", workshop, dir);
		assert_int_equal(r.status, 0);
		run_free(&r);
		snprintf(path, sizeof(path), "mv '%s-whole/%s' '%s/'", dir,
			 files[k], dir);
		assert_int_equal(system(path), 0);
		j = run_json("--json import wages '%s'", dir, 0);
		assert_int_equal(jint(j, "lists_accepted"), 1);
		json_decref(j);
		snprintf(path, sizeof(path), "rm -rf '%s/tree-%d'", workdir, k);
		assert_int_equal(system(path), 0);
	}
	/* A path that is not there: refused (status 1), named, in JSON
	 * too, whether or not the persons are registered ahead. */
	for (int k = 0; k < 2; k++) {
		const char *ahead = k ? "--persons-ahead"
				      : "--no-persons-ahead";

		snprintf(path, sizeof(path), "%s '%s/no-such.csv'", ahead,
			 workdir);
		run(&r, "import wages %s", path);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "no-such.csv"));
		run_free(&r);
		j = run_json("--json import wages %s", path, 1);
		e = json_array_get(json_object_get(j, "errors"), 0);
		assert_string_equal(jstr(e, "code"), "io");
		json_decref(j);
	}
}

/* A national code with its check digit, from a nine-digit prefix. */
static void natcode(unsigned prefix, char out[11])
{
	int sum = 0, r;

	snprintf(out, 11, "%09u", prefix);
	for (int i = 0; i < 9; i++)
		sum += (out[i] - '0') * (10 - i);
	r = sum % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = '\0';
}

/* Two 1405/01 lists, of 40 lines and of 3, at a daily wage of 4,000,000. */
static void write_1405_lists(const char *name)
{
	char path[600], code[11];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,PER_NATCOD,DSW_DD,DSW_ROOZ,"
	      "DSW_MAH,DSW_MAZ,DSW_MASH,DSW_TOTL,DSW_BIME\n",
	      f);
	for (unsigned i = 0; i < 43; i++) {
		natcode(140500100 + i * 7, code);
		fprintf(f,
			"%s,1405,1,1,%s,31,4000000,124000000,0,124000000,"
			"124000000,8680000\n",
			i < 40 ? "1405000001" : "1405000002", code);
	}
	fclose(f);
}

/* TEST FIGURES for 1405, not a published decree: what an operator's own
 * folder holds once the year's decree is out. */
static const char test_rules_1405[] =
	"# TEST FIGURES of amanat's tests, not a published decree.\n"
	"parameters:\n"
	"  - name: wage.minimum.daily\n"
	"    unit: rial/day\n"
	"    confidence: U\n"
	"    description: {fa: حداقل دستمزد روزانه, en: Daily minimum wage}\n"
	"    values:\n"
	"      - from: 1405/01/01\n"
	"        to: 1405/12/29\n"
	"        value: 4,000,000\n"
	"        reference: \"amanat's tests: a test figure, not a decree\"\n"
	"  - name: wage.ceiling.daily\n"
	"    unit: rial/day\n"
	"    confidence: U\n"
	"    description: {fa: سقف دستمزد روزانه, en: Daily ceiling}\n"
	"    values:\n"
	"      - from: 1405/01/01\n"
	"        to: 1405/12/29\n"
	"        value: 28,000,000\n"
	"        reference: \"amanat's tests: a test figure, not a decree\"\n";

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* A year the shipped rules do not cover: its lists are refused, each
 * missing parameter named once however many lines and lists there are,
 * the refusal pointing to the docs on adding a year; with an operator's
 * folder for that year laid over the shipped one, they import. */
static void test_year_without_rules(void **state)
{
	const char *src = getenv("AMANAT_SOURCE_ROOT");
	size_t minimum = 0, ceiling = 0, lists = 0;
	char path[600], base_id[65];
	json_t *j, *errs;
	struct run r;
	char *doc;

	setenv("AMANAT_TODAY", "1405/06/01", 1);
	write_1405_lists("1405-01.csv");
	run(&r, "--json import wages --register-workshops '%s/1405-01.csv'",
	    workdir);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	run_free(&r);
	assert_int_equal(jint(j, "lists_refused"), 2);
	assert_int_equal(jint(j, "lines"), 43);
	errs = json_object_get(j, "errors");
	assert_int_equal(jint(j, "error_count"), 4);
	for (size_t i = 0; i < json_array_size(errs); i++) {
		json_t *e = json_array_get(errs, i);
		const char *code = jstr(e, "code");

		if (!strcmp(code, "rules_no_value")) {
			assert_non_null(strstr(jstr(e, "file"), "wages.yaml"));
			assert_string_equal(jstr(e, "value"), "1405/01/01");
			minimum += !strcmp(jstr(e, "field"),
					   "wage.minimum.daily");
			ceiling += !strcmp(jstr(e, "field"),
					   "wage.ceiling.daily");
		} else if (!strcmp(code, "wage_period_no_rules")) {
			/* Which list: its file, first row and month. */
			assert_non_null(strstr(jstr(e, "file"), "1405-01.csv"));
			assert_int_equal(jint(e, "row"), lists ? 42 : 2);
			assert_string_equal(jstr(e, "value"), "1405/01");
			assert_non_null(strstr(jstr(e, "message_en"),
					       "docs/rules.md#adding-a-year"));
			assert_non_null(strstr(jstr(e, "message_fa"),
					       "docs/rules.md#adding-a-year"));
			lists++;
		} else {
			fail_msg("unexpected error %s", code);
		}
	}
	assert_int_equal(minimum, 1);
	assert_int_equal(ceiling, 1);
	assert_int_equal(lists, 2);
	json_decref(j);

	run(&r, "--lang en import wages --register-workshops '%s/1405-01.csv'",
	    workdir);
	assert_int_equal(r.status, 1);
	assert_int_equal(count(r.err, "wage.minimum.daily"), 1);
	assert_int_equal(count(r.err, "wage.ceiling.daily"), 1);
	assert_int_equal(count(r.err, "[wage_period_no_rules]"), 2);
	run_free(&r);
	run(&r, "--lang fa import wages --register-workshops '%s/1405-01.csv'",
	    workdir);
	assert_non_null(strstr(r.err, "قواعد برای ماه این لیست رقمی ندارد"));
	run_free(&r);

	/* The section the refusal points to is there. */
	snprintf(path, sizeof(path), "%s/docs/rules.md", src);
	doc = test_slurp(path);
	assert_non_null(doc);
	assert_non_null(strstr(doc, "\n## Adding a year\n"));
	free(doc);

	/* The operator's folder for 1405 over the shipped one. */
	snprintf(path, sizeof(path), "mkdir -p '%s/rules-1405'", workdir);
	assert_int_equal(system(path), 0);
	write_file("rules-1405/wages-1405.yaml", test_rules_1405);
	j = run_json("--json init", "", 0);
	snprintf(base_id, sizeof(base_id), "%s", jstr(j, "rules_identity"));
	json_decref(j);
	run(&r,
	    "--json --rules '%s/rules/ir' --rules '%s/rules-1405' import "
	    "wages --register-workshops '%s/1405-01.csv'",
	    src, workdir, workdir);
	if (r.status != 0)
		fail_msg("exit %d: %s %s", r.status, r.out, r.err);
	j = parse_json(r.out);
	run_free(&r);
	assert_int_equal(jint(j, "lists_accepted"), 2);
	assert_int_equal(jint(j, "lines_posted"), 43);
	json_decref(j);
	/* The stack is another rule set, recorded as such. */
	run(&r, "--json --rules '%s/rules/ir' --rules '%s/rules-1405' init",
	    src, workdir);
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	run_free(&r);
	assert_string_not_equal(jstr(j, "rules_identity"), base_id);
	assert_true(json_is_true(json_object_get(j, "rules_changed")));
	json_decref(j);
	unsetenv("AMANAT_TODAY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_generated),
		cmocka_unit_test(test_bad_list_refused_whole),
		cmocka_unit_test(test_conflict_and_amend),
		cmocka_unit_test(test_payments),
		cmocka_unit_test(test_reported_names),
		cmocka_unit_test(test_persian_output),
		cmocka_unit_test(test_windows_csv),
		cmocka_unit_test(test_export_round_trip),
		cmocka_unit_test(test_incomplete_listdisk),
		cmocka_unit_test(test_year_without_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
