/* The SQLite backend's walk and load of the logical tables ("amanat db
 * copy", store_int.h): every row in key order, and rows inserted as given
 * with the side tables the posting reads (person_codes, workshop_keys)
 * and the ledger's sequence kept in step. */
#include "core/internal.h"

#include <sqlite3.h>

#include "store/sqlite_int.h"

/* The widest logical table (wage_lists) has 28 columns. */
#define COLS_MAX 48
#define IDENT_MAX 64

/* An identifier of amanat's own: a lower-case letter, then lower-case
 * letters, digits and '_'. The tables come from am__tables alone, but a
 * name goes into SQL text, so it is checked all the same. */
static bool ident_ok(const char *p, size_t n)
{
	if (!n || n > IDENT_MAX || p[0] < 'a' || p[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return false;
	return true;
}

static int table_check(struct am_store *s, const struct am__table *t)
{
	bool known = false;

	for (size_t i = 0; i < am__tables_nr; i++)
		known = known || t == &am__tables[i];
	if (!known)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "not a logical table of the store");
	if (!t->ncols || t->ncols > COLS_MAX ||
	    !ident_ok(t->name, strlen(t->name)))
		return am__store_errf(s, AM_EINTERNAL, "table '%s' refused",
				      t->name);
	for (size_t i = 0; i < t->ncols; i++)
		if (!ident_ok(t->cols[i], strlen(t->cols[i])))
			return am__store_errf(s, AM_EINTERNAL,
					      "table %s: column '%s' refused",
					      t->name, t->cols[i]);
	return 0;
}

/* "c1", "c2", … */
static int add_cols(struct am_buf *b, const struct am__table *t)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->ncols; i++)
		err = am_buf_addf(b, "%s\"%s\"", i ? ", " : "", t->cols[i]);
	return err;
}

/* SELECT the columns FROM the table ORDER BY its key, each of the key's
 * comma-separated names checked and quoted. */
static int select_sql(struct am_store *s, const struct am__table *t,
		      struct am_buf *b)
{
	const char *p = t->order;
	int err = am_buf_adds(b, "SELECT ");

	if (!err)
		err = add_cols(b, t);
	if (!err)
		err = am_buf_addf(b, " FROM \"%s\" ORDER BY ", t->name);
	while (!err && p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (!ident_ok(p, n))
			return am__store_errf(s, AM_EINTERNAL,
					      "table %s: key '%s' refused",
					      t->name, t->order);
		err = am_buf_addf(b, "%s\"%.*s\"", p == t->order ? "" : ", ",
				  (int)n, p);
		p = comma ? comma + 1 : NULL;
	}
	return err ? am__store_errf(s, err, "walk %s: out of memory", t->name)
		   : 0;
}

/* A row's columns as values (pointing into the statement's row). */
static int row_read(struct am_store *s, const struct am__table *t,
		    sqlite3_stmt *st, struct am__val *row)
{
	for (size_t i = 0; i < t->ncols; i++) {
		struct am__val *v = &row[i];
		int c = (int)i;

		memset(v, 0, sizeof(*v));
		switch (sqlite3_column_type(st, c)) {
		case SQLITE_NULL:
			v->type = AM__VAL_NULL;
			break;
		case SQLITE_INTEGER:
			v->type = AM__VAL_INT;
			v->i = sqlite3_column_int64(st, c);
			break;
		case SQLITE_TEXT:
			v->type = AM__VAL_TEXT;
			v->p = sqlite3_column_text(st, c);
			v->n = (size_t)sqlite3_column_bytes(st, c);
			if (!v->p)
				return am__store_errf(s, AM_ENOMEM,
						      "walk %s: out of memory",
						      t->name);
			break;
		case SQLITE_BLOB:
			v->type = AM__VAL_BLOB;
			v->p = sqlite3_column_blob(st, c);
			v->n = (size_t)sqlite3_column_bytes(st, c);
			if (!v->p && v->n)
				return am__store_errf(s, AM_ENOMEM,
						      "walk %s: out of memory",
						      t->name);
			if (!v->p)
				v->p = "";
			break;
		default: /* a real number: no column of amanat's holds one */
			return am__store_errf(s, AM_ESTORE_CORRUPT,
					      "walk %s: column %s holds a real "
					      "number",
					      t->name, t->cols[i]);
		}
	}
	return 0;
}

