/* The PostgreSQL backend: one libpq connection per handle, statements
 * prepared once per connection with results in binary, writers taking
 * turns on a lock as SQLite's do, the ledger's rows and the by-person
 * index sent by COPY (pg_wage.c). */
#include "core/internal.h"

#include <endian.h>

#include "store/pg_int.h"

/* A walk fetches this many rows of its cursor at a time. */
#define WALK_FETCH 4096

/* The key of the advisory lock "amanat init" holds while it migrates, so
 * that two at once do not both create the tables ('amanat' in ASCII). */
#define MIGRATE_LOCK 0x616d616e6174LL

struct pg_store {
	struct am_store base; /* first: the handle is cast both ways */
	PGconn *conn;
	char *uri; /* "pg:" and the connection string, for a second handle */
	bool readonly;
	bool tx;	/* a transaction is open (a write, or a walk's own) */
	unsigned walks; /* cursors open: each its own name */
	bool prepared[AM__PG_STMTS];
	struct am__pg_wage wage;
	struct am_buf scratch;
};

static struct pg_store *pq(struct am_store *s)
{
	return (struct pg_store *)s;
}

PGconn *am__pg_conn(struct am_store *s)
{
	return pq(s)->conn;
}

struct am__pg_wage *am__pg_wage(struct am_store *s)
{
	return &pq(s)->wage;
}

struct am_buf *am__pg_scratch(struct am_store *s)
{
	return &pq(s)->scratch;
}

/*
 * Errors.
 */

static int map_state(const char *state)
{
	if (!state || strlen(state) != 5)
		return AM_ESTORE_SQL;
	if (!strncmp(state, "23", 2))
		return AM_ESTORE_CONFLICT; /* integrity constraint */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
	    !strcmp(state, "55P03") || !strcmp(state, "57014"))
		return AM_ESTORE_BUSY; /* serialization, deadlock, lock */
	if (!strcmp(state, "42P01"))
		return AM_ESTORE_NOT_INITIALISED; /* undefined table */
	if (!strncmp(state, "08", 2) || !strncmp(state, "53", 2) ||
	    !strncmp(state, "58", 2))
		return AM_EIO; /* connection, resources, system */
	if (!strncmp(state, "XX", 2))
		return AM_ESTORE_CORRUPT;
	return AM_ESTORE_SQL;
}

/* The first line of a libpq message, without its trailing newline. */
static void first_line(const char *msg, char *out, size_t size)
{
	size_t n = 0;

	while (msg && msg[n] && msg[n] != '\n' && n + 1 < size)
		n++;
	if (size) {
		if (msg)
			memcpy(out, msg, n);
		out[n] = '\0';
	}
}

int am__pg_fail(struct am_store *s, const PGresult *r, const char *what)
{
	struct pg_store *q = pq(s);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
			    : NULL;
	char line[AM__STORE_ERRMSG_MAX];
	int err;

	if (!msg)
		msg = PQerrorMessage(q->conn);
	first_line(msg, line, sizeof(line));
	if (PQstatus(q->conn) == CONNECTION_BAD)
		return am__store_errf(s, AM_EIO,
				      "%s: the connection to PostgreSQL was "
				      "lost: %s",
				      what, line);
	if (state && !strcmp(state, "25P02"))
		return am__store_errf(s, AM_ESTORE_SQL,
				      "%s: the transaction was aborted by an "
				      "earlier failure; roll it back",
				      what);
	err = map_state(state);
	/* On PostgreSQL a failed statement aborts the whole transaction
	 * (SQLite undoes the statement alone): only a rollback, or one to
	 * the unit's savepoint, may follow. */
	if (s->in_tx && PQtransactionStatus(q->conn) == PQTRANS_INERROR)
		s->tx_failed = true;
	if (err == AM_ESTORE_NOT_INITIALISED)
		return am__store_errf(s, err, "%s: %s (run 'amanat init')",
				      what, line);
	return am__store_errf(s, err, "%s: %s", what, line);
}

/*
 * Parameters and columns.
 */

static void put_be64(unsigned char *b, uint64_t v)
{
	v = htobe64(v);
	memcpy(b, &v, 8);
}

void am__pg_int(struct am__pg_params *p, int64_t v)
{
	int i = p->n++;

	put_be64(p->ints[i], (uint64_t)v);
	p->v[i] = (const char *)p->ints[i];
	p->len[i] = 8;
	p->fmt[i] = 1;
}

void am__pg_text(struct am__pg_params *p, const char *s)
{
	int i = p->n++;

	p->v[i] = s;
	p->len[i] = 0;
	p->fmt[i] = 0;
}

void am__pg_bytes(struct am__pg_params *p, const void *b, size_t n)
{
	int i = p->n++;

	/* A zero-length value needs a non-NULL pointer (NULL is SQL NULL). */
	p->v[i] = n ? (const char *)b : "";
	p->len[i] = (int)n;
	p->fmt[i] = 1;
}

void am__pg_opt_int(struct am__pg_params *p, int64_t v)
{
	if (v)
		am__pg_int(p, v);
	else
		am__pg_text(p, NULL);
}

void am__pg_date(struct am__pg_params *p, am_date d)
{
	if (d == AM_DATE_NONE)
		am__pg_text(p, NULL);
	else
		am__pg_int(p, d);
}

bool am__pg_col_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

int64_t am__pg_col_int(const PGresult *r, int row, int col)
{
	const unsigned char *b;
	uint64_t v = 0;

	if (PQgetisnull(r, row, col))
		return 0;
	b = (const unsigned char *)PQgetvalue(r, row, col);
	switch (PQgetlength(r, row, col)) {
	case 8:
		for (int i = 0; i < 8; i++)
			v = v << 8 | b[i];
		return (int64_t)v;
	case 4:
		for (int i = 0; i < 4; i++)
			v = v << 8 | b[i];
		return (int32_t)(uint32_t)v;
	case 2:
		return (int16_t)(uint16_t)(b[0] << 8 | b[1]);
	case 1: /* bool */
		return b[0] != 0;
	default:
		return 0;
	}
}

