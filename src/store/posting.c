/* Posting wage lists: idempotency by content hash, the list's journal
 * transaction and its balance check, amendments by reversal, migrated
 * months, payments, and the views over them. Policy over the vtable. */
#include "core/internal.h"

#include <sodium.h>

#include "amanat/wagelist.h"
#include "store/store_int.h"

/* A list's journal: at most two debits (workshop, state) and five credits;
 * an amendment first reverses as many. */
#define LIST_ENTRIES_MAX 8

static int bad_key(struct am_store *s, const char *what)
{
	return am__store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static int period_key(struct am_period p)
{
	return p.year * 100 + p.month;
}

static bool period_ok(struct am_period p)
{
	return p.year >= AM_JALALI_YEAR_MIN && p.year <= AM_JALALI_YEAR_MAX &&
	       p.month >= 1 && p.month <= 12;
}

const char *am_post_outcome_name(enum am_post_outcome o)
{
	switch (o) {
	case AM_POST_POSTED:
		return "posted";
	case AM_POST_UNCHANGED:
		return "unchanged";
	case AM_POST_REFUSED_CONFLICT:
		return "refused_conflict";
	case AM_POST_AMENDED:
		return "amended";
	}
	return NULL;
}

int am_store_list_find(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       bool *found, uint8_t hash_out[32], int64_t *list_id)
{
	struct am__list_key key;
	int err;

	if (empty(workshop) || !list_no)
		return bad_key(s, "workshop code or list number");
	err = am__store_ready(s);
	if (!err)
		err = s->be->list_find(s, workshop, period_key(period), list_no,
				       &key);
	if (err)
		return err;
	*found = key.found;
	if (key.found && hash_out)
		memcpy(hash_out, key.hash, 32);
	if (list_id)
		*list_id = key.found ? key.id : 0;
	return 0;
}

/*
 * The list's sums, checked: the store refuses totals that overflow rather
 * than wrap (a corrupt input, never a real list).
 */
struct list_sums {
	int64_t days;
	am_money subject, insured, employer, state, unemployment, hard_harmful;
};

static int sum_lines(const struct am_wage_list *l,
		     const struct am_line_assessment *a, struct list_sums *t)
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

static void entry_set(struct am__journal_entry *e, const char *account,
		      am_money debit, am_money credit)
{
	memset(e, 0, sizeof(*e));
	am__strlcpy(e->account, account, sizeof(e->account));
	e->debit = debit;
	e->credit = credit;
	e->due_date = AM_STORE_DATE_NONE;
}

/* The assessment's entries: who owes (debits) and what was assessed
 * (credits). Zero entries are left out. */
static int list_entries(const struct am_wage_list *l, const struct list_sums *t,
			bool state_pays_employer, struct am__journal_entry *e,
			size_t *n)
{
	const struct {
		const char *account;
		am_money amount;
	} credits[] = {
		{ "contributions:insured", t->insured },
		{ "contributions:employer", t->employer },
		{ "contributions:state", t->state },
		{ "contributions:unemployment", t->unemployment },
		{ "contributions:hard_harmful", t->hard_harmful },
	};
	am_money workshop = 0, state = t->state;
	char account[AM__ACCOUNT_MAX];
	size_t k = 0;
	int err;

	err = am_money_add(t->insured, t->unemployment, &workshop);
	err = err ? err : am_money_add(workshop, t->hard_harmful, &workshop);
	/* An exempt workshop's employer share is the state's to pay. */
	if (state_pays_employer)
		err = err ? err : am_money_add(state, t->employer, &state);
	else
		err = err ? err
			  : am_money_add(workshop, t->employer, &workshop);
	if (err)
		return err;
	snprintf(account, sizeof(account), "workshop:%s", l->workshop);
	if (workshop)
		entry_set(&e[k++], account, workshop, 0);
	if (state)
		entry_set(&e[k++], "state", state, 0);
	for (size_t i = 0; i < AM_ARRAY_SIZE(credits); i++)
		if (credits[i].amount)
			entry_set(&e[k++], credits[i].account, 0,
				  credits[i].amount);
	*n = k;
	return 0;
}

static int audit_list(struct am_store *s, const char *action,
		      const struct am_wage_list *l, int64_t id,
		      const struct list_sums *t, const char *rules_identity,
		      int64_t superseded)
{
	char subject[64], hex[65];
	struct am_buf b;
	int err;

	snprintf(subject, sizeof(subject), "%s/%04d/%02d/%s", l->workshop,
		 l->period.year, l->period.month, l->list_no);
	sodium_bin2hex(hex, sizeof(hex), l->hash, 32);
	am_buf_init(&b, 0);
	err = am_buf_addf(
		&b,
		"{\"list_id\":%" PRId64 ",\"hash\":\"%s\","
		"\"lines\":%zu,\"days\":%" PRId64 ",\"subject_wage\":%" PRId64
		",\"insured\":%" PRId64 ",\"employer\":%" PRId64
		",\"state\":%" PRId64 ",\"unemployment\":%" PRId64
		",\"hard_harmful\":%" PRId64 ",\"rules\":",
		id, hex, l->nlines, t->days, t->subject, t->insured,
		t->employer, t->state, t->unemployment, t->hard_harmful);
	if (!err)
		err = am_buf_add_json_str(&b, rules_identity,
					  strlen(rules_identity));
	if (!err && superseded)
		err = am_buf_addf(&b, ",\"supersedes\":%" PRId64, superseded);
	if (!err)
		err = am_buf_addch(&b, '}');
	if (!err)
		err = am__audit_append(s, action, subject, b.buf, NULL);
	else
		err = am__store_errf(s, err, "list audit: out of memory");
	am_buf_release(&b);
	return err;
}

/* Reverse an earlier list's journal transaction: the same accounts with
 * debit and credit swapped. */
static int reverse_list(struct am_store *s, const struct am_wage_list *l,
			const struct am__list_key *old, am_date today)
{
	struct am__journal_entry e[LIST_ENTRIES_MAX];
	size_t n = 0;
	int64_t txn;
	int err;

	if (old->journal_n < 0 || old->journal_n > LIST_ENTRIES_MAX)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "list %" PRId64 " has %" PRId64
				      " journal entries",
				      old->id, old->journal_n);
	if (!old->journal_n)
		return 0;
	err = s->be->journal_read(s, old->journal_txn, (size_t)old->journal_n,
				  e, &n);
	if (err)
		return err;
	if (n != (size_t)old->journal_n)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "list %" PRId64 ": journal entries "
				      "missing",
				      old->id);
	for (size_t i = 0; i < n; i++) {
		am_money d = e[i].debit;

		e[i].debit = e[i].credit;
		e[i].credit = d;
		e[i].kind = "reversal";
		e[i].workshop = l->workshop;
		e[i].value_date = today;
	}
	return s->be->journal_append(s, e, n, am__store_now(s), &txn);
}

