/* CSV wage lists: a header row of DSKWOR00 names, then one row per line;
 * consecutive rows of one (workshop, year, month, list number) form a list.
 * Streams through a fixed buffer and holds only the current list. */
#include "core/internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "formats/formats_int.h"

#define CSV_BUF (1 << 20)     /* read buffer: also the longest record */
#define CSV_MAX_FIELDS 64     /* more than any valid row has */
#define CSV_MAX_LINES 1000000 /* lines in one list */

struct csv_in {
	FILE *f;
	char *buf;
	size_t len, pos; /* bytes in buf, start of the next record */
	uint64_t taken;	 /* bytes read from the file into buf so far */
	bool eof, first;
	unsigned line; /* line number of buf[pos] */
	/* the current record */
	char *fld[CSV_MAX_FIELDS];
	size_t flen[CSV_MAX_FIELDS];
	size_t nf;
	unsigned rec_line;
	bool bad_quote;
};

/* Keys of the lists met so far, as 64-bit hashes in an open-addressing
 * table, to refuse a list whose rows come back after another's. A false
 * match needs two of a month's lists to share 64 bits of hash. */
struct seen {
	uint64_t *slot;
	size_t mask, n;
};

struct csv_state {
	struct csv_in in;
	struct am_wage_list l;
	struct am__fctx c;
	struct am__wkey key; /* of the current list */
	bool have_list;
	bool too_many;
	struct am_wage_line *lines;
	size_t nalloc;
	int col[CSV_MAX_FIELDS]; /* field of each column */
	size_t ncols;
	size_t kcol[4]; /* the key fields' columns, in order */
	size_t nkcol;
	/* The last row's key fields as read, each a length byte and its
	 * bytes, when they parsed without a problem (else kraw_len is 0):
	 * every row of a list repeats them, and the same bytes make the same
	 * key without being parsed again. */
	unsigned char kraw[96];
	size_t kraw_len;
	struct seen seen;
	am_wage_list_fn fn;
	void *ctx;
};

/* ---- reading records ---- */

static int refill(struct csv_in *in)
{
	size_t n;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->eof)
		return 0;
	n = fread(in->buf + in->len, 1, CSV_BUF - in->len, in->f);
	in->len += n;
	in->taken += n;
	if (n == 0) {
		if (ferror(in->f))
			return AM_EIO;
		in->eof = true;
	}
	if (in->first && in->len >= 3 &&
	    memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0)
		in->pos = 3;
	if (in->first && (in->len >= 3 || in->eof))
		in->first = false;
	return 0;
}

/* End of the record starting at in->pos (the index of its '\n', or len at
 * the end of the file), or -1 when the buffer does not hold all of it.
 * With quoted set, a '\n' inside quotes does not end it. */
static long record_end(struct csv_in *in, bool quoted)
{
	char *p = in->buf + in->pos, *end = in->buf + in->len;
	bool inq = false;

	if (!quoted) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		return nl ? nl - in->buf : in->eof ? (long)in->len : -1;
	}
	for (; p < end; p++) {
		if (*p == '"')
			inq = !inq;
		else if (*p == '\n' && !inq)
			return p - in->buf;
	}
	return in->eof ? (long)in->len : -1;
}

static void add_field(struct csv_in *in, char *s, size_t len)
{
	if (in->nf < CSV_MAX_FIELDS) {
		in->fld[in->nf] = s;
		in->flen[in->nf] = len;
	}
	in->nf++;
}

/* High bit set in each byte of x that is zero (exact: no borrow). */
static inline uint64_t zero_bytes(uint64_t x)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;

	return ~(((x & low7) + low7) | x | low7);
}

/* Split buf[start, end) at commas; false when it holds a quote, for
 * split_quoted() to do it. Eight bytes at a time: a national month is
 * 17 million rows of some 30 fields, and a call per field costs more. */
