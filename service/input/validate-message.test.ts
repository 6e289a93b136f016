import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../config.js';
import { ServiceError } from '../errors.js';
import { seed004Payloads } from './seed-004-payloads.js';
import { graphemeCount, validateMessage } from './validate-message.js';

const secret = 'test-signing-secret-0123456789';
const hardened = loadServiceConfig({ SESSION_SIGNING_SECRET: secret });
const utf16 = loadServiceConfig({ SESSION_SIGNING_SECRET: secret, GAMEDAY_NAIVE: 'utf16Length' });


function verdict(text: string, config = hardened): true | string {
  try {
    validateMessage(text, config);
    return true;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return error.code;
  }
}

describe('validateMessage', () => {
  it.each(seed004Payloads)('seed 004 payload "$name" is judged by graphemes when hardened', ({ text, hardened: valid }) => {
    expect(verdict(text)).toBe(valid ? true : 'ORCH_ERR_MESSAGE_TOO_LONG');
  });

  it.each(seed004Payloads)('seed 004 payload "$name" is judged by UTF-16 units under utf16Length', ({ text, utf16Length: valid }) => {
    expect(verdict(text, utf16)).toBe(valid ? true : 'ORCH_ERR_MESSAGE_TOO_LONG');
  });

  it('counts a ZWJ family and a flag as one character each', () => {
    const family = '👨‍👩‍👧‍👦';
    expect(graphemeCount(family)).toBe(1);
    expect(graphemeCount('🇯🇵')).toBe(1);
    expect(verdict(`${family}${'あ'.repeat(3999)}`)).toBe(true);
    expect(verdict(`${'🇯🇵'.repeat(2)}${'あ'.repeat(3999)}`)).toBe('ORCH_ERR_MESSAGE_TOO_LONG');
  });

  it('refuses a huge string by size at once, with the Japanese message', () => {
    const started = performance.now();
    let caught: unknown;
    try {
      validateMessage('あ'.repeat(1 << 20), hardened);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ServiceError);
    expect((caught as ServiceError).messageJa).toBe('メッセージが長すぎます (最大4000文字)');
    // Segmenting 1 MiB takes seconds on Node 20; the size check takes microseconds.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses one grapheme stacked with combining marks past the byte limit', () => {
    expect(verdict(`a${'\u0301'.repeat(8_100)}`)).toBe('ORCH_ERR_MESSAGE_TOO_LONG');
  });

  it('refuses empty and whitespace-only text, full-width space included', () => {
    expect(verdict('')).toBe('ORCH_ERR_EMPTY_MESSAGE');
    expect(verdict(' \n\t\u3000')).toBe('ORCH_ERR_EMPTY_MESSAGE');
    expect(verdict('', utf16)).toBe('ORCH_ERR_EMPTY_MESSAGE');
  });
});
