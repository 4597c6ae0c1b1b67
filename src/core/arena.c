/* Arenas: bump allocation from linked blocks, freed in one call. Large
 * requests get a block of their own so that ordinary blocks stay small. */
#include "core/internal.h"

#include <stdalign.h>

struct am__arena_block {
	struct am__arena_block *next;
	size_t size; /* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN (alignof(max_align_t))

void am_arena_init(struct am_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : (size_t)64 << 10;
	a->used = 0;
}

static struct am__arena_block *new_block(size_t size)
{
	struct am__arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void *am_arena_alloc(struct am_arena *a, size_t n)
{
	struct am__arena_block *b = a->head;
	size_t need;
	void *p;

	if (n == 0 || n > SIZE_MAX - ALIGN)
		return NULL;
	need = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (!b || b->size - b->used < need) {
		if (need > a->block_size / 4) {
			/* A big request: its own block, behind the current one. */
			struct am__arena_block *big = new_block(need);

			if (!big)
				return NULL;
			big->used = need;
			if (b) {
				big->next = b->next;
				b->next = big;
			} else {
				a->head = big;
			}
			a->used += need;
			return big->data;
		}
		b = new_block(a->block_size);
		if (!b)
			return NULL;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	a->used += need;
	return p;
}

void *am_arena_calloc(struct am_arena *a, size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		return NULL;
	p = am_arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *am_arena_strndup(struct am_arena *a, const char *s, size_t len)
{
	char *p = am_arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *am_arena_strdup(struct am_arena *a, const char *s)
{
	return am_arena_strndup(a, s, strlen(s));
}

void am_arena_release(struct am_arena *a)
{
	struct am__arena_block *b = a->head;

	while (b) {
		struct am__arena_block *next = b->next;

		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void am_arena_clear(struct am_arena *a)
{
	struct am__arena_block *keep = NULL, *b = a->head;

	/* Keep one ordinary-sized block; free the rest. */
	while (b) {
		struct am__arena_block *next = b->next;

		if (!keep && b->size == a->block_size) {
			keep = b;
			keep->next = NULL;
			keep->used = 0;
		} else {
			free(b);
		}
		b = next;
	}
	a->head = keep;
	a->used = 0;
}
