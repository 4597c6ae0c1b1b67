/* The packed forms the posting stores: a wage list's lines as one body, and
 * the by-person index as sorted blocks. Backend-neutral bytes, so SQLite's
 * BLOB and PostgreSQL's bytea hold the same thing (docs/storage.md).
 *
 * Integers are LEB128 varints (signed ones zigzagged first), strings a
 * varint of length + 1 (0 for NULL) and their bytes. The decoders read
 * stored bytes only, but are written as if the bytes were hostile: every
 * length is checked against what is left, and the fuzzer feeds them. */
#include "core/internal.h"

#include "amanat/assess.h"
#include "store/store_int.h"

/* 3: each line ends with the names the employer wrote on it; a body of
 * version 2 (before them) is still read, its lines without names. */
#define BODY_VERSION 3
#define BODY_VERSION_NO_NAMES 2

static uint64_t zigzag(int64_t v)
{
	/* The sign spread over every bit, without shifting a signed value. */
	uint64_t sign = v < 0 ? UINT64_MAX : 0;

	return ((uint64_t)v << 1) ^ sign;
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/*
 * The encoders reserve room for a whole line first (am_buf_grow) and then
 * write bytes straight into it: an am_buf call per field cost more than
 * the rest of the posting's bookkeeping together.
 */
#define VARINT_MAX ((size_t)10)

static uint8_t *raw_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *raw_signed(uint8_t *p, int64_t v)
{
	return raw_varint(p, zigzag(v));
}

static uint8_t *raw_date(uint8_t *p, am_date d)
{
	return raw_varint(p, d == AM_WAGE_DATE_NONE ? 0 : zigzag(d) + 1);
}

static uint8_t *raw_str(uint8_t *p, const char *s, size_t n)
{
	if (!s)
		return raw_varint(p, 0);
	p = raw_varint(p, (uint64_t)n + 1);
	memcpy(p, s, n);
	return p + n;
}

/* Room for the fields and strings, then the buffer's end after them. */
static uint8_t *reserve(struct am_buf *b, size_t need, int *err)
{
	*err = am_buf_grow(b, need);
	return *err ? NULL : (uint8_t *)b->buf + b->len;
}

static void commit_raw(struct am_buf *b, const uint8_t *end)
{
	b->len = (size_t)(end - (const uint8_t *)b->buf);
	b->buf[b->len] = '\0';
}

/* A reader over stored bytes: p advances, err sticks at the first fault. */
struct rd {
	const uint8_t *p, *end;
	int err;
};

static uint64_t get_varint(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t c;

		if (r->p == r->end)
			break;
		c = *r->p++;
		if (shift == 63 && c > 1)
			break;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->err = AM_ESTORE_CORRUPT;
	r->p = r->end;
	return 0;
}

static int64_t get_signed(struct rd *r)
{
	return unzigzag(get_varint(r));
}

static int get_int(struct rd *r, int lo, int hi)
{
	int64_t v = get_signed(r);

	if (v < lo || v > hi) {
		r->err = AM_ESTORE_CORRUPT;
		return lo;
	}
	return (int)v;
}

static am_date get_date(struct rd *r)
{
	uint64_t v = get_varint(r);
	int64_t d;

	if (!v)
		return AM_WAGE_DATE_NONE;
	d = unzigzag(v - 1);
	if (d <= INT32_MIN || d > INT32_MAX) {
		r->err = AM_ESTORE_CORRUPT;
		return AM_WAGE_DATE_NONE;
	}
	return (am_date)d;
}

/* A string into the arena (a == NULL: skipped). */
static const char *get_str(struct rd *r, struct am_arena *a)
{
	uint64_t n = get_varint(r);
	const char *s;

	if (!n || r->err)
		return NULL;
	n--;
	if (n > (uint64_t)(r->end - r->p)) {
		r->err = AM_ESTORE_CORRUPT;
		r->p = r->end;
		return NULL;
	}
	s = a ? am_arena_strndup(a, (const char *)r->p, (size_t)n) : "";
	if (!s)
		r->err = AM_ENOMEM;
	r->p += n;
	return s;
}

/* n bytes into a fixed buffer of size bytes, NUL-terminated. */
static void get_bytes(struct rd *r, char *out, size_t size, uint64_t n)
{
	if (n >= size || n > (uint64_t)(r->end - r->p)) {
		r->err = AM_ESTORE_CORRUPT;
		r->p = r->end;
		return;
	}
	memcpy(out, r->p, (size_t)n);
	out[n] = 0;
	r->p += n;
}

/* A string into a fixed buffer of size bytes ("" for NULL). */
static void get_fixed(struct rd *r, char *out, size_t size)
{
	uint64_t n = get_varint(r);

	out[0] = 0;
	if (n && !r->err)
		get_bytes(r, out, size, n - 1);
}

int am__code_int(const char *code, int64_t *out)
{
	int64_t v = 0;

	/* A shorter string stops at its NUL, which is no digit. */
	for (size_t i = 0; i < 10; i++) {
		unsigned d = (unsigned)(unsigned char)code[i] - '0';

		if (d > 9)
			return AM_EINVALID_ARGUMENT;
		v = v * 10 + (int64_t)d;
	}
	if (code[10])
		return AM_EINVALID_ARGUMENT;
	*out = v;
	return 0;
}

void am__code_text(int64_t code, char out[11])
{
	uint64_t v = (uint64_t)code % 10000000000u;

	for (int i = 9; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[10] = 0;
}

static int64_t resid(int64_t v, uint64_t predicted)
{
	return (int64_t)((uint64_t)v - predicted);
}

static int64_t unresid(int64_t r, uint64_t predicted)
{
	return (int64_t)((uint64_t)r + predicted);
}

/*
 * A body: the version byte, a head, then the lines. The head holds what
 * lets a line be stored as little: the first line's row (a line keeps its
 * row less that: its place in the list, a byte) and two references, the
 * base and shares of the list's first line with a base and of its first
 * with a hard-and-harmful share. A line's shares are stored as what they
 * differ from its base at the reference's proportions: the same rules give
 * the same proportions, so the differences are roundings (a byte each).
 * No rate is written here: the references are the list's own figures, and
 * any figures round-trip (differences modulo 2^64).
 */
#define HEAD_MAX (1 + 7 * VARINT_MAX)
static_assert(HEAD_MAX <= AM__BODY_HEAD_MAX, "a body head fits its prefix");

/*
 * A share predicted from the base: base × num / den, as base times a
 * fixed-point ratio with 40 bits after the point, taken once per body
 * (a division per line cost more than the rest of the encoding). The
 * arithmetic is modulo 2^128 then 2^64, so any figures give the same
 * prediction in the encoder and the decoder; validated ones are off by a
 * rounding at most.
 */
#define RATIO_BITS 40

static unsigned __int128 ratio(int64_t num, int64_t den)
{
	if (den <= 0)
		return 0;
	/* |num| × 2^40 fits, and a positive divisor cannot overflow. */
	return (unsigned __int128)((__int128)num * ((__int128)1 << RATIO_BITS) /
				   den);
}

static uint64_t predict(int64_t base, unsigned __int128 r)
{
	return (uint64_t)(((unsigned __int128)(uint64_t)base * r) >>
			  RATIO_BITS);
}

static void ratios(struct am__body_head *h)
{
	h->r_insured = ratio(h->insured, h->base);
	h->r_employer = ratio(h->employer, h->base);
	h->r_state = ratio(h->state, h->base);
	h->r_hard_harmful = ratio(h->hard_harmful, h->hh_base);
}

static void head_of(const struct am_wage_list *l,
		    const struct am_line_assessment *a, struct am__body_head *h)
{
	memset(h, 0, sizeof(*h));
	h->row = l->nlines ? l->lines[0].row : 0;
	for (size_t i = 0; i < l->nlines; i++)
		if (a[i].base > 0) {
			h->base = a[i].base;
			h->insured = a[i].insured;
			h->employer = a[i].employer;
			h->state = a[i].state;
			break;
		}
	for (size_t i = 0; i < l->nlines; i++)
		if (a[i].base > 0 && a[i].hard_harmful) {
			h->hh_base = a[i].base;
			h->hard_harmful = a[i].hard_harmful;
			break;
		}
	ratios(h);
}

/* The insurance number: digits (most are) as a number with their count,
 * so that leading zeros stay; anything else as text. */
static uint8_t *raw_insurance(uint8_t *p, const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (n && i == n && n <= 19) {
		p = raw_varint(p, (uint64_t)n << 1 | 1);
		return raw_varint(p, v);
	}
	p = raw_varint(p, (uint64_t)n << 1);
	memcpy(p, s, n);
	return p + n;
}

/* A line as the body keeps it: the wage, the assessment, and the names
 * the employer wrote (the worker statement sets them beside the
 * registry's: a wrong name is an error the worker must be able to see).
 * The rest of who the person is (birth, sex, nationality, birth
 * certificate) is the registry's and is not kept; it travels to the
 * registration in a batch's person record instead (am__person_encode). */
static int encode_line(struct am_buf *b, const struct am__body_head *h,
		       const struct am_wage_line *ln, int64_t code,
		       const struct am_line_assessment *a)
{
	/* Most figures follow from others: each is stored as what it
	 * differs from its prediction, and a validated line's differences
	 * are 0 or a rounding (a byte each). */
	const int64_t money[] = {
		ln->daily_wage,
		resid(ln->monthly_wage, ln->daily_wage * (uint64_t)ln->days),
		ln->benefits,
		resid(ln->subject_wage,
		      (uint64_t)ln->monthly_wage + (uint64_t)ln->benefits),
		resid(ln->total_pay, (uint64_t)ln->subject_wage),
		resid(ln->insured_share, (uint64_t)a->insured),
		ln->seniority,
		ln->spouse,
		resid(a->base, (uint64_t)ln->subject_wage),
		resid(a->insured, predict(a->base, h->r_insured)),
		resid(a->employer, predict(a->base, h->r_employer)),
		resid(a->state, predict(a->base, h->r_state)),
		resid(a->unemployment, (uint64_t)a->state),
		resid(a->hard_harmful,
		      a->hard_harmful_days ? predict(a->base, h->r_hard_harmful)
					   : 0),
	};
	size_t lins = strlen(ln->insurance_no);
	size_t locc = ln->occupation ? strlen(ln->occupation) : 0;
	size_t ljob = ln->job_code ? strlen(ln->job_code) : 0;
	size_t lfirst = ln->first_name ? strlen(ln->first_name) : 0;
	size_t llast = ln->last_name ? strlen(ln->last_name) : 0;
	size_t lfather = ln->father_name ? strlen(ln->father_name) : 0;
	uint8_t *p;
	int err;

	p = reserve(b,
		    35 * VARINT_MAX + lins + locc + ljob + lfirst + llast +
			    lfather,
		    &err);
	if (!p)
		return err;
	p = raw_varint(p, (uint64_t)code);
	p = raw_signed(p, (int64_t)ln->row - (int64_t)h->row);
	p = raw_signed(p, ln->days);
	p = raw_signed(p, a->hard_harmful_days);
	*p++ = a->unemployment_by_state;
	p = raw_signed(p, ln->prate);
	for (size_t i = 0; i < AM_ARRAY_SIZE(money); i++)
		p = raw_signed(p, money[i]);
	p = raw_date(p, ln->start_date);
	p = raw_date(p, ln->end_date);
	p = raw_insurance(p, ln->insurance_no, lins);
	p = raw_str(p, ln->occupation, locc);
	p = raw_str(p, ln->job_code, ljob);
	p = raw_str(p, ln->first_name, lfirst);
	p = raw_str(p, ln->last_name, llast);
	p = raw_str(p, ln->father_name, lfather);
	commit_raw(b, p);
	return 0;
}

int am__person_encode(const struct am_wage_line *ln, struct am_buf *out)
{
	const char *text[] = {
		ln->national_code, ln->insurance_no, ln->first_name,
		ln->last_name,	   ln->father_name,  ln->nationality,
	};
	size_t len[AM_ARRAY_SIZE(text)], need = 2 * VARINT_MAX;
	uint8_t *p;
	int err;

	for (size_t i = 0; i < AM_ARRAY_SIZE(text); i++) {
		len[i] = text[i] ? strlen(text[i]) : 0;
		need += len[i] + VARINT_MAX;
	}
	p = reserve(out, need, &err);
	if (!p)
		return err;
	*p++ = (uint8_t)ln->sex;
	p = raw_date(p, ln->birth_date);
	for (size_t i = 0; i < AM_ARRAY_SIZE(text); i++)
		p = raw_str(p, text[i], len[i]);
	commit_raw(out, p);
	return 0;
}

int am__person_decode(const uint8_t *p, size_t n, size_t offset,
		      struct am_arena *a, struct am_wage_line *ln)
{
	struct rd r = { p + offset, p + n, 0 };
	const char **text[] = {
		&ln->first_name,
		&ln->last_name,
		&ln->father_name,
		&ln->nationality,
	};

	memset(ln, 0, sizeof(*ln));
	if (offset >= n)
		return AM_ESTORE_CORRUPT;
	ln->sex = (char)*r.p++;
	ln->birth_date = get_date(&r);
	get_fixed(&r, ln->national_code, sizeof(ln->national_code));
	get_fixed(&r, ln->insurance_no, sizeof(ln->insurance_no));
	for (size_t i = 0; i < AM_ARRAY_SIZE(text); i++)
		*text[i] = get_str(&r, a);
	return r.err;
}

int am__body_encode(const struct am_wage_list *l, const int64_t *codes,
		    const struct am_line_assessment *a, struct am_buf *out,
		    uint32_t *offsets)
{
	struct am__body_head h;
	uint8_t *p;
	int err;

	head_of(l, a, &h);
	p = reserve(out, HEAD_MAX, &err);
	if (!p)
		return err;
	*p++ = BODY_VERSION;
	p = raw_varint(p, h.row);
	p = raw_signed(p, h.base);
	p = raw_signed(p, h.insured);
	p = raw_signed(p, h.employer);
	p = raw_signed(p, h.state);
	p = raw_signed(p, h.hh_base);
	p = raw_signed(p, h.hard_harmful);
	commit_raw(out, p);
	for (size_t i = 0; !err && i < l->nlines; i++) {
		if (out->len > UINT32_MAX)
			return AM_ETOO_LONG;
		offsets[i] = (uint32_t)out->len;
		err = encode_line(out, &h, &l->lines[i], codes[i], &a[i]);
	}
	return err;
}

int am__body_head(const uint8_t *p, size_t n, struct am__body_head *h)
{
	struct rd r = { p, p + n, 0 };
	uint64_t row;

	memset(h, 0, sizeof(*h));
	if (!n || (p[0] != BODY_VERSION && p[0] != BODY_VERSION_NO_NAMES))
		return AM_ESTORE_CORRUPT;
	h->names = p[0] != BODY_VERSION_NO_NAMES;
	r.p++;
	row = get_varint(&r);
	if (row > INT32_MAX)
		r.err = AM_ESTORE_CORRUPT;
	h->row = (unsigned)row;
	h->base = get_signed(&r);
	h->insured = get_signed(&r);
	h->employer = get_signed(&r);
	h->state = get_signed(&r);
	h->hh_base = get_signed(&r);
	h->hard_harmful = get_signed(&r);
	h->lines_at = (size_t)(r.p - p);
	ratios(h);
	return r.err;
}

/* The insurance number as raw_insurance() wrote it, into out[size]. */
static void get_insurance(struct rd *r, char *out, size_t size)
{
	uint64_t t = get_varint(r), n = t >> 1, v;

	out[0] = 0;
	if (r->err)
		return;
	if (t & 1) {
		v = get_varint(r);
		if (!n || n >= size || n > 19) {
			r->err = AM_ESTORE_CORRUPT;
			return;
		}
		for (uint64_t i = n; i-- > 0; v /= 10)
			out[i] = (char)('0' + v % 10);
		out[n] = 0;
		if (v) /* more digits than counted */
			r->err = AM_ESTORE_CORRUPT;
		return;
	}
	get_bytes(r, out, size, n);
}

int am__body_decode_line(const struct am__body_head *h, const uint8_t *p,
			 size_t n, size_t offset, struct am_arena *ar,
			 struct am_wage_line *ln, struct am_line_assessment *a,
			 size_t *next)
{
	struct rd r = { p + offset, p + n, 0 };
	int64_t money[14], row;
	uint64_t code;

	if (offset >= n)
		return AM_ESTORE_CORRUPT;
	memset(ln, 0, sizeof(*ln));
	memset(a, 0, sizeof(*a));
	code = get_varint(&r);
	if (code > 9999999999u)
		r.err = AM_ESTORE_CORRUPT;
	am__code_text((int64_t)code, ln->national_code);
	row = get_signed(&r);
	if (row < -(int64_t)h->row || row > INT32_MAX - (int64_t)h->row)
		r.err = AM_ESTORE_CORRUPT;
	else
		ln->row = (unsigned)(row + (int64_t)h->row);
	ln->days = get_int(&r, 0, 31);
	a->hard_harmful_days = get_int(&r, 0, 31);
	if (r.p == r.end)
		r.err = AM_ESTORE_CORRUPT;
	else
		a->unemployment_by_state = *r.p++ != 0;
	ln->prate = get_int(&r, INT32_MIN, INT32_MAX);
	for (size_t i = 0; i < AM_ARRAY_SIZE(money); i++)
		money[i] = get_signed(&r);
	/* In the order they were written: each difference is undone with
	 * the figure it was taken from. */
	ln->daily_wage = money[0];
	ln->monthly_wage = unresid(money[1],
				   (uint64_t)money[0] * (uint64_t)ln->days);
	ln->benefits = money[2];
	ln->subject_wage = unresid(money[3], (uint64_t)ln->monthly_wage +
						     (uint64_t)ln->benefits);
	ln->total_pay = unresid(money[4], (uint64_t)ln->subject_wage);
	ln->seniority = money[6];
	ln->spouse = money[7];
	a->base = unresid(money[8], (uint64_t)ln->subject_wage);
	a->insured = unresid(money[9], predict(a->base, h->r_insured));
	ln->insured_share = unresid(money[5], (uint64_t)a->insured);
	a->employer = unresid(money[10], predict(a->base, h->r_employer));
	a->state = unresid(money[11], predict(a->base, h->r_state));
	a->unemployment = unresid(money[12], (uint64_t)a->state);
	a->hard_harmful = unresid(
		money[13],
		a->hard_harmful_days ? predict(a->base, h->r_hard_harmful) : 0);
	ln->hard_harmful_days = a->hard_harmful_days;
	ln->id_date = AM_WAGE_DATE_NONE;
	ln->birth_date = AM_WAGE_DATE_NONE;
	ln->start_date = get_date(&r);
	ln->end_date = get_date(&r);
	get_insurance(&r, ln->insurance_no, sizeof(ln->insurance_no));
	ln->occupation = get_str(&r, ar);
	ln->job_code = get_str(&r, ar);
	if (h->names) {
		ln->first_name = get_str(&r, ar);
		ln->last_name = get_str(&r, ar);
		ln->father_name = get_str(&r, ar);
	}
	if (r.err)
		return r.err;
	if (next)
		*next = (size_t)(r.p - p);
	return 0;
}

/*
 * Index blocks: entries sorted by (code, list id, offset); each is the
 * code's difference from the one before (the first from the block's
 * first code, so 0), the list id less the segment's base, and the line's
 * offset in its list's body.
 */

int am__block_encode(const struct am_index_entry *e, size_t n, int64_t base,
		     struct am_buf *out)
{
	int64_t prev = n ? e[0].code : 0;
	uint8_t *p;
	int err;

	p = reserve(out, n * 3 * VARINT_MAX, &err);
	if (!p)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (e[i].code < prev || e[i].list_id < base)
			return AM_EINVALID_ARGUMENT;
		p = raw_varint(p, (uint64_t)(e[i].code - prev));
		p = raw_varint(p, (uint64_t)(e[i].list_id - base));
		p = raw_varint(p, e[i].offset);
		prev = e[i].code;
	}
	commit_raw(out, p);
	return 0;
}

int am__block_decode(const uint8_t *p, size_t len, int64_t first_code,
		     int64_t base, size_t n, struct am_index_entry *out)
{
	struct rd r = { p, p + len, 0 };
	int64_t code = first_code;

	for (size_t i = 0; i < n && !r.err; i++) {
		uint64_t d = get_varint(&r), id = get_varint(&r);
		uint64_t off = get_varint(&r);

		if (d > 9999999999u || id > (uint64_t)INT64_MAX / 2 ||
		    off > UINT32_MAX) {
			r.err = AM_ESTORE_CORRUPT;
			break;
		}
		code += (int64_t)d;
		out[i].code = code;
		out[i].list_id = base + (int64_t)id;
		out[i].offset = (uint32_t)off;
		out[i].period = 0;
	}
	if (!r.err && (r.p != r.end || code > 9999999999LL))
		r.err = AM_ESTORE_CORRUPT;
	return r.err;
}

/*
 * A ledger transaction's postings: a count, then for each its account,
 * its debit and its credit (varints). The accounts the ledger uses most
 * are one byte (a workshop's with its code as a varint after it); any
 * other is its name as a string, so a new account needs no new code.
 */
enum account_tag {
	ACC_NAMED = 0, /* the name follows */
	ACC_WORKSHOP,  /* "workshop:" and the code as an integer */
	ACC_STATE,
	ACC_BANK,
	ACC_INSURED,
	ACC_EMPLOYER,
	ACC_STATE_SHARE,
	ACC_UNEMPLOYMENT,
	ACC_HARD_HARMFUL,
	ACC__COUNT
};

static const char *const account_names[ACC__COUNT] = {
	[ACC_STATE] = AM_ACCOUNT_STATE,
	[ACC_BANK] = AM_ACCOUNT_BANK,
	[ACC_INSURED] = "contributions:insured",
	[ACC_EMPLOYER] = "contributions:employer",
	[ACC_STATE_SHARE] = "contributions:state",
	[ACC_UNEMPLOYMENT] = "contributions:unemployment",
	[ACC_HARD_HARMFUL] = "contributions:hard_harmful",
};

/* The account's tag: one comparison of the name, chosen by a letter
 * ("contributions:" is 14 letters long). */
static int account_tag(const char *name)
{
	int t = ACC_NAMED;

	switch (name[0]) {
	case 's':
		t = ACC_STATE;
		break;
	case 'b':
		t = ACC_BANK;
		break;
	case 'c':
		if (strlen(name) > 14)
			switch (name[14]) {
			case 'i':
				t = ACC_INSURED;
				break;
			case 'e':
				t = ACC_EMPLOYER;
				break;
			case 's':
				t = ACC_STATE_SHARE;
				break;
			case 'u':
				t = ACC_UNEMPLOYMENT;
				break;
			case 'h':
				t = ACC_HARD_HARMFUL;
				break;
			default:
				break;
			}
		break;
	default:
		break;
	}
	return t != ACC_NAMED && !strcmp(name, account_names[t]) ? t
								 : ACC_NAMED;
}

static uint8_t *raw_account(uint8_t *p, const char *name)
{
	static const char ws[] = "workshop:";
	int t = account_tag(name);
	int64_t code;

	if (t != ACC_NAMED) {
		*p++ = (uint8_t)t;
		return p;
	}
	if (!strncmp(name, ws, sizeof(ws) - 1) &&
	    !am__code_int(name + sizeof(ws) - 1, &code)) {
		*p++ = ACC_WORKSHOP;
		return raw_varint(p, (uint64_t)code);
	}
	*p++ = ACC_NAMED;
	return raw_str(p, name, strlen(name));
}

int am__postings_encode(const struct am_posting *p, size_t n,
			struct am_buf *out)
{
	uint8_t *w;
	int err;

	if (n > AM_TXN_POSTINGS_MAX)
		return AM_EINVALID_ARGUMENT;
	w = reserve(out, 1 + n * (1 + AM_ACCOUNT_NAME_MAX + 3 * VARINT_MAX),
		    &err);
	if (!w)
		return err;
	*w++ = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		if (p[i].debit < 0 || p[i].credit < 0)
			return AM_EINVALID_ARGUMENT;
		w = raw_account(w, p[i].account);
		w = raw_varint(w, (uint64_t)p[i].debit);
		w = raw_varint(w, (uint64_t)p[i].credit);
	}
	commit_raw(out, w);
	return 0;
}

