/* The SQLite backend's posting half: wage lists and lines, person totals,
 * migrated months, the journal, payments and the views that read them. */
#include "core/internal.h"

#include <sqlite3.h>

#include "amanat/wagelist.h"
#include "store/sqlite_int.h"

#define COLS                                                               \
	"period, national_code, list_id, workshop, row, days, daily_wage," \
	" monthly_wage, benefits, subject_wage, total_pay, base, insured," \
	" employer, state, unemployment, hard_harmful, hard_harmful_days," \
	" job_code, occupation, start_date, end_date"

enum wage_stmt {
	W_LIST_FIND,
	W_LIST_INSERT,
	W_LIST_LINK,
	W_LIST_MARK,
	W_LIST_SET_JOURNAL,
	W_TOTALS_SUBTRACT,
	W_LINE_INSERT,
	W_TOTALS_ADD,
	W_JOURNAL_NEXT,
	W_JOURNAL_INSERT,
	W_JOURNAL_READ,
	W_JOURNAL_SUM,
	W_JOURNAL_TOTALS,
	W_JOURNAL_UNBALANCED,
	W_ACCOUNT_DUE,
	W_HIST_INSERT,
	W_HIST_GET,
	W_PAY_FIND,
	W_PAY_INSERT,
	W_TOTALS_BOUNDS,
	W_MONTH_LINES,
	W_MONTH_MIGRATED,
	W_WORKER_LINES,
	W_ACCOUNT_READ,
	W_STAGED_PERSON,
	W_COMPACT_LINES,
	W_COMPACT_TOTALS,
	W_COMPACT_CLEAR,
	W_EXPORT_HEAD,
	W_EXPORT_LINES,
	W__COUNT
};

