/**
 * `npm run gen:households -- --people 130000 [--country KH|TH] [--invalid-rate 0.1] [--seed 1] [--out file.csv]`
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
 * capital), and on request a share of invalid rows. The same seed gives the same file. Streams its output:
 * a million people need no more memory than a hundred.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { IMPORT_COLUMNS, type ImportRow } from '../../shared/domain/household-import.ts';
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
  KH01: [102.98, 13.75], KH02: [102.95, 13.0], KH09: [103.2, 11.6], KH13: [104.8, 14.0], KH15: [103.5, 12.4], KH17: [103.9, 13.5], KH22: [103.55, 14.2], KH24: [102.6, 12.85],
  TH22: [102.15, 12.6], TH23: [102.5, 12.25], TH27: [102.35, 13.8], TH31: [103.0, 14.5], TH32: [103.5, 14.85], TH33: [104.3, 14.9], TH34: [105.0, 15.1],
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
}

/** The rows of a synthetic file (header first), one string per CSV line, generated lazily. */
export function* householdCsvLines(options: GenerateOptions): Generator<string> {
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
  yield csvLine(IMPORT_COLUMNS);
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
    const household: Partial<ImportRow> = {
      household_key: key,
      origin_province: origin,
      origin_adm2: adm2.pcode,
      origin_adm3: adm3.pcode,
      origin_adm4: adm4?.pcode ?? '',
      origin_district: local(adm2),
      origin_village: adm4 ? local(adm4) : pick(names.villages),
      current_province: currentProvince,
      current_adm2: currentDistrict.pcode,
      current_site: inCamp ? pick(names.sites) : '',
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
      else if (m === members - 1 && members > 4 && rnd() < 0.4) [relationship, sex, age] = ['PARENT', rnd() < 0.6 ? 'F' : 'M', Math.min(100, headAge + 20 + Math.floor(rnd() * 10))];
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
        birth_date: age >= 1 && rnd() < 0.5 ? `${year - age}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}` : '',
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
      yield csvLine(IMPORT_COLUMNS.map((c) => row[c]));
      people++;
    }
  }
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
      out: { type: 'string' },
    },
    strict: true,
  });
  const people = Number(values.people);
  const invalidRate = Number(values['invalid-rate']);
  if (!Number.isInteger(people) || people < 1) throw new Error('--people takes a whole number of at least 1');
  if (!(invalidRate >= 0 && invalidRate <= 1)) throw new Error('--invalid-rate takes a share from 0 to 1, e.g. 0.1');
  if (values.country !== 'KH' && values.country !== 'TH') throw new Error('--country is KH or TH');
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  await writeAll(out, householdCsvLines({ people, country: values.country, invalidRate, seed: Number(values.seed) }));
  if (values.out) {
    out.end();
    await once(out, 'finish');
    process.stderr.write(`wrote ${people} people to ${values.out}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
