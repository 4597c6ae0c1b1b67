/* The store and its SQLite backend: opening, migrations, the registry,
 * transactions, idempotency keys, and fault injection over an import. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "amanat/amanat.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "testdb.h"

/* The test database called name: a SQLite file or a PostgreSQL schema
 * (tests/testdb.h). */
static const char *db_path(const char *name)
{
	return testdb_uri(name);
}

static void drop_db(const char *path)
{
	testdb_drop(path);
}

/* The schema's version after every migration: the backend's own count
 * (SQLite's files in src/store/migrations/, PostgreSQL's in
 * migrations_pg/). */
static int latest;

static struct am_store *open_new(const char *name)
{
	const char *uri = testdb_new(name);
	struct am_store *s;
	int from = -1, to = -1;

	if (am_store_open(uri, &s) != 0)
		fail_msg("open %s: %s", uri, am_store_errmsg(NULL));
	if (am_store_migrate(s, &from, &to) != 0)
		fail_msg("migrate %s: %s", uri, am_store_errmsg(s));
	assert_int_equal(from, 0);
	assert_int_equal(to, latest);
	s->clock = 1700000000;
	return s;
}

/* Run SQL with a plain connection, as a tool or an attacker would. */
static enum testdb_rc raw_exec(const char *path, const char *sql)
{
	return testdb_exec(path, sql);
}

/* The single integer a query returns, read with a plain connection. */
static long long raw_int(const char *path, const char *sql)
{
	return testdb_int(path, sql);
}

/* Whether text holds word, in any case: SQLite says "CHECK constraint",
 * PostgreSQL "check constraint". */
