/* amanat money: signed 64-bit counts of rials. Every operation checks for
 * overflow; every one that can lose precision names its rounding mode. No
 * floating point touches money. Model: PostgreSQL cash.c. */
#ifndef AMANAT_MONEY_H
#define AMANAT_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t am_money;

/* An exact rate num/den, den > 0: 7% is {7, 100}, 3/4 is {3, 4}. */
struct am_rate {
	int64_t num;
	int64_t den;
};

/* How a division that does not come out even is rounded. The names
 * (am_round_name) are the ones rule files use. */
enum am_round {
	AM_ROUND_HALF_UP = 0, /* to nearest, halves away from zero ("half_up") */
	AM_ROUND_HALF_EVEN,   /* to nearest, halves to even ("half_even") */
	AM_ROUND_DOWN,	      /* toward zero ("down") */
	AM_ROUND_UP,	      /* away from zero ("up") */
	AM_ROUND_FLOOR,	      /* toward minus infinity ("floor") */
	AM_ROUND_CEILING,     /* toward plus infinity ("ceiling") */
};

const char *am_round_name(enum am_round mode);
/* 0 and *out set, or AM_EINVALID_ARGUMENT for an unknown name. */
int am_round_parse(const char *name, enum am_round *out);

/* *out = a + b, a - b, a × n. AM_EMONEY_OVERFLOW leaves *out unchanged. */
int am_money_add(am_money a, am_money b, am_money *out);
int am_money_sub(am_money a, am_money b, am_money *out);
int am_money_mul_int(am_money a, int64_t n, am_money *out);
/* *out = a × rate, rounded by mode. AM_ERATE_INVALID when den <= 0,
 * AM_EMONEY_OVERFLOW when the result does not fit. */
int am_money_mul_rate(am_money a, struct am_rate rate, enum am_round mode,
		      am_money *out);
/* *out = a / n, rounded by mode. AM_EINVALID_ARGUMENT when n is 0. */
int am_money_div_int(am_money a, int64_t n, enum am_round mode, am_money *out);
/* Round a to a multiple of unit (> 0), by mode: rounding to whole tomans
 * or thousands of rials. */
int am_money_round_to(am_money a, int64_t unit, enum am_round mode,
		      am_money *out);

/* Parse a whole number of rials: optional sign, digits of any script
 * (Latin, Persian, Arabic-Indic), optional group separators (',' '٬' '،'),
 * surrounding spaces. AM_EMONEY_SYNTAX or AM_EMONEY_OVERFLOW. */
int am_money_parse(const char *s, size_t len, am_money *out);

/* Format with group separators. Persian digits and '٬' when persian is
 * true. Needs at most AM_MONEY_FMT_MAX bytes; returns the length. */
#define AM_MONEY_FMT_MAX 64
size_t am_money_format(am_money a, bool grouped, bool persian,
		       char out[AM_MONEY_FMT_MAX]);

/* Parse an exact rate: "7%", "7/100", "0.07", "1.5%", "3/4" (digits of
 * any script; '٪' U+066A and '٫' U+066B as in "۱٫۵٪" too). The result is
 * reduced. AM_ERATE_INVALID on bad input. */
int am_rate_parse(const char *s, size_t len, struct am_rate *out);
/* Canonical text of a rate: "7/100". Needs at most 48 bytes. */
size_t am_rate_format(struct am_rate r, char out[48]);
bool am_rate_eq(struct am_rate a, struct am_rate b);

#endif
