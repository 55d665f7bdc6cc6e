import Foundation

/// One Observatory test outcome.
public struct ObservatoryTest: Sendable, Hashable {
    /// The Observatory test name, e.g. `content-security-policy`.
    public var name: String
    /// The Observatory result identifier, e.g. `csp-implemented-with-no-unsafe`.
    public var result: String
    /// Score modifier for `result` (MDN scoring table).
    public var modifier: Int
    /// Whether the Observatory considers the test passed.
    public var pass: Bool
    /// One-sentence human explanation.
    public var reason: String

    /// Creates a test outcome; the modifier comes from the scoring table.
    public init(name: String, result: String, pass: Bool, reason: String) {
        self.name = name
        self.result = result
        self.modifier = ObservatoryScoring.modifier(for: result)
        self.pass = pass
        self.reason = reason
    }
}

/// The full grading result for a page.
public struct ObservatoryReport: Sendable, Hashable {
    /// The ten tests, in Observatory order.
    public var tests: [ObservatoryTest]
    /// Sum of negative modifiers (≤ 0).
    public var penalties: Int
    /// Sum of positive modifiers (≥ 0), whether or not applied.
    public var bonuses: Int
    /// Whether the bonuses were added (score after penalties ≥ 90).
    public var bonusesApplied: Bool
    /// Final score (floored at 0, may exceed 100).
    public var score: Int
    /// Letter grade, `A+` … `F`.
    public var grade: String

    /// Builds a report; `ObservatoryGrader.grade(_:)` makes real ones, tests and callers may build
    /// their own.
    public init(tests: [ObservatoryTest], penalties: Int, bonuses: Int, bonusesApplied: Bool, score: Int, grade: String) {
        self.tests = tests
        self.penalties = penalties
        self.bonuses = bonuses
        self.bonusesApplied = bonusesApplied
        self.score = score
        self.grade = grade
    }

    /// The outcome of the test named `name`, if present.
    public subscript(test name: String) -> ObservatoryTest? { tests.first { $0.name == name } }
}
