/* A backend that wraps another and fails its N-th call, for tests that show
 * every failure ends cleanly with nothing half-written (git's refs/debug.c
 * wraps a ref store the same way; SQLite's test_malloc.c fails mallocs). */
#include "core/internal.h"

#include "store/store_int.h"

struct fault_store {
	struct am_store base; /* first: the handle is cast both ways */
	struct am_store *inner;
	unsigned long calls;   /* vtable calls so far */
	unsigned long fail_at; /* 1-based; 0 = never */
	unsigned long count;   /* calls failed from fail_at on */
	bool fired;
	int err; /* what an injected failure returns */
};

static struct fault_store *fs(struct am_store *s)
{
	return (struct fault_store *)s;
}

/* Count a call; a non-zero return is the injected failure, and the call
 * must not reach the inner store. */
static int enter(struct fault_store *f)
{
	f->calls++;
	if (!f->fail_at || f->calls < f->fail_at ||
	    f->calls - f->fail_at >= f->count)
		return 0;
	f->fired = true;
	return am__store_errf(&f->base, f->err, "injected fault at call %lu",
			      f->calls);
}

/* Pass the inner store's result out, with its message. */
static int leave(struct fault_store *f, int err)
{
	if (err)
		memcpy(f->base.errmsg, f->inner->errmsg,
		       sizeof(f->base.errmsg));
	return err;
}

static void fault_close(struct am_store *s)
{
	struct fault_store *f = fs(s);

	/* Not counted: a close cannot be refused, and tests close to see
	 * what the failure left behind. */
	am_store_close(f->inner);
	free(f);
}

static int fault_begin(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->begin(f->inner));
}

static int fault_commit(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->commit(f->inner));
}

static int fault_rollback(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->rollback(f->inner));
}

static int fault_savepoint(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->savepoint(f->inner));
}

static int fault_release(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->release(f->inner));
}

static int fault_rollback_to(struct am_store *s)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->rollback_to(f->inner));
}

static int fault_migrate(struct am_store *s, int *from, int *to)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->migrate(f->inner, from, to));
}

static int fault_schema_version(struct am_store *s, int *version)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->schema_version(f->inner, version));
}

/* A constant of the program, not a call on the database: not counted. */
static int fault_schema_latest(const struct am_store *s)
{
	const struct fault_store *f = (const struct fault_store *)s;

	return f->inner->be->schema_latest(f->inner);
}

static int fault_meta_get(struct am_store *s, const char *key,
			  struct am_arena *a, const char **value)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->meta_get(f->inner, key, a, value));
}

static int fault_meta_set(struct am_store *s, const char *key,
			  const char *value)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->meta_set(f->inner, key, value));
}

static int fault_idem_claim(struct am_store *s, const char *key,
			    const uint8_t hash[AM_IDEM_HASH_SIZE], int64_t now,
			    bool *existed, uint8_t existing[AM_IDEM_HASH_SIZE])
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->idem_claim(f->inner, key, hash, now,
						       existed, existing));
}

static int fault_idem_set_result(struct am_store *s, const char *key,
				 const char *result)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->idem_set_result(f->inner, key,
							    result));
}

static int fault_idem_result(struct am_store *s, const char *key,
			     struct am_arena *a, const char **result)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f,
			   f->inner->be->idem_result(f->inner, key, a, result));
}

static int fault_person_put(struct am_store *s, const struct am_person *p,
			    int64_t now)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->person_put(f->inner, p, now));
}

static int fault_person_get(struct am_store *s, const char *national_code,
			    struct am_arena *a, struct am_person *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->person_get(f->inner, national_code,
						       a, out));
}

static int fault_person_ensure(struct am_store *s, const struct am_person *p,
			       int64_t now, bool *added)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->person_ensure(f->inner, p, now,
							  added));
}

static int fault_employer_put(struct am_store *s, const struct am_employer *e,
			      int64_t now)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->employer_put(f->inner, e, now));
}

static int fault_employer_get(struct am_store *s, const char *id,
			      struct am_arena *a, struct am_employer *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->employer_get(f->inner, id, a, out));
}

static int fault_workshop_put(struct am_store *s, const struct am_workshop *w,
			      int64_t now)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->workshop_put(f->inner, w, now));
}

static int fault_workshop_get(struct am_store *s, const char *code,
			      struct am_arena *a, struct am_workshop *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f,
			   f->inner->be->workshop_get(f->inner, code, a, out));
}

