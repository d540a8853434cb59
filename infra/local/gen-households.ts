/**
 * `npm run gen:households -- --people 130000 [--country KH|TH] [--invalid-rate 0.1] [--seed 1] [--with-sites]
 *   [--out file.csv] [--format csv|kobo-xlsx] [--shared-strings]` (kobo-xlsx: the same people as KoBoToolbox exports the registration
 * form, a submissions sheet and a members sheet; needs --out; `--shared-strings` writes its texts to a
 * shared-strings table, as Excel saves a workbook, instead of inline)
 *
 * Writes a realistic synthetic household CSV in the import format (README, "Household CSV
 * import"): Khmer or Thai names in their own scripts, origin provinces of the border in
 * proportion to the 2025 displacement figures (`/work/shared/data/border-provinces.json`: Thailand's
 * evacuee counts of July 2025; for Cambodia, which published no per-province count, the three
 * provinces with the cluster-munition contamination weigh three times the other affected ones),
 * families of plausible size and ages, some UNHCR specific needs, national ID cards for adults,
 * origins coded down to the commune (and the village in Cambodia) with the shipped gazetteer's
 * P-codes, a registrar's file holding a village's families together (runs of 20–80 households of
 * one origin), current places coded to the district (a few families with relatives in the
 * capital), the day each household was displaced (in the waves of July and December 2025), return
 * intentions for most, with `--with-sites` the displacement sites of {@link generatedSites} (which
 * `npm run seed` registers) for households in camps, and on request a share of invalid rows. The same seed gives the same file. Streams its output:
 * a million people need no more memory than a hundred.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate, strToU8 } from 'fflate';
import { HOUSEHOLD_COLUMNS, IMPORT_COLUMNS, MEMBER_COLUMNS, type ImportRow } from '../../shared/domain/household-import.ts';
import { columnName } from '../../shared/files/xlsx-writer.ts';
import { SPECIFIC_NEED_CODES } from '../../shared/domain/specific-needs.ts';
import type { Country } from '../../shared/domain/common.ts';
import type { SourceUnit } from '../../shared/domain/gazetteer.ts';
import { SHIPPED_GAZETTEER_DIR } from './gazetteer-files.ts';

/** The shipped gazetteer's provinces of a country (read once): the generator's places are real P-codes. */
const gazetteers = new Map<Country, Map<string, SourceUnit>>();
function provincesOf(country: Country): Map<string, SourceUnit> {
  let found = gazetteers.get(country);
  if (!found) {
    const manifest = JSON.parse(readFileSync(join(SHIPPED_GAZETTEER_DIR, 'edition.json'), 'utf8')) as { files: Record<Country, string> };
    const units = JSON.parse(readFileSync(join(SHIPPED_GAZETTEER_DIR, manifest.files[country]), 'utf8')) as SourceUnit[];
    found = new Map(units.map((u) => [u.pcode, u]));
    gazetteers.set(country, found);
  }
  return found;
}
const below = (u: SourceUnit): SourceUnit[] => u.districts ?? u.communes ?? u.subdistricts ?? u.villages ?? [];

/** Where families shelter away from the border: the capital (Phnom Penh, Bangkok). */
const CAPITAL: Record<Country, string> = { KH: 'KH12', TH: 'TH10' };

/** Origin weights: Thailand's evacuees of 29 July 2025 per province; Cambodia's affected provinces (see above). */
const WEIGHTS: Record<Country, Record<string, number>> = {
  TH: { TH22: 224, TH23: 1621, TH27: 2652, TH31: 24480, TH32: 55898, TH33: 82021, TH34: 21838 },
  KH: { KH22: 3, KH13: 3, KH01: 3, KH02: 1, KH09: 1, KH15: 1, KH17: 1 },
};

/** Approximate centres of the border districts, for destination points. */
const CENTRES: Record<string, [number, number]> = {
  KH01: [102.98, 13.75],
  KH02: [102.95, 13.0],
  KH09: [103.2, 11.6],
  KH13: [104.8, 14.0],
  KH15: [103.5, 12.4],
  KH17: [103.9, 13.5],
  KH22: [103.55, 14.2],
  KH24: [102.6, 12.85],
  TH22: [102.15, 12.6],
  TH23: [102.5, 12.25],
  TH27: [102.35, 13.8],
  TH31: [103.0, 14.5],
  TH32: [103.5, 14.85],
  TH33: [104.3, 14.9],
  TH34: [105.0, 15.1],
};

