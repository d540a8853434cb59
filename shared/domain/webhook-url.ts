/**
 * Which URLs a notification subscription may point at. Pure: no I/O (no DNS), unit-tested in
 * `test/unit/webhook-url.test.ts`.
 *
 * The platform POSTs events to these URLs from inside AWS, so a URL is a way to make it send
 * requests: to the instance metadata service, to the VPC, to itself. The check at subscription
 * time refuses what the URL itself shows (scheme, IP literals, local names); a host name can still
 * resolve to a private address, or be re-pointed at one later (DNS rebinding), so the deliverer
 * resolves the name at delivery time and checks every address with {@link isPublicAddress}.
 */

/** Host names that reach the cloud metadata service or the machine itself. */
const BLOCKED_HOSTS = new Set(['localhost', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal', 'metadata']);
/** Suffixes of names that never resolve on the public Internet. */
const BLOCKED_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa'];
/** Hosts that a local run (`npm start`, tests) may call over plain HTTP. */
const LOCAL_HTTP_HOSTS = new Set(['localhost', '127.0.0.1']);

type Range = readonly [base: bigint, prefixLength: number];

const v4 = (a: number, b: number, c: number, d: number): bigint => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);

/** IPv4 ranges that are not the public Internet (RFC 6890 special-purpose registry, the parts that matter). */
const NON_PUBLIC_V4: readonly Range[] = [
  [v4(0, 0, 0, 0), 8], // "this network"
  [v4(10, 0, 0, 0), 8], // private
  [v4(100, 64, 0, 0), 10], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8], // loopback
  [v4(169, 254, 0, 0), 16], // link-local, incl. the metadata service 169.254.169.254
  [v4(172, 16, 0, 0), 12], // private
  [v4(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24], // documentation
  [v4(192, 168, 0, 0), 16], // private
  [v4(198, 18, 0, 0), 15], // benchmarking
  [v4(198, 51, 100, 0), 24], // documentation
  [v4(203, 0, 113, 0), 24], // documentation
  [v4(224, 0, 0, 0), 4], // multicast
  [v4(240, 0, 0, 0), 4], // reserved, incl. broadcast
];

const v6 = (text: string): bigint => parseIpv6(text)!;

/** IPv6 ranges that are not the public Internet, apart from those that embed an IPv4 address (checked by that address). */
const NON_PUBLIC_V6: readonly Range[] = [
  [v6('::'), 96], // unspecified, loopback ::1 and the deprecated IPv4-compatible addresses
  [v6('64:ff9b:1::'), 48], // local-use IPv4/IPv6 translation (RFC 8215): reaches the operator's own IPv4 networks
  [v6('100::'), 64], // discard-only
  [v6('2001::'), 32], // Teredo: tunnels to any IPv4 address (obfuscated in the address, so refused whole)
  [v6('2001:2::'), 48], // benchmarking
  [v6('2001:10::'), 28], // ORCHID (deprecated)
  [v6('2001:20::'), 28], // ORCHIDv2
  [v6('2001:db8::'), 32], // documentation
  [v6('3fff::'), 20], // documentation (RFC 9637)
  [v6('5f00::'), 16], // SRv6 segment identifiers (RFC 9602)
  [v6('fc00::'), 7], // unique-local
  [v6('fe80::'), 10], // link-local
  [v6('fec0::'), 10], // site-local (deprecated, still routed inside some networks)
  [v6('ff00::'), 8], // multicast
];

/** IPv6 prefixes whose addresses carry an IPv4 address, and where it sits (bit offset from the right). */
const EMBEDS_V4: readonly (readonly [base: bigint, prefixLength: number, shift: bigint])[] = [
  [v6('::ffff:0:0'), 96, 0n], // IPv4-mapped (::ffff:a.b.c.d)
  [v6('::ffff:0:0:0'), 96, 0n], // IPv4-translated (RFC 2765, ::ffff:0:a.b.c.d)
  [v6('64:ff9b::'), 96, 0n], // NAT64 well-known prefix
  [v6('2002::'), 16, 80n], // 6to4
];

const inRange = (address: bigint, [base, prefix]: Range, bits: number): boolean => address >> BigInt(bits - prefix) === base >> BigInt(bits - prefix);

/** Dotted-quad IPv4 (the only form `new URL` and DNS lookups produce) as a number; undefined otherwise. */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  return v4(a, b, c, d);
}

/** An IPv6 address (with `::` and an optional dotted IPv4 tail, no zone) as a number; undefined otherwise. */
function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-f:.]+$/i.test(text)) return undefined;
  let head = text;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (ipv4 === undefined) return undefined;
    tail = [ipv4 >> 16n, ipv4 & 0xffffn];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (![...left, ...right].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const words = [...left.map((g) => BigInt(`0x${g}`)), ...Array<bigint>(8 - explicit).fill(0n), ...right.map((g) => BigInt(`0x${g}`)), ...tail];
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/**
 * True when `ip` (an IPv4 dotted quad or an IPv6 address, without brackets) is a public Internet
 * address: not private, loopback, link-local, unique-local, carrier-grade NAT, "this network",
 * multicast, reserved or documentation space. IPv6 forms that embed an IPv4 address (mapped,
 * translated, NAT64, 6to4) are judged by that address; Teredo and local-use NAT64, whose IPv4
 * address cannot be read off reliably, are never public. Anything that is not an IP address is not public.
 *
 * The deliverer calls this on every address a subscription's host name resolves to, right
 * before each delivery (DNS rebinding).
 */
export function isPublicAddress(ip: string): boolean {
  const ipv4 = parseIpv4(ip);
  if (ipv4 !== undefined) return !NON_PUBLIC_V4.some((r) => inRange(ipv4, r, 32));
  const ipv6 = parseIpv6(ip);
  if (ipv6 === undefined) return false;
  for (const [base, prefix, shift] of EMBEDS_V4) {
    if (inRange(ipv6, [base, prefix], 128)) return isPublicAddress(ipv4Text((ipv6 >> shift) & 0xffffffffn));
  }
  return !NON_PUBLIC_V6.some((r) => inRange(ipv6, r, 128));
}

const ipv4Text = (n: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');

/**
 * The platform's webhook allow list (`WEBHOOK_ALLOW_LIST`, the CDK context `webhookAllowList`):
 * comma-separated host names, `*.example.org` standing for any subdomain of example.org.
 * Entries are trimmed and lower-cased; an absent or blank value is the empty list (no restriction).
 */
export function parseAllowList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase().replace(/\.$/, ''))
    .filter((entry) => entry !== '');
}

