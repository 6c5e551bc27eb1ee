/* fuzz_wal2json — textplugin_decode over wal2json payloads, both formats.
 *
 * The first input byte is the control byte of fuzz_textplugin.h; its bit
 * 0 selects the format (0: format 1, 1: format 2). The rest are payloads
 * separated by NUL bytes: whole transactions in format 1, one record each
 * in format 2. */
#include "fuzz_textplugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum textplugin_kind kind =
	    data[0] & 1 ? TEXTPLUGIN_WAL2JSON_2 : TEXTPLUGIN_WAL2JSON_1;
	fuzz_textplugin(kind, data[0], data + 1, size - 1);
	return 0;
}
