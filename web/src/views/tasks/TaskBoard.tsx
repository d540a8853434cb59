/**
 * The task board, phone first: the user's tasks grouped by status, each card with its hazard
 * area, activity and priority, the moves the role may make (shared/domain/task.ts
 * TASK_TRANSITIONS) and, for a task in progress, the progress form. Every change goes through
 * the offline queue with the task's version as `If-Match`: without signal it waits on the
 * device and the card says so; a stale version becomes a conflict for the user to resolve.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, isNetworkError } from '../../app/api.ts';
import { Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { usePendingChanges } from '../../app/offline.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import {
  arrivedBoardTasks,
  BOARD_ORDER,
  defaultCountry,
  FOLDED,
  hazardAreasOf,
  loadBoardTasks,
  loadTask,
  loadTasks,
  picksCountry,
  project,
  saveBoard,
  savedBoard,
  type Country,
  type HazardArea,
  type Task,
} from './data.ts';
import { taskMessages } from './messages.ts';
import './tasks.css';
import { TaskCard } from './TaskCard.tsx';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function TaskBoard({ route }: ViewProps) {
  const session = useSession();
  const t = useT(taskMessages);
  const tc = useT(commonMessages);
  const pending = usePendingChanges();
  const [country, setCountry] = useState<Country | undefined>(session ? defaultCountry(session) : 'KH');
  // The early read's answer when it is here already: the first render shows the cards.
  const [tasks, setTasks] = useState<Task[] | undefined>(() => (session ? arrivedBoardTasks(session, country) : undefined));
  const [areas, setAreas] = useState<Record<string, HazardArea>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [cachedAt, setCachedAt] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    if (!session) return;
    setLoading(true);
    setError(undefined);
    try {
      const list = await loadBoardTasks(session, country);
      // The cards show as soon as the tasks arrive; their hazard areas' names follow.
      setTasks(list);
      setCachedAt(undefined);
      const byId = await hazardAreasOf(list);
      setAreas((known) => ({ ...known, ...byId }));
      saveBoard(session, country, list, byId);
    } catch (e: unknown) {
      const saved = isNetworkError(e) ? savedBoard(session, country) : null;
      if (saved) {
        setTasks(saved.tasks);
        setAreas(saved.areas);
        setCachedAt(saved.at);
      } else setError(e);
    } finally {
      setLoading(false);
    }
  }, [session?.sub, session?.role, country]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Puts a task read back from the server (after a change) in its place on the board. */
  const replace = useCallback((task: Task) => {
    setTasks((list) => list?.map((x) => (x.id === task.id ? task : x)));
  }, []);

  const reloadTask = useCallback(
    async (id: string) => {
      try {
        replace(await loadTask(id));
      } catch {
        // no signal: the queued change shows on the card until it is sent
      }
    },
    [replace],
  );

  // A change the queue sent later (signal back) changed a task: read the board again for the new
  // versions, from the server only. Right after the signal returns a read can still fail, or get
  // the service worker's offline copy, which would show the change as never made: try again a
  // few times, keeping the board as it is meanwhile.
  const previous = useRef<Set<string>>(new Set());
  useEffect(() => {
    const now = new Set(pending.filter((c) => c.path.startsWith('/v1/tasks/')).map((c) => c.id));
    const gone = [...previous.current].filter((id) => !now.has(id));
    previous.current = now;
    if (gone.length === 0 || !tasks || !session) return;
    let cancelled = false;
    void (async () => {
      for (let attempt = 0; attempt < 5 && !cancelled; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 1500 * attempt));
        try {
          const list = await loadTasks(session, country, true);
          if (cancelled) return;
          setTasks(list);
          setCachedAt(undefined);
          const byId = await hazardAreasOf(list);
          setAreas((known) => ({ ...known, ...byId }));
          saveBoard(session, country, list, byId);
          return;
        } catch {
          // no signal yet: the next attempt, or the next change, reads again
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [pending]);

  const openProgressFor = route.find((s) => ULID.test(s)) && route.includes('progress') ? route.find((s) => ULID.test(s)) : undefined;

  const groups = useMemo(() => {
    const byStatus = new Map<string, { task: Task; projection: ReturnType<typeof project> }[]>();
    for (const task of tasks ?? []) {
      const projection = project(task, pending);
      const list = byStatus.get(projection.status) ?? [];
      list.push({ task, projection });
      byStatus.set(projection.status, list);
    }
    // ISO dates order as strings: a plain comparison, not localeCompare, whose first call loads
    // the ICU collation data (tens of ms on a phone, before the first card shows).
    for (const list of byStatus.values())
      list.sort(
        (a, b) => a.task.priority - b.task.priority || (a.task.plannedStart < b.task.plannedStart ? -1 : a.task.plannedStart > b.task.plannedStart ? 1 : 0),
      );
    return BOARD_ORDER.map((status) => ({ status, items: byStatus.get(status) ?? [] })).filter((g) => g.items.length > 0);
  }, [tasks, pending]);

  if (!session) return null;

  const actions = (
    <>
      {picksCountry(session) && (
        <label class="tb-inline">
          <span>{t('country')}</span>
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)} data-testid="tasks-country">
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </label>
      )}
      <button type="button" class="secondary" onClick={() => void load()} disabled={loading} data-testid="tasks-refresh">
        {tc('refresh')}
      </button>
    </>
  );

  return (
    <Page title={t('title')} actions={actions}>
      <p class="tb-lead">{session.role === 'deminer' ? t('intro') : t('introCountry', { country: tc(`country.${country ?? session.country ?? 'KH'}`) })}</p>
      {cachedAt && (
        <p class="notice notice-queued" role="status" data-testid="tasks-cached">
          {t('cachedAt', { time: new Date(cachedAt).toLocaleString() })}
        </p>
      )}
      <ProblemMessage error={error instanceof ApiError || error instanceof Error ? error : undefined} />
      {tasks === undefined && !error && <Spinner />}
      {tasks !== undefined && tasks.length === 0 && <p data-testid="tasks-empty">{t('noTasks')}</p>}
      <div class="task-board" data-testid="task-board">
        {groups.map((group) => (
          <details class="task-group" key={group.status} open={!FOLDED.has(group.status)} data-testid={`task-group-${group.status}`}>
            <summary>
              <h2 class="task-group-title">
                <span class={`status-badge status-${group.status}`}>{tc(`task.${group.status}`)}</span>{' '}
                <span class="tb-count">{t('count', { count: group.items.length })}</span>
              </h2>
            </summary>
            <ul class="task-list">
              {group.items.map(({ task, projection }) => (
                <li key={task.id}>
                  <TaskCard
                    task={task}
                    area={areas[task.hazardAreaId]}
                    projection={projection}
                    role={session.role}
                    progressOpen={openProgressFor === task.id}
                    onTask={replace}
                    onReload={reloadTask}
                  />
                </li>
              ))}
            </ul>
          </details>
        ))}
      </div>
    </Page>
  );
}
