/* The SQLite backend: one connection in WAL mode with synchronous=FULL and
 * foreign keys on, every statement prepared once per handle and reused. */
#include "core/internal.h"

#include <sqlite3.h>

#include "store/sqlite_int.h"

/* How long a writer waits for another before AM_ESTORE_BUSY. */
#define BUSY_TIMEOUT_MS 5000

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_HAS_MIGRATIONS,
	ST_SCHEMA_VERSION,
	ST_MIGRATION_INSERT,
	ST_META_GET,
	ST_META_SET,
	ST_IDEM_INSERT,
	ST_IDEM_HASH,
	ST_IDEM_SET_RESULT,
	ST_IDEM_RESULT,
	ST_PERSON_INSERT,
	ST_PERSON_PUT,
	ST_PERSON_GET,
	ST_PERSON_ENSURE,
	ST_PERSON_CODE_ADD,
	ST_EMPLOYER_PUT,
	ST_EMPLOYER_GET,
	ST_WORKSHOP_INSERT,
	ST_WORKSHOP_PUT,
	ST_WORKSHOP_GET,
	ST_WORKSHOP_KEY_ADD,
	ST_DEPENDANT_INSERT,
	ST_DEPENDANT_PUT,
	ST_DEPENDANT_GET,
	ST_AUDIT_HEAD,
	ST_AUDIT_INSERT,
	ST__COUNT
};

/* The inserts that a put, its upsert and an ensure share. */
#define PERSON_INSERT                                                \
	"INSERT INTO persons (national_code, first_name, last_name," \
	" father_name, birth_date, sex, nationality, insurance_no,"  \
	" created_at, updated_at)"                                   \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
#define WORKSHOP_INSERT                                            \
	"INSERT INTO workshops (code, name, employer_id, address," \
	" province, branch, activity, scheme, hard_harmful,"       \
	" small_exempt, created_at, updated_at)"                   \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
#define DEPENDANT_INSERT                                             \
	"INSERT INTO dependants (main_insured, dependant, relation," \
	" since, until, created_at, updated_at)"                     \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"

/* Writers take the lock at BEGIN (IMMEDIATE), so a transaction that read
 * the audit head cannot lose a race to another writer; readers need no
 * BEGIN: a single statement sees one snapshot. */
static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT am_unit",
	[ST_RELEASE] = "RELEASE am_unit",
	[ST_ROLLBACK_TO] = "ROLLBACK TO am_unit",
	[ST_HAS_MIGRATIONS] = "SELECT 1 FROM sqlite_master WHERE type = 'table'"
			      " AND name = 'schema_migrations'",
	[ST_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0)"
			      " FROM schema_migrations",
	[ST_MIGRATION_INSERT] = "INSERT INTO schema_migrations"
				" (version, name, checksum, applied_at)"
				" VALUES (?1, ?2, ?3, ?4)",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] =
		"INSERT INTO meta (key, value) VALUES (?1, ?2)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_IDEM_INSERT] = "INSERT INTO idempotency"
			   " (key, request_hash, created_at)"
			   " VALUES (?1, ?2, ?3) ON CONFLICT (key) DO NOTHING",
	[ST_IDEM_HASH] = "SELECT request_hash FROM idempotency WHERE key = ?1",
	[ST_IDEM_SET_RESULT] = "UPDATE idempotency SET result = ?2"
			       " WHERE key = ?1",
	[ST_IDEM_RESULT] = "SELECT result FROM idempotency WHERE key = ?1",
	/* A put is a plain insert, and an update (the upsert) only when
	 * the key is there: an upsert is a statement that may write twice,
	 * so SQLite journals each page it changes (and checks a foreign key
	 * at its end), which with 64 KiB pages spilled to a file at every
	 * put (docs/storage.md, "Pages"). */
	[ST_PERSON_INSERT] = PERSON_INSERT,
	[ST_PERSON_PUT] = PERSON_INSERT
	" ON CONFLICT (national_code) DO UPDATE SET"
	" first_name = excluded.first_name,"
	" last_name = excluded.last_name,"
	" father_name = excluded.father_name,"
	" birth_date = excluded.birth_date, sex = excluded.sex,"
	" nationality = excluded.nationality,"
	" insurance_no = excluded.insurance_no,"
	" updated_at = excluded.updated_at",
	[ST_PERSON_ENSURE] = PERSON_INSERT
	" ON CONFLICT (national_code) DO NOTHING",
	/* The side tables of migration 0003, kept here and not by triggers
	 * on INSERT: a statement that fires a trigger journals each page it
	 * changes, which at large pages spilled to a file at every insert
	 * (docs/storage.md, "Pages"). */
	[ST_PERSON_CODE_ADD] = "INSERT OR IGNORE INTO person_codes"
			       " VALUES (CAST(?1 AS INTEGER))",
	[ST_WORKSHOP_KEY_ADD] = "INSERT OR IGNORE INTO workshop_keys"
				" VALUES (?1)",
	[ST_PERSON_GET] =
		"SELECT national_code, first_name, last_name, father_name,"
		" birth_date, sex, nationality, insurance_no, created_at,"
		" updated_at FROM persons WHERE national_code = ?1",
	[ST_EMPLOYER_PUT] =
		"INSERT INTO employers (id, kind, name, address, phone,"
		" created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
		" ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
		" name = excluded.name, address = excluded.address,"
		" phone = excluded.phone, updated_at = excluded.updated_at",
	[ST_EMPLOYER_GET] = "SELECT id, kind, name, address, phone, created_at,"
			    " updated_at FROM employers WHERE id = ?1",
	[ST_WORKSHOP_INSERT] = WORKSHOP_INSERT,
	[ST_WORKSHOP_PUT] = WORKSHOP_INSERT
	" ON CONFLICT (code) DO UPDATE SET"
	" name = excluded.name,"
	" employer_id = excluded.employer_id,"
	" address = excluded.address, province = excluded.province,"
	" branch = excluded.branch, activity = excluded.activity,"
	" scheme = excluded.scheme,"
	" hard_harmful = excluded.hard_harmful,"
	" small_exempt = excluded.small_exempt,"
	" updated_at = excluded.updated_at",
	[ST_WORKSHOP_GET] =
		"SELECT code, name, employer_id, address, province, branch,"
		" activity, scheme, hard_harmful, small_exempt, created_at,"
		" updated_at FROM workshops WHERE code = ?1",
	[ST_DEPENDANT_INSERT] = DEPENDANT_INSERT,
	[ST_DEPENDANT_PUT] = DEPENDANT_INSERT
	" ON CONFLICT (main_insured, dependant) DO UPDATE SET"
	" relation = excluded.relation, since = excluded.since,"
	" until = excluded.until, updated_at = excluded.updated_at",
	[ST_DEPENDANT_GET] =
		"SELECT main_insured, dependant, relation, since, until,"
		" created_at, updated_at FROM dependants"
		" WHERE main_insured = ?1 AND dependant = ?2",
	[ST_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC"
			  " LIMIT 1",
	/* The payload is checked here, not in the schema: with
	 * trusted_schema off, the schema may call no JSON function. */
	[ST_AUDIT_INSERT] = "INSERT INTO audit (seq, at, actor, action,"
			    " subject, payload, prev_hash, hash)"
			    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8"
			    " WHERE json_valid(?6)",
};

