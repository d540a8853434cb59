import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost, isLoopbackHostHeader } from '../../infra/local/loopback.ts';

describe('loopback checks of the local server', () => {
  it('knows loopback peer addresses, IPv4-mapped ones included, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['192.0.2.2', '::ffff:192.0.2.2', '0.0.0.0', '::', 'fd00::2', '128.0.0.1', undefined, ''])
      expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it('takes HOST values that stay on this machine as loopback', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.0.2.2', 'example.org']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('accepts only a loopback name with the listening port as Host header', () => {
    for (const h of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST:3000']) expect(isLoopbackHostHeader(h, 3000), h).toBe(true);
    expect(isLoopbackHostHeader('localhost', 80)).toBe(true);
    for (const h of [
      'localhost',
      'localhost:3001',
      'attacker.example:3000',
      '127.0.0.1.attacker.example:3000',
      'localhost.attacker.example:3000',
      '[::ffff:7f00:1]:3000x',
      '127.0.0.1:3000@evil',
      '',
      undefined,
    ]) {
      expect(isLoopbackHostHeader(h, 3000), String(h)).toBe(false);
    }
  });
});
