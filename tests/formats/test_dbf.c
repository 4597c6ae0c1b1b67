/* Unit tests of the ListDisk DBF reader and writer (src/formats/dbf.c):
 * round trips in every layout and code page, a pair built byte by byte from
 * the field table of iran-rules.md §7, and every kind of refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "formats/formats_int.h"
#include "wl_test.h"

/* ---- a DBF written byte by byte ---- */

struct hfield {
	const char *name;
	char type;
	int width;
};

/* §7.2: DSKKAR00 of the official 2.7 template. */
static const struct hfield kar27[] = {
	{ "DSK_ID", 'C', 10 },	  { "DSK_NAME", 'C', 30 },
	{ "DSK_FARM", 'C', 30 },  { "DSK_ADRS", 'C', 40 },
	{ "DSK_KIND", 'N', 1 },	  { "DSK_YY", 'N', 2 },
	{ "DSK_MM", 'N', 2 },	  { "DSK_LISTNO", 'C', 12 },
	{ "DSK_DISC", 'C', 30 },  { "DSK_NUM", 'N', 5 },
	{ "DSK_TDD", 'N', 6 },	  { "DSK_TROOZ", 'N', 12 },
	{ "DSK_TMAH", 'N', 12 },  { "DSK_TMAZ", 'N', 12 },
	{ "DSK_TMASH", 'N', 12 }, { "DSK_TTOTL", 'N', 12 },
	{ "DSK_TBIME", 'N', 12 }, { "DSK_TKOSO", 'N', 12 },
	{ "DSK_BIC", 'N', 12 },	  { "DSK_RATE", 'N', 5 },
	{ "DSK_PRATE", 'N', 2 },  { "DSK_BIMH", 'N', 12 },
	{ "MON_PYM", 'C', 3 },
};

/* §7.3: DSKWOR00 of the template, DSW_ID1 C8 as the template has it. */
static const struct hfield wor27[] = {
	{ "DSW_ID", 'C', 10 },	   { "DSW_YY", 'N', 2 },
	{ "DSW_MM", 'N', 2 },	   { "DSW_LISTNO", 'C', 12 },
	{ "DSW_ID1", 'C', 8 },	   { "DSW_FNAME", 'C', 60 },
	{ "DSW_LNAME", 'C', 60 },  { "DSW_DNAME", 'C', 60 },
	{ "DSW_IDNO", 'C', 15 },   { "DSW_IDPLC", 'C', 30 },
	{ "DSW_IDATE", 'C', 8 },   { "DSW_BDATE", 'C', 8 },
	{ "DSW_SEX", 'C', 3 },	   { "DSW_NAT", 'C', 10 },
	{ "DSW_OCP", 'C', 50 },	   { "DSW_SDATE", 'C', 8 },
	{ "DSW_EDATE", 'C', 8 },   { "DSW_DD", 'N', 2 },
	{ "DSW_ROOZ", 'N', 12 },   { "DSW_MAH", 'N', 12 },
	{ "DSW_MAZ", 'N', 12 },	   { "DSW_MASH", 'N', 12 },
	{ "DSW_TOTL", 'N', 12 },   { "DSW_BIME", 'N', 12 },
	{ "DSW_PRATE", 'N', 2 },   { "DSW_JOB", 'C', 6 },
	{ "PER_NATCOD", 'C', 10 },
};

/* Write a dBASE III file: header, descriptors, records (values as raw
 * bytes: text left-justified, numbers right-justified), EOF mark. */
