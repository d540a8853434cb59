import { describe, expect, it } from 'vitest';
import { blockingEntries, comparedYears, normaliseName, originPlaces, personName, scorePair } from '../../shared/domain/duplicates.ts';
import {
  blockingBucketKey,
  blockingRefName,
  duplicatePairKey,
  duplicateReviewKey,
  duplicateReviewsByCountry,
  duplicateReviewStatusPrefix,
} from '../../shared/db/keys/duplicate.ts';

describe('normaliseName', () => {
  it('folds case, spacing and Latin diacritics', () => {
    expect(normaliseName('  Sok   KHA ')).toBe('sokkha');
    expect(normaliseName('Sokha')).toBe(normaliseName('So kha'));
    expect(normaliseName('Nguyễn Văn Đoàn')).toBe('nguyenvandoan');
    expect(normaliseName('Ngô-Đình')).toBe('ngodinh');
    expect(normaliseName('Müller')).toBe(normaliseName('MULLER'));
    expect(normaliseName('Straße')).toBe('strasse');
    expect(normaliseName('Ｓｏｋ')).toBe('sok'); // full-width letters (NFKC compatibility)
  });

  it('keeps Khmer in its own script: spacing and zero-width spaces fold, vowel signs and subscripts stay', () => {
    const sokha = 'សុខា';
    expect(normaliseName(sokha)).toBe(sokha);
    expect(normaliseName('សុ ខា')).toBe(sokha);
    expect(normaliseName('សុ\u200Bខា')).toBe(sokha);
    // The vowel sign is part of the spelling: without it the name is another name.
    expect(normaliseName('សខា')).not.toBe(sokha);
    // A subscript consonant (coeng + letter) is kept.
    expect(normaliseName('ចន្ទា')).toBe('ចន្ទា');
    expect(normaliseName('ចន្ទា')).not.toBe(normaliseName('ចនទា'));
    // No transliteration: the Latin spelling of the same name is not the Khmer one.
    expect(normaliseName('Sokha')).not.toBe(normaliseName(sokha));
  });

  it('keeps Thai in its own script: tone marks and vowels stay, SARA AM and its decomposed spelling agree', () => {
    const somchai = 'สมชาย';
    expect(normaliseName('สม ชาย')).toBe(somchai);
    expect(normaliseName('น้ำ')).toBe(normaliseName('น\u0E49\u0E4D\u0E32')); // SARA AM = NIKHAHIT + SARA AA under NFKD
    expect(normaliseName('ก่อ')).not.toBe(normaliseName('กอ')); // the tone mark is part of the name
  });

  it('compares a name in either order of its parts', () => {
    expect(personName({ givenName: 'Sokha', familyName: 'Chan' })).toBe(personName({ givenName: 'CHAN', familyName: 'so kha' }));
    expect(personName({ givenName: 'Sokha', familyName: 'Chan' })).not.toBe(personName({ givenName: 'Sokha', familyName: 'Chea' }));
  });
});

describe('blocking entries', () => {
  it('files a person under the commune (taken from a village code when no commune is given) and under a free-text village without a code', () => {
    expect(originPlaces({ province: 'KH22', adm4: 'KH22030501' })).toEqual([{ kind: 'COMMUNE', place: 'adm3:KH220305' }]);
    expect(originPlaces({ province: 'KH22', adm3: 'KH220305', village: 'O  Smach' })).toEqual([
      { kind: 'COMMUNE', place: 'adm3:KH220305' },
      { kind: 'VILLAGE', place: 'village:KH22:osmach' },
    ]);
    expect(originPlaces({ province: 'KH22', adm4: 'KH22030501', village: 'O Smach' })).toEqual([{ kind: 'COMMUNE', place: 'adm3:KH220305' }]);
    expect(originPlaces({ province: 'KH22' })).toEqual([]);
  });

  it('gives one entry per member and place, with the member’s year', () => {
    const entries = blockingEntries({
      origin: { province: 'KH22', village: 'O Smach' },
      members: [
        { givenName: 'Sokha', familyName: 'Chan', birthYear: 1986 },
        { givenName: 'Dara', familyName: 'Chan', birthYear: 2012 },
      ],
    });
    expect(entries.map((e) => [e.memberIndex, e.birthYear, e.place])).toEqual([
      [0, 1986, 'village:KH22:osmach'],
      [1, 2012, 'village:KH22:osmach'],
    ]);
    expect(comparedYears(1986)).toEqual([1985, 1986, 1987]);
  });
});

describe('scorePair', () => {
  it('scores one person by year and place, several people higher, and names its reasons', () => {
    expect(scorePair([{ memberIndex: 0, otherMemberIndex: 0, sameYear: true, place: 'VILLAGE' }])).toEqual({
      score: 1,
      reasons: ['SAME_NAME', 'SAME_BIRTH_YEAR', 'SAME_ORIGIN_VILLAGE'],
    });
    const weak = scorePair([{ memberIndex: 0, otherMemberIndex: 1, sameYear: false, place: 'COMMUNE' }]);
    expect(weak).toEqual({ score: 0.8, reasons: ['SAME_NAME', 'BIRTH_YEAR_WITHIN_ONE', 'SAME_ORIGIN_COMMUNE'] });
    const two = scorePair([
      { memberIndex: 0, otherMemberIndex: 1, sameYear: false, place: 'COMMUNE' },
      { memberIndex: 1, otherMemberIndex: 0, sameYear: false, place: 'COMMUNE' },
    ]);
    expect(two.score).toBe(0.96);
    expect(two.reasons).toContain('SEVERAL_MEMBERS');
  });

  it('counts a person matched under two places once, at its best', () => {
    const r = scorePair([
      { memberIndex: 0, otherMemberIndex: 0, sameYear: false, place: 'COMMUNE' },
      { memberIndex: 0, otherMemberIndex: 0, sameYear: false, place: 'VILLAGE' },
    ]);
    expect(r).toEqual({ score: 0.9, reasons: ['SAME_NAME', 'BIRTH_YEAR_WITHIN_ONE', 'SAME_ORIGIN_VILLAGE'] });
  });
});

describe('duplicate keys', () => {
  it('builds the bucket, review and pair keys', () => {
    expect(blockingBucketKey('KH', 'ab12')).toEqual({ pk: 'DUPNAME#KH#ab12', sk: 'K' });
    expect(blockingRefName('01H', 2)).toBe('r_01H_2');
    expect(duplicateReviewKey('R1')).toEqual({ pk: 'DUPREVIEW#R1', sk: 'DUPREVIEW' });
    expect(duplicateReviewsByCountry('TH', 'PENDING', 'R1')).toEqual({ gsi1pk: 'DUPREVIEWS#TH', gsi1sk: 'PENDING#R1' });
    expect(duplicateReviewStatusPrefix(undefined)).toBe('');
    expect(duplicateReviewStatusPrefix('SAME')).toBe('SAME#');
    expect(duplicatePairKey('A', 'B')).toEqual({ pk: 'HH#A', sk: 'DUPPAIR#B' });
  });
});
