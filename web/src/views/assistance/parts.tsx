/** What the assistance screens share: the fields of a record (type, round, date, quantity, unit). */
import { ApiError } from '../../app/api.ts';
import { Field } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { ASSISTANCE_TYPES, type AssistanceType } from '#shared/domain/assistance-rules.ts';
import { assistanceMessages } from './messages.ts';

export interface AssistanceInput {
  type: AssistanceType | '';
  round: string;
  date: string;
  quantity: string;
  unit: string;
}

export const emptyAssistance = (): AssistanceInput => ({ type: '', round: '', date: new Date().toISOString().slice(0, 10), quantity: '', unit: '' });

/** The request body of the fields (the server validates and normalises them). */
export const assistanceBody = (v: AssistanceInput) => ({
  type: v.type,
  round: v.round.trim(),
  date: v.date,
  quantity: Number(v.quantity),
  unit: v.unit.trim(),
});

/** The message of the server for one field (`body.<name>`). */
export const fieldErrorOf = (error: unknown) => (name: string) =>
  error instanceof ApiError ? error.problem.errors?.find((e) => e.path === `body.${name}`)?.message : undefined;

export function AssistanceFields({
  value,
  onChange,
  error,
  testid,
}: {
  value: AssistanceInput;
  onChange: (v: AssistanceInput) => void;
  error: unknown;
  testid: string;
}) {
  const t = useT(assistanceMessages);
  const fieldError = fieldErrorOf(error);
  const set = (patch: Partial<AssistanceInput>) => onChange({ ...value, ...patch });
  return (
    <>
      <Field label={t('type')} error={fieldError('type')}>
        <select value={value.type} required onChange={(e) => set({ type: e.currentTarget.value as AssistanceType | '' })} data-testid={`${testid}-type`}>
          <option value="">{t('choose')}</option>
          {ASSISTANCE_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`type.${type}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('round')} hint={t('round.hint')} error={fieldError('round')}>
        <input
          value={value.round}
          required
          maxLength={40}
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
          onInput={(e) => set({ round: e.currentTarget.value })}
          data-testid={`${testid}-round`}
        />
      </Field>
      <Field label={t('date')} error={fieldError('date')}>
        <input type="date" value={value.date} required onInput={(e) => set({ date: e.currentTarget.value })} data-testid={`${testid}-date`} />
      </Field>
      <Field label={t('quantity')} error={fieldError('quantity')}>
        <input
          type="number"
          inputMode="decimal"
          min="0.01"
          step="0.01"
          value={value.quantity}
          required
          onInput={(e) => set({ quantity: e.currentTarget.value })}
          data-testid={`${testid}-quantity`}
        />
      </Field>
      <Field label={t('unit')} hint={t('unit.hint')} error={fieldError('unit')}>
        <input value={value.unit} required maxLength={16} onInput={(e) => set({ unit: e.currentTarget.value })} data-testid={`${testid}-unit`} />
      </Field>
    </>
  );
}
