/* amanat store: the storage interface. One opaque handle over a backend
 * chosen by name (SQLite now, PostgreSQL later); the registry, the
 * idempotency keys and the hash-chained audit trail. See docs/storage.md. */
#ifndef AMANAT_STORE_H
#define AMANAT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/arena.h"
#include "amanat/date.h"
#include "amanat/history.h"
#include "amanat/ledger.h"
#include "amanat/money.h"
#include "amanat/registry.h"

/*
 * A connection to one database. Opaque. A handle is used by one thread at a
 * time; open one per thread (or per request) to work in parallel.
 *
 * Errors common to every call below: AM_ESTORE_SQL (the backend refused a
 * statement; am_store_errmsg() has its message), AM_ESTORE_BUSY (another
 * writer holds the database past the busy timeout: try again),
 * AM_ESTORE_CONFLICT (a constraint refused the write: a duplicate, a
 * reference to a missing row, a value out of its domain), AM_ESTORE_CORRUPT,
 * AM_EIO, AM_ENOMEM. Calls that read or write application data also give
 * AM_ESTORE_NOT_INITIALISED when the database has no schema or an older one
 * (run am_store_migrate(), i.e. "amanat init") and AM_ESTORE_SCHEMA_NEWER
 * when a newer amanat made it.
 *
 * A failed call leaves nothing half-written: what it started, it rolls
 * back. Inside a transaction the caller opened, a failed write is undone
 * alone (the transaction stays usable).
 */
struct am_store;

/* Flags of am_store_open_flags(). */
enum {
	/* The database must exist; a missing file gives
	 * AM_ESTORE_NOT_INITIALISED instead of creating one (read commands). */
	AM_STORE_OPEN_NOCREATE = 1u << 0,
	/* Read only; implies NOCREATE. Writes fail with AM_ESTORE_SQL. */
	AM_STORE_OPEN_READONLY = 1u << 1,
};

/* Open the database named by uri: a plain path or "sqlite:PATH" picks the
 * SQLite backend (the file is created when missing, without a schema: call
 * am_store_migrate()); "pg:…" is reserved for PostgreSQL. On success *out
 * is a handle to close with am_store_close(); on failure *out is NULL and
 * am_store_errmsg(NULL) says why. AM_ESTORE_UNKNOWN_BACKEND for another
 * scheme, AM_ESTORE_OPEN when the file cannot be opened,
 * AM_ESTORE_CORRUPT when it is not a database, AM_EINVALID_ARGUMENT for an
 * empty path. */
int am_store_open(const char *uri, struct am_store **out);
int am_store_open_flags(const char *uri, unsigned flags, struct am_store **out);

/* A second handle on s's database, read only, for another thread: s and
 * the new handle may each serve one thread at the same time (one handle
 * never serves two at once). am_store_begin() on it opens a read
 * transaction: its lookups see one snapshot and do not hold s's writes
 * up. End it with am_store_rollback() now and then, since the log of
 * writes cannot be checkpointed past a snapshot still read. The schema is
 * checked at once. On error *out is NULL, s is unchanged, and
 * am_store_errmsg(NULL) says why, as after am_store_open():
 * AM_ENOT_FOUND when there is no file another handle could open (an
 * in-memory database, another backend) or SQLite runs without threads;
 * else an error of am_store_open_flags(), or AM_ESTORE_NOT_INITIALISED or
 * AM_ESTORE_SCHEMA_NEWER. Close it with am_store_close(). */
int am_store_open_reader(struct am_store *s, struct am_store **out);

/*
 * A bulk writer's checkpoints on a thread of their own (SQLite). A SQLite
 * handle commits into a log of writes (the WAL) and, at the commit, copies
 * the log into the database and waits for the disk: a checkpoint, half of
 * what a large commit waits for. With the thread on, am_store_commit()
 * waits for its log to reach the disk only, and asks the thread, which
 * has a handle of its own, to copy it while the caller goes on with its
 * next transaction. The log begins again from its start only at a write
 * transaction begun when it was wholly copied, so every fourth
 * am_store_begin() waits for the copy of the last commit first: the log
 * stays within a few transactions. Durability is unchanged: a commit
 * still reaches the disk before it returns, and a crash at any point
 * leaves each transaction wholly there or absent. Commits other than
 * am_store_commit()'s are copied with the next one. Off: waits for the
 * copies, stops the thread and lets s checkpoint itself again; the
 * thread's first error, if any (its message on s). Another backend, a
 * database with no file, or a handle the thread cannot have: nothing
 * changes, and on returns 0. *runs and *waited (either may be NULL):
 * the checkpoints the thread ran and the seconds s's calls waited for
 * it, since it was last turned on.
 */
