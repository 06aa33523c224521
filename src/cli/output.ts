/**
 * Where the bin writes: data to stdout with backpressure, messages to stderr, and the secrets
 * kept out of both.
 *
 * @module
 */
import { Stopped } from './exit.js';

const REDACTED = '[REDACTED]';

/** Removes every secret from `text`: as given, and as it reads inside a JSON string. */
export class Secrets {
  readonly #forms = new Set<string>();

  add(secret: string | undefined): void {
    // As the library's redact does: shorter strings would mangle ordinary text.
    if (secret === undefined || secret.length < 4) return;
    this.#forms.add(secret);
    this.#forms.add(JSON.stringify(secret).slice(1, -1));
  }

  /**
   * Exact secrets only, so the rest of the text is untouched. (The library's errors already went
   * through its own `redact`, token forms included; this is the net under the bin's own output.)
   */
  scrub(text: string): string {
    let out = text;
    for (const form of this.#forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }
}

/** The data stream (stdout): waits for `drain`, stops quietly when the reader goes away. */
export class DataOut {
  readonly #stream: NodeJS.WriteStream;
  readonly #secrets: Secrets;
  readonly #signal: AbortSignal;

  constructor(stream: NodeJS.WriteStream, secrets: Secrets, signal: AbortSignal) {
    this.#stream = stream;
    this.#secrets = secrets;
    this.#signal = signal;
  }

  get isTTY(): boolean {
    return this.#stream.isTTY === true;
  }

  /**
   * Writes `text`; resolves once the stream can take more. Rejects with the reason of the stop
   * signal, or of `signal` (e.g. a wait's deadline), when one ends the wait for the reader.
   */
  async write(text: string, signal: AbortSignal = this.#signal): Promise<void> {
    signal.throwIfAborted();
    if (this.#stream.write(this.#secrets.scrub(text))) return;
    await drained(this.#stream, signal);
  }
}

function drained(stream: NodeJS.WriteStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: unknown) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => finish();
    const onClose = () => finish(new Stopped('EPIPE'));
    const onAbort = () => finish(signal.reason);
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Human messages (stderr), secrets scrubbed. */
export class MessageOut {
  readonly #stream: NodeJS.WriteStream;
  readonly #secrets: Secrets;

  constructor(stream: NodeJS.WriteStream, secrets: Secrets) {
    this.#stream = stream;
    this.#secrets = secrets;
  }

  get isTTY(): boolean {
    return this.#stream.isTTY === true;
  }

  /** The terminal's width, or 80. */
  get columns(): number {
    return this.#stream.columns || 80;
  }

  /** Writes `text` as it is (for the progress bar's escapes), secrets scrubbed. */
  raw(text: string): void {
    this.#stream.write(this.#secrets.scrub(text));
  }

  /** Writes one message line. */
  line(text: string): void {
    this.raw(`${text}\n`);
  }
}

/** Whether to colour stderr: a terminal, and neither NO_COLOR nor TERM=dumb. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}
