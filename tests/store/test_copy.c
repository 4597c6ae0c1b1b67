/* Moving a whole database (am_store_copy(), "amanat db copy"): a store
 * with a registry, lists (one amended, one with nothing to assess),
 * payments, migrated months, idempotency keys and audit entries, copied
 * and copied back, gives the same views; a target with rows is refused;
 * a fault at every call of either side, and a copy that does not match,
 * leave the target empty. The sources and the copies back are SQLite
 * files; the copies between them are on the run's backend (tests/testdb.h),
 * so that with $AMANAT_TEST_PG the tests copy SQLite into PostgreSQL and
 * back. */
#include <dirent.h>
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

#include "amanat/amanat.h"
#include "amanat/assess.h"
#include "store/store_int.h"
#include "testdb.h"
#include "testlist.h"

#define INJECTED AM_EIO
#define W1 "1234567890" /* an ordinary workshop */
#define W2 "2222222222" /* a small exempt one */
#define RULES "ir-test-rules"
#define CLOCK 1700000000 /* 2023-11-14 */

/* The persons of the tests: three registered, one known from lines and
 * a migrated month only. */
static const char *const codes[] = { "0012345679", "0499370899", "0650451252",
				     "0790419904" };

static char dir[64];

static const char *db_path(const char *name)
{
	static char path[4][128];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/amanat-copy-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	(void)state;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

static void drop_db(const char *path)
{
	char p[256];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* A SQLite file's path, or the URI of a database on the run's backend:
 * a plain connection's answers. */
static long long raw_int(const char *uri, const char *sql)
{
	return testdb_int(uri, sql);
}

static void raw_exec(const char *uri, const char *sql)
{
	assert_int_equal(testdb_exec(uri, sql), TESTDB_OK);
}

static struct am_store *open_migrated(const char *uri)
{
	struct am_store *s;

	if (am_store_open(uri, &s) != 0)
		fail_msg("%s: %s", uri, am_store_errmsg(NULL));
	assert_int_equal(am_store_migrate(s, NULL, NULL), 0);
	s->clock = CLOCK;
	return s;
}

/* A new SQLite file with the schema and nothing else. */
static struct am_store *open_empty(const char *path)
{
	drop_db(path);
	return open_migrated(path);
}

/* A new database on the run's backend, the same; *uri its URI. */
static struct am_store *open_target(const char *name, const char **uri)
{
	*uri = testdb_new(name);
	return open_migrated(*uri);
}

/* Every table a copy writes is empty, the backend's own among them
 * (SQLite's side tables and the ledger's sequence where a new database
 * has it; PostgreSQL's index: its sequences are not transactional, and a
 * rolled-back load may leave them moved). */
static void assert_empty(const char *uri)
{
	static const char *const sqlite_own[] = { "person_index",
						  "index_segments",
						  "person_codes",
						  "workshop_keys" };
	static const char *const pg_own[] = { "person_index",
					      "index_segments" };
	bool pg = !strncmp(uri, "pg:", 3);
	const char *const *own = pg ? pg_own : sqlite_own;
	size_t nown = pg ? 2 : sizeof(sqlite_own) / sizeof(sqlite_own[0]);
	const char *names[AM_COPY_TABLES_MAX + 4];
	size_t n = 0, at = 0;
	char sql[2048];

	for (size_t i = 0; i < am__tables_nr; i++)
		names[n++] = am__tables[i].name;
	for (size_t i = 0; i < nown; i++)
		names[n++] = own[i];
	/* One query (a connection each: PostgreSQL's are slow to make). */
	at = (size_t)snprintf(sql, sizeof(sql), "SELECT 0");
	for (size_t i = 0; i < n && at < sizeof(sql); i++)
		at += (size_t)snprintf(sql + at, sizeof(sql) - at,
				       " + (SELECT count(*) FROM %s)",
				       names[i]);
	assert_true(at < sizeof(sql));
	if (raw_int(uri, sql)) {
		for (size_t i = 0; i < n; i++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
				 names[i]);
			if (raw_int(uri, sql))
				fail_msg("table %s is not empty", names[i]);
		}
	}
	if (!pg)
		assert_int_equal(raw_int(uri, "SELECT next FROM sequences"
					      " WHERE name = 'ledger'"),
				 1);
}

/* The by-person index's entries, as each backend's segments count them. */
static long long index_entries(const char *uri)
{
	return raw_int(uri, "SELECT coalesce(sum(entries), 0)"
			    " FROM index_segments");
}

/*
 * The source.
 */

/* The session of the batch make_source() has open, if any. */
static struct am_post_session *batch;

static void post(struct am_store *s, struct test_list *t, bool amend,
		 int expect)
{
	struct am_post_session *ps = batch;
	am_date due;
	int outcome = -1;

	if (!batch)
		assert_int_equal(am_post_session_new(s, &ps), 0);

	assert_int_equal(am_jalali_to_date(1403, 8, 30, &due), 0);
	assert_int_equal(am_post_list(ps, &t->l, t->a, due,
				      strcmp(t->l.workshop, W2) == 0, RULES,
				      amend, &outcome),
			 0);
	assert_int_equal(outcome, expect);
	if (!batch)
		am_post_session_free(ps);
}

static void registry(struct am_store *s)
{
	struct am_employer e = {
		.id = "0067749828",
		.kind = AM_EMPLOYER_PERSON,
		.name = "حسن احمدی",
		.phone = "02188888888",
	};
	struct am_workshop w = {
		.code = W1,
		.name = "کارگاه نمونه",
		.employer_id = "0067749828",
		.province = "تهران",
		.hard_harmful = true,
	};
	struct am_person p = {
		.first_name = "علی",
		.last_name = "رضایی",
		.sex = 'M',
		.nationality = "IRN",
		.birth_date = AM_STORE_DATE_NONE,
	};
	struct am_dependant d = {
		.main_insured = codes[0],
		.dependant = codes[1],
		.relation = AM_RELATION_SPOUSE,
		.since = 18000,
		.until = AM_DATE_NONE,
	};

	assert_int_equal(am_store_employer_put(s, &e), 0);
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	w.code = W2;
	w.hard_harmful = false;
	w.small_exempt = true;
	w.employer_id = NULL; /* registered from a list's header */
	assert_int_equal(am_store_workshop_put(s, &w), 0);
	for (size_t i = 0; i < 3; i++) {
		p.national_code = codes[i];
		p.sex = i == 1 ? 'F' : 'M';
		p.insurance_no = i == 1 ? "12345678" : NULL;
		p.father_name = i == 2 ? "محمد" : NULL;
		assert_int_equal(am_store_person_put(s, &p), 0);
	}
	assert_int_equal(am_store_dependant_put(s, &d), 0);
	assert_int_equal(am_store_meta_set(s, "rules.identity", RULES), 0);
}

/* Lists over three periods, two batches for 1403/07 (two index segments
 * before the compaction), an amendment, payments, migrated months and an
 * idempotency key. The last ledger id goes to a list with nothing to
 * assess, which writes no ledger row: a copy's sequence must pass it. */
static struct am_store *make_source(const char *path)
{
	struct am_store *s = open_empty(path);
	struct am_payment pay = {
		.reference = "BANK-0001",
		.workshop = W1,
		.period = { 1403, 7 },
		.amount = 50000000,
	};
	struct am_history_row m = {
		.national_code = codes[3],
		.period = { 1402, 12 },
		.workshop = W1,
		.days = 29,
		.subject_wage = 58000000,
		.hard_harmful_days = 0,
	};
	uint8_t hash[AM_IDEM_HASH_SIZE];
	struct test_list t;
	bool already = true;
	int outcome = -1;

	registry(s);
	assert_int_equal(am_post_session_new(s, &batch), 0);
	/* One transaction: W1 and W2 in 1403/07, an idempotency key. */
	memset(hash, 0x42, sizeof(hash));
	assert_int_equal(am_post_begin(batch), 0);
	assert_int_equal(
		am_store_idem_claim(s, "import:1403-07", hash, &already), 0);
	assert_false(already);
	list_init(&t, W1, 1403, 7, "01", 0x11);
	list_add(&t, codes[0], 30, 3000000, false, false);
	list_add(&t, codes[1], 20, 4000000, true, false);
	list_add(&t, codes[2], 30, 2500000, false, false);
	post(s, &t, false, AM_POST_POSTED);
	list_init(&t, W2, 1403, 7, "01", 0x12);
	list_add(&t, codes[1], 10, 2000000, false, true);
	post(s, &t, false, AM_POST_POSTED);
	assert_int_equal(am_post_commit(batch), 0);
	assert_int_equal(
		am_store_idem_set_result(s, "import:1403-07", "{\"lists\":2}"),
		0);
	/* Another batch of 1403/07, then W1's list amended. */
	list_init(&t, W1, 1403, 7, "02", 0x13);
	list_add(&t, codes[3], 31, 2000000, false, false);
	post(s, &t, false, AM_POST_POSTED);
	list_init(&t, W1, 1403, 7, "01", 0x21);
	list_add(&t, codes[0], 30, 3100000, false, false);
	list_add(&t, codes[2], 25, 2500000, false, false);
	post(s, &t, true, AM_POST_AMENDED);
	/* 1403/08, and a payment for 1403/07. */
	list_init(&t, W1, 1403, 8, "01", 0x31);
	list_add(&t, codes[0], 30, 3100000, false, false);
	list_add(&t, codes[3], 30, 2000000, true, false);
	post(s, &t, false, AM_POST_POSTED);
	assert_int_equal(am_jalali_to_date(1403, 8, 10, &pay.paid_on), 0);
	assert_int_equal(am_post_payment(s, &pay, &outcome), 0);
	/* Migrated months. */
	assert_int_equal(am_post_history_row(s, &m, &outcome), 0);
	m.national_code = codes[0];
	m.period.month = 11;
	m.days = 30;
	assert_int_equal(am_post_history_row(s, &m, &outcome), 0);
	assert_int_equal(am_store_audit_append(s, "history.import", "test",
					       "{\"rows\":2}", NULL),
			 0);
	/* Nothing to assess: an id, no ledger row. */
	list_init(&t, W1, 1403, 9, "01", 0x41);
	list_add(&t, codes[2], 0, 0, false, false);
	post(s, &t, false, AM_POST_POSTED);
	am_post_session_free(batch);
	batch = NULL;
	assert_int_equal(am_store_compact(s, NULL), 0);
	assert_true(raw_int(path, "SELECT max(txn) FROM wage_lists") >
		    raw_int(path, "SELECT max(id) FROM ledger"));
	return s;
}

/*
 * The views of two stores, compared.
 */

static void assert_history_equal(struct am_store *a, struct am_store *b,
				 const char *code)
{
	struct am_history x, y;
	struct am_arena ar;
	int ex, ey;

	am_arena_init(&ar, 0);
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	ex = am_history_read(a, code, &ar, &x);
	ey = am_history_read(b, code, &ar, &y);
	assert_int_equal(ex, ey);
	assert_int_equal(x.credited_days, y.credited_days);
	assert_int_equal(x.credited_months, y.credited_months);
	assert_int_equal(x.nmonths, y.nmonths);
	for (size_t i = 0; i < x.nmonths; i++) {
		const struct am_history_month *m = &x.months[i],
					      *n = &y.months[i];

		assert_int_equal(m->period.year, n->period.year);
		assert_int_equal(m->period.month, n->period.month);
		assert_string_equal(m->workshop, n->workshop);
		assert_string_equal(m->list_no, n->list_no);
		assert_int_equal(m->days, n->days);
		assert_int_equal(m->subject_wage, n->subject_wage);
		assert_int_equal(m->base, n->base);
		assert_int_equal(m->insured, n->insured);
		assert_int_equal(m->employer, n->employer);
		assert_int_equal(m->state, n->state);
		assert_int_equal(m->unemployment, n->unemployment);
		assert_int_equal(m->hard_harmful, n->hard_harmful);
		assert_int_equal(m->hard_harmful_days, n->hard_harmful_days);
		assert_int_equal(m->migrated, n->migrated);
	}
	am_arena_release(&ar);
}

static void assert_worker_equal(struct am_store *a, struct am_store *b,
				const char *code, int year, int month)
{
	struct am_worker_report *x = NULL, *y = NULL;
	struct am_period p = { year, month };
	struct am_arena ar;
	size_t nx = 0, ny = 0;

	am_arena_init(&ar, 0);
	assert_int_equal(am_worker_statement_read(a, code, p, &ar, &nx, &x),
			 am_worker_statement_read(b, code, p, &ar, &ny, &y));
	assert_int_equal(nx, ny);
	for (size_t i = 0; i < nx; i++) {
		assert_string_equal(x[i].workshop, y[i].workshop);
		assert_string_equal(x[i].list_no, y[i].list_no);
		assert_int_equal(x[i].days, y[i].days);
		assert_int_equal(x[i].total_pay, y[i].total_pay);
		assert_int_equal(x[i].subject_wage, y[i].subject_wage);
		assert_string_equal(x[i].occupation, y[i].occupation);
		assert_int_equal(x[i].migrated, y[i].migrated);
	}
	am_arena_release(&ar);
}

static void assert_statement_equal(struct am_store *a, struct am_store *b,
				   const char *workshop)
{
	struct am_employer_statement x, y;
	struct am_arena ar;

	am_arena_init(&ar, 0);
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	assert_int_equal(am_employer_statement_read(a, workshop, &ar, &x), 0);
	assert_int_equal(am_employer_statement_read(b, workshop, &ar, &y), 0);
	assert_int_equal(x.nentries, y.nentries);
	assert_int_equal(x.balance, y.balance);
	assert_int_equal(x.assessed, y.assessed);
	assert_int_equal(x.paid, y.paid);
	assert_int_equal(x.penalties, y.penalties);
	for (size_t i = 0; i < x.nentries; i++) {
		const struct am_ledger_entry *m = &x.entries[i],
					     *n = &y.entries[i];

		assert_int_equal(m->id, n->id);
		assert_string_equal(m->kind, n->kind);
		assert_int_equal(m->debit, n->debit);
		assert_int_equal(m->credit, n->credit);
		assert_int_equal(m->due_date, n->due_date);
		assert_int_equal(m->value_date, n->value_date);
		assert_int_equal(m->list_id, n->list_id);
		assert_int_equal(m->posted_at, n->posted_at);
		assert_int_equal(!m->reference, !n->reference);
		if (m->reference && n->reference)
			assert_string_equal(m->reference, n->reference);
	}
	am_arena_release(&ar);
}

static void assert_views_equal(struct am_store *a, struct am_store *b)
{
	struct am_audit_verify_result x, y;
	int64_t dx, cx, dy, cy;
	bool bx = false, by = false;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_history_equal(a, b, codes[i]);
		for (int month = 7; month <= 9; month++)
			assert_worker_equal(a, b, codes[i], 1403, month);
	}
	assert_statement_equal(a, b, W1);
	assert_statement_equal(a, b, W2);
	assert_int_equal(am_ledger_check(a, &bx, &dx, &cx), 0);
	assert_int_equal(am_ledger_check(b, &by, &dy, &cy), 0);
	assert_true(bx && by);
	assert_int_equal(dx, dy);
	assert_int_equal(cx, cy);
	assert_int_equal(am_store_audit_verify(a, &x), 0);
	assert_int_equal(am_store_audit_verify(b, &y), 0);
	assert_int_equal(x.count, y.count);
	assert_memory_equal(x.head, y.head, sizeof(x.head));
}

