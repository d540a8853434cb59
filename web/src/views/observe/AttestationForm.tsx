/**
 * The ASEAN observer's attestation of land QA accepted (`POST /v1/cleared-areas/{id}/attestation`
 * with the report's version as `If-Match`): attested, or not attested with what was found (the
 * task then returns for rework). Sent through the offline queue like every change.
 */
import { useId, useState } from 'preact/hooks';
import { Field, ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { submit } from '../../app/offline.ts';
import type { Report } from '../land-release.ts';
import { releaseMessages, type ReleaseKey } from '../release-messages.ts';

export function AttestationForm({
  report,
  reportRef,
  onDone,
}: {
  report: Pick<Report, 'id' | 'version'>;
  reportRef: string;
  onDone: (state: 'sent' | 'queued') => void;
}) {
  const t = useT(releaseMessages);
  const uid = useId();
  const id = (k: string) => `${uid}-${k}`;
  const [decision, setDecision] = useState<'ATTESTED' | 'NOT_ATTESTED' | ''>('');
  const [findings, setFindings] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'decision' | 'findings', ReleaseKey>>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function send(e: Event) {
    e.preventDefault();
    const found: typeof errors = {};
    if (!decision) found.decision = 'needAttestDecision';
    if (!findings.trim()) found.findings = 'needFindings';
    setErrors(found);
    if (found.decision) return document.getElementById(id('decision-ATTESTED'))?.focus();
    if (found.findings) return document.getElementById(id('findings'))?.focus();
    setBusy(true);
    setError(undefined);
    try {
      const result = await submit({
        method: 'POST',
        path: `/v1/cleared-areas/${report.id}/attestation`,
        body: { decision, findings: findings.trim() },
        ifMatch: report.version,
        label: t('attest.label', { ref: reportRef }),
      });
      onDone(result.state);
    } catch (err: unknown) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="qa-form" onSubmit={(e) => void send(e)} noValidate aria-labelledby={id('title')} data-testid="attestation-form">
      <h3 id={id('title')}>{t('attest.title', { ref: reportRef })}</h3>
      <fieldset class={errors.decision ? 'field-error' : undefined} aria-describedby={errors.decision ? id('decision-error') : undefined}>
        <legend>{t('attest.decision')}</legend>
        {(['ATTESTED', 'NOT_ATTESTED'] as const).map((d) => (
          <label class="tb-check" key={d}>
            <input
              type="radio"
              id={id(`decision-${d}`)}
              name={id('decision')}
              value={d}
              checked={decision === d}
              onChange={() => setDecision(d)}
              data-testid={`attestation-${d}`}
            />
            <span>{t(`attest.${d}`)}</span>
          </label>
        ))}
        {errors.decision && (
          <p class="error" id={id('decision-error')}>
            {t(errors.decision)}
          </p>
        )}
      </fieldset>
      <Field label={t('findings')} error={errors.findings ? t(errors.findings) : undefined}>
        <textarea
          id={id('findings')}
          rows={3}
          maxLength={4000}
          required
          value={findings}
          onInput={(e) => setFindings((e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="attestation-findings"
        />
      </Field>
      <ProblemMessage error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="attestation-submit">
          {t('attest.submit')}
        </button>
      </div>
    </form>
  );
}
