/* amanat dates: days since 1970-01-01 (Gregorian), converted to and from
 * the Jalali (Solar Hijri) calendar by the 33-year arithmetic rule that ICU
 * uses (1403 is leap: 1403/12/30 is 2025-03-20), and to and from Gregorian. */
#ifndef AMANAT_DATE_H
#define AMANAT_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01; 0 is that day, negative before it. */
typedef int32_t am_date;

/* No date: an optional date that is absent (a record's NULL). */
#define AM_DATE_NONE INT32_MIN

struct am_ymd {
	int year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

/* The supported span: Jalali 0001/01/01..3000/12/30, that is Gregorian
 * 0622-03-21..3622-03-20. Conversions to an am_date and parsers refuse days
 * outside it with AM_EDATE_YEAR_RANGE; am_date_to_jalali() and
 * am_date_to_gregorian() accept any am_date (the rules extend both ways). */
#define AM_JALALI_YEAR_MIN 1
#define AM_JALALI_YEAR_MAX 3000

bool am_jalali_is_leap(int jy);
/* Days in Jalali month jm (1..12) of year jy: 31, 30, or 29/30 for Esfand.
 * 0 when jm is out of range. */
int am_jalali_month_length(int jy, int jm);
/* AM_EDATE_RANGE when the month or day does not exist, AM_EDATE_YEAR_RANGE
 * outside the supported years. */
int am_jalali_to_date(int jy, int jm, int jd, am_date *out);
void am_date_to_jalali(am_date d, struct am_ymd *out);

/* Proleptic Gregorian; month length 0 when gm is out of range.
 * am_gregorian_to_date: AM_EDATE_RANGE when the month or day does not exist,
 * AM_EDATE_YEAR_RANGE outside the supported span. */

bool am_gregorian_is_leap(int gy);
int am_gregorian_month_length(int gy, int gm);
int am_gregorian_to_date(int gy, int gm, int gd, am_date *out);
void am_date_to_gregorian(am_date d, struct am_ymd *out);

/* 0 = Saturday (شنبه) … 6 = Friday (جمعه): the Iranian week. The names
 * are static strings; "" (never NULL) when the number is out of range. */
int am_date_weekday(am_date d);
const char *am_weekday_name(int weekday, bool persian);
const char *am_jalali_month_name(int jm, bool persian);

/* Parse a Jalali date: 1403/12/30, 1403-12-30, 14031230, with Latin,
 * Persian or Arabic-Indic digits, surrounding spaces allowed. Two-digit
 * months and days may be written with one digit in the separated forms
 * (1403/1/5); the year always has four digits, and the two separators must
 * be the same. Blanks are ASCII space and tab, U+00A0, and the direction
 * marks U+200E/U+200F. Only s[0..len) is read. AM_EDATE_SYNTAX,
 * AM_EDATE_RANGE or AM_EDATE_YEAR_RANGE; *out is untouched on failure. */
int am_jalali_parse(const char *s, size_t len, am_date *out);
/* Parse a Gregorian date: 2025-03-20, 2025/03/20, 20250320. */
int am_gregorian_parse(const char *s, size_t len, am_date *out);
/* Parse either calendar: a year below 1700 is read as Jalali, from 1700 on
 * as Gregorian. *is_jalali (may be NULL) says which one was read. */
int am_date_parse_any(const char *s, size_t len, am_date *out, bool *is_jalali);

/* Formats: "1403/12/30" (Latin or Persian digits), "2025-03-20".
 * Need at most AM_DATE_FMT_MAX bytes; return the length. */
#define AM_DATE_FMT_MAX 48
size_t am_date_format_jalali(am_date d, bool persian_digits,
			     char out[AM_DATE_FMT_MAX]);
size_t am_date_format_gregorian(am_date d, char out[AM_DATE_FMT_MAX]);

/* Today's date in the local time zone (Iran by default in deployments). */
am_date am_date_today(void);

/* A wage-list period: a Jalali (year, month). */
struct am_period {
	int year;
	int month;
};
/* Parse "1403/07", "1403-07", "140307" (any digits; 1403/7 too). */
int am_period_parse(const char *s, size_t len, struct am_period *out);
size_t am_period_format(struct am_period p, char out[AM_DATE_FMT_MAX]);
/* First and last day of the period; AM_EDATE_RANGE or AM_EDATE_YEAR_RANGE
 * for a period that does not exist. */
int am_period_first_day(struct am_period p, am_date *out);
int am_period_last_day(struct am_period p, am_date *out);

#endif
