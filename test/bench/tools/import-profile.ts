/**
 * Where a large household import's time goes as the table grows, window by window: to tell a
 * slowdown of the import's own work (more DynamoDB calls or items a row, more importer CPU a row)
 * from one of the store's (the same calls, each dearer). Generates the `household-import` bench's
 * CSV or workbook (`--people`, sites included), starts a fresh DynamoDB Local (in memory), and runs the import
 * core in this process (the same `runImport` as the importer Lambda and `npm start`) with a
 * middleware on the shared DynamoDB client counting each command's calls, items and time. Every
 * `--window` rows committed (the job's counters, read every second, from the end of the check pass
 * that reads the whole file before its first chunk) it prints:
 *
 * - rows per second, the importer's CPU a row (this process: main thread and libuv), V8's GC time a row;
 * - DynamoDB Local's CPU a row, in all and its busiest threads by name (Linux `/proc/<pid>/task`;
 *   its single `SQLiteQueue` thread is where an in-memory DynamoDB Local spends most of its time);
 * - each DynamoDB command's calls and items per 1,000 rows and milliseconds a call (a Query is named
 *   by its index or its key's prefix, e.g. `Query HHDOCRECENT`).
 *
 * and at the end the first window beside the last. With `--cpu-profile 2,8` it writes V8 CPU
 * profiles of those windows (`import-profile-w2.cpuprofile`, …, into the working directory; open
 * them in Chrome's DevTools).
 *
 * Run it as the bench runs the importing process, its heap capped as the importer Lambda's:
 * `npm run bench:import-profile -- --people 500000 --window 50000 [--format kobo-xlsx]` (the bench's
 * KoBoToolbox workbook of the same people instead of its CSV).
 * The import stops when its job is COMPLETED, before its duplicate pass.
 */
import { createReadStream, createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { householdCsvLines, writeKoboXlsx } from '../../../infra/local/gen-households.ts';
import { uploadedImportJob } from '../lib/import-job.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import { registerSites } from '../lib/register-sites.ts';
import { fixed, table } from '../lib/table.ts';

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '500000' },
    window: { type: 'string' },
    'cpu-profile': { type: 'string', default: '' },
    format: { type: 'string', default: 'csv' },
  },
});
if (args.format !== 'csv' && args.format !== 'kobo-xlsx') throw new Error('--format: csv or kobo-xlsx (the bench’s KoBoToolbox workbook of the same people)');
const people = Number(args.people);
const windowRows = Number(args.window ?? Math.max(1, Math.round(people / 10)));
const profileWindows = new Set(
  args['cpu-profile']
    .split(',')
    .filter(Boolean)
    .map((n) => Number(n)),
);
if (!Number.isInteger(people) || people < 1) throw new Error('--people: a positive whole number of people');
if (!Number.isInteger(windowRows) || windowRows < 1) throw new Error('--window: a positive whole number of rows');

/** One command's running totals. */
interface CallTotals {
  calls: number;
  items: number;
  ms: number;
}
/** The counters at a window's edge. */
interface Snapshot {
  ms: number;
  rows: number;
  cpuMicros: number;
  gcMs: number;
  heapMb: number;
  /** DynamoDB Local's CPU ticks (1/100 s) by thread name, `qtp…` (Jetty's request threads) summed. */
  dynamoTicks: Map<string, number>;
  calls: Map<string, CallTotals>;
}

