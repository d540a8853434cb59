/**
 * One household's record: status, return safety with the hazard areas that make it unsafe,
 * places, members, contact and consent; the status change form for its registrars (moves from
 * the shared transition table, sent with If-Match through the offline queue); its history; and
 * for ministries and admins the access log. Read fresh every time: the service worker does not
 * cache /v1/households*, and nothing of it is stored on the device.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import type { Session } from '../../app/session.ts';
import { allowedHouseholdMoves, BLOCKED_REASONS, HOUSEHOLD_TRANSITIONS, type Household, type HouseholdStatus } from '#shared/domain/household.ts';
import { ProvinceName, REGISTRARS, SafetyBadge, shortId, useDateFormat } from './parts.tsx';
import { householdMessages } from './messages.ts';
import { needMessages, type NeedKey } from './needs.ts';
import { HouseholdAssistance } from '../assistance/HouseholdAssistance.tsx';
import { useOpenSites, useSiteLabel } from './sites.ts';
import { FormerMembers, MembersPanel, VerificationFacts } from './MembersPanel.tsx';
import { memberMessages } from './members-messages.ts';

interface HistoryEntry {
  id: string;
  at: string;
  actor: { sub: string; role: string; org: string };
  action: 'CREATED' | 'UPDATED' | 'TRANSITION' | 'PROGRESS' | 'ASSISTANCE' | 'MEMBERS' | 'SPLIT' | 'VERIFICATION';
  from?: string;
  to?: string;
  reason?: string;
  changes?: Record<string, unknown>;
}

interface AccessEntry {
  id: string;
  at: string;
  actor: { sub: string; role: string; org: string };
  purpose: 'READ' | 'UPDATE' | 'TRANSITION' | 'DISTRIBUTION_LIST';
}

export function HouseholdDetail({ id, session }: { id: string; session: Session }) {
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  const tn = useT(needMessages);
  const tm = useT(memberMessages);
  const fmt = useDateFormat();
  const [household, setHousehold] = useState<Household | undefined>(undefined);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [historyKey, setHistoryKey] = useState(0);

  const load = async () => {
    setError(undefined);
    try {
      const res = await request<Household>('GET', `/v1/households/${encodeURIComponent(id)}`);
      setHousehold(res.body);
      setVersion(res.etag ?? res.body.version);
    } catch (e: unknown) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);

  const title = t('detail.title', { id: shortId(id) });
  if (!household) {
    return (
      <Page title={title}>
        <p>
          <a href="#/households">{t('detail.back')}</a>
        </p>
        {error ? <ProblemMessage error={error} /> : <Spinner />}
      </Page>
    );
  }
  const h = household;
  const role = (r: string) => (isRole(r) ? tc(`role.${r}`) : r);
  return (
    <Page title={title}>
      <p>
        <a href="#/households">{t('detail.back')}</a>
      </p>
      <dl class="hh-facts" data-testid="household-detail">
        <dt>{t('detail.status')}</dt>
        <dd data-testid="household-status" data-status={h.status}>
          <span class={`hh-badge hh-status-${h.status.toLowerCase()}`}>{tc(`household.${h.status}`)}</span>{' '}
          {t('detail.since', { date: fmt(h.statusChangedAt) })}
        </dd>
        {h.blockedReason && (
          <>
            <dt>{t('detail.blockedReason')}</dt>
            <dd>{t(`blocked.${h.blockedReason}`)}</dd>
          </>
        )}
        {h.statusReason && (
          <>
            <dt>{t('detail.reason')}</dt>
            <dd lang="">{h.statusReason}</dd>
          </>
        )}
        <dt>{t('detail.safety')}</dt>
        <dd data-testid="household-safety">
          <SafetyBadge status={h.returnSafety.status} />
          {h.returnSafety.hazardAreaIds.length > 0 && (
            <>
              {' '}
              {t('safety.hazards')}{' '}
              {h.returnSafety.hazardAreaIds.map((hid, i) => (
                <span key={hid}>
                  {i > 0 && ', '}
                  <code>{hid}</code>
                </span>
              ))}
            </>
          )}
        </dd>
        <dt>{t('detail.org')}</dt>
        <dd>{h.org}</dd>
        <VerificationFacts household={h} />
        <dt>{t('detail.registered')}</dt>
        <dd>
          {fmt(h.createdAt)}
          {h.importId && <> · {t('detail.fromImport', { id: shortId(h.importId) })}</>}
        </dd>
      </dl>

      <h2>{t('detail.places')}</h2>
      <dl class="hh-facts">
        <dt>{t('form.origin')}</dt>
        <dd>
          <ProvinceName code={h.origin.province} />
          {[h.origin.district, h.origin.village].filter(Boolean).map((p) => ` · ${p}`)}
        </dd>
        <dt>{t('form.current')}</dt>
        <dd>
          <ProvinceName code={h.current.province} />
          {[h.current.district, h.current.village, h.current.site, h.current.hostCommunity].filter(Boolean).map((p) => ` · ${p}`)}
          {h.current.siteId && (
            <>
              {' '}
              · <SiteName id={h.current.siteId} country={h.country} />
            </>
          )}
          {h.currentSince && <> · {t('detail.since', { date: fmt(h.currentSince, false) })}</>}
        </dd>
        {h.displacedSince && (
          <>
            <dt>{t('form.displacedSince')}</dt>
            <dd>{fmt(h.displacedSince, false)}</dd>
          </>
        )}
        {h.returnIntentions && (
          <>
            <dt>{t('intent.title')}</dt>
            <dd data-testid="household-intentions">
              {t(`intent.${h.returnIntentions.intends}`)}
              {h.returnIntentions.when && <> · {t(`when.${h.returnIntentions.when}`)}</>}
              {h.returnIntentions.obstacles.map((o) => ` · ${t(`obstacle.${o}`)}`)} ({fmt(h.returnIntentions.surveyedAt, false)})
            </dd>
          </>
        )}
        {h.destination && (
          <>
            <dt>{t('form.destination')}</dt>
            <dd>
              <ProvinceName code={h.destination.province} />
              {[h.destination.district, h.destination.village].filter(Boolean).map((p) => ` · ${p}`)}
              {h.destination.point && (
                <> · {t('detail.point', { lon: String(h.destination.point.coordinates[0] ?? ''), lat: String(h.destination.point.coordinates[1] ?? '') })}</>
              )}
            </dd>
          </>
        )}
      </dl>

      <h2>{t('form.members')}</h2>
      <div class="hh-scroll" tabIndex={0}>
        <table class="table" data-testid="household-members">
          <thead>
            <tr>
              <th scope="col">{t('form.givenName')}</th>
              <th scope="col">{t('form.familyName')}</th>
              <th scope="col">{t('form.sex')}</th>
              <th scope="col">{t('form.birthDate')}</th>
              <th scope="col">{t('form.relationship')}</th>
              <th scope="col">{t('form.needs')}</th>
              <th scope="col">{t('form.document')}</th>
            </tr>
          </thead>
          <tbody>
            {h.members.map((m) => (
              <tr key={m.id}>
                <th scope="row" lang="">
                  {m.givenName}
                </th>
                <td lang="">{m.familyName}</td>
                <td>{t(`sex.${m.sex}`)}</td>
                <td>{m.birthDate ? fmt(m.birthDate, false) : m.birthYear}</td>
                <td>{t(`rel.${m.relationship}`)}</td>
                <td>{m.specificNeeds.length === 0 ? t('detail.noNeeds') : m.specificNeeds.map((c) => `${c} ${tn(c as NeedKey)}`).join('; ')}</td>
                <td>{m.document ? t('detail.document', { type: t(`doc.${m.document.type}`), last4: m.document.last4 }) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <FormerMembers household={h} />

      {h.contact && (
        <>
          <h2>{t('form.contact')}</h2>
          <dl class="hh-facts">
            {h.contact.phone && (
              <>
                <dt>{t('form.phone')}</dt>
                <dd>{h.contact.phone}</dd>
              </>
            )}
            {h.contact.note && (
              <>
                <dt>{t('form.note')}</dt>
                <dd lang="">{h.contact.note}</dd>
              </>
            )}
          </dl>
        </>
      )}
      <h2>{t('form.consent')}</h2>
      <p>{t('detail.consentLine', { date: fmt(h.consent.date, false), purposes: h.consent.purposes.map((p) => t(`purpose.${p}`)).join(', ') })}</p>

      <HouseholdAssistance household={h} session={session} />

      {version !== undefined && (
        <MembersPanel
          household={h}
          version={version}
          session={session}
          onChanged={(updated, etag) => {
            setHousehold(updated);
            setVersion(etag ?? updated.version);
            setHistoryKey((k) => k + 1);
          }}
          onConflict={() => void load()}
        />
      )}

      {REGISTRARS.includes(session.role) && version !== undefined && (
        <TransitionForm
          household={h}
          version={version}
          session={session}
          onChanged={(updated, etag) => {
            setHousehold(updated);
            setVersion(etag ?? updated.version);
            setHistoryKey((k) => k + 1);
          }}
          onConflict={() => void load()}
        />
      )}

      <Paged<HistoryEntry>
        key={`history-${historyKey}`}
        title={t('history.title')}
        path={`/v1/households/${encodeURIComponent(id)}/history`}
        testid="household-history"
        columns={[t('col.when'), t('col.who'), t('col.what')]}
        row={(e) => [
          fmt(e.at),
          t('history.by', { role: role(e.actor.role), org: e.actor.org }),
          [
            e.action === 'MEMBERS' || e.action === 'SPLIT' || e.action === 'VERIFICATION' ? tm(`history.${e.action}`) : t(`history.${e.action}`),
            e.action === 'MEMBERS' && e.to ? `: ${tm(`history.${e.to as 'ADDED'}`)}` : '',
            e.action === 'VERIFICATION' && e.from && e.to ? `: ${tm(`verify.${e.from as 'VERIFIED'}`)} → ${tm(`verify.${e.to as 'VERIFIED'}`)}` : '',
            e.action !== 'MEMBERS' && e.action !== 'VERIFICATION' && e.from && e.to ? `: ${statusName(tc, e.from)} → ${statusName(tc, e.to)}` : '',
            e.reason ? ` (${e.action === 'MEMBERS' ? memberReason(tm, e.reason) : e.reason})` : '',
            e.action === 'UPDATED' && e.changes ? ` · ${t('history.changed', { fields: Object.keys(e.changes).join(', ') })}` : '',
          ].join(''),
        ]}
      />
      {(session.role === 'ministry' || session.role === 'admin') && (
        <Paged<AccessEntry>
          key={`access-${historyKey}`}
          title={t('access.title')}
          path={`/v1/households/${encodeURIComponent(id)}/access-log`}
          testid="household-access-log"
          columns={[t('col.when'), t('col.who'), t('col.what')]}
          row={(e) => [fmt(e.at), t('history.by', { role: role(e.actor.role), org: e.actor.org }), t(`access.${e.purpose}`)]}
        />
      )}
    </Page>
  );
}

/** A member change's reason code in the reader's language (BIRTH, DECEASED, ...). */
const memberReason = (tm: ReturnType<typeof useT<keyof (typeof memberMessages)['en']>>, code: string): string => {
  const key = (['BIRTH', 'ARRIVAL'].includes(code) ? `add.${code}` : `depart.${code}`) as keyof (typeof memberMessages)['en'];
  return key in memberMessages.en ? tm(key) : code;
};

