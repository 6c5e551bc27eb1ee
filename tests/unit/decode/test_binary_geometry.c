/* Unit tests for binary_geometry.c: point, lseg, box, line, circle, path
 * and polygon. binary_check.h says where the vectors are from. */
#include "binary_check.h"
#include "check_run.h"

static const struct vector vectors[] = {
	{ 600, "point", "3ff00000000000004000000000000000", "(1,2)" },
	{ 600, "point", "bfb999999999999a7e37e43c8800759c", "(-0.1,1e+300)" },
	{ 600, "point", "7ff80000000000007ff0000000000000", "(NaN,Infinity)" },
	{ 601, "lseg",
	  "3ff0000000000000400000000000000040080000000000004012000000000000",
	  "[(1,2),(3,4.5)]" },
	{ 603, "box",
	  "400800000000000040100000000000003ff00000000000004000000000000000",
	  "(3,4),(1,2)" },
	{ 628, "line", "3ff0000000000000bff00000000000000000000000000000",
	  "{1,-1,0}" },
	{ 718, "circle", "3ff000000000000040000000000000004008000000000000",
	  "<(1,2),3>" },
	{ 602, "path",
	  "01000000023ff0000000000000400000000000000040080000000000004010000000000000",
	  "((1,2),(3,4))" },
	{ 602, "path",
	  "00000000033ff000000000000040000000000000004008000000000000401000000000000040140000000000004018000000000000",
	  "[(1,2),(3,4),(5,6)]" },
	{ 604, "polygon",
	  "000000033ff000000000000040000000000000004008000000000000401000000000000000000000000000000000000000000000",
	  "((1,2),(3,4),(0,0))" },
};

START_TEST(test_vectors)
{
	check_vector(&vectors[_i]);
	check_truncations(&vectors[_i]);
}
END_TEST

START_TEST(test_malformed)
{
	/* path / polygon with no points */
	assert_malformed_hex(OID_PATH, "0100000000");
	assert_malformed_hex(OID_POLYGON, "00000000");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("binary_geometry");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_vectors, 0, COUNT(vectors));
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
