/* Tests of import wages on two threads (src/app/wages.c): the same lists
 * into a database file (read and written on two threads) and into an
 * in-memory one (one thread, as before) give the same counts and the same
 * diagnostics in the same order, the writer's refusals among the
 * reader's; the reader's own handle (am_store_open_reader) reads a
 * snapshot beside the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amanat/amanat.h"
#include "amanat/generate.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "testdb.h"

static struct am_rules *rules;

static int setup(void **state)
{
	const char *dir = getenv("AMANAT_RULES");
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	if (!dir || am_rules_load_dir(dir, &rules, &ds) != 0)
		return -1;
	am_diags_release(&ds);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	am_rules_free(rules);
	return 0;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/amanat-pipe-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A generated month: more lists than the queue holds at once. */
static void generate(const char *dir, uint64_t insured)
{
	struct am_generate_opts o;
	struct am_generate_stats st;
	struct am_diags ds;

	am_generate_opts_init(&o);
	o.insured = insured;
	o.months = 1;
	o.start.year = 1403;
	o.start.month = 7;
	o.seed = 5;
	o.format = AM_GENERATE_CSV;
	o.outdir = dir;
	am_diags_init(&ds, 0);
	assert_int_equal(am_generate(rules, &o, &st, &ds), 0);
	am_diags_release(&ds);
}

static struct am_store *open_store(const char *path, const char *dir)
{
	static const char *const files[] = { "employers", "workshops",
					     "persons" };
	struct am_import_stats is;
	struct am_store *s;
	struct am_diags ds;
	char p[1024];

	if (am_store_open(path, &s) != 0)
		fail_msg("open %s: %s", path, am_store_errmsg(NULL));
	if (am_store_migrate(s, NULL, NULL) != 0)
		fail_msg("migrate %s: %s", path, am_store_errmsg(s));
	memset(&is, 0, sizeof(is));
	am_diags_init(&ds, 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/registry/%s.csv", dir, files[i]);
		assert_int_equal(am_import_registry(s, p, &is, &ds), 0);
	}
	assert_int_equal(ds.nr, 0);
	am_diags_release(&ds);
	return s;
}

/*
 * The second file: the generated lists again, each changed by its place
 * so that every outcome comes in turn: a different list under a posted
 * key (the writer's conflict), a bad list (the reader's refusals), the
 * same list (unchanged), an unknown workshop (the reader's refusal), a new
 * list number (posted).
 */
struct mix {
	FILE *out;
	size_t n;
	size_t conflicts, bad, unknown, fresh, same;
	unsigned first_row[8192]; /* each list's first row in the new file */
	unsigned row;		  /* rows written so far, the header's too */
	struct am_wage_list copy;
};

static int mix_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct mix *m = ctx;
	struct am_wage_list *c = &m->copy;

	assert_false(refused);
	assert_int_equal(am_wage_list_copy(c, l), 0);
	switch (m->n % 5) {
	case 0:
		if (c->nlines >= 2) {
			c->nlines--; /* another list under the same key */
			m->conflicts++;
		} else {
			m->same++;
		}
		break;
	case 1:
		c->lines[0].days = 99;
		m->bad++;
		break;
	case 2:
		m->same++;
		break;
	case 3:
		memcpy(c->workshop, "1000000001", 11);
		m->unknown++;
		break;
	default:
		memcpy(c->list_no, "7", 2);
		m->fresh++;
		break;
	}
	assert_true(m->n < sizeof(m->first_row) / sizeof(m->first_row[0]));
	m->first_row[m->n++] = m->row + 1;
	m->row += (unsigned)c->nlines;
	assert_int_equal(am_csv_write_list(m->out, c), 0);
	return 0;
}

static void write_mix(const char *month, const char *path, struct mix *m)
{
	struct am_diags ds;

	memset(m, 0, sizeof(*m));
	am_wage_list_init(&m->copy);
	m->out = fopen(path, "w");
	assert_non_null(m->out);
	assert_int_equal(am_csv_write_header(m->out), 0);
	m->row = 1;
	am_diags_init(&ds, 0);
	assert_int_equal(am_csv_read(month, NULL, mix_list, m, &ds), 0);
	assert_int_equal(ds.nr, 0);
	am_diags_release(&ds);
	assert_int_equal(fclose(m->out), 0);
	am_wage_list_release(&m->copy);
}

