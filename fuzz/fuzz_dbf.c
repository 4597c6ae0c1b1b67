/* Fuzz the ListDisk DBF reader (am_dbf_read): the input is split into
 * DSKKAR00.DBF and DSKWOR00.DBF in a fresh folder (byte 0 picks the code
 * page, bytes 1-2 the split); a list read without problems is written back
 * in its layout and read again to the same hash. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/assess.h"
#include "amanat/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f)
		return;
	fwrite(b, 1, n, f);
	fclose(f);
}

static void rmdir_all(const char *dir)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/DSKKAR00.DBF", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/DSKWOR00.DBF", dir);
	unlink(p);
	rmdir(dir);
}

static int reread(struct am_wage_list *l, bool refused, void *ctx)
{
	const uint8_t *want = ctx;

	if (refused || memcmp(want, l->hash, 32) != 0)
		abort();
	return 0;
}

static int check_list(struct am_wage_list *l, bool refused, void *ctx)
{
	char dir[] = "/tmp/amanat-fuzz-wdbf-XXXXXX";
	struct am_diags ds;
	uint8_t h[32];

	(void)ctx;
	for (size_t i = 0; i < l->nlines; i++)
		if (!l->lines[i].first_name || l->lines[i].row == 0)
			abort();
	memcpy(h, l->hash, sizeof(h));
	am_wage_list_hash(l);
	if (memcmp(h, l->hash, sizeof(h)) != 0)
		abort();
	if (refused || !mkdtemp(dir))
		return 0;
	/* Text decoded from either code page may not fit the other, and a
	 * wide field may not fit the template: only a written list must
	 * read back. */
	if (am_dbf_write(l, dir, l->layout,
			 l->codepage == AM_CP_IRAN_SYSTEM
				 ? AM_CP_IRAN_SYSTEM
				 : AM_CP_WINDOWS_1256) == 0) {
		struct am_read_opts o = { l->codepage == AM_CP_IRAN_SYSTEM
						  ? AM_CP_IRAN_SYSTEM
						  : AM_CP_WINDOWS_1256 };

		am_diags_init(&ds, 16);
		if (am_dbf_read(dir, &o, reread, l->hash, &ds) != 0 || ds.nr)
			abort();
		am_diags_release(&ds);
	}
	rmdir_all(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "/tmp/amanat-fuzz-dbf-XXXXXX";
	struct am_read_opts o = { AM_CP_UTF8 };
	struct am_diags ds;
	size_t split;

	if (size < 3 || !mkdtemp(dir))
		return 0;
	o.codepage = (enum am_codepage)(data[0] % 3);
	split = ((size_t)data[1] | (size_t)data[2] << 8) % (size - 2);
	put(dir, "DSKKAR00.DBF", data + 3, split);
	put(dir, "DSKWOR00.DBF", data + 3 + split, size - 3 - split);
	am_diags_init(&ds, 64);
	am_dbf_read(dir, &o, check_list, NULL, &ds);
	for (size_t i = 0; i < ds.nr; i++)
		if (ds.items[i].code >= 0 || !ds.items[i].file[0])
			abort();
	am_diags_release(&ds);
	rmdir_all(dir);
	return 0;
}
