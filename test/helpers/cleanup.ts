import type { TestContext } from 'node:test';

const stacks = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Registers a cleanup that runs when the test ends, last registered first (node:test runs `t.after` hooks in
 * registration order, which would remove a folder before the runtime using it is stopped).
 */
export function cleanup(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (stack === undefined) {
    const created: (() => unknown)[] = [];
    stack = created;
    stacks.set(t, created);
    t.after(async () => {
      for (const step of created.reverse()) await step();
    });
  }
  stack.push(fn);
}
