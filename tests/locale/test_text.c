/* Unit tests of Persian text handling (src/locale/text.c, cp1256.c):
 * normalisation, digits, code page names, Windows-1256, the guess. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/text.h"

#define ZWNJ "\xE2\x80\x8C"
#define NBSP "\xC2\xA0"
#define AR_YEH "\xD9\x8A"	   /* ي U+064A */
#define AR_ALEF_MAKSURA "\xD9\x89" /* ى U+0649 */
#define AR_KAF "\xD9\x83"	   /* ك U+0643 */
#define NAME_MAX_LEN 256

#define W1256 AM_CP_WINDOWS_1256

typedef int (*text_fn)(const char *s, size_t len, struct am_buf *out);

/* Run fn on s and compare with want. */
static void expect_text(text_fn fn, const char *s, const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(fn(s, strlen(s), &b), 0);
	assert_string_equal(b.buf, want);
	assert_int_equal(b.len, strlen(want));
	am_buf_release(&b);
}

/* fn refuses s with err and leaves what out held. */
static void expect_refusal(text_fn fn, const char *s, size_t len, int err)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, "before"), 0);
	assert_int_equal(fn(s, len, &b), err);
	assert_string_equal(b.buf, "before");
	assert_int_equal(b.len, 6);
	am_buf_release(&b);
}

/* ---- normalisation ---- */

static void test_normalize_letters(void **state)
{
	(void)state;
	expect_text(am_text_normalize, "عل" AR_YEH, "علی");
	expect_text(am_text_normalize, "مصطف" AR_ALEF_MAKSURA, "مصطفی");
	expect_text(am_text_normalize, AR_KAF "ریم", "کریم");
	expect_text(am_text_normalize, "ی ک", "ی ک");
	/* ZWNJ, digits of every script and Latin are kept. */
	expect_text(am_text_normalize, "علی" ZWNJ "اکبر", "علی" ZWNJ "اکبر");
	expect_text(am_text_normalize, "۱۲ ١٢ 12", "۱۲ ١٢ 12");
	expect_text(am_text_normalize, "Ali Rezaei", "Ali Rezaei");
}

static void test_normalize_spaces(void **state)
{
	(void)state;
	expect_text(am_text_normalize, "  محمد   رضایی  ", "محمد رضایی");
	expect_text(am_text_normalize, "\tمحمد\r\n" NBSP "رضایی" NBSP,
		    "محمد رضایی");
	expect_text(am_text_normalize, "a b", "a b");
	expect_text(am_text_normalize, " \t\r\n" NBSP, "");
	expect_text(am_text_normalize, "", "");
	expect_text(am_text_normalize, "x", "x");
	/* Only those five: a thin space or a form feed is not folded. */
	expect_text(am_text_normalize,
		    "a\xE2\x80\x89"
		    "b\f",
		    "a\xE2\x80\x89"
		    "b\f");
}

static void test_normalize_appends(void **state)
{
	struct am_buf b;
	(void)state;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, "نام: "), 0);
	assert_int_equal(am_text_normalize(" عل" AR_YEH " ", 7, &b), 0);
	assert_string_equal(b.buf, "نام: علی");
	am_buf_release(&b);
}

static void test_normalize_refusals(void **state)
{
	static const char *const bad[] = {
		"\x80",		    /* lone continuation */
		"\xC0\xAF",	    /* overlong */
		"\xE0\x80\xAF",	    /* overlong */
		"\xED\xA0\x80",	    /* surrogate */
		"\xF4\x90\x80\x80", /* past U+10FFFF */
		"\xD9",		    /* truncated */
		"\xFE",
	};
	struct am_buf b;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_refusal(am_text_normalize, bad[i], strlen(bad[i]),
			       AM_EINVALID_UTF8);
		expect_refusal(am_text_digits_to_ascii, bad[i], strlen(bad[i]),
			       AM_EINVALID_UTF8);
		expect_refusal(am_text_digits_to_persian, bad[i],
			       strlen(bad[i]), AM_EINVALID_UTF8);
	}
	/* The bad byte at the end, after text that was already written. */
	expect_refusal(am_text_normalize, "محمد \xFF", 10, AM_EINVALID_UTF8);
	/* A cap: out is left as it was. */
	am_buf_init(&b, 8);
	assert_int_equal(am_buf_adds(&b, "ab"), 0);
	assert_int_equal(am_text_normalize("محمد", 8, &b), AM_ETOO_LONG);
	assert_string_equal(b.buf, "ab");
	assert_int_equal(am_text_normalize("علی", 6, &b), 0);
	assert_string_equal(b.buf, "abعلی");
	am_buf_release(&b);
}

