/* amanat import registry|history|wages|payments: batches that read files,
 * refuse what is wrong with the file, row and field, and write the rest. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Print every diagnostic (text on stderr) or add them to a JSON array. */
static void report_diags(struct cli *cli, const struct am_diags *ds,
			 struct am_buf *json)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	for (size_t i = 0; i < ds->nr; i++) {
		if (json) {
			if (i)
				am_buf_addch(json, ',');
			am_diag_json(&ds->items[i], json);
			continue;
		}
		am_buf_clear(&b);
		am_diag_format(&ds->items[i], cli->lang, &b);
		fprintf(stderr, "%s\n", b.buf);
	}
	if (!json && ds->dropped)
		cli_fprintf(cli, stderr,
			    cli->lang == AM_LANG_FA
				    ? "… و %zu خطای دیگر که نشان داده نشد\n"
				    : "… and %zu more errors not shown\n",
			    ds->dropped);
	am_buf_release(&b);
}

typedef int (*table_import_fn)(struct am_store *s, const char *path,
			       struct am_import_stats *st,
			       struct am_diags *diags);

/* The registry, history and payments imports share their shape: files in,
 * each checked whole then written, counts and problems out. */
static int import_tables(struct cli *cli, const char *command,
			 table_import_fn fn, int argc, char **argv)
{
	struct am_import_stats st;
	struct am_store *s = NULL;
	struct am_diags ds;
	char actor[64];
	bool refused = false;
	int err;

	if (argc < 1)
		return cli_usage(
			cli, command,
			CLI_TR(cli, "expected one or more files",
			       "دست‌کم یک فایل لازم است"));
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	err = am_store_open_flags(cli->db_path, AM_STORE_OPEN_NOCREATE, &s);
	if (err) {
		am_diags_release(&ds);
		return cli_fail(cli, err, cli->db_path);
	}
	snprintf(actor, sizeof(actor), "cli:%s", command);
	am_store_set_actor(s, actor);
	for (int i = 0; i < argc; i++) {
		err = fn(s, argv[i], &st, &ds);
		if (err == AM_EINVALID_ARGUMENT) {
			refused = true;
			continue;
		}
		if (err) {
			am_diags_add(&ds, err, argv[i], 0, NULL,
				     am_store_errmsg(s), NULL);
			refused = true;
			break;
		}
	}
	am_store_close(s);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addf(&b,
			    "{\"files\":%zu,\"records\":%zu,\"accepted\":%zu,"
			    "\"refused\":%zu,\"persons\":%zu,\"employers\":%zu,"
			    "\"workshops\":%zu,\"dependants\":%zu,\"errors\":[",
			    st.files, st.records, st.accepted, st.refused,
			    st.persons, st.employers, st.workshops,
			    st.dependants);
		report_diags(cli, &ds, &b);
		am_buf_adds(&b, "]}");
		cli_emit(&b);
		am_buf_release(&b);
	} else {
		report_diags(cli, &ds, NULL);
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "%zu فایل، %zu سطر خوانده شد، %zu ثبت شد%s\n"
				: "%zu files, %zu rows read, %zu written%s\n",
			st.files, st.records, st.accepted,
			refused ? CLI_TR(cli,
					 "; files or rows with errors were "
					 "refused",
					 "؛ فایل‌ها یا سطرهای دارای خطا "
					 "پذیرفته نشد")
				: "");
	}
	am_diags_release(&ds);
	return refused ? CLI_REFUSED : CLI_OK;
}

int cmd_import_registry(struct cli *cli, int argc, char **argv)
{
	return import_tables(cli, "import registry", am_import_registry, argc,
			     argv);
}

int cmd_import_history(struct cli *cli, int argc, char **argv)
{
	return import_tables(cli, "import history", am_import_history, argc,
			     argv);
}

int cmd_import_payments(struct cli *cli, int argc, char **argv)
{
	return import_tables(cli, "import payments", am_import_payments, argc,
			     argv);
}

/* Options of 'import wages' before or among the paths. */
static int wage_opts(struct cli *cli, int *argc, char **argv,
		     struct am_wage_import_opts *o)
{
	const char *env = getenv("AMANAT_TODAY");
	int out = 0;

