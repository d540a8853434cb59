/** Building blocks every view uses: error display, labelled fields, a spinner, a page frame. */
import { cloneElement, isValidElement, type ComponentChildren, type VNode } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { ApiError, NETWORK_ERROR } from './api.ts';
import { useT } from './i18n.ts';
import { commonMessages, type CommonKey } from './messages.ts';

const TITLED = new Set([400, 401, 403, 404, 409, 412, 413, 415, 428]);

/** The translated heading for an error status. */
export function errorKey(status: number): CommonKey {
  if (status === NETWORK_ERROR) return 'error.network';
  if (TITLED.has(status)) return `error.${status}` as CommonKey;
  return status >= 500 ? 'error.500' : 'error.heading';
}

/**
 * An API error for the user: a translated heading by status, then the server's detail and each
 * field error (the server writes those in English; the heading is always in the chosen language).
 */
export function ProblemMessage({ error }: { error: unknown }) {
  const t = useT(commonMessages);
  if (error === undefined || error === null) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const status = problem?.status ?? -1;
  return (
    <div class="problem" role="alert" data-testid="problem">
      <p class="problem-title">
        <strong>{t(problem ? errorKey(status) : 'error.heading')}</strong>
      </p>
      {problem?.detail && status !== NETWORK_ERROR && <p lang="en">{problem.detail}</p>}
      {problem?.errors && problem.errors.length > 0 && (
        <ul lang="en">
          {problem.errors.map((e) => (
            <li key={e.path}>
              <code>{e.path.replace(/^body\./, '')}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {!problem && error instanceof Error && <p lang="en">{error.message}</p>}
    </div>
  );
}

/**
 * A label, one control and its error. The control (the single child) gets the id the label
 * points to, and `aria-describedby` / `aria-invalid` when there is an error or a hint.
 */
export function Field({ label, error, hint, children }: { label: string; error?: string | undefined; hint?: string | undefined; children: ComponentChildren }) {
  const generated = useId();
  const child = isValidElement(children) ? (children as VNode<Record<string, unknown>>) : undefined;
  const id = (child?.props.id as string | undefined) ?? `f${generated}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const control = child ? cloneElement(child, { id, 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : undefined }) : children;
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {control}
      {error && (
        <p class="error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  const t = useT(commonMessages);
  return (
    <p class="spinner" role="status" aria-live="polite">
      <span class="spinner-dot" aria-hidden="true" />
      {label ?? t('loading')}
    </p>
  );
}

/** A view's frame: its heading (focused on route change, so screen readers announce it) and content. */
export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Clearway`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A short status line after a submit: saved, or kept on the device to send later. */
export function SubmitNotice({ state }: { state: 'sent' | 'queued' | undefined }) {
  const t = useT(commonMessages);
  if (!state) return null;
  return (
    <p class={`notice notice-${state}`} role="status" data-testid="submit-notice" data-state={state}>
      {t(state === 'sent' ? 'sentNotice' : 'queuedNotice')}
    </p>
  );
}