static bool split_plain(struct csv_in *in, char *p, char *end)
{
	const uint64_t commas = 0x2C2C2C2C2C2C2C2CULL;
	const uint64_t quotes = 0x2222222222222222ULL;
	char *start = p;

	in->nf = 0;
#if defined(__SSE2__)
	/* Sixteen bytes at a time where the machine has SSE2 (every x86-64):
	 * the eight-byte loop below then takes only a tail. */
	for (; end - p >= 16; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mc;

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"'))))
			return false;
		mc = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
		for (; mc; mc &= mc - 1) {
			char *c = p + __builtin_ctz(mc);

			add_field(in, start, (size_t)(c - start));
			start = c + 1;
		}
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; end - p >= 8; p += 8) {
		uint64_t x, mc;

		memcpy(&x, p, 8);
		if (zero_bytes(x ^ quotes))
			return false;
		for (mc = zero_bytes(x ^ commas); mc; mc &= mc - 1) {
			char *c = p + (__builtin_ctzll(mc) >> 3);

			add_field(in, start, (size_t)(c - start));
			start = c + 1;
		}
	}
#endif
	for (; p < end; p++) {
		if (*p == ',') {
			add_field(in, start, (size_t)(p - start));
			start = p + 1;
		} else if (*p == '"') {
			return false;
		}
	}
	add_field(in, start, (size_t)(end - start));
	return true;
}

/* Split with RFC 4180 quoting, unquoting in place (the text only shrinks).
 * Counts the line ends inside quotes. */
static void split_quoted(struct csv_in *in, char *p, char *end)
{
	while (p <= end) {
		char *start = p, *out = p;

		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end) {
					in->bad_quote = true; /* open quote */
					break;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					in->line++;
				*out++ = *p++;
			}
			if (p < end && *p != ',')
				in->bad_quote = true; /* text after it */
			while (p < end && *p != ',')
				p++;
		} else {
			while (p < end && *p != ',') {
				if (*p == '"')
					in->bad_quote = true;
				p++;
			}
			out = p;
		}
		add_field(in, start, (size_t)(out - start));
		if (p >= end)
			return;
		p++; /* the comma */
	}
}

/* The next record: 1, 0 at the end, AM_ETOO_LONG or AM_EIO. Blank lines
 * are skipped. */
static int next_record(struct csv_in *in)
{
	long e;
	bool quoted = false;
	int err;
	char *start, *end;

	for (;;) {
		if (in->pos >= in->len && in->eof)
			return 0;
		e = in->pos < in->len ? record_end(in, quoted) : -1;
		if (e < 0) {
			if (in->pos == 0 && in->len == CSV_BUF)
				return AM_ETOO_LONG;
			err = refill(in);
			if (err)
				return err;
			continue;
		}
		start = in->buf + in->pos;
		end = in->buf + e;
		if (end > start && end[-1] == '\r')
			end--;
		if (!quoted && end > start && !split_plain(in, start, end)) {
			/* A quote: find the end again, quotes counted. */
			quoted = true;
			continue;
		}
		in->pos = (size_t)e + 1;
		in->rec_line = in->line++;
		if (end > start)
			break;
		quoted = false;
	}
	in->bad_quote = false;
	if (quoted) {
		in->nf = 0;
		split_quoted(in, start, end);
	}
	return 1;
}

/* ---- lists met so far ---- */

static uint64_t key_hash(const struct am__wkey *k)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[2] = { k->id, k->list_no };
	int nums[2] = { k->period.year, k->period.month };

	for (int i = 0; i < 2; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xFF) * 1099511628211ULL;
		h = (h ^ (uint64_t)(unsigned)nums[i]) * 1099511628211ULL;
	}
	return h ? h : 1;
}

/* Add the key; true when it was there already. AM_ENOMEM as false with
 * *err set. */
static bool seen_add(struct seen *s, const struct am__wkey *k, int *err)
{
	uint64_t h = key_hash(k);
	size_t i;

	if (!s->slot || (s->n + 1) * 2 > s->mask + 1) {
		size_t cap = s->slot ? (s->mask + 1) * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof(*t));

		if (!t) {
			*err = AM_ENOMEM;
			return false;
		}
		for (size_t j = 0; s->slot && j <= s->mask; j++) {
			if (!s->slot[j])
				continue;
			for (i = s->slot[j] & (cap - 1); t[i];
			     i = (i + 1) & (cap - 1))
				;
			t[i] = s->slot[j];
		}
		free(s->slot);
		s->slot = t;
		s->mask = cap - 1;
	}
	for (i = h & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == h)
			return true;
	s->slot[i] = h;
	s->n++;
	return false;
}

