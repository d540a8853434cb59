/**
 * A household over time, for its registrars: verification, a member added (birth, arrival),
 * corrected, gone (with why) or made head, and the split dialog. Every change goes through the
 * offline queue with the household's If-Match, so a change queued offline never overwrites a newer
 * version: a stale one comes back as 412 and waits in the conflict panel.
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../../app/api.ts';
import { Field, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { submit } from '../../app/offline.ts';
import type { Session } from '../../app/session.ts';
import { ADD_REASONS, DEPARTURE_REASONS, RELATIONSHIPS, SEXES, VERIFICATION_METHODS, VERIFICATION_STATUSES, type Household } from '#shared/domain/household.ts';
import { householdMessages } from './messages.ts';
import { memberMessages } from './members-messages.ts';
import { REGISTRARS, shortId, useDateFormat } from './parts.tsx';
import { useOpenSites, useSiteLabel } from './sites.ts';

type Changed = (h: Household, etag: number | undefined) => void;
interface ChangeProps {
  household: Household;
  version: number;
  onChanged: Changed;
  onConflict: () => void;
}

const today = () => new Date().toISOString().slice(0, 10);
const NOT_HEAD = RELATIONSHIPS.filter((r) => r !== 'HEAD');

/** Sends one change with If-Match through the queue; answers the household when it was sent now. */
function useChange({ version, onChanged, onConflict }: ChangeProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const send = async (
    method: 'POST' | 'PATCH',
    path: string,
    body: unknown,
    label: string,
    pick: (b: unknown) => Household = (b) => b as Household,
  ): Promise<unknown> => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await submit({ method, path, body, ifMatch: version, label });
      setNotice(result.state);
      if (result.state === 'sent') onChanged(pick(result.body), result.etag);
      return result.state === 'sent' ? result.body : undefined;
    } catch (err: unknown) {
      setError(err);
      if (err instanceof ApiError && err.status === 412) onConflict();
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (path: string) => (error instanceof ApiError ? error.problem.errors?.find((e) => e.path === `body.${path}`)?.message : undefined);
  return { busy, error, notice, send, fieldError };
}

/** The verification line and links of a household, for everyone who reads it. */
export function VerificationFacts({ household }: { household: Household }) {
  const t = useT(memberMessages);
  const fmt = useDateFormat();
  const v = household.verification;
  return (
    <>
      <dt>{t('verify.current')}</dt>
      <dd data-testid="household-verification" data-status={v?.status ?? 'UNVERIFIED'}>
        {v
          ? t('verify.line', {
              status: t(`verify.${v.status}`),
              method: v.method ? t(`verify.${v.method}`) : t('verify.method.none'),
              date: v.date ? fmt(v.date, false) : fmt(v.recordedAt),
            })
          : t('verify.UNVERIFIED')}
      </dd>
      {household.splitFrom && (
        <>
          <dt>{t('split.done')}</dt>
          <dd>
            <a href={`#/households/${household.splitFrom.householdId}`}>{t('split.from', { id: shortId(household.splitFrom.householdId) })}</a>
          </dd>
        </>
      )}
      {household.splitInto && household.splitInto.length > 0 && (
        <>
          <dt>{t('split.done')}</dt>
          <dd data-testid="household-split-into">
            {household.splitInto.map((s, i) => (
              <span key={s.householdId}>
                {i > 0 && ', '}
                <a href={`#/households/${s.householdId}`}>{shortId(s.householdId)}</a>
              </span>
            ))}
          </dd>
        </>
      )}
    </>
  );
}

/** Members who left, with why and when. */
export function FormerMembers({ household }: { household: Household }) {
  const t = useT(memberMessages);
  const th = useT(householdMessages);
  const fmt = useDateFormat();
  if (!household.formerMembers?.length) return null;
  return (
    <>
      <h3>{t('members.former')}</h3>
      <ul data-testid="household-former-members">
        {household.formerMembers.map((m) => (
          <li key={m.id}>
            <span lang="">
              {m.givenName} {m.familyName}
            </span>{' '}
            ({th(`rel.${m.relationship}`)}) · {t('members.departed', { reason: t(`depart.${m.departure.reason}`), date: fmt(m.departure.date, false) })}
          </li>
        ))}
      </ul>
    </>
  );
}

export function MembersPanel(props: ChangeProps & { session: Session }) {
  if (!REGISTRARS.includes(props.session.role)) return null;
  return (
    <>
      <VerificationForm {...props} />
      <section aria-labelledby="members-change-title">
        <h2 id="members-change-title">{useT(memberMessages)('members.change')}</h2>
        <MemberChangeForm {...props} />
        <AddMemberForm {...props} />
        <SplitDialog {...props} />
      </section>
    </>
  );
}