int am_store_checkpoint_thread(struct am_store *s, bool on);
void am_store_checkpoint_thread_stats(const struct am_store *s, size_t *runs,
				      double *waited);

/* Close; an open transaction is rolled back. NULL is a no-op. */
void am_store_close(struct am_store *s);

/* The message of the last failed call on s (the backend's own words, e.g.
 * SQLite's "FOREIGN KEY constraint failed"), or "" when there is none.
 * With s NULL: the message of the last failed am_store_open() in this
 * thread. Valid until the next call on s. */
const char *am_store_errmsg(const struct am_store *s);

/* "sqlite" or "pg". */
const char *am_store_backend_name(const struct am_store *s);

/* Who is acting, recorded in every audit entry the handle writes ("cli",
 * "user:1234", …). Copied (silently truncated to 127 bytes); NULL or ""
 * restores the default "amanat". */
void am_store_set_actor(struct am_store *s, const char *actor);

/*
 * Schema. Migrations are numbered and applied in order, each recorded with
 * its checksum; a released migration is never edited.
 */

/* Create the schema or bring it up to date, in one transaction. Safe to
 * repeat. *from and *to (either may be NULL) get the schema versions before
 * and after (equal when nothing was done; from is 0 for a new database).
 * AM_ESTORE_SCHEMA_NEWER when the database is newer than this program;
 * AM_ESTORE_CORRUPT when an applied migration's checksum differs from the
 * program's (someone edited a released migration). */
int am_store_migrate(struct am_store *s, int *from, int *to);
/* The database's schema version (0 when it has none). */
int am_store_schema_version(struct am_store *s, int *version);
/* The newest schema version this program knows for the handle's backend. */
int am_store_schema_latest(const struct am_store *s);

/*
 * Transactions. Every write happens inside one: a write called outside a
 * transaction opens and commits its own. To make many writes atomic, and to
 * make them fast, group them: begin, write a whole unit of work (or many
 * units), commit. Transactions do not nest.
 */

/* Begin a write transaction. AM_EINVALID_ARGUMENT when one is open. */
int am_store_begin(struct am_store *s);
/* Begin a write transaction whose every reference the caller has checked
 * itself, against rows that are never deleted (the registry import checks
 * the persons a file of dependants names, in am_person_set): the backend
 * may skip its own check of each (SQLite's is a B-tree page read per
 * reference, at random). */
int am_store_begin_checked(struct am_store *s);
/* A bulk load of about rows rows into table starts, or has ended: the
 * backend may set aside what is cheaper built again once than kept row by
 * row (SQLite drops a large load's table's secondary indexes, and builds
 * them at the end), each in a transaction of its own, outside the
 * caller's. Whatever a load cut short set aside, the next writable open
 * puts back. */
int am_store_load_begin(struct am_store *s, const char *table, int64_t rows);
int am_store_load_end(struct am_store *s, const char *table);
/* Commit. On failure the transaction is rolled back and the error
 * returned. AM_EINVALID_ARGUMENT when none is open. */
int am_store_commit(struct am_store *s);
/* Roll back (a no-op when none is open). */
int am_store_rollback(struct am_store *s);
bool am_store_in_transaction(const struct am_store *s);

/*
 * Meta: small settings of the database (the rule set in force, the
 * installation's name). Keys and values are UTF-8 text.
 */

/* *value (from the arena) or AM_ENOT_FOUND. */
int am_store_meta_get(struct am_store *s, const char *key, struct am_arena *a,
		      const char **value);
/* Insert or replace. */
int am_store_meta_set(struct am_store *s, const char *key, const char *value);

/*
 * Idempotency keys. Every write batch carries a key and a hash of its
 * request (32 bytes, e.g. BLAKE2b-256 of the input file), so that running a
 * batch twice changes nothing the second time.
 */

#define AM_IDEM_KEY_MAX 256
#define AM_IDEM_HASH_SIZE 32

/* Claim key for the request whose hash is given, inside the caller's open
 * transaction, so that the unit of work and its key commit together (or
 * neither does). First use: recorded, *already = false, do the work. Same
 * key and same hash: *already = true, skip the work. Same key, another
 * hash: AM_EIDEMPOTENCY_CONFLICT. AM_EINVALID_ARGUMENT with no open
 * transaction, or for an empty key or one longer than AM_IDEM_KEY_MAX. */
