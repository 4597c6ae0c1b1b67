/* The rules layer's private parts: the body of struct am_rules, shared by
 * the loader (which fills it), the layering, the lookups and the identity
 * hash. */
#ifndef AMANAT_RULES_INT_H
#define AMANAT_RULES_INT_H

#include "amanat/rules.h"

/* The largest rule file read, so hostile input cannot take all memory. */
#define AM_RULES_FILE_MAX ((size_t)4 << 20)

/* A parameter read by am_rules_add_text(), waiting for am_rules_finish(). */
struct am__pending {
	struct am_param param;
	size_t seq; /* order of reading, to name the first of two duplicates */
	unsigned layer; /* the folder it came from (am_rules_add_layer()) */
	struct am__pending *next;
};

struct am_rules {
	struct am_arena arena; /* everything the set holds lives here */
	struct am__pending *pending, **pending_tail;
	size_t npending;
	struct am_param *params; /* sorted by name, after am_rules_finish() */
	size_t nparams;
	/* The layers' names (in arena, NULL when unnamed); nlayers is 0
	 * until a layer is added or a text read into the first. */
	const char *layers[AM_RULES_LAYERS_MAX];
	size_t nlayers;
	int err;       /* first error of any am_rules_add_text(); sticky */
	bool finished; /* am_rules_finish() succeeded: lookups may run */
	bool closed;   /* am_rules_finish() was called, with any result */
	char identity[65];
};

/* Hash r->params (sorted, finished) into r->identity. AM_ENOMEM when the
 * hash cannot start. */
int am__rules_compute_identity(struct am_rules *r);

/* Lay the parameters of one name over one another (layers.c): group[0..n)
 * is in order of layer and holds one entry per layer (duplicates within a
 * layer are left out). Each later entry is checked against what the layers
 * before give and, when it fits, its values are added. *out is the merged
 * parameter, its values in r's arena. Returns 0, or the first problem
 * (each one added to diags), or AM_ENOMEM. */
int am__rules_merge(struct am_rules *r, const struct am__pending *const *group,
		    size_t n, struct am_param *out, struct am_diags *diags);

#endif
