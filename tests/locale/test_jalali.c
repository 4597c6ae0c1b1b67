/* Unit tests of the calendar (src/locale/jalali.c): properties over the whole
 * supported span, plus the golden cases of tests/data/calendar.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amanat/date.h"
#include "amanat/error.h"

#define FIELD_MAX 160

static am_date jdate(int y, int m, int d)
{
	am_date out = 0;

	assert_int_equal(am_jalali_to_date(y, m, d, &out), 0);
	return out;
}

static am_date gdate(int y, int m, int d)
{
	am_date out = 0;

	assert_int_equal(am_gregorian_to_date(y, m, d, &out), 0);
	return out;
}

/* ---- Properties over the span ---- */

static void test_anchor_values(void **state)
{
	(void)state;
	assert_int_equal(jdate(1348, 10, 11), 0);
	assert_int_equal(gdate(1970, 1, 1), 0);
	assert_int_equal(jdate(1403, 12, 30), gdate(2025, 3, 20));
	assert_int_equal(jdate(1404, 1, 1), gdate(2025, 3, 21));
	assert_int_equal(jdate(1403, 12, 30), 20167);
	assert_int_equal(jdate(1, 1, 1), -492268);
	assert_int_equal(jdate(3000, 12, 30), 603459);
}

/* Year lengths follow (25y + 11) mod 33 < 8 for every supported year, and
 * exactly 8 years of every 33 are leap. */
static void test_leap_rule(void **state)
{
	int leaps = 0;

	(void)state;
	for (int y = 1; y < 3000; y++) {
		int len = jdate(y + 1, 1, 1) - jdate(y, 1, 1);
		bool leap = ((25 * y + 11) % 33) < 8;

		if (len != (leap ? 366 : 365) || am_jalali_is_leap(y) != leap)
			fail_msg("year %d: %d days, leap rule says %s", y, len,
				 leap ? "leap" : "common");
		assert_int_equal(am_jalali_month_length(y, 12), leap ? 30 : 29);
		if (y <= 33 * 90)
			leaps += leap;
	}
	assert_int_equal(leaps, 8 * 90);
	/* The rule extends below the span without a gap (year 0, -1 …). */
	assert_false(am_jalali_is_leap(-4)); /* (25 * -4 + 11) mod 33 = 10 */
	assert_false(am_jalali_is_leap(0));  /* 11 */
	assert_true(am_jalali_is_leap(-3));  /* 2 */
}

static void test_month_lengths(void **state)
{
	(void)state;
	for (int m = 1; m <= 6; m++)
		assert_int_equal(am_jalali_month_length(1404, m), 31);
	for (int m = 7; m <= 11; m++)
		assert_int_equal(am_jalali_month_length(1404, m), 30);
	assert_int_equal(am_jalali_month_length(1404, 12), 29);
	assert_int_equal(am_jalali_month_length(1403, 12), 30);
	assert_int_equal(am_jalali_month_length(1403, 0), 0);
	assert_int_equal(am_jalali_month_length(1403, 13), 0);
	assert_int_equal(am_jalali_month_length(1403, -1), 0);

	assert_int_equal(am_gregorian_month_length(2024, 2), 29);
	assert_int_equal(am_gregorian_month_length(2025, 2), 28);
	assert_int_equal(am_gregorian_month_length(1900, 2), 28);
	assert_int_equal(am_gregorian_month_length(2000, 2), 29);
	assert_int_equal(am_gregorian_month_length(2025, 4), 30);
	assert_int_equal(am_gregorian_month_length(2025, 12), 31);
	assert_int_equal(am_gregorian_month_length(2025, 0), 0);
	assert_int_equal(am_gregorian_month_length(2025, 13), 0);
	assert_true(am_gregorian_is_leap(2000));
	assert_false(am_gregorian_is_leap(2100));
	assert_true(am_gregorian_is_leap(2024));
	assert_false(am_gregorian_is_leap(2023));
}

/* Whether b is the day after a, in a calendar with these month lengths. */
static bool next_day(const struct am_ymd *a, const struct am_ymd *b,
		     int (*month_length)(int, int))
{
	if (a->day < month_length(a->year, a->month))
		return b->year == a->year && b->month == a->month &&
		       b->day == a->day + 1;
	if (a->month < 12)
		return b->year == a->year && b->month == a->month + 1 &&
		       b->day == 1;
	return b->year == a->year + 1 && b->month == 1 && b->day == 1;
}

/* Every day of the span: both calendars convert there and back, and each
 * day follows the previous one in both calendars. */
