/* Unit tests of money (src/core/money.c): overflow at the int64 limits, every
 * rounding mode against tables and an independent oracle, parsing and
 * formatting in the three digit scripts, exact rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/money.h"

#define SENTINEL ((am_money)0x5A5A5A5A5A5A5A5A)

static const enum am_round modes[] = {
	AM_ROUND_HALF_UP, AM_ROUND_HALF_EVEN, AM_ROUND_DOWN,
	AM_ROUND_UP,	  AM_ROUND_FLOOR,     AM_ROUND_CEILING,
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

/* ---- An independent oracle ----
 *
 * money.c rounds from the truncated quotient. The oracle starts from the
 * floor instead and decides each mode from the remainder in [0, d) and the
 * sign of the exact value, so a slip in either is unlikely to be shared.
 */
typedef __int128 i128;

static i128 oracle_round(i128 n, i128 d, enum am_round mode)
{
	i128 fl, rem, ce;

	if (d < 0) {
		n = -n;
		d = -d;
	}
	fl = n / d;
	if (n % d != 0 && n < 0)
		fl -= 1;
	rem = n - fl * d; /* 0 <= rem < d */
	ce = rem ? fl + 1 : fl;
	if (rem == 0)
		return fl;
	switch (mode) {
	case AM_ROUND_FLOOR:
		return fl;
	case AM_ROUND_CEILING:
		return ce;
	case AM_ROUND_DOWN:
		return n >= 0 ? fl : ce;
	case AM_ROUND_UP:
		return n >= 0 ? ce : fl;
	case AM_ROUND_HALF_UP:
		if (2 * rem != d)
			return 2 * rem < d ? fl : ce;
		return n >= 0 ? ce : fl;
	case AM_ROUND_HALF_EVEN:
		if (2 * rem != d)
			return 2 * rem < d ? fl : ce;
		return (fl % 2 == 0) ? fl : ce;
	}
	fail_msg("unknown mode %d", (int)mode);
	return 0;
}

