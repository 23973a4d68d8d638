import type { FunctionConfig } from '../model/functionSchema.js';

export interface EnvironmentContext {
  readonly functionName: string;
  readonly config: FunctionConfig;
  readonly region: string;
  readonly appDir: string;
  readonly logStreamName: string;
  /** The local AWS endpoint; SDK v3 clients read AWS_ENDPOINT_URL by themselves. */
  readonly endpointUrl: string | undefined;
}

/**
 * Credentials every function receives, as Lambda hands each function its role's. They are local and fake,
 * so an SDK client never reaches for ~/.aws or the instance metadata service.
 */
export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIATRIBUTARYLOCAL00',
  AWS_SECRET_ACCESS_KEY: 'tributary-local-secret-access-key',
  AWS_SESSION_TOKEN: 'tributary-local-session-token',
} as const;

/**
 * The complete environment of one execution environment: Lambda's reserved variables plus the function's
 * own. Nothing from the host process leaks in except PATH (so child processes can start).
 */
export function functionEnvironment(context: EnvironmentContext): Record<string, string> {
  const { functionName, config, region, appDir, logStreamName, endpointUrl } = context;
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: `${appDir}/node_modules`,
    LAMBDA_TASK_ROOT: appDir,
    LAMBDA_RUNTIME_DIR: new URL('.', import.meta.url).pathname,
    // The Runtime API itself is not served: environments talk to Tributary over a message port instead.
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    _HANDLER: config.handler,
    ...LOCAL_CREDENTIALS,
    ...(endpointUrl === undefined ? {} : { AWS_ENDPOINT_URL: endpointUrl }),
    ...config.environment,
  };
}
