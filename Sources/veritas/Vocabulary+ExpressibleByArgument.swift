import ArgumentParser
import VeritasProtocol

// `--tier quick`, `--verdict-mode expert`, `--status completed`, `--fail-on high`: parsed and listed in --help
// from the enums' raw values.
extension Tier: ExpressibleByArgument {}
extension VerdictMode: ExpressibleByArgument {}
extension AuditStatus: ExpressibleByArgument {}
extension RiskLevel: ExpressibleByArgument {}

extension RiskLevel {
    /// Low 0, medium 1, high 2, critical 3: risk bars compare by this.
    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }
}
