/* ListDisk DBF wage lists: DSKKAR00.DBF (the header) and DSKWOR00.DBF (the
 * lines), read by field name through shapelib, and written atomically. */
#include "core/internal.h"

#include <dirent.h>

#include "amanat/assess.h"
#include "amanat/formats.h"
#include "formats/formats_int.h"

#include <shapefil.h>

/* Lists larger than this are refused rather than held in memory; the
 * largest workshops file a few tens of thousands of lines. */
#define DBF_MAX_LINES 1000000
/* Bytes of Persian text sampled per file to guess its code page. */
#define GUESS_SAMPLE ((size_t)64 * 1024)

struct dbf_field {
	const char *name;
	char type;
	int width;
	int id; /* enum am__hf or am__wf */
};

/* iran-rules.md §7.2 and §7.3: the official 2.7 templates. */
/* clang-format off */
#define KAR_V27                                                            \
	{ "DSK_ID", 'C', 10, AM_HF_ID },                                   \
	{ "DSK_NAME", 'C', 30, AM_HF_NAME },                               \
	{ "DSK_FARM", 'C', 30, AM_HF_FARM },                               \
	{ "DSK_ADRS", 'C', 40, AM_HF_ADRS },                               \
	{ "DSK_KIND", 'N', 1, AM_HF_KIND },                                \
	{ "DSK_YY", 'N', 2, AM_HF_YY },                                    \
	{ "DSK_MM", 'N', 2, AM_HF_MM },                                    \
	{ "DSK_LISTNO", 'C', 12, AM_HF_LISTNO },                           \
	{ "DSK_DISC", 'C', 30, AM_HF_DISC },                               \
	{ "DSK_NUM", 'N', 5, AM_HF_NUM },                                  \
	{ "DSK_TDD", 'N', 6, AM_HF_TDD },                                  \
	{ "DSK_TROOZ", 'N', 12, AM_HF_TROOZ },                             \
	{ "DSK_TMAH", 'N', 12, AM_HF_TMAH },                               \
	{ "DSK_TMAZ", 'N', 12, AM_HF_TMAZ },                               \
	{ "DSK_TMASH", 'N', 12, AM_HF_TMASH },                             \
	{ "DSK_TTOTL", 'N', 12, AM_HF_TTOTL },                             \
	{ "DSK_TBIME", 'N', 12, AM_HF_TBIME },                             \
	{ "DSK_TKOSO", 'N', 12, AM_HF_TKOSO },                             \
	{ "DSK_BIC", 'N', 12, AM_HF_BIC },                                 \
	{ "DSK_RATE", 'N', 5, AM_HF_RATE },                                \
	{ "DSK_PRATE", 'N', 2, AM_HF_PRATE },                              \
	{ "DSK_BIMH", 'N', 12, AM_HF_BIMH },                               \
	{ "MON_PYM", 'C', 3, AM_HF_PYM }

/* The 2.7 template declares DSW_ID1 as C8 while the specification allows
 * 10 digits and modern insurance numbers have 10: the writer uses C10. */
#define WOR_V27(fname, lname, dname)                                       \
	{ "DSW_ID", 'C', 10, AM_WF_ID },                                   \
	{ "DSW_YY", 'N', 2, AM_WF_YY },                                    \
	{ "DSW_MM", 'N', 2, AM_WF_MM },                                    \
	{ "DSW_LISTNO", 'C', 12, AM_WF_LISTNO },                           \
	{ "DSW_ID1", 'C', 10, AM_WF_ID1 },                                 \
	{ "DSW_FNAME", 'C', fname, AM_WF_FNAME },                          \
	{ "DSW_LNAME", 'C', lname, AM_WF_LNAME },                          \
	{ "DSW_DNAME", 'C', dname, AM_WF_DNAME },                          \
	{ "DSW_IDNO", 'C', 15, AM_WF_IDNO },                               \
	{ "DSW_IDPLC", 'C', 30, AM_WF_IDPLC },                             \
	{ "DSW_IDATE", 'C', 8, AM_WF_IDATE },                              \
	{ "DSW_BDATE", 'C', 8, AM_WF_BDATE },                              \
	{ "DSW_SEX", 'C', 3, AM_WF_SEX },                                  \
	{ "DSW_NAT", 'C', 10, AM_WF_NAT },                                 \
	{ "DSW_OCP", 'C', 50, AM_WF_OCP },                                 \
	{ "DSW_SDATE", 'C', 8, AM_WF_SDATE },                              \
	{ "DSW_EDATE", 'C', 8, AM_WF_EDATE },                              \
	{ "DSW_DD", 'N', 2, AM_WF_DD },                                    \
	{ "DSW_ROOZ", 'N', 12, AM_WF_ROOZ },                               \
	{ "DSW_MAH", 'N', 12, AM_WF_MAH },                                 \
	{ "DSW_MAZ", 'N', 12, AM_WF_MAZ },                                 \
	{ "DSW_MASH", 'N', 12, AM_WF_MASH },                               \
	{ "DSW_TOTL", 'N', 12, AM_WF_TOTL },                               \
	{ "DSW_BIME", 'N', 12, AM_WF_BIME },                               \
	{ "DSW_PRATE", 'N', 2, AM_WF_PRATE },                              \
	{ "DSW_JOB", 'C', 6, AM_WF_JOB },                                  \
	{ "PER_NATCOD", 'C', 10, AM_WF_NATCOD }