int am__pg_col_text(const PGresult *r, int row, int col, struct am_arena *a,
		    const char **out)
{
	*out = NULL;
	if (PQgetisnull(r, row, col))
		return 0;
	*out = am_arena_strndup(a, PQgetvalue(r, row, col),
				(size_t)PQgetlength(r, row, col));
	return *out ? 0 : AM_ENOMEM;
}

void am__pg_col_code(const PGresult *r, int row, int col, char *out,
		     size_t size)
{
	size_t n = PQgetisnull(r, row, col) ? 0
					    : (size_t)PQgetlength(r, row, col);

	if (n >= size)
		n = size - 1;
	memcpy(out, PQgetvalue(r, row, col), n);
	out[n] = '\0';
}

am_date am__pg_col_date(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? AM_DATE_NONE
					: (am_date)am__pg_col_int(r, row, col);
}

/*
 * Statements.
 */

static Oid type_oid(char t)
{
	switch (t) {
	case 'i':
		return 20; /* int8 */
	case 'b':
		return 17; /* bytea */
	case 'A':
		return 1016; /* int8[] */
	default:
		return 25; /* text */
	}
}

static int prepare(struct am_store *s, const struct am__pg_stmt *st)
{
	struct pg_store *q = pq(s);
	Oid types[AM__PG_PARAMS_MAX];
	size_t n = strlen(st->types);
	char name[16];
	PGresult *r;
	int err = 0;

	if (n > AM__PG_PARAMS_MAX || st->id < 0 || st->id >= AM__PG_STMTS)
		return am__store_errf(s, AM_EINTERNAL, "statement %d", st->id);
	if (q->prepared[st->id])
		return 0;
	for (size_t i = 0; i < n; i++)
		types[i] = type_oid(st->types[i]);
	snprintf(name, sizeof(name), "am%d", st->id);
	r = PQprepare(q->conn, name, st->sql, (int)n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		err = am__pg_fail(s, r, "prepare");
	else
		q->prepared[st->id] = true;
	PQclear(r);
	return err;
}

static bool result_ok(const PGresult *r)
{
	ExecStatusType t = PQresultStatus(r);

	return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

int am__pg_run(struct am_store *s, const struct am__pg_stmt *st,
	       const struct am__pg_params *p, PGresult **res, const char *what)
{
	struct pg_store *q = pq(s);
	char name[16];
	PGresult *r;
	int err;

	if (res)
		*res = NULL;
	if ((size_t)p->n != strlen(st->types))
		return am__store_errf(s, AM_EINTERNAL,
				      "%s: %d parameters for %zu", what, p->n,
				      strlen(st->types));
	err = prepare(s, st);
	if (err)
		return err;
	snprintf(name, sizeof(name), "am%d", st->id);
	r = PQexecPrepared(q->conn, name, p->n, p->v, p->len, p->fmt, 1);
	if (!result_ok(r)) {
		err = am__pg_fail(s, r, what);
		PQclear(r);
		return err;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

int am__pg_exec(struct am_store *s, const char *sql, const char *what)
{
	PGresult *r = PQexec(pq(s)->conn, sql);
	int err = result_ok(r) ? 0 : am__pg_fail(s, r, what);

	PQclear(r);
	return err;
}

/* VACUUM (ANALYZE): the planner's statistics for every table, and the
 * visibility map that lets the scans of keys (person_codes(), the
 * workshops' terms) read the index alone, not every row's page. */
static int pg_after_load(struct am_store *s)
{
	if (pq(s)->tx)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "vacuum with a transaction open");
	return am__pg_exec(s, "VACUUM (ANALYZE)", "vacuum");
}

int am__pg_literal(struct am_store *s, const char *text, struct am_buf *out)
{
	char *lit = PQescapeLiteral(pq(s)->conn, text, strlen(text));
	int err;

	if (!lit)
		return am__pg_fail(s, NULL, "escape");
	err = am_buf_add(out, lit, strlen(lit));
	PQfreemem(lit);
	return err ? am__store_errf(s, err, "out of memory") : 0;
}

int am__pg_walk(struct am_store *s, const char *sql,
		int (*fn)(void *ctx, const PGresult *r, int row), void *ctx,
		const char *what)
{
	struct pg_store *q = pq(s);
	bool own = !q->tx;
	struct am_buf b;
	char cur[32], fetch[64];
	int err = 0, stop = 0;

	if (own) {
		/* One snapshot for the whole walk. */
		err = am__pg_exec(s,
				  "BEGIN ISOLATION LEVEL REPEATABLE READ "
				  "READ ONLY",
				  what);
		if (err)
			return err;
		q->tx = true;
	} else {
		err = am__pg_flush(s);
		if (err)
			return err;
	}
	snprintf(cur, sizeof(cur), "am_walk%u", q->walks++);
	am_buf_init(&b, 0);
	if (am_buf_addf(&b, "DECLARE %s NO SCROLL CURSOR FOR %s", cur, sql))
		err = am__store_errf(s, AM_ENOMEM, "%s: out of memory", what);
	if (!err)
		err = am__pg_exec(s, b.buf, what);
	am_buf_release(&b);
	snprintf(fetch, sizeof(fetch), "FETCH %d FROM %s", WALK_FETCH, cur);
	while (!err && !stop) {
		PGresult *r = PQexecParams(q->conn, fetch, 0, NULL, NULL, NULL,
					   NULL, 1);
		int n;

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			err = am__pg_fail(s, r, what);
			PQclear(r);
			break;
		}
		n = PQntuples(r);
		for (int i = 0; i < n && !stop; i++)
			stop = fn(ctx, r, i);
		PQclear(r);
		if (n < WALK_FETCH)
			break;
	}
	if (!err) {
		char close[48];

		snprintf(close, sizeof(close), "CLOSE %s", cur);
		err = am__pg_exec(s, close, what);
	}
	q->walks--;
	if (own) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		if (am__pg_exec(s, err ? "ROLLBACK" : "COMMIT", what) && !err)
			err = AM_ESTORE_SQL;
		else
			memcpy(s->errmsg, saved, sizeof(saved));
		q->tx = false;
	}
	return err ? err : stop;
}

/*
 * Opening.
 */

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_open(const char *conninfo, unsigned flags, struct am_store **out,
		   char *errmsg)
{
	bool readonly = flags & AM_STORE_OPEN_READONLY;
	struct pg_store *q;
	size_t n;

	*out = NULL;
	if (!*conninfo) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX,
			 "no PostgreSQL connection string after 'pg:'");
		return AM_EINVALID_ARGUMENT;
	}
	q = calloc(1, sizeof(*q));
	n = strlen(conninfo) + 4;
	if (q)
		q->uri = malloc(n);
	if (!q || !q->uri) {
		free(q);
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "out of memory");
		return AM_ENOMEM;
	}
	snprintf(q->uri, n, "pg:%s", conninfo);
	am_buf_init(&q->scratch, 0);
	am__pg_wage_init(&q->base);
	q->readonly = readonly;
	q->conn = PQconnectdb(conninfo);
	if (!q->conn || PQstatus(q->conn) != CONNECTION_OK) {
		char line[AM__STORE_ERRMSG_MAX - 40];

		first_line(q->conn ? PQerrorMessage(q->conn) : "out of memory",
			   line, sizeof(line));
		snprintf(errmsg, AM__STORE_ERRMSG_MAX,
			 "PostgreSQL refused the connection: %s", line);
		goto out_fail;
	}
	/* The server's notices ("already exists, skipping") are not the
	 * user's business: libpq would print them on stderr. */
	PQsetNoticeProcessor(q->conn, ignore_notice, NULL);
	if (PQsetClientEncoding(q->conn, "UTF8")) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX,
			 "PostgreSQL: the client encoding UTF8 was refused");
		goto out_fail;
	}
	/* Times are unix seconds, dates day numbers: no setting of the
	 * server's changes what is stored. A reader cannot write. */
	if (readonly &&
	    am__pg_exec(&q->base, "SET default_transaction_read_only = on",
			"open")) {
		snprintf(errmsg, AM__STORE_ERRMSG_MAX, "%s", q->base.errmsg);
		goto out_fail;
	}
	*out = &q->base;
	return 0;