/* A table's rows in the report (-1 when it is not there). */
static int64_t rows_of(const struct am_copy_report *r, const char *name)
{
	for (size_t i = 0; i < r->ntables; i++)
		if (!strcmp(r->tables[i].name, name))
			return r->tables[i].rows;
	return -1;
}

/* Progress: stages in order, each finished once. */
struct seen {
	int calls, finished;
	bool saw_copy, saw_verify, saw_histories;
	uint64_t histories;
};

static void on_progress(void *ctx, const struct am_copy_progress *p)
{
	struct seen *s = ctx;

	s->calls++;
	s->finished += p->finished;
	s->saw_copy = s->saw_copy || !strcmp(p->stage, "copy");
	s->saw_verify = s->saw_verify || !strcmp(p->stage, "verify");
	if (!strcmp(p->stage, "histories")) {
		s->saw_histories = true;
		s->histories = p->done;
	}
	assert_true(!p->total || p->done <= p->total);
}

/* Names a plain connection returns, one a row. */
struct names {
	char v[64][64];
	size_t n;
};

static void name_row(void *ctx, const char *const *cols, int ncols)
{
	struct names *g = ctx;

	assert_true(ncols == 1 && cols[0] && g->n < 64);
	snprintf(g->v[g->n++], sizeof(g->v[0]), "%s", cols[0]);
}

