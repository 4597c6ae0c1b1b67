/* amanat db copy: a whole database moved to another storage backend
 * (SQLite to PostgreSQL and back), checked against its source. */
#include <string.h>

#include "cli.h"

/* The copy's stages on one progress line each: the rows copied (all
 * tables, counted), the index merged, the rows read back, the histories
 * compared. */
struct bar {
	struct am_progress p;
	const char *stage; /* the stage drawn (the store's), or NULL */
	uint64_t base;	   /* rows of the stage's tables done before */
	uint64_t copied;   /* rows copied: what "verify" reads back */
	bool fa;
};

static const char *stage_label(const char *stage, bool fa)
{
	if (!strcmp(stage, "copy"))
		return fa ? "رونوشت" : "copy";
	if (!strcmp(stage, "index"))
		return fa ? "نمایه" : "index";
	if (!strcmp(stage, "verify"))
		return fa ? "بررسی" : "verify";
	if (!strcmp(stage, "histories"))
		return fa ? "سوابق" : "histories";
	return stage;
}

static void on_progress(void *ctx, const struct am_copy_progress *cp)
{
	struct bar *b = ctx;

	if (!b->stage || strcmp(b->stage, cp->stage) != 0) {
		uint64_t total = cp->total;

		if (b->stage)
			am_progress_finish(&b->p);
		if (!strcmp(cp->stage, "copy"))
			total = 0;
		else if (!strcmp(cp->stage, "verify"))
			total = b->copied;
		b->stage = cp->stage;
		b->base = 0;
		am_progress_start(&b->p, stage_label(cp->stage, b->fa), total);
		b->p.persian = b->fa;
	}
	am_progress_update(&b->p, b->base + cp->done);
	if (cp->finished && cp->table) {
		b->base += cp->done;
		if (!strcmp(cp->stage, "copy"))
			b->copied += cp->done;
	}
}

static void hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static int copy_json(const char *from, const char *to,
		     const struct am_copy_report *r, struct am_buf *b)
{
	char head[2 * AM_AUDIT_HASH_SIZE + 1];
	int err = am_buf_addch(b, '{');

	hex(r->audit_head, sizeof(r->audit_head), head);
	err = err ? err : cli_json_str(b, "from", from, true);
	err = err ? err : cli_json_str(b, "to", to, false);
	err = err ? err : am_buf_adds(b, ",\"tables\":{");
	for (size_t i = 0; !err && i < r->ntables; i++)
		err = am_buf_addf(b, "%s\"%s\":%lld", i ? "," : "",
				  r->tables[i].name,
				  (long long)r->tables[i].rows);
	err = err ? err
		  : am_buf_addf(b,
				"},\"lines_indexed\":%lld,\"histories\":%lld"
				",\"audit_entries\":%llu",
				(long long)r->lines_indexed,
				(long long)r->histories,
				(unsigned long long)r->audit_entries);
	err = err ? err
		  : cli_json_str(b, "audit_head", r->audit_entries ? head : "",
				 false);
	err = err ? err
		  : am_buf_addf(b,
				",\"ledger_debit\":%lld,\"ledger_credit\":%lld"
				",\"seconds\":{\"copy\":%.3f,\"verify\":%.3f"
				",\"histories\":%.3f,\"vacuum\":%.3f}"
				",\"verified\":%s}",
				(long long)r->ledger_debit,
				(long long)r->ledger_credit, r->copy_seconds,
				r->verify_seconds, r->history_seconds,
				r->after_load_seconds,
				r->verified ? "true" : "false");
	return err;
}

static void copy_text(struct cli *cli, const char *from, const char *to,
		      const struct am_copy_report *r)
{
	bool fa = cli->lang == AM_LANG_FA;
	char head[2 * AM_AUDIT_HASH_SIZE + 1];
	char debit[AM_MONEY_FMT_MAX];

	hex(r->audit_head, sizeof(r->audit_head), head);
	am_money_format(r->ledger_debit, true, fa, debit);
	cli_printf(cli, fa ? "رونوشت %s ← %s\n" : "copied %s -> %s\n",
		   fa ? to : from, fa ? from : to);
	cli_printf(cli, "  %-18s %12s\n", fa ? "جدول" : "table",
		   fa ? "ردیف" : "rows");
	for (size_t i = 0; i < r->ntables; i++)
		cli_printf(cli, "  %-18s %12lld\n", r->tables[i].name,
			   (long long)r->tables[i].rows);
	cli_printf(cli,
		   fa ? "  نمایهٔ بیمه‌شدگان: %lld سطر\n"
		      : "  by-person index: %lld lines\n",
		   (long long)r->lines_indexed);
	cli_printf(
		cli,
		fa ? "بررسی شد: شمار ردیف‌ها و چکیدهٔ BLAKE2b هر %zu جدول "
		     "برابر است؛ زنجیرهٔ ممیزی سالم است (%llu رکورد، هش "
		     "آخر %s)؛ دفتر تراز است (بدهکار = بستانکار = %s "
		     "ریال)؛ سوابق %lld بیمه‌شده یکی است\n"
		   : "verified: the row counts and BLAKE2b digests of %zu "
		     "tables are equal; the audit trail is intact (%llu "
		     "entries, head %s); the ledger balances (debit = "
		     "credit = %s rial); the histories of %lld persons are "
		     "equal\n",
		r->ntables, (unsigned long long)r->audit_entries,
		r->audit_entries ? head : "-", debit, (long long)r->histories);
	cli_printf(cli,
		   fa ? "زمان: رونوشت %.1f ثانیه، بررسی %.1f ثانیه، سوابق "
			"%.1f ثانیه\n"
		      : "time: copy %.1f s, checks %.1f s, histories %.1f s\n",
		   r->copy_seconds, r->verify_seconds, r->history_seconds);
	if (r->after_load_seconds > 0)
		cli_printf(
			cli,
			fa ? "  به‌روزرسانی آمار و نقشهٔ دیدپذیری پایگاه "
			     "مقصد (VACUUM ANALYZE): %.1f ثانیه\n"
			   : "  the target's statistics and visibility map "
			     "(VACUUM ANALYZE): %.1f s\n",
			r->after_load_seconds);
}

