/* The SQLite backend's posting half: wage lists (their lines packed in a
 * body), the by-person index, migrated months, the journal, payments and
 * the views that read them. */
#include "core/internal.h"

#include <sqlite3.h>

#include "amanat/assess.h"
#include "store/sqlite_int.h"

enum wage_stmt {
	W_LIST_FIND,
	W_LIST_INSERT,
	W_LIST_LINK,
	W_LIST_MARK,
	W_SEQ_GET,
	W_SEQ_SET,
	W_PERSON_KNOWN,
	W_PERSON_CODES,
	W_WORKSHOP_TERMS,
	W_LINE_READ,
	W_INDEX_PUT,
	W_SEGMENT_PUT,
	W_SEGMENTS_ALL,
	W_INDEX_FIND,
	W_LEDGER_INSERT,
	W_LEDGER_GET,
	W_LEDGER_ALL,
	W_HIST_INSERT,
	W_HIST_GET,
	W_PAY_FIND,
	W_PAY_INSERT,
	W_MIGRATED_PERSON,
	W_WORKSHOP_LEDGER,
	W_WORKSHOP_LISTS,
	W_EXPORT_HEAD,
	W_EXPORT_BODY,
	W__COUNT
};

/* A line is read back with this many bytes of its list's body first; a
 * longer one (long names) is read again whole. */
#define LINE_CHUNK 1024

#define LEDGER_COLUMNS                                                \
	"id, kind, period, workshop, list_id, payment_ref, due_date," \
	" value_date, posted_at, postings"

static const char *const wage_sql[W__COUNT] = {
	[W_LIST_FIND] = "SELECT id, hash, status, revision, txn FROM wage_lists"
			" WHERE workshop = ?1 AND period = ?2 AND list_no = ?3"
			" ORDER BY revision DESC LIMIT 1",
	[W_LIST_INSERT] =
		"INSERT INTO wage_lists (workshop, year, month, period,"
		" list_no, revision, hash, status, source_file, lines, t_days,"
		" t_subject, t_insured, t_employer, t_state, t_unemployment,"
		" t_hard_harmful, owed_workshop, owed_state, rules_identity,"
		" due_date, state_pays_employer, txn, value_date, posted_at,"
		" body)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'posted', ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
		" ?23, ?24, ?25)",
	[W_LIST_LINK] = "UPDATE wage_lists SET superseded_by = ?2"
			" WHERE id = ?1 AND status = 'superseded'",
	[W_LIST_MARK] = "UPDATE wage_lists SET status = 'superseded'"
			" WHERE id = ?1 AND status = 'posted'",
	[W_SEQ_GET] = "SELECT next FROM sequences WHERE name = ?1",
	[W_SEQ_SET] = "UPDATE sequences SET next = ?2 WHERE name = ?1",
	[W_PERSON_KNOWN] = "SELECT code FROM person_codes WHERE code >= ?1"
			   " ORDER BY code",
	[W_PERSON_CODES] = "SELECT code FROM person_codes ORDER BY code",
	[W_WORKSHOP_TERMS] = "SELECT code, hard_harmful, small_exempt"
			     " FROM workshops ORDER BY code",
	[W_LINE_READ] = "SELECT workshop, list_no, status, period,"
			" substr(body, ?2 + 1, ?3), length(body),"
			" substr(body, 1, ?4)"
			" FROM wage_lists WHERE id = ?1",
	[W_INDEX_PUT] = "INSERT INTO person_index (period, segment,"
			" first_code, entries, block)"
			" VALUES (?1, ?2, ?3, ?4, ?5)",
	[W_SEGMENT_PUT] = "INSERT INTO index_segments (period, segment,"
			  " base, entries) VALUES (?1, ?2, ?4, ?3)",
	[W_SEGMENTS_ALL] = "SELECT period, segment, base FROM index_segments"
			   " ORDER BY period, segment",
	[W_INDEX_FIND] = "SELECT first_code, entries, block FROM person_index"
			 " WHERE period = ?1 AND segment = ?2"
			 " AND first_code <= ?3"
			 " ORDER BY first_code DESC LIMIT 1",
	[W_LEDGER_INSERT] =
		"INSERT INTO ledger (id, kind, period, workshop,"
		" list_id, payment_ref, due_date, value_date, posted_at,"
		" postings)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[W_LEDGER_GET] = "SELECT " LEDGER_COLUMNS " FROM ledger WHERE id = ?1",
	[W_LEDGER_ALL] = "SELECT " LEDGER_COLUMNS " FROM ledger ORDER BY id",
	[W_HIST_INSERT] =
		"INSERT INTO history_migrated (period, national_code, workshop,"
		" days, subject_wage, hard_harmful_days, imported_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (national_code, period, workshop) DO NOTHING",
	[W_HIST_GET] = "SELECT days, subject_wage, hard_harmful_days"
		       " FROM history_migrated WHERE period = ?1"
		       " AND national_code = ?2 AND workshop = ?3",
	[W_PAY_FIND] = "SELECT workshop, period, amount, paid_on, matched,"
		       " unmatched FROM payments WHERE reference = ?1",
	[W_PAY_INSERT] = "INSERT INTO payments (reference, workshop, period,"
			 " amount, paid_on, matched, unmatched, journal_txn,"
			 " posted_at)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[W_MIGRATED_PERSON] = "SELECT period, workshop, days, subject_wage,"
			      " hard_harmful_days FROM history_migrated"
			      " WHERE national_code = ?1"
			      " ORDER BY period, workshop",
	/* Its transactions but its lists' assessments (the partial index
	 * holds those only: the condition repeats it). */
	[W_WORKSHOP_LEDGER] = "SELECT " LEDGER_COLUMNS " FROM ledger"
			      " WHERE workshop = ?1 AND kind <> 'assessment'"
			      " ORDER BY id",
	/* The periods that have lists, each found by one seek of the key
	 * (which begins with the period), then the workshop's lists of
	 * each: a loose scan, not a walk over every list. Their
	 * assessments are then read by id. */
	[W_WORKSHOP_LISTS] =
		"WITH RECURSIVE p(period) AS ("
		" SELECT min(period) FROM wage_lists"
		" UNION ALL SELECT (SELECT min(period) FROM wage_lists"
		" WHERE period > p.period) FROM p WHERE p.period IS NOT NULL)"
		" SELECT l.txn FROM p"
		" JOIN wage_lists AS l ON l.period = p.period"
		" AND l.workshop = ?1 ORDER BY l.txn",
	[W_EXPORT_HEAD] = "SELECT id, list_no, lines FROM wage_lists"
			  " WHERE workshop = ?1 AND period = ?2"
			  " AND status = 'posted' ORDER BY list_no",
	[W_EXPORT_BODY] = "SELECT body FROM wage_lists WHERE id = ?1",
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

/*
 * Lists.
 */

int am__sq_list_find(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am_list_key *key)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *status;
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
	status = sqlite3_column_text(st, 2);
	key->posted = status && !strcmp((const char *)status, "posted");
	key->revision = sqlite3_column_int64(st, 3);
	key->txn = sqlite3_column_int64(st, 4);
	am__sq_finish(st);
	return 0;
}

