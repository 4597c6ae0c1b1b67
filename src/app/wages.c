/* amanat import wages: read lists from ListDisk folders, CSV and JSON files,
 * check them against the registry, validate and assess them with the rules
 * of their period, and post the accepted ones many to a transaction. The
 * reading and the writing run on two threads, so that they overlap. */
#include "core/internal.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "amanat/app.h"
#include "amanat/ident.h"
#include "amanat/progress.h"
#include "amanat/assess.h"
#include "amanat/formats.h"
#include "amanat/posting.h"
#include "amanat/rows.h"
#include "app/ahead.h"

/*
 * Two threads. The caller's reads each list (its reader, DBF, CSV or
 * JSON, hashes it), checks it against the registry (through a read-only
 * handle of its own), validates and assesses it; a writing thread owns
 * the caller's handle and does every write: workshops registered from
 * lists, the postings (and with them the persons met for the first time),
 * the batches' commits and the final compaction. Accepted lists cross
 * between them as copies through a queue bounded by its copies' bytes, so
 * memory stays bounded whatever the input's size, and the writer never
 * sees the reader's memory. When
 * no second handle can be had (an in-memory database, a test backend),
 * the reader hands each list to the writing code itself, on its own
 * thread.
 */

/*
 * What may be on its way to the writer: enough to ride out a commit, in
 * which the writer writes the batch to the log and waits for the disk
 * twice (at a national month's pace, 0.4 s, some 250,000 lines); a queue
 * of 2,048 lists made both threads wait a fifth of the run. Bounded by
 * the lists' copies' bytes, as lists run from one line to thousands.
 */
#define QUEUE_BYTES ((size_t)112 << 20)
#define QUEUE_LISTS 65536
/* The arena block of a list in the queue, kept from one list to the
 * next: a small list fits in one, a big one's lines get blocks of their
 * own. Few lists the writer is done with are kept for the reader. */
#define ITEM_BLOCK 1024
#define SPARE_ITEMS 8192
/* Registered persons from which the person set is worth its 119 MiB: the
 * backend's own threshold (am_store_person_set_load()) unless given. */
#define SET_MIN(o) ((o)->person_set_persons ? (o)->person_set_persons : -1)
/* The most bytes a wage line takes in any form read (a DSKWOR record is
 * about 390 bytes; a CSV line far fewer): a file of N * this many bytes
 * holds at least N lines. */
#define LINE_BYTES_MAX 400
/* Lines (at the most bytes each) from which the new persons are
 * registered ahead of the lists when the registry lacks them. */
#define AHEAD_LINES 4000000
/* The reader's snapshot is let go after this many lists, so that the log
 * of the writer's commits can be checkpointed. */
#define SNAPSHOT_LISTS 4096
/* After this many workshops looked up one by one, the registry's are all
 * read in one scan (0.55 µs a row against some 9 µs a probe): a bulk
 * import meets most of them, a small one pays little for the probes. */
#define PROBES_BEFORE_SCAN 4096

/* What the import knows of a workshop, looked up once per run. */
struct ws_entry {
	char code[11];
	bool used;
	bool exists; /* registered, or to be registered by this run */
	struct am_workshop_terms terms;
};

/* The rules of one period, looked up once per run. */
struct period_entry {
	struct am_period period;
	int err; /* 0, or why the rules do not cover it */
	struct am_diag diag;
	bool missing_named; /* its parameters without a value are reported */
	struct am_assess_params params;
	am_date due, due_exempt;
};

/* What the writer is to do with one list, as the reader decided. */
struct job {
	const struct am_wage_list *l;
	const struct am_line_assessment *assess; /* one per line, if post */
	/* The posting's first half, done by the reader (a queued list);
	 * NULL: the writer does it all. */
	const struct am_post_prep *prep;
	size_t diag_pos;  /* the reader's diagnostics before this list */
	bool register_ws; /* register the list's workshop first */
	bool post;	  /* else the list was refused: only the registration */
	bool exempt;	  /* the state pays the employer's share */
	am_date due;
	const char *rules_identity;
	struct am_person_set *set; /* the writer uses it from this list on */
};

/* The writing half: the caller's handle, and what it counts and refuses
 * apart from the reader until the end. */
struct writer {
	struct am_store *s;
	struct am_post_session *posting; /* its postings' session, over s */
	const struct am_wage_import_opts *o;
	struct am_wage_import_stats st;
	struct am_diags diags;
	size_t *pos; /* pos[i]: diags.items[i] goes before the reader's i-th */
	size_t pos_alloc;
	size_t batch_lines, in_batch;
	bool set_used;		     /* it took up the queue's person set */
	double cpu, waited, compact; /* seconds, for the stats */
	size_t checkpoints;	     /* by the checkpoint thread */
	double ckpt_waited;
};

/* A list in the queue: a copy in its own arena, with its job. */
struct item {
	struct item *next;
	size_t bytes; /* what the copy holds, near enough */
	struct am_wage_list l;
	struct job job;
	char rules_identity[65];
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t room; /* the writer took a list */
	pthread_cond_t work; /* a list came, or the end */
	struct item *head, *tail;
	struct item *spare; /* lists the writer is done with, for reuse */
	size_t bytes, lists, spares;
	/* Who waits on a condition: signalled only then (a wake-up is a
	 * system call, and two per list cost a tenth of the run). */
	bool reader_waits, writer_waits;
	bool done;	  /* the reader has finished */
	bool failed;	  /* ... on an error: roll back what is open */
	atomic_int fatal; /* the writer's error: the reader stops */
	_Atomic(struct am_person_set *) set; /* loaded, for the writer */
	int err;			     /* the writer's result */
	struct writer *w;
	pthread_t thread;
};

struct import {
	struct am_store *r; /* lookups: the reader's handle, or s inline */
	const struct am_rules *rules;
	const struct am_wage_import_opts *o;
	struct am_wage_import_stats *st;
	struct am_diags *diags;
	am_date today;

