/**
 * Raised for a file that cannot be processed: malformed for its format, of an unsupported encoding, or
 * over a limit. The message is safe to show a user: it names the problem and where (line, part), never
 * any of the file's content.
 */
export class FileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileFormatError';
  }
}
