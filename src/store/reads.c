/* The reads, composed from the backend's rows: a person's history (posted
 * lines through the by-person index, then the migrated months), what
 * employers reported of a worker in a month, a posted list read back
 * whole, a workshop's account and the ledger's check. The same for every backend: a backend only
 * finds rows (store_int.h). */
#include "core/internal.h"

#include "amanat/ident.h"
#include "amanat/ledger.h"
#include "store/store_int.h"

static int bad_key(struct am_store *s, const char *what)
{
	return am__store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
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
 * Rows gathered in a heap array that doubles, then copied into the
 * caller's arena in one piece.
 */
struct rows {
	void *v;
	size_t n, cap, size;
};

static void *rows_next(struct rows *g)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		void *v = reallocarray(g->v, cap, g->size);

		if (!v)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	return memset((char *)g->v + g->n++ * g->size, 0, g->size);
}

/* Move the rows into the arena (NULL for none); frees the heap array. */
static int rows_to_arena(struct rows *g, struct am_arena *a, void **out)
{
	*out = NULL;
	if (g->n && g->v) {
		*out = am_arena_alloc(a, g->n * g->size);
		if (*out)
			memcpy(*out, g->v, g->n * g->size);
	}
	free(g->v);
	g->v = NULL;
	return g->n && !*out ? AM_ENOMEM : 0;
}

static int entry_add(void *ctx, const struct am_index_entry *e)
{
	struct am_index_entry *x = rows_next(ctx);

	if (!x)
		return AM_ENOMEM;
	*x = *e;
	return 0;
}

/* The person's posted lines (of one period, or of all with 0) to fn:
 * the index's entries, each line read back; superseded lists are left
 * out. *seen counts the entries, superseded or not. */
typedef int line_fn(struct am_store *s, const struct am__line_ref *r,
		    void *ctx);

static int each_line(struct am_store *s, const char *national_code, int period,
		     line_fn *fn, void *ctx, size_t *seen)
{
	struct rows ents = { NULL, 0, 0, sizeof(struct am_index_entry) };
	struct am_arena a;
	int64_t code;
	int err;

	*seen = 0;
	if (am__code_int(national_code, &code))
		return 0; /* not a national code: nothing is indexed */
	err = s->be->person_lines(s, code, period, entry_add, &ents);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "index: out of memory");
	*seen = ents.n;
	am_arena_init(&a, 4096);
	for (size_t i = 0; !err && i < ents.n; i++) {
		const struct am_index_entry *e =
			(const struct am_index_entry *)ents.v + i;
		struct am__line_ref r;

		err = s->be->line_read(s, e->list_id, e->offset, &a, &r);
		if (!err && r.posted)
			err = fn(s, &r, ctx);
		am_arena_clear(&a);
	}
	am_arena_release(&a);
	free(ents.v);
	return err;
}

/*
 * History.
 */

static struct am_period period_of(int p)
{
	struct am_period r = { p / 100, p % 100 };

	return r;
}

static int history_line(struct am_store *s, const struct am__line_ref *r,
			void *ctx)
{
	struct am_history_month *m = rows_next(ctx);

	if (!m)
		return am__store_errf(s, AM_ENOMEM, "history: out of memory");
	m->period = period_of(r->period);
	am__strlcpy(m->workshop, r->workshop, sizeof(m->workshop));
	am__strlcpy(m->list_no, r->list_no, sizeof(m->list_no));
	m->days = r->ln.days;
	m->subject_wage = r->ln.subject_wage;
	m->base = r->a.base;
	m->insured = r->a.insured;
	m->employer = r->a.employer;
	m->state = r->a.state;
	m->unemployment = r->a.unemployment;
	m->hard_harmful = r->a.hard_harmful;
	m->hard_harmful_days = r->a.hard_harmful_days;
	return 0;
}

static int history_migrated(void *ctx, const struct am_history_row *r)
{
	struct am_history_month *m = rows_next(ctx);

	if (!m)
		return AM_ENOMEM;
	m->period = r->period;
	am__strlcpy(m->workshop, r->workshop, sizeof(m->workshop));
	m->days = r->days;
	m->subject_wage = r->subject_wage;
	m->base = r->subject_wage;
	m->hard_harmful_days = r->hard_harmful_days;
	m->migrated = true;
	return 0;
}

/* Period, then workshop, then list number; migrated months after the
 * posted lines of the same workshop. */
