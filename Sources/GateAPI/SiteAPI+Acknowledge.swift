import Foundation
import GateCore
import GateStore
import OpenAPIRuntime

// The API's one write: acknowledging an alert, through the store's acknowledge (the
// console's), audited with the name given and the key it came through.
extension SiteAPI {
    func acknowledgeAlert(_ input: Operations.AcknowledgeAlert.Input) async throws -> Operations.AcknowledgeAlert.Output {
        let (name, note) = try input.acknowledgement()
        guard let key = APIRequestKey.name else { throw APIProblem.internalError }   // AccessGuard sets it on this route
        let id = input.path.id
        switch try database.acknowledgeAlert(id: id, by: name, note: note, apiKey: key) {
        case .acknowledged(let row):
            return .ok(.init(body: .json(alert(from: row, site: try queries.site()?.name ?? "", try clock()))))
        case .notFound:
            throw APIProblem(slug: "unknown-alert", title: "Unknown alert", status: 404,
                             detail: "there is no alert \(id); GET /v1/alerts?state=open lists the ones to acknowledge")
        case .notOpen(let row):
            let clock = try clock()
            let state: String
            if let at = row.resolvedMs, row.state.known == .resolved {
                state = "was resolved at \(clock.instant(at).local)"
            } else if let at = row.ackMs {
                state = "was acknowledged by '\(TextSafety.echo(row.ackBy ?? "", limit: 100))' at \(clock.instant(at).local)"
            } else {
                state = "is \(row.state.rawValue)"
            }
            throw APIProblem(slug: "alert-not-open", title: "Alert not open", status: 409,
                             detail: "alert \(id) \(state); only an open alert is acknowledged, nothing changed")
        }
    }

}

extension Operations.AcknowledgeAlert.Input {
    static let maxName = 100
    static let maxNote = 500

    /// Who acknowledges and the note, checked: a bad body is a 400 problem wherever it is sent
    /// (the hub, which only reads, checks it too before it refuses).
    package func acknowledgement() throws -> (name: String, note: String?) {
        guard case let .json(body) = body else { throw APIProblem.badBody("the body must be JSON") }
        return (try Self.ackText(body.name, field: "name", max: Self.maxName),
                try body.note.map { try Self.ackText($0, field: "note", max: Self.maxNote, mayBeEmpty: true) })
    }

    /// A name or note as stored and shown on every console: trimmed, bounded, no control characters.
    static func ackText(_ raw: String, field: String, max: Int, mayBeEmpty: Bool = false) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty && !mayBeEmpty {
            throw APIProblem.badBody("\"\(field)\" is empty; give who acknowledges, e.g. {\"name\": \"Lan (IOC)\"}")
        }
        if text.count > max { throw APIProblem.badBody("\"\(field)\" is \(text.count) characters; at most \(max) are taken") }
        if TextSafety.needsEscaping(text) {
            throw APIProblem.badBody("\"\(field)\" holds control characters or terminal escapes; send plain text")
        }
        return text
    }
}

extension APIProblem {
    static func badBody(_ detail: String) -> APIProblem {
        APIProblem(slug: "bad-body", title: "Bad request body", status: 400, detail: detail)
    }
}
