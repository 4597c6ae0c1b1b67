/* amanat generate: a deterministic synthetic country, streamed month by
 * month and workshop by workshop from a few bytes of state per insured. */
#include "core/internal.h"

#include "amanat/generate.h"
#include "amanat/text.h"
#include "amanat/assess.h"
#include "amanat/formats.h"

#include "app/gen_int.h"

/* The shapes use a few doubles; the bytes must not depend on whether the
 * compiler fuses a multiply and an add (gcc's C11 mode never does). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/*
 * What is kept: a size per workshop, and a slot per job (the workers of
 * the first month): who holds it, the wage as a multiple of the minimum,
 * and since when. Everything else about a person, a workshop or an
 * employer is drawn again from the seed and its number whenever needed,
 * so the registry written at the end agrees with the lists.
 */

#define VACANT UINT32_MAX
/* Person numbers: workers below DEP_BASE; dependants of worker w at
 * DEP_BASE + 8w + k; employers who are natural persons above EMP_BASE.
 * All map one to one onto national codes. */
#define WORKER_MAX (1u << 26)
#define DEP_BASE WORKER_MAX
#define EMP_BASE (DEP_BASE + 8u * WORKER_MAX)
#define INSURED_MAX 40000000u
#define MONTHS_MAX 600u
/* Wages are kept in thousandths of the minimum wage. */
#define WAGE_MIN_MULT 1000u
#define WAGE_MAX_MULT 60000u

/* Monthly dynamics, per thousand. */
#define LEAVE_PERMILLE 20    /* an employed worker leaves this month */
#define FILL_PERMILLE 500    /* a vacant job is filled this month */
#define REHIRE_PERMILLE 500  /* …by someone who worked before */
#define TO_POOL_PERMILLE 600 /* a leaver looks for work again */
#define PARTIAL_PERMILLE 30  /* a month with unpaid days off */
#define OVERTIME_PERMILLE 250

/* Workshop sizes: a Lomax (Pareto II) law, P(size >= s) = (1 + (s-1)/B)^-A,
 * fitted to ~33% one-worker workshops and ~2.5% over 50 (scale-and-
 * provinces.md), capped at SIZE_CAP (or N/25 for small countries). */
#define SIZE_ALPHA 1.22
#define SIZE_B 2.58
#define SIZE_CAP 8000u

enum tag {
	TAG_PERSON = 1,
	TAG_WORKSHOP,
	TAG_EMPLOYER,
	TAG_NATCODE,
	TAG_LEGAL,
	TAG_WCODE,
	TAG_INSNO,
	TAG_DEPENDANT,
	TAG_SIZES,
	TAG_MONTHS,
};

struct rng {
	uint64_t s;
};

struct slot {
	uint32_t pid;	/* VACANT or a worker number */
	uint16_t wage;	/* thousandths of the minimum daily wage */
	uint16_t since; /* start date, in days after gen.base */
};

struct person {
	uint32_t id;
	char natcode[11];
	char insno[11];
	char idno[16];
	const char *first, *last, *father, *id_place;
	am_date birth, id_date;
	char sex;
	bool afghan;
	bool married;
	int children;
};

struct shop {
	uint32_t index;
	char code[11];
	const struct am__gen_province *province;
	const struct am__gen_activity *activity;
	bool legal, hh, exempt;
	uint32_t employer; /* the workshop whose employer this is */
	unsigned branch;
	char employer_id[12];
	char name[192], employer_name[192], address[192];
};

/* Wage items of a period, from the rules (0 where none is in force). */
struct items {
	am_money housing, groceries, marriage, child, seniority;
	bool s_housing, s_groceries, s_marriage, s_child, s_seniority,
		s_overtime;
};

struct gen {
	const struct am_rules *rules;
	const struct am_generate_opts *o;
	struct am_diags *diags;
	uint64_t seed;
	uint32_t nshops, nslots;
	uint32_t *size;
	struct slot *slots;
	uint32_t *pool;
	uint32_t npool, pool_cap;
	uint32_t next_pid;
	am_date start, base;
	uint32_t exempt_max;
	struct rng rng;
	uint32_t age_cum[2][48]; /* cumulative weights of ages 18..65 */
	uint32_t prov_cum[64];
	uint32_t act_cum[64];
	/* the month being written */
	struct am_assess_params ap;
	struct items it;
	struct am_wage_list list;
	struct am_wage_line *lines;
	uint32_t *leavers; /* of the workshop being written, for the pool */
	size_t lines_cap;
	FILE *out;
	struct am_generate_stats st;
};

/* ---- randomness and the few functions the shapes need ---------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: small, fast and plenty for synthetic data. */
static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* A stream of its own for one entity: the same whatever else is drawn. */
static struct rng rng_for(uint64_t seed, enum tag tag, uint64_t id)
{
	struct rng r = { mix64(seed ^ mix64(((uint64_t)tag << 56) ^ id)) };

	return r;
}

/* 0..n-1 (n < 2^32), by multiply-shift. */
static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static bool chance(struct rng *r, unsigned permille)
{
	return below(r, 1000) < permille;
}

static double unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* log and exp from + - × / only, so that the shapes, and the bytes, are
 * the same with any libm. */
#define LN2 0.69314718055994530942

static double det_log(double x)
{
	double t, t2, term, sum = 0;
	int e = 0;

	while (x >= 2.0) {
		x *= 0.5;
		e++;
	}
	while (x < 1.0) {
		x *= 2.0;
		e--;
	}
	if (x > 1.4142135623730951) {
		x *= 0.5;
		e++;
	}
	t = (x - 1) / (x + 1);
	t2 = t * t;
	term = t;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= t2;
	}
	return 2 * sum + e * LN2;
}

