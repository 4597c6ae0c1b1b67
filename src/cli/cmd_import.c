/* amanat import registry|history|wages|payments: batches that read files,
 * refuse what is wrong with the file, row and field, and write the rest. */
#include <string.h>

#include "cli.h"

/* Print every diagnostic (text on stderr) or add them to a JSON array. */
static void report_diags(struct cli *cli, const struct am_diags *ds,
			 struct am_buf *json)
{
	struct am_buf b;

	am_buf_init(&b, 0);
	for (size_t i = 0; i < ds->nr; i++) {
		if (json) {
			if (i)
				am_buf_addch(json, ',');
			am_diag_json(&ds->items[i], json);
			continue;
		}
		am_buf_clear(&b);
		am_diag_format(&ds->items[i], cli->lang, &b);
		fprintf(stderr, "%s\n", b.buf);
	}
	if (!json && ds->dropped)
		fprintf(stderr,
			cli->lang == AM_LANG_FA
				? "… و %zu خطای دیگر که نشان داده نشد\n"
				: "… and %zu more errors not shown\n",
			ds->dropped);
	am_buf_release(&b);
}

int cmd_import_registry(struct cli *cli, int argc, char **argv)
{
	struct am_import_stats st;
	struct am_store *s = NULL;
	struct am_diags ds;
	bool refused = false;
	int err;

	if (argc < 1)
		return cli_usage(cli, "import registry",
				 "expected one or more files");
	memset(&st, 0, sizeof(st));
	am_diags_init(&ds, 0);
	err = am_store_open_flags(cli->db_path, AM_STORE_OPEN_NOCREATE, &s);
	if (err) {
		am_diags_release(&ds);
		return cli_fail(cli, err, cli->db_path);
	}
	am_store_set_actor(s, "cli:import-registry");
	for (int i = 0; i < argc; i++) {
		err = am_import_registry(s, argv[i], &st, &ds);
		if (err == AM_EINVALID_ARGUMENT) {
			refused = true;
			continue;
		}
		if (err) {
			if (!ds.nr)
				am_diags_add(&ds, err, argv[i], 0, NULL,
					     am_store_errmsg(s), NULL);
			refused = true;
			break;
		}
	}
	am_store_close(s);
	if (cli->json) {
		struct am_buf b;

		am_buf_init(&b, 0);
		am_buf_addf(&b,
			    "{\"files\":%zu,\"records\":%zu,\"accepted\":%zu,"
			    "\"refused\":%zu,\"persons\":%zu,\"employers\":%zu,"
			    "\"workshops\":%zu,\"dependants\":%zu,\"errors\":[",
			    st.files, st.records, st.accepted, st.refused,
			    st.persons, st.employers, st.workshops,
			    st.dependants);
		report_diags(cli, &ds, &b);
		am_buf_adds(&b, "]}");
		cli_emit(&b);
		am_buf_release(&b);
	} else {
		report_diags(cli, &ds, NULL);
		printf(cli->lang == AM_LANG_FA
			       ? "%zu فایل، %zu سطر خوانده شد، %zu ثبت شد "
				 "(%zu شخص، %zu کارفرما، %zu کارگاه، %zu فرد تحت تکفل)%s\n"
			       : "%zu files, %zu rows read, %zu written "
				 "(%zu persons, %zu employers, %zu workshops, "
				 "%zu dependants)%s\n",
		       st.files, st.records, st.accepted, st.persons,
		       st.employers, st.workshops, st.dependants,
		       refused ? (cli->lang == AM_LANG_FA
					  ? "؛ فایل‌های دارای خطا پذیرفته نشد"
					  : "; files with errors were refused")
			       : "");
	}
	am_diags_release(&ds);
	return refused ? CLI_REFUSED : CLI_OK;
}
