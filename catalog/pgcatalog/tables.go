package pgcatalog

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/lakesql/lakesql/catalog"
)

// builtinType is a row of pg_type.
type builtinType struct {
	oid                          int64
	name                         string
	length                       int
	category                     string
	elem, array                  int64
	input, output, receive, send string
	align                        string
	preferred                    bool
}

var builtinTypes = []builtinType{
	{16, "bool", 1, "B", 0, 1000, "boolin", "boolout", "boolrecv", "boolsend", "c", true},
	{17, "bytea", -1, "U", 0, 1001, "byteain", "byteaout", "bytearecv", "byteasend", "i", false},
	{18, "char", 1, "Z", 0, 1002, "charin", "charout", "charrecv", "charsend", "c", false},
	{19, "name", 64, "S", 18, 1003, "namein", "nameout", "namerecv", "namesend", "c", false},
	{20, "int8", 8, "N", 0, 1016, "int8in", "int8out", "int8recv", "int8send", "d", false},
	{21, "int2", 2, "N", 0, 1005, "int2in", "int2out", "int2recv", "int2send", "s", false},
	{23, "int4", 4, "N", 0, 1007, "int4in", "int4out", "int4recv", "int4send", "i", false},
	{24, "regproc", 4, "N", 0, 1008, "regprocin", "regprocout", "regprocrecv", "regprocsend", "i", false},
	{25, "text", -1, "S", 0, 1009, "textin", "textout", "textrecv", "textsend", "i", true},
	{26, "oid", 4, "N", 0, 1028, "oidin", "oidout", "oidrecv", "oidsend", "i", true},
	{114, "json", -1, "U", 0, 199, "json_in", "json_out", "json_recv", "json_send", "i", false},
	{700, "float4", 4, "N", 0, 1021, "float4in", "float4out", "float4recv", "float4send", "i", false},
	{701, "float8", 8, "N", 0, 1022, "float8in", "float8out", "float8recv", "float8send", "d", true},
	{705, "unknown", -2, "X", 0, 0, "unknownin", "unknownout", "unknownrecv", "unknownsend", "c", false},
	{1000, "_bool", -1, "A", 16, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1005, "_int2", -1, "A", 21, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1007, "_int4", -1, "A", 23, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1009, "_text", -1, "A", 25, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1015, "_varchar", -1, "A", 1043, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1016, "_int8", -1, "A", 20, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{1021, "_float4", -1, "A", 700, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1022, "_float8", -1, "A", 701, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{1042, "bpchar", -1, "S", 0, 1014, "bpcharin", "bpcharout", "bpcharrecv", "bpcharsend", "i", false},
	{1043, "varchar", -1, "S", 0, 1015, "varcharin", "varcharout", "varcharrecv", "varcharsend", "i", false},
	{1082, "date", 4, "D", 0, 1182, "date_in", "date_out", "date_recv", "date_send", "i", false},
	{1083, "time", 8, "D", 0, 1183, "time_in", "time_out", "time_recv", "time_send", "d", false},
	{1114, "timestamp", 8, "D", 0, 1115, "timestamp_in", "timestamp_out", "timestamp_recv", "timestamp_send", "d", false},
	{1184, "timestamptz", 8, "D", 0, 1185, "timestamptz_in", "timestamptz_out", "timestamptz_recv", "timestamptz_send", "d", true},
	{1186, "interval", 16, "T", 0, 1187, "interval_in", "interval_out", "interval_recv", "interval_send", "d", true},
	{1231, "_numeric", -1, "A", 1700, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1700, "numeric", -1, "N", 0, 1231, "numeric_in", "numeric_out", "numeric_recv", "numeric_send", "i", false},
	{2249, "record", -1, "P", 0, 2287, "record_in", "record_out", "record_recv", "record_send", "d", false},
	{2205, "regclass", 4, "N", 0, 2210, "regclassin", "regclassout", "regclassrecv", "regclasssend", "i", false},
	{2206, "regtype", 4, "N", 0, 2211, "regtypein", "regtypeout", "regtyperecv", "regtypesend", "i", false},
	{3802, "jsonb", -1, "U", 0, 3807, "jsonb_in", "jsonb_out", "jsonb_recv", "jsonb_send", "i", false},
	{2950, "uuid", 16, "U", 0, 2951, "uuid_in", "uuid_out", "uuid_recv", "uuid_send", "c", false},
	{22, "int2vector", -1, "A", 21, 1006, "int2vectorin", "int2vectorout", "int2vectorrecv", "int2vectorsend", "i", false},
	{30, "oidvector", -1, "A", 26, 1013, "oidvectorin", "oidvectorout", "oidvectorrecv", "oidvectorsend", "i", false},
	{1033, "aclitem", 12, "U", 0, 1034, "aclitemin", "aclitemout", "-", "-", "i", false},
	{2278, "void", 4, "P", 0, 0, "void_in", "void_out", "void_recv", "void_send", "i", false},
	{2279, "trigger", 4, "P", 0, 0, "trigger_in", "trigger_out", "-", "-", "i", false},
	{1001, "_bytea", -1, "A", 17, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1002, "_char", -1, "A", 18, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1003, "_name", -1, "A", 19, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1006, "_int2vector", -1, "A", 22, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1008, "_regproc", -1, "A", 24, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1013, "_oidvector", -1, "A", 30, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1014, "_bpchar", -1, "A", 1042, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1028, "_oid", -1, "A", 26, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1034, "_aclitem", -1, "A", 1033, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1115, "_timestamp", -1, "A", 1114, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{1182, "_date", -1, "A", 1082, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{1183, "_time", -1, "A", 1083, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{1185, "_timestamptz", -1, "A", 1184, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{1187, "_interval", -1, "A", 1186, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
	{199, "_json", -1, "A", 114, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{3807, "_jsonb", -1, "A", 3802, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{2951, "_uuid", -1, "A", 2950, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{2210, "_regclass", -1, "A", 2205, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{2211, "_regtype", -1, "A", 2206, 0, "array_in", "array_out", "array_recv", "array_send", "i", false},
	{2287, "_record", -1, "P", 2249, 0, "array_in", "array_out", "array_recv", "array_send", "d", false},
}

// TypeName returns pg_type.typname for an OID ("" when unknown).
func TypeName(oid int64) string {
	for _, t := range builtinTypes {
		if t.oid == oid {
			return t.name
		}
	}
	return ""
}

func emptyTable(cols []column) *table {
	return newTable(cols, func(context.Context) [][]any { return nil })
}

func pgTables(l *lister) map[string]*table {
	m := map[string]*table{}
	m["pg_namespace"] = newTable([]column{{"oid", oidT}, {"nspname", textT}, {"nspowner", oidT}, {"nspacl", textA}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, s := range l.catalog(ctx).Schemas(ctx) {
				rows = append(rows, []any{NamespaceOID(s), s, int64(RoleOID), nil})
			}
			return rows
		})
	m["pg_class"] = newTable([]column{{"oid", oidT}, {"relname", textT}, {"relnamespace", oidT}, {"reltype", oidT}, {"reloftype", oidT},
		{"relowner", oidT}, {"relam", oidT}, {"relfilenode", oidT}, {"reltablespace", oidT}, {"relpages", i32}, {"reltuples", f32},
		{"relallvisible", i32}, {"reltoastrelid", oidT}, {"relhasindex", boolT}, {"relisshared", boolT}, {"relpersistence", textT},
		{"relkind", textT}, {"relnatts", i16}, {"relchecks", i16}, {"relhasrules", boolT}, {"relhastriggers", boolT},
		{"relhassubclass", boolT}, {"relrowsecurity", boolT}, {"relforcerowsecurity", boolT}, {"relispopulated", boolT},
		{"relreplident", textT}, {"relispartition", boolT}, {"relrewrite", oidT}, {"relfrozenxid", oidT}, {"relminmxid", oidT},
		{"relacl", textA}, {"reloptions", textA}, {"relpartbound", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				rows = append(rows, []any{OID("rel", r.schema, r.name), r.name, NamespaceOID(r.schema), int64(0), int64(0),
					int64(RoleOID), int64(2), int64(0), int64(0), int32(0), float64(-1), int32(0), int64(0), false, false, "p",
					r.kind, int16(len(r.fields)), int16(0), false, false, false, false, false, true, "d", false, int64(0), int64(0), int64(0),
					nil, nil, nil})
			}
			return rows
		})
	m["pg_attribute"] = newTable([]column{{"attrelid", oidT}, {"attname", textT}, {"atttypid", oidT}, {"attstattarget", i32},
		{"attlen", i16}, {"attnum", i16}, {"attndims", i32}, {"attcacheoff", i32}, {"atttypmod", i32}, {"attbyval", boolT},
		{"attalign", textT}, {"attstorage", textT}, {"attcompression", textT}, {"attnotnull", boolT}, {"atthasdef", boolT},
		{"atthasmissing", boolT}, {"attidentity", textT}, {"attgenerated", textT}, {"attisdropped", boolT}, {"attislocal", boolT},
		{"attinhcount", i32}, {"attcollation", oidT}, {"attacl", textA}, {"attoptions", textA}, {"attfdwoptions", textA}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				rel := OID("rel", r.schema, r.name)
				for i, f := range r.fields {
					oid, size, mod := TypeInfo(f.Type)
					nn := i < len(r.notNull) && r.notNull[i]
					storage := "x" // variable-length values are stored "extended"
					if size > 0 {
						storage = "p"
					}
					rows = append(rows, []any{rel, f.Name, int64(oid), int32(-1), int16(size), int16(i + 1), int32(0), int32(-1), mod,
						size > 0, "i", storage, "", nn, false, false, "", "", false, true, int32(0), int64(0), nil, nil, nil})
				}
			}
			return rows
		})
	m["pg_type"] = newTable([]column{{"oid", oidT}, {"typname", textT}, {"typnamespace", oidT}, {"typowner", oidT}, {"typlen", i16},
		{"typbyval", boolT}, {"typtype", textT}, {"typcategory", textT}, {"typispreferred", boolT}, {"typisdefined", boolT},
		{"typdelim", textT}, {"typrelid", oidT}, {"typsubscript", textT}, {"typelem", oidT}, {"typarray", oidT}, {"typinput", oidT},
		{"typoutput", oidT}, {"typreceive", oidT}, {"typsend", oidT}, {"typmodin", oidT}, {"typmodout", oidT}, {"typanalyze", oidT},
		{"typalign", textT}, {"typstorage", textT}, {"typnotnull", boolT}, {"typbasetype", oidT}, {"typtypmod", i32}, {"typndims", i32},
		{"typcollation", oidT}, {"typdefaultbin", textT}, {"typdefault", textT}, {"typacl", textA}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, t := range builtinTypes {
				typtype := "b"
				if t.category == "P" {
					typtype = "p" // pseudo-types: record, void, trigger
				}
				coll := int64(0)
				if t.category == "S" {
					coll = 100
				}
				rows = append(rows, []any{t.oid, t.name, int64(NamespacePgCatalog), int64(RoleOID), int16(t.length), t.length > 0 && t.length <= 8,
					typtype, t.category, t.preferred, true, ",", int64(0), "-", t.elem, t.array, procOID(t.input), procOID(t.output),
					procOID(t.receive), procOID(t.send), int64(0), int64(0), int64(0), t.align, "p", false, int64(0), int32(-1), int32(0), coll, nil, nil, nil})
			}
			return rows
		})
	m["pg_database"] = newTable([]column{{"oid", oidT}, {"datname", textT}, {"datdba", oidT}, {"encoding", i32}, {"datlocprovider", textT},
		{"datistemplate", boolT}, {"datallowconn", boolT}, {"datconnlimit", i32}, {"datfrozenxid", oidT}, {"datminmxid", oidT},
		{"dattablespace", oidT}, {"datcollate", textT}, {"datctype", textT}, {"daticulocale", textT}, {"datcollversion", textT}, {"datacl", textA}},
		func(ctx context.Context) [][]any {
			return [][]any{{int64(DatabaseOID), l.db, int64(RoleOID), int32(6), "c", false, true, int32(-1), int64(0), int64(0), int64(1663), "C", "C", nil, nil, nil}}
		})
	m["pg_tables"] = newTable([]column{{"schemaname", textT}, {"tablename", textT}, {"tableowner", textT}, {"tablespace", textT},
		{"hasindexes", boolT}, {"hasrules", boolT}, {"hastriggers", boolT}, {"rowsecurity", boolT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				if r.kind == "r" {
					rows = append(rows, []any{r.schema, r.name, "lakesql", nil, false, false, false, false})
				}
			}
			return rows
		})
	m["pg_views"] = newTable([]column{{"schemaname", textT}, {"viewname", textT}, {"viewowner", textT}, {"definition", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				if r.kind == "v" {
					rows = append(rows, []any{r.schema, r.name, "lakesql", ""})
				}
			}
			return rows
		})
	m["pg_matviews"] = emptyTable([]column{{"schemaname", textT}, {"matviewname", textT}, {"matviewowner", textT}, {"definition", textT}})
	roleCols := []column{{"oid", oidT}, {"rolname", textT}, {"rolsuper", boolT}, {"rolinherit", boolT}, {"rolcreaterole", boolT},
		{"rolcreatedb", boolT}, {"rolcanlogin", boolT}, {"rolreplication", boolT}, {"rolconnlimit", i32}, {"rolpassword", textT},
		{"rolvaliduntil", textT}, {"rolbypassrls", boolT}, {"rolconfig", textA}}
	m["pg_roles"] = newTable(roleCols, func(ctx context.Context) [][]any {
		return [][]any{{int64(RoleOID), sessionUser(ctx), true, true, true, true, true, false, int32(-1), "********", nil, true, nil}}
	})
	m["pg_authid"] = m["pg_roles"]
	m["pg_user"] = newTable([]column{{"usename", textT}, {"usesysid", oidT}, {"usecreatedb", boolT}, {"usesuper", boolT}, {"userepl", boolT},
		{"usebypassrls", boolT}, {"passwd", textT}, {"valuntil", textT}, {"useconfig", textA}},
		func(ctx context.Context) [][]any {
			return [][]any{{sessionUser(ctx), int64(RoleOID), true, true, false, true, "********", nil, nil}}
		})
	m["pg_am"] = newTable([]column{{"oid", oidT}, {"amname", textT}, {"amhandler", textT}, {"amtype", textT}},
		func(ctx context.Context) [][]any {
			return [][]any{{int64(2), "heap", "heap_tableam_handler", "t"}, {int64(403), "btree", "bthandler", "i"}}
		})
	m["pg_proc"] = newTable([]column{{"oid", oidT}, {"proname", textT}, {"pronamespace", oidT}, {"proowner", oidT}, {"prolang", oidT},
		{"procost", f32}, {"prorows", f32}, {"provariadic", oidT}, {"prosupport", textT}, {"prokind", textT}, {"prosecdef", boolT},
		{"proleakproof", boolT}, {"proisstrict", boolT}, {"proretset", boolT}, {"provolatile", textT}, {"proparallel", textT},
		{"pronargs", i16}, {"pronargdefaults", i16}, {"prorettype", oidT}, {"proargtypes", oidA}, {"proallargtypes", oidA},
		{"proargmodes", textA}, {"proargnames", textA}, {"proargdefaults", textT}, {"protrftypes", textA}, {"prosrc", textT},
		{"probin", textT}, {"prosqlbody", textT}, {"proconfig", textA}, {"proacl", textA}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			seen := map[string]bool{}
			for i, name := range FunctionNames {
				rows = append(rows, []any{int64(20000 + i), name, int64(NamespacePgCatalog), int64(RoleOID), int64(12), float64(1), float64(0),
					int64(0), "-", "f", false, false, true, false, "i", "s", int16(0), int16(0), int64(25), []int64{}, nil, nil, nil, nil, nil, name, nil, nil, nil, nil})
			}
			for _, t := range builtinTypes {
				for _, f := range []string{t.input, t.output, t.receive, t.send} {
					if seen[f] || f == "-" {
						continue
					}
					seen[f] = true
					rows = append(rows, []any{procOID(f), f, int64(NamespacePgCatalog), int64(RoleOID), int64(12), float64(1), float64(0),
						int64(0), "-", "f", false, false, true, false, "i", "s", int16(1), int16(0), t.oid, []int64{}, nil, nil, nil, nil, nil, f, nil, nil, nil, nil})
				}
			}
			return rows
		})
	m["pg_description"] = emptyTable([]column{{"objoid", oidT}, {"classoid", oidT}, {"objsubid", i32}, {"description", textT}})
	m["pg_shdescription"] = emptyTable([]column{{"objoid", oidT}, {"classoid", oidT}, {"description", textT}})
	m["pg_index"] = emptyTable([]column{{"indexrelid", oidT}, {"indrelid", oidT}, {"indnatts", i16}, {"indnkeyatts", i16}, {"indisunique", boolT},
		{"indnullsnotdistinct", boolT}, {"indisprimary", boolT}, {"indisexclusion", boolT}, {"indimmediate", boolT}, {"indisclustered", boolT},
		{"indisvalid", boolT}, {"indcheckxmin", boolT}, {"indisready", boolT}, {"indislive", boolT}, {"indisreplident", boolT},
		{"indkey", i16A}, {"indcollation", oidA}, {"indclass", oidA}, {"indoption", i16A}, {"indexprs", textT}, {"indpred", textT}})
	m["pg_constraint"] = emptyTable([]column{{"oid", oidT}, {"conname", textT}, {"connamespace", oidT}, {"contype", textT},
		{"condeferrable", boolT}, {"condeferred", boolT}, {"convalidated", boolT}, {"conrelid", oidT}, {"contypid", oidT},
		{"conindid", oidT}, {"conparentid", oidT}, {"confrelid", oidT}, {"confupdtype", textT}, {"confdeltype", textT},
		{"confmatchtype", textT}, {"conislocal", boolT}, {"coninhcount", i32}, {"connoinherit", boolT}, {"conkey", i16A},
		{"confkey", i16A}, {"conpfeqop", oidA}, {"conppeqop", oidA}, {"conffeqop", oidA}, {"confdelsetcols", i16A},
		{"conexclop", oidA}, {"conbin", textT}})
	m["pg_inherits"] = emptyTable([]column{{"inhrelid", oidT}, {"inhparent", oidT}, {"inhseqno", i32}, {"inhdetachpending", boolT}})
	m["pg_enum"] = emptyTable([]column{{"oid", oidT}, {"enumtypid", oidT}, {"enumsortorder", f32}, {"enumlabel", textT}})
	m["pg_range"] = emptyTable([]column{{"rngtypid", oidT}, {"rngsubtype", oidT}, {"rngmultitypid", oidT}, {"rngcollation", oidT},
		{"rngsubopc", oidT}, {"rngcanonical", textT}, {"rngsubdiff", textT}})
	m["pg_attrdef"] = emptyTable([]column{{"oid", oidT}, {"adrelid", oidT}, {"adnum", i16}, {"adbin", textT}})
	m["pg_collation"] = newTable([]column{{"oid", oidT}, {"collname", textT}, {"collnamespace", oidT}, {"collowner", oidT},
		{"collprovider", textT}, {"collisdeterministic", boolT}, {"collencoding", i32}, {"collcollate", textT}, {"collctype", textT},
		{"colliculocale", textT}, {"collversion", textT}},
		func(ctx context.Context) [][]any {
			return [][]any{{int64(100), "default", int64(NamespacePgCatalog), int64(RoleOID), "d", true, int32(-1), nil, nil, nil, nil},
				{int64(950), "C", int64(NamespacePgCatalog), int64(RoleOID), "c", true, int32(-1), "C", "C", nil, nil}}
		})
	sessionTables(m)
	m["pg_extension"] = emptyTable([]column{{"oid", oidT}, {"extname", textT}, {"extowner", oidT}, {"extnamespace", oidT},
		{"extrelocatable", boolT}, {"extversion", textT}, {"extconfig", textA}, {"extcondition", textA}})
	m["pg_tablespace"] = newTable([]column{{"oid", oidT}, {"spcname", textT}, {"spcowner", oidT}, {"spcacl", textA}, {"spcoptions", textA}},
		func(ctx context.Context) [][]any {
			return [][]any{{int64(1663), "pg_default", int64(RoleOID), nil, nil}}
		})
	m["pg_stat_user_tables"] = newTable([]column{{"relid", oidT}, {"schemaname", textT}, {"relname", textT}, {"n_live_tup", types64()}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				if r.kind == "r" && !r.system {
					rows = append(rows, []any{OID("rel", r.schema, r.name), r.schema, r.name, int64(0)})
				}
			}
			return rows
		})
	m["pg_policy"] = emptyTable([]column{{"oid", oidT}, {"polname", textT}, {"polrelid", oidT}, {"polcmd", textT}, {"polpermissive", boolT},
		{"polroles", textA}, {"polqual", textT}, {"polwithcheck", textT}})
	m["pg_statistic_ext"] = emptyTable([]column{{"oid", oidT}, {"stxrelid", oidT}, {"stxname", textT}, {"stxnamespace", oidT},
		{"stxowner", oidT}, {"stxstattarget", i32}, {"stxkeys", textT}, {"stxkind", textA}, {"stxexprs", textT}})
	m["pg_publication"] = emptyTable([]column{{"oid", oidT}, {"pubname", textT}, {"pubowner", oidT}, {"puballtables", boolT},
		{"pubinsert", boolT}, {"pubupdate", boolT}, {"pubdelete", boolT}, {"pubtruncate", boolT}, {"pubviaroot", boolT}})
	m["pg_publication_rel"] = emptyTable([]column{{"oid", oidT}, {"prpubid", oidT}, {"prrelid", oidT}, {"prqual", textT}, {"prattrs", i16A}})
	m["pg_publication_namespace"] = emptyTable([]column{{"oid", oidT}, {"pnpubid", oidT}, {"pnnspid", oidT}})
	m["pg_foreign_table"] = emptyTable([]column{{"ftrelid", oidT}, {"ftserver", oidT}, {"ftoptions", textA}})
	m["pg_rewrite"] = emptyTable([]column{{"oid", oidT}, {"rulename", textT}, {"ev_class", oidT}, {"ev_type", textT}, {"ev_enabled", textT}, {"is_instead", boolT}})
	m["pg_trigger"] = emptyTable([]column{{"oid", oidT}, {"tgrelid", oidT}, {"tgparentid", oidT}, {"tgname", textT}, {"tgfoid", oidT}, {"tgtype", i16}, {"tgenabled", textT}, {"tgisinternal", boolT}})
	m["pg_depend"] = emptyTable([]column{{"classid", oidT}, {"objid", oidT}, {"objsubid", i32}, {"refclassid", oidT}, {"refobjid", oidT}, {"refobjsubid", i32}, {"deptype", textT}})
	m["pg_sequence"] = emptyTable([]column{{"seqrelid", oidT}, {"seqtypid", oidT}, {"seqstart", types64()}, {"seqincrement", types64()},
		{"seqmax", types64()}, {"seqmin", types64()}, {"seqcache", types64()}, {"seqcycle", boolT}})
	m["pg_settings"] = newTable([]column{{"name", textT}, {"setting", textT}, {"unit", textT}, {"category", textT}, {"short_desc", textT},
		{"extra_desc", textT}, {"context", textT}, {"vartype", textT}, {"source", textT}, {"min_val", textT}, {"max_val", textT},
		{"enumvals", textA}, {"boot_val", textT}, {"reset_val", textT}, {"sourcefile", textT}, {"sourceline", i32}, {"pending_restart", boolT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			if f, ok := ctx.Value(SettingsKey{}).(func() [][3]string); ok {
				for _, s := range f() {
					rows = append(rows, []any{s[0], s[1], nil, "Client Connection Defaults", s[2], nil, "user", "string", "default",
						nil, nil, nil, s[1], s[1], nil, nil, false})
				}
			}
			return rows
		})
	return m
}

// SettingsKey is the context key under which a session publishes its
// settings (name, value, description) for pg_settings.
type SettingsKey struct{}

func types64() arrow.DataType { return oidT }

// sessionUser is the user of the session reading the catalog: lakesql
// has one role (OID 10), named as whoever connected.
func sessionUser(ctx context.Context) string {
	if f, ok := ctx.Value(SettingsKey{}).(func() [][3]string); ok {
		for _, s := range f() {
			if s[0] == "session_authorization" && s[1] != "" {
				return s[1]
			}
		}
	}
	return "lakesql"
}

func infoTables(l *lister) map[string]*table {
	m := map[string]*table{}
	m["schemata"] = newTable([]column{{"catalog_name", textT}, {"schema_name", textT}, {"schema_owner", textT},
		{"default_character_set_catalog", textT}, {"default_character_set_schema", textT}, {"default_character_set_name", textT}, {"sql_path", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, s := range l.catalog(ctx).Schemas(ctx) {
				rows = append(rows, []any{l.db, s, "lakesql", nil, nil, nil, nil})
			}
			return rows
		})
	m["tables"] = newTable([]column{{"table_catalog", textT}, {"table_schema", textT}, {"table_name", textT}, {"table_type", textT},
		{"self_referencing_column_name", textT}, {"reference_generation", textT}, {"user_defined_type_catalog", textT},
		{"user_defined_type_schema", textT}, {"user_defined_type_name", textT}, {"is_insertable_into", textT}, {"is_typed", textT},
		{"commit_action", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				tt := "BASE TABLE"
				if r.kind == "v" {
					tt = "VIEW"
				}
				ins := "NO"
				if r.kind == "r" && !r.system {
					ins = "YES"
				}
				rows = append(rows, []any{l.db, r.schema, r.name, tt, nil, nil, nil, nil, nil, ins, "NO", nil})
			}
			return rows
		})
	m["views"] = newTable([]column{{"table_catalog", textT}, {"table_schema", textT}, {"table_name", textT}, {"view_definition", textT},
		{"check_option", textT}, {"is_updatable", textT}, {"is_insertable_into", textT}, {"is_trigger_updatable", textT},
		{"is_trigger_deletable", textT}, {"is_trigger_insertable_into", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				if r.kind == "v" {
					rows = append(rows, []any{l.db, r.schema, r.name, "", "NONE", "NO", "NO", "NO", "NO", "NO"})
				}
			}
			return rows
		})
	m["columns"] = newTable([]column{{"table_catalog", textT}, {"table_schema", textT}, {"table_name", textT}, {"column_name", textT},
		{"ordinal_position", i32}, {"column_default", textT}, {"is_nullable", textT}, {"data_type", textT},
		{"character_maximum_length", i32}, {"character_octet_length", i32}, {"numeric_precision", i32}, {"numeric_precision_radix", i32},
		{"numeric_scale", i32}, {"datetime_precision", i32}, {"interval_type", textT}, {"interval_precision", i32},
		{"character_set_catalog", textT}, {"character_set_schema", textT}, {"character_set_name", textT}, {"collation_catalog", textT},
		{"collation_schema", textT}, {"collation_name", textT}, {"domain_catalog", textT}, {"domain_schema", textT}, {"domain_name", textT},
		{"udt_catalog", textT}, {"udt_schema", textT}, {"udt_name", textT}, {"scope_catalog", textT}, {"scope_schema", textT},
		{"scope_name", textT}, {"maximum_cardinality", i32}, {"dtd_identifier", textT}, {"is_self_referencing", textT},
		{"is_identity", textT}, {"identity_generation", textT}, {"identity_start", textT}, {"identity_increment", textT},
		{"identity_maximum", textT}, {"identity_minimum", textT}, {"identity_cycle", textT}, {"is_generated", textT},
		{"generation_expression", textT}, {"is_updatable", textT}},
		func(ctx context.Context) [][]any {
			var rows [][]any
			for _, r := range l.relations(ctx) {
				for i, f := range r.fields {
					oid, _, mod := TypeInfo(f.Type)
					dt, udt := infoTypeName(int64(oid))
					var prec, scale, radix any
					switch oid {
					case OIDInt2:
						prec, radix, scale = int32(16), int32(2), int32(0)
					case OIDInt4:
						prec, radix, scale = int32(32), int32(2), int32(0)
					case OIDInt8:
						prec, radix, scale = int32(64), int32(2), int32(0)
					case OIDFloat4:
						prec, radix = int32(24), int32(2)
					case OIDFloat8:
						prec, radix = int32(53), int32(2)
					case OIDNumeric:
						if mod > 0 {
							prec, radix, scale = int32((mod-4)>>16), int32(10), int32((mod-4)&0xffff)
						} else {
							radix = int32(10)
						}
					}
					nullable := "YES"
					if i < len(r.notNull) && r.notNull[i] {
						nullable = "NO"
					}
					rows = append(rows, []any{l.db, r.schema, r.name, f.Name, int32(i + 1), nil, nullable, dt, nil, nil, prec, radix, scale,
						nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, l.db, "pg_catalog", udt, nil, nil, nil, nil,
						itoa(i + 1), "NO", "NO", nil, nil, nil, nil, nil, "NO", "NEVER", nil, "YES"})
				}
			}
			return rows
		})
	m["key_column_usage"] = emptyTable([]column{{"constraint_catalog", textT}, {"constraint_schema", textT}, {"constraint_name", textT},
		{"table_catalog", textT}, {"table_schema", textT}, {"table_name", textT}, {"column_name", textT}, {"ordinal_position", i32},
		{"position_in_unique_constraint", i32}})
	m["table_constraints"] = emptyTable([]column{{"constraint_catalog", textT}, {"constraint_schema", textT}, {"constraint_name", textT},
		{"table_catalog", textT}, {"table_schema", textT}, {"table_name", textT}, {"constraint_type", textT}, {"is_deferrable", textT},
		{"initially_deferred", textT}, {"enforced", textT}, {"nulls_distinct", textT}})
	m["referential_constraints"] = emptyTable([]column{{"constraint_catalog", textT}, {"constraint_schema", textT}, {"constraint_name", textT},
		{"unique_constraint_catalog", textT}, {"unique_constraint_schema", textT}, {"unique_constraint_name", textT},
		{"match_option", textT}, {"update_rule", textT}, {"delete_rule", textT}})
	m["routines"] = emptyTable([]column{{"specific_catalog", textT}, {"specific_schema", textT}, {"specific_name", textT},
		{"routine_catalog", textT}, {"routine_schema", textT}, {"routine_name", textT}, {"routine_type", textT}, {"data_type", textT}})
	return m
}

// infoTypeName is information_schema's data_type and udt_name for an OID.
func infoTypeName(oid int64) (string, string) {
	switch oid {
	case OIDBool:
		return "boolean", "bool"
	case OIDInt2:
		return "smallint", "int2"
	case OIDInt4:
		return "integer", "int4"
	case OIDInt8:
		return "bigint", "int8"
	case OIDFloat4:
		return "real", "float4"
	case OIDFloat8:
		return "double precision", "float8"
	case OIDNumeric:
		return "numeric", "numeric"
	case OIDText:
		return "text", "text"
	case OIDBytea:
		return "bytea", "bytea"
	case OIDDate:
		return "date", "date"
	case OIDTime:
		return "time without time zone", "time"
	case OIDTimestamp:
		return "timestamp without time zone", "timestamp"
	case OIDTimestampTZ:
		return "timestamp with time zone", "timestamptz"
	case OIDInterval:
		return "interval", "interval"
	case OIDRecord:
		return "USER-DEFINED", "record"
	}
	name := TypeName(oid)
	if strings.HasPrefix(name, "_") {
		return "ARRAY", name
	}
	return "text", "text"
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

// FunctionNames are the functions pg_proc lists (the ones lakesql runs).
var FunctionNames = []string{"abs", "age", "array_to_string", "ascii", "avg", "bool_and", "bool_or", "btrim", "cbrt", "ceil",
	"chr", "coalesce", "concat", "concat_ws", "count", "current_database", "current_schema", "current_schemas", "current_setting",
	"date_part", "date_trunc", "exp", "floor", "format_type", "generate_series", "greatest", "has_database_privilege",
	"has_schema_privilege", "has_table_privilege", "initcap", "least", "left", "length", "ln", "log", "lower", "lpad", "ltrim",
	"max", "md5", "min", "mod", "now", "nullif", "obj_description", "col_description", "pg_backend_pid", "pg_encoding_to_char",
	"pg_get_constraintdef", "pg_get_expr", "pg_get_indexdef", "pg_get_userbyid", "pg_table_is_visible", "position", "power",
	"quote_ident", "random", "regexp_replace", "repeat", "replace", "reverse", "right", "round", "rpad", "rtrim", "set_config",
	"sign", "split_part", "sqrt", "stddev", "string_agg", "strpos", "substring", "sum", "to_hex", "translate", "trunc",
	"unnest", "upper", "variance", "version"}

var _ = catalog.DefaultSchema

// procOID is the pg_proc OID of a built-in function.
func procOID(name string) int64 {
	if name == "-" {
		return 0 // no such function
	}
	return OID("proc", "pg_catalog", name)
}
