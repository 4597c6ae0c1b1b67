/* Wage lists as the formats layer sees them: the layouts' names, the
 * ListDisk field names, and one setter per field shared by every reader. */
#include "core/internal.h"

#include "amanat/formats.h"
#include "formats/formats_int.h"

/* ---- layouts ---- */

static const char *const layout_names[] = {
	[AM_DBF_NONE] = "none",
	[AM_DBF_V27] = "2.7",
	[AM_DBF_V6] = "v6",
	[AM_DBF_OLD] = "old",
};

const char *am_dbf_layout_name(enum am_dbf_layout l)
{
	if ((unsigned)l < AM_ARRAY_SIZE(layout_names))
		return layout_names[l];
	return "unknown";
}

int am_dbf_layout_parse(const char *name, enum am_dbf_layout *out)
{
	static const struct {
		const char *name;
		enum am_dbf_layout l;
	} names[] = {
		{ "2.7", AM_DBF_V27 },	    { "v2.7", AM_DBF_V27 },
		{ "27", AM_DBF_V27 },	    { "official", AM_DBF_V27 },
		{ "v6", AM_DBF_V6 },	    { "6", AM_DBF_V6 },
		{ "dskeditor", AM_DBF_V6 }, { "old", AM_DBF_OLD },
		{ "older", AM_DBF_OLD },
	};

	if (!name)
		return AM_EINVALID_ARGUMENT;
	for (size_t i = 0; i < AM_ARRAY_SIZE(names); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].l;
			return 0;
		}
	}
	return AM_EINVALID_ARGUMENT;
}

/* ---- field names ---- */

const char *const am__wf_names[AM_WF_COUNT] = {
	"DSW_ID",     "DSW_YY",	    "DSW_MM",	 "DSW_LISTNO", "DSW_ID1",
	"DSW_FNAME",  "DSW_LNAME",  "DSW_DNAME", "DSW_IDNO",   "DSW_IDPLC",
	"DSW_IDATE",  "DSW_BDATE",  "DSW_SEX",	 "DSW_NAT",    "DSW_OCP",
	"DSW_SDATE",  "DSW_EDATE",  "DSW_DD",	 "DSW_ROOZ",   "DSW_MAH",
	"DSW_MAZ",    "DSW_MASH",   "DSW_TOTL",	 "DSW_BIME",   "DSW_PRATE",
	"DSW_JOB",    "PER_NATCOD", "DSW_INC",	 "DSW_SPOUSE", "DSW_KOSO",
	"DSW_BIME20",
};

const char *const am__hf_names[AM_HF_COUNT] = {
	"DSK_ID",     "DSK_NAME",  "DSK_FARM",	 "DSK_ADRS", "DSK_KIND",
	"DSK_YY",     "DSK_MM",	   "DSK_LISTNO", "DSK_DISC", "DSK_NUM",
	"DSK_TDD",    "DSK_TROOZ", "DSK_TMAH",	 "DSK_TMAZ", "DSK_TMASH",
	"DSK_TTOTL",  "DSK_TBIME", "DSK_TKOSO",	 "DSK_BIC",  "DSK_RATE",
	"DSK_PRATE",  "DSK_BIMH",  "MON_PYM",	 "DSK_INC",  "DSK_SPOUSE",
	"DSK_TBIM20",
};

