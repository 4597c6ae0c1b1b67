/* Posting wage lists: idempotency by content hash, the list's journal
 * transaction and its balance check, amendments by reversal, migrated
 * months, payments, and the views over them. Policy over the vtable. */
#include "core/internal.h"

#include <sodium.h>

#include "amanat/ident.h"
#include "amanat/ledger.h"
#include "amanat/assess.h"
#include "store/store_int.h"

/* A transaction's index entries are written out (a segment) when this
 * many gather, so memory stays bounded however long it runs. */
#define FLUSH_ENTRIES ((size_t)1 << 19)

static int bad_key(struct am_store *s, const char *what)
{
	return am__store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
}

/* What preparing a list refused, for the posting to report. */
__attribute__((format(printf, 3, 4))) static int prep_errf(
	struct am__prep_owner *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
	va_end(ap);
	p->p.err = err;
	return err;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static int period_key(struct am_period p)
{
	return p.year * 100 + p.month;
}

static bool period_ok(struct am_period p)
{
	return p.year >= AM_JALALI_YEAR_MIN && p.year <= AM_JALALI_YEAR_MAX &&
	       p.month >= 1 && p.month <= 12;
}

const char *am_post_outcome_name(enum am_post_outcome o)
{
	switch (o) {
	case AM_POST_POSTED:
		return "posted";
	case AM_POST_UNCHANGED:
		return "unchanged";
	case AM_POST_REFUSED_CONFLICT:
		return "refused_conflict";
	case AM_POST_AMENDED:
		return "amended";
	}
	return NULL;
}

int am_store_list_find(struct am_store *s, const char *workshop,
		       struct am_period period, const char *list_no,
		       bool *found, uint8_t hash_out[32], int64_t *list_id)
{
	struct am__list_key key;
	int err;

	if (empty(workshop) || !list_no)
		return bad_key(s, "workshop code or list number");
	err = am__store_ready(s);
	if (!err)
		err = s->be->list_find(s, workshop, period_key(period), list_no,
				       &key);
	if (err)
		return err;
	*found = key.found;
	if (key.found && hash_out)
		memcpy(hash_out, key.hash, 32);
	if (list_id)
		*list_id = key.found ? key.id : 0;
	return 0;
}

/*
 * The list's sums, checked: the store refuses totals that overflow rather
 * than wrap (a corrupt input, never a real list).
 */
static int sum_lines(const struct am_wage_list *l,
		     const struct am_line_assessment *a,
		     struct am__list_sums *t)
{
	int err = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; !err && i < l->nlines; i++) {
		t->days += l->lines[i].days;
		err = am_money_add(t->subject, a[i].base, &t->subject);
		err = err ? err
			  : am_money_add(t->insured, a[i].insured, &t->insured);
		err = err ? err
			  : am_money_add(t->employer, a[i].employer,
					 &t->employer);
		err = err ? err : am_money_add(t->state, a[i].state, &t->state);
		err = err ? err
			  : am_money_add(t->unemployment, a[i].unemployment,
					 &t->unemployment);
		err = err ? err
			  : am_money_add(t->hard_harmful, a[i].hard_harmful,
					 &t->hard_harmful);
	}
	return err;
}

static am_date today_of(const struct am_store *s)
{
	int64_t now = am__store_now(s);

	/* Unix seconds to days (floor, for times before 1970 too). */
	return (am_date)(now >= 0 ? now / 86400 : -((-now + 86399) / 86400));
}

/*
 * The batch: what a transaction's postings leave for its commit.
 */

/* Append a transaction with what it is about (c: its period, workshop,
 * list, reference and dates), under a fresh id from the backend's
 * sequence; *id (may be NULL) gets it. A transaction whose postings are
 * all zero records nothing and is not written. */
static int ledger_post(struct am_store *s, const struct am_txn *t,
		       const struct am__ledger_txn *c, int64_t *id)
{
	struct am__ledger_txn x = *c;
	int err;

	x.t = *t;
	x.posted_at = am__store_now(s);
	err = s->be->ledger_id(s, &x.id);
	if (!err && !am_txn_empty(t))
		err = s->be->ledger_append(s, &x);
	if (!err && id)
		*id = x.id;
	return err;
}

/* A line's index entry, and its person record unless the person set
 * holds it (rec: the line's from its prep, of rec_len bytes). */
static int batch_add(struct am_store *s, const uint8_t *rec, size_t rec_len,
		     int64_t code, int64_t list_id, uint32_t offset, int period)
{
	struct am__post_batch *b = &s->batch;
	size_t person = b->persons.len;
	int err;

	if (b->n == b->alloc) {
		size_t alloc = b->alloc ? b->alloc * 2 : 4096;
		struct am__index_entry *e = realloc(b->e, alloc * sizeof(*e));

		if (!e)
			return am__store_errf(s, AM_ENOMEM,
					      "posting: out of memory");
		b->e = e;
		b->alloc = alloc;
	}
	if (b->set && am__person_set_has(b->set, code)) {
		person = AM__NO_PERSON;
	} else {
		if (!b->persons.cap)
			am_buf_init(&b->persons, UINT32_MAX);
		if (person >= AM__NO_PERSON)
			return am__store_errf(s, AM_ETOO_LONG,
					      "posting: batch");
		err = am_buf_add(&b->persons, rec, rec_len);
		if (err)
			return am__store_errf(s, err, "posting: out of memory");
	}
	b->e[b->n].code = code;
	b->e[b->n].list_id = list_id;
	b->e[b->n].offset = offset;
	b->e[b->n].period = period;
	b->e[b->n].person = (uint32_t)person;
	b->n++;
	return 0;
}

