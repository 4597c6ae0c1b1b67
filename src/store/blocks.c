/* The by-person index in packed blocks, for every backend that keeps it
 * so (SQLite, PostgreSQL): a batch's entries of a period cut into blocks,
 * and a period's segments merged into one (the compaction). How the
 * blocks are stored and read is the backend's; the codec is codec.c's. */
#include "core/internal.h"

#include "store/store_int.h"

int am__index_pack(struct am_store *s, const struct am_index_entry *e, size_t n,
		   int64_t segment, am__block_put_fn *put, void *ctx)
{
	struct am_buf blk;
	size_t i = 0;
	int err = 0;

	am_buf_init(&blk, 0);
	while (!err && i < n) {
		size_t j = i + AM__BLOCK_ENTRIES < n ? i + AM__BLOCK_ENTRIES
						     : n;

		/* A person's entries stay in one block. */
		while (j < n && e[j].code == e[j - 1].code)
			j++;
		am_buf_clear(&blk);
		err = am__block_encode(&e[i], j - i, segment, &blk);
		if (err)
			err = am__store_errf(s, err, "index block");
		if (!err)
			err = put(s, ctx, e[i].period, segment, e[i].code,
				  (int64_t)(j - i), blk.buf, blk.len);
		i = j;
	}
	am_buf_release(&blk);
	return err;
}

int am__block_entries(struct am_store *s, const uint8_t *block, size_t len,
		      int64_t first, int64_t n, int64_t base,
		      struct am_index_entry **e, size_t *cap)
{
	int err;

	if (n < 1 || n > 1 << 20)
		return am__store_errf(s, AM_ESTORE_CORRUPT, "index block");
	if ((size_t)n > *cap) {
		struct am_index_entry *x = malloc((size_t)n * sizeof(*x));

		if (!x)
			return am__store_errf(s, AM_ENOMEM, "index block");
		free(*e);
		*e = x;
		*cap = (size_t)n;
	}
	err = am__block_decode(block, len, first, base, (size_t)n, *e);
	return err ? am__store_errf(s, err, "index block") : 0;
}

/*
 * The compaction: k segments' blocks, each in first-code order, merged
 * into blocks of one segment, streaming (one decoded block per segment in
 * memory).
 */

struct cursor {
	struct am_index_entry head; /* e[at], where the heap compares it */
	struct am__block_src *src;
	struct am_index_entry *e;
	size_t n, at, cap;
	bool done;
};

/* The cursor's next block, decoded; done at the segment's end. */
static int cursor_fill(struct am_store *s, struct cursor *c)
{
	const uint8_t *block;
	int64_t first, n;
	bool found = false;
	size_t len;
	int err;

	c->at = c->n = 0;
	err = c->src->next(s, c->src->ctx, &found, &first, &n, &block, &len);
	if (err || !found) {
		c->done = !err;
		return err;
	}
	err = am__block_entries(s, block, len, first, n, c->src->base, &c->e,
				&c->cap);
	if (err)
		return err;
	if (n < 1 || !c->e)
		return AM_ESTORE_CORRUPT;
	c->n = (size_t)n;
	c->head = c->e[0];
	return 0;
}

static bool entry_less(const struct am_index_entry *a,
		       const struct am_index_entry *b)
{
	if (a->code != b->code)
		return a->code < b->code;
	if (a->list_id != b->list_id)
		return a->list_id < b->list_id;
	return a->offset < b->offset;
}

static bool cursor_less(const struct cursor *a, const struct cursor *b)
{
	return entry_less(&a->head, &b->head);
}

/* Restore the heap of cursors h[0..k) (least entry on top) below i: the
 * cursor at i sinks through a hole, one move a level. */
static void sift_down(struct cursor **h, size_t k, size_t i)
{
	struct cursor *x = h[i];

	for (;;) {
		size_t m = 2 * i + 1;

		if (m >= k)
			break;
		if (m + 1 < k && cursor_less(h[m + 1], h[m]))
			m++;
		if (!cursor_less(h[m], x))
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = x;
}

/* Write out[0..n) as one block of the merged segment. */
static int emit(struct am_store *s, int period, int64_t segment, int64_t base,
		const struct am_index_entry *out, size_t n, struct am_buf *blk,
		am__block_put_fn *put, void *ctx)
{
	int err;

	am_buf_clear(blk);
	err = am__block_encode(out, n, base, blk);
	if (err)
		return am__store_errf(s, err, "compaction");
	return put(s, ctx, period, segment, out[0].code, (int64_t)n, blk->buf,
		   blk->len);
}

int am__index_merge(struct am_store *s, int period, struct am__block_src *src,
		    size_t k, int64_t segment, int64_t base,
		    am__block_put_fn *put, void *ctx, int64_t *total)
{
	struct am_index_entry out[AM__BLOCK_ENTRIES * 4];
	struct cursor *cur = calloc(k ? k : 1, sizeof(*cur));
	/* An array of pointers. NOLINTNEXTLINE(bugprone-sizeof-expression) */
	struct cursor **heap = calloc(k ? k : 1, sizeof(*heap));
	size_t live = 0, n = 0;
	struct am_buf blk;
	int err = 0;

	*total = 0;
	if (!cur || !heap) {
		free(cur);
		free(heap);
		return am__store_errf(s, AM_ENOMEM, "compaction");
	}
	am_buf_init(&blk, 0);
	for (size_t i = 0; !err && i < k; i++) {
		cur[i].src = &src[i];
		err = cursor_fill(s, &cur[i]);
	}
	/* A heap of the cursors by their next entry: a national month's 34
	 * segments cost 6 comparisons an entry, not 34. */
	for (size_t i = 0; !err && i < k; i++)
		if (!cur[i].done)
			heap[live++] = &cur[i];
	for (size_t i = live / 2; i-- > 0;)
		sift_down(heap, live, i);
	while (!err && live) {
		struct cursor *min = heap[0];

		/* A block ends where the code changes past its size. */
		if (n >= AM__BLOCK_ENTRIES &&
		    out[n - 1].code != min->head.code) {
			err = emit(s, period, segment, base, out, n, &blk, put,
				   ctx);
			n = 0;
		}
		if (!err && n == AM_ARRAY_SIZE(out))
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "compaction: one person has more "
					     "than %zu lines in a month",
					     AM_ARRAY_SIZE(out));
		if (err)
			break;
		out[n++] = min->head;
		(*total)++;
		if (++min->at == min->n)
			err = cursor_fill(s, min);
		else
			min->head = min->e[min->at];
		if (!err && min->done)
			heap[0] = heap[--live];
		if (!err && live)
			sift_down(heap, live, 0);
	}
	if (!err && n)
		err = emit(s, period, segment, base, out, n, &blk, put, ctx);
	for (size_t i = 0; i < k; i++)
		free(cur[i].e);
	free(cur);
	free(heap);
	am_buf_release(&blk);
	return err;
}
