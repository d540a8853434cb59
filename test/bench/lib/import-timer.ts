import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Runs in a fresh Node process (`node --input-type=module -e`): times `await import(bundle)` with
 * performance.now() (and process.cpuUsage()), i.e. module load + evaluation, the part of a Lambda cold start that the
 * function's code controls (the runtime's own start is the same for every bundle).
 *
 * With `guard`, network primitives are replaced first by recorders that never complete
 * (socket connect, DNS lookup, fetch), and the child waits briefly after the import so that
 * I/O started asynchronously at module scope is caught too. Guarded runs load node:net and
 * node:dns before the clock starts, so they are only used as the discarded warm-up run.
 */
const CHILD = `
const [url, mode] = process.argv.slice(1);
const network = [];
if (mode === 'guard') {
  const net = await import('node:net');
  const dns = (await import('node:dns')).default;
  const record = (what) => { network.push(what); };
  net.Socket.prototype.connect = function (...args) {
    const o = args[0];
    record('connect ' + (typeof o === 'object' && o !== null ? (o.path ?? (o.host ?? 'localhost') + ':' + o.port) : String(o)));
    return this;
  };
  dns.lookup = (host) => { record('dns.lookup ' + host); };
  dns.promises.lookup = (host) => { record('dns.promises.lookup ' + host); return new Promise(() => {}); };
  globalThis.fetch = (input) => { record('fetch ' + String(input?.url ?? input)); return new Promise(() => {}); };
  (await import('node:module')).syncBuiltinESMExports();
}
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(url);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const exported = typeof mod.handler;
if (mode === 'guard') await new Promise((resolve) => setTimeout(resolve, 250));
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, exported, network }), () => process.exit(0));
`;

export interface ImportTiming {
  /** Milliseconds from just before `import()` to its settlement (wall clock). */
  ms: number;
  /**
   * CPU time of the child over the same span (all its threads, user + system). Less disturbed
   * than wall time when other work shares the machine; reported beside it, not used for verdicts.
   */
  cpuMs: number;
  /** Network attempts seen at import (guarded runs only). */
  network: string[];
}

/** Imports `file` in a new `process.execPath` process with exactly `env`; resolves its timing. */
export function timeImport(file: string, env: Record<string, string>, options: { guard?: boolean; cwd: string }): Promise<ImportTiming> {
  const args = ['--input-type=module', '-e', CHILD, pathToFileURL(file).href, options.guard ? 'guard' : 'time'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, cwd: options.cwd, timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`importing ${file} failed (${error.killed ? 'timed out' : `exit ${String(error.code)}`}):\n${stderr.trim() || error.message}`));
        return;
      }
      try {
        const out = JSON.parse(stdout) as { ms: number; cpuMs: number; exported: string; network: string[] };
        if (out.exported !== 'function') throw new Error(`${file} exports no handler function (got ${out.exported})`);
        resolve({ ms: out.ms, cpuMs: out.cpuMs, network: out.network });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
