import { fileURLToPath } from 'node:url';

// Small test videos that ship with the package, so the demo server and other packages' tests can serve them.
// Made with ffmpeg from its own test sources (see fixtures/videos/README.md).

/** The folder holding the videos, for a static file server. */
export const fixtureVideoDirectory = fileURLToPath(new URL('../../fixtures/videos/', import.meta.url));

const video = (name: string) => fileURLToPath(new URL(`../../fixtures/videos/${name}`, import.meta.url));

export const fixtureVideos = {
  /** H.264 + AAC, 360×640, 30 fps, 4 s, 144 KiB: TikTok accepts it. */
  sample: video('sample-360x640-4s.mp4'),
  /** 360×640 at 10 fps: frame_rate_check_failed. */
  lowFps: video('low-fps-10.mp4'),
  /** 200×200: picture_size_check_failed. */
  tiny: video('tiny-200x200.mp4'),
  /** A text file named .mp4: file_format_check_failed. */
  notAVideo: video('not-a-video.mp4'),
} as const;

export type FixtureVideoName = keyof typeof fixtureVideos;

/** The folder holding the photos, for a static file server. */
export const fixturePhotoDirectory = fileURLToPath(new URL('../../fixtures/photos/', import.meta.url));

const photo = (name: string) => fileURLToPath(new URL(`../../fixtures/photos/${name}`, import.meta.url));

// Made with ImageMagick from its gradient generator (see fixtures/photos/README.md).
export const fixturePhotos = {
  /** JPEG, 360×640, 2.5 KiB: TikTok takes it. */
  first: photo('photo-1.jpg'),
  /** JPEG, 360×640. */
  second: photo('photo-2.jpg'),
  /** JPEG, 360×640. */
  third: photo('photo-3.jpg'),
  /** WebP, 360×640: TikTok takes it. */
  webp: photo('photo-3.webp'),
  /** PNG: TikTok refuses it for photo posts (file_format_check_failed when it gets that far). */
  png: photo('not-allowed.png'),
} as const;

export type FixturePhotoName = keyof typeof fixturePhotos;
