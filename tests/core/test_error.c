/* Unit tests of the error table and diagnostics (src/core/error.c): every
 * line of src/core/errors.txt is looked up both ways, and diagnostics are
 * formatted in Persian, English and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"

/* ---- The table against its source ---- */

static char *strip(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Read "CODE HTTP ID | fa | en" the way tools/generrors.py does. */
static bool split_entry(char *line, int *code, int *http, char *id, char **fa,
			char **en)
{
	char *bar1 = strchr(line, '|'), *bar2;

	if (!bar1)
		return false;
	bar2 = strchr(bar1 + 1, '|');
	if (!bar2)
		return false;
	*bar1 = *bar2 = '\0';
	if (sscanf(line, "%d %d %63s", code, http, id) != 3)
		return false;
	*fa = strip(bar1 + 1);
	*en = strip(bar2 + 1);
	return true;
}

static void test_every_code(void **state)
{
	const char *root = getenv("AMANAT_SOURCE_ROOT");
	char path[1024], line[2048];
	unsigned entries = 0, lineno = 0;
	FILE *f;

	(void)state;
	if (!root)
		fail_msg("AMANAT_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/src/core/errors.txt", root);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = strip(line), id[64] = "", empty[1] = "";
		char *fa = empty, *en = empty;
		int code = 0, http = 0;

		lineno++;
		if (*p == '#' || *p == '\0')
			continue;
		if (!split_entry(p, &code, &http, id, &fa, &en))
			fail_msg("%s:%u: malformed entry", path, lineno);
		entries++;
		/* Negative (as returned) and positive (table) codes alike. */
		assert_string_equal(am_error_id(-code), id);
		assert_string_equal(am_error_id(code), id);
		assert_string_equal(am_strerror(-code), en);
		assert_string_equal(am_strerror_fa(-code), fa);
		assert_string_equal(am_strerror_lang(-code, AM_LANG_EN), en);
		assert_string_equal(am_strerror_lang(-code, AM_LANG_FA), fa);
		assert_int_equal(am_error_http(-code), http);
		assert_int_equal(am_error_from_id(id), -code);
		assert_true(strlen(fa) > 0 && strlen(en) > 0);
		/* Persian messages are in Persian: they hold Arabic-script
		 * letters (UTF-8 lead bytes D8..DB). */
		assert_true(strpbrk(fa, "\xD8\xD9\xDA\xDB") != NULL);
	}
	fclose(f);
	assert_int_equal(entries, AM_ERROR_COUNT);
}

static void test_enum_values(void **state)
{
	(void)state;
	/* Spot checks of the generated enum: a code is never renumbered. */
	assert_int_equal(AM_OK, 0);
	assert_int_equal(AM_ENOMEM, -1);
	assert_int_equal(AM_ETOO_LONG, -4);
	assert_int_equal(AM_EMONEY_OVERFLOW, -5);
	assert_int_equal(AM_ERATE_INVALID, -11);
	assert_int_equal(AM_ENATCODE_CHECKSUM, -107);
	assert_int_equal(AM_ESHEBA_CHECKSUM, -115);
	assert_string_equal(am_error_id(AM_ENATCODE_CHECKSUM),
			    "natcode_checksum");
	assert_string_equal(am_strerror_fa(AM_ENOMEM),
			    "حافظهٔ کافی در دسترس نیست");
}

static void test_unknown_codes(void **state)
{
	static const int unknown[] = { 13,	-13,	 99,
				       -99,	-999,	 100000,
				       INT_MAX, INT_MIN, INT_MIN + 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		int err = unknown[i];

		assert_string_equal(am_error_id(err), "unknown");
		assert_string_equal(am_strerror(err), "unknown error");
		assert_string_equal(am_strerror_fa(err), "خطای ناشناخته");
		assert_int_equal(am_error_http(err), 500);
	}
	assert_string_equal(am_error_id(0), "ok");
	assert_string_equal(am_strerror(0), "success");
	assert_int_equal(am_error_http(0), 200);
	assert_int_equal(am_error_from_id("no_such_error"), 0);
	assert_int_equal(am_error_from_id(""), 0);
	assert_int_equal(am_error_from_id("unknown"), 0);
	assert_int_equal(am_error_from_id("NOMEM"), 0);
	assert_int_equal(am_error_from_id("nomem "), 0);
}

