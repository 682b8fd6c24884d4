import { createHook } from 'node:async_hooks';
import { TimeoutAppError } from '../errors/app-errors';
import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('passes a value or an error through, and clears its timer', async () => {
    const cleared = jest.spyOn(global, 'clearTimeout');
    await expect(withTimeout(Promise.resolve(7), 1000, 'a call')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('no')), 1000, 'a call')).rejects.toThrow(
      'no',
    );
    expect(cleared).toHaveBeenCalledTimes(2);
    cleared.mockRestore();
  });

  it('rejects with TimeoutAppError naming the call when the promise is late', async () => {
    const never = new Promise<never>(() => undefined);
    const outcome = withTimeout(never, 10, 'cache L2 get');
    await expect(outcome).rejects.toBeInstanceOf(TimeoutAppError);
    await expect(outcome).rejects.toThrow('cache L2 get timed out after 10 ms');
  });

  it('makes two promises per call, whatever the outcome', async () => {
    const input = Promise.resolve('x');
    let promises = 0;
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'PROMISE') promises += 1;
      },
    }).enable();
    const result = withTimeout(input, 1000, 'a call');
    hook.disable();
    await result;
    expect(promises).toBe(2);
  });
});