static const char create_schema_migrations[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY CHECK (version >= 1),"
	" name TEXT NOT NULL,"
	" checksum TEXT NOT NULL,"
	" applied_at INTEGER NOT NULL)";

static const char audit_iterate_sql[] =
	"SELECT seq, at, actor, action, subject, payload, prev_hash, hash"
	" FROM audit WHERE seq >= ?1 ORDER BY seq";

struct sqlite_store {
	struct am_store base; /* first: the handle is cast both ways */
	sqlite3 *db;
	sqlite3_stmt *stmt[ST__COUNT];		    /* prepared on first use */
	sqlite3_stmt *wage_stmt[AM__SQ_WAGE_STMTS]; /* sqlite_wage.c's */
	int secure_delete; /* the build's setting, for after a posting */
	struct am__sq_seq seq;
	struct am_buf scratch;
	bool fk_off; /* a checked transaction's: foreign keys back on at its end */
	struct am__sq_bulk *bulk; /* sqlite_bulk.c's tables' source */
};

static struct sqlite_store *sq(struct am_store *s)
{
	return (struct sqlite_store *)s;
}

/*
 * Errors.
 */

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return AM_ESTORE_BUSY;
	case SQLITE_CONSTRAINT:
		return AM_ESTORE_CONFLICT;
	case SQLITE_NOMEM:
		return AM_ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return AM_ESTORE_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return AM_EIO;
	case SQLITE_CANTOPEN:
		return AM_ESTORE_OPEN;
	default:
		return AM_ESTORE_SQL;
	}
}

/* Translate a failed SQLite call, keeping SQLite's words. Called before
 * the statement is reset, while its message is current. */
static int fail(struct sqlite_store *q, int rc, const char *what)
{
	return am__store_errf(&q->base, map_rc(rc), "%s: %s", what,
			      sqlite3_errmsg(q->db));
}

sqlite3 *am__sq_db(struct am_store *s)
{
	return sq(s)->db;
}

sqlite3_stmt **am__sq_wage_stmts(struct am_store *s)
{
	return sq(s)->wage_stmt;
}

struct am__sq_seq *am__sq_seq(struct am_store *s)
{
	return &sq(s)->seq;
}

struct am_buf *am__sq_scratch(struct am_store *s)
{
	return &sq(s)->scratch;
}

int am__sq_fail(struct am_store *s, int rc, const char *what)
{
	return fail(sq(s), rc, what);
}

/*
 * Statements.
 */

static int prepare(struct sqlite_store *q, enum stmt_id id, sqlite3_stmt **out)
{
	if (!q->stmt[id]) {
		int rc = sqlite3_prepare_v3(q->db, stmt_sql[id], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &q->stmt[id], NULL);

		if (rc != SQLITE_OK)
			return fail(q, rc, "prepare");
	}
	*out = q->stmt[id];
	return 0;
}

/* Step a statement that returns no rows; rc_bind is the first binding
 * failure, if any. */
static int step_done(struct sqlite_store *q, sqlite3_stmt *st, int rc_bind,
		     const char *what)
{
	int rc = rc_bind ? rc_bind : sqlite3_step(st);
	int err = 0;

	if (rc != SQLITE_DONE)
		err = fail(q, rc, what);
	am__sq_finish(st);
	return err;
}

static int run(struct sqlite_store *q, enum stmt_id id, const char *what)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(q, id, &st);

	return err ? err : step_done(q, st, 0, what);
}

/* Step a statement that returns at most one row: 0 with a row to read
 * (the caller then am__sq_finish()es), AM_ENOT_FOUND (finished), or an error
 * (finished). */
static int step_row(struct sqlite_store *q, sqlite3_stmt *st, int rc_bind,
		    const char *what)
{
	int rc = rc_bind ? rc_bind : sqlite3_step(st);
	int err;

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		err = am__store_errf(&q->base, AM_ENOT_FOUND, "%s: not found",
				     what);
	else
		err = fail(q, rc, what);
	am__sq_finish(st);
	return err;
}

/* Column readers for gets: strings are copied into the arena. */
static int col_text(sqlite3_stmt *st, int i, struct am_arena *a,
		    const char **out)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*out = NULL;
		return 0;
	}
	t = sqlite3_column_text(st, i);
	*out = t ? am_arena_strndup(a, (const char *)t,
				    (size_t)sqlite3_column_bytes(st, i))
		 : NULL;
	return *out ? 0 : AM_ENOMEM;
}

static am_date col_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return AM_STORE_DATE_NONE;
	return (am_date)sqlite3_column_int64(st, i);
}

/*
 * Opening and closing.
 */

/* Run SQL text (one or more statements) without results. */
static int exec(struct sqlite_store *q, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);
	int err = 0;

	if (rc != SQLITE_OK)
		err = am__store_errf(&q->base, map_rc(rc), "%s: %s", what,
				     msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return err;
}

/* WAL lets readers go on while one writer writes; it is refused only by
 * file systems without shared memory, and an in-memory database has no
 * journal file at all. */
static int set_wal(struct sqlite_store *q)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = fail(q, rc, "journal_mode");
		goto out_stmt;
	}
	mode = sqlite3_column_text(st, 0);
	if (!mode || (strcmp((const char *)mode, "wal") != 0 &&
		      strcmp((const char *)mode, "memory") != 0))
		err = am__store_errf(&q->base, AM_ESTORE_OPEN,
				     "WAL journal refused (mode is '%s')",
				     mode ? (const char *)mode : "?");
out_stmt:
	sqlite3_finalize(st);
	return err;
}

/* Whether freed space is overwritten (0 no, 1 yes, 2 when it costs no
 * I/O): SQLite's default is 0, Debian builds it with 1. */
