/* The PostgreSQL backend's posting half: wage lists (their lines packed in
 * a body, as on SQLite), the by-person index as a row per line sent by
 * COPY, the ledger (ids from a SEQUENCE a block at a time, rows sent by
 * COPY), migrated months, payments, and the walks of db copy. */
#include "core/internal.h"

#include <endian.h>

#include "amanat/assess.h"
#include "store/pg_int.h"

/* Waiting rows are sent once they pass this many bytes. */
#define ROWS_COPY_MAX ((size_t)8 << 20)
/* The first block of ledger ids a transaction takes, and the largest. */
#define IDS_FIRST 16
#define IDS_MAX 65536
/* Codes asked about in one statement (persons_known). */
#define KNOWN_CHUNK 20000

#define LEDGER_COLUMNS                                                \
	"id, kind, period, workshop, list_id, payment_ref, due_date," \
	" value_date, posted_at, postings"

/*
 * COPY in binary: a header, then per tuple its field count and each field
 * as a length and bytes (-1 for NULL), then -1.
 */

static const char copy_header[19] = "PGCOPY\n\377\r\n\0"
				    "\0\0\0\0"
				    "\0\0\0\0";

int am__pg_copy_tuple(struct am_buf *b, int fields)
{
	uint16_t v = htobe16((uint16_t)fields);

	return am_buf_add(b, &v, 2);
}

static int copy_len(struct am_buf *b, int32_t n)
{
	uint32_t v = htobe32((uint32_t)n);

	return am_buf_add(b, &v, 4);
}

int am__pg_copy_i64(struct am_buf *b, int64_t x)
{
	uint64_t v = htobe64((uint64_t)x);
	int err = copy_len(b, 8);

	return err ? err : am_buf_add(b, &v, 8);
}

int am__pg_copy_i32(struct am_buf *b, int32_t x)
{
	uint32_t v = htobe32((uint32_t)x);
	int err = copy_len(b, 4);

	return err ? err : am_buf_add(b, &v, 4);
}

int am__pg_copy_bytes(struct am_buf *b, const void *p, size_t n)
{
	int err;

	if (n > INT32_MAX)
		return AM_ETOO_LONG;
	err = copy_len(b, (int32_t)n);
	return err || !n ? err : am_buf_add(b, p, n);
}

int am__pg_copy_text(struct am_buf *b, const char *text)
{
	return text ? am__pg_copy_bytes(b, text, strlen(text))
		    : am__pg_copy_null(b);
}

int am__pg_copy_null(struct am_buf *b)
{
	return copy_len(b, -1);
}

int am__pg_copy_start(struct am_store *s, const char *table, const char *cols,
		      const char *what)
{
	PGconn *c = am__pg_conn(s);
	struct am_buf sql;
	PGresult *r;
	int err = 0;

	am_buf_init(&sql, 0);
	if (am_buf_addf(&sql, "COPY %s (%s) FROM STDIN (FORMAT binary)", table,
			cols)) {
		am_buf_release(&sql);
		return am__store_errf(s, AM_ENOMEM, "%s: out of memory", what);
	}
	r = PQexec(c, sql.buf);
	am_buf_release(&sql);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		err = am__pg_fail(s, r, what);
	PQclear(r);
	if (!err && PQputCopyData(c, copy_header, sizeof(copy_header)) != 1)
		err = am__pg_fail(s, NULL, what);
	return err;
}

int am__pg_copy_send(struct am_store *s, struct am_buf *tuples,
		     const char *what)
{
	int err = 0;

	if (tuples->len > INT_MAX)
		return am__store_errf(s, AM_ETOO_LONG, "%s: too much at once",
				      what);
	if (tuples->len &&
	    PQputCopyData(am__pg_conn(s), tuples->buf, (int)tuples->len) != 1)
		err = am__pg_fail(s, NULL, what);
	am_buf_clear(tuples);
	return err;
}

int am__pg_copy_finish(struct am_store *s, bool ok, const char *what)
{
	PGconn *c = am__pg_conn(s);
	static const char trailer[2] = "\377\377";
	PGresult *r;
	int err = 0;

	if (ok && PQputCopyData(c, trailer, 2) != 1)
		ok = false;
	if (PQputCopyEnd(c, ok ? NULL : "abandoned") != 1)
		return am__pg_fail(s, NULL, what);
	while ((r = PQgetResult(c))) {
		if (!err && PQresultStatus(r) != PGRES_COMMAND_OK)
			err = am__pg_fail(s, r, what);
		PQclear(r);
	}
	if (!ok && !err)
		err = am__store_errf(s, AM_ESTORE_SQL, "%s: abandoned", what);
	return err;
}

int am__pg_copy(struct am_store *s, const char *table, const char *cols,
		struct am_buf *tuples, const char *what)
{
	int err = am__pg_copy_start(s, table, cols, what);

	if (err)
		return err;
	err = am__pg_copy_send(s, tuples, what);
	if (err) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		(void)am__pg_copy_finish(s, false, what);
		memcpy(s->errmsg, saved, sizeof(saved));
		return err;
	}
	return am__pg_copy_finish(s, true, what);
}

/*
 * Ids: a block from a sequence at a time, under the write lock (so the
 * block is the writer's alone and ids follow the order of commits); what
 * the transaction did not use is given back at its commit.
 */

static const struct am__pg_stmt st_ids_take[2] = {
	{ 64, "SELECT setval('ledger_ids', nextval('ledger_ids') + $1 - 1)",
	  "i" },
	{ 85,
	  "SELECT setval('wage_lists_id_seq',"
	  " nextval('wage_lists_id_seq') + $1 - 1)",
	  "i" },
};
static const struct am__pg_stmt st_ids_return[2] = {
	{ 65, "SELECT setval('ledger_ids', $1, false)", "i" },
	{ 86, "SELECT setval('wage_lists_id_seq', $1, false)", "i" },
};

static int id_take(struct am_store *s, struct am__pg_ids *b, int which,
		   int64_t *id)
{
	if (!b->held || b->next == b->end) {
		struct am__pg_params p = { 0 };
		int64_t n = b->held ? b->block : IDS_FIRST, last;
		PGresult *r;
		int err;

		am__pg_int(&p, n);
		err = am__pg_run(s, &st_ids_take[which], &p, &r, "sequence");
		if (err)
			return err;
		last = am__pg_col_int(r, 0, 0);
		PQclear(r);
		if (!b->held || b->end != last - n + 1)
			b->next = last - n + 1;
		b->end = last + 1;
		b->held = true;
		b->block = n * 2 > IDS_MAX ? IDS_MAX : n * 2;
	}
	*id = b->next++;
	return 0;
}

int am__pg_ledger_id(struct am_store *s, int64_t *id)
{
	return id_take(s, &am__pg_wage(s)->ledger_ids, 0, id);
}

int am__pg_ids_return(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);
	struct am__pg_ids *b[2] = { &w->ledger_ids, &w->list_ids };
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		struct am__pg_params p = { 0 };

		if (!b[i]->held || b[i]->next == b[i]->end)
			continue;
		am__pg_int(&p, b[i]->next);
		err = am__pg_run(s, &st_ids_return[i], &p, NULL, "sequence");
	}
	return err;
}

void am__pg_ids_forget(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	memset(&w->ledger_ids, 0, sizeof(w->ledger_ids));
	memset(&w->list_ids, 0, sizeof(w->list_ids));
}

/*
 * What the handle knows while nobody else writes: sets of keys in memory,
 * open addressing, grown at half full.
 */

struct am__pg_key {
	int64_t workshop; /* 0: a free slot (no code is 0000000000) */
	int32_t period;
	char list_no[13];
};

