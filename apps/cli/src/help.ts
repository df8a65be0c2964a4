import type { CliCommand, CliOption } from './command';

function optionLabel(o: CliOption): string {
  const short = o.short ? `-${o.short}, ` : '    ';
  const value = o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.value ?? 'VALUE')}` : '';
  return `${short}--${o.name}${value}`;
}

function optionText(o: CliOption): string {
  const notes: string[] = [];
  if (o.multiple) notes.push('repeatable');
  if (o.default !== undefined && o.default !== false) notes.push(`default: ${String(o.default)}`);
  return notes.length ? `${o.description} (${notes.join('; ')})` : o.description;
}

/** The options every subcommand accepts besides its own. */
export const helpOption: CliOption = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  description: 'Show this help and exit.',
};

/** `emms <name> --help`: usage, options with defaults, then the details. */
export function commandHelp(cmd: CliCommand): string {
  const options = [...cmd.options, helpOption];
  const labels = options.map(optionLabel);
  const width = Math.min(34, Math.max(...labels.map((l) => l.length)));
  const lead = `Usage: emms ${cmd.name} `;
  const lines = cmd.usage
    .split('\n')
    .map((u, i) => `${i === 0 ? lead : ' '.repeat(lead.length)}${u.trim()}`.trimEnd());
  lines.push('', cmd.summary, '', 'Options:');
  options.forEach((o, i) => {
    const label = labels[i];
    if (label.length > width) lines.push(`  ${label}`, `  ${' '.repeat(width)}  ${optionText(o)}`);
    else lines.push(`  ${label.padEnd(width)}  ${optionText(o)}`);
  });
  if (cmd.details) lines.push('', cmd.details.trimEnd());
  return lines.join('\n') + '\n';
}

/** `emms --help`: the commands and the global options. */
export function mainHelp(commands: readonly CliCommand[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `emms ${version}: pick the pretrained model to fine-tune, by scoring its features on your task`,
    '(EMMS and the transferability baselines: LogME, LEEP, NCE, NLEEP, SFDA, TransRate, H-score, GBC, PARC).',
    '',
    'Usage: emms <command> [options]',
    '       emms <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    "  -h, --help     Show this help (or a command's, after the command name).",
    '  -V, --version  Print the version.',
    '',
    'Exit codes: 0 success; 1 bad input or a failed computation; 2 bad usage.',
    '',
  ].join('\n');
}
