/* fuzz_test_decoding — textplugin_decode over test_decoding lines.
 *
 * The first input byte is the control byte of fuzz_textplugin.h (bit 0
 * unused); the rest are payloads, one line each ("BEGIN 742", "table
 * public.t: INSERT: ...", "COMMIT 742 ..."), separated by NUL bytes. */
#include "fuzz_textplugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_textplugin(TEXTPLUGIN_TEST_DECODING, data[0], data + 1, size - 1);
	return 0;
}
