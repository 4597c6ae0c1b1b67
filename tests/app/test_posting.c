/* Posting wage lists (amanat/posting.h, over the store's rows):
 * idempotency, conflicts and amendments, the ledger and its balance,
 * payments, migrated history, the views, the bulk registry put, and fault
 * injection over a batch of lists. */
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
#include <sqlite3.h>

#include "amanat/amanat.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "testdb.h"
#include "testlist.h"

#define INJECTED AM_EIO
#define W1 "1234567890" /* an ordinary workshop */
#define W2 "2222222222" /* a small exempt one */
#define RULES "ir-test-rules"
#define NSESSIONS (sizeof(sessions) / sizeof(sessions[0]))

/* Each handle's posting session: the tests post through one per handle,
 * and close the handle with close_store(), which frees it first. */
static struct {
	struct am_store *s;
	struct am_post_session *ps;
} sessions[8];

static struct am_post_session *sess(struct am_store *s)
{
	size_t free_at = NSESSIONS;

	for (size_t i = 0; i < NSESSIONS; i++) {
		if (sessions[i].s == s)
			return sessions[i].ps;
		if (!sessions[i].s && free_at == NSESSIONS)
			free_at = i;
	}
	assert_true(free_at < NSESSIONS);
	assert_int_equal(am_post_session_new(s, &sessions[free_at].ps), 0);
	sessions[free_at].s = s;
	return sessions[free_at].ps;
}

static void close_store(struct am_store *s)
{
	for (size_t i = 0; s && i < NSESSIONS; i++)
		if (sessions[i].s == s) {
			am_post_session_free(sessions[i].ps);
			sessions[i].s = NULL;
			sessions[i].ps = NULL;
		}
	am_store_close(s);
}

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

/* A plain connection's view, as a tool or an attacker would have it. */
static long long raw_int(const char *path, const char *sql)
{
	return testdb_int(path, sql);
}

static enum testdb_rc raw_exec(const char *path, const char *sql)
{
	return testdb_exec(path, sql);
}

/* The entries of the by-person index: each backend's segments count the
 * lines their blocks hold. */
static long long index_entries(const char *path)
{
	return raw_int(path, "SELECT coalesce(sum(entries), 0)"
			     " FROM index_segments");
}

/* A database with the schema, an employer and the two workshops. */
static struct am_store *open_new(const char *name)
{
	struct am_employer e = {
		.id = "0067749828",
		.kind = AM_EMPLOYER_PERSON,
		.name = "حسن احمدی",
	};
	struct am_workshop w = {
		.code = W1,
		.name = "کارگاه نمونه",
		.employer_id = "0067749828",
	};
	struct am_store *s;

	if (am_store_open(testdb_new(name), &s) != 0)
		fail_msg("open %s: %s", db_path(name), am_store_errmsg(NULL));
	if (am_store_migrate(s, NULL, NULL) != 0)
		fail_msg("migrate %s: %s", db_path(name), am_store_errmsg(s));
	s->clock = 1700000000; /* 2023-11-14 */
	assert_int_equal(am_store_employer_put(s, &e), 0);
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	w.code = W2;
	w.small_exempt = true;
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	return s;
}

/*
 * Lists built by hand (tests/testlist.h).
 */

/* 1403/07 (Mehr, 30 days), due at the end of Aban. */
static am_date due_date(void)
{
	am_date d;

	assert_int_equal(am_jalali_to_date(1403, 8, 30, &d), 0);
	return d;
}

static int post(struct am_store *s, struct test_list *t, bool amend,
		int *outcome)
{
	return am_post_list(sess(s), &t->l, t->a, due_date(),
			    strcmp(t->l.workshop, W2) == 0, RULES, amend,
			    outcome);
}

static void assert_balanced(struct am_store *s)
{
	int64_t d = -1, c = -2;
	bool ok = false;

	assert_int_equal(am_ledger_check(s, &ok, &d, &c), 0);
	assert_true(ok);
	assert_int_equal(d, c);
}

static void assert_audit_ok(struct am_store *s)
{
	struct am_audit_verify_result res;

	assert_int_equal(am_store_audit_verify(s, &res), 0);
}

/* The first list of the tests: three workers of W1 in 1403/07. Daily
 * wages 3,000,000 (30 days: 90,000,000), 4,000,000 (20 days: 80,000,000,
 * hard and harmful) and 2,500,000 (30 days: 75,000,000). */
static void first_list(struct test_list *t)
{
	list_init(t, W1, 1403, 7, "01", 0x11);
	list_add(t, "0012345679", 30, 3000000, false, false);
	list_add(t, "0499370899", 20, 4000000, true, false);
	list_add(t, "0650451252", 30, 2500000, false, false);
}

/* What W1 owes for first_list: insured 7% + employer 20% + unemployment 3%
 * of 245,000,000, plus 4% of 80,000,000. */
#define FIRST_TOTAL 245000000LL
#define FIRST_OWED (FIRST_TOTAL * 30 / 100 + 80000000LL * 4 / 100)

static void test_post_and_repost(void **state)
{
	const char *path = db_path("post.db");
	struct am_store *s = open_new("post.db");
	struct test_list t;
	uint8_t hash[32];
	int64_t id = 0;
	bool found = true;
	int outcome = -1;

	(void)state;
	first_list(&t);
	assert_int_equal(
		am_store_list_find(s, W1, t.l.period, "01", &found, hash, &id),
		0);
	assert_false(found);
	assert_int_equal(id, 0);

	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_string_equal(am_post_outcome_name(outcome), "posted");
	assert_int_equal(
		am_store_list_find(s, W1, t.l.period, "01", &found, hash, &id),
		0);
	assert_true(found);
	assert_int_equal(id, 1);
	assert_memory_equal(hash, t.l.hash, 32);
	assert_balanced(s);

	/* The rows: one list holding its three lines, and its assessment
	 * as one transaction: two debits (the workshop, the state's 3%)
	 * whose sum is the five credits', a row of the ledger that the
	 * list's row names. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 1);
	assert_int_equal(raw_int(path, "SELECT lines FROM wage_lists"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger AS g"
				       " JOIN wage_lists AS l ON l.txn = g.id"
				       " AND l.id = g.list_id"
				       " WHERE g.kind = 'assessment'"),
			 1);
	assert_int_equal(raw_int(path, "SELECT owed_workshop FROM wage_lists"),
			 FIRST_OWED);
	assert_int_equal(raw_int(path, "SELECT owed_state FROM wage_lists"),
			 FIRST_TOTAL * 3 / 100);
	assert_int_equal(raw_int(path, "SELECT t_hard_harmful FROM "
				       "wage_lists"),
			 3200000);
	assert_int_equal(raw_int(path, "SELECT t_subject FROM wage_lists"),
			 FIRST_TOTAL);
	/* The index: one segment of three entries; the audit: one entry for
	 * the transaction's lists. */
	assert_int_equal(index_entries(path), 3);
	assert_int_equal(
		raw_int(path,
			TESTDB_SQL("SELECT count(*) FROM audit WHERE action ="
				   " 'lists.post' AND json_extract(payload,"
				   " '$.lines') = 3 AND json_extract(payload,"
				   " '$.lists') = 1",
				   "SELECT count(*) FROM audit WHERE action ="
				   " 'lists.post' AND (payload->>'lines')::int"
				   " = 3 AND (payload->>'lists')::int = 1")),
		1);

	/* One segment: nothing to merge. */
	assert_int_equal(am_store_compact(s, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit WHERE "
				       "action = 'index.compact'"),
			 0);

	/* Again: nothing changes. */
	outcome = -1;
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_UNCHANGED);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 1);
	assert_int_equal(index_entries(path), 3);
	assert_int_equal(
		raw_int(path,
			"SELECT count(*) FROM ledger WHERE kind <> 'assessment'"),
		0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit WHERE "
				       "action LIKE 'list%'"),
			 1);
	assert_audit_ok(s);
	close_store(s);
	drop_db(path);
}

