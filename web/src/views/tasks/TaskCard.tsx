/**
 * One task on the board: its facts, the changes of it still waiting on the device, and the
 * moves the role may make from its (projected) status. A move that needs a reason, and
 * completion (which cannot be undone), ask once more before they are made.
 */
import { useState } from 'preact/hooks';
import { Field, ProblemMessage, SubmitNotice } from '../../app/components.tsx';
import { useT } from '../../app/i18n.ts';
import { commonMessages } from '../../app/messages.ts';
import { submit } from '../../app/offline.ts';
import type { Role } from '../../app/session.ts';
import { allowedMoves, areaLabel, canReportProgress, transitionPath, type HazardArea, type Projection, type Task, type TaskStatus } from './data.ts';
import { taskMessages, type TaskKey } from './messages.ts';
import { ProgressForm } from './ProgressForm.tsx';

export interface TaskCardProps {
  task: Task;
  area: HazardArea | undefined;
  projection: Projection;
  role: Role;
  progressOpen?: boolean;
  /** A task the server answered with after a change. */
  onTask: (task: Task) => void;
  /** Read a task again (after a change whose answer is not the task). */
  onReload: (id: string) => Promise<void>;
}

/** The button label of a move: starting and resuming are both moves to IN_PROGRESS. */
export function actionKey(from: TaskStatus, to: TaskStatus): TaskKey {
  if (to === 'IN_PROGRESS') return from === 'SUSPENDED' ? 'action.resume' : 'action.start';
  return `action.${to}` as TaskKey;
}

/** A count as the device writes numbers; small whole numbers (most counts) without waking ICU's number formatting, which costs a first card ~15 ms on a phone. */
const number = (n: number) => (Number.isInteger(n) && Math.abs(n) < 1000 ? String(n) : n.toLocaleString());