static int read_secure_delete(struct sqlite_store *q)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA secure_delete", -1, &st,
				    NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		q->secure_delete = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : fail(q, rc, "secure_delete");
}

static int configure(struct sqlite_store *q, bool readonly)
{
	int err;

	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	/* No writable_schema or other footguns through SQL, and functions
	 * in the schema must be harmless ones. */
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	err = exec(q, "PRAGMA foreign_keys = ON", "foreign_keys");
	/* Pages of 64 KiB, the largest, for a database made now (an
	 * existing one keeps its own): a month's lists are bodies of a
	 * kilobyte or more, written in bulk, and each page costs a log
	 * frame, two system calls and a copy at the checkpoint. A national
	 * month posted in 53 s with SQLite's 4 KiB, 45 s with 16 KiB, 38 s
	 * with 64 KiB. No statement on the bulk paths fires a trigger: one
	 * that does journals each page it changes, in memory only up to 64
	 * KiB, and spilled to a file at every insert (docs/storage.md,
	 * "Pages"). */
	if (!err && !readonly)
		err = exec(q, "PRAGMA page_size = 65536", "page_size");
	if (!err && !readonly)
		err = set_wal(q);
	if (!err)
		err = exec(q, "PRAGMA synchronous = FULL", "synchronous");
	if (!err)
		err = read_secure_delete(q);
	/* A posting batch dirties many pages (lists, index, keys): with
	 * SQLite's default 2 MB cache they spill to the WAL before the
	 * commit and are written twice, and a bulk import's keys (a
	 * national month's: 60 MB) must stay in the cache while the lists'
	 * pages stream past them. 96 MB is a ceiling, allocated as used. A
	 * reader's (am_store_open_reader()) too: the lookups of a bulk
	 * import's second thread (a national file of workshops asks for
	 * 1.4 million employers, each a 64 KiB page read from the file past
	 * a smaller cache) took twice as long with 8 MB. Temporary files
	 * (the compaction's sort) stay on disk, so that memory does not
	 * grow with a month's size. */
	if (!err)
		err = exec(q, "PRAGMA cache_size = -98304", "cache_size");
	/* Read the header now, so a file that is no database fails here. */
	if (!err)
		err = exec(q, "SELECT count(*) FROM sqlite_master", "read");
	return err;
}

/*
 * Bulk loads. A table's secondary index costs a loaded row a B-tree page
 * at random once the index outgrows the cache: a national file of 23
 * million dependants keeps dependants_dependant in the dependant's order,
 * not the load's. A load that large is cheaper with the index dropped and
 * built again at its end, which sorts its keys once. The index's SQL is
 * kept in meta ("load.index.NAME") from its drop to its rebuild, each in
 * a transaction of its own, so that a load cut short leaves the index to
 * the next writable open to build.
 */

/* A load of at least this many rows, and at least a quarter of what the
 * table holds, sets its indexes aside. */
#define LOAD_SET_ASIDE_ROWS 1000000

#define SET_ASIDE_PREFIX "load.index."

/* Build every index set aside, and forget it. */
static int restore_set_aside(struct sqlite_store *q)
{
	sqlite3_stmt *st = NULL;
	struct am_buf todo;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(
		q->db,
		"SELECT value FROM meta WHERE key >= '" SET_ASIDE_PREFIX
		"' AND key < '"
		"load.index/' ORDER BY key",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		/* No meta table: a database not made yet. */
		sqlite3_finalize(st);
		return 0;
	}
	am_buf_init(&todo, 0);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sql = (const char *)sqlite3_column_text(st, 0);

		err = sql ? am_buf_addf(&todo, "%s;\n", sql) : 0;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(q, rc, "set-aside indexes");
	sqlite3_finalize(st);
	if (!err && todo.len) {
		/* The rebuild's sort on both cores: SQLite's sorter sorts
		 * parts of the keys on helper threads while it reads on (a
		 * national file's dependants: 24 s against 29 s, and some
		 * 200 MB more memory). */
		err = exec(q, "PRAGMA threads = 2", "threads");
		if (!err)
			err = exec(q, "BEGIN IMMEDIATE", "begin");
		if (!err)
			err = exec(q, todo.buf, "index rebuild");
		if (!err)
			err = exec(
				q,
				"DELETE FROM meta WHERE key >= '" SET_ASIDE_PREFIX
				"' AND key < 'load.index/'",
				"index rebuild");
		if (!err)
			err = exec(q, "COMMIT", "commit");
		if (err && !sqlite3_get_autocommit(q->db))
			sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(q->db, "PRAGMA threads = 0", NULL, NULL, NULL);
	}
	am_buf_release(&todo);
	return err;
}

/* The table's row count, for the choice. */
static int table_rows(struct sqlite_store *q, const char *table, int64_t *rows)
{
	sqlite3_stmt *st = NULL;
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	int rc;

	if (!sql)
		return am__store_errf(&q->base, AM_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*rows = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : fail(q, rc, "count rows");
}

static int sq_load_begin(struct am_store *s, const char *table, int64_t rows)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	struct am_buf todo;
	int64_t have = 0;
	int rc, err;

	if (rows < LOAD_SET_ASIDE_ROWS)
		return 0;
	err = table_rows(q, table, &have);
	if (err || rows < have / 4)
		return err;
	err = exec(q, "BEGIN IMMEDIATE", "begin");
	if (err)
		return err;
	/* Read first, drop after: no index is dropped under a statement
	 * still reading the schema. */
	am_buf_init(&todo, 0);
	rc = sqlite3_prepare_v2(q->db,
				"SELECT name, sql FROM sqlite_master"
				" WHERE type = 'index' AND tbl_name = ?1"
				" AND sql IS NOT NULL",
				-1, &st, NULL);
	rc = rc == SQLITE_OK
		     ? sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC)
		     : rc;
	while (!err && rc == SQLITE_OK &&
	       (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *keep = sqlite3_mprintf(
			"INSERT INTO meta (key, value) VALUES ('" SET_ASIDE_PREFIX
			"%q', '%q')"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
			" DROP INDEX \"%w\";\n",
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 0));

		err = keep ? am_buf_adds(&todo, keep)
			   : am__store_errf(s, AM_ENOMEM, "out of memory");
		sqlite3_free(keep);
		rc = SQLITE_OK;
	}
	if (!err && rc != SQLITE_DONE && rc != SQLITE_OK)
		err = fail(q, rc, "indexes");
	sqlite3_finalize(st);
	if (!err && todo.len)
		err = exec(q, todo.buf, "set an index aside");
	am_buf_release(&todo);
	if (!err)
		err = exec(q, "COMMIT", "commit");
	if (err && !sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int sq_load_end(struct am_store *s, const char *table)
{
	(void)table; /* every index set aside: one load at a time */
	return restore_set_aside(sq(s));
}

static int sq_open(const char *path, unsigned flags, struct am_store **out,
		   char *errmsg)
{
	bool readonly = flags & AM_STORE_OPEN_READONLY;
	struct sqlite_store *q;
	int oflags, rc, err;

	*out = NULL;
	if (!*path) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "no database path");
		return AM_EINVALID_ARGUMENT;
	}
	if ((flags & AM_STORE_OPEN_NOCREATE) && access(path, F_OK)) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "no database at '%s'",
			 path);
		return AM_ESTORE_NOT_INITIALISED;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "out of memory");
		return AM_ENOMEM;
	}
	am_buf_init(&q->scratch, 0);
	/* One handle serves one thread at a time: no SQLite mutex needed. */
	oflags = SQLITE_OPEN_NOMUTEX;
	if (readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else if (flags & AM_STORE_OPEN_NOCREATE)
		oflags |= SQLITE_OPEN_READWRITE;
	else
		oflags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &q->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "'%.200s': %.300s", path,
			 q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		err = AM_ESTORE_OPEN;
		goto out_close;
	}
	err = configure(q, readonly);
	if (!err && !readonly) {
		rc = am__sq_bulk_register(q->db, &q->bulk);
		err = rc == SQLITE_OK ? 0 : fail(q, rc, "bulk tables");
	}
	if (!err && !readonly && !(flags & AM__STORE_OPEN_HELPER))
		err = restore_set_aside(q);
	if (err) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "'%.200s': %.300s", path,
			 q->base.errmsg);
		goto out_close;
	}
	*out = &q->base;
	return 0;

