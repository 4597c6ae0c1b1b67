/* Unit tests of the identifier checks (src/locale/ident.c, banks.c): the
 * golden cases of tests/data/ident.txt, plus properties of the check digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/ident.h"

#define OUT_MAX 32
#define FIELD_MAX 256

#define NBSP "\xC2\xA0"	    /* U+00A0 NO-BREAK SPACE */
#define LRM "\xE2\x80\x8E"  /* U+200E LEFT-TO-RIGHT MARK */
#define RLM "\xE2\x80\x8F"  /* U+200F RIGHT-TO-LEFT MARK */
#define ZWNJ "\xE2\x80\x8C" /* U+200C ZERO WIDTH NON-JOINER */

/* Fill an output with a pattern that no check writes, so that a refusal
 * can be shown to leave it untouched. */
static void poison(char *out)
{
	memset(out, '#', OUT_MAX);
}

static bool poisoned(const char *out)
{
	for (size_t i = 0; i < OUT_MAX; i++)
		if (out[i] != '#')
			return false;
	return true;
}

static int check(const char *kind, const char *s, size_t len, char *out,
		 const struct am_bank **bank)
{
	if (strcmp(kind, "national") == 0)
		return am_national_code_check(s, len, out);
	if (strcmp(kind, "legal") == 0)
		return am_legal_id_check(s, len, out);
	if (strcmp(kind, "sheba") == 0)
		return am_sheba_check(s, len, out, bank);
	if (strcmp(kind, "workshop") == 0)
		return am_workshop_code_check(s, len, out);
	if (strcmp(kind, "insurance") == 0)
		return am_insurance_no_check(s, len, out);
	fail_msg("unknown kind '%s'", kind);
	return 0;
}

static int checks(const char *kind, const char *s, char *out)
{
	const struct am_bank *bank = NULL;

	return check(kind, s, strlen(s), out, &bank);
}

/* ---- Golden file ---- */

struct golden {
	char kind[FIELD_MAX];
	char input[FIELD_MAX];
	size_t input_len;
	char expected[FIELD_MAX];
	char bank[FIELD_MAX];
};

static const char *word(const char *p, char *dst)
{
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '#' &&
	       n + 1 < FIELD_MAX)
		dst[n++] = *p++;
	dst[n] = '\0';
	return p;
}

/* KIND "INPUT" EXPECTED [BANK] [# note]; see the header of ident.txt. */
static bool split_line(const char *p, struct golden *g)
{
	size_t n = 0;

	p = word(p, g->kind);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return false;
	while (*p && *p != '"') {
		char c = *p++;

		if (c == '\\') {
			c = *p++;
			if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\')
				return false;
		}
		if (n + 1 >= FIELD_MAX)
			return false;
		g->input[n++] = c;
	}
	if (*p++ != '"')
		return false;
	g->input[n] = '\0';
	g->input_len = n;
	p = word(p, g->expected);
	p = word(p, g->bank);
	while (*p == ' ' || *p == '\t')
		p++;
	return g->kind[0] && g->expected[0] &&
	       (*p == '\0' || *p == '\n' || *p == '#');
}

enum script { LATIN = 1, PERSIAN = 2, ARABIC = 4 };

/* Which digit scripts a value uses: U+06F0.. is DB B0-B9, U+0660.. is
 * D9 A0-A9 in UTF-8. */
static unsigned scripts_of(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned mask = 0;

	for (size_t i = 0; i < len; i++) {
		if (u[i] >= '0' && u[i] <= '9')
			mask |= LATIN;
		if (i + 1 < len && u[i] == 0xDB && u[i + 1] >= 0xB0 &&
		    u[i + 1] <= 0xB9)
			mask |= PERSIAN;
		if (i + 1 < len && u[i] == 0xD9 && u[i + 1] >= 0xA0 &&
		    u[i + 1] <= 0xA9)
			mask |= ARABIC;
	}
	return mask;
}

/* Every refusal reason, which the golden file must show in each script. */
static const char *const refusals[] = {
	"natcode_length",      "natcode_digits",       "natcode_same_digits",
	"natcode_middle_zero", "natcode_checksum",     "legalid_length",
	"legalid_digits",      "legalid_zero",	       "legalid_checksum",
	"sheba_prefix",	       "sheba_length",	       "sheba_digits",
	"sheba_checksum",      "workshop_code_format", "insurance_no_format",
};

