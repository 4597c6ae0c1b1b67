/* Functions amanat code must not call: unbounded copies, locale-dependent or
 * unchecked conversions, non-reentrant tokenisers. Included by every source
 * file through core/internal.h; using one is a compile error. Model: git's
 * banned.h. */
#ifndef AMANAT_CORE_BANNED_H
#define AMANAT_CORE_BANNED_H

#define AM_BANNED(func) sorry_##func##_is_banned_in_amanat

#undef strcpy
#define strcpy(x, y) AM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) AM_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) AM_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) AM_BANNED(strncat)
#undef sprintf
#define sprintf(...) AM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) AM_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) AM_BANNED(strtok)
#undef atoi
#define atoi(x) AM_BANNED(atoi)
#undef atol
#define atol(x) AM_BANNED(atol)
#undef atoll
#define atoll(x) AM_BANNED(atoll)
#undef atof
#define atof(x) AM_BANNED(atof)
#undef gets
#define gets(x) AM_BANNED(gets)
#undef gmtime
#define gmtime(x) AM_BANNED(gmtime)
#undef localtime
#define localtime(x) AM_BANNED(localtime)

#endif
