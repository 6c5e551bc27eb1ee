#include "base/crc32c.h"

#include <pthread.h>
#include <string.h>

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[i] = c;
	}
}

uint32_t crc32c_table(uint32_t crc, const void *data, size_t len)
{
	pthread_once(&table_once, make_table);
	const uint8_t *p = data;
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
crc32c_sse42(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t c = ~crc;
	/* Unaligned words cost x86 nothing extra: no byte steps first. */
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
	}
	for (; len; len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	/* Asked once; threads that ask at once agree on the answer. */
	static int has_sse42 = -1;
	int has = __atomic_load_n(&has_sse42, __ATOMIC_RELAXED);
	if (has < 0) {
		has = __builtin_cpu_supports("sse4.2") ? 1 : 0;
		__atomic_store_n(&has_sse42, has, __ATOMIC_RELAXED);
	}
	return has ? crc32c_sse42(crc, data, len)
		   : crc32c_table(crc, data, len);
}
#else
uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	return crc32c_table(crc, data, len);
}
#endif