/* Not a cached statement: one walk per table and copy, and fn may walk
 * another table of the same handle. */
int am__sq_rows_walk(struct am_store *s, const struct am__table *t,
		     int (*fn)(void *ctx, const struct am__val *row), void *ctx)
{
	struct am__val row[COLS_MAX];
	struct am_buf sql;
	sqlite3_stmt *st = NULL;
	char what[IDENT_MAX + 16];
	int rc = SQLITE_OK, err = table_check(s, t);

	if (err)
		return err;
	snprintf(what, sizeof(what), "walk %s", t->name);
	am_buf_init(&sql, 0);
	err = select_sql(s, t, &sql);
	if (!err) {
		rc = sqlite3_prepare_v2(am__sq_db(s), sql.buf, -1, &st, NULL);
		if (rc != SQLITE_OK)
			err = am__sq_fail(s, rc, what);
	}
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = row_read(s, t, st, row);
		if (!err)
			err = fn(ctx, row);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, what);
	sqlite3_finalize(st);
	am_buf_release(&sql);
	return err;
}

static int bind_val(sqlite3_stmt *st, int i, const struct am__val *v)
{
	switch (v->type) {
	case AM__VAL_NULL:
		return sqlite3_bind_null(st, i);
	case AM__VAL_INT:
		return sqlite3_bind_int64(st, i, v->i);
	case AM__VAL_TEXT:
		if (v->n > INT_MAX)
			return SQLITE_TOOBIG;
		return sqlite3_bind_text(st, i, v->n ? v->p : "", (int)v->n,
					 SQLITE_STATIC);
	case AM__VAL_BLOB:
		if (v->n > INT_MAX)
			return SQLITE_TOOBIG;
		return sqlite3_bind_blob(st, i, v->n ? v->p : "", (int)v->n,
					 SQLITE_STATIC);
	}
	return SQLITE_MISMATCH;
}

static size_t col_of(const struct am__table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return i;
	return SIZE_MAX;
}

/*
 * What a table's rows bring along: persons and workshops their codes in
 * the side tables that sqlite.c's inserts keep (person_codes,
 * workshop_keys: migration 0003), and the ledger's rows and the lists'
 * transactions the ids they took from the ledger's sequence. A list with
 * nothing to assess took an id and wrote no ledger row, so the lists'
 * txn counts as well as the ledger's id: the next posting must not take
 * it again (UNIQUE (txn)).
 */
struct load_side {
	const char *sql; /* the side table's insert, or NULL */
	size_t key;	 /* the column bound to it */
	size_t id;	 /* a column holding a ledger id, or SIZE_MAX */
};

static struct load_side side_of(const struct am__table *t)
{
	struct load_side x = { NULL, SIZE_MAX, SIZE_MAX };

	if (!strcmp(t->name, "persons")) {
		x.sql = "INSERT OR IGNORE INTO person_codes"
			" VALUES (CAST(?1 AS INTEGER))";
		x.key = col_of(t, "national_code");
	} else if (!strcmp(t->name, "workshops")) {
		x.sql = "INSERT OR IGNORE INTO workshop_keys VALUES (?1)";
		x.key = col_of(t, "code");
	} else if (!strcmp(t->name, "ledger")) {
		x.id = col_of(t, "id");
	} else if (!strcmp(t->name, "wage_lists")) {
		x.id = col_of(t, "txn");
	}
	return x;
}

/* The ledger's sequence past max_id: in the table, and in the count of a
 * write transaction that already read it (am__sq_ledger_id()). */
static int seq_past(struct am_store *s, int64_t max_id)
{
	struct am__sq_seq *q = am__sq_seq(s);
	sqlite3_stmt *st = NULL;
	int rc;

	if (max_id < 1 || max_id == INT64_MAX)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "load: ledger id %" PRId64, max_id);
	if (q->loaded) {
		if (q->next <= max_id) {
			q->next = max_id + 1;
			q->dirty = true;
		}
		return 0;
	}
	rc = sqlite3_prepare_v2(am__sq_db(s),
				"UPDATE sequences SET next = max(next, ?1)"
				" WHERE name = 'ledger'",
				-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, max_id + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int err = am__sq_fail(s, rc, "load: the ledger's sequence");

		sqlite3_finalize(st);
		return err;
	}
	sqlite3_finalize(st);
	if (sqlite3_changes(am__sq_db(s)) != 1)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "load: the ledger's sequence is missing");
	return 0;
}