/* clang-format on */

static const struct dbf_field kar_v27[] = { KAR_V27 };
static const struct dbf_field kar_v6[] = {
	KAR_V27,
	{ "DSK_INC", 'N', 12, AM_HF_INC },
	{ "DSK_SPOUSE", 'N', 12, AM_HF_SPOUSE },
};
static const struct dbf_field kar_old[] = {
	KAR_V27,
	{ "DSK_INC", 'N', 19, AM_HF_INC },
	{ "DSK_SPOUSE", 'N', 19, AM_HF_SPOUSE },
	{ "DSK_TBIM20", 'N', 12, AM_HF_TBIM20 },
};
static const struct dbf_field wor_v27[] = { WOR_V27(60, 60, 60) };
static const struct dbf_field wor_v6[] = {
	WOR_V27(60, 60, 60),
	{ "DSW_INC", 'N', 12, AM_WF_INC },
	{ "DSW_SPOUSE", 'C', 10, AM_WF_SPOUSE },
};
static const struct dbf_field wor_old[] = {
	WOR_V27(20, 25, 20),
	{ "DSW_INC", 'N', 19, AM_WF_INC },
	{ "DSW_SPOUSE", 'N', 19, AM_WF_SPOUSE },
	{ "DSW_KOSO", 'N', 12, AM_WF_KOSO },
	{ "DSW_BIME20", 'N', 12, AM_WF_BIME20 },
};

struct layout {
	const struct dbf_field *kar, *wor;
	size_t nkar, nwor;
};

static const struct layout layouts[] = {
	[AM_DBF_V27] = { kar_v27, wor_v27, AM_ARRAY_SIZE(kar_v27),
			 AM_ARRAY_SIZE(wor_v27) },
	[AM_DBF_V6] = { kar_v6, wor_v6, AM_ARRAY_SIZE(kar_v6),
			AM_ARRAY_SIZE(wor_v6) },
	[AM_DBF_OLD] = { kar_old, wor_old, AM_ARRAY_SIZE(kar_old),
			 AM_ARRAY_SIZE(wor_old) },
};

/* ---- shapelib's file hooks ----
 *
 * shapelib replaces the extension of the name it is given (".dbf", then
 * ".DBF") and looks for a ".cpg" beside it. ListDisk names are matched
 * without regard to case and the code page is ours to decide, so the
 * hooks open exactly the path chosen here and never a .cpg. shapelib's
 * hooks carry no user pointer, hence the thread-local path. */
static _Thread_local const char *hook_path;

static SAFile hook_open(const char *name, const char *access)
{
	size_t n = strlen(name);

	if (n >= 4 && strcasecmp(name + n - 4, ".cpg") == 0)
		return NULL;
	return (SAFile)(void *)fopen(hook_path ? hook_path : name, access);
}

static void hook_error(const char *message)
{
	(void)message; /* reported as a diagnostic by the caller */
}

static void hooks_setup(SAHooks *h)
{
	SASetupDefaultHooks(h);
	h->FOpen = hook_open;
	h->Error = hook_error;
}

static DBFHandle dbf_open(const char *path, const char *access)
{
	SAHooks h;
	DBFHandle d;

	hooks_setup(&h);
	hook_path = path;
	d = DBFOpenLL(path, access, &h);
	hook_path = NULL;
	return d;
}

