/*
 * winnow.c -- winnowing of n-gram hashes, for smaller indexes.
 *
 * How it works.  A ring holds the last w hashes of the document.  After
 * each push the window is the last w n-grams; we scan it for the minimum
 * (rightmost on ties) -- w is small (<= 64), so a scan beats a deque --
 * and keep it if its position differs from the position kept last.
 * Windows overlap, so consecutive windows usually share their minimum and
 * only about 2/(w+1) of the positions are ever kept.
 */
#include "winnow.h"

void cwinnow_init(cwinnow *s, uint32_t w)
{
	memset(s, 0, sizeof(*s));
	s->w = w < 1 ? 1 : (w > CWINNOW_MAX ? CWINNOW_MAX : w);
	s->last_kept = UINT64_MAX;
}

void cwinnow_reset(cwinnow *s)
{
	s->count = 0;
	s->last_kept = UINT64_MAX;
}

int cwinnow_push(cwinnow *s, uint64_t hash, uint64_t *kept)
{
	const uint32_t w = s->w;
	s->ring[s->count % w] = hash;
	s->count++;
	if (s->count < w)
		return 0;
	/* window: positions count-w .. count-1 */
	uint64_t best_pos = s->count - w, best = s->ring[best_pos % w];
	for (uint64_t p = s->count - w + 1; p < s->count; p++) {
		uint64_t h = s->ring[p % w];
		if (h <= best) {
			best = h;
			best_pos = p;
		}
	}
	if (best_pos == s->last_kept)
		return 0;
	s->last_kept = best_pos;
	*kept = best;
	return 1;
}

int cwinnow_finish(cwinnow *s, uint64_t *kept)
{
	if (s->count == 0 || s->count >= s->w)
		return 0;
	uint64_t best = s->ring[0];
	for (uint64_t p = 1; p < s->count; p++)
		if (s->ring[p] <= best)
			best = s->ring[p];
	*kept = best;
	return 1;
}

void cwinnow_fill_hits(unsigned char *hit, size_t g, uint32_t w)
{
	size_t prev = SIZE_MAX;
	for (size_t i = 0; i < g; i++) {
		if (!hit[i])
			continue;
		if (prev != SIZE_MAX && i - prev <= w)
			for (size_t j = prev + 1; j < i; j++)
				hit[j] = 1;
		prev = i;
	}
}
