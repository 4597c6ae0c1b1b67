/* Moving a whole database between backends ("amanat db copy"): the
 * logical tables walked on one side and loaded into the other in one
 * transaction, the by-person index rebuilt from the lists' bodies, and the
 * copy checked against its source before that transaction commits. */
#include "core/internal.h"

#include <sodium.h>

#include "store/store_int.h"

/*
 * The logical tables: what every backend holds under these names with
 * these columns (src/store/migrations/ after 0004, and
 * migrations_pg/0001), parents before children. What a backend keeps
 * beside them for its own access paths (SQLite's person_index,
 * index_segments, person_codes, workshop_keys and sequences; its
 * schema_migrations) is not here: a load keeps its side tables, and
 * copy.c rebuilds the by-person index.
 *
 * order is each table's key, which a walk orders by. Both sides must give
 * the same order for their digests to agree: a backend orders text by its
 * bytes (PostgreSQL: COLLATE "C"), as SQLite does.
 */
static const char *const persons_cols[] = {
	"national_code", "first_name", "last_name",   "father_name",
	"birth_date",	 "sex",	       "nationality", "insurance_no",
	"created_at",	 "updated_at",
};
static const char *const employers_cols[] = {
	"id", "kind", "name", "address", "phone", "created_at", "updated_at",
};
static const char *const workshops_cols[] = {
	"code",		"name",		"employer_id", "address",
	"province",	"branch",	"activity",    "scheme",
	"hard_harmful", "small_exempt", "created_at",  "updated_at",
};
static const char *const dependants_cols[] = {
	"main_insured", "dependant",  "relation",   "since",
	"until",	"created_at", "updated_at",
};
static const char *const meta_cols[] = { "key", "value" };
static const char *const idempotency_cols[] = {
	"key",
	"request_hash",
	"created_at",
	"result",
};
static const char *const audit_cols[] = {
	"seq",	   "at",      "actor",	   "action",
	"subject", "payload", "prev_hash", "hash",
};
static const char *const wage_lists_cols[] = {
	"id",
	"workshop",
	"year",
	"month",
	"period",
	"list_no",
	"revision",
	"hash",
	"status",
	"source_file",
	"lines",
	"t_days",
	"t_subject",
	"t_insured",
	"t_employer",
	"t_state",
	"t_unemployment",
	"t_hard_harmful",
	"owed_workshop",
	"owed_state",
	"rules_identity",
	"due_date",
	"state_pays_employer",
	"txn",
	"value_date",
	"posted_at",
	"superseded_by",
	"body",
};
static const char *const ledger_cols[] = {
	"id",	       "kind",	   "period",	 "workshop",  "list_id",
	"payment_ref", "due_date", "value_date", "posted_at", "postings",
};
static const char *const payments_cols[] = {
	"reference", "workshop",  "period",	 "amount",    "paid_on",
	"matched",   "unmatched", "journal_txn", "posted_at",
};
static const char *const history_migrated_cols[] = {
	"period",	"national_code",     "workshop",    "days",
	"subject_wage", "hard_harmful_days", "imported_at",
};

/* A table's name and columns, from its array above. */
#define TABLE(name) #name, name##_cols, AM_ARRAY_SIZE(name##_cols)

const struct am__table am__tables[] = {
	{ TABLE(persons), "national_code" },
	{ TABLE(employers), "id" },
	{ TABLE(workshops), "code" },
	{ TABLE(dependants), "main_insured, dependant" },
	{ TABLE(meta), "key" },
	{ TABLE(idempotency), "key" },
	{ TABLE(audit), "seq" },
	/* By its key, the period first: a period's lists come together, and
	 * so their index entries (below). A list names the later one that
	 * superseded it: the loads' foreign keys are checked at the commit. */
	{ TABLE(wage_lists), "period, workshop, list_no, revision" },
	{ TABLE(ledger), "id" },
	{ TABLE(payments), "reference" },
	{ TABLE(history_migrated), "national_code, period, workshop" },
};
const size_t am__tables_nr = AM_ARRAY_SIZE(am__tables);

static_assert(AM_ARRAY_SIZE(am__tables) <= AM_COPY_TABLES_MAX,
	      "struct am_copy_report holds every table");

/* Rows given to rows_load() at once, or fewer when their bytes (the lists'
 * bodies) reach ROWS_BYTES. */
#define ROWS_BATCH 1024
#define ROWS_BYTES ((size_t)16 << 20)
/* Index entries given to index_add() at once, all of one period: what a
 * posting transaction gives it (src/app/posting.c, FLUSH_ENTRIES). */
