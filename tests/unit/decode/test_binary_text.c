/* Unit tests for binary_text.c: strings, bytea, uuid, json, jsonb and
 * jsonpath, xml, tsvector and tsquery. binary_check.h says where the
 * vectors are from. */
#include "binary_check.h"
#include "check_run.h"

static const struct vector vectors[] = {
	{ 25, "text", "", "" },
	{ 25, "text", "68656c6c6f", "hello" },
	{ 25, "text", "68c3a96c6c6f2077c3b6726c64",
	  "h\303\251llo w\303\266rld" },
	{ 25, "text", "7461620968657265", "tab\011here" },
	{ 25, "text", "71756f746527226261636b5c736c617368",
	  "quote'\"back\\slash" },
	{ 25, "text", "4e554c4c", "NULL" },
	{ 1043, "varchar(20)", "616263", "abc" },
	{ 1043, "varchar(20)", "", "" },
	{ 1042, "char(5)", "6162202020", "ab   " },
	{ 1042, "char(5)", "6162636465", "abcde" },
	{ 19, "name", "70675f636c617373", "pg_class" },
	{ 19, "name", "", "" },
	{ 17, "bytea", "", "\\x" },
	{ 17, "bytea", "00ff10", "\\x00ff10" },
	{ 17, "bytea", "deadbeef0102", "\\xdeadbeef0102" },
	{ 17, "bytea", "616263", "\\x616263" },
	{ 2950, "uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
	  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" },
	{ 2950, "uuid", "00000000000000000000000000000000",
	  "00000000-0000-0000-0000-000000000000" },
	{ 2950, "uuid", "ffffffffffffffffffffffffffffffff",
	  "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	{ 114, "json", "7b20226122203a2031207d", "{ \"a\" : 1 }" },
	{ 114, "json", "5b5d", "[]" },
	{ 114, "json", "227822", "\"x\"" },
	{ 3802, "jsonb",
	  "017b2261223a20747275652c202262223a205b312c20322e35302c206e756c6c2c202278225d7d",
	  "{\"a\": true, \"b\": [1, 2.50, null, \"x\"]}" },
	{ 3802, "jsonb", "015b5d", "[]" },
	{ 3802, "jsonb", "012278207922", "\"x y\"" },
	{ 3802, "jsonb", "016e756c6c", "null" },
	{ 3802, "jsonb", "017b226b223a2022c3a95c6e227d",
	  "{\"k\": \"\303\251\\n\"}" },
	{ 4072, "jsonpath", "01242e2261225b2a5d3f2840203e203129",
	  "$.\"a\"[*]?(@ > 1)" },
	{ 142, "xml", "3c613e783c2f613e", "<a>x</a>" },
	/* tsvector */
	{ 3614, "tsvector",
	  "00000008610000006261636b5c736c617368000000636174000002c00180026661740000006974277300000100066f6e000001400473617400000100037370206163650000010007",
	  "'a' 'back\\\\slash' 'cat':1A,2B 'fat' 'it''s':6 'on':4C 'sat':3 'sp ace':7" },
	{ 3614, "tsvector", "00000000", "" },
	{ 3614, "tsvector", "000000026100000300010002000362000000",
	  "'a':1,2,3 'b'" },
	{ 3614, "tsvector", "0000000178000001ffff", "'x':16383A" },
	{ 3614, "tsvector", "00000001c3bc6ec3af0000010005",
	  "'\xc3\xbcn\xc3\xaf':5" },
	/* tsquery */
	{ 3615, "tsquery",
	  "0000000a020202040002010c006974277300020400010100016d61740002030201010000636174000100007261740001000066617400",
	  "'fat' & ( 'rat' | !'cat' ) <-> 'mat':* <2> 'it''s':AB" },
	{ 3615, "tsquery", "0000000202010100006100", "!'a'" },
	{ 3615, "tsquery", "0000000502030202010000630001000062000100006100",
	  "'a' | 'b' & 'c'" },
	{ 3615, "tsquery", "0000000502020100006300020301000062000100006100",
	  "( 'a' | 'b' ) & 'c'" },
	{ 3615, "tsquery", "000000040201020201000062000100006100",
	  "!( 'a' & 'b' )" },
	{ 3615, "tsquery",
	  "000000050204000101000063000204000101000062000100006100",
	  "'a' <-> 'b' <-> 'c'" },
	{ 3615, "tsquery",
	  "000000050204000102040001010000630001000062000100006100",
	  "'a' <-> ( 'b' <-> 'c' )" },
	{ 3615, "tsquery", "000000030204000301000062000100006100",
	  "'a' <3> 'b'" },
	{ 3615, "tsquery", "000000030202010f0062000101016100",
	  "'a':*D & 'b':ABCD" },
	{ 3615, "tsquery", "00000003020102010100006100", "!!'a'" },
	{ 3615, "tsquery", "00000006020202010203010000630001000062000100006100",
	  "'a' & !( 'b' | 'c' )" },
	{ 3615, "tsquery", "0000000402040001010000620002010100006100",
	  "!'a' <-> 'b'" },
	{ 3615, "tsquery", "000000030203010000642065000100006127625c6300",
	  "'a''b\\\\c' | 'd e'" },
	{ 3615, "tsquery",
	  "0000000702040001020301000064000100006300020201000062000100006100",
	  "( 'a' & 'b' ) <-> ( 'c' | 'd' )" },
	{ 3615, "tsquery", "000000030204000001000062000100006100",
	  "'a' <0> 'b'" },
	{ 3615, "tsquery", "00000000", "" },
};

START_TEST(test_vectors)
{
	check_vector(&vectors[_i]);
	check_truncations(&vectors[_i]);
}
END_TEST

START_TEST(test_malformed)
{
	/* jsonb / jsonpath version */
	assert_malformed_hex(OID_JSONB, "027b7d");
	assert_malformed_hex(OID_JSONB, "");
	assert_malformed_hex(OID_JSONPATH, "00242e61");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("binary_text");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_vectors, 0, COUNT(vectors));
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