const NAMES = {
  KH: {
    family: ['សុខ', 'ចាន់', 'ហេង', 'លឹម', 'កែវ', 'ម៉ម', 'សៀង', 'ឈឹម', 'ប៉ែន', 'សួន', 'អ៊ុក', 'ខៀវ', 'ញឹម', 'ពេជ្រ', 'រស់'],
    F: ['ស្រីមុំ', 'សុភា', 'ចន្ធូ', 'ដាវី', 'សុខា', 'ស្រីនាង', 'ពិសី', 'រតនា', 'ម៉ាលី', 'សុវណ្ណី', 'ចរិយា', 'បុប្ផា'],
    M: ['សុខា', 'វិចិត្រ', 'ដារ៉ា', 'សំណាង', 'វណ្ណា', 'ពិសិដ្ឋ', 'រិទ្ធី', 'បូរ៉ា', 'សុផល', 'ចាន់ថា', 'វាសនា', 'សម្បត្តិ'],
    sites: ['វត្តបាធាយ', 'សាលាបឋមសិក្សាអូរស្មាច់', 'ជំរំត្រពាំងប្រាសាទ', 'វត្តសំរោង', 'មណ្ឌលស្នាក់នៅបណ្តោះអាសន្នគោកមន'],
    villages: ['អូរស្មាច់', 'គោកមន', 'ត្រពាំងប្រាសាទ', 'ជាំក្សាន្ត', 'ចុងកាល់', 'អន្លង់វែង'],
    idDigits: 9,
  },
  TH: {
    family: ['ศรีสุข', 'บุญมา', 'แก้วมณี', 'สุขสวัสดิ์', 'ทองดี', 'จันทร์เพ็ญ', 'พรหมมา', 'สายทอง', 'ใจดี', 'มั่นคง', 'ศรีวงศ์', 'บุญเรือง'],
    F: ['สมหญิง', 'มาลี', 'สุดา', 'นภา', 'พรทิพย์', 'วันเพ็ญ', 'กาญจนา', 'อรุณี', 'ปราณี', 'จันทร์ทิพย์'],
    M: ['สมชาย', 'ประเสริฐ', 'สมศักดิ์', 'วิชัย', 'บุญชู', 'สมบัติ', 'ธนากร', 'สุริยา', 'อนันต์', 'ชัยวัฒน์'],
    sites: ['ศูนย์พักพิงวัดป่า', 'โรงเรียนบ้านหนองแวง', 'หอประชุมอำเภอ', 'ศูนย์อพยพวัดศรีสะเกษ', 'มหาวิทยาลัยราชภัฏ'],
    villages: ['บ้านภูมิซรอล', 'บ้านโนนเจริญ', 'บ้านหนองแวง', 'บ้านสำโรง', 'บ้านโคกสะอาด'],
    idDigits: 13,
  },
} as const;

/** Site names in English and the national language, by type (the generated sites cycle through them). */
const SITE_KINDS = [
  { type: 'PAGODA', tag: 'PGD', en: 'Pagoda', km: 'វត្ត', th: 'วัด' },
  { type: 'SCHOOL', tag: 'SCH', en: 'School', km: 'សាលារៀន', th: 'โรงเรียน' },
  { type: 'CAMP', tag: 'CMP', en: 'Camp', km: 'ជំរំ', th: 'ศูนย์พักพิง' },
] as const;

/** A displacement site the generator places households at (`npm run seed` registers them through the API). */
export interface GeneratedSite {
  code: string;
  country: Country;
  province: string;
  type: (typeof SITE_KINDS)[number]['type'];
  name: { en: string; km?: string; th?: string };
  capacity: number;
  point: { type: 'Point'; coordinates: [number, number] };
}

/** Three sites (a pagoda, a school, a camp) in each affected province of a country, near its centre. */
export function generatedSites(country: Country): GeneratedSite[] {
  return Object.keys(WEIGHTS[country]).flatMap((province) =>
    SITE_KINDS.map((k, i) => ({
      code: `${province}-${k.tag}-${String(i + 1).padStart(2, '0')}`,
      country,
      province,
      type: k.type,
      name: { en: `${k.en} site ${i + 1}, ${province}`, ...(country === 'KH' ? { km: `${k.km} ${i + 1}` } : { th: `${k.th} ${i + 1}` }) },
      capacity: 500 * (i + 1),
      point: {
        type: 'Point' as const,
        coordinates: [Number((CENTRES[province]![0] + 0.05 * i).toFixed(4)), Number((CENTRES[province]![1] - 0.05 * i).toFixed(4))] as [number, number],
      },
    })),
  );
}

