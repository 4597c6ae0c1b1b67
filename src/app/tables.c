/* amanat's tabular imports: the registry (persons, employers, workshops,
 * dependants), legacy histories and bank payments, from CSV (and JSON for
 * the registry). A file is checked whole before anything is written, then
 * written in batches, each row an idempotent upsert; a registry batch is
 * written with the store's bulk puts and one audit entry, by a thread of
 * its own while the next batch is merged from the sorted runs. */
#include "core/internal.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>

#include "amanat/app.h"
#include "amanat/csv.h"
#include "amanat/date.h"
#include "amanat/ident.h"
#include "amanat/posting.h"
#include "amanat/progress.h"
#include "amanat/text.h"

enum kind {
	PERSONS,
	EMPLOYERS,
	WORKSHOPS,
	DEPENDANTS,
	HISTORY,
	PAYMENTS,
	NKINDS
};

#define MAX_COLS 12

struct kind_spec {
	const char *name;
	const char *key; /* the column that tells this kind */
	const char *cols[MAX_COLS];
	unsigned required; /* bit i: cols[i] is required */
};

static const struct kind_spec kinds[NKINDS] = {
	[PERSONS] = { "persons",
		      "first_name",
		      { "national_code", "first_name", "last_name",
			"father_name", "birth_date", "sex", "nationality",
			"insurance_no" },
		      0x1 | 0x2 | 0x4 | 0x20 },
	[EMPLOYERS] = { "employers",
			"kind",
			{ "id", "kind", "name", "address", "phone" },
			0x1 | 0x2 | 0x4 },
	[WORKSHOPS] = { "workshops",
			"employer_id",
			{ "code", "name", "employer_id", "address", "province",
			  "branch", "activity", "scheme", "hard_harmful",
			  "small_exempt" },
			0x1 | 0x2 | 0x4 },
	[DEPENDANTS] = { "dependants",
			 "main_insured",
			 { "main_insured", "dependant", "relation", "since",
			   "until" },
			 0x1 | 0x2 | 0x4 | 0x8 },
	[HISTORY] = { "history",
		      "subject_wage",
		      { "national_code", "period", "workshop", "days",
			"subject_wage", "hard_harmful" },
		      0x1 | 0x2 | 0x4 | 0x8 | 0x10 },
	[PAYMENTS] = { "payments",
		       "reference",
		       { "workshop", "period", "amount", "date", "reference" },
		       0x1 | 0x2 | 0x4 | 0x8 | 0x10 },
};

/* Rows per write transaction. */
#define BATCH 10000
/* Registry rows per write transaction and per sorted run (about 200 MB of
 * records; the merge holds two batches, one written while the next is
 * merged): fewer commits, and fewer runs to merge. AMANAT_REGISTRY_BATCH
 * sets another size (1 to the most), for a machine short of memory or a
 * test of batch edges. */
#define REGISTRY_BATCH 500000
#define REGISTRY_BATCH_MOST 5000000

struct row_ctx {
	const char *path;
	unsigned line;
	struct am_diags *diags;
	struct am_arena *arena;
	struct am_buf *scratch; /* for text(): one buffer for every field */
	size_t problems;
};

static void problem(struct row_ctx *rc, int code, const char *field,
		    const char *value, const char *expected)
{
	rc->problems++;
	am_diags_add(rc->diags, code, rc->path, rc->line, field, value,
		     expected);
}

/* A field's text, normalised; NULL when empty. */
static const char *text(struct row_ctx *rc, const char *raw)
{
	struct am_buf *b = rc->scratch;

	am_buf_clear(b);
	if (!*raw || am_text_normalize(raw, strlen(raw), b) != 0)
		return NULL;
	return b->len ? am_arena_strndup(rc->arena, b->buf, b->len) : NULL;
}

static const char *need(struct row_ctx *rc, const char *raw, const char *field)
{
	const char *t = text(rc, raw);

	if (!t)
		problem(rc, AM_EREGISTRY_MISSING_VALUE, field, raw, NULL);
	return t;
}

static const char *code_field(struct row_ctx *rc, const char *raw,
			      const char *field,
			      int (*check)(const char *, size_t, char *),
			      size_t size, const char *expected)
{
	char out[32];
	int err = check(raw, strlen(raw), out);

	assert(size <= sizeof(out));
	if (err) {
		problem(rc, err, field, raw, expected);
		return NULL;
	}
	return am_arena_strndup(rc->arena, out, strlen(out));
}

static int check_national(const char *s, size_t len, char *out)
{
	return am_national_code_check(s, len, out);
}

static int check_workshop(const char *s, size_t len, char *out)
{
	return am_workshop_code_check(s, len, out);
}

static int check_insurance(const char *s, size_t len, char *out)
{
	return am_insurance_no_check(s, len, out);
}

/* An employer id: a national code (natural person) or a legal id. */
static int check_employer_id(const char *s, size_t len, char *out)
{
	int err = am_legal_id_check(s, len, out);

	if (err == AM_ELEGALID_LENGTH)
		err = am_national_code_check(s, len, out);
	return err;
}

static am_date date_field(struct row_ctx *rc, const char *raw,
			  const char *field, bool required)
{
	am_date d;
	int err;

	if (!*raw) {
		if (required)
			problem(rc, AM_EREGISTRY_MISSING_VALUE, field, raw,
				"1403/01/01");
		return AM_STORE_DATE_NONE;
	}
	err = am_jalali_parse(raw, strlen(raw), &d);
	if (err) {
		problem(rc, err, field, raw, "1403/01/01");
		return AM_STORE_DATE_NONE;
	}
	return d;
}

static bool bool_field(struct row_ctx *rc, const char *raw, const char *field)
{
	if (!*raw || !strcmp(raw, "0") || !strcmp(raw, "false"))
		return false;
	if (!strcmp(raw, "1") || !strcmp(raw, "true"))
		return true;
	problem(rc, AM_EREGISTRY_BAD_BOOL, field, raw, "0, 1");
	return false;
}

static char sex_field(struct row_ctx *rc, const char *raw)
{
	const char *t = text(rc, raw);

	if (t && (!strcmp(t, "M") || !strcmp(t, "مرد")))
		return 'M';
	if (t && (!strcmp(t, "F") || !strcmp(t, "زن")))
		return 'F';
	problem(rc, AM_EREGISTRY_BAD_SEX, "sex", raw, "M, F, مرد, زن");
	return 0;
}

/* Persian nationality words to ISO 3166 alpha-3; an unknown word is kept. */
static const char *nationality(struct row_ctx *rc, const char *raw)
{
	const char *t = text(rc, raw);
	const char *iso = am_nationality_iso(t);

	return iso ? iso : t;
}

/* One parsed record of any kind. */
union record {
	struct am_person p;
	struct am_employer e;
	struct am_workshop w;
	struct am_dependant d;
	struct am_history_row h;
	struct am_payment pay;
};

static struct am_period period_field(struct row_ctx *rc, const char *raw,
				     const char *field)
{
	struct am_period p = { 0, 0 };

	if (am_period_parse(raw, strlen(raw), &p) != 0)
		problem(rc, AM_EDATE_SYNTAX, field, raw, "1403/07");
	return p;
}

/* A whole number in 0..max, digits of any script. */
static int64_t int_field(struct row_ctx *rc, const char *raw, const char *field,
			 int64_t max)
{
	am_money v = 0;
	char expected[32];

	if (am_money_parse(raw, strlen(raw), &v) != 0 || v < 0 || v > max) {
		snprintf(expected, sizeof(expected), "0..%lld", (long long)max);
		problem(rc, AM_ENUMBER_SYNTAX, field, raw, expected);
		return 0;
	}
	return v;
}

