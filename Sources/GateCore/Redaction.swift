import Foundation

/// Hides a password in rtsp://user:pass@host URLs before they reach logs, the console
/// or the database. (Moved from GateVision so GateStore can mask what it stores;
/// helper B's branch replaces this body with the complete parser.)
public func redactedURL(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
    let userinfo = url[schemeEnd.upperBound..<at]
    guard let colon = userinfo.firstIndex(of: ":") else { return url }
    return String(url[..<colon]) + ":***" + String(url[at...])
}
