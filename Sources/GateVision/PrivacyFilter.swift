import CVisionLoader
import GateCore

/// What is known about the people in one picture, for the privacy blur.
public enum PeopleInPicture {
    /// A detector looked: these boxes (normalised 0…1; may be none).
    case detected([Rect])
    /// No detector looked at this picture: why, in one line.
    case notLooked(reason: String)
}

/// Privacy (site setting `privacy:`, on by default): people are blurred in every picture
/// GateWatch shows or writes. Snapshots, report images and the console's previews all go
/// through `apply`:
///
///     let picture = processed.frame.clone()   // the pipeline's frame is not painted on
///     let outcome = PrivacyFilter.apply(to: picture, people: PrivacyFilter.people(in: processed),
///                                       enabled: site.privacy)
///
/// A still passes what a detector found on it (`people(in:detector:tiles:)`); `.notLooked`
/// (no detector ran: none could be loaded, or it failed) blurs nothing and the outcome says so, so a
/// picture never looks protected when it is not. It paints in place: pass a copy
/// (`frame.clone()`) of a frame the pipeline still uses. Show `outcome.bothLanguages` with it.
public enum PrivacyFilter {
    /// Each box grows by this share of its size on every side: a detector's box is tight, and
    /// a head or a raised hand often pokes out of it.
    public static let margin = 0.12

    @discardableResult
    public static func apply(to frame: Frame, people: PeopleInPicture, enabled: Bool) -> PrivacyOutcome {
        guard enabled else { return .off }
        let boxes: [Rect]
        switch people {
        case .notLooked(let reason): return .noDetector(reason: reason)
        case .detected(let found): boxes = found
        }
        let w = Double(frame.width), h = Double(frame.height)
        for b in boxes {
            let x0 = (b.x - b.width * margin) * w, y0 = (b.y - b.height * margin) * h
            let x1 = (b.maxX + b.width * margin) * w, y1 = (b.maxY + b.height * margin) * h
            gw_frame_obscure(frame.handle, Int32(x0.rounded(.down)), Int32(y0.rounded(.down)),
                             Int32((x1 - x0).rounded(.up)), Int32((y1 - y0).rounded(.up)))
        }
        return .blurred(people: boxes.count)
    }

    /// The people on a frame the pipeline processed (a preview): the detector's boxes on a
    /// frame it ran on, with every track's box too (a person the detector half lost is still
    /// followed); on frames in between, the tracks' predicted boxes. Unconfirmed tracks count:
    /// privacy errs on the side of hiding.
    public static func people(in processed: ProcessedFrame) -> PeopleInPicture {
        .detected(processed.detections.map(\.box) + processed.tracks.map(\.box))
    }

    /// Everyone the detector finds in a still: on the whole picture and, when the feed has a
    /// detection region, on its tiles at full resolution too (far people the whole-picture
    /// run misses), people found twice kept once. Privacy covers the whole picture, not only
    /// the region that is counted.
    public static func people(in frame: Frame, detector: PersonDetector, tiles: [PixelRect]) -> PeopleInPicture {
        do {
            var found = try detector.detect(frame)
            for tile in tiles {
                guard let crop = frame.cropped(tile) else { continue }
                found += try detector.detect(crop).map {
                    Detection(box: tile.mapToPicture($0.box, width: frame.width, height: frame.height), score: $0.score)
                }
            }
            return .detected(found.suppressingOverlaps().map(\.box))
        } catch {
            return .notLooked(reason: "\(detector.name) detector failed: \((error as? VisionError)?.message ?? "\(error)")")
        }
    }
}