static DBFHandle dbf_create(const char *path, const char *cpg)
{
	SAHooks h;
	DBFHandle d;

	hooks_setup(&h);
	hook_path = path;
	d = DBFCreateLL(path, cpg, &h);
	hook_path = NULL;
	return d;
}

/* ---- finding the files ---- */

/* dir/NAME, the entry of dir whose name equals name without regard to
 * case (the exact spelling first). false when there is none. */
static bool find_file(const char *dir, const char *name, struct am_buf *out)
{
	DIR *d;
	struct dirent *e;
	bool found = false;

	am_buf_clear(out);
	if (am_buf_addf(out, "%s/%s", dir, name))
		return false;
	if (access(out->buf, R_OK) == 0)
		return true;
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (strcasecmp(e->d_name, name) != 0)
			continue;
		am_buf_clear(out);
		found = am_buf_addf(out, "%s/%s", dir, e->d_name) == 0;
	}
	closedir(d);
	return found;
}

/* ---- reading ---- */

/* One DBF file being read: its handle, and each known field's column. */
struct dbf_in {
	DBFHandle h;
	const char *path;
	int col[(int)AM_WF_COUNT > (int)AM_HF_COUNT ? (int)AM_WF_COUNT
						    : (int)AM_HF_COUNT];
	enum am_dbf_layout layout;
	enum am_codepage cp;
};

/* The fields that carry Persian words, sampled to guess the code page. */
static bool is_persian_kar(int f)
{
	return f == AM_HF_NAME || f == AM_HF_FARM || f == AM_HF_ADRS ||
	       f == AM_HF_DISC;
}

static bool is_persian_wor(int f)
{
	return f == AM_WF_FNAME || f == AM_WF_LNAME || f == AM_WF_DNAME ||
	       f == AM_WF_IDPLC || f == AM_WF_SEX || f == AM_WF_NAT ||
	       f == AM_WF_OCP;
}

