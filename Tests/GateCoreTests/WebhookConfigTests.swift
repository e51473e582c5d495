import XCTest
@testable import GateCore

/// `webhooks:` in a site file: what is accepted, one clear line for each bad value, the
/// secret never shown, and the retry schedule.
final class WebhookConfigTests: XCTestCase {
    static func site(_ webhooks: String) -> String {
        """
        site: {name: W, capacity: 100}
        gates:
          - id: g1
            feeds:
              - id: f1
                source: synthetic:kind=pairs
                lines:
                  - {id: l1, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}
        webhooks:
        \(webhooks)
        """
    }

    static let secret = "s3cret-0123456789-abcdef"

    func testEndpointIsReadWithDefaults() throws {
        let c = try ConfigLoader.parse(yaml: Self.site("""
          - id: ioc
            url: https://ioc.example.vn/hooks/gatewatch
            events: [crossings, alerts]
            secret: \(Self.secret)
          - {id: chat, url: 'http://127.0.0.1:9000/x', events: feeds, secret: \(Self.secret), max_attempts: 3, timeout: 2.5}
        """))
        XCTAssertEqual(c.webhooks.map(\.id), ["ioc", "chat"])
        XCTAssertEqual(c.webhooks[0].events, [.crossings, .alerts])
        XCTAssertEqual(c.webhooks[0].maxAttempts, 30)
        XCTAssertEqual(c.webhooks[0].timeoutSeconds, 10)
        XCTAssertEqual(c.webhooks[1].events, [.feeds])
        XCTAssertEqual(c.webhooks[1].maxAttempts, 3)
        XCTAssertEqual(c.webhooks[1].timeoutSeconds, 2.5)
        XCTAssertEqual(c.webhooks[0].secret.value, Self.secret)
        XCTAssertTrue(c.webhooks[1].wants(.feedState))
        XCTAssertFalse(c.webhooks[1].wants(.alertRaised))
        XCTAssertEqual(try ConfigLoader.parse(yaml: Self.site("  []")).webhooks, [])
    }

    /// Printing the config (a log line, a debug dump) never shows the secret.
    func testSecretIsNeverPrinted() throws {
        let c = try ConfigLoader.parse(yaml: Self.site(
            "  - {id: ioc, url: 'https://h/x', events: [counts], secret: \(Self.secret)}"))
        for text in [String(describing: c), String(reflecting: c), "\(c.webhooks[0])", "\(c.webhooks[0].secret)"] {
            XCTAssertFalse(text.contains(Self.secret), text)
        }
        XCTAssertTrue("\(c.webhooks[0].secret)" == "***")
    }

    func testEachBadValueIsOneLineNamingFileAndKey() {
        let cases: [(String, String, String)] = [
            ("  - {id: a, url: 'ftp://h/x', events: [alerts], secret: \(Self.secret)}", "webhooks[0].url", "http:// or https://"),
            ("  - {id: a, url: 'not a url', events: [alerts], secret: \(Self.secret)}", "webhooks[0].url", "not a URL"),
            ("  - {id: a, url: 'http:///path', events: [alerts], secret: \(Self.secret)}", "webhooks[0].url", "no host"),
            ("  - {id: a, url: 'http://h/x', events: [alert], secret: \(Self.secret)}", "webhooks[0].events", "did you mean 'alerts'"),
            ("  - {id: a, url: 'http://h/x', events: [], secret: \(Self.secret)}", "webhooks[0].events", "at least one event"),
            ("  - {id: a, url: 'http://h/x', events: [alerts], secret: short}", "webhooks[0].secret", "openssl rand"),
            ("  - {id: a, url: 'http://h/x', events: [alerts]}", "webhooks[0].secret", "missing required key"),
            ("  - {id: a, url: 'http://h/x', events: [alerts], secret: \(Self.secret), max_attempts: 0}",
             "webhooks[0].max_attempts", "between 1 and 1000"),
            ("  - {id: a, url: 'http://h/x', events: [alerts], secret: \(Self.secret), timeout: 0}",
             "webhooks[0].timeout", "greater than 0"),
            ("  - {id: a, url: 'http://h/x', events: [alerts], secret: \(Self.secret), retries: 3}",
             "webhooks[0].retries", "unknown key"),
            ("  - {id: a, url: 'http://h/x', events: [alerts], secret: \(Self.secret)}\n  - {id: a, url: 'http://h/y', events: [alerts], secret: \(Self.secret)}",
             "webhooks[1].id", "duplicate webhook id 'a'"),
        ]
        for (yaml, key, words) in cases {
            XCTAssertThrowsError(try ConfigLoader.parse(yaml: Self.site(yaml), file: "site.yaml"), yaml) { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.key, key, "\(e)")
                XCTAssertTrue(e.description.hasPrefix("site.yaml:"), "\(e)")
                XCTAssertTrue(e.message.contains(words), "\(e)")
                XCTAssertFalse(e.description.contains("\n"), "\(e)")
                XCTAssertFalse(e.description.contains(Self.secret), "the secret in an error: \(e)")
            }
        }
    }

    /// A URL's credentials are masked when the URL is refused.
    func testRefusedURLIsEchoedMasked() {
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: Self.site(
            "  - {id: a, url: 'ftp://user:hunter2@h/x', events: [alerts], secret: \(Self.secret)}"))) { error in
            XCTAssertFalse("\(error)".contains("hunter2"), "\(error)")
        }
    }

    func testKeyReferenceListsTheWebhookKeys() {
        let md = ConfigKeys.markdown(ConfigKeys.site)
        for key in ["webhooks", "webhooks[].url", "webhooks[].events", "webhooks[].secret", "webhooks[].max_attempts"] {
            XCTAssertTrue(md.contains("| `\(key)` |"), key)
        }
    }

    /// 1 s doubling to 5 minutes, spread ±25% by the injected random number.
    func testRetryScheduleDoublesToTheCapWithJitter() {
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 1, unit: 0.5), 1, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 2, unit: 0.5), 2, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 5, unit: 0.5), 16, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 9, unit: 0.5), 256, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 10, unit: 0.5), 300, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 1000, unit: 0.5), 300, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 3, unit: 0), 3, accuracy: 1e-9)
        XCTAssertEqual(WebhookRetry.delaySeconds(afterAttempt: 3, unit: 1), 5, accuracy: 1e-9)
        // The default tries span more than an hour (a receiver down that long loses nothing).
        let span = (1..<Int(Limits.webhookMaxAttempts.defaultValue!)).map {
            WebhookRetry.delaySeconds(afterAttempt: $0, unit: 0)
        }.reduce(0, +)
        XCTAssertGreaterThan(span, 3600)
    }
}
