/* What every call on a handle relies on: its clock, the schema check,
 * units of work (a savepoint inside the caller's transaction, a
 * transaction of its own outside one), row writes inside the caller's
 * transaction, the posting mode, the caller's own errors. Below store.c,
 * audit.c and rows.c; calls nothing of theirs. */
#include "core/internal.h"

#include "store/store_int.h"

int64_t am__store_now(const struct am_store *s)
{
	return s->clock ? s->clock : (int64_t)time(NULL);
}

int am__store_ready(struct am_store *s)
{
	int version, latest;
	int err;

	if (s->ready)
		return 0;
	err = s->be->schema_version(s, &version);
	if (err)
		return err;
	latest = s->be->schema_latest(s);
	if (version > latest)
		return am__store_errf(s, AM_ESTORE_SCHEMA_NEWER,
				      "schema version %d, this program knows "
				      "up to %d",
				      version, latest);
	if (version < latest)
		return am__store_errf(s, AM_ESTORE_NOT_INITIALISED,
				      "schema version %d, this program needs "
				      "%d",
				      version, latest);
	s->ready = true;
	return 0;
}

/* Roll back after a failure without losing the failure's message. */
void am__store_rollback_quietly(struct am_store *s, bool to_savepoint)
{
	char saved[AM__STORE_ERRMSG_MAX];

	memcpy(saved, s->errmsg, sizeof(saved));
	if (to_savepoint) {
		/* A savepoint that cannot be undone poisons the caller's
		 * transaction: only a rollback may follow. */
		if (s->be->rollback_to(s))
			s->tx_failed = true;
	} else {
		s->be->rollback(s);
	}
	memcpy(s->errmsg, saved, sizeof(saved));
}

/*
 * A unit: one compound write (a record and its audit entry). Outside a
 * transaction it is one of its own; inside the caller's, a savepoint, so
 * that a failure undoes the unit alone and the caller may go on.
 */
int am__store_unit_begin(struct am_store *s)
{
	int err = am__store_ready(s);

	if (err)
		return err;
	if (s->in_tx && s->tx_failed)
		return am__store_errf(
			s, AM_ESTORE_SQL,
			"the transaction was aborted by a failure "
			"that could not be undone; roll it back");
	return s->in_tx ? s->be->savepoint(s) : s->be->begin(s);
}

int am__store_unit_end(struct am_store *s, int err)
{
	if (s->in_tx) {
		if (!err)
			err = s->be->release(s);
		if (err)
			am__store_rollback_quietly(s, true);
		return err;
	}
	if (!err)
		err = s->be->commit(s);
	if (err)
		am__store_rollback_quietly(s, false);
	return err;
}

/* A bulk put or a row write (rows.c): no savepoint, for the one
 * statement is atomic and a refused row leaves the caller's transaction
 * usable; no audit entry, for the caller writes one per batch. */
int am__store_write_ready(struct am_store *s)
{
	if (!s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "a row is written inside the caller's "
				      "transaction");
	if (s->tx_failed)
		return am__store_errf(
			s, AM_ESTORE_SQL,
			"the transaction was aborted by a failure "
			"that could not be undone; roll it back");
	return am__store_ready(s);
}

/* A person's or workshop's put is two statements: the record, then its
 * code in the side table the posting reads (person_codes, workshop_keys).
 * A refusal (a constraint, or a key that is taken) is the first's and
 * leaves nothing; any other failure may fall between the two, so the
 * transaction can then only be rolled back. */
int am__store_write_done(struct am_store *s, int err)
{
	if (err && err != AM_ESTORE_CONFLICT && err != AM_EIDEMPOTENCY_CONFLICT)
		s->tx_failed = true;
	return err;
}

void am_store_fail(struct am_store *s)
{
	if (s->in_tx)
		s->tx_failed = true;
}

bool am_store_failed(const struct am_store *s)
{
	return s->in_tx && s->tx_failed;
}

int am_store_errf(struct am_store *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

int64_t am_store_now(const struct am_store *s)
{
	return am__store_now(s);
}

int am_store_unit_begin(struct am_store *s)
{
	return am__store_unit_begin(s);
}

int am_store_unit_end(struct am_store *s, int err)
{
	return am__store_unit_end(s, err);
}

int am_store_posting_mode(struct am_store *s)
{
	int err;

	if (s->posting || !s->be->posting)
		return 0;
	err = s->be->posting(s, true);
	if (!err)
		s->posting = true;
	return err;
}

/* And off again when the transaction ends. A mode left on would only skip
 * overwriting freed space (SQLite's own default), so a failure here is no
 * reason to fail anything. */
void am__store_posting_off(struct am_store *s)
{
	if (s->posting)
		(void)s->be->posting(s, false);
	s->posting = false;
}
