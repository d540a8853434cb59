import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import { InvalidInput } from '../../shared/errors.ts';

const key = { pk: 'TEAM#01A', sk: 'TEAM', gsi1pk: 'TEAMS#COUNTRY#KH', gsi1sk: 'TEAM#01A' };

describe('pagination cursors', () => {
  it('round-trips the last evaluated key of the same listing', async () => {
    const cursor = await encodeCursor(key, 'teams:country=KH');
    expect(cursor).toBeTypeOf('string');
    expect(cursor).not.toContain('TEAM#');
    expect(await decodeCursor(cursor!, 'teams:country=KH')).toEqual(key);
  });
  it('is null at the end of a listing', async () => {
    expect(await encodeCursor(undefined, 'x')).toBeNull();
  });
  it('refuses a cursor whose payload was edited', async () => {
    const cursor = (await encodeCursor(key, 'teams:country=KH'))!;
    const [, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'teams:country=KH', k: { ...key, gsi1pk: 'TEAMS#COUNTRY#TH' } })).toString('base64url');
    await expect(decodeCursor(`${forged}.${signature}`, 'teams:country=KH')).rejects.toBeInstanceOf(InvalidInput);
  });
  it('refuses a cursor from another listing', async () => {
    const cursor = (await encodeCursor(key, 'teams:country=KH'))!;
    await expect(decodeCursor(cursor, 'teams:country=TH')).rejects.toBeInstanceOf(InvalidInput);
  });
  it('refuses garbage', async () => {
    for (const bad of ['abc', 'a.b.c', '.', 'eyJ9.x']) await expect(decodeCursor(bad, 's'), bad).rejects.toBeInstanceOf(InvalidInput);
  });
});
