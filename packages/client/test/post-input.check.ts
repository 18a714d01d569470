// Type-level proof that the post input types refuse an option of the other kind (checked by `tsc --noEmit`).
import { postInput } from '../src/index.js';

const taskId = '00000000-0000-4000-8000-000000000001';

postInput({ taskId, title: 'A video', privacyLevel: 'SELF_ONLY', disableDuet: false });
postInput({ taskId, title: 'Photos', privacyLevel: 'SELF_ONLY', mediaType: 'photo', description: 'caption', photoCoverIndex: 1 });
// @ts-expect-error duet does not apply to a photo post
postInput({ taskId, title: 'Photos', privacyLevel: 'SELF_ONLY', mediaType: 'photo', disableDuet: false });
// @ts-expect-error a description is for photo posts only
postInput({ taskId, title: 'A video', privacyLevel: 'SELF_ONLY', description: 'caption' });
