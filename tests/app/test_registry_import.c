/* Tests of the registry import's write pass: bulk puts in batches, one
 * "registry.import" audit entry per batch naming its rows, its counts and
 * the hash of its records (encoded here, not by the library), and a file
 * with one bad row among many refused whole, writing nothing; merged
 * batches written by the writer thread, whole or not at all when a store
 * call fails. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "amanat/app.h"
#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/store.h"
#include "store/store_int.h"
#include "testdb.h"

/* The import's batch, set through the environment (the default is too
 * large for a quick test): a file longer than this spans two entries. */
#define BATCH 1000
/* The rows repeated at the end of the file under another first name: one
 * whose first copy is in the first run (sorted batch) and one in the
 * second, where the repeat is: key order keeps the file's order for both,
 * so the repeat, written last, wins. */
#define DUP1 5UL
#define DUP2 (BATCH + 0UL)

static char dir[64];
static const char *db; /* the test's database (tests/testdb.h) */

static int setup(void **state)
{
	char tmpl[] = "/tmp/amanat-regimp-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl) || sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	/* Every file read in two parts, each on a thread (a test of the
	 * joins: a real file, from 64 MiB): what each test wants of a file
	 * is what the two parts give. test_parts_as_whole reads in one. */
	if (setenv("AMANAT_REGISTRY_PARTS", "1", 1) != 0)
		return -1;
	return setenv("AMANAT_REGISTRY_BATCH", "1000", 1);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh database per test. */
static struct am_store *open_db(const char *name)
{
	struct am_store *s;
	int from, to;

	db = testdb_new(name);
	if (am_store_open(db, &s) != 0)
		fail_msg("open %s: %s", db, am_store_errmsg(NULL));
	if (am_store_migrate(s, &from, &to) != 0)
		fail_msg("migrate %s: %s", db, am_store_errmsg(s));
	return s;
}

static char *path_of(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The i-th valid national code: nine digits and the check digit (the sum of
 * digit times weight 10..2, mod 11; under 2 as it is, else 11 minus it). */
static void natcode(unsigned long i, char out[11])
{
	unsigned long base = 123456789UL + i * 7919UL;
	unsigned sum = 0, r;

	snprintf(out, 11, "%09lu", base % 1000000000UL);
	for (int k = 0; k < 9; k++)
		sum += (unsigned)(out[k] - '0') * (unsigned)(10 - k);
	r = sum % 11;
	out[9] = (char)('0' + (r < 2 ? r : 11 - r));
	out[10] = '\0';
}

/* Row i of the persons file, and the record it becomes as JSON (the
 * normalised text, the nationality's ISO code, the date's day number). */
struct person_row {
	char code[11];
	char first[32];
	char last[48];
	bool father, born, iranian, insured;
	char sex;
};

static void person_row(unsigned long i, struct person_row *r)
{
	natcode(i, r->code);
	/* Row 0 is written with the Arabic yeh; stored with the Persian. */
	snprintf(r->first, sizeof(r->first), "%s", i ? "رضا" : "علي");
	snprintf(r->last, sizeof(r->last), "خانواده%lu", i);
	r->father = i % 2;
	r->born = i % 3 == 0;
	r->iranian = i % 2 == 0;
	r->insured = i % 5 == 0;
	r->sex = i % 4 ? 'M' : 'F';
}

static void person_csv(FILE *f, const struct person_row *r, const char *sex)
{
	fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s\n", r->code, r->first, r->last,
		r->father ? "محمد" : "", r->born ? "1370/05/12" : "",
		sex ? sex : (r->sex == 'M' ? "M" : "F"),
		r->iranian ? "ایرانی" : "", r->insured ? "1057663332" : "");
}

static void person_json(const struct person_row *r, am_date born, char *out,
			size_t size)
{
	char date[16];

	snprintf(date, sizeof(date), "%d", (int)born);
	snprintf(out, size,
		 "{\"national_code\":\"%s\",\"first_name\":\"%s\","
		 "\"last_name\":\"%s\",\"father_name\":%s,\"birth_date\":%s,"
		 "\"sex\":\"%c\",\"nationality\":%s,\"insurance_no\":%s}\n",
		 r->code, strcmp(r->first, "علي") ? r->first : "علی", r->last,
		 r->father ? "\"محمد\"" : "null", r->born ? date : "null",
		 r->sex, r->iranian ? "\"IRN\"" : "null",
		 r->insured ? "\"1057663332\"" : "null");
}

/* A persons file of n rows (lines 2..n+1); bad_at > 0 gives that line a
 * sex the import refuses. dup, when set, repeats rows DUP1 and DUP2 at the
 * end (lines n+2, n+3) under another first name. */
static void write_persons(const char *name, unsigned long n, unsigned bad_at,
			  bool dup)
{
	FILE *f = fopen(path_of(name), "w");
	struct person_row r;

	assert_non_null(f);
	fputs("national_code,first_name,last_name,father_name,birth_date,"
	      "sex,nationality,insurance_no\n",
	      f);
	for (unsigned long i = 0; i < n; i++) {
		person_row(i, &r);
		person_csv(f, &r, i + 2 == bad_at ? "X" : NULL);
	}
	for (int d = 0; dup && d < 2; d++) {
		person_row(d ? DUP2 : DUP1, &r);
		snprintf(r.first, sizeof(r.first), "%s", "حسن");
		person_csv(f, &r, NULL);
	}
	assert_int_equal(fclose(f), 0);
}