function VerificationForm(props: ChangeProps) {
  const t = useT(memberMessages);
  const { household } = props;
  const [status, setStatus] = useState<string>(household.verification?.status ?? 'VERIFIED');
  const [method, setMethod] = useState('');
  const [date, setDate] = useState(today());
  const [by, setBy] = useState('');
  const { busy, error, notice, send, fieldError } = useChange(props);
  return (
    <section aria-labelledby="verify-title">
      <h2 id="verify-title">{t('verify.title')}</h2>
      <SubmitNotice state={notice} />
      <form
        class="form hh-form"
        data-testid="household-verification-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { status, ...(method ? { method } : {}), ...(date ? { date } : {}), ...(by.trim() ? { by: by.trim() } : {}) };
          await send(
            'POST',
            `/v1/households/${household.id}/verification`,
            body,
            `${t('verify.title')}: ${shortId(household.id)} → ${t(`verify.${status as 'VERIFIED'}`)}`,
          );
        }}
      >
        <Field label={t('verify.current')} error={fieldError('status')}>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} data-testid="verification-status">
            {VERIFICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`verify.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('verify.method')} error={fieldError('method')}>
          <select value={method} onChange={(e) => setMethod(e.currentTarget.value)} data-testid="verification-method">
            <option value="">{t('verify.method.none')}</option>
            {VERIFICATION_METHODS.map((m) => (
              <option key={m} value={m}>
                {t(`verify.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('verify.date')} error={fieldError('date')}>
          <input type="date" value={date} max={today()} onInput={(e) => setDate(e.currentTarget.value)} />
        </Field>
        <Field label={t('verify.by')} error={fieldError('by')}>
          <input value={by} maxLength={200} onInput={(e) => setBy(e.currentTarget.value)} />
        </Field>
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy} data-testid="verification-submit">
          {t('verify.submit')}
        </button>
      </form>
    </section>
  );
}

