/**
 * Assistance for relief agencies (`#/assistance`): record assistance by the code on a family's
 * card (any household of the country; through the offline queue, so a record made without signal
 * is sent once when it returns), download a round's distribution list of the organisation's own
 * households (CSV, personal data: held in memory only until saved), and send the filled-in list
 * back to record the round (`#/assistance/import/<id>` follows that job: rows recorded, and each
 * refused row with its reason).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, isNetworkError, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { uploadFile, useJob } from '../../app/jobs.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { newIdempotencyKey } from '../../app/queue.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { ASSISTANCE_TYPES, normaliseRegistrationCode, type AssistanceType } from '#shared/domain/assistance-rules.ts';
import { assistanceMessages } from './messages.ts';
import { AssistanceFields, assistanceBody, emptyAssistance } from './parts.tsx';
import '../households/households.css';
import './assistance.css';

type JobStatus = 'AWAITING_UPLOAD' | 'UPLOADED' | 'PROCESSING' | 'COMPLETED' | 'FAILED';
interface Job {
  id: string;
  status: JobStatus;
  rowsTotal: number;
  rowsRecorded: number;
  rowsRejected: number;
  message?: string;
  errors: { row: number; message: string }[];
}

export function AssistanceView({ route }: ViewProps) {
  const t = useT(assistanceMessages);
  const tc = useT(commonMessages);
  const session = useSession();
  if (session?.role !== 'relief') {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }
  if (route[0] === 'import' && route[1]) {
    return (
      <Page title={t('title')}>
        <ReturnedList key={route[1]} id={route[1]} />
      </Page>
    );
  }
  return (
    <Page title={t('title')}>
      <p>{t('intro')}</p>
      <RecordByCode />
      <DistributionList />
      <UploadList />
    </Page>
  );
}

function RecordByCode() {
  const t = useT(assistanceMessages);
  const [code, setCode] = useState('');
  const [value, setValue] = useState(emptyAssistance);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [codeError, setCodeError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  return (
    <section aria-labelledby="as-record-title">
      <h2 id="as-record-title">{t('record.title')}</h2>
      <p>{t('record.intro')}</p>
      <SubmitNotice state={notice} />
      <form
        class="form hh-form"
        data-testid="assistance-code-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          setNotice(undefined);
          // The check character catches a mistyped code before anything is sent (or queued).
          const normal = normaliseRegistrationCode(code);
          if (!normal) return setCodeError(t('code.hint'));
          setCodeError(undefined);
          setBusy(true);
          try {
            const result = await submit({
              method: 'POST',
              path: '/v1/assistance',
              body: { code: normal, ...assistanceBody(value) },
              label: `${t('record.title')}: ${code} · ${t(`type.${value.type as AssistanceType}`)} ${value.round}`,
            });
            setNotice(result.state);
            setCode('');
            setValue({ ...emptyAssistance(), type: value.type, round: value.round, unit: value.unit, quantity: value.quantity });
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field
          label={t('code')}
          hint={t('code.hint')}
          error={codeError ?? (error instanceof ApiError ? error.problem.errors?.find((x) => x.path === 'body.code')?.message : undefined)}
        >
          <input
            value={code}
            required
            maxLength={20}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            onInput={(e) => setCode(e.currentTarget.value)}
            data-testid="assistance-code"
          />
        </Field>
        <AssistanceFields value={value} onChange={setValue} error={error} testid="assistance" />
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy} data-testid="assistance-submit">
          {t('record.submit')}
        </button>
      </form>
    </section>
  );
}

function DistributionList() {
  const t = useT(assistanceMessages);
  const [round, setRound] = useState('');
  const [type, setType] = useState<AssistanceType | ''>('');
  const [site, setSite] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [file, setFile] = useState<{ url: string; name: string } | undefined>(undefined);
  // The list is personal data: its object URL is dropped when a new one is made or the view closes.
  useEffect(() => () => file && URL.revokeObjectURL(file.url), [file]);
  return (
    <section aria-labelledby="as-list-title">
      <h2 id="as-list-title">{t('list.title')}</h2>
      <p>{t('list.intro')}</p>
      <form
        class="form hh-form"
        data-testid="distribution-list-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          setFile(undefined);
          try {
            const query = new URLSearchParams({ ...(type ? { type } : {}), ...(site.trim() ? { site: site.trim() } : {}) }).toString();
            const path = `/v1/assistance-rounds/${encodeURIComponent(round.trim())}/distribution-list${query ? `?${query}` : ''}`;
            const res = await request<string>('GET', path, { accept: 'text/csv', text: true, fresh: true });
            const name = `distribution-${round.trim().toUpperCase()}${type ? `-${type}` : ''}.csv`;
            setFile({ url: URL.createObjectURL(new Blob([res.body], { type: 'text/csv' })), name });
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('round')} hint={t('round.hint')}>
          <input
            value={round}
            required
            maxLength={40}
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
            onInput={(e) => setRound(e.currentTarget.value)}
            data-testid="distribution-round"
          />
        </Field>
        <Field label={t('list.type')}>
          <select value={type} onChange={(e) => setType(e.currentTarget.value as AssistanceType | '')} data-testid="distribution-type">
            <option value="">{t('choose')}</option>
            {ASSISTANCE_TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`type.${x}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('list.site')}>
          <input value={site} maxLength={200} onInput={(e) => setSite(e.currentTarget.value)} data-testid="distribution-site" />
        </Field>
        <button type="submit" class="primary" disabled={busy} data-testid="distribution-download">
          {t('list.download')}
        </button>
        <p role="status" aria-live="polite">
          {busy ? t('list.downloading') : ''}
        </p>
      </form>
      {file && (
        <p class="notice" data-testid="distribution-ready">
          <a href={file.url} download={file.name}>
            {t('list.ready', { file: file.name })}
          </a>
        </p>
      )}
      {isNetworkError(error) ? (
        <p class="hh-error" role="alert">
          {t('upload.offline')}
        </p>
      ) : (
        <ProblemMessage error={error} />
      )}
    </section>
  );
}

function UploadList() {
  const t = useT(assistanceMessages);
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="as-upload-title">
      <h2 id="as-upload-title">{t('upload.title')}</h2>
      <form
        class="form hh-form"
        data-testid="assistance-upload-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const file = fileInput.current?.files?.[0];
          setMissing(!file);
          if (!file) return;
          setBusy(true);
          setError(undefined);
          try {
            const created = await request<{ id: string; uploadUrl: string }>('POST', '/v1/assistance-imports', {
              body: { bytes: file.size },
              idempotencyKey: newIdempotencyKey(),
            });
            await uploadFile(created.body.uploadUrl, file, undefined, 'text/csv');
            location.hash = `#/assistance/import/${created.body.id}`;
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('upload.file')} error={missing ? t('upload.needFile') : undefined}>
          <input type="file" accept=".csv,text/csv" ref={fileInput} data-testid="assistance-upload-file" />
        </Field>
        <button type="submit" class="primary" disabled={busy} data-testid="assistance-upload-start">
          {t('upload.start')}
        </button>
        <p role="status" aria-live="polite">
          {busy ? t('upload.uploading') : ''}
        </p>
      </form>
      {isNetworkError(error) ? (
        <p class="hh-error" role="alert">
          {t('upload.offline')}
        </p>
      ) : (
        <ProblemMessage error={error} />
      )}
    </section>
  );
}

const finished = (s: JobStatus) => s === 'COMPLETED' || s === 'FAILED';

function ReturnedList({ id }: { id: string }) {
  const t = useT(assistanceMessages);
  const { job, error } = useJob<Job>(`/v1/assistance-imports/${encodeURIComponent(id)}`, (j) => finished(j.status));
  if (!job) return error ? <ProblemMessage error={error} /> : <Spinner />;
  return (
    <section aria-labelledby="as-job-title" data-testid="assistance-job" data-status={job.status}>
      <h2 id="as-job-title">{t('job.title', { id: job.id.slice(-8) })}</h2>
      <p>
        {t('job.status')}: <strong data-testid="assistance-job-status">{t(`status.${job.status}`)}</strong>
      </p>
      <p role="status" aria-live="polite" data-testid="assistance-job-progress">
        {t('job.progress', { done: job.rowsRecorded + job.rowsRejected, total: job.rowsTotal, recorded: job.rowsRecorded, rejected: job.rowsRejected })}
      </p>
      {job.status === 'FAILED' && job.message && (
        <div class="problem" role="alert">
          <p lang="en">{job.message}</p>
        </div>
      )}
      <ProblemMessage error={error} />
      <h3>
        {t('job.rejected')} ({job.rowsRejected})
      </h3>
      {job.errors.length === 0 ? (
        <p>{t('job.rejectedNone')}</p>
      ) : (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="assistance-job-errors">
            <thead>
              <tr>
                <th scope="col">{t('job.row')}</th>
                <th scope="col">{t('job.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((r) => (
                <tr key={r.row}>
                  <th scope="row">{r.row}</th>
                  <td lang="en">{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {finished(job.status) && (
        <p>
          <a class="button" href="#/assistance">
            {t('job.another')}
          </a>
        </p>
      )}
    </section>
  );
}
