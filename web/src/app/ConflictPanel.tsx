/**
 * Changes the server did not take and that need the user: conflicts (412, the record changed
 * since the change was made; never overwritten silently) with "discard my change" and "retry on
 * the latest version", and refusals (other 4xx) to read and dismiss.
 */
import { useState } from 'preact/hooks';
import { ApiError } from './api.ts';
import { ProblemMessage } from './components.tsx';
import { useLang, useT } from './i18n.ts';
import { commonMessages } from './messages.ts';
import { discardChange, retryChangeOnLatest, usePendingChanges, type PendingChange } from './offline.ts';

function When({ iso }: { iso: string }) {
  const [lang] = useLang();
  const date = new Date(iso);
  return (
    <time dateTime={iso}>{date.toLocaleString(lang === 'km' ? 'km-KH' : lang === 'th' ? 'th-TH' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })}</time>
  );
}

function Item({ change }: { change: PendingChange }) {
  const t = useT(commonMessages);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e: unknown) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const conflict = change.state === 'conflict';
  return (
    <li class="conflict-item" data-testid={conflict ? 'conflict-item' : 'failed-item'} data-change-id={change.id}>
      <p>
        <strong>{change.label}</strong> · <When iso={change.createdAt} />
      </p>
      {change.problem && <ProblemMessage error={new ApiError(change.problem)} />}
      <ProblemMessage error={error} />
      <div class="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() => act(() => discardChange(change.id))}
          data-testid={conflict ? 'conflict-discard' : 'failed-dismiss'}
        >
          {t(conflict ? 'conflict.discard' : 'failed.dismiss')}
        </button>
        {conflict && (
          <button type="button" class="primary" disabled={busy} onClick={() => act(() => retryChangeOnLatest(change.id))} data-testid="conflict-retry">
            {t('conflict.retry')}
          </button>
        )}
      </div>
    </li>
  );
}

export function ConflictPanel() {
  const t = useT(commonMessages);
  const changes = usePendingChanges();
  const conflicts = changes.filter((c) => c.state === 'conflict');
  const failed = changes.filter((c) => c.state === 'failed');
  if (conflicts.length === 0 && failed.length === 0) return null;
  return (
    <aside class="conflicts" aria-labelledby="conflicts-title" data-testid="conflict-panel">
      {conflicts.length > 0 && (
        <>
          <h2 id="conflicts-title">{t('conflict.title')}</h2>
          <p>{t('conflict.intro')}</p>
          <ul>
            {conflicts.map((c) => (
              <Item key={c.id} change={c} />
            ))}
          </ul>
        </>
      )}
      {failed.length > 0 && (
        <>
          <h2 id={conflicts.length > 0 ? undefined : 'conflicts-title'}>{t('failed.title')}</h2>
          <ul>
            {failed.map((c) => (
              <Item key={c.id} change={c} />
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
