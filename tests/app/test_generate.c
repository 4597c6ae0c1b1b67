/* Tests of amanat generate: the same bytes for the same seed, valid
 * identifiers, the national shape of workshop sizes, and every wage line
 * right to the rial by arithmetic done here, not by the library. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "amanat/app.h"
#include "amanat/date.h"
#include "amanat/generate.h"
#include "amanat/ident.h"
#include "amanat/rules.h"
#include "amanat/assess.h"
#include "amanat/formats.h"

#include "app/gen_int.h"
#include "testdb.h"

static struct am_rules *rules;

static int setup(void **state)
{
	const char *dir = getenv("AMANAT_RULES");
	struct am_diags ds;

	(void)state;
	am_diags_init(&ds, 0);
	if (!dir || am_rules_load_dir(dir, &rules, &ds) != 0)
		return -1;
	am_diags_release(&ds);
	return sodium_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	am_rules_free(rules);
	return 0;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/amanat-gen-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int gen_fmt(const char *out, uint64_t insured, unsigned months, int year,
		   int month, uint64_t seed, enum am_generate_format fmt,
		   struct am_generate_stats *st)
{
	struct am_generate_opts o;
	struct am_diags ds;
	int err;

	am_generate_opts_init(&o);
	o.insured = insured;
	o.months = months;
	o.start.year = year;
	o.start.month = month;
	o.seed = seed;
	o.format = fmt;
	o.outdir = out;
	am_diags_init(&ds, 0);
	err = am_generate(rules, &o, st, &ds);
	for (size_t i = 0; i < ds.nr; i++)
		print_message("diag %d %s %s %s\n", ds.items[i].code,
			      ds.items[i].file, ds.items[i].field,
			      ds.items[i].value);
	am_diags_release(&ds);
	return err;
}

static int gen(const char *out, uint64_t insured, unsigned months, int year,
	       int month, uint64_t seed, struct am_generate_stats *st)
{
	return gen_fmt(out, insured, months, year, month, seed, AM_GENERATE_CSV,
		       st);
}

/* Each list read back by the formats layer, validated by the domain's
 * own checks: no problem at all. */
struct readback {
	size_t lists, lines, refused, problems;
	bool totals;
};

static int readback_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct readback *rb = ctx;
	struct am_workshop_terms t = { false, false };
	struct am_assess_params p;
	struct am_diags ds;
	size_t n;

	assert_int_equal(am_assess_params_load(rules, l->period, &p, NULL), 0);
	am_diags_init(&ds, 0);
	n = am_wage_list_validate(&p, &t, l, am_date_today(), &ds);
	for (size_t i = 0; i < ds.nr && i < 5; i++)
		print_message("%s:%u %s %s expected %s [%d]\n",
			      ds.items[i].file, ds.items[i].line,
			      ds.items[i].field, ds.items[i].value,
			      ds.items[i].expected, ds.items[i].code);
	am_diags_release(&ds);
	rb->problems += n;
	rb->refused += refused;
	rb->lists++;
	rb->lines += l->nlines;
	rb->totals |= l->has_totals;
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* BLAKE2b of every file under dir, in name order. */
static void tree_hash(const char *dir, crypto_generichash_state *h)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[1024];
		struct stat sb;

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		assert_int_equal(stat(path, &sb), 0);
		crypto_generichash_update(
			h, (const unsigned char *)names[i]->d_name,
			strlen(names[i]->d_name));
		if (S_ISDIR(sb.st_mode)) {
			tree_hash(path, h);
		} else {
			size_t len;
			char *b = slurp(path, &len);

			crypto_generichash_update(h, (unsigned char *)b, len);
			free(b);
		}
		free(names[i]);
	}
	free(names);
}

static void hash_of(const char *dir, unsigned char out[32])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, 32);
	tree_hash(dir, &h);
	crypto_generichash_final(&h, out, 32);
}

static void test_deterministic(void **state)
{
	char *a = tmpdir(), *b = tmpdir(), *c = tmpdir();
	unsigned char ha[32], hb[32], hc[32];
	struct am_generate_stats sa, sb;

	(void)state;
	assert_int_equal(gen(a, 2000, 2, 1403, 12, 42, &sa), 0);
	assert_int_equal(gen(b, 2000, 2, 1403, 12, 42, &sb), 0);
	assert_int_equal(gen(c, 2000, 2, 1403, 12, 43, NULL), 0);
	hash_of(a, ha);
	hash_of(b, hb);
	hash_of(c, hc);
	assert_memory_equal(ha, hb, 32);
	assert_memory_not_equal(ha, hc, 32);
	assert_int_equal(sa.lines, sb.lines);
	assert_int_equal(sa.persons, sb.persons);
	rm_rf(a);
	rm_rf(b);
	rm_rf(c);
	free(a);
	free(b);
	free(c);
}

