/* What every amanat source file includes first: the public core headers,
 * the banned-functions list, and the internal helpers shared by layers. */
#ifndef AMANAT_CORE_INTERNAL_H
#define AMANAT_CORE_INTERNAL_H

/* System headers come before banned.h, which would break their inline
 * definitions; a source file includes core/internal.h first and adds only
 * library headers (sqlite3.h, unicode/…, libfyaml.h) after it. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "amanat/arena.h"
#include "amanat/buf.h"
#include "amanat/error.h"
#include "amanat/money.h"

#include "core/banned.h"

#define AM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A deliberate fall-through between switch cases, for gcc and clang. */
#define AM_FALLTHROUGH __attribute__((fallthrough))

/* Mark a boundary branch, so tests can show it is reached (SQLite's
 * testcase()). Compiled to nothing; a coverage run shows the line. */
#define am_testcase(cond) ((void)(cond))

/* Copy a NUL-terminated string into a fixed array, truncating; always
 * terminates. Returns the length copied. */
size_t am__strlcpy(char *dst, const char *src, size_t size);

/* Parse a non-negative decimal integer of ASCII digits only, s[0..len),
 * into *out; false on empty input, a non-digit or overflow. */
bool am__parse_uint(const char *s, size_t len, uint64_t *out);

/* Decode one UTF-8 code point at s[0..len): its value, and the bytes it
 * took in *used; -1 on an invalid, overlong or truncated sequence, a
 * surrogate, or a value past U+10FFFF. */
int32_t am__utf8_decode(const char *s, size_t len, size_t *used);
/* Encode cp (valid scalar value) as UTF-8 into out; returns 1..4. */
size_t am__utf8_encode(int32_t cp, char out[4]);
/* Value 0..9 of a Latin, Persian (U+06F0..) or Arabic-Indic (U+0660..)
 * digit at s, with the bytes it took in *used; -1 if none. An ASCII digit,
 * most of them in every input, is read here without a call. */
int am__digit_at_utf8(const char *s, size_t len, size_t *used);
/* Append ASCII text s for a Persian reader: its digits Persian (U+06F0..),
 * a point between two digits the Persian decimal separator '٫' and '%'
 * the Persian percent sign '٪'; the rest as it is. The layers above core
 * have am_text_digits_to_persian(). AM_ENOMEM or AM_ETOO_LONG (b holds a
 * part of it then). */
struct am_buf;
int am__buf_add_persian(struct am_buf *b, const char *s);
static inline int am__digit_at(const char *s, size_t len, size_t *used)
{
	if (len && s[0] >= '0' && s[0] <= '9') {
		*used = 1;
		return s[0] - '0';
	}
	return am__digit_at_utf8(s, len, used);
}

/* A large table read at random (mem.c): size bytes, zeroed, in huge pages
 * where the kernel has them (calloc() below a few MiB); NULL without
 * memory. Freed by am__huge_free() with the same size. */
void *am__huge_calloc(size_t size);
void am__huge_free(void *p, size_t size);

/* A temporary file for sorted runs, read and written, already unlinked;
 * NULL (errno set) when it cannot be made, *dir naming where it was
 * tried. */
FILE *am__temp_file(const char **dir);

/* Sift heap[i] down a min-heap of n numbers ordered by before() (the runs
 * of a k-way merge, by their next record). */
void am__heap_down(size_t *heap, size_t n, size_t i,
		   bool (*before)(const void *ctx, size_t a, size_t b),
		   const void *ctx);

/* A record's place in a sort by two keys (v: the caller's, a record's
 * offset, say). am__sortkeys() sorts e[0..n) by (k1, k2), stably, tmp
 * room for n more: a radix sort, 11 bits a pass, over the bits where the
 * keys differ (a national code packed in 40 bits: four passes). 0, or
 * AM_ENOMEM (e unchanged). */
struct am__sortkey {
	uint64_t k1, k2, v;
};

int am__sortkeys(struct am__sortkey *e, struct am__sortkey *tmp, size_t n);

/* Whether s[0..n) are all ASCII digits, eight bytes at a test: a byte is
 * one when its high nibble is 3 and adding 6 leaves it 3. A carry out of
 * a byte comes only from one that already failed the first test. */
static inline bool am__ascii_digits(const char *s, size_t n)
{
	const uint64_t high = 0xF0F0F0F0F0F0F0F0ULL;
	const uint64_t zeros = 0x3030303030303030ULL;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, sizeof(x));
		if ((x & high) != zeros ||
		    ((x + 0x0606060606060606ULL) & high) != zeros)
			return false;
	}
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The value of eight ASCII digits (am__ascii_digits() says they are), the
 * first the highest: pairs, then fours, then the eight. */
static inline uint32_t am__ascii8_value(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	x -= 0x3030303030303030ULL;
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
	x = (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
	return (uint32_t)x;
}

#endif
