/*
 * A month's new persons, registered ahead of its lists.
 *
 * A country's first month names millions of persons nobody has registered
 * yet. Registered batch by batch as their lists are posted, each batch's
 * persons land all over the persons table's key space, so every batch
 * rewrites most of its pages: the national month (17 million persons)
 * wrote some 97 GB for a 1.7 GB table. Gathered first, sorted, and
 * written once in key order, each page is written once.
 *
 * The records are kept in memory up to a chunk's size; a full chunk is
 * sorted and written to a temporary file as a run, and the runs are
 * merged at the end. A code's first line in the input is the one that
 * registers it, as when the posting registers it.
 */
#include "core/internal.h"

#include <pthread.h>
#include <sodium.h>

#include "amanat/ident.h"
#include "amanat/progress.h"
#include "amanat/registry.h"
#include "amanat/rows.h"
#include "amanat/store.h"
#include "amanat/wagelist.h"
#include "app/ahead.h"

#define CHUNK_BYTES ((size_t)64 << 20)
#define BATCH 500000
/* A string's length field when it is absent (NULL). */
#define NO_STR 0xffffu

/* A gathered person is a struct am__sortkey, as the radix sort takes it
 * (am__sortkeys()): its code in k1, and where its record is in the chunk
 * in v, the offset (an increasing one: the order of the input, for the
 * ties) above the length. A chunk is far under 4 GiB. */
static int64_t ent_code(const struct am__sortkey *e)
{
	return (int64_t)e->k1;
}

static size_t ent_off(const struct am__sortkey *e)
{
	return (size_t)(e->v >> 32);
}

static uint32_t ent_len(const struct am__sortkey *e)
{
	return (uint32_t)e->v;
}

/* A sorted run in a temporary file, and its next record. */
struct run {
	FILE *f;
	int64_t code;
	struct am_buf rec;
	bool done;
};

struct am__ahead {
	struct am_buf buf; /* the chunk's records */
	struct am__sortkey *e;
	size_t n, alloc;
	size_t chunk_bytes;
	size_t lines; /* gathered in all */
	struct run *runs;
	size_t nruns, runs_alloc;
	int err; /* a run's write failed: the gathering is lost */
	/* The workshops, their strings in ws_arena. */
	struct am_workshop *ws;
	size_t nws, ws_alloc;
	struct am_arena ws_arena;
};

int am__ahead_new(size_t chunk_bytes, struct am__ahead **out)
{
	struct am__ahead *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return AM_ENOMEM;
	am_buf_init(&g->buf, SIZE_MAX);
	am_arena_init(&g->ws_arena, 1 << 20);
	g->chunk_bytes = chunk_bytes ? chunk_bytes : CHUNK_BYTES;
	*out = g;
	return 0;
}

void am__ahead_free(struct am__ahead *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nruns; i++) {
		if (g->runs[i].f)
			fclose(g->runs[i].f);
		am_buf_release(&g->runs[i].rec);
	}
	free(g->runs);
	free(g->e);
	free(g->ws);
	am_arena_release(&g->ws_arena);
	am_buf_release(&g->buf);
	free(g);
}

int am__ahead_workshop(struct am__ahead *g, const char *code, const char *name,
		       const char *address)
{
	struct am_workshop *w;

	if (g->nws == g->ws_alloc) {
		size_t alloc = g->ws_alloc ? g->ws_alloc * 2 : 1024;
		struct am_workshop *p = realloc(g->ws, alloc * sizeof(*p));

		if (!p)
			return AM_ENOMEM;
		g->ws = p;
		g->ws_alloc = alloc;
	}
	w = &g->ws[g->nws];
	memset(w, 0, sizeof(*w));
	w->code = am_arena_strdup(&g->ws_arena, code);
	w->name = am_arena_strdup(&g->ws_arena, name);
	w->address = address ? am_arena_strdup(&g->ws_arena, address) : NULL;
	if (!w->code || !w->name || (address && !w->address))
		return AM_ENOMEM;
	g->nws++;
	return 0;
}

size_t am__ahead_lines(const struct am__ahead *g)
{
	return g->lines;
}

size_t am__ahead_runs(const struct am__ahead *g)
{
	return g->nruns;
}

static int put_str(struct am_buf *b, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	uint16_t n = s ? (uint16_t)len : NO_STR;
	int err;

	if (s && len >= NO_STR)
		return AM_ETOO_LONG;
	err = am_buf_add(b, &n, sizeof(n));
	return err || !s ? err : am_buf_add(b, s, len);
}

