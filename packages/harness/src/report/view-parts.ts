// The pieces a report view is made of (styled text, tables, charts) and small constructors, shared by
// the view's modules. No Node imports.

/** How a piece of text is shown: `bad` and `warn` are marks (bold in Markdown), `meta` is secondary text. */
export type SpanStyle = 'strong' | 'em' | 'code' | 'bad' | 'warn' | 'meta' | 'strike';

/** A piece of text (never markup: renderers escape it) with a style and a tooltip. */
export interface Span {
  readonly text: string;
  readonly style?: SpanStyle;
  /** Shown on hover (HTML `title`). */
  readonly title?: string;
}

/** Styled text: a table cell, a list item, a paragraph. */
export type Rich = readonly Span[];

/** A table; `numeric` columns are right-aligned. */
export interface ViewTable {
  readonly header: readonly Rich[];
  readonly rows: readonly { readonly cells: readonly Rich[]; readonly kind?: 'baseline' | 'failed' }[];
  readonly numeric: readonly boolean[];
}

/** A chart of the report (drawn by `charts.ts`; text renderers leave charts out). */
export type ChartRef =
  | { readonly kind: 'agreement'; readonly task: number; readonly truth: string }
  | { readonly kind: 'scatter'; readonly task: number; readonly score: string; readonly truth: string }
  | { readonly kind: 'seconds'; readonly task: number }
  | { readonly kind: 'sweep'; readonly task: number }
  | { readonly kind: 'summary'; readonly summary: number }
  | { readonly kind: 'cd' };

/** One block of a section. */
export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: Rich }
  | { readonly kind: 'paragraph'; readonly text: Rich; readonly meta?: boolean }
  | { readonly kind: 'list'; readonly items: readonly Rich[]; readonly tone?: 'warn' | 'meta' }
  | { readonly kind: 'table'; readonly table: ViewTable }
  | { readonly kind: 'charts'; readonly charts: readonly ChartRef[]; readonly caption?: Rich };

export const t = (text: string, style?: SpanStyle, title?: string): Span => ({
  text,
  ...(style ? { style } : {}),
  ...(title ? { title } : {}),
});
export const plain = (text: string): Rich => [t(text)];
export const heading = (level: 1 | 2 | 3, ...text: Span[]): Block => ({ kind: 'heading', level, text });
export const para = (text: Rich, meta?: boolean): Block => ({
  kind: 'paragraph',
  text,
  ...(meta ? { meta } : {}),
});
export const table = (header: string[], rows: ViewTable['rows'], numeric: boolean[]): Block => ({
  kind: 'table',
  table: { header: header.map(plain), rows, numeric },
});