static uint64_t key_hash(int64_t workshop, int32_t period, const char *no)
{
	uint64_t h = (uint64_t)workshop * 0x9e3779b97f4a7c15ULL ^
		     (uint64_t)(uint32_t)period * 0xc2b2ae3d27d4eb4fULL;

	for (; *no; no++)
		h = (h ^ (unsigned char)*no) * 0x100000001b3ULL;
	return h ^ h >> 29;
}

static struct am__pg_key *key_slot(const struct am__pg_keys *k,
				   int64_t workshop, int32_t period,
				   const char *no)
{
	size_t mask = k->cap - 1;
	size_t i = key_hash(workshop, period, no) & mask;

	for (;; i = (i + 1) & mask) {
		struct am__pg_key *e = &k->v[i];

		if (!e->workshop ||
		    (e->workshop == workshop && e->period == period &&
		     !strcmp(e->list_no, no)))
			return e;
	}
}

static bool keys_has(const struct am__pg_keys *k, int64_t workshop,
		     int32_t period, const char *no)
{
	return k->cap && key_slot(k, workshop, period, no)->workshop;
}

static int keys_add(struct am__pg_keys *k, int64_t workshop, int32_t period,
		    const char *no)
{
	struct am__pg_key *e;

	if ((k->n + 1) * 2 > k->cap) {
		struct am__pg_keys g = { NULL, k->cap ? k->cap * 2 : 1024, 0 };

		g.v = calloc(g.cap, sizeof(*g.v));
		if (!g.v)
			return AM_ENOMEM;
		for (size_t i = 0; i < k->cap; i++)
			if (k->v[i].workshop)
				*key_slot(&g, k->v[i].workshop, k->v[i].period,
					  k->v[i].list_no) = k->v[i];
		g.n = k->n;
		free(k->v);
		*k = g;
	}
	e = key_slot(k, workshop, period, no);
	if (!e->workshop) {
		e->workshop = workshop;
		e->period = period;
		am__strlcpy(e->list_no, no, sizeof(e->list_no));
		k->n++;
	}
	return 0;
}

static void keys_clear(struct am__pg_keys *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* A workshop's code as a number; 0 when it is not ten digits. */
static int64_t code_num(const char *code)
{
	int64_t v = 0;
	size_t n = 0;

	for (; code && code[n] >= '0' && code[n] <= '9'; n++)
		v = v * 10 + (code[n] - '0');
	return n == 10 && !code[n] && v ? v : 0;
}

void am__pg_wage_init(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	memset(w, 0, sizeof(*w));
	am_buf_init(&w->ledger.copy, 0);
	am_buf_init(&w->lists.copy, 0);
}

void am__pg_forget(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	keys_clear(&w->list_keys);
	keys_clear(&w->workshops);
	w->workshops_loaded = false;
	w->nperiods = 0;
	w->gen_known = false;
}

void am__pg_wage_free(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	am__pg_forget(s);
	free(w->periods);
	am_buf_release(&w->ledger.copy);
	am_buf_release(&w->lists.copy);
}

void am__pg_generation(struct am_store *s, int64_t gen)
{
	struct am__pg_wage *w = am__pg_wage(s);

	if (!w->gen_known || gen != w->gen + 1)
		am__pg_forget(s);
	w->tx_gen = gen;
}

void am__pg_committed(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	w->gen = w->tx_gen;
	w->gen_known = true;
}

int am__pg_workshop_added(struct am_store *s, const char *code)
{
	struct am__pg_wage *w = am__pg_wage(s);
	int64_t c = code_num(code);

	if (!w->workshops_loaded || !c)
		return 0;
	return keys_add(&w->workshops, c, 0, "")
		       ? am__store_errf(s, AM_ENOMEM, "out of memory")
		       : 0;
}

struct keys_load {
	struct am__pg_keys *k;
	int32_t period;
	int err;
};

static int workshop_key_row(void *ctx, const PGresult *r, int i)
{
	struct keys_load *l = ctx;
	char code[16];

	am__pg_col_code(r, i, 0, code, sizeof(code));
	if (code_num(code))
		l->err = keys_add(l->k, code_num(code), 0, "");
	return l->err;
}

static int list_key_row(void *ctx, const PGresult *r, int i)
{
	struct keys_load *l = ctx;
	char code[16], no[16];

	am__pg_col_code(r, i, 0, code, sizeof(code));
	am__pg_col_code(r, i, 1, no, sizeof(no));
	if (code_num(code) &&
	    strlen(no) < sizeof(((struct am__pg_key *)0)->list_no))
		l->err = keys_add(l->k, code_num(code), l->period, no);
	return l->err;
}

/* The workshops' codes and the period's lists' keys, read once while
 * nobody else writes. */
static int know_period(struct am_store *s, int32_t period)
{
	struct am__pg_wage *w = am__pg_wage(s);
	struct keys_load l = { NULL, period, 0 };
	char sql[128];
	int err = 0;

	if (!w->workshops_loaded) {
		l.k = &w->workshops;
		err = am__pg_walk(s, "SELECT code FROM workshops",
				  workshop_key_row, &l, "workshops");
		if (err || l.err)
			return err ? err
				   : am__store_errf(s, l.err, "out of memory");
		w->workshops_loaded = true;
	}
	for (size_t i = 0; i < w->nperiods; i++)
		if (w->periods[i] == period)
			return 0;
	if (w->nperiods == w->periods_cap) {
		size_t cap = w->periods_cap ? w->periods_cap * 2 : 8;
		int32_t *v = realloc(w->periods, cap * sizeof(*v));

		if (!v)
			return am__store_errf(s, AM_ENOMEM, "out of memory");
		w->periods = v;
		w->periods_cap = cap;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT workshop, list_no FROM wage_lists WHERE period = %d",
		 (int)period);
	l.k = &w->list_keys;
	err = am__pg_walk(s, sql, list_key_row, &l, "lists");
	if (err || l.err)
		return err ? err : am__store_errf(s, l.err, "out of memory");
	w->periods[w->nperiods++] = period;
	return 0;
}

/*
 * The waiting rows.
 */

#define LIST_COLUMNS                                                  \
	"id, workshop, year, month, period, list_no, revision, hash," \
	" status, source_file, lines, t_days, t_subject, t_insured,"  \
	" t_employer, t_state, t_unemployment, t_hard_harmful,"       \
	" owed_workshop, owed_state, rules_identity, due_date,"       \
	" state_pays_employer, txn, value_date, posted_at, body"

static int rows_flush(struct am_store *s, struct am__pg_rows *rows,
		      const char *table, const char *cols, const char *what)
{
	int err;

	if (!rows->n)
		return 0;
	err = am__pg_copy(s, table, cols, &rows->copy, what);
	rows->n = 0;
	am_buf_clear(&rows->copy);
	return err;
}

int am__pg_flush(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);
	int err = rows_flush(s, &w->lists, "wage_lists", LIST_COLUMNS,
			     "list insert");

	return err ? err
		   : rows_flush(s, &w->ledger, "ledger", LEDGER_COLUMNS,
				"ledger append");
}

void am__pg_drop(struct am_store *s)
{
	struct am__pg_wage *w = am__pg_wage(s);

	w->lists.n = w->ledger.n = 0;
	am_buf_clear(&w->lists.copy);
	am_buf_clear(&w->ledger.copy);
}

static int copy_opt_i32(struct am_buf *b, int64_t v)
{
	return v ? am__pg_copy_i32(b, (int32_t)v) : am__pg_copy_null(b);
}

static int copy_opt_i64(struct am_buf *b, int64_t v)
{
	return v ? am__pg_copy_i64(b, v) : am__pg_copy_null(b);
}

