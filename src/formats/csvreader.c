/* A streaming CSV record reader: RFC 4180 quoting, CRLF or LF, a leading
 * UTF-8 BOM skipped, each record checked to be UTF-8 and capped in size. */
#include "core/internal.h"

#include "amanat/csv.h"

struct am_csv_reader {
	FILE *f;
	char in[1 << 16]; /* read buffer */
	size_t in_len, in_pos;
	bool eof;
	char *rec; /* the current record's unquoted bytes, fields NUL-ended */
	size_t rec_len, rec_alloc, max_record;
	char **fields;
	size_t *starts; /* offsets of the fields in rec, while it may move */
	size_t nfields, fields_alloc;
	unsigned line;		     /* line of the next byte */
	unsigned long long consumed; /* bytes read before in[] */
	unsigned long long end;	     /* no record starts at or after it */
	bool first;
};

int am_csv_open(const char *path, size_t max_record, struct am_csv_reader **out)
{
	struct am_csv_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return AM_ENOMEM;
	r->f = fopen(path, "rb");
	if (!r->f) {
		free(r);
		return AM_EIO;
	}
	r->max_record = max_record ? max_record : (size_t)1 << 20;
	r->line = 1;
	r->end = ULLONG_MAX;
	r->first = true;
	*out = r;
	return 0;
}

int am_csv_open_range(const char *path, size_t max_record,
		      unsigned long long start, unsigned long long end,
		      struct am_csv_reader **out)
{
	int err = am_csv_open(path, max_record, out);

	if (err || !start) {
		if (!err)
			(*out)->end = end;
		return err;
	}
	if (fseeko((*out)->f, (off_t)start, SEEK_SET) != 0) {
		am_csv_close(*out);
		*out = NULL;
		return AM_EIO;
	}
	(*out)->consumed = start;
	(*out)->end = end;
	(*out)->first = false; /* a byte order mark only opens the file */
	return 0;
}

void am_csv_set_end(struct am_csv_reader *r, unsigned long long end)
{
	r->end = end;
}

void am_csv_close(struct am_csv_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->rec);
	free(r->fields);
	free(r->starts);
	free(r);
}

/* The next byte, or -1 at the end of the file (-2 on a read error). */
static int next_byte(struct am_csv_reader *r)
{
	if (r->in_pos == r->in_len) {
		if (r->eof)
			return -1;
		r->consumed += r->in_len;
		r->in_len = fread(r->in, 1, sizeof(r->in), r->f);
		r->in_pos = 0;
		if (r->in_len < sizeof(r->in)) {
			if (ferror(r->f))
				return -2;
			r->eof = true;
		}
		if (r->in_len == 0)
			return -1;
	}
	return (unsigned char)r->in[r->in_pos++];
}

static int peek_byte(struct am_csv_reader *r)
{
	int c = next_byte(r);

	if (c >= 0)
		r->in_pos--;
	return c;
}

static int rec_put(struct am_csv_reader *r, char c)
{
	if (r->rec_len + 1 >= r->rec_alloc) {
		size_t alloc = r->rec_alloc ? r->rec_alloc * 2 : 1024;
		char *p;

		if (r->rec_len + 1 >= r->max_record)
			return AM_ETOO_LONG;
		if (alloc > r->max_record)
			alloc = r->max_record;
		p = realloc(r->rec, alloc);
		if (!p)
			return AM_ENOMEM;
		r->rec = p;
		r->rec_alloc = alloc;
	}
	r->rec[r->rec_len++] = c;
	return 0;
}

/* Bytes that end a run of a field's plain bytes. */
static bool special(unsigned char c)
{
	return c == ',' || c == '\n' || c == '\r' || c == '"';
}

/* After a plain byte c of an unquoted field: c and the plain bytes after
 * it in the read buffer, copied at once (most of a registry's bytes). */
static int span_put(struct am_csv_reader *r, char c)
{
	size_t end = r->in_pos, n;

	while (end < r->in_len && !special((unsigned char)r->in[end]))
		end++;
	n = end - r->in_pos;
	if (r->rec_len + n + 2 >= r->rec_alloc) {
		int err = rec_put(r, c);

		/* Short of room: a byte at a time, growing as it goes. */
		for (; !err && r->in_pos < end; r->in_pos++)
			err = rec_put(r, r->in[r->in_pos]);
		return err;
	}
	r->rec[r->rec_len++] = c;
	memcpy(r->rec + r->rec_len, r->in + r->in_pos, n);
	r->rec_len += n;
	r->in_pos = end;
	return 0;
}