static int fault_dependant_put(struct am_store *s, const struct am_dependant *d,
			       int64_t now)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->dependant_put(f->inner, d, now));
}

static int fault_dependant_get(struct am_store *s, const char *main_insured,
			       const char *dependant, struct am_arena *a,
			       struct am_dependant *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f,
			   f->inner->be->dependant_get(f->inner, main_insured,
						       dependant, a, out));
}

static int fault_audit_head(struct am_store *s, uint64_t *seq,
			    uint8_t hash[AM_AUDIT_HASH_SIZE])
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->audit_head(f->inner, seq, hash));
}

static int fault_audit_insert(struct am_store *s,
			      const struct am_audit_entry *e)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->audit_insert(f->inner, e));
}

static int fault_audit_iterate(struct am_store *s, uint64_t from_seq,
			       int (*fn)(const struct am_audit_entry *e,
					 bool malformed, void *ctx),
			       void *ctx)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->audit_iterate(f->inner, from_seq,
							  fn, ctx));
}

/* Posting (posting.c's calls on sqlite_wage.c). */

static int fault_list_find(struct am_store *s, const char *workshop, int period,
			   const char *list_no, struct am__list_key *key)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->list_find(f->inner, workshop,
						      period, list_no, key));
}

static int fault_list_insert(struct am_store *s, const struct am__list_row *row,
			     int64_t *id)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->list_insert(f->inner, row, id));
}

static int fault_list_supersede(struct am_store *s, int64_t id)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->list_supersede(f->inner, id));
}

static int fault_ledger_next(struct am_store *s, int64_t *next)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->ledger_next(f->inner, next));
}

static int fault_workshop_terms(struct am_store *s,
				int (*fn)(void *ctx, const char *code,
					  bool hard_harmful, bool small_exempt),
				void *ctx)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->workshop_terms(f->inner, fn, ctx));
}

static int fault_persons_known(struct am_store *s, const int64_t *codes,
			       size_t n, uint8_t *known)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->persons_known(f->inner, codes, n,
							  known));
}

static int fault_person_codes(struct am_store *s,
			      int (*fn)(void *ctx, int64_t code), void *ctx)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->person_codes(f->inner, fn, ctx));
}

static int fault_line_read(struct am_store *s, int64_t list_id, uint32_t offset,
			   struct am_arena *a, struct am_wage_line *ln,
			   struct am_line_assessment *as)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->line_read(f->inner, list_id, offset,
						      a, ln, as));
}

static int fault_index_put(struct am_store *s, int period, int64_t segment,
			   int64_t first_code, int64_t n, const void *block,
			   size_t len)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f,
			   f->inner->be->index_put(f->inner, period, segment,
						   first_code, n, block, len));
}

static int fault_segment_put(struct am_store *s, int period, int64_t segment,
			     int64_t entries)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->segment_put(f->inner, period,
							segment, entries));
}

static int fault_journal_append(struct am_store *s,
				const struct am__journal_entry *e, size_t n,
				int64_t now, int64_t first)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->journal_append(f->inner, e, n, now,
							   first));
}

static int fault_journal_check(struct am_store *s, int64_t *debit,
			       int64_t *credit, int64_t *unbalanced)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->journal_check(f->inner, debit,
							  credit, unbalanced));
}

static int fault_history_insert(struct am_store *s,
				const struct am_history_row *r, int period,
				int64_t now, bool *existed,
				struct am_history_row *old, bool *wrote)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->history_insert(f->inner, r, period,
							   now, existed, old,
							   wrote));
}

static int fault_payment_find(struct am_store *s, const char *reference,
			      struct am__payment_row *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->payment_find(f->inner, reference,
							 out));
}

static int fault_payment_insert(struct am_store *s, const struct am_payment *p,
				int period, int64_t txn, int64_t now)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->payment_insert(f->inner, p, period,
							   txn, now));
}

static int fault_history_read(struct am_store *s, const char *national_code,
			      struct am_arena *a, struct am_history *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->history_read(
				      f->inner, national_code, a, out));
}

static int fault_worker_read(struct am_store *s, const char *national_code,
			     int period, struct am_arena *a, size_t *n,
			     struct am_worker_report **out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->worker_read(f->inner, national_code,
							period, a, n, out));
}

static int fault_list_read(struct am_store *s, const char *workshop, int period,
			   const char *list_no, struct am_wage_list *l)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->list_read(f->inner, workshop,
						      period, list_no, l));
}

