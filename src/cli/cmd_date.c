/* amanat date convert: a Jalali or Gregorian date, printed in both
 * calendars with its weekday. */
#include <string.h>

#include "cli.h"

int cmd_date_convert(struct cli *cli, int argc, char **argv)
{
	char jal[AM_DATE_FMT_MAX], jal_fa[AM_DATE_FMT_MAX];
	char greg[AM_DATE_FMT_MAX];
	struct am_diag d;
	am_date date;
	bool is_jalali;
	int err, wd;

	if (argc != 1)
		return cli_usage(
			cli, "date convert",
			CLI_TR(cli, "expected one date", "یک تاریخ لازم است"));
	err = am_date_parse_any(argv[0], strlen(argv[0]), &date, &is_jalali);
	if (err) {
		am_diag_set(&d, err, NULL, 0, "date", argv[0],
			    "1403/12/30, ۱۴۰۳/۱۲/۳۰, 14031230, 2025-03-20");
		return cli_fail_diag(cli, &d);
	}
	am_date_format_jalali(date, false, jal);
	am_date_format_jalali(date, true, jal_fa);
	am_date_format_gregorian(date, greg);
	wd = am_date_weekday(date);

	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addch(&b, '{');
		cli_json_str(&b, "jalali", jal, true);
		cli_json_str(&b, "gregorian", greg, false);
		cli_json_str(&b, "weekday", am_weekday_name(wd, false), false);
		cli_json_str(&b, "weekday_fa", am_weekday_name(wd, true),
			     false);
		cli_json_str(&b, "jalali_fa", jal_fa, false);
		cli_json_str(&b, "input", is_jalali ? "jalali" : "gregorian",
			     false);
		am_buf_addch(&b, '}');
		cli_emit(&b);
		am_buf_release(&b);
	} else if (cli->lang == AM_LANG_FA) {
		struct am_buf day, fa_day;
		struct am_ymd j;

		/* «جمعه ۱ فروردین ۱۴۰۴» */
		am_date_to_jalali(date, &j);
		am_buf_init(&day, 0);
		am_buf_init(&fa_day, 0);
		am_buf_addf(&day, "%s %d %s %d", am_weekday_name(wd, true),
			    j.day, am_jalali_month_name(j.month, true), j.year);
		am_text_digits_to_persian(day.buf, day.len, &fa_day);
		cli_printf(cli, "شمسی:   %s\n", jal_fa);
		cli_printf(cli, "میلادی: %s\n", cli_digits(cli, greg));
		cli_printf(cli, "روز:    %s\n", fa_day.buf);
		am_buf_release(&fa_day);
		am_buf_release(&day);
	} else {
		struct am_ymd j;

		am_date_to_jalali(date, &j);
		printf("jalali:    %s (%s)\n", jal,
		       am_jalali_month_name(j.month, false));
		printf("gregorian: %s\n", greg);
		printf("weekday:   %s (%s)\n", am_weekday_name(wd, false),
		       am_weekday_name(wd, true));
	}
	return CLI_OK;
}
