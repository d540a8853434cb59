/**
 * A task's completion report (`#/report/<taskId>`), for its team leader (deminer), operations
 * and admins: write it once the task is COMPLETED — one or more parts, each drawn inside the
 * land that remains of the hazard area or imported from a GeoJSON, KML or GPX file, with the
 * outcome the activity may report, its method, and the depth (CLEARED) or evidence (CANCELLED)
 * it needs — and the team's EO totals reconciled with its progress reports as the API does
 * (`reconcileEo`). The parts are checked in the browser with the API's own rules
 * (shared/domain/cleared-area.ts and land-release.ts: within the remaining land, no overlap)
 * and the server's answer is shown at the part it concerns. Afterwards the page shows the
 * report's QA state: each required country's decision and the observers' attestation.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ClearedAreaCreate, ReportPart, WITHIN_TOLERANCE_M } from '#shared/domain/cleared-area.ts';
import { contaminatedLand } from '#shared/domain/hazard-area.ts';
import { METHODS_BY_OUTCOME, OUTCOMES_BY_ACTIVITY, partProblems, reconcileEo, sqmOf, type Outcome } from '#shared/domain/land-release.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { ApiError } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { commonMessages, type CommonKey } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { useSession, type Session } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { ReportFacts } from '../qa/ReportFacts.tsx';
import { decisionsByCountry, partsOf, type Report } from '../land-release.ts';
import { eoFromProgress, loadArea, loadFeatures, loadTask, loadTaskReports, today, type Area, type AreaFeature, type Task } from './data.ts';
import { clearDraft, loadDraft, saveDraft } from './drafts.ts';
import { DrawMap, type ContextLayer } from './DrawMap.tsx';
import { ImportFile } from './ImportFile.tsx';
import { planMessages, type PlanKey } from './messages.ts';
import { EMPTY_SHAPE, geometryIssues, polygonOf, shapeOfRings, type Polygonal, type Shape } from './shape.ts';
import '../map/map.css';
import '../qa/qa.css';
import './plan.css';

interface PartDraft {
  outcome: Outcome;
  method: string;
  depthCm: string;
  evidence: string;
  shape: Shape;
}

interface ReportDraft {
  completedAt: string;
  parts: PartDraft[];
  active: number;
  declareEo: boolean;
  eo: Record<string, string>;
  notes: string;
}

const newPart = (activity: Task['activityType']): PartDraft => {
  const outcome = OUTCOMES_BY_ACTIVITY[activity][0] ?? 'CLEARED';
  return { outcome, method: METHODS_BY_OUTCOME[outcome][0]!, depthCm: '', evidence: '', shape: EMPTY_SHAPE };
};

/** The part as the API takes it (before its geometry is known to be valid). */
const partBody = (p: PartDraft) => ({
  outcome: p.outcome,
  method: p.method,
  ...(p.outcome === 'CLEARED' && p.depthCm.trim() ? { depthCm: Number(p.depthCm) } : {}),
  ...(p.outcome === 'CANCELLED' && p.evidence.trim() ? { evidence: p.evidence.trim() } : {}),
  geometry: polygonOf(p.shape),
});

const sqm = (n: number) => Math.round(n).toLocaleString();

export function ReportView({ route }: ViewProps) {
  const session = useSession();
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const taskId = route[0];
  const [task, setTask] = useState<Task | undefined>(undefined);
  const [area, setArea] = useState<Area | undefined>(undefined);
  const [features, setFeatures] = useState<AreaFeature[]>([]);
  const [reports, setReports] = useState<Report[] | undefined>(undefined);
  const [progressEo, setProgressEo] = useState<Record<string, number> | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!taskId) return;
    let live = true;
    setError(undefined);
    (async () => {
      const tk = await loadTask(taskId);
      const [a, f, r, eo] = await Promise.all([loadArea(tk.hazardAreaId), loadFeatures(tk.hazardAreaId), loadTaskReports(taskId), eoFromProgress(taskId)]);
      if (!live) return;
      setTask(tk);
      setArea(a);
      setFeatures(f);
      setReports(r.sort((x, y) => y.createdAt.localeCompare(x.createdAt)));
      setProgressEo(eo);
    })().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [taskId, reload]);

  if (!session) return null;
  if (error && !task) {
    return (
      <Page title={t('report.title')}>
        <ProblemMessage error={error} />
      </Page>
    );
  }
  if (!task || !area || !reports || !progressEo) return <Spinner />;
  const name = `${area.reference} · ${area.name}`;
  const open = reports.find((r) => r.status === 'SUBMITTED' || r.status === 'QA_ACCEPTED' || r.status === 'HANDED_OVER');
  const canWrite = task.status === 'COMPLETED' && !task.openReportId && !task.acceptedReportId && !open && OUTCOMES_BY_ACTIVITY[task.activityType].length > 0;

  return (
    <Page title={t('report.pageTitle', { name })}>
      <p class="tb-lead">{t('report.intro', { activity: t(`activity.${task.activityType}` as PlanKey), status: tc(`task.${task.status}` as CommonKey) })}</p>
      {task.status !== 'COMPLETED' && (
        <p class="qa-refusal" role="note">
          {t('report.notCompleted')}
        </p>
      )}
      {OUTCOMES_BY_ACTIVITY[task.activityType].length === 0 && (
        <p class="qa-refusal" role="note">
          {t('report.noLand')}
        </p>
      )}
      {reports.map((r) => (
        <ReportState key={r.id} report={r} />
      ))}
      {canWrite && (
        <ReportForm
          key={`${task.id}-${task.version}`}
          session={session}
          task={task}
          area={area}
          features={features}
          progressEo={progressEo}
          onSent={() => setReload(reload + 1)}
        />
      )}
    </Page>
  );
}