static bool has_ci(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++) {
		size_t i = 0;

		while (i < n && text[i] &&
		       tolower((unsigned char)text[i]) ==
			       tolower((unsigned char)word[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* The backend's migration files: src/store/migrations/ (SQLite) or
 * migrations_pg/ (PostgreSQL). */
static const char *migrations_dir(void)
{
	return testdb_is_pg() ? "src/store/migrations_pg"
			      : "src/store/migrations";
}

/* The first migration's name ("0001_registry") and the checksum the
 * store records for it, computed here from the file, byte for byte. */
static char first_name[64], first_sum[65];

static int count_migrations(void **state)
{
	char dirpath[1024], path[1300];
	const char *root = getenv("AMANAT_SOURCE_ROOT");
	struct dirent *e;
	DIR *d;
	int n = 0;

	(void)state;
	if (!root)
		return -1;
	snprintf(dirpath, sizeof(dirpath), "%s/%s", root, migrations_dir());
	d = opendir(dirpath);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		n++;
		if (strncmp(e->d_name, "0001_", 5) == 0)
			snprintf(first_name, sizeof(first_name), "%.*s",
				 (int)(len - 4), e->d_name);
	}
	closedir(d);
	latest = n;
	if (!first_name[0])
		return -1;
	snprintf(path, sizeof(path), "%s/%s.sql", dirpath, first_name);
	{
		FILE *f = fopen(path, "rb");
		struct am__migration m = { 1, first_name, NULL };
		char *sql;
		long len;

		if (!f)
			return -1;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		sql = calloc(1, (size_t)len + 1);
		if (!sql || fread(sql, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(sql);
			return -1;
		}
		fclose(f);
		m.sql = sql;
		n = am__migration_checksum(&m, first_sum);
		free(sql);
	}
	return n == 0 ? 0 : -1;
}

/* Records for the registry tests. */
static const char zwnj_first[] = "محمد\u200cحسین";
static const char zwnj_last[] = "خسروی\u200cنژاد";

static struct am_person person(const char *code)
{
	struct am_person p = {
		.national_code = code,
		.first_name = zwnj_first,
		.last_name = zwnj_last,
		.father_name = "علی",
		.birth_date = 4383, /* 1982-01-01 */
		.sex = 'M',
		.nationality = "IRN",
		.insurance_no = "12345678",
	};
	return p;
}

static struct am_employer employer(const char *id)
{
	struct am_employer e = {
		.id = id,
		.kind = strlen(id) == 11 ? AM_EMPLOYER_LEGAL
					 : AM_EMPLOYER_PERSON,
		.name = "شرکت نمونهٔ پارس",
		.address = "تهران، خیابان آزادی",
		.phone = NULL,
	};
	return e;
}

static struct am_workshop workshop(const char *code, const char *employer_id)
{
	struct am_workshop w = {
		.code = code,
		.name = "کارگاه مرکزی",
		.employer_id = employer_id,
		.address = NULL,
		.province = "23",
		.branch = "1201",
		.activity = "2511",
		.scheme = "general",
		.hard_harmful = true,
		.small_exempt = false,
	};
	return w;
}

/*
 * Opening.
 */

static void test_open_backends(void **state)
{
	struct am_store *s = (struct am_store *)1;
	char uri[600];

	/* A server that is not there (loopback, a port nobody listens on):
	 * refused with libpq's reason, nothing left open. */
	assert_int_equal(am_store_open("pg:host=127.0.0.1 port=1 "
				       "dbname=amanat connect_timeout=5",
				       &s),
			 AM_ESTORE_OPEN);
	assert_null(s);
	assert_non_null(strstr(am_store_errmsg(NULL), "PostgreSQL"));
	assert_int_equal(am_store_open("pg:", &s), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_open("mysql:x", &s),
			 AM_ESTORE_UNKNOWN_BACKEND);
	assert_non_null(strstr(am_store_errmsg(NULL), "mysql"));
	assert_int_equal(am_store_open("", &s), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_open("sqlite:", &s), AM_EINVALID_ARGUMENT);

	am_store_close(NULL);

	if (testdb_is_pg()) {
		/* The run's URI picks the PostgreSQL backend. */
		assert_int_equal(am_store_open(testdb_new("scheme.db"), &s), 0);
		assert_string_equal(am_store_backend_name(s), "pg");
		assert_string_equal(am_store_errmsg(s), "");
		am_store_close(s);
		drop_db(db_path("scheme.db"));
		return;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s", testdb_new("scheme.db"));
	assert_int_equal(am_store_open(uri, &s), 0);
	assert_string_equal(am_store_backend_name(s), "sqlite");
	assert_string_equal(am_store_errmsg(s), "");
	am_store_close(s);
	/* The file named after the scheme, not one called "sqlite:…". */
	assert_int_equal(access(db_path("scheme.db"), F_OK), 0);
	drop_db(db_path("scheme.db"));
}

static void test_open_not_a_database(void **state)
{
	const char *path = testdb_new("garbage.db");
	struct am_store *s;
	FILE *f;

	/* A file that is not a database: SQLite's; a PostgreSQL schema is
	 * the server's to keep whole. */
	if (testdb_is_pg())
		skip();
	f = fopen(path, "wb");
	assert_non_null(f);
	for (int i = 0; i < 4096; i++)
		fputc("not a database "[i % 15], f);
	fclose(f);
	assert_int_equal(am_store_open(path, &s), AM_ESTORE_CORRUPT);
	assert_null(s);
	assert_non_null(strstr(am_store_errmsg(NULL), "garbage.db"));
	drop_db(path);
}

static void test_not_initialised(void **state)
{
	const char *path = db_path("missing.db");
	struct am_arena a;
	struct am_person p;
	struct am_store *s;
	int v = -1;
	char needs[32];

	am_arena_init(&a, 0);
	drop_db(path);
	if (!testdb_is_pg()) {
		/* A read command does not create the file. */
		assert_int_equal(
			am_store_open_flags(path, AM_STORE_OPEN_READONLY, &s),
			AM_ESTORE_NOT_INITIALISED);
		assert_null(s);
		assert_int_equal(access(path, F_OK), -1);
		assert_int_equal(
			am_store_open_flags(path, AM_STORE_OPEN_NOCREATE, &s),
			AM_ESTORE_NOT_INITIALISED);
	} else {
		/* A PostgreSQL database is there with or without the schema
		 * (here not even the search_path's): the open succeeds, and
		 * reading asks for "amanat init" all the same. */
		assert_int_equal(
			am_store_open_flags(path, AM_STORE_OPEN_READONLY, &s),
			0);
		assert_int_equal(am_store_person_get(s, "0012345679", &a, &p),
				 AM_ESTORE_NOT_INITIALISED);
		am_store_close(s);
	}

	/* A database without a schema: data calls ask for "amanat init".
	 * SQLite's open makes the empty file; a PostgreSQL schema is made
	 * by its owner. */
	if (testdb_is_pg())
		testdb_new("missing.db");
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_schema_version(s, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(am_store_schema_latest(s), latest);
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &p),
			 AM_ESTORE_NOT_INITIALISED);
	snprintf(needs, sizeof(needs), "needs %d", latest);
	assert_non_null(strstr(am_store_errmsg(s), needs));
	am_store_close(s);

	/* Read only, on the file that now exists but has no schema. */
	assert_int_equal(am_store_open_flags(path, AM_STORE_OPEN_READONLY, &s),
			 0);
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &p),
			 AM_ESTORE_NOT_INITIALISED);
	am_store_close(s);
	drop_db(path);
	am_arena_release(&a);
}

/*
 * Migrations.
 */

static void test_migrate_twice(void **state)
{
	const char *path = db_path("twice.db");
	struct am_store *s = open_new("twice.db");
	char sum[65], sql[256];
	int from = -1, to = -1, v = -1;

	assert_int_equal(am_store_schema_version(s, &v), 0);
	assert_int_equal(v, latest);
	assert_int_equal(am_store_migrate(s, &from, &to), 0);
	assert_int_equal(from, latest);
	assert_int_equal(to, latest);
	am_store_close(s);

	/* Again from a new handle: still nothing to do. */
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_migrate(s, &from, &to), 0);
	assert_int_equal(from, latest);
	assert_int_equal(to, latest);
	assert_int_equal(am_store_migrate(s, NULL, NULL), 0);
	am_store_close(s);

	/* The version table: one row per migration, with its checksum,
	 * that of the file's bytes. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM "
				       "schema_migrations"),
			 latest);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM schema_migrations WHERE version = 1"
		 " AND name = '%s' AND checksum = '%s' AND applied_at > 0",
		 first_name, first_sum);
	assert_int_equal(raw_int(path, sql), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_migrations"
				       " WHERE applied_at > 0"),
			 latest);
	if (!testdb_is_pg()) {
		assert_int_equal(am__sqlite_migrations_nr, (size_t)latest);
		assert_int_equal(
			am__migration_checksum(&am__sqlite_migrations[0], sum),
			0);
		assert_string_equal(sum, first_sum);
		/* WAL is a property of the file: a plain connection sees
		 * it. */
		assert_int_equal(raw_int(path, "SELECT journal_mode = 'wal'"
					       " FROM pragma_journal_mode"),
				 1);
	}
	/* Migrating wrote no audit entry and touched nothing else. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 0);
	drop_db(path);
}

static void test_schema_newer(void **state)
{
	const char *path = db_path("newer.db");
	struct am_store *s = open_new("newer.db");
	struct am_arena a;
	struct am_person p;
	int from = -1, to = -1, v = 0;
	char sql[128];

	am_arena_init(&a, 0);
	am_store_close(s);
	/* A newer amanat applied the next migration. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_migrations VALUES (%d, '%04d_future',"
		 " '00', 0)",
		 latest + 1, latest + 1);
	assert_int_equal(raw_exec(path, sql), TESTDB_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_schema_version(s, &v), 0);
	assert_int_equal(v, latest + 1);
	assert_int_equal(am_store_migrate(s, &from, &to),
			 AM_ESTORE_SCHEMA_NEWER);
	assert_int_equal(from, -1); /* untouched on failure */
	assert_int_equal(to, -1);
	snprintf(sql, sizeof(sql), "%d", latest + 1);
	assert_non_null(strstr(am_store_errmsg(s), sql));
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &p),
			 AM_ESTORE_SCHEMA_NEWER);
	assert_int_equal(am_store_meta_set(s, "k", "v"),
			 AM_ESTORE_SCHEMA_NEWER);
	am_store_close(s);
	/* The refusal changed nothing. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM "
				       "schema_migrations"),
			 latest + 1);
	drop_db(path);
	am_arena_release(&a);
}

static void test_migration_edited(void **state)
{
	const char *path = db_path("edited.db");
	struct am_store *s = open_new("edited.db");

	am_store_close(s);
	assert_int_equal(raw_exec(path, "UPDATE schema_migrations SET checksum"
					" = 'abcd' WHERE version = 1"),
			 TESTDB_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_migrate(s, NULL, NULL), AM_ESTORE_CORRUPT);
	assert_non_null(strstr(am_store_errmsg(s), first_name));
	am_store_close(s);
	drop_db(path);
}

/*
 * The registry.
 */