static void test_conflict_refused(void **state)
{
	const char *path = db_path("conflict.db");
	struct am_store *s = open_new("conflict.db");
	struct test_list t, u;
	int outcome = -1;

	(void)state;
	first_list(&t);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	/* Same key, other content. */
	list_init(&u, W1, 1403, 7, "01", 0x22);
	list_add(&u, "0012345679", 31, 3000000, false, false);
	assert_int_equal(post(s, &u, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_REFUSED_CONFLICT);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 1);
	assert_int_equal(raw_int(path, "SELECT sum(lines) FROM wage_lists"), 3);
	assert_int_equal(
		raw_int(path,
			"SELECT count(*) FROM ledger WHERE kind <> 'assessment'"),
		0);
	/* Another list number or period is another list. */
	snprintf(u.l.list_no, sizeof(u.l.list_no), "02");
	assert_int_equal(post(s, &u, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 2);
	assert_balanced(s);
	close_store(s);
	drop_db(path);
}

static void test_refusals(void **state)
{
	const char *path = db_path("refuse.db");
	struct am_store *s = open_new("refuse.db");
	struct test_list t;
	int outcome = -1;

	(void)state;
	/* A person twice in a list: refused whole, the transaction goes on. */
	list_init(&t, W1, 1403, 7, "01", 0x33);
	list_add(&t, "0012345679", 10, 3000000, false, false);
	list_add(&t, "0012345679", 10, 3000000, false, false);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_CONFLICT);
	assert_int_equal(outcome, -1);
	/* Also when the lines are not in national-code order. */
	list_init(&t, W1, 1403, 7, "01", 0x33);
	list_add(&t, "0499370899", 10, 3000000, false, false);
	list_add(&t, "0012345679", 10, 3000000, false, false);
	list_add(&t, "0499370899", 10, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_CONFLICT);
	assert_non_null(strstr(am_store_errmsg(s), "twice"));
	/* And in a list longer than the small sort takes. */
	list_init(&t, W1, 1403, 7, "01", 0x33);
	for (int i = 0; i < LINES_MAX - 1; i++) {
		char code[11];

		snprintf(code, sizeof(code), "%010d", 90000000 - i * 7);
		list_add(&t, code, 10, 3000000, false, false);
	}
	list_add(&t, t.lines[17].national_code, 10, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_CONFLICT);
	assert_non_null(strstr(am_store_errmsg(s), "twice"));
	/* An unknown workshop. */
	list_init(&t, "9999999999", 1403, 7, "01", 0x34);
	list_add(&t, "0012345679", 10, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_CONFLICT);
	/* Bad arguments. */
	list_init(&t, W1, 1403, 13, "01", 0x35);
	assert_int_equal(post(s, &t, false, &outcome), AM_EINVALID_ARGUMENT);
	list_init(&t, W1, 1403, 7, "", 0x35);
	assert_int_equal(post(s, &t, false, &outcome), AM_EINVALID_ARGUMENT);
	first_list(&t);
	t.lines[1].national_code[0] = '\0';
	assert_int_equal(post(s, &t, false, &outcome), AM_EINVALID_ARGUMENT);
	/* The transaction is still usable. */
	first_list(&t);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	/* A line the store refuses (40 days) is refused before any write:
	 * the transaction goes on. */
	list_init(&t, W2, 1403, 7, "01", 0x5a);
	list_add(&t, "0499370899", 40, 2000000, false, true);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_CONFLICT);
	/* The index is written at the commit. */
	first_list(&t);
	assert_int_equal(index_entries(path), 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 1);
	assert_int_equal(index_entries(path), 3);
	assert_balanced(s);
	assert_audit_ok(s);
	/* A workshop with lists is not deleted. */
	assert_int_not_equal(
		raw_exec(path,
			 TESTDB_SQL("PRAGMA foreign_keys = ON; DELETE"
				    " FROM workshops WHERE code = '" W1 "'",
				    "DELETE FROM workshops WHERE code ="
				    " '" W1 "'")),
		TESTDB_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM workshops WHERE"
				       " code = '" W1 "'"),
			 1);
	/* SQLite: the lists' parent keys follow the workshops (a table of
	 * their own, the foreign keys on for the connection), and one
	 * without lists is deleted. PostgreSQL's lists name their workshop
	 * without a foreign key, and keeps every workshop instead. */
	if (!testdb_is_pg()) {
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " workshop_keys"),
				 2);
		assert_int_equal(raw_exec(path, "PRAGMA foreign_keys = ON;"
						" DELETE FROM workshops"
						" WHERE code = '" W2 "'"),
				 TESTDB_OK);
		assert_int_equal(raw_int(path, "SELECT group_concat(code) FROM"
					       " workshop_keys"),
				 1234567890);
	}
	close_store(s);
	drop_db(path);
}

/* A failure after a list's first write (here an amendment whose new row a
 * trigger refuses, after its reversal was written) cannot be undone alone
 * without a savepoint per list: the transaction is marked failed, its
 * commit refused, and nothing of the batch stays. Outside a transaction
 * the post is its own. */
static void test_failure_poisons_batch(void **state)
{
	const char *path = db_path("poison.db");
	struct am_store *s = open_new("poison.db");
	struct test_list t, u, v;
	int outcome = -1;

	(void)state;
	first_list(&t);
	list_init(&u, W2, 1403, 7, "01", 0x5a);
	list_add(&u, "0499370899", 20, 2000000, false, true);
	assert_int_equal(post(s, &u, false, &outcome), 0);
	close_store(s);
	/* A constraint of the database's that the store does not know. */
	assert_int_equal(
		raw_exec(path,
			 TESTDB_SQL("CREATE TRIGGER refuse BEFORE INSERT ON"
				    " wage_lists WHEN NEW.revision > 0 BEGIN"
				    " SELECT RAISE(ABORT, 'no'); END",
				    "CREATE FUNCTION refuse() RETURNS trigger"
				    " LANGUAGE plpgsql AS $$ BEGIN RAISE"
				    " EXCEPTION 'no' USING ERRCODE ="
				    " 'restrict_violation'; END $$;"
				    " CREATE TRIGGER refuse BEFORE INSERT ON"
				    " wage_lists FOR EACH ROW WHEN"
				    " (NEW.revision > 0) EXECUTE FUNCTION"
				    " refuse()")),
		TESTDB_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	s->clock = 1700000000;
	list_init(&v, W2, 1403, 7, "01", 0x5b); /* amends u */
	list_add(&v, "0499370899", 25, 2000000, false, true);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(post(s, &v, true, &outcome), AM_ESTORE_CONFLICT);
	assert_int_equal(post(s, &t, false, &outcome), AM_ESTORE_SQL);
	assert_non_null(strstr(am_store_errmsg(s), "roll it back"));
	assert_int_equal(am_post_commit(sess(s)), AM_ESTORE_SQL);
	assert_false(am_store_in_transaction(s));
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 1);
	assert_int_equal(
		raw_int(path,
			"SELECT count(*) FROM ledger WHERE kind <> 'assessment'"),
		0);
	/* On its own: refused, nothing left; the next one posts. */
	assert_int_equal(post(s, &v, true, &outcome), AM_ESTORE_CONFLICT);
	assert_int_equal(
		raw_int(path,
			"SELECT count(*) FROM ledger WHERE kind <> 'assessment'"),
		0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists"), 2);
	assert_int_equal(index_entries(path), 4);
	assert_balanced(s);
	assert_audit_ok(s);
	close_store(s);
	drop_db(path);
}

/* A list with no lines is posted with nothing in the ledger. */
static void test_empty_list(void **state)
{
	const char *path = db_path("empty.db");
	struct am_store *s = open_new("empty.db");
	struct test_list t;
	int outcome = -1;

	(void)state;
	list_init(&t, W1, 1403, 7, "01", 0x44);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger"), 0);
	assert_int_equal(raw_int(path, "SELECT lines FROM wage_lists"), 0);
	assert_balanced(s);
	close_store(s);
	drop_db(path);
}

static void test_amend(void **state)
{
	const char *path = db_path("amend.db");
	struct am_store *s = open_new("amend.db");
	struct am_employer_statement st;
	struct am_history h;
	struct test_list t, u;
	struct am_arena a;
	int64_t id = 0;
	int outcome = -1;

	(void)state;
	am_arena_init(&a, 0);
	first_list(&t);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	/* The amended list: the second worker left, the first earns more. */
	list_init(&u, W1, 1403, 7, "01", 0x55);
	list_add(&u, "0012345679", 30, 3500000, false, false);
	list_add(&u, "0650451252", 30, 2500000, false, false);
	assert_int_equal(post(s, &u, true, &outcome), 0);
	assert_int_equal(outcome, AM_POST_AMENDED);
	assert_balanced(s);
	assert_audit_ok(s);

	/* The old list is superseded by the new one. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists WHERE"
				       " id = 1 AND status = 'superseded'"
				       " AND superseded_by = 2"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM wage_lists WHERE"
				       " id = 2 AND status = 'posted'"),
			 1);
	/* Its assessment reversed in one transaction; the new list's
	 * assessment beside the two. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger WHERE "
				       "kind = 'reversal' AND list_id = 1"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger WHERE "
				       "kind = 'assessment' AND list_id = 2"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger"), 3);
	assert_int_equal(raw_int(path, "SELECT revision FROM wage_lists"
				       " WHERE id = 2"),
			 1);
	assert_int_equal(
		raw_int(path,
			TESTDB_SQL("SELECT count(*) FROM audit WHERE action ="
				   " 'list.amend' AND json_extract(payload,"
				   " '$.supersedes') = 1",
				   "SELECT count(*) FROM audit WHERE action ="
				   " 'list.amend' AND"
				   " (payload->>'supersedes')::int = 1")),
		1);

	/* The workshop owes for the new list only: 30% of 180,000,000. */
	assert_int_equal(am_employer_statement_read(s, W1, &a, &st), 0);
	assert_int_equal(st.nentries, 3);
	assert_int_equal(st.debit, FIRST_OWED + 180000000LL * 30 / 100);
	assert_int_equal(st.credit, FIRST_OWED);
	assert_int_equal(st.balance, 54000000);
	/* Assessed net of the reversal, nothing paid: the reversal's credit
	 * is not a payment. */
	assert_int_equal(st.assessed, 54000000);
	assert_int_equal(st.paid, 0);
	assert_int_equal(st.penalties, 0);
	assert_string_equal(st.entries[1].kind, "reversal");
	assert_int_equal(st.entries[1].credit, FIRST_OWED);
	assert_int_equal(st.entries[2].list_id, 2);
	assert_int_equal(st.entries[2].due_date, due_date());

	/* The history shows the new list only; the one who left has none
	 * left, and the totals agree. */
	assert_int_equal(am_history_read(s, "0012345679", &a, &h), 0);
	assert_int_equal(h.nmonths, 1);
	assert_int_equal(h.months[0].subject_wage, 105000000);
	assert_int_equal(h.credited_days, 30);
	assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
	assert_int_equal(h.nmonths, 0);
	assert_int_equal(h.credited_days, 0);
	/* SQLite: two segments (one per commit) merge into one. The
	 * history is the same read after the compaction, which PostgreSQL's
	 * index may not need. */
	if (!testdb_is_pg())
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " index_segments"),
				 2);
	assert_int_equal(am_store_compact(s, &id), 0);
	if (!testdb_is_pg()) {
		assert_int_equal(id, 3 + 2);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " index_segments"),
				 1);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"
					       " WHERE action = 'index.compact'"
					       " AND json_extract(payload,"
					       " '$.entries') = 5"),
				 1);
	}
	assert_int_equal(am_history_read(s, "0012345679", &a, &h), 0);
	assert_int_equal(h.nmonths, 1);
	assert_int_equal(h.months[0].subject_wage, 105000000);
	assert_int_equal(am_history_read(s, "0650451252", &a, &h), 0);
	assert_int_equal(h.nmonths, 1);
	assert_int_equal(h.months[0].subject_wage, 75000000);
	assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
	assert_int_equal(h.nmonths, 0);
	/* Re-posting the amended list changes nothing; the old one now
	 * conflicts with it. */
	assert_int_equal(post(s, &u, true, &outcome), 0);
	assert_int_equal(outcome, AM_POST_UNCHANGED);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_REFUSED_CONFLICT);
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