static void write_dbf(const char *path, const struct hfield *f, size_t nf,
		      unsigned char ldid, const char *const *vals, size_t nrec)
{
	FILE *out = fopen(path, "wb");
	unsigned char h[32] = { 0x03, 124, 1, 1 };
	unsigned hlen = 32 + 32 * (unsigned)nf + 1, rlen = 1;

	assert_non_null(out);
	for (size_t i = 0; i < nf; i++)
		rlen += (unsigned)f[i].width;
	h[4] = (unsigned char)nrec;
	h[8] = (unsigned char)(hlen & 0xFF);
	h[9] = (unsigned char)(hlen >> 8);
	h[10] = (unsigned char)(rlen & 0xFF);
	h[11] = (unsigned char)(rlen >> 8);
	h[29] = ldid;
	fwrite(h, 1, 32, out);
	for (size_t i = 0; i < nf; i++) {
		unsigned char d[32] = { 0 };

		memcpy(d, f[i].name, strlen(f[i].name));
		d[11] = (unsigned char)f[i].type;
		d[16] = (unsigned char)f[i].width;
		fwrite(d, 1, 32, out);
	}
	fputc(0x0D, out);
	for (size_t r = 0; r < nrec; r++) {
		fputc(' ', out);
		for (size_t i = 0; i < nf; i++) {
			const char *v = vals[r * nf + i];
			int pad = f[i].width - (int)strlen(v);

			assert_true(pad >= 0);
			if (f[i].type == 'N')
				fprintf(out, "%*s%s", pad, "", v);
			else
				fprintf(out, "%s%*s", v, pad, "");
		}
	}
	fputc(0x1A, out);
	fclose(out);
}

static const char *const kar_vals[] = {
	"1234567890",
	"\x98\xC7\xD1\x90\xC7\xE5",
	"\xDA\xE1\xED",
	"",
	"0",
	"3",
	"7",
	"1",
	"",
	"1",
	"31",
	"2388728",
	"74050568",
	"14000000",
	"88050568",
	"95000000",
	"6163540",
	"17610114",
	"2641517",
	"23",
	"0",
	"0",
	"000",
};

static const char *const wor_vals[] = {
	"1234567890",
	"3",
	"7",
	"1",
	"12345678",
	"\xDA\xE1\xED",
	"\xD1\xD6\xC7\xED\xED",
	"\xCD\xD3\xE4",
	"123",
	"",
	"13600504",
	"13600501",
	"\xE3\xD1\xCF",
	"\xC7\xED\xD1\xC7\xE4\xED",
	"\x98\xC7\xD1\x90\xD1",
	"14030101",
	"",
	"31",
	"2388728",
	"74050568",
	"14000000",
	"88050568",
	"95000000",
	"6163540",
	"0",
	"123456",
	"0011223344",
};

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/amanat-dbf-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *in_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

static void write_hand_pair(const char *kar_name, const char *wor_name,
			    const char *const *wv, size_t nwor)
{
	char p[300];

	write_dbf(in_tmp(p, sizeof(p), kar_name), kar27,
		  sizeof(kar27) / sizeof(kar27[0]), 0x7E, kar_vals, 1);
	write_dbf(in_tmp(p, sizeof(p), wor_name), wor27,
		  sizeof(wor27) / sizeof(wor27[0]), 0x00, wv, nwor);
}

static void read_dir(const char *dir, const struct am_read_opts *o,
		     struct got *g, struct am_diags *ds)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(am_dbf_read(dir, o, got_fn, g, ds), 0);
	assert_int_equal(g->n, 1);
}

/* The hand-made official pair reads with every value in place, text
 * decoded from Windows-1256 and normalised (ي to ی). */