static void test_person_round_trip(void **state)
{
	struct am_store *s = open_new("person.db");
	struct am_person in = person("0012345679"), out;
	struct am_arena a;

	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_put(s, &in), 0);
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &out), 0);
	assert_string_equal(out.national_code, "0012345679");
	assert_string_equal(out.first_name, zwnj_first);
	assert_string_equal(out.last_name, zwnj_last);
	/* ZWNJ kept byte for byte: E2 80 8C. */
	assert_non_null(strstr(out.first_name, "\xe2\x80\x8c"));
	assert_int_equal(strlen(out.first_name), strlen(zwnj_first));
	assert_string_equal(out.father_name, "علی");
	assert_int_equal(out.birth_date, 4383);
	assert_int_equal(out.sex, 'M');
	assert_string_equal(out.nationality, "IRN");
	assert_string_equal(out.insurance_no, "12345678");
	assert_int_equal(out.created_at, 1700000000);
	assert_int_equal(out.updated_at, 1700000000);

	/* Optional fields absent: NULL and AM_STORE_DATE_NONE come back. */
	in = person("1111111112");
	in.father_name = NULL;
	in.birth_date = AM_STORE_DATE_NONE;
	in.nationality = NULL;
	in.insurance_no = NULL;
	in.sex = 'F';
	assert_int_equal(am_store_person_put(s, &in), 0);
	assert_int_equal(am_store_person_get(s, "1111111112", &a, &out), 0);
	assert_null(out.father_name);
	assert_int_equal(out.birth_date, AM_STORE_DATE_NONE);
	assert_null(out.nationality);
	assert_null(out.insurance_no);
	assert_int_equal(out.sex, 'F');

	/* A miss leaves *out alone. */
	out.first_name = "unchanged";
	assert_int_equal(am_store_person_get(s, "2222222222", &a, &out),
			 AM_ENOT_FOUND);
	assert_string_equal(out.first_name, "unchanged");
	am_store_close(s);
	drop_db(db_path("person.db"));
	am_arena_release(&a);
}

static void test_person_upsert(void **state)
{
	struct am_store *s = open_new("upsert.db");
	struct am_person in = person("0012345679"), out;
	struct am_arena a;

	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_put(s, &in), 0);
	s->clock = 1700000500;
	in.last_name = "رضایی";
	in.insurance_no = NULL;
	assert_int_equal(am_store_person_put(s, &in), 0);
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &out), 0);
	assert_string_equal(out.last_name, "رضایی");
	assert_string_equal(out.first_name, zwnj_first);
	assert_null(out.insurance_no);
	assert_int_equal(out.created_at, 1700000000);
	assert_int_equal(out.updated_at, 1700000500);
	am_store_close(s);
	assert_int_equal(
		raw_int(db_path("upsert.db"), "SELECT count(*) FROM persons"),
		1);
	assert_int_equal(raw_int(db_path("upsert.db"),
				 "SELECT count(*) FROM audit WHERE action ="
				 " 'person.put'"),
			 2);
	drop_db(db_path("upsert.db"));
	am_arena_release(&a);
}

static void test_person_refusals(void **state)
{
	struct am_store *s = open_new("refuse.db");
	struct am_person p = person("001234567");

	/* The store's own constraints, each a clean conflict. */
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	assert_true(has_ci(am_store_errmsg(s), "national_code"));
	p = person("00123456x9");
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p = person("0012345679");
	p.sex = 'X';
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p.sex = 'M';
	p.insurance_no = "123";
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p.insurance_no = NULL;
	p.first_name = NULL;
	assert_int_equal(am_store_person_put(s, &p), AM_EINVALID_ARGUMENT);
	am_store_close(s);
	/* Nothing was written, not even an audit entry. */
	assert_int_equal(raw_int(db_path("refuse.db"),
				 "SELECT (SELECT count(*) FROM persons) +"
				 " (SELECT count(*) FROM audit)"),
			 0);
	drop_db(db_path("refuse.db"));
}

static void test_employer_workshop(void **state)
{
	struct am_store *s = open_new("workshop.db");
	struct am_employer e = employer("10101234560"), eo;
	struct am_workshop w = workshop("1234567890", "10101234560"), wo;
	struct am_arena a;

	am_arena_init(&a, 0);
	/* The foreign key: no workshop of an unknown employer. */
	assert_int_equal(am_store_workshop_put(s, &w), AM_ESTORE_CONFLICT);
	assert_true(has_ci(am_store_errmsg(s), "FOREIGN KEY"));
	assert_int_equal(am_store_workshop_get(s, "1234567890", &a, &wo),
			 AM_ENOT_FOUND);

	assert_int_equal(am_store_employer_put(s, &e), 0);
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	assert_int_equal(am_store_employer_get(s, "10101234560", &a, &eo), 0);
	assert_string_equal(eo.id, "10101234560");
	assert_int_equal(eo.kind, AM_EMPLOYER_LEGAL);
	assert_string_equal(eo.name, "شرکت نمونهٔ پارس");
	assert_string_equal(eo.address, "تهران، خیابان آزادی");
	assert_null(eo.phone);
	assert_int_equal(am_store_workshop_get(s, "1234567890", &a, &wo), 0);
	assert_string_equal(wo.code, "1234567890");
	assert_string_equal(wo.name, "کارگاه مرکزی");
	assert_string_equal(wo.employer_id, "10101234560");
	assert_null(wo.address);
	assert_string_equal(wo.province, "23");
	assert_string_equal(wo.branch, "1201");
	assert_string_equal(wo.activity, "2511");
	assert_string_equal(wo.scheme, "general");
	assert_true(wo.hard_harmful);
	assert_false(wo.small_exempt);

	/* Kind and id length must agree. */
	e = employer("10101234560");
	e.kind = AM_EMPLOYER_PERSON;
	assert_int_equal(am_store_employer_put(s, &e), AM_ESTORE_CONFLICT);
	e = employer("0012345679");
	assert_int_equal(am_store_employer_put(s, &e), 0);
	assert_int_equal(am_store_employer_get(s, "0012345679", &a, &eo), 0);
	assert_int_equal(eo.kind, AM_EMPLOYER_PERSON);
	/* A workshop moved to another employer. */
	w.employer_id = "0012345679";
	w.small_exempt = true;
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	assert_int_equal(am_store_workshop_get(s, "1234567890", &a, &wo), 0);
	assert_string_equal(wo.employer_id, "0012345679");
	assert_true(wo.small_exempt);
	am_store_close(s);
	drop_db(db_path("workshop.db"));
	am_arena_release(&a);
}

