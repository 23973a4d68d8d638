/** True when an `If-Match`/`If-None-Match` value (`*`, a quoted or bare ETag, or a list) names `etag`. */
export function etagMatches(condition: string, etag: string): boolean {
  const bare = etag.replaceAll('"', '');
  return condition.split(',').some((c) => c.trim() === '*' || c.trim().replaceAll('"', '') === bare);
}
