/**
 * The ministry dashboard (ministries, ASEAN observers, admins): displacement and land-release
 * statistics for a country or a province, with CSV (HXL) downloads; for ministries and admins
 * also the live notification feed and the webhook subscriptions. Observers see statistics only.
 * Charts are plain bars with the numbers written out, so they read without the picture.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useGet } from '../../app/use-get.ts';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { newIdempotencyKey } from '../../app/queue.ts';
import { useSession } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { AGE_BANDS, HOUSEHOLD_STATUSES, RETURN_SAFETY_STATUSES, SEXES } from '#shared/domain/household.ts';
import type { DisplacementView } from '#shared/domain/displacement-stats.ts';
import { SUPPRESSED_CSV_CELL, type Suppressible } from '#shared/domain/small-cells.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { NEED_CATEGORIES } from '#shared/domain/specific-needs.ts';
import { isProvinceCode, provinceMessages, provincesOf } from '../households/places.ts';
import { needMessages, type NeedKey } from '../households/needs.ts';
import { useDateFormat } from '../households/parts.tsx';
import { dashboardMessages } from './messages.ts';
import '../households/households.css';

type Country = 'KH' | 'TH';
type DashKey = keyof (typeof dashboardMessages)['en'];
type CommonKey = keyof (typeof commonMessages)['en'];

const FEED_POLL_MS = 5000;
const FEED_KEEP = 200;
const EVENT_TYPES = Object.values(EventType);

export function Dashboard(_props: ViewProps) {
  const t = useT(dashboardMessages);
  const tc = useT(commonMessages);
  const tp = useT(provinceMessages);
  const session = useSession();
  const fixedCountry = session?.country;
  const [country, setCountry] = useState<Country | ''>(fixedCountry ?? (session?.role === 'admin' ? 'KH' : ''));
  const [province, setProvince] = useState('');
  const [scope, setScope] = useState<{ country: Country | ''; province: string }>({ country, province });
  if (!session || !['ministry', 'observer', 'admin'].includes(session.role)) {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }
  const notifications = session.role === 'ministry' || session.role === 'admin';
  // The feed and subscriptions belong to one country: the ministry's, or the one an admin chose.
  const feedCountry: Country = fixedCountry ?? (scope.country || 'KH');
  return (
    <Page title={t('title')}>
      <form
        class="hh-filters"
        aria-label={t('scope')}
        onSubmit={(e) => {
          e.preventDefault();
          setScope({ country, province });
        }}
      >
        <Field label={t('country')}>
          <select
            value={country}
            disabled={fixedCountry !== undefined}
            onChange={(e) => {
              setCountry(e.currentTarget.value as Country | '');
              setProvince('');
            }}
            data-testid="stats-country"
          >
            {fixedCountry === undefined && <option value="">{t('bothCountries')}</option>}
            <option value="KH">{tc('country.KH')}</option>
            <option value="TH">{tc('country.TH')}</option>
          </select>
        </Field>
        <Field label={t('province')}>
          <select value={province} onChange={(e) => setProvince(e.currentTarget.value)} data-testid="stats-province">
            <option value="">{t('allProvinces')}</option>
            {provincesOf(country).map((p) => (
              <option key={p.pcode} value={p.pcode}>
                {isProvinceCode(p.pcode) ? tp(p.pcode) : p.name}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" data-testid="stats-apply">
          {t('show')}
        </button>
      </form>
      <div class="hh-grid">
        <DisplacementStats key={`d-${scope.country}-${scope.province}`} country={scope.country} province={scope.province} />
        <LandReleaseStats key={`l-${scope.country}-${scope.province}`} country={scope.country} province={scope.province} />
      </div>
      {notifications && (
        <>
          <Feed key={`f-${feedCountry}`} country={feedCountry} admin={session.role === 'admin'} />
          <Subscriptions key={`s-${feedCountry}`} country={feedCountry} admin={session.role === 'admin'} org={session.org} />
        </>
      )}
    </Page>
  );
}

function statsQuery(country: Country | '', province: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (country) q.set('country', country);
  if (province) q.set('province', province);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Fetches the CSV (Accept: text/csv) and saves it as a file. */