static void test_hand_made_v27(void **state)
{
	struct got g;
	struct am_diags ds;
	struct got_list *o;
	am_date d;

	(void)state;
	write_hand_pair("DSKKAR00.DBF", "DSKWOR00.DBF", wor_vals, 1);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	o = &g.l[0];
	assert_false(o->refused);
	assert_true(o->has_totals);
	assert_int_equal(o->layout, AM_DBF_V27);
	assert_int_equal(o->codepage, AM_CP_WINDOWS_1256);
	assert_string_equal(o->workshop, "1234567890");
	assert_int_equal(o->period.year, 1403);
	assert_int_equal(o->period.month, 7);
	assert_string_equal(o->list_no, "1");
	assert_string_equal(o->head_text[0], "کارگاه");
	assert_string_equal(o->head_text[1], "علی");
	assert_int_equal(o->t_workers, 1);
	assert_int_equal(o->t_total, 95000000);
	assert_int_equal(o->nlines, 1);
	assert_int_equal(o->lines[0].row, 1);
	assert_string_equal(o->lines[0].national_code, "0011223344");
	assert_string_equal(o->lines[0].insurance_no, "12345678");
	assert_string_equal(o->text[0][0], "علی");
	assert_string_equal(o->text[0][1], "رضایی");
	assert_string_equal(o->text[0][2], "حسن");
	assert_string_equal(o->text[0][3], "کارگر");
	assert_string_equal(o->text[0][4], "ایرانی");
	assert_string_equal(o->text[0][6], "123456");
	assert_int_equal(o->lines[0].sex, 'M');
	assert_int_equal(o->lines[0].days, 31);
	assert_int_equal(o->lines[0].daily_wage, 2388728);
	assert_int_equal(o->lines[0].monthly_wage, 74050568);
	assert_int_equal(o->lines[0].benefits, 14000000);
	assert_int_equal(o->lines[0].subject_wage, 88050568);
	assert_int_equal(o->lines[0].total_pay, 95000000);
	assert_int_equal(o->lines[0].insured_share, 6163540);
	assert_int_equal(o->lines[0].end_date, AM_WAGE_DATE_NONE);
	assert_int_equal(am_jalali_to_date(1403, 1, 1, &d), 0);
	assert_int_equal(o->lines[0].start_date, d);
	assert_int_equal(am_jalali_to_date(1360, 5, 1, &d), 0);
	assert_int_equal(o->lines[0].birth_date, d);
	am_diags_release(&ds);
}