static double det_exp(double x)
{
	double r, term = 1, sum = 1;
	int64_t k;

	if (x > 700)
		x = 700;
	if (x < -700)
		x = -700;
	k = (int64_t)(x / LN2 + (x >= 0 ? 0.5 : -0.5));
	r = x - (double)k * LN2;
	for (int i = 1; i < 25; i++) {
		term *= r / i;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2;
	for (; k < 0; k++)
		sum *= 0.5;
	return sum;
}

/* A standard normal deviate, as the sum of 12 uniforms (Irwin-Hall):
 * bounded at ±6, which suits wages. */
static double normal(struct rng *r)
{
	double s = -6;

	for (int i = 0; i < 12; i++)
		s += unit(r);
	return s;
}

/* Index into a cumulative weight table. */
static size_t pick(struct rng *r, const uint32_t *cum, size_t n)
{
	uint32_t x = below(r, cum[n - 1]);
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x < cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static const char *pick_table(struct rng *r, const struct am__gen_table *t)
{
	return t->items[below(r, (uint32_t)t->n)];
}

/* ---- identifiers: one-to-one from numbers, with their check digits ---- */

/* A keyed permutation of 0..domain-1: a 4-round Feistel network on the
 * smallest even number of bits that holds domain, walking the cycle until
 * the value falls inside. */
static uint64_t permute(uint64_t x, uint64_t domain, uint64_t key)
{
	unsigned bits = 2;
	uint64_t mask;

	while (bits < 64 && (1ULL << bits) < domain)
		bits += 2;
	mask = (1ULL << (bits / 2)) - 1;
	do {
		uint64_t l = x >> (bits / 2), r = x & mask;

		for (uint64_t round = 0; round < 4; round++) {
			uint64_t f = mix64(r ^ key ^ (round << 60)) & mask;
			uint64_t t = l ^ f;

			l = r;
			r = t;
		}
		x = (l << (bits / 2)) | r;
	} while (x >= domain);
	return x;
}

/* v as n decimal digits, zero-padded (no NUL). */
static void digits(uint64_t v, char *out, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* National codes: a 3-digit prefix 001..699 (never three same digits),
 * six digits 000001..999999, and the mod-11 check digit. */
#define NAT_PREFIXES (699u - 6u)
#define NAT_BODIES 999999u

static unsigned nat_prefix(unsigned i)
{
	unsigned skipped = 0;

	/* skip 111, 222, … 666: i + 1 plus the multiples passed */
	while ((i + 1 + skipped) / 111 != skipped)
		skipped = (i + 1 + skipped) / 111;
	return i + 1 + skipped;
}

static void natcode_make(uint64_t seed, uint32_t id, char out[11])
{
	uint64_t x = permute(id, (uint64_t)NAT_PREFIXES * NAT_BODIES,
			     mix64(seed ^ TAG_NATCODE));
	unsigned prefix = nat_prefix((unsigned)(x / NAT_BODIES));
	unsigned body = (unsigned)(x % NAT_BODIES) + 1, s = 0, r;

	digits(prefix, out, 3);
	digits(body, out + 3, 6);
	for (unsigned i = 0; i < 9; i++)
		s += (unsigned)(out[i] - '0') * (10 - i);
	r = s % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = '\0';
}

/* Legal-entity ids: "10", a digit, a non-zero digit, six digits, and the
 * check digit of include/amanat/ident.h. */
static void legal_id_make(uint64_t seed, uint32_t idx, char out[12])
{
	static const unsigned coef[5] = { 29, 27, 23, 19, 17 };
	uint64_t x = permute(idx, 90000000u, mix64(seed ^ TAG_LEGAL));
	unsigned a = (unsigned)(x / 9000000u);
	unsigned b = 1 + (unsigned)(x / 1000000u % 9);
	unsigned c = (unsigned)(x % 1000000u), k, s = 0, r;

	out[0] = '1';
	out[1] = '0';
	out[2] = (char)('0' + a % 10);
	out[3] = (char)('0' + b);
	digits(c, out + 4, 6);
	k = (unsigned)(out[9] - '0') + 2;
	for (unsigned i = 0; i < 10; i++)
		s += (k + (unsigned)(out[i] - '0')) * coef[i % 5];
	r = s % 11;
	out[10] = (char)('0' + (r == 10 ? 0 : r));
	out[11] = '\0';
}

static void workshop_code_make(uint64_t seed, uint32_t idx, char out[11])
{
	uint64_t x = permute(idx, 9000000000ULL, mix64(seed ^ TAG_WCODE));

	digits((uint64_t)1000000000u + x, out, 10);
	out[10] = '\0';
}

static void insno_make(uint64_t seed, uint32_t id, char out[11])
{
	uint64_t x = permute(id, 900000000u, mix64(seed ^ TAG_INSNO));

	digits((uint64_t)1000000000u + x, out, 10);
	out[10] = '\0';
}

/* ---- people ------------------------------------------------------------ */

/* Relative weights of the working ages 18..65: a rise to a plateau at
 * 30-45 (men) or 26-40 (women), then a slow fall. */
static uint32_t age_weight(int age, int female)
{
	int peak_lo = female ? 26 : 30, peak_hi = female ? 40 : 45;

	if (age < peak_lo)
		return (uint32_t)(3 + (age - 18) * 10 / (peak_lo - 18));
	if (age <= peak_hi)
		return 13;
	return (uint32_t)(13 - (age - peak_hi) * 12 / (65 - peak_hi));
}

static am_date years_before(am_date d, int years)
{
	return d - (am_date)(years * 365 + years / 4);
}

static const char *pick_city(struct gen *g, struct rng *r)
{
	return am__gen_provinces[pick(r, g->prov_cum, am__gen_nprovinces)]
		.capital;
}

static void id_papers(struct gen *g, struct rng *r, struct person *p)
{
	struct am_ymd y;

	am_date_to_jalali(p->birth, &y);
	/* Since 1368 the birth certificate carries the national code. */
	if (y.year >= 1368)
		am__strlcpy(p->idno, p->natcode, sizeof(p->idno));
	else
		snprintf(p->idno, sizeof(p->idno), "%u", 1 + below(r, 9999));
	p->id_date = p->birth + (am_date)below(r, 60);
	p->id_place = pick_city(g, r);
}

/* A main insured: about 80% men, working ages, mostly Iranian. */
static void person_worker(struct gen *g, uint32_t id, struct person *p)
{
	struct rng r = rng_for(g->seed, TAG_PERSON, id);
	int female = !chance(&r, 800), age;

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->sex = female ? 'F' : 'M';
	age = 18 + (int)pick(&r, g->age_cum[female], 48);
	p->birth = years_before(g->start, age) - (am_date)below(&r, 365);
	p->afghan = chance(&r, 30);
	p->first = pick_table(&r, female ? &am__gen_female : &am__gen_male);
	p->last = pick_table(&r, &am__gen_last);
	p->father = pick_table(&r, &am__gen_male);
	if (age >= 27)
		p->married = chance(&r, female ? 650 : 800);
	else if (age >= 22)
		p->married = chance(&r, female ? 400 : 300);
	if (p->married && !female)
		p->children = (int)below(&r, age < 30 ? 2 : 4);
	natcode_make(g->seed, id, p->natcode);
	insno_make(g->seed, id, p->insno);
	id_papers(g, &r, p);
}

/* Dependant k of worker w: 0 the wife, 1..4 children, 5 father, 6 mother.
 * since is the day the relation began (marriage, birth). Returns false
 * when w has no such dependant. */
static bool person_dependant(struct gen *g, const struct person *w, int k,
			     struct person *p, am_date *since)
{
	uint32_t id = DEP_BASE + 8 * w->id + (uint32_t)k;
	struct rng r = rng_for(g->seed, TAG_DEPENDANT, id);
	/* The marriage is the worker's (number 7 of the eight), the same for
	 * the wife and every child. */
	struct rng rm = rng_for(g->seed, TAG_DEPENDANT, id - (uint32_t)k + 7);
	am_date married;
	bool parent = chance(&r, 20);

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->afghan = w->afghan;
	married = years_before(w->birth, -24) + (am_date)below(&rm, 2000);
	if (married >= g->start)
		married = g->start - 1 - (am_date)below(&rm, 300);
	/* A wife and children for married men only. */
	if (k <= 4) {
		if (!w->married || w->sex != 'M' || k > w->children)
			return false;
	}
	if (k == 0) {
		p->sex = 'F';
		/* Younger than her husband, and 18 or more at marriage. */
		p->birth = w->birth + (am_date)below(&r, 6 * 365);
		if (p->birth > years_before(married, 18))
			p->birth = years_before(married, 18);
		p->first = pick_table(&r, &am__gen_female);
		p->last = pick_table(&r, &am__gen_last);
		p->father = pick_table(&r, &am__gen_male);
		*since = married;
	} else if (k <= 4) {
		p->sex = chance(&r, 510) ? 'M' : 'F';
		p->birth = married + 300 + (am_date)(k - 1) * 900 +
			   (am_date)below(&r, 700);
		if (p->birth >= g->start)
			return false;
		p->first = pick_table(&r, p->sex == 'M' ? &am__gen_male
							: &am__gen_female);
		p->last = w->last;
		p->father = w->first;
		*since = p->birth;
	} else {
		if (!parent)
			return false;
		p->sex = k == 5 ? 'M' : 'F';
		p->birth = years_before(w->birth, 22 + (int)below(&r, 14));
		p->first = pick_table(&r,
				      k == 5 ? &am__gen_male : &am__gen_female);
		p->last = k == 5 ? w->last : pick_table(&r, &am__gen_last);
		p->father = pick_table(&r, &am__gen_male);
		*since = g->start - 1 - (am_date)below(&r, 3000);
	}
	natcode_make(g->seed, id, p->natcode);
	insno_make(g->seed, id, p->insno);
	id_papers(g, &r, p);
	return true;
}

/* ---- workshops ------------------------------------------------------- */

static bool shop_shares_employer(struct gen *g, uint32_t w)
{
	struct rng r = rng_for(g->seed, TAG_EMPLOYER, w);

	return w > 0 && chance(&r, 50);
}

/* The workshop whose employer owns w: an earlier one for a few. */
static uint32_t shop_owner(struct gen *g, uint32_t w)
{
	struct rng r = rng_for(g->seed, TAG_EMPLOYER, w);
	uint32_t other;

	if (!shop_shares_employer(g, w))
		return w;
	rng_next(&r);
	other = w - 1 - below(&r, w < 50 ? w : 50);
	return shop_shares_employer(g, other) ? w : other;
}

static void persian_number(unsigned n, char *out, size_t size)
{
	char ascii[16];
	struct am_buf b;

	snprintf(ascii, sizeof(ascii), "%u", n);
	am_buf_init(&b, 64);
	if (am_text_digits_to_persian(ascii, strlen(ascii), &b) == 0)
		am__strlcpy(out, b.buf, size);
	else
		am__strlcpy(out, ascii, size);
	am_buf_release(&b);
}

/* The parts of a workshop that do not depend on its employer. */
static void shop_base(struct gen *g, uint32_t w, struct shop *s)
{
	struct rng r = rng_for(g->seed, TAG_WORKSHOP, w);
	uint32_t size = g->size[w];
	unsigned legal_pm, branches;

	s->index = w;
	workshop_code_make(g->seed, w, s->code);
	s->province =
		&am__gen_provinces[pick(&r, g->prov_cum, am__gen_nprovinces)];
	s->activity =
		&am__gen_activities[pick(&r, g->act_cum, am__gen_nactivities)];
	legal_pm = size >= 50 ? 950 : size >= 10 ? 600 : 150;
	s->legal = chance(&r, legal_pm);
	s->hh = chance(&r, s->activity->hh_permille);
	s->exempt = size <= g->exempt_max && chance(&r, 400);
	/* About one branch per half million people. */
	branches = 1 + s->province->weight / 50;
	s->branch = 1 + below(&r, branches);
}

static void employer_person(struct gen *g, uint32_t owner, struct person *p)
{
	struct rng r = rng_for(g->seed, TAG_EMPLOYER, owner + 0x100000000ULL);

	memset(p, 0, sizeof(*p));
	p->id = EMP_BASE + owner;
	p->first = chance(&r, 900) ? pick_table(&r, &am__gen_male)
				   : pick_table(&r, &am__gen_female);
	p->last = pick_table(&r, &am__gen_last);
	natcode_make(g->seed, p->id, p->natcode);
}

static void company_name(struct gen *g, const struct shop *s, char *out,
			 size_t size)
{
	struct rng r = rng_for(g->seed, TAG_EMPLOYER,
			       s->index + 0x200000000ULL);
	const char *b1 = pick_table(&r, &am__gen_brands);
	const char *b2 = chance(&r, 500) ? pick_table(&r, &am__gen_brands)
					 : s->province->capital;

	if (b2 == b1)
		b2 = s->province->capital;
	snprintf(out, size, "شرکت %s %s %s", s->activity->corp, b1, b2);
}

static void shop_make(struct gen *g, uint32_t w, struct shop *s)
{
	struct shop owner;
	struct rng r = rng_for(g->seed, TAG_WORKSHOP, w + 0x100000000ULL);
	char no[16];

	memset(s, 0, sizeof(*s));
	shop_base(g, w, s);
	s->employer = shop_owner(g, w);
	memset(&owner, 0, sizeof(owner));
	if (s->employer == w)
		owner = *s;
	else
		shop_base(g, s->employer, &owner);
	s->legal = owner.legal;
	if (owner.legal) {
		legal_id_make(g->seed, s->employer, s->employer_id);
		company_name(g, &owner, s->employer_name,
			     sizeof(s->employer_name));
		am__strlcpy(s->name, s->employer_name, sizeof(s->name));
	} else {
		struct person p;

		employer_person(g, s->employer, &p);
		am__strlcpy(s->employer_id, p.natcode, sizeof(s->employer_id));
		snprintf(s->employer_name, sizeof(s->employer_name), "%s %s",
			 p.first, p.last);
		snprintf(s->name, sizeof(s->name), "%s %s", s->activity->shop,
			 p.last);
	}
	persian_number(1 + below(&r, 250), no, sizeof(no));
	snprintf(s->address, sizeof(s->address), "%s، %sخیابان %s، پلاک %s",
		 s->province->capital,
		 s->activity->industrial ? "شهرک صنعتی، " : "",
		 pick_table(&r, &am__gen_streets), no);
}

/* The size drawn for x (a Lomax deviate) with the excess scaled by k:
 * below 1, one worker (a third of workshops, whatever k, unless keep_ones
 * is false because even two workers each would be too many). */
static uint32_t size_of(float x, double k, bool keep_ones, uint32_t cap)
{
	double s;

	if (keep_ones)
		s = x < 1 ? 1 : 2 + ((double)x - 1) * k;
	else
		s = 1 + (double)x * k;
	return s >= cap ? cap : (uint32_t)s;
}

static uint64_t sizes_total(const float *x, uint32_t n, double k,
			    bool keep_ones, uint32_t cap)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < n; i++)
		total += size_of(x[i], k, keep_ones, cap);
	return total;
}

/* Sizes of the nshops workshops, summing to nslots: quantiles of the
 * Lomax law in shuffled order, their excess scaled by the factor that
 * makes the sum come out, capped; what rounding leaves goes to workshops
 * with more than one worker. */
static int sizes_make(struct gen *g)
{
	struct rng r = rng_for(g->seed, TAG_SIZES, 0);
	uint32_t n = g->nshops, cap;
	uint64_t total;
	bool keep;
	float *x;
	double lo = 0, hi = 1;

	cap = g->nslots / 25;
	if (cap > SIZE_CAP)
		cap = SIZE_CAP;
	if (cap < 2 * (g->nslots / n + 1))
		cap = 2 * (g->nslots / n + 1);
	if (cap > g->nslots - (n - 1))
		cap = g->nslots - (n - 1);
	x = malloc((size_t)n * sizeof(*x));
	if (!x)
		return AM_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		double u = ((double)i + unit(&r)) / n;

		x[i] = (float)(SIZE_B *
			       (det_exp(-det_log(1 - u) / SIZE_ALPHA) - 1));
	}
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = below(&r, i + 1);
		float t = x[i];

		x[i] = x[j];
		x[j] = t;
	}
	keep = sizes_total(x, n, 0, true, cap) <= g->nslots;
	while (sizes_total(x, n, hi, keep, cap) < g->nslots && hi < 1e9)
		hi *= 2;
	/* The largest factor whose sum does not pass nslots. */
	for (int it = 0; it < 60; it++) {
		double mid = (lo + hi) / 2;

		if (sizes_total(x, n, mid, keep, cap) <= g->nslots)
			lo = mid;
		else
			hi = mid;
	}
	total = 0;
	for (uint32_t i = 0; i < n; i++) {
		g->size[i] = size_of(x[i], lo, keep, cap);
		total += g->size[i];
	}
	free(x);
	for (uint32_t i = 0, pass = 0; total < g->nslots; i++) {
		if (i == n) {
			i = 0;
			pass++;
		}
		if ((g->size[i] > 1 || pass > 0) && g->size[i] < cap) {
			g->size[i]++;
			total++;
		}
	}
	return 0;
}

