/* Unit tests of the Iran System codec (src/locale/iransystem.c): exact bytes
 * of shaped words in visual order, decoding, round trips, unmappables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/text.h"

#define ZWNJ "\xE2\x80\x8C"
#define ZWJ "\xE2\x80\x8D"
#define BOM "\xEF\xBB\xBF"
#define RLM "\xE2\x80\x8F"
#define LRE "\xE2\x80\xAA"
#define PDF "\xE2\x80\xAC"
#define NAME_MAX_LEN 256

#define IS AM_CP_IRAN_SYSTEM

static void expect_bytes(const char *utf8, const unsigned char *want,
			 size_t want_len)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_encode(IS, utf8, strlen(utf8), false, &b), 0);
	if (b.len != want_len ||
	    (want_len && memcmp(b.buf, want, want_len) != 0)) {
		fprintf(stderr, "encoding «%s» gave", utf8);
		for (size_t i = 0; i < b.len; i++)
			fprintf(stderr, " %02X", (unsigned char)b.buf[i]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(b.len, want_len);
	if (want_len)
		assert_memory_equal(b.buf, want, want_len);
	am_buf_release(&b);
}

#define EXPECT(s, ...)                                                \
	do {                                                          \
		static const unsigned char want_[] = { __VA_ARGS__ }; \
		expect_bytes(s, want_, sizeof(want_));                \
	} while (0)

static void expect_decode(const unsigned char *bytes, size_t len,
			  const char *want)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	assert_int_equal(am_text_decode(IS, bytes, len, &b), 0);
	assert_string_equal(b.buf, want);
	assert_int_equal(b.len, strlen(want));
	am_buf_release(&b);
}

#define EXPECT_DECODE(want, ...)                                    \
	do {                                                        \
		static const unsigned char in_[] = { __VA_ARGS__ }; \
		expect_decode(in_, sizeof(in_), want);              \
	} while (0)

/* encode then decode; the result in *out (caller releases). */
static void round_trip(const char *s, struct am_buf *out)
{
	struct am_buf enc;

	am_buf_init(&enc, 0);
	am_buf_init(out, 0);
	assert_int_equal(am_text_encode(IS, s, strlen(s), false, &enc), 0);
	assert_int_equal(am_text_decode(IS, enc.buf, enc.len, out), 0);
	am_buf_release(&enc);
}

static void expect_round_trip(const char *s, const char *want)
{
	struct am_buf dec;

	round_trip(s, &dec);
	assert_string_equal(dec.buf, want);
	am_buf_release(&dec);
}

/* ---- exact bytes ---- */

static void test_bytes_short_words(void **state)
{
	(void)state;
	/* م initial, ر, د: reversed into visual order. */
	EXPECT("مرد", 0xA2, 0xA4, 0xF5);
	/* ز cannot join ن, so ن stands isolated. */
	EXPECT("زن", 0xF6, 0xA5);
	EXPECT("علی", 0xFC, 0xF3, 0xE4);
	EXPECT("ع", 0xE1);
	expect_bytes("", NULL, 0);
}

static void test_bytes_names(void **state)
{
	(void)state;
	EXPECT("محمد رضایی", 0xFC, 0xFE, 0x91, 0xAE, 0xA4, 0x20, 0xA2, 0xF5,
	       0x9F, 0xF5);
	/* ل ا is the ligature 0xF2; ه final after ل initial. */
	EXPECT("لاله", 0xF9, 0xF3, 0xF2);
	/* ا after ژ cannot join it: isolated 0x90, not final 0x91. */
	EXPECT("ژاله", 0xF9, 0xF3, 0x90, 0xA6);
	EXPECT("شرکت ABC پارس", 0xA7, 0xA4, 0x91, 0x95, 0x20, 'A', 'B', 'C',
	       0x20, 0x96, 0xEE, 0xA4, 0xAA);
}