/* ---- lists ---- */

static void list_reset(struct csv_state *st)
{
	const char *file = st->l.file;
	struct am_arena arena = st->l.arena;

	am_arena_clear(&arena);
	memset(&st->l, 0, sizeof(st->l));
	st->l.arena = arena;
	st->l.file = file;
	st->l.workshop_name = st->l.employer_name = "";
	st->l.address = st->l.description = "";
	st->too_many = false;
	st->have_list = false;
	st->c.nbad = 0;
}

static int list_emit(struct csv_state *st)
{
	struct am_wage_list *l = &st->l;
	bool refused = st->c.nbad > 0;
	int rc;

	if (!st->have_list)
		return 0;
	am__wkey_apply(l, &st->key);
	l->lines = st->lines;
	l->layout = AM_DBF_NONE;
	l->codepage = AM_CP_UTF8;
	l->input_offset = st->in.taken - (st->in.len - st->in.pos);
	am_wage_list_hash(l);
	rc = st->fn(l, refused, st->ctx);
	am__fctx_list_done(&st->c);
	list_reset(st);
	return rc;
}

static int list_start(struct csv_state *st, const struct am__wkey *k,
		      unsigned row)
{
	int err = 0;

	st->key = *k;
	st->have_list = true;
	st->l.header_row = row;
	if (seen_add(&st->seen, k, &err)) {
		char v[64];

		snprintf(v, sizeof(v), "%s %d/%02d %s", k->id, k->period.year,
			 k->period.month, k->list_no);
		am__fctx_diag(&st->c, AM_EWAGE_GROUP_REPEATED, "DSW_ID", v,
			      strlen(v), NULL);
	}
	return err;
}

/* A line slot in the current list, or NULL past the cap (reported). */
static struct am_wage_line *line_new(struct csv_state *st, int *err)
{
	struct am_wage_list *l = &st->l;

	if (l->nlines >= CSV_MAX_LINES) {
		if (!st->too_many)
			am__fctx_diag(&st->c, AM_ETOO_LONG, NULL, NULL, 0,
				      "<= 1000000 lines in one list");
		st->too_many = true;
		return NULL;
	}
	if (l->nlines == st->nalloc) {
		size_t n = st->nalloc ? st->nalloc * 2 : 256;
		struct am_wage_line *t = realloc(st->lines, n * sizeof(*t));

		if (!t) {
			*err = AM_ENOMEM;
			return NULL;
		}
		st->lines = t;
		st->nalloc = n;
	}
	return &st->lines[l->nlines];
}

/* ---- rows ---- */

static bool is_key(int f)
{
	return f == AM_WF_ID || f == AM_WF_YY || f == AM_WF_MM ||
	       f == AM_WF_LISTNO;
}

static int read_header(struct csv_state *st)
{
	struct csv_in *in = &st->in;
	bool have[AM_WF_COUNT] = { false };
	unsigned before = st->c.nbad;

	st->c.row = in->rec_line;
	st->ncols = in->nf;
	if (in->nf > CSV_MAX_FIELDS) {
		am__fctx_diag(&st->c, AM_EREGISTRY_FIELD_COUNT, NULL, NULL, 0,
			      "<= 64 columns");
		return AM_EREGISTRY_FIELD_COUNT;
	}
	for (size_t i = 0; i < in->nf; i++) {
		const char *s = in->fld[i];
		size_t len = in->flen[i];
		int f;

		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		f = am__wf_lookup(s, len);
		/* DSW_KOSO and DSW_BIME20 are DBF-only leftovers. */
		if (f < 0 || f >= AM_WF_KOSO || have[f]) {
			am__fctx_diag(&st->c,
				      f >= 0 && f < AM_WF_KOSO
					      ? AM_EWAGE_FIELD_TWICE
					      : AM_EWAGE_UNKNOWN_FIELD,
				      NULL, s, len, NULL);
			continue;
		}
		have[f] = true;
		st->col[i] = f;
		if (is_key(f))
			st->kcol[st->nkcol++] = i;
	}
	for (int f = 0; f < AM_WF_COUNT; f++)
		if (am__wf_required(f) && !have[f])
			am__fctx_diag(&st->c, AM_EWAGE_MISSING_FIELD,
				      am__wf_names[f], NULL, 0, NULL);
	if (st->c.nbad == before)
		return 0;
	/* The first problem's code says why the file was refused. */
	return st->c.diags && st->c.diags->nr
		       ? st->c.diags->items[st->c.diags->nr - 1].code
		       : AM_EWAGE_UNKNOWN_FIELD;
}

