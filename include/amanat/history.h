/* amanat insurance history: a person's months as the wage lists and the
 * migrated records give them, what one employer reported of a worker, and
 * the credited days that decide pensions and benefits. No I/O. */
#ifndef AMANAT_HISTORY_H
#define AMANAT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/date.h"
#include "amanat/money.h"
#include "amanat/registry.h"

/* One migrated month of a person's history (from the system before):
 * given, not assessed; counted in credited days. */
struct am_history_row {
	const char *national_code;
	struct am_period period;
	const char *workshop;
	int days;
	am_money subject_wage;
	int hard_harmful_days;
};

/* One month record of a person: a line of a posted list, or a migrated
 * month (migrated, shares 0, list_no ""). */
struct am_history_month {
	struct am_period period;
	char workshop[11];
	char list_no[13];
	int days;
	am_money subject_wage; /* as reported (migrated: as given) */
	am_money base;	       /* as assessed (migrated: subject_wage) */
	am_money insured, employer, state, unemployment, hard_harmful;
	int hard_harmful_days;
	bool migrated;
};

struct am_history {
	/* Days credited (am_history_credit()): per month, the days of all
	 * its records, capped at the month's length (concurrent jobs do not
	 * add up). */
	int64_t credited_days;
	int64_t credited_months; /* months with at least one credited day */
	size_t nmonths;		 /* records, in period order, then workshop */
	struct am_history_month *months;
};

/* Fill h->credited_days and h->credited_months from h->months, which are
 * in period order: per month, the days of its records capped at the
 * month's length (two jobs in one month do not count twice). */
void am_history_credit(struct am_history *h);

/* What one employer reported of a worker for one month. */
struct am_worker_report {
	char workshop[11];
	char list_no[13];
	int days;
	am_money daily_wage;
	am_money monthly_wage;
	am_money benefits;
	am_money subject_wage;
	am_money total_pay;
	const char *job_code;	/* NULL when none */
	const char *occupation; /* NULL when none */
	am_date start_date;	/* AM_DATE_NONE when none */
	am_date end_date;	/* AM_DATE_NONE when none */
	bool migrated;		/* from "import history": wage and days only */
	/* The names the employer wrote on the line (DSW_FNAME, DSW_LNAME,
	 * DSW_DNAME): all NULL for a migrated month and for a line posted
	 * before the lists kept them (names_kept false). */
	struct am_names reported;
	bool names_kept;
	/* The registry's names of the person, the same on every report (all
	 * NULL when the person is not registered), and the AM_NAME_ bits of
	 * the reported names that are not those (am_names_differ()). */
	struct am_names registry;
	unsigned name_differs;
};

#endif
