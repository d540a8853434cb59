import { describe, expect, it } from 'vitest';
import { autoField, emptyRow, fillRow, resolveHeader, ValueTranslator } from '../../shared/domain/import-columns.ts';
import { ImportMapping } from '../../shared/domain/import-mapping.ts';
import { columnIndex, decodeXml, SheetScanner, type ScannedRow } from '../../functions/importer/sheet-scanner.ts';
import { SharedStrings } from '../../functions/importer/shared-strings.ts';
import { sniffDelimiter } from '../../functions/importer/sources.ts';
import { CHOICE_LABELS_FOR_TEST } from './import-columns.fixture.ts';

describe('import columns', () => {
  it("maps Clearway's names alone or after KoBoToolbox's and ODK's group paths, and the split geopoint", () => {
    expect(autoField('origin_province')).toBe('origin_province');
    expect(autoField('household/origin_province')).toBe('origin_province');
    expect(autoField('household-origin_province')).toBe('origin_province');
    expect(autoField('hh/details/given_name')).toBe('given_name');
    expect(autoField('_household/destination_point_latitude')).toBe('destination_lat');
    expect(autoField('household-destination_point-Longitude')).toBe('destination_lon');
    expect(autoField('household/destination_point')).toBe('destination_point');
    expect(autoField('members/specific_needs/SP-PT')).toBeUndefined();
    expect(autoField('colour')).toBeUndefined();
  });

  it('ignores the tools’ metadata silently, reports other unknown columns, and lets a mapping name or ignore columns', () => {
    const header = [
      '_id',
      '_uuid',
      'meta/instanceID',
      'KEY',
      'SubmissionDate',
      'household/given_name',
      'remarks',
      'prenom',
      'notes_internal',
      '_household/destination_point_altitude',
    ];
    const resolved = resolveHeader(header, { columns: { prenom: 'family_name', notes_internal: 'ignore' } });
    expect(resolved.ignored).toEqual(['remarks']);
    expect(resolved.recognised).toEqual([
      { column: 'household/given_name', field: 'given_name' },
      { column: 'prenom', field: 'family_name' },
    ]);
    expect(resolved.keyAt).toBe(3);
    expect(resolveHeader(['given_name', 'person/given_name'], undefined).repeated).toEqual(['given_name']);
  });

  it('translates codes, labels in English, Khmer and Thai, common codes, and the mapping’s own values; counts what it cannot', () => {
    const unknown: string[] = [];
    const v = new ValueTranslator({ values: { sex: { femme: 'F' } } }, (field, value) => unknown.push(`${field}=${value}`));
    expect(['female', 'ស្រី', 'หญิง', '2', 'f', ' Female ', 'femme'].map((s) => v.translate('sex', s))).toEqual(['F', 'F', 'F', 'F', 'F', 'F', 'F']);
    expect(v.translate('relationship', 'មេគ្រួសារ')).toBe('HEAD');
    expect(v.translate('consent_given', 'បាទ/ចាស')).toBe('yes');
    expect(v.translate('consent_given', 'ไม่')).toBe('no');
    expect(v.translate('specific_needs', 'SP-PT DS-PM')).toBe('SP-PT;DS-PM');
    expect(v.translate('specific_needs', 'SP-PT|DS-PM')).toBe('SP-PT;DS-PM');
    expect(v.translate('consent_purposes', 'RETURN_ASSISTANCE STATISTICS')).toBe('RETURN_ASSISTANCE;STATISTICS');
    expect(v.translate('sex', 'femelle')).toBe('femelle');
    expect(unknown).toEqual(['sex=femelle']);
    for (const [field, labels] of Object.entries(CHOICE_LABELS_FOR_TEST))
      for (const [code, names] of Object.entries(labels)) for (const name of names) expect(v.translate(field as 'sex', name)).toBe(code);
  });

  it('fills a row from a record: a geopoint becomes the destination, a spreadsheet date serial a date', () => {
    const header = resolveHeader(['household/destination_point', 'consent/consent_date', 'members/sex'], undefined);
    const row = emptyRow();
    fillRow(row, ['14.42 103.52 0 5', '46037', 'ស្រី'], header, new ValueTranslator(undefined));
    expect(row).toMatchObject({ destination_lat: '14.42', destination_lon: '103.52', consent_date: '2026-01-15', sex: 'F' });
  });

  it('refuses a mapping to an unknown column or value', () => {
    expect(ImportMapping.safeParse({ columns: { a: 'colour' } }).success).toBe(false);
    expect(ImportMapping.safeParse({ values: { sex: { femme: 'W' } } }).success).toBe(false);
    expect(ImportMapping.safeParse({ columns: { a: 'given_name', b: 'ignore', c: 'destination_point' }, values: { sex: { femme: 'F' } } }).success).toBe(true);
  });
});

