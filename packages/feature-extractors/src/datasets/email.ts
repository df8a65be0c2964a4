// Turning a raw RFC 822 email into the plain text a text encoder reads.

/** Options of {@link emailToText}. */
export interface EmailTextOptions {
  /** Longest text kept, in characters (cut at the last space before it). Default 2000. */
  readonly maxChars?: number;
}

interface Part {
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** Splits a message (or MIME part) at its first blank line and unfolds its headers (names lower-cased). */
function splitPart(raw: string): Part {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const c = line.indexOf(':');
    if (c <= 0) continue;
    last = line.slice(0, c).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(c + 1).trim());
  }
  return { headers, body };
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

function decodeBody(p: Part): string {
  const enc = (p.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = (param(p.headers.get('content-type') ?? '', 'charset') ?? '').toLowerCase();
  if (enc === 'base64') {
    const bytes = Buffer.from(p.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    return bytes.toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
  }
  if (enc === 'quoted-printable') {
    return p.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
  return p.body;
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** HTML to text: style/script/comments dropped, block tags become line breaks, other tags go, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/?(br|p|div|tr|li|h[1-6]|table|center|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<\/?(td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1].toLowerCase() === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    });
}

/** The text parts of a message: text/plain preferred, else text/html converted; attachments dropped. */
function textOf(p: Part, depth = 0): string {
  const type = (p.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(p.headers.get('content-type') ?? '', 'boundary');
    if (!boundary) return '';
    const parts = p.body
      .split(`--${boundary}`)
      .slice(1)
      .filter((s) => !s.startsWith('--'))
      .map((s) => splitPart(s.replace(/^\r?\n/, '')));
    const plain = parts.filter((q) =>
      (q.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'),
    );
    const chosen = plain.length ? plain : parts;
    return chosen
      .map((q) => textOf(q, depth + 1))
      .filter((t) => t.trim() !== '')
      .join('\n');
  }
  if (/attachment/i.test(p.headers.get('content-disposition') ?? '')) return '';
  if (type.startsWith('text/html')) return htmlToText(decodeBody(p));
  if (type.startsWith('text/') || !p.headers.has('content-type')) return decodeBody(p);
  return '';
}

/**
 * Turns a raw email (RFC 822 with MIME) into the text a text encoder reads:
 * 1. every header is dropped except `Subject`, which becomes the first line;
 * 2. the body's text parts are kept (in a multipart message the text/plain parts, or the others when there
 *    is none; attachments and non-text parts are dropped), decoded from quoted-printable or base64;
 * 3. HTML becomes text (style, script and comments dropped, block tags become line breaks, table cells
 *    spaces, other tags are removed, entities decoded);
 * 4. runs of spaces and tabs become one space, runs of blank lines one line break, and the text is cut to
 *    `maxChars` characters at the last space before the limit.
 * The result may be empty (an email with no text part and no subject).
 *
 * @example
 * ```ts
 * emailToText('Subject: Hi\nFrom: a@b.c\nContent-Type: text/html\n\nSee you <b>soon</b>.'); // 'Hi\nSee you soon.'
 * ```
 */
export function emailToText(raw: string, options: EmailTextOptions = {}): string {
  const maxChars = options.maxChars ?? 2000;
  const msg = splitPart(raw);
  const subject = msg.headers.get('subject') ?? '';
  const text = `${subject}\n${textOf(msg)}`
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ ?\r?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
  if (text.length <= maxChars) return text;
  const cut = text.lastIndexOf(' ', maxChars);
  return text.slice(0, cut > maxChars / 2 ? cut : maxChars).trim();
}
