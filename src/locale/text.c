/* Persian text: normalisation for storage, digit folding, code page names,
 * the decode/encode dispatch and the guess of a legacy field's code page. */
#include "core/internal.h"

#include "amanat/text.h"
#include "locale/codepage.h"

#define CP_ZWNJ 0x200C
#define CP_NBSP 0x00A0

static int add_cp(struct am_buf *out, int32_t cp)
{
	char u[4];
	size_t n = am__utf8_encode(cp, u);

	return am_buf_add(out, u, n);
}

/* The white space that separates words in names and addresses typed by
 * clerks. Other spacing characters are rare enough to keep as they are. */
static bool is_space(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	       cp == CP_NBSP;
}

/* Arabic yeh and kaf look the same as Persian ones but compare different,
 * so one name typed on two keyboards would be two people. */
static int32_t persian_letter(int32_t cp)
{
	switch (cp) {
	case 0x064A: /* ي ARABIC LETTER YEH */
	case 0x0649: /* ى ARABIC LETTER ALEF MAKSURA */
		return 0x06CC;
	case 0x0643: /* ك ARABIC LETTER KAF */
		return 0x06A9;
	default:
		return cp;
	}
}

int am_text_normalize(const char *s, size_t len, struct am_buf *out)
{
	size_t start = out->len;
	bool pending_space = false;
	int err = 0;

	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t used = 0;
		int32_t cp;

		/* Most of a name: an ASCII character that is no space, or a
		 * letter of the Arabic block (U+0600..U+06FF, two bytes, lead
		 * D8..DB) other than the three persian_letter() changes
		 * (D9 83, D9 89, D9 8A), copied as they are. */
		if (c < 0x80 && c != ' ' && c != '\t' && c != '\r' && c != '\n')
			used = 1;
		else if (c >= 0xD8 && c <= 0xDB && i + 1 < len &&
			 ((unsigned char)s[i + 1] & 0xC0) == 0x80 &&
			 !(c == 0xD9 &&
			   (s[i + 1] == '\x83' || s[i + 1] == '\x89' ||
			    s[i + 1] == '\x8A')))
			used = 2;
		if (used) {
			if (pending_space) {
				err = am_buf_addch(out, ' ');
				pending_space = false;
			}
			err = err ? err : am_buf_add(out, s + i, used);
			if (err)
				goto undo;
			i += used;
			continue;
		}
		cp = am__utf8_decode(s + i, len - i, &used);
		if (cp < 0) {
			err = AM_EINVALID_UTF8;
			goto undo;
		}
		i += used;
		if (is_space(cp)) {
			/* Leading space is dropped; inner runs become one. */
			pending_space = out->len > start;
			continue;
		}
		if (pending_space) {
			err = am_buf_addch(out, ' ');
			if (err)
				goto undo;
			pending_space = false;
		}
		err = add_cp(out, persian_letter(cp));
		if (err)
			goto undo;
	}
	return 0;
undo:
	am_buf_truncate(out, start);
	return err;
}

/*
 * Names compared as a reader sees them: one name typed on two keyboards,
 * converted from two code pages or spaced two ways is the same name, and
 * the worker statement must not call it a wrong one.
 */

