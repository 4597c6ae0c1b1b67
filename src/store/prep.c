/* A wage list prepared for its posting (rows.h, struct am_post_prep):
 * its key and lines checked, its totals, its lines packed into the list's
 * stored form and its persons' records. Needs no handle, so it runs on any
 * thread (an import's reader); the posting itself is the application's
 * (src/app/posting.c). */
#include "core/internal.h"

#include "amanat/ident.h"
#include "store/store_int.h"

/* What preparing a list refused, for the posting to report. */
__attribute__((format(printf, 3, 4))) static int prep_errf(
	struct am__prep_owner *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
	va_end(ap);
	p->p.err = err;
	return err;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool period_ok(struct am_period p)
{
	return p.year >= AM_JALALI_YEAR_MIN && p.year <= AM_JALALI_YEAR_MAX &&
	       p.month >= 1 && p.month <= 12;
}

/*
 * The list's sums, checked: the store refuses totals that overflow rather
 * than wrap (a corrupt input, never a real list).
 */
static int sum_lines(const struct am_wage_list *l,
		     const struct am_line_assessment *a, struct am_list_sums *t)
{
	int err = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; !err && i < l->nlines; i++) {
		t->days += l->lines[i].days;
		err = am_money_add(t->subject, a[i].base, &t->subject);
		err = err ? err
			  : am_money_add(t->insured, a[i].insured, &t->insured);
		err = err ? err
			  : am_money_add(t->employer, a[i].employer,
					 &t->employer);
		err = err ? err : am_money_add(t->state, a[i].state, &t->state);
		err = err ? err
			  : am_money_add(t->unemployment, a[i].unemployment,
					 &t->unemployment);
		err = err ? err
			  : am_money_add(t->hard_harmful, a[i].hard_harmful,
					 &t->hard_harmful);
	}
	return err;
}

static void prep_release(struct am__prep_owner *p)
{
	am_buf_release(&p->body);
	am_buf_release(&p->persons);
	free(p->offsets);
	free(p->codes);
	free(p->person_at);
	p->offsets = NULL;
	p->codes = NULL;
	p->person_at = NULL;
	p->lines_alloc = 0;
}

/* Whether a code is twice in v[0..n), through an open-addressing table of
 * at least 2n slots (codes are non-negative: -1 is a free slot), on the
 * stack for a list of up to 32 lines; -1 when out of memory. */
static int dup_hashed(const int64_t *v, size_t n)
{
	int64_t small[64], *t = small;
	size_t size = AM_ARRAY_SIZE(small), mask;
	int dup = 0;

	while (size < 2 * n)
		size *= 2;
	if (size > AM_ARRAY_SIZE(small) && !(t = malloc(size * sizeof(*t))))
		return -1;
	memset(t, 0xff, size * sizeof(*t));
	mask = size - 1;
	for (size_t i = 0; !dup && i < n; i++) {
		/* Fibonacci hashing: national codes share their low digits'
		 * patterns less than their high bits. */
		size_t h = (size_t)(((uint64_t)v[i] * 0x9E3779B97F4A7C15u) >>
				    32) &
			   mask;

		while (t[h] >= 0 && t[h] != v[i])
			h = (h + 1) & mask;
		dup = t[h] == v[i];
		t[h] = v[i];
	}
	if (t != small)
		free(t);
	return dup;
}

/* A person twice in the list, found before anything is written, on the
 * lines' codes as integers: lists in national-code order take one pass,
 * others a hash table (sorting them took a second of the national
 * month's writer). */
static int check_duplicates(struct am__prep_owner *p,
			    const struct am_wage_list *l, const int64_t *codes)
{
	bool sorted = true, dup = false;
	size_t n = l->nlines;

	for (size_t i = 1; sorted && !dup && i < n; i++) {
		dup = codes[i - 1] == codes[i];
		sorted = codes[i - 1] < codes[i];
	}
	if (!sorted && !dup) {
		int d = dup_hashed(codes, n);

		if (d < 0)
			return prep_errf(p, AM_ENOMEM, "list: out of memory");
		dup = d;
	}
	if (!dup)
		return 0;
	return prep_errf(p, AM_ESTORE_CONFLICT,
			 "list %s/%04d/%02d/%s: a person is listed twice",
			 l->workshop, l->period.year, l->period.month,
			 l->list_no);
}