static void parse_row(enum kind k, char **f, const int *col, struct row_ctx *rc,
		      union record *r)
{
	static const char empty[] = "";
#define F(i) (col[i] >= 0 ? f[col[i]] : (char *)empty)
	memset(r, 0, sizeof(*r));
	switch (k) {
	case PERSONS:
		r->p.national_code = code_field(rc, F(0), "national_code",
						check_national, 11,
						"10 digits");
		r->p.first_name = need(rc, F(1), "first_name");
		r->p.last_name = need(rc, F(2), "last_name");
		r->p.father_name = text(rc, F(3));
		r->p.birth_date = date_field(rc, F(4), "birth_date", false);
		r->p.sex = sex_field(rc, F(5));
		r->p.nationality = nationality(rc, F(6));
		r->p.insurance_no = *F(7) ? code_field(rc, F(7), "insurance_no",
						       check_insurance, 11,
						       "8 or 10 digits")
					  : NULL;
		break;
	case EMPLOYERS:
		r->e.id = code_field(rc, F(0), "id", check_employer_id, 12,
				     "national code or legal id");
		if (am_employer_kind_parse(F(1), &r->e.kind) != 0)
			problem(rc, AM_EREGISTRY_BAD_EMPLOYER_KIND, "kind",
				F(1), "person, legal");
		else if (r->e.id && (strlen(r->e.id) == 11) !=
					    (r->e.kind == AM_EMPLOYER_LEGAL))
			problem(rc, AM_EREGISTRY_BAD_EMPLOYER_KIND, "kind",
				F(1),
				strlen(r->e.id) == 11 ? "legal" : "person");
		r->e.name = need(rc, F(2), "name");
		r->e.address = text(rc, F(3));
		r->e.phone = text(rc, F(4));
		break;
	case WORKSHOPS:
		r->w.code = code_field(rc, F(0), "code", check_workshop, 11,
				       "10 digits");
		r->w.name = need(rc, F(1), "name");
		r->w.employer_id = code_field(rc, F(2), "employer_id",
					      check_employer_id, 12,
					      "national code or legal id");
		r->w.address = text(rc, F(3));
		r->w.province = text(rc, F(4));
		r->w.branch = text(rc, F(5));
		r->w.activity = text(rc, F(6));
		r->w.scheme = text(rc, F(7));
		r->w.hard_harmful = bool_field(rc, F(8), "hard_harmful");
		r->w.small_exempt = bool_field(rc, F(9), "small_exempt");
		break;
	case HISTORY: {
		am_date last = 0;

		r->h.national_code = code_field(rc, F(0), "national_code",
						check_national, 11,
						"10 digits");
		r->h.period = period_field(rc, F(1), "period");
		r->h.workshop = code_field(rc, F(2), "workshop", check_workshop,
					   11, "10 digits");
		r->h.days = (int)int_field(rc, F(3), "days", 31);
		r->h.subject_wage = int_field(rc, F(4), "subject_wage",
					      INT64_MAX / 4);
		r->h.hard_harmful_days = (int)int_field(
			rc, *F(5) ? F(5) : "0", "hard_harmful", r->h.days);
		if (r->h.period.year &&
		    am_period_last_day(r->h.period, &last) == 0) {
			struct am_ymd d;

			am_date_to_jalali(last, &d);
			if (r->h.days > d.day) {
				char want[16];

				snprintf(want, sizeof(want), "0..%d", d.day);
				problem(rc, AM_ENUMBER_SYNTAX, "days", F(3),
					want);
			}
		} else if (r->h.period.year) {
			problem(rc, AM_EDATE_RANGE, "period", F(1), "1403/07");
		}
		break;
	}
	case PAYMENTS:
		r->pay.workshop = code_field(rc, F(0), "workshop",
					     check_workshop, 11, "10 digits");
		r->pay.period = period_field(rc, F(1), "period");
		r->pay.amount = int_field(rc, F(2), "amount", INT64_MAX / 4);
		if (!r->pay.amount && *F(2))
			problem(rc, AM_ENUMBER_SYNTAX, "amount", F(2), "> 0");
		r->pay.paid_on = date_field(rc, F(3), "date", true);
		r->pay.reference = need(rc, F(4), "reference");
		break;
	case DEPENDANTS:
		r->d.main_insured = code_field(rc, F(0), "main_insured",
					       check_national, 11, "10 digits");
		r->d.dependant = code_field(rc, F(1), "dependant",
					    check_national, 11, "10 digits");
		if (am_relation_parse(F(2), &r->d.relation) != 0)
			problem(rc, AM_EREGISTRY_BAD_RELATION, "relation", F(2),
				"spouse, child, father, mother");
		r->d.since = date_field(rc, F(3), "since", true);
		r->d.until = date_field(rc, F(4), "until", false);
		/* The schema refuses these too, but only in the write pass,
		 * after earlier batches are in. */
		if (r->d.main_insured && r->d.dependant &&
		    !strcmp(r->d.main_insured, r->d.dependant))
			problem(rc, AM_EREGISTRY_SELF_DEPENDANT, "dependant",
				F(1), NULL);
		if (r->d.until != AM_STORE_DATE_NONE &&
		    r->d.since != AM_STORE_DATE_NONE &&
		    r->d.until < r->d.since) {
			char want[48];

			snprintf(want, sizeof(want), ">= %s", F(3));
			problem(rc, AM_EREGISTRY_DATE_ORDER, "until", F(4),
				want);
		}
		break;
	default:
		break;
	}
#undef F
}

/* References to other registry rows must already be in the database. */
struct pass;
static bool known_key(struct pass *ps, const char *key);
static bool in_person_set(struct pass *ps, const char *code);
static void person_set_prefetch(struct pass *ps, const char *const *codes,
				size_t n);

static int check_refs(struct am_store *s, struct pass *ps, enum kind k,
		      const union record *r, struct row_ctx *rc)
{
	struct am_arena a;
	int err = 0;

	am_arena_init(&a, 1024);
	if (k == PAYMENTS && r->pay.workshop) {
		struct am_workshop w;

		err = am_store_workshop_get(s, r->pay.workshop, &a, &w);
		if (err == AM_ENOT_FOUND) {
			problem(rc, AM_EWAGE_UNKNOWN_WORKSHOP, "workshop",
				r->pay.workshop, NULL);
			err = 0;
		}
	} else if (k == WORKSHOPS && r->w.employer_id &&
		   !known_key(ps, r->w.employer_id)) {
		struct am_employer e;

		err = am_store_employer_get(s, r->w.employer_id, &a, &e);
		if (err == AM_ENOT_FOUND) {
			problem(rc, AM_EREGISTRY_UNKNOWN_EMPLOYER,
				"employer_id", r->w.employer_id, NULL);
			err = 0;
		}
	} else if (k == DEPENDANTS) {
		const char *who[2] = { r->d.main_insured, r->d.dependant };
		const char *field[2] = { "main_insured", "dependant" };

		person_set_prefetch(ps, who, 2);
		for (int i = 0; i < 2 && !err; i++) {
			struct am_person p;

			if (!who[i] || known_key(ps, who[i]) ||
			    in_person_set(ps, who[i]))
				continue;
			err = am_store_person_get(s, who[i], &a, &p);
			if (err == AM_ENOT_FOUND) {
				problem(rc, AM_EREGISTRY_UNKNOWN_PERSON,
					field[i], who[i], NULL);
				err = 0;
			}
		}
	}
	am_arena_release(&a);
	return err;
}

/* A history or payment row, written at once. */
static int put(struct am_store *s, enum kind k, const union record *r)
{
	switch (k) {
	case HISTORY: {
		int outcome;

		return am_post_history_row(s, &r->h, &outcome);
	}
	case PAYMENTS: {
		union record copy = *r;
		int outcome;

		return am_post_payment(s, &copy.pay, &outcome);
	}
	default:
		return AM_EINTERNAL;
	}
}

/* Read the header: which kind, and where each known column is. */
static int read_header(const char *path, size_t nf, char **f, unsigned allowed,
		       enum kind *k, int col[MAX_COLS], struct am_diags *diags)
{
	size_t problems = 0;
	char expected[128] = "";

	*k = NKINDS;
	for (int i = 0; i < NKINDS; i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (am_csv_column(nf, f, kinds[i].key) >= 0)
			*k = (enum kind)i;
		snprintf(expected + strlen(expected),
			 sizeof(expected) - strlen(expected), "%s%s",
			 expected[0] ? ", " : "", kinds[i].key);
	}
	if (*k == NKINDS) {
		am_diags_add(diags, AM_EREGISTRY_KIND, path, 1, NULL, f[0],
			     expected);
		return AM_EINVALID_ARGUMENT;
	}
	for (int i = 0; i < MAX_COLS; i++) {
		const char *name = kinds[*k].cols[i];

		col[i] = name ? am_csv_column(nf, f, name) : -1;
		if (name && col[i] < 0 && (kinds[*k].required & (1u << i))) {
			am_diags_add(diags, AM_EREGISTRY_MISSING_COLUMN, path,
				     1, name, NULL, NULL);
			problems++;
		}
	}
	for (size_t j = 0; j < nf; j++) {
		bool known = false;

		for (int i = 0; i < MAX_COLS && kinds[*k].cols[i]; i++)
			known |= col[i] == (int)j;
		if (!known) {
			am_diags_add(diags, AM_EREGISTRY_UNKNOWN_COLUMN, path,
				     1, f[j], NULL, NULL);
			problems++;
		}
	}
	return problems ? AM_EINVALID_ARGUMENT : 0;
}

/* A registry record held in the write pass's batch until it is written. */
struct pending {
	union record r;
	unsigned line;
	bool written;
};

/* A pending record's place in the write order: the table's key. */
struct write_order {
	uint64_t k1, k2; /* the keys packed, to compare as numbers */
	const char *key, *key2;
	unsigned line;
	struct pending *p;
};

/* A key of digits (checked: at most 11) as a number in the order of its
 * text: a nibble per digit, 1 to 10, from the top; the end is 0, so a
 * prefix comes first, as in the table's text order. */
static uint64_t key_pack(const char *s)
{
	uint64_t v = 0;

	for (unsigned i = 0; s && i < 15 && s[i]; i++) {
		assert(s[i] >= '0' && s[i] <= '9');
		v |= (uint64_t)(s[i] - '0' + 1) << (60 - 4 * i);
	}
	return v;
}

static void write_order_keys(struct write_order *o, const char *key,
			     const char *key2)
{
	o->key = key;
	o->key2 = key2;
	o->k1 = key_pack(key);
	o->k2 = key_pack(key2);
}

/* One sorted run of a kind longer than a batch, in a temporary file, and
 * its next record (encoded in buf; key and key2 point into it). A kind no
 * longer than a batch is one run in memory: f is NULL, and its records
 * are read in place from the gathered ones, in their sorted order. */
struct run {
	FILE *f;
	const struct gather *mem;
	size_t next; /* mem's */
	unsigned char *buf;
	size_t len, alloc;
	struct write_order at;
	unsigned line_base; /* added to its lines: a later part's (csv_pass) */
};

