/** The sign-in page: a local form (local mode) or the way to Cognito's hosted sign-in (AWS). */
import { useEffect, useState } from 'preact/hooks';
import { localToken, signInLocally, startCognitoSignIn, SignInError, type ConsoleConfig, type LocalSignIn } from './auth.ts';
import { Field, Page } from './components.tsx';
import { useT } from './i18n.ts';
import { commonMessages, signInMessages, type CommonKey } from './messages.ts';
import { NATIONAL_ROLES, ROLES, type Role } from './session.ts';

type Country = 'KH' | 'TH';

/** The organisation suggested for a role in a country (editable). */
export function defaultOrg(role: Role, country: Country | undefined): string {
  if (role === 'observer') return 'AOT';
  if (role === 'admin') return 'Clearway';
  if (role === 'relief') return country === 'TH' ? 'Thai Red Cross' : 'Cambodian Red Cross';
  if (role === 'ministry') return country === 'TH' ? 'MSDHS' : 'MoSVY';
  if (role === 'qa') return country === 'TH' ? 'TMAC' : 'CMAA';
  return country === 'TH' ? 'TMAC' : 'CMAC';
}

/** A readable default user id, so records show who did what even when nobody typed a name. */
const defaultSub = (role: Role, country: Country | undefined, org: string): string =>
  `${role}-${(country ?? 'xx').toLowerCase()}-${
    org
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'org'
  }`;

interface TeamOption {
  id: string;
  name: string;
}

/** Lists a country's teams for the deminer's choice, with a token minted only for that. */
async function teamsOf(country: Country): Promise<TeamOption[]> {
  const token = await localToken({ role: 'operations', country, org: 'local-sign-in', sub: 'local-sign-in' });
  const res = await fetch(`/v1/teams?country=${country}&limit=100`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { items: { id: string; name: string; active?: boolean }[] };
  return body.items.filter((t) => t.active !== false).map((t) => ({ id: t.id, name: t.name }));
}

function LocalForm() {
  const t = useT(signInMessages);
  const tc = useT(commonMessages);
  const [role, setRole] = useState<Role>('deminer');
  const [country, setCountry] = useState<Country | ''>('KH');
  const [org, setOrg] = useState(defaultOrg('deminer', 'KH'));
  const [orgEdited, setOrgEdited] = useState(false);
  const [team, setTeam] = useState('');
  const [sub, setSub] = useState('');
  const [teams, setTeams] = useState<TeamOption[] | 'error' | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SignInError | Error | undefined>(undefined);
  const national = NATIONAL_ROLES.includes(role);

  useEffect(() => {
    if (!orgEdited) setOrg(defaultOrg(role, country || undefined));
  }, [role, country]);

  useEffect(() => {
    if (role !== 'deminer' || !country) return;
    let live = true;
    setTeams(undefined);
    teamsOf(country).then(
      (list) => {
        if (!live) return;
        setTeams(list);
        setTeam((current) => (list.some((x) => x.id === current) ? current : (list[0]?.id ?? '')));
      },
      () => live && setTeams('error'),
    );
    return () => {
      live = false;
    };
  }, [role, country]);

  const onRole = (value: string) => {
    const next = value as Role;
    setRole(next);
    if (!NATIONAL_ROLES.includes(next)) setCountry('');
    else if (!country) setCountry('KH');
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const claims: LocalSignIn = { role, org: org.trim(), sub: sub.trim() || defaultSub(role, country || undefined, org.trim()) };
    if (national && country) claims.country = country;
    if (role === 'deminer') claims.team = team.trim();
    try {
      await signInLocally(claims);
    } catch (err: unknown) {
      setError(err instanceof Error ? err : new Error(String(err)));
      setBusy(false);
    }
  };

  const fieldError = (path: string): string | undefined =>
    error instanceof SignInError ? error.problem?.errors?.find((x) => x.path === `body.${path}`)?.message : undefined;

  return (
    <form class="form signin" onSubmit={onSubmit} data-testid="signin-form" noValidate>
      <p>{t('localIntro')}</p>
      <Field label={t('role')} error={fieldError('role')}>
        <select value={role} onChange={(e) => onRole(e.currentTarget.value)} data-testid="signin-role" name="role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {tc(`role.${r}` as CommonKey)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('country')} error={fieldError('country')}>
        <select
          value={country}
          disabled={!national}
          onChange={(e) => setCountry(e.currentTarget.value as Country | '')}
          data-testid="signin-country"
          name="country"
        >
          {!national && <option value="">{t('noCountry')}</option>}
          <option value="KH">{tc('country.KH')}</option>
          <option value="TH">{tc('country.TH')}</option>
        </select>
      </Field>
      <Field label={t('org')} error={fieldError('org')}>
        <input
          type="text"
          value={org}
          required
          autoComplete="organization"
          onInput={(e) => {
            setOrg(e.currentTarget.value);
            setOrgEdited(true);
          }}
          data-testid="signin-org"
          name="org"
        />
      </Field>
      {role === 'deminer' &&
        (Array.isArray(teams) && teams.length > 0 ? (
          <Field label={t('team')} hint={t('teamHint')} error={fieldError('team')}>
            <select value={team} onChange={(e) => setTeam(e.currentTarget.value)} data-testid="signin-team" name="team">
              {teams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <Field
            label={t('teamId')}
            hint={teams === 'error' ? t('teamsUnavailable') : Array.isArray(teams) ? t('noTeams') : t('teamHint')}
            error={fieldError('team')}
          >
            <input type="text" value={team} required onInput={(e) => setTeam(e.currentTarget.value)} data-testid="signin-team" name="team" autoComplete="off" />
          </Field>
        ))}
      <Field label={t('sub')} hint={t('subHint')} error={fieldError('sub')}>
        <input
          type="text"
          value={sub}
          onInput={(e) => setSub(e.currentTarget.value)}
          data-testid="signin-sub"
          name="sub"
          autoComplete="username"
          placeholder={defaultSub(role, country || undefined, org)}
        />
      </Field>
      {error && (
        <div class="problem" role="alert" data-testid="signin-error">
          <p class="problem-title">
            <strong>{t('failed')}</strong>
          </p>
          <p lang="en">{error.message}</p>
        </div>
      )}
      <button type="submit" class="primary" disabled={busy} data-testid="signin-submit">
        {busy ? t('signingIn') : t('submit')}
      </button>
    </form>
  );
}

function CognitoForm() {
  const t = useT(signInMessages);
  const [error, setError] = useState<Error | undefined>(undefined);
  return (
    <div class="form signin">
      <p>{t('cognitoIntro')}</p>
      {error && (
        <div class="problem" role="alert" data-testid="signin-error">
          <p class="problem-title">
            <strong>{t('failed')}</strong>
          </p>
          <p lang="en">{error.message}</p>
        </div>
      )}
      <button
        type="button"
        class="primary"
        data-testid="signin-cognito"
        onClick={() => startCognitoSignIn().catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))))}
      >
        {t('cognitoButton')}
      </button>
    </div>
  );
}

export function SignIn({ config, error }: { config: ConsoleConfig; error?: Error | undefined }) {
  const t = useT(signInMessages);
  return (
    <Page title={t('title')}>
      {error && (
        <div class="problem" role="alert" data-testid="signin-error">
          <p class="problem-title">
            <strong>{t('failed')}</strong>
          </p>
          <p lang="en">{error.message}</p>
        </div>
      )}
      {config.mode === 'cognito' ? <CognitoForm /> : <LocalForm />}
    </Page>
  );
}
