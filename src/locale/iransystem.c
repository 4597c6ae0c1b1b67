/* Iran System, the DOS code page of Iranian list tools: glyphs stored in
 * visual order with contextual forms. Our own codec, shaper and reorderer. */
#include "core/internal.h"

#include "amanat/text.h"
#include "locale/codepage.h"

/*
 * The code page (docs/text-and-codepages.md has the whole table and where
 * it comes from):
 *
 *   0x00..0x7F  ASCII
 *   0x80..0x89  Persian digits ۰..۹
 *   0x8A ،  0x8B ـ (tatweel)  0x8C ؟
 *   0x8D..0xAF, 0xE0..0xFE  letters, one byte per glyph form
 *   0xB0..0xDF  box drawing, as in code page 437
 *   0xFF        no-break space
 *
 * A dual-joining letter has up to four glyphs: isolated, final (joined to
 * the letter before it), initial (joined to the one after) and medial.
 * Most have two bytes, one for isolated and final and one for initial and
 * medial; ع and غ have four; ه has three (isolated and final share one);
 * ی has three (initial and medial share one). Right-joining letters (ا آ
 * د ذ ر ز ژ و) never join the letter after them, so they have no initial
 * or medial glyph; ا alone has a separate final glyph. ط ظ ئ and tatweel
 * have one glyph for every position. ل followed by ا is the ligature 0xF2.
 *
 * Text is stored in the order it is displayed, left to right, in a line
 * whose base direction is right to left. See visual_reorder().
 */

#define CP_ZWNJ 0x200C
#define CP_NBSP 0x00A0
#define CP_LAM 0x0644
#define CP_ALEF 0x0627
#define CP_PERSIAN_ZERO 0x06F0

#define IS_DIGIT_ZERO 0x80
#define IS_COMMA 0x8A
#define IS_QUESTION 0x8C
#define IS_LAM_ALEF 0xF2
#define IS_BOX_FIRST 0xB0
#define IS_BOX_LAST 0xDF
#define IS_NBSP 0xFF

enum joining {
	JOIN_NONE,  /* joins neither side: ء */
	JOIN_RIGHT, /* joins the letter before it only */
	JOIN_DUAL,  /* joins both sides */
};

struct letter {
	int32_t cp;
	unsigned char join;
	unsigned char iso, fin, ini, med; /* the byte of each glyph form */
};