/* The records gathered for the next run, encoded back to back in file
 * order (record_encode()), and their keys, v each one's offset in enc:
 * sorted when the run is made, by the keys and then the offset, so a
 * repeated key keeps the file's order. */
#define GATHER_CAP ((size_t)1 << 40) /* the batch's size is the bound */

struct gather {
	struct am_buf enc;
	struct am__sortkey *keys, *tmp;
	size_t n;
};

/* A registry batch: its records, all of one kind, in file order; their
 * write order (the table's key), sorted before it is written; and their
 * strings. */
struct batch {
	struct pending *rec;
	struct write_order *order;
	const void **ptrs; /* the records in order, for one put */
	size_t n;
	enum kind kind;
	struct am_arena arena;
	/* The hash of all its records (batch_hash()), made before it is
	 * written: the audit entry's when every record is written. */
	char hash[2 * crypto_generichash_BYTES + 1];
};

/* What writes the batches and what only it touches while it writes: the
 * store, the counts, the diagnostics of refused rows and the write's bar.
 * The caller's thread, or the merge's writer thread (struct pipe). */
struct batch_writer {
	struct am_store *s;
	const char *path;
	struct am_import_stats *st;
	struct am_diags *diags;
	bool checked; /* a CSV's dependants, checked as read: begin_checked */
	size_t problems;	/* rows the store refused */
	size_t wdone;		/* records written, in 4,096s */
	struct am_progress bar; /* the write's */
	struct am_buf json;	/* a record's encoding, for a hash made again */
};

/* Where a pass is: checking every record (write false) or writing them in
 * batches (write true). */
struct pass {
	struct am_store *s;
	const char *path;
	unsigned allowed; /* bit per kind the file may hold */
	bool write;
	/* A registry CSV is read once: its records are checked and, while
	 * none has a problem, gathered into sorted runs as they are read;
	 * the write is the runs' merge (no second reading of the file). */
	bool gather;
	bool multi; /* a JSON file: its kinds may refer to each other */
	struct am_import_stats *st;
	struct am_diags *diags;
	size_t problems;
	size_t in_batch;
	struct am_buf scratch; /* text() */
	/* Keys defined earlier in the same file (a JSON file may hold the
	 * employers its workshops name): sorted when looked up. */
	char (*keys)[12];
	size_t nkeys, keys_alloc;
	bool keys_sorted;
	/* The batch the merge fills (its arena also holds the strings of
	 * the record being read); batch_kind is what the runs hold. */
	struct batch *b;
	struct batch bufs[2]; /* a merge fills one while the other is written */
	size_t batch_size;
	enum kind batch_kind;
	struct am_buf json; /* one record's encoding, for a run or the hash */
	/* The records gathered, and the sorted runs made of them, to
	 * merge into batches. */
	struct gather g;
	struct run *runs;
	size_t nruns, runs_alloc;
	/* The registered persons, for a large file of dependants: a bit
	 * each, where a lookup in the database costs a B-tree page. */
	struct am_person_set *persons;
	bool persons_tried;
	size_t gathered; /* records gathered, to be written */
	struct batch_writer w;
	struct pipe *pipe; /* during a merge: the writer thread */
};

static int key_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void remember_key(struct pass *ps, const char *key)
{
	if (!key || ps->write || !ps->multi)
		return;
	if (ps->nkeys == ps->keys_alloc) {
		size_t alloc = ps->keys_alloc ? ps->keys_alloc * 2 : 256;
		char(*p)[12] = realloc(ps->keys, alloc * sizeof(*p));

		if (!p)
			return; /* then the reference is checked in the store */
		ps->keys = p;
		ps->keys_alloc = alloc;
	}
	am__strlcpy(ps->keys[ps->nkeys++], key, 12);
	ps->keys_sorted = false;
}

static bool known_key(struct pass *ps, const char *key)
{
	if (!ps->nkeys)
		return false;
	if (!ps->keys_sorted) {
		qsort(ps->keys, ps->nkeys, sizeof(*ps->keys), key_cmp);
		ps->keys_sorted = true;
	}
	return bsearch(key, ps->keys, ps->nkeys, sizeof(*ps->keys), key_cmp);
}

/* A file of dependants this large asks the set, not the database, whether
 * their persons are registered (a national file: 23 million rows, each
 * naming two persons). */
#define PERSON_SET_FILE (8u << 20)

static bool in_person_set(struct pass *ps, const char *code)
{
	uint64_t v;

	if (!ps->persons_tried) {
		struct stat sb;

		ps->persons_tried = true;
		/* Without the set (a small file, or no memory for it), each
		 * person is looked up in the database. */
		if (stat(ps->path, &sb) == 0 && sb.st_size >= PERSON_SET_FILE &&
		    am_store_person_set_load(ps->s, 0, &ps->persons) != 0)
			ps->persons = NULL;
	}
	/* Not in the set (a code with a wrong check digit is never there):
	 * the database says. */
	return ps->persons && am__parse_uint(code, strlen(code), &v) &&
	       am_person_set_has(ps->persons, (int64_t)v);
}

/* The set's bits of n codes asked for at once, before they are looked
 * at: each is a read at random in 119 MiB, and together their misses
 * overlap. */
static void person_set_prefetch(struct pass *ps, const char *const *codes,
				size_t n)
{
	uint64_t v;

	(void)in_person_set(ps, ""); /* the set, loaded if it is to be */
	for (size_t i = 0; ps->persons && i < n; i++)
		if (codes[i] && am__parse_uint(codes[i], strlen(codes[i]), &v))
			am_person_set_prefetch(ps->persons, (int64_t)v);
}

static bool is_registry(enum kind k)
{
	return k == PERSONS || k == EMPLOYERS || k == WORKSHOPS ||
	       k == DEPENDANTS;
}

/* Rows of one key in file order, so that the last of them is written last
 * and wins, as it would row by row. */