int am__sq_list_insert(struct am_store *s, const struct am_list_row *r,
		       int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int64_t new_id;
	int rc, err = prepare(s, W_LIST_INSERT, &st);

	if (err)
		return err;
	if (r->body_len > INT32_MAX)
		return am__store_errf(s, AM_ETOO_LONG, "list body too long");
	rc = am__sq_bind_text(st, 1, r->workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 2, r->year);
	rc = rc ? rc : sqlite3_bind_int(st, 3, r->month);
	rc = rc ? rc : sqlite3_bind_int(st, 4, r->period);
	rc = rc ? rc : am__sq_bind_text(st, 5, r->list_no);
	rc = rc ? rc : sqlite3_bind_int64(st, 6, r->revision);
	rc = rc ? rc : sqlite3_bind_blob(st, 7, r->hash, 32, SQLITE_STATIC);
	rc = rc ? rc : am__sq_bind_text(st, 8, r->source_file);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, r->lines);
	rc = rc ? rc : sqlite3_bind_int64(st, 10, r->days);
	rc = rc ? rc : sqlite3_bind_int64(st, 11, r->subject);
	rc = rc ? rc : sqlite3_bind_int64(st, 12, r->insured);
	rc = rc ? rc : sqlite3_bind_int64(st, 13, r->employer);
	rc = rc ? rc : sqlite3_bind_int64(st, 14, r->state);
	rc = rc ? rc : sqlite3_bind_int64(st, 15, r->unemployment);
	rc = rc ? rc : sqlite3_bind_int64(st, 16, r->hard_harmful);
	rc = rc ? rc : sqlite3_bind_int64(st, 17, r->owed_workshop);
	rc = rc ? rc : sqlite3_bind_int64(st, 18, r->owed_state);
	rc = rc ? rc : am__sq_bind_text(st, 19, r->rules_identity);
	rc = rc ? rc : sqlite3_bind_int64(st, 20, r->due_date);
	rc = rc ? rc : sqlite3_bind_int(st, 21, r->state_pays_employer);
	rc = rc ? rc : sqlite3_bind_int64(st, 22, r->txn);
	rc = rc ? rc : sqlite3_bind_int64(st, 23, r->value_date);
	rc = rc ? rc : sqlite3_bind_int64(st, 24, r->posted_at);
	rc = rc ? rc
		: sqlite3_bind_blob(st, 25, r->body, (int)r->body_len,
				    SQLITE_STATIC);
	rc = rc ? rc : sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(am__sq_db(s)) ==
		    SQLITE_CONSTRAINT_UNIQUE &&
	    strstr(sqlite3_errmsg(am__sq_db(s)), "wage_lists.revision")) {
		/* The key's revision exists: the caller looks at it. */
		am__sq_finish(st);
		return am__store_errf(
			s, AM_EIDEMPOTENCY_CONFLICT,
			"list %s/%d/%s revision %" PRId64 " exists",
			r->workshop, r->period, r->list_no, r->revision);
	}
	if (rc != SQLITE_DONE) {
		err = am__sq_fail(s, rc, "list insert");
		am__sq_finish(st);
		return err;
	}
	am__sq_finish(st);
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

