/* Internals of amanat generate: the Persian tables the synthetic country is
 * drawn from (names, provinces, activities, streets, company words). */
#ifndef AMANAT_APP_GEN_INT_H
#define AMANAT_APP_GEN_INT_H

#include <stddef.h>

/* Zero-width non-joiner, where Persian writes it («علی‌اکبر»). */
#define GEN_ZWNJ "\u200c"

struct am__gen_province {
	const char *name;    /* «لرستان» */
	const char *capital; /* «خرم‌آباد» */
	unsigned weight;     /* population at the 1395 census, in 10,000s */
};

struct am__gen_activity {
	const char *name; /* the registry's activity */
	const char *shop; /* a small workshop's name: «نانوایی» + surname */
	const char *corp;     /* a company's: «شرکت» + corp + brand */
	unsigned weight;      /* share of workshops */
	unsigned hh_permille; /* workshops of it that are hard and harmful */
	unsigned industrial;  /* 1: sits in an industrial estate */
	const char *jobs[6];  /* occupations (DSW_OCP), NULL-terminated */
};

struct am__gen_table {
	const char *const *items;
	size_t n;
};

extern const struct am__gen_table am__gen_male, am__gen_female, am__gen_last,
	am__gen_streets, am__gen_brands, am__gen_office_jobs;
extern const struct am__gen_province am__gen_provinces[];
extern const size_t am__gen_nprovinces;
extern const struct am__gen_activity am__gen_activities[];
extern const size_t am__gen_nactivities;

#endif
