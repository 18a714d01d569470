import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureVideos } from '../src/testing/fixtures.js';
import { firstMissingChunk, MIB, planChunks } from '@reelpost/tiktok';
import { rejectionOf, paddedSampleVideo, useEmulator, type Harness } from './support.js';

const harness = useEmulator();

describe('planChunks', () => {
  it('sends a file under 5 MB whole', () => {
    expect(planChunks(147_635)).toEqual({
      videoSize: 147_635,
      chunkSize: 147_635,
      totalChunkCount: 1,
      chunks: [{ index: 0, start: 0, end: 147_634, size: 147_635 }],
    });
  });

  it('puts the remainder into the last chunk (total_chunk_count rounds down)', () => {
    const plan = planChunks(25 * MIB + 123, 10 * MIB);
    expect(plan.totalChunkCount).toBe(2);
    expect(plan.chunks.map((chunk) => chunk.size)).toEqual([10 * MIB, 15 * MIB + 123]);
    expect(plan.chunks.at(-1)!.end).toBe(25 * MIB + 122);
  });

  it('sends a file between 5 MB and the chunk size as one chunk', () => {
    expect(planChunks(7 * MIB)).toMatchObject({ chunkSize: 7 * MIB, totalChunkCount: 1 });
  });

  it('keeps chunk sizes within 5–64 MB', () => {
    expect(planChunks(200 * MIB, 1 * MIB).chunkSize).toBe(5 * MIB);
    expect(planChunks(200 * MIB, 100 * MIB).chunkSize).toBe(64 * MIB);
  });

  it('grows the chunk size rather than exceed 1,000 chunks', () => {
    const plan = planChunks(4 * 1024 * MIB, 5 * MIB);
    expect(plan.totalChunkCount).toBeLessThanOrEqual(1000);
    expect(plan.chunks.at(-1)!.end).toBe(4 * 1024 * MIB - 1);
  });

  it('refuses empty and oversized files', () => {
    expect(() => planChunks(0)).toThrow(expect.objectContaining({ code: 'invalid_input' }) as Error);
    expect(() => planChunks(4 * 1024 * MIB + 1)).toThrow(/4 GB/);
  });

  it('finds the first chunk TikTok does not have yet', () => {
    const plan = planChunks(16 * MIB, 5 * MIB);
    expect(firstMissingChunk(plan, 0)).toBe(0);
    expect(firstMissingChunk(plan, 5 * MIB)).toBe(1);
    expect(firstMissingChunk(plan, 10 * MIB + 7)).toBe(2);
    expect(firstMissingChunk(plan, 16 * MIB)).toBe(3);
  });
});