/* ---- wages --------------------------------------------------------- */

/* A third at the minimum; the rest 1 + a log-normal (median 0.7) times
 * it, so a few per cent earn above the ceiling of seven minimums. */
static uint16_t wage_draw(struct rng *r)
{
	double m;

	if (chance(r, 330))
		return WAGE_MIN_MULT;
	m = WAGE_MIN_MULT * (1 + det_exp(-0.3567 + 1.0 * normal(r)));
	return m > WAGE_MAX_MULT ? WAGE_MAX_MULT : (uint16_t)m;
}

static int daily_wage(am_money min, uint16_t mult, am_money *out)
{
	struct am_rate rt = { mult, WAGE_MIN_MULT };
	am_money d;
	int err;

	if (mult <= WAGE_MIN_MULT) {
		*out = min;
		return 0;
	}
	err = am_money_mul_rate(min, rt, AM_ROUND_DOWN, &d);
	if (!err)
		err = am_money_round_to(d, 1000, AM_ROUND_DOWN, &d);
	if (err)
		return err;
	*out = d < min ? min : d;
	return 0;
}

static am_money item_money(struct gen *g, const char *name)
{
	am_money v = 0;

	if (am_rules_money(g->rules, name, g->ap.first_day, &v, NULL) != 0)
		return 0;
	return v;
}

