import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  type EmbeddedStack,
  type EmbeddedStackOptions,
  startEmbeddedStack,
} from '../../local/embedded-stack';

/**
 * One embedded stack for the test file: started before its tests (the function's logs and metrics
 * silenced unless `options.environment` says otherwise), stopped after them, with a JumpCloud
 * simulator emptied before each test. `started` hands the stack to the file's own variable.
 */
export function useEmbeddedStack(
  options: EmbeddedStackOptions,
  started: (stack: EmbeddedStack) => void,
): void {
  let stack: EmbeddedStack | undefined;
  beforeAll(async () => {
    stack = await startEmbeddedStack({
      ...options,
      environment: {
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...options.environment,
      },
    });
    started(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack?.simulator.reset();
  });
}