/** A report after it was sent: its parts on the map, its QA state, each country's decision and the attestation. */
function ReportState({ report }: { report: Report }) {
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const context: ContextLayer[] = partsOf(report).map((p) => ({
    kind: report.status === 'SUBMITTED' ? 'pending' : report.status === 'QA_ACCEPTED' || report.status === 'HANDED_OVER' ? 'released' : 'part',
    geometry: p.geometry,
  }));
  return (
    <section class="plan-section report-state" aria-labelledby={`report-${report.id}`} data-testid={`report-state-${report.id}`} data-status={report.status}>
      <h2 id={`report-${report.id}`}>
        {t('report.stateTitle', { date: report.completedAt })} · <span class="status-badge">{t(`reportStatus.${report.status}` as PlanKey)}</span>
      </h2>
      <ul class="report-slots">
        {decisionsByCountry(report).map(({ country, decision }) => (
          <li key={country} data-testid={`report-qa-${country}`} data-decision={decision?.decision ?? 'PENDING'}>
            {tc(`country.${country}`)}: {decision ? t(`decision.${decision.decision}` as PlanKey) : t('decision.PENDING')}
          </li>
        ))}
      </ul>
      <div class="plan-columns">
        <DrawMap id={`report-${report.id}-map`} label={t('report.partsLabel')} context={context} />
        <div>
          <ReportFacts report={report} />
        </div>
      </div>
    </section>
  );
}