/* Split a CSV line made of plain fields (the generator quotes nothing
 * here: no field has a comma or a quote). */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int64_t num(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	assert_true(*s && !*end);
	return v;
}

static am_date ymd_date(const char *s)
{
	am_date d;

	assert_int_equal(strlen(s), 8);
	assert_int_equal(am_jalali_parse(s, 8, &d), 0);
	return d;
}

/* A growing set of strings, to find duplicates and references. */
struct set {
	char **items;
	size_t n, alloc;
};

static void set_add(struct set *s, const char *v)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 1024;
		s->items = realloc(s->items, s->alloc * sizeof(*s->items));
		assert_non_null(s->items);
	}
	s->items[s->n++] = strdup(v);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(struct set *s)
{
	qsort(s->items, s->n, sizeof(*s->items), cmp);
}

static bool set_has(const struct set *s, const char *v)
{
	return bsearch(&v, s->items, s->n, sizeof(*s->items), cmp) != NULL;
}

static size_t set_dups(const struct set *s)
{
	size_t d = 0;

	for (size_t i = 1; i < s->n; i++)
		d += strcmp(s->items[i - 1], s->items[i]) == 0;
	return d;
}

static void set_free(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
}

/* Read a registry file: column col of every row into s; checks the
 * header. Returns the rows. */
static size_t read_column(const char *path, const char *header, int col,
			  struct set *s,
			  void (*row)(char **f, size_t n, void *ctx), void *ctx)
{
	size_t len, rows = 0;
	char *buf = slurp(path, &len), *line, *save = NULL;

	assert_null(strchr(buf, '"'));
	line = strtok_r(buf, "\n", &save);
	assert_non_null(line);
	assert_string_equal(line, header);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *f[40];
		size_t n = split(line, f, 40);

		if (s)
			set_add(s, f[col]);
		if (row)
			row(f, n, ctx);
		rows++;
	}
	free(buf);
	return rows;
}

struct person_stats {
	size_t men, n, zwnj, afghan;
};

static void person_row(char **f, size_t n, void *ctx)
{
	struct person_stats *ps = ctx;
	char out[11];
	am_date d;

	assert_int_equal(n, 8);
	assert_int_equal(am_national_code_check(f[0], strlen(f[0]), out), 0);
	assert_string_equal(out, f[0]);
	assert_int_equal(am_insurance_no_check(f[7], strlen(f[7]), out), 0);
	assert_true(*f[1] && *f[2] && *f[3]);
	assert_int_equal(am_jalali_parse(f[4], strlen(f[4]), &d), 0);
	assert_true(!strcmp(f[5], "M") || !strcmp(f[5], "F"));
	assert_true(!strcmp(f[6], "ایرانی") || !strcmp(f[6], "افغانستانی"));
	ps->n++;
	ps->men += !strcmp(f[5], "M");
	ps->afghan += !strcmp(f[6], "افغانستانی");
	for (int i = 1; i <= 3; i++)
		ps->zwnj += strstr(f[i], GEN_ZWNJ) != NULL;
	/* Persian ی and ک only, never the Arabic letters. */
	for (int i = 1; i <= 3; i++) {
		assert_null(strstr(f[i], "\xd9\x8a"));
		assert_null(strstr(f[i], "\xd9\x83"));
	}
}

static void employer_row(char **f, size_t n, void *ctx)
{
	char out[12];

	(void)ctx;
	assert_int_equal(n, 3);
	if (!strcmp(f[1], "legal"))
		assert_int_equal(am_legal_id_check(f[0], strlen(f[0]), out), 0);
	else {
		assert_string_equal(f[1], "person");
		assert_int_equal(
			am_national_code_check(f[0], strlen(f[0]), out), 0);
	}
	assert_true(*f[2]);
}

struct shop_stats {
	const struct set *employers;
	size_t hh, exempt, n;
};

static void workshop_row(char **f, size_t n, void *ctx)
{
	struct shop_stats *ss = ctx;
	char out[12];

	assert_int_equal(n, 10);
	assert_int_equal(am_workshop_code_check(f[0], strlen(f[0]), out), 0);
	assert_true(set_has(ss->employers, f[2]));
	assert_string_equal(f[7], "compulsory");
	assert_true(!strcmp(f[8], "0") || !strcmp(f[8], "1"));
	assert_true(!strcmp(f[9], "0") || !strcmp(f[9], "1"));
	ss->hh += f[8][0] == '1';
	ss->exempt += f[9][0] == '1';
	ss->n++;
}