static bool has_high_byte(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* Open and check the file's structure: every field known, the layout's
 * fields all present, each of a type a ListDisk field can have, and the
 * records the header counts present in the file. */
static int dbf_in_open(struct dbf_in *in, struct am__fctx *c, bool kar)
{
	const char *const *names = kar ? am__hf_names : am__wf_names;
	int nnames = kar ? AM_HF_COUNT : AM_WF_COUNT;
	bool v6 = false, old = false;
	const struct dbf_field *want;
	size_t nwant;
	struct stat st;
	unsigned before = c->nbad;

	for (int i = 0; i < nnames; i++)
		in->col[i] = -1;
	in->h = dbf_open(in->path, "rb");
	if (!in->h || stat(in->path, &st) != 0 ||
	    (unsigned long long)in->h->nHeaderLength +
			    (unsigned long long)in->h->nRecords *
				    (unsigned long long)in->h->nRecordLength >
		    (unsigned long long)st.st_size) {
		am__fctx_diag(c, AM_EWAGE_DBF_UNREADABLE, NULL, NULL, 0, NULL);
		return -1;
	}
	for (int i = 0; i < DBFGetFieldCount(in->h); i++) {
		char name[XBASE_FLDNAME_LEN_READ + 1];
		int width = 0, dec = 0, f;
		char type;

		DBFGetFieldInfo(in->h, i, name, &width, &dec);
		type = DBFGetNativeFieldType(in->h, i);
		f = kar ? am__hf_lookup(name, strlen(name))
			: am__wf_lookup(name, strlen(name));
		if (f < 0) {
			am__fctx_diag(c, AM_EWAGE_UNKNOWN_FIELD, name, NULL, 0,
				      NULL);
			continue;
		}
		if (in->col[f] >= 0) {
			am__fctx_diag(c, AM_EWAGE_FIELD_TWICE, name, NULL, 0,
				      NULL);
			continue;
		}
		if (type != 'C' && type != 'N' && type != 'F') {
			char t[2] = { type, '\0' };

			am__fctx_diag(c, AM_EWAGE_FIELD_TYPE, name, t, 1,
				      "C | N");
			continue;
		}
		in->col[f] = i;
		if (kar ? f == AM_HF_TBIM20 : f >= AM_WF_KOSO)
			old = true;
		else if (kar ? f >= AM_HF_INC : f >= AM_WF_INC)
			v6 = true;
	}
	in->layout = old ? AM_DBF_OLD : v6 ? AM_DBF_V6 : AM_DBF_V27;
	want = kar ? layouts[in->layout].kar : layouts[in->layout].wor;
	nwant = kar ? layouts[in->layout].nkar : layouts[in->layout].nwor;
	for (size_t i = 0; i < nwant; i++)
		if (in->col[want[i].id] < 0)
			am__fctx_diag(c, AM_EWAGE_MISSING_FIELD, want[i].name,
				      NULL, 0, am_dbf_layout_name(in->layout));
	(void)names;
	return c->nbad == before ? 0 : -1;
}

/* The code page of a file: forced, or guessed from its Persian text. */
static enum am_codepage guess_cp(struct dbf_in *in, bool kar,
				 enum am_codepage forced, struct am_buf *tmp)
{
	int n = DBFGetRecordCount(in->h);

	if (forced != AM_CP_UTF8)
		return forced;
	am_buf_clear(tmp);
	for (int r = 0; r < n && tmp->len < GUESS_SAMPLE; r++) {
		for (int f = 0; f < (kar ? AM_HF_COUNT : AM_WF_COUNT); f++) {
			const char *s;

			if (in->col[f] < 0 ||
			    !(kar ? is_persian_kar(f) : is_persian_wor(f)))
				continue;
			s = DBFReadStringAttribute(in->h, r, in->col[f]);
			if (s &&
			    (am_buf_adds(tmp, s) || am_buf_addch(tmp, ' ')))
				break;
		}
	}
	return am_text_guess_codepage(tmp->buf, tmp->len);
}

/* Read field f of record r, decoded to UTF-8 when it is text, and set it.
 * Returns 0, AM_ENOMEM, or AM_EIO when the record cannot be read. */
static int read_field(struct dbf_in *in, struct am__fctx *c, int r, int f,
		      bool kar, struct am_wage_line *w, struct am__wkey *key,
		      struct am_buf *dec)
{
	const char *s;
	size_t len;
	int err;

	if (in->col[f] < 0)
		return 0;
	s = DBFReadStringAttribute(in->h, r, in->col[f]);
	if (!s)
		return AM_EIO;
	if (DBFIsAttributeNULL(in->h, r, in->col[f]))
		s = "";
	len = strlen(s);
	/* ASCII reads the same in both code pages; only bytes from 0x80
	 * on are the code page's (Persian letters, and Persian digits in
	 * Iran System). */
	if (has_high_byte(s, len)) {
		am_buf_clear(dec);
		err = am_text_decode(in->cp, s, len, dec);
		if (err == AM_ENOMEM)
			return err;
		if (err) {
			am__fctx_diag(c, err,
				      kar ? am__hf_names[f] : am__wf_names[f],
				      NULL, 0, am_codepage_name(in->cp));
			return 0;
		}
		s = dec->buf;
		len = dec->len;
	}
	return kar ? am__whead_set(c, key, f, s, len)
		   : am__wline_set(c, w, key, f, s, len);
}

static int read_header(struct dbf_in *in, struct am__fctx *c,
		       struct am__wkey *key, const struct am_read_opts *opts,
		       struct am_buf *dec)
{
	int n = DBFGetRecordCount(in->h);
	int err;

	c->row = 1;
	if (n != 1) {
		char v[24];

		snprintf(v, sizeof(v), "%d", n);
		am__fctx_diag(c, AM_EWAGE_HEADER_RECORDS, NULL, v, strlen(v),
			      "1");
		if (n < 1)
			return 0;
	}
	in->cp = guess_cp(in, true, opts->codepage, dec);
	for (int f = 0; f < AM_HF_COUNT; f++) {
		err = read_field(in, c, 0, f, true, NULL, key, dec);
		if (err == AM_EIO) {
			am__fctx_diag(c, AM_EWAGE_DBF_UNREADABLE, NULL, NULL, 0,
				      NULL);
			return 0;
		}
		if (err)
			return err;
	}
	c->l->has_totals = true;
	return 0;
}

/* Name the first of the four key fields where the line differs. */
static void check_key(struct am__fctx *c, const struct am__wkey *head,
		      const struct am__wkey *k)
{
	char v[24], e[24];

	/* A header value that could not be read (already reported) is
	 * empty or 0: comparing the lines with it would only repeat that. */
	if (head->id[0] && strcmp(k->id, head->id) != 0)
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_ID", k->id,
			      strlen(k->id), head->id);
	if (head->period.year && k->period.year != head->period.year) {
		snprintf(v, sizeof(v), "%d", k->period.year);
		snprintf(e, sizeof(e), "%d", head->period.year);
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_YY", v, strlen(v),
			      e);
	}
	if (head->period.month && k->period.month != head->period.month) {
		snprintf(v, sizeof(v), "%d", k->period.month);
		snprintf(e, sizeof(e), "%d", head->period.month);
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_MM", v, strlen(v),
			      e);
	}
	if (head->list_no[0] && strcmp(k->list_no, head->list_no) != 0)
		am__fctx_diag(c, AM_EWAGE_LINE_HEADER, "DSW_LISTNO", k->list_no,
			      strlen(k->list_no), head->list_no);
}