static const char *const wage_sql[W__COUNT] = {
	[W_LIST_FIND] = "SELECT id, hash, journal_txn, journal_n FROM wage_lists"
			" WHERE workshop = ?1 AND period = ?2 AND list_no = ?3"
			" AND status = 'posted'",
	[W_LIST_INSERT] =
		"INSERT INTO wage_lists (workshop, year, month, period, list_no,"
		" hash, status, source_file, lines, t_days, t_subject,"
		" t_insured, t_employer, t_state, t_unemployment,"
		" t_hard_harmful, rules_identity, due_date,"
		" state_pays_employer, journal_txn, journal_n, posted_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'posted', ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
	[W_LIST_LINK] = "UPDATE wage_lists SET superseded_by = ?2"
			" WHERE id = ?1 AND status = 'superseded'",
	[W_LIST_MARK] = "UPDATE wage_lists SET status = 'superseded'"
			" WHERE id = ?1 AND status = 'posted'",
	[W_LIST_SET_JOURNAL] = "UPDATE wage_lists SET journal_txn = ?2,"
			       " journal_n = ?3 WHERE id = ?1",
	/* Only a compacted list is in the totals. */
	[W_TOTALS_SUBTRACT] =
		"UPDATE person_totals SET days = person_totals.days - l.days,"
		" records = person_totals.records - 1,"
		" subject_wages = person_totals.subject_wages - l.base"
		" FROM (SELECT national_code, days, base"
		" FROM wage_lines_by_list WHERE list_id = ?1"
		" AND list_id <= (SELECT list_id FROM compaction)) AS l"
		" WHERE person_totals.national_code = l.national_code",
	[W_LINE_INSERT] =
		"INSERT OR ROLLBACK INTO wage_lines_by_list (period, national_code, list_id,"
		" workshop, row, days, daily_wage, monthly_wage, benefits,"
		" subject_wage, total_pay, base, insured, employer, state,"
		" unemployment, hard_harmful, hard_harmful_days, job_code,"
		" occupation, start_date, end_date)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
	[W_TOTALS_ADD] =
		"INSERT OR ROLLBACK INTO person_totals (national_code, days, records,"
		" subject_wages, first_period, last_period)"
		" VALUES (?1, ?2, 1, ?3, ?4, ?4)"
		" ON CONFLICT (national_code) DO UPDATE SET"
		" days = days + excluded.days, records = records + 1,"
		" subject_wages = subject_wages + excluded.subject_wages,"
		" first_period = min(first_period, excluded.first_period),"
		" last_period = max(last_period, excluded.last_period)",
	[W_JOURNAL_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM journal",
	[W_JOURNAL_INSERT] =
		"INSERT OR ROLLBACK INTO journal (id, txn, account, debit, credit, kind,"
		" period, workshop, list_id, payment_ref, due_date, value_date,"
		" posted_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13)",
	[W_JOURNAL_READ] = "SELECT account, debit, credit, period, list_id,"
			   " due_date, value_date FROM journal"
			   " WHERE id BETWEEN ?1 AND ?1 + ?2 - 1 AND txn = ?1"
			   " ORDER BY id",
	[W_JOURNAL_SUM] = "SELECT coalesce(sum(debit), 0),"
			  " coalesce(sum(credit), 0), count(*) FROM journal"
			  " WHERE id BETWEEN ?1 AND ?1 + ?2 - 1 AND txn = ?1",
	[W_JOURNAL_TOTALS] = "SELECT coalesce(sum(debit), 0),"
			     " coalesce(sum(credit), 0) FROM journal",
	[W_JOURNAL_UNBALANCED] =
		"SELECT count(*) FROM (SELECT txn FROM journal GROUP BY txn"
		" HAVING sum(debit) <> sum(credit))",
	[W_ACCOUNT_DUE] = "SELECT coalesce(sum(debit), 0) -"
			  " coalesce(sum(credit), 0) FROM journal"
			  " WHERE account = ?1 AND period = ?2",
	[W_HIST_INSERT] =
		"INSERT INTO history_migrated (period, national_code, workshop,"
		" days, subject_wage, hard_harmful_days, imported_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (period, national_code, workshop) DO NOTHING",
	[W_HIST_GET] = "SELECT days, subject_wage, hard_harmful_days"
		       " FROM history_migrated WHERE period = ?1"
		       " AND national_code = ?2 AND workshop = ?3",
	[W_PAY_FIND] = "SELECT workshop, period, amount, paid_on, matched,"
		       " unmatched FROM payments WHERE reference = ?1",
	[W_PAY_INSERT] = "INSERT INTO payments (reference, workshop, period,"
			 " amount, paid_on, matched, unmatched, journal_txn,"
			 " posted_at)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[W_TOTALS_BOUNDS] = "SELECT first_period, last_period"
			    " FROM person_totals WHERE national_code = ?1",
	[W_MONTH_LINES] =
		"SELECT l.workshop, w.list_no, l.days, l.subject_wage, l.base,"
		" l.insured, l.employer, l.state, l.unemployment,"
		" l.hard_harmful, l.hard_harmful_days"
		" FROM wage_lines AS l JOIN wage_lists AS w ON w.id = l.list_id"
		" WHERE l.period = ?1 AND l.national_code = ?2"
		" AND w.status = 'posted' ORDER BY l.workshop, w.list_no",
	[W_MONTH_MIGRATED] = "SELECT workshop, days, subject_wage,"
			     " hard_harmful_days FROM history_migrated"
			     " WHERE period = ?1 AND national_code = ?2"
			     " ORDER BY workshop",
	/* Compacted lines, then those above the compaction's watermark (a
	 * range of wage_lines_by_list, short once an import compacted). */
	[W_WORKER_LINES] =
		"SELECT l.workshop, w.list_no, l.days, l.daily_wage,"
		" l.monthly_wage, l.benefits, l.subject_wage, l.total_pay,"
		" l.job_code, l.occupation, l.start_date, l.end_date"
		" FROM wage_lines AS l JOIN wage_lists AS w ON w.id = l.list_id"
		" WHERE l.period = ?1 AND l.national_code = ?2"
		" AND w.status = 'posted'"
		" UNION ALL "
		"SELECT l.workshop, w.list_no, l.days, l.daily_wage,"
		" l.monthly_wage, l.benefits, l.subject_wage, l.total_pay,"
		" l.job_code, l.occupation, l.start_date, l.end_date"
		" FROM wage_lines_by_list AS l"
		" JOIN wage_lists AS w ON w.id = l.list_id"
		" WHERE l.list_id > (SELECT list_id FROM compaction)"
		" AND l.period = ?1 AND l.national_code = ?2"
		" AND w.status = 'posted' ORDER BY 1, 2",
	[W_ACCOUNT_READ] = "SELECT id, txn, kind, period, debit, credit,"
			   " value_date, due_date, payment_ref, list_id,"
			   " posted_at FROM journal WHERE account = ?1"
			   " ORDER BY id",
	[W_STAGED_PERSON] =
		"SELECT l.workshop, w.list_no, l.days, l.subject_wage, l.base,"
		" l.insured, l.employer, l.state, l.unemployment,"
		" l.hard_harmful, l.hard_harmful_days, l.period"
		" FROM wage_lines_by_list AS l"
		" JOIN wage_lists AS w ON w.id = l.list_id"
		" WHERE l.list_id > (SELECT list_id FROM compaction)"
		" AND l.national_code = ?1 AND w.status = 'posted'",
	/* In key order, so that pages of wage_lines fill one after another
	 * (a new period is appended at the end). Superseded lists' lines
	 * go too, for the record; the totals count posted ones only. */
	[W_COMPACT_LINES] = "INSERT INTO wage_lines (" COLS ") SELECT " COLS
			    " FROM wage_lines_by_list"
			    " WHERE list_id > (SELECT list_id FROM compaction)"
			    " ORDER BY period, national_code, list_id",
	[W_COMPACT_TOTALS] =
		"INSERT INTO person_totals (national_code, days, records,"
		" subject_wages, first_period, last_period)"
		" SELECT l.national_code, sum(l.days), count(*), sum(l.base),"
		" min(l.period), max(l.period) FROM wage_lines_by_list AS l"
		" JOIN wage_lists AS w ON w.id = l.list_id"
		" WHERE l.list_id > (SELECT list_id FROM compaction)"
		" AND w.status = 'posted' GROUP BY l.national_code"
		" ORDER BY l.national_code"
		" ON CONFLICT (national_code) DO UPDATE SET"
		" days = days + excluded.days,"
		" records = records + excluded.records,"
		" subject_wages = subject_wages + excluded.subject_wages,"
		" first_period = min(first_period, excluded.first_period),"
		" last_period = max(last_period, excluded.last_period)",
	[W_COMPACT_CLEAR] = "UPDATE compaction SET list_id ="
			    " (SELECT coalesce(max(id), 0) FROM wage_lists)",
	[W_EXPORT_HEAD] =
		"SELECT l.id, k.name, l.list_no, l.lines FROM wage_lists AS l"
		" JOIN workshops AS k ON k.code = l.workshop"
		" WHERE l.workshop = ?1 AND l.period = ?2 AND l.status = 'posted'"
		" ORDER BY l.list_no",
	[W_EXPORT_LINES] =
		"SELECT l.national_code, l.days, l.daily_wage, l.monthly_wage,"
		" l.benefits, l.subject_wage, l.total_pay, l.insured,"
		" l.job_code, l.occupation, l.start_date, l.end_date, l.row,"
		" p.first_name, p.last_name, p.father_name, p.birth_date, p.sex,"
		" p.nationality, p.insurance_no, l.employer, l.unemployment,"
		" l.hard_harmful_days"
		" FROM wage_lines_by_list AS l"
		" LEFT JOIN persons AS p ON p.national_code = l.national_code"
		" WHERE l.list_id = ?1 ORDER BY l.row",
};

/*
 * Statements: prepared once per handle, reset after each use.
 */

static int prepare(struct am_store *s, enum wage_stmt id, sqlite3_stmt **out)
{
	sqlite3_stmt **cache = am__sq_wage_stmts(s);

	static_assert(W__COUNT <= AM__SQ_WAGE_STMTS, "wage statement cache");
	if (!cache[id]) {
		int rc = sqlite3_prepare_v3(am__sq_db(s), wage_sql[id], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &cache[id], NULL);

		if (rc != SQLITE_OK)
			return am__sq_fail(s, rc, "prepare");
	}
	*out = cache[id];
	return 0;
}

static int bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

static int step_done(struct am_store *s, sqlite3_stmt *st, int rc_bind,
		     const char *what)
{
	int rc = rc_bind ? rc_bind : sqlite3_step(st);
	int err = 0;

	if (rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, what);
	am__sq_finish(st);
	return err;
}

/* 0 with a row (the caller am__sq_finish()es), AM_ENOT_FOUND or an error (both
 * finished). */
static int step_row(struct am_store *s, sqlite3_stmt *st, int rc_bind,
		    const char *what)
{
	int rc = rc_bind ? rc_bind : sqlite3_step(st);
	int err;

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		err = am__store_errf(s, AM_ENOT_FOUND, "%s: not found", what);
	else
		err = am__sq_fail(s, rc, what);
	am__sq_finish(st);
	return err;
}

static am_date col_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return AM_STORE_DATE_NONE;
	return (am_date)sqlite3_column_int64(st, i);
}