/* A record: birth date, sex, then the first, last and father's names,
 * the nationality (ISO) and the insurance number, each length-prefixed
 * (NO_STR: absent). The code is beside it, in the entry or the run. */
static int record_put(struct am_buf *b, const struct am_wage_line *ln)
{
	am_date birth = ln->birth_date == AM_WAGE_DATE_NONE ? AM_STORE_DATE_NONE
							    : ln->birth_date;
	int err = am_buf_add(b, &birth, sizeof(birth));

	if (!err)
		err = am_buf_addch(b, ln->sex);
	if (!err)
		err = put_str(b, ln->first_name ? ln->first_name : "");
	if (!err)
		err = put_str(b, ln->last_name ? ln->last_name : "");
	if (!err)
		err = put_str(b, ln->father_name);
	if (!err)
		err = put_str(b, am_nationality_iso(ln->nationality));
	if (!err)
		err = put_str(b, ln->insurance_no[0] ? ln->insurance_no : NULL);
	return err;
}

static const char *get_str(const uint8_t **p, const uint8_t *end,
			   struct am_arena *a)
{
	uint16_t n;

	if (end - *p < (ptrdiff_t)sizeof(n))
		return NULL;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	if (n == NO_STR || end - *p < (ptrdiff_t)n)
		return NULL;
	*p += n;
	return am_arena_strndup(a, (const char *)*p - n, n);
}

/* A record back as a person (strings in a). */
static int record_get(const uint8_t *p, size_t len, int64_t code,
		      struct am_arena *a, struct am_person *out)
{
	const uint8_t *end = p + len;
	char digits[16];

	memset(out, 0, sizeof(*out));
	if (len < sizeof(am_date) + 1)
		return AM_EINTERNAL;
	memcpy(&out->birth_date, p, sizeof(am_date));
	p += sizeof(am_date);
	out->sex = (char)*p++;
	snprintf(digits, sizeof(digits), "%010" PRId64, code);
	out->national_code = am_arena_strdup(a, digits);
	out->first_name = get_str(&p, end, a);
	out->last_name = get_str(&p, end, a);
	out->father_name = get_str(&p, end, a);
	out->nationality = get_str(&p, end, a);
	out->insurance_no = get_str(&p, end, a);
	if (!out->national_code || !out->first_name || !out->last_name)
		return AM_ENOMEM;
	return 0;
}

/* The chunk sorted, each code's first line kept. */
static int chunk_sort(struct am__ahead *g)
{
	struct am__sortkey *tmp;
	size_t k = 0;

	if (!g->n)
		return 0;
	tmp = malloc(g->n * sizeof(*tmp));
	if (!tmp || am__sortkeys(g->e, tmp, g->n)) {
		free(tmp);
		return AM_ENOMEM;
	}
	free(tmp);
	for (size_t i = 0; i < g->n; i++)
		if (!k || ent_code(&g->e[i]) != ent_code(&g->e[k - 1]))
			g->e[k++] = g->e[i];
	g->n = k;
	return 0;
}

/* The chunk, sorted, as a run: code, length, record, each. */
static int chunk_spill(struct am__ahead *g)
{
	const char *dir;
	struct run *run;

	if (g->nruns == g->runs_alloc) {
		size_t alloc = g->runs_alloc ? g->runs_alloc * 2 : 8;
		struct run *r = realloc(g->runs, alloc * sizeof(*r));

		if (!r)
			return AM_ENOMEM;
		g->runs = r;
		g->runs_alloc = alloc;
	}
	run = &g->runs[g->nruns];
	memset(run, 0, sizeof(*run));
	am_buf_init(&run->rec, 0);
	run->f = am__temp_file(&dir);
	if (!run->f)
		return AM_EIO;
	g->nruns++;
	if (chunk_sort(g))
		return AM_ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		const uint8_t *p = (const uint8_t *)g->buf.buf +
				   ent_off(&g->e[i]);
		uint32_t len = ent_len(&g->e[i]);
		int64_t code = ent_code(&g->e[i]);

		if (fwrite(&code, sizeof(code), 1, run->f) != 1 ||
		    fwrite(&len, sizeof(len), 1, run->f) != 1 ||
		    fwrite(p, len, 1, run->f) != 1)
			return AM_EIO;
	}
	if (fflush(run->f) || fseek(run->f, 0, SEEK_SET))
		return AM_EIO;
	g->n = 0;
	am_buf_clear(&g->buf);
	return 0;
}