static bool oracle_fits(i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* A small deterministic generator, so that runs repeat. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Values near the edges are the interesting ones. */
static int64_t pick(uint64_t *x)
{
	static const int64_t edge[] = {
		0,
		1,
		-1,
		2,
		-2,
		5,
		-5,
		7,
		50,
		INT64_MAX,
		INT64_MIN,
		INT64_MAX - 1,
		INT64_MIN + 1,
		INT64_MAX / 2,
		INT64_MIN / 2,
		71661840,
		100,
		1000000007,
	};
	uint64_t r = next_rand(x);

	switch (r % 4) {
	case 0:
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return (int64_t)(next_rand(x) % 2001) - 1000;
	case 2:
		return (int64_t)(next_rand(x) % 200000001) - 100000000;
	default:
		return (int64_t)next_rand(x);
	}
}

/* ---- Rounding names ---- */

static void test_round_names(void **state)
{
	static const char *const names[] = {
		"half_up", "half_even", "down", "up", "floor", "ceiling"
	};
	enum am_round r = AM_ROUND_DOWN;

	(void)state;
	for (size_t i = 0; i < NMODES; i++) {
		assert_string_equal(am_round_name(modes[i]), names[i]);
		assert_int_equal(am_round_parse(names[i], &r), 0);
		assert_int_equal(r, modes[i]);
	}
	assert_string_equal(am_round_name((enum am_round)99), "unknown");
	r = AM_ROUND_FLOOR;
	assert_int_equal(am_round_parse("HALF_UP", &r), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_round_parse("", &r), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_round_parse("half", &r), AM_EINVALID_ARGUMENT);
	assert_int_equal(r, AM_ROUND_FLOOR);
}

/* ---- Overflow at the limits ---- */

static void expect_overflow(int err, am_money out)
{
	assert_int_equal(err, AM_EMONEY_OVERFLOW);
	assert_true(out == SENTINEL);
}

static void test_add_sub_limits(void **state)
{
	am_money out = SENTINEL;

	(void)state;
	expect_overflow(am_money_add(INT64_MAX, 1, &out), out);
	expect_overflow(am_money_add(INT64_MIN, -1, &out), out);
	expect_overflow(am_money_add(INT64_MAX, INT64_MAX, &out), out);
	expect_overflow(am_money_add(INT64_MIN, INT64_MIN, &out), out);
	expect_overflow(am_money_sub(INT64_MIN, 1, &out), out);
	expect_overflow(am_money_sub(INT64_MAX, -1, &out), out);
	expect_overflow(am_money_sub(0, INT64_MIN, &out), out);
	expect_overflow(am_money_sub(-2, INT64_MAX, &out), out);

	assert_int_equal(am_money_add(INT64_MAX - 1, 1, &out), 0);
	assert_true(out == INT64_MAX);
	assert_int_equal(am_money_add(INT64_MIN + 1, -1, &out), 0);
	assert_true(out == INT64_MIN);
	assert_int_equal(am_money_add(INT64_MAX, INT64_MIN, &out), 0);
	assert_true(out == -1);
	assert_int_equal(am_money_sub(-1, INT64_MAX, &out), 0);
	assert_true(out == INT64_MIN);
	assert_int_equal(am_money_sub(0, INT64_MAX, &out), 0);
	assert_true(out == -INT64_MAX);
}

static void test_mul_int_limits(void **state)
{
	am_money out = SENTINEL;

	(void)state;
	expect_overflow(am_money_mul_int(INT64_MIN, -1, &out), out);
	expect_overflow(am_money_mul_int(-1, INT64_MIN, &out), out);
	expect_overflow(am_money_mul_int(INT64_MAX, 2, &out), out);
	expect_overflow(am_money_mul_int(INT64_MAX / 2 + 1, 2, &out), out);
	expect_overflow(am_money_mul_int(INT64_MIN / 2 - 1, 2, &out), out);
	expect_overflow(am_money_mul_int(3037000500, 3037000500, &out), out);

	assert_int_equal(am_money_mul_int(INT64_MAX / 2, 2, &out), 0);
	assert_true(out == INT64_MAX - 1);
	assert_int_equal(am_money_mul_int(INT64_MIN / 2, 2, &out), 0);
	assert_true(out == INT64_MIN);
	assert_int_equal(am_money_mul_int(INT64_MAX, -1, &out), 0);
	assert_true(out == -INT64_MAX);
	assert_int_equal(am_money_mul_int(3037000499, 3037000499, &out), 0);
	assert_true(out == INT64_C(9223372030926249001));
	assert_int_equal(am_money_mul_int(INT64_MIN, 0, &out), 0);
	assert_true(out == 0);
}

static void test_mul_rate_limits(void **state)
{
	struct am_rate one = { 1, 1 }, two = { 2, 1 }, minus = { -1, 1 };
	am_money out = SENTINEL;

	(void)state;
	expect_overflow(am_money_mul_rate(INT64_MAX, two, AM_ROUND_DOWN, &out),
			out);
	expect_overflow(
		am_money_mul_rate(INT64_MIN, minus, AM_ROUND_DOWN, &out), out);
	/* INT64_MIN × (INT64_MIN / INT64_MAX) is just above 2^63. */
	expect_overflow(
		am_money_mul_rate(INT64_MIN,
				  (struct am_rate){ INT64_MIN, INT64_MAX },
				  AM_ROUND_DOWN, &out),
		out);
	/* Rounding itself can overflow: INT64_MAX + 0.5 rounded up. */
	expect_overflow(
		am_money_mul_rate(INT64_MAX,
				  (struct am_rate){ INT64_MAX, INT64_MAX - 1 },
				  AM_ROUND_CEILING, &out),
		out);
	assert_int_equal(am_money_mul_rate(INT64_MAX, one, AM_ROUND_UP, &out),
			 0);
	assert_true(out == INT64_MAX);
	assert_int_equal(
		am_money_mul_rate(INT64_MAX,
				  (struct am_rate){ INT64_MAX, INT64_MAX },
				  AM_ROUND_UP, &out),
		0);
	assert_true(out == INT64_MAX);
	assert_int_equal(am_money_mul_rate(INT64_MIN, (struct am_rate){ 1, 2 },
					   AM_ROUND_UP, &out),
			 0);
	assert_true(out == INT64_MIN / 2);
	assert_int_equal(am_money_mul_rate(INT64_MIN, one, AM_ROUND_UP, &out),
			 0);
	assert_true(out == INT64_MIN);

	out = SENTINEL;
	assert_int_equal(am_money_mul_rate(100, (struct am_rate){ 7, 0 },
					   AM_ROUND_DOWN, &out),
			 AM_ERATE_INVALID);
	assert_int_equal(am_money_mul_rate(100, (struct am_rate){ 7, -100 },
					   AM_ROUND_DOWN, &out),
			 AM_ERATE_INVALID);
	assert_true(out == SENTINEL);
}

/* ---- Rounding tables ---- */

/* Each row: a value num/den and what each mode makes of it, in the order
 * half_up, half_even, down, up, floor, ceiling. */
struct round_row {
	am_money a;
	struct am_rate r;
	am_money want[6];
};

static const struct round_row rows[] = {
	/* 2.5 and -2.5: halves */
	{ 5, { 1, 2 }, { 3, 2, 2, 3, 2, 3 } },
	{ -5, { 1, 2 }, { -3, -2, -2, -3, -3, -2 } },
	{ 5, { -1, 2 }, { -3, -2, -2, -3, -3, -2 } },
	/* 3.5 and -3.5: the even neighbour is above */
	{ 7, { 1, 2 }, { 4, 4, 3, 4, 3, 4 } },
	{ -7, { 1, 2 }, { -4, -4, -3, -4, -4, -3 } },
	/* 0.5 and -0.5 */
	{ 1, { 1, 2 }, { 1, 0, 0, 1, 0, 1 } },
	{ -1, { 1, 2 }, { -1, 0, 0, -1, -1, 0 } },
	/* 2.4999 and 2.4999995: just below a half */
	{ 24999, { 1, 10000 }, { 2, 2, 2, 3, 2, 3 } },
	{ -24999, { 1, 10000 }, { -2, -2, -2, -3, -3, -2 } },
	{ 4999999, { 1, 2000000 }, { 2, 2, 2, 3, 2, 3 } },
	/* 2.5001: just above */
	{ 25001, { 1, 10000 }, { 3, 3, 2, 3, 2, 3 } },
	{ -25001, { 1, 10000 }, { -3, -3, -2, -3, -3, -2 } },
	/* exact values are left alone */
	{ 4, { 1, 2 }, { 2, 2, 2, 2, 2, 2 } },
	{ -4, { 1, 2 }, { -2, -2, -2, -2, -2, -2 } },
	{ 0, { 7, 100 }, { 0, 0, 0, 0, 0, 0 } },
	/* 7% of 71,661,840 rials = 5,016,328.8 */
	{ 71661840,
	  { 7, 100 },
	  { 5016329, 5016329, 5016328, 5016329, 5016328, 5016329 } },
	{ -71661840,
	  { 7, 100 },
	  { -5016329, -5016329, -5016328, -5016329, -5016329, -5016328 } },
	/* 23% of 71,661,840 = 16,482,223.2; 3% = 2,149,855.2 */
	{ 71661840,
	  { 23, 100 },
	  { 16482223, 16482223, 16482223, 16482224, 16482223, 16482224 } },
	{ 71661840,
	  { 3, 100 },
	  { 2149855, 2149855, 2149855, 2149856, 2149855, 2149856 } },
	/* 1/3 and 2/3 */
	{ 10, { 1, 3 }, { 3, 3, 3, 4, 3, 4 } },
	{ 20, { 1, 3 }, { 7, 7, 6, 7, 6, 7 } },
	{ -20, { 1, 3 }, { -7, -7, -6, -7, -7, -6 } },
	/* 1.5% of 1,234,567 = 18,518.505 */
	{ 1234567, { 3, 200 }, { 18519, 18519, 18518, 18519, 18518, 18519 } },
	/* 12.5 with an even 12 below */
	{ 25, { 1, 2 }, { 13, 12, 12, 13, 12, 13 } },
};

static void test_rounding_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (size_t m = 0; m < NMODES; m++) {
			am_money out = SENTINEL;
			int err = am_money_mul_rate(rows[i].a, rows[i].r,
						    modes[m], &out);

			if (err || out != rows[i].want[m])
				fail_msg("row %zu (%lld × %lld/%lld), %s: "
					 "expected %lld, got %lld (err %d)",
					 i, (long long)rows[i].a,
					 (long long)rows[i].r.num,
					 (long long)rows[i].r.den,
					 am_round_name(modes[m]),
					 (long long)rows[i].want[m],
					 (long long)out, err);
			/* The oracle agrees with the table. */
			assert_true(
				oracle_round((i128)rows[i].a * rows[i].r.num,
					     rows[i].r.den,
					     modes[m]) == rows[i].want[m]);
		}
	}
}

