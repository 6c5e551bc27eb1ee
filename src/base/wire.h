/* wire — a bounds-checked reader of big-endian protocol fields.
 *
 * A read past the end never touches memory: it sets r->bad and returns
 * zeroes, so a decoder reads a whole message and checks once. Strings are
 * views into the buffer, valid while the buffer is. */
#ifndef WALHOOK_WIRE_H
#define WALHOOK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static inline struct wire wire_init(const void *p, size_t len)
{
	return (struct wire){ .p = p, .len = len };
}

static inline bool wire_need(struct wire *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static inline uint8_t wire_u8(struct wire *r)
{
	return wire_need(r, 1) ? r->p[r->off++] : 0;
}

static inline uint16_t wire_u16(struct wire *r)
{
	if (!wire_need(r, 2))
		return 0;
	const uint8_t *p = r->p + r->off;
	r->off += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t wire_u32(struct wire *r)
{
	if (!wire_need(r, 4))
		return 0;
	const uint8_t *p = r->p + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t wire_u64(struct wire *r)
{
	if (!wire_need(r, 8))
		return 0;
	uint64_t hi = wire_u32(r);
	return hi << 32 | wire_u32(r);
}

/* A NUL-terminated string; the NUL must lie inside the buffer. */
static inline const char *wire_str(struct wire *r)
{
	if (r->bad)
		return "";
	const uint8_t *start = r->p + r->off;
	const uint8_t *nul = memchr(start, '\0', r->len - r->off);
	if (!nul) {
		r->bad = true;
		return "";
	}
	r->off += (size_t)(nul - start) + 1;
	return (const char *)start;
}

static inline const uint8_t *wire_bytes(struct wire *r, size_t n)
{
	if (!wire_need(r, n))
		return NULL;
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static inline bool wire_done(const struct wire *r)
{
	return !r->bad && r->off == r->len;
}

static inline void wire_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