const dir = await mkdtemp(join(tmpdir(), 'clearway-import-profile-'));
const stack = await startLocalStack();
try {
  const generate = { people, invalidRate: 0.05, seed: 1, withSites: true };
  const file = join(dir, args.format === 'csv' ? 'households.csv' : 'households.xlsx');
  process.stderr.write(`import-profile: writing ${people} people's ${args.format === 'csv' ? 'CSV' : 'KoBoToolbox XLSX'}\n`);
  const out = createWriteStream(file);
  if (args.format === 'csv') {
    for (const line of householdCsvLines(generate)) if (!out.write(line)) await once(out, 'drain');
    out.end();
  } else await writeKoboXlsx(generate, out);
  if (!out.writableFinished) await once(out, 'finish');

  await stack.createTable('import');
  Object.assign(process.env, stack.env('import'), { DATA_DIR: dir });
  await registerSites(stack, 'import');
  // Imported only now: the shared modules read their configuration (the table, the endpoint) when first loaded.
  const { documentClient } = await import('../../../shared/db/client.ts');
  const { runImport } = await import('../../../functions/importer/run-import.ts');
  const { getImportJob } = await import('../../../shared/db/repositories/household-imports.ts');
  const job = await uploadedImportJob(file);

  const calls = new Map<string, CallTotals>();
  documentClient.middlewareStack.add(
    (next, context) => async (callArgs) => {
      const started = performance.now();
      try {
        return await next(callArgs);
      } finally {
        const input = callArgs.input as {
          TransactItems?: unknown[];
          RequestItems?: Record<string, unknown[] | { Keys: unknown[] }>;
          IndexName?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        const command = String(context.commandName).replace(/Command$/, '');
        const name = command === 'Query' ? `Query ${input.IndexName ?? String(input.ExpressionAttributeValues?.[':pk'] ?? '?').split('#')[0]}` : command;
        const items = input.TransactItems
          ? input.TransactItems.length
          : input.RequestItems
            ? Object.values(input.RequestItems).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : v.Keys.length), 0)
            : 1;
        const totals = calls.get(name) ?? { calls: 0, items: 0, ms: 0 };
        totals.calls++;
        totals.items += items;
        totals.ms += performance.now() - started;
        calls.set(name, totals);
      }
    },
    { step: 'initialize', name: 'importProfileCounter' },
  );

  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });

  const dynamoPid = stack.dynamoDbPid;
  const dynamoTicks = (): Map<string, number> => {
    const ticks = new Map<string, number>();
    if (!dynamoPid) return ticks;
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${dynamoPid}/task`);
    } catch {
      return ticks; // no /proc (not Linux): DynamoDB Local's CPU is not measured
    }
    for (const tid of threads) {
      try {
        const line = readFileSync(`/proc/${dynamoPid}/task/${tid}/stat`, 'utf8');
        const name = line.slice(line.indexOf('(') + 1, line.lastIndexOf(')'));
        const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
        // utime and stime, fields 14 and 15 of proc(5): 11 and 12 after the name.
        const key = name.startsWith('qtp') ? 'qtp… (Jetty)' : name;
        ticks.set(key, (ticks.get(key) ?? 0) + Number(fields[11]) + Number(fields[12]));
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return ticks;
  };

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  let profiling: number | undefined;
  const profile = async (window: number) => {
    if (profiling !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      const file = `import-profile-w${profiling}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`import-profile: window ${profiling}'s CPU profile in ${file}\n`);
      profiling = undefined;
    }
    if (profileWindows.has(window)) {
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
      profiling = window;
    }
  };

  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const snapshot = (rows: number): Snapshot => {
    const cpu = process.cpuUsage(cpu0);
    return {
      ms: performance.now() - started,
      rows,
      cpuMicros: cpu.user + cpu.system,
      gcMs,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      dynamoTicks: dynamoTicks(),
      calls: new Map([...calls].map(([name, totals]) => [name, { ...totals }])),
    };
  };

  /** One window's figures, a row's or 1,000 rows' worth. */
  interface WindowFigures {
    from: number;
    to: number;
    rowsPerSecond: number;
    importerCpuMsPerRow: number;
    gcMsPerRow: number;
    heapMb: number;
    dynamoCpuMsPerRow: number;
    dynamoThreads: [string, number][];
    calls: [string, { callsPer1k: number; itemsPer1k: number; msPerCall: number }][];
  }
  const figures = (a: Snapshot, b: Snapshot): WindowFigures => {
    const rows = b.rows - a.rows;
    const dynamoThreads = [...b.dynamoTicks]
      .map(([name, ticks]): [string, number] => [name, ((ticks - (a.dynamoTicks.get(name) ?? 0)) * 10) / rows])
      .filter(([, ms]) => ms > 0)
      .sort((x, y) => y[1] - x[1]);
    return {
      from: a.rows,
      to: b.rows,
      rowsPerSecond: rows / ((b.ms - a.ms) / 1000),
      importerCpuMsPerRow: (b.cpuMicros - a.cpuMicros) / 1000 / rows,
      gcMsPerRow: (b.gcMs - a.gcMs) / rows,
      heapMb: b.heapMb,
      dynamoCpuMsPerRow: dynamoThreads.reduce((n, [, ms]) => n + ms, 0),
      dynamoThreads,
      calls: [...b.calls]
        .map(([name, t]): WindowFigures['calls'][number] => {
          const o = a.calls.get(name) ?? { calls: 0, items: 0, ms: 0 };
          const n = t.calls - o.calls;
          return [name, { callsPer1k: (n * 1000) / rows, itemsPer1k: ((t.items - o.items) * 1000) / rows, msPerCall: n ? (t.ms - o.ms) / n : 0 }];
        })
        .filter(([, c]) => c.callsPer1k > 0)
        .sort((x, y) => x[0].localeCompare(y[0])),
    };
  };
  const print = (w: WindowFigures, index: number) => {
    const threads = w.dynamoThreads
      .slice(0, 3)
      .map(([name, ms]) => `${name} ${fixed(ms, 2)}`)
      .join(', ');
    process.stdout.write(
      `\nwindow ${index}, rows ${w.from}–${w.to}: ${fixed(w.rowsPerSecond, 0)} rows/s; importer CPU ${fixed(w.importerCpuMsPerRow, 3)} ms a row (GC ${fixed(w.gcMsPerRow, 3)}), heap ${fixed(w.heapMb, 0)} MB; DynamoDB Local CPU ${fixed(w.dynamoCpuMsPerRow, 3)} ms a row (${threads || 'not measured'})\n`,
    );
    process.stdout.write(
      `${table(
        [
          { header: 'command' },
          { header: 'calls/1k rows', align: 'right' },
          { header: 'items/1k rows', align: 'right' },
          { header: 'ms a call', align: 'right' },
        ],
        w.calls.map(([name, c]) => [name, fixed(c.callsPer1k, 2), fixed(c.itemsPer1k, 1), fixed(c.msPerCall, 2)]),
      )}\n`,
    );
  };

  // The windows start when the job turns PROCESSING: its check of the whole file, before any chunk, is not in the first.
  const edges: Snapshot[] = [];
  const windows: WindowFigures[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, edges.length ? 1000 : 250));
      const j = await getImportJob(job.id);
      if (!j || j.status === 'UPLOADED') continue;
      const rows = j.rowsImported + j.rowsRejected;
      if (!edges.length) {
        process.stderr.write(`import-profile: the check pass took ${fixed((performance.now() - started) / 1000, 1)} s; importing\n`);
        edges.push(snapshot(rows));
        await profile(0);
        continue;
      }
      const last = edges.at(-1)!;
      if (rows - last.rows >= windowRows || (j.status === 'COMPLETED' && rows > last.rows)) {
        edges.push(snapshot(rows));
        windows.push(figures(last, edges.at(-1)!));
        print(windows.at(-1)!, windows.length - 1);
        await profile(windows.length);
      }
      if (j.status === 'COMPLETED') polling = false;
    }
  })();
  const outcome = await runImport(job.id, { open: async (range) => createReadStream(file, range ?? {}) }, { stopBeforeDuplicatePass: true });
  // A completed job (STOPPED: before its duplicate pass) has its last window taken by the poller when it sees COMPLETED.
  if (outcome !== 'STOPPED' && outcome !== 'COMPLETED') polling = false;
  await poller;
  await profile(-1);
  session.disconnect();

  const first = windows[0];
  const last = windows.at(-1);
  process.stdout.write(`\nimport-profile: ${people} people, ${outcome} in ${fixed((performance.now() - started) / 1000, 1)} s\n`);
  if (first && last && windows.length > 1) {
    const row = (label: string, a: number, b: number, digits: number) => [label, fixed(a, digits), fixed(b, digits), fixed(b / a, 2)];
    const callsOf = (w: WindowFigures, name: string) => w.calls.find(([n]) => n === name)?.[1] ?? { callsPer1k: 0, itemsPer1k: 0, msPerCall: 0 };
    // The commands of either window, but not the odd call (the job's own reads and writes, the gazetteer's first read).
    const names = [...new Set([...first.calls.map(([n]) => n), ...last.calls.map(([n]) => n)])]
      .filter((name) => Math.max(callsOf(first, name).callsPer1k, callsOf(last, name).callsPer1k) >= 0.1)
      .sort();
    process.stdout.write(
      `${table(
        [
          { header: 'first window → last' },
          { header: 'first', align: 'right' },
          { header: 'last', align: 'right' },
          { header: 'last ÷ first', align: 'right' },
        ],
        [
          row('rows/s', first.rowsPerSecond, last.rowsPerSecond, 0),
          row('importer CPU ms a row', first.importerCpuMsPerRow, last.importerCpuMsPerRow, 3),
          row('DynamoDB Local CPU ms a row', first.dynamoCpuMsPerRow, last.dynamoCpuMsPerRow, 3),
          ...names.flatMap((name) => [
            row(`${name} calls/1k rows`, callsOf(first, name).callsPer1k, callsOf(last, name).callsPer1k, 2),
            row(`${name} items/1k rows`, callsOf(first, name).itemsPer1k, callsOf(last, name).itemsPer1k, 1),
            row(`${name} ms a call`, callsOf(first, name).msPerCall, callsOf(last, name).msPerCall, 2),
          ]),
        ],
      )}\n`,
    );
  }
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
