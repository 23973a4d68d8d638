/**
 * Splits an NDJSON body into its records (one per non-empty line, a trailing `\r` dropped). `clean` says the body
 * is already in canonical form — `\n` after every record, no `\r`, no blank lines — so it can be journalled,
 * buffered and delivered as one block without copying its records apart.
 */
export function splitNdjson(body: Buffer): { records: Buffer[]; clean: boolean } {
  const records: Buffer[] = [];
  let clean = body.length > 0 && body[body.length - 1] === 0x0a;
  for (let lineStart = 0; lineStart < body.length; ) {
    const newline = body.indexOf(10, lineStart);
    const lineEnd = newline < 0 ? body.length : newline;
    let end = lineEnd;
    if (end > lineStart && body[end - 1] === 0x0d) {
      end -= 1;
      clean = false;
    }
    if (end > lineStart) records.push(body.subarray(lineStart, end));
    else clean = false;
    lineStart = lineEnd + 1;
  }
  return { records, clean };
}
