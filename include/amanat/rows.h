/* amanat store: the rows the use cases above the store build on. A list's
 * row by its key, ledger rows, the by-person index, payments, migrated
 * months, the registered persons: stored and found, no rule applied. What a
 * posting decides (new, unchanged, conflicting, amended), what a list or a
 * payment debits and credits, is the application's (src/app/posting.c) and
 * the domain's (ledger.h). See docs/storage.md, "The store's contract". */
#ifndef AMANAT_ROWS_H
#define AMANAT_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/arena.h"
#include "amanat/assess.h"
#include "amanat/date.h"
#include "amanat/history.h"
#include "amanat/ledger.h"
#include "amanat/money.h"
#include "amanat/store.h"
#include "amanat/wagelist.h"

/*
 * Every write below runs inside the caller's transaction
 * (AM_EINVALID_ARGUMENT outside one) and is one statement's worth: the
 * refusals a caller expects (a key that is taken, an unknown workshop)
 * leave the transaction usable; any other failure marks it failed, so that
 * only am_store_rollback() is accepted (am_store_fail() does the same for
 * a caller whose unit failed after its first write).
 */

/* Periods are keyed as year * 100 + month. */
static inline int am_period_key(struct am_period p)
{
	return p.year * 100 + p.month;
}

/* A wage list's row: its key, its sums and its lines packed in its body
 * (am_post_prepare()). */
struct am_list_row {
	const char *workshop;
	int year, month;
	int period; /* year * 100 + month */
	const char *list_no;
	int64_t revision;    /* 0, then one more per amendment */
	const uint8_t *hash; /* 32 bytes */
	const char *source_file;
	int64_t lines, days;
	am_money subject, insured, employer, state, unemployment, hard_harmful;
	am_money owed_workshop, owed_state; /* the debits: their sum is the
					     * credits' */
	const char *rules_identity;
	am_date due_date, value_date;
	bool state_pays_employer;
	int64_t txn;	    /* its assessment's ledger id */
	int64_t supersedes; /* the list it replaces, or 0 */
	int64_t posted_at;
	const void *body; /* the lines, packed */
	size_t body_len;
};

/* The newest revision under a list's key. */
struct am_list_key {
	bool found;
	bool posted; /* else superseded */
	int64_t id, revision, txn;
	uint8_t hash[32];
};

/* A ledger row: a transaction's postings (the domain's struct am_txn) and
 * what it is about. Optional fields are 0 (period, list_id), NULL
 * (workshop, payment_ref) or AM_DATE_NONE (due_date) when absent. */
struct am_ledger_row {
	int64_t id;
	struct am_txn t;
	int period;
	const char *workshop;
	int64_t list_id;
	const char *payment_ref;
	am_date due_date;
	am_date value_date;
	int64_t posted_at;
};

/* One entry of the by-person index: a line of a posted list. */
struct am_index_entry {
	int64_t code;	 /* national code as an integer */
	int64_t list_id; /* its list */
	uint32_t offset; /* where the line starts in the list's body */
	int32_t period;
	uint32_t tag; /* the caller's own; the store ignores it */
};

/* A stored payment. */
struct am_payment_row {
	bool found;
	char workshop[11];
	int period;
	am_money amount, matched, unmatched;
	am_date paid_on;
};

/* A list's totals over its lines (rials; days). */
struct am_list_sums {
	int64_t days;
	am_money subject, insured, employer, state, unemployment, hard_harmful;
};

/*
 * A list prepared for its posting (am_post_prepare(), store.h): the list
 * checked, its lines' national codes as integers, its totals and its
 * packed body with where each line starts in it, and each line's person
 * record, which registers a person met for the first time
 * (am_person_record_decode()): with them the posting needs none of the
 * list's lines. A view, over its owner's buffers or, in a copy
 * (am_post_prep_copy()), over an arena's.
 */
struct am_post_prep {
	int err;	    /* what preparing found, reported by the posting */
	const char *errmsg; /* its message; "" */
	bool owned;	    /* the first member of the store's owner */
	size_t nlines;
	uint8_t hash[32]; /* the list's, to check that it is the same list */
	struct am_list_sums t;
	const uint8_t *body;
	size_t body_len;
	const uint32_t *offsets;
	const int64_t *codes;
	const uint8_t *persons;	   /* the lines' person records, end to end */
	const uint32_t *person_at; /* where line i's begins; [nlines]: the end */
};

/* Line i's person, from the person records p[0..n) of a prep: record at
 * offset (person_at[i]); strings into a. AM_ESTORE_CORRUPT for bad bytes. */
struct am_wage_line;
int am_person_record_decode(const uint8_t *p, size_t n, size_t offset,
			    struct am_arena *a, struct am_wage_line *ln);

struct am_payment;

/* The newest revision under (workshop, period, list_no). */
int am_store_list_key(struct am_store *s, const char *workshop, int period,
		      const char *list_no, struct am_list_key *out);
/* Insert list row r (r->txn from am_store_ledger_id(); with r->supersedes
 * the old list is linked to it); *id gets the new list's id.
 * AM_EIDEMPOTENCY_CONFLICT when a list holds the key already and
 * AM_ESTORE_CONFLICT for an unknown workshop: nothing written. */
int am_store_list_insert(struct am_store *s, const struct am_list_row *r,
			 int64_t *id);
