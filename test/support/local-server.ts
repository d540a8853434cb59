import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

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

export const exited = (proc: ChildProcess) => new Promise<number | null>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code))));

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