/* The logical tables of the database at uri are its schema's, column for
 * column in its order, and every other table is one of the backend's own
 * access paths: a migration that adds a column or a table must add it to
 * am__tables (src/store/copy.c), or the copy would leave it out. */
static void assert_tables_are_the_schema(const char *uri)
{
	static const char *const own[] = { "person_index", "index_segments",
					   "person_codes", "workshop_keys",
					   "sequences",	   "schema_migrations",
					   "write_lock" };
	bool pg = !strncmp(uri, "pg:", 3);
	struct names tables = { .n = 0 };
	size_t logical = 0;
	char sql[256];

	for (size_t i = 0; i < am__tables_nr; i++) {
		const struct am__table *t = &am__tables[i];
		struct names cols = { .n = 0 };

		if (pg)
			snprintf(sql, sizeof(sql),
				 "SELECT column_name FROM"
				 " information_schema.columns"
				 " WHERE table_schema = current_schema()"
				 " AND table_name = '%s'"
				 " ORDER BY ordinal_position",
				 t->name);
		else
			snprintf(sql, sizeof(sql),
				 "SELECT name FROM pragma_table_info('%s')"
				 " ORDER BY cid",
				 t->name);
		testdb_each(uri, sql, name_row, &cols);
		if (cols.n != t->ncols)
			fail_msg("%s: table %s has %zu columns, am__tables %zu",
				 uri, t->name, cols.n, t->ncols);
		for (size_t c = 0; c < cols.n; c++)
			assert_string_equal(cols.v[c], t->cols[c]);
	}
	testdb_each(uri,
		    pg ? "SELECT table_name FROM information_schema.tables"
			 " WHERE table_schema = current_schema()"
		       : "SELECT name FROM sqlite_master WHERE type = 'table'",
		    name_row, &tables);
	for (size_t k = 0; k < tables.n; k++) {
		bool known = false;

		for (size_t i = 0; i < am__tables_nr; i++)
			known = known ||
				!strcmp(tables.v[k], am__tables[i].name);
		logical += known;
		for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
			known = known || !strcmp(tables.v[k], own[i]);
		if (!known)
			fail_msg("%s: table %s is neither logical nor the "
				 "backend's own",
				 uri, tables.v[k]);
	}
	assert_int_equal(logical, am__tables_nr);
}

