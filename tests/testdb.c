/* The test databases of testdb.h: SQLite files in a folder of the
 * program's, or PostgreSQL schemas made through libpq, removed at exit. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "testdb.h"

#define SCHEMA_MAX 63 /* PostgreSQL's NAMEDATALEN - 1 */

struct testdb {
	char *name;
	char *uri;
	char schema[SCHEMA_MAX + 1]; /* PostgreSQL */
	bool made;		     /* exists, as far as we made it */
};

static struct testdb *dbs;
static size_t ndbs, dbs_alloc;
static char folder[PATH_MAX]; /* SQLite: made at the first database */
static PGconn *admin;	      /* PostgreSQL: the base URI, for schemas */
static bool at_exit;

bool testdb_is_pg(void)
{
	const char *e = getenv("AMANAT_TEST_PG");

	return e && *e;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "testdb: out of memory\n");
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* The test program's name: test_store_posting. */
static const char *program(void)
{
	static char name[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	const char *slash;

	if (name[0])
		return name;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	snprintf(name, sizeof(name), "%s",
		 slash ? slash + 1 : (n > 0 ? exe : "test"));
	return name;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void remove_all(void);

/* PostgreSQL: the connection on which schemas are made and dropped. */
static PGconn *admin_conn(void)
{
	const char *base = getenv("AMANAT_TEST_PG");
	PGresult *r;

	if (admin && PQstatus(admin) == CONNECTION_OK)
		return admin;
	PQfinish(admin);
	admin = PQconnectdb(base);
	if (PQstatus(admin) != CONNECTION_OK)
		fail_msg("testdb: cannot connect to AMANAT_TEST_PG=%s: %s",
			 base, PQerrorMessage(admin));
	PQsetNoticeProcessor(admin, ignore_notice, NULL);
	/* A store a failed test left open holds its schema's locks: give
	 * up on it rather than wait for ever. */
	r = PQexec(admin, "SET lock_timeout = '10s'");
	PQclear(r);
	return admin;
}

static bool admin_exec(const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(admin_conn(), sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		  PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && PQstatus(admin) == CONNECTION_BAD) {
		/* The server was restarted under it (the crash test): once
		 * more on a new connection. */
		PQclear(r);
		r = PQexec(admin_conn(), sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		     PQresultStatus(r) == PGRES_TUPLES_OK;
	}
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* FNV-1a, for the part of a schema name cut off. */
static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* program_name_pid, lowercase [a-z0-9_], at most 63 bytes. */
static void schema_name(const char *name, char out[SCHEMA_MAX + 1])
{
	char full[PATH_MAX + 64], pid[24];
	size_t n, keep;

	snprintf(full, sizeof(full), "%s_%s", program(), name);
	for (char *p = full; *p; p++)
		*p = isalnum((unsigned char)*p) && !(*p & 0x80)
			     ? (char)tolower((unsigned char)*p)
			     : '_';
	snprintf(pid, sizeof(pid), "_%ld", (long)getpid());
	n = strlen(full);
	if (n + strlen(pid) <= SCHEMA_MAX) {
		if (snprintf(out, SCHEMA_MAX + 1, "%s%s", full, pid) < 0)
			out[0] = '\0';
	} else {
		/* The start, a hash of the whole (so that two names cut
		 * alike stay apart), the pid. */
		keep = SCHEMA_MAX - strlen(pid) - 9;
		snprintf(out, SCHEMA_MAX + 1, "%.*s_%08x%s", (int)keep, full,
			 (unsigned)fnv(full), pid);
	}
	if (!isalpha((unsigned char)out[0]))
		out[0] = 't';
}

/* The URI of a schema: the base's, its search_path set by options. */
static char *pg_uri(const char *schema)
{
	const char *base = getenv("AMANAT_TEST_PG");
	size_t n;
	char *uri;

	if (strncmp(base, "postgresql://", 13) != 0 &&
	    strncmp(base, "postgres://", 11) != 0)
		fail_msg("testdb: AMANAT_TEST_PG=%s is not a libpq URI "
			 "(postgresql://...)",
			 base);
	n = strlen(base) + strlen(schema) + 64;
	uri = xmalloc(n);
	snprintf(uri, n, "pg:%s%soptions=-csearch_path%%3D%s", base,
		 strchr(base, '?') ? "&" : "?", schema);
	return uri;
}

static void make_folder(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	int n;

	if (folder[0])
		return;
	n = snprintf(tmpl, sizeof(tmpl), "%s/amanat-%s-XXXXXX",
		     tmp && *tmp ? tmp : "/tmp", program());
	if (n < 0 || (size_t)n >= sizeof(tmpl))
		fail_msg("testdb: $TMPDIR is too long");
	if (!mkdtemp(tmpl))
		fail_msg("testdb: mkdtemp %s: %s", tmpl, strerror(errno));
	snprintf(folder, sizeof(folder), "%s", tmpl);
}

static struct testdb *find(const char *name)
{
	for (size_t i = 0; i < ndbs; i++)
		if (strcmp(dbs[i].name, name) == 0)
			return &dbs[i];
	return NULL;
}

static struct testdb *find_uri(const char *uri)
{
	for (size_t i = 0; i < ndbs; i++)
		if (dbs[i].uri == uri || strcmp(dbs[i].uri, uri) == 0)
			return &dbs[i];
	return NULL;
}

static void at_exit_remove(void)
{
	remove_all();
}

const char *testdb_uri(const char *name)
{
	struct testdb *d = find(name);
	size_t n;

	if (d)
		return d->uri;
	if (!at_exit) {
		atexit(at_exit_remove);
		at_exit = true;
	}
	if (ndbs == dbs_alloc) {
		struct testdb *more;

		dbs_alloc = dbs_alloc ? 2 * dbs_alloc : 16;
		more = realloc(dbs, dbs_alloc * sizeof(*dbs));
		if (!more)
			fail_msg("testdb: out of memory");
		dbs = more;
	}
	d = &dbs[ndbs++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	if (testdb_is_pg()) {
		schema_name(name, d->schema);
		d->uri = pg_uri(d->schema);
	} else {
		make_folder();
		n = strlen(folder) + strlen(name) + 2;
		d->uri = xmalloc(n);
		snprintf(d->uri, n, "%s/%s", folder, name);
	}
	return d->uri;
}

static void unlink_sqlite(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
}

/* Drop d's database; false (with the reason) when PostgreSQL refuses. */
static bool drop(struct testdb *d, char *err, size_t errlen)
{
	char sql[2 * SCHEMA_MAX + 64];

	if (!testdb_is_pg()) {
		unlink_sqlite(d->uri);
		d->made = false;
		return true;
	}
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"%s\" CASCADE",
		 d->schema);
	if (!admin_exec(sql, err, errlen))
		return false;
	d->made = false;
	return true;
}

const char *testdb_new(const char *name)
{
	const char *uri = testdb_uri(name);
	struct testdb *d = find(name);
	char sql[2 * SCHEMA_MAX + 64], err[512];

	if (!drop(d, err, sizeof(err)))
		fail_msg("testdb: dropping schema %s: %s", d->schema, err);
	if (testdb_is_pg()) {
		snprintf(sql, sizeof(sql), "CREATE SCHEMA \"%s\"", d->schema);
		if (!admin_exec(sql, err, sizeof(err)))
			fail_msg("testdb: creating schema %s: %s", d->schema,
				 err);
	}
	d->made = true;
	return uri;
}

void testdb_drop(const char *uri)
{
	struct testdb *d = find_uri(uri);
	char err[512];

	if (!d)
		fail_msg("testdb: %s is no test database", uri);
	if (!drop(d, err, sizeof(err)))
		fail_msg("testdb: dropping schema %s: %s", d->schema, err);
}

/* At exit: every database left, the folder, the connection. Nothing may
 * fail the test here: what cannot be removed is said and left (the
 * cluster is thrown away after the run). */
static void remove_all(void)
{
	char err[512];

	for (size_t i = 0; i < ndbs; i++) {
		if (testdb_is_pg() && !dbs[i].made)
			continue;
		if (testdb_is_pg() && !admin) {
			admin = PQconnectdb(getenv("AMANAT_TEST_PG"));
			if (PQstatus(admin) != CONNECTION_OK)
				break;
			PQsetNoticeProcessor(admin, ignore_notice, NULL);
			PQclear(PQexec(admin, "SET lock_timeout = '10s'"));
		}
		if (!drop(&dbs[i], err, sizeof(err)))
			fprintf(stderr, "testdb: schema %s left: %s",
				dbs[i].schema, err);
	}
	if (folder[0]) {
		DIR *dir = opendir(folder);
		struct dirent *e;
		char p[PATH_MAX + 256];

		while (dir && (e = readdir(dir))) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", folder, e->d_name);
			unlink(p);
		}
		if (dir)
			closedir(dir);
		rmdir(folder);
		folder[0] = '\0';
	}
	PQfinish(admin);
	admin = NULL;
}

/*
 * The plain connection.
 */

static bool is_pg_uri(const char *uri)
{
	return strncmp(uri, "pg:", 3) == 0;
}

static PGconn *pg_open(const char *uri)
{
	PGconn *c = PQconnectdb(uri + 3);

	if (PQstatus(c) != CONNECTION_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQfinish(c);
		fail_msg("testdb: cannot connect to %s: %s", uri, msg);
	}
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	return c;
}

static sqlite3 *sq_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s",
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		fail_msg("testdb: cannot open %s: %s", path, msg);
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

enum testdb_rc testdb_exec(const char *uri, const char *sql)
{
	enum testdb_rc rc = TESTDB_OK;

	if (is_pg_uri(uri)) {
		PGconn *c = pg_open(uri);
		PGresult *r = PQexec(c, sql);
		ExecStatusType st = PQresultStatus(r);

		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			const char *state = PQresultErrorField(
				r, PG_DIAG_SQLSTATE);

			rc = state && strncmp(state, "23", 2) == 0
				     ? TESTDB_CONSTRAINT
				     : TESTDB_ERROR;
			print_message("testdb: %s: %s", sql,
				      PQresultErrorMessage(r));
		}
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = sq_open(uri);
		char *msg = NULL;
		int err = sqlite3_exec(db, sql, NULL, NULL, &msg);

		if (err != SQLITE_OK) {
			rc = (err & 0xff) == SQLITE_CONSTRAINT
				     ? TESTDB_CONSTRAINT
				     : TESTDB_ERROR;
			print_message("testdb: %s: %s\n", sql,
				      msg ? msg : sqlite3_errstr(err));
		}
		sqlite3_free(msg);
		sqlite3_close(db);
	}
	return rc;
}

/* A query's rows as text, to fn; how many. */
static size_t query(const char *uri, const char *sql,
		    void (*fn)(void *ctx, const char *const *cols, int ncols,
			       const size_t *lens),
		    void *ctx)
{
	size_t rows = 0;

	if (is_pg_uri(uri)) {
		PGconn *c = pg_open(uri);
		PGresult *r = PQexec(c, sql);
		int n;

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s",
				 PQresultErrorMessage(r));
			PQclear(r);
			PQfinish(c);
			fail_msg("testdb: %s: %s", sql, msg);
		}
		n = PQnfields(r);
		for (int i = 0; i < PQntuples(r); i++, rows++) {
			const char *cols[64];
			size_t lens[64];

			assert_true(n <= 64);
			for (int k = 0; k < n; k++) {
				cols[k] = PQgetisnull(r, i, k)
						  ? NULL
						  : PQgetvalue(r, i, k);
				lens[k] = (size_t)PQgetlength(r, i, k);
			}
			fn(ctx, cols, n, lens);
		}
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = sq_open(uri);
		sqlite3_stmt *st = NULL;
		int err;

		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
			sqlite3_close(db);
			fail_msg("testdb: %s: %s", sql, msg);
		}
		while ((err = sqlite3_step(st)) == SQLITE_ROW) {
			const char *cols[64];
			size_t lens[64];
			int n = sqlite3_column_count(st);

			assert_true(n <= 64);
			for (int k = 0; k < n; k++) {
				/* Blobs as they are, the rest as text. */
				if (sqlite3_column_type(st, k) == SQLITE_BLOB)
					cols[k] = sqlite3_column_blob(st, k);
				else
					cols[k] = (const char *)
						sqlite3_column_text(st, k);
				lens[k] = (size_t)sqlite3_column_bytes(st, k);
				if (sqlite3_column_type(st, k) == SQLITE_NULL)
					cols[k] = NULL;
			}
			fn(ctx, cols, n, lens);
			rows++;
		}
		if (err != SQLITE_DONE) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			sqlite3_close(db);
			fail_msg("testdb: %s: %s", sql, msg);
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return rows;
}

