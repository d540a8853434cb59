/**
 * The explosive ordnance risk education form (relief agencies, operations, admins): a session's
 * date, place, provider, delivery, the ordnance covered and the audience as counts. Sent through
 * the offline queue like the other field forms: without a signal it is kept on the device and
 * sent once when the signal returns.
 */
import { useId, useState } from 'preact/hooks';
import { Field, Page, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary } from '../../app/vocabulary.ts';
import { submit } from '../../app/offline.ts';
import { useSession } from '../../app/session.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import type { ViewProps } from '../index.ts';
import { mineActionMessages } from './messages.ts';
import './mine-action.css';

const GROUPS = ['girls', 'boys', 'women', 'men'] as const;
const DELIVERIES = ['FACE_TO_FACE', 'MASS_MEDIA', 'DIGITAL', 'OTHER'] as const;

export function EoreView(_props: ViewProps) {
  const t = useT(mineActionMessages);
  const tv = useT(vocabulary);
  const session = useSession();
  const uid = useId();
  const id = (k: string) => `${uid}-${k}`;
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [country, setCountry] = useState<string>(session?.country ?? 'KH');
  const [province, setProvince] = useState(session?.country === 'TH' ? 'TH32' : 'KH22');
  const [site, setSite] = useState('');
  const [provider, setProvider] = useState(session?.org ?? '');
  const [delivery, setDelivery] = useState<string>('FACE_TO_FACE');
  const [categories, setCategories] = useState<string[]>(['AP_MINE', 'SUBMUNITION', 'UXO']);
  const [audience, setAudience] = useState<Record<(typeof GROUPS)[number], string>>({ girls: '0', boys: '0', women: '0', men: '0' });
  const [invalid, setInvalid] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const counts = Object.fromEntries(GROUPS.map((g) => [g, Number(audience[g])])) as Record<(typeof GROUPS)[number], number>;
  async function send(e: Event) {
    e.preventDefault();
    const bad = [
      ...(!/^\d{4}-\d{2}-\d{2}$/.test(date) ? ['date'] : []),
      ...(!/^(KH|TH)\d{2}$/.test(province) ? ['province'] : []),
      ...(provider.trim() === '' ? ['provider'] : []),
      ...GROUPS.filter((g) => !Number.isInteger(counts[g]) || counts[g] < 0),
      ...(categories.length === 0 ? ['categories'] : []),
    ];
    const nobody = GROUPS.every((g) => counts[g] === 0);
    setInvalid(nobody ? [...bad, 'girls'] : bad);
    if (bad.length > 0 || nobody) return document.getElementById(id(bad[0] ?? 'girls'))?.focus();
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        ...(session?.role === 'admin' ? { country } : {}),
        date,
        province,
        ...(site.trim() ? { site: site.trim() } : {}),
        provider: provider.trim(),
        delivery,
        categories,
        audience: counts,
      };
      const result = await submit({ method: 'POST', path: '/v1/risk-education-sessions', body, label: t('eore.label', { date }) });
      setNotice(result.state);
      setAudience({ girls: '0', boys: '0', women: '0', men: '0' });
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const mark = (k: string) =>
    invalid.includes(k) ? (k === 'girls' && GROUPS.every((g) => counts[g] === 0) ? t('eore.nobody') : t('eore.invalid')) : undefined;
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <Page title={t('eore.title')}>
      <p>{t('eore.intro')}</p>
      <form class="qa-form" onSubmit={(e) => void send(e)} noValidate data-testid="eore-form">
        {session?.role === 'admin' && (
          <Field label={t('country')}>
            <select value={country} onChange={(e) => setCountry(value(e))}>
              <option value="KH">KH</option>
              <option value="TH">TH</option>
            </select>
          </Field>
        )}
        <Field label={t('eore.date')} error={mark('date')}>
          <input id={id('date')} type="date" value={date} onInput={(e) => setDate(value(e))} data-testid="eore-date" />
        </Field>
        <Field label={t('eore.province')} error={mark('province')}>
          <input id={id('province')} value={province} onInput={(e) => setProvince(value(e).toUpperCase())} data-testid="eore-province" />
        </Field>
        <Field label={t('eore.site')}>
          <input value={site} onInput={(e) => setSite(value(e))} data-testid="eore-site" />
        </Field>
        <Field label={t('eore.provider')} error={mark('provider')}>
          <input id={id('provider')} value={provider} onInput={(e) => setProvider(value(e))} data-testid="eore-provider" />
        </Field>
        <Field label={t('eore.delivery')}>
          <select value={delivery} onChange={(e) => setDelivery(value(e))}>
            {DELIVERIES.map((d) => (
              <option key={d} value={d}>
                {tv(`delivery.${d}`)}
              </option>
            ))}
          </select>
        </Field>
        <fieldset id={id('categories')}>
          <legend>{t('eore.categories')}</legend>
          {EO_CATEGORIES.map((c) => (
            <label class="tb-check" key={c}>
              <input
                type="checkbox"
                checked={categories.includes(c)}
                onChange={(e) => setCategories((e.currentTarget as HTMLInputElement).checked ? [...categories, c] : categories.filter((k) => k !== c))}
              />
              <span>{tv(`eo.${c}`)}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          {GROUPS.map((g) => (
            <Field key={g} label={t(`eore.${g}`)} error={mark(g)}>
              <input
                id={id(g)}
                inputMode="numeric"
                value={audience[g]}
                onInput={(e) => setAudience({ ...audience, [g]: value(e) })}
                data-testid={`eore-${g}`}
              />
            </Field>
          ))}
        </fieldset>
        <ProblemMessage error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy} data-testid="eore-submit">
            {t('eore.submit')}
          </button>
        </div>
      </form>
      <SubmitNotice state={notice} />
    </Page>
  );
}