/* ---- Diagnostics ---- */

static void test_diag_set(void **state)
{
	char big[1000];
	struct am_diag d;
	size_t n;

	(void)state;
	am_diag_set(&d, AM_ENATCODE_CHECKSUM, "list.csv", 7, "national_code",
		    "0499370898", "0499370899");
	assert_int_equal(d.code, AM_ENATCODE_CHECKSUM);
	assert_int_equal(d.line, 7);
	assert_string_equal(d.file, "list.csv");
	assert_string_equal(d.field, "national_code");
	assert_string_equal(d.value, "0499370898");
	assert_string_equal(d.expected, "0499370899");

	am_diag_set(&d, AM_EIO, NULL, 0, NULL, NULL, NULL);
	assert_string_equal(d.file, "");
	assert_string_equal(d.field, "");
	assert_string_equal(d.value, "");
	assert_string_equal(d.expected, "");

	/* Long values are cut to the field, never in the middle of a UTF-8
	 * character: 2-byte Persian letters and 3-byte marks alike. */
	for (size_t width = 1; width <= 4; width++) {
		static const char *const chars[] = { "a", "س", "€", "😀" };

		for (size_t off = 0; off < width; off++) {
			size_t len = 0;

			memset(big, 'x', off);
			len = off;
			while (len + width < sizeof(big)) {
				memcpy(big + len, chars[width - 1], width);
				len += width;
			}
			big[len] = '\0';
			am_diag_set(&d, AM_EIO, NULL, 0, NULL, big, NULL);
			n = strlen(d.value);
			assert_true(n <= AM_DIAG_TEXT - 1);
			assert_true(n > AM_DIAG_TEXT - 1 - width);
			assert_memory_equal(d.value, big, n);
			/* The cut falls on a character boundary. */
			assert_true(n >= off && (n - off) % width == 0);
		}
	}
}

static void format(const struct am_diag *d, enum am_lang lang, const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, ">"), 0);
	assert_int_equal(am_diag_format(d, lang, &b), 0);
	assert_string_equal(b.buf + 1, want);
	assert_int_equal(b.buf[0], '>');
	am_buf_release(&b);
}

static void test_diag_format(void **state)
{
	struct am_diag d;

	(void)state;
	am_diag_set(&d, AM_ENATCODE_CHECKSUM, "list.csv", 7, "national_code",
		    "0499370898", "0499370899");
	format(&d, AM_LANG_EN,
	       "list.csv:7: national code check digit is wrong: field "
	       "'national_code', found '0499370898', expected '0499370899' "
	       "[natcode_checksum]");
	format(&d, AM_LANG_FA,
	       "list.csv، سطر ۷: رقم کنترل کد ملی درست نیست: فیلد «national_code»، "
	       "مقدار «0499370898»، مورد انتظار «0499370899» "
	       "[natcode_checksum]");

	/* No line: the file alone. No field: the value follows a colon. */
	am_diag_set(&d, AM_EMONEY_SYNTAX, "wages.dbf", 0, NULL, "۱۲x", NULL);
	format(&d, AM_LANG_EN,
	       "wages.dbf: amount is not a valid number of rials: found "
	       "'۱۲x' [money_syntax]");
	format(&d, AM_LANG_FA,
	       "wages.dbf: مبلغ به‌درستی نوشته نشده است: مقدار «۱۲x» "
	       "[money_syntax]");

	/* Nothing but the code. */
	am_diag_set(&d, AM_ENOMEM, NULL, 3, NULL, NULL, NULL);
	format(&d, AM_LANG_EN, "out of memory [nomem]");
	format(&d, AM_LANG_FA, "حافظهٔ کافی در دسترس نیست [nomem]");

	/* A field with an expectation and no value. */
	am_diag_set(&d, AM_ERULES_MISSING_KEY, "ir/rates.yaml", 12, "unit",
		    NULL, "rial");
	format(&d, AM_LANG_EN,
	       "ir/rates.yaml:12: required key missing in rules file: field "
	       "'unit', expected 'rial' [rules_missing_key]");

	/* An unknown code still formats. */
	am_diag_set(&d, -4242, NULL, 0, NULL, "v", NULL);
	format(&d, AM_LANG_EN, "unknown error: found 'v' [unknown]");
}

