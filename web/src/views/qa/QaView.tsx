/**
 * QA and handover: a QA officer reviews the completion reports awaiting QA that its country
 * must decide (`GET /v1/cleared-areas?status=SUBMITTED` of both countries: a joint task or a
 * contested area on the other country's land needs its decision too); operations hand over the
 * land QA accepted (`status=QA_ACCEPTED`) once the ASEAN observer has attested where that is
 * required; an admin does both for a country they pick, and names the country it decides for.
 * Each report shows what the reader needs (parts, EO reconciliation, each country's decision,
 * the attestation) above its form; a user who may not decide is told why instead of a button.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { listAll } from '../../app/api.ts';
import { Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { usePendingChanges } from '../../app/offline.ts';
import { useSession, type Role, type Session } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { attestationAllowsHandover, COUNTRIES, decidableCountries, requiredCountries, type Country, type Report } from '../land-release.ts';
import { releaseMessages } from '../release-messages.ts';
import { hazardArea, type HazardArea } from '../tasks/data.ts';
import { HandoverForm } from './HandoverForm.tsx';
import { qaMessages } from './messages.ts';
import '../tasks/tasks.css';
import './qa.css';
import { QaForm } from './QaForm.tsx';
import { ReportFacts } from './ReportFacts.tsx';

type Mode = 'qa' | 'handover';

const modesOf = (role: Role): Mode[] => (role === 'qa' ? ['qa'] : role === 'operations' ? ['handover'] : role === 'admin' ? ['qa', 'handover'] : []);
const statusOf = (mode: Mode) => (mode === 'qa' ? 'SUBMITTED' : 'QA_ACCEPTED');

/** A short reference for a report: its hazard area's reference, or the report id's tail. */
const refOf = (report: Report, area: HazardArea | undefined) => (area ? `${area.reference} · ${area.name}` : report.id.slice(-8));

/**
 * The reports this user's list shows. A QA officer reads both countries' lists and keeps its own
 * country's reports and those of the other country that need its decision (joint or contested);
 * everyone else reads the chosen country's list.
 */
async function loadReports(session: Session, mode: Mode, country: Country): Promise<Report[]> {
  if (session.role !== 'qa' || !session.country) return listAll<Report>(`/v1/cleared-areas?country=${country}&status=${statusOf(mode)}`, 300);
  const own = session.country;
  const lists = await Promise.all(
    [own, ...COUNTRIES.filter((c) => c !== own)].map((c) => listAll<Report>(`/v1/cleared-areas?country=${c}&status=${statusOf(mode)}`, 300)),
  );
  const byId = new Map<string, Report>();
  for (const r of lists.flat()) if (r.country === own || requiredCountries(r).includes(own)) byId.set(r.id, r);
  return [...byId.values()];
}

export function QaView(_props: ViewProps) {
  const session = useSession();
  const t = useT(qaMessages);
  const tr = useT(releaseMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const modes = session ? modesOf(session.role) : [];
  const [mode, setMode] = useState<Mode>(modes[0] ?? 'qa');
  const [country, setCountry] = useState<Country>(session?.country ?? 'KH');
  const [reports, setReports] = useState<Report[] | undefined>(undefined);
  const [areas, setAreas] = useState<Record<string, HazardArea>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const load = useCallback(async () => {
    if (!session || modes.length === 0) return;
    setError(undefined);
    setReports(undefined);
    try {
      const list = await loadReports(session, mode, country);
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

  const done = (report: Report) => (state: 'sent' | 'queued', updated?: Report) => {
    setNotice(state);
    setOpen(undefined);
    // A joint report one country has decided stays in the list, showing that decision, until the
    // other country decides; a report decided or handed over (or waiting to be) leaves it.
    setReports((list) =>
      updated && updated.status === statusOf(mode) ? list?.map((r) => (r.id === report.id ? updated : r)) : list?.filter((r) => r.id !== report.id),
    );
  };
  const waiting = (report: Report) => pending.some((c) => c.path.startsWith(`/v1/cleared-areas/${report.id}/`));

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

  /** The open button of a report, or why this user cannot act on it. */
  const action = (report: Report, isOpen: boolean) => {
    if (mode === 'qa') {
      const { refusal } = decidableCountries(report, session);
      if (refusal) {
        const decided = session.country && (report.qaDecisions ?? []).some((d) => d.country === session.country);
        const text =
          refusal === 'notRequired'
            ? tr('refusal.notRequired', {
                countries: requiredCountries(report)
                  .map((c) => tc(`country.${c}`))
                  .join(', '),
              })
            : refusal === 'alreadyDecided'
              ? decided
                ? tr('refusal.alreadyDecided', { country: tc(`country.${session.country!}`) })
                : tr('refusal.allDecided')
              : tr(refusal === 'notSubmitted' ? 'refusal.notSubmitted' : 'refusal.notQa');
        return (
          <p class="qa-refusal" role="note" data-testid={`qa-refusal-${report.id}`} data-refusal={refusal}>
            {text}
          </p>
        );
      }
    } else if (!attestationAllowsHandover(report)) {
      return (
        <p class="qa-refusal" role="note" data-testid={`qa-refusal-${report.id}`} data-refusal="attestation">
          {tr('handoverNeedsAttestation')}
        </p>
      );
    }
    return (
      <button type="button" class="primary" aria-expanded={isOpen} onClick={() => setOpen(isOpen ? undefined : report.id)} data-testid={`qa-open-${report.id}`}>
        {isOpen ? t('closeForm') : mode === 'qa' ? t('review') : t('handOver')}
      </button>
    );
  };

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
              <article
                class={`report-card border-${report.status}`}
                data-testid={`qa-report-${report.id}`}
                data-status={report.status}
                aria-labelledby={`report-${report.id}`}
              >
                <header class="task-card-head">
                  <h3 id={`report-${report.id}`} class="task-card-title">
                    {t('report', { ref })}
                  </h3>
                  <span class={`status-badge status-${report.status}`}>{tc(`cleared.${report.status}`)}</span>
                </header>
                <ReportFacts report={report} />
                {action(report, isOpen)}
                {isOpen && mode === 'qa' && (
                  <QaForm
                    report={report}
                    reportRef={ref}
                    countries={decidableCountries(report, session).countries}
                    admin={session.role === 'admin'}
                    onDone={done(report)}
                  />
                )}
                {isOpen && mode === 'handover' && <HandoverForm report={report} reportRef={ref} onDone={done(report)} />}
              </article>
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