/* A copy refused (the target holds rows) or unlike its source: the
 * error, what the check found and where, in both languages for scripts
 * and in the user's for people. */
static int copy_refused(struct cli *cli, int err,
			const struct am_copy_report *r, const char *detail)
{
	bool fa = cli->lang == AM_LANG_FA;
	const char *where = r->table ? r->table : r->subject;

	if (cli->json) {
		struct am_buf b;
		int e;

		am_buf_init(&b, 0);
		e = am_buf_adds(&b, "{\"error\":{");
		e = e ? e : cli_json_str(&b, "code", am_error_id(err), true);
		e = e ? e
		      : cli_json_str(&b, "message_fa", am_strerror_fa(err),
				     false);
		e = e ? e
		      : cli_json_str(&b, "message_en", am_strerror(err), false);
		e = e ? e
		      : cli_json_str(&b, "check_fa",
				     am_copy_check_text(r->failed, true),
				     false);
		e = e ? e
		      : cli_json_str(&b, "check_en",
				     am_copy_check_text(r->failed, false),
				     false);
		e = e ? e : cli_json_str(&b, "table", r->table, false);
		e = e ? e : cli_json_str(&b, "subject", r->subject, false);
		e = e ? e : cli_json_str(&b, "detail", detail, false);
		e = e ? e : am_buf_adds(&b, "}}");
		if (!e)
			cli_emit(&b);
		am_buf_release(&b);
		if (e)
			return cli_fail(cli, e, NULL);
	} else {
		fprintf(stderr, "amanat: %s: %s%s%s [%s]\n",
			am_strerror_lang(err, cli->lang),
			am_copy_check_text(r->failed, fa), *where ? ": " : "",
			where, am_error_id(err));
		if (detail && *detail)
			fprintf(stderr, "amanat: %s\n", detail);
	}
	return cli_status(err);
}

static int open_fail(struct cli *cli, int err, const char *uri,
		     struct am_store *s)
{
	const char *msg = am_store_errmsg(s);

	return cli_fail(cli, err, msg && *msg ? msg : uri);
}

int cmd_db_copy(struct cli *cli, int argc, char **argv)
{
	struct am_store *from = NULL, *to = NULL;
	struct am_copy_report r;
	struct bar bar;
	struct am_copy_opts opts = { on_progress, &bar };
	int err;

	if (argc != 2)
		return cli_usage(
			cli, "db copy",
			CLI_TR(cli, "expected FROM_URI and TO_URI",
			       "نشانی پایگاه مبدأ و مقصد (FROM_URI و TO_URI) لازم است"));
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-')
			return cli_usage(cli, "db copy",
					 CLI_TR(cli, "unknown option '%s'",
						"گزینهٔ ناشناخته «%s»"),
					 argv[i]);
	if (!strcmp(argv[0], argv[1]))
		return cli_usage(cli, "db copy",
				 CLI_TR(cli,
					"FROM and TO are the same database",
					"مبدأ و مقصد یک پایگاه داده است"));
	memset(&bar, 0, sizeof(bar));
	bar.fa = cli->lang == AM_LANG_FA;
	err = am_store_open_flags(argv[0], AM_STORE_OPEN_READONLY, &from);
	if (err)
		return open_fail(cli, err, argv[0], NULL);
	/* The target gets the schema, as from "amanat init", but no
	 * settings: those are the source's. */
	err = am_store_open(argv[1], &to);
	if (err) {
		err = open_fail(cli, err, argv[1], NULL);
		goto out;
	}
	am_store_set_actor(to, "cli:db-copy");
	err = am_store_migrate(to, NULL, NULL);
	if (err) {
		err = open_fail(cli, err, argv[1], to);
		goto out;
	}
	err = am_store_copy(from, to, &opts, &r);
	if (bar.stage)
		am_progress_finish(&bar.p);
	if (err == AM_ESTORE_COPY_NOT_EMPTY || err == AM_ESTORE_COPY_MISMATCH) {
		err = copy_refused(cli, err, &r, am_store_errmsg(to));
		goto out;
	}
	if (err) {
		err = open_fail(cli, err, argv[1], to);
		goto out;
	}
	if (r.after_load_failed)
		cli_fprintf(
			cli, stderr,
			cli->lang == AM_LANG_FA
				? "amanat: هشدار: رونوشت کامل و بررسی‌شده است، ولی "
				  "VACUUM ANALYZE روی پایگاه مقصد انجام نشد (%s)؛ "
				  "آن را دستی اجرا کنید تا پرس‌وجوها کند نشوند\n"
				: "amanat: warning: the copy is complete and "
				  "verified, but VACUUM ANALYZE of the target "
				  "failed (%s); run it by hand, or queries stay "
				  "slow until autovacuum comes\n",
			am_store_errmsg(to));
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		err = copy_json(argv[0], argv[1], &r, &b);
		if (!err)
			cli_emit(&b);
		am_buf_release(&b);
		err = err ? cli_fail(cli, err, NULL) : CLI_OK;
	} else {
		copy_text(cli, argv[0], argv[1], &r);
		err = CLI_OK;
	}
out:
	am_store_close(to);
	am_store_close(from);
	return err;
}