/* The audit trail as the tests read it. */
struct trail {
	json_t *batches; /* payloads of "registry.import", in order */
	char subjects[8][128];
	size_t per_row; /* entries of the per-record puts */
	size_t total;
};

static int collect(const struct am_audit_entry *e, void *ctx)
{
	struct trail *t = ctx;

	t->total++;
	if (!strcmp(e->action, "registry.import")) {
		size_t n = json_array_size(t->batches);

		if (n < 8)
			snprintf(t->subjects[n], sizeof(t->subjects[n]), "%s",
				 e->subject);
		json_array_append_new(t->batches,
				      json_loads(e->payload, 0, NULL));
	}
	if (strstr(e->action, ".put"))
		t->per_row++;
	return 0;
}

static void read_trail(struct am_store *s, struct trail *t)
{
	memset(t, 0, sizeof(*t));
	t->batches = json_array();
	assert_int_equal(am_store_audit_iterate(s, 1, collect, t), 0);
}

static int64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void check_bound(json_t *b, const char *name, const char *key,
			int64_t row)
{
	json_t *o = json_object_get(b, name);

	assert_true(json_is_object(o));
	assert_string_equal(str(o, "key"), key);
	assert_int_equal(num(o, "row"), row);
}

static void check_counts(json_t *b, const char *kind, int64_t records)
{
	static const char *const kinds[] = { "persons", "employers",
					     "workshops", "dependants" };

	assert_string_equal(str(b, "kind"), kind);
	assert_int_equal(num(b, "records"), records);
	assert_int_equal(num(b, "refused"), 0);
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(num(b, kinds[k]),
				 strcmp(kinds[k], kind) ? 0 : records);
}

static void hex_of(crypto_generichash_state *h, char hex[65])
{
	uint8_t d[32];

	crypto_generichash_final(h, d, sizeof(d));
	sodium_bin2hex(hex, 65, d, sizeof(d));
}

static void hash_text(const char *text, char hex[65])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)text,
				  strlen(text));
	hex_of(&h, hex);
}

/* The CLI's verdict on the database's chain. */
static int cli_verify(void)
{
	const char *bin = getenv("AMANAT_BIN");
	char cmd[1024];
	int rc;

	assert_non_null(bin);
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s' audit verify >/dev/null",
		 bin, db);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	return WEXITSTATUS(rc);
}

/* A row of the file as the test expects it written. */
struct expect {
	char code[11];
	unsigned line;
	char json[512];
};

static int expect_cmp(const void *a, const void *b)
{
	const struct expect *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The rows of write_persons(n, dup) as the store writes them, in key
 * order (a repeated key in file order). */
static void expect_persons(struct expect *e, unsigned long n, bool dup)
{
	unsigned long rows = n + (dup ? 2 : 0);
	struct person_row r;
	am_date born;

	assert_int_equal(am_jalali_parse("1370/05/12", 10, &born), 0);
	for (unsigned long i = 0; i < rows; i++) {
		person_row(i < n ? i : (i == n ? DUP1 : DUP2), &r);
		if (i >= n)
			snprintf(r.first, sizeof(r.first), "%s", "حسن");
		memcpy(e[i].code, r.code, sizeof(e[i].code));
		e[i].line = (unsigned)i + 2;
		person_json(&r, born, e[i].json, sizeof(e[i].json));
	}
	qsort(e, rows, sizeof(*e), expect_cmp);
}

/* The entry of rows e[from, to) of the key order, of the file called name;
 * e[refused], when in that slice, refused by the store: its hash is of the
 * other rows. */
static void check_batch(json_t *o, const struct expect *e, size_t from,
			size_t to, size_t refused, const char *name)
{
	bool out = refused >= from && refused < to;
	int64_t written = (int64_t)(to - from) - out;
	crypto_generichash_state h;
	char hex[65];

	if (!out) {
		check_counts(o, "persons", written);
	} else {
		assert_string_equal(str(o, "kind"), "persons");
		assert_int_equal(num(o, "records"), written);
		assert_int_equal(num(o, "persons"), written);
		assert_int_equal(num(o, "refused"), 1);
	}
	check_bound(o, "first", e[from].code, e[from].line);
	check_bound(o, "last", e[to - 1].code, e[to - 1].line);
	crypto_generichash_init(&h, NULL, 0, 32);
	for (size_t i = from; i < to; i++)
		if (i != refused)
			crypto_generichash_update(
				&h, (const unsigned char *)e[i].json,
				strlen(e[i].json));
	hex_of(&h, hex);
	assert_string_equal(str(o, "hash"), hex);
	assert_string_equal(str(o, "file"), path_of(name));
}

/* The entries of an import of the file called name in batches of size:
 * consecutive slices of the rows in key order, each with its bounds, count
 * and hash. */
static void check_batches(struct trail *t, const struct expect *e, size_t rows,
			  size_t size, const char *name)
{
	assert_int_equal(json_array_size(t->batches), (rows + size - 1) / size);
	for (size_t b = 0; b * size < rows; b++) {
		size_t from = b * size,
		       to = from + size < rows ? from + size : rows;

		check_batch(json_array_get(t->batches, b), e, from, to,
			    SIZE_MAX, name);
		if (b < 8)
			assert_string_equal(t->subjects[b], path_of(name));
	}
}

/* Each of rows e[0, rows) as the store gives it back: its JSON the same
 * (of a repeated key, the last row's). */
static void check_rows(struct am_store *s, const struct expect *e, size_t rows)
{
	struct am_person p;
	struct am_arena a;
	struct am_buf b;

	am_arena_init(&a, 0);
	am_buf_init(&b, 0);
	for (size_t i = 0; i < rows; i++) {
		if (i + 1 < rows && !strcmp(e[i].code, e[i + 1].code))
			continue;
		assert_int_equal(am_store_person_get(s, e[i].code, &a, &p), 0);
		assert_int_equal(am_person_json(&p, &b), 0);
		assert_int_equal(am_buf_addch(&b, '\n'), 0);
		assert_string_equal(b.buf, e[i].json);
		am_arena_clear(&a);
	}
	am_buf_release(&b);
	am_arena_release(&a);
}

/* The threads of this process (Linux's /proc/self/task). */
static size_t threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The threads once those joined have gone: a joined thread may still be
 * listed for a moment, the kernel ending it after it woke the joiner. */
static size_t threads_after(size_t before)
{
	size_t n = threads();

	for (int i = 0; i < 1000 && n > before; i++) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
		n = threads();
	}
	return n;
}