int am_store_idem_claim(struct am_store *s, const char *key,
			const uint8_t hash[AM_IDEM_HASH_SIZE], bool *already);
/* Record the result of a claimed unit (a JSON text), so that a repeated
 * request can answer what the first one did. AM_ENOT_FOUND for a key not
 * claimed. */
int am_store_idem_set_result(struct am_store *s, const char *key,
			     const char *result);
/* *result (from the arena; NULL when none was recorded), or AM_ENOT_FOUND. */
int am_store_idem_result(struct am_store *s, const char *key,
			 struct am_arena *a, const char **result);

/*
 * The registry. Strings are normalised UTF-8 (the caller normalises with
 * am_text_normalize(); the store keeps what it is given). Optional strings
 * may be NULL (stored as NULL); an optional date is AM_STORE_DATE_NONE.
 * A put inserts or, for an existing key, replaces every field (created_at
 * is kept), and appends an audit entry ("person.put", …) whose payload is
 * the new record as JSON. A get fills strings from the arena and returns
 * AM_ENOT_FOUND when there is no such key.
 * Codes are checked by the caller (am_national_code_check(), …); the store
 * refuses only what breaks its own constraints (AM_ESTORE_CONFLICT: a key
 * of the wrong length, an unknown sex or relation, a reference to a missing
 * row) and a required string that is NULL (AM_EINVALID_ARGUMENT).
 */

#define AM_STORE_DATE_NONE AM_DATE_NONE

int am_store_person_put(struct am_store *s, const struct am_person *p);
int am_store_person_get(struct am_store *s, const char *national_code,
			struct am_arena *a, struct am_person *out);
int am_store_employer_put(struct am_store *s, const struct am_employer *e);
int am_store_employer_get(struct am_store *s, const char *id,
			  struct am_arena *a, struct am_employer *out);
int am_store_workshop_put(struct am_store *s, const struct am_workshop *w);
int am_store_workshop_get(struct am_store *s, const char *code,
			  struct am_arena *a, struct am_workshop *out);
int am_store_dependant_put(struct am_store *s, const struct am_dependant *d);
int am_store_dependant_get(struct am_store *s, const char *main_insured,
			   const char *dependant, struct am_arena *a,
			   struct am_dependant *out);

/*
 * The audit trail: append-only, hash-chained. Each entry's hash is
 * BLAKE2b-256 over a canonical encoding of (seq, at, actor, action,
 * subject, payload, prev_hash); prev_hash is the previous entry's hash (32
 * zero bytes for the first). Changing, removing or reordering an entry
 * breaks the chain from there on; am_store_audit_verify() finds it.
 * Removing the newest entries is found only against a head hash kept
 * elsewhere (print it after each verify, see docs/storage.md).
 */

#define AM_AUDIT_HASH_SIZE 32

struct am_audit_entry {
	uint64_t seq; /* 1, 2, 3, … without gaps */
	int64_t at;   /* unix seconds */
	const char *actor;
	const char *action;  /* "person.put", "list.post", … */
	const char *subject; /* the key it concerns; may be "" */
	const char *payload; /* JSON text */
	uint8_t prev_hash[AM_AUDIT_HASH_SIZE];
	uint8_t hash[AM_AUDIT_HASH_SIZE];
};

/* Append an entry by the handle's actor, at the current time. subject NULL
 * is "", payload NULL is "{}"; payload must be valid JSON
 * (AM_ESTORE_CONFLICT otherwise). Inside the caller's transaction it
 * commits with it; *seq (may be NULL) gets the entry's number. */
int am_store_audit_append(struct am_store *s, const char *action,
			  const char *subject, const char *payload,
			  uint64_t *seq);

/* Called for each entry in order; the strings are valid during the call
 * only. A non-zero return stops the walk and is returned. */
typedef int (*am_audit_fn)(const struct am_audit_entry *e, void *ctx);
/* Walk the entries from seq from_seq on (1 = all), as stored: no checking. */
int am_store_audit_iterate(struct am_store *s, uint64_t from_seq,
			   am_audit_fn fn, void *ctx);

/* What is wrong with the first broken entry. */
enum am_audit_problem {
	AM_AUDIT_OK = 0,
	AM_AUDIT_HASH_MISMATCH, /* the entry's fields do not give its hash */
	AM_AUDIT_PREV_MISMATCH, /* prev_hash is not the previous entry's hash */
	AM_AUDIT_SEQ_GAP,	/* entries before it are missing */
};
/* One line saying what the problem means, in English or Persian. */
const char *am_audit_problem_text(enum am_audit_problem p, bool persian);

