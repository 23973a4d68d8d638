import { captureConsole } from './consoleCapture.js';
import type { EnvironmentToMain } from './workerProtocol.js';

/** The request being served by this environment, read by the console formatter. */
export interface CurrentInvocation {
  requestId: string | undefined;
}

/** Sends every console line of the environment to the main thread, tagged with the current request. */
export function consoleCaptureFor(send: (message: EnvironmentToMain) => void): CurrentInvocation {
  const current: CurrentInvocation = { requestId: undefined };
  captureConsole(
    (text) => send({ type: 'log', text }),
    () => current.requestId,
  );
  return current;
}
