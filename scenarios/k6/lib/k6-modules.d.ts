/**
 * The few k6 APIs the scripts use, as k6 v0.49 and current k6 both provide them (k6 is not an
 * npm package: these names resolve inside k6 at run time). Shapes follow k6's documentation.
 */
declare const __ENV: Record<string, string | undefined>;

declare module 'k6' {
  export function sleep(seconds: number): void;
}

declare module 'k6/http' {
  export interface RefinedResponse {
    status: number;
    body: string | null;
    error: string;
    json(): unknown;
  }
  export interface RequestParams {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    timeout?: string | number;
  }
  const http: {
    get(url: string, params?: RequestParams): RefinedResponse;
    post(url: string, body: string, params?: RequestParams): RefinedResponse;
  };
  export default http;
}

declare module 'k6/metrics' {
  export class Trend { constructor(name: string, isTime?: boolean); add(value: number, tags?: Record<string, string>): void }
  export class Rate { constructor(name: string); add(value: number | boolean, tags?: Record<string, string>): void }
  export class Counter { constructor(name: string); add(value: number, tags?: Record<string, string>): void }
  export class Gauge { constructor(name: string); add(value: number, tags?: Record<string, string>): void }
}

declare module 'k6/execution' {
  const exec: {
    /** startTime: when the scenario started, epoch ms (k6 v0.38+). */
    scenario: { name: string; iterationInTest: number; startTime: number };
    test: { abort(reason?: string): void };
  };
  export default exec;
}

/** v0.43+: the browser-like WebSocket on k6's global event loop (one VU, many sockets). */
declare module 'k6/experimental/websockets' {
  export interface MessageEvent { data: string | ArrayBuffer; type: number; timestamp: number }
  export interface ErrorEvent { type: number; error: string; timestamp: number }
  export class WebSocket {
    constructor(url: string, protocols?: null, params?: { headers?: Record<string, string>; tags?: Record<string, string> } | null);
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
    onopen: (() => void) | null;
    onmessage: ((event: MessageEvent) => void) | null;
    onclose: (() => void) | null;
    onerror: ((event: ErrorEvent) => void) | null;
  }
}

/** k6 v0.50+ (scripts/build-k6.mjs falls back to k6/experimental/timers on older k6). */
declare module 'k6/timers' {
  export function setTimeout(callback: () => void, ms: number): number;
  export function clearTimeout(id: number): void;
}
