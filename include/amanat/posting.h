/* amanat posting: what a wage list, a bank payment or a migrated month
 * does to the store, decided above it. The decision (new, unchanged,
 * conflicting, amended), the list's ledger transaction and its reversal
 * (by the domain's rules, ledger.h), the by-person index, the persons met
 * for the first time and the audit entries, written through the store's
 * rows (rows.h). docs/storage.md, "Posting". */
#ifndef AMANAT_POSTING_H
#define AMANAT_POSTING_H

#include <stdbool.h>
#include <stdint.h>

#include "amanat/assess.h"
#include "amanat/date.h"
#include "amanat/history.h"
#include "amanat/rows.h"
#include "amanat/store.h"
#include "amanat/wagelist.h"

/* What a posting did. */
enum am_post_outcome {
	AM_POST_POSTED = 0,	  /* a new list, written */
	AM_POST_UNCHANGED,	  /* the same list (same hash) was posted:
				   * nothing written */
	AM_POST_REFUSED_CONFLICT, /* another list holds the key and amend is
				   * false: nothing written */
	AM_POST_AMENDED,	  /* the earlier list reversed and superseded,
				   * this one written */
};
/* "posted", "unchanged", "refused_conflict", "amended"; NULL otherwise. */
const char *am_post_outcome_name(enum am_post_outcome o);

/*
 * A posting session: one store handle's postings of wage lists, owned by
 * the use case that posts (an import, a test, the coming portal). Lists
 * are posted many to a transaction, the session's: am_post_begin(),
 * lists, am_post_commit(). What the transaction's lists leave for its
 * end is written at the commit, before the store's: the by-person index
 * of their lines, the persons met for the first time registered from
 * their line (when it gives their sex), and one audit entry "lists.post"
 * whose payload holds the lists' count, first and last id and a BLAKE2b
 * digest of each list's id and hash in order. A list posted with no
 * transaction open is its own.
 *
 * Inside a transaction there is no savepoint per list: what can be
 * refused (bad arguments, an unknown workshop, a person twice in the list,
 * a conflict) is refused before the first write, and the transaction
 * stays usable; a failure after the first write marks it failed
 * (am_store_fail()): only am_post_rollback() is accepted, and the
 * caller redoes the batch without the list. Either way, after a crash or
 * a rollback each list is wholly posted or absent. A failure's message is
 * the store's (am_store_errmsg()).
 *
 * Other writes of the same handle (a workshop registered from a list) may
 * go between the postings; they commit with the session's transaction,
 * which only am_post_commit() or am_post_rollback() ends (the store's own
 * commit would leave the lists' index entries and audit entry unwritten).
 */
struct am_post_session;

int am_post_session_new(struct am_store *s, struct am_post_session **out);
/* An open transaction is rolled back. */
void am_post_session_free(struct am_post_session *ps);

/* The registered persons held in memory (am_person_set_load()): a line's
 * person is then looked for there, and the store asked only about those
 * it lacks; the persons a committed transaction found or registered join
 * it. The session borrows set (NULL: none). */
void am_post_session_use_person_set(struct am_post_session *ps,
				    struct am_person_set *set);

int am_post_begin(struct am_post_session *ps);
/* Register workshop w from its list's header, inside the open
 * transaction: a bulk put (no savepoint, no entry of its own: a savepoint
 * in a large transaction copies each page it touches), counted with a
 * digest of the records in the transaction's "lists.post" audit entry
 * ("workshops_registered", "workshops_digest"). */
int am_post_register_workshop(struct am_post_session *ps,
			      const struct am_workshop *w);
/* Write what the transaction's lists left, then commit. On failure all
 * of it is rolled back and the error returned. */
int am_post_commit(struct am_post_session *ps);
int am_post_rollback(struct am_post_session *ps);
bool am_post_in_transaction(const struct am_post_session *ps);

/*
 * Post list l (its workshop, period, list_no, hash, file and lines are
 * read; nothing is kept) with a[i] the assessment of l->lines[i].
 * due_date: when the workshop's debt falls due (the caller applies the
 * rule). state_pays_employer: the workshop is exempt, so the state owes
 * the employer share (whatever of it the assessment did not already put
 * in a[i].state). rules_identity: the rule set's identity, stored with
 * the list. *outcome says what was done; AM_POST_REFUSED_CONFLICT is not
 * an error (the return is 0).
 *
 * Writes the list's row, holding its lines with their assessments
 * (packed), and the assessment as one balanced ledger transaction
 * (am_ledger_assessment()). amend with another list posted under the
 * key: that list's assessment is reversed in the ledger (kind
 * "reversal"), it is marked superseded, l is posted as the key's next
 * revision, and an audit entry "list.amend" (subject
 * "WORKSHOP/YYYY/MM/LISTNO", payload the hash, the line count and the
 * totals) records it.
 *
 * AM_EINVALID_ARGUMENT for NULL or empty keys, nlines > 0 without lines
 * or a, a line without a national code; AM_ESTORE_CONFLICT for an
 * unknown workshop or a person twice in the list; AM_EMONEY_OVERFLOW
 * when the totals do not fit.
 */
int am_post_list(struct am_post_session *ps, const struct am_wage_list *l,
		 const struct am_line_assessment *a, am_date due_date,
		 bool state_pays_employer, const char *rules_identity,
		 bool amend, int *outcome);
/* The same from a prep (am_post_prepare(), on another thread): l is the
 * list prepared or a copy of it. What preparing refused is this call's
 * error, with the code and message am_post_list() gives. */
int am_post_prepared(struct am_post_session *ps, const struct am_wage_list *l,
		     const struct am_post_prep *p, am_date due_date,
		     bool state_pays_employer, const char *rules_identity,
		     bool amend, int *outcome);
/* Persons registered from list lines by the session's committed
 * transactions. */
int64_t am_post_session_registered(const struct am_post_session *ps);

/*
 * One migrated month of a person's history ("import history"): stored as
 * given, not assessed, counted in credited days. Idempotent on
 * (national_code, period, workshop): the same row again is *outcome
 * AM_POST_UNCHANGED; another days, wage or hard-and-harmful days under
 * that key is AM_EIDEMPOTENCY_CONFLICT (nothing written). No audit entry:
 * the caller writes one per file. Inside the caller's transaction with no
 * savepoint, as a list; outside one, in its own. AM_ESTORE_CONFLICT for
 * values out of their domain (days 0..31, hard-and-harmful days ≤ days,
 * wage ≥ 0, codes of 10 characters).
 */
int am_post_history_row(struct am_store *s, const struct am_history_row *r,
			int *outcome);

/*
 * A bank payment ("import payments"), idempotent by reference: the same
 * reference with the same workshop, period, amount and date is *outcome
 * AM_POST_UNCHANGED; with anything else, AM_EIDEMPOTENCY_CONFLICT. Ledger:
 * am_ledger_payment() against what the workshop owes for the period
 * (am_ledger_due()), p->matched and p->unmatched set; an audit entry
 * "payment.post" with subject the reference. AM_ESTORE_CONFLICT for an
 * unknown workshop; AM_EINVALID_ARGUMENT for an empty reference, an
 * amount ≤ 0 or a workshop code not of 10 digits.
 */
int am_post_payment(struct am_store *s, struct am_payment *p, int *outcome);

#endif
