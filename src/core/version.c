/* The library's version, set by the build from meson.build. */
#include "core/internal.h"

#include "amanat/version.h"

const char *am_version(void)
{
	return AM_VERSION;
}