/* Whether a value is empty or blanks alone, which a required field may
 * not be. */
static bool blank_value(const char *s, size_t len)
{
	am__trim(&s, &len);
	return len == 0;
}

/* Whether the row's key fields are those of the row before, byte for
 * byte (which parsed without a problem). */
static bool key_repeats(const struct csv_state *st, size_t n)
{
	const struct csv_in *in = &st->in;
	size_t at = 0;

	if (!st->kraw_len)
		return false;
	for (size_t j = 0; j < st->nkcol; j++) {
		size_t i = st->kcol[j], len;

		if (i >= n)
			return false;
		len = in->flen[i];
		if (at + 1 + len > st->kraw_len || st->kraw[at] != len ||
		    memcmp(st->kraw + at + 1, in->fld[i], len) != 0)
			return false;
		at += 1 + len;
	}
	return at == st->kraw_len;
}

/* Keep the row's key fields for key_repeats(), or none when they do not
 * fit. */
static void key_keep(struct csv_state *st, size_t n)
{
	const struct csv_in *in = &st->in;
	size_t at = 0;

	st->kraw_len = 0;
	for (size_t j = 0; j < st->nkcol; j++) {
		size_t i = st->kcol[j], len;

		if (i >= n)
			return;
		len = in->flen[i];
		if (len > UCHAR_MAX || at + 1 + len > sizeof(st->kraw))
			return;
		st->kraw[at] = (unsigned char)len;
		memcpy(st->kraw + at + 1, in->fld[i], len);
		at += 1 + len;
	}
	st->kraw_len = at;
}

static int read_row(struct csv_state *st)
{
	struct csv_in *in = &st->in;
	struct am__fctx *c = &st->c;
	struct am__wkey k;
	struct am_wage_line *w;
	unsigned kbad = c->nbad;
	size_t n = in->nf < st->ncols ? in->nf : st->ncols;
	int err = 0;

	c->row = in->rec_line;
	if (st->have_list && key_repeats(st, n)) {
		k = st->key;
		kbad = 0;
	} else {
		memset(&k, 0, sizeof(k));
		for (size_t j = 0; j < st->nkcol; j++) {
			size_t i = st->kcol[j];

			if (i >= n)
				continue;
			err = am__wline_set(c, NULL, &k, st->col[i], in->fld[i],
					    in->flen[i]);
			if (err)
				return err;
		}
		kbad = c->nbad - kbad;
		if (kbad)
			st->kraw_len = 0;
		else
			key_keep(st, n);
	}
	if (!st->have_list || !am__wkey_equal(&k, &st->key)) {
		c->nbad -= kbad;
		err = list_emit(st);
		if (err)
			return err;
		c->nbad += kbad;
		err = list_start(st, &k, in->rec_line);
		if (err)
			return err;
	}
	if (in->bad_quote)
		am__fctx_diag(c, AM_ECSV_SYNTAX, NULL, NULL, 0, NULL);
	if (in->nf != st->ncols) {
		char v[24], e[24];

		snprintf(v, sizeof(v), "%zu", in->nf);
		snprintf(e, sizeof(e), "%zu", st->ncols);
		am__fctx_diag(c, AM_EREGISTRY_FIELD_COUNT, NULL, v, strlen(v),
			      e);
		return 0;
	}
	w = line_new(st, &err);
	if (!w)
		return err;
	am__wline_reset(w, in->rec_line);
	for (size_t i = 0; i < n; i++) {
		int f = st->col[i];

		if (is_key(f))
			continue;
		if (am__wf_required(f) &&
		    blank_value(in->fld[i], in->flen[i])) {
			am__fctx_diag(c, AM_EREGISTRY_MISSING_VALUE,
				      am__wf_names[f], NULL, 0, NULL);
			continue;
		}
		err = am__wline_set(c, w, &k, f, in->fld[i], in->flen[i]);
		if (err)
			return err;
	}
	st->l.nlines++;
	return 0;
}

