/* amanat generate: a deterministic synthetic country (registry and monthly
 * wage lists) for demos, tests and benchmarks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int number(struct cli *cli, const char *opt, const char *v,
		  uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-')
		return cli_usage(
			cli, "generate",
			CLI_TR(cli, "%s takes a number, not '%s'",
			       "%s عدد می‌گیرد، نه «%s»"),
			opt, v);
	return 0;
}

int cmd_generate(struct cli *cli, int argc, char **argv)
{
	struct am_generate_opts o;
	struct am_generate_stats st;
	struct am_progress progress;
	struct am_rules *rules = NULL;
	struct am_diags ds;
	uint64_t n;
	int err;

	am_generate_opts_init(&o);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-' || a[1] != '-') {
			if (o.outdir)
				return cli_usage(
					cli, "generate",
					CLI_TR(cli, "one OUTDIR only",
					       "تنها یک پوشهٔ خروجی (OUTDIR)"));
			o.outdir = a;
			continue;
		}
		if (!v)
			return cli_usage(
				cli, "generate",
				CLI_TR(cli, "%s needs a value",
				       "%s مقدار می‌خواهد"),
				a);
		i++;
		if (!strcmp(a, "--insured")) {
			if ((err = number(cli, a, v, &o.insured)))
				return err;
		} else if (!strcmp(a, "--workshops")) {
			if ((err = number(cli, a, v, &o.workshops)))
				return err;
		} else if (!strcmp(a, "--months")) {
			if ((err = number(cli, a, v, &n)))
				return err;
			o.months = n > 1000 ? 1001 : (unsigned)n;
		} else if (!strcmp(a, "--seed")) {
			if ((err = number(cli, a, v, &o.seed)))
				return err;
		} else if (!strcmp(a, "--start")) {
			if (am_period_parse(v, strlen(v), &o.start) != 0)
				return cli_usage(
					cli, "generate",
					CLI_TR(cli,
					       "--start takes YYYY/MM, not '%s'",
					       "--start ماه را به شکل YYYY/MM می‌گیرد، نه «%s»"),
					v);
		} else if (!strcmp(a, "--format")) {
			if (am_generate_format_parse(v, &o.format) != 0)
				return cli_usage(
					cli, "generate",
					CLI_TR(cli,
					       "--format takes dbf or csv, not '%s'",
					       "--format یکی از dbf یا csv را می‌گیرد، نه «%s»"),
					v);
		} else {
			return cli_usage(cli, "generate",
					 CLI_TR(cli, "unknown option '%s'",
						"گزینهٔ ناشناخته «%s»"),
					 a);
		}
	}
	if (!o.insured || !o.outdir)
		return cli_usage(cli, "generate",
				 CLI_TR(cli,
					"--insured N and OUTDIR are required",
					"--insured N و OUTDIR لازم است"));
	if (cli_load_rules(cli, &rules))
		return CLI_REFUSED;
	am_progress_start(&progress,
			  CLI_TR(cli, "generate", "ساخت کشور ساختگی"), 0);
	progress.persian = cli->lang == AM_LANG_FA;
	o.progress = cli->json ? NULL : &progress;
	am_diags_init(&ds, 0);
	memset(&st, 0, sizeof(st));
	err = am_generate(rules, &o, &st, &ds);
	am_rules_free(rules);
	if (err) {
		if (ds.nr)
			err = cli_fail_diag(cli, &ds.items[0]);
		else
			err = cli_fail(cli, err, o.outdir);
		am_diags_release(&ds);
		return err;
	}
	am_diags_release(&ds);
	if (cli->json) {
		printf("{\"outdir\":\"%s\",\"persons\":%llu,\"dependants\":%llu,"
		       "\"employers\":%llu,\"workshops\":%llu,\"lists\":%llu,"
		       "\"lines\":%llu,\"joins\":%llu,\"leaves\":%llu}\n",
		       o.outdir, (unsigned long long)st.persons,
		       (unsigned long long)st.dependants,
		       (unsigned long long)st.employers,
		       (unsigned long long)st.workshops,
		       (unsigned long long)st.lists,
		       (unsigned long long)st.lines,
		       (unsigned long long)st.joins,
		       (unsigned long long)st.leaves);
	} else {
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "%s: %llu شخص، %llu کارفرما، %llu کارگاه، %llu "
				  "لیست با %llu ردیف (%llu ورود، %llu خروج)\n"
				: "%s: %llu persons, %llu employers, %llu "
				  "workshops, %llu lists of %llu lines (%llu "
				  "joined, %llu left)\n",
			o.outdir, (unsigned long long)st.persons,
			(unsigned long long)st.employers,
			(unsigned long long)st.workshops,
			(unsigned long long)st.lists,
			(unsigned long long)st.lines,
			(unsigned long long)st.joins,
			(unsigned long long)st.leaves);
	}
	return CLI_OK;
}