out_fail:
	PQfinish(q->conn);
	am_buf_release(&q->scratch);
	free(q->uri);
	free(q);
	return AM_ESTORE_OPEN;
}

static void pg_close(struct am_store *s)
{
	struct pg_store *q = pq(s);

	am__pg_wage_free(s);
	/* Closing the connection rolls back what is open. */
	PQfinish(q->conn);
	am_buf_release(&q->scratch);
	free(q->uri);
	free(q);
}

static const char *pg_uri(struct am_store *s)
{
	return pq(s)->uri;
}

/*
 * Transactions. A writer locks write_lock first, so writers take turns:
 * the audit chain's next entry and the ledger's next ids are then the
 * writer's own until it commits, as under SQLite's BEGIN IMMEDIATE.
 * Readers take no lock and are never waited for.
 */

static int pg_begin(struct am_store *s)
{
	struct pg_store *q = pq(s);
	int err;

	if (q->tx) {
		/* Left open by a rollback that failed: nobody owns it. */
		err = am__pg_exec(s, "ROLLBACK", "rollback");
		if (err)
			return err;
		q->tx = false;
	}
	am__pg_drop(s);
	am__pg_ids_forget(s);
	if (q->readonly) {
		err = am__pg_exec(s,
				  "BEGIN ISOLATION LEVEL REPEATABLE READ "
				  "READ ONLY",
				  "begin");
	} else {
		/* The row's lock makes writers take turns; its number says
		 * whether anyone wrote since this handle's last commit. */
		static const struct am__pg_stmt st_generation = {
			19,
			"UPDATE write_lock SET generation = generation + 1"
			" RETURNING generation",
			""
		};
		struct am__pg_params p = { 0 };
		PGresult *r = NULL;

		err = am__pg_exec(s, "BEGIN", "begin");
		if (!err)
			err = am__pg_run(s, &st_generation, &p, &r, "begin");
		if (!err && PQntuples(r) != 1)
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "begin: write_lock has no row");
		if (!err)
			am__pg_generation(s, am__pg_col_int(r, 0, 0));
		if (r)
			PQclear(r);
	}
	if (err) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		(void)am__pg_exec(s, "ROLLBACK", "rollback");
		memcpy(s->errmsg, saved, sizeof(saved));
		return err;
	}
	q->tx = true;
	return 0;
}

static int pg_commit(struct am_store *s)
{
	struct pg_store *q = pq(s);
	PGresult *r;
	int err;

	err = am__pg_flush(s);
	if (!err)
		err = am__pg_ids_return(s);
	if (err)
		return err;
	r = PQexec(q->conn, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = am__pg_fail(s, r, "commit");
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		/* COMMIT of a transaction a failure aborted rolls it back. */
		err = am__store_errf(s, AM_ESTORE_SQL,
				     "commit: the transaction was aborted by "
				     "an earlier failure and rolled back");
	}
	PQclear(r);
	if (err)
		am__pg_forget(s);
	else if (!q->readonly)
		am__pg_committed(s);
	/* Either way the transaction is over unless the COMMIT could not be
	 * sent (the caller rolls back, which then finds nothing open). */
	q->tx = PQtransactionStatus(q->conn) != PQTRANS_IDLE;
	am__pg_ids_forget(s);
	return err;
}