/* A tuple appended to rows, or none when it could not be. */
static int rows_added(struct am_store *s, struct am__pg_rows *rows, size_t at,
		      int err, const char *what)
{
	if (err) {
		rows->copy.len = at; /* the tuple half-written goes */
		rows->copy.buf[at] = '\0';
		return am__store_errf(s, err, "%s: out of memory", what);
	}
	rows->n++;
	return rows->copy.len >= ROWS_COPY_MAX ? am__pg_flush(s) : 0;
}

int am__pg_ledger_append(struct am_store *s, const struct am_ledger_row *x)
{
	struct am__pg_wage *w = am__pg_wage(s);
	struct am_buf *pk = am__pg_scratch(s), *b = &w->ledger.copy;
	size_t at = b->len;
	int err;

	am_buf_clear(pk);
	err = am__postings_encode(x->t.p, x->t.n, pk);
	if (err)
		return am__store_errf(s, err,
				      "ledger %" PRId64 ": postings cannot be "
				      "packed",
				      x->id);
	err = am__pg_copy_tuple(b, 10);
	err = err ? err : am__pg_copy_i64(b, x->id);
	err = err ? err : am__pg_copy_text(b, am_txn_kind_name(x->t.kind));
	err = err ? err : copy_opt_i32(b, x->period);
	err = err ? err : am__pg_copy_text(b, x->workshop);
	err = err ? err : copy_opt_i64(b, x->list_id);
	err = err ? err : am__pg_copy_text(b, x->payment_ref);
	err = err ? err
	      : x->due_date == AM_DATE_NONE
		      ? am__pg_copy_null(b)
		      : am__pg_copy_i32(b, (int32_t)x->due_date);
	err = err ? err : am__pg_copy_i32(b, (int32_t)x->value_date);
	err = err ? err : am__pg_copy_i64(b, x->posted_at);
	err = err ? err : am__pg_copy_bytes(b, pk->buf, pk->len);
	return rows_added(s, &w->ledger, at, err, "ledger append");
}

/* A row of LEDGER_COLUMNS into x; strings into a, or (a NULL) pointing
 * into the result, valid while it lives. */
static int ledger_row(struct am_store *s, const PGresult *r, int i,
		      struct am_arena *a, struct am_ledger_row *x)
{
	char kind[16];
	int err = 0;

	memset(x, 0, sizeof(*x));
	x->id = am__pg_col_int(r, i, 0);
	am__pg_col_code(r, i, 1, kind, sizeof(kind));
	if (am_txn_kind_parse(kind, &x->t.kind))
		err = AM_ESTORE_CORRUPT;
	x->period = (int)am__pg_col_int(r, i, 2);
	if (a) {
		err = err ? err : am__pg_col_text(r, i, 3, a, &x->workshop);
		err = err ? err : am__pg_col_text(r, i, 5, a, &x->payment_ref);
	} else {
		x->workshop = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
		x->payment_ref = PQgetisnull(r, i, 5) ? NULL
						      : PQgetvalue(r, i, 5);
	}
	x->list_id = am__pg_col_int(r, i, 4);
	x->due_date = am__pg_col_date(r, i, 6);
	x->value_date = (am_date)am__pg_col_int(r, i, 7);
	x->posted_at = am__pg_col_int(r, i, 8);
	if (!err)
		err = am__postings_decode((const uint8_t *)PQgetvalue(r, i, 9),
					  (size_t)PQgetlength(r, i, 9), x->t.p,
					  &x->t.n);
	if (err == AM_ENOMEM)
		return am__store_errf(s, err, "ledger: out of memory");
	if (err)
		return am__store_errf(s, err,
				      "ledger %" PRId64 ": the row cannot be "
				      "read",
				      x->id);
	return 0;
}

static const struct am__pg_stmt st_ledger_get = {
	66, "SELECT " LEDGER_COLUMNS " FROM ledger WHERE id = $1", "i"
};
static const struct am__pg_stmt st_workshop_ledger = {
	67,
	"SELECT " LEDGER_COLUMNS " FROM ledger WHERE workshop = $1"
	" ORDER BY id",
	"t"
};

int am__pg_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
		      struct am_ledger_row *out)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err = am__pg_flush(s);

	if (err)
		return err;
	am__pg_int(&p, id);
	err = am__pg_run(s, &st_ledger_get, &p, &r, "ledger");
	if (err)
		return err;
	err = PQntuples(r) ? ledger_row(s, r, 0, a, out) : AM_ENOT_FOUND;
	PQclear(r);
	return err;
}

struct ledger_walk {
	struct am_store *s;
	int (*fn)(void *ctx, const struct am_ledger_row *t);
	void *ctx;
	int err;
};

static int ledger_walk_row(void *ctx, const PGresult *r, int i)
{
	struct ledger_walk *w = ctx;
	struct am_ledger_row x;
	int err = ledger_row(w->s, r, i, NULL, &x);

	if (err) {
		w->err = err;
		return err;
	}
	return w->fn(w->ctx, &x);
}

int am__pg_ledger_walk(struct am_store *s,
		       int (*fn)(void *ctx, const struct am_ledger_row *t),
		       void *ctx)
{
	struct ledger_walk w = { s, fn, ctx, 0 };

	return am__pg_walk(s,
			   "SELECT " LEDGER_COLUMNS " FROM ledger ORDER BY id",
			   ledger_walk_row, &w, "ledger");
}

/* A workshop's transactions, every kind (its index holds them all). The
 * rows are read first, then given to fn, which may read more. */
int am__pg_workshop_txns(struct am_store *s, const char *workshop,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err = am__pg_flush(s);

	if (err)
		return err;
	am__pg_text(&p, workshop);
	err = am__pg_run(s, &st_workshop_ledger, &p, &r, "statement");
	for (int i = 0; !err && i < PQntuples(r); i++) {
		struct am_ledger_row x;

		err = ledger_row(s, r, i, NULL, &x);
		if (!err)
			err = fn(ctx, &x);
	}
	if (r)
		PQclear(r);
	return err;
}

/*
 * Lists.
 */

static const struct am__pg_stmt st_list_find = {
	68,
	"SELECT id, hash, status, revision, txn FROM wage_lists"
	" WHERE workshop = $1 AND period = $2 AND list_no = $3"
	" ORDER BY revision DESC LIMIT 1",
	"tit"
};
static const struct am__pg_stmt st_list_link = {
	71,
	"UPDATE wage_lists SET superseded_by = $2"
	" WHERE id = $1 AND status = 'superseded'",
	"ii"
};
static const struct am__pg_stmt st_list_mark = {
	72,
	"UPDATE wage_lists SET status = 'superseded'"
	" WHERE id = $1 AND status = 'posted'",
	"i"
};

int am__pg_list_find(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am_list_key *key)
{
	struct am__pg_params p = { 0 };
	char status[16];
	PGresult *r;
	int err;

	memset(key, 0, sizeof(*key));
	err = am__pg_flush(s);
	if (err)
		return err;
	am__pg_text(&p, workshop);
	am__pg_int(&p, period);
	am__pg_text(&p, list_no);
	err = am__pg_run(s, &st_list_find, &p, &r, "list find");
	if (err)
		return err;
	if (!PQntuples(r)) {
		PQclear(r);
		return 0;
	}
	if (PQgetlength(r, 0, 1) != 32) {
		PQclear(r);
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "wage list %s/%d/%s has a bad hash",
				      workshop, period, list_no);
	}
	key->found = true;
	key->id = am__pg_col_int(r, 0, 0);
	memcpy(key->hash, PQgetvalue(r, 0, 1), 32);
	am__pg_col_code(r, 0, 2, status, sizeof(status));
	key->posted = !strcmp(status, "posted");
	key->revision = am__pg_col_int(r, 0, 3);
	key->txn = am__pg_col_int(r, 0, 4);
	PQclear(r);
	return 0;
}

