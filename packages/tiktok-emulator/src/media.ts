import { createFile, MP4BoxBuffer, type Movie } from 'mp4box';

// What TikTok checks about a video (Media requirements): container MP4/MOV/WebM, 23–60 fps, each side 360–4096 px,
// duration up to the creator's max. MP4 and MOV (both ISO-BMFF) are parsed with mp4box; WebM is recognised by its
// EBML header only, so its fps, size and duration are not checked (see the README).

export type VideoContainer = 'mp4' | 'mov' | 'webm';

export interface VideoFacts {
  container: VideoContainer;
  width?: number;
  height?: number;
  fps?: number;
  durationSec?: number;
}

export type MediaFailReason = 'file_format_check_failed' | 'frame_rate_check_failed' | 'picture_size_check_failed' | 'duration_check_failed';

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

function isWebm(bytes: Uint8Array): boolean {
  return EBML_MAGIC.every((byte, index) => bytes[index] === byte);
}

function parseIsoBmff(bytes: Uint8Array): Movie | undefined {
  const file = createFile();
  let info: Movie | undefined;
  file.onReady = (movie) => {
    info = movie;
  };
  // A copy, because mp4box takes ownership of an ArrayBuffer and needs its fileStart.
  const buffer = MP4BoxBuffer.fromArrayBuffer(new Uint8Array(bytes).buffer, 0);
  try {
    file.appendBuffer(buffer);
    file.flush();
  } catch {
    return undefined;
  }
  return info;
}

/** Reads the container and the first video track's size, frame rate and duration; undefined when unreadable. */
export function probeVideo(bytes: Uint8Array): VideoFacts | undefined {
  if (isWebm(bytes)) return { container: 'webm' };
  // ISO-BMFF starts with a box whose type is at bytes 4–7 (ftyp for anything playable).
  if (bytes.length < 12 || Buffer.from(bytes.subarray(4, 8)).toString('latin1') !== 'ftyp') return undefined;
  const movie = parseIsoBmff(bytes);
  const track = movie?.videoTracks[0];
  if (!movie || !track) return undefined;
  const trackSeconds = track.timescale > 0 ? track.duration / track.timescale : 0;
  const durationSec = movie.timescale > 0 ? movie.duration / movie.timescale : trackSeconds;
  const brand = movie.brands.join(',');
  return {
    container: brand.includes('qt') ? 'mov' : 'mp4',
    width: track.video?.width ?? track.track_width,
    height: track.video?.height ?? track.track_height,
    fps: trackSeconds > 0 ? track.nb_samples / trackSeconds : 0,
    durationSec,
  };
}

/** TikTok's media checks, in the order a failure is reported. */
export function checkVideo(facts: VideoFacts | undefined, maxDurationSec: number): MediaFailReason | undefined {
  if (!facts) return 'file_format_check_failed';
  if (facts.container === 'webm') return undefined;
  const { width = 0, height = 0, fps = 0, durationSec = 0 } = facts;
  if (Math.min(width, height) < 360 || Math.max(width, height) > 4096) return 'picture_size_check_failed';
  // Encoders write 29.97 or 23.976; allow rounding.
  if (fps < 22.9 || fps > 60.5) return 'frame_rate_check_failed';
  if (durationSec > maxDurationSec + 0.5) return 'duration_check_failed';
  return undefined;
}