export function TaskCard({ task, area, projection, role, progressOpen = false, onTask, onReload }: TaskCardProps) {
  const t = useT(taskMessages);
  const tc = useT(commonMessages);
  const [confirming, setConfirming] = useState<{ to: TaskStatus; reasonRequired: boolean } | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'sent' | 'queued' | undefined>(undefined);
  const [showProgress, setShowProgress] = useState(progressOpen);

  const status = projection.status;
  const moves = allowedMoves(status, role);
  const label = areaLabel(task, area);
  const waiting = projection.waiting.length > 0;

  async function move(to: TaskStatus, reasonRequired: boolean) {
    const why = reason.trim();
    if (reasonRequired && !why) {
      setReasonError(t('reasonMissing'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await submit({
        method: 'POST',
        path: transitionPath(task.id),
        body: why && reasonRequired ? { to, reason: why } : { to },
        ifMatch: projection.version,
        label: t('changeLabel', { action: t(actionKey(status, to)), area: label }),
      });
      setNotice(result.state);
      if (result.state === 'sent') onTask(result.body as Task);
      setConfirming(undefined);
      setReason('');
      setReasonError(undefined);
    } catch (e: unknown) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function choose(to: TaskStatus, reasonRequired: boolean) {
    setError(undefined);
    if (reasonRequired || to === 'COMPLETED' || to === 'CANCELLED') {
      setConfirming({ to, reasonRequired });
      setReason('');
      setReasonError(undefined);
    } else void move(to, false);
  }

  const stateOf = (c: { state: string }) =>
    c.state === 'sending' ? 'sending' : c.state === 'conflict' ? 'conflict' : c.state === 'failed' ? 'failed' : 'pending';

  return (
    <article
      class={`task-card border-${status}${waiting ? ' task-card-waiting' : ''}`}
      data-testid={`task-card-${task.id}`}
      data-status={status}
      aria-labelledby={`task-${task.id}-title`}
    >
      <header class="task-card-head">
        <h3 id={`task-${task.id}-title`} class="task-card-title">
          {label}
        </h3>
        <span class={`status-badge status-${status}`} data-testid="task-status">
          {tc(`task.${status}`)}
        </span>
      </header>
      <dl class="tb-facts">
        <div>
          <dt>{t('activity')}</dt>
          <dd>{t(`activity.${task.activityType}`)}</dd>
        </div>
        <div>
          <dt>{t('priority')}</dt>
          <dd>{task.priority}</dd>
        </div>
        <div>
          <dt>{t('planned')}</dt>
          <dd>
            {task.plannedStart} – {task.plannedEnd}
          </dd>
        </div>
        <div>
          <dt>{t('cleared')}</dt>
          <dd>{t('sqm', { value: number(task.areaClearedSqm) })}</dd>
        </div>
        <div>
          <dt>{t('eoFound')}</dt>
          <dd>{number(task.ordnanceFound)}</dd>
        </div>
        {task.statusReason && (status === 'SUSPENDED' || status === 'CANCELLED') && (
          <div class="tb-facts-wide">
            <dt>{t('reason')}</dt>
            <dd lang="">{task.statusReason}</dd>
          </div>
        )}
      </dl>
      {task.joint && <p class="tb-tag">{t('joint')}</p>}

      {(projection.waiting.length > 0 || projection.blocked.length > 0) && (
        <ul class="task-pending" data-testid="task-pending" aria-live="polite">
          {[...projection.waiting, ...projection.blocked].map((c) => (
            <li key={c.id} class={`pending-${stateOf(c)}`} data-state={c.state}>
              {t(stateOf(c), { label: c.label })}
            </li>
          ))}
        </ul>
      )}

      <SubmitNotice state={notice} />
      <ProblemMessage error={error} />

      {confirming ? (
        <form
          class="task-confirm"
          data-testid="task-confirm-form"
          onSubmit={(e) => {
            e.preventDefault();
            void move(confirming.to, confirming.reasonRequired);
          }}
        >
          {confirming.to === 'COMPLETED' && <p>{t('confirmComplete')}</p>}
          {confirming.reasonRequired && (
            <Field label={t('reasonFor', { action: t(actionKey(status, confirming.to)) })} error={reasonError}>
              <textarea
                id={`reason-${task.id}`}
                value={reason}
                maxLength={500}
                rows={2}
                required
                onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
                data-testid="task-reason"
              />
            </Field>
          )}
          <div class="actions">
            <button type="submit" class={confirming.to === 'CANCELLED' ? 'danger' : 'primary'} disabled={busy} data-testid="task-action-confirm">
              {t('confirm', { action: t(actionKey(status, confirming.to)) })}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(undefined)} disabled={busy} data-testid="task-action-back">
              {t('back')}
            </button>
          </div>
        </form>
      ) : (
        (moves.length > 0 || (status === 'IN_PROGRESS' && canReportProgress(role))) && (
          <div class="actions task-actions" role="group" aria-label={t('actions', { ref: label })}>
            {moves.map((m) => (
              <button
                type="button"
                key={m.to}
                class={m.to === 'CANCELLED' ? 'danger' : m.to === 'SUSPENDED' ? 'secondary' : 'primary'}
                disabled={busy}
                onClick={() => choose(m.to, m.reasonRequired)}
                data-testid={`task-action-${m.to}`}
              >
                {t(actionKey(status, m.to))}
              </button>
            ))}
            {status === 'IN_PROGRESS' && canReportProgress(role) && (
              <button
                type="button"
                class="secondary"
                aria-expanded={showProgress}
                onClick={() => {
                  setNotice(undefined);
                  setShowProgress(!showProgress);
                }}
                data-testid="task-progress-toggle"
              >
                {showProgress ? t('hideProgress') : t('reportProgress')}
              </button>
            )}
          </div>
        )
      )}

      {status === 'COMPLETED' && projection.waiting.length === 0 && canReportProgress(role) && (
        <p class="task-report-link">
          <a href={`#/report/${task.id}`} data-testid="task-report-link">
            {t(task.openReportId || task.acceptedReportId ? 'completionReportShow' : 'completionReport')}
          </a>
        </p>
      )}

      {showProgress && status === 'IN_PROGRESS' && canReportProgress(role) && (
        <ProgressForm
          task={task}
          areaName={label}
          onDone={async (state) => {
            setShowProgress(false);
            if (state === 'sent') {
              // The report changed the task (area, finds, version): its next move must carry the
              // new version, so the moves wait, and "sent" shows, until the card has it.
              setBusy(true);
              try {
                await onReload(task.id);
              } finally {
                setBusy(false);
              }
            }
            setNotice(state);
          }}
        />
      )}
    </article>
  );
}