out_close:
	sqlite3_close_v2(q->db);
	am_buf_release(&q->scratch);
	free(q);
	return err;
}

static void sq_close(struct am_store *s)
{
	struct sqlite_store *q = sq(s);

	for (size_t i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(q->stmt[i]);
	for (size_t i = 0; i < AM__SQ_WAGE_STMTS; i++)
		sqlite3_finalize(q->wage_stmt[i]);
	/* Rolls back an open transaction; with every statement finalized
	 * it closes at once. */
	sqlite3_close_v2(q->db);
	am_buf_release(&q->scratch);
	free(q);
}

/*
 * Transactions.
 */

/* The foreign keys' checks, off for a checked transaction: the pragma
 * takes effect only outside a transaction. */
static int fk_back_on(struct sqlite_store *q)
{
	if (!q->fk_off || !sqlite3_get_autocommit(q->db))
		return 0;
	q->fk_off = false;
	return exec(q, "PRAGMA foreign_keys = ON", "foreign_keys");
}

static int sq_begin(struct am_store *s);

/* Each dependant names two persons: checked by SQLite, one of them is a
 * B-tree page read at random, which for a national file of 23 million
 * dependants against 40 million persons (4 GB) costs more than all the
 * rest of the import. */
static int sq_begin_checked(struct am_store *s)
{
	struct sqlite_store *q = sq(s);
	int err = exec(q, "PRAGMA foreign_keys = OFF", "foreign_keys");

	if (err)
		return err;
	q->fk_off = true;
	err = sq_begin(s);
	if (err)
		fk_back_on(q);
	return err;
}

static int sq_begin(struct am_store *s)
{
	struct sqlite_store *q = sq(s);

	memset(&q->seq, 0, sizeof(q->seq));
	/* A transaction still open here was left by a rollback that failed;
	 * nobody owns it any more. */
	if (!sqlite3_get_autocommit(q->db)) {
		int err = run(q, ST_ROLLBACK, "rollback");

		if (err)
			return err;
	}
	/* A read-only handle (am_store_open_reader()) only reads: its
	 * transaction is a snapshot and must not ask for the write lock. */
	if (sqlite3_db_readonly(q->db, "main") == 1)
		return exec(q, "BEGIN", "begin");
	return run(q, ST_BEGIN, "begin");
}

/*
 * Freed space. Debian's SQLite overwrites with zeros what a write frees
 * (secure_delete), so that a deleted row cannot be read back from the
 * file. A posting deletes nothing: a B-tree frees space as it moves cells
 * to a new page, where they live on, and the compaction's old index
 * blocks live on in the merged ones. Overwriting that space protects
 * nothing and took 5.6% of the posting thread's instructions (a million
 * lines, callgrind), so a posting turns it off, and the build's setting
 * comes back after it for the registry's writes, which do replace rows.
 */
static int sq_posting(struct am_store *s, bool on)
{
	struct sqlite_store *q = sq(s);
	char sql[40];

	snprintf(sql, sizeof(sql), "PRAGMA secure_delete = %d",
		 on ? 0 : q->secure_delete);
	return exec(q, sql, "secure_delete");
}

/* SQLite's default: a checkpoint once the log passes 1,000 pages. */
static int sq_autocheckpoint(struct am_store *s, bool on)
{
	return exec(sq(s),
		    on ? "PRAGMA wal_autocheckpoint = 1000"
		       : "PRAGMA wal_autocheckpoint = 0",
		    "wal_autocheckpoint");
}

static int sq_checkpoint(struct am_store *s, bool *complete)
{
	struct sqlite_store *q = sq(s);
	int log = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(
		q->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);

	/* Busy: another checkpoint is running; this one is not needed. */
	*complete = rc == SQLITE_OK && copied == log;
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0
						    : fail(q, rc, "checkpoint");
}

/* The sequence counted in memory goes in with the transaction. */
static int sq_commit(struct am_store *s)
{
	struct sqlite_store *q = sq(s);
	int err = am__sq_seq_flush(s);

	if (!err)
		err = run(q, ST_COMMIT, "commit");
	if (!err)
		memset(&q->seq, 0, sizeof(q->seq));
	if (!err)
		err = fk_back_on(q);
	return err;
}

static int sq_rollback(struct am_store *s)
{
	struct sqlite_store *q = sq(s);

	int err = 0;

	memset(&q->seq, 0, sizeof(q->seq));
	/* SQLite rolls back by itself after some errors (disk full, I/O). */
	if (!sqlite3_get_autocommit(q->db))
		err = run(q, ST_ROLLBACK, "rollback");
	return err ? err : fk_back_on(q);
}

static int sq_savepoint(struct am_store *s)
{
	return run(sq(s), ST_SAVEPOINT, "savepoint");
}

static int sq_release(struct am_store *s)
{
	return run(sq(s), ST_RELEASE, "release");
}

static int sq_rollback_to(struct am_store *s)
{
	struct sqlite_store *q = sq(s);
	int err;

	if (sqlite3_get_autocommit(q->db))
		return am__store_errf(s, AM_ESTORE_SQL,
				      "SQLite rolled the whole transaction "
				      "back after an error");
	err = run(q, ST_ROLLBACK_TO, "rollback to savepoint");
	return err ? err : run(q, ST_RELEASE, "release");
}

/*
 * Schema.
 */

static int sq_schema_latest(const struct am_store *s)
{
	(void)s;
	return am__migrations_latest(am__sqlite_migrations,
				     am__sqlite_migrations_nr);
}

static int sq_schema_version(struct am_store *s, int *version)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_HAS_MIGRATIONS, &st);

	if (err)
		return err;
	err = step_row(q, st, 0, "schema version");
	if (err == AM_ENOT_FOUND) {
		*version = 0;
		return 0;
	}
	if (err)
		return err;
	am__sq_finish(st);
	err = prepare(q, ST_SCHEMA_VERSION, &st);
	if (err)
		return err;
	err = step_row(q, st, 0, "schema version");
	if (err)
		return err;
	*version = sqlite3_column_int(st, 0);
	am__sq_finish(st);
	return 0;
}