	struct ws_entry *ws; /* open addressing, power-of-two size */
	size_t ws_size, ws_used;
	size_t probes;	  /* workshops looked up one by one */
	bool ws_complete; /* every registered workshop is in ws */
	struct period_entry periods[64];
	size_t nperiods;
	/* The parameters reported as having no value for a list's month:
	 * each is named once in a run, however many lists it refuses. */
	const char **missing; /* their names, owned by the rules */
	size_t nmissing, missing_alloc;
	struct am_line_assessment *assess; /* one per line of a list */
	size_t assess_alloc;
	/* The bar's share: bytes of the input's lists, of those read (whole
	 * files and folders, and the reader's offset in the one it reads),
	 * when their total is known; else lines read. */
	struct am_progress progress;
	uint64_t bytes_read;
	size_t snapshot_lists;	   /* lists since the reader's snapshot began */
	struct am_person_set *set; /* loaded once the import is large */
	bool set_tried;
	uint64_t input_bytes;	/* of the files named (not of folders) */
	struct am_store *set_h; /* the loading thread's handle, while on */
	pthread_t set_thread;
	double cpu0;   /* the calling thread's CPU seconds at the start */
	double waited; /* at the queue, seconds */
	int fatal;     /* an error that stops the run */

	struct am__ahead *ahead; /* the pass ahead's gathering, during it */

	struct writer w;
	struct queue *q;	   /* NULL: the writer runs inline */
	struct item *own;	   /* the reader's next item */
	struct am_post_prep *prep; /* the postings' first halves, with q */
};

/* A clock's reading in seconds (CLOCK_THREAD_CPUTIME_ID: this thread's
 * CPU time). */
static double seconds(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t hash_code(const char *code)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 1099511628211u;
	return h;
}

static struct ws_entry *ws_slot(struct import *im, const char *code)
{
	size_t mask, i;

	/* Three quarters full at most: a national registry's 1.4 million
	 * workshops take 30 MB (at half full, 60). */
	if (im->ws_used * 4 >= im->ws_size * 3) {
		size_t size = im->ws_size ? im->ws_size * 2 : 1024;
		struct ws_entry *ws = am__huge_calloc(size * sizeof(*ws));

		if (!ws)
			return NULL;
		for (size_t j = 0; j < im->ws_size; j++) {
			struct ws_entry *e = &im->ws[j];

			if (!e->used)
				continue;
			for (i = hash_code(e->code) & (size - 1); ws[i].used;
			     i = (i + 1) & (size - 1))
				;
			ws[i] = *e;
		}
		am__huge_free(im->ws, im->ws_size * sizeof(*ws));
		im->ws = ws;
		im->ws_size = size;
	}
	mask = im->ws_size - 1;
	for (i = hash_code(code) & mask; im->ws[i].used; i = (i + 1) & mask)
		if (!strcmp(im->ws[i].code, code))
			return &im->ws[i];
	return &im->ws[i];
}

/* The reader's lookups share a snapshot, begun at need (autocommit would
 * cost a transaction per lookup) and let go now and then. Inline, the
 * lookups go through the writer's handle and its transaction. */
static int snapshot_begin(struct import *im)
{
	if (!im->q || am_store_in_transaction(im->r))
		return 0;
	im->snapshot_lists = 0;
	return am_store_begin(im->r);
}

static void snapshot_tick(struct import *im)
{
	if (im->q && ++im->snapshot_lists >= SNAPSHOT_LISTS &&
	    am_store_in_transaction(im->r))
		am_store_rollback(im->r);
}

static void ws_fill(struct import *im, struct ws_entry *e, const char *code,
		    bool exists, bool hard_harmful, bool small_exempt)
{
	am__strlcpy(e->code, code, sizeof(e->code));
	e->used = true;
	e->exists = exists;
	e->terms.hard_harmful = exists && hard_harmful;
	e->terms.small_exempt = exists && small_exempt;
	im->ws_used++;
}

static int ws_scanned(void *ctx, const char *code, bool hard_harmful,
		      bool small_exempt)
{
	struct import *im = ctx;
	struct ws_entry *e = ws_slot(im, code);

	if (!e)
		return AM_ENOMEM;
	/* One already known stays: looked up in the same snapshot, or
	 * registered by this run. */
	if (!e->used)
		ws_fill(im, e, code, true, hard_harmful, small_exempt);
	return 0;
}

/* Every registered workshop into the cache, in one scan. */
static int ws_scan(struct import *im)
{
	int err = snapshot_begin(im);

	if (!err)
		err = am_store_workshop_terms_each(im->r, ws_scanned, im);
	if (err)
		return err;
	im->ws_complete = true;
	/* No lookup needs the snapshot any more. */
	if (im->q)
		am_store_rollback(im->r);
	return 0;
}

/* The lines after which the person set is read (--person-set-lines). */
static size_t set_lines(const struct import *im)
{
	return im->o->person_set_lines ? im->o->person_set_lines : 250000;
}

/* Whether the files named are large enough to hold that many lines. */
static bool bulk_input(const struct import *im)
{
	return im->input_bytes / LINE_BYTES_MAX >= set_lines(im);
}

/* The workshop's terms, from the cache or the registry; *exists false when
 * it is not registered. */
static int workshop_terms(struct import *im, const char *code,
			  struct ws_entry **out)
{
	struct ws_entry *e;
	struct am_workshop w;
	struct am_arena a;
	int err;

