/* amanat history / worker statement / employer statement: what the records
 * say of a worker and of a workshop, for people and for scripts. */
#include <string.h>

#include "cli.h"

/* An amount as a person reads it: grouped, in Persian digits under
 * --lang fa. */
static void money(const struct cli *cli, am_money m, char *out)
{
	am_money_format(m, true, cli->lang == AM_LANG_FA, out);
}

/* A period or a date as a person reads it ("" when none). */
static const char *period_text(struct cli *cli, struct am_period p)
{
	char t[AM_DATE_FMT_MAX];

	am_view_period_text(p, t);
	return cli_digits(cli, am_arena_strdup(&cli->arena, t));
}

static const char *date_text(struct cli *cli, am_date d)
{
	char t[AM_DATE_FMT_MAX];

	am_view_date_text(d, t);
	return cli_digits(cli, am_arena_strdup(&cli->arena, t));
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
		return cli_usage(cli, "history",
				 CLI_TR(cli, "expected a national code",
					"کد ملی لازم است"));
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

		cli_printf(cli,
			   fa ? "سابقهٔ %s: %lld روز در %lld ماه\n"
			      : "history of %s: %lld days credited in %lld "
				"months\n",
			   cli_digits(cli, nc), (long long)h.credited_days,
			   (long long)h.credited_months);
		cli_printf(cli, "%-8s %-10s %4s %16s %14s %14s %s\n",
			   fa ? "ماه" : "period", fa ? "کارگاه" : "workshop",
			   fa ? "روز" : "days",
			   fa ? "دستمزد مشمول" : "subject wage",
			   fa ? "سهم بیمه‌شده" : "insured 7%",
			   fa ? "سهم کارفرما" : "employer",
			   fa ? "یادداشت" : "note");
		for (size_t i = 0; i < h.nmonths; i++) {
			const struct am_history_month *m = &h.months[i];
			char w[AM_MONEY_FMT_MAX], ins[AM_MONEY_FMT_MAX],
				emp[AM_MONEY_FMT_MAX];

			money(cli, m->subject_wage, w);
			money(cli, m->insured, ins);
			money(cli, m->employer, emp);
			cli_printf(cli, "%-8s %-10s %4d %16s %14s %14s %s\n",
				   period_text(cli, m->period),
				   cli_digits(cli, m->workshop), m->days, w,
				   ins, emp,
				   m->migrated ? (fa ? "منتقل‌شده"
						     : "migrated")
					       : "");
		}
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}

/*
 * The names on a worker statement: the registry's once, then under each
 * report those the employer wrote, with a mark on the ones that are not
 * the registry's (a wrong name is an error the worker must catch).
 */

static const char *name_or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "first name X, last name Y, father's name Z" */
static void names_text(struct cli *cli, const struct am_names *n)
{
	cli_printf(cli,
		   CLI_TR(cli, "first name %s, last name %s, father's name %s",
			  "نام %s، نام خانوادگی %s، نام پدر %s"),
		   name_or_dash(n->first_name), name_or_dash(n->last_name),
		   name_or_dash(n->father_name));
}

static void registry_line(struct cli *cli, const struct am_names *n)
{
	cli_printf(cli, CLI_TR(cli, "  in the registry: ", "  در ثبت اشخاص: "));
	if (n->first_name || n->last_name)
		names_text(cli, n);
	else
		cli_printf(cli, CLI_TR(cli, "not registered", "ثبت نشده است"));
	cli_printf(cli, "\n");
}

static const char *name_label(struct cli *cli, unsigned bit)
{
	switch (bit) {
	case AM_NAME_FIRST:
		return CLI_TR(cli, "first name", "نام");
	case AM_NAME_LAST:
		return CLI_TR(cli, "last name", "نام خانوادگی");
	default:
		return CLI_TR(cli, "father's name", "نام پدر");
	}
}

