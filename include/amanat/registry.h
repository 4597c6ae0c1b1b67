/* amanat registry: the records of insured persons, employers, their
 * workshops and dependants, as every layer above the domain sees them;
 * their names and the canonical JSON of a record. No I/O. */
#ifndef AMANAT_REGISTRY_H
#define AMANAT_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "amanat/buf.h"
#include "amanat/date.h"

/*
 * Strings are normalised UTF-8 (am_text_normalize()). Optional strings may
 * be NULL; an optional date is AM_DATE_NONE. created_at and updated_at are
 * set by the store that keeps the record.
 */

struct am_person {
	const char *national_code; /* 10 digits: the key */
	const char *first_name;
	const char *last_name;
	const char *father_name;  /* optional */
	am_date birth_date;	  /* optional */
	char sex;		  /* 'M' or 'F' */
	const char *nationality;  /* optional; ISO 3166 alpha-3, "IRN" */
	const char *insurance_no; /* optional; 8 or 10 digits */
	int64_t created_at;	  /* unix seconds; set by the store */
	int64_t updated_at;	  /* unix seconds; set by the store */
};

/* A person's three names as a wage line or the registry gives them (each
 * may be NULL), and which of them differ: one bit a name. */
struct am_names {
	const char *first_name;
	const char *last_name;
	const char *father_name;
};

enum {
	AM_NAME_FIRST = 1 << 0,
	AM_NAME_LAST = 1 << 1,
	AM_NAME_FATHER = 1 << 2,
};

/* The names an employer reported that are not the registry's: the AM_NAME_
 * bits of those given on both sides (neither NULL nor empty) that are not
 * the same name (am_text_same_name(): not for a yeh typed on an Arabic
 * keyboard, a space for a ZWNJ). A name given on one side only is not
 * counted: the other says nothing against it. */
unsigned am_names_differ(const struct am_names *reported,
			 const struct am_names *registry);

/* "first_name", "last_name", "father_name" for one AM_NAME_ bit (the keys
 * of the JSON); NULL for another value. */
const char *am_name_key(unsigned bit);

enum am_employer_kind {
	AM_EMPLOYER_PERSON = 0, /* a natural person: id is a national code */
	AM_EMPLOYER_LEGAL,	/* a legal entity: id is an 11-digit legal id */
};

/* "person", "legal"; NULL for an unknown value. */
const char *am_employer_kind_name(enum am_employer_kind k);
int am_employer_kind_parse(const char *name, enum am_employer_kind *out);

struct am_employer {
	const char *id; /* national code (10) or legal id (11): the key */
	enum am_employer_kind kind;
	const char *name;
	const char *address; /* optional */
	const char *phone;   /* optional */
	int64_t created_at;
	int64_t updated_at;
};

struct am_workshop {
	const char *code; /* 10 digits: the key */
	const char *name;
	const char *employer_id; /* must exist in employers; NULL while not
				  * known (registered from a wage list) */
	const char *address;	 /* optional */
	const char *province;	 /* optional: province code */
	const char *branch;	 /* optional: SSO branch code */
	const char *activity;	 /* optional: activity (ISIC) code */
	const char *scheme;	 /* optional: contribution scheme name */
	bool hard_harmful;	 /* hard and harmful work */
	bool small_exempt;	 /* small-workshop employer share exemption */
	int64_t created_at;
	int64_t updated_at;
};

enum am_relation {
	AM_RELATION_SPOUSE = 0,
	AM_RELATION_CHILD,
	AM_RELATION_FATHER,
	AM_RELATION_MOTHER,
};
/* "spouse", "child", "father", "mother"; NULL for an unknown value. */
const char *am_relation_name(enum am_relation r);
/* 0, or AM_EINVALID_ARGUMENT (*out unchanged). */
int am_relation_parse(const char *name, enum am_relation *out);

struct am_dependant {
	const char *main_insured; /* national code, must exist in persons */
	const char *dependant;	  /* national code, must exist in persons */
	enum am_relation relation;
	am_date since;
	am_date until; /* optional: AM_DATE_NONE while it lasts */
	int64_t created_at;
	int64_t updated_at;
};

/*
 * A registry record as the payload of its per-record audit entry
 * ("person.put", …) encodes it: a JSON object, the fields in the order of
 * the struct, NULL strings as null, dates as day numbers (null when none),
 * the sex as "M" or "F", the kind and relation by name. b is emptied
 * first. A bulk import hashes these (docs/storage.md, "Registry bulk
 * load"). AM_ENOMEM, or AM_ETOO_LONG past b's cap.
 */
int am_person_json(const struct am_person *p, struct am_buf *b);
int am_employer_json(const struct am_employer *e, struct am_buf *b);
int am_workshop_json(const struct am_workshop *w, struct am_buf *b);
int am_dependant_json(const struct am_dependant *d, struct am_buf *b);

#endif