static int write_order_cmp(const void *a, const void *b)
{
	const struct write_order *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int put_bulk(struct am_store *s, enum kind k, const union record *r,
		    struct am_import_stats *st)
{
	switch (k) {
	case PERSONS:
		st->persons++;
		return am_store_person_put_bulk(s, &r->p);
	case EMPLOYERS:
		st->employers++;
		return am_store_employer_put_bulk(s, &r->e);
	case WORKSHOPS:
		st->workshops++;
		return am_store_workshop_put_bulk(s, &r->w);
	case DEPENDANTS:
		st->dependants++;
		return am_store_dependant_put_bulk(s, &r->d);
	default:
		return AM_EINTERNAL;
	}
}

static int record_json(enum kind k, const union record *r, struct am_buf *b)
{
	switch (k) {
	case PERSONS:
		return am_person_json(&r->p, b);
	case EMPLOYERS:
		return am_employer_json(&r->e, b);
	case WORKSHOPS:
		return am_workshop_json(&r->w, b);
	case DEPENDANTS:
		return am_dependant_json(&r->d, b);
	default:
		return AM_EINTERNAL;
	}
}

/* The batch's audit entry: which rows of which file it wrote (a slice of
 * the file's rows in key order: from its first key and row to its last),
 * how many of each kind, and the BLAKE2b-256 of the records written, in
 * that order, each as its JSON encoding and a newline (docs/storage.md). */
/* ,"first":{"key":"…","row":N}: a dependant's key is "main/dependant". */
static int bound_json(struct am_buf *b, const char *name,
		      const struct write_order *o)
{
	int err = am_buf_addf(b, ",\"%s\":{\"key\":\"%s%s%s\",\"row\":%u}",
			      name, o->key, o->key2 ? "/" : "",
			      o->key2 ? o->key2 : "", o->line);

	return err;
}

/* The hash of the batch's records in order, as hex: of every one, or
 * (written_only) of those written. */
static int batch_hash(const struct batch *b, bool written_only,
		      struct am_buf *json,
		      char hex[2 * crypto_generichash_BYTES + 1])
{
	crypto_generichash_state h;
	uint8_t digest[crypto_generichash_BYTES];
	int err = 0;

	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	for (size_t i = 0; i < b->n && !err; i++) {
		if (written_only && !b->order[i].p->written)
			continue;
		err = record_json(b->kind, &b->order[i].p->r, json);
		if (!err)
			err = am_buf_addch(json, '\n');
		if (!err)
			crypto_generichash_update(
				&h, (const unsigned char *)json->buf,
				json->len);
	}
	if (err)
		return err;
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(hex, 2 * crypto_generichash_BYTES + 1, digest,
		       sizeof(digest));
	return 0;
}

/* The entry, with the hash made before the write when every record was
 * written, else made again over those that were. */
static int batch_audit(struct batch_writer *w, const struct batch *b,
		       size_t written, size_t refused)
{
	char hex[2 * crypto_generichash_BYTES + 1];
	struct am_buf payload;
	int err = 0;

	assert(written + refused == b->n);
	if (refused)
		err = batch_hash(b, true, &w->json, hex);
	else
		memcpy(hex, b->hash, sizeof(hex));
	if (err)
		return err;
	am_buf_init(&payload, 0);
	err = am_buf_adds(&payload, "{\"file\":");
	if (!err)
		err = am_buf_add_json_str(&payload, w->path, strlen(w->path));
	if (!err)
		err = am_buf_addf(&payload, ",\"kind\":\"%s\"",
				  kinds[b->kind].name);
	if (!err)
		err = bound_json(&payload, "first", &b->order[0]);
	if (!err)
		err = bound_json(&payload, "last", &b->order[b->n - 1]);
	if (!err)
		err = am_buf_addf(
			&payload,
			",\"records\":%zu,\"persons\":%zu,\"employers\":%zu,"
			"\"workshops\":%zu,\"dependants\":%zu,"
			"\"refused\":%zu,\"hash\":\"%s\"}",
			written, b->kind == PERSONS ? written : 0,
			b->kind == EMPLOYERS ? written : 0,
			b->kind == WORKSHOPS ? written : 0,
			b->kind == DEPENDANTS ? written : 0, refused, hex);
	if (!err)
		err = am_store_audit_append(w->s, "registry.import", w->path,
					    payload.buf, NULL);
	am_buf_release(&payload);
	return err;
}

/* Write one pending record; a row the store refuses is reported and left
 * out, the rest goes on (the statement undid only itself). */
static int write_pending(struct batch_writer *w, enum kind k, struct pending *p,
			 size_t *written, size_t *refused)
{
	int err = put_bulk(w->s, k, &p->r, w->st);

	if (err == AM_ESTORE_CONFLICT) {
		am_diags_add(w->diags, err, w->path, p->line, NULL,
			     am_store_errmsg(w->s), NULL);
		w->st->refused++;
		w->problems++;
		(*refused)++;
		return 0;
	}
	if (err)
		return err;
	p->written = true;
	w->st->accepted++;
	(*written)++;
	return 0;
}

/* Write the batch's persons or dependants in one put: 0 with *written
 * set, or 0 with none written when the store refused one of them. */
static int write_many(struct batch_writer *w, const struct batch *b,
		      size_t *written)
{
	size_t n = b->n;
	int err;

	for (size_t i = 0; i < n; i++) {
		const union record *r = &b->order[i].p->r;

		b->ptrs[i] = b->kind == PERSONS	    ? (const void *)&r->p
			     : b->kind == WORKSHOPS ? (const void *)&r->w
			     : b->kind == EMPLOYERS ? (const void *)&r->e
						    : (const void *)&r->d;
	}
	if (b->kind == PERSONS)
		err = am_store_persons_put_bulk(
			w->s, (const struct am_person *const *)b->ptrs, n);
	else if (b->kind == WORKSHOPS)
		err = am_store_workshops_put_bulk(
			w->s, (const struct am_workshop *const *)b->ptrs, n);
	else if (b->kind == EMPLOYERS)
		err = am_store_employers_put_bulk(
			w->s, (const struct am_employer *const *)b->ptrs, n);
	else
		err = am_store_dependants_put_bulk(
			w->s, (const struct am_dependant *const *)b->ptrs, n);
	if (err == AM_ESTORE_CONFLICT)
		return 0;
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		b->order[i].p->written = true;
	if (b->kind == PERSONS)
		w->st->persons += n;
	else if (b->kind == WORKSHOPS)
		w->st->workshops += n;
	else if (b->kind == EMPLOYERS)
		w->st->employers += n;
	else
		w->st->dependants += n;
	w->st->accepted += n;
	*written = n;
	w->wdone += n / 4096;
	am_progress_update(&w->bar, w->wdone * 4096);
	return 0;
}

/* Write the batch (its order sorted, its hash made) and its audit entry,
 * as one transaction; in key order, neighbouring rows share pages of the
 * table's B-tree. The batch is the caller's still: only its records'
 * written marks change. */
static int batch_write(struct batch_writer *w, const struct batch *b)
{
	size_t written = 0, refused = 0;
	int err;

	/* A CSV's dependants had their persons checked as it was read, its
	 * workshops their employers, and neither is ever deleted. */
	err = w->checked && (b->kind == DEPENDANTS || b->kind == WORKSHOPS)
		      ? am_store_begin_checked(w->s)
		      : am_store_begin(w->s);
	if (err)
		return err;
	err = write_many(w, b, &written);
	/* When the store refused one of them (and wrote none), a row at a
	 * time: each refusal reported, the rest written. */
	for (size_t i = 0, many = written; i < b->n && !err && !many; i++) {
		err = write_pending(w, b->kind, b->order[i].p, &written,
				    &refused);
		if (!(i & 4095))
			am_progress_update(&w->bar, ++w->wdone * 4096);
	}
	if (!err && written)
		err = batch_audit(w, b, written, refused);
	if (!err)
		err = am_store_commit(w->s); /* rolls back when it fails */
	else
		am_store_rollback(w->s);
	return err;
}

/* Empty the batch for the next records (its arrays and arena kept). */
static void batch_clear(struct batch *b)
{
	b->n = 0;
	am_arena_clear(&b->arena);
}

static void batch_release(struct batch *b)
{
	free(b->rec);
	free(b->order);
	free(b->ptrs);
	am_arena_release(&b->arena);
}

/*
 * The merge's writer thread. While the merge fills one batch (the runs'
 * records decoded, the batch's hash made), the writer writes the other:
 * its begin, puts, audit entry and commit. The two batches go back and
 * forth under the mutex. While the thread runs, only it calls the store
 * and touches the batch_writer (the counts, the diagnostics, the bar); the
 * merge touches only the runs and the batch it fills.
 *
 * An error of either thread stops both, and the first is the result: the
 * merge hands no batch after it, the writer writes none after its own (the
 * batch it failed rolled back). A batch handed before the merge's error
 * is written whole, as it was before the merge read on.
 */
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t handed; /* a batch to write, or the end */
	pthread_cond_t taken;  /* the writer is done with its batch */
	struct batch *todo;    /* handed, until the writer is done with it */
	bool end;	       /* the merge hands no more */
	atomic_int err;	       /* the first error of either thread */
	struct batch_writer *w;
	pthread_t thread;
};

static void pipe_fail(struct pipe *p, int err)
{
	int none = 0;

	if (err)
		atomic_compare_exchange_strong(&p->err, &none, err);
}

static void *pipe_main(void *arg)
{
	struct pipe *p = arg;
	int err = 0;

	pthread_mutex_lock(&p->mu);
	while (!err) {
		struct batch *b;

		while (!p->todo && !p->end)
			pthread_cond_wait(&p->handed, &p->mu);
		b = p->todo;
		if (!b)
			break; /* the end, and every batch written */
		pthread_mutex_unlock(&p->mu);
		err = batch_write(p->w, b);
		pipe_fail(p, err);
		pthread_mutex_lock(&p->mu);
		p->todo = NULL;
		pthread_cond_signal(&p->taken);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The writer thread for a merge; without one (no memory, no thread), the
 * merge writes its batches itself. */
static void pipe_start(struct pass *ps)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->handed, NULL);
	pthread_cond_init(&p->taken, NULL);
	atomic_init(&p->err, 0);
	p->w = &ps->w;
	if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
		pthread_cond_destroy(&p->taken);
		pthread_cond_destroy(&p->handed);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return;
	}
	ps->pipe = p;
}

/* The writer's error, as soon as it failed (the merge stops). */
static int pipe_error(const struct pass *ps)
{
	return ps->pipe ? atomic_load_explicit(&ps->pipe->err,
					       memory_order_relaxed)
			: 0;
}

/* Hand the filled batch to the writer once it is done with the other, and
 * take that one to fill next; the first error, when either failed. */
static int pipe_send(struct pass *ps)
{
	struct pipe *p = ps->pipe;
	int err;

	pthread_mutex_lock(&p->mu);
	while (p->todo && !atomic_load(&p->err))
		pthread_cond_wait(&p->taken, &p->mu);
	err = atomic_load(&p->err);
	if (!err) {
		p->todo = ps->b;
		pthread_cond_signal(&p->handed);
		ps->b = &ps->bufs[ps->b == &ps->bufs[0]];
	}
	pthread_mutex_unlock(&p->mu);
	return err;
}

/* End the merge (err: the merge's own error, if it failed): the writer
 * writes what it was handed, unless it failed, and is joined. The first
 * error of either. */
static int pipe_finish(struct pass *ps, int err)
{
	struct pipe *p = ps->pipe;

	pipe_fail(p, err);
	pthread_mutex_lock(&p->mu);
	p->end = true;
	pthread_cond_signal(&p->handed);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	err = atomic_load(&p->err);
	pthread_cond_destroy(&p->taken);
	pthread_cond_destroy(&p->handed);
	pthread_mutex_destroy(&p->mu);
	free(p);
	ps->pipe = NULL;
	/* The batch the writer had last, emptied. */
	batch_clear(&ps->bufs[ps->b == &ps->bufs[0]]);
	return err;
}

/* The merged batch written (its records come in key order): its hash
 * made, then written, or handed to the writer thread; the batch to fill
 * next is empty. */
static int batch_flush(struct pass *ps)
{
	struct batch *b = ps->b;
	int err;

	err = batch_hash(b, false, &ps->json, b->hash);
	if (!err)
		err = ps->pipe ? pipe_send(ps) : batch_write(&ps->w, b);
	batch_clear(ps->b);
	return err;
}

/*
 * A kind longer than a batch is sorted whole before it is written: each
 * full batch is sorted and spilled to a temporary file as a run, and the
 * runs are merged into batches in key order. Written in random order, each
 * row of a large table costs a B-tree page read and write; in key order,
 * the rows share pages and the table grows at its end.
 *
 * A record in a run: its length (u32), its row (u32), then its fields in
 * the struct's order, a string as its length (u32, UINT32_MAX for NULL)
 * and its bytes with a NUL, a number as an i64. The key is the first string
 * (and a dependant's second key the second).
 */

