/* Numbered schema migrations: their checksums, and the rule that decides
 * whether a database's applied list fits the program's. The SQL itself is
 * in src/store/migrations/, embedded at build time by tools/embed.py. */
#include "core/internal.h"

#include <sodium.h>

#include "store/store_int.h"

int am__migrations_latest(const struct am__migration *list, size_t n)
{
	/* embed.py refuses gaps, so the last is the newest; check anyway. */
	assert(n == 0 || list[n - 1].version == (int)n);
	return n ? list[n - 1].version : 0;
}

int am__migration_checksum(const struct am__migration *m, char hex[65])
{
	uint8_t h[32];

	if (crypto_generichash(h, sizeof(h), (const unsigned char *)m->sql,
			       strlen(m->sql), NULL, 0))
		return AM_EINTERNAL;
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return 0;
}

int am__migration_check_applied(struct am_store *s,
				const struct am__migration *list, size_t n,
				int expect, int version, const char *checksum)
{
	char want[65];
	int err;

	if (version > (int)n)
		return am__store_errf(s, AM_ESTORE_SCHEMA_NEWER,
				      "migration %d is applied; this program "
				      "knows up to %zu",
				      version, n);
	if (version != expect)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "schema_migrations has %d where %d was "
				      "expected",
				      version, expect);
	err = am__migration_checksum(&list[version - 1], want);
	if (err)
		return am__store_errf(s, err, "BLAKE2b failed");
	if (!checksum || strcmp(checksum, want) != 0)
		return am__store_errf(s, AM_ESTORE_CORRUPT,
				      "migration %s was applied with checksum "
				      "%.16s…, this program has %.16s…: a "
				      "released migration was edited",
				      list[version - 1].name,
				      checksum ? checksum : "(none)", want);
	return 0;
}
