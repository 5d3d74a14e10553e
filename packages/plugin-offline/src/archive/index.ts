/**
 * The archive folder format, for `stigmer image export` and `stigmer image
 * import` (the CLI imports this subpath; plugins should not need it).
 */
export type { ExportRequest } from './export.js';
export { exportImages } from './export.js';
export type { ImportedImage } from './import.js';
export { importImage, importImages } from './import.js';
export type { ArchivedImage, ArchiveManifest } from './manifest.js';
export { MANIFEST_FILE, readManifest } from './manifest.js';