static int enc_u32(struct am_buf *b, uint32_t v)
{
	return am_buf_add(b, &v, sizeof(v));
}

static int enc_i64(struct am_buf *b, int64_t v)
{
	return am_buf_add(b, &v, sizeof(v));
}

static int enc_str(struct am_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int err = enc_u32(b, s ? (uint32_t)n : UINT32_MAX);

	return err || !s ? err : am_buf_add(b, s, n + 1);
}

/* Append the record's encoding to b (on error, b as it was). */
static int record_encode(enum kind k, const union record *r, unsigned line,
			 struct am_buf *b)
{
	size_t at = b->len;
	int err;

	err = enc_u32(b, 0); /* the length, set below */
	err = err ? err : enc_u32(b, line);
	switch (k) {
	case PERSONS:
		err = err ? err : enc_str(b, r->p.national_code);
		err = err ? err : enc_str(b, r->p.first_name);
		err = err ? err : enc_str(b, r->p.last_name);
		err = err ? err : enc_str(b, r->p.father_name);
		err = err ? err : enc_i64(b, r->p.birth_date);
		err = err ? err : enc_i64(b, r->p.sex);
		err = err ? err : enc_str(b, r->p.nationality);
		err = err ? err : enc_str(b, r->p.insurance_no);
		break;
	case EMPLOYERS:
		err = err ? err : enc_str(b, r->e.id);
		err = err ? err : enc_i64(b, r->e.kind);
		err = err ? err : enc_str(b, r->e.name);
		err = err ? err : enc_str(b, r->e.address);
		err = err ? err : enc_str(b, r->e.phone);
		break;
	case WORKSHOPS:
		err = err ? err : enc_str(b, r->w.code);
		err = err ? err : enc_str(b, r->w.name);
		err = err ? err : enc_str(b, r->w.employer_id);
		err = err ? err : enc_str(b, r->w.address);
		err = err ? err : enc_str(b, r->w.province);
		err = err ? err : enc_str(b, r->w.branch);
		err = err ? err : enc_str(b, r->w.activity);
		err = err ? err : enc_str(b, r->w.scheme);
		err = err ? err : enc_i64(b, r->w.hard_harmful);
		err = err ? err : enc_i64(b, r->w.small_exempt);
		break;
	case DEPENDANTS:
		err = err ? err : enc_str(b, r->d.main_insured);
		err = err ? err : enc_str(b, r->d.dependant);
		err = err ? err : enc_i64(b, r->d.relation);
		err = err ? err : enc_i64(b, r->d.since);
		err = err ? err : enc_i64(b, r->d.until);
		break;
	default:
		err = AM_EINTERNAL;
		break;
	}
	if (!err) {
		uint32_t n = (uint32_t)(b->len - at - sizeof(uint32_t));

		memcpy(b->buf + at, &n, sizeof(n));
	} else {
		am_buf_truncate(b, at);
	}
	return err;
}

/* Reading back: a cursor over one record's bytes. */
struct dec {
	const unsigned char *p, *end;
	bool bad;
};

static int64_t dec_i64(struct dec *d)
{
	int64_t v = 0;

	if ((size_t)(d->end - d->p) < sizeof(v)) {
		d->bad = true;
		return 0;
	}
	memcpy(&v, d->p, sizeof(v));
	d->p += sizeof(v);
	return v;
}

/* The string in place (the run's buffer holds its NUL). */
static const char *dec_str(struct dec *d)
{
	const char *s;
	uint32_t n;

	if ((size_t)(d->end - d->p) < sizeof(n)) {
		d->bad = true;
		return NULL;
	}
	memcpy(&n, d->p, sizeof(n));
	d->p += sizeof(n);
	if (n == UINT32_MAX)
		return NULL;
	if ((size_t)(d->end - d->p) <= n || d->p[n]) {
		d->bad = true;
		return NULL;
	}
	s = (const char *)d->p;
	d->p += n + 1;
	return s;
}

static const char *dec_copy(struct dec *d, struct am_arena *a)
{
	const char *s = dec_str(d);

	if (s && !(s = am_arena_strdup(a, s)))
		d->bad = true;
	return s;
}

/* The run's current record into r, its strings copied to a. */
static int record_decode(enum kind k, const struct run *run, struct am_arena *a,
			 union record *r)
{
	struct dec d = { run->buf + 2 * sizeof(uint32_t), run->buf + run->len,
			 false };

	memset(r, 0, sizeof(*r));
	switch (k) {
	case PERSONS:
		r->p.national_code = dec_copy(&d, a);
		r->p.first_name = dec_copy(&d, a);
		r->p.last_name = dec_copy(&d, a);
		r->p.father_name = dec_copy(&d, a);
		r->p.birth_date = (am_date)dec_i64(&d);
		r->p.sex = (char)dec_i64(&d);
		r->p.nationality = dec_copy(&d, a);
		r->p.insurance_no = dec_copy(&d, a);
		break;
	case EMPLOYERS:
		r->e.id = dec_copy(&d, a);
		r->e.kind = (enum am_employer_kind)dec_i64(&d);
		r->e.name = dec_copy(&d, a);
		r->e.address = dec_copy(&d, a);
		r->e.phone = dec_copy(&d, a);
		break;
	case WORKSHOPS:
		r->w.code = dec_copy(&d, a);
		r->w.name = dec_copy(&d, a);
		r->w.employer_id = dec_copy(&d, a);
		r->w.address = dec_copy(&d, a);
		r->w.province = dec_copy(&d, a);
		r->w.branch = dec_copy(&d, a);
		r->w.activity = dec_copy(&d, a);
		r->w.scheme = dec_copy(&d, a);
		r->w.hard_harmful = dec_i64(&d) != 0;
		r->w.small_exempt = dec_i64(&d) != 0;
		break;
	case DEPENDANTS:
		r->d.main_insured = dec_copy(&d, a);
		r->d.dependant = dec_copy(&d, a);
		r->d.relation = (enum am_relation)dec_i64(&d);
		r->d.since = (am_date)dec_i64(&d);
		r->d.until = (am_date)dec_i64(&d);
		break;
	default:
		return AM_EINTERNAL;
	}
	return d.bad ? AM_EIO : 0;
}

/* Read the run's next record: 1, or 0 at its end, or AM_EIO/AM_ENOMEM. */
static int run_next(struct run *run, enum kind k)
{
	const char *key, *key2;
	uint32_t n;
	struct dec d;

	if (run->mem) {
		const struct gather *g = run->mem;

		if (run->next == g->n)
			return 0;
		/* In place: the gathered records outlive the merge. */
		run->buf = (unsigned char *)g->enc.buf + g->keys[run->next++].v;
		memcpy(&n, run->buf, sizeof(n));
		run->len = n + sizeof(n);
	} else {
		if (fread(&n, sizeof(n), 1, run->f) != 1)
			return ferror(run->f) ? AM_EIO : 0;
		if (n < sizeof(uint32_t) || n > (1u << 24))
			return AM_EIO;
		if (run->alloc < n + sizeof(n)) {
			unsigned char *p = realloc(run->buf, n + sizeof(n));

			if (!p)
				return AM_ENOMEM;
			run->buf = p;
			run->alloc = n + sizeof(n);
		}
		run->len = n + sizeof(n);
		memcpy(run->buf, &n, sizeof(n));
		if (fread(run->buf + sizeof(n), n, 1, run->f) != 1)
			return AM_EIO;
	}
	memcpy(&n, run->buf + sizeof(n), sizeof(n));
	run->at.line = n + run->line_base;
	d = (struct dec){ run->buf + 2 * sizeof(n), run->buf + run->len,
			  false };
	key = dec_str(&d);
	key2 = k == DEPENDANTS ? dec_str(&d) : NULL;
	write_order_keys(&run->at, key, key2);
	return d.bad || !key || (k == DEPENDANTS && !key2) ? AM_EIO : 1;
}

static void gather_clear(struct gather *g)
{
	g->n = 0;
	am_buf_clear(&g->enc);
}

static void gather_release(struct gather *g)
{
	free(g->keys);
	free(g->tmp);
	am_buf_release(&g->enc);
}

static void runs_close(struct pass *ps)
{
	for (size_t i = 0; i < ps->nruns; i++) {
		if (ps->runs[i].mem) {
			gather_clear(&ps->g); /* merged: done with */
			continue;
		}
		fclose(ps->runs[i].f);
		free(ps->runs[i].buf);
	}
	ps->nruns = 0;
}

/* An anonymous file in $TMPDIR (else /tmp): a national file's runs take
 * about its size, so the operator may point them at a large disk. */
/* Room for one more run. */
static int runs_room(struct pass *ps)
{
	if (ps->nruns == ps->runs_alloc) {
		size_t alloc = ps->runs_alloc ? ps->runs_alloc * 2 : 8;
		struct run *p = realloc(ps->runs, alloc * sizeof(*p));

		if (!p)
			return AM_ENOMEM;
		ps->runs = p;
		ps->runs_alloc = alloc;
	}
	return 0;
}

/* A run's reading and writing buffer: fewer calls to the system than
 * stdio's own, for the few dozen runs a national file makes. */
#define RUN_BUFFER ((size_t)256 << 10)

