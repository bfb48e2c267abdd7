// The least a Node program can do for a listing, with the drivers the product uses: load the driver
// (mysql2 as glance-barclamp loads it, its bundled chunk with its code cache; better-sqlite3),
// connect, run one statement whose rows are one value each, and write them. No options, schema,
// checks or formatting: what is left of a listing's time when all of glance-barclamp's own is gone.
// node bench/floor-reader.mjs sqlite PATH SQL | mysql PORT DATABASE SQL
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const [engine, ...args] = process.argv.slice(2);
if (engine === "sqlite") {
  const [path, sql] = args;
  const Database = require("better-sqlite3");
  const db = new Database(path, { readonly: true });
  process.stdout.write(`${db.prepare(sql).pluck().all().join("\n")}\n`);
} else {
  const [port, database, sql] = args;
  const { loadCompiled, DRIVER } = require("../dist/bin/glance-barclamp.cjs");
  const mysql = loadCompiled(DRIVER).exports.callbacks;
  const connection = mysql.createConnection({ host: "127.0.0.1", port: Number(port), user: "bench", password: "bench", database });
  let batch = [];
  connection
    .query({ sql, rowsAsArray: true })
    .on("result", (row) => {
      if (batch.push(row[0]) < 1000) return;
      process.stdout.write(`${batch.join("\n")}\n`);
      batch = [];
    })
    .on("error", (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    })
    .on("end", () => {
      process.stdout.write(`${batch.join("\n")}\n`);
      connection.end();
    });
}