/* Read a file's bytes. */
static size_t slurp(const char *path, unsigned char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/* Check the descriptors the writer puts in a file against the table. */
static void check_descriptors(const char *path, const struct hfield *f,
			      size_t nf, unsigned rlen)
{
	static unsigned char b[1 << 16];
	size_t n = slurp(path, b, sizeof(b));

	assert_true(n > 32 + 32 * nf);
	assert_int_equal(b[0], 0x03);
	assert_int_equal(b[29], 0x7E); /* LDID: Windows-1256 */
	assert_int_equal(b[8] | (b[9] << 8), 32 + 32 * nf + 1);
	assert_int_equal(b[10] | (b[11] << 8), rlen);
	for (size_t i = 0; i < nf; i++) {
		const unsigned char *d = b + 32 + 32 * i;

		assert_string_equal((const char *)d, f[i].name);
		assert_int_equal(d[11], f[i].type);
		assert_int_equal(d[16], f[i].width);
		assert_int_equal(d[17], 0);
	}
	assert_int_equal(b[32 + 32 * nf], 0x0D);
}

/* The writer's official layout is the §7 table, field for field, except
 * DSW_ID1, which it declares C10 (documented). */
static void test_writer_matches_spec(void **state)
{
	struct am_wage_list l;
	struct hfield wor[sizeof(wor27) / sizeof(wor27[0])];
	char p[300];
	static unsigned char b[1 << 16];
	size_t n;

	(void)state;
	memcpy(wor, wor27, sizeof(wor));
	wor[4].width = 10;
	sample_list(&l);
	assert_int_equal(
		am_dbf_write(&l, tmpdir, AM_DBF_V27, AM_CP_WINDOWS_1256), 0);
	check_descriptors(in_tmp(p, sizeof(p), "DSKKAR00.DBF"), kar27,
			  sizeof(kar27) / sizeof(kar27[0]), 287);
	check_descriptors(in_tmp(p, sizeof(p), "DSKWOR00.DBF"), wor,
			  sizeof(wor) / sizeof(wor[0]), 449);
	/* Record 1 of DSKWOR00: numbers right-justified, text in cp1256. */
	n = slurp(p, b, sizeof(b));
	assert_int_equal(n, 32 + 32 * 27 + 1 + 2 * 449 + 1);
	{
		const unsigned char *r = b + 32 + 32 * 27 + 1;

		assert_int_equal(r[0], ' ');
		assert_memory_equal(r + 1, "1234567890", 10);
		assert_memory_equal(r + 11, " 3", 2);
		assert_memory_equal(r + 13, " 7", 2);
		assert_memory_equal(r + 27, "1234567890", 10);
		assert_memory_equal(r + 37, "\xDA\xE1\xED ", 4);
	}
	assert_int_equal(b[n - 1], 0x1A);
	am_wage_list_release(&l);
}

/* Write then read gives back the same list in every layout and code page. */
static void roundtrip(enum am_dbf_layout layout, enum am_codepage cp)
{
	struct am_wage_list l;
	struct got g;
	struct am_diags ds;
	struct got_list *o;
	char sub[300], cmd[400];

	sample_list(&l);
	snprintf(sub, sizeof(sub), "%s/%s-%s", tmpdir,
		 am_dbf_layout_name(layout), am_codepage_name(cp));
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(am_dbf_write(&l, sub, layout, cp), 0);
	am_diags_init(&ds, 0);
	read_dir(sub, NULL, &g, &ds);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	o = &g.l[0];
	assert_false(o->refused);
	assert_int_equal(o->layout, layout);
	assert_int_equal(o->codepage, cp);
	assert_memory_equal(o->hash, l.hash, 32);
	assert_int_equal(o->nlines, 2);
	assert_string_equal(o->head_text[0], l.workshop_name);
	assert_string_equal(o->head_text[1], l.employer_name);
	assert_string_equal(o->head_text[2], l.address);
	assert_string_equal(o->head_text[3], l.description);
	assert_int_equal(o->t_insured, l.t_insured);
	assert_int_equal(o->t_seniority,
			 layout == AM_DBF_V27 ? 0 : l.t_seniority);
	for (size_t i = 0; i < 2; i++) {
		const struct am_wage_line *w = &l.lines[i], *r = &o->lines[i];

		assert_int_equal(r->row, i + 1);
		assert_string_equal(r->national_code, w->national_code);
		assert_string_equal(r->insurance_no, w->insurance_no);
		assert_string_equal(o->text[i][0], w->first_name);
		assert_string_equal(o->text[i][1], w->last_name);
		assert_string_equal(o->text[i][2], w->father_name);
		assert_string_equal(o->text[i][3], w->occupation);
		assert_string_equal(o->text[i][4], w->nationality);
		assert_string_equal(o->text[i][5], w->id_place);
		assert_string_equal(o->text[i][6], w->job_code);
		assert_int_equal(r->sex, w->sex);
		assert_int_equal(r->id_date, w->id_date);
		assert_int_equal(r->birth_date, w->birth_date);
		assert_int_equal(r->start_date, w->start_date);
		assert_int_equal(r->end_date, w->end_date);
		assert_int_equal(r->days, w->days);
		assert_int_equal(r->daily_wage, w->daily_wage);
		assert_int_equal(r->insured_share, w->insured_share);
		assert_int_equal(r->seniority,
				 layout == AM_DBF_V27 ? 0 : w->seniority);
		assert_int_equal(r->spouse,
				 layout == AM_DBF_V27 ? 0 : w->spouse);
	}
	/* No temporary file is left behind. */
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 2", sub);
	assert_int_equal(system(cmd), 0);
	am_diags_release(&ds);
	am_wage_list_release(&l);
}

static void test_roundtrip_all(void **state)
{
	(void)state;
	roundtrip(AM_DBF_V27, AM_CP_WINDOWS_1256);
	roundtrip(AM_DBF_V27, AM_CP_IRAN_SYSTEM);
	roundtrip(AM_DBF_V6, AM_CP_WINDOWS_1256);
	roundtrip(AM_DBF_V6, AM_CP_IRAN_SYSTEM);
	roundtrip(AM_DBF_OLD, AM_CP_WINDOWS_1256);
	roundtrip(AM_DBF_OLD, AM_CP_IRAN_SYSTEM);
}

/* A forced code page is used as it is: Iran System read as Windows-1256
 * garbles the names but not the numbers. */
static void test_forced_codepage(void **state)
{
	struct am_wage_list l;
	struct got g;
	struct am_diags ds;
	struct am_read_opts o = { AM_CP_WINDOWS_1256 };

	(void)state;
	sample_list(&l);
	assert_int_equal(
		am_dbf_write(&l, tmpdir, AM_DBF_V27, AM_CP_IRAN_SYSTEM), 0);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, &o, &g, &ds);
	assert_int_equal(g.l[0].codepage, AM_CP_WINDOWS_1256);
	assert_string_not_equal(g.l[0].text[0][0], "علی");
	assert_memory_equal(g.l[0].hash, l.hash, 32);
	o.codepage = AM_CP_IRAN_SYSTEM;
	read_dir(tmpdir, &o, &g, &ds);
	assert_string_equal(g.l[0].text[0][0], "علی");
	am_diags_release(&ds);
	am_wage_list_release(&l);
}