/*
 * A new list's row waits for the COPY with the rest, its id from the
 * lists' sequence. Whether its key is taken and whether its workshop is
 * registered are answered from what the handle knows (know_period()),
 * which holds while nobody else writes: the write lock keeps others out
 * during the transaction, and the generation says whether one wrote since
 * the handle's last commit. An amendment's revision (after list_find() in
 * the same transaction) needs no such answer.
 */
int am__pg_list_insert(struct am_store *s, const struct am_list_row *x,
		       int64_t *id)
{
	struct am__pg_wage *w = am__pg_wage(s);
	struct am_buf *b = &w->lists.copy;
	int64_t ws = code_num(x->workshop), new_id;
	size_t at;
	int err;

	if (strlen(x->list_no) > 12)
		return am__store_errf(s, AM_ESTORE_CONFLICT,
				      "list insert: list number '%s' is longer "
				      "than 12",
				      x->list_no);
	err = know_period(s, x->period);
	if (err)
		return err;
	if (!ws || !keys_has(&w->workshops, ws, 0, ""))
		return am__store_errf(
			s, AM_ESTORE_CONFLICT,
			"list insert: FOREIGN KEY: workshop %s is "
			"not registered",
			x->workshop);
	if (x->revision == 0 &&
	    keys_has(&w->list_keys, ws, x->period, x->list_no))
		/* The key's revision exists: the caller looks at it. */
		return am__store_errf(
			s, AM_EIDEMPOTENCY_CONFLICT,
			"list %s/%d/%s revision %" PRId64 " exists",
			x->workshop, x->period, x->list_no, x->revision);
	err = id_take(s, &w->list_ids, 1, &new_id);
	if (err)
		return err;
	at = b->len;
	err = am__pg_copy_tuple(b, 27);
	err = err ? err : am__pg_copy_i64(b, new_id);
	err = err ? err : am__pg_copy_text(b, x->workshop);
	err = err ? err : am__pg_copy_i32(b, x->year);
	err = err ? err : am__pg_copy_i32(b, x->month);
	err = err ? err : am__pg_copy_i32(b, x->period);
	err = err ? err : am__pg_copy_text(b, x->list_no);
	err = err ? err : am__pg_copy_i64(b, x->revision);
	err = err ? err : am__pg_copy_bytes(b, x->hash, 32);
	err = err ? err : am__pg_copy_text(b, "posted");
	err = err ? err : am__pg_copy_text(b, x->source_file);
	err = err ? err : am__pg_copy_i64(b, x->lines);
	err = err ? err : am__pg_copy_i64(b, x->days);
	err = err ? err : am__pg_copy_i64(b, x->subject);
	err = err ? err : am__pg_copy_i64(b, x->insured);
	err = err ? err : am__pg_copy_i64(b, x->employer);
	err = err ? err : am__pg_copy_i64(b, x->state);
	err = err ? err : am__pg_copy_i64(b, x->unemployment);
	err = err ? err : am__pg_copy_i64(b, x->hard_harmful);
	err = err ? err : am__pg_copy_i64(b, x->owed_workshop);
	err = err ? err : am__pg_copy_i64(b, x->owed_state);
	err = err ? err : am__pg_copy_text(b, x->rules_identity);
	err = err ? err : am__pg_copy_i32(b, (int32_t)x->due_date);
	err = err ? err : am__pg_copy_i32(b, x->state_pays_employer);
	err = err ? err : am__pg_copy_i64(b, x->txn);
	err = err ? err : am__pg_copy_i32(b, (int32_t)x->value_date);
	err = err ? err : am__pg_copy_i64(b, x->posted_at);
	err = err ? err : am__pg_copy_bytes(b, x->body, x->body_len);
	err = rows_added(s, &w->lists, at, err, "list insert");
	if (!err && keys_add(&w->list_keys, ws, x->period, x->list_no))
		err = am__store_errf(s, AM_ENOMEM, "out of memory");
	if (!err && x->supersedes) {
		struct am__pg_params p = { 0 };

		am__pg_int(&p, x->supersedes);
		am__pg_int(&p, new_id);
		err = am__pg_flush(s);
		if (!err)
			err = am__pg_run(s, &st_list_link, &p, NULL,
					 "list link");
	}
	if (!err)
		*id = new_id;
	return err;
}

int am__pg_list_supersede(struct am_store *s, int64_t id)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	err = am__pg_flush(s);
	if (err)
		return err;
	am__pg_int(&p, id);
	err = am__pg_run(s, &st_list_mark, &p, &r, "list supersede");
	if (err)
		return err;
	if (strcmp(PQcmdTuples(r), "1") != 0)
		err = am__store_errf(
			s, AM_ESTORE_CONFLICT,
			"list supersede: list %" PRId64 " is not posted", id);
	PQclear(r);
	return err;
}

/*
 * Walks of the registry for the posting.
 */

struct terms_walk {
	int (*fn)(void *ctx, const char *code, bool hard_harmful,
		  bool small_exempt);
	void *ctx;
};

static int terms_row(void *ctx, const PGresult *r, int i)
{
	struct terms_walk *w = ctx;
	char code[16];

	am__pg_col_code(r, i, 0, code, sizeof(code));
	return w->fn(w->ctx, code, am__pg_col_int(r, i, 1) != 0,
		     am__pg_col_int(r, i, 2) != 0);
}

int am__pg_workshop_terms(struct am_store *s,
			  int (*fn)(void *ctx, const char *code,
				    bool hard_harmful, bool small_exempt),
			  void *ctx)
{
	struct terms_walk w = { fn, ctx };

	return am__pg_walk(s,
			   "SELECT code, hard_harmful, small_exempt"
			   " FROM workshops ORDER BY code COLLATE \"C\"",
			   terms_row, &w, "workshops");
}

/* Every registered code by one COPY out, in text: the server streams them
 * (2.37 million in 1.4 s of its time) where a cursor's fetches, a round
 * trip each, and a cast to int8 per row took 3.4 s end to end. Ten digits
 * in text order are in number order. */
int am__pg_person_codes(struct am_store *s, int (*fn)(void *ctx, int64_t code),
			void *ctx)
{
	PGconn *c = am__pg_conn(s);
	PGresult *r;
	char *line = NULL;
	int n, err = am__pg_flush(s), stop = 0;

	if (err)
		return err;
	r = PQexec(c, "COPY (SELECT national_code FROM persons ORDER BY"
		      " national_code COLLATE \"C\") TO STDOUT");
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		err = am__pg_fail(s, r, "persons");
		PQclear(r);
		return err;
	}
	PQclear(r);
	/* Every row is read, after a stop too: the COPY runs to its end. */
	while ((n = PQgetCopyData(c, &line, 0)) > 0) {
		int64_t code = 0;
		int k;

		for (k = 0; k < n && line[k] >= '0' && line[k] <= '9'; k++)
			code = code * 10 + (line[k] - '0');
		if (!err && !stop && (k != 10 || n != 11))
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "persons: a national code of %d "
					     "bytes",
					     n - 1);
		if (!err && !stop)
			stop = fn(ctx, code);
		PQfreemem(line);
	}
	if (n == -2)
		err = am__pg_fail(s, NULL, "persons");
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && !err)
		err = am__pg_fail(s, r, "persons");
	PQclear(r);
	while ((r = PQgetResult(c)) != NULL)
		PQclear(r);
	return err ? err : stop;
}

static const struct am__pg_stmt st_persons_known = {
	73,
	/* A lookup of the key per code (a subplan), whatever the planner
	 * thinks of a table just loaded: = ANY (array) was planned as a scan
	 * of the whole table against the whole array. */
	"SELECT c::int8 FROM unnest($1::text[]) AS c"
	" WHERE (SELECT true FROM persons WHERE national_code = c)"
	" ORDER BY c COLLATE \"C\"",
	"t"
};

