/* The storage interface's policy on top of the backend's vtable:
 * transactions, idempotency keys, the registry's puts with their audit
 * entries. A handle is opened in open.c; what every call relies on is
 * handle.c's. */
#include "core/internal.h"

#include <sodium.h>

#include "store/store_int.h"

#define DEFAULT_ACTOR "amanat"

/*
 * Opening.
 */

int am_store_open_reader(struct am_store *s, struct am_store **out)
{
	const char *path = s->be->uri ? s->be->uri(s) : NULL;
	struct am_store *r = NULL;
	int err;

	*out = NULL;
	if (!path)
		return am__store_open_fail(AM_ENOT_FOUND,
					   "the database has no file a "
					   "second handle could open");
	err = am_store_open_flags(path, AM_STORE_OPEN_READONLY, &r);
	if (err || !r)
		return err ? err : AM_EINTERNAL;
	err = am__store_ready(r);
	if (err) {
		am__store_open_fail(err, "%s", r->errmsg);
		am_store_close(r);
		return err;
	}
	*out = r;
	return 0;
}

void am_store_close(struct am_store *s)
{
	if (s) {
		am_store_checkpoint_thread(s, false);
		s->be->close(s);
	}
}

void am_store_set_actor(struct am_store *s, const char *actor)
{
	if (!actor || !*actor)
		actor = DEFAULT_ACTOR;
	/* am__strlcpy() cuts between characters, never inside one. */
	am__strlcpy(s->actor, actor, sizeof(s->actor));
}
/*
 * Schema.
 */

int am_store_schema_latest(const struct am_store *s)
{
	return s->be->schema_latest(s);
}

int am_store_schema_version(struct am_store *s, int *version)
{
	return s->be->schema_version(s, version);
}

int am_store_migrate(struct am_store *s, int *from, int *to)
{
	int f = 0, t = 0;
	int err;

	if (s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "migrate inside a transaction");
	s->ready = false;
	err = s->be->migrate(s, &f, &t);
	if (err)
		return err;
	s->ready = t == s->be->schema_latest(s);
	if (from)
		*from = f;
	if (to)
		*to = t;
	return 0;
}

/*
 * Transactions.
 */

static int begin(struct am_store *s, bool checked)
{
	int err;

	if (s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "a transaction is already open");
	err = am__ckpt_before_begin(s);
	if (!err)
		err = checked && s->be->begin_checked ? s->be->begin_checked(s)
						      : s->be->begin(s);
	if (err)
		return err;
	s->in_tx = true;
	s->tx_failed = false;
	return 0;
}

int am_store_begin(struct am_store *s)
{
	return begin(s, false);
}

int am_store_begin_checked(struct am_store *s)
{
	return begin(s, true);
}

static bool bad_string(const char *s);

static int load_hint(struct am_store *s, const char *table, int64_t rows,
		     bool start)
{
	int err;

	if (s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "a bulk load's start or end inside a "
				      "transaction");
	if (bad_string(table))
		return am__store_errf(s, AM_EINVALID_ARGUMENT, "empty table");
	err = am__store_ready(s);
	if (err)
		return err;
	if (start)
		return s->be->load_begin ? s->be->load_begin(s, table, rows)
					 : 0;
	return s->be->load_end ? s->be->load_end(s, table) : 0;
}

int am_store_load_begin(struct am_store *s, const char *table, int64_t rows)
{
	return load_hint(s, table, rows, true);
}

int am_store_load_end(struct am_store *s, const char *table)
{
	return load_hint(s, table, 0, false);
}

int am_store_commit(struct am_store *s)
{
	int err;

	if (!s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "no transaction is open");
	if (s->tx_failed)
		err = am__store_errf(s, AM_ESTORE_SQL,
				     "the transaction was aborted by a failure "
				     "that could not be undone");
	else
		err = s->be->commit(s);
	if (!err)
		am__ckpt_committed(s);
	if (err)
		am__store_rollback_quietly(s, false);
	am__store_posting_off(s);
	s->in_tx = false;
	s->tx_failed = false;
	return err;
}