struct am_audit_verify_result {
	uint64_t count;	   /* entries read */
	uint64_t last_seq; /* seq of the newest entry (0: none) */
	uint8_t head[AM_AUDIT_HASH_SIZE]; /* stored hash of the newest entry */
	enum am_audit_problem problem;	  /* AM_AUDIT_OK when intact */
	uint64_t broken_seq;   /* seq of the FIRST broken entry, or 0 */
	uint64_t expected_seq; /* for AM_AUDIT_SEQ_GAP: the seq expected */
};

/* Walk the whole chain in one snapshot. 0 when intact; AM_EAUDIT_BROKEN
 * when an entry is not, with *res naming the first (the walk still counts
 * every entry). *res is filled in both cases. */
int am_store_audit_verify(struct am_store *s,
			  struct am_audit_verify_result *res);

/*
 * Registry bulk load ("import registry" of millions of persons). Same
 * record and checks as am_store_person_put(), but no audit entry and no
 * savepoint per row: the caller writes one audit entry per batch
 * (am_store_audit_append(), e.g. "registry.import" with the file's hash and
 * the row count). Only inside the caller's transaction
 * (AM_EINVALID_ARGUMENT otherwise). A refused row (AM_ESTORE_CONFLICT) is
 * undone alone; the transaction stays usable.
 */
int am_store_person_put_bulk(struct am_store *s, const struct am_person *p);
/* The same for the other kinds (their puts' checks, no audit entry). */
int am_store_employer_put_bulk(struct am_store *s, const struct am_employer *e);
int am_store_workshop_put_bulk(struct am_store *s, const struct am_workshop *w);
int am_store_dependant_put_bulk(struct am_store *s,
				const struct am_dependant *d);
/* n persons, or dependants, put at once inside the caller's transaction
 * (a bulk import's batch, best in key order): as n bulk puts would, or,
 * when one of them is refused, none, with AM_ESTORE_CONFLICT (put them one
 * at a time to learn which). */
int am_store_persons_put_bulk(struct am_store *s,
			      const struct am_person *const *p, size_t n);
/* n persons registered at once where they are not yet (a month's persons
 * met for the first time, best in key order), *added of them; or, when
 * one is refused, none, with AM_ESTORE_CONFLICT. */
int am_store_persons_ensure_bulk(struct am_store *s,
				 const struct am_person *const *p, size_t n,
				 size_t *added);
int am_store_dependants_put_bulk(struct am_store *s,
				 const struct am_dependant *const *d, size_t n);
/* n workshops, or employers, put at once (SQLite: one statement;
 * PostgreSQL: a put each under a savepoint); or, when one is refused,
 * none, with AM_ESTORE_CONFLICT. */
int am_store_workshops_put_bulk(struct am_store *s,
				const struct am_workshop *const *w, size_t n);
int am_store_employers_put_bulk(struct am_store *s,
				const struct am_employer *const *e, size_t n);

/*
 * Register a person met on a wage line unless the national code is
 * registered already (then nothing changes: the registry's record wins
 * over a list's spelling). *added says whether it was inserted. No audit
 * entry: the list's "list.post" entry is the record (the caller may count
 * the persons added in it). Only inside the caller's transaction
 * (AM_EINVALID_ARGUMENT otherwise); a refused row (AM_ESTORE_CONFLICT: a
 * bad code or sex) leaves the transaction usable.
 */
int am_store_person_ensure(struct am_store *s, const struct am_person *p,
			   bool *added);

/*
 * Wage lists. The posting itself, and what it decides, is the
 * application's (amanat/posting.h); the store keeps the rows it writes
 * (amanat/rows.h). Periods travel as struct am_period; the store keys
 * them as year * 100 + month. Amounts are rials.
 */

struct am_wage_list;
struct am_line_assessment;

/* The posted list with this key, if any: *found, its content hash (32
 * bytes) and its id. hash_out and list_id may be NULL. */
int am_store_list_find(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       bool *found, uint8_t hash_out[32], int64_t *list_id);

