/* Crash safety of the wage-list import on the run's backend (testdb.h),
 * and of the registry import (test_kill_registry(): 40 kills on SQLite, 6
 * on PostgreSQL):
 * kill it with SIGKILL at random points and, on PostgreSQL, stop the
 * server at once (pg_ctl stop -m immediate) mid-import and start it again.
 * After each: every list is wholly posted or absent, the by-person index
 * holds every posted line, the ledger balances, the audit chain holds; and
 * re-running the import completes the rest to what an import never
 * interrupted gives, down to the histories and statements the command
 * prints, with "amanat audit verify" content.
 *
 * Kill points: 200 on SQLite, 20 on PostgreSQL (where each needs a
 * registry imported afresh: 40 and 8 server crashes took 499 s of CI's
 * 30 minutes); AMANAT_CRASH_POINTS sets more for a soak.
 * Server crashes: 5, AMANAT_CRASH_SERVER_POINTS; they need the cluster's
 * directory in $AMANAT_TEST_PG_DIR (scripts/pg-cluster.sh crash, restart)
 * and the cluster to themselves: scripts/test.sh runs this test alone. */
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

#include "amanat/amanat.h"
#include "testdb.h"

extern char **environ;

static char workdir[256];
static const char *bin;

/* What a finished import leaves: compared between runs. */
struct summary {
	long long lists, lines, persons, debit, credit, insured;
};

#define SHOWN 5

/*
 * A generated province: its registry and lists, and what importing them
 * uninterrupted gives: the figures, how long it takes, and what the
 * command shows of it (a few workers' histories and the busiest
 * workshops' statements) with its output for each.
 */
struct province {
	const char *name; /* its folder and databases' prefix */
	unsigned insured, months;
	char gen[300], wages[320];
	struct summary want;
	uint64_t full_us;
	char shown[SHOWN][64];
	char *shown_out[SHOWN];
	/* Nobody registered: the lists register their workshops
	 * (--register-workshops) and their persons. */
	bool cold;
	/* ... before the lists, in their own transactions (the pass ahead,
	 * --persons-ahead). */
	bool ahead;
};

/* The kills' (small: a kill lands anywhere in a short run), and the
 * server crashes' (two years of a larger one: an import long beside the
 * time pg-cluster.sh takes to stop the server). */
static struct province small = { .name = "small", .insured = 600, .months = 2 },
		       year = { .name = "years",
				.insured = 2000,
				.months = 24 },
		       cold = { .name = "cold",
				.insured = 600,
				.months = 2,
				.cold = true },
		       ahead = { .name = "ahead",
				 .insured = 600,
				 .months = 2,
				 .cold = true,
				 .ahead = true };

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

/* "amanat --db uri ARGS": its exit status, its output in *out (free it;
 * may be NULL); what it said on stderr is shown when it fails. */
static int amanat(const char *uri, const char *args, char **out)
{
	char cmd[4096], path[300], *err;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' --db '%s' %s >'%s/out' 2>'%s/err'",
		 bin, uri, args, workdir, workdir);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	if (out) {
		snprintf(path, sizeof(path), "%s/out", workdir);
		*out = test_slurp(path);
	}
	if (WEXITSTATUS(st) != 0) {
		snprintf(path, sizeof(path), "%s/err", workdir);
		err = test_slurp(path);
		print_message("# amanat %s: exit %d: %s", args, WEXITSTATUS(st),
			      err);
		free(err);
	}
	return WEXITSTATUS(st);
}

/* A new database with the schema and pv's registry. */
static void load_registry(const struct province *pv, const char *uri)
{
	sh("'%s' --db '%s' init >/dev/null", bin, uri);
	if (pv->cold)
		return;
	sh("'%s' --db '%s' import registry '%s/registry/employers.csv' "
	   "'%s/registry/workshops.csv' '%s/registry/persons.csv' "
	   ">/dev/null",
	   bin, uri, pv->gen, pv->gen, pv->gen);
}

/* pv's test database called what, afresh with the registry: a copy of
 * the base file (SQLite), or a new schema loaded again (PostgreSQL). */
static const char *fresh(const struct province *pv, const char *what)
{
	char name[64];
	const char *uri;

	snprintf(name, sizeof(name), "%s-%s.db", pv->name, what);
	uri = testdb_new(name);
	if (testdb_is_pg()) {
		load_registry(pv, uri);
	} else {
		const char *base;

		snprintf(name, sizeof(name), "%s-base.db", pv->name);
		base = testdb_uri(name);
		sh("cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", base, uri, uri,
		   uri);
	}
	return uri;
}