int am__sq_list_supersede(struct am_store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_LIST_MARK, &st);

	if (!err)
		err = step_done(s, st, sqlite3_bind_int64(st, 1, id),
				"list supersede");
	if (err)
		return err;
	if (sqlite3_changes(am__sq_db(s)) != 1)
		return am__store_errf(
			s, AM_ESTORE_CONFLICT,
			"list supersede: list %" PRId64 " is not posted", id);
	return 0;
}

/*
 * The ledger's sequence: read when a write transaction first needs an id,
 * counted here (SQLite has one writer at a time) and written back by the
 * commit (am__sq_seq_flush()); a rollback forgets it.
 */
int am__sq_ledger_id(struct am_store *s, int64_t *id)
{
	struct am__sq_seq *q = am__sq_seq(s);

	if (!q->loaded) {
		sqlite3_stmt *st = NULL;
		int err = prepare(s, W_SEQ_GET, &st);

		if (!err)
			err = step_row(s, st, am__sq_bind_text(st, 1, "ledger"),
				       "ledger sequence");
		if (err == AM_ENOT_FOUND)
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "the ledger's sequence is "
					     "missing");
		if (err)
			return err;
		q->next = sqlite3_column_int64(st, 0);
		am__sq_finish(st);
		if (q->next < 1)
			return am__store_errf(s, AM_ESTORE_CORRUPT,
					      "the ledger's sequence is "
					      "%" PRId64,
					      q->next);
		q->loaded = true;
	}
	*id = q->next++;
	q->dirty = true;
	return 0;
}

int am__sq_seq_flush(struct am_store *s)
{
	struct am__sq_seq *q = am__sq_seq(s);
	sqlite3_stmt *st = NULL;
	int rc, err;

	if (!q->dirty)
		return 0;
	err = prepare(s, W_SEQ_SET, &st);
	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, "ledger");
	rc = rc ? rc : sqlite3_bind_int64(st, 2, q->next);
	err = step_done(s, st, rc, "ledger sequence");
	if (!err && sqlite3_changes(am__sq_db(s)) != 1)
		err = am__store_errf(s, AM_ESTORE_CORRUPT,
				     "the ledger's sequence is missing");
	return err;
}

int am__sq_workshop_terms(struct am_store *s,
			  int (*fn)(void *ctx, const char *code,
				    bool hard_harmful, bool small_exempt),
			  void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_WORKSHOP_TERMS, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);

		err = fn(ctx, code ? code : "", sqlite3_column_int(st, 1) != 0,
			 sqlite3_column_int(st, 2) != 0);
		if (err)
			break;
	}
	am__sq_finish(st);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = am__sq_fail(s, rc, "workshops");
	return err;
}

/* 4 million codes are 36 MB of person_codes' B-tree, which SQLite's
 * cache holds: below that the database answers about as fast as the set,
 * without its 119 MiB. */
int am__sq_person_set_min(struct am_store *s, int64_t *min)
{
	(void)s;
	*min = 4000000;
	return 0;
}

int am__sq_person_codes(struct am_store *s, int (*fn)(void *ctx, int64_t code),
			void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_PERSON_CODES, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = fn(ctx, sqlite3_column_int64(st, 0));
		if (err)
			break;
	}
	am__sq_finish(st);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = am__sq_fail(s, rc, "persons");
	return err;
}

/* A merge of the sorted codes with person_codes: from a seek, the
 * cursor steps forward while the next code is near, and seeks again past
 * a gap. A step costs a twentieth of a seek; a national registry has a
 * code every 250 or so, so "near" is a few rows. (Stepping a fixed 16
 * rows before each seek made the check a quarter of a national month's
 * posting.) */
#define KNOWN_NEAR 2000 /* in code units */