/* An exempt workshop: the state owes the employer's share. */
static void test_exempt(void **state)
{
	const char *path = db_path("exempt.db");
	struct am_store *s = open_new("exempt.db");
	struct am_employer_statement st;
	struct test_list t;
	struct am_arena a;
	int outcome = -1;

	(void)state;
	am_arena_init(&a, 0);
	list_init(&t, W2, 1403, 7, "01", 0x66);
	list_add(&t, "0012345679", 30, 3000000, false, true);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	/* 90,000,000: the workshop owes 7% + 3%, the state 3% + 20%. */
	assert_int_equal(am_employer_statement_read(s, W2, &a, &st), 0);
	assert_int_equal(st.balance, 9000000);
	assert_int_equal(raw_int(path, "SELECT owed_state FROM wage_lists"),
			 20700000);
	assert_int_equal(raw_int(path, "SELECT state_pays_employer FROM "
				       "wage_lists"),
			 1);
	/* An assessment that left the 20% in employer: the store routes it
	 * to the state all the same. */
	list_init(&t, W2, 1403, 8, "01", 0x67);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(am_employer_statement_read(s, W2, &a, &st), 0);
	assert_int_equal(st.balance, 9000000 * 2);
	assert_int_equal(st.nentries, 2);
	assert_int_equal(raw_int(path, "SELECT sum(owed_state) FROM "
				       "wage_lists"),
			 20700000 * 2);
	/* The statement reads a workshop's lists period by period (the key
	 * begins with the period): another workshop's, in a period of their
	 * own and in one of W2's, are not W2's. */
	list_init(&t, W1, 1403, 9, "01", 0x68);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	list_init(&t, W1, 1403, 7, "01", 0x69);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(am_employer_statement_read(s, W2, &a, &st), 0);
	assert_int_equal(st.nentries, 2);
	assert_int_equal(st.balance, 9000000 * 2);
	assert_int_equal(st.entries[0].period.month, 7);
	assert_int_equal(st.entries[1].period.month, 8);
	assert_int_equal(am_employer_statement_read(s, W1, &a, &st), 0);
	assert_int_equal(st.nentries, 2);
	assert_int_equal(st.entries[0].period.month, 9);
	assert_int_equal(st.entries[1].period.month, 7);
	assert_balanced(s);
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

static void test_payments(void **state)
{
	const char *path = db_path("pay.db");
	struct am_store *s = open_new("pay.db");
	struct am_employer_statement st;
	struct am_payment p = {
		.reference = "BANK-0001",
		.workshop = W1,
		.period = { 1403, 7 },
		.amount = 50000000,
	}, q;
	struct test_list t;
	struct am_arena a;
	int outcome = -1;

	(void)state;
	am_arena_init(&a, 0);
	assert_int_equal(am_jalali_to_date(1403, 8, 10, &p.paid_on), 0);
	first_list(&t);
	assert_int_equal(post(s, &t, false, &outcome), 0);

	/* Part of the debt: matched whole. */
	assert_int_equal(am_post_payment(s, &p, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(p.matched, 50000000);
	assert_int_equal(p.unmatched, 0);
	/* The same payment again: unchanged, same match. */
	p.matched = p.unmatched = -1;
	assert_int_equal(am_post_payment(s, &p, &outcome), 0);
	assert_int_equal(outcome, AM_POST_UNCHANGED);
	assert_int_equal(p.matched, 50000000);
	assert_int_equal(p.unmatched, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 1);
	/* The same reference, another amount: a conflict. */
	p.amount = 50000001;
	assert_int_equal(am_post_payment(s, &p, &outcome),
			 AM_EIDEMPOTENCY_CONFLICT);
	p.amount = 50000000;
	p.paid_on++;
	assert_int_equal(am_post_payment(s, &p, &outcome),
			 AM_EIDEMPOTENCY_CONFLICT);
	p.paid_on--;

	/* More than what is left: matched up to the debt. */
	p.reference = "BANK-0002";
	p.amount = 30000000;
	assert_int_equal(am_post_payment(s, &p, &outcome), 0);
	assert_int_equal(p.matched, FIRST_OWED - 50000000);
	assert_int_equal(p.unmatched, 30000000 - (FIRST_OWED - 50000000));
	assert_int_equal(am_store_payment_get(s, "BANK-0002", &a, &q), 0);
	assert_string_equal(q.workshop, W1);
	assert_int_equal(q.period.month, 7);
	assert_int_equal(q.amount, 30000000);
	assert_int_equal(q.matched, p.matched);
	assert_int_equal(q.paid_on, p.paid_on);
	assert_int_equal(am_store_payment_get(s, "BANK-9", &a, &q),
			 AM_ENOT_FOUND);

	/* The statement: 76,700,000 owed, 80,000,000 paid. */
	assert_int_equal(am_employer_statement_read(s, W1, &a, &st), 0);
	assert_int_equal(st.nentries, 3);
	assert_int_equal(st.debit, FIRST_OWED);
	assert_int_equal(st.credit, 80000000);
	assert_int_equal(st.balance, FIRST_OWED - 80000000);
	assert_int_equal(st.assessed, FIRST_OWED);
	assert_int_equal(st.paid, 80000000);
	assert_string_equal(st.entries[1].kind, "payment");
	assert_string_equal(st.entries[1].reference, "BANK-0001");
	assert_int_equal(st.entries[1].value_date, p.paid_on);
	assert_null(st.entries[0].reference);
	assert_int_equal(st.entries[0].period.year, 1403);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM ledger WHERE "
				       "kind = 'payment' AND"
				       " payment_ref = 'BANK-0001'"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit WHERE "
				       "action = 'payment.post'"),
			 2);

	/* Refusals. */
	p.reference = "BANK-0003";
	p.workshop = "9999999999";
	assert_int_equal(am_post_payment(s, &p, &outcome), AM_ESTORE_CONFLICT);
	p.workshop = W1;
	p.amount = 0;
	assert_int_equal(am_post_payment(s, &p, &outcome),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM payments"), 2);
	assert_balanced(s);
	assert_audit_ok(s);
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

static void test_history_and_statements(void **state)
{
	const char *path = db_path("hist.db");
	struct am_store *s = open_new("hist.db");
	struct am_history_row m = {
		.national_code = "0499370899",
		.period = { 1402, 12 },
		.workshop = "5555555555",
		.days = 29,
		.subject_wage = 60000000,
		.hard_harmful_days = 0,
	};
	struct am_worker_report *r;
	struct am_history h;
	struct test_list t, u;
	struct am_arena a;
	size_t n = 0;
	int outcome = -1;

	struct am_person p = {
		.national_code = "0499370899",
		.first_name = "علی",
		.last_name = "کریمی",
		.father_name = "حسن",
		.sex = 'M',
		.birth_date = AM_DATE_NONE,
	};

	(void)state;
	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_put(s, &p), 0);
	/* The names the employer wrote: the first with an Arabic yeh (the
	 * same name), another last name, no father's name. */
	first_list(&t);
	t.lines[1].first_name = "علي";
	t.lines[1].last_name = "رضائی";
	t.lines[1].father_name = "";
	assert_int_equal(post(s, &t, false, &outcome), 0);
	/* The same worker, a second job in the same month (20 + 15 days:
	 * credited 30), and next month. */
	list_init(&u, W2, 1403, 7, "01", 0x77);
	list_add(&u, "0499370899", 15, 2000000, false, true);
	assert_int_equal(post(s, &u, false, &outcome), 0);
	list_init(&u, W1, 1403, 8, "01", 0x78);
	list_add(&u, "0499370899", 30, 4000000, true, false);
	assert_int_equal(post(s, &u, false, &outcome), 0);
	/* Migrated months before, one of them a leap Esfand. */
	assert_int_equal(am_post_history_row(s, &m, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	m.period.year = 1403;
	m.period.month = 1;
	m.days = 31;
	m.hard_harmful_days = 31;
	assert_int_equal(am_post_history_row(s, &m, &outcome), 0);
	/* Again: unchanged; other figures: a conflict. */
	assert_int_equal(am_post_history_row(s, &m, &outcome), 0);
	assert_int_equal(outcome, AM_POST_UNCHANGED);
	m.days = 30;
	m.hard_harmful_days = 30;
	assert_int_equal(am_post_history_row(s, &m, &outcome),
			 AM_EIDEMPOTENCY_CONFLICT);
	m.hard_harmful_days = 40;
	m.period.month = 2;
	assert_int_equal(am_post_history_row(s, &m, &outcome),
			 AM_ESTORE_CONFLICT);

	assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
	assert_int_equal(h.nmonths, 5);
	/* 29 + 31 + min(20 + 15, 30) + 30 */
	assert_int_equal(h.credited_days, 29 + 31 + 30 + 30);
	assert_int_equal(h.credited_months, 4);
	assert_int_equal(h.months[0].period.year, 1402);
	assert_int_equal(h.months[0].period.month, 12);
	assert_true(h.months[0].migrated);
	assert_int_equal(h.months[0].insured, 0);
	assert_string_equal(h.months[0].workshop, "5555555555");
	assert_int_equal(h.months[1].hard_harmful_days, 31);
	assert_int_equal(h.months[2].period.month, 7);
	assert_string_equal(h.months[2].workshop, W1);
	assert_false(h.months[2].migrated);
	assert_int_equal(h.months[2].days, 20);
	assert_int_equal(h.months[2].subject_wage, 80000000);
	assert_int_equal(h.months[2].insured, 5600000);
	assert_int_equal(h.months[2].employer, 16000000);
	assert_int_equal(h.months[2].state, 2400000);
	assert_int_equal(h.months[2].unemployment, 2400000);
	assert_int_equal(h.months[2].hard_harmful, 3200000);
	assert_int_equal(h.months[2].hard_harmful_days, 20);
	assert_string_equal(h.months[3].workshop, W2);
	assert_int_equal(h.months[3].employer, 0);
	assert_int_equal(h.months[3].state, 30000000 * 23 / 100);
	assert_int_equal(h.months[4].period.month, 8);
	/* After the compaction the history is the same, read the other
	 * way. */
	assert_int_equal(am_store_compact(s, NULL), 0);
	assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
	assert_int_equal(h.nmonths, 5);
	assert_int_equal(h.credited_days, 29 + 31 + 30 + 30);
	assert_int_equal(h.months[2].hard_harmful, 3200000);
	assert_string_equal(h.months[3].workshop, W2);
	assert_false(h.months[3].migrated);
	assert_int_equal(h.months[4].subject_wage, 120000000);
	assert_int_equal(h.months[0].period.year, 1402);
	assert_int_equal(h.months[0].period.month, 12);
	assert_true(h.months[0].migrated);
	assert_int_equal(am_history_read(s, "0790419904", &a, &h),
			 AM_ENOT_FOUND);

	/* What each employer reported in 1403/07. */
	assert_int_equal(am_worker_statement_read(s, "0499370899",
						  (struct am_period){ 1403, 7 },
						  &a, &n, &r),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].workshop, W1);
	assert_string_equal(r[0].list_no, "01");
	assert_int_equal(r[0].days, 20);
	assert_int_equal(r[0].daily_wage, 4000000);
	assert_int_equal(r[0].monthly_wage, 80000000);
	assert_int_equal(r[0].subject_wage, 80000000);
	assert_int_equal(r[0].total_pay, 85000000);
	assert_string_equal(r[0].job_code, "1234");
	assert_string_equal(r[0].occupation, "کارگر ساده");
	assert_int_equal(r[0].start_date, AM_STORE_DATE_NONE);
	assert_false(r[0].migrated);
	/* Beside the registry's names, the list's, and the one that is not
	 * the registry's: the last name. */
	assert_true(r[0].names_kept);
	assert_string_equal(r[0].reported.first_name, "علي");
	assert_string_equal(r[0].reported.last_name, "رضائی");
	assert_string_equal(r[0].reported.father_name, "");
	assert_string_equal(r[0].registry.first_name, "علی");
	assert_string_equal(r[0].registry.last_name, "کریمی");
	assert_string_equal(r[0].registry.father_name, "حسن");
	assert_int_equal(r[0].name_differs, AM_NAME_LAST);
	assert_string_equal(r[1].workshop, W2);
	assert_int_equal(r[1].days, 15);
	/* A line that gave no names at all: nothing to compare. */
	assert_false(r[1].names_kept);
	assert_int_equal(r[1].name_differs, 0);
	assert_string_equal(r[1].registry.last_name, "کریمی");
	/* A migrated month shows wage and days only. */
	assert_int_equal(am_worker_statement_read(s, "0499370899",
						  (struct am_period){ 1403, 1 },
						  &a, &n, &r),
			 0);
	assert_int_equal(n, 1);
	assert_true(r[0].migrated);
	assert_int_equal(r[0].days, 31);
	assert_null(r[0].job_code);
	assert_int_equal(am_worker_statement_read(s, "0499370899",
						  (struct am_period){ 1403, 9 },
						  &a, &n, &r),
			 AM_ENOT_FOUND);
	assert_balanced(s);
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

/* One transaction, lists of two periods, persons in no order: each
 * person's history finds every line of theirs through the index. */
static void test_index_two_periods(void **state)
{
	const char *path = db_path("index.db");
	struct am_store *s = open_new("index.db");
	struct test_list t;
	struct am_history h;
	struct am_arena a;
	int outcome = -1;

	(void)state;
	am_arena_init(&a, 0);
	assert_int_equal(am_post_begin(sess(s)), 0);
	list_init(&t, W1, 1403, 8, "01", 0x91);
	list_add(&t, "0650451252", 30, 3000000, false, false);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	list_init(&t, W2, 1403, 7, "01", 0x92);
	list_add(&t, "0499370899", 10, 2000000, false, false);
	list_add(&t, "0012345679", 10, 2000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	list_init(&t, W1, 1403, 7, "02", 0x93);
	list_add(&t, "0650451252", 5, 2500000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	/* SQLite: one segment per period, in one transaction. */
	if (!testdb_is_pg())
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " index_segments"),
				 2);
	assert_int_equal(index_entries(path), 5);
	assert_int_equal(am_history_read(s, "0012345679", &a, &h), 0);
	assert_int_equal(h.nmonths, 2);
	assert_int_equal(h.months[0].period.month, 7);
	assert_string_equal(h.months[0].workshop, W2);
	assert_int_equal(h.months[0].days, 10);
	assert_int_equal(h.months[1].period.month, 8);
	assert_int_equal(h.months[1].days, 30);
	assert_int_equal(am_history_read(s, "0650451252", &a, &h), 0);
	assert_int_equal(h.nmonths, 2);
	assert_string_equal(h.months[0].list_no, "02");
	assert_int_equal(h.months[0].subject_wage, 12500000);
	assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
	assert_int_equal(h.nmonths, 1);
	assert_int_equal(h.credited_days, 10);
	/* Nobody else. */
	assert_int_equal(am_history_read(s, "0790419904", &a, &h),
			 AM_ENOT_FOUND);
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

/* test_compact_many's person p: distinct codes, spread over the range. */
static void many_code(size_t p, char code[11])
{
	snprintf(code, 11, "%010zu", p * 33333331 % 9999999999u);
}

/* The compaction merges many segments, persons scattered over them and
 * some in several: every person's history reads the same after, from one
 * segment. */
static void test_compact_many(void **state)
{
	enum { SEGMENTS = 23, LISTS = 6, PERSONS = 300 };
	const char *path = db_path("many.db");
	struct am_store *s = open_new("many.db");
	size_t months[PERSONS], days[PERSONS];
	struct test_list t;
	struct am_history h;
	struct am_arena a;
	uint64_t x = 0x2545f4914f6cdd1dULL;
	int64_t merged = 0;
	int outcome = -1;

	(void)state;
	am_arena_init(&a, 0);
	for (int seg = 0; seg < SEGMENTS; seg++) {
		assert_int_equal(am_post_begin(sess(s)), 0);
		for (int k = 0; k < LISTS; k++) {
			char no[8];
			uint8_t used[PERSONS] = { 0 };

			snprintf(no, sizeof(no), "%d", seg * LISTS + k);
			list_init(&t, W1, 1403, 7, no,
				  (uint8_t)(seg * LISTS + k));
			for (int i = 0; i < 5; i++) {
				char code[11];
				size_t p;

				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				p = (size_t)(x % PERSONS);
				if (used[p])
					continue;
				used[p] = 1;
				many_code(p, code);
				list_add(&t, code, 1 + (int)(p % 30), 2000000,
					 false, false);
			}
			assert_int_equal(post(s, &t, false, &outcome), 0);
		}
		assert_int_equal(am_post_commit(sess(s)), 0);
	}
	/* SQLite: a segment per commit. */
	if (!testdb_is_pg())
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " index_segments"),
				 SEGMENTS);
	for (size_t p = 0; p < PERSONS; p++) {
		char code[11];
		int err;

		many_code(p, code);
		err = am_history_read(s, code, &a, &h);
		months[p] = err ? 0 : h.nmonths;
		days[p] = err ? 0 : (size_t)h.credited_days;
	}
	assert_int_equal(am_store_compact(s, &merged), 0);
	assert_int_equal(index_entries(path),
			 raw_int(path, "SELECT sum(lines) FROM wage_lists"));
	/* SQLite: merged into one segment. */
	if (!testdb_is_pg()) {
		assert_int_equal(merged, raw_int(path, "SELECT sum(lines)"
						       " FROM wage_lists"));
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " index_segments"),
				 1);
	}
	for (size_t p = 0; p < PERSONS; p++) {
		char code[11];
		int err;

		many_code(p, code);
		err = am_history_read(s, code, &a, &h);
		assert_int_equal(err ? 0 : h.nmonths, months[p]);
		assert_int_equal(err ? 0 : (size_t)h.credited_days, days[p]);
	}
	close_store(s);
	am_arena_release(&a);
	drop_db(path);
}

static int collect_terms(void *ctx, const char *code, bool hard_harmful,
			 bool small_exempt)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 128 - n, "%s:%d%d;", code, hard_harmful,
		 small_exempt);
	return 0;
}

