/**
 * Plan a task on a hazard area: activity, teams of the area's country or, for a joint task, of
 * both, planned dates, priority (with the area's rank in the priorities list where the API has
 * one: top fifth 1, next fifth 2, …) and notes; then assign it. Checked in the browser with the
 * API's schema (shared/domain/task.ts) and sent through the offline queue.
 */
import { useEffect, useState } from 'preact/hooks';
import { TaskCreate } from '#shared/domain/task.ts';
import { ApiError } from '../../app/api.ts';
import { Field, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { COUNTRIES, type Area, type Country, type Task, type Team } from './data.ts';
import { loadTeams, rankOf, type Rank } from './data.ts';
import { clearDraft, loadDraft, saveDraft } from './drafts.ts';
import { planMessages, type PlanKey } from './messages.ts';

const ACTIVITIES = ['NTS', 'TS', 'CLEARANCE', 'BAC', 'EOD_SPOT'] as const;

interface PlanDraft {
  activityType: (typeof ACTIVITIES)[number];
  joint: boolean;
  teamIds: string[];
  plannedStart: string;
  plannedEnd: string;
  priority: number;
  notes: string;
}

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function TaskPlanForm({
  area,
  jointOnly = false,
  onPlanned,
}: {
  area: Area /** The planner is of the other country: only a joint task. */;
  jointOnly?: boolean;
  onPlanned: (task: Task | undefined) => void;
}) {
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const form = `plan.${area.id}`;
  const start = new Date().toISOString().slice(0, 10);
  const [draft, setDraftState] = useState<PlanDraft>(
    () =>
      loadDraft<PlanDraft>(form) ?? {
        activityType: 'CLEARANCE',
        joint: false,
        teamIds: [],
        plannedStart: start,
        plannedEnd: addDays(start, 30),
        priority: 3,
        notes: '',
      },
  );
  const [teams, setTeams] = useState<Record<Country, Team[] | undefined>>({ KH: undefined, TH: undefined });
  const [teamsError, setTeamsError] = useState<unknown>(undefined);
  const [rank, setRank] = useState<Rank | undefined | 'none'>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  const setDraft = (next: PlanDraft) => {
    setDraftState(next);
    saveDraft(form, next);
  };

  const joint = jointOnly || draft.joint;
  const countries: Country[] = joint ? [...COUNTRIES] : [area.country];
  useEffect(() => {
    let live = true;
    for (const c of countries) {
      if (teams[c]) continue;
      loadTeams(c).then(
        (list) => live && setTeams((known) => ({ ...known, [c]: list.filter((x) => x.active) })),
        (e: unknown) => live && setTeamsError(e),
      );
    }
    return () => {
      live = false;
    };
  }, [joint]);

  useEffect(() => {
    let live = true;
    rankOf(area).then(
      (r) => {
        if (!live) return;
        setRank(r ?? 'none');
        // Suggest the rank's priority unless the planner chose one already (a restored draft).
        if (r && !loadDraft<PlanDraft>(form)) setDraftState((d) => ({ ...d, priority: r.suggested }));
      },
      () => live && setRank('none'),
    );
    return () => {
      live = false;
    };
  }, [area.id]);

  const toggleTeam = (id: string, on: boolean) => setDraft({ ...draft, teamIds: on ? [...draft.teamIds, id] : draft.teamIds.filter((x) => x !== id) });
  const visibleTeamIds = new Set(countries.flatMap((c) => (teams[c] ?? []).map((x) => x.id)));

  async function plan(e: Event) {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const body = {
      hazardAreaId: area.id,
      activityType: draft.activityType,
      priority: draft.priority,
      joint,
      teamIds: draft.teamIds.filter((id) => visibleTeamIds.has(id)),
      plannedStart: draft.plannedStart,
      plannedEnd: draft.plannedEnd,
      ...(draft.notes.trim() ? { notes: draft.notes.trim() } : {}),
    };
    const checked = TaskCreate.safeParse(body);
    const found: Record<string, string> = {};
    if (!checked.success) for (const i of checked.error.issues) found[String(i.path[0] ?? 'form')] = i.message;
    if (joint) {
      const of = new Set(body.teamIds.map((id) => COUNTRIES.find((c) => teams[c]?.some((x) => x.id === id))));
      if (of.size < 2) found.teamIds = t('plan.jointNeedsBoth');
    }
    if (body.teamIds.length === 0) found.teamIds = t('plan.needTeam');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await submit({ method: 'POST', path: '/v1/tasks', body, label: t('plan.label', { name: `${area.reference} · ${area.name}` }) });
      clearDraft(form);
      setNotice(result.state);
      setDraftState({ ...draft, teamIds: [], notes: '' });
      onPlanned(result.state === 'sent' ? (result.body as Task) : undefined);
    } catch (err: unknown) {
      setError(err);
      if (err instanceof ApiError) for (const x of err.problem.errors ?? []) found[x.path.replace(/^body\./, '').split('.')[0] ?? 'form'] = x.message;
      setErrors({ ...found });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="plan-form" onSubmit={(e) => void plan(e)} noValidate aria-labelledby="plan-title" data-testid="plan-form">
      <h3 id="plan-title">{t('plan.title')}</h3>
      <div class="plan-grid">
        <Field label={t('plan.activity')} error={errors.activityType}>
          <select
            id="plan-activity"
            value={draft.activityType}
            onChange={(e) => setDraft({ ...draft, activityType: (e.currentTarget as HTMLSelectElement).value as PlanDraft['activityType'] })}
            data-testid="plan-activity"
          >
            {ACTIVITIES.map((a) => (
              <option key={a} value={a}>
                {t(`activity.${a}` as PlanKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('plan.priority')}
          hint={
            rank && rank !== 'none'
              ? t('plan.rank', { rank: rank.rank, of: rank.of, suggested: rank.suggested })
              : rank === 'none'
                ? t('plan.noRank')
                : undefined
          }
          error={errors.priority}
        >
          <select
            id="plan-priority"
            data-rank={rank && rank !== 'none' ? rank.rank : ''}
            data-suggested={rank && rank !== 'none' ? rank.suggested : ''}
            value={String(draft.priority)}
            onChange={(e) => setDraft({ ...draft, priority: Number((e.currentTarget as HTMLSelectElement).value) })}
            data-testid="plan-priority"
          >
            {[1, 2, 3, 4, 5].map((p) => (
              <option key={p} value={String(p)}>
                {t(`priority.${p}` as PlanKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('plan.start')} error={errors.plannedStart}>
          <input
            id="plan-start"
            type="date"
            value={draft.plannedStart}
            onInput={(e) => setDraft({ ...draft, plannedStart: (e.currentTarget as HTMLInputElement).value })}
            data-testid="plan-start"
          />
        </Field>
        <Field label={t('plan.end')} error={errors.plannedEnd}>
          <input
            id="plan-end"
            type="date"
            value={draft.plannedEnd}
            min={draft.plannedStart}
            onInput={(e) => setDraft({ ...draft, plannedEnd: (e.currentTarget as HTMLInputElement).value })}
            data-testid="plan-end"
          />
        </Field>
      </div>
      <label class="tb-check plan-check">
        <input
          type="checkbox"
          checked={joint}
          disabled={jointOnly}
          onChange={(e) => setDraft({ ...draft, joint: (e.currentTarget as HTMLInputElement).checked })}
          data-testid="plan-joint"
        />
        <span>{t('plan.joint')}</span>
      </label>
      <fieldset class="plan-fieldset" aria-describedby={errors.teamIds ? 'plan-teams-error' : undefined} data-testid="plan-teams">
        <legend>{t('plan.teams')}</legend>
        {countries.map((c) => (
          <div key={c} class="plan-teams">
            <p class="plan-teams-country">{tc(`country.${c}`)}</p>
            {teams[c] === undefined && !teamsError && <p class="hint">{tc('loading')}</p>}
            {teams[c]?.length === 0 && <p class="hint">{t('plan.noTeams')}</p>}
            {teams[c]?.map((x) => (
              <label key={x.id} class="tb-check">
                <input
                  type="checkbox"
                  checked={draft.teamIds.includes(x.id)}
                  onChange={(e) => toggleTeam(x.id, (e.currentTarget as HTMLInputElement).checked)}
                  data-testid={`plan-team-${x.id}`}
                />
                <span>
                  {x.name} · {x.organisation} ({x.capabilities.map((cap) => t(`cap.${cap}` as PlanKey)).join(', ')})
                </span>
              </label>
            ))}
          </div>
        ))}
        {errors.teamIds && (
          <p class="error" id="plan-teams-error">
            {errors.teamIds}
          </p>
        )}
      </fieldset>
      <ProblemMessage error={teamsError} />
      <Field label={t('plan.notes')}>
        <textarea
          id="plan-notes"
          rows={2}
          maxLength={2000}
          value={draft.notes}
          onInput={(e) => setDraft({ ...draft, notes: (e.currentTarget as HTMLTextAreaElement).value })}
        />
      </Field>
      <ProblemMessage error={error} />
      <SubmitNotice state={notice} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="plan-submit">
          {t('plan.submit')}
        </button>
      </div>
    </form>
  );
}
