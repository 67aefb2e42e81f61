import { PgTypes } from "@effect/sql-pg"
import { Result } from "effect"
import { type Interest, type Interner, type Item, kmOf, type Ref, uuidBytes } from "./Scoring.ts"

/**
 * The rebuild's lists in Postgres's binary form, as `array_recv` and `record_recv` read a parameter
 * of an array of rows. Each batch writes about 6,000 lists of 20 suggestions: as text literals
 * Postgres spent about 200 ms per batch parsing them (`array_in` and `record_in` for 120,000
 * items), and this process about 150 ms building and escaping them; in binary each field is copied
 * where it belongs.
 *
 * The layout (Postgres's `array_send` and `record_send`): an array is its dimensions, its element
 * type and each element prefixed by its length; a row is its number of columns, then each column's
 * type and its value prefixed by its length (-1 for null). `record_recv` checks every column's type
 * against the row type's, so the columns below are those of the tables, in their order.
 */

/** The numbers Postgres gave the types of the recommendation tables in this database. */
export interface ListTypes {
  /** `recommendation_item` and its array. */
  readonly item: number
  readonly items: number
  /** The row of `recommendations` (user_id, kind, items, built_at, digest) and its array. */
  readonly list: number
  readonly lists: number
  /** `recommendation_interest` and its array. */
  readonly interest: number
  readonly interests: number
  /** The row of `recommendation_interests` (user_id, interests) and its array. */
  readonly interestsRow: number
  readonly interestsRows: number
}

/** The type names, as `to_regtype` reads them, of each member of `ListTypes`. */
export const listTypeNames: { readonly [K in keyof ListTypes]: string } = {
  item: "recommendation_item",
  items: "recommendation_item[]",
  list: "recommendations",
  lists: "recommendations[]",
  interest: "recommendation_interest",
  interests: "recommendation_interest[]",
  interestsRow: "recommendation_interests",
  interestsRows: "recommendation_interests[]"
}

/** One list to write: a user's suggestions of one kind, and its `listDigest`. */
export interface ListRow {
  readonly userId: string
  readonly kind: "group" | "event" | "person"
  readonly items: ReadonlyArray<Item>
  readonly digest: number
}

/** One user's inferred interests to write. */
export interface InterestsRow {
  readonly userId: string
  readonly interests: ReadonlyArray<Interest>
}

const smallint = (value: number) => Math.max(-32768, Math.min(32767, value))

/** A growing buffer with the writes the binary forms need; lengths are written once known. */
class Writer {
  private bytes: Buffer
  private view: DataView
  private length = 0
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size)
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
  }

  private room(size: number) {
    if (this.length + size <= this.bytes.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + size))
    this.bytes.copy(bigger, 0, 0, this.length)
    this.bytes = bigger
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength)
  }
  int32(value: number) {
    this.room(4)
    this.view.setInt32(this.length, value)
    this.length += 4
  }
  /** Starts a value prefixed by its length: where the length goes, for `close`. */
  open(): number {
    this.int32(0)
    return this.length
  }
  close(start: number) {
    this.view.setInt32(start - 4, this.length - start)
  }
  /** A column: its type, then its value with its length. */
  column(oid: number, write: (writer: Writer) => void) {
    this.int32(oid)
    const start = this.open()
    write(this)
    this.close(start)
  }
  nullColumn(oid: number) {
    this.int32(oid)
    this.int32(-1)
  }
  uuidColumn(id: string) {
    this.int32(PgTypes.OID.uuid)
    this.int32(16)
    this.room(16)
    uuidBytes(id, this.bytes, this.length)
    this.length += 16
  }
  /** The id numbered `ref`, from the interner's bytes. */
  refColumn(interner: Interner, ref: Ref) {
    this.int32(PgTypes.OID.uuid)
    this.int32(16)
    this.room(16)
    const from = interner.bytes
    for (let index = 0; index < 16; index++) this.bytes[this.length + index] = from[ref * 16 + index] ?? 0
    this.length += 16
  }
  textColumn(text: string | null) {
    if (text === null) return this.nullColumn(PgTypes.OID.text)
    this.int32(PgTypes.OID.text)
    this.room(4 + text.length * 3)
    const written = this.bytes.write(text, this.length + 4, "utf8")
    this.view.setInt32(this.length, written)
    this.length += 4 + written
  }
  int32Column(value: number) {
    this.int32(PgTypes.OID.int4)
    this.int32(4)
    this.int32(value)
  }
  /** A non-negative integer below 2^53 as an `int8`. */
  int64Column(value: number) {
    this.int32(PgTypes.OID.int8)
    this.int32(8)
    this.int32(Math.floor(value / 2 ** 32))
    this.int32(value >>> 0)
  }
  int16Column(value: number) {
    this.int32(PgTypes.OID.int2)
    this.int32(2)
    this.room(2)
    this.view.setInt16(this.length, smallint(value))
    this.length += 2
  }
  boolColumn(value: boolean) {
    this.int32(PgTypes.OID.bool)
    this.int32(1)
    this.room(1)
    this.bytes[this.length] = value ? 1 : 0
    this.length += 1
  }
  float4Column(value: number | null) {
    if (value === null) return this.nullColumn(PgTypes.OID.float4)
    this.int32(PgTypes.OID.float4)
    this.int32(4)
    this.room(4)
    this.view.setFloat32(this.length, value)
    this.length += 4
  }
  /** A one-dimensional array of rows without nulls (none dimensions when empty). */
  array<A>(elementOid: number, elements: ReadonlyArray<A>, writeElement: (writer: Writer, element: A) => void) {
    this.int32(elements.length === 0 ? 0 : 1)
    this.int32(0)
    this.int32(elementOid)
    if (elements.length === 0) return
    this.int32(elements.length)
    this.int32(1)
    for (const element of elements) {
      const start = this.open()
      writeElement(this, element)
      this.close(start)
    }
  }
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }
}