static void test_workshop_terms(void **state)
{
	struct am_store *s = open_new("terms.db");
	char out[128] = "";

	(void)state;
	assert_int_equal(am_store_workshop_terms_each(s, collect_terms, out),
			 0);
	assert_string_equal(out, W1 ":00;" W2 ":01;");
	close_store(s);
	drop_db(db_path("terms.db"));
}

/* A new SQLite database of the layout of the first n migrations, as the
 * program of their day left it (their SQL run by hand, each recorded). */
static void old_layout(const char *name, int n)
{
	const char *path = db_path(name);
	char sql[512];

	testdb_new(name);
	assert_int_equal(raw_exec(path, "CREATE TABLE schema_migrations ("
					" version INTEGER PRIMARY KEY,"
					" name TEXT NOT NULL,"
					" checksum TEXT NOT NULL,"
					" applied_at INTEGER NOT NULL)"),
			 TESTDB_OK);
	for (int v = 0; v < n; v++) {
		char sum[65];

		assert_int_equal(raw_exec(path, am__sqlite_migrations[v].sql),
				 TESTDB_OK);
		assert_int_equal(
			am__migration_checksum(&am__sqlite_migrations[v], sum),
			0);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_migrations VALUES"
			 " (%d, '%s', '%s', 0)",
			 v + 1, am__sqlite_migrations[v].name, sum);
		assert_int_equal(raw_exec(path, sql), TESTDB_OK);
	}
}