/* The codes sent as an array, a chunk at a time; the known ones come back
 * in order and are merged with the ascending codes. */
int am__pg_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			 uint8_t *known)
{
	struct am_buf arr;
	int err = 0;

	memset(known, 0, n);
	am_buf_init(&arr, 0);
	for (size_t at = 0; !err && at < n; at += KNOWN_CHUNK) {
		size_t end = at + KNOWN_CHUNK < n ? at + KNOWN_CHUNK : n,
		       j = at;
		struct am__pg_params p = { 0 };
		PGresult *r;

		am_buf_clear(&arr);
		err = am_buf_addch(&arr, '{');
		for (size_t i = at; !err && i < end; i++)
			err = am_buf_addf(
				&arr, i > at ? ",%010" PRId64 : "%010" PRId64,
				codes[i]);
		err = err ? err : am_buf_addch(&arr, '}');
		if (err) {
			err = am__store_errf(s, err, "persons: out of memory");
			break;
		}
		am__pg_text(&p, arr.buf);
		err = am__pg_run(s, &st_persons_known, &p, &r, "persons");
		for (int k = 0; !err && k < PQntuples(r); k++) {
			int64_t c = am__pg_col_int(r, k, 0);

			while (j < end && codes[j] < c)
				j++;
			if (j < end && codes[j] == c)
				known[j] = 1;
		}
		if (r)
			PQclear(r);
	}
	am_buf_release(&arr);
	return err;
}

/*
 * Lines and the by-person index.
 */

/* A line is read with this many bytes of its list's body; a longer one
 * (long names) is read again whole. */
#define LINE_CHUNK 1024

static const struct am__pg_stmt st_line_read = {
	74,
	"SELECT workshop, list_no, status, period,"
	" substring(body from ($2 + 1)::int for $3::int), length(body),"
	" substring(body from 1 for $4::int)"
	" FROM wage_lists WHERE id = $1",
	"iiii"
};

int am__pg_line_read(struct am_store *s, int64_t id, uint32_t offset,
		     struct am_arena *a, struct am_line_ref *out)
{
	int64_t want = LINE_CHUNK;
	int err = AM_ESTORE_CORRUPT;