static void test_dependants(void **state)
{
	struct am_store *s = open_new("dependants.db");
	struct am_person m = person("0012345679"), c = person("1111111112");
	struct am_dependant d = {
		.main_insured = "0012345679",
		.dependant = "1111111112",
		.relation = AM_RELATION_CHILD,
		.since = 12000,
		.until = AM_STORE_DATE_NONE,
	};
	struct am_dependant o;
	struct am_arena a;
	enum am_relation r;

	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_put(s, &m), 0);
	/* The dependant is not registered yet. */
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	assert_int_equal(am_store_person_put(s, &c), 0);
	assert_int_equal(am_store_dependant_put(s, &d), 0);
	assert_int_equal(
		am_store_dependant_get(s, "0012345679", "1111111112", &a, &o),
		0);
	assert_string_equal(o.main_insured, "0012345679");
	assert_string_equal(o.dependant, "1111111112");
	assert_int_equal(o.relation, AM_RELATION_CHILD);
	assert_int_equal(o.since, 12000);
	assert_int_equal(o.until, AM_STORE_DATE_NONE);
	/* The cover ends; until before since is refused. */
	d.until = 11999;
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	d.until = 12000;
	assert_int_equal(am_store_dependant_put(s, &d), 0);
	assert_int_equal(
		am_store_dependant_get(s, "0012345679", "1111111112", &a, &o),
		0);
	assert_int_equal(o.until, 12000);
	/* Nobody is his own dependant. */
	d.dependant = "0012345679";
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	d.dependant = "1111111112";
	d.relation = (enum am_relation)9;
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	assert_int_equal(
		am_store_dependant_get(s, "1111111112", "0012345679", &a, &o),
		AM_ENOT_FOUND);

	assert_string_equal(am_relation_name(AM_RELATION_MOTHER), "mother");
	assert_null(am_relation_name((enum am_relation)4));
	assert_int_equal(am_relation_parse("spouse", &r), 0);
	assert_int_equal(r, AM_RELATION_SPOUSE);
	assert_int_equal(am_relation_parse("cousin", &r), AM_EINVALID_ARGUMENT);
	am_store_close(s);
	drop_db(db_path("dependants.db"));
	am_arena_release(&a);
}

/* A checked transaction writes what the caller checked, and the backend's
 * own checks are back for the next; a bulk load's set-aside indexes come
 * back at its end, or at the next open when it was cut short. */
static void test_bulk_load(void **state)
{
	struct am_store *s = open_new("bulk.db");
	struct am_person m = person("0012345679"), c = person("1111111112");
	struct am_dependant d = {
		.main_insured = "0012345679",
		.dependant = "1111111112",
		.relation = AM_RELATION_CHILD,
		.since = 12000,
		.until = AM_STORE_DATE_NONE,
	};
	const char *index_sql = "SELECT count(*) FROM sqlite_master"
				" WHERE name = 'dependants_dependant'";
	struct am_dependant o;
	struct am_arena a;

	(void)state;
	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_put(s, &m), 0);
	assert_int_equal(am_store_person_put(s, &c), 0);
	assert_int_equal(am_store_begin_checked(s), 0);
	assert_int_equal(am_store_load_begin(s, "dependants", 2000000),
			 AM_EINVALID_ARGUMENT); /* inside a transaction */
	assert_int_equal(am_store_dependant_put_bulk(s, &d), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(
		am_store_dependant_get(s, "0012345679", "1111111112", &a, &o),
		0);
	/* The next transactions check references again, after a commit
	 * and after a rollback. */
	for (int i = 0; i < 2; i++) {
		d.dependant = "2222222224"; /* nobody */
		assert_int_equal(am_store_begin(s), 0);
		assert_int_equal(am_store_dependant_put_bulk(s, &d),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(am_store_rollback(s), 0);
		d.dependant = "1111111112";
		assert_int_equal(am_store_begin_checked(s), 0);
		assert_int_equal(am_store_rollback(s), 0);
	}
	/* A load: whatever the backend set aside is back at its end, and
	 * not before, though the checkpoint thread opens a handle of its
	 * own meanwhile (a writable open puts back what a load cut short
	 * left). */
	assert_int_equal(am_store_load_begin(s, "dependants", 2000000), 0);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 0);
	assert_int_equal(am_store_checkpoint_thread(s, true), 0);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 0);
	d.since = 12001;
	assert_int_equal(am_store_begin_checked(s), 0);
	assert_int_equal(am_store_dependant_put_bulk(s, &d), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(am_store_checkpoint_thread(s, false), 0);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 0);
	assert_int_equal(am_store_load_end(s, "dependants"), 0);
	assert_int_equal(
		am_store_dependant_get(s, "0012345679", "1111111112", &a, &o),
		0);
	assert_int_equal(o.since, 12001);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 1);
	/* A small load keeps its indexes. */
	assert_int_equal(am_store_load_begin(s, "dependants", 10), 0);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 1);
	assert_int_equal(am_store_load_end(s, "dependants"), 0);
	/* A load cut short: the next open puts the index back. */
	assert_int_equal(am_store_load_begin(s, "dependants", 2000000), 0);
	am_store_close(s);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 0);
	assert_int_equal(am_store_open(db_path("bulk.db"), &s), 0);
	if (!testdb_is_pg())
		assert_int_equal(testdb_int(db_path("bulk.db"), index_sql), 1);
	assert_int_equal(
		am_store_dependant_get(s, "0012345679", "1111111112", &a, &o),
		0);
	am_store_close(s);
	drop_db(db_path("bulk.db"));
	am_arena_release(&a);
}