/* 1,003 rows and two repeats: sorted runs of a batch each, merged, written
 * in batches in key order (a repeated key in file order), each entry with
 * the first and last key and row it covered, its count and the hash of its
 * records in that order; the repeats win; no per-row entries; the chain
 * verifies. */
static void test_batches(void **state)
{
	const unsigned long n = BATCH + 3, rows = n + 2;
	struct am_store *s = open_db("batches");
	struct expect *e = calloc(rows, sizeof(*e));
	struct am_import_stats st;
	struct person_row r;
	struct am_diags ds;
	struct am_audit_verify_result vr;
	struct am_arena a;
	struct am_person p;
	struct trail t;
	am_date born;

	(void)state;
	assert_non_null(e);
	assert_int_equal(am_jalali_parse("1370/05/12", 10, &born), 0);
	write_persons("persons.csv", n, 0, true);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(
		am_import_registry(s, path_of("persons.csv"), &st, &ds), 0);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(st.accepted, rows);
	assert_int_equal(st.persons, rows);

	expect_persons(e, n, true);

	read_trail(s, &t);
	assert_int_equal(t.per_row, 0);
	check_batches(&t, e, rows, BATCH, "persons.csv");
	json_decref(t.batches);

	/* Batches of 7: 144 runs merged through the heap, the same rows. */
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "7", 1), 0);
	am_store_close(s);
	s = open_db("batches7");
	assert_int_equal(
		am_import_registry(s, path_of("persons.csv"), &st, &ds), 0);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "1000", 1), 0);
	assert_int_equal(ds.nr, 0);
	read_trail(s, &t);
	check_batches(&t, e, rows, 7, "persons.csv");
	json_decref(t.batches);
	free(e);

	/* Row 0 as written (normalised), and the rows repeated. */
	am_arena_init(&a, 0);
	person_row(0, &r);
	assert_int_equal(am_store_person_get(s, r.code, &a, &p), 0);
	assert_string_equal(p.first_name, "علی");
	assert_string_equal(p.nationality, "IRN");
	assert_int_equal(p.birth_date, born);
	assert_string_equal(p.insurance_no, "1057663332");
	for (int d = 0; d < 2; d++) {
		person_row(d ? DUP2 : DUP1, &r);
		assert_int_equal(am_store_person_get(s, r.code, &a, &p), 0);
		assert_string_equal(p.first_name, "حسن");
		assert_string_equal(p.insurance_no, "1057663332");
	}
	person_row(n - 1, &r);
	assert_int_equal(am_store_person_get(s, r.code, &a, &p), 0);
	am_arena_release(&a);

	assert_int_equal(am_store_audit_verify(s, &vr), 0);
	assert_int_equal(vr.count, t.total);
	assert_int_equal(vr.problem, AM_AUDIT_OK);
	am_diags_release(&ds);
	am_store_close(s);
	assert_int_equal(cli_verify(), 0);
}

/* One bad row at the end of a file longer than a batch: refused whole,
 * the one problem with its line, and nothing written, not even the first
 * batch; the same file mended then imports. */