/* Normalising twice changes nothing. */
static void test_normalize_idempotent(void **state)
{
	static const char *const inputs[] = {
		"  عل" AR_YEH "  " AR_KAF "ریم ",
		NBSP NBSP "x" NBSP,
		"علی" ZWNJ " " ZWNJ "اکبر",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct am_buf once, twice;

		am_buf_init(&once, 0);
		am_buf_init(&twice, 0);
		assert_int_equal(
			am_text_normalize(inputs[i], strlen(inputs[i]), &once),
			0);
		assert_int_equal(am_text_normalize(once.buf, once.len, &twice),
				 0);
		assert_string_equal(once.buf, twice.buf);
		am_buf_release(&once);
		am_buf_release(&twice);
	}
}

/* ---- digits ---- */

/* One name written two ways is the same name; another name is not. */
static void test_same_name(void **state)
{
	(void)state;
	assert_true(am_text_same_name("علی", "علی"));
	assert_true(am_text_same_name("علي", "علی"));	  /* Arabic yeh */
	assert_true(am_text_same_name("كاظمی", "کاظمی")); /* Arabic kaf */
	assert_true(am_text_same_name("محمدرضا", "محمد رضا"));
	assert_true(am_text_same_name("محمد‌رضا", "محمد  رضا"));
	assert_true(am_text_same_name("آرش", "ارش"));
	assert_true(am_text_same_name("رضائی", "رضایی"));
	assert_true(am_text_same_name("فاطمة", "فاطمه"));
	assert_true(am_text_same_name("مُحَمَّد", "محمد"));	   /* diacritics */
	assert_true(am_text_same_name("محـــمد", "محمد")); /* tatweel */
	assert_true(am_text_same_name("SMITH", "Smith"));
	assert_true(am_text_same_name(NULL, ""));
	assert_true(am_text_same_name(" ", NULL));
	assert_false(am_text_same_name("علی", "علیرضا"));
	assert_false(am_text_same_name("حسن", "حسین"));
	assert_false(am_text_same_name("حسن", NULL));
	assert_false(am_text_same_name("Smith", "Smyth"));
	/* Bytes that are not UTF-8 are compared whole. */
	assert_true(am_text_same_name("a\xff", "a\xff"));
	assert_false(am_text_same_name("a\xff", "A\xff"));
}

static void test_digits(void **state)
{
	size_t used = 99;
	(void)state;

	expect_text(am_text_digits_to_ascii, "۰۱۲۳۴۵۶۷۸۹", "0123456789");
	expect_text(am_text_digits_to_ascii, "٠١٢٣٤٥٦٧٨٩", "0123456789");
	expect_text(am_text_digits_to_ascii, "پلاک ۱۲-B", "پلاک 12-B");
	expect_text(am_text_digits_to_ascii, "", "");
	expect_text(am_text_digits_to_persian, "0123456789", "۰۱۲۳۴۵۶۷۸۹");
	expect_text(am_text_digits_to_persian, "٤٥٦ / 7", "۴۵۶ / ۷");
	expect_text(am_text_digits_to_persian, "۱۴۰۳", "۱۴۰۳");
	expect_text(am_text_digits_to_persian, "IR-x", "IR-x");
	/* The neighbours of the digit ranges are not digits. */
	expect_text(am_text_digits_to_ascii, "\xDB\xAF\xDB\xBA\xD9\x9F\xD9\xAA",
		    "\xDB\xAF\xDB\xBA\xD9\x9F\xD9\xAA");

	assert_int_equal(am_text_digit_at("7x", 2, &used), 7);
	assert_int_equal(used, 1);
	assert_int_equal(am_text_digit_at("۹", 2, &used), 9);
	assert_int_equal(used, 2);
	assert_int_equal(am_text_digit_at("٠", 2, &used), 0);
	assert_int_equal(used, 2);
	assert_int_equal(am_text_digit_at("x", 1, &used), -1);
	assert_int_equal(am_text_digit_at("۹", 1, &used), -1);
	assert_int_equal(am_text_digit_at("", 0, &used), -1);
}

/* ---- code page names ---- */

