/**
 * Accidents (operations, QA, ministries, observers, admins): the list of a country's accidents,
 * their points on a plain map and the casualties by age band; operations and admins record an
 * accident with its point and victims. The form goes through the offline queue, like the other
 * forms: kept on the device without a signal and sent once (its Idempotency-Key is made once).
 * Victims' names and contacts come back only to those who may read them (the API decides).
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { listAll, request } from '../../app/api.ts';
import { Field, Page, ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { submit } from '../../app/offline.ts';
import { useSession } from '../../app/session.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import type { ViewProps } from '../index.ts';
import { mineActionMessages } from './messages.ts';
import { PairedBars, PointsMap } from './svg.tsx';
import './mine-action.css';

interface Accident {
  id: string;
  reference: string;
  occurredAt: string;
  province: string;
  point: { coordinates: number[] };
  device: { category: string; model?: string };
  killed: number;
  injured: number;
  victims: { sex: string; ageBand: string; outcome: string; name?: string }[];
}
interface Casualties {
  killed: number | null;
  injured: number | null;
  bySexAndAge: Record<'killed' | 'injured', Record<string, Record<string, number | null>>>;
}

const ACTIVITIES = ['FARMING', 'COLLECTING_FOOD_OR_WOOD', 'HERDING', 'TRAVELLING', 'PLAYING', 'TAMPERING', 'DEMINING', 'MILITARY_DUTY', 'OTHER'] as const;
const BANDS = ['0-4', '5-11', '12-17', '18-59', '60+'] as const;
const RECORDERS = ['operations', 'admin'];

interface VictimDraft {
  sex: string;
  age: string;
  outcome: string;
  victimType: string;
  nationality: string;
  name: string;
  contact: string;
}
const blankVictim = (): VictimDraft => ({ sex: 'F', age: '', outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH', name: '', contact: '' });

const sumBands = (c: Casualties, outcome: 'killed' | 'injured', band: string): number | null => {
  const values = Object.values(c.bySexAndAge[outcome]).map((bySex) => bySex[band] ?? 0);
  return values.some((v) => v === null) ? null : values.reduce<number>((n, v) => n + (v ?? 0), 0);
};

export function AccidentsView(_props: ViewProps) {
  const t = useT(mineActionMessages);
  const tv = useT(vocabulary);
  const session = useSession();
  const [country, setCountry] = useState<string>(session?.country ?? 'KH');
  const [accidents, setAccidents] = useState<Accident[] | undefined>(undefined);
  const [stats, setStats] = useState<Casualties | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(undefined);
    Promise.all([listAll<Accident>(`/v1/accidents?country=${country}`, 200), request<Casualties>('GET', `/v1/stats/casualties?country=${country}`)])
      .then(([list, s]) => {
        if (!live) return;
        setAccidents(list);
        setStats(s.body);
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [country, reload]);

  return (
    <Page title={t('acc.title')}>
      {!session?.country && (
        <Field label={t('country')}>
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value)} data-testid="accidents-country">
            <option value="KH">KH</option>
            <option value="TH">TH</option>
          </select>
        </Field>
      )}
      <ProblemMessage error={error} />
      {!accidents && !error && <Spinner />}
      {stats && (
        <section>
          <h3>{t('acc.casualties')}</h3>
          <p data-testid="casualty-totals">
            {t('acc.killed')}: {stats.killed ?? '<5'} · {t('acc.injured')}: {stats.injured ?? '<5'}
          </p>
          <PairedBars
            label={t('acc.casualties')}
            testid="casualty-chart"
            series={[t('acc.killed'), t('acc.injured')]}
            groups={BANDS.map((b) => ({ key: b, label: b, values: [sumBands(stats, 'killed', b), sumBands(stats, 'injured', b)] }))}
          />
        </section>
      )}
      {accidents && (
        <section>
          <h3>{t('acc.list')}</h3>
          {accidents.length === 0 ? (
            <p>{t('acc.empty')}</p>
          ) : (
            <>
              <PointsMap
                label={t('acc.map')}
                testid="accident-map"
                points={accidents.map((a) => ({
                  id: a.id,
                  lon: a.point.coordinates[0]!,
                  lat: a.point.coordinates[1]!,
                  label: a.occurredAt.slice(0, 10),
                  title: `${a.reference} ${tv(`eo.${a.device.category}` as VocabularyKey)}`,
                  tone: a.killed > 0 ? 'killed' : 'injured',
                }))}
              />
              <table class="ma-table" data-testid="accident-list">
                <thead>
                  <tr>
                    <th>{t('acc.date')}</th>
                    <th>{t('acc.province')}</th>
                    <th>{t('acc.device')}</th>
                    <th>{t('acc.killed')}</th>
                    <th>{t('acc.injured')}</th>
                  </tr>
                </thead>
                <tbody>
                  {accidents.map((a) => (
                    <tr key={a.id} data-testid="accident-row">
                      <td>{a.occurredAt.slice(0, 10)}</td>
                      <td>{a.province}</td>
                      <td>
                        {tv(`eo.${a.device.category}` as VocabularyKey)}
                        {a.device.model ? ` (${a.device.model})` : ''}
                      </td>
                      <td>{a.killed}</td>
                      <td>{a.injured}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
      {session && RECORDERS.includes(session.role) && (
        <AccidentForm
          country={country}
          onDone={(state) => {
            setNotice(state);
            setReload((n) => n + 1);
          }}
        />
      )}
      <SubmitNotice state={notice} />
    </Page>
  );
}

const num = (s: string) => Number(s.trim().replace(',', '.'));

function AccidentForm({ country, onDone }: { country: string; onDone: (state: 'sent' | 'queued') => void }) {
  const t = useT(mineActionMessages);
  const tv = useT(vocabulary);
  const uid = useId();
  const id = (k: string) => `${uid}-${k}`;
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [province, setProvince] = useState(country === 'TH' ? 'TH32' : 'KH22');
  const [category, setCategory] = useState<string>('AP_MINE');
  const [model, setModel] = useState('');
  const [activity, setActivity] = useState<string>('FARMING');
  const [source, setSource] = useState('');
  const [lon, setLon] = useState('');
  const [lat, setLat] = useState('');
  const [hazardAreaId, setHazardAreaId] = useState('');
  const [radius, setRadius] = useState('100');
  const [victims, setVictims] = useState<VictimDraft[]>([blankVictim()]);
  const [invalid, setInvalid] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  function locate() {
    navigator.geolocation?.getCurrentPosition((pos) => {
      setLon(pos.coords.longitude.toFixed(6));
      setLat(pos.coords.latitude.toFixed(6));
    });
  }

  async function send(e: Event) {
    e.preventDefault();
    const bad = [
      ...(!/^\d{4}-\d{2}-\d{2}$/.test(date) ? ['date'] : []),
      ...(!/^(KH|TH)\d{2}$/.test(province) ? ['province'] : []),
      ...(source.trim() === '' ? ['source'] : []),
      ...(!Number.isFinite(num(lon)) || lon.trim() === '' || Math.abs(num(lon)) > 180 ? ['lon'] : []),
      ...(!Number.isFinite(num(lat)) || lat.trim() === '' || Math.abs(num(lat)) > 90 ? ['lat'] : []),
      ...victims.flatMap((v, i) => (v.age.trim() === '' || !Number.isInteger(num(v.age)) ? [`age-${i}`] : [])),
    ];
    setInvalid(bad);
    if (bad.length > 0) return document.getElementById(id(bad[0]!))?.focus();
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        country,
        occurredAt: date,
        point: { type: 'Point', coordinates: [num(lon), num(lat)] },
        province,
        device: { category, ...(model.trim() ? { model: model.trim() } : {}) },
        activityAtTime: activity,
        source: source.trim(),
        ...(hazardAreaId.trim() ? { hazardAreaId: hazardAreaId.trim() } : { createSuspectedHazardArea: { radiusM: Math.round(num(radius) || 100) } }),
        victims: victims.map((v) => ({
          sex: v.sex,
          age: num(v.age),
          outcome: v.outcome,
          victimType: v.victimType,
          nationality: v.nationality,
          ...(v.name.trim() ? { name: v.name.trim() } : {}),
          ...(v.contact.trim() ? { contact: v.contact.trim() } : {}),
        })),
      };
      const result = await submit({ method: 'POST', path: '/v1/accidents', body, label: t('acc.label', { date }) });
      onDone(result.state);
      setVictims([blankVictim()]);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const mark = (k: string) => (invalid.includes(k) ? t('acc.invalid') : undefined);
  const setVictim = (i: number, patch: Partial<VictimDraft>) => setVictims(victims.map((v, k) => (k === i ? { ...v, ...patch } : v)));
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

  return (
    <form class="qa-form" onSubmit={(e) => void send(e)} noValidate data-testid="accident-form">
      <h3>{t('acc.record')}</h3>
      <Field label={t('acc.date')} error={mark('date')}>
        <input id={id('date')} type="date" value={date} onInput={(e) => setDate(value(e))} data-testid="accident-date" />
      </Field>
      <Field label={t('acc.province')} error={mark('province')}>
        <input id={id('province')} value={province} onInput={(e) => setProvince(value(e).toUpperCase())} data-testid="accident-province" />
      </Field>
      <Field label={t('acc.device')}>
        <select value={category} onChange={(e) => setCategory(value(e))} data-testid="accident-device">
          {EO_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {tv(`eo.${c}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('acc.model')}>
        <input value={model} onInput={(e) => setModel(value(e))} />
      </Field>
      <Field label={t('acc.activity')}>
        <select value={activity} onChange={(e) => setActivity(value(e))}>
          {ACTIVITIES.map((a) => (
            <option key={a} value={a}>
              {tv(`activity.${a}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('acc.source')} error={mark('source')}>
        <input id={id('source')} value={source} onInput={(e) => setSource(value(e))} data-testid="accident-source" />
      </Field>
      <fieldset>
        <legend>{t('acc.point')}</legend>
        <button type="button" class="secondary" onClick={locate}>
          {t('acc.usePosition')}
        </button>
        <Field label={t('acc.longitude')} error={mark('lon')}>
          <input id={id('lon')} inputMode="decimal" value={lon} onInput={(e) => setLon(value(e))} data-testid="accident-lon" />
        </Field>
        <Field label={t('acc.latitude')} error={mark('lat')}>
          <input id={id('lat')} inputMode="decimal" value={lat} onInput={(e) => setLat(value(e))} data-testid="accident-lat" />
        </Field>
      </fieldset>
      <Field label={t('acc.area')} hint={t('acc.areaNone')}>
        <input value={hazardAreaId} onInput={(e) => setHazardAreaId(value(e))} data-testid="accident-area" />
      </Field>
      {hazardAreaId.trim() === '' && (
        <Field label={t('acc.radius')}>
          <input inputMode="numeric" value={radius} onInput={(e) => setRadius(value(e))} />
        </Field>
      )}
      <fieldset>
        <legend>{t('acc.victims')}</legend>
        {victims.map((v, i) => (
          <div class="ma-victim" key={i} data-testid="accident-victim">
            <Field label={t('acc.sex')}>
              <select value={v.sex} onChange={(e) => setVictim(i, { sex: value(e) })}>
                {(['F', 'M', 'X'] as const).map((s) => (
                  <option key={s} value={s}>
                    {tv(`sex.${s}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('acc.age')} error={mark(`age-${i}`)}>
              <input id={id(`age-${i}`)} inputMode="numeric" value={v.age} onInput={(e) => setVictim(i, { age: value(e) })} data-testid="victim-age" />
            </Field>
            <Field label={t('acc.outcome')}>
              <select value={v.outcome} onChange={(e) => setVictim(i, { outcome: value(e) })}>
                <option value="INJURED">{t('acc.injured')}</option>
                <option value="KILLED">{t('acc.killed')}</option>
              </select>
            </Field>
            <Field label={t('acc.victimType')}>
              <select value={v.victimType} onChange={(e) => setVictim(i, { victimType: value(e) })}>
                {(['CIVILIAN', 'DEMINER', 'MILITARY', 'POLICE', 'OTHER'] as const).map((s) => (
                  <option key={s} value={s}>
                    {tv(`victimType.${s}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('acc.nationality')}>
              <select value={v.nationality} onChange={(e) => setVictim(i, { nationality: value(e) })}>
                {(['KH', 'TH', 'OTHER'] as const).map((s) => (
                  <option key={s} value={s}>
                    {tv(`nationality.${s}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('acc.name')}>
              <input autoComplete="off" value={v.name} onInput={(e) => setVictim(i, { name: value(e) })} />
            </Field>
            <Field label={t('acc.contact')}>
              <input autoComplete="off" value={v.contact} onInput={(e) => setVictim(i, { contact: value(e) })} />
            </Field>
            <button type="button" class="secondary" onClick={() => setVictims(victims.filter((_, k) => k !== i))}>
              {t('acc.removeVictim')}
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setVictims([...victims, blankVictim()])} data-testid="accident-add-victim">
          {t('acc.addVictim')}
        </button>
      </fieldset>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="accident-submit">
          {t('acc.submit')}
        </button>
      </div>
    </form>
  );
}
