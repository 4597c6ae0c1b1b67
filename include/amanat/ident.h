/* amanat identifiers: the checks that decide whether a national code, a
 * legal-entity id, a Sheba number, a workshop code or an insurance number is
 * well formed. Each refusal has its own error code that says why. Input may
 * use Persian or Arabic-Indic digits and surrounding spaces. */
#ifndef AMANAT_IDENT_H
#define AMANAT_IDENT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Common to every check: s[0..len) need not be NUL-terminated. Blanks
 * around the value (space, tab, CR, LF, U+00A0 and the LRM/RLM marks) are
 * ignored; digits may be Latin, Persian (۰-۹) or Arabic-Indic (٠-٩). A
 * character that is not a digit is reported before a wrong length. On
 * success out holds the value in ASCII digits and a NUL; on failure out is
 * left untouched.
 */

/* National code (کد ملی): 10 digits; 8-9 digits are left-padded with zeros.
 * Errors, in the order they are tested: AM_ENATCODE_DIGITS,
 * AM_ENATCODE_LENGTH (fewer than 8 or more than 10 digits),
 * AM_ENATCODE_SAME_DIGITS, AM_ENATCODE_MIDDLE_ZERO (digits 4-9 all zero),
 * AM_ENATCODE_CHECKSUM (mod-11 check digit). */
int am_national_code_check(const char *s, size_t len, char out[11]);

/* Legal-entity national id (شناسهٔ ملی): 11 digits with its check digit.
 * Errors: AM_ELEGALID_DIGITS, AM_ELEGALID_LENGTH, AM_ELEGALID_ZERO (all
 * zero, or digits 4-9 all zero), AM_ELEGALID_CHECKSUM. */
int am_legal_id_check(const char *s, size_t len, char out[12]);

struct am_bank {
	const char *code;    /* three digits, e.g. "013" */
	const char *name_fa; /* «بانک رفاه کارگران» */
	const char *name_en; /* "Bank Refah Kargaran" */
};

/* Sheba (IBAN-IR): "IR" and 24 digits, ISO 7064 mod 97-10. Spaces and
 * dashes may stand after "IR" and between groups; lower-case "ir" is taken.
 * On success out holds the 26 canonical characters ("IR" and ASCII digits)
 * and, when bank is not NULL, *bank the bank named by characters 5-7 of
 * out, or NULL when that code is not in the table (the number is still
 * valid). Errors: AM_ESHEBA_PREFIX, AM_ESHEBA_DIGITS (a character other
 * than a digit, space or dash, or a trailing dash), AM_ESHEBA_LENGTH,
 * AM_ESHEBA_CHECKSUM (also for check digits 00, 01 and 99, which are never
 * issued). On failure out and *bank are untouched. */
int am_sheba_check(const char *s, size_t len, char out[27],
		   const struct am_bank **bank);
/* The bank whose code is the first three characters of code3 (ASCII
 * digits), or NULL. The entries are static. */
const struct am_bank *am_bank_find(const char *code3);

/* Workshop code (کد کارگاه): 10 digits, else AM_EWORKSHOP_CODE_FORMAT. */
int am_workshop_code_check(const char *s, size_t len, char out[11]);
/* Insurance number (شمارهٔ بیمه): 8 or 10 digits (no public check digit),
 * else AM_EINSURANCE_NO_FORMAT. out holds 8 or 10 digits. */
int am_insurance_no_check(const char *s, size_t len, char out[11]);

/* Nationality: the ISO 3166 alpha-3 code the registry keeps for a word as
 * Persian files write it («ایرانی» → "IRN"; the text must be normalised),
 * and the word for a code. NULL when not known. */
const char *am_nationality_iso(const char *word);
const char *am_nationality_word(const char *iso);

#endif