static int pg_rollback(struct am_store *s)
{
	struct pg_store *q = pq(s);
	int err = 0;

	am__pg_drop(s);
	am__pg_ids_forget(s);
	am__pg_forget(s);
	if (PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		err = am__pg_exec(s, "ROLLBACK", "rollback");
	q->tx = false;
	return err;
}

/* The waiting rows go in first, so that a rollback to the savepoint drops
 * exactly those that came after it. */
static int pg_savepoint(struct am_store *s)
{
	int err = am__pg_flush(s);

	return err ? err : am__pg_exec(s, "SAVEPOINT am_unit", "savepoint");
}

static int pg_release(struct am_store *s)
{
	return am__pg_exec(s, "RELEASE am_unit", "release");
}

/* The unit began in a healthy transaction: undone, it is healthy again. */
static int pg_rollback_to(struct am_store *s)
{
	int err;

	am__pg_drop(s);
	am__pg_forget(s);
	err = am__pg_exec(s, "ROLLBACK TO am_unit; RELEASE am_unit",
			  "rollback to savepoint");
	if (!err)
		s->tx_failed = false;
	return err;
}

/*
 * Schema: the backend's own numbered migrations (migrations_pg/),
 * recorded with their checksums in schema_migrations as on SQLite.
 */

static int pg_schema_latest(const struct am_store *s)
{
	(void)s;
	return am__migrations_latest(am__pg_migrations, am__pg_migrations_nr);
}

static const struct am__pg_stmt st_has_migrations = {
	0, "SELECT to_regclass('schema_migrations') IS NOT NULL", ""
};
static const struct am__pg_stmt st_schema_version = {
	1, "SELECT coalesce(max(version), 0)::int8 FROM schema_migrations", ""
};
static const struct am__pg_stmt st_migration_insert = {
	2,
	"INSERT INTO schema_migrations (version, name, checksum, applied_at)"
	" VALUES ($1, $2, $3, $4)",
	"itti"
};

static int pg_schema_version(struct am_store *s, int *version)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	bool has;
	int err;

	err = am__pg_run(s, &st_has_migrations, &p, &r, "schema version");
	if (err)
		return err;
	has = am__pg_col_int(r, 0, 0) != 0;
	PQclear(r);
	*version = 0;
	if (!has)
		return 0;
	err = am__pg_run(s, &st_schema_version, &p, &r, "schema version");
	if (err)
		return err;
	*version = (int)am__pg_col_int(r, 0, 0);
	PQclear(r);
	return 0;
}

static int read_applied(struct am_store *s, int *current)
{
	PGresult *r = PQexecParams(pq(s)->conn,
				   "SELECT version::int8, checksum FROM"
				   " schema_migrations ORDER BY version",
				   0, NULL, NULL, NULL, NULL, 1);
	int err = 0, n = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		err = am__pg_fail(s, r, "read schema_migrations");
		PQclear(r);
		return err;
	}
	for (int i = 0; !err && i < PQntuples(r); i++) {
		char sum[80];

		am__pg_col_code(r, i, 1, sum, sizeof(sum));
		err = am__migration_check_applied(
			s, am__pg_migrations, am__pg_migrations_nr, ++n,
			(int)am__pg_col_int(r, i, 0), sum);
	}
	PQclear(r);
	*current = n;
	return err;
}

static int apply(struct am_store *s, const struct am__migration *m)
{
	struct am__pg_params p = { 0 };
	char sum[65];
	int err;

	err = am__migration_checksum(m, sum);
	if (err)
		return am__store_errf(s, err, "BLAKE2b failed");
	err = am__pg_exec(s, m->sql, m->name);
	if (err)
		return err;
	am__pg_int(&p, m->version);
	am__pg_text(&p, m->name);
	am__pg_text(&p, sum);
	am__pg_int(&p, am__store_now(s));
	return am__pg_run(s, &st_migration_insert, &p, NULL,
			  "record migration");
}

/* All migrations in one transaction (PostgreSQL's DDL is transactional),
 * under a lock that a second "amanat init" waits for. */
static int pg_migrate(struct am_store *s, int *from, int *to)
{
	struct pg_store *q = pq(s);
	size_t n = am__pg_migrations_nr;
	char sql[160];
	int current = 0, err;

	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
		 MIGRATE_LOCK);
	err = am__pg_exec(s, sql, "migrate");
	if (!err) {
		q->tx = true;
		err = am__pg_exec(s,
				  "CREATE TABLE IF NOT EXISTS "
				  "schema_migrations ("
				  " version integer PRIMARY KEY"
				  " CHECK (version >= 1),"
				  " name text NOT NULL,"
				  " checksum text NOT NULL,"
				  " applied_at bigint NOT NULL)",
				  "schema_migrations");
	}
	if (!err)
		err = read_applied(s, &current);
	for (size_t v = (size_t)current + 1; !err && v <= n; v++)
		err = apply(s, &am__pg_migrations[v - 1]);
	if (!err)
		err = pg_commit(s);
	if (err) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		pg_rollback(s);
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

static const struct am__pg_stmt st_meta_get = {
	3, "SELECT value FROM meta WHERE key = $1", "t"
};
static const struct am__pg_stmt st_meta_set = {
	4,
	"INSERT INTO meta (key, value) VALUES ($1, $2)"
	" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	"tt"
};
static const struct am__pg_stmt st_idem_claim = {
	5,
	"WITH ins AS (INSERT INTO idempotency (key, request_hash, created_at)"
	" VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING 1)"
	" SELECT (SELECT count(*) FROM ins)::int8,"
	" (SELECT request_hash FROM idempotency WHERE key = $1)",
	"tbi"
};
static const struct am__pg_stmt st_idem_set_result = {
	6, "UPDATE idempotency SET result = $2 WHERE key = $1", "tt"
};
static const struct am__pg_stmt st_idem_result = {
	7, "SELECT result FROM idempotency WHERE key = $1", "t"
};

/* The first row's text column 0 into a; AM_ENOT_FOUND when none. */
static int one_text(struct am_store *s, PGresult *r, struct am_arena *a,
		    const char **out, const char *what)
{
	int err = 0;

	if (PQntuples(r) < 1)
		err = AM_ENOT_FOUND;
	else if (am__pg_col_text(r, 0, 0, a, out))
		err = am__store_errf(s, AM_ENOMEM, "%s: out of memory", what);
	PQclear(r);
	return err;
}

static int pg_meta_get(struct am_store *s, const char *key, struct am_arena *a,
		       const char **value)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, key);
	err = am__pg_run(s, &st_meta_get, &p, &r, "meta get");
	return err ? err : one_text(s, r, a, value, "meta get");
}