/* Sorted by code point, for bsearch(). */
static const struct letter letters[] = {
	{ 0x0621, JOIN_NONE, 0x8F, 0x8F, 0x8F, 0x8F },	/* ء */
	{ 0x0622, JOIN_RIGHT, 0x8D, 0x8D, 0x8D, 0x8D }, /* آ */
	{ 0x0626, JOIN_DUAL, 0x8E, 0x8E, 0x8E, 0x8E },	/* ئ */
	{ 0x0627, JOIN_RIGHT, 0x90, 0x91, 0x90, 0x91 }, /* ا */
	{ 0x0628, JOIN_DUAL, 0x92, 0x92, 0x93, 0x93 },	/* ب */
	{ 0x062A, JOIN_DUAL, 0x96, 0x96, 0x97, 0x97 },	/* ت */
	{ 0x062B, JOIN_DUAL, 0x98, 0x98, 0x99, 0x99 },	/* ث */
	{ 0x062C, JOIN_DUAL, 0x9A, 0x9A, 0x9B, 0x9B },	/* ج */
	{ 0x062D, JOIN_DUAL, 0x9E, 0x9E, 0x9F, 0x9F },	/* ح */
	{ 0x062E, JOIN_DUAL, 0xA0, 0xA0, 0xA1, 0xA1 },	/* خ */
	{ 0x062F, JOIN_RIGHT, 0xA2, 0xA2, 0xA2, 0xA2 }, /* د */
	{ 0x0630, JOIN_RIGHT, 0xA3, 0xA3, 0xA3, 0xA3 }, /* ذ */
	{ 0x0631, JOIN_RIGHT, 0xA4, 0xA4, 0xA4, 0xA4 }, /* ر */
	{ 0x0632, JOIN_RIGHT, 0xA5, 0xA5, 0xA5, 0xA5 }, /* ز */
	{ 0x0633, JOIN_DUAL, 0xA7, 0xA7, 0xA8, 0xA8 },	/* س */
	{ 0x0634, JOIN_DUAL, 0xA9, 0xA9, 0xAA, 0xAA },	/* ش */
	{ 0x0635, JOIN_DUAL, 0xAB, 0xAB, 0xAC, 0xAC },	/* ص */
	{ 0x0636, JOIN_DUAL, 0xAD, 0xAD, 0xAE, 0xAE },	/* ض */
	{ 0x0637, JOIN_DUAL, 0xAF, 0xAF, 0xAF, 0xAF },	/* ط */
	{ 0x0638, JOIN_DUAL, 0xE0, 0xE0, 0xE0, 0xE0 },	/* ظ */
	{ 0x0639, JOIN_DUAL, 0xE1, 0xE2, 0xE4, 0xE3 },	/* ع */
	{ 0x063A, JOIN_DUAL, 0xE5, 0xE6, 0xE8, 0xE7 },	/* غ */
	{ 0x0640, JOIN_DUAL, 0x8B, 0x8B, 0x8B, 0x8B },	/* ـ */
	{ 0x0641, JOIN_DUAL, 0xE9, 0xE9, 0xEA, 0xEA },	/* ف */
	{ 0x0642, JOIN_DUAL, 0xEB, 0xEB, 0xEC, 0xEC },	/* ق */
	{ 0x0644, JOIN_DUAL, 0xF1, 0xF1, 0xF3, 0xF3 },	/* ل */
	{ 0x0645, JOIN_DUAL, 0xF4, 0xF4, 0xF5, 0xF5 },	/* م */
	{ 0x0646, JOIN_DUAL, 0xF6, 0xF6, 0xF7, 0xF7 },	/* ن */
	{ 0x0647, JOIN_DUAL, 0xF9, 0xF9, 0xFB, 0xFA },	/* ه */
	{ 0x0648, JOIN_RIGHT, 0xF8, 0xF8, 0xF8, 0xF8 }, /* و */
	{ 0x067E, JOIN_DUAL, 0x94, 0x94, 0x95, 0x95 },	/* پ */
	{ 0x0686, JOIN_DUAL, 0x9C, 0x9C, 0x9D, 0x9D },	/* چ */
	{ 0x0698, JOIN_RIGHT, 0xA6, 0xA6, 0xA6, 0xA6 }, /* ژ */
	{ 0x06A9, JOIN_DUAL, 0xED, 0xED, 0xEE, 0xEE },	/* ک */
	{ 0x06AF, JOIN_DUAL, 0xEF, 0xEF, 0xF0, 0xF0 },	/* گ */
	{ 0x06CC, JOIN_DUAL, 0xFD, 0xFC, 0xFE, 0xFE },	/* ی */
};

/* 0xB0..0xDF: the box drawing and block characters of code page 437. */
static const uint16_t box_drawing[] = {
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
	0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
};

static int letter_cmp(const void *key, const void *elem)
{
	int32_t cp = *(const int32_t *)key;
	const struct letter *l = elem;

	return (cp > l->cp) - (cp < l->cp);
}

static const struct letter *letter_by_cp(int32_t cp)
{
	return bsearch(&cp, letters, AM_ARRAY_SIZE(letters), sizeof(letters[0]),
		       letter_cmp);
}

/* The letter one of whose glyphs is byte b; NULL for 0xF2 (two letters)
 * and for bytes that are not letters. */
static const struct letter *letter_by_byte(unsigned char b)
{
	for (size_t i = 0; i < AM_ARRAY_SIZE(letters); i++) {
		const struct letter *l = &letters[i];

		if (b == l->iso || b == l->fin || b == l->ini || b == l->med)
			return l;
	}
	return NULL;
}

/* ---- what a glyph byte says about its neighbours ---- */

/* b is a form that joins the next letter (initial or medial), and the
 * letter has a different form when it does not. */
static bool form_joins_next(const struct letter *l, unsigned char b)
{
	return (b == l->ini || b == l->med) && b != l->iso && b != l->fin;
}

/* b is a form that does not join the next letter, of a letter that could. */
static bool form_stops_next(const struct letter *l, unsigned char b)
{
	return l->join == JOIN_DUAL && (b == l->iso || b == l->fin) &&
	       b != l->ini && b != l->med;
}

/* b is a form that joins the letter before it (final or medial). */
static bool form_joins_prev(const struct letter *l, unsigned char b)
{
	return (b == l->fin || b == l->med) && b != l->iso && b != l->ini;
}

/* b is a form that does not join the letter before it, of one that could. */
static bool form_stops_prev(const struct letter *l, unsigned char b)
{
	return l->join != JOIN_NONE && (b == l->iso || b == l->ini) &&
	       b != l->fin && b != l->med;
}

/* Byte b is a letter that can join the letter before it. */
static bool byte_takes_prev(unsigned char b)
{
	const struct letter *l;

	if (b == IS_LAM_ALEF)
		return true;
	l = letter_by_byte(b);
	return l && l->join != JOIN_NONE;
}

