import type { AppDeps } from '@reelpost/api';
import { demoSubFor, storeConnectedAccount } from '@reelpost/api';
import { tokenSetFromResponse } from '@reelpost/tiktok';
import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';

export const DEMO_EMAIL = 'demo@reelpost.dev';
export const DEMO_VIDEO_FILE = 'sample-360x640-4s.mp4';
/** Three real JPEGs (540×960, ImageMagick gradients) for the demo's photo post. */
export const DEMO_PHOTO_FILES = ['carousel-1.jpg', 'carousel-2.jpg', 'carousel-3.jpg'] as const;

/** Fixed ids, so seeding again (every start) updates the demo rows instead of adding more. */
export const DEMO_IDS = {
  instance: 'd0000000-0000-4000-8000-000000000001',
  videoTask: 'd0000000-0000-4000-8000-000000000011',
  reportTask: 'd0000000-0000-4000-8000-000000000012',
  runningTask: 'd0000000-0000-4000-8000-000000000013',
  failedTask: 'd0000000-0000-4000-8000-000000000014',
  photoTask: 'd0000000-0000-4000-8000-000000000015',
} as const;

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function videoTaskSteps() {
  return [
    { agent: 'planner', message: 'Outlined a 4-second teaser: hook, product shot, call to action', timestamp: minutesAgo(42), status: 'completed' },
    { agent_name: 'scriptwriter', content: 'Wrote the voiceover: “Post once. Reach everyone.”', ts: Math.floor(Date.now() / 1000) - 40 * 60, level: 'info' },
    { name: 'visual-designer', output: 'Generated 96 frames at 360×640, 30 fps', created_at: minutesAgo(35) },
    { agent: 'voice', message: 'Synthesised the voiceover (AAC, 4.0 s)', timestamp: minutesAgo(33) },
    { agent: 'renderer', message: 'Rendered H.264 + AAC, faststart MP4 (144 KiB)', timestamp: minutesAgo(31) },
    { agent: 'reviewer', message: 'Checked TikTok limits: 360×640, 30 fps, 4 s — ready to post', timestamp: minutesAgo(30), level: 'success' },
  ];
}

/**
 * The demo's data: the demo user and instance, both emulator users connected as TikTok accounts (the first the
 * default), and tasks to try: a completed video task, a completed image task (a photo post), a completed task with no
 * video, a running one, a failed one.
 * Runs at every start: the emulator is new each time, so the accounts get fresh tokens, and the video's URL
 * follows the server's current address.
 */