struct dep_ctx {
	const struct set *persons;
	size_t spouse, child, parent;
	char main[11]; /* the last insured with a wife */
	am_date married;
};

static void dependant_row(char **f, size_t n, void *ctx)
{
	struct dep_ctx *dc = ctx;
	am_date d;

	assert_int_equal(n, 4);
	assert_true(set_has(dc->persons, f[0]));
	assert_true(set_has(dc->persons, f[1]));
	assert_int_equal(am_jalali_parse(f[3], strlen(f[3]), &d), 0);
	if (!strcmp(f[2], "spouse")) {
		dc->spouse++;
		snprintf(dc->main, sizeof(dc->main), "%s", f[0]);
		dc->married = d;
	} else if (!strcmp(f[2], "child")) {
		/* Children come after their parents' marriage. */
		if (!strcmp(dc->main, f[0]))
			assert_true(d > dc->married);
		dc->child++;
	} else {
		assert_true(!strcmp(f[2], "father") || !strcmp(f[2], "mother"));
		dc->parent++;
	}
}

static void test_registry(void **state)
{
	char *dir = tmpdir(), path[512];
	struct set persons = { 0 }, employers = { 0 }, shops = { 0 };
	struct person_stats ps = { 0 };
	struct shop_stats ss = { 0 };
	struct dep_ctx dc = { 0 };
	struct am_generate_stats st;
	size_t rows;

	(void)state;
	assert_int_equal(gen(dir, 20000, 1, 1403, 7, 5, &st), 0);
	snprintf(path, sizeof(path), "%s/registry/persons.csv", dir);
	rows = read_column(path,
			   "national_code,first_name,last_name,father_name,"
			   "birth_date,sex,nationality,insurance_no",
			   0, &persons, person_row, &ps);
	assert_int_equal(rows, st.persons);
	set_sort(&persons);
	assert_int_equal(set_dups(&persons), 0);
	snprintf(path, sizeof(path), "%s/registry/employers.csv", dir);
	rows = read_column(path, "id,kind,name", 0, &employers, employer_row,
			   NULL);
	assert_int_equal(rows, st.employers);
	set_sort(&employers);
	assert_int_equal(set_dups(&employers), 0);
	snprintf(path, sizeof(path), "%s/registry/workshops.csv", dir);
	ss.employers = &employers;
	rows = read_column(path,
			   "code,name,employer_id,address,province,branch,"
			   "activity,scheme,hard_harmful,small_exempt",
			   0, &shops, workshop_row, &ss);
	assert_int_equal(rows, 20000 / 12);
	set_sort(&shops);
	assert_int_equal(set_dups(&shops), 0);
	/* Some employers own more than one workshop. */
	assert_true(st.employers < st.workshops);
	/* A few per cent hard and harmful; exempt ones exist. */
	assert_in_range(ss.hh * 1000 / ss.n, 10, 80);
	assert_true(ss.exempt > 0);
	snprintf(path, sizeof(path), "%s/registry/dependants.csv", dir);
	dc.persons = &persons;
	rows = read_column(path, "main_insured,dependant,relation,since", 0,
			   NULL, dependant_row, &dc);
	assert_int_equal(rows, st.dependants);
	assert_true(dc.spouse > 0 && dc.child > 0 && dc.parent > 0);
	/* The main insured: about 80% men among 20,000 workers (the
	 * dependants are counted apart, so take the workers' rows). */
	assert_in_range(ps.zwnj, 1, ps.n);
	assert_in_range(ps.afghan * 1000 / ps.n, 5, 60);
	set_free(&persons);
	set_free(&employers);
	set_free(&shops);
	rm_rf(dir);
	free(dir);
}

/* The rule figures of a period, looked up here by name. */
struct figures {
	int64_t min, ceiling;
	struct am_rate insured;
	am_date first, last;
	int days;
};

static void figures_of(int year, int month, struct figures *f)
{
	struct am_period p = { year, month };

	assert_int_equal(am_period_first_day(p, &f->first), 0);
	assert_int_equal(am_period_last_day(p, &f->last), 0);
	f->days = (int)(f->last - f->first + 1);
	assert_int_equal(am_rules_money(rules, "wage.minimum.daily", f->first,
					&f->min, NULL),
			 0);
	assert_int_equal(am_rules_money(rules, "wage.ceiling.daily", f->first,
					&f->ceiling, NULL),
			 0);
	assert_int_equal(am_rules_rate(rules, "contribution.compulsory.insured",
				       f->first, &f->insured, NULL),
			 0);
}

