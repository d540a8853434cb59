import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { exited, localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * `npm start` as a user runs it: a real process with its own DynamoDB Local, driven over HTTP.
 */
let dataDir: string;
const started: LocalServer[] = [];

async function start(port: number, env: Record<string, string> = {}): Promise<LocalServer> {
  const server = await startLocalServer(dataDir, port, env);
  started.push(server);
  return server;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // An exited orphan that its new parent has not reaped yet is a zombie: gone for our purpose.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return true;
  }
};

const javaPid = () => Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));

const token = (role: string, country?: string) => localToken(dataDir, '--role', role, ...(country ? ['--country', country] : []));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-e2e-'));
});

afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
  if (existsSync(join(dataDir, 'dynamodb.pid'))) {
    const pid = javaPid();
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

// Each test starts Java (2-5 s on an idle machine); a shared, busy machine needs more room.
describe('npm start', { timeout: 240_000 }, () => {
  let teamId: string;

  it('answers /health, serves the API with a token from npm run token, and stops on SIGINT leaving no Java behind', async () => {
    const server = await start(await freePort());
    const base = `http://127.0.0.1:${server.port}`;
    expect(server.output()).toContain(`listening on http://localhost:${server.port}`);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });

    const tk = token('operations', 'KH');
    expect(tk.split('.')).toHaveLength(3);
    const created = await fetch(`${base}/v1/teams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'CMAC DU3 Team 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'] }),
    });
    expect(created.status).toBe(201);
    teamId = ((await created.json()) as { id: string }).id;

    const docs = await fetch(`${base}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const html = await docs.text();
    expect(html).toContain('/v1/teams');
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/(cdn|unpkg)/);
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/health', '/v1/teams', '/v1/teams/{id}']));

    const java = javaPid();
    expect(alive(java)).toBe(true);
    server.proc.kill('SIGINT');
    expect(await exited(server.proc)).toBe(0);
    expect(alive(java)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb.pid'))).toBe(false);
  });

  it('keeps the data across a restart', async () => {
    const server = await start(await freePort());
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/teams/${teamId}`, { headers: { authorization: `Bearer ${token('observer')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    server.proc.kill('SIGTERM');
    expect(await exited(server.proc)).toBe(0);
  });

  it('leaves no Java process behind when the server is SIGKILLed, and keeps the data', async () => {
    const first = await start(await freePort());
    const orphan = javaPid();
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    // DynamoDB Local sees its stdin close when its parent dies, however it died, and exits.
    const until = Date.now() + 20_000;
    while (alive(orphan) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(alive(orphan)).toBe(false);

    const second = await start(await freePort());
    expect(alive(orphan)).toBe(false);
    const res = await fetch(`http://127.0.0.1:${second.port}/v1/teams/${teamId}`, { headers: { authorization: `Bearer ${token('admin')}` } });
    expect(res.status).toBe(200);
    second.proc.kill('SIGINT');
    expect(await exited(second.proc)).toBe(0);
  });

  it('says in one line what to do when the port is in use, before starting Java', async () => {
    // A DATA_DIR of its own, so that no earlier test's pid file can blur what this one proves.
    const ownDir = await mkdtemp(join(tmpdir(), 'clearway-port-'));
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, () => r()));
    try {
      const failure = (await startLocalServer(ownDir, port).catch((e: unknown) => e)) as { code: number; output: string };
      expect(failure.code).toBe(1);
      const lines = failure.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`Port ${port} is already in use.*PORT=`));
      expect(existsSync(join(ownDir, 'dynamodb.pid'))).toBe(false);
      expect(existsSync(join(ownDir, 'dynamodb'))).toBe(false);
    } finally {
      blocker.close();
      await rm(ownDir, { recursive: true, force: true });
    }
  });

  it('says in one line what to do when Java is missing', async () => {
    const failure = (await start(await freePort(), { PATH: '/nonexistent' }).catch((e: unknown) => e)) as { code: number; output: string };
    expect(failure.code).toBe(1);
    expect(failure.output.trim().split('\n')).toHaveLength(1);
    expect(failure.output).toMatch(/Java 17 or newer is needed.*install/);
  });
});
