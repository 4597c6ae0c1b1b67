/* amanat export dskwin: a posted list as the official ListDisk files. */
#include <string.h>

#include "cli.h"

int cmd_export_dskwin(struct cli *cli, int argc, char **argv)
{
	enum am_dbf_layout layout = AM_DBF_V27;
	enum am_codepage cp = AM_CP_WINDOWS_1256;
	const char *pos[3], *list_no = NULL;
	struct am_rules *rules = NULL;
	struct am_store *s = NULL;
	struct am_period period;
	struct am_diag d;
	char code[11];
	int npos = 0, err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--layout")) {
			i++;
			if (am_dbf_layout_parse(v, &layout) != 0 ||
			    layout == AM_DBF_NONE)
				return cli_usage(
					cli, "export dskwin",
					CLI_TR(cli,
					       "--layout takes 2.7, v6 or old, not '%s'",
					       "--layout یکی از 2.7، v6 یا old را می‌گیرد، نه «%s»"),
					v);
		} else if (!strcmp(a, "--encoding")) {
			i++;
			if (am_codepage_parse(v, &cp) != 0 || cp == AM_CP_UTF8)
				return cli_usage(
					cli, "export dskwin",
					CLI_TR(cli,
					       "--encoding takes windows-1256 or iran-system, not '%s'",
					       "--encoding یکی از windows-1256 یا iran-system را می‌گیرد، نه «%s»"),
					v);
		} else if (!strcmp(a, "--list")) {
			i++;
			list_no = v;
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			return cli_usage(cli, "export dskwin",
					 CLI_TR(cli, "unexpected argument '%s'",
						"آرگومان ناخواسته «%s»"),
					 a);
		}
	}
	if (npos != 3)
		return cli_usage(
			cli, "export dskwin",
			CLI_TR(cli, "expected WORKSHOP PERIOD DIR",
			       "کد کارگاه، ماه و پوشه (WORKSHOP PERIOD DIR) لازم است"));
	err = am_workshop_code_check(pos[0], strlen(pos[0]), code);
	if (err) {
		am_diag_set(&d, err, NULL, 0, "WORKSHOP", pos[0], NULL);
		return cli_fail_diag(cli, &d);
	}
	if (am_period_parse(pos[1], strlen(pos[1]), &period) != 0) {
		am_diag_set(&d, AM_EDATE_SYNTAX, NULL, 0, "PERIOD", pos[1],
			    "1403/07");
		return cli_fail_diag(cli, &d);
	}
	if (cli_load_rules(cli, &rules))
		return CLI_REFUSED;
	err = am_store_open_flags(cli_read_uri(cli), AM_STORE_OPEN_READONLY,
				  &s);
	if (err) {
		am_rules_free(rules);
		return cli_fail(cli, err, cli_read_uri(cli));
	}
	err = am_export_dskwin(s, rules, code, period, list_no, pos[2], layout,
			       cp, &d);
	am_store_close(s);
	am_rules_free(rules);
	if (err)
		return cli_fail_diag(cli, &d);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addch(&b, '{');
		cli_json_str(&b, "workshop", code, true);
		cli_json_str(&b, "period", pos[1], false);
		cli_json_str(&b, "dir", pos[2], false);
		cli_json_str(&b, "layout", am_dbf_layout_name(layout), false);
		cli_json_str(&b, "encoding", am_codepage_name(cp), false);
		am_buf_addch(&b, '}');
		cli_emit(&b);
		am_buf_release(&b);
	} else {
		char per[AM_DATE_FMT_MAX];

		/* The layout and the code page by the names the options take. */
		am_period_format(period, per);
		cli_printf(
			cli,
			cli->lang == AM_LANG_FA
				? "لیست کارگاه %s برای %s در %s نوشته شد "
				  "(DSKKAR00.DBF و DSKWOR00.DBF، قالب %s، "
				  "کدگذاری %s)\n"
				: "list of workshop %s for %s written to %s "
				  "(DSKKAR00.DBF and DSKWOR00.DBF, %s, %s)\n",
			cli_digits(cli, code),
			cli->lang == AM_LANG_FA ? cli_digits(cli, per) : pos[1],
			pos[2], am_dbf_layout_name(layout),
			am_codepage_name(cp));
	}
	return CLI_OK;
}
