import ArgumentParser
import VeritasProtocol

// `--tier quick`, `--verdict-mode expert`, `--status completed`: parsed and listed in --help
// from the enums' raw values.
extension Tier: ExpressibleByArgument {}
extension VerdictMode: ExpressibleByArgument {}
extension AuditStatus: ExpressibleByArgument {}
