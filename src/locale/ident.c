/* Identifier checks: national codes, legal-entity ids, Sheba numbers,
 * workshop codes and insurance numbers, each refusal with its own reason. */
#include "core/internal.h"

#include "amanat/ident.h"

/*
 * Every check works the same way: trim the blanks around the value, read
 * its digits (Latin, Persian or Arabic-Indic) into ASCII, then test length
 * and check digits. A character that is not a digit is reported before a
 * wrong length, since "contains a letter" tells the clerk more than "has 11
 * characters". Nothing is written to out before the value is known good.
 */

#define NATCODE_LEN 10
#define LEGALID_LEN 11
#define SHEBA_DIGITS 24 /* after "IR" */
#define WORKSHOP_LEN 10

/* Bytes of the blank at s: ASCII space, tab, CR or LF, and the invisible
 * characters that copying from Persian documents leaves around a number:
 * U+00A0 NO-BREAK SPACE, U+200E LRM, U+200F RLM. 0 when s holds none. */
static size_t blank_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 1 &&
	    (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\n'))
		return 1;
	if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0x8E || u[2] == 0x8F))
		return 3;
	return 0;
}

/* The same, for the blank that ends s[0..len). */
static size_t blank_before(const char *s, size_t len)
{
	for (size_t n = 1; n <= 3 && n <= len; n++)
		if (blank_at(s + len - n, n) == n)
			return n;
	return 0;
}

static void trim(const char **s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)*s;
	size_t n;

	/* Most values begin and end with a visible ASCII character, which
	 * no blank above begins or ends with: nothing to trim. */
	if (*len && u[0] > ' ' && u[0] < 0x80 && u[*len - 1] > ' ' &&
	    u[*len - 1] < 0x80)
		return;
	while ((n = blank_at(*s, *len)) > 0) {
		*s += n;
		*len -= n;
	}
	while ((n = blank_before(*s, *len)) > 0)
		*len -= n;
}

/* Read s[0..len), digits only, into dig as ASCII; store at most max of them
 * but count them all in *count. false at the first character that is not a
 * digit (or not valid UTF-8). */
static bool read_digits(const char *s, size_t len, char *dig, size_t max,
			size_t *count)
{
	*count = 0;
	while (len) {
		size_t used;
		int d = am__digit_at(s, len, &used);

		if (d < 0)
			return false;
		if (*count < max)
			dig[*count] = (char)('0' + d);
		(*count)++;
		s += used;
		len -= used;
	}
	return true;
}

static bool all_same(const char *d, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (d[i] != d[0])
			return false;
	return true;
}

static bool all_zero(const char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != '0')
			return false;
	return true;
}

/* The national code's check digit: s = sum of d[i] * (10 - i) over the
 * first nine digits, r = s mod 11; the check digit is r when r < 2 and
 * 11 - r otherwise. */
static bool natcode_check_digit_ok(const char d[NATCODE_LEN])
{
	unsigned s = 0, r, want;

	for (unsigned i = 0; i < 9; i++)
		s += (unsigned)(d[i] - '0') * (10 - i);
	r = s % 11;
	want = r < 2 ? r : 11 - r;
	am_testcase(r < 2);
	return (unsigned)(d[9] - '0') == want;
}

int am_national_code_check(const char *s, size_t len, char out[11])
{
	char d[NATCODE_LEN];
	size_t n;

	/* The usual form, ten ASCII digits, read at once. */
	if (len == NATCODE_LEN && am__ascii_digits(s, len)) {
		memcpy(d, s, NATCODE_LEN);
	} else {
		trim(&s, &len);
		if (!read_digits(s, len, d, NATCODE_LEN, &n))
			return AM_ENATCODE_DIGITS;
		if (n < 8 || n > NATCODE_LEN)
			return AM_ENATCODE_LENGTH;
		/* Leading zeros are often lost in spreadsheets: put them
		 * back. */
		am_testcase(n < NATCODE_LEN);
		memmove(d + NATCODE_LEN - n, d, n);
		memset(d, '0', NATCODE_LEN - n);
	}
	if (all_same(d, NATCODE_LEN))
		return AM_ENATCODE_SAME_DIGITS;
	/* Digits 4 to 9 (indices 3..8) are never all zero in an issued code. */
	if (all_zero(d + 3, 6))
		return AM_ENATCODE_MIDDLE_ZERO;
	if (!natcode_check_digit_ok(d))
		return AM_ENATCODE_CHECKSUM;
	memcpy(out, d, NATCODE_LEN);
	out[NATCODE_LEN] = '\0';
	return 0;
}

/* The legal-entity id's check digit: k = the tenth digit + 2; s = sum of
 * (k + d[i]) * coef[i mod 5] over the first ten digits; r = s mod 11, with
 * 10 taken as 0; the eleventh digit must be r. */
static bool legalid_check_digit_ok(const char d[LEGALID_LEN])
{
	static const unsigned coef[5] = { 29, 27, 23, 19, 17 };
	unsigned k = (unsigned)(d[9] - '0') + 2, s = 0, r;

	for (unsigned i = 0; i < 10; i++)
		s += (k + (unsigned)(d[i] - '0')) * coef[i % 5];
	r = s % 11;
	if (r == 10)
		r = 0;
	return (unsigned)(d[10] - '0') == r;
}

