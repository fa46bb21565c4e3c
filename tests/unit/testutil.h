/*
 * testutil.h -- a minimal test harness for the unit tests.
 *
 * CHECK(cond) records a failure with file:line and goes on; the program
 * exits 1 if any check failed.  TEST_MAIN prints "N passed, N failed" so
 * that both meson and a human see the count.  A test that checks nothing
 * fails: every unit test must assert something.
 */
#ifndef CONTAM_TESTUTIL_H
#define CONTAM_TESTUTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tu_passed, tu_failed;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (cond) {                                                \
			tu_passed++;                                       \
		} else {                                                   \
			tu_failed++;                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #cond);                \
		}                                                          \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                 \
	do {                                                               \
		uint64_t tu_a = (uint64_t)(a), tu_b = (uint64_t)(b);       \
		if (tu_a == tu_b) {                                        \
			tu_passed++;                                       \
		} else {                                                   \
			tu_failed++;                                       \
			fprintf(stderr, "%s:%d: %s == %s: %" PRIu64        \
				" != %" PRIu64 "\n", __FILE__, __LINE__,   \
				#a, #b, tu_a, tu_b);                       \
		}                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *tu_a = (a), *tu_b = (b);                       \
		if (tu_a && tu_b && strcmp(tu_a, tu_b) == 0) {             \
			tu_passed++;                                       \
		} else {                                                   \
			tu_failed++;                                       \
			fprintf(stderr, "%s:%d: %s == %s: '%s' != '%s'\n", \
				__FILE__, __LINE__, #a, #b,                \
				tu_a ? tu_a : "(null)",                    \
				tu_b ? tu_b : "(null)");                   \
		}                                                          \
	} while (0)

static inline int tu_finish(const char *name)
{
	if (tu_passed + tu_failed == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	printf("%s: %d passed, %d failed\n", name, tu_passed, tu_failed);
	return tu_failed ? 1 : 0;
}

/* Directory of test data files, passed by meson as argv[1] or env. */
static inline const char *tu_datadir(int argc, char **argv)
{
	if (argc > 1)
		return argv[1];
	const char *d = getenv("CONTAM_TEST_DATA");
	return d ? d : "testdata";
}

/* A scratch directory for a test program's files (each program makes it
 * with mkdtemp): tu_path() names a file in it (the last 8 results stay
 * valid), tu_write_file() writes one, checking that it could. */
static char tu_tmpdir[256];

static inline const char *tu_path(const char *name)
{
	static char buf[8][1024];
	static int slot;
	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof buf[slot], "%s/%s", tu_tmpdir, name);
	return buf[slot];
}

static inline void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

#endif
