// Masters (delivery presets, jobs, the QC report) and the log (the studio
// log, the as-run view, the edit history).

import { api } from "./api.js";

const element = (tag, className, text) => {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
};

const LOG_KINDS = ["recording", "render", "mix", "delivery", "qc", "import", "export", "edit", "broadcast", "note", "correction", "session"];

/** A list from an answer that is a list, or an object holding one under `key`, or a name -> details mapping. */
function listOf(answer, key) {
  if (Array.isArray(answer)) return answer;
  if (Array.isArray(answer?.[key])) return answer[key];
  if (answer && typeof answer === "object") {
    return Object.entries(answer).map(([name, value]) => (value && typeof value === "object" ? { name, ...value } : { name, value }));
  }
  return [];
}

const show = (value) => (value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value));

/** A table of objects, a column per key (the keys in `columns` first). */
function table(rows, columns = []) {
  const keys = [...columns];
  for (const row of rows) for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  const made = element("table");
  const head = element("tr");
  for (const key of keys) {
    const cell = element("th", "", key.replaceAll("_", " "));
    cell.scope = "col";
    head.append(cell);
  }
  made.append(element("thead"), element("tbody"));
  made.tHead.append(head);
  for (const row of rows) {
    const line = element("tr");
    for (const key of keys) line.append(element("td", "", show(row[key])));
    made.tBodies[0].append(line);
  }
  return made;
}

