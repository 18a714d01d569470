import { useTestDatabase } from '@reelpost/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asJson,
  callerFor,
  createOwner,
  type Db,
  insertAccount,
  insertMedia,
  insertPost,
  insertTask,
} from './testing/fixtures.js';

const database = useTestDatabase();
let db: Db;
let owner: Awaited<ReturnType<typeof createOwner>>;

beforeAll(async () => {
  db = database().db;
  owner = await createOwner(db, 'alice');
});

async function detailOf(values: Parameters<typeof insertTask>[2] = {}) {
  const task = await insertTask(db, owner.instance.id, values);
  return callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
}

async function logsOf(executionSteps: unknown) {
  const detail = await detailOf({ execution_steps: executionSteps === undefined ? null : asJson(executionSteps) });
  return detail.executionLogs;
}

describe('tasks.detail: the execution log', () => {
  it('reads an array of step objects whatever their key names, in order', async () => {
    const logs = await logsOf([
      { agent: 'Planner', message: 'Picked a topic', timestamp: '2026-11-27T10:00:00Z', level: 'info' },
      { agent_name: 'ScriptWriter', content: 'Wrote 120 words', ts: 1795773601, status: 'completed' },
      { name: 'Renderer', output: 'Rendered 1080x1920', created_at: 1795773602000, level: 'warning' },
      { agent: 'Reviewer', text: 'Looks good', timestamp: 'yesterday-ish', status: 'failed' },
    ]);
    expect(logs).toEqual([
      { agent: 'Planner', message: 'Picked a topic', level: 'info', timestamp: new Date('2026-11-27T10:00:00Z') },
      { agent: 'ScriptWriter', message: 'Wrote 120 words', level: 'success', timestamp: new Date('2026-11-27T10:00:01Z') },
      { agent: 'Renderer', message: 'Rendered 1080x1920', level: 'warning', timestamp: new Date('2026-11-27T10:00:02Z') },
      { agent: 'Reviewer', message: 'Looks good', level: 'error', timestamp: null },
    ]);
  });

  it('reads the steps of an object holding `steps`', async () => {
    const logs = await logsOf({ run_id: 7, steps: [{ agent: 'Planner', message: 'Start' }, 'Done'] });
    expect(logs.map((line) => [line.agent, line.message])).toEqual([
      ['Planner', 'Start'],
      [null, 'Done'],
    ]);
  });

  it('reads the lines of an object holding `logs`', async () => {
    const logs = await logsOf({ logs: [{ level: 'ERROR', msg: 'Out of credits' }] });
    expect(logs).toEqual([{ agent: null, message: 'Out of credits', level: 'error', timestamp: null }]);
  });

  it('turns plain strings into lines', async () => {
    const logs = await logsOf(['Fetching trends', 'Writing script']);
    expect(logs).toEqual([
      { agent: null, message: 'Fetching trends', level: 'info', timestamp: null },
      { agent: null, message: 'Writing script', level: 'info', timestamp: null },
    ]);
  });

  it('flattens nested sub-steps after their parent, which lends them its agent', async () => {
    const logs = await logsOf([
      {
        agent: 'Renderer',
        message: 'Rendering',
        steps: [{ message: 'Cut scenes' }, { agent: 'FFmpeg', message: 'Encoded', sub_steps: ['pass 1', 'pass 2'] }],
      },
      { agent: 'Reviewer', message: 'Approved' },
    ]);
    expect(logs.map((line) => `${line.agent}: ${line.message}`)).toEqual([
      'Renderer: Rendering',
      'Renderer: Cut scenes',
      'FFmpeg: Encoded',
      'FFmpeg: pass 1',
      'FFmpeg: pass 2',
      'Reviewer: Approved',
    ]);
  });

  it('shows no lines when execution_steps is NULL', async () => {
    expect(await logsOf(undefined)).toEqual([]);
  });

  it('shows no lines when execution_steps is JSON null', async () => {
    expect(await logsOf(null)).toEqual([]);
  });

  it('shows no lines for an empty array', async () => {
    expect(await logsOf([])).toEqual([]);
  });

  it('shows a number stored as the whole log as one line', async () => {
    expect(await logsOf(42)).toEqual([{ agent: null, message: '42', level: 'info', timestamp: null }]);
  });

  it('shows numbers, booleans and unknown objects among the steps as readable lines', async () => {
    const logs = await logsOf([3.5, true, false, { foo: 'bar', n: 1 }, [], null]);
    // JSONB keeps object keys sorted by length, then bytes.
    expect(logs.map((line) => line.message)).toEqual(['3.5', 'true', 'false', '{"n":1,"foo":"bar"}']);
  });

  it('reads a log that was JSON-encoded twice', async () => {
    const logs = await logsOf(JSON.stringify([{ agent: 'Planner', message: 'Start' }]));
    expect(logs).toEqual([{ agent: 'Planner', message: 'Start', level: 'info', timestamp: null }]);
  });
});

