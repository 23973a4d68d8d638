import type { z } from 'zod';

/** One problem in a config: where (`functions.orders.timeout`) and what is wrong, with the allowed values. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(config)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

function describeInput(input: unknown): string {
  if (input === undefined) return '';
  const text = JSON.stringify(input);
  if (text === undefined) return '';
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

/** Turns zod's issues into one problem per line, each naming its path, what is allowed and what was given. */
export function toConfigProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'is not a known setting (remove it, or check its spelling)',
      }));
    }
    if (issue.code === 'invalid_key') {
      // A record key failed its own schema: the inner issues say why.
      const reasons = issue.issues.map((inner) => inner.message).join('; ');
      return [{ path: formatPath(issue.path), message: `${reasons}${describeInput(issue.input)}` }];
    }
    if (issue.code === 'invalid_union') {
      const options = issue.errors.map((branch) => branch.map((i) => formatPath(i.path)).join(' + ')).join(' | ');
      return [{ path: formatPath(issue.path), message: `${issue.message}; expected one of the shapes: ${options}` }];
    }
    const given =
      issue.code === 'invalid_type' && issue.input === undefined ? ' (missing)' : describeInput(issue.input);
    return [{ path: formatPath(issue.path), message: `${issue.message}${given}` }];
  });
}

/** The text of a config error: a headline, then one indented line per problem. */
export function formatConfigProblems(source: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return `${source} has ${problems.length} ${noun}:\n${lines.join('\n')}`;
}
