import { describe, expect, it } from 'vitest';
import { matchesPlace, pickLevels, unitLabel, type PlaceUnit } from '../../web/src/views/households/place-search.ts';
import { householdBody, emptyHousehold } from '../../web/src/views/households/form.ts';

const samraong: PlaceUnit = { pcode: 'KH2206', level: 'adm2', name: { en: 'Samraong', km: 'សំរោង' } };
const surin: PlaceUnit = { pcode: 'TH3201', level: 'adm2', name: { en: 'Mueang Surin', th: 'เมืองสุรินทร์' } };

describe('console place pickers', () => {
  it('names a unit in the reader’s language, with the English beside a national name', () => {
    expect(unitLabel(samraong, 'km')).toBe('សំរោង (Samraong)');
    expect(unitLabel(samraong, 'en')).toBe('Samraong');
    expect(unitLabel(samraong, 'th')).toBe('Samraong');
    expect(unitLabel(surin, 'th')).toBe('เมืองสุรินทร์ (Mueang Surin)');
  });
  it('finds a unit by its name in any script or by its code, whatever the language of the console', () => {
    expect(matchesPlace(samraong, 'សំរោ')).toBe(true);
    expect(matchesPlace(samraong, 'samr')).toBe(true);
    expect(matchesPlace(samraong, 'KH22')).toBe(true);
    expect(matchesPlace(surin, 'สุรินทร์')).toBe(true);
    expect(matchesPlace(surin, 'សំរោ')).toBe(false);
    expect(matchesPlace(surin, '  ')).toBe(true);
  });
  it('offers villages only in Cambodia, and sends the codes picked', () => {
    expect(pickLevels('KH')).toEqual(['adm2', 'adm3', 'adm4']);
    expect(pickLevels('TH')).toEqual(['adm2', 'adm3']);
    const state = emptyHousehold('KH');
    state.origin = { ...state.origin, province: 'KH22', adm2: 'KH2203', adm3: 'KH220301' };
    state.destination = { ...state.destination, province: 'KH22', adm2: 'KH2203' };
    const body = householdBody(state, false) as { origin: Record<string, string>; destination: Record<string, string> };
    expect(body.origin).toEqual({ province: 'KH22', adm2: 'KH2203', adm3: 'KH220301' });
    expect(body.destination).toEqual({ province: 'KH22', adm2: 'KH2203' });
  });
});
