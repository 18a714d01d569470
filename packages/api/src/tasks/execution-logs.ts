import { describeValue, firstString, isRecord, type LooseRecord, truncate } from './loose-json.js';
import type { ExecutionLogEntry, LogLevel } from './schemas.js';
import { parseLooseTimestamp } from './timestamps.js';

// `execution_steps` is whatever the agents wrote: arrays of step objects with their own key names, objects holding
// `steps` or `logs`, plain strings, nested sub-steps, null, garbage. normaliseExecutionSteps reads all of it into
// one list of log lines, in order, and never throws: a shape it does not know becomes a line showing its JSON.

/** How far a step got, when it says; planning reads this, the API does not show it. */
export type StepOutcome = 'started' | 'completed' | 'failed' | 'skipped';

export interface NormalisedLogEntry extends ExecutionLogEntry {
  outcome: StepOutcome | null;
}

export const LOG_LIMITS = {
  /** Lines returned at most; a longer log ends with a line saying it was cut. */
  entries: 1000,
  /** Nesting followed at most; anything deeper is shown as JSON on one line. */
  depth: 8,
  /** Characters of one message at most. */
  messageLength: 4000,
} as const;

const AGENT_KEYS = ['agent', 'agent_name', 'agentName', 'name'] as const;
const MESSAGE_KEYS = ['message', 'content', 'output', 'text', 'msg', 'description'] as const;
const ERROR_KEYS = ['error', 'error_message', 'errorMessage', 'exception'] as const;
const TITLE_KEYS = ['title', 'step', 'step_name', 'action', 'tool', 'event'] as const;
const TIMESTAMP_KEYS = ['timestamp', 'ts', 'created_at', 'createdAt', 'time', 'datetime'] as const;
const LEVEL_KEYS = ['level', 'severity', 'log_level'] as const;
const STATUS_KEYS = ['status', 'state'] as const;
/** Where sub-steps live, in a step or in the object wrapping the whole log. */
const CHILD_KEYS = ['steps', 'sub_steps', 'substeps', 'subSteps', 'children', 'logs'] as const;

// A Map, not an object literal: a step saying `level: "constructor"` must not find Object.prototype's.
const WORDS = new Map<string, { level: LogLevel; outcome: StepOutcome | null }>();
function define(words: string[], level: LogLevel, outcome: StepOutcome | null) {
  for (const word of words) WORDS.set(word, { level, outcome });
}
define(['debug', 'trace', 'verbose'], 'debug', null);
define(['info', 'information', 'notice', 'log'], 'info', null);
define(['running', 'in_progress', 'in-progress', 'inprogress', 'started', 'start', 'processing', 'progress', 'active'], 'info', 'started');
define(['pending', 'queued', 'waiting', 'scheduled'], 'info', null);
define(['success', 'succeeded', 'successful', 'completed', 'complete', 'done', 'finished', 'ok', 'passed'], 'success', 'completed');
define(['skipped', 'skip', 'not_applicable'], 'info', 'skipped');
define(['warn', 'warning'], 'warning', null);
define(['error', 'err', 'failed', 'fail', 'failure', 'fatal', 'critical', 'exception', 'crashed', 'cancelled', 'canceled', 'aborted', 'timeout', 'timed_out'], 'error', 'failed');

function wordOf(record: LooseRecord, keys: readonly string[]) {
  const text = firstString(record, keys);
  return text === null ? undefined : WORDS.get(text.toLowerCase().replaceAll(' ', '_'));
}

function agentOf(record: LooseRecord): string | null {
  for (const key of AGENT_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return truncate(value.trim(), 200);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    // { agent: { name: "Writer", id: "a1" } }
    if (isRecord(value)) {
      const name = firstString(value, ['name', 'id', 'role']);
      if (name !== null) return truncate(name, 200);
    }
  }
  return null;
}

/** The first key of `keys` holding something to show: a non-blank string as is, anything else as JSON. */
function textOf(record: LooseRecord, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') {
      if (value.trim() === '') continue;
      return truncate(value.trim(), LOG_LIMITS.messageLength);
    }
    return describeValue(value, LOG_LIMITS.messageLength);
  }
  return null;
}

function hasAny(record: LooseRecord, keys: readonly string[]): boolean {
  return keys.some((key) => record[key] !== undefined && record[key] !== null);
}

function messageOf(record: LooseRecord, childCount: number): string {
  const message = textOf(record, MESSAGE_KEYS) ?? textOf(record, ERROR_KEYS);
  if (message !== null) return message;
  const title = firstString(record, TITLE_KEYS);
  const status = firstString(record, STATUS_KEYS);
  if (title !== null) return truncate(status === null ? title : `${title} (${status})`, LOG_LIMITS.messageLength);
  if (status !== null) return truncate(status, LOG_LIMITS.messageLength);
  // Nothing we know: show what is there, without the parts shown elsewhere.
  const rest = Object.fromEntries(
    Object.entries(record).filter(
      ([key]) => !(CHILD_KEYS as readonly string[]).includes(key) && !(AGENT_KEYS as readonly string[]).includes(key),
    ),
  );
  if (Object.keys(rest).length > 0) return describeValue(rest, LOG_LIMITS.messageLength);
  return childCount > 0 ? `${childCount} sub-step${childCount === 1 ? '' : 's'}` : '(no message)';
}

