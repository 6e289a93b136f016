/** Seed 004 s3's payloads with the results the grapheme rule gives ("🎉"×2001 is 2001 characters). */
export const seed004Payloads: Array<{ name: string; text: string; hardened: boolean; utf16Length: boolean }> = [
  { name: 'hiragana', text: 'こんにちは', hardened: true, utf16Length: true },
  { name: 'emoji inside', text: '新刊マンガ🎉おすすめ!', hardened: true, utf16Length: true },
  { name: 'supplementary kanji', text: '𠮷田さんのマンガ', hardened: true, utf16Length: true },
  { name: 'A x 4001', text: 'A'.repeat(4001), hardened: false, utf16Length: false },
  { name: 'あ x 4000', text: 'あ'.repeat(4000), hardened: true, utf16Length: true },
  { name: '🎉 x 2001', text: '🎉'.repeat(2001), hardened: true, utf16Length: false },
];
