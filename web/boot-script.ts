/**
 * The boot script (src/boot.ts) as the page carries it: inline in index.html, so it runs while
 * the page is parsed, before any other file has arrived, and starts the opening view's first
 * read a round trip earlier than a file of its own would. The Content-Security-Policy allows it
 * by its SHA-256 (and no other inline script): the local server hashes the page it serves, and
 * the CloudFront distribution (infra/aws/constructs/web.ts) gets `bootScriptHash()` at synth,
 * built from the same sources with the same options as `npm run build:web`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const srcDir = fileURLToPath(new URL('./src/', import.meta.url));

/** The boot script's code: one IIFE, no imports, no trailing newline. */
export function bootScript(minify = true): string {
  const out = buildSync({
    entryPoints: [join(srcDir, 'boot.ts')],
    bundle: true,
    format: 'iife',
    target: ['es2022', 'chrome111', 'safari16', 'firefox115'],
    minify,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  }).outputFiles[0];
  if (!out) throw new Error('esbuild produced no boot script');
  const code = out.text.trim();
  // Inside <script>…</script> the text must not close the element early.
  if (/<\/script|<!--/i.test(code)) throw new Error('the boot script contains "</script" or "<!--": it cannot be inlined');
  return code;
}

/** `sha256-<base64>` of the inline boot script, as a CSP source expression lists it (in quotes). */
export const scriptHash = (code: string): string => `sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}`;

/** The hash of the boot script `npm run build:web` inlines (minified). */
export const bootScriptHash = (): string => scriptHash(bootScript(true));