int am_csv_read(const char *path, const struct am_read_opts *opts,
		am_wage_list_fn fn, void *ctx, struct am_diags *diags)
{
	struct csv_state *st;
	int rc;

	(void)opts; /* CSV is always UTF-8 */
	st = calloc(1, sizeof(*st));
	if (!st)
		return AM_ENOMEM;
	st->fn = fn;
	st->ctx = ctx;
	am_wage_list_init(&st->l);
	st->l.file = path;
	list_reset(st);
	am__fctx_init(&st->c, &st->l, diags, path);
	st->c.keep_texts = true;
	st->in.line = 1;
	st->in.first = true;
	st->in.buf = malloc(CSV_BUF);
	st->in.f = fopen(path, "rb");
	if (!st->in.buf) {
		rc = AM_ENOMEM;
		goto free;
	}
	if (!st->in.f) {
		am__fctx_diag(&st->c, AM_EIO, NULL, strerror(errno),
			      strlen(strerror(errno)), NULL);
		rc = AM_EIO;
		goto free;
	}
	rc = next_record(&st->in);
	if (rc == 1)
		rc = read_header(st);
	else if (rc == 0) /* an empty file holds no list */
		goto free;
	while (rc == 0 && (rc = next_record(&st->in)) == 1)
		rc = read_row(st);
	if (rc == AM_ETOO_LONG || rc == AM_EIO) {
		st->c.row = st->in.line;
		am__fctx_diag(&st->c, rc, NULL, NULL, 0,
			      rc == AM_ETOO_LONG ? "a record under 1 MiB"
						 : NULL);
	}
	if (rc == 0)
		rc = list_emit(st);
free:
	if (st->in.f)
		fclose(st->in.f);
	free(st->in.buf);
	free(st->lines);
	free(st->seen.slot);
	am__fctx_release(&st->c);
	am_wage_list_release(&st->l);
	free(st);
	return rc;
}

/* ---- writing ---- */

/* The columns written, in this order. */
static const int out_cols[] = {
	AM_WF_ID,    AM_WF_YY,	   AM_WF_MM,	AM_WF_LISTNO, AM_WF_ID1,
	AM_WF_FNAME, AM_WF_LNAME,  AM_WF_DNAME, AM_WF_IDNO,   AM_WF_IDPLC,
	AM_WF_IDATE, AM_WF_BDATE,  AM_WF_SEX,	AM_WF_NAT,    AM_WF_OCP,
	AM_WF_SDATE, AM_WF_EDATE,  AM_WF_DD,	AM_WF_ROOZ,   AM_WF_MAH,
	AM_WF_MAZ,   AM_WF_MASH,   AM_WF_TOTL,	AM_WF_BIME,   AM_WF_PRATE,
	AM_WF_JOB,   AM_WF_NATCOD, AM_WF_INC,	AM_WF_SPOUSE,
};

int am_csv_write_header(FILE *out)
{
	for (size_t i = 0; i < AM_ARRAY_SIZE(out_cols); i++)
		if (fputs(am__wf_names[out_cols[i]], out) < 0 ||
		    fputc(i + 1 < AM_ARRAY_SIZE(out_cols) ? ',' : '\n', out) ==
			    EOF)
			return AM_EIO;
	return 0;
}

static int put_text(struct am_buf *b, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	bool quote = len && (strpbrk(s, ",\"\r\n") || s[0] == ' ' ||
			     s[len - 1] == ' ');
	int err;

	if (!quote)
		return am_buf_add(b, s, len);
	err = am_buf_addch(b, '"');
	for (size_t i = 0; !err && i < len; i++)
		err = s[i] == '"' ? am_buf_add(b, "\"\"", 2)
				  : am_buf_addch(b, s[i]);
	return err ? err : am_buf_addch(b, '"');
}

/* A number in decimal, without the cost of a format string: the
 * generator writes a national month through here. */
