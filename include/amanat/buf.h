/* amanat string buffer: always NUL-terminated, growing, with a size cap so
 * that untrusted input cannot grow it without bound. Model: git's strbuf. */
#ifndef AMANAT_BUF_H
#define AMANAT_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct am_buf {
	char *buf;    /* never NULL after am_buf_init(): "" when empty */
	size_t len;   /* bytes in use, without the NUL */
	size_t alloc; /* bytes allocated (0: buf points at a static "") */
	size_t cap;   /* most bytes len may reach */
};

#define AM_BUF_DEFAULT_CAP ((size_t)64 << 20) /* 64 MiB */

/* Set up an empty buffer in caller memory with a cap on its length
 * (0 = AM_BUF_DEFAULT_CAP). Allocates nothing. */
void am_buf_init(struct am_buf *b, size_t cap);
/* Free what it owns and leave an empty buffer with the same cap. */
void am_buf_release(struct am_buf *b);
/* Empty it, keeping the memory. */
void am_buf_clear(struct am_buf *b);
/* Hand the string to the caller (free() it) and leave the buffer empty.
 * Returns NULL when out of memory. */
char *am_buf_detach(struct am_buf *b, size_t *len);

/* Append. Each returns 0, AM_ETOO_LONG past the cap or AM_ENOMEM; on error
 * the buffer is unchanged. */
int am_buf_grow(struct am_buf *b, size_t extra);
int am__buf_add(struct am_buf *b, const void *data, size_t len);
int am_buf_adds(struct am_buf *b, const char *s);

/* Inline when the bytes and the NUL fit what is allocated, within the cap:
 * a bulk import appends a few bytes at a time, millions of times. */
static inline int am_buf_add(struct am_buf *b, const void *data, size_t len)
{
	if (len < b->alloc - b->len && len <= b->cap - b->len) {
		if (len)
			memcpy(b->buf + b->len, data, len);
		b->len += len;
		b->buf[b->len] = '\0';
		return 0;
	}
	return am__buf_add(b, data, len);
}

static inline int am_buf_addch(struct am_buf *b, int c)
{
	char ch = (char)c;

	return am_buf_add(b, &ch, 1);
}
int am_buf_addf(struct am_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int am_buf_vaddf(struct am_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append s[0..len) as a JSON string literal, with its quotes. */
int am_buf_add_json_str(struct am_buf *b, const char *s, size_t len);
/* Shorten to len (no-op when already shorter). */
void am_buf_truncate(struct am_buf *b, size_t len);

#endif