struct readback {
	struct am_store *s;
	long long lists;
};

/* A posted list reads back whole: its body has the lines its row
 * counts. */
static void read_list(void *ctx, const char *const *cols, int ncols)
{
	struct readback *rb = ctx;
	long p = strtol(cols[1], NULL, 10);
	struct am_period period = { (int)(p / 100), (int)(p % 100) };
	struct am_wage_list l;

	assert_int_equal(ncols, 4);
	am_wage_list_init(&l);
	assert_int_equal(am_list_read(rb->s, cols[0], period, cols[2], &l), 0);
	assert_int_equal(l.nlines, strtoll(cols[3], NULL, 10));
	am_wage_list_release(&l);
	rb->lists++;
}

/* A SQLite file intact, and its side tables of codes in step with their
 * tables (PostgreSQL keeps its pages itself, and has no side tables). */
static void check_file(const char *uri)
{
	char *ok;

	if (testdb_is_pg())
		return;
	ok = testdb_text(uri, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	assert_int_equal(testdb_int(uri, "SELECT (SELECT count(*) FROM"
					 " person_codes) - (SELECT count(*)"
					 " FROM persons)"),
			 0);
	assert_int_equal(testdb_int(uri, "SELECT (SELECT count(*) FROM"
					 " workshop_keys) - (SELECT count(*)"
					 " FROM workshops)"),
			 0);
}

/* The invariants that must hold whenever the import stops, however. */
static void check_consistent(const char *uri, struct summary *sum)
{
	struct am_audit_verify_result res;
	struct readback rb = { NULL, 0 };
	bool balanced = false;
	int64_t debit = 0, credit = 0;

	check_file(uri);
	/* Every line of every list is in the by-person index, and
	 * the index's blocks hold what its segments say. */
	assert_int_equal(testdb_int(uri, "SELECT (SELECT coalesce(sum(lines),"
					 " 0) FROM wage_lists) - (SELECT"
					 " coalesce(sum(entries), 0) FROM"
					 " index_segments)"),
			 0);
	assert_int_equal(testdb_int(uri, "SELECT (SELECT coalesce(sum(entries),"
					 " 0) FROM person_index) - (SELECT"
					 " coalesce(sum(entries), 0) FROM"
					 " index_segments)"),
			 0);
	sum->lists = testdb_int(uri, "SELECT count(*) FROM wage_lists WHERE "
				     "status = 'posted'");
	sum->lines = testdb_int(uri, "SELECT coalesce(sum(lines), 0) FROM "
				     "wage_lists WHERE status = 'posted'");
	sum->persons = testdb_int(uri, "SELECT count(*) FROM persons");
	sum->insured = testdb_int(uri, "SELECT coalesce(sum(t_insured), 0) "
				       "FROM wage_lists WHERE status = "
				       "'posted'");

	if (am_store_open_flags(uri, AM_STORE_OPEN_READONLY, &rb.s) != 0)
		fail_msg("open %s: %s", uri, am_store_errmsg(NULL));
	testdb_each(uri,
		    "SELECT workshop, period, list_no, lines FROM wage_lists"
		    " WHERE status = 'posted'",
		    read_list, &rb);
	assert_int_equal(rb.lists, sum->lists);
	assert_int_equal(am_ledger_check(rb.s, &balanced, &debit, &credit), 0);
	assert_true(balanced);
	assert_true(debit == credit);
	sum->debit = debit;
	sum->credit = credit;
	assert_int_equal(am_store_audit_verify(rb.s, &res), 0);
	am_store_close(rb.s);
}

/* Start an import; its output goes to WORKDIR/import.log, shown when a run
 * that should succeed does not. */
static pid_t spawn_import(const struct province *pv, const char *db)
{
	char cmd[2048];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "exec '%s' --db '%s' import wages --batch 300 %s'%s' "
		 ">'%s/import.log' 2>&1",
		 bin, db,
		 pv->ahead  ? "--register-workshops --persons-ahead "
		 : pv->cold ? "--register-workshops "
			    : "",
		 pv->wages, workdir);
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

/* A view's JSON without its ledger ids ("id":N,"txn":N,) and entries'
 * value dates ("date":"…",). The ids come from a sequence that a cut run,
 * or a list found posted already, leaves gaps in (on SQLite as on
 * PostgreSQL), so a rerun's are not the reference's; the value date is
 * the day of the posting, another after midnight. Everything else is. */
static void drop_ids(char *json)
{
	static const char *const keys[] = { "\"id\":", "\"txn\":",
					    "\"date\":\"" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *p;

		while ((p = strstr(json, keys[k]))) {
			char *q = p + strlen(keys[k]);

			if (k < 2)
				while (*q >= '0' && *q <= '9')
					q++;
			else
				while (*q && *q++ != '"')
					;
			if (*q == ',')
				q++;
			memmove(p, q, strlen(q) + 1);
		}
	}
}

/* The same end as the reference's: the figures, and the command's views
 * and verdict on the audit trail. Those cost six runs of the command: on
 * SQLite, whose 200 runs cost little else, they are checked after every
 * tenth. */
static void check_as_reference(const struct province *pv, const char *uri,
			       unsigned run)
{
	struct summary got;
	char *out = NULL;

	check_consistent(uri, &got);
	assert_int_equal(got.lists, pv->want.lists);
	assert_int_equal(got.lines, pv->want.lines);
	assert_int_equal(got.persons, pv->want.persons);
	assert_int_equal(got.insured, pv->want.insured);
	assert_int_equal(got.debit, pv->want.debit);
	if (!testdb_is_pg() && run % 10 != 0)
		return;
	for (int i = 0; i < SHOWN; i++) {
		assert_int_equal(amanat(uri, pv->shown[i], &out), 0);
		drop_ids(out);
		if (strcmp(out, pv->shown_out[i]) != 0)
			fail_msg("run %u: 'amanat %s' printed\n%s\nwhere the "
				 "uninterrupted import gives\n%s",
				 run, pv->shown[i], out, pv->shown_out[i]);
		free(out);
	}
	assert_int_equal(amanat(uri, "audit verify", NULL), 0);
}

/* Run the import again after an interruption: it completes. */
static void rerun(const struct province *pv, const char *uri, unsigned run)
{
	int st = wait_exit(spawn_import(pv, uri));

	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		sh("cat '%s/import.log' >&2", workdir);
		fail_msg("the rerun after interruption %u failed (status %d)",
			 run, st);
	}
}

