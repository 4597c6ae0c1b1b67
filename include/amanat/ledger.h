/* amanat ledger: the double-entry rules of the employers' accounts, written
 * once for every store. Which accounts a list's assessment, its reversal
 * and a payment debit and credit; how a payment is matched against a
 * period's debt; and an account's balance, amount due and statement totals
 * computed from its entries. Pure functions on plain structs; no I/O. */
#ifndef AMANAT_LEDGER_H
#define AMANAT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amanat/date.h"
#include "amanat/money.h"

/*
 * Accounts are named by text, the way the journal keeps them:
 *
 *   workshop:CODE               what a workshop owes (debited when a list
 *                               is assessed, credited by a payment or a
 *                               reversal)
 *   state                       what the state owes (its share, and the
 *                               employer share of an exempt workshop)
 *   contributions:insured       what was assessed, by share (credited
 *   contributions:employer      when a list is assessed, debited when it
 *   contributions:state         is reversed)
 *   contributions:unemployment
 *   contributions:hard_harmful
 *   bank                        money received (debited by a payment)
 *   penalties:KIND              reserved for penalties
 */
#define AM_ACCOUNT_NAME_MAX 48
#define AM_ACCOUNT_STATE "state"
#define AM_ACCOUNT_BANK "bank"

/* "workshop:CODE" into out; AM_EINVALID_ARGUMENT for a code that is empty
 * or would not fit. */
int am_account_workshop(const char *workshop, char out[AM_ACCOUNT_NAME_MAX]);

/* What a transaction records. */
enum am_txn_kind {
	AM_TXN_ASSESSMENT = 0, /* a wage list's contributions */
	AM_TXN_REVERSAL,       /* an earlier transaction undone (amendment) */
	AM_TXN_PAYMENT,	       /* money received from a workshop */
	AM_TXN_PENALTY,	       /* reserved: a penalty charged */
};
/* "assessment", "reversal", "payment", "penalty"; NULL for another value. */
const char *am_txn_kind_name(enum am_txn_kind k);
/* The kind of a name; AM_EINVALID_ARGUMENT (and *out unchanged) for an
 * unknown one. */
int am_txn_kind_parse(const char *name, enum am_txn_kind *out);

/* One line of a transaction: an account debited or credited (one of the
 * two amounts is 0, the other > 0). */
struct am_posting {
	char account[AM_ACCOUNT_NAME_MAX];
	am_money debit;
	am_money credit;
};

/* A balanced transaction: its postings' debits equal their credits. */
#define AM_TXN_POSTINGS_MAX 8
struct am_txn {
	enum am_txn_kind kind;
	size_t n;
	struct am_posting p[AM_TXN_POSTINGS_MAX];
};

/* The sums of a list's assessed shares (assess.h: am_line_assessment). */
struct am_assessed_shares {
	am_money insured, employer, state, unemployment, hard_harmful;
};

/*
 * A list's assessment as a transaction: the workshop debited the insured,
 * unemployment and hard-and-harmful shares and, unless the state pays it
 * (an exempt small workshop, state_pays_employer), the employer share; the
 * state debited its own share and, for an exempt workshop, the employer's;
 * each contributions:* account credited with its share. Postings of 0 are
 * left out, except the workshop's debit, which is always first (a
 * workshop's account shows every list it filed). AM_EMONEY_OVERFLOW when a
 * sum does not fit, AM_EINVALID_ARGUMENT for a negative share or a bad
 * workshop code; on error *out is unchanged.
 */
int am_ledger_assessment(const char *workshop,
			 const struct am_assessed_shares *t,
			 bool state_pays_employer, struct am_txn *out);

/* The two debits of that transaction alone, for a store that keeps an
 * assessment's credits by share beside them: *workshop and *state (both
 * unchanged on error, the same errors but the workshop's). */
int am_ledger_assessment_debits(const struct am_assessed_shares *t,
				bool state_pays_employer, am_money *workshop,
				am_money *state);

/* An assessment as it was posted: the workshop debited owed_workshop, the
 * state owed_state, the shares credited, whatever the rules say today (a
 * reversal undoes what was charged). AM_EINVALID_ARGUMENT when those do
 * not balance, or for a bad workshop code. */
