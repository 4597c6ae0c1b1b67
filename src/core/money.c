/* Money: int64 rials with overflow-checked arithmetic and named rounding.
 * Products go through 128-bit intermediates, so a rate multiplication is
 * exact before its one rounding step. */
#include "core/internal.h"

typedef __int128 i128;

static const char *const round_names[] = {
	[AM_ROUND_HALF_UP] = "half_up", [AM_ROUND_HALF_EVEN] = "half_even",
	[AM_ROUND_DOWN] = "down",	[AM_ROUND_UP] = "up",
	[AM_ROUND_FLOOR] = "floor",	[AM_ROUND_CEILING] = "ceiling",
};

const char *am_round_name(enum am_round mode)
{
	if ((unsigned)mode < AM_ARRAY_SIZE(round_names))
		return round_names[mode];
	return "unknown";
}

int am_round_parse(const char *name, enum am_round *out)
{
	for (size_t i = 0; i < AM_ARRAY_SIZE(round_names); i++) {
		if (strcmp(name, round_names[i]) == 0) {
			*out = (enum am_round)i;
			return 0;
		}
	}
	return AM_EINVALID_ARGUMENT;
}

static int fit(i128 v, am_money *out)
{
	if (v > INT64_MAX || v < INT64_MIN)
		return AM_EMONEY_OVERFLOW;
	*out = (am_money)v;
	return 0;
}

int am_money_add(am_money a, am_money b, am_money *out)
{
	am_money r;

	if (__builtin_add_overflow(a, b, &r))
		return AM_EMONEY_OVERFLOW;
	*out = r;
	return 0;
}

int am_money_sub(am_money a, am_money b, am_money *out)
{
	am_money r;

	if (__builtin_sub_overflow(a, b, &r))
		return AM_EMONEY_OVERFLOW;
	*out = r;
	return 0;
}

int am_money_mul_int(am_money a, int64_t n, am_money *out)
{
	am_money r;

	if (__builtin_mul_overflow(a, n, &r))
		return AM_EMONEY_OVERFLOW;
	*out = r;
	return 0;
}

/* q = n / d rounded by mode, for d > 0, in 128 bits. */
static i128 div_round(i128 n, i128 d, enum am_round mode)
{
	i128 q, r, twice;

	/* C truncates toward zero. Most operands fit in 64 bits, whose
	 * division is one instruction; the 128-bit one is a library call
	 * (7% of the instructions of validating and assessing a line). */
	if (n >= INT64_MIN && n <= INT64_MAX && d <= INT64_MAX) {
		q = (int64_t)n / (int64_t)d;
		r = (int64_t)n % (int64_t)d;
	} else {
		q = n / d;
		r = n % d;
	}

	if (r == 0)
		return q;
	twice = (r < 0 ? -r : r) * 2;
	switch (mode) {
	case AM_ROUND_DOWN:
		return q;
	case AM_ROUND_UP:
		return n < 0 ? q - 1 : q + 1;
	case AM_ROUND_FLOOR:
		return n < 0 ? q - 1 : q;
	case AM_ROUND_CEILING:
		return n < 0 ? q : q + 1;
	case AM_ROUND_HALF_EVEN:
		if (twice == d) {
			if (q % 2 == 0)
				return q;
			return n < 0 ? q - 1 : q + 1;
		}
		AM_FALLTHROUGH;
	case AM_ROUND_HALF_UP:
	default:
		if (twice >= d)
			return n < 0 ? q - 1 : q + 1;
		return q;
	}
}

int am_money_mul_rate(am_money a, struct am_rate rate, enum am_round mode,
		      am_money *out)
{
	if (rate.den <= 0)
		return AM_ERATE_INVALID;
	/* |a| < 2^63 and |num| < 2^63: the product fits in 127 bits. */
	return fit(div_round((i128)a * rate.num, rate.den, mode), out);
}

int am_money_div_int(am_money a, int64_t n, enum am_round mode, am_money *out)
{
	if (n == 0)
		return AM_EINVALID_ARGUMENT;
	if (n < 0)
		return fit(div_round(-(i128)a, -(i128)n, mode), out);
	return fit(div_round(a, n, mode), out);
}

int am_money_round_to(am_money a, int64_t unit, enum am_round mode,
		      am_money *out)
{
	if (unit <= 0)
		return AM_EINVALID_ARGUMENT;
	return fit(div_round(a, unit, mode) * unit, out);
}

static bool is_group_sep(const char *s, size_t len, size_t *used)
{
	if (len >= 1 && s[0] == ',') {
		*used = 1;
		return true;
	}
	/* U+066C ARABIC THOUSANDS SEPARATOR, U+060C ARABIC COMMA */
	if (len >= 2 && (unsigned char)s[0] == 0xD9 &&
	    (unsigned char)s[1] == 0xAC) {
		*used = 2;
		return true;
	}
	if (len >= 2 && (unsigned char)s[0] == 0xD8 &&
	    (unsigned char)s[1] == 0x8C) {
		*used = 2;
		return true;
	}
	return false;
}

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