int am_store_rollback(struct am_store *s)
{
	int err;

	if (!s->in_tx)
		return 0;
	err = s->be->rollback(s);
	am__store_posting_off(s);
	s->in_tx = false;
	s->tx_failed = false;
	return err;
}

bool am_store_in_transaction(const struct am_store *s)
{
	return s->in_tx;
}

/*
 * Meta and idempotency.
 */

static bool bad_string(const char *s)
{
	return !s || !*s;
}

int am_store_meta_get(struct am_store *s, const char *key, struct am_arena *a,
		      const char **value)
{
	int err;

	if (bad_string(key))
		return am__store_errf(s, AM_EINVALID_ARGUMENT, "empty key");
	err = am__store_ready(s);
	if (err)
		return err;
	return s->be->meta_get(s, key, a, value);
}

int am_store_meta_set(struct am_store *s, const char *key, const char *value)
{
	struct am_buf json;
	int err;

	if (bad_string(key) || !value)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "empty key or value");
	am_buf_init(&json, 0);
	err = am_buf_adds(&json, "{\"key\":");
	if (!err)
		err = am_buf_add_json_str(&json, key, strlen(key));
	if (!err)
		err = am_buf_adds(&json, ",\"value\":");
	if (!err)
		err = am_buf_add_json_str(&json, value, strlen(value));
	if (!err)
		err = am_buf_addch(&json, '}');
	if (err)
		goto out_json;
	err = am__store_unit_begin(s);
	if (err)
		goto out_json;
	err = s->be->meta_set(s, key, value);
	if (!err)
		err = am__audit_append(s, "meta.set", key, json.buf, NULL);
	err = am__store_unit_end(s, err);
out_json:
	am_buf_release(&json);
	return err;
}

static int check_idem_key(struct am_store *s, const char *key)
{
	if (bad_string(key) || strlen(key) > AM_IDEM_KEY_MAX)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "an idempotency key has 1 to %d bytes",
				      AM_IDEM_KEY_MAX);
	return 0;
}

int am_store_idem_claim(struct am_store *s, const char *key,
			const uint8_t hash[AM_IDEM_HASH_SIZE], bool *already)
{
	uint8_t existing[AM_IDEM_HASH_SIZE];
	bool existed = false;
	int err;

	err = check_idem_key(s, key);
	if (err)
		return err;
	/* Outside a transaction the key would commit without its work. */
	if (!s->in_tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "claim an idempotency key inside the "
				      "transaction of its work");
	err = am__store_ready(s);
	if (err)
		return err;
	err = s->be->idem_claim(s, key, hash, am__store_now(s), &existed,
				existing);
	if (err)
		return err;
	if (existed && sodium_memcmp(existing, hash, AM_IDEM_HASH_SIZE))
		return am__store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				      "key '%s' was used for another request",
				      key);
	*already = existed;
	return 0;
}

int am_store_idem_set_result(struct am_store *s, const char *key,
			     const char *result)
{
	int err = check_idem_key(s, key);

	if (err)
		return err;
	err = am__store_unit_begin(s);
	if (err)
		return err;
	err = s->be->idem_set_result(s, key, result);
	return am__store_unit_end(s, err);
}

int am_store_idem_result(struct am_store *s, const char *key,
			 struct am_arena *a, const char **result)
{
	int err = check_idem_key(s, key);

	if (!err)
		err = am__store_ready(s);
	if (err)
		return err;
	return s->be->idem_result(s, key, a, result);
}

/*
 * The registry: each put is the record and its audit entry, as one unit.
 * The payload is the record as given, as a JSON object.
 */

/* The registry's record kinds, so that one put does them all. */
enum record_kind { PERSON, EMPLOYER, WORKSHOP, DEPENDANT };

static int backend_put(struct am_store *s, enum record_kind kind,
		       const void *rec, int64_t now)
{
	switch (kind) {
	case PERSON:
		return s->be->person_put(s, rec, now);
	case EMPLOYER:
		return s->be->employer_put(s, rec, now);
	case WORKSHOP:
		return s->be->workshop_put(s, rec, now);
	case DEPENDANT:
		return s->be->dependant_put(s, rec, now);
	}
	return AM_EINTERNAL;
}

