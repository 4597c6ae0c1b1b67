/* The store's rows for the use cases above it (amanat/rows.h): each call
 * checks the handle's state and hands the row to the backend; the
 * decisions are the caller's. */
#include "core/internal.h"

#include "store/store_int.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

/*
 * Wage lists.
 */

int am_store_list_key(struct am_store *s, const char *workshop, int period,
		      const char *list_no, struct am_list_key *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (empty(workshop) || !list_no)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "workshop code or list number is "
				      "missing");
	err = am__store_ready(s);
	return err ? err : s->be->list_find(s, workshop, period, list_no, out);
}

int am_store_list_find(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       bool *found, uint8_t hash_out[32], int64_t *list_id)
{
	struct am_list_key key;
	int err = am_store_list_key(s, workshop, am_period_key(period), list_no,
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

int am_store_list_insert(struct am_store *s, const struct am_list_row *r,
			 int64_t *id)
{
	int err = am__store_write_ready(s);

	return err ? err
		   : am__store_write_done(s, s->be->list_insert(s, r, id));
}

int am_store_list_supersede(struct am_store *s, int64_t id)
{
	int err = am__store_write_ready(s);

	return err ? err
		   : am__store_write_done(s, s->be->list_supersede(s, id));
}

/*
 * The ledger.
 */

int am_store_ledger_id(struct am_store *s, int64_t *id)
{
	int err = am__store_write_ready(s);

	return err ? err : am__store_write_done(s, s->be->ledger_id(s, id));
}

int am_store_ledger_append(struct am_store *s, const struct am_ledger_row *t)
{
	int err = am__store_write_ready(s);

	return err ? err : am__store_write_done(s, s->be->ledger_append(s, t));
}

int am_store_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
			struct am_ledger_row *out)
{
	int err = am__store_ready(s);

	return err ? err : s->be->ledger_get(s, id, a, out);
}

/*
 * The by-person index and the persons.
 */

int am_store_index_add(struct am_store *s, const struct am_index_entry *e,
		       size_t n)
{
	int64_t segment = INT64_MAX;
	size_t i = 0;
	int err = am__store_write_ready(s);

	for (size_t k = 0; k < n; k++)
		if (e[k].list_id < segment)
			segment = e[k].list_id;
	/* The backend takes a period at a time. */
	while (!err && i < n) {
		size_t j = i + 1;

		while (j < n && e[j].period == e[i].period)
			j++;
		err = am__store_write_done(
			s, s->be->index_add(s, &e[i], j - i, segment));
		i = j;
	}
	return err;
}

int am_store_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			   uint8_t *known)
{
	int err = am__store_ready(s);

	return err || !n ? err : s->be->persons_known(s, codes, n, known);
}

/*
 * Migrated months and payments.
 */

int am_store_history_insert(struct am_store *s, const struct am_history_row *r,
			    bool *existed, struct am_history_row *old)
{
	bool wrote = false;
	int err = am__store_write_ready(s);

	if (err)
		return err;
	*existed = false;
	err = s->be->history_insert(s, r, am_period_key(r->period),
				    am__store_now(s), existed, old, &wrote);
	/* The row's insert is atomic; only what follows it can leave half a
	 * write. */
	if (err && wrote)
		s->tx_failed = true;
	return am__store_write_done(s, err);
}

int am_store_audit_row(struct am_store *s, const char *action,
		       const char *subject, const char *payload)
{
	int err = am__store_write_ready(s);

	if (!err && empty(action))
		err = am__store_errf(s, AM_EINVALID_ARGUMENT,
				     "audit action is missing");
	return err ? err
		   : am__store_write_done(s,
					  am__audit_append(s, action, subject,
							   payload, NULL));
}

int am_store_payment_find(struct am_store *s, const char *reference,
			  struct am_payment_row *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (empty(reference))
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "payment reference is missing");
	err = am__store_ready(s);
	return err ? err : s->be->payment_find(s, reference, out);
}

int am_store_payment_insert(struct am_store *s, const struct am_payment *p,
			    int64_t txn)
{
	int err = am__store_write_ready(s);

	return err ? err
		   : am__store_write_done(
			     s, s->be->payment_insert(s, p,
						      am_period_key(p->period),
						      txn, am__store_now(s)));
}

