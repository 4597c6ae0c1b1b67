/* The audit trail: the hash of an entry against a value computed apart,
 * appending, the append-only triggers, and verify naming the first entry
 * an attacker changed or removed. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "amanat/amanat.h"
#include "store/store_int.h"

#define N 10

static char dir[64];
static char path[128];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/amanat-audit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	return sodium_init() < 0 ? -1 : 0;
}

static int remove_dir(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir);
}

static void drop_db(void)
{
	char p[256];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static struct am_store *open_new(void)
{
	struct am_store *s;

	drop_db();
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_migrate(s, NULL, NULL), 0);
	s->clock = 1700000000;
	return s;
}

/* A database with entries 1..N, made by an actor "clerk:7". */
static int with_chain(void **state)
{
	struct am_store *s = open_new();
	char payload[64];

	am_store_set_actor(s, "clerk:7");
	for (int i = 1; i <= N; i++) {
		uint64_t seq = 0;

		snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
		s->clock = 1700000000 + i;
		if (am_store_audit_append(s, "test.append", "subject", payload,
					  &seq) ||
		    seq != (uint64_t)i)
			return -1;
	}
	am_store_close(s);
	return 0;
}

static int drop_chain(void **state)
{
	drop_db();
	return 0;
}

static int raw_exec(const char *sql)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void verify(int want_err, struct am_audit_verify_result *res)
{
	struct am_store *s;

	/* Verifying is a read command: read only is enough. */
	assert_int_equal(am_store_open_flags(path, AM_STORE_OPEN_READONLY, &s),
			 0);
	memset(res, 0xee, sizeof(*res));
	assert_int_equal(am_store_audit_verify(s, res), want_err);
	am_store_close(s);
}

/*
 * The hash.
 */

static void hex(const uint8_t *h, char out[65])
{
	sodium_bin2hex(out, 65, h, 32);
}

/* Computed apart from the C code, from the encoding in audit.c, with
 * Python: hashlib.blake2b(digest_size=32) over the length-prefixed tag,
 * seq, at, actor, action, subject, payload and prev. A change of the
 * encoding breaks every stored chain, so it must show up here. */
static void test_hash_known_answer(void **state)
{
	struct am_audit_entry e;
	uint8_t h[32];
	char x[65];

	memset(&e, 0, sizeof(e));
	e.seq = 1;
	e.at = 1700000000;
	e.actor = "amanat";
	e.action = "person.put";
	e.subject = "0012345679";
	e.payload = "{\"national_code\":\"0012345679\"}";
	assert_int_equal(am__audit_hash(&e, h), 0);
	hex(h, x);
	assert_string_equal(x, "527123093d515c0960a4e85d78b735786a9d49c7ec0818"
			       "c67fb3e773242ca685");

	/* Each field counts, and the lengths keep fields apart. */
	e.subject = "0012345679{";
	e.payload = "\"national_code\":\"0012345679\"}";
	assert_int_equal(am__audit_hash(&e, h), 0);
	hex(h, x);
	assert_string_not_equal(x, "527123093d515c0960a4e85d78b735786a9d49c7"
				   "ec0818c67fb3e773242ca685");
}

/*
 * Appending and verifying.
 */

static void test_verify_intact(void **state)
{
	struct am_audit_verify_result res;
	sqlite3 *db;
	sqlite3_stmt *st;

	verify(0, &res);
	assert_int_equal(res.count, N);
	assert_int_equal(res.last_seq, N);
	assert_int_equal(res.problem, AM_AUDIT_OK);
	assert_int_equal(res.broken_seq, 0);

	/* The head is the stored hash of entry N; entry 1 links to zeros. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT hash FROM audit WHERE seq"
					    " = 10",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_memory_equal(sqlite3_column_blob(st, 0), res.head, 32);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT prev_hash = zeroblob(32),"
					    " actor, at FROM audit WHERE seq"
					    " = 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	assert_string_equal((const char *)sqlite3_column_text(st, 1),
			    "clerk:7");
	assert_int_equal(sqlite3_column_int64(st, 2), 1700000001);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_verify_empty(void **state)
{
	struct am_audit_verify_result res;
	struct am_store *s = open_new();
	uint8_t zero[32] = { 0 };

	assert_int_equal(am_store_audit_verify(s, &res), 0);
	assert_int_equal(res.count, 0);
	assert_int_equal(res.last_seq, 0);
	assert_memory_equal(res.head, zero, 32);
	am_store_close(s);
	drop_db();
}

struct collect {
	uint64_t seqs[2 * N];
	size_t n;
	int stop_after;
};

static int collect_one(const struct am_audit_entry *e, void *ctx)
{
	struct collect *c = ctx;

	c->seqs[c->n++] = e->seq;
	if (c->stop_after && (int)c->n == c->stop_after)
		return 77;
	return 0;
}

static void test_iterate(void **state)
{
	struct am_store *s;
	struct collect c = { .n = 0 };

	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_audit_iterate(s, 8, collect_one, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.seqs[0], 8);
	assert_int_equal(c.seqs[2], 10);
	/* A non-zero return stops the walk and comes back. */
	c.n = 0;
	c.stop_after = 2;
	assert_int_equal(am_store_audit_iterate(s, 1, collect_one, &c), 77);
	assert_int_equal(c.n, 2);
	am_store_close(s);
}

