import Foundation
import VeritasProtocol

/// Obstruction: hard to cancel.
enum ObstructionDetector {
    static func findings(on page: AuditedPage) -> [Finding] { hardToCancel(page) }

    private static let cancelWords = TextPattern(#"\bcancel\w*|\bterminat\w*|\bend (your|the|a) (membership|subscription|contract)\b"#)
    /// A channel slower than the web: a call, a letter, a visit, a person.
    private static let offlineChannel = TextPattern(
        #"\b(call|calling|phone|telephone|by post|postal|letter|in person|in-person|visit|speak(ing)? (to|with)|representative|customer care|account manager|fax|notari[sz]ed)\b|\bcannot be cancel\w* online\b|\bcan'?t (be )?cancel\w* online\b|\b(can'?t|cannot|can not|unable to|isn'?t possible to|not possible to)\b[^.]{0,40}\bonline\b|\bnot possible online\b|\bonly (by|via|over) (phone|telephone|post|mail)\b|\b(need|have|must|required) to (contact|email|e-mail|write to)\b"#)
    /// The channel is ruled out rather than required: "no phone call needed".
    private static let channelNotNeeded = TextPattern(
        #"\bno (phone )?calls?\b|\bwithout (calling|a call|phoning|a phone call|contacting)\b|\bno need to (call|phone|speak)\b|\bno (letter|visit)s?\b|\b(don't|do not|doesn't|does not|won't|will not|never) (need|have) to (call|phone|telephone|ring|write|visit|speak|talk|contact)\b"#)

    /// A sentence of the page's own text that says cancelling needs a call, a letter, a visit or a
    /// representative, or cannot be done online.
    static func hardToCancel(_ page: AuditedPage) -> [Finding] {
        var findings: [Finding] = []
        for block in page.blocks where !block.isQuotation {
            for sentence in block.text.sentences where sentence.count <= 400 {
                // "if the answer is “call us”, think twice": advice quoting a channel, not requiring one.
                guard cancelWords.occurs(in: sentence), let channel = offlineChannel.firstMatch(in: TextBlock.unquoted(sentence)),
                      !channelNotNeeded.occurs(in: sentence) else { continue }
                findings.append(Finding(
                    patternType: .hardToCancel, severity: .high, confidence: 0.8, evidence: sentence,
                    location: block.location("cancelling needs \"\(channel)\"")))
            }
        }
        return findings
    }
}