static void batch_digest_start(struct am__post_batch *b)
{
	static_assert(sizeof(b->digest_state) >=
			      sizeof(crypto_generichash_state),
		      "digest state");
	crypto_generichash_init(
		(crypto_generichash_state *)(void *)b->digest_state, NULL, 0,
		32);
}

/* The backend's posting mode on, until the transaction ends. */
static int posting_on(struct am_store *s)
{
	int err;

	if (s->batch.posting || !s->be->posting)
		return 0;
	err = s->be->posting(s, true);
	if (!err)
		s->batch.posting = true;
	return err;
}

/* And off again. A mode left on would only skip overwriting freed space
 * (SQLite's own default), so a failure here is no reason to fail the
 * commit before it. */
static void posting_off(struct am_store *s)
{
	if (s->batch.posting)
		(void)s->be->posting(s, false);
	s->batch.posting = false;
}

/* Forget what the transaction gathered (after its commit or rollback). */
void am__post_batch_reset(struct am_store *s)
{
	struct am__post_batch *b = &s->batch;

	posting_off(s);
	b->n = 0;
	am_buf_clear(&b->persons);
	b->lists = b->lines = b->first_id = b->last_id = 0;
	b->njoined = 0;
}

/* A code the transaction found registered, or registered, for the set. */
static int join(struct am_store *s, int64_t code)
{
	struct am__post_batch *b = &s->batch;

	if (!b->set)
		return 0;
	if (b->njoined == b->joined_alloc) {
		size_t alloc = b->joined_alloc ? b->joined_alloc * 2 : 1024;
		int64_t *j = realloc(b->joined, alloc * sizeof(*j));

		if (!j)
			return am__store_errf(s, AM_ENOMEM,
					      "posting: out of memory");
		b->joined = j;
		b->joined_alloc = alloc;
	}
	b->joined[b->njoined++] = code;
	return 0;
}

/* Only a commit makes them so: a rolled-back registration is not one. */
void am__post_committed(struct am_store *s)
{
	struct am__post_batch *b = &s->batch;

	for (size_t i = 0; b->set && i < b->njoined; i++)
		am__person_set_add(b->set, b->joined[i]);
	b->njoined = 0;
}

static void prep_release(struct am__prep_owner *p)
{
	am_buf_release(&p->body);
	am_buf_release(&p->persons);
	free(p->offsets);
	free(p->codes);
	free(p->person_at);
	p->offsets = NULL;
	p->codes = NULL;
	p->person_at = NULL;
	p->lines_alloc = 0;
}

void am__post_batch_free(struct am_store *s)
{
	free(s->batch.e);
	s->batch.e = NULL;
	free(s->batch.joined);
	s->batch.joined = NULL;
	s->batch.joined_alloc = 0;
	am_buf_release(&s->batch.persons);
	s->batch.alloc = 0;
	prep_release(&s->batch.prep);
	am__post_batch_reset(s);
}

static int cmp_entry(const void *x, const void *y)
{
	const struct am__index_entry *a = x, *b = y;

	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	if (a->list_id != b->list_id)
		return a->list_id < b->list_id ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/*
 * The batch's entries come in (list id, offset) order, so a stable sort
 * by (period, code) is the whole order: an LSD radix sort, 11 bits a
 * pass, on the period's rank among the batch's periods and the code (34
 * bits). qsort() took a tenth of the posting's time; this takes a
 * fraction of that. More than 64 periods in a batch fall back to qsort.
 */
#define RADIX_BITS 11

static int sort_entries(struct am__index_entry *e, size_t n)
{
	int32_t periods[64];
	size_t np = 0, count[1 << RADIX_BITS];
	struct am__index_entry *tmp, *from = e, *to;
	uint64_t max = 0;
	int bits;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < np && periods[k] != e[i].period; k++)
			;
		if (k == np) {
			if (np == AM_ARRAY_SIZE(periods)) {
				qsort(e, n, sizeof(*e), cmp_entry);
				return 0;
			}
			periods[np++] = e[i].period;
		}
	}
	/* Ranks in period order (insertion sort: a handful). */
	for (size_t i = 1; i < np; i++)
		for (size_t j = i; j && periods[j - 1] > periods[j]; j--) {
			int32_t t = periods[j];

			periods[j] = periods[j - 1];
			periods[j - 1] = t;
		}
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return AM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t rank = 0;

		while (periods[rank] != e[i].period)
			rank++;
		if ((rank << 34 | (uint64_t)e[i].code) > max)
			max = rank << 34 | (uint64_t)e[i].code;
	}
	to = tmp;
	for (bits = 0; bits < 64 && (max >> bits); bits += RADIX_BITS) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++) {
			uint64_t rank = 0, key;

			while (periods[rank] != from[i].period)
				rank++;
			key = rank << 34 | (uint64_t)from[i].code;
			count[(key >> bits) & ((1 << RADIX_BITS) - 1)]++;
		}
		for (size_t d = 0; d < AM_ARRAY_SIZE(count); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t rank = 0, key;

			while (periods[rank] != from[i].period)
				rank++;
			key = rank << 34 | (uint64_t)from[i].code;
			to[count[(key >> bits) & ((1 << RADIX_BITS) - 1)]++] =
				from[i];
		}
		to = from;
		from = from == e ? tmp : e;
	}
	if (from != e)
		memcpy(e, from, n * sizeof(*e));
	free(tmp);
	return 0;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* Persons met for the first time are registered from their line (a line
 * without a sex leaves them to the registry files: the registry needs
 * one). The batch's distinct codes, ascending, are checked against the
 * registry in one merge; those the person set holds were left out of
 * the batch's person records and are not checked again. */