static void test_codepage_names(void **state)
{
	enum am_codepage cp = AM_CP_UTF8;
	(void)state;

	assert_string_equal(am_codepage_name(AM_CP_UTF8), "utf-8");
	assert_string_equal(am_codepage_name(W1256), "windows-1256");
	assert_string_equal(am_codepage_name(AM_CP_IRAN_SYSTEM), "iran-system");
	assert_string_equal(am_codepage_name((enum am_codepage)42), "unknown");

	assert_int_equal(am_codepage_parse("cp1256", &cp), 0);
	assert_int_equal(cp, W1256);
	assert_int_equal(am_codepage_parse("IranSystem", &cp), 0);
	assert_int_equal(cp, AM_CP_IRAN_SYSTEM);
	assert_int_equal(am_codepage_parse("UTF-8", &cp), 0);
	assert_int_equal(cp, AM_CP_UTF8);
	assert_int_equal(am_codepage_parse("Windows-1256", &cp), 0);
	assert_int_equal(cp, W1256);
	assert_int_equal(am_codepage_parse("iran-system", &cp), 0);
	assert_int_equal(cp, AM_CP_IRAN_SYSTEM);
	for (int i = AM_CP_UTF8; i <= AM_CP_IRAN_SYSTEM; i++) {
		assert_int_equal(
			am_codepage_parse(am_codepage_name((enum am_codepage)i),
					  &cp),
			0);
		assert_int_equal(cp, i);
	}
	/* Refused names leave *out alone. */
	cp = AM_CP_UTF8;
	assert_int_equal(am_codepage_parse("windows-1252", &cp),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_codepage_parse("cp1256 ", &cp),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_codepage_parse("", &cp), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_codepage_parse("iran", &cp), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_codepage_parse(NULL, &cp), AM_EINVALID_ARGUMENT);
	assert_int_equal(cp, AM_CP_UTF8);
}

/* ---- Windows-1256 ---- */

static void expect_1256_decode(const char *bytes, const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_decode(W1256, bytes, strlen(bytes), &b), 0);
	assert_string_equal(b.buf, want);
	am_buf_release(&b);
}

static void expect_1256_encode(const char *utf8, const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_encode(W1256, utf8, strlen(utf8), false, &b),
			 0);
	assert_string_equal(b.buf, want);
	am_buf_release(&b);
}

static void test_cp1256_decode(void **state)
{
	(void)state;
	/* ي (0xED) comes back as Persian ی, ك (0xDF) as ک. */
	expect_1256_decode("\xDA\xE1\xED", "علی");
	expect_1256_decode("\xDF\xD1\xED\xE3", "کریم");
	expect_1256_decode("\x98\x90\x81\x8D\x8E", "کگپچژ");
	/* ZWNJ is 0x9D and survives. */
	expect_1256_decode("\xDA\xE1\xED\x9D\xC7\x98\xC8\xD1",
			   "علی" ZWNJ "اکبر");
	/* Padding, NBSP and runs of space are normalised. */
	expect_1256_decode("  \xE3\xD1\xCF\xA0\xA0\xD2\xE4   ", "مرد زن");
	expect_1256_decode("12 \xA1 AB", "12 ، AB");
	expect_1256_decode("", "");
}

static void test_cp1256_encode(void **state)
{
	struct am_buf b;
	(void)state;

	expect_1256_encode("علی", "\xDA\xE1\xED");
	expect_1256_encode("کریم", "\x98\xD1\xED\xE3");
	/* Arabic yeh and kaf are written as ICU maps them. */
	expect_1256_encode("عل" AR_YEH, "\xDA\xE1\xED");
	expect_1256_encode(AR_KAF, "\xDF");
	/* Persian and Arabic-Indic digits become ASCII. */
	expect_1256_encode("پلاک ۱۲ و ٣٤", "\x81\xE1\xC7\x98 12 \xE6 34");
	expect_1256_encode("علی" ZWNJ "اکبر",
			   "\xDA\xE1\xED\x9D\xC7\x98\xC8\xD1");
	expect_1256_encode("", "");

	/* Unmappable: refused, out unchanged; or '?' when asked. */
	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, "keep"), 0);
	assert_int_equal(
		am_text_encode(W1256, "علی ő", strlen("علی ő"), false, &b),
		AM_EENCODING_UNMAPPABLE);
	assert_int_equal(
		am_text_encode(W1256, "\xF0\x9F\x98\x80", 4, false, &b),
		AM_EENCODING_UNMAPPABLE);
	assert_int_equal(am_text_encode(W1256, "ۀ", strlen("ۀ"), false, &b),
			 AM_EENCODING_UNMAPPABLE);
	assert_string_equal(b.buf, "keep");
	assert_int_equal(am_text_encode(W1256, "\xFF", 1, true, &b),
			 AM_EINVALID_UTF8);
	assert_string_equal(b.buf, "keep");
	am_buf_clear(&b);
	assert_int_equal(am_text_encode(W1256, "علی ő \xF0\x9F\x98\x80 x",
					strlen("علی ő \xF0\x9F\x98\x80 x"),
					true, &b),
			 0);
	assert_string_equal(b.buf, "\xDA\xE1\xED ? ? x");
	/* Invisible characters ICU cannot map (PDF, BOM) are dropped, with
	 * or without substitution. */
	for (int sub = 0; sub <= 1; sub++) {
		am_buf_clear(&b);
		assert_int_equal(am_text_encode(W1256,
						"m\xE2\x80\xAC \xEF\xBB\xBFn",
						9, sub, &b),
				 0);
		assert_string_equal(b.buf, "m n");
	}
	am_buf_release(&b);
}

