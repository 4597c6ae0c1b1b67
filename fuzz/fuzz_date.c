/* Fuzz target for the date parsers: the same bytes go to every parser, and
 * each success must survive the round trips (format and parse, convert back). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/date.h"
#include "amanat/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() rather than assert(), so the check holds in release builds. */
static void expect(bool ok)
{
	if (!ok)
		abort();
}

static bool is_date_error(int err)
{
	return err == AM_EDATE_SYNTAX || err == AM_EDATE_RANGE ||
	       err == AM_EDATE_YEAR_RANGE;
}

static void expect_parse(int (*parse)(const char *, size_t, am_date *),
			 const char *s, size_t n, am_date want)
{
	am_date back = 0;

	expect(n == strlen(s) && n < AM_DATE_FMT_MAX);
	expect(parse(s, n, &back) == 0 && back == want);
}

/* A day that a parser accepted: inside the span, and every form of it
 * leads back to it. */
static void check_day(am_date d)
{
	char buf[AM_DATE_FMT_MAX];
	struct am_ymd j, g;
	am_date back = 0;
	bool is_jalali = false;
	size_t n;

	am_date_to_jalali(d, &j);
	expect(am_jalali_to_date(j.year, j.month, j.day, &back) == 0);
	expect(back == d);
	am_date_to_gregorian(d, &g);
	expect(am_gregorian_to_date(g.year, g.month, g.day, &back) == 0);
	expect(back == d);
	expect(am_date_weekday(d) >= 0 && am_date_weekday(d) <= 6);

	n = am_date_format_jalali(d, false, buf);
	expect_parse(am_jalali_parse, buf, n, d);
	if (j.year < 1700) {
		expect(am_date_parse_any(buf, n, &back, &is_jalali) == 0);
		expect(back == d && is_jalali);
	}
	n = am_date_format_jalali(d, true, buf);
	expect_parse(am_jalali_parse, buf, n, d);
	n = am_date_format_gregorian(d, buf);
	expect_parse(am_gregorian_parse, buf, n, d);
	if (g.year >= 1700) {
		expect(am_date_parse_any(buf, n, &back, &is_jalali) == 0);
		expect(back == d && !is_jalali);
	}
}

static void check_period(struct am_period p)
{
	char buf[AM_DATE_FMT_MAX];
	struct am_period back = { 0, 0 };
	struct am_ymd ymd;
	am_date first = 0, last = 0;
	size_t n;

	n = am_period_format(p, buf);
	expect(n == strlen(buf));
	expect(am_period_parse(buf, n, &back) == 0);
	expect(back.year == p.year && back.month == p.month);
	expect(am_period_first_day(p, &first) == 0);
	expect(am_period_last_day(p, &last) == 0);
	expect(last - first + 1 == am_jalali_month_length(p.year, p.month));
	am_date_to_jalali(first, &ymd);
	expect(ymd.year == p.year && ymd.month == p.month && ymd.day == 1);
	am_date_to_jalali(last + 1, &ymd);
	expect(ymd.day == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct am_period p = { 0, 0 };
	am_date d = 0, again = 0;
	bool is_jalali = false;
	int err;

	err = am_jalali_parse(s, size, &d);
	expect(err == 0 || is_date_error(err));
	if (err == 0)
		check_day(d);

	err = am_gregorian_parse(s, size, &d);
	expect(err == 0 || is_date_error(err));
	if (err == 0)
		check_day(d);

	/* parse_any is one of the two, chosen by the year. */
	err = am_date_parse_any(s, size, &d, &is_jalali);
	expect(err == 0 || is_date_error(err));
	if (err == 0) {
		if (is_jalali)
			expect(am_jalali_parse(s, size, &again) == 0);
		else
			expect(am_gregorian_parse(s, size, &again) == 0);
		expect(again == d);
		check_day(d);
	}

	err = am_period_parse(s, size, &p);
	expect(err == 0 || is_date_error(err));
	if (err == 0)
		check_period(p);
	return 0;
}