#define INDEX_BATCH ((size_t)1 << 19)
/* Progress is reported every so many rows or persons. */
#define PROGRESS_EVERY 4096
/* What a walk's function returns to stop it (errors are negative). */
#define STOP 1

const char *am_copy_check_text(enum am_copy_check c, bool persian)
{
	static const char *const text[][2] = {
		[AM_COPY_OK] = { "the copy equals its source",
				 "رونوشت با مبدأ یکی است" },
		[AM_COPY_NOT_EMPTY] = { "a table of the target holds rows",
					"جدولی از پایگاه دادهٔ مقصد ردیف دارد" },
		[AM_COPY_ROWS] = { "a table's row count differs",
				   "شمار ردیف‌های یک جدول برابر نیست" },
		[AM_COPY_DIGEST] = { "a table's rows differ",
				     "ردیف‌های یک جدول یکی نیستند" },
		[AM_COPY_AUDIT] = { "the copy's audit chain does not verify",
				    "زنجیرهٔ ممیزی رونوشت سالم نیست" },
		[AM_COPY_LEDGER] = { "the copy's ledger does not balance or "
				     "its totals differ from the source's",
				     "دفتر رونوشت تراز نیست یا جمع‌های آن "
				     "با مبدأ برابر نیست" },
		[AM_COPY_HISTORY] = { "a person's history differs",
				      "سابقهٔ یک بیمه‌شده با مبدأ برابر نیست" },
	};

	if ((unsigned)c >= AM_ARRAY_SIZE(text))
		return persian ? "بررسی ناشناخته" : "unknown check";
	return text[c][persian ? 1 : 0];
}

struct copy {
	struct am_store *from, *to;
	const struct am_copy_opts *opts;
	struct am_copy_report *rep;
	bool cb_failed; /* a walk's function failed: its message is on to */

	/* The table being copied, its digest, and its rows read but not
	 * yet loaded, their bytes in an arena. */
	const struct am__table *t;
	struct am_copy_table *ct;
	crypto_generichash_state h;
	struct am__val *rows; /* ROWS_BATCH rows of the widest table */
	size_t nrows, nbytes;
	struct am_arena bytes;
	/* Its columns this file reads: a national code (persons, migrated
	 * months), a list's id, period, line count and body. */
	size_t c_code, c_id, c_period, c_lines, c_body;

	/* The index entries of the lists loaded, all of one period, not yet
	 * given to index_add(). */
	struct am_index_entry *e;
	size_t ne, e_alloc;
	int period;
	struct am_arena line; /* a decoded line's strings */