static int cmp_month(const void *a, const void *b)
{
	const struct am_history_month *x = a, *y = b;
	int c;

	if (x->period.year != y->period.year)
		return x->period.year < y->period.year ? -1 : 1;
	if (x->period.month != y->period.month)
		return x->period.month < y->period.month ? -1 : 1;
	c = strcmp(x->workshop, y->workshop);
	if (c)
		return c;
	if (x->migrated != y->migrated)
		return x->migrated ? 1 : -1;
	return strcmp(x->list_no, y->list_no);
}

int am_store_history(struct am_store *s, const char *national_code,
		     struct am_arena *a, struct am_history *out)
{
	struct rows g = { NULL, 0, 0, sizeof(struct am_history_month) };
	struct am_history h;
	void *months;
	size_t seen = 0;
	int err;

	if (empty(national_code))
		return bad_key(s, "national code");
	err = am__store_ready(s);
	if (!err)
		err = each_line(s, national_code, 0, history_line, &g, &seen);
	if (!err)
		err = s->be->history_rows(s, national_code, history_migrated,
					  &g);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "history: out of memory");
	/* A person whose lists were all superseded has a history, empty. */
	if (!err && !g.n && !seen)
		err = am__store_errf(s, AM_ENOT_FOUND, "no history for %s",
				     national_code);
	if (err) {
		free(g.v);
		return err;
	}
	if (g.v && g.n > 1)
		qsort(g.v, g.n, g.size, cmp_month);
	memset(&h, 0, sizeof(h));
	h.nmonths = g.n;
	if (rows_to_arena(&g, a, &months))
		return am__store_errf(s, AM_ENOMEM, "history: out of memory");
	h.months = months;
	am_history_credit(&h);
	*out = h;
	return 0;
}

/*
 * What employers reported of a worker in a month.
 */

struct worker_ctx {
	struct rows g;
	struct am_arena *a;
	struct am_period period;
};

static int worker_line(struct am_store *s, const struct am__line_ref *r,
		       void *ctx)
{
	struct worker_ctx *c = ctx;
	struct am_worker_report *w = rows_next(&c->g);

	if (!w)
		return am__store_errf(s, AM_ENOMEM,
				      "worker statement: out of memory");
	am__strlcpy(w->workshop, r->workshop, sizeof(w->workshop));
	am__strlcpy(w->list_no, r->list_no, sizeof(w->list_no));
	w->days = r->ln.days;
	w->daily_wage = r->ln.daily_wage;
	w->monthly_wage = r->ln.monthly_wage;
	w->benefits = r->ln.benefits;
	w->subject_wage = r->ln.subject_wage;
	w->total_pay = r->ln.total_pay;
	w->job_code = r->ln.job_code ? am_arena_strdup(c->a, r->ln.job_code)
				     : NULL;
	w->occupation = r->ln.occupation
				? am_arena_strdup(c->a, r->ln.occupation)
				: NULL;
	if ((r->ln.job_code && !w->job_code) ||
	    (r->ln.occupation && !w->occupation))
		return am__store_errf(s, AM_ENOMEM,
				      "worker statement: out of memory");
	w->start_date = r->ln.start_date;
	w->end_date = r->ln.end_date;
	return 0;
}

/* Migrated months carry only the workshop, days and wage. */
static int worker_migrated(void *ctx, const struct am_history_row *r)
{
	struct worker_ctx *c = ctx;
	struct am_worker_report *w;

	if (r->period.year != c->period.year ||
	    r->period.month != c->period.month)
		return 0;
	w = rows_next(&c->g);
	if (!w)
		return AM_ENOMEM;
	am__strlcpy(w->workshop, r->workshop, sizeof(w->workshop));
	w->days = r->days;
	w->subject_wage = r->subject_wage;
	w->start_date = AM_DATE_NONE;
	w->end_date = AM_DATE_NONE;
	w->migrated = true;
	return 0;
}

/* The posted lines in workshop and list order, the migrated months after
 * them in workshop order (one per workshop and month: their key). */
static int cmp_report(const void *x, const void *y)
{
	const struct am_worker_report *a = x, *b = y;
	int c;

	if (a->migrated != b->migrated)
		return a->migrated ? 1 : -1;
	c = strcmp(a->workshop, b->workshop);
	return c ? c : strcmp(a->list_no, b->list_no);
}