describe('tasks.detail: attached media', () => {
  async function mediaOf(rows: Omit<Parameters<typeof insertMedia>[1], 'instance_id' | 'task_id'>[]) {
    const task = await insertTask(db, owner.instance.id);
    for (const row of rows) await insertMedia(db, { instance_id: owner.instance.id, task_id: task.id, ...row });
    return (await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id })).attachedMedia;
  }

  it('tells each kind by MIME type', async () => {
    const media = await mediaOf([
      { url: 'https://cdn.example.com/a', mime_type: 'image/png' },
      { url: 'https://cdn.example.com/b', mime_type: 'video/mp4; codecs="avc1"' },
      { url: 'https://cdn.example.com/c', mime_type: 'audio/mpeg' },
      { url: 'https://cdn.example.com/d', mime_type: 'application/pdf' },
      { url: 'https://cdn.example.com/e', mime_type: 'application/zip' },
    ]);
    expect(media.map((item) => item.type)).toEqual(['image', 'video', 'audio', 'document', 'other']);
  });

  it('tells the kind by extension when the MIME type does not say, name first, then URL', async () => {
    const media = await mediaOf([
      { url: 'https://cdn.example.com/x?sig=1', mime_type: 'application/octet-stream', name: 'cover.JPG' },
      { url: 'https://cdn.example.com/renders/final%20cut.mov?token=abc', mime_type: null },
      { url: 'https://cdn.example.com/voice.m4a#t=3' },
      { url: 'https://cdn.example.com/brief.docx' },
      { url: 'https://cdn.example.com/archive.tar' },
      { url: 'https://cdn.example.com/x', name: 'odd.constructor' },
    ]);
    expect(media.map((item) => item.type)).toEqual(['image', 'video', 'audio', 'document', 'other', 'other']);
  });

  it('falls back to the stored kind when neither MIME type nor extension says', async () => {
    const media = await mediaOf([{ url: 'https://cdn.example.com/blob/123', kind: 'audio' }]);
    expect(media[0]?.type).toBe('audio');
  });

  it('gives URL, MIME type, size and name, naming a nameless file after its URL', async () => {
    const media = await mediaOf([
      { url: 'https://cdn.example.com/renders/final%20cut.mp4?x=1', mime_type: 'video/mp4', size_bytes: 5_000_000_000 },
      { url: 'https://cdn.example.com/notes.txt', mime_type: 'text/plain', size_bytes: 12, name: 'Notes' },
    ]);
    expect(media).toEqual([
      {
        id: expect.any(String) as string,
        url: 'https://cdn.example.com/renders/final%20cut.mp4?x=1',
        type: 'video',
        mime: 'video/mp4',
        size: 5_000_000_000,
        name: 'final cut.mp4',
      },
      {
        id: expect.any(String) as string,
        url: 'https://cdn.example.com/notes.txt',
        type: 'document',
        mime: 'text/plain',
        size: 12,
        name: 'Notes',
      },
    ]);
  });

  it('leaves out a size too large to be exact in JavaScript', async () => {
    const media = await mediaOf([{ url: 'https://cdn.example.com/huge.bin', size_bytes: '9007199254740993' as unknown as number }]);
    expect(media[0]?.size).toBeNull();
  });

  it('is an empty list for a task without media', async () => {
    expect(await mediaOf([])).toEqual([]);
  });

  it('leaves out media of other tasks and media attached to the instance only', async () => {
    const task = await insertTask(db, owner.instance.id);
    const other = await insertTask(db, owner.instance.id);
    await insertMedia(db, { instance_id: owner.instance.id, task_id: task.id, url: 'https://cdn.example.com/mine.png' });
    await insertMedia(db, { instance_id: owner.instance.id, task_id: other.id, url: 'https://cdn.example.com/theirs.png' });
    await insertMedia(db, { instance_id: owner.instance.id, task_id: null, url: 'https://cdn.example.com/loose.png' });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.attachedMedia.map((item) => item.url)).toEqual(['https://cdn.example.com/mine.png']);
  });
});

