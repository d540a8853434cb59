/**
 * Households (relief agencies, ministries, admins): the list of summaries by origin province and
 * status, the search by identity document, the registration form (`#/households/new`) and a
 * household's record (`#/households/<id>`). Lists carry no personal data; the number searched
 * for travels in a POST body, never in the URL, and nothing personal is kept in localStorage.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { useSession, type Session } from '../../app/session.ts';
import type { ViewProps } from '../index.ts';
import { DOCUMENT_TYPES, HOUSEHOLD_STATUSES, VERIFICATION_STATUSES, type HouseholdSummary } from '#shared/domain/household.ts';
import { memberMessages } from './members-messages.ts';
import { HouseholdDetail } from './HouseholdDetail.tsx';
import { HouseholdForm } from './HouseholdForm.tsx';
import { householdMessages } from './messages.ts';
import { ProvinceName, REGISTRARS, SafetyBadge, shortId, useDateFormat } from './parts.tsx';
import { isProvinceCode, provinceMessages, provincesOf } from './places.ts';
import './households.css';

const READERS = ['relief', 'ministry', 'admin'];

export function HouseholdsView({ route }: ViewProps) {
  const session = useSession();
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  if (!session || !READERS.includes(session.role)) {
    return (
      <Page title={t('title')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }
  const [first] = route;
  if (first === 'new') {
    return REGISTRARS.includes(session.role) ? (
      <HouseholdForm session={session} />
    ) : (
      <Page title={t('register')}>
        <p>{tc('notAllowed')}</p>
      </Page>
    );
  }
  if (first) return <HouseholdDetail key={first} id={first} session={session} />;
  return <HouseholdList session={session} />;
}

function HouseholdTable({ items, caption, testid }: { items: HouseholdSummary[]; caption: string; testid: string }) {
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  const fmt = useDateFormat();
  return (
    <div class="hh-scroll" tabIndex={0}>
      <table class="table" data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('col.household')}</th>
            <th scope="col">{t('col.status')}</th>
            <th scope="col">{t('col.origin')}</th>
            <th scope="col">{t('col.current')}</th>
            <th scope="col">{t('col.members')}</th>
            <th scope="col">{t('col.safety')}</th>
            <th scope="col">{t('col.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((h) => (
            <tr key={h.id} data-testid={`household-row-${h.id}`}>
              <th scope="row">
                <a href={`#/households/${h.id}`}>{shortId(h.id)}</a>
              </th>
              <td>{tc(`household.${h.status}`)}</td>
              <td>
                <ProvinceName code={h.originProvince} />
              </td>
              <td>
                <ProvinceName code={h.currentProvince} />
              </td>
              <td>{h.memberCount}</td>
              <td>
                <SafetyBadge status={h.returnSafety.status} />
              </td>
              <td>{fmt(h.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Filters {
  country: 'KH' | 'TH';
  province: string;
  status: string;
  /** A verification status: listed by it alone (the API takes no province or status with it). */
  verification: string;
}

function listPath(f: Filters, admin: boolean, cursor?: string): string {
  const q = new URLSearchParams();
  if (admin) q.set('country', f.country);
  if (f.verification) q.set('verification', f.verification);
  else {
    if (f.province) q.set('province', f.province);
    if (f.status) q.set('status', f.status);
  }
  q.set('limit', '25');
  if (cursor) q.set('cursor', cursor);
  return `/v1/households?${q.toString()}`;
}