static int register_persons(struct am_store *s)
{
	struct am__post_batch *b = &s->batch;
	int64_t *codes = malloc((b->n ? b->n : 1) * sizeof(*codes));
	uint8_t *known = malloc(b->n ? b->n : 1);
	size_t n = 0, j = 0;
	bool sorted = true;
	struct am_arena a;
	int err = 0;

	if (!codes || !known) {
		free(codes);
		free(known);
		return am__store_errf(s, AM_ENOMEM, "posting: out of memory");
	}
	/* Sorted by period first: several periods need one more sort. */
	for (size_t i = 0; i < b->n; i++) {
		if (b->e[i].person == AM__NO_PERSON ||
		    (n && b->e[i].code == codes[n - 1]))
			continue;
		sorted = sorted && (!n || b->e[i].code > codes[n - 1]);
		codes[n++] = b->e[i].code;
	}
	if (!sorted) {
		size_t k = 0;

		qsort(codes, n, sizeof(*codes), cmp_i64);
		for (size_t i = 0; i < n; i++)
			if (!k || codes[i] != codes[k - 1])
				codes[k++] = codes[i];
		n = k;
	}
	if (n)
		err = s->be->persons_known(s, codes, n, known);
	am_arena_init(&a, 4096);
	for (size_t i = 0; !err && i < b->n; i++) {
		const struct am__index_entry *e = &b->e[i];
		struct am_wage_line ln;
		struct am_person p;
		bool added = false;
		size_t k;

		/* Where the code is among the distinct ones. */
		if (sorted) {
			while (j < n && codes[j] < e->code)
				j++;
			k = j;
		} else {
			const int64_t *hit = bsearch(&e->code, codes, n,
						     sizeof(*codes), cmp_i64);

			k = hit ? (size_t)(hit - codes) : n;
		}
		if (e->person == AM__NO_PERSON || k == n || known[k] == 2)
			continue;
		if (known[k]) {
			known[k] = 2;
			err = join(s, e->code);
			continue;
		}
		known[k] = 2; /* registered now, or left to the registry */
		err = am__person_decode((const uint8_t *)b->persons.buf,
					b->persons.len, e->person, &a, &ln);
		if (err)
			err = am__store_errf(s, err, "posting: person record");
		if (err || !ln.sex)
			continue;
		memset(&p, 0, sizeof(p));
		p.national_code = ln.national_code;
		p.first_name = ln.first_name ? ln.first_name : "";
		p.last_name = ln.last_name ? ln.last_name : "";
		p.father_name = ln.father_name;
		p.birth_date = ln.birth_date == AM_WAGE_DATE_NONE
				       ? AM_STORE_DATE_NONE
				       : ln.birth_date;
		p.sex = ln.sex;
		p.nationality = am_nationality_iso(ln.nationality);
		p.insurance_no = ln.insurance_no[0] ? ln.insurance_no : NULL;
		err = s->be->person_ensure(s, &p, am__store_now(s), &added);
		if (!err)
			err = join(s, e->code);
		b->registered += added;
		am_arena_clear(&a);
	}
	am_arena_release(&a);
	free(codes);
	free(known);
	return err;
}

static int audit_batch(struct am_store *s)
{
	struct am__post_batch *b = &s->batch;
	unsigned char digest[32];
	char hex[65], payload[256];

	crypto_generichash_final(
		(crypto_generichash_state *)(void *)b->digest_state, digest,
		sizeof(digest));
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	snprintf(payload, sizeof(payload),
		 "{\"lists\":%" PRId64 ",\"lines\":%" PRId64
		 ",\"first_id\":%" PRId64 ",\"last_id\":%" PRId64
		 ",\"digest\":\"%s\"}",
		 b->lists, b->lines, b->first_id, b->last_id, hex);
	return am__audit_append(s, "lists.post", "", payload, NULL);
}

/*
 * What the postings of a transaction leave for its commit: the persons to
 * register, the by-person index (one segment per period, sorted here), and
 * one audit entry for the lists, whose digest covers each list's id and
 * hash in order. am_store_commit() calls it before the commit itself.
 */
int am__post_flush(struct am_store *s)
{
	struct am__post_batch *b = &s->batch;
	int64_t segment = INT64_MAX;
	size_t i = 0;
	int err = 0;

	if (!b->n && !b->lists)
		return 0;
	if (b->n && sort_entries(b->e, b->n))
		return am__store_errf(s, AM_ENOMEM, "posting: out of memory");
	for (size_t k = 0; k < b->n; k++)
		if (b->e[k].list_id < segment)
			segment = b->e[k].list_id;
	err = register_persons(s);
	while (!err && i < b->n) {
		size_t j = i + 1;

		while (j < b->n && b->e[j].period == b->e[i].period)
			j++;
		err = s->be->index_add(s, &b->e[i], j - i, segment);
		i = j;
	}
	if (!err && b->lists)
		err = audit_batch(s);
	b->n = 0;
	/* A batch posted without the person set (before it came) held a
	 * record per line: that memory is let go, not kept for the next. */
	if (b->persons.alloc > ((size_t)4 << 20))
		am_buf_release(&b->persons);
	else
		am_buf_clear(&b->persons);
	b->lists = b->lines = b->first_id = b->last_id = 0;
	return err;
}

/* Reverse an earlier list's assessment: the transaction it posted then
 * (whatever the rules say now), undone by the ledger's rule for a
 * reversal. */
