/* amanat text: normalisation of Persian input, digit folding, and the two
 * legacy code pages of wage-list files: Windows-1256 (through ICU) and
 * Iran System (visual order, contextual forms; our own codec). Text inside
 * amanat is always normalised UTF-8. */
#ifndef AMANAT_TEXT_H
#define AMANAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "amanat/buf.h"

/* Normalise UTF-8 input for storage: Arabic yeh (ي U+064A, ى U+0649) and
 * kaf (ك U+0643) become Persian ی (U+06CC) and ک (U+06A9); runs of white
 * space become one space; leading and trailing white space is trimmed;
 * ZWNJ (U+200C) is kept. Digits are left as they are. Appends to out.
 * AM_EINVALID_UTF8 (out unchanged), AM_ETOO_LONG or AM_ENOMEM. */
int am_text_normalize(const char *s, size_t len, struct am_buf *out);

/* Whether two normalised names are one name written two ways: compared
 * letter by letter past what keyboards and code pages vary and a reader
 * does not see as another name: white space, ZWNJ and ZWJ (محمدرضا,
 * محمد رضا, محمد‌رضا), tatweel, diacritics and direction marks; Arabic yeh
 * and kaf against Persian ones, alef with hamza or madda against alef,
 * teh marbuta and heh with yeh above against heh, waw and yeh with hamza
 * against waw and yeh (رضائی, رضایی), Latin capitals against small letters. NULL is "". Bytes that are
 * not UTF-8 compare as they are. */
bool am_text_same_name(const char *a, const char *b);

/* Fold Persian (U+06F0..9) and Arabic-Indic (U+0660..9) digits to ASCII,
 * for parsing numbers and identifiers. Appends to out. Other text is
 * copied. AM_EINVALID_UTF8, AM_ETOO_LONG or AM_ENOMEM. */
int am_text_digits_to_ascii(const char *s, size_t len, struct am_buf *out);

/* Write the ASCII and Arabic-Indic digits of s as Persian digits, for
 * display. Appends to out; other text is copied. AM_EINVALID_UTF8 (out
 * unchanged), AM_ETOO_LONG or AM_ENOMEM. */
int am_text_digits_to_persian(const char *s, size_t len, struct am_buf *out);

/* Decode a digit of any script at s (1..2 bytes UTF-8): its value 0..9 and
 * the bytes it took in *used, or -1 when s does not start with a digit. */
int am_text_digit_at(const char *s, size_t len, size_t *used);

/* Legacy code pages (docs/text-and-codepages.md). Decoding appends
 * normalised UTF-8 to out; every byte of both code pages decodes, so it
 * fails only with AM_ETOO_LONG or AM_ENOMEM. Encoding takes UTF-8 and
 * appends bytes; an unmappable character is an error
 * (AM_EENCODING_UNMAPPABLE) unless substitute is true, where it becomes
 * '?'; invalid UTF-8 is AM_EINVALID_UTF8. Invisible default-ignorable
 * characters (ZWSP, BOM, bidi marks and embeddings…) that a code page
 * lacks are dropped, not refused. On any error out is unchanged.
 *
 * Windows-1256 (through ICU) writes ی as ي (0xED) and Persian digits as
 * ASCII; ZWNJ is 0x9D. Iran System stores glyphs in visual order: the
 * encoder shapes and reorders, the decoder undoes it; it has no ZWNJ byte
 * (the glyph forms show the break and decoding puts the ZWNJ back where
 * they do), and folds ي ك أ إ ؤ ة ۀ to the letters it has. */
enum am_codepage {
	AM_CP_UTF8 = 0,
	AM_CP_WINDOWS_1256,
	AM_CP_IRAN_SYSTEM,
};
/* "utf-8", "windows-1256", "iran-system"; "unknown" for other values. */
const char *am_codepage_name(enum am_codepage cp);
/* Parse a name, in any case: those above, or "utf8", "cp1256",
 * "iransystem". AM_EINVALID_ARGUMENT (and *out unchanged) otherwise. */
int am_codepage_parse(const char *name, enum am_codepage *out);

int am_text_decode(enum am_codepage cp, const void *bytes, size_t len,
		   struct am_buf *out);
int am_text_encode(enum am_codepage cp, const char *utf8, size_t len,
		   bool substitute, struct am_buf *out);

/* Guess the code page of a field's bytes from legacy files: how well the
 * bytes read as Persian in each (letters, digits, and for Iran System
 * whether the glyph forms fit their positions). Pure ASCII answers
 * AM_CP_WINDOWS_1256, and so does a tie; valid UTF-8 made only of Persian
 * letters, digits and punctuation answers AM_CP_UTF8. */
enum am_codepage am_text_guess_codepage(const void *bytes, size_t len);

#endif