/* Check the applied migrations against the program's; *current is the
 * newest applied. */
static int read_applied(struct sqlite_store *q, int *current)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0, n = 0;

	rc = sqlite3_prepare_v2(q->db,
				"SELECT version, checksum FROM"
				" schema_migrations ORDER BY version",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(q, rc, "read schema_migrations");
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = am__migration_check_applied(
			&q->base, am__sqlite_migrations,
			am__sqlite_migrations_nr, ++n,
			sqlite3_column_int(st, 0),
			(const char *)sqlite3_column_text(st, 1));
	if (!err && rc != SQLITE_DONE)
		err = fail(q, rc, "read schema_migrations");
	sqlite3_finalize(st);
	*current = n;
	return err;
}

static int apply(struct sqlite_store *q, const struct am__migration *m)
{
	char sum[65];
	sqlite3_stmt *st = NULL;
	int rc = 0, err;

	err = am__migration_checksum(m, sum);
	if (err)
		return am__store_errf(&q->base, err, "BLAKE2b failed");
	err = exec(q, m->sql, m->name);
	if (!err && m->version == 4)
		err = am__sq_migrate_ledger(&q->base);
	if (err)
		return err;
	err = prepare(q, ST_MIGRATION_INSERT, &st);
	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, m->version);
	rc = rc ? rc : am__sq_bind_text(st, 2, m->name);
	rc = rc ? rc : am__sq_bind_text(st, 3, sum);
	rc = rc ? rc : sqlite3_bind_int64(st, 4, am__store_now(&q->base));
	return step_done(q, st, rc, "record migration");
}

/* Every foreign key holds (after migrations ran with them off). */
static int fk_check(struct sqlite_store *q)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA foreign_key_check", -1, &st,
				    NULL);
	int err = 0;

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = am__store_errf(&q->base, AM_ESTORE_CORRUPT,
				     "migration: a row of %s names a %s that "
				     "is not there",
				     (const char *)sqlite3_column_text(st, 0),
				     (const char *)sqlite3_column_text(st, 2));
	else if (rc != SQLITE_DONE && rc != SQLITE_OK)
		err = fail(q, rc, "foreign_key_check");
	sqlite3_finalize(st);
	return err;
}

/* All migrations in one transaction: SQLite's DDL is transactional, so a
 * failure leaves the database as it was. Foreign keys are off while they
 * run (a migration that rebuilds a referenced table drops it first:
 * 0005) and every one is checked before the commit. */
static int sq_migrate(struct am_store *s, int *from, int *to)
{
	struct sqlite_store *q = sq(s);
	size_t n = am__sqlite_migrations_nr;
	int current = 0;
	int err;

	err = exec(q, "PRAGMA foreign_keys = OFF", "foreign_keys");
	if (err)
		return err;
	q->fk_off = true;
	err = sq_begin(s);
	if (err) {
		fk_back_on(q);
		return err;
	}
	err = exec(q, create_schema_migrations, "schema_migrations");
	if (!err)
		err = read_applied(q, &current);
	for (size_t v = (size_t)current + 1; !err && v <= n; v++)
		err = apply(q, &am__sqlite_migrations[v - 1]);
	if (!err && (size_t)current < n)
		err = fk_check(q);
	if (!err)
		err = sq_commit(s);
	if (err) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		sq_rollback(s);
		memcpy(s->errmsg, saved, sizeof(saved));
		return err;
	}
	*from = current;
	*to = (int)n;
	return 0;
}

/*
 * Meta and idempotency.
 */

static int sq_meta_get(struct am_store *s, const char *key, struct am_arena *a,
		       const char **value)
{
	struct sqlite_store *q = sq(s);
	const char *v;
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_META_GET, &st);

	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, key), "meta get");
	if (err)
		return err;
	err = col_text(st, 0, a, &v);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "meta get: out of memory");
	*value = v;
	return 0;
}

static int sq_meta_set(struct am_store *s, const char *key, const char *value)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_META_SET, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, key);
	rc = rc ? rc : am__sq_bind_text(st, 2, value);
	return step_done(q, st, rc, "meta set");
}

static int sq_idem_claim(struct am_store *s, const char *key,
			 const uint8_t hash[AM_IDEM_HASH_SIZE], int64_t now,
			 bool *existed, uint8_t existing[AM_IDEM_HASH_SIZE])
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_IDEM_INSERT, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, key);
	rc = rc ? rc
		: sqlite3_bind_blob(st, 2, hash, AM_IDEM_HASH_SIZE,
				    SQLITE_STATIC);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, now);
	err = step_done(q, st, rc, "idempotency claim");
	if (err)
		return err;
	if (sqlite3_changes(q->db) == 1) {
		*existed = false;
		return 0;
	}
	err = prepare(q, ST_IDEM_HASH, &st);
	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, key),
		       "idempotency claim");
	if (err)
		return err;
	if (sqlite3_column_bytes(st, 0) != AM_IDEM_HASH_SIZE) {
		am__sq_finish(st);
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "idempotency key '%s' has a bad hash",
				      key);
	}
	memcpy(existing, sqlite3_column_blob(st, 0), AM_IDEM_HASH_SIZE);
	am__sq_finish(st);
	*existed = true;
	return 0;
}

