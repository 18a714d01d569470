import { createDatabase } from '@reelpost/db';
import { describe, expect, it } from 'vitest';
import { contextFor, sessionFor } from '../../test/deps.js';
import { usePostingWorld } from '../../test/posting-world.js';
import { AppError } from '../errors.js';
import { createCaller } from '../root.js';
import { createVideoUrlPolicy } from '../video/index.js';

// Photo posts (issue 19): a task whose output is images posts as a TikTok photo post through the video path's
// reservation, exactly-once, status and webhooks; what only photos need is refused before TikTok is called.

const world = usePostingWorld();

const basePost = { title: 'Three frames', privacyLevel: 'SELF_ONLY' as const };

function imageTask(...names: Array<'first' | 'second' | 'third' | 'webp' | 'png'>) {
  return world().creator({ outputData: { image_urls: names.map((name) => world().photoUrl(name)), suggested_caption: 'Made by an agent' } });
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectNothingSent(taskId: string) {
  expect(await world().emulator.calls({ endpoint: 'content.init' })).toBe(0);
  expect(await world().emulator.calls({ endpoint: 'creator_info.query' })).toBe(0);
  expect(await world().deps.db.selectFrom('tiktok_posts').select('id').where('task_id', '=', taskId).execute()).toEqual([]);
}

describe('photo posts', () => {
  it('posts an image task as a photo post (images in order, the cover, the description) and follows it to PUBLISHED', async () => {
    const { caller, task, account } = await imageTask('first', 'second', 'webp');
    const status = await caller.tiktok.post({ taskId: task.id, ...basePost, description: 'Made by an agent #ai', photoCoverIndex: 2, autoAddMusic: false });
    expect(status).toMatchObject({ status: 'PROCESSING', mediaType: 'PHOTO', publishId: expect.stringMatching(/^p_pub_url~/) as string });
    expect(await world().emulator.calls({ endpoint: 'content.init' })).toBe(1);
    const [publish] = await world().emulator.publishes();
    expect(publish).toMatchObject({
      photo: { images: [world().photoUrl('first'), world().photoUrl('second'), world().photoUrl('webp')], coverIndex: 2 },
      postInfo: { title: 'Three frames', description: 'Made by an agent #ai', privacy_level: 'SELF_ONLY', auto_add_music: false, disable_comment: true },
    });
    const [row] = await world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', task.id).execute();
    expect(row).toMatchObject({ media_type: 'PHOTO', video_url: null, photo_urls: publish!.photo!.images });

    await world().emulator.settle();
    await world().emulator.advance(60_000);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({
      status: 'PUBLISHED',
      mediaType: 'PHOTO',
      publicUrl: `https://www.tiktok.com/@${account.username}`,
    });
  });

  it('sends a MEDIA_UPLOAD photo post to the creator’s inbox in inbox mode', async () => {
    const { caller, task } = await imageTask('first');
    await caller.tiktok.post({ taskId: task.id, ...basePost, mode: 'inbox' });
    await world().emulator.settle();
    await world().emulator.advance(60_000);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'SENT_TO_INBOX', mediaType: 'PHOTO' });
  });

  it('50 concurrent identical photo posts from two processes: exactly one content/init, one row, one post for all', async () => {
    const { task, user } = await imageTask('first', 'second', 'third');
    const other = createDatabase({ url: world().databaseUrl, max: 10 });
    try {
      const callers = [
        createCaller(contextFor(world().deps, sessionFor(user.id))),
        createCaller(contextFor({ ...world().deps, db: other.db }, sessionFor(user.id))),
      ];
      const answers = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => callers[i % 2]!.tiktok.post({ taskId: task.id, ...basePost })));
      expect(answers.filter((answer) => answer.status === 'rejected')).toEqual([]);
      const postIds = new Set(answers.map((answer) => (answer as PromiseFulfilledResult<{ postId: string }>).value.postId));
      expect(postIds.size).toBe(1);
      expect(await world().emulator.calls({ endpoint: 'content.init' })).toBe(1);
      expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('refuses a PNG before TikTok is called: PHOTO_FORMAT_NOT_SUPPORTED, with a hint to convert to JPEG', async () => {
    const { caller, task } = await imageTask('first', 'png');
    const error = await refusal(caller.tiktok.post({ taskId: task.id, ...basePost }));
    expect(error.appCode).toBe('PHOTO_FORMAT_NOT_SUPPORTED');
    expect(error.cause.extra.hint).toMatch(/JPEG/);
    expect(error.cause.extra.details).toMatchObject({ index: 1 });
    await expectNothingSent(task.id);
  });

  it('refuses a PNG served under a .jpg name, by the type its host serves', async () => {
    const pngNamedJpeg = world().photoUrl('png').replace(/\.png$/, '.jpg');
    const { caller, task } = await world().creator({ outputData: { images: [pngNamedJpeg] } });
    const error = await refusal(caller.tiktok.post({ taskId: task.id, ...basePost }));
    expect(error.appCode).toBe('PHOTO_FORMAT_NOT_SUPPORTED');
    expect(error.cause.extra.details).toMatchObject({ index: 0, format: 'image/png' });
    await expectNothingSent(task.id);
  });

  it('refuses 36 images before TikTok is called: TOO_MANY_PHOTOS', async () => {
    const images = Array.from({ length: 36 }, (_, i) => `${world().photoUrl('first')}?n=${i}`);
    const { caller, task } = await world().creator({ outputData: { image_urls: images } });
    const error = await refusal(caller.tiktok.post({ taskId: task.id, ...basePost }));
    expect(error.appCode).toBe('TOO_MANY_PHOTOS');
    expect(error.cause.extra.hint).toMatch(/35/);
    await expectNothingSent(task.id);
  });

  it('refuses a 91-character title before TikTok is called: PHOTO_TITLE_TOO_LONG, pointing to the description', async () => {
    const { caller, task } = await imageTask('first');
    const error = await refusal(caller.tiktok.post({ taskId: task.id, ...basePost, title: 'x'.repeat(91) }));
    expect(error.appCode).toBe('PHOTO_TITLE_TOO_LONG');
    expect(error.cause.extra.hint).toMatch(/description/);
    await expectNothingSent(task.id);
  });

  it('refuses an http image URL where https is required, before any connection: PHOTO_URL_NOT_ALLOWED (scheme)', async () => {
    world().deps.settings = { ...world().deps.settings, video: createVideoUrlPolicy({ allowedPrefixes: ['https://storage.example.com/photos/'] }) };
    const { caller, task } = await world().creator({ outputData: { image_urls: ['http://storage.example.com/photos/1.jpg'] } });
    const error = await refusal(caller.tiktok.post({ taskId: task.id, ...basePost }));
    expect(error.appCode).toBe('PHOTO_URL_NOT_ALLOWED');
    expect(error.cause.extra.details).toMatchObject({ reason: 'scheme', index: 0 });
    expect(error.cause.extra.hint).toBeTruthy();
    await expectNothingSent(task.id);
  });

  it('refuses duet and stitch on a photo post (OPTION_NOT_APPLICABLE) and a cover past the last image', async () => {
    const { caller, task } = await imageTask('first', 'second');
    expect((await refusal(caller.tiktok.post({ taskId: task.id, ...basePost, disableDuet: false }))).appCode).toBe('OPTION_NOT_APPLICABLE');
    expect((await refusal(caller.tiktok.post({ taskId: task.id, ...basePost, photoCoverIndex: 2 }))).appCode).toBe('PHOTO_COVER_OUT_OF_RANGE');
    await expectNothingSent(task.id);
  });

  it('posts the video of a task that has both, unless asked for the photos', async () => {
    const { caller, task } = await world().creator({
      outputData: { video_url: world().videoUrl('sample'), media_type: 'video', duration: 4, images: [world().photoUrl('first')] },
    });
    expect((await refusal(caller.tiktok.post({ taskId: task.id, ...basePost, description: 'photos only' }))).appCode).toBe('OPTION_NOT_APPLICABLE');
    expect(await caller.tiktok.post({ taskId: task.id, ...basePost, mediaType: 'photo', description: 'photos only' })).toMatchObject({ mediaType: 'PHOTO' });
    expect(await world().emulator.calls({ endpoint: 'content.init' })).toBe(1);
  });

  it('fails with photo_pull_failed and a hint a person can act on when TikTok cannot download an image', async () => {
    const { caller, task } = await imageTask('first');
    await world().emulator.failNextPublish('photo_pull_failed');
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.settle();
    await world().emulator.advance(60_000);
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'photo_pull_failed' });
    expect(status.hint).toMatch(/verified prefix/);
  });

  it('takes the images attached to the task as media after those in its output, in order', async () => {
    const { caller, task } = await world().creator({ outputData: { image_url: world().photoUrl('second') } });
    await world().deps.db
      .insertInto('instance_media')
      .values([
        { instance_id: task.instance_id, task_id: task.id, url: world().photoUrl('third'), mime_type: 'image/jpeg', kind: 'image' },
        { instance_id: task.instance_id, task_id: task.id, url: world().videoUrl('sample'), mime_type: 'video/mp4', kind: 'video' },
      ])
      .execute();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    const [publish] = await world().emulator.publishes();
    expect(publish?.photo?.images).toEqual([world().photoUrl('second'), world().photoUrl('third')]);
  });

  it('says what a task can be posted as in tasks.detail', async () => {
    const { caller, task } = await imageTask('first', 'webp');
    const detail = await caller.tasks.detail({ taskId: task.id });
    expect(detail.output).toMatchObject({ postable: 'photo', video: null, photos: [{ url: world().photoUrl('first'), mimeType: 'image/jpeg' }, { mimeType: 'image/webp' }] });
  });
});