/* Sort what is gathered and write it out as a run. */
static int run_spill(struct pass *ps)
{
	struct gather *g = &ps->g;
	const char *dir;
	struct run *run;
	int err;

	if (runs_room(ps))
		return AM_ENOMEM;
	err = am__sortkeys(g->keys, g->tmp, g->n);
	if (err)
		return err;
	run = &ps->runs[ps->nruns];
	memset(run, 0, sizeof(*run));
	run->f = am__temp_file(&dir);
	if (!run->f) {
		/* Say where: the file being imported is not at fault. */
		am_diags_add(ps->diags, AM_EIO, dir, 0, NULL, strerror(errno),
			     NULL);
		return AM_EIO;
	}
	ps->nruns++;
	setvbuf(run->f, NULL, _IOFBF, RUN_BUFFER);
	for (size_t i = 0; i < g->n && !err; i++) {
		const char *rec = g->enc.buf + g->keys[i].v;
		uint32_t n;

		memcpy(&n, rec, sizeof(n));
		if (fwrite(rec, n + sizeof(n), 1, run->f) != 1)
			err = AM_EIO;
	}
	if (!err && (fflush(run->f) || fseek(run->f, 0, SEEK_SET)))
		err = AM_EIO;
	gather_clear(g);
	return err;
}

/* What is gathered as a run in memory, sorted: a kind no longer than a
 * batch (the gathered records are read in place, and kept until the
 * merge ends). */
static int run_in_memory(struct pass *ps)
{
	struct run *run;
	int err;

	if (runs_room(ps))
		return AM_ENOMEM;
	err = am__sortkeys(ps->g.keys, ps->g.tmp, ps->g.n);
	if (err)
		return err;
	run = &ps->runs[ps->nruns++];
	memset(run, 0, sizeof(*run));
	run->mem = &ps->g;
	return 0;
}

/* A min-heap of run numbers by their next record's key. */
static bool run_before(const void *ctx, size_t a, size_t b)
{
	const struct pass *ps = ctx;

	return write_order_cmp(&ps->runs[a].at, &ps->runs[b].at) < 0;
}

static int batch_push(struct pass *ps, enum kind k, const union record *r,
		      unsigned line);

/* Merge the runs into batches in key order, and write them: each full
 * batch by the writer thread while the next is merged. */
static int runs_merge(struct pass *ps)
{
	enum kind k = ps->batch_kind;
	size_t *heap = calloc(ps->nruns, sizeof(*heap));
	size_t n = 0;
	int err = 0;

	if (!heap)
		return AM_ENOMEM;
	for (size_t i = 0; i < ps->nruns && !err; i++) {
		int rc = run_next(&ps->runs[i], k);

		if (rc < 0)
			err = rc;
		else if (rc)
			heap[n++] = i;
	}
	for (size_t i = n / 2; i-- > 0;)
		am__heap_down(heap, n, i, run_before, ps);
	if (!err)
		pipe_start(ps);
	while (n && !err) {
		struct run *run = &ps->runs[heap[0]];
		union record r;
		int rc;

		err = record_decode(k, run, &ps->b->arena, &r);
		if (!err)
			err = batch_push(ps, k, &r, run->at.line);
		rc = err ? 0 : run_next(run, k);
		if (rc < 0)
			err = rc;
		else if (!rc)
			heap[0] = heap[--n];
		am__heap_down(heap, n, 0, run_before, ps);
		if (!err)
			err = pipe_error(ps); /* the writer failed: stop */
	}
	if (!err && ps->b->n)
		err = batch_flush(ps);
	if (ps->pipe)
		err = pipe_finish(ps, err);
	free(heap);
	return err;
}

/* Write what is gathered of the kind: the runs merged, the last one
 * in memory when it is the only one. */
static int kind_finish(struct pass *ps)
{
	int err = 0;

	if (ps->g.n)
		err = ps->nruns ? run_spill(ps) : run_in_memory(ps);
	if (!err && ps->nruns)
		err = runs_merge(ps);
	runs_close(ps);
	gather_clear(&ps->g);
	return err;
}

/* Put a merged record in the batch; a full batch is written. */
static int batch_push(struct pass *ps, enum kind k, const union record *r,
		      unsigned line)
{
	struct batch *b = ps->b;
	struct write_order *o;
	struct pending *p;

	assert(!b->n || k == b->kind);
	if (!b->rec) {
		b->rec = calloc(ps->batch_size, sizeof(*b->rec));
		b->order = calloc(ps->batch_size, sizeof(*b->order));
		b->ptrs = calloc(ps->batch_size, sizeof(*b->ptrs));
		if (!b->rec || !b->order || !b->ptrs)
			return AM_ENOMEM;
	}
	o = &b->order[b->n];
	p = &b->rec[b->n++];
	p->r = *r;
	p->line = line;
	p->written = false;
	o->p = p;
	o->line = line;
	switch (k) {
	case PERSONS:
		write_order_keys(o, p->r.p.national_code, NULL);
		break;
	case EMPLOYERS:
		write_order_keys(o, p->r.e.id, NULL);
		break;
	case WORKSHOPS:
		write_order_keys(o, p->r.w.code, NULL);
		break;
	default:
		write_order_keys(o, p->r.d.main_insured, p->r.d.dependant);
		break;
	}
	b->kind = k;
	/* Merged runs come in key order: write each full batch at once. */
	return b->n == ps->batch_size ? batch_flush(ps) : 0;
}

/* The record's key (and a dependant's second) in the table's order. */
static void record_keys(enum kind k, const union record *r, uint64_t *k1,
			uint64_t *k2)
{
	const char *key = k == PERSONS	   ? r->p.national_code
			  : k == EMPLOYERS ? r->e.id
			  : k == WORKSHOPS ? r->w.code
					   : r->d.main_insured;

	*k1 = key_pack(key);
	*k2 = k == DEPENDANTS ? key_pack(r->d.dependant) : 0;
}

/* Keep a checked registry record of the file (of one kind: see record()),
 * encoded; a full batch of them goes out as a sorted run. */
static int batch_add(struct pass *ps, enum kind k, const union record *r,
		     unsigned line)
{
	struct gather *g = &ps->g;
	struct am__sortkey *e;
	int err;

	if (!g->keys) {
		g->keys = malloc(ps->batch_size * sizeof(*g->keys));
		g->tmp = malloc(ps->batch_size * sizeof(*g->tmp));
		if (!g->keys || !g->tmp)
			return AM_ENOMEM;
	}
	e = &g->keys[g->n];
	e->v = g->enc.len;
	err = record_encode(k, r, line, &g->enc);
	if (err)
		return err;
	record_keys(k, r, &e->k1, &e->k2);
	g->n++;
	ps->batch_kind = k;
	ps->gathered++;
	return g->n == ps->batch_size ? run_spill(ps) : 0;
}

/* Forget what was gathered: the file has a problem and is not written. */
static void gather_drop(struct pass *ps)
{
	runs_close(ps);
	gather_clear(&ps->g);
	ps->gather = false;
}

/* One record, in either pass. */
static int record(struct pass *ps, enum kind k, char **f, const int *col,
		  unsigned line)
{
	struct row_ctx ctx = {
		.path = ps->path,
		.line = line,
		.diags = ps->diags,
		.arena = &ps->b->arena,
		.scratch = &ps->scratch,
	};
	union record rec;
	int err = 0;

	/* A JSON file's next array: write the kind before it. */
	if (ps->write && (ps->g.n || ps->nruns) && k != ps->batch_kind) {
		err = kind_finish(ps);
		if (err)
			return err;
	}
	parse_row(k, f, col, &ctx, &rec);
	if (ps->write && is_registry(k)) {
		err = batch_add(ps, k, &rec, line);
		goto out;
	}
	if (!ps->write) {
		ps->st->records++;
		if (!ctx.problems)
			err = check_refs(ps->s, ps, k, &rec, &ctx);
		if (k == EMPLOYERS)
			remember_key(ps, rec.e.id);
		else if (k == PERSONS)
			remember_key(ps, rec.p.national_code);
		ps->problems += ctx.problems;
		if (ps->gather && !err) {
			if (!ps->problems)
				err = batch_add(ps, k, &rec, line);
			else
				gather_drop(ps); /* the file is refused */
		}
	} else {
		if (!ps->in_batch && (err = am_store_begin(ps->s)))
			goto out;
		err = put(ps->s, k, &rec);
		if (err == AM_EIDEMPOTENCY_CONFLICT ||
		    err == AM_ESTORE_CONFLICT) {
			/* Refused alone (the store undid it); the rest goes
			 * on. */
			am_diags_add(ps->diags, err, ps->path, line, NULL,
				     am_store_errmsg(ps->s), NULL);
			ps->st->refused++;
			ps->problems++;
			err = 0;
			goto out;
		}
		if (err)
			goto out;
		ps->st->accepted++;
		if (++ps->in_batch == BATCH) {
			ps->in_batch = 0;
			err = am_store_commit(ps->s);
		}
	}
out:
	am_arena_clear(&ps->b->arena);
	return err;
}

/* The records of r after the header, each checked (and gathered): a
 * record's problem is the file's, an error of the reading ends it. */
static int read_records(struct pass *ps, struct am_csv_reader *r, enum kind k,
			const int *col, size_t header_nf,
			struct am_progress *progress)
{
	size_t nf;
	unsigned line;
	char **f;
	int err = 0, rc;

