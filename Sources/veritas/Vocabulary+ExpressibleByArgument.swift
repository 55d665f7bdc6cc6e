import ArgumentParser
import VeritasProtocol

// `--tier quick`, `--verdict-mode expert`, `--status completed`, `--fail-on high`: parsed and listed in --help
// from the enums' raw values.
extension Tier: ExpressibleByArgument {}
extension VerdictMode: ExpressibleByArgument {}
extension AuditStatus: ExpressibleByArgument {}
extension RiskLevel: ExpressibleByArgument {}