static void test_tables_are_the_schema(void **state)
{
	const char *path = db_path("schema.db"), *uri;

	(void)state;
	am_store_close(open_empty(path));
	assert_tables_are_the_schema(path);
	drop_db(path);
	am_store_close(open_target("schema", &uri));
	assert_tables_are_the_schema(uri);
}

static void test_copy_equal(void **state)
{
	const char *src = db_path("src.db"), *dst;
	struct am_store *s = make_source(src), *t = open_target("dst", &dst);
	struct seen seen = { 0 };
	struct am_copy_opts opts = { on_progress, &seen };
	struct am_copy_report r;
	struct test_list l;

	(void)state;
	assert_int_equal(am_store_copy(s, t, &opts, &r), 0);
	assert_true(r.verified);
	assert_int_equal(r.failed, AM_COPY_OK);
	assert_string_equal(am_store_errmsg(t), "");
	assert_int_equal(r.ntables, am__tables_nr);
	assert_int_equal(rows_of(&r, "persons"), 3);
	assert_int_equal(rows_of(&r, "workshops"), 2);
	assert_int_equal(rows_of(&r, "dependants"), 1);
	assert_int_equal(rows_of(&r, "wage_lists"), 6);
	assert_int_equal(rows_of(&r, "payments"), 1);
	assert_int_equal(rows_of(&r, "history_migrated"), 2);
	assert_int_equal(rows_of(&r, "idempotency"), 1);
	assert_int_equal(rows_of(&r, "audit"),
			 raw_int(src, "SELECT count(*) FROM audit"));
	/* Every line of every list, the superseded one's too. */
	assert_int_equal(r.lines_indexed, raw_int(src, "SELECT sum(lines)"
						       " FROM wage_lists"));
	assert_int_equal(r.histories, 4);
	assert_int_equal(r.audit_entries,
			 raw_int(src, "SELECT count(*) FROM audit"));
	assert_true(r.ledger_debit > 0 && r.ledger_debit == r.ledger_credit);
	assert_true(seen.saw_copy && seen.saw_verify && seen.saw_histories);
	assert_int_equal(seen.histories, 4);
	/* A finished call per table copied and verified, the index's merge,
	 * the histories. */
	assert_int_equal(seen.finished, 2 * (int)am__tables_nr + 2);
	assert_int_equal(index_entries(dst), r.lines_indexed);
	/* One segment a period after the merge. */
	assert_int_equal(raw_int(dst, "SELECT count(*) FROM index_segments"),
			 3);
	if (!testdb_is_pg()) {
		/* The side tables the posting reads, kept by the load; the
		 * sequence. */
		assert_int_equal(raw_int(dst, "SELECT count(*) FROM"
					      " person_codes"),
				 3);
		assert_int_equal(raw_int(dst, "SELECT count(*) FROM"
					      " workshop_keys"),
				 2);
		assert_int_equal(raw_int(dst, "SELECT next FROM sequences"),
				 raw_int(src, "SELECT next FROM sequences"));
	}
	/* The copy wrote no audit entry of its own. */
	assert_views_equal(s, t);

	/* Both go on alike: the same list posted on each takes the same
	 * ids (the sequence passed the last list's, which has no ledger
	 * row), a payment matches the same debt. */
	list_init(&l, W1, 1403, 9, "02", 0x51);
	list_add(&l, codes[1], 31, 2000000, false, false);
	post(s, &l, false, AM_POST_POSTED);
	post(t, &l, false, AM_POST_POSTED);
	assert_views_equal(s, t);
	am_store_close(s);
	am_store_close(t);
}

