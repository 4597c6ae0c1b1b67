/* amanat history / worker statement / employer statement: what the records
 * say of a worker and of a workshop, for people and for scripts. */
#include <string.h>

#include "cli.h"

static void money(am_money m, char *out)
{
	am_money_format(m, true, false, out);
}

static int open_read(struct cli *cli, struct am_store **s)
{
	int err = am_store_open_flags(cli_read_uri(cli), AM_STORE_OPEN_READONLY,
				      s);

	if (err)
		return cli_fail(cli, err, cli_read_uri(cli));
	return 0;
}

static int check_nc(struct cli *cli, const char *arg, char nc[11])
{
	int err = am_national_code_check(arg, strlen(arg), nc);

	if (err) {
		struct am_diag d;

		am_diag_set(&d, err, NULL, 0, "NATIONAL_CODE", arg, NULL);
		return cli_fail_diag(cli, &d);
	}
	return 0;
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	struct am_history h;
	struct am_store *s;
	struct am_arena a;
	struct am_buf b;
	char nc[11];
	int err;

	if (argc != 1)
		return cli_usage(cli, "history", "expected a national code");
	if ((err = check_nc(cli, argv[0], nc)) || (err = open_read(cli, &s)))
		return err;
	am_arena_init(&a, 0);
	memset(&h, 0, sizeof(h));
	err = am_history_read(s, nc, &a, &h);
	am_store_close(s);
	if (err && err != AM_ENOT_FOUND) {
		am_arena_release(&a);
		return cli_fail(cli, err, nc);
	}
	am_buf_init(&b, 0);
	/* Nothing found is an empty view, not an error. */
	err = 0;
	if (cli->json) {
		err = am_history_json(nc, &h, &b);
		if (!err)
			cli_emit(&b);
	} else {
		bool fa = cli->lang == AM_LANG_FA;

		printf(fa ? "سابقهٔ %s: %lld روز در %lld ماه\n"
			  : "history of %s: %lld days credited in %lld months\n",
		       nc, (long long)h.credited_days,
		       (long long)h.credited_months);
		printf("%-8s %-10s %4s %16s %14s %14s %s\n",
		       fa ? "ماه" : "period", fa ? "کارگاه" : "workshop",
		       fa ? "روز" : "days",
		       fa ? "دستمزد مشمول" : "subject wage",
		       fa ? "سهم بیمه‌شده" : "insured 7%",
		       fa ? "سهم کارفرما" : "employer",
		       fa ? "یادداشت" : "note");
		for (size_t i = 0; i < h.nmonths; i++) {
			const struct am_history_month *m = &h.months[i];
			char per[AM_DATE_FMT_MAX], w[AM_MONEY_FMT_MAX],
				ins[AM_MONEY_FMT_MAX], emp[AM_MONEY_FMT_MAX];

			am_view_period_text(m->period, per);
			money(m->subject_wage, w);
			money(m->insured, ins);
			money(m->employer, emp);
			printf("%-8s %-10s %4d %16s %14s %14s %s\n", per,
			       m->workshop, m->days, w, ins, emp,
			       m->migrated ? (fa ? "منتقل‌شده"
						 : "migrated")
					   : "");
		}
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}

int cmd_worker_statement(struct cli *cli, int argc, char **argv)
{
	struct am_worker_report *rep = NULL;
	struct am_period per;
	struct am_store *s;
	struct am_arena a;
	struct am_buf b;
	char nc[11], ptext[AM_DATE_FMT_MAX];
	size_t n = 0;
	int err;

	if (argc != 2)
		return cli_usage(cli, "worker statement",
				 "expected a national code and a period");
	if ((err = check_nc(cli, argv[0], nc)))
		return err;
	if (am_period_parse(argv[1], strlen(argv[1]), &per) != 0) {
		struct am_diag d;

		am_diag_set(&d, AM_EDATE_SYNTAX, NULL, 0, "PERIOD", argv[1],
			    "1403/07");
		return cli_fail_diag(cli, &d);
	}
	if ((err = open_read(cli, &s)))
		return err;
	am_arena_init(&a, 0);
	err = am_worker_statement_read(s, nc, per, &a, &n, &rep);
	am_store_close(s);
	if (err && err != AM_ENOT_FOUND) {
		am_arena_release(&a);
		return cli_fail(cli, err, nc);
	}
	am_view_period_text(per, ptext);
	am_buf_init(&b, 0);
	/* Nothing found is an empty view, not an error. */
	err = 0;
	if (cli->json) {
		err = am_worker_statement_json(nc, per, rep, n, &b);
		if (!err)
			cli_emit(&b);
	} else {
		bool fa = cli->lang == AM_LANG_FA;

		printf(fa ? "گزارش کارفرمایان دربارهٔ %s در %s:\n"
			  : "what employers reported for %s in %s:\n",
		       nc, ptext);
		if (!n)
			printf(fa ? "  هیچ کارفرمایی برای این ماه گزارشی نداده است\n"
				  : "  no employer reported this month\n");
		for (size_t i = 0; i < n; i++) {
			char w[AM_MONEY_FMT_MAX], t[AM_MONEY_FMT_MAX];

			money(rep[i].subject_wage, w);
			money(rep[i].total_pay, t);
			printf(fa ? "  کارگاه %s: %d روز، دستمزد مشمول %s ریال، "
				    "کل پرداختی %s ریال، شغل %s %s\n"
				  : "  workshop %s: %d days, subject wage %s "
				    "rial, total pay %s rial, job %s %s\n",
			       rep[i].workshop, rep[i].days, w, t,
			       rep[i].job_code && *rep[i].job_code
				       ? rep[i].job_code
				       : "-",
			       rep[i].occupation ? rep[i].occupation : "");
		}
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}

int cmd_employer_statement(struct cli *cli, int argc, char **argv)
{
	struct am_employer_statement es;
	struct am_store *s;
	struct am_arena a;
	struct am_buf b;
	char code[11];
	int err;

	if (argc != 1)
		return cli_usage(cli, "employer statement",
				 "expected a workshop code");
	err = am_workshop_code_check(argv[0], strlen(argv[0]), code);
	if (err) {
		struct am_diag d;

		am_diag_set(&d, err, NULL, 0, "WORKSHOP", argv[0], NULL);
		return cli_fail_diag(cli, &d);
	}
	if ((err = open_read(cli, &s)))
		return err;
	am_arena_init(&a, 0);
	memset(&es, 0, sizeof(es));
	err = am_employer_statement_read(s, code, &a, &es);
	am_store_close(s);
	if (err && err != AM_ENOT_FOUND) {
		am_arena_release(&a);
		return cli_fail(cli, err, code);
	}
	am_buf_init(&b, 0);
	/* Nothing found is an empty view, not an error. */
	err = 0;
	if (cli->json) {
		err = am_employer_statement_json(code, &es, &b);
		if (!err)
			cli_emit(&b);
	} else {
		bool fa = cli->lang == AM_LANG_FA;
		char bal[AM_MONEY_FMT_MAX], as[AM_MONEY_FMT_MAX],
			pd[AM_MONEY_FMT_MAX], pen[AM_MONEY_FMT_MAX];

		money(es.balance, bal);
		money(es.assessed, as);
		money(es.paid, pd);
		money(es.penalties, pen);
		printf(fa ? "صورت‌حساب کارگاه %s\n"
			  : "statement of workshop %s\n",
		       code);
		printf("%-6s %-12s %-8s %16s %16s %-10s %s\n",
		       fa ? "ردیف" : "entry", fa ? "نوع" : "kind",
		       fa ? "ماه" : "period", fa ? "بدهکار" : "debit",
		       fa ? "بستانکار" : "credit", fa ? "سررسید" : "due",
		       fa ? "مرجع" : "reference");
		for (size_t i = 0; i < es.nentries; i++) {
			const struct am_ledger_entry *e = &es.entries[i];
			char per[AM_DATE_FMT_MAX], dd[AM_DATE_FMT_MAX],
				db[AM_MONEY_FMT_MAX], cr[AM_MONEY_FMT_MAX];

			am_view_period_text(e->period, per);
			am_view_date_text(e->due_date, dd);
			money(e->debit, db);
			money(e->credit, cr);
			printf("%-6lld %-12s %-8s %16s %16s %-10s %s\n",
			       (long long)e->id, e->kind, per, db, cr, dd,
			       e->reference ? e->reference : "");
		}
		/* A reversal undoes an assessment: it is not a payment. */
		printf(fa ? "حق بیمهٔ تعیین‌شده (پس از اصلاحیه‌ها) %s، پرداختی %s، "
			    "جریمه %s، مانده بدهی کارگاه %s ریال\n"
			  : "assessed (net of amendments) %s, paid %s, "
			    "penalties %s, due (owed by the workshop) %s rial\n",
		       as, pd, pen, bal);
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}