/* The list's key and lines in their domains; codes[i] gets line i's
 * national code as an integer. */
static int check_list(struct am__prep_owner *p, const struct am_wage_list *l,
		      const struct am_line_assessment *a,
		      const char *rules_identity, int64_t *codes)
{
	if (empty(l->workshop) || !period_ok(l->period) || empty(l->list_no) ||
	    !rules_identity)
		return prep_errf(p, AM_EINVALID_ARGUMENT, "%s is missing",
				 "workshop, period, list number or rules");
	if (l->nlines && (!l->lines || !a))
		return prep_errf(p, AM_EINVALID_ARGUMENT, "%s is missing",
				 "lines or assessments");
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *ln = &l->lines[i];

		if (empty(ln->national_code))
			return prep_errf(p, AM_EINVALID_ARGUMENT,
					 "%s is missing",
					 "national code of a line");
		/* What the schema's CHECKs refused when a line was a row:
		 * refused here, before anything is written. */
		if (am__code_int(ln->national_code, &codes[i]) ||
		    ln->days < 0 || ln->days > 31 ||
		    a[i].hard_harmful_days < 0 ||
		    a[i].hard_harmful_days > ln->days || a[i].base < 0 ||
		    a[i].insured < 0 || a[i].employer < 0 || a[i].state < 0 ||
		    a[i].unemployment < 0 || a[i].hard_harmful < 0)
			return prep_errf(
				p, AM_ESTORE_CONFLICT,
				"list %s/%04d/%02d/%s, line %zu: national "
				"code, days or shares out of their domain",
				l->workshop, l->period.year, l->period.month,
				l->list_no, i + 1);
	}
	return 0;
}

/* The prep's arrays for n lines. */
static int lines_room(struct am__prep_owner *p, size_t n)
{
	size_t alloc = p->lines_alloc ? p->lines_alloc : 64;
	uint32_t *offsets, *person_at = NULL;
	int64_t *codes;

	if (n < p->lines_alloc)
		return 0;
	while (alloc <= n)
		alloc *= 2;
	offsets = realloc(p->offsets, alloc * sizeof(*offsets));
	if (offsets)
		p->offsets = offsets;
	codes = offsets ? realloc(p->codes, alloc * sizeof(*codes)) : NULL;
	if (codes)
		p->codes = codes;
	if (codes)
		person_at = realloc(p->person_at, alloc * sizeof(*person_at));
	if (!person_at)
		return prep_errf(p, AM_ENOMEM, "list: out of memory");
	p->person_at = person_at;
	p->lines_alloc = alloc;
	return 0;
}

int am_post_prep_new(struct am_post_prep **out)
{
	struct am__prep_owner *o = calloc(1, sizeof(*o));

	if (!o)
		return AM_ENOMEM;
	o->p.owned = true;
	o->p.errmsg = "";
	*out = &o->p;
	return 0;
}

void am_post_prep_free(struct am_post_prep *p)
{
	struct am__prep_owner *o = (struct am__prep_owner *)p;

	if (!p || !p->owned)
		return;
	prep_release(o);
	free(o);
}

