/* The store's insides: the handle every backend extends and the table of
 * functions a backend provides (git's struct ref_storage_be). */
#ifndef AMANAT_STORE_INT_H
#define AMANAT_STORE_INT_H

#include "amanat/assess.h"
#include "amanat/buf.h"
#include "amanat/rows.h"
#include "amanat/store.h"
#include "amanat/wagelist.h"

#define AM__STORE_ERRMSG_MAX 512
#define AM__STORE_ACTOR_MAX 128

struct am_index_entry;

/* A prep with its buffers, kept from one list to the next. */
struct am__prep_owner {
	struct am_post_prep p; /* first: a view casts back to its owner */
	struct am_buf body;
	uint32_t *offsets;
	int64_t *codes;
	struct am_buf persons;
	uint32_t *person_at; /* lines_alloc + 1 */
	size_t lines_alloc;
	char errmsg[AM__STORE_ERRMSG_MAX];
};

/*
 * The handle. A backend allocates its own struct with this one as its first
 * member and casts back (container style). Everything policy-like lives in
 * store.c and audit.c on top of the vtable, so a new backend writes only
 * mechanism: SQL in, rows out.
 */
struct am_store {
	const struct am_store_backend *be;
	char errmsg[AM__STORE_ERRMSG_MAX];
	char actor[AM__STORE_ACTOR_MAX];
	bool in_tx;	/* a transaction opened by am_store_begin() */
	bool tx_failed; /* a unit in it could not be undone: only rollback */
	bool ready;	/* schema found current: no need to ask again */
	int64_t clock;	/* tests: a fixed "now" in unix seconds; 0 = time() */
	bool posting;	/* the backend's posting mode is on */
	struct am__ckpt *ckpt; /* checkpoint.c: the thread, when on */
	size_t ckpt_runs;      /* its figures since it was last on */
	double ckpt_waited;
};

/* One numbered migration, embedded from src/store/migrations/NNNN_*.sql
 * by tools/embed.py. */
struct am__migration {
	int version;
	const char *name; /* "0001_registry" */
	const char *sql;
};

struct am_buf;
struct am_wage_list;
struct am_wage_line;
struct am_line_assessment;

/* handle.c: the posting mode off (at a transaction's end); a rollback
 * that keeps the failure's message (to_savepoint: the unit's savepoint
 * only, the transaction marked failed when even that fails). */
void am__store_rollback_quietly(struct am_store *s, bool to_savepoint);
void am__store_posting_off(struct am_store *s);

/* person_set.c */
int am__person_set_new(struct am_person_set **out);

/* codec.c: the packed forms. */
int am__code_int(const char *national_code, int64_t *out);
void am__code_text(int64_t code, char out[11]);
/* A body's head (codec.c): what its lines are stored against, and where
 * the first starts. */
struct am__body_head {
	unsigned row;				/* the first line's row */
	int64_t base, insured, employer, state; /* a reference line's */
	int64_t hh_base, hard_harmful;		/* a hard-and-harmful one's */
	size_t lines_at;
	bool names; /* its lines keep the names (version 3 on) */
	/* The shares' proportions to the base, taken from those. */
	unsigned __int128 r_insured, r_employer, r_state, r_hard_harmful;
};
/* Append the list's lines (with codes[i], line i's national code as an
 * integer, and a[i]) to out after its head; offsets[i] gets where line i
 * starts. */
int am__body_encode(const struct am_wage_list *l, const int64_t *codes,
		    const struct am_line_assessment *a, struct am_buf *out,
		    uint32_t *offsets);
/* The head of body p[0..n) (it starts the body; a prefix of the body of
 * AM__BODY_HEAD_MAX bytes holds it). */
#define AM__BODY_HEAD_MAX 80
int am__body_head(const uint8_t *p, size_t n, struct am__body_head *h);
/* Decode the line at offset of p[0..n) (the body, or a slice of it from
 * which offset is counted), of a body with head h; strings into ar;
 * *next (may be NULL) the offset after it. AM_ESTORE_CORRUPT for bad
 * bytes. */
int am__body_decode_line(const struct am__body_head *h, const uint8_t *p,
			 size_t n, size_t offset, struct am_arena *ar,
			 struct am_wage_line *ln, struct am_line_assessment *a,
			 size_t *next);
