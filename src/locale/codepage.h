/* The two legacy code-page codecs behind am_text_decode()/am_text_encode()
 * and their plausibility scores for am_text_guess_codepage(). Internal. */
#ifndef AMANAT_LOCALE_CODEPAGE_H
#define AMANAT_LOCALE_CODEPAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "amanat/buf.h"

/* Each decode appends normalised UTF-8 to out; each encode takes UTF-8 and
 * appends bytes. On error out is as it was. Errors as in amanat/text.h. */
int am__cp1256_decode(const void *bytes, size_t len, struct am_buf *out);
int am__cp1256_encode(const char *utf8, size_t len, bool substitute,
		      struct am_buf *out);
int am__iransystem_decode(const void *bytes, size_t len, struct am_buf *out);
int am__iransystem_encode(const char *utf8, size_t len, bool substitute,
			  struct am_buf *out);

/* How well bytes read as Persian in each code page: higher is better, and
 * the two scores are on one scale (points per byte of 0x80 and above, less
 * penalties), so am_text_guess_codepage() compares them directly. */
long am__cp1256_score(const unsigned char *b, size_t len);
long am__iransystem_score(const unsigned char *b, size_t len);

#endif