static int pg_meta_set(struct am_store *s, const char *key, const char *value)
{
	struct am__pg_params p = { 0 };

	am__pg_text(&p, key);
	am__pg_text(&p, value);
	return am__pg_run(s, &st_meta_set, &p, NULL, "meta set");
}

/* The insert and, when the key was there, its hash, in one statement (a
 * CTE's insert is not seen by the same statement's reads, so the hash
 * read is the older row's). */
static int pg_idem_claim(struct am_store *s, const char *key,
			 const uint8_t hash[AM_IDEM_HASH_SIZE], int64_t now,
			 bool *existed, uint8_t existing[AM_IDEM_HASH_SIZE])
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, key);
	am__pg_bytes(&p, hash, AM_IDEM_HASH_SIZE);
	am__pg_int(&p, now);
	err = am__pg_run(s, &st_idem_claim, &p, &r, "idempotency claim");
	if (err)
		return err;
	*existed = am__pg_col_int(r, 0, 0) == 0;
	if (*existed) {
		if (PQgetlength(r, 0, 1) != AM_IDEM_HASH_SIZE) {
			PQclear(r);
			return am__store_errf(s, AM_ESTORE_CORRUPT,
					      "idempotency key '%s' has a bad "
					      "hash",
					      key);
		}
		memcpy(existing, PQgetvalue(r, 0, 1), AM_IDEM_HASH_SIZE);
	}
	PQclear(r);
	return 0;
}

static int pg_idem_set_result(struct am_store *s, const char *key,
			      const char *result)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, key);
	am__pg_text(&p, result);
	err = am__pg_run(s, &st_idem_set_result, &p, &r, "idempotency result");
	if (err)
		return err;
	if (strcmp(PQcmdTuples(r), "1") != 0)
		err = am__store_errf(s, AM_ENOT_FOUND,
				     "idempotency key '%s' is not claimed",
				     key);
	PQclear(r);
	return err;
}

static int pg_idem_result(struct am_store *s, const char *key,
			  struct am_arena *a, const char **result)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, key);
	err = am__pg_run(s, &st_idem_result, &p, &r, "idempotency result");
	return err ? err : one_text(s, r, a, result, "idempotency result");
}

/*
 * The registry. A put is one upsert; a refused one (a check, an unknown
 * employer) undoes itself alone, as on SQLite.
 */

#define PERSON_COLS                                                      \
	"national_code, first_name, last_name, father_name, birth_date," \
	" sex, nationality, insurance_no, created_at, updated_at"
/* The person's row, when it fits the table's checks (asked here, so that
 * a refusal is an answer and not an aborted transaction), inserted or
 * updated; the statement says whether it fitted and whether it wrote. */
#define PERSON_FITS                                                   \
	"WITH v AS (SELECT $1::text, $2::text, $3::text, $4::text,"   \
	" $5::int8, $6::text, $7::text, $8::text, $9::int8, $9::int8" \
	" WHERE $1 ~ '^[0-9]{10}$' AND $6 IN ('M', 'F')"              \
	" AND ($8 IS NULL OR $8 ~ '^([0-9]{8}|[0-9]{10})$')),"        \
	" w AS (INSERT INTO persons (" PERSON_COLS ") SELECT * FROM v"

static const struct am__pg_stmt st_person_put = {
	8,
	PERSON_FITS
	" ON CONFLICT (national_code) DO UPDATE SET"
	" first_name = excluded.first_name,"
	" last_name = excluded.last_name,"
	" father_name = excluded.father_name,"
	" birth_date = excluded.birth_date, sex = excluded.sex,"
	" nationality = excluded.nationality,"
	" insurance_no = excluded.insurance_no,"
	" updated_at = excluded.updated_at RETURNING 1)"
	" SELECT (SELECT count(*) FROM v), (SELECT count(*) FROM w)",
	"ttttittti" /* created_at and updated_at are both $9 */
};
static const struct am__pg_stmt st_person_ensure = {
	9,
	PERSON_FITS
	" ON CONFLICT (national_code) DO NOTHING RETURNING 1)"
	" SELECT (SELECT count(*) FROM v), (SELECT count(*) FROM w)",
	"ttttittti"
};
static const struct am__pg_stmt st_person_get = {
	10, "SELECT " PERSON_COLS " FROM persons WHERE national_code = $1", "t"
};
static const struct am__pg_stmt st_employer_put = {
	11,
	"INSERT INTO employers (id, kind, name, address, phone, created_at,"
	" updated_at) SELECT $1, $2, $3, $4, $5, $6, $6"
	" WHERE $1 ~ '^[0-9]*$' AND (($2 = 'person' AND length($1) = 10)"
	" OR ($2 = 'legal' AND length($1) = 11))"
	" ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
	" name = excluded.name, address = excluded.address,"
	" phone = excluded.phone, updated_at = excluded.updated_at",
	"ttttti"
};
static const struct am__pg_stmt st_employer_get = {
	12,
	"SELECT id, kind, name, address, phone, created_at, updated_at"
	" FROM employers WHERE id = $1",
	"t"
};
static const struct am__pg_stmt st_workshop_put = {
	13,
	"INSERT INTO workshops (code, name, employer_id, address, province,"
	" branch, activity, scheme, hard_harmful, small_exempt, created_at,"
	" updated_at)"
	" SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11"
	" WHERE $1 ~ '^[0-9]{10}$' AND $9 IN (0, 1) AND $10 IN (0, 1)"
	" AND ($3 IS NULL OR EXISTS (SELECT 1 FROM employers WHERE id = $3))"
	" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
	" employer_id = excluded.employer_id, address = excluded.address,"
	" province = excluded.province, branch = excluded.branch,"
	" activity = excluded.activity, scheme = excluded.scheme,"
	" hard_harmful = excluded.hard_harmful,"
	" small_exempt = excluded.small_exempt,"
	" updated_at = excluded.updated_at",
	"ttttttttiii"
};
static const struct am__pg_stmt st_workshop_get = {
	14,
	"SELECT code, name, employer_id, address, province, branch, activity,"
	" scheme, hard_harmful, small_exempt, created_at, updated_at"
	" FROM workshops WHERE code = $1",
	"t"
};
static const struct am__pg_stmt st_dependant_put = {
	15,
	"INSERT INTO dependants (main_insured, dependant, relation, since,"
	" until, created_at, updated_at)"
	" SELECT $1, $2, $3, $4, $5, $6, $6"
	" WHERE $3 IN ('spouse', 'child', 'father', 'mother')"
	" AND $1 <> $2 AND ($5 IS NULL OR $5 >= $4)"
	" AND (SELECT count(*) FROM persons WHERE national_code IN ($1, $2))"
	" = 2"
	" ON CONFLICT (main_insured, dependant) DO UPDATE SET"
	" relation = excluded.relation, since = excluded.since,"
	" until = excluded.until, updated_at = excluded.updated_at",
	"tttiii"
};
static const struct am__pg_stmt st_dependant_get = {
	16,
	"SELECT main_insured, dependant, relation, since, until, created_at,"
	" updated_at FROM dependants WHERE main_insured = $1"
	" AND dependant = $2",
	"tt"
};

