/* Dates: the Jalali (Solar Hijri) calendar by the 33-year arithmetic rule,
 * the proleptic Gregorian calendar, and parsing and formatting of both. */
#include "core/internal.h"

#include "amanat/date.h"

/*
 * The leap rule is the one ICU4C uses for fa_IR@calendar=persian: year y is
 * leap when (25y + 11) mod 33 < 8, so 8 years in every 33 are leap. Counted
 * from year 1, the number of leap years before y is floor((8y + 21) / 33);
 * the unit tests check this closed form against counting year by year, and
 * tests/locale/test_icu_calendar.c checks every day of 1300..1500 against ICU.
 *
 * JALALI_EPOCH is 0001/01/01 (proleptic Gregorian 0622-03-21) in days since
 * 1970-01-01; JALALI_LAST is 3000/12/30 (3622-03-20), the last supported day.
 */
#define JALALI_EPOCH (-492268)
#define JALALI_LAST 603459
#define DAYS_PER_33_YEARS (33 * 365 + 8)

/* Gregorian years that can hold a supported day: a coarse bound checked
 * before any arithmetic, so that huge years cannot overflow. */
#define GREGORIAN_YEAR_MIN 622
#define GREGORIAN_YEAR_MAX 3622

/* The Gregorian calendar repeats every 400 years of 146097 days. Dates are
 * computed in a year that starts on 1 March, so the leap day falls last. */
#define DAYS_PER_400_YEARS 146097
/* 0000-03-01 in days since 1970-01-01. */
#define MARCH_EPOCH (-719468)

static const char *const weekday_fa[7] = {
	"شنبه",	    "یکشنبه",
	"دوشنبه",   "سه‌شنبه",
	"چهارشنبه", "پنج‌شنبه",
	"جمعه",
};

static const char *const weekday_en[7] = {
	"Saturday",  "Sunday",	 "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday",
};

static const char *const month_fa[12] = {
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر",	   "آبان",     "آذر",	"دی",  "بهمن",	"اسفند",
};

static const char *const month_en[12] = {
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr",	     "Aban",	    "Azar",    "Dey", "Bahman", "Esfand",
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* ---- Jalali ---- */

bool am_jalali_is_leap(int jy)
{
	return floor_mod(25 * (int64_t)jy + 11, 33) < 8;
}

/* Days from 0001/01/01 to Farvardin 1 of year jy (any year). */
static int64_t jalali_year_start(int64_t jy)
{
	return 365 * (jy - 1) + floor_div(8 * jy + 21, 33);
}

/* Day of the year (0-based) on which month jm (1..12) begins: six months
 * of 31 days, then five of 30, then Esfand. */
static int jalali_month_start(int jm)
{
	if (jm <= 7)
		return 31 * (jm - 1);
	return 186 + 30 * (jm - 7);
}

int am_jalali_month_length(int jy, int jm)
{
	if (jm < 1 || jm > 12)
		return 0;
	if (jm <= 6)
		return 31;
	if (jm <= 11)
		return 30;
	return am_jalali_is_leap(jy) ? 30 : 29;
}

static bool jalali_year_supported(int jy)
{
	return jy >= AM_JALALI_YEAR_MIN && jy <= AM_JALALI_YEAR_MAX;
}

int am_jalali_to_date(int jy, int jm, int jd, am_date *out)
{
	int64_t days;

	if (!jalali_year_supported(jy))
		return AM_EDATE_YEAR_RANGE;
	if (jd < 1 || jd > am_jalali_month_length(jy, jm))
		return AM_EDATE_RANGE;
	days = JALALI_EPOCH + jalali_year_start(jy) + jalali_month_start(jm) +
	       jd - 1;
	*out = (am_date)days;
	return 0;
}

void am_date_to_jalali(am_date d, struct am_ymd *out)
{
	int64_t n = (int64_t)d - JALALI_EPOCH;
	int64_t jy, doy;

	/* The mean year is 12053/33 days: estimate, then step to the year
	 * whose Farvardin 1 is the last one not after n. */
	jy = floor_div(33 * n, DAYS_PER_33_YEARS) + 1;
	while (jalali_year_start(jy + 1) <= n)
		jy++;
	while (jalali_year_start(jy) > n)
		jy--;
	doy = n - jalali_year_start(jy);
	out->year = (int)jy;
	if (doy < 186) {
		out->month = (int)(doy / 31) + 1;
		out->day = (int)(doy % 31) + 1;
	} else {
		out->month = (int)((doy - 186) / 30) + 7;
		out->day = (int)((doy - 186) % 30) + 1;
	}
}

/* ---- Gregorian ---- */

bool am_gregorian_is_leap(int gy)
{
	return (gy % 4 == 0 && gy % 100 != 0) || gy % 400 == 0;
}

int am_gregorian_month_length(int gy, int gm)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	if (gm < 1 || gm > 12)
		return 0;
	if (gm == 2 && am_gregorian_is_leap(gy))
		return 29;
	return len[gm - 1];
}

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
static int64_t gregorian_days(int64_t gy, int gm, int gd)
{
	int64_t cycle, yoc, doy, doc;
	int mp;

	/* Count years from March, so January and February belong to the
	 * year before and February's length matters last. */
	if (gm <= 2)
		gy--;
	mp = gm > 2 ? gm - 3 : gm + 9; /* March = 0 … February = 11 */
	cycle = floor_div(gy, 400);
	yoc = gy - cycle * 400; /* 0..399 */
	/* Month lengths from March run 31 30 31 30 31 31 30 31 30 31 31 28:
	 * (153 mp + 2) / 5 gives the days before month mp exactly. */
	doy = (153 * mp + 2) / 5 + gd - 1;
	doc = yoc * 365 + yoc / 4 - yoc / 100 + doy;
	return cycle * DAYS_PER_400_YEARS + doc + MARCH_EPOCH;
}

