import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress } from '../../shared/domain/webhook-url.ts';
import type { StoredSubscription } from '../../shared/domain/subscription.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { deliverEvent, type DeliveryOptions } from '../../shared/events/deliver.ts';

// Webhook URLs make the platform send requests: each address form below reaches the metadata
// service, the VPC or the machine itself and must be refused; a delivery failure must not tell a
// subscriber what a port or a name inside the network answered.

const aws = { allowLocal: false };
const local = { allowLocal: true };

describe('IPv6 forms that carry a non-public IPv4 address, or reach local networks', () => {
  it('treats them as not public', () => {
    for (const ip of [
      '::ffff:0:a9fe:a9fe', // RFC 2765 IPv4-translated 169.254.169.254 (the metadata service)
      '::ffff:0:169.254.169.254',
      '::ffff:0:a00:1', // translated 10.0.0.1
      '::ffff:0:7f00:1', // translated 127.0.0.1
      '::ffff:169.254.169.254', // IPv4-mapped
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe', // NAT64 well-known prefix, 169.254.169.254
      '64:ff9b::10.0.0.1',
      '64:ff9b:1::a9fe:a9fe', // RFC 8215 local-use NAT64: the operator's own IPv4 networks
      '64:ff9b:1:ffff::8.8.8.8',
      '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
      '2002:c0a8:101::1', // 6to4 of 192.168.1.1
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '::a9fe:a9fe', // IPv4-compatible (deprecated)
      '3fff::1', // documentation (RFC 9637)
      '5f00::1', // SRv6 SIDs
      'fec0::1', // site-local
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
  });

  it('still treats the public IPv4 addresses they may carry as public', () => {
    for (const ip of ['::ffff:8.8.8.8', '::ffff:0:808:808', '64:ff9b::8.8.8.8', '2002:808:808::1']) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('refuses subscription URLs naming them', () => {
    for (const host of ['[::ffff:0:a9fe:a9fe]', '[64:ff9b:1::a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '[2002:a9fe:a9fe::]', '[::ffff:0:169.254.169.254]']) {
      expect(checkWebhookUrl(`https://${host}/latest/meta-data/`, aws), host).toMatch(/non-public address/);
    }
  });
});

describe('webhook ports', () => {
  it('on AWS, subscribes only port 443 unless the platform allows others', () => {
    expect(checkWebhookUrl('https://hooks.mod.gov.kh/clearway', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://hooks.mod.gov.kh:443/clearway', aws)).toBeUndefined();
    for (const port of [22, 80, 6379, 8443, 9200]) {
      expect(checkWebhookUrl(`https://hooks.mod.gov.kh:${port}/clearway`, aws), String(port)).toBe(`must use port 443; port ${port} is not called`);
    }
    expect(checkWebhookUrl('https://hooks.mod.gov.kh:8443/clearway', { ...aws, allowPorts: [443, 8443] })).toBeUndefined();
    expect(checkWebhookUrl('https://hooks.mod.gov.kh/clearway', { ...aws, allowPorts: [8443] })).toMatch(/port 443 is not called/);
  });

  it('locally, lets receivers on this machine use any port, and holds other hosts to configured ports', () => {
    expect(checkWebhookUrl('http://127.0.0.1:54321/hook', local)).toBeUndefined();
    expect(checkWebhookUrl('http://localhost:8080/hook', { ...local, allowPorts: [443] })).toBeUndefined();
    expect(checkWebhookUrl('https://ministry.example:8443/hook', local)).toBeUndefined();
    expect(checkWebhookUrl('https://ministry.example:8443/hook', { ...local, allowPorts: [443] })).toMatch(/port 8443 is not called/);
  });
});

describe('what a failed delivery records', () => {
  let server: Server;
  let port = 0;
  let closedPort = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.url === '/hang') return;
      if (req.url === '/banner') {
        res.writeHead(500, 'Redis 7.2.4 on db-internal-01: NOAUTH');
        res.end('{"internal":"details"}');
        return;
      }
      res.writeHead(204).end();
    });
    server.on('connection', () => (connections += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const subscription = (url: string): StoredSubscription =>
    ({
      id: '01JSECURITYSUB0000000000000',
      version: 1,
      createdAt: '',
      updatedAt: '',
      createdBy: 'x',
      country: 'KH',
      org: 'MOI',
      url,
      eventTypes: [],
      active: true,
      secret: 's'.repeat(43),
    }) as StoredSubscription;
  const event = {
    id: '01JSECURITYEVT0000000000000',
    type: 'TaskCreated',
    version: 1,
    occurredAt: new Date().toISOString(),
    audience: ['KH'],
    subject: { type: 'Task', id: 'x' },
    actor: { role: 'operations', org: 'CMAC' },
    data: {},
  } as unknown as EventEnvelope;
  const options = (extra: Partial<DeliveryOptions> = {}): DeliveryOptions => ({ allowLocal: true, attempts: 1, timeoutMs: 300, backoffMs: () => 0, ...extra });

  it('a receiver’s 500 is "HTTP 500", without its reason phrase or body', async () => {
    const outcome = await deliverEvent(subscription(`http://127.0.0.1:${port}/banner`), event, options());
    expect(outcome).toMatchObject({ delivered: false, status: 500, error: 'HTTP 500' });
    expect(JSON.stringify({ error: outcome.error })).not.toMatch(/Redis|NOAUTH|internal/);
  });

  it('a closed port is "connection failed", not ECONNREFUSED', async () => {
    const outcome = await deliverEvent(subscription(`http://127.0.0.1:${closedPort}/`), event, options());
    expect(outcome).toMatchObject({ delivered: false, error: 'connection failed' });
  });

  it('a receiver that never answers is "timed out"', async () => {
    const outcome = await deliverEvent(subscription(`http://127.0.0.1:${port}/hang`), event, options());
    expect(outcome).toMatchObject({ delivered: false, error: 'timed out' });
  });

  it('a name resolving to a non-public address is "connection failed", without the address, and is never connected to', async () => {
    const before = connections;
    const outcome = await deliverEvent(subscription(`https://localhost:${port}/`), event, options({ allowLocal: false, allowPorts: [port] }));
    expect(outcome).toMatchObject({ delivered: false, error: 'connection failed' });
    expect(outcome.error).not.toMatch(/127\.0\.0\.1|::1|localhost/);
    expect(connections).toBe(before);
  });

  it('on AWS settings, a port other than 443 is refused before any connection', async () => {
    const outcome = await deliverEvent(subscription('https://hooks.mod.gov.kh:6379/'), event, options({ allowLocal: false }));
    expect(outcome).toMatchObject({ delivered: false, attempts: 1, error: 'refused: port 6379 is not called (only 443)' });
  });

  it('still delivers to a local receiver on any port', async () => {
    expect(await deliverEvent(subscription(`http://127.0.0.1:${port}/ok`), event, options())).toMatchObject({ delivered: true, status: 204 });
  });
});