/* A put whose statement writes nothing when the row does not fit the
 * table's checks or a row it refers to is not there (an unknown employer,
 * person): refused with AM_ESTORE_CONFLICT as SQLite's constraints refuse
 * it, the transaction still usable. */
static int put_known(struct am_store *s, const struct am__pg_stmt *st,
		     const struct am__pg_params *p, const char *what,
		     const char *why)
{
	PGresult *r;
	int err = am__pg_run(s, st, p, &r, what);

	if (err)
		return err;
	if (!strcmp(PQcmdTuples(r), "0"))
		err = am__store_errf(s, AM_ESTORE_CONFLICT,
				     "%s: CHECK or FOREIGN KEY constraint "
				     "failed: %s",
				     what, why);
	PQclear(r);
	return err;
}

/* The fit and written counts of PERSON_FITS. */
static int person_fits(struct am_store *s, const struct am__pg_stmt *st,
		       const struct am__pg_params *p, const char *what,
		       const char *code, bool *wrote)
{
	PGresult *r;
	int err = am__pg_run(s, st, p, &r, what);
	bool fits;

	if (err)
		return err;
	fits = am__pg_col_int(r, 0, 0) == 1;
	*wrote = am__pg_col_int(r, 0, 1) == 1;
	PQclear(r);
	if (!fits)
		return am__store_errf(
			s, AM_ESTORE_CONFLICT,
			"%s: CHECK constraint failed: %s does not "
			"fit persons "
			"(national code, sex or insurance "
			"number)",
			what, code ? code : "");
	return 0;
}

static void person_params(struct am__pg_params *p, const struct am_person *x,
			  char sex[2], int64_t now)
{
	sex[0] = x->sex;
	sex[1] = '\0';
	am__pg_text(p, x->national_code);
	am__pg_text(p, x->first_name);
	am__pg_text(p, x->last_name);
	am__pg_text(p, x->father_name);
	am__pg_date(p, x->birth_date);
	am__pg_text(p, sex);
	am__pg_text(p, x->nationality);
	am__pg_text(p, x->insurance_no);
	am__pg_int(p, now);
}

static int pg_person_put(struct am_store *s, const struct am_person *x,
			 int64_t now)
{
	struct am__pg_params p = { 0 };
	char sex[2];

	bool wrote;

	person_params(&p, x, sex, now);
	return person_fits(s, &st_person_put, &p, "person put",
			   x->national_code, &wrote);
}

static int pg_person_ensure(struct am_store *s, const struct am_person *x,
			    int64_t now, bool *added)
{
	struct am__pg_params p = { 0 };
	char sex[2];

	person_params(&p, x, sex, now);
	return person_fits(s, &st_person_ensure, &p, "person ensure",
			   x->national_code, added);
}

/* A get's one row, or AM_ENOT_FOUND. */
static int get_row(struct am_store *s, const struct am__pg_stmt *st,
		   const struct am__pg_params *p, PGresult **r,
		   const char *what)
{
	int err = am__pg_run(s, st, p, r, what);

	if (!err && PQntuples(*r) < 1) {
		PQclear(*r);
		*r = NULL;
		return AM_ENOT_FOUND;
	}
	return err;
}

static int pg_person_get(struct am_store *s, const char *national_code,
			 struct am_arena *a, struct am_person *out)
{
	struct am__pg_params p = { 0 };
	struct am_person x;
	PGresult *r;
	int err;

	am__pg_text(&p, national_code);
	err = get_row(s, &st_person_get, &p, &r, "person get");
	if (err)
		return err;
	memset(&x, 0, sizeof(x));
	err = am__pg_col_text(r, 0, 0, a, &x.national_code);
	err = err ? err : am__pg_col_text(r, 0, 1, a, &x.first_name);
	err = err ? err : am__pg_col_text(r, 0, 2, a, &x.last_name);
	err = err ? err : am__pg_col_text(r, 0, 3, a, &x.father_name);
	x.birth_date = am__pg_col_date(r, 0, 4);
	x.sex = PQgetlength(r, 0, 5) ? PQgetvalue(r, 0, 5)[0] : '\0';
	err = err ? err : am__pg_col_text(r, 0, 6, a, &x.nationality);
	err = err ? err : am__pg_col_text(r, 0, 7, a, &x.insurance_no);
	x.created_at = am__pg_col_int(r, 0, 8);
	x.updated_at = am__pg_col_int(r, 0, 9);
	PQclear(r);
	if (err)
		return am__store_errf(s, err, "person get: out of memory");
	*out = x;
	return 0;
}

static int pg_employer_put(struct am_store *s, const struct am_employer *e,
			   int64_t now)
{
	struct am__pg_params p = { 0 };

	am__pg_text(&p, e->id);
	am__pg_text(&p, am_employer_kind_name(e->kind));
	am__pg_text(&p, e->name);
	am__pg_text(&p, e->address);
	am__pg_text(&p, e->phone);
	am__pg_int(&p, now);
	return put_known(s, &st_employer_put, &p, "employer put",
			 "the id does not fit the kind");
}