static void test_bad_row_writes_nothing(void **state)
{
	const unsigned long n = BATCH + 50;
	struct am_store *s = open_db("bad");
	struct am_import_stats st;
	struct person_row r;
	struct am_diags ds;
	struct am_arena a;
	struct am_person p;
	struct trail t;

	(void)state;
	write_persons("bad.csv", n, (unsigned)n + 1, false);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(am_import_registry(s, path_of("bad.csv"), &st, &ds),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].code, AM_EREGISTRY_BAD_SEX);
	assert_int_equal(ds.items[0].line, n + 1);
	assert_string_equal(ds.items[0].field, "sex");
	assert_int_equal(st.accepted, 0);
	am_diags_release(&ds);

	am_arena_init(&a, 0);
	person_row(0, &r);
	assert_int_equal(am_store_person_get(s, r.code, &a, &p), AM_ENOT_FOUND);
	read_trail(s, &t);
	assert_int_equal(json_array_size(t.batches), 0);
	assert_int_equal(t.total, 0);
	json_decref(t.batches);

	write_persons("bad.csv", n, 0, false);
	am_diags_init(&ds, 0);
	assert_int_equal(am_import_registry(s, path_of("bad.csv"), &st, &ds),
			 0);
	assert_int_equal(am_store_person_get(s, r.code, &a, &p), 0);
	am_arena_release(&a);
	am_diags_release(&ds);
	am_store_close(s);
}

/* A file longer than a batch whose runs cannot be spilled (no temporary
 * directory): an I/O error naming the directory, and nothing written. */
static void test_no_temp_dir(void **state)
{
	struct am_store *s = open_db("notmp");
	struct am_import_stats st;
	struct person_row r;
	struct am_diags ds;
	struct am_arena a;
	struct am_person p;
	struct trail t;

	(void)state;
	write_persons("notmp.csv", BATCH + 1, 0, false);
	assert_int_equal(setenv("TMPDIR", "/nonexistent/amanat-tmp", 1), 0);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(am_import_registry(s, path_of("notmp.csv"), &st, &ds),
			 AM_EIO);
	assert_int_equal(unsetenv("TMPDIR"), 0);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].code, AM_EIO);
	assert_string_equal(ds.items[0].file, "/nonexistent/amanat-tmp");
	assert_int_equal(st.accepted, 0);
	am_arena_init(&a, 0);
	person_row(0, &r);
	assert_int_equal(am_store_person_get(s, r.code, &a, &p), AM_ENOT_FOUND);
	am_arena_release(&a);
	read_trail(s, &t);
	assert_int_equal(t.total, 0);
	json_decref(t.batches);
	am_diags_release(&ds);
	am_store_close(s);
}

/* Keys of two lengths (a natural person's 10 digits, a company's 11) are
 * written in the order of their text, as the table holds them. */
static void test_key_order(void **state)
{
	struct am_store *s = open_db("order");
	struct am_import_stats st;
	struct am_diags ds;
	struct trail t;
	char nine[11], text[512];
	unsigned sum = 0, r;

	(void)state;
	/* A valid national code starting with 9. */
	memcpy(nine, "912345678", 9);
	for (int k = 0; k < 9; k++)
		sum += (unsigned)(nine[k] - '0') * (unsigned)(10 - k);
	r = sum % 11;
	nine[9] = (char)('0' + (r < 2 ? r : 11 - r));
	nine[10] = '\0';
	snprintf(text, sizeof(text),
		 "id,kind,name\n%s,person,الف\n10380284790,legal,ب\n"
		 "0499370899,person,پ\n",
		 nine);
	write_file("emp.csv", text);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(am_import_registry(s, path_of("emp.csv"), &st, &ds),
			 0);
	read_trail(s, &t);
	assert_int_equal(json_array_size(t.batches), 1);
	check_counts(json_array_get(t.batches, 0), "employers", 3);
	check_bound(json_array_get(t.batches, 0), "first", "0499370899", 4);
	check_bound(json_array_get(t.batches, 0), "last", nine, 2);
	json_decref(t.batches);
	am_diags_release(&ds);
	am_store_close(s);
}

/* A dependant who is the main insured, or whose until is before since,
 * was refused by the schema only when written, after the batches before
 * it were in: now the checking pass refuses the file whole. The persons go
 * in batches of one: an entry per row. */