/* A database of the layout before 0004_ledger.sql (an amended list's two
 * assessments on their rows, the reversal and a payment in the journal,
 * one row per posting) is migrated: the ledger holds the four
 * transactions under their ids, the statement and the check are what
 * they were, the journal is gone, and the sequence goes on after them. */
static void test_migrate_ledger(void **state)
{
	const char *path = db_path("v3.db");
	struct am_employer_statement st;
	struct am_store *s;
	struct am_arena a;
	int64_t d = 0, c = 0, id = 0;
	int from = -1, to = -1, outcome = -1;
	bool ok = false;
	struct test_list t;

	(void)state;
	/* SQLite's migration 0004 from the journal of 0003; PostgreSQL's
	 * schema begins with the ledger. */
	if (testdb_is_pg())
		skip();
	old_layout("v3.db", 3);
	assert_int_equal(
		raw_exec(path,
			 "INSERT INTO workshops (code, name, created_at,"
			 " updated_at) VALUES ('" W1 "', 'کارگاه', 0, 0);"
			 "INSERT INTO workshop_keys VALUES ('" W1 "');"
			 /* The amendment (txn 2), then the list it replaced
			  * (txn 1): 3,300 and 6,600 assessed. */
			 "INSERT INTO wage_lists (id, workshop, year, month,"
			 " period, list_no, revision, hash, status, lines,"
			 " t_days, t_subject, t_insured, t_employer, t_state,"
			 " t_unemployment, t_hard_harmful, owed_workshop,"
			 " owed_state, rules_identity, due_date,"
			 " state_pays_employer, txn, value_date, posted_at,"
			 " superseded_by, body) VALUES"
			 " (2, '" W1 "', 1403, 7, 140307, '01', 1,"
			 " zeroblob(32), 'posted', 1, 30, 20000, 1400, 4000,"
			 " 600, 600, 0, 6000, 600, 'r', 20400, 0, 2, 20300,"
			 " 1, NULL, x'00'),"
			 " (1, '" W1 "', 1403, 7, 140307, '01', 0,"
			 " zeroblob(32), 'superseded', 1, 30, 10000, 700,"
			 " 2000, 300, 300, 0, 3000, 300, 'r', 20400, 0, 1,"
			 " 20300, 1, 2, x'00');"
			 /* The reversal of list 1 (txn 3, ids 3-8) and a
			  * payment (txn 9, ids 9-10). */
			 "INSERT INTO journal (id, txn, account, debit,"
			 " credit, kind, period, workshop, list_id,"
			 " payment_ref, due_date, value_date, posted_at)"
			 " VALUES"
			 " (3, 3, 'workshop:" W1 "', 0, 3000, 'reversal',"
			 " 140307, '" W1 "', 1, NULL, NULL, 20301, 2),"
			 " (4, 3, 'state', 0, 300, 'reversal', 140307, '" W1
			 "', 1, NULL, NULL, 20301, 2),"
			 " (5, 3, 'contributions:insured', 700, 0,"
			 " 'reversal', 140307, '" W1
			 "', 1, NULL, NULL, 20301, 2),"
			 " (6, 3, 'contributions:employer', 2000, 0,"
			 " 'reversal', 140307, '" W1
			 "', 1, NULL, NULL, 20301, 2),"
			 " (7, 3, 'contributions:state', 300, 0, 'reversal',"
			 " 140307, '" W1 "', 1, NULL, NULL, 20301, 2),"
			 " (8, 3, 'contributions:unemployment', 300, 0,"
			 " 'reversal', 140307, '" W1
			 "', 1, NULL, NULL, 20301, 2),"
			 " (9, 9, 'bank', 5000, 0, 'payment', 140307, '" W1
			 "', NULL, 'B-1', NULL, 20310, 3),"
			 " (10, 9, 'workshop:" W1 "', 0, 5000, 'payment',"
			 " 140307, '" W1 "', NULL, 'B-1', NULL, 20310, 3)"),
		TESTDB_OK);

	assert_int_equal(am_store_open(path, &s), 0);
	s->clock = 1700000000;
	assert_int_equal(am_store_migrate(s, &from, &to), 0);
	assert_int_equal(from, 3);
	assert_int_equal(to, 5);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master"
				       " WHERE name = 'journal'"),
			 0);
	assert_int_equal(raw_int(path, "SELECT group_concat(id || kind, ',')"
				       " = '1assessment,2assessment,"
				       "3reversal,9payment' FROM ledger"),
			 1);
	assert_int_equal(raw_int(path, "SELECT next FROM sequences"
				       " WHERE name = 'ledger'"),
			 11);
	assert_int_equal(am_ledger_check(s, &ok, &d, &c), 0);
	assert_true(ok);
	assert_int_equal(d, 3300 + 6600 + 3300 + 5000);
	assert_int_equal(c, d);
	am_arena_init(&a, 0);
	assert_int_equal(am_employer_statement_read(s, W1, &a, &st), 0);
	assert_int_equal(st.nentries, 4);
	assert_int_equal(st.entries[0].debit, 3000);
	assert_int_equal(st.entries[0].list_id, 1);
	assert_int_equal(st.entries[1].debit, 6000);
	assert_string_equal(st.entries[2].kind, "reversal");
	assert_int_equal(st.entries[2].credit, 3000);
	assert_string_equal(st.entries[3].reference, "B-1");
	assert_int_equal(st.assessed, 6000);
	assert_int_equal(st.paid, 5000);
	assert_int_equal(st.balance, 1000);
	am_arena_release(&a);
	/* The next transaction takes the sequence's next id. */
	list_init(&t, W1, 1403, 8, "01", 0x31);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	id = raw_int(path, "SELECT max(id) FROM ledger");
	assert_int_equal(id, 11);
	assert_int_equal(raw_int(path, "SELECT txn FROM wage_lists"
				       " WHERE period = 140308"),
			 11);
	assert_balanced(s);
	close_store(s);
	drop_db(path);
}