	while ((rc = am_csv_next(r, &nf, &f, &line)) != 0) {
		if (progress)
			am_progress_update(progress, am_csv_offset(r));
		if (rc == AM_EIO || rc == AM_ENOMEM)
			return rc;
		if (rc < 0 || nf != header_nf) {
			char got[16], want[16];

			if (ps->write)
				continue;
			ps->st->records++;
			ps->problems++;
			snprintf(got, sizeof(got), "%zu", nf);
			snprintf(want, sizeof(want), "%zu", header_nf);
			if (rc < 0)
				am_diags_add(ps->diags,
					     rc == AM_EINVALID_ARGUMENT
						     ? AM_ECSV_SYNTAX
						     : rc,
					     ps->path, line, NULL, NULL, NULL);
			else
				am_diags_add(ps->diags,
					     AM_EREGISTRY_FIELD_COUNT, ps->path,
					     line, NULL, got, want);
			continue;
		}
		err = record(ps, k, f, col, line);
		if (err)
			return err;
	}
	return err;
}

/*
 * A large registry CSV is read in two parts, each on a thread (its
 * parsing and checks are most of an import's time, and one core would
 * otherwise wait): the second part from the first record start after the
 * middle, with a pass of its own (its batches, runs, problems, counts
 * and a store handle for its lookups), joined to the first's at the end:
 * its runs merged with the first's, its lines counted on from where the
 * first part ended, its problems after the first's. When the first part
 * does not end exactly where the second began (the middle fell inside a
 * quoted field holding a line end), the second part is dropped and the
 * first reads on to the end.
 */
#define PARALLEL_BYTES ((uint64_t)64 << 20)

/* From what size a file is read in two parts: AMANAT_REGISTRY_PARTS
 * bytes (0: never; a test of the joins), else PARALLEL_BYTES. */
static uint64_t parts_from(void)
{
	const char *env = getenv("AMANAT_REGISTRY_PARTS");
	uint64_t n;

	if (env && am__parse_uint(env, strlen(env), &n))
		return n ? n : UINT64_MAX;
	return PARALLEL_BYTES;
}

struct part {
	struct pass ps;
	struct am_import_stats st;
	struct am_diags diags;
	struct am_csv_reader *r;
	enum kind k;
	const int *col;
	size_t header_nf;
	pthread_t thread;
	int err;
};

static void *part_main(void *arg)
{
	struct part *pt = arg;

	/* Its lookups in one read transaction (see check_pass()). */
	pt->err = am_store_begin(pt->ps.s);
	if (!pt->err)
		pt->err = read_records(&pt->ps, pt->r, pt->k, pt->col,
				       pt->header_nf, NULL);
	if (am_store_in_transaction(pt->ps.s)) {
		int end = am_store_rollback(pt->ps.s);

		pt->err = pt->err ? pt->err : end;
	}
	return NULL;
}

/* Where the second part starts: the first record start after the middle
 * (0: none, read it whole). */
