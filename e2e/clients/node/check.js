// node-postgres against a lakesql server on the demo data.
// Usage: node check.js HOST PORT
const { Pool } = require('pg');

const [host, port] = process.argv.slice(2);
const pool = new Pool({ host, port: Number(port), user: 'lakesql', database: 'lake', max: 4 });

function check(name, cond, detail) {
  if (!cond) {
    console.log('FAIL', name, detail === undefined ? '' : JSON.stringify(detail));
    process.exit(1);
  }
  console.log('ok', name);
}

(async () => {
  const r = await pool.query('SELECT name, population FROM cities WHERE population > $1 ORDER BY population DESC', [3000000]);
  check('params', r.rows.length === 3 && r.rows[0].name === 'São Paulo', r.rows);
  check('bigint as string', r.rows[0].population === '11451245', r.rows[0]);
  const many = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => pool.query('SELECT $1::int * 2 AS v', [i])));
  check('pool', many.every((res, i) => res.rows[0].v === (i + 1) * 2), many.map((m) => m.rows[0]));
  try {
    await pool.query('SELECT 1/0');
    check('error', false);
  } catch (e) {
    check('error', e.code === '22012', e.code);
  }
  const t = await pool.query("SELECT count(*)::int AS n FROM sales WHERE city = $1", ['Osaka']);
  check('after error', t.rows[0].n === 126, t.rows);
  await pool.end();
  console.log('all node checks passed');
})().catch((e) => { console.log('FAIL', e.message); process.exit(1); });