/* Up to max codes, each of 10 digits. */
struct codes {
	char (*code)[16];
	int n, max;
};

static void take_code(void *ctx, const char *const *cols, int ncols)
{
	struct codes *c = ctx;

	(void)ncols;
	if (c->n < c->max)
		snprintf(c->code[c->n++], 16, "%.15s", cols[0]);
}

/* The views to compare: the two busiest workshops' statements, and the
 * histories of the first three registered persons who have one. */
static void choose_shown(struct province *pv, const char *ref)
{
	char(*shown)[64] = pv->shown;
	char code[20][16];
	struct codes w = { code, 0, 2 }, p = { code, 0, 20 };
	int n = 0;

	testdb_each(ref,
		    "SELECT workshop FROM wage_lists GROUP BY workshop"
		    " ORDER BY count(*) DESC, workshop",
		    take_code, &w);
	assert_int_equal(w.n, 2);
	for (int i = 0; i < w.n; i++)
		snprintf(shown[n++], sizeof(shown[0]),
			 "--json employer statement %.15s", code[i]);
	testdb_each(ref, "SELECT national_code FROM persons ORDER BY 1",
		    take_code, &p);
	for (int i = 0; i < p.n && n < SHOWN; i++) {
		char *out = NULL;

		snprintf(shown[n], sizeof(shown[0]), "--json history %.15s",
			 code[i]);
		assert_int_equal(amanat(ref, shown[n], &out), 0);
		/* A person with no month yet is passed over. */
		if (strstr(out, "\"months\":[{"))
			n++;
		free(out);
	}
	assert_int_equal(n, SHOWN);
	for (int i = 0; i < SHOWN; i++) {
		assert_int_equal(amanat(ref, shown[i], &pv->shown_out[i]), 0);
		assert_non_null(strstr(pv->shown_out[i], "\"period\""));
		drop_ids(pv->shown_out[i]);
	}
}

/* pv generated, its registry, the reference import, and an import timed
 * as the interrupted ones will run. */