static void test_every_day_round_trip(void **state)
{
	am_date first = jdate(1, 1, 1), last = jdate(3000, 12, 30);
	struct am_ymd prev_j, prev_g;

	(void)state;
	am_date_to_jalali(first, &prev_j);
	am_date_to_gregorian(first, &prev_g);
	assert_int_equal(prev_g.year, 622);
	assert_int_equal(prev_g.month, 3);
	assert_int_equal(prev_g.day, 21);
	for (am_date d = first + 1; d <= last; d++) {
		struct am_ymd j, g;
		am_date back = 0;

		am_date_to_jalali(d, &j);
		if (am_jalali_to_date(j.year, j.month, j.day, &back) != 0 ||
		    back != d)
			fail_msg("day %d: Jalali %04d/%02d/%02d is not it",
				 (int)d, j.year, j.month, j.day);
		am_date_to_gregorian(d, &g);
		if (am_gregorian_to_date(g.year, g.month, g.day, &back) != 0 ||
		    back != d)
			fail_msg("day %d: Gregorian %04d-%02d-%02d is not it",
				 (int)d, g.year, g.month, g.day);
		if (!next_day(&prev_j, &j, am_jalali_month_length))
			fail_msg("day %d: Jalali %04d/%02d/%02d follows "
				 "%04d/%02d/%02d",
				 (int)d, j.year, j.month, j.day, prev_j.year,
				 prev_j.month, prev_j.day);
		if (!next_day(&prev_g, &g, am_gregorian_month_length))
			fail_msg("day %d: Gregorian %04d-%02d-%02d follows "
				 "%04d-%02d-%02d",
				 (int)d, g.year, g.month, g.day, prev_g.year,
				 prev_g.month, prev_g.day);
		prev_j = j;
		prev_g = g;
	}
	assert_int_equal(prev_j.year, 3000);
	assert_int_equal(prev_g.year, 3622);
}

/* Formatting then parsing gives the same day, for 1300..1500. */
static void test_format_parse_round_trip(void **state)
{
	char buf[AM_DATE_FMT_MAX];

	(void)state;
	for (am_date d = jdate(1300, 1, 1); d <= jdate(1500, 12, 29); d++) {
		am_date back = 0;
		bool is_jalali = false;
		size_t n;

		n = am_date_format_jalali(d, false, buf);
		assert_int_equal(n, 10);
		assert_int_equal(am_jalali_parse(buf, n, &back), 0);
		assert_int_equal(back, d);
		n = am_date_format_jalali(d, true, buf);
		assert_int_equal(n, 18);
		assert_int_equal(am_date_parse_any(buf, n, &back, &is_jalali),
				 0);
		assert_int_equal(back, d);
		assert_true(is_jalali);
		n = am_date_format_gregorian(d, buf);
		assert_int_equal(n, 10);
		assert_int_equal(am_date_parse_any(buf, n, &back, &is_jalali),
				 0);
		assert_int_equal(back, d);
		assert_false(is_jalali);
	}
}

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(am_date_weekday(0), 5);  /* Thursday */
	assert_int_equal(am_date_weekday(-1), 4); /* Wednesday */
	assert_int_equal(am_date_weekday(-5), 0); /* Saturday 1969-12-27 */
	assert_int_equal(am_date_weekday(INT32_MIN), 3);
	assert_int_equal(am_date_weekday(jdate(1404, 1, 2)), 0);
	for (am_date d = -1000; d < 1000; d++)
		assert_int_equal(am_date_weekday(d + 1),
				 (am_date_weekday(d) + 1) % 7);
}

static void test_names(void **state)
{
	static const char *const wd_fa[] = {
		"شنبه",	    "یکشنبه",
		"دوشنبه",   "سه‌شنبه",
		"چهارشنبه", "پنج‌شنبه",
		"جمعه",
	};
	static const char *const wd_en[] = {
		"Saturday",  "Sunday",	 "Monday", "Tuesday",
		"Wednesday", "Thursday", "Friday",
	};
	static const char *const m_fa[] = {
		"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
		"مهر",	   "آبان",     "آذر",	"دی",  "بهمن",	"اسفند",
	};
	static const char *const m_en[] = {
		"Farvardin", "Ordibehesht", "Khordad", "Tir",
		"Mordad",    "Shahrivar",   "Mehr",    "Aban",
		"Azar",	     "Dey",	    "Bahman",  "Esfand",
	};

	(void)state;
	for (int i = 0; i < 7; i++) {
		assert_string_equal(am_weekday_name(i, true), wd_fa[i]);
		assert_string_equal(am_weekday_name(i, false), wd_en[i]);
	}
	for (int i = 0; i < 12; i++) {
		assert_string_equal(am_jalali_month_name(i + 1, true), m_fa[i]);
		assert_string_equal(am_jalali_month_name(i + 1, false),
				    m_en[i]);
	}
	assert_string_equal(am_weekday_name(7, true), "");
	assert_string_equal(am_weekday_name(-1, false), "");
	assert_string_equal(am_jalali_month_name(0, true), "");
	assert_string_equal(am_jalali_month_name(13, false), "");
}