/* Who a line names (code, names, birth, sex, nationality, insurance
 * number), appended to out; decoded back at offset, strings into a. */
int am__person_encode(const struct am_wage_line *ln, struct am_buf *out);
int am__person_decode(const uint8_t *p, size_t n, size_t offset,
		      struct am_arena *a, struct am_wage_line *ln);
/* n entries, sorted, every list id >= base, into out. */
int am__block_encode(const struct am_index_entry *e, size_t n, int64_t base,
		     struct am_buf *out);
/* The n entries of a block (period left 0). */
int am__block_decode(const uint8_t *p, size_t len, int64_t first_code,
		     int64_t base, size_t n, struct am_index_entry *out);

/*
 * blocks.c: the by-person index in packed blocks (SQLite's and
 * PostgreSQL's). A batch's entries of a period (sorted by code, list id
 * and offset) form one segment, numbered by the batch's lowest list id,
 * its base; each block holds about AM__BLOCK_ENTRIES entries, and a
 * person's entries never straddle two blocks, so a person's month is, per
 * segment, the one block whose first code is the greatest not above
 * theirs.
 */
#define AM__BLOCK_ENTRIES 128
/* Where a backend keeps a block. */
typedef int am__block_put_fn(struct am_store *s, void *ctx, int period,
			     int64_t segment, int64_t first_code, int64_t n,
			     const void *block, size_t len);
/* Cut e[0..n) (one period) into blocks of segment, each to put. */
int am__index_pack(struct am_store *s, const struct am_index_entry *e, size_t n,
		   int64_t segment, am__block_put_fn *put, void *ctx);
/* Decode a block of n entries (first code first, list ids less base)
 * into *e, grown to *cap when it is smaller (free it after). */
int am__block_entries(struct am_store *s, const uint8_t *block, size_t len,
		      int64_t first, int64_t n, int64_t base,
		      struct am_index_entry **e, size_t *cap);
/* One segment's blocks, in first-code order: next gives the next one
 * (*found false past the last; the bytes valid until the next call). */
struct am__block_src {
	int (*next)(struct am_store *s, void *ctx, bool *found, int64_t *first,
		    int64_t *n, const uint8_t **block, size_t *len);
	void *ctx;
	int64_t base;
};
/* Merge k segments of a period into blocks of one segment (list ids less
 * base), each to put; *total the entries merged. */
int am__index_merge(struct am_store *s, int period, struct am__block_src *src,
		    size_t k, int64_t segment, int64_t base,
		    am__block_put_fn *put, void *ctx, int64_t *total);

/* A transaction's postings, packed (codec.c); decoded back into out. */
int am__postings_encode(const struct am_posting *p, size_t n,
			struct am_buf *out);
int am__postings_decode(const uint8_t *p, size_t len,
			struct am_posting out[AM_TXN_POSTINGS_MAX], size_t *n);

/*
 * Moving a whole database between backends (copy.c, "amanat db copy"): its
 * logical tables, which every backend holds under these names with these
 * columns, walked in key order and loaded into an empty target. What a
 * backend keeps beside them for its own access paths (SQLite's by-person
 * blocks and its side tables of codes, PostgreSQL's blocks) is not
 * copied: the target's loads keep their side tables, and copy.c rebuilds
 * the by-person index from the lists' bodies through index_add().
 */
enum am__val_type { AM__VAL_NULL, AM__VAL_INT, AM__VAL_TEXT, AM__VAL_BLOB };

/* A column's value: an integer in i, text or bytes in p[0..n) (text is
 * not NUL-terminated). */
struct am__val {
	enum am__val_type type;
	int64_t i;
	const void *p;
	size_t n;
};

/* A logical table: its name, its columns in the order rows carry them,
 * and the columns of its key (what a walk orders by; text by its bytes,
 * as SQLite orders it and PostgreSQL with COLLATE "C": both sides of a
 * copy must walk in one order for their digests to agree). */
struct am__table {
	const char *name;
	const char *const *cols;
	size_t ncols;
	const char *order; /* "seq", "period, workshop, list_no, revision" */
};

/* The tables, parents before children (copy.c). */
extern const struct am__table am__tables[];
extern const size_t am__tables_nr;

struct am_wage_list;
struct am_line_assessment;