function HouseholdList({ session }: { session: Session }) {
  const t = useT(householdMessages);
  const tm = useT(memberMessages);
  const tc = useT(commonMessages);
  const tp = useT(provinceMessages);
  const admin = session.role === 'admin';
  const [filters, setFilters] = useState<Filters>({ country: session.country ?? 'KH', province: '', status: '', verification: '' });
  const [applied, setApplied] = useState<Filters>(filters);
  const [items, setItems] = useState<HouseholdSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);

  const load = async (f: Filters, cursor?: string) => {
    setLoading(true);
    setError(undefined);
    try {
      const res = await request<{ items: HouseholdSummary[]; next: string | null }>('GET', listPath(f, admin, cursor));
      setItems((before) => (cursor ? [...before, ...res.body.items] : res.body.items));
      setNext(res.body.next);
    } catch (e: unknown) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(applied);
  }, [applied]);

  const country = admin ? filters.country : session.country;
  return (
    <Page
      title={t('title')}
      actions={
        REGISTRARS.includes(session.role) ? (
          <a class="button" href="#/households/new" data-testid="household-new">
            {t('register')}
          </a>
        ) : undefined
      }
    >
      <LookupForm session={session} />
      <h2>{t('list.title')}</h2>
      <form
        class="hh-filters"
        aria-label={t('list.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...filters });
        }}
      >
        {admin && (
          <Field label={t('filter.country')}>
            <select
              value={filters.country}
              onChange={(e) => setFilters({ ...filters, country: e.currentTarget.value as 'KH' | 'TH', province: '' })}
              data-testid="household-filter-country"
            >
              <option value="KH">{tc('country.KH')}</option>
              <option value="TH">{tc('country.TH')}</option>
            </select>
          </Field>
        )}
        <Field label={t('filter.province')}>
          <select
            value={filters.province}
            onChange={(e) => setFilters({ ...filters, province: e.currentTarget.value })}
            data-testid="household-filter-province"
          >
            <option value="">{t('filter.any')}</option>
            {provincesOf(country).map((p) => (
              <option key={p.pcode} value={p.pcode}>
                {isProvinceCode(p.pcode) ? tp(p.pcode) : p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('filter.status')}>
          <select value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })} data-testid="household-filter-status">
            <option value="">{t('filter.any')}</option>
            {HOUSEHOLD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {tc(`household.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={tm('verify.current')}>
          <select
            value={filters.verification}
            onChange={(e) => setFilters({ ...filters, verification: e.currentTarget.value })}
            data-testid="household-filter-verification"
          >
            <option value="">{t('filter.any')}</option>
            {VERIFICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {tm(`verify.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" data-testid="household-filter-apply">
          {t('filter.apply')}
        </button>
      </form>
      <ProblemMessage error={error} />
      {items.length > 0 ? (
        <HouseholdTable items={items} caption={t('list.caption')} testid="household-list" />
      ) : (
        !loading && !error && <p data-testid="household-list-empty">{t('list.empty')}</p>
      )}
      {loading && <Spinner />}
      {next && !loading && (
        <button type="button" onClick={() => void load(applied, next)} data-testid="household-more">
          {tc('more')}
        </button>
      )}
    </Page>
  );
}

/** Search by identity document: the number goes in the body of a POST, never in the address. */
function LookupForm({ session }: { session: Session }) {
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  const [type, setType] = useState<string>('NATIONAL_ID');
  const [number, setNumber] = useState('');
  const [country, setCountry] = useState<'KH' | 'TH'>(session.country ?? 'KH');
  const [found, setFound] = useState<HouseholdSummary[] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const fieldError = (path: string) => (error instanceof ApiError ? error.problem.errors?.find((e) => e.path === `body.${path}`)?.message : undefined);
  return (
    <section aria-labelledby="lookup-title">
      <h2 id="lookup-title">{t('lookup.title')}</h2>
      <form
        class="hh-filters"
        data-testid="household-lookup"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          setFound(undefined);
          try {
            const body = { documentType: type, documentNumber: number.trim(), ...(session.role === 'admin' ? { country } : {}) };
            const res = await request<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', { body });
            setFound(res.body.items);
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        {session.role === 'admin' && (
          <Field label={t('filter.country')}>
            <select value={country} onChange={(e) => setCountry(e.currentTarget.value as 'KH' | 'TH')}>
              <option value="KH">{tc('country.KH')}</option>
              <option value="TH">{tc('country.TH')}</option>
            </select>
          </Field>
        )}
        <Field label={t('lookup.type')} error={fieldError('documentType')}>
          <select value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="household-lookup-type">
            {DOCUMENT_TYPES.map((d) => (
              <option key={d} value={d}>
                {t(`doc.${d}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('lookup.number')} error={fieldError('documentNumber')}>
          <input
            value={number}
            onInput={(e) => setNumber(e.currentTarget.value)}
            required
            minLength={4}
            maxLength={40}
            autoComplete="off"
            data-testid="household-lookup-number"
          />
        </Field>
        <button type="submit" disabled={busy} data-testid="household-lookup-submit">
          {t('lookup.submit')}
        </button>
      </form>
      {!fieldError('documentNumber') && <ProblemMessage error={error} />}
      {found &&
        (found.length > 0 ? (
          <HouseholdTable items={found} caption={t('lookup.results')} testid="household-lookup-results" />
        ) : (
          <p role="status">{t('lookup.none')}</p>
        ))}
    </section>
  );
}