function CsvButton({ path, filename, testid }: { path: string; filename: string; testid: string }) {
  const t = useT(dashboardMessages);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <>
      <button
        type="button"
        class="secondary"
        disabled={busy}
        data-testid={testid}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            const res = await request<string>('GET', path, { accept: 'text/csv', text: true });
            const named = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1];
            const url = URL.createObjectURL(new Blob([res.body], { type: 'text/csv;charset=utf-8' }));
            const a = document.createElement('a');
            a.href = url;
            a.download = named ?? filename;
            document.body.append(a);
            a.click();
            a.remove();
            setTimeout(() => URL.revokeObjectURL(url), 10_000);
          } catch (e: unknown) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('downloading') : t('downloadCsv')}
      </button>
      <ProblemMessage error={error} />
    </>
  );
}

/** Horizontal bars with the numbers as text; the bars are decoration (aria-hidden). */
function Bars({ caption, rows, testid }: { caption: string; rows: { key: string; label: string; value: number | null }[]; testid?: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const nf = new Intl.NumberFormat();
  return (
    <table class="hh-bars" data-testid={testid}>
      <caption>{caption}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key}>
            <th scope="row">{r.label}</th>
            <td class="hh-bars-value">{formatCount(nf, r.value)}</td>
            <td class="hh-bars-bar" aria-hidden="true">
              <span
                class="hh-bar"
                style={{
                  display: 'inline-block',
                  height: '0.9em',
                  minWidth: r.value !== 0 ? '2px' : '0',
                  width: `${((r.value ?? 0) / max) * 100}%`,
                  background: 'currentColor',
                }}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A count as shown: `<5` when the API withheld it as a small cell (`null`). */
const formatCount = (nf: Intl.NumberFormat, v: number | null) => (v === null ? SUPPRESSED_CSV_CELL : nf.format(v));

/** The sum of counts, some perhaps withheld: `≥ n` then, each withheld count being at least 1. */
function formatSum(nf: Intl.NumberFormat, values: (number | null)[]) {
  const withheld = values.filter((v) => v === null).length;
  const known = values.reduce<number>((t, v) => t + (v ?? 0), 0);
  return withheld === 0 ? nf.format(known) : `≥ ${nf.format(known + withheld)}`;
}

type DisplacementAnswer = Suppressible<DisplacementView> & { suppressed: string[] };

function DisplacementStats({ country, province }: { country: Country | ''; province: string }) {
  const t = useT(dashboardMessages);
  const tc = useT(commonMessages);
  const tn = useT(needMessages);
  const { data, error } = useGet<DisplacementAnswer>(`/v1/stats/displacement${statsQuery(country, province)}`);
  const nf = new Intl.NumberFormat();
  return (
    <section class="card" aria-labelledby="stats-displacement-title" data-testid="stats-displacement">
      <h2 id="stats-displacement-title">{t('displacement.title')}</h2>
      <ProblemMessage error={error} />
      {!data && !error && <Spinner />}
      {data && (
        <>
          <dl class="hh-figures">
            <div>
              <dt>{t('displacement.households')}</dt>
              <dd data-testid="stats-households-total">{formatCount(nf, data.households.total)}</dd>
            </div>
            <div>
              <dt>{t('displacement.people')}</dt>
              <dd data-testid="stats-people-total">{formatCount(nf, data.people.total)}</dd>
            </div>
            <div>
              <dt>{t('displacement.withNeeds')}</dt>
              <dd>{formatCount(nf, data.households.withSpecificNeeds)}</dd>
            </div>
          </dl>
          <Bars
            caption={t('displacement.hhByStatus')}
            testid="stats-households-by-status"
            rows={HOUSEHOLD_STATUSES.map((s) => ({ key: s, label: tc(`household.${s}` as CommonKey), value: data.households.byStatus[s] }))}
          />
          <Bars
            caption={t('displacement.pByStatus')}
            rows={HOUSEHOLD_STATUSES.map((s) => ({ key: s, label: tc(`household.${s}` as CommonKey), value: data.people.byStatus[s] }))}
          />
          <div class="hh-scroll" tabIndex={0}>
            <table class="table">
              <caption>{t('displacement.sexAge')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('displacement.ageBand')}</th>
                  {SEXES.map((s) => (
                    <th scope="col" key={s}>
                      {t(`sex.${s}`)}
                    </th>
                  ))}
                  <th scope="col">{t('displacement.total')}</th>
                </tr>
              </thead>
              <tbody>
                {AGE_BANDS.map((b) => (
                  <tr key={b}>
                    <th scope="row">{b}</th>
                    {SEXES.map((s) => (
                      <td key={s}>{formatCount(nf, data.people.bySexAndAge[s][b])}</td>
                    ))}
                    <td>
                      {formatSum(
                        nf,
                        SEXES.map((s) => data.people.bySexAndAge[s][b]),
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Bars
            caption={t('displacement.needs')}
            rows={NEED_CATEGORIES.map((c) => ({ key: c, label: `${c} · ${tn(`cat.${c}` as NeedKey)}`, value: data.specificNeeds.byCategory[c] ?? 0 }))}
          />
          <p>{t('displacement.needsTotal', { count: formatCount(nf, data.specificNeeds.people) })}</p>
          <Bars
            caption={t('displacement.safety')}
            rows={RETURN_SAFETY_STATUSES.map((s) => ({ key: s, label: t(`safety.${s}`), value: data.returnSafety.households[s] }))}
          />
          <h3>{t('displacement.atRisk')}</h3>
          <p data-testid="stats-at-risk">
            {t('displacement.atRiskLine', {
              households: formatCount(nf, data.returnSafety.atRiskReturns.households),
              people: formatCount(nf, data.returnSafety.atRiskReturns.people),
            })}
          </p>
          {data.suppressed.length > 0 && (
            <p class="hint" data-testid="stats-suppressed-note">
              {t('displacement.suppressedNote')}
            </p>
          )}
          <CsvButton
            path={`/v1/stats/displacement${statsQuery(country, province)}`}
            filename={`displacement-${province || country || 'KH-TH'}.csv`}
            testid="stats-displacement-csv"
          />
        </>
      )}
    </section>
  );
}

interface LandRelease {
  releasedSqm: Record<string, number>;
  ordnanceDestroyed: Record<string, number>;
  tasksByStatus: Record<string, number>;
  hazardAreasByStatus: Record<string, number>;
  completionReportsByStatus: Record<string, number>;
}

const OUTCOMES = ['CANCELLED', 'REDUCED', 'CLEARED', 'HANDED_OVER'] as const;

/** A status count list labelled with common status names (`task.X`, `hazard.X`, `cleared.X`). */
function statusRows(tc: (k: CommonKey) => string, prefix: 'task' | 'hazard' | 'cleared', counts: Record<string, number>) {
  return Object.entries(counts).map(([s, v]) => {
    const key = `${prefix}.${s}`;
    return { key: s, label: key in commonMessages.en ? tc(key as CommonKey) : s, value: v };
  });
}

function LandReleaseStats({ country, province }: { country: Country | ''; province: string }) {
  const t = useT(dashboardMessages);
  const tc = useT(commonMessages);
  const { data, error } = useGet<LandRelease>(`/v1/stats/land-release${statsQuery(country, province)}`);
  return (
    <section class="card" aria-labelledby="stats-land-title" data-testid="stats-land-release">
      <h2 id="stats-land-title">{t('land.title')}</h2>
      <ProblemMessage error={error} />
      {!data && !error && <Spinner />}
      {data && (
        <>
          <Bars
            caption={t('land.released')}
            testid="stats-released"
            rows={OUTCOMES.map((o) => ({ key: o, label: t(`outcome.${o}`), value: data.releasedSqm[o] ?? 0 }))}
          />
          <Bars caption={t('land.eo')} rows={EO_CATEGORIES.map((c) => ({ key: c, label: t(`eo.${c}`), value: data.ordnanceDestroyed[c] ?? 0 }))} />
          <Bars caption={t('land.tasks')} rows={statusRows(tc, 'task', data.tasksByStatus)} />
          <Bars caption={t('land.hazards')} rows={statusRows(tc, 'hazard', data.hazardAreasByStatus)} />
          <Bars caption={t('land.reports')} rows={statusRows(tc, 'cleared', data.completionReportsByStatus)} />
          <CsvButton
            path={`/v1/stats/land-release${statsQuery(country, province)}`}
            filename={`land-release-${province || country || 'KH-TH'}.csv`}
            testid="stats-land-release-csv"
          />
        </>
      )}
    </section>
  );
}

interface EventEnvelope {
  id: string;
  type: string;
  occurredAt: string;
  subject: { type: string; id: string };
  actor: { role: string; org: string };
  data: Record<string, unknown>;
}

/**
 * The ministry's feed, newest first. The API lists it oldest first with a cursor: we follow
 * `next` to the end, then keep asking from the last cursor we had every few seconds, skipping
 * the events already shown (the last page is read again until it fills up).
 */
function Feed({ country, admin }: { country: Country; admin: boolean }) {
  const t = useT(dashboardMessages);
  const tc = useT(commonMessages);
  const tp = useT(provinceMessages);
  const fmt = useDateFormat();
  const [events, setEvents] = useState<EventEnvelope[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cursor: string | undefined;
    const seen = new Set<string>();
    const poll = async () => {
      try {
        for (let page = 0; page < 10 && !stopped; page++) {
          const q = new URLSearchParams({ limit: '100' });
          if (admin) q.set('country', country);
          if (cursor) q.set('cursor', cursor);
          const res = await request<{ items: EventEnvelope[]; next: string | null }>('GET', `/v1/notifications?${q.toString()}`);
          const fresh = res.body.items.filter((e) => !seen.has(e.id));
          for (const e of fresh) seen.add(e.id);
          if (fresh.length > 0 && !stopped) setEvents((before) => [...fresh.reverse(), ...before].slice(0, FEED_KEEP));
          if (!res.body.next) break;
          cursor = res.body.next;
        }
        if (!stopped) {
          setError(undefined);
          setLoaded(true);
        }
      } catch (e: unknown) {
        if (!stopped) setError(e);
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) return;
      }
      if (!stopped) timer = setTimeout(() => void poll(), FEED_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [country, admin]);

  const typeName = (type: string) => (EVENT_TYPES.includes(type as EventType) ? t(`event.${type as EventType}` as DashKey) : type);
  const roleName = (r: string) => (`role.${r}` in commonMessages.en ? tc(`role.${r}` as CommonKey) : r);
  return (
    <section class="card" aria-labelledby="feed-title">
      <h2 id="feed-title">
        {t('feed.title')} · {tc(`country.${country}`)}
      </h2>
      <p class="hh-hint">{t('feed.live')}</p>
      <ProblemMessage error={error} />
      {!loaded && !error && <Spinner />}
      {loaded && events.length === 0 && <p>{t('feed.empty')}</p>}
      <ol class="hh-feed" tabIndex={0} aria-labelledby="feed-title" data-testid="feed-list" aria-live="polite" aria-relevant="additions">
        {events.map((e) => {
          const province = typeof e.data.province === 'string' ? e.data.province : undefined;
          return (
            <li key={e.id} data-testid="feed-item" data-type={e.type}>
              <time dateTime={e.occurredAt}>{fmt(e.occurredAt)}</time> · <strong>{typeName(e.type)}</strong>
              {' · '}
              <span>{t('feed.subject', { type: e.subject.type, id: e.subject.id.slice(-8) })}</span>
              {province && <> · {isProvinceCode(province) ? tp(province) : province}</>}
              {' · '}
              <span class="hh-hint">{t('feed.by', { role: roleName(e.actor.role), org: e.actor.org })}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

interface Subscription {
  id: string;
  version: number;
  org: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
}

function Subscriptions({ country, admin, org }: { country: Country; admin: boolean; org: string }) {
  const t = useT(dashboardMessages);
  const tc = useT(commonMessages);
  const fmt = useDateFormat();
  const [items, setItems] = useState<Subscription[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [copied, setCopied] = useState(false);
  const [notice, setNotice] = useState<DashKey | undefined>(undefined);
  const countryQuery = admin ? `&country=${country}` : '';

  const load = async () => {
    try {
      const res = await request<{ items: Subscription[]; next: string | null }>('GET', `/v1/subscriptions?limit=100${countryQuery}`);
      setItems(res.body.items);
    } catch (e: unknown) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, [country]);

  const urlError = error instanceof ApiError ? error.problem.errors?.find((e) => e.path === 'body.url')?.message : undefined;
  const typeName = (type: string) => t(`event.${type}` as DashKey);
  return (
    <section class="card" aria-labelledby="subs-title">
      <h2 id="subs-title">
        {t('subs.title')} · {tc(`country.${country}`)}
      </h2>
      {notice && (
        <p class="notice" role="status">
          {t(notice)}
        </p>
      )}
      {secret && (
        <div class="hh-secret" role="alert" data-testid="subscription-secret-box">
          <p>
            <strong>{t('subs.secretWarning')}</strong>
          </p>
          <Field label={t('subs.secret')}>
            <input type="text" readOnly value={secret} data-testid="subscription-secret" onFocus={(e) => e.currentTarget.select()} />
          </Field>
          <button
            type="button"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(secret);
                setCopied(true);
              } catch {
                setCopied(false);
              }
            }}
            data-testid="subscription-secret-copy"
          >
            {t('subs.copy')}
          </button>{' '}
          <span role="status">{copied ? t('subs.copied') : ''}</span>{' '}
          <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
            {tc('close')}
          </button>
        </div>
      )}
      <form
        class="form hh-form"
        data-testid="subscription-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          setNotice(undefined);
          setCopied(false);
          try {
            const body = { url: url.trim(), eventTypes: types, ...(admin ? { country } : {}) };
            const res = await request<Subscription & { secret: string }>('POST', '/v1/subscriptions', { body, idempotencyKey: newIdempotencyKey() });
            setSecret(res.body.secret);
            setNotice('subs.created');
            setUrl('');
            setTypes([]);
            await load();
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('subs.url')} error={urlError}>
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://" data-testid="subscription-url" />
        </Field>
        <fieldset class="hh-checks">
          <legend>{t('subs.events')}</legend>
          <p class="hh-hint">{t('subs.eventsHint')}</p>
          {EVENT_TYPES.map((type) => (
            <label class="hh-check" key={type}>
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setTypes((before) => (on ? [...before, type] : before.filter((x) => x !== type)));
                }}
                data-testid={`subscription-event-${type}`}
              />{' '}
              {typeName(type)}
            </label>
          ))}
        </fieldset>
        {!urlError && <ProblemMessage error={error} />}
        <button type="submit" class="primary" disabled={busy} data-testid="subscription-submit">
          {t('subs.create')}
        </button>
      </form>
      {!items && !error && <Spinner />}
      {items && items.length === 0 && <p>{t('subs.empty')}</p>}
      {items && items.length > 0 && (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="subscription-list">
            <thead>
              <tr>
                <th scope="col">{t('subs.url')}</th>
                <th scope="col">{t('subs.events')}</th>
                <th scope="col">{t('subs.state')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('subs.delete')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} data-testid={`subscription-row-${s.id}`}>
                  <th scope="row">
                    <code>{s.url}</code>
                    <br />
                    <span class="hh-hint">{fmt(s.createdAt)}</span>
                  </th>
                  <td>{s.eventTypes.length === 0 ? t('subs.allEvents') : s.eventTypes.map(typeName).join(', ')}</td>
                  <td>{s.active ? t('subs.active') : t('subs.inactive')}</td>
                  <td>
                    {/* Only the owning organisation (or an admin) may delete; the API answers 404 to others. */}
                    {(admin || s.org === org) && (
                      <button
                        type="button"
                        class="danger"
                        aria-label={t('subs.deleteLabel', { url: s.url })}
                        data-testid={`subscription-delete-${s.id}`}
                        onClick={async () => {
                          setError(undefined);
                          setNotice(undefined);
                          try {
                            await request('DELETE', `/v1/subscriptions/${encodeURIComponent(s.id)}`, { ifMatch: s.version });
                            setNotice('subs.deleted');
                          } catch (err: unknown) {
                            setError(err);
                          }
                          await load();
                        }}
                      >
                        {t('subs.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