/* A batch of persons or dependants in one put: as puts one at a time
 * would (a key twice: its later row), or, when one is refused, none. */
static void test_put_many(void **state)
{
	struct am_store *s = open_new("many.db");
	struct am_person p[3] = { person("0012345679"), person("1111111112"),
				  person("0012345679") };
	const struct am_person *pp[3] = { &p[0], &p[1], &p[2] };
	struct am_dependant d[2] = {
		{ .main_insured = "0012345679",
		  .dependant = "1111111112",
		  .relation = AM_RELATION_CHILD,
		  .since = 12000,
		  .until = AM_STORE_DATE_NONE },
		{ .main_insured = "1111111112",
		  .dependant = "2222222224", /* nobody */
		  .relation = AM_RELATION_FATHER,
		  .since = 12000,
		  .until = 13000 },
	};
	const struct am_dependant *dp[2] = { &d[0], &d[1] };
	struct am_person out;
	struct am_dependant dout;
	struct am_arena a;

	(void)state;
	am_arena_init(&a, 0);
	assert_int_equal(am_store_persons_put_bulk(s, pp, 3),
			 AM_EINVALID_ARGUMENT); /* outside a transaction */
	assert_int_equal(am_store_begin(s), 0);
	/* A row of a wrong form: none written. */
	p[1].sex = 'X';
	assert_int_equal(am_store_persons_put_bulk(s, pp, 3),
			 AM_ESTORE_CONFLICT);
	assert_true(strstr(am_store_errmsg(s), "sex") != NULL);
	p[1].sex = 'F';
	p[2].last_name = "رضایی";
	assert_int_equal(am_store_persons_put_bulk(s, pp, 3), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &out), 0);
	assert_string_equal(out.last_name, "رضایی");
	assert_int_equal(am_store_person_get(s, "1111111112", &a, &out), 0);
	assert_int_equal(out.sex, 'F');
	assert_string_equal(out.insurance_no, "12345678");
	/* A dependant naming nobody: none of the batch written, and the
	 * transaction goes on. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_dependants_put_bulk(s, dp, 2),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(am_store_dependant_get(s, "0012345679", "1111111112",
						&a, &dout),
			 AM_ENOT_FOUND);
	assert_int_equal(am_store_dependants_put_bulk(s, dp, 1), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(am_store_dependant_get(s, "0012345679", "1111111112",
						&a, &dout),
			 0);
	assert_int_equal(dout.relation, AM_RELATION_CHILD);
	assert_int_equal(am_store_dependant_get(s, "1111111112", "2222222224",
						&a, &dout),
			 AM_ENOT_FOUND);
	/* A dependant of a wrong form: until before since. */
	d[0].until = 11000;
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_dependants_put_bulk(s, dp, 1),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(am_store_rollback(s), 0);
	/* Ensured: the registered kept as they are, the new added. */
	{
		struct am_person q[2] = { person("0012345679"),
					  person("3333333336") };
		const struct am_person *qp[2] = { &q[0], &q[1] };
		size_t added = 9;

		q[0].last_name = "دیگر";
		assert_int_equal(am_store_begin(s), 0);
		q[1].sex = 'X';
		assert_int_equal(am_store_persons_ensure_bulk(s, qp, 2, &added),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(added, 0);
		q[1].sex = 'F';
		assert_int_equal(am_store_persons_ensure_bulk(s, qp, 2, &added),
				 0);
		assert_int_equal(added, 1);
		assert_int_equal(am_store_commit(s), 0);
		assert_int_equal(am_store_person_get(s, "0012345679", &a, &out),
				 0);
		assert_string_equal(out.last_name, "رضایی");
		assert_int_equal(am_store_person_get(s, "3333333336", &a, &out),
				 0);
		assert_int_equal(out.sex, 'F');
	}
	/* The persons' codes went in with them (the posting reads them). */
	if (!testdb_is_pg())
		assert_int_equal(
			testdb_int(db_path("many.db"),
				   "SELECT count(*) FROM person_codes"),
			3);
	/* Workshops at once: one naming an employer nobody registered
	 * refuses the batch; without it, a new one and one put again. */
	{
		struct am_employer e = employer("10101010101");
		struct am_workshop w[3] = {
			workshop("1000000001", "10101010101"),
			workshop("1000000002", NULL),
			workshop("1000000003", "20202020202"), /* nobody */
		};
		const struct am_workshop *wp[3] = { &w[0], &w[1], &w[2] };
		struct am_workshop wo;

		assert_int_equal(am_store_employer_put(s, &e), 0);
		assert_int_equal(am_store_begin(s), 0);
		assert_int_equal(am_store_workshops_put_bulk(s, wp, 3),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(
			am_store_workshop_get(s, "1000000001", &a, &wo),
			AM_ENOT_FOUND);
		assert_int_equal(am_store_workshops_put_bulk(s, wp, 2), 0);
		w[0].name = "کارگاه دوم";
		w[0].small_exempt = true;
		assert_int_equal(am_store_workshops_put_bulk(s, wp, 1), 0);
		assert_int_equal(am_store_commit(s), 0);
		assert_int_equal(
			am_store_workshop_get(s, "1000000001", &a, &wo), 0);
		assert_string_equal(wo.name, "کارگاه دوم");
		assert_string_equal(wo.employer_id, "10101010101");
		assert_true(wo.small_exempt && wo.hard_harmful);
		assert_string_equal(wo.branch, "1201");
		assert_int_equal(
			am_store_workshop_get(s, "1000000002", &a, &wo), 0);
		assert_null(wo.employer_id);
		if (!testdb_is_pg())
			assert_int_equal(
				testdb_int(
					db_path("many.db"),
					"SELECT count(*) FROM workshop_keys"),
				2);
	}
	/* Employers at once: one of a wrong form (a legal person's id of
	 * ten digits) refuses the batch; without it, a new one and one put
	 * again, as single puts would. */
	{
		struct am_employer e[3] = { employer("30303030303"),
					    employer("40404040404"),
					    employer("5050505050") };
		const struct am_employer *ep[3] = { &e[0], &e[1], &e[2] };
		struct am_employer eo;

		e[2].kind = AM_EMPLOYER_LEGAL;
		assert_int_equal(am_store_begin(s), 0);
		assert_int_equal(am_store_employers_put_bulk(s, ep, 3),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(
			am_store_employer_get(s, "30303030303", &a, &eo),
			AM_ENOT_FOUND);
		assert_int_equal(am_store_employers_put_bulk(s, ep, 2), 0);
		e[0].name = "شرکت دیگر";
		e[0].address = NULL;
		assert_int_equal(am_store_employers_put_bulk(s, ep, 1), 0);
		assert_int_equal(am_store_commit(s), 0);
		assert_int_equal(
			am_store_employer_get(s, "30303030303", &a, &eo), 0);
		assert_string_equal(eo.name, "شرکت دیگر");
		assert_null(eo.address);
		assert_int_equal(eo.kind, AM_EMPLOYER_LEGAL);
		assert_int_equal(
			am_store_employer_get(s, "40404040404", &a, &eo), 0);
		assert_int_equal(
			am_store_employer_get(s, "5050505050", &a, &eo),
			AM_ENOT_FOUND);
	}
	am_store_close(s);
	drop_db(db_path("many.db"));
	am_arena_release(&a);
}

static void test_meta(void **state)
{
	struct am_store *s = open_new("meta.db");
	struct am_arena a;
	const char *v = NULL;

	am_arena_init(&a, 0);
	assert_int_equal(am_store_meta_get(s, "rules.identity", &a, &v),
			 AM_ENOT_FOUND);
	assert_null(v);
	assert_int_equal(am_store_meta_set(s, "rules.identity", "ab12"), 0);
	assert_int_equal(am_store_meta_set(s, "rules.identity", "cd34"), 0);
	assert_int_equal(am_store_meta_get(s, "rules.identity", &a, &v), 0);
	assert_string_equal(v, "cd34");
	assert_int_equal(am_store_meta_set(s, "", "x"), AM_EINVALID_ARGUMENT);
	am_store_close(s);
	assert_int_equal(raw_int(db_path("meta.db"),
				 "SELECT count(*) FROM audit WHERE action ="
				 " 'meta.set' AND subject = 'rules.identity'"),
			 2);
	drop_db(db_path("meta.db"));
	am_arena_release(&a);
}

/*
 * Transactions.
 */

static void test_transactions(void **state)
{
	const char *path = db_path("tx.db");
	struct am_store *s = open_new("tx.db");
	struct am_person p = person("0012345679"), q = person("1111111112");
	struct am_employer e = employer("10101234560");
	struct am_workshop w = workshop("1234567890", "99999999999");
	struct am_person out;
	struct am_arena a;

	am_arena_init(&a, 0);
	assert_false(am_store_in_transaction(s));
	assert_int_equal(am_store_commit(s), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_rollback(s), 0);

	/* Rolled back: nothing stays, not the audit entries either. */
	assert_int_equal(am_store_begin(s), 0);
	assert_true(am_store_in_transaction(s));
	assert_int_equal(am_store_begin(s), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_person_put(s, &p), 0);
	assert_int_equal(am_store_employer_put(s, &e), 0);
	assert_int_equal(am_store_rollback(s), 0);
	assert_false(am_store_in_transaction(s));
	assert_int_equal(am_store_person_get(s, "0012345679", &a, &out),
			 AM_ENOT_FOUND);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 0);

	/* A refused write inside a transaction is undone alone. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_person_put(s, &p), 0);
	assert_int_equal(am_store_workshop_put(s, &w), AM_ESTORE_CONFLICT);
	assert_true(am_store_in_transaction(s));
	assert_int_equal(am_store_person_put(s, &q), 0);
	/* Not visible to another connection before the commit. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_false(am_store_in_transaction(s));
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM workshops"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(raw_int(path, "SELECT max(seq) FROM audit"), 2);

	/* Closing with a transaction open rolls it back. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_employer_put(s, &e), 0);
	am_store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM employers"), 0);
	drop_db(path);
	am_arena_release(&a);
}

/* The n-th valid national code (its check digit computed), into out. */
static void nth_code(int n, char out[11])
{
	int sum = 0, r, v = 100000000 + n;

	for (int i = 8; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
	for (int i = 0; i < 9; i++)
		sum += (out[i] - '0') * (10 - i);
	r = sum % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = 0;
}

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* A bulk writer's checkpoints on a thread: each commit is copied beside
 * the next transaction, the log begins again every few commits instead of
 * growing, nothing is lost, and the handle checkpoints itself again once
 * the thread is off. */
static void test_checkpoint_thread(void **state)
{
	struct am_store *s;
	char path[600], wal[610], code[11];
	long long first_cycle = 0, auto_pages = -1;
	size_t runs = 0;
	double waited = -1;
	sqlite3_stmt *st;

	/* SQLite's write-ahead log and its checkpoints. */
	if (testdb_is_pg())
		skip();
	s = open_new("ckpt.db");
	snprintf(path, sizeof(path), "%s", db_path("ckpt.db"));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(am_store_checkpoint_thread(s, true), 0);
	assert_int_equal(am_store_checkpoint_thread(s, true), 0);
	for (int t = 0; t < 16; t++) {
		assert_int_equal(am_store_begin(s), 0);
		for (int i = 0; i < 300; i++) {
			struct am_person p;

			nth_code(t * 300 + i, code);
			p = person(code);
			assert_int_equal(am_store_person_put(s, &p), 0);
		}
		assert_int_equal(am_store_commit(s), 0);
		/* Four commits before the writer first waits for a copy. */
		if (t == 3)
			first_cycle = file_size(wal);
	}
	assert_true(first_cycle > 0);
	/* Without the copies, or without the log begun again, it would be
	 * about four times the first cycle's. */
	assert_true(file_size(wal) < 2 * first_cycle);
	am_store_checkpoint_thread_stats(s, &runs, &waited);
	assert_true(runs >= 4 && runs <= 16);
	assert_true(waited >= 0);
	assert_int_equal(am_store_checkpoint_thread(s, false), 0);
	assert_int_equal(am_store_checkpoint_thread(s, false), 0);
	am_store_checkpoint_thread_stats(s, &runs, NULL);
	assert_true(runs >= 4);
	assert_int_equal(sqlite3_prepare_v2(am__sq_db(s),
					    "PRAGMA wal_autocheckpoint", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	auto_pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(auto_pages, 1000);
	am_store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 4800);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 4800);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM pragma_"
				       "integrity_check WHERE integrity_check"
				       " = 'ok'"),
			 1);
	drop_db(path);
}

static void test_busy(void **state)
{
	const char *path = db_path("busy.db");
	struct am_store *s, *t;
	struct am_person p = person("0012345679");

	/* SQLite's busy timeout (0: refuse at once); PostgreSQL's writers
	 * wait their turn on the write lock. */
	if (testdb_is_pg())
		skip();
	s = open_new("busy.db");

	assert_int_equal(am_store_open(path, &t), 0);
	assert_int_equal(am__store_sqlite_busy_timeout(t, 0), 0);
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_person_put(t, &p), AM_ESTORE_BUSY);
	assert_int_equal(am_store_begin(t), AM_ESTORE_BUSY);
	assert_false(am_store_in_transaction(t));
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(am_store_person_put(t, &p), 0);
	am_store_close(t);
	am_store_close(s);
	drop_db(path);
}

