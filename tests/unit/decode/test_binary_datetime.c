/* Unit tests for binary_datetime.c: date, time, timetz, timestamp,
 * timestamptz and interval, their infinities and their limits.
 * binary_check.h says where the vectors are from. */
#include "binary_check.h"
#include "check_run.h"

static const struct vector vectors[] = {
	{ 1082, "date", "00000000", "2000-01-01" },
	{ 1082, "date", "ffffffff", "1999-12-31" },
	{ 1082, "date", "00002279", "2024-02-29" },
	{ 1082, "date", "ffffd533", "1970-01-01" },
	{ 1082, "date", "fff4dbf9", "0001-01-01" },
	{ 1082, "date", "fff4dbf8", "0001-12-31 BC" },
	{ 1082, "date", "fff49d7b", "0044-03-15 BC" },
	{ 1082, "date", "ffda97a7", "4714-11-24 BC" },
	{ 1082, "date", "7fda970c", "5874897-12-31" },
	{ 1082, "date", "002c95d4", "10000-01-01" },
	{ 1082, "date", "7fffffff", "infinity" },
	{ 1082, "date", "80000000", "-infinity" },
	{ 1082, "date", "fffdacb5", "1582-10-04" },
	{ 1082, "date", "ffff718f", "1900-03-01" },
	{ 1082, "date", "00008ee7", "2100-02-28" },
	{ 1082, "date", "0000003b", "2000-02-29" },
	{ 1082, "date", "fffdc6bc", "1600-12-31" },
	{ 1082, "date", "fff4e07b", "0004-02-29" },
	{ 1082, "date", "fff4d511", "0005-02-29 BC" },
	{ 1083, "time", "0000000000000000", "00:00:00" },
	{ 1083, "time", "0000000a8bda1c00", "12:34:56" },
	{ 1083, "time", "000000141dd75fff", "23:59:59.999999" },
	{ 1083, "time", "000000141dd76000", "24:00:00" },
	{ 1083, "time", "00000000ddf019e0", "01:02:03.5" },
	{ 1083, "time", "00000000dde878c1", "01:02:03.000001" },
	{ 1083, "time", "0000000ae58128c0", "13:00:00.12" },
	{ 1266, "timetz", "000000000000000000000000", "00:00:00+00" },
	{ 1266, "timetz", "0000000a8bda1c00ffffe3e0", "12:34:56+02" },
	{ 1266, "timetz", "000000141dd75fff00004d58", "23:59:59.999999-05:30" },
	{ 1266, "timetz", "00000000ddf019e0ffffaf06", "01:02:03.5+05:45:30" },
	{ 1266, "timetz", "0000000861c468000000c4e0", "10:00:00-14" },
	{ 1266, "timetz", "0000000861c46800ffff2d4c", "10:00:00+14:59" },
	{ 1266, "timetz", "0000000a0eebb00000000001", "12:00:00-00:00:01" },
	{ 1266, "timetz", "0000000a0eebb000ffff1f3c", "12:00:00+15:59" },
	{ 1114, "timestamp", "0000000000000000", "2000-01-01 00:00:00" },
	{ 1114, "timestamp", "ffffffffffffffff", "1999-12-31 23:59:59.999999" },
	{ 1114, "timestamp", "0002b583416e1d20", "2024-02-29 12:34:56.5" },
	{ 1114, "timestamp", "fffca2fec4c82000", "1970-01-01 00:00:00" },
	{ 1114, "timestamp", "ff1fe2ffc59c6000", "0001-01-01 00:00:00" },
	{ 1114, "timestamp", "ff1fe2ffc5988f70", "0001-12-31 23:59:59.75 BC" },
	{ 1114, "timestamp", "fd0f7cc1411fa000", "4714-11-24 00:00:00 BC" },
	{ 1114, "timestamp", "7fffff5bb3b29fff",
	  "294276-12-31 23:59:59.999999" },
	{ 1114, "timestamp", "7fffffffffffffff", "infinity" },
	{ 1114, "timestamp", "8000000000000000", "-infinity" },
	{ 1114, "timestamp", "000267c841e3f5e4", "2021-06-15 08:09:10.0001" },
	{ 1114, "timestamp", "fff4c9ee7c0b8001", "1900-01-01 00:00:00.000001" },
	{ 1114, "timestamp", "0004441ec4b8ddc0", "2038-01-19 03:14:07" },
	{ 1114, "timestamp", "0487db00297a1580", "12345-06-07 08:09:10" },
	{ 1184, "timestamptz", "0000000000000000", "2000-01-01 00:00:00+00" },
	{ 1184, "timestamptz", "ffffffffffffffff",
	  "1999-12-31 23:59:59.999999+00" },
	{ 1184, "timestamptz", "0002b5819446d520", "2024-02-29 10:34:56.5+00" },
	{ 1184, "timestamptz", "fffca2fec4c82000", "1970-01-01 00:00:00+00" },
	{ 1184, "timestamptz", "ff1af9e8fb46d000",
	  "0044-03-15 12:00:00+00 BC" },
	{ 1184, "timestamptz", "fd0f7cc1411fa000",
	  "4714-11-24 00:00:00+00 BC" },
	{ 1184, "timestamptz", "7fffff5bb3b29fff",
	  "294276-12-31 23:59:59.999999+00" },
	{ 1184, "timestamptz", "7fffffffffffffff", "infinity" },
	{ 1184, "timestamptz", "8000000000000000", "-infinity" },
	{ 1184, "timestamptz", "000267c841e5ca40",
	  "2021-06-15 08:09:10.12+00" },
	{ 1184, "timestamptz", "fff2fb4e62396400", "1883-11-18 17:00:00+00" },
	{ 1186, "interval", "000000036c9361a0000000030000000e",
	  "1 year 2 mons 3 days 04:05:06.5" },
	{ 1186, "interval", "fffffffffff0bdc00000000000000000", "-00:00:01" },
	{ 1186, "interval", "00000000000000000000000000000000", "00:00:00" },
	{ 1186, "interval", "00000000000000000000000000000001", "1 mon" },
	{ 1186, "interval", "000000000000000000000000fffffff4", "-1 years" },
	{ 1186, "interval", "fffffffe52d8b8000000000100000000",
	  "1 day -02:00:00" },
	{ 1186, "interval", "00000001ad274800ffffffff00000000",
	  "-1 days +02:00:00" },
	{ 1186, "interval", "fffffffe52d8b800ffffffff00000000",
	  "-1 days -02:00:00" },
	{ 1186, "interval", "0000000000000000000000000000000b", "11 mons" },
	{ 1186, "interval", "000000000000000000000000fffffff5", "-11 mons" },
	{ 1186, "interval", "00000014f46b04000000000000000000", "25:00:00" },
	{ 1186, "interval", "ffffffffffffffff0000000000000000",
	  "-00:00:00.000001" },
	{ 1186, "interval", "0000000000000000000000007fffffff",
	  "178956970 years 7 mons" },
	{ 1186, "interval", "00000000000000000000000080000000",
	  "-178956970 years -8 mons" },
	{ 1186, "interval", "00000000000000007fffffff00000000",
	  "2147483647 days" },
	{ 1186, "interval", "00000000000000008000000000000000",
	  "-2147483648 days" },
	{ 1186, "interval", "7ffffffffcbc30000000000000000000",
	  "2562047788:00:00" },
	{ 1186, "interval", "0000000000000000000000000000000c", "1 year" },
	{ 1186, "interval", "0000000000000000000000000000000d",
	  "1 year 1 mon" },
	{ 1186, "interval", "000000000016e3600000000000000000", "00:00:01.5" },
	{ 1186, "interval", "0000000000000000ffffffffffffffff",
	  "-1 mons -1 days" },
	{ 1186, "interval", "00000000000f42400000000000000001",
	  "1 mon 00:00:01" },
	{ 1186, "interval", "00000000d693a40000000000ffffffff",
	  "-1 mons +01:00:00" },
	{ 1186, "interval", "ffffffff296c5c0000000000ffffffff",
	  "-1 mons -01:00:00" },
	{ 1186, "interval", "00000000d693a4000000000100000000",
	  "1 day 01:00:00" },
	{ 1186, "interval", "000000000000000000000001ffffffff",
	  "-1 mons +1 day" },
	{ 1186, "interval", "00000000d693a400ffffffff00000001",
	  "1 mon -1 days +01:00:00" },
	{ 1186, "interval", "00000000000000000000000100000000", "1 day" },
	{ 1186, "interval", "00000000000000000000000200000000", "2 days" },
	{ 1186, "interval", "0000000000000000ffffffff00000000", "-1 days" },
	{ 1186, "interval", "00000000039387000000000000000000", "00:01:00" },
	{ 1186, "interval", "ffffffffffeced300000000000000000",
	  "-00:00:01.25" },
	{ 1186, "interval", "fffffffffff85ee0000000010000000c",
	  "1 year 1 day -00:00:00.5" },
	{ 1186, "interval", "00000000000000010000000000000028",
	  "3 years 4 mons 00:00:00.000001" },
};