static bool item_subject(struct gen *g, const char *name)
{
	bool b = false;

	if (am_rules_bool(g->rules, name, g->ap.first_day, &b, NULL) != 0)
		return false;
	return b;
}

static int period_load(struct gen *g, struct am_period p)
{
	struct am_diag d;
	struct items *it = &g->it;
	int err;

	memset(&d, 0, sizeof(d));
	err = am_assess_params_load(g->rules, p, &g->ap, &d);
	if (err) {
		am_diags_push(g->diags, &d);
		return err;
	}
	it->housing = item_money(g, "wage.item.housing.monthly");
	it->groceries = item_money(g, "wage.item.groceries.monthly");
	it->marriage = item_money(g, "wage.item.marriage.monthly");
	it->child = item_money(g, "wage.item.child_allowance.monthly");
	it->seniority = item_money(g, "wage.item.seniority_base.monthly");
	it->s_housing = item_subject(g, "wage.subject.housing");
	it->s_groceries = item_subject(g, "wage.subject.groceries");
	it->s_marriage = item_subject(g, "wage.subject.marriage");
	it->s_child = item_subject(g, "wage.subject.child_allowance");
	it->s_seniority = item_subject(g, "wage.subject.seniority_base");
	it->s_overtime = item_subject(g, "wage.subject.overtime");
	return 0;
}

/* Add a monthly item for the days worked to the subject or other pay. */
static int add_item(am_money monthly, int days, bool subject, am_money *sub,
		    am_money *other)
{
	struct am_rate rt = { days, 30 };
	am_money v;
	int err;

	if (monthly <= 0)
		return 0;
	err = am_money_mul_rate(monthly, rt, AM_ROUND_DOWN, &v);
	if (err)
		return err;
	return am_money_add(subject ? *sub : *other, v, subject ? sub : other);
}

/* ---- the lists ---------------------------------------------------------- */

static const char *nationality_word(bool afghan)
{
	return afghan ? "افغانستانی" : "ایرانی";
}

static const char *occupation(struct rng *r, const struct shop *s)
{
	size_t n = 0;

	while (n < AM_ARRAY_SIZE(s->activity->jobs) && s->activity->jobs[n])
		n++;
	if (n == 0 || chance(r, 150))
		return pick_table(r, &am__gen_office_jobs);
	return s->activity->jobs[below(r, (uint32_t)n)];
}