static int reverse_list(struct am_store *s, const struct am_wage_list *l,
			const struct am__list_key *old, int period)
{
	struct am__ledger_txn posted, c;
	struct am_txn rev;
	struct am_arena a;
	int err;

	am_arena_init(&a, 256);
	err = s->be->ledger_get(s, old->txn, &a, &posted);
	am_arena_release(&a);
	if (err == AM_ENOT_FOUND) /* a list with nothing to assess */
		return 0;
	if (err)
		return err;
	if (posted.t.kind != AM_TXN_ASSESSMENT || posted.list_id != old->id ||
	    !am_txn_balanced(&posted.t))
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "list %" PRId64 ": ledger %" PRId64
				      " is not its assessment",
				      old->id, old->txn);
	am_ledger_reversal(&posted.t, &rev);
	memset(&c, 0, sizeof(c));
	c.period = period;
	c.workshop = l->workshop;
	c.list_id = old->id;
	c.value_date = today_of(s);
	c.due_date = AM_DATE_NONE;
	return ledger_post(s, &rev, &c, NULL);
}

static int audit_amend(struct am_store *s, const struct am_wage_list *l,
		       int64_t id, const struct am__list_sums *t,
		       const char *rules_identity, int64_t superseded)
{
	char subject[64], hex[65];
	struct am_buf b;
	int err;

	snprintf(subject, sizeof(subject), "%s/%04d/%02d/%s", l->workshop,
		 l->period.year, l->period.month, l->list_no);
	sodium_bin2hex(hex, sizeof(hex), l->hash, 32);
	am_buf_init(&b, 0);
	err = am_buf_addf(&b,
			  "{\"list_id\":%" PRId64 ",\"hash\":\"%s\","
			  "\"lines\":%zu,\"days\":%" PRId64
			  ",\"subject_wage\":%" PRId64 ",\"insured\":%" PRId64
			  ",\"employer\":%" PRId64 ",\"state\":%" PRId64
			  ",\"unemployment\":%" PRId64
			  ",\"hard_harmful\":%" PRId64
			  ",\"supersedes\":%" PRId64 ",\"rules\":",
			  id, hex, l->nlines, t->days, t->subject, t->insured,
			  t->employer, t->state, t->unemployment,
			  t->hard_harmful, superseded);
	if (!err)
		err = am_buf_add_json_str(&b, rules_identity,
					  strlen(rules_identity));
	if (!err)
		err = am_buf_addch(&b, '}');
	if (!err)
		err = am__audit_append(s, "list.amend", subject, b.buf, NULL);
	else
		err = am__store_errf(s, err, "list audit: out of memory");
	am_buf_release(&b);
	return err;
}

/* The new list: its row (lines packed in its body, the assessment as one
 * balanced transaction) and its lines' index entries for the commit. */
static int write_list(struct am_store *s, const struct am_wage_list *l,
		      const struct am_post_prep *p, am_date due_date,
		      bool state_pays_employer, const char *rules_identity,
		      const struct am__list_key *old, int64_t *id, bool *wrote)
{
	struct am__post_batch *b = &s->batch;
	const struct am__list_sums *t = &p->t;
	const struct am_assessed_shares sh = { t->insured, t->employer,
					       t->state, t->unemployment,
					       t->hard_harmful };
	const int64_t *codes = p->codes;
	char account[AM_ACCOUNT_NAME_MAX];
	struct am__ledger_txn c;
	struct am_txn assessment;
	struct am__list_row row;
	int err;

	am_account_workshop(l->workshop, account);
	memset(&row, 0, sizeof(row));
	err = am_ledger_assessment(l->workshop, &sh, state_pays_employer,
				   &assessment);
	if (!err) {
		row.owed_workshop = am_txn_debit(&assessment, account);
		row.owed_state = am_txn_debit(&assessment, AM_ACCOUNT_STATE);
	}
	if (err)
		return am__store_errf(s, err,
				      "list %s/%04d/%02d/%s: totals overflow "
				      "or do not balance",
				      l->workshop, l->period.year,
				      l->period.month, l->list_no);
	row.workshop = l->workshop;
	row.year = l->period.year;
	row.month = l->period.month;
	row.period = period_key(l->period);
	row.list_no = l->list_no;
	row.revision = old->found ? old->revision + 1 : 0;
	row.hash = l->hash;
	row.source_file = l->file;
	row.lines = (int64_t)l->nlines;
	row.days = t->days;
	row.subject = t->subject;
	row.insured = t->insured;
	row.employer = t->employer;
	row.state = t->state;
	row.unemployment = t->unemployment;
	row.hard_harmful = t->hard_harmful;
	row.rules_identity = rules_identity;
	row.due_date = due_date;
	row.value_date = today_of(s);
	row.state_pays_employer = state_pays_employer;
	row.supersedes = old->found ? old->id : 0;
	row.posted_at = am__store_now(s);
	row.body = p->body;
	row.body_len = p->body_len;
	err = s->be->ledger_id(s, &row.txn);
	if (!err)
		err = s->be->list_insert(s, &row, id);
	if (!err && !am_txn_empty(&assessment)) {
		memset(&c, 0, sizeof(c));
		c.id = row.txn;
		c.t = assessment;
		c.period = row.period;
		c.workshop = l->workshop;
		c.list_id = *id;
		c.due_date = due_date;
		c.value_date = row.value_date;
		c.posted_at = row.posted_at;
		err = s->be->ledger_append(s, &c);
	}
	if (err)
		return err;
	*wrote = true;
	/* The set's bits of the list's persons are fetched from memory
	 * together, not one miss after another. */
	for (size_t i = 0; b->set && i < l->nlines; i++)
		am__person_set_prefetch(b->set, codes[i]);
	for (size_t i = 0; !err && i < l->nlines; i++)
		err = batch_add(s, p->persons + p->person_at[i],
				p->person_at[i + 1] - p->person_at[i], codes[i],
				*id, p->offsets[i], row.period);
	if (err)
		return err;
	crypto_generichash_update(
		(crypto_generichash_state *)(void *)b->digest_state,
		(const unsigned char *)id, sizeof(*id));
	crypto_generichash_update(
		(crypto_generichash_state *)(void *)b->digest_state, l->hash,
		32);
	b->lists++;
	b->lines += (int64_t)l->nlines;
	if (!b->first_id)
		b->first_id = *id;
	b->last_id = *id;
	if (s->in_tx && b->n >= FLUSH_ENTRIES) {
		err = am__post_flush(s);
		batch_digest_start(b);
	}
	return err;
}