struct month_check {
	const struct figures *fig;
	const struct set *persons, *shops;
	size_t lines, joins, leaves, partial, above_ceiling, at_min, men;
	size_t prime, young, old; /* aged 30-45, under 18, over 66 */
	char last_shop[11];
	size_t shop_lines, shops_seen, one, over50, max;
	struct set seen;  /* workshops already closed in this file */
	struct set codes; /* national codes of the month's lines */
};

static void shop_close(struct month_check *mc)
{
	if (!mc->shop_lines)
		return;
	set_add(&mc->seen, mc->last_shop);
	mc->shops_seen++;
	mc->one += mc->shop_lines == 1;
	mc->over50 += mc->shop_lines > 50;
	if (mc->shop_lines > mc->max)
		mc->max = mc->shop_lines;
	mc->shop_lines = 0;
}

static void wage_row(char **f, size_t n, void *ctx)
{
	struct month_check *mc = ctx;
	const struct figures *fig = mc->fig;
	int64_t dd, rooz, mah, maz, mash, totl, bime, cap, want;
	char out[11];
	am_date sdate, edate, from, to;

	assert_int_equal(n, 29);
	/* Lines of a workshop stay together. */
	if (strcmp(f[0], mc->last_shop) != 0) {
		shop_close(mc);
		for (size_t i = 0; i < mc->seen.n; i++)
			assert_string_not_equal(mc->seen.items[i], f[0]);
		snprintf(mc->last_shop, sizeof(mc->last_shop), "%s", f[0]);
	}
	mc->shop_lines++;
	assert_true(set_has(mc->shops, f[0]));
	assert_true(set_has(mc->persons, f[26]));
	assert_int_equal(am_national_code_check(f[26], 10, out), 0);
	assert_string_equal(f[3], "1");
	dd = num(f[17]);
	rooz = num(f[18]);
	mah = num(f[19]);
	maz = num(f[20]);
	mash = num(f[21]);
	totl = num(f[22]);
	bime = num(f[23]);
	assert_in_range(dd, 1, fig->days);
	assert_true(rooz >= fig->min);
	assert_int_equal(mah, rooz * dd);
	cap = fig->ceiling * dd;
	want = mah + maz < cap ? mah + maz : cap;
	assert_int_equal(mash, want);
	assert_true(totl >= mash);
	/* 7% half up, to the rial, in integers. */
	want = (mash * fig->insured.num * 2 + fig->insured.den) /
	       (2 * fig->insured.den);
	assert_int_equal(bime, want);
	/* Dates consistent with the period and the days. */
	sdate = ymd_date(f[15]);
	assert_true(sdate <= fig->last);
	from = sdate > fig->first ? sdate : fig->first;
	to = fig->last;
	if (*f[16]) {
		edate = ymd_date(f[16]);
		assert_true(edate >= fig->first && edate <= fig->last);
		assert_true(edate >= sdate);
		to = edate;
		mc->leaves++;
	}
	assert_true(dd <= to - from + 1);
	mc->joins += sdate >= fig->first;
	mc->partial += dd < fig->days;
	mc->above_ceiling += rooz > fig->ceiling;
	mc->at_min += rooz == fig->min;
	assert_true(!strcmp(f[12], "مرد") || !strcmp(f[12], "زن"));
	mc->men += !strcmp(f[12], "مرد");
	set_add(&mc->codes, f[26]);
	{
		am_date birth = ymd_date(f[11]);
		int64_t age = (fig->first - birth) * 10000 / 3652425;

		mc->prime += age >= 30 && age <= 45;
		mc->young += age < 18;
		mc->old += age > 66;
	}
	mc->lines++;
}

static const char wage_header[] =
	"DSW_ID,DSW_YY,DSW_MM,DSW_LISTNO,DSW_ID1,DSW_FNAME,DSW_LNAME,"
	"DSW_DNAME,DSW_IDNO,DSW_IDPLC,DSW_IDATE,DSW_BDATE,DSW_SEX,DSW_NAT,"
	"DSW_OCP,DSW_SDATE,DSW_EDATE,DSW_DD,DSW_ROOZ,DSW_MAH,DSW_MAZ,"
	"DSW_MASH,DSW_TOTL,DSW_BIME,DSW_PRATE,DSW_JOB,PER_NATCOD,DSW_INC,"
	"DSW_SPOUSE";

/* Four months across a year's end (Esfand 1403 has 30 days, then new
 * figures): every line right, months contiguous, joins and leaves. */