int am__sq_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			 uint8_t *known)
{
	sqlite3_stmt *st = NULL;
	size_t i = 0;
	int err = prepare(s, W_PERSON_KNOWN, &st);

	while (!err && i < n) {
		int64_t cur;
		int rc;

		sqlite3_reset(st);
		rc = sqlite3_bind_int64(st, 1, codes[i]);
		rc = rc ? rc : sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			memset(known + i, 0, n - i);
			break;
		}
		if (rc != SQLITE_ROW) {
			err = am__sq_fail(s, rc, "persons");
			break;
		}
		cur = sqlite3_column_int64(st, 0);
		while (i < n) {
			if (cur >= codes[i]) {
				known[i] = cur == codes[i];
				i++;
				continue;
			}
			if (codes[i] - cur > KNOWN_NEAR)
				break; /* a gap: seek again */
			rc = sqlite3_step(st);
			if (rc == SQLITE_DONE) {
				memset(known + i, 0, n - i);
				i = n;
			} else if (rc != SQLITE_ROW) {
				err = am__sq_fail(s, rc, "persons");
				i = n;
			} else {
				cur = sqlite3_column_int64(st, 0);
			}
		}
	}
	if (st)
		am__sq_finish(st);
	return err;
}

/* Read the line at offset of list id: the body's head and a chunk of the
 * body from there; a line longer than the chunk is read again with the
 * rest of the body. */
int am__sq_line_read(struct am_store *s, int64_t id, uint32_t offset,
		     struct am_arena *a, struct am_line_ref *out)
{
	int64_t want = LINE_CHUNK;
	int err = AM_ESTORE_CORRUPT;

	for (int pass = 0; pass < 2; pass++) {
		struct am__body_head h;
		sqlite3_stmt *st = NULL;
		const uint8_t *p;
		int64_t total;
		size_t n;
		int rc;

		err = prepare(s, W_LINE_READ, &st);
		if (err)
			return err;
		rc = sqlite3_bind_int64(st, 1, id);
		rc = rc ? rc : sqlite3_bind_int64(st, 2, offset);
		rc = rc ? rc : sqlite3_bind_int64(st, 3, want);
		rc = rc ? rc : sqlite3_bind_int(st, 4, AM__BODY_HEAD_MAX);
		err = step_row(s, st, rc, "line read");
		if (err)
			return err;
		col_code(st, 0, out->workshop, sizeof(out->workshop));
		col_code(st, 1, out->list_no, sizeof(out->list_no));
		p = sqlite3_column_text(st, 2);
		out->posted = p && !strcmp((const char *)p, "posted");
		out->period = sqlite3_column_int(st, 3);
		total = sqlite3_column_int64(st, 5);
		err = am__body_head(sqlite3_column_blob(st, 6),
				    (size_t)sqlite3_column_bytes(st, 6), &h);
		p = sqlite3_column_blob(st, 4);
		n = (size_t)sqlite3_column_bytes(st, 4);
		if (!err)
			err = n ? am__body_decode_line(&h, p, n, 0, a, &out->ln,
						       &out->a, NULL)
				: AM_ESTORE_CORRUPT;
		am__sq_finish(st);
		if (err != AM_ESTORE_CORRUPT || offset + n >= (uint64_t)total)
			break;
		want = total;
	}
	if (err)
		return am__store_errf(s, err,
				      "list %" PRId64 ": line at %" PRIu32
				      " cannot be read",
				      id, offset);
	return 0;
}

/*
 * The by-person index.
 */

static int index_put(struct am_store *s, void *ctx, int period, int64_t segment,
		     int64_t first_code, int64_t n, const void *block,
		     size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_INDEX_PUT, &st);

	(void)ctx;
	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, segment);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, first_code);
	rc = rc ? rc : sqlite3_bind_int64(st, 4, n);
	rc = rc ? rc : sqlite3_bind_blob(st, 5, block, (int)len, SQLITE_STATIC);
	return step_done(s, st, rc, "index block");
}

static int segment_row(struct am_store *s, int period, int64_t segment,
		       int64_t base, int64_t entries)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_SEGMENT_PUT, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, segment);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, entries);
	rc = rc ? rc : sqlite3_bind_int64(st, 4, base);
	return step_done(s, st, rc, "index segment");
}

/* A batch's entries of one period, as one segment of packed blocks. */
int am__sq_index_add(struct am_store *s, const struct am_index_entry *e,
		     size_t n, int64_t segment)
{
	int err;

	if (!n)
		return 0;
	err = am__index_pack(s, e, n, segment, index_put, NULL);
	return err ? err
		   : segment_row(s, e[0].period, segment, segment, (int64_t)n);
}

/* Every (period, segment), in order: small (a row per batch and period). */
struct seg {
	int period;
	int64_t segment, base;
};

static int segments_all(struct am_store *s, struct grow *g)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_SEGMENTS_ALL, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct seg *x = grow_next(g);

		if (!x) {
			am__sq_finish(st);
			return am__store_errf(s, AM_ENOMEM, "index");
		}
		x->period = sqlite3_column_int(st, 0);
		x->segment = sqlite3_column_int64(st, 1);
		x->base = sqlite3_column_int64(st, 2);
	}
	am__sq_finish(st);
	return rc == SQLITE_DONE ? 0 : am__sq_fail(s, rc, "index");
}