/*
 * A storage backend. Every function returns 0 or a negative AM_E… and sets
 * s->errmsg on failure (am__store_errf()). Backends translate their own
 * failures: busy → AM_ESTORE_BUSY, constraint → AM_ESTORE_CONFLICT, other
 * statement failures → AM_ESTORE_SQL. A function that fails leaves the
 * data as it was (the single statements are atomic; store.c wraps each
 * compound write in a savepoint).
 *
 * Dates are am_date (AM_STORE_DATE_NONE = NULL); "now" is passed in, so
 * that the backend never reads the clock.
 */
/* An open flag of the store's own, beside AM_STORE_OPEN_…: a helper
 * handle (the checkpoint thread's) on a database another handle is
 * writing, which leaves what that handle's bulk load set aside to the
 * load (a writable open otherwise puts it back, as after a crash). */
#define AM__STORE_OPEN_HELPER (1u << 8)

struct am_store_backend {
	const char *name; /* the URI scheme: "sqlite", "pg" */

	/* Open the database at path (the URI after "scheme:"); flags are
	 * AM_STORE_OPEN_…. On failure *out is NULL and errmsg (size
	 * AM__STORE_ERRMSG_MAX) holds the reason. */
	int (*open)(const char *path, unsigned flags, struct am_store **out,
		    char *errmsg);
	/* Free everything; an open transaction is rolled back. */
	void (*close)(struct am_store *s);
	/* The URI a second handle on the same database opens (a reader, the
	 * checkpoint thread's handle), or NULL when there is none (an
	 * in-memory database). */
	const char *(*uri)(struct am_store *s);

	/* Write transaction: begin, commit (on failure the transaction may
	 * still be open: the caller rolls back), rollback (a no-op when none
	 * is open). */
	int (*begin)(struct am_store *s);
	int (*commit)(struct am_store *s);
	int (*rollback)(struct am_store *s);
	/* A write transaction whose references the caller checked (see
	 * am_store_begin_checked()); NULL: begin. */
	int (*begin_checked)(struct am_store *s);
	/* A bulk load into table starts or ends (am_store_load_begin()),
	 * outside any transaction; NULL where nothing is set aside. */
	int (*load_begin)(struct am_store *s, const char *table, int64_t rows);
	int (*load_end)(struct am_store *s, const char *table);
	/* One savepoint level inside a transaction, for a compound write:
	 * savepoint, then release to keep it or rollback_to to undo it (which
	 * also releases it). */
	int (*savepoint)(struct am_store *s);
	int (*release)(struct am_store *s);
	int (*rollback_to)(struct am_store *s);

	/* Apply the backend's migrations (store.c checks there is no open
	 * transaction; the backend runs them in one of its own). */
	int (*migrate)(struct am_store *s, int *from, int *to);
	int (*schema_version)(struct am_store *s, int *version);
	int (*schema_latest)(const struct am_store *s);

	int (*meta_get)(struct am_store *s, const char *key, struct am_arena *a,
			const char **value);
	int (*meta_set)(struct am_store *s, const char *key, const char *value);

	/* Insert (key, hash, now) unless key exists; when it does, *existed
	 * is true and existing holds its hash (the caller compares). */
	int (*idem_claim)(struct am_store *s, const char *key,
			  const uint8_t hash[AM_IDEM_HASH_SIZE], int64_t now,
			  bool *existed, uint8_t existing[AM_IDEM_HASH_SIZE]);
	int (*idem_set_result)(struct am_store *s, const char *key,
			       const char *result);
	int (*idem_result)(struct am_store *s, const char *key,
			   struct am_arena *a, const char **result);

