-- source: Tableau's PostgreSQL connector is psqlODBC: its connection setup
-- (connection.c: SHOW DateStyle, SET DateStyle, show transaction_isolation,
-- max_identifier_length, the large-object type probe, current_schema) and
-- its catalog functions (info.c: SQLTables, SQLColumns with
-- TABLE_IN_RELKIND and operator(pg_catalog.=)), from
-- postgresql-interfaces/psqlodbc; Tableau's own statements (show
-- "lc_collate", cursors with hold fetched 2048 rows at a time, ORDER BY 1
-- ASC NULLS FIRST) from treasure-data/prestogres #29, ildus/clickhouse_fdw
-- #42 and crate/crate #10212.

---- date style
SHOW DateStyle;
-- want: ISO, MDY
---- date style and isolation
SET DateStyle = 'ISO';show transaction_isolation
-- want: read committed
---- identifier length
show max_identifier_length
-- want: 63
---- large objects
select oid, typbasetype from pg_type where typname = 'lo'
-- want-rows: 0
---- schema
select current_schema()
-- want: public
---- encoding
set client_encoding to 'UTF8'
---- float digits
set extra_float_digits to 2
---- collation
show "lc_collate"
-- want-rows: 1

---- SQLTables
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like E'public' and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
-- want: cities|public|r
-- want: events|public|r
-- want: sales|public|r
-- want-rows: 3

---- SQLColumns
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, 0, attidentity, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like E'sales' and n.nspname like E'public') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum operator(pg_catalog.>) 0 and a.attrelid operator(pg_catalog.=) c.oid) inner join pg_catalog.pg_type t on t.oid operator(pg_catalog.=) a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum order by n.nspname, c.relname, attnum
-- want: public|sales|order_id|20|int8|1|8|-1|f|f|r|{{oid:public.sales}}|<null>|0|-1|0||f
-- want: public|sales|amount|1700|numeric|5|-1|655366|f|f|r|{{oid:public.sales}}|<null>|0|-1|0||f
-- want-rows: 6

---- domain of values through a cursor
BEGIN;declare "SQL_CUR0x7fd83880dc00" cursor with hold for SELECT CAST("sales"."city" AS TEXT) AS "city"
FROM "public"."sales" "sales"
GROUP BY 1
ORDER BY 1 ASC NULLS FIRST;fetch 2048 in "SQL_CUR0x7fd83880dc00"
-- want-rows: 8
---- close the cursor
close "SQL_CUR0x7fd83880dc00";COMMIT

---- data through a cursor
BEGIN;declare "SQL_CUR0x7fd83880dc01" cursor with hold for SELECT "sales"."order_id" AS "order_id",
  "sales"."amount" AS "amount",
  "sales"."sold_at" AS "sold_at"
FROM "public"."sales" "sales"
LIMIT 5000;fetch 2048 in "SQL_CUR0x7fd83880dc01"
-- want-rows: 1000
---- next batch is empty
fetch 2048 in "SQL_CUR0x7fd83880dc01"
-- want-rows: 0
---- close
close "SQL_CUR0x7fd83880dc01";COMMIT
