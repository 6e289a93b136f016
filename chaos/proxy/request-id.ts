import { randomBytes } from 'node:crypto';

/**
 * Toxiproxy tags every routed answer with `X-Toxiproxy-Request-Id`, an xid (github.com/rs/xid):
 * 12 bytes (seconds, machine, pid, counter) in lower-case base32hex, 20 characters. Ours has
 * the same shape so log tooling that reads the header keeps working.
 */
const alphabet = '0123456789abcdefghijklmnopqrstuv';
const machine = randomBytes(3);
let counter = randomBytes(3).readUIntBE(0, 3);

function base32hex(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) text += alphabet[(value << (5 - bits)) & 31];
  return text;
}

export function newRequestId(): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(Date.now() / 1_000) >>> 0, 0);
  machine.copy(id, 4);
  id.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  return base32hex(id);
}
