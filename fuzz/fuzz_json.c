/* Fuzz the JSON wage-list reader (am_json_read): arbitrary bytes as a
 * file; lists passed must be sane and hashed as passed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanat/assess.h"
#include "amanat/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_list(struct am_wage_list *l, bool refused, void *ctx)
{
	uint8_t h[32];

	(void)ctx;
	(void)refused;
	if (l->nlines && !l->lines)
		abort();
	for (size_t i = 0; i < l->nlines; i++) {
		const struct am_wage_line *w = &l->lines[i];

		if (!w->first_name || !w->last_name || !w->job_code ||
		    w->row != i + 1)
			abort();
	}
	memcpy(h, l->hash, sizeof(h));
	am_wage_list_hash(l);
	if (memcmp(h, l->hash, sizeof(h)) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/amanat-fuzz-wljson-XXXXXX";
	struct am_diags ds;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	am_diags_init(&ds, 64);
	am_json_read(path, NULL, check_list, NULL, &ds);
	for (size_t i = 0; i < ds.nr; i++)
		if (ds.items[i].code >= 0)
			abort();
	am_diags_release(&ds);
	unlink(path);
	return 0;
}
