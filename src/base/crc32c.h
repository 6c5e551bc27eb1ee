/* crc32c — CRC-32C (Castagnoli), the checksum of walhook's recordings:
 * the SSE4.2 instruction where the CPU has it, a table elsewhere. */
#ifndef WALHOOK_CRC32C_H
#define WALHOOK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc of what came before (0 to start), extended by len bytes of data. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
/* The same by the table alone: what a CPU without SSE4.2 computes. */
uint32_t crc32c_table(uint32_t crc, const void *data, size_t len);

#endif
