import { type AwsError, awsErrors } from './aws-errors.js';
import type { ModelFamily } from './models.js';

export interface QuotaLimits { requestsPerMinute: number; tokensPerMinute: number }
export type QuotaSettings = Record<ModelFamily, QuotaLimits>;

/** Generous enough that only a test or a chaos step that lowers them ever sees a throttle. */
export const defaultQuotas: Readonly<QuotaSettings> = Object.freeze({
  sonnet: Object.freeze({ requestsPerMinute: 10_000, tokensPerMinute: 10_000_000 }),
  haiku: Object.freeze({ requestsPerMinute: 10_000, tokensPerMinute: 10_000_000 }),
});

export const modelFamilies: readonly ModelFamily[] = ['sonnet', 'haiku'];

/** Admitted requests inside the sliding window, oldest first. */
class Window {
  private times: number[] = [];
  private tokens: number[] = [];
  private head = 0;
  requests = 0;
  tokenSum = 0;

  forgetBefore(cutoff: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= cutoff) {
      this.tokenSum -= this.tokens[this.head] as number;
      this.requests -= 1;
      this.head += 1;
    }
    // Compact now and then so the arrays do not grow with the run.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.tokens = this.tokens.slice(this.head);
      this.head = 0;
    }
  }

  add(at: number, tokens: number): void {
    this.times.push(at);
    this.tokens.push(tokens);
    this.requests += 1;
    this.tokenSum += tokens;
  }
}

/**
 * Requests and tokens (input + output) per minute, per model family, over a sliding window,
 * as Bedrock's on-demand quotas count them. The window is a modelled minute, so it shrinks
 * with the emulator's time scale like every other modelled time.
 */
export class QuotaTracker {
  private settings: QuotaSettings;
  private windows = new Map<ModelFamily, Window>();

  constructor(settings: QuotaSettings, readonly windowMs: number, private readonly now: () => number) {
    this.settings = structuredClone(settings);
  }

  get limits(): QuotaSettings {
    return structuredClone(this.settings);
  }

  set limits(settings: QuotaSettings) {
    this.settings = structuredClone(settings);
  }

  /** Counts the request if it fits; otherwise the ThrottlingException Bedrock would send. */
  admit(family: ModelFamily, tokens: number): AwsError | undefined {
    const window = this.window(family);
    const now = this.now();
    window.forgetBefore(now - this.windowMs);
    const limits = this.settings[family];
    if (window.requests + 1 > limits.requestsPerMinute) return awsErrors.tooManyRequests();
    if (window.tokenSum + tokens > limits.tokensPerMinute) return awsErrors.tooManyTokens();
    window.add(now, tokens);
    return undefined;
  }

  usage(family: ModelFamily): { requests: number; tokens: number } {
    const window = this.window(family);
    window.forgetBefore(this.now() - this.windowMs);
    return { requests: window.requests, tokens: window.tokenSum };
  }

  clearUsage(): void {
    this.windows.clear();
  }

  private window(family: ModelFamily): Window {
    let window = this.windows.get(family);
    if (!window) {
      window = new Window();
      this.windows.set(family, window);
    }
    return window;
  }
}
