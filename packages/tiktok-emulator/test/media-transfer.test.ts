import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_SIZE, planChunks } from '@reelpost/tiktok';
import { paddedSampleVideo, rejectionOf, useEmulator, type Harness } from './support.js';

// The Media Transfer Guide's answers, each handled by its kind: 206 + Content-Range (resume from it), 201, 400, 403
// (expired URL: a new init is needed), 404, 416, and 5xx (retried); error bodies need not be JSON.

const MIB = 1024 * 1024;
const harness = useEmulator();
const video = paddedSampleVideo(16 * MIB + 100);
const readChunk = (start: number, end: number) => video.subarray(start, end);

async function initUpload(h: Harness) {
  const tokens = await h.connect();
  const init = await h.client.initDirectPost(tokens.accessToken, {
    postInfo: { privacyLevel: 'SELF_ONLY' },
    source: { source: 'FILE_UPLOAD', videoSize: video.length, chunkSize: 5 * MIB },
  });
  return { tokens, uploadUrl: init.uploadUrl! };
}

const upload = (h: Harness, uploadUrl: string, fromChunk = 0) =>
  h.client.uploadChunks({ uploadUrl, size: video.length, contentType: 'video/mp4', chunkSize: 5 * MIB, readChunk, fromChunk });

describe('chunk plans', () => {
  it('send a file over 64 MB in several chunks, none over 64 MB but the last', () => {
    for (const size of [MAX_CHUNK_SIZE + 1, 100 * MIB, 127 * MIB]) {
      const plan = planChunks(size, 64 * MIB);
      expect(plan.totalChunkCount).toBeGreaterThanOrEqual(2);
      expect(plan.chunks.slice(0, -1).every((chunk) => chunk.size <= MAX_CHUNK_SIZE)).toBe(true);
      expect(plan.chunks.at(-1)!.size).toBeLessThanOrEqual(128 * MIB);
    }
  });

  it('are refused by the emulator when a file over 64 MB is announced as one chunk', async () => {
    const h = harness();
    const tokens = await h.connect();
    const response = await fetch(`${h.emulator.url}/v2/post/publish/inbox/video/init/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source_info: { source: 'FILE_UPLOAD', video_size: 100 * MIB, chunk_size: 64 * MIB, total_chunk_count: 1 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_param', message: 'Videos over 64 MB must be uploaded in several chunks.' } });
  });
});

describe('chunk answers', () => {
  it('resume from the Content-Range of a 206: chunks TikTok already has are not sent again', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    // Two chunks arrived in an earlier attempt whose progress was lost.
    for (const [start, end] of [[0, 5 * MIB], [5 * MIB, 10 * MIB]] as const) {
      const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-range': `bytes ${start}-${end - 1}/${video.length}` }, body: video.subarray(start, end) });
      expect(put.status).toBe(206);
    }
    const result = await upload(h, uploadUrl);
    // Chunk 0 again (answered 206 "bytes 0-10485759/…"), then straight to the last chunk.
    expect(result).toMatchObject({ chunksSent: 2, uploadedBytes: video.length, complete: true });
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(4);
  });

  it('report an expired upload URL (403) as upload_url_expired, saying a new init is needed, without retrying', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    await h.emulator.advance(3_600_000);
    const error = await rejectionOf(upload(h, uploadUrl));
    expect(error).toMatchObject({ code: 'upload_url_expired', httpStatus: 403, retryable: false });
    expect((error as Error & { hint: string }).hint).toContain('new init is needed');
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(1);
  });

  it('report an unknown upload (404) as upload_not_found, without retrying', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    const error = await rejectionOf(upload(h, uploadUrl.replace(/upload_token=\w+/, 'upload_token=wrong')));
    expect(error).toMatchObject({ code: 'upload_not_found', httpStatus: 404, retryable: false });
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(1);
  });

  it('report a range that does not continue the upload (416) as upload_range_mismatch with what TikTok has', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    const error = await rejectionOf(upload(h, uploadUrl, 1));
    expect(error).toMatchObject({ code: 'upload_range_mismatch', httpStatus: 416, retryable: false, detail: expect.stringContaining(`TikTok has 0 of ${video.length} bytes`) as string });
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(1);
  });

  it('report a 400 whose body is not JSON as invalid_file_upload, not as three bad_response retries', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    await h.emulator.failNext('upload', { kind: 'malformed', body: 'html', status: 400 });
    await expect(upload(h, uploadUrl)).rejects.toMatchObject({ code: 'invalid_file_upload', httpStatus: 400, retryable: false });
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(1);
  });

  it('report a 403 whose body is not JSON by its status too', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    await h.emulator.failNext('upload', { kind: 'malformed', body: 'empty', status: 403 });
    await expect(upload(h, uploadUrl)).rejects.toMatchObject({ code: 'upload_url_expired', httpStatus: 403 });
  });

  it('retry a chunk answered 5xx, whatever the body, and finish', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    await h.emulator.failNext('upload', { kind: 'malformed', body: 'html', status: 502 });
    await expect(upload(h, uploadUrl)).resolves.toMatchObject({ complete: true, chunksSent: 3 });
    expect(await h.emulator.calls({ endpoint: 'upload' })).toBe(4);
  });

  it('keep TikTok’s own code for another refusal in its envelope', async () => {
    const h = harness();
    const { uploadUrl } = await initUpload(h);
    await h.emulator.failNext('upload', { status: 409, code: 'upload_conflict' });
    await expect(upload(h, uploadUrl)).rejects.toMatchObject({ code: 'upload_conflict', httpStatus: 409, retryable: false });
    await h.emulator.failNext('upload', { kind: 'malformed', body: 'html', status: 409 });
    await expect(upload(h, uploadUrl)).rejects.toMatchObject({ code: 'upload_rejected', httpStatus: 409 });
  });
});
