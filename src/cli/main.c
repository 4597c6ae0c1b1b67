/* The amanat command: global options, the one command table, and dispatch.
 * Every command takes --json; exit status 0 done, 1 refused, 2 usage. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef AM_DEFAULT_RULES_DIR
#define AM_DEFAULT_RULES_DIR "rules/ir"
#endif

static const struct cli_command commands[] = {
	{ "init", cmd_init, "",
	  "create or migrate the database and record the rule set in force",
	  "پایگاه داده را می‌سازد یا به‌روز می‌کند و قواعد را ثبت می‌کند" },
	{ "id check", cmd_id_check,
	  "national|legal|sheba|workshop|insurance VALUE",
	  "check a national code, legal-entity id, Sheba, workshop code or insurance number",
	  "درستی کد ملی، شناسهٔ ملی، شبا، کد کارگاه یا شمارهٔ بیمه را می‌سنجد" },
	{ "date convert", cmd_date_convert, "DATE",
	  "convert a Jalali or Gregorian date and print both with the weekday",
	  "تاریخ شمسی یا میلادی را به هر دو تقویم و با روز هفته نشان می‌دهد" },
	{ "rules show", cmd_rules_show, "[--on DATE] [NAME]",
	  "print every parameter in force on a date (default today)",
	  "پارامترهای معتبر در یک تاریخ را با مقدار، واحد و مرجع نشان می‌دهد" },
	{ "rules check", cmd_rules_check, "[DIR...]",
	  "validate a rules folder, or a base and the folders laid over it, list every error with file and line and what each folder adds",
	  "پوشهٔ قواعد، یا پوشهٔ پایه و پوشه‌های افزوده بر آن را می‌سنجد، همهٔ خطاها را با فایل و سطر و آنچه هر پوشه می‌افزاید فهرست می‌کند" },
	{ "generate", cmd_generate,
	  "--insured N [--workshops M] [--months K] [--start YYYY/MM] [--seed S] [--format dbf|csv] OUTDIR",
	  "write a deterministic synthetic country: registry and monthly wage lists",
	  "کشوری ساختگی و تکرارپذیر می‌سازد: ثبت اشخاص و کارگاه‌ها و لیست‌های ماهانهٔ دستمزد" },
	{ "import registry", cmd_import_registry, "FILE...",
	  "import persons, employers, workshops or dependants (CSV); a file with errors is refused whole",
	  "اشخاص، کارفرمایان، کارگاه‌ها یا افراد تحت تکفل را از CSV وارد می‌کند؛ فایل دارای خطا پذیرفته نمی‌شود" },
	{ "import wages", cmd_import_wages,
	  "[--register-workshops] [--amend] [--encoding windows-1256|iran-system] [--batch LINES] [--persons-ahead|--no-persons-ahead] PATH...",
	  "import wage lists (ListDisk folders or trees of them, .csv, .json): validate, assess, post",
	  "لیست‌های دستمزد (پوشهٔ لیست دیسک، csv یا json) را می‌سنجد، حق‌بیمه را محاسبه و ثبت می‌کند" },
	{ "import history", cmd_import_history, "FILE...",
	  "import legacy months (national_code,period,workshop,days,subject_wage[,hard_harmful]) as migrated history",
	  "سوابق پیشین (کد ملی، ماه، کارگاه، روز، دستمزد مشمول) را بی‌محاسبهٔ دوباره به‌عنوان سابقهٔ منتقل‌شده وارد می‌کند" },
	{ "import payments", cmd_import_payments, "FILE...",
	  "import a bank statement (workshop,period,amount,date,reference) and match payments to debts",
	  "صورت‌حساب بانک (کارگاه، ماه، مبلغ، تاریخ، شمارهٔ پیگیری) را وارد و پرداخت‌ها را با بدهی تطبیق می‌دهد" },
	{ "history", cmd_history, "NATIONAL_CODE",
	  "a worker's insurance history: credited days and every month",
	  "سابقهٔ بیمهٔ یک بیمه‌شده: روزهای قابل قبول و همهٔ ماه‌ها" },
	{ "worker statement", cmd_worker_statement, "NATIONAL_CODE PERIOD",
	  "what each employer reported for a worker in a month (wage, days, job)",
	  "آنچه هر کارفرما برای بیمه‌شده در یک ماه گزارش داده است (دستمزد، روز، شغل)" },
	{ "employer statement", cmd_employer_statement, "WORKSHOP",
	  "a workshop's account: assessed, paid, due and balance",
	  "صورت‌حساب کارگاه: حق‌بیمهٔ محاسبه‌شده، پرداختی، سررسید و مانده" },
	{ "export dskwin", cmd_export_dskwin,
	  "[--layout 2.7|v6|old] [--encoding windows-1256|iran-system] [--list NO] WORKSHOP PERIOD DIR",
	  "write a posted list as ListDisk files (DSKKAR00.DBF, DSKWOR00.DBF) that import back to the same list",
	  "لیست ثبت‌شده را به قالب لیست دیسک (DSKKAR00.DBF و DSKWOR00.DBF) می‌نویسد" },
	{ "db copy", cmd_db_copy, "FROM_URI TO_URI",
	  "copy a whole database into a new one of any backend (sqlite:PATH, pg:…), rebuild its index and check it against the source",
	  "همهٔ پایگاه داده را در پایگاه دادهٔ تازه‌ای از هر نوع (sqlite:PATH یا pg:…) رونوشت می‌کند، نمایه را می‌سازد و رونوشت را با مبدأ می‌سنجد" },
	{ "audit verify", cmd_audit_verify, "",
	  "check the audit trail's hash chain and name the first broken entry",
	  "زنجیرهٔ ممیزی را می‌سنجد و نخستین رکورد گسسته را نام می‌برد" },
};

static void print_help(const struct cli *cli, FILE *out)
{
	bool fa = cli->lang == AM_LANG_FA;

	fprintf(out, "%s\n\n",
		fa ? "amanat: سامانهٔ ادارهٔ بیمه‌های اجتماعی"
		   : "amanat: social insurance administration");
	fprintf(out,
		"%s: amanat [--db URI] [--read-db URI] [--json] [--rules DIR]... "
		"[--lang fa|en] COMMAND ...\n\n",
		fa ? "کاربرد" : "usage");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_command *c = &commands[i];

		fprintf(out, "  amanat %s %s\n      %s\n", c->name, c->usage,
			fa ? c->help_fa : c->help_en);
	}
	fprintf(out, "\n%s\n",
		fa ? "وضعیت خروج: ۰ انجام شد، ۱ ورودی پذیرفته نشد، ۲ کاربرد نادرست"
		   : "exit status: 0 done, 1 input refused, 2 usage error");
}

static enum am_lang lang_from_env(void)
{
	const char *v = getenv("AMANAT_LANG");

	if (!v || !*v)
		v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LANG");
	return v && strncmp(v, "fa", 2) == 0 ? AM_LANG_FA : AM_LANG_EN;
}

/* Take an option's value from "--opt=V" or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Pull the global options out of argv wherever they stand; what is left
 * (command words, arguments, command options) is compacted in place. */
