/*
 * cli_cat.c -- `contam cat FILE...`: print the documents contam reads
 * from corpus files, one JSON line each ({"file", "record", "text"},
 * with "member", "id" and "url" when the reader gives them), by the
 * rules of `contam index` (--text-field, --max-record).  A debugging
 * view: what a Parquet shard, a WARC file or a JSONL with a dotted
 * --text-field turns into before it is tokenized.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A JSON string: valid UTF-8 as it is, an invalid byte as U+FFFD. */
static void put_json(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	fputc('"', f);
	while (i < n) {
		unsigned c = p[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
			i++;
		} else if (c < 0x20) {
			if (c == '\n')
				fputs("\\n", f);
			else if (c == '\t')
				fputs("\\t", f);
			else if (c == '\r')
				fputs("\\r", f);
			else
				fprintf(f, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc((int)c, f);
			i++;
		} else {
			size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3
				     : c >= 0xc2 && c < 0xe0 ? 2 : 0;
			if (c >= 0xf5)
				len = 0;
			int ok = len && i + len <= n;
			for (size_t k = 1; ok && k < len; k++)
				ok = (p[i + k] & 0xc0) == 0x80;
			if (ok && len == 3) {
				unsigned cp = (c & 0x0f) << 12 | (p[i + 1] & 0x3f) << 6;
				ok = cp >= 0x800 && !(cp >= 0xd800 && cp < 0xe000);
			}
			if (ok && len == 4) {
				unsigned cp = (c & 0x07) << 18 | (p[i + 1] & 0x3f) << 12;
				ok = cp >= 0x10000 && cp < 0x110000;
			}
			if (ok) {
				fwrite(p + i, 1, len, f);
				i += len;
			} else {
				fputs("\xef\xbf\xbd", f);
				i++;
			}
		}
	}
	fputc('"', f);
}

static int on_doc(void *ctx, const contam_doc_info *d, const char *text,
		  size_t len, int cut)
{
	FILE *f = ctx;
	fputs("{\"file\":", f);
	put_json(f, d->path, strlen(d->path));
	if (d->member) {
		fputs(",\"member\":", f);
		put_json(f, d->member, strlen(d->member));
	}
	fprintf(f, ",\"record\":%" PRIu64, d->record);
	if (d->id) {
		fputs(",\"id\":", f);
		put_json(f, d->id, strlen(d->id));
	}
	if (d->url) {
		fputs(",\"url\":", f);
		put_json(f, d->url, strlen(d->url));
	}
	fputs(",\"text\":", f);
	put_json(f, text, len);
	if (cut)
		fputs(",\"cut\":true", f);
	fputs("}\n", f);
	return ferror(f) ? 1 : 0;
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

int cli_cat(int argc, char **argv)
{
	enum { OPT_TEXT_FIELD = 256, OPT_MAX_RECORD };
	static const struct option longopts[] = {
		{ "text-field", required_argument, NULL, OPT_TEXT_FIELD },
		{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *text_fields[CLI_MAX_TEXT_FIELDS];
	size_t ntext_fields = 0;
	contam_build_options bopt;
	int c;

	contam_build_options_init(&bopt);
	bopt.on_warning = warn_cb;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: contam cat [--text-field PATH]... [--max-record SIZE] FILE...\n\n"
			       "Print the documents contam reads from corpus files, one JSON line\n"
			       "each: {\"file\", \"record\", \"text\"}, with \"member\", \"id\" and \"url\"\n"
			       "when the reader gives them.  The files are read as 'contam index'\n"
			       "reads them (WARC/WET, JSONL, archives, text, MediaWiki, Parquet);\n"
			       "--text-field and --max-record as for index.  Invalid UTF-8 is\n"
			       "printed as U+FFFD.  For looking at what contam indexes.\n");
			return 0;
		case OPT_TEXT_FIELD:
			if (!optarg[0] || ntext_fields == CLI_MAX_TEXT_FIELDS)
				return cli_error(EXIT_USAGE, "--text-field wants a field name or path (at most %d of them), not '%s'",
						 CLI_MAX_TEXT_FIELDS, optarg);
			text_fields[ntext_fields++] = optarg;
			bopt.text_field = text_fields[0];
			bopt.text_fields = text_fields;
			bopt.ntext_fields = ntext_fields;
			break;
		case OPT_MAX_RECORD:
			if (!cli_parse_size(optarg, &bopt.max_record) || bopt.max_record < 1024)
				return cli_error(EXIT_USAGE, "--max-record wants a size such as 64M, not '%s'", optarg);
			break;
		default:
			return cli_error(EXIT_USAGE, "see 'contam cat --help'");
		}
	}
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "usage: contam cat [--text-field PATH]... FILE...");
	for (int i = optind; i < argc; i++) {
		contam_error err;
		if (contam_read_documents(argv[i], &bopt, on_doc, stdout, &err))
			return cli_error(EXIT_INPUT, "%s", err.msg);
	}
	if (fflush(stdout) != 0)
		return cli_error(EXIT_INPUT, "cannot write the output");
	return 0;
}
