import { randomBytes } from 'node:crypto';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Formats a UTC instant with the subset of Java's DateTimeFormatter that Firehose prefixes use: `yyyy`, `yy`,
 * `MM`, `M`, `dd`, `d`, `HH`, `H`, `mm`, `ss`, `SSS`, and text in single quotes taken literally.
 */
export function formatTimestamp(pattern: string, epochMs: number): string {
  const d = new Date(epochMs);
  const fields: Record<string, () => string> = {
    yyyy: () => pad(d.getUTCFullYear(), 4),
    yy: () => pad(d.getUTCFullYear() % 100, 2),
    MM: () => pad(d.getUTCMonth() + 1, 2),
    M: () => String(d.getUTCMonth() + 1),
    dd: () => pad(d.getUTCDate(), 2),
    d: () => String(d.getUTCDate()),
    HH: () => pad(d.getUTCHours(), 2),
    H: () => String(d.getUTCHours()),
    mm: () => pad(d.getUTCMinutes(), 2),
    ss: () => pad(d.getUTCSeconds(), 2),
    SSS: () => pad(d.getUTCMilliseconds(), 3),
  };
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] === "'") {
      const end = pattern.indexOf("'", i + 1);
      out += end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    const token = ['yyyy', 'SSS', 'yy', 'MM', 'dd', 'HH', 'mm', 'ss', 'M', 'd', 'H'].find((t) =>
      pattern.startsWith(t, i),
    );
    if (token === undefined) {
      out += pattern[i];
      i += 1;
    } else {
      out += fields[token]?.() ?? '';
      i += token.length;
    }
  }
  return out;
}

/** Firehose's `!{firehose:random-string}`: 11 characters, new for each occurrence. */
function randomString(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

export interface PrefixValues {
  /** The arrival time of the oldest record in the object: every `!{timestamp:…}` uses this instant. */
  readonly timestampMs: number;
  readonly partitionKeys?: Readonly<Record<string, string>>;
  readonly errorOutputType?: string;
}

const DEFAULT_TIME = '!{timestamp:yyyy/MM/dd/HH/}';

/**
 * Evaluates a Firehose S3 prefix. Without any `!{timestamp:…}`, Firehose appends `yyyy/MM/dd/HH/` (UTC), which is
 * done here too.
 */
export function evaluatePrefix(prefix: string, values: PrefixValues): string {
  const template = prefix.includes('!{timestamp:') ? prefix : `${prefix}${DEFAULT_TIME}`;
  return template.replace(/!\{([a-zA-Z]+):([^}]*)\}/g, (whole, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTimestamp(value, values.timestampMs);
    if (namespace === 'firehose' && value === 'random-string') return randomString();
    if (namespace === 'firehose' && value === 'error-output-type') return values.errorOutputType ?? '';
    if (namespace === 'partitionKeyFromQuery') return values.partitionKeys?.[value] ?? '';
    return whole;
  });
}

/** The default object name after the prefix: `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid-like>`. */
export function objectName(stream: string, version: number, epochMs: number, random: string): string {
  return `${stream}-${version}-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', epochMs)}-${random}`;
}

/**
 * The part of a prefix that is fixed once the partition keys are known: expressions filled in up to the first
 * time or random one. What access control compares with a principal's write grants.
 */
export function staticPrefix(prefix: string, partitionKeys: Readonly<Record<string, string>> | undefined): string {
  const filled = prefix.replace(
    /!\{partitionKeyFromQuery:([^}]*)\}/g,
    (_, name: string) => partitionKeys?.[name] ?? '',
  );
  const dynamic = filled.indexOf('!{');
  return dynamic < 0 ? filled : filled.slice(0, dynamic);
}