static int parse_globals(struct cli *cli, int *argc, char **argv, bool *help,
			 bool *version)
{
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		const char *v;
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			cli->json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
		} else if (strcmp(a, "--version") == 0) {
			*version = true;
		} else if (strncmp(a, "--db", 4) == 0 &&
			   (!a[4] || a[4] == '=')) {
			if (!(v = opt_value(*argc, argv, &i, "--db")))
				return cli_usage(
					cli, NULL,
					CLI_TR(cli, "--db needs a path",
					       "--db مسیر پایگاه داده را می‌خواهد"));
			cli->db_path = v;
		} else if (strncmp(a, "--read-db", 9) == 0 &&
			   (!a[9] || a[9] == '=')) {
			if (!(v = opt_value(*argc, argv, &i, "--read-db")))
				return cli_usage(
					cli, NULL,
					CLI_TR(cli,
					       "--read-db needs a database",
					       "--read-db پایگاه داده می‌خواهد"));
			cli->read_db = v;
		} else if (strncmp(a, "--rules", 7) == 0 &&
			   (!a[7] || a[7] == '=')) {
			if (!(v = opt_value(*argc, argv, &i, "--rules")))
				return cli_usage(
					cli, NULL,
					CLI_TR(cli, "--rules needs a folder",
					       "--rules پوشه می‌خواهد"));
			/* Each one lays a folder over those before. */
			if (cli->nrules_dirs == AM_RULES_LAYERS_MAX)
				return cli_usage(
					cli, NULL,
					CLI_TR(cli,
					       "--rules names at most %d "
					       "folders",
					       "--rules دست بالا %d پوشه را "
					       "نام می‌برد"),
					AM_RULES_LAYERS_MAX);
			cli->rules_dirs[cli->nrules_dirs++] = v;
		} else if (strncmp(a, "--lang", 6) == 0 &&
			   (!a[6] || a[6] == '=')) {
			if (!(v = opt_value(*argc, argv, &i, "--lang")) ||
			    (strcmp(v, "fa") != 0 && strcmp(v, "en") != 0))
				return cli_usage(
					cli, NULL,
					CLI_TR(cli, "--lang takes fa or en",
					       "--lang یکی از fa یا en را می‌گیرد"));
			cli->lang = strcmp(v, "fa") == 0 ? AM_LANG_FA
							 : AM_LANG_EN;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	return 0;
}

/* The command whose words start argv, longest first; *used = words. */
static const struct cli_command *find_command(int argc, char **argv, int *used)
{
	const struct cli_command *best = NULL;
	int best_words = 0;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *p = commands[i].name;
		int w = 0;
		bool match = true;

		while (*p) {
			const char *sp = strchr(p, ' ');
			size_t n = sp ? (size_t)(sp - p) : strlen(p);

			if (w >= argc || strlen(argv[w]) != n ||
			    strncmp(argv[w], p, n) != 0) {
				match = false;
				break;
			}
			w++;
			p += n;
			while (*p == ' ')
				p++;
		}
		if (match && w > best_words) {
			best = &commands[i];
			best_words = w;
		}
	}
	*used = best_words;
	return best;
}