/* ---- visual order ---- */

enum direction { DIR_NEUTRAL, DIR_LTR, DIR_RTL };

static enum direction byte_direction(unsigned char b)
{
	if ((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') ||
	    (b >= 'a' && b <= 'z') ||
	    (b >= IS_DIGIT_ZERO && b <= IS_DIGIT_ZERO + 9))
		return DIR_LTR;
	if ((b >= IS_COMMA && b < IS_BOX_FIRST) ||
	    (b > IS_BOX_LAST && b < IS_NBSP))
		return DIR_RTL;
	return DIR_NEUTRAL;
}

static unsigned char mirror(unsigned char b)
{
	switch (b) {
	case '(':
		return ')';
	case ')':
		return '(';
	case '[':
		return ']';
	case ']':
		return '[';
	case '{':
		return '}';
	case '}':
		return '{';
	case '<':
		return '>';
	case '>':
		return '<';
	default:
		return b;
	}
}

static void reverse(unsigned char *b, unsigned char *dir, size_t from,
		    size_t to)
{
	while (from + 1 < to) {
		unsigned char t;

		to--;
		t = b[from];
		b[from] = b[to];
		b[to] = t;
		t = dir[from];
		dir[from] = dir[to];
		dir[to] = t;
		from++;
	}
}

/*
 * Logical order to visual order, and back: the same function does both.
 *
 * A line without Arabic-script characters is left to right and stays as
 * it is. Otherwise it is a right-to-left line, and a simplified
 * bidirectional algorithm orders it as the DOS tools did as they typed:
 * Latin letters and digits of either
 * script are left to right; Arabic-script letters and punctuation right to
 * left; everything else (spaces, ASCII punctuation, box drawing) is
 * neutral and takes the direction of its neighbours when both are left to
 * right, else right to left. Then the line is reversed, each left-to-right
 * run is put back in its order, and brackets in right-to-left runs are
 * mirrored. Whether a line has Arabic script does not change, and a
 * neutral keeps its resolved direction after the reordering (it stays
 * inside its run, or between the same kinds of neighbour), so applying
 * the function twice gives back the input: the decoder is exactly the
 * inverse of the encoder. dir is scratch of n bytes.
 */
static void visual_reorder(unsigned char *b, unsigned char *dir, size_t n)
{
	bool rtl = false;

	for (size_t i = 0; i < n; i++) {
		dir[i] = (unsigned char)byte_direction(b[i]);
		rtl = rtl || dir[i] == DIR_RTL;
	}
	if (!rtl)
		return;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		unsigned char d;

		if (dir[i] != DIR_NEUTRAL) {
			i++;
			continue;
		}
		while (j < n && dir[j] == DIR_NEUTRAL)
			j++;
		d = DIR_RTL;
		if (i > 0 && dir[i - 1] == DIR_LTR && j < n &&
		    dir[j] == DIR_LTR)
			d = DIR_LTR;
		memset(dir + i, d, j - i);
		i = j;
	}
	reverse(b, dir, 0, n);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		if (dir[i] != DIR_LTR) {
			b[i] = mirror(b[i]);
			i++;
			continue;
		}
		while (j < n && dir[j] == DIR_LTR)
			j++;
		reverse(b, dir, i, j);
		i = j;
	}
}

/* ---- decoding ---- */

static int add_cp(struct am_buf *out, int32_t cp)
{
	char u[4];
	size_t n = am__utf8_encode(cp, u);

	return am_buf_add(out, u, n);
}

static int decode_byte(unsigned char b, struct am_buf *out)
{
	const struct letter *l;
	int err;

	if (b < 0x80)
		return am_buf_addch(out, b);
	if (b < IS_DIGIT_ZERO + 10)
		return add_cp(out, CP_PERSIAN_ZERO + (b - IS_DIGIT_ZERO));
	if (b >= IS_BOX_FIRST && b <= IS_BOX_LAST)
		return add_cp(out, box_drawing[b - IS_BOX_FIRST]);
	switch (b) {
	case IS_COMMA:
		return add_cp(out, 0x060C);
	case IS_QUESTION:
		return add_cp(out, 0x061F);
	case IS_NBSP:
		return add_cp(out, CP_NBSP);
	case IS_LAM_ALEF:
		err = add_cp(out, CP_LAM);
		return err ? err : add_cp(out, CP_ALEF);
	default:
		break;
	}
	l = letter_by_byte(b);
	assert(l); /* every other byte is a letter form */
	return l ? add_cp(out, l->cp) : AM_EINTERNAL;
}