static void test_dependants_checked(void **state)
{
	struct am_store *s = open_db("deps");
	struct am_import_stats st;
	struct am_diags ds;
	struct am_arena a;
	struct am_dependant d;
	struct trail t;
	char c[4][11], text[1024];

	(void)state;
	for (int i = 0; i < 4; i++)
		natcode((unsigned long)i, c[i]);
	snprintf(text, sizeof(text),
		 "national_code,first_name,last_name,sex\n"
		 "%s,علی,رضایی,M\n%s,زهرا,رضایی,F\n%s,سارا,رضایی,F\n"
		 "%s,مینا,رضایی,F\n",
		 c[0], c[1], c[2], c[3]);
	write_file("p.csv", text);
	snprintf(text, sizeof(text),
		 "main_insured,dependant,relation,since,until\n"
		 "%s,%s,spouse,1390/01/01,\n"
		 "%s,%s,child,1395/01/01,\n"
		 "%s,%s,child,1395/01/01,1394/12/29\n"
		 "%s,%s,child,1395/01/01,1395/01/01\n",
		 c[0], c[1], c[0], c[0], c[0], c[2], c[0], c[3]);
	write_file("d.csv", text);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "1", 1), 0);
	assert_int_equal(am_import_registry(s, path_of("p.csv"), &st, &ds), 0);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "1000", 1), 0);
	read_trail(s, &t);
	assert_int_equal(json_array_size(t.batches), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *o = json_array_get(t.batches, i);

		check_counts(o, "persons", 1);
		check_bound(o, "first", c[i], (int64_t)i + 2);
		check_bound(o, "last", c[i], (int64_t)i + 2);
	}
	json_decref(t.batches);
	assert_int_equal(am_import_registry(s, path_of("d.csv"), &st, &ds),
			 AM_EINVALID_ARGUMENT);
	assert_int_equal(ds.nr, 2);
	assert_int_equal(ds.items[0].code, AM_EREGISTRY_SELF_DEPENDANT);
	assert_int_equal(ds.items[0].line, 3);
	assert_string_equal(ds.items[0].field, "dependant");
	assert_int_equal(ds.items[1].code, AM_EREGISTRY_DATE_ORDER);
	assert_int_equal(ds.items[1].line, 4);
	assert_string_equal(ds.items[1].field, "until");
	assert_string_equal(ds.items[1].value, "1394/12/29");
	am_arena_init(&a, 0);
	assert_int_equal(am_store_dependant_get(s, c[0], c[1], &a, &d),
			 AM_ENOT_FOUND);
	am_arena_release(&a);
	am_diags_release(&ds);
	am_store_close(s);
}

/* A file of dependants large enough (8 MiB) to be checked against the
 * registered persons' bit set, not the database: an unregistered person
 * is still found, on its line, and a file without one is written. */
static void test_dependants_large(void **state)
{
	struct am_store *s = open_db("deps-large");
	struct am_import_stats st;
	struct am_diags ds;
	struct am_arena a;
	struct am_dependant d;
	char c[5][11], text[512];
	FILE *f;

	(void)state;
	for (int i = 0; i < 5; i++)
		natcode((unsigned long)i + 100, c[i]);
	snprintf(text, sizeof(text),
		 "national_code,first_name,last_name,sex\n"
		 "%s,علی,رضایی,M\n%s,زهرا,رضایی,F\n%s,سارا,رضایی,F\n"
		 "%s,مینا,رضایی,F\n",
		 c[0], c[1], c[2], c[3]);
	write_file("pl.csv", text);
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	assert_int_equal(am_import_registry(s, path_of("pl.csv"), &st, &ds), 0);
	/* The good file is written only on SQLite: PostgreSQL takes a round
	 * trip a row, and the check is the same code on both. */
	for (int bad = 1; bad >= (testdb_is_pg() ? 1 : 0); bad--) {
		f = fopen(path_of("dl.csv"), "w");
		assert_non_null(f);
		fputs("main_insured,dependant,relation,since,until\n", f);
		/* The same three keys over and over (the last row of a key
		 * is what is written), past the size that takes the set: 10 MB). */
		for (unsigned i = 0; i < 250000; i++)
			fprintf(f, "%s,%s,child,1395/01/%02u,\n", c[0],
				c[1 + i % 3], 1 + i % 28);
		/* c[4] is a valid code nobody registered. */
		if (bad)
			fprintf(f, "%s,%s,child,1395/01/01,\n", c[0], c[4]);
		assert_int_equal(fclose(f), 0);
		am_diags_clear(&ds);
		assert_int_equal(
			am_import_registry(s, path_of("dl.csv"), &st, &ds),
			bad ? AM_EINVALID_ARGUMENT : 0);
		am_arena_init(&a, 0);
		assert_int_equal(am_store_dependant_get(s, c[0], c[1], &a, &d),
				 bad ? AM_ENOT_FOUND : 0);
		am_arena_release(&a);
		if (!bad)
			continue;
		assert_int_equal(ds.nr, 1);
		assert_int_equal(ds.items[0].code, AM_EREGISTRY_UNKNOWN_PERSON);
		assert_int_equal(ds.items[0].line, 250002);
		assert_string_equal(ds.items[0].field, "dependant");
		assert_string_equal(ds.items[0].value, c[4]);
	}
	am_diags_release(&ds);
	am_store_close(s);
}

/* A JSON file with every kind: one batch per kind, in the order written
 * (employers before the workshops naming them), each hashed. */
