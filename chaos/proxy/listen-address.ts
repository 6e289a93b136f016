import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo } from 'node:net';

/**
 * Listen and upstream addresses as Go's net package reads and prints them, because the API
 * shows them (`listen` is the bound address once a proxy runs) and compares them (/populate
 * and updates restart a proxy only when the resolved address differs).
 */

/** A bad or unresolvable address; the message is Go's (e.g. `address x: missing port in address`). */
export class AddressError extends Error {}

export interface HostPort {
  host: string;
  port: string;
}

/** Go's net.SplitHostPort, with its error texts. */
export function splitHostPort(text: string): HostPort {
  const fail = (why: string): never => {
    throw new AddressError(text === '' ? why : `address ${text}: ${why}`);
  };
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) fail('missing port in address');
  let host: string;
  let hostStart = 0;
  let hostEnd = 0;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail("missing ']' in address");
    if (close + 1 === text.length) fail('missing port in address');
    if (close + 1 !== lastColon) fail(text[close + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = text.slice(1, close);
    hostStart = 1;
    hostEnd = close + 1;
  } else {
    host = text.slice(0, lastColon);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (text.slice(hostStart).includes('[')) fail("unexpected '[' in address");
  if (text.slice(hostEnd).includes(']')) fail("unexpected ']' in address");
  return { host, port: text.slice(lastColon + 1) };
}

/** Go's port parsing: empty is 0, digits up to 65535, a name is looked up (we know none). */
export function parsePort(port: string): number {
  if (port === '') return 0;
  if (/^[+-]?\d+$/.test(port)) {
    const value = Number(port);
    if (value < 0 || value > 65_535) throw new AddressError(`address ${port}: invalid port`);
    return value;
  }
  throw new AddressError(`address tcp/${port}: unknown port`);
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

export interface ResolvedAddress {
  /** undefined: every interface (Go's empty host or a wildcard). */
  host: string | undefined;
  port: number;
  /** Go's TCPAddr.String() of the resolved address, e.g. `127.0.0.1:0`. */
  text: string;
}

const wildcards = new Set(['', '0.0.0.0', '::']);

/** Go's net.ResolveTCPAddr: hostnames resolve to their first IPv4 address when they have one. */
export async function resolveTcpAddress(text: string): Promise<ResolvedAddress> {
  const { host, port: portText } = text === '' ? { host: '', port: '' } : splitHostPort(text);
  const port = parsePort(portText);
  if (host === '') return { host: undefined, port, text: `:${port}` };
  let ip = host;
  if (isIP(host) === 0) {
    const found = await lookup(host, { all: true }).catch(() => {
      throw new AddressError(`lookup ${host}: no such host`);
    });
    const chosen = found.find((entry) => entry.family === 4) ?? found[0];
    if (!chosen) throw new AddressError(`lookup ${host}: no such host`);
    ip = chosen.address;
  }
  ip = canonicalIp(ip);
  return { host: wildcards.has(ip) ? undefined : ip, port, text: joinHostPort(ip, port) };
}

/** What Go prints for a listener's address: `127.0.0.1:PORT`, `[::]:PORT` for all interfaces. */
export function boundAddressText(address: AddressInfo): string {
  return joinHostPort(canonicalIp(address.address), address.port);
}