/*
 * Iran System has no ZWNJ: the glyphs show where a word is broken. When
 * a letter that could join the next one is in a form that does not, and
 * the next is a letter that could be joined («علی‌اکبر»: ی final, then ا
 * isolated), the text had a ZWNJ there, and we put it back.
 */
static bool zwnj_between(unsigned char b, unsigned char next)
{
	const struct letter *l = letter_by_byte(b);

	return l && form_stops_next(l, b) && byte_takes_prev(next);
}

int am__iransystem_decode(const void *bytes, size_t len, struct am_buf *out)
{
	struct am_buf utf8;
	unsigned char *work;
	int err = 0;

	/* Each byte gives at most 4 UTF-8 bytes (ل ا), and a ZWNJ 3 more. */
	if (len > SIZE_MAX / 8)
		return AM_ETOO_LONG;
	work = malloc(2 * len + 1);
	if (!work)
		return AM_ENOMEM;
	if (len)
		memcpy(work, bytes, len);
	visual_reorder(work, work + len, len);
	am_buf_init(&utf8, 7 * len + 1);
	for (size_t i = 0; i < len && !err; i++) {
		err = decode_byte(work[i], &utf8);
		if (!err && i + 1 < len && zwnj_between(work[i], work[i + 1]))
			err = add_cp(&utf8, CP_ZWNJ);
	}
	if (!err)
		err = am_text_normalize(utf8.buf, utf8.len, out);
	am_buf_release(&utf8);
	free(work);
	return err;
}

/* ---- encoding ---- */

/*
 * Letters Iran System lacks, written as the typists of DOS lists wrote
 * them: Arabic yeh and kaf as Persian, hamza-carrying alef and waw without
 * the hamza, teh marbuta and heh with yeh above as heh, Arabic-Indic digits
 * as Persian.
 */
static int32_t iransystem_fold(int32_t cp)
{
	switch (cp) {
	case 0x064A: /* ي */
	case 0x0649: /* ى */
		return 0x06CC;
	case 0x0643: /* ك */
		return 0x06A9;
	case 0x0623: /* أ */
	case 0x0625: /* إ */
	case 0x0671: /* ٱ */
		return CP_ALEF;
	case 0x0624: /* ؤ */
		return 0x0648;
	case 0x0629: /* ة */
	case 0x06C0: /* ۀ */
		return 0x0647;
	default:
		break;
	}
	if (cp >= 0x0660 && cp <= 0x0669)
		return CP_PERSIAN_ZERO + (cp - 0x0660);
	return cp;
}

/* The byte of a character that is not a letter, or -1. */
static int other_byte(int32_t cp)
{
	if (cp < 0x80)
		return (int)cp;
	if (cp >= CP_PERSIAN_ZERO && cp <= CP_PERSIAN_ZERO + 9)
		return IS_DIGIT_ZERO + (int)(cp - CP_PERSIAN_ZERO);
	switch (cp) {
	case 0x060C:
		return IS_COMMA;
	case 0x061F:
		return IS_QUESTION;
	case CP_NBSP:
		return IS_NBSP;
	default:
		break;
	}
	for (size_t i = 0; i < AM_ARRAY_SIZE(box_drawing); i++)
		if (box_drawing[i] == cp)
			return IS_BOX_FIRST + (int)i;
	return -1;
}

static bool can_join_next(int32_t cp)
{
	const struct letter *l = letter_by_cp(cp);

	return l && l->join == JOIN_DUAL;
}

static bool can_join_prev(int32_t cp)
{
	const struct letter *l = letter_by_cp(cp);

	return l && l->join != JOIN_NONE;
}

/*
 * Invisible characters that are dropped, as ICU's converters drop them for
 * Windows-1256: the marks, embeddings and isolates that steer the display
 * order (bytes in visual order are already displayed), ZWSP, ZWJ, word
 * joiners, the BOM. ZWNJ is not among them: it shapes the letters.
 */
