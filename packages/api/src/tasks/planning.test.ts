import { TASK_STATUSES, type TaskStatus } from '@reelpost/db';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseExecutionSteps } from './execution-logs.js';
import { PLANS, planNameFor, planTask } from './planning.js';

/** "key:status" for each step, with ":failed" on the step a failed task stopped at. */
function plan(type: string, status: TaskStatus, steps: unknown) {
  return planTask(type, status, normaliseExecutionSteps(steps)).steps.map(
    (step) => `${step.key}:${step.status}${step.failed ? ':failed' : ''}`,
  );
}

const line = (agent: string, status?: string) => ({ agent, message: `${agent} at work`, ...(status && { status }) });

describe('the plan for a task type', () => {
  it.each([
    ['video_generation', 'video_generation'],
    ['Video Generation', 'video_generation'],
    ['tiktok-video', 'video_generation'],
    ['image', 'image_generation'],
    ['research_report', 'default'],
    ['', 'default'],
    ['constructor', 'default'],
    ['__proto__', 'default'],
  ])('%j uses the %s plan', (type, expected) => {
    expect(planNameFor(type)).toBe(expected);
  });

  it('lists the steps of its plan in order, titled', () => {
    const planning = planTask('image_generation', 'pending', []);
    expect(planning).toEqual({
      plan: 'image_generation',
      steps: PLANS.image_generation.steps.map((step) => ({ key: step.key, title: step.title, status: 'pending', failed: false })),
    });
  });
});

describe('matching log lines to steps', () => {
  it("matches a line by its agent's name, word by word (ScriptWriter → script)", () => {
    expect(plan('video_generation', 'running', [line('ScriptWriter')])).toContain('script:in_progress');
  });

  it('matches a line by its message when its agent says nothing', () => {
    const steps = [{ agent: 'worker-1', message: 'Rendering the final cut' }];
    expect(plan('video_generation', 'running', steps)).toContain('render:in_progress');
  });

  it('gives lines no step claims to the catch-all step of the default plan', () => {
    expect(plan('research_report', 'running', [line('Analyst'), line('Crawler')])).toEqual([
      'prepare:completed',
      'work:in_progress',
      'deliver:pending',
    ]);
  });
});