	/* A bulk import scans at once: it would meet that many workshops,
	 * and on PostgreSQL each probe is a round trip the reader waits on. */
	if (!im->ws_complete &&
	    (im->probes >= PROBES_BEFORE_SCAN || bulk_input(im))) {
		err = ws_scan(im);
		if (err)
			return err;
	}
	e = ws_slot(im, code);
	if (!e)
		return AM_ENOMEM;
	*out = e;
	if (e->used)
		return 0;
	if (im->ws_complete) {
		ws_fill(im, e, code, false, false, false);
		return 0;
	}
	im->probes++;
	err = snapshot_begin(im);
	if (err)
		return err;
	am_arena_init(&a, 1024);
	err = am_store_workshop_get(im->r, code, &a, &w);
	if (err && err != AM_ENOT_FOUND) {
		am_arena_release(&a);
		return err;
	}
	if (err)
		ws_fill(im, e, code, false, false, false);
	else
		ws_fill(im, e, code, true, w.hard_harmful, w.small_exempt);
	am_arena_release(&a);
	return 0;
}

/* Last day of the month `months` after period p. */
static am_date month_end_after(struct am_period p, int64_t months)
{
	struct am_period q;
	int64_t m = (int64_t)p.year * 12 + (p.month - 1) + months;
	am_date d = 0;

	q.year = (int)(m / 12);
	q.month = (int)(m % 12) + 1;
	if (am_period_last_day(q, &d) != 0)
		return 0;
	return d;
}

static struct period_entry *period_params(struct import *im, struct am_period p)
{
	struct period_entry *e;
	int64_t months = 1, months_exempt = 2;
	am_date first;

	for (size_t i = 0; i < im->nperiods; i++)
		if (im->periods[i].period.year == p.year &&
		    im->periods[i].period.month == p.month)
			return &im->periods[i];
	if (im->nperiods == AM_ARRAY_SIZE(im->periods))
		im->nperiods = 0; /* a plain cache: start again */
	e = &im->periods[im->nperiods++];
	memset(e, 0, sizeof(*e));
	e->period = p;
	e->err = am_assess_params_load(im->rules, p, &e->params, &e->diag);
	if (e->err)
		return e;
	/* RULE ir.deadline.art39: due by the end of the following month; two
	 * months for exempt small workshops. */
	first = e->params.first_day;
	if (!e->err)
		e->err = am_rules_int(im->rules,
				      "deadline.payment.months_after", first,
				      &months, &e->diag);
	if (!e->err)
		e->err = am_rules_int(im->rules,
				      "deadline.small_exempt.months_after",
				      first, &months_exempt, &e->diag);
	e->due = month_end_after(p, months);
	e->due_exempt = month_end_after(p, months_exempt);
	return e;
}

static void refuse(struct import *im, const struct am_wage_list *l, int code,
		   const char *field, const char *value, const char *expected)
{
	am_diags_add(im->diags, code, l->file, l->header_row, field, value,
		     expected);
}

/* Report a parameter without a value (as am_rules_value() names it: the
 * rules file and line, the parameter, the date, the span covered) unless
 * the run has named it already. Without memory to remember it, it may be
 * named again. */
static void name_missing(struct import *im, const struct am_diag *d)
{
	const struct am_param *p = am_rules_find(im->rules, d->field);

	for (size_t i = 0; p && i < im->nmissing; i++)
		if (strcmp(im->missing[i], p->name) == 0)
			return;
	if (im->nmissing == im->missing_alloc) {
		size_t n = im->missing_alloc ? 2 * im->missing_alloc : 16;
		const char **m = realloc(im->missing, n * sizeof(*m));

		if (m) {
			im->missing = m;
			im->missing_alloc = n;
		}
	}
	if (p && im->nmissing < im->missing_alloc)
		im->missing[im->nmissing++] = p->name;
	am_diags_push(im->diags, d);
}

/* Every parameter the lists of a month need that has no value then, each
 * named once in the run: a year missing from the rules is one error per
 * parameter, not one per list. */
static void name_missing_of(struct import *im, struct period_entry *pe)
{
	static const char *const deadlines[] = {
		"deadline.payment.months_after",
		"deadline.small_exempt.months_after",
	};
	struct am_diags ds;
	am_date first;

	if (pe->missing_named || am_period_first_day(pe->period, &first) != 0)
		return;
	pe->missing_named = true;
	am_diags_init(&ds, 0);
	am_assess_params_missing(im->rules, pe->period, &ds);
	for (size_t i = 0; i < AM_ARRAY_SIZE(deadlines); i++) {
		const struct am_value *v;
		struct am_diag d;

		if (am_rules_value(im->rules, deadlines[i], first, &v, &d) ==
		    AM_ERULES_NO_VALUE)
			am_diags_push(&ds, &d);
	}
	for (size_t i = 0; i < ds.nr; i++)
		name_missing(im, &ds.items[i]);
	am_diags_release(&ds);
}

/*
 * The writer: everything that writes, on the caller's handle.
 */

/* A refusal of the writer's, to go among the reader's at pos. */
static void writer_refuse(struct writer *w, const struct am_wage_list *l,
			  size_t pos)
{
	size_t nr = w->diags.nr;

	am_diags_add(&w->diags, AM_EWAGE_LIST_CONFLICT, l->file, l->header_row,
		     "DSK_LISTNO", l->list_no, NULL);
	if (w->diags.nr == nr)
		return; /* counted in dropped */
	if (nr == w->pos_alloc) {
		size_t na = nr ? nr * 2 : 16;
		size_t *p = realloc(w->pos, na * sizeof(*p));

		if (!p) {
			w->diags.nr--;
			w->diags.dropped++;
			return;
		}
		w->pos = p;
		w->pos_alloc = na;
	}
	w->pos[nr] = pos;
}

/* Register the workshop of a list from its header (--register-workshops):
 * its employer is not known from a list, so it is left unset. */
static int register_workshop(struct writer *w, const struct am_wage_list *l)
{
	struct am_workshop ws;
	int err;

	memset(&ws, 0, sizeof(ws));
	ws.code = l->workshop;
	ws.name = l->workshop_name && *l->workshop_name ? l->workshop_name
							: l->workshop;
	ws.address = l->address;
	err = am_post_register_workshop(w->posting, &ws);
	if (err)
		return err;
	w->st.workshops_registered++;
	return 0;
}

