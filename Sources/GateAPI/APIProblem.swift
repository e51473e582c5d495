import Foundation
import GateCore
import GateStore
import HTTPTypes
import OpenAPIRuntime

/// One RFC 9457 problem: what went wrong with a request, said once, in one line a person
/// can act on. Thrown from handlers; the runtime turns it into the response
/// (`HTTPResponseConvertible`), so every error of the API has the same shape.
package struct APIProblem: Error, HTTPResponseConvertible, Equatable {
    /// The last part of the problem's type URI (`urn:gatewatch:problem:<slug>`).
    package var slug: String
    package var title: String
    package var status: Int
    package var detail: String

    package init(slug: String, title: String, status: Int, detail: String) {
        self.slug = slug; self.title = title; self.status = status; self.detail = detail
    }

    package static func badRange(_ detail: String) -> APIProblem {
        APIProblem(slug: "bad-range", title: "Bad range", status: 400, detail: detail)
    }
    package static func unknownGate(_ id: String) -> APIProblem {
        APIProblem(slug: "unknown-gate", title: "Unknown gate", status: 404,
                   detail: "gate '\(TextSafety.echo(id, limit: 64))' is not one of this site's gates; GET /v1/gates lists them")
    }
    package static func limitTooLarge(_ value: Int, max: Int) -> APIProblem {
        APIProblem(slug: "limit-out-of-range", title: "Limit out of range", status: 400,
                   detail: "limit \(value) is outside 1…\(max); ask for at most \(max) and page on with `after`")
    }
    package static func malformedCursor(_ text: String) -> APIProblem {
        APIProblem(slug: "malformed-cursor", title: "Malformed cursor", status: 400,
                   detail: "after '\(TextSafety.echo(text, limit: 64))' is not a cursor this server gave; pass the `next` of a page unchanged, or omit it to start at the oldest")
    }
    package static func badParameter(_ detail: String) -> APIProblem {
        APIProblem(slug: "bad-parameter", title: "Bad parameter", status: 400, detail: detail)
    }
    package static func notFound(_ path: String) -> APIProblem {
        APIProblem(slug: "not-found", title: "Not found", status: 404,
                   detail: "no resource at \(TextSafety.echo(path, limit: 120)); GET /v1/openapi.yaml lists them")
    }
    /// The database could not be read: the store's own one-line reason (paths, never secrets).
    package static func databaseUnavailable(_ error: Error) -> APIProblem {
        APIProblem(slug: "database-unavailable", title: "Database unavailable", status: 503,
                   detail: TextSafety.echo(String(describing: error), limit: 300))
    }
    package static let internalError = APIProblem(slug: "internal", title: "Internal error", status: 500,
                                          detail: "the server could not answer this request; its log says why")

    package var httpStatus: HTTPResponse.Status { .init(code: status) }
    package var httpHeaderFields: HTTPFields { [.contentType: "application/problem+json"] }
    package var httpBody: HTTPBody? { HTTPBody(json) }

    /// The problem document: type, title, status, detail (RFC 9457 members).
    package var json: Data {
        let doc = Components.Schemas.Problem(_type: "urn:gatewatch:problem:" + slug, title: title,
                                             status: Int32(status), detail: detail)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(doc)) ?? Data("{}".utf8)
    }
}

/// Turns whatever a generated operation threw into problem JSON: the handlers' own
/// problems as they are, a parameter the runtime could not decode (a word not in an
/// enum, a number that is not one) as a 400 naming it, a store error as 503.
package struct ProblemMiddleware: ServerMiddleware {
    package init() {}

    package func intercept(_ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?))
        async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let problem = operationID == "acknowledgeAlert" ? Self.acknowledgeProblem(for: error, request: request)
                                                            : Self.problem(for: error, request: request)
            return (HTTPResponse(status: problem.httpStatus, headerFields: problem.httpHeaderFields), problem.httpBody)
        }
    }

    package static func problem(for error: Error, request: HTTPRequest? = nil) -> APIProblem {
        let underlying = (error as? ServerError)?.underlyingError ?? error
        if let problem = underlying as? APIProblem { return problem }
        if underlying is StoreError { return .databaseUnavailable(underlying) }
        if let server = error as? ServerError, (400..<500).contains(server.httpStatus.code) {
            return .badParameter(parameterMessage(underlying, request: request)
                                 ?? TextSafety.echo(server.causeDescription, limit: 200))
        }
        return .internalError
    }

    /// The acknowledge operation's own wording: what the runtime could not decode there is the
    /// alert id in the path or the JSON body, never a query parameter.
    package static func acknowledgeProblem(for error: Error, request: HTTPRequest) -> APIProblem {
        guard let server = error as? ServerError, (400..<500).contains(server.httpStatus.code),
              !(server.underlyingError is APIProblem) else { return problem(for: error, request: request) }
        let parts = (request.path ?? "").split(separator: "?").first?.split(separator: "/") ?? []
        if parts.count == 4, Int64(parts[2]) == nil {
            return .badParameter("alert id '\(TextSafety.echo(String(parts[2]), limit: 40))' is not a whole number; use an id from GET /v1/alerts")
        }
        return .badBody("the body must be JSON {\"name\": \"who acknowledges\", \"note\": \"optional\"} with Content-Type: application/json, and no other keys")
    }

    /// What each typed query parameter of the contract takes, from the generated types: the
    /// runtime's decoding error does not name the parameter, so the bad one is found by testing.
    package static let typedParameters: [String: (check: (String) -> Bool, takes: String)] = [
        "limit": ({ Int32($0) != nil }, "a whole number"),
        "by": ({ Components.Schemas.Granularity(rawValue: $0) != nil },
               "one of " + Components.Schemas.Granularity.allCases.map(\.rawValue).joined(separator: ", ")),
        "state": ({ Components.Schemas.AlertState(rawValue: $0) != nil },
                  "one of " + Components.Schemas.AlertState.allCases.map(\.rawValue).joined(separator: ", ")),
        "kind": ({ Components.Schemas.AlertKind(rawValue: $0) != nil },
                 "one of " + Components.Schemas.AlertKind.allCases.map(\.rawValue).joined(separator: ", ")),
    ]

    /// "query parameter 'by': 'week' is not one of 15min, hour, day" for a value the runtime could not decode.
    package static func parameterMessage(_ error: Error, request: HTTPRequest?) -> String? {
        guard error is DecodingError else { return nil }
        let items = request?.path.flatMap { URLComponents(string: $0)?.queryItems } ?? []
        for item in items {
            guard let typed = typedParameters[item.name], let value = item.value, !typed.check(value) else { continue }
            return "query parameter '\(item.name)': '\(TextSafety.echo(value, limit: 60))' is not \(typed.takes)"
        }
        return "a query parameter has a value this API does not take; see /v1/openapi.yaml"
    }
}
