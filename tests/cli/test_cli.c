/* The amanat command as a user meets it: each command's text and --json
 * output, its exit status (0 done, 1 refused, 2 usage), Persian digits,
 * refused rule files with file and line, and a tampered audit trail. */
#include "clitest.h"

static void test_id_national(void **state)
{
	struct run r;
	json_t *j;

	run(&r, "id check national 0499370899");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0499370899"));
	run_free(&r);

	/* Persian digits, JSON: the contract's keys. */
	run(&r, "--json id check national ۰۴۹۹۳۷۰۸۹۹");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(jstr(j, "normalized"), "0499370899");
	assert_string_equal(jstr(j, "reason"), "");
	json_decref(j);
	run_free(&r);

	/* A wrong check digit is refused with its reason, status 1. */
	run(&r, "id check national 0499370898 --json");
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_true(json_is_false(json_object_get(j, "valid")));
	assert_string_equal(jstr(j, "code"), "natcode_checksum");
	assert_non_null(strstr(jstr(j, "reason"), "check digit"));
	json_decref(j);
	run_free(&r);

	run(&r, "--lang fa id check national 1111111111");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "یکسان"));
	run_free(&r);

	/* 8 digits are left-padded. */
	run(&r, "--json id check national 99370899");
	assert_int_equal(r.status, 1); /* 0099370899 has a wrong check digit */
	run_free(&r);
}

static void test_id_sheba_and_legal(void **state)
{
	struct run r;
	json_t *j;

	run(&r, "--json id check sheba IR820540102680020817909002");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(jstr(j, "bank_code"), "054");
	assert_true(strlen(jstr(j, "bank")) > 0);
	json_decref(j);
	run_free(&r);

	run(&r, "--json id check sheba IR820540102680020817909003");
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_string_equal(jstr(j, "code"), "sheba_checksum");
	json_decref(j);
	run_free(&r);

	run(&r, "--json id check legal 10380284790");
	assert_int_equal(r.status, 0);
	run_free(&r);

	run(&r, "id check passport 123");
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static void test_date_convert(void **state)
{
	struct run r;
	json_t *j;

	run(&r, "--json date convert ۱۴۰۳/۱۲/۳۰");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_string_equal(jstr(j, "jalali"), "1403/12/30");
	assert_string_equal(jstr(j, "gregorian"), "2025-03-20");
	assert_string_equal(jstr(j, "weekday"), "Thursday");
	json_decref(j);
	run_free(&r);

	run(&r, "--json date convert 2025-03-21");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_string_equal(jstr(j, "jalali"), "1404/01/01");
	json_decref(j);
	run_free(&r);

	run(&r, "date convert 14041230");
	assert_int_equal(r.status, 1); /* 1404 is not leap */
	assert_non_null(strstr(r.err, "14041230"));
	run_free(&r);

	run(&r, "date convert");
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static void test_rules_show(void **state)
{
	struct run r;
	json_t *j, *params;

	run(&r, "--json rules show --on 1404/07/01 wage.minimum.daily");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_string_equal(jstr(j, "name"), "wage.minimum.daily");
	assert_int_equal(json_integer_value(json_object_get(j, "value")),
			 3463656);
	assert_true(strlen(jstr(j, "reference")) > 0);
	json_decref(j);
	run_free(&r);

	/* The same with a Persian-digit date. */
	run(&r, "--json rules show --on ۱۴۰۳/۰۵/۰۱ wage.minimum.daily");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "value")),
			 2388728);
	json_decref(j);
	run_free(&r);

	/* No value in force: an error naming the parameter and the date. */
	run(&r, "rules show --on 1405/07/01 wage.minimum.daily");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "wage.minimum.daily"));
	assert_non_null(strstr(r.err, "1405/07/01"));
	run_free(&r);

	run(&r, "--json rules show --on 1404/07/01");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_int_equal(strlen(jstr(j, "identity")), 64);
	params = json_object_get(j, "parameters");
	assert_true(json_array_size(params) > 40);
	json_decref(j);
	run_free(&r);

	run(&r, "rules show --on 1404/07/01 no.such.parameter");
	assert_int_equal(r.status, 1);
	run_free(&r);
}