/* Record where each field starts, as an offset: rec may move while it
 * grows; the pointers are made at the end of the record. */
static int field_start(struct am_csv_reader *r)
{
	if (r->nfields == r->fields_alloc) {
		size_t alloc = r->fields_alloc ? r->fields_alloc * 2 : 32;
		char **f;
		size_t *st;

		if (alloc > 4096)
			return AM_ETOO_LONG;
		f = realloc(r->fields, alloc * sizeof(*f));
		if (!f)
			return AM_ENOMEM;
		r->fields = f;
		st = realloc(r->starts, alloc * sizeof(*st));
		if (!st)
			return AM_ENOMEM;
		r->starts = st;
		r->fields_alloc = alloc;
	}
	r->starts[r->nfields++] = r->rec_len;
	return 0;
}

static bool valid_utf8(const char *s, size_t len)
{
	size_t i = 0, used;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (am__utf8_decode(s + i, len - i, &used) < 0)
			return false;
		i += used;
	}
	return true;
}

/* Skip the rest of a broken record up to the next line end. */
static void skip_line(struct am_csv_reader *r)
{
	int c;

	while ((c = next_byte(r)) >= 0 && c != '\n')
		;
	if (c == '\n')
		r->line++;
}

int am_csv_next(struct am_csv_reader *r, size_t *nfields, char ***fields,
		unsigned *line)
{
	bool quoted = false, after_quote = false, any = false;
	int c, err;

	r->rec_len = 0;
	r->nfields = 0;
	*line = r->line;
	if (am_csv_offset(r) >= r->end)
		return 0;
	if (r->first) {
		r->first = false;
		/* Skip a UTF-8 byte order mark (EF BB BF) if the file starts
		 * with one; fill the buffer first so all three are there. */
		if (peek_byte(r) == 0xEF && r->in_len - r->in_pos >= 3 &&
		    !memcmp(r->in + r->in_pos, "\xEF\xBB\xBF", 3))
			r->in_pos += 3;
	}
	if ((err = field_start(r)))
		return err;
	for (;;) {
		c = next_byte(r);
		if (c == -2)
			return AM_EIO;
		if (c == -1) {
			if (quoted)
				return AM_EINVALID_ARGUMENT;
			if (!any)
				return 0;
			break;
		}
		any = true;
		if (quoted) {
			if (c == '"') {
				if (peek_byte(r) == '"') {
					next_byte(r);
					err = rec_put(r, '"');
				} else {
					quoted = false;
					after_quote = true;
					continue;
				}
			} else {
				if (c == '\n')
					r->line++;
				err = rec_put(r, (char)c);
			}
		} else if (c == ',') {
			after_quote = false;
			err = rec_put(r, '\0');
			if (!err)
				err = field_start(r);
		} else if (c == '\n' || c == '\r') {
			if (c == '\r' && peek_byte(r) == '\n')
				next_byte(r);
			r->line++;
			break;
		} else if (after_quote) {
			skip_line(r);
			return AM_EINVALID_ARGUMENT;
		} else if (c == '"' &&
			   r->rec_len == r->starts[r->nfields - 1]) {
			quoted = true;
		} else if (special((unsigned char)c)) {
			err = rec_put(r, (char)c); /* a '"' inside a field */
		} else {
			err = span_put(r, (char)c);
		}
		if (err) {
			if (err == AM_ETOO_LONG)
				skip_line(r);
			return err;
		}
	}
	if ((err = rec_put(r, '\0')))
		return err;
	if (!valid_utf8(r->rec, r->rec_len))
		return AM_EINVALID_UTF8;
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->rec + r->starts[i];
	*nfields = r->nfields;
	*fields = r->fields;
	return 1;
}

unsigned long long am_csv_offset(const struct am_csv_reader *r)
{
	return r->consumed + r->in_pos;
}

int am_csv_column(size_t nfields, char **fields, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < nfields; i++) {
		const char *f = fields[i];
		size_t len = strlen(f);

		while (len && f[0] == ' ') {
			f++;
			len--;
		}
		while (len && f[len - 1] == ' ')
			len--;
		if (len == n && memcmp(f, name, n) == 0)
			return (int)i;
	}
	return -1;
}