	if (env && *env && am_date_parse_any(env, strlen(env), &o->today, NULL))
		return cli_usage(cli, "import wages",
				 CLI_TR(cli, "AMANAT_TODAY is not a date: '%s'",
					"AMANAT_TODAY تاریخ نیست: «%s»"),
				 env);
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--register-workshops")) {
			o->register_workshops = true;
		} else if (!strcmp(a, "--amend")) {
			o->amend = true;
		} else if (!strcmp(a, "--persons-ahead")) {
			/* The month's new persons registered before its lists
			 * whatever the registry holds (by default: when it
			 * holds fewer persons than the files have lines). */
			o->ahead = AM_AHEAD_ALWAYS;
		} else if (!strcmp(a, "--no-persons-ahead")) {
			o->ahead = AM_AHEAD_NEVER;
		} else if (!strcmp(a, "--batch") && i + 1 < *argc) {
			/* Lines per transaction: a tuning knob (and how the
			 * crash test gets many commits from a small run). */
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);

			if (*end || n == 0)
				return cli_usage(
					cli, "import wages",
					CLI_TR(cli,
					       "--batch takes a positive number of lines",
					       "--batch شمار مثبتی از ردیف‌ها می‌گیرد"));
			o->batch_lines = n;
		} else if (!strncmp(a, "--encoding=", 11) ||
			   !strcmp(a, "--encoding")) {
			const char *v = a[10] == '='	? a + 11
					: i + 1 < *argc ? argv[++i]
							: "";

			if (am_codepage_parse(v, &o->codepage) != 0 ||
			    o->codepage == AM_CP_UTF8)
				return cli_usage(
					cli, "import wages",
					CLI_TR(cli,
					       "--encoding takes windows-1256 or iran-system, not '%s'",
					       "--encoding یکی از windows-1256 یا iran-system را می‌گیرد، نه «%s»"),
					v);
		} else if (!strncmp(a, "--", 2)) {
			return cli_usage(cli, "import wages",
					 CLI_TR(cli, "unknown option '%s'",
						"گزینهٔ ناشناخته «%s»"),
					 a);
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	return 0;
}

int cmd_import_wages(struct cli *cli, int argc, char **argv)
{
	struct am_wage_import_opts o;
	struct am_wage_import_stats st;
	struct am_rules *rules = NULL;
	struct am_store *s = NULL;
	struct am_diags ds;
	size_t problems;
	int err;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	if ((err = wage_opts(cli, &argc, argv, &o)))
		return err;
	if (argc < 1)
		return cli_usage(
			cli, "import wages",
			CLI_TR(cli, "expected one or more paths",
			       "دست‌کم یک مسیر لازم است"));
	if (cli_load_rules(cli, &rules))
		return CLI_REFUSED;
	err = am_store_open_flags(cli->db_path, AM_STORE_OPEN_NOCREATE, &s);
	if (err) {
		am_rules_free(rules);
		return cli_fail(cli, err, cli->db_path);
	}
	am_store_set_actor(s, "cli:import-wages");
	o.progress = !cli->json;
	o.persian = cli->lang == AM_LANG_FA;
	am_diags_init(&ds, 0);
	err = am_import_wages(s, rules, argv, (size_t)argc, &o, &st, &ds);
	if (err)
		am_diags_add(&ds, err, NULL, 0, NULL, am_store_errmsg(s), NULL);
	am_store_close(s);
	am_rules_free(rules);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addf(&b,
			    "{\"lists_accepted\":%zu,\"lists_refused\":%zu,"
			    "\"lines\":%zu,\"lists_posted\":%zu,"
			    "\"lists_unchanged\":%zu,\"lists_amended\":%zu,"
			    "\"lines_posted\":%zu,\"persons_registered\":%zu,"
			    "\"workshops_registered\":%zu,\"error_count\":%zu,"
			    "\"errors\":[",
			    st.lists_accepted, st.lists_refused, st.lines,
			    st.lists_posted, st.lists_unchanged,
			    st.lists_amended, st.lines_posted,
			    st.persons_registered, st.workshops_registered,
			    am_diags_total(&ds));
		report_diags(cli, &ds, &b);
		am_buf_adds(&b, "]}");
		cli_emit(&b);
		am_buf_release(&b);
	} else {
		bool fa = cli->lang == AM_LANG_FA;

		report_diags(cli, &ds, NULL);
		cli_printf(
			cli,
			fa ? "%zu لیست پذیرفته شد (%zu تازه، %zu تکراری، %zu "
			     "اصلاحی)، %zu لیست رد شد؛ %zu ردیف خوانده و %zu "
			     "ردیف ثبت شد\n"
			   : "%zu lists accepted (%zu new, %zu already there, "
			     "%zu amended), %zu refused; %zu lines read, %zu "
			     "posted\n",
			st.lists_accepted, st.lists_posted, st.lists_unchanged,
			st.lists_amended, st.lists_refused, st.lines,
			st.lines_posted);
	}
	/* A path that could not be read is a refusal too, with no list. */
	problems = am_diags_total(&ds);
	am_diags_release(&ds);
	if (err)
		return cli_status(err);
	return st.lists_refused || problems ? CLI_REFUSED : CLI_OK;
}
