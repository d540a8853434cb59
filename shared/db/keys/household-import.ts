/**
 * Key builders for household import jobs. Pure; unit-tested in `test/unit/household-import.test.ts`.
 *
 * A job is one item with its counters; its chunk markers (one per committed chunk of households,
 * the exactly-once guard of a resumed import) and its rejected rows live in its partition.
 */

/** An import job by id. pk = HHIMPORT#<id>, sk = JOB */
export const importJobKey = (id: string) => ({ pk: `HHIMPORT#${id}`, sk: 'JOB' });

/**
 * Jobs that are uploaded but not finished, for `npm start` to resume (a Query, never a Scan);
 * the job carries these keys while it is UPLOADED or PROCESSING, and a completed household import
 * until its duplicate pass has ended. gsi1pk = HHIMPORTS#ACTIVE, gsi1sk = <id>
 */
export const activeImportKeys = (id: string) => ({ gsi1pk: 'HHIMPORTS#ACTIVE', gsi1sk: id });
export const ACTIVE_IMPORTS_PARTITION = 'HHIMPORTS#ACTIVE';

/** An organisation's import jobs in a country, newest last. gsi2pk = HHIMPORTS#<country>#ORG#<org>, gsi2sk = <id> */
export const importsByOrg = (country: string, org: string, id: string) => ({ gsi2pk: `HHIMPORTS#${country}#ORG#${org}`, gsi2sk: id });

/** The marker of a committed chunk (written with the job's counters, once). pk = HHIMPORT#<id>, sk = CHUNK#<n, 8 digits> */
export const importChunkKey = (id: string, chunk: number) => ({ pk: `HHIMPORT#${id}`, sk: `CHUNK#${String(chunk).padStart(8, '0')}` });
export const IMPORT_CHUNK_PREFIX = 'CHUNK#';

/**
 * The marker of one part of a chunk's statistics, when they touch more counter items than one
 * transaction holds (origins spread over many districts and communes): each part is committed
 * once, before the chunk's own marker. pk = HHIMPORT#<id>, sk = STATSPART#<n, 8 digits>#<part>
 */
export const importStatsPartKey = (id: string, chunk: number, part: number) => ({
  pk: `HHIMPORT#${id}`,
  sk: `STATSPART#${String(chunk).padStart(8, '0')}#${part}`,
});

/** The marker of a part of a chunk's site figures, applied once before the chunk's commit. pk = HHIMPORT#<id>, sk = FIGURES#<n, 8 digits>#<part, 3 digits> */
export const importFiguresKey = (id: string, chunk: number, part: number) => ({
  pk: `HHIMPORT#${id}`,
  sk: `FIGURES#${String(chunk).padStart(8, '0')}#${String(part).padStart(3, '0')}`,
});

/** A rejected row of a job, in row order. pk = HHIMPORT#<id>, sk = ERROR#<row, 10 digits> */
export const importErrorKey = (id: string, row: number) => ({ pk: `HHIMPORT#${id}`, sk: `ERROR#${String(row).padStart(10, '0')}` });
export const IMPORT_ERROR_PREFIX = 'ERROR#';

/**
 * The first job that imported a file, by the SHA-256 of its bytes, per country and organisation:
 * a second upload of the same file imports nothing and names the first job.
 * Item: { jobId }. pk = HHIMPORTFILE#<country>#<org>#<sha256>, sk = FILE
 */
export const importFileKey = (country: string, org: string, sha256: string) => ({ pk: `HHIMPORTFILE#${country}#${org}#${sha256}`, sk: 'FILE' });

/** An import mapping an organisation saved, by id. pk = IMPORTMAPPING#<id>, sk = MAPPING */
export const importMappingKey = (id: string) => ({ pk: `IMPORTMAPPING#${id}`, sk: 'MAPPING' });

/** An organisation's saved import mappings, oldest first. gsi2pk = IMPORTMAPPINGS#ORG#<org>, gsi2sk = <id> */
export const importMappingsByOrg = (org: string, id: string) => ({ gsi2pk: `IMPORTMAPPINGS#ORG#${org}`, gsi2sk: id });