static void test_copy_back(void **state)
{
	const char *src = db_path("src.db"), *back = db_path("back.db"), *mid;
	struct am_store *s = make_source(src), *m = open_target("mid", &mid),
			*b;
	struct am_copy_report r1, r2;

	(void)state;
	assert_int_equal(am_store_copy(s, m, NULL, &r1), 0);
	am_store_close(m);
	/* From a read-only handle, as the command opens its source. */
	assert_int_equal(am_store_open_flags(mid, AM_STORE_OPEN_READONLY, &m),
			 0);
	b = open_empty(back);
	assert_int_equal(am_store_copy(m, b, NULL, &r2), 0);
	assert_int_equal(r1.ntables, r2.ntables);
	for (size_t i = 0; i < r1.ntables; i++) {
		assert_string_equal(r1.tables[i].name, r2.tables[i].name);
		assert_int_equal(r1.tables[i].rows, r2.tables[i].rows);
		assert_memory_equal(r1.tables[i].digest, r2.tables[i].digest,
				    sizeof(r1.tables[i].digest));
	}
	assert_int_equal(r1.lines_indexed, r2.lines_indexed);
	assert_views_equal(s, b);
	assert_views_equal(m, b);
	am_store_close(s);
	am_store_close(m);
	am_store_close(b);
}

