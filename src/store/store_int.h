/* The store's insides: the handle every backend extends and the table of
 * functions a backend provides (git's struct ref_storage_be). */
#ifndef AMANAT_STORE_INT_H
#define AMANAT_STORE_INT_H

#include "amanat/store.h"

#define AM__STORE_ERRMSG_MAX 512
#define AM__STORE_ACTOR_MAX 128

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
};

/* One numbered migration, embedded from src/store/migrations/NNNN_*.sql
 * by tools/embed.py. */
struct am__migration {
	int version;
	const char *name; /* "0001_registry" */
	const char *sql;
};

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
struct am_store_backend {
	const char *name; /* the URI scheme: "sqlite", "pg" */

	/* Open the database at path (the URI after "scheme:"); flags are
	 * AM_STORE_OPEN_…. On failure *out is NULL and errmsg (size
	 * AM__STORE_ERRMSG_MAX) holds the reason. */
	int (*open)(const char *path, unsigned flags, struct am_store **out,
		    char *errmsg);
	/* Free everything; an open transaction is rolled back. */
	void (*close)(struct am_store *s);

	/* Write transaction: begin, commit (on failure the transaction may
	 * still be open: the caller rolls back), rollback (a no-op when none
	 * is open). */
	int (*begin)(struct am_store *s);
	int (*commit)(struct am_store *s);
	int (*rollback)(struct am_store *s);
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
};

extern const struct am_store_backend am__store_sqlite;
/* How long a SQLite handle waits for another writer before
 * AM_ESTORE_BUSY (default 5000 ms). AM_EINVALID_ARGUMENT for another
 * backend. */
int am__store_sqlite_busy_timeout(struct am_store *s, int ms);

/* Set s->errmsg (printf-style); returns err, so a backend can write
 * "return am__store_errf(s, AM_ESTORE_SQL, "…", …);". */
int am__store_errf(struct am_store *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The current time for records: s->clock when set, else time(). */
int64_t am__store_now(const struct am_store *s);
/* Check the schema is current before touching data (cached). */
int am__store_ready(struct am_store *s);

/* Migrations (migrations.c): the SQLite list, embedded at build time. */
extern const struct am__migration am__sqlite_migrations[];
extern const size_t am__sqlite_migrations_nr;
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
