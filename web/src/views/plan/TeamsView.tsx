/**
 * Clearance teams of a country (operations of that country, admins): the list, a new team, a
 * team's name, capabilities and whether it is active (`PATCH` with its version, through the
 * offline queue: a stale edit becomes a conflict), and the team's current tasks.
 */
import { useEffect, useState } from 'preact/hooks';
import { CAPABILITIES, TeamCreate } from '#shared/domain/team.ts';
import { Field, Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages, type CommonKey } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import { useSession, type Session } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { loadTeams, loadTeamTasks, type Country, type Task, type Team } from './data.ts';
import { planMessages, type PlanKey } from './messages.ts';
import './plan.css';

type Capability = (typeof CAPABILITIES)[number];

function Capabilities({ id, value, onChange, error }: { id: string; value: Capability[]; onChange: (c: Capability[]) => void; error?: string | undefined }) {
  const t = useT(planMessages);
  return (
    <fieldset class="plan-fieldset plan-caps" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('team.capabilities')}</legend>
      {CAPABILITIES.map((c) => (
        <label key={c} class="tb-check">
          <input
            type="checkbox"
            checked={value.includes(c)}
            onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked ? [...value, c] : value.filter((x) => x !== c))}
            data-testid={`${id}-cap-${c}`}
          />
          <span>{t(`cap.${c}` as PlanKey)}</span>
        </label>
      ))}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