int am_store_worker_statement(struct am_store *s, const char *national_code,
			      struct am_period period, struct am_arena *a,
			      size_t *n, struct am_worker_report **out)
{
	struct worker_ctx c = { { NULL, 0, 0, sizeof(struct am_worker_report) },
				a,
				period };
	void *rows;
	size_t seen;
	int err;

	if (empty(national_code) || !period_ok(period))
		return bad_key(s, "national code or period");
	err = am__store_ready(s);
	if (!err)
		err = each_line(s, national_code,
				period.year * 100 + period.month, worker_line,
				&c, &seen);
	if (!err)
		err = s->be->history_rows(s, national_code, worker_migrated,
					  &c);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "worker statement: out of memory");
	if (!err && !c.g.n)
		err = am__store_errf(s, AM_ENOT_FOUND,
				     "nothing reported for %s in %04d/%02d",
				     national_code, period.year, period.month);
	if (err) {
		free(c.g.v);
		return err;
	}
	if (c.g.v && c.g.n > 1)
		qsort(c.g.v, c.g.n, c.g.size, cmp_report);
	*n = c.g.n;
	if (rows_to_arena(&c.g, a, &rows))
		return am__store_errf(s, AM_ENOMEM,
				      "worker statement: out of memory");
	*out = rows;
	return 0;
}

/*
 * A posted list read back.
 */

struct pick {
	const char *list_no; /* NULL: the first */
	struct am__list_head h;
	bool found;
};

static int pick_list(void *ctx, const struct am__list_head *h)
{
	struct pick *p = ctx;

	if (!p->found && (!p->list_no || !strcmp(h->list_no, p->list_no))) {
		p->h = *h;
		p->found = true;
	}
	return 0;
}

/* A line the list gave without names takes them from the registry. */
static int registry_names(struct am_store *s, struct am_wage_line *ln,
			  struct am_arena *a)
{
	struct am_person p;
	int err = s->be->person_get(s, ln->national_code, a, &p);

	if (err == AM_ENOT_FOUND)
		return 0;
	if (err)
		return err;
	ln->first_name = p.first_name;
	ln->last_name = p.last_name;
	ln->father_name = p.father_name;
	if (ln->birth_date == AM_DATE_NONE)
		ln->birth_date = p.birth_date;
	if (!ln->sex)
		ln->sex = p.sex;
	if (!ln->nationality)
		ln->nationality = p.nationality;
	if (!ln->insurance_no[0] && p.insurance_no)
		am__strlcpy(ln->insurance_no, p.insurance_no,
			    sizeof(ln->insurance_no));
	return 0;
}

/* The lines of a body, decoded into l, with the sums of the shares an
 * export's header carries. */
static int body_lines(struct am_store *s, int64_t id, int64_t n,
		      const uint8_t *p, size_t len, struct am_wage_list *l)
{
	struct am__body_head h;
	size_t at;
	int err;

	if (n < 0 || n > INT32_MAX)
		return am__store_errf(s, AM_ESTORE_CORRUPT, "list %" PRId64,
				      id);
	l->lines = am_arena_calloc(&l->arena, n ? (size_t)n : 1,
				   sizeof(*l->lines));
	if (!l->lines)
		return am__store_errf(s, AM_ENOMEM, "export: out of memory");
	err = am__body_head(p, len, &h);
	at = h.lines_at;
	while (!err && (int64_t)l->nlines < n) {
		struct am_wage_line *ln = &l->lines[l->nlines];
		struct am_line_assessment as;

		err = am__body_decode_line(&h, p, len, at, &l->arena, ln, &as,
					   &at);
		if (err)
			break;
		l->t_employer += as.employer;
		l->t_unemployment += as.unemployment;
		l->nlines++;
	}
	if (!err && at != len)
		err = AM_ESTORE_CORRUPT;
	if (err)
		return am__store_errf(s, err,
				      "list %" PRId64 ": its lines cannot be "
				      "read",
				      id);
	return 0;
}

int am_store_list_read(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       struct am_wage_list *l)
{
	struct pick pk = { list_no, { 0, "", 0 }, false };
	struct am_workshop w;
	const uint8_t *body = NULL;
	size_t len = 0;
	int err;

	if (empty(workshop) || !period_ok(period))
		return bad_key(s, "workshop or period");
	err = am__store_ready(s);
	if (!err)
		err = s->be->lists_posted(s, workshop,
					  period.year * 100 + period.month,
					  pick_list, &pk);
	if (!err && pk.found)
		err = s->be->workshop_get(s, workshop, &l->arena, &w);
	if (err == AM_ENOT_FOUND)
		pk.found = false;
	else if (err)
		return err;
	if (!pk.found)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no posted list of %s in %d/%02d",
				      workshop, period.year, period.month);
	l->workshop_name = w.name;
	am__strlcpy(l->workshop, workshop, sizeof(l->workshop));
	am__strlcpy(l->list_no, pk.h.list_no, sizeof(l->list_no));
	l->period = period;
	err = s->be->list_body(s, pk.h.id, &l->arena, &body, &len);
	if (!err)
		err = body_lines(s, pk.h.id, pk.h.lines, body, len, l);
	for (size_t i = 0; !err && i < l->nlines; i++)
		if (!l->lines[i].first_name)
			err = registry_names(s, &l->lines[i], &l->arena);
	return err;
}