/* Write rec and an audit entry (action, subject, the JSON in json) as one
 * unit. */
static int registry_put(struct am_store *s, enum record_kind kind,
			const void *rec, const char *action,
			const char *subject, struct am_buf *json)
{
	int err = am__store_unit_begin(s);

	if (err)
		return err;
	err = backend_put(s, kind, rec, am__store_now(s));
	if (!err)
		err = am__audit_append(s, action, subject, json->buf, NULL);
	return am__store_unit_end(s, err);
}

static int missing(struct am_store *s, const char *what)
{
	return am__store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
}

/*
 * The registry's rules of form, checked here before every write, on every
 * backend: SQLite's schema holds none since migration 0005 (its CHECKs cost
 * a bulk load more than the inserts); PostgreSQL's keeps them too. A row
 * that breaks one is a conflict, as the schema's refusal was.
 */

static bool all_digits(const char *t, size_t n)
{
	size_t i = 0;

	while (i < n && t[i] >= '0' && t[i] <= '9')
		i++;
	return i == n && !t[n];
}

static int form_conflict(struct am_store *s, const char *what, const char *key,
			 const char *rule)
{
	return am__store_errf(s, AM_ESTORE_CONFLICT, "%s %s: %s", what,
			      key ? key : "", rule);
}

static int person_form(struct am_store *s, const struct am_person *p)
{
	const char *no = p->insurance_no;

	if (!p->national_code || !p->first_name || !p->last_name)
		return missing(s, "national code or name");
	if (!all_digits(p->national_code, 10))
		return form_conflict(s, "person", p->national_code,
				     "national_code is not 10 digits");
	if (p->sex != 'M' && p->sex != 'F')
		return form_conflict(s, "person", p->national_code,
				     "sex is neither M nor F");
	if (no && !all_digits(no, 8) && !all_digits(no, 10))
		return form_conflict(s, "person", p->national_code,
				     "insurance_no is not 8 or 10 digits");
	return 0;
}

static int dependant_form(struct am_store *s, const struct am_dependant *d)
{
	if (!d->main_insured || !d->dependant)
		return missing(s, "main insured or dependant");
	if (!all_digits(d->main_insured, 10) || !all_digits(d->dependant, 10))
		return form_conflict(s, "dependant", d->dependant,
				     "a national code is not 10 digits");
	if (!strcmp(d->main_insured, d->dependant))
		return form_conflict(s, "dependant", d->dependant,
				     "main_insured and dependant are one "
				     "person");
	if (!am_relation_name(d->relation))
		return form_conflict(s, "dependant", d->dependant,
				     "relation is not spouse, child, father "
				     "or mother");
	if (d->until != AM_STORE_DATE_NONE && d->since != AM_STORE_DATE_NONE &&
	    d->until < d->since)
		return form_conflict(s, "dependant", d->dependant,
				     "until is before since");
	return 0;
}

int am_store_person_put(struct am_store *s, const struct am_person *p)
{
	struct am_buf json;
	int err;

	int form = person_form(s, p);

	if (form)
		return form;
	am_buf_init(&json, 0);
	err = am_person_json(p, &json);
	if (!err)
		err = registry_put(s, PERSON, p, "person.put", p->national_code,
				   &json);
	am_buf_release(&json);
	return err;
}

int am_store_person_put_bulk(struct am_store *s, const struct am_person *p)
{
	int err;

	int form = person_form(s, p);

	if (form)
		return form;
	err = am__store_write_ready(s);
	return err ? err
		   : am__store_write_done(
			     s, s->be->person_put(s, p, am__store_now(s)));
}

/* Like the bulk put: one statement, no savepoint, no audit entry. */
int am_store_person_ensure(struct am_store *s, const struct am_person *p,
			   bool *added)
{
	bool a = false;
	int err;

	int form = person_form(s, p);

	if (form)
		return form;
	err = am__store_write_ready(s);
	if (!err)
		err = am__store_write_done(
			s, s->be->person_ensure(s, p, am__store_now(s), &a));
	if (!err)
		*added = a;
	return err;
}

