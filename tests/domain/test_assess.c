/* Assessment of wage lines against the real rules (rules/ir): the period's
 * parameters, and the golden shares of tests/data/assess.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/rules.h"
#include "amanat/assess.h"
#include "amanat/formats.h"

static struct am_rules *rules;

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int setup(void **state)
{
	struct am_diags ds;
	struct am_buf b;

	(void)state;
	am_diags_init(&ds, 0);
	if (am_rules_load_dir(env_or("AMANAT_RULES", "rules/ir"), &rules,
			      &ds) != 0) {
		am_buf_init(&b, 0);
		for (size_t i = 0; i < ds.nr; i++) {
			am_buf_clear(&b);
			am_diag_format(&ds.items[i], AM_LANG_EN, &b);
			printf("    %s\n", b.buf);
		}
		am_buf_release(&b);
		am_diags_release(&ds);
		return -1;
	}
	am_diags_release(&ds);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	am_rules_free(rules);
	return 0;
}

static void load(int year, int month, struct am_assess_params *p)
{
	struct am_period per = { year, month };
	struct am_diag d;
	int err = am_assess_params_load(rules, per, p, &d);

	if (err)
		fail_msg("params %d/%d: %s (%s %s)", year, month,
			 am_error_id(err), d.field, d.value);
}

static am_date jalali(int y, int m, int d)
{
	am_date out = 0;

	assert_int_equal(am_jalali_to_date(y, m, d, &out), 0);
	return out;
}

static void test_params_1403_mehr(void **state)
{
	struct am_assess_params p;

	(void)state;
	load(1403, 7, &p);
	assert_int_equal(p.period.year, 1403);
	assert_int_equal(p.period.month, 7);
	assert_int_equal(p.first_day, jalali(1403, 7, 1));
	assert_int_equal(p.last_day, jalali(1403, 7, 30));
	assert_int_equal(p.month_days, 30);
	assert_true(am_rate_eq(p.insured, (struct am_rate){ 7, 100 }));
	assert_true(am_rate_eq(p.employer, (struct am_rate){ 20, 100 }));
	assert_true(am_rate_eq(p.state, (struct am_rate){ 3, 100 }));
	assert_true(am_rate_eq(p.unemployment, (struct am_rate){ 3, 100 }));
	assert_true(am_rate_eq(p.hard_harmful, (struct am_rate){ 4, 100 }));
	assert_true(p.exempt_state_pays_employer);
	assert_true(p.exempt_pays_unemployment);
	assert_int_equal(p.min_daily, 2388728);
	assert_int_equal(p.ceiling_daily, 16721096);
	assert_int_equal(p.rounding, AM_ROUND_HALF_UP);
	assert_int_equal(p.bime_tolerance, 1);
	assert_int_equal(p.max_days, 31);
	assert_int_equal(p.kind, 0);
	assert_int_equal(strlen(p.rules_identity), 64);
	assert_string_equal(p.rules_identity, am_rules_identity(rules));
}

static void test_params_month_lengths(void **state)
{
	struct am_assess_params p;

	(void)state;
	load(1403, 1, &p);
	assert_int_equal(p.month_days, 31);
	load(1403, 6, &p);
	assert_int_equal(p.month_days, 31);
	load(1403, 12, &p); /* 1403 is leap: Esfand has 30 days */
	assert_int_equal(p.month_days, 30);
	assert_int_equal(p.last_day, jalali(1403, 12, 30));
	load(1404, 12, &p);
	assert_int_equal(p.month_days, 29);
	assert_int_equal(p.min_daily, 3463656);
	assert_int_equal(p.ceiling_daily, 24245592);
}

static void test_params_errors(void **state)
{
	struct am_assess_params p, before;
	struct am_diag d;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	before = p;
	assert_int_equal(am_assess_params_load(
				 rules, (struct am_period){ 1403, 13 }, &p, &d),
			 AM_EWAGE_PERIOD_RANGE);
	assert_string_equal(d.field, "DSK_MM");
	assert_string_equal(d.value, "13");
	assert_string_equal(d.expected, "1..12");
	assert_int_equal(am_assess_params_load(rules,
					       (struct am_period){ 1403, 0 },
					       &p, NULL),
			 AM_EWAGE_PERIOD_RANGE);
	/* The rules end with 1404: no value is carried forward. */
	assert_int_equal(am_assess_params_load(
				 rules, (struct am_period){ 1405, 1 }, &p, &d),
			 AM_ERULES_NO_VALUE);
	assert_string_equal(d.field, "wage.minimum.daily");
	assert_int_equal(am_assess_params_load(
				 rules, (struct am_period){ 5000, 1 }, &p, &d),
			 AM_EDATE_YEAR_RANGE);
	assert_string_equal(d.field, "DSK_YY");
	assert_memory_equal(&p, &before, sizeof(p));
}

