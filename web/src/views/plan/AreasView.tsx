/**
 * Hazard areas for the people who plan clearance (operations, admins): `#/areas` lists a
 * country's areas, `#/areas/new` records one, `#/areas/<id>` shows an area — its land on the map
 * (recorded outline, remaining and released land, with a legend), its facts, withdraw, its
 * tasks (assign a planned one), planning a new task, and its history — and `#/areas/<id>/edit`
 * corrects it. This chunk and the drawing code load only when one of these views opens.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { provinceOf } from '#shared/domain/provinces.ts';
import { Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { commonMessages, type CommonKey } from '../../app/messages.ts';
import { submit, usePendingChanges } from '../../app/offline.ts';
import { useSession, type Session } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { AreaDetail } from '../map/AreaDetail.tsx';
import { transitionPath } from '../tasks/data.ts';
import { AreaForm } from './AreaForm.tsx';
import {
  loadArea,
  loadAreas,
  loadAreaTasks,
  loadFeatures,
  loadHistory,
  type Area,
  type AreaFeature,
  type Country,
  type HistoryEntry,
  type Task,
} from './data.ts';
import { DrawMap } from './DrawMap.tsx';
import { planMessages, type PlanKey } from './messages.ts';
import { TaskPlanForm } from './TaskPlanForm.tsx';
import '../map/map.css';
import './plan.css';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const sqm = (n: number | undefined) => Math.round(n ?? 0).toLocaleString();

/** Whether the user records and changes this country's hazard areas and tasks. */
const manages = (session: Session, country: Country) => session.role === 'admin' || (session.role === 'operations' && session.country === country);

export function AreasView({ route }: ViewProps) {
  const session = useSession();
  if (!session) return null;
  const [first, second] = route;
  if (first === 'new') return <NewArea session={session} />;
  if (first && ULID.test(first)) return <AreaPage key={first} session={session} id={first} edit={second === 'edit'} />;
  return <AreaList session={session} />;
}

function NewArea({ session }: { session: Session }) {
  const t = useT(planMessages);
  return (
    <Page title={t('area.newTitle')}>
      <AreaForm session={session} />
    </Page>
  );
}

