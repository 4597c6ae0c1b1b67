/* amanat views: what the records say of a worker and of a workshop (a
 * person's history, what employers reported of a worker in a month, a
 * workshop's account) as JSON, one encoding that the CLI prints with
 * --json and the HTTP API serves. Their keys are a contract: scripts read
 * them, so keys are added, never renamed. */
#ifndef AMANAT_VIEWS_H
#define AMANAT_VIEWS_H

#include <stddef.h>

#include "amanat/buf.h"
#include "amanat/date.h"
#include "amanat/history.h"
#include "amanat/ledger.h"

/*
 * Each appends one JSON object to b. Money is in rials (integers), a
 * period "YYYY/MM" and a date "YYYY/MM/DD" (Jalali, ASCII digits), an
 * absent one "". AM_ENOMEM, or AM_ETOO_LONG past b's cap (b then holds a
 * partial object: clear it).
 */

/* A view's period ("YYYY/MM") and date ("YYYY/MM/DD", Jalali), each ""
 * when absent (a period of year 0, AM_DATE_NONE): how every face writes
 * them, in its text and in its JSON. */
void am_view_period_text(struct am_period p, char out[AM_DATE_FMT_MAX]);
void am_view_date_text(am_date d, char out[AM_DATE_FMT_MAX]);

/* {"national_code", "credited_days", "credited_months", "months": [{
 * "period", "workshop", "list_no", "days", "subject_wage", "base",
 * "insured_share", "employer_share", "state_share", "unemployment",
 * "hard_harmful", "hard_harmful_days", "migrated"}]} */
int am_history_json(const char *national_code, const struct am_history *h,
		    struct am_buf *b);

/* {"national_code", "period", "reports": [{"workshop", "list_no", "days",
 * "daily_wage", "monthly_wage", "benefits", "subject_wage", "total_pay",
 * "job_code", "occupation", "start_date", "end_date", "migrated"}]} */
int am_worker_statement_json(const char *national_code, struct am_period period,
			     const struct am_worker_report *r, size_t n,
			     struct am_buf *b);

/* {"workshop", "assessed", "paid", "penalties", "due", "balance",
 * "debit", "credit", "entries": [{"id", "txn", "kind", "period", "debit",
 * "credit", "date", "due_date", "reference"}]}: assessed is net of the
 * reversals of amended lists, due = balance = assessed + penalties - paid
 * (ledger.h). */
int am_employer_statement_json(const char *workshop,
			       const struct am_employer_statement *st,
			       struct am_buf *b);

#endif