/* File names match without regard to case. */
static void test_name_case(void **state)
{
	struct got g;
	struct am_diags ds;

	(void)state;
	write_hand_pair("dskkar00.dbf", "DskWor00.Dbf", wor_vals, 1);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(g.l[0].nlines, 1);
	am_diags_release(&ds);
}

static void test_missing_file(void **state)
{
	struct got g;
	struct am_diags ds;
	char p[300];

	(void)state;
	write_dbf(in_tmp(p, sizeof(p), "DSKKAR00.DBF"), kar27,
		  sizeof(kar27) / sizeof(kar27[0]), 0x7E, kar_vals, 1);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	assert_true(g.l[0].refused);
	assert_true(has_diag(&ds, AM_EWAGE_DBF_MISSING_FILE, NULL, 0));
	/* What should be there: nothing was found. */
	assert_string_equal(ds.items[0].expected, "DSKWOR00.DBF");
	assert_string_equal(ds.items[0].value, "");
	am_diags_release(&ds);
}

/* Bad values: each a diagnostic with the DBF file, the record, the field
 * and the value; the list is still passed, refused. */
static void test_bad_values(void **state)
{
	const size_t nf = sizeof(wor27) / sizeof(wor27[0]);
	const char *v[3 * sizeof(wor27) / sizeof(wor27[0])];
	struct got g;
	struct am_diags ds;
	char wpath[300];
	const struct am_diag *d;
	size_t k = 0;

	(void)state;
	for (size_t r = 0; r < 3; r++)
		memcpy(v + r * nf, wor_vals, sizeof(wor_vals));
	v[nf + 17] = "1x";	     /* row 2 DSW_DD */
	v[nf + 2] = "8";	     /* row 2 DSW_MM, header says 7 */
	v[2 * nf + 12] = "ABC";	     /* row 3 DSW_SEX */
	v[2 * nf + 15] = "14031301"; /* row 3 DSW_SDATE: no month 13 */
	write_hand_pair("DSKKAR00.DBF", "DSKWOR00.DBF", v, 3);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	dump_diags(&ds);
	assert_true(g.l[0].refused);
	assert_int_equal(g.l[0].nlines, 3);
	assert_int_equal(ds.nr, 4);
	while (k < ds.nr && ds.items[k].code != AM_ENUMBER_SYNTAX)
		k++;
	assert_true(k < ds.nr);
	d = &ds.items[k];
	in_tmp(wpath, sizeof(wpath), "DSKWOR00.DBF");
	assert_string_equal(d->file, wpath);
	assert_int_equal(d->line, 2);
	assert_string_equal(d->field, "DSW_DD");
	assert_string_equal(d->value, "1x");
	assert_true(has_diag(&ds, AM_EWAGE_LINE_HEADER, "DSW_MM", 2));
	assert_true(has_diag(&ds, AM_EWAGE_SEX, "DSW_SEX", 3));
	assert_true(has_diag(&ds, AM_EDATE_RANGE, "DSW_SDATE", 3));
	am_diags_release(&ds);
}

