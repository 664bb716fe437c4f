// pgjdbc against a lakesql server on the demo data.
// Usage: java -cp postgresql.jar:. Check HOST PORT
import java.sql.*;
import java.util.*;

public class Check {
    static void check(String name, boolean ok, Object detail) {
        if (!ok) {
            System.out.println("FAIL " + name + " " + detail);
            System.exit(1);
        }
        System.out.println("ok " + name);
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/lake?prepareThreshold=1&sslmode=disable";
        try (Connection c = DriverManager.getConnection(url, "lakesql", "")) {
            DatabaseMetaData md = c.getMetaData();
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
            }
            check("getSchemas", schemas.contains("public") && schemas.contains("tpch"), schemas);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "%", new String[]{"TABLE"})) {
                while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
            }
            check("getTables", tables.containsAll(Arrays.asList("cities", "events", "sales")), tables);
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "cities", "%")) {
                while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
            }
            check("getColumns", cols.equals(Arrays.asList("name:text", "country:text", "population:int8", "founded:date")), cols);
            // What Metabase and DBeaver read next through DatabaseMetaData:
            // keys and indexes (none on files), types, the catalog name.
            check("getPrimaryKeys", count(md.getPrimaryKeys(null, "public", "cities")) == 0, "");
            check("getImportedKeys", count(md.getImportedKeys(null, "public", "cities")) == 0, "");
            check("getExportedKeys", count(md.getExportedKeys(null, "public", "cities")) == 0, "");
            check("getIndexInfo", count(md.getIndexInfo(null, "public", "cities", false, true)) == 0, "");
            check("getTypeInfo", count(md.getTypeInfo()) > 10, "");
            check("getCatalogs", count(md.getCatalogs()) == 1, "");
            check("getTableTypes", count(md.getTableTypes()) > 0, "");
            List<String> tpch = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "tpch", "%", null)) {
                while (rs.next()) tpch.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            check("getTables tpch", tpch.equals(Arrays.asList("nation:TABLE", "region:TABLE")), tpch);
            // prepareThreshold=1: the second execution uses a named server-side statement.
            try (PreparedStatement ps = c.prepareStatement("SELECT name, population FROM cities WHERE population > ? ORDER BY population DESC")) {
                for (int round = 0; round < 3; round++) {
                    ps.setLong(1, 3000000L);
                    try (ResultSet rs = ps.executeQuery()) {
                        int n = 0;
                        String first = null;
                        while (rs.next()) {
                            if (n == 0) first = rs.getString(1);
                            n++;
                        }
                        check("prepared round " + round, n == 3 && "São Paulo".equals(first), n + " " + first);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT sum(amount), max(sold_at) FROM sales WHERE city = ?")) {
                ps.setString(1, "Osaka");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("numeric and timestamp", rs.getBigDecimal(1).toPlainString().equals("1486.84") && rs.getTimestamp(2) != null, rs.getBigDecimal(1));
                }
            }
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1/0");
                check("error", false, "no error");
            } catch (SQLException e) {
                check("error", "22012".equals(e.getSQLState()), e.getSQLState());
            }
            // Autocommit off: pgjdbc sends BEGIN with the first statement;
            // after an error every statement fails with 25P02 until ROLLBACK.
            c.setAutoCommit(false);
            String[] bad = {"SELECT nosuchcolumn FROM cities", "SELECT 1/(population - population) FROM cities"};
            for (String sql : bad) {
                try (Statement st = c.createStatement()) {
                    st.executeQuery("SELECT 1").close();
                    try (ResultSet rs = st.executeQuery(sql)) {
                        while (rs.next()) { }
                    }
                    check("error in transaction", false, sql);
                } catch (SQLException e) {
                    check("error in transaction " + e.getSQLState(), e.getSQLState().equals("42703") || e.getSQLState().equals("22012"), e.getSQLState());
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
                    ps.setInt(1, 1);
                    ps.executeQuery().close();
                    check("25P02 after an error", false, "no error");
                } catch (SQLException e) {
                    check("25P02 after an error", "25P02".equals(e.getSQLState()), e.getSQLState());
                }
                c.rollback();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 5")) {
                    rs.next();
                    check("after rollback", rs.getInt(1) == 5, rs.getInt(1));
                }
                c.commit();
            }
            c.setAutoCommit(true);
        }
        System.out.println("all jdbc checks passed");
    }

    static int count(ResultSet rs) throws SQLException {
        int n = 0;
        try (rs) {
            while (rs.next()) n++;
        }
        return n;
    }
}