/* A text column copied into a fixed buffer (codes: workshop, list no). */
static void col_code(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	am__strlcpy(out, t ? (const char *)t : "", size);
}

/* A text column copied into the arena; NULL stays NULL. */
static int col_text(sqlite3_stmt *st, int i, struct am_arena *a,
		    const char **out)
{
	const unsigned char *t;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	t = sqlite3_column_text(st, i);
	if (!t)
		return AM_ENOMEM;
	*out = am_arena_strndup(a, (const char *)t,
				(size_t)sqlite3_column_bytes(st, i));
	return *out ? 0 : AM_ENOMEM;
}

static struct am_period period_of(int64_t p)
{
	struct am_period r = { (int)(p / 100), (int)(p % 100) };

	return r;
}

/*
 * Lists.
 */

int am__sq_list_find(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am__list_key *key)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_LIST_FIND, &st);

	if (err)
		return err;
	memset(key, 0, sizeof(*key));
	rc = am__sq_bind_text(st, 1, workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 2, period);
	rc = rc ? rc : am__sq_bind_text(st, 3, list_no);
	err = step_row(s, st, rc, "list find");
	if (err == AM_ENOT_FOUND)
		return 0;
	if (err)
		return err;
	if (sqlite3_column_bytes(st, 1) != 32) {
		am__sq_finish(st);
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "wage list %s/%d/%s has a bad hash",
				      workshop, period, list_no);
	}
	key->found = true;
	key->id = sqlite3_column_int64(st, 0);
	memcpy(key->hash, sqlite3_column_blob(st, 1), 32);
	key->journal_txn = sqlite3_column_int64(st, 2);
	key->journal_n = sqlite3_column_int64(st, 3);
	am__sq_finish(st);
	return 0;
}

int am__sq_list_insert(struct am_store *s, const struct am__list_row *r,
		       int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int64_t new_id;
	int rc, err = prepare(s, W_LIST_INSERT, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, r->workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 2, r->year);
	rc = rc ? rc : sqlite3_bind_int(st, 3, r->month);
	rc = rc ? rc : sqlite3_bind_int(st, 4, r->period);
	rc = rc ? rc : am__sq_bind_text(st, 5, r->list_no);
	rc = rc ? rc : sqlite3_bind_blob(st, 6, r->hash, 32, SQLITE_STATIC);
	rc = rc ? rc : am__sq_bind_text(st, 7, r->source_file);
	rc = rc ? rc : sqlite3_bind_int64(st, 8, r->lines);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, r->days);
	rc = rc ? rc : sqlite3_bind_int64(st, 10, r->subject);
	rc = rc ? rc : sqlite3_bind_int64(st, 11, r->insured);
	rc = rc ? rc : sqlite3_bind_int64(st, 12, r->employer);
	rc = rc ? rc : sqlite3_bind_int64(st, 13, r->state);
	rc = rc ? rc : sqlite3_bind_int64(st, 14, r->unemployment);
	rc = rc ? rc : sqlite3_bind_int64(st, 15, r->hard_harmful);
	rc = rc ? rc : am__sq_bind_text(st, 16, r->rules_identity);
	rc = rc ? rc : sqlite3_bind_int64(st, 17, r->due_date);
	rc = rc ? rc : sqlite3_bind_int(st, 18, r->state_pays_employer);
	rc = rc ? rc : sqlite3_bind_int64(st, 19, r->journal_txn);
	rc = rc ? rc : sqlite3_bind_int64(st, 20, r->journal_n);
	rc = rc ? rc : sqlite3_bind_int64(st, 21, r->posted_at);
	err = step_done(s, st, rc, "list insert");
	if (err)
		return err;
	new_id = sqlite3_last_insert_rowid(am__sq_db(s));
	if (r->supersedes) {
		err = prepare(s, W_LIST_LINK, &st);
		if (err)
			return err;
		rc = sqlite3_bind_int64(st, 1, r->supersedes);
		rc = rc ? rc : sqlite3_bind_int64(st, 2, new_id);
		err = step_done(s, st, rc, "list link");
		if (err)
			return err;
	}
	*id = new_id;
	return 0;
}