/* Every byte decodes, and encodes back to itself but for the letters the
 * normalisation folds and the white space it trims. */
static void test_cp1256_every_byte(void **state)
{
	(void)state;

	for (unsigned c = 1; c <= 0xFF; c++) {
		char byte = (char)c;
		struct am_buf d, e;
		unsigned char want = (unsigned char)c;

		am_buf_init(&d, 0);
		am_buf_init(&e, 0);
		assert_int_equal(am_text_decode(W1256, &byte, 1, &d), 0);
		assert_int_equal(am_text_encode(W1256, d.buf, d.len, false, &e),
				 0);
		if (c == 0xEC) /* ى: normalised to ی, written as ي */
			want = 0xED;
		else if (c == 0xDF) /* ك: normalised to ک */
			want = 0x98;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == 0xA0) {
			assert_int_equal(e.len, 0);
		} else {
			assert_int_equal(e.len, 1);
			if ((unsigned char)e.buf[0] != want)
				fail_msg("byte %02X came back as %02X", c,
					 (unsigned char)e.buf[0]);
		}
		am_buf_release(&d);
		am_buf_release(&e);
	}
}

static void test_utf8_codepage(void **state)
{
	struct am_buf b;
	(void)state;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_decode(AM_CP_UTF8, " عل" AR_YEH " ", 8, &b),
			 0);
	assert_string_equal(b.buf, "علی");
	am_buf_clear(&b);
	assert_int_equal(am_text_encode(AM_CP_UTF8, "ی " AR_YEH, 5, false, &b),
			 0);
	assert_string_equal(b.buf, "ی " AR_YEH);
	assert_int_equal(am_text_encode(AM_CP_UTF8, "\xC0\x80", 2, true, &b),
			 AM_EINVALID_UTF8);
	assert_int_equal(am_text_decode(AM_CP_UTF8, "\xC0\x80", 2, &b),
			 AM_EINVALID_UTF8);
	assert_string_equal(b.buf, "ی " AR_YEH);
	assert_int_equal(am_text_decode((enum am_codepage)9, "a", 1, &b),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_text_encode((enum am_codepage)9, "a", 1, true, &b),
			 AM_EINVALID_ARGUMENT);
	am_buf_release(&b);
}

/* ---- guessing the code page ---- */

static size_t read_names(char names[][NAME_MAX_LEN], size_t max)
{
	const char *dir = getenv("AMANAT_TESTDATA");
	char path[1024], line[NAME_MAX_LEN];
	size_t n = 0;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/names-fa.txt", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		memcpy(names[n++], line, sizeof(line));
	}
	fclose(f);
	return n;
}

static void expect_guess(enum am_codepage cp, const char *utf8)
{
	struct am_buf b;
	enum am_codepage got;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_encode(cp, utf8, strlen(utf8), false, &b), 0);
	got = am_text_guess_codepage(b.buf, b.len);
	if (got != cp)
		fail_msg("«%s» in %s was taken for %s", utf8,
			 am_codepage_name(cp), am_codepage_name(got));
	am_buf_release(&b);
}

static void test_guess_names(void **state)
{
	static char names[128][NAME_MAX_LEN];
	size_t n = read_names(names, 128);
	(void)state;

	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		expect_guess(W1256, names[i]);
		expect_guess(AM_CP_IRAN_SYSTEM, names[i]);
		expect_guess(AM_CP_UTF8, names[i]);
	}
}

static void test_guess_edges(void **state)
{
	(void)state;
	/* Nothing above 0x7F: the official code page. */
	assert_int_equal(am_text_guess_codepage("ALI 12", 6), W1256);
	assert_int_equal(am_text_guess_codepage("", 0), W1256);
	/* Digits alone. */
	expect_guess(AM_CP_IRAN_SYSTEM, "۱۲۳۴");
	expect_guess(AM_CP_IRAN_SYSTEM, "۱۲");
	/* Windows-1256 words made only of bytes that are Iran System
	 * letters too: the forms do not fit their positions. */
	expect_guess(W1256, "لیلی");
	expect_guess(W1256, "مهین");
	expect_guess(W1256, "کمیل");
	expect_guess(W1256, "مینو");
	/* A lone Windows-1256 letter that reads as one Iran System letter
	 * is a tie, which goes to Windows-1256. */
	assert_int_equal(am_text_guess_codepage("\xE3", 1), W1256);
	/* Text that is not valid UTF-8 is never called UTF-8. */
	assert_true(am_text_guess_codepage("\xD8\xB9\xD9", 3) != AM_CP_UTF8);
}

