/* The generated error table (errtable.c), private to core/error.c. */
#ifndef AMANAT_CORE_ERROR_TABLE_H
#define AMANAT_CORE_ERROR_TABLE_H

struct am__error_entry {
	int code;
	int http;
	const char *id;
	const char *fa;
	const char *en;
};

extern const struct am__error_entry am__error_table[];
extern const unsigned am__error_table_len;

#endif