/* Run one case; false (with a message) when it does not come out. */
static bool run_case(const char *path, unsigned lineno, const struct golden *g,
		     unsigned *seen)
{
	const struct am_bank *bank = (const struct am_bank *)&bank;
	char out[OUT_MAX];
	int err;

	poison(out);
	err = check(g->kind, g->input, g->input_len, out, &bank);
	if (g->expected[0] >= 'a' && g->expected[0] <= 'z') {
		int want = am_error_from_id(g->expected);

		if (want == 0) {
			print_error("%s:%u: unknown error id '%s'\n", path,
				    lineno, g->expected);
			return false;
		}
		for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals);
		     i++)
			if (strcmp(refusals[i], g->expected) == 0)
				seen[i] |= scripts_of(g->input, g->input_len);
		if (err != want || !poisoned(out) ||
		    bank != (const struct am_bank *)&bank) {
			print_error("%s:%u: %s \"%s\": expected %s, got %s%s\n",
				    path, lineno, g->kind, g->input,
				    g->expected, err ? am_error_id(err) : out,
				    err && !poisoned(out) ? " (out changed)"
							  : "");
			return false;
		}
		return true;
	}
	if (err != 0 || strcmp(out, g->expected) != 0) {
		print_error("%s:%u: %s \"%s\": expected %s, got %s\n", path,
			    lineno, g->kind, g->input, g->expected,
			    err ? am_error_id(err) : out);
		return false;
	}
	if (strcmp(g->kind, "sheba") == 0) {
		const char *got = bank ? bank->code : "-";

		if (strcmp(got, g->bank) != 0) {
			print_error("%s:%u: bank: expected %s, got %s\n", path,
				    lineno, g->bank, got);
			return false;
		}
	} else if (g->bank[0]) {
		print_error("%s:%u: a bank for a %s\n", path, lineno, g->kind);
		return false;
	}
	return true;
}

static void test_golden_file(void **state)
{
	const char *dir = getenv("AMANAT_TESTDATA");
	unsigned seen[sizeof(refusals) / sizeof(*refusals)] = { 0 };
	char path[1024], line[1024];
	unsigned lineno = 0, cases = 0, failed = 0;
	FILE *f;

	(void)state;
	if (!dir)
		fail_msg("AMANAT_TESTDATA is not set");
	snprintf(path, sizeof(path), "%s/ident.txt", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		struct golden g;
		const char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		memset(&g, 0, sizeof(g));
		if (!split_line(line, &g)) {
			print_error("%s:%u: malformed case: %s", path, lineno,
				    line);
			failed++;
			continue;
		}
		cases++;
		if (!run_case(path, lineno, &g, seen))
			failed++;
	}
	fclose(f);
	print_message("ident.txt: %u cases, %u failed\n", cases, failed);
	assert_true(cases >= 60);
	assert_int_equal(failed, 0);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++)
		if (seen[i] != (LATIN | PERSIAN | ARABIC))
			fail_msg("ident.txt: %s is not shown in every script "
				 "(mask %u)",
				 refusals[i], seen[i]);
}

/* ---- National code ---- */

/* A small deterministic generator, so that runs repeat. */
static uint32_t next_rand(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

static bool degenerate_natcode(const char *d)
{
	bool same = true, zero = true;

	for (int i = 1; i < 10; i++)
		same = same && d[i] == d[0];
	for (int i = 3; i <= 8; i++)
		zero = zero && d[i] == '0';
	return same || zero;
}

/* Whatever the first nine digits, exactly one check digit is accepted, and
 * every other is refused as a checksum error. */
static void test_natcode_one_check_digit(void **state)
{
	uint32_t x = 1403;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		char code[11], out[OUT_MAX];
		int accepted = 0;

		for (int i = 0; i < 9; i++)
			code[i] = (char)('0' + next_rand(&x) % 10);
		code[10] = '\0';
		for (char c = '0'; c <= '9'; c++) {
			int err;

			code[9] = c;
			if (degenerate_natcode(code))
				continue;
			err = am_national_code_check(code, 10, out);
			if (err == 0) {
				accepted++;
				assert_string_equal(out, code);
			} else {
				assert_int_equal(err, AM_ENATCODE_CHECKSUM);
			}
		}
		if (!degenerate_natcode(code))
			assert_int_equal(accepted, 1);
	}
}

/* Padding: 8 or 9 digits mean the same code with leading zeros. */
static void test_natcode_padding(void **state)
{
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(am_national_code_check("84575948", 8, out), 0);
	assert_string_equal(out, "0084575948");
	assert_int_equal(am_national_code_check("084575948", 9, out), 0);
	assert_string_equal(out, "0084575948");
	assert_int_equal(am_national_code_check("4575948", 7, out),
			 AM_ENATCODE_LENGTH);
	assert_int_equal(am_national_code_check("00084575948", 11, out),
			 AM_ENATCODE_LENGTH);
}