/* Without --rules, $AMANAT_RULES: folders joined by ':', as in PATH
 * (empty parts are skipped), split in copy; the built-in default when it
 * names none. */
static int rules_from_env(struct cli *cli, struct am_buf *copy)
{
	const char *env = getenv("AMANAT_RULES");
	int err;

	if (cli->nrules_dirs)
		return 0;
	if (env && *env) {
		err = am_buf_adds(copy, env);
		if (err)
			return cli_fail(cli, err, "AMANAT_RULES");
		for (char *p = copy->buf, *end; p; p = end) {
			end = strchr(p, ':');
			if (end)
				*end++ = '\0';
			if (!*p)
				continue;
			if (cli->nrules_dirs == AM_RULES_LAYERS_MAX)
				return cli_usage(
					cli, NULL,
					CLI_TR(cli,
					       "AMANAT_RULES names more than "
					       "%d folders",
					       "AMANAT_RULES بیش از %d پوشه "
					       "را نام می‌برد"),
					AM_RULES_LAYERS_MAX);
			cli->rules_dirs[cli->nrules_dirs++] = p;
		}
	}
	if (cli->nrules_dirs == 0)
		cli->rules_dirs[cli->nrules_dirs++] = AM_DEFAULT_RULES_DIR;
	return 0;
}

/* The folders joined by ':', for messages. */
static int rules_text(struct cli *cli, struct am_buf *text)
{
	int err = 0;

	for (size_t i = 0; !err && i < cli->nrules_dirs; i++)
		err = am_buf_addf(text, "%s%s", i ? ":" : "",
				  cli->rules_dirs[i]);
	cli->rules_dir = text->buf;
	return err ? cli_fail(cli, err, NULL) : 0;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	bool help = false, version = false;
	const struct cli_command *cmd;
	struct am_buf env_rules, rules_joined;
	int used, err;
	const char *env;

	cli.prog = "amanat";
	cli.lang = lang_from_env();
	am_arena_init(&cli.arena, 0);
	env = getenv("AMANAT_DB");
	cli.db_path = env && *env ? env : "amanat.db";
	env = getenv("AMANAT_READ_DB");
	cli.read_db = env && *env ? env : NULL;
	am_buf_init(&env_rules, 0);
	am_buf_init(&rules_joined, 0);

	argc--;
	argv++;
	err = parse_globals(&cli, &argc, argv, &help, &version);
	if (!err)
		err = rules_from_env(&cli, &env_rules);
	if (!err)
		err = rules_text(&cli, &rules_joined);
	if (err)
		goto out;
	if (version) {
		printf(cli.json ? "{\"version\":\"%s\"}\n" : "amanat %s\n",
		       am_version());
		goto out;
	}
	if (argc == 0 || (help && argc == 0)) {
		print_help(&cli, help ? stdout : stderr);
		err = help ? CLI_OK : CLI_USAGE;
		goto out;
	}
	cmd = find_command(argc, argv, &used);
	if (!cmd && help)
		print_help(&cli, stdout);
	else if (!cmd)
		err = cli_usage(&cli, NULL,
				CLI_TR(&cli, "unknown command '%s'",
				       "فرمان ناشناخته «%s»"),
				argv[0]);
	else if (help)
		printf("amanat %s %s\n  %s\n", cmd->name, cmd->usage,
		       cli.lang == AM_LANG_FA ? cmd->help_fa : cmd->help_en);
	else
		err = cmd->run(&cli, argc - used, argv + used);
out:
	am_buf_release(&rules_joined);
	am_buf_release(&env_rules);
	am_arena_release(&cli.arena);
	return err;
}

int cli_usage(struct cli *cli, const char *command, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_adds(&b, "{\"error\":{");
		cli_json_str(&b, "code", am_error_id(AM_EUSAGE), true);
		cli_json_str(&b, "message_fa", am_strerror_fa(AM_EUSAGE),
			     false);
		cli_json_str(&b, "message_en", am_strerror(AM_EUSAGE), false);
		cli_json_str(&b, "detail", msg, false);
		am_buf_adds(&b, "}}");
		cli_emit(&b);
		am_buf_release(&b);
	} else {
		fprintf(stderr, "amanat: %s: %s\n",
			am_strerror_lang(AM_EUSAGE, cli->lang), msg);
		if (command) {
			for (size_t i = 0;
			     i < sizeof(commands) / sizeof(commands[0]); i++)
				if (strcmp(commands[i].name, command) == 0)
					fprintf(stderr,
						CLI_TR(cli,
						       "usage: amanat %s %s\n",
						       "کاربرد: amanat %s %s\n"),
						command, commands[i].usage);
		} else {
			fprintf(stderr, "%s\n",
				CLI_TR(cli, "try 'amanat --help'",
				       "راهنما: amanat --help"));
		}
	}
	return CLI_USAGE;
}
