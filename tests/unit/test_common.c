/*
 * test_common.c -- buffers, JSON string escaping, byte order helpers.
 */
#include "common/common.h"
#include "common/run.h"
#include "testutil.h"

#include <stdlib.h>

static void test_cbuf(void)
{
	cbuf b = CBUF_INIT;
	int ok = 1;
	for (int i = 0; i < 10000; i++)
		ok &= cbuf_putc(&b, (char)('a' + i % 26)) == CONTAM_OK;
	CHECK(ok);
	CHECK_EQ_U64(b.len, 10000);
	CHECK(b.data[10000] == '\0');
	cbuf_reset(&b);
	cbuf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "42-x");
	size_t n;
	char *p = cbuf_detach(&b, &n);
	CHECK_STR(p, "42-x");
	CHECK_EQ_U64(n, 4);
	CHECK(b.data == NULL && b.len == 0);
	free(p);
}

static void test_json_string(void)
{
	cbuf b = CBUF_INIT;
	const char in[] = "a\"b\\c\n\t\x01 \xC3\xA9 \xFF end";
	cbuf_json_string(&b, in, sizeof(in) - 1);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001 \xC3\xA9 \xEF\xBF\xBD end\"");
	cbuf_release(&b);
	/* overlong and surrogate encodings are replaced, not passed on */
	cbuf_json_string(&b, "\xC0\xAF\xED\xA0\x80", 5);
	CHECK_STR(b.data, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	cbuf_release(&b);
}

static void test_le(void)
{
	unsigned char buf[8];
	put_le64(buf, 0x0102030405060708ULL);
	CHECK(buf[0] == 8 && buf[7] == 1);
	CHECK_EQ_U64(get_le64(buf), 0x0102030405060708ULL);
	put_le32(buf, 0xA1B2C3D4u);
	CHECK(buf[0] == 0xD4 && buf[3] == 0xA1);
	CHECK_EQ_U64(get_le32(buf), 0xA1B2C3D4u);
}

static void test_misc(void)
{
	CHECK(cends_with("x.WARC.GZ", ".warc.gz"));
	CHECK(!cends_with("gz", ".warc.gz"));
	cerr e;
	cerr_clear(&e);
	CHECK(cerr_set(&e, CONTAM_E_IO, "cannot open '%s'", "x") == CONTAM_E_IO);
	CHECK_STR(e.msg, "cannot open 'x'");
	CHECK_STR(contam_strerror(CONTAM_E_CORRUPT), "corrupt data");
	CHECK(CONTAM_E_NOMEM == -1 && CONTAM_E_INTERRUPTED == -7);
}

/* A library call's thread count reaches regions that ask crun_threads(0)
 * (the index file writer, the sizing sample, the statistics), and the
 * caller's default team is put back after the call. */
static void test_team(void)
{
	const int before = crun_threads(0);
	for (int want = 1; want <= 3; want++) {
		int saved = crun_team_enter(want);
		CHECK_EQ_U64((uint64_t)crun_threads(0), (uint64_t)want);
		int team = 0;
		#pragma omp parallel num_threads(crun_threads(0))
		{
			#pragma omp atomic
			team++;
		}
#ifdef _OPENMP
		CHECK_EQ_U64((uint64_t)team, (uint64_t)want);
#else
		CHECK_EQ_U64((uint64_t)team, 1);
#endif
		crun_team_leave(saved);
		CHECK_EQ_U64((uint64_t)crun_threads(0), (uint64_t)before);
	}
	/* 0: the caller's default, unchanged */
	int saved = crun_team_enter(0);
	CHECK_EQ_U64((uint64_t)crun_threads(0), (uint64_t)before);
	crun_team_leave(saved);
}

int main(void)
{
	test_team();
	test_cbuf();
	test_json_string();
	test_le();
	test_misc();
	return tu_finish("common");
}