/* ع and غ have four forms, ه and ی three. */
static void test_bytes_four_forms(void **state)
{
	(void)state;
	EXPECT("عمو", 0xF8, 0xF5, 0xE4);	/* ع initial */
	EXPECT("شمع", 0xE2, 0xF5, 0xAA);	/* ع final */
	EXPECT("معلم", 0xF4, 0xF3, 0xE3, 0xF5); /* ع medial, م final */
	EXPECT("باغ", 0xE5, 0x91, 0x93);	/* غ isolated */
	EXPECT("تیغ", 0xE6, 0xFE, 0x97);	/* غ final, ی medial */
	EXPECT("مغز", 0xA5, 0xE7, 0xF5);	/* غ medial */
	EXPECT("غم", 0xF4, 0xE8);		/* غ initial */
	EXPECT("مهدی", 0xFD, 0xA2, 0xFA, 0xF5); /* ه medial, ی isolated */
	EXPECT("هما", 0x91, 0xF5, 0xFB);	/* ه initial */
	EXPECT("ه", 0xF9);
}

static void test_bytes_zwnj(void **state)
{
	(void)state;
	/* No ZWNJ byte: ی takes its final form and ا its isolated one. */
	EXPECT("علی" ZWNJ "اکبر", 0xA4, 0x93, 0xEE, 0x90, 0xFC, 0xF3, 0xE4);
	/* Without the ZWNJ the same letters join: ی medial, ا final. */
	EXPECT("علیاکبر", 0xA4, 0x93, 0xEE, 0x91, 0xFE, 0xF3, 0xE4);
}

static void test_bytes_digits_and_order(void **state)
{
	(void)state;
	/* Numbers stay left to right inside right-to-left text. */
	EXPECT("پلاک ۱۲", 0x81, 0x82, 0x20, 0xED, 0xF2, 0x95);
	EXPECT("۱۴۰۳/۱۲/۳۰", 0x81, 0x84, 0x80, 0x83, '/', 0x81, 0x82, '/', 0x83,
	       0x80);
	/* Latin digits stay Latin; Arabic-Indic ones become Persian. */
	EXPECT("12", '1', '2');
	EXPECT("\xD9\xA1\xD9\xA2", 0x81, 0x82);
	/* Brackets are mirrored with the text around them. */
	EXPECT("علی (رضا)", '(', 0x91, 0xAE, 0xA4, ')', 0x20, 0xFC, 0xF3, 0xE4);
	/* A line without Persian is left to right and left alone. */
	EXPECT("ABC-12 (x)", 'A', 'B', 'C', '-', '1', '2', ' ', '(', 'x', ')');
	EXPECT("(12) ", '(', '1', '2', ')', ' ');
	/* With Persian in it, trailing neutrals go to the left end. */
	EXPECT("زن (x)", '(', 'x', ')', ' ', 0xF6, 0xA5);
	/* NBSP is 0xFF. */
	EXPECT("ن\xC2\xA0ب", 0x92, 0xFF, 0xF6);
}

/* ---- decoding ---- */