static int read_lines(struct dbf_in *in, struct am__fctx *c,
		      const struct am__wkey *head,
		      const struct am_read_opts *opts, struct am_buf *dec)
{
	struct am_wage_list *l = c->l;
	int n = DBFGetRecordCount(in->h);
	int err;

	in->cp = guess_cp(in, false, opts->codepage, dec);
	if (n > DBF_MAX_LINES) {
		char v[24], e[24];

		snprintf(v, sizeof(v), "%d", n);
		snprintf(e, sizeof(e), "<= %d", DBF_MAX_LINES);
		c->row = 0;
		am__fctx_diag(c, AM_ETOO_LONG, NULL, v, strlen(v), e);
		return 0;
	}
	if (n <= 0)
		return 0;
	l->lines = am_arena_calloc(&l->arena, (size_t)n, sizeof(*l->lines));
	if (!l->lines)
		return AM_ENOMEM;
	for (int r = 0; r < n; r++) {
		struct am_wage_line *w = &l->lines[l->nlines];
		struct am__wkey k;

		if (DBFIsRecordDeleted(in->h, r))
			continue;
		c->row = (unsigned)r + 1;
		am__wline_reset(w, c->row);
		memset(&k, 0, sizeof(k));
		for (int f = 0; f < AM_WF_COUNT; f++) {
			err = read_field(in, c, r, f, false, w, &k, dec);
			if (err == AM_EIO) {
				am__fctx_diag(c, AM_EWAGE_DBF_UNREADABLE, NULL,
					      NULL, 0, NULL);
				return 0;
			}
			if (err)
				return err;
		}
		check_key(c, head, &k);
		l->nlines++;
	}
	return 0;
}

int am_dbf_read(const char *dir, const struct am_read_opts *opts,
		am_wage_list_fn fn, void *ctx, struct am_diags *diags)
{
	static const struct am_read_opts defaults = { AM_CP_UTF8 };
	struct am_wage_list l;
	struct am__fctx c;
	struct am__wkey key;
	struct dbf_in kar = { 0 }, wor = { 0 };
	struct am_buf kpath, wpath, dec;
	int err = 0;

	if (!opts)
		opts = &defaults;
	am_wage_list_init(&l);
	l.file = dir;
	l.header_row = 1;
	memset(&key, 0, sizeof(key));
	am__fctx_init(&c, &l, diags, dir);
	am_buf_init(&kpath, 0);
	am_buf_init(&wpath, 0);
	am_buf_init(&dec, 1 << 20);
	if (!find_file(dir, "DSKKAR00.DBF", &kpath)) {
		am__fctx_diag(&c, AM_EWAGE_DBF_MISSING_FILE, NULL, NULL, 0,
			      "DSKKAR00.DBF");
		goto deliver;
	}
	if (!find_file(dir, "DSKWOR00.DBF", &wpath)) {
		am__fctx_diag(&c, AM_EWAGE_DBF_MISSING_FILE, NULL, NULL, 0,
			      "DSKWOR00.DBF");
		goto deliver;
	}

	kar.path = c.file = kpath.buf;
	c.row = 1;
	if (dbf_in_open(&kar, &c, true) == 0) {
		err = read_header(&kar, &c, &key, opts, &dec);
		if (err)
			goto close;
	}
	am__wkey_apply(&l, &key);

	wor.path = c.file = wpath.buf;
	c.row = 0;
	if (dbf_in_open(&wor, &c, false) == 0) {
		err = read_lines(&wor, &c, &key, opts, &dec);
		if (err)
			goto close;
	}
	l.layout = wor.h ? wor.layout : kar.layout;
	l.codepage = wor.h ? wor.cp : kar.cp;

deliver:
	am_wage_list_hash(&l);
	err = fn(&l, c.nbad > 0, ctx);
close:
	if (kar.h)
		DBFClose(kar.h);
	if (wor.h)
		DBFClose(wor.h);
	am_buf_release(&dec);
	am_buf_release(&wpath);
	am_buf_release(&kpath);
	am__fctx_release(&c);
	am_wage_list_release(&l);
	return err;
}