/* The input need not end in NUL: only s[0..len) is read. */
static void test_length_is_honoured(void **state)
{
	const char text[] = "0499370899123";
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(am_national_code_check(text, 10, out), 0);
	assert_string_equal(out, "0499370899");
	assert_int_equal(am_national_code_check(text, 13, out),
			 AM_ENATCODE_LENGTH);
	assert_int_equal(am_national_code_check(text, 0, out),
			 AM_ENATCODE_LENGTH);
	assert_int_equal(am_national_code_check(NULL, 0, out),
			 AM_ENATCODE_LENGTH);
	/* A Persian digit cut in half by len is not a digit. */
	assert_int_equal(am_national_code_check("۰۴۹۹۳۷۰۸۹۹", 19, out),
			 AM_ENATCODE_DIGITS);
	assert_int_equal(am_national_code_check("۰۴۹۹۳۷۰۸۹۹", 20, out), 0);
}

/* Blanks and marks that copying leaves around a value are trimmed; inside
 * the value they are refused. */
static void test_blanks(void **state)
{
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(checks("national", "\r\n 0499370899\t\r\n", out), 0);
	assert_string_equal(out, "0499370899");
	assert_int_equal(checks("national", NBSP "0499370899" NBSP, out), 0);
	assert_int_equal(checks("national", RLM "۰۴۹۹۳۷۰۸۹۹" LRM, out), 0);
	assert_string_equal(out, "0499370899");
	assert_int_equal(checks("national", "04993 70899", out),
			 AM_ENATCODE_DIGITS);
	assert_int_equal(checks("national", "04993" NBSP "70899", out),
			 AM_ENATCODE_DIGITS);
	/* A lone 0xA0 or a cut mark is not a blank. */
	assert_int_equal(checks("national", "0499370899\xA0", out),
			 AM_ENATCODE_DIGITS);
	assert_int_equal(checks("national", "0499370899\x80\x8F", out),
			 AM_ENATCODE_DIGITS);
	/* U+200C ZWNJ is a letter-joining mark, not a blank. */
	assert_int_equal(checks("national", "0499370899" ZWNJ, out),
			 AM_ENATCODE_DIGITS);
}

static void test_invalid_utf8(void **state)
{
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(checks("national", "049937089\xDB", out),
			 AM_ENATCODE_DIGITS);
	assert_int_equal(checks("legal", "1038028479\xC0\xB0", out),
			 AM_ELEGALID_DIGITS);
	assert_int_equal(checks("sheba", "IR05013000000123456789012\xFF", out),
			 AM_ESHEBA_DIGITS);
	assert_int_equal(checks("workshop", "\xED\xA0\x80", out),
			 AM_EWORKSHOP_CODE_FORMAT);
	/* U+06F0 written overlong in four bytes is not a digit. */
	assert_int_equal(checks("insurance", "1234567\xF0\x80\x9B\xB0", out),
			 AM_EINSURANCE_NO_FORMAT);
}

/* A very long value is refused by length, not read past a buffer. */
static void test_long_input(void **state)
{
	char big[5000], out[OUT_MAX];

	(void)state;
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	poison(out);
	assert_int_equal(checks("national", big, out), AM_ENATCODE_LENGTH);
	assert_int_equal(checks("legal", big, out), AM_ELEGALID_LENGTH);
	assert_int_equal(checks("workshop", big, out),
			 AM_EWORKSHOP_CODE_FORMAT);
	assert_int_equal(checks("insurance", big, out),
			 AM_EINSURANCE_NO_FORMAT);
	big[0] = 'I';
	big[1] = 'R';
	assert_int_equal(checks("sheba", big, out), AM_ESHEBA_LENGTH);
	assert_true(poisoned(out));
}

/* ---- Legal-entity id ---- */

static void test_legal_one_check_digit(void **state)
{
	uint32_t x = 1111;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		char id[12], out[OUT_MAX];
		int accepted = 0;
		bool zero = true;

		for (int i = 0; i < 10; i++)
			id[i] = (char)('0' + next_rand(&x) % 10);
		id[11] = '\0';
		for (int i = 3; i <= 8; i++)
			zero = zero && id[i] == '0';
		if (zero)
			continue;
		for (char c = '0'; c <= '9'; c++) {
			int err;

			id[10] = c;
			err = am_legal_id_check(id, 11, out);
			if (err == 0) {
				accepted++;
				assert_string_equal(out, id);
			} else {
				assert_int_equal(err, AM_ELEGALID_CHECKSUM);
			}
		}
		assert_int_equal(accepted, 1);
	}
}

