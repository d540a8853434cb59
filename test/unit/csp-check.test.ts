import { describe, expect, it } from 'vitest';
import { cspMismatch, inlineScriptHashes, scriptHashesAllowed } from '../../infra/aws/csp-check.ts';
import { bootScript, bootScriptHash, scriptHash } from '../../web/boot-script.ts';

const page = (...inline: string[]) =>
  `<!doctype html><html><head>${inline.map((code) => `<script>${code}</script>`).join('')}<link rel="stylesheet" href="/assets/app.css"></head>` +
  `<body><script type="module" src="/assets/main-ABC.js"></script><script src="/assets/other.js" defer></script></body></html>`;
const csp = (...hashes: string[]) =>
  `default-src 'none'; script-src 'self'${hashes.map((h) => ` '${h}'`).join('')}; style-src 'self'; connect-src 'self' https://api.example.org`;

describe('cspMismatch (deploy-web refuses to upload on a mismatch)', () => {
  it('passes the built boot script against a CSP carrying its hash, as the stack builds it', () => {
    const boot = bootScript();
    expect(inlineScriptHashes(page(boot))).toEqual([bootScriptHash()]);
    expect(cspMismatch(page(boot), csp(bootScriptHash()))).toBeUndefined();
  });

  it('refuses a page whose boot script changed since the stack was deployed', () => {
    const message = cspMismatch(page(`${bootScript()};console.log(1)`), csp(bootScriptHash()));
    expect(message).toMatch(
      /^the page's inline script sha256-\S+ is not allowed by the stack's CSP \(browsers would block it\); the stack's CSP allows sha256-\S+, which the page does not have\./,
    );
    expect(message).toContain('npm run deploy');
  });

  it('refuses a CSP without the hash, and one allowing a hash the page lacks', () => {
    expect(cspMismatch(page('boot()'), csp())).toMatch(/is not allowed by the stack's CSP/);
    expect(cspMismatch(page('boot()'), "default-src 'none'")).toMatch(/is not allowed/);
    expect(cspMismatch(page('boot()'), csp(scriptHash('boot()'), scriptHash('old()')))).toMatch(
      new RegExp(`^the stack's CSP allows ${scriptHash('old()').replace(/[+/]/g, '\\$&')}, which the page does not have`),
    );
  });

  it('reads the hashes of script-src, falling back to default-src, and only the first of a repeated directive', () => {
    expect(scriptHashesAllowed(csp(scriptHash('a'), scriptHash('b')))).toEqual([scriptHash('a'), scriptHash('b')]);
    expect(scriptHashesAllowed(`default-src 'self' '${scriptHash('a')}'`)).toEqual([scriptHash('a')]);
    expect(scriptHashesAllowed(`script-src 'self'; script-src '${scriptHash('a')}'`)).toEqual([]);
    expect(scriptHashesAllowed(`script-src 'self' sha256-unquoted 'sha384-x'`)).toEqual([]);
    expect(cspMismatch(page(), csp())).toBeUndefined();
  });
});