	for (int pass = 0; pass < 2; pass++) {
		struct am__pg_params p = { 0 };
		struct am__body_head h;
		char status[16];
		PGresult *r;
		int64_t total;
		size_t n;

		err = am__pg_flush(s);
		if (err)
			return err;
		am__pg_int(&p, id);
		am__pg_int(&p, offset);
		am__pg_int(&p, want);
		am__pg_int(&p, AM__BODY_HEAD_MAX);
		err = am__pg_run(s, &st_line_read, &p, &r, "line read");
		if (err)
			return err;
		if (!PQntuples(r)) {
			PQclear(r);
			return AM_ENOT_FOUND;
		}
		am__pg_col_code(r, 0, 0, out->workshop, sizeof(out->workshop));
		am__pg_col_code(r, 0, 1, out->list_no, sizeof(out->list_no));
		am__pg_col_code(r, 0, 2, status, sizeof(status));
		out->posted = !strcmp(status, "posted");
		out->period = (int)am__pg_col_int(r, 0, 3);
		total = am__pg_col_int(r, 0, 5);
		err = am__body_head((const uint8_t *)PQgetvalue(r, 0, 6),
				    (size_t)PQgetlength(r, 0, 6), &h);
		n = (size_t)PQgetlength(r, 0, 4);
		if (!err)
			err = n ? am__body_decode_line(
					  &h,
					  (const uint8_t *)PQgetvalue(r, 0, 4),
					  n, 0, a, &out->ln, &out->a, NULL)
				: AM_ESTORE_CORRUPT;
		PQclear(r);
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
 * The by-person index: packed blocks as SQLite keeps them (blocks.c), a
 * row per block of about a hundred entries, not a row per line (a line's
 * row and its B-tree entry cost 3 µs of the server's time and 92 bytes).
 */

#define BLOCK_COLUMNS "period, segment, first_code, entries, block"

/* A block, as a COPY tuple (ctx: the buffer). */
static int block_tuple(struct am_store *s, void *ctx, int period,
		       int64_t segment, int64_t first_code, int64_t n,
		       const void *block, size_t len)
{
	struct am_buf *b = ctx;
	int err = am__pg_copy_tuple(b, 5);

	err = err ? err : am__pg_copy_i32(b, period);
	err = err ? err : am__pg_copy_i64(b, segment);
	err = err ? err : am__pg_copy_i64(b, first_code);
	err = err ? err : am__pg_copy_i32(b, (int32_t)n);
	err = err ? err : am__pg_copy_bytes(b, block, len);
	return err ? am__store_errf(s, err, "index: out of memory") : 0;
}

/* A period's segment: its row of index_segments. */
static int segment_row(struct am_store *s, int period, int64_t segment,
		       int64_t base, int64_t entries)
{
	struct am_buf b;
	int err;

	am_buf_init(&b, 0);
	err = am__pg_copy_tuple(&b, 4);
	err = err ? err : am__pg_copy_i32(&b, period);
	err = err ? err : am__pg_copy_i64(&b, segment);
	err = err ? err : am__pg_copy_i64(&b, base);
	err = err ? err : am__pg_copy_i64(&b, entries);
	err = err ? am__store_errf(s, err, "index: out of memory")
		  : am__pg_copy(s, "index_segments",
				"period, segment, base, entries", &b, "index");
	am_buf_release(&b);
	return err;
}

/* A batch's entries of one period, as one segment of packed blocks, by
 * one COPY. */
int am__pg_index_add(struct am_store *s, const struct am_index_entry *e,
		     size_t n, int64_t segment)
{
	struct am_buf b;
	int err;

	if (!n)
		return 0;
	err = am__pg_flush(s);
	if (err)
		return err;
	am_buf_init(&b, 0);
	err = am__index_pack(s, e, n, segment, block_tuple, &b);
	if (!err)
		err = am__pg_copy(s, "person_index", BLOCK_COLUMNS, &b,
				  "index");
	am_buf_release(&b);
	return err ? err
		   : segment_row(s, e[0].period, segment, segment, (int64_t)n);
}

/* Per segment of each period, the block whose first code is the greatest
 * not above the person's, all in one statement. */
#define SEGMENT_BLOCKS                                              \
	"SELECT s.period, s.base, b.first_code, b.entries, b.block" \
	" FROM index_segments s CROSS JOIN LATERAL"                 \
	" (SELECT first_code, entries, block FROM person_index x"   \
	" WHERE x.period = s.period AND x.segment = s.segment"      \
	" AND x.first_code <= $1 ORDER BY x.first_code DESC LIMIT 1) b"

static const struct am__pg_stmt st_person_lines = {
	75, SEGMENT_BLOCKS " ORDER BY s.period, s.segment", "i"
};
static const struct am__pg_stmt st_person_lines_period = {
	76, SEGMENT_BLOCKS " WHERE s.period = $2 ORDER BY s.segment", "ii"
};

int am__pg_person_lines(struct am_store *s, int64_t code, int period,
			int (*fn)(void *ctx, const struct am_index_entry *e),
			void *ctx)
{
	struct am__pg_params p = { 0 };
	struct am_index_entry *e = NULL;
	size_t cap = 0;
	PGresult *r;
	int err;

	am__pg_int(&p, code);
	if (period)
		am__pg_int(&p, period);
	err = am__pg_run(s, period ? &st_person_lines_period : &st_person_lines,
			 &p, &r, "index");
	for (int i = 0; !err && i < PQntuples(r); i++) {
		int64_t n = am__pg_col_int(r, i, 3);

		err = am__block_entries(s, (const uint8_t *)PQgetvalue(r, i, 4),
					(size_t)PQgetlength(r, i, 4),
					am__pg_col_int(r, i, 2), n,
					am__pg_col_int(r, i, 1), &e, &cap);
		for (int64_t k = 0; !err && k < n; k++) {
			if (e[k].code != code)
				continue;
			e[k].period = (int32_t)am__pg_col_int(r, i, 0);
			err = fn(ctx, &e[k]);
		}
	}
	if (r)
		PQclear(r);
	free(e);
	return err;
}

/*
 * The compaction: each period's segments merged into one (blocks.c),
 * through a cursor per segment, so that a lookup is one block a period
 * again.
 */

#define MERGE_FETCH 256

struct seg {
	int period;
	int64_t segment, base;
};

struct segs {
	struct seg *v;
	size_t n, cap;
};

static int seg_row(void *ctx, const PGresult *r, int i)
{
	struct segs *g = ctx;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct seg *v = reallocarray(g->v, cap, sizeof(*v));

		if (!v)
			return AM_ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n].period = (int)am__pg_col_int(r, i, 0);
	g->v[g->n].segment = am__pg_col_int(r, i, 1);
	g->v[g->n].base = am__pg_col_int(r, i, 2);
	g->n++;
	return 0;
}

/* One segment's blocks through its cursor, MERGE_FETCH at a time. */
struct seg_cursor {
	char name[32];
	PGresult *r;
	int at;
	bool end;
};

static int cursor_next(struct am_store *s, void *ctx, bool *found,
		       int64_t *first, int64_t *n, const uint8_t **block,
		       size_t *len)
{
	struct seg_cursor *c = ctx;

	*found = false;
	if (c->r && c->at == PQntuples(c->r)) {
		c->end = PQntuples(c->r) < MERGE_FETCH;
		PQclear(c->r);
		c->r = NULL;
	}
	if (!c->r && !c->end) {
		char fetch[64];

		snprintf(fetch, sizeof(fetch), "FETCH %d FROM %s", MERGE_FETCH,
			 c->name);
		c->r = PQexecParams(am__pg_conn(s), fetch, 0, NULL, NULL, NULL,
				    NULL, 1);
		c->at = 0;
		if (PQresultStatus(c->r) != PGRES_TUPLES_OK) {
			int err = am__pg_fail(s, c->r, "compaction");

			PQclear(c->r);
			c->r = NULL;
			return err;
		}
		c->end = PQntuples(c->r) == 0;
	}
	if (!c->r || c->end)
		return 0;
	*found = true;
	*first = am__pg_col_int(c->r, c->at, 0);
	*n = am__pg_col_int(c->r, c->at, 1);
	*block = (const uint8_t *)PQgetvalue(c->r, c->at, 2);
	*len = (size_t)PQgetlength(c->r, c->at, 2);
	c->at++;
	return 0;
}

/* The merged blocks, sent a few megabytes at a time between two fetches
 * (no command is running then). */
static int merged_put(struct am_store *s, void *ctx, int period,
		      int64_t segment, int64_t first_code, int64_t n,
		      const void *block, size_t len)
{
	struct am_buf *b = ctx;
	int err = block_tuple(s, b, period, segment, first_code, n, block, len);

	if (!err && b->len >= ROWS_COPY_MAX)
		err = am__pg_copy(s, "person_index", BLOCK_COLUMNS, b,
				  "compaction");
	return err;
}

static int merge_period(struct am_store *s, const struct seg *segs, size_t k,
			int64_t *merged)
{
	struct seg_cursor *cur = calloc(k, sizeof(*cur));
	struct am__block_src *src = calloc(k, sizeof(*src));
	int64_t segment = segs[0].segment - 1, base = segs[0].base, total = 0;
	int period = segs[0].period;
	struct am_buf out;
	char sql[256];
	int err = 0;

	if (!cur || !src) {
		free(cur);
		free(src);
		return am__store_errf(s, AM_ENOMEM, "compaction");
	}
	am_buf_init(&out, 0);
	for (size_t i = 0; i < k; i++)
		if (segs[i].base < base)
			base = segs[i].base;
	for (size_t i = 0; !err && i < k; i++) {
		snprintf(cur[i].name, sizeof(cur[i].name), "am_merge%zu", i);
		snprintf(sql, sizeof(sql),
			 "DECLARE %s NO SCROLL CURSOR FOR SELECT first_code,"
			 " entries, block FROM person_index WHERE period = %d"
			 " AND segment = %" PRId64 " ORDER BY first_code",
			 cur[i].name, period, segs[i].segment);
		err = am__pg_exec(s, sql, "compaction");
		src[i].next = cursor_next;
		src[i].ctx = &cur[i];
		src[i].base = segs[i].base;
	}
	if (!err)
		err = am__index_merge(s, period, src, k, segment, base,
				      merged_put, &out, &total);
	if (!err && out.len)
		err = am__pg_copy(s, "person_index", BLOCK_COLUMNS, &out,
				  "compaction");
	for (size_t i = 0; cur && i < k; i++) {
		if (cur[i].r)
			PQclear(cur[i].r);
		snprintf(sql, sizeof(sql), "CLOSE %s", cur[i].name);
		if (!err)
			err = am__pg_exec(s, sql, "compaction");
	}
	free(cur);
	free(src);
	am_buf_release(&out);
	/* The old segments go; the merged one takes their place. */
	snprintf(sql, sizeof(sql),
		 "DELETE FROM person_index WHERE period = %d AND segment <> "
		 "%" PRId64 "; DELETE FROM index_segments WHERE period = %d",
		 period, segment, period);
	if (!err)
		err = am__pg_exec(s, sql, "compaction");
	if (!err && total)
		err = segment_row(s, period, segment, base, total);
	if (!err)
		*merged += total;
	return err;
}

int am__pg_compact(struct am_store *s, int64_t *entries)
{
	struct segs g = { NULL, 0, 0 };
	int64_t merged = 0;
	size_t i = 0;
	int err = am__pg_flush(s);

	if (!err)
		err = am__pg_walk(s,
				  "SELECT period, segment, base FROM"
				  " index_segments ORDER BY period, segment",
				  seg_row, &g, "compaction");
	if (err == AM_ENOMEM)
		err = am__store_errf(s, err, "compaction: out of memory");
	while (!err && i < g.n) {
		size_t j = i + 1;

		while (j < g.n && g.v[j].period == g.v[i].period)
			j++;
		if (j - i > 1)
			err = merge_period(s, &g.v[i], j - i, &merged);
		i = j;
	}
	free(g.v);
	if (!err)
		*entries = merged;
	return err;
}

/*
 * Migrated months and payments.
 */

static const struct am__pg_stmt st_hist_insert = {
	77,
	"INSERT INTO history_migrated (period, national_code, workshop, days,"
	" subject_wage, hard_harmful_days, imported_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" ON CONFLICT (national_code, period, workshop) DO NOTHING",
	"ittiiii"
};
static const struct am__pg_stmt st_hist_get = {
	78,
	"SELECT days, subject_wage, hard_harmful_days FROM history_migrated"
	" WHERE period = $1 AND national_code = $2 AND workshop = $3",
	"itt"
};
static const struct am__pg_stmt st_pay_find = {
	79,
	"SELECT workshop, period, amount, paid_on, matched, unmatched"
	" FROM payments WHERE reference = $1",
	"t"
};
static const struct am__pg_stmt st_pay_insert = {
	80,
	"INSERT INTO payments (reference, workshop, period, amount, paid_on,"
	" matched, unmatched, journal_txn, posted_at)"
	" SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9"
	" WHERE EXISTS (SELECT 1 FROM workshops WHERE code = $2)",
	"ttiiiiiii"
};
static const struct am__pg_stmt st_migrated_person = {
	81,
	"SELECT period, workshop, days, subject_wage, hard_harmful_days"
	" FROM history_migrated WHERE national_code = $1"
	" ORDER BY period, workshop",
	"t"
};

int am__pg_history_insert(struct am_store *s, const struct am_history_row *x,
			  int period, int64_t now, bool *existed,
			  struct am_history_row *old, bool *wrote)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_int(&p, period);
	am__pg_text(&p, x->national_code);
	am__pg_text(&p, x->workshop);
	am__pg_int(&p, x->days);
	am__pg_int(&p, x->subject_wage);
	am__pg_int(&p, x->hard_harmful_days);
	am__pg_int(&p, now);
	err = am__pg_run(s, &st_hist_insert, &p, &r, "history insert");
	if (err)
		return err;
	if (!strcmp(PQcmdTuples(r), "1")) {
		PQclear(r);
		*existed = false;
		*wrote = true;
		return 0;
	}
	PQclear(r);
	p.n = 0;
	am__pg_int(&p, period);
	am__pg_text(&p, x->national_code);
	am__pg_text(&p, x->workshop);
	err = am__pg_run(s, &st_hist_get, &p, &r, "history insert");
	if (err)
		return err;
	if (!PQntuples(r)) {
		PQclear(r);
		return am__store_errf(s, AM_ESTORE_SQL,
				      "history insert: the row went missing");
	}
	*existed = true;
	*old = *x;
	old->days = (int)am__pg_col_int(r, 0, 0);
	old->subject_wage = am__pg_col_int(r, 0, 1);
	old->hard_harmful_days = (int)am__pg_col_int(r, 0, 2);
	PQclear(r);
	return 0;
}

int am__pg_payment_find(struct am_store *s, const char *reference,
			struct am_payment_row *out)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	am__pg_text(&p, reference);
	err = am__pg_run(s, &st_pay_find, &p, &r, "payment find");
	if (err)
		return err;
	if (PQntuples(r)) {
		out->found = true;
		am__pg_col_code(r, 0, 0, out->workshop, sizeof(out->workshop));
		out->period = (int)am__pg_col_int(r, 0, 1);
		out->amount = am__pg_col_int(r, 0, 2);
		out->paid_on = (am_date)am__pg_col_int(r, 0, 3);
		out->matched = am__pg_col_int(r, 0, 4);
		out->unmatched = am__pg_col_int(r, 0, 5);
	}
	PQclear(r);
	return 0;
}

