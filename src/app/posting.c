/* Posting wage lists, payments and migrated months (amanat/posting.h):
 * idempotency by content hash, the list's ledger transaction and its
 * reversal by the domain's rules, the by-person index, the persons met
 * for the first time, the audit entries. The decisions are made here,
 * above the store, which stores and finds the rows (amanat/rows.h). */
#include "core/internal.h"

#include <sodium.h>

#include "amanat/ident.h"
#include "amanat/ledger.h"
#include "amanat/posting.h"
#include "amanat/views.h"

/* A transaction's index entries are written out when this many gather,
 * so memory stays bounded however long it runs. */
#define FLUSH_ENTRIES ((size_t)1 << 19)

/* An index entry's tag when the person set holds its person (no record
 * of the person was kept). */
#define NO_PERSON UINT32_MAX

/* The session: what a transaction's postings gather until its commit
 * (the index entries of its lists, the persons' records, the digest of
 * the lists for the batch's audit entry), and what outlives it. */
struct am_post_session {
	struct am_store *s;
	struct am_index_entry *e;
	size_t n, alloc;
	struct am_buf persons; /* the lines' person records, end to end */
	int64_t lists, lines, first_id, last_id;
	crypto_generichash_state digest;
	/* Workshops registered from their lists' headers since the last
	 * audit entry: the digest of their records, and how many. */
	crypto_generichash_state ws_digest;
	int64_t ws_registered;
	int64_t registered;  /* persons registered by committed transactions */
	int64_t registering; /* ... by the open one */
	/* Registered persons held in memory, borrowed from the caller; the
	 * codes the transaction found or registered join it when it
	 * commits. */
	struct am_person_set *set;
	int64_t *joined;
	size_t njoined, joined_alloc;
	/* am_post_list()'s prepared half, kept from one list to the
	 * next. */
	struct am_post_prep *prep;
};

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool period_ok(struct am_period p)
{
	return p.year >= AM_JALALI_YEAR_MIN && p.year <= AM_JALALI_YEAR_MAX &&
	       p.month >= 1 && p.month <= 12;
}