/* ---- Sheba ---- */

/* Refah Kargaran (013), built with check digits computed by hand:
 * 0130000001234567890123 1827 00 mod 97 = 93, so the check digits are
 * 98 - 93 = 05. */
static const char refah[] = "IR050130000001234567890123";

/* A change of any one digit, or a swap of two neighbouring different
 * digits, is caught by mod 97 (97 is prime and larger than 9 * 10). */
static void test_sheba_detects_errors(void **state)
{
	char s[27], out[OUT_MAX];

	(void)state;
	assert_int_equal(checks("sheba", refah, out), 0);
	for (int i = 2; i < 26; i++) {
		for (char c = '0'; c <= '9'; c++) {
			memcpy(s, refah, sizeof(s));
			if (s[i] == c)
				continue;
			s[i] = c;
			assert_int_equal(checks("sheba", s, out),
					 AM_ESHEBA_CHECKSUM);
		}
	}
	for (int i = 2; i < 25; i++) {
		memcpy(s, refah, sizeof(s));
		if (s[i] == s[i + 1])
			continue;
		s[i] = refah[i + 1];
		s[i + 1] = refah[i];
		assert_int_equal(checks("sheba", s, out), AM_ESHEBA_CHECKSUM);
	}
}

static void test_sheba_bank(void **state)
{
	const struct am_bank *bank = NULL;
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(am_sheba_check(refah, strlen(refah), out, &bank), 0);
	assert_string_equal(out, refah);
	assert_non_null(bank);
	assert_string_equal(bank->code, "013");
	assert_string_equal(bank->name_fa, "بانک رفاه کارگران");
	assert_string_equal(bank->name_en, "Bank Refah Kargaran");
	/* The caller may not want the bank. */
	assert_int_equal(am_sheba_check(refah, strlen(refah), out, NULL), 0);
	/* An unknown code: valid, no bank (IR74 099…, computed as above). */
	bank = (const struct am_bank *)&bank;
	assert_int_equal(checks("sheba", "IR740990000000000000000001", out), 0);
	assert_int_equal(
		am_sheba_check("IR740990000000000000000001", 26, out, &bank),
		0);
	assert_null(bank);
	/* Refused: *bank is left alone. */
	bank = (const struct am_bank *)&bank;
	assert_int_equal(
		am_sheba_check("IR740990000000000000000002", 26, out, &bank),
		AM_ESHEBA_CHECKSUM);
	assert_ptr_equal(bank, (const struct am_bank *)&bank);
}

static void test_sheba_separators(void **state)
{
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(
		checks("sheba", "IR-05-0130-0000-0123-4567-8901-23", out), 0);
	assert_string_equal(out, refah);
	assert_int_equal(
		checks("sheba", "IR  050130 - 000001234567890123", out), 0);
	assert_int_equal(checks("sheba", "iR050130000001234567890123", out), 0);
	assert_int_equal(checks("sheba", "I R050130000001234567890123", out),
			 AM_ESHEBA_PREFIX);
	assert_int_equal(checks("sheba", "-IR050130000001234567890123", out),
			 AM_ESHEBA_PREFIX);
	assert_int_equal(checks("sheba", "I", out), AM_ESHEBA_PREFIX);
	assert_int_equal(checks("sheba", "IR05013000000123456789012 3-", out),
			 AM_ESHEBA_DIGITS);
	assert_int_equal(checks("sheba", "IR\t050130000001234567890123", out),
			 AM_ESHEBA_DIGITS);
	assert_int_equal(checks("sheba", "IR - ", out), AM_ESHEBA_DIGITS);
}

/* ---- Banks ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_bank_table(void **state)
{
	static const char *const known[] = {
		"010", "011", "012", "013", "014", "015", "016", "017", "018",
		"019", "020", "021", "022", "051", "053", "054", "055", "056",
		"057", "058", "059", "060", "061", "062", "063", "064", "065",
		"066", "069", "070", "073", "075", "078", "080",
	};
	/* Codes left out on purpose (see banks.c), and codes never used. */
	static const char *const unknown[] = { "000", "009", "023", "052",
					       "079", "090", "095", "999" };

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		const struct am_bank *b = am_bank_find(known[i]);

		if (!b)
			fail_msg("bank %s is missing", known[i]);
		assert_string_equal(b->code, known[i]);
		assert_true(strlen(b->name_fa) > 0 && strlen(b->name_en) > 0);
		/* Every Persian name says what kind of institution it is. */
		if (!starts_with(b->name_fa, "بانک ") &&
		    !starts_with(b->name_fa, "مؤسسهٔ اعتباری ") &&
		    strcmp(b->name_fa, "پست‌بانک ایران") != 0)
			fail_msg("bank %s: odd name «%s»", b->code, b->name_fa);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++)
		assert_null(am_bank_find(unknown[i]));
	assert_null(am_bank_find(NULL));
	assert_null(am_bank_find(""));
	assert_null(am_bank_find("01"));
	assert_string_equal(am_bank_find("017")->name_fa, "بانک ملی ایران");
	assert_string_equal(am_bank_find("012")->name_en, "Bank Mellat");
	assert_string_equal(am_bank_find("010")->name_fa,
			    "بانک مرکزی جمهوری اسلامی ایران");
}