static void reported_line(struct cli *cli, const struct am_worker_report *r)
{
	bool first = true;

	cli_printf(cli,
		   CLI_TR(cli, "    names on the list: ", "    نام در لیست: "));
	if (!r->names_kept) {
		cli_printf(
			cli,
			CLI_TR(cli,
			       "not kept (posted before the lists' "
			       "names were kept)\n",
			       "نگه داشته نشده است (لیست پیش از "
			       "نگه‌داری نام‌ها ثبت شده است)\n"));
		return;
	}
	names_text(cli, &r->reported);
	for (unsigned bit = AM_NAME_FIRST; bit <= AM_NAME_FATHER; bit <<= 1) {
		if (!(r->name_differs & bit))
			continue;
		cli_printf(cli, "%s%s",
			   first ? CLI_TR(cli,
					  "  <-- differs from the registry: ",
					  "  ← مغایرت با ثبت اشخاص: ")
				 : CLI_TR(cli, ", ", "، "),
			   name_label(cli, bit));
		first = false;
	}
	cli_printf(cli, "\n");
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
				 CLI_TR(cli,
					"expected a national code and a period",
					"کد ملی و ماه لازم است"));
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

		cli_printf(cli,
			   fa ? "گزارش کارفرمایان دربارهٔ %s در %s:\n"
			      : "what employers reported for %s in %s:\n",
			   cli_digits(cli, nc), cli_digits(cli, ptext));
		if (!n)
			cli_printf(cli,
				   fa ? "  هیچ کارفرمایی برای این ماه گزارشی "
					"نداده است\n"
				      : "  no employer reported this month\n");
		else
			registry_line(cli, &rep[0].registry);
		for (size_t i = 0; i < n; i++) {
			char w[AM_MONEY_FMT_MAX], t[AM_MONEY_FMT_MAX];

			money(cli, rep[i].subject_wage, w);
			money(cli, rep[i].total_pay, t);
			cli_printf(cli,
				   fa ? "  کارگاه %s: %d روز، دستمزد مشمول %s "
					"ریال، کل پرداختی %s ریال، شغل %s %s\n"
				      : "  workshop %s: %d days, subject wage "
					"%s rial, total pay %s rial, job %s "
					"%s\n",
				   cli_digits(cli, rep[i].workshop),
				   rep[i].days, w, t,
				   rep[i].job_code && *rep[i].job_code
					   ? cli_digits(cli, rep[i].job_code)
					   : "-",
				   rep[i].occupation ? rep[i].occupation : "");
			if (!rep[i].migrated)
				reported_line(cli, &rep[i]);
		}
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}

/* An entry's kind as a clerk names it (the JSON keeps the ledger's
 * word, am_txn_kind_name()). */
static const char *kind_label(struct cli *cli, const char *kind)
{
	static const struct {
		const char *name, *fa;
	} kinds[] = {
		{ "assessment", "حق‌بیمهٔ لیست" },
		{ "reversal", "برگشت اصلاحیه" },
		{ "payment", "پرداخت" },
		{ "penalty", "جریمه" },
	};

	if (cli->lang != AM_LANG_FA)
		return kind;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].name))
			return kinds[i].fa;
	return kind;
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
				 CLI_TR(cli, "expected a workshop code",
					"کد کارگاه لازم است"));
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

		money(cli, es.balance, bal);
		money(cli, es.assessed, as);
		money(cli, es.paid, pd);
		money(cli, es.penalties, pen);
		cli_printf(cli,
			   fa ? "صورت‌حساب کارگاه %s\n"
			      : "statement of workshop %s\n",
			   cli_digits(cli, code));
		cli_printf(cli, "%-6s %-12s %-8s %16s %16s %-10s %s\n",
			   fa ? "ردیف" : "entry", fa ? "نوع" : "kind",
			   fa ? "ماه" : "period", fa ? "بدهکار" : "debit",
			   fa ? "بستانکار" : "credit", fa ? "سررسید" : "due",
			   fa ? "مرجع" : "reference");
		for (size_t i = 0; i < es.nentries; i++) {
			const struct am_ledger_entry *e = &es.entries[i];
			char db[AM_MONEY_FMT_MAX], cr[AM_MONEY_FMT_MAX];

			money(cli, e->debit, db);
			money(cli, e->credit, cr);
			cli_printf(cli,
				   "%-6lld %-12s %-8s %16s %16s %-10s %s\n",
				   (long long)e->id, kind_label(cli, e->kind),
				   period_text(cli, e->period), db, cr,
				   date_text(cli, e->due_date),
				   e->reference ? e->reference : "");
		}
		/* A reversal undoes an assessment: it is not a payment. */
		cli_printf(
			cli,
			fa ? "حق بیمهٔ تعیین‌شده (پس از اصلاحیه‌ها) %s، "
			     "پرداختی %s، جریمه %s، مانده بدهی کارگاه %s "
			     "ریال\n"
			   : "assessed (net of amendments) %s, paid %s, "
			     "penalties %s, due (owed by the workshop) %s "
			     "rial\n",
			as, pd, pen, bal);
	}
	am_buf_release(&b);
	am_arena_release(&a);
	return err ? cli_fail(cli, err, NULL) : CLI_OK;
}