/*
 * Idempotency.
 */

static void test_idempotency(void **state)
{
	struct am_store *s = open_new("idem.db");
	uint8_t h1[32], h2[32];
	char longkey[AM_IDEM_KEY_MAX + 2];
	struct am_arena a;
	const char *res = "x";
	bool already = true;

	am_arena_init(&a, 0);
	memset(h1, 0x11, sizeof(h1));
	memset(h2, 0x22, sizeof(h2));
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';

	/* A key outside the work's transaction would commit alone. */
	assert_int_equal(am_store_idem_claim(s, "list-1403-07", h1, &already),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_idem_claim(s, "list-1403-07", h1, &already),
			 0);
	assert_false(already);
	assert_int_equal(am_store_idem_claim(s, "list-1403-07", h1, &already),
			 0);
	assert_true(already);
	assert_int_equal(am_store_idem_claim(s, "list-1403-07", h2, &already),
			 AM_EIDEMPOTENCY_CONFLICT);
	assert_true(already); /* unchanged by the refusal */
	assert_int_equal(am_store_idem_claim(s, "", h1, &already),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_idem_claim(s, longkey, h1, &already),
			 AM_EINVALID_ARGUMENT);
	longkey[AM_IDEM_KEY_MAX] = '\0'; /* exactly the most allowed */
	assert_int_equal(am_store_idem_claim(s, longkey, h1, &already), 0);
	assert_false(already);
	assert_int_equal(
		am_store_idem_set_result(s, "list-1403-07", "{\"lines\":42}"),
		0);
	assert_int_equal(am_store_commit(s), 0);

	/* After the commit, in a later transaction. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_idem_claim(s, "list-1403-07", h1, &already),
			 0);
	assert_true(already);
	assert_int_equal(am_store_idem_claim(s, "list-1403-08", h2, &already),
			 0);
	assert_false(already);
	assert_int_equal(am_store_rollback(s), 0);

	/* The rolled-back claim is gone with its work. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_idem_claim(s, "list-1403-08", h1, &already),
			 0);
	assert_false(already);
	assert_int_equal(am_store_commit(s), 0);

	assert_int_equal(am_store_idem_result(s, "list-1403-07", &a, &res), 0);
	assert_string_equal(res, "{\"lines\":42}");
	assert_int_equal(am_store_idem_result(s, "list-1403-08", &a, &res), 0);
	assert_null(res);
	assert_int_equal(am_store_idem_result(s, "list-0000-00", &a, &res),
			 AM_ENOT_FOUND);
	assert_int_equal(am_store_idem_set_result(s, "list-0000-00", "{}"),
			 AM_ENOT_FOUND);
	am_store_close(s);
	drop_db(db_path("idem.db"));
	am_arena_release(&a);
}

/*
 * Fault injection: an import of a few records in one transaction, with
 * the k-th backend call failing, for every k.
 */

#define INJECTED AM_EIO

static int import(struct am_store *s)
{
	static const char *const codes[] = { "0012345679", "1111111112",
					     "2222222222" };
	struct am_employer e = employer("10101234560");
	struct am_workshop w = workshop("1234567890", "10101234560");
	struct am_dependant d = {
		.main_insured = "0012345679",
		.dependant = "1111111112",
		.relation = AM_RELATION_SPOUSE,
		.since = 15000,
		.until = AM_STORE_DATE_NONE,
	};
	uint8_t hash[32];
	bool already;
	int err;

	memset(hash, 0xab, sizeof(hash));
	err = am_store_begin(s);
	if (err)
		return err;
	err = am_store_idem_claim(s, "import-1", hash, &already);
	if (!err)
		err = am_store_employer_put(s, &e);
	if (!err)
		err = am_store_workshop_put(s, &w);
	for (size_t i = 0; !err && i < 3; i++) {
		struct am_person p = person(codes[i]);

		err = am_store_person_put(s, &p);
	}
	if (!err)
		err = am_store_dependant_put(s, &d);
	if (!err)
		err = am_store_meta_set(s, "last_import", "import-1");
	if (!err)
		return am_store_commit(s);
	am_store_rollback(s);
	return err;
}

/* Rows of every kind the import writes, and whether the chain holds. */
static long long count_all(const char *path)
{
	return raw_int(path, "SELECT (SELECT count(*) FROM persons)"
			     " + (SELECT count(*) FROM employers)"
			     " + (SELECT count(*) FROM workshops)"
			     " + (SELECT count(*) FROM dependants)"
			     " + (SELECT count(*) FROM meta)"
			     " + (SELECT count(*) FROM idempotency)"
			     " + (SELECT count(*) FROM audit)");
}

/* 3 persons, 1 employer, 1 workshop, 1 dependant, 1 meta, 1 key, and an
 * audit entry for each of the 7 registry and meta writes. */
#define ALL_ROWS (3 + 1 + 1 + 1 + 1 + 1 + 7)

static void check_after(const char *path, int err, bool fired)
{
	struct am_audit_verify_result res;
	struct am_store *s;

	if (fired) {
		/* A clean error: the injected one, passed out unchanged. */
		assert_int_equal(err, INJECTED);
		assert_int_equal(count_all(path), 0);
	} else {
		assert_int_equal(err, 0);
		assert_int_equal(count_all(path), ALL_ROWS);
	}
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_audit_verify(s, &res), 0);
	assert_int_equal(res.count, fired ? 0 : 7);
	am_store_close(s);
}