static void test_format(void **state)
{
	char buf[AM_DATE_FMT_MAX];
	am_date d = jdate(1403, 12, 30);

	(void)state;
	assert_int_equal(am_date_format_jalali(d, false, buf), 10);
	assert_string_equal(buf, "1403/12/30");
	assert_int_equal(am_date_format_jalali(d, true, buf), 18);
	assert_string_equal(buf, "۱۴۰۳/۱۲/۳۰");
	assert_int_equal(am_date_format_gregorian(d, buf), 10);
	assert_string_equal(buf, "2025-03-20");
	assert_int_equal(am_period_format((struct am_period){ 1403, 7 }, buf),
			 7);
	assert_string_equal(buf, "1403/07");

	/* Days outside the span still format, within the buffer. */
	assert_true(am_date_format_jalali(INT32_MIN, true, buf) <
		    AM_DATE_FMT_MAX);
	assert_true(am_date_format_jalali(INT32_MAX, true, buf) <
		    AM_DATE_FMT_MAX);
	assert_true(am_date_format_gregorian(INT32_MIN, buf) < AM_DATE_FMT_MAX);
	assert_int_equal(am_date_format_gregorian(-719528, buf), 10);
	assert_string_equal(buf, "0000-01-01");
}

static void test_parse_blanks_and_length(void **state)
{
	am_date d = 0, want = jdate(1403, 12, 30);
	const char *s;

	(void)state;
	s = "\t1403/12/30\t";
	assert_int_equal(am_jalali_parse(s, strlen(s), &d), 0);
	assert_int_equal(d, want);
	s = "\xE2\x80\x8F"
	    "1403/12/30"
	    "\xE2\x80\x8E"; /* RLM, LRM */
	assert_int_equal(am_jalali_parse(s, strlen(s), &d), 0);
	assert_int_equal(d, want);
	s = "\xC2\xA0"
	    "1403/12/30"; /* no-break space */
	assert_int_equal(am_jalali_parse(s, strlen(s), &d), 0);
	assert_int_equal(d, want);
	/* Only len bytes are read; a NUL inside them is not a blank. */
	assert_int_equal(am_jalali_parse("1403/12/30xyz", 10, &d), 0);
	assert_int_equal(d, want);
	assert_int_equal(am_jalali_parse("1403/12/30\0", 11, &d),
			 AM_EDATE_SYNTAX);
	assert_int_equal(am_jalali_parse("1403/12/30\n", 11, &d),
			 AM_EDATE_SYNTAX);
	/* A cut multibyte digit is refused, not read past. */
	assert_int_equal(am_jalali_parse("1403/12/3\xDB", 10, &d),
			 AM_EDATE_SYNTAX);
	assert_int_equal(am_jalali_parse("", 0, &d), AM_EDATE_SYNTAX);
}

/* A failed call leaves its output alone. */
static void test_failure_leaves_output(void **state)
{
	struct am_period p = { 1, 2 };
	am_date d = 4242;
	bool is_jalali = true;

	(void)state;
	assert_int_equal(am_jalali_parse("1404/12/30", 10, &d), AM_EDATE_RANGE);
	assert_int_equal(am_gregorian_parse("2025-02-29", 10, &d),
			 AM_EDATE_RANGE);
	assert_int_equal(am_date_parse_any("2025-02-29", 10, &d, &is_jalali),
			 AM_EDATE_RANGE);
	assert_int_equal(am_jalali_to_date(1403, 12, 31, &d), AM_EDATE_RANGE);
	assert_int_equal(am_jalali_to_date(0, 1, 1, &d), AM_EDATE_YEAR_RANGE);
	assert_int_equal(am_jalali_to_date(INT32_MAX, 1, 1, &d),
			 AM_EDATE_YEAR_RANGE);
	assert_int_equal(am_gregorian_to_date(INT32_MIN, 1, 1, &d),
			 AM_EDATE_YEAR_RANGE);
	assert_int_equal(
		am_period_first_day((struct am_period){ 1403, 13 }, &d),
		AM_EDATE_RANGE);
	assert_int_equal(am_period_last_day((struct am_period){ 1403, 0 }, &d),
			 AM_EDATE_RANGE);
	assert_int_equal(am_period_last_day((struct am_period){ 3001, 1 }, &d),
			 AM_EDATE_YEAR_RANGE);
	assert_int_equal(d, 4242);
	assert_true(is_jalali);
	assert_int_equal(am_period_parse("1403/13", 7, &p), AM_EDATE_RANGE);
	assert_int_equal(p.year, 1);
	assert_int_equal(p.month, 2);
}