static void test_div_int_and_round_to(void **state)
{
	static const am_money div_want[6] = { -4, -4, -3, -4, -4, -3 };
	static const am_money to_want[6] = { 13000, 12000, 12000,
					     13000, 12000, 13000 };
	static const am_money neg_want[6] = { -13000, -12000, -12000,
					      -13000, -13000, -12000 };
	am_money out = SENTINEL;

	(void)state;
	for (size_t m = 0; m < NMODES; m++) {
		/* 7 / -2 = -3.5 */
		assert_int_equal(am_money_div_int(7, -2, modes[m], &out), 0);
		assert_true(out == div_want[m]);
		assert_int_equal(am_money_div_int(-7, 2, modes[m], &out), 0);
		assert_true(out == div_want[m]);
		/* 12,500 to thousands */
		assert_int_equal(am_money_round_to(12500, 1000, modes[m], &out),
				 0);
		assert_true(out == to_want[m]);
		assert_int_equal(
			am_money_round_to(-12500, 1000, modes[m], &out), 0);
		assert_true(out == neg_want[m]);
	}
	/* Rials to whole tomans. */
	assert_int_equal(am_money_round_to(71661845, 10, AM_ROUND_DOWN, &out),
			 0);
	assert_true(out == 71661840);

	out = SENTINEL;
	assert_int_equal(am_money_div_int(5, 0, AM_ROUND_DOWN, &out),
			 AM_EINVALID_ARGUMENT);
	expect_overflow(am_money_div_int(INT64_MIN, -1, AM_ROUND_DOWN, &out),
			out);
	assert_int_equal(am_money_round_to(5, 0, AM_ROUND_DOWN, &out),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_money_round_to(5, -10, AM_ROUND_DOWN, &out),
			 AM_EINVALID_ARGUMENT);
	expect_overflow(am_money_round_to(INT64_MAX, 10, AM_ROUND_UP, &out),
			out);
	expect_overflow(
		am_money_round_to(INT64_MIN, 1000, AM_ROUND_FLOOR, &out), out);
	assert_int_equal(am_money_div_int(INT64_MIN, 1, AM_ROUND_UP, &out), 0);
	assert_true(out == INT64_MIN);
	assert_int_equal(am_money_round_to(INT64_MAX, 1, AM_ROUND_UP, &out), 0);
	assert_true(out == INT64_MAX);
}

