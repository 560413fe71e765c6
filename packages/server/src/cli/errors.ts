/** A failure the CLI reports as one line on stderr, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: the server refused or failed; 2: bad usage, files or configuration. */
    readonly exitCode: 1 | 2 = 1,
    /** The HTTP status, when the server answered with an error. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