static int pg_employer_get(struct am_store *s, const char *id,
			   struct am_arena *a, struct am_employer *out)
{
	struct am__pg_params p = { 0 };
	struct am_employer e;
	char kind[16];
	PGresult *r;
	int err;

	am__pg_text(&p, id);
	err = get_row(s, &st_employer_get, &p, &r, "employer get");
	if (err)
		return err;
	memset(&e, 0, sizeof(e));
	err = am__pg_col_text(r, 0, 0, a, &e.id);
	am__pg_col_code(r, 0, 1, kind, sizeof(kind));
	am_employer_kind_parse(kind, &e.kind);
	err = err ? err : am__pg_col_text(r, 0, 2, a, &e.name);
	err = err ? err : am__pg_col_text(r, 0, 3, a, &e.address);
	err = err ? err : am__pg_col_text(r, 0, 4, a, &e.phone);
	e.created_at = am__pg_col_int(r, 0, 5);
	e.updated_at = am__pg_col_int(r, 0, 6);
	PQclear(r);
	if (err)
		return am__store_errf(s, err, "employer get: out of memory");
	*out = e;
	return 0;
}

static int pg_workshop_put(struct am_store *s, const struct am_workshop *w,
			   int64_t now)
{
	struct am__pg_params p = { 0 };
	int err;

	am__pg_text(&p, w->code);
	am__pg_text(&p, w->name);
	am__pg_text(&p, w->employer_id);
	am__pg_text(&p, w->address);
	am__pg_text(&p, w->province);
	am__pg_text(&p, w->branch);
	am__pg_text(&p, w->activity);
	am__pg_text(&p, w->scheme);
	am__pg_int(&p, w->hard_harmful);
	am__pg_int(&p, w->small_exempt);
	am__pg_int(&p, now);
	err = put_known(s, &st_workshop_put, &p, "workshop put",
			"the code is not ten digits, or the employer it "
			"names is not registered");
	return err ? err : am__pg_workshop_added(s, w->code);
}

static int pg_workshop_get(struct am_store *s, const char *code,
			   struct am_arena *a, struct am_workshop *out)
{
	struct am__pg_params p = { 0 };
	struct am_workshop w;
	PGresult *r;
	int err;

	am__pg_text(&p, code);
	err = get_row(s, &st_workshop_get, &p, &r, "workshop get");
	if (err)
		return err;
	memset(&w, 0, sizeof(w));
	err = am__pg_col_text(r, 0, 0, a, &w.code);
	err = err ? err : am__pg_col_text(r, 0, 1, a, &w.name);
	err = err ? err : am__pg_col_text(r, 0, 2, a, &w.employer_id);
	err = err ? err : am__pg_col_text(r, 0, 3, a, &w.address);
	err = err ? err : am__pg_col_text(r, 0, 4, a, &w.province);
	err = err ? err : am__pg_col_text(r, 0, 5, a, &w.branch);
	err = err ? err : am__pg_col_text(r, 0, 6, a, &w.activity);
	err = err ? err : am__pg_col_text(r, 0, 7, a, &w.scheme);
	w.hard_harmful = am__pg_col_int(r, 0, 8) != 0;
	w.small_exempt = am__pg_col_int(r, 0, 9) != 0;
	w.created_at = am__pg_col_int(r, 0, 10);
	w.updated_at = am__pg_col_int(r, 0, 11);
	PQclear(r);
	if (err)
		return am__store_errf(s, err, "workshop get: out of memory");
	*out = w;
	return 0;
}

static int pg_dependant_put(struct am_store *s, const struct am_dependant *d,
			    int64_t now)
{
	struct am__pg_params p = { 0 };

	am__pg_text(&p, d->main_insured);
	am__pg_text(&p, d->dependant);
	am__pg_text(&p, am_relation_name(d->relation));
	am__pg_date(&p, d->since);
	am__pg_date(&p, d->until);
	am__pg_int(&p, now);
	return put_known(s, &st_dependant_put, &p, "dependant put",
			 "the relation or dates do not fit, or a person it "
			 "names is not registered");
}

static int pg_dependant_get(struct am_store *s, const char *main_insured,
			    const char *dependant, struct am_arena *a,
			    struct am_dependant *out)
{
	struct am__pg_params p = { 0 };
	struct am_dependant d;
	enum am_relation rel = AM_RELATION_SPOUSE;
	char relation[16];
	PGresult *r;
	int err;

	am__pg_text(&p, main_insured);
	am__pg_text(&p, dependant);
	err = get_row(s, &st_dependant_get, &p, &r, "dependant get");
	if (err)
		return err;
	memset(&d, 0, sizeof(d));
	err = am__pg_col_text(r, 0, 0, a, &d.main_insured);
	err = err ? err : am__pg_col_text(r, 0, 1, a, &d.dependant);
	am__pg_col_code(r, 0, 2, relation, sizeof(relation));
	am_relation_parse(relation, &rel);
	d.relation = rel;
	d.since = am__pg_col_date(r, 0, 3);
	d.until = am__pg_col_date(r, 0, 4);
	d.created_at = am__pg_col_int(r, 0, 5);
	d.updated_at = am__pg_col_int(r, 0, 6);
	PQclear(r);
	if (err)
		return am__store_errf(s, err, "dependant get: out of memory");
	*out = d;
	return 0;
}

/*
 * The audit trail.
 */

static const struct am__pg_stmt st_audit_head = {
	17, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", ""
};
static const struct am__pg_stmt st_audit_insert = {
	18,
	"INSERT INTO audit (seq, at, actor, action, subject, payload,"
	" prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8)",
	"iittttbb"
};

static int pg_audit_head(struct am_store *s, uint64_t *seq,
			 uint8_t hash[AM_AUDIT_HASH_SIZE])
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err = am__pg_run(s, &st_audit_head, &p, &r, "audit head");

	if (err)
		return err;
	if (PQntuples(r) < 1) {
		*seq = 0;
		memset(hash, 0, AM_AUDIT_HASH_SIZE);
		PQclear(r);
		return 0;
	}
	if (am__pg_col_int(r, 0, 0) < 1 ||
	    PQgetlength(r, 0, 1) != AM_AUDIT_HASH_SIZE) {
		PQclear(r);
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "the newest audit entry is damaged; run "
				      "'amanat audit verify'");
	}
	*seq = (uint64_t)am__pg_col_int(r, 0, 0);
	memcpy(hash, PQgetvalue(r, 0, 1), AM_AUDIT_HASH_SIZE);
	PQclear(r);
	return 0;
}

