/* A bulk writer's checkpoints on a thread of their own (store.h,
 * am_store_checkpoint_thread(); docs/storage.md, "The SQLite connection").
 *
 * SQLite's WAL is begun again from its start only by a write transaction
 * whose snapshot found it wholly copied into the database. The thread
 * copies each commit while the writer builds its next transaction, so the
 * log would never be wholly copied at a begin; every RESTART_EVERY commits
 * the writer's begin therefore waits for the copy of the last one. The
 * wait is one copy in RESTART_EVERY, and the log holds at most that many
 * transactions. */
#include "core/internal.h"

#include <pthread.h>
#include <time.h>

#include "store/store_int.h"

#define RESTART_EVERY 4

struct am__ckpt {
	struct am_store *h; /* the thread's handle on the database */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* asked grew, done caught up, or stop */
	uint64_t asked, done; /* commits to copy, and those copied */
	unsigned commits;     /* the writer's, since its last wait */
	bool stop;
	int err; /* the thread's first, with its message in h */
	size_t runs;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *ckpt_main(void *arg)
{
	struct am__ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		uint64_t upto;
		bool complete;
		int err;

		while (!c->stop && c->done == c->asked)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->done == c->asked)
			break; /* stopped, with nothing left */
		upto = c->asked;
		pthread_mutex_unlock(&c->mu);
		err = c->h->be->checkpoint(c->h, &complete);
		pthread_mutex_lock(&c->mu);
		if (err && !c->err)
			c->err = err;
		c->done = upto;
		c->runs++;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Wait until every commit asked for is copied; the thread's error, its
 * message on s. */
static int ckpt_wait(struct am_store *s)
{
	struct am__ckpt *c = s->ckpt;
	double t0 = now();
	int err;

	pthread_mutex_lock(&c->mu);
	while (c->done != c->asked)
		pthread_cond_wait(&c->cv, &c->mu);
	err = c->err;
	pthread_mutex_unlock(&c->mu);
	s->ckpt_waited += now() - t0;
	return err ? am__store_errf(s, err, "checkpoint: %s", c->h->errmsg) : 0;
}

/* The thread on a handle of its own, s's own checkpoints off. */
static int ckpt_start(struct am_store *s)
{
	const char *path = s->be->uri ? s->be->uri(s) : NULL;
	struct am__ckpt *c;

	if (!path || !s->be->checkpoint || !s->be->autocheckpoint ||
	    !(c = calloc(1, sizeof(*c))))
		return 0;
	if (am_store_open_flags(path,
				AM_STORE_OPEN_NOCREATE | AM__STORE_OPEN_HELPER,
				&c->h) != 0 ||
	    !c->h->be->checkpoint) {
		if (c->h) /* none when the open failed */
			c->h->be->close(c->h);
		free(c);
		return 0;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (s->be->autocheckpoint(s, false) != 0 ||
	    pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		s->be->autocheckpoint(s, true);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		c->h->be->close(c->h);
		free(c);
		return 0;
	}
	s->ckpt = c;
	s->ckpt_runs = 0;
	s->ckpt_waited = 0;
	return 0;
}

/* The copies done, the thread stopped, s checkpointing itself again. */
static int ckpt_stop(struct am_store *s)
{
	struct am__ckpt *c = s->ckpt;
	int err = ckpt_wait(s), err2;

	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	s->ckpt_runs = c->runs;
	s->ckpt = NULL;
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	c->h->be->close(c->h);
	free(c);
	err2 = s->be->autocheckpoint(s, true);
	return err ? err : err2;
}

int am_store_checkpoint_thread(struct am_store *s, bool on)
{
	if (on == (s->ckpt != NULL))
		return 0;
	return on ? ckpt_start(s) : ckpt_stop(s);
}

void am_store_checkpoint_thread_stats(const struct am_store *s, size_t *runs,
				      double *waited)
{
	size_t n = s->ckpt_runs;

	if (s->ckpt) {
		pthread_mutex_lock(&s->ckpt->mu);
		n = s->ckpt->runs;
		pthread_mutex_unlock(&s->ckpt->mu);
	}
	if (runs)
		*runs = n;
	if (waited)
		*waited = s->ckpt_waited;
}

int am__ckpt_before_begin(struct am_store *s)
{
	struct am__ckpt *c = s->ckpt;

	if (!c || c->commits < RESTART_EVERY)
		return 0;
	c->commits = 0;
	return ckpt_wait(s);
}

void am__ckpt_committed(struct am_store *s)
{
	struct am__ckpt *c = s->ckpt;

	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->asked++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	c->commits++;
}