static am_date today_of(const struct am_store *s)
{
	int64_t now = am__store_now(s);

	/* Unix seconds to days (floor, for times before 1970 too). */
	return (am_date)(now >= 0 ? now / 86400 : -((-now + 86399) / 86400));
}

/* The new list: its row, lines, journal transaction (read back and
 * checked balanced) and the link from the list to it. */
static int write_list(struct am_store *s, const struct am_wage_list *l,
		      const struct am_line_assessment *a, am_date due_date,
		      bool state_pays_employer, const char *rules_identity,
		      const struct list_sums *t, int64_t supersedes,
		      int64_t *id, bool *wrote)
{
	struct am__journal_entry e[LIST_ENTRIES_MAX];
	struct am__list_row row;
	int64_t txn = 0, debit, credit, stored;
	size_t n = 0;
	int err;

	err = list_entries(l, t, state_pays_employer, e, &n);
	if (err)
		return am__store_errf(s, err, "list totals overflow");
	memset(&row, 0, sizeof(row));
	row.workshop = l->workshop;
	row.year = l->period.year;
	row.month = l->period.month;
	row.period = period_key(l->period);
	row.list_no = l->list_no;
	row.hash = l->hash;
	row.source_file = l->file;
	row.lines = (int64_t)l->nlines;
	row.days = t->days;
	row.subject = t->subject;
	row.insured = t->insured;
	row.employer = t->employer;
	row.state = t->state;
	row.unemployment = t->unemployment;
	row.hard_harmful = t->hard_harmful;
	row.rules_identity = rules_identity;
	row.due_date = due_date;
	row.state_pays_employer = state_pays_employer;
	row.supersedes = supersedes;
	row.posted_at = am__store_now(s);
	err = s->be->list_insert(s, &row, id);
	*wrote = *wrote || !err;
	if (!err && l->nlines)
		err = s->be->lines_insert(s, *id, row.period, l, a);
	for (size_t i = 0; i < n; i++) {
		e[i].kind = "assessment";
		e[i].period = row.period;
		e[i].workshop = l->workshop;
		e[i].list_id = *id;
		e[i].due_date = due_date;
		e[i].value_date = today_of(s);
	}
	if (!err && n)
		err = s->be->journal_append(s, e, n, row.posted_at, &txn);
	if (!err && n)
		err = s->be->list_set_journal(s, *id, txn, (int64_t)n);
	if (err || !n)
		return err;
	/* Read back what was stored: the ledger is checked, not trusted. */
	err = s->be->journal_sum(s, txn, (int64_t)n, &debit, &credit, &stored);
	if (err)
		return err;
	if (debit != credit || stored != (int64_t)n)
		return am__store_errf(
			s, AM_EINTERNAL,
			"list %s/%d/%s: journal does not "
			"balance (debit %" PRId64 ", credit %" PRId64 ")",
			l->workshop, row.period, l->list_no, debit, credit);
	return 0;
}

