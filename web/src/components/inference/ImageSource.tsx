import type { ImageEntry } from '../../api/client';

interface Props {
  serverImages: ImageEntry[];
  onFile: (file: File) => void;
  onServerImage: (path: string) => void;
}

/** Where the picture comes from: a local file (picker; drop works on the whole page) or one of the
 *  server's images under the data root, which is then sent by path, never uploaded. */
export function ImageSource({ serverImages, onFile, onServerImage }: Props) {
  return (
    <section className="toolbar inf-image-source" aria-label="Image">
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
      <span className="hint">or drop an image anywhere on the page</span>
    </section>
  );
}
