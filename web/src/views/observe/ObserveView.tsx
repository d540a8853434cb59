/**
 * The ASEAN Observer Team's view: the releases of a country that QA accepted and that await
 * the observer's attestation (joint tasks and contested land), each with what was released and
 * both countries' decisions above the attestation form; and the country's tasks, each with an
 * observation form and the observations recorded so far (append-only; a correction is a new
 * observation naming the one it corrects).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { listAll } from '../../app/api.ts';
import { Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { usePendingChanges } from '../../app/offline.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { awaitsAttestation, COMPLIANCE, OBSERVING_ROLES, type Country, type Observation, type Report } from '../land-release.ts';
import { ReportFacts } from '../qa/ReportFacts.tsx';
import { releaseMessages } from '../release-messages.ts';
import { areaLabel, BOARD_ORDER, hazardAreasOf, type HazardArea, type Task } from '../tasks/data.ts';
import { taskMessages } from '../tasks/messages.ts';
import '../tasks/tasks.css';
import '../qa/qa.css';
import { AttestationForm } from './AttestationForm.tsx';
import { observeMessages } from './messages.ts';
import { ObservationForm } from './ObservationForm.tsx';

export function ObserveView(_props: ViewProps) {
  const session = useSession();
  const t = useT(observeMessages);
  const tr = useT(releaseMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const [country, setCountry] = useState<Country>(session?.country ?? 'KH');
  const [tasks, setTasks] = useState<Task[] | undefined>(undefined);
  const [reports, setReports] = useState<Report[] | undefined>(undefined);
  const [areas, setAreas] = useState<Record<string, HazardArea>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [attesting, setAttesting] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const load = useCallback(async () => {
    if (!session) return;
    setError(undefined);
    setTasks(undefined);
    setReports(undefined);
    try {
      const [taskList, accepted] = await Promise.all([
        listAll<Task>(`/v1/tasks?country=${country}`, 300),
        listAll<Report>(`/v1/cleared-areas?country=${country}&status=QA_ACCEPTED`, 300),
      ]);
      const order = (s: string) => BOARD_ORDER.indexOf(s as never);
      setTasks(taskList.filter((x) => x.status !== 'CANCELLED').sort((a, b) => order(a.status) - order(b.status) || a.priority - b.priority));
      setReports(accepted.filter(awaitsAttestation));
      const byTask = await hazardAreasOf(taskList);
      setAreas(byTask);
    } catch (e: unknown) {
      setError(e);
      setTasks([]);
      setReports([]);
    }
  }, [session?.sub, country]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!session) return null;
  if (!OBSERVING_ROLES.includes(session.role)) {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }

  const waitingReport = (r: Report) => pending.some((c) => c.path === `/v1/cleared-areas/${r.id}/attestation`);
  const areaOfReport = (r: Report) => areas[r.hazardAreaId];
  const reportRef = (r: Report) => {
    const a = areaOfReport(r);
    return a ? `${a.reference} · ${a.name}` : r.id.slice(-8);
  };

  const actions = (
    <>
      {!session.country && (
        <label class="tb-inline">
          <span>{t('country')}</span>
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)} data-testid="observe-country">
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </label>
      )}
      <button type="button" class="secondary" onClick={() => void load()} data-testid="observe-refresh">
        {tc('refresh')}
      </button>
    </>
  );

  const attestList = (reports ?? []).filter((r) => !waitingReport(r));

  return (
    <Page title={t('title')} actions={actions}>
      <p class="tb-lead">{t('intro', { country: tc(`country.${country}`) })}</p>
      <SubmitNotice state={notice} />
      <ProblemMessage error={error} />

      <h2>{t('list.attest')}</h2>
      {reports === undefined && <Spinner />}
      {reports !== undefined && attestList.length === 0 && !error && <p data-testid="attest-empty">{t('empty.attest')}</p>}
      <ul class="report-list" data-testid="attest-list">
        {attestList.map((report) => {
          const ref = reportRef(report);
          const isOpen = attesting === report.id;
          return (
            <li key={report.id}>
              <article class={`report-card border-${report.status}`} data-testid={`attest-report-${report.id}`} aria-labelledby={`attest-${report.id}`}>
                <header class="task-card-head">
                  <h3 id={`attest-${report.id}`} class="task-card-title">
                    {t('report', { ref })}
                  </h3>
                  <span class={`status-badge status-${report.status}`}>{tc(`cleared.${report.status}`)}</span>
                </header>
                <ReportFacts report={report} />
                <button
                  type="button"
                  class="primary"
                  aria-expanded={isOpen}
                  onClick={() => setAttesting(isOpen ? undefined : report.id)}
                  data-testid={`attest-open-${report.id}`}
                >
                  {isOpen ? t('closeForm') : tr('attest.open')}
                </button>
                {isOpen && (
                  <AttestationForm
                    report={report}
                    reportRef={ref}
                    onDone={(state) => {
                      setNotice(state);
                      setAttesting(undefined);
                      setReports((list) => list?.filter((r) => r.id !== report.id));
                    }}
                  />
                )}
              </article>
            </li>
          );
        })}
      </ul>

      <h2>{t('list.tasks')}</h2>
      {tasks === undefined && <Spinner />}
      {tasks !== undefined && tasks.length === 0 && !error && <p data-testid="observe-tasks-empty">{t('empty.tasks')}</p>}
      <ul class="task-list" data-testid="observe-tasks">
        {(tasks ?? []).map((task) => (
          <li key={task.id}>
            <ObservedTask task={task} area={areas[task.hazardAreaId]} />
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** A task with its observation form and its observations. */
function ObservedTask({ task, area }: { task: Task; area: HazardArea | undefined }) {
  const t = useT(observeMessages);
  const tt = useT(taskMessages);
  const tc = useT(commonMessages);
  const [form, setForm] = useState<{ corrects?: Observation } | undefined>(undefined);
  const [showList, setShowList] = useState(false);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const ref = areaLabel(task, area);
  return (
    <article class={`task-card border-${task.status}`} data-testid={`observe-task-${task.id}`} data-status={task.status} aria-labelledby={`observe-${task.id}`}>
      <header class="task-card-head">
        <h3 id={`observe-${task.id}`} class="task-card-title">
          {ref}
        </h3>
        <span class={`status-badge status-${task.status}`}>{tc(`task.${task.status}`)}</span>
      </header>
      <dl class="tb-facts">
        <div>
          <dt>{tt('activity')}</dt>
          <dd>{tt(`activity.${task.activityType}`)}</dd>
        </div>
        <div>
          <dt>{tt('planned')}</dt>
          <dd>
            {task.plannedStart} – {task.plannedEnd}
          </dd>
        </div>
      </dl>
      {task.joint && <p class="tb-tag">{tt('joint')}</p>}
      <SubmitNotice state={notice} />
      <div class="actions task-actions">
        <button type="button" class="primary" aria-expanded={!!form} onClick={() => setForm(form ? undefined : {})} data-testid={`observe-record-${task.id}`}>
          {form ? t('hideForm') : t('record')}
        </button>
        <button type="button" class="secondary" aria-expanded={showList} onClick={() => setShowList(!showList)} data-testid={`observe-list-toggle-${task.id}`}>
          {showList ? t('hideObservations') : t('showObservations')}
        </button>
      </div>
      {form && (
        <ObservationForm
          key={form.corrects?.id ?? 'new'}
          taskId={task.id}
          taskRef={ref}
          corrects={form.corrects}
          onDone={(state) => {
            setNotice(state);
            setForm(undefined);
            setReloads((n) => n + 1);
          }}
        />
      )}
      {showList && <ObservationList taskId={task.id} taskRef={ref} reloads={reloads} onCorrect={(o) => setForm({ corrects: o })} />}
    </article>
  );
}

