// The argument handling every command shares: parse with node:util, answer --help, and turn a
// bad flag into "gpu-pulse <command>: <reason>" plus the help text, with exit status 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export type CommandArgs<O extends Options> =
  | { exit: number }
  | (Parsed<O> & {
      /** Print the reason and return the usage exit status (2). */
      usageError(message: string): number;
    });

export function parseCommandArgs<O extends Options>(command: string, help: string, args: string[], io: CliIo, options: O): CommandArgs<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h', default: false } } as O, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (err) {
    io.stderr(`gpu-pulse ${command}: ${(err as Error).message}\n\n${help}`);
    return { exit: 2 };
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(help);
    return { exit: 0 };
  }
  return {
    ...parsed,
    usageError(message: string) {
      io.stderr(`gpu-pulse ${command}: ${message}\n`);
      return 2;
    },
  };
}
