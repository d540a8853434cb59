import { mkdtemp, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptHashes, mountConsole } from '../../infra/local/web.ts';
import { bootScript, bootScriptHash, scriptHash } from '../../web/boot-script.ts';

describe('the inline boot script', () => {
  it('is one self-contained script that can sit inside <script>, allowed by the hash the CSP lists', () => {
    const code = bootScript();
    expect(code).not.toMatch(/\bimport\b|<\/script/i);
    expect(bootScriptHash()).toBe(scriptHash(code));
    // The local server hashes what it serves the same way.
    expect(inlineScriptHashes(`<head><script>${code}</script><script type="module" src="/a.js"></script></head>`)).toEqual([bootScriptHash()]);
  });
});

describe('the local server serving the console', () => {
  let dir: string;
  let app: Hono;
  const js = `console.log(${JSON.stringify('x'.repeat(4000))});`;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clearway-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><head><!--config--><script>boot()</script><script type="module" src="/assets/main-A.js"></script></head>',
    );
    await writeFile(join(dir, 'assets', 'main-A.js'), js);
    app = new Hono();
    mountConsole(app, dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("allows the page's inline script by its hash only, never 'unsafe-inline'", async () => {
    const res = await app.request('/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' '${scriptHash('boot()')}';`);
    expect(csp).not.toContain('unsafe-inline');
    expect(await res.text()).toContain('<meta name="clearway-config"');
  });

  it('gzips text to browsers that accept it, and answers a matching If-None-Match with 304', async () => {
    const zipped = await app.request('/assets/main-A.js', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(js);
    const plain = await app.request('/assets/main-A.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(js);
    const etag = plain.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('/assets/main-A.js', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves a file a new build rewrote, not the copy it kept', async () => {
    expect(await (await app.request('/')).text()).toContain('boot()');
    const file = join(dir, 'index.html');
    await writeFile(file, '<!doctype html><head><script>boot2()</script></head>');
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const res = await app.request('/');
    expect(await res.text()).toContain('boot2()');
    expect(res.headers.get('content-security-policy')).toContain(scriptHash('boot2()'));
  });
});