static int put_num(struct am_buf *b, int64_t v)
{
	char t[24];
	size_t n = sizeof(t);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		t[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[--n] = '-';
	return am_buf_add(b, t + n, sizeof(t) - n);
}

static int put_date(struct am_buf *b, am_date d)
{
	struct am_ymd j;

	if (d == AM_WAGE_DATE_NONE)
		return 0;
	am_date_to_jalali(d, &j);
	if (j.year < 0 || j.year > 9999) /* not from a parsed date */
		return put_num(b, j.year * 10000 + j.month * 100 + j.day);
	{
		char t[8];
		int v = j.year * 10000 + j.month * 100 + j.day;

		for (int i = 7; i >= 0; i--, v /= 10)
			t[i] = (char)('0' + v % 10);
		return am_buf_add(b, t, 8);
	}
}

/* A year in four digits, as the reader takes four digits as they are:
 * 903, read from "0903", is written so, not as three digits, which the
 * reader refuses. */
static int put_year(struct am_buf *b, int year)
{
	char t[4];

	if (year < 0 || year > 9999)
		return put_num(b, year);
	for (int i = 3; i >= 0; i--, year /= 10)
		t[i] = (char)('0' + year % 10);
	return am_buf_add(b, t, sizeof(t));
}

static int put_field(struct am_buf *b, const struct am_wage_list *l,
		     const struct am_wage_line *w, int f)
{
	switch (f) {
	case AM_WF_ID:
		return put_text(b, l->workshop);
	case AM_WF_YY:
		return put_year(b, l->period.year);
	case AM_WF_MM:
		return put_num(b, l->period.month);
	case AM_WF_LISTNO:
		return put_text(b, l->list_no);
	case AM_WF_ID1:
		return put_text(b, w->insurance_no);
	case AM_WF_FNAME:
		return put_text(b, w->first_name);
	case AM_WF_LNAME:
		return put_text(b, w->last_name);
	case AM_WF_DNAME:
		return put_text(b, w->father_name);
	case AM_WF_IDNO:
		return put_text(b, w->id_no);
	case AM_WF_IDPLC:
		return put_text(b, w->id_place);
	case AM_WF_IDATE:
		return put_date(b, w->id_date);
	case AM_WF_BDATE:
		return put_date(b, w->birth_date);
	case AM_WF_SEX:
		return put_text(b, w->sex == 'M'   ? "مرد"
				   : w->sex == 'F' ? "زن"
						   : "");
	case AM_WF_NAT:
		return put_text(b, w->nationality);
	case AM_WF_OCP:
		return put_text(b, w->occupation);
	case AM_WF_SDATE:
		return put_date(b, w->start_date);
	case AM_WF_EDATE:
		return put_date(b, w->end_date);
	case AM_WF_DD:
		return put_num(b, w->days);
	case AM_WF_ROOZ:
		return put_num(b, w->daily_wage);
	case AM_WF_MAH:
		return put_num(b, w->monthly_wage);
	case AM_WF_MAZ:
		return put_num(b, w->benefits);
	case AM_WF_MASH:
		return put_num(b, w->subject_wage);
	case AM_WF_TOTL:
		return put_num(b, w->total_pay);
	case AM_WF_BIME:
		return put_num(b, w->insured_share);
	case AM_WF_PRATE:
		return put_num(b, w->prate);
	case AM_WF_JOB:
		return put_text(b, w->job_code);
	case AM_WF_NATCOD:
		return put_text(b, w->national_code);
	case AM_WF_INC:
		return put_num(b, w->seniority);
	default:
		return put_num(b, w->spouse);
	}
}

int am_csv_write_list(FILE *out, const struct am_wage_list *l)
{
	struct am_buf b;
	int err = 0;

	am_buf_init(&b, 0);
	for (size_t r = 0; !err && r < l->nlines; r++) {
		am_buf_clear(&b);
		for (size_t i = 0; !err && i < AM_ARRAY_SIZE(out_cols); i++) {
			err = put_field(&b, l, &l->lines[r], out_cols[i]);
			if (!err)
				err = am_buf_addch(
					&b, i + 1 < AM_ARRAY_SIZE(out_cols)
						    ? ','
						    : '\n');
		}
		if (!err && fwrite(b.buf, 1, b.len, out) != b.len)
			err = AM_EIO;
	}
	am_buf_release(&b);
	return err;
}