static int begin_batch(struct writer *w)
{
	if (am_post_in_transaction(w->posting))
		return 0;
	w->in_batch = 0;
	return am_post_begin(w->posting);
}

static int end_batch(struct writer *w)
{
	if (!am_post_in_transaction(w->posting))
		return 0;
	w->in_batch = 0;
	return am_post_commit(w->posting);
}

static int post(struct writer *w, const struct job *j)
{
	const struct am_wage_list *l = j->l;
	int outcome = 0, err;

	/* The posting registers persons met for the first time, from their
	 * line, at the batch's commit. */
	err = begin_batch(w);
	if (!err)
		err = j->prep ? am_post_prepared(w->posting, l, j->prep, j->due,
						 j->exempt, j->rules_identity,
						 w->o->amend, &outcome)
			      : am_post_list(w->posting, l, j->assess, j->due,
					     j->exempt, j->rules_identity,
					     w->o->amend, &outcome);
	if (err)
		return err;
	switch (outcome) {
	case AM_POST_POSTED:
		w->st.lists_posted++;
		w->st.lines_posted += l->nlines;
		break;
	case AM_POST_AMENDED:
		w->st.lists_amended++;
		w->st.lines_posted += l->nlines;
		break;
	case AM_POST_UNCHANGED:
		w->st.lists_unchanged++;
		break;
	default:
		w->st.lists_refused++;
		writer_refuse(w, l, j->diag_pos);
		return 0;
	}
	w->st.lists_accepted++;
	w->in_batch += l->nlines;
	if (w->in_batch >= w->batch_lines)
		err = end_batch(w);
	return err;
}

static int write_job(struct writer *w, const struct job *j)
{
	int err;

	if (j->set)
		am_post_session_use_person_set(w->posting, j->set);
	if (j->register_ws) {
		err = begin_batch(w);
		if (!err)
			err = register_workshop(w, j->l);
		if (err)
			return err;
	}
	return j->post ? post(w, j) : 0;
}

/* The end of the writing: commit the open batch and compact, or, after an
 * error on either side, roll the open batch back. */
static int writer_finish(struct writer *w, int err, bool failed)
{
	int cerr;

	if (!err && !failed)
		err = end_batch(w);
	else if (am_post_in_transaction(w->posting))
		am_post_rollback(w->posting);
	/* The batches' checkpoints done; the compaction's commit
	 * checkpoints itself. */
	cerr = am_store_checkpoint_thread(w->s, false);
	am_store_checkpoint_thread_stats(w->s, &w->checkpoints,
					 &w->ckpt_waited);
	if (!err && !failed)
		err = cerr;
	/* Merge the new lines into the by-person index; always, since a run
	 * killed before its compaction leaves segments behind. */
	if (!err && !failed) {
		double t0 = seconds(CLOCK_MONOTONIC);

		err = am_store_compact(w->s, NULL);
		w->compact = seconds(CLOCK_MONOTONIC) - t0;
	}
	return err;
}

/*
 * The queue between the threads.
 */

static void item_free(struct item *it)
{
	am_wage_list_release(&it->l);
	free(it);
}

/*
 * Copy the job's list into the item, with the posting's first half done
 * here (am_post_prepare()): the lines checked and packed with their
 * assessments and their persons' records, so that only the list's header
 * is copied. That half is a fifth of the writer's instructions, and here
 * it reads the lines while they are still in this core's cache. What it
 * refuses, the writer reports in turn.
 */
static int item_fill(struct item *it, const struct job *j,
		     struct am_post_prep *prep)
{
	const struct am_wage_list *l = j->l;
	const struct am_post_prep *copy = NULL;
	int err = am_wage_list_copy_header(&it->l, l);

	if (err)
		return err;
	if (j->post) {
		err = am_post_prepare(prep, l, j->assess, j->rules_identity);
		if (err == AM_ENOMEM)
			return err;
		err = am_post_prep_copy(prep, &it->l.arena, &copy);
		if (err)
			return err;
	}
	it->job = *j;
	it->job.l = &it->l;
	it->job.assess = NULL;
	it->job.prep = copy;
	am__strlcpy(it->rules_identity,
		    j->rules_identity ? j->rules_identity : "",
		    sizeof(it->rules_identity));
	it->job.rules_identity = it->rules_identity;
	return 0;
}

static struct item *item_new(void)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	am_wage_list_init(&it->l);
	am_arena_init(&it->l.arena, ITEM_BLOCK);
	return it;
}

/* Hand a copy of the job to the writer, waiting while the queue is full;
 * the writer's error, if it has stopped. */
static int queue_put(struct import *im, const struct job *j)
{
	struct queue *q = im->q;
	struct item *it = im->own ? im->own : item_new();
	int err;

	im->own = NULL;
	if (!it)
		return AM_ENOMEM;
	err = item_fill(it, j, im->prep);
	if (err) {
		item_free(it);
		return err;
	}
	it->bytes = sizeof(*it) + it->l.arena.used + ITEM_BLOCK;
	pthread_mutex_lock(&q->mu);
	/* A list bigger than the bound goes alone. */
	while (!atomic_load(&q->fatal) && q->lists &&
	       (q->lists >= QUEUE_LISTS ||
		q->bytes + it->bytes > QUEUE_BYTES)) {
		double t0 = seconds(CLOCK_MONOTONIC);

		q->reader_waits = true;
		pthread_cond_wait(&q->room, &q->mu);
		q->reader_waits = false;
		im->waited += seconds(CLOCK_MONOTONIC) - t0;
	}
	err = atomic_load(&q->fatal);
	if (!err) {
		it->next = NULL;
		if (q->tail)
			q->tail->next = it;
		else
			q->head = it;
		q->tail = it;
		q->bytes += it->bytes;
		q->lists++;
		if (q->writer_waits)
			pthread_cond_signal(&q->work);
	} else {
		it->next = q->spare;
		q->spare = it;
		q->spares++;
	}
	if (q->spare) {
		im->own = q->spare;
		q->spare = q->spare->next;
		q->spares--;
	}
	pthread_mutex_unlock(&q->mu);
	return err;
}