int am_legal_id_check(const char *s, size_t len, char out[12])
{
	char d[LEGALID_LEN];
	size_t n;

	trim(&s, &len);
	if (!read_digits(s, len, d, LEGALID_LEN, &n))
		return AM_ELEGALID_DIGITS;
	if (n != LEGALID_LEN)
		return AM_ELEGALID_LENGTH;
	/* All zero, or zero in digits 4 to 9 (indices 3..8), the serial part
	 * of the id: no entity is registered under such an id. */
	if (all_zero(d, LEGALID_LEN) || all_zero(d + 3, 6))
		return AM_ELEGALID_ZERO;
	if (!legalid_check_digit_ok(d))
		return AM_ELEGALID_CHECKSUM;
	memcpy(out, d, LEGALID_LEN);
	out[LEGALID_LEN] = '\0';
	return 0;
}

static bool is_sheba_sep(char c)
{
	return c == ' ' || c == '-';
}

/* Read the 24 digits after "IR". Blanks and dashes may stand between
 * groups (and after "IR"), never at the end. */
static int sheba_read(const char *s, size_t len, char dig[SHEBA_DIGITS])
{
	size_t n = 0;
	bool after_sep = false;

	while (len) {
		size_t used;
		int d;

		if (is_sheba_sep(*s)) {
			after_sep = true;
			s++;
			len--;
			continue;
		}
		d = am__digit_at(s, len, &used);
		if (d < 0)
			return AM_ESHEBA_DIGITS;
		if (n < SHEBA_DIGITS)
			dig[n] = (char)('0' + d);
		n++;
		after_sep = false;
		s += used;
		len -= used;
	}
	/* Trimming removed trailing blanks, so this is a trailing dash. */
	if (after_sep)
		return AM_ESHEBA_DIGITS;
	if (n != SHEBA_DIGITS)
		return AM_ESHEBA_LENGTH;
	return 0;
}

/* ISO 7064 mod 97-10 as ISO 13616 applies it: the BBAN, then "IR" as 18 27,
 * then the two check digits, read as one number, leave 1 mod 97. The
 * remainder is carried digit by digit, so no big numbers are needed. Check
 * digits 00, 01 and 99 are never issued (the computed ones run 02..98). */
static bool sheba_check_digits_ok(const char dig[SHEBA_DIGITS])
{
	static const char ir[] = "1827";
	unsigned r = 0;

	if ((dig[0] == '0' && dig[1] <= '1') ||
	    (dig[0] == '9' && dig[1] == '9'))
		return false;
	for (size_t i = 2; i < SHEBA_DIGITS; i++)
		r = (r * 10 + (unsigned)(dig[i] - '0')) % 97;
	for (size_t i = 0; i < 4; i++)
		r = (r * 10 + (unsigned)(ir[i] - '0')) % 97;
	for (size_t i = 0; i < 2; i++)
		r = (r * 10 + (unsigned)(dig[i] - '0')) % 97;
	return r == 1;
}

int am_sheba_check(const char *s, size_t len, char out[27],
		   const struct am_bank **bank)
{
	char dig[SHEBA_DIGITS];
	int err;

	trim(&s, &len);
	if (len < 2 || (s[0] != 'I' && s[0] != 'i') ||
	    (s[1] != 'R' && s[1] != 'r'))
		return AM_ESHEBA_PREFIX;
	err = sheba_read(s + 2, len - 2, dig);
	if (err)
		return err;
	if (!sheba_check_digits_ok(dig))
		return AM_ESHEBA_CHECKSUM;
	out[0] = 'I';
	out[1] = 'R';
	memcpy(out + 2, dig, SHEBA_DIGITS);
	out[2 + SHEBA_DIGITS] = '\0';
	if (bank)
		*bank = am_bank_find(out + 4);
	return 0;
}

/* n digits exactly (or n2 when n2 is not 0) into out; false otherwise. */
static bool plain_digits(const char *s, size_t len, size_t n, size_t n2,
			 char *out)
{
	char d[WORKSHOP_LEN];
	size_t count;

	assert(n <= sizeof(d) && n2 <= sizeof(d));
	/* The usual form, ASCII digits of a right length, read at once. */
	if ((len == n || (n2 && len == n2)) && am__ascii_digits(s, len)) {
		memcpy(out, s, len);
		out[len] = '\0';
		return true;
	}
	trim(&s, &len);
	if (!read_digits(s, len, d, sizeof(d), &count))
		return false;
	if (count != n && (n2 == 0 || count != n2))
		return false;
	memcpy(out, d, count);
	out[count] = '\0';
	return true;
}

int am_workshop_code_check(const char *s, size_t len, char out[11])
{
	if (!plain_digits(s, len, WORKSHOP_LEN, 0, out))
		return AM_EWORKSHOP_CODE_FORMAT;
	return 0;
}

int am_insurance_no_check(const char *s, size_t len, char out[11])
{
	if (!plain_digits(s, len, 8, 10, out))
		return AM_EINSURANCE_NO_FORMAT;
	return 0;
}
