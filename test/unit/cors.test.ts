import { describe, expect, it, vi } from 'vitest';

describe('CORS for the web console', () => {
  it('adds the console origin to answers (errors included) and answers preflights, when configured', async () => {
    vi.stubEnv('CORS_ALLOWED_ORIGIN', 'https://console.example.org');
    vi.resetModules();
    const { app } = await import('../../functions/tasks/app.ts');
    const res = await app.request('/v1/teams', { headers: { origin: 'https://console.example.org' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example.org');
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
    const preflight = await app.request('/v1/teams', {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example.org', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('If-Match');
    vi.unstubAllEnvs();
  });

  it('sends no CORS headers when no console origin is configured', async () => {
    vi.resetModules();
    const { app } = await import('../../functions/tasks/app.ts');
    const res = await app.request('/v1/teams', { headers: { origin: 'https://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
