/* A database per test, named by the URI the store opens: a SQLite file in
 * a temporary directory, or a fresh schema of the PostgreSQL cluster that
 * $AMANAT_TEST_PG names; and a plain connection beside the store's. */
#ifndef AMANAT_TESTS_TESTDB_H
#define AMANAT_TESTS_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The backend of the run. Without $AMANAT_TEST_PG the tests use SQLite
 * files, as they always have. With it set to the libpq URI of a running
 * cluster (scripts/test.sh starts one: scripts/pg-cluster.sh start DIR),
 * each test database is a schema of its own in that cluster, made through
 * libpq, and its URI is
 *
 *	pg:<AMANAT_TEST_PG>?options=-csearch_path%3D<schema>
 *
 * (&options= when the base URI has a query already). The schema's name is
 * the test program's, the database's name and the pid, lowercased, other
 * characters made '_', cut to 63 bytes with a hash of what was cut.
 */
bool testdb_is_pg(void);

/* The SQL of the run's backend, for a check both can make in their own
 * dialect (JSON, bytes, triggers). */
#define TESTDB_SQL(sqlite, pg) (testdb_is_pg() ? (pg) : (sqlite))

/*
 * The URI of the test database called name ("post.db"), made for this
 * program and creating nothing: the same pointer for the same name until
 * the program exits. Its SQLite file or PostgreSQL schema need not exist:
 * a read-only open of it is an open of a database that is not there.
 */
const char *testdb_uri(const char *name);

/*
 * The test database called name, made afresh and empty: its SQLite file
 * (and -wal, -shm) removed, or its schema dropped with what it held and
 * created again. Returns testdb_uri(name). Fails the test when it cannot.
 */
const char *testdb_new(const char *name);

/* Remove a test database (uri as testdb_uri() gave it): its files or its
 * schema. What is left at exit is removed then, with the SQLite folder. */
void testdb_drop(const char *uri);

/*
 * A plain connection to uri, as a tool or an attacker would open one (not
 * the store's, no trigger of the store's own turned off). For SQLite uri
 * is the file's path; for PostgreSQL the "pg:" URI.
 */
enum testdb_rc {
	TESTDB_OK = 0,
	TESTDB_CONSTRAINT = 1, /* SQLite's SQLITE_CONSTRAINT, SQLSTATE 23… */
	TESTDB_ERROR = 2,      /* any other failure (printed) */
};

/* Run sql (one or more statements; PostgreSQL runs them as one
 * transaction). */
enum testdb_rc testdb_exec(const char *uri, const char *sql);

/* The first column of the one row sql returns, as an integer: NULL is 0,
 * PostgreSQL's booleans 1 and 0. Fails the test when there is no row or
 * the value is not an integer. */
long long testdb_int(const char *uri, const char *sql);

/* The same as text, allocated (free() it); NULL for SQL NULL. */
char *testdb_text(const char *uri, const char *sql);

/* Every person's row as one text, in key order, without the times a run
 * sets ("" for none; free() it): two databases' registries compared. */
char *testdb_persons(const char *uri);

/* The same as bytes (a BLOB; a bytea), copied to buf; their count. Fails
 * the test when more than cap. */
size_t testdb_blob(const char *uri, const char *sql, void *buf, size_t cap);

/* Every row of sql, its columns as text (NULL for SQL NULL), to fn. */
void testdb_each(const char *uri, const char *sql,
		 void (*fn)(void *ctx, const char *const *cols, int ncols),
		 void *ctx);

/* A whole file's bytes, NUL-terminated (free() it); fails the test when
 * it cannot be read. */
char *test_slurp(const char *path);

#endif