/* A failed row: SQLite's words, the table, the row and its key. */
static int row_fail(struct am_store *s, int rc, const struct am__table *t,
		    size_t r, const struct am__val *v)
{
	char key[48] = "";

	if (v->type == AM__VAL_TEXT)
		snprintf(key, sizeof(key), " (%s %.*s)", t->cols[0],
			 v->n > 20 ? 20 : (int)v->n, (const char *)v->p);
	else if (v->type == AM__VAL_INT)
		snprintf(key, sizeof(key), " (%s %" PRId64 ")", t->cols[0],
			 v->i);
	return am__store_errf(s,
			      rc == SQLITE_NOMEM ? AM_ENOMEM
			      : (rc & 0xff) == SQLITE_CONSTRAINT
				      ? AM_ESTORE_CONFLICT
				      : AM_ESTORE_SQL,
			      "load %s: row %zu%s: %s", t->name, r + 1, key,
			      sqlite3_errmsg(am__sq_db(s)));
}

static int step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc;
}

/* Inside the caller's transaction, with the foreign keys checked at its
 * commit (a list names the later list that superseded it). The rows go
 * in as given: the target is a copy, so nothing is decided here. */
int am__sq_rows_load(struct am_store *s, const struct am__table *t,
		     const struct am__val *rows, size_t n)
{
	struct load_side side = side_of(t);
	sqlite3 *db = am__sq_db(s);
	sqlite3_stmt *st = NULL, *key = NULL;
	int64_t max_id = 0;
	struct am_buf sql;
	int rc, err = table_check(s, t);

	if (err || !n)
		return err;
	if (sqlite3_get_autocommit(db))
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "load %s: outside a transaction",
				      t->name);
	rc = sqlite3_exec(db, "PRAGMA defer_foreign_keys = ON", NULL, NULL,
			  NULL);
	if (rc != SQLITE_OK)
		return am__sq_fail(s, rc, "load: defer_foreign_keys");
	am_buf_init(&sql, 0);
	err = am_buf_addf(&sql, "INSERT INTO \"%s\" (", t->name);
	if (!err)
		err = add_cols(&sql, t);
	for (size_t i = 0; !err && i < t->ncols; i++)
		err = am_buf_addf(&sql, "%s?%zu", i ? ", " : ") VALUES (",
				  i + 1);
	if (!err)
		err = am_buf_addch(&sql, ')');
	if (err) {
		am_buf_release(&sql);
		return am__store_errf(s, err, "load %s: out of memory",
				      t->name);
	}
	rc = sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL);
	if (rc == SQLITE_OK && side.sql)
		rc = sqlite3_prepare_v2(db, side.sql, -1, &key, NULL);
	am_buf_release(&sql);
	if (rc != SQLITE_OK) {
		err = am__sq_fail(s, rc, "load: prepare");
		goto out_stmt;
	}
	for (size_t r = 0; !err && r < n; r++) {
		const struct am__val *v = rows + r * t->ncols;

		rc = SQLITE_OK;
		for (size_t i = 0; rc == SQLITE_OK && i < t->ncols; i++)
			rc = bind_val(st, (int)i + 1, &v[i]);
		rc = rc == SQLITE_OK ? step_reset(st) : rc;
		sqlite3_clear_bindings(st);
		if (rc == SQLITE_DONE && key && side.key < t->ncols) {
			rc = bind_val(key, 1, &v[side.key]);
			rc = rc == SQLITE_OK ? step_reset(key) : rc;
			sqlite3_clear_bindings(key);
		}
		if (rc != SQLITE_DONE)
			err = row_fail(s, rc, t, r, v);
		else if (side.id < t->ncols && v[side.id].type == AM__VAL_INT &&
			 v[side.id].i > max_id)
			max_id = v[side.id].i;
	}
	if (!err && max_id)
		err = seq_past(s, max_id);
out_stmt:
	sqlite3_finalize(key);
	sqlite3_finalize(st);
	return err;
}
