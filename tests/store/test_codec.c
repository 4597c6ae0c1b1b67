/* The packed body of a list (src/store/codec.c): every line decodes back
 * to what was encoded, whatever the figures (predictions only shrink the
 * bytes), from the whole body or from a slice behind its head. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "amanat/amanat.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "store/store_int.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mostly ordinary figures, sometimes extreme ones. */
static int64_t money(int64_t typical)
{
	switch (next() % 16) {
	case 0:
		return INT64_MAX - (int64_t)(next() % 3);
	case 1:
		return INT64_MIN + (int64_t)(next() % 3);
	case 2:
		return -(int64_t)(next() % 1000000);
	case 3:
		return 0;
	default:
		return typical;
	}
}

/* The names an employer writes: Persian, Latin, empty or not given. */
static const char *const names[] = {
	"علی", "محمد‌رضا", "Smith", "", NULL, "حسینی",
};

static const char *const insurance[] = {
	"", "0012345678", "1234567890", "7", "0", "00", "12a4", "۱۲۳",
};

#define LINES 40

struct fixture {
	struct am_wage_list l;
	struct am_wage_line ln[LINES];
	struct am_line_assessment a[LINES];
	int64_t codes[LINES];
};

/* A list of n lines: validated-looking ones (shares at 7/20/3/3/4 per
 * cent of the base), with now and then anything at all. */
static void make(struct fixture *f, size_t n, bool wild)
{
	memset(f, 0, sizeof(*f));
	f->l.lines = f->ln;
	f->l.nlines = n;
	for (size_t i = 0; i < n; i++) {
		struct am_wage_line *ln = &f->ln[i];
		struct am_line_assessment *a = &f->a[i];
		int64_t daily = 1000000 + (int64_t)(next() % 9000000);
		int days = (int)(next() % 32);
		int64_t base;

		snprintf(ln->national_code, sizeof(ln->national_code),
			 "%010llu",
			 (unsigned long long)(next() % 10000000000u));
		assert_int_equal(am__code_int(ln->national_code, &f->codes[i]),
				 0);
		ln->row = (unsigned)(wild ? next() % 100000 : 1000 + i);
		ln->days = days;
		ln->daily_wage = daily;
		ln->monthly_wage = daily * days;
		ln->benefits = (int64_t)(next() % 50000000);
		ln->subject_wage = ln->monthly_wage + ln->benefits;
		ln->total_pay = ln->subject_wage + (int64_t)(next() % 1000);
		ln->seniority = (int64_t)(next() % 3) * 100000;
		ln->spouse = 0;
		ln->prate = (int)(next() % 3);
		ln->start_date = next() % 2 ? AM_WAGE_DATE_NONE
					    : (am_date)(next() % 20000);
		ln->end_date = AM_WAGE_DATE_NONE;
		snprintf(ln->insurance_no, sizeof(ln->insurance_no), "%s",
			 insurance[next() % 8]);
		ln->occupation = next() % 4 ? "کارگر ساده" : NULL;
		ln->job_code = next() % 2 ? "9313" : "";
		ln->first_name = names[next() % 6];
		ln->last_name = names[next() % 6];
		ln->father_name = names[next() % 6];
		base = i == 0 && wild ? 0 : ln->subject_wage;
		a->base = base;
		a->insured = base * 7 / 100;
		a->employer = base * 20 / 100;
		a->state = base * 3 / 100;
		a->unemployment = base * 3 / 100;
		a->hard_harmful_days = next() % 3 ? 0 : days;
		a->hard_harmful = a->hard_harmful_days ? base * 4 / 100 : 0;
		a->unemployment_by_state = next() % 5 == 0;
		ln->insured_share = a->insured + (int64_t)(next() % 3) - 1;
		ln->hard_harmful_days = a->hard_harmful_days;
		if (wild) {
			ln->daily_wage = money(ln->daily_wage);
			ln->monthly_wage = money(ln->monthly_wage);
			ln->benefits = money(ln->benefits);
			ln->total_pay = money(ln->total_pay);
			ln->insured_share = money(ln->insured_share);
			a->base = money(a->base);
			a->insured = money(a->insured);
			a->employer = money(a->employer);
			a->state = money(a->state);
			a->unemployment = money(a->unemployment);
			a->hard_harmful = money(a->hard_harmful);
		}
	}
}