int am__pg_payment_insert(struct am_store *s, const struct am_payment *x,
			  int period, int64_t txn, int64_t now)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, x->reference);
	am__pg_text(&p, x->workshop);
	am__pg_int(&p, period);
	am__pg_int(&p, x->amount);
	am__pg_int(&p, x->paid_on);
	am__pg_int(&p, x->matched);
	am__pg_int(&p, x->unmatched);
	am__pg_int(&p, txn);
	am__pg_int(&p, now);
	err = am__pg_run(s, &st_pay_insert, &p, &r, "payment insert");
	if (err)
		return err;
	if (!strcmp(PQcmdTuples(r), "0"))
		err = am__store_errf(s, AM_ESTORE_CONFLICT,
				     "payment insert: FOREIGN KEY: workshop %s "
				     "is not registered",
				     x->workshop);
	PQclear(r);
	return err;
}

int am__pg_history_rows(struct am_store *s, const char *national_code,
			int (*fn)(void *ctx, const struct am_history_row *r),
			void *ctx)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, national_code);
	err = am__pg_run(s, &st_migrated_person, &p, &r, "history");
	for (int i = 0; !err && i < PQntuples(r); i++) {
		struct am_history_row h;
		int64_t period = am__pg_col_int(r, i, 0);
		char workshop[16];

		am__pg_col_code(r, i, 1, workshop, sizeof(workshop));
		h.national_code = national_code;
		h.period.year = (int)(period / 100);
		h.period.month = (int)(period % 100);
		h.workshop = workshop;
		h.days = (int)am__pg_col_int(r, i, 2);
		h.subject_wage = am__pg_col_int(r, i, 3);
		h.hard_harmful_days = (int)am__pg_col_int(r, i, 4);
		err = fn(ctx, &h);
	}
	if (r)
		PQclear(r);
	return err;
}

/*
 * Views of lists.
 */

static const struct am__pg_stmt st_lists_posted = {
	82,
	"SELECT id, list_no, lines FROM wage_lists WHERE workshop = $1"
	" AND period = $2 AND status = 'posted' ORDER BY list_no",
	"ti"
};
static const struct am__pg_stmt st_list_body = {
	83, "SELECT body FROM wage_lists WHERE id = $1", "i"
};

int am__pg_lists_posted(struct am_store *s, const char *workshop, int period,
			int (*fn)(void *ctx, const struct am_list_head *h),
			void *ctx)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	err = am__pg_flush(s);
	if (err)
		return err;
	am__pg_text(&p, workshop);
	am__pg_int(&p, period);
	err = am__pg_run(s, &st_lists_posted, &p, &r, "export");
	for (int i = 0; !err && i < PQntuples(r); i++) {
		struct am_list_head h;

		h.id = am__pg_col_int(r, i, 0);
		am__pg_col_code(r, i, 1, h.list_no, sizeof(h.list_no));
		h.lines = am__pg_col_int(r, i, 2);
		err = fn(ctx, &h);
	}
	if (r)
		PQclear(r);
	return err;
}

int am__pg_list_body(struct am_store *s, int64_t id, struct am_arena *a,
		     const uint8_t **body, size_t *len)
{
	struct am__pg_params p = { 0 };
	PGresult *r;
	size_t n;
	int err;

	err = am__pg_flush(s);
	if (err)
		return err;
	am__pg_int(&p, id);
	err = am__pg_run(s, &st_list_body, &p, &r, "export");
	if (err)
		return err;
	if (!PQntuples(r)) {
		PQclear(r);
		return AM_ENOT_FOUND;
	}
	n = (size_t)PQgetlength(r, 0, 0);
	*body = n ? am_arena_alloc(a, n) : NULL;
	if (n && *body)
		memcpy((void *)*body, PQgetvalue(r, 0, 0), n);
	*len = n;
	PQclear(r);
	return n && !*body
		       ? am__store_errf(s, AM_ENOMEM, "export: out of memory")
		       : 0;
}

/*
 * The logical tables, for db copy.
 */

/* A name from the program's own table of tables, checked all the same:
 * it is put into SQL text. */
static bool ident_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && *p != '_' &&
		    !(p > name && *p >= '0' && *p <= '9'))
			return false;
	return true;
}

static int table_sql(struct am_store *s, const struct am__table *t,
		     struct am_buf *cols)
{
	if (!ident_ok(t->name) || !t->ncols ||
	    strspn(t->order, "abcdefghijklmnopqrstuvwxyz_0123456789, ") !=
		    strlen(t->order))
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "table '%s' is not one of amanat's",
				      t->name);
	for (size_t i = 0; i < t->ncols; i++) {
		if (!ident_ok(t->cols[i]))
			return am__store_errf(s, AM_EINVALID_ARGUMENT,
					      "column '%s' of %s", t->cols[i],
					      t->name);
		if (am_buf_addf(cols, i ? ", %s" : "%s", t->cols[i]))
			return am__store_errf(s, AM_ENOMEM, "out of memory");
	}
	return 0;
}

struct rows_walk {
	size_t ncols;
	struct am__val *v;
	int (*fn)(void *ctx, const struct am__val *row);
	void *ctx;
};