/* Marks that change neither the letters nor a name. */
static bool name_ignorable(int32_t cp)
{
	return is_space(cp) || cp == CP_ZWNJ || cp == 0x200D /* ZWJ */ ||
	       cp == 0x0640 /* tatweel */ ||
	       (cp >= 0x064B && cp <= 0x065F) /* harakat */ ||
	       cp == 0x0670 /* superscript alef */ || cp == 0x00AD ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The letter a name compares by. */
static int32_t name_letter(int32_t cp)
{
	cp = persian_letter(cp);
	switch (cp) {
	case 0x0622: /* آ ALEF WITH MADDA ABOVE */
	case 0x0623: /* أ ALEF WITH HAMZA ABOVE */
	case 0x0625: /* إ ALEF WITH HAMZA BELOW */
	case 0x0671: /* ٱ ALEF WASLA */
		return 0x0627;
	case 0x0629: /* ة TEH MARBUTA */
	case 0x06C0: /* ۀ HEH WITH YEH ABOVE */
		return 0x0647;
	case 0x0624: /* ؤ WAW WITH HAMZA ABOVE */
		return 0x0648;
	case 0x0626: /* ئ YEH WITH HAMZA ABOVE: رضائی, رضایی */
		return 0x06CC;
	default:
		return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
	}
}

/* The next letter of s[*i..len) that counts, *i moved past it; 0 at the
 * end, -1 at bytes that are not UTF-8. */
static int32_t name_next(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		size_t used;
		int32_t cp = am__utf8_decode(s + *i, len - *i, &used);

		if (cp < 0)
			return -1;
		*i += used;
		if (!name_ignorable(cp))
			return name_letter(cp);
	}
	return 0;
}

bool am_text_same_name(const char *a, const char *b)
{
	size_t na, nb, i = 0, j = 0;

	a = a ? a : "";
	b = b ? b : "";
	na = strlen(a);
	nb = strlen(b);
	for (;;) {
		int32_t x = name_next(a, na, &i), y = name_next(b, nb, &j);

		if (x < 0 || y < 0)
			return na == nb && !memcmp(a, b, na);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/* Value of a Persian or Arabic-Indic digit, or -1. */
static int eastern_digit(int32_t cp)
{
	if (cp >= 0x06F0 && cp <= 0x06F9)
		return (int)(cp - 0x06F0);
	if (cp >= 0x0660 && cp <= 0x0669)
		return (int)(cp - 0x0660);
	return -1;
}

int am_text_digits_to_ascii(const char *s, size_t len, struct am_buf *out)
{
	size_t start = out->len;
	int err = 0;

	for (size_t i = 0; i < len;) {
		size_t used;
		int32_t cp = am__utf8_decode(s + i, len - i, &used);
		int d;

		if (cp < 0) {
			err = AM_EINVALID_UTF8;
			goto undo;
		}
		d = eastern_digit(cp);
		if (d >= 0)
			err = am_buf_addch(out, '0' + d);
		else
			err = am_buf_add(out, s + i, used);
		if (err)
			goto undo;
		i += used;
	}
	return 0;
undo:
	am_buf_truncate(out, start);
	return err;
}

int am_text_digits_to_persian(const char *s, size_t len, struct am_buf *out)
{
	size_t start = out->len;
	int err = 0;

	for (size_t i = 0; i < len;) {
		size_t used;
		int32_t cp = am__utf8_decode(s + i, len - i, &used);
		int d;

		if (cp < 0) {
			err = AM_EINVALID_UTF8;
			goto undo;
		}
		d = eastern_digit(cp);
		if (cp >= '0' && cp <= '9')
			d = (int)(cp - '0');
		if (d >= 0)
			err = add_cp(out, 0x06F0 + d);
		else
			err = am_buf_add(out, s + i, used);
		if (err)
			goto undo;
		i += used;
	}
	return 0;
undo:
	am_buf_truncate(out, start);
	return err;
}

int am_text_digit_at(const char *s, size_t len, size_t *used)
{
	return am__digit_at(s, len, used);
}

/* ---- code page names ---- */

/* The first name of each code page is the one am_codepage_name() gives. */
static const struct {
	const char *name;
	enum am_codepage cp;
} codepage_names[] = {
	{ "utf-8", AM_CP_UTF8 },
	{ "windows-1256", AM_CP_WINDOWS_1256 },
	{ "iran-system", AM_CP_IRAN_SYSTEM },
	{ "utf8", AM_CP_UTF8 },
	{ "cp1256", AM_CP_WINDOWS_1256 },
	{ "iransystem", AM_CP_IRAN_SYSTEM },
};

const char *am_codepage_name(enum am_codepage cp)
{
	for (size_t i = 0; i < AM_ARRAY_SIZE(codepage_names); i++)
		if (codepage_names[i].cp == cp)
			return codepage_names[i].name;
	return "unknown";
}

static bool ascii_case_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

int am_codepage_parse(const char *name, enum am_codepage *out)
{
	if (!name)
		return AM_EINVALID_ARGUMENT;
	for (size_t i = 0; i < AM_ARRAY_SIZE(codepage_names); i++) {
		if (ascii_case_equal(name, codepage_names[i].name)) {
			*out = codepage_names[i].cp;
			return 0;
		}
	}
	return AM_EINVALID_ARGUMENT;
}

/* ---- decode and encode ---- */

static int utf8_check(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t used;

		if (am__utf8_decode(s + i, len - i, &used) < 0)
			return AM_EINVALID_UTF8;
		i += used;
	}
	return 0;
}

int am_text_decode(enum am_codepage cp, const void *bytes, size_t len,
		   struct am_buf *out)
{
	switch (cp) {
	case AM_CP_UTF8:
		return am_text_normalize(bytes, len, out);
	case AM_CP_WINDOWS_1256:
		return am__cp1256_decode(bytes, len, out);
	case AM_CP_IRAN_SYSTEM:
		return am__iransystem_decode(bytes, len, out);
	}
	return AM_EINVALID_ARGUMENT;
}

int am_text_encode(enum am_codepage cp, const char *utf8, size_t len,
		   bool substitute, struct am_buf *out)
{
	int err;

	switch (cp) {
	case AM_CP_UTF8:
		err = utf8_check(utf8, len);
		return err ? err : am_buf_add(out, utf8, len);
	case AM_CP_WINDOWS_1256:
		return am__cp1256_encode(utf8, len, substitute, out);
	case AM_CP_IRAN_SYSTEM:
		return am__iransystem_encode(utf8, len, substitute, out);
	}
	return AM_EINVALID_ARGUMENT;
}

/* ---- guessing a legacy field's code page ---- */

static bool has_high_byte(const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] >= 0x80)
			return true;
	return false;
}

