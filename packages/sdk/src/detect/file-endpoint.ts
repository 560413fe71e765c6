/** A §6.4 endpoint for a file, chosen by its extension exactly as Skyflow's SDKs choose it. */
export interface FileEndpoint {
  /** Path after the vault URL. */
  readonly path: string;
  /** `file.data_format`. */
  readonly dataFormat: string;
  /** Whether the endpoint takes `transformations` (text, structured text, generic and audio). */
  readonly transformations: boolean;
}

const BY_EXTENSION: ReadonlyArray<[readonly string[], string, boolean]> = [
  [['txt'], 'text', true],
  [['mp3', 'wav'], 'audio', true],
  [['pdf'], 'document/pdf', false],
  [['jpg', 'jpeg', 'png', 'bmp', 'tif', 'tiff'], 'image', false],
  [['ppt', 'pptx'], 'presentation', false],
  [['csv', 'xls', 'xlsx'], 'spreadsheet', false],
  [['doc', 'docx'], 'document', false],
  [['json', 'xml'], 'structured_text', true],
];

/** The endpoint for a file of this extension (`txt` → `/file/text`, …; anything else → the generic `/file`). */
export function fileEndpointFor(extension: string): FileEndpoint {
  const ext = extension.toLowerCase();
  for (const [extensions, endpoint, transformations] of BY_EXTENSION) {
    if (extensions.includes(ext)) {
      return { path: `/v1/detect/deidentify/file/${endpoint}`, dataFormat: ext, transformations };
    }
  }
  return { path: '/v1/detect/deidentify/file', dataFormat: ext, transformations: true };
}

/** The extension of a file name (after its last dot), or '' when it has none. */
export function extensionOf(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1) : '';
}
