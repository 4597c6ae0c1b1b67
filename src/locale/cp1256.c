/* Windows-1256, the code page of the official ListDisk wage-list files,
 * through ICU's converter; and how well bytes read as Persian in it. */
#include "core/internal.h"

#include "amanat/text.h"
#include "locale/codepage.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/utf16.h>

/*
 * ICU resolves "windows-1256" to ibm-9448_X100-2005 (with a warning that
 * the alias is ambiguous, which is not an error). All 256 bytes are mapped,
 * so decoding cannot fail on a byte; the STOP callback is there so that a
 * future table with holes would give AM_EENCODING_INVALID, not U+FFFD.
 *
 * ZWNJ: ICU maps U+200C to 0x9D and back (and U+200D to 0x9E), so the
 * half-space of «علی‌اکبر» survives a round trip through this code page.
 *
 * Encoding, ICU silently drops the default-ignorable characters that the
 * code page lacks (U+200B, U+202A..U+202E, U+2066..U+2069, U+FEFF, …),
 * even with the STOP callback: they are invisible, so that is harmless.
 */
#define CP1256_NAME "windows-1256"

/* An ICU failure as an amanat error; bad_char for a character the
 * conversion could not take. */
static int icu_error(UErrorCode st, int bad_char)
{
	switch (st) {
	case U_INVALID_CHAR_FOUND:
	case U_ILLEGAL_CHAR_FOUND:
	case U_TRUNCATED_CHAR_FOUND:
		return bad_char;
	case U_MEMORY_ALLOCATION_ERROR:
		return AM_ENOMEM;
	default:
		return AM_EINTERNAL;
	}
}

static int add_cp(struct am_buf *out, int32_t cp)
{
	char u[4];
	size_t n = am__utf8_encode(cp, u);

	return am_buf_add(out, u, n);
}

static int cp1256_open(UConverter **cnv)
{
	UErrorCode st = U_ZERO_ERROR;

	*cnv = ucnv_open(CP1256_NAME, &st);
	if (U_FAILURE(st))
		return icu_error(st, AM_EINTERNAL);
	return 0;
}

int am__cp1256_decode(const void *bytes, size_t len, struct am_buf *out)
{
	UConverter *cnv = NULL;
	UErrorCode st = U_ZERO_ERROR;
	struct am_buf utf8;
	UChar *u16;
	int32_t n;
	int err;

	/* Every byte is one BMP character: 1 UChar, at most 3 UTF-8 bytes. */
	if (len > INT32_MAX || len > SIZE_MAX / 4)
		return AM_ETOO_LONG;
	am_buf_init(&utf8, 3 * len + 1);
	u16 = malloc((len + 1) * sizeof(*u16));
	if (!u16)
		return AM_ENOMEM;
	err = cp1256_open(&cnv);
	if (err)
		goto free_u16;
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
			    &st);
	n = ucnv_toUChars(cnv, u16, (int32_t)len + 1, bytes, (int32_t)len, &st);
	if (U_FAILURE(st)) {
		err = icu_error(st, AM_EENCODING_INVALID);
		goto close;
	}
	for (int32_t i = 0; i < n && !err; i++) {
		if (U16_IS_SURROGATE(u16[i]))
			err = AM_EINTERNAL;
		else
			err = add_cp(&utf8, u16[i]);
	}
	if (!err)
		err = am_text_normalize(utf8.buf, utf8.len, out);
	am_buf_release(&utf8);
close:
	ucnv_close(cnv);
free_u16:
	free(u16);
	return err;
}

/* What Windows-1256 cannot hold but the normalised text has: Persian yeh
 * is written as Arabic yeh, as ListDisk expects, and digits as ASCII. */
static int32_t cp1256_fold(int32_t cp)
{
	if (cp == 0x06CC)
		return 0x064A;
	if (cp >= 0x06F0 && cp <= 0x06F9)
		return '0' + (cp - 0x06F0);
	if (cp >= 0x0660 && cp <= 0x0669)
		return '0' + (cp - 0x0660);
	return cp;
}

/* UTF-8 to folded UTF-16; *n16 UChars, *ncp code points. */
static int utf8_to_u16(const char *s, size_t len, UChar *u16, int32_t *n16,
		       size_t *ncp)
{
	int32_t k = 0;

	*ncp = 0;
	for (size_t i = 0; i < len;) {
		size_t used;
		int32_t cp = am__utf8_decode(s + i, len - i, &used);

		if (cp < 0)
			return AM_EINVALID_UTF8;
		cp = cp1256_fold(cp);
		U16_APPEND_UNSAFE(u16, k, cp);
		(*ncp)++;
		i += used;
	}
	*n16 = k;
	return 0;
}