/*
 * A workshop's account and the whole ledger, from the ledger's rows: the
 * amounts are the postings' (the domain's), never a sum the backend made.
 */

struct account_ctx {
	struct rows g;
	struct am_arena *a;
	char account[AM_ACCOUNT_NAME_MAX];
};

static int account_txn(void *ctx, const struct am_ledger_row *x)
{
	struct account_ctx *c = ctx;
	am_money debit = am_txn_debit(&x->t, c->account);
	am_money credit = am_txn_credit(&x->t, c->account);
	struct am_ledger_entry *e;

	if (!debit && !credit)
		return 0;
	e = rows_next(&c->g);
	if (!e)
		return AM_ENOMEM;
	e->id = x->id;
	e->txn = x->id;
	e->kind = am_txn_kind_name(x->t.kind);
	if (x->period)
		e->period = period_of(x->period);
	e->debit = debit;
	e->credit = credit;
	e->value_date = x->value_date;
	e->due_date = x->due_date;
	e->list_id = x->list_id;
	e->posted_at = x->posted_at;
	if (x->payment_ref) {
		e->reference = am_arena_strdup(c->a, x->payment_ref);
		if (!e->reference)
			return AM_ENOMEM;
	}
	return 0;
}

int am__workshop_entries(struct am_store *s, const char *workshop,
			 struct am_arena *a, struct am_employer_statement *out)
{
	struct account_ctx c = { { NULL, 0, 0, sizeof(struct am_ledger_entry) },
				 a,
				 "" };
	struct am_employer_statement r;
	void *rows;
	int err;

	if (am_account_workshop(workshop, c.account))
		return bad_key(s, "workshop code");
	err = s->be->workshop_txns(s, workshop, account_txn, &c);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "statement: out of memory");
	if (err) {
		free(c.g.v);
		return err;
	}
	memset(&r, 0, sizeof(r));
	r.nentries = c.g.n;
	if (rows_to_arena(&c.g, a, &rows))
		return am__store_errf(s, AM_ENOMEM, "statement: out of memory");
	r.entries = rows;
	err = am_ledger_statement_totals(&r);
	if (err)
		return am__store_errf(s, err,
				      "workshop %s: its account's totals "
				      "cannot be made",
				      workshop);
	*out = r;
	return 0;
}

int am_store_employer_statement(struct am_store *s, const char *workshop,
				struct am_arena *a,
				struct am_employer_statement *out)
{
	struct am_employer_statement r;
	int err;

	memset(&r, 0, sizeof(r));
	if (empty(workshop))
		return bad_key(s, "workshop code");
	err = am__store_ready(s);
	if (!err)
		err = am__workshop_entries(s, workshop, a, &r);
	if (err)
		return err;
	if (!r.nentries)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no entries for workshop %s", workshop);
	*out = r;
	return 0;
}

struct check_ctx {
	am_money debit, credit;
	int64_t unbalanced;
	bool overflow;
};

static int check_txn(void *ctx, const struct am_ledger_row *x)
{
	struct check_ctx *c = ctx;

	if (!am_txn_balanced(&x->t))
		c->unbalanced++;
	for (size_t i = 0; i < x->t.n; i++)
		if (am_money_add(c->debit, x->t.p[i].debit, &c->debit) ||
		    am_money_add(c->credit, x->t.p[i].credit, &c->credit))
			c->overflow = true;
	return 0;
}

int am_store_journal_check(struct am_store *s, bool *balanced,
			   int64_t *total_debit, int64_t *total_credit)
{
	struct check_ctx c = { 0, 0, 0, false };
	int err = am__store_ready(s);

	if (!err)
		err = s->be->ledger_walk(s, check_txn, &c);
	if (err)
		return err;
	if (c.overflow)
		return am__store_errf(s, AM_EMONEY_OVERFLOW,
				      "the ledger's totals overflow");
	if (balanced)
		*balanced = c.debit == c.credit && c.unbalanced == 0;
	if (total_debit)
		*total_debit = c.debit;
	if (total_credit)
		*total_credit = c.credit;
	return 0;
}
