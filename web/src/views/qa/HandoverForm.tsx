/**
 * The handover certificate of accepted land (IMAS 08.30): reference, date, the receiving
 * community or land user, signatories (national authority, operator and community must sign;
 * an AOT observer may) and the residual-risk statement, posted with the report's version as
 * `If-Match` (`POST /v1/cleared-areas/{id}/handover`, body as shared/domain/cleared-area.ts `Handover`).
 */
import { useId, useState } from 'preact/hooks';
import type { Handover } from '#shared/domain/cleared-area.ts';
import type { Report } from '../land-release.ts';
import { Field, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { submit } from '../../app/offline.ts';
import { todayIso } from '../tasks/data.ts';
import { qaMessages, type QaKey } from './messages.ts';

type Signatory = Handover['signatories'][number];
export const SIGNATORY_ROLES = ['NATIONAL_AUTHORITY', 'OPERATOR', 'COMMUNITY', 'AOT_OBSERVER'] as const satisfies readonly Signatory['role'][];
const REQUIRED_SIGNERS: readonly Signatory['role'][] = ['NATIONAL_AUTHORITY', 'OPERATOR', 'COMMUNITY'];
const RECEIVERS = ['COMMUNITY', 'LAND_USER'] as const satisfies readonly Handover['receivedBy']['type'][];

interface SignatoryDraft extends Signatory {
  key: number;
}

let nextKey = 1;
const signatory = (role: Signatory['role']): SignatoryDraft => ({ key: nextKey++, name: '', role, organisation: '' });

export function HandoverForm({
  report,
  reportRef,
  onDone,
}: {
  report: Pick<Report, 'id' | 'version'>;
  reportRef: string;
  onDone: (state: 'sent' | 'queued', updated?: Report) => void;
}) {
  const t = useT(qaMessages);
  const uid = useId();
  const [certificateRef, setCertificateRef] = useState('');
  const [date, setDate] = useState(todayIso());
  const [receiverType, setReceiverType] = useState<Handover['receivedBy']['type']>('COMMUNITY');
  const [receiverName, setReceiverName] = useState('');
  const [signatories, setSignatories] = useState<SignatoryDraft[]>(() => REQUIRED_SIGNERS.map(signatory));
  const [residualRisk, setResidualRisk] = useState('');
  const [errors, setErrors] = useState<Partial<Record<string, QaKey>>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const id = (k: string) => `${uid}-${k}`;
  const update = (key: number, patch: Partial<Signatory>) => setSignatories((list) => list.map((s) => (s.key === key ? { ...s, ...patch } : s)));

  function validate(): Partial<Record<string, QaKey>> {
    const found: Partial<Record<string, QaKey>> = {};
    if (!certificateRef.trim()) found.certificateRef = 'needText';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date > todayIso()) found.date = 'needDate';
    if (!receiverName.trim()) found.receiverName = 'needText';
    signatories.forEach((s, i) => {
      if (!s.name.trim()) found[`name${i}`] = 'needText';
      if (!s.organisation.trim()) found[`organisation${i}`] = 'needText';
    });
    if (!REQUIRED_SIGNERS.every((role) => signatories.some((s) => s.role === role))) found.signatories = 'needSignatories';
    if (!residualRisk.trim()) found.residualRisk = 'needText';
    return found;
  }

  async function send(e: Event) {
    e.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(id(Object.keys(found)[0]!))?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body: Handover = {
        certificateRef: certificateRef.trim(),
        date,
        receivedBy: { type: receiverType, name: receiverName.trim() },
        signatories: signatories.map(({ name, role, organisation }) => ({ name: name.trim(), role, organisation: organisation.trim() })),
        residualRisk: residualRisk.trim(),
      };
      const result = await submit({
        method: 'POST',
        path: `/v1/cleared-areas/${report.id}/handover`,
        body,
        ifMatch: report.version,
        label: t('handoverLabel', { ref: reportRef }),
      });
      onDone(result.state, result.state === 'sent' ? (result.body as Report) : undefined);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (k: string) => (errors[k] ? t(errors[k]!) : undefined);
  const text = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);

  return (
    <form class="handover-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby={id('title')} data-testid="handover-form">
      <h3 id={id('title')}>{t('form.handover', { ref: reportRef })}</h3>
      <div class="tb-grid">
        <Field label={t('certificateRef')} error={err('certificateRef')}>
          <input
            id={id('certificateRef')}
            value={certificateRef}
            maxLength={100}
            required
            onInput={text(setCertificateRef)}
            data-testid="handover-certificate"
          />
        </Field>
        <Field label={t('date')} error={err('date')}>
          <input id={id('date')} type="date" value={date} max={todayIso()} required onInput={text(setDate)} data-testid="handover-date" />
        </Field>
        <Field label={t('receivedByType')}>
          <select
            id={id('receiverType')}
            value={receiverType}
            onChange={(e) => setReceiverType((e.currentTarget as HTMLSelectElement).value as Handover['receivedBy']['type'])}
            data-testid="handover-receiver-type"
          >
            {RECEIVERS.map((r) => (
              <option key={r} value={r}>
                {t(`receiver.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('receivedByName')} error={err('receiverName')}>
          <input id={id('receiverName')} value={receiverName} maxLength={200} required onInput={text(setReceiverName)} data-testid="handover-receiver-name" />
        </Field>
      </div>

      <fieldset id={id('signatories')} tabIndex={-1} class={errors.signatories ? 'field-error' : undefined}>
        <legend>{t('signatories')}</legend>
        {signatories.map((s, i) => (
          <fieldset class="signatory" key={s.key} data-testid={`handover-signatory-${i}`}>
            <legend>{t('signatory', { n: i + 1 })}</legend>
            <div class="tb-grid">
              <Field label={t('role')}>
                <select
                  id={id(`role${i}`)}
                  value={s.role}
                  onChange={(e) => update(s.key, { role: (e.currentTarget as HTMLSelectElement).value as Signatory['role'] })}
                  data-testid={`handover-signatory-role-${i}`}
                >
                  {SIGNATORY_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`signatory.${r}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t('name')} error={err(`name${i}`)}>
                <input
                  id={id(`name${i}`)}
                  value={s.name}
                  maxLength={200}
                  required
                  onInput={(e) => update(s.key, { name: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`handover-signatory-name-${i}`}
                />
              </Field>
              <Field label={t('organisation')} error={err(`organisation${i}`)}>
                <input
                  id={id(`organisation${i}`)}
                  value={s.organisation}
                  maxLength={200}
                  required
                  onInput={(e) => update(s.key, { organisation: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`handover-signatory-org-${i}`}
                />
              </Field>
            </div>
            {signatories.length > 3 && (
              <button
                type="button"
                class="link-button"
                onClick={() => setSignatories((list) => list.filter((x) => x.key !== s.key))}
                data-testid={`handover-signatory-remove-${i}`}
              >
                {t('removeSignatory', { n: i + 1 })}
              </button>
            )}
          </fieldset>
        ))}
        {errors.signatories && <p class="error">{err('signatories')}</p>}
        {signatories.length < 10 && (
          <button
            type="button"
            class="secondary"
            onClick={() => setSignatories((list) => [...list, signatory('AOT_OBSERVER')])}
            data-testid="handover-signatory-add"
          >
            {t('addSignatory')}
          </button>
        )}
      </fieldset>

      <Field label={t('residualRisk')} error={err('residualRisk')}>
        <textarea
          id={id('residualRisk')}
          rows={3}
          maxLength={4000}
          required
          value={residualRisk}
          onInput={text(setResidualRisk)}
          data-testid="handover-residual-risk"
        />
      </Field>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="handover-submit">
          {t('submitHandover')}
        </button>
      </div>
    </form>
  );
}