int am_store_employer_put(struct am_store *s, const struct am_employer *e)
{
	struct am_buf json;
	int err;

	if (!e->id || !e->name)
		return missing(s, "employer id or name");
	am_buf_init(&json, 0);
	err = am_employer_json(e, &json);
	if (!err)
		err = registry_put(s, EMPLOYER, e, "employer.put", e->id,
				   &json);
	am_buf_release(&json);
	return err;
}

int am_store_workshop_put(struct am_store *s, const struct am_workshop *w)
{
	struct am_buf json;
	int err;

	if (!w->code || !w->name)
		return missing(s, "workshop code or name");
	am_buf_init(&json, 0);
	err = am_workshop_json(w, &json);
	if (!err)
		err = registry_put(s, WORKSHOP, w, "workshop.put", w->code,
				   &json);
	am_buf_release(&json);
	return err;
}

int am_store_dependant_put(struct am_store *s, const struct am_dependant *d)
{
	struct am_buf json;
	int err;

	int form = dependant_form(s, d);

	if (form)
		return form;
	am_buf_init(&json, 0);
	err = am_dependant_json(d, &json);
	/* The subject is the main insured: his file lists his dependants. */
	if (!err)
		err = registry_put(s, DEPENDANT, d, "dependant.put",
				   d->main_insured, &json);
	am_buf_release(&json);
	return err;
}

int am_store_employer_put_bulk(struct am_store *s, const struct am_employer *e)
{
	int err;

	if (!e->id || !e->name)
		return missing(s, "employer id or name");
	err = am__store_write_ready(s);
	return err ? err : s->be->employer_put(s, e, am__store_now(s));
}

int am_store_workshop_put_bulk(struct am_store *s, const struct am_workshop *w)
{
	int err;

	if (!w->code || !w->name)
		return missing(s, "workshop code or name");
	err = am__store_write_ready(s);
	return err ? err
		   : am__store_write_done(
			     s, s->be->workshop_put(s, w, am__store_now(s)));
}

int am_store_dependant_put_bulk(struct am_store *s,
				const struct am_dependant *d)
{
	int err;

	int form = dependant_form(s, d);

	if (form)
		return form;
	err = am__store_write_ready(s);
	return err ? err : s->be->dependant_put(s, d, am__store_now(s));
}

/* The end of a batch put a row at a time under a savepoint: kept, or
 * undone (then the refusal is returned, or the undo's failure). */
static int many_end(struct am_store *s, int err)
{
	int undo;

	if (!err)
		return s->be->release(s);
	undo = s->be->rollback_to(s);
	return undo ? undo : err;
}

/* A batch: every row's form first, so that a refusal writes nothing. */
int am_store_persons_put_bulk(struct am_store *s,
			      const struct am_person *const *p, size_t n)
{
	int err = am__store_write_ready(s);

	for (size_t i = 0; i < n && !err; i++)
		err = person_form(s, p[i]);
	if (err || !n)
		return err;
	if (s->be->persons_put_many)
		return am__store_write_done(
			s, s->be->persons_put_many(s, p, n, am__store_now(s)));
	/* A put each, undone together when one is refused. */
	err = s->be->savepoint(s);
	if (err)
		return am__store_write_done(s, err);
	for (size_t i = 0; i < n && !err; i++)
		err = s->be->person_put(s, p[i], am__store_now(s));
	return am__store_write_done(s, many_end(s, err));
}

int am_store_persons_ensure_bulk(struct am_store *s,
				 const struct am_person *const *p, size_t n,
				 size_t *added)
{
	size_t got = 0;
	int err = am__store_write_ready(s);

	*added = 0;
	for (size_t i = 0; i < n && !err; i++)
		err = person_form(s, p[i]);
	if (err || !n)
		return err;
	if (s->be->persons_ensure_many) {
		err = s->be->persons_ensure_many(s, p, n, am__store_now(s),
						 &got);
	} else {
		err = s->be->savepoint(s);
		if (err)
			return am__store_write_done(s, err);
		for (size_t i = 0; i < n && !err; i++) {
			bool a = false;

			err = s->be->person_ensure(s, p[i], am__store_now(s),
						   &a);
			got += a;
		}
		err = many_end(s, err);
	}
	if (!err)
		*added = got;
	return am__store_write_done(s, err);
}