/* The first column of the first row, copied. */
struct first {
	bool seen, null;
	char *v;
	size_t len;
};

static void take_first(void *ctx, const char *const *cols, int ncols,
		       const size_t *lens)
{
	struct first *f = ctx;

	if (f->seen || ncols < 1)
		return;
	f->seen = true;
	f->null = cols[0] == NULL;
	f->len = f->null ? 0 : lens[0];
	f->v = xmalloc(f->len + 1);
	if (!f->null)
		memcpy(f->v, cols[0], f->len);
	f->v[f->len] = '\0';
}

static void first_of(const char *uri, const char *sql, struct first *f)
{
	memset(f, 0, sizeof(*f));
	query(uri, sql, take_first, f);
	if (!f->seen)
		fail_msg("testdb: no row from %s", sql);
}

long long testdb_int(const char *uri, const char *sql)
{
	struct first f;
	long long v = 0;
	char *end = NULL;

	first_of(uri, sql, &f);
	if (f.null)
		v = 0;
	else if (strcmp(f.v, "t") == 0)
		v = 1;
	else if (strcmp(f.v, "f") == 0)
		v = 0;
	else {
		errno = 0;
		v = strtoll(f.v, &end, 10);
		if (errno || end == f.v || *end) {
			char bad[64];

			snprintf(bad, sizeof(bad), "%s", f.v);
			free(f.v);
			fail_msg("testdb: '%s' is not an integer (%s)", bad,
				 sql);
		}
	}
	free(f.v);
	return v;
}

