/* The PostgreSQL backend's insides shared between its files: pg.c (the
 * connection, transactions, migrations, the registry, the audit trail)
 * and pg_wage.c (lists, the by-person index, the ledger, payments, the
 * walks of db copy). */
#ifndef AMANAT_PG_INT_H
#define AMANAT_PG_INT_H

#include <libpq-fe.h>

#include "store/store_int.h"

/* Statements are prepared on first use, once per connection, under a name
 * from their id (pg.c's below 64, pg_wage.c's from 64). types has a letter
 * per parameter: i int8 (binary), t text, b bytea (binary), A int8[] (as
 * text, "{1,2}"). */
struct am__pg_stmt {
	int id;
	const char *sql;
	const char *types;
};
#define AM__PG_STMTS 128

/* A statement's parameters, in order. Integers are sent in binary (eight
 * bytes, network order), text as text, bytes in binary. */
#define AM__PG_PARAMS_MAX 32
struct am__pg_params {
	int n;
	const char *v[AM__PG_PARAMS_MAX];
	int len[AM__PG_PARAMS_MAX];
	int fmt[AM__PG_PARAMS_MAX];
	unsigned char ints[AM__PG_PARAMS_MAX][8];
};

void am__pg_int(struct am__pg_params *p, int64_t v);
/* NULL is SQL NULL. */
void am__pg_text(struct am__pg_params *p, const char *s);
void am__pg_bytes(struct am__pg_params *p, const void *b, size_t n);
/* 0 (an absent period or id) as NULL. */
void am__pg_opt_int(struct am__pg_params *p, int64_t v);
/* AM_DATE_NONE as NULL. */
void am__pg_date(struct am__pg_params *p, am_date d);

/* Run a prepared statement (results in binary). *res (may be NULL when
 * none is wanted) is the result, to PQclear(); on failure s->errmsg says
 * what (prefixed with what) and nothing is to be cleared. A statement that
 * fails inside the store's transaction aborts it (PostgreSQL's rule):
 * am__pg_fail() marks it failed, so that only a rollback follows; the
 * refusals a caller expects (a key there, a row referred to missing) are
 * therefore asked in the statements and answered by what they wrote. */
int am__pg_run(struct am_store *s, const struct am__pg_stmt *st,
	       const struct am__pg_params *p, PGresult **res, const char *what);
/* A statement without parameters or results, in text. */
int am__pg_exec(struct am_store *s, const char *sql, const char *what);
/* Walk the rows of sql (built by the caller, literals escaped) through a
 * cursor, a few thousand at a time, in one snapshot: fn(ctx, res, row)
 * for each; a non-zero return stops the walk and is returned. fn may run
 * other statements on the handle. */
int am__pg_walk(struct am_store *s, const char *sql,
		int (*fn)(void *ctx, const PGresult *r, int row), void *ctx,
		const char *what);
/* A literal for sql (quoted and escaped), into out; AM_ENOMEM. */
int am__pg_literal(struct am_store *s, const char *text, struct am_buf *out);

/* Translate a failed result (or the connection's error when r is NULL)
 * into s->errmsg and an AM_E… code. */
int am__pg_fail(struct am_store *s, const PGresult *r, const char *what);

/* Columns of a binary result. NULL is 0 or NULL. */
int64_t am__pg_col_int(const PGresult *r, int row, int col);
bool am__pg_col_null(const PGresult *r, int row, int col);
/* Text copied into a (NULL stays NULL); AM_ENOMEM. */
int am__pg_col_text(const PGresult *r, int row, int col, struct am_arena *a,
		    const char **out);
/* Text copied into a fixed buffer (codes), cut to size. */
void am__pg_col_code(const PGresult *r, int row, int col, char *out,
		     size_t size);
/* am_date, NULL as AM_DATE_NONE. */
am_date am__pg_col_date(const PGresult *r, int row, int col);

/* A block of ids from a SEQUENCE, held by a write transaction (ids
 * next..end-1; the next block twice as large). */
struct am__pg_ids {
	bool held;
	int64_t next, end, block;
};

/* Rows waiting for one COPY: their tuples in COPY's binary form. */
struct am__pg_rows {
	struct am_buf copy;
	size_t n;
};

/* A set of keys in memory (pg_wage.c): a workshop's code, or a list's
 * (period, workshop, number). */
struct am__pg_key;
struct am__pg_keys {
	struct am__pg_key *v;
	size_t cap, n;
};

/* pg_wage.c's part of the handle: the write transaction's blocks of ids
 * and waiting rows, and what the handle knows of the database while no
 * other writer has committed since its own last commit (the generation
 * it left in write_lock): the keys of the lists of the periods it has
 * read, and the workshops' codes. */
struct am__pg_wage {
	struct am__pg_ids ledger_ids, list_ids;
	struct am__pg_rows ledger, lists;
	bool gen_known;
	int64_t gen, tx_gen;
	struct am__pg_keys list_keys, workshops;
	bool workshops_loaded;
	int32_t *periods;
	size_t nperiods, periods_cap;
};
struct am__pg_wage *am__pg_wage(struct am_store *s);
/* COPY table (cols) FROM STDIN in binary: start it, send tuples (encoded
 * by the am__pg_copy_… helpers below; the buffer is emptied) as often as
 * needed, finish it (ok false abandons it: nothing goes in). am__pg_copy()
 * is the three at once. */
