/* The ledger's rules (src/domain/ledger.c): an assessment's postings for an
 * ordinary and an exempt workshop, a reversal, a payment's match against
 * the period's debt, an account's amount due by period, and a statement's
 * totals kept apart (a reversal is not a payment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "amanat/error.h"
#include "amanat/ledger.h"

#define W "1234567890"

/* 100,000,000 rials of base: 7%, 20%, 3%, 3% and 4% on half the days. */
static const struct am_assessed_shares shares = {
	.insured = 7000000,
	.employer = 20000000,
	.state = 3000000,
	.unemployment = 3000000,
	.hard_harmful = 2000000,
};

/* The credit posted to account in t; -1 when t does not post to it. */
static am_money credit_of(const struct am_txn *t, const char *account)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->p[i].account, account))
			return t->p[i].credit;
	return -1;
}

static void test_assessment(void **state)
{
	struct am_txn t;

	(void)state;
	assert_int_equal(am_ledger_assessment(W, &shares, false, &t), 0);
	assert_int_equal(t.kind, AM_TXN_ASSESSMENT);
	assert_true(am_txn_balanced(&t));
	/* The workshop first: its share, the worker's, unemployment and
	 * hard and harmful; the state its 3%. */
	assert_string_equal(t.p[0].account, "workshop:" W);
	assert_int_equal(t.p[0].debit, 7000000 + 20000000 + 3000000 + 2000000);
	assert_int_equal(am_txn_debit(&t, "workshop:" W), 32000000);
	assert_int_equal(am_txn_debit(&t, AM_ACCOUNT_STATE), 3000000);
	assert_int_equal(credit_of(&t, "contributions:employer"), 20000000);
	assert_int_equal(credit_of(&t, "contributions:hard_harmful"), 2000000);
	assert_int_equal(t.n, 7);
	/* The debits alone, as a store keeping them beside the shares. */
	{
		am_money w = -1, st = -1;

		assert_int_equal(
			am_ledger_assessment_debits(&shares, false, &w, &st),
			0);
		assert_int_equal(w, 32000000);
		assert_int_equal(st, 3000000);
	}

	/* Exempt: the state owes the employer's share too. */
	assert_int_equal(am_ledger_assessment(W, &shares, true, &t), 0);
	assert_int_equal(am_txn_debit(&t, "workshop:" W), 12000000);
	assert_int_equal(am_txn_debit(&t, AM_ACCOUNT_STATE), 23000000);
	assert_true(am_txn_balanced(&t));
}