static void get_account(struct rd *r, char out[AM_ACCOUNT_NAME_MAX])
{
	uint8_t t;

	out[0] = 0;
	if (r->p == r->end) {
		r->err = AM_ESTORE_CORRUPT;
		return;
	}
	t = *r->p++;
	if (t == ACC_NAMED) {
		get_fixed(r, out, AM_ACCOUNT_NAME_MAX);
	} else if (t == ACC_WORKSHOP) {
		uint64_t code = get_varint(r);
		char text[11];

		if (code > 9999999999u) {
			r->err = AM_ESTORE_CORRUPT;
			return;
		}
		am__code_text((int64_t)code, text);
		snprintf(out, AM_ACCOUNT_NAME_MAX, "workshop:%s", text);
	} else if (t < ACC__COUNT) {
		am__strlcpy(out, account_names[t], AM_ACCOUNT_NAME_MAX);
	} else {
		r->err = AM_ESTORE_CORRUPT;
	}
	if (!r->err && !out[0])
		r->err = AM_ESTORE_CORRUPT;
}

int am__postings_decode(const uint8_t *p, size_t len,
			struct am_posting out[AM_TXN_POSTINGS_MAX], size_t *n)
{
	struct rd r = { p, p + len, 0 };
	size_t k;

	*n = 0;
	if (!len || p[0] > AM_TXN_POSTINGS_MAX)
		return AM_ESTORE_CORRUPT;
	k = p[0];
	r.p++;
	for (size_t i = 0; i < k && !r.err; i++) {
		uint64_t d, c;

		get_account(&r, out[i].account);
		d = get_varint(&r);
		c = get_varint(&r);
		if (d > (uint64_t)INT64_MAX || c > (uint64_t)INT64_MAX)
			r.err = AM_ESTORE_CORRUPT;
		out[i].debit = (am_money)d;
		out[i].credit = (am_money)c;
	}
	if (!r.err && r.p != r.end)
		r.err = AM_ESTORE_CORRUPT;
	if (!r.err)
		*n = k;
	return r.err;
}