	/* Registry upserts (created_at and updated_at from now) and gets. */
	int (*person_put)(struct am_store *s, const struct am_person *p,
			  int64_t now);
	int (*person_get)(struct am_store *s, const char *national_code,
			  struct am_arena *a, struct am_person *out);
	/* Insert unless the key exists; *added when inserted. */
	int (*person_ensure)(struct am_store *s, const struct am_person *p,
			     int64_t now, bool *added);
	int (*employer_put)(struct am_store *s, const struct am_employer *e,
			    int64_t now);
	int (*employer_get)(struct am_store *s, const char *id,
			    struct am_arena *a, struct am_employer *out);
	int (*workshop_put)(struct am_store *s, const struct am_workshop *w,
			    int64_t now);
	int (*workshop_get)(struct am_store *s, const char *code,
			    struct am_arena *a, struct am_workshop *out);
	int (*dependant_put)(struct am_store *s, const struct am_dependant *d,
			     int64_t now);
	/* Put n persons, or dependants, at once (a bulk import's batch): as
	 * n puts would, in order; or, refused by a constraint, none of them
	 * (AM_ESTORE_CONFLICT: the caller then puts them one at a time).
	 * NULL: a put each. */
	int (*persons_put_many)(struct am_store *s,
				const struct am_person *const *p, size_t n,
				int64_t now);
	/* Ensure n persons at once (persons_put_many's, kept as they are
	 * when registered already), *added those that were not. */
	int (*persons_ensure_many)(struct am_store *s,
				   const struct am_person *const *p, size_t n,
				   int64_t now, size_t *added);
	int (*dependants_put_many)(struct am_store *s,
				   const struct am_dependant *const *d,
				   size_t n, int64_t now);
	int (*workshops_put_many)(struct am_store *s,
				  const struct am_workshop *const *w, size_t n,
				  int64_t now);
	int (*employers_put_many)(struct am_store *s,
				  const struct am_employer *const *e, size_t n,
				  int64_t now);
	int (*dependant_get)(struct am_store *s, const char *main_insured,
			     const char *dependant, struct am_arena *a,
			     struct am_dependant *out);

	/* The newest audit entry's seq and hash (0 and zeros when empty). The
	 * caller holds the write transaction, so no one appends in between. */
	int (*audit_head)(struct am_store *s, uint64_t *seq,
			  uint8_t hash[AM_AUDIT_HASH_SIZE]);
	/* Insert a complete entry, hash and all. */
	int (*audit_insert)(struct am_store *s, const struct am_audit_entry *e);
	/* Walk entries with seq >= from_seq in order, in one snapshot. A row
	 * whose hashes are not 32 bytes is passed with those zeroed and
	 * *malformed set, so that verify can name it. */
	int (*audit_iterate)(struct am_store *s, uint64_t from_seq,
			     int (*fn)(const struct am_audit_entry *e,
				       bool malformed, void *ctx),
			     void *ctx);

