/* amanat arenas: a request, a command or a batch allocates from one arena and
 * frees everything in one call. Model: PostgreSQL memory contexts. */
#ifndef AMANAT_ARENA_H
#define AMANAT_ARENA_H

#include <stddef.h>

struct am__arena_block;

struct am_arena {
	struct am__arena_block *head; /* current block, linked to older ones */
	size_t block_size;	      /* size of ordinary blocks */
	size_t used;		      /* bytes handed out, for statistics */
};

/* Set up an empty arena in caller memory. block_size 0 picks 64 KiB.
 * Allocates nothing until the first am_arena_alloc(). */
void am_arena_init(struct am_arena *a, size_t block_size);

/* Memory for n bytes aligned for any object, owned by the arena; NULL when
 * out of memory or when n is 0 (the arena is then unchanged). */
void *am_arena_alloc(struct am_arena *a, size_t n);
/* Same, zero-filled. */
void *am_arena_calloc(struct am_arena *a, size_t count, size_t size);
/* A NUL-terminated copy of s[0..len) in the arena; NULL when out of memory. */
char *am_arena_strndup(struct am_arena *a, const char *s, size_t len);
char *am_arena_strdup(struct am_arena *a, const char *s);

/* Free every block, keep the struct ready for reuse. */
void am_arena_release(struct am_arena *a);
/* Forget every allocation but keep the first block for reuse. */
void am_arena_clear(struct am_arena *a);

#endif
