import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { GuardedWrite } from '../../../shared/db/transact.ts';
import type { HazardArea } from '../../../shared/domain/hazard-area.ts';
import type { Household } from '../../../shared/domain/household.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fixed, table } from '../lib/table.ts';
import { benchMembers, pickProvince, random } from './household-pages.ts';

/**
 * Single household registrations: `POST /v1/households` over HTTP through the same apps as
 * `npm start` (token verification, validation, document hashing, return-safety assessment, the
 * transaction with its outbox event and statistics counters) against raw TransactWriteItems of
 * the same items (the same writes, built in advance by the same repository functions, so the
 * same number of items per transaction, the at-risk links and the demand counters of the
 * clearance priorities included: both tables hold the same hazard areas, near which a share of
 * the destinations lie, and for a destination point the condition on the hazard areas' version),
 * with the same number of requests in flight, into two
 * tables of one DynamoDB Local. The two are measured in alternating rounds of one run so that
 * machine noise hits both alike. Target: HTTP throughput ≥ 0.7 × raw. The registrations look for
 * possible duplicates (one BatchGetItem of the blocking index) and file their people in it (the
 * raw side writes the same bucket items).
 *
 * Then the match alone: the same sample households looked up (`findCandidates`, as a registration
 * does) in a blocking index of 1,000 people and again once it holds 130,000: the items read per
 * match must be the same at both sizes (target), whatever the number of candidates found.
 */
const TARGET = 0.7;
const ROUNDS = 4;
/** Hazard areas (0.01° squares) in the registrations' box by default: 7 % of the registrations fall within 500 m of one. */
const HAZARD_AREAS = 100;

/** Origin villages the households come from (some 15 households a village at 130,000 people). */
const VILLAGES = 2000;

/** A registration body as a relief agency sends it: documents for most adults, a destination point for some. */
function registrationBody(rnd: () => number, n: number, year: number, pointShare: number) {
  const province = pickProvince(rnd);
  const village = `Village ${1 + Math.floor(rnd() * VILLAGES)}`;
  // A request names no member ids: the server gives them.
  const members = benchMembers(rnd, year).map(({ document, id: _id, ...m }, k) => ({
    ...m,
    ...(document ? { document: { type: document.type, number: `KH${String(n).padStart(7, '0')}${k}` } } : {}),
  }));
  return {
    origin: { province, village },
    current: { province: 'KH17', site: `Pagoda camp ${1 + (n % 40)}` },
    destination: {
      province,
      village: 'O Smach',
      ...(rnd() < pointShare ? { point: { type: 'Point' as const, coordinates: [103.3 + rnd() * 0.8, 14.1 + rnd() * 0.3] } } : {}),
    },
    members,
    contact: { phone: '+855 12 345 678' },
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
  };
}

/**
 * The match alone at growing sizes of the blocking index: the same sample households (not filed)
 * looked up with `findCandidates` at each size. The population is filed under country TH in the
 * raw table, which the registrations (KH) never touch, so that it starts empty; each size is
 * written whole (bucket items merged over the whole population) with BatchWriteItem.
 */