/** The observations of a task, newest first, with who recorded them and what corrects what. */
function ObservationList({ taskId, taskRef, reloads, onCorrect }: { taskId: string; taskRef: string; reloads: number; onCorrect: (o: Observation) => void }) {
  const t = useT(releaseMessages);
  const [items, setItems] = useState<Observation[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    listAll<Observation>(`/v1/tasks/${taskId}/observations`, 200).then(
      (list) => live && setItems([...list].sort((a, b) => (a.observedAt < b.observedAt ? 1 : a.observedAt > b.observedAt ? -1 : 0))),
      (e: unknown) => live && (setError(e), setItems([])),
    );
    return () => {
      live = false;
    };
  }, [taskId, reloads]);
  const corrected = new Set((items ?? []).map((o) => o.corrects).filter(Boolean));
  return (
    <section class="observations" aria-labelledby={`obs-list-${taskId}`} data-testid={`observations-${taskId}`}>
      <h4 id={`obs-list-${taskId}`}>{t('observations', { ref: taskRef })}</h4>
      <ProblemMessage error={error} />
      {items === undefined && <Spinner />}
      {items !== undefined && items.length === 0 && !error && <p>{t('noObservations')}</p>}
      <ul class="observation-list">
        {(items ?? []).map((o) => (
          <li key={o.id} data-testid={`observation-${o.id}`}>
            <p>
              <time dateTime={o.observedAt}>{new Date(o.observedAt).toLocaleString()}</time> · {t('recordedBy', { org: o.recordedBy.org })}
              {o.corrects && <em> · {t('correction')}</em>}
              {corrected.has(o.id) && <em> · {t('corrected')}</em>}
            </p>
            <p lang="" class="observation-findings">
              {o.findings}
            </p>
            <ul class="observation-compliance">
              {COMPLIANCE.map((c) => (
                <li key={c} data-testid={`observation-${o.id}-${c}`} data-value={String(o.compliance[c])}>
                  {t(`compliance.${c}`)}: <strong>{t(o.compliance[c] ? 'yes' : 'no')}</strong>
                </li>
              ))}
            </ul>
            {o.point && (
              <p>
                {t('longitude')} {o.point.coordinates[0]}, {t('latitude')} {o.point.coordinates[1]}
              </p>
            )}
            <button type="button" class="link-button" onClick={() => onCorrect(o)} data-testid={`observation-correct-${o.id}`}>
              {t('correct')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
