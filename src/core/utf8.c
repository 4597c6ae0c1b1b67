/* UTF-8 decoding and encoding, and digits of the three scripts Iranian input
 * arrives in. Strict: overlong forms and surrogates are refused. */
#include "core/internal.h"

int32_t am__utf8_decode(const char *s, size_t len, size_t *used)
{
	const unsigned char *u = (const unsigned char *)s;
	int32_t cp;
	size_t n;

	if (len == 0)
		return -1;
	if (u[0] < 0x80) {
		*used = 1;
		return u[0];
	} else if ((u[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = u[0] & 0x07;
	} else {
		return -1;
	}
	if (len < n)
		return -1;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*used = n;
	return cp;
}

size_t am__utf8_encode(int32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

int am__buf_add_persian(struct am_buf *b, const char *s)
{
	int err = 0;

	for (size_t i = 0; s[i] && !err; i++) {
		char u[4];

		if (ascii_digit(s[i]))
			err = am_buf_add(
				b, u, am__utf8_encode(0x06F0 + s[i] - '0', u));
		else if (s[i] == '.' && i && ascii_digit(s[i - 1]) &&
			 ascii_digit(s[i + 1]))
			err = am_buf_add(b, u, am__utf8_encode(0x066B, u));
		else if (s[i] == '%')
			err = am_buf_add(b, u, am__utf8_encode(0x066A, u));
		else
			err = am_buf_addch(b, s[i]);
	}
	return err;
}

/* The rest of am__digit_at() (internal.h): a Persian or Arabic-Indic
 * digit. */
int am__digit_at_utf8(const char *s, size_t len, size_t *used)
{
	int32_t cp;

	if (len == 0)
		return -1;
	cp = am__utf8_decode(s, len, used);
	if (cp >= 0x06F0 && cp <= 0x06F9)
		return (int)(cp - 0x06F0);
	if (cp >= 0x0660 && cp <= 0x0669)
		return (int)(cp - 0x0660);
	return -1;
}