static void prepare(struct province *pv)
{
	char base[64];
	const char *ref, *db;
	uint64_t t0;

	snprintf(pv->gen, sizeof(pv->gen), "%s/%s", workdir, pv->name);
	snprintf(pv->wages, sizeof(pv->wages), "%s/wages", pv->gen);
	sh("'%s' generate --insured %u --months %u --start 1403/01 --seed 5 "
	   "--format csv '%s' >/dev/null",
	   bin, pv->insured, pv->months, pv->gen);
	if (!testdb_is_pg()) {
		snprintf(base, sizeof(base), "%s-base.db", pv->name);
		load_registry(pv, testdb_new(base));
	}
	/* The reference: one import, never interrupted; then another on a
	 * fresh copy, timed, as the interrupted ones will run (warm: the
	 * first run's time, from cold caches, let half the kills land
	 * after the end). */
	ref = fresh(pv, "ref");
	assert_int_equal(WEXITSTATUS(wait_exit(spawn_import(pv, ref))), 0);
	db = fresh(pv, "run");
	t0 = now_us();
	assert_int_equal(WEXITSTATUS(wait_exit(spawn_import(pv, db))), 0);
	pv->full_us = now_us() - t0;
	check_consistent(ref, &pv->want);
	assert_true(pv->want.lists > 0);
	assert_true(pv->want.lines > 0);
	choose_shown(pv, ref);
	/* The timed import's end is the reference's. */
	check_as_reference(pv, db, 0);
}

static int setup(void **state)
{
	(void)state;
	bin = getenv("AMANAT_BIN");
	assert_non_null(bin);
	/* Today for the import's check of future months: after the two
	 * years the provinces' lists cover. */
	assert_int_equal(setenv("AMANAT_TODAY", "1405/01/15", 1), 0);
	snprintf(workdir, sizeof(workdir), "/tmp/amanat-crash-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	prepare(&small);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < SHOWN; i++) {
		free(small.shown_out[i]);
		free(year.shown_out[i]);
		free(cold.shown_out[i]);
		free(ahead.shown_out[i]);
	}
	sh("rm -rf '%s'", workdir);
	return 0;
}

static unsigned points_env(const char *name, unsigned dflt)
{
	const char *env = getenv(name);

	return env && *env ? (unsigned)strtoul(env, NULL, 10) : dflt;
}

/* A delay mostly inside pv's run: it spends its first moments starting
 * up, its last ones compacting. */
static useconds_t some_delay(const struct province *pv)
{
	return (useconds_t)((uint64_t)rand() % (pv->full_us * 9 / 10 + 1));
}

/* Kill pid after delay_us unless it ends first; true (with its status
 * in *st) when it ended first. A run's time varies from the one timed
 * in prepare() (on PostgreSQL a fresh database's first import ran 402 ms
 * once, its reruns about a third of that), so one that ends before its
 * kill teaches the time the next delays are drawn from. */
static bool kill_after(struct province *pv, pid_t pid, uint64_t delay_us,
		       int *st)
{
	uint64_t t0 = now_us(), t;

	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG);

		t = now_us() - t0;
		if (r == pid) {
			pv->full_us = (pv->full_us + t) / 2;
			return true;
		}
		assert_true(r == 0 || errno == EINTR);
		if (t >= delay_us)
			break;
		usleep((useconds_t)(delay_us - t < 1000 ? delay_us - t : 1000));
	}
	kill(pid, SIGKILL);
	*st = wait_exit(pid);
	return !WIFSIGNALED(*st);
}

/* Kill pv's import at random moments, points times: whatever each run
 * had done is whole, and running it again ends where the reference
 * ended. */
static void kill_runs(struct province *pv, unsigned points)
{
	unsigned seed = (unsigned)time(NULL);
	unsigned killed = 0;

	printf("# %s: kill points %u, seed %u\n", pv->name, points, seed);
	srand(seed);
	for (unsigned i = 0; i < points; i++) {
		const char *db = fresh(pv, "run");
		struct summary got;
		pid_t pid;
		int st;

		pid = spawn_import(pv, db);
		if (!kill_after(pv, pid, some_delay(pv), &st))
			killed++;
		/* Whatever it had done is whole. */
		check_consistent(db, &got);
		assert_true(got.lists <= pv->want.lists);
		/* Running it again completes the rest, to the same end. */
		rerun(pv, db, i);
		check_as_reference(pv, db, i);
	}
	printf("# %u of %u runs were killed mid-import (%llu us each)\n",
	       killed, points, (unsigned long long)pv->full_us);
	/* Most kills must land inside the import, or the test tests little. */
	assert_true(killed * 2 >= points);
}

static void test_kill_anywhere(void **state)
{
	(void)state;
	kill_runs(&small,
		  points_env("AMANAT_CRASH_POINTS", testdb_is_pg() ? 20 : 200));
}

/* The same month into a database with nobody registered: the lists'
 * workshops and persons registered as they are posted, as whole. */