int am_store_workshops_put_bulk(struct am_store *s,
				const struct am_workshop *const *w, size_t n)
{
	int err = am__store_write_ready(s);

	for (size_t i = 0; i < n && !err; i++)
		if (!w[i]->code || !w[i]->name)
			err = missing(s, "workshop code or name");
	if (err || !n)
		return err;
	if (s->be->workshops_put_many)
		return am__store_write_done(
			s,
			s->be->workshops_put_many(s, w, n, am__store_now(s)));
	err = s->be->savepoint(s);
	if (err)
		return am__store_write_done(s, err);
	for (size_t i = 0; i < n && !err; i++)
		err = s->be->workshop_put(s, w[i], am__store_now(s));
	return am__store_write_done(s, many_end(s, err));
}

int am_store_employers_put_bulk(struct am_store *s,
				const struct am_employer *const *e, size_t n)
{
	int err = am__store_write_ready(s);

	for (size_t i = 0; i < n && !err; i++)
		if (!e[i]->id || !e[i]->name)
			err = missing(s, "employer id or name");
	if (err || !n)
		return err;
	if (s->be->employers_put_many)
		return am__store_write_done(
			s,
			s->be->employers_put_many(s, e, n, am__store_now(s)));
	err = s->be->savepoint(s);
	if (err)
		return am__store_write_done(s, err);
	for (size_t i = 0; i < n && !err; i++)
		err = s->be->employer_put(s, e[i], am__store_now(s));
	return am__store_write_done(s, many_end(s, err));
}

int am_store_dependants_put_bulk(struct am_store *s,
				 const struct am_dependant *const *d, size_t n)
{
	int err = am__store_write_ready(s);

	for (size_t i = 0; i < n && !err; i++)
		err = dependant_form(s, d[i]);
	if (err || !n)
		return err;
	if (s->be->dependants_put_many)
		return am__store_write_done(
			s,
			s->be->dependants_put_many(s, d, n, am__store_now(s)));
	err = s->be->savepoint(s);
	if (err)
		return am__store_write_done(s, err);
	for (size_t i = 0; i < n && !err; i++)
		err = s->be->dependant_put(s, d[i], am__store_now(s));
	return am__store_write_done(s, many_end(s, err));
}

/* Gets: a check of the key and the schema, then the backend. */
static int get_ready(struct am_store *s, const char *key)
{
	if (bad_string(key))
		return am__store_errf(s, AM_EINVALID_ARGUMENT, "empty key");
	return am__store_ready(s);
}

int am_store_person_get(struct am_store *s, const char *national_code,
			struct am_arena *a, struct am_person *out)
{
	int err = get_ready(s, national_code);

	return err ? err : s->be->person_get(s, national_code, a, out);
}

int am_store_employer_get(struct am_store *s, const char *id,
			  struct am_arena *a, struct am_employer *out)
{
	int err = get_ready(s, id);

	return err ? err : s->be->employer_get(s, id, a, out);
}

int am_store_workshop_get(struct am_store *s, const char *code,
			  struct am_arena *a, struct am_workshop *out)
{
	int err = get_ready(s, code);

	return err ? err : s->be->workshop_get(s, code, a, out);
}

int am_store_dependant_get(struct am_store *s, const char *main_insured,
			   const char *dependant, struct am_arena *a,
			   struct am_dependant *out)
{
	int err = get_ready(s, main_insured);

	if (!err && bad_string(dependant))
		err = am__store_errf(s, AM_EINVALID_ARGUMENT, "empty key");
	return err ? err
		   : s->be->dependant_get(s, main_insured, dependant, a, out);
}

/*
 * The audit trail's public face (the chain itself is in audit.c).
 */

int am_store_audit_append(struct am_store *s, const char *action,
			  const char *subject, const char *payload,
			  uint64_t *seq)
{
	int err;

	if (bad_string(action))
		return missing(s, "audit action");
	err = am__store_unit_begin(s);
	if (err)
		return err;
	err = am__audit_append(s, action, subject, payload, seq);
	return am__store_unit_end(s, err);
}