/* The next list for the writer, or NULL at the end. */
static struct item *queue_take(struct queue *q, bool *failed)
{
	struct item *it;

	pthread_mutex_lock(&q->mu);
	while (!q->head && !q->done) {
		double t0 = seconds(CLOCK_MONOTONIC);

		q->writer_waits = true;
		pthread_cond_wait(&q->work, &q->mu);
		q->writer_waits = false;
		q->w->waited += seconds(CLOCK_MONOTONIC) - t0;
	}
	it = q->head;
	if (it) {
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
	}
	*failed = q->failed;
	pthread_mutex_unlock(&q->mu);
	return it;
}

static void queue_done_with(struct queue *q, struct item *it)
{
	bool keep;

	pthread_mutex_lock(&q->mu);
	q->bytes -= it->bytes;
	q->lists--;
	keep = q->spares < SPARE_ITEMS;
	if (keep) {
		it->next = q->spare;
		q->spare = it;
		q->spares++;
	}
	/* A waiting reader is woken once the queue is half empty, so that
	 * it fills many places per wake-up; or when it is empty, for a list
	 * bigger than half the bound. */
	if (q->reader_waits &&
	    ((q->bytes <= QUEUE_BYTES / 2 && q->lists <= QUEUE_LISTS / 2) ||
	     !q->lists))
		pthread_cond_signal(&q->room);
	pthread_mutex_unlock(&q->mu);
	if (!keep)
		item_free(it);
}

/* The writing thread: post what comes, in order, until the reader is done.
 * After an error of its own it only takes lists off the queue (the reader
 * stops at the next one); after the reader's it writes what the reader
 * sent before, then rolls the open batch back, as one thread would. */
static void *writer_main(void *arg)
{
	struct queue *q = arg;
	bool failed = false;
	struct item *it;
	int err = 0;

	while ((it = queue_take(q, &failed)) != NULL) {
		if (!q->w->set_used && atomic_load(&q->set)) {
			am_post_session_use_person_set(q->w->posting,
						       atomic_load(&q->set));
			q->w->set_used = true;
		}
		if (!err) {
			err = write_job(q->w, &it->job);
			if (err)
				atomic_store(&q->fatal, err);
		}
		queue_done_with(q, it);
	}
	q->err = writer_finish(q->w, err, failed);
	q->w->cpu = seconds(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static int queue_start(struct import *im)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (!q || am_post_prep_new(&im->prep)) {
		free(q);
		return AM_ENOMEM;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->room, NULL);
	pthread_cond_init(&q->work, NULL);
	atomic_init(&q->fatal, 0);
	atomic_init(&q->set, NULL);
	q->w = &im->w;
	if (pthread_create(&q->thread, NULL, writer_main, q) != 0) {
		pthread_cond_destroy(&q->work);
		pthread_cond_destroy(&q->room);
		pthread_mutex_destroy(&q->mu);
		free(q);
		am_post_prep_free(im->prep);
		im->prep = NULL;
		return AM_ENOMEM;
	}
	im->q = q;
	return 0;
}

/* Tell the writer the reading is over (failed: on an error), wait for it
 * and free the queue; the writer's result. */
static int queue_finish(struct import *im, bool failed)
{
	struct queue *q = im->q;
	int err;

	pthread_mutex_lock(&q->mu);
	q->done = true;
	q->failed = failed;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	err = q->err;
	while (q->spare) {
		struct item *it = q->spare;

		q->spare = it->next;
		item_free(it);
	}
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->room);
	pthread_mutex_destroy(&q->mu);
	free(q);
	im->q = NULL;
	if (im->own)
		item_free(im->own);
	im->own = NULL;
	am_post_prep_free(im->prep);
	im->prep = NULL;
	return err;
}

/* The job to the writer: through the queue, or at once inline. */
static int send(struct import *im, struct job *j)
{
	j->diag_pos = am_diags_total(im->diags);
	return im->q ? queue_put(im, j) : write_job(&im->w, j);
}

/*
 * The reader.
 */

static int assess_lines(struct import *im, const struct am_wage_list *l,
			const struct period_entry *pe,
			const struct ws_entry *ws, bool *refused)
{
	if (l->nlines > im->assess_alloc) {
		size_t n = l->nlines < 64 ? 64 : l->nlines;
		struct am_line_assessment *a = realloc(im->assess,
						       n * sizeof(*a));

		if (!a)
			return AM_ENOMEM;
		im->assess = a;
		im->assess_alloc = n;
	}
	for (size_t i = 0; i < l->nlines; i++) {
		int err = am_wage_line_assess(&pe->params, &ws->terms,
					      &l->lines[i], &im->assess[i]);

		if (err) {
			am_diags_add(im->diags, err, l->file, l->lines[i].row,
				     "DSW_MASH", NULL, NULL);
			*refused = true;
			return 0;
		}
	}
	return 0;
}

/* Check a list against the registry and the rules of its period; *refused
 * when it may not be posted (its problems are in diags). */