function AddMemberForm(props: ChangeProps) {
  const t = useT(memberMessages);
  const th = useT(householdMessages);
  const { household } = props;
  const [form, setForm] = useState({
    givenName: '',
    familyName: household.members[0]?.familyName ?? '',
    sex: 'F',
    birthYear: String(new Date().getUTCFullYear()),
    relationship: 'CHILD',
    reason: 'BIRTH',
    date: today(),
  });
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const { busy, error, notice, send, fieldError } = useChange(props);
  return (
    <form
      class="form hh-form"
      data-testid="member-add-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const body = {
          givenName: form.givenName.trim(),
          familyName: form.familyName.trim(),
          sex: form.sex,
          birthYear: Number(form.birthYear),
          relationship: form.relationship,
          specificNeeds: [],
          reason: form.reason,
          date: form.date,
        };
        if (await send('POST', `/v1/households/${household.id}/members`, body, `${t('members.add')}: ${shortId(household.id)}`))
          setForm({ ...form, givenName: '' });
      }}
    >
      <fieldset>
        <legend>{t('members.add')}</legend>
        <SubmitNotice state={notice} />
        <Field label={t('members.addReason')} error={fieldError('reason')}>
          <select value={form.reason} onChange={set('reason')} data-testid="member-add-reason">
            {ADD_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`add.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={th('form.givenName')} error={fieldError('givenName')}>
          <input value={form.givenName} required maxLength={100} onInput={set('givenName')} data-testid="member-add-given-name" />
        </Field>
        <Field label={th('form.familyName')} error={fieldError('familyName')}>
          <input value={form.familyName} required maxLength={100} onInput={set('familyName')} />
        </Field>
        <Field label={th('form.sex')} error={fieldError('sex')}>
          <select value={form.sex} onChange={set('sex')}>
            {SEXES.map((s) => (
              <option key={s} value={s}>
                {th(`sex.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('members.birthYear')} error={fieldError('birthYear')}>
          <input
            type="number"
            value={form.birthYear}
            required
            min={1900}
            max={new Date().getUTCFullYear()}
            onInput={set('birthYear')}
            data-testid="member-add-birth-year"
          />
        </Field>
        <Field label={th('form.relationship')} error={fieldError('relationship')}>
          <select value={form.relationship} onChange={set('relationship')}>
            {NOT_HEAD.map((r) => (
              <option key={r} value={r}>
                {th(`rel.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('members.date')} error={fieldError('date')}>
          <input type="date" value={form.date} max={today()} onInput={set('date')} />
        </Field>
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy} data-testid="member-add-submit">
          {t('members.addSubmit')}
        </button>
      </fieldset>
    </form>
  );
}

function MemberChangeForm(props: ChangeProps) {
  const t = useT(memberMessages);
  const th = useT(householdMessages);
  const { household } = props;
  const [memberId, setMemberId] = useState(household.members[0]?.id ?? '');
  const [action, setAction] = useState<'CORRECT' | 'DEPART' | 'HEAD'>('DEPART');
  const member = household.members.find((m) => m.id === memberId);
  const [reason, setReason] = useState('DECEASED');
  const [date, setDate] = useState(today());
  const [newHeadId, setNewHeadId] = useState('');
  const [formerHead, setFormerHead] = useState('OTHER_RELATIVE');
  const [fix, setFix] = useState<{ givenName?: string; familyName?: string; birthYear?: string }>({});
  const { busy, error, notice, send, fieldError } = useChange(props);
  const others = household.members.filter((m) => m.id !== memberId);
  const name = (m: { givenName: string; familyName: string }) => `${m.givenName} ${m.familyName}`;
  return (
    <form
      class="form hh-form"
      data-testid="member-change-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!member) return;
        const base = `/v1/households/${household.id}`;
        const label = `${t(`action.${action}`)}: ${shortId(household.id)}`;
        if (action === 'DEPART')
          await send('POST', `${base}/members/${member.id}/departure`, { reason, date, ...(member.relationship === 'HEAD' ? { newHeadId } : {}) }, label);
        else if (action === 'HEAD') await send('POST', `${base}/head`, { memberId: member.id, formerHeadRelationship: formerHead }, label);
        else {
          const body = {
            ...(fix.givenName?.trim() ? { givenName: fix.givenName.trim() } : {}),
            ...(fix.familyName?.trim() ? { familyName: fix.familyName.trim() } : {}),
            ...(fix.birthYear ? { birthYear: Number(fix.birthYear) } : {}),
          };
          if (await send('PATCH', `${base}/members/${member.id}`, body, label)) setFix({});
        }
      }}
    >
      <fieldset>
        <legend>{t('members.change')}</legend>
        <SubmitNotice state={notice} />
        <Field label={t('members.member')}>
          <select value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)} data-testid="member-change-member">
            {household.members.map((m) => (
              <option key={m.id} value={m.id} lang="">
                {name(m)} ({th(`rel.${m.relationship}`)})
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('members.action')}>
          <select value={action} onChange={(e) => setAction(e.currentTarget.value as typeof action)} data-testid="member-change-action">
            {(['DEPART', 'CORRECT', 'HEAD'] as const)
              .filter((a) => a !== 'HEAD' || member?.relationship !== 'HEAD')
              .map((a) => (
                <option key={a} value={a}>
                  {t(`action.${a}`)}
                </option>
              ))}
          </select>
        </Field>
        {action === 'DEPART' && (
          <>
            <Field label={t('members.departReason')} error={fieldError('reason')}>
              <select value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="member-departure-reason">
                {DEPARTURE_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`depart.${r}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('members.date')} error={fieldError('date')}>
              <input type="date" value={date} required max={today()} onInput={(e) => setDate(e.currentTarget.value)} />
            </Field>
            {member?.relationship === 'HEAD' && (
              <Field label={t('members.newHead')} error={fieldError('newHeadId')}>
                <select value={newHeadId} required onChange={(e) => setNewHeadId(e.currentTarget.value)} data-testid="member-departure-new-head">
                  <option value="">{th('form.choose')}</option>
                  {others.map((m) => (
                    <option key={m.id} value={m.id} lang="">
                      {name(m)}
                    </option>
                  ))}
                </select>
              </Field>
            )}
          </>
        )}
        {action === 'HEAD' && (
          <Field label={t('members.formerHeadRelationship')} error={fieldError('formerHeadRelationship')}>
            <select value={formerHead} onChange={(e) => setFormerHead(e.currentTarget.value)}>
              {NOT_HEAD.map((r) => (
                <option key={r} value={r}>
                  {th(`rel.${r}`)}
                </option>
              ))}
            </select>
          </Field>
        )}
        {action === 'CORRECT' && member && (
          <>
            <Field label={th('form.givenName')} error={fieldError('givenName')}>
              <input value={fix.givenName ?? member.givenName} maxLength={100} onInput={(e) => setFix({ ...fix, givenName: e.currentTarget.value })} />
            </Field>
            <Field label={th('form.familyName')} error={fieldError('familyName')}>
              <input value={fix.familyName ?? member.familyName} maxLength={100} onInput={(e) => setFix({ ...fix, familyName: e.currentTarget.value })} />
            </Field>
            <Field label={t('members.birthYear')} error={fieldError('birthYear')}>
              <input
                type="number"
                value={fix.birthYear ?? String(member.birthYear)}
                min={1900}
                max={new Date().getUTCFullYear()}
                onInput={(e) => setFix({ ...fix, birthYear: e.currentTarget.value })}
              />
            </Field>
          </>
        )}
        <ProblemMessage error={error} />
        <button type="submit" class="primary" disabled={busy || !member} data-testid="member-change-submit">
          {t('members.apply')}
        </button>
      </fieldset>
    </form>
  );
}