/* ---- writing ---- */

struct dbf_out {
	DBFHandle h;
	const struct dbf_field *fields;
	size_t n;
	enum am_codepage cp;
	struct am_buf tmp, enc;
	struct am_diag *diag;
	const char *file;
};

static int out_fail(struct dbf_out *o, int err, const char *field,
		    const char *value)
{
	if (o->diag)
		am_diag_set(o->diag, err, o->file, 0, field, value, NULL);
	return err;
}

/* Put bytes into field i of record r, checking its width. Identifiers
 * go through put_text() too: a stray letter in one must come back as it
 * went (fuzzing found a national code holding «ی»). */
static int put_raw(struct dbf_out *o, int r, size_t i, const char *s,
		   size_t len)
{
	const struct dbf_field *f = &o->fields[i];

	if (len > (size_t)f->width || memchr(s, '\0', len))
		return out_fail(o, AM_EWAGE_FIELD_TOO_LONG, f->name, s);
	if (!DBFWriteAttributeDirectly(o->h, r, (int)i, (void *)s))
		return out_fail(o, AM_EIO, f->name, NULL);
	return 0;
}

static int put_num(struct dbf_out *o, int r, size_t i, int64_t v)
{
	char s[32];

	if (o->fields[i].type == 'N')
		snprintf(s, sizeof(s), "%*" PRId64, o->fields[i].width, v);
	else
		snprintf(s, sizeof(s), "%" PRId64, v);
	return put_raw(o, r, i, s, strlen(s));
}

static int put_text(struct dbf_out *o, int r, size_t i, const char *s)
{
	int err;

	am_buf_clear(&o->enc);
	err = am_text_encode(o->cp, s ? s : "", s ? strlen(s) : 0, false,
			     &o->enc);
	if (err)
		return out_fail(o, err, o->fields[i].name, s);
	return put_raw(o, r, i, o->enc.buf, o->enc.len);
}

static int put_date(struct dbf_out *o, int r, size_t i, am_date d)
{
	struct am_ymd j;
	char s[16];

	if (d == AM_WAGE_DATE_NONE)
		return put_raw(o, r, i, "", 0);
	am_date_to_jalali(d, &j);
	snprintf(s, sizeof(s), "%04d%02d%02d", j.year, j.month, j.day);
	return put_raw(o, r, i, s, strlen(s));
}

static int two_digit_year(int year, int *out)
{
	if (year < 1370 || year > 1469)
		return AM_EINVALID_ARGUMENT;
	*out = year % 100;
	return 0;
}