static uint64_t part_start(const char *path, uint64_t size)
{
	char buf[1 << 16];
	uint64_t at = size / 2;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	while (fseeko(f, (off_t)at, SEEK_SET) == 0 &&
	       (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *nl = memchr(buf, '\n', n);

		if (nl) {
			at += (uint64_t)(nl - buf) + 1;
			fclose(f);
			return at < size ? at : 0;
		}
		at += n;
	}
	fclose(f);
	return 0;
}

static void part_release(struct part *pt)
{
	runs_close(&pt->ps);
	free(pt->ps.runs);
	gather_release(&pt->ps.g);
	for (size_t i = 0; i < AM_ARRAY_SIZE(pt->ps.bufs); i++)
		batch_release(&pt->ps.bufs[i]);
	am_buf_release(&pt->ps.json);
	am_buf_release(&pt->ps.scratch);
	am_diags_release(&pt->diags);
	am_csv_close(pt->r);
	if (pt->ps.s != NULL)
		am_store_close(pt->ps.s);
}

/* The second part's pass, a copy of the first's with its own state. */
static int part_start_thread(struct pass *ps, struct part *pt, uint64_t at,
			     enum kind k, const int *col, size_t header_nf)
{
	memset(pt, 0, sizeof(*pt));
	pt->k = k;
	pt->col = col;
	pt->header_nf = header_nf;
	pt->ps.path = ps->path;
	pt->ps.allowed = ps->allowed;
	pt->ps.gather = true;
	pt->ps.st = &pt->st;
	am_diags_init(&pt->diags, ps->diags->cap);
	pt->ps.diags = &pt->diags;
	pt->ps.batch_size = ps->batch_size;
	pt->ps.b = &pt->ps.bufs[0];
	for (size_t i = 0; i < AM_ARRAY_SIZE(pt->ps.bufs); i++)
		am_arena_init(&pt->ps.bufs[i].arena, 0);
	am_buf_init(&pt->ps.scratch, 4096);
	am_buf_init(&pt->ps.g.enc, GATHER_CAP);
	am_buf_init(&pt->ps.json, 0);
	/* The persons a file of dependants names: the set, read once by
	 * the first part and shared (read only), else the database. */
	if (k == DEPENDANTS) {
		(void)in_person_set(ps, "");
		pt->ps.persons = ps->persons;
		pt->ps.persons_tried = true;
	}
	if (am_store_open_reader(ps->s, &pt->ps.s) != 0)
		return AM_EIO;
	if (am_csv_open_range(ps->path, 0, at, ULLONG_MAX, &pt->r) != 0)
		return AM_EIO;
	return pthread_create(&pt->thread, NULL, part_main, pt) ? AM_EIO : 0;
}

/* The second part into the first, read to the end of the file. */
static int part_join(struct pass *ps, struct part *pt, unsigned line_end)
{
	int err = 0;

	ps->st->records += pt->st.records;
	ps->problems += pt->ps.problems;
	/* Its last batch as a run (its failure named among its problems,
	 * after them), unless the file is refused. */
	if (ps->gather && !ps->problems && pt->ps.gather && pt->ps.g.n)
		err = run_spill(&pt->ps);
	for (size_t i = 0; i < pt->diags.nr; i++) {
		pt->diags.items[i].line += line_end - 1;
		am_diags_push(ps->diags, &pt->diags.items[i]);
	}
	ps->diags->dropped += pt->diags.dropped;
	if (err || !ps->gather || ps->problems || !pt->ps.gather) {
		if (ps->gather)
			gather_drop(ps);
		return err;
	}
	for (size_t i = 0; i < pt->ps.nruns; i++) {
		if (runs_room(ps))
			return AM_ENOMEM;
		ps->runs[ps->nruns] = pt->ps.runs[i];
		ps->runs[ps->nruns].line_base = line_end - 1;
		ps->nruns++;
	}
	if (!err) {
		pt->ps.nruns = 0; /* the first's now */
		ps->gathered += pt->ps.gathered;
		ps->batch_kind = pt->k;
	}
	return err;
}

static int csv_pass(struct pass *ps)
{
	struct am_csv_reader *r = NULL;
	struct am_progress progress = { 0 };
	struct part *pt = NULL;
	int col[MAX_COLS];
	enum kind k = NKINDS;
	size_t nf, header_nf;
	uint64_t size = 0, at = 0;
	unsigned line;
	char **f;
	int err, rc;

	{
		struct stat sb;

		if (stat(ps->path, &sb) == 0)
			size = (uint64_t)sb.st_size;
	}
	/* Two parts: a large registry file read to be gathered. */
	if (ps->gather && size >= parts_from())
		at = part_start(ps->path, size);
	err = am_csv_open_range(ps->path, 0, 0, at ? at : ULLONG_MAX, &r);
	if (err) {
		am_diags_add(ps->diags, err, ps->path, 0, NULL, strerror(errno),
			     NULL);
		return err;
	}
	rc = am_csv_next(r, &nf, &f, &line);
	if (rc <= 0) {
		err = rc < 0 ? rc : AM_EREGISTRY_KIND;
		am_diags_add(ps->diags, err, ps->path, 1, NULL, NULL, NULL);
		goto out;
	}
	header_nf = nf;
	err = read_header(ps->path, nf, f, ps->allowed, &k, col, ps->diags);
	if (err)
		goto out;
	am_progress_start(&progress,
			  ps->write ? "writing (ثبت)" : "checking (بررسی)",
			  at ? at : size);
	if (at && is_registry(k)) {
		pt = malloc(sizeof(*pt));
		if (!pt || part_start_thread(ps, pt, at, k, col, header_nf)) {
			/* No second thread: one part, to the end. */
			if (pt)
				part_release(pt);
			free(pt);
			pt = NULL;
			am_csv_set_end(r, ULLONG_MAX);
		}
	} else {
		am_csv_set_end(r, ULLONG_MAX);
	}
	err = read_records(ps, r, k, col, header_nf, &progress);
	if (pt) {
		pthread_join(pt->thread, NULL);
		if (!err && am_csv_offset(r) == at) {
			err = pt->err;
			if (!err) {
				am_csv_next(r, &nf, &f, &line); /* its end */
				err = part_join(ps, pt, line);
			}
		} else if (!err) {
			/* The middle was inside a record: on alone. */
			am_csv_set_end(r, ULLONG_MAX);
			err = read_records(ps, r, k, col, header_nf, &progress);
		}
		if (pt->ps.persons == ps->persons)
			pt->ps.persons = NULL;
		part_release(pt);
		free(pt);
	}
out:
	am_progress_finish(&progress);
	am_csv_close(r);
	return err;
}

/* A JSON value as the text a CSV cell would hold. */
static const char *json_text(json_t *v, char *tmp, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(tmp, size, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	if (json_is_true(v))
		return "1";
	if (json_is_false(v))
		return "0";
	return NULL;
}

static int json_pass(struct pass *ps, json_t *root)
{
	/* Referenced kinds first, so a file may hold both sides. */
	static const enum kind order[] = { EMPLOYERS, WORKSHOPS, PERSONS,
					   DEPENDANTS };
	static const int col[MAX_COLS] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	};
	const char *key;
	json_t *v;
	int err = 0;

	json_object_foreach(root, key, v)
	{
		bool known = false;

		for (int i = 0; i < NKINDS; i++)
			known |= !strcmp(key, kinds[i].name);
		if ((!known || !json_is_array(v)) && !ps->write) {
			ps->problems++;
			am_diags_add(
				ps->diags, AM_EREGISTRY_UNKNOWN_COLUMN,
				ps->path, 0, key, NULL,
				"persons, employers, workshops, dependants");
		}
	}
	for (size_t o = 0; o < AM_ARRAY_SIZE(order) && !err; o++) {
		enum kind k = order[o];
		json_t *arr = json_object_get(root, kinds[k].name);
		size_t i;

		if (!json_is_array(arr))
			continue;
		json_array_foreach(arr, i, v)
		{
			char tmp[MAX_COLS][32];
			char *f[MAX_COLS];
			size_t problems = 0;
			const char *name;
			json_t *cell;

			for (int c = 0; c < MAX_COLS; c++)
				f[c] = (char *)"";
			if (!json_is_object(v)) {
				if (!ps->write) {
					ps->problems++;
					am_diags_add(ps->diags, AM_EJSON_SYNTAX,
						     ps->path, (unsigned)i + 1,
						     kinds[k].name, NULL,
						     "an object");
				}
				continue;
			}
			json_object_foreach(v, name, cell)
			{
				int c = -1;
				const char *t;

				for (int j = 0;
				     j < MAX_COLS && kinds[k].cols[j]; j++)
					if (!strcmp(name, kinds[k].cols[j]))
						c = j;
				t = c >= 0 ? json_text(cell, tmp[c],
						       sizeof(tmp[c]))
					   : NULL;
				if (c < 0 || (!t && !json_is_null(cell))) {
					problems++;
					if (!ps->write)
						am_diags_add(
							ps->diags,
							c < 0 ? AM_EREGISTRY_UNKNOWN_COLUMN
							      : AM_EJSON_SYNTAX,
							ps->path,
							(unsigned)i + 1, name,
							NULL, NULL);
					continue;
				}
				if (t)
					f[c] = (char *)t;
			}
			if (problems) {
				if (!ps->write) {
					ps->st->records++;
					ps->problems += problems;
				}
				continue;
			}
			err = record(ps, k, f, col, (unsigned)i + 1);
			if (err)
				break;
		}
	}
	return err;
}

static bool is_json(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && !strcmp(path + n - 5, ".json");
}

#define REGISTRY_KINDS                                             \
	((1u << PERSONS) | (1u << EMPLOYERS) | (1u << WORKSHOPS) | \
	 (1u << DEPENDANTS))

static size_t registry_batch_size(void)
{
	const char *env = getenv("AMANAT_REGISTRY_BATCH");
	uint64_t n;

	if (env && am__parse_uint(env, strlen(env), &n) && n >= 1 &&
	    n <= REGISTRY_BATCH_MOST)
		return (size_t)n;
	return REGISTRY_BATCH;
}

/* Read the file: to check it (write false), to write it (write true), or,
 * for a registry CSV, to check it and gather its records (*gathered set),
 * writing them when it has no problem. */
/* The checking pass, its lookups (a workshop's employer, a dependant's
 * persons) in one transaction that writes nothing: a lookup outside one
 * would take and drop the database's lock for itself, row by row. */
static int check_pass(struct pass *ps, json_t *root)
{
	int err = am_store_begin(ps->s);

	if (!err)
		err = root ? json_pass(ps, root) : csv_pass(ps);
	if (am_store_in_transaction(ps->s)) {
		int end = am_store_rollback(ps->s);

		err = err ? err : end;
	}
	return err;
}

static int run_pass(struct am_store *s, const char *path, unsigned allowed,
		    json_t *root, bool write, struct am_import_stats *st,
		    struct am_diags *diags, size_t *problems, bool *gathered)
{
	struct pass ps = {
		.s = s,
		.path = path,
		.allowed = allowed,
		.write = write,
		.st = st,
		.diags = diags,
		.w = { .s = s, .path = path, .st = st, .diags = diags },
	};
	bool ckpt = false;
	int err;

	ps.multi = root != NULL;
	ps.gather = !write && !root && allowed == REGISTRY_KINDS;
	ps.batch_size = registry_batch_size();
	ps.b = &ps.bufs[0];
	for (size_t i = 0; i < AM_ARRAY_SIZE(ps.bufs); i++)
		am_arena_init(&ps.bufs[i].arena, 0);
	am_buf_init(&ps.scratch, 4096);
	am_buf_init(&ps.g.enc, GATHER_CAP);
	am_buf_init(&ps.json, 0);
	am_buf_init(&ps.w.json, 0);
	err = write ? (root ? json_pass(&ps, root) : csv_pass(&ps))
		    : check_pass(&ps, root);
	if (gathered)
		*gathered = ps.gather;
	if (!err && (write || (ps.gather && !ps.problems))) {
		size_t before = st->accepted;
		/* The table of a large load may be cheaper indexed at its
		 * end than row by row (am_store_load_begin()). */
		const char *load = !ps.gather			 ? NULL
				   : ps.batch_kind == DEPENDANTS ? "dependants"
				   : ps.batch_kind == WORKSHOPS	 ? "workshops"
								 : NULL;

		ps.w.checked = ps.gather;
		am_progress_start(&ps.w.bar, "writing (ثبت)", ps.gathered);
		if (load)
			err = am_store_load_begin(s, load,
						  (int64_t)ps.gathered);
		/* A merge's commits wait for their log only; the copies into
		 * the database run beside the write (store.h). */
		if (!err && ps.gathered > ps.batch_size)
			ckpt = am_store_checkpoint_thread(s, true) == 0;
		if (!err)
			err = kind_finish(&ps);
		if (err && am_store_in_transaction(s))
			am_store_rollback(s);
		if (ckpt) {
			int off = am_store_checkpoint_thread(s, false);

			err = err ? err : off;
		}
		if (load) {
			int end = am_store_load_end(s, load);

			err = err ? err : end;
		}
		am_progress_update(&ps.w.bar, st->accepted - before);
		am_progress_finish(&ps.w.bar);
	}
	if (!err && write && ps.in_batch)
		err = am_store_commit(s);
	if (err && am_store_in_transaction(s))
		am_store_rollback(s);
	*problems = ps.problems + ps.w.problems;
	free(ps.keys);
	am_person_set_free(ps.persons);
	runs_close(&ps);
	free(ps.runs);
	gather_release(&ps.g);
	for (size_t i = 0; i < AM_ARRAY_SIZE(ps.bufs); i++)
		batch_release(&ps.bufs[i]);
	am_buf_release(&ps.w.json);
	am_buf_release(&ps.json);
	am_buf_release(&ps.scratch);
	return err;
}

static int import_file(struct am_store *s, const char *path, unsigned allowed,
		       struct am_import_stats *st, struct am_diags *diags)
{
	json_t *root = NULL;
	size_t problems = 0;
	bool gathered = false;
	int err;

	st->files++;
	if (is_json(path) && allowed == REGISTRY_KINDS) {
		json_error_t je;

		root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
		if (!root || !json_is_object(root)) {
			am_diags_add(diags, AM_EJSON_SYNTAX, path,
				     root ? 1 : (unsigned)je.line, NULL,
				     root ? NULL : je.text,
				     "an object with persons, employers, "
				     "workshops or dependants arrays");
			json_decref(root);
			return AM_EINVALID_ARGUMENT;
		}
	}
	err = run_pass(s, path, allowed, root, false, st, diags, &problems,
		       &gathered);
	if (!err && problems) {
		st->refused += problems;
		err = AM_EINVALID_ARGUMENT;
	}
	if (!err && !gathered)
		err = run_pass(s, path, allowed, root, true, st, diags,
			       &problems, NULL);
	if (!err && problems)
		err = AM_EINVALID_ARGUMENT; /* rows refused while writing */
	json_decref(root);
	return err;
}

int am_import_registry(struct am_store *s, const char *path,
		       struct am_import_stats *st, struct am_diags *diags)
{
	return import_file(s, path, REGISTRY_KINDS, st, diags);
}

/* One audit entry for a whole file of rows that write none themselves. */
static int audit_file(struct am_store *s, const char *action, const char *path,
		      const struct am_import_stats *st)
{
	char payload[96];

	snprintf(payload, sizeof(payload), "{\"rows\":%zu,\"accepted\":%zu}",
		 st->records, st->accepted);
	return am_store_audit_append(s, action, path, payload, NULL);
}

int am_import_history(struct am_store *s, const char *path,
		      struct am_import_stats *st, struct am_diags *diags)
{
	int err = import_file(s, path, 1u << HISTORY, st, diags);

	if (!err || err == AM_EINVALID_ARGUMENT) {
		int aerr = st->accepted
				   ? audit_file(s, "history.import", path, st)
				   : 0;

		if (aerr)
			return aerr;
	}
	return err;
}

int am_import_payments(struct am_store *s, const char *path,
		       struct am_import_stats *st, struct am_diags *diags)
{
	return import_file(s, path, 1u << PAYMENTS, st, diags);
}