static void test_decode_visual(void **state)
{
	(void)state;
	EXPECT_DECODE("مرد", 0xA2, 0xA4, 0xF5);
	EXPECT_DECODE("زن", 0xF6, 0xA5);
	EXPECT_DECODE("محمد رضایی", 0xFC, 0xFE, 0x91, 0xAE, 0xA4, 0x20, 0xA2,
		      0xF5, 0x9F, 0xF5);
	EXPECT_DECODE("پلاک ۱۲", 0x81, 0x82, 0x20, 0xED, 0xF2, 0x95);
	EXPECT_DECODE("علی" ZWNJ "اکبر", 0xA4, 0x93, 0xEE, 0x90, 0xFC, 0xF3,
		      0xE4);
	EXPECT_DECODE("علی (رضا)", '(', 0x91, 0xAE, 0xA4, ')', 0x20, 0xFC, 0xF3,
		      0xE4);
	/* A form is read for its letter: ا final after ژ is still ا. */
	EXPECT_DECODE("ژاله", 0xF9, 0xF3, 0x91, 0xA6);
	/* But م isolated before ر shows a break, which is a ZWNJ. */
	EXPECT_DECODE("م" ZWNJ "رد", 0xA2, 0xA4, 0xF4);
	/* Normalised: the trailing padding of a DBF field and NBSP go. */
	EXPECT_DECODE("زن", 0x20, 0xF6, 0xA5, 0x20, 0xFF, 0x20);
	EXPECT_DECODE("ن ب", 0x92, 0xFF, 0xF6);
	EXPECT_DECODE("", 0x20, 0x20);
	expect_decode(NULL, 0, "");
	/* Persian punctuation and tatweel. */
	EXPECT_DECODE("تهران، ایران؟", 0x8C, 0xF6, 0x90, 0xA4, 0xFE, 0x90, 0x20,
		      0x8A, 0xF6, 0x90, 0xA4, 0xFA, 0x97);
	EXPECT_DECODE("ـ", 0x8B);
	/* Box drawing of code page 437. */
	EXPECT_DECODE("\xE2\x95\x90\xE2\x95\x90", 0xCD, 0xCD);
}

/* Every byte decodes; 0x80..0xFF to what the table says. */
static void test_decode_every_byte(void **state)
{
	static const char *const want[128] = {
		"۰",
		"۱",
		"۲",
		"۳",
		"۴",
		"۵",
		"۶",
		"۷",
		"۸",
		"۹",
		"،",
		"ـ",
		"؟",
		"آ",
		"ئ",
		"ء",
		"ا",
		"ا",
		"ب",
		"ب",
		"پ",
		"پ",
		"ت",
		"ت",
		"ث",
		"ث",
		"ج",
		"ج",
		"چ",
		"چ",
		"ح",
		"ح",
		"خ",
		"خ",
		"د",
		"ذ",
		"ر",
		"ز",
		"ژ",
		"س",
		"س",
		"ش",
		"ش",
		"ص",
		"ص",
		"ض",
		"ض",
		"ط",
		/* 0xB0..0xDF: box drawing, checked against ICU below */
		[0x60] = "ظ",
		"ع",
		"ع",
		"ع",
		"ع",
		"غ",
		"غ",
		"غ",
		"غ",
		"ف",
		"ف",
		"ق",
		"ق",
		"ک",
		"ک",
		"گ",
		"گ",
		"ل",
		"لا",
		"ل",
		"م",
		"م",
		"ن",
		"ن",
		"و",
		"ه",
		"ه",
		"ه",
		"ی",
		"ی",
		"ی",
		"",
	};
	(void)state;

	for (unsigned c = 0x80; c <= 0xFF; c++) {
		unsigned char byte = (unsigned char)c;
		struct am_buf b;

		if (c >= 0xB0 && c <= 0xDF)
			continue;
		am_buf_init(&b, 0);
		assert_int_equal(am_text_decode(IS, &byte, 1, &b), 0);
		if (strcmp(b.buf, want[c - 0x80]) != 0)
			fail_msg("byte %02X decoded to «%s», want «%s»", c,
				 b.buf, want[c - 0x80]);
		am_buf_release(&b);
	}
}

/* 0xB0..0xDF are code page 437's box drawing: compare with ICU. */
static void test_decode_box_drawing(void **state)
{
	(void)state;

	for (unsigned c = 0xB0; c <= 0xDF; c++) {
		char byte = (char)c, icu[8];
		UErrorCode st = U_ZERO_ERROR;
		struct am_buf b;
		int32_t n;

		n = ucnv_convert("utf-8", "ibm-437", icu, sizeof(icu), &byte, 1,
				 &st);
		assert_false(U_FAILURE(st));
		am_buf_init(&b, 0);
		assert_int_equal(am_text_decode(IS, &byte, 1, &b), 0);
		assert_int_equal(b.len, n);
		assert_memory_equal(b.buf, icu, (size_t)n);
		am_buf_release(&b);
	}
}