static void test_json_kinds(void **state)
{
	static const char *const kinds[] = { "employers", "workshops",
					     "persons", "dependants" };
	static const int64_t counts[] = { 1, 1, 2, 1 };
	static const char *const first[] = { "0067749828", "2222222222",
					     "0650451252",
					     "0790419904/0650451252" };
	static const char *const last[] = { "0067749828", "2222222222",
					    "0790419904",
					    "0790419904/0650451252" };
	struct am_store *s = open_db("json");
	struct am_import_stats st;
	struct am_diags ds;
	struct trail t;
	char hex[65];
	int err;

	(void)state;
	write_file("reg.json",
		   "{\"persons\": [{\"national_code\": \"0790419904\", "
		   "\"first_name\": \"فاطمه\", \"last_name\": \"حسینی\", "
		   "\"sex\": \"زن\"}, {\"national_code\": \"0650451252\", "
		   "\"first_name\": \"زهرا\", \"last_name\": \"کریمی\", "
		   "\"sex\": \"F\"}],\n"
		   " \"dependants\": [{\"main_insured\": \"0790419904\", "
		   "\"dependant\": \"0650451252\", \"relation\": \"child\", "
		   "\"since\": \"1400/01/01\"}],\n"
		   " \"workshops\": [{\"code\": \"2222222222\", \"name\": "
		   "\"کارگاه \\\"نو\\\"\", \"employer_id\": \"0067749828\", "
		   "\"hard_harmful\": true}],\n"
		   " \"employers\": [{\"id\": \"0067749828\", \"kind\": "
		   "\"person\", \"name\": \"حسن احمدی\"}]}\n");
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	/* The default size, and a setting out of range that falls back to it. */
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "0", 1), 0);
	err = am_import_registry(s, path_of("reg.json"), &st, &ds);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "1000", 1), 0);
	for (size_t i = 0; i < ds.nr; i++)
		print_message("%u %s %s [%d]\n", ds.items[i].line,
			      ds.items[i].field, ds.items[i].value,
			      ds.items[i].code);
	assert_int_equal(err, 0);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(st.accepted, 5);
	read_trail(s, &t);
	assert_int_equal(t.per_row, 0);
	assert_int_equal(json_array_size(t.batches), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *o = json_array_get(t.batches, i);

		check_counts(o, kinds[i], counts[i]);
		/* The persons' array is out of key order. */
		check_bound(o, "first", first[i], i == 2 ? 2 : 1);
		check_bound(o, "last", last[i], 1);
	}
	hash_text("{\"id\":\"0067749828\",\"kind\":\"person\","
		  "\"name\":\"حسن احمدی\",\"address\":null,\"phone\":null}\n",
		  hex);
	assert_string_equal(str(json_array_get(t.batches, 0), "hash"), hex);
	/* The quotes in the name are escaped as the per-row payload would. */
	hash_text("{\"code\":\"2222222222\",\"name\":\"کارگاه \\\"نو\\\"\","
		  "\"employer_id\":\"0067749828\",\"address\":null,"
		  "\"province\":null,\"branch\":null,\"activity\":null,"
		  "\"scheme\":null,\"hard_harmful\":true,"
		  "\"small_exempt\":false}\n",
		  hex);
	assert_string_equal(str(json_array_get(t.batches, 1), "hash"), hex);
	/* In key order, not the array's; «زن» stored as F. */
	hash_text("{\"national_code\":\"0650451252\",\"first_name\":\"زهرا\","
		  "\"last_name\":\"کریمی\",\"father_name\":null,"
		  "\"birth_date\":null,\"sex\":\"F\",\"nationality\":null,"
		  "\"insurance_no\":null}\n"
		  "{\"national_code\":\"0790419904\",\"first_name\":\"فاطمه\","
		  "\"last_name\":\"حسینی\",\"father_name\":null,"
		  "\"birth_date\":null,\"sex\":\"F\",\"nationality\":null,"
		  "\"insurance_no\":null}\n",
		  hex);
	assert_string_equal(str(json_array_get(t.batches, 2), "hash"), hex);
	json_decref(t.batches);
	am_diags_release(&ds);
	am_store_close(s);
	assert_int_equal(cli_verify(), 0);
}

/* Batches of 7 for a file of 100 rows: 15 runs merged, 15 batches. */
#define PIPE_ROWS 100UL
#define PIPE_BATCH 7UL
#define PIPE_BATCHES ((PIPE_ROWS + PIPE_BATCH - 1) / PIPE_BATCH)

static int import_batches_of(struct am_store *s, const char *name, size_t size,
			     struct am_import_stats *st, struct am_diags *ds)
{
	char v[24];
	int err;

	snprintf(v, sizeof(v), "%zu", size);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", v, 1), 0);
	memset(st, 0, sizeof(*st));
	err = am_import_registry(s, path_of(name), st, ds);
	assert_int_equal(setenv("AMANAT_REGISTRY_BATCH", "1000", 1), 0);
	return err;
}

/* The merged runs' batches, each written by the writer thread while the
 * next is merged: every entry as one thread wrote it (bounds, counts,
 * hashes, in order), every row as the file gave it, the counts the writer
 * kept, and no thread left behind. */
static void test_pipe_batches(void **state)
{
	struct am_store *s = open_db("pipe");
	struct expect e[PIPE_ROWS];
	struct am_audit_verify_result vr;
	struct am_import_stats st;
	struct am_diags ds;
	struct trail t;
	size_t before = threads();

	(void)state;
	write_persons("pipe.csv", PIPE_ROWS, 0, false);
	expect_persons(e, PIPE_ROWS, false);
	am_diags_init(&ds, 0);
	assert_int_equal(import_batches_of(s, "pipe.csv", PIPE_BATCH, &st, &ds),
			 0);
	assert_int_equal(threads_after(before), before);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(st.records, PIPE_ROWS);
	assert_int_equal(st.accepted, PIPE_ROWS);
	assert_int_equal(st.persons, PIPE_ROWS);
	assert_int_equal(st.refused, 0);
	read_trail(s, &t);
	assert_int_equal(t.per_row, 0);
	check_batches(&t, e, PIPE_ROWS, PIPE_BATCH, "pipe.csv");
	json_decref(t.batches);
	check_rows(s, e, PIPE_ROWS);
	assert_int_equal(testdb_int(db, "SELECT count(*) FROM persons"),
			 PIPE_ROWS);
	assert_int_equal(am_store_audit_verify(s, &vr), 0);
	assert_int_equal(vr.problem, AM_AUDIT_OK);
	am_diags_release(&ds);
	am_store_close(s);
	assert_int_equal(cli_verify(), 0);
}