/* Run a statement whose only parameters are integers. */
static int run_ints(struct am_store *s, enum wage_stmt id, const char *what,
		    int n, const int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, err = prepare(s, id, &st);

	if (err)
		return err;
	for (int i = 0; !rc && i < n; i++)
		rc = sqlite3_bind_int64(st, i + 1, v[i]);
	return step_done(s, st, rc, what);
}

int am__sq_list_supersede(struct am_store *s, int64_t id)
{
	int err = run_ints(s, W_LIST_MARK, "list supersede", 1, &id);

	if (err)
		return err;
	if (sqlite3_changes(am__sq_db(s)) != 1)
		return am__store_errf(
			s, AM_ESTORE_CONFLICT,
			"list supersede: list %" PRId64 " is not posted", id);
	return run_ints(s, W_TOTALS_SUBTRACT, "list supersede", 1, &id);
}

int am__sq_list_set_journal(struct am_store *s, int64_t id, int64_t txn,
			    int64_t n)
{
	const int64_t v[3] = { id, txn, n };

	return run_ints(s, W_LIST_SET_JOURNAL, "list journal", 3, v);
}

/* One line: bind every column, step, reset. Bindings of the previous line
 * are all overwritten, so no clear is needed between lines. */
static int line_insert(struct am_store *s, sqlite3_stmt *st, int64_t list_id,
		       int period, const char *workshop,
		       const struct am_wage_line *ln,
		       const struct am_line_assessment *a)
{
	int rc;

	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc
		: sqlite3_bind_text(st, 2, ln->national_code, -1,
				    SQLITE_STATIC);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, list_id);
	rc = rc ? rc : sqlite3_bind_text(st, 4, workshop, -1, SQLITE_STATIC);
	rc = rc ? rc : sqlite3_bind_int64(st, 5, ln->row);
	rc = rc ? rc : sqlite3_bind_int(st, 6, ln->days);
	rc = rc ? rc : sqlite3_bind_int64(st, 7, ln->daily_wage);
	rc = rc ? rc : sqlite3_bind_int64(st, 8, ln->monthly_wage);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, ln->benefits);
	rc = rc ? rc : sqlite3_bind_int64(st, 10, ln->subject_wage);
	rc = rc ? rc : sqlite3_bind_int64(st, 11, ln->total_pay);
	rc = rc ? rc : sqlite3_bind_int64(st, 12, a->base);
	rc = rc ? rc : sqlite3_bind_int64(st, 13, a->insured);
	rc = rc ? rc : sqlite3_bind_int64(st, 14, a->employer);
	rc = rc ? rc : sqlite3_bind_int64(st, 15, a->state);
	rc = rc ? rc : sqlite3_bind_int64(st, 16, a->unemployment);
	rc = rc ? rc : sqlite3_bind_int64(st, 17, a->hard_harmful);
	rc = rc ? rc : sqlite3_bind_int(st, 18, a->hard_harmful_days);
	rc = rc ? rc : am__sq_bind_text(st, 19, ln->job_code);
	rc = rc ? rc : am__sq_bind_text(st, 20, ln->occupation);
	rc = rc ? rc : am__sq_bind_date(st, 21, ln->start_date);
	rc = rc ? rc : am__sq_bind_date(st, 22, ln->end_date);
	rc = rc ? rc : sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return am__sq_fail(s, rc, "wage line insert");
	return 0;
}

static int totals_add(struct am_store *s, sqlite3_stmt *st, const char *code,
		      int days, am_money wage, int period)
{
	int rc;

	rc = sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = rc ? rc : sqlite3_bind_int(st, 2, days);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, wage);
	rc = rc ? rc : sqlite3_bind_int(st, 4, period);
	rc = rc ? rc : sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return am__sq_fail(s, rc, "person totals");
	return 0;
}

/* Appended in list order; wage_lines and the person totals follow at the
 * compaction. */
int am__sq_lines_insert(struct am_store *s, int64_t list_id, int period,
			const struct am_wage_list *l,
			const struct am_line_assessment *a)
{
	sqlite3_stmt *ins = NULL;
	int err = prepare(s, W_LINE_INSERT, &ins);

	for (size_t i = 0; !err && i < l->nlines; i++)
		err = line_insert(s, ins, list_id, period, l->workshop,
				  &l->lines[i], &a[i]);
	if (ins)
		sqlite3_clear_bindings(ins);
	return err;
}

int am__sq_compact(struct am_store *s, int64_t *lines)
{
	sqlite3_stmt *st = NULL;
	int64_t n;
	int err = prepare(s, W_COMPACT_LINES, &st);

	if (!err)
		err = step_done(s, st, 0, "compact lines");
	if (err)
		return err;
	n = sqlite3_changes(am__sq_db(s));
	err = prepare(s, W_COMPACT_TOTALS, &st);
	if (!err)
		err = step_done(s, st, 0, "compact totals");
	if (!err)
		err = prepare(s, W_COMPACT_CLEAR, &st);
	if (!err)
		err = step_done(s, st, 0, "compact watermark");
	if (!err)
		*lines = n;
	return err;
}

