/* Cross-check of the calendar against ICU4C (fa_IR@calendar=persian, UTC):
 * every day of Jalali 1300..1500 both ways, month lengths and leap years. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "amanat/date.h"
#include "amanat/error.h"

#define FIRST_YEAR 1300
#define LAST_YEAR 1500
#define MS_PER_DAY 86400000.0

struct icu {
	UCalendar *persian;
	UCalendar *gregorian;
};

static UCalendar *open_calendar(const char *locale)
{
	UErrorCode status = U_ZERO_ERROR;
	UChar zone[8];
	UCalendar *cal;

	u_uastrcpy(zone, "UTC");
	cal = ucal_open(zone, -1, locale, UCAL_DEFAULT, &status);
	if (U_FAILURE(status) || !cal) {
		print_error("ucal_open(%s): %s\n", locale, u_errorName(status));
		return NULL;
	}
	return cal;
}

static int setup(void **state)
{
	static struct icu icu;

	icu.persian = open_calendar("fa_IR@calendar=persian");
	icu.gregorian = open_calendar("en_US@calendar=gregorian");
	*state = &icu;
	return icu.persian && icu.gregorian ? 0 : -1;
}

static int teardown(void **state)
{
	struct icu *icu = *state;

	if (icu->persian)
		ucal_close(icu->persian);
	if (icu->gregorian)
		ucal_close(icu->gregorian);
	return 0;
}

static void check(UErrorCode status, const char *what)
{
	if (U_FAILURE(status))
		fail_msg("ICU %s: %s", what, u_errorName(status));
}

/* The calendar's year, month (1..12) and day at midnight UTC of day d. */
static void icu_ymd(UCalendar *cal, am_date d, struct am_ymd *out)
{
	UErrorCode status = U_ZERO_ERROR;

	ucal_setMillis(cal, (UDate)d * MS_PER_DAY, &status);
	out->year = ucal_get(cal, UCAL_EXTENDED_YEAR, &status);
	out->month = ucal_get(cal, UCAL_MONTH, &status) + 1;
	out->day = ucal_get(cal, UCAL_DATE, &status);
	check(status, "reading a date");
}

static am_date jdate(int y, int m, int d)
{
	am_date out = 0;

	assert_int_equal(am_jalali_to_date(y, m, d, &out), 0);
	return out;
}

static bool same(const struct am_ymd *a, const struct am_ymd *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day;
}

/* Day by day from 1300/01/01 to the last day of 1500: what ICU reads for
 * the day must be what amanat reads, in both calendars, and the weekday. */
static void test_days_to_calendar(void **state)
{
	struct icu *icu = *state;
	am_date first = jdate(FIRST_YEAR, 1, 1);
	am_date last = jdate(LAST_YEAR + 1, 1, 1) - 1;
	unsigned days = 0;

	for (am_date d = first; d <= last; d++) {
		struct am_ymd ours, theirs;
		UErrorCode status = U_ZERO_ERROR;
		int icu_wd;

		am_date_to_jalali(d, &ours);
		icu_ymd(icu->persian, d, &theirs);
		if (!same(&ours, &theirs))
			fail_msg("first mismatch at day %d: amanat Jalali "
				 "%04d/%02d/%02d, ICU %04d/%02d/%02d",
				 (int)d, ours.year, ours.month, ours.day,
				 theirs.year, theirs.month, theirs.day);

		am_date_to_gregorian(d, &ours);
		icu_ymd(icu->gregorian, d, &theirs);
		if (!same(&ours, &theirs))
			fail_msg("first mismatch at day %d: amanat Gregorian "
				 "%04d-%02d-%02d, ICU %04d-%02d-%02d",
				 (int)d, ours.year, ours.month, ours.day,
				 theirs.year, theirs.month, theirs.day);

		/* ICU counts Sunday = 1 … Saturday = 7. */
		icu_wd = ucal_get(icu->persian, UCAL_DAY_OF_WEEK, &status) % 7;
		check(status, "reading the weekday");
		if (am_date_weekday(d) != icu_wd)
			fail_msg("first mismatch at day %d: amanat weekday %d, "
				 "ICU %d",
				 (int)d, am_date_weekday(d), icu_wd);
		days++;
	}
	print_message("ICU agrees on %u days, %d/01/01 to %d/12/%d\n", days,
		      FIRST_YEAR, LAST_YEAR,
		      am_jalali_month_length(LAST_YEAR, 12));
	assert_int_equal(days, last - first + 1);
	assert_true(days > 73000);
}

/* Set a Jalali date in ICU and read the day back, for every day ICU says
 * the month has; month lengths and leap years must match as well. */
static void test_calendar_to_days(void **state)
{
	struct icu *icu = *state;
	UCalendar *cal = icu->persian;
	unsigned days = 0, leaps = 0;

	for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		UErrorCode status = U_ZERO_ERROR;
		int year_len;

		ucal_clear(cal);
		ucal_setDate(cal, y, 0, 1, &status);
		year_len = ucal_getLimit(cal, UCAL_DAY_OF_YEAR,
					 UCAL_ACTUAL_MAXIMUM, &status);
		check(status, "reading the year length");
		if (am_jalali_is_leap(y) != (year_len == 366))
			fail_msg("first mismatch in year %d: amanat says %s, "
				 "ICU has %d days",
				 y, am_jalali_is_leap(y) ? "leap" : "common",
				 year_len);
		leaps += year_len == 366;

		for (int m = 1; m <= 12; m++) {
			int len;
			am_date end = 0;

			ucal_clear(cal);
			ucal_setDate(cal, y, m - 1, 1, &status);
			len = ucal_getLimit(cal, UCAL_DATE, UCAL_ACTUAL_MAXIMUM,
					    &status);
			check(status, "reading the month length");
			if (am_jalali_month_length(y, m) != len)
				fail_msg("first mismatch in %04d/%02d: amanat "
					 "has %d days, ICU %d",
					 y, m, am_jalali_month_length(y, m),
					 len);
			if (am_jalali_to_date(y, m, len + 1, &end) !=
			    AM_EDATE_RANGE)
				fail_msg("%04d/%02d/%02d should not exist", y,
					 m, len + 1);

			for (int d = 1; d <= len; d++) {
				UDate ms;
				am_date ours = 0, theirs;

				ucal_clear(cal);
				ucal_setDate(cal, y, m - 1, d, &status);
				ms = ucal_getMillis(cal, &status);
				check(status, "setting a date");
				theirs = (am_date)(ms / MS_PER_DAY);
				if ((UDate)theirs * MS_PER_DAY != ms)
					fail_msg("ICU put %04d/%02d/%02d at "
						 "%.0f ms, not midnight",
						 y, m, d, ms);
				if (am_jalali_to_date(y, m, d, &ours) != 0 ||
				    ours != theirs)
					fail_msg("first mismatch at "
						 "%04d/%02d/%02d: amanat day "
						 "%d, ICU day %d",
						 y, m, d, (int)ours,
						 (int)theirs);
				days++;
			}
		}
	}
	print_message("ICU agrees on %u dates and %u leap years\n", days,
		      leaps);
	assert_true(days > 73000);
	assert_true(leaps > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_to_calendar),
		cmocka_unit_test(test_calendar_to_days),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