/* A year the rules do not cover: every parameter it lacks, once each,
 * as the lookup names it; none for a year they cover. */
static void test_params_missing(void **state)
{
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(am_assess_params_missing(
				 rules, (struct am_period){ 1405, 7 }, &ds),
			 2);
	assert_int_equal(ds.nr, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(ds.items[i].code, AM_ERULES_NO_VALUE);
		assert_string_equal(ds.items[i].value, "1405/07/01");
		assert_non_null(strstr(ds.items[i].file, "wages.yaml"));
		assert_true(ds.items[i].line > 0);
	}
	assert_string_equal(ds.items[0].field, "wage.minimum.daily");
	assert_string_equal(ds.items[1].field, "wage.ceiling.daily");
	am_diags_clear(&ds);
	assert_int_equal(am_assess_params_missing(
				 rules, (struct am_period){ 1404, 12 }, &ds),
			 0);
	assert_int_equal(am_assess_params_missing(
				 rules, (struct am_period){ 1404, 13 }, &ds),
			 0);
	assert_int_equal(ds.nr, 0);
	am_diags_release(&ds);
}

struct golden {
	char rule[64];
	int year, month, days, hh;
	long long subject;
	char terms[16];
	long long want[7];
};

static int parse_golden(char *line, struct golden *g)
{
	char *hash = strstr(line, "  #");
	int n;

	if (hash)
		*hash = '\0';
	n = sscanf(line,
		   "%63s %d/%d %d %lld %d %15s => %lld %lld %lld %lld %lld "
		   "%lld %lld",
		   g->rule, &g->year, &g->month, &g->days, &g->subject, &g->hh,
		   g->terms, &g->want[0], &g->want[1], &g->want[2], &g->want[3],
		   &g->want[4], &g->want[5], &g->want[6]);
	return n == 14 ? 0 : -1;
}

static int check_golden(unsigned lineno, const struct golden *g)
{
	struct am_assess_params p;
	struct am_workshop_terms t = { 0 };
	struct am_wage_line w = { 0 };
	struct am_line_assessment a;
	long long got[7];
	int err;

	load(g->year, g->month, &p);
	t.hard_harmful = strstr(g->terms, "hh") != NULL;
	t.small_exempt = strstr(g->terms, "ex") != NULL;
	w.row = lineno;
	w.days = g->days;
	w.subject_wage = g->subject;
	w.hard_harmful_days = g->hh;
	err = am_wage_line_assess(&p, &t, &w, &a);
	if (err) {
		printf("    line %u (%s): error %s\n", lineno, g->rule,
		       am_error_id(err));
		return 1;
	}
	got[0] = a.base;
	got[1] = a.insured;
	got[2] = a.employer;
	got[3] = a.state;
	got[4] = a.unemployment;
	got[5] = a.hard_harmful;
	got[6] = a.hard_harmful_days;
	if (memcmp(got, g->want, sizeof(got)) != 0) {
		printf("    line %u (%s): expected", lineno, g->rule);
		for (int i = 0; i < 7; i++)
			printf(" %lld", g->want[i]);
		printf(", got");
		for (int i = 0; i < 7; i++)
			printf(" %lld", got[i]);
		printf("\n");
		return 1;
	}
	/* The parameters keep the unemployment share with the employer. */
	if (a.unemployment_by_state) {
		printf("    line %u: unemployment_by_state set\n", lineno);
		return 1;
	}
	return 0;
}

