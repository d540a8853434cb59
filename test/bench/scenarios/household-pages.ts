import { createHash } from 'node:crypto';
import type { Household, Member } from '../../../shared/domain/household.ts';
import { newId } from '../../../shared/domain/ids.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { alternateTwo } from '../lib/alternate.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * Listing households by origin province (a ministry's `GET /v1/households?province=KH22&limit=50`)
 * over HTTP through the same apps as `npm start`: token verification, validation, one Query on
 * the province index, summaries without personal data, the signed cursor. Two tables in one
 * DynamoDB Local: one holding 1,000 people, one holding 130,000 (about 30,000 households), all
 * of Cambodia, spread over the border provinces in proportion (Oddar Meanchey, the listed
 * province, has 30%). Requests alternate between the two servers so that machine noise hits both
 * alike. Target: p95 at 130,000 people ≤ 1.25 × p95 at 1,000.
 *
 * The households are written with BatchWriteItem of the very items the API writes
 * (`householdItems` of the households repository: main item with its list keys, first history
 * entry, document claims), and their statistics counters with the per-chunk delta the importer
 * uses, so both tables hold what registrations would have produced; seeding 130,000 people takes
 * well under a minute, not 30,000 HTTP calls.
 */
const TARGET = 1.25;
const PAGE = 50;
const LISTED = 'KH22';

/** Cambodia's border provinces with the share of displaced households they are given. */
const PROVINCE_WEIGHTS: [string, number][] = [
  ['KH22', 0.3],
  ['KH01', 0.22],
  ['KH13', 0.2],
  ['KH02', 0.1],
  ['KH24', 0.06],
  ['KH15', 0.05],
  ['KH17', 0.04],
  ['KH09', 0.03],
];
const GIVEN_F = ['Sreymom', 'Sophea', 'Chantha', 'Bopha', 'Kanha', 'Dara', 'Sokunthea', 'Vanna'];
const GIVEN_M = ['Sokha', 'Vuthy', 'Rithy', 'Sovann', 'Piseth', 'Chamroeun', 'Veasna', 'Kosal'];
const FAMILY = ['Sok', 'Chan', 'Kim', 'Heng', 'Meas', 'Nhem', 'Prak', 'Chea', 'Ouk', 'Seng'];
const NEEDS = ['SP-PT', 'SM-CI', 'DS-PM', 'ER-NF', 'WR-WR', 'SM-MN', 'CR-NE'] as const;

/** A small deterministic generator, so that every run seeds the same population. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

export function pickProvince(rnd: () => number): string {
  let r = rnd();
  for (const [pcode, w] of PROVINCE_WEIGHTS) if ((r -= w) < 0) return pcode;
  return PROVINCE_WEIGHTS[0]![0];
}

/** Household sizes 1–9 and their shares (mean 4.4, as in rural Cambodia). */
const SIZE_WEIGHTS = [0.06, 0.12, 0.17, 0.2, 0.17, 0.12, 0.08, 0.05, 0.03];

/** Members of a plausible household (1–9 people, mean 4.4): a head, maybe a spouse, children, maybe a grandparent. */
export function benchMembers(rnd: () => number, year: number): Member[] {
  let r = rnd();
  const size =
    1 +
    Math.max(
      0,
      SIZE_WEIGHTS.findIndex((w) => (r -= w) < 0),
    );
  const family = pick(rnd, FAMILY);
  const headSex = rnd() < 0.35 ? 'F' : 'M';
  const headAge = 20 + Math.floor(rnd() * 45);
  const member = (sex: 'F' | 'M', age: number, relationship: Member['relationship']): Member => ({
    id: `m${Math.floor(rnd() * 1e9)}`,
    givenName: pick(rnd, sex === 'F' ? GIVEN_F : GIVEN_M),
    familyName: family,
    sex,
    birthYear: year - age,
    relationship,
    specificNeeds: rnd() < 0.12 ? [pick(rnd, NEEDS)] : [],
    ...(age >= 18 && rnd() < 0.6 ? { document: { type: 'NATIONAL_ID' as const, last4: String(Math.floor(rnd() * 10000)).padStart(4, '0') } } : {}),
  });
  const members = [member(headSex, headAge, 'HEAD')];
  if (size > 1) members.push(member(headSex === 'F' ? 'M' : 'F', Math.max(18, headAge + Math.floor(rnd() * 7) - 3), 'SPOUSE'));
  while (members.length < size) {
    members.push(
      rnd() < 0.1
        ? member(rnd() < 0.5 ? 'F' : 'M', Math.min(100, headAge + 22 + Math.floor(rnd() * 12)), 'PARENT')
        : member(rnd() < 0.5 ? 'F' : 'M', Math.floor(rnd() * Math.min(headAge - 15, 25)), 'CHILD'),
    );
  }
  return members;
}

/** A stored household of the synthetic population (as the API would have stored it). */
export function benchHousehold(rnd: () => number, n: number, year: number): Household {
  const at = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  const province = pickProvince(rnd);
  return {
    id: newId(),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: 'bench-registrar',
    country: 'KH',
    org: pick(rnd, ['DRC', 'CRC', 'IOM', 'WVC']),
    status: rnd() < 0.7 ? 'DISPLACED' : pick(rnd, ['INTENDS_RETURN', 'RETURN_BLOCKED', 'RETURNED', 'REDISPLACED'] as const),
    statusChangedAt: at,
    origin: { province, village: 'O Smach' },
    current: { province: pick(rnd, ['KH17', 'KH02', 'KH01']), site: `Pagoda camp ${1 + Math.floor(rnd() * 40)}` },
    members: benchMembers(rnd, year),
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
    returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: at },
  };
}