/* The ledger refuses to be changed. */
static void test_journal_append_only(void **state)
{
	const char *path = db_path("ledger.db");
	struct am_store *s = open_new("ledger.db");
	struct test_list t;
	bool ok = true;
	int outcome;

	(void)state;
	first_list(&t);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	/* An amendment, so that the ledger has a reversal too. */
	list_init(&t, W1, 1403, 7, "01", 0x12);
	list_add(&t, "0012345679", 30, 3000000, false, false);
	assert_int_equal(post(s, &t, true, &outcome), 0);
	assert_int_equal(outcome, AM_POST_AMENDED);
	close_store(s);
	/* A posted list's amounts and body cannot be edited either. */
	assert_int_equal(raw_exec(path, "UPDATE wage_lists SET owed_state = 1"),
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec(path, TESTDB_SQL("UPDATE wage_lists SET body"
						   " = x'00'",
						   "UPDATE wage_lists SET body"
						   " = '\\x00'::bytea")),
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec(path, "DELETE FROM wage_lists"),
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec(path, "UPDATE ledger SET period = 140301"),
			 TESTDB_CONSTRAINT);
	assert_int_equal(raw_exec(path, "DELETE FROM ledger"),
			 TESTDB_CONSTRAINT);
	/* Someone who drops (turns off) the trigger and edits a posting is
	 * found: the reversal's last posting is a debit, its last byte the
	 * credit's varint 0, made 1. */
	assert_int_equal(raw_int(path, TESTDB_SQL("SELECT hex(substr(postings,"
						  " -1)) = '00' FROM ledger"
						  " WHERE kind = 'reversal'",
						  "SELECT get_byte(postings,"
						  " length(postings) - 1) = 0"
						  " FROM ledger WHERE kind ="
						  " 'reversal'")),
			 1);
	assert_int_equal(
		raw_exec(path,
			 TESTDB_SQL("DROP TRIGGER ledger_no_update;"
				    " UPDATE ledger SET postings ="
				    " CAST(substr(postings, 1,"
				    " length(postings) - 1) || x'01'"
				    " AS BLOB) WHERE kind = 'reversal'",
				    "ALTER TABLE ledger DISABLE TRIGGER USER;"
				    " UPDATE ledger SET postings ="
				    " set_byte(postings, length(postings) - 1,"
				    " 1) WHERE kind = 'reversal'")),
		TESTDB_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	assert_int_equal(am_ledger_check(s, &ok, NULL, NULL), 0);
	assert_false(ok);
	close_store(s);
	drop_db(path);
}

static void test_bulk_person(void **state)
{
	const char *path = db_path("bulk.db");
	struct am_store *s = open_new("bulk.db");
	struct am_person p = {
		.national_code = "0012345679",
		.first_name = "زهرا",
		.last_name = "کریمی",
		.birth_date = AM_STORE_DATE_NONE,
		.sex = 'F',
	};
	long long audit = raw_int(path, "SELECT count(*) FROM audit");
	bool added = false;

	(void)state;
	assert_int_equal(am_store_person_put_bulk(s, &p), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(am_store_person_put_bulk(s, &p), 0);
	p.national_code = "0499370899";
	assert_int_equal(am_store_person_put_bulk(s, &p), 0);
	p.sex = 'X';
	p.national_code = "0650451252";
	assert_int_equal(am_store_person_put_bulk(s, &p), AM_ESTORE_CONFLICT);
	assert_int_equal(am_store_audit_append(s, "registry.import", "test",
					       "{\"persons\":2}", NULL),
			 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"),
			 audit + 1);

	/* Ensure: a new person is added, a registered one left alone. */
	p.sex = 'M';
	assert_int_equal(am_store_person_ensure(s, &p, &added),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(am_store_person_ensure(s, &p, &added), 0);
	assert_true(added);
	p.national_code = "0012345679";
	p.first_name = "نام دیگر";
	assert_int_equal(am_store_person_ensure(s, &p, &added), 0);
	assert_false(added);
	p.national_code = "12";
	assert_int_equal(am_store_person_ensure(s, &p, &added),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(am_post_commit(sess(s)), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons WHERE "
				       "first_name = 'زهرا'"),
			 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"),
			 audit + 1);

	/* The codes the posting reads are kept by the store's own inserts,
	 * not by triggers: every path adds them, a refused record none,
	 * and a put again changes nothing. */
	p.national_code = "0067749828";
	assert_int_equal(am_store_person_put(s, &p), 0);
	assert_int_equal(am_store_person_put(s, &p), 0);
	{
		struct am_workshop w = {
			.code = "5555555555",
			.name = "کارگاه سوم",
			.employer_id = "0067749828",
		};

		assert_int_equal(am_post_begin(sess(s)), 0);
		assert_int_equal(am_store_workshop_put_bulk(s, &w), 0);
		assert_int_equal(am_store_workshop_put_bulk(s, &w), 0);
		w.code = "6666666666";
		w.employer_id = "0000000000";
		assert_int_equal(am_store_workshop_put_bulk(s, &w),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(am_post_commit(sess(s)), 0);
	}
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 4);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM workshops"), 3);
	/* SQLite's side tables of codes (PostgreSQL's keys are the
	 * tables'). */
	if (!testdb_is_pg()) {
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " person_codes"),
				 4);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"
					       " WHERE CAST(national_code AS"
					       " INTEGER) NOT IN (SELECT code"
					       " FROM person_codes)"),
				 0);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " workshop_keys"),
				 3);
		assert_int_equal(raw_int(path, "SELECT count(*) FROM"
					       " workshops WHERE code NOT IN"
					       " (SELECT code FROM"
					       " workshop_keys)"),
				 0);
	}
	close_store(s);
	drop_db(path);
}

/*
 * Fault injection: a batch of three lists in one transaction, failed at
 * every backend call in turn; the caller rolls back on any error. After
 * each run the database holds all of the batch or none of it, the journal
 * balances and the audit chain verifies.
 */

static int batch(struct am_store *s)
{
	struct test_list t, u, v;
	int outcome, err;

	first_list(&t);
	list_init(&u, W2, 1403, 7, "01", 0x88);
	list_add(&u, "0499370899", 15, 2000000, false, true);
	list_init(&v, W1, 1403, 7, "01", 0x99); /* amends t */
	list_add(&v, "0012345679", 30, 3100000, false, false);
	err = am_post_begin(sess(s));
	if (err)
		return err;
	err = post(s, &t, false, &outcome);
	if (!err)
		err = post(s, &u, false, &outcome);
	if (!err)
		err = post(s, &v, true, &outcome);
	if (!err)
		return am_post_commit(sess(s));
	am_post_rollback(sess(s));
	return err;
}

/* Rows the batch writes: 3 lists and their 3 assessments, t's reversal,
 * 2 audit entries (the amendment, the lists), and its 5 index entries in
 * one block and its segment. */
#define BATCH_ROWS (3 + 3 + 1 + 2 + 1 + 1)

static long long count_batch(const char *path)
{
	return raw_int(path, "SELECT (SELECT count(*) FROM wage_lists)"
			     " + (SELECT count(*) FROM ledger)"
			     " + (SELECT count(*) FROM person_index)"
			     " + (SELECT count(*) FROM index_segments)"
			     " + (SELECT count(*) FROM audit WHERE action"
			     " LIKE 'list%')");
}

/* The posting mode on: a call of SQLite's (secure_delete off), which
 * PostgreSQL's backend has not. */
static unsigned long posting_mode_calls(void)
{
	return testdb_is_pg() ? 0 : 1;
}

static void fault_sweep(unsigned long count)
{
	const char *path = db_path("fault.db");
	unsigned long k, fired_runs = 0;

	for (k = 1; k < 1000; k++) {
		struct am_store *inner, *s;
		bool fired, ok = false;
		int err;

		inner = open_new("fault.db");
		assert_int_equal(
			am__store_fault_wrap(inner, k, count, INJECTED, &s), 0);
		err = batch(s);
		fired = am__store_fault_fired(s);
		close_store(s);
		if (fired) {
			assert_int_equal(err, INJECTED);
			assert_int_equal(count_batch(path), 0);
		} else {
			assert_int_equal(err, 0);
			assert_int_equal(count_batch(path), BATCH_ROWS);
		}
		assert_int_equal(am_store_open(path, &s), 0);
		assert_audit_ok(s);
		assert_int_equal(am_ledger_check(s, &ok, NULL, NULL), 0);
		assert_true(ok);
		close_store(s);
		drop_db(path);
		if (!fired)
			break;
		fired_runs++;
	}
	assert_true(k < 1000);
	assert_int_equal(fired_runs, k - 1);
	/* Pinned: see test_fault_counts. */
	assert_int_equal(fired_runs,
			 2 + posting_mode_calls() + 3 + 3 + 10 + 1 + 1 + 2 + 1);
}

/* The persons of test_person_set: one registered with a good code, one
 * with a wrong check digit (an old system's), which a set cannot hold;
 * the set loaded, used by the store returned (wrapped to fail its
 * fail_at-th call from now on; 0: never). */
static struct am_store *set_store(const char *name, unsigned long fail_at,
				  struct am_person_set **set)
{
	struct am_store *inner = open_new(name), *s;
	struct am_person p = {
		.national_code = "0012345679",
		.first_name = "زهرا",
		.last_name = "کریمی",
		.birth_date = AM_STORE_DATE_NONE,
		.sex = 'F',
	};
	bool added = false;

	assert_int_equal(am_post_begin(sess(inner)), 0);
	assert_int_equal(am_store_person_ensure(inner, &p, &added), 0);
	assert_int_equal(am_post_commit(sess(inner)), 0);
	assert_int_equal(
		raw_exec(db_path(name),
			 TESTDB_SQL("INSERT INTO persons (national_code,"
				    " first_name, last_name, sex,"
				    " created_at, updated_at) VALUES"
				    " ('0499370898', 'الف', 'ب', 'M',"
				    " 0, 0);"
				    /* As the store's insert does. */
				    " INSERT INTO person_codes"
				    " VALUES (499370898)",
				    "INSERT INTO persons (national_code,"
				    " first_name, last_name, sex,"
				    " created_at, updated_at) VALUES"
				    " ('0499370898', 'الف', 'ب', 'M',"
				    " 0, 0)")),
		TESTDB_OK);
	assert_int_equal(am_store_person_set_load(inner, 0, set), 0);
	assert_int_equal(am_person_set_count(*set), 1);
	assert_int_equal(am__store_fault_wrap(inner, fail_at, 1, INJECTED, &s),
			 0);
	am_post_session_use_person_set(sess(s), *set);
	return s;
}

/* A list of three: in the set; registered but not held; new. */
static void set_list(struct test_list *t)
{
	first_list(t);
	for (size_t i = 0; i < t->l.nlines; i++) {
		t->lines[i].sex = 'M';
		t->lines[i].first_name = "رضا";
		t->lines[i].last_name = "نوری";
	}
	snprintf(t->lines[1].national_code, 11, "%s", "0499370898");
}

/* A list's body as stored, into buf; its length. */
static size_t raw_body(const char *path, int64_t id, uint8_t *buf, size_t cap)
{
	char sql[64];
	size_t n;

	snprintf(sql, sizeof(sql),
		 "SELECT body FROM wage_lists WHERE id = %lld", (long long)id);
	n = testdb_blob(path, sql, buf, cap);
	assert_true(n > 0);
	return n;
}