/**
 * True when `host` may be called under `allowList`: the list is empty (no restriction), names the
 * host exactly, or holds `*.<domain>` and the host is a subdomain of it (at any depth; the domain
 * itself is not matched by the wildcard, list it apart). Case and a trailing dot are ignored;
 * IPv6 literals may come with or without brackets.
 */
export function isHostAllowed(host: string, allowList: readonly string[]): boolean {
  if (allowList.length === 0) return true;
  const name = host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  return allowList.some((entry) => {
    const allowed = entry
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^\[(.*)\]$/, '$1');
    return allowed.startsWith('*.') ? name.endsWith(allowed.slice(1)) && name.length > allowed.length - 1 : name === allowed;
  });
}

/** The only port webhooks are called on, on AWS, unless `WEBHOOK_PORTS` says otherwise. */
export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [443];

/**
 * `WEBHOOK_PORTS` (shared/config.ts): comma-separated port numbers; undefined when absent or
 * blank (then {@link allowedPorts} applies the default).
 */
export function parsePortList(value: string | undefined): number[] | undefined {
  const ports = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(Number);
  return ports.length > 0 ? ports : undefined;
}

/** The ports a webhook may use: those configured; else 443 on AWS and any locally (undefined). */
export const allowedPorts = (allowLocal: boolean, allowPorts: readonly number[] | undefined): readonly number[] | undefined =>
  allowPorts ?? (allowLocal ? undefined : DEFAULT_WEBHOOK_PORTS);

/** The port a URL is called on: its own, or its scheme's. */
export const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/**
 * Is this port one a webhook may be called on? In a local run, receivers on this machine
 * (localhost, 127.0.0.0/8, ::1) may use any port: tests and developers start them on free ones.
 */
export function isPortAllowed(url: URL, { allowLocal, allowPorts }: { allowLocal: boolean; allowPorts?: readonly number[] | undefined }): boolean {
  const ports = allowedPorts(allowLocal, allowPorts);
  if (!ports) return true;
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (allowLocal && (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) return true;
  return ports.includes(portOf(url));
}

export interface WebhookUrlOptions {
  /**
   * A local run (`RUNTIME=local`): plain HTTP to `localhost` and `127.0.0.1` is allowed, and
   * HTTPS to any host, so that a receiver on the developer's machine can be subscribed.
   */
  allowLocal: boolean;
  /**
   * The platform's allow list (see {@link parseAllowList}); when non-empty, only URLs whose host
   * it matches ({@link isHostAllowed}) are accepted, locally too.
   * @default [] (no restriction)
   */
  allowHosts?: readonly string[];
  /**
   * Ports webhooks may use (`WEBHOOK_PORTS`); locally, receivers on this machine may use any.
   * @default [443] on AWS; any port locally
   */
  allowPorts?: readonly number[] | undefined;
}

/**
 * Checks a subscription URL before it is stored. Returns why it is refused, or undefined when
 * it is acceptable. On AWS: `https:` only, no credentials in the URL, and a host that is
 * neither a non-public IP literal (see {@link isPublicAddress}) nor a local or metadata name
 * (`localhost`, `instance-data`, `metadata.google.internal`, `*.internal`, single-label names),
 * on port 443 unless `allowPorts` names others. Everywhere: a host outside a non-empty
 * `allowHosts` is refused, and a port outside a given `allowPorts` (except to this machine locally).
 */
export function checkWebhookUrl(url: string, { allowLocal, allowHosts = [], allowPorts }: WebhookUrlOptions): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (!isHostAllowed(host, allowHosts)) return `must point at a host on the platform's webhook allow list (${allowHosts.join(', ')}); ${host} is not on it`;
  const portRefusal = isPortAllowed(parsed, { allowLocal, allowPorts })
    ? undefined
    : `must use port ${allowedPorts(allowLocal, allowPorts)!.join(' or ')}; port ${portOf(parsed)} is not called`;
  if (allowLocal) {
    if (parsed.protocol === 'https:') return portRefusal;
    if (parsed.protocol === 'http:' && LOCAL_HTTP_HOSTS.has(host)) return portRefusal;
    return 'must be https, or http to localhost or 127.0.0.1 when running locally';
  }
  if (parsed.protocol !== 'https:') return 'must be an https URL';
  if (portRefusal) return portRefusal;
  const literal = host.startsWith('[') ? host.slice(1, -1) : parseIpv4(host) !== undefined ? host : undefined;
  if (literal !== undefined)
    return isPublicAddress(literal) ? undefined : `must not point at a private, loopback, link-local or otherwise non-public address (${literal})`;
  if (BLOCKED_HOSTS.has(host) || BLOCKED_SUFFIXES.some((s) => host.endsWith(s))) return `must not point at a local or metadata host (${host})`;
  if (!host.includes('.')) return `must name a fully qualified public host, not ${host}`;
  return undefined;
}
