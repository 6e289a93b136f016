/**
 * A strict reader for the XML the reports write (no DTD, no CDATA, no namespaces to resolve):
 * enough to parse junit.xml back in a test and to refuse what a CI's XML parser would refuse
 * (an unescaped & or <, a mismatched or unclosed tag, an unquoted or repeated attribute, a bad
 * reference, a character XML 1.0 forbids).
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const namePattern = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, at: number): string {
  if (forbidden.test(raw)) throw new Error(`character not allowed in XML near offset ${at}`);
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`a bare & or a bad reference near offset ${at}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, reference: string) => {
    if (reference.startsWith('#')) {
      const code = reference[1] === 'x' ? Number.parseInt(reference.slice(2), 16) : Number(reference.slice(1));
      const char = String.fromCodePoint(code);
      if (forbidden.test(char) && !/[\t\n\r]/.test(char)) throw new Error(`reference &${reference}; is not an XML character`);
      return char;
    }
    return entities[reference] as string;
  });
}

export function parseXml(text: string): XmlElement {
  let at = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at += 1;
  };
  const readName = (): string => {
    namePattern.lastIndex = at;
    const match = namePattern.exec(text);
    if (!match) return fail('expected a name');
    at = namePattern.lastIndex;
    return match[0];
  };
  const readElement = (): XmlElement => {
    if (text[at] !== '<') fail('expected <');
    at += 1;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = at;
      skipSpace();
      if (text.startsWith('/>', at)) {
        at += 2;
        return element;
      }
      if (text[at] === '>') {
        at += 1;
        break;
      }
      if (at === before) fail('expected whitespace before an attribute');
      const name = readName();
      if (name in element.attributes) fail(`attribute ${name} repeated`);
      skipSpace();
      if (text[at] !== '=') fail(`attribute ${name} has no =`);
      at += 1;
      skipSpace();
      const quote = text[at];
      if (quote !== '"' && quote !== "'") fail(`attribute ${name} is not quoted`);
      const end = text.indexOf(quote as string, at + 1);
      if (end < 0) fail(`attribute ${name} is not closed`);
      const raw = text.slice(at + 1, end);
      if (raw.includes('<')) fail(`attribute ${name} holds a raw <`);
      element.attributes[name] = decode(raw, at);
      at = end + 1;
    }
    for (;;) {
      const next = text.indexOf('<', at);
      if (next < 0) fail(`element ${element.name} is not closed`);
      element.text += decode(text.slice(at, next), at);
      at = next;
      if (text.startsWith('</', at)) {
        at += 2;
        const closing = readName();
        if (closing !== element.name) fail(`</${closing}> closes <${element.name}>`);
        skipSpace();
        if (text[at] !== '>') fail('expected >');
        at += 1;
        return element;
      }
      if (text.startsWith('<!--', at)) {
        const end = text.indexOf('-->', at);
        if (end < 0) fail('comment not closed');
        at = end + 3;
        continue;
      }
      element.children.push(readElement());
    }
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('declaration not closed');
    at = end + 2;
  }
  skipSpace();
  const root = readElement();
  skipSpace();
  if (at !== text.length) fail('content after the root element');
  return root;
}

/** Every element below (and including) `root` with this name, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => findAll(child, name))];
}