static int bad_key(struct am_store *s, const char *what)
{
	return am_store_errf(s, AM_EINVALID_ARGUMENT, "%s is missing", what);
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

static am_date today_of(const struct am_store *s)
{
	int64_t now = am_store_now(s);

	/* Unix seconds to days (floor, for times before 1970 too). */
	return (am_date)(now >= 0 ? now / 86400 : -((-now + 86399) / 86400));
}

/* Append a transaction with what it is about (c: its period, workshop,
 * list, reference and dates), under a fresh id from the backend's
 * sequence; *id (may be NULL) gets it. A transaction whose postings are
 * all zero records nothing and is not written. */
static int ledger_post(struct am_store *s, const struct am_txn *t,
		       const struct am_ledger_row *c, int64_t *id)
{
	struct am_ledger_row x = *c;
	int err;

	x.t = *t;
	x.posted_at = am_store_now(s);
	err = am_store_ledger_id(s, &x.id);
	if (!err && !am_txn_empty(t))
		err = am_store_ledger_append(s, &x);
	if (!err && id)
		*id = x.id;
	return err;
}

/* A line's index entry, and its person record unless the person set
 * holds it (rec: the line's from its prep, of rec_len bytes). */
static int batch_add(struct am_post_session *b, const uint8_t *rec,
		     size_t rec_len, int64_t code, int64_t list_id,
		     uint32_t offset, int period)
{
	struct am_store *s = b->s;
	size_t person = b->persons.len;
	int err;

	if (b->n == b->alloc) {
		size_t alloc = b->alloc ? b->alloc * 2 : 4096;
		struct am_index_entry *e = realloc(b->e, alloc * sizeof(*e));

		if (!e)
			return am_store_errf(s, AM_ENOMEM,
					     "posting: out of memory");
		b->e = e;
		b->alloc = alloc;
	}
	if (b->set && am_person_set_has(b->set, code)) {
		person = NO_PERSON;
	} else {
		if (!b->persons.cap)
			am_buf_init(&b->persons, UINT32_MAX);
		if (person >= NO_PERSON)
			return am_store_errf(s, AM_ETOO_LONG, "posting: batch");
		err = am_buf_add(&b->persons, rec, rec_len);
		if (err)
			return am_store_errf(s, err, "posting: out of memory");
	}
	b->e[b->n].code = code;
	b->e[b->n].list_id = list_id;
	b->e[b->n].offset = offset;
	b->e[b->n].period = period;
	b->e[b->n].tag = (uint32_t)person;
	b->n++;
	return 0;
}

/* A code the transaction found registered, or registered, for the set. */
static int join(struct am_post_session *b, int64_t code)
{
	struct am_store *s = b->s;

	if (!b->set)
		return 0;
	if (b->njoined == b->joined_alloc) {
		size_t alloc = b->joined_alloc ? b->joined_alloc * 2 : 1024;
		int64_t *j = realloc(b->joined, alloc * sizeof(*j));

		if (!j)
			return am_store_errf(s, AM_ENOMEM,
					     "posting: out of memory");
		b->joined = j;
		b->joined_alloc = alloc;
	}
	b->joined[b->njoined++] = code;
	return 0;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct am_index_entry *a = x, *b = y;

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

static int sort_entries(struct am_index_entry *e, size_t n)
{
	int32_t periods[64];
	size_t np = 0, count[1 << RADIX_BITS];
	struct am_index_entry *tmp, *from = e, *to;
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
static int register_persons(struct am_post_session *b)
{
	struct am_store *s = b->s;
	int64_t *codes = malloc((b->n ? b->n : 1) * sizeof(*codes));
	uint8_t *known = malloc(b->n ? b->n : 1);
	size_t n = 0, j = 0, np = 0;
	struct am_person *ps = NULL;
	const void **pp = NULL; /* ps's records, for the one put */
	bool sorted = true;
	struct am_arena a;
	int err = 0;

	if (!codes || !known) {
		free(codes);
		free(known);
		return am_store_errf(s, AM_ENOMEM, "posting: out of memory");
	}
	/* Sorted by period first: several periods need one more sort. A
	 * person set that came after a line was added holds its person
	 * now: not asked again (a set loading beside the first batch). */
	for (size_t i = 0; i < b->n; i++) {
		if (b->e[i].tag != NO_PERSON && b->set &&
		    am_person_set_has(b->set, b->e[i].code))
			b->e[i].tag = NO_PERSON;
		if (b->e[i].tag == NO_PERSON ||
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
		err = am_store_persons_known(s, codes, n, known);
	/* The new persons, gathered in the entries' (key) order and
	 * registered by one put: their strings stay in a until then. */
	am_arena_init(&a, 1 << 16);
	if (n) {
		ps = malloc(n * sizeof(*ps));
		pp = malloc(n * sizeof(*pp));
		if (!ps || !pp)
			err = am_store_errf(s, AM_ENOMEM,
					    "posting: out of memory");
	}
	for (size_t i = 0; !err && i < b->n; i++) {
		const struct am_index_entry *e = &b->e[i];
		struct am_wage_line ln;
		struct am_person *p;
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
		if (e->tag == NO_PERSON || k == n || known[k] == 2)
			continue;
		if (known[k]) {
			known[k] = 2;
			err = join(b, e->code);
			continue;
		}
		known[k] = 2; /* registered now, or left to the registry */
		err = am_person_record_decode((const uint8_t *)b->persons.buf,
					      b->persons.len, e->tag, &a, &ln);
		if (err)
			err = am_store_errf(s, err, "posting: person record");
		if (err || !ln.sex)
			continue;
		p = &ps[np];
		memset(p, 0, sizeof(*p));
		p->national_code = am_arena_strdup(&a, ln.national_code);
		p->first_name = ln.first_name ? ln.first_name : "";
		p->last_name = ln.last_name ? ln.last_name : "";
		p->father_name = ln.father_name;
		p->birth_date = ln.birth_date == AM_WAGE_DATE_NONE
					? AM_STORE_DATE_NONE
					: ln.birth_date;
		p->sex = ln.sex;
		p->nationality = am_nationality_iso(ln.nationality);
		p->insurance_no = ln.insurance_no[0]
					  ? am_arena_strdup(&a, ln.insurance_no)
					  : NULL;
		if (!p->national_code ||
		    (ln.insurance_no[0] && !p->insurance_no))
			err = am_store_errf(s, AM_ENOMEM,
					    "posting: out of memory");
		pp[np++] = p;
		if (!err)
			err = join(b, e->code);
	}
	if (!err && np) {
		size_t added = 0;

		err = am_store_persons_ensure_bulk(
			s, (const struct am_person *const *)pp, np, &added);
		b->registering += (int64_t)added;
	}
	free(ps);
	free(pp);
	am_arena_release(&a);
	free(codes);
	free(known);
	return err;
}

static int audit_batch(struct am_post_session *b)
{
	unsigned char digest[32];
	char hex[65], ws_hex[65], payload[384];
	int n;

	crypto_generichash_final(&b->digest, digest, sizeof(digest));
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	n = snprintf(payload, sizeof(payload),
		     "{\"lists\":%" PRId64 ",\"lines\":%" PRId64
		     ",\"first_id\":%" PRId64 ",\"last_id\":%" PRId64
		     ",\"digest\":\"%s\"",
		     b->lists, b->lines, b->first_id, b->last_id, hex);
	if (b->ws_registered) {
		crypto_generichash_final(&b->ws_digest, digest, sizeof(digest));
		sodium_bin2hex(ws_hex, sizeof(ws_hex), digest, sizeof(digest));
		n += snprintf(payload + n, sizeof(payload) - (size_t)n,
			      ",\"workshops_registered\":%" PRId64
			      ",\"workshops_digest\":\"%s\"",
			      b->ws_registered, ws_hex);
		b->ws_registered = 0;
		crypto_generichash_init(&b->ws_digest, NULL, 0, 32);
	}
	snprintf(payload + n, sizeof(payload) - (size_t)n, "}");
	return am_store_audit_row(b->s, "lists.post", "", payload);
}

int am_post_register_workshop(struct am_post_session *b,
			      const struct am_workshop *w)
{
	struct am_buf json;
	int err = am_store_workshop_put_bulk(b->s, w);

	if (err)
		return err;
	am_buf_init(&json, 0);
	err = am_workshop_json(w, &json);
	if (!err)
		err = am_buf_addch(&json, '\n');
	if (!err)
		crypto_generichash_update(&b->ws_digest,
					  (const unsigned char *)json.buf,
					  json.len);
	am_buf_release(&json);
	if (err) {
		am_store_fail(b->s); /* written, not in the digest */
		return am_store_errf(b->s, err, "posting: out of memory");
	}
	b->ws_registered++;
	return 0;
}

static void digest_start(struct am_post_session *b)
{
	crypto_generichash_init(&b->digest, NULL, 0, 32);
}

static void ws_digest_start(struct am_post_session *b)
{
	b->ws_registered = 0;
	crypto_generichash_init(&b->ws_digest, NULL, 0, 32);
}

/*
 * What the postings of a transaction leave for its commit: the persons to
 * register, the by-person index (sorted here), and one audit entry for
 * the lists, whose digest covers each list's id and hash in order.
 */
static int flush(struct am_post_session *b)
{
	struct am_store *s = b->s;
	int err = 0;

	if (!b->n && !b->lists && !b->ws_registered)
		return 0;
	if (b->n && sort_entries(b->e, b->n))
		return am_store_errf(s, AM_ENOMEM, "posting: out of memory");
	err = register_persons(b);
	if (!err)
		err = am_store_index_add(s, b->e, b->n);
	if (!err && (b->lists || b->ws_registered))
		err = audit_batch(b);
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
			const struct am_list_key *old, int period)
{
	struct am_ledger_row posted, c;
	struct am_txn rev;
	struct am_arena a;
	int err;

	am_arena_init(&a, 256);
	err = am_store_ledger_get(s, old->txn, &a, &posted);
	am_arena_release(&a);
	if (err == AM_ENOT_FOUND) /* a list with nothing to assess */
		return 0;
	if (err)
		return err;
	if (posted.t.kind != AM_TXN_ASSESSMENT || posted.list_id != old->id ||
	    !am_txn_balanced(&posted.t))
		return am_store_errf(s, AM_ESTORE_CORRUPT,
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
		       int64_t id, const struct am_list_sums *t,
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
		err = am_store_audit_row(s, "list.amend", subject, b.buf);
	else
		err = am_store_errf(s, err, "list audit: out of memory");
	am_buf_release(&b);
	return err;
}

/* The new list: its row (lines packed in its body, the assessment as one
 * balanced transaction) and its lines' index entries for the commit. */
static int write_list(struct am_post_session *b, const struct am_wage_list *l,
		      const struct am_post_prep *p, am_date due_date,
		      bool state_pays_employer, const char *rules_identity,
		      const struct am_list_key *old, int64_t *id, bool *wrote)
{
	struct am_store *s = b->s;
	const struct am_list_sums *t = &p->t;
	const struct am_assessed_shares sh = { t->insured, t->employer,
					       t->state, t->unemployment,
					       t->hard_harmful };
	const int64_t *codes = p->codes;
	char account[AM_ACCOUNT_NAME_MAX];
	struct am_ledger_row c;
	struct am_txn assessment;
	struct am_list_row row;
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
		return am_store_errf(s, err,
				     "list %s/%04d/%02d/%s: totals overflow "
				     "or do not balance",
				     l->workshop, l->period.year,
				     l->period.month, l->list_no);
	row.workshop = l->workshop;
	row.year = l->period.year;
	row.month = l->period.month;
	row.period = am_period_key(l->period);
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
	row.posted_at = am_store_now(s);
	row.body = p->body;
	row.body_len = p->body_len;
	err = am_store_ledger_id(s, &row.txn);
	if (!err)
		err = am_store_list_insert(s, &row, id);
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
		err = am_store_ledger_append(s, &c);
	}
	if (err)
		return err;
	*wrote = true;
	/* The set's bits of the list's persons are fetched from memory
	 * together, not one miss after another. */
	for (size_t i = 0; b->set && i < l->nlines; i++)
		am_person_set_prefetch(b->set, codes[i]);
	for (size_t i = 0; !err && i < l->nlines; i++)
		err = batch_add(b, p->persons + p->person_at[i],
				p->person_at[i + 1] - p->person_at[i], codes[i],
				*id, p->offsets[i], row.period);
	if (err)
		return err;
	crypto_generichash_update(&b->digest, (const unsigned char *)id,
				  sizeof(*id));
	crypto_generichash_update(&b->digest, l->hash, 32);
	b->lists++;
	b->lines += (int64_t)l->nlines;
	if (!b->first_id)
		b->first_id = *id;
	b->last_id = *id;
	if (b->n >= FLUSH_ENTRIES) {
		err = flush(b);
		digest_start(b);
	}
	return err;
}

/*
 * The session.
 */

int am_post_session_new(struct am_store *s, struct am_post_session **out)
{
	struct am_post_session *b = calloc(1, sizeof(*b));

	if (!b || am_post_prep_new(&b->prep)) {
		free(b);
		return am_store_errf(s, AM_ENOMEM, "posting: out of memory");
	}
	b->s = s;
	am_buf_init(&b->persons, UINT32_MAX);
	*out = b;
	return 0;
}

/* Forget what the transaction gathered (after its commit or rollback). */
static void reset(struct am_post_session *b)
{
	b->n = 0;
	am_buf_clear(&b->persons);
	b->lists = b->lines = b->first_id = b->last_id = 0;
	b->njoined = 0;
	b->registering = 0;
	ws_digest_start(b);
}

void am_post_session_free(struct am_post_session *b)
{
	if (!b)
		return;
	if (am_store_in_transaction(b->s))
		am_store_rollback(b->s);
	free(b->e);
	free(b->joined);
	am_buf_release(&b->persons);
	am_post_prep_free(b->prep);
	free(b);
}

void am_post_session_use_person_set(struct am_post_session *b,
				    struct am_person_set *set)
{
	b->set = set;
}

int am_post_begin(struct am_post_session *b)
{
	int err = am_store_begin(b->s);

	reset(b);
	if (!err)
		digest_start(b);
	return err;
}

int am_post_commit(struct am_post_session *b)
{
	int err = 0;

	if (!am_store_in_transaction(b->s))
		return am_store_commit(b->s); /* its error: none is open */
	if (!am_store_failed(b->s))
		err = flush(b);
	if (err)
		am_store_rollback(b->s);
	else
		err = am_store_commit(b->s); /* rolls back when it fails */
	/* Only a commit makes them so: a rolled-back registration is not
	 * one. */
	for (size_t i = 0; !err && b->set && i < b->njoined; i++)
		am_person_set_add(b->set, b->joined[i]);
	if (!err)
		b->registered += b->registering;
	reset(b);
	return err;
}

int am_post_rollback(struct am_post_session *b)
{
	reset(b);
	return am_store_rollback(b->s);
}

bool am_post_in_transaction(const struct am_post_session *b)
{
	return am_store_in_transaction(b->s);
}

int64_t am_post_session_registered(const struct am_post_session *b)
{
	return b->registered;
}

/* The decision, inside the session's transaction. A new key (the usual
 * case) is written at once: the row's unique key finds an earlier list in
 * the same descent, and only then is it read. */
static int post(struct am_post_session *b, const struct am_wage_list *l,
		const struct am_post_prep *p, am_date due_date,
		bool state_pays_employer, const char *rules_identity,
		bool amend, int *outcome)
{
	struct am_store *s = b->s;
	struct am_list_key old;
	int64_t id = 0;
	int result = AM_POST_POSTED;
	bool wrote = false;
	int err = am_store_posting_mode(s);

	memset(&old, 0, sizeof(old));
	if (!err && !amend) {
		err = write_list(b, l, p, due_date, state_pays_employer,
				 rules_identity, &old, &id, &wrote);
		if (err != AM_EIDEMPOTENCY_CONFLICT)
			goto out;
	}
	if (!err || err == AM_EIDEMPOTENCY_CONFLICT)
		err = am_store_list_key(s, l->workshop,
					am_period_key(l->period), l->list_no,
					&old);
	if (err)
		goto out;
	if (old.found && old.posted && !sodium_memcmp(old.hash, l->hash, 32)) {
		result = AM_POST_UNCHANGED;
		goto out;
	}
	if (old.found && old.posted && !amend) {
		result = AM_POST_REFUSED_CONFLICT;
		goto out;
	}
	/* The first write: the ledger's reversal when amending, else the
	 * list's row, which refuses an unknown workshop. */
	if (old.found && old.posted) {
		result = AM_POST_AMENDED;
		wrote = true;
		err = reverse_list(s, l, &old, am_period_key(l->period));
		if (!err)
			err = am_store_list_supersede(s, old.id);
		if (err)
			goto out;
	}
	err = write_list(b, l, p, due_date, state_pays_employer, rules_identity,
			 &old, &id, &wrote);
	if (!err && result == AM_POST_AMENDED)
		err = audit_amend(s, l, id, &p->t, rules_identity, old.id);
out:
	/* No savepoint per list (a savepoint copies every page a list
	 * touches before its first change, which cost more than the writes
	 * themselves: docs/storage.md, "Posting"). Every refusal is found
	 * before the first write; a failure after it leaves only a
	 * rollback. */
	if (err && wrote)
		am_store_fail(s);
	if (!err)
		*outcome = result;
	return err;
}

int am_post_prepared(struct am_post_session *b, const struct am_wage_list *l,
		     const struct am_post_prep *p, am_date due_date,
		     bool state_pays_employer, const char *rules_identity,
		     bool amend, int *outcome)
{
	struct am_store *s = b->s;
	bool own;
	int err;

	if (p->nlines != l->nlines || memcmp(p->hash, l->hash, 32) != 0)
		return am_store_errf(s, AM_EINVALID_ARGUMENT,
				     "list %s/%04d/%02d/%s: prepared from "
				     "another list",
				     l->workshop, l->period.year,
				     l->period.month, l->list_no);
	if (p->err)
		return am_store_errf(s, p->err, "%s", p->errmsg);
	if (am_store_failed(s))
		return am_store_errf(s, AM_ESTORE_SQL,
				     "the transaction was aborted by a failure "
				     "that could not be undone; roll it back");
	/* Outside a transaction the list is its own. */
	own = !am_store_in_transaction(s);
	if (own && (err = am_post_begin(b)) != 0)
		return err;
	err = post(b, l, p, due_date, state_pays_employer, rules_identity,
		   amend, outcome);
	if (own && !err)
		err = am_post_commit(b);
	else if (own)
		am_post_rollback(b);
	return err;
}

int am_post_list(struct am_post_session *b, const struct am_wage_list *l,
		 const struct am_line_assessment *a, am_date due_date,
		 bool state_pays_employer, const char *rules_identity,
		 bool amend, int *outcome)
{
	/* Its refusal, if any, is the posting's to report. */
	(void)am_post_prepare(b->prep, l, a, rules_identity);
	return am_post_prepared(b, l, b->prep, due_date, state_pays_employer,
				rules_identity, amend, outcome);
}

/*
 * Migrated months and payments: a unit of their own, or of the caller's
 * transaction.
 */

/* A transaction of its own outside the caller's, else nothing or (with
 * savepoint) a savepoint. */
static int unit_begin(struct am_store *s, bool savepoint, bool *own)
{
	*own = !am_store_in_transaction(s);
	if (*own)
		return am_store_begin(s);
	return savepoint ? am_store_unit_begin(s) : 0;
}

static int unit_end(struct am_store *s, bool savepoint, bool own, int err)
{
	if (!own)
		return savepoint ? am_store_unit_end(s, err) : err;
	if (err) {
		am_store_rollback(s);
		return err;
	}
	return am_store_commit(s);
}

int am_post_history_row(struct am_store *s, const struct am_history_row *r,
			int *outcome)
{
	struct am_history_row old;
	bool existed = false, own;
	int err;

	if (empty(r->national_code) || empty(r->workshop) ||
	    !period_ok(r->period))
		return bad_key(s, "national code, workshop or period");
	err = unit_begin(s, false, &own);
	if (err)
		return err;
	err = am_store_history_insert(s, r, &existed, &old);
	if (!err && existed &&
	    (old.days != r->days || old.subject_wage != r->subject_wage ||
	     old.hard_harmful_days != r->hard_harmful_days))
		err = am_store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				    "history %s %04d/%02d %s was imported "
				    "with other figures",
				    r->national_code, r->period.year,
				    r->period.month, r->workshop);
	err = unit_end(s, false, own, err);
	if (!err)
		*outcome = existed ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return err;
}

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
		err = am_store_audit_row(s, "payment.post", p->reference,
					 b.buf);
	else
		err = am_store_errf(s, err, "payment audit: out of memory");
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
	err = am_employer_statement_read(s, workshop, &a, &st);
	if (err == AM_ENOT_FOUND) { /* nothing assessed yet */
		err = 0;
		st.nentries = 0;
		st.entries = NULL;
	}
	if (!err && am_ledger_due(st.entries, st.nentries, period, due))
		err = am_store_errf(s, AM_EMONEY_OVERFLOW,
				    "workshop %s: the period's debt overflows",
				    workshop);
	am_arena_release(&a);
	return err;
}

static int payment_write(struct am_store *s, struct am_payment *p)
{
	struct am_ledger_row c;
	struct am_txn txn;
	am_money due = 0;
	int64_t id = 0;
	int err;

	err = period_due(s, p->workshop, p->period, &due);
	if (!err && am_ledger_payment(p->workshop, p->amount, due, &txn,
				      &p->matched, &p->unmatched))
		err = am_store_errf(s, AM_EINVALID_ARGUMENT,
				    "payment %s: not a payment", p->reference);
	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	c.period = am_period_key(p->period);
	c.workshop = p->workshop;
	c.payment_ref = p->reference;
	c.value_date = p->paid_on;
	c.due_date = AM_DATE_NONE;
	err = ledger_post(s, &txn, &c, &id);
	if (!err)
		err = am_store_payment_insert(s, p, id);
	if (!err)
		err = audit_payment(s, p);
	return err;
}

int am_post_payment(struct am_store *s, struct am_payment *p, int *outcome)
{
	struct am_payment_row old;
	struct am_payment w;
	bool own;
	int err;

	memset(&old, 0, sizeof(old));
	if (empty(p->reference) || empty(p->workshop) || !period_ok(p->period))
		return bad_key(s, "reference, workshop or period");
	if (p->amount <= 0 || !digits10(p->workshop))
		return am_store_errf(s, AM_EINVALID_ARGUMENT,
				     "payment %s: the amount must be above "
				     "zero and the workshop 10 digits",
				     p->reference);
	err = unit_begin(s, true, &own);
	if (err)
		return err;
	w = *p;
	err = am_store_payment_find(s, p->reference, &old);
	if (err || !old.found) {
		if (!err)
			err = payment_write(s, &w);
		goto out_unit;
	}
	if (strcmp(old.workshop, p->workshop) != 0 ||
	    old.period != am_period_key(p->period) || old.amount != p->amount ||
	    old.paid_on != p->paid_on) {
		err = am_store_errf(s, AM_EIDEMPOTENCY_CONFLICT,
				    "payment reference '%s' was used for "
				    "another payment",
				    p->reference);
		goto out_unit;
	}
	w.matched = old.matched;
	w.unmatched = old.unmatched;
out_unit:
	err = unit_end(s, true, own, err);
	if (err)
		return err;
	p->matched = w.matched;
	p->unmatched = w.unmatched;
	*outcome = old.found ? AM_POST_UNCHANGED : AM_POST_POSTED;
	return 0;
}
