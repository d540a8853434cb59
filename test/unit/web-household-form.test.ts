import { describe, expect, it } from 'vitest';
import { SPECIFIC_NEED_CODES } from '#shared/domain/specific-needs.ts';
import { PROVINCES } from '#shared/domain/provinces.ts';
import {
  checkHousehold,
  emptyHousehold,
  emptyMember,
  fieldErrors,
  householdBody,
  inputPath,
  ONE_HEAD,
  REQUIRED,
  type HouseholdFormState,
} from '../../web/src/views/households/form.ts';
import { needMessages } from '../../web/src/views/households/needs.ts';
import { provinceMessages } from '../../web/src/views/households/places.ts';

const filled = (): HouseholdFormState => {
  const s = emptyHousehold('KH');
  s.origin = { province: 'KH22', adm2: '', adm3: '', adm4: '', district: 'Samraong', village: '' };
  s.current = { province: 'KH17', adm2: '', adm3: '', adm4: '', district: '', village: '', siteId: '', site: 'Pagoda camp 4', hostCommunity: '' };
  s.members = [
    {
      ...emptyMember('HEAD'),
      givenName: 'Sokha',
      familyName: 'Chan',
      sex: 'F',
      birthYear: '1986',
      specificNeeds: ['SP-PT'],
      documentType: 'NATIONAL_ID',
      documentNumber: '010203040',
    },
  ];
  s.consent = { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] };
  return s;
};

describe('household registration form (web console)', () => {
  it('builds the POST /v1/households body without blank optional fields', () => {
    const s = filled();
    s.destination = { province: 'KH22', adm2: '', adm3: '', adm4: '', district: '', village: 'O Smach', lon: '103.52', lat: '14.42' };
    expect(householdBody(s, false)).toEqual({
      origin: { province: 'KH22', district: 'Samraong' },
      current: { province: 'KH17', site: 'Pagoda camp 4' },
      destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
      members: [
        {
          givenName: 'Sokha',
          familyName: 'Chan',
          sex: 'F',
          relationship: 'HEAD',
          birthYear: 1986,
          specificNeeds: ['SP-PT'],
          document: { type: 'NATIONAL_ID', number: '010203040' },
        },
      ],
      consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
    });
  });

  it('sends the country only when an admin chose it', () => {
    expect(householdBody(filled(), true)).toHaveProperty('country', 'KH');
    expect(householdBody(filled(), false)).not.toHaveProperty('country');
  });

  it('finds nothing wrong with a complete registration', () => {
    expect(checkHousehold(householdBody(filled(), false), 'KH')).toEqual({});
  });

  it('marks empty required inputs by their path, and consent not given', () => {
    const s = filled();
    s.members = [{ ...emptyMember('HEAD') }];
    s.consent.given = false;
    const errors = checkHousehold(householdBody(s, false), 'KH');
    expect(errors['members.0.givenName']).toBe(REQUIRED);
    expect(errors['members.0.familyName']).toBe(REQUIRED);
    expect(errors['members.0.sex']).toBeDefined();
    expect(errors['members.0.birthYear']).toBeDefined();
    expect(errors['consent.given']).toBeDefined();
  });

  it('requires exactly one head', () => {
    const s = filled();
    s.members.push({ ...s.members[0]!, key: 99, givenName: 'Dara', documentType: '', documentNumber: '' });
    expect(checkHousehold(householdBody(s, false), 'KH').members).toBe(ONE_HEAD);
  });

  it('refuses provinces of the other country', () => {
    const s = filled();
    s.origin.province = 'TH34';
    expect(checkHousehold(householdBody(s, false), 'KH')['origin.province']).toMatch(/not a known province of KH/);
  });

  it('maps server error paths to the inputs that show them', () => {
    expect(inputPath('body.members.0.givenName')).toBe('members.0.givenName');
    expect(inputPath('body.members.2.document.number')).toBe('members.2.documentNumber');
    expect(inputPath('body.members.1.document')).toBe('members.1.documentNumber');
    expect(inputPath('body.destination.point.coordinates.1')).toBe('destination.lat');
    expect(inputPath('body.consent.purposes.0')).toBe('consent.purposes');
    expect(
      fieldErrors([
        { path: 'body.origin.province', message: 'a' },
        { path: 'body.origin.province', message: 'b' },
      ]),
    ).toEqual({ 'origin.province': 'a' });
  });

  it('names every specific-needs code and border province in the three languages', () => {
    for (const lang of ['en', 'km', 'th'] as const) {
      for (const code of SPECIFIC_NEED_CODES) expect(needMessages[lang][code], `${lang} ${code}`).toBeTruthy();
      for (const p of PROVINCES) expect((provinceMessages[lang] as Record<string, string>)[p.pcode], `${lang} ${p.pcode}`).toBeTruthy();
    }
  });
});
