import { describe, expect, it } from 'vitest';
import { etagOf, expectedVersion } from '../../shared/http/etag.ts';
import { BadRequest, PreconditionRequired } from '../../shared/http/problem.ts';

describe('ETag and If-Match', () => {
  it('formats a version as a strong ETag', () => {
    expect(etagOf(7)).toBe('"7"');
  });
  it('reads the version from If-Match, strong or weak', () => {
    expect(expectedVersion('"3"')).toBe(3);
    expect(expectedVersion('W/"12"')).toBe(12);
  });
  it('requires If-Match (428)', () => {
    expect(() => expectedVersion(undefined)).toThrow(PreconditionRequired);
    expect(() => expectedVersion('  ')).toThrow(PreconditionRequired);
  });
  it('refuses a malformed or wildcard If-Match (400)', () => {
    for (const bad of ['3', '"abc"', '*', '"1", "2"']) expect(() => expectedVersion(bad), bad).toThrow(BadRequest);
  });
});