/* The entries of code in one segment of a period, appended to g. */
static int segment_find(struct am_store *s, int period, int64_t segment,
			int64_t base, int64_t code,
			int (*fn)(void *ctx, const struct am_index_entry *e),
			void *ctx)
{
	struct am_index_entry *e = NULL;
	sqlite3_stmt *st = NULL;
	int64_t first, n;
	size_t cap = 0;
	int rc, err = prepare(s, W_INDEX_FIND, &st);

	if (err)
		return err;
	rc = sqlite3_bind_int(st, 1, period);
	rc = rc ? rc : sqlite3_bind_int64(st, 2, segment);
	rc = rc ? rc : sqlite3_bind_int64(st, 3, code);
	err = step_row(s, st, rc, "index");
	if (err == AM_ENOT_FOUND)
		return 0;
	if (err)
		return err;
	first = sqlite3_column_int64(st, 0);
	n = sqlite3_column_int64(st, 1);
	err = am__block_entries(s, sqlite3_column_blob(st, 2),
				(size_t)sqlite3_column_bytes(st, 2), first, n,
				base, &e, &cap);
	am__sq_finish(st);
	for (int64_t i = 0; !err && i < n; i++) {
		if (e[i].code != code)
			continue;
		e[i].period = period;
		err = fn(ctx, &e[i]);
	}
	free(e);
	return err;
}

/* Per segment of each period, one block lookup (a career is a few
 * hundred months). */
int am__sq_person_lines(struct am_store *s, int64_t code, int period,
			int (*fn)(void *ctx, const struct am_index_entry *e),
			void *ctx)
{
	struct grow segs = { NULL, 0, 0, sizeof(struct seg) };
	int err = segments_all(s, &segs);

	for (size_t i = 0; !err && i < segs.n; i++) {
		const struct seg *x = (const struct seg *)segs.v + i;

		if (!period || x->period == period)
			err = segment_find(s, x->period, x->segment, x->base,
					   code, fn, ctx);
	}
	free(segs.v);
	return err;
}

/*
 * The compaction: a period's segments merged into one (blocks.c), so a
 * lookup is one block again.
 */

/* A segment's blocks in first-code order, from its statement. */
static int block_next(struct am_store *s, void *ctx, bool *found,
		      int64_t *first, int64_t *n, const uint8_t **block,
		      size_t *len)
{
	sqlite3_stmt *st = ctx;
	int rc = sqlite3_step(st);

	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return am__sq_fail(s, rc, "compaction");
	*first = sqlite3_column_int64(st, 0);
	*n = sqlite3_column_int64(st, 1);
	*block = sqlite3_column_blob(st, 2);
	*len = (size_t)sqlite3_column_bytes(st, 2);
	return 0;
}

/* A statement with an int period and an int64 segment, run to its end. */
static int run_period(struct am_store *s, const char *sql, int period,
		      int64_t segment, bool with_segment)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(am__sq_db(s), sql, -1, &st, NULL);

	rc = rc ? rc : sqlite3_bind_int(st, 1, period);
	if (with_segment)
		rc = rc ? rc : sqlite3_bind_int64(st, 2, segment);
	rc = rc ? rc : sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : am__sq_fail(s, rc, "compaction");
}

static int merge_period(struct am_store *s, int period, const struct seg *segs,
			size_t k, int64_t *merged)
{
	static const char sql[] =
		"SELECT first_code, entries, block FROM person_index"
		" WHERE period = ?1 AND segment = ?2 ORDER BY first_code";
	struct am__block_src *src = calloc(k, sizeof(*src));
	int64_t segment = segs[0].segment - 1, base = segs[0].base, total = 0;
	int err = 0;

	if (!src)
		return am__store_errf(s, AM_ENOMEM, "compaction");

	for (size_t i = 0; i < k; i++)
		if (segs[i].base < base)
			base = segs[i].base;
	for (size_t i = 0; !err && i < k; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(am__sq_db(s), sql, -1, &st, NULL);

		rc = rc ? rc : sqlite3_bind_int(st, 1, period);
		rc = rc ? rc : sqlite3_bind_int64(st, 2, segs[i].segment);
		src[i].next = block_next;
		src[i].ctx = st;
		src[i].base = segs[i].base;
		if (rc)
			err = am__sq_fail(s, rc, "compaction");
	}
	if (!err)
		err = am__index_merge(s, period, src, k, segment, base,
				      index_put, NULL, &total);
	for (size_t i = 0; src && i < k; i++)
		sqlite3_finalize(src[i].ctx);
	free(src);
	/* The old segments go; the merged one takes their place. */
	if (!err)
		err = run_period(s,
				 "DELETE FROM person_index WHERE period = ?1"
				 " AND segment <> ?2",
				 period, segment, true);
	if (!err)
		err = run_period(s,
				 "DELETE FROM index_segments WHERE period = ?1",
				 period, 0, false);
	if (!err && total)
		err = segment_row(s, period, segment, base, total);
	if (!err)
		*merged += total;
	return err;
}