const INTENTS = ['YES', 'YES', 'YES', 'UNDECIDED', 'NO'] as const;
const WHEN = ['WITHIN_1_MONTH', '1_TO_3_MONTHS', '3_TO_6_MONTHS', 'LATER'] as const;
const OBSTACLES = ['MINES_OR_UXO', 'HOUSE_DESTROYED', 'LAND_OCCUPIED', 'NO_SERVICES', 'NO_LIVELIHOOD', 'INSECURITY', 'OTHER'] as const;

/** Seeded PRNG (mulberry32): the same seed, the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
export const csvLine = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\n`;

export interface GenerateOptions {
  people: number;
  country?: Country;
  invalidRate?: number;
  seed?: number;
  /** Prefix of household keys (two files with other prefixes hold other households). */
  keyPrefix?: string;
  /** First number of the documents, so that two files hold different documents. */
  documentOffset?: number;
  /** Put households in camps at the sites of {@link generatedSites} (`current_site_code`); they must be registered first. */
  withSites?: boolean;
}

/** The rows of a synthetic file (header first), one string per CSV line, generated lazily. */
export function* householdCsvLines(options: GenerateOptions): Generator<string> {
  yield csvLine(IMPORT_COLUMNS);
  for (const row of householdRows(options)) yield csvLine(IMPORT_COLUMNS.map((c) => row[c]));
}

