import Foundation
import GateCore
import GateRuntime
import GateStore

/// What a site sends the province hub beside its events, so the hub answers the contract's
/// live reads (the site, its gates today, occupancy, feed health) and its acceptance runs
/// with the site's own answers: the site's handlers make them, so the two servers cannot
/// drift apart. `live` goes with every batch; `tests` (the newest runs with their results)
/// only when they changed.
package struct SitePicture: Codable, Sendable {
    package var site: Components.Schemas.Site?
    package var gates: Components.Schemas.GateList
    package var occupancy: Components.Schemas.Occupancy
    package var feeds: Components.Schemas.FeedHealthList

    package struct Tests: Codable, Sendable {
        package var runs: [Components.Schemas.TestRunDetail]
        package init(runs: [Components.Schemas.TestRunDetail]) { self.runs = runs }
    }

    /// Runs the hub keeps per site (their reports stay at the site, with the clips).
    package static let testRunsKept = 20

    /// The worker's source of pictures: `gatewatch run` and `gatewatch sync` both pass this.
    package static let source: HubSyncWorker.PictureSource = { database, withTests in
        let api = SiteAPI(database: database)
        do {
            let site: Components.Schemas.Site?
            if case .ok(let ok) = try? await api.getSite(.init()), case .json(let body) = ok.body { site = body } else { site = nil }
            guard case .ok(let gates) = try await api.listGates(.init()), case .json(let gateList) = gates.body,
                  case .ok(let occupancy) = try await api.getOccupancy(.init()), case .json(let occupancyBody) = occupancy.body,
                  case .ok(let feeds) = try await api.getFeedHealth(.init()), case .json(let feedBody) = feeds.body else { return nil }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let live = try encoder.encode(SitePicture(site: site, gates: gateList, occupancy: occupancyBody, feeds: feedBody))
            return (live, withTests ? try await testRuns(api).map { try encoder.encode($0) } : nil)
        } catch {
            return nil
        }
    }

    /// The newest runs with their results, as `GET /v1/tests/{id}` gives each.
    private static func testRuns(_ api: SiteAPI) async throws -> Tests? {
        guard case .ok(let runs) = try await api.listTestRuns(.init(query: .init(limit: Int32(testRunsKept)))),
              case .json(let runList) = runs.body else { return nil }
        var details: [Components.Schemas.TestRunDetail] = []
        for run in runList.runs {
            if case .ok(let ok) = try await api.getTestRun(.init(path: .init(id: run.id))), case .json(let d) = ok.body { details.append(d) }
        }
        return Tests(runs: details)
    }
}