int am__sq_compact(struct am_store *s, int64_t *entries)
{
	struct grow segs = { NULL, 0, 0, sizeof(struct seg) };
	int64_t merged = 0;
	size_t i = 0;
	int err = segments_all(s, &segs);

	while (!err && i < segs.n) {
		const struct seg *x = (const struct seg *)segs.v;
		size_t j = i + 1;

		while (j < segs.n && x[j].period == x[i].period)
			j++;
		if (j - i > 1)
			err = merge_period(s, x[i].period, &x[i], j - i,
					   &merged);
		i = j;
	}
	free(segs.v);
	if (!err)
		*entries = merged;
	return err;
}

/*
 * The journal.
 */

/*
 * The ledger.
 */

int am__sq_ledger_append(struct am_store *s, const struct am_ledger_row *x)
{
	struct am_buf *b = am__sq_scratch(s);
	sqlite3_stmt *st = NULL;
	int rc, err;

	am_buf_clear(b);
	err = am__postings_encode(x->t.p, x->t.n, b);
	if (err)
		return am__store_errf(s, err,
				      "ledger %" PRId64 ": postings cannot be "
				      "packed",
				      x->id);
	err = prepare(s, W_LEDGER_INSERT, &st);
	if (err)
		return err;
	rc = sqlite3_bind_int64(st, 1, x->id);
	rc = rc ? rc : am__sq_bind_text(st, 2, am_txn_kind_name(x->t.kind));
	rc = rc ? rc : bind_opt_int(st, 3, x->period);
	rc = rc ? rc : am__sq_bind_text(st, 4, x->workshop);
	rc = rc ? rc : bind_opt_int(st, 5, x->list_id);
	rc = rc ? rc : am__sq_bind_text(st, 6, x->payment_ref);
	rc = rc ? rc : am__sq_bind_date(st, 7, x->due_date);
	rc = rc ? rc : sqlite3_bind_int64(st, 8, x->value_date);
	rc = rc ? rc : sqlite3_bind_int64(st, 9, x->posted_at);
	rc = rc ? rc
		: sqlite3_bind_blob(st, 10, b->buf, (int)b->len, SQLITE_STATIC);
	return step_done(s, st, rc, "ledger append");
}

/* A row of LEDGER_COLUMNS into x; strings into a, or (a NULL) pointing
 * into the statement's row, valid until its next step. */
static int ledger_row(struct am_store *s, sqlite3_stmt *st, struct am_arena *a,
		      struct am_ledger_row *x)
{
	const char *kind = (const char *)sqlite3_column_text(st, 1);
	int err = 0;

	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	if (!kind || am_txn_kind_parse(kind, &x->t.kind))
		err = AM_ESTORE_CORRUPT;
	x->period = sqlite3_column_int(st, 2);
	if (a) {
		err = err ? err : col_text(st, 3, a, &x->workshop);
		err = err ? err : col_text(st, 5, a, &x->payment_ref);
	} else {
		x->workshop = (const char *)sqlite3_column_text(st, 3);
		x->payment_ref = (const char *)sqlite3_column_text(st, 5);
	}
	x->list_id = sqlite3_column_int64(st, 4);
	x->due_date = col_date(st, 6);
	x->value_date = (am_date)sqlite3_column_int64(st, 7);
	x->posted_at = sqlite3_column_int64(st, 8);
	if (!err)
		err = am__postings_decode(sqlite3_column_blob(st, 9),
					  (size_t)sqlite3_column_bytes(st, 9),
					  x->t.p, &x->t.n);
	if (err == AM_ENOMEM)
		return am__store_errf(s, err, "ledger: out of memory");
	if (err)
		return am__store_errf(s, err,
				      "ledger %" PRId64 ": the row cannot be "
				      "read",
				      x->id);
	return 0;
}

int am__sq_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
		      struct am_ledger_row *out)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_LEDGER_GET, &st);

	if (!err)
		err = step_row(s, st, sqlite3_bind_int64(st, 1, id), "ledger");
	if (err)
		return err;
	err = ledger_row(s, st, a, out);
	am__sq_finish(st);
	return err;
}

/* Each row of a prepared, bound LEDGER_COLUMNS statement, to fn. */
static int ledger_rows(struct am_store *s, sqlite3_stmt *st, int rc,
		       int (*fn)(void *ctx, const struct am_ledger_row *t),
		       void *ctx)
{
	struct am_ledger_row x;
	int err = 0;

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = 0;
		err = ledger_row(s, st, NULL, &x);
		if (!err)
			err = fn(ctx, &x);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "ledger");
	am__sq_finish(st);
	return err;
}

int am__sq_ledger_walk(struct am_store *s,
		       int (*fn)(void *ctx, const struct am_ledger_row *t),
		       void *ctx)
{
	sqlite3_stmt *st = NULL;
	int err = prepare(s, W_LEDGER_ALL, &st);

	return err ? err : ledger_rows(s, st, 0, fn, ctx);
}