/* The reference normalisation, a code point at a time as the rule reads
 * (strict UTF-8: no overlong form, surrogate or code point past
 * U+10FFFF), against which the library's copying of plain runs is held. */
static int ref_decode(const unsigned char *u, size_t len, size_t *used)
{
	int32_t cp;
	size_t n;

	if (u[0] < 0x80) {
		*used = 1;
		return u[0];
	}
	n = (u[0] & 0xE0) == 0xC0   ? 2
	    : (u[0] & 0xF0) == 0xE0 ? 3
	    : (u[0] & 0xF8) == 0xF0 ? 4
				    : 0;
	if (!n || len < n)
		return -1;
	cp = u[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*used = n;
	return cp;
}

static bool ref_normalize(const unsigned char *s, size_t len,
			  struct am_buf *out)
{
	bool space = false;

	for (size_t i = 0, used; i < len; i += used) {
		int32_t cp = ref_decode(s + i, len - i, &used);
		char u[4];
		size_t n;

		if (cp < 0)
			return false;
		if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
		    cp == 0xA0) {
			space = out->len > 0;
			continue;
		}
		if (space)
			assert_int_equal(am_buf_addch(out, ' '), 0);
		space = false;
		if (cp == 0x064A || cp == 0x0649)
			cp = 0x06CC;
		else if (cp == 0x0643)
			cp = 0x06A9;
		if (cp < 0x80) {
			u[0] = (char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xE0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			u[0] = (char)(0xF0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[3] = (char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		assert_int_equal(am_buf_add(out, u, n), 0);
	}
	return true;
}

/* Random names of the bytes that matter (Persian letters, the three the
 * rule changes, spaces of every kind, ASCII, broken sequences), each the
 * same through the library as through the reference. */
static void test_normalize_reference(void **state)
{
	static const char *const pieces[] = {
		"\xD8\xB9",
		"\xD9\x84",
		"\xDB\x8C",
		"\xDA\xA9",
		"\xD9\x8A",
		"\xD9\x89",
		"\xD9\x83",
		"\xD9\x8B",
		"\xE2\x80\x8C",
		"\xC2\xA0",
		" ",
		"  ",
		"\t",
		"\r\n",
		"a",
		"Z",
		"0",
		"-",
		"\xD8",
		"\xDB",
		"\xC0\x80",
		"\xED\xA0\x80",
		"\xF0\x9F\x98\x80",
		"\x80",
		"\xDB\xB1",
	};
	struct am_buf got, want;
	unsigned seed = 12345;

	(void)state;
	am_buf_init(&got, 0);
	am_buf_init(&want, 0);
	for (int round = 0; round < 20000; round++) {
		char in[128];
		size_t len = 0;
		int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		bool ok;
		int err;

		for (int k = 0; k < n; k++) {
			const char *p =
				pieces[((seed = seed * 1103515245u + 12345u) >>
					16) %
				       (sizeof(pieces) / sizeof(*pieces))];

			memcpy(in + len, p, strlen(p));
			len += strlen(p);
		}
		am_buf_clear(&got);
		am_buf_clear(&want);
		err = am_text_normalize(in, len, &got);
		ok = ref_normalize((const unsigned char *)in, len, &want);
		assert_int_equal(err, ok ? 0 : AM_EINVALID_UTF8);
		if (ok) {
			assert_int_equal(got.len, want.len);
			assert_memory_equal(got.buf, want.buf, got.len);
		} else {
			assert_int_equal(got.len, 0);
		}
	}
	am_buf_release(&got);
	am_buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_letters),
		cmocka_unit_test(test_normalize_reference),
		cmocka_unit_test(test_normalize_spaces),
		cmocka_unit_test(test_normalize_appends),
		cmocka_unit_test(test_normalize_refusals),
		cmocka_unit_test(test_normalize_idempotent),
		cmocka_unit_test(test_same_name),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_codepage_names),
		cmocka_unit_test(test_cp1256_decode),
		cmocka_unit_test(test_cp1256_encode),
		cmocka_unit_test(test_cp1256_every_byte),
		cmocka_unit_test(test_utf8_codepage),
		cmocka_unit_test(test_guess_names),
		cmocka_unit_test(test_guess_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