static void test_append_rules(void **state)
{
	struct am_audit_verify_result res;
	struct am_store *s = open_new();
	uint64_t seq = 0;

	/* Rolled back with the caller's transaction: the seq is reused. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_audit_append(s, "a", "x", "{}", &seq), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(am_store_rollback(s), 0);
	assert_int_equal(am_store_audit_append(s, "a", NULL, NULL, &seq), 0);
	assert_int_equal(seq, 1);
	/* The payload must be JSON; a refusal writes nothing. */
	assert_int_equal(am_store_audit_append(s, "a", "x", "{nope", &seq),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(am_store_audit_append(s, "", "x", "{}", &seq),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_audit_append(s, "b", "x", "[1,2]", &seq), 0);
	assert_int_equal(seq, 2);

	/* A long actor is cut between characters: 200 bytes of "ع" (2 bytes
	 * each) keep 63 characters, 126 bytes, never half of one. */
	{
		char actor[201];
		sqlite3 *db;
		sqlite3_stmt *st;

		for (int i = 0; i < 200; i += 2)
			memcpy(actor + i, "\xd8\xb9", 2);
		actor[200] = '\0';
		am_store_set_actor(s, actor);
		assert_int_equal(am_store_audit_append(s, "c", "", "{}", &seq),
				 0);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT length(CAST(actor"
						    " AS BLOB)) FROM audit"
						    " WHERE seq = 3",
						    -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 126);
		sqlite3_finalize(st);
		sqlite3_close(db);
		am_store_set_actor(s, NULL);
	}
	assert_int_equal(am_store_audit_verify(s, &res), 0);
	assert_int_equal(res.count, 3);
	am_store_close(s);
	drop_db();
}

/* A registry put's entry: the action, the key and the record as JSON. */
static void test_registry_entry(void **state)
{
	struct am_store *s = open_new();
	struct am_person p = {
		.national_code = "0012345679",
		.first_name = "زهرا",
		.last_name = "\"قاسمی\"",
		.father_name = NULL,
		.birth_date = AM_STORE_DATE_NONE,
		.sex = 'F',
		.nationality = "IRN",
		.insurance_no = NULL,
	};
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(am_store_person_put(s, &p), 0);
	am_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT action, subject, payload,"
					    " actor FROM audit WHERE seq = 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "person.put");
	assert_string_equal((const char *)sqlite3_column_text(st, 1),
			    "0012345679");
	assert_string_equal((const char *)sqlite3_column_text(st, 2),
			    "{\"national_code\":\"0012345679\","
			    "\"first_name\":\"زهرا\","
			    "\"last_name\":\"\\\"قاسمی\\\"\","
			    "\"father_name\":null,\"birth_date\":null,"
			    "\"sex\":\"F\",\"nationality\":\"IRN\","
			    "\"insurance_no\":null}");
	assert_string_equal((const char *)sqlite3_column_text(st, 3), "amanat");
	sqlite3_finalize(st);
	sqlite3_close(db);
	drop_db();
}

/*
 * Tampering.
 */

static void test_triggers_refuse(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(raw_exec("UPDATE audit SET payload = '{\"n\":99}'"
				  " WHERE seq = 3"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec("DELETE FROM audit WHERE seq = 3"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec("DELETE FROM audit"), SQLITE_CONSTRAINT);
	verify(0, &res);
	assert_int_equal(res.count, N);
}

static void test_tampered_payload(void **state)
{
	struct am_audit_verify_result res;

	/* The attacker drops the trigger first. */
	assert_int_equal(raw_exec("DROP TRIGGER audit_no_update;"
				  " UPDATE audit SET payload = '{\"n\":99}'"
				  " WHERE seq = 4"),
			 SQLITE_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_HASH_MISMATCH);
	assert_int_equal(res.broken_seq, 4);
	assert_int_equal(res.count, N); /* the walk counts every entry */
	assert_int_equal(res.last_seq, N);
}

static void test_tampered_actor_first(void **state)
{
	struct am_audit_verify_result res;
	struct am_store *s;

	assert_int_equal(raw_exec("DROP TRIGGER audit_no_update;"
				  " UPDATE audit SET actor = 'mallory'"
				  " WHERE seq = 1"),
			 SQLITE_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_store_audit_verify(s, &res), AM_EAUDIT_BROKEN);
	assert_int_equal(res.broken_seq, 1);
	assert_non_null(strstr(am_store_errmsg(s), "audit entry 1:"));
	am_store_close(s);
}

/* The attacker rewrites entry 5 and its hash too: entry 5 checks out on
 * its own, and entry 6 no longer links to it. */
static void test_rehashed_entry(void **state)
{
	struct am_audit_verify_result res;
	struct am_audit_entry e;
	char sql[512], x[65];

	memset(&e, 0, sizeof(e));
	e.seq = 5;
	e.at = 1700000005;
	e.actor = "clerk:7";
	e.action = "test.append";
	e.subject = "subject";
	e.payload = "{\"n\":5}";
	/* Entry 5's prev is entry 4's hash: read it back through verify's
	 * walk would be circular, so recompute the chain up to it. */
	for (uint64_t i = 1; i <= 5; i++) {
		char payload[32];

		snprintf(payload, sizeof(payload), "{\"n\":%d}", (int)i);
		e.seq = i;
		e.at = 1700000000 + (int64_t)i;
		e.payload = i == 5 ? "{\"n\":500}" : payload;
		assert_int_equal(am__audit_hash(&e, e.hash), 0);
		if (i < 5)
			memcpy(e.prev_hash, e.hash, 32);
	}
	hex(e.hash, x);
	snprintf(sql, sizeof(sql),
		 "DROP TRIGGER audit_no_update; UPDATE audit SET payload ="
		 " '{\"n\":500}', hash = x'%s' WHERE seq = 5",
		 x);
	assert_int_equal(raw_exec(sql), SQLITE_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_PREV_MISMATCH);
	assert_int_equal(res.broken_seq, 6);
}

static void test_deleted_middle(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(raw_exec("DROP TRIGGER audit_no_delete;"
				  " DELETE FROM audit WHERE seq = 5"),
			 SQLITE_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_SEQ_GAP);
	assert_int_equal(res.broken_seq, 6);
	assert_int_equal(res.expected_seq, 5);
	assert_int_equal(res.count, N - 1);
}

static void test_deleted_first(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(raw_exec("DROP TRIGGER audit_no_delete;"
				  " DELETE FROM audit WHERE seq = 1"),
			 SQLITE_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_SEQ_GAP);
	assert_int_equal(res.broken_seq, 2);
	assert_int_equal(res.expected_seq, 1);
}

/* Renumbering after a delete to hide the gap breaks the hashes. */
static void test_renumbered(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(raw_exec("DROP TRIGGER audit_no_delete;"
				  " DROP TRIGGER audit_no_update;"
				  " DELETE FROM audit WHERE seq = 7;"
				  " UPDATE audit SET seq = seq + 100"
				  " WHERE seq > 7;"
				  " UPDATE audit SET seq = seq - 101"
				  " WHERE seq > 100"),
			 SQLITE_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_PREV_MISMATCH);
	assert_int_equal(res.broken_seq, 7);
	assert_int_equal(res.count, N - 1);
}

/* The limit of a chain: removing the newest entries leaves a shorter,
 * intact chain. Only a head hash kept elsewhere shows it (docs). */
static void test_deleted_tail(void **state)
{
	struct am_audit_verify_result before, after;

	verify(0, &before);
	assert_int_equal(raw_exec("DROP TRIGGER audit_no_delete;"
				  " DELETE FROM audit WHERE seq = 10"),
			 SQLITE_OK);
	verify(0, &after);
	assert_int_equal(after.last_seq, N - 1);
	assert_memory_not_equal(before.head, after.head, 32);
}

static void test_problem_text(void **state)
{
	assert_string_equal(am_audit_problem_text(AM_AUDIT_SEQ_GAP, false),
			    "entries before this one are missing (a gap in "
			    "seq)");
	assert_non_null(
		strstr(am_audit_problem_text(AM_AUDIT_SEQ_GAP, true), "حذف"));
	assert_string_equal(
		am_audit_problem_text((enum am_audit_problem)42, false),
		"unknown problem");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_known_answer),
		cmocka_unit_test_setup_teardown(test_verify_intact, with_chain,
						drop_chain),
		cmocka_unit_test(test_verify_empty),
		cmocka_unit_test_setup_teardown(test_iterate, with_chain,
						drop_chain),
		cmocka_unit_test(test_append_rules),
		cmocka_unit_test(test_registry_entry),
		cmocka_unit_test_setup_teardown(test_triggers_refuse,
						with_chain, drop_chain),
		cmocka_unit_test_setup_teardown(test_tampered_payload,
						with_chain, drop_chain),
		cmocka_unit_test_setup_teardown(test_tampered_actor_first,
						with_chain, drop_chain),
		cmocka_unit_test_setup_teardown(test_rehashed_entry, with_chain,
						drop_chain),
		cmocka_unit_test_setup_teardown(test_deleted_middle, with_chain,
						drop_chain),
		cmocka_unit_test_setup_teardown(test_deleted_first, with_chain,
						drop_chain),
		cmocka_unit_test_setup_teardown(test_renumbered, with_chain,
						drop_chain),
		cmocka_unit_test_setup_teardown(test_deleted_tail, with_chain,
						drop_chain),
		cmocka_unit_test(test_problem_text),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