/* Thousands of products, quotients and roundings against the oracle, with
 * values drawn near the limits as often as from the middle. */
static void test_against_oracle(void **state)
{
	uint64_t x = 0x9E3779B97F4A7C15u;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		am_money a = pick(&x), out = SENTINEL;
		int64_t num = pick(&x), den = pick(&x);
		enum am_round mode = modes[next_rand(&x) % NMODES];
		struct am_rate r = { num, den };
		int err = am_money_mul_rate(a, r, mode, &out);
		i128 want;

		if (den <= 0) {
			assert_int_equal(err, AM_ERATE_INVALID);
		} else {
			want = oracle_round((i128)a * num, den, mode);
			if (!oracle_fits(want)) {
				expect_overflow(err, out);
			} else if (err || out != (am_money)want) {
				fail_msg("%lld × %lld/%lld %s: expected %lld, "
					 "got %lld (err %d)",
					 (long long)a, (long long)num,
					 (long long)den, am_round_name(mode),
					 (long long)want, (long long)out, err);
			}
		}

		out = SENTINEL;
		err = am_money_div_int(a, den, mode, &out);
		if (den == 0) {
			assert_int_equal(err, AM_EINVALID_ARGUMENT);
		} else {
			want = oracle_round(a, den, mode);
			if (!oracle_fits(want))
				expect_overflow(err, out);
			else
				assert_true(err == 0 && out == (am_money)want);
		}

		out = SENTINEL;
		err = am_money_round_to(a, den, mode, &out);
		if (den <= 0) {
			assert_int_equal(err, AM_EINVALID_ARGUMENT);
		} else {
			want = oracle_round(a, den, mode) * den;
			if (!oracle_fits(want))
				expect_overflow(err, out);
			else
				assert_true(err == 0 && out == (am_money)want);
		}

		out = SENTINEL;
		err = am_money_add(a, num, &out);
		want = (i128)a + num;
		if (!oracle_fits(want))
			expect_overflow(err, out);
		else
			assert_true(err == 0 && out == (am_money)want);
		out = SENTINEL;
		err = am_money_sub(a, num, &out);
		want = (i128)a - num;
		if (!oracle_fits(want))
			expect_overflow(err, out);
		else
			assert_true(err == 0 && out == (am_money)want);
		out = SENTINEL;
		err = am_money_mul_int(a, num, &out);
		want = (i128)a * num;
		if (!oracle_fits(want))
			expect_overflow(err, out);
		else
			assert_true(err == 0 && out == (am_money)want);
	}
}