static bool is_dropped(int32_t cp)
{
	return cp == 0x034F || cp == 0x061C || cp == 0x180E || cp == 0x200B ||
	       (cp >= 0x200D && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* The glyph of letter cps[i] in its context. ZWNJ is not a letter, so it
 * breaks the joining on both sides. */
static unsigned char shape(const struct letter *l, const int32_t *cps, size_t n,
			   size_t i)
{
	bool prev = l->join != JOIN_NONE && i > 0 && can_join_next(cps[i - 1]);
	bool next = l->join == JOIN_DUAL && i + 1 < n &&
		    can_join_prev(cps[i + 1]);

	if (prev)
		return next ? l->med : l->fin;
	return next ? l->ini : l->iso;
}

/* UTF-8 to folded code points, *n of them, without the dropped ones. */
static int utf8_to_cps(const char *s, size_t len, int32_t *cps, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < len;) {
		size_t used;
		int32_t cp = am__utf8_decode(s + i, len - i, &used);

		if (cp < 0)
			return AM_EINVALID_UTF8;
		if (!is_dropped(cp))
			cps[k++] = iransystem_fold(cp);
		i += used;
	}
	*n = k;
	return 0;
}

/* Shape the code points into glyph bytes in logical order; *nb of them. */
static int shape_all(const int32_t *cps, size_t n, bool substitute,
		     unsigned char *b, size_t *nb)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct letter *l;
		int c;

		if (cps[i] == CP_ZWNJ)
			continue;
		if (cps[i] == CP_LAM && i + 1 < n && cps[i + 1] == CP_ALEF) {
			b[k++] = IS_LAM_ALEF;
			i++;
			continue;
		}
		l = letter_by_cp(cps[i]);
		c = l ? shape(l, cps, n, i) : other_byte(cps[i]);
		if (c < 0) {
			if (!substitute)
				return AM_EENCODING_UNMAPPABLE;
			c = '?';
		}
		b[k++] = (unsigned char)c;
	}
	*nb = k;
	return 0;
}

int am__iransystem_encode(const char *utf8, size_t len, bool substitute,
			  struct am_buf *out)
{
	int32_t *cps;
	unsigned char *b;
	size_t n, nb;
	int err;

	if (len > SIZE_MAX / sizeof(*cps) - 1)
		return AM_ETOO_LONG;
	cps = malloc((len + 1) * sizeof(*cps));
	b = malloc(2 * len + 1);
	if (!cps || !b) {
		err = AM_ENOMEM;
		goto free_bufs;
	}
	err = utf8_to_cps(utf8, len, cps, &n);
	if (!err)
		err = shape_all(cps, n, substitute, b, &nb);
	if (err)
		goto free_bufs;
	visual_reorder(b, b + nb, nb);
	err = am_buf_add(out, b, nb);
free_bufs:
	free(b);
	free(cps);
	return err;
}

/* ---- plausibility ---- */

/*
 * Points of a byte alone, on the scale of am__cp1256_score(). The forms
 * of ع and غ (0xE1..0xE8) score 1, not 2: they are where the commonest
 * Windows-1256 letters (ل م ن ه و at 0xE1, 0xE3..0xE6) land, and in real
 * Persian they are much rarer than those.
 */
static int byte_points(unsigned char c)
{
	if (c < 0x80)
		return 0;
	if (c >= IS_BOX_FIRST && c <= IS_BOX_LAST)
		return -2;
	if (c == IS_NBSP)
		return 0;
	if (c == IS_COMMA || c == IS_QUESTION || c == 0x8B)
		return 1;
	if (c >= 0xE1 && c <= 0xE8)
		return 1;
	return 2; /* digits and the other letters */
}

/*
 * Penalty for the glyph at b[i] against its neighbours. In visual order
 * the letter after it (logically) is on its left, b[i - 1], and the one
 * before it on its right, b[i + 1]. Shaped text never breaks these rules;
 * Windows-1256 bytes read as Iran System break them all the time, since
 * its letters then land on forms at random.
 */
static int context_penalty(const unsigned char *b, size_t len, size_t i)
{
	const struct letter *l = letter_by_byte(b[i]);
	const struct letter *right = i + 1 < len ? letter_by_byte(b[i + 1])
						 : NULL;
	int penalty = 0;

	if (!l)
		return 0;
	/* Joins the next letter: there must be one. */
	if (form_joins_next(l, b[i]) && (i == 0 || !byte_takes_prev(b[i - 1])))
		penalty += 3;
	/* Joins the letter before: it must be able to join this one. */
	if (form_joins_prev(l, b[i]) && (!right || right->join != JOIN_DUAL ||
					 form_stops_next(right, b[i + 1])))
		penalty += 3;
	/* The letter before joins this one, which is in a form that refuses. */
	if (right && form_joins_next(right, b[i + 1]) &&
	    form_stops_prev(l, b[i]))
		penalty += 3;
	/* A break inside a word (a ZWNJ): legitimate, but rare in names. */
	if (i > 0 && form_stops_next(l, b[i]) && byte_takes_prev(b[i - 1]))
		penalty += 2;
	return penalty;
}

long am__iransystem_score(const unsigned char *b, size_t len)
{
	long score = 0;

	for (size_t i = 0; i < len; i++) {
		if (b[i] < 0x80)
			continue;
		score += byte_points(b[i]);
		score -= context_penalty(b, len, i);
	}
	return score;
}
