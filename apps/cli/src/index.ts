import { parseArgs } from 'node:util';
import { PASSWORD_ENV, redactSecrets } from '@emms/queue';
import { configureRuntime, readRuntimeConfig } from '@emms/runtime';
import { didYouMean, didYouMeanText, isEmmsError } from '@emms/tensor-io';
import packageJson from '../package.json';
import type { CliCommand, CliIo, CliOption } from './command';
import { UsageError } from './command';
import { commands } from './commands/index';
import { errorObject, errorSuffix } from './flags';
import { renderJson } from './format';
import { commandHelp, helpOption, mainHelp } from './help';
import { OUTPUT_FAILED_EXIT, watchOutput } from './stdout';

export type { CliCommand, CliIo, CliOption } from './command';
export { UsageError } from './command';
export { commands } from './commands/index';
export type { Cell, OutputFormat } from './format';
export { formatOption, humanNumber, renderCsv, renderJson, renderRows, renderTable } from './format';
export { commandHelp, mainHelp } from './help';
export type { ProgressRenderer } from './progress';
export { progressLine, progressRenderer } from './progress';

/** The CLI's version, from its package.json. */
export const version: string = packageJson.version;

/** The streams, folder and environment of a run; the run-time configuration is read later, once. */
function defaultIo(partial: Partial<CliIo>): Omit<CliIo, 'runtime'> {
  const stderr = partial.stderr ?? process.stderr;
  return {
    stdout: partial.stdout ?? process.stdout,
    stderr,
    cwd: partial.cwd ?? process.cwd(),
    env: partial.env ?? process.env,
    interactive: partial.interactive ?? (partial.stderr === undefined && process.stderr.isTTY === true),
  };
}

type ParsedArgs = Parameters<CliCommand['run']>[0];

/**
 * Node's parser calls a string flag followed by a word that starts with '-' "ambiguous". A
 * negative number (`--train-per-class -1`) is passed on as the flag's value, so that the
 * command's own check says what the value must be; any other word (`--features --labels y`)
 * means the value is missing: bad usage naming the flag.
 */
function attachValues(cmd: CliCommand, all: readonly CliOption[], argv: readonly string[]): string[] {
  const strings = new Map<string, CliOption>();
  for (const o of all) {
    if (o.type !== 'string') continue;
    strings.set(`--${o.name}`, o);
    if (o.short) strings.set(`-${o.short}`, o);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const o = strings.get(arg);
    const next = argv[i + 1];
    if (!o) {
      out.push(arg);
      continue;
    }
    if (next === undefined) {
      throw new UsageError(`--${o.name} is missing its value (${o.value ?? 'VALUE'})`, cmd.name);
    }
    if (/^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else if (next.startsWith('-')) {
      throw new UsageError(
        `--${o.name} is missing its value (${o.value ?? 'VALUE'}): the next argument, ${next}, is a flag`,
        cmd.name,
      );
    } else out.push(arg);
  }
  return out;
}

function parseCommandArgs(cmd: CliCommand, argv: string[]): ParsedArgs {
  const all: CliOption[] = [...cmd.options, helpOption];
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of all) {
    config[o.name] = { type: o.type };
    if (o.short) config[o.name].short = o.short;
    if (o.multiple) config[o.name].multiple = true;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: attachValues(cmd, all, argv),
      options: config,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (!err.code?.startsWith('ERR_PARSE_ARGS_')) throw e;
    const option = /'([^']+)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = option?.startsWith('--')
        ? didYouMean(
            option.slice(2).split('=')[0]!,
            all.map((o) => o.name),
          )
        : undefined;
      throw new UsageError(
        `unknown option ${option ?? ''} for "emms ${cmd.name}"${near ? `; did you mean "--${near}"?` : ''}`.replace(
          '  ',
          ' ',
        ),
        cmd.name,
      );
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const text = err.message.split('.')[0];
      throw new UsageError(
        text.startsWith('Option') ? text.replace(/^Option/, 'option') : err.message,
        cmd.name,
      );
    }
    throw new UsageError(err.message, cmd.name);
  }
  // A single-valued flag given twice is a mistake (which one was meant?), not "the last one wins".
  const counts = new Map<string, number>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  }
  for (const o of all) {
    if (!o.multiple && (counts.get(o.name) ?? 0) > 1) {
      throw new UsageError(`--${o.name} was given ${counts.get(o.name)} times; give it once`, cmd.name);
    }
  }
  const values = parsed.values as ParsedArgs['values'];
  for (const o of all) {
    const v = values[o.name];
    if (v === undefined && o.default !== undefined) values[o.name] = o.default;
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      throw new UsageError(`--${o.name} must be one of ${o.choices.join(', ')}; got "${v}"`, cmd.name);
    }
  }
  return { values, positionals: parsed.positionals };
}