static int sq_idem_set_result(struct am_store *s, const char *key,
			      const char *result)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_IDEM_SET_RESULT, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, key);
	rc = rc ? rc : am__sq_bind_text(st, 2, result);
	err = step_done(q, st, rc, "idempotency result");
	if (!err && sqlite3_changes(q->db) == 0)
		err = am__store_errf(s, AM_ENOT_FOUND,
				     "idempotency key '%s' is not claimed",
				     key);
	return err;
}

static int sq_idem_result(struct am_store *s, const char *key,
			  struct am_arena *a, const char **result)
{
	struct sqlite_store *q = sq(s);
	const char *r;
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_IDEM_RESULT, &st);

	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, key),
		       "idempotency result");
	if (err)
		return err;
	err = col_text(st, 0, a, &r);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "idempotency: out of memory");
	*result = r;
	return 0;
}

/*
 * The registry.
 */

/* The code of a person or workshop just inserted into its side table
 * (nothing when it is there already). */
static int key_add(struct sqlite_store *q, enum stmt_id id, const char *code,
		   const char *what)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(q, id, &st);

	if (err)
		return err;
	return step_done(q, st, am__sq_bind_text(st, 1, code), what);
}

/* Run insert with rec bound; when its key is there, upsert instead (see
 * ST_PERSON_INSERT). */
static int put(struct sqlite_store *q, enum stmt_id insert, enum stmt_id upsert,
	       int (*bind)(sqlite3_stmt *st, const void *rec, int64_t now),
	       const void *rec, int64_t now, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, insert, &st);

	if (err)
		return err;
	rc = bind(st, rec, now);
	rc = rc ? rc : sqlite3_step(st);
	if (rc != SQLITE_CONSTRAINT_PRIMARYKEY) {
		err = rc == SQLITE_DONE ? 0 : fail(q, rc, what);
		am__sq_finish(st);
		return err;
	}
	am__sq_finish(st);
	err = prepare(q, upsert, &st);
	if (err)
		return err;
	return step_done(q, st, bind(st, rec, now), what);
}

static int person_bind(sqlite3_stmt *st, const void *rec, int64_t now)
{
	const struct am_person *p = rec;
	char sex[2] = { p->sex, '\0' };
	int rc;

	rc = am__sq_bind_text(st, 1, p->national_code);
	rc = rc ? rc : am__sq_bind_text(st, 2, p->first_name);
	rc = rc ? rc : am__sq_bind_text(st, 3, p->last_name);
	rc = rc ? rc : am__sq_bind_text(st, 4, p->father_name);
	rc = rc ? rc : am__sq_bind_date(st, 5, p->birth_date);
	/* Copied by SQLite (SQLITE_TRANSIENT): sex is on this stack. */
	rc = rc ? rc : sqlite3_bind_text(st, 6, sex, -1, SQLITE_TRANSIENT);
	rc = rc ? rc : am__sq_bind_text(st, 7, p->nationality);
	rc = rc ? rc : am__sq_bind_text(st, 8, p->insurance_no);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, now);
	return rc;
}

static int sq_person_put(struct am_store *s, const struct am_person *p,
			 int64_t now)
{
	struct sqlite_store *q = sq(s);
	int err = put(q, ST_PERSON_INSERT, ST_PERSON_PUT, person_bind, p, now,
		      "person put");

	return err ? err
		   : key_add(q, ST_PERSON_CODE_ADD, p->national_code,
			     "person code");
}

static int sq_persons_put_many(struct am_store *s,
			       const struct am_person *const *p, size_t n,
			       int64_t now)
{
	return am__sq_persons_put_many(s, sq(s)->bulk, p, n, now);
}

static int sq_persons_ensure_many(struct am_store *s,
				  const struct am_person *const *p, size_t n,
				  int64_t now, size_t *added)
{
	return am__sq_persons_ensure_many(s, sq(s)->bulk, p, n, now, added);
}

static int sq_dependants_put_many(struct am_store *s,
				  const struct am_dependant *const *d, size_t n,
				  int64_t now)
{
	return am__sq_dependants_put_many(s, sq(s)->bulk, d, n, now);
}

static int sq_workshops_put_many(struct am_store *s,
				 const struct am_workshop *const *w, size_t n,
				 int64_t now)
{
	return am__sq_workshops_put_many(s, sq(s)->bulk, w, n, now);
}

static int sq_employers_put_many(struct am_store *s,
				 const struct am_employer *const *e, size_t n,
				 int64_t now)
{
	return am__sq_employers_put_many(s, sq(s)->bulk, e, n, now);
}

static int sq_person_ensure(struct am_store *s, const struct am_person *p,
			    int64_t now, bool *added)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_PERSON_ENSURE, &st);

	if (err)
		return err;
	err = step_done(q, st, person_bind(st, p, now), "person ensure");
	if (!err)
		*added = sqlite3_changes(q->db) == 1;
	if (!err && *added)
		err = key_add(q, ST_PERSON_CODE_ADD, p->national_code,
			      "person code");
	return err;
}

static int sq_person_get(struct am_store *s, const char *national_code,
			 struct am_arena *a, struct am_person *out)
{
	struct sqlite_store *q = sq(s);
	struct am_person p;
	const char *sex;
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_PERSON_GET, &st);

	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, national_code),
		       "person get");
	if (err)
		return err;
	memset(&p, 0, sizeof(p));
	err = col_text(st, 0, a, &p.national_code);
	err = err ? err : col_text(st, 1, a, &p.first_name);
	err = err ? err : col_text(st, 2, a, &p.last_name);
	err = err ? err : col_text(st, 3, a, &p.father_name);
	p.birth_date = col_date(st, 4);
	sex = (const char *)sqlite3_column_text(st, 5);
	p.sex = sex ? sex[0] : '\0';
	err = err ? err : col_text(st, 6, a, &p.nationality);
	err = err ? err : col_text(st, 7, a, &p.insurance_no);
	p.created_at = sqlite3_column_int64(st, 8);
	p.updated_at = sqlite3_column_int64(st, 9);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "person get: out of memory");
	*out = p;
	return 0;
}

static int sq_employer_put(struct am_store *s, const struct am_employer *e,
			   int64_t now)
{
	struct sqlite_store *q = sq(s);
	const char *kind = am_employer_kind_name(e->kind);
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_EMPLOYER_PUT, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, e->id);
	rc = rc ? rc : am__sq_bind_text(st, 2, kind);
	rc = rc ? rc : am__sq_bind_text(st, 3, e->name);
	rc = rc ? rc : am__sq_bind_text(st, 4, e->address);
	rc = rc ? rc : am__sq_bind_text(st, 5, e->phone);
	rc = rc ? rc : sqlite3_bind_int64(st, 6, now);
	return step_done(q, st, rc, "employer put");
}

