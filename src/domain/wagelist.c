/* A wage list's lifecycle: set-up and release, a deep copy for another
 * thread, and the content hash that makes a list's posting idempotent. */
#include "core/internal.h"

#include "amanat/wagelist.h"

#include <sodium.h>

void am_wage_list_init(struct am_wage_list *l)
{
	memset(l, 0, sizeof(*l));
	l->file = "";
	am_arena_init(&l->arena, 0);
}

void am_wage_list_release(struct am_wage_list *l)
{
	am_arena_release(&l->arena);
	am_wage_list_init(l);
}

/* ---- the deep copy ---- */

/* Empty the list but keep its arena (and the arena's block size). */
static void list_empty(struct am_wage_list *l)
{
	struct am_arena a = l->arena;

	am_arena_clear(&a);
	memset(l, 0, sizeof(*l));
	l->file = "";
	l->arena = a;
}

/* The bytes of a text with its NUL (0 for NULL). */
static size_t text_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* *t moved to a copy at *at (NULL stays NULL), and *at past it. */
static void text_put(char **at, const char **t)
{
	size_t n = text_size(*t);

	if (!n)
		return;
	memcpy(*at, *t, n);
	*t = *at;
	*at += n;
}

#define LINE_TEXTS(ln)                                                     \
	{                                                                  \
		&(ln)->first_name, &(ln)->last_name, &(ln)->father_name,   \
			&(ln)->id_no, &(ln)->id_place, &(ln)->nationality, \
			&(ln)->occupation, &(ln)->job_code                 \
	}
#define HEAD_TEXTS(l)                                                 \
	{                                                             \
		&(l)->file, &(l)->workshop_name, &(l)->employer_name, \
			&(l)->address, &(l)->description              \
	}

/* The copy, of the lines too when with_lines. */
static int list_copy(struct am_wage_list *dst, const struct am_wage_list *src,
		     bool with_lines)
{
	struct am_arena a;
	size_t lines, size = 0, nlines = with_lines ? src->nlines : 0;
	char *at;

	assert(dst != src);
	list_empty(dst);
	if (nlines > SIZE_MAX / sizeof(*dst->lines))
		return AM_ENOMEM;
	/* One allocation of the exact size: the lines, then every text
	 * packed (a queue of a national month's lists copies 17 million
	 * lines; a block per few texts cost a fifth of the reader). */
	lines = nlines * sizeof(*dst->lines);
	{
		const char *const *h[] = HEAD_TEXTS(src);

		for (size_t k = 0; k < AM_ARRAY_SIZE(h); k++)
			size += text_size(*h[k]);
	}
	for (size_t i = 0; i < nlines; i++) {
		const char *const *t[] = LINE_TEXTS(&src->lines[i]);

		for (size_t k = 0; k < AM_ARRAY_SIZE(t); k++)
			size += text_size(*t[k]);
	}
	if (size > SIZE_MAX - lines)
		return AM_ENOMEM;
	/* The plain fields at once, then each pointer moved into the
	 * block. */
	a = dst->arena;
	*dst = *src;
	dst->arena = a;
	dst->lines = NULL;
	at = lines + size ? am_arena_alloc(&dst->arena, lines + size) : NULL;
	if (lines + size && !at) {
		list_empty(dst);
		return AM_ENOMEM;
	}
	if (lines) {
		dst->lines = (struct am_wage_line *)(void *)at;
		memcpy(dst->lines, src->lines, lines);
		at += lines;
	}
	{
		const char **h[] = HEAD_TEXTS(dst);

		for (size_t k = 0; k < AM_ARRAY_SIZE(h); k++)
			text_put(&at, h[k]);
	}
	for (size_t i = 0; i < nlines; i++) {
		const char **t[] = LINE_TEXTS(&dst->lines[i]);

		for (size_t k = 0; k < AM_ARRAY_SIZE(t); k++)
			text_put(&at, t[k]);
	}
	return 0;
}

int am_wage_list_copy(struct am_wage_list *dst, const struct am_wage_list *src)
{
	return list_copy(dst, src, true);
}

int am_wage_list_copy_header(struct am_wage_list *dst,
			     const struct am_wage_list *src)
{
	return list_copy(dst, src, false);
}

/* ---- the content hash ---- */

/* The canonical form: every string as a 4-byte little-endian length and
 * its bytes, every number as 8 bytes little-endian; a line is one record
 * so that a field cannot slide into its neighbour. */
struct hbuf {
	unsigned char b[4096];
	size_t n;
};

/* The most a line adds: its code, nine numbers and a job code of 256. */
#define HLINE_MAX (4 + 11 + 9 * 8 + 4 + 256)

/* v's n low bytes, little-endian. */
static void put_le(struct hbuf *h, uint64_t v, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(h->b + h->n, &v, n);
#else
	for (size_t i = 0; i < n; i++)
		h->b[h->n + i] = (unsigned char)(v >> (8 * i));
#endif
	h->n += n;
}

static void put_u64(struct hbuf *h, uint64_t v)
{
	put_le(h, v, 8);
}

static void put_str(struct hbuf *h, const char *s, size_t cap)
{
	size_t len = s ? strnlen(s, cap) : 0;

	put_le(h, (uint64_t)len, 4);
	if (len)
		memcpy(h->b + h->n, s, len);
	h->n += len;
}

void am_wage_list_hash(struct am_wage_list *l)
{
	crypto_generichash_state st;
	struct hbuf h; /* not zeroed: only its first n bytes are read */

	h.n = 0;
	crypto_generichash_init(&st, NULL, 0, sizeof(l->hash));
	put_str(&h, "amanat-wagelist-1", 64);
	put_str(&h, l->workshop, sizeof(l->workshop));
	put_u64(&h, (uint64_t)(int64_t)l->period.year);
	put_u64(&h, (uint64_t)(int64_t)l->period.month);
	put_str(&h, l->list_no, sizeof(l->list_no));
	put_u64(&h, (uint64_t)l->nlines);
	/* Fed to the hash some lines at a time: the same digest as line by
	 * line, for fewer calls. */
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *w = &l->lines[i];

		if (h.n > sizeof(h.b) - HLINE_MAX) {
			crypto_generichash_update(&st, h.b, h.n);
			h.n = 0;
		}
		put_str(&h, w->national_code, sizeof(w->national_code));
		put_u64(&h, (uint64_t)(int64_t)w->days);
		put_u64(&h, (uint64_t)w->daily_wage);
		put_u64(&h, (uint64_t)w->monthly_wage);
		put_u64(&h, (uint64_t)w->benefits);
		put_u64(&h, (uint64_t)w->subject_wage);
		put_u64(&h, (uint64_t)w->total_pay);
		put_u64(&h, (uint64_t)w->insured_share);
		put_u64(&h, (uint64_t)(int64_t)w->start_date);
		put_u64(&h, (uint64_t)(int64_t)w->end_date);
		/* A job code longer than the hash record cannot come from a
		 * valid list; its first 256 bytes still identify it. */
		put_str(&h, w->job_code, 256);
	}
	crypto_generichash_update(&st, h.b, h.n);
	crypto_generichash_final(&st, l->hash, sizeof(l->hash));
}