/* Prepare into an owner: a handle's own, or one of am_post_prep_new(). */
static int prepare(struct am__prep_owner *p, const struct am_wage_list *l,
		   const struct am_line_assessment *a,
		   const char *rules_identity)
{
	struct am_post_prep *view = &p->p;
	int err;

	memset(view, 0, sizeof(*view));
	view->owned = true;
	view->errmsg = p->errmsg;
	p->errmsg[0] = '\0';
	view->nlines = l->nlines;
	memcpy(view->hash, l->hash, sizeof(view->hash));
	err = lines_room(p, l->nlines);
	if (!err)
		err = check_list(p, l, a, rules_identity, p->codes);
	if (!err && (err = sum_lines(l, a, &view->t)) != 0)
		err = prep_errf(p, err, "list totals overflow");
	if (!err)
		err = check_duplicates(p, l, p->codes);
	if (err)
		return err;
	if (!p->body.cap)
		am_buf_init(&p->body, (size_t)1 << 30);
	am_buf_clear(&p->body);
	err = am__body_encode(l, p->codes, a, &p->body, p->offsets);
	if (err)
		return prep_errf(p, err, "list body");
	if (!p->persons.cap)
		am_buf_init(&p->persons, (size_t)1 << 30);
	am_buf_clear(&p->persons);
	for (size_t i = 0; !err && i < l->nlines; i++) {
		p->person_at[i] = (uint32_t)p->persons.len;
		err = am__person_encode(&l->lines[i], &p->persons);
	}
	if (err)
		return prep_errf(p, err, "list persons");
	p->person_at[l->nlines] = (uint32_t)p->persons.len;
	view->body = (const uint8_t *)p->body.buf;
	view->body_len = p->body.len;
	view->offsets = p->offsets;
	view->codes = p->codes;
	view->persons = (const uint8_t *)p->persons.buf;
	view->person_at = p->person_at;
	return 0;
}

int am_post_prepare(struct am_post_prep *p, const struct am_wage_list *l,
		    const struct am_line_assessment *a,
		    const char *rules_identity)
{
	/* A copy has no buffers to prepare into. */
	if (!p->owned)
		return AM_EINVALID_ARGUMENT;
	return prepare((struct am__prep_owner *)p, l, a, rules_identity);
}

int am_post_prep_copy(const struct am_post_prep *p, struct am_arena *a,
		      const struct am_post_prep **out)
{
	struct am_post_prep *c = am_arena_alloc(a, sizeof(*c));
	size_t n = p->nlines, plen;
	uint8_t *body, *persons;
	uint32_t *offsets = NULL, *person_at;
	int64_t *codes = NULL;

	if (!c)
		return AM_ENOMEM;
	*c = *p;
	c->owned = false;
	c->errmsg = "";
	if (p->err) { /* only the refusal travels */
		c->errmsg = am_arena_strndup(a, p->errmsg, strlen(p->errmsg));
		c->body = NULL;
		c->offsets = NULL;
		c->codes = NULL;
		c->persons = NULL;
		c->person_at = NULL;
		*out = c;
		return c->errmsg ? 0 : AM_ENOMEM;
	}
	plen = p->person_at[n];
	body = am_arena_alloc(a, p->body_len ? p->body_len : 1);
	persons = am_arena_alloc(a, plen ? plen : 1);
	person_at = am_arena_alloc(a, (n + 1) * sizeof(*person_at));
	if (n) {
		offsets = am_arena_alloc(a, n * sizeof(*offsets));
		codes = am_arena_alloc(a, n * sizeof(*codes));
	}
	if (!body || !persons || !person_at || (n && (!offsets || !codes)))
		return AM_ENOMEM;
	memcpy(body, p->body, p->body_len);
	if (plen)
		memcpy(persons, p->persons, plen);
	memcpy(person_at, p->person_at, (n + 1) * sizeof(*person_at));
	if (n) {
		memcpy(offsets, p->offsets, n * sizeof(*offsets));
		memcpy(codes, p->codes, n * sizeof(*codes));
	}
	c->body = body;
	c->offsets = offsets;
	c->codes = codes;
	c->persons = persons;
	c->person_at = person_at;
	*out = c;
	return 0;
}

int am_person_record_decode(const uint8_t *p, size_t n, size_t offset,
			    struct am_arena *a, struct am_wage_line *ln)
{
	return am__person_decode(p, n, offset, a, ln);
}
