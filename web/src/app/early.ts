/**
 * Reads the boot script (web/src/boot.ts) started before the console's modules arrived: a
 * response by URL and bearer token, which the API client (api.ts) takes once instead of asking
 * again. No dependency, so the boot script stays a few hundred bytes.
 */
interface EarlyRead {
  url: string;
  token: string;
  response: Promise<Response>;
}

const early = (): EarlyRead[] => {
  const g = globalThis as { __clearwayEarly?: EarlyRead[] };
  return (g.__clearwayEarly ??= []);
};

/** Starts a GET the console will make, as the API client makes it (same headers). */
export function startEarlyRead(url: string, token: string): void {
  const response = fetch(url, { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` }, cache: 'no-store' });
  response.catch(() => undefined); // the API client sees the failure when it takes it
  early().push({ url, token, response });
}

/** The early response for this URL and token, once; undefined when there is none. */
export function takeEarlyRead(url: string, token: string): Promise<Response> | undefined {
  const list = early();
  const i = list.findIndex((r) => r.url === url && r.token === token);
  if (i < 0) return undefined;
  return list.splice(i, 1)[0]!.response;
}

/** The URL of a list's first page, as `listAll` asks for it. */
export const firstPage = (path: string): string => `${path}${path.includes('?') ? '&' : '?'}limit=100`;

/** Where the configuration from the last start is kept (auth.ts). */
export const CONFIG_STORAGE_KEY = 'clearway.config';
/** The page's own copy of the configuration, when the server writes one in (the local server does). */
export const inlineConfig = (): string | undefined => document.querySelector<HTMLMetaElement>('meta[name="clearway-config"]')?.content || undefined;
