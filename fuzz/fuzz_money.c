/* Fuzz money: text goes to the amount and rate parsers and must survive a
 * format-and-parse round trip; the first 25 bytes, read as numbers, must
 * give the arithmetic the same answer as an independent oracle. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef __int128 i128;

#define SENTINEL ((am_money)0x5A5A5A5A5A5A5A5A)

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* n / d rounded by mode, from the floor and a remainder in [0, d): not the
 * truncation money.c starts from. */
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
	rem = n - fl * d;
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
		return fl % 2 == 0 ? fl : ce;
	}
	abort();
}

static bool fits(i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* The call gave want when it fits, else an overflow and no write. */
static void expect(int err, am_money out, i128 want)
{
	if (fits(want))
		check(err == 0 && out == (am_money)want);
	else
		check(err == AM_EMONEY_OVERFLOW && out == SENTINEL);
}

static void fuzz_parse(const char *s, size_t len)
{
	am_money a = SENTINEL;
	int err = am_money_parse(s, len, &a);

	if (err) {
		check(err == AM_EMONEY_SYNTAX || err == AM_EMONEY_OVERFLOW);
		check(a == SENTINEL);
		return;
	}
	for (int f = 0; f < 4; f++) {
		char text[AM_MONEY_FMT_MAX];
		am_money back = SENTINEL;
		size_t n = am_money_format(a, f & 1, f & 2, text);

		check(n < AM_MONEY_FMT_MAX && strlen(text) == n);
		check(am_money_parse(text, n, &back) == 0 && back == a);
	}
}

static int64_t gcd(int64_t a, int64_t b)
{
	uint64_t x = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, y = (uint64_t)b;

	while (y) {
		uint64_t t = x % y;

		x = y;
		y = t;
	}
	return (int64_t)x;
}

static void fuzz_rate(const char *s, size_t len)
{
	struct am_rate r = { 99, 99 }, back;
	char text[48];
	size_t n;
	int err = am_rate_parse(s, len, &r);

	if (err) {
		check(err == AM_ERATE_INVALID && r.num == 99 && r.den == 99);
		return;
	}
	check(r.den > 0 && gcd(r.num, r.den) == 1);
	n = am_rate_format(r, text);
	check(n > 0 && n < sizeof(text));
	check(am_rate_parse(text, n, &back) == 0);
	check(back.num == r.num && back.den == r.den);
	check(am_rate_eq(r, back));
}

static int64_t read64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void fuzz_arithmetic(const uint8_t *data)
{
	am_money a = read64(data), out;
	int64_t num = read64(data + 8), den = read64(data + 16);
	enum am_round mode = (enum am_round)(data[24] % 6);
	int err;

	out = SENTINEL;
	err = am_money_mul_rate(a, (struct am_rate){ num, den }, mode, &out);
	if (den <= 0)
		check(err == AM_ERATE_INVALID && out == SENTINEL);
	else
		expect(err, out, oracle_round((i128)a * num, den, mode));

	out = SENTINEL;
	err = am_money_div_int(a, den, mode, &out);
	if (den == 0)
		check(err == AM_EINVALID_ARGUMENT && out == SENTINEL);
	else
		expect(err, out, oracle_round(a, den, mode));

	out = SENTINEL;
	err = am_money_round_to(a, den, mode, &out);
	if (den <= 0)
		check(err == AM_EINVALID_ARGUMENT && out == SENTINEL);
	else
		expect(err, out, oracle_round(a, den, mode) * den);

	/* The call comes before expect() reads out. */
	out = SENTINEL;
	err = am_money_add(a, num, &out);
	expect(err, out, (i128)a + num);
	out = SENTINEL;
	err = am_money_sub(a, num, &out);
	expect(err, out, (i128)a - num);
	out = SENTINEL;
	err = am_money_mul_int(a, num, &out);
	expect(err, out, (i128)a * num);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse((const char *)data, size);
	fuzz_rate((const char *)data, size);
	if (size >= 25)
		fuzz_arithmetic(data);
	return 0;
}
