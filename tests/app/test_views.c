/* The views' JSON (src/app/views.c): each parses, carries its keys with
 * the values given, writes an absent string or date as "", escapes text,
 * and stops at the buffer's cap with AM_ETOO_LONG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/views.h"

static json_t *parse(const struct am_buf *b)
{
	json_error_t e;
	json_t *j = json_loadb(b->buf, b->len, 0, &e);

	if (!j)
		fail_msg("not JSON (%s): %s", e.text, b->buf);
	return j;
}

static json_int_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void test_history(void **state)
{
	struct am_history_month m[2] = {
		{ .period = { 1402, 12 },
		  .workshop = "5555555555",
		  .days = 29,
		  .subject_wage = 60000000,
		  .base = 60000000,
		  .migrated = true },
		{ .period = { 1403, 7 },
		  .workshop = "1234567890",
		  .list_no = "01",
		  .days = 30,
		  .subject_wage = 90000000,
		  .base = 90000000,
		  .insured = 6300000,
		  .employer = 18000000,
		  .state = 2700000,
		  .unemployment = 2700000,
		  .hard_harmful = 3600000,
		  .hard_harmful_days = 30 },
	};
	struct am_history h = { .credited_days = 59,
				.credited_months = 2,
				.nmonths = 2,
				.months = m };
	struct am_buf b;
	json_t *j, *months, *x;

	(void)state;
	am_buf_init(&b, 0);
	assert_int_equal(am_history_json("0499370899", &h, &b), 0);
	j = parse(&b);
	assert_string_equal(text(j, "national_code"), "0499370899");
	assert_int_equal(num(j, "credited_days"), 59);
	assert_int_equal(num(j, "credited_months"), 2);
	months = json_object_get(j, "months");
	assert_int_equal(json_array_size(months), 2);
	x = json_array_get(months, 0);
	assert_string_equal(text(x, "period"), "1402/12");
	assert_string_equal(text(x, "list_no"), "");
	assert_true(json_is_true(json_object_get(x, "migrated")));
	x = json_array_get(months, 1);
	assert_int_equal(num(x, "insured_share"), 6300000);
	assert_int_equal(num(x, "employer_share"), 18000000);
	assert_int_equal(num(x, "state_share"), 2700000);
	assert_int_equal(num(x, "unemployment"), 2700000);
	assert_int_equal(num(x, "hard_harmful"), 3600000);
	assert_int_equal(num(x, "hard_harmful_days"), 30);
	assert_true(json_is_false(json_object_get(x, "migrated")));
	json_decref(j);
	am_buf_release(&b);
}

static void test_worker(void **state)
{
	struct am_worker_report r = {
		.workshop = "1234567890",
		.list_no = "01",
		.days = 31,
		.daily_wage = 3463656,
		.monthly_wage = 107373336,
		.subject_wage = 107373336,
		.total_pay = 120000000,
		.job_code = NULL,
		.occupation = "صاف\"کار",
		.start_date = 19922,
		.end_date = AM_DATE_NONE,
		.reported = { "علی", "رضائی", NULL },
		.names_kept = true,
		.registry = { "علی", "کریمی", "حسن" },
		.name_differs = AM_NAME_LAST | AM_NAME_FATHER,
	};
	struct am_buf b;
	json_t *j, *x, *d;

	(void)state;
	am_buf_init(&b, 0);
	assert_int_equal(am_worker_statement_json("0499370899",
						  (struct am_period){ 1404, 1 },
						  &r, 1, &b),
			 0);
	j = parse(&b);
	assert_string_equal(text(j, "period"), "1404/01");
	x = json_array_get(json_object_get(j, "reports"), 0);
	assert_int_equal(num(x, "daily_wage"), 3463656);
	assert_int_equal(num(x, "total_pay"), 120000000);
	assert_string_equal(text(x, "job_code"), "");
	assert_string_equal(text(x, "occupation"), "صاف\"کار");
	assert_string_equal(text(x, "start_date"), "1403/04/28");
	assert_string_equal(text(x, "end_date"), "");
	/* The names: the registry's once, the list's on each report, and
	 * the keys of those that differ, in the order of the names. */
	assert_string_equal(text(json_object_get(j, "registry"), "last_name"),
			    "کریمی");
	assert_string_equal(text(json_object_get(x, "reported"), "last_name"),
			    "رضائی");
	assert_string_equal(text(json_object_get(x, "reported"), "father_name"),
			    "");
	d = json_object_get(x, "name_differs");
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(json_string_value(json_array_get(d, 0)),
			    "last_name");
	assert_string_equal(json_string_value(json_array_get(d, 1)),
			    "father_name");
	json_decref(j);
	/* Names not kept, a person not registered: null; none differ: []. */
	r.names_kept = false;
	r.reported = (struct am_names){ NULL, NULL, NULL };
	r.registry = (struct am_names){ NULL, NULL, NULL };
	r.name_differs = 0;
	am_buf_clear(&b);
	assert_int_equal(am_worker_statement_json("0499370899",
						  (struct am_period){ 1404, 1 },
						  &r, 1, &b),
			 0);
	j = parse(&b);
	x = json_array_get(json_object_get(j, "reports"), 0);
	assert_true(json_is_null(json_object_get(j, "registry")));
	assert_true(json_is_null(json_object_get(x, "reported")));
	assert_int_equal(json_array_size(json_object_get(x, "name_differs")),
			 0);
	assert_true(json_is_array(json_object_get(x, "name_differs")));
	json_decref(j);
	/* No report: an empty list. */
	am_buf_clear(&b);
	assert_int_equal(am_worker_statement_json("0499370899",
						  (struct am_period){ 1404, 1 },
						  NULL, 0, &b),
			 0);
	j = parse(&b);
	assert_int_equal(json_array_size(json_object_get(j, "reports")), 0);
	json_decref(j);
	am_buf_release(&b);
}

