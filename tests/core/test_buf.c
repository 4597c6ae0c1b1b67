/* Unit tests of the string buffer (src/core/buf.c): growth, the cap and the
 * rule that a failed append changes nothing, and JSON string escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"

/* The buffer holds exactly want, NUL-terminated. */
static void expect_buf(const struct am_buf *b, const char *want, size_t len)
{
	assert_int_equal(b->len, len);
	assert_memory_equal(b->buf, want, len);
	assert_int_equal(b->buf[len], '\0');
	assert_true(b->len <= b->cap);
	assert_true(b->alloc == 0 || b->len < b->alloc);
}

static void test_init_and_append(void **state)
{
	struct am_buf b;

	(void)state;
	am_buf_init(&b, 0);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, AM_BUF_DEFAULT_CAP);

	assert_int_equal(am_buf_add(&b, "ab", 2), 0);
	assert_int_equal(am_buf_adds(&b, "cd"), 0);
	assert_int_equal(am_buf_addch(&b, 'e'), 0);
	assert_int_equal(am_buf_addf(&b, "-%d-%s", 42, "کد"), 0);
	expect_buf(&b, "abcde-42-کد", strlen("abcde-42-کد"));
	/* Embedded NUL bytes are data. */
	assert_int_equal(am_buf_add(&b, "x\0y", 3), 0);
	assert_int_equal(b.len, strlen("abcde-42-کد") + 3);
	/* Appending nothing is fine, even from NULL. */
	assert_int_equal(am_buf_add(&b, NULL, 0), 0);
	assert_int_equal(am_buf_addf(&b, "%s", ""), 0);
	am_buf_release(&b);
	expect_buf(&b, "", 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, AM_BUF_DEFAULT_CAP);
}

/* Many appends through every growth step keep the content intact. */
static void test_growth(void **state)
{
	struct am_buf b;

	(void)state;
	am_buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(am_buf_addch(&b, 'a' + i % 26), 0);
	assert_int_equal(b.len, 100000);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(b.buf[i], 'a' + i % 26);
	assert_int_equal(b.buf[100000], '\0');
	am_buf_release(&b);

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_grow(&b, 0), 0);
	assert_true(b.alloc >= 1);
	assert_string_equal(b.buf, "");
	assert_int_equal(am_buf_grow(&b, 5000), 0);
	assert_true(b.alloc >= 5001);
	assert_int_equal(b.len, 0);
	am_buf_release(&b);
}

static void test_cap(void **state)
{
	struct am_buf b;
	char *before;

	(void)state;
	am_buf_init(&b, 10);
	assert_int_equal(am_buf_adds(&b, "0123456789"), 0);
	expect_buf(&b, "0123456789", 10);
	/* Full: every kind of append is refused and changes nothing. */
	before = b.buf;
	assert_int_equal(am_buf_addch(&b, 'x'), AM_ETOO_LONG);
	assert_int_equal(am_buf_adds(&b, "x"), AM_ETOO_LONG);
	assert_int_equal(am_buf_addf(&b, "%d", 1), AM_ETOO_LONG);
	assert_int_equal(am_buf_add_json_str(&b, "", 0), AM_ETOO_LONG);
	assert_int_equal(am_buf_grow(&b, 1), AM_ETOO_LONG);
	assert_int_equal(am_buf_grow(&b, SIZE_MAX), AM_ETOO_LONG);
	expect_buf(&b, "0123456789", 10);
	assert_ptr_equal(b.buf, before);
	/* Appending nothing still fits. */
	assert_int_equal(am_buf_add(&b, "", 0), 0);
	assert_int_equal(am_buf_addf(&b, "%s", ""), 0);

	/* An append that would straddle the cap is refused whole. */
	am_buf_clear(&b);
	assert_int_equal(am_buf_adds(&b, "01234"), 0);
	assert_int_equal(am_buf_adds(&b, "567890"), AM_ETOO_LONG);
	assert_int_equal(am_buf_addf(&b, "%s", "567890"), AM_ETOO_LONG);
	expect_buf(&b, "01234", 5);
	assert_int_equal(am_buf_adds(&b, "56789"), 0);
	expect_buf(&b, "0123456789", 10);
	/* Memory never exceeds cap + 1. */
	assert_true(b.alloc <= 11);
	am_buf_release(&b);
	assert_int_equal(b.cap, 10);

	/* A cap of one byte. */
	am_buf_init(&b, 1);
	assert_int_equal(am_buf_addch(&b, 'a'), 0);
	assert_int_equal(am_buf_addch(&b, 'b'), AM_ETOO_LONG);
	expect_buf(&b, "a", 1);
	am_buf_release(&b);
}