describe('tasks.detail: output', () => {
  it('gives the video and its facts for a task with a video', async () => {
    const detail = await detailOf({
      output_data: asJson({
        video_url: 'https://storage.example.com/v/out.mp4',
        media_type: 'video/mp4',
        suggested_caption: 'Three tips #cooking',
        duration: 31.5,
        size: 4_200_000,
        thumbnail: 'https://storage.example.com/v/out.jpg',
      }),
    });
    expect(detail.output.video).toEqual({
      url: 'https://storage.example.com/v/out.mp4',
      mediaType: 'video/mp4',
      suggestedCaption: 'Three tips #cooking',
      durationSeconds: 31.5,
      sizeBytes: 4_200_000,
      thumbnailUrl: 'https://storage.example.com/v/out.jpg',
    });
  });

  it('gives no video, and the stored output as data, for a task without one', async () => {
    const detail = await detailOf({ output_data: asJson({ text: 'A blog post', words: 800 }) });
    expect(detail.output).toEqual({ video: null, photos: [], postable: null, data: { text: 'A blog post', words: 800 } });
  });

  it('shows numbers too large for JavaScript in the stored JSON as null instead of failing', async () => {
    const detail = await detailOf({ input: '{"seed": 1e400, "ok": 2}', output_data: '[{"score": -1e400}]' });
    expect({ input: detail.input, data: detail.output.data }).toEqual({ input: { seed: null, ok: 2 }, data: [{ score: null }] });
  });

  it('gives no video and no data for a task without output', async () => {
    const detail = await detailOf({ status: 'running', output_data: null });
    expect(detail.output).toEqual({ video: null, photos: [], postable: null, data: null });
  });
});

describe('tasks.detail: planning follows the task status and its log', () => {
  const log = [
    { agent: 'Planner', message: 'Chose the topic', status: 'completed' },
    { agent: 'ScriptWriter', message: 'Drafting the script', status: 'running' },
  ];
  const statuses = (detail: { planning: { steps: { key: string; status: string; failed: boolean }[] } }) =>
    detail.planning.steps.map((step) => `${step.key}:${step.status}${step.failed ? ':failed' : ''}`);

  it('marks a running task done up to the step in progress', async () => {
    const detail = await detailOf({ status: 'running', execution_steps: asJson(log) });
    expect(detail.planning.plan).toBe('video_generation');
    expect(statuses(detail)).toEqual([
      'plan:completed',
      'script:in_progress',
      'visuals:pending',
      'voiceover:pending',
      'render:pending',
      'review:pending',
    ]);
  });

  it('marks where a failed task stopped and skips what would have followed', async () => {
    const detail = await detailOf({ status: 'failed', error_message: 'Model timeout', execution_steps: asJson(log) });
    expect(detail.errorMessage).toBe('Model timeout');
    expect(statuses(detail)).toEqual([
      'plan:completed',
      'script:skipped:failed',
      'visuals:skipped',
      'voiceover:skipped',
      'render:skipped',
      'review:skipped',
    ]);
  });

  it('marks every step of a completed task without a log done', async () => {
    const detail = await detailOf({ status: 'completed', execution_steps: null });
    expect(detail.planning.steps.every((step) => step.status === 'completed')).toBe(true);
  });

  it('gives the same planning every time it is read', async () => {
    const task = await insertTask(db, owner.instance.id, { status: 'running', execution_steps: asJson(log) });
    const caller = callerFor(db, owner.user.id);
    const first = await caller.tasks.detail({ taskId: task.id });
    const second = await caller.tasks.detail({ taskId: task.id });
    expect(second.planning).toEqual(first.planning);
  });
});