/*
 * The journal.
 */

static int next_journal_id(struct am_store *s, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_JOURNAL_NEXT, &st);

	if (err)
		return err;
	err = step_row(s, st, 0, "journal");
	if (err)
		return err;
	*id = sqlite3_column_int64(st, 0);
	am__sq_finish(st);
	return 0;
}

static int journal_insert(struct am_store *s, sqlite3_stmt *st, int64_t id,
			  int64_t txn, const struct am__journal_entry *e,
			  int64_t now)
{
	int rc;

	rc = sqlite3_bind_int64(st, 1, id);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, txn);
	rc = rc ? rc : am__sq_bind_text(st, 3, e->account);
	rc = rc ? rc : sqlite3_bind_int64(st, 4, e->debit);
	rc = rc ? rc : sqlite3_bind_int64(st, 5, e->credit);
	rc = rc ? rc : am__sq_bind_text(st, 6, e->kind);
	rc = rc ? rc : bind_opt_int(st, 7, e->period);
	rc = rc ? rc : am__sq_bind_text(st, 8, e->workshop);
	rc = rc ? rc : bind_opt_int(st, 9, e->list_id);
	rc = rc ? rc : am__sq_bind_text(st, 10, e->payment_ref);
	rc = rc ? rc : am__sq_bind_date(st, 11, e->due_date);
	rc = rc ? rc : sqlite3_bind_int64(st, 12, e->value_date);
	rc = rc ? rc : sqlite3_bind_int64(st, 13, now);
	return step_done(s, st, rc, "journal append");
}

int am__sq_journal_append(struct am_store *s, const struct am__journal_entry *e,
			  size_t n, int64_t now, int64_t *txn)
{
	sqlite3_stmt *st = NULL;
	int64_t first = 0;
	int err = next_journal_id(s, &first);

	if (!err)
		err = prepare(s, W_JOURNAL_INSERT, &st);
	for (size_t i = 0; !err && i < n; i++)
		err = journal_insert(s, st, first + (int64_t)i, first, &e[i],
				     now);
	if (!err)
		*txn = first;
	return err;
}

int am__sq_journal_read(struct am_store *s, int64_t txn, size_t max,
			struct am__journal_entry *out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t k = 0;
	int rc, err = prepare(s, W_JOURNAL_READ, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int64(st, 1, txn);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, (int64_t)max);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am__journal_entry *e = &out[k++];

		rc = 0;
		memset(e, 0, sizeof(*e));
		col_code(st, 0, e->account, sizeof(e->account));
		e->debit = sqlite3_column_int64(st, 1);
		e->credit = sqlite3_column_int64(st, 2);
		e->period = sqlite3_column_int(st, 3);
		e->list_id = sqlite3_column_int64(st, 4);
		e->due_date = col_date(st, 5);
		e->value_date = (am_date)sqlite3_column_int64(st, 6);
		if (k == max)
			break;
	}
	if (rc && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = am__sq_fail(s, rc, "journal read");
	am__sq_finish(st);
	if (!err)
		*n = k;
	return err;
}

int am__sq_journal_sum(struct am_store *s, int64_t txn, int64_t max,
		       int64_t *debit, int64_t *credit, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_JOURNAL_SUM, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int64(st, 1, txn);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, max);
	err = step_row(s, st, rc, "journal sum");
	if (err)
		return err;
	*debit = sqlite3_column_int64(st, 0);
	*credit = sqlite3_column_int64(st, 1);
	*n = sqlite3_column_int64(st, 2);
	am__sq_finish(st);
	return 0;
}

int am__sq_journal_check(struct am_store *s, int64_t *debit, int64_t *credit,
			 int64_t *unbalanced)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_JOURNAL_TOTALS, &st);

	if (!err)
		err = step_row(s, st, 0, "journal check");
	if (err)
		return err;
	*debit = sqlite3_column_int64(st, 0);
	*credit = sqlite3_column_int64(st, 1);
	am__sq_finish(st);
	err = prepare(s, W_JOURNAL_UNBALANCED, &st);
	if (!err)
		err = step_row(s, st, 0, "journal check");
	if (err)
		return err;
	*unbalanced = sqlite3_column_int64(st, 0);
	am__sq_finish(st);
	return 0;
}

int am__sq_account_due(struct am_store *s, const char *account, int period,
		       am_money *due)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_ACCOUNT_DUE, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, account);
	rc = rc ? rc : sqlite3_bind_int(st, 2, period);
	err = step_row(s, st, rc, "account due");
	if (err)
		return err;
	*due = sqlite3_column_int64(st, 0);
	am__sq_finish(st);
	return 0;
}

/*
 * Migrated months and payments.
 */