static int import(struct am_store *s, const char *path, size_t batch,
		  struct am_wage_import_stats *st, struct am_diags *ds)
{
	char *paths[1] = { (char *)path };
	struct am_wage_import_opts o;
	struct timespec t0, t1;
	int err;

	memset(&o, 0, sizeof(o));
	o.today = 0;
	o.batch_lines = batch;
	memset(st, 0, sizeof(*st));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	err = am_import_wages(s, rules, paths, 1, &o, st, ds);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	/* The reader's CPU is this thread's during the call, not since it
	 * began. */
	assert_true(st->reader_cpu <=
		    (double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 + 1e-6);
	return err;
}

static void assert_stats_equal(const struct am_wage_import_stats *a,
			       const struct am_wage_import_stats *b)
{
	assert_int_equal(a->files, b->files);
	assert_int_equal(a->lists_read, b->lists_read);
	assert_int_equal(a->lists_accepted, b->lists_accepted);
	assert_int_equal(a->lists_posted, b->lists_posted);
	assert_int_equal(a->lists_unchanged, b->lists_unchanged);
	assert_int_equal(a->lists_amended, b->lists_amended);
	assert_int_equal(a->lists_refused, b->lists_refused);
	assert_int_equal(a->lines, b->lines);
	assert_int_equal(a->lines_posted, b->lines_posted);
	assert_int_equal(a->persons_registered, b->persons_registered);
	assert_int_equal(a->workshops_registered, b->workshops_registered);
}

static void assert_diags_equal(const struct am_diags *a,
			       const struct am_diags *b)
{
	assert_int_equal(a->nr, b->nr);
	assert_int_equal(a->dropped, b->dropped);
	for (size_t i = 0; i < a->nr; i++) {
		assert_int_equal(a->items[i].code, b->items[i].code);
		assert_int_equal(a->items[i].line, b->items[i].line);
		assert_string_equal(a->items[i].file, b->items[i].file);
		assert_string_equal(a->items[i].field, b->items[i].field);
		assert_string_equal(a->items[i].value, b->items[i].value);
		assert_string_equal(a->items[i].expected, b->items[i].expected);
	}
}

/* Which list of the mix a row is in. */
static size_t list_of(const struct mix *m, unsigned row)
{
	size_t i = 0;

	while (i + 1 < m->n && m->first_row[i + 1] <= row)
		i++;
	return i;
}

static void test_two_threads_as_one(void **state)
{
	char *dir = tmpdir();
	char month[1024], mixed[1024];
	const char *db = testdb_new("pipe.db");
	struct am_wage_import_stats st[2];
	struct am_diags ds[2];
	struct am_store *s[2];
	struct mix m;
	size_t conflicts = 0, last = 0;

	(void)state;
	/* More workshops than are looked up one by one before the
	 * registry's are read in one scan. */
	generate(dir, 60000);
	snprintf(month, sizeof(month), "%s/wages/1403-07.csv", dir);
	snprintf(mixed, sizeof(mixed), "%s/mixed.csv", dir);
	write_mix(month, mixed, &m);
	/* More lists than the queue holds, so the reader waits on it, and
	 * than the workshops probed before the scan. */
	assert_true(m.n > 4096);
	s[0] = open_store(db, dir);
	s[1] = open_store(":memory:", dir);
	for (int k = 0; k < 2; k++) {
		am_diags_init(&ds[k], 0);
		assert_int_equal(import(s[k], month, 0, &st[k], &ds[k]), 0);
		assert_int_equal(ds[k].nr, 0);
		assert_int_equal(st[k].lists_posted, m.n);
		am_diags_release(&ds[k]);
	}
	/* Small batches: many commits while the reader goes on. */
	for (int k = 0; k < 2; k++) {
		am_diags_init(&ds[k], 0);
		assert_int_equal(import(s[k], mixed, 997, &st[k], &ds[k]), 0);
	}
	assert_stats_equal(&st[0], &st[1]);
	assert_diags_equal(&ds[0], &ds[1]);
	/* Where the time went: a writer of its own, with s[0]; the reader
	 * writes itself with s[1], and a writer's figures are then 0. */
	assert_true(st[0].reader_cpu > 0 && st[0].writer_cpu > 0);
	assert_true(st[0].reader_waited >= 0 && st[0].writer_waited >= 0);
	assert_true(st[1].reader_cpu > 0 && st[1].compact > 0);
	assert_true(st[1].writer_cpu == 0 && st[1].writer_waited == 0 &&
		    st[1].reader_waited == 0);
	/* The index compacted, and the commits copied into the database on
	 * a thread of their own, with s[0] only: SQLite's segments and
	 * write-ahead log (s[0] on PostgreSQL has neither). */
	if (!testdb_is_pg()) {
		assert_true(st[0].compact > 0);
		assert_true(st[0].checkpoints > 0 &&
			    st[0].checkpoint_waited >= 0);
	}
	assert_true(st[1].checkpoints == 0 && st[1].checkpoint_waited == 0);
	assert_int_equal(st[0].lists_read, m.n);
	assert_int_equal(st[0].lists_posted, m.fresh);
	assert_int_equal(st[0].lists_unchanged, m.same);
	assert_int_equal(st[0].lists_accepted, m.fresh + m.same);
	assert_int_equal(st[0].lists_refused, m.conflicts + m.bad + m.unknown);
	assert_true(m.conflicts > 100 && m.bad > 100 && m.unknown > 100);
	/* In input order: each diagnostic's list is never before the one
	 * of the diagnostic before it, the writer's conflicts among the
	 * reader's refusals. */
	for (size_t i = 0; i < ds[0].nr; i++) {
		size_t at = list_of(&m, ds[0].items[i].line);

		assert_true(at >= last);
		last = at;
		if (ds[0].items[i].code == AM_EWAGE_LIST_CONFLICT) {
			assert_int_equal(at % 5, 0);
			assert_int_equal(ds[0].items[i].line, m.first_row[at]);
			conflicts++;
		}
	}
	assert_int_equal(conflicts, m.conflicts);
	assert_int_equal(ds[0].dropped, 0);
	for (int k = 0; k < 2; k++) {
		am_diags_release(&ds[k]);
		am_store_close(s[k]);
	}
	testdb_drop(db);
	rm_rf(dir);
	free(dir);
}

/* A cap on the diagnostics kept: the merge keeps the first ones of the
 * whole sequence, as one thread would, and counts the rest. */
static void test_capped_diagnostics(void **state)
{
	char *dir = tmpdir();
	char month[1024], mixed[1024];
	const char *db = testdb_new("capped.db");
	struct am_wage_import_stats st[2];
	struct am_diags ds[2];
	struct am_store *s[2];
	struct mix m;

	(void)state;
	generate(dir, 3000);
	snprintf(month, sizeof(month), "%s/wages/1403-07.csv", dir);
	snprintf(mixed, sizeof(mixed), "%s/mixed.csv", dir);
	write_mix(month, mixed, &m);
	s[0] = open_store(db, dir);
	s[1] = open_store(":memory:", dir);
	for (int k = 0; k < 2; k++) {
		am_diags_init(&ds[k], 0);
		assert_int_equal(import(s[k], month, 0, &st[k], &ds[k]), 0);
		am_diags_release(&ds[k]);
		am_diags_init(&ds[k], 25);
		assert_int_equal(import(s[k], mixed, 0, &st[k], &ds[k]), 0);
	}
	assert_int_equal(ds[0].nr, 25);
	assert_true(ds[0].dropped > 0);
	assert_diags_equal(&ds[0], &ds[1]);
	assert_stats_equal(&st[0], &st[1]);
	for (int k = 0; k < 2; k++) {
		am_diags_release(&ds[k]);
		am_store_close(s[k]);
	}
	testdb_drop(db);
	rm_rf(dir);
	free(dir);
}

/* The reader's handle: none for an in-memory database; on a file, a
 * snapshot that does not hold the writer up and sees its commits once
 * begun again; no writes. */
static void test_open_reader(void **state)
{
	const char *db = testdb_new("reader.db");
	struct am_store *s, *r;
	struct am_workshop w, got;
	struct am_arena a;

	(void)state;
	assert_int_equal(am_store_open(":memory:", &s), 0);
	assert_int_equal(am_store_open_reader(s, &r), AM_ENOT_FOUND);
	assert_null(r);
	assert_string_equal(am_store_errmsg(s), "");
	am_store_close(s);

	/* A SQLite file or a PostgreSQL schema. */
	assert_int_equal(am_store_open(db, &s), 0);
	/* No schema yet. */
	assert_int_equal(am_store_open_reader(s, &r),
			 AM_ESTORE_NOT_INITIALISED);
	assert_null(r);
	assert_int_equal(am_store_migrate(s, NULL, NULL), 0);
	assert_int_equal(am_store_open_reader(s, &r), 0);
	assert_non_null(r);

	am_arena_init(&a, 0);
	memset(&w, 0, sizeof(w));
	w.code = "1000000001";
	w.name = "کارگاه یک";
	assert_int_equal(am_store_begin(r), 0);
	assert_int_equal(am_store_workshop_get(r, "1000000001", &a, &got),
			 AM_ENOT_FOUND);
	/* The writer writes and commits while the snapshot is open. */
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	assert_int_equal(am_store_commit(s), 0);
	assert_int_equal(am_store_workshop_get(r, "1000000001", &a, &got),
			 AM_ENOT_FOUND);
	assert_int_equal(am_store_rollback(r), 0);
	assert_int_equal(am_store_begin(r), 0);
	assert_int_equal(am_store_workshop_get(r, "1000000001", &a, &got), 0);
	assert_string_equal(got.name, "کارگاه یک");
	assert_int_equal(am_store_rollback(r), 0);
	/* Read only. */
	w.code = "1000000002";
	assert_int_not_equal(am_store_workshop_put(r, &w), 0);
	am_arena_release(&a);
	am_store_close(r);
	am_store_close(s);
	testdb_drop(db);
}

/* A registry that knows every other person of the generated one. */
static void halve_persons(const char *dir)
{
	char cmd[2200];

	snprintf(cmd, sizeof(cmd),
		 "awk 'NR == 1 || NR %% 2' '%s/registry/persons.csv' > "
		 "'%s/half.csv' && mv '%s/half.csv' '%s/registry/persons.csv'",
		 dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
}

static long long persons_in(const char *db)
{
	return testdb_int(db, "SELECT count(*) FROM persons");
}

/* The registered persons held in memory from the first line on, or never:
 * the same persons registered from the lines, two threads or one. */
static void test_person_set_as_without(void **state)
{
	static const size_t after[3] = { 1, SIZE_MAX, 1 };
	char *dir = tmpdir();
	char month[1024], name[16];
	const char *db[3];
	struct am_wage_import_stats st[3];
	struct am_diags ds;
	struct am_store *s;

	(void)state;
	generate(dir, 5000);
	halve_persons(dir);
	snprintf(month, sizeof(month), "%s/wages/1403-07.csv", dir);
	for (int k = 0; k < 3; k++) {
		char *paths[1] = { month };
		struct am_wage_import_opts o;

		snprintf(name, sizeof(name), "set%d.db", k);
		db[k] = testdb_new(name);
		s = open_store(k == 2 ? ":memory:" : db[k], dir);
		memset(&o, 0, sizeof(o));
		o.person_set_lines = after[k];
		o.person_set_persons = 1;
		/* Several transactions: what one registers, the next
		 * finds in the set. */
		o.batch_lines = 1500;
		memset(&st[k], 0, sizeof(st[k]));
		am_diags_init(&ds, 0);
		assert_int_equal(
			am_import_wages(s, rules, paths, 1, &o, &st[k], &ds),
			0);
		assert_int_equal(ds.nr, 0);
		am_diags_release(&ds);
		am_store_close(s);
	}
	assert_true(st[0].persons_registered > 1000);
	assert_stats_equal(&st[0], &st[1]);
	assert_stats_equal(&st[0], &st[2]);
	assert_int_equal(persons_in(db[0]), persons_in(db[1]));
	testdb_drop(db[0]);
	testdb_drop(db[1]);
	rm_rf(dir);
	free(dir);
}

/* The workshops' rows as one text. */
static char *workshops_text(const char *db)
{
	return testdb_text(
		db,
		TESTDB_SQL("SELECT group_concat(r, ';') FROM (SELECT code "
			   "|| '|' || name || '|' || coalesce(address, '') "
			   "AS r FROM workshops ORDER BY code)",
			   "SELECT string_agg(code || '|' || name || '|' || "
			   "coalesce(address, ''), ';' ORDER BY code) FROM "
			   "workshops"));
}

/* The persons and workshops registered before the lists (the pass ahead)
 * or as they are posted: the same rows, counts and diagnostics. The mix
 * first, into a registry with half the persons: its bad lists' persons
 * are registered by neither, its unknown workshop by both; then the
 * month: the lists the mix spoilt now posted, those it shortened refused
 * as conflicts, their last line's person with them. */
static void test_ahead_as_without(void **state)
{
	static const enum am_ahead mode[2] = { AM_AHEAD_ALWAYS,
					       AM_AHEAD_NEVER };
	char *dir = tmpdir();
	char month[1024], mixed[1024], name[16];
	const char *db[2];
	struct am_wage_import_stats st[2][2];
	struct am_diags ds[2][2];
	char *text[2][2];
	struct mix m;

	(void)state;
	generate(dir, 5000);
	halve_persons(dir);
	snprintf(month, sizeof(month), "%s/wages/1403-07.csv", dir);
	snprintf(mixed, sizeof(mixed), "%s/mixed.csv", dir);
	write_mix(month, mixed, &m);
	for (int k = 0; k < 2; k++) {
		const char *files[2] = { mixed, month };
		struct am_store *s;

		snprintf(name, sizeof(name), "ahead%d.db", k);
		db[k] = testdb_new(name);
		s = open_store(db[k], dir);
		for (int f = 0; f < 2; f++) {
			char *paths[1] = { (char *)files[f] };
			struct am_wage_import_opts o;

			memset(&o, 0, sizeof(o));
			o.ahead = mode[k];
			o.register_workshops = f == 0;
			/* Several transactions each way. */
			o.batch_lines = 700;
			memset(&st[k][f], 0, sizeof(st[k][f]));
			am_diags_init(&ds[k][f], 0);
			assert_int_equal(am_import_wages(s, rules, paths, 1, &o,
							 &st[k][f], &ds[k][f]),
					 0);
		}
		am_store_close(s);
		text[k][0] = testdb_persons(db[k]);
		text[k][1] = workshops_text(db[k]);
	}
	for (int f = 0; f < 2; f++) {
		assert_stats_equal(&st[0][f], &st[1][f]);
		assert_diags_equal(&ds[0][f], &ds[1][f]);
		assert_int_equal(st[1][f].persons_ahead, 0);
		assert_int_equal(st[1][f].workshops_ahead, 0);
	}
	/* The mix registered persons (half the registry is missing) and
	 * its unknown workshop ahead; the month those of the lists the mix
	 * spoilt, all ahead too. */
	assert_true(st[0][0].persons_ahead > 1000);
	assert_int_equal(st[0][0].persons_ahead, st[0][0].persons_registered);
	assert_int_equal(st[0][0].workshops_ahead, 1);
	assert_int_equal(st[0][0].workshops_registered, 1);
	assert_true(st[0][0].lists_refused >= m.bad);
	assert_true(st[0][1].persons_registered > 0);
	assert_int_equal(st[0][1].persons_ahead, st[0][1].persons_registered);
	assert_true(st[0][1].lists_refused >= m.conflicts);
	assert_string_equal(text[0][0], text[1][0]);
	assert_string_equal(text[0][1], text[1][1]);
	/* Their audit entries: each batch of the pass ahead. */
	assert_true(testdb_int(db[0], "SELECT count(*) FROM audit WHERE "
				      "action = 'persons.register'") >= 2);
	assert_int_equal(testdb_int(db[0], "SELECT count(*) FROM audit WHERE "
					   "action = 'workshops.register'"),
			 1);
	assert_int_equal(testdb_int(db[1], "SELECT count(*) FROM audit WHERE "
					   "action LIKE '%.register'"),
			 0);
	for (int k = 0; k < 2; k++) {
		for (int f = 0; f < 2; f++) {
			am_diags_release(&ds[k][f]);
			free(text[k][f]);
		}
		testdb_drop(db[k]);
	}
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_as_one),
		cmocka_unit_test(test_capped_diagnostics),
		cmocka_unit_test(test_open_reader),
		cmocka_unit_test(test_person_set_as_without),
		cmocka_unit_test(test_ahead_as_without),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