static void test_lines_valid(void **state)
{
	static const int months[][2] = {
		{ 1403, 11 }, { 1403, 12 }, { 1404, 1 }, { 1404, 2 }
	};
	char *dir = tmpdir(), path[512];
	struct set persons = { 0 }, shops = { 0 };
	struct am_generate_stats st;
	size_t lines = 0, joins = 0, leaves = 0, n, gaps = 0;
	struct set codes[4];
	struct dirent **names;

	(void)state;
	assert_int_equal(gen(dir, 6000, 4, 1403, 11, 9, &st), 0);
	snprintf(path, sizeof(path), "%s/registry/persons.csv", dir);
	read_column(path,
		    "national_code,first_name,last_name,father_name,"
		    "birth_date,sex,nationality,insurance_no",
		    0, &persons, NULL, NULL);
	set_sort(&persons);
	snprintf(path, sizeof(path), "%s/registry/workshops.csv", dir);
	read_column(path,
		    "code,name,employer_id,address,province,branch,activity,"
		    "scheme,hard_harmful,small_exempt",
		    0, &shops, NULL, NULL);
	set_sort(&shops);
	for (size_t m = 0; m < 4; m++) {
		struct figures fig;
		struct month_check mc = { 0 };

		figures_of(months[m][0], months[m][1], &fig);
		mc.fig = &fig;
		mc.persons = &persons;
		mc.shops = &shops;
		snprintf(path, sizeof(path), "%s/wages/%04d-%02d.csv", dir,
			 months[m][0], months[m][1]);
		read_column(path, wage_header, 0, NULL, wage_row, &mc);
		shop_close(&mc);
		{
			struct readback rb = { 0 };
			struct am_read_opts ro = { 0 };
			struct am_diags ds;

			am_diags_init(&ds, 0);
			assert_int_equal(
				am_csv_read(path, &ro, readback_list, &rb, &ds),
				0);
			for (size_t i = 0; i < ds.nr && i < 5; i++)
				print_message(
					"%s:%u %s '%s' [%d]\n",
					ds.items[i].file, ds.items[i].line,
					ds.items[i].field, ds.items[i].value,
					ds.items[i].code);
			assert_int_equal(ds.nr, 0);
			am_diags_release(&ds);
			assert_int_equal(rb.problems, 0);
			assert_int_equal(rb.refused, 0);
			assert_int_equal(rb.lines, mc.lines);
			assert_int_equal(rb.lists, mc.shops_seen);
		}
		if (m == 0) {
			/* Every job is filled in the first month. */
			assert_int_equal(mc.lines, 6000);
			assert_int_equal(mc.joins, 0);
			assert_int_equal(mc.shops_seen, 500);
		} else {
			assert_true(mc.joins > 0);
		}
		assert_true(mc.leaves > 0);
		assert_true(mc.partial > 0);
		assert_true(mc.above_ceiling > 0);
		assert_true(mc.at_min > mc.lines / 5);
		lines += mc.lines;
		joins += mc.joins;
		leaves += mc.leaves;
		set_free(&mc.seen);
		set_sort(&mc.codes);
		codes[m] = mc.codes;
	}
	assert_int_equal(lines, st.lines);
	assert_int_equal(joins, st.joins);
	assert_int_equal(leaves, st.leaves);
	assert_int_equal(st.first_month_lines, 6000);
	/* Histories with gaps: in the first month, not in the second, back
	 * in a later one (rehired, maybe elsewhere). */
	for (size_t i = 0; i < codes[0].n; i++) {
		const char *c = codes[0].items[i];

		if (!set_has(&codes[1], c) &&
		    (set_has(&codes[2], c) || set_has(&codes[3], c)))
			gaps++;
	}
	print_message("gaps: %zu\n", gaps);
	assert_true(gaps > 0);
	for (size_t m = 0; m < 4; m++)
		set_free(&codes[m]);
	/* Exactly the four months, nothing else. */
	snprintf(path, sizeof(path), "%s/wages", dir);
	n = (size_t)scandir(path, &names, NULL, alphasort);
	assert_int_equal(n, 6);
	assert_string_equal(names[2]->d_name, "1403-11.csv");
	assert_string_equal(names[3]->d_name, "1403-12.csv");
	assert_string_equal(names[4]->d_name, "1404-01.csv");
	assert_string_equal(names[5]->d_name, "1404-02.csv");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	set_free(&persons);
	set_free(&shops);
	rm_rf(dir);
	free(dir);
}

/* The national shape at 50,000 insured: a third of workshops with one
 * worker, a few per cent over fifty, the largest in the thousands. */
