/**
 * Household import (relief agencies, admins) of a CSV, an XLSX workbook or a ZIP of CSVs: create
 * the job (optionally a dry run, with a column mapping), PUT the file to its upload URL
 * (the local server, or an S3 presigned URL on AWS, which gets no Authorization header), then
 * follow the job at `#/import/<id>` — a progress bar and a live line polled every second, the
 * final status, and the rejected rows (the job's first 100, then every page of `/errors`).
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError, apiUrl, isNetworkError, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { uploadFile, useJob } from '../../app/jobs.ts';
import { commonMessages } from '../../app/messages.ts';
import { newIdempotencyKey } from '../../app/queue.ts';
import { currentSession, useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { IMPORT_COLUMNS, type ImportJobStatus, type RowError } from '#shared/domain/household-import.ts';
import { ImportReportView, type ImportReport, type Mapping } from './ImportReport.tsx';
import { importMessages } from './messages.ts';
import '../households/households.css';

interface ImportJob {
  id: string;
  status: ImportJobStatus;
  rowsTotal: number;
  rowsImported: number;
  rowsRejected: number;
  households: number;
  householdsRejected: number;
  message?: string;
  duplicateOf?: string;
  dryRun?: boolean;
  report?: ImportReport;
  /** Pairs the duplicate pass after the import queued for review; counts up after COMPLETED until `duplicatesCheckedAt`. */
  possibleDuplicates?: number;
  duplicatesCheckedAt?: string;
  errors: RowError[];
}

/**
 * The file and mapping of the last import started from this page: a dry run's report lets the
 * user fix the mapping and import the same file without choosing it again (kept in memory only).
 */
const last: { file?: File; mapping?: Mapping; country?: '' | 'KH' | 'TH' } = {};

/** Creates a job for `file` and uploads it; resolves the job's id. */
export async function startImport(
  file: File,
  options: { country?: '' | 'KH' | 'TH'; dryRun: boolean; mapping?: Mapping },
  onProgress: (percent: number) => void,
): Promise<string> {
  // The size is signed into the upload URL on AWS: S3 takes exactly that many bytes.
  const body = {
    ...(options.country ? { country: options.country } : {}),
    bytes: file.size,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.mapping ? { mapping: options.mapping } : {}),
  };
  const created = await request<{ id: string; uploadUrl: string }>('POST', '/v1/household-imports', { body, idempotencyKey: newIdempotencyKey() });
  await uploadFile(created.body.uploadUrl, file, onProgress);
  Object.assign(last, { file, mapping: options.mapping, country: options.country });
  return created.body.id;
}

