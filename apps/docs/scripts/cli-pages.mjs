// The CLI reference, generated from the CLI's own command definitions (apps/cli/src/commands: each a
// CliCommand with its options and help text), so the pages always say what `emms <cmd> --help` says.
import { cell } from './score-pages.mjs';

function optionRow(o) {
  const flag = `${o.short ? `\`-${o.short}\`, ` : ''}\`--${o.name}${o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}` : ''}\``;
  const notes = [];
  if (o.multiple) notes.push('repeatable');
  if (o.choices) notes.push(`one of ${o.choices.map((c) => `\`${c}\``).join(', ')}`);
  return `| ${flag} | ${o.default === undefined || o.default === false ? '' : `\`${String(o.default)}\``} | ${cell(o.description)}${notes.length ? ` (${notes.join('; ')})` : ''} |`;
}

/** Renders `cli/index.md` and one page per command from the `emms` package's exports. */
export function renderCliPages(cli) {
  const pages = {};
  const sidebar = [{ text: 'Overview', link: '/cli/' }];
  const commands = cli.commands ?? [];
  pages['index.md'] = [
    '# Command line',
    '',
    `Generated from the definitions of \`emms\` ${cli.version ?? ''}: the same text \`emms --help\` prints.`,
    '',
    '```text',
    cli.mainHelp ? cli.mainHelp(commands, cli.version ?? '').trimEnd() : '',
    '```',
    '',
    '| command | what it does |',
    '|---|---|',
    ...commands.map((c) => `| [\`emms ${c.name}\`](./${c.name}.md) | ${cell(c.summary)} |`),
    '',
  ].join('\n');
  for (const c of commands) {
    const lines = [`# emms ${c.name}`, '', cell(c.summary), '', '```text'];
    for (const u of String(c.usage).split('\n')) lines.push(`emms ${c.name} ${u.trim()}`);
    lines.push('```', '', '## Options', '', '| option | default | description |', '|---|---|---|');
    for (const o of c.options) lines.push(optionRow(o));
    lines.push('| `-h`, `--help` | | Show the help and exit. |', '');
    if (c.details) lines.push('## Notes and examples', '', '```text', String(c.details).trimEnd(), '```', '');
    if (cli.commandHelp) {
      lines.push(
        '::: details The full `--help` text',
        '',
        '```text',
        cli.commandHelp(c).trimEnd(),
        '```',
        '',
        ':::',
        '',
      );
    }
    pages[`${c.name}.md`] = lines.join('\n');
    sidebar.push({ text: `emms ${c.name}`, link: `/cli/${c.name}` });
  }
  return { pages, sidebar };
}