/*
 * A posting inside the caller's transaction takes no savepoint. A
 * savepoint copies every page a list touches before its first change, so
 * that the list can be undone alone; with a dozen lines landing on a dozen
 * pages of wage_lines and person_totals, that copying cost more than the
 * writes themselves (docs/storage.md, "Posting"). Validation makes the undo
 * almost never needed, so instead: every refusal the store can see is
 * found before the first write (the list's row, a single atomic
 * statement), and a failure after it marks the transaction failed, so
 * that only a rollback may follow and the caller redoes the batch without
 * the list. Outside a transaction a post is its own transaction.
 */
static int post_begin(struct am_store *s)
{
	int err = am__store_ready(s);

	if (err)
		return err;
	if (!s->in_tx)
		return s->be->begin(s);
	if (s->tx_failed)
		return am__store_errf(
			s, AM_ESTORE_SQL,
			"the transaction was aborted by a failure "
			"that could not be undone; roll it back");
	return 0;
}

static int post_end(struct am_store *s, int err, bool wrote)
{
	char saved[AM__STORE_ERRMSG_MAX];

	if (s->in_tx) {
		if (err && wrote)
			s->tx_failed = true;
		return err;
	}
	if (!err)
		err = s->be->commit(s);
	if (err) {
		memcpy(saved, s->errmsg, sizeof(saved));
		s->be->rollback(s);
		memcpy(s->errmsg, saved, sizeof(saved));
	}
	return err;
}