async function measureMatch(
  ctx: Parameters<Scenario['run']>[0],
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  sizes: number[],
  samples: number,
  year: number,
) {
  const { blockingBucketItems, findCandidates } = await import('../../../shared/db/repositories/duplicates.ts');
  const { newId } = await import('../../../shared/domain/ids.ts');
  const rnd = random(23);
  const person = () => {
    const province = `TH${pickProvince(rnd).slice(2)}`;
    return {
      country: 'TH',
      id: newId(),
      org: 'BENCH',
      origin: { province, village: `Village ${1 + Math.floor(rnd() * VILLAGES)}` },
      members: benchMembers(rnd, year),
    };
  };
  const sample = Array.from({ length: samples }, person);
  const population: ReturnType<typeof person>[] = [];
  let people = 0;
  const rows: { people: number; households: number; buckets: number; read: number[]; found: number[]; ms: number }[] = [];
  for (const size of [...sizes].sort((a, b) => a - b)) {
    while (people < size) {
      const p = person();
      population.push(p);
      people += p.members.length;
    }
    ctx.progress.update(`household-registration: filing ${people} people in the blocking index`);
    const items = await blockingBucketItems(population);
    await stack.batchPut(String(process.env.TABLE_NAME), items);
    ctx.progress.update(`household-registration: ${samples} matches at ${people} people`);
    const read: number[] = [];
    const found: number[] = [];
    const ms = await pool(sample, 8, async (s) => {
      const r = await findCandidates(s);
      read.push(r.itemsRead);
      found.push(r.candidates.length);
    });
    rows.push({ people, households: population.length, buckets: items.length, read, found, ms });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const totals = rows.map((r) => r.read.reduce((a, b) => a + b, 0));
  const same = totals.every((t) => t === totals[0]);
  const report = [
    `the match alone: ${samples} sample households (${fixed(mean(sample.map((s) => s.members.length)), 1)} people each on average) looked up in a blocking index of growing size`,
    table(
      [
        { header: 'people filed' },
        { header: 'households', align: 'right' },
        { header: 'bucket items', align: 'right' },
        { header: 'items read per match', align: 'right' },
        { header: 'items read in all', align: 'right' },
        { header: 'candidates per match', align: 'right' },
        { header: 'ms per match', align: 'right' },
      ],
      rows.map((r, k) => [
        String(r.people),
        String(r.households),
        String(r.buckets),
        `${fixed(mean(r.read), 2)} (${Math.min(...r.read)}–${Math.max(...r.read)})`,
        String(totals[k]),
        fixed(mean(r.found), 2),
        fixed((r.ms / samples) * 8, 2),
      ]),
    ),
    `target: the same items read per match at every size → ${same ? 'PASS' : 'FAIL'}`,
  ].join('\n');
  return {
    report,
    failures: same ? [] : [`household-registration: the match read ${totals.join(' / ')} items at ${rows.map((r) => r.people).join(' / ')} people`],
    data: rows.map((r, k) => ({
      people: r.people,
      households: r.households,
      buckets: r.buckets,
      itemsReadTotal: totals[k],
      itemsReadPerMatch: mean(r.read),
      candidatesPerMatch: mean(r.found),
      msPerMatch: (r.ms / samples) * 8,
    })),
  };
}

/** Runs `tasks` with `concurrency` in flight; resolves with the elapsed milliseconds. */
async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
  return performance.now() - started;
}