const writeItem = (writer: Writer, interner: Interner, item: Item) => {
  writer.int32(9)
  writer.refColumn(interner, item.ref)
  writer.int32Column(item.score)
  writer.textColumn(item.interest)
  writer.int16Column(item.friends)
  writer.int16Column(item.co)
  writer.boolColumn(item.mine)
  writer.boolColumn(item.contact)
  writer.boolColumn(item.nearby)
  writer.float4Column(kmOf(item))
}

/** About the bytes of an item (its 9 columns' types and lengths are 72 of them). */
const itemBytes = 128

/**
 * A digest of a list's content, as `writeItem` writes it: each item's id (its bytes), score, interest,
 * counts, flags and stored distance, mixed into two 32-bit lanes kept as one integer below 2^53
 * (an `int8` column, and a number here without loss). Two lists that differ have the same digest
 * about once in 2^53: the rebuild then leaves the older one, until its next change.
 */
export const listDigest = (interner: Interner, items: ReadonlyArray<Item>): number => {
  let a = 0x811c9dc5
  let b = 0x9e3779b9 ^ items.length
  const mix = (value: number) => {
    a = Math.imul(a ^ value, 0x01000193)
    b = Math.imul(b ^ value, 0x5bd1e995)
    b ^= b >>> 15
  }
  const bytes = interner.bytes
  for (const item of items) {
    const at = item.ref * 16
    for (let index = 0; index < 16; index += 4) {
      mix(
        (bytes[at + index] ?? 0) |
          ((bytes[at + index + 1] ?? 0) << 8) |
          ((bytes[at + index + 2] ?? 0) << 16) |
          ((bytes[at + index + 3] ?? 0) << 24)
      )
    }
    mix(item.score)
    mix(smallint(item.friends))
    mix(smallint(item.co))
    mix((item.mine ? 1 : 0) | (item.contact ? 2 : 0) | (item.nearby ? 4 : 0))
    const km = kmOf(item)
    mix(km === null ? -1 : Math.round(km * 10))
    if (item.interest === null) {
      mix(-2)
    } else {
      mix(item.interest.length)
      for (let index = 0; index < item.interest.length; index++) mix(item.interest.charCodeAt(index))
    }
  }
  return (a >>> 11) * 2 ** 32 + (b >>> 0)
}

/** Rows of `recommendations`, `built_at` left null (the statement sets it); items numbered by `interner`. */
export const encodeLists = (types: ListTypes, interner: Interner, rows: ReadonlyArray<ListRow>): Uint8Array => {
  let items = 0
  for (const row of rows) items += row.items.length
  const writer = new Writer(64 + rows.length * 96 + items * itemBytes)
  const item = (items: Writer, entry: Item) => writeItem(items, interner, entry)
  writer.array(types.list, rows, (row, list) => {
    row.int32(5)
    row.uuidColumn(list.userId)
    row.textColumn(list.kind)
    row.column(types.items, (items) => items.array(types.item, list.items, item))
    row.nullColumn(PgTypes.OID.timestamptz)
    row.int64Column(list.digest)
  })
  return writer.result()
}

/** Rows of `recommendation_interests`. */
export const encodeInterests = (types: ListTypes, rows: ReadonlyArray<InterestsRow>): Uint8Array => {
  const writer = new Writer(64 + rows.length * 256)
  writer.array(types.interestsRow, rows, (row, user) => {
    row.int32(2)
    row.uuidColumn(user.userId)
    row.column(types.interests, (interests) =>
      interests.array(types.interest, user.interests, (entry, interest) => {
        entry.int32(2)
        entry.textColumn(interest.interest)
        entry.float4Column(interest.weight)
      })
    )
  })
  return writer.result()
}

/** Bytes already in Postgres's binary form, sent as they are. */
const passThrough: PgTypes.Codec<Uint8Array> = {
  encode: (bytes) => Result.succeed(bytes),
  decode: (bytes) => Result.succeed(bytes)
}

/**
 * Lets the client send the two array types as bytes already encoded: the codecs of a client are
 * its own (`Database.clientLayer` gives each its registry), as are a database's type numbers.
 */
export const registerListTypes = (registry: PgTypes.Registry, types: ListTypes) => {
  registry.register(types.lists, passThrough)
  registry.register(types.interestsRows, passThrough)
}

/** A parameter holding encoded bytes of the type `oid`. */
export const encoded = (oid: number, bytes: Uint8Array): PgTypes.Parameter => ({
  [PgTypes.ParameterTypeId]: PgTypes.ParameterTypeId,
  oid,
  value: bytes
})