static int check_list(struct import *im, struct am_wage_list *l, struct job *j,
		      bool *refused)
{
	size_t before = am_diags_total(im->diags);
	struct period_entry *pe;
	struct ws_entry *ws;
	int err;

	err = workshop_terms(im, l->workshop, &ws);
	if (err)
		return err;
	if (!ws->exists && im->o->register_workshops) {
		/* Registered by the writer before the list is posted (or
		 * even when it is refused, as the registry's record is
		 * good); known from now on through the cache. */
		j->register_ws = true;
		ws->exists = true;
	} else if (!ws->exists) {
		refuse(im, l, AM_EWAGE_UNKNOWN_WORKSHOP, "DSK_ID", l->workshop,
		       NULL);
		*refused = true;
		return 0;
	}
	pe = period_params(im, l->period);
	if (pe->err == AM_ERULES_NO_VALUE) {
		char period[16];

		name_missing_of(im, pe);
		snprintf(period, sizeof(period), "%04d/%02d", l->period.year,
			 l->period.month);
		refuse(im, l, AM_EWAGE_PERIOD_NO_RULES, "DSK_YY/DSK_MM", period,
		       NULL);
		*refused = true;
		return 0;
	}
	if (pe->err) {
		struct am_diag d = pe->diag;

		am__strlcpy(d.file, l->file, sizeof(d.file));
		d.line = l->header_row;
		am_diags_push(im->diags, &d);
		*refused = true;
		return 0;
	}
	am_wage_list_validate(&pe->params, &ws->terms, l, im->today, im->diags);
	if (am_diags_total(im->diags) != before) {
		*refused = true;
		return 0;
	}
	err = assess_lines(im, l, pe, ws, refused);
	if (err || *refused)
		return err;
	j->post = true;
	j->assess = im->assess;
	j->exempt = ws->terms.small_exempt;
	j->due = ws->terms.small_exempt ? pe->due_exempt : pe->due;
	j->rules_identity = pe->params.rules_identity;
	return 0;
}

/*
 * Once an import has proved large, the registered persons are read into
 * a set in memory (one scan; two seconds for a registry of 40 million),
 * and the writer asks the database only about persons the set lacks:
 * at that size a database lookup costs a B-tree page read per person
 * (docs/storage.md, "Persons"). A small import never pays for the scan.
 */
static void *set_loader_main(void *arg)
{
	struct import *im = arg;
	struct am_person_set *set = NULL;

	/* Without it (no memory, an error of the handle's) the database is
	 * asked, as before. */
	if (am_store_person_set_load(im->set_h, SET_MIN(im->o), &set) == 0) {
		im->set = set;
		atomic_store(&im->q->set, set);
	}
	return NULL;
}

/* With two threads, the set is read on a third, with a handle of its
 * own, while the reader goes on; the writer takes it up between two
 * lists once it is there. Inline, it is read at once and goes with the
 * list. */
static int person_set_load(struct import *im, struct job *j)
{
	int err;

	/* After that many lines, or at once when the files named are large
	 * enough to hold them: their persons would otherwise be asked of the
	 * database one by one while the set loads. */
	if (im->set_tried || (im->st->lines < set_lines(im) && !bulk_input(im)))
		return 0;
	im->set_tried = true;
	if (im->q && am_store_open_reader(im->r, &im->set_h) == 0) {
		if (pthread_create(&im->set_thread, NULL, set_loader_main,
				   im) == 0)
			return 0;
		am_store_close(im->set_h);
		im->set_h = NULL;
	}
	err = am_store_person_set_load(im->r, SET_MIN(im->o), &im->set);
	if (err == AM_ENOMEM)
		return 0;
	j->set = im->set;
	return err;
}

/* Wait for the loading thread, if any. */
static void set_loader_join(struct import *im)
{
	if (!im->set_h)
		return;
	pthread_join(im->set_thread, NULL);
	am_store_close(im->set_h);
	im->set_h = NULL;
}

/* One list from a reader: check, validate, assess, and hand it over. */
static int on_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct import *im = ctx;
	struct job j;
	int err;

	if (im->q && (err = atomic_load(&im->q->fatal)) != 0)
		goto fatal;
	im->st->lists_read++;
	im->st->lines += l->nlines;
	am_progress_update(&im->progress,
			   im->progress.total ? im->bytes_read + l->input_offset
					      : im->st->lines);
	snapshot_tick(im);
	memset(&j, 0, sizeof(j));
	j.l = l;
	err = person_set_load(im, &j);
	if (!err && !refused)
		err = check_list(im, l, &j, &refused);
	if (err)
		goto fatal;
	if (refused)
		im->st->lists_refused++;
	if (!j.post && !j.register_ws && !j.set)
		return 0;
	err = send(im, &j);
	if (!err)
		return 0;
fatal:
	im->fatal = err;
	return err;
}

/* The pass ahead: a list the reader would hand over gives its lines'
 * persons to the gathering. A list already posted is left out unless it
 * is to amend it (its persons were registered then, or it is refused). */
static int ahead_on_list(struct am_wage_list *l, bool refused, void *ctx)
{
	struct import *im = ctx;
	struct am_list_key old;
	struct job j;
	int err;

	im->st->lines += l->nlines;
	am_progress_update(&im->progress,
			   im->progress.total ? im->bytes_read + l->input_offset
					      : im->st->lines);
	memset(&j, 0, sizeof(j));
	j.l = l;
	err = refused ? 0 : check_list(im, l, &j, &refused);
	/* Its workshop registered from its header, as the writer would,
	 * even when the list is refused. */
	if (!err && j.register_ws)
		err = am__ahead_workshop(im->ahead, l->workshop,
					 l->workshop_name && *l->workshop_name
						 ? l->workshop_name
						 : l->workshop,
					 l->address);
	if (err || refused || !j.post)
		return err;
	err = am_store_list_key(im->r, l->workshop, am_period_key(l->period),
				l->list_no, &old);
	if (err == AM_ENOT_FOUND)
		old.found = false;
	else if (err)
		return err;
	err = 0;
	if (old.found && old.posted &&
	    (!im->o->amend || !sodium_memcmp(old.hash, l->hash, 32)))
		return 0;
	for (size_t i = 0; i < l->nlines && !err; i++)
		err = am__ahead_add(im->ahead, &l->lines[i]);
	return err;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is dir a ListDisk folder: either of its two files present, any letter
 * case? One without the other is one still, an incomplete disk that the
 * DBF reader refuses naming the missing file, not a folder of no lists. */
static bool is_listdisk(const char *dir)
{
	bool any = false;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!any && (de = readdir(d)) != NULL)
		any = !strcasecmp(de->d_name, "DSKKAR00.DBF") ||
		      !strcasecmp(de->d_name, "DSKWOR00.DBF");
	closedir(d);
	return any;
}