/*
 * A list prepared for its posting (rows.h, struct am_post_prep), for a
 * caller with two threads (an import's reader and writer).
 * am_post_prepare() does what needs no handle: it checks the list's key
 * and lines, and packs the lines with their assessments into the list's
 * stored form. It touches no store, so it runs on any thread, one prep
 * per thread at a time. am_post_prepared() (posting.h) then posts the
 * list from the prep (which holds the assessments); l must be the list
 * prepared or a copy of it, as a queue between two threads holds.
 * Whatever preparing refused is that call's error, so that errors keep the
 * order of the lists.
 *
 * am_post_prepare() returns that error too (AM_ENOMEM among them); the
 * caller may ignore it and let the posting report it. A prep from
 * am_post_prep_new() is kept from one list to the next, for its buffers.
 * am_post_prep_copy() makes *out a copy of p in the arena, of the prepared
 * list's size: what a queue holds, with the list's copy beside it. A copy
 * is freed with its arena, is not prepared into, and is not given to
 * am_post_prep_free() (which ignores it).
 */
struct am_post_prep;

int am_post_prep_new(struct am_post_prep **out);
void am_post_prep_free(struct am_post_prep *p);
int am_post_prepare(struct am_post_prep *p, const struct am_wage_list *l,
		    const struct am_line_assessment *a,
		    const char *rules_identity);
int am_post_prep_copy(const struct am_post_prep *p, struct am_arena *a,
		      const struct am_post_prep **out);

/*
 * Each posting transaction writes its lines' by-person index as one
 * segment per period; a person's month is one lookup per segment. The
 * compaction merges each period's segments into one (a streaming merge,
 * bounded memory), so lookups stay one per period; an import runs it at
 * its end for the periods with many. Inside the caller's transaction it
 * commits with it; outside, in its own. *lines (may be NULL) gets how many
 * entries were merged; one audit entry "index.compact" when any were.
 */
int am_store_compact(struct am_store *s, int64_t *lines);

/* Every registered workshop's code and terms (hard and harmful, exempt
 * small workshop), in code order, to fn; a non-zero return from fn stops
 * the walk and is returned. One scan: a bulk import looks its workshops
 * up here rather than one by one (measured: 0.55 µs a scanned row, 9 µs
 * a probe, 83,333 workshops). */
int am_store_workshop_terms_each(struct am_store *s,
				 int (*fn)(void *ctx, const char *code,
					   bool hard_harmful,
					   bool small_exempt),
				 void *ctx);

/*
 * The registered persons as a set in memory: one bit per nine-digit
 * prefix of a national code (the tenth is its check digit), 119 MiB
 * whatever their number, of which only what is written is touched. For
 * a bulk posting: a line's person is then looked for here, and the
 * database is asked only about the persons it lacks (a code with a wrong
 * check digit always is). Loaded from s in one scan (s may be a reader
 * handle on another thread; its snapshot is what is read).
 */
struct am_person_set;
/* *out NULL (and 0 returned) when fewer than min_persons are registered;
 * min_persons below 0 is the backend's own threshold: SQLite's 4 million
 * (while their codes' B-tree stays in its cache, the database answers as
 * fast), none on PostgreSQL (each question is a round trip and an index
 * descent on the server). */
int am_store_person_set_load(struct am_store *s, int64_t min_persons,
			     struct am_person_set **out);
/* *yes when at least n persons are registered: counted up to n and no
 * further (a registry of 40 million is not walked to learn it holds a
 * million). */
int am_store_persons_at_least(struct am_store *s, int64_t n, bool *yes);
/* Codes the set holds. */
int64_t am_person_set_count(const struct am_person_set *set);
void am_person_set_free(struct am_person_set *set);

/* A bank payment ("import payments"; posted by am_post_payment(),
 * posting.h). */
struct am_payment {
	const char *reference; /* the bank's reference: the key */
	const char *workshop;
	struct am_period period; /* the month it pays for */
	am_money amount;
	am_date paid_on;
	am_money matched; /* set by the posting: applied to the period's debt */
	am_money unmatched; /* set by the posting: amount - matched */
};
/* The stored payment (strings from the arena) or AM_ENOT_FOUND. */
int am_store_payment_get(struct am_store *s, const char *reference,
			 struct am_arena *a, struct am_payment *out);

/*
 * Moving a whole database to another backend ("amanat db copy": SQLite to
 * PostgreSQL and back). Every logical table (the registry, meta,
 * idempotency keys, the audit trail, the wage lists with their bodies,
 * the ledger, payments, migrated months) is read from `from` in one
 * snapshot and written into `to` in one transaction, row for row with its
 * keys and ids; the target's by-person index is rebuilt from the lists'
 * bodies (superseded lists too). Before that transaction commits, the
 * copy is checked against its source: each table's row count and a
 * BLAKE2b-256 digest of its rows in key order, the target's audit chain
 * (am_store_audit_verify()), its ledger (balanced, and the same totals
 * as the source's), and the lines and migrated months of every person a
 * line or a migrated month names, read back through each side's
 * by-person index (am_store_person_lines(), rows.h), field by field. A refusal, a difference or any failure
 * rolls the target back: it is left as empty as it was, and the copy may
 * simply be run again.
 */

