/* The SQLite backend's bulk registry puts: a batch of persons, dependants,
 * workshops or employers goes in by one INSERT … SELECT from an eponymous
 * virtual table over the caller's array, not a statement a row.
 *
 * A statement a row costs its start and end (the VDBE's setup and halt,
 * the schema and transaction checks, the bindings) about as much as the
 * insert itself; one statement a batch pays them once. 3,000,000 persons
 * in key order went in at 272,000 rows/s a statement each and at 550,000
 * a statement a batch of 500,000, on this project's 2-core machine.
 *
 * The statement is a put of every row in the array's order (a key twice
 * is updated by its later row, as two puts would), and the persons' codes
 * go into person_codes as a put adds them. Refused by a constraint (a
 * dependant naming nobody), the statement undoes itself and nothing of
 * the batch is written: the caller puts the rows one at a time to find
 * the one. */
#include "core/internal.h"

#include "store/sqlite_int.h"

enum bulk_kind {
	BULK_PERSONS,
	BULK_PERSONS_ENSURE,
	BULK_DEPENDANTS,
	BULK_WORKSHOPS,
	BULK_EMPLOYERS
};

/* What the tables read while a put runs; between puts, nothing. */
struct bulk_src {
	const void *const *recs;
	size_t n;
	int64_t now;
};

struct bulk_vtab {
	sqlite3_vtab base;
	struct bulk_src *src;
};

struct bulk_cursor {
	sqlite3_vtab_cursor base;
	size_t i;
};

/* Each module's columns, by its name. */
static const struct {
	const char *module, *decl;
} bulk_decls[] = {
	{ "am_persons_in", "CREATE TABLE x (national_code, first_name,"
			   " last_name, father_name, birth_date, sex,"
			   " nationality, insurance_no, now)" },
	{ "am_dependants_in", "CREATE TABLE x (main_insured, dependant,"
			      " relation, since, until, now)" },
	{ "am_workshops_in", "CREATE TABLE x (code, name, employer_id,"
			     " address, province, branch, activity, scheme,"
			     " hard_harmful, small_exempt, now)" },
	{ "am_employers_in",
	  "CREATE TABLE x (id, kind, name, address, phone, now)" },
};

/* argv[0] is the module's name: its columns declared. */
static int bulk_connect(sqlite3 *db, void *aux, int argc,
			const char *const *argv, sqlite3_vtab **out, char **err)
{
	const char *decl = NULL;
	struct bulk_vtab *t;
	int rc;

	(void)err;
	for (size_t i = 0; argc > 0 && i < AM_ARRAY_SIZE(bulk_decls); i++)
		if (!strcmp(argv[0], bulk_decls[i].module))
			decl = bulk_decls[i].decl;
	if (!decl)
		return SQLITE_ERROR;
	rc = sqlite3_declare_vtab(db, decl);
	if (rc != SQLITE_OK)
		return rc;
	t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->src = aux;
	*out = &t->base;
	/* Harmless: it reads only what the backend put there. */
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	return SQLITE_OK;
}

static int best_index(sqlite3_vtab *t, sqlite3_index_info *info)
{
	struct bulk_vtab *v = (struct bulk_vtab *)t;

	info->estimatedRows = (sqlite3_int64)v->src->n;
	info->estimatedCost = (double)v->src->n;
	return SQLITE_OK;
}

static int disconnect(sqlite3_vtab *t)
{
	sqlite3_free(t);
	return SQLITE_OK;
}

static int cursor_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
	struct bulk_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)t;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int cursor_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int cursor_filter(sqlite3_vtab_cursor *c, int idx, const char *s,
			 int argc, sqlite3_value **argv)
{
	(void)idx;
	(void)s;
	(void)argc;
	(void)argv;
	((struct bulk_cursor *)c)->i = 0;
	return SQLITE_OK;
}

static int cursor_next(sqlite3_vtab_cursor *c)
{
	((struct bulk_cursor *)c)->i++;
	return SQLITE_OK;
}

static const struct bulk_src *src_of(sqlite3_vtab_cursor *c)
{
	return ((struct bulk_vtab *)c->pVtab)->src;
}

static int cursor_eof(sqlite3_vtab_cursor *c)
{
	return ((struct bulk_cursor *)c)->i >= src_of(c)->n;
}

static int cursor_rowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct bulk_cursor *)c)->i;
	return SQLITE_OK;
}

/* The caller's strings outlive the statement: no copy. */
static void text(sqlite3_context *ctx, const char *s)
{
	if (s)
		sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

static void date(sqlite3_context *ctx, am_date d)
{
	if (d == AM_STORE_DATE_NONE)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, d);
}