describe('step statuses', () => {
  it('leaves every step of a pending task pending', () => {
    expect(plan('video_generation', 'pending', [line('Planner', 'completed')]).every((s) => s.endsWith(':pending'))).toBe(true);
  });

  it('starts a running task without a log at its first step', () => {
    expect(plan('image_generation', 'running', null)).toEqual(['prompt:in_progress', 'generate:pending', 'review:pending']);
  });

  it('moves a running task on to the next step once the furthest one says it finished', () => {
    expect(plan('image_generation', 'running', [line('PromptWriter', 'completed')])).toEqual([
      'prompt:completed',
      'generate:in_progress',
      'review:pending',
    ]);
  });

  it('keeps the last step in progress while a running task finishes up', () => {
    const steps = [line('Prompt'), line('ImageGen'), line('Reviewer', 'completed')];
    expect(plan('image_generation', 'running', steps)).toEqual(['prompt:completed', 'generate:completed', 'review:in_progress']);
  });

  it('skips steps the log went past without a line', () => {
    expect(plan('image_generation', 'running', [line('Prompt'), line('Reviewer')])).toEqual([
      'prompt:completed',
      'generate:skipped',
      'review:in_progress',
    ]);
  });

  it('skips a step whose latest line says it was skipped', () => {
    const steps = [line('Planner'), line('VoiceAgent', 'skipped'), line('Renderer')];
    expect(plan('video_generation', 'running', steps)).toEqual([
      'plan:completed',
      'script:skipped',
      'visuals:skipped',
      'voiceover:skipped',
      'render:in_progress',
      'review:pending',
    ]);
  });

  it('marks every step of a completed task done when nothing in its log names a step', () => {
    expect(plan('image_generation', 'completed', ['did things'])).toEqual([
      'prompt:completed',
      'generate:completed',
      'review:completed',
    ]);
  });

  it('marks a completed task: logged steps done, steps passed over skipped, steps after the log done', () => {
    const steps = [line('Planner'), line('Renderer')];
    expect(plan('video_generation', 'completed', steps)).toEqual([
      'plan:completed',
      'script:skipped',
      'visuals:skipped',
      'voiceover:skipped',
      'render:completed',
      'review:completed',
    ]);
  });

  it('marks the step a failed task stopped at, and skips the rest', () => {
    const steps = [line('Prompt', 'completed'), line('ImageGen', 'failed')];
    expect(plan('image_generation', 'failed', steps)).toEqual(['prompt:completed', 'generate:skipped:failed', 'review:skipped']);
  });

  it('puts the failure on the next step when the furthest one said it finished', () => {
    expect(plan('image_generation', 'failed', [line('Prompt', 'completed')])).toEqual([
      'prompt:completed',
      'generate:skipped:failed',
      'review:skipped',
    ]);
  });

  it('puts the failure on the first step of a failed task without a log', () => {
    expect(plan('image_generation', 'failed', [])).toEqual(['prompt:skipped:failed', 'generate:skipped', 'review:skipped']);
  });

  it('flags no step when a failed task had finished every step', () => {
    const steps = [line('Prompt', 'done'), line('ImageGen', 'done'), line('Reviewer', 'done')];
    expect(plan('image_generation', 'failed', steps)).toEqual(['prompt:completed', 'generate:completed', 'review:completed']);
  });

  it('stops a cancelled task like a failed one, without flagging a failure', () => {
    expect(plan('image_generation', 'cancelled', [line('Prompt', 'completed'), line('ImageGen')])).toEqual([
      'prompt:completed',
      'generate:skipped',
      'review:skipped',
    ]);
  });
});

describe('planning invariants, for any log', () => {
  const anyLog = fc.array(
    fc.record({
      agent: fc.constantFrom('Planner', 'ScriptWriter', 'ImageGen', 'VoiceAgent', 'Renderer', 'Reviewer', 'Bot', 'x'),
      status: fc.constantFrom('running', 'completed', 'failed', 'skipped', 'info'),
      message: fc.string({ maxLength: 20 }),
    }),
    { maxLength: 12 },
  );
  const anyType = fc.constantFrom('video_generation', 'image_generation', 'something_else');
  const anyStatus = fc.constantFrom(...TASK_STATUSES);

  it('is the same every time for the same task', () => {
    fc.assert(
      fc.property(anyType, anyStatus, anyLog, (type, status, log) => {
        expect(planTask(type, status, normaliseExecutionSteps(log))).toEqual(
          planTask(type, status, normaliseExecutionSteps(structuredClone(log))),
        );
      }),
    );
  });

  it('has exactly one step in progress while running, none otherwise, and at most one failed step', () => {
    fc.assert(
      fc.property(anyType, anyStatus, anyLog, (type, status, log) => {
        const { steps } = planTask(type, status, normaliseExecutionSteps(log));
        const inProgress = steps.filter((step) => step.status === 'in_progress').length;
        expect(inProgress).toBe(status === 'running' ? 1 : 0);
        expect(steps.filter((step) => step.failed).length).toBeLessThanOrEqual(status === 'failed' ? 1 : 0);
        if (status === 'completed' || status === 'failed' || status === 'cancelled') {
          expect(steps.every((step) => step.status === 'completed' || step.status === 'skipped')).toBe(true);
        }
        if (status === 'running') {
          const current = steps.findIndex((step) => step.status === 'in_progress');
          expect(steps.slice(current + 1).every((step) => step.status === 'pending')).toBe(true);
          expect(steps.slice(0, current).every((step) => step.status !== 'pending')).toBe(true);
        }
      }),
    );
  });
});
