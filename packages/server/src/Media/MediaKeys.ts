import type { MediaId } from "@moim/domain/Media/Media"

/**
 * Where a photo's files are stored: the upload as sent (deleted once processed, since it may carry
 * the place it was taken), and one WebP file per rendition width. Keys never change for a photo, so a
 * file may be cached for as long as its URL lives.
 */
export const MediaKeys = {
  upload: (id: MediaId) => `media/${id}/upload`,
  rendition: (id: MediaId, width: number) => `media/${id}/w${width}.webp`
}