/* The line of slot k this month. *leave (out) tells the slot empties. */
static int line_make(struct gen *g, const struct shop *s, struct slot *sl,
		     uint32_t k, struct am_wage_line *l, bool *leave)
{
	struct am_assess_params *ap = &g->ap;
	struct rng r = rng_for(
		g->seed, TAG_MONTHS,
		((uint64_t)(ap->period.year * 12 + ap->period.month) << 32) ^
			k);
	struct person p;
	am_money sub = 0, other = 0;
	am_date since;
	bool joined = false;
	int err, mdays = ap->month_days;

	*leave = false;
	memset(l, 0, sizeof(*l));
	if (sl->pid == VACANT) {
		int day = 1 + (int)below(&g->rng, (uint32_t)mdays);

		if (g->next_pid >= WORKER_MAX && g->npool == 0)
			return 1;
		if (g->npool && chance(&g->rng, REHIRE_PERMILLE)) {
			uint32_t i = below(&g->rng, g->npool);

			sl->pid = g->pool[i];
			g->pool[i] = g->pool[--g->npool];
		} else if (g->next_pid < WORKER_MAX) {
			sl->pid = g->next_pid++;
		} else {
			uint32_t i = below(&g->rng, g->npool);

			sl->pid = g->pool[i];
			g->pool[i] = g->pool[--g->npool];
		}
		sl->wage = wage_draw(&g->rng);
		sl->since = (uint16_t)(ap->first_day + day - 1 - g->base);
		l->days = mdays - day + 1;
		joined = true;
		g->st.joins++;
	}
	since = g->base + sl->since;
	l->start_date = since;
	l->end_date = AM_WAGE_DATE_NONE;
	if (!joined && chance(&g->rng, LEAVE_PERMILLE)) {
		int day = 1 + (int)below(&g->rng, (uint32_t)mdays);

		if (since > ap->first_day + day - 1)
			day = (int)(since - ap->first_day) + 1;
		l->end_date = ap->first_day + day - 1;
		l->days = day - (since > ap->first_day
					 ? (int)(since - ap->first_day)
					 : 0);
		*leave = true;
		g->st.leaves++;
	} else if (!joined) {
		l->days = mdays;
		if (chance(&r, PARTIAL_PERMILLE))
			l->days -= 1 + (int)below(&r, 10);
	}
	person_worker(g, sl->pid, &p);
	am__strlcpy(l->national_code, p.natcode, sizeof(l->national_code));
	am__strlcpy(l->insurance_no, p.insno, sizeof(l->insurance_no));
	l->first_name = p.first;
	l->last_name = p.last;
	l->father_name = p.father;
	l->id_no = am_arena_strdup(&g->list.arena, p.idno);
	l->id_place = p.id_place;
	l->id_date = p.id_date;
	l->birth_date = p.birth;
	l->sex = p.sex;
	l->nationality = nationality_word(p.afghan);
	l->occupation = occupation(&r, s);
	l->job_code = "";
	err = daily_wage(ap->min_daily, sl->wage, &l->daily_wage);
	/* Benefits, each for the days worked. */
	if (!err)
		err = add_item(g->it.housing, l->days, g->it.s_housing, &sub,
			       &other);
	if (!err)
		err = add_item(g->it.groceries, l->days, g->it.s_groceries,
			       &sub, &other);
	if (!err && p.married)
		err = add_item(g->it.marriage, l->days, g->it.s_marriage, &sub,
			       &other);
	if (!err && since + 365 <= ap->first_day)
		err = add_item(g->it.seniority, l->days, g->it.s_seniority,
			       &sub, &other);
	/* RULE ir.wage.child_allowance: after 720 days of contributions,
	 * taken here as two years in the job. */
	for (int c = 0; !err && c < p.children && since + 730 <= ap->first_day;
	     c++)
		err = add_item(g->it.child, l->days, g->it.s_child, &sub,
			       &other);
	if (!err && chance(&r, OVERTIME_PERMILLE)) {
		struct am_rate ot = { 14 * (1 + (int64_t)below(&r, 40)), 733 };
		am_money v;

		err = am_money_mul_rate(l->daily_wage, ot, AM_ROUND_DOWN, &v);
		if (!err)
			err = am_money_add(g->it.s_overtime ? sub : other, v,
					   g->it.s_overtime ? &sub : &other);
	}
	l->benefits = sub;
	l->hard_harmful_days = s->hh ? l->days : 0;
	if (!err)
		err = am_wage_line_fill(ap, l);
	if (!err)
		err = am_money_add(l->monthly_wage, sub, &l->total_pay);
	if (!err)
		err = am_money_add(l->total_pay, other, &l->total_pay);
	return err;
}

static int sum(am_money *t, am_money v)
{
	return am_money_add(*t, v, t);
}

/* The header totals, as the lines give them. */
static int list_totals(struct gen *g, const struct shop *s)
{
	struct am_wage_list *l = &g->list;
	struct am_workshop_terms terms = { s->hh, s->exempt };
	int err = 0;

	l->has_totals = true;
	l->t_workers = (int64_t)l->nlines;
	for (size_t i = 0; i < l->nlines && !err; i++) {
		const struct am_wage_line *w = &l->lines[i];
		struct am_line_assessment a;

		l->t_days += w->days;
		err = am_wage_line_assess(&g->ap, &terms, w, &a);
		if (!err)
			err = sum(&l->t_daily, w->daily_wage);
		if (!err)
			err = sum(&l->t_wage, w->monthly_wage);
		if (!err)
			err = sum(&l->t_benefits, w->benefits);
		if (!err)
			err = sum(&l->t_subject, w->subject_wage);
		if (!err)
			err = sum(&l->t_total, w->total_pay);
		if (!err)
			err = sum(&l->t_insured, w->insured_share);
		if (!err)
			err = sum(&l->t_employer, a.employer);
		if (!err && !a.unemployment_by_state)
			err = sum(&l->t_unemployment, a.unemployment);
		if (!err)
			err = sum(&l->t_hard_harmful, a.hard_harmful);
	}
	/* DSK_RATE: the employer's and the unemployment rates. */
	l->rate = am_assess_dsk_rate(&g->ap);
	return err;
}

/* ---- writing ------------------------------------------------------------ */

static int io_fail(struct gen *g, const char *path)
{
	am_diags_add(g->diags, AM_EIO, path, 0, NULL, strerror(errno), NULL);
	return AM_EIO;
}

#define PATH_SIZE 4096

/* out = a "/" b, or AM_ETOO_LONG. */
static int path_join(struct gen *g, char out[PATH_SIZE], const char *a,
		     const char *b)
{
	int n = snprintf(out, PATH_SIZE, "%s/%s", a, b);

	if (n < 0 || n >= PATH_SIZE) {
		am_diags_add(g->diags, AM_ETOO_LONG, a, 0, NULL, b, NULL);
		return AM_ETOO_LONG;
	}
	return 0;
}

static int mkdir_p(struct gen *g, const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	return io_fail(g, path);
}

/* A CSV row built in memory and written with one fwrite: fields are
 * appended each with its comma, and row_end turns the last into a newline.
 * Fields are short (names and codes), so a row never fills the buffer; if
 * one did, it would be cut, never overrun. */
struct row {
	size_t n;
	char b[2048];
};

static void row_raw(struct row *r, const char *s, size_t len)
{
	if (len > sizeof(r->b) - 2 - r->n)
		len = sizeof(r->b) - 2 - r->n;
	memcpy(r->b + r->n, s, len);
	r->n += len;
}

