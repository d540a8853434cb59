/**
 * The local server's network exposure. It listens on loopback unless HOST says otherwise; it
 * hands out tokens (`/local/*`) only to a connection from this machine whose `Host` header names
 * this machine, and while bound to loopback it answers no other `Host` at all: a page on another
 * site that rebinds its own name to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`.
 */
import { isIP } from 'node:net';
import type { Context, Hono, Next } from 'hono';
import { Forbidden, HttpProblem, PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.ts';

/** The address `npm start` listens on without HOST. */
export const DEFAULT_HOST = '127.0.0.1';

/** 127.0.0.0/8, ::1 and their IPv4-mapped form. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

/** A HOST value that keeps the server on this machine: a loopback address or `localhost`. */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || isLoopbackAddress(host.replace(/^\[|\]$/g, ''));

/**
 * Whether a `Host` header names this server on loopback: `localhost`, `127.0.0.1` (any of
 * 127/8) or `[::1]`, with the port it listens on (no port only for port 80).
 */
export function isLoopbackHostHeader(header: string | undefined, port: number): boolean {
  if (!header) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return false;
  const [, name, portText] = match;
  if ((portText === undefined ? 80 : Number(portText)) !== port) return false;
  return isLoopbackHost(name!.toLowerCase());
}

const problem = (c: Context, p: HttpProblem) => c.body(JSON.stringify(p.toBody()), p.status as 403, { 'Content-Type': PROBLEM_CONTENT_TYPE });

class MisdirectedRequest extends HttpProblem {
  constructor(port: number) {
    super(
      421,
      'misdirected-request',
      'Misdirected request',
      `This server answers only requests addressed to localhost:${port}, 127.0.0.1:${port} or [::1]:${port}.`,
    );
  }
}

/** The peer address of a request served by @hono/node-server (its `env.incoming`), if any. */
const peerAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;

export interface ExposureOptions {
  /** The port the server listens on, which a loopback `Host` header must carry. */
  port: number;
  /** Bound to loopback: then every request must carry a loopback `Host`. */
  loopbackOnly: boolean;
}

/**
 * Registers, before every route: while bound to loopback, 421 for any request whose `Host` is
 * not a loopback name with this port; always, 403 on `/local/*` (local sign-in) unless the
 * connection comes from loopback and `Host` is a loopback name with this port.
 */
export function guardExposure(root: Hono, options: ExposureOptions): void {
  if (options.loopbackOnly) {
    root.use('*', async (c: Context, next: Next) => {
      if (!isLoopbackHostHeader(c.req.header('host'), options.port)) return problem(c, new MisdirectedRequest(options.port));
      return next();
    });
  }
  const localOnly = async (c: Context, next: Next) => {
    if (!isLoopbackAddress(peerAddress(c)) || !isLoopbackHostHeader(c.req.header('host'), options.port)) {
      return problem(c, new Forbidden(`Local sign-in is served only to this machine, at http://localhost:${options.port}/.`));
    }
    return next();
  };
  root.use('/local', localOnly);
  root.use('/local/*', localOnly);
}