static void assert_text(const char *x, const char *y)
{
	if (x)
		assert_string_equal(x, y);
	else
		assert_null(y);
}

static void assert_line(const struct am_wage_line *x,
			const struct am_line_assessment *xa,
			const struct am_wage_line *y,
			const struct am_line_assessment *ya)
{
	assert_string_equal(x->national_code, y->national_code);
	assert_int_equal(x->row, y->row);
	assert_int_equal(x->days, y->days);
	assert_int_equal(x->daily_wage, y->daily_wage);
	assert_int_equal(x->monthly_wage, y->monthly_wage);
	assert_int_equal(x->benefits, y->benefits);
	assert_int_equal(x->subject_wage, y->subject_wage);
	assert_int_equal(x->total_pay, y->total_pay);
	assert_int_equal(x->insured_share, y->insured_share);
	assert_int_equal(x->seniority, y->seniority);
	assert_int_equal(x->spouse, y->spouse);
	assert_int_equal(x->prate, y->prate);
	assert_int_equal(x->start_date, y->start_date);
	assert_int_equal(x->end_date, y->end_date);
	assert_int_equal(x->hard_harmful_days, y->hard_harmful_days);
	assert_string_equal(x->insurance_no, y->insurance_no);
	assert_text(x->occupation, y->occupation);
	assert_string_equal(x->job_code, y->job_code);
	assert_text(x->first_name, y->first_name);
	assert_text(x->last_name, y->last_name);
	assert_text(x->father_name, y->father_name);
	assert_int_equal(xa->base, ya->base);
	assert_int_equal(xa->insured, ya->insured);
	assert_int_equal(xa->employer, ya->employer);
	assert_int_equal(xa->state, ya->state);
	assert_int_equal(xa->unemployment, ya->unemployment);
	assert_int_equal(xa->hard_harmful, ya->hard_harmful);
	assert_int_equal(xa->hard_harmful_days, ya->hard_harmful_days);
	assert_int_equal(xa->unemployment_by_state, ya->unemployment_by_state);
}

static void round_trip(bool wild, size_t *bytes, size_t *lines)
{
	static struct fixture f;
	uint32_t offsets[LINES];
	struct am__body_head h;
	struct am_arena ar;
	struct am_buf b;
	size_t n = 1 + next() % LINES, at;

	make(&f, n, wild);
	am_buf_init(&b, 0);
	am_arena_init(&ar, 0);
	assert_int_equal(am__body_encode(&f.l, f.codes, f.a, &b, offsets), 0);
	assert_int_equal(am__body_head((const uint8_t *)b.buf,
				       b.len < AM__BODY_HEAD_MAX
					       ? b.len
					       : AM__BODY_HEAD_MAX,
				       &h),
			 0);
	at = h.lines_at;
	for (size_t i = 0; i < n; i++) {
		struct am_wage_line ln;
		struct am_line_assessment a;
		size_t after = 0;

		/* In order, from the whole body. */
		assert_int_equal(at, offsets[i]);
		assert_int_equal(
			am__body_decode_line(&h, (const uint8_t *)b.buf, b.len,
					     at, &ar, &ln, &a, &after),
			0);
		assert_line(&f.ln[i], &f.a[i], &ln, &a);
		/* Alone, from a slice of the body beginning at it. */
		assert_int_equal(
			am__body_decode_line(&h, (const uint8_t *)b.buf + at,
					     b.len - at, 0, &ar, &ln, &a, NULL),
			0);
		assert_line(&f.ln[i], &f.a[i], &ln, &a);
		at = after;
	}
	assert_int_equal(at, b.len);
	*bytes += b.len;
	*lines += n;
	am_arena_release(&ar);
	am_buf_release(&b);
}