/* Text, quoted only when it must be. */
static void row_text(struct row *r, const char *s)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		row_raw(r, "\"", 1);
		for (; *s; s++)
			row_raw(r, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
		row_raw(r, "\"", 1);
	} else if (s) {
		row_raw(r, s, strlen(s));
	}
	row_raw(r, ",", 1);
}

static void row_int(struct row *r, int64_t v)
{
	char d[24];
	size_t i = sizeof(d);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[--i] = '-';
	row_raw(r, d + i, sizeof(d) - i);
	row_raw(r, ",", 1);
}

/* YYYYMMDD as ListDisk writes it (slashes false), or YYYY/MM/DD;
 * nothing for AM_WAGE_DATE_NONE. */
static void row_date(struct row *r, am_date d, bool slashes)
{
	char buf[16];
	struct am_ymd y;

	if (d != AM_WAGE_DATE_NONE) {
		am_date_to_jalali(d, &y);
		buf[0] = (char)('0' + y.year / 1000 % 10);
		buf[1] = (char)('0' + y.year / 100 % 10);
		buf[2] = (char)('0' + y.year / 10 % 10);
		buf[3] = (char)('0' + y.year % 10);
		buf[4] = '/';
		buf[5] = (char)('0' + y.month / 10);
		buf[6] = (char)('0' + y.month % 10);
		buf[7] = '/';
		buf[8] = (char)('0' + y.day / 10);
		buf[9] = (char)('0' + y.day % 10);
		if (!slashes) {
			memmove(buf + 4, buf + 5, 2);
			memmove(buf + 6, buf + 8, 2);
		}
		row_raw(r, buf, slashes ? 10 : 8);
	}
	row_raw(r, ",", 1);
}

static void row_end(struct row *r, FILE *f)
{
	r->b[r->n - 1] = '\n';
	fwrite(r->b, 1, r->n, f);
	r->n = 0;
}

static int lines_reserve(struct gen *g, size_t n)
{
	struct am_wage_line *p;
	uint32_t *q;

	if (n <= g->lines_cap)
		return 0;
	p = realloc(g->lines, n * sizeof(*p));
	if (!p)
		return AM_ENOMEM;
	g->lines = p;
	q = realloc(g->leavers, n * sizeof(*q));
	if (!q)
		return AM_ENOMEM;
	g->leavers = q;
	g->lines_cap = n;
	return 0;
}

/* Those who left look for work again from the next workshop on, never in
 * the list they left (no one twice in a list). */
static void pool_add(struct gen *g, const uint32_t *pid, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (g->npool < g->pool_cap)
			g->pool[g->npool++] = pid[i];
		else
			g->pool[below(&g->rng, g->npool)] = pid[i];
	}
}

/* s cut to at most max characters at a word's end, for the narrow text
 * fields of DSKKAR00 (30 or 40 characters, one byte each in
 * Windows-1256); the registry keeps the whole name. */
static const char *fit(struct am_arena *a, const char *s, size_t max)
{
	size_t chars = 0, cut = 0, i;

	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (chars == max)
			break;
		if (s[i] == ' ')
			cut = i;
		chars++;
	}
	if (!s[i])
		return s;
	return am_arena_strndup(a, s, cut ? cut : i);
}

static int dbf_write(struct gen *g, struct am_wage_list *l, const char *dir)
{
	struct am_diag d;
	int err;

	l->workshop_name = fit(&l->arena, l->workshop_name, 30);
	l->employer_name = fit(&l->arena, l->employer_name, 30);
	l->address = fit(&l->arena, l->address, 40);
	l->description = fit(&l->arena, l->description, 30);
	if (!l->workshop_name || !l->employer_name || !l->address ||
	    !l->description)
		return AM_ENOMEM;
	memset(&d, 0, sizeof(d));
	err = am_dbf_write_diag(l, dir, AM_DBF_V27, AM_CP_WINDOWS_1256, &d);
	if (err) {
		if (!d.code)
			am_diag_set(&d, err, dir, 0, NULL, NULL, NULL);
		am_diags_push(g->diags, &d);
	}
	return err;
}

static int list_write(struct gen *g, const struct shop *s,
		      const char *month_dir)
{
	char dir[PATH_SIZE];
	int err;

	if (g->o->format == AM_GENERATE_CSV) {
		err = am_csv_write_list(g->out, &g->list);
		return err ? io_fail(g, "wages") : 0;
	}
	err = path_join(g, dir, month_dir, s->code);
	if (!err)
		err = mkdir_p(g, dir);
	if (!err)
		err = dbf_write(g, &g->list, dir);
	return err;
}

/* Empty the list for the next workshop, keeping its arena's memory. */
static void list_reset(struct am_wage_list *l)
{
	struct am_arena a = l->arena;

	am_arena_clear(&a);
	memset(l, 0, sizeof(*l));
	l->arena = a;
}

/* One workshop's month: move its slots on, write its list. */
static int shop_month(struct gen *g, uint32_t w, uint32_t first,
		      const char *month_dir)
{
	struct am_wage_list *l = &g->list;
	uint32_t n = g->size[w];
	size_t nleft = 0;
	char desc[96];
	struct shop s;
	int err;

	err = lines_reserve(g, n);
	if (err)
		return err;
	shop_make(g, w, &s);
	list_reset(l);
	l->lines = g->lines;
	l->nlines = 0;
	for (uint32_t k = first; k < first + n; k++) {
		struct slot *sl = &g->slots[k];
		struct am_wage_line *line = &g->lines[l->nlines];
		bool leave;

		if (sl->pid == VACANT && !chance(&g->rng, FILL_PERMILLE))
			continue;
		err = line_make(g, &s, sl, k, line, &leave);
		if (err < 0)
			return err;
		if (err > 0)
			continue;
		line->row = (unsigned)l->nlines + 2;
		l->nlines++;
		if (leave) {
			if (chance(&g->rng, TO_POOL_PERMILLE))
				g->leavers[nleft++] = sl->pid;
			sl->pid = VACANT;
		}
	}
	pool_add(g, g->leavers, nleft);
	if (l->nlines == 0)
		return 0;
	am__strlcpy(l->workshop, s.code, sizeof(l->workshop));
	am__strlcpy(l->list_no, "1", sizeof(l->list_no));
	l->period = g->ap.period;
	l->workshop_name = s.name;
	l->employer_name = s.employer_name;
	l->address = s.address;
	snprintf(desc, sizeof(desc), "لیست %s",
		 am_jalali_month_name(g->ap.period.month, true));
	l->description = desc;
	l->kind = g->ap.kind;
	l->contract_row[0] = '\0';
	err = list_totals(g, &s);
	if (!err)
		err = list_write(g, &s, month_dir);
	if (err)
		return err;
	g->st.lists++;
	g->st.lines += l->nlines;
	if (g->o->progress)
		am_progress_update(g->o->progress, g->st.lines);
	return 0;
}

