export interface HeartbeatOptions {
  intervalMs: number;
  timeoutMs: number;
  sendPing(ts: number): void;
  /** Nothing came back within timeoutMs of a ping. */
  onTimeout(): void;
}

export interface Heartbeat {
  /** Any frame from the client proves the path is alive, not only a pong. */
  sawTraffic(): void;
  stop(): void;
}

/**
 * Seed 001 s1: Japanese carrier NATs drop a TCP flow idle for 30 s, and some proxies strip
 * WebSocket control frames, so the liveness check is an application-level JSON ping.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  let deadline: NodeJS.Timeout | undefined;
  const clearDeadline = () => {
    if (deadline) clearTimeout(deadline);
    deadline = undefined;
  };
  const interval = setInterval(() => {
    options.sendPing(Date.now());
    deadline ??= setTimeout(() => {
      deadline = undefined;
      options.onTimeout();
    }, options.timeoutMs);
  }, options.intervalMs);
  return {
    sawTraffic: clearDeadline,
    stop() {
      clearInterval(interval);
      clearDeadline();
    },
  };
}
