import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress } from '../../shared/domain/webhook-url.ts';

const aws = { allowLocal: false };
const local = { allowLocal: true };

describe('checkWebhookUrl on AWS', () => {
  it('accepts https to a public host name or a public IP literal', () => {
    expect(checkWebhookUrl('https://ministry.example/hooks/clearway', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://hooks.mod.gov.kh:443/clearway?x=1', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://8.8.8.8/hook', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://[2606:4700::1111]/hook', aws)).toBeUndefined();
  });

  it('refuses anything but https', () => {
    for (const url of ['http://ministry.example/hook', 'ftp://ministry.example/x', 'file:///etc/passwd', 'http://localhost:8080/hook']) {
      expect(checkWebhookUrl(url, aws), url).toMatch(/https/);
    }
  });

  it('refuses what is not an absolute URL, and credentials in the URL', () => {
    expect(checkWebhookUrl('ministry.example/hook', aws)).toMatch(/absolute URL/);
    expect(checkWebhookUrl('https://user:pw@ministry.example/hook', aws)).toMatch(/user name or password/);
  });

  it('refuses private, loopback, link-local, unique-local, CGNAT and "this network" literals', () => {
    for (const host of [
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '[::1]',
      '[fe80::1]',
      '[fd00:ec2::254]',
      '[::ffff:127.0.0.1]',
      '[::ffff:169.254.169.254]',
      '[::]',
    ]) {
      expect(checkWebhookUrl(`https://${host}/hook`, aws), host).toMatch(/non-public address/);
    }
  });

  it('sees through the IPv4 spellings that URL parsing normalises (decimal, hex, short forms)', () => {
    for (const url of ['https://2130706433/', 'https://0x7f.1/', 'https://10.1/', 'https://0251.0376.0251.0376/']) {
      expect(checkWebhookUrl(url, aws), url).toMatch(/non-public address/);
    }
  });

  it('refuses localhost and the metadata host names', () => {
    for (const host of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']) {
      expect(checkWebhookUrl(`https://${host}/hook`, aws), host).toBeDefined();
    }
  });

  it('accepts a public-looking address just outside the refused ranges', () => {
    expect(checkWebhookUrl('https://172.32.0.1/', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://100.128.0.1/', aws)).toBeUndefined();
    expect(checkWebhookUrl('https://11.0.0.1/', aws)).toBeUndefined();
  });
});

describe('checkWebhookUrl locally', () => {
  it('allows http to localhost and 127.0.0.1, and https anywhere', () => {
    expect(checkWebhookUrl('http://localhost:8080/hook', local)).toBeUndefined();
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', local)).toBeUndefined();
    expect(checkWebhookUrl('https://ministry.example/hook', local)).toBeUndefined();
  });

  it('still refuses http to other hosts and other schemes', () => {
    for (const url of ['http://example.org/hook', 'ftp://localhost/x', 'file:///etc/passwd', 'http://10.0.0.1/']) {
      expect(checkWebhookUrl(url, local), url).toMatch(/https, or http to localhost/);
    }
  });
});

describe('isPublicAddress (the deliverer re-checks resolved addresses)', () => {
  it('accepts public IPv4 and IPv6 addresses', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '203.0.114.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808'])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('refuses non-public IPv4 addresses', () => {
    for (const ip of [
      '0.1.2.3',
      '10.0.0.1',
      '100.64.0.1',
      '100.127.255.255',
      '127.0.0.1',
      '127.255.255.254',
      '169.254.169.254',
      '172.16.0.1',
      '192.168.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
  });

  it('refuses non-public IPv6 addresses and IPv4 embedded in IPv6', () => {
    for (const ip of [
      '::1',
      '::',
      'fe80::1',
      'febf::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      '2002:a00:1::1',
      '::127.0.0.1',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
  });

  it('refuses what is not an IP address', () => {
    for (const ip of ['', 'localhost', '1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '[::1]', '12345::1']) expect(isPublicAddress(ip), ip).toBe(false);
  });
});
