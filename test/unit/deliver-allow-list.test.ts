import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isHostAllowed, parseAllowList } from '#shared/domain/webhook-url.ts';

describe('the webhook allow list (WEBHOOK_ALLOW_LIST)', () => {
  it('parses a comma-separated list, trimmed and lower-cased; absent or blank is no list', () => {
    expect(parseAllowList(' Hooks.MoD.gov.kh , *.Example.org,, ')).toEqual(['hooks.mod.gov.kh', '*.example.org']);
    expect(parseAllowList(undefined)).toEqual([]);
    expect(parseAllowList('  ')).toEqual([]);
  });

  it('lets every host through when the list is empty', () => {
    expect(isHostAllowed('anything.example', [])).toBe(true);
  });

  it('matches exact names, ignoring case and a trailing dot', () => {
    const list = ['hooks.mod.gov.kh'];
    expect(isHostAllowed('hooks.mod.gov.kh', list)).toBe(true);
    expect(isHostAllowed('HOOKS.mod.gov.kh.', list)).toBe(true);
    expect(isHostAllowed('evil.hooks.mod.gov.kh', list)).toBe(false);
    expect(isHostAllowed('mod.gov.kh', list)).toBe(false);
  });

  it('reads *.domain as any subdomain at any depth, but not the domain itself nor a look-alike', () => {
    const list = ['*.example.org'];
    expect(isHostAllowed('hooks.example.org', list)).toBe(true);
    expect(isHostAllowed('a.b.example.org', list)).toBe(true);
    expect(isHostAllowed('example.org', list)).toBe(false);
    expect(isHostAllowed('badexample.org', list)).toBe(false);
    expect(isHostAllowed('example.org.evil.net', list)).toBe(false);
  });

  it('compares IPv6 literals with or without brackets', () => {
    expect(isHostAllowed('[2606:4700::1111]', ['2606:4700::1111'])).toBe(true);
  });

  it('makes checkWebhookUrl refuse a host off a non-empty list, on AWS and locally alike', () => {
    const allowHosts = ['*.mod.gov.kh'];
    expect(checkWebhookUrl('https://hooks.mod.gov.kh/clearway', { allowLocal: false, allowHosts })).toBeUndefined();
    expect(checkWebhookUrl('https://hooks.example.org/clearway', { allowLocal: false, allowHosts })).toMatch(/allow list.*hooks\.example\.org is not on it/);
    expect(checkWebhookUrl('http://localhost:8080/hook', { allowLocal: true, allowHosts })).toMatch(/allow list/);
    expect(checkWebhookUrl('http://localhost:8080/hook', { allowLocal: true })).toBeUndefined();
  });
});