/* An unknown field and a missing one, each named with its file. */
static void test_unknown_and_missing_field(void **state)
{
	struct hfield f[sizeof(wor27) / sizeof(wor27[0])];
	struct got g;
	struct am_diags ds;
	char p[300];

	(void)state;
	memcpy(f, wor27, sizeof(f));
	f[3].name = "DSW_LISTN"; /* unknown, and DSW_LISTNO missing */
	write_dbf(in_tmp(p, sizeof(p), "DSKKAR00.DBF"), kar27,
		  sizeof(kar27) / sizeof(kar27[0]), 0x7E, kar_vals, 1);
	write_dbf(in_tmp(p, sizeof(p), "DSKWOR00.DBF"), f,
		  sizeof(f) / sizeof(f[0]), 0, wor_vals, 1);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	assert_true(g.l[0].refused);
	assert_true(has_diag(&ds, AM_EWAGE_UNKNOWN_FIELD, "DSW_LISTN", 0));
	assert_true(has_diag(&ds, AM_EWAGE_MISSING_FIELD, "DSW_LISTNO", 0));
	assert_string_equal(ds.items[0].file, p);
	am_diags_release(&ds);
}

/* DSKKAR00 must hold one record; a header problem is its row 1. */
static void test_header_records(void **state)
{
	const size_t nk = sizeof(kar27) / sizeof(kar27[0]);
	const char *kv[2 * sizeof(kar27) / sizeof(kar27[0])];
	struct got g;
	struct am_diags ds;
	char p[300];

	(void)state;
	memcpy(kv, kar_vals, sizeof(kar_vals));
	memcpy(kv + nk, kar_vals, sizeof(kar_vals));
	kv[5] = "x3";
	write_dbf(in_tmp(p, sizeof(p), "DSKKAR00.DBF"), kar27, nk, 0x7E, kv, 2);
	write_dbf(in_tmp(p, sizeof(p), "DSKWOR00.DBF"), wor27,
		  sizeof(wor27) / sizeof(wor27[0]), 0, wor_vals, 1);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	dump_diags(&ds);
	assert_true(g.l[0].refused);
	assert_true(has_diag(&ds, AM_EWAGE_HEADER_RECORDS, NULL, 1));
	assert_true(has_diag(&ds, AM_ENUMBER_SYNTAX, "DSK_YY", 1));
	/* The lines are not compared with the year that could not be read. */
	assert_int_equal(ds.nr, 2);
	am_diags_release(&ds);
}

/* A damaged file (records counted that are not there) is refused. */
static void test_truncated(void **state)
{
	struct got g;
	struct am_diags ds;
	char p[300];

	(void)state;
	write_hand_pair("DSKKAR00.DBF", "DSKWOR00.DBF", wor_vals, 1);
	assert_int_equal(truncate(in_tmp(p, sizeof(p), "DSKWOR00.DBF"),
				  32 * 28 + 1 + 100),
			 0);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	assert_true(g.l[0].refused);
	assert_true(has_diag(&ds, AM_EWAGE_DBF_UNREADABLE, NULL, 0));
	am_diags_release(&ds);
}

/* The writer refuses text its code page cannot hold, naming the field,
 * and leaves no file behind. */