int am__sq_history_insert(struct am_store *s, const struct am_history_row *r,
			  int period, int64_t now, bool *existed,
			  struct am_history_row *old, bool *wrote)
{
	sqlite3_stmt *st = NULL, *tot = NULL;
	int rc, err = prepare(s, W_HIST_INSERT, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : am__sq_bind_text(st, 2, r->national_code);
	rc = rc ? rc : am__sq_bind_text(st, 3, r->workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 4, r->days);
	rc = rc ? rc : sqlite3_bind_int64(st, 5, r->subject_wage);
	rc = rc ? rc : sqlite3_bind_int(st, 6, r->hard_harmful_days);
	rc = rc ? rc : sqlite3_bind_int64(st, 7, now);
	err = step_done(s, st, rc, "history insert");
	if (err)
		return err;
	if (sqlite3_changes(am__sq_db(s)) == 1) {
		*existed = false;
		*wrote = true;
		err = prepare(s, W_TOTALS_ADD, &tot);
		if (!err)
			err = totals_add(s, tot, r->national_code, r->days,
					 r->subject_wage, period);
		if (tot)
			sqlite3_clear_bindings(tot);
		return err;
	}
	err = prepare(s, W_HIST_GET, &st);
	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : am__sq_bind_text(st, 2, r->national_code);
	rc = rc ? rc : am__sq_bind_text(st, 3, r->workshop);
	err = step_row(s, st, rc, "history insert");
	if (err)
		return err;
	*existed = true;
	*old = *r;
	old->days = sqlite3_column_int(st, 0);
	old->subject_wage = sqlite3_column_int64(st, 1);
	old->hard_harmful_days = sqlite3_column_int(st, 2);
	am__sq_finish(st);
	return 0;
}

int am__sq_payment_find(struct am_store *s, const char *reference,
			struct am__payment_row *out)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_PAY_FIND, &st);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	err = step_row(s, st, am__sq_bind_text(st, 1, reference),
		       "payment find");
	if (err == AM_ENOT_FOUND)
		return 0;
	if (err)
		return err;
	out->found = true;
	col_code(st, 0, out->workshop, sizeof(out->workshop));
	out->period = sqlite3_column_int(st, 1);
	out->amount = sqlite3_column_int64(st, 2);
	out->paid_on = (am_date)sqlite3_column_int64(st, 3);
	out->matched = sqlite3_column_int64(st, 4);
	out->unmatched = sqlite3_column_int64(st, 5);
	am__sq_finish(st);
	return 0;
}

int am__sq_payment_insert(struct am_store *s, const struct am_payment *p,
			  int period, int64_t txn, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_PAY_INSERT, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, p->reference);
	rc = rc ? rc : am__sq_bind_text(st, 2, p->workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 3, period);
	rc = rc ? rc : sqlite3_bind_int64(st, 4, p->amount);
	rc = rc ? rc : sqlite3_bind_int64(st, 5, p->paid_on);
	rc = rc ? rc : sqlite3_bind_int64(st, 6, p->matched);
	rc = rc ? rc : sqlite3_bind_int64(st, 7, p->unmatched);
	rc = rc ? rc : sqlite3_bind_int64(st, 8, txn);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, now);
	return step_done(s, st, rc, "payment insert");
}

/*
 * Views. Rows are gathered in a heap array that doubles, then copied into
 * the caller's arena in one piece.
 */

struct grow {
	void *v;
	size_t n, cap, size;
};

static void *grow_next(struct grow *g)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		void *v = realloc(g->v, cap * g->size);

		if (!v)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	return memset((char *)g->v + g->n++ * g->size, 0, g->size);
}

/* Move the rows into the arena (NULL for none); frees the heap array. */
static int grow_to_arena(struct grow *g, struct am_arena *a, void **out)
{
	*out = NULL;
	if (g->n) {
		*out = am_arena_alloc(a, g->n * g->size);
		if (*out)
			memcpy(*out, g->v, g->n * g->size);
	}
	free(g->v);
	g->v = NULL;
	return g->n && !*out ? AM_ENOMEM : 0;
}

/* The person's first and last period, or AM_ENOT_FOUND. */
static int person_bounds(struct am_store *s, const char *code, int *first,
			 int *last)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_TOTALS_BOUNDS, &st);

	if (err)
		return err;
	err = step_row(s, st, am__sq_bind_text(st, 1, code), "history");
	if (err)
		return err;
	*first = sqlite3_column_int(st, 0);
	*last = sqlite3_column_int(st, 1);
	am__sq_finish(st);
	return 0;
}

static int next_period(int p)
{
	return p % 100 >= 12 ? (p / 100 + 1) * 100 + 1 : p + 1;
}

static int month_posted(struct am_store *s, const char *code, int period,
			struct grow *g)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_MONTH_LINES, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : am__sq_bind_text(st, 2, code);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_history_month *m = grow_next(g);

		rc = 0;
		if (!m) {
			err = am__store_errf(s, AM_ENOMEM, "history");
			break;
		}
		m->period = period_of(period);
		col_code(st, 0, m->workshop, sizeof(m->workshop));
		col_code(st, 1, m->list_no, sizeof(m->list_no));
		m->days = sqlite3_column_int(st, 2);
		m->subject_wage = sqlite3_column_int64(st, 3);
		m->base = sqlite3_column_int64(st, 4);
		m->insured = sqlite3_column_int64(st, 5);
		m->employer = sqlite3_column_int64(st, 6);
		m->state = sqlite3_column_int64(st, 7);
		m->unemployment = sqlite3_column_int64(st, 8);
		m->hard_harmful = sqlite3_column_int64(st, 9);
		m->hard_harmful_days = sqlite3_column_int(st, 10);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "history");
	am__sq_finish(st);
	return err;
}

static int month_migrated(struct am_store *s, const char *code, int period,
			  struct grow *g)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_MONTH_MIGRATED, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : am__sq_bind_text(st, 2, code);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_history_month *m = grow_next(g);

		rc = 0;
		if (!m) {
			err = am__store_errf(s, AM_ENOMEM, "history");
			break;
		}
		m->period = period_of(period);
		col_code(st, 0, m->workshop, sizeof(m->workshop));
		m->days = sqlite3_column_int(st, 1);
		m->subject_wage = sqlite3_column_int64(st, 2);
		m->base = m->subject_wage;
		m->hard_harmful_days = sqlite3_column_int(st, 3);
		m->migrated = true;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "history");
	am__sq_finish(st);
	return err;
}