	/* Wage lists and the ledger (rows.c hands them on; src/app/posting.c
	 * decides). */
	/* The newest revision under the key (key->found false when none). */
	int (*list_find)(struct am_store *s, const char *workshop, int period,
			 const char *list_no, struct am_list_key *key);
	/* Insert the list row with its body (and, with row->supersedes,
	 * link the old one to it); *id is the new list's id. */
	int (*list_insert)(struct am_store *s, const struct am_list_row *row,
			   int64_t *id);
	/* Mark list id superseded. */
	int (*list_supersede)(struct am_store *s, int64_t id);
	/* A fresh ledger id from the backend's own sequence. */
	int (*ledger_id)(struct am_store *s, int64_t *id);
	/* Every workshop's code and terms, in code order. */
	int (*workshop_terms)(struct am_store *s,
			      int (*fn)(void *ctx, const char *code,
					bool hard_harmful, bool small_exempt),
			      void *ctx);
	/* Which of n national codes (integers, ascending, distinct) are
	 * registered: known[i] 1 or 0. */
	int (*persons_known)(struct am_store *s, const int64_t *codes, size_t n,
			     uint8_t *known);
	/* Every registered national code (an integer), ascending, to fn; a
	 * non-zero return from fn stops the walk and is returned. */
	int (*person_codes)(struct am_store *s,
			    int (*fn)(void *ctx, int64_t code), void *ctx);
	/* From how many registered persons a bulk posting should hold them
	 * in memory (am_person_set_load()) rather than ask persons_known():
	 * what a question costs the backend. NULL: always. */
	int (*person_set_min)(struct am_store *s, int64_t *min);
	/* The line at offset of list id's body, decoded (strings in a), with
	 * its list's key and status. */
	int (*line_read)(struct am_store *s, int64_t list_id, uint32_t offset,
			 struct am_arena *a, struct am_line_ref *out);
	/* Keep a batch's by-person index entries: n entries of one period,
	 * sorted by code, every list id >= segment (the batch's first list).
	 * How they are kept is the backend's own (SQLite: packed blocks in a
	 * segment per batch, merged later by compact()). */
	int (*index_add)(struct am_store *s, const struct am_index_entry *e,
			 size_t n, int64_t segment);
	/* Every index entry of code (of one period, or of all with 0), to fn
	 * in period order; a non-zero return from fn stops the walk. */
	int (*person_lines)(struct am_store *s, int64_t code, int period,
			    int (*fn)(void *ctx,
				      const struct am_index_entry *e),
			    void *ctx);
	/* Optional bulk operations, NULL when the backend needs none (the
	 * callers then skip them). Merge each period's index segments into one, when it has more
	 * than one; *entries merged. */
	int (*compact)(struct am_store *s, int64_t *entries);
	/* on: the writes that follow post wage lists or compact the index,
	 * which delete nothing that is not kept elsewhere (docs/storage.md,
	 * "Freed space"); off: the handle's usual writes again. */
	int (*posting)(struct am_store *s, bool on);
	/* The log of writes (SQLite's WAL) copied into the database at each
	 * commit (on, SQLite's default) or only when checkpoint() is called
	 * (off). NULL for a backend with no such log. */
	int (*autocheckpoint)(struct am_store *s, bool on);
	/* Copy what the log holds into the database without waiting for
	 * anyone; *complete when all of it was. NULL as above. */
	int (*checkpoint)(struct am_store *s, bool *complete);
	/* Append a ledger transaction (its id from ledger_id()). */
	int (*ledger_append)(struct am_store *s, const struct am_ledger_row *t);
	/* Transaction id (AM_ENOT_FOUND when there is none); strings in a. */
	int (*ledger_get)(struct am_store *s, int64_t id, struct am_arena *a,
			  struct am_ledger_row *out);
	/* Every transaction in id order, to fn (strings valid during the
	 * call); a non-zero return from fn stops the walk. */
	int (*ledger_walk)(struct am_store *s,
			   int (*fn)(void *ctx, const struct am_ledger_row *t),
			   void *ctx);
	/* A migrated month: insert unless the key exists, else *existed and
	 * *old holds the stored row's days, wage and h&h days; *wrote once
	 * the row is in. */
	int (*history_insert)(struct am_store *s,
			      const struct am_history_row *r, int period,
			      int64_t now, bool *existed,
			      struct am_history_row *old, bool *wrote);
	int (*payment_find)(struct am_store *s, const char *reference,
			    struct am_payment_row *out);
	int (*payment_insert)(struct am_store *s, const struct am_payment *p,
			      int period, int64_t txn, int64_t now);
	/* A person's migrated months (history_insert's rows), in period and
	 * workshop order, to fn (strings valid during the call). */
	int (*history_rows)(struct am_store *s, const char *national_code,
			    int (*fn)(void *ctx,
				      const struct am_history_row *r),
			    void *ctx);
	/* The transactions that name a workshop (its lists' assessments, their
	 * reversals, its payments and penalties), in id order, to fn. */
	int (*workshop_txns)(struct am_store *s, const char *workshop,
			     int (*fn)(void *ctx,
				       const struct am_ledger_row *t),
			     void *ctx);
	/* The posted lists of a workshop in a period, in list number order,
	 * to fn. */
	int (*lists_posted)(struct am_store *s, const char *workshop,
			    int period,
			    int (*fn)(void *ctx, const struct am_list_head *h),
			    void *ctx);
	/* List id's body (its lines, packed: codec.c), copied into a. */
	int (*list_body)(struct am_store *s, int64_t id, struct am_arena *a,
			 const uint8_t **body, size_t *len);

	/* Every row of logical table t, in t->order, each as t->ncols values
	 * to fn (valid during the call), in one snapshot; a non-zero return
	 * from fn stops the walk and is returned. */
	int (*rows_walk)(struct am_store *s, const struct am__table *t,
			 int (*fn)(void *ctx, const struct am__val *row),
			 void *ctx);
	/* Insert n rows of t (n * t->ncols values, row after row) inside the
	 * caller's transaction, with the backend's side tables kept (SQLite's
	 * person_codes and workshop_keys) and the foreign keys checked at the
	 * commit, not row by row (a list names the later list that superseded
	 * it). Once the ledger's and the lists' rows are in, its sequence
	 * gives ids above every ledger id and every list's txn: a list with
	 * nothing to assess took an id and wrote no ledger row. */
	int (*rows_load)(struct am_store *s, const struct am__table *t,
			 const struct am__val *rows, size_t n);
	/* After a bulk load has committed (db copy): bring what the backend
	 * plans and scans by up to date, outside any transaction
	 * (PostgreSQL's statistics and visibility map, which a fresh copy
	 * lacks until autovacuum comes). NULL where nothing is needed. */
	int (*after_load)(struct am_store *s);
};