/* ASCII below 0x80 is unchanged, order included, when nothing is RTL. */
static void test_decode_ascii(void **state)
{
	(void)state;
	EXPECT_DECODE("ABC 12", 'A', 'B', 'C', ' ', '1', '2');
	EXPECT_DECODE("a-b", 'a', '-', 'b');
}

/* ---- round trips ---- */

/* Read tests/data/names-fa.txt: one name a line, # comments. */
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

static void test_round_trip_names(void **state)
{
	static char names[128][NAME_MAX_LEN];
	size_t n = read_names(names, 128);
	(void)state;

	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++)
		expect_round_trip(names[i], names[i]);
}

static void test_round_trip_mixed(void **state)
{
	(void)state;
	expect_round_trip("شرکت ABC پارس", "شرکت ABC پارس");
	expect_round_trip("تهران، خیابان آزادی، پلاک ۱۲",
			  "تهران، خیابان آزادی، پلاک ۱۲");
	expect_round_trip("۱۴۰۳/۱۲/۳۰", "۱۴۰۳/۱۲/۳۰");
	expect_round_trip("کد 1234 و ۵۶", "کد 1234 و ۵۶");
	expect_round_trip("علی (رضا) [x]", "علی (رضا) [x]");
	expect_round_trip("IR 12 بانک ملی", "IR 12 بانک ملی");
	expect_round_trip("خانه" ZWNJ "ها", "خانه" ZWNJ "ها");
	expect_round_trip("می" ZWNJ "رود", "می" ZWNJ "رود");
	expect_round_trip("لا", "لا");
	expect_round_trip("ل" ZWNJ "ا", "ل" ZWNJ "ا");
	expect_round_trip("ـ", "ـ");
}

/* What Iran System cannot tell apart comes back folded, as documented. */
static void test_round_trip_folds(void **state)
{
	(void)state;
	/* ZWNJ after a letter that never joins the next shows nowhere. */
	expect_round_trip("آرد" ZWNJ "ها", "آردها");
	/* ... nor after ط, whose one glyph serves every position. */
	expect_round_trip("ط" ZWNJ "ب", "طب");
	/* Direction marks and embeddings have nothing to do in visual
	 * order; they are dropped, not refused, like ZWJ and the BOM. */
	expect_round_trip(RLM "علی" LRE "12" PDF, "علی12");
	expect_round_trip(BOM "زن", "زن");
	expect_round_trip("م" ZWJ "رد", "مرد");
	/* ZWNJ that separates nothing is dropped. */
	expect_round_trip(ZWNJ "علی" ZWNJ, "علی");
	expect_round_trip("مؤسسه", "موسسه");
	expect_round_trip("أحمد إبراهیم", "احمد ابراهیم");
	expect_round_trip("علي كريمي", "علی کریمی");
	expect_round_trip("فاطمة", "فاطمه");
	expect_round_trip("\xD9\xA1\xD9\xA2", "۱۲");
	expect_round_trip("  زن \t مرد\n", "زن مرد");
}

/* ---- refusals ---- */

