/* Nationalities as Iranian files write them («ایرانی») and as the registry
 * keeps them (ISO 3166 alpha-3), both ways. */
#include "core/internal.h"

#include "amanat/ident.h"

static const char *const nationalities[][2] = {
	{ "IRN", "ایرانی" },
	{ "AFG", "افغانستانی" },
	{ "IRQ", "عراقی" },
	{ "PAK", "پاکستانی" },
};

const char *am_nationality_iso(const char *word)
{
	if (!word)
		return NULL;
	for (size_t i = 0; i < AM_ARRAY_SIZE(nationalities); i++)
		if (!strcmp(word, nationalities[i][1]))
			return nationalities[i][0];
	if (!strcmp(word, "افغان"))
		return "AFG";
	return NULL;
}

const char *am_nationality_word(const char *iso)
{
	if (!iso)
		return NULL;
	for (size_t i = 0; i < AM_ARRAY_SIZE(nationalities); i++)
		if (!strcmp(iso, nationalities[i][0]))
			return nationalities[i][1];
	return NULL;
}