static void test_diag_format_cap(void **state)
{
	struct am_diag d;
	struct am_buf b;

	(void)state;
	am_diag_set(&d, AM_ENATCODE_CHECKSUM, "list.csv", 7, "national_code",
		    "0499370898", "0499370899");
	/* Too long for the cap: refused, and the buffer is as it was. */
	am_buf_init(&b, 40);
	assert_int_equal(am_buf_adds(&b, "prefix"), 0);
	assert_int_equal(am_diag_format(&d, AM_LANG_FA, &b), AM_ETOO_LONG);
	assert_string_equal(b.buf, "prefix");
	assert_int_equal(b.len, 6);
	assert_int_equal(am_diag_json(&d, &b), AM_ETOO_LONG);
	assert_string_equal(b.buf, "prefix");
	am_buf_release(&b);
}

static void test_diag_json(void **state)
{
	struct am_diag d;
	struct am_buf b;

	(void)state;
	am_diag_set(&d, AM_ENATCODE_CHECKSUM, "C:\\data\\list.csv", 7,
		    "national_code", "04\"99\n", NULL);
	am_buf_init(&b, 0);
	assert_int_equal(am_diag_json(&d, &b), 0);
	assert_string_equal(
		b.buf,
		"{\"file\":\"C:\\\\data\\\\list.csv\",\"row\":7,"
		"\"field\":\"national_code\",\"value\":\"04\\\"99\\n\","
		"\"expected\":\"\",\"code\":\"natcode_checksum\","
		"\"message_fa\":\"رقم کنترل کد ملی درست نیست\","
		"\"message_en\":\"national code check digit is wrong\"}");
	am_buf_release(&b);

	am_diag_set(&d, 0, NULL, 0, NULL, NULL, NULL);
	assert_int_equal(am_diag_json(&d, &b), 0);
	assert_string_equal(b.buf, "{\"file\":\"\",\"row\":0,\"field\":\"\","
				   "\"value\":\"\",\"expected\":\"\","
				   "\"code\":\"ok\",\"message_fa\":\"انجام "
				   "شد\",\"message_en\":\"success\"}");
	am_buf_release(&b);
}

static void test_diags_list(void **state)
{
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	assert_int_equal(ds.cap, 10000);
	assert_int_equal(am_diags_total(&ds), 0);
	am_diags_release(&ds);

	am_diags_init(&ds, 3);
	for (unsigned i = 1; i <= 5; i++)
		assert_int_equal(am_diags_add(&ds, AM_ENATCODE_LENGTH, "f", i,
					      "national_code", "12", NULL),
				 0);
	/* Three kept, two counted. */
	assert_int_equal(ds.nr, 3);
	assert_int_equal(ds.dropped, 2);
	assert_int_equal(am_diags_total(&ds), 5);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ds.items[i].line, i + 1);
		assert_int_equal(ds.items[i].code, AM_ENATCODE_LENGTH);
		assert_string_equal(ds.items[i].value, "12");
	}
	am_diags_clear(&ds);
	assert_int_equal(am_diags_total(&ds), 0);
	assert_int_equal(ds.cap, 3);
	assert_int_equal(am_diags_add(&ds, AM_EIO, NULL, 9, NULL, NULL, NULL),
			 0);
	assert_int_equal(ds.items[0].line, 9);
	am_diags_release(&ds);
	assert_null(ds.items);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(ds.cap, 3);

	/* Many pushes through the growth steps. */
	am_diags_init(&ds, 0);
	for (unsigned i = 0; i < 12000; i++) {
		struct am_diag d;

		am_diag_set(&d, AM_EIO, NULL, i, NULL, NULL, NULL);
		assert_int_equal(am_diags_push(&ds, &d), 0);
	}
	assert_int_equal(ds.nr, 10000);
	assert_int_equal(ds.dropped, 2000);
	assert_int_equal(ds.items[9999].line, 9999);
	am_diags_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_diag_set),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_format_cap),
		cmocka_unit_test(test_diag_json),
		cmocka_unit_test(test_diags_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
