/* typelist — the rows of the type catalog (types.h): the built-in types of
 * PostgreSQL 15 that walhook knows, one row a type, in OID order.
 *
 *   PG_TYPE(ID, oid, array oid, typname, to_text, fields...)
 *
 * ID makes the constants OID_ID and OID_ID_ARRAY. typname is the name in
 * pg_type, NULL where no plugin prints one. to_text is the converter of
 * the type's binary send format (binary_conv.h), NULL where walhook cannot
 * read it. The fields are the other members of struct pg_type, given only
 * where they are not zero: .alias (the name format_type() prints),
 * .class (what the text becomes; else a string), .of, .delim,
 * .array_text.
 *
 * No include guard: the includer defines PG_TYPE, includes this file,
 * and undefines it, once for each view of the rows it builds. The rows
 * are checked against PostgreSQL 15's pg_type in
 * tests/unit/decode/test_typename.c and test_types.c, and what their
 * columns make of values in test_values.c and test_binary*.c. */

PG_TYPE(BOOL, 16, 1000, "bool", bin_bool, .alias = "boolean", .class = VAL_BOOL)
/* Its array stays the server's text: raw bytes in a Lua array would
 * leave a sink no way to tell them from text ({"\x00ff"}). */
PG_TYPE(BYTEA, 17, 1001, "bytea", bin_bytea, .array_text = true)
/* format_type() writes "char" with its quotes; wal2json 2.5 drops them (it
 * copies a quoted name into its JSON verbatim), so a bare char there means
 * this type too. SQL's char(n) is printed as character(n), never as char. */
PG_TYPE(CHAR, 18, 1002, "char", bin_char, .alias = "\"char\"")
PG_TYPE(NAME, 19, 1003, "name", bin_text)
PG_TYPE(INT8, 20, 1016, "int8", bin_int8, .alias = "bigint",
	.class = VAL_INTEGER)
PG_TYPE(INT2, 21, 1005, "int2", bin_int2, .alias = "smallint",
	.class = VAL_INTEGER)
/* int2vector and oidvector print as "1 2 3", not in braces. */
PG_TYPE(INT2VECTOR, 22, 1006, "int2vector", NULL)
PG_TYPE(INT4, 23, 1007, "int4", bin_int4, .alias = "integer",
	.class = VAL_INTEGER)
PG_TYPE(REGPROC, 24, 1008, "regproc", NULL)
PG_TYPE(TEXT, 25, 1009, "text", bin_text)
PG_TYPE(OID, 26, 1028, "oid", bin_uint4, .class = VAL_INTEGER)
PG_TYPE(TID, 27, 1010, "tid", bin_tid)
PG_TYPE(XID, 28, 1011, "xid", bin_uint4, .class = VAL_INTEGER)
PG_TYPE(CID, 29, 1012, "cid", bin_uint4, .class = VAL_INTEGER)
PG_TYPE(OIDVECTOR, 30, 1013, "oidvector", NULL)
PG_TYPE(JSON, 114, 199, "json", bin_text)
PG_TYPE(XML, 142, 143, "xml", bin_text)
PG_TYPE(POINT, 600, 1017, "point", bin_point)
PG_TYPE(LSEG, 601, 1018, "lseg", bin_lseg)
PG_TYPE(PATH, 602, 1019, "path", bin_path)
/* The one type whose array separates its elements with ';'. */
PG_TYPE(BOX, 603, 1020, "box", bin_box, .delim = ';')
PG_TYPE(POLYGON, 604, 1027, "polygon", bin_path)
PG_TYPE(LINE, 628, 629, "line", bin_line)
PG_TYPE(CIDR, 650, 651, "cidr", bin_inet)
PG_TYPE(FLOAT4, 700, 1021, "float4", bin_float4, .alias = "real",
	.class = VAL_FLOAT)
PG_TYPE(FLOAT8, 701, 1022, "float8", bin_float8, .alias = "double precision",
	.class = VAL_FLOAT)
PG_TYPE(CIRCLE, 718, 719, "circle", bin_circle)
PG_TYPE(MACADDR8, 774, 775, "macaddr8", bin_macaddr)
PG_TYPE(MONEY, 790, 791, "money", bin_money)
PG_TYPE(MACADDR, 829, 1040, "macaddr", bin_macaddr)
PG_TYPE(INET, 869, 1041, "inet", bin_inet)
PG_TYPE(ACLITEM, 1033, 1034, "aclitem", NULL)
/* character(n); plain bpchar when the typmod is -1. */
PG_TYPE(BPCHAR, 1042, 1014, "bpchar", bin_text, .alias = "character")
PG_TYPE(VARCHAR, 1043, 1015, "varchar", bin_text, .alias = "character varying")
PG_TYPE(DATE, 1082, 1182, "date", bin_date)
PG_TYPE(TIME, 1083, 1183, "time", bin_time, .alias = "time without time zone")
PG_TYPE(TIMESTAMP, 1114, 1115, "timestamp", bin_timestamp,
	.alias = "timestamp without time zone")