static void test_employer(void **state)
{
	struct am_ledger_entry e[3] = {
		{ .id = 1,
		  .txn = 1,
		  .kind = "assessment",
		  .period = { 1403, 7 },
		  .debit = 700,
		  .value_date = 19900,
		  .due_date = 19950 },
		{ .id = 2,
		  .txn = 2,
		  .kind = "reversal",
		  .period = { 1403, 7 },
		  .credit = 700,
		  .value_date = 19910,
		  .due_date = AM_DATE_NONE },
		{ .id = 9,
		  .txn = 9,
		  .kind = "payment",
		  .period = { 1403, 7 },
		  .credit = 200,
		  .value_date = 19920,
		  .due_date = AM_DATE_NONE,
		  .reference = "BANK-1" },
	};
	struct am_employer_statement st = { .nentries = 3, .entries = e };
	struct am_buf b;
	json_t *j, *x;

	(void)state;
	assert_int_equal(am_ledger_statement_totals(&st), 0);
	am_buf_init(&b, 0);
	assert_int_equal(am_employer_statement_json("1234567890", &st, &b), 0);
	j = parse(&b);
	assert_int_equal(num(j, "assessed"), 0);
	assert_int_equal(num(j, "paid"), 200);
	assert_int_equal(num(j, "penalties"), 0);
	assert_int_equal(num(j, "due"), -200);
	assert_int_equal(num(j, "balance"), -200);
	assert_int_equal(num(j, "debit"), 700);
	assert_int_equal(num(j, "credit"), 900);
	assert_int_equal(json_array_size(json_object_get(j, "entries")), 3);
	x = json_array_get(json_object_get(j, "entries"), 2);
	assert_string_equal(text(x, "kind"), "payment");
	assert_string_equal(text(x, "reference"), "BANK-1");
	assert_string_equal(text(x, "due_date"), "");
	x = json_array_get(json_object_get(j, "entries"), 0);
	assert_string_equal(text(x, "reference"), "");
	assert_string_equal(text(x, "period"), "1403/07");
	json_decref(j);
	am_buf_release(&b);

	/* A cap too small: refused, whatever was written. */
	am_buf_init(&b, 40);
	assert_int_equal(am_employer_statement_json("1234567890", &st, &b),
			 AM_ETOO_LONG);
	am_buf_release(&b);
}

/* Absent periods and dates are "", present ones Jalali with ASCII digits. */
static void test_texts(void **state)
{
	char out[AM_DATE_FMT_MAX];

	(void)state;
	am_view_period_text((struct am_period){ 0, 0 }, out);
	assert_string_equal(out, "");
	am_view_period_text((struct am_period){ 1404, 1 }, out);
	assert_string_equal(out, "1404/01");
	am_view_date_text(AM_DATE_NONE, out);
	assert_string_equal(out, "");
	am_view_date_text(19922, out);
	assert_string_equal(out, "1403/04/28");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_worker),
		cmocka_unit_test(test_employer),
		cmocka_unit_test(test_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