static void test_parse_any_flag_optional(void **state)
{
	am_date d = 0;

	(void)state;
	assert_int_equal(am_date_parse_any("1403/12/30", 10, &d, NULL), 0);
	assert_int_equal(d, jdate(1403, 12, 30));
	assert_int_equal(am_date_parse_any("2025-03-20", 10, &d, NULL), 0);
	assert_int_equal(d, jdate(1403, 12, 30));
}

static void test_periods(void **state)
{
	(void)state;
	for (int y = 1300; y <= 1500; y++) {
		for (int m = 1; m <= 12; m++) {
			struct am_period p = { y, m };
			am_date first = 0, last = 0;

			assert_int_equal(am_period_first_day(p, &first), 0);
			assert_int_equal(am_period_last_day(p, &last), 0);
			assert_int_equal(first, jdate(y, m, 1));
			assert_int_equal(last - first + 1,
					 am_jalali_month_length(y, m));
		}
	}
}

static void test_today(void **state)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	am_date before, today, after;

	(void)state;
	/* A POSIX zone string needs no zone database: UTC+3:30 all year. */
	setenv("TZ", "IRST-3:30", 1);
	tzset();
	before = (am_date)((time(NULL) + 12600) / 86400);
	today = am_date_today();
	after = (am_date)((time(NULL) + 12600) / 86400);
	assert_true(today == before || today == after);

	setenv("TZ", "UTC0", 1);
	tzset();
	before = (am_date)(time(NULL) / 86400);
	today = am_date_today();
	after = (am_date)(time(NULL) / 86400);
	assert_true(today == before || today == after);

	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* ---- Golden cases ---- */

struct golden {
	const char *file;
	unsigned line;
	char kind[FIELD_MAX];
	char input[FIELD_MAX];
	char expected[FIELD_MAX];
};

/* Copy a field without its surrounding spaces; [ … ] keeps its inside. */
static void take_field(const char *s, size_t len, char out[FIELD_MAX])
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
			   s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len >= FIELD_MAX)
		fail_msg("field too long: %.*s", (int)len, s);
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool split_line(const char *line, struct golden *g)
{
	const char *bar1 = strchr(line, '|');
	const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;

	if (!bar2 || strchr(bar2 + 1, '|'))
		return false;
	take_field(line, (size_t)(bar1 - line), g->kind);
	take_field(bar1 + 1, (size_t)(bar2 - bar1 - 1), g->input);
	take_field(bar2 + 1, strlen(bar2 + 1), g->expected);
	return true;
}

/* Up to three integers separated by sep ("1403/12/30", "1403/12"). */
static bool numbers(const char *s, char sep, int *v, int n)
{
	for (int i = 0; i < n; i++) {
		char *end;
		long x = strtol(s, &end, 10);

		if (end == s || (i + 1 < n ? *end != sep : *end != '\0'))
			return false;
		v[i] = (int)x;
		s = end + 1;
	}
	return true;
}

static void error_text(int err, char out[FIELD_MAX])
{
	snprintf(out, FIELD_MAX, "!%s", am_error_id(err));
}

static void jalali_text(am_date d, char out[FIELD_MAX])
{
	char buf[AM_DATE_FMT_MAX];

	am_date_format_jalali(d, false, buf);
	snprintf(out, FIELD_MAX, "%s", buf);
}

static void gregorian_text(am_date d, char out[FIELD_MAX])
{
	char buf[AM_DATE_FMT_MAX];

	am_date_format_gregorian(d, buf);
	snprintf(out, FIELD_MAX, "%s", buf);
}

/* What the code answers for the case, written like its EXPECTED column;
 * false when the case itself is malformed. */
