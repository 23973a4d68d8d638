/**
 * The UTF-8 size of `text`, counted only when it could exceed `limit`: a UTF-16 code unit takes at most 3 bytes,
 * so short texts (the usual case on the invoke path) are not walked at all.
 */
export function utf8SizeIfOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}