static int persons_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col)
{
	const struct bulk_src *src = src_of(c);
	const struct am_person *p = src->recs[((struct bulk_cursor *)c)->i];

	switch (col) {
	case 0:
		text(ctx, p->national_code);
		break;
	case 1:
		text(ctx, p->first_name);
		break;
	case 2:
		text(ctx, p->last_name);
		break;
	case 3:
		text(ctx, p->father_name);
		break;
	case 4:
		date(ctx, p->birth_date);
		break;
	case 5:
		/* Checked M or F by the store. */
		text(ctx, p->sex == 'F' ? "F" : "M");
		break;
	case 6:
		text(ctx, p->nationality);
		break;
	case 7:
		text(ctx, p->insurance_no);
		break;
	default:
		sqlite3_result_int64(ctx, src->now);
		break;
	}
	return SQLITE_OK;
}

static int dependants_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx,
			     int col)
{
	const struct bulk_src *src = src_of(c);
	const struct am_dependant *d = src->recs[((struct bulk_cursor *)c)->i];

	switch (col) {
	case 0:
		text(ctx, d->main_insured);
		break;
	case 1:
		text(ctx, d->dependant);
		break;
	case 2:
		text(ctx, am_relation_name(d->relation));
		break;
	case 3:
		date(ctx, d->since);
		break;
	case 4:
		date(ctx, d->until);
		break;
	default:
		sqlite3_result_int64(ctx, src->now);
		break;
	}
	return SQLITE_OK;
}

static int workshops_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx,
			    int col)
{
	const struct bulk_src *src = src_of(c);
	const struct am_workshop *w = src->recs[((struct bulk_cursor *)c)->i];
	const char *t[8] = { w->code,	  w->name,   w->employer_id, w->address,
			     w->province, w->branch, w->activity,    w->scheme };

	if (col < 8)
		text(ctx, t[col]);
	else if (col < 10)
		sqlite3_result_int(ctx, col == 8 ? w->hard_harmful
						 : w->small_exempt);
	else
		sqlite3_result_int64(ctx, src->now);
	return SQLITE_OK;
}

static int employers_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx,
			    int col)
{
	const struct bulk_src *src = src_of(c);
	const struct am_employer *e = src->recs[((struct bulk_cursor *)c)->i];
	const char *t[5] = { e->id, am_employer_kind_name(e->kind), e->name,
			     e->address, e->phone };

	if (col < 5)
		text(ctx, t[col]);
	else
		sqlite3_result_int64(ctx, src->now);
	return SQLITE_OK;
}

/* A module over the source, eponymous only (no xCreate: used by name,
 * never created in a schema); its columns are all that differ. */
#define BULK_MODULE(column)                                                    \
	{                                                                      \
		.xConnect = bulk_connect, .xBestIndex = best_index,            \
		.xDisconnect = disconnect, .xOpen = cursor_open,               \
		.xClose = cursor_close, .xFilter = cursor_filter,              \
		.xNext = cursor_next, .xEof = cursor_eof, .xColumn = (column), \
		.xRowid = cursor_rowid,                                        \
	}

static const sqlite3_module persons_module = BULK_MODULE(persons_column);
static const sqlite3_module dependants_module = BULK_MODULE(dependants_column);
static const sqlite3_module workshops_module = BULK_MODULE(workshops_column);
static const sqlite3_module employers_module = BULK_MODULE(employers_column);

static const char persons_put[] =
	"INSERT INTO persons (national_code, first_name, last_name,"
	" father_name, birth_date, sex, nationality, insurance_no,"
	" created_at, updated_at)"
	" SELECT national_code, first_name, last_name, father_name,"
	" birth_date, sex, nationality, insurance_no, now, now"
	" FROM am_persons_in WHERE true"
	" ON CONFLICT (national_code) DO UPDATE SET"
	" first_name = excluded.first_name, last_name = excluded.last_name,"
	" father_name = excluded.father_name,"
	" birth_date = excluded.birth_date, sex = excluded.sex,"
	" nationality = excluded.nationality,"
	" insurance_no = excluded.insurance_no,"
	" updated_at = excluded.updated_at";

/* The persons met for the first time in a month's lines: those already
 * registered are kept as they are. */
static const char persons_ensure[] =
	"INSERT INTO persons (national_code, first_name, last_name,"
	" father_name, birth_date, sex, nationality, insurance_no,"
	" created_at, updated_at)"
	" SELECT national_code, first_name, last_name, father_name,"
	" birth_date, sex, nationality, insurance_no, now, now"
	" FROM am_persons_in WHERE true"
	" ON CONFLICT (national_code) DO NOTHING";

static const char person_codes_add[] =
	"INSERT OR IGNORE INTO person_codes"
	" SELECT CAST(national_code AS INTEGER) FROM am_persons_in";

static const char dependants_put[] =
	"INSERT INTO dependants (main_insured, dependant, relation, since,"
	" until, created_at, updated_at)"
	" SELECT main_insured, dependant, relation, since, until, now, now"
	" FROM am_dependants_in WHERE true"
	" ON CONFLICT (main_insured, dependant) DO UPDATE SET"
	" relation = excluded.relation, since = excluded.since,"
	" until = excluded.until, updated_at = excluded.updated_at";

