import { crc32, deflateSync } from "node:zlib"
import sharp from "sharp"

/** A 24-bit image of `width` x `height`, its top half red and its bottom half blue. */
const redOverBlue = (width: number, height: number) => {
  const pixels = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3
      if (y < height / 2) pixels[offset] = 220
      else pixels[offset + 2] = 220
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
}

/**
 * A camera photo as a phone sends it: a JPEG stored 1600x900, red over blue, whose EXIF says to turn
 * it 90° clockwise (orientation 6: upright it is 900x1600, blue on the left, red on the right) and
 * says where it was taken (GPS, near Paris) and with what camera.
 */
export const phonePhoto = () =>
  redOverBlue(1600, 900)
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: "Moim Test Camera", Model: "Pocket 1" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "48/1 51/1 2400/100",
        GPSLongitudeRef: "E",
        GPSLongitude: "2/1 21/1 0/1"
      }
    })
    .withMetadata({ orientation: 6 })
    .toBuffer()

/** A 200x100 PNG with transparency: narrower than every rendition width. */
export const smallPng = () =>
  sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 0, g: 160, b: 60, alpha: 0.5 } } })
    .png()
    .toBuffer()

/** A HEIC file's first bytes (an ISO-BMFF `ftyp` box of brand `heic`) and no decodable image after them. */
export const heicHeaderOnly = () => {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from("ftypheic", "latin1"),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from("mif1heic", "latin1")
  ])
  return Buffer.concat([ftyp, Buffer.alloc(512, 7)])
}

const pngChunk = (type: string, data: Buffer) => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.byteLength)
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A PNG whose header says 20000x20000 pixels (400 megapixels) in a few hundred bytes: decoding it
 * would take over a gigabyte. Its pixel data is a single short row.
 */
export const pixelBomb = () => {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(20_000, 0)
  header.writeUInt32BE(20_000, 4)
  header.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.alloc(64))),
    pngChunk("IEND", Buffer.alloc(0))
  ])
}

/**
 * The tags of an EXIF block's first directory (IFD0), read from its TIFF structure: `0x8825` is the
 * pointer to the GPS directory, `0x0112` the orientation. Empty without EXIF.
 */
export const exifTags = (exif: Buffer | undefined): ReadonlySet<number> => {
  if (exif === undefined) return new Set()
  const start = exif.subarray(0, 6).toString("latin1") === "Exif\u0000\u0000" ? 6 : 0
  const tiff = exif.subarray(start)
  const little = tiff.subarray(0, 2).toString("latin1") === "II"
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at))
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at))
  const ifd = u32(4)
  const count = u16(ifd)
  return new Set(Array.from({ length: count }, (_, index) => u16(ifd + 2 + index * 12)))
}

export const gpsPointerTag = 0x8825
export const orientationTag = 0x0112

/** The colour of the pixel at (x, y), as fractions of the width and height. */
export const pixelAt = async (image: Uint8Array, x: number, y: number) => {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const offset = (Math.floor(y * (info.height - 1)) * info.width + Math.floor(x * (info.width - 1))) * info.channels
  return { r: data[offset] ?? 0, g: data[offset + 1] ?? 0, b: data[offset + 2] ?? 0 }
}