/* ---- Workshop code and insurance number ---- */

static void test_plain_numbers(void **state)
{
	char out[OUT_MAX];

	(void)state;
	poison(out);
	assert_int_equal(checks("insurance", "12345678", out), 0);
	/* Exactly the digits and a NUL; the rest of out is not written. */
	assert_memory_equal(out, "12345678", 9);
	assert_int_equal(out[9], '#');
	assert_int_equal(checks("insurance", "۱۲۳۴۵۶۷۸۹۰", out), 0);
	assert_string_equal(out, "1234567890");
	assert_int_equal(checks("workshop", "0000000000", out), 0);
	assert_int_equal(checks("workshop", "+123456789", out),
			 AM_EWORKSHOP_CODE_FORMAT);
	assert_int_equal(checks("insurance", "-1234567", out),
			 AM_EINSURANCE_NO_FORMAT);
}

/* The checks read ten (or eight) plain ASCII digits without their loop:
 * the same answer as through it, which a leading blank forces, for codes
 * of digits with now and then a byte next to the digits (':', '/', 'p',
 * 0xB5, a Persian digit) at any place. */
static void test_ascii_fast_path(void **state)
{
	static const char *const kinds[] = { "national", "insurance",
					     "workshop" };
	static const char *const stray[] = { ":",    "/",	 "p",
					     "\xB5", "\xDB\xB5", " " };
	uint32_t x = 7;

	(void)state;
	for (int round = 0; round < 60000; round++) {
		char s[32], blank[40], out1[OUT_MAX], out2[OUT_MAX];
		size_t len = 8 + next_rand(&x) % 4, n = 0;
		const char *kind = kinds[round % 3];
		int err1, err2;

		for (size_t i = 0; i < len; i++)
			s[n++] = (char)('0' + next_rand(&x) % 10);
		if (round % 4 == 1) { /* one byte (or two) put in */
			const char *t = stray[next_rand(&x) % 6];
			size_t at = next_rand(&x) % n, tl = strlen(t);

			memcpy(s + at, t, tl);
			n = at + tl > n ? at + tl : n;
		}
		s[n] = '\0';
		snprintf(blank, sizeof(blank), " %s", s);
		poison(out1);
		poison(out2);
		err1 = checks(kind, s, out1);
		err2 = checks(kind, blank, out2);
		assert_int_equal(err1, err2);
		if (!err1)
			assert_string_equal(out1, out2);
	}
}

static void test_nationality(void **state)
{
	assert_string_equal(am_nationality_iso("ایرانی"), "IRN");
	assert_string_equal(am_nationality_iso("افغانستانی"), "AFG");
	assert_string_equal(am_nationality_iso("افغان"), "AFG");
	assert_null(am_nationality_iso("مریخی"));
	assert_null(am_nationality_iso(NULL));
	assert_string_equal(am_nationality_word("IRN"), "ایرانی");
	assert_string_equal(am_nationality_word("PAK"), "پاکستانی");
	assert_null(am_nationality_word("XXX"));
	/* Both ways agree for every word the table has. */
	assert_string_equal(am_nationality_word(am_nationality_iso("عراقی")),
			    "عراقی");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_file),
		cmocka_unit_test(test_natcode_one_check_digit),
		cmocka_unit_test(test_natcode_padding),
		cmocka_unit_test(test_length_is_honoured),
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_legal_one_check_digit),
		cmocka_unit_test(test_sheba_detects_errors),
		cmocka_unit_test(test_sheba_bank),
		cmocka_unit_test(test_sheba_separators),
		cmocka_unit_test(test_bank_table),
		cmocka_unit_test(test_plain_numbers),
		cmocka_unit_test(test_ascii_fast_path),
		cmocka_unit_test(test_nationality),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