static bool run_case(const struct golden *g, char got[FIELD_MAX])
{
	const char *in = g->input;
	size_t len = strlen(in);
	struct am_period p;
	am_date d = 0;
	bool is_j = false;
	int v[3], err;

	if (strcmp(g->kind, "j2g") == 0 || strcmp(g->kind, "jfmt") == 0 ||
	    strcmp(g->kind, "wday") == 0) {
		if (!numbers(in, '/', v, 3))
			return false;
		err = am_jalali_to_date(v[0], v[1], v[2], &d);
		if (err) {
			error_text(err, got);
		} else if (strcmp(g->kind, "wday") == 0) {
			int wd = am_date_weekday(d);

			snprintf(got, FIELD_MAX, "%d %s %s", wd,
				 am_weekday_name(wd, false),
				 am_weekday_name(wd, true));
		} else if (strcmp(g->kind, "jfmt") == 0) {
			char buf[AM_DATE_FMT_MAX];

			am_date_format_jalali(d, true, buf);
			snprintf(got, FIELD_MAX, "%s", buf);
		} else {
			gregorian_text(d, got);
		}
	} else if (strcmp(g->kind, "g2j") == 0) {
		if (!numbers(in, '-', v, 3))
			return false;
		err = am_gregorian_to_date(v[0], v[1], v[2], &d);
		if (err)
			error_text(err, got);
		else
			jalali_text(d, got);
	} else if (strcmp(g->kind, "leap") == 0) {
		if (!numbers(in, '/', v, 1))
			return false;
		snprintf(got, FIELD_MAX, "%s",
			 am_jalali_is_leap(v[0]) ? "yes" : "no");
	} else if (strcmp(g->kind, "mlen") == 0) {
		if (!numbers(in, '/', v, 2))
			return false;
		snprintf(got, FIELD_MAX, "%d",
			 am_jalali_month_length(v[0], v[1]));
	} else if (strcmp(g->kind, "jparse") == 0) {
		err = am_jalali_parse(in, len, &d);
		if (err)
			error_text(err, got);
		else
			jalali_text(d, got);
	} else if (strcmp(g->kind, "gparse") == 0) {
		err = am_gregorian_parse(in, len, &d);
		if (err)
			error_text(err, got);
		else
			gregorian_text(d, got);
	} else if (strcmp(g->kind, "anyparse") == 0) {
		char buf[AM_DATE_FMT_MAX];

		err = am_date_parse_any(in, len, &d, &is_j);
		if (err) {
			error_text(err, got);
		} else {
			if (is_j)
				am_date_format_jalali(d, false, buf);
			else
				am_date_format_gregorian(d, buf);
			snprintf(got, FIELD_MAX, "%c %s", is_j ? 'J' : 'G',
				 buf);
		}
	} else if (strcmp(g->kind, "pparse") == 0) {
		char buf[AM_DATE_FMT_MAX];

		err = am_period_parse(in, len, &p);
		if (err) {
			error_text(err, got);
		} else {
			am_period_format(p, buf);
			snprintf(got, FIELD_MAX, "%s", buf);
		}
	} else if (strcmp(g->kind, "pfirst") == 0 ||
		   strcmp(g->kind, "plast") == 0) {
		err = am_period_parse(in, len, &p);
		if (!err)
			err = strcmp(g->kind, "pfirst") == 0
				      ? am_period_first_day(p, &d)
				      : am_period_last_day(p, &d);
		if (err)
			error_text(err, got);
		else
			jalali_text(d, got);
	} else {
		return false;
	}
	return true;
}

static void test_golden_file(void **state)
{
	const char *dir = getenv("AMANAT_TESTDATA");
	char path[1024], line[512];
	unsigned lineno = 0, cases = 0, failed = 0;
	FILE *f;

	(void)state;
	if (!dir)
		fail_msg("AMANAT_TESTDATA is not set");
	snprintf(path, sizeof(path), "%s/calendar.txt", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		struct golden g = { .file = path };
		char got[FIELD_MAX];
		const char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		g.line = lineno;
		if (!split_line(line, &g) || !run_case(&g, got)) {
			print_error("%s:%u: malformed case: %s", path, lineno,
				    line);
			failed++;
			continue;
		}
		cases++;
		if (strcmp(got, g.expected) != 0) {
			print_error("%s:%u: %s [%s]: expected '%s', got '%s'\n",
				    path, lineno, g.kind, g.input, g.expected,
				    got);
			failed++;
		}
	}
	fclose(f);
	print_message("calendar.txt: %u cases, %u failed\n", cases, failed);
	assert_true(cases >= 60);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchor_values),
		cmocka_unit_test(test_leap_rule),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_every_day_round_trip),
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_blanks_and_length),
		cmocka_unit_test(test_failure_leaves_output),
		cmocka_unit_test(test_parse_any_flag_optional),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_golden_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
