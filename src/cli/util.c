/* Output helpers shared by the commands: errors in Persian or English as
 * text or JSON, and the loading of rules and the database. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_status(int err)
{
	int http;

	if (err == 0)
		return CLI_OK;
	if (err == AM_EUSAGE)
		return CLI_USAGE;
	http = am_error_http(err);
	/* 4xx: the input was refused; 5xx: the system failed (3). */
	return http >= 400 && http < 500 ? CLI_REFUSED : 3;
}

void cli_emit(const struct am_buf *b)
{
	fwrite(b->buf, 1, b->len, stdout);
	fputc('\n', stdout);
}

int cli_json_str(struct am_buf *b, const char *key, const char *val, bool first)
{
	int err = am_buf_addf(b, "%s\"%s\":", first ? "" : ",", key);

	if (!err)
		err = am_buf_add_json_str(b, val ? val : "",
					  val ? strlen(val) : 0);
	return err;
}

const char *cli_read_uri(const struct cli *cli)
{
	return cli->read_db ? cli->read_db : cli->db_path;
}

int cli_fail(struct cli *cli, int err, const char *what)
{
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_adds(&b, "{\"error\":{");
		cli_json_str(&b, "code", am_error_id(err), true);
		cli_json_str(&b, "message_fa", am_strerror_fa(err), false);
		cli_json_str(&b, "message_en", am_strerror(err), false);
		if (what)
			cli_json_str(&b, "detail", what, false);
		am_buf_adds(&b, "}}");
		cli_emit(&b);
		am_buf_release(&b);
	} else if (what && *what) {
		fprintf(stderr, "amanat: %s: %s [%s]\n", what,
			am_strerror_lang(err, cli->lang), am_error_id(err));
	} else {
		fprintf(stderr, "amanat: %s [%s]\n",
			am_strerror_lang(err, cli->lang), am_error_id(err));
	}
	return cli_status(err);
}

int cli_fail_diag(struct cli *cli, const struct am_diag *d)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	if (cli->json) {
		am_buf_adds(&b, "{\"error\":");
		am_diag_json(d, &b);
		am_buf_adds(&b, "}");
		cli_emit(&b);
	} else {
		am_diag_format(d, cli->lang, &b);
		fprintf(stderr, "amanat: %s\n", b.buf);
	}
	am_buf_release(&b);
	return cli_status(d->code);
}

int cli_load_rules(struct cli *cli, struct am_rules **out)
{
	struct am_diags ds;
	int err;

	am_diags_init(&ds, 0);
	err = am_rules_load_dirs(cli->rules_dirs, cli->nrules_dirs, out, &ds);
	if (err) {
		/* Name the first problem; 'amanat rules check' lists them all
		 * (it reads the same folders). */
		if (ds.nr)
			cli_fail_diag(cli, &ds.items[0]);
		else
			cli_fail(cli, err, cli->rules_dir);
		if (!cli->json && am_diags_total(&ds) > 1)
			fprintf(stderr,
				cli->lang == AM_LANG_FA
					? "amanat: و %zu خطای دیگر؛ 'amanat "
					  "rules check' با همین پوشه‌های قواعد "
					  "همه را فهرست می‌کند\n"
					: "amanat: %zu more; 'amanat rules "
					  "check' with the same rules folders "
					  "lists them all\n",
				am_diags_total(&ds) - 1);
	}
	am_diags_release(&ds);
	return err;
}