static int cmp_code(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* A person twice in the list, found before anything is written. Lists
 * come sorted by national code (the fast path: one pass); others have
 * their codes sorted first. */
static int check_duplicates(struct am_store *s, const struct am_wage_list *l)
{
	const char **v;
	bool sorted = true;
	int err = 0;

	for (size_t i = 1; sorted && i < l->nlines; i++) {
		int c = strcmp(l->lines[i - 1].national_code,
			       l->lines[i].national_code);

		if (!c)
			goto out_dup;
		sorted = c < 0;
	}
	if (sorted)
		return 0;
	v = malloc(l->nlines * sizeof(*v));
	if (!v)
		return am__store_errf(s, AM_ENOMEM, "list: out of memory");
	for (size_t i = 0; i < l->nlines; i++)
		v[i] = l->lines[i].national_code;
	qsort(v, l->nlines, sizeof(*v), cmp_code);
	for (size_t i = 1; !err && i < l->nlines; i++)
		if (!strcmp(v[i - 1], v[i]))
			err = AM_ESTORE_CONFLICT;
	free(v);
	if (!err)
		return 0;
out_dup:
	return am__store_errf(s, AM_ESTORE_CONFLICT,
			      "list %s/%04d/%02d/%s: a person is listed twice",
			      l->workshop, l->period.year, l->period.month,
			      l->list_no);
}

static int check_list(struct am_store *s, const struct am_wage_list *l,
		      const struct am_line_assessment *a,
		      const char *rules_identity)
{
	if (empty(l->workshop) || !period_ok(l->period) || empty(l->list_no) ||
	    !rules_identity)
		return bad_key(s, "workshop, period, list number or rules");
	if (l->nlines && (!l->lines || !a))
		return bad_key(s, "lines or assessments");
	for (size_t i = 0; i < l->nlines; i++)
		if (empty(l->lines[i].national_code))
			return bad_key(s, "national code of a line");
	return 0;
}

int am_store_post_list(struct am_store *s, const struct am_wage_list *l,
		       const struct am_line_assessment *a, am_date due_date,
		       bool state_pays_employer, const char *rules_identity,
		       bool amend, int *outcome)
{
	struct am__list_key old;
	struct list_sums t;
	int64_t id = 0;
	int result = AM_POST_POSTED;
	bool wrote = false;
	int err;

	err = check_list(s, l, a, rules_identity);
	if (err)
		return err;
	err = sum_lines(l, a, &t);
	if (err)
		return am__store_errf(s, err, "list totals overflow");
	err = check_duplicates(s, l);
	if (err)
		return err;
	err = post_begin(s);
	if (err)
		return err;
	err = s->be->list_find(s, l->workshop, period_key(l->period),
			       l->list_no, &old);
	if (err)
		goto out_unit;
	if (old.found && !sodium_memcmp(old.hash, l->hash, 32)) {
		result = AM_POST_UNCHANGED;
		goto out_unit;
	}
	if (old.found && !amend) {
		result = AM_POST_REFUSED_CONFLICT;
		goto out_unit;
	}
	/* The first write: the journal's reversal when amending, else the
	 * list's row, whose foreign key refuses an unknown workshop. */
	wrote = old.found;
	if (old.found) {
		result = AM_POST_AMENDED;
		err = reverse_list(s, l, &old, today_of(s));
		if (!err)
			err = s->be->list_supersede(s, old.id);
		if (err)
			goto out_unit;
	}
	err = write_list(s, l, a, due_date, state_pays_employer, rules_identity,
			 &t, old.found ? old.id : 0, &id, &wrote);
	if (!err)
		err = audit_list(s, old.found ? "list.amend" : "list.post", l,
				 id, &t, rules_identity,
				 old.found ? old.id : 0);
out_unit:
	err = post_end(s, err, wrote);
	if (!err)
		*outcome = result;
	return err;
}

int am_store_compact(struct am_store *s, int64_t *lines)
{
	char payload[64];
	int64_t n = 0;
	int err = am__store_unit_begin(s);

	if (err)
		return err;
	err = s->be->compact(s, &n);
	if (!err && n) {
		snprintf(payload, sizeof(payload), "{\"lines\":%" PRId64 "}",
			 n);
		err = am__audit_append(s, "lines.compact", "", payload, NULL);
	}
	err = am__store_unit_end(s, err);
	if (!err && lines)
		*lines = n;
	return err;
}

/*
 * Migrated months.
 */

int am_store_history_import_row(struct am_store *s,
				const struct am_history_row *r, int *outcome)
{
	struct am_history_row old;
	bool existed = false, wrote = false;
	int err;

	if (empty(r->national_code) || empty(r->workshop) ||
	    !period_ok(r->period))
		return bad_key(s, "national code, workshop or period");
	err = post_begin(s);
	if (err)
		return err;
	/* The row's insert is atomic; only the totals after it can leave
	 * half a write (see post_begin()). */
	err = s->be->history_insert(s, r, period_key(r->period),
				    am__store_now(s), &existed, &old, &wrote);
	if (!err && existed &&
	    (old.days != r->days || old.subject_wage != r->subject_wage ||
	     old.hard_harmful_days != r->hard_harmful_days))
		err = am__store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				     "history %s %04d/%02d %s was imported "
				     "with other figures",
				     r->national_code, r->period.year,
				     r->period.month, r->workshop);
	err = post_end(s, err, wrote);
	if (!err)
		*outcome = existed ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return err;
}

/*
 * Payments.
 */

static int audit_payment(struct am_store *s, const struct am_payment *p)
{
	struct am_buf b;
	int err;

	am_buf_init(&b, 0);
	err = am_buf_addf(&b,
			  "{\"workshop\":\"%s\",\"period\":\"%04d/%02d\","
			  "\"amount\":%" PRId64 ",\"paid_on\":%" PRId32
			  ",\"matched\":%" PRId64 ",\"unmatched\":%" PRId64 "}",
			  p->workshop, p->period.year, p->period.month,
			  p->amount, p->paid_on, p->matched, p->unmatched);
	if (!err)
		err = am__audit_append(s, "payment.post", p->reference, b.buf,
				       NULL);
	else
		err = am__store_errf(s, err, "payment audit: out of memory");
	am_buf_release(&b);
	return err;
}