/* Mark list id superseded. */
int am_store_list_supersede(struct am_store *s, int64_t id);

/* A fresh ledger id from the backend's own sequence. */
int am_store_ledger_id(struct am_store *s, int64_t *id);
/* Append a ledger row (its id from am_store_ledger_id()). */
int am_store_ledger_append(struct am_store *s, const struct am_ledger_row *t);
/* Row id (AM_ENOT_FOUND when there is none); strings in a. */
int am_store_ledger_get(struct am_store *s, int64_t id, struct am_arena *a,
			struct am_ledger_row *out);

/* Keep n index entries, sorted by (period, code, list id, offset): the
 * lines of the lists the transaction wrote. */
int am_store_index_add(struct am_store *s, const struct am_index_entry *e,
		       size_t n);
/* Which of n national codes (integers, ascending, distinct) are
 * registered: known[i] 1 or 0. */
int am_store_persons_known(struct am_store *s, const int64_t *codes, size_t n,
			   uint8_t *known);

/* A migrated month: inserted unless its key (person, period, workshop) is
 * taken; then *existed, and *old holds the stored days, wage and
 * hard-and-harmful days. */
int am_store_history_insert(struct am_store *s, const struct am_history_row *r,
			    bool *existed, struct am_history_row *old);

/* An audit entry of the caller's unit (am_store_audit_append()'s), with
 * no savepoint of its own: a row write like the others here. */
int am_store_audit_row(struct am_store *s, const char *action,
		       const char *subject, const char *payload);

/* The payment under reference (out->found false when none). */
int am_store_payment_find(struct am_store *s, const char *reference,
			  struct am_payment_row *out);
/* Insert payment p, its ledger row txn. */
int am_store_payment_insert(struct am_store *s, const struct am_payment *p,
			    int64_t txn);

/* The writes that follow, to the end of the transaction, post lists or
 * compact the index: a backend may write them its faster way
 * (docs/storage.md, "Freed space"). */
int am_store_posting_mode(struct am_store *s);
/* Mark the open transaction failed: a unit failed after its first write,
 * so only am_store_rollback() may follow. */
void am_store_fail(struct am_store *s);
/* Whether it is. */
bool am_store_failed(const struct am_store *s);
/* A failure of the caller's own, in a unit of work on s, for
 * am_store_errmsg() to report as the store's are (printf-style); returns
 * err. */
int am_store_errf(struct am_store *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The time records are stamped with, in unix seconds (a test's fixed
 * clock, or now). */
int64_t am_store_now(const struct am_store *s);

/* A compound write of the caller's: a savepoint inside the caller's
 * transaction, a transaction of its own outside one; unit_end keeps it
 * (err 0) or undoes it, and returns err (or the commit's failure). */
int am_store_unit_begin(struct am_store *s);
int am_store_unit_end(struct am_store *s, int err);

/*
 * Reads: what the views above the store (src/app/statements.c) are
 * composed of. Strings and arrays come from the caller's arena; a walk's
 * rows are valid during the call to fn, and a non-zero return from fn
 * stops the walk and is returned.
 */

/* A line read back with its list's key. */
struct am_line_ref {
	char workshop[11];
	char list_no[13];
	bool posted; /* else its list was superseded */
	int period;
	struct am_wage_line ln;
	struct am_line_assessment a;
};

/* A posted list's head. */
struct am_list_head {
	int64_t id;
	char list_no[13];
	int64_t lines;
};

/* A person's lines (of one period, or of every period with 0) through the
 * by-person index, each read back with its list's key, in period order;
 * a superseded list's lines too (posted false). *n of them in *out (NULL
 * when none); a code that is not a national code has none. */
int am_store_person_lines(struct am_store *s, const char *national_code,
			  int period, struct am_arena *a, size_t *n,
			  struct am_line_ref **out);
/* A person's migrated months, in period and workshop order. */
int am_store_history_rows(struct am_store *s, const char *national_code,
			  int (*fn)(void *ctx, const struct am_history_row *r),
			  void *ctx);
/* The posted lists of a workshop in a period, in list number order. */
int am_store_lists_posted(struct am_store *s, const char *workshop, int period,
			  int (*fn)(void *ctx, const struct am_list_head *h),
			  void *ctx);
/* A posted list's lines with their assessments (h->lines of each). */
int am_store_list_lines(struct am_store *s, const struct am_list_head *h,
			struct am_arena *a, struct am_wage_line **lines,
			struct am_line_assessment **assessed);
/* The ledger rows that name a workshop (its lists' assessments, their
 * reversals, its payments and penalties), in id order. */
int am_store_workshop_txns(struct am_store *s, const char *workshop,
			   int (*fn)(void *ctx, const struct am_ledger_row *t),
			   void *ctx);
/* Every ledger row, in id order, in one snapshot. */
int am_store_ledger_walk(struct am_store *s,
			 int (*fn)(void *ctx, const struct am_ledger_row *t),
			 void *ctx);

/* The registered persons as a set in memory (am_person_set_load()):
 * whether it holds code, a hint to fetch its bit, and code added (true
 * when it was not there). */
struct am_person_set;
bool am_person_set_has(const struct am_person_set *set, int64_t code);
void am_person_set_prefetch(const struct am_person_set *set, int64_t code);
bool am_person_set_add(struct am_person_set *set, int64_t code);

#endif
