/**
 * QA and handover: a QA officer reviews the completion reports of their country awaiting QA
 * (`GET /v1/cleared-areas?status=SUBMITTED`); operations hand over the land QA accepted
 * (`status=QA_ACCEPTED`); an admin does both for a country they pick. Each report shows what
 * the reviewer needs (outcome, method, depth, area, EO reconciliation) above its form.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ClearedArea } from '#shared/domain/cleared-area.ts';
import { provinceOf } from '#shared/domain/provinces.ts';
import { listAll } from '../../app/api.ts';
import { Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { usePendingChanges } from '../../app/offline.ts';
import { useSession, type Role } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { hazardArea, type Country, type HazardArea } from '../tasks/data.ts';
import { taskMessages, type TaskKey } from '../tasks/messages.ts';
import { HandoverForm } from './HandoverForm.tsx';
import { qaMessages } from './messages.ts';
import '../tasks/tasks.css';
import { QaForm } from './QaForm.tsx';

type Mode = 'qa' | 'handover';

const modesOf = (role: Role): Mode[] => (role === 'qa' ? ['qa'] : role === 'operations' ? ['handover'] : role === 'admin' ? ['qa', 'handover'] : []);
const statusOf = (mode: Mode) => (mode === 'qa' ? 'SUBMITTED' : 'QA_ACCEPTED');

/** A short reference for a report: its hazard area's reference, or the report id's tail. */
const refOf = (report: ClearedArea, area: HazardArea | undefined) => (area ? `${area.reference} · ${area.name}` : report.id.slice(-8));