static void test_target_not_empty(void **state)
{
	const char *src = db_path("src.db"), *dst;
	struct am_store *s = make_source(src), *t = open_target("dst", &dst);
	struct am_copy_report r;
	long long audit;

	(void)state;
	/* What "amanat init" leaves: a setting and its audit entry. */
	assert_int_equal(am_store_meta_set(t, "rules.identity", "x"), 0);
	audit = raw_int(dst, "SELECT count(*) FROM audit");
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_COPY_NOT_EMPTY);
	assert_false(r.verified);
	assert_int_equal(r.failed, AM_COPY_NOT_EMPTY);
	assert_string_equal(r.table, "meta");
	assert_non_null(strstr(am_store_errmsg(t), "meta"));
	assert_int_equal(raw_int(dst, "SELECT count(*) FROM persons"), 0);
	assert_int_equal(raw_int(dst, "SELECT count(*) FROM audit"), audit);
	assert_int_equal(raw_int(dst, "SELECT count(*) FROM meta"), 1);
	/* Both handles usable: no transaction left open. */
	assert_false(am_store_in_transaction(s));
	assert_false(am_store_in_transaction(t));
	assert_int_equal(am_store_meta_set(t, "k", "v"), 0);
	/* A full target is refused by its first table. */
	am_store_close(t);
	t = open_target("dst", &dst);
	assert_int_equal(am_store_copy(s, t, NULL, &r), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_COPY_NOT_EMPTY);
	assert_string_equal(r.table, "persons");
	assert_views_equal(s, t);
	am_store_close(s);
	am_store_close(t);
}