/* A long list of W1 in 1403/08, n lines. */
static void long_list(struct test_list *t, int n)
{
	list_init(t, W1, 1403, 8, "01", 0x71);
	for (int i = 0; i < n; i++) {
		char code[11];

		snprintf(code, sizeof(code), "%010d", 80000000 + i * 13);
		list_add(t, code, 30 - i % 5, 2800000 + i * 1000, i % 3 == 0,
			 false);
	}
}

/* The posting in two halves (a prep made apart from the handle, as an
 * import's reading thread makes it) stores what the posting in one
 * stores, and reports what preparing refused at the posting, as the
 * posting in one does. */
static void test_prepared(void **state)
{
	struct am_store *s1 = open_new("prep1.db");
	struct am_store *s2 = open_new("prep2.db");
	char one[600], two[600];
	struct am_post_prep *p = NULL;
	struct test_list t, u;
	uint8_t b1[8192], b2[8192];
	size_t n1, n2;
	int64_t id1 = 0, id2 = 0;
	bool found = false;
	int outcome = -1;

	(void)state;
	snprintf(one, sizeof(one), "%s", db_path("prep1.db"));
	snprintf(two, sizeof(two), "%s", db_path("prep2.db"));
	assert_int_equal(am_post_prep_new(&p), 0);
	/* A long list, then a short one through the same prep. */
	long_list(&t, LINES_MAX - 1);
	assert_int_equal(am_post_prepare(p, &t.l, t.a, RULES), 0);
	assert_int_equal(am_post_prepared(sess(s2), &t.l, p, due_date(), false,
					  RULES, false, &outcome),
			 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	first_list(&u);
	assert_int_equal(am_post_prepare(p, &u.l, u.a, RULES), 0);
	assert_int_equal(am_post_prepared(sess(s2), &u.l, p, due_date(), false,
					  RULES, false, &outcome),
			 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(post(s1, &t, false, &outcome), 0);
	assert_int_equal(post(s1, &u, false, &outcome), 0);
	/* The same rows, to the byte. */
	for (int k = 0; k < 2; k++) {
		struct test_list *l = k ? &u : &t;

		assert_int_equal(am_store_list_find(s1, W1, l->l.period, "01",
						    &found, NULL, &id1),
				 0);
		assert_int_equal(am_store_list_find(s2, W1, l->l.period, "01",
						    &found, NULL, &id2),
				 0);
		n1 = raw_body(one, id1, b1, sizeof(b1));
		n2 = raw_body(two, id2, b2, sizeof(b2));
		assert_int_equal(n1, n2);
		assert_memory_equal(b1, b2, n1);
	}
	assert_int_equal(raw_int(one, "SELECT sum(t_insured + t_employer)"
				      " FROM wage_lists"),
			 raw_int(two, "SELECT sum(t_insured + t_employer)"
				      " FROM wage_lists"));
	/* Posted again from the prep: unchanged. */
	assert_int_equal(am_post_prepared(sess(s2), &u.l, p, due_date(), false,
					  RULES, false, &outcome),
			 0);
	assert_int_equal(outcome, AM_POST_UNCHANGED);

	/* What preparing refuses is the posting's error, with its message;
	 * nothing is written and the transaction goes on. */
	list_init(&t, W1, 1403, 9, "01", 0x72);
	list_add(&t, "0499370899", 10, 3000000, false, false);
	list_add(&t, "0012345679", 10, 3000000, false, false);
	list_add(&t, "0499370899", 10, 3000000, false, false);
	assert_int_equal(am_post_prepare(p, &t.l, t.a, RULES),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(am_post_begin(sess(s2)), 0);
	outcome = -1;
	assert_int_equal(am_post_prepared(sess(s2), &t.l, p, due_date(), false,
					  RULES, false, &outcome),
			 AM_ESTORE_CONFLICT);
	assert_int_equal(outcome, -1);
	assert_non_null(strstr(am_store_errmsg(s2), "twice"));
	assert_int_equal(post(s1, &t, false, &outcome), AM_ESTORE_CONFLICT);
	assert_string_equal(am_store_errmsg(s1), am_store_errmsg(s2));
	list_init(&t, W1, 1403, 13, "01", 0x73);
	am_post_prepare(p, &t.l, t.a, RULES);
	assert_int_equal(am_post_prepared(sess(s2), &t.l, p, due_date(), false,
					  RULES, false, &outcome),
			 AM_EINVALID_ARGUMENT);
	/* A prep of another list is refused. */
	first_list(&t);
	list_init(&u, W1, 1403, 9, "02", 0x74);
	list_add(&u, "0012345679", 30, 3000000, false, false);
	assert_int_equal(am_post_prepare(p, &t.l, t.a, RULES), 0);
	assert_int_equal(am_post_prepared(sess(s2), &u.l, p, due_date(), false,
					  RULES, false, &outcome),
			 AM_EINVALID_ARGUMENT);
	assert_non_null(strstr(am_store_errmsg(s2), "another list"));
	assert_int_equal(am_post_prepare(p, &u.l, u.a, RULES), 0);
	assert_int_equal(am_post_prepared(sess(s2), &u.l, p, due_date(), false,
					  RULES, false, &outcome),
			 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	/* A copy (what a queue holds) posts after its prep has gone on to
	 * another list, and carries what preparing refused. */
	{
		struct am_arena arena;
		const struct am_post_prep *c1 = NULL, *c2 = NULL;
		struct test_list v, w;
		struct am_wage_list vh;

		am_arena_init(&arena, 0);
		list_init(&v, W1, 1403, 10, "01", 0x75);
		list_add(&v, "0012345679", 30, 3100000, true, false);
		list_add(&v, "0650451252", 12, 2900000, false, false);
		v.lines[1].first_name = "مریم";
		v.lines[1].last_name = "کاظمی";
		v.lines[1].sex = 'F';
		assert_int_equal(am_post_prepare(p, &v.l, v.a, RULES), 0);
		assert_int_equal(am_post_prep_copy(p, &arena, &c1), 0);
		/* It carries each line's person record: the posting needs the
		 * list's header alone. */
		am_wage_list_init(&vh);
		assert_int_equal(am_wage_list_copy_header(&vh, &v.l), 0);
		list_init(&w, W1, 1403, 10, "02", 0x76);
		list_add(&w, "0012345679", 10, 3000000, false, false);
		list_add(&w, "0012345679", 10, 3000000, false, false);
		assert_int_equal(am_post_prepare(p, &w.l, w.a, RULES),
				 AM_ESTORE_CONFLICT);
		assert_int_equal(am_post_prep_copy(p, &arena, &c2), 0);
		/* A copy is not prepared into, nor freed but with its arena. */
		assert_int_equal(am_post_prepare((struct am_post_prep *)c1,
						 &w.l, w.a, RULES),
				 AM_EINVALID_ARGUMENT);
		am_post_prep_free((struct am_post_prep *)c1);
		assert_int_equal(am_post_prepared(sess(s2), &vh, c1, due_date(),
						  false, RULES, false,
						  &outcome),
				 0);
		assert_int_equal(outcome, AM_POST_POSTED);
		am_wage_list_release(&vh);
		assert_int_equal(am_post_prepared(sess(s2), &w.l, c2,
						  due_date(), false, RULES,
						  false, &outcome),
				 AM_ESTORE_CONFLICT);
		assert_non_null(strstr(am_store_errmsg(s2), "twice"));
		assert_int_equal(post(s1, &v, false, &outcome), 0);
		assert_int_equal(am_store_list_find(s1, W1, v.l.period, "01",
						    &found, NULL, &id1),
				 0);
		assert_int_equal(am_store_list_find(s2, W1, v.l.period, "01",
						    &found, NULL, &id2),
				 0);
		assert_true(found);
		am_arena_release(&arena);
	}
	assert_int_equal(am_post_commit(sess(s2)), 0);
	n1 = raw_body(one, id1, b1, sizeof(b1));
	n2 = raw_body(two, id2, b2, sizeof(b2));
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	assert_int_equal(raw_int(two, "SELECT count(*) FROM wage_lists"), 4);
	assert_int_equal(raw_int(two, "SELECT count(*) FROM persons WHERE"
				      " national_code = '0650451252' AND"
				      " first_name = 'مریم' AND last_name ="
				      " 'کاظمی' AND sex = 'F'"),
			 1);
	assert_balanced(s2);
	assert_audit_ok(s2);
	am_post_prep_free(p);
	am_post_prep_free(NULL);
	close_store(s1);
	close_store(s2);
	drop_db(one);
	drop_db(two);
}

/* The person set: a check digit per code as am_national_code_check has
 * it; persons it holds are not asked about, the others are, and what a
 * transaction learns joins it only when the transaction commits. */
static void test_person_set(void **state)
{
	const char *path = db_path("set.db");
	struct am_person_set *set = NULL, *ps = NULL;
	struct am_store *s;
	struct test_list t;
	uint64_t x = 88172645463325252ULL;
	unsigned long calls;
	int outcome = 0;

	(void)state;
	assert_int_equal(am__person_set_new(&ps), 0);
	for (int i = 0; i < 200000; i++) {
		char code[11], out[11];
		int64_t v;
		int rc;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = (int64_t)(x % 10000000000ULL);
		snprintf(code, sizeof(code), "%010lld", (long long)v);
		rc = am_national_code_check(code, 10, out);
		if (rc == AM_ENATCODE_CHECKSUM)
			assert_false(am_person_set_add(ps, v));
		else if (rc == 0)
			assert_true(am_person_set_add(ps, v));
		if (rc == 0 || rc == AM_ENATCODE_CHECKSUM)
			assert_int_equal(am_person_set_has(ps, v), rc == 0);
	}
	assert_true(am_person_set_count(ps) > 1000);
	am_person_set_free(ps);

	/* How many calls a transaction of set_list takes, its commit the
	 * last. */
	s = set_store("setcount.db", 0, &set);
	set_list(&t);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	calls = am__store_fault_calls(s);
	close_store(s);
	am_person_set_free(set);
	drop_db(db_path("setcount.db"));

	/* The commit fails after the persons were registered in the
	 * transaction: none joins the set. */
	s = set_store("set.db", calls, &set);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(am_post_commit(sess(s)), INJECTED);
	assert_true(am__store_fault_fired(s));
	assert_int_equal(am_person_set_count(set), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM persons"), 2);
	close_store(s);
	am_person_set_free(set);

	/* Again, committed: 0650451252 registered (not the others, which
	 * keep their names) and in the set; 0499370898 was found, but a set
	 * cannot hold it. */
	s = set_store("set2.db", 0, &set);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	assert_int_equal(
		raw_int(db_path("set2.db"), "SELECT count(*) FROM persons"), 3);
	assert_int_equal(am_post_session_registered(sess(s)), 1);
	assert_int_equal(am_person_set_count(set), 2);
	assert_int_equal(raw_int(db_path("set2.db"),
				 "SELECT count(*) FROM persons WHERE"
				 " first_name = 'رضا'"),
			 1);
	am_post_session_use_person_set(sess(s), NULL);
	close_store(s);
	am_person_set_free(set);
}

/* PRAGMA secure_delete on the handle's connection. */
static int secure_delete(struct am_store *s)
{
	sqlite3_stmt *st = NULL;
	int v;

	assert_int_equal(sqlite3_prepare_v2(am__sq_db(s),
					    "PRAGMA secure_delete", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Freed space is not overwritten while lists post (nothing they free is
 * gone), and is again as the build says once the transaction ends,
 * committed or rolled back, for the registry's writes that follow. */
static void test_posting_mode(void **state)
{
	struct am_store *s;
	struct test_list t;
	int outcome, build;
	int64_t n;

	(void)state;
	/* SQLite's secure_delete, which PostgreSQL has not. */
	if (testdb_is_pg())
		skip();
	s = open_new("mode.db");
	/* Whatever the build says; Debian's says 1. */
	build = secure_delete(s);
	first_list(&t);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(secure_delete(s), 0);
	assert_int_equal(am_post_commit(sess(s)), 0);
	assert_int_equal(secure_delete(s), build);

	list_init(&t, W1, 1403, 8, "01", 0x12);
	list_add(&t, "0012345679", 31, 3000000, false, false);
	assert_int_equal(am_post_begin(sess(s)), 0);
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(secure_delete(s), 0);
	assert_int_equal(am_post_rollback(sess(s)), 0);
	assert_int_equal(secure_delete(s), build);

	/* A post of its own, and the compaction. */
	assert_int_equal(post(s, &t, false, &outcome), 0);
	assert_int_equal(outcome, AM_POST_POSTED);
	assert_int_equal(secure_delete(s), build);
	assert_int_equal(am_store_compact(s, &n), 0);
	assert_int_equal(secure_delete(s), build);
	assert_balanced(s);
	close_store(s);
}

static void test_fault_each_call(void **state)
{
	(void)state;
	fault_sweep(1);
}

static void test_fault_from_call_on(void **state)
{
	(void)state;
	fault_sweep(ULONG_MAX);
}

static void test_fault_counts(void **state)
{
	struct am_store *inner = open_new("count.db"), *s;

	(void)state;
	assert_int_equal(am__store_fault_wrap(inner, 0, 1, INJECTED, &s), 0);
	assert_int_equal(batch(s), 0);
	/* begin, a schema check (2); the posting mode on (SQLite: 1; off
	 * is not counted); t, a new key: a ledger id, the list's insert (whose
	 * unique key would find an earlier list) and its assessment's (3);
	 * u the same (3); v, an amendment: find, the reversal (the
	 * assessment it undoes read, an id, its insert: 3), supersede, an
	 * id, the list's and its assessment's inserts, audit head and
	 * insert (10). The commit: the batch's persons checked against the
	 * registry in one merge (1; the test lines carry no sex, so none is
	 * registered); the batch's index entries (1); the lists' audit
	 * head and insert; the commit itself (1). */
	assert_int_equal(am__store_fault_calls(s),
			 2 + posting_mode_calls() + 3 + 3 + 10 + 1 + 1 + 2 + 1);
	close_store(s);
	/* The first list was amended in the same transaction: its lines
	 * stay indexed for the record, and the history skips them. */
	assert_int_equal(index_entries(db_path("count.db")), 5);
	assert_int_equal(
		raw_int(db_path("count.db"), "SELECT count(*) FROM persons"),
		0);
	if (!testdb_is_pg())
		assert_int_equal(raw_int(db_path("count.db"),
					 "SELECT count(*) FROM person_codes"),
				 0);
	assert_int_equal(am_store_open(db_path("count.db"), &s), 0);
	{
		struct am_history h;
		struct am_arena a;

		am_arena_init(&a, 0);
		assert_int_equal(am_history_read(s, "0012345679", &a, &h), 0);
		assert_int_equal(h.nmonths, 1);
		assert_int_equal(h.months[0].subject_wage, 93000000);
		assert_int_equal(am_history_read(s, "0499370899", &a, &h), 0);
		assert_int_equal(h.nmonths, 1);
		assert_int_equal(h.credited_days, 15);
		am_arena_release(&a);
	}
	close_store(s);
	drop_db(db_path("count.db"));
}

/* A database of the layout before 0005_registry_checks.sql (persons and
 * dependants with their CHECKs) is migrated: the rows, the persons' codes,
 * the index and the trigger are there after it, the foreign keys still
 * hold, and the store refuses what the CHECKs refused. */
static void test_migrate_registry_checks(void **state)
{
	const char *path = db_path("v4.db");
	struct am_person p = { .national_code = "0012345679",
			       .first_name = "علی",
			       .last_name = "رضایی",
			       .sex = 'M',
			       .birth_date = AM_STORE_DATE_NONE };
	struct am_dependant d = { .main_insured = "0012345679",
				  .dependant = "2222222224",
				  .relation = AM_RELATION_CHILD,
				  .since = 12000,
				  .until = AM_STORE_DATE_NONE };
	struct am_store *s;
	int from = -1, to = -1;

	(void)state;
	/* SQLite's migration; PostgreSQL's schema keeps its CHECKs. */
	if (testdb_is_pg())
		skip();
	old_layout("v4.db", 4);
	/* 0004's data step, on an empty journal. */
	assert_int_equal(raw_exec(path, "DROP TABLE journal"), TESTDB_OK);
	assert_int_equal(
		raw_exec(
			path,
			"INSERT INTO persons VALUES"
			" ('0012345679', 'علی', 'رضایی', NULL, NULL, 'M', NULL,"
			"  NULL, 1, 1),"
			" ('1111111112', 'زهرا', 'رضایی', NULL, NULL, 'F',"
			"  NULL, '12345678', 1, 1);"
			"INSERT INTO person_codes VALUES (12345679),"
			" (1111111112);"
			"INSERT INTO dependants VALUES ('0012345679',"
			" '1111111112', 'child', 12000, NULL, 1, 1)"),
		TESTDB_OK);
	assert_int_equal(am_store_open(path, &s), 0);
	s->clock = 1700000000;
	assert_int_equal(am_store_migrate(s, &from, &to), 0);
	assert_int_equal(from, 4);
	assert_int_equal(to, 5);
	assert_int_equal(raw_int(path, "SELECT group_concat(national_code ||"
				       " sex || coalesce(insurance_no, '-'))"
				       " = '0012345679M-,1111111112F12345678'"
				       " FROM persons"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM person_codes"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM dependants"
				       " WHERE relation = 'child'"),
			 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master"
				       " WHERE name IN ('dependants_dependant',"
				       " 'person_codes_drop')"
				       " OR sql LIKE '%CHECK%' AND name IN"
				       " ('persons', 'dependants')"),
			 2);
	/* The foreign keys are on again, and the store keeps the form. */
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	d.dependant = "1111111112";
	d.until = 11999;
	assert_int_equal(am_store_dependant_put(s, &d), AM_ESTORE_CONFLICT);
	p.sex = 'X';
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p.sex = 'M';
	p.insurance_no = "123";
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p.insurance_no = NULL;
	p.national_code = "001234567x";
	assert_int_equal(am_store_person_put(s, &p), AM_ESTORE_CONFLICT);
	p.national_code = "0012345679";
	assert_int_equal(am_store_person_put(s, &p), 0);
	close_store(s);
	drop_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_and_repost),
		cmocka_unit_test(test_conflict_refused),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_failure_poisons_batch),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_amend),
		cmocka_unit_test(test_exempt),
		cmocka_unit_test(test_payments),
		cmocka_unit_test(test_history_and_statements),
		cmocka_unit_test(test_index_two_periods),
		cmocka_unit_test(test_compact_many),
		cmocka_unit_test(test_workshop_terms),
		cmocka_unit_test(test_journal_append_only),
		cmocka_unit_test(test_migrate_ledger),
		cmocka_unit_test(test_migrate_registry_checks),
		cmocka_unit_test(test_bulk_person),
		cmocka_unit_test(test_prepared),
		cmocka_unit_test(test_person_set),
		cmocka_unit_test(test_posting_mode),
		cmocka_unit_test(test_fault_each_call),
		cmocka_unit_test(test_fault_from_call_on),
		cmocka_unit_test(test_fault_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