static void test_kill_cold(void **state)
{
	(void)state;
	prepare(&cold);
	kill_runs(&cold,
		  points_env("AMANAT_CRASH_POINTS", testdb_is_pg() ? 10 : 60));
}

/* The same, the workshops and persons registered ahead of the lists in
 * transactions of their own (--persons-ahead): a kill between them and
 * the lists leaves them registered, and the run again posts the lists. */
static void test_kill_ahead(void **state)
{
	(void)state;
	prepare(&ahead);
	kill_runs(&ahead,
		  points_env("AMANAT_CRASH_POINTS", testdb_is_pg() ? 6 : 40));
}

/*
 * The registry import killed at random moments: what it wrote is whole
 * (the file intact, each kind's side table in step, the audit chain
 * holds), and the same command again ends where an import never
 * interrupted ends, row for row. Batches of 100 and files read in two
 * parts, so that a small province's files are merged from sorted runs by
 * the writer thread, with the checkpoints on their own thread, as a
 * national file is.
 */

/* A table's rows, in key order, as one hash (FNV-1a of their text). */
static void hash_row(void *ctx, const char *const *cols, int ncols)
{
	uint64_t *h = ctx;

	for (int i = 0; i < ncols; i++) {
		const char *c = cols[i] ? cols[i] : "\x01";

		for (; *c; c++)
			*h = (*h ^ (unsigned char)*c) * 1099511628211ULL;
		*h = (*h ^ 0x1f) * 1099511628211ULL;
	}
}

struct registry_rows {
	long long persons, employers, workshops, dependants;
	uint64_t hash;
	char *persons_text;
};

static void registry_rows(const char *uri, struct registry_rows *r)
{
	static const char *const tables[] = {
		"SELECT id, kind, name, address, phone FROM employers ORDER BY 1",
		"SELECT code, name, employer_id, address, province, branch,"
		" activity, scheme, hard_harmful, small_exempt FROM workshops"
		" ORDER BY 1",
		"SELECT main_insured, dependant, relation, since, until"
		" FROM dependants ORDER BY 1, 2",
	};
	struct am_audit_verify_result res;
	struct am_store *s = NULL;

	check_file(uri);
	r->persons = testdb_int(uri, "SELECT count(*) FROM persons");
	r->employers = testdb_int(uri, "SELECT count(*) FROM employers");
	r->workshops = testdb_int(uri, "SELECT count(*) FROM workshops");
	r->dependants = testdb_int(uri, "SELECT count(*) FROM dependants");
	r->hash = 14695981039346656037ULL;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		testdb_each(uri, tables[i], hash_row, &r->hash);
	r->persons_text = testdb_persons(uri);
	if (am_store_open_flags(uri, AM_STORE_OPEN_READONLY, &s) != 0)
		fail_msg("open %s: %s", uri, am_store_errmsg(NULL));
	assert_int_equal(am_store_audit_verify(s, &res), 0);
	am_store_close(s);
}

static pid_t spawn_registry(const char *gen, const char *db)
{
	char cmd[2048];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	pid_t pid;

	snprintf(
		cmd, sizeof(cmd),
		"AMANAT_REGISTRY_BATCH=100 AMANAT_REGISTRY_PARTS=1 "
		"exec '%s' --db '%s' import registry '%s/registry/employers.csv'"
		" '%s/registry/workshops.csv' '%s/registry/persons.csv'"
		" '%s/registry/dependants.csv' >'%s/import.log' 2>&1",
		bin, db, gen, gen, gen, gen, workdir);
	assert_int_equal(
		posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ), 0);
	return pid;
}

