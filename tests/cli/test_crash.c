/* Crash safety of the wage-list import: kill it with SIGKILL at random
 * points and check, after each: the database passes integrity_check, every
 * list is wholly posted or absent, the journal balances, the audit chain
 * holds, and re-running the import completes the rest to the same result
 * as an import that was never interrupted. 200 points by default;
 * AMANAT_CRASH_POINTS sets more for a soak. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "amanat/amanat.h"

extern char **environ;

static char workdir[256];

/* What a finished import leaves: compared between runs. */
struct summary {
	long long lists, lines, line_rows, debit, credit, insured;
};

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static long long query_ll(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The invariants that must hold whenever the import stops, however. */
static void check_consistent(const char *db_path, struct summary *sum)
{
	struct am_audit_verify_result res;
	struct am_store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	bool balanced = false;
	int64_t debit = 0, credit = 0;

	assert_int_equal(
		sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	/* Every line of every list is in the by-person index, and the
	 * index's blocks hold what its segments say. */
	assert_int_equal(
		query_ll(db, "SELECT (SELECT coalesce(sum(lines), 0) FROM "
			     "wage_lists) - (SELECT coalesce(sum(entries), 0) "
			     "FROM index_segments)"),
		0);
	assert_int_equal(
		query_ll(db, "SELECT (SELECT coalesce(sum(entries), 0) FROM "
			     "person_index) - (SELECT coalesce(sum(entries), "
			     "0) FROM index_segments)"),
		0);
	sum->lists = query_ll(db, "SELECT count(*) FROM wage_lists WHERE "
				  "status = 'posted'");
	sum->lines = query_ll(db, "SELECT coalesce(sum(lines), 0) FROM "
				  "wage_lists WHERE status = 'posted'");
	sum->line_rows = query_ll(db, "SELECT count(*) FROM person_codes");
	sum->insured = query_ll(db, "SELECT coalesce(sum(t_insured), 0) FROM "
				    "wage_lists WHERE status = 'posted'");

	assert_int_equal(
		am_store_open_flags(db_path, AM_STORE_OPEN_READONLY, &s), 0);
	/* Every posted list reads back whole: its body has the lines its
	 * row counts. */
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT workshop, period, list_no,"
					    " lines FROM wage_lists"
					    " WHERE status = 'posted'",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct am_wage_list l;
		int p = sqlite3_column_int(st, 1);
		struct am_period period = { p / 100, p % 100 };

		am_wage_list_init(&l);
		assert_int_equal(
			am_store_list_read(
				s, (const char *)sqlite3_column_text(st, 0),
				period,
				(const char *)sqlite3_column_text(st, 2), &l),
			0);
		assert_int_equal(l.nlines, sqlite3_column_int64(st, 3));
		am_wage_list_release(&l);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(am_store_journal_check(s, &balanced, &debit, &credit),
			 0);
	assert_true(balanced);
	assert_true(debit == credit);
	sum->debit = debit;
	sum->credit = credit;
	assert_int_equal(am_store_audit_verify(s, &res), 0);
	am_store_close(s);
}

static void copy_file(const char *from, const char *to)
{
	sh("cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
}

/* Start an import; its output goes to WORKDIR/import.log, shown when a run
 * that should succeed does not. */
static pid_t spawn_import(const char *db, const char *wages_dir)
{
	char cmd[2048];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "exec '%s' --db '%s' import wages --batch 300 '%s' "
		 ">'%s/import.log' 2>&1",
		 getenv("AMANAT_BIN"), db, wages_dir, workdir);
	assert_int_equal(
		posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ), 0);
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return st;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static void test_kill_anywhere(void **state)
{
	char base[512], ref[512], db[512], wages[512];
	struct summary want, got;
	const char *env = getenv("AMANAT_CRASH_POINTS");
	unsigned points = env ? (unsigned)strtoul(env, NULL, 10) : 200;
	unsigned seed = (unsigned)time(NULL);
	uint64_t t0, full_us;
	unsigned killed = 0;

	printf("# crash points %u, seed %u\n", points, seed);
	srand(seed);
	snprintf(base, sizeof(base), "%s/base.db", workdir);
	snprintf(ref, sizeof(ref), "%s/ref.db", workdir);
	snprintf(db, sizeof(db), "%s/crash.db", workdir);
	snprintf(wages, sizeof(wages), "%s/gen/wages", workdir);

	/* A small province: a registry and two months of lists. */
	sh("'%s' generate --insured 600 --months 2 --start 1403/01 --seed 5 "
	   "--format csv '%s/gen' >/dev/null",
	   getenv("AMANAT_BIN"), workdir);
	sh("'%s' --db '%s' init >/dev/null", getenv("AMANAT_BIN"), base);
	sh("'%s' --db '%s' import registry '%s/gen/registry/employers.csv' "
	   "'%s/gen/registry/workshops.csv' '%s/gen/registry/persons.csv' "
	   ">/dev/null",
	   getenv("AMANAT_BIN"), base, workdir, workdir, workdir);

	/* The reference: one import, never interrupted; then another on a
	 * fresh copy, timed, as the killed ones will run (warm: the first
	 * run's time, from cold caches, let half the kills land after the
	 * end). */
	copy_file(base, ref);
	assert_int_equal(WEXITSTATUS(wait_exit(spawn_import(ref, wages))), 0);
	copy_file(base, db);
	t0 = now_us();
	assert_int_equal(WEXITSTATUS(wait_exit(spawn_import(db, wages))), 0);
	full_us = now_us() - t0;
	check_consistent(ref, &want);
	assert_true(want.lists > 0);
	assert_true(want.lines > 0);

	for (unsigned i = 0; i < points; i++) {
		/* Mostly inside the run: it spends its first moments
		 * starting up, its last ones compacting. */
		uint64_t delay = (uint64_t)rand() % (full_us * 9 / 10 + 1);
		pid_t pid;
		int st;

		copy_file(base, db);
		pid = spawn_import(db, wages);
		usleep((useconds_t)delay);
		kill(pid, SIGKILL);
		st = wait_exit(pid);
		killed += WIFSIGNALED(st);
		/* Whatever it had done is whole. */
		check_consistent(db, &got);
		assert_true(got.lists <= want.lists);
		/* Running it again completes the rest, to the same end. */
		st = wait_exit(spawn_import(db, wages));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			sh("cat '%s/import.log' >&2", workdir);
			fail_msg("the rerun after kill %u failed (status %d)",
				 i, st);
		}
		check_consistent(db, &got);
		assert_int_equal(got.lists, want.lists);
		assert_int_equal(got.lines, want.lines);
		assert_int_equal(got.line_rows, want.line_rows);
		assert_int_equal(got.insured, want.insured);
		assert_int_equal(got.debit, want.debit);
	}
	printf("# %u of %u runs were killed mid-import (%llu us each)\n",
	       killed, points, (unsigned long long)full_us);
	/* Most kills must land inside the import, or the test tests little. */
	assert_true(killed * 2 >= points);
}

static int setup(void **state)
{
	snprintf(workdir, sizeof(workdir), "/tmp/amanat-crash-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	return 0;
}

static int teardown(void **state)
{
	sh("rm -rf '%s'", workdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_anywhere),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