static void test_sizes(void **state)
{
	char *dir = tmpdir(), path[512];
	struct set persons = { 0 }, shops = { 0 };
	struct month_check mc = { 0 };
	struct figures fig;
	struct am_generate_stats st;

	(void)state;
	assert_int_equal(gen(dir, 50000, 1, 1403, 1, 1, &st), 0);
	snprintf(path, sizeof(path), "%s/registry/persons.csv", dir);
	read_column(path,
		    "national_code,first_name,last_name,father_name,"
		    "birth_date,sex,nationality,insurance_no",
		    0, &persons, NULL, NULL);
	set_sort(&persons);
	snprintf(path, sizeof(path), "%s/registry/workshops.csv", dir);
	read_column(path,
		    "code,name,employer_id,address,province,branch,activity,"
		    "scheme,hard_harmful,small_exempt",
		    0, &shops, NULL, NULL);
	set_sort(&shops);
	figures_of(1403, 1, &fig);
	mc.fig = &fig;
	mc.persons = &persons;
	mc.shops = &shops;
	snprintf(path, sizeof(path), "%s/wages/1403-01.csv", dir);
	read_column(path, wage_header, 0, NULL, wage_row, &mc);
	shop_close(&mc);
	print_message("workshops %zu, one-worker %zu, over 50 %zu, max %zu\n",
		      mc.shops_seen, mc.one, mc.over50, mc.max);
	assert_int_equal(mc.lines, 50000);
	assert_int_equal(mc.shops_seen, 50000 / 12);
	assert_in_range(mc.one * 100 / mc.shops_seen, 25, 42);
	assert_in_range(mc.over50 * 1000 / mc.shops_seen, 10, 50);
	assert_in_range(mc.max, 1000, 50000 / 25);
	/* Working ages, most of them between 30 and 45. */
	print_message("aged 30-45: %zu%%\n", mc.prime * 100 / mc.lines);
	assert_int_equal(mc.young, 0);
	assert_int_equal(mc.old, 0);
	assert_in_range(mc.prime * 100 / mc.lines, 40, 60);
	/* About 80% men among the main insured. */
	assert_in_range(mc.men * 100 / mc.lines, 77, 83);
	set_free(&mc.seen);
	set_free(&mc.codes);
	set_free(&persons);
	set_free(&shops);
	rm_rf(dir);
	free(dir);
}

static void test_options(void **state)
{
	struct am_generate_opts o;
	struct am_diags ds;
	enum am_generate_format f = AM_GENERATE_DBF;

	(void)state;
	am_generate_opts_init(&o);
	assert_int_equal(o.months, 1);
	assert_int_equal(o.start.year, 1403);
	assert_int_equal(o.start.month, 1);
	assert_int_equal(o.seed, 1);
	assert_int_equal(o.format, AM_GENERATE_CSV);
	am_diags_init(&ds, 0);
	o.outdir = "/nonexistent/never";
	assert_int_equal(am_generate(rules, &o, NULL, &ds),
			 AM_EINVALID_ARGUMENT);
	assert_string_equal(ds.items[0].field, "--insured");
	o.insured = 10;
	o.workshops = 11;
	assert_int_equal(am_generate(rules, &o, NULL, &ds),
			 AM_EINVALID_ARGUMENT);
	assert_string_equal(ds.items[1].field, "--workshops");
	o.workshops = 0;
	o.months = 0;
	assert_int_equal(am_generate(rules, &o, NULL, &ds),
			 AM_EINVALID_ARGUMENT);
	o.months = 1;
	o.start.month = 13;
	assert_int_equal(am_generate(rules, &o, NULL, &ds),
			 AM_EINVALID_ARGUMENT);
	/* A period the rules do not cover. */
	o.start.year = 1390;
	o.start.month = 1;
	o.outdir = "/tmp";
	assert_int_not_equal(am_generate(rules, &o, NULL, &ds), 0);
	/* An unwritable place. */
	o.start.year = 1403;
	o.outdir = "/proc/amanat-no";
	assert_int_equal(am_generate(rules, &o, NULL, &ds), AM_EIO);
	am_diags_release(&ds);
	assert_int_equal(am_generate_format_parse("dbf", &f), 0);
	assert_int_equal(f, AM_GENERATE_DBF);
	assert_int_equal(am_generate_format_parse("csv", &f), 0);
	assert_int_equal(f, AM_GENERATE_CSV);
	assert_int_equal(am_generate_format_parse("xls", &f),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(f, AM_GENERATE_CSV);
	assert_string_equal(am_generate_format_name(AM_GENERATE_DBF), "dbf");
}

/* ListDisk folders: one per workshop and month, read back with their
 * header totals and valid. */
static void test_dbf(void **state)
{
	char *dir = tmpdir(), path[1024];
	struct am_generate_stats st;
	struct readback rb = { 0 };
	struct dirent **names;
	int n;

	(void)state;
	assert_int_equal(
		gen_fmt(dir, 600, 2, 1403, 12, 3, AM_GENERATE_DBF, &st), 0);
	for (int m = 0; m < 2; m++) {
		char month[512];

		snprintf(month, sizeof(month), "%s/wages/%s", dir,
			 m == 0 ? "1403-12" : "1404-01");
		n = scandir(month, &names, NULL, alphasort);
		assert_true(n > 2);
		for (int i = 0; i < n; i++) {
			struct am_read_opts ro = { 0 };
			struct am_diags ds;

			if (names[i]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", month,
					 names[i]->d_name);
				am_diags_init(&ds, 0);
				assert_int_equal(am_dbf_read(path, &ro,
							     readback_list, &rb,
							     &ds),
						 0);
				assert_int_equal(ds.nr, 0);
				am_diags_release(&ds);
			}
			free(names[i]);
		}
		free(names);
	}
	assert_int_equal(rb.problems, 0);
	assert_int_equal(rb.refused, 0);
	assert_true(rb.totals);
	assert_int_equal(rb.lists, st.lists);
	assert_int_equal(rb.lines, st.lines);
	rm_rf(dir);
	free(dir);
}