int am__ahead_add(struct am__ahead *g, const struct am_wage_line *ln)
{
	uint64_t code;
	int err;

	if (g->err)
		return g->err;
	if (!ln->sex || !am__parse_uint(ln->national_code,
					strlen(ln->national_code), &code))
		return 0;
	if (g->n == g->alloc) {
		size_t alloc = g->alloc ? g->alloc * 2 : 4096;
		struct am__sortkey *e = realloc(g->e, alloc * sizeof(*e));

		if (!e)
			return AM_ENOMEM;
		g->e = e;
		g->alloc = alloc;
	}
	{
		size_t off = g->buf.len;

		err = record_put(&g->buf, ln);
		if (err)
			return err;
		g->e[g->n] = (struct am__sortkey){
			.k1 = code,
			.v = (uint64_t)off << 32 | (uint32_t)(g->buf.len - off),
		};
	}
	g->n++;
	g->lines++;
	if (g->buf.len >= g->chunk_bytes) {
		err = chunk_spill(g);
		if (err)
			g->err = err;
	}
	return err;
}

/* A run's next record; done at its end. */
static int run_next(struct run *r)
{
	uint32_t len;

	if (fread(&r->code, sizeof(r->code), 1, r->f) != 1) {
		r->done = true;
		return ferror(r->f) ? AM_EIO : 0;
	}
	if (fread(&len, sizeof(len), 1, r->f) != 1)
		return AM_EIO;
	am_buf_clear(&r->rec);
	if (am_buf_grow(&r->rec, len))
		return AM_ENOMEM;
	if (fread(r->rec.buf, len, 1, r->f) != 1)
		return AM_EIO;
	r->rec.len = len;
	return 0;
}

/* Run numbers in a min-heap by (code, run): a tie goes to the earlier
 * run, the earlier part of the input. */
static bool run_before(const void *ctx, size_t a, size_t b)
{
	const struct run *runs = ctx;

	return runs[a].code != runs[b].code ? runs[a].code < runs[b].code
					    : a < b;
}

static int ws_cmp(const void *x, const void *y)
{
	const struct am_workshop *a = x, *b = y;

	return strcmp(a->code, b->code);
}

/* n workshops, registered in one transaction with their entry. */
static int ws_batch(struct am_store *s, const struct am_workshop *w, size_t n,
		    struct am_buf *json)
{
	crypto_generichash_state h;
	unsigned char digest[32];
	char hex[65];
	struct am_buf payload;
	/* The untyped array the put takes, of pointers into w. */
	const void **ptrs = malloc(n * sizeof(*ptrs));
	int err = 0;

	if (!ptrs)
		return am_store_errf(s, AM_ENOMEM, "workshops: out of memory");
	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	for (size_t i = 0; i < n && !err; i++) {
		ptrs[i] = &w[i];
		am_buf_clear(json);
		if (am_workshop_json(&w[i], json) || am_buf_addch(json, '\n'))
			err = am_store_errf(s, AM_ENOMEM,
					    "workshops: out of memory");
		else
			crypto_generichash_update(
				&h, (const unsigned char *)json->buf,
				json->len);
	}
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	am_buf_init(&payload, 0);
	if (!err && am_buf_addf(&payload,
				"{\"workshops\":%zu,\"first\":\"%s\","
				"\"last\":\"%s\",\"hash\":\"%s\"}",
				n, w[0].code, w[n - 1].code, hex))
		err = am_store_errf(s, AM_ENOMEM, "workshops: out of memory");
	if (!err)
		err = am_store_begin(s);
	if (!err) {
		err = am_store_workshops_put_bulk(
			s, (const struct am_workshop *const *)ptrs, n);
		if (!err)
			err = am_store_audit_row(s, "workshops.register", "",
						 payload.buf);
		if (!err)
			err = am_store_commit(s);
		else
			am_store_rollback(s);
	}
	am_buf_release(&payload);
	free(ptrs);
	return err;
}

static int ws_register(struct am__ahead *g, struct am_store *s, size_t batch,
		       struct am_buf *json, size_t *done)
{
	int err = 0;

	*done = 0;
	for (size_t i = 0; i < g->nws && !err; i += batch) {
		size_t n = g->nws - i < batch ? g->nws - i : batch;

		err = ws_batch(s, &g->ws[i], n, json);
		if (!err)
			*done += n;
	}
	return err;
}

/*
 * The writing: batches of persons in key order, each a transaction. The
 * merge, the records' decoding and the batch's hash are the calling
 * thread's; the writes a thread's of its own, one batch written while
 * the next is filled (half the time of one thread doing both).
 */
struct pbatch {
	struct am_arena arena; /* its strings */
	struct am_person *p;
	const void **ptrs;
	size_t n;
	char hex[65]; /* the hash of what it offers */
};

