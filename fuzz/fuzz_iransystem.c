/* Fuzz the Iran System codec: any bytes decode, the text encodes back and
 * decodes to itself; any UTF-8 encodes (with '?') and then stays stable. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IS AM_CP_IRAN_SYSTEM

static bool same(const struct am_buf *a, const struct am_buf *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

/* text (decoded Iran System) must encode without loss: encoding it and
 * decoding again gives text back, byte for byte. */
static void check_stable(const struct am_buf *text)
{
	struct am_buf e, d;

	am_buf_init(&e, 0);
	am_buf_init(&d, 0);
	if (am_text_encode(IS, text->buf, text->len, false, &e) != 0 ||
	    am_text_decode(IS, e.buf, e.len, &d) != 0 || !same(text, &d))
		abort();
	am_buf_release(&e);
	am_buf_release(&d);
}

/* The bytes as Iran System: decoding never fails. */
static void fuzz_decode(const uint8_t *data, size_t size)
{
	struct am_buf d;

	am_buf_init(&d, 0);
	if (am_text_decode(IS, data, size, &d) != 0)
		abort();
	check_stable(&d);
	am_buf_release(&d);
}

/* The bytes as UTF-8 to encode: with substitution valid text always
 * encodes; strict encoding agrees or refuses with out left empty. */
static void fuzz_encode(const char *s, size_t len)
{
	struct am_buf sub, strict, d;
	int err, err_strict;

	am_buf_init(&sub, 0);
	am_buf_init(&strict, 0);
	am_buf_init(&d, 0);
	err = am_text_encode(IS, s, len, true, &sub);
	err_strict = am_text_encode(IS, s, len, false, &strict);
	if (err) {
		if (err != AM_EINVALID_UTF8 || err_strict != err || sub.len ||
		    strict.len)
			abort();
		goto release;
	}
	if (err_strict ? err_strict != AM_EENCODING_UNMAPPABLE || strict.len
		       : !same(&sub, &strict))
		abort();
	if (am_text_decode(IS, sub.buf, sub.len, &d) != 0)
		abort();
	check_stable(&d);
release:
	am_buf_release(&sub);
	am_buf_release(&strict);
	am_buf_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size);
	fuzz_encode((const char *)data, size);
	return 0;
}