/*
 * A posting inside the caller's transaction takes no savepoint. A
 * savepoint copies every page a list touches before its first change, so
 * that the list can be undone alone; with a dozen lines landing on a dozen
 * pages of wage_lines and person_totals, that copying cost more than the
 * writes themselves (docs/storage.md, "Posting"). Validation makes the undo
 * almost never needed, so instead: every refusal the store can see is
 * found before the first write (the list's row, a single atomic
 * statement), and a failure after it marks the transaction failed, so
 * that only a rollback may follow and the caller redoes the batch without
 * the list. Outside a transaction a post is its own transaction.
 */
static int post_begin(struct am_store *s)
{
	int err = am__store_ready(s);

	if (err)
		return err;
	if (!s->in_tx) {
		am__post_batch_reset(s);
		err = s->be->begin(s);
		if (!err)
			batch_digest_start(&s->batch);
		return err;
	}
	if (s->tx_failed)
		return am__store_errf(
			s, AM_ESTORE_SQL,
			"the transaction was aborted by a failure "
			"that could not be undone; roll it back");
	return 0;
}

static int post_end(struct am_store *s, int err, bool wrote)
{
	char saved[AM__STORE_ERRMSG_MAX];

	if (s->in_tx) {
		if (err && wrote)
			s->tx_failed = true;
		return err;
	}
	if (!err)
		err = am__post_flush(s);
	if (!err)
		err = s->be->commit(s);
	if (!err)
		am__post_committed(s);
	if (err) {
		memcpy(saved, s->errmsg, sizeof(saved));
		s->be->rollback(s);
		memcpy(s->errmsg, saved, sizeof(saved));
	}
	am__post_batch_reset(s);
	return err;
}

/* Whether a code is twice in v[0..n), through an open-addressing table of
 * at least 2n slots (codes are non-negative: -1 is a free slot), on the
 * stack for a list of up to 32 lines; -1 when out of memory. */
static int dup_hashed(const int64_t *v, size_t n)
{
	int64_t small[64], *t = small;
	size_t size = AM_ARRAY_SIZE(small), mask;
	int dup = 0;

	while (size < 2 * n)
		size *= 2;
	if (size > AM_ARRAY_SIZE(small) && !(t = malloc(size * sizeof(*t))))
		return -1;
	memset(t, 0xff, size * sizeof(*t));
	mask = size - 1;
	for (size_t i = 0; !dup && i < n; i++) {
		/* Fibonacci hashing: national codes share their low digits'
		 * patterns less than their high bits. */
		size_t h = (size_t)(((uint64_t)v[i] * 0x9E3779B97F4A7C15u) >>
				    32) &
			   mask;

		while (t[h] >= 0 && t[h] != v[i])
			h = (h + 1) & mask;
		dup = t[h] == v[i];
		t[h] = v[i];
	}
	if (t != small)
		free(t);
	return dup;
}

/* A person twice in the list, found before anything is written, on the
 * lines' codes as integers: lists in national-code order take one pass,
 * others a hash table (sorting them took a second of the national
 * month's writer). */
static int check_duplicates(struct am__prep_owner *p,
			    const struct am_wage_list *l, const int64_t *codes)
{
	bool sorted = true, dup = false;
	size_t n = l->nlines;

	for (size_t i = 1; sorted && !dup && i < n; i++) {
		dup = codes[i - 1] == codes[i];
		sorted = codes[i - 1] < codes[i];
	}
	if (!sorted && !dup) {
		int d = dup_hashed(codes, n);

		if (d < 0)
			return prep_errf(p, AM_ENOMEM, "list: out of memory");
		dup = d;
	}
	if (!dup)
		return 0;
	return prep_errf(p, AM_ESTORE_CONFLICT,
			 "list %s/%04d/%02d/%s: a person is listed twice",
			 l->workshop, l->period.year, l->period.month,
			 l->list_no);
}

/* The list's key and lines in their domains; codes[i] gets line i's
 * national code as an integer. */