static void fault_sweep(unsigned long count)
{
	const char *path = db_path("fault.db");
	unsigned long k, fired_runs = 0;

	for (k = 1; k < 1000; k++) {
		struct am_store *inner, *s;
		bool fired;
		int err;

		inner = open_new("fault.db");
		assert_int_equal(
			am__store_fault_wrap(inner, k, count, INJECTED, &s), 0);
		assert_string_equal(am_store_backend_name(s), "fault");
		err = import(s);
		fired = am__store_fault_fired(s);
		if (fired)
			assert_non_null(strstr(am_store_errmsg(s), "injected"));
		am_store_close(s);
		check_after(path, err, fired);
		drop_db(path);
		if (!fired)
			break;
		fired_runs++;
	}
	/* The sweep reached past the last call: every call was failed once.
	 * (See test_fault_counts: 39 calls.) */
	assert_true(k < 1000);
	assert_int_equal(fired_runs, 39);
	assert_int_equal(fired_runs, k - 1);
}

static void test_fault_each_call(void **state)
{
	fault_sweep(1);
}

static void test_fault_from_call_on(void **state)
{
	fault_sweep(ULONG_MAX);
}

static void test_fault_counts(void **state)
{
	struct am_store *inner = open_new("count.db"), *s;

	assert_int_equal(am__store_fault_wrap(inner, 0, 1, INJECTED, &s), 0);
	assert_int_equal(import(s), 0);
	assert_false(am__store_fault_fired(s));
	/* begin, one schema check, claim, 7 × (savepoint, put, head, insert,
	 * release), commit: the count pins the call pattern, so a change
	 * that adds calls per record shows up here. */
	assert_int_equal(am__store_fault_calls(s), 1 + 1 + 1 + 7 * 5 + 1);
	am_store_close(s);
	drop_db(db_path("count.db"));
}