static void test_arguments(void **state)
{
	const char *src = db_path("src.db"), *dst = testdb_new("dst");
	struct am_store *s = make_source(src), *t;
	struct am_copy_report r;

	(void)state;
	assert_int_equal(am_store_copy(s, s, NULL, &r), AM_EINVALID_ARGUMENT);
	/* A target without the schema. */
	assert_int_equal(am_store_open(dst, &t), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_NOT_INITIALISED);
	assert_false(am_store_in_transaction(s));
	assert_int_equal(am_store_migrate(t, NULL, NULL), 0);
	/* A transaction open on either side. */
	assert_int_equal(am_store_begin(t), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_rollback(t), 0);
	assert_int_equal(am_store_begin(s), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r), AM_EINVALID_ARGUMENT);
	assert_int_equal(am_store_rollback(s), 0);
	assert_empty(dst);
	/* A source without the schema: its message, on the target. */
	am_store_close(s);
	drop_db(src);
	assert_int_equal(am_store_open(src, &s), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_NOT_INITIALISED);
	assert_non_null(strstr(am_store_errmsg(t), "the source"));
	am_store_close(s);
	am_store_close(t);
}

/* The copy's checks find a target that does not keep what it is given:
 * the rows (a trigger renames a person as it is loaded), or the index (a
 * trigger drops a period's entries). Each time the target is rolled
 * back. */
static void test_detects_difference(void **state)
{
	const char *src = db_path("src.db"), *dst;
	struct am_store *s = make_source(src), *t;
	struct am_copy_report r;

	(void)state;
	am_store_close(open_target("dst", &dst));
	raw_exec(dst,
		 TESTDB_SQL("CREATE TRIGGER spoil AFTER INSERT ON persons"
			    " WHEN NEW.national_code = '0650451252' BEGIN"
			    " UPDATE persons SET first_name = 'X'"
			    " WHERE national_code = NEW.national_code; END",
			    "CREATE FUNCTION spoil() RETURNS trigger"
			    " LANGUAGE plpgsql AS $$ BEGIN"
			    " UPDATE persons SET first_name = 'X'"
			    " WHERE national_code = NEW.national_code;"
			    " RETURN NULL; END $$;"
			    " CREATE TRIGGER spoil AFTER INSERT ON persons"
			    " FOR EACH ROW"
			    " WHEN (NEW.national_code = '0650451252')"
			    " EXECUTE FUNCTION spoil()"));
	assert_int_equal(am_store_open(dst, &t), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_COPY_MISMATCH);
	assert_int_equal(r.failed, AM_COPY_DIGEST);
	assert_string_equal(r.table, "persons");
	assert_false(r.verified);
	am_store_close(t);
	assert_empty(dst);

	raw_exec(dst,
		 TESTDB_SQL("DROP TRIGGER spoil;"
			    " CREATE TRIGGER spoil AFTER INSERT ON"
			    " index_segments WHEN NEW.period = 140308 BEGIN"
			    " DELETE FROM index_segments"
			    " WHERE period = NEW.period"
			    " AND segment = NEW.segment; END",
			    "DROP TRIGGER spoil ON persons;"
			    " CREATE OR REPLACE FUNCTION spoil()"
			    " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
			    " DELETE FROM index_segments"
			    " WHERE period = NEW.period"
			    " AND segment = NEW.segment;"
			    " RETURN NULL; END $$;"
			    " CREATE TRIGGER spoil AFTER INSERT ON"
			    " index_segments FOR EACH ROW"
			    " WHEN (NEW.period = 140308)"
			    " EXECUTE FUNCTION spoil()"));
	assert_int_equal(am_store_open(dst, &t), 0);
	assert_int_equal(am_store_copy(s, t, NULL, &r),
			 AM_ESTORE_COPY_MISMATCH);
	assert_int_equal(r.failed, AM_COPY_HISTORY);
	assert_null(r.table);
	/* The first person with a month of 1403/08. */
	assert_string_equal(r.subject, codes[0]);
	assert_non_null(strstr(am_store_errmsg(t), codes[0]));
	assert_true(strlen(am_copy_check_text(r.failed, true)) > 0);
	am_store_close(t);
	assert_empty(dst);
	am_store_close(s);
}