/* Lines not yet compacted: the range of wage_lines_by_list above the
 * watermark, short once an import has compacted. */
static int staged_months(struct am_store *s, const char *code, struct grow *g)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_STAGED_PERSON, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, code);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_history_month *m = grow_next(g);

		rc = 0;
		if (!m) {
			err = am__store_errf(s, AM_ENOMEM, "history");
			break;
		}
		col_code(st, 0, m->workshop, sizeof(m->workshop));
		col_code(st, 1, m->list_no, sizeof(m->list_no));
		m->days = sqlite3_column_int(st, 2);
		m->subject_wage = sqlite3_column_int64(st, 3);
		m->base = sqlite3_column_int64(st, 4);
		m->insured = sqlite3_column_int64(st, 5);
		m->employer = sqlite3_column_int64(st, 6);
		m->state = sqlite3_column_int64(st, 7);
		m->unemployment = sqlite3_column_int64(st, 8);
		m->hard_harmful = sqlite3_column_int64(st, 9);
		m->hard_harmful_days = sqlite3_column_int(st, 10);
		m->period = period_of(sqlite3_column_int64(st, 11));
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "history");
	am__sq_finish(st);
	return err;
}

/* Period, then workshop, then list number; migrated months after the
 * posted lines of the same workshop. */
static int cmp_month(const void *a, const void *b)
{
	const struct am_history_month *x = a, *y = b;
	int c;

	if (x->period.year != y->period.year)
		return x->period.year < y->period.year ? -1 : 1;
	if (x->period.month != y->period.month)
		return x->period.month < y->period.month ? -1 : 1;
	c = strcmp(x->workshop, y->workshop);
	if (c)
		return c;
	if (x->migrated != y->migrated)
		return x->migrated ? 1 : -1;
	return strcmp(x->list_no, y->list_no);
}

/* Walk the person's periods one point lookup each (the lines are
 * clustered by period, and a career is a few hundred months), then add
 * the lines not yet compacted and sort. */
int am__sq_history_read(struct am_store *s, const char *national_code,
			struct am_arena *a, struct am_history *out)
{
	struct grow g = { NULL, 0, 0, sizeof(struct am_history_month) };
	struct am_history h;
	void *months;
	int first = 0, last = -1, err;

	err = person_bounds(s, national_code, &first, &last);
	if (err == AM_ENOT_FOUND)
		err = 0;
	for (int p = first; !err && p <= last; p = next_period(p)) {
		err = month_posted(s, national_code, p, &g);
		if (!err)
			err = month_migrated(s, national_code, p, &g);
	}
	if (!err)
		err = staged_months(s, national_code, &g);
	if (!err && !g.n && last < 0)
		err = am__store_errf(s, AM_ENOT_FOUND, "history: not found");
	if (err) {
		free(g.v);
		return err;
	}
	if (g.n)
		qsort(g.v, g.n, g.size, cmp_month);
	memset(&h, 0, sizeof(h));
	h.nmonths = g.n;
	err = grow_to_arena(&g, a, &months);
	if (err)
		return am__store_errf(s, err, "history: out of memory");
	h.months = months;
	*out = h;
	return 0;
}

int am__sq_worker_read(struct am_store *s, const char *national_code,
		       int period, struct am_arena *a, size_t *n,
		       struct am_worker_report **out)
{
	struct grow g = { NULL, 0, 0, sizeof(struct am_worker_report) };
	sqlite3_stmt *st = NULL;
	void *rows;
	int rc, err = prepare(s, W_WORKER_LINES, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : am__sq_bind_text(st, 2, national_code);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_worker_report *w = grow_next(&g);

		rc = 0;
		if (!w) {
			err = AM_ENOMEM;
			break;
		}
		col_code(st, 0, w->workshop, sizeof(w->workshop));
		col_code(st, 1, w->list_no, sizeof(w->list_no));
		w->days = sqlite3_column_int(st, 2);
		w->daily_wage = sqlite3_column_int64(st, 3);
		w->monthly_wage = sqlite3_column_int64(st, 4);
		w->benefits = sqlite3_column_int64(st, 5);
		w->subject_wage = sqlite3_column_int64(st, 6);
		w->total_pay = sqlite3_column_int64(st, 7);
		err = col_text(st, 8, a, &w->job_code);
		err = err ? err : col_text(st, 9, a, &w->occupation);
		w->start_date = col_date(st, 10);
		w->end_date = col_date(st, 11);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "worker statement");
	am__sq_finish(st);
	if (err) {
		free(g.v);
		return err == AM_ENOMEM ? am__store_errf(s, err,
							 "worker statement: "
							 "out of memory")
					: err;
	}
	*n = g.n;
	err = grow_to_arena(&g, a, &rows);
	if (err)
		return am__store_errf(s, err,
				      "worker statement: out of memory");
	*out = rows;
	return 0;
}

int am__sq_account_read(struct am_store *s, const char *account,
			struct am_arena *a, struct am_employer_statement *out)
{
	struct grow g = { NULL, 0, 0, sizeof(struct am_ledger_entry) };
	struct am_employer_statement r;
	sqlite3_stmt *st = NULL;
	void *rows;
	int rc, err = prepare(s, W_ACCOUNT_READ, &st);