function write(stream: CliIo['stdout'], text: string): void {
  stream.write(text);
}

/**
 * Runs `emms` with the arguments after the program name and returns the exit code:
 * 0 success, 1 bad input (a typed EmmsError) or an unexpected failure, 2 bad usage, 3 the output
 * could not be written to stdout (a full disk, a closed pipe; one line on stderr says which).
 * Streams, cwd and environment come from `io` (tests pass their own) or from the process.
 */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const base = defaultIo(io);
  const output = watchOutput(base.stdout);
  try {
    const code = await runCommand(argv, base, io);
    const failure = await output.settle();
    if (failure === undefined) return code;
    write(base.stderr, `${failure}\n`);
    return code === 0 ? OUTPUT_FAILED_EXIT : code;
  } finally {
    output.dispose();
  }
}

async function runCommand(argv: string[], base: Omit<CliIo, 'runtime'>, io: Partial<CliIo>): Promise<number> {
  // Until the configuration is read, error reporting needs only the streams and the environment.
  let full = base as CliIo;
  let json = false;
  try {
    const [first, ...rest] = argv;
    // Known before parsing, so that bad usage too is answered in JSON when JSON was asked for.
    json = rest.some((a, i) => a === '--format=json' || (a === '--format' && rest[i + 1] === 'json'));
    if (first === undefined) {
      write(full.stderr, mainHelp(commands, version));
      throw new UsageError('missing command');
    }
    if (first === '--help' || first === '-h') {
      write(full.stdout, mainHelp(commands, version));
      return 0;
    }
    if (first === '--version' || first === '-V') {
      write(full.stdout, `${version}\n`);
      return 0;
    }
    if (first === 'help') {
      const target = rest[0] === undefined ? undefined : commands.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !target) throw new UsageError(`unknown command "${rest[0]}"`);
      write(full.stdout, target ? commandHelp(target) : mainHelp(commands, version));
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options go after the command)`);
    const cmd = commands.find((c) => c.name === first);
    if (!cmd) {
      throw new UsageError(
        `unknown command "${first}"${didYouMeanText(
          first,
          commands.map((c) => c.name),
        )}`,
      );
    }
    const args = parseCommandArgs(cmd, rest);
    if (args.values.help === true) {
      write(full.stdout, commandHelp(cmd));
      return 0;
    }
    json = args.values.format === 'json';
    // The one place the CLI reads its run-time configuration from the environment; the model
    // runtimes follow it from here on, and commands hand it to the library front door.
    const runtime = io.runtime ?? readRuntimeConfig({ env: base.env });
    configureRuntime(runtime);
    full = { ...base, runtime };
    return await cmd.run(args, full);
  } catch (e) {
    return reportError(e, full, json, secretsOf(argv, full.env));
  }
}

/**
 * The secrets this command line carries: the passwords of `scheme://user:password@` arguments and
 * `EMMS_REDIS_PASSWORD`. Nothing the CLI prints as an error may contain them.
 */
function secretsOf(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const a of argv) {
    for (const m of a.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/gi)) {
      out.push(m[1]!);
      try {
        out.push(decodeURIComponent(m[1]!));
      } catch {
        // not percent-encoded
      }
    }
  }
  if (env[PASSWORD_ENV]) out.push(env[PASSWORD_ENV]);
  return out;
}

/** Prints an error the way its kind asks (with every secret taken out) and returns the exit code for it. */
function reportError(e: unknown, io: CliIo, json: boolean, secrets: readonly string[]): number {
  const safe = (text: string) => redactSecrets(text, secrets);
  if (e instanceof UsageError) {
    const help = e.command ? `emms ${e.command} --help` : 'emms --help';
    write(io.stderr, safe(`emms: ${e.message}\nRun "${help}" for usage.\n`));
    if (json) write(io.stdout, safe(renderJson({ error: { code: 'USAGE', message: e.message, help } })));
    return 2;
  }
  if (isEmmsError(e)) {
    write(io.stderr, safe(`emms: ${e.message} [${e.code}]${errorSuffix(e)}\n`));
    if (json) write(io.stdout, safe(renderJson(errorObject(e))));
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(
    io.stderr,
    safe(
      `emms: unexpected error: ${err.message}\n` +
        'This is a bug in emms. Please report it with the command line you ran' +
        (io.env.EMMS_DEBUG ? '.\n' : ' (EMMS_DEBUG=1 prints the stack trace).\n'),
    ),
  );
  if (io.env.EMMS_DEBUG && err.stack) write(io.stderr, safe(`${err.stack}\n`));
  return 1;
}
