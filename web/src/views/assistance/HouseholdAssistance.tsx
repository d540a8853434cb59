/**
 * The assistance part of a household's page: the card with its registration code and QR code
 * (printed from the browser; the QR encoder is loaded only when the card is shown), the record
 * form for relief agencies (through the offline queue, with an Idempotency-Key: a record made
 * without signal is sent once when it returns), and the assistance received.
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../app/api.ts';
import { ProblemMessage, Spinner, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import type { Session } from '../../app/session.ts';
import { formatRegistrationCode, type AssistanceRecord, type AssistanceType } from '#shared/domain/assistance-rules.ts';
import type { Household } from '#shared/domain/household.ts';
import { assistanceMessages } from './messages.ts';
import { AssistanceFields, assistanceBody, emptyAssistance } from './parts.tsx';
import { qrPath, type QrPath } from './qr.ts';
import './assistance.css';

export function HouseholdAssistance({ household, session }: { household: Household; session: Session }) {
  const [refresh, setRefresh] = useState(0);
  return (
    <>
      {household.code && <HouseholdCard household={household} />}
      {session.role === 'relief' && <RecordForm householdId={household.id} onRecorded={() => setRefresh((n) => n + 1)} />}
      <Received key={refresh} householdId={household.id} />
    </>
  );
}

/** The card: household, head, size, the code in large print and its QR code. */
function HouseholdCard({ household }: { household: Household }) {
  const t = useT(assistanceMessages);
  const [shown, setShown] = useState(false);
  const [qr, setQr] = useState<QrPath | 'failed' | undefined>(undefined);
  const code = formatRegistrationCode(household.code!);
  useEffect(() => {
    if (!shown || qr) return;
    qrPath(code).then(setQr, () => setQr('failed'));
  }, [shown, code]);
  const head = household.members.find((m) => m.relationship === 'HEAD') ?? household.members[0];
  return (
    <section aria-labelledby="hh-card-title">
      <h2 id="hh-card-title">{t('card.title')}</h2>
      <p>
        {t('card.code')}:{' '}
        <strong class="as-code-inline" data-testid="household-code">
          {code}
        </strong>
      </p>
      <p class="as-actions">
        <button type="button" onClick={() => setShown(!shown)} aria-expanded={shown} data-testid="household-card-toggle">
          {shown ? t('card.hide') : t('card.show')}
        </button>
        {shown && (
          <button type="button" class="primary" onClick={() => window.print()} data-testid="household-card-print">
            {t('card.print')}
          </button>
        )}
      </p>
      {shown && (
        <div class="as-card" data-testid="household-card">
          <p class="as-card-heading">{t('card.heading')}</p>
          <dl>
            <dt>{t('card.head')}</dt>
            <dd lang="">{head ? `${head.givenName} ${head.familyName}` : '–'}</dd>
            <dt>{t('card.size')}</dt>
            <dd>{household.members.length}</dd>
            <dt>{t('card.household')}</dt>
            <dd>
              <code>{household.id}</code>
            </dd>
          </dl>
          <p class="as-card-code">{code}</p>
          {qr === undefined && <Spinner label={t('card.qrLoading')} />}
          {qr === 'failed' && <p>{t('card.qrFailed')}</p>}
          {qr && qr !== 'failed' && (
            <svg
              class="as-qr"
              viewBox={`0 0 ${qr.size} ${qr.size}`}
              role="img"
              aria-label={t('card.qrLabel', { code })}
              data-testid="household-qr"
              shape-rendering="crispEdges"
            >
              <rect width={qr.size} height={qr.size} fill="#fff" />
              <path d={qr.d} fill="#000" />
            </svg>
          )}
        </div>
      )}
    </section>
  );
}

function RecordForm({ householdId, onRecorded }: { householdId: string; onRecorded: () => void }) {
  const t = useT(assistanceMessages);
  const [value, setValue] = useState(emptyAssistance);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  return (
    <section aria-labelledby="hh-assist-title">
      <h2 id="hh-assist-title">{t('record.household')}</h2>
      <SubmitNotice state={notice} />
      <form
        class="form hh-form"
        data-testid="household-assistance-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          setNotice(undefined);
          try {
            const result = await submit({
              method: 'POST',
              path: `/v1/households/${householdId}/assistance`,
              body: assistanceBody(value),
              label: `${t('record.household')}: ${householdId.slice(-8)} · ${t(`type.${value.type as AssistanceType}`)} ${value.round}`,
            });
            setNotice(result.state);
            setValue(emptyAssistance());
            if (result.state === 'sent') onRecorded();
          } catch (err: unknown) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <AssistanceFields value={value} onChange={setValue} error={error} testid="household-assistance" />
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy} data-testid="household-assistance-submit">
          {t('record.submit')}
        </button>
      </form>
    </section>
  );
}

function Received({ householdId }: { householdId: string }) {
  const t = useT(assistanceMessages);
  const tc = useT(commonMessages);
  const [items, setItems] = useState<AssistanceRecord[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const load = async (cursor?: string) => {
    try {
      const res = await request<{ items: AssistanceRecord[]; next: string | null }>(
        'GET',
        `/v1/households/${encodeURIComponent(householdId)}/assistance?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      setItems((before) => (cursor && before ? [...before, ...res.body.items] : res.body.items));
      setNext(res.body.next);
    } catch (e: unknown) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
  }, [householdId]);
  return (
    <section aria-labelledby="hh-received-title">
      <h2 id="hh-received-title">{t('recorded.title')}</h2>
      <ProblemMessage error={error} />
      {!items && !error && <Spinner />}
      {items && items.length === 0 && <p>{t('recorded.none')}</p>}
      {items && items.length > 0 && (
        <div class="hh-scroll" tabIndex={0}>
          <table class="table" data-testid="household-assistance">
            <thead>
              <tr>
                <th scope="col">{t('col.date')}</th>
                <th scope="col">{t('col.type')}</th>
                <th scope="col">{t('col.round')}</th>
                <th scope="col">{t('col.quantity')}</th>
                <th scope="col">{t('col.org')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>{r.date}</td>
                  <td>{t(`type.${r.type}`)}</td>
                  <td>{r.round}</td>
                  <td>
                    {r.quantity} {r.unit}
                  </td>
                  <td>{r.org}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {tc('more')}
        </button>
      )}
    </section>
  );
}