	/* The persons whose histories are compared: every line's, every
	 * migrated month's. Repeats are dropped as the array fills. */
	struct who *who;
	size_t nwho, who_alloc;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(struct copy *c, const char *stage, const char *table,
		     uint64_t done, uint64_t total, bool finished)
{
	struct am_copy_progress p = { stage, table, done, total, finished };

	if (c->opts && c->opts->progress)
		c->opts->progress(c->opts->ctx, &p);
}

/* A failure of the source's, its message carried to the target's handle,
 * where am_store_copy() reports every failure. */
static int from_fail(struct copy *c, int err)
{
	return am__store_errf(c->to, err, "the source: %s",
			      c->from->errmsg[0] ? c->from->errmsg
						 : am_strerror(err));
}

/* A check that found the copy unlike its source. */
static int mismatch(struct copy *c, enum am_copy_check check, const char *table,
		    const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int mismatch(struct copy *c, enum am_copy_check check, const char *table,
		    const char *subject, const char *fmt, ...)
{
	va_list ap;

	c->rep->failed = check;
	c->rep->table = table;
	am__strlcpy(c->rep->subject, subject ? subject : "",
		    sizeof(c->rep->subject));
	va_start(ap, fmt);
	vsnprintf(c->to->errmsg, sizeof(c->to->errmsg), fmt, ap);
	va_end(ap);
	return AM_ESTORE_COPY_MISMATCH;
}

static size_t col_of(const struct am__table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return i;
	return SIZE_MAX;
}

/*
 * A table's digest: BLAKE2b-256 over its rows in key order, each value
 * as its type, then its integer or its length and bytes (eight bytes,
 * little-endian). The same on every backend, whatever its own types.
 */
static void digest_row(crypto_generichash_state *h, const struct am__val *row,
		       size_t ncols)
{
	for (size_t i = 0; i < ncols; i++) {
		const struct am__val *v = &row[i];
		uint64_t x = v->type == AM__VAL_INT ? (uint64_t)v->i
						    : (uint64_t)v->n;
		uint8_t head[9];
		size_t len = 1;

		head[0] = (uint8_t)v->type;
		if (v->type != AM__VAL_NULL) {
			for (size_t k = 0; k < 8; k++)
				head[1 + k] = (uint8_t)(x >> (8 * k));
			len = 9;
		}
		crypto_generichash_update(h, head, len);
		if ((v->type == AM__VAL_TEXT || v->type == AM__VAL_BLOB) &&
		    v->n)
			crypto_generichash_update(h, v->p, v->n);
	}
}

/*
 * The persons to compare histories of, each with the first list that
 * names them. They are compared in the order of that list, not of their
 * codes: the persons of one list come together, and their other months
 * are mostly in the same workshop's lists, so the lists' pages a history
 * reads are the ones the one before read. On the 200,000-insured
 * province (2.4 million lines, 64 KiB pages) one side's histories took
 * 265 s in code order and 66 s in this one: in code order each line read
 * was a page of wage_lists at random.
 */
struct who {
	int64_t first; /* the first list naming them; INT64_MAX: none */
	int64_t code;
};

static int cmp_code(const void *x, const void *y)
{
	const struct who *a = x, *b = y;

	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static int cmp_first(const void *x, const void *y)
{
	const struct who *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->code < b->code ? -1 : a->code > b->code;
}

/* Each person once, with the first list of all their entries. */
static void who_unique(struct copy *c)
{
	size_t k = 0;

	if (c->nwho < 2)
		return;
	qsort(c->who, c->nwho, sizeof(*c->who), cmp_code);
	for (size_t i = 0; i < c->nwho; i++)
		if (!k || c->who[i].code != c->who[k - 1].code)
			c->who[k++] = c->who[i];
	c->nwho = k;
}

static int who_add(struct copy *c, int64_t code, int64_t first)
{
	if (c->nwho == c->who_alloc) {
		/* Repeats out first; grown only when they were few. */
		who_unique(c);
		if (c->nwho >= c->who_alloc / 2) {
			size_t alloc = c->who_alloc ? c->who_alloc * 2 : 65536;
			struct who *v = reallocarray(c->who, alloc, sizeof(*v));

			if (!v)
				return am__store_errf(c->to, AM_ENOMEM,
						      "copy: out of memory");
			c->who = v;
			c->who_alloc = alloc;
		}
	}
	c->who[c->nwho].code = code;
	c->who[c->nwho].first = first;
	c->nwho++;
	return 0;
}

/* A registered person's or a migrated month's code. One that is no
 * number of ten digits (history_migrated checks only the length) has no
 * index entry, so its history is its migrated rows, which the table's
 * digest compares. */
static int person_code(struct copy *c, const struct am__val *v)
{
	char text[11];
	int64_t code;

	if (v->type != AM__VAL_TEXT || v->n != 10)
		return 0;
	memcpy(text, v->p, 10);
	text[10] = '\0';
	return am__code_int(text, &code) ? 0 : who_add(c, code, INT64_MAX);
}

/*
 * Loading: rows gathered into batches for rows_load().
 */

static int flush_rows(struct copy *c)
{
	int err = 0;

	if (c->nrows)
		err = c->to->be->rows_load(c->to, c->t, c->rows, c->nrows);
	c->nrows = 0;
	c->nbytes = 0;
	am_arena_clear(&c->bytes);
	return err;
}

/* Keep a copy of row (its values point into the walk's memory). */
static int keep_row(struct copy *c, const struct am__val *row)
{
	size_t ncols = c->t->ncols;
	struct am__val *dst = c->rows + c->nrows * ncols;

	for (size_t i = 0; i < ncols; i++) {
		dst[i] = row[i];
		if (row[i].type != AM__VAL_TEXT && row[i].type != AM__VAL_BLOB)
			continue;
		if (!row[i].n) {
			dst[i].p = "";
			continue;
		}
		dst[i].p = am_arena_alloc(&c->bytes, row[i].n);
		if (!dst[i].p)
			return am__store_errf(c->to, AM_ENOMEM,
					      "copy %s: out of memory",
					      c->t->name);
		memcpy((void *)dst[i].p, row[i].p, row[i].n);
		c->nbytes += row[i].n;
	}
	c->nrows++;
	return c->nrows == ROWS_BATCH || c->nbytes >= ROWS_BYTES ? flush_rows(c)
								 : 0;
}

/*
 * The by-person index, rebuilt from the lists' bodies: each line's
 * national code and where it starts, as the posting gave them. A batch
 * holds one period's entries, sorted by code, then list, then offset (as
 * src/app/posting.c's sort_entries() leaves a transaction's), and its segment is
 * its lowest list id: the lists of every batch are others, so no two
 * batches of a period share a segment. Superseded lists are indexed too;
 * the readers skip them.
 */

static int cmp_entry(const void *x, const void *y)
{
	const struct am_index_entry *a = x, *b = y;

	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	if (a->list_id != b->list_id)
		return a->list_id < b->list_id ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int flush_index(struct copy *c)
{
	int64_t segment = INT64_MAX;
	int err;

	if (!c->ne)
		return 0;
	/* The lists' rows before the entries that name them. */
	err = flush_rows(c);
	if (err)
		return err;
	qsort(c->e, c->ne, sizeof(*c->e), cmp_entry);
	for (size_t i = 0; !err && i < c->ne; i++) {
		if (c->e[i].list_id < segment)
			segment = c->e[i].list_id;
		/* A person's first entry of the batch: its lowest list. */
		if (!i || c->e[i].code != c->e[i - 1].code)
			err = who_add(c, c->e[i].code, c->e[i].list_id);
	}
	if (!err)
		err = c->to->be->index_add(c->to, c->e, c->ne, segment);
	c->rep->lines_indexed += (int64_t)c->ne;
	c->ne = 0;
	return err;
}

static int entries_room(struct copy *c, size_t more)
{
	size_t alloc = c->e_alloc ? c->e_alloc : 4096;
	struct am_index_entry *e;

	if (c->ne + more <= c->e_alloc)
		return 0;
	while (alloc < c->ne + more)
		alloc *= 2;
	e = reallocarray(c->e, alloc, sizeof(*e));
	if (!e)
		return am__store_errf(c->to, AM_ENOMEM, "copy: out of memory");
	c->e = e;
	c->e_alloc = alloc;
	return 0;
}

/* A list's lines as index entries. */
static int index_list(struct copy *c, const struct am__val *row)
{
	const struct am__val *id = &row[c->c_id], *per = &row[c->c_period],
			     *lines = &row[c->c_lines], *body = &row[c->c_body];
	struct am__body_head h;
	const uint8_t *p;
	size_t at, n;
	int err;

	if (id->type != AM__VAL_INT || per->type != AM__VAL_INT ||
	    lines->type != AM__VAL_INT || body->type != AM__VAL_BLOB ||
	    per->i < 0 || per->i > INT32_MAX || lines->i < 0 ||
	    (uint64_t)lines->i > body->n)
		return am__store_errf(c->to, AM_ESTORE_CORRUPT,
				      "the source: a row of wage_lists is no "
				      "list's (id %" PRId64 ")",
				      id->type == AM__VAL_INT ? id->i : 0);
	if (c->ne &&
	    (per->i != c->period || c->ne + (size_t)lines->i > INDEX_BATCH)) {
		err = flush_index(c);
		if (err)
			return err;
	}
	err = entries_room(c, (size_t)lines->i);
	if (err)
		return err;
	p = body->p;
	n = body->n;
	err = am__body_head(p, n, &h);
	at = h.lines_at;
	for (int64_t k = 0; !err && k < lines->i; k++) {
		struct am_index_entry *e = &c->e[c->ne];
		struct am_wage_line ln;
		struct am_line_assessment a;
		size_t offset = at;

		err = am__body_decode_line(&h, p, n, at, &c->line, &ln, &a,
					   &at);
		if (!err && offset > UINT32_MAX)
			err = AM_ESTORE_CORRUPT;
		if (!err && am__code_int(ln.national_code, &e->code))
			err = AM_ESTORE_CORRUPT;
		if (err)
			break;
		e->list_id = id->i;
		e->offset = (uint32_t)offset;
		e->period = (int32_t)per->i;
		e->tag = 0;
		c->ne++;
	}
	am_arena_clear(&c->line);
	if (!err && at != n)
		err = AM_ESTORE_CORRUPT;
	if (err)
		return am__store_errf(
			c->to, err == AM_ENOMEM ? err : AM_ESTORE_CORRUPT,
			"the source: the lines of list %" PRId64
			" cannot be read",
			id->i);
	c->period = (int)per->i;
	return 0;
}

/*
 * Copying a table.
 */

static int copy_row(void *ctx, const struct am__val *row)
{
	struct copy *c = ctx;
	int err = 0;

	digest_row(&c->h, row, c->t->ncols);
	c->ct->rows++;
	if (c->c_code != SIZE_MAX)
		err = person_code(c, &row[c->c_code]);
	if (!err && c->c_body != SIZE_MAX)
		err = index_list(c, row);
	if (!err)
		err = keep_row(c, row);
	if (!err && c->ct->rows % PROGRESS_EVERY == 0)
		progress(c, "copy", c->t->name, (uint64_t)c->ct->rows, 0,
			 false);
	if (err)
		c->cb_failed = true;
	return err;
}

static int copy_table(struct copy *c, const struct am__table *t,
		      struct am_copy_table *ct)
{
	bool lists = !strcmp(t->name, "wage_lists");
	int err;

	c->t = t;
	c->ct = ct;
	ct->name = t->name;
	c->cb_failed = false;
	/* A registered person named by no line and no migrated month has an
	 * empty history on both sides (the target's index holds only the
	 * entries rebuilt from the lists, and they are counted): reading it
	 * twice for each of a national registry's 48 million would take
	 * hours and compare nothing. */
	c->c_code = !strcmp(t->name, "history_migrated")
			    ? col_of(t, "national_code")
			    : SIZE_MAX;
	c->c_id = lists ? col_of(t, "id") : SIZE_MAX;
	c->c_period = lists ? col_of(t, "period") : SIZE_MAX;
	c->c_lines = lists ? col_of(t, "lines") : SIZE_MAX;
	c->c_body = lists ? col_of(t, "body") : SIZE_MAX;
	if (lists && (c->c_id == SIZE_MAX || c->c_period == SIZE_MAX ||
		      c->c_lines == SIZE_MAX || c->c_body == SIZE_MAX))
		return am__store_errf(c->to, AM_EINTERNAL,
				      "copy: wage_lists lacks a column");
	crypto_generichash_init(&c->h, NULL, 0, sizeof(ct->digest));
	progress(c, "copy", t->name, 0, 0, false);
	err = c->from->be->rows_walk(c->from, t, copy_row, c);
	if (err && !c->cb_failed)
		err = from_fail(c, err);
	if (!err)
		err = flush_index(c);
	if (!err)
		err = flush_rows(c);
	crypto_generichash_final(&c->h, ct->digest, sizeof(ct->digest));
	if (!err)
		progress(c, "copy", t->name, (uint64_t)ct->rows,
			 (uint64_t)ct->rows, true);
	return err;
}

static int seen_row(void *ctx, const struct am__val *row)
{
	(void)row;
	*(bool *)ctx = true;
	return STOP;
}

/* Every logical table of the target empty (its own side tables follow
 * from them). */
static int target_empty(struct copy *c)
{
	for (size_t i = 0; i < am__tables_nr; i++) {
		const struct am__table *t = &am__tables[i];
		bool any = false;
		int err = c->to->be->rows_walk(c->to, t, seen_row, &any);

		if (err == STOP && any) {
			c->rep->failed = AM_COPY_NOT_EMPTY;
			c->rep->table = t->name;
			return am__store_errf(
				c->to, AM_ESTORE_COPY_NOT_EMPTY,
				"the target's table %s holds rows: copy into "
				"a new database, which amanat db copy "
				"creates (not amanat init)",
				t->name);
		}
		if (err)
			return err == STOP ? AM_EINTERNAL : err;
	}
	return 0;
}

/* The index's segments merged, where the backend merges them (SQLite);
 * no audit entry, unlike am_store_compact(): the trail is the source's. */
static int index_merge(struct copy *c)
{
	int64_t n = 0;
	int err;

	if (!c->to->be->compact)
		return 0;
	progress(c, "index", NULL, 0, (uint64_t)c->rep->lines_indexed, false);
	err = c->to->be->compact(c->to, &n);
	if (!err)
		progress(c, "index", NULL, (uint64_t)c->rep->lines_indexed,
			 (uint64_t)c->rep->lines_indexed, true);
	return err;
}

/*
 * The checks, inside the target's transaction: what it would commit.
 */

struct reread {
	crypto_generichash_state h; /* first: it is aligned to 64 bytes */
	struct copy *c;
	const struct am__table *t;
	int64_t rows, total;
};

static int reread_row(void *ctx, const struct am__val *row)
{
	struct reread *r = ctx;

	digest_row(&r->h, row, r->t->ncols);
	if (++r->rows % PROGRESS_EVERY == 0)
		progress(r->c, "verify", r->t->name, (uint64_t)r->rows,
			 (uint64_t)r->total, false);
	return 0;
}

static int verify_tables(struct copy *c)
{
	for (size_t i = 0; i < am__tables_nr; i++) {
		const struct am_copy_table *ct = &c->rep->tables[i];
		struct reread r;
		uint8_t digest[sizeof(ct->digest)];
		int err;

		memset(&r, 0, sizeof(r));
		r.c = c;
		r.t = &am__tables[i];
		r.total = ct->rows;
		crypto_generichash_init(&r.h, NULL, 0, sizeof(digest));
		progress(c, "verify", r.t->name, 0, (uint64_t)ct->rows, false);
		err = c->to->be->rows_walk(c->to, r.t, reread_row, &r);
		crypto_generichash_final(&r.h, digest, sizeof(digest));
		if (err)
			return err;
		if (r.rows != ct->rows)
			return mismatch(c, AM_COPY_ROWS, ct->name, NULL,
					"table %s: %" PRId64
					" rows in the source, %" PRId64
					" in the copy",
					ct->name, ct->rows, r.rows);
		if (sodium_memcmp(digest, ct->digest, sizeof(digest)))
			return mismatch(c, AM_COPY_DIGEST, ct->name, NULL,
					"table %s: its rows in the copy are "
					"not the source's",
					ct->name);
		progress(c, "verify", r.t->name, (uint64_t)r.rows,
			 (uint64_t)ct->rows, true);
	}
	return 0;
}

static int verify_audit(struct copy *c)
{
	struct am_audit_verify_result r;
	int err = am_store_audit_verify(c->to, &r);

	if (err == AM_EAUDIT_BROKEN)
		return mismatch(
			c, AM_COPY_AUDIT, "audit", NULL,
			"the copy's audit chain breaks at entry %" PRIu64
			": %s (amanat audit verify on the source says "
			"whether it was broken there)",
			r.broken_seq, am_audit_problem_text(r.problem, false));
	if (err)
		return err;
	c->rep->audit_entries = r.count;
	memcpy(c->rep->audit_head, r.head, sizeof(r.head));
	return 0;
}

static int ledger_add(void *ctx, const struct am_ledger_row *x)
{
	am_ledger_totals_add(ctx, &x->t);
	return 0;
}

/* The target's ledger balances, with the source's totals. */
static int verify_ledger(struct copy *c)
{
	struct am_ledger_totals f = { 0, 0, 0, false }, t = { 0, 0, 0, false };
	bool balanced;
	int err = c->from->be->ledger_walk(c->from, ledger_add, &f);

	if (err)
		return from_fail(c, err);
	err = c->to->be->ledger_walk(c->to, ledger_add, &t);
	if (err)
		return err;
	balanced = !t.overflow && t.debit == t.credit && !t.unbalanced;
	if (f.overflow || !balanced || t.debit != f.debit ||
	    t.credit != f.credit)
		return mismatch(c, AM_COPY_LEDGER, "ledger", NULL,
				"the copy's ledger %s: debits %" PRId64
				" and credits %" PRId64
				" against the source's %" PRId64
				" and %" PRId64,
				balanced ? "differs" : "does not balance",
				t.debit, t.credit, f.debit, f.credit);
	c->rep->ledger_debit = t.debit;
	c->rep->ledger_credit = t.credit;
	return 0;
}

static int cmp_str(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "");
}

static int cmp_i64(int64_t x, int64_t y)
{
	return x < y ? -1 : x > y;
}

/* A person's line as the views read it: a total order on what they
 * show, so that two sides' lines sort alike whatever order their indexes
 * hold them in, and compare equal when the views would. */
static int cmp_ref(const void *p, const void *q)
{
	const struct am_line_ref *x = p, *y = q;
	const struct am_wage_line *a = &x->ln, *b = &y->ln;
	const struct am_line_assessment *u = &x->a, *v = &y->a;
	const int64_t xs[] = { x->period,
			       x->posted,
			       a->days,
			       a->subject_wage,
			       a->daily_wage,
			       a->monthly_wage,
			       a->benefits,
			       a->total_pay,
			       a->start_date,
			       a->end_date,
			       u->base,
			       u->insured,
			       u->employer,
			       u->state,
			       u->unemployment,
			       u->hard_harmful,
			       u->hard_harmful_days };
	const int64_t ys[] = { y->period,
			       y->posted,
			       b->days,
			       b->subject_wage,
			       b->daily_wage,
			       b->monthly_wage,
			       b->benefits,
			       b->total_pay,
			       b->start_date,
			       b->end_date,
			       v->base,
			       v->insured,
			       v->employer,
			       v->state,
			       v->unemployment,
			       v->hard_harmful,
			       v->hard_harmful_days };
	int r = strcmp(x->workshop, y->workshop);

	r = r ? r : strcmp(x->list_no, y->list_no);
	for (size_t i = 0; !r && i < AM_ARRAY_SIZE(xs); i++)
		r = cmp_i64(xs[i], ys[i]);
	r = r ? r : cmp_str(a->job_code, b->job_code);
	return r ? r : cmp_str(a->occupation, b->occupation);
}

/* A person's migrated months, gathered. */
struct month {
	struct am_period period;
	char workshop[11];
	int days, hard_harmful_days;
	am_money subject_wage;
};

struct months {
	struct month *v;
	size_t n, cap;
};

static int month_add(void *ctx, const struct am_history_row *r)
{
	struct months *m = ctx;
	struct month *x;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct month *v = reallocarray(m->v, cap, sizeof(*v));

		if (!v)
			return AM_ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	x = memset(&m->v[m->n++], 0, sizeof(*x));
	x->period = r->period;
	am__strlcpy(x->workshop, r->workshop, sizeof(x->workshop));
	x->days = r->days;
	x->hard_harmful_days = r->hard_harmful_days;
	x->subject_wage = r->subject_wage;
	return 0;
}

/* What the views of a person are made of on one side: the lines its
 * by-person index finds, read back, sorted (cmp_ref()), and the migrated
 * months. */
static int person_rows(struct am_store *s, const char *code, struct am_arena *a,
		       size_t *n, struct am_line_ref **refs, struct months *m)
{
	int err = am_store_person_lines(s, code, 0, a, n, refs);

	if (!err && *n > 1)
		qsort(*refs, *n, sizeof(**refs), cmp_ref);
	m->n = 0;
	if (!err)
		err = s->be->history_rows(s, code, month_add, m);
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "copy: out of memory");
	return err;
}

static bool person_equal(size_t nx, const struct am_line_ref *x,
			 const struct months *mx, size_t ny,
			 const struct am_line_ref *y, const struct months *my)
{
	if (nx != ny || mx->n != my->n)
		return false;
	for (size_t i = 0; i < nx; i++)
		if (cmp_ref(&x[i], &y[i]))
			return false;
	for (size_t i = 0; i < mx->n; i++) {
		const struct month *u = &mx->v[i], *v = &my->v[i];

		if (u->period.year != v->period.year ||
		    u->period.month != v->period.month ||
		    strcmp(u->workshop, v->workshop) != 0 ||
		    u->days != v->days ||
		    u->hard_harmful_days != v->hard_harmful_days ||
		    u->subject_wage != v->subject_wage)
			return false;
	}
	return true;
}

/* Each person's lines and migrated months read on both sides as the views
 * read them (am_store_person_lines(), each side's by-person index and
 * reads), not the rows, which the digests compared. */
static int verify_histories(struct copy *c)
{
	struct months mx = { NULL, 0, 0 }, my = { NULL, 0, 0 };
	struct am_arena a, b;
	int err = 0;

	who_unique(c);
	if (c->nwho > 1)
		qsort(c->who, c->nwho, sizeof(*c->who), cmp_first);
	am_arena_init(&a, 0);
	am_arena_init(&b, 0);
	progress(c, "histories", NULL, 0, c->nwho, false);
	for (size_t i = 0; !err && i < c->nwho; i++) {
		struct am_line_ref *x = NULL, *y = NULL;
		size_t nx = 0, ny = 0;
		char code[11];

		am__code_text(c->who[i].code, code);
		err = person_rows(c->from, code, &a, &nx, &x, &mx);
		if (err)
			err = from_fail(c, err);
		if (!err)
			err = person_rows(c->to, code, &b, &ny, &y, &my);
		if (!err && !person_equal(nx, x, &mx, ny, y, &my))
			err = mismatch(c, AM_COPY_HISTORY, NULL, code,
				       "the history of %s differs: %zu "
				       "lines and %zu migrated months in the "
				       "source; %zu and %zu in the copy",
				       code, nx, mx.n, ny, my.n);
		if (!err)
			c->rep->histories++;
		am_arena_clear(&a);
		am_arena_clear(&b);
		if ((i + 1) % PROGRESS_EVERY == 0)
			progress(c, "histories", NULL, i + 1, c->nwho, false);
	}
	free(mx.v);
	free(my.v);
	am_arena_release(&a);
	am_arena_release(&b);
	if (!err)
		progress(c, "histories", NULL, c->nwho, c->nwho, true);
	return err;
}

/*
 * The copy.
 */

static int copy_init(struct copy *c, struct am_store *from, struct am_store *to,
		     const struct am_copy_opts *opts,
		     struct am_copy_report *rep)
{
	size_t width = 0;

	memset(c, 0, sizeof(*c));
	c->from = from;
	c->to = to;
	c->opts = opts;
	c->rep = rep;
	c->c_code = c->c_id = c->c_period = c->c_lines = c->c_body = SIZE_MAX;
	am_arena_init(&c->bytes, (size_t)1 << 20);
	am_arena_init(&c->line, 4096);
	for (size_t i = 0; i < am__tables_nr; i++)
		if (am__tables[i].ncols > width)
			width = am__tables[i].ncols;
	c->rows = calloc((size_t)ROWS_BATCH * width, sizeof(*c->rows));
	return c->rows ? 0
		       : am__store_errf(to, AM_ENOMEM, "copy: out of memory");
}

static void copy_release(struct copy *c)
{
	free(c->rows);
	free(c->e);
	free(c->who);
	am_arena_release(&c->bytes);
	am_arena_release(&c->line);
}

/* Roll the target back, keeping the failure's message. */
static void target_rollback(struct am_store *to)
{
	char saved[AM__STORE_ERRMSG_MAX];

	memcpy(saved, to->errmsg, sizeof(saved));
	am_store_rollback(to);
	memcpy(to->errmsg, saved, sizeof(saved));
}

/* The target only gains rows, and from a copy: nothing it frees is not
 * kept elsewhere, so it is written as a posting is (the backend's posting
 * mode: SQLite's freed space is not overwritten). The store turns the
 * mode off when the transaction ends (store.c). */
static int posting_mode(struct am_store *to)
{
	int err;

	if (!to->be->posting)
		return 0;
	err = to->be->posting(to, true);
	if (!err)
		to->posting = true;
	return err;
}

static int copy_all(struct copy *c)
{
	struct am_copy_report *rep = c->rep;
	double t0 = now_seconds(), t1, t2;
	int err = target_empty(c);

	if (!err)
		err = posting_mode(c->to);
	for (size_t i = 0; !err && i < am__tables_nr; i++) {
		err = copy_table(c, &am__tables[i], &rep->tables[i]);
		rep->ntables = i + 1;
	}
	if (!err)
		err = index_merge(c);
	t1 = now_seconds();
	rep->copy_seconds = t1 - t0;
	if (err)
		return err;
	err = verify_tables(c);
	if (!err)
		err = verify_audit(c);
	if (!err)
		err = verify_ledger(c);
	t2 = now_seconds();
	rep->verify_seconds = t2 - t1;
	if (!err)
		err = verify_histories(c);
	rep->history_seconds = now_seconds() - t2;
	return err;
}

int am_store_copy(struct am_store *from, struct am_store *to,
		  const struct am_copy_opts *opts, struct am_copy_report *out)
{
	struct copy c;
	int err;

	memset(out, 0, sizeof(*out));
	if (from == to)
		return am__store_errf(to, AM_EINVALID_ARGUMENT,
				      "a database is not copied into itself");
	if (from->in_tx || to->in_tx)
		return am__store_errf(to, AM_EINVALID_ARGUMENT,
				      "copy with a transaction open");
	err = copy_init(&c, from, to, opts, out);
	if (err)
		return err;
	err = am__store_ready(from);
	if (!err)
		err = am_store_begin(from);
	if (err) {
		err = from_fail(&c, err);
		goto out_free;
	}
	err = am__store_ready(to);
	if (!err)
		err = am_store_begin(to);
	if (err)
		goto out_from;
	err = copy_all(&c);
	if (err)
		target_rollback(to);
	else
		err = am_store_commit(to);
	if (!err) {
		out->verified = true;
		to->errmsg[0] = '\0';
	}
	/* Upkeep, after the commit: a failure leaves the copy whole and
	 * verified, and is told with its reason in the target's message
	 * (the caller says to run it by hand). */
	if (!err && to->be->after_load) {
		double t0 = now_seconds();

		out->after_load_failed = to->be->after_load(to) != 0;
		out->after_load_seconds = now_seconds() - t0;
	}
out_from:
	/* A read transaction: nothing to undo, the snapshot let go. */
	(void)am_store_rollback(from);
out_free:
	copy_release(&c);
	return err;
}
