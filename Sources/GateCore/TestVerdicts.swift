/// One acceptance scenario's outcome. Raw values are the `test_result.verdict` column.
public enum TestVerdict: String, Sendable, Codable, CaseIterable {
    /// Counts (and expected alerts) within tolerance.
    case pass
    /// The run finished and missed an expectation.
    case fail
    /// The run could not be done (missing clip, detector failed...).
    case error
    /// Counts missed in a way the scenario names as a known weakness (`known_weakness:`):
    /// reported with counted against expected, and it does not fail the suite.
    case knownWeakness = "known_weakness"
}

/// A stored acceptance run's outcome. Raw values are the `test_run.verdict` column;
/// a run interrupted by a signal is closed as `fail`.
public enum TestRunVerdict: String, Sendable, Codable, CaseIterable {
    case running, pass, fail
}