static void test_kill_registry(void **state)
{
	unsigned points = points_env("AMANAT_CRASH_POINTS",
				     testdb_is_pg() ? 6 : 40);
	unsigned seed = (unsigned)time(NULL) + 2;
	struct province reg = { .name = "registry" };
	struct registry_rows want, got;
	const char *db;
	unsigned killed = 0;
	uint64_t t0;
	int st;

	(void)state;
	/* small's registry: generated by setup(). */
	db = testdb_new("registry-ref.db");
	sh("'%s' --db '%s' init >/dev/null", bin, db);
	t0 = now_us();
	assert_int_equal(WEXITSTATUS(wait_exit(spawn_registry(small.gen, db))),
			 0);
	reg.full_us = now_us() - t0;
	registry_rows(db, &want);
	assert_true(want.persons > 1000 && want.dependants > 300);
	printf("# registry: kill points %u, seed %u, %lld persons\n", points,
	       seed, want.persons);
	srand(seed);
	for (unsigned i = 0; i < points; i++) {
		db = testdb_new("registry-run.db");
		sh("'%s' --db '%s' init >/dev/null", bin, db);
		if (!kill_after(&reg, spawn_registry(small.gen, db),
				some_delay(&reg), &st))
			killed++;
		/* Whatever it wrote is whole, and no more than all. */
		registry_rows(db, &got);
		free(got.persons_text);
		assert_true(got.persons <= want.persons);
		assert_true(got.dependants <= want.dependants);
		/* Again: the rest, to the same rows. */
		st = wait_exit(spawn_registry(small.gen, db));
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			sh("cat '%s/import.log' >&2", workdir);
			fail_msg("the registry again after kill %u failed", i);
		}
		registry_rows(db, &got);
		assert_int_equal(got.persons, want.persons);
		assert_int_equal(got.employers, want.employers);
		assert_int_equal(got.workshops, want.workshops);
		assert_int_equal(got.dependants, want.dependants);
		assert_true(got.hash == want.hash);
		assert_string_equal(got.persons_text, want.persons_text);
		free(got.persons_text);
	}
	free(want.persons_text);
	printf("# %u of %u registry runs were killed mid-import\n", killed,
	       points);
	assert_true(killed * 2 >= points);
}

/* Wait until the import into db has posted n lists; false then, true
 * (with its status in *st) when it ended first. */
static bool wait_posted(const char *db, pid_t pid, long long n, int *st)
{
	while (testdb_int(db, "SELECT count(*) FROM wage_lists") < n) {
		pid_t r = waitpid(pid, st, WNOHANG);

		if (r == pid)
			return true;
		assert_true(r == 0 || errno == EINTR);
		usleep(2000);
	}
	return false;
}

/* The server stopped at once under the import (no checkpoint, no goodbye
 * to the client: the next start recovers from its log), then started
 * again: what was committed is there and whole, the rest is not, and
 * the import run again completes it. */
static void test_server_crash(void **state)
{
	const char *dir = getenv("AMANAT_TEST_PG_DIR");
	const char *root = getenv("AMANAT_SOURCE_ROOT");
	unsigned points = points_env("AMANAT_CRASH_SERVER_POINTS", 5);
	unsigned seed = (unsigned)time(NULL) + 1;
	unsigned cut = 0;
	char cluster[1024];

	(void)state;
	/* A SQLite database has no server: the kills above are its
	 * crashes. */
	if (!testdb_is_pg())
		skip();
	/* The cluster's directory is what pg-cluster.sh crashes. */
	if (!dir || !*dir) {
		print_message("# AMANAT_TEST_PG_DIR is not set: no server "
			      "crash\n");
		skip();
	}
	assert_non_null(root);
	snprintf(cluster, sizeof(cluster), "%s/scripts/pg-cluster.sh", root);
	prepare(&year);
	printf("# server crashes %u, seed %u\n", points, seed);
	srand(seed);
	for (unsigned i = 0; i < points; i++) {
		const char *db = fresh(&year, "run");
		/* Stopped once it has posted up to three quarters of the
		 * lists: by its progress, not by the clock, which the
		 * machine's load and pg-cluster.sh's own time would make
		 * land after the end. */
		long long at = rand() % (year.want.lists * 3 / 4 + 1);
		struct summary got;
		pid_t pid;
		int st;
		bool ended;

		pid = spawn_import(&year, db);
		ended = wait_posted(db, pid, at, &st);
		sh("'%s' crash '%s' 2>'%s/crash.log'", cluster, dir, workdir);
		if (!ended)
			st = wait_exit(pid);
		/* The importer lost its server: it must say so and fail. */
		cut += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
		sh("'%s' restart '%s' 2>'%s/crash.log'", cluster, dir, workdir);
		check_consistent(db, &got);
		printf("# crash %u: called at %lld lists, %lld posted, the "
		       "import %s\n",
		       i, at, got.lists,
		       WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "done" : "cut");
		assert_true(got.lists <= year.want.lists);
		rerun(&year, db, i);
		check_as_reference(&year, db, i);
	}
	printf("# %u of %u imports were cut by the server's crash (%lld lists "
	       "each)\n",
	       cut, points, year.want.lists);
	assert_true(cut * 2 >= points);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_anywhere),
		cmocka_unit_test(test_kill_cold),
		cmocka_unit_test(test_kill_ahead),
		cmocka_unit_test(test_kill_registry),
		cmocka_unit_test(test_server_crash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