int am_money_parse(const char *s, size_t len, am_money *out)
{
	bool neg = false, any = false, last_sep = false;
	i128 v = 0;

	trim(&s, &len);
	if (len && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
		len--;
	}
	while (len) {
		size_t used;
		int d = am__digit_at(s, len, &used);

		if (d >= 0) {
			v = v * 10 + d;
			if (v > (i128)INT64_MAX + 1)
				return AM_EMONEY_OVERFLOW;
			any = true;
			last_sep = false;
		} else if (any && !last_sep && is_group_sep(s, len, &used)) {
			last_sep = true;
		} else {
			return AM_EMONEY_SYNTAX;
		}
		s += used;
		len -= used;
	}
	if (!any || last_sep)
		return AM_EMONEY_SYNTAX;
	return fit(neg ? -v : v, out);
}

size_t am_money_format(am_money a, bool grouped, bool persian,
		       char out[AM_MONEY_FMT_MAX])
{
	char digits[24];
	size_t nd = 0, o = 0;
	uint64_t u = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;

	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (a < 0)
		out[o++] = '-';
	for (size_t i = nd; i-- > 0;) {
		if (persian) {
			/* U+06F0 + d: 0xDB 0xB0+d */
			out[o++] = (char)0xDB;
			out[o++] = (char)(0xB0 + (digits[i] - '0'));
		} else {
			out[o++] = digits[i];
		}
		if (grouped && i > 0 && i % 3 == 0) {
			if (persian) { /* U+066C */
				out[o++] = (char)0xD9;
				out[o++] = (char)0xAC;
			} else {
				out[o++] = ',';
			}
		}
	}
	out[o] = '\0';
	return o;
}

static int64_t gcd64(int64_t a, int64_t b)
{
	if (a < 0)
		a = -a;
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a ? a : 1;
}

/* Read digits of any script into *v (scaled by 10 per digit); count them. */
static int read_digits(const char **s, size_t *len, i128 *v, int *count)
{
	*count = 0;
	while (*len) {
		size_t used;
		int d = am__digit_at(*s, *len, &used);

		if (d < 0)
			break;
		*v = *v * 10 + d;
		if (*v > INT64_MAX)
			return AM_ERATE_INVALID;
		(*count)++;
		*s += used;
		*len -= used;
	}
	return 0;
}

int am_rate_parse(const char *s, size_t len, struct am_rate *out)
{
	i128 num = 0, den = 1;
	int count, frac = 0;
	bool neg = false;
	int64_t g;

	trim(&s, &len);
	if (len && *s == '-') {
		neg = true;
		s++;
		len--;
	}
	if (read_digits(&s, &len, &num, &count) || count == 0)
		return AM_ERATE_INVALID;
	if (len && (*s == '.' || (len >= 2 && (unsigned char)s[0] == 0xD9 &&
				  (unsigned char)s[1] == 0xAB))) {
		size_t sep = *s == '.' ? 1 : 2; /* '.' or U+066B */

		s += sep;
		len -= sep;
		if (read_digits(&s, &len, &num, &frac) || frac == 0 ||
		    frac > 15)
			return AM_ERATE_INVALID;
		for (int i = 0; i < frac; i++)
			den *= 10;
	}
	if (len && (*s == '%' || (len >= 2 && (unsigned char)s[0] == 0xD9 &&
				  (unsigned char)s[1] == 0xAA))) {
		size_t pct = *s == '%' ? 1 : 2; /* '%' or U+066A '٪' */

		den *= 100;
		s += pct;
		len -= pct;
	} else if (len && *s == '/' && frac == 0) {
		i128 d = 0;

		s++;
		len--;
		if (read_digits(&s, &len, &d, &count) || count == 0 || d == 0)
			return AM_ERATE_INVALID;
		den = d;
	}
	if (len != 0 || den > INT64_MAX)
		return AM_ERATE_INVALID;
	g = gcd64((int64_t)num, (int64_t)den);
	out->num = (int64_t)num / g * (neg ? -1 : 1);
	out->den = (int64_t)den / g;
	return 0;
}

size_t am_rate_format(struct am_rate r, char out[48])
{
	int n = snprintf(out, 48, "%lld/%lld", (long long)r.num,
			 (long long)r.den);

	return n < 0 ? 0 : (size_t)n;
}

bool am_rate_eq(struct am_rate a, struct am_rate b)
{
	return (i128)a.num * b.den == (i128)b.num * a.den;
}
