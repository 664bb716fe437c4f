-- source: pgAdmin 4 connecting a server (web/pgadmin/utils/driver/psycopg3
-- connection.py _initialize, then the server and database nodes): the
-- startup batch is one simple-query message and a failure in it closes the
-- connection. Texts as captured in datafusion-contrib/datafusion-postgres
-- issue #178 and the pgAdmin compatibility checks of other proxies.

---- startup batch
SET DateStyle=ISO; SET client_min_messages=notice; SELECT set_config('bytea_output','hex',false) FROM pg_show_all_settings() WHERE name = 'bytea_output'; SET client_encoding='utf-8';
-- want #2: hex
---- version
SELECT version()
-- want-rows: 1
---- this database
SELECT db.oid as did, db.datname, db.datallowconn,
       pg_encoding_to_char(db.encoding) AS serverencoding,
       has_database_privilege(db.oid, 'CREATE') as cancreate,
       datistemplate
FROM pg_catalog.pg_database db
WHERE db.datname = current_database()
-- want: *|lake|t|UTF8|*|f
---- gssapi
SELECT gss_authenticated, encrypted
FROM pg_catalog.pg_stat_gssapi
WHERE pid = pg_backend_pid()
-- want-rows: 0
---- role
SELECT roles.oid as id, roles.rolname as name,
       roles.rolsuper as is_superuser,
       CASE WHEN roles.rolsuper THEN true ELSE roles.rolcreaterole END as can_create_role,
       CASE WHEN roles.rolsuper THEN true ELSE roles.rolcreatedb END as can_create_db,
       CASE WHEN 'pg_signal_backend'=ANY(ARRAY(WITH RECURSIVE cte AS (
         SELECT pg_roles.oid,pg_roles.rolname FROM pg_catalog.pg_roles
         WHERE pg_roles.oid = roles.oid
         UNION ALL
         SELECT m.roleid,pgr.rolname FROM cte cte_1
         JOIN pg_catalog.pg_auth_members m ON m.member = cte_1.oid
         JOIN pg_catalog.pg_roles pgr ON pgr.oid = m.roleid)
         SELECT rolname FROM cte)) THEN True ELSE False END as can_signal_backend
FROM pg_catalog.pg_roles as roles
WHERE rolname = current_user
-- want-rows: 1
---- recovery
SELECT CASE WHEN usesuper
       THEN pg_catalog.pg_is_in_recovery()
       ELSE FALSE END as inrecovery,
       CASE WHEN usesuper AND pg_catalog.pg_is_in_recovery()
       THEN pg_is_wal_replay_paused()
       ELSE FALSE END as isreplaypaused
FROM pg_catalog.pg_user WHERE usename=current_user
-- want: f|f
---- replication type
SELECT CASE
WHEN (SELECT count(extname) FROM pg_catalog.pg_extension WHERE extname='bdr') > 0
THEN 'pgd'
WHEN (SELECT COUNT(*) FROM pg_catalog.pg_replication_slots) > 0
THEN 'log'
ELSE NULL
END as type
-- want: <null>
-- want-rows: 1
---- database tree
SELECT db.oid as did, db.datname as name, ta.spcname as spcname, db.datallowconn,
       db.datistemplate AS is_template,
       pg_catalog.has_database_privilege(db.oid, 'CREATE') as cancreate, datdba as owner,
       descr.description
FROM pg_catalog.pg_database db
LEFT OUTER JOIN pg_catalog.pg_tablespace ta ON
  db.dattablespace = ta.oid
LEFT OUTER JOIN pg_catalog.pg_shdescription descr ON
  (db.oid=descr.objoid AND descr.classoid='pg_database'::regclass)
ORDER BY datname
-- want: *|lake|pg_default|t|f|*|*|<null>
