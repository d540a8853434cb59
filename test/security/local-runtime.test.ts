import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { exited, localToken, repoRoot, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * `npm start` as an attacker on the network, a web page doing DNS rebinding, a keep-alive
 * client and a crash see it: a real server process with its own DATA_DIR and DynamoDB Local.
 * Two servers: one started as the tests start it (`node infra/local/start.ts`, default HOST),
 * and one through `npm start` with HOST=0.0.0.0, which is also stopped with a SIGTERM to npm.
 */
let dataDir: string;
let server: LocalServer;
let npmDataDir: string;
let npmStart: { proc: ChildProcess; port: number; output: () => string };
const started: number[] = [];

/** A non-loopback address of this machine (talking to it is still local traffic). */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

function startNpm(dir: string, port: number): Promise<typeof npmStart> {
  const proc = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), DATA_DIR: dir, HOST: '0.0.0.0', CLEARWAY_SKIP_WEB_BUILD: '1', POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start: no "listening" within 120 s:\n${output}`)), 120_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve({ proc, port, output: () => output });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

/** Local addresses of the sockets listening on `port` (hex from /proc/net/tcp{,6}). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}
const LOOPBACK_HEX = new Set(['0100007F', '00000000000000000000000001000000', '0000000000000000FFFF00000100007F']);

function tryConnect(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port });
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** One HTTP/1.1 request with full control of headers (fetch will not send a forged Host). */
function send(options: {
  host?: string;
  port: number;
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  agent?: Agent;
  chunks?: Buffer[];
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, socket: res.socket as Socket }));
      },
    );
    req.on('error', reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-sec-local-'));
  // A DATA_DIR made by hand, open to everyone: npm start must close it.
  await chmod(dataDir, 0o755);
  const parent = await mkdtemp(join(tmpdir(), 'clearway-sec-npm-'));
  npmDataDir = join(parent, 'data');
  // Both Java start-ups at once: the two cores are shared anyway, and it halves the wait.
  [server, npmStart] = await Promise.all([
    startLocalServer(dataDir, await freePort(), { CLEARWAY_SKIP_WEB_BUILD: '1' }),
    startNpm(npmDataDir, await freePort()),
  ]);
  // What to clean up even if a test failed halfway: a server whose parent died is no longer below it.
  for (const proc of [server.proc, npmStart.proc]) started.push(proc.pid!, ...descendants(proc.pid!));
});

afterAll(async () => {
  for (const proc of [server?.proc, npmStart?.proc]) {
    if (!proc) continue;
    started.push(...(proc.pid ? descendants(proc.pid) : []));
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of [dataDir, npmDataDir]) {
    const pidFile = dir && join(dir, 'dynamodb.pid');
    if (pidFile && existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (npmDataDir) await rm(join(npmDataDir, '..'), { recursive: true, force: true });
});

describe('the local runtime on the network', { timeout: 120_000 }, () => {
  it('listens on loopback only by default: the server and DynamoDB Local', async () => {
    const addresses = listeningAddresses(server.port);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((a) => !LOOPBACK_HEX.has(a))).toEqual([]);
    const java = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    const args = cmdline(java);
    const dynamoPort = Number(args[args.indexOf('-port') + 1]);
    const dynamoAddresses = listeningAddresses(dynamoPort);
    expect(dynamoAddresses.length).toBeGreaterThan(0);
    expect(dynamoAddresses.filter((a) => !LOOPBACK_HEX.has(a))).toEqual([]);
    // No telemetry from this machine to AWS.
    expect(args).toContain('-disableTelemetry');
    expect(await tryConnect('127.0.0.1', server.port)).toBe('connected');
    if (lanAddress) {
      expect(await tryConnect(lanAddress, server.port)).toBe('ECONNREFUSED');
      expect(await tryConnect(lanAddress, dynamoPort)).toBe('ECONNREFUSED');
    }
  });

  it('serves POST /local/token only with a loopback Host header, and answers no other Host on loopback (DNS rebinding)', async () => {
    const claims = JSON.stringify({ role: 'admin', org: 'Clearway' });
    const post = (host: string) =>
      send({ port: server.port, method: 'POST', path: '/local/token', headers: { host, 'content-type': 'application/json' }, body: claims });

    const rebound = await post(`attacker.example:${server.port}`);
    expect(rebound.status).toBe(421);
    expect(rebound.headers['content-type']).toBe('application/problem+json');
    expect(rebound.body).not.toContain('token');
    expect((await post(`127.0.0.1.attacker.example:${server.port}`)).status).toBe(421);
    expect((await post('localhost:1')).status).toBe(421);
    expect((await send({ port: server.port, path: '/health', headers: { host: `attacker.example:${server.port}` } })).status).toBe(421);

    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      const ok = await post(host);
      expect(ok.status, host).toBe(200);
      expect(JSON.parse(ok.body).token.split('.')).toHaveLength(3);
    }
  });

  it('creates DATA_DIR with mode 0700 and closes one that was open', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(server.output()).toMatch(/was open to other users \(mode 0755\); it is now 0700/);
    expect(statSync(npmDataDir).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!lanAddress)(
    'with HOST=0.0.0.0 warns, and refuses local sign-in to a connection from a non-loopback address (needs one on this machine)',
    async () => {
      expect(npmStart.output()).toMatch(/warning: HOST=0\.0\.0\.0: the API and web console are reachable from other machines/);
      const claims = JSON.stringify({ role: 'admin', org: 'Clearway' });
      const fromLan = await send({
        host: lanAddress!,
        port: npmStart.port,
        method: 'POST',
        path: '/local/token',
        headers: { host: `localhost:${npmStart.port}`, 'content-type': 'application/json' },
        body: claims,
      });
      expect(fromLan.status).toBe(403);
      expect(fromLan.body).not.toContain('"token"');
      expect((await send({ host: lanAddress!, port: npmStart.port, path: '/health' })).status).toBe(200);
      const rebound = await send({
        port: npmStart.port,
        method: 'POST',
        path: '/local/token',
        headers: { host: `attacker.example:${npmStart.port}`, 'content-type': 'application/json' },
        body: claims,
      });
      expect(rebound.status).toBe(403);
      const local = await send({
        port: npmStart.port,
        method: 'POST',
        path: '/local/token',
        headers: { host: `localhost:${npmStart.port}`, 'content-type': 'application/json' },
        body: claims,
      });
      expect(local.status).toBe(200);
    },
  );
});

describe('the local server keeps keep-alive connections usable', { timeout: 60_000 }, () => {
  const admin = () => localToken(dataDir, '--role', 'admin');

  it('answers a body over 1 MiB with 413 and then the next request on the same connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const headers = { authorization: `Bearer ${admin()}`, 'content-type': 'application/json' };
      const big = Buffer.alloc(2 * 1024 * 1024, 'x');
      const refused = await send({ port: server.port, method: 'POST', path: '/v1/teams', headers, body: big, agent });
      expect(refused.status).toBe(413);
      expect(refused.headers['content-type']).toBe('application/problem+json');
      const next = await send({ port: server.port, path: '/health', agent });
      expect(next.status).toBe(200);
      expect(next.socket).toBe(refused.socket);

      // The same without Content-Length (chunked): the limit is found while reading.
      const chunked = await send({
        port: server.port,
        method: 'POST',
        path: '/v1/teams',
        headers,
        chunks: Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024, 'x')),
        agent,
      });
      expect(chunked.status).toBe(413);
      const after = await send({ port: server.port, path: '/health', agent });
      expect(after.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('answers headers over 16 KiB with a readable 431 problem and serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const size of [20_000, 80_000]) {
        const refused = await send({ port: server.port, path: '/health', headers: { 'x-filler': 'y'.repeat(size) }, agent });
        expect(refused.status, `${size} bytes of headers`).toBe(431);
        expect(refused.headers.connection).toBe('close');
        expect(JSON.parse(refused.body).status).toBe(431);
        expect((await send({ port: server.port, path: '/health', agent })).status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('the local runtime under faults', { timeout: 180_000 }, () => {
  it('says 503 on /health while DynamoDB Local is gone, restarts it on the same data, and says so in one line', async () => {
    const tk = localToken(dataDir, '--role', 'operations', '--country', 'KH');
    const created = await fetch(`${server.base}/v1/teams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'CMAC DU3 Team 7', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const java = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    process.kill(java, 'SIGKILL');
    while (alive(java)) await new Promise((r) => setTimeout(r, 20));
    const down = await fetch(`${server.base}/health`);
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('application/problem+json');
    expect(((await down.json()) as { status: number }).status).toBe(503);

    const until = Date.now() + 120_000;
    let status = 503;
    while (status !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await fetch(`${server.base}/health`)).status;
    }
    expect(status).toBe(200);
    expect(server.output().match(/DynamoDB Local stopped \(SIGKILL\); restarted it on the same data/g)).toHaveLength(1);
    const restartedJava = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    expect(restartedJava).not.toBe(java);
    expect(alive(restartedJava)).toBe(true);
    const read = await fetch(`${server.base}/v1/teams/${id}`, { headers: { authorization: `Bearer ${tk}` } });
    expect(read.status).toBe(200);
  });

  it('stops node and Java when npm start gets a SIGTERM', async () => {
    const npmPid = npmStart.proc.pid!;
    const below = descendants(npmPid);
    const node = below.find((pid) => cmdline(pid).some((a) => a.endsWith('infra/local/start.ts')));
    const java = below.find((pid) => cmdline(pid)[0]?.endsWith('java'));
    expect(node).toBeDefined();
    expect(java).toBeDefined();

    process.kill(npmPid, 'SIGTERM');
    await exited(npmStart.proc);
    const until = Date.now() + 30_000;
    while (below.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(below.filter(alive)).toEqual([]);
    expect(existsSync(join(npmDataDir, 'dynamodb.pid'))).toBe(false);
  });
});
