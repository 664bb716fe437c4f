package pgcatalog

import (
	"strings"

	"github.com/lakesql/lakesql/executor/expr"
	"github.com/lakesql/lakesql/types"
)

// The has_*_privilege family answers for the one user lakesql has. Files
// are read-only, so on tables only reading privileges are held (Metabase
// and DBeaver use the answers to decide what to offer); schemas and the
// database allow everything a session can do. As in PostgreSQL, the
// privilege argument (always the last) may list several, and the answer
// is whether any of them is held. The user and object arguments may be
// left out or given by name or OID.
func registerPrivileges(r *expr.Registry) {
	held := func(allowed ...string) expr.RowFunc {
		return func(a []any) (any, error) {
			if len(a) == 0 {
				return nil, nil
			}
			priv, ok := a[len(a)-1].(string)
			if !ok {
				return nil, nil
			}
			for _, p := range strings.Split(strings.ToLower(priv), ",") {
				p = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), " with grant option"))
				for _, al := range allowed {
					if p == al {
						return true, nil
					}
				}
			}
			return false, nil
		}
	}
	for _, name := range []string{"has_table_privilege", "has_any_column_privilege", "has_column_privilege", "has_sequence_privilege"} {
		r.RegisterVariadicRowFunc(name, types.Bool, held("select", "references"))
	}
	r.RegisterVariadicRowFunc("has_schema_privilege", types.Bool, held("usage", "create"))
	r.RegisterVariadicRowFunc("has_database_privilege", types.Bool, held("connect", "temporary", "temp", "create"))
	r.RegisterVariadicRowFunc("has_function_privilege", types.Bool, held("execute"))
	r.RegisterVariadicRowFunc("has_type_privilege", types.Bool, held("usage"))
}
