import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOG_LIMITS, normaliseExecutionSteps, toExecutionLogs } from './execution-logs.js';
import { executionLogEntrySchema } from './schemas.js';

const logsSchema = z.array(executionLogEntrySchema);

/** Step-like objects built from the keys agents use, with values of any JSON type, nested. */
const stepKeys = fc.constantFrom(
  'agent', 'agent_name', 'name', 'message', 'content', 'output', 'text', 'timestamp', 'ts', 'created_at',
  'level', 'status', 'error', 'title', 'step', 'steps', 'logs', 'sub_steps', 'children', 'success',
);
const stepLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom('info', 'ERROR', 'completed', 'running', 'skipped', '2026-11-27T10:00:00Z', '1795773600', ''),
    tie('step'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  step: fc.dictionary(stepKeys, tie('value'), { maxKeys: 6 }),
}));

describe('normaliseExecutionSteps', () => {
  it('never throws, and always gives lines the API schema accepts, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        logsSchema.parse(toExecutionLogs(normaliseExecutionSteps(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws for any mix of step-like objects, and gives the same lines every time', () => {
    fc.assert(
      fc.property(fc.array(stepLike.value, { maxLength: 8 }), (steps) => {
        const first = toExecutionLogs(normaliseExecutionSteps(steps));
        logsSchema.parse(first);
        expect(toExecutionLogs(normaliseExecutionSteps(structuredClone(steps)))).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('survives values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { agent: 'A' };
    cyclic.self = cyclic;
    const lines = normaliseExecutionSteps([10n, Symbol('s'), () => 1, cyclic, Object.create(null), new Date(0)]);
    logsSchema.parse(toExecutionLogs(lines));
    expect(lines.length).toBeGreaterThan(0);
  });

  it('takes the first key that holds a message, skipping blank ones', () => {
    const [line] = normaliseExecutionSteps([{ message: '  ', content: null, output: 'Rendered', text: 'ignored' }]);
    expect(line?.message).toBe('Rendered');
  });

  it('shows a structured message as JSON', () => {
    const [line] = normaliseExecutionSteps([{ agent: 'Tool', output: { scenes: 3 } }]);
    expect(line?.message).toBe('{"scenes":3}');
  });

  it('reads an agent given as an object by its name', () => {
    const [line] = normaliseExecutionSteps([{ agent: { name: 'Writer', id: 'a1' }, message: 'hi' }]);
    expect(line?.agent).toBe('Writer');
  });

  it('names a step without a message by its title and status', () => {
    const [line] = normaliseExecutionSteps([{ step: 'render', status: 'completed' }]);
    expect(line).toMatchObject({ message: 'render (completed)', level: 'success', outcome: 'completed' });
  });

  it('shows an error as the message and marks the line an error', () => {
    const [line] = normaliseExecutionSteps([{ agent: 'Renderer', error: 'ffmpeg exited with 1' }]);
    expect(line).toMatchObject({ message: 'ffmpeg exited with 1', level: 'error', outcome: 'failed' });
  });

  it('prefers the level over the status for the level, and the status for the outcome', () => {
    const [line] = normaliseExecutionSteps([{ message: 'x', level: 'debug', status: 'done' }]);
    expect(line).toMatchObject({ level: 'debug', outcome: 'completed' });
  });

  it("reads level and status words that are Object.prototype's names as unknown words", () => {
    const lines = normaliseExecutionSteps([
      { message: 'a', level: 'constructor', status: '__proto__' },
      { message: 'b', level: 'toString', status: 'hasOwnProperty' },
    ]);
    expect(lines.map(({ level, outcome }) => ({ level, outcome }))).toEqual([
      { level: 'info', outcome: null },
      { level: 'info', outcome: null },
    ]);
  });

  it('splits a plain-text log into lines', () => {
    const lines = normaliseExecutionSteps('Planning\n\nRendering\r\nDone');
    expect(lines.map((line) => line.message)).toEqual(['Planning', 'Rendering', 'Done']);
  });

  it('gives the first timestamp it can read among the timestamp keys', () => {
    const [line] = normaliseExecutionSteps([{ message: 'x', timestamp: 'soon', ts: 1795773600 }]);
    expect(line?.timestamp).toEqual(new Date('2026-11-27T10:00:00Z'));
  });

  it(`cuts a log longer than ${LOG_LIMITS.entries} lines and says so`, () => {
    const lines = normaliseExecutionSteps(Array.from({ length: LOG_LIMITS.entries + 5 }, (_, i) => `line ${i}`));
    expect(lines).toHaveLength(LOG_LIMITS.entries + 1);
    expect(lines.at(-1)).toMatchObject({ level: 'warning', message: expect.stringContaining('cut') as string });
  });

  it('shows nesting deeper than it follows as JSON on one line', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < LOG_LIMITS.depth + 5; i++) deep = [deep];
    const lines = normaliseExecutionSteps(deep);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toContain('bottom');
  });

  it('bounds a very long message', () => {
    const [line] = normaliseExecutionSteps([{ message: 'x'.repeat(100_000) }]);
    expect(line?.message.length).toBe(LOG_LIMITS.messageLength);
  });
});