static int file_open(struct gen *g, const char *path, FILE **out)
{
	char tmp[PATH_SIZE + 8];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return AM_ETOO_LONG;
	*out = fopen(tmp, "w");
	if (!*out)
		return io_fail(g, tmp);
	setvbuf(*out, NULL, _IOFBF, 1 << 20);
	return 0;
}

/* Close and rename into place; on an error (err, or one here) close and
 * remove the temporary file, so that no half file is left. */
static int file_close(struct gen *g, const char *path, FILE *f, int err)
{
	char tmp[PATH_SIZE + 8];
	bool bad = ferror(f) != 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		bad = true;
	if (fclose(f) != 0)
		bad = true;
	if (!err && (bad || rename(tmp, path) != 0))
		err = io_fail(g, path);
	if (err)
		unlink(tmp);
	return err;
}

static int month_run(struct gen *g, struct am_period p)
{
	char dir[PATH_SIZE], path[PATH_SIZE + 8];
	uint32_t first = 0;
	int err, n;

	err = period_load(g, p);
	if (err)
		return err;
	n = snprintf(dir, sizeof(dir), "%s/wages/%04d-%02d", g->o->outdir,
		     p.year % 10000, p.month % 100);
	if (n < 0 || n >= (int)sizeof(dir))
		return AM_ETOO_LONG;
	if (g->o->format == AM_GENERATE_CSV) {
		snprintf(path, sizeof(path), "%s.csv", dir);
		err = file_open(g, path, &g->out);
		if (err)
			return err;
		if (am_csv_write_header(g->out) != 0)
			err = AM_EIO;
	} else {
		err = mkdir_p(g, dir);
		if (err)
			return err;
	}
	for (uint32_t w = 0; w < g->nshops && !err; w++) {
		err = shop_month(g, w, first, dir);
		first += g->size[w];
	}
	if (g->o->format == AM_GENERATE_CSV)
		err = file_close(g, path, g->out, err);
	g->out = NULL;
	return err;
}

/* ---- the registry ---------------------------------------------------- */

static void person_row(FILE *f, const struct person *p)
{
	struct row r;

	r.n = 0;
	row_text(&r, p->natcode);
	row_text(&r, p->first);
	row_text(&r, p->last);
	row_text(&r, p->father);
	row_date(&r, p->birth, true);
	row_raw(&r, &p->sex, 1);
	row_raw(&r, ",", 1);
	row_text(&r, nationality_word(p->afghan));
	row_text(&r, p->insno);
	row_end(&r, f);
}

static const char *const relations[] = { "spouse", "child",  "child", "child",
					 "child",  "father", "mother" };

static int registry_persons(struct gen *g, const char *dir)
{
	char path[2][PATH_SIZE];
	FILE *f[2] = { NULL, NULL };
	int err;

	err = path_join(g, path[0], dir, "persons.csv");
	if (!err)
		err = path_join(g, path[1], dir, "dependants.csv");
	if (!err)
		err = file_open(g, path[0], &f[0]);
	if (err)
		return err;
	err = file_open(g, path[1], &f[1]);
	if (err) {
		file_close(g, path[0], f[0], err);
		return err;
	}
	fputs("national_code,first_name,last_name,father_name,birth_date,sex,"
	      "nationality,insurance_no\n",
	      f[0]);
	fputs("main_insured,dependant,relation,since\n", f[1]);
	for (uint32_t id = 0; id < g->next_pid; id++) {
		struct person w, d;

		person_worker(g, id, &w);
		person_row(f[0], &w);
		g->st.persons++;
		for (int k = 0; k < 7; k++) {
			struct row r;
			am_date from;

			if (!person_dependant(g, &w, k, &d, &from))
				continue;
			person_row(f[0], &d);
			r.n = 0;
			row_text(&r, w.natcode);
			row_text(&r, d.natcode);
			row_text(&r, relations[k]);
			row_date(&r, from, true);
			row_end(&r, f[1]);
			g->st.persons++;
			g->st.dependants++;
		}
	}
	err = file_close(g, path[0], f[0], 0);
	return file_close(g, path[1], f[1], err);
}

static int registry_workshops(struct gen *g, const char *dir)
{
	char path[2][PATH_SIZE];
	FILE *f[2] = { NULL, NULL };
	int err;

	err = path_join(g, path[0], dir, "employers.csv");
	if (!err)
		err = path_join(g, path[1], dir, "workshops.csv");
	if (!err)
		err = file_open(g, path[0], &f[0]);
	if (err)
		return err;
	err = file_open(g, path[1], &f[1]);
	if (err) {
		file_close(g, path[0], f[0], err);
		return err;
	}
	fputs("id,kind,name\n", f[0]);
	fputs("code,name,employer_id,address,province,branch,activity,scheme,"
	      "hard_harmful,small_exempt\n",
	      f[1]);
	for (uint32_t w = 0; w < g->nshops; w++) {
		struct shop s;
		char branch[96], no[16];
		struct row r;

		r.n = 0;
		shop_make(g, w, &s);
		if (s.employer == w) {
			row_text(&r, s.employer_id);
			row_text(&r, s.legal ? "legal" : "person");
			row_text(&r, s.employer_name);
			row_end(&r, f[0]);
			g->st.employers++;
		}
		persian_number(s.branch, no, sizeof(no));
		snprintf(branch, sizeof(branch), "شعبه %s %s", no,
			 s.province->capital);
		row_text(&r, s.code);
		row_text(&r, s.name);
		row_text(&r, s.employer_id);
		row_text(&r, s.address);
		row_text(&r, s.province->name);
		row_text(&r, branch);
		row_text(&r, s.activity->name);
		row_text(&r, "compulsory");
		row_int(&r, s.hh);
		row_int(&r, s.exempt);
		row_end(&r, f[1]);
		g->st.workshops++;
	}
	err = file_close(g, path[0], f[0], 0);
	return file_close(g, path[1], f[1], err);
}

/* ---- set-up ------------------------------------------------------------- */