static void test_golden(void **state)
{
	static const char *const rule_ids[] = {
		"ir.contribution.art28",
		"ir.contribution.art76",
		"ir.contribution.small_exempt",
		"ir.contribution.rounding",
		"ir.wage.minimum",
		"ir.wage.ceiling",
		"ir.wagelist.days",
	};
	unsigned seen[sizeof(rule_ids) / sizeof(rule_ids[0])] = { 0 };
	unsigned lineno = 0, cases = 0, failed = 0;
	char path[1024], line[1024];
	struct golden g;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/assess.txt",
		 env_or("AMANAT_TESTDATA", "tests/data"));
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		cases++;
		if (parse_golden(line, &g) != 0) {
			printf("    line %u: cannot parse\n", lineno);
			failed++;
			continue;
		}
		for (size_t i = 0; i < sizeof(rule_ids) / sizeof(rule_ids[0]);
		     i++)
			if (strcmp(g.rule, rule_ids[i]) == 0)
				seen[i]++;
		failed += (unsigned)check_golden(lineno, &g);
	}
	fclose(f);
	printf("    %u golden assessments, %u failed\n", cases, failed);
	assert_int_equal(failed, 0);
	assert_true(cases >= 25);
	/* Every rule the code cites has a case. */
	for (size_t i = 0; i < sizeof(rule_ids) / sizeof(rule_ids[0]); i++)
		if (!seen[i])
			fail_msg("no golden case for %s", rule_ids[i]);
}

/* contribution.small_exempt.unemployment_paid_by_employer (confidence U)
 * decides who pays the 3%, not how much it is. */
static void test_exempt_unemployment_switch(void **state)
{
	struct am_assess_params p;
	struct am_workshop_terms ex = { .small_exempt = true }, plain = { 0 };
	struct am_wage_line w = { .days = 30, .subject_wage = 100000000 };
	struct am_line_assessment a;

	(void)state;
	load(1403, 7, &p);
	p.exempt_pays_unemployment = false;
	assert_int_equal(am_wage_line_assess(&p, &ex, &w, &a), 0);
	assert_true(a.unemployment_by_state);
	assert_int_equal(a.unemployment, 3000000);
	assert_int_equal(a.employer, 0);
	assert_int_equal(a.state, 23000000);
	assert_int_equal(am_wage_line_assess(&p, &plain, &w, &a), 0);
	assert_false(a.unemployment_by_state);
	assert_int_equal(a.employer, 20000000);
	/* An employer_share_payer of "employer": the exemption moves
	 * nothing. */
	p.exempt_state_pays_employer = false;
	assert_int_equal(am_wage_line_assess(&p, &ex, &w, &a), 0);
	assert_int_equal(a.employer, 20000000);
	assert_int_equal(a.state, 3000000);
}

static void test_fill(void **state)
{
	struct am_assess_params p;
	struct am_wage_line w = { 0 };

	(void)state;
	load(1403, 7, &p);
	w.days = 30;
	w.daily_wage = 3000000;
	w.benefits = 20000000;
	assert_int_equal(am_wage_line_fill(&p, &w), 0);
	assert_int_equal(w.monthly_wage, 90000000);
	assert_int_equal(w.subject_wage, 110000000);
	assert_int_equal(w.insured_share, 7700000);
	/* Over the ceiling: 30 × 16721096 = 501632880; 7% = 35114301.6. */
	w.daily_wage = 16000000;
	w.benefits = 50000000;
	assert_int_equal(am_wage_line_fill(&p, &w), 0);
	assert_int_equal(w.monthly_wage, 480000000);
	assert_int_equal(w.subject_wage, 501632880);
	assert_int_equal(w.insured_share, 35114302);
	/* 0 days: nothing subject, nothing due. */
	w.days = 0;
	assert_int_equal(am_wage_line_fill(&p, &w), 0);
	assert_int_equal(w.monthly_wage, 0);
	assert_int_equal(w.subject_wage, 0);
	assert_int_equal(w.insured_share, 0);
}

static void test_overflow(void **state)
{
	struct am_assess_params p;
	struct am_workshop_terms t = { 0 };
	struct am_wage_line w = { .days = 30, .subject_wage = 1 };
	struct am_line_assessment a, before;

	(void)state;
	load(1403, 7, &p);
	p.min_daily = INT64_MAX / 10;
	memset(&a, 0x33, sizeof(a));
	before = a;
	assert_int_equal(am_wage_line_assess(&p, &t, &w, &a),
			 AM_EMONEY_OVERFLOW);
	assert_memory_equal(&a, &before, sizeof(a));
	w.daily_wage = INT64_MAX / 10;
	assert_int_equal(am_wage_line_fill(&p, &w), AM_EMONEY_OVERFLOW);
	assert_int_equal(w.monthly_wage, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_1403_mehr),
		cmocka_unit_test(test_params_month_lengths),
		cmocka_unit_test(test_params_errors),
		cmocka_unit_test(test_params_missing),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_exempt_unemployment_switch),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
