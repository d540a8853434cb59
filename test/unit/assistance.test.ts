import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assistanceReachedKey,
  assistanceRecordKey,
  assistanceRoundMarkerKey,
  assistanceStatsKey,
  registrationCodeKey,
} from '../../shared/db/keys/assistance.ts';
import { csvBody, csvCell } from '../../shared/http/csv.ts';
import {
  AssistanceByCode,
  AssistanceCreate,
  assistanceContribution,
  assistanceRoundView,
  canReadAssistanceRecord,
  canRecordAssistance,
  checkCharacter,
  CODE_ALPHABET,
  CODE_BODY_LENGTH,
  formatRegistrationCode,
  newRegistrationCode,
  normaliseRegistrationCode,
} from '../../shared/domain/assistance.ts';

const draw = () => newRegistrationCode((n) => randomBytes(n));

describe('registration codes', () => {
  it('are seven characters of the unambiguous alphabet, the last a check character', () => {
    expect(CODE_ALPHABET).toHaveLength(29);
    for (const ambiguous of ['0', 'O', '1', 'I', 'L', 'Z', 'U']) expect(CODE_ALPHABET).not.toContain(ambiguous);
    for (let i = 0; i < 200; i++) {
      const code = draw();
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_BODY_LENGTH + 1}}$`));
      expect(code[CODE_BODY_LENGTH]).toBe(checkCharacter(code.slice(0, CODE_BODY_LENGTH)));
    }
  });

  it('draw every symbol about as often (no bias from the bytes)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const ch of draw().slice(0, CODE_BODY_LENGTH)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = (3000 * CODE_BODY_LENGTH) / 29;
    expect(counts.size).toBe(29);
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.25);
  });

  it('the check character catches every single wrong character and every swap of two different neighbours', () => {
    for (let i = 0; i < 60; i++) {
      const code = draw();
      for (let pos = 0; pos < code.length; pos++) {
        for (const ch of CODE_ALPHABET) {
          if (ch === code[pos]) continue;
          expect(normaliseRegistrationCode(code.slice(0, pos) + ch + code.slice(pos + 1))).toBeUndefined();
        }
        if (pos + 1 < code.length && code[pos] !== code[pos + 1]) {
          expect(normaliseRegistrationCode(code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2))).toBeUndefined();
        }
      }
    }
  });

  it('are read as typed or printed: case, spaces and dashes do not matter; other characters are no code', () => {
    const code = draw();
    expect(formatRegistrationCode(code)).toBe(`${code.slice(0, 3)}-${code.slice(3)}`);
    expect(normaliseRegistrationCode(formatRegistrationCode(code).toLowerCase())).toBe(code);
    expect(normaliseRegistrationCode(` ${code.slice(0, 3)} ${code.slice(3)} `)).toBe(code);
    expect(normaliseRegistrationCode(code.slice(0, 6))).toBeUndefined();
    expect(normaliseRegistrationCode(`${code}2`)).toBeUndefined();
    expect(normaliseRegistrationCode('OOOOOOO')).toBeUndefined();
    expect(normaliseRegistrationCode('')).toBeUndefined();
  });
});

describe('assistance requests', () => {
  const valid = { type: 'CASH', round: ' 2026-r1 ', date: '2026-02-01', quantity: 12.5, unit: 'usd' };
  it('normalise round and unit to upper case and accept two decimals', () => {
    expect(AssistanceCreate.parse(valid)).toEqual({ ...valid, round: '2026-R1', unit: 'USD' });
    expect(AssistanceByCode.parse({ ...valid, code: 'abc-defg' }).code).toBe('abc-defg');
  });

  it.each([
    ['an unknown type', { type: 'GOLD' }],
    ['a zero quantity', { quantity: 0 }],
    ['three decimals', { quantity: 1.005 }],
    ['too much', { quantity: 2e9 }],
    ['a date in the future', { date: '2999-01-01' }],
    ['a round with spaces inside', { round: '2026 R1' }],
    ['a round with #', { round: 'R#1' }],
    ['a unit with spaces', { unit: 'K G' }],
    ['another field', { note: 'x' }],
  ])('refuses %s', (_what, change) => {
    expect(AssistanceCreate.safeParse({ ...valid, ...change }).success).toBe(false);
  });
});

describe('who records and reads assistance', () => {
  const record = { country: 'KH' as const, org: 'NGO-B' };
  const household = { country: 'KH', org: 'NGO-A' };
  it('any relief agency of the household’s country records; nobody else', () => {
    expect(canRecordAssistance({ role: 'relief', country: 'KH' }, household)).toBe(true);
    expect(canRecordAssistance({ role: 'relief', country: 'TH' }, household)).toBe(false);
    for (const role of ['ministry', 'admin', 'observer', 'operations'] as const) expect(canRecordAssistance({ role, country: 'KH' }, household)).toBe(false);
  });
  it('the household’s readers and the organisation that gave it read a record', () => {
    expect(canReadAssistanceRecord({ role: 'relief', country: 'KH', org: 'NGO-A' }, record, household)).toBe(true);
    expect(canReadAssistanceRecord({ role: 'relief', country: 'KH', org: 'NGO-B' }, record, household)).toBe(true);
    expect(canReadAssistanceRecord({ role: 'relief', country: 'KH', org: 'NGO-C' }, record, household)).toBe(false);
    expect(canReadAssistanceRecord({ role: 'ministry', country: 'KH', org: 'M' }, record, household)).toBe(true);
    expect(canReadAssistanceRecord({ role: 'ministry', country: 'TH', org: 'M' }, record, household)).toBe(false);
    expect(canReadAssistanceRecord({ role: 'observer', org: 'AOT' }, record, household)).toBe(false);
  });
});

describe('round counters', () => {
  it('count a household and its people once per round and once per type, and sum quantities per unit', () => {
    const parts = [
      assistanceContribution({ type: 'CASH', unit: 'USD', quantity: 50, people: 4 }, true),
      assistanceContribution({ type: 'FOOD', unit: 'KG', quantity: 25, people: 4 }, false),
      assistanceContribution({ type: 'CASH', unit: 'USD', quantity: 30.5, people: 2 }, true),
      assistanceContribution({ type: 'SHELTER_KIT', unit: 'KIT', quantity: 1, people: 2 }, false),
    ];
    const counters: Record<string, number> = {};
    for (const p of parts) for (const [k, v] of Object.entries(p)) counters[k] = (counters[k] ?? 0) + v;
    expect(assistanceRoundView('2026-R1', counters)).toEqual({
      round: '2026-R1',
      records: 4,
      households: 2,
      people: 6,
      quantity: { USD: 80.5, KG: 25, KIT: 1 },
      byType: {
        CASH: { records: 2, households: 2, people: 6, quantity: { USD: 80.5 } },
        FOOD: { records: 1, households: 1, people: 4, quantity: { KG: 25 } },
        SHELTER_KIT: { records: 1, households: 1, people: 2, quantity: { KIT: 1 } },
      },
    });
  });
});

describe('keys', () => {
  it('keep records and markers in the household’s partition and counters per country and round', () => {
    expect(assistanceRecordKey('H1', 'A1')).toEqual({ pk: 'HH#H1', sk: 'ASSIST#A1' });
    expect(assistanceRoundMarkerKey('H1', '2026-R1', 'CASH')).toEqual({ pk: 'HH#H1', sk: 'ASSISTROUND#2026-R1#CASH' });
    expect(assistanceReachedKey('H1', '2026-R1')).toEqual({ pk: 'HH#H1', sk: 'ASSISTREACHED#2026-R1' });
    expect(assistanceStatsKey('KH', '2026-R1')).toEqual({ pk: 'ASTATS#KH', sk: 'ROUND#2026-R1' });
    expect(registrationCodeKey('KH', 'ABCDEFG')).toEqual({ pk: 'HHCODE#KH#ABCDEFG', sk: 'CODE' });
  });
});

describe('CSV cells', () => {
  it('quote what needs quoting and neutralise text a spreadsheet would run', () => {
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell('Pagoda camp, 4')).toBe('"Pagoda camp, 4"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-5')).toBe("'-5");
    expect(
      csvBody([
        ['a', 1],
        ['b', 2],
      ]),
    ).toBe('a,1\r\nb,2\r\n');
    expect(csvCell(3, true)).toBe('<5');
  });
});