START_TEST(test_vectors)
{
	check_vector(&vectors[_i]);
	check_truncations(&vectors[_i]);
}
END_TEST

START_TEST(test_odd_values)
{
	/* PostgreSQL 17's infinite intervals */
	assert_text(OID_INTERVAL, "7fffffffffffffff7fffffff7fffffff",
		    "infinity");
	assert_text(OID_INTERVAL, "80000000000000008000000080000000",
		    "-infinity");
	/* the largest and smallest intervals 15 can hold */
	assert_text(OID_INTERVAL, "7fffffffffffffff0000000000000000",
		    "2562047788:00:54.775807");
	assert_text(OID_INTERVAL, "80000000000000000000000000000000",
		    "-2562047788:00:54.775808");
}
END_TEST

START_TEST(test_malformed)
{
	/* date and timestamp out of range (one past the ends) */
	assert_malformed_hex(OID_DATE, "ffda97a6");
	assert_malformed_hex(OID_DATE, "7fda970d");
	assert_malformed_hex(OID_TIMESTAMP, "fd0f7cc1411f9fff");
	assert_malformed_hex(OID_TIMESTAMPTZ, "7fffff5bb3b2a000");
	/* time past 24:00:00, negative; timetz zone past 16 hours */
	assert_malformed_hex(OID_TIME, "000000141dd76001");
	assert_malformed_hex(OID_TIME, "ffffffffffffffff");
	assert_malformed_hex(OID_TIMETZ, "0000000000000000"
					 "0000e111");
	assert_malformed_hex(OID_TIMETZ, "0000000000000000"
					 "ffff1eef");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("binary_datetime");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_vectors, 0, COUNT(vectors));
	tcase_add_test(tc, test_odd_values);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