extern const struct am_store_backend am__store_sqlite;
/* PostgreSQL (pg.c, pg_wage.c), when the build has libpq. */
extern const struct am_store_backend am__store_pg;
/* How long a SQLite handle waits for another writer before
 * AM_ESTORE_BUSY (default 5000 ms). AM_EINVALID_ARGUMENT for another
 * backend. */
int am__store_sqlite_busy_timeout(struct am_store *s, int ms);
/* checkpoint.c: am_store_begin() waits here every few commits while the
 * checkpoint thread is on; am_store_commit() asks it for a copy. */
int am__ckpt_before_begin(struct am_store *s);
void am__ckpt_committed(struct am_store *s);

/* Set s->errmsg (printf-style); returns err, so a backend can write
 * "return am__store_errf(s, AM_ESTORE_SQL, "…", …);". */
#define am__store_errf am_store_errf /* rows.h */
/* The current time for records: s->clock when set, else time(). */
int64_t am__store_now(const struct am_store *s);
/* open.c: why an open failed, for am_store_errmsg(NULL) (printf-style);
 * returns err. */
int am__store_open_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Check the schema is current before touching data (cached). */
int am__store_ready(struct am_store *s);
/* A row write (rows.c, the bulk puts): ready inside the caller's
 * transaction, which no failure has spoilt; done marks it failed after a
 * failure that is not a refusal (a constraint, a key that is taken). */
int am__store_write_ready(struct am_store *s);
int am__store_write_done(struct am_store *s, int err);
/* A compound write: a savepoint inside the caller's transaction, its own
 * transaction outside; unit_end keeps it (err 0) or undoes it. */
int am__store_unit_begin(struct am_store *s);
int am__store_unit_end(struct am_store *s, int err);

/* Migrations (migrations.c): the SQLite list, embedded at build time. */
extern const struct am__migration am__sqlite_migrations[];
extern const size_t am__sqlite_migrations_nr;
/* PostgreSQL's own list (migrations_pg/). */
extern const struct am__migration am__pg_migrations[];
extern const size_t am__pg_migrations_nr;
/* The newest version in a list that embed.py has checked is 1..n. */
int am__migrations_latest(const struct am__migration *list, size_t n);
/* The checksum recorded for a migration: BLAKE2b-256 of its SQL text, as
 * 64 lower-case hex digits and a NUL. */
int am__migration_checksum(const struct am__migration *m, char hex[65]);
/* Check one row of the database's applied list, read in version order:
 * expect is its place (1, 2, …). AM_ESTORE_SCHEMA_NEWER past the list;
 * AM_ESTORE_CORRUPT for a gap or a checksum that differs (someone edited a
 * released migration). */
int am__migration_check_applied(struct am_store *s,
				const struct am__migration *list, size_t n,
				int expect, int version, const char *checksum);

/* The audit chain (audit.c). */
/* Compute e->hash from the other fields. */
int am__audit_hash(const struct am_audit_entry *e,
		   uint8_t out[AM_AUDIT_HASH_SIZE]);
/* Append inside an open transaction or savepoint (no wrapping). */
int am__audit_append(struct am_store *s, const char *action,
		     const char *subject, const char *payload, uint64_t *seq);

/* Fault injection (fault.c): wrap an open store so that count backend
 * calls from number fail_at on (1-based, counting every vtable call but
 * close and schema_latest) fail with err without reaching the inner store:
 * count 1 fails one call, ULONG_MAX every call from then on. The wrapper
 * owns inner and closes it. fail_at 0 never fails (counting only). */
int am__store_fault_wrap(struct am_store *inner, unsigned long fail_at,
			 unsigned long count, int err, struct am_store **out);
/* Calls counted so far, and whether a fault was injected. */
unsigned long am__store_fault_calls(const struct am_store *s);
bool am__store_fault_fired(const struct am_store *s);

#endif
