import VeritasReport

/// The console's two static files: its style sheet (the report's, plus the console's own parts)
/// and its one script (live progress). Served from `/static/`, so the pages need no inline code
/// and the Content-Security-Policy can forbid it.
enum ConsoleAssets {
    static let css = ReportStyle.css + "\n" + """
        nav.console{display:flex;gap:18px;align-items:baseline;max-width:1040px;margin:0 auto;padding:12px 20px;border-bottom:1px solid var(--line);background:#fff}
        nav.console a[aria-current]{font-weight:700;text-decoration:none;color:var(--ink)}
        main.console{max-width:1040px;margin:0 auto;padding:12px 20px 48px;background:#fff}
        form.submit,form.filter{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:end;margin:0 0 16px;padding:12px;border:1px solid var(--line);border-radius:8px}
        form.submit h2{flex-basis:100%;margin:0;border:0;padding:0}
        form label{display:flex;flex-direction:column;font-size:.9rem;color:var(--muted)}
        form input[type=url]{min-width:360px}
        input,select,button{font:inherit;padding:4px 8px}
        .form-error{color:var(--critical);flex-basis:100%;margin:0}
        table.audits td a{overflow-wrap:anywhere}
        .risk-badge{font-weight:700}.risk-badge.risk-low{color:var(--low)}.risk-badge.risk-medium{color:var(--medium)}
        .risk-badge.risk-high{color:var(--high)}.risk-badge.risk-critical{color:var(--critical)}
        .toolbar{max-width:1040px;margin:0 auto;padding:8px 20px 0;background:#fff;text-align:right}
        section.live{max-width:1040px;margin:0 auto;padding:8px 20px;background:#fff}
        section.live progress{width:100%;height:18px}
        section.writer{border:1px solid var(--line);border-radius:8px;padding:4px 16px 12px;margin:0 0 16px}
        section.writer.down,section.writer.health-degraded{border-color:var(--critical)}
        """

    static let javaScript = """
        'use strict';
        // Live progress of an audit under way, from the console's server-sent events (fed by the
        // writers' feeds); once it ends, the verdict is fetched and shown in place.
        document.addEventListener('DOMContentLoaded', () => {
          const live = document.getElementById('live');
          if (!live) return;
          const id = encodeURIComponent(live.dataset.audit);
          const bar = document.getElementById('live-progress');
          const status = document.getElementById('live-status');
          const phase = document.getElementById('live-phase');
          const elapsed = document.getElementById('live-elapsed');
          const since = Number(live.dataset.since) || Date.now();
          const showElapsed = () => { elapsed.textContent = '· ' + Math.max(0, Math.round((Date.now() - since) / 1000)) + ' s'; };
          showElapsed();
          const clock = setInterval(showElapsed, 1000);
          const show = (data) => {
            if (typeof data.percent === 'number') { bar.value = data.percent; bar.textContent = data.percent + '%'; }
            if (typeof data.status === 'string') { status.textContent = data.status; }
            if (typeof data.phase === 'string') { phase.textContent = '· ' + data.phase.replace(/_/g, ' '); }
          };
          const source = new EventSource('/audits/' + id + '/events');
          source.addEventListener('status', (event) => show(JSON.parse(event.data)));
          source.addEventListener('progress', (event) => show(JSON.parse(event.data)));
          source.addEventListener('done', (event) => {
            source.close();
            clearInterval(clock);
            const data = JSON.parse(event.data);
            show(data);
            phase.textContent = '';
            if (data.status === 'completed') { bar.value = 100; bar.textContent = '100%'; }
            live.dataset.finished = data.status;
            fetch('/audits/' + id + '/content')
              .then((response) => response.ok ? response.text() : Promise.reject(new Error(String(response.status))))
              .then((html) => { document.getElementById('audit-content').innerHTML = html; live.dataset.loaded = 'true'; })
              .catch(() => { status.textContent = data.status + ' (reload the page for the verdict)'; });
          });
        });
        """
}