export const householdPages: Scenario = {
  name: 'household-pages',
  description: 'list households by province (page of 50): p95 with 130,000 people stored vs 1,000',
  options: {
    'household-pages-people': { type: 'string', default: '130000' },
    'household-pages-requests': { type: 'string', default: '500' },
  },
  optionHelp: {
    'household-pages-people': 'people in the large table (default 130000; e.g. 20000 for a quick check)',
    'household-pages-requests': 'timed requests per table (default 500)',
  },
  async run(ctx) {
    const largePeople = Number(ctx.options['household-pages-people']);
    const requests = Number(ctx.options['household-pages-requests']);
    ctx.progress.update('household-pages: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      // The repositories build the very items the API writes; they read their configuration at load.
      Object.assign(process.env, stack.env('unused'));
      const { householdItems } = await import('../../../shared/db/repositories/households.ts');
      const { displacementStatsWritesForDeltas } = await import('../../../shared/db/repositories/displacement-stats.ts');
      const { addContributions, contributionOf } = await import('../../../shared/domain/displacement-stats.ts');
      const year = new Date().getUTCFullYear();
      const sets = [
        { label: '1,000 people', table: 'hh-pages-small', people: 1000, households: 0, listed: 0 },
        { label: `${largePeople.toLocaleString('en')} people`, table: 'hh-pages-large', people: largePeople, households: 0, listed: 0 },
      ];
      const seedStarted = performance.now();
      for (const [k, set] of sets.entries()) {
        await stack.createTable(set.table);
        const rnd = random(7 + k);
        let people = 0;
        let n = 0;
        while (people < set.people) {
          const chunk: Household[] = [];
          while (chunk.length < 1000 && people < set.people) {
            const h = benchHousehold(rnd, n++, year);
            chunk.push(h);
            people += h.members.length;
            if (h.origin.province === LISTED) set.listed++;
          }
          const items = chunk.flatMap((h) =>
            householdItems(
              h,
              h.members.flatMap((m, memberIndex) =>
                m.document ? [{ hash: createHash('sha256').update(`${h.id}:${memberIndex}`).digest('hex'), memberIndex, duplicate: false }] : [],
              ),
              { id: newId(), at: h.createdAt, actor: { sub: 'bench-registrar', role: 'relief', org: h.org }, action: 'CREATED', to: h.status },
            ),
          );
          // Four BatchWriteItem streams at once: DynamoDB Local takes them faster than one.
          const quarter = Math.ceil(items.length / 4);
          await Promise.all([0, 1, 2, 3].map((q) => stack.batchPut(set.table, items.slice(q * quarter, (q + 1) * quarter))));
          const byProvince = new Map<string, Household[]>();
          for (const h of chunk) byProvince.set(h.origin.province, [...(byProvince.get(h.origin.province) ?? []), h]);
          const writes = displacementStatsWritesForDeltas(
            [...byProvince].map(([province, hs]) => ({ country: 'KH', province, counters: addContributions(...hs.map((h) => contributionOf(h, year))) })),
          );
          for (const w of writes) await stack.transact(set.table, [w.item]);
          set.households = n;
          ctx.progress.update(
            `household-pages: storing ${set.label}: ${people.toLocaleString('en')} people, ${n.toLocaleString('en')} households (${fixed((performance.now() - seedStarted) / 1000, 0)} s)`,
          );
        }
        if (set.listed < PAGE) throw new Error(`only ${set.listed} households of ${LISTED} in ${set.label}: not a full page`);
      }
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      ctx.progress.update('household-pages: starting the app servers');
      const servers = await Promise.all(sets.map((s) => stack.serve(s.table)));
      const headers = { authorization: `Bearer ${await stack.token({ sub: 'bench-ministry', role: 'ministry', country: 'KH', org: 'MOI' })}` };
      const list = async (base: string) => {
        const started = performance.now();
        const res = await fetch(`${base}/v1/households?province=${LISTED}&limit=${PAGE}`, { headers });
        const body = (await res.json()) as { items: { originProvince: string }[]; next: string | null };
        const ms = performance.now() - started;
        if (res.status !== 200 || body.items.length !== PAGE || body.items.some((i) => i.originProvince !== LISTED))
          throw new Error(`listing failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        return ms;
      };
      const { times, p50, p95, ratio } = await alternateTwo((side) => list(servers[side]!.base), {
        requests,
        progress: (i) => ctx.progress.update(`household-pages: request ${i}/${requests}`),
      });
      const report = [
        `GET /v1/households?province=${LISTED}&limit=${PAGE} (a ministry) over HTTP, alternating between two tables; seeded in ${fixed(seedSeconds, 1)} s`,
        table(
          [
            { header: 'stored' },
            { header: 'households', align: 'right' },
            { header: `in ${LISTED}`, align: 'right' },
            { header: 'n', align: 'right' },
            { header: 'p50 ms', align: 'right' },
            { header: 'p95 ms', align: 'right' },
            { header: 'p95 / 1,000', align: 'right' },
          ],
          sets.map((s, k) => [
            s.label,
            s.households.toLocaleString('en'),
            s.listed.toLocaleString('en'),
            String(times[k]!.length),
            fixed(p50[k]!, 2),
            fixed(p95[k]!, 2),
            fixed(p95[k]! / p95[0]!, 2),
          ]),
        ),
        `target: p95 at ${largePeople.toLocaleString('en')} people ≤ ${TARGET}× p95 at 1,000 → ${ratio <= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
      ].join('\n');
      return {
        report,
        failures: ratio <= TARGET ? [] : [`household-pages: p95 ratio ${fixed(ratio, 2)} > ${TARGET}`],
        data: {
          target: TARGET,
          ratio,
          requests,
          seedSeconds,
          sets: sets.map((s, k) => ({ people: s.people, households: s.households, listed: s.listed, p50: p50[k], p95: p95[k] })),
        },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
