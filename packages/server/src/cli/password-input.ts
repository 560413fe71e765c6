import { CliError } from './errors.js';

/**
 * Passwords reach the CLI from a terminal prompt that does not echo, or from standard input with
 * `--password-stdin`; never from the command line, where other users of the machine (`ps`) and the
 * shell's history would see them.
 */
export interface PasswordSource {
  readonly passwordStdin?: boolean;
}

/** One prompt: what to ask, and whether to ask twice (a new password must be typed the same way twice). */
export interface PasswordPrompt {
  readonly label: string;
  readonly confirm?: boolean;
}

/**
 * Reads one password per prompt: from the terminal, or with `--password-stdin` one per line of standard
 * input (in the order of the prompts).
 */
export async function readPasswords(source: PasswordSource, prompts: readonly PasswordPrompt[]): Promise<string[]> {
  if (source.passwordStdin) {
    const lines = (await readAll(process.stdin)).split(/\r?\n/);
    const passwords = prompts.map((_, i) => lines[i] ?? '');
    const missing = prompts.findIndex((_, i) => passwords[i] === '');
    if (missing >= 0) {
      throw new CliError(
        prompts.length === 1
          ? '--password-stdin: standard input holds no password'
          : `--password-stdin: line ${missing + 1} of standard input (${prompts[missing]?.label}) is missing or empty`,
        2,
      );
    }
    return passwords;
  }
  if (!process.stdin.isTTY) {
    throw new CliError('no terminal to ask for the password on: pipe it in with --password-stdin', 2);
  }
  const passwords: string[] = [];
  for (const prompt of prompts) {
    const first = await promptHidden(`${prompt.label}: `);
    if (first === '') throw new CliError('no password given', 2);
    if (prompt.confirm && (await promptHidden(`${prompt.label} (again): `)) !== first) {
      throw new CliError('the two passwords differ', 2);
    }
    passwords.push(first);
  }
  return passwords;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on stderr and reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
