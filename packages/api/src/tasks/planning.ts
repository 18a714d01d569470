import type { TaskStatus } from '@reelpost/db';
import type { NormalisedLogEntry, StepOutcome } from './execution-logs.js';
import type { Planning, PlanningStep, PlanningStepStatus } from './schemas.js';

// A task's planning: the steps its type goes through (PLANS), each marked from what the execution log and the
// task's status show. A pure function of (type, status, log): the same task always gets the same planning.
// The rules are written out for callers in docs/api-tasks.md; keep the two in step.

export interface PlannedStep {
  key: string;
  title: string;
  /**
   * A log line belongs to this step when one of the words of its agent's name (or, failing that, of its message)
   * starts with one of these. "ScriptWriter" → script, writer; "tts_agent" → tts, agent.
   */
  keywords: readonly string[];
}

export interface Plan {
  steps: readonly PlannedStep[];
  /** The step that lines matching no step belong to, if any. */
  catchAll?: string;
}

export const PLANS = {
  video_generation: {
    steps: [
      { key: 'plan', title: 'Plan the video', keywords: ['plan', 'brief', 'research', 'idea', 'concept', 'strateg', 'trend'] },
      { key: 'script', title: 'Write the script', keywords: ['script', 'writ', 'copy', 'story', 'hook', 'caption'] },
      { key: 'visuals', title: 'Create the visuals', keywords: ['visual', 'image', 'asset', 'media', 'footage', 'stock', 'scene', 'broll', 'thumbnail'] },
      { key: 'voiceover', title: 'Record the voice-over', keywords: ['voice', 'tts', 'audio', 'narrat', 'speech', 'music', 'sound'] },
      { key: 'render', title: 'Edit and render the video', keywords: ['render', 'edit', 'compos', 'assembl', 'ffmpeg', 'video', 'subtitle', 'encod'] },
      { key: 'review', title: 'Review the result', keywords: ['review', 'qa', 'quality', 'check', 'final', 'approv', 'upload', 'deliver'] },
    ],
  },
  image_generation: {
    steps: [
      { key: 'prompt', title: 'Write the prompt', keywords: ['prompt', 'plan', 'brief', 'idea', 'concept'] },
      { key: 'generate', title: 'Generate the image', keywords: ['image', 'generat', 'render', 'diffusion', 'dall', 'draw', 'paint', 'upscal'] },
      { key: 'review', title: 'Review the result', keywords: ['review', 'qa', 'quality', 'check', 'final', 'approv', 'upload', 'deliver'] },
    ],
  },
  default: {
    steps: [
      { key: 'prepare', title: 'Understand the request', keywords: ['plan', 'brief', 'research', 'analy', 'understand', 'think', 'prepar', 'gather'] },
      { key: 'work', title: 'Do the work', keywords: [] },
      { key: 'deliver', title: 'Deliver the result', keywords: ['deliver', 'upload', 'save', 'stor', 'publish', 'final', 'export'] },
    ],
    catchAll: 'work',
  },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;

/** Task types written differently that mean the same plan. A Map: a task of type "constructor" gets `default`. */
const TYPE_ALIASES = new Map<string, PlanName>([
  ['video', 'video_generation'],
  ['video_generation', 'video_generation'],
  ['generate_video', 'video_generation'],
  ['video_creation', 'video_generation'],
  ['tiktok_video', 'video_generation'],
  ['short_video', 'video_generation'],
  ['image', 'image_generation'],
  ['image_generation', 'image_generation'],
  ['generate_image', 'image_generation'],
]);

export function planNameFor(taskType: string): PlanName {
  const normalised = taskType
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return TYPE_ALIASES.get(normalised) ?? 'default';
}

const MESSAGE_WORDS_READ = 40;

/** "ScriptWriter v2" → ["script", "writer", "v2"]. */
function wordsOf(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
    .slice(0, limit);
}

function stepMatching(plan: Plan, words: readonly string[]): number | null {
  if (words.length === 0) return null;
  const index = plan.steps.findIndex((step) =>
    step.keywords.some((keyword) => words.some((word) => word.startsWith(keyword))),
  );
  return index === -1 ? null : index;
}

/** The step an agent's lines belong to, by agent name: a log repeats a few agents over many lines. */
type StepsByAgent = Map<string, number | null>;

function stepOfAgent(plan: Plan, agent: string, known: StepsByAgent): number | null {
  let step = known.get(agent);
  if (step === undefined) {
    step = stepMatching(plan, wordsOf(agent));
    known.set(agent, step);
  }
  return step;
}

function stepOf(plan: Plan, entry: NormalisedLogEntry, catchAll: number | null, byAgent: StepsByAgent): number | null {
  return (
    (entry.agent === null ? null : stepOfAgent(plan, entry.agent, byAgent)) ??
    stepMatching(plan, wordsOf(entry.message.slice(0, 400), MESSAGE_WORDS_READ)) ??
    catchAll
  );
}

interface Evidence {
  lines: number;
  /** The outcome the step's latest line that states one states. */
  outcome: StepOutcome | null;
}

export function planTask(taskType: string, status: TaskStatus, log: readonly NormalisedLogEntry[]): Planning {
  const name = planNameFor(taskType);
  const plan: Plan = PLANS[name];
  const catchAllIndex = 'catchAll' in plan ? plan.steps.findIndex((step) => step.key === plan.catchAll) : -1;
  const evidence: Evidence[] = plan.steps.map(() => ({ lines: 0, outcome: null }));
  const byAgent: StepsByAgent = new Map();
  for (const entry of log) {
    const index = stepOf(plan, entry, catchAllIndex === -1 ? null : catchAllIndex, byAgent);
    const step = index === null ? undefined : evidence[index];
    if (!step) continue;
    step.lines += 1;
    if (entry.outcome !== null) step.outcome = entry.outcome;
  }

  const last = evidence.findLastIndex((step) => step.lines > 0);
  const finished = (index: number) => {
    const outcome = evidence[index]?.outcome;
    return outcome === 'completed' || outcome === 'skipped';
  };
  // A step the log reached: done, unless its latest word is that it was skipped. One the log went past: skipped.
  const reached = (index: number): PlanningStepStatus =>
    (evidence[index]?.lines ?? 0) === 0 || evidence[index]?.outcome === 'skipped' ? 'skipped' : 'completed';

  const statuses = plan.steps.map((_, index): { status: PlanningStepStatus; failed: boolean } => {
    switch (status) {
      case 'pending':
        return { status: 'pending', failed: false };
      case 'running': {
        // The step in progress: the furthest one with log lines, or the next one once that says it finished.
        const current = last === -1 ? 0 : finished(last) && last < plan.steps.length - 1 ? last + 1 : last;
        if (index < current) return { status: reached(index), failed: false };
        return { status: index === current ? 'in_progress' : 'pending', failed: false };
      }
      case 'completed':
        // Nothing in the log names a step: trust the task, every step ran. Otherwise steps the log went past without
        // a line were skipped; steps after the last line are done (the log fell silent, the task says it finished).
        if (last === -1 || index > last) return { status: 'completed', failed: false };
        return { status: reached(index), failed: false };
      case 'failed':
      case 'cancelled': {
        // Where it stopped: the furthest step with log lines, or the next one once that says it finished (none
        // when the last step finished). Nothing after the stop will run now, so it is all skipped.
        const stop = last === -1 ? 0 : finished(last) ? last + 1 : last;
        if (index < stop) return { status: reached(index), failed: false };
        return { status: 'skipped', failed: index === stop && status === 'failed' };
      }
    }
  });

  const steps: PlanningStep[] = plan.steps.map((step, index) => ({
    key: step.key,
    title: step.title,
    status: statuses[index]?.status ?? 'pending',
    failed: statuses[index]?.failed ?? false,
  }));
  return { plan: name, steps };
}
