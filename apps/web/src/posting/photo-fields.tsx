import { MAX_DESCRIPTION_LENGTH, type PhotoFormValues } from './photo-rules.js';

export interface PhotoFieldsProps {
  photos: readonly { url: string }[];
  values: PhotoFormValues;
  onChange: (change: Partial<PhotoFormValues>) => void;
  fieldId: (name: string) => string;
  descriptionError?: string | undefined;
}

/** A photo post's own fields: the images in order with the cover choice, the description, the music toggle. */
export function PhotoFields({ photos, values, onChange, fieldId, descriptionError }: PhotoFieldsProps) {
  const length = values.description.length;
  return (
    <>
      <fieldset className="field photo-cover">
        <legend>Images, in order — choose the cover</legend>
        <div className="photo-strip">
          {photos.map((photo, index) => (
            <label key={photo.url} className={index === values.coverIndex ? 'photo-choice chosen' : 'photo-choice'}>
              <input type="radio" name={fieldId('cover')} checked={index === values.coverIndex} onChange={() => onChange({ coverIndex: index })} />
              <img src={photo.url} alt={`Image ${index + 1} of ${photos.length}`} width={72} height={128} />
              <span className="small">{index === values.coverIndex ? 'Cover' : `Image ${index + 1}`}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor={fieldId('description')}>Description</label>
        <textarea
          id={fieldId('description')}
          name="description"
          rows={4}
          value={values.description}
          onChange={(event) => onChange({ description: event.target.value })}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={fieldId('description-count')}
          placeholder="Caption with #hashtags and @mentions"
        />
        <p id={fieldId('description-count')} className={length > MAX_DESCRIPTION_LENGTH ? 'count over' : 'count'} aria-live="polite">
          {length.toLocaleString('en')} / {MAX_DESCRIPTION_LENGTH.toLocaleString('en')}
        </p>
        {descriptionError && <p className="field-error">{descriptionError}</p>}
      </div>

      <div className="field check">
        <input id={fieldId('music')} type="checkbox" checked={values.autoAddMusic} onChange={(event) => onChange({ autoAddMusic: event.target.checked })} />
        <label htmlFor={fieldId('music')}>Let TikTok add music</label>
      </div>
    </>
  );
}
