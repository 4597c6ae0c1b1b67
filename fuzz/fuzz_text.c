/* Fuzz Persian text handling: normalisation is idempotent and clean, digit
 * folding round-trips, Windows-1256 decode-encode-decode is stable. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/text.h"
#include "formats/formats_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*text_fn)(const char *s, size_t len, struct am_buf *out);

static bool same(const struct am_buf *a, const struct am_buf *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

/* fn(s) into out; a refusal must be AM_EINVALID_UTF8 with out empty. */
static int run(text_fn fn, const char *s, size_t len, struct am_buf *out)
{
	int err = fn(s, len, out);

	if (err && (err != AM_EINVALID_UTF8 || out->len != 0))
		abort();
	return err;
}

/* Normalised text has no white space but single inner spaces, and none of
 * the Arabic letters that have Persian twins. */
static void check_normal_form(const struct am_buf *n)
{
	static const char *const banned[] = {
		"\t",	    "\r",	"\n",	    "  ",
		"\xC2\xA0", "\xD9\x8A", "\xD9\x89", "\xD9\x83",
	};

	if (n->len && (n->buf[0] == ' ' || n->buf[n->len - 1] == ' '))
		abort();
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		size_t k = strlen(banned[i]);

		for (size_t j = 0; j + k <= n->len; j++)
			if (memcmp(n->buf + j, banned[i], k) == 0)
				abort();
	}
}

static void fuzz_normalize(const char *s, size_t len)
{
	struct am_buf once, twice;

	am_buf_init(&once, 0);
	am_buf_init(&twice, 0);
	if (run(am_text_normalize, s, len, &once) == 0) {
		check_normal_form(&once);
		/* The readers' shortcut: text it calls normal is left as
		 * it is. */
		if (am__utf8_is_normal(s, len) &&
		    !(once.len == len && !memcmp(once.buf, s, len)))
			abort();
		if (run(am_text_normalize, once.buf, once.len, &twice) != 0 ||
		    !same(&once, &twice))
			abort();
	} else if (am__utf8_is_normal(s, len)) {
		abort(); /* refused text called normal */
	}
	am_buf_release(&once);
	am_buf_release(&twice);
}

/* to_persian(to_ascii(s)) == to_persian(s), and the other way round. */
static void fuzz_digits(const char *s, size_t len)
{
	struct am_buf ascii, persian, a2, p2;

	am_buf_init(&ascii, 0);
	am_buf_init(&persian, 0);
	am_buf_init(&a2, 0);
	am_buf_init(&p2, 0);
	if (run(am_text_digits_to_ascii, s, len, &ascii) == 0) {
		if (run(am_text_digits_to_persian, s, len, &persian) != 0 ||
		    run(am_text_digits_to_persian, ascii.buf, ascii.len, &p2) !=
			    0 ||
		    run(am_text_digits_to_ascii, persian.buf, persian.len,
			&a2) != 0)
			abort();
		if (!same(&persian, &p2) || !same(&ascii, &a2))
			abort();
	} else if (run(am_text_digits_to_persian, s, len, &persian) == 0) {
		abort(); /* one accepted what the other refused */
	}
	am_buf_release(&ascii);
	am_buf_release(&persian);
	am_buf_release(&a2);
	am_buf_release(&p2);
}

/* Any bytes decode; the text encodes back, and decodes to itself. */
static void fuzz_cp1256(const uint8_t *data, size_t size)
{
	struct am_buf d1, e, d2;

	am_buf_init(&d1, 0);
	am_buf_init(&e, 0);
	am_buf_init(&d2, 0);
	if (am_text_decode(AM_CP_WINDOWS_1256, data, size, &d1) != 0)
		abort();
	if (am_text_encode(AM_CP_WINDOWS_1256, d1.buf, d1.len, false, &e) !=
		    0 ||
	    am_text_decode(AM_CP_WINDOWS_1256, e.buf, e.len, &d2) != 0 ||
	    !same(&d1, &d2))
		abort();
	am_buf_release(&d1);
	am_buf_release(&e);
	am_buf_release(&d2);
}

/* Encoding UTF-8: with substitution it succeeds on valid text; without,
 * it gives the same bytes or refuses, leaving out empty. */
static void fuzz_encode(enum am_codepage cp, const char *s, size_t len)
{
	struct am_buf sub, strict;
	int err_sub, err_strict;

	am_buf_init(&sub, 0);
	am_buf_init(&strict, 0);
	err_sub = am_text_encode(cp, s, len, true, &sub);
	err_strict = am_text_encode(cp, s, len, false, &strict);
	if (err_sub && (err_sub != AM_EINVALID_UTF8 || sub.len))
		abort();
	if (err_sub && err_strict != err_sub)
		abort();
	if (!err_sub && !err_strict && !same(&sub, &strict))
		abort();
	if (!err_sub && err_strict &&
	    (err_strict != AM_EENCODING_UNMAPPABLE || strict.len))
		abort();
	am_buf_release(&sub);
	am_buf_release(&strict);
}

static void fuzz_names(const uint8_t *data, size_t size)
{
	enum am_codepage guess = am_text_guess_codepage(data, size);
	enum am_codepage cp;
	char name[32];

	if (guess != AM_CP_UTF8 && guess != AM_CP_WINDOWS_1256 &&
	    guess != AM_CP_IRAN_SYSTEM)
		abort();
	if (size < sizeof(name)) {
		memcpy(name, data, size);
		name[size] = '\0';
		if (am_codepage_parse(name, &cp) == 0 &&
		    am_codepage_parse(am_codepage_name(cp), &cp) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	fuzz_normalize(s, size);
	fuzz_digits(s, size);
	fuzz_cp1256(data, size);
	fuzz_encode(AM_CP_WINDOWS_1256, s, size);
	fuzz_encode(AM_CP_UTF8, s, size);
	fuzz_names(data, size);
	return 0;
}