describe('FILE_UPLOAD against the emulator', () => {
  const bigVideo = paddedSampleVideo(16 * MIB + 100);
  const readChunk = (start: number, end: number) => bigVideo.subarray(start, end);

  async function initUpload(h: Harness, accessToken: string, size = bigVideo.length) {
    return h.client.initDirectPost(accessToken, {
      postInfo: { title: 'uploaded', privacyLevel: 'SELF_ONLY' },
      source: { source: 'FILE_UPLOAD', videoSize: size, chunkSize: 5 * MIB },
    });
  }

  it('announces the chunk plan at init and receives the chunks in order, 206 then 201', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    expect(init.publishId).toMatch(/^v_pub_file~/);
    expect(init.chunkPlan).toMatchObject({ chunkSize: 5 * MIB, totalChunkCount: 3 });
    const progress: number[] = [];

    const result = await h.client.uploadChunks({
      uploadUrl: init.uploadUrl!,
      size: bigVideo.length,
      chunkSize: 5 * MIB,
      contentType: 'video/mp4',
      readChunk,
      onProgress: ({ uploadedBytes }) => progress.push(uploadedBytes),
    });

    expect(result).toMatchObject({ chunksSent: 3, uploadedBytes: bigVideo.length, complete: true });
    expect(progress).toEqual([5 * MIB, 10 * MIB, bigVideo.length]);
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(3);
  });

  it('moves PROCESSING_UPLOAD → PUBLISH_COMPLETE once the last chunk is in, counting uploaded bytes', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    await expect(h.client.fetchPostStatus(tokens.accessToken, init.publishId)).resolves.toMatchObject({ status: 'PROCESSING_UPLOAD', uploadedBytes: 0 });

    await h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', readChunk });
    await h.emulator.advance(5_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, init.publishId)).resolves.toMatchObject({
      status: 'PUBLISH_COMPLETE',
      uploadedBytes: bigVideo.length,
    });
  });

  it('validates the uploaded bytes like a pulled video', async () => {
    const h = harness();
    const tokens = await h.connect();
    const tiny = readFileSync(fixtureVideos.tiny);
    const init = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: tiny.length } });
    await h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: tiny.length, contentType: 'video/mp4', readChunk: (s, e) => tiny.subarray(s, e) });
    await h.emulator.advance(5_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, init.publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'picture_size_check_failed' });
  });

  it('repeats a chunk that failed with a server error, and the upload completes', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    await h.emulator.failNext('upload', { status: 500, code: 'internal_error' });

    const result = await h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', readChunk });
    expect(result.complete).toBe(true);
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(4);
  });

  it('resumes an interrupted upload from the first missing chunk', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    const client = h.makeClient({ retry: false });
    const error = await rejectionOf(
      client.uploadChunks({
        uploadUrl: init.uploadUrl!,
        size: bigVideo.length,
        chunkSize: 5 * MIB,
        contentType: 'video/mp4',
        readChunk,
        // The connection breaks while the second chunk is on its way.
        onProgress: ({ chunkIndex }) => {
          if (chunkIndex === 0) void h.emulator.failNext('upload', 'drop-before-commit');
        },
      }),
    );
    expect(error).toMatchObject({ code: 'network_error', endpoint: 'upload' });

    const { uploadedBytes } = await client.fetchPostStatus(tokens.accessToken, init.publishId);
    const fromChunk = firstMissingChunk(init.chunkPlan!, uploadedBytes ?? 0);
    expect(fromChunk).toBe(1);
    const resumed = await client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', readChunk, fromChunk });
    expect(resumed).toMatchObject({ chunksSent: 2, complete: true });
  });

  it('uploads from a stream, skipping what was already sent when resuming', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    // The first attempt loses its source after two chunks.
    const failingRead = (start: number, end: number) => {
      if (start >= 10 * MIB) throw new Error('disk went away');
      return readChunk(start, end);
    };
    await expect(
      h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', readChunk: failingRead }),
    ).rejects.toThrow('disk went away');
    const result = await h.client.uploadChunks({
      uploadUrl: init.uploadUrl!,
      size: bigVideo.length,
      chunkSize: 5 * MIB,
      contentType: 'video/mp4',
      stream: new Blob([bigVideo]).stream(),
      fromChunk: 2,
    });
    expect(result).toMatchObject({ chunksSent: 1, complete: true });
  });

  it('sends a whole file from a stream in uneven pieces', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    async function* pieces() {
      for (let offset = 0; offset < bigVideo.length; offset += 3 * MIB + 17) {
        await Promise.resolve();
        yield bigVideo.subarray(offset, offset + 3 * MIB + 17);
      }
    }
    const result = await h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', stream: pieces() });
    expect(result).toMatchObject({ chunksSent: 3, complete: true });
  });

  it('reports a stream that ends early', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await initUpload(h, tokens.accessToken);
    const error = await rejectionOf(
      h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: bigVideo.length, chunkSize: 5 * MIB, contentType: 'video/mp4', stream: new Blob([bigVideo.subarray(0, 7 * MIB)]).stream() }),
    );
    expect(error).toMatchObject({ code: 'invalid_input', detail: expect.stringContaining('ended after') as string });
  });

  it('refuses a source that returns the wrong number of bytes, a wrong content type and a chunk index out of range', async () => {
    const h = harness();
    const base = { uploadUrl: 'http://127.0.0.1:9/upload', size: bigVideo.length, chunkSize: 5 * MIB } as const;
    await expect(h.client.uploadChunks({ ...base, contentType: 'video/mp4', readChunk: () => new Uint8Array(3) })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.client.uploadChunks({ ...base, contentType: 'image/gif' as 'video/mp4', readChunk })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.client.uploadChunks({ ...base, contentType: 'video/mp4', readChunk, fromChunk: 9 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  describe('the upload URL enforces TikTok’s chunk rules', () => {
    async function put(url: string, bytes: Uint8Array, range: string, contentType = 'video/mp4') {
      const response = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType, 'content-range': range }, body: bytes });
      const text = await response.text();
      return { status: response.status, code: text ? (JSON.parse(text) as { error: { code: string; message: string } }).error : undefined };
    }

    it('answers a chunk out of order 416 Range Not Satisfiable, saying what it has', async () => {
      const h = harness();
      const init = await initUpload(h, (await h.connect()).accessToken);
      const answer = await put(init.uploadUrl!, bigVideo.subarray(5 * MIB, 10 * MIB), `bytes ${5 * MIB}-${10 * MIB - 1}/${bigVideo.length}`);
      expect(answer).toMatchObject({ status: 416, code: { code: 'invalid_file_upload', message: expect.stringContaining('in order') as string } });
    });

    it('answers each chunk but the last 206 with Content-Range: bytes 0-{last byte received}/{total}', async () => {
      const h = harness();
      const init = await initUpload(h, (await h.connect()).accessToken);
      const response = await fetch(init.uploadUrl!, {
        method: 'PUT',
        headers: { 'content-type': 'video/mp4', 'content-range': `bytes 0-${5 * MIB - 1}/${bigVideo.length}` },
        body: bigVideo.subarray(0, 5 * MIB),
      });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes 0-${5 * MIB - 1}/${bigVideo.length}`);
    });

    it('accepts a chunk sent twice without storing it twice', async () => {
      const h = harness();
      const init = await initUpload(h, (await h.connect()).accessToken);
      const first = bigVideo.subarray(0, 5 * MIB);
      expect((await put(init.uploadUrl!, first, `bytes 0-${5 * MIB - 1}/${bigVideo.length}`)).status).toBe(206);
      expect((await put(init.uploadUrl!, first, `bytes 0-${5 * MIB - 1}/${bigVideo.length}`)).status).toBe(206);
      const [record] = await h.emulator.publishes();
      expect(record!.uploadedBytes).toBe(5 * MIB);
    });

    it('refuses a wrong total, a body that does not match the range, a malformed range and a non-video type', async () => {
      const h = harness();
      const init = await initUpload(h, (await h.connect()).accessToken);
      const first = bigVideo.subarray(0, 5 * MIB);
      expect((await put(init.uploadUrl!, first, `bytes 0-${5 * MIB - 1}/999`)).status).toBe(400);
      expect((await put(init.uploadUrl!, first.subarray(1), `bytes 0-${5 * MIB - 1}/${bigVideo.length}`)).status).toBe(400);
      expect((await put(init.uploadUrl!, first, 'chunk 0')).status).toBe(400);
      expect((await put(init.uploadUrl!, first, `bytes 0-${5 * MIB - 1}/${bigVideo.length}`, 'application/octet-stream')).status).toBe(400);
    });

    it('refuses more bytes after the upload is complete', async () => {
      const h = harness();
      const sample = readFileSync(fixtureVideos.sample);
      const init = await h.client.initInboxUpload((await h.connect()).accessToken, { source: { source: 'FILE_UPLOAD', videoSize: sample.length } });
      expect((await put(init.uploadUrl!, sample, `bytes 0-${sample.length - 1}/${sample.length}`)).status).toBe(201);
      expect((await put(init.uploadUrl!, sample.subarray(1), `bytes 1-${sample.length - 1}/${sample.length}`)).code).toMatchObject({
        message: 'The upload is already complete.',
      });
    });

    it('refuses an unknown upload URL and one that has expired after an hour', async () => {
      const h = harness();
      const init = await initUpload(h, (await h.connect()).accessToken);
      const range = `bytes 0-${5 * MIB - 1}/${bigVideo.length}`;
      expect((await put(init.uploadUrl!.replace(/upload_token=\w+/, 'upload_token=forged'), bigVideo.subarray(0, 5 * MIB), range)).status).toBe(404);
      await h.emulator.advance(3600_000);
      expect((await put(init.uploadUrl!, bigVideo.subarray(0, 5 * MIB), range)).status).toBe(403);
    });
  });

  describe('init checks the announced chunking', () => {
    async function rawInit(h: Harness, sourceInfo: Record<string, unknown>) {
      const tokens = await h.connect();
      const response = await fetch(`${h.emulator.url}/v2/post/publish/inbox/video/init/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source_info: { source: 'FILE_UPLOAD', ...sourceInfo } }),
      });
      return ((await response.json()) as { error: { code: string; message: string } }).error;
    }

    it.each([
      ['a small file split into chunks', { video_size: 4 * MIB, chunk_size: 2 * MIB, total_chunk_count: 2 }, 'uploaded whole'],
      ['chunks under 5 MB', { video_size: 20 * MIB, chunk_size: 4 * MIB, total_chunk_count: 5 }, 'between 5 MB and 64 MB'],
      ['chunks over 64 MB', { video_size: 200 * MIB, chunk_size: 65 * MIB, total_chunk_count: 3 }, 'between 5 MB and 64 MB'],
      ['a chunk larger than the file', { video_size: 6 * MIB, chunk_size: 7 * MIB, total_chunk_count: 1 }, 'cannot exceed'],
      ['a count that does not round down', { video_size: 12 * MIB, chunk_size: 5 * MIB, total_chunk_count: 3 }, 'rounded down'],
      ['a file over 4 GB', { video_size: 5 * 1024 * MIB, chunk_size: 64 * MIB, total_chunk_count: 80 }, '4 GB'],
      ["a file over the emulator's memory limit", { video_size: 300 * MIB, chunk_size: 64 * MIB, total_chunk_count: 4 }, 'limit'],
    ])('answers invalid_param for %s', async (_name, sourceInfo, message) => {
      const error = await rawInit(harness(), sourceInfo);
      expect(error).toMatchObject({ code: 'invalid_param', message: expect.stringContaining(message) as string });
    });
  });
});