/** The people of a synthetic file, one row each (a household's columns on its first row), generated lazily. */
export function* householdRows(options: GenerateOptions): Generator<ImportRow> {
  const country = options.country ?? 'KH';
  const rnd = random(options.seed ?? 1);
  const invalidRate = options.invalidRate ?? 0;
  const names = NAMES[country];
  const other: Country = country === 'KH' ? 'TH' : 'KH';
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weights = Object.entries(WEIGHTS[country]);
  const totalWeight = weights.reduce((s, [, w]) => s + w, 0);
  const province = () => {
    let r = rnd() * totalWeight;
    for (const [p, w] of weights) if ((r -= w) < 0) return p;
    return weights[0]![0];
  };
  // Household sizes 1..9 (mean ≈ 4.3, as the 2019 Cambodian census and Thai rural households).
  const SIZES = [0.06, 0.12, 0.18, 0.22, 0.18, 0.12, 0.07, 0.03, 0.02];
  const size = () => {
    let r = rnd();
    for (let i = 0; i < SIZES.length; i++) if ((r -= SIZES[i]!) < 0) return i + 1;
    return 4;
  };
  const year = new Date().getUTCFullYear();
  let documentNumber = options.documentOffset ?? 100_000;
  const sitesIn = new Map<string, GeneratedSite[]>();
  if (options.withSites) for (const site of generatedSites(country)) sitesIn.set(site.province, [...(sitesIn.get(site.province) ?? []), site]);
  // Displaced in the fighting of late July 2025 or of December 2025.
  const displacedSince = () =>
    rnd() < 0.4 ? `2025-07-${String(24 + Math.floor(rnd() * 8)).padStart(2, '0')}` : `2025-12-${String(8 + Math.floor(rnd() * 20)).padStart(2, '0')}`;
  let people = 0;
  let n = 0;
  const gazetteer = provincesOf(country);
  const local = (u: SourceUnit) => (country === 'KH' ? u.km : u.th) ?? u.en;
  // A registrar's file holds a village's families together: one origin for a run of households.
  let run = 0;
  let origin = '';
  let originUnits: { adm2: SourceUnit; adm3: SourceUnit; adm4?: SourceUnit | undefined } | undefined;
  while (people < options.people) {
    n++;
    const members = Math.min(size(), options.people - people);
    const key = `${options.keyPrefix ?? 'HH'}-${String(n).padStart(7, '0')}`;
    if (run-- <= 0 || !originUnits) {
      run = 20 + Math.floor(rnd() * 60);
      origin = province();
      const adm2 = pick(below(gazetteer.get(origin)!));
      const adm3 = pick(below(adm2));
      const villages = below(adm3);
      originUnits = { adm2, adm3, adm4: villages.length > 0 ? pick(villages) : undefined };
    }
    const family = pick(names.family);
    const centre = CENTRES[origin]!;
    const inCamp = rnd() < 0.7;
    const withPoint = rnd() < 0.6;
    const currentProvince = !inCamp && rnd() < 0.1 ? CAPITAL[country] : rnd() < 0.8 ? origin : province();
    const currentDistrict = pick(below(gazetteer.get(currentProvince)!));
    const { adm2, adm3, adm4 } = originUnits;
    const sites = sitesIn.get(currentProvince);
    const site = inCamp && sites ? pick(sites) : undefined;
    const surveyed = rnd() < 0.6;
    const intends = pick(INTENTS);
    const household: Partial<ImportRow> = {
      household_key: key,
      origin_province: origin,
      origin_adm2: adm2.pcode,
      origin_adm3: adm3.pcode,
      origin_adm4: adm4?.pcode ?? '',
      origin_district: local(adm2),
      origin_village: adm4 ? local(adm4) : pick(names.villages),
      current_province: currentProvince,
      // A coded site carries its own place; a household elsewhere is coded to its district.
      current_adm2: site ? '' : currentDistrict.pcode,
      current_site: inCamp && !site ? pick(names.sites) : '',
      current_site_code: site?.code ?? '',
      displaced_since: displacedSince(),
      return_intends: surveyed ? intends : '',
      return_when: surveyed && intends === 'YES' ? pick(WHEN) : '',
      return_obstacles: surveyed ? [...new Set([pick(OBSTACLES), ...(rnd() < 0.4 ? [pick(OBSTACLES)] : [])])].join(';') : '',
      return_surveyed_at: surveyed ? `2026-01-${String(1 + Math.floor(rnd() * 20)).padStart(2, '0')}` : '',
      current_host_community: inCamp ? '' : pick(names.villages),
      destination_province: origin,
      destination_adm2: adm2.pcode,
      destination_adm3: adm3.pcode,
      destination_adm4: adm4?.pcode ?? '',
      destination_village: adm4 ? local(adm4) : pick(names.villages),
      destination_lon: withPoint ? (centre[0] + (rnd() - 0.5) * 0.4).toFixed(5) : '',
      destination_lat: withPoint ? (centre[1] + (rnd() - 0.5) * 0.4).toFixed(5) : '',
      contact_phone: rnd() < 0.7 ? `+${country === 'KH' ? '855' : '66'} ${Math.floor(10_000_000 + rnd() * 89_999_999)}` : '',
      consent_given: 'yes',
      consent_date: `2026-01-${String(1 + Math.floor(rnd() * 20)).padStart(2, '0')}`,
      consent_purposes: rnd() < 0.5 ? 'RETURN_ASSISTANCE;REGISTRATION' : 'RETURN_ASSISTANCE|STATISTICS',
    };
    const headSex = rnd() < 0.7 ? 'M' : 'F';
    const headAge = 22 + Math.floor(rnd() * 45);
    for (let m = 0; m < members; m++) {
      let relationship: string;
      let sex: string;
      let age: number;
      if (m === 0) [relationship, sex, age] = ['HEAD', headSex, headAge];
      else if (m === 1 && members > 2) [relationship, sex, age] = ['SPOUSE', headSex === 'M' ? 'F' : 'M', Math.max(18, headAge + Math.floor(rnd() * 9) - 4)];
      else if (m === members - 1 && members > 4 && rnd() < 0.4)
        [relationship, sex, age] = ['PARENT', rnd() < 0.6 ? 'F' : 'M', Math.min(100, headAge + 20 + Math.floor(rnd() * 10))];
      else [relationship, sex, age] = ['CHILD', rnd() < 0.5 ? 'F' : 'M', Math.max(0, Math.min(headAge - 16, Math.floor(rnd() * 18)))];
      const needs: string[] = [];
      if (rnd() < 0.08) needs.push(pick(SPECIFIC_NEED_CODES));
      if (age >= 60 && rnd() < 0.3) needs.push('ER-NF');
      const adult = age >= 18;
      const row: ImportRow = {
        ...(Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, ''])) as ImportRow),
        ...(m === 0 ? household : { household_key: key }),
        given_name: pick(names[sex as 'F' | 'M']),
        family_name: family,
        sex,
        birth_date:
          age >= 1 && rnd() < 0.5
            ? `${year - age}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`
            : '',
        birth_year: String(year - age),
        relationship,
        specific_needs: [...new Set(needs)].join(';'),
        document_type: adult ? 'NATIONAL_ID' : '',
        document_number: adult ? String(documentNumber++).padStart(names.idDigits, '0') : '',
      };
      if (row.birth_date) row.birth_year = row.birth_date.slice(0, 4);
      if (invalidRate > 0 && rnd() < invalidRate) {
        const fault = Math.floor(rnd() * 5);
        if (fault === 0) row.specific_needs = 'XX-ZZ';
        else if (fault === 1) [row.birth_year, row.birth_date] = ['1850', ''];
        else if (fault === 2) row.sex = 'Q';
        else if (fault === 3) row.relationship = m === 0 ? 'CHILD' : 'HEAD';
        else if (m === 0 && rnd() < 0.5) row.origin_province = other === 'TH' ? 'TH32' : 'KH22';
        // A commune of another district than the one given (the gazetteer check refuses it, naming both).
        else if (m === 0) row.origin_adm2 = below(gazetteer.get(origin)!).find((d) => d.pcode !== adm2.pcode)?.pcode ?? `${origin}99`;
        else row.document_type = 'SOMETHING';
      }
      yield row;
      people++;
    }
  }
}

