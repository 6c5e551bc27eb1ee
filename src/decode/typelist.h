/* typelist — the rows of the type catalog (types.h): the built-in types of
 * PostgreSQL 15 that walhook knows, one row a type, in OID order.
 *
 *   PG_TYPE(ID, oid, array oid, typname, fields...)
 *
 * ID makes the constants OID_ID and OID_ID_ARRAY. typname is the name in
 * pg_type, NULL where no plugin prints one. The fields are the other
 * members of struct pg_type, given only where they are not zero: .alias
 * (the name format_type() prints), .class (what the text becomes; else a
 * string), .of, .delim, .array_text.
 *
 * No include guard: the includer defines PG_TYPE, includes this file,
 * and undefines it, once for each view of the rows it builds. The rows
 * are checked against PostgreSQL 15's pg_type in
 * tests/unit/decode/test_typename.c and test_types.c. */

PG_TYPE(BOOL, 16, 1000, "bool", .alias = "boolean", .class = VAL_BOOL)
/* Its array stays the server's text: raw bytes in a Lua array would
 * leave a sink no way to tell them from text ({"\x00ff"}). */
PG_TYPE(BYTEA, 17, 1001, "bytea", .array_text = true)
/* format_type() writes "char" with its quotes; wal2json 2.5 drops them (it
 * copies a quoted name into its JSON verbatim), so a bare char there means
 * this type too. SQL's char(n) is printed as character(n), never as char. */
PG_TYPE(CHAR, 18, 1002, "char", .alias = "\"char\"")
PG_TYPE(NAME, 19, 1003, "name")
PG_TYPE(INT8, 20, 1016, "int8", .alias = "bigint", .class = VAL_INTEGER)
PG_TYPE(INT2, 21, 1005, "int2", .alias = "smallint", .class = VAL_INTEGER)
/* int2vector and oidvector print as "1 2 3", not in braces. */
PG_TYPE(INT2VECTOR, 22, 1006, "int2vector")
PG_TYPE(INT4, 23, 1007, "int4", .alias = "integer", .class = VAL_INTEGER)
PG_TYPE(REGPROC, 24, 1008, "regproc")
PG_TYPE(TEXT, 25, 1009, "text")
PG_TYPE(OID, 26, 1028, "oid", .class = VAL_INTEGER)
PG_TYPE(TID, 27, 1010, "tid")
PG_TYPE(XID, 28, 1011, "xid", .class = VAL_INTEGER)
PG_TYPE(CID, 29, 1012, "cid", .class = VAL_INTEGER)
PG_TYPE(OIDVECTOR, 30, 1013, "oidvector")
PG_TYPE(JSON, 114, 199, "json")
PG_TYPE(XML, 142, 143, "xml")
PG_TYPE(POINT, 600, 1017, "point")
PG_TYPE(LSEG, 601, 1018, "lseg")
PG_TYPE(PATH, 602, 1019, "path")
/* The one type whose array separates its elements with ';'. */
PG_TYPE(BOX, 603, 1020, "box", .delim = ';')
PG_TYPE(POLYGON, 604, 1027, "polygon")
PG_TYPE(LINE, 628, 629, "line")
PG_TYPE(CIDR, 650, 651, "cidr")
PG_TYPE(FLOAT4, 700, 1021, "float4", .alias = "real", .class = VAL_FLOAT)
PG_TYPE(FLOAT8, 701, 1022, "float8", .alias = "double precision",
	.class = VAL_FLOAT)
PG_TYPE(CIRCLE, 718, 719, "circle")
PG_TYPE(MACADDR8, 774, 775, "macaddr8")
PG_TYPE(MONEY, 790, 791, "money")
PG_TYPE(MACADDR, 829, 1040, "macaddr")
PG_TYPE(INET, 869, 1041, "inet")
PG_TYPE(ACLITEM, 1033, 1034, "aclitem")
/* character(n); plain bpchar when the typmod is -1. */
PG_TYPE(BPCHAR, 1042, 1014, "bpchar", .alias = "character")
PG_TYPE(VARCHAR, 1043, 1015, "varchar", .alias = "character varying")
PG_TYPE(DATE, 1082, 1182, "date")
PG_TYPE(TIME, 1083, 1183, "time", .alias = "time without time zone")
PG_TYPE(TIMESTAMP, 1114, 1115, "timestamp",
	.alias = "timestamp without time zone")