function NewTeam({ session, country, onTeam }: { session: Session; country: Country; onTeam: (team: Team | undefined) => void }) {
  const t = useT(planMessages);
  const [name, setName] = useState('');
  const [organisation, setOrganisation] = useState(session.org);
  const [caps, setCaps] = useState<Capability[]>(['MANUAL']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function create(e: Event) {
    e.preventDefault();
    setError(undefined);
    const body = { name: name.trim(), organisation: organisation.trim(), country, capabilities: caps };
    const checked = TeamCreate.safeParse(body);
    const found: Record<string, string> = {};
    if (!checked.success) for (const i of checked.error.issues) found[String(i.path[0] ?? 'form')] = i.message;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await submit({ method: 'POST', path: '/v1/teams', body, label: t('team.createLabel', { name: body.name }) });
      setNotice(result.state);
      setName('');
      onTeam(result.state === 'sent' ? (result.body as Team) : undefined);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="plan-form" onSubmit={(e) => void create(e)} noValidate aria-labelledby="team-new-title" data-testid="team-form">
      <h2 id="team-new-title">{t('team.new')}</h2>
      <div class="plan-grid">
        <Field label={t('team.name')} error={errors.name}>
          <input
            id="team-name"
            type="text"
            maxLength={200}
            value={name}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
            data-testid="team-name"
          />
        </Field>
        <Field label={t('team.organisation')} error={errors.organisation}>
          <input
            id="team-org"
            type="text"
            maxLength={100}
            value={organisation}
            onInput={(e) => setOrganisation((e.currentTarget as HTMLInputElement).value)}
            data-testid="team-org"
          />
        </Field>
      </div>
      <Capabilities id="team-new" value={caps} onChange={setCaps} error={errors.capabilities} />
      <ProblemMessage error={error} />
      <SubmitNotice state={notice} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="team-submit">
          {t('team.create')}
        </button>
      </div>
    </form>
  );
}

function TeamRow({ team, canManage, onTeam }: { team: Team; canManage: boolean; onTeam: (team: Team) => void }) {
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(team.name);
  const [caps, setCaps] = useState<Capability[]>(team.capabilities as Capability[]);
  const [active, setActive] = useState(team.active);
  const [tasks, setTasks] = useState<Task[] | undefined>(undefined);
  const [showTasks, setShowTasks] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);

  useEffect(() => {
    if (!showTasks || tasks) return;
    loadTeamTasks(team.id).then((list) => setTasks(list.filter((x) => x.status !== 'COMPLETED' && x.status !== 'CANCELLED')), setError);
  }, [showTasks]);

  async function save(e: Event) {
    e.preventDefault();
    setError(undefined);
    const patch: Record<string, unknown> = {};
    if (name.trim() !== team.name) patch.name = name.trim();
    if ([...caps].sort().join() !== [...team.capabilities].sort().join()) patch.capabilities = caps;
    if (active !== team.active) patch.active = active;
    if (Object.keys(patch).length === 0) return setEditing(false);
    try {
      const result = await submit({
        method: 'PATCH',
        path: `/v1/teams/${team.id}`,
        body: patch,
        ifMatch: team.version,
        label: t('team.editLabel', { name: team.name }),
      });
      setNotice(result.state);
      setEditing(false);
      if (result.state === 'sent') onTeam(result.body as Team);
    } catch (err: unknown) {
      setError(err);
    }
  }

  return (
    <li class="plan-team" data-testid={`team-${team.id}`} data-active={team.active ? 'true' : 'false'}>
      <h3>
        {team.name} <span class="hint">· {team.organisation}</span>
      </h3>
      <p>
        {team.capabilities.map((c) => t(`cap.${c}` as PlanKey)).join(', ')} · {team.active ? t('team.active') : t('team.inactive')}
      </p>
      <SubmitNotice state={notice} />
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="button" class="secondary" aria-expanded={showTasks} onClick={() => setShowTasks(!showTasks)} data-testid={`team-tasks-toggle-${team.id}`}>
          {t('team.tasks')}
        </button>
        {canManage && !editing && (
          <button type="button" class="secondary" onClick={() => setEditing(true)} data-testid={`team-edit-${team.id}`}>
            {t('team.edit')}
          </button>
        )}
      </div>
      {showTasks && (
        <div data-testid={`team-tasks-${team.id}`}>
          {!tasks && !error && <Spinner />}
          {tasks && tasks.length === 0 && <p>{t('team.noTasks')}</p>}
          {tasks && tasks.length > 0 && (
            <ul>
              {tasks.map((x) => (
                <li key={x.id}>
                  {t(`activity.${x.activityType}` as PlanKey)} · {tc(`task.${x.status}` as CommonKey)} · {x.plannedStart} – {x.plannedEnd} ·{' '}
                  <a href={`#/areas/${x.hazardAreaId}`}>{t('team.area')}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {editing && (
        <form
          class="plan-form"
          onSubmit={(e) => void save(e)}
          noValidate
          aria-label={t('team.editLabel', { name: team.name })}
          data-testid={`team-edit-form-${team.id}`}
        >
          <Field label={t('team.name')}>
            <input type="text" maxLength={200} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <Capabilities id={`team-${team.id}`} value={caps} onChange={setCaps} />
          <label class="tb-check">
            <input
              type="checkbox"
              checked={active}
              onChange={(e) => setActive((e.currentTarget as HTMLInputElement).checked)}
              data-testid={`team-active-${team.id}`}
            />
            <span>{t('team.activeLabel')}</span>
          </label>
          <div class="actions">
            <button type="submit" class="primary" data-testid={`team-save-${team.id}`}>
              {t('team.save')}
            </button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              {t('back')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

export function TeamsView(_props: ViewProps) {
  const session = useSession();
  const t = useT(planMessages);
  const tc = useT(commonMessages);
  const [country, setCountry] = useState<Country>(session?.country ?? 'KH');
  const [teams, setTeams] = useState<Team[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    let live = true;
    setTeams(undefined);
    setError(undefined);
    loadTeams(country).then(
      (list) => live && setTeams(list.sort((a, b) => a.name.localeCompare(b.name))),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [country]);

  if (!session) return null;
  const canManage = session.role === 'admin' || session.country === country;
  const actions = !session.country ? (
    <label class="tb-inline">
      <span>{t('country')}</span>
      <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)} data-testid="teams-country">
        <option value="KH">{tc('country.KH')}</option>
        <option value="TH">{tc('country.TH')}</option>
      </select>
    </label>
  ) : undefined;

  return (
    <Page title={t('teams.title')} actions={actions}>
      <p class="tb-lead">{t('teams.intro', { country: tc(`country.${country}`) })}</p>
      <ProblemMessage error={error} />
      {!teams && !error && <Spinner />}
      {teams && teams.length === 0 && <p>{t('teams.empty')}</p>}
      {teams && teams.length > 0 && (
        <ul class="plan-teams-list" data-testid="teams-list">
          {teams.map((team) => (
            <TeamRow
              key={`${team.id}-${team.version}`}
              team={team}
              canManage={canManage}
              onTeam={(x) => setTeams((list) => list?.map((y) => (y.id === x.id ? x : y)))}
            />
          ))}
        </ul>
      )}
      {canManage && <NewTeam session={session} country={country} onTeam={(x) => x && setTeams((list) => [...(list ?? []), x])} />}
    </Page>
  );
}