static int import_path(struct import *im, const char *path, int depth);

/* A tree of ListDisk folders (and CSV or JSON lists), in name order. */
static int import_tree(struct import *im, const char *dir, int depth)
{
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (depth > 16)
		return 0;
	d = opendir(dir);
	if (!d) {
		am_diags_add(im->diags, AM_EIO, dir, 0, NULL, strerror(errno),
			     NULL);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			char **p = realloc(names, na * sizeof(*p));

			if (!p) {
				err = AM_ENOMEM;
				break;
			}
			names = p;
			alloc = na;
		}
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!names[n]) {
			err = AM_ENOMEM;
			break;
		}
		snprintf(names[n], strlen(dir) + strlen(de->d_name) + 2,
			 "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (!err && n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !err; i++) {
		struct stat sb;

		/* Sub-folders, and the CSV and JSON lists among them. */
		if (stat(names[i], &sb) == 0 &&
		    (S_ISDIR(sb.st_mode) || has_suffix(names[i], ".csv") ||
		     has_suffix(names[i], ".json")))
			err = import_path(im, names[i], depth + 1);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

/* The bytes of the lists under path that an import reads: a CSV or JSON
 * file, the DBF files of ListDisk folders, in a tree as import_tree()
 * walks it. For the progress bar's total: a walk of the names, no file
 * opened. */
static uint64_t input_size(const char *path, int depth)
{
	struct stat sb;
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	if (stat(path, &sb) != 0)
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return has_suffix(path, ".csv") || has_suffix(path, ".json") ||
				       has_suffix(path, ".dbf")
			       ? (uint64_t)sb.st_size
			       : 0;
	if (depth > 16 || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		char *sub;

		if (de->d_name[0] == '.' || !(sub = malloc(len)))
			continue;
		snprintf(sub, len, "%s/%s", path, de->d_name);
		n += input_size(sub, depth + 1);
		free(sub);
	}
	closedir(d);
	return n;
}

/* A file or ListDisk folder read whole: its bytes are done. */
static void path_read(struct import *im, uint64_t bytes)
{
	im->bytes_read += bytes;
	if (im->progress.total)
		am_progress_update(&im->progress, im->bytes_read);
}

static int import_path(struct import *im, const char *path, int depth)
{
	struct am_read_opts ro = { im->o->codepage };
	struct stat sb;
	int err;

	if (stat(path, &sb) != 0) {
		am_diags_add(im->diags, AM_EIO, path, 0, NULL, strerror(errno),
			     NULL);
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (!is_listdisk(path))
			return import_tree(im, path, depth);
		im->st->files++;
		err = am_dbf_read(path, &ro,
				  im->ahead ? ahead_on_list : on_list, im,
				  im->diags);
		path_read(im, im->progress.total ? input_size(path, 0) : 0);
		return err;
	}
	im->st->files++;
	if (has_suffix(path, ".csv"))
		err = am_csv_read(path, &ro,
				  im->ahead ? ahead_on_list : on_list, im,
				  im->diags);
	else if (has_suffix(path, ".json"))
		err = am_json_read(path, &ro,
				   im->ahead ? ahead_on_list : on_list, im,
				   im->diags);
	else {
		am_diags_add(im->diags, AM_EWAGE_PATH, path, 0, NULL, NULL,
			     "DSKKAR00.DBF + DSKWOR00.DBF, .csv, .json");
		return 0;
	}
	path_read(im, (uint64_t)sb.st_size);
	return err;
}

/* The writer's refusals among the reader's diagnostics, each where one
 * thread would have put it: before the reader's pos-th. */
static void diags_merge(struct am_diags *into, struct writer *w)
{
	struct am_diag *r = into->items;
	size_t nr = into->nr, dropped = into->dropped, k = 0;

	if (!w->diags.nr && !w->diags.dropped)
		return;
	into->items = NULL;
	into->nr = into->alloc = 0;
	into->dropped = 0;
	for (size_t i = 0; i <= nr; i++) {
		while (k < w->diags.nr && (i == nr || w->pos[k] <= i))
			am_diags_push(into, &w->diags.items[k++]);
		if (i < nr)
			am_diags_push(into, &r[i]);
	}
	into->dropped += dropped + w->diags.dropped;
	free(r);
}

/* The writer's counts into the caller's. */
static void stats_add(struct am_wage_import_stats *st,
		      const struct am_wage_import_stats *w)
{
	st->lists_accepted += w->lists_accepted;
	st->lists_posted += w->lists_posted;
	st->lists_unchanged += w->lists_unchanged;
	st->lists_amended += w->lists_amended;
	st->lists_refused += w->lists_refused;
	st->lines_posted += w->lines_posted;
	st->workshops_registered += w->workshops_registered;
}

/* The threads' times into st (the writer's, when it had a thread). */
static void times_add(struct am_wage_import_stats *st, const struct import *im)
{
	st->reader_cpu += seconds(CLOCK_THREAD_CPUTIME_ID) - im->cpu0;
	st->reader_waited += im->waited;
	st->writer_cpu += im->w.cpu;
	st->writer_waited += im->w.waited;
	st->compact += im->w.compact;
	st->checkpoints += im->w.checkpoints;
	st->checkpoint_waited += im->w.ckpt_waited;
}

static int read_paths(struct import *im, char *const *paths, size_t npaths)
{
	int err = 0;

	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
			im->input_bytes += (uint64_t)sb.st_size;
	}
	for (size_t i = 0; i < npaths && !err; i++) {
		err = import_path(im, paths[i], 0);
		if (im->fatal)
			err = im->fatal;
	}
	return err;
}

/* The bar over the bytes of every input named. */
static void progress_start(struct import *im, char *const *paths, size_t npaths,
			   const char *en, const char *fa)
{
	uint64_t total = 0;

	for (size_t i = 0; i < npaths; i++)
		total += input_size(paths[i], 0);
	am_progress_start(&im->progress, im->o->persian ? fa : en, total);
	im->progress.persian = im->o->persian;
}

