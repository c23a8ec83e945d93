import { ImagePicker, type ImagePickerProps } from '../ImagePicker';

/** Where the picture comes from: a local file (picker; drop works on the whole page) or one of the
 *  server's images under the data root, which is then sent by path, never uploaded. */
export function ImageSource({ serverImages, onFile, onServerImage }: ImagePickerProps) {
  return (
    <section className="toolbar inf-image-source" aria-label="Image">
      <ImagePicker serverImages={serverImages} onFile={onFile} onServerImage={onServerImage} />
      <span className="hint">or drop an image anywhere on the page</span>
    </section>
  );
}
