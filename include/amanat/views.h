/* amanat views: what the records say of a worker and of a workshop (a
 * person's history, what employers reported of a worker in a month, a
 * workshop's account), composed from the store's rows, and as JSON, one
 * encoding that the CLI prints with --json and the HTTP API serves. Their
 * keys are a contract: scripts read them, so keys are added, never
 * renamed. */
#ifndef AMANAT_VIEWS_H
#define AMANAT_VIEWS_H

#include <stddef.h>

#include "amanat/buf.h"
#include "amanat/date.h"
#include "amanat/history.h"
#include "amanat/ledger.h"
#include "amanat/store.h"
#include "amanat/wagelist.h"

/*
 * The views (src/app/statements.c), the same on every backend. Each fills
 * a caller struct; arrays and strings come from the arena (released by
 * the caller, all at once). AM_ENOT_FOUND when the subject has nothing at
 * all (no posted line, migrated month or entry); a failure's message is
 * am_store_errmsg(s).
 */

/* A person's history: every posted line of a list still in force and
 * every migrated month, in period, workshop and list order, with the
 * credited days and months (am_history_credit()). */
int am_history_read(struct am_store *s, const char *national_code,
		    struct am_arena *a, struct am_history *out);

/* What employers reported of a worker in a month: the posted lines in
 * workshop and list order, then the migrated months. */
int am_worker_statement_read(struct am_store *s, const char *national_code,
			     struct am_period period, struct am_arena *a,
			     size_t *n, struct am_worker_report **out);

/* A workshop's account: its entries in id order and their totals
 * (am_ledger_statement_totals()). */
int am_employer_statement_read(struct am_store *s, const char *workshop,
			       struct am_arena *a,
			       struct am_employer_statement *out);

/* A posted list of a workshop for a period, read back for an export: the
 * list number (NULL: the lowest posted), header names from the registry,
 * the lines in their original order with the names the registry holds,
 * and in l->t_employer and l->t_unemployment the sums of those shares.
 * l must be initialised (am_wage_list_init); strings go to its arena.
 * AM_ENOT_FOUND when no such list is posted. */
int am_list_read(struct am_store *s, const char *workshop,
		 struct am_period period, const char *list_no,
		 struct am_wage_list *l);

/* The whole ledger: totals and whether every transaction balances
 * (*balanced false when the totals differ or any transaction's do). For
 * the crash test and "audit verify". Any pointer may be NULL. */
int am_ledger_check(struct am_store *s, bool *balanced, int64_t *total_debit,
		    int64_t *total_credit);

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

/* {"national_code", "period", "registry", "reports": [{"workshop",
 * "list_no", "days", "daily_wage", "monthly_wage", "benefits",
 * "subject_wage", "total_pay", "job_code", "occupation", "start_date",
 * "end_date", "migrated", "reported", "name_differs"}]}: "registry" and
 * each "reported" are {"first_name", "last_name", "father_name"} (the
 * registry's names, from the first report: every report has the
 * person's; and those the employer wrote on the line), null when there
 * are none (a person not registered; a migrated month, a line posted
 * before names were kept); "name_differs" the keys of the reported names
 * that are not the registry's (am_names_differ()), [] when none. */
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