static int rows_row(void *ctx, const PGresult *r, int i)
{
	struct rows_walk *w = ctx;

	for (size_t c = 0; c < w->ncols; c++) {
		struct am__val *v = &w->v[c];
		Oid type = PQftype(r, (int)c);

		memset(v, 0, sizeof(*v));
		if (PQgetisnull(r, i, (int)c)) {
			v->type = AM__VAL_NULL;
		} else if (type == 20 || type == 21 || type == 23 ||
			   type == 16) {
			v->type = AM__VAL_INT;
			v->i = am__pg_col_int(r, i, (int)c);
		} else {
			v->type = type == 17 ? AM__VAL_BLOB : AM__VAL_TEXT;
			v->p = PQgetvalue(r, i, (int)c);
			v->n = (size_t)PQgetlength(r, i, (int)c);
		}
	}
	return w->fn(w->ctx, w->v);
}

/* The types of t's columns in the database, for COPY's binary form. */
static int column_types(struct am_store *s, const struct am__table *t,
			Oid *types)
{
	static const struct am__pg_stmt st = {
		84,
		"SELECT attname::text, atttypid::int8 FROM pg_attribute"
		" WHERE attrelid = to_regclass($1) AND attnum > 0"
		" AND NOT attisdropped",
		"t"
	};
	struct am__pg_params p = { 0 };
	PGresult *r;
	int err;

	am__pg_text(&p, t->name);
	err = am__pg_run(s, &st, &p, &r, t->name);
	for (size_t c = 0; !err && c < t->ncols; c++) {
		types[c] = 0;
		for (int i = 0; i < PQntuples(r); i++) {
			char name[64];

			am__pg_col_code(r, i, 0, name, sizeof(name));
			if (!strcmp(name, t->cols[c]))
				types[c] = (Oid)am__pg_col_int(r, i, 1);
		}
		if (!types[c])
			err = am__store_errf(s, AM_ESTORE_CORRUPT,
					     "%s has no column %s", t->name,
					     t->cols[c]);
	}
	if (r)
		PQclear(r);
	return err;
}

/* t's key as ORDER BY, text compared byte by byte (COLLATE "C"), as
 * SQLite compares it, whatever the database's collation: db copy checks a
 * digest of the rows in this order on both sides. */
static int order_sql(struct am_store *s, const struct am__table *t,
		     const Oid *types, struct am_buf *out)
{
	const char *p = t->order;

	while (*p) {
		size_t n = strcspn(p, ", ");
		bool text = false;

		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cols[c]) == n &&
			    !strncmp(t->cols[c], p, n))
				text = types[c] == 25;
		if (n && am_buf_addf(out, "%s%.*s%s", out->len ? ", " : "",
				     (int)n, p, text ? " COLLATE \"C\"" : ""))
			return am__store_errf(s, AM_ENOMEM, "out of memory");
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

int am__pg_rows_walk(struct am_store *s, const struct am__table *t,
		     int (*fn)(void *ctx, const struct am__val *row), void *ctx)
{
	struct rows_walk w = { t->ncols, NULL, fn, ctx };
	struct am_buf cols, order, sql;
	Oid *types = calloc(t->ncols ? t->ncols : 1, sizeof(*types));
	int err;

	if (!types)
		return am__store_errf(s, AM_ENOMEM, "out of memory");
	am_buf_init(&cols, 0);
	am_buf_init(&order, 0);
	am_buf_init(&sql, 0);
	err = table_sql(s, t, &cols);
	if (!err)
		err = column_types(s, t, types);
	if (!err)
		err = order_sql(s, t, types, &order);
	if (!err && am_buf_addf(&sql, "SELECT %s FROM %s ORDER BY %s", cols.buf,
				t->name, order.buf))
		err = am__store_errf(s, AM_ENOMEM, "out of memory");
	w.v = err ? NULL : calloc(t->ncols ? t->ncols : 1, sizeof(*w.v));
	if (!err && !w.v)
		err = am__store_errf(s, AM_ENOMEM, "out of memory");
	if (!err)
		err = am__pg_walk(s, sql.buf, rows_row, &w, t->name);
	free(w.v);
	free(types);
	am_buf_release(&cols);
	am_buf_release(&order);
	am_buf_release(&sql);
	return err;
}

static int copy_val(struct am_buf *b, Oid type, const struct am__val *v)
{
	if (v->type == AM__VAL_NULL)
		return am__pg_copy_null(b);
	if (v->type == AM__VAL_INT) {
		if (type == 20)
			return am__pg_copy_i64(b, v->i);
		if (type == 23 && v->i >= INT32_MIN && v->i <= INT32_MAX)
			return am__pg_copy_i32(b, (int32_t)v->i);
		return AM_EINVALID_ARGUMENT;
	}
	if (type == 20 || type == 23)
		return AM_EINVALID_ARGUMENT;
	return am__pg_copy_bytes(b, v->p, v->n);
}

int am__pg_rows_load(struct am_store *s, const struct am__table *t,
		     const struct am__val *rows, size_t n)
{
	struct am_buf cols, b;
	bool copying = false;
	Oid *types;
	int err;

	if (!n)
		return 0;
	types = calloc(t->ncols ? t->ncols : 1, sizeof(*types));
	if (!types)
		return am__store_errf(s, AM_ENOMEM, "out of memory");
	am_buf_init(&cols, 0);
	am_buf_init(&b, 0);
	err = table_sql(s, t, &cols);
	if (!err)
		err = column_types(s, t, types);
	/* A list names the later list that superseded it: the keys are
	 * checked at the commit. */
	if (!err)
		err = am__pg_exec(s, "SET CONSTRAINTS ALL DEFERRED", t->name);
	if (!err) {
		err = am__pg_copy_start(s, t->name, cols.buf, t->name);
		copying = !err;
	}
	for (size_t i = 0; !err && i < n; i++) {
		const struct am__val *row = rows + i * t->ncols;

		err = am__pg_copy_tuple(&b, (int)t->ncols);
		for (size_t c = 0; !err && c < t->ncols; c++)
			err = copy_val(&b, types[c], &row[c]);
		if (err == AM_EINVALID_ARGUMENT)
			err = am__store_errf(s, err,
					     "%s: row %zu does not fit the "
					     "table's columns",
					     t->name, i + 1);
		else if (err)
			err = am__store_errf(s, err, "%s: out of memory",
					     t->name);
		else if (b.len >= ((size_t)1 << 20))
			err = am__pg_copy_send(s, &b, t->name);
	}
	if (!err)
		err = am__pg_copy_send(s, &b, t->name);
	if (copying && err) {
		char saved[AM__STORE_ERRMSG_MAX];

		memcpy(saved, s->errmsg, sizeof(saved));
		(void)am__pg_copy_finish(s, false, t->name);
		memcpy(s->errmsg, saved, sizeof(saved));
	} else if (copying) {
		err = am__pg_copy_finish(s, true, t->name);
	}
	/* The sequences past the ids loaded: the ledger's past its rows and
	 * every list's transaction (a list with nothing to assess takes an
	 * id and writes no ledger row). */
	if (!err &&
	    (!strcmp(t->name, "ledger") || !strcmp(t->name, "wage_lists")))
		err = am__pg_exec(s,
				  "SELECT setval('ledger_ids', greatest("
				  "(SELECT coalesce(max(id), 0) FROM ledger),"
				  " (SELECT coalesce(max(txn), 0)"
				  " FROM wage_lists)) + 1, false)",
				  t->name);
	if (!err && !strcmp(t->name, "wage_lists"))
		err = am__pg_exec(s,
				  "SELECT setval(pg_get_serial_sequence("
				  "'wage_lists', 'id'),"
				  " coalesce(max(id), 0) + 1, false)"
				  " FROM wage_lists",
				  t->name);
	am_buf_release(&cols);
	am_buf_release(&b);
	free(types);
	return err;
}