/* ---- Parsing and formatting ---- */

static int parse(const char *s, am_money *out)
{
	return am_money_parse(s, strlen(s), out);
}

static void expect_parse(const char *s, am_money want)
{
	am_money out = SENTINEL;
	int err = parse(s, &out);

	if (err || out != want)
		fail_msg("'%s': expected %lld, got %lld (err %d)", s,
			 (long long)want, (long long)out, err);
}

static void expect_parse_error(const char *s, int want)
{
	am_money out = SENTINEL;

	assert_int_equal(parse(s, &out), want);
	assert_true(out == SENTINEL);
}

static void test_parse(void **state)
{
	(void)state;
	expect_parse("0", 0);
	expect_parse("1234567", 1234567);
	expect_parse("1,234,567", 1234567);
	expect_parse("۱٬۲۳۴٬۵۶۷", 1234567);   /* Persian, U+066C */
	expect_parse("١٬٢٣٤٬٥٦٧", 1234567);   /* Arabic-Indic */
	expect_parse("۷۱،۶۶۱،۸۴۰", 71661840); /* U+060C ARABIC COMMA */
	expect_parse("۱,۲۳۴", 1234);
	expect_parse(" \t-5 \t", -5);
	expect_parse("+5", 5);
	expect_parse("-۱۲", -12);
	expect_parse("000012", 12);
	expect_parse("-0", 0);
	expect_parse("9223372036854775807", INT64_MAX);
	expect_parse("9,223,372,036,854,775,807", INT64_MAX);
	expect_parse("-9223372036854775808", INT64_MIN);
	expect_parse("-۹۲۲۳۳۷۲۰۳۶۸۵۴۷۷۵۸۰۸", INT64_MIN);

	expect_parse_error("9223372036854775808", AM_EMONEY_OVERFLOW);
	expect_parse_error("-9223372036854775809", AM_EMONEY_OVERFLOW);
	expect_parse_error("99999999999999999999999", AM_EMONEY_OVERFLOW);
	expect_parse_error("", AM_EMONEY_SYNTAX);
	expect_parse_error("   ", AM_EMONEY_SYNTAX);
	expect_parse_error("-", AM_EMONEY_SYNTAX);
	expect_parse_error("--5", AM_EMONEY_SYNTAX);
	expect_parse_error("- 5", AM_EMONEY_SYNTAX);
	expect_parse_error("1,,000", AM_EMONEY_SYNTAX);
	expect_parse_error(",100", AM_EMONEY_SYNTAX);
	expect_parse_error("100,", AM_EMONEY_SYNTAX);
	expect_parse_error("1 000", AM_EMONEY_SYNTAX);
	expect_parse_error("12a", AM_EMONEY_SYNTAX);
	expect_parse_error("1.5", AM_EMONEY_SYNTAX);
	expect_parse_error("۱۲\xDB", AM_EMONEY_SYNTAX); /* cut digit */
	expect_parse_error("5-", AM_EMONEY_SYNTAX);
}