static int set_unmappable(UConverter *cnv, bool substitute)
{
	UErrorCode st = U_ZERO_ERROR;

	if (substitute) {
		ucnv_setSubstChars(cnv, "?", 1, &st);
		ucnv_setFromUCallBack(cnv, UCNV_FROM_U_CALLBACK_SUBSTITUTE,
				      NULL, NULL, NULL, &st);
	} else {
		ucnv_setFromUCallBack(cnv, UCNV_FROM_U_CALLBACK_STOP, NULL,
				      NULL, NULL, &st);
	}
	return U_FAILURE(st) ? icu_error(st, AM_EINTERNAL) : 0;
}

int am__cp1256_encode(const char *utf8, size_t len, bool substitute,
		      struct am_buf *out)
{
	UConverter *cnv = NULL;
	UErrorCode st = U_ZERO_ERROR;
	UChar *u16;
	char *bytes;
	int32_t n16, n;
	size_t ncp;
	int err;

	/* A UTF-8 byte gives at most one UChar; a code point one byte. */
	if (len > INT32_MAX - 1 || len > SIZE_MAX / 4)
		return AM_ETOO_LONG;
	u16 = malloc((len + 1) * sizeof(*u16));
	bytes = malloc(len + 1);
	if (!u16 || !bytes) {
		err = AM_ENOMEM;
		goto free_bufs;
	}
	err = utf8_to_u16(utf8, len, u16, &n16, &ncp);
	if (err)
		goto free_bufs;
	err = cp1256_open(&cnv);
	if (err)
		goto free_bufs;
	err = set_unmappable(cnv, substitute);
	if (err)
		goto close;
	n = ucnv_fromUChars(cnv, bytes, (int32_t)len + 1, u16, n16, &st);
	if (U_FAILURE(st)) {
		err = icu_error(st, AM_EENCODING_UNMAPPABLE);
		goto close;
	}
	/* One byte per code point, or none: ICU drops the default-ignorable
	 * characters it cannot map (ZWSP, BOM, bidi embeddings…). */
	assert(n >= 0 && (size_t)n <= ncp);
	err = am_buf_add(out, bytes, (size_t)n);
close:
	ucnv_close(cnv);
free_bufs:
	free(bytes);
	free(u16);
	return err;
}

/* ---- plausibility ---- */

/*
 * Points for each byte of 0x80 and above, read as Windows-1256: the
 * letters Persian uses score 2; Arabic punctuation, ZWNJ and tatweel 1;
 * NBSP and letters of other Arabic-script languages 0; harakat and
 * direction marks -1 (names seldom carry them); Latin-1 letters, symbols
 * and typographic quotes -2. The same scale as am__iransystem_score().
 */
static int cp1256_points(unsigned char c)
{
	switch (c) {
	case 0x81: /* پ */
	case 0x8D: /* چ */
	case 0x8E: /* ژ */
	case 0x90: /* گ */
	case 0x98: /* ک */
	case 0xE1: /* ل */
	case 0xE3: /* م */
	case 0xE4: /* ن */
	case 0xE5: /* ه */
	case 0xE6: /* و */
	case 0xEC: /* ى */
	case 0xED: /* ي */
		return 2;
	case 0x9D: /* ZWNJ */
	case 0xA1: /* ، */
	case 0xBA: /* ؛ */
	case 0xBF: /* ؟ */
	case 0xDC: /* ـ */
		return 1;
	case 0x8A: /* Urdu and Sindhi letters */
	case 0x8F:
	case 0x9A:
	case 0x9F:
	case 0xAA:
	case 0xC0:
	case 0xFF:
	case 0xA0: /* NBSP */
		return 0;
	case 0xF0: /* harakat */
	case 0xF1:
	case 0xF2:
	case 0xF3:
	case 0xF5:
	case 0xF6:
	case 0xF8:
	case 0xFA:
	case 0xFD: /* LRM, RLM */
	case 0xFE:
		return -1;
	default:
		break;
	}
	/* ء..ض and ط..ك; 0xD7 is the multiplication sign. */
	if (c >= 0xC1 && c <= 0xDF && c != 0xD7)
		return 2;
	return -2;
}

long am__cp1256_score(const unsigned char *b, size_t len)
{
	long score = 0;

	for (size_t i = 0; i < len; i++)
		if (b[i] >= 0x80)
			score += cp1256_points(b[i]);
	return score;
}