/* A row the store refuses in a merged batch (a trigger of the database's
 * that the import does not know): the writer writes that batch a row at a
 * time, reports the row on its line, and its entry counts the rows written
 * and hashes them, made again on the writer's side; the batches around it
 * are whole. SQLite's: on PostgreSQL a trigger's error aborts the whole
 * transaction, and the store refuses a row without one only for what its
 * statements ask (the registry's rules, checked by the import before). */
static void test_pipe_refused(void **state)
{
	const size_t victim = 2 * PIPE_BATCH + 3; /* the third batch's fourth */
	struct am_store *s = open_db("pipe-refused");
	struct expect e[PIPE_ROWS];
	struct am_audit_verify_result vr;
	struct am_import_stats st;
	struct am_diags ds;
	struct am_arena a;
	struct am_person p;
	struct trail t;
	char sql[256];

	(void)state;
	if (testdb_is_pg()) {
		am_store_close(s);
		skip();
	}
	write_persons("refused.csv", PIPE_ROWS, 0, false);
	expect_persons(e, PIPE_ROWS, false);
	am_store_close(s);
	snprintf(sql, sizeof(sql),
		 "CREATE TRIGGER refuse BEFORE INSERT ON persons WHEN"
		 " NEW.national_code = '%s' BEGIN SELECT RAISE(ABORT, 'no');"
		 " END",
		 e[victim].code);
	assert_int_equal(testdb_exec(db, sql), TESTDB_OK);
	assert_int_equal(am_store_open(db, &s), 0);
	am_diags_init(&ds, 0);
	assert_int_equal(
		import_batches_of(s, "refused.csv", PIPE_BATCH, &st, &ds),
		AM_EINVALID_ARGUMENT);
	assert_int_equal(ds.nr, 1);
	assert_int_equal(ds.items[0].code, AM_ESTORE_CONFLICT);
	assert_int_equal(ds.items[0].line, e[victim].line);
	assert_int_equal(st.accepted, PIPE_ROWS - 1);
	read_trail(s, &t);
	assert_int_equal(json_array_size(t.batches), PIPE_BATCHES);
	for (size_t b = 0; b < PIPE_BATCHES; b++) {
		size_t from = b * PIPE_BATCH;
		size_t to = from + PIPE_BATCH < PIPE_ROWS ? from + PIPE_BATCH
							  : PIPE_ROWS;

		check_batch(json_array_get(t.batches, b), e, from, to, victim,
			    "refused.csv");
	}
	json_decref(t.batches);
	am_arena_init(&a, 0);
	assert_int_equal(am_store_person_get(s, e[victim].code, &a, &p),
			 AM_ENOT_FOUND);
	am_arena_release(&a);
	assert_int_equal(testdb_int(db, "SELECT count(*) FROM persons"),
			 PIPE_ROWS - 1);
	assert_int_equal(am_store_audit_verify(s, &vr), 0);
	assert_int_equal(vr.problem, AM_AUDIT_OK);
	am_diags_release(&ds);
	am_store_close(s);
}

/* What the fault injection returns (as in tests/store/test_store.c). */
#define INJECTED AM_EIO

/* Each backend call of a merged import failed in turn (count 1: that call;
 * ULONG_MAX: it and every one after, the undo too), on the writer thread:
 * the import returns the injected error, joined, no thread left; the
 * batches before the failing one are whole, each with its entry, and that
 * batch and those after it are absent. Every batch fails in some run. */