static void test_round_trip(void **state)
{
	size_t bytes = 0, lines = 0;

	(void)state;
	for (int k = 0; k < 2000; k++)
		round_trip(false, &bytes, &lines);
	/* Validated figures cost few bytes: the shares are roundings, a
	 * byte each (58 bytes a line here before the names, 19 of them the
	 * occupation; with the shares stored whole, 68). The names add 22
	 * here: three of 6.3 bytes on average and a byte each for their
	 * length (80). */
	assert_true(bytes / lines <= 80);
	for (int k = 0; k < 2000; k++)
		round_trip(true, &bytes, &lines);
}

/* A body of version 2, written before the lines kept their names, is
 * read as it was: the same line, its names NULL. Such a line is a line
 * of today without its three names, each stored NULL as a 0 byte. */
static void test_version_2(void **state)
{
	static struct fixture f;
	uint32_t offsets[1];
	struct am__body_head h;
	struct am_wage_line ln;
	struct am_line_assessment a;
	struct am_arena ar;
	struct am_buf b;
	size_t after = 0;

	(void)state;
	make(&f, 1, false);
	f.ln[0].first_name = f.ln[0].last_name = f.ln[0].father_name = NULL;
	am_buf_init(&b, 0);
	am_arena_init(&ar, 0);
	assert_int_equal(am__body_encode(&f.l, f.codes, f.a, &b, offsets), 0);
	assert_int_equal((unsigned char)b.buf[0], 3);
	assert_memory_equal(b.buf + b.len - 3, "\0\0\0", 3);
	b.buf[0] = 2;
	b.len -= 3;
	assert_int_equal(am__body_head((const uint8_t *)b.buf, b.len, &h), 0);
	assert_false(h.names);
	assert_int_equal(am__body_decode_line(&h, (const uint8_t *)b.buf, b.len,
					      h.lines_at, &ar, &ln, &a, &after),
			 0);
	assert_int_equal(after, b.len);
	assert_line(&f.ln[0], &f.a[0], &ln, &a);
	am_arena_release(&ar);
	am_buf_release(&b);
}

/* A body is refused, never read past, when its bytes are cut short. */
/* A national code as an integer: ten ASCII digits, nothing else. */
static void test_code_int(void **state)
{
	static const char *const bad[] = {
		"",
		"123456789",
		"12345678901",
		"12345678a0",
		"1234 67890",
		"-123456789",
		"\xdb\xb1"
		"234567890",
	};
	int64_t v = -1;
	char text[11];

	(void)state;
	assert_int_equal(am__code_int("0012345678", &v), 0);
	assert_int_equal(v, 12345678);
	assert_int_equal(am__code_int("9999999999", &v), 0);
	assert_int_equal(v, 9999999999);
	am__code_text(v, text);
	assert_string_equal(text, "9999999999");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		assert_int_equal(am__code_int(bad[i], &v),
				 AM_EINVALID_ARGUMENT);
		assert_int_equal(v, -1);
	}
}

static void test_truncated(void **state)
{
	static struct fixture f;
	uint32_t offsets[LINES];
	struct am__body_head h;
	struct am_wage_line ln;
	struct am_line_assessment a;
	struct am_arena ar;
	struct am_buf b;

	(void)state;
	make(&f, 3, false);
	am_buf_init(&b, 0);
	am_arena_init(&ar, 0);
	assert_int_equal(am__body_encode(&f.l, f.codes, f.a, &b, offsets), 0);
	assert_int_equal(am__body_head((const uint8_t *)b.buf, b.len, &h), 0);
	for (size_t cut = offsets[2] + 1; cut < b.len; cut++)
		assert_int_equal(
			am__body_decode_line(&h, (const uint8_t *)b.buf, cut,
					     offsets[2], &ar, &ln, &a, NULL),
			AM_ESTORE_CORRUPT);
	for (size_t cut = 0; cut < h.lines_at; cut++)
		assert_int_equal(am__body_head((const uint8_t *)b.buf, cut, &h),
				 AM_ESTORE_CORRUPT);
	b.buf[0] = 1; /* another version */
	assert_int_equal(am__body_head((const uint8_t *)b.buf, b.len, &h),
			 AM_ESTORE_CORRUPT);
	am_arena_release(&ar);
	am_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_version_2),
		cmocka_unit_test(test_code_int),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