int am__pg_copy_start(struct am_store *s, const char *table, const char *cols,
		      const char *what);
int am__pg_copy_send(struct am_store *s, struct am_buf *tuples,
		     const char *what);
int am__pg_copy_finish(struct am_store *s, bool ok, const char *what);
int am__pg_copy(struct am_store *s, const char *table, const char *cols,
		struct am_buf *tuples, const char *what);
int am__pg_copy_tuple(struct am_buf *b, int fields);
int am__pg_copy_i64(struct am_buf *b, int64_t v);
int am__pg_copy_i32(struct am_buf *b, int32_t v);
int am__pg_copy_bytes(struct am_buf *b, const void *p, size_t n);
/* NULL as SQL NULL. */
int am__pg_copy_text(struct am_buf *b, const char *text);
int am__pg_copy_null(struct am_buf *b);

PGconn *am__pg_conn(struct am_store *s);
/* A buffer of the handle's for packing a row's blob. */
struct am_buf *am__pg_scratch(struct am_store *s);

/* The waiting rows (lists, then the ledger's) go in by COPY; the commit,
 * a savepoint and every read of them send them first (am__pg_flush()).
 * Dropped by a rollback (to the savepoint: they all came after it). The
 * ids a transaction took and did not use are given back at its commit. */
int am__pg_flush(struct am_store *s);
void am__pg_drop(struct am_store *s);
int am__pg_ids_return(struct am_store *s);
void am__pg_ids_forget(struct am_store *s);
void am__pg_wage_init(struct am_store *s);
void am__pg_wage_free(struct am_store *s);
/* The generation a write transaction took at its begin: when it follows
 * the handle's last commit's, what the handle knows still holds, else it
 * is forgotten; committed, the transaction's is the handle's. A rollback
 * (to a savepoint too) forgets what the transaction taught. */
void am__pg_generation(struct am_store *s, int64_t gen);
void am__pg_committed(struct am_store *s);
void am__pg_forget(struct am_store *s);
/* A workshop written by this handle (workshop_put). */
int am__pg_workshop_added(struct am_store *s, const char *code);

/* The posting half of the vtable (pg_wage.c). */
int am__pg_list_find(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am_list_key *key);
int am__pg_list_insert(struct am_store *s, const struct am_list_row *row,
		       int64_t *id);
int am__pg_list_supersede(struct am_store *s, int64_t id);
int am__pg_ledger_id(struct am_store *s, int64_t *id);
int am__pg_workshop_terms(struct am_store *s,
			  int (*fn)(void *ctx, const char *code,
				    bool hard_harmful, bool small_exempt),
			  void *ctx);
int am__pg_person_codes(struct am_store *s, int (*fn)(void *ctx, int64_t code),
			void *ctx);
int am__pg_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			 uint8_t *known);
int am__pg_line_read(struct am_store *s, int64_t list_id, uint32_t offset,
		     struct am_arena *a, struct am_line_ref *out);
int am__pg_index_add(struct am_store *s, const struct am_index_entry *e,
		     size_t n, int64_t segment);
int am__pg_person_lines(struct am_store *s, int64_t code, int period,
			int (*fn)(void *ctx, const struct am_index_entry *e),
			void *ctx);
int am__pg_compact(struct am_store *s, int64_t *entries);
int am__pg_ledger_append(struct am_store *s, const struct am_ledger_row *x);
int am__pg_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
		      struct am_ledger_row *out);
int am__pg_ledger_walk(struct am_store *s,
		       int (*fn)(void *ctx, const struct am_ledger_row *t),
		       void *ctx);
int am__pg_history_insert(struct am_store *s, const struct am_history_row *r,
			  int period, int64_t now, bool *existed,
			  struct am_history_row *old, bool *wrote);
int am__pg_payment_find(struct am_store *s, const char *reference,
			struct am_payment_row *out);
int am__pg_payment_insert(struct am_store *s, const struct am_payment *p,
			  int period, int64_t txn, int64_t now);
int am__pg_history_rows(struct am_store *s, const char *national_code,
			int (*fn)(void *ctx, const struct am_history_row *r),
			void *ctx);
int am__pg_workshop_txns(struct am_store *s, const char *workshop,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx);
int am__pg_lists_posted(struct am_store *s, const char *workshop, int period,
			int (*fn)(void *ctx, const struct am_list_head *h),
			void *ctx);
int am__pg_list_body(struct am_store *s, int64_t id, struct am_arena *a,
		     const uint8_t **body, size_t *len);
int am__pg_rows_walk(struct am_store *s, const struct am__table *t,
		     int (*fn)(void *ctx, const struct am__val *row),
		     void *ctx);
int am__pg_rows_load(struct am_store *s, const struct am__table *t,
		     const struct am__val *rows, size_t n);

#endif
