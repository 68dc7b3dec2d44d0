// main.js
const { createPool } = require('weft-pool');

async function main() {
  const pool = createPool({ module: require.resolve('./tasks.js'), backend: 'thread', workers: 2 });
  const [a, b] = await Promise.all([pool.call.countPrimes(0, 500_000), pool.call.countPrimes(500_000, 1_000_000)]);
  console.log(a + b); // 78498
  await pool.close();
}
main();