function AreaList({ session }: { session: Session }) {
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const [country, setCountry] = useState<Country>(session.country ?? 'KH');
  const [areas, setAreas] = useState<Area[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    let live = true;
    setAreas(undefined);
    setError(undefined);
    loadAreas(country).then(
      (list) => live && setAreas(list.sort((a, b) => b.createdAt.localeCompare(a.createdAt))),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [country]);

  const actions = (
    <>
      {(session.role === 'admin' || session.role === 'operations') && (
        <label class="tb-inline">
          <span>{t('country')}</span>
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)} data-testid="areas-country">
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </label>
      )}
      {manages(session, country) && (
        <a class="button primary" href="#/areas/new" data-testid="areas-new">
          {t('area.new')}
        </a>
      )}
    </>
  );

  return (
    <Page title={t('areas.title')} actions={actions}>
      <p class="tb-lead">{t('areas.intro', { country: tc(`country.${country}`) })}</p>
      <ProblemMessage error={error} />
      {!areas && !error && <Spinner />}
      {areas && areas.length === 0 && <p data-testid="areas-empty">{t('areas.empty')}</p>}
      {areas && areas.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="areas-caption">
          <table class="map-table" data-testid="areas-table">
            <caption id="areas-caption">{t('areas.caption', { country: tc(`country.${country}`) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('area.reference')}</th>
                <th scope="col">{t('area.name')}</th>
                <th scope="col">{t('area.province')}</th>
                <th scope="col">{t('area.classification')}</th>
                <th scope="col">{t('area.status')}</th>
                <th scope="col">{t('area.sqm')}</th>
                <th scope="col">{t('area.remainingSqm')}</th>
              </tr>
            </thead>
            <tbody>
              {areas.map((a) => (
                <tr key={a.id} data-testid={`areas-row-${a.id}`}>
                  <th scope="row">
                    <a href={`#/areas/${a.id}`}>{a.reference}</a>
                  </th>
                  <td>{a.name}</td>
                  <td>
                    {a.province}
                    {provinceOf(a.province) ? ` · ${provinceOf(a.province)!.name}` : ''}
                  </td>
                  <td>{t(`class.${a.classification}`)}</td>
                  <td>{tc(`hazard.${a.status}`)}</td>
                  <td class="num">{sqm(a.areaSqm)}</td>
                  <td class="num">{sqm(a.remainingSqm)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function AreaPage({ session, id, edit }: { session: Session; id: string; edit: boolean }) {
  const tv = useT(vocabulary);
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const [area, setArea] = useState<Area | undefined>(undefined);
  const [features, setFeatures] = useState<AreaFeature[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(undefined);
    Promise.all([loadArea(id), loadFeatures(id)]).then(
      ([a, f]) => {
        if (!live) return;
        setArea(a);
        setFeatures(f);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id, reload]);

  const context = useMemo(() => (features ?? []).map((f) => ({ kind: f.properties.kind, geometry: f.geometry })), [features]);

  if (error && !area) {
    return (
      <Page title={t('areas.title')}>
        <ProblemMessage error={error} />
      </Page>
    );
  }
  if (!area) return <Spinner />;
  const name = `${area.reference} · ${area.name}`;
  const canManage = manages(session, area.country);
  if (edit && canManage) {
    return (
      <Page title={t('area.editTitle', { name })}>
        <AreaForm session={session} area={area} features={features} />
      </Page>
    );
  }

  const actions =
    canManage && area.status !== 'WITHDRAWN' && area.status !== 'CLOSED' && area.status !== 'HANDED_OVER' ? (
      <a class="button" href={`#/areas/${area.id}/edit`} data-testid="area-edit">
        {t('area.edit')}
      </a>
    ) : undefined;

  return (
    <Page title={t('area.pageTitle', { name })} actions={actions}>
      <p>
        <a href="#/areas">{t('areas.back')}</a>
      </p>
      <div class="plan-columns">
        <div>
          <DrawMap id="area-land" label={t('area.landLabel', { name })} context={context} />
        </div>
        <div>
          <dl class="tb-facts" data-testid="area-facts">
            <div>
              <dt>{t('area.classification')}</dt>
              <dd>{t(`class.${area.classification}`)}</dd>
            </div>
            <div>
              <dt>{t('area.evidence')}</dt>
              <dd>{t(`evidence.${area.evidence}`)}</dd>
            </div>
            <div>
              <dt>{t('area.province')}</dt>
              <dd>
                {area.province}
                {provinceOf(area.province) ? ` · ${provinceOf(area.province)!.name}` : ''}
                {area.district ? ` · ${area.district}` : ''}
                {area.village ? ` · ${area.village}` : ''}
              </dd>
            </div>
            <div>
              <dt>{t('area.dateOfInformation')}</dt>
              <dd>{area.dateOfInformation}</dd>
            </div>
            <div class="tb-facts-wide">
              <dt>{t('area.contamination')}</dt>
              <dd>
                {area.contamination
                  .map((c) => `${tv(`eo.${c.category}` as VocabularyKey)}${c.model ? ` (${c.model})` : ''}, ${t(`period.${c.period}`)}`)
                  .join('; ')}
              </dd>
            </div>
            {area.contested && (
              <div class="tb-facts-wide">
                <dt>{t('area.contested')}</dt>
                <dd>{t('yes')}</dd>
              </div>
            )}
          </dl>
          <AreaDetail area={area} features={features} session={session} onArea={(a) => setArea({ ...area, ...a })} />
        </div>
      </div>
      <AreaTasks session={session} area={area} canManage={canManage} />
      <AreaHistory id={area.id} version={area.version} />
      {error && <ProblemMessage error={error} />}
      <button type="button" class="secondary" onClick={() => setReload(reload + 1)} data-testid="area-reload">
        {tc('refresh')}
      </button>
    </Page>
  );
}

function AreaTasks({ session, area, canManage }: { session: Session; area: Area; canManage: boolean }) {
  // Operations of the other country plan joint tasks on the area; its task list is its own country's to read.
  const readsTasks = canManage || session.role !== 'operations';
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const [tasks, setTasks] = useState<Task[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const load = useCallback(() => {
    if (readsTasks) loadAreaTasks(area.id).then(setTasks, setError);
  }, [area.id]);
  useEffect(load, [load]);

  const assign = async (task: Task) => {
    setError(undefined);
    try {
      const result = await submit({
        method: 'POST',
        path: transitionPath(task.id),
        body: { to: 'ASSIGNED' },
        ifMatch: task.version,
        label: t('tasks.assignLabel', { name: `${area.reference} · ${area.name}` }),
      });
      setNotice(result.state);
      if (result.state === 'sent') setTasks((list) => list?.map((x) => (x.id === task.id ? (result.body as Task) : x)));
    } catch (e: unknown) {
      setError(e);
    }
  };

  const open = !['CLOSED', 'HANDED_OVER', 'WITHDRAWN'].includes(area.status);
  return (
    <section class="plan-section" aria-labelledby="area-tasks-title">
      <h2 id="area-tasks-title">{t('tasks.title')}</h2>
      <ProblemMessage error={error} />
      <SubmitNotice state={notice} />
      {tasks && tasks.length === 0 && <p>{t('tasks.none')}</p>}
      {tasks && tasks.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="area-tasks-title">
          <table data-testid="area-tasks">
            <caption class="visually-hidden">{t('tasks.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('plan.activity')}</th>
                <th scope="col">{t('area.status')}</th>
                <th scope="col">{t('plan.priority')}</th>
                <th scope="col">{t('plan.dates')}</th>
                <th scope="col">{t('plan.teams')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('draw.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => {
                const waiting = pending.some((c) => c.path.startsWith(`/v1/tasks/${task.id}/`) && (c.state === 'queued' || c.state === 'sending'));
                return (
                  <tr key={task.id} data-testid={`area-task-${task.id}`} data-status={task.status}>
                    <th scope="row">
                      {t(`activity.${task.activityType}` as PlanKey)}
                      {task.joint ? ` · ${t('plan.jointShort')}` : ''}
                    </th>
                    <td>{tc(`task.${task.status}` as CommonKey)}</td>
                    <td>{task.priority}</td>
                    <td>
                      {task.plannedStart} – {task.plannedEnd}
                    </td>
                    <td>{task.teamIds.length}</td>
                    <td>
                      {canManage && task.status === 'PLANNED' && !waiting && (
                        <button type="button" class="primary" onClick={() => void assign(task)} data-testid={`area-task-assign-${task.id}`}>
                          {t('tasks.assign')}
                        </button>
                      )}
                      {waiting && <span class="hint">{t('tasks.waiting')}</span>}
                      {task.status === 'COMPLETED' && (
                        <a href={`#/report/${task.id}`} data-testid={`area-task-report-${task.id}`}>
                          {t('tasks.report')}
                        </a>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(session.role === 'operations' || session.role === 'admin') && open && (
        <TaskPlanForm
          area={area}
          jointOnly={session.country !== undefined && session.country !== area.country}
          onPlanned={(task) => {
            if (task) setTasks((list) => [...(list ?? []), task]);
          }}
        />
      )}
    </section>
  );
}

function AreaHistory({ id, version }: { id: string; version: number }) {
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const [entries, setEntries] = useState<HistoryEntry[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    loadHistory(id).then(setEntries, setError);
  }, [id, version]);
  const status = (s: string | undefined) => (s ? tc(`hazard.${s}` as CommonKey) : '');
  return (
    <section class="plan-section" aria-labelledby="area-history-title">
      <h2 id="area-history-title">{t('history.title')}</h2>
      <ProblemMessage error={error} />
      {entries && (
        <ol class="plan-history" data-testid="area-history">
          {entries.map((e) => (
            <li key={e.id} data-action={e.action}>
              <time dateTime={e.at}>{e.at.slice(0, 16).replace('T', ' ')}</time> · {e.actor.org} ({tc(`role.${e.actor.role}` as CommonKey)}):{' '}
              {e.action === 'TRANSITION'
                ? t('history.transition', { from: status(e.from), to: status(e.to) })
                : t(`history.${e.action === 'CREATED' ? 'created' : 'updated'}`)}
              {e.action === 'UPDATED' && e.changes ? ` (${Object.keys(e.changes).join(', ')})` : ''}
              {e.reason ? ` — ${e.reason}` : ''}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