/* Import the registry files in the documented order into a new store, the
 * test database called db (tests/testdb.h). */
static struct am_store *import_registry(const char *dir, const char *db,
					struct am_import_stats *is)
{
	static const char *const files[] = { "employers", "workshops",
					     "persons", "dependants" };
	const char *uri = testdb_new(db);
	char path[1024];
	struct am_store *s;
	struct am_diags ds;
	int from, to;

	if (am_store_open(uri, &s) != 0)
		fail_msg("open %s: %s", uri, am_store_errmsg(NULL));
	if (am_store_migrate(s, &from, &to) != 0)
		fail_msg("migrate %s: %s", uri, am_store_errmsg(s));
	memset(is, 0, sizeof(*is));
	am_diags_init(&ds, 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/registry/%s.csv", dir,
			 files[i]);
		assert_int_equal(am_import_registry(s, path, is, &ds), 0);
	}
	for (size_t i = 0; i < ds.nr && i < 5; i++)
		print_message("%s:%u %s '%s' [%d]\n", ds.items[i].file,
			      ds.items[i].line, ds.items[i].field,
			      ds.items[i].value, ds.items[i].code);
	assert_int_equal(ds.nr, 0);
	am_diags_release(&ds);
	return s;
}

/* The registry files import as they are, in the documented order. */
static void test_registry_imports(void **state)
{
	char *dir = tmpdir();
	struct am_import_stats is;
	struct am_generate_stats st;
	struct am_store *s;

	(void)state;
	assert_int_equal(gen(dir, 1500, 1, 1403, 7, 11, &st), 0);
	s = import_registry(dir, "registry.db", &is);
	assert_int_equal(is.employers, st.employers);
	assert_int_equal(is.workshops, st.workshops);
	assert_int_equal(is.persons, st.persons);
	assert_int_equal(is.dependants, st.dependants);
	am_store_close(s);
	testdb_drop(testdb_uri("registry.db"));
	rm_rf(dir);
	free(dir);
}

/* Import every list of the generated months: none refused, every line
 * posted; the same lists again change nothing. */
static void import_wages(const char *dir, struct am_store *s,
			 const struct am_generate_stats *st)
{
	char path[1024], *paths[1] = { path };
	struct am_wage_import_opts o;
	struct am_wage_import_stats ws;
	struct am_diags ds;

	snprintf(path, sizeof(path), "%s/wages", dir);
	memset(&o, 0, sizeof(o));
	for (int pass = 0; pass < 2; pass++) {
		memset(&ws, 0, sizeof(ws));
		am_diags_init(&ds, 0);
		assert_int_equal(
			am_import_wages(s, rules, paths, 1, &o, &ws, &ds), 0);
		for (size_t i = 0; i < ds.nr && i < 5; i++)
			print_message("%s:%u %s '%s' expected '%s' [%d]\n",
				      ds.items[i].file, ds.items[i].line,
				      ds.items[i].field, ds.items[i].value,
				      ds.items[i].expected, ds.items[i].code);
		assert_int_equal(ds.nr, 0);
		am_diags_release(&ds);
		assert_int_equal(ws.lists_refused, 0);
		assert_int_equal(ws.lists_read, st->lists);
		assert_int_equal(ws.lists_accepted, st->lists);
		assert_int_equal(ws.lines, st->lines);
		if (pass == 0) {
			assert_int_equal(ws.lists_posted, st->lists);
			assert_int_equal(ws.lines_posted, st->lines);
		} else {
			assert_int_equal(ws.lists_unchanged, st->lists);
			assert_int_equal(ws.lines_posted, 0);
		}
	}
}

