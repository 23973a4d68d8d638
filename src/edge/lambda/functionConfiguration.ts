import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { FunctionConfig } from '../../model/functionSchema.js';
import { functionArn } from '../../runtime/functionArn.js';
import { findHandlerFile, parseHandler } from '../../runtime/handlerLocation.js';

/** Lambda's `LastModified` format: `2019-10-29T20:26:56.707+0000`. */
function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/**
 * `FunctionConfiguration` as GetFunction and ListFunctions return it. Code size, hash and last-modified time
 * come from the handler's file, so they change when the code does.
 */
export function functionConfiguration(
  name: string,
  config: FunctionConfig,
  context: { region: string; appDir: string },
): Record<string, unknown> {
  const file = findHandlerFile(parseHandler(context.appDir, config.handler));
  const code = file === undefined ? Buffer.alloc(0) : readFileSync(file);
  const modified = file === undefined ? new Date(0) : statSync(file).mtime;
  return {
    FunctionName: name,
    FunctionArn: functionArn(context.region, name),
    Runtime: config.runtime,
    Role: `arn:aws:iam::000000000000:role/${name}-role`,
    Handler: config.handler,
    CodeSize: code.length,
    Description: config.description ?? '',
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: lambdaTimestamp(modified),
    CodeSha256: createHash('sha256').update(code).digest('base64'),
    Version: '$LATEST',
    Environment: { Variables: { ...config.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [config.architecture],
    EphemeralStorage: { Size: 512 },
  };
}
