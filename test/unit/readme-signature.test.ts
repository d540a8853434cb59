import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../shared/events/signature.ts';

const root = resolve(import.meta.dirname, '../..');

describe("the README's receiver signature check (Node)", () => {
  it('accepts the deliverer’s signature and refuses a changed body, another secret and an old timestamp', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const block = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README has the Node verify block').toBeDefined();
    const dir = join(root, 'node_modules/.cache/clearway-readme');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'verify.mjs');
    await writeFile(file, block!);
    const { verify } = (await import(pathToFileURL(file).href)) as { verify: (secret: string, body: string, header: string, now?: number) => boolean };
    const body = JSON.stringify({ id: '01J', type: 'TaskCreated' });
    const header = signatureHeader('s3cret', body);
    expect(verify('s3cret', body, header)).toBe(true);
    expect(verify('s3cret', `${body} `, header)).toBe(false);
    expect(verify('other', body, header)).toBe(false);
    expect(verify('s3cret', body, header, Date.now() + 301_000)).toBe(false);
  });
});