/** Downloads the registration XLSForm (the request carries the session's token, so a plain link would not do). */
async function downloadForm(country: '' | 'KH' | 'TH'): Promise<void> {
  const session = currentSession();
  const res = await fetch(apiUrl(`/v1/household-imports/form.xlsx${country ? `?country=${country}` : ''}`), {
    headers: session ? { Authorization: `Bearer ${session.token}` } : {},
  });
  if (!res.ok) throw new ApiError({ type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'clearway-household.xlsx';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const done = (s: ImportJobStatus) => s === 'COMPLETED' || s === 'FAILED';
/**
 * A completed import whose duplicate pass (after COMPLETED) has not ended: the page keeps following
 * it. Jobs from before the pass counted its pairs (no `possibleDuplicates`) have none to wait for.
 */
const passRunning = (j: ImportJob) =>
  j.status === 'COMPLETED' && !j.dryRun && !j.duplicateOf && j.possibleDuplicates !== undefined && j.duplicatesCheckedAt === undefined;

export function ImportView({ route }: ViewProps) {
  const t = useT(importMessages);
  const tc = useT(commonMessages);
  const session = useSession();
  if (!session || (session.role !== 'relief' && session.role !== 'admin')) {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }
  const [id] = route;
  return <Page title={t('title')}>{id ? <JobProgress key={id} id={id} /> : <StartForm admin={session.role === 'admin'} />}</Page>;
}

function StartForm({ admin }: { admin: boolean }) {
  const t = useT(importMessages);
  const tc = useT(commonMessages);
  const fileInput = useRef<HTMLInputElement>(null);
  const [country, setCountry] = useState<'' | 'KH' | 'TH'>('');
  const [phase, setPhase] = useState<'idle' | 'creating' | 'uploading'>('idle');
  const [percent, setPercent] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const [missing, setMissing] = useState<'file' | 'country' | undefined>(undefined);
  const [dryRun, setDryRun] = useState(false);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const file = fileInput.current?.files?.[0];
    if (admin && !country) return setMissing('country');
    if (!file) return setMissing('file');
    setMissing(undefined);
    try {
      setPhase('creating');
      const id = await startImport(file, { country: admin ? country : '', dryRun }, (p) => {
        setPhase('uploading');
        setPercent(p);
      });
      location.hash = `#/import/${id}`;
    } catch (err: unknown) {
      setError(err);
      setPhase('idle');
    }
  };

  return (
    <>
      <p>{t('intro')}</p>
      <details>
        <summary>{t('format')}</summary>
        <p>{t('formatIntro')}</p>
        <p>
          <code data-testid="import-columns">{IMPORT_COLUMNS.join(',')}</code>
        </p>
        <p>{t('formats')}</p>
        <p>
          <button type="button" onClick={() => void downloadForm(admin ? country || 'KH' : '').catch(setError)} data-testid="import-form-download">
            {t('form')}
          </button>
        </p>
      </details>
      <form class="form hh-form" onSubmit={onSubmit} data-testid="import-form">
        {admin && (
          <Field label={t('country')} error={missing === 'country' ? t('needCountry') : undefined}>
            <select value={country} onChange={(e) => setCountry(e.currentTarget.value as '' | 'KH' | 'TH')} data-testid="import-country">
              <option value="">{t('choose')}</option>
              <option value="KH">{tc('country.KH')}</option>
              <option value="TH">{tc('country.TH')}</option>
            </select>
          </Field>
        )}
        <Field label={t('file')} error={missing === 'file' ? t('needFile') : undefined}>
          <input type="file" accept=".csv,text/csv,.xlsx,.zip" ref={fileInput} data-testid="import-file" />
        </Field>
        <label class="check">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} data-testid="import-dry-run" /> {t('dryRun')}
        </label>
        <button type="submit" class="primary" disabled={phase !== 'idle'} data-testid="import-start">
          {t('start')}
        </button>
        <p role="status" aria-live="polite">
          {phase === 'creating' ? t('creating') : phase === 'uploading' ? t('uploading', { percent }) : ''}
        </p>
        {phase === 'uploading' && <progress max={100} value={percent} aria-label={t('uploading', { percent })} />}
      </form>
      {isNetworkError(error) ? (
        <p class="hh-error" role="alert">
          {t('offline')}
        </p>
      ) : (
        <ProblemMessage error={error} />
      )}
    </>
  );
}

function JobProgress({ id }: { id: string }) {
  const t = useT(importMessages);
  const { job, error } = useJob<ImportJob>(`/v1/household-imports/${encodeURIComponent(id)}`, (j) => done(j.status) && !passRunning(j));
  // Duplicate reviews are the ministry's and admins' (the import page is relief agencies' and admins').
  const reviewer = useSession()?.role === 'admin';

  if (!job) return error ? <ProblemMessage error={error} /> : <Spinner />;
  const processed = job.rowsImported + job.rowsRejected;
  const counting = job.rowsTotal > 0;
  return (
    <section aria-labelledby="import-job-title" data-testid="import-job" data-status={job.status}>
      <h2 id="import-job-title">{job.dryRun ? t('dryRunTitle') : t('job', { id: job.id.slice(-8) })}</h2>
      <p>
        {t('status')}: <strong data-testid="import-status">{t(`status.${job.status}`)}</strong>
      </p>
      <label for="import-progress">{t('progressLabel')}</label>
      {counting ? (
        <progress id="import-progress" max={job.rowsTotal} value={processed} data-testid="import-progress" />
      ) : (
        <progress id="import-progress" data-testid="import-progress" />
      )}
      <p aria-live="polite" role="status" data-testid="import-progress-text">
        {counting
          ? t('progress', { done: processed, total: job.rowsTotal, imported: job.rowsImported, rejected: job.rowsRejected })
          : done(job.status)
            ? ''
            : t('waiting')}
      </p>
      <ProblemMessage error={error} />
      {done(job.status) && !job.dryRun && <p>{t('households', { imported: job.households, rejected: job.householdsRejected })}</p>}
      {job.status === 'COMPLETED' && !job.dryRun && !job.duplicateOf && job.possibleDuplicates !== undefined && (
        <p data-testid="import-duplicates" data-checked={job.duplicatesCheckedAt ? 'true' : 'false'} role="status">
          {passRunning(job) ? (
            <>
              <span class="spinner-dot" aria-hidden="true" /> {t('duplicatesChecking', { queued: job.possibleDuplicates })}
            </>
          ) : job.possibleDuplicates > 0 ? (
            <>
              {t('duplicatesFound', { queued: job.possibleDuplicates })}
              {reviewer && (
                <>
                  {' '}
                  <a href="#/duplicates">{t('duplicatesReview')}</a>
                </>
              )}
            </>
          ) : (
            t('duplicatesNone')
          )}
        </p>
      )}
      {done(job.status) && job.dryRun && job.status === 'COMPLETED' && (
        <p data-testid="import-dry-run-counts">
          {t('dryRunCounts', {
            households: job.households,
            rows: job.rowsImported,
            rejectedHouseholds: job.householdsRejected,
            rejectedRows: job.rowsRejected,
          })}
        </p>
      )}
      {job.report && done(job.status) && <ImportReportView report={job.report} dryRun={job.dryRun === true} pending={last} />}
      {job.duplicateOf && (
        <p class="notice" data-testid="import-duplicate">
          <a href={`#/import/${job.duplicateOf}`}>{t('duplicate', { id: job.duplicateOf.slice(-8) })}</a>
        </p>
      )}
      {job.status === 'FAILED' && job.message && (
        <div class="problem" role="alert">
          <p>
            <strong>{t('failedMessage')}</strong>
          </p>
          <p lang="en">{job.message}</p>
        </div>
      )}
      <RejectedRows job={job} />
      {done(job.status) && (
        <p>
          <a class="button" href="#/import">
            {t('another')}
          </a>{' '}
          <a href="#/households">{t('viewHouseholds')}</a>
        </p>
      )}
    </section>
  );
}

/** The job's first rejected rows while it runs; once done, every row page by page from `/errors`. */
function RejectedRows({ job }: { job: ImportJob }) {
  const t = useT(importMessages);
  const tc = useT(commonMessages);
  const [all, setAll] = useState<RowError[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const loadPage = async (cursor?: string) => {
    setLoading(true);
    try {
      const res = await request<{ items: RowError[]; next: string | null }>(
        'GET',
        `/v1/household-imports/${encodeURIComponent(job.id)}/errors?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      setAll((before) => (cursor && before ? [...before, ...res.body.items] : res.body.items));
      setNext(res.body.next);
    } catch (e: unknown) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  const rows = all ?? job.errors;
  const more = all ? next !== null : done(job.status) && job.rowsRejected > job.errors.length;
  return (
    <section aria-labelledby="import-errors-title">
      <h3 id="import-errors-title">
        {t('rejected')} ({job.rowsRejected})
      </h3>
      {rows.length === 0 ? (
        <p>{t('rejectedNone')}</p>
      ) : (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="import-errors">
            <thead>
              <tr>
                <th scope="col">{t('row')}</th>
                <th scope="col">{t('message')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.row}-${i}`}>
                  <th scope="row">{r.row}</th>
                  <td lang="en">{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ProblemMessage error={error} />
      {loading && <Spinner />}
      {more && !loading && (
        <button type="button" onClick={() => void loadPage(all ? (next ?? undefined) : undefined)} data-testid="import-errors-more">
          {all ? tc('more') : t('allErrors')}
        </button>
      )}
    </section>
  );
}
