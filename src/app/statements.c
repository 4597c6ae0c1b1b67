/* The views, composed from the store's rows (amanat/rows.h): a person's
 * history (posted lines through the by-person index, then the migrated
 * months), what employers reported of a worker in a month, a posted list
 * read back whole, a workshop's account and the ledger's check. One copy
 * for every face (the CLI, the HTTP server) and every backend; their JSON
 * is views.c's. */
#include "core/internal.h"

#include "amanat/ident.h"
#include "amanat/ledger.h"
#include "amanat/rows.h"
#include "amanat/views.h"

static int bad_key(struct am_store *s, const char *what)
{
	return am_store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
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

/* The person's posted lines (of one period, or of all with 0) to fn;
 * superseded lists are left out. *seen counts the lines, superseded or
 * not. */
typedef int line_fn(struct am_store *s, const struct am_line_ref *r, void *ctx);

static int each_line(struct am_store *s, const char *national_code, int period,
		     line_fn *fn, void *ctx, size_t *seen)
{
	struct am_line_ref *refs;
	struct am_arena a;
	int err;

	am_arena_init(&a, 4096);
	err = am_store_person_lines(s, national_code, period, &a, seen, &refs);
	for (size_t i = 0; !err && i < *seen; i++)
		if (refs[i].posted)
			err = fn(s, &refs[i], ctx);
	am_arena_release(&a);
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

static int history_line(struct am_store *s, const struct am_line_ref *r,
			void *ctx)
{
	struct am_history_month *m = rows_next(ctx);

	if (!m)
		return am_store_errf(s, AM_ENOMEM, "history: out of memory");
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

int am_history_read(struct am_store *s, const char *national_code,
		    struct am_arena *a, struct am_history *out)
{
	struct rows g = { NULL, 0, 0, sizeof(struct am_history_month) };
	struct am_history h;
	void *months;
	size_t seen = 0;
	int err;

	if (empty(national_code))
		return bad_key(s, "national code");
	err = each_line(s, national_code, 0, history_line, &g, &seen);
	if (!err)
		err = am_store_history_rows(s, national_code, history_migrated,
					    &g);
	if (err == AM_ENOMEM)
		err = am_store_errf(s, err, "history: out of memory");
	/* A person whose lists were all superseded has a history, empty. */
	if (!err && !g.n && !seen)
		err = am_store_errf(s, AM_ENOT_FOUND, "no history for %s",
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
		return am_store_errf(s, AM_ENOMEM, "history: out of memory");
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
	struct am_names registry; /* the person's, in a (all NULL: none) */
};

/* s into the arena, NULL as NULL; false when out of memory. */
static bool keep(struct am_arena *a, const char *s, const char **out)
{
	*out = s ? am_arena_strdup(a, s) : NULL;
	return !s || *out;
}

/* The names the employer wrote on the line, and which are not the
 * registry's. A line whose body kept none (posted before bodies kept
 * them: all three NULL) has nothing to compare. */
static bool worker_names(struct worker_ctx *c, const struct am_wage_line *ln,
			 struct am_worker_report *w)
{
	w->registry = c->registry;
	w->names_kept = ln->first_name || ln->last_name || ln->father_name;
	if (!keep(c->a, ln->first_name, &w->reported.first_name) ||
	    !keep(c->a, ln->last_name, &w->reported.last_name) ||
	    !keep(c->a, ln->father_name, &w->reported.father_name))
		return false;
	w->name_differs = am_names_differ(&w->reported, &c->registry);
	return true;
}

static int worker_line(struct am_store *s, const struct am_line_ref *r,
		       void *ctx)
{
	struct worker_ctx *c = ctx;
	struct am_worker_report *w = rows_next(&c->g);

	if (!w)
		return am_store_errf(s, AM_ENOMEM,
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
		return am_store_errf(s, AM_ENOMEM,
				     "worker statement: out of memory");
	w->start_date = r->ln.start_date;
	w->end_date = r->ln.end_date;
	if (!worker_names(c, &r->ln, w))
		return am_store_errf(s, AM_ENOMEM,
				     "worker statement: out of memory");
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
	w->registry = c->registry;
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

/* The registry's names of the person, in a; all NULL when the person is
 * not registered. */
static int registered_names(struct am_store *s, const char *national_code,
			    struct am_arena *a, struct am_names *out)
{
	struct am_person p;
	int err = am_store_person_get(s, national_code, a, &p);

	memset(out, 0, sizeof(*out));
	if (err == AM_ENOT_FOUND)
		return 0;
	if (err)
		return err;
	out->first_name = p.first_name;
	out->last_name = p.last_name;
	out->father_name = p.father_name;
	return 0;
}

int am_worker_statement_read(struct am_store *s, const char *national_code,
			     struct am_period period, struct am_arena *a,
			     size_t *n, struct am_worker_report **out)
{
	struct worker_ctx c = { { NULL, 0, 0, sizeof(struct am_worker_report) },
				a,
				period,
				{ NULL, NULL, NULL } };
	void *rows;
	size_t seen;
	int err;

	if (empty(national_code) || !period_ok(period))
		return bad_key(s, "national code or period");
	err = registered_names(s, national_code, a, &c.registry);
	if (!err)
		err = each_line(s, national_code, am_period_key(period),
				worker_line, &c, &seen);
	if (!err)
		err = am_store_history_rows(s, national_code, worker_migrated,
					    &c);
	if (err == AM_ENOMEM)
		err = am_store_errf(s, err, "worker statement: out of memory");
	if (!err && !c.g.n)
		err = am_store_errf(s, AM_ENOT_FOUND,
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
		return am_store_errf(s, AM_ENOMEM,
				     "worker statement: out of memory");
	*out = rows;
	return 0;
}

/*
 * A posted list read back.
 */

struct pick {
	const char *list_no; /* NULL: the first */
	struct am_list_head h;
	bool found;
};

static int pick_list(void *ctx, const struct am_list_head *h)
{
	struct pick *p = ctx;

	if (!p->found && (!p->list_no || !strcmp(h->list_no, p->list_no))) {
		p->h = *h;
		p->found = true;
	}
	return 0;
}

/* A line's names are the registry's, as an export writes them (the
 * employer's, which the body keeps since version 3, stay where the person
 * is not registered). */
static int registry_names(struct am_store *s, struct am_wage_line *ln,
			  struct am_arena *a)
{
	struct am_person p;
	int err = am_store_person_get(s, ln->national_code, a, &p);

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

/* The list's lines into l, with the sums of the shares an export's
 * header carries. */
static int list_lines(struct am_store *s, const struct am_list_head *h,
		      struct am_wage_list *l)
{
	struct am_line_assessment *as;
	int err = am_store_list_lines(s, h, &l->arena, &l->lines, &as);

	for (int64_t i = 0; !err && i < h->lines; i++) {
		err = am_money_add(l->t_employer, as[i].employer,
				   &l->t_employer);
		err = err ? err
			  : am_money_add(l->t_unemployment, as[i].unemployment,
					 &l->t_unemployment);
		if (err)
			err = am_store_errf(s, err,
					    "list %" PRId64 ": its totals "
					    "overflow",
					    h->id);
	}
	if (!err)
		l->nlines = (size_t)h->lines;
	return err;
}

int am_list_read(struct am_store *s, const char *workshop,
		 struct am_period period, const char *list_no,
		 struct am_wage_list *l)
{
	struct pick pk = { list_no, { 0, "", 0 }, false };
	struct am_workshop w;
	int err;

	if (empty(workshop) || !period_ok(period))
		return bad_key(s, "workshop or period");
	err = am_store_lists_posted(s, workshop, am_period_key(period),
				    pick_list, &pk);
	if (!err && pk.found)
		err = am_store_workshop_get(s, workshop, &l->arena, &w);
	if (err == AM_ENOT_FOUND)
		pk.found = false;
	else if (err)
		return err;
	if (!pk.found)
		return am_store_errf(s, AM_ENOT_FOUND,
				     "no posted list of %s in %d/%02d",
				     workshop, period.year, period.month);
	l->workshop_name = w.name;
	am__strlcpy(l->workshop, workshop, sizeof(l->workshop));
	am__strlcpy(l->list_no, pk.h.list_no, sizeof(l->list_no));
	l->period = period;
	err = list_lines(s, &pk.h, l);
	for (size_t i = 0; !err && i < l->nlines; i++)
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

static int workshop_entries(struct am_store *s, const char *workshop,
			    struct am_arena *a,
			    struct am_employer_statement *out)
{
	struct account_ctx c = { { NULL, 0, 0, sizeof(struct am_ledger_entry) },
				 a,
				 "" };
	struct am_employer_statement r;
	void *rows;
	int err;

	if (am_account_workshop(workshop, c.account))
		return bad_key(s, "workshop code");
	err = am_store_workshop_txns(s, workshop, account_txn, &c);
	if (err == AM_ENOMEM)
		err = am_store_errf(s, err, "statement: out of memory");
	if (err) {
		free(c.g.v);
		return err;
	}
	memset(&r, 0, sizeof(r));
	r.nentries = c.g.n;
	if (rows_to_arena(&c.g, a, &rows))
		return am_store_errf(s, AM_ENOMEM, "statement: out of memory");
	r.entries = rows;
	err = am_ledger_statement_totals(&r);
	if (err)
		return am_store_errf(s, err,
				     "workshop %s: its account's totals "
				     "cannot be made",
				     workshop);
	*out = r;
	return 0;
}

int am_employer_statement_read(struct am_store *s, const char *workshop,
			       struct am_arena *a,
			       struct am_employer_statement *out)
{
	struct am_employer_statement r;
	int err;

	memset(&r, 0, sizeof(r));
	if (empty(workshop))
		return bad_key(s, "workshop code");
	err = workshop_entries(s, workshop, a, &r);
	if (err)
		return err;
	if (!r.nentries)
		return am_store_errf(s, AM_ENOT_FOUND,
				     "no entries for workshop %s", workshop);
	*out = r;
	return 0;
}

static int check_txn(void *ctx, const struct am_ledger_row *x)
{
	am_ledger_totals_add(ctx, &x->t);
	return 0;
}

int am_ledger_check(struct am_store *s, bool *balanced, int64_t *total_debit,
		    int64_t *total_credit)
{
	struct am_ledger_totals c = { 0, 0, 0, false };
	int err = am_store_ledger_walk(s, check_txn, &c);

	if (err)
		return err;
	if (c.overflow)
		return am_store_errf(s, AM_EMONEY_OVERFLOW,
				     "the ledger's totals overflow");
	if (balanced)
		*balanced = c.debit == c.credit && c.unbalanced == 0;
	if (total_debit)
		*total_debit = c.debit;
	if (total_credit)
		*total_credit = c.credit;
	return 0;
}