static void test_unmappable(void **state)
{
	struct am_buf b;
	(void)state;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, "keep"), 0);
	assert_int_equal(
		am_text_encode(IS, "محمد é", strlen("محمد é"), false, &b),
		AM_EENCODING_UNMAPPABLE);
	assert_string_equal(b.buf, "keep");
	assert_int_equal(b.len, 4);
	/* Emoji (4-byte UTF-8) and CJK are unmappable too. */
	assert_int_equal(am_text_encode(IS, "\xF0\x9F\x98\x80", 4, false, &b),
			 AM_EENCODING_UNMAPPABLE);
	assert_int_equal(am_text_encode(IS, "\xE4\xB8\xAD", 3, false, &b),
			 AM_EENCODING_UNMAPPABLE);
	assert_string_equal(b.buf, "keep");
	/* Substituted: '?' is neutral, so it follows the Persian text. */
	am_buf_clear(&b);
	assert_int_equal(am_text_encode(IS, "زن é", strlen("زن é"), true, &b),
			 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.buf, "? \xF6\xA5", 4);
	am_buf_clear(&b);
	assert_int_equal(am_text_encode(IS, "\xF0\x9F\x98\x80", 4, true, &b),
			 0);
	assert_string_equal(b.buf, "?");
	am_buf_release(&b);
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xFF",		"\xC0\x80", "\xE2\x80",
		"\xED\xA0\x80", "\xD8",	    "\xF4\x90\x80\x80",
	};
	struct am_buf b;
	(void)state;

	am_buf_init(&b, 0);
	assert_int_equal(am_buf_adds(&b, "x"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			am_text_encode(IS, bad[i], strlen(bad[i]), true, &b),
			AM_EINVALID_UTF8);
		assert_string_equal(b.buf, "x");
	}
	am_buf_release(&b);
}

/* A cap too small: the call fails and out is as it was. */
static void test_too_long(void **state)
{
	static const unsigned char bytes[] = { 0xA2, 0xA4, 0xF5 };
	struct am_buf b;
	(void)state;

	am_buf_init(&b, 4);
	assert_int_equal(am_buf_adds(&b, "ab"), 0);
	assert_int_equal(am_text_decode(IS, bytes, sizeof(bytes), &b),
			 AM_ETOO_LONG);
	assert_string_equal(b.buf, "ab");
	assert_int_equal(am_text_encode(IS, "مرد", strlen("مرد"), false, &b),
			 AM_ETOO_LONG);
	assert_string_equal(b.buf, "ab");
	am_buf_release(&b);
}

/* ---- stability on arbitrary bytes (what fuzz_iransystem checks) ---- */

static uint32_t rng_state = 2463534242u;

static uint32_t xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_decode_encode_stable(void **state)
{
	/* Bytes drawn mostly from letters, with spaces, digits, ASCII. */
	static const unsigned char pool[] = {
		0x20, 0x20, 'A',  '1',	'(',  ')',  '/',  0x80, 0x85,
		0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92,
		0x93, 0xA2, 0xA4, 0xA6, 0xAF, 0xB3, 0xE0, 0xE1, 0xE2,
		0xE3, 0xE4, 0xE7, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF8,
		0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x09,
	};
	(void)state;

	for (int round = 0; round < 20000; round++) {
		unsigned char in[24];
		size_t len = xorshift() % sizeof(in);
		struct am_buf d1, e, d2;

		for (size_t i = 0; i < len; i++)
			in[i] = pool[xorshift() % sizeof(pool)];
		am_buf_init(&d1, 0);
		am_buf_init(&e, 0);
		am_buf_init(&d2, 0);
		assert_int_equal(am_text_decode(IS, in, len, &d1), 0);
		assert_int_equal(am_text_encode(IS, d1.buf, d1.len, false, &e),
				 0);
		assert_int_equal(am_text_decode(IS, e.buf, e.len, &d2), 0);
		assert_string_equal(d1.buf, d2.buf);
		am_buf_release(&d1);
		am_buf_release(&e);
		am_buf_release(&d2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_short_words),
		cmocka_unit_test(test_bytes_names),
		cmocka_unit_test(test_bytes_four_forms),
		cmocka_unit_test(test_bytes_zwnj),
		cmocka_unit_test(test_bytes_digits_and_order),
		cmocka_unit_test(test_decode_visual),
		cmocka_unit_test(test_decode_every_byte),
		cmocka_unit_test(test_decode_box_drawing),
		cmocka_unit_test(test_decode_ascii),
		cmocka_unit_test(test_round_trip_names),
		cmocka_unit_test(test_round_trip_mixed),
		cmocka_unit_test(test_round_trip_folds),
		cmocka_unit_test(test_unmappable),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_decode_encode_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
