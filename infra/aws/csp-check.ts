/**
 * Does the Content-Security-Policy the console's distribution sends allow exactly the inline
 * scripts of the page about to be uploaded? The CSP is fixed at `cdk synth` (the boot script's
 * hash, web/boot-script.ts); the page at `deploy-web`. A console built from other sources than
 * the deployed stack would have its boot script blocked by every browser, so `deploy-web.ts`
 * refuses to upload on a mismatch. Pure: unit-tested in `test/unit/csp-check.test.ts`.
 */
import { scriptHash } from '../../web/boot-script.ts';

/** `sha256-<base64>` of each inline `<script>` (one without `src`) of a page, as browsers hash it for CSP. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script\s*>/gi)].map((m) => scriptHash(m[1]!));
}

/** The hash sources (`'sha256-…'`, unquoted) of a CSP's `script-src`, or of `default-src` when it has none. */
export function scriptHashesAllowed(csp: string): string[] {
  const directives = new Map<string, string[]>();
  for (const directive of csp.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    // A repeated directive is ignored by browsers after its first appearance.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  const sources = directives.get('script-src') ?? directives.get('default-src') ?? [];
  return sources.filter((s) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(s)).map((s) => s.slice(1, -1));
}

/**
 * Why the page and the CSP disagree, or undefined when every inline script of the page is
 * allowed by its hash and the CSP allows no hash the page lacks (a stale hash means the stack
 * and the page were built from different sources).
 */
export function cspMismatch(html: string, csp: string): string | undefined {
  const page = inlineScriptHashes(html);
  const allowed = scriptHashesAllowed(csp);
  const blocked = page.filter((h) => !allowed.includes(h));
  const stale = allowed.filter((h) => !page.includes(h));
  if (blocked.length === 0 && stale.length === 0) return undefined;
  const parts = [];
  if (blocked.length > 0)
    parts.push(
      `the page's inline script${blocked.length > 1 ? 's' : ''} ${blocked.join(', ')} ${blocked.length > 1 ? 'are' : 'is'} not allowed by the stack's ` +
        `CSP (browsers would block ${blocked.length > 1 ? 'them' : 'it'})`,
    );
  if (stale.length > 0) parts.push(`the stack's CSP allows ${stale.join(', ')}, which the page does not have`);
  return (
    `${parts.join('; ')}. The console and the stack were built from different sources: ` +
    `deploy the stack from this checkout (npm run deploy), then deploy-web again.`
  );
}