static int put_kar_field(struct dbf_out *o, size_t i,
			 const struct am_wage_list *l)
{
	int yy;

	switch (o->fields[i].id) {
	case AM_HF_ID:
		return put_text(o, 0, i, l->workshop);
	case AM_HF_NAME:
		return put_text(o, 0, i, l->workshop_name);
	case AM_HF_FARM:
		return put_text(o, 0, i, l->employer_name);
	case AM_HF_ADRS:
		return put_text(o, 0, i, l->address);
	case AM_HF_KIND:
		return put_num(o, 0, i, l->kind);
	case AM_HF_YY:
		if (two_digit_year(l->period.year, &yy))
			return out_fail(o, AM_EINVALID_ARGUMENT, "DSK_YY",
					NULL);
		return put_num(o, 0, i, yy);
	case AM_HF_MM:
		return put_num(o, 0, i, l->period.month);
	case AM_HF_LISTNO:
		return put_text(o, 0, i, l->list_no);
	case AM_HF_DISC:
		return put_text(o, 0, i, l->description);
	case AM_HF_NUM:
		return put_num(o, 0, i, l->t_workers);
	case AM_HF_TDD:
		return put_num(o, 0, i, l->t_days);
	case AM_HF_TROOZ:
		return put_num(o, 0, i, l->t_daily);
	case AM_HF_TMAH:
		return put_num(o, 0, i, l->t_wage);
	case AM_HF_TMAZ:
		return put_num(o, 0, i, l->t_benefits);
	case AM_HF_TMASH:
		return put_num(o, 0, i, l->t_subject);
	case AM_HF_TTOTL:
		return put_num(o, 0, i, l->t_total);
	case AM_HF_TBIME:
		return put_num(o, 0, i, l->t_insured);
	case AM_HF_TKOSO:
		return put_num(o, 0, i, l->t_employer);
	case AM_HF_BIC:
		return put_num(o, 0, i, l->t_unemployment);
	case AM_HF_RATE:
		return put_num(o, 0, i, l->rate);
	case AM_HF_PRATE:
		return put_num(o, 0, i, l->prate);
	case AM_HF_BIMH:
		return put_num(o, 0, i, l->t_hard_harmful);
	case AM_HF_PYM:
		return put_text(o, 0, i, l->contract_row);
	case AM_HF_INC:
		return put_num(o, 0, i, l->t_seniority);
	case AM_HF_SPOUSE:
		return put_num(o, 0, i, l->t_spouse);
	default: /* DSK_TBIM20: no value of ours; written as 0 */
		return put_num(o, 0, i, 0);
	}
}

static const char *sex_word(char sex)
{
	return sex == 'M' ? "مرد" : sex == 'F' ? "زن" : "";
}

static int put_wor_field(struct dbf_out *o, int r, size_t i,
			 const struct am_wage_list *l,
			 const struct am_wage_line *w)
{
	int yy;

	switch (o->fields[i].id) {
	case AM_WF_ID:
		return put_text(o, r, i, l->workshop);
	case AM_WF_YY:
		if (two_digit_year(l->period.year, &yy))
			return out_fail(o, AM_EINVALID_ARGUMENT, "DSW_YY",
					NULL);
		return put_num(o, r, i, yy);
	case AM_WF_MM:
		return put_num(o, r, i, l->period.month);
	case AM_WF_LISTNO:
		return put_text(o, r, i, l->list_no);
	case AM_WF_ID1:
		return put_text(o, r, i, w->insurance_no);
	case AM_WF_FNAME:
		return put_text(o, r, i, w->first_name);
	case AM_WF_LNAME:
		return put_text(o, r, i, w->last_name);
	case AM_WF_DNAME:
		return put_text(o, r, i, w->father_name);
	case AM_WF_IDNO:
		return put_text(o, r, i, w->id_no);
	case AM_WF_IDPLC:
		return put_text(o, r, i, w->id_place);
	case AM_WF_IDATE:
		return put_date(o, r, i, w->id_date);
	case AM_WF_BDATE:
		return put_date(o, r, i, w->birth_date);
	case AM_WF_SEX:
		return put_text(o, r, i, sex_word(w->sex));
	case AM_WF_NAT:
		return put_text(o, r, i, w->nationality);
	case AM_WF_OCP:
		return put_text(o, r, i, w->occupation);
	case AM_WF_SDATE:
		return put_date(o, r, i, w->start_date);
	case AM_WF_EDATE:
		return put_date(o, r, i, w->end_date);
	case AM_WF_DD:
		return put_num(o, r, i, w->days);
	case AM_WF_ROOZ:
		return put_num(o, r, i, w->daily_wage);
	case AM_WF_MAH:
		return put_num(o, r, i, w->monthly_wage);
	case AM_WF_MAZ:
		return put_num(o, r, i, w->benefits);
	case AM_WF_MASH:
		return put_num(o, r, i, w->subject_wage);
	case AM_WF_TOTL:
		return put_num(o, r, i, w->total_pay);
	case AM_WF_BIME:
		return put_num(o, r, i, w->insured_share);
	case AM_WF_PRATE:
		return put_num(o, r, i, w->prate);
	case AM_WF_JOB:
		return put_text(o, r, i, w->job_code);
	case AM_WF_NATCOD:
		return put_text(o, r, i, w->national_code);
	case AM_WF_INC:
		return put_num(o, r, i, w->seniority);
	case AM_WF_SPOUSE:
		return put_num(o, r, i, w->spouse);
	default: /* DSW_KOSO, DSW_BIME20: no value of ours; written as 0 */
		return put_num(o, r, i, 0);
	}
}