export function QaView(_props: ViewProps) {
  const session = useSession();
  const t = useT(qaMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const modes = session ? modesOf(session.role) : [];
  const [mode, setMode] = useState<Mode>(modes[0] ?? 'qa');
  const [country, setCountry] = useState<Country>(session?.country ?? 'KH');
  const [reports, setReports] = useState<ClearedArea[] | undefined>(undefined);
  const [areas, setAreas] = useState<Record<string, HazardArea>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const load = useCallback(async () => {
    if (!session || modes.length === 0) return;
    setError(undefined);
    setReports(undefined);
    try {
      const list = await listAll<ClearedArea>(`/v1/cleared-areas?country=${country}&status=${statusOf(mode)}`, 300);
      const found = await Promise.all([...new Set(list.map((r) => r.hazardAreaId))].map(hazardArea));
      const byId: Record<string, HazardArea> = {};
      for (const a of found) if (a) byId[a.id] = a;
      setAreas(byId);
      setReports(list);
    } catch (e: unknown) {
      setError(e);
      setReports([]);
    }
  }, [session?.sub, mode, country]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!session) return null;
  if (modes.length === 0) {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }

  const done = (report: ClearedArea) => (state: 'sent' | 'queued') => {
    setNotice(state);
    setOpen(undefined);
    // Decided or handed over (or waiting to be): it leaves this list.
    setReports((list) => list?.filter((r) => r.id !== report.id));
  };
  const waiting = (report: ClearedArea) => pending.some((c) => c.path.startsWith(`/v1/cleared-areas/${report.id}/`));

  const actions = (
    <>
      {modes.length > 1 && (
        <label class="tb-inline">
          <span>{t('show')}</span>
          <select value={mode} onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as Mode)} data-testid="qa-mode">
            {modes.map((m) => (
              <option key={m} value={m}>
                {t(`list.${m}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {!session.country && (
        <label class="tb-inline">
          <span>{t('country')}</span>
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)} data-testid="qa-country">
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </label>
      )}
      <button type="button" class="secondary" onClick={() => void load()} data-testid="qa-refresh">
        {tc('refresh')}
      </button>
    </>
  );

  const visible = (reports ?? []).filter((r) => !waiting(r));

  return (
    <Page title={t('title')} actions={actions}>
      <h2>{t(`list.${mode}`)}</h2>
      <SubmitNotice state={notice} />
      <ProblemMessage error={error} />
      {reports === undefined && <Spinner />}
      {reports !== undefined && visible.length === 0 && !error && <p data-testid="qa-empty">{t(`empty.${mode}`)}</p>}
      <ul class="report-list" data-testid="qa-list">
        {visible.map((report) => {
          const area = areas[report.hazardAreaId];
          const ref = refOf(report, area);
          const isOpen = open === report.id;
          return (
            <li key={report.id}>
              <article class="report-card" data-testid={`qa-report-${report.id}`} aria-labelledby={`report-${report.id}`}>
                <header class="task-card-head">
                  <h3 id={`report-${report.id}`} class="task-card-title">
                    {t('report', { ref })}
                  </h3>
                  <span class={`status-badge status-${report.status}`}>{tc(`cleared.${report.status}`)}</span>
                </header>
                <ReportFacts report={report} />
                <button type="button" class="primary" aria-expanded={isOpen} onClick={() => setOpen(isOpen ? undefined : report.id)} data-testid={`qa-open-${report.id}`}>
                  {isOpen ? t('closeForm') : mode === 'qa' ? t('review') : t('handOver')}
                </button>
                {isOpen && mode === 'qa' && <QaForm report={report} reportRef={ref} onDone={done(report)} />}
                {isOpen && mode === 'handover' && <HandoverForm report={report} reportRef={ref} onDone={done(report)} />}
              </article>
            </li>
          );
        })}
      </ul>
    </Page>
  );
}

/** What a reviewer reads before deciding. */
function ReportFacts({ report }: { report: ClearedArea }) {
  const t = useT(qaMessages);
  const tt = useT(taskMessages);
  const eo = (counts: Record<string, number> | undefined) => {
    const entries = Object.entries(counts ?? {}).filter(([, n]) => n !== 0);
    return entries.length === 0 ? t('noEo') : entries.map(([category, n]) => `${tt(`eo.${category}` as TaskKey)}: ${n}`).join(', ');
  };
  const province = provinceOf(report.province);
  return (
    <>
      <dl class="tb-facts">
        <div>
          <dt>{t('province')}</dt>
          <dd>
            {report.province}
            {province ? ` · ${province.name}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('outcome')}</dt>
          <dd>{t(`outcome.${report.outcome}`)}</dd>
        </div>
        <div>
          <dt>{t('method')}</dt>
          <dd>{t(`method.${report.method}`)}</dd>
        </div>
        {report.depthCm !== undefined && (
          <div>
            <dt>{t('depth')}</dt>
            <dd>{t('depthValue', { cm: report.depthCm })}</dd>
          </div>
        )}
        <div>
          <dt>{t('completedAt')}</dt>
          <dd>{report.completedAt}</dd>
        </div>
        <div>
          <dt>{t('area')}</dt>
          <dd>{t('sqm', { value: Math.round(report.areaSqm).toLocaleString() })}</dd>
        </div>
        <div>
          <dt>{t('submittedBy')}</dt>
          <dd>{report.submittedBy.org}</dd>
        </div>
        <div class="tb-facts-wide">
          <dt>{t('eoFromProgress')}</dt>
          <dd>{eo(report.eo.fromProgressReports)}</dd>
        </div>
        {report.eo.reported && (
          <div class="tb-facts-wide">
            <dt>{t('eoReported')}</dt>
            <dd>{eo(report.eo.reported)}</dd>
          </div>
        )}
        {report.qa && (
          <div class="tb-facts-wide">
            <dt>{t('qaDecision')}</dt>
            <dd>
              {t(`decision.${report.qa.decision}`)} ({report.qa.decidedAt.slice(0, 10)}, {report.qa.decidedBy.org})
            </dd>
          </div>
        )}
        {report.notes && (
          <div class="tb-facts-wide">
            <dt>{t('notes')}</dt>
            <dd lang="">{report.notes}</dd>
          </div>
        )}
      </dl>
      {report.countries.length > 1 && <p class="tb-tag">{t('joint')}</p>}
      {report.eo.mismatch && (
        <p class="tb-warning" role="note" data-testid="qa-eo-mismatch">
          {t('eoMismatch', { diff: eo(report.eo.differences) })}
        </p>
      )}
    </>
  );
}
