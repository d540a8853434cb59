import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../infra/aws/bundle-shims/credentials-from-env.ts';
import { bundleLikeCdk } from '../bench/lib/bundle.ts';

const root = new URL('../../', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('Lambda bundling', () => {
  it('resolves credentials from the environment only, as Lambda provides them', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
      await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      await expect(defaultProvider()()).rejects.toThrow(/environment/i);
    } finally {
      process.env = saved;
    }
  });

  it('bundles the env-only provider instead of the default chain (no SSO, INI, process or metadata providers)', { timeout: 60_000 }, async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'cw-bundle-'));
    dirs.push(outdir);
    const bundle = await bundleLikeCdk(root, 'functions/households/handler.ts', outdir);
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs).toContain('infra/aws/bundle-shims/credentials-from-env.ts');
    expect(inputs.filter((i) => /@aws-sdk\/credential-provider-(node|ini|sso|process|web-identity|http)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
  });
});