/* Create path with the fields of the layout. */
static int out_create(struct dbf_out *o, const char *path)
{
	/* LDID 0x7E marks Windows-1256, as the official template does; no
	 * LDID is registered for Iran System, so it is left 0. */
	o->h = dbf_create(path,
			  o->cp == AM_CP_WINDOWS_1256 ? "LDID/126" : NULL);
	o->file = path;
	if (!o->h)
		return out_fail(o, AM_EIO, NULL, NULL);
	for (size_t i = 0; i < o->n; i++)
		if (DBFAddNativeFieldType(o->h, o->fields[i].name,
					  o->fields[i].type, o->fields[i].width,
					  0) < 0)
			return out_fail(o, AM_EIO, o->fields[i].name, NULL);
	return 0;
}

static int write_kar(struct dbf_out *o, const struct am_wage_list *l,
		     const char *path)
{
	int err = out_create(o, path);

	for (size_t i = 0; !err && i < o->n; i++)
		err = put_kar_field(o, i, l);
	return err;
}

static int write_wor(struct dbf_out *o, const struct am_wage_list *l,
		     const char *path)
{
	int err = out_create(o, path);

	for (size_t r = 0; !err && r < l->nlines; r++) {
		o->file = path;
		for (size_t i = 0; !err && i < o->n; i++)
			err = put_wor_field(o, (int)r, i, l, &l->lines[r]);
		if (err && o->diag)
			o->diag->line = (unsigned)r + 1;
	}
	return err;
}

static int close_out(struct dbf_out *o)
{
	if (!o->h)
		return 0;
	DBFClose(o->h);
	o->h = NULL;
	return 0;
}

int am_dbf_write_diag(const struct am_wage_list *l, const char *dir,
		      enum am_dbf_layout layout, enum am_codepage cp,
		      struct am_diag *diag)
{
	struct dbf_out o = { 0 };
	struct am_buf kt, wt, kf, wf;
	int err;

	if (layout == AM_DBF_NONE)
		layout = AM_DBF_V27;
	if ((unsigned)layout >= AM_ARRAY_SIZE(layouts) ||
	    (cp != AM_CP_WINDOWS_1256 && cp != AM_CP_IRAN_SYSTEM) ||
	    l->nlines > DBF_MAX_LINES)
		return AM_EINVALID_ARGUMENT;
	o.cp = cp;
	o.diag = diag;
	am_buf_init(&o.tmp, 0);
	am_buf_init(&o.enc, 0);
	am_buf_init(&kt, 0);
	am_buf_init(&wt, 0);
	am_buf_init(&kf, 0);
	am_buf_init(&wf, 0);
	err = am_buf_addf(&kt, "%s/.amanat-DSKKAR00.tmp", dir);
	err = err ? err : am_buf_addf(&wt, "%s/.amanat-DSKWOR00.tmp", dir);
	err = err ? err : am_buf_addf(&kf, "%s/DSKKAR00.DBF", dir);
	err = err ? err : am_buf_addf(&wf, "%s/DSKWOR00.DBF", dir);
	if (err)
		goto release;

	o.fields = layouts[layout].kar;
	o.n = layouts[layout].nkar;
	err = write_kar(&o, l, kt.buf);
	close_out(&o);
	if (err)
		goto remove;
	o.fields = layouts[layout].wor;
	o.n = layouts[layout].nwor;
	err = write_wor(&o, l, wt.buf);
	close_out(&o);
	if (err)
		goto remove;
	/* The lines first: a crash between the renames leaves the old
	 * header with new lines, which the header-key check refuses. */
	if (rename(wt.buf, wf.buf) != 0 || rename(kt.buf, kf.buf) != 0) {
		err = out_fail(&o, AM_EIO, NULL, NULL);
		goto remove;
	}
	goto release;
remove:
	unlink(kt.buf);
	unlink(wt.buf);
release:
	am_buf_release(&wf);
	am_buf_release(&kf);
	am_buf_release(&wt);
	am_buf_release(&kt);
	am_buf_release(&o.enc);
	am_buf_release(&o.tmp);
	return err;
}

int am_dbf_write(const struct am_wage_list *l, const char *dir,
		 enum am_dbf_layout layout, enum am_codepage cp)
{
	return am_dbf_write_diag(l, dir, layout, cp, NULL);
}