/* The largest cap there is: growth must not wrap around. */
static void test_huge_cap(void **state)
{
	struct am_buf b;

	(void)state;
	am_buf_init(&b, SIZE_MAX);
	assert_int_equal(am_buf_adds(&b, "abc"), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(am_buf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10003);
	assert_true(b.alloc > b.len);
	assert_memory_equal(b.buf, "abc0123456789", 13);
	/* A request that cannot be met fails cleanly. */
	assert_int_not_equal(am_buf_grow(&b, SIZE_MAX - 5), 0);
	assert_int_not_equal(am_buf_grow(&b, SIZE_MAX - b.len), 0);
	assert_int_equal(b.len, 10003);
	am_buf_release(&b);
}

static void test_clear_truncate_detach(void **state)
{
	struct am_buf b;
	char *s, *before;
	size_t len = 99;

	(void)state;
	am_buf_init(&b, 0);
	/* Clear on a buffer that owns nothing. */
	am_buf_clear(&b);
	expect_buf(&b, "", 0);

	assert_int_equal(am_buf_adds(&b, "hello, world"), 0);
	am_buf_truncate(&b, 50); /* longer: no-op */
	expect_buf(&b, "hello, world", 12);
	am_buf_truncate(&b, 5);
	expect_buf(&b, "hello", 5);
	before = b.buf;
	am_buf_clear(&b);
	expect_buf(&b, "", 0);
	assert_ptr_equal(b.buf, before); /* memory kept */
	assert_true(b.alloc > 0);

	assert_int_equal(am_buf_adds(&b, "سلام"), 0);
	s = am_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "سلام");
	assert_int_equal(len, strlen("سلام"));
	free(s);
	expect_buf(&b, "", 0);
	assert_int_equal(b.alloc, 0);

	/* Detaching an empty buffer still hands over a string to free. */
	s = am_buf_detach(&b, NULL);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	am_buf_release(&b);
}

static void json(const char *s, size_t len, const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_addch(&b, '['), 0);
	assert_int_equal(am_buf_add_json_str(&b, s, len), 0);
	assert_int_equal(am_buf_addch(&b, ']'), 0);
	assert_string_equal(b.buf, want);
	am_buf_release(&b);
}

static void test_json_escaping(void **state)
{
	(void)state;
	json("", 0, "[\"\"]");
	json("plain", 5, "[\"plain\"]");
	json("a\"b", 3, "[\"a\\\"b\"]");
	json("a\\b", 3, "[\"a\\\\b\"]");
	json("\n\r\t", 3, "[\"\\n\\r\\t\"]");
	json("\x01\x1f\b\f", 4, "[\"\\u0001\\u001f\\u0008\\u000c\"]");
	json("a\0b", 3, "[\"a\\u0000b\"]");
	/* DEL, '/' and UTF-8 pass through. */
	json("\x7f/", 2, "[\"\x7f/\"]");
	json("کد ملی «۱۲»", strlen("کد ملی «۱۲»"), "[\"کد ملی «۱۲»\"]");
	/* Only len bytes are read. */
	json("abcdef", 3, "[\"abc\"]");
}

/* An escaped string that does not fit is left out entirely. */
static void test_json_cap(void **state)
{
	struct am_buf b;

	(void)state;
	am_buf_init(&b, 8);
	assert_int_equal(am_buf_adds(&b, "k:"), 0);
	/* "a\nb" needs 6 bytes with its quotes: fits exactly. */
	assert_int_equal(am_buf_add_json_str(&b, "a\nb", 3), 0);
	expect_buf(&b, "k:\"a\\nb\"", 8);
	am_buf_truncate(&b, 2);
	/* "\x01" needs 8: the escape itself does not fit. */
	assert_int_equal(am_buf_add_json_str(&b, "\x01", 1), AM_ETOO_LONG);
	expect_buf(&b, "k:", 2);
	/* The closing quote does not fit. */
	assert_int_equal(am_buf_add_json_str(&b, "abcde", 5), AM_ETOO_LONG);
	expect_buf(&b, "k:", 2);
	am_buf_release(&b);
}

/* addf measures before it writes: long and Persian output come out whole. */
static void test_addf(void **state)
{
	char want[3001];
	struct am_buf b;

	(void)state;
	memset(want, 'z', 3000);
	want[3000] = '\0';
	am_buf_init(&b, 0);
	assert_int_equal(am_buf_addf(&b, "%s", want), 0);
	assert_int_equal(am_buf_addf(&b, "%s=%05d", "مبلغ", 42), 0);
	assert_int_equal(b.len, 3000 + strlen("مبلغ=00042"));
	assert_string_equal(b.buf + 3000, "مبلغ=00042");
	am_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_append),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_huge_cap),
		cmocka_unit_test(test_clear_truncate_detach),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_cap),
		cmocka_unit_test(test_addf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