int am_store_payment_get(struct am_store *s, const char *reference,
			 struct am_arena *a, struct am_payment *out)
{
	struct am_payment_row r;
	struct am_payment p;
	int err = am_store_payment_find(s, reference, &r);

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
 * The backend's posting mode, and the optional bulk operations.
 */

int am_store_compact(struct am_store *s, int64_t *lines)
{
	char payload[64];
	int64_t n = 0;
	int err = am__store_unit_begin(s);

	if (err)
		return err;
	err = am_store_posting_mode(s);
	if (!err && s->be->compact)
		err = s->be->compact(s, &n);
	if (!err && n) {
		snprintf(payload, sizeof(payload), "{\"entries\":%" PRId64 "}",
			 n);
		err = am__audit_append(s, "index.compact", "", payload, NULL);
	}
	err = am__store_unit_end(s, err);
	/* Inside the caller's transaction, it ends with the transaction. */
	if (!s->in_tx)
		am__store_posting_off(s);
	if (!err && lines)
		*lines = n;
	return err;
}

int am_store_workshop_terms_each(struct am_store *s,
				 int (*fn)(void *ctx, const char *code,
					   bool hard_harmful,
					   bool small_exempt),
				 void *ctx)
{
	int err = am__store_ready(s);

	return err ? err : s->be->workshop_terms(s, fn, ctx);
}

/*
 * Reads, for the views above.
 */

/* An index entry, gathered (ctx: a struct am_buf). */
static int entry_add(void *ctx, const struct am_index_entry *e)
{
	return am_buf_add(ctx, e, sizeof(*e));
}

/* A read by key: the key given, the schema current. */
static int read_ready(struct am_store *s, const char *key, const char *what)
{
	if (empty(key))
		return am__store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing",
				      what);
	return am__store_ready(s);
}

int am_store_person_lines(struct am_store *s, const char *national_code,
			  int period, struct am_arena *a, size_t *n,
			  struct am_line_ref **out)
{
	struct am_line_ref *refs = NULL;
	struct am_buf ents;
	size_t k = 0;
	int64_t code;
	int err;

	*n = 0;
	*out = NULL;
	err = read_ready(s, national_code, "national code");
	if (err || am__code_int(national_code, &code))
		return err; /* not a national code: nothing is indexed */
	am_buf_init(&ents, SIZE_MAX);
	err = s->be->person_lines(s, code, period, entry_add, &ents);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "index: out of memory");
	k = ents.len / sizeof(struct am_index_entry);
	if (!err && k && !(refs = am_arena_calloc(a, k, sizeof(*refs))))
		err = am__store_errf(s, AM_ENOMEM, "index: out of memory");
	for (size_t i = 0; !err && i < k; i++) {
		struct am_index_entry e;

		memcpy(&e, ents.buf + i * sizeof(e), sizeof(e));
		err = s->be->line_read(s, e.list_id, e.offset, a, &refs[i]);
	}
	am_buf_release(&ents);
	if (err)
		return err;
	*n = k;
	*out = refs;
	return 0;
}

int am_store_history_rows(struct am_store *s, const char *national_code,
			  int (*fn)(void *ctx, const struct am_history_row *r),
			  void *ctx)
{
	int err = read_ready(s, national_code, "national code");

	return err ? err : s->be->history_rows(s, national_code, fn, ctx);
}

int am_store_lists_posted(struct am_store *s, const char *workshop, int period,
			  int (*fn)(void *ctx, const struct am_list_head *h),
			  void *ctx)
{
	int err = read_ready(s, workshop, "workshop code");

	return err ? err : s->be->lists_posted(s, workshop, period, fn, ctx);
}

int am_store_list_lines(struct am_store *s, const struct am_list_head *h,
			struct am_arena *a, struct am_wage_line **lines,
			struct am_line_assessment **assessed)
{
	size_t n = (size_t)h->lines, at, len = 0, i = 0;
	struct am_line_assessment *as;
	struct am__body_head head;
	struct am_wage_line *ln;
	const uint8_t *body = NULL;
	int err;

	if (h->lines < 0 || h->lines > INT32_MAX)
		return am__store_errf(s, AM_ESTORE_CORRUPT, "list %" PRId64,
				      h->id);
	err = am__store_ready(s);
	if (err)
		return err;
	ln = am_arena_calloc(a, n ? n : 1, sizeof(*ln));
	as = am_arena_calloc(a, n ? n : 1, sizeof(*as));
	if (!ln || !as)
		return am__store_errf(s, AM_ENOMEM, "list: out of memory");
	err = s->be->list_body(s, h->id, a, &body, &len);
	if (err)
		return err;
	err = am__body_head(body, len, &head);
	at = head.lines_at;
	for (; !err && i < n; i++)
		err = am__body_decode_line(&head, body, len, at, a, &ln[i],
					   &as[i], &at);
	if (!err && at != len)
		err = AM_ESTORE_CORRUPT;
	if (err)
		return am__store_errf(s, err,
				      "list %" PRId64 ": its lines cannot be "
				      "read",
				      h->id);
	*lines = ln;
	*assessed = as;
	return 0;
}

int am_store_workshop_txns(struct am_store *s, const char *workshop,
			   int (*fn)(void *ctx, const struct am_ledger_row *t),
			   void *ctx)
{
	int err = read_ready(s, workshop, "workshop code");

	return err ? err : s->be->workshop_txns(s, workshop, fn, ctx);
}

int am_store_ledger_walk(struct am_store *s,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx)
{
	int err = am__store_ready(s);

	return err ? err : s->be->ledger_walk(s, fn, ctx);
}
