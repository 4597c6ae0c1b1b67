/* Large tables read at random: memory of their own, zeroed, in huge pages
 * where the kernel gives them. Read at random, a table of 4 KiB pages
 * costs a TLB miss and a page walk at nearly every read; in 2 MiB pages
 * a national person set (119 MiB) is sixty TLB entries. */
#include "core/internal.h"

#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* Below this a table is not worth a mapping of its own. */
#define HUGE_MIN (4 * HUGE_PAGE)

void *am__huge_calloc(size_t size)
{
	size_t span, head;
	char *p, *start;

	if (size < HUGE_MIN)
		return calloc(1, size);
	/* Rounded to whole huge pages, and one more to align the start. */
	size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	span = size + HUGE_PAGE;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	start = p + head;
	if (head)
		munmap(p, head);
	if (span > head + size)
		munmap(start + size, span - head - size);
#ifdef MADV_HUGEPAGE
	/* Advice: where the kernel has none to give, 4 KiB pages serve. */
	(void)madvise(start, size, MADV_HUGEPAGE);
#endif
	return start;
}

void am__huge_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size < HUGE_MIN) {
		free(p);
		return;
	}
	size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	munmap(p, size);
}

/* A file of sorted runs for a merge: in $TMPDIR (else /tmp), unlinked at
 * once, so that nothing is left behind whatever ends the process. */
FILE *am__temp_file(const char **dir)
{
	char path[4096];
	FILE *f;
	int fd;

	*dir = getenv("TMPDIR");
	if (!*dir || !**dir)
		*dir = "/tmp";
	snprintf(path, sizeof(path), "%s/amanat-runs-XXXXXX", *dir);
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

void am__heap_down(size_t *heap, size_t n, size_t i,
		   bool (*before)(const void *ctx, size_t a, size_t b),
		   const void *ctx)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1, t;

		if (l < n && before(ctx, heap[l], heap[least]))
			least = l;
		if (r < n && before(ctx, heap[r], heap[least]))
			least = r;
		if (least == i)
			return;
		t = heap[i];
		heap[i] = heap[least];
		heap[least] = t;
		i = least;
	}
}

/* Six 11-bit digits a key, k2's first (the less significant). */
#define SORT_BITS 11
#define SORT_DIGITS 6
#define SORT_BUCKETS ((size_t)1 << SORT_BITS)

static unsigned sortkey_digit(const struct am__sortkey *e, unsigned d)
{
	uint64_t k = d < SORT_DIGITS ? e->k2 : e->k1;

	return (unsigned)(k >> (SORT_BITS * (d % SORT_DIGITS))) &
	       (SORT_BUCKETS - 1);
}

int am__sortkeys(struct am__sortkey *e, struct am__sortkey *tmp, size_t n)
{
	size_t(*count)[SORT_BUCKETS];
	struct am__sortkey *from = e, *to = tmp;

	if (n < 2)
		return 0;
	count = calloc((size_t)2 * SORT_DIGITS, sizeof(*count));
	if (!count)
		return AM_ENOMEM;
	/* Every digit's counts in one reading; a digit all the keys share
	 * moves nothing, and is passed over. */
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < 2 * SORT_DIGITS; d++)
			count[d][sortkey_digit(&e[i], d)]++;
	for (unsigned d = 0; d < 2 * SORT_DIGITS; d++) {
		size_t *c = count[d], sum = 0;
		struct am__sortkey *t;

		if (c[sortkey_digit(&from[0], d)] == n)
			continue;
		for (size_t b = 0; b < SORT_BUCKETS; b++) {
			size_t k = c[b];

			c[b] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			to[c[sortkey_digit(&from[i], d)]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != e)
		memcpy(e, from, n * sizeof(*e));
	free(count);
	return 0;
}