/* Inside the caller's transaction, a put that fails half-way (its record
 * written, its audit entry not) is undone alone, and the caller goes on. */
static void test_fault_unit_undone(void **state)
{
	const char *path = db_path("unit.db");
	struct am_store *inner = open_new("unit.db"), *s;
	struct am_person p = person("0012345679"), q = person("1111111112");

	/* 1 begin, 2 schema check, 3 savepoint, 4 person put, 5 audit head,
	 * 6 audit insert: fail the insert. */
	assert_int_equal(am__store_fault_wrap(inner, 6, 1, INJECTED, &s), 0);
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_person_put(s, &p), INJECTED);
	assert_true(am_store_in_transaction(s));
	assert_int_equal(am_store_person_put(s, &q), 0);
	assert_int_equal(am_store_commit(s), 0);
	am_store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons WHERE"
				       " national_code = '1111111112'"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit WHERE"
				       " seq = 1 AND subject = '1111111112'"),
			 1);
	drop_db(path);
}

/* When the undo fails too, the transaction may only be rolled back. */
static void test_fault_undo_fails(void **state)
{
	const char *path = db_path("poison.db");
	struct am_store *inner = open_new("poison.db"), *s;
	struct am_person p = person("0012345679"), q = person("1111111112");

	/* Fail the audit insert (6) and the rollback to the savepoint (7). */
	assert_int_equal(am__store_fault_wrap(inner, 6, 2, INJECTED, &s), 0);
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_person_put(s, &p), INJECTED);
	assert_int_equal(am_store_person_put(s, &q), AM_ESTORE_SQL);
	assert_non_null(strstr(am_store_errmsg(s), "roll it back"));
	assert_int_equal(am_store_commit(s), AM_ESTORE_SQL);
	assert_false(am_store_in_transaction(s));
	/* The handle is usable again afterwards. */
	assert_int_equal(am_store_person_put(s, &q), 0);
	am_store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons WHERE"
				       " national_code = '1111111112'"),
			 1);
	drop_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_backends),
		cmocka_unit_test(test_open_not_a_database),
		cmocka_unit_test(test_not_initialised),
		cmocka_unit_test(test_migrate_twice),
		cmocka_unit_test(test_schema_newer),
		cmocka_unit_test(test_migration_edited),
		cmocka_unit_test(test_person_round_trip),
		cmocka_unit_test(test_person_upsert),
		cmocka_unit_test(test_person_refusals),
		cmocka_unit_test(test_employer_workshop),
		cmocka_unit_test(test_dependants),
		cmocka_unit_test(test_bulk_load),
		cmocka_unit_test(test_put_many),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_checkpoint_thread),
		cmocka_unit_test(test_idempotency),
		cmocka_unit_test(test_fault_each_call),
		cmocka_unit_test(test_fault_from_call_on),
		cmocka_unit_test(test_fault_counts),
		cmocka_unit_test(test_fault_unit_undone),
		cmocka_unit_test(test_fault_undo_fails),
	};

	return cmocka_run_group_tests(tests, count_migrations, NULL);
}