const ROLE_NAMES = ['operations', 'deminer', 'qa', 'relief', 'ministry', 'observer', 'admin'] as const;
const isRole = (r: string): r is (typeof ROLE_NAMES)[number] => (ROLE_NAMES as readonly string[]).includes(r);
const STATUS_NAMES = Object.keys(HOUSEHOLD_TRANSITIONS) as HouseholdStatus[];
const statusName = (tc: ReturnType<typeof useT<keyof (typeof commonMessages)['en']>>, s: string): string =>
  (STATUS_NAMES as string[]).includes(s) ? tc(`household.${s as HouseholdStatus}`) : s;

function TransitionForm({
  household,
  version,
  session,
  onChanged,
  onConflict,
}: {
  household: Household;
  version: number;
  session: Session;
  onChanged: (h: Household, etag: number | undefined) => void;
  onConflict: () => void;
}) {
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  // A move of place within the present status is a transition too (dated, counted at the sites).
  const moves = REGISTRARS.includes(session.role) ? [household.status, ...allowedHouseholdMoves(household.status, session.role)] : [];
  const [to, setTo] = useState<HouseholdStatus | ''>('');
  const [blockedReason, setBlockedReason] = useState('');
  const [reason, setReason] = useState('');
  const today = new Date().toISOString().slice(0, 10);
  const [effectiveDate, setEffectiveDate] = useState(today);
  /** '' unchanged, 'HOME' the destination (or origin), else a site id. */
  const [place, setPlace] = useState('');
  const sites = useOpenSites(household.country).filter((x) => x.id !== household.current.siteId);
  const siteLabel = useSiteLabel();
  const home = household.destination ?? household.origin;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const move = to ? HOUSEHOLD_TRANSITIONS[household.status][to] : undefined;
  const fieldError = (path: string) => (error instanceof ApiError ? error.problem.errors?.find((e) => e.path === `body.${path}`)?.message : undefined);

  if (moves.length === 0) {
    return (
      <section aria-labelledby="transition-title">
        <h2 id="transition-title">{t('transition.title')}</h2>
        <p>{t('transition.none')}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="transition-title">
      <h2 id="transition-title">{t('transition.title')}</h2>
      <SubmitNotice state={notice} />
      <form
        class="form hh-form"
        data-testid="household-transition-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!to) return;
          setBusy(true);
          setError(undefined);
          setNotice(undefined);
          const site = sites.find((x) => x.id === place);
          const current = site
            ? { province: site.province, siteId: site.id }
            : place === 'HOME'
              ? { province: home.province, ...(home.village ? { village: home.village } : {}), hostCommunity: t('transition.home') }
              : undefined;
          const body = {
            to,
            effectiveDate,
            ...(current ? { current } : {}),
            ...(to === 'RETURN_BLOCKED' ? { blockedReason } : {}),
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          };
          try {
            const result = await submit({
              method: 'POST',
              path: `/v1/households/${household.id}/transitions`,
              body,
              ifMatch: version,
              label: `${t('transition.title')}: ${shortId(household.id)} → ${tc(`household.${to}`)}`,
            });
            setNotice(result.state);
            if (result.state === 'sent') {
              onChanged(result.body as Household, result.etag);
              setTo('');
              setBlockedReason('');
              setReason('');
              setPlace('');
              setEffectiveDate(today);
            }
          } catch (err: unknown) {
            setError(err);
            // A stale version: show the latest record; the change waits in the conflict panel.
            if (err instanceof ApiError && err.status === 412) onConflict();
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('transition.to')} error={fieldError('to')}>
          <select value={to} required onChange={(e) => setTo(e.currentTarget.value as HouseholdStatus | '')} data-testid="household-transition-to">
            <option value="">{t('form.choose')}</option>
            {moves.map((m, i) => (
              <option key={m} value={m}>
                {i === 0 ? `${tc(`household.${m}`)}: ${t('transition.sameStatus')}` : tc(`household.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('transition.effectiveDate')} error={fieldError('effectiveDate')}>
          <input
            type="date"
            value={effectiveDate}
            max={today}
            required
            onInput={(e) => setEffectiveDate(e.currentTarget.value)}
            data-testid="household-transition-effective-date"
          />
        </Field>
        <Field label={t('transition.place')} error={fieldError('current') ?? fieldError('current.siteId')}>
          <select value={place} onChange={(e) => setPlace(e.currentTarget.value)} data-testid="household-transition-place">
            <option value="">{t('transition.placeUnchanged')}</option>
            <option value="HOME">{t('transition.placeHome')}</option>
            {sites.map((x) => (
              <option key={x.id} value={x.id}>
                {siteLabel(x)}
              </option>
            ))}
          </select>
        </Field>
        {to === 'RETURN_BLOCKED' && (
          <Field label={t('transition.blockedReason')} error={fieldError('blockedReason')}>
            <select value={blockedReason} required onChange={(e) => setBlockedReason(e.currentTarget.value)} data-testid="household-transition-blocked-reason">
              <option value="">{t('form.choose')}</option>
              {BLOCKED_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`blocked.${r}`)}
                </option>
              ))}
            </select>
          </Field>
        )}
        {to && (
          <Field label={t('transition.reason')} error={fieldError('reason')}>
            <textarea
              value={reason}
              required={move?.reasonRequired ?? false}
              maxLength={500}
              rows={2}
              onInput={(e) => setReason(e.currentTarget.value)}
              data-testid="household-transition-reason"
            />
          </Field>
        )}
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy || !to} data-testid="household-transition-submit">
          {t('transition.submit')}
        </button>
      </form>
    </section>
  );
}

/** A table filled from a paged list (`{ items, next }`), with "load more". */
function Paged<I>({ title, path, testid, columns, row }: { title: string; path: string; testid: string; columns: string[]; row: (item: I) => string[] }) {
  const tc = useT(commonMessages);
  const [items, setItems] = useState<I[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const load = async (cursor?: string) => {
    setLoading(true);
    try {
      const res = await request<{ items: I[]; next: string | null }>('GET', `${path}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setItems((before) => (cursor ? [...before, ...res.body.items] : res.body.items));
      setNext(res.body.next);
    } catch (e: unknown) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [path]);
  return (
    <section aria-labelledby={`${testid}-title`}>
      <h2 id={`${testid}-title`}>{title}</h2>
      <ProblemMessage error={error} />
      {items.length > 0 && (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid={testid}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item, i) => (
                <tr key={i}>
                  {row(item).map((cell, j) => (
                    <td key={j}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!loading && !error && items.length === 0 && <p>{tc('none')}</p>}
      {loading && <Spinner />}
      {next && !loading && (
        <button type="button" onClick={() => void load(next)}>
          {tc('more')}
        </button>
      )}
    </section>
  );
}

/** A registered site by its name in the chosen language, once the country's open sites are read (its code otherwise). */
function SiteName({ id, country }: { id: string; country: string }) {
  const site = useOpenSites(country).find((x) => x.id === id);
  const label = useSiteLabel();
  return <>{site ? label(site) : shortId(id)}</>;
}
