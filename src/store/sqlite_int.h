/* The SQLite backend's insides shared between its files: sqlite.c (the
 * connection, the registry, the audit trail) and sqlite_wage.c (posting). */
#ifndef AMANAT_SQLITE_INT_H
#define AMANAT_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_int.h"

/* Statements of sqlite_wage.c, cached in the handle like sqlite.c's. */
#define AM__SQ_WAGE_STMTS 32

sqlite3 *am__sq_db(struct am_store *s);
/* The handle's array of AM__SQ_WAGE_STMTS cached statements. */
sqlite3_stmt **am__sq_wage_stmts(struct am_store *s);
/* The ledger's sequence as a write transaction counts it
 * (am__sq_ledger_id()). */
struct am__sq_seq {
	int64_t next;
	bool loaded, dirty;
};
struct am__sq_seq *am__sq_seq(struct am_store *s);
/* Write the counted sequence back (the commit does, first). */
int am__sq_seq_flush(struct am_store *s);
/* A buffer of the handle's for packing a row's blob. */
struct am_buf *am__sq_scratch(struct am_store *s);
/* The rows of the layout before 0004_ledger.sql moved into the ledger
 * (the migration's data step). */
int am__sq_migrate_ledger(struct am_store *s);

/* The bulk puts' virtual tables, registered on a connection (SQLITE_OK
 * or an SQLite code); *out is what the puts read through. */
struct am__sq_bulk;
int am__sq_bulk_register(sqlite3 *db, struct am__sq_bulk **out);
int am__sq_persons_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			    const struct am_person *const *p, size_t n,
			    int64_t now);
int am__sq_persons_ensure_many(struct am_store *s, struct am__sq_bulk *bulk,
			       const struct am_person *const *p, size_t n,
			       int64_t now, size_t *added);
int am__sq_dependants_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			       const struct am_dependant *const *d, size_t n,
			       int64_t now);
int am__sq_workshops_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			      const struct am_workshop *const *w, size_t n,
			      int64_t now);
int am__sq_employers_put_many(struct am_store *s, struct am__sq_bulk *bulk,
			      const struct am_employer *const *e, size_t n,
			      int64_t now);

/* Translate a failed SQLite call into s->errmsg and an AM_E… code. */
int am__sq_fail(struct am_store *s, int rc, const char *what);

/* The posting half of the vtable (sqlite_wage.c). */
int am__sq_list_find(struct am_store *s, const char *workshop, int period,
		     const char *list_no, struct am_list_key *key);
int am__sq_list_insert(struct am_store *s, const struct am_list_row *row,
		       int64_t *id);
int am__sq_list_supersede(struct am_store *s, int64_t id);
int am__sq_ledger_id(struct am_store *s, int64_t *id);
int am__sq_workshop_terms(struct am_store *s,
			  int (*fn)(void *ctx, const char *code,
				    bool hard_harmful, bool small_exempt),
			  void *ctx);
int am__sq_person_set_min(struct am_store *s, int64_t *min);
int am__sq_person_codes(struct am_store *s, int (*fn)(void *ctx, int64_t code),
			void *ctx);
int am__sq_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			 uint8_t *known);
int am__sq_line_read(struct am_store *s, int64_t list_id, uint32_t offset,
		     struct am_arena *a, struct am_line_ref *out);
int am__sq_index_add(struct am_store *s, const struct am_index_entry *e,
		     size_t n, int64_t segment);
int am__sq_person_lines(struct am_store *s, int64_t code, int period,
			int (*fn)(void *ctx, const struct am_index_entry *e),
			void *ctx);

int am__sq_compact(struct am_store *s, int64_t *entries);
int am__sq_ledger_append(struct am_store *s, const struct am_ledger_row *x);
int am__sq_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
		      struct am_ledger_row *out);
int am__sq_ledger_walk(struct am_store *s,
		       int (*fn)(void *ctx, const struct am_ledger_row *t),
		       void *ctx);
int am__sq_history_insert(struct am_store *s, const struct am_history_row *r,
			  int period, int64_t now, bool *existed,
			  struct am_history_row *old, bool *wrote);
int am__sq_payment_find(struct am_store *s, const char *reference,
			struct am_payment_row *out);
int am__sq_payment_insert(struct am_store *s, const struct am_payment *p,
			  int period, int64_t txn, int64_t now);
int am__sq_history_rows(struct am_store *s, const char *national_code,
			int (*fn)(void *ctx, const struct am_history_row *r),
			void *ctx);
int am__sq_lists_posted(struct am_store *s, const char *workshop, int period,
			int (*fn)(void *ctx, const struct am_list_head *h),
			void *ctx);
int am__sq_list_body(struct am_store *s, int64_t id, struct am_arena *a,
		     const uint8_t **body, size_t *len);

int am__sq_workshop_txns(struct am_store *s, const char *workshop,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx);

/* The logical tables walked and loaded (sqlite_rows.c, "amanat db copy"). */
int am__sq_rows_walk(struct am_store *s, const struct am__table *t,
		     int (*fn)(void *ctx, const struct am__val *row),
		     void *ctx);
int am__sq_rows_load(struct am_store *s, const struct am__table *t,
		     const struct am__val *rows, size_t n);

/* Ready a cached statement for its next use: the bindings point into the
 * caller's memory (SQLITE_STATIC), so they are cleared too. */
static inline void am__sq_finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Bind text, or NULL for a NULL pointer; the text must outlive the step. */
static inline int am__sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Bind a date, or NULL for AM_STORE_DATE_NONE. */
static inline int am__sq_bind_date(sqlite3_stmt *st, int i, am_date d)
{
	if (d == AM_STORE_DATE_NONE)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, d);
}

#endif
