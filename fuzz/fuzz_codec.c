/* Fuzz the store's packed forms (src/store/codec.c): arbitrary bytes read
 * as a list's body, as a person record, as an index block and as a ledger
 * transaction's postings (which must pack back to what they were read
 * as). Stored bytes
 * are trusted no more than a file: every decoder must stop at the end and
 * say the bytes are bad, never read past them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amanat/arena.h"
#include "amanat/error.h"
#include "amanat/assess.h"
#include "amanat/buf.h"
#include "amanat/formats.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct am_index_entry e[64];
	struct am__body_head h;
	struct am_wage_line ln;
	struct am_line_assessment a;
	struct am_arena ar;
	size_t at = 1, n;
	int64_t first = 0;

	am_arena_init(&ar, 1024);
	/* A body: its head, then lines one after another. */
	if (!am__body_head(data, size, &h)) {
		if (h.lines_at > AM__BODY_HEAD_MAX || h.lines_at > size)
			abort();
		at = h.lines_at;
	}
	while (at < size) {
		size_t next = 0;

		if (am__body_decode_line(&h, data, size, at, &ar, &ln, &a,
					 &next))
			break;
		if (next <= at || next > size || ln.days < 0 || ln.days > 31)
			abort();
		at = next;
	}
	am_arena_clear(&ar);
	/* A person record. */
	if (size && !am__person_decode(data, size, 0, &ar, &ln) &&
	    strlen(ln.national_code) > 10)
		abort();
	/* A block: its first code and entry count from the first bytes. */
	if (size > 9) {
		memcpy(&first, data, 8);
		first = first < 0 ? -(first + 1) : first;
		first %= 10000000000LL;
		n = data[8] % (sizeof(e) / sizeof(e[0]));
		if (!am__block_decode(data + 9, size - 9, first, 1, n, e))
			for (size_t i = 1; i < n; i++)
				if (e[i].code < e[i - 1].code)
					abort();
	}
	/* A transaction's postings. */
	{
		struct am_posting p[AM_TXN_POSTINGS_MAX],
			q[AM_TXN_POSTINGS_MAX];
		struct am_buf b;
		size_t np = 0, nq = 0;

		if (!am__postings_decode(data, size, p, &np)) {
			am_buf_init(&b, 0);
			if (am__postings_encode(p, np, &b) ||
			    am__postings_decode((const uint8_t *)b.buf, b.len,
						q, &nq) ||
			    nq != np)
				abort();
			for (size_t i = 0; i < np; i++)
				if (strcmp(p[i].account, q[i].account) ||
				    p[i].debit != q[i].debit ||
				    p[i].credit != q[i].credit)
					abort();
			am_buf_release(&b);
		}
	}
	am_arena_release(&ar);
	return 0;
}
