/**
 * What a reviewer, an operations officer about to hand over, or an observer about to attest
 * reads about a completion report: where and when, each part of the released land (outcome,
 * method, m²), the EO reconciliation, each required country's QA decision and the ASEAN
 * observer's attestation.
 */
import { provinceOf } from '#shared/domain/provinces.ts';
import { useT } from '../../app/i18n.ts';
import { vocabulary, type VocabularyKey } from '../../app/vocabulary.ts';
import { commonMessages } from '../../app/messages.ts';
import { decisionsByCountry, partsOf, type Report } from '../land-release.ts';
import { releaseMessages } from '../release-messages.ts';
import { qaMessages } from './messages.ts';

const day = (iso: string) => iso.slice(0, 10);
const sqm = (n: number) => Math.round(n).toLocaleString();

export function ReportFacts({ report }: { report: Report }) {
  const tv = useT(vocabulary);
  const t = useT(qaMessages);
  const tr = useT(releaseMessages);
  const tc = useT(commonMessages);
  const eo = (counts: Record<string, number> | undefined) => {
    const entries = Object.entries(counts ?? {}).filter(([, n]) => n !== 0);
    return entries.length === 0 ? t('noEo') : entries.map(([category, n]) => `${tv(`eo.${category}` as VocabularyKey)}: ${n}`).join(', ');
  };
  const province = provinceOf(report.province);
  const parts = partsOf(report);
  const attestation = report.attestation;
  return (
    <>
      <dl class="tb-facts">
        <div>
          <dt>{t('province')}</dt>
          <dd>
            {report.province}
            {province ? ` · ${province.name}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('completedAt')}</dt>
          <dd>{report.completedAt}</dd>
        </div>
        <div>
          <dt>{t('area')}</dt>
          <dd>{t('sqm', { value: sqm(report.areaSqm) })}</dd>
        </div>
        <div>
          <dt>{t('submittedBy')}</dt>
          <dd>{report.submittedBy.org}</dd>
        </div>
        <div class="tb-facts-wide">
          <dt>{t('eoFromProgress')}</dt>
          <dd>{eo(report.eo.fromProgressReports)}</dd>
        </div>
        {report.eo.reported && (
          <div class="tb-facts-wide">
            <dt>{t('eoReported')}</dt>
            <dd>{eo(report.eo.reported)}</dd>
          </div>
        )}
        {report.notes && (
          <div class="tb-facts-wide">
            <dt>{t('notes')}</dt>
            <dd lang="">{report.notes}</dd>
          </div>
        )}
      </dl>
      {report.countries.length > 1 && <p class="tb-tag">{t('joint')}</p>}
      {report.eo.mismatch && (
        <p class="tb-warning" role="note" data-testid="qa-eo-mismatch">
          {t('eoMismatch', { diff: eo(report.eo.differences) })}
        </p>
      )}

      {/* Focusable: on a narrow card in Khmer the table may scroll sideways, and keyboards must reach it. */}
      <div class="table-wrap" tabIndex={0} role="region" aria-label={tr('partsCaption')}>
        <table class="release-parts" data-testid="report-parts">
          <caption>{tr('partsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{tr('part')}</th>
              <th scope="col">{tr('outcome')}</th>
              <th scope="col">{tr('method')}</th>
              <th scope="col" class="num">
                {tr('areaSqm')}
              </th>
              <th scope="col" class="num">
                {tr('depth')}
              </th>
            </tr>
          </thead>
          <tbody>
            {parts.map((p, i) => (
              <tr key={i} data-testid={`report-part-${i}`} data-outcome={p.outcome}>
                <th scope="row">{i + 1}</th>
                <td>
                  {t(`outcome.${p.outcome}`)}
                  {p.evidence && (
                    <span class="release-evidence" lang="">
                      {' '}
                      ({tr('evidence')}: {p.evidence})
                    </span>
                  )}
                </td>
                <td>{t(`method.${p.method}` as 'method.MANUAL')}</td>
                <td class="num">{sqm(p.areaSqm)}</td>
                <td class="num">{p.depthCm ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section class="release-decisions" aria-label={tr('qaDecisions')}>
        <h4>{tr('qaDecisions')}</h4>
        <ul data-testid="qa-decisions">
          {decisionsByCountry(report).map(({ country, decision }) => (
            <li key={country} data-testid={`qa-decision-${country}`} data-decision={decision?.decision ?? 'PENDING'}>
              <strong>{tc(`country.${country}`)}</strong>
              {': '}
              {decision ? tr(`decision.${decision.decision}`, { date: day(decision.decidedAt), org: decision.decidedBy.org }) : tr('decision.pending')}
              {decision?.comment && <span lang=""> — {decision.comment}</span>}
            </li>
          ))}
        </ul>
      </section>

      <p
        class="release-attestation"
        data-testid="report-attestation"
        data-attestation={attestation?.decision ?? (report.attestationRequired ? 'AWAITING' : 'NOT_REQUIRED')}
      >
        <strong>{tr('attestation')}</strong>
        {': '}
        {attestation
          ? tr(`attestation.${attestation.decision}`, { date: day(attestation.attestedAt), org: attestation.attestedBy.org })
          : tr(report.attestationRequired ? 'attestation.awaiting' : 'attestation.notRequired')}
        {attestation?.findings && <span lang=""> — {attestation.findings}</span>}
      </p>
    </>
  );
}