export async function seedDemo(deps: Pick<AppDeps, 'db' | 'tokens' | 'clock'>, tiktok: TikTokEmulatorControls, mediaUrl: string): Promise<{ userId: string }> {
  const { db } = deps;
  const user = await db
    .insertInto('users')
    .values({ sub: demoSubFor(DEMO_EMAIL), email: DEMO_EMAIL })
    .onConflict((oc) => oc.column('sub').doUpdateSet({ email: DEMO_EMAIL }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('instances')
    .values({ id: DEMO_IDS.instance, owner_id: user.id, name: 'Demo studio' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  // Another emulator (a different seed) brings other TikTok users: they join as non-default accounts.
  for (const creator of await tiktok.users()) {
    const issued = await tiktok.issueTokens(creator.username);
    const tokens = tokenSetFromResponse(issued, deps.clock.now().getTime());
    await storeConnectedAccount(deps, { instanceId: DEMO_IDS.instance, tokens, profile: creator });
  }

  const videoUrl = `${mediaUrl}${DEMO_VIDEO_FILE}`;
  const tasks = [
    {
      id: DEMO_IDS.videoTask,
      type: 'video_generation',
      status: 'completed' as const,
      title: 'Product teaser: Reelpost in 4 seconds',
      input: { prompt: 'A 4-second vertical teaser for Reelpost', platform: 'tiktok' },
      output_data: {
        video_url: videoUrl,
        media_type: 'video/mp4',
        suggested_caption: 'Post once, reach everyone. #ai #reelpost',
        duration: 4,
        size: 147_635,
      },
      execution_steps: videoTaskSteps(),
      started_at: minutesAgo(43),
      completed_at: minutesAgo(30),
    },
    {
      id: DEMO_IDS.photoTask,
      type: 'image_generation',
      status: 'completed' as const,
      title: 'Carousel: three moods for the launch',
      input: { prompt: 'Three vertical mood images for the Reelpost launch', count: 3 },
      output_data: {
        image_urls: DEMO_PHOTO_FILES.map((file) => `${mediaUrl}${file}`),
        media_type: 'image/jpeg',
        suggested_caption: 'Three moods, one launch. #ai #reelpost',
      },
      execution_steps: [
        { agent: 'planner', message: 'Chose three palettes: sunset, forest, dawn', timestamp: minutesAgo(25) },
        { agent: 'image-generator', message: 'Generated 3 images at 540×960', timestamp: minutesAgo(22) },
        { agent: 'reviewer', message: 'Checked TikTok photo limits: 3 JPEGs (1–35) — ready to post', timestamp: minutesAgo(21), level: 'success' },
      ],
      started_at: minutesAgo(26),
      completed_at: minutesAgo(21),
    },
    {
      id: DEMO_IDS.reportTask,
      type: 'research_report',
      status: 'completed' as const,
      title: 'Trend report: short-form video in 2026',
      input: { topic: 'short-form video trends' },
      output_data: { text: 'Vertical video keeps growing; captions and AI labels matter.', media_type: 'text' },
      execution_steps: { steps: [{ agent: 'researcher', message: 'Read 14 sources' }, { agent: 'writer', message: 'Wrote a 600-word summary' }] },
      started_at: minutesAgo(90),
      completed_at: minutesAgo(80),
    },
    {
      id: DEMO_IDS.runningTask,
      type: 'video_generation',
      status: 'running' as const,
      title: 'Behind the scenes clip',
      input: { prompt: 'A behind-the-scenes clip of the studio' },
      output_data: null,
      execution_steps: [
        { agent: 'planner', message: 'Outlined three scenes', timestamp: minutesAgo(4) },
        { agent: 'scriptwriter', message: 'Writing scene two…', timestamp: minutesAgo(1) },
      ],
      started_at: minutesAgo(5),
      completed_at: null,
    },
    {
      id: DEMO_IDS.failedTask,
      type: 'video_generation',
      status: 'failed' as const,
      title: 'Launch recap (failed render)',
      input: { prompt: 'A recap of the launch event' },
      output_data: null,
      execution_steps: [
        { agent: 'planner', message: 'Outlined the recap', timestamp: minutesAgo(200) },
        { agent: 'renderer', message: 'Render failed: out of GPU memory', level: 'error', timestamp: minutesAgo(190) },
      ],
      started_at: minutesAgo(205),
      completed_at: minutesAgo(190),
    },
  ];
  for (const task of tasks) {
    const values = {
      ...task,
      // Created a minute before the agents started, as a real task would be.
      created_at: new Date(new Date(task.started_at).getTime() - 60_000),
      input: JSON.stringify(task.input),
      output_data: task.output_data === null ? null : JSON.stringify(task.output_data),
      execution_steps: JSON.stringify(task.execution_steps),
    };
    await db
      .insertInto('instance_tasks')
      .values({ ...values, instance_id: DEMO_IDS.instance })
      .onConflict((oc) => oc.column('id').doUpdateSet({ output_data: values.output_data }))
      .execute();
  }
  const hasMedia = await db.selectFrom('instance_media').select('id').where('task_id', '=', DEMO_IDS.videoTask).executeTakeFirst();
  if (!hasMedia) {
    await db
      .insertInto('instance_media')
      .values([
        { instance_id: DEMO_IDS.instance, task_id: DEMO_IDS.videoTask, url: videoUrl, mime_type: 'video/mp4', kind: 'video', size_bytes: 147_635, name: DEMO_VIDEO_FILE },
        { instance_id: DEMO_IDS.instance, task_id: DEMO_IDS.videoTask, url: `${mediaUrl}script.txt`, mime_type: 'text/plain', name: 'script.txt' },
      ])
      .execute();
  } else {
    await db.updateTable('instance_media').set({ url: videoUrl }).where('task_id', '=', DEMO_IDS.videoTask).where('kind', '=', 'video').execute();
  }
  return { userId: user.id };
}
