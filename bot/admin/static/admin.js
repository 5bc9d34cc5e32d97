// Progressive enhancement only: confirmations, live training log, import progress.
// No inline scripts anywhere (the CSP forbids them), and text is inserted with textContent.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.confirm");
  if (form && !window.confirm(form.dataset.confirm || "Chắc chắn?")) event.preventDefault();
});

function pollLog(pre) {
  let offset = 0;
  let sawRunning = false;
  const statusEl = document.getElementById("status");
  const tick = async () => {
    const response = await fetch(`${pre.dataset.logUrl}?offset=${offset}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    if (data.text) {
      pre.textContent += data.text;
      pre.scrollTop = pre.scrollHeight;
    }
    offset = data.offset;
    if (statusEl) statusEl.textContent = data.status;
    if (data.running || data.status === "training") {
      sawRunning = true;
      setTimeout(tick, 1000);
    } else if (sawRunning) {
      window.location.reload(); // show the enabled buttons and the evaluation
    }
  };
  tick();
}

function pollImport(box) {
  const tick = async () => {
    const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const job = await response.json();
    document.getElementById("import-state").textContent = job.state;
    document.getElementById("import-done").textContent = job.done;
    document.getElementById("import-total").textContent = job.total;
    const bar = document.getElementById("import-progress");
    bar.max = job.total || 1;
    bar.value = job.done;
    document.getElementById("import-report").textContent = job.report;
    if (job.state === "running") setTimeout(tick, 1000);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  const log = document.getElementById("log");
  if (log) pollLog(log);
  const box = document.getElementById("import");
  if (box) pollImport(box);
});

// Back office: a handover's history updates live; the queue page refreshes itself.
function renderTurn(turn) {
  const box = document.createElement("div");
  box.className = `turn ${turn.who === "user" ? "user" : "bot"}`;
  const meta = document.createElement("div");
  meta.className = "meta";
  const who = turn.who === "user" ? "Người dân" : turn.who === "staff" ? `Cán bộ ${turn.staff}` : "Trợ lý";
  meta.textContent = `${who}${turn.undelivered ? " (chưa gửi được)" : ""} · ${turn.at}`;
  const text = document.createElement("div");
  text.className = "message";
  text.textContent = turn.text;
  box.append(meta, text);
  return box;
}

function pollHistory(history) {
  let shown = history.querySelectorAll(".turn").length;
  const tick = async () => {
    try {
      const response = await fetch(history.dataset.messagesUrl, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        if (data.turns.length !== shown) {
          history.replaceChildren(...data.turns.map(renderTurn));
          shown = data.turns.length;
        }
      }
    } finally {
      setTimeout(tick, 2000);
    }
  };
  setTimeout(tick, 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  const history = document.getElementById("history");
  if (history && history.dataset.messagesUrl) pollHistory(history);
  const queue = document.getElementById("live-queue");
  if (queue) setTimeout(() => window.location.reload(), Number(queue.dataset.refresh) * 1000);
});
