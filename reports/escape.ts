const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML element content and quoted attribute values. Summaries carry payload text (JP,
 * emoji, `<script>`-like junk): every string from a run folder goes through here.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char] as string);
}

// XML 1.0 forbids these code points even as character references: a payload may carry them.
// eslint-disable-next-line no-control-regex
const notXmlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text for XML content and attributes: escaped, characters XML cannot hold replaced by U+FFFD,
 * and line breaks and tabs as references, which an attribute value would otherwise turn into spaces.
 */
export function escapeXml(text: string): string {
  return escapeHtml(text.replace(notXmlChars, '\uFFFD')).replace(/[\n\r\t]/g, (char) => `&#${char.charCodeAt(0)};`);
}
