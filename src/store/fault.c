/* A backend that wraps another and fails its N-th call, for tests that show
 * every failure ends cleanly with nothing half-written (git's refs/debug.c
 * wraps a ref store the same way; SQLite's test_malloc.c fails mallocs). */
#include "core/internal.h"

#include "store/store_int.h"

struct fault_store {
	struct am_store base; /* first: the handle is cast both ways */
	struct am_store *inner;
	/* Its table: the generated pass-throughs, NULL where the inner
	 * backend has NULL (an optional operation it does without). */
	struct am_store_backend vt;
	unsigned long calls;   /* vtable calls so far */
	unsigned long fail_at; /* 1-based; 0 = never */
	unsigned long count;   /* calls failed from fail_at on */
	bool fired;
	int err; /* what an injected failure returns */
};

static struct fault_store *fs(struct am_store *s)
{
	return (struct fault_store *)s;
}

/* Count a call; a non-zero return is the injected failure, and the call
 * must not reach the inner store. */
static int enter(struct fault_store *f)
{
	f->calls++;
	if (!f->fail_at || f->calls < f->fail_at ||
	    f->calls - f->fail_at >= f->count)
		return 0;
	f->fired = true;
	return am__store_errf(&f->base, f->err, "injected fault at call %lu",
			      f->calls);
}

/* Pass the inner store's result out, with its message. */
static int leave(struct fault_store *f, int err)
{
	if (err)
		memcpy(f->base.errmsg, f->inner->errmsg,
		       sizeof(f->base.errmsg));
	return err;
}

static void fault_close(struct am_store *s)
{
	struct fault_store *f = fs(s);

	/* Not counted: a close cannot be refused, and tests close to see
	 * what the failure left behind. */
	am_store_close(f->inner);
	free(f);
}

/* Where the inner database is, for a second handle: not counted. */
static const char *fault_uri(struct am_store *s)
{
	struct am_store *in = fs(s)->inner;

	return in->be->uri ? in->be->uri(in) : NULL;
}

/* A constant of the program, not a call on the database: not counted. */
static int fault_schema_latest(const struct am_store *s)
{
	const struct fault_store *f = (const struct fault_store *)s;

	return f->inner->be->schema_latest(f->inner);
}
static int fault_posting(struct am_store *s, bool on)
{
	struct fault_store *f = fs(s);
	/* Turning the mode off is not counted: the store goes on when it
	 * fails, so it cannot be refused (a close neither). */
	int err = on ? enter(f) : 0;

	return err ? err : leave(f, f->inner->be->posting(f->inner, on));
}
/* Checkpoints change what the database file holds, never what a query
 * sees: passed through, not counted. */
static int fault_autocheckpoint(struct am_store *s, bool on)
{
	struct am_store *in = fs(s)->inner;

	return in->be->autocheckpoint ? in->be->autocheckpoint(in, on) : 0;
}
static int fault_checkpoint(struct am_store *s, bool *complete)
{
	struct am_store *in = fs(s)->inner;

	*complete = true;
	return in->be->checkpoint ? in->be->checkpoint(in, complete) : 0;
}
#include "store/fault_ops.h"

static const struct am_store_backend fault_backend = {
	.name = "fault",
	.open = NULL, /* made by am__store_fault_wrap(), never by a URI */
	.close = fault_close,
	.uri = fault_uri,
	.schema_latest = fault_schema_latest,
	.posting = fault_posting,
	.autocheckpoint = fault_autocheckpoint,
	.checkpoint = fault_checkpoint,
	FAULT_GENERATED,
};

int am__store_fault_wrap(struct am_store *inner, unsigned long fail_at,
			 unsigned long count, int err, struct am_store **out)
{
	struct fault_store *f;

	*out = NULL;
	if (inner->in_tx || err >= 0)
		return AM_EINVALID_ARGUMENT;
	f = calloc(1, sizeof(*f));
	if (!f)
		return AM_ENOMEM;
	f->vt = fault_backend;
	FAULT_OPTIONAL(&f->vt, inner->be);
	f->base.be = &f->vt;
	memcpy(f->base.actor, inner->actor, sizeof(f->base.actor));
	f->base.clock = inner->clock;
	f->inner = inner;
	f->fail_at = fail_at;
	f->count = count;
	f->err = err;
	*out = &f->base;
	return 0;
}

unsigned long am__store_fault_calls(const struct am_store *s)
{
	assert(s->be->name == fault_backend.name);
	return ((const struct fault_store *)s)->calls;
}

bool am__store_fault_fired(const struct am_store *s)
{
	assert(s->be->name == fault_backend.name);
	return ((const struct fault_store *)s)->fired;
}
