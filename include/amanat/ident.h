/* amanat identifiers: the checks that decide whether a national code, a
 * legal-entity id, a Sheba number, a workshop code or an insurance number is
 * well formed. Each refusal has its own error code that says why. Input may
 * use Persian or Arabic-Indic digits and surrounding spaces. */
#ifndef AMANAT_IDENT_H
#define AMANAT_IDENT_H

#include <stdbool.h>
#include <stddef.h>

/* National code (کد ملی): 10 digits, 8-9 digits are left-padded with zeros;
 * all-same digits, an all-zero middle and a wrong mod-11 check digit are
 * refused. On success out holds the 10 digits and a NUL. */
int am_national_code_check(const char *s, size_t len, char out[11]);

/* Legal-entity national id (شناسهٔ ملی): 11 digits with its check digit. */
int am_legal_id_check(const char *s, size_t len, char out[12]);

struct am_bank {
	const char *code;    /* three digits, e.g. "013" */
	const char *name_fa; /* «بانک رفاه کارگران» */
	const char *name_en; /* "Bank Refah Kargaran" */
};

/* Sheba (IBAN-IR): "IR" and 24 digits, ISO 7064 mod 97-10. Spaces and
 * dashes between groups are allowed; lower-case "ir" too. On success out
 * holds the 26 canonical characters and *bank (may be NULL) the bank named
 * by digits 5-7, or NULL when the code is not in the table. */
int am_sheba_check(const char *s, size_t len, char out[27],
		   const struct am_bank **bank);
/* The bank with a three-digit code, or NULL. */
const struct am_bank *am_bank_find(const char *code3);

/* Workshop code (کد کارگاه): 10 digits. */
int am_workshop_code_check(const char *s, size_t len, char out[11]);
/* Insurance number (شمارهٔ بیمه): 8 or 10 digits (no public check digit). */
int am_insurance_no_check(const char *s, size_t len, char out[11]);

#endif