/* Workshops as a put each would write them (sqlite.c's ST_WORKSHOP_PUT),
 * and their keys. */
static const char workshops_put[] =
	"INSERT INTO workshops (code, name, employer_id, address, province,"
	" branch, activity, scheme, hard_harmful, small_exempt, created_at,"
	" updated_at)"
	" SELECT code, name, employer_id, address, province, branch,"
	" activity, scheme, hard_harmful, small_exempt, now, now"
	" FROM am_workshops_in WHERE true"
	" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
	" employer_id = excluded.employer_id, address = excluded.address,"
	" province = excluded.province, branch = excluded.branch,"
	" activity = excluded.activity, scheme = excluded.scheme,"
	" hard_harmful = excluded.hard_harmful,"
	" small_exempt = excluded.small_exempt,"
	" updated_at = excluded.updated_at";

/* Employers as a put each would write them (sqlite.c's ST_EMPLOYER_PUT). */
static const char employers_put[] =
	"INSERT INTO employers (id, kind, name, address, phone, created_at,"
	" updated_at)"
	" SELECT id, kind, name, address, phone, now, now"
	" FROM am_employers_in WHERE true"
	" ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
	" name = excluded.name, address = excluded.address,"
	" phone = excluded.phone, updated_at = excluded.updated_at";

static const char workshop_keys_add[] =
	"INSERT OR IGNORE INTO workshop_keys SELECT code FROM am_workshops_in";

int am__sq_bulk_register(sqlite3 *db, struct am__sq_bulk **out)
{
	struct bulk_src *src = calloc(1, sizeof(*src));
	int rc;

	*out = NULL;
	if (!src)
		return SQLITE_NOMEM;
	/* The modules read the one source; the last frees it. */
	rc = sqlite3_create_module_v2(db, "am_persons_in", &persons_module, src,
				      NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module_v2(db, "am_dependants_in",
					      &dependants_module, src, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module_v2(db, "am_workshops_in",
					      &workshops_module, src, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module_v2(db, "am_employers_in",
					      &employers_module, src, free);
	else
		free(src);
	if (rc == SQLITE_OK)
		*out = (struct am__sq_bulk *)src;
	return rc;
}

static int run(struct am_store *s, const char *sql, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(am__sq_db(s), sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : am__sq_fail(s, rc, what);
}

static int put_many(struct am_store *s, struct am__sq_bulk *bulk,
		    enum bulk_kind kind, const void *const *recs, size_t n,
		    int64_t now, size_t *added)
{
	struct bulk_src *src = (struct bulk_src *)bulk;
	int err;

	if (!src)
		return am__store_errf(s, AM_EINTERNAL, "bulk: no module");
	src->recs = recs;
	src->n = n;
	src->now = now;
	if (kind == BULK_PERSONS || kind == BULK_PERSONS_ENSURE) {
		err = kind == BULK_PERSONS
			      ? run(s, persons_put, "persons put")
			      : run(s, persons_ensure, "persons ensure");
		if (!err && added)
			*added = (size_t)sqlite3_changes(am__sq_db(s));
		if (!err)
			err = run(s, person_codes_add, "person codes");
	} else if (kind == BULK_WORKSHOPS) {
		err = run(s, workshops_put, "workshops put");
		if (!err)
			err = run(s, workshop_keys_add, "workshop keys");
	} else if (kind == BULK_EMPLOYERS) {
		err = run(s, employers_put, "employers put");
	} else {
		err = run(s, dependants_put, "dependants put");
	}
	src->recs = NULL;
	src->n = 0;
	return err;
}

int am__sq_persons_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			    const struct am_person *const *p, size_t n,
			    int64_t now)
{
	return put_many(s, bulk, BULK_PERSONS, (const void *const *)p, n, now,
			NULL);
}

int am__sq_persons_ensure_many(struct am_store *s, struct am__sq_bulk *bulk,
			       const struct am_person *const *p, size_t n,
			       int64_t now, size_t *added)
{
	return put_many(s, bulk, BULK_PERSONS_ENSURE, (const void *const *)p, n,
			now, added);
}

int am__sq_dependants_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			       const struct am_dependant *const *d, size_t n,
			       int64_t now)
{
	return put_many(s, bulk, BULK_DEPENDANTS, (const void *const *)d, n,
			now, NULL);
}

int am__sq_workshops_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			      const struct am_workshop *const *w, size_t n,
			      int64_t now)
{
	return put_many(s, bulk, BULK_WORKSHOPS, (const void *const *)w, n, now,
			NULL);
}

int am__sq_employers_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			      const struct am_employer *const *e, size_t n,
			      int64_t now)
{
	return put_many(s, bulk, BULK_EMPLOYERS, (const void *const *)e, n, now,
			NULL);
}