static void test_assessment_edges(void **state)
{
	struct am_assessed_shares z = { 0 }, bad = shares, big = shares;
	struct am_txn t, keep;

	(void)state;
	/* A list of nothing still shows on the workshop's account. */
	assert_int_equal(am_ledger_assessment(W, &z, false, &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.p[0].account, "workshop:" W);
	assert_int_equal(t.p[0].debit, 0);
	/* Refusals leave *out as it was. */
	memset(&keep, 0x5a, sizeof(keep));
	t = keep;
	bad.state = -1;
	assert_int_equal(am_ledger_assessment(W, &bad, false, &t),
			 AM_EINVALID_ARGUMENT);
	big.insured = INT64_MAX - 10;
	assert_int_equal(am_ledger_assessment(W, &big, false, &t),
			 AM_EMONEY_OVERFLOW);
	big.insured = INT64_MAX / 2;
	big.employer = INT64_MAX / 2;
	big.unemployment = 0;
	big.hard_harmful = 0;
	big.state = 10;
	assert_int_equal(am_ledger_assessment(W, &big, true, &t),
			 AM_EMONEY_OVERFLOW);
	assert_int_equal(am_ledger_assessment("", &shares, false, &t),
			 AM_EINVALID_ARGUMENT);
	assert_memory_equal(&t, &keep, sizeof(t));

	/* As posted: the debits given, checked against the credits. */
	assert_int_equal(
		am_ledger_assessment_posted(W, &shares, 32000000, 3000000, &t),
		0);
	assert_true(am_txn_balanced(&t));
	assert_int_equal(
		am_ledger_assessment_posted(W, &shares, 32000000, 3000001, &t),
		AM_EINVALID_ARGUMENT);
}

static void test_reversal(void **state)
{
	struct am_txn t, r;

	(void)state;
	assert_int_equal(am_ledger_assessment(W, &shares, false, &t), 0);
	am_ledger_reversal(&t, &r);
	assert_int_equal(r.kind, AM_TXN_REVERSAL);
	assert_int_equal(r.n, t.n);
	assert_true(am_txn_balanced(&r));
	for (size_t i = 0; i < t.n; i++) {
		assert_string_equal(r.p[i].account, t.p[i].account);
		assert_int_equal(r.p[i].debit, t.p[i].credit);
		assert_int_equal(r.p[i].credit, t.p[i].debit);
	}
	/* In place, and a posting of 0 is not reversed. */
	am_ledger_reversal(&r, &r);
	assert_int_equal(r.kind, AM_TXN_REVERSAL);
	assert_int_equal(r.p[0].debit, t.p[0].debit);
}

static void test_payment(void **state)
{
	static const struct {
		am_money amount, due, matched;
	} cases[] = {
		{ 50, 80, 50 }, /* part of the debt */
		{ 80, 80, 80 }, /* all of it */
		{ 90, 80, 80 }, /* more: the rest a credit */
		{ 90, 0, 0 },	/* nothing due */
		{ 90, -30, 0 }, /* paid ahead already */
	};
	am_money matched = -1, unmatched = -1;
	struct am_txn t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(am_ledger_payment(W, cases[i].amount,
						   cases[i].due, &t, &matched,
						   &unmatched),
				 0);
		assert_int_equal(matched, cases[i].matched);
		assert_int_equal(unmatched, cases[i].amount - cases[i].matched);
		assert_int_equal(t.kind, AM_TXN_PAYMENT);
		assert_int_equal(t.n, 2);
		assert_string_equal(t.p[0].account, AM_ACCOUNT_BANK);
		assert_int_equal(t.p[0].debit, cases[i].amount);
		assert_string_equal(t.p[1].account, "workshop:" W);
		assert_int_equal(t.p[1].credit, cases[i].amount);
		assert_true(am_txn_balanced(&t));
	}
	assert_int_equal(am_ledger_payment(W, 0, 10, &t, &matched, &unmatched),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(
		am_ledger_payment(NULL, 5, 10, &t, &matched, &unmatched),
		AM_EINVALID_ARGUMENT);
}

static void test_balanced(void **state)
{
	struct am_txn t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.n = 2;
	t.p[0].debit = 5;
	t.p[1].credit = 5;
	assert_true(am_txn_balanced(&t));
	t.p[1].credit = 4;
	assert_false(am_txn_balanced(&t));
	/* One side only, never negative, no overflow. */
	t.p[0].credit = 1;
	t.p[1].credit = 5;
	assert_false(am_txn_balanced(&t));
	t.p[0].credit = 0;
	t.p[0].debit = -5;
	t.p[1].credit = -5;
	assert_false(am_txn_balanced(&t));
	t.n = 3;
	t.p[0].debit = INT64_MAX;
	t.p[1].debit = INT64_MAX;
	t.p[1].credit = 0;
	t.p[2].credit = 2;
	assert_false(am_txn_balanced(&t));
}

/* A workshop's account: month 7 assessed, amended (reversed, assessed
 * again), part paid; month 8 assessed; a penalty. */
static struct am_ledger_entry entries[] = {
	{ .id = 1, .kind = "assessment", .period = { 1403, 7 }, .debit = 700 },
	{ .id = 2, .kind = "reversal", .period = { 1403, 7 }, .credit = 700 },
	{ .id = 9, .kind = "assessment", .period = { 1403, 7 }, .debit = 540 },
	{ .id = 10, .kind = "payment", .period = { 1403, 7 }, .credit = 200 },
	{ .id = 12, .kind = "assessment", .period = { 1403, 8 }, .debit = 300 },
	{ .id = 13, .kind = "penalty", .period = { 1403, 7 }, .debit = 25 },
};

static void test_due_and_statement(void **state)
{
	struct am_employer_statement st;
	am_money due = -1;

	(void)state;
	assert_int_equal(
		am_ledger_due(entries, 6, (struct am_period){ 1403, 7 }, &due),
		0);
	assert_int_equal(due, 540 - 200 + 25);
	assert_int_equal(
		am_ledger_due(entries, 6, (struct am_period){ 1403, 8 }, &due),
		0);
	assert_int_equal(due, 300);
	assert_int_equal(
		am_ledger_due(entries, 6, (struct am_period){ 1403, 9 }, &due),
		0);
	assert_int_equal(due, 0);

	memset(&st, 0, sizeof(st));
	st.entries = entries;
	st.nentries = 6;
	assert_int_equal(am_ledger_statement_totals(&st), 0);
	assert_int_equal(st.debit, 700 + 540 + 300 + 25);
	assert_int_equal(st.credit, 700 + 200);
	assert_int_equal(st.assessed, 540 + 300);
	assert_int_equal(st.paid, 200);
	assert_int_equal(st.penalties, 25);
	assert_int_equal(st.balance, st.assessed + st.penalties - st.paid);

	/* An entry of a kind the rules do not know. */
	entries[5].kind = "gift";
	assert_int_equal(am_ledger_statement_totals(&st), AM_EINVALID_ARGUMENT);
	entries[5].kind = "penalty";
	/* Totals that do not fit. */
	entries[4].debit = INT64_MAX;
	assert_int_equal(am_ledger_statement_totals(&st), AM_EMONEY_OVERFLOW);
	assert_int_equal(
		am_ledger_due(entries, 6, (struct am_period){ 1403, 8 }, &due),
		0);
	entries[4].debit = 300;
}

static void test_names(void **state)
{
	char account[AM_ACCOUNT_NAME_MAX];
	char long_code[AM_ACCOUNT_NAME_MAX];
	enum am_txn_kind k;

	(void)state;
	for (int i = AM_TXN_ASSESSMENT; i <= AM_TXN_PENALTY; i++) {
		assert_int_equal(am_txn_kind_parse(am_txn_kind_name(i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_null(am_txn_kind_name(AM_TXN_PENALTY + 1));
	assert_int_equal(am_txn_kind_parse("Payment", &k),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(am_account_workshop(W, account), 0);
	assert_string_equal(account, "workshop:" W);
	memset(long_code, '7', sizeof(long_code) - 1);
	long_code[sizeof(long_code) - 1] = '\0';
	assert_int_equal(am_account_workshop(long_code, account),
			 AM_EINVALID_ARGUMENT);
	long_code[AM_ACCOUNT_NAME_MAX - sizeof("workshop:")] = '\0';
	assert_int_equal(am_account_workshop(long_code, account), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assessment),
		cmocka_unit_test(test_assessment_edges),
		cmocka_unit_test(test_reversal),
		cmocka_unit_test(test_payment),
		cmocka_unit_test(test_balanced),
		cmocka_unit_test(test_due_and_statement),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