struct reg {
	struct am_store *s; /* the writer's only, while it runs */
	struct pbatch b[2];
	int fill; /* the one being filled */
	size_t batch;
	struct am_buf json; /* the filler's, for the hash */
	struct am_progress bar;
	/* The writer: what it is handed, and what it tells. */
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool full[2]; /* handed over, not written yet */
	bool done;    /* nothing more to hand over */
	int werr;     /* the writer's error: it has stopped */
	struct am__ahead *g;
	size_t ws_done; /* workshops written, by the writer first */
	size_t added, offered;
	struct am_buf wjson; /* the writer's */
};

/* The batch's hash, over each person's am_person_json() and a newline. */
static int batch_hash(struct pbatch *b, struct am_buf *json)
{
	crypto_generichash_state h;
	unsigned char digest[32];

	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	for (size_t i = 0; i < b->n; i++) {
		int err;

		am_buf_clear(json);
		err = am_person_json(&b->p[i], json);
		if (!err)
			err = am_buf_addch(json, '\n');
		if (err)
			return err;
		crypto_generichash_update(&h, (const unsigned char *)json->buf,
					  json->len);
	}
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(b->hex, sizeof(b->hex), digest, sizeof(digest));
	return 0;
}

/* One batch, a transaction with its entry (the writer's side). */
static int batch_write(struct reg *w, struct pbatch *b)
{
	struct am_buf payload;
	size_t added = 0;
	int err;

	am_buf_init(&payload, 0);
	err = am_store_begin(w->s);
	if (!err)
		err = am_store_persons_ensure_bulk(
			w->s, (const struct am_person *const *)b->ptrs, b->n,
			&added);
	if (!err &&
	    am_buf_addf(&payload,
			"{\"persons\":%zu,\"first\":\"%s\",\"last\":\"%s\","
			"\"registered\":%zu,\"hash\":\"%s\"}",
			b->n, b->p[0].national_code,
			b->p[b->n - 1].national_code, added, b->hex))
		err = am_store_errf(w->s, AM_ENOMEM, "persons: out of memory");
	if (!err)
		err = am_store_audit_row(w->s, "persons.register", "",
					 payload.buf);
	if (!err)
		err = am_store_commit(w->s);
	else if (am_store_in_transaction(w->s))
		am_store_rollback(w->s);
	am_buf_release(&payload);
	if (!err) {
		w->added += added;
		w->offered += b->n;
	}
	return err;
}