describe('worksheet scanner', () => {
  const scan = (pieces: string[], strings: string[] = []) => {
    const rows: ScannedRow[] = [];
    const shared = new SharedStrings();
    for (const v of strings) shared.push(v);
    const s = new SheetScanner(shared, (r) => rows.push(r));
    for (const p of pieces) s.write(p);
    return rows;
  };

  it('reads shared, inline, rich and numeric cells by reference, across pieces cut anywhere, with entities and prefixes', () => {
    const xml =
      '<?xml version="1.0"?><x:worksheet xmlns:x="ns"><x:sheetData><!-- a > comment -->' +
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>A &amp; B &#x1780;</x:t></x:is></x:c></x:row>' +
      '<x:row r="3"><x:c r="B3" t="inlineStr"><x:is><x:r><x:t>Sok</x:t></x:r><x:r><x:t>ha</x:t></x:r><x:rPh><x:t>ignored</x:t></x:rPh></x:is></x:c><x:c r="D3"><x:v>1986</x:v></x:c><x:c r="E3" t="b"><x:v>1</x:v></x:c><x:c r="F3" s="2"/></x:row>' +
      '<x:row r="4"><x:c r="A4" t="s"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>';
    const expected = [
      { row: 1, cells: ['ស្រី', '', 'A & B ក'] },
      { row: 3, cells: ['', 'Sokha', '', '1986', 'TRUE', ''] },
    ];
    expect(scan([xml], ['ស្រី', ' '])).toEqual(expected);
    // Cut at every position: the result does not depend on where the inflated pieces end.
    for (let at = 1; at < xml.length; at += 7) expect(scan([xml.slice(0, at), xml.slice(at)], ['ស្រី', ' '])).toEqual(expected);
  });

  it('decodes XML entities and numbers columns', () => {
    expect(decodeXml('&lt;a&gt; &quot;&apos; &#65;&#x42;')).toBe('<a> "\' AB');
    expect([columnIndex('A1'), columnIndex('Z9'), columnIndex('AA10'), columnIndex('AB')]).toEqual([0, 25, 26, 27]);
  });

  it('sniffs the delimiter of a CSV from its header line, outside quotes', () => {
    expect(sniffDelimiter('a;b;c\n1,2;3')).toBe(';');
    expect(sniffDelimiter('"a;b",c,d\n')).toBe(',');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
  });
});

describe('choice labels', () => {
  it('are the words the console shows, in English, Khmer and Thai', async () => {
    const { householdMessages } = await import('../../web/src/views/households/messages.ts');
    const { needMessages } = await import('../../web/src/views/households/needs.ts');
    const prefixes = { sex: 'sex.', relationship: 'rel.', document_type: 'doc.', consent_purposes: 'purpose.' } as const;
    const langs = ['en', 'km', 'th'] as const;
    for (const [field, prefix] of Object.entries(prefixes)) {
      for (const [code, labels] of Object.entries(CHOICE_LABELS_FOR_TEST[field as keyof typeof prefixes])) {
        expect(labels, `${field} ${code}`).toEqual(langs.map((l) => (householdMessages[l] as Record<string, string>)[`${prefix}${code}`]));
      }
    }
    for (const [code, labels] of Object.entries(CHOICE_LABELS_FOR_TEST.specific_needs))
      expect(labels, code).toEqual(langs.map((l) => (needMessages[l] as Record<string, string>)[code]));
  });
});
