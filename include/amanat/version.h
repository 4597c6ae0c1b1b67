/* amanat's version. */
#ifndef AMANAT_VERSION_H
#define AMANAT_VERSION_H

/* The library's version, "0.1.0". */
const char *am_version(void);

#endif
