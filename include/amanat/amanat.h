/* amanat: the public C API of the social-insurance administration library.
 * The CLI and the server use nothing but these headers. */
#ifndef AMANAT_AMANAT_H
#define AMANAT_AMANAT_H

#include "amanat/app.h"
#include "amanat/arena.h"
#include "amanat/assess.h"
#include "amanat/buf.h"
#include "amanat/csv.h"
#include "amanat/date.h"
#include "amanat/error.h"
#include "amanat/formats.h"
#include "amanat/generate.h"
#include "amanat/history.h"
#include "amanat/ident.h"
#include "amanat/money.h"
#include "amanat/posting.h"
#include "amanat/progress.h"
#include "amanat/registry.h"
#include "amanat/rows.h"
#include "amanat/rules.h"
#include "amanat/store.h"
#include "amanat/text.h"
#include "amanat/version.h"
#include "amanat/views.h"
#include "amanat/wagelist.h"

#endif
