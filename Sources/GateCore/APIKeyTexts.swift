/// What `gatewatch api-key` says, Vietnamese first, English second (`--lang`, else the locale).
public struct APIKeyTexts: Sendable {
    public let lang: Language
    public init(_ lang: Language) { self.lang = lang }
    private func p(_ vi: String, _ en: String) -> String { lang == .vi ? vi : en }

    public func scope(_ s: APIKeyScope) -> String {
        switch s {
        case .read: return p("chỉ đọc", "read only")
        case .ack: return p("đọc và xác nhận cảnh báo", "read and acknowledge alerts")
        }
    }

    /// The lines around a new key: it is shown once, then never again.
    public func created(name: String, scope s: APIKeyScope) -> String {
        p("Đã tạo khoá API '\(name)' (quyền \(s.rawValue): \(scope(s))). Khoá chỉ hiện một lần này, hãy lưu ngay:",
          "API key '\(name)' created (scope \(s.rawValue): \(scope(s))). It is shown this once only; keep it now:")
    }

    public func usage(base: String) -> String {
        p("Dùng: curl -H 'Authorization: Bearer <khoá>' \(base)/v1/occupancy (hoặc tiêu đề X-API-Key: <khoá>)",
          "Use: curl -H 'Authorization: Bearer <key>' \(base)/v1/occupancy (or the header X-API-Key: <key>)")
    }

    public func revoked(name: String) -> String {
        p("Đã thu hồi khoá API '\(name)': từ giờ mọi yêu cầu dùng nó nhận 401.",
          "API key '\(name)' revoked: every request with it gets 401 from now on.")
    }

    public var noKeys: String {
        p("Chưa có khoá API nào; tạo bằng: gatewatch api-key add TÊN --scope read --db FILE",
          "No API keys yet; make one with: gatewatch api-key add NAME --scope read --db FILE")
    }

    /// Column headings of `api-key list`.
    public var headings: [String] {
        [p("tên", "name"), p("quyền", "scope"), p("tiền tố", "prefix"), p("tạo lúc", "created"),
         p("dùng lần cuối", "last used"), p("thu hồi", "revoked")]
    }

    public var never: String { p("chưa", "never") }
    public var notRevoked: String { "-" }
}