/* Which check refused or failed the copy (struct am_copy_report). */
enum am_copy_check {
	AM_COPY_OK = 0,
	AM_COPY_NOT_EMPTY, /* a table of the target holds rows */
	AM_COPY_ROWS,	   /* a table's row count differs */
	AM_COPY_DIGEST,	   /* a table's rows differ */
	AM_COPY_AUDIT,	   /* the target's audit chain does not verify */
	AM_COPY_LEDGER,	   /* the target's ledger does not balance, or its
			    * totals differ from the source's */
	AM_COPY_HISTORY,   /* a person's history differs */
};
/* One line saying what the check found, in English or Persian. */
const char *am_copy_check_text(enum am_copy_check c, bool persian);

#define AM_COPY_TABLES_MAX 16

/* A table as copied: its name (static), its rows, and the BLAKE2b-256
 * digest of its rows in key order (each value's type, length and bytes),
 * which both sides gave alike. */
struct am_copy_table {
	const char *name;
	int64_t rows;
	uint8_t digest[32];
};

/* What a copy did. On AM_ESTORE_COPY_NOT_EMPTY and AM_ESTORE_COPY_MISMATCH,
 * failed, table and subject say what was found. */
struct am_copy_report {
	size_t ntables; /* in the order they were loaded, parents first */
	struct am_copy_table tables[AM_COPY_TABLES_MAX];
	int64_t lines_indexed;	/* entries of the rebuilt by-person index */
	int64_t histories;	/* persons whose histories were compared */
	uint64_t audit_entries; /* the target's chain, verified */
	uint8_t audit_head[AM_AUDIT_HASH_SIZE];
	am_money ledger_debit, ledger_credit; /* the ledger's totals */
	bool verified;			      /* every check passed */
	/* Wall seconds: copying (with the index), the checks but the
	 * histories, the histories' comparison, and the target's upkeep
	 * after the commit (PostgreSQL's VACUUM ANALYZE; 0 on SQLite). */
	double copy_seconds, verify_seconds, history_seconds;
	double after_load_seconds;
	/* The upkeep failed (the copy stands, verified): the target wants
	 * VACUUM ANALYZE by hand; am_store_errmsg(to) says why. */
	bool after_load_failed;
	enum am_copy_check failed;
	const char *table; /* the table concerned (static), or NULL */
	char subject[16];  /* the person whose history differs, or "" */
};

/* Where a copy is, for a progress bar: stage "copy" (table names the
 * table, rows counted), "index" (the rebuilt by-person index merged, when
 * the backend merges), "verify" (a table's rows read back from the
 * target: table names it) and "histories" (persons compared). total is 0
 * when not known in advance; finished marks a stage's last call. */
struct am_copy_progress {
	const char *stage;
	const char *table;
	uint64_t done, total;
	bool finished;
};

struct am_copy_opts {
	/* Called at each stage's start and end and every few thousand rows
	 * (NULL: none). */
	void (*progress)(void *ctx, const struct am_copy_progress *p);
	void *ctx;
};

/*
 * Copy every logical table of from into to, rebuild to's by-person index
 * and check the copy, as above; opts may be NULL; *out is filled in every
 * case. from is read in one transaction of its own (a read-only handle's
 * is a snapshot; a writing handle's holds the write lock meanwhile), so
 * that the tables are copied as they stood at one moment. to must be
 * migrated (am_store_migrate()) and empty: a table holding any row, the
 * settings "amanat init" records among them, is AM_ESTORE_COPY_NOT_EMPTY
 * (out->table names it) and nothing is written. A check that fails is
 * AM_ESTORE_COPY_MISMATCH (out->failed, table and subject say which).
 * AM_EINVALID_ARGUMENT when from and to are one handle or either has a
 * transaction open; any error of either backend (a constraint of the
 * target's, AM_ESTORE_CONFLICT, among them). The message of every
 * failure, whichever side it came from, is am_store_errmsg(to).
 */
int am_store_copy(struct am_store *from, struct am_store *to,
		  const struct am_copy_opts *opts, struct am_copy_report *out);

#endif
