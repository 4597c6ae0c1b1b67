/* The ledger's rules: which accounts each event debits and credits, how a
 * payment is matched, and an account's totals from its entries. Every
 * store keeps what these decide; none decides it again. */
#include "core/internal.h"

#include "amanat/ledger.h"

static const char *const kind_names[] = {
	[AM_TXN_ASSESSMENT] = "assessment",
	[AM_TXN_REVERSAL] = "reversal",
	[AM_TXN_PAYMENT] = "payment",
	[AM_TXN_PENALTY] = "penalty",
};

const char *am_txn_kind_name(enum am_txn_kind k)
{
	if ((unsigned)k >= AM_ARRAY_SIZE(kind_names))
		return NULL;
	return kind_names[k];
}

int am_txn_kind_parse(const char *name, enum am_txn_kind *out)
{
	for (size_t i = 0; name && i < AM_ARRAY_SIZE(kind_names); i++) {
		if (!strcmp(name, kind_names[i])) {
			*out = (enum am_txn_kind)i;
			return 0;
		}
	}
	return AM_EINVALID_ARGUMENT;
}

int am_account_workshop(const char *workshop, char out[AM_ACCOUNT_NAME_MAX])
{
	static const char prefix[] = "workshop:";
	size_t len = workshop ? strlen(workshop) : 0;

	if (!len || len + sizeof(prefix) > AM_ACCOUNT_NAME_MAX)
		return AM_EINVALID_ARGUMENT;
	memcpy(out, prefix, sizeof(prefix) - 1);
	memcpy(out + sizeof(prefix) - 1, workshop, len + 1);
	return 0;
}

/* Add a posting unless both sides are 0 (keep forces it in). */
static void post(struct am_txn *t, const char *account, am_money debit,
		 am_money credit, bool keep)
{
	struct am_posting *p;

	if (!keep && !debit && !credit)
		return;
	assert(t->n < AM_TXN_POSTINGS_MAX);
	p = &t->p[t->n++];
	am__strlcpy(p->account, account, sizeof(p->account));
	p->debit = debit;
	p->credit = credit;
}

/* The assessment's transaction once its two debits are known. */
static int assessment_txn(const char *workshop,
			  const struct am_assessed_shares *s, am_money owed_w,
			  am_money owed_st, struct am_txn *out)
{
	char account[AM_ACCOUNT_NAME_MAX];
	struct am_txn t;

	if (am_account_workshop(workshop, account))
		return AM_EINVALID_ARGUMENT;
	memset(&t, 0, sizeof(t));
	t.kind = AM_TXN_ASSESSMENT;
	post(&t, account, owed_w, 0, true);
	post(&t, AM_ACCOUNT_STATE, owed_st, 0, false);
	post(&t, "contributions:insured", 0, s->insured, false);
	post(&t, "contributions:employer", 0, s->employer, false);
	post(&t, "contributions:state", 0, s->state, false);
	post(&t, "contributions:unemployment", 0, s->unemployment, false);
	post(&t, "contributions:hard_harmful", 0, s->hard_harmful, false);
	if (!am_txn_balanced(&t))
		return AM_EINVALID_ARGUMENT;
	*out = t;
	return 0;
}

int am_ledger_assessment_debits(const struct am_assessed_shares *s,
				bool state_pays_employer, am_money *workshop,
				am_money *state)
{
	am_money w = 0, st = s->state, total;
	int err;

	if (s->insured < 0 || s->employer < 0 || s->state < 0 ||
	    s->unemployment < 0 || s->hard_harmful < 0)
		return AM_EINVALID_ARGUMENT;
	/* The worker's share is withheld by the employer, so the workshop
	 * owes it with its own. */
	err = am_money_add(s->insured, s->unemployment, &w);
	err = err ? err : am_money_add(w, s->hard_harmful, &w);
	if (state_pays_employer)
		err = err ? err : am_money_add(st, s->employer, &st);
	else
		err = err ? err : am_money_add(w, s->employer, &w);
	/* The credits' sum, which the debits' equals, must fit too. */
	err = err ? err : am_money_add(w, st, &total);
	if (err)
		return err;
	*workshop = w;
	*state = st;
	return 0;
}

int am_ledger_assessment(const char *workshop,
			 const struct am_assessed_shares *s,
			 bool state_pays_employer, struct am_txn *out)
{
	am_money w = 0, st = 0;
	int err = am_ledger_assessment_debits(s, state_pays_employer, &w, &st);

	return err ? err : assessment_txn(workshop, s, w, st, out);
}

