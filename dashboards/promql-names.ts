/**
 * The metric names a PromQL expression reads: identifiers that are not functions, aggregation
 * operators, keywords or label names. Enough of PromQL for dashboards, not a parser: it skips
 * strings, label matchers `{...}`, ranges `[...]`, numbers and durations, Grafana variables,
 * and the label lists of `by`, `without`, `on`, `ignoring`, `group_left` and `group_right`.
 */

const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
const labelListKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const aggregations = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values',
  'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

const identifierStart = /[A-Za-z_:]/;
const identifierPart = /[A-Za-z0-9_:]/;

function closingIndex(expr: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let index = from; index < expr.length; index += 1) {
    const char = expr[index];
    if (char === '"' || char === "'" || char === '`') {
      index = stringEnd(expr, index);
      continue;
    }
    if (char === open) depth += 1;
    else if (char === close && --depth === 0) return index;
  }
  throw new SyntaxError(`unbalanced "${open}" at ${from} in: ${expr}`);
}

function stringEnd(expr: string, from: number): number {
  const quote = expr[from];
  for (let index = from + 1; index < expr.length; index += 1) {
    if (expr[index] === '\\' && quote !== '`') index += 1;
    else if (expr[index] === quote) return index;
  }
  throw new SyntaxError(`unterminated string at ${from} in: ${expr}`);
}

function nextSignificant(expr: string, from: number): number {
  let index = from;
  while (index < expr.length && /\s/.test(expr[index] as string)) index += 1;
  return index;
}

export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  let index = 0;
  while (index < expr.length) {
    const char = expr[index] as string;
    if (char === '"' || char === "'" || char === '`') {
      index = stringEnd(expr, index) + 1;
    } else if (char === '{') {
      index = closingIndex(expr, index, '{', '}') + 1;
    } else if (char === '[') {
      index = closingIndex(expr, index, '[', ']') + 1;
    } else if (char === '$') {
      // A Grafana variable: $name or ${name}.
      index += 1;
      if (expr[index] === '{') index = closingIndex(expr, index, '{', '}') + 1;
      else while (index < expr.length && identifierPart.test(expr[index] as string)) index += 1;
    } else if (/[0-9.]/.test(char)) {
      // Numbers and durations (1e3, 0x1f, 5m, 1h30m) run into their letters.
      while (index < expr.length && /[0-9A-Za-z_.]/.test(expr[index] as string)) index += 1;
    } else if (identifierStart.test(char)) {
      const start = index;
      while (index < expr.length && identifierPart.test(expr[index] as string)) index += 1;
      const word = expr.slice(start, index);
      const after = nextSignificant(expr, index);
      const lower = word.toLowerCase();
      if (labelListKeywords.has(lower)) {
        if (expr[after] === '(') index = closingIndex(expr, after, '(', ')') + 1;
      } else if (expr[after] === '(' || aggregations.has(lower) || keywords.has(lower)) {
        // A function call or an operator (`sum by (le) (...)`): its arguments are scanned next.
      } else {
        names.add(word);
      }
    } else {
      index += 1;
    }
  }
  return [...names].sort();
}