static void pipe_fault_sweep(unsigned long count)
{
	struct expect e[PIPE_ROWS];
	bool failed_in[PIPE_BATCHES] = { false };
	size_t before = threads();
	unsigned long k;

	write_persons("fault.csv", PIPE_ROWS, 0, false);
	expect_persons(e, PIPE_ROWS, false);
	for (k = 1; k < 100000; k++) {
		struct am_store *inner = open_db("pipe-fault"), *s;
		struct am_audit_verify_result vr;
		struct am_import_stats st;
		struct am_diags ds;
		struct trail t;
		size_t entries, rows;
		bool fired;
		int err;

		assert_int_equal(
			am__store_fault_wrap(inner, k, count, INJECTED, &s), 0);
		am_diags_init(&ds, 0);
		err = import_batches_of(s, "fault.csv", PIPE_BATCH, &st, &ds);
		fired = am__store_fault_fired(s);
		assert_int_equal(threads_after(before), before);
		am_store_close(s);
		am_diags_release(&ds);
		assert_int_equal(err, fired ? INJECTED : 0);

		assert_int_equal(am_store_open(db, &s), 0);
		read_trail(s, &t);
		entries = json_array_size(t.batches);
		rows = entries * PIPE_BATCH < PIPE_ROWS ? entries * PIPE_BATCH
							: PIPE_ROWS;
		check_batches(&t, e, rows, PIPE_BATCH, "fault.csv");
		json_decref(t.batches);
		check_rows(s, e, rows);
		assert_int_equal(testdb_int(db, "SELECT count(*) FROM persons"),
				 (long long)rows);
		assert_int_equal(am_store_audit_verify(s, &vr), 0);
		assert_int_equal(vr.problem, AM_AUDIT_OK);
		am_store_close(s);
		if (!fired) {
			assert_int_equal(entries, PIPE_BATCHES);
			break;
		}
		assert_true(entries < PIPE_BATCHES);
		failed_in[entries] = true;
	}
	assert_true(k < 100000);
	for (size_t b = 0; b < PIPE_BATCHES; b++)
		assert_true(failed_in[b]);
}

static void test_pipe_fault_each_call(void **state)
{
	(void)state;
	pipe_fault_sweep(1);
}

static void test_pipe_fault_from_call_on(void **state)
{
	(void)state;
	pipe_fault_sweep(ULONG_MAX);
}

/* A file read in two parts or in one: the same rows, the same entries,
 * the same problems on the same lines. Three files: rows repeated across
 * the middle (the later one written); a bad row in each part; and a
 * quoted field with line ends over the middle, where the second part
 * would start inside it, so the first reads on alone. */
static void test_parts_as_whole(void **state)
{
	static const char *const parts[2] = { "0", "1" };
	char *dump[3][2];
	size_t nd[3][2];
	unsigned line[3][2][2];
	struct person_row r;
	char name[32];
	FILE *f;

	(void)state;
	write_persons("pw0.csv", 3 * BATCH, 0, true);
	write_persons("pw1.csv", 3 * BATCH, 0, false);
	/* A bad row in each half. */
	f = fopen(path_of("pw1.csv"), "a");
	assert_non_null(f);
	person_row(5 * BATCH, &r);
	person_csv(f, &r, "Y");
	assert_int_equal(fclose(f), 0);
	write_persons("pw2.csv", 3 * BATCH, 0, false);
	f = fopen(path_of("pw2.csv"), "a");
	assert_non_null(f);
	person_row(5 * BATCH + 1, &r);
	/* More bytes than the rows before it: the middle falls inside. */
	fprintf(f, "%s,\"علی", r.code);
	for (int i = 0; i < 400000; i++)
		fputc('\n', f);
	fprintf(f, "رضا\",رضایی,,,M,,\n");
	assert_int_equal(fclose(f), 0);
	for (int file = 0; file < 3; file++) {
		for (int k = 0; k < 2; k++) {
			struct am_import_stats st;
			struct am_diags ds;
			struct am_store *s;

			snprintf(name, sizeof(name), "pw%d-%d", file, k);
			s = open_db(name);
			assert_int_equal(
				setenv("AMANAT_REGISTRY_PARTS", parts[k], 1),
				0);
			memset(&st, 0, sizeof(st));
			am_diags_init(&ds, 0);
			snprintf(name, sizeof(name), "pw%d.csv", file);
			assert_int_equal(
				am_import_registry(s, path_of(name), &st, &ds),
				file == 1 ? AM_EINVALID_ARGUMENT : 0);
			nd[file][k] = ds.nr;
			for (size_t i = 0; i < 2; i++)
				line[file][k][i] = i < ds.nr ? ds.items[i].line
							     : 0;
			am_diags_release(&ds);
			am_store_close(s);
			dump[file][k] = testdb_persons(db);
			testdb_drop(db);
		}
		assert_int_equal(nd[file][0], nd[file][1]);
		assert_int_equal(line[file][0][0], line[file][1][0]);
		assert_int_equal(line[file][0][1], line[file][1][1]);
		assert_string_equal(dump[file][0], dump[file][1]);
	}
	assert_int_equal(setenv("AMANAT_REGISTRY_PARTS", "1", 1), 0);
	/* The bad rows: one written in, one at the end. */
	assert_int_equal(nd[1][0], 1);
	assert_int_equal(line[1][0][0], 3 * BATCH + 2);
	/* The quoted field's person written, its name on one line. */
	assert_non_null(strstr(dump[2][0], "علی رضا"));
	for (int file = 0; file < 3; file++)
		for (int k = 0; k < 2; k++)
			free(dump[file][k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_parts_as_whole),
		cmocka_unit_test(test_bad_row_writes_nothing),
		cmocka_unit_test(test_no_temp_dir),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_dependants_checked),
		cmocka_unit_test(test_dependants_large),
		cmocka_unit_test(test_json_kinds),
		cmocka_unit_test(test_pipe_batches),
		cmocka_unit_test(test_pipe_refused),
		cmocka_unit_test(test_pipe_fault_each_call),
		cmocka_unit_test(test_pipe_fault_from_call_on),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
