import { AppConfig } from '@lmp/config';

/** One `lmp` command: how it is called, what `--help` says about it, and the work. */
export interface CommandSpec {
  /** The call after `lmp`, with its flags: `db:status [--json]`. */
  usage: string;
  /** One line in the list of commands. */
  summary: string;
  /** What the command does, in a few lines, for `lmp <command> --help`. */
  details?: string;
  /** Each flag with what it means. */
  flags?: Array<[flag: string, meaning: string]>;
  run(argv: string[], config: AppConfig): Promise<void>;
}

export const wantsHelp = (argv: string[]): boolean => argv.includes('--help') || argv.includes('-h');

/** Two columns; a left cell too wide for the column gets a line of its own. */
const table = (rows: Array<[string, string]>, indent = '  ', maxWidth = 40): string => {
  const width = Math.min(maxWidth, Math.max(...rows.map(([left]) => left.length)));
  return rows
    .map(([left, right]) =>
      left.length > width
        ? `${indent}${left}\n${indent}${' '.repeat(width)}  ${right}`
        : `${indent}${left.padEnd(width)}  ${right}`,
    )
    .join('\n');
};

/** `lmp <command> --help`: the usage line, what it does, and every flag. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const flags: Array<[string, string]> = [...(spec.flags ?? []), ['-h, --help', 'print this help']];
  return [`usage: lmp ${spec.usage}`, '', spec.details ?? spec.summary, '', 'flags:', table(flags)].join('\n');
}

/** `lmp --help`: every command on a line. */
export function usage(commands: Record<string, CommandSpec>): string {
  const rows = Object.values(commands).map((c): [string, string] => [c.usage, c.summary]);
  return [
    'usage: lmp <command> [flags]',
    '',
    'commands:',
    table(rows),
    '',
    "`lmp <command> --help` prints a command's usage and flags.",
  ].join('\n');
}
