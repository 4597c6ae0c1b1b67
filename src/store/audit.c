/* The audit trail's hash chain: the canonical encoding of an entry, its
 * BLAKE2b-256 hash, appending under the write lock, and verification. */
#include "core/internal.h"

#include <sodium.h>

#include "store/store_int.h"

/*
 * The canonical encoding, version 1. Every field is length-prefixed, so
 * that no two different entries encode alike ("ab"+"c" vs "a"+"bc"):
 *
 *   tag      u64 length, "amanat.audit.v1"
 *   seq      u64, big-endian
 *   at       i64, big-endian two's complement
 *   actor, action, subject, payload:  u64 length, UTF-8 bytes
 *   prev     u64 length (32), 32 bytes
 *
 * Changing it breaks every stored chain: a new encoding gets a new tag and
 * verify picks the encoding by an entry's era, never by guessing.
 */
static const char chain_tag[] = "amanat.audit.v1";

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	crypto_generichash_update(st, b, sizeof(b));
}

static void put_bytes(crypto_generichash_state *st, const void *p, size_t n)
{
	put_u64(st, n);
	if (n)
		crypto_generichash_update(st, p, n);
}

static void put_str(crypto_generichash_state *st, const char *s)
{
	/* A NULL (from a tampered row) hashes as "": the entry then fails on
	 * its hash, never crashes the walk. */
	put_bytes(st, s ? s : "", s ? strlen(s) : 0);
}

int am__audit_hash(const struct am_audit_entry *e,
		   uint8_t out[AM_AUDIT_HASH_SIZE])
{
	crypto_generichash_state st;

	if (crypto_generichash_init(&st, NULL, 0, AM_AUDIT_HASH_SIZE))
		return AM_EINTERNAL;
	put_bytes(&st, chain_tag, sizeof(chain_tag) - 1);
	put_u64(&st, e->seq);
	put_u64(&st, (uint64_t)e->at);
	put_str(&st, e->actor);
	put_str(&st, e->action);
	put_str(&st, e->subject);
	put_str(&st, e->payload);
	put_bytes(&st, e->prev_hash, AM_AUDIT_HASH_SIZE);
	if (crypto_generichash_final(&st, out, AM_AUDIT_HASH_SIZE))
		return AM_EINTERNAL;
	return 0;
}

int am__audit_append(struct am_store *s, const char *action,
		     const char *subject, const char *payload, uint64_t *seq)
{
	struct am_audit_entry e;
	uint64_t head;
	int err;

	memset(&e, 0, sizeof(e));
	err = s->be->audit_head(s, &head, e.prev_hash);
	if (err)
		return err;
	if (head == UINT64_MAX)
		return am__store_errf(s, AM_EINTERNAL, "audit seq overflow");
	e.seq = head + 1;
	e.at = am__store_now(s);
	e.actor = s->actor;
	e.action = action;
	e.subject = subject ? subject : "";
	e.payload = payload ? payload : "{}";
	err = am__audit_hash(&e, e.hash);
	if (err)
		return am__store_errf(s, err, "BLAKE2b failed");
	err = s->be->audit_insert(s, &e);
	if (!err && seq)
		*seq = e.seq;
	return err;
}

/*
 * Walking.
 */

struct iterate_ctx {
	am_audit_fn fn;
	void *ctx;
};

static int iterate_one(const struct am_audit_entry *e, bool malformed,
		       void *ctx)
{
	struct iterate_ctx *it = ctx;

	(void)malformed;
	return it->fn(e, it->ctx);
}

int am_store_audit_iterate(struct am_store *s, uint64_t from_seq,
			   am_audit_fn fn, void *ctx)
{
	struct iterate_ctx it = { fn, ctx };
	int err = am__store_ready(s);

	if (err)
		return err;
	return s->be->audit_iterate(s, from_seq, iterate_one, &it);
}

struct verify_ctx {
	struct am_audit_verify_result *res;
	uint64_t expect_seq;
	uint8_t prev[AM_AUDIT_HASH_SIZE];
	int err; /* a failure of the hash itself, not of the chain */
};

/* What is wrong with e, given the entries before it, or AM_AUDIT_OK. */
static enum am_audit_problem check_entry(struct verify_ctx *v,
					 const struct am_audit_entry *e,
					 bool malformed)
{
	uint8_t h[AM_AUDIT_HASH_SIZE];

	if (e->seq != v->expect_seq)
		return AM_AUDIT_SEQ_GAP;
	if (malformed)
		return AM_AUDIT_HASH_MISMATCH;
	if (sodium_memcmp(e->prev_hash, v->prev, AM_AUDIT_HASH_SIZE))
		return AM_AUDIT_PREV_MISMATCH;
	v->err = am__audit_hash(e, h);
	if (v->err || sodium_memcmp(h, e->hash, AM_AUDIT_HASH_SIZE))
		return AM_AUDIT_HASH_MISMATCH;
	return AM_AUDIT_OK;
}

static int verify_one(const struct am_audit_entry *e, bool malformed, void *ctx)
{
	struct verify_ctx *v = ctx;
	struct am_audit_verify_result *res = v->res;

	res->count++;
	res->last_seq = e->seq;
	memcpy(res->head, e->hash, AM_AUDIT_HASH_SIZE);
	/* Only the first break is named: after it, every later entry may
	 * look broken for the same reason. */
	if (res->problem == AM_AUDIT_OK) {
		enum am_audit_problem p = check_entry(v, e, malformed);

		if (v->err)
			return v->err;
		if (p != AM_AUDIT_OK) {
			res->problem = p;
			res->broken_seq = e->seq;
			if (p == AM_AUDIT_SEQ_GAP)
				res->expected_seq = v->expect_seq;
		}
	}
	v->expect_seq = e->seq + 1;
	memcpy(v->prev, e->hash, AM_AUDIT_HASH_SIZE);
	return 0;
}

int am_store_audit_verify(struct am_store *s,
			  struct am_audit_verify_result *res)
{
	struct am_audit_verify_result r;
	struct verify_ctx v;
	int err;

	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	v.res = &r;
	v.expect_seq = 1;
	err = am__store_ready(s);
	if (!err)
		err = s->be->audit_iterate(s, 1, verify_one, &v);
	if (err)
		return err;
	*res = r;
	if (r.problem != AM_AUDIT_OK)
		return am__store_errf(
			s, AM_EAUDIT_BROKEN, "audit entry %" PRIu64 ": %s",
			r.broken_seq, am_audit_problem_text(r.problem, false));
	return 0;
}

const char *am_audit_problem_text(enum am_audit_problem p, bool persian)
{
	switch (p) {
	case AM_AUDIT_OK:
		return persian ? "زنجیرهٔ رکوردهای ممیزی سالم است"
			       : "the chain is intact";
	case AM_AUDIT_HASH_MISMATCH:
		return persian ? "این رکورد پس از ثبت دستکاری شده است "
				 "(هش آن با محتوایش نمی‌خواند)"
			       : "the entry was changed after it was written "
				 "(its hash does not match)";
	case AM_AUDIT_PREV_MISMATCH:
		return persian ? "پیوند این رکورد با رکورد پیش از آن گسسته است "
				 "(هش رکورد پیشین نمی‌خواند)"
			       : "the entry does not link to the one before it "
				 "(prev_hash does not match)";
	case AM_AUDIT_SEQ_GAP:
		return persian ? "رکوردهایی پیش از این رکورد حذف شده‌اند "
				 "(شماره‌ها پیوسته نیستند)"
			       : "entries before this one are missing "
				 "(a gap in seq)";
	}
	return persian ? "مشکل ناشناخته" : "unknown problem";
}
