/* Wage lists built by hand for the tests, assessed at the usual rates on
 * the subject wage (no floor or ceiling: the posting takes the assessment
 * as given). Header-only: static inline, for each test program that posts
 * lists (tests/app/test_posting.c, tests/store/test_copy.c). */
#ifndef AMANAT_TESTS_TESTLIST_H
#define AMANAT_TESTS_TESTLIST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "amanat/assess.h"
#include "amanat/wagelist.h"

#define LINES_MAX 40

struct test_list {
	struct am_wage_list l;
	struct am_wage_line lines[LINES_MAX];
	struct am_line_assessment a[LINES_MAX];
};

static inline void list_init(struct test_list *t, const char *workshop,
			     int year, int month, const char *list_no,
			     uint8_t hash_byte)
{
	memset(t, 0, sizeof(*t));
	t->l.file = "test.csv";
	snprintf(t->l.workshop, sizeof(t->l.workshop), "%s", workshop);
	t->l.period.year = year;
	t->l.period.month = month;
	snprintf(t->l.list_no, sizeof(t->l.list_no), "%s", list_no);
	t->l.lines = t->lines;
	memset(t->l.hash, hash_byte, sizeof(t->l.hash));
}

/* Add a line: days at a daily wage; hh marks hard and harmful work; exempt
 * moves the employer's 20% to the state as the assessment does. */
static inline void list_add(struct test_list *t, const char *code, int days,
			    am_money daily, bool hh, bool exempt)
{
	struct am_wage_line *ln = &t->lines[t->l.nlines];
	struct am_line_assessment *a = &t->a[t->l.nlines];
	am_money wage = daily * days;

	assert_true(t->l.nlines < LINES_MAX);
	memset(ln, 0, sizeof(*ln));
	ln->row = (unsigned)t->l.nlines + 1;
	snprintf(ln->national_code, sizeof(ln->national_code), "%s", code);
	ln->days = days;
	ln->daily_wage = daily;
	ln->monthly_wage = wage;
	ln->subject_wage = wage;
	ln->total_pay = wage + 5000000;
	ln->job_code = "1234";
	ln->occupation = "کارگر ساده";
	ln->start_date = AM_WAGE_DATE_NONE;
	ln->end_date = AM_WAGE_DATE_NONE;
	a->base = wage;
	a->insured = wage * 7 / 100;
	a->employer = exempt ? 0 : wage * 20 / 100;
	a->state = wage * 3 / 100 + (exempt ? wage * 20 / 100 : 0);
	a->unemployment = wage * 3 / 100;
	a->hard_harmful = hh ? wage * 4 / 100 : 0;
	a->hard_harmful_days = hh ? days : 0;
	t->l.nlines++;
}

#endif
