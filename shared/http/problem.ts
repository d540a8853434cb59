/**
 * RFC 9457 problem details. Every error a client can see is one of these classes; one
 * `onError` (see `app.ts`) turns them into `application/problem+json`.
 */
import { ConflictError, DomainError, InvalidInput, NotFoundError, StaleVersion, type FieldProblem } from '../errors.ts';

export type FieldError = FieldProblem;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const typeUri = (slug: string) => `urn:clearway:problem:${slug}`;

export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: typeUri(this.slug),
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export class BadRequest extends HttpProblem {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, errors ? 'validation-error' : 'bad-request', errors ? 'Invalid request' : 'Bad request', detail, errors ? { errors } : {});
  }
}

export class Unauthorized extends HttpProblem {
  constructor(detail: string) {
    super(401, 'unauthorized', 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="clearway"' } });
  }
}

export class Forbidden extends HttpProblem {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFound extends HttpProblem {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class Conflict extends HttpProblem {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super(409, 'conflict', 'Conflict', detail, extensions ? { extensions } : {});
  }
}

/** A resource that existed and was removed for good (an erased household). */
export class Gone extends HttpProblem {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super(410, 'gone', 'Gone', detail, extensions ? { extensions } : {});
  }
}

export class PreconditionFailed extends HttpProblem {
  constructor(detail: string, currentVersion?: number) {
    super(412, 'precondition-failed', 'Precondition failed', detail, currentVersion === undefined ? {} : { extensions: { currentVersion } });
  }
}

export class PayloadTooLarge extends HttpProblem {
  constructor(limitBytes: number) {
    super(413, 'payload-too-large', 'Payload too large', `The request body exceeds the limit of ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaType extends HttpProblem {
  constructor(expected: string, got: string | undefined) {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Send the body as ${expected}${got ? `, not ${got}` : ' (the Content-Type header is missing)'}.`,
    );
  }
}

export class TooManyRequests extends HttpProblem {
  constructor(rule: string, limit: number, windowSeconds: number, retryAfterSeconds: number) {
    super(
      429,
      'too-many-requests',
      'Too many requests',
      `You sent more than ${limit} requests of this kind (${rule}) in ${windowSeconds} seconds; try again in ${retryAfterSeconds} seconds.`,
      {
        headers: { 'Retry-After': String(retryAfterSeconds) },
      },
    );
  }
}

/** The store is down or shedding load: a transient failure the client may retry after `retryAfterSeconds`. */
export class ServiceUnavailable extends HttpProblem {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, 'service-unavailable', 'Service unavailable', detail, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}

export class PreconditionRequired extends HttpProblem {
  constructor() {
    super(
      428,
      'precondition-required',
      'Precondition required',
      'This change needs an If-Match header with the ETag of the version you read (for example If-Match: "3").',
    );
  }
}

/** The problem of an error the domain or the store raised (`shared/errors.ts`); a bug stays undefined, and a 500. */
export function problemOf(e: unknown): HttpProblem | undefined {
  if (e instanceof HttpProblem) return e;
  if (!(e instanceof DomainError)) return undefined;
  const extensions = Object.keys(e.extensions).length ? e.extensions : undefined;
  if (e instanceof InvalidInput) return new BadRequest(e.message, e.errors);
  if (e instanceof NotFoundError) return new NotFound(e.message);
  if (e instanceof StaleVersion) return new PreconditionFailed(e.message, e.currentVersion);
  if (e instanceof ConflictError) return new Conflict(e.message, extensions);
  return new Conflict(e.message, extensions);
}
