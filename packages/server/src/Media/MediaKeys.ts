import type { MediaId } from "@moim/domain/Media/Media"

/**
 * Where a photo's files are stored: the upload as sent (deleted once processed, since it may carry
 * the place it was taken), and one WebP file per rendition width. A file (not a photo) is its upload,
 * kept as sent. Keys never change for an upload, so a file may be cached for as long as its URL
 * lives, and never hold anything its uploader chose (a file's name is served only in its URL).
 */
export const MediaKeys = {
  upload: (id: MediaId) => `media/${id}/upload`,
  rendition: (id: MediaId, width: number) => `media/${id}/w${width}.webp`
}