int am_gregorian_to_date(int gy, int gm, int gd, am_date *out)
{
	int64_t days;

	if (gy < GREGORIAN_YEAR_MIN || gy > GREGORIAN_YEAR_MAX)
		return AM_EDATE_YEAR_RANGE;
	if (gd < 1 || gd > am_gregorian_month_length(gy, gm))
		return AM_EDATE_RANGE;
	days = gregorian_days(gy, gm, gd);
	if (days < JALALI_EPOCH || days > JALALI_LAST)
		return AM_EDATE_YEAR_RANGE;
	*out = (am_date)days;
	return 0;
}

void am_date_to_gregorian(am_date d, struct am_ymd *out)
{
	int64_t n = (int64_t)d - MARCH_EPOCH;
	int64_t cycle, doc, yoc, doy, mp;

	cycle = floor_div(n, DAYS_PER_400_YEARS);
	doc = n - cycle * DAYS_PER_400_YEARS; /* 0..146096 */
	/* Take out the leap days so far (one every 1460 days, less one a
	 * century, plus one in 400 years) to find the year of the cycle. */
	yoc = (doc - doc / 1460 + doc / 36524 - doc / 146096) / 365;
	doy = doc - (365 * yoc + yoc / 4 - yoc / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(cycle * 400 + yoc + (out->month <= 2 ? 1 : 0));
}

/* ---- Week and names ---- */

int am_date_weekday(am_date d)
{
	/* 1970-01-01 was a Thursday, day 5 of the Iranian week. */
	return (int)floor_mod((int64_t)d + 5, 7);
}

const char *am_weekday_name(int weekday, bool persian)
{
	if (weekday < 0 || weekday > 6)
		return "";
	return persian ? weekday_fa[weekday] : weekday_en[weekday];
}

const char *am_jalali_month_name(int jm, bool persian)
{
	if (jm < 1 || jm > 12)
		return "";
	return persian ? month_fa[jm - 1] : month_en[jm - 1];
}

/* ---- Parsing ---- */

/*
 * Dates and periods arrive as groups of digits (Latin, Persian or
 * Arabic-Indic, mixed freely) separated by one kind of separator, '/' or
 * '-', or as one run of digits. Lexing first and judging the shape after
 * keeps the accepted forms in one place (date_shape, period_shape).
 */
#define LEX_MAX_DIGITS 8
#define LEX_MAX_GROUPS 3

struct lexed {
	int digit[LEX_MAX_DIGITS];
	int ndigits;
	int group_len[LEX_MAX_GROUPS];
	int ngroups;
};

/* Bytes taken by a blank at s: ASCII space or tab, no-break space, and the
 * left-to-right and right-to-left marks that Persian text editors put
 * around numbers. 0 when s does not start with one. */
static size_t blank_at(const char *s, size_t len)
{
	size_t used;
	int32_t cp;

	if (s[0] == ' ' || s[0] == '\t')
		return 1;
	cp = am__utf8_decode(s, len, &used);
	if (cp == 0x00A0 || cp == 0x200E || cp == 0x200F)
		return used;
	return 0;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	size_t used;

	while (i < len && (used = blank_at(s + i, len - i)) > 0)
		i += used;
	return i;
}

static int lex_digits(const char *s, size_t len, struct lexed *lx)
{
	char sep = 0;
	size_t i, used;
	int v;

	memset(lx, 0, sizeof(*lx));
	lx->ngroups = 1;
	i = skip_blanks(s, len, 0);
	while (i < len) {
		int *cur = &lx->group_len[lx->ngroups - 1];

		v = am__digit_at(s + i, len - i, &used);
		if (v >= 0) {
			if (lx->ndigits == LEX_MAX_DIGITS)
				return AM_EDATE_SYNTAX;
			lx->digit[lx->ndigits++] = v;
			(*cur)++;
			i += used;
		} else if (s[i] == '/' || s[i] == '-') {
			if (*cur == 0 || lx->ngroups == LEX_MAX_GROUPS ||
			    (sep != 0 && s[i] != sep))
				return AM_EDATE_SYNTAX;
			sep = s[i];
			lx->ngroups++;
			i++;
		} else {
			break;
		}
	}
	i = skip_blanks(s, len, i);
	if (i != len || lx->group_len[lx->ngroups - 1] == 0)
		return AM_EDATE_SYNTAX;
	return 0;
}

/* The value of n digits from position *pos on; advances *pos. */
static int take(const struct lexed *lx, int *pos, int n)
{
	int v = 0;

	for (int k = 0; k < n; k++)
		v = v * 10 + lx->digit[(*pos)++];
	return v;
}

static bool one_or_two(int n)
{
	return n == 1 || n == 2;
}

/* YYYYMMDD, or YYYY sep M[M] sep D[D]. */
static int date_shape(const struct lexed *lx, struct am_ymd *ymd)
{
	int pos = 0;

	if (lx->ngroups == 1 && lx->ndigits == 8) {
		ymd->year = take(lx, &pos, 4);
		ymd->month = take(lx, &pos, 2);
		ymd->day = take(lx, &pos, 2);
		return 0;
	}
	if (lx->ngroups == 3 && lx->group_len[0] == 4 &&
	    one_or_two(lx->group_len[1]) && one_or_two(lx->group_len[2])) {
		ymd->year = take(lx, &pos, 4);
		ymd->month = take(lx, &pos, lx->group_len[1]);
		ymd->day = take(lx, &pos, lx->group_len[2]);
		return 0;
	}
	return AM_EDATE_SYNTAX;
}

/* YYYYMM, or YYYY sep M[M]. */
static int period_shape(const struct lexed *lx, struct am_period *p)
{
	int pos = 0;

	if (lx->ngroups == 1 && lx->ndigits == 6) {
		p->year = take(lx, &pos, 4);
		p->month = take(lx, &pos, 2);
		return 0;
	}
	if (lx->ngroups == 2 && lx->group_len[0] == 4 &&
	    one_or_two(lx->group_len[1])) {
		p->year = take(lx, &pos, 4);
		p->month = take(lx, &pos, lx->group_len[1]);
		return 0;
	}
	return AM_EDATE_SYNTAX;
}

static int parse_ymd(const char *s, size_t len, struct am_ymd *ymd)
{
	struct lexed lx;
	int err;

	err = lex_digits(s, len, &lx);
	if (err)
		return err;
	return date_shape(&lx, ymd);
}

int am_jalali_parse(const char *s, size_t len, am_date *out)
{
	struct am_ymd ymd;
	int err;

	err = parse_ymd(s, len, &ymd);
	if (err)
		return err;
	return am_jalali_to_date(ymd.year, ymd.month, ymd.day, out);
}

int am_gregorian_parse(const char *s, size_t len, am_date *out)
{
	struct am_ymd ymd;
	int err;

	err = parse_ymd(s, len, &ymd);
	if (err)
		return err;
	return am_gregorian_to_date(ymd.year, ymd.month, ymd.day, out);
}

/* Jalali years in use are 13xx and 14xx, Gregorian ones 19xx and 20xx:
 * 1700 lies well clear of both. */
#define PARSE_ANY_GREGORIAN_FROM 1700

int am_date_parse_any(const char *s, size_t len, am_date *out, bool *is_jalali)
{
	struct am_ymd ymd;
	bool jalali;
	int err;

	err = parse_ymd(s, len, &ymd);
	if (err)
		return err;
	jalali = ymd.year < PARSE_ANY_GREGORIAN_FROM;
	if (jalali)
		err = am_jalali_to_date(ymd.year, ymd.month, ymd.day, out);
	else
		err = am_gregorian_to_date(ymd.year, ymd.month, ymd.day, out);
	if (err)
		return err;
	if (is_jalali)
		*is_jalali = jalali;
	return 0;
}

/* ---- Formatting ---- */

/* Rewrite the ASCII digits of src as Persian digits (U+06F0..U+06F9) into
 * out, keeping every other byte; returns the length. */
static size_t to_persian_digits(const char *src, char out[AM_DATE_FMT_MAX])
{
	size_t n = 0;

	for (; *src != '\0'; src++) {
		if (*src >= '0' && *src <= '9') {
			if (n + 2 >= AM_DATE_FMT_MAX)
				break;
			n += am__utf8_encode(0x06F0 + (*src - '0'), out + n);
		} else {
			if (n + 1 >= AM_DATE_FMT_MAX)
				break;
			out[n++] = *src;
		}
	}
	out[n] = '\0';
	return n;
}

static size_t format_checked(char out[AM_DATE_FMT_MAX], int n)
{
	/* At most 11 + 1 + 2 + 1 + 2 bytes for any int year: never cut. */
	assert(n > 0 && n < AM_DATE_FMT_MAX);
	return (size_t)n;
}

size_t am_date_format_jalali(am_date d, bool persian_digits,
			     char out[AM_DATE_FMT_MAX])
{
	char latin[AM_DATE_FMT_MAX];
	struct am_ymd ymd;
	size_t n;

	am_date_to_jalali(d, &ymd);
	n = format_checked(latin,
			   snprintf(latin, sizeof(latin), "%04d/%02d/%02d",
				    ymd.year, ymd.month, ymd.day));
	if (persian_digits)
		return to_persian_digits(latin, out);
	memcpy(out, latin, n + 1);
	return n;
}

size_t am_date_format_gregorian(am_date d, char out[AM_DATE_FMT_MAX])
{
	struct am_ymd ymd;

	am_date_to_gregorian(d, &ymd);
	return format_checked(out,
			      snprintf(out, AM_DATE_FMT_MAX, "%04d-%02d-%02d",
				       ymd.year, ymd.month, ymd.day));
}

/* ---- Today ---- */

am_date am_date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	/* localtime_r: plain localtime shares a static buffer across
	 * threads. Without a local time the UTC day is the best guess. */
	if (localtime_r(&now, &tm) == NULL)
		return (am_date)floor_div((int64_t)now, 86400);
	return (am_date)gregorian_days((int64_t)tm.tm_year + 1900,
				       tm.tm_mon + 1, tm.tm_mday);
}

/* ---- Periods ---- */

int am_period_parse(const char *s, size_t len, struct am_period *out)
{
	struct am_period p;
	struct lexed lx;
	int err;

	err = lex_digits(s, len, &lx);
	if (err)
		return err;
	err = period_shape(&lx, &p);
	if (err)
		return err;
	if (!jalali_year_supported(p.year))
		return AM_EDATE_YEAR_RANGE;
	if (p.month < 1 || p.month > 12)
		return AM_EDATE_RANGE;
	*out = p;
	return 0;
}

size_t am_period_format(struct am_period p, char out[AM_DATE_FMT_MAX])
{
	return format_checked(out, snprintf(out, AM_DATE_FMT_MAX, "%04d/%02d",
					    p.year, p.month));
}

int am_period_first_day(struct am_period p, am_date *out)
{
	return am_jalali_to_date(p.year, p.month, 1, out);
}

int am_period_last_day(struct am_period p, am_date *out)
{
	int len = am_jalali_month_length(p.year, p.month);

	if (!jalali_year_supported(p.year))
		return AM_EDATE_YEAR_RANGE;
	if (len == 0)
		return AM_EDATE_RANGE;
	return am_jalali_to_date(p.year, p.month, len, out);
}