export const householdRegistration: Scenario = {
  name: 'household-registration',
  description: 'register households one by one over HTTP vs raw TransactWriteItems of the same items',
  options: {
    'household-registration-count': { type: 'string', default: '2000' },
    'household-registration-concurrency': { type: 'string', default: '8' },
    'household-registration-points': { type: 'string', default: '0.5' },
    'household-registration-hazard-areas': { type: 'string', default: String(HAZARD_AREAS) },
    'household-registration-match-people': { type: 'string', default: '1000,130000' },
    'household-registration-match-samples': { type: 'string', default: '200' },
  },
  optionHelp: {
    'household-registration-count': 'registrations measured on each side (default 2000)',
    'household-registration-concurrency': 'requests or transactions in flight (default 8)',
    'household-registration-points': 'share of registrations with a destination point (default 0.5)',
    'household-registration-hazard-areas': `hazard areas in both tables, near which registrations are AT_RISK (default ${HAZARD_AREAS}; 0 as before the priorities)`,
    'household-registration-match-people': 'sizes of the blocking index the match is measured at, in people (default 1000,130000; empty to skip)',
    'household-registration-match-samples': 'households looked up at each size (default 200)',
  },
  async run(ctx) {
    const count = Number(ctx.options['household-registration-count']);
    const concurrency = Number(ctx.options['household-registration-concurrency']);
    const pointShare = Number(ctx.options['household-registration-points']);
    const hazardAreas = Number(ctx.options['household-registration-hazard-areas']);
    const matchSizes = String(ctx.options['household-registration-match-people']).split(',').filter(Boolean).map(Number);
    const matchSamples = Number(ctx.options['household-registration-match-samples']);
    ctx.progress.update('household-registration: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      const rawTable = 'hh-reg-raw';
      const httpTable = 'hh-reg-http';
      await stack.createTable(rawTable);
      await stack.createTable(httpTable);
      // The raw side runs in this process with the repositories the API uses, pointed at its own table.
      Object.assign(process.env, stack.env(rawTable));
      // The same hazard areas in both tables, so that a share of the registrations are AT_RISK and
      // their transactions carry the at-risk links and the demand counters of the clearance priorities.
      {
        const { hazardWrite } = await import('../../../shared/db/repositories/hazard-areas.ts');
        const { hazardCellWrites } = await import('../../../shared/db/repositories/return-safety.ts');
        const { hazardDemandWrites } = await import('../../../shared/db/repositories/priorities.ts');
        const { newId: areaId } = await import('../../../shared/domain/ids.ts');
        const place = random(7);
        const areas = Array.from({ length: hazardAreas }, (_, i): HazardArea => {
          const [lon, lat] = [103.3 + place() * 0.8, 14.1 + place() * 0.3];
          const geometry = {
            type: 'Polygon' as const,
            coordinates: [
              [
                [lon, lat],
                [lon + 0.01, lat],
                [lon + 0.01, lat + 0.01],
                [lon, lat + 0.01],
                [lon, lat],
              ],
            ],
          };
          const at = new Date().toISOString();
          return {
            id: areaId(),
            reference: `HA-KH-2026-${i}`,
            version: 1,
            createdAt: at,
            updatedAt: at,
            createdBy: 'bench',
            name: `Area ${i}`,
            country: 'KH',
            province: 'KH22',
            contested: false,
            classification: 'CHA',
            evidence: 'DIRECT',
            dateOfInformation: '2025-08-01',
            contamination: [{ category: 'AP_MINE', period: '2025_CONFLICT' }],
            geometry,
            areaSqm: 1_180_000,
            remainingSqm: 1_180_000,
            status: 'OPEN',
            statusChangedAt: at,
          };
        });
        for (const t of [rawTable, httpTable]) {
          await stack.batchPut(
            t,
            areas.flatMap((a) => [
              hazardWrite(a, 'new').item.Put!.Item as Record<string, unknown>,
              ...hazardCellWrites(a).map((w) => w.item.Put!.Item as Record<string, unknown>),
            ]),
          );
          for (const a of areas)
            await stack.transact(
              t,
              hazardDemandWrites(a).map((w) => w.item),
            );
        }
      }
      const { householdCreateWrites } = await import('../../../shared/db/repositories/households.ts');
      const { blockingWrites } = await import('../../../shared/db/repositories/duplicates.ts');
      const { registrationCodeWrite } = await import('../../../shared/db/repositories/registration-codes.ts');
      const { newRegistrationCode } = await import('../../../shared/domain/assistance-rules.ts');
      const { assessReturnSafety, returnSafetyItems } = await import('../../../shared/db/repositories/return-safety.ts');
      const { householdStatsWrites } = await import('../../../shared/db/repositories/household-figures.ts');
      const { copyPut } = await import('../../../shared/db/repositories/versioned.ts');
      const { hashDocument } = await import('../../../shared/db/document-hash.ts');
      const { transact } = await import('../../../shared/db/transact.ts');
      const { documentClient } = await import('../../../shared/db/client.ts');
      const { outboxEvent } = await import('../../../shared/events/outbox.ts');
      const { EventType } = await import('../../../shared/events/catalogue.ts');
      const { historyEntry } = await import('../../../shared/domain/history.ts');
      const { newId } = await import('../../../shared/domain/ids.ts');
      const { storedMember } = await import('../../../shared/domain/household.ts');
      const { hazardsUnchanged } = await import('../../../shared/db/repositories/return-safety.ts');
      const { Prefetched } = await import('../../../shared/db/batch.ts');
      const { hazardsVersionKey } = await import('../../../shared/db/keys/hazard-area.ts');
      const hazardsVersion = await Prefetched.read([hazardsVersionKey()]);
      const principal = { sub: 'bench-registrar', role: 'relief' as const, country: 'KH' as const, org: 'DRC' };
      const year = new Date().getUTCFullYear();
      const rnd = random(11);
      const warmup = 40;
      const bodies = Array.from({ length: count + warmup }, (_, n) => registrationBody(rnd, n, year, pointShare));

      // The transactions a registration of each body commits, built ahead (the raw side times only the writes).
      ctx.progress.update('household-registration: building the raw transactions');
      const transactions: GuardedWrite[][] = [];
      let itemsTotal = 0;
      let atRisk = 0;
      for (const body of bodies) {
        const now = new Date().toISOString();
        const id = newId();
        const documents = body.members.flatMap((m, memberIndex) => (m.document ? [{ memberIndex, type: m.document.type, number: m.document.number }] : []));
        const refs = await Promise.all(
          documents.map(async (d) => ({ hash: await hashDocument('KH', d.number), memberIndex: d.memberIndex, duplicate: false })),
        );
        const household: Household = {
          id,
          version: 1,
          createdAt: now,
          updatedAt: now,
          createdBy: principal.sub,
          country: 'KH' as const,
          org: principal.org,
          status: 'DISPLACED' as const,
          statusChangedAt: now,
          origin: body.origin,
          current: body.current,
          destination: body.destination,
          members: body.members.map((m) => storedMember({ ...m, specificNeeds: [...m.specificNeeds] })),
          contact: body.contact,
          consent: body.consent as Household['consent'],
          returnSafety: await assessReturnSafety(body.destination, now),
        };
        const writes = [
          ...householdCreateWrites(household, refs, historyEntry(principal, now, 'CREATED', { to: household.status })),
          outboxEvent(
            EventType.HouseholdRegistered,
            { type: 'Household', id },
            'KH',
            principal,
            {
              householdId: id,
              country: 'KH',
              province: household.origin.province,
              org: household.org,
              status: household.status,
              memberCount: household.members.length,
              destinationProvince: body.destination.province,
              returnSafety: household.returnSafety.status,
            },
            now,
          ).write,
          ...householdStatsWrites(undefined, household),
          ...returnSafetyItems(household).map(copyPut),
          // Its people filed in the duplicate blocking index, as a registration files them.
          ...(await blockingWrites(household)),
          // With a destination point, the condition that no hazard area changed since the assessment.
          ...(body.destination.point ? [hazardsUnchanged(hazardsVersion)] : []),
          // The registration code's claim, as a registration draws and claims one.
          registrationCodeWrite(
            'KH',
            newRegistrationCode((n) => randomBytes(n)),
            id,
          ),
        ];
        itemsTotal += writes.length;
        if (household.returnSafety.status === 'AT_RISK') atRisk++;
        transactions.push(writes);
      }
      const server = await stack.serve(httpTable);
      const headers = {
        authorization: `Bearer ${await stack.token({ sub: principal.sub, role: 'relief', country: 'KH', org: principal.org })}`,
        'content-type': 'application/json',
      };
      let failures = 0;
      let firstFailure = '';
      const post = async (body: unknown) => {
        const res = await fetch(`${server.base}/v1/households`, { method: 'POST', headers, body: JSON.stringify(body) });
        const text = await res.text();
        if (res.status !== 201) {
          failures++;
          firstFailure ||= `${res.status} ${text.slice(0, 500)}`;
        }
      };
      const raw = async (writes: GuardedWrite[]) => transact(writes);

      ctx.progress.update('household-registration: warming up');
      await pool(transactions.slice(0, warmup), concurrency, raw);
      await pool(bodies.slice(0, warmup), concurrency, post);
      const ms = { raw: 0, http: 0 };
      const per = Math.ceil(count / ROUNDS);
      for (let r = 0; r < ROUNDS; r++) {
        const from = warmup + r * per;
        const to = Math.min(warmup + count, from + per);
        const sides = r % 2 === 0 ? (['raw', 'http'] as const) : (['http', 'raw'] as const);
        for (const side of sides) {
          ctx.progress.update(`household-registration: round ${r + 1}/${ROUNDS}, ${side}`);
          ms[side] += side === 'raw' ? await pool(transactions.slice(from, to), concurrency, raw) : await pool(bodies.slice(from, to), concurrency, post);
        }
      }
      if (failures > 0) throw new Error(`${failures} registrations over HTTP were not 201; the first answered ${firstFailure}`);
      // Both tables must hold the same: read the country's household counter of each.
      const counted = await Promise.all(
        [rawTable, httpTable].map(
          async (t) => (await documentClient.send(new GetCommand({ TableName: t, Key: { pk: 'DSTATS#KH', sk: 'ALL' } }))).Item?.hh_DISPLACED,
        ),
      );
      const perSecond = { raw: (count / ms.raw) * 1000, http: (count / ms.http) * 1000 };
      const ratio = perSecond.http / perSecond.raw;
      const matching = matchSizes.length > 0 ? await measureMatch(ctx, stack, matchSizes, matchSamples, year) : undefined;
      const report = [
        `${count} registrations each side, ${concurrency} in flight, ${fixed(itemsTotal / transactions.length, 1)} items per transaction on average, ${Math.round(pointShare * 100)}% with a destination point, ${Math.round((atRisk / transactions.length) * 100)}% AT_RISK near ${hazardAreas} hazard areas (with their demand counters); rounds alternate`,
        table(
          [
            { header: 'side' },
            { header: 'seconds', align: 'right' },
            { header: 'per second', align: 'right' },
            { header: 'mean ms', align: 'right' },
            { header: 'households counted', align: 'right' },
          ],
          [
            ['raw TransactWriteItems', fixed(ms.raw / 1000, 2), fixed(perSecond.raw, 1), fixed((ms.raw / count) * concurrency, 2), String(counted[0] ?? '-')],
            ['POST /v1/households', fixed(ms.http / 1000, 2), fixed(perSecond.http, 1), fixed((ms.http / count) * concurrency, 2), String(counted[1] ?? '-')],
          ],
        ),
        `target: HTTP ≥ ${TARGET}× raw → ${ratio >= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
        ...(matching ? [matching.report] : []),
      ].join('\n');
      const missed = [
        ...(ratio >= TARGET ? [] : [`household-registration: HTTP/raw throughput ${fixed(ratio, 2)} < ${TARGET}`]),
        ...(matching?.failures ?? []),
      ];
      return {
        report,
        failures: missed,
        data: {
          matching: matching?.data,
          target: TARGET,
          ratio,
          count,
          concurrency,
          pointShare,
          atRiskShare: atRisk / transactions.length,
          itemsPerTransaction: itemsTotal / transactions.length,
          seconds: { raw: ms.raw / 1000, http: ms.http / 1000 },
          perSecond,
          counted,
        },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
