/**
 * Errors of the domain and the store, free of HTTP: repositories and domain code throw these,
 * and the API's one `onError` turns each into its problem+json (`problemOf` in
 * `shared/http/problem.ts`). Handlers that are not HTTP (importer, queue consumers) catch them by class.
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export class DomainError extends Error {
  /** Extra members of the problem document (`reason`, `cap`, ...): never personal data. */
  readonly extensions: Record<string, unknown>;
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

/** Input the domain refuses (a 400): `errors` name the fields. */
export class InvalidInput extends DomainError {
  readonly errors: FieldProblem[] | undefined;
  constructor(message: string, errors?: FieldProblem[]) {
    super(message);
    this.errors = errors;
  }
}

/** No such record in the caller's view (a 404). */
export class NotFoundError extends DomainError {}

/** The change contradicts what is stored (a 409): a record that already exists, a cap reached. */
export class ConflictError extends DomainError {}

/** The record changed since the version the change was based on (a 412). */
export class StaleVersion extends DomainError {
  readonly currentVersion: number | undefined;
  constructor(message: string, currentVersion?: number) {
    super(message, currentVersion === undefined ? {} : { currentVersion });
    this.currentVersion = currentVersion;
  }
}

/**
 * Refuses a change based on another version than the stored one: `what` names the record for
 * the message ("household", "task", ...).
 */
export function checkVersion(record: { version: number }, expected: number, what: string): void {
  if (record.version !== expected)
    throw new StaleVersion(`The ${what} is at version ${record.version}, not ${expected}: read it again and reapply your change.`, record.version);
}