static int fault_account_read(struct am_store *s, const char *account,
			      struct am_arena *a,
			      struct am_employer_statement *out)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err
		   : leave(f, f->inner->be->account_read(f->inner, account, a,
							 out));
}

static int fault_compact(struct am_store *s, int64_t *lines)
{
	struct fault_store *f = fs(s);
	int err = enter(f);

	return err ? err : leave(f, f->inner->be->compact(f->inner, lines));
}

static int fault_posting(struct am_store *s, bool on)
{
	struct fault_store *f = fs(s);
	/* Turning the mode off is not counted: the store goes on when it
	 * fails, so it cannot be refused (a close neither). */
	int err = on ? enter(f) : 0;

	return err ? err : leave(f, f->inner->be->posting(f->inner, on));
}

/* Checkpoints change what the database file holds, never what a query
 * sees: passed through, not counted. */
static int fault_autocheckpoint(struct am_store *s, bool on)
{
	struct am_store *in = fs(s)->inner;

	return in->be->autocheckpoint ? in->be->autocheckpoint(in, on) : 0;
}

static int fault_checkpoint(struct am_store *s, bool *complete)
{
	struct am_store *in = fs(s)->inner;

	*complete = true;
	return in->be->checkpoint ? in->be->checkpoint(in, complete) : 0;
}

static const struct am_store_backend fault_backend = {
	.name = "fault",
	.open = NULL, /* made by am__store_fault_wrap(), never by a URI */
	.close = fault_close,
	.begin = fault_begin,
	.commit = fault_commit,
	.rollback = fault_rollback,
	.savepoint = fault_savepoint,
	.release = fault_release,
	.rollback_to = fault_rollback_to,
	.migrate = fault_migrate,
	.schema_version = fault_schema_version,
	.schema_latest = fault_schema_latest,
	.meta_get = fault_meta_get,
	.meta_set = fault_meta_set,
	.idem_claim = fault_idem_claim,
	.idem_set_result = fault_idem_set_result,
	.idem_result = fault_idem_result,
	.person_put = fault_person_put,
	.person_get = fault_person_get,
	.person_ensure = fault_person_ensure,
	.employer_put = fault_employer_put,
	.employer_get = fault_employer_get,
	.workshop_put = fault_workshop_put,
	.workshop_get = fault_workshop_get,
	.dependant_put = fault_dependant_put,
	.dependant_get = fault_dependant_get,
	.audit_head = fault_audit_head,
	.audit_insert = fault_audit_insert,
	.audit_iterate = fault_audit_iterate,
	.list_find = fault_list_find,
	.list_insert = fault_list_insert,
	.list_supersede = fault_list_supersede,
	.ledger_next = fault_ledger_next,
	.workshop_terms = fault_workshop_terms,
	.persons_known = fault_persons_known,
	.person_codes = fault_person_codes,
	.line_read = fault_line_read,
	.index_put = fault_index_put,
	.segment_put = fault_segment_put,
	.compact = fault_compact,
	.posting = fault_posting,
	.autocheckpoint = fault_autocheckpoint,
	.checkpoint = fault_checkpoint,
	.journal_append = fault_journal_append,
	.journal_check = fault_journal_check,
	.history_insert = fault_history_insert,
	.payment_find = fault_payment_find,
	.payment_insert = fault_payment_insert,
	.history_read = fault_history_read,
	.worker_read = fault_worker_read,
	.list_read = fault_list_read,
	.account_read = fault_account_read,
};

int am__store_fault_wrap(struct am_store *inner, unsigned long fail_at,
			 unsigned long count, int err, struct am_store **out)
{
	struct fault_store *f;

	*out = NULL;
	if (inner->in_tx || err >= 0)
		return AM_EINVALID_ARGUMENT;
	f = calloc(1, sizeof(*f));
	if (!f)
		return AM_ENOMEM;
	f->base.be = &fault_backend;
	memcpy(f->base.actor, inner->actor, sizeof(f->base.actor));
	f->base.clock = inner->clock;
	f->inner = inner;
	f->fail_at = fail_at;
	f->count = count;
	f->err = err;
	*out = &f->base;
	return 0;
}

unsigned long am__store_fault_calls(const struct am_store *s)
{
	assert(s->be == &fault_backend);
	return ((const struct fault_store *)s)->calls;
}

bool am__store_fault_fired(const struct am_store *s)
{
	assert(s->be == &fault_backend);
	return ((const struct fault_store *)s)->fired;
}
