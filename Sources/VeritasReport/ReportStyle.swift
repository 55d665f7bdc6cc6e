import Crypto
import Foundation

/// The report's style sheet, and its hash for a Content-Security-Policy that allows this sheet
/// and no other inline style.
public enum ReportStyle {
    /// The CSS of reports and of the console's audit pages: readable on screen, printable (no
    /// backgrounds needed, findings and figures kept whole where they fit).
    public static let css = """
        :root{color-scheme:light;--ink:#1d2126;--muted:#5b6570;--line:#d8dde3;--low:#1f7a3a;--medium:#9a6700;--high:#c2410c;--critical:#b42318}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f6f7f9}
        main.report{max-width:1040px;margin:0 auto;padding:24px 20px 48px;background:#fff}
        header .kicker{margin:0;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.06em}
        h1{margin:.2rem 0 1rem;font-size:1.5rem;overflow-wrap:anywhere}
        h2{margin:2rem 0 .75rem;font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
        h3{margin:0 0 .25rem;font-size:1.05rem}
        a{color:#0b57d0}
        .verdict{display:grid;grid-template-columns:auto 1fr;gap:4px 24px;padding:16px 20px;border:2px solid var(--line);border-radius:10px}
        .verdict .score{grid-row:span 2;align-self:center;text-align:center}
        .verdict .trust{display:block;font-size:3.2rem;font-weight:700;line-height:1}
        .verdict .of{color:var(--muted);font-size:.9rem}
        .verdict .risk{font-weight:700;text-transform:uppercase;letter-spacing:.04em}
        .verdict .site{color:var(--muted);margin-left:.5rem}
        .verdict .narrative p{margin:.3rem 0}
        .risk-low{border-color:var(--low)}.risk-low .risk,.risk-low .trust{color:var(--low)}
        .risk-medium{border-color:var(--medium)}.risk-medium .risk,.risk-medium .trust{color:var(--medium)}
        .risk-high{border-color:var(--high)}.risk-high .risk,.risk-high .trust{color:var(--high)}
        .risk-critical{border-color:var(--critical)}.risk-critical .risk,.risk-critical .trust{color:var(--critical)}
        .pending{color:var(--muted)}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
        dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        meter{width:100%;max-width:320px}
        tr.fail th,tr.fail td:nth-child(2){color:var(--critical)}
        code{font-size:.9em;overflow-wrap:anywhere}
        ol.findings{list-style:none;padding:0;margin:0}
        .finding{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;padding:10px 14px;margin:0 0 12px;break-inside:avoid}
        .finding .number{display:inline-block;min-width:1.6em;padding:0 .35em;border-radius:4px;background:var(--ink);color:#fff;text-align:center}
        .finding .category{color:var(--muted);font-weight:400;font-size:.9rem;margin-left:.4rem}
        .finding .meta,.finding .location,.finding .place{margin:.2rem 0;color:var(--muted);font-size:.92rem;overflow-wrap:anywhere}
        .evidence{margin:.4rem 0;padding:6px 12px;border-left:3px solid var(--line);background:#f8f9fb;white-space:pre-wrap;overflow-wrap:anywhere}
        .severity-low{border-left-color:var(--low)}.severity-medium{border-left-color:var(--medium)}
        .severity-high{border-left-color:var(--high)}.severity-critical{border-left-color:var(--critical)}
        .finding:target{outline:3px solid #0b57d0}
        figure.shot{margin:0 0 24px}
        figure.shot svg,figure.shot img{display:block;width:100%;height:auto;border:1px solid var(--line)}
        figure.shot figcaption{color:var(--muted);font-size:.92rem;margin-top:4px}
        .mark .outline{fill:none;stroke:var(--critical);stroke-width:4;vector-effect:non-scaling-stroke}
        .mark .tag{fill:var(--critical)}
        .mark text{fill:#fff;font:700 20px system-ui,sans-serif}
        .mark.severity-low .outline{stroke:var(--low)}.mark.severity-low .tag{fill:var(--low)}
        .mark.severity-medium .outline{stroke:var(--medium)}.mark.severity-medium .tag{fill:var(--medium)}
        .mark.severity-high .outline{stroke:var(--high)}.mark.severity-high .tag{fill:var(--high)}
        footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}
        @media print{body{background:#fff}main.report{max-width:none;padding:0}a{color:inherit}.finding:target{outline:none}}
        """

    /// The CSP source that allows exactly ``css``: `sha256-<base64 digest>`.
    public static let hashSource = "sha256-" + Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString()
}
