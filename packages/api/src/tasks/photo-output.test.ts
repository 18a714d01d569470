import { describe, expect, it } from 'vitest';
import { extractPhotoOutputs } from './photo-output.js';

const A = 'https://cdn.example.com/a.jpg';
const B = 'https://cdn.example.com/b.webp';

describe('extractPhotoOutputs', () => {
  it('reads a list of image URLs in order, with the type their extension names', () => {
    expect(extractPhotoOutputs({ image_urls: [A, B] })).toEqual([
      { url: A, mimeType: 'image/jpeg' },
      { url: B, mimeType: 'image/webp' },
    ]);
  });

  it('reads typed outputs in a list and keeps the declared type, PNG included (the posting path refuses it)', () => {
    const outputs = { outputs: [{ url: 'https://cdn.example.com/x', media_type: 'image/png' }, { url: 'https://cdn.example.com/v.mp4' }] };
    expect(extractPhotoOutputs(outputs)).toEqual([{ url: 'https://cdn.example.com/x', mimeType: 'image/png' }]);
  });

  it('counts the same URL once and ignores what is not an absolute http(s) URL', () => {
    expect(extractPhotoOutputs({ image_url: A, images: [A, 'ftp://x/y.jpg', '/relative.jpg', 42] })).toEqual([{ url: A, mimeType: 'image/jpeg' }]);
  });

  it('finds nothing in a video output or in nothing at all', () => {
    expect(extractPhotoOutputs({ video_url: 'https://cdn.example.com/v.mp4', media_type: 'video' })).toEqual([]);
    expect(extractPhotoOutputs(null)).toEqual([]);
  });

  it('adds attached image media after the output’s own images', () => {
    const media = [{ id: '00000000-0000-4000-8000-000000000001', url: B, type: 'image' as const, mime: 'image/webp', size: null, name: null }];
    expect(extractPhotoOutputs({ image_url: A }, media).map((photo) => photo.url)).toEqual([A, B]);
  });
});
