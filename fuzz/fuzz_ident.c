/* Fuzz the identifier checks: any bytes go to all five; an accepted value,
 * checked again in its normalised form, must pass and come out the same. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/error.h"
#include "amanat/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX 32

typedef int (*check_fn)(const char *s, size_t len, char *out);

static int national(const char *s, size_t len, char *out)
{
	return am_national_code_check(s, len, out);
}

static int legal(const char *s, size_t len, char *out)
{
	return am_legal_id_check(s, len, out);
}

static int workshop(const char *s, size_t len, char *out)
{
	return am_workshop_code_check(s, len, out);
}

static int insurance(const char *s, size_t len, char *out)
{
	return am_insurance_no_check(s, len, out);
}

/* The output is NUL-terminated, n1 or n2 long, and holds only what its
 * kind allows. */
static void check_output(const char *out, size_t n1, size_t n2, bool sheba)
{
	size_t n = strnlen(out, OUT_MAX);

	if (n != n1 && n != n2)
		abort();
	for (size_t i = 0; i < n; i++) {
		bool prefix = sheba && i < 2;

		if (prefix ? out[i] != "IR"[i] : (out[i] < '0' || out[i] > '9'))
			abort();
	}
}

/* A refusal is one of the table's codes and leaves out untouched. */
static void check_refusal(int err, const char *out)
{
	if (err >= 0 || strcmp(am_error_id(err), "unknown") == 0)
		abort();
	for (size_t i = 0; i < OUT_MAX; i++)
		if (out[i] != '#')
			abort();
}

static void run_plain(check_fn fn, const char *s, size_t len, size_t n1,
		      size_t n2)
{
	char out[OUT_MAX], again[OUT_MAX];
	int err;

	memset(out, '#', sizeof(out));
	err = fn(s, len, out);
	if (err) {
		check_refusal(err, out);
		return;
	}
	check_output(out, n1, n2, false);
	if (fn(out, strlen(out), again) != 0 || strcmp(out, again) != 0)
		abort();
}

static void run_sheba(const char *s, size_t len)
{
	const struct am_bank *bank = NULL, *bank2 = NULL;
	char out[OUT_MAX], again[OUT_MAX];
	int err;

	memset(out, '#', sizeof(out));
	err = am_sheba_check(s, len, out, &bank);
	if (err) {
		check_refusal(err, out);
		return;
	}
	check_output(out, 26, 26, true);
	if (am_sheba_check(out, strlen(out), again, &bank2) != 0 ||
	    strcmp(out, again) != 0 || bank != bank2)
		abort();
	if (bank && (strncmp(bank->code, out + 4, 3) != 0 ||
		     bank != am_bank_find(out + 4)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	run_plain(national, s, size, 10, 10);
	run_plain(legal, s, size, 11, 11);
	run_plain(workshop, s, size, 10, 10);
	run_plain(insurance, s, size, 8, 10);
	run_sheba(s, size);
	return 0;
}
