"""psycopg2, SQLAlchemy and pandas against a lakesql server on the demo data.

Usage: python3 python_check.py HOST PORT. Prints "ok <check>" lines and
exits non-zero on the first failure.
"""
import datetime
import decimal
import sys

import psycopg2

host, port = sys.argv[1], int(sys.argv[2])
dsn = dict(host=host, port=port, user="lakesql", dbname="lake")


def check(name, cond, detail=""):
    if not cond:
        print("FAIL", name, detail)
        sys.exit(1)
    print("ok", name)


conn = psycopg2.connect(**dsn)
cur = conn.cursor()
cur.execute("SELECT order_id, amount, sold_at::date, city FROM sales WHERE order_id = %s", (1,))
row = cur.fetchone()
check("psycopg2 int", isinstance(row[0], int) and row[0] == 1, repr(row))
check("psycopg2 numeric", isinstance(row[1], decimal.Decimal), repr(row))
check("psycopg2 date", isinstance(row[2], datetime.date), repr(row))
check("psycopg2 text", isinstance(row[3], str), repr(row))
cur.execute("SELECT count(*) FROM cities WHERE population > %s AND country <> %s", (1000000, "Kenya"))
check("psycopg2 params", cur.fetchone()[0] == 4)
try:
    cur.execute("SELECT * FROM nowhere")
    check("psycopg2 error", False)
except psycopg2.Error as e:
    check("psycopg2 error", e.pgcode == "42P01", e.pgcode)
conn.rollback()
cur.execute("SELECT 1")
check("psycopg2 usable after error", cur.fetchone()[0] == 1)
# A named (server-side) cursor uses DECLARE/FETCH.
named = conn.cursor("c1")
named.itersize = 100
named.execute("SELECT order_id FROM sales ORDER BY order_id")
ids = [r[0] for r in named]
check("psycopg2 named cursor", len(ids) == 1000 and ids[0] == 1 and ids[-1] == 1000, str(len(ids)))
named.close()
conn.close()

import sqlalchemy as sa

engine = sa.create_engine("postgresql+psycopg2://lakesql@%s:%d/lake" % (host, port))
insp = sa.inspect(engine)
schemas = insp.get_schema_names()
check("sqlalchemy schemas", "public" in schemas and "tpch" in schemas, repr(schemas))
tables = insp.get_table_names()
check("sqlalchemy tables", {"cities", "events", "sales"} <= set(tables), repr(tables))
check("sqlalchemy schema tables", set(insp.get_table_names(schema="tpch")) == {"nation", "region"})
cols = insp.get_columns("cities")
names = [c["name"] for c in cols]
check("sqlalchemy columns", names == ["name", "country", "population", "founded"], repr(names))
check("sqlalchemy column types", str(cols[2]["type"]) == "BIGINT" and str(cols[3]["type"]) == "DATE", repr([str(c["type"]) for c in cols]))

# What Superset asks of the inspector when a database is added and a
# dataset is created from a table (superset/db_engine_specs/base.py and
# models/core.py): views, keys, indexes and comments, all empty here.
check("sqlalchemy views", insp.get_view_names() == [], repr(insp.get_view_names()))
check("sqlalchemy has_table", insp.has_table("sales") and not insp.has_table("nowhere"))
pk = insp.get_pk_constraint("sales")
check("sqlalchemy pk", pk.get("constrained_columns") == [], repr(pk))
check("sqlalchemy foreign keys", insp.get_foreign_keys("sales") == [], repr(insp.get_foreign_keys("sales")))
check("sqlalchemy indexes", insp.get_indexes("sales") == [], repr(insp.get_indexes("sales")))
check("sqlalchemy unique constraints", insp.get_unique_constraints("sales") == [])
check("sqlalchemy check constraints", insp.get_check_constraints("sales") == [])
check("sqlalchemy table comment", insp.get_table_comment("sales").get("text") is None, repr(insp.get_table_comment("sales")))
tcols = insp.get_columns("nation", schema="tpch")
check("sqlalchemy schema columns", [c["name"] for c in tcols][:2] == ["n_nationkey", "n_name"], repr(tcols))

import pandas as pd

with engine.connect() as c:
    df = pd.read_sql(sa.text("SELECT city, sum(amount) AS total FROM sales GROUP BY city ORDER BY city"), c)
check("pandas read_sql", len(df) == 8 and list(df.columns) == ["city", "total"], repr(df.head()))
print("all python checks passed")