static void *writer_main(void *arg)
{
	struct reg *w = arg;
	int err = ws_register(w->g, w->s, w->batch, &w->wjson, &w->ws_done);

	for (int j = 0; !err; j ^= 1) {
		pthread_mutex_lock(&w->mu);
		while (!w->full[j] && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->full[j]) { /* done, and nothing left */
			pthread_mutex_unlock(&w->mu);
			break;
		}
		pthread_mutex_unlock(&w->mu);
		err = batch_write(w, &w->b[j]);
		pthread_mutex_lock(&w->mu);
		w->full[j] = false;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	pthread_mutex_lock(&w->mu);
	w->werr = err;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hand the full batch to the writer (or write it, without a thread), and
 * take the other once it is written. */
static int hand_over(struct reg *w)
{
	struct pbatch *b = &w->b[w->fill];
	int err;

	if (!b->n)
		return 0;
	if (batch_hash(b, &w->json))
		return AM_ENOMEM;
	if (!w->threaded) {
		err = batch_write(w, b);
		b->n = 0;
		am_arena_clear(&b->arena);
		return err;
	}
	pthread_mutex_lock(&w->mu);
	w->full[w->fill] = true;
	pthread_cond_broadcast(&w->cv);
	w->fill ^= 1;
	while (w->full[w->fill] && !w->werr)
		pthread_cond_wait(&w->cv, &w->mu);
	err = w->werr;
	pthread_mutex_unlock(&w->mu);
	b = &w->b[w->fill];
	b->n = 0;
	am_arena_clear(&b->arena);
	return err;
}

static int reg_push(struct reg *w, int64_t code, const uint8_t *rec, size_t len)
{
	struct pbatch *b = &w->b[w->fill];
	int err = record_get(rec, len, code, &b->arena, &b->p[b->n]);

	if (err)
		return err;
	b->ptrs[b->n] = &b->p[b->n];
	b->n++;
	return b->n == w->batch ? hand_over(w) : 0;
}

static int merge_runs(struct am__ahead *g, struct reg *w)
{
	size_t *heap = calloc(g->nruns, sizeof(*heap));
	size_t n = 0, done = 0;
	int64_t last = -1;
	int err = 0;

	if (!heap)
		return AM_ENOMEM;
	for (size_t i = 0; i < g->nruns && !err; i++) {
		err = run_next(&g->runs[i]);
		if (!err && !g->runs[i].done)
			heap[n++] = i;
	}
	for (size_t i = n / 2; i-- > 0;)
		am__heap_down(heap, n, i, run_before, g->runs);
	while (n && !err) {
		struct run *r = &g->runs[heap[0]];

		if (r->code != last) {
			last = r->code;
			err = reg_push(w, r->code, (const uint8_t *)r->rec.buf,
				       r->rec.len);
			if (err)
				break;
		}
		if (++done % 4096 == 0)
			am_progress_update(&w->bar, done);
		err = run_next(r);
		if (!err && r->done)
			heap[0] = heap[--n];
		am__heap_down(heap, n, 0, run_before, g->runs);
	}
	free(heap);
	return err;
}

static void reg_release(struct reg *w)
{
	for (int i = 0; i < 2; i++) {
		free(w->b[i].p);
		free(w->b[i].ptrs);
		am_arena_release(&w->b[i].arena);
	}
	am_buf_release(&w->json);
	am_buf_release(&w->wjson);
}

/* The persons in key order, to reg_push(): the runs merged, or the one
 * chunk sorted. Errors are plain codes (the writer has s). */
static int feed(struct am__ahead *g, struct reg *w)
{
	int err = 0;

	if (g->nruns) {
		/* The last chunk as a run too, and all of them merged. */
		err = g->n ? chunk_spill(g) : 0;
		return err ? err : merge_runs(g, w);
	}
	if (chunk_sort(g))
		return AM_ENOMEM;
	for (size_t i = 0; i < g->n && !err; i++) {
		const uint8_t *p = (const uint8_t *)g->buf.buf +
				   ent_off(&g->e[i]);

		err = reg_push(w, ent_code(&g->e[i]), p, ent_len(&g->e[i]));
		if (i % 4096 == 0)
			am_progress_update(&w->bar, (i + 1) * g->lines / g->n);
	}
	return err;
}

int am__ahead_register(struct am__ahead *g, struct am_store *s, size_t batch,
		       bool progress, bool persian, size_t *added,
		       size_t *workshops)
{
	struct reg w;
	int err = g->err, werr = 0;

	*added = 0;
	*workshops = 0;
	if (err)
		return am_store_errf(s, err, "persons: writing a sorted run");
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.g = g;
	w.batch = batch ? batch : BATCH;
	am_buf_init(&w.json, 0);
	am_buf_init(&w.wjson, 0);
	for (int i = 0; i < 2; i++) {
		am_arena_init(&w.b[i].arena, 1 << 20);
		w.b[i].p = malloc(w.batch * sizeof(*w.b[i].p));
		w.b[i].ptrs = malloc(w.batch * sizeof(*w.b[i].ptrs));
		if (!w.b[i].p || !w.b[i].ptrs) {
			reg_release(&w);
			return am_store_errf(s, AM_ENOMEM,
					     "persons: out of memory");
		}
	}
	if (g->nws)
		qsort(g->ws, g->nws, sizeof(*g->ws), ws_cmp);
	if (progress) {
		am_progress_start(&w.bar,
				  persian ? "ثبت افراد تازه"
					  : "registering new persons",
				  g->lines);
		w.bar.persian = persian;
	}
	/* The workshops first, then the persons: by the writer thread, or
	 * here without one. */
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.threaded = pthread_create(&w.thread, NULL, writer_main, &w) == 0;
	if (!w.threaded)
		werr = ws_register(g, s, w.batch, &w.wjson, &w.ws_done);
	if (!werr)
		err = feed(g, &w);
	if (!err && !werr)
		err = hand_over(&w);
	if (w.threaded) {
		pthread_mutex_lock(&w.mu);
		w.done = true;
		pthread_cond_broadcast(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.thread, NULL);
		werr = w.werr;
	}
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	if (progress)
		am_progress_finish(&w.bar);
	/* The writer's error is in s; the filler's is named now. */
	if (werr)
		err = werr;
	else if (err == AM_EIO)
		err = am_store_errf(s, err, "persons: a sorted run: %s",
				    strerror(errno));
	else if (err)
		err = am_store_errf(s, err, "persons: gathering them");
	*added = w.added;
	*workshops = w.ws_done;
	reg_release(&w);
	return err;
}