static int pg_audit_insert(struct am_store *s, const struct am_audit_entry *e)
{
	struct am__pg_params p = { 0 };
	int err;

	if (e->seq > INT64_MAX)
		return am__store_errf(s, AM_EINTERNAL, "audit seq overflow");
	am__pg_int(&p, (int64_t)e->seq);
	am__pg_int(&p, e->at);
	am__pg_text(&p, e->actor);
	am__pg_text(&p, e->action);
	am__pg_text(&p, e->subject);
	am__pg_text(&p, e->payload);
	am__pg_bytes(&p, e->prev_hash, AM_AUDIT_HASH_SIZE);
	am__pg_bytes(&p, e->hash, AM_AUDIT_HASH_SIZE);
	err = am__pg_run(s, &st_audit_insert, &p, NULL, "audit append");
	if (err == AM_ESTORE_SQL && strstr(s->errmsg, "json"))
		err = am__store_errf(s, AM_ESTORE_CONFLICT,
				     "audit append: the payload is not JSON");
	return err;
}

struct audit_walk {
	int (*fn)(const struct am_audit_entry *e, bool malformed, void *ctx);
	void *ctx;
	struct am_arena a;
};

static bool col_hash(const PGresult *r, int row, int col,
		     uint8_t out[AM_AUDIT_HASH_SIZE])
{
	if (PQgetisnull(r, row, col) ||
	    PQgetlength(r, row, col) != AM_AUDIT_HASH_SIZE) {
		memset(out, 0, AM_AUDIT_HASH_SIZE);
		return false;
	}
	memcpy(out, PQgetvalue(r, row, col), AM_AUDIT_HASH_SIZE);
	return true;
}

static int audit_row(void *ctx, const PGresult *r, int i)
{
	struct audit_walk *w = ctx;
	struct am_audit_entry e;
	bool ok;
	int err;

	memset(&e, 0, sizeof(e));
	e.seq = (uint64_t)am__pg_col_int(r, i, 0);
	e.at = am__pg_col_int(r, i, 1);
	err = am__pg_col_text(r, i, 2, &w->a, &e.actor);
	err = err ? err : am__pg_col_text(r, i, 3, &w->a, &e.action);
	err = err ? err : am__pg_col_text(r, i, 4, &w->a, &e.subject);
	err = err ? err : am__pg_col_text(r, i, 5, &w->a, &e.payload);
	ok = col_hash(r, i, 6, e.prev_hash);
	ok = col_hash(r, i, 7, e.hash) && ok;
	if (!err)
		err = w->fn(&e, !ok, w->ctx);
	am_arena_clear(&w->a);
	return err;
}

static int pg_audit_iterate(struct am_store *s, uint64_t from_seq,
			    int (*fn)(const struct am_audit_entry *e,
				      bool malformed, void *ctx),
			    void *ctx)
{
	struct audit_walk w = { fn, ctx, { 0 } };
	char sql[200];
	int err;

	snprintf(sql, sizeof(sql),
		 "SELECT seq, at, actor, action, subject, payload::text,"
		 " prev_hash, hash FROM audit WHERE seq >= %" PRId64
		 " ORDER BY seq",
		 from_seq > INT64_MAX ? INT64_MAX : (int64_t)from_seq);
	am_arena_init(&w.a, 4096);
	err = am__pg_walk(s, sql, audit_row, &w, "audit walk");
	am_arena_release(&w.a);
	return err;
}

const struct am_store_backend am__store_pg = {
	.name = "pg",
	.open = pg_open,
	.uri = pg_uri,
	.close = pg_close,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.savepoint = pg_savepoint,
	.release = pg_release,
	.rollback_to = pg_rollback_to,
	.migrate = pg_migrate,
	.schema_version = pg_schema_version,
	.schema_latest = pg_schema_latest,
	.meta_get = pg_meta_get,
	.meta_set = pg_meta_set,
	.idem_claim = pg_idem_claim,
	.idem_set_result = pg_idem_set_result,
	.idem_result = pg_idem_result,
	.person_put = pg_person_put,
	.person_get = pg_person_get,
	.person_ensure = pg_person_ensure,
	.employer_put = pg_employer_put,
	.employer_get = pg_employer_get,
	.workshop_put = pg_workshop_put,
	.workshop_get = pg_workshop_get,
	.dependant_put = pg_dependant_put,
	.dependant_get = pg_dependant_get,
	.audit_head = pg_audit_head,
	.audit_insert = pg_audit_insert,
	.audit_iterate = pg_audit_iterate,
	.list_find = am__pg_list_find,
	.list_insert = am__pg_list_insert,
	.list_supersede = am__pg_list_supersede,
	.ledger_id = am__pg_ledger_id,
	.workshop_terms = am__pg_workshop_terms,
	.persons_known = am__pg_persons_known,
	.person_codes = am__pg_person_codes,
	.line_read = am__pg_line_read,
	.index_add = am__pg_index_add,
	.person_lines = am__pg_person_lines,
	.compact = am__pg_compact,
	.after_load = pg_after_load,
	/* No compaction, posting mode or checkpoints: PostgreSQL's B-trees
	 * and its own checkpointer need none. */
	.ledger_append = am__pg_ledger_append,
	.ledger_get = am__pg_ledger_get,
	.ledger_walk = am__pg_ledger_walk,
	.history_insert = am__pg_history_insert,
	.payment_find = am__pg_payment_find,
	.payment_insert = am__pg_payment_insert,
	.history_rows = am__pg_history_rows,
	.workshop_txns = am__pg_workshop_txns,
	.lists_posted = am__pg_lists_posted,
	.list_body = am__pg_list_body,
	.rows_walk = am__pg_rows_walk,
	.rows_load = am__pg_rows_load,
};
