/**
 * How the importer read a file (its job's `report`): the columns it recognised and ignored and
 * the values it could not translate, with their counts. The user maps ignored columns to
 * Clearway's and says what each unknown value means, then checks the file again or imports it
 * with that mapping (the file chosen on the start form is kept in memory; otherwise chosen again).
 */
import { useRef, useState } from 'preact/hooks';
import { ProblemMessage } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { IMPORT_COLUMNS } from '#shared/domain/household-import.ts';
import { CONSENT_PURPOSES, DOCUMENT_TYPES, RELATIONSHIPS, SEXES } from '#shared/domain/household.ts';
import { importMessages } from './messages.ts';
import { startImport } from './ImportView.tsx';

export interface ImportReport {
  format: 'CSV' | 'XLSX' | 'ZIP';
  recognised: { table: string; column: string; field: string }[];
  ignored: { table: string; column: string }[];
  unmappedValues: { field: string; value: string; count: number }[];
}

/** The body's `mapping` (shared/domain/import-mapping.ts). */
export interface Mapping {
  columns?: Record<string, string>;
  values?: Record<string, Record<string, string>>;
}

const FIELDS = [...IMPORT_COLUMNS, 'destination_point'];
/** What an unknown value of each column may mean; free text for the UNHCR codes. */
const CHOICES: Record<string, readonly string[] | undefined> = {
  sex: SEXES,
  relationship: RELATIONSHIPS,
  consent_given: ['yes', 'no'],
  consent_purposes: CONSENT_PURPOSES,
  document_type: DOCUMENT_TYPES,
};

export function ImportReportView({
  report,
  dryRun,
  pending,
}: {
  report: ImportReport;
  dryRun: boolean;
  pending: { file?: File; mapping?: Mapping; country?: '' | 'KH' | 'TH' };
}) {
  const t = useT(importMessages);
  const [columns, setColumns] = useState<Record<string, string>>({ ...(pending.mapping?.columns ?? {}) });
  const [values, setValues] = useState<Record<string, Record<string, string>>>(structuredClone(pending.mapping?.values ?? {}));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);

  const mapping = (): Mapping => {
    const chosen = Object.fromEntries(Object.entries(columns).filter(([, f]) => f !== ''));
    const given = Object.fromEntries(
      Object.entries(values)
        .map(([f, m]) => [f, Object.fromEntries(Object.entries(m).filter(([, v]) => v.trim() !== ''))])
        .filter(([, m]) => Object.keys(m as object).length > 0),
    );
    return { ...(Object.keys(chosen).length > 0 ? { columns: chosen } : {}), ...(Object.keys(given).length > 0 ? { values: given } : {}) };
  };
  const go = async (asDryRun: boolean) => {
    const file = pending.file ?? fileInput.current?.files?.[0];
    if (!file) return setError(new Error(t('chooseAgain')));
    setBusy(true);
    setError(undefined);
    try {
      const m = mapping();
      const id = await startImport(
        file,
        { country: pending.country ?? '', dryRun: asDryRun, ...(m.columns || m.values ? { mapping: m } : {}) },
        () => undefined,
      );
      location.hash = `#/import/${id}`;
    } catch (e: unknown) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="import-report-title" data-testid="import-report">
      <h3 id="import-report-title">{t('report')}</h3>
      <p>{t('fileFormat', { format: report.format })}</p>
      <details>
        <summary>
          {t('recognised')} ({report.recognised.length})
        </summary>
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="import-recognised">
            <thead>
              <tr>
                <th scope="col">{t('sheet')}</th>
                <th scope="col">{t('column')}</th>
                <th scope="col">{t('field')}</th>
              </tr>
            </thead>
            <tbody>
              {report.recognised.map((r) => (
                <tr key={`${r.table}/${r.column}`}>
                  <td>{r.table}</td>
                  <td lang="und">{r.column}</td>
                  <td>
                    <code>{r.field}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <h4>
        {t('ignored')} ({report.ignored.length})
      </h4>
      {report.ignored.length === 0 ? (
        <p>{t('ignoredNone')}</p>
      ) : (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="import-ignored">
            <thead>
              <tr>
                <th scope="col">{t('sheet')}</th>
                <th scope="col">{t('column')}</th>
                <th scope="col">{t('mapTo')}</th>
              </tr>
            </thead>
            <tbody>
              {report.ignored.map((c) => (
                <tr key={`${c.table}/${c.column}`}>
                  <td>{c.table}</td>
                  <th scope="row" lang="und">
                    {c.column}
                  </th>
                  <td>
                    <select
                      aria-label={`${t('mapTo')} ${c.column}`}
                      value={columns[c.column] ?? ''}
                      onChange={(e) => setColumns({ ...columns, [c.column]: e.currentTarget.value })}
                      data-testid="import-map-column"
                    >
                      <option value="">{t('keepIgnored')}</option>
                      {FIELDS.map((f) => (
                        <option key={f} value={f}>
                          {f}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h4>
        {t('unmapped')} ({report.unmappedValues.length})
      </h4>
      {report.unmappedValues.length === 0 ? (
        <p>{t('unmappedNone')}</p>
      ) : (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="import-unmapped">
            <thead>
              <tr>
                <th scope="col">{t('field')}</th>
                <th scope="col">{t('value')}</th>
                <th scope="col">{t('count')}</th>
                <th scope="col">{t('meaning')}</th>
              </tr>
            </thead>
            <tbody>
              {report.unmappedValues.map((u) => {
                const set = (v: string) => setValues({ ...values, [u.field]: { ...(values[u.field] ?? {}), [u.value]: v } });
                const current = values[u.field]?.[u.value] ?? '';
                const choices = CHOICES[u.field];
                return (
                  <tr key={`${u.field}/${u.value}`}>
                    <td>
                      <code>{u.field}</code>
                    </td>
                    <th scope="row" lang="und">
                      {u.value}
                    </th>
                    <td>{u.count}</td>
                    <td>
                      {choices ? (
                        <select
                          aria-label={`${t('meaning')} ${u.value}`}
                          value={current}
                          onChange={(e) => set(e.currentTarget.value)}
                          data-testid="import-map-value"
                        >
                          <option value="">—</option>
                          {choices.map((c) => (
                            <option key={c} value={c}>
                              {c}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input
                          aria-label={`${t('meaning')} ${u.value}`}
                          value={current}
                          onInput={(e) => set(e.currentTarget.value.toUpperCase())}
                          data-testid="import-map-value"
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {!pending.file && (
        <label>
          {t('chooseAgain')} <input type="file" accept=".csv,text/csv,.xlsx,.zip" ref={fileInput} />
        </label>
      )}
      <p>
        <button type="button" disabled={busy} onClick={() => void go(true)} data-testid="import-check-again">
          {t('checkAgain')}
        </button>{' '}
        {dryRun && (
          <button type="button" class="primary" disabled={busy} onClick={() => void go(false)} data-testid="import-now">
            {t('importNow')}
          </button>
        )}
      </p>
      <ProblemMessage error={error} />
    </section>
  );
}
