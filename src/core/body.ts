/**
 * Reading a response body: capped in bytes, cancelled by a deadline the caller holds, and checked
 * for nesting before it is parsed.
 *
 * @module
 */

/**
 * Reads at most `limit` bytes of the body, then cancels the rest so the socket is released. An
 * abort of `signal` cancels the reader itself, so a body that trickles forever stops at the
 * deadline whatever became of the signal fetch was given.
 */
export async function readCapped(
  response: Response,
  limit: number,
  signal: AbortSignal,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const declared = Number(response.headers.get('content-length'));
  if (!response.body) return { bytes: new Uint8Array(0), truncated: false };
  if (signal.aborted || (Number.isFinite(declared) && declared > limit)) {
    // Not awaited: some streams only settle a cancel once the peer is done writing.
    response.body.cancel().catch(() => {});
    signal.throwIfAborted();
    return { bytes: new Uint8Array(0), truncated: true };
  }
  const reader = response.body.getReader();
  // A cancel ends a pending read as if the body had ended: the loop then checks the signal.
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        const kept = value.subarray(0, value.byteLength - (total - limit));
        chunks.push(kept);
        return { bytes: concat(chunks, limit), truncated: true };
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
  return { bytes: concat(chunks, total), truncated: false };
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk.subarray(0, total - offset), offset);
    offset += chunk.byteLength;
    if (offset >= total) break;
  }
  return out;
}

/** Drops a body that is not read, so the socket is released. */
export function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

/** Whether the JSON text nests arrays and objects more than `max` deep (brackets in strings don't count). */
export function nestedDeeperThan(text: string, max: number): boolean {
  // Deeper than `max` takes more than `max` opening brackets, and most bodies have fewer: counted
  // with indexOf, which skips the text natively, that check is over 10 times faster than the scan.
  if (!moreThan(text, max, ['{', '['])) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether `text` holds more than `max` of the characters in `chars`, together. */
function moreThan(text: string, max: number, chars: readonly string[]): boolean {
  let count = 0;
  for (const char of chars) {
    for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
      if (++count > max) return true;
    }
  }
  return false;
}
