import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { videoOutputSchema } from './schemas.js';
import { extractVideoOutput } from './video-output.js';

const VIDEO = 'https://storage.example.com/renders/out.mp4';
const bare = { mediaType: null, suggestedCaption: null, durationSeconds: null, sizeBytes: null, thumbnailUrl: null };

describe('extractVideoOutput', () => {
  it('reads `video_url` with its facts', () => {
    expect(
      extractVideoOutput({
        video_url: VIDEO,
        media_type: 'video/mp4',
        suggested_caption: 'Caption #tag',
        duration: '12.5',
        size: 1024,
        thumbnail: 'https://storage.example.com/renders/out.jpg',
      }),
    ).toEqual({
      url: VIDEO,
      mediaType: 'video/mp4',
      suggestedCaption: 'Caption #tag',
      durationSeconds: 12.5,
      sizeBytes: 1024,
      thumbnailUrl: 'https://storage.example.com/renders/out.jpg',
    });
  });

  it('reads camelCase `videoUrl` with camelCase facts', () => {
    expect(
      extractVideoOutput({ videoUrl: VIDEO, suggestedCaption: 'Hi', durationMs: 30_000, sizeBytes: 5, thumbnailUrl: VIDEO }),
    ).toEqual({ ...bare, url: VIDEO, suggestedCaption: 'Hi', durationSeconds: 30, sizeBytes: 5, thumbnailUrl: VIDEO });
  });

  it('reads a generic `url` whose `media_type` says video', () => {
    expect(extractVideoOutput({ url: 'https://cdn.example.com/x/123', media_type: 'video' })).toEqual({
      ...bare,
      url: 'https://cdn.example.com/x/123',
      mediaType: 'video',
    });
  });

  it('reads a generic `url` whose extension says video', () => {
    expect(extractVideoOutput({ url: VIDEO })?.url).toBe(VIDEO);
  });

  it('ignores a generic `url` whose type says it is something else', () => {
    expect(extractVideoOutput({ url: VIDEO, media_type: 'image/png' })).toBeNull();
  });

  it('takes the first video of a list of outputs, with the caption of the object around it', () => {
    expect(
      extractVideoOutput({
        suggested_caption: 'From the parent',
        outputs: [
          { url: 'https://cdn.example.com/cover.png', media_type: 'image/png' },
          { url: VIDEO, media_type: 'video/mp4' },
          { url: 'https://cdn.example.com/second.mp4', media_type: 'video/mp4' },
        ],
      }),
    ).toEqual({ ...bare, url: VIDEO, mediaType: 'video/mp4', suggestedCaption: 'From the parent' });
  });

  it('takes the first video of a bare list', () => {
    expect(extractVideoOutput([{ type: 'audio', url: 'https://cdn.example.com/a.mp3' }, { video_url: VIDEO }])?.url).toBe(VIDEO);
  });

  it('finds a video wrapped in `result` or `video`', () => {
    expect(extractVideoOutput({ result: { video: { url: VIDEO } } })?.url).toBe(VIDEO);
  });

  it('reads a bare video URL', () => {
    expect(extractVideoOutput(VIDEO)?.url).toBe(VIDEO);
  });

  it.each([
    ['no output', null],
    ['text output', { text: 'A blog post' }],
    ['an image only', { url: 'https://cdn.example.com/cover.png' }],
    ['a blank video_url', { video_url: '  ' }],
    ['a relative video_url', { video_url: '/renders/out.mp4' }],
    ['a javascript: URL', { video_url: 'javascript:alert(1)' }],
    ['a file: URL', { video_url: 'file:///etc/passwd.mp4' }],
    ['a number', 42],
  ])('finds no video in %s', (_, output) => {
    expect(extractVideoOutput(output)).toBeNull();
  });

  it('drops facts that make no sense (negative size, text duration)', () => {
    expect(extractVideoOutput({ video_url: VIDEO, size: -1, duration: 'long' })).toEqual({ ...bare, url: VIDEO });
  });

  it('never throws, and gives null or a video the schema accepts, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const video = extractVideoOutput(value);
        if (video !== null) videoOutputSchema.parse(video);
      }),
      { numRuns: 500 },
    );
  });
});
