/* The registry's records as the domain knows them: the names of employer
 * kinds and relations, which reported names are not the registry's, and
 * each record's canonical JSON, which is the payload of its audit entry
 * and what a bulk import hashes. */
#include "core/internal.h"

#include "amanat/registry.h"
#include "amanat/text.h"

static const char *const relation_names[] = {
	[AM_RELATION_SPOUSE] = "spouse",
	[AM_RELATION_CHILD] = "child",
	[AM_RELATION_FATHER] = "father",
	[AM_RELATION_MOTHER] = "mother",
};

const char *am_relation_name(enum am_relation r)
{
	if ((unsigned)r >= AM_ARRAY_SIZE(relation_names))
		return NULL;
	return relation_names[r];
}

int am_relation_parse(const char *name, enum am_relation *out)
{
	for (size_t i = 0; name && i < AM_ARRAY_SIZE(relation_names); i++) {
		if (!strcmp(name, relation_names[i])) {
			*out = (enum am_relation)i;
			return 0;
		}
	}
	return AM_EINVALID_ARGUMENT;
}

static bool given(const char *s)
{
	return s && *s;
}

static unsigned name_differs(const char *reported, const char *registry,
			     unsigned bit)
{
	if (!given(reported) || !given(registry) ||
	    am_text_same_name(reported, registry))
		return 0;
	return bit;
}

unsigned am_names_differ(const struct am_names *reported,
			 const struct am_names *registry)
{
	return name_differs(reported->first_name, registry->first_name,
			    AM_NAME_FIRST) |
	       name_differs(reported->last_name, registry->last_name,
			    AM_NAME_LAST) |
	       name_differs(reported->father_name, registry->father_name,
			    AM_NAME_FATHER);
}

const char *am_name_key(unsigned bit)
{
	switch (bit) {
	case AM_NAME_FIRST:
		return "first_name";
	case AM_NAME_LAST:
		return "last_name";
	case AM_NAME_FATHER:
		return "father_name";
	default:
		return NULL;
	}
}

/* JSON members, each preceded by '{' or ','. NULL strings are null. */
/* No printf: a bulk import encodes every record it writes. */
static int json_key(struct am_buf *b, const char *key)
{
	int err = am_buf_addch(b, b->len ? ',' : '{');

	err = err ? err : am_buf_addch(b, '"');
	err = err ? err : am_buf_adds(b, key);
	return err ? err : am_buf_add(b, "\":", 2);
}

/* A JSON string: names and codes need no escape, so copy them whole. */
static int json_text(struct am_buf *b, const char *val)
{
	size_t len = 0;
	int err;

	while (val[len] && (unsigned char)val[len] >= 0x20 && val[len] != '"' &&
	       val[len] != '\\')
		len++;
	if (val[len])
		return am_buf_add_json_str(b, val, len + strlen(val + len));
	err = am_buf_addch(b, '"');
	err = err ? err : am_buf_add(b, val, len);
	return err ? err : am_buf_addch(b, '"');
}

static int json_str(struct am_buf *b, const char *key, const char *val)
{
	int err = json_key(b, key);

	if (err)
		return err;
	if (!val)
		return am_buf_adds(b, "null");
	return json_text(b, val);
}

static int json_int(struct am_buf *b, const char *key, int64_t val)
{
	char digits[24], *d = digits + sizeof(digits);
	uint64_t u = val < 0 ? 0 - (uint64_t)val : (uint64_t)val;
	int err = json_key(b, key);

	do
		*--d = (char)('0' + u % 10);
	while (u /= 10);
	if (val < 0)
		*--d = '-';
	return err ? err
		   : am_buf_add(b, d, (size_t)(digits + sizeof(digits) - d));
}

static int json_date(struct am_buf *b, const char *key, am_date d)
{
	if (d == AM_DATE_NONE)
		return json_str(b, key, NULL);
	return json_int(b, key, d);
}

static int json_bool(struct am_buf *b, const char *key, bool val)
{
	int err = json_key(b, key);

	return err ? err : am_buf_adds(b, val ? "true" : "false");
}

static int person_json(const struct am_person *p, struct am_buf *b)
{
	char sex[2] = { p->sex, '\0' };
	int err = json_str(b, "national_code", p->national_code);

	err = err ? err : json_str(b, "first_name", p->first_name);
	err = err ? err : json_str(b, "last_name", p->last_name);
	err = err ? err : json_str(b, "father_name", p->father_name);
	err = err ? err : json_date(b, "birth_date", p->birth_date);
	err = err ? err : json_str(b, "sex", sex);
	err = err ? err : json_str(b, "nationality", p->nationality);
	err = err ? err : json_str(b, "insurance_no", p->insurance_no);
	return err ? err : am_buf_addch(b, '}');
}

const char *am_employer_kind_name(enum am_employer_kind k)
{
	switch (k) {
	case AM_EMPLOYER_PERSON:
		return "person";
	case AM_EMPLOYER_LEGAL:
		return "legal";
	}
	return NULL;
}

int am_employer_kind_parse(const char *name, enum am_employer_kind *out)
{
	if (name && !strcmp(name, "person"))
		*out = AM_EMPLOYER_PERSON;
	else if (name && !strcmp(name, "legal"))
		*out = AM_EMPLOYER_LEGAL;
	else
		return AM_EINVALID_ARGUMENT;
	return 0;
}

static int employer_json(const struct am_employer *e, struct am_buf *b)
{
	int err = json_str(b, "id", e->id);

	err = err ? err : json_str(b, "kind", am_employer_kind_name(e->kind));
	err = err ? err : json_str(b, "name", e->name);
	err = err ? err : json_str(b, "address", e->address);
	err = err ? err : json_str(b, "phone", e->phone);
	return err ? err : am_buf_addch(b, '}');
}

static int workshop_json(const struct am_workshop *w, struct am_buf *b)
{
	int err = json_str(b, "code", w->code);

	err = err ? err : json_str(b, "name", w->name);
	err = err ? err : json_str(b, "employer_id", w->employer_id);
	err = err ? err : json_str(b, "address", w->address);
	err = err ? err : json_str(b, "province", w->province);
	err = err ? err : json_str(b, "branch", w->branch);
	err = err ? err : json_str(b, "activity", w->activity);
	err = err ? err : json_str(b, "scheme", w->scheme);
	err = err ? err : json_bool(b, "hard_harmful", w->hard_harmful);
	err = err ? err : json_bool(b, "small_exempt", w->small_exempt);
	return err ? err : am_buf_addch(b, '}');
}

static int dependant_json(const struct am_dependant *d, struct am_buf *b)
{
	int err = json_str(b, "main_insured", d->main_insured);

	err = err ? err : json_str(b, "dependant", d->dependant);
	err = err ? err
		  : json_str(b, "relation", am_relation_name(d->relation));
	err = err ? err : json_date(b, "since", d->since);
	err = err ? err : json_date(b, "until", d->until);
	return err ? err : am_buf_addch(b, '}');
}

/* The public encoders: b is emptied first. */
int am_person_json(const struct am_person *p, struct am_buf *b)
{
	am_buf_clear(b);
	return person_json(p, b);
}

int am_employer_json(const struct am_employer *e, struct am_buf *b)
{
	am_buf_clear(b);
	return employer_json(e, b);
}

int am_workshop_json(const struct am_workshop *w, struct am_buf *b)
{
	am_buf_clear(b);
	return workshop_json(w, b);
}

int am_dependant_json(const struct am_dependant *d, struct am_buf *b)
{
	am_buf_clear(b);
	return dependant_json(d, b);
}
