/**
 * The archive folder format: `stigmer image export` writes it, `stigmer
 * image import` and plugins (`ctx.importArchive`) load from it, checked.
 */
export type { ExportRequest } from './export.js';
export { exportImages } from './export.js';
export type { ImportedImage } from './import.js';
export { importImage, importImages, importNamed } from './import.js';
export type { ArchivedImage, ArchiveManifest } from './manifest.js';
export { MANIFEST_FILE, readManifest } from './manifest.js';