static int check_list(struct am__prep_owner *p, const struct am_wage_list *l,
		      const struct am_line_assessment *a,
		      const char *rules_identity, int64_t *codes)
{
	if (empty(l->workshop) || !period_ok(l->period) || empty(l->list_no) ||
	    !rules_identity)
		return prep_errf(p, AM_EINVALID_ARGUMENT, "%s is missing",
				 "workshop, period, list number or rules");
	if (l->nlines && (!l->lines || !a))
		return prep_errf(p, AM_EINVALID_ARGUMENT, "%s is missing",
				 "lines or assessments");
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *ln = &l->lines[i];

		if (empty(ln->national_code))
			return prep_errf(p, AM_EINVALID_ARGUMENT,
					 "%s is missing",
					 "national code of a line");
		/* What the schema's CHECKs refused when a line was a row:
		 * refused here, before anything is written. */
		if (am__code_int(ln->national_code, &codes[i]) ||
		    ln->days < 0 || ln->days > 31 ||
		    a[i].hard_harmful_days < 0 ||
		    a[i].hard_harmful_days > ln->days || a[i].base < 0 ||
		    a[i].insured < 0 || a[i].employer < 0 || a[i].state < 0 ||
		    a[i].unemployment < 0 || a[i].hard_harmful < 0)
			return prep_errf(
				p, AM_ESTORE_CONFLICT,
				"list %s/%04d/%02d/%s, line %zu: national "
				"code, days or shares out of their domain",
				l->workshop, l->period.year, l->period.month,
				l->list_no, i + 1);
	}
	return 0;
}

/* The prep's arrays for n lines. */
static int lines_room(struct am__prep_owner *p, size_t n)
{
	size_t alloc = p->lines_alloc ? p->lines_alloc : 64;
	uint32_t *offsets, *person_at = NULL;
	int64_t *codes;

	if (n < p->lines_alloc)
		return 0;
	while (alloc <= n)
		alloc *= 2;
	offsets = realloc(p->offsets, alloc * sizeof(*offsets));
	if (offsets)
		p->offsets = offsets;
	codes = offsets ? realloc(p->codes, alloc * sizeof(*codes)) : NULL;
	if (codes)
		p->codes = codes;
	if (codes)
		person_at = realloc(p->person_at, alloc * sizeof(*person_at));
	if (!person_at)
		return prep_errf(p, AM_ENOMEM, "list: out of memory");
	p->person_at = person_at;
	p->lines_alloc = alloc;
	return 0;
}

int am_post_prep_new(struct am_post_prep **out)
{
	struct am__prep_owner *o = calloc(1, sizeof(*o));

	if (!o)
		return AM_ENOMEM;
	o->p.owned = true;
	o->p.errmsg = "";
	*out = &o->p;
	return 0;
}

void am_post_prep_free(struct am_post_prep *p)
{
	struct am__prep_owner *o = (struct am__prep_owner *)p;

	if (!p || !p->owned)
		return;
	prep_release(o);
	free(o);
}

/* Prepare into an owner: a handle's own, or one of am_post_prep_new(). */
static int prepare(struct am__prep_owner *p, const struct am_wage_list *l,
		   const struct am_line_assessment *a,
		   const char *rules_identity)
{
	struct am_post_prep *view = &p->p;
	int err;

	memset(view, 0, sizeof(*view));
	view->owned = true;
	view->errmsg = p->errmsg;
	p->errmsg[0] = '\0';
	view->nlines = l->nlines;
	memcpy(view->hash, l->hash, sizeof(view->hash));
	err = lines_room(p, l->nlines);
	if (!err)
		err = check_list(p, l, a, rules_identity, p->codes);
	if (!err && (err = sum_lines(l, a, &view->t)) != 0)
		err = prep_errf(p, err, "list totals overflow");
	if (!err)
		err = check_duplicates(p, l, p->codes);
	if (err)
		return err;
	if (!p->body.cap)
		am_buf_init(&p->body, (size_t)1 << 30);
	am_buf_clear(&p->body);
	err = am__body_encode(l, p->codes, a, &p->body, p->offsets);
	if (err)
		return prep_errf(p, err, "list body");
	if (!p->persons.cap)
		am_buf_init(&p->persons, (size_t)1 << 30);
	am_buf_clear(&p->persons);
	for (size_t i = 0; !err && i < l->nlines; i++) {
		p->person_at[i] = (uint32_t)p->persons.len;
		err = am__person_encode(&l->lines[i], &p->persons);
	}
	if (err)
		return prep_errf(p, err, "list persons");
	p->person_at[l->nlines] = (uint32_t)p->persons.len;
	view->body = (const uint8_t *)p->body.buf;
	view->body_len = p->body.len;
	view->offsets = p->offsets;
	view->codes = p->codes;
	view->persons = (const uint8_t *)p->persons.buf;
	view->person_at = p->person_at;
	return 0;
}

int am_post_prepare(struct am_post_prep *p, const struct am_wage_list *l,
		    const struct am_line_assessment *a,
		    const char *rules_identity)
{
	/* A copy has no buffers to prepare into. */
	if (!p->owned)
		return AM_EINVALID_ARGUMENT;
	return prepare((struct am__prep_owner *)p, l, a, rules_identity);
}