static void test_rules_check(void **state)
{
	struct run r;
	json_t *j, *errs;
	char cmd[600];

	run(&r, "rules check '%s/rules/ir'", getenv("AMANAT_SOURCE_ROOT"));
	assert_int_equal(r.status, 0);
	run_free(&r);

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/bad'", workdir);
	assert_int_equal(system(cmd), 0);
	write_file("bad/a.yaml", "parameters:\n"
				 "  - name: x.rate\n"
				 "    unit: rate\n"
				 "    confidence: H\n"
				 "    description: {fa: نرخ, en: rate}\n"
				 "    values:\n"
				 "      - from: 1403/01/01\n"
				 "        to: 1403/06/31\n"
				 "        value: 7%\n"
				 "        reference: test\n"
				 "      - from: 1403/08/01\n"
				 "        value: 8%\n"
				 "        reference: test\n"
				 "        colour: blue\n");
	run(&r, "--json rules check '%s/bad'", workdir);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_true(json_is_false(json_object_get(j, "valid")));
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *e = json_array_get(errs, i);
		const char *code = jstr(e, "code");
		json_int_t row = json_integer_value(json_object_get(e, "row"));

		assert_non_null(strstr(jstr(e, "file"), "a.yaml"));
		if (strcmp(code, "rules_unknown_key") == 0)
			assert_int_equal(row, 14);
		else if (strcmp(code, "rules_date_gap") == 0)
			assert_true(row == 11 || row == 8);
		else
			fail_msg("unexpected error %s", code);
	}
	json_decref(j);
	run_free(&r);

	/* Text output names file and line too. */
	run(&r, "rules check '%s/bad'", workdir);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "a.yaml:14"));
	run_free(&r);
}

/* An operator's folder for 1405 laid over the shipped rules. The figures
 * are TEST FIGURES, not a published decree: no 1405 figure has been. */
static const char overlay_1405[] =
	"# TEST FIGURES for the tests, not a published decree.\n"
	"parameters:\n"
	"  - name: wage.minimum.daily\n"
	"    unit: rial/day\n"
	"    confidence: U\n"
	"    description: {fa: حداقل دستمزد روزانه, en: Daily minimum wage}\n"
	"    values:\n"
	"      - from: 1405/01/01\n"
	"        to: 1405/12/29\n"
	"        value: 4,000,000\n"
	"        reference: \"amanat's tests: a test figure, not a decree\"\n";

/* The same folder changing a past value: the 1404 minimum wage. */
static const char overlay_past[] =
	"parameters:\n"
	"  - name: wage.minimum.daily\n"
	"    unit: rial/day\n"
	"    confidence: U\n"
	"    description: {fa: حداقل دستمزد روزانه, en: Daily minimum wage}\n"
	"    values:\n"
	"      - from: 1404/07/01\n"
	"        to: 1405/12/29\n"
	"        value: 4,000,000\n"
	"        reference: \"amanat's tests: a test figure, not a decree\"\n";

