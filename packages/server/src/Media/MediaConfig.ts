import { Config, Context, Effect, Layer, Option } from "effect"

/**
 * The media settings: `MEDIA_CDN_URL`, a CDN (or any public origin) in front of the storage, serving
 * each object at `<MEDIA_CDN_URL>/<key>`. Without it, renditions are served through signed storage
 * URLs. A malformed URL fails the start, naming the variable.
 */
export class MediaConfig extends Context.Service<
  MediaConfig,
  {
    /** The CDN's base URL, without a trailing slash. */
    readonly cdnUrl: Option.Option<string>
  }
>()("@moim/server/Media/MediaConfig") {
  static readonly layer = Layer.effect(
    MediaConfig,
    Effect.gen(function* () {
      const cdnUrl = yield* Config.option(Config.URL("MEDIA_CDN_URL"))
      return MediaConfig.of({ cdnUrl: Option.map(cdnUrl, (url) => url.href.replace(/\/+$/, "")) })
    })
  )
}