describe('tasks.detail: the task itself', () => {
  it('returns the task fields with Dates', async () => {
    const task = await insertTask(db, owner.instance.id, {
      type: 'image_generation',
      status: 'completed',
      title: 'Cover art',
      input: asJson({ prompt: 'a cat' }),
      started_at: new Date('2026-11-27T09:00:00Z'),
      completed_at: new Date('2026-11-27T09:05:00Z'),
    });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail).toMatchObject({
      id: task.id,
      instanceId: owner.instance.id,
      type: 'image_generation',
      status: 'completed',
      title: 'Cover art',
      errorMessage: null,
      input: { prompt: 'a cat' },
      startedAt: new Date('2026-11-27T09:00:00Z'),
      completedAt: new Date('2026-11-27T09:05:00Z'),
      createdAt: task.created_at,
      planning: { plan: 'image_generation' },
    });
  });
});

describe('tasks.detail: the tiktok field', () => {
  it('is null for a task never posted', async () => {
    expect((await detailOf()).tiktok).toBeNull();
  });

  it("shows the latest post's status, public URL and fail reason", async () => {
    const task = await insertTask(db, owner.instance.id);
    const first = await insertAccount(db, owner.instance.id);
    const second = await insertAccount(db, owner.instance.id);
    await insertPost(db, {
      taskId: task.id,
      accountId: first.id,
      requestedBy: owner.user.id,
      status: 'PUBLISHED',
      public_url: 'https://www.tiktok.com/@alice/video/1',
      created_at: new Date('2026-11-27T10:00:00Z'),
    });
    const latest = await insertPost(db, {
      taskId: task.id,
      accountId: second.id,
      requestedBy: owner.user.id,
      status: 'FAILED',
      publish_id: 'v_pub_2',
      fail_reason: 'spam_risk_too_many_posts',
      created_at: new Date('2026-11-27T11:00:00Z'),
    });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.tiktok).toEqual({
      postId: latest.id,
      accountId: second.id,
      status: 'FAILED',
      publishId: 'v_pub_2',
      publicUrl: null,
      failReason: 'spam_risk_too_many_posts',
      scheduledAt: null,
      updatedAt: latest.updated_at,
    });
  });

  it('shows a post not yet sent to TikTok (RESERVED) as PROCESSING', async () => {
    const task = await insertTask(db, owner.instance.id);
    const account = await insertAccount(db, owner.instance.id);
    await insertPost(db, { taskId: task.id, accountId: account.id, requestedBy: owner.user.id, status: 'RESERVED' });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.tiktok?.status).toBe('PROCESSING');
  });

  it('shows a post whose outcome is unknown (UNKNOWN) as FAILED with reason outcome_unknown, as tiktok.status does', async () => {
    const task = await insertTask(db, owner.instance.id);
    const account = await insertAccount(db, owner.instance.id);
    await insertPost(db, { taskId: task.id, accountId: account.id, requestedBy: owner.user.id, status: 'UNKNOWN' });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.tiktok).toMatchObject({ status: 'FAILED', failReason: 'outcome_unknown' });
  });

  it('shows a task posted before Reelpost from its tiktok_* columns', async () => {
    const task = await insertTask(db, owner.instance.id, {
      tiktok_post_status: 'PUBLISHED',
      tiktok_publish_id: 'v_pub_legacy',
      tiktok_post_url: 'https://www.tiktok.com/@someone/video/1',
    });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.tiktok).toMatchObject({ postId: null, status: 'PUBLISHED', publishId: 'v_pub_legacy', publicUrl: 'https://www.tiktok.com/@someone/video/1' });
  });

  it('gives the scheduled time of a scheduled post', async () => {
    const task = await insertTask(db, owner.instance.id);
    const account = await insertAccount(db, owner.instance.id);
    await insertPost(db, { taskId: task.id, accountId: account.id, requestedBy: owner.user.id, status: 'SCHEDULED' });
    const detail = await callerFor(db, owner.user.id).tasks.detail({ taskId: task.id });
    expect(detail.tiktok).toMatchObject({ status: 'SCHEDULED', scheduledAt: new Date('2026-12-01T10:00:00Z') });
  });
});