export function createMasters(root, board) {
  const jobs = new Map(); // id -> {row, bar, text, preset}

  const presetBox = element("section", "presets");
  presetBox.append(element("h2", "", "Delivery presets"));
  const presetList = element("ul", "preset-list");
  const refresh = element("button", "", "reload");
  refresh.type = "button";
  refresh.addEventListener("click", () => loadPresets());
  presetBox.append(presetList, refresh);

  const jobBox = element("section", "jobs");
  jobBox.append(element("h2", "", "Jobs"));
  const jobList = element("ul", "job-list");
  jobList.setAttribute("aria-live", "polite");
  jobBox.append(jobList);

  const report = element("section");
  report.id = "qc-report";
  report.setAttribute("aria-live", "polite");
  report.append(element("h2", "", "QC report"), element("p", "quiet", "Run a preset: its report shows here."));

  root.append(presetBox, jobBox, report);

  async function loadPresets() {
    try {
      const presets = listOf(await api.presets(), "presets");
      presetList.replaceChildren(...presets.map(presetElement));
    } catch (error) {
      presetList.replaceChildren(element("li", "error", error.message));
    }
  }

  function presetElement(preset) {
    const name = typeof preset === "string" ? preset : preset.name;
    const row = element("li", "preset");
    row.dataset.preset = name;
    const run = element("button", "run", "Deliver");
    run.type = "button";
    run.setAttribute("aria-label", `deliver ${name}`);
    run.addEventListener("click", () => deliver(name));
    const words = element("div", "words");
    const heading = element("div");
    heading.append(element("strong", "", name));
    words.append(heading);
    if (typeof preset === "object") {
      const targets = [
        Number.isFinite(preset.target_lufs) && `${preset.target_lufs} LUFS`,
        Number.isFinite(preset.true_peak_max_dbtp) && `≤ ${preset.true_peak_max_dbtp} dBTP`,
      ].filter(Boolean);
      if (targets.length) heading.append(element("span", "targets", ` ${targets.join(" · ")}`));
      words.append(element("span", "quiet description", preset.description ?? ""));
      row.title = [preset.description, preset.standard].filter(Boolean).join("\n");
    }
    row.append(run, words);
    return row;
  }

  async function deliver(preset) {
    if (board.readOnly) return board.status("the project is read-only: nothing delivered", "error");
    try {
      const answer = await api.deliver(preset);
      const id = String(answer.job);
      jobRow(id, preset);
      board.status(`delivery ${preset} started (job ${id})`);
    } catch (error) {
      board.status(error.message, "error");
    }
  }

  function jobRow(id, preset = "") {
    if (jobs.has(id)) return jobs.get(id);
    const row = element("li", "job");
    row.dataset.job = id;
    const bar = element("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `job ${id} progress`);
    const text = element("span", "", `${preset || "job"} ${id}: started`);
    row.append(text, bar);
    jobList.prepend(row);
    const job = { row, bar, text, preset };
    jobs.set(id, job);
    return job;
  }

  board.socket.addEventListener("job", (event) => {
    const message = event.detail;
    const id = String(message.id);
    const job = jobRow(id, message.report?.preset ?? "");
    const progress = Number(message.progress ?? 0);
    job.bar.value = Math.min(1, Math.max(0, progress));
    const label = job.preset || message.report?.preset || "job";
    if (message.error) {
      job.text.textContent = `${label} ${id}: failed: ${message.error}`;
      job.row.classList.add("failed");
      board.status(`delivery ${label}: ${message.error}`, "error");
    } else if (message.done) {
      const passed = message.report?.passed;
      job.text.textContent = `${label} ${id}: done${passed === undefined ? "" : passed ? ", QC passed" : ", QC failed"}`;
      job.row.classList.toggle("failed", passed === false);
      job.row.classList.add("done");
      if (message.report) showReport(message.report);
    } else {
      const stage = message.stage ? `${message.stage}, ` : "";
      job.text.textContent = `${label} ${id}: ${stage}${Math.round(progress * 100)} %`;
    }
  });

  /** The report of a delivery: the QC checks (failed ones named), its figures and files. */
  function showReport(data) {
    const qc = data.qc ?? data; // the console's report holds the QC report under "qc"
    const checks = qc.checks ?? [];
    const passed = data.passed ?? qc.passed;
    const failed = checks.filter((check) => !check.passed);
    const title = element("h2", "", `QC report: ${data.preset ?? qc.preset ?? ""}`);
    const verdict = element("p", `verdict ${passed ? "passed" : "failed"}`);
    verdict.textContent = passed
      ? `passed: all ${checks.length} checks`
      : `failed: ${failed.map((check) => check.name).join(", ") || "see below"}`;
    const parts = [title, verdict];
    if (data.warning) parts.push(element("p", "warning", data.warning));
    if (fixOf(data)) parts.push(fixButton(fixOf(data), data));
    const list = element("table", "checks");
    list.append(element("tbody"));
    for (const check of checks) {
      const row = element("tr", check.passed ? "passed" : "failed");
      row.dataset.check = check.name;
      const mark = element("td", "mark", check.passed ? "✓" : "✗");
      mark.setAttribute("aria-label", check.passed ? "passed" : "failed");
      row.append(
        mark,
        element("th", "", check.name.replaceAll("_", " ")),
        element("td", "", show(check.value)),
        element("td", "quiet", check.limit ?? ""),
      );
      const message = element("td", "", check.passed ? "" : check.message ?? "");
      const fix = fixOf(check);
      if (fix) message.append(fixButton(fix, data));
      row.append(message);
      list.tBodies[0].append(row);
    }
    parts.push(list);
    const figures = data.figures ?? qc.loudness;
    if (figures) {
      parts.push(element("h3", "", "Figures"));
      const rows = Object.entries(figures).map(([name, value]) => ({ figure: name.replaceAll("_", " "), value }));
      parts.push(table(rows));
    }
    const files = data.files ?? [];
    if (files.length) {
      parts.push(element("h3", "", "Files"));
      const links = element("ul", "files");
      for (const file of files) {
        const item = element("li");
        const path = typeof file === "string" ? file : file.path;
        if (file.url) {
          const link = element("a", "", path);
          link.href = file.url;
          link.target = "_blank";
          link.rel = "noopener";
          item.append(link);
        } else {
          item.textContent = path;
        }
        links.append(item);
      }
      parts.push(links);
    }
    report.replaceChildren(...parts);
    report.dataset.passed = String(Boolean(passed));
  }

  /** A one-click fix the report offers: operations to apply, or a preset to run again. */
  function fixOf(holder) {
    const fix = holder.fix;
    if (!fix || typeof fix !== "object") return null;
    if (Array.isArray(fix.operations) || typeof fix.preset === "string") return fix;
    return null;
  }

  function fixButton(fix, data) {
    const button = element("button", "fix", fix.label ?? "Fix");
    button.type = "button";
    button.title = fix.description ?? (fix.operations ? fix.operations.map((operation) => operation.op).join(", ") : `deliver ${fix.preset}`);
    button.addEventListener("click", async () => {
      if (fix.operations?.length) {
        const state = await board.apply(fix.operations, fix.description ?? fix.label ?? "QC fix");
        if (!state) return;
      }
      const again = fix.preset ?? (fix.redeliver === false ? null : data.preset);
      if (again) deliver(again);
    });
    return button;
  }

  board.addEventListener("view", (event) => {
    if (event.detail === "masters" && !presetList.children.length) loadPresets();
  });
  if (board.view === "masters") loadPresets();
  return { loadPresets, showReport };
}

export function createLog(root, board) {
  // The studio log, with a kind filter.
  const logBox = element("section", "studio-log");
  logBox.append(element("h2", "", "Studio log"));
  const filter = element("form", "filters");
  const kindLabel = element("label", "", "kind ");
  const kind = element("select");
  kind.dataset.role = "log-kind";
  for (const name of ["", ...LOG_KINDS]) {
    const option = element("option", "", name || "all");
    option.value = name;
    kind.append(option);
  }
  kindLabel.append(kind);
  const reload = element("button", "", "reload");
  reload.type = "submit";
  filter.append(kindLabel, reload);
  const logTable = element("div", "table-box");
  logBox.append(filter, logTable);
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    loadLog();
  });
  kind.addEventListener("change", () => loadLog());

  // The as-run view of a channel's day.
  const asrunBox = element("section", "asrun");
  asrunBox.append(element("h2", "", "As-run"));
  const asrunForm = element("form", "filters");
  const channelLabel = element("label", "", "channel ");
  const channel = element("input");
  channel.type = "text";
  channel.name = "channel";
  channel.dataset.role = "asrun-channel";
  channelLabel.append(channel);
  const dayLabel = element("label", "", "day ");
  const day = element("input");
  day.type = "date";
  day.name = "day";
  day.dataset.role = "asrun-day";
  day.value = new Date().toISOString().slice(0, 10);
  dayLabel.append(day);
  const show = element("button", "", "show");
  show.type = "submit";
  asrunForm.append(channelLabel, dayLabel, show);
  const asrunTable = element("div", "table-box");
  asrunBox.append(asrunForm, asrunTable);
  asrunForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api.asrun(channel.value.trim(), day.value);
      const rows = Array.isArray(answer) ? answer : answer?.items ?? answer?.entries ?? answer?.rows ?? [];
      asrunTable.replaceChildren(rows.length ? table(rows) : element("p", "quiet", "nothing aired that day"));
    } catch (error) {
      asrunTable.replaceChildren(element("p", "error", error.message));
    }
  });

  // The project's edit history (from the state).
  const historyBox = element("section", "history");
  historyBox.append(element("h2", "", "Edit history"));
  const historyList = element("ol", "history-list");
  historyBox.append(historyList);

  root.append(logBox, asrunBox, historyBox);

  async function loadLog() {
    try {
      const rows = listOf(await api.log(kind.value), "entries");
      // What a person reads; the chain's hashes and ids stay out of the way.
      const shown = rows.map((entry) => ({
        at: String(entry.at ?? "").replace("T", " ").replace(/\.\d+/, "").replace(/\+00:00$|Z$/, " UTC"),
        kind: entry.kind,
        operator: entry.operator,
        channel: entry.channel,
        note: entry.note,
        details: detailsText(entry.details),
        project: entry.project,
      }));
      logTable.replaceChildren(shown.length ? table(shown) : element("p", "quiet", "no entries"));
    } catch (error) {
      logTable.replaceChildren(element("p", "error", error.message));
    }
  }

  /** A log entry's details as a person reads them: `key: value` pairs, files by name. */
  function detailsText(details) {
    if (!details || typeof details !== "object") return details ?? "";
    const value = (item) => {
      if (Array.isArray(item)) return item.map((file) => (file && typeof file === "object" ? String(file.path ?? "").split("/").pop() : String(file))).join(", ");
      if (item && typeof item === "object") return Object.keys(item).join(", ");
      return typeof item === "number" ? String(Math.round(item * 100) / 100) : String(item);
    };
    return Object.entries(details)
      .filter(([key, item]) => key !== "sha256" && item !== null && item !== "" && !(Array.isArray(item) && !item.length))
      .map(([key, item]) => `${key}: ${value(item)}`)
      .join("; ");
  }

  function renderHistory() {
    const history = board.state?.history ?? [];
    historyList.replaceChildren(
      ...history
        .slice()
        .reverse()
        .map((event) => {
          const row = element("li", `event ${event.event}`);
          row.append(element("span", "quiet", `${event.at ?? ""} `), element("strong", "", event.event), ` ${event.description ?? ""}`);
          return row;
        }),
    );
  }

  board.addEventListener("state", renderHistory);
  board.addEventListener("view", (event) => {
    if (event.detail === "log") loadLog();
  });
  if (board.view === "log") loadLog();
  return { loadLog };
}