/*
 * Faults: every backend call of a copy, on the target's side and then on
 * the source's, failed in turn (count 1: that call alone; ULONG_MAX: it
 * and every call after it, the rollback's among them). Each time the
 * copy returns the injected error and the target is left empty; the
 * sweep ends at the first call number past the copy's last.
 */
static void fault_sweep(bool on_target, unsigned long count)
{
	const char *src = db_path("fsrc.db"), *dst = NULL;
	struct am_store *s = make_source(src);
	unsigned long k, last = 0;

	am_store_close(s);
	/* k 0 counts the calls of a copy that no fault stops. */
	for (k = 0;; k++) {
		struct am_store *inner, *from, *to;
		struct am_copy_report r;
		char msg[512];
		bool fired;
		int err;

		to = open_target("fdst", &dst);
		assert_int_equal(
			am_store_open_flags(src, AM_STORE_OPEN_READONLY, &from),
			0);
		inner = on_target ? to : from;
		assert_int_equal(am__store_fault_wrap(inner, k, count, INJECTED,
						      on_target ? &to : &from),
				 0);
		err = am_store_copy(from, to, NULL, &r);
		snprintf(msg, sizeof(msg), "%s", am_store_errmsg(to));
		fired = am__store_fault_fired(on_target ? to : from);
		if (!last)
			last = am__store_fault_calls(on_target ? to : from);
		am_store_close(from);
		am_store_close(to);
		if (!fired) {
			assert_int_equal(err, 0);
			assert_true(r.verified);
			if (k)
				break;
			continue;
		}
		/* The source's last call ends its read transaction, after
		 * the copy committed: nothing to undo there. */
		if (!err && !on_target && k == last) {
			assert_true(r.verified);
			continue;
		}
		/* The target's upkeep after the commit (PostgreSQL's VACUUM
		 * ANALYZE): its failure is told, the copy stands. */
		if (!err && on_target && r.after_load_failed) {
			assert_true(r.verified);
			assert_true(!strncmp(dst, "pg:", 3));
			assert_non_null(strstr(msg, "injected"));
			continue;
		}
		if (err != INJECTED)
			fail_msg("call %lu: %d, not the injected error", k,
				 err);
		assert_false(r.verified);
		assert_empty(dst);
	}
	/* Every call was failed once: on either side a walk of every
	 * table, and the histories' reads after them (63 calls on a SQLite
	 * target, 33 on the source). */
	assert_int_equal(k, last + 1);
	assert_true(last > am__tables_nr + 8);
	drop_db(src);
	testdb_drop(dst);
}

static void test_fault_target_each_call(void **state)
{
	(void)state;
	fault_sweep(true, 1);
}

static void test_fault_target_from_call_on(void **state)
{
	(void)state;
	fault_sweep(true, ULONG_MAX);
}

static void test_fault_source_each_call(void **state)
{
	(void)state;
	fault_sweep(false, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_are_the_schema),
		cmocka_unit_test(test_copy_equal),
		cmocka_unit_test(test_copy_back),
		cmocka_unit_test(test_target_not_empty),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_detects_difference),
		cmocka_unit_test(test_fault_target_each_call),
		cmocka_unit_test(test_fault_target_from_call_on),
		cmocka_unit_test(test_fault_source_each_call),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