	if (err)
		return err;
	memset(&r, 0, sizeof(r));
	rc = am__sq_bind_text(st, 1, account);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_ledger_entry *e = grow_next(&g);

		rc = 0;
		if (!e) {
			err = AM_ENOMEM;
			break;
		}
		e->id = sqlite3_column_int64(st, 0);
		e->txn = sqlite3_column_int64(st, 1);
		err = col_text(st, 2, a, &e->kind);
		e->period = period_of(sqlite3_column_int64(st, 3));
		e->debit = sqlite3_column_int64(st, 4);
		e->credit = sqlite3_column_int64(st, 5);
		e->value_date = (am_date)sqlite3_column_int64(st, 6);
		e->due_date = col_date(st, 7);
		err = err ? err : col_text(st, 8, a, &e->reference);
		e->list_id = sqlite3_column_int64(st, 9);
		e->posted_at = sqlite3_column_int64(st, 10);
		if (err)
			break;
		/* Sums in SQLite would refuse an overflow too; here the
		 * checked helpers do. */
		err = am_money_add(r.debit, e->debit, &r.debit);
		err = err ? err : am_money_add(r.credit, e->credit, &r.credit);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "employer statement");
	am__sq_finish(st);
	if (!err)
		err = am_money_sub(r.debit, r.credit, &r.balance);
	if (err) {
		free(g.v);
		return err == AM_ENOMEM || err == AM_EMONEY_OVERFLOW
			       ? am__store_errf(s, err, "employer statement")
			       : err;
	}
	r.nentries = g.n;
	err = grow_to_arena(&g, a, &rows);
	if (err)
		return am__store_errf(s, err,
				      "employer statement: out of memory");
	r.entries = rows;
	*out = r;
	return 0;
}

/* Fill a list from a posted one: its header from wage_lists and workshops,
 * its lines from wage_lines_by_list with the names the registry holds. */
int am__sq_list_read(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am_wage_list *l)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0, n = 0;
	bool found = false;
	int rc, err = prepare(s, W_EXPORT_HEAD, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 2, period);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *no = (const char *)sqlite3_column_text(st, 2);

		rc = 0;
		if (found || (list_no && strcmp(no, list_no) != 0))
			continue;
		found = true;
		id = sqlite3_column_int64(st, 0);
		err = col_text(st, 1, &l->arena, &l->workshop_name);
		col_code(st, 2, l->list_no, sizeof(l->list_no));
		n = sqlite3_column_int64(st, 3);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "export");
	am__sq_finish(st);
	if (err)
		return err;
	if (!found)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no posted list of %s in %d/%02d",
				      workshop, period / 100, period % 100);
	am__strlcpy(l->workshop, workshop, sizeof(l->workshop));
	l->period.year = period / 100;
	l->period.month = period % 100;
	l->lines = am_arena_calloc(&l->arena, n ? (size_t)n : 1,
				   sizeof(*l->lines));
	if (!l->lines)
		return am__store_errf(s, AM_ENOMEM, "export: out of memory");
	err = prepare(s, W_EXPORT_LINES, &st);
	if (err)
		return err;
	rc = sqlite3_bind_int64(st, 1, id);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_wage_line *ln = &l->lines[l->nlines];
		const char *sex;

		rc = 0;
		if ((int64_t)l->nlines == n) {
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "list %lld has more lines than "
					     "it says",
					     (long long)id);
			break;
		}
		col_code(st, 0, ln->national_code, sizeof(ln->national_code));
		ln->days = sqlite3_column_int(st, 1);
		ln->daily_wage = sqlite3_column_int64(st, 2);
		ln->monthly_wage = sqlite3_column_int64(st, 3);
		ln->benefits = sqlite3_column_int64(st, 4);
		ln->subject_wage = sqlite3_column_int64(st, 5);
		ln->total_pay = sqlite3_column_int64(st, 6);
		ln->insured_share = sqlite3_column_int64(st, 7);
		err = col_text(st, 8, &l->arena, &ln->job_code);
		err = err ? err : col_text(st, 9, &l->arena, &ln->occupation);
		ln->start_date = col_date(st, 10);
		ln->end_date = col_date(st, 11);
		ln->row = (unsigned)sqlite3_column_int(st, 12);
		err = err ? err : col_text(st, 13, &l->arena, &ln->first_name);
		err = err ? err : col_text(st, 14, &l->arena, &ln->last_name);
		err = err ? err : col_text(st, 15, &l->arena, &ln->father_name);
		ln->birth_date = col_date(st, 16);
		sex = (const char *)sqlite3_column_text(st, 17);
		ln->sex = sex ? sex[0] : 0;
		err = err ? err : col_text(st, 18, &l->arena, &ln->nationality);
		col_code(st, 19, ln->insurance_no, sizeof(ln->insurance_no));
		ln->hard_harmful_days = sqlite3_column_int(st, 22);
		if (ln->start_date == AM_STORE_DATE_NONE)
			ln->start_date = AM_WAGE_DATE_NONE;
		if (ln->end_date == AM_STORE_DATE_NONE)
			ln->end_date = AM_WAGE_DATE_NONE;
		if (ln->birth_date == AM_STORE_DATE_NONE)
			ln->birth_date = AM_WAGE_DATE_NONE;
		ln->id_date = AM_WAGE_DATE_NONE;
		/* The employer's and unemployment shares, for the header. */
		l->t_employer += sqlite3_column_int64(st, 20);
		l->t_unemployment += sqlite3_column_int64(st, 21);
		if (err)
			break;
		l->nlines++;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "export");
	am__sq_finish(st);
	return err;
}
