/**
 * Registering a household (relief agencies, admins): places limited to the registrar's country,
 * members (exactly one head, also enforced here), specific needs, documents, contact and consent.
 * Checked before sending with the server's own schema; sent through the offline queue with an
 * idempotency key, so a registration made without signal is sent once when it returns. Field
 * errors — ours or the server's `errors[]` — are shown next to their inputs.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../../app/api.ts';
import { Field, Page, ProblemMessage } from '../../app/components.tsx';
import { useLang, useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import type { Session } from '../../app/session.ts';
import { CONSENT_PURPOSES, DOCUMENT_TYPES, RELATIONSHIPS, RETURN_INTENTS, RETURN_OBSTACLES, RETURN_WHEN, SEXES } from '#shared/domain/household.ts';
import {
  checkHousehold,
  emptyHousehold,
  emptyMember,
  fieldErrors,
  headIndex,
  householdBody,
  ONE_HEAD,
  REQUIRED,
  type CountryCode,
  type FieldErrors,
  type HouseholdFormState,
  type MemberState,
} from './form.ts';
import { householdMessages } from './messages.ts';
import { NeedsPicker } from './NeedsPicker.tsx';
import { PlacePicker, useChildren } from './PlacePicker.tsx';
import { unitLabel } from './place-search.ts';
import { isProvinceCode, provinceMessages, provincesOf } from './places.ts';
import { useOpenSites, useSiteLabel } from './sites.ts';

type Errors = FieldErrors;
type T = ReturnType<typeof useT<keyof (typeof householdMessages)['en']>>;

export function HouseholdForm({ session }: { session: Session }) {
  const t = useT(householdMessages);
  const tc = useT(commonMessages);
  const admin = session.role === 'admin';
  const [state, setState] = useState<HouseholdFormState>(() => emptyHousehold(session.country ?? ''));
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState(false);
  const [position, setPosition] = useState<'idle' | 'reading' | 'failed'>('idle');
  const country: CountryCode | '' = admin ? state.country : (session.country ?? '');
  const sites = useOpenSites(country);
  const siteLabel = useSiteLabel();
  const sitesHere = sites.filter((x) => x.province === state.current.province);

  const errorOf = (path: string): string | undefined => {
    const e = errors[path];
    return e === REQUIRED ? t('form.required') : e;
  };
  const update = (f: (s: HouseholdFormState) => HouseholdFormState) => setState((s) => f(s));
  const setMember = (i: number, patch: Partial<MemberState>) => update((s) => ({ ...s, members: s.members.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setQueued(false);
    const body = householdBody(state, admin);
    const found = checkHousehold(body, country || undefined);
    if (admin && !state.country) found.country = REQUIRED;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      const members = state.members.length;
      const result = await submit({ method: 'POST', path: '/v1/households', body, label: `${t('register')} (${members})` });
      if (result.state === 'sent') {
        const created = result.body as { id: string };
        location.hash = `#/households/${created.id}`;
      } else {
        setQueued(true);
        setState(emptyHousehold(session.country ?? ''));
      }
    } catch (err: unknown) {
      if (err instanceof ApiError && err.problem.errors?.length) setErrors(fieldErrors(err.problem.errors));
      setProblem(err);
      focusFirstError();
    } finally {
      setBusy(false);
    }
  };

  const usePosition = () => {
    if (!('geolocation' in navigator)) {
      setPosition('failed');
      return;
    }
    setPosition('reading');
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setPosition('idle');
        update((s) => ({ ...s, destination: { ...s.destination, lon: p.coords.longitude.toFixed(6), lat: p.coords.latitude.toFixed(6) } }));
      },
      () => setPosition('failed'),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  };

  const head = headIndex(state.members);
  return (
    <Page title={t('register')}>
      <p>
        <a href="#/households">{t('detail.back')}</a>
      </p>
      {queued && (
        <p class="notice notice-queued" role="status" data-testid="household-queued">
          {t('form.queued')}
        </p>
      )}
      <form class="form household-form hh-form" data-testid="household-form" noValidate onSubmit={onSubmit}>
        {Object.keys(errors).length > 0 && (
          <p class="hh-error" role="alert">
            {t('form.fixErrors')}
          </p>
        )}
        <ProblemMessage error={problem} />
        {admin && (
          <Field label={t('form.country')} error={errorOf('country')}>
            <select
              value={state.country}
              onChange={(e) =>
                update((s) => ({ ...emptyHousehold(e.currentTarget.value as CountryCode), members: s.members, contact: s.contact, consent: s.consent }))
              }
              data-testid="household-field-country"
            >
              <option value="">{t('form.choose')}</option>
              <option value="KH">{tc('country.KH')}</option>
              <option value="TH">{tc('country.TH')}</option>
            </select>
          </Field>
        )}

        <fieldset>
          <legend>{t('form.origin')}</legend>
          <ProvinceSelect
            t={t}
            country={country}
            value={state.origin.province}
            error={errorOf('origin.province')}
            name="origin.province"
            onChange={(v) => update((s) => ({ ...s, origin: { ...s.origin, province: v, adm2: '', adm3: '', adm4: '' } }))}
          />
          <PlacePicker
            name="origin"
            country={country}
            province={state.origin.province}
            value={state.origin}
            errors={errorOf}
            onChange={(codes) => update((s) => ({ ...s, origin: { ...s.origin, ...codes } }))}
          />
          <TextField
            label={t('form.district')}
            name="origin.district"
            value={state.origin.district}
            error={errorOf('origin.district')}
            onInput={(v) => update((s) => ({ ...s, origin: { ...s.origin, district: v } }))}
          />
          <TextField
            label={t('form.village')}
            name="origin.village"
            value={state.origin.village}
            error={errorOf('origin.village')}
            onInput={(v) => update((s) => ({ ...s, origin: { ...s.origin, village: v } }))}
          />
        </fieldset>

        <fieldset>
          <legend>{t('form.current')}</legend>
          <ProvinceSelect
            t={t}
            country={country}
            value={state.current.province}
            error={errorOf('current.province')}
            name="current.province"
            onChange={(v) => update((s) => ({ ...s, current: { ...s.current, province: v, siteId: '', adm2: '', adm3: '', adm4: '' } }))}
          />
          <PlacePicker
            name="current"
            country={country}
            province={state.current.province}
            value={state.current}
            errors={errorOf}
            onChange={(codes) => update((s) => ({ ...s, current: { ...s.current, ...codes } }))}
          />
          {sitesHere.length > 0 && (
            <Field label={t('form.registeredSite')} error={errorOf('current.siteId')}>
              <select
                value={state.current.siteId}
                onChange={(e) => {
                  const siteId = e.currentTarget.value;
                  update((s) => ({ ...s, current: { ...s.current, siteId } }));
                }}
                data-testid="household-field-current.siteId"
              >
                <option value="">{t('form.none')}</option>
                {sitesHere.map((x) => (
                  <option key={x.id} value={x.id}>
                    {siteLabel(x)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <TextField
            label={t('form.district')}
            name="current.district"
            value={state.current.district}
            error={errorOf('current.district')}
            onInput={(v) => update((s) => ({ ...s, current: { ...s.current, district: v } }))}
          />
          <TextField
            label={t('form.village')}
            name="current.village"
            value={state.current.village}
            error={errorOf('current.village')}
            onInput={(v) => update((s) => ({ ...s, current: { ...s.current, village: v } }))}
          />
          <p class="hh-hint">{t('form.siteHint')}</p>
          <TextField
            label={t('form.site')}
            name="current.site"
            value={state.current.site}
            error={errorOf('current.site')}
            onInput={(v) => update((s) => ({ ...s, current: { ...s.current, site: v } }))}
          />
          <TextField
            label={t('form.hostCommunity')}
            name="current.hostCommunity"
            value={state.current.hostCommunity}
            error={errorOf('current.hostCommunity')}
            onInput={(v) => update((s) => ({ ...s, current: { ...s.current, hostCommunity: v } }))}
          />
        </fieldset>

        <Field label={t('form.displacedSince')} error={errorOf('displacedSince')}>
          <input
            type="date"
            value={state.displacedSince}
            max={new Date().toISOString().slice(0, 10)}
            onInput={(e) => {
              const displacedSince = e.currentTarget.value;
              update((s) => ({ ...s, displacedSince }));
            }}
            data-testid="household-field-displacedSince"
          />
        </Field>

        <fieldset data-testid="household-intentions">
          <legend>{t('intent.title')}</legend>
          <Field label={t('intent.intends')} error={errorOf('returnIntentions.intends')}>
            <select
              value={state.intentions.intends}
              onChange={(e) => {
                const intends = e.currentTarget.value;
                update((s) => ({ ...s, intentions: { ...s.intentions, intends } }));
              }}
              data-testid="household-field-returnIntentions.intends"
            >
              <option value="">{t('intent.notAsked')}</option>
              {RETURN_INTENTS.map((i) => (
                <option key={i} value={i}>
                  {t(`intent.${i}`)}
                </option>
              ))}
            </select>
          </Field>
          {state.intentions.intends === 'YES' && (
            <Field label={t('intent.when')} error={errorOf('returnIntentions.when')}>
              <select
                value={state.intentions.when}
                onChange={(e) => {
                  const when = e.currentTarget.value;
                  update((s) => ({ ...s, intentions: { ...s.intentions, when } }));
                }}
                data-testid="household-field-returnIntentions.when"
              >
                <option value="">{t('form.none')}</option>
                {RETURN_WHEN.map((w) => (
                  <option key={w} value={w}>
                    {t(`when.${w}`)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {state.intentions.intends && (
            <>
              <fieldset class="hh-checks">
                <legend>{t('intent.obstacles')}</legend>
                {RETURN_OBSTACLES.map((o) => (
                  <label class="hh-check" key={o}>
                    <input
                      type="checkbox"
                      checked={state.intentions.obstacles.includes(o)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        update((s) => ({
                          ...s,
                          intentions: { ...s.intentions, obstacles: on ? [...s.intentions.obstacles, o] : s.intentions.obstacles.filter((x) => x !== o) },
                        }));
                      }}
                      data-testid={`household-field-returnIntentions.obstacles.${o}`}
                    />{' '}
                    {t(`obstacle.${o}`)}
                  </label>
                ))}
              </fieldset>
              <Field label={t('intent.surveyedAt')} error={errorOf('returnIntentions.surveyedAt')}>
                <input
                  type="date"
                  value={state.intentions.surveyedAt}
                  onInput={(e) => {
                    const surveyedAt = e.currentTarget.value;
                    update((s) => ({ ...s, intentions: { ...s.intentions, surveyedAt } }));
                  }}
                  data-testid="household-field-returnIntentions.surveyedAt"
                />
              </Field>
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>{t('form.destination')}</legend>
          <ProvinceSelect
            t={t}
            country={country}
            value={state.destination.province}
            error={errorOf('destination.province')}
            name="destination.province"
            optional
            onChange={(v) => update((s) => ({ ...s, destination: { ...s.destination, province: v, adm2: '', adm3: '', adm4: '' } }))}
          />
          <PlacePicker
            name="destination"
            country={country}
            province={state.destination.province}
            value={state.destination}
            errors={errorOf}
            onChange={(codes) => update((s) => ({ ...s, destination: { ...s.destination, ...codes } }))}
          />
          <TextField
            label={t('form.district')}
            name="destination.district"
            value={state.destination.district}
            error={errorOf('destination.district')}
            onInput={(v) => update((s) => ({ ...s, destination: { ...s.destination, district: v } }))}
          />
          <TextField
            label={t('form.village')}
            name="destination.village"
            value={state.destination.village}
            error={errorOf('destination.village')}
            onInput={(v) => update((s) => ({ ...s, destination: { ...s.destination, village: v } }))}
          />
          <TextField
            label={t('form.lon')}
            name="destination.lon"
            value={state.destination.lon}
            error={errorOf('destination.lon')}
            inputMode="decimal"
            onInput={(v) => update((s) => ({ ...s, destination: { ...s.destination, lon: v } }))}
          />
          <TextField
            label={t('form.lat')}
            name="destination.lat"
            value={state.destination.lat}
            error={errorOf('destination.lat')}
            inputMode="decimal"
            onInput={(v) => update((s) => ({ ...s, destination: { ...s.destination, lat: v } }))}
          />
          <button type="button" onClick={usePosition} disabled={position === 'reading'} data-testid="household-use-position">
            {t('form.usePosition')}
          </button>
          <span role="status" class="hh-hint">
            {position === 'reading' ? t('form.positioning') : position === 'failed' ? t('form.positionFailed') : ''}
          </span>
        </fieldset>

        <fieldset>
          <legend>{t('form.members')}</legend>
          {errorOf('members') && (
            <p class="hh-error" id="members-error" data-testid="household-field-members-error">
              {errorOf('members') === ONE_HEAD ? t('form.oneHead') : errorOf('members')}
            </p>
          )}
          {state.members.map((m, i) => (
            <fieldset key={m.key} class="hh-member" data-testid={`household-member-${i}`}>
              <legend>{t('form.member', { n: i + 1 })}</legend>
              <TextField
                label={t('form.givenName')}
                name={`members.${i}.givenName`}
                value={m.givenName}
                error={errorOf(`members.${i}.givenName`)}
                autoComplete="off"
                onInput={(v) => setMember(i, { givenName: v })}
              />
              <TextField
                label={t('form.familyName')}
                name={`members.${i}.familyName`}
                value={m.familyName}
                error={errorOf(`members.${i}.familyName`)}
                autoComplete="off"
                onInput={(v) => setMember(i, { familyName: v })}
              />
              <Field label={t('form.sex')} error={errorOf(`members.${i}.sex`)}>
                <select value={m.sex} onChange={(e) => setMember(i, { sex: e.currentTarget.value })} data-testid={`household-field-members.${i}.sex`}>
                  <option value="">{t('form.choose')}</option>
                  {SEXES.map((s) => (
                    <option key={s} value={s}>
                      {t(`sex.${s}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('form.birthDate')} error={errorOf(`members.${i}.birthDate`)} hint={t('form.birthHint')}>
                <input
                  type="date"
                  value={m.birthDate}
                  onInput={(e) => setMember(i, { birthDate: e.currentTarget.value })}
                  data-testid={`household-field-members.${i}.birthDate`}
                />
              </Field>
              <TextField
                label={t('form.birthYear')}
                name={`members.${i}.birthYear`}
                value={m.birthYear}
                error={errorOf(`members.${i}.birthYear`)}
                inputMode="numeric"
                onInput={(v) => setMember(i, { birthYear: v })}
              />
              <Field
                label={t('form.relationship')}
                error={errorOf(`members.${i}.relationship`)}
                hint={head !== -1 && head !== i ? t('form.headTaken') : undefined}
              >
                <select
                  value={m.relationship}
                  onChange={(e) => setMember(i, { relationship: e.currentTarget.value })}
                  data-testid={`household-field-members.${i}.relationship`}
                >
                  <option value="">{t('form.choose')}</option>
                  {RELATIONSHIPS.map((r) => (
                    <option key={r} value={r} disabled={r === 'HEAD' && head !== -1 && head !== i}>
                      {t(`rel.${r}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <NeedsPicker
                id={`members.${i}.specificNeeds`}
                value={m.specificNeeds}
                error={errorOf(`members.${i}.specificNeeds`)}
                onChange={(v) => setMember(i, { specificNeeds: v })}
              />
              <Field label={t('form.document')} error={errorOf(`members.${i}.documentType`)}>
                <select
                  value={m.documentType}
                  onChange={(e) => setMember(i, { documentType: e.currentTarget.value })}
                  data-testid={`household-field-members.${i}.documentType`}
                >
                  <option value="">{t('form.noDocument')}</option>
                  {DOCUMENT_TYPES.map((d) => (
                    <option key={d} value={d}>
                      {t(`doc.${d}`)}
                    </option>
                  ))}
                </select>
              </Field>
              {(m.documentType || m.documentNumber) && (
                <TextField
                  label={t('form.documentNumber')}
                  name={`members.${i}.documentNumber`}
                  value={m.documentNumber}
                  error={errorOf(`members.${i}.documentNumber`)}
                  hint={t('form.documentHint')}
                  autoComplete="off"
                  onInput={(v) => setMember(i, { documentNumber: v })}
                />
              )}
              {state.members.length > 1 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() => update((s) => ({ ...s, members: s.members.filter((_, j) => j !== i) }))}
                  data-testid={`household-remove-member-${i}`}
                >
                  {t('form.removeMember', { n: i + 1 })}
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() => update((s) => ({ ...s, members: [...s.members, emptyMember(headIndex(s.members) === -1 ? 'HEAD' : '')] }))}
            data-testid="household-add-member"
          >
            {t('form.addMember')}
          </button>
        </fieldset>

        <fieldset>
          <legend>{t('form.contact')}</legend>
          <TextField
            label={t('form.phone')}
            name="contact.phone"
            type="tel"
            value={state.contact.phone}
            error={errorOf('contact.phone')}
            autoComplete="off"
            onInput={(v) => update((s) => ({ ...s, contact: { ...s.contact, phone: v } }))}
          />
          <TextField
            label={t('form.note')}
            name="contact.note"
            value={state.contact.note}
            error={errorOf('contact.note')}
            onInput={(v) => update((s) => ({ ...s, contact: { ...s.contact, note: v } }))}
          />
        </fieldset>

        <fieldset>
          <legend>{t('form.consent')}</legend>
          <div class={errorOf('consent.given') ? 'field field-error' : 'field'}>
            <label class="hh-check">
              <input
                type="checkbox"
                checked={state.consent.given}
                required
                aria-invalid={errorOf('consent.given') ? 'true' : undefined}
                aria-describedby={errorOf('consent.given') ? 'consent-given-error' : undefined}
                onChange={(e) => {
                  const given = e.currentTarget.checked;
                  update((s) => ({ ...s, consent: { ...s.consent, given } }));
                }}
                data-testid="household-field-consent.given"
              />{' '}
              {t('form.consentGiven')}
            </label>
            {errorOf('consent.given') && (
              <p class="hh-error" id="consent-given-error">
                {errorOf('consent.given')}
              </p>
            )}
          </div>
          <Field label={t('form.consentDate')} error={errorOf('consent.date')}>
            <input
              type="date"
              value={state.consent.date}
              onInput={(e) => {
                const date = e.currentTarget.value;
                update((s) => ({ ...s, consent: { ...s.consent, date } }));
              }}
              data-testid="household-field-consent.date"
            />
          </Field>
          <fieldset class="hh-checks" aria-describedby={errorOf('consent.purposes') ? 'consent-purposes-error' : undefined}>
            <legend>{t('form.purposes')}</legend>
            {CONSENT_PURPOSES.map((p) => (
              <label class="hh-check" key={p}>
                <input
                  type="checkbox"
                  checked={state.consent.purposes.includes(p)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    update((s) => ({ ...s, consent: { ...s.consent, purposes: on ? [...s.consent.purposes, p] : s.consent.purposes.filter((x) => x !== p) } }));
                  }}
                  data-testid={`household-field-consent.purposes.${p}`}
                />{' '}
                {t(`purpose.${p}`)}
              </label>
            ))}
            {errorOf('consent.purposes') && (
              <p class="hh-error" id="consent-purposes-error">
                {errorOf('consent.purposes')}
              </p>
            )}
          </fieldset>
        </fieldset>

        <button type="submit" class="primary" disabled={busy} data-testid="household-submit">
          {busy ? t('form.sending') : t('form.submit')}
        </button>
      </form>
    </Page>
  );
}

/** Moves the focus to the first input marked invalid, after the render that marks it. */
function focusFirstError() {
  setTimeout(() => {
    const first = document.querySelector<HTMLElement>('.household-form [aria-invalid="true"]');
    first?.focus();
  }, 0);
}

