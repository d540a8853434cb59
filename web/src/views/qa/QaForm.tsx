/**
 * QA review of a completion report: accept, or reject with nonconformities (type, severity,
 * corrective action), posted with the report's version as `If-Match`
 * (`POST /v1/cleared-areas/{id}/qa`, body as shared/domain/cleared-area.ts `QaDecision`). Each
 * country decides in its own slot: a QA officer for its own country; an admin names the country
 * it decides for (`country`), among those still to decide.
 */
import { useId, useState } from 'preact/hooks';
import type { ClearedArea } from '#shared/domain/cleared-area.ts';
import { Field, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { submit } from '../../app/offline.ts';
import type { Country, Report } from '../land-release.ts';
import { releaseMessages } from '../release-messages.ts';
import { commonMessages } from '../../app/messages.ts';
import { qaMessages, type QaKey } from './messages.ts';

type Nonconformity = NonNullable<ClearedArea['qa']>['nonconformities'][number];
export const NC_TYPES = [
  'DOCUMENTATION',
  'MARKING',
  'DEPTH',
  'BOUNDARY',
  'PROCEDURE',
  'SAFETY',
  'QUALITY_CONTROL',
  'OTHER',
] as const satisfies readonly Nonconformity['type'][];
export const SEVERITIES = ['MINOR', 'MAJOR', 'CRITICAL'] as const satisfies readonly Nonconformity['severity'][];

interface NcDraft {
  key: number;
  type: Nonconformity['type'];
  severity: Nonconformity['severity'];
  description: string;
  correctiveAction: string;
}

let nextKey = 1;
const emptyNc = (): NcDraft => ({ key: nextKey++, type: 'DOCUMENTATION', severity: 'MINOR', description: '', correctiveAction: '' });

export function QaForm({
  report,
  reportRef,
  countries,
  admin,
  onDone,
}: {
  report: Report;
  reportRef: string;
  countries: Country[];
  admin: boolean;
  onDone: (state: 'sent' | 'queued', updated?: Report) => void;
}) {
  const t = useT(qaMessages);
  const tr = useT(releaseMessages);
  const tc = useT(commonMessages);
  const [country, setCountry] = useState<Country | undefined>(countries[0]);
  const uid = useId();
  const [decision, setDecision] = useState<'ACCEPTED' | 'REJECTED' | ''>('');
  const [ncs, setNcs] = useState<NcDraft[]>([]);
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Partial<Record<string, QaKey>>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const id = (k: string) => `${uid}-${k}`;
  const update = (key: number, patch: Partial<NcDraft>) => setNcs((list) => list.map((n) => (n.key === key ? { ...n, ...patch } : n)));

  function validate(): Partial<Record<string, QaKey>> {
    const found: Partial<Record<string, QaKey>> = {};
    if (!decision) found.decision = 'needDecision';
    if (decision === 'REJECTED' && ncs.length === 0) found.ncs = 'needNonconformity';
    if (decision === 'ACCEPTED' && ncs.some((n) => n.severity === 'CRITICAL')) found.ncs = 'criticalAccepted';
    ncs.forEach((n, i) => {
      if (!n.correctiveAction.trim()) found[`action${i}`] = 'needText';
    });
    return found;
  }

  async function send(e: Event) {
    e.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0]!;
      document.getElementById(first === 'decision' ? id('decision-ACCEPTED') : first === 'ncs' ? id('ncs') : id(first))?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        decision,
        nonconformities: ncs.map((n) => ({
          type: n.type,
          severity: n.severity,
          ...(n.description.trim() ? { description: n.description.trim() } : {}),
          correctiveAction: n.correctiveAction.trim(),
        })),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(admin && country ? { country } : {}),
      };
      const result = await submit({
        method: 'POST',
        path: `/v1/cleared-areas/${report.id}/qa`,
        body,
        ifMatch: report.version,
        label: t('qaLabel', { ref: reportRef }),
      });
      onDone(result.state, result.state === 'sent' ? (result.body as Report) : undefined);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (k: string) => (errors[k] ? t(errors[k]!) : undefined);

  return (
    <form class="qa-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby={id('title')} data-testid="qa-form">
      <h3 id={id('title')}>{t('form.qa', { ref: reportRef })}</h3>
      {admin && (
        <Field label={tr('decideFor')}>
          <select
            id={id('country')}
            value={country}
            onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value as Country)}
            data-testid="qa-decide-for"
          >
            {countries.map((c) => (
              <option key={c} value={c}>
                {tc(`country.${c}`)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <fieldset class={errors.decision ? 'field-error' : undefined} aria-describedby={errors.decision ? id('decision-error') : undefined}>
        <legend>{t('decision')}</legend>
        {(['ACCEPTED', 'REJECTED'] as const).map((d) => (
          <label class="tb-check" key={d}>
            <input
              type="radio"
              id={id(`decision-${d}`)}
              name={id('decision')}
              value={d}
              checked={decision === d}
              onChange={() => setDecision(d)}
              data-testid={`qa-decision-${d}`}
            />
            <span>{t(`decision.${d}`)}</span>
          </label>
        ))}
        {errors.decision && (
          <p class="error" id={id('decision-error')}>
            {err('decision')}
          </p>
        )}
      </fieldset>

      <fieldset id={id('ncs')} tabIndex={-1} class={errors.ncs ? 'field-error' : undefined} aria-describedby={errors.ncs ? id('ncs-error') : undefined}>
        <legend>{t('nonconformities')}</legend>
        {ncs.length === 0 && <p class="hint">{t('noNonconformities')}</p>}
        {ncs.map((n, i) => (
          <fieldset class="nonconformity" key={n.key} data-testid={`qa-nc-${i}`}>
            <legend>{t('nonconformity', { n: i + 1 })}</legend>
            <div class="tb-grid">
              <Field label={t('ncType')}>
                <select
                  id={id(`type${i}`)}
                  value={n.type}
                  onChange={(e) => update(n.key, { type: (e.currentTarget as HTMLSelectElement).value as Nonconformity['type'] })}
                  data-testid={`qa-nc-type-${i}`}
                >
                  {NC_TYPES.map((v) => (
                    <option key={v} value={v}>
                      {t(`ncType.${v}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('severity')}>
                <select
                  id={id(`severity${i}`)}
                  value={n.severity}
                  onChange={(e) => update(n.key, { severity: (e.currentTarget as HTMLSelectElement).value as Nonconformity['severity'] })}
                  data-testid={`qa-nc-severity-${i}`}
                >
                  {SEVERITIES.map((v) => (
                    <option key={v} value={v}>
                      {t(`severity.${v}`)}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <Field label={t('description')}>
              <textarea
                id={id(`description${i}`)}
                rows={2}
                maxLength={2000}
                value={n.description}
                onInput={(e) => update(n.key, { description: (e.currentTarget as HTMLTextAreaElement).value })}
                data-testid={`qa-nc-description-${i}`}
              />
            </Field>
            <Field label={t('correctiveAction')} error={err(`action${i}`)}>
              <textarea
                id={id(`action${i}`)}
                rows={2}
                maxLength={2000}
                required
                value={n.correctiveAction}
                onInput={(e) => update(n.key, { correctiveAction: (e.currentTarget as HTMLTextAreaElement).value })}
                data-testid={`qa-nc-action-${i}`}
              />
            </Field>
            <button type="button" class="link-button" onClick={() => setNcs((list) => list.filter((x) => x.key !== n.key))} data-testid={`qa-nc-remove-${i}`}>
              {t('removeNonconformity', { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        {errors.ncs && (
          <p class="error" id={id('ncs-error')}>
            {err('ncs')}
          </p>
        )}
        <button type="button" class="secondary" onClick={() => setNcs((list) => [...list, emptyNc()])} data-testid="qa-nc-add">
          {t('addNonconformity')}
        </button>
      </fieldset>

      <Field label={t('comment')}>
        <textarea
          id={id('comment')}
          rows={2}
          maxLength={2000}
          value={comment}
          onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="qa-comment"
        />
      </Field>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="qa-submit">
          {t('submitQa')}
        </button>
      </div>
    </form>
  );
}
