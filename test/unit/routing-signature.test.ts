import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { matchesPattern, MINISTRY_ROUTES, ministriesFor } from '../../shared/events/routing.ts';
import { signatureHeader, verifySignature } from '../../shared/events/signature.ts';

const envelope = (audience: ('KH' | 'TH')[]) =>
  ({
    id: 'E1',
    type: 'TaskCreated',
    version: 1,
    occurredAt: '2026-01-10T00:00:00Z',
    audience,
    subject: { type: 'Task', id: 'T1' },
    actor: { role: 'operations', org: 'CMAC' },
    data: {},
  }) as unknown as EventEnvelope;

describe('routing to the ministries', () => {
  it('has one rule per country, matching the events whose audience names it', () => {
    expect(MINISTRY_ROUTES.map((r) => r.pattern)).toEqual([
      { source: ['clearway'], detail: { audience: ['KH'] } },
      { source: ['clearway'], detail: { audience: ['TH'] } },
    ]);
  });
  it('sends mine action events (both audiences) to both ministries and a national event to its own only', () => {
    expect(ministriesFor(envelope(['KH', 'TH']))).toEqual(['KH', 'TH']);
    expect(ministriesFor(envelope(['KH']))).toEqual(['KH']);
    expect(ministriesFor(envelope(['TH']))).toEqual(['TH']);
  });
  it('matches like EventBridge: every field, values in the list, arrays by any element', () => {
    expect(matchesPattern({ source: ['clearway'] }, { source: 'other' })).toBe(false);
    expect(matchesPattern({ detail: { audience: ['KH'] } }, { detail: { audience: [] } })).toBe(false);
    expect(matchesPattern({ detail: { audience: ['KH'] } }, { detail: 'x' })).toBe(false);
  });
});

describe('webhook signatures', () => {
  const body = JSON.stringify(envelope(['KH']));
  const now = new Date('2026-01-10T00:00:00Z');
  it('signs t + "." + body with HMAC-SHA256 and verifies it', () => {
    const header = signatureHeader('s3cret', body, now);
    expect(header).toMatch(/^t=1768003200,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', body, header, 300, now)).toBe(true);
  });
  it('refuses another secret, another body, an old timestamp and garbage', () => {
    const header = signatureHeader('s3cret', body, now);
    expect(verifySignature('other', body, header, 300, now)).toBe(false);
    expect(verifySignature('s3cret', `${body} `, header, 300, now)).toBe(false);
    expect(verifySignature('s3cret', body, header, 300, new Date(now.getTime() + 301_000))).toBe(false);
    for (const bad of [null, '', 't=x,v1=y', 'v1=abc']) expect(verifySignature('s3cret', body, bad, 300, now)).toBe(false);
  });
});
