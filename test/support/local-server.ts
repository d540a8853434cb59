import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';

/** Helpers for tests that run `npm start` as a real process (test/e2e). */
export const repoRoot = new URL('../../', import.meta.url).pathname;

export interface LocalServer {
  proc: ChildProcess;
  port: number;
  base: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    proc.exitCode !== null || proc.signalCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code)),
  );

/** Starts `infra/local/start.ts` and resolves once it prints where it listens (30 s at most). */
const START_LIMIT_MS = 120_000;

export function startLocalServer(dataDir: string, port: number, env: Record<string, string> = {}): Promise<LocalServer> {
  const proc = spawn(process.execPath, ['infra/local/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited(proc);
  };
  return new Promise((resolve, reject) => {
    // A limit against hanging, not a measure of start-up time (that is no test's business on a
    // shared, noisy machine): starting Java and building the console can take long under load.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no "listening" within ${START_LIMIT_MS / 1000} s:\n${output}`));
    }, START_LIMIT_MS);
    proc.stdout!.on('data', () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve({ proc, port, base: `http://127.0.0.1:${port}`, output: () => output, stop });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited with ${code}:\n${output}`), { code, output }));
    });
  });
}

/** `npm run token -- <args>` against the given DATA_DIR. */
export function localToken(dataDir: string, ...args: string[]): string {
  const out = spawnSync(process.execPath, ['infra/local/token.ts', ...args], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`token failed: ${out.stderr}`);
  return out.stdout.trim();
}

/** An answer of the local server as the e2e tests read it: the body parsed when it is JSON. */
export interface Answer<T> {
  status: number;
  headers: Headers;
  etag: string | null;
  text: string;
  body: T;
}

/** A request with a bearer token and, when given, a JSON body. */
export async function callServer<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
  return { status: res.status, headers: res.headers, etag: res.headers.get('etag'), text, body: (json ? JSON.parse(text) : undefined) as T };
}

/**
 * `npm start` in a fresh data directory for one test file: started before its tests, stopped
 * after them with its DynamoDB Local (killed by its pid file should the server not have stopped
 * it) and the directory removed.
 */
export function useLocalServer(prefix: string, env: Record<string, string> = {}) {
  let dataDir = '';
  let server: LocalServer | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `clearway-${prefix}-`));
    server = await startLocalServer(dataDir, await freePort(), env);
  });
  afterAll(async () => {
    await server?.stop('SIGINT');
    const pidFile = join(dataDir, 'dynamodb.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  const running = () => {
    if (!server) throw new Error('the local server is not running (useLocalServer starts it in beforeAll)');
    return server;
  };
  return {
    server: running,
    dataDir: () => dataDir,
    token: (...args: string[]) => localToken(dataDir, ...args),
    call: <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
      callServer<T>(running().base, method, path, token, body, headers),
  };
}