static int sq_employer_get(struct am_store *s, const char *id,
			   struct am_arena *a, struct am_employer *out)
{
	struct sqlite_store *q = sq(s);
	struct am_employer e;
	const char *kind;
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_EMPLOYER_GET, &st);

	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, id), "employer get");
	if (err)
		return err;
	memset(&e, 0, sizeof(e));
	err = col_text(st, 0, a, &e.id);
	kind = (const char *)sqlite3_column_text(st, 1);
	am_employer_kind_parse(kind, &e.kind);
	err = err ? err : col_text(st, 2, a, &e.name);
	err = err ? err : col_text(st, 3, a, &e.address);
	err = err ? err : col_text(st, 4, a, &e.phone);
	e.created_at = sqlite3_column_int64(st, 5);
	e.updated_at = sqlite3_column_int64(st, 6);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "employer get: out of memory");
	*out = e;
	return 0;
}

static int workshop_bind(sqlite3_stmt *st, const void *rec, int64_t now)
{
	const struct am_workshop *w = rec;
	int rc;

	rc = am__sq_bind_text(st, 1, w->code);
	rc = rc ? rc : am__sq_bind_text(st, 2, w->name);
	rc = rc ? rc : am__sq_bind_text(st, 3, w->employer_id);
	rc = rc ? rc : am__sq_bind_text(st, 4, w->address);
	rc = rc ? rc : am__sq_bind_text(st, 5, w->province);
	rc = rc ? rc : am__sq_bind_text(st, 6, w->branch);
	rc = rc ? rc : am__sq_bind_text(st, 7, w->activity);
	rc = rc ? rc : am__sq_bind_text(st, 8, w->scheme);
	rc = rc ? rc : sqlite3_bind_int(st, 9, w->hard_harmful);
	rc = rc ? rc : sqlite3_bind_int(st, 10, w->small_exempt);
	rc = rc ? rc : sqlite3_bind_int64(st, 11, now);
	return rc;
}

static int sq_workshop_put(struct am_store *s, const struct am_workshop *w,
			   int64_t now)
{
	struct sqlite_store *q = sq(s);
	int err = put(q, ST_WORKSHOP_INSERT, ST_WORKSHOP_PUT, workshop_bind, w,
		      now, "workshop put");

	return err ? err
		   : key_add(q, ST_WORKSHOP_KEY_ADD, w->code, "workshop key");
}

static int sq_workshop_get(struct am_store *s, const char *code,
			   struct am_arena *a, struct am_workshop *out)
{
	struct sqlite_store *q = sq(s);
	struct am_workshop w;
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_WORKSHOP_GET, &st);

	if (err)
		return err;
	err = step_row(q, st, am__sq_bind_text(st, 1, code), "workshop get");
	if (err)
		return err;
	memset(&w, 0, sizeof(w));
	err = col_text(st, 0, a, &w.code);
	err = err ? err : col_text(st, 1, a, &w.name);
	err = err ? err : col_text(st, 2, a, &w.employer_id);
	err = err ? err : col_text(st, 3, a, &w.address);
	err = err ? err : col_text(st, 4, a, &w.province);
	err = err ? err : col_text(st, 5, a, &w.branch);
	err = err ? err : col_text(st, 6, a, &w.activity);
	err = err ? err : col_text(st, 7, a, &w.scheme);
	w.hard_harmful = sqlite3_column_int(st, 8) != 0;
	w.small_exempt = sqlite3_column_int(st, 9) != 0;
	w.created_at = sqlite3_column_int64(st, 10);
	w.updated_at = sqlite3_column_int64(st, 11);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "workshop get: out of memory");
	*out = w;
	return 0;
}

static int dependant_bind(sqlite3_stmt *st, const void *rec, int64_t now)
{
	const struct am_dependant *d = rec;
	int rc;

	rc = am__sq_bind_text(st, 1, d->main_insured);
	rc = rc ? rc : am__sq_bind_text(st, 2, d->dependant);
	rc = rc ? rc : am__sq_bind_text(st, 3, am_relation_name(d->relation));
	rc = rc ? rc : am__sq_bind_date(st, 4, d->since);
	rc = rc ? rc : am__sq_bind_date(st, 5, d->until);
	rc = rc ? rc : sqlite3_bind_int64(st, 6, now);
	return rc;
}

static int sq_dependant_put(struct am_store *s, const struct am_dependant *d,
			    int64_t now)
{
	return put(sq(s), ST_DEPENDANT_INSERT, ST_DEPENDANT_PUT, dependant_bind,
		   d, now, "dependant put");
}

static int sq_dependant_get(struct am_store *s, const char *main_insured,
			    const char *dependant, struct am_arena *a,
			    struct am_dependant *out)
{
	struct sqlite_store *q = sq(s);
	struct am_dependant d;
	enum am_relation rel = AM_RELATION_SPOUSE;
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_DEPENDANT_GET, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, main_insured);
	rc = rc ? rc : am__sq_bind_text(st, 2, dependant);
	err = step_row(q, st, rc, "dependant get");
	if (err)
		return err;
	memset(&d, 0, sizeof(d));
	err = col_text(st, 0, a, &d.main_insured);
	err = err ? err : col_text(st, 1, a, &d.dependant);
	am_relation_parse((const char *)sqlite3_column_text(st, 2), &rel);
	d.relation = rel;
	d.since = col_date(st, 3);
	d.until = col_date(st, 4);
	d.created_at = sqlite3_column_int64(st, 5);
	d.updated_at = sqlite3_column_int64(st, 6);
	am__sq_finish(st);
	if (err)
		return am__store_errf(s, err, "dependant get: out of memory");
	*out = d;
	return 0;
}

/*
 * The audit trail.
 */

static int sq_audit_head(struct am_store *s, uint64_t *seq,
			 uint8_t hash[AM_AUDIT_HASH_SIZE])
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int err = prepare(q, ST_AUDIT_HEAD, &st);

	if (err)
		return err;
	err = step_row(q, st, 0, "audit head");
	if (err == AM_ENOT_FOUND) {
		*seq = 0;
		memset(hash, 0, AM_AUDIT_HASH_SIZE);
		return 0;
	}
	if (err)
		return err;
	if (sqlite3_column_int64(st, 0) < 1 ||
	    sqlite3_column_bytes(st, 1) != AM_AUDIT_HASH_SIZE) {
		am__sq_finish(st);
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "the newest audit entry is damaged; run "
				      "'amanat audit verify'");
	}
	*seq = (uint64_t)sqlite3_column_int64(st, 0);
	memcpy(hash, sqlite3_column_blob(st, 1), AM_AUDIT_HASH_SIZE);
	am__sq_finish(st);
	return 0;
}