function SplitDialog(props: ChangeProps) {
  const t = useT(memberMessages);
  const th = useT(householdMessages);
  const { household } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [head, setHead] = useState('');
  const [remainingHeadId, setRemainingHeadId] = useState('');
  const [place, setPlace] = useState('');
  const [created, setCreated] = useState<string | undefined>(undefined);
  const sites = useOpenSites(household.country).filter((x) => x.id !== household.current.siteId);
  const siteLabel = useSiteLabel();
  const { busy, error, notice, send, fieldError } = useChange(props);
  const headLeaves = household.members.some((m) => m.relationship === 'HEAD' && chosen.includes(m.id));
  const staying = household.members.filter((m) => !chosen.includes(m.id));
  const name = (m: { givenName: string; familyName: string }) => `${m.givenName} ${m.familyName}`;
  return (
    <>
      <p>
        <button type="button" onClick={() => dialog.current?.showModal()} data-testid="household-split-open">
          {t('split.open')}
        </button>
        {created && (
          <>
            {' '}
            {t('split.done')}: <a href={`#/households/${created}`}>{shortId(created)}</a>
          </>
        )}
      </p>
      <SubmitNotice state={notice} />
      <dialog ref={dialog} aria-labelledby="split-title" data-testid="household-split-dialog">
        <form
          class="form hh-form"
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            const site = sites.find((x) => x.id === place);
            const body = {
              memberIds: chosen,
              ...(head ? { head } : {}),
              ...(headLeaves ? { remainingHeadId } : {}),
              ...(site ? { current: { province: site.province, siteId: site.id } } : {}),
            };
            const answer = (await send(
              'POST',
              `/v1/households/${household.id}/split`,
              body,
              `${t('split.title')}: ${shortId(household.id)}`,
              (b) => (b as { household: Household }).household,
            )) as { newHousehold: Household } | undefined;
            if (answer) {
              setCreated(answer.newHousehold.id);
              setChosen([]);
              dialog.current?.close();
            }
          }}
        >
          <h2 id="split-title">{t('split.title')}</h2>
          <p class="hh-hint">{t('split.hint')}</p>
          <fieldset class="hh-checks">
            <legend>{t('split.members')}</legend>
            {household.members.map((m) => (
              <label class="hh-check" key={m.id}>
                <input
                  type="checkbox"
                  checked={chosen.includes(m.id)}
                  onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, m.id] : chosen.filter((id) => id !== m.id))}
                  data-testid="household-split-member"
                />
                <span lang="">{name(m)}</span> ({th(`rel.${m.relationship}`)})
              </label>
            ))}
          </fieldset>
          <Field label={t('split.head')} error={fieldError('head')}>
            <select value={head} onChange={(e) => setHead(e.currentTarget.value)} data-testid="household-split-head">
              <option value="">{th('form.choose')}</option>
              {household.members
                .filter((m) => chosen.includes(m.id))
                .map((m) => (
                  <option key={m.id} value={m.id} lang="">
                    {name(m)}
                  </option>
                ))}
            </select>
          </Field>
          {headLeaves && (
            <Field label={t('split.remainingHead')} error={fieldError('remainingHeadId')}>
              <select value={remainingHeadId} required onChange={(e) => setRemainingHeadId(e.currentTarget.value)} data-testid="household-split-remaining-head">
                <option value="">{th('form.choose')}</option>
                {staying.map((m) => (
                  <option key={m.id} value={m.id} lang="">
                    {name(m)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field label={t('split.place')} error={fieldError('current') ?? fieldError('current.siteId')}>
            <select value={place} onChange={(e) => setPlace(e.currentTarget.value)}>
              <option value="">{t('split.samePlace')}</option>
              {sites.map((x) => (
                <option key={x.id} value={x.id}>
                  {siteLabel(x)}
                </option>
              ))}
            </select>
          </Field>
          <ProblemMessage error={error} />
          <p>
            <button type="submit" class="primary" disabled={busy || chosen.length === 0 || staying.length === 0} data-testid="household-split-submit">
              {t('split.submit')}
            </button>{' '}
            <button type="button" onClick={() => dialog.current?.close()}>
              {t('split.cancel')}
            </button>
          </p>
        </form>
      </dialog>
    </>
  );
}
