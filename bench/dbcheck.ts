/**
 * Token totals read back from an ingested database, in a child process of its own:
 *   node dist/bench/dbcheck.js --db FILE --what raw|facts
 *
 * raw      bench/sql/raw_tokens.sql over the raw `logs` table (ingest only, no agent mapping)
 * facts    buildModel() (src/model/facts.ts), then the normalized `model_calls` table
 * signals  bench/sql/signal_consistency.sql: input/output tokens per agent as each signal tells them
 * Prints JSON: { byModel: [{agent, model, input, cacheRead, cacheWrite, output, reasoning, calls}] }
 * (signals: { sources: [{agent, source, input, output}] }).
 */
import { readFileSync } from 'node:fs';
import { fromRoot } from '../src/paths.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const db = args[args.indexOf('--db') + 1];
  const what = args[args.indexOf('--what') + 1] ?? 'raw';
  let rows: Record<string, unknown>[];
  if (what === 'signals') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    const r = (await conn.runAndReadAll(readFileSync(fromRoot('bench', 'sql', 'signal_consistency.sql'), 'utf8'))).getRowObjectsJson() as Record<string, unknown>[];
    conn.closeSync();
    instance.closeSync();
    const sources = r.map((x) => ({ agent: String(x.agent), source: String(x.source), input: x.input === null ? null : Number(x.input), output: x.output === null ? null : Number(x.output) }));
    process.stdout.write(JSON.stringify({ sources }) + '\n');
    return;
  }
  if (what === 'raw') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    rows = (await conn.runAndReadAll(readFileSync(fromRoot('bench', 'sql', 'raw_tokens.sql'), 'utf8'))).getRowObjectsJson() as Record<string, unknown>[];
    conn.closeSync();
    instance.closeSync();
  } else {
    const { openDb } = await import('../src/model/db.js');
    const { buildModel } = await import('../src/model/facts.js');
    const d = await openDb(db);
    await buildModel(d);
    const r = await d.conn.runAndReadAll(
      `SELECT agent, model, sum(input) AS input, sum(cache_read) AS "cacheRead", sum(cache_write) AS "cacheWrite", sum(output) AS output,
              sum(reasoning) AS reasoning, count(*) AS calls FROM model_calls GROUP BY ALL ORDER BY ALL`,
    );
    rows = r.getRowObjectsJson() as Record<string, unknown>[];
    d.close();
  }
  const byModel = rows.map((r) => ({
    agent: String(r.agent),
    model: String(r.model),
    input: Number(r.input),
    cacheRead: Number(r.cacheRead),
    cacheWrite: Number(r.cacheWrite),
    output: Number(r.output),
    reasoning: Number(r.reasoning),
    calls: Number(r.calls),
  }));
  process.stdout.write(JSON.stringify({ byModel }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
