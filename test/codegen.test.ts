import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateOutputs, readCodegenConfig } from '../scripts/codegen.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GENERATED = 'src/generated/resolvers-types.ts';

/** Line and text of the first difference between two texts, for a short failure message. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const have = actual.split('\n');
  for (let i = 0; i < Math.max(want.length, have.length); i += 1) {
    if (want[i] !== have[i]) {
      return `line ${i + 1}: generated ${JSON.stringify(want[i] ?? '<end of file>')}, on disk ${JSON.stringify(have[i] ?? '<end of file>')}`;
    }
  }
  return 'no line differs';
}

describe('generated resolver types', () => {
  it(`${GENERATED} matches what codegen.yml generates from schema/*.graphql`, { timeout: 120_000 }, async () => {
    const loaded = await readCodegenConfig(`${ROOT}codegen.yml`);
    expect(loaded.generates, 'codegen.yml should generate the resolver types').toHaveProperty([GENERATED]);
    const before = await readFile(`${ROOT}${GENERATED}`, 'utf8');

    // `npm run codegen`'s generation (scripts/codegen.ts), which returns the outputs and writes nothing.
    const outputs = await generateOutputs(`${ROOT}codegen.yml`, ROOT);
    const output = outputs.find((o) => o.filename === GENERATED);
    expect(output, `codegen produced no ${GENERATED}`).toBeDefined();

    const onDisk = await readFile(`${ROOT}${GENERATED}`, 'utf8');
    expect(onDisk, 'the check must not rewrite the file').toBe(before);
    if (output!.content !== onDisk) {
      expect.fail(`${GENERATED} is stale: run \`npm run codegen\` and commit the result (${firstDifference(output!.content, onDisk)})`);
    }
  });
});