char *testdb_text(const char *uri, const char *sql)
{
	struct first f;

	first_of(uri, sql, &f);
	if (f.null) {
		free(f.v);
		return NULL;
	}
	return f.v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t testdb_blob(const char *uri, const char *sql, void *buf, size_t cap)
{
	struct first f;
	uint8_t *out = buf;
	size_t n = 0;

	first_of(uri, sql, &f);
	if (is_pg_uri(uri)) {
		/* bytea in text: \x and two hex digits a byte. */
		if (f.len < 2 || f.v[0] != '\\' || f.v[1] != 'x' || f.len % 2)
			fail_msg("testdb: not a bytea in hex: %.40s", f.v);
		n = (f.len - 2) / 2;
		if (n > cap)
			fail_msg("testdb: %zu bytes, room for %zu", n, cap);
		for (size_t i = 0; i < n; i++) {
			int hi = hexval(f.v[2 + 2 * i]),
			    lo = hexval(f.v[3 + 2 * i]);

			assert_true(hi >= 0 && lo >= 0);
			out[i] = (uint8_t)(hi << 4 | lo);
		}
	} else {
		n = f.len;
		if (n > cap)
			fail_msg("testdb: %zu bytes, room for %zu", n, cap);
		memcpy(buf, f.v, n);
	}
	free(f.v);
	return n;
}

struct each {
	void (*fn)(void *ctx, const char *const *cols, int ncols);
	void *ctx;
};

static void each_row(void *ctx, const char *const *cols, int ncols,
		     const size_t *lens)
{
	struct each *e = ctx;

	(void)lens;
	e->fn(e->ctx, cols, ncols);
}

void testdb_each(const char *uri, const char *sql,
		 void (*fn)(void *ctx, const char *const *cols, int ncols),
		 void *ctx)
{
	struct each e = { fn, ctx };

	query(uri, sql, each_row, &e);
}

char *test_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(n >= 0);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

char *testdb_persons(const char *uri)
{
	char *t = testdb_text(
		uri,
		testdb_is_pg()
			? "SELECT string_agg(national_code || '|' || "
			  "first_name || '|' || last_name || '|' || "
			  "coalesce(father_name, '') || '|' || "
			  "coalesce(birth_date::text, '') || sex || "
			  "coalesce(nationality, '') || "
			  "coalesce(insurance_no, ''), ';' ORDER BY "
			  "national_code) FROM persons"
			: "SELECT group_concat(r, ';') FROM (SELECT "
			  "national_code || '|' || first_name || '|' || "
			  "last_name || '|' || coalesce(father_name, '') || "
			  "'|' || coalesce(birth_date, '') || sex || "
			  "coalesce(nationality, '') || "
			  "coalesce(insurance_no, '') AS r FROM persons "
			  "ORDER BY national_code)");

	return t ? t : strdup("");
}