PG_TYPE(TIMESTAMPTZ, 1184, 1185, "timestamptz", bin_timestamp,
	.alias = "timestamp with time zone")
PG_TYPE(INTERVAL, 1186, 1187, "interval", bin_interval)
PG_TYPE(TIMETZ, 1266, 1270, "timetz", bin_timetz,
	.alias = "time with time zone")
PG_TYPE(BIT, 1560, 1561, "bit", bin_bits)
PG_TYPE(VARBIT, 1562, 1563, "varbit", bin_bits, .alias = "bit varying")
/* format_type() prints numeric; decimal is SQL's other name for it. */
PG_TYPE(NUMERIC, 1700, 1231, "numeric", bin_numeric, .alias = "decimal")
PG_TYPE(REFCURSOR, 1790, 2201, "refcursor", bin_text)
PG_TYPE(REGPROCEDURE, 2202, 2207, "regprocedure", NULL)
PG_TYPE(REGOPER, 2203, 2208, "regoper", NULL)
PG_TYPE(REGOPERATOR, 2204, 2209, "regoperator", NULL)
PG_TYPE(REGCLASS, 2205, 2210, "regclass", NULL)
PG_TYPE(REGTYPE, 2206, 2211, "regtype", NULL)
/* A pseudo-type: no column is of it or of its array, so no plugin names
 * it; the row is here because pg_type has cstring[] as an array type. */
PG_TYPE(CSTRING, 2275, 1263, NULL, NULL)
PG_TYPE(UUID, 2950, 2951, "uuid", bin_uuid)
PG_TYPE(TXID_SNAPSHOT, 2970, 2949, "txid_snapshot", NULL)
PG_TYPE(PG_LSN, 3220, 3221, "pg_lsn", bin_pg_lsn)
PG_TYPE(TSVECTOR, 3614, 3643, "tsvector", bin_tsvector)
PG_TYPE(TSQUERY, 3615, 3645, "tsquery", bin_tsquery)
PG_TYPE(GTSVECTOR, 3642, 3644, "gtsvector", NULL)
PG_TYPE(REGCONFIG, 3734, 3735, "regconfig", NULL)
PG_TYPE(REGDICTIONARY, 3769, 3770, "regdictionary", NULL)
PG_TYPE(JSONB, 3802, 3807, "jsonb", bin_versioned_text)
PG_TYPE(INT4RANGE, 3904, 3905, "int4range", bin_range, .of = OID_INT4)
PG_TYPE(NUMRANGE, 3906, 3907, "numrange", bin_range, .of = OID_NUMERIC)
PG_TYPE(TSRANGE, 3908, 3909, "tsrange", bin_range, .of = OID_TIMESTAMP)
PG_TYPE(TSTZRANGE, 3910, 3911, "tstzrange", bin_range, .of = OID_TIMESTAMPTZ)
PG_TYPE(DATERANGE, 3912, 3913, "daterange", bin_range, .of = OID_DATE)
PG_TYPE(INT8RANGE, 3926, 3927, "int8range", bin_range, .of = OID_INT8)
PG_TYPE(JSONPATH, 4072, 4073, "jsonpath", bin_versioned_text)
PG_TYPE(REGNAMESPACE, 4089, 4090, "regnamespace", NULL)
PG_TYPE(REGROLE, 4096, 4097, "regrole", NULL)
PG_TYPE(REGCOLLATION, 4191, 4192, "regcollation", NULL)
PG_TYPE(INT4MULTIRANGE, 4451, 6150, "int4multirange", bin_multirange,
	.of = OID_INT4RANGE)
PG_TYPE(NUMMULTIRANGE, 4532, 6151, "nummultirange", bin_multirange,
	.of = OID_NUMRANGE)
PG_TYPE(TSMULTIRANGE, 4533, 6152, "tsmultirange", bin_multirange,
	.of = OID_TSRANGE)
PG_TYPE(TSTZMULTIRANGE, 4534, 6153, "tstzmultirange", bin_multirange,
	.of = OID_TSTZRANGE)
PG_TYPE(DATEMULTIRANGE, 4535, 6155, "datemultirange", bin_multirange,
	.of = OID_DATERANGE)
PG_TYPE(INT8MULTIRANGE, 4536, 6157, "int8multirange", bin_multirange,
	.of = OID_INT8RANGE)
PG_TYPE(PG_SNAPSHOT, 5038, 5039, "pg_snapshot", NULL)
PG_TYPE(XID8, 5069, 271, "xid8", bin_uint8)
