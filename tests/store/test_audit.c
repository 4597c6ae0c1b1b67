/* The audit trail: the hash of an entry against a value computed apart,
 * appending, the append-only triggers, and verify naming the first entry
 * an attacker changed or removed. */
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

#include "amanat/amanat.h"
#include "store/store_int.h"
#include "testdb.h"

#define N 10

/* The test database (tests/testdb.h): a SQLite file or a PostgreSQL
 * schema. */
static const char *path;

static int init(void **state)
{
	(void)state;
	path = testdb_uri("audit.db");
	return sodium_init() < 0 ? -1 : 0;
}

static void drop_db(void)
{
	testdb_drop(path);
}

static struct am_store *open_new(void)
{
	struct am_store *s;

	if (am_store_open(testdb_new("audit.db"), &s) != 0)
		fail_msg("open %s: %s", path, am_store_errmsg(NULL));
	if (am_store_migrate(s, NULL, NULL) != 0)
		fail_msg("migrate %s: %s", path, am_store_errmsg(s));
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

/* SQL on the database with a plain connection, as an attacker would. */
static enum testdb_rc raw_exec(const char *sql)
{
	return testdb_exec(path, sql);
}

/* What an attacker runs first to change the trail: the append-only
 * triggers dropped (SQLite) or turned off (PostgreSQL; the role amanat
 * is a superuser). */
static const char *untrigger(void)
{
	return TESTDB_SQL("DROP TRIGGER audit_no_update;"
			  " DROP TRIGGER audit_no_delete;",
			  "ALTER TABLE audit DISABLE TRIGGER USER;");
}

/* Run sql on the trail with its triggers out of the way. */
static enum testdb_rc tamper(const char *sql)
{
	char all[1024];

	snprintf(all, sizeof(all), "%s %s", untrigger(), sql);
	return raw_exec(all);
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
	uint8_t h[64], zero[32] = { 0 };
	char *actor;

	verify(0, &res);
	assert_int_equal(res.count, N);
	assert_int_equal(res.last_seq, N);
	assert_int_equal(res.problem, AM_AUDIT_OK);
	assert_int_equal(res.broken_seq, 0);

	/* The head is the stored hash of entry N; entry 1 links to zeros. */
	assert_int_equal(testdb_blob(path,
				     "SELECT hash FROM audit WHERE seq"
				     " = 10",
				     h, sizeof(h)),
			 32);
	assert_memory_equal(h, res.head, 32);
	assert_int_equal(testdb_blob(path,
				     "SELECT prev_hash FROM audit"
				     " WHERE seq = 1",
				     h, sizeof(h)),
			 32);
	assert_memory_equal(h, zero, 32);
	actor = testdb_text(path, "SELECT actor FROM audit WHERE seq = 1");
	assert_string_equal(actor, "clerk:7");
	free(actor);
	assert_int_equal(testdb_int(path, "SELECT at FROM audit WHERE seq = 1"),
			 1700000001);
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

		for (int i = 0; i < 200; i += 2)
			memcpy(actor + i, "\xd8\xb9", 2);
		actor[200] = '\0';
		am_store_set_actor(s, actor);
		assert_int_equal(am_store_audit_append(s, "c", "", "{}", &seq),
				 0);
		assert_int_equal(
			testdb_int(
				path,
				TESTDB_SQL("SELECT length(CAST(actor AS"
					   " BLOB)) FROM audit WHERE seq = 3",
					   "SELECT octet_length(actor) FROM"
					   " audit WHERE seq = 3")),
			126);
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
	static const char *const want[][2] = {
		{ "action", "person.put" },
		{ "subject", "0012345679" },
		/* The text as written: the chain's hash covers it. */
		{ "payload", "{\"national_code\":\"0012345679\","
			     "\"first_name\":\"زهرا\","
			     "\"last_name\":\"\\\"قاسمی\\\"\","
			     "\"father_name\":null,\"birth_date\":null,"
			     "\"sex\":\"F\",\"nationality\":\"IRN\","
			     "\"insurance_no\":null}" },
		{ "actor", "amanat" },
	};

	assert_int_equal(am_store_person_put(s, &p), 0);
	am_store_close(s);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char sql[64], *v;

		snprintf(sql, sizeof(sql), "SELECT %s FROM audit WHERE seq = 1",
			 want[i][0]);
		v = testdb_text(path, sql);
		assert_string_equal(v, want[i][1]);
		free(v);
	}
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
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec("DELETE FROM audit WHERE seq = 3"),
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec("DELETE FROM audit"), TESTDB_CONSTRAINT);
	verify(0, &res);
	assert_int_equal(res.count, N);
}

static void test_tampered_payload(void **state)
{
	struct am_audit_verify_result res;

	/* The attacker drops the trigger first. */
	assert_int_equal(tamper("UPDATE audit SET payload = '{\"n\":99}'"
				" WHERE seq = 4"),
			 TESTDB_OK);
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

	assert_int_equal(tamper("UPDATE audit SET actor = 'mallory'"
				" WHERE seq = 1"),
			 TESTDB_OK);
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
		 TESTDB_SQL("UPDATE audit SET payload = '{\"n\":500}', hash ="
			    " x'%s' WHERE seq = 5",
			    "UPDATE audit SET payload = '{\"n\":500}', hash ="
			    " '\\x%s'::bytea WHERE seq = 5"),
		 x);
	assert_int_equal(tamper(sql), TESTDB_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_PREV_MISMATCH);
	assert_int_equal(res.broken_seq, 6);
}

static void test_deleted_middle(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(tamper("DELETE FROM audit WHERE seq = 5"), TESTDB_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_SEQ_GAP);
	assert_int_equal(res.broken_seq, 6);
	assert_int_equal(res.expected_seq, 5);
	assert_int_equal(res.count, N - 1);
}

static void test_deleted_first(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(tamper("DELETE FROM audit WHERE seq = 1"), TESTDB_OK);
	verify(AM_EAUDIT_BROKEN, &res);
	assert_int_equal(res.problem, AM_AUDIT_SEQ_GAP);
	assert_int_equal(res.broken_seq, 2);
	assert_int_equal(res.expected_seq, 1);
}

/* Renumbering after a delete to hide the gap breaks the hashes. */
static void test_renumbered(void **state)
{
	struct am_audit_verify_result res;

	assert_int_equal(tamper("DELETE FROM audit WHERE seq = 7;"
				" UPDATE audit SET seq = seq + 100"
				" WHERE seq > 7;"
				" UPDATE audit SET seq = seq - 101"
				" WHERE seq > 100"),
			 TESTDB_OK);
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
	assert_int_equal(tamper("DELETE FROM audit WHERE seq = 10"), TESTDB_OK);
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

	return cmocka_run_group_tests(tests, init, NULL);
}