static bool digits10(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == 10;
}

static int payment_write(struct am_store *s, struct am_payment *p)
{
	struct am__journal_entry e[2];
	char account[AM__ACCOUNT_MAX];
	am_money due = 0;
	int64_t txn = 0;
	int period = period_key(p->period);
	int err;

	snprintf(account, sizeof(account), "workshop:%s", p->workshop);
	err = s->be->account_due(s, account, period, &due);
	if (err)
		return err;
	/* Matched against the period's debt; the rest stays a credit on
	 * the workshop's account. */
	p->matched = due <= 0 ? 0 : due < p->amount ? due : p->amount;
	p->unmatched = p->amount - p->matched;
	entry_set(&e[0], "bank", p->amount, 0);
	entry_set(&e[1], account, 0, p->amount);
	for (size_t i = 0; i < 2; i++) {
		e[i].kind = "payment";
		e[i].period = period;
		e[i].workshop = p->workshop;
		e[i].payment_ref = p->reference;
		e[i].value_date = p->paid_on;
	}
	err = s->be->journal_append(s, e, 2, am__store_now(s), &txn);
	if (!err)
		err = s->be->payment_insert(s, p, period, txn,
					    am__store_now(s));
	if (!err)
		err = audit_payment(s, p);
	return err;
}

int am_store_payment_post(struct am_store *s, struct am_payment *p,
			  int *outcome)
{
	struct am__payment_row old;
	struct am_payment w;
	int err;

	memset(&old, 0, sizeof(old));
	if (empty(p->reference) || empty(p->workshop) || !period_ok(p->period))
		return bad_key(s, "reference, workshop or period");
	if (p->amount <= 0 || !digits10(p->workshop))
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "payment %s: the amount must be above "
				      "zero and the workshop 10 digits",
				      p->reference);
	err = am__store_unit_begin(s);
	if (err)
		return err;
	w = *p;
	err = s->be->payment_find(s, p->reference, &old);
	if (err || !old.found) {
		if (!err)
			err = payment_write(s, &w);
		goto out_unit;
	}
	if (strcmp(old.workshop, p->workshop) != 0 ||
	    old.period != period_key(p->period) || old.amount != p->amount ||
	    old.paid_on != p->paid_on) {
		err = am__store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				     "payment reference '%s' was used for "
				     "another payment",
				     p->reference);
		goto out_unit;
	}
	w.matched = old.matched;
	w.unmatched = old.unmatched;
out_unit:
	err = am__store_unit_end(s, err);
	if (err)
		return err;
	p->matched = w.matched;
	p->unmatched = w.unmatched;
	*outcome = old.found ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return 0;
}

int am_store_payment_get(struct am_store *s, const char *reference,
			 struct am_arena *a, struct am_payment *out)
{
	struct am__payment_row r;
	struct am_payment p;
	int err;

	if (empty(reference))
		return bad_key(s, "payment reference");
	err = am__store_ready(s);
	if (!err)
		err = s->be->payment_find(s, reference, &r);
	if (err)
		return err;
	if (!r.found)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no payment with reference '%s'",
				      reference);
	memset(&p, 0, sizeof(p));
	p.reference = am_arena_strdup(a, reference);
	p.workshop = am_arena_strdup(a, r.workshop);
	if (!p.reference || !p.workshop)
		return am__store_errf(s, AM_ENOMEM, "payment: out of memory");
	p.period.year = r.period / 100;
	p.period.month = r.period % 100;
	p.amount = r.amount;
	p.paid_on = r.paid_on;
	p.matched = r.matched;
	p.unmatched = r.unmatched;
	*out = p;
	return 0;
}

/*
 * Views.
 */

/* Credited days: per month, the days of its records capped at the month's
 * length, so that two jobs in one month do not count twice. The records
 * arrive in period order. */
static void credit_days(struct am_history *h)
{
	size_t i = 0;

	h->credited_days = 0;
	h->credited_months = 0;
	while (i < h->nmonths) {
		struct am_period p = h->months[i].period;
		int64_t days = 0;
		int len = am_jalali_month_length(p.year, p.month);

		for (; i < h->nmonths && h->months[i].period.year == p.year &&
		       h->months[i].period.month == p.month;
		     i++)
			days += h->months[i].days;
		if (days > len)
			days = len;
		h->credited_days += days;
		h->credited_months += days > 0;
	}
}

