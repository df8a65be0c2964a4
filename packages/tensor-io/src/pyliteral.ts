/**
 * A reader for the small subset of Python literals a .npy header holds: dicts, tuples, lists,
 * strings, integers, True/False/None. It evaluates nothing and never recurses deeper than a few
 * levels, so hostile headers cannot run code or blow the stack.
 */

/** A parsed Python literal. Tuples and lists both become arrays; dicts become maps. */
export type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/** Thrown on text that is not such a literal; the caller turns it into an EmmsError. */
export class PyLiteralError extends Error {}

const MAX_DEPTH = 16;

/** Parses `text` as one Python literal; surrounding whitespace is allowed. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${pos}`);
  };

  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };

  const parseString = (): string => {
    const quote = text[pos++];
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      let ch = text[pos++];
      if (ch === '\\') {
        if (pos >= text.length) break;
        const esc = text[pos++];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
        if (esc in simple) ch = simple[esc];
        else fail(`unsupported string escape \\${esc}`);
      }
      out += ch;
    }
    if (text[pos] !== quote) fail('unterminated string');
    pos++;
    return out;
  };

  const parseNumber = (): number => {
    const m = /^[+-]?\d+[lL]?/.exec(text.slice(pos, pos + 40));
    if (!m) return fail('expected a number');
    pos += m[0].length;
    const value = Number(m[0].replace(/[lL]$/, ''));
    if (!Number.isSafeInteger(value)) fail(`integer ${m[0]} is too large`);
    return value;
  };

  const parseSequence = (close: string, depth: number): PyValue[] => {
    pos++;
    const items: PyValue[] = [];
    skipSpace();
    while (text[pos] !== close) {
      items.push(parseValue(depth + 1));
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        skipSpace();
      } else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
    pos++;
    return items;
  };

  const parseDict = (depth: number): Map<string, PyValue> => {
    pos++;
    const map = new Map<string, PyValue>();
    skipSpace();
    while (text[pos] !== '}') {
      if (text[pos] !== "'" && text[pos] !== '"') fail('expected a string key');
      const key = parseString();
      skipSpace();
      if (text[pos] !== ':') fail("expected ':'");
      pos++;
      if (map.has(key)) fail(`duplicate key '${key}'`);
      map.set(key, parseValue(depth + 1));
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        skipSpace();
      } else if (text[pos] !== '}') fail("expected ',' or '}'");
    }
    pos++;
    return map;
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipSpace();
    if (pos >= text.length) fail('unexpected end');
    const ch = text[pos];
    if (ch === '{') return parseDict(depth);
    if (ch === '(') return parseSequence(')', depth);
    if (ch === '[') return parseSequence(']', depth);
    if (ch === "'" || ch === '"') return parseString();
    if (/[0-9+-]/.test(ch)) return parseNumber();
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['None', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return fail(`unexpected character '${ch}'`);
  };

  const value = parseValue(0);
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the literal');
  return value;
}