int am__sq_history_insert(struct am_store *s, const struct am_history_row *r,
			  int period, int64_t now, bool *existed,
			  struct am_history_row *old, bool *wrote)
{
	sqlite3_stmt *st = NULL;
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
		return 0;
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
			struct am_payment_row *out)
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
 * Views.
 */

/* A person's migrated months, in period and workshop order. */
int am__sq_history_rows(struct am_store *s, const char *national_code,
			int (*fn)(void *ctx, const struct am_history_row *r),
			void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_MIGRATED_PERSON, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, national_code);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *w = sqlite3_column_text(st, 1);
		struct am_history_row r;

		rc = 0;
		r.national_code = national_code;
		r.period = period_of(sqlite3_column_int64(st, 0));
		r.workshop = w ? (const char *)w : "";
		r.days = sqlite3_column_int(st, 2);
		r.subject_wage = sqlite3_column_int64(st, 3);
		r.hard_harmful_days = sqlite3_column_int(st, 4);
		err = fn(ctx, &r);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "history");
	am__sq_finish(st);
	return err;
}

/* A workshop's transactions: its lists' assessments (from its lists'
 * txn) and the rest (the partial index), merged by id. */
/* The assessments of ids[*i..) below id (INT64_MAX: all of them), to fn:
 * read by id; a list with nothing assessed has none. */
static int assessments_before(struct am_store *s, const struct grow *ids,
			      size_t *i, int64_t id,
			      int (*fn)(void *ctx,
					const struct am_ledger_row *t),
			      void *ctx, struct am_arena *a)
{
	const int64_t *v = ids->v;
	int err = 0;

	while (!err && *i < ids->n && v[*i] < id) {
		struct am_ledger_row x;

		err = am__sq_ledger_get(s, v[(*i)++], a, &x);
		if (err == AM_ENOT_FOUND)
			err = 0;
		else if (!err)
			err = fn(ctx, &x);
		am_arena_clear(a);
	}
	return err;
}

int am__sq_workshop_txns(struct am_store *s, const char *workshop,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx)
{
	struct grow ids = { NULL, 0, 0, sizeof(int64_t) };
	struct am_arena a;
	sqlite3_stmt *st = NULL;
	size_t i = 0;
	int rc, err = prepare(s, W_WORKSHOP_LISTS, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, workshop);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t *id = grow_next(&ids);

		rc = 0;
		if (!id) {
			err = am__store_errf(s, AM_ENOMEM,
					     "statement: out of memory");
			break;
		}
		*id = sqlite3_column_int64(st, 0);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "statement");
	am__sq_finish(st);
	if (!err)
		err = prepare(s, W_WORKSHOP_LEDGER, &st);
	if (err) {
		free(ids.v);
		return err;
	}
	am_arena_init(&a, 1024);
	rc = am__sq_bind_text(st, 1, workshop);
	while (!err && !rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_ledger_row y;

		rc = 0;
		err = ledger_row(s, st, NULL, &y);
		/* The assessments before it first (ids only ascend). */
		if (!err)
			err = assessments_before(s, &ids, &i, y.id, fn, ctx,
						 &a);
		if (!err)
			err = fn(ctx, &y);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "statement");
	am__sq_finish(st);
	if (!err)
		err = assessments_before(s, &ids, &i, INT64_MAX, fn, ctx, &a);
	am_arena_release(&a);
	free(ids.v);
	return err;
}

/* A workshop's posted lists of a period, in list number order. */
int am__sq_lists_posted(struct am_store *s, const char *workshop, int period,
			int (*fn)(void *ctx, const struct am_list_head *h),
			void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc, err = prepare(s, W_EXPORT_HEAD, &st);

	if (err)
		return err;
	rc = am__sq_bind_text(st, 1, workshop);
	rc = rc ? rc : sqlite3_bind_int(st, 2, period);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_list_head h;

		rc = 0;
		h.id = sqlite3_column_int64(st, 0);
		col_code(st, 1, h.list_no, sizeof(h.list_no));
		h.lines = sqlite3_column_int64(st, 2);
		err = fn(ctx, &h);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "export");
	am__sq_finish(st);
	return err;
}

int am__sq_list_body(struct am_store *s, int64_t id, struct am_arena *a,
		     const uint8_t **body, size_t *len)
{
	sqlite3_stmt *st = NULL;
	const void *p;
	size_t n;
	int err = prepare(s, W_EXPORT_BODY, &st);

	if (!err)
		err = step_row(s, st, sqlite3_bind_int64(st, 1, id), "export");
	if (err)
		return err;
	p = sqlite3_column_blob(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 0);
	*body = n ? am_arena_alloc(a, n) : NULL;
	if (n && *body)
		memcpy((void *)*body, p, n);
	*len = n;
	am__sq_finish(st);
	return n && !*body
		       ? am__store_errf(s, AM_ENOMEM, "export: out of memory")
		       : 0;
}