int am_store_history(struct am_store *s, const char *national_code,
		     struct am_arena *a, struct am_history *out)
{
	struct am_history h;
	int err;

	if (empty(national_code))
		return bad_key(s, "national code");
	err = am__store_ready(s);
	if (!err)
		err = s->be->history_read(s, national_code, a, &h);
	if (err == AM_ENOT_FOUND)
		return am__store_errf(s, err, "no history for %s",
				      national_code);
	if (err)
		return err;
	credit_days(&h);
	*out = h;
	return 0;
}

int am_store_list_read(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       struct am_wage_list *l)
{
	int err;

	if (empty(workshop) || !period_ok(period))
		return bad_key(s, "workshop or period");
	err = am__store_ready(s);
	return err ? err
		   : s->be->list_read(s, workshop, period_key(period), list_no,
				      l);
}

int am_store_worker_statement(struct am_store *s, const char *national_code,
			      struct am_period period, struct am_arena *a,
			      size_t *n, struct am_worker_report **out)
{
	struct am_history h;
	struct am_worker_report *rows = NULL;
	size_t k = 0, migrated = 0;
	int err;

	memset(&h, 0, sizeof(h));
	if (empty(national_code) || !period_ok(period))
		return bad_key(s, "national code or period");
	err = am__store_ready(s);
	if (!err)
		err = s->be->worker_read(s, national_code, period_key(period),
					 a, &k, &rows);
	if (err)
		return err;
	/* Migrated months carry only the workshop, days and wage. */
	err = s->be->history_read(s, national_code, a, &h);
	if (err && err != AM_ENOT_FOUND)
		return err;
	for (size_t i = 0; i < h.nmonths; i++)
		migrated += h.months[i].migrated &&
			    h.months[i].period.year == period.year &&
			    h.months[i].period.month == period.month;
	if (migrated) {
		struct am_worker_report *all;
		size_t j = k;

		all = am_arena_calloc(a, k + migrated, sizeof(*all));
		if (!all)
			return am__store_errf(s, AM_ENOMEM,
					      "worker statement: out of "
					      "memory");
		if (k)
			memcpy(all, rows, k * sizeof(*all));
		for (size_t i = 0; i < h.nmonths; i++) {
			const struct am_history_month *m = &h.months[i];

			if (!m->migrated || m->period.year != period.year ||
			    m->period.month != period.month)
				continue;
			am__strlcpy(all[j].workshop, m->workshop,
				    sizeof(all[j].workshop));
			all[j].days = m->days;
			all[j].subject_wage = m->subject_wage;
			all[j].start_date = AM_STORE_DATE_NONE;
			all[j].end_date = AM_STORE_DATE_NONE;
			all[j].migrated = true;
			j++;
		}
		rows = all;
		k = j;
	}
	if (!k)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "nothing reported for %s in %04d/%02d",
				      national_code, period.year, period.month);
	*n = k;
	*out = rows;
	return 0;
}

int am_store_employer_statement(struct am_store *s, const char *workshop,
				struct am_arena *a,
				struct am_employer_statement *out)
{
	char account[AM__ACCOUNT_MAX];
	struct am_employer_statement r;
	int err;

	if (empty(workshop))
		return bad_key(s, "workshop code");
	snprintf(account, sizeof(account), "workshop:%s", workshop);
	err = am__store_ready(s);
	if (!err)
		err = s->be->account_read(s, account, a, &r);
	if (err)
		return err;
	if (!r.nentries)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no entries for workshop %s", workshop);
	*out = r;
	return 0;
}

int am_store_journal_check(struct am_store *s, bool *balanced,
			   int64_t *total_debit, int64_t *total_credit)
{
	int64_t d = 0, c = 0, unbalanced = 0;
	int err = am__store_ready(s);

	if (!err)
		err = s->be->journal_check(s, &d, &c, &unbalanced);
	if (err)
		return err;
	if (balanced)
		*balanced = d == c && unbalanced == 0;
	if (total_debit)
		*total_debit = d;
	if (total_credit)
		*total_credit = c;
	return 0;
}
