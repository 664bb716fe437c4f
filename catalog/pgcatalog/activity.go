package pgcatalog

import (
	"context"
	"strings"
)

// sessionTables are catalogs about server activity, replication and
// roles that administration tools (pgAdmin, DBeaver) read on connect.
// lakesql has no replication, one role and no membership, so most are
// empty; they exist with PostgreSQL's columns so those queries run.
func sessionTables(m map[string]*table) {
	m["pg_stat_gssapi"] = emptyTable([]column{{"pid", i32}, {"gss_authenticated", boolT}, {"principal", textT}, {"encrypted", boolT}})
	m["pg_stat_ssl"] = emptyTable([]column{{"pid", i32}, {"ssl", boolT}, {"version", textT}, {"cipher", textT}, {"bits", i32},
		{"client_dn", textT}, {"client_serial", textT}, {"issuer_dn", textT}})
	m["pg_replication_slots"] = emptyTable([]column{{"slot_name", textT}, {"plugin", textT}, {"slot_type", textT}, {"datoid", oidT},
		{"database", textT}, {"temporary", boolT}, {"active", boolT}, {"active_pid", i32}, {"restart_lsn", textT},
		{"confirmed_flush_lsn", textT}, {"wal_status", textT}})
	m["pg_stat_replication"] = emptyTable([]column{{"pid", i32}, {"usesysid", oidT}, {"usename", textT}, {"application_name", textT},
		{"client_addr", textT}, {"state", textT}, {"sync_state", textT}})
	m["pg_auth_members"] = emptyTable([]column{{"oid", oidT}, {"roleid", oidT}, {"member", oidT}, {"grantor", oidT}, {"admin_option", boolT}})
	m["pg_stat_activity"] = emptyTable([]column{{"datid", oidT}, {"datname", textT}, {"pid", i32}, {"leader_pid", i32}, {"usesysid", oidT},
		{"usename", textT}, {"application_name", textT}, {"client_addr", textT}, {"client_hostname", textT}, {"client_port", i32},
		{"backend_start", textT}, {"xact_start", textT}, {"query_start", textT}, {"state_change", textT}, {"wait_event_type", textT},
		{"wait_event", textT}, {"state", textT}, {"backend_xid", textT}, {"backend_xmin", textT}, {"query_id", types64()},
		{"query", textT}, {"backend_type", textT}})
	m["pg_get_keywords"] = newTable([]column{{"word", textT}, {"catcode", textT}, {"barelabel", boolT}, {"catdesc", textT}, {"baredesc", textT}},
		func(context.Context) [][]any {
			var rows [][]any
			for _, w := range strings.Fields(reservedKeywords) {
				rows = append(rows, []any{w, "R", true, "reserved", "can be bare label"})
			}
			return rows
		})
}

// reservedKeywords are PostgreSQL 15's reserved key words.
const reservedKeywords = `all analyse analyze and any array as asc asymmetric both case cast check collate column
	constraint create current_catalog current_date current_role current_time current_timestamp current_user default
	deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect
	into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references
	returning select session_user some symmetric system_user table then to trailing true union unique user using
	variadic when where window with`