/* What Persian text in UTF-8 is made of: letters, digits, the punctuation
 * and marks of the script, the joiners and the direction marks. */
static bool is_persian_repertoire(int32_t cp)
{
	return cp < 0x80 || cp == CP_NBSP || cp == 0x00AB || cp == 0x00BB ||
	       cp == 0x060C || cp == 0x061B || cp == 0x061F ||
	       (cp >= 0x0621 && cp <= 0x063A) ||
	       (cp >= 0x0640 && cp <= 0x0655) ||
	       (cp >= 0x0660 && cp <= 0x066C) || cp == 0x067E || cp == 0x0686 ||
	       cp == 0x0698 || cp == 0x06A9 || cp == 0x06AF || cp == 0x06C0 ||
	       cp == 0x06CC || (cp >= 0x06F0 && cp <= 0x06F9) ||
	       (cp >= 0x200C && cp <= 0x200F);
}

/* Legacy bytes are almost never valid UTF-8 made only of Persian: the
 * letters of Windows-1256 would have to be followed by exactly the right
 * continuation bytes, and Iran System's 0xC0..0xDF are box drawing. */
static bool reads_as_persian_utf8(const unsigned char *b, size_t len)
{
	const char *s = (const char *)b;

	for (size_t i = 0; i < len;) {
		size_t used;
		int32_t cp = am__utf8_decode(s + i, len - i, &used);

		if (cp < 0 || !is_persian_repertoire(cp))
			return false;
		i += used;
	}
	return true;
}

enum am_codepage am_text_guess_codepage(const void *bytes, size_t len)
{
	const unsigned char *b = bytes;

	if (!has_high_byte(b, len))
		return AM_CP_WINDOWS_1256;
	if (reads_as_persian_utf8(b, len))
		return AM_CP_UTF8;
	/* A tie goes to Windows-1256, the official ListDisk code page. */
	if (am__iransystem_score(b, len) > am__cp1256_score(b, len))
		return AM_CP_IRAN_SYSTEM;
	return AM_CP_WINDOWS_1256;
}
