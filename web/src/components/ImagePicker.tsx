import type { ImageEntry } from '../api/client';

export interface ImagePickerProps {
  serverImages: ImageEntry[];
  onFile: (file: File) => void;
  onServerImage: (path: string) => void;
}

/** The two ways to pick a picture that every page shares: a local file, or one of the server's
 *  images under the data root. Drop targets stay with each page (they cover the whole page). */
export function ImagePicker({ serverImages, onFile, onServerImage }: ImagePickerProps) {
  return (
    <>
      <label className="button">
        Open image…
        <input
          type="file"
          accept="image/*"
          aria-label="open image file"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) onFile(f);
            e.target.value = ''; // the same file picked again still fires
          }}
        />
      </label>
      <label>
        Server image{' '}
        <select aria-label="server image" value="" onChange={(e) => e.target.value && onServerImage(e.target.value)}>
          <option value="">{serverImages.length ? 'choose…' : 'none under the data root'}</option>
          {serverImages.map((i) => (
            <option key={i.path} value={i.path}>
              {i.path}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