function ProvinceSelect({
  t,
  country,
  value,
  error,
  name,
  optional,
  onChange,
}: {
  t: T;
  country: CountryCode | '';
  value: string;
  error: string | undefined;
  name: string;
  optional?: boolean;
  onChange: (v: string) => void;
}) {
  const tp = useT(provinceMessages);
  const [lang] = useLang();
  const others = useChildren(country).filter((u) => !isProvinceCode(u.pcode));
  return (
    <Field label={t('form.province')} error={error}>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={`household-field-${name}`}>
        <option value="">{optional ? t('form.none') : t('form.choose')}</option>
        {(country ? provincesOf(country) : []).map((p) => (
          <option key={p.pcode} value={p.pcode}>
            {isProvinceCode(p.pcode) ? tp(p.pcode) : p.name}
          </option>
        ))}
        {/* A family may shelter anywhere in its country (Phnom Penh, Bangkok): the other provinces, from the gazetteer. */}
        {others.map((u) => (
          <option key={u.pcode} value={u.pcode}>
            {unitLabel(u, lang)}
          </option>
        ))}
      </select>
    </Field>
  );
}

function TextField(props: {
  label: string;
  name: string;
  value: string;
  error: string | undefined;
  hint?: string;
  type?: 'text' | 'tel';
  inputMode?: 'text' | 'decimal' | 'numeric' | 'tel';
  autoComplete?: string;
  onInput: (v: string) => void;
}) {
  const attrs = {
    value: props.value,
    inputMode: props.inputMode,
    autoComplete: props.autoComplete,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
    'data-testid': `household-field-${props.name}`,
  };
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {props.type === 'tel' ? <input type="tel" {...attrs} /> : <input type="text" {...attrs} />}
    </Field>
  );
}
