import GateCore
import GateSynth
import GateVision

/// Builds the source a feed's `source:` names, of any kind: cameras, streams and files come
/// from GateVision's `makeFrameSource`, `synthetic:` scenes from GateSynth. `realtime` and
/// `loop` apply to scenes as to files. With `openNow` (the default) it is opened at once, so a
/// bad source throws its one line here.
public func makeFeedSource(uri: String, realtime: Bool, loop: Bool, openNow: Bool = true,
                           clock: Clock = SystemClock()) throws -> FrameSource {
    guard case .synthetic = try SourceKind.parse(uri) else {
        return try makeFrameSource(uri: uri, realtime: realtime, loop: loop, openNow: openNow, clock: clock)
    }
    var spec = try SceneSpec.parse(uri)
    if realtime { spec.realtime = true }
    if loop { spec.loop = true }
    let source = SyntheticSource(spec: spec)
    if openNow { try source.open() }
    return source
}