int am_ledger_assessment_posted(const char *workshop,
				const struct am_assessed_shares *t,
				am_money owed_workshop, am_money owed_state,
				struct am_txn *out);

/* The debit of account in t (0 when t does not post to it). */
am_money am_txn_debit(const struct am_txn *t, const char *account);
/* The credit to account in t (0 when t does not name it). */
am_money am_txn_credit(const struct am_txn *t, const char *account);

/* Whether every posting of t is zero: a transaction that records nothing
 * (a list with no lines) and is not kept. */
bool am_txn_empty(const struct am_txn *t);

/* An earlier transaction undone: the same accounts, debit and credit
 * swapped, kind AM_TXN_REVERSAL. Postings of 0 are left out. t and out may
 * be the same. */
void am_ledger_reversal(const struct am_txn *t, struct am_txn *out);

/*
 * A payment of amount (> 0) by a workshop toward a period whose debt is
 * due (what the workshop's account owes for that period, 0 or less when
 * nothing): the bank debited, the workshop credited, the whole amount.
 * *matched is what settles the period's debt (min(due, amount), never
 * below 0), *unmatched the rest, which stays a credit on the workshop's
 * account. AM_EINVALID_ARGUMENT for an amount <= 0 or a bad workshop code.
 */
int am_ledger_payment(const char *workshop, am_money amount, am_money due,
		      struct am_txn *out, am_money *matched,
		      am_money *unmatched);

/* Whether t's debits equal its credits, every posting has one side only,
 * and nothing is negative or overflows. */
bool am_txn_balanced(const struct am_txn *t);

/* One journal entry of an account, as a store reads it back. */
struct am_ledger_entry {
	int64_t id;
	int64_t txn;
	const char *kind;	 /* "assessment", "reversal", "payment", … */
	struct am_period period; /* {0, 0} when none */
	am_money debit;		 /* what the workshop was charged */
	am_money credit;	 /* what it paid, or a reversal */
	am_date value_date;
	am_date due_date;      /* AM_DATE_NONE when none */
	const char *reference; /* a payment's reference, else NULL */
	int64_t list_id;       /* 0 when none */
	int64_t posted_at;     /* unix seconds */
};

/* What one period of an account owes: the sum of its entries' debits less
 * their credits for that period (0 when none). AM_EMONEY_OVERFLOW. */
int am_ledger_due(const struct am_ledger_entry *e, size_t n,
		  struct am_period period, am_money *due);

/*
 * A workshop's statement: its account's entries and their totals, kept
 * apart by what they are. assessed is what its lists charged, net of the
 * reversals of amended lists; paid what it paid; penalties what it was
 * charged in penalties. debit and credit are the plain sums of the entries
 * (a reversal is a credit that is not a payment), and balance = debit -
 * credit = assessed + penalties - paid: > 0 the workshop owes, < 0 it has
 * paid ahead.
 */
struct am_employer_statement {
	am_money debit;	    /* every entry's debit */
	am_money credit;    /* every entry's credit: payments and reversals */
	am_money balance;   /* debit - credit: > 0 the workshop owes */
	am_money assessed;  /* assessments less their reversals */
	am_money paid;	    /* payments */
	am_money penalties; /* penalties charged */
	size_t nentries;    /* in journal order */
	struct am_ledger_entry *entries;
};

/* Fill st's totals from st->entries[0..st->nentries). AM_EMONEY_OVERFLOW
 * (st unchanged) when a total does not fit; AM_EINVALID_ARGUMENT for an
 * entry of a kind this code does not know. */
int am_ledger_statement_totals(struct am_employer_statement *st);

/* The whole ledger's check, one transaction at a time: every posting's
 * debit and credit summed, the transactions that do not balance counted;
 * overflow set when a sum would not fit (the sums then stop). The ledger
 * holds when debit == credit and unbalanced == 0. */
struct am_ledger_totals {
	am_money debit, credit;
	int64_t unbalanced;
	bool overflow;
};
void am_ledger_totals_add(struct am_ledger_totals *t, const struct am_txn *x);

#endif