/*
 * The migration to the ledger (0004_ledger.sql's data step): the journal's
 * rows, one per posting, gathered by transaction, and each list's
 * assessment, kept on its row until now, as the ledger's transactions;
 * then the journal goes. The assessment's postings are what the domain's
 * rule makes of the amounts the row holds (am_ledger_assessment_posted()),
 * as the reversal of an amended list has always read them.
 */

static int migrate_journal(struct am_store *s)
{
	sqlite3 *db = am__sq_db(s);
	struct am_ledger_row x;
	sqlite3_stmt *st = NULL;
	struct am_arena a;
	bool open = false;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT txn, account, debit, credit, kind,"
				" period, workshop, list_id, payment_ref,"
				" due_date, value_date, posted_at FROM journal"
				" ORDER BY txn, id",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return am__sq_fail(s, rc, "migrate the journal");
	am_arena_init(&a, 1024);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t txn = sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 4);
		struct am_posting *p;

		if (open && txn != x.id) {
			err = am__sq_ledger_append(s, &x);
			am_arena_clear(&a);
			open = false;
		}
		if (err)
			break;
		if (!open) {
			memset(&x, 0, sizeof(x));
			x.id = txn;
			if (!kind || am_txn_kind_parse(kind, &x.t.kind)) {
				err = am__store_errf(
					s, AM_ESTORE_CORRUPT,
					"journal %" PRId64 ": kind", txn);
				break;
			}
			x.period = sqlite3_column_int(st, 5);
			err = col_text(st, 6, &a, &x.workshop);
			err = err ? err : col_text(st, 8, &a, &x.payment_ref);
			x.list_id = sqlite3_column_int64(st, 7);
			x.due_date = col_date(st, 9);
			x.value_date = (am_date)sqlite3_column_int64(st, 10);
			x.posted_at = sqlite3_column_int64(st, 11);
			open = true;
			if (err) {
				err = am__store_errf(s, err,
						     "migrate the journal");
				break;
			}
		}
		if (x.t.n == AM_TXN_POSTINGS_MAX) {
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "journal %" PRId64
					     ": more than %d postings",
					     txn, AM_TXN_POSTINGS_MAX);
			break;
		}
		p = &x.t.p[x.t.n++];
		col_code(st, 1, p->account, sizeof(p->account));
		p->debit = sqlite3_column_int64(st, 2);
		p->credit = sqlite3_column_int64(st, 3);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "migrate the journal");
	if (!err && open)
		err = am__sq_ledger_append(s, &x);
	sqlite3_finalize(st);
	am_arena_release(&a);
	return err;
}

static int migrate_assessments(struct am_store *s)
{
	sqlite3 *db = am__sq_db(s);
	struct am_ledger_row x;
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT txn, workshop, period, id, t_insured,"
				" t_employer, t_state, t_unemployment,"
				" t_hard_harmful, owed_workshop, owed_state,"
				" due_date, value_date, posted_at"
				" FROM wage_lists ORDER BY txn",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return am__sq_fail(s, rc, "migrate the assessments");
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct am_assessed_shares sh = { sqlite3_column_int64(st, 4),
						 sqlite3_column_int64(st, 5),
						 sqlite3_column_int64(st, 6),
						 sqlite3_column_int64(st, 7),
						 sqlite3_column_int64(st, 8) };

		memset(&x, 0, sizeof(x));
		x.id = sqlite3_column_int64(st, 0);
		x.workshop = (const char *)sqlite3_column_text(st, 1);
		x.period = sqlite3_column_int(st, 2);
		x.list_id = sqlite3_column_int64(st, 3);
		x.due_date = col_date(st, 11);
		x.value_date = (am_date)sqlite3_column_int64(st, 12);
		x.posted_at = sqlite3_column_int64(st, 13);
		if (!x.workshop ||
		    am_ledger_assessment_posted(
			    x.workshop, &sh, sqlite3_column_int64(st, 9),
			    sqlite3_column_int64(st, 10), &x.t)) {
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "list %" PRId64
					     ": its assessment does not "
					     "balance",
					     x.list_id);
			break;
		}
		x.t.kind = AM_TXN_ASSESSMENT;
		if (x.t.n)
			err = am__sq_ledger_append(s, &x);
	}
	if (!err && rc != SQLITE_DONE)
		err = am__sq_fail(s, rc, "migrate the assessments");
	sqlite3_finalize(st);
	return err;
}

int am__sq_migrate_ledger(struct am_store *s)
{
	int err = migrate_journal(s);
	int rc;

	if (!err)
		err = migrate_assessments(s);
	if (err)
		return err;
	rc = sqlite3_exec(am__sq_db(s), "DROP TABLE journal", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : am__sq_fail(s, rc, "drop the journal");
}
