/* The string buffer: always NUL-terminated, grows geometrically, refuses to
 * grow past its cap. A failed append leaves the buffer as it was. */
#include "core/internal.h"

static char empty_buf[1];

void am_buf_init(struct am_buf *b, size_t cap)
{
	b->buf = empty_buf;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : AM_BUF_DEFAULT_CAP;
}

void am_buf_release(struct am_buf *b)
{
	if (b->alloc)
		free(b->buf);
	am_buf_init(b, b->cap);
}

void am_buf_clear(struct am_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

char *am_buf_detach(struct am_buf *b, size_t *len)
{
	char *s;

	if (!b->alloc) {
		s = malloc(1);
		if (!s)
			return NULL;
		s[0] = '\0';
	} else {
		s = b->buf;
	}
	if (len)
		*len = b->len;
	am_buf_init(b, b->cap);
	return s;
}

int am_buf_grow(struct am_buf *b, size_t extra)
{
	size_t want, alloc;
	char *p;

	/* The last test keeps len + extra + 1 from wrapping to 0 when the
	 * cap is SIZE_MAX. */
	if (extra > b->cap - b->len || b->len > b->cap ||
	    extra >= SIZE_MAX - b->len)
		return AM_ETOO_LONG;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < want)
		alloc = alloc > SIZE_MAX / 2 ? want : alloc * 2;
	if (alloc - 1 > b->cap) /* not cap + 1, which wraps for SIZE_MAX */
		alloc = b->cap + 1;
	p = b->alloc ? realloc(b->buf, alloc) : malloc(alloc);
	if (!p)
		return AM_ENOMEM;
	if (!b->alloc)
		p[0] = '\0';
	b->buf = p;
	b->alloc = alloc;
	return 0;
}

/* The out-of-line half of am_buf_add(): the buffer grows first. */
int am__buf_add(struct am_buf *b, const void *data, size_t len)
{
	int err = am_buf_grow(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int am_buf_adds(struct am_buf *b, const char *s)
{
	return am_buf_add(b, s, strlen(s));
}

int am_buf_vaddf(struct am_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, err;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return AM_EINTERNAL;
	err = am_buf_grow(b, (size_t)n);
	if (err)
		return err;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int am_buf_addf(struct am_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = am_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return err;
}

int am_buf_add_json_str(struct am_buf *b, const char *s, size_t len)
{
	size_t start = b->len;
	int err = am_buf_addch(b, '"');

	for (size_t i = 0; !err && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			err = am_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			err = am_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			err = am_buf_add(b, "\\n", 2);
			break;
		case '\r':
			err = am_buf_add(b, "\\r", 2);
			break;
		case '\t':
			err = am_buf_add(b, "\\t", 2);
			break;
		default:
			if (c < 0x20)
				err = am_buf_addf(b, "\\u%04x", c);
			else
				err = am_buf_addch(b, c);
		}
	}
	if (!err)
		err = am_buf_addch(b, '"');
	if (err)
		am_buf_truncate(b, start);
	return err;
}

void am_buf_truncate(struct am_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->buf[len] = '\0';
}