static int lookup(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int am__wf_lookup(const char *name, size_t len)
{
	return lookup(am__wf_names, AM_WF_COUNT, name, len);
}

int am__hf_lookup(const char *name, size_t len)
{
	return lookup(am__hf_names, AM_HF_COUNT, name, len);
}

bool am__wf_required(int f)
{
	switch (f) {
	case AM_WF_ID:
	case AM_WF_YY:
	case AM_WF_MM:
	case AM_WF_LISTNO:
	case AM_WF_NATCOD:
	case AM_WF_DD:
	case AM_WF_ROOZ:
	case AM_WF_MAH:
	case AM_WF_MAZ:
	case AM_WF_MASH:
	case AM_WF_TOTL:
	case AM_WF_BIME:
		return true;
	default:
		return false;
	}
}

/* ---- setting fields ---- */

void am__fctx_init(struct am__fctx *c, struct am_wage_list *l,
		   struct am_diags *diags, const char *file)
{
	memset(c, 0, sizeof(*c));
	c->l = l;
	c->diags = diags;
	c->file = file;
	am_buf_init(&c->tmp, 1 << 20);
}

void am__fctx_release(struct am__fctx *c)
{
	am_buf_release(&c->tmp);
	free(c->texts.slot);
	am_arena_release(&c->texts.arena);
	c->texts.slot = NULL;
}

/* ---- texts met before ---- */

#define TEXT_SLOTS 8192	 /* a power of two, twice TEXTS_MAX */
#define TEXTS_MAX 4096	 /* texts kept before it is emptied */
#define TEXT_KEPT_MAX 64 /* longer texts are not kept */

void am__fctx_list_done(struct am__fctx *c)
{
	struct am__texts *t = &c->texts;

	if (t->n < TEXTS_MAX)
		return;
	memset(t->slot, 0, TEXT_SLOTS * sizeof(*t->slot));
	am_arena_clear(&t->arena);
	t->n = 0;
}

/* A hash of s[0..len), len <= TEXT_KEPT_MAX: its first and last eight
 * bytes (fewer when shorter) and its length, mixed. */
static uint32_t text_hash(const char *s, size_t len)
{
	uint64_t a = 0, b = 0, h;

	if (len >= 8) {
		memcpy(&a, s, sizeof(a));
		memcpy(&b, s + len - 8, sizeof(b));
	} else {
		for (size_t i = 0; i < len; i++)
			a = a << 8 | (unsigned char)s[i];
	}
	h = (a ^ (b * 0x9E3779B97F4A7C15ULL) ^ len) * 0xBF58476D1CE4E5B9ULL;
	return (uint32_t)(h >> 32);
}

/* The slot of s[0..len) with hash h: its own, or the free one where it
 * would go (the table is never more than half full). */
static struct am__text_slot *text_slot(struct am__texts *t, const char *s,
				       size_t len, uint32_t h)
{
	for (size_t i = h & (TEXT_SLOTS - 1);; i = (i + 1) & (TEXT_SLOTS - 1)) {
		struct am__text_slot *e = &t->slot[i];

		if (!e->raw || (e->hash == h && e->len == len &&
				memcmp(e->raw, s, len) == 0))
			return e;
	}
}

/* Keep raw[0..len) in the free slot e with its normalised form
 * text[0..tlen); the kept text, or NULL without memory. */
static const char *text_keep(struct am__texts *t, struct am__text_slot *e,
			     const char *raw, size_t len, uint32_t h,
			     const char *text, size_t tlen)
{
	char *r = am_arena_strndup(&t->arena, raw, len);
	char *n = r;

	if (r && (tlen != len || memcmp(text, raw, len) != 0))
		n = am_arena_strndup(&t->arena, text, tlen);
	if (!n)
		return NULL;
	e->raw = r;
	e->text = n;
	e->len = (uint32_t)len;
	e->hash = h;
	t->n++;
	return n;
}

void am__fctx_diag(struct am__fctx *c, int code, const char *field,
		   const char *value, size_t vlen, const char *expected)
{
	char name[AM_DIAG_TEXT], v[AM_DIAG_TEXT];
	size_t n = vlen < sizeof(v) - 1 ? vlen : sizeof(v) - 1;

	/* Cut a long value on a character boundary, not inside one. */
	while (n > 0 && n < vlen && ((unsigned char)value[n] & 0xC0) == 0x80)
		n--;
	if (value)
		memcpy(v, value, n);
	v[value ? n : 0] = '\0';
	snprintf(name, sizeof(name), "%s%s", c->prefix ? c->prefix : "",
		 field ? field : "");
	/* "lists[2]." alone names the list: drop the joining dot. */
	n = strlen(name);
	if (n && name[n - 1] == '.')
		name[n - 1] = '\0';
	c->nbad++;
	if (c->diags)
		am_diags_add(c->diags, code, c->file, c->row, name, v,
			     expected);
}

bool am__parse_int64(const char *s, size_t len, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool neg = false;

	am__trim(&s, &len);
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	/* The usual case, plain ASCII digits, without a call; eight at a
	 * time while there are, as a wage has. */
	if (i < len && len - i <= 18) {
		size_t j = i;

		for (; len - j >= 8 && am__ascii_digits(s + j, 8); j += 8)
			v = v * 100000000 + am__ascii8_value(s + j);
		for (; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			v = v * 10 + (uint64_t)(s[j] - '0');
		if (j == len) {
			*out = neg ? -(int64_t)v : (int64_t)v;
			return true;
		}
	}
	return len && am_money_parse(s, len, out) == 0;
}

bool am__parse_year(const char *s, size_t len, int *out)
{
	int64_t v;
	size_t digits = 0;

	am__trim(&s, &len);
	for (size_t i = 0; i < len;) {
		size_t used;

		if (am__digit_at(s + i, len - i, &used) < 0)
			return false;
		digits++;
		i += used;
	}
	if (digits == 0 || digits == 3 || digits > 4 ||
	    !am__parse_int64(s, len, &v))
		return false;
	if (digits <= 2)
		v += v < 70 ? 1400 : 1300;
	*out = (int)v;
	return true;
}

/* Is s already what am_text_normalize() would make of it? Most fields
 * are, and then they are copied without a pass through the normaliser.
 * Most of a Persian field is two-byte letters of the Arabic block (lead
 * bytes D8-DB), checked first without decoding them: 35 a line, a third
 * of the reading thread's work on text. */
bool am__utf8_is_normal(const char *s, size_t len)
{
	const unsigned char *b = (const unsigned char *)s, *end = b + len;

	if (len && (b[0] == ' ' || b[len - 1] == ' '))
		return false;
	while (b < end) {
		unsigned char ch = b[0];

		if (ch >= 0xD8 && ch <= 0xDB && end - b >= 2) {
			unsigned char t = b[1];

			/* Not kaf, alef maksura or yeh (U+0643, U+0649,
			 * U+064A: D9 83, D9 89, D9 8A), which the
			 * normaliser makes Persian. */
			if ((t & 0xC0) != 0x80 ||
			    (ch == 0xD9 &&
			     (t == 0x83 || t == 0x89 || t == 0x8A)))
				return false;
			b += 2;
		} else if (ch < 0x80) {
			if (ch < 0x20 ||
			    (ch == ' ' && end - b >= 2 && b[1] == ' '))
				return false;
			b++;
		} else if (ch >= 0xC2 && ch <= 0xDF && end - b >= 2 &&
			   (b[1] & 0xC0) == 0x80) {
			if (ch == 0xC2 && b[1] == 0xA0) /* no-break space */
				return false;
			b += 2;
		} else {
			size_t used;

			if (am__utf8_decode((const char *)b, (size_t)(end - b),
					    &used) < 0)
				return false;
			b += used;
		}
	}
	return true;
}

static const char empty[] = "";

/* Normalised text in the list's arena, or shared from the texts kept
 * when keep; "" (static) when empty. */
static int set_text(struct am__fctx *c, const char *field, const char **dst,
		    const char *s, size_t len, bool keep)
{
	struct am__text_slot *e = NULL;
	const char *raw;
	size_t raw_len;
	uint32_t h = 0;
	char *p;
	int err;

	am__trim(&s, &len);
	if (len == 0) {
		*dst = empty;
		return 0;
	}
	raw = s;
	raw_len = len;
	if (keep && c->keep_texts && len <= TEXT_KEPT_MAX) {
		struct am__texts *t = &c->texts;

		if (!t->slot) {
			t->slot = calloc(TEXT_SLOTS, sizeof(*t->slot));
			if (!t->slot)
				return AM_ENOMEM;
			am_arena_init(&t->arena, 0);
		}
		h = text_hash(s, len);
		e = text_slot(t, s, len, h);
		if (e->raw) {
			*dst = e->text;
			return 0;
		}
		if (t->n >= TEXTS_MAX)
			e = NULL;
	}
	if (!am__utf8_is_normal(s, len)) {
		am_buf_clear(&c->tmp);
		err = am_text_normalize(s, len, &c->tmp);
		/* A NUL would end the text early. */
		if (!err && memchr(c->tmp.buf, '\0', c->tmp.len))
			err = AM_EINVALID_UTF8;
		if (err == AM_EINVALID_UTF8 || err == AM_ETOO_LONG) {
			am__fctx_diag(c, err, field, NULL, 0, "UTF-8");
			return 0;
		}
		if (err)
			return err;
		s = c->tmp.buf;
		len = c->tmp.len;
	}
	if (e) {
		*dst = text_keep(&c->texts, e, raw, raw_len, h, s, len);
		return *dst ? 0 : AM_ENOMEM;
	}
	p = am_arena_strndup(&c->l->arena, s, len);
	if (!p)
		return AM_ENOMEM;
	*dst = p;
	return 0;
}

/* An identifier: digits folded to ASCII, at most size - 1 bytes. */
static int set_id(struct am__fctx *c, const char *field, char *dst, size_t size,
		  const char *s, size_t len)
{
	const char *v = s;
	size_t vlen = len;
	bool ascii = true;
	int err;

	am__trim(&v, &vlen);
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)v[i] >= 0x80 || v[i] == '\0')
			ascii = false;
	/* A NUL would end the value early: refused as the text it breaks. */
	if (!ascii && memchr(v, '\0', vlen)) {
		am__fctx_diag(c, AM_EINVALID_UTF8, field, NULL, 0, "UTF-8");
		return 0;
	}
	if (!ascii) {
		am_buf_clear(&c->tmp);
		err = am_text_digits_to_ascii(v, vlen, &c->tmp);
		if (err == AM_ENOMEM)
			return err;
		if (err) {
			am__fctx_diag(c, err, field, NULL, 0, "UTF-8");
			return 0;
		}
		v = c->tmp.buf;
		vlen = c->tmp.len;
		am__trim(&v, &vlen);
	}
	if (vlen >= size) {
		char want[32];

		snprintf(want, sizeof(want), "<= %zu", size - 1);
		am__fctx_diag(c, AM_EWAGE_FIELD_TOO_LONG, field, v, vlen, want);
		return 0;
	}
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

/* Text with its digits folded: a job code, a certificate number. */
static int set_code(struct am__fctx *c, const char *field, const char **dst,
		    const char *s, size_t len)
{
	char tmp[64];
	int err;

	am__trim(&s, &len);
	if (len >= sizeof(tmp)) {
		am__fctx_diag(c, AM_EWAGE_FIELD_TOO_LONG, field, s, len,
			      "<= 63");
		return 0;
	}
	err = set_id(c, field, tmp, sizeof(tmp), s, len);
	if (err)
		return err;
	return set_text(c, field, dst, tmp, strlen(tmp), false);
}

static bool set_i64(struct am__fctx *c, const char *field, int64_t *dst,
		    const char *s, size_t len)
{
	int64_t v;

	am__trim(&s, &len);
	if (len == 0) {
		*dst = 0;
		return true;
	}
	if (!am__parse_int64(s, len, &v)) {
		am__fctx_diag(c, AM_ENUMBER_SYNTAX, field, s, len,
			      "a whole number");
		return false;
	}
	*dst = v;
	return true;
}

static void set_int(struct am__fctx *c, const char *field, int *dst,
		    const char *s, size_t len)
{
	int64_t v = 0;

	if (!set_i64(c, field, &v, s, len))
		return;
	if (v < INT_MIN / 2 || v > INT_MAX / 2) {
		am__fctx_diag(c, AM_ENUMBER_SYNTAX, field, s, len,
			      "a small whole number");
		return;
	}
	*dst = (int)v;
}

static void set_date(struct am__fctx *c, const char *field, am_date *dst,
		     const char *s, size_t len)
{
	am_date d;
	int err;

	am__trim(&s, &len);
	if (len == 0) {
		*dst = AM_WAGE_DATE_NONE;
		return;
	}
	/* The usual form, YYYYMMDD in ASCII digits, without the parser. */
	if (len == 8 && am__ascii_digits(s, 8)) {
		uint32_t v = am__ascii8_value(s);

		err = am_jalali_to_date((int)(v / 10000), (int)(v / 100 % 100),
					(int)(v % 100), &d);
	} else {
		err = am_jalali_parse(s, len, &d);
	}
	if (err) {
		am__fctx_diag(c, err, field, s, len, "YYYYMMDD");
		return;
	}
	*dst = d;
}

static void set_sex(struct am__fctx *c, const char *field, char *dst,
		    const char *s, size_t len)
{
	am__trim(&s, &len);
	*dst = 0;
	if (len == 0)
		return;
	if ((len == 6 && memcmp(s, "مرد", 6) == 0) ||
	    (len == 1 && (s[0] == 'M' || s[0] == 'm')))
		*dst = 'M';
	else if ((len == 4 && memcmp(s, "زن", 4) == 0) ||
		 (len == 1 && (s[0] == 'F' || s[0] == 'f')))
		*dst = 'F';
	else
		am__fctx_diag(c, AM_EWAGE_SEX, field, s, len, "مرد | زن");
}

static void set_year(struct am__fctx *c, const char *field, struct am_period *p,
		     const char *s, size_t len)
{
	am__trim(&s, &len);
	if (len == 0 || !am__parse_year(s, len, &p->year))
		am__fctx_diag(c, AM_ENUMBER_SYNTAX, field, s, len,
			      "YY or YYYY");
}

static void set_month(struct am__fctx *c, const char *field,
		      struct am_period *p, const char *s, size_t len)
{
	am__trim(&s, &len);
	if (len == 0)
		am__fctx_diag(c, AM_EREGISTRY_MISSING_VALUE, field, NULL, 0,
			      "1..12");
	else
		set_int(c, field, &p->month, s, len);
}

void am__wline_reset(struct am_wage_line *w, unsigned row)
{
	memset(w, 0, sizeof(*w));
	w->row = row;
	w->first_name = w->last_name = w->father_name = empty;
	w->id_no = w->id_place = w->nationality = empty;
	w->occupation = w->job_code = empty;
	w->id_date = w->birth_date = AM_WAGE_DATE_NONE;
	w->start_date = w->end_date = AM_WAGE_DATE_NONE;
}

int am__wline_set(struct am__fctx *c, struct am_wage_line *w,
		  struct am__wkey *key, int f, const char *s, size_t len)
{
	const char *name = am__wf_names[f];
	int64_t dummy;

	switch (f) {
	case AM_WF_ID:
		return set_id(c, name, key->id, sizeof(key->id), s, len);
	case AM_WF_YY:
		set_year(c, name, &key->period, s, len);
		return 0;
	case AM_WF_MM:
		set_month(c, name, &key->period, s, len);
		return 0;
	case AM_WF_LISTNO:
		return set_id(c, name, key->list_no, sizeof(key->list_no), s,
			      len);
	case AM_WF_ID1:
		return set_id(c, name, w->insurance_no, sizeof(w->insurance_no),
			      s, len);
	case AM_WF_FNAME:
		return set_text(c, name, &w->first_name, s, len, true);
	case AM_WF_LNAME:
		return set_text(c, name, &w->last_name, s, len, true);
	case AM_WF_DNAME:
		return set_text(c, name, &w->father_name, s, len, true);
	case AM_WF_IDNO:
		return set_code(c, name, &w->id_no, s, len);
	case AM_WF_IDPLC:
		return set_text(c, name, &w->id_place, s, len, true);
	case AM_WF_IDATE:
		set_date(c, name, &w->id_date, s, len);
		return 0;
	case AM_WF_BDATE:
		set_date(c, name, &w->birth_date, s, len);
		return 0;
	case AM_WF_SEX:
		set_sex(c, name, &w->sex, s, len);
		return 0;
	case AM_WF_NAT:
		return set_text(c, name, &w->nationality, s, len, true);
	case AM_WF_OCP:
		return set_text(c, name, &w->occupation, s, len, true);
	case AM_WF_SDATE:
		set_date(c, name, &w->start_date, s, len);
		return 0;
	case AM_WF_EDATE:
		set_date(c, name, &w->end_date, s, len);
		return 0;
	case AM_WF_DD:
		set_int(c, name, &w->days, s, len);
		return 0;
	case AM_WF_ROOZ:
		set_i64(c, name, &w->daily_wage, s, len);
		return 0;
	case AM_WF_MAH:
		set_i64(c, name, &w->monthly_wage, s, len);
		return 0;
	case AM_WF_MAZ:
		set_i64(c, name, &w->benefits, s, len);
		return 0;
	case AM_WF_MASH:
		set_i64(c, name, &w->subject_wage, s, len);
		return 0;
	case AM_WF_TOTL:
		set_i64(c, name, &w->total_pay, s, len);
		return 0;
	case AM_WF_BIME:
		set_i64(c, name, &w->insured_share, s, len);
		return 0;
	case AM_WF_PRATE:
		set_int(c, name, &w->prate, s, len);
		return 0;
	case AM_WF_JOB:
		return set_code(c, name, &w->job_code, s, len);
	case AM_WF_NATCOD:
		return set_id(c, name, w->national_code,
			      sizeof(w->national_code), s, len);
	case AM_WF_INC:
		set_i64(c, name, &w->seniority, s, len);
		return 0;
	case AM_WF_SPOUSE:
		set_i64(c, name, &w->spouse, s, len);
		return 0;
	case AM_WF_KOSO:
	case AM_WF_BIME20:
		set_i64(c, name, &dummy, s, len);
		return 0;
	default:
		return AM_EINTERNAL;
	}
}

int am__whead_set(struct am__fctx *c, struct am__wkey *key, int f,
		  const char *s, size_t len)
{
	struct am_wage_list *l = c->l;
	const char *name = am__hf_names[f];
	int64_t dummy;

	switch (f) {
	case AM_HF_ID:
		return set_id(c, name, key->id, sizeof(key->id), s, len);
	case AM_HF_NAME:
		return set_text(c, name, &l->workshop_name, s, len, false);
	case AM_HF_FARM:
		return set_text(c, name, &l->employer_name, s, len, false);
	case AM_HF_ADRS:
		return set_text(c, name, &l->address, s, len, false);
	case AM_HF_KIND:
		set_int(c, name, &l->kind, s, len);
		return 0;
	case AM_HF_YY:
		set_year(c, name, &key->period, s, len);
		return 0;
	case AM_HF_MM:
		set_month(c, name, &key->period, s, len);
		return 0;
	case AM_HF_LISTNO:
		return set_id(c, name, key->list_no, sizeof(key->list_no), s,
			      len);
	case AM_HF_DISC:
		return set_text(c, name, &l->description, s, len, false);
	case AM_HF_NUM:
		set_i64(c, name, &l->t_workers, s, len);
		return 0;
	case AM_HF_TDD:
		set_i64(c, name, &l->t_days, s, len);
		return 0;
	case AM_HF_TROOZ:
		set_i64(c, name, &l->t_daily, s, len);
		return 0;
	case AM_HF_TMAH:
		set_i64(c, name, &l->t_wage, s, len);
		return 0;
	case AM_HF_TMAZ:
		set_i64(c, name, &l->t_benefits, s, len);
		return 0;
	case AM_HF_TMASH:
		set_i64(c, name, &l->t_subject, s, len);
		return 0;
	case AM_HF_TTOTL:
		set_i64(c, name, &l->t_total, s, len);
		return 0;
	case AM_HF_TBIME:
		set_i64(c, name, &l->t_insured, s, len);
		return 0;
	case AM_HF_TKOSO:
		set_i64(c, name, &l->t_employer, s, len);
		return 0;
	case AM_HF_BIC:
		set_i64(c, name, &l->t_unemployment, s, len);
		return 0;
	case AM_HF_RATE:
		set_int(c, name, &l->rate, s, len);
		return 0;
	case AM_HF_PRATE:
		set_int(c, name, &l->prate, s, len);
		return 0;
	case AM_HF_BIMH:
		set_i64(c, name, &l->t_hard_harmful, s, len);
		return 0;
	case AM_HF_PYM:
		return set_id(c, name, l->contract_row, sizeof(l->contract_row),
			      s, len);
	case AM_HF_INC:
		set_i64(c, name, &l->t_seniority, s, len);
		return 0;
	case AM_HF_SPOUSE:
		set_i64(c, name, &l->t_spouse, s, len);
		return 0;
	case AM_HF_TBIM20:
		set_i64(c, name, &dummy, s, len);
		return 0;
	default:
		return AM_EINTERNAL;
	}
}

void am__wkey_apply(struct am_wage_list *l, const struct am__wkey *key)
{
	memcpy(l->workshop, key->id, sizeof(l->workshop));
	l->period = key->period;
	memcpy(l->list_no, key->list_no, sizeof(l->list_no));
}

bool am__wkey_equal(const struct am__wkey *a, const struct am__wkey *b)
{
	return strcmp(a->id, b->id) == 0 && a->period.year == b->period.year &&
	       a->period.month == b->period.month &&
	       strcmp(a->list_no, b->list_no) == 0;
}
