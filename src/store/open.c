/* Opening a handle: the backend picked by the URI's scheme, and why the
 * last open of this thread failed. */
#include "core/internal.h"

#include <sodium.h>

#include "store/store_int.h"

#define DEFAULT_ACTOR "amanat"

/* Backends chosen by name. */
static const struct am_store_backend *const backends[] = {
	&am__store_sqlite,
	&am__store_pg,
};

/* Why the last am_store_open() of this thread failed. */
static _Thread_local char open_errmsg[AM__STORE_ERRMSG_MAX];

/* Length of a URI scheme at the start of uri ("sqlite" in "sqlite:x"), or
 * 0 when uri is a plain path. One letter is a Windows drive, not a scheme. */
static size_t scheme_len(const char *uri)
{
	size_t i = 0;

	if (!isalpha((unsigned char)uri[0]))
		return 0;
	while (isalnum((unsigned char)uri[i]) || uri[i] == '+' ||
	       uri[i] == '-' || uri[i] == '.')
		i++;
	return uri[i] == ':' && i > 1 ? i : 0;
}

int am__store_open_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_errmsg, sizeof(open_errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static int pick_backend(const char *uri, const struct am_store_backend **be,
			const char **path)
{
	size_t n = scheme_len(uri);

	if (!n) {
		*be = &am__store_sqlite;
		*path = uri;
		return 0;
	}
	for (size_t i = 0; i < AM_ARRAY_SIZE(backends); i++) {
		if (strlen(backends[i]->name) == n &&
		    !memcmp(uri, backends[i]->name, n)) {
			*be = backends[i];
			*path = uri + n + 1;
			return 0;
		}
	}
	return am__store_open_fail(
		AM_ESTORE_UNKNOWN_BACKEND,
		"unknown storage backend '%.*s' (known: sqlite, pg)", (int)n,
		uri);
}

int am_store_open_flags(const char *uri, unsigned flags, struct am_store **out)
{
	const struct am_store_backend *be = NULL;
	const char *path = NULL;
	struct am_store *s;
	int err;

	*out = NULL;
	open_errmsg[0] = '\0';
	if (!uri || !*uri)
		return am__store_open_fail(AM_EINVALID_ARGUMENT,
					   "no database named");
	/* The audit chain hashes with libsodium; it is idempotent and
	 * thread-safe, so calling it on every open is "once" enough. */
	if (sodium_init() < 0)
		return am__store_open_fail(AM_EINTERNAL,
					   "libsodium failed to start");
	err = pick_backend(uri, &be, &path);
	if (err || !be)
		return err ? err : AM_EINTERNAL;
	if (flags & AM_STORE_OPEN_READONLY)
		flags |= AM_STORE_OPEN_NOCREATE;
	err = be->open(path, flags, &s, open_errmsg);
	if (err)
		return err;
	s->be = be;
	s->errmsg[0] = '\0';
	am__strlcpy(s->actor, DEFAULT_ACTOR, sizeof(s->actor));
	s->in_tx = false;
	s->tx_failed = false;
	s->ready = false;
	s->clock = 0;
	*out = s;
	return 0;
}

int am_store_open(const char *uri, struct am_store **out)
{
	return am_store_open_flags(uri, 0, out);
}

const char *am_store_errmsg(const struct am_store *s)
{
	return s ? s->errmsg : open_errmsg;
}

const char *am_store_backend_name(const struct am_store *s)
{
	return s->be->name;
}