/* What an import's reader holds apart from the import itself. */
static void import_caches_free(struct import *im)
{
	am__huge_free(im->ws, im->ws_size * sizeof(*im->ws));
	free(im->assess);
	free(im->missing);
}

/*
 * The pass ahead: when the files named hold more lines than the registry
 * has persons (a new country's first months), the lines' new persons are
 * registered before the lists, in key order, from every list the import
 * would post: each of the persons table's pages is then written once,
 * not once a batch. The lists are read twice; the second reading posts
 * them, every person known. Its own diagnostics are the second
 * reading's too, and are dropped, unless it fails.
 */
static int register_ahead(struct am_store *s, const struct am_rules *rules,
			  char *const *paths, size_t npaths,
			  const struct am_wage_import_opts *o,
			  struct am_wage_import_stats *st,
			  struct am_diags *diags)
{
	struct import *im;
	struct am_wage_import_stats pst;
	struct am_diags pd;
	uint64_t bytes = 0;
	size_t added = 0, workshops = 0;
	int err = 0;

	if (o->ahead == AM_AHEAD_NEVER)
		return 0;
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
			bytes += (uint64_t)sb.st_size;
	}
	if (o->ahead == AM_AHEAD_AUTO) {
		bool many = false;

		/* At least this many lines, whatever their length: below,
		 * the persons table stays in SQLite's cache while a month
		 * registers its persons, and the second reading costs more
		 * than it saves (1,000,000 new persons: 1.25 times the time
		 * of a single reading). */
		if (bytes / LINE_BYTES_MAX < AHEAD_LINES)
			return 0;
		err = am_store_persons_at_least(
			s, (int64_t)(bytes / LINE_BYTES_MAX), &many);
		if (err || many)
			return err;
	}
	im = calloc(1, sizeof(*im));
	if (!im)
		return AM_ENOMEM;
	memset(&pst, 0, sizeof(pst));
	am_diags_init(&pd, diags->cap);
	im->r = s;
	im->rules = rules;
	im->o = o;
	im->st = &pst;
	im->diags = &pd;
	im->today = o->today ? o->today : am_date_today();
	err = am__ahead_new(0, &im->ahead);
	if (!err && o->progress)
		progress_start(im, paths, npaths, "new persons",
			       "خواندن افراد تازه");
	/* One read transaction for the lookups, not one each. */
	if (!err)
		err = am_store_begin(s);
	if (!err) {
		err = read_paths(im, paths, npaths);
		am_store_rollback(s);
	}
	if (o->progress)
		am_progress_finish(&im->progress);
	if (!err)
		err = am__ahead_register(im->ahead, s, o->batch_lines,
					 o->progress, o->persian, &added,
					 &workshops);
	st->persons_ahead = added;
	st->workshops_ahead = workshops;
	if (err) {
		/* Say why: the reading's own diagnostics, or the store's. */
		for (size_t i = 0; i < pd.nr; i++)
			am_diags_push(diags, &pd.items[i]);
	}
	am__ahead_free(im->ahead);
	import_caches_free(im);
	am_diags_release(&pd);
	free(im);
	return err;
}

int am_import_wages(struct am_store *s, const struct am_rules *rules,
		    char *const *paths, size_t npaths,
		    const struct am_wage_import_opts *o,
		    struct am_wage_import_stats *st, struct am_diags *diags)
{
	struct import *im = calloc(1, sizeof(*im));
	struct am_store *reader = NULL;
	int err, werr;

	if (!im)
		return AM_ENOMEM;
	err = am_post_session_new(s, &im->w.posting);
	if (err) {
		free(im);
		return err;
	}
	im->cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
	im->rules = rules;
	im->o = o;
	im->st = st;
	im->diags = diags;
	im->today = o->today ? o->today : am_date_today();
	im->w.s = s;
	im->w.o = o;
	err = register_ahead(s, rules, paths, npaths, o, st, diags);
	if (err) {
		am_post_session_free(im->w.posting);
		free(im);
		return err;
	}
	/* Lines a transaction takes: a segment of the by-person index each,
	 * so fewer and larger is faster (docs/storage.md). */
	im->w.batch_lines = o->batch_lines ? o->batch_lines : 500000;
	am_diags_init(&im->w.diags, diags->cap);
	/* Two threads when the reader can have a handle of its own; else
	 * one, the lookups through s. */
	im->r = s;
	if (am_store_open_reader(s, &reader) == 0) {
		im->r = reader;
		/* The writer's commits then wait for their log only; the
		 * copies into the database run beside it (store.h). */
		am_store_checkpoint_thread(s, true);
		if (queue_start(im) != 0) {
			am_store_checkpoint_thread(s, false);
			am_store_close(reader);
			im->r = s;
		}
	}
	if (o->progress)
		progress_start(im, paths, npaths, "import",
			       "ورود لیست‌ها");
	err = read_paths(im, paths, npaths);
	if (im->q) {
		set_loader_join(im);   /* before the queue goes */
		am_store_close(im->r); /* its snapshot with it */
		werr = queue_finish(im, err != 0);
	} else {
		werr = writer_finish(&im->w, err, err != 0);
	}
	/* The writer's error came first: it stopped the reader. */
	if (werr)
		err = werr;
	/* The writer has finished with s (joined, or inline). */
	st->workshops_registered += st->workshops_ahead;
	st->persons_registered = st->persons_ahead +
				 (size_t)am_post_session_registered(
					 im->w.posting);
	am_post_session_free(im->w.posting);
	am_person_set_free(im->set);
	if (o->progress)
		am_progress_finish(&im->progress);
	diags_merge(diags, &im->w);
	stats_add(st, &im->w.st);
	times_add(st, im);
	am_diags_release(&im->w.diags);
	free(im->w.pos);
	import_caches_free(im);
	free(im);
	return err;
}