static void test_parse_len(void **state)
{
	char zeros[3000];
	am_money out = SENTINEL;

	(void)state;
	/* Only s[0..len) is read. */
	assert_int_equal(am_money_parse("12345", 3, &out), 0);
	assert_true(out == 123);
	assert_int_equal(am_money_parse("۱۲۳", 4, &out), 0);
	assert_true(out == 12);
	out = SENTINEL;
	assert_int_equal(am_money_parse("۱۲۳", 5, &out), AM_EMONEY_SYNTAX);
	assert_true(out == SENTINEL);
	/* Many leading zeros are not an overflow. */
	memset(zeros, '0', sizeof(zeros));
	zeros[sizeof(zeros) - 1] = '7';
	assert_int_equal(am_money_parse(zeros, sizeof(zeros), &out), 0);
	assert_true(out == 7);
}

static void expect_format(am_money a, bool grouped, bool persian,
			  const char *want)
{
	char out[AM_MONEY_FMT_MAX];
	size_t n = am_money_format(a, grouped, persian, out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_format(void **state)
{
	(void)state;
	expect_format(0, true, false, "0");
	expect_format(0, true, true, "۰");
	expect_format(999, true, false, "999");
	expect_format(1000, true, false, "1,000");
	expect_format(-1000, true, false, "-1,000");
	expect_format(100000, true, false, "100,000");
	expect_format(1234567, true, false, "1,234,567");
	expect_format(1234567, false, false, "1234567");
	expect_format(1234567, true, true, "۱٬۲۳۴٬۵۶۷");
	expect_format(1234567, false, true, "۱۲۳۴۵۶۷");
	expect_format(-71661840, true, true, "-۷۱٬۶۶۱٬۸۴۰");
	expect_format(INT64_MAX, true, false, "9,223,372,036,854,775,807");
	expect_format(INT64_MIN, true, false, "-9,223,372,036,854,775,808");
	expect_format(INT64_MIN, false, false, "-9223372036854775808");
	/* The longest output fits with room to spare. */
	expect_format(INT64_MIN, true, true, "-۹٬۲۲۳٬۳۷۲٬۰۳۶٬۸۵۴٬۷۷۵٬۸۰۸");
}

/* Whatever is formatted parses back to the same amount, in every form. */
static void test_format_parse_round_trip(void **state)
{
	uint64_t x = 12345;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		am_money a = pick(&x);

		for (int f = 0; f < 4; f++) {
			char text[AM_MONEY_FMT_MAX];
			am_money back = SENTINEL;
			size_t n = am_money_format(a, f & 1, f & 2, text);

			assert_true(n < AM_MONEY_FMT_MAX);
			assert_int_equal(am_money_parse(text, n, &back), 0);
			assert_true(back == a);
		}
	}
}

/* ---- Rates ---- */

static void expect_rate(const char *s, int64_t num, int64_t den)
{
	struct am_rate r = { 99, 99 };
	int err = am_rate_parse(s, strlen(s), &r);

	if (err || r.num != num || r.den != den)
		fail_msg("'%s': expected %lld/%lld, got %lld/%lld (err %d)", s,
			 (long long)num, (long long)den, (long long)r.num,
			 (long long)r.den, err);
}

static void expect_rate_error(const char *s)
{
	struct am_rate r = { 99, 99 };

	assert_int_equal(am_rate_parse(s, strlen(s), &r), AM_ERATE_INVALID);
	assert_true(r.num == 99 && r.den == 99);
}

static void test_rate_parse(void **state)
{
	(void)state;
	expect_rate("7%", 7, 100);
	expect_rate("7/100", 7, 100);
	expect_rate("0.07", 7, 100);
	expect_rate(" 7% ", 7, 100);
	/* U+066A ARABIC PERCENT SIGN, the one Persian text uses */
	expect_rate("۷٪", 7, 100);
	expect_rate("٧٪", 7, 100);
	expect_rate("7٪", 7, 100);
	expect_rate("۷%", 7, 100);
	expect_rate("۲۳٪", 23, 100);
	expect_rate("۱٫۵٪", 3, 200); /* U+066B decimal separator */
	expect_rate("1.5%", 3, 200);
	expect_rate("3/4", 3, 4);
	expect_rate("6/8", 3, 4);
	expect_rate("۳/۴", 3, 4);
	expect_rate("100%", 1, 1);
	expect_rate("0%", 0, 1);
	expect_rate("0", 0, 1);
	expect_rate("2", 2, 1);
	expect_rate("-7%", -7, 100);
	expect_rate("0.000000000000001", 1, INT64_C(1000000000000000));
	expect_rate("0.000000000000001%", 1, INT64_C(100000000000000000));
	expect_rate("9223372036854775807/9223372036854775807", 1, 1);
	expect_rate("9223372036854775807", INT64_MAX, 1);

	expect_rate_error("");
	expect_rate_error("%");
	expect_rate_error("٪");
	expect_rate_error("7%%");
	expect_rate_error("7٪٪");
	expect_rate_error("7 %");
	expect_rate_error("7/0");
	expect_rate_error("7/");
	expect_rate_error("/7");
	expect_rate_error(".5");
	expect_rate_error("5.");
	expect_rate_error("0.5/2");
	expect_rate_error("7/100%");
	expect_rate_error("0.0000000000000001"); /* 16 decimals */
	expect_rate_error("9223372036854775808");
	expect_rate_error("1/9223372036854775808");
	expect_rate_error("7\xD9");	/* half a '٪' */
	expect_rate_error("7\xD9\xAB"); /* '٫' with no decimals */
	expect_rate_error("abc");
}

static void test_rate_format_eq(void **state)
{
	char out[48];

	(void)state;
	assert_int_equal(am_rate_format((struct am_rate){ 7, 100 }, out), 5);
	assert_string_equal(out, "7/100");
	am_rate_format((struct am_rate){ INT64_MIN, INT64_MAX }, out);
	assert_string_equal(out, "-9223372036854775808/9223372036854775807");
	assert_true(am_rate_eq((struct am_rate){ 7, 100 },
			       (struct am_rate){ 14, 200 }));
	assert_true(
		am_rate_eq((struct am_rate){ 0, 1 }, (struct am_rate){ 0, 7 }));
	assert_false(
		am_rate_eq((struct am_rate){ 1, 3 }, (struct am_rate){ 1, 4 }));
	assert_false(
		am_rate_eq((struct am_rate){ INT64_MAX, INT64_MAX - 1 },
			   (struct am_rate){ INT64_MAX - 1, INT64_MAX - 2 }));
}

/* A parsed rate, formatted and parsed again, is the same reduced rate. */
static void test_rate_round_trip(void **state)
{
	static const char *const texts[] = { "7%",  "۷٪",  "0.07", "1.5%",
					     "3/4", "6/8", "-2/6", "0.125",
					     "33%", "1/3" };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct am_rate r, back;
		char out[48];
		size_t n;

		assert_int_equal(am_rate_parse(texts[i], strlen(texts[i]), &r),
				 0);
		n = am_rate_format(r, out);
		assert_int_equal(am_rate_parse(out, n, &back), 0);
		assert_true(back.num == r.num && back.den == r.den);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_names),
		cmocka_unit_test(test_add_sub_limits),
		cmocka_unit_test(test_mul_int_limits),
		cmocka_unit_test(test_mul_rate_limits),
		cmocka_unit_test(test_rounding_table),
		cmocka_unit_test(test_div_int_and_round_to),
		cmocka_unit_test(test_against_oracle),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_rate_parse),
		cmocka_unit_test(test_rate_format_eq),
		cmocka_unit_test(test_rate_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