static int opts_check(const struct am_generate_opts *o, struct am_diags *ds)
{
	char v[32];

	if (o->insured < 1 || o->insured > INSURED_MAX) {
		snprintf(v, sizeof(v), "%" PRIu64, o->insured);
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "--insured", v,
			     "1..40000000");
		return AM_EINVALID_ARGUMENT;
	}
	if (o->workshops > o->insured) {
		snprintf(v, sizeof(v), "%" PRIu64, o->workshops);
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "--workshops",
			     v, "at most --insured");
		return AM_EINVALID_ARGUMENT;
	}
	if (o->months < 1 || o->months > MONTHS_MAX) {
		snprintf(v, sizeof(v), "%u", o->months);
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "--months", v,
			     "1..600");
		return AM_EINVALID_ARGUMENT;
	}
	if (o->start.month < 1 || o->start.month > 12 || o->start.year < 1 ||
	    o->start.year > AM_JALALI_YEAR_MAX - 60) {
		snprintf(v, sizeof(v), "%d/%d", o->start.year, o->start.month);
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "--start", v,
			     "YYYY/MM");
		return AM_EINVALID_ARGUMENT;
	}
	if (o->format != AM_GENERATE_CSV && o->format != AM_GENERATE_DBF) {
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "--format",
			     NULL, "csv, dbf");
		return AM_EINVALID_ARGUMENT;
	}
	if (!o->outdir || !*o->outdir) {
		am_diags_add(ds, AM_EINVALID_ARGUMENT, NULL, 0, "OUTDIR", NULL,
			     "a directory");
		return AM_EINVALID_ARGUMENT;
	}
	return 0;
}

static void tables_init(struct gen *g)
{
	uint32_t c = 0;

	for (int f = 0; f < 2; f++) {
		c = 0;
		for (int a = 0; a < 48; a++)
			g->age_cum[f][a] = c += age_weight(18 + a, f);
	}
	c = 0;
	for (size_t i = 0; i < am__gen_nprovinces; i++)
		g->prov_cum[i] = c += am__gen_provinces[i].weight;
	c = 0;
	for (size_t i = 0; i < am__gen_nactivities; i++)
		g->act_cum[i] = c += am__gen_activities[i].weight;
}

/* The first month's workers, with their wages and start dates. */
static void slots_fill(struct gen *g)
{
	for (uint32_t k = 0; k < g->nslots; k++) {
		struct slot *sl = &g->slots[k];
		struct person p;
		am_date adult, since;
		int64_t span;

		sl->pid = g->next_pid++;
		sl->wage = wage_draw(&g->rng);
		person_worker(g, sl->pid, &p);
		adult = years_before(p.birth, -18);
		span = g->start - adult;
		if (span > (int64_t)20 * 365)
			span = (int64_t)20 * 365;
		since = g->start - 1 -
			(am_date)below(&g->rng, (uint32_t)span + 1);
		sl->since = (uint16_t)(since - g->base);
	}
}

static int gen_init(struct gen *g, const struct am_rules *r,
		    const struct am_generate_opts *o, struct am_diags *ds)
{
	int64_t exempt_max = 5;
	int err;

	memset(g, 0, sizeof(*g));
	g->rules = r;
	g->o = o;
	g->diags = ds;
	g->seed = o->seed;
	g->rng = rng_for(o->seed, TAG_MONTHS, UINT64_MAX);
	g->nslots = (uint32_t)o->insured;
	g->nshops = (uint32_t)(o->workshops ? o->workshops : o->insured / 12);
	if (g->nshops == 0)
		g->nshops = 1;
	err = am_period_first_day(o->start, &g->start);
	if (err) {
		am_diags_add(ds, err, NULL, 0, "--start", NULL, "YYYY/MM");
		return err;
	}
	/* Start dates from 30,000 days (82 years) before to about 97
	 * years after the first month fit the 16 bits of a slot. */
	g->base = g->start - 30000;
	if (am_rules_int(r, "contribution.small_exempt.max_workers", g->start,
			 &exempt_max, NULL) != 0)
		exempt_max = 5;
	g->exempt_max = (uint32_t)exempt_max;
	tables_init(g);
	g->pool_cap = g->nslots / 8 + 16;
	g->size = calloc(g->nshops, sizeof(*g->size));
	g->slots = calloc(g->nslots, sizeof(*g->slots));
	g->pool = calloc(g->pool_cap, sizeof(*g->pool));
	if (!g->size || !g->slots || !g->pool)
		return AM_ENOMEM;
	g->st.state_bytes = g->nshops * sizeof(*g->size) +
			    g->nslots * sizeof(*g->slots) +
			    g->pool_cap * sizeof(*g->pool);
	am_wage_list_init(&g->list);
	return sizes_make(g);
}

static void gen_release(struct gen *g)
{
	free(g->size);
	free(g->slots);
	free(g->pool);
	free(g->lines);
	free(g->leavers);
	am_wage_list_release(&g->list);
}

void am_generate_opts_init(struct am_generate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->months = 1;
	o->start.year = 1403;
	o->start.month = 1;
	o->seed = 1;
	o->format = AM_GENERATE_CSV;
}

const char *am_generate_format_name(enum am_generate_format f)
{
	switch (f) {
	case AM_GENERATE_CSV:
		return "csv";
	case AM_GENERATE_DBF:
		return "dbf";
	}
	return "unknown";
}

int am_generate_format_parse(const char *name, enum am_generate_format *out)
{
	if (name && !strcmp(name, "csv"))
		*out = AM_GENERATE_CSV;
	else if (name && !strcmp(name, "dbf"))
		*out = AM_GENERATE_DBF;
	else
		return AM_EINVALID_ARGUMENT;
	return 0;
}

static int dirs_make(struct gen *g, char reg[PATH_SIZE])
{
	char wages[PATH_SIZE];
	int err;

	err = path_join(g, reg, g->o->outdir, "registry");
	if (!err)
		err = path_join(g, wages, g->o->outdir, "wages");
	if (!err)
		err = mkdir_p(g, g->o->outdir);
	if (!err)
		err = mkdir_p(g, reg);
	if (!err)
		err = mkdir_p(g, wages);
	return err;
}

int am_generate(const struct am_rules *rules, const struct am_generate_opts *o,
		struct am_generate_stats *st, struct am_diags *diags)
{
	struct am_period p;
	char reg[PATH_SIZE];
	struct gen *g;
	int err;

	err = opts_check(o, diags);
	if (err)
		return err;
	g = malloc(sizeof(*g));
	if (!g)
		return AM_ENOMEM;
	err = gen_init(g, rules, o, diags);
	if (!err)
		err = dirs_make(g, reg);
	if (err)
		goto out_release;
	slots_fill(g);
	if (o->progress) {
		/* Again with the total, in the caller's words. */
		bool persian = o->progress->persian;

		am_progress_start(o->progress,
				  o->progress->label ? o->progress->label
						     : "generate",
				  (uint64_t)o->insured * o->months);
		o->progress->persian = persian;
	}
	p = o->start;
	for (unsigned m = 0; m < o->months && !err; m++) {
		err = month_run(g, p);
		if (m == 0)
			g->st.first_month_lines = g->st.lines;
		if (++p.month > 12) {
			p.month = 1;
			p.year++;
		}
	}
	if (o->progress)
		am_progress_finish(o->progress);
	if (!err)
		err = registry_workshops(g, reg);
	if (!err)
		err = registry_persons(g, reg);
	if (!err && st)
		*st = g->st;
out_release:
	gen_release(g);
	free(g);
	return err;
}