function ReportForm({
  session,
  task,
  area,
  features,
  progressEo,
  onSent,
}: {
  session: Session;
  task: Task;
  area: Area;
  features: AreaFeature[];
  progressEo: Record<string, number>;
  onSent: () => void;
}) {
  const tv = useT(vocabulary);
  const t = useT(planMessages);
  const form = `report.${task.id}`;
  const allowed = OUTCOMES_BY_ACTIVITY[task.activityType];
  const [draft, setDraftState] = useState<ReportDraft>(
    () =>
      loadDraft<ReportDraft>(form) ?? {
        completedAt: today(),
        parts: [newPart(task.activityType)],
        active: 0,
        declareEo: Object.keys(progressEo).length > 0,
        eo: Object.fromEntries(Object.entries(progressEo).map(([k, v]) => [k, String(v)])),
        notes: '',
      },
  );
  const [restored] = useState(() => loadDraft<ReportDraft>(form) !== undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverParts, setServerParts] = useState<Record<number, string[]>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const setDraft = (next: ReportDraft) => {
    setDraftState(next);
    saveDraft(form, next);
  };
  const setPart = (i: number, change: Partial<PartDraft>) => {
    setServerParts((s) => ({ ...s, [i]: [] }));
    setDraft({ ...draft, parts: draft.parts.map((p, j) => (j === i ? { ...p, ...change } : p)) });
  };

  const remaining = contaminatedLand(area as never) as Polygonal | null;
  const released = features.filter((f) => f.properties.kind === 'released');
  const polygons = draft.parts.map((p) => polygonOf(p.shape));
  // The API's own land checks, run here as the team draws: within the remaining land, no overlap.
  const problems = useMemo(() => {
    const byPart: Record<number, string[]> = {};
    polygons.forEach((p, i) => {
      const own = geometryIssues(p);
      if (own.length > 0) byPart[i] = own;
    });
    const valid = polygons.map((p, i) => (p && !byPart[i] ? p : undefined));
    const indexed = valid.map((p, i) => [p, i] as const).filter((x): x is readonly [NonNullable<(typeof valid)[number]>, number] => !!x[0]);
    try {
      const found = partProblems(
        indexed.map(([p]) => p),
        remaining as never,
        released.map((f) => ({ what: t('report.releasedLand'), geometry: f.geometry as never })),
        WITHIN_TOLERANCE_M,
      );
      for (const f of found) {
        const i = indexed[f.part]![1];
        (byPart[i] ??= []).push(f.message);
      }
    } catch {
      // a geometry the clipping library cannot handle: the server's check decides
    }
    return byPart;
  }, [draft.parts, features]);

  const reconciled = reconcileEo(
    progressEo,
    draft.declareEo
      ? Object.fromEntries(
          Object.entries(draft.eo)
            .filter(([, v]) => v.trim() !== '')
            .map(([k, v]) => [k, Number(v)]),
        )
      : undefined,
  );
  const categories = [...new Set([...Object.keys(progressEo), ...Object.keys(draft.eo)])];
  const [extra, setExtra] = useState<string>(EO_CATEGORIES.find((c) => !categories.includes(c)) ?? 'OTHER');

  const active = Math.min(draft.active, draft.parts.length - 1);
  const part = draft.parts[active]!;
  const context: ContextLayer[] = [
    ...features.map((f) => ({ kind: f.properties.kind, geometry: f.geometry })),
    ...polygons.flatMap((p, i) => (p && i !== active ? [{ kind: 'part' as const, geometry: p }] : [])),
  ];

  const body = () => ({
    taskId: task.id,
    completedAt: draft.completedAt,
    parts: draft.parts.map(partBody),
    ...(draft.declareEo
      ? {
          eoTotals: Object.entries(draft.eo)
            .filter(([, v]) => v.trim() !== '')
            .map(([category, v]) => ({ category, quantity: Number(v) })),
        }
      : {}),
    ...(draft.notes.trim() ? { notes: draft.notes.trim() } : {}),
  });

  async function send(e: Event) {
    e.preventDefault();
    setError(undefined);
    const full = body();
    const found: Record<string, string> = {};
    draft.parts.forEach((p, i) => {
      if (!polygonOf(p.shape)) found[`parts.${i}.geometry`] = t('report.needPolygon');
      const checked = ReportPart.safeParse(partBody(p));
      if (!checked.success)
        for (const issue of checked.error.issues) if (issue.path[0] !== 'geometry') found[`parts.${i}.${String(issue.path[0])}`] = issue.message;
      if (!allowed.includes(p.outcome)) found[`parts.${i}.outcome`] = t('report.outcomeNotAllowed');
    });
    const whole = ClearedAreaCreate.safeParse(full);
    if (!whole.success) for (const issue of whole.error.issues) if (issue.path[0] !== 'parts') found[String(issue.path[0])] = issue.message;
    setErrors(found);
    const firstBad = Object.keys(found)[0] ?? (Object.keys(problems)[0] !== undefined ? `parts.${Object.keys(problems)[0]}.geometry` : undefined);
    if (firstBad) {
      const m = /^parts\.(\d+)/.exec(firstBad);
      if (m) setDraftState({ ...draft, active: Number(m[1]) });
      if (Object.keys(found).length > 0) return;
      // Land problems: the server has the last word (tolerances), but say it before sending.
      return;
    }
    setBusy(true);
    try {
      const result = await submit({
        method: 'POST',
        path: '/v1/cleared-areas',
        body: full,
        label: t('report.label', { name: `${area.reference} · ${area.name}` }),
      });
      clearDraft(form);
      setNotice(result.state);
      if (result.state === 'sent') onSent();
    } catch (err: unknown) {
      setError(err);
      if (err instanceof ApiError) {
        const byPart: Record<number, string[]> = {};
        const other: Record<string, string> = {};
        for (const x of err.problem.errors ?? []) {
          const m = /^body\.parts\.(\d+)\.geometry/.exec(x.path);
          if (m) (byPart[Number(m[1])] ??= []).push(x.message);
          else other[x.path.replace(/^body\./, '')] = x.message;
        }
        setServerParts(byPart);
        setErrors(other);
      }
    } finally {
      setBusy(false);
    }
  }

  const partIssues = [...(problems[active] ?? []), ...(serverParts[active] ?? [])];
  const err = (field: string) => errors[`parts.${active}.${field}`];

  if (notice === 'queued') return <SubmitNotice state={notice} />;

  return (
    <form class="plan-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby="report-form-title" data-testid="report-form">
      <h2 id="report-form-title">{t('report.formTitle')}</h2>
      {restored && (
        <p class="notice notice-queued" role="status" data-testid="report-draft-restored">
          {t('draft.restored')}
        </p>
      )}
      <Field label={t('report.completedAt')} error={errors.completedAt}>
        <input
          id="report-completed"
          type="date"
          value={draft.completedAt}
          max={today()}
          onInput={(e) => setDraft({ ...draft, completedAt: (e.currentTarget as HTMLInputElement).value })}
          data-testid="report-completed"
        />
      </Field>

      <fieldset class="plan-fieldset">
        <legend>{t('report.parts', { count: draft.parts.length })}</legend>
        <ul class="report-parts">
          {draft.parts.map((p, i) => {
            const poly = polygons[i];
            const bad = (problems[i]?.length ?? 0) + (serverParts[i]?.length ?? 0) + Object.keys(errors).filter((k) => k.startsWith(`parts.${i}.`)).length;
            return (
              <li key={i}>
                <button
                  type="button"
                  class={i === active ? 'primary' : 'secondary'}
                  aria-pressed={i === active}
                  onClick={() => setDraft({ ...draft, active: i })}
                  data-testid={`report-part-tab-${i}`}
                  data-problems={bad}
                >
                  {t('report.partTab', { n: i + 1, outcome: t(`outcome.${p.outcome}` as PlanKey), sqm: poly ? sqm(sqmOf(poly as never)) : '–' })}
                  {bad > 0 ? ` ⚠ ${t('report.partHasProblems')}` : ''}
                </button>
              </li>
            );
          })}
        </ul>
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() => setDraft({ ...draft, parts: [...draft.parts, newPart(task.activityType)], active: draft.parts.length })}
            disabled={draft.parts.length >= 50}
            data-testid="report-add-part"
          >
            {t('report.addPart')}
          </button>
          {draft.parts.length > 1 && (
            <button
              type="button"
              class="secondary"
              onClick={() => setDraft({ ...draft, parts: draft.parts.filter((_, j) => j !== active), active: Math.max(0, active - 1) })}
              data-testid="report-remove-part"
            >
              {t('report.removePart', { n: active + 1 })}
            </button>
          )}
        </div>
        <ImportFile
          id="report-import"
          label={t('import.report')}
          onPolygons={(imported) => {
            const shapes = imported.map((p) => shapeOfRings(p.rings));
            const parts = [...draft.parts];
            let first = parts.length;
            if (parts[active] && parts[active]!.shape.vertices.length === 0) {
              parts[active] = { ...parts[active]!, shape: shapes.shift()! };
              first = active;
            }
            for (const s of shapes) parts.push({ ...newPart(task.activityType), shape: s });
            setDraft({ ...draft, parts, active: first });
          }}
        />

        <div class="report-part" data-testid={`report-part-${active}`}>
          <h3>{t('report.partTitle', { n: active + 1 })}</h3>
          <div class="plan-grid">
            <Field label={t('report.outcome')} error={err('outcome')}>
              <select
                id="report-outcome"
                value={part.outcome}
                onChange={(e) => {
                  const outcome = (e.currentTarget as HTMLSelectElement).value as Outcome;
                  setPart(active, { outcome, method: METHODS_BY_OUTCOME[outcome].includes(part.method) ? part.method : METHODS_BY_OUTCOME[outcome][0]! });
                }}
                data-testid="report-outcome"
              >
                {allowed.map((o) => (
                  <option key={o} value={o}>
                    {t(`outcome.${o}` as PlanKey)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('report.method')} error={err('method')}>
              <select
                id="report-method"
                value={part.method}
                onChange={(e) => setPart(active, { method: (e.currentTarget as HTMLSelectElement).value })}
                data-testid="report-method"
              >
                {METHODS_BY_OUTCOME[part.outcome].map((m) => (
                  <option key={m} value={m}>
                    {t(`method.${m}` as PlanKey)}
                  </option>
                ))}
              </select>
            </Field>
            {part.outcome === 'CLEARED' && (
              <Field label={t('report.depth')} hint={t('report.depthHint')} error={err('depthCm')}>
                <input
                  id="report-depth"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1000}
                  value={part.depthCm}
                  onInput={(e) => setPart(active, { depthCm: (e.currentTarget as HTMLInputElement).value })}
                  data-testid="report-depth"
                />
              </Field>
            )}
          </div>
          {part.outcome === 'CANCELLED' && (
            <Field label={t('report.evidence')} hint={t('report.evidenceHint')} error={err('evidence')}>
              <textarea
                id="report-evidence"
                rows={3}
                maxLength={4000}
                value={part.evidence}
                onInput={(e) => setPart(active, { evidence: (e.currentTarget as HTMLTextAreaElement).value })}
                data-testid="report-evidence"
              />
            </Field>
          )}
          <DrawMap
            key={active}
            id="report-draw"
            label={t('report.mapLabel', { n: active + 1 })}
            context={context}
            shape={part.shape}
            onShape={(shape) => setPart(active, { shape })}
            issues={partIssues}
          />
          {(partIssues.length > 0 || err('geometry')) && (
            <ul class="error draw-issues" role="alert" data-testid="report-part-issues" lang="en">
              {err('geometry') && <li>{err('geometry')}</li>}
              {partIssues.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      </fieldset>

      <fieldset class="plan-fieldset" data-testid="report-eo">
        <legend>{t('report.eo')}</legend>
        <p class="hint">{t('report.eoHint')}</p>
        <label class="tb-check">
          <input
            type="checkbox"
            checked={draft.declareEo}
            onChange={(e) => setDraft({ ...draft, declareEo: (e.currentTarget as HTMLInputElement).checked })}
            data-testid="report-eo-declare"
          />
          <span>{t('report.eoDeclare')}</span>
        </label>
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('report.eo')}>
          <table>
            <caption class="visually-hidden">{t('report.eo')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('report.eoCategory')}</th>
                <th scope="col">{t('report.eoProgress')}</th>
                <th scope="col">{t('report.eoDeclared')}</th>
                <th scope="col">{t('report.eoDifference')}</th>
              </tr>
            </thead>
            <tbody>
              {categories.length === 0 && (
                <tr>
                  <td colSpan={4}>{t('report.eoNone')}</td>
                </tr>
              )}
              {categories.map((c) => {
                const diff = reconciled.differences[c];
                return (
                  <tr key={c} data-testid={`report-eo-${c}`} data-difference={diff ?? 0}>
                    <th scope="row">{tv(`eo.${c}` as VocabularyKey)}</th>
                    <td class="num">{progressEo[c] ?? 0}</td>
                    <td>
                      <input
                        type="number"
                        min={0}
                        inputMode="numeric"
                        disabled={!draft.declareEo}
                        value={draft.eo[c] ?? ''}
                        aria-label={t('report.eoDeclaredFor', { category: tv(`eo.${c}` as VocabularyKey) })}
                        onInput={(e) => setDraft({ ...draft, eo: { ...draft.eo, [c]: (e.currentTarget as HTMLInputElement).value } })}
                        data-testid={`report-eo-input-${c}`}
                      />
                    </td>
                    <td class="num">{diff ? (diff > 0 ? `+${diff}` : String(diff)) : '0'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {draft.declareEo && (
          <div class="plan-row">
            <Field label={t('report.eoAddCategory')}>
              <select id="report-eo-extra" value={extra} onChange={(e) => setExtra((e.currentTarget as HTMLSelectElement).value)}>
                {EO_CATEGORIES.filter((c) => !categories.includes(c)).map((c) => (
                  <option key={c} value={c}>
                    {tv(`eo.${c}` as VocabularyKey)}
                  </option>
                ))}
              </select>
            </Field>
            <button
              type="button"
              class="secondary"
              disabled={categories.length >= EO_CATEGORIES.length}
              onClick={() => setDraft({ ...draft, eo: { ...draft.eo, [extra]: '0' } })}
            >
              {t('report.eoAdd')}
            </button>
          </div>
        )}
        <p
          class={reconciled.mismatch ? 'tb-warning' : 'hint'}
          role="status"
          data-testid="report-eo-state"
          data-mismatch={reconciled.mismatch ? 'true' : 'false'}
        >
          {reconciled.mismatch ? t('report.eoMismatch') : t('report.eoMatch')}
        </p>
        {errors.eoTotals && <p class="error">{errors.eoTotals}</p>}
      </fieldset>

      <Field label={t('report.notes')}>
        <textarea
          id="report-notes"
          rows={2}
          maxLength={2000}
          value={draft.notes}
          onInput={(e) => setDraft({ ...draft, notes: (e.currentTarget as HTMLTextAreaElement).value })}
        />
      </Field>
      <ProblemMessage error={error} />
      <SubmitNotice state={notice} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="report-submit">
          {t('report.submit')}
        </button>
      </div>
      {session.role === 'deminer' && <p class="hint">{t('report.teamNote')}</p>}
    </form>
  );
}