int am_post_prep_copy(const struct am_post_prep *p, struct am_arena *a,
		      const struct am_post_prep **out)
{
	struct am_post_prep *c = am_arena_alloc(a, sizeof(*c));
	size_t n = p->nlines, plen;
	uint8_t *body, *persons;
	uint32_t *offsets = NULL, *person_at;
	int64_t *codes = NULL;

	if (!c)
		return AM_ENOMEM;
	*c = *p;
	c->owned = false;
	c->errmsg = "";
	if (p->err) { /* only the refusal travels */
		c->errmsg = am_arena_strndup(a, p->errmsg, strlen(p->errmsg));
		c->body = NULL;
		c->offsets = NULL;
		c->codes = NULL;
		c->persons = NULL;
		c->person_at = NULL;
		*out = c;
		return c->errmsg ? 0 : AM_ENOMEM;
	}
	plen = p->person_at[n];
	body = am_arena_alloc(a, p->body_len ? p->body_len : 1);
	persons = am_arena_alloc(a, plen ? plen : 1);
	person_at = am_arena_alloc(a, (n + 1) * sizeof(*person_at));
	if (n) {
		offsets = am_arena_alloc(a, n * sizeof(*offsets));
		codes = am_arena_alloc(a, n * sizeof(*codes));
	}
	if (!body || !persons || !person_at || (n && (!offsets || !codes)))
		return AM_ENOMEM;
	memcpy(body, p->body, p->body_len);
	if (plen)
		memcpy(persons, p->persons, plen);
	memcpy(person_at, p->person_at, (n + 1) * sizeof(*person_at));
	if (n) {
		memcpy(offsets, p->offsets, n * sizeof(*offsets));
		memcpy(codes, p->codes, n * sizeof(*codes));
	}
	c->body = body;
	c->offsets = offsets;
	c->codes = codes;
	c->persons = persons;
	c->person_at = person_at;
	*out = c;
	return 0;
}

int am_store_post_list(struct am_store *s, const struct am_wage_list *l,
		       const struct am_line_assessment *a, am_date due_date,
		       bool state_pays_employer, const char *rules_identity,
		       bool amend, int *outcome)
{
	prepare(&s->batch.prep, l, a, rules_identity);
	return am_store_post_prepared(s, l, &s->batch.prep.p, due_date,
				      state_pays_employer, rules_identity,
				      amend, outcome);
}

int am_store_post_prepared(struct am_store *s, const struct am_wage_list *l,
			   const struct am_post_prep *p, am_date due_date,
			   bool state_pays_employer, const char *rules_identity,
			   bool amend, int *outcome)
{
	struct am__list_key old;
	int64_t id = 0;
	int result = AM_POST_POSTED;
	bool wrote = false;
	int err;

	if (p->nlines != l->nlines || memcmp(p->hash, l->hash, 32) != 0)
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "list %s/%04d/%02d/%s: prepared from "
				      "another list",
				      l->workshop, l->period.year,
				      l->period.month, l->list_no);
	if (p->err)
		return am__store_errf(s, p->err, "%s", p->errmsg);
	err = post_begin(s);
	if (err)
		goto out;
	err = posting_on(s);
	if (err)
		goto out_unit;
	if (s->in_tx && !s->batch.lists)
		batch_digest_start(&s->batch);
	/* A new key (the usual case) is written at once: the row's unique
	 * key finds an earlier list in the same B-tree descent, and only
	 * then is it read. */
	memset(&old, 0, sizeof(old));
	if (!amend) {
		err = write_list(s, l, p, due_date, state_pays_employer,
				 rules_identity, &old, &id, &wrote);
		if (err != AM_EIDEMPOTENCY_CONFLICT)
			goto out_unit;
	}
	err = s->be->list_find(s, l->workshop, period_key(l->period),
			       l->list_no, &old);
	if (err)
		goto out_unit;
	if (old.found && old.posted && !sodium_memcmp(old.hash, l->hash, 32)) {
		result = AM_POST_UNCHANGED;
		goto out_unit;
	}
	if (old.found && old.posted && !amend) {
		result = AM_POST_REFUSED_CONFLICT;
		goto out_unit;
	}
	/* The first write: the journal's reversal when amending, else the
	 * list's row, whose foreign key refuses an unknown workshop. */
	if (old.found && old.posted) {
		result = AM_POST_AMENDED;
		wrote = true;
		err = reverse_list(s, l, &old, period_key(l->period));
		if (!err)
			err = s->be->list_supersede(s, old.id);
		if (err)
			goto out_unit;
	}
	err = write_list(s, l, p, due_date, state_pays_employer, rules_identity,
			 &old, &id, &wrote);
	if (!err && result == AM_POST_AMENDED)
		err = audit_amend(s, l, id, &p->t, rules_identity, old.id);
out_unit:
	err = post_end(s, err, wrote);
	if (!err)
		*outcome = result;
out:
	return err;
}

int am_store_compact(struct am_store *s, int64_t *lines)
{
	char payload[64];
	int64_t n = 0;
	int err = am__store_unit_begin(s);

	if (err)
		return err;
	err = posting_on(s);
	if (!err && s->be->compact)
		err = s->be->compact(s, &n);
	if (!err && n) {
		snprintf(payload, sizeof(payload), "{\"entries\":%" PRId64 "}",
			 n);
		err = am__audit_append(s, "index.compact", "", payload, NULL);
	}
	err = am__store_unit_end(s, err);
	/* Inside the caller's transaction, it ends with the transaction. */
	if (!s->in_tx)
		posting_off(s);
	if (!err && lines)
		*lines = n;
	return err;
}

int am_store_workshop_terms_each(struct am_store *s,
				 int (*fn)(void *ctx, const char *code,
					   bool hard_harmful,
					   bool small_exempt),
				 void *ctx)
{
	int err = am__store_ready(s);

	return err ? err : s->be->workshop_terms(s, fn, ctx);
}

int64_t am_store_persons_registered(const struct am_store *s)
{
	return s->batch.registered;
}

/*
 * Migrated months.
 */