const CONSENT = new Set(['consent_given', 'consent_date', 'consent_purposes']);
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const koboMultiple = (v: string) => v.split(/[;|]/).filter(Boolean).join(' ');

/**
 * The same people as a KoBoToolbox XLSX export of the registration XLSForm: a sheet of
 * submissions (household questions under `household/`, consent under `consent/`, the destination
 * as a geopoint and its split columns, KoBoToolbox's metadata, `_index`) and the `members` repeat
 * sheet joined by `_parent_index`; multiple choices separated by spaces; inline strings (or, with `sharedStrings`, a shared-strings table), written
 * as a stream (each sheet from its own pass over the generator, so memory does not grow with it).
 */
export async function writeKoboXlsx(options: GenerateOptions, out: Writable, { sharedStrings = false }: { sharedStrings?: boolean } = {}): Promise<void> {
  let pending: Promise<unknown> = Promise.resolve();
  let failure: Error | undefined;
  const zip = new Zip((err, data, final) => {
    if (err) failure = err;
    else pending = pending.then(() => (out.write(data) ? undefined : once(out, 'drain')));
    if (final) pending = pending.then(() => new Promise<void>((r) => out.end(r)));
  });
  const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const small = (name: string, text: string) => {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    f.push(strToU8(text), true);
  };
  // With `sharedStrings`, as Excel saves a workbook (and as the importer must hold whole): each
  // distinct text once in xl/sharedStrings.xml, the cells by its index. The table is built here,
  // in the generating process, and written after the sheets.
  const shared = new Map<string, number>();
  const cell = (v: string, ref: string) => {
    if (!sharedStrings) return `<c r="${ref}" t="inlineStr"><is><t>${xmlText(v)}</t></is></c>`;
    let index = shared.get(v);
    if (index === undefined) shared.set(v, (index = shared.size));
    return `<c r="${ref}" t="s"><v>${index}</v></c>`;
  };
  const row = (r: number, cells: readonly string[]) => `<row r="${r}">${cells.map((v, c) => (v === '' ? '' : cell(v, `${columnName(c)}${r}`))).join('')}</row>`;
  const sheet = async (name: string, lines: Iterable<string>) => {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    f.push(strToU8(`${XML}<worksheet xmlns="${NS}"><sheetData>`));
    let buffer = '';
    for (const line of lines) {
      buffer += line;
      if (buffer.length > 1 << 20) {
        f.push(strToU8(buffer));
        buffer = '';
        await pending;
        if (failure) throw failure;
      }
    }
    f.push(strToU8(`${buffer}</sheetData></worksheet>`), true);
  };
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  small(
    '[Content_Types].xml',
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ` +
      `ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default ` +
      `Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override ` +
      `PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override ` +
      `PartName="/xl/worksheets/sheet2.xml" ` +
      `ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
      (sharedStrings
        ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        : '') +
      '</Types>',
  );
  small(
    '_rels/.rels',
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" ` +
      `Target="xl/workbook.xml"/></Relationships>`,
  );
  small(
    'xl/workbook.xml',
    `${XML}<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Clearway household registration" sheetId="1" r:id="rId1"/><sheet name="members" ` +
      `sheetId="2" r:id="rId2"/></sheets></workbook>`,
  );
  small(
    'xl/_rels/workbook.xml.rels',
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" ` +
      `Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/>` +
      (sharedStrings ? `<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
      '</Relationships>',
  );

  const asked = HOUSEHOLD_COLUMNS.filter((c) => c !== 'destination_lon' && c !== 'destination_lat');
  const hHeader = [
    'start',
    'end',
    ...asked.map((c) => `${CONSENT.has(c) ? 'consent' : 'household'}/${c}`),
    'household/destination_point',
    '_household/destination_point_latitude',
    '_household/destination_point_longitude',
    '_household/destination_point_altitude',
    '_household/destination_point_precision',
    '_id',
    '_uuid',
    '_submission_time',
    '_validation_status',
    '_status',
    '_submitted_by',
    '__version__',
    '_index',
  ];
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  await sheet(
    'xl/worksheets/sheet1.xml',
    (function* () {
      yield row(1, hHeader);
      let n = 0;
      let key = '';
      for (const r of householdRows(options)) {
        if (r.household_key === key) continue;
        key = r.household_key;
        n++;
        const point = r.destination_lat ? `${r.destination_lat} ${r.destination_lon} 0 5` : '';
        const cells = asked.map((c) => (c === 'consent_purposes' ? koboMultiple(r[c]) : r[c]));
        yield row(n + 1, [
          '2026-01-15T08:00:00.000+07:00',
          '2026-01-15T08:20:00.000+07:00',
          ...cells,
          point,
          r.destination_lat,
          r.destination_lon,
          point ? '0' : '',
          point ? '5' : '',
          String(100_000 + n),
          uuid(n),
          '2026-01-16T02:00:00',
          '',
          'submitted_via_web',
          'kobo',
          'vBench',
          String(n),
        ]);
      }
    })(),
  );
  const mHeader = [...MEMBER_COLUMNS.map((c) => `members/${c}`), '_index', '_parent_table_name', '_parent_index', '_submission__id', '_submission__uuid'];
  await sheet(
    'xl/worksheets/sheet2.xml',
    (function* () {
      yield row(1, mHeader);
      let n = 0;
      let i = 0;
      let key = '';
      for (const r of householdRows(options)) {
        if (r.household_key !== key) {
          key = r.household_key;
          n++;
        }
        i++;
        yield row(i + 1, [
          ...MEMBER_COLUMNS.map((c) => (c === 'specific_needs' ? koboMultiple(r[c]) : r[c])),
          String(i),
          'Clearway household registration',
          String(n),
          String(100_000 + n),
          uuid(n),
        ]);
      }
    })(),
  );
  if (sharedStrings) {
    const f = new ZipDeflate('xl/sharedStrings.xml', { level: 6 });
    zip.add(f);
    f.push(strToU8(`${XML}<sst xmlns="${NS}" count="${shared.size}" uniqueCount="${shared.size}">`));
    let buffer = '';
    for (const text of shared.keys()) {
      buffer += `<si><t xml:space="preserve">${xmlText(text)}</t></si>`;
      if (buffer.length > 1 << 20) {
        f.push(strToU8(buffer));
        buffer = '';
        await pending;
        if (failure) throw failure;
      }
    }
    f.push(strToU8(`${buffer}</sst>`), true);
  }
  zip.end();
  await pending;
  if (failure) throw failure;
}

async function writeAll(out: Writable, lines: Iterable<string>): Promise<void> {
  for (const line of lines) if (!out.write(line)) await once(out, 'drain');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '1000' },
      country: { type: 'string', default: 'KH' },
      'invalid-rate': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      'with-sites': { type: 'boolean', default: false },
      out: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      'shared-strings': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const people = Number(values.people);
  const invalidRate = Number(values['invalid-rate']);
  if (!Number.isInteger(people) || people < 1) throw new Error('--people takes a whole number of at least 1');
  if (!(invalidRate >= 0 && invalidRate <= 1)) throw new Error('--invalid-rate takes a share from 0 to 1, e.g. 0.1');
  if (values.country !== 'KH' && values.country !== 'TH') throw new Error('--country is KH or TH');
  if (values.format !== 'csv' && values.format !== 'kobo-xlsx') throw new Error('--format is csv or kobo-xlsx');
  if (values.format === 'kobo-xlsx' && !values.out) throw new Error('--format kobo-xlsx needs --out <file.xlsx>');
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const options = { people, country: values.country, invalidRate, seed: Number(values.seed), withSites: values['with-sites'] } as const;
  if (values['shared-strings'] && values.format !== 'kobo-xlsx') throw new Error('--shared-strings is for --format kobo-xlsx');
  if (values.format === 'kobo-xlsx') await writeKoboXlsx(options, out, { sharedStrings: values['shared-strings'] });
  else await writeAll(out, householdCsvLines(options));
  if (values.out) {
    if (values.format === 'csv') out.end();
    if (!out.writableFinished) await once(out, 'finish');
    process.stderr.write(`wrote ${people} people to ${values.out}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
