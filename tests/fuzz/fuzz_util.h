/*
 * fuzz_util.h -- what the libFuzzer targets share: the entry point's
 * prototype and a scratch file to hand the input to readers that take a
 * path.
 *
 * The readers open files by name (the name picks the format), so each
 * input is written to a file in /dev/shm (or $CONTAM_FUZZ_TMPDIR, or
 * /tmp) whose name ends in the suffix the target wants.  The file is created once per process and rewritten for
 * every input (truncate + write), which costs a few microseconds and no
 * directory churn; it is removed at exit.
 */
#ifndef CONTAM_FUZZ_UTIL_H
#define CONTAM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FILES 8

typedef struct fuzz_file {
	char path[256];
	int fd;
} fuzz_file;

static fuzz_file fuzz_files[FUZZ_MAX_FILES];
static int fuzz_nfiles;

static inline void fuzz_cleanup(void)
{
	for (int i = 0; i < fuzz_nfiles; i++) {
		close(fuzz_files[i].fd);
		unlink(fuzz_files[i].path);
	}
	fuzz_nfiles = 0;
}

/* Write data to the scratch file for `suffix` (e.g. ".warc") and return
 * its path; aborts if the file cannot be written (a broken harness must
 * not look like a clean run). */
static inline const char *fuzz_write(const char *suffix, const void *data, size_t size)
{
	fuzz_file *f = NULL;
	for (int i = 0; i < fuzz_nfiles; i++) {
		size_t n = strlen(fuzz_files[i].path), k = strlen(suffix);
		if (n >= k && strcmp(fuzz_files[i].path + n - k, suffix) == 0)
			f = &fuzz_files[i];
	}
	if (!f) {
		if (fuzz_nfiles == FUZZ_MAX_FILES)
			abort();
		f = &fuzz_files[fuzz_nfiles];
		/* tmpfs when there is one: rewriting a file on ext4 thousands
		 * of times a second stalls on writeback (auto_da_alloc) */
		const char *dir = getenv("CONTAM_FUZZ_TMPDIR");
		if (!dir || !dir[0])
			dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(f->path, sizeof f->path, "%s/contam-fuzz-XXXXXX%s", dir,
			 suffix);
		f->fd = mkstemps(f->path, (int)strlen(suffix));
		if (f->fd < 0) {
			perror("fuzz_write: mkstemps");
			abort();
		}
		if (fuzz_nfiles++ == 0)
			atexit(fuzz_cleanup);
	}
	if (ftruncate(f->fd, 0) != 0)
		abort();
	const char *p = data;
	size_t left = size;
	off_t off = 0;
	while (left) {
		ssize_t w = pwrite(f->fd, p, left, off);
		if (w <= 0)
			abort();
		p += w;
		off += w;
		left -= (size_t)w;
	}
	return f->path;
}

#endif