int am_store_history_import_row(struct am_store *s,
				const struct am_history_row *r, int *outcome)
{
	struct am_history_row old;
	bool existed = false, wrote = false;
	int err;

	if (empty(r->national_code) || empty(r->workshop) ||
	    !period_ok(r->period))
		return bad_key(s, "national code, workshop or period");
	err = post_begin(s);
	if (err)
		return err;
	/* The row's insert is atomic; only the totals after it can leave
	 * half a write (see post_begin()). */
	err = s->be->history_insert(s, r, period_key(r->period),
				    am__store_now(s), &existed, &old, &wrote);
	if (!err && existed &&
	    (old.days != r->days || old.subject_wage != r->subject_wage ||
	     old.hard_harmful_days != r->hard_harmful_days))
		err = am__store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				     "history %s %04d/%02d %s was imported "
				     "with other figures",
				     r->national_code, r->period.year,
				     r->period.month, r->workshop);
	err = post_end(s, err, wrote);
	if (!err)
		*outcome = existed ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return err;
}

/*
 * Payments.
 */

static int audit_payment(struct am_store *s, const struct am_payment *p)
{
	struct am_buf b;
	int err;

	am_buf_init(&b, 0);
	err = am_buf_addf(&b,
			  "{\"workshop\":\"%s\",\"period\":\"%04d/%02d\","
			  "\"amount\":%" PRId64 ",\"paid_on\":%" PRId32
			  ",\"matched\":%" PRId64 ",\"unmatched\":%" PRId64 "}",
			  p->workshop, p->period.year, p->period.month,
			  p->amount, p->paid_on, p->matched, p->unmatched);
	if (!err)
		err = am__audit_append(s, "payment.post", p->reference, b.buf,
				       NULL);
	else
		err = am__store_errf(s, err, "payment audit: out of memory");
	am_buf_release(&b);
	return err;
}

static bool digits10(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == 10;
}

/* What the workshop's account owes for the payment's period, from its
 * entries (am_ledger_due()). */
static int period_due(struct am_store *s, const char *workshop,
		      struct am_period period, am_money *due)
{
	struct am_employer_statement st;
	struct am_arena a;
	int err;

	am_arena_init(&a, 0);
	err = am__workshop_entries(s, workshop, &a, &st);
	if (!err && am_ledger_due(st.entries, st.nentries, period, due))
		err = am__store_errf(s, AM_EMONEY_OVERFLOW,
				     "workshop %s: the period's debt overflows",
				     workshop);
	am_arena_release(&a);
	return err;
}

static int payment_write(struct am_store *s, struct am_payment *p)
{
	struct am__ledger_txn c;
	struct am_txn txn;
	am_money due = 0;
	int64_t id = 0;
	int err;

	err = period_due(s, p->workshop, p->period, &due);
	if (!err && am_ledger_payment(p->workshop, p->amount, due, &txn,
				      &p->matched, &p->unmatched))
		err = am__store_errf(s, AM_EINVALID_ARGUMENT,
				     "payment %s: not a payment", p->reference);
	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	c.period = period_key(p->period);
	c.workshop = p->workshop;
	c.payment_ref = p->reference;
	c.value_date = p->paid_on;
	c.due_date = AM_DATE_NONE;
	err = ledger_post(s, &txn, &c, &id);
	if (!err)
		err = s->be->payment_insert(s, p, c.period, id,
					    am__store_now(s));
	if (!err)
		err = audit_payment(s, p);
	return err;
}

int am_store_payment_post(struct am_store *s, struct am_payment *p,
			  int *outcome)
{
	struct am__payment_row old;
	struct am_payment w;
	int err;

	memset(&old, 0, sizeof(old));
	if (empty(p->reference) || empty(p->workshop) || !period_ok(p->period))
		return bad_key(s, "reference, workshop or period");
	if (p->amount <= 0 || !digits10(p->workshop))
		return am__store_errf(s, AM_EINVALID_ARGUMENT,
				      "payment %s: the amount must be above "
				      "zero and the workshop 10 digits",
				      p->reference);
	err = am__store_unit_begin(s);
	if (err)
		return err;
	w = *p;
	err = s->be->payment_find(s, p->reference, &old);
	if (err || !old.found) {
		if (!err)
			err = payment_write(s, &w);
		goto out_unit;
	}
	if (strcmp(old.workshop, p->workshop) != 0 ||
	    old.period != period_key(p->period) || old.amount != p->amount ||
	    old.paid_on != p->paid_on) {
		err = am__store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				     "payment reference '%s' was used for "
				     "another payment",
				     p->reference);
		goto out_unit;
	}
	w.matched = old.matched;
	w.unmatched = old.unmatched;
out_unit:
	err = am__store_unit_end(s, err);
	if (err)
		return err;
	p->matched = w.matched;
	p->unmatched = w.unmatched;
	*outcome = old.found ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return 0;
}

int am_store_payment_get(struct am_store *s, const char *reference,
			 struct am_arena *a, struct am_payment *out)
{
	struct am__payment_row r;
	struct am_payment p;
	int err;

	if (empty(reference))
		return bad_key(s, "payment reference");
	err = am__store_ready(s);
	if (!err)
		err = s->be->payment_find(s, reference, &r);
	if (err)
		return err;
	if (!r.found)
		return am__store_errf(s, AM_ENOT_FOUND,
				      "no payment with reference '%s'",
				      reference);
	memset(&p, 0, sizeof(p));
	p.reference = am_arena_strdup(a, reference);
	p.workshop = am_arena_strdup(a, r.workshop);
	if (!p.reference || !p.workshop)
		return am__store_errf(s, AM_ENOMEM, "payment: out of memory");
	p.period.year = r.period / 100;
	p.period.month = r.period % 100;
	p.amount = r.amount;
	p.paid_on = r.paid_on;
	p.matched = r.matched;
	p.unmatched = r.unmatched;
	*out = p;
	return 0;
}
