/* fuzz_decoderbufs — textplugin_decode over decoderbufs' RowMessages.
 *
 * The first input byte is the control byte of fuzz_textplugin.h (bit 0
 * unused); the rest are payloads, each after its length as two bytes,
 * big-endian (protocol buffers hold NUL bytes, so they cannot separate
 * payloads as in the text plugins' targets); a length past the input's
 * end takes what is left. */
#include "fuzz_textplugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct textplugin d;
	struct fuzz_tp t = { .fail_at = data[0] >> 1 };
	uint64_t lsn = 0x1000000;
	textplugin_init(&d, TEXTPLUGIN_DECODERBUFS);
	data++;
	size--;
	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		/* its own block, so a read past its end is caught */
		uint8_t *payload = malloc(len ? len : 1);
		memcpy(payload, data, len);
		struct err e = { 0 };
		if (textplugin_decode(&d, payload, len, lsn, fuzz_tp_event, &t,
				      &e) < 0) {
			fuzz_check_err(e.msg, sizeof e.msg);
			textplugin_reset(&d);
		}
		free(payload);
		lsn += len + 2;
		data += len;
		size -= len;
	}
	textplugin_free(&d);
	return 0;
}