function levelAndOutcome(record: LooseRecord): { level: LogLevel; outcome: StepOutcome | null } {
  const level = wordOf(record, LEVEL_KEYS);
  const status = wordOf(record, STATUS_KEYS);
  const failedBySuccessFlag = record.success === false;
  const hasError = failedBySuccessFlag || hasAny(record, ERROR_KEYS);
  return {
    level: level?.level ?? status?.level ?? (hasError ? 'error' : 'info'),
    outcome:
      status?.outcome ??
      level?.outcome ??
      (hasError ? 'failed' : record.success === true ? 'completed' : null),
  };
}

function timestampOf(record: LooseRecord): Date | null {
  for (const key of TIMESTAMP_KEYS) {
    if (record[key] === undefined || record[key] === null) continue;
    const date = parseLooseTimestamp(record[key]);
    if (date) return date;
  }
  return null;
}

function childrenOf(record: LooseRecord): unknown[] {
  const children: unknown[] = [];
  for (const key of CHILD_KEYS) {
    const value = record[key];
    // A loop, not push(...value): spreading a very long array overflows the stack.
    if (Array.isArray(value)) for (const child of value as unknown[]) children.push(child);
  }
  return children;
}

class LogReader {
  readonly entries: NormalisedLogEntry[] = [];
  private truncated = false;

  private push(entry: NormalisedLogEntry) {
    if (this.entries.length < LOG_LIMITS.entries) this.entries.push(entry);
    else this.truncated = true;
  }

  private line(agent: string | null, message: string, level: LogLevel = 'info') {
    this.push({ agent, message, level, timestamp: null, outcome: null });
  }

  visit(value: unknown, agent: string | null, depth: number): void {
    if (this.truncated) return;
    if (value === null || value === undefined) return;
    if (depth > LOG_LIMITS.depth) {
      this.line(agent, describeValue(value, LOG_LIMITS.messageLength));
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, agent, depth + 1);
      return;
    }
    if (typeof value === 'string') {
      if (value.trim() !== '') this.line(agent, truncate(value.trim(), LOG_LIMITS.messageLength));
      return;
    }
    if (isRecord(value)) {
      this.visitStep(value, agent, depth);
      return;
    }
    // Numbers, booleans and anything else JSON cannot hold.
    this.line(agent, describeValue(value, LOG_LIMITS.messageLength));
  }

  private visitStep(record: LooseRecord, inheritedAgent: string | null, depth: number) {
    if (Object.keys(record).length === 0) return;
    const agent = agentOf(record) ?? inheritedAgent;
    // An object that only groups sub-steps ({ steps: [...] }, { logs: [...], run_id: 7 }) is not a line itself.
    const isGroup =
      CHILD_KEYS.some((key) => Array.isArray(record[key])) &&
      !hasAny(record, AGENT_KEYS) &&
      !hasAny(record, MESSAGE_KEYS) &&
      !hasAny(record, ERROR_KEYS) &&
      !hasAny(record, TITLE_KEYS);
    const children = childrenOf(record);
    if (!isGroup) {
      const message = messageOf(record, children.length);
      this.push({ agent, message, ...levelAndOutcome(record), timestamp: timestampOf(record) });
    }
    for (const child of children) this.visit(child, agent, depth + 1);
  }

  finish(): NormalisedLogEntry[] {
    if (this.truncated) {
      this.entries.push({
        agent: null,
        message: `Log cut after ${LOG_LIMITS.entries} entries.`,
        level: 'warning',
        timestamp: null,
        outcome: null,
      });
    }
    return this.entries;
  }
}

/** A whole log written into JSONB as a JSON string (encoded twice) is read as the JSON it holds. */
function unwrapEncodedJson(value: string): unknown {
  const text = value.trim();
  if (!(text.startsWith('[') || text.startsWith('{'))) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function normaliseExecutionSteps(executionSteps: unknown): NormalisedLogEntry[] {
  const reader = new LogReader();
  if (typeof executionSteps === 'string') {
    const decoded = unwrapEncodedJson(executionSteps);
    if (decoded !== undefined && typeof decoded !== 'string') {
      reader.visit(decoded, null, 0);
    } else {
      // A plain-text log: one line per line.
      for (const line of executionSteps.split(/\r?\n/)) reader.visit(line, null, 0);
    }
  } else {
    reader.visit(executionSteps, null, 0);
  }
  return reader.finish();
}

/** The log as the API shows it. */
export function toExecutionLogs(entries: readonly NormalisedLogEntry[]): ExecutionLogEntry[] {
  return entries.map(({ agent, message, level, timestamp }) => ({ agent, message, level, timestamp }));
}
