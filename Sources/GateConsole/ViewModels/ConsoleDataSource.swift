import Foundation
import GateCore
import GateStore

/// Where the console's data comes from: one site's SQLite database (`ConsoleStore`), or the
/// province hub (`HubConsoleSource`). The screens only see the snapshots it loads.
public protocol ConsoleDataSource: AnyObject {
    /// True when a load would show something new (cheap; called a few times a second).
    func hasChanged() -> Bool
    func load(_ req: LoadRequest, now: Int64) -> Result<ConsoleSnapshot, SourceProblem>
    func acknowledge(alertId: Int64, by: String, note: String, now: Int64) throws -> Bool
    func correctOccupancy(count: Int, by: String, note: String, now: Int64) throws -> OccupancyCorrection
    func closeCancelledRun(id: Int64, now: Int64) throws -> Bool
    func rememberSuiteFolders(_ folders: [String], now: Int64) throws
    /// The hub source's province list and one site of it; nil for a site's own database.
    var province: ProvinceNavigation? { get }
}

/// Moving between the province list and one site (the hub source only).
public protocol ProvinceNavigation: AnyObject {
    var openSite: String? { get }
    func open(site: String)
    func backToProvince()
}

extension ConsoleStore: ConsoleDataSource {
    public var province: ProvinceNavigation? { nil }
}