PG_TYPE(TIMESTAMPTZ, 1184, 1185, "timestamptz",
	.alias = "timestamp with time zone")
PG_TYPE(INTERVAL, 1186, 1187, "interval")
PG_TYPE(TIMETZ, 1266, 1270, "timetz", .alias = "time with time zone")
PG_TYPE(BIT, 1560, 1561, "bit")
PG_TYPE(VARBIT, 1562, 1563, "varbit", .alias = "bit varying")
/* format_type() prints numeric; decimal is SQL's other name for it. */
PG_TYPE(NUMERIC, 1700, 1231, "numeric", .alias = "decimal")
PG_TYPE(REFCURSOR, 1790, 2201, "refcursor")
PG_TYPE(REGPROCEDURE, 2202, 2207, "regprocedure")
PG_TYPE(REGOPER, 2203, 2208, "regoper")
PG_TYPE(REGOPERATOR, 2204, 2209, "regoperator")
PG_TYPE(REGCLASS, 2205, 2210, "regclass")
PG_TYPE(REGTYPE, 2206, 2211, "regtype")
/* A pseudo-type: no column is of it or of its array, so no plugin names
 * it; the row is here because pg_type has cstring[] as an array type. */
PG_TYPE(CSTRING, 2275, 1263, NULL)
PG_TYPE(UUID, 2950, 2951, "uuid")
PG_TYPE(TXID_SNAPSHOT, 2970, 2949, "txid_snapshot")
PG_TYPE(PG_LSN, 3220, 3221, "pg_lsn")
PG_TYPE(TSVECTOR, 3614, 3643, "tsvector")
PG_TYPE(TSQUERY, 3615, 3645, "tsquery")
PG_TYPE(GTSVECTOR, 3642, 3644, "gtsvector")
PG_TYPE(REGCONFIG, 3734, 3735, "regconfig")
PG_TYPE(REGDICTIONARY, 3769, 3770, "regdictionary")
PG_TYPE(JSONB, 3802, 3807, "jsonb")
PG_TYPE(INT4RANGE, 3904, 3905, "int4range", .of = OID_INT4)
PG_TYPE(NUMRANGE, 3906, 3907, "numrange", .of = OID_NUMERIC)
PG_TYPE(TSRANGE, 3908, 3909, "tsrange", .of = OID_TIMESTAMP)
PG_TYPE(TSTZRANGE, 3910, 3911, "tstzrange", .of = OID_TIMESTAMPTZ)
PG_TYPE(DATERANGE, 3912, 3913, "daterange", .of = OID_DATE)
PG_TYPE(INT8RANGE, 3926, 3927, "int8range", .of = OID_INT8)
PG_TYPE(JSONPATH, 4072, 4073, "jsonpath")
PG_TYPE(REGNAMESPACE, 4089, 4090, "regnamespace")
PG_TYPE(REGROLE, 4096, 4097, "regrole")
PG_TYPE(REGCOLLATION, 4191, 4192, "regcollation")
PG_TYPE(INT4MULTIRANGE, 4451, 6150, "int4multirange", .of = OID_INT4RANGE)
PG_TYPE(NUMMULTIRANGE, 4532, 6151, "nummultirange", .of = OID_NUMRANGE)
PG_TYPE(TSMULTIRANGE, 4533, 6152, "tsmultirange", .of = OID_TSRANGE)
PG_TYPE(TSTZMULTIRANGE, 4534, 6153, "tstzmultirange", .of = OID_TSTZRANGE)
PG_TYPE(DATEMULTIRANGE, 4535, 6155, "datemultirange", .of = OID_DATERANGE)
PG_TYPE(INT8MULTIRANGE, 4536, 6157, "int8multirange", .of = OID_INT8RANGE)
PG_TYPE(PG_SNAPSHOT, 5038, 5039, "pg_snapshot")
PG_TYPE(XID8, 5069, 271, "xid8")