static void test_write_unmappable(void **state)
{
	struct am_wage_list l;
	struct am_diag d;
	char cmd[300];

	(void)state;
	sample_list(&l);
	l.lines[1].last_name = "王";
	memset(&d, 0, sizeof(d));
	assert_int_equal(am_dbf_write_diag(&l, tmpdir, AM_DBF_V27,
					   AM_CP_WINDOWS_1256, &d),
			 AM_EENCODING_UNMAPPABLE);
	assert_string_equal(d.field, "DSW_LNAME");
	assert_int_equal(d.line, 2);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", tmpdir);
	assert_int_equal(system(cmd), 0);
	/* Too wide for its field, and a year DSK_YY cannot carry. */
	l.lines[1].last_name = "یگانه";
	l.workshop_name =
		"نامی بسیار بلند برای کارگاهی که جا نمی‌شود";
	assert_int_equal(am_dbf_write_diag(&l, tmpdir, AM_DBF_V27,
					   AM_CP_WINDOWS_1256, &d),
			 AM_EWAGE_FIELD_TOO_LONG);
	assert_string_equal(d.field, "DSK_NAME");
	l.workshop_name = "کارگاه";
	l.period.year = 1470;
	assert_int_equal(
		am_dbf_write(&l, tmpdir, AM_DBF_V27, AM_CP_WINDOWS_1256),
		AM_EINVALID_ARGUMENT);
	assert_int_equal(system(cmd), 0);
	am_wage_list_release(&l);
}

static void test_year_and_layout_names(void **state)
{
	int y = 0;
	enum am_dbf_layout l = AM_DBF_NONE;

	(void)state;
	assert_true(am__parse_year("00", 2, &y));
	assert_int_equal(y, 1400);
	assert_true(am__parse_year("69", 2, &y));
	assert_int_equal(y, 1469);
	assert_true(am__parse_year("70", 2, &y));
	assert_int_equal(y, 1370);
	assert_true(am__parse_year(" 3", 2, &y));
	assert_int_equal(y, 1403);
	assert_true(am__parse_year("99", 2, &y));
	assert_int_equal(y, 1399);
	assert_true(am__parse_year("1403", 4, &y));
	assert_int_equal(y, 1403);
	assert_true(am__parse_year("۱۴۰۳", strlen("۱۴۰۳"), &y));
	assert_int_equal(y, 1403);
	assert_false(am__parse_year("403", 3, &y));
	assert_false(am__parse_year("", 0, &y));
	assert_false(am__parse_year("14x3", 4, &y));
	assert_int_equal(am_dbf_layout_parse("V6", &l), 0);
	assert_int_equal(l, AM_DBF_V6);
	assert_int_equal(am_dbf_layout_parse("2.7", &l), 0);
	assert_int_equal(l, AM_DBF_V27);
	assert_int_equal(am_dbf_layout_parse("9", &l), AM_EINVALID_ARGUMENT);
	assert_string_equal(am_dbf_layout_name(AM_DBF_OLD), "old");
}

/* The same list through DBF and CSV hashes the same. */
static void test_hash_dbf_csv(void **state)
{
	struct am_wage_list l;
	struct got g, gc;
	struct am_diags ds;
	char p[300];
	FILE *f;

	(void)state;
	sample_list(&l);
	assert_int_equal(am_dbf_write(&l, tmpdir, AM_DBF_V6, AM_CP_IRAN_SYSTEM),
			 0);
	f = fopen(in_tmp(p, sizeof(p), "list.csv"), "w");
	assert_non_null(f);
	assert_int_equal(am_csv_write_header(f), 0);
	assert_int_equal(am_csv_write_list(f, &l), 0);
	fclose(f);
	am_diags_init(&ds, 0);
	read_dir(tmpdir, NULL, &g, &ds);
	memset(&gc, 0, sizeof(gc));
	assert_int_equal(am_csv_read(p, NULL, got_fn, &gc, &ds), 0);
	dump_diags(&ds);
	assert_int_equal(ds.nr, 0);
	assert_int_equal(gc.n, 1);
	assert_memory_equal(g.l[0].hash, l.hash, 32);
	assert_memory_equal(gc.l[0].hash, l.hash, 32);
	/* A change of one rial changes it. */
	l.lines[1].insured_share++;
	am_wage_list_hash(&l);
	assert_memory_not_equal(gc.l[0].hash, l.hash, 32);
	am_diags_release(&ds);
	am_wage_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hand_made_v27, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_writer_matches_spec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forced_codepage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_case, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_missing_field,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_unmappable, setup,
						teardown),
		cmocka_unit_test(test_year_and_layout_names),
		cmocka_unit_test_setup_teardown(test_hash_dbf_csv, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
