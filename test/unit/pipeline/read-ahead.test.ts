/** readAhead: the next chunk is produced while the consumer works on this one, never more than one ahead. */
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/pipeline/transfer.ts';

function source(n: number, log: string[], fail?: number) {
  return (async function* () {
    try {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setImmediate(r));
        if (i === fail) throw new Error(`item ${i} is bad`);
        log.push(`made ${i}`);
        yield i;
      }
    } finally {
      log.push('source closed');
    }
  })();
}

describe('readAhead', () => {
  it('hands out every item in order, making the next one while the consumer awaits', async () => {
    const log: string[] = [];
    const got: number[] = [];
    for await (const i of readAhead(source(3, log))) {
      await new Promise((r) => setTimeout(r, 5)); // the commit
      log.push(`used ${i}`);
      got.push(i);
    }
    expect(got).toEqual([0, 1, 2]);
    expect(log).toEqual(['made 0', 'made 1', 'used 0', 'made 2', 'used 1', 'source closed', 'used 2']);
  });

  it('ends the source when the consumer stops early, and passes the source\'s error on', async () => {
    const log: string[] = [];
    for await (const i of readAhead(source(5, log))) if (i === 1) break;
    expect(log).toEqual(['made 0', 'made 1', 'made 2', 'source closed']);
    const seen: number[] = [];
    await expect(async () => {
      for await (const i of readAhead(source(5, [], 2))) seen.push(i);
    }).rejects.toThrow('item 2 is bad');
    expect(seen).toEqual([0, 1]);
  });
});