int am_ledger_assessment_posted(const char *workshop,
				const struct am_assessed_shares *s,
				am_money owed_workshop, am_money owed_state,
				struct am_txn *out)
{
	return assessment_txn(workshop, s, owed_workshop, owed_state, out);
}

am_money am_txn_debit(const struct am_txn *t, const char *account)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->p[i].account, account))
			return t->p[i].debit;
	return 0;
}

am_money am_txn_credit(const struct am_txn *t, const char *account)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->p[i].account, account))
			return t->p[i].credit;
	return 0;
}

bool am_txn_empty(const struct am_txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->p[i].debit || t->p[i].credit)
			return false;
	return true;
}

void am_ledger_reversal(const struct am_txn *t, struct am_txn *out)
{
	struct am_txn r;

	memset(&r, 0, sizeof(r));
	r.kind = AM_TXN_REVERSAL;
	for (size_t i = 0; i < t->n; i++)
		post(&r, t->p[i].account, t->p[i].credit, t->p[i].debit, false);
	*out = r;
}

int am_ledger_payment(const char *workshop, am_money amount, am_money due,
		      struct am_txn *out, am_money *matched,
		      am_money *unmatched)
{
	char account[AM_ACCOUNT_NAME_MAX];
	struct am_txn t;

	if (amount <= 0 || am_account_workshop(workshop, account))
		return AM_EINVALID_ARGUMENT;
	memset(&t, 0, sizeof(t));
	t.kind = AM_TXN_PAYMENT;
	post(&t, AM_ACCOUNT_BANK, amount, 0, true);
	post(&t, account, 0, amount, true);
	/* The period's debt first; the rest stays a credit on the account,
	 * which the workshop's later debts draw on through its balance. */
	*matched = due <= 0 ? 0 : due < amount ? due : amount;
	*unmatched = amount - *matched;
	*out = t;
	return 0;
}

bool am_txn_balanced(const struct am_txn *t)
{
	am_money d = 0, c = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct am_posting *p = &t->p[i];

		if (p->debit < 0 || p->credit < 0 || (p->debit && p->credit) ||
		    am_money_add(d, p->debit, &d) ||
		    am_money_add(c, p->credit, &c))
			return false;
	}
	return d == c;
}

int am_ledger_due(const struct am_ledger_entry *e, size_t n,
		  struct am_period period, am_money *due)
{
	am_money d = 0;
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		if (e[i].period.year != period.year ||
		    e[i].period.month != period.month)
			continue;
		err = am_money_add(d, e[i].debit, &d);
		err = err ? err : am_money_sub(d, e[i].credit, &d);
	}
	if (!err)
		*due = d;
	return err;
}

int am_ledger_statement_totals(struct am_employer_statement *st)
{
	am_money debit = 0, credit = 0, assessed = 0, paid = 0, penalties = 0;
	int err = 0;

	for (size_t i = 0; !err && i < st->nentries; i++) {
		const struct am_ledger_entry *e = &st->entries[i];
		enum am_txn_kind k;

		if (am_txn_kind_parse(e->kind, &k))
			return AM_EINVALID_ARGUMENT;
		err = am_money_add(debit, e->debit, &debit);
		err = err ? err : am_money_add(credit, e->credit, &credit);
		switch (k) {
		case AM_TXN_ASSESSMENT:
		case AM_TXN_REVERSAL:
			/* A reversal undoes an assessment: it is not paid. */
			err = err ? err
				  : am_money_add(assessed, e->debit, &assessed);
			err = err ? err
				  : am_money_sub(assessed, e->credit,
						 &assessed);
			break;
		case AM_TXN_PAYMENT:
			err = err ? err : am_money_add(paid, e->credit, &paid);
			err = err ? err : am_money_sub(paid, e->debit, &paid);
			break;
		case AM_TXN_PENALTY:
			err = err ? err
				  : am_money_add(penalties, e->debit,
						 &penalties);
			err = err ? err
				  : am_money_sub(penalties, e->credit,
						 &penalties);
			break;
		}
	}
	if (!err)
		err = am_money_sub(debit, credit, &st->balance);
	if (err)
		return err;
	st->debit = debit;
	st->credit = credit;
	st->assessed = assessed;
	st->paid = paid;
	st->penalties = penalties;
	return 0;
}

void am_ledger_totals_add(struct am_ledger_totals *t, const struct am_txn *x)
{
	if (!am_txn_balanced(x))
		t->unbalanced++;
	for (size_t i = 0; !t->overflow && i < x->n; i++)
		if (am_money_add(t->debit, x->p[i].debit, &t->debit) ||
		    am_money_add(t->credit, x->p[i].credit, &t->credit))
			t->overflow = true;
}
