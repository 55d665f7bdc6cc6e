import Foundation

/// Computes MDN HTTP Observatory results, score and grade from a page's response facts.
public enum ObservatoryGrader {
    /// The ten test names, in report order.
    public static let testNames = [
        "content-security-policy", "cookies", "cross-origin-resource-sharing", "redirection",
        "referrer-policy", "strict-transport-security", "subresource-integrity",
        "x-content-type-options", "x-frame-options", "cross-origin-resource-policy",
    ]

    /// Grades `input`: runs all tests, then applies two-round scoring and the grade chart.
    public static func grade(_ input: ObservatoryInput) -> ObservatoryReport {
        let hsts = StrictTransportSecurityTest.run(input)
        let tests = [
            ContentSecurityPolicyTest.run(input),
            CookiesTest.run(input, hstsPass: hsts.pass),
            CrossOriginResourceSharingTest.run(input),
            RedirectionTest.run(input),
            ReferrerPolicyTest.run(input),
            hsts,
            SubresourceIntegrityTest.run(input),
            XContentTypeOptionsTest.run(input),
            XFrameOptionsTest.run(input),
            CrossOriginResourcePolicyTest.run(input),
        ]
        let scoring = ObservatoryScoring.score(tests)
        return ObservatoryReport(tests: tests, penalties: scoring.penalties, bonuses: scoring.bonuses,
                                 bonusesApplied: scoring.bonusesApplied, score: scoring.score,
                                 grade: ObservatoryScoring.grade(for: scoring.score))
    }
}
