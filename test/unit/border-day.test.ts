import { afterEach, describe, expect, it, vi } from 'vitest';
import { borderToday } from '../../shared/domain/border-day.ts';
import { SessionCreate } from '../../shared/domain/risk-education.ts';

describe('the day on the border (UTC+7)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns at 17:00 UTC, whatever the server’s zone', () => {
    expect(borderToday(new Date('2026-12-03T16:59:59Z'))).toBe('2026-12-03');
    expect(borderToday(new Date('2026-12-03T17:00:00Z'))).toBe('2026-12-04');
    expect(borderToday(new Date('2026-12-31T18:30:00Z'))).toBe('2027-01-01');
  });

  it('is the latest date a session recorded in the field may carry: the border’s today at 18:00 UTC passes, the day after is refused', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T18:00:00Z'));
    const session = (date: string) => ({
      date,
      province: 'KH22',
      provider: 'DRC',
      delivery: 'COMMUNITY_SESSION',
      audience: { girls: 1, boys: 2, women: 3, men: 4 },
    });
    expect(SessionCreate.safeParse(session('2026-12-04')).error?.issues.filter((i) => i.path[0] === 'date') ?? []).toEqual([]);
    expect(SessionCreate.safeParse(session('2026-12-05')).error?.issues.find((i) => i.path[0] === 'date')?.message).toBe('must not be in the future');
  });
});