static void test_rules_stack(void **state)
{
	const char *src = getenv("AMANAT_SOURCE_ROOT");
	char cmd[600], env[600], *saved;
	struct run r;
	json_t *j, *folders, *added, *e;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/r1405' '%s/past'", workdir,
		 workdir);
	assert_int_equal(system(cmd), 0);
	write_file("r1405/wages-1405.yaml", overlay_1405);
	write_file("past/wages-1405.yaml", overlay_past);

	/* Two folders given to rules check: each one's part named. */
	run(&r, "rules check '%s/rules/ir' '%s/r1405'", src, workdir);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "the base"));
	assert_non_null(strstr(r.out, "adds values to 1 parameters"));
	assert_non_null(strstr(r.out, "wage.minimum.daily  1405/01/01"));
	run_free(&r);

	/* $AMANAT_RULES with two folders, as PATH is written. */
	saved = strdup(getenv("AMANAT_RULES"));
	snprintf(env, sizeof(env), "%s/rules/ir:%s/r1405", src, workdir);
	setenv("AMANAT_RULES", env, 1);
	run(&r, "--json rules check");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(jstr(j, "dir"), env);
	folders = json_object_get(j, "folders");
	assert_int_equal(json_array_size(folders), 2);
	e = json_array_get(folders, 1);
	assert_true(strstr(jstr(e, "dir"), "/r1405") != NULL);
	assert_int_equal(json_integer_value(json_object_get(e, "parameters")),
			 1);
	assert_int_equal(
		json_integer_value(json_object_get(e, "new_parameters")), 0);
	added = json_array_get(json_object_get(e, "added"), 0);
	assert_string_equal(jstr(added, "name"), "wage.minimum.daily");
	assert_string_equal(jstr(added, "from"), "1405/01/01");
	assert_string_equal(jstr(added, "to"), "1405/12/29");
	json_decref(j);
	run_free(&r);

	/* Lookups see the year the folder adds; the past is the base's. */
	run(&r, "--json rules show --on 1405/03/01 wage.minimum.daily");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "value")),
			 4000000);
	json_decref(j);
	run_free(&r);
	run(&r, "--json rules show --on 1404/07/01 wage.minimum.daily");
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "value")),
			 3463656);
	json_decref(j);
	run_free(&r);

	/* --rules replaces $AMANAT_RULES: the base alone has no 1405. */
	run(&r,
	    "--rules '%s/rules/ir' rules show --on 1405/03/01 "
	    "wage.minimum.daily",
	    src);
	assert_int_equal(r.status, 1);
	run_free(&r);
	setenv("AMANAT_RULES", saved, 1);
	free(saved);

	/* A folder changing a past value is refused, naming its file, the
	 * parameter and the dates; every command refuses such rules. */
	run(&r, "--json --rules '%s/rules/ir' --rules '%s/past' rules check",
	    src, workdir);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_true(json_is_false(json_object_get(j, "valid")));
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 1);
	e = json_array_get(json_object_get(j, "errors"), 0);
	assert_string_equal(jstr(e, "code"), "rules_layer_overlap");
	assert_non_null(strstr(jstr(e, "file"), "past/wages-1405.yaml"));
	assert_int_equal(json_integer_value(json_object_get(e, "row")), 7);
	assert_string_equal(jstr(e, "field"), "wage.minimum.daily");
	assert_string_equal(jstr(e, "value"), "1404/07/01");
	assert_non_null(strstr(jstr(e, "expected"), "1405/01/01"));
	assert_non_null(strstr(jstr(e, "expected"), "wages.yaml:"));
	json_decref(j);
	run_free(&r);
	run(&r, "--lang fa --rules '%s/rules/ir' --rules '%s/past' rules show",
	    src, workdir);
	assert_int_equal(r.status, 1);
	/* The row in Persian, as a Persian sentence says it. */
	assert_non_null(strstr(r.err, "past/wages-1405.yaml، سطر ۷"));
	assert_non_null(strstr(r.err, "پوشهٔ قواعد بعدی"));
	run_free(&r);

	/* At most 16 folders. */
	snprintf(cmd, sizeof(cmd), "%s", "");
	for (int i = 0; i < 17; i++) {
		size_t n = strlen(cmd);

		snprintf(cmd + n, sizeof(cmd) - n, "--rules x%d ", i);
	}
	run(&r, "%s rules check", cmd);
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static void test_init_and_audit(void **state)
{
	struct run r;
	json_t *j;

	run(&r, "init");
	assert_int_equal(r.status, 0);
	run_free(&r);
	run(&r, "--json init"); /* safe to repeat */
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	json_decref(j);
	/* Quietly: nothing of the database's own chatter on stderr. */
	assert_string_equal(r.err, "");
	run_free(&r);

	run(&r, "--json audit verify");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_integer_value(json_object_get(j, "entries")) >= 1);
	json_decref(j);
	run_free(&r);
	/* The database named by the environment instead. */
	run_env_db(&r, "--json audit verify");
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_true(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	run_free(&r);

	/* Tamper with the first entry as an attacker would: the trigger
	 * dropped (SQLite) or turned off (PostgreSQL, as a superuser). */
	assert_int_equal(
		testdb_exec(db, TESTDB_SQL("DROP TRIGGER IF EXISTS"
					   " audit_no_update;",
					   "ALTER TABLE audit DISABLE TRIGGER"
					   " USER;")),
		TESTDB_OK);
	assert_int_equal(testdb_exec(db, "UPDATE audit SET actor = 'mallory'"
					 " WHERE seq = 1"),
			 TESTDB_OK);
	run(&r, "--json audit verify");
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "first_broken")),
			 1);
	json_decref(j);
	run_free(&r);
	run(&r, "audit verify");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "1"));
	run_free(&r);
}