static int sq_audit_insert(struct am_store *s, const struct am_audit_entry *e)
{
	struct sqlite_store *q = sq(s);
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(q, ST_AUDIT_INSERT, &st);

	if (err)
		return err;
	if (e->seq > INT64_MAX)
		return am__store_errf(s, AM_EINTERNAL, "audit seq overflow");
	rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)e->seq);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, e->at);
	rc = rc ? rc : am__sq_bind_text(st, 3, e->actor);
	rc = rc ? rc : am__sq_bind_text(st, 4, e->action);
	rc = rc ? rc : am__sq_bind_text(st, 5, e->subject);
	rc = rc ? rc : am__sq_bind_text(st, 6, e->payload);
	rc = rc ? rc
		: sqlite3_bind_blob(st, 7, e->prev_hash, AM_AUDIT_HASH_SIZE,
				    SQLITE_STATIC);
	rc = rc ? rc
		: sqlite3_bind_blob(st, 8, e->hash, AM_AUDIT_HASH_SIZE,
				    SQLITE_STATIC);
	err = step_done(q, st, rc, "audit append");
	if (!err && sqlite3_changes(q->db) != 1)
		err = am__store_errf(s, AM_ESTORE_CONFLICT,
				     "audit append: the payload is not JSON");
	return err;
}

/* Copy a 32-byte hash column; false (and zeros) when it is not one. */
static bool col_hash(sqlite3_stmt *st, int i, uint8_t out[AM_AUDIT_HASH_SIZE])
{
	const void *b = sqlite3_column_blob(st, i);

	if (!b || sqlite3_column_bytes(st, i) != AM_AUDIT_HASH_SIZE) {
		memset(out, 0, AM_AUDIT_HASH_SIZE);
		return false;
	}
	memcpy(out, b, AM_AUDIT_HASH_SIZE);
	return true;
}

/* Not a cached statement: a callback may walk the trail again. */
static int sq_audit_iterate(struct am_store *s, uint64_t from_seq,
			    int (*fn)(const struct am_audit_entry *e,
				      bool malformed, void *ctx),
			    void *ctx)
{
	struct sqlite_store *q = sq(s);
	struct am_audit_entry e;
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(q->db, audit_iterate_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1,
					from_seq > INT64_MAX
						? INT64_MAX
						: (sqlite3_int64)from_seq);
	if (rc != SQLITE_OK) {
		err = fail(q, rc, "audit walk");
		goto out_stmt;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool ok;

		memset(&e, 0, sizeof(e));
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.at = sqlite3_column_int64(st, 1);
		e.actor = (const char *)sqlite3_column_text(st, 2);
		e.action = (const char *)sqlite3_column_text(st, 3);
		e.subject = (const char *)sqlite3_column_text(st, 4);
		e.payload = (const char *)sqlite3_column_text(st, 5);
		ok = col_hash(st, 6, e.prev_hash);
		ok = col_hash(st, 7, e.hash) && ok;
		err = fn(&e, !ok, ctx);
		if (err)
			goto out_stmt;
	}
	if (rc != SQLITE_DONE)
		err = fail(q, rc, "audit walk");
out_stmt:
	sqlite3_finalize(st);
	return err;
}

int am__store_sqlite_busy_timeout(struct am_store *s, int ms)
{
	if (s->be != &am__store_sqlite || ms < 0)
		return AM_EINVALID_ARGUMENT;
	sqlite3_busy_timeout(sq(s)->db, ms);
	return 0;
}

/* Its file: a second handle on it needs a SQLite built with threads. */
static const char *sq_uri(struct am_store *s)
{
	const char *path;

	if (!sqlite3_threadsafe())
		return NULL;
	path = sqlite3_db_filename(sq(s)->db, "main");
	return path && *path ? path : NULL;
}

const struct am_store_backend am__store_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.uri = sq_uri,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.begin_checked = sq_begin_checked,
	.load_begin = sq_load_begin,
	.load_end = sq_load_end,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.schema_latest = sq_schema_latest,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.idem_claim = sq_idem_claim,
	.idem_set_result = sq_idem_set_result,
	.idem_result = sq_idem_result,
	.person_put = sq_person_put,
	.person_get = sq_person_get,
	.person_ensure = sq_person_ensure,
	.employer_put = sq_employer_put,
	.employer_get = sq_employer_get,
	.workshop_put = sq_workshop_put,
	.workshop_get = sq_workshop_get,
	.dependant_put = sq_dependant_put,
	.persons_put_many = sq_persons_put_many,
	.persons_ensure_many = sq_persons_ensure_many,
	.dependants_put_many = sq_dependants_put_many,
	.workshops_put_many = sq_workshops_put_many,
	.employers_put_many = sq_employers_put_many,
	.dependant_get = sq_dependant_get,
	.audit_head = sq_audit_head,
	.audit_insert = sq_audit_insert,
	.audit_iterate = sq_audit_iterate,
	.list_find = am__sq_list_find,
	.list_insert = am__sq_list_insert,
	.list_supersede = am__sq_list_supersede,
	.ledger_id = am__sq_ledger_id,
	.workshop_terms = am__sq_workshop_terms,
	.persons_known = am__sq_persons_known,
	.person_codes = am__sq_person_codes,
	.person_set_min = am__sq_person_set_min,
	.line_read = am__sq_line_read,
	.index_add = am__sq_index_add,
	.person_lines = am__sq_person_lines,
	.compact = am__sq_compact,
	.posting = sq_posting,
	.autocheckpoint = sq_autocheckpoint,
	.checkpoint = sq_checkpoint,
	.ledger_append = am__sq_ledger_append,
	.ledger_get = am__sq_ledger_get,
	.ledger_walk = am__sq_ledger_walk,
	.history_insert = am__sq_history_insert,
	.payment_find = am__sq_payment_find,
	.payment_insert = am__sq_payment_insert,
	.history_rows = am__sq_history_rows,
	.workshop_txns = am__sq_workshop_txns,
	.lists_posted = am__sq_lists_posted,
	.list_body = am__sq_list_body,
	.rows_walk = am__sq_rows_walk,
	.rows_load = am__sq_rows_load,
};
