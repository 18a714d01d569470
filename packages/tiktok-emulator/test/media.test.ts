import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureVideos } from '../src/testing/fixtures.js';
import { checkVideo, probeVideo } from '../src/index.js';

describe('probeVideo', () => {
  it('reads size, frame rate and duration of the sample MP4', () => {
    expect(probeVideo(readFileSync(fixtureVideos.sample))).toEqual({ container: 'mp4', width: 360, height: 640, fps: 30, durationSec: 4 });
  });

  it('recognises a WebM file by its EBML header', () => {
    expect(probeVideo(Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x01, 0x00]))).toEqual({ container: 'webm' });
  });

  it('calls a QuickTime brand MOV', () => {
    const sample = Buffer.from(readFileSync(fixtureVideos.sample));
    // The major brand sits right after "ftyp".
    sample.write('qt  ', 8, 'latin1');
    expect(probeVideo(sample)?.container).toBe('mov');
  });

  it('gives up on text, a bare ftyp box and a file without a video track', () => {
    expect(probeVideo(readFileSync(fixtureVideos.notAVideo))).toBeUndefined();
    expect(probeVideo(Buffer.from('\x00\x00\x00\x10ftypisom\x00\x00\x00\x00', 'latin1'))).toBeUndefined();
  });
});

describe('checkVideo', () => {
  const facts = { container: 'mp4' as const, width: 1080, height: 1920, fps: 29.97, durationSec: 30 };

  it('accepts a typical portrait video', () => {
    expect(checkVideo(facts, 600)).toBeUndefined();
  });

  it.each([
    [{ ...facts, width: 359 }, 'picture_size_check_failed'],
    [{ ...facts, height: 4097 }, 'picture_size_check_failed'],
    [{ ...facts, fps: 15 }, 'frame_rate_check_failed'],
    [{ ...facts, fps: 120 }, 'frame_rate_check_failed'],
    [{ ...facts, durationSec: 601 }, 'duration_check_failed'],
    [undefined, 'file_format_check_failed'],
    [{ container: 'mp4' as const }, 'picture_size_check_failed'],
  ])('fails %o with %s', (input, reason) => {
    expect(checkVideo(input, 600)).toBe(reason);
  });

  it('does not check what it cannot read in WebM', () => {
    expect(checkVideo({ container: 'webm' }, 1)).toBeUndefined();
  });
});