static void test_import_registry(void **state)
{
	struct run r;
	json_t *j, *errs;

	run(&r, "init");
	assert_int_equal(r.status, 0);
	run_free(&r);
	write_file("employers.csv", "id,kind,name,address\n"
				    "10380284790,legal,شركت پارس,تهران\n"
				    "0499370899,person,علی رضایي,\n");
	write_file("workshops.csv",
		   "code,name,employer_id,province,hard_harmful,small_exempt\n"
		   "1234567890,کارگاه پارس,10380284790,23,0,0\n"
		   "0987654321,نانوایی,۰۴۹۹۳۷۰۸۹۹,15,1,1\n");
	write_file(
		"persons.csv",
		"national_code,first_name,last_name,father_name,"
		"birth_date,sex,nationality\n"
		"0790419904,فاطمه,حسینی,محمد,1370/05/12,F,ایرانی\n"
		"0084575948,\"علی‌اکبر\",\"قربانی, پور\",حسن,"
		"۱۳۶۵/۰۱/۰۱,مرد,\n");
	run(&r,
	    "--json import registry '%s/employers.csv' '%s/workshops.csv' "
	    "'%s/persons.csv'",
	    workdir, workdir, workdir);
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 6);
	assert_int_equal(json_integer_value(json_object_get(j, "workshops")),
			 2);
	json_decref(j);
	run_free(&r);

	/* A workshop whose employer is unknown, a bad national code and a bad
	 * sex: the file is refused whole, each problem with row and field. */
	write_file("bad.csv", "national_code,first_name,last_name,sex\n"
			      "0790419905,فاطمه,حسینی,F\n"
			      "0499370899,علی,رضایی,X\n");
	run(&r, "--json import registry '%s/bad.csv'", workdir);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 0);
	errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(jstr(json_array_get(errs, 0), "code"),
			    "natcode_checksum");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(errs, 0), "row")),
			 2);
	assert_string_equal(jstr(json_array_get(errs, 0), "field"),
			    "national_code");
	assert_string_equal(jstr(json_array_get(errs, 1), "code"),
			    "registry_bad_sex");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(errs, 1), "row")),
			 3);
	json_decref(j);
	run_free(&r);

	/* JSON: several kinds in one file, referring to each other. */
	write_file("reg.json",
		   "{\"employers\": [{\"id\": \"0067749828\", \"kind\": "
		   "\"person\", \"name\": \"حسن احمدی\"}],\n"
		   " \"workshops\": [{\"code\": \"2222222222\", \"name\": "
		   "\"کارگاه\", \"employer_id\": \"0067749828\", "
		   "\"hard_harmful\": true}],\n"
		   " \"persons\": [{\"national_code\": \"0650451252\", "
		   "\"first_name\": \"زهرا\", \"last_name\": \"کریمی\", "
		   "\"sex\": \"F\"}],\n"
		   " \"dependants\": [{\"main_insured\": \"0790419904\", "
		   "\"dependant\": \"0650451252\", \"relation\": \"child\", "
		   "\"since\": \"1400/01/01\"}]}\n");
	run(&r, "--json import registry '%s/reg.json'", workdir);
	assert_int_equal(r.status, 0);
	j = parse_json(r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "accepted")), 4);
	json_decref(j);
	run_free(&r);
	write_file("bad.json", "{\"persons\": [{\"national_code\": "
			       "\"0499370899\", \"colour\": 1}]}");
	run(&r, "--json import registry '%s/bad.json'", workdir);
	assert_int_equal(r.status, 1);
	j = parse_json(r.out);
	errs = json_object_get(j, "errors");
	assert_string_equal(jstr(json_array_get(errs, 0), "field"), "colour");
	json_decref(j);
	run_free(&r);

	write_file("ws2.csv", "code,name,employer_id\n"
			      "1111111110,کارگاه,0200203241\n");
	run(&r, "import registry '%s/ws2.csv'", workdir);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "ws2.csv:2"));
	assert_non_null(strstr(r.err, "registry_unknown_employer"));
	run_free(&r);
}

static void test_usage(void **state)
{
	struct run r;

	run(&r, "frobnicate");
	assert_int_equal(r.status, 2);
	run_free(&r);
	run(&r, "--json frobnicate");
	assert_int_equal(r.status, 2);
	json_decref(parse_json(r.out));
	run_free(&r);
	run(&r, "--help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "rules show"));
	run_free(&r);
	run(&r, "--lang xx id check national 1");
	assert_int_equal(r.status, 2);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_national),
		cmocka_unit_test(test_id_sheba_and_legal),
		cmocka_unit_test(test_date_convert),
		cmocka_unit_test(test_rules_show),
		cmocka_unit_test(test_rules_check),
		cmocka_unit_test(test_rules_stack),
		cmocka_unit_test(test_init_and_audit),
		cmocka_unit_test(test_import_registry),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