static void test_wages_import(void **state)
{
	static const enum am_generate_format fmts[] = { AM_GENERATE_CSV,
							AM_GENERATE_DBF };

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		char *dir = tmpdir();
		struct am_import_stats is;
		struct am_generate_stats st;
		struct am_store *s;

		assert_int_equal(
			gen_fmt(dir, 1200, 3, 1403, 11, 17, fmts[f], &st), 0);
		s = import_registry(dir, "wages.db", &is);
		import_wages(dir, s, &st);
		am_store_close(s);
		testdb_drop(testdb_uri("wages.db"));
		rm_rf(dir);
		free(dir);
	}
}

/* The edges of the size law: every workshop of one worker, one workshop
 * of all, a single insured. */
static void test_edges(void **state)
{
	static const uint64_t cases[][2] = {
		{ 10, 10 }, { 10, 1 }, { 1, 0 }, { 1000, 999 }, { 1000, 2 }
	};
	char path[1024];

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *dir = tmpdir();
		struct am_generate_opts o;
		struct am_generate_stats st;
		struct am_diags ds;

		am_generate_opts_init(&o);
		o.insured = cases[c][0];
		o.workshops = cases[c][1];
		o.outdir = dir;
		am_diags_init(&ds, 0);
		assert_int_equal(am_generate(rules, &o, &st, &ds), 0);
		am_diags_release(&ds);
		assert_int_equal(st.first_month_lines, cases[c][0]);
		assert_int_equal(st.workshops, cases[c][1] ? cases[c][1] : 1);
		assert_int_equal(st.lists, st.workshops);
		snprintf(path, sizeof(path), "%s/wages/1403-01.csv", dir);
		{
			size_t len;
			char *b = slurp(path, &len);
			size_t rows = 0;

			for (size_t i = 0; i < len; i++)
				rows += b[i] == '\n';
			assert_int_equal(rows, cases[c][0] + 1);
			free(b);
		}
		rm_rf(dir);
		free(dir);
	}
}

/* A month the rules do not cover stops the run with the rules' error,
 * naming the parameter; the months before it are complete, no temporary
 * file is left. */
static void test_rules_gap(void **state)
{
	char *dir = tmpdir(), path[1024];
	struct am_generate_opts o;
	struct am_diags ds;
	struct stat sb;

	const struct am_param *min = am_rules_find(rules, "wage.minimum.daily");
	struct am_ymd end;
	char last[32], next[32];

	(void)state;
	/* The month before the last the minimum wage covers. */
	assert_non_null(min);
	assert_int_not_equal(min->values[min->nvalues - 1].to, AM_DATE_OPEN);
	am_date_to_jalali(min->values[min->nvalues - 1].to, &end);
	am_generate_opts_init(&o);
	o.insured = 100;
	o.months = 3;
	o.start.year = end.month == 1 ? end.year - 1 : end.year;
	o.start.month = end.month == 1 ? 12 : end.month - 1;
	o.outdir = dir;
	snprintf(last, sizeof(last), "%04d-%02d", end.year, end.month);
	snprintf(next, sizeof(next), "%04d-%02d",
		 end.month == 12 ? end.year + 1 : end.year,
		 end.month == 12 ? 1 : end.month + 1);
	am_diags_init(&ds, 0);
	assert_int_equal(am_generate(rules, &o, NULL, &ds), AM_ERULES_NO_VALUE);
	assert_true(ds.nr >= 1);
	assert_non_null(strstr(ds.items[0].field, "."));
	am_diags_release(&ds);
	snprintf(path, sizeof(path), "%s/wages/%s.csv", dir, last);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/wages/%s.csv", dir, next);
	assert_int_not_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/wages/%s.csv.tmp", dir, next);
	assert_int_not_equal(stat(path, &sb), 0);
	rm_rf(dir);
	free(dir);
}

/* Each name table has at least 100 distinct names. */
static void test_tables(void **state)
{
	const struct am__gen_table *t[] = { &am__gen_male, &am__gen_female,
					    &am__gen_last };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_true(t[i]->n >= 100);
		for (size_t a = 0; a < t[i]->n; a++)
			for (size_t b = a + 1; b < t[i]->n; b++)
				assert_string_not_equal(t[i]->items[a],
							t[i]->items[b]);
	}
	assert_int_equal(am__gen_nprovinces, 31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_lines_valid),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_dbf),
		cmocka_unit_test(test_registry_imports),
		cmocka_unit_test(test_wages_import),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_rules_gap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
