// The control board: loads the state, wires the views together, and owns the
// keyboard. The views share one context object (`board`) and talk through
// its events; none of them holds editing logic: every change is an operation
// sent to the server.

import { api, Socket } from "./api.js";
import { makeClock } from "./timecode.js";
import { createTimeline, pick } from "./timeline.js";
import { createMixer } from "./mixer.js";
import { createPreview } from "./preview.js";
import { createMasters, createLog } from "./masters.js";

const $ = (selector) => document.querySelector(selector);

/**
 * What every view shares. Events: "state" (a new project state), "playhead",
 * "selection", "range" (the in/out marks), "view" (the visible view).
 */
class Board extends EventTarget {
  constructor() {
    super();
    this.state = null;
    this.clock = makeClock(null);
    this.operations = {};
    this.playhead = 0;
    this.selection = null; // {track, record_in, record_out, kind, name}
    this.track = null; // the selected track's name
    this.range = { in: null, out: null };
    this.view = "timeline";
    this.socket = new Socket();
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  get duration() {
    return this.state?.project?.duration_frames ?? 0;
  }

  get readOnly() {
    return Boolean(this.state?.project?.read_only);
  }

  /** Take a new state (from an answer or the socket); views re-render once per revision. */
  setState(state) {
    if (!state || !state.project) return;
    const old = this.state;
    this.state = state;
    this.clock = makeClock(state.project);
    this.keepSelection();
    this.emit("state", { old });
  }

  setPlayhead(frame, source = "user") {
    const last = Math.max(0, this.duration - 1);
    const clamped = Math.min(Math.max(0, Math.round(frame)), Math.max(last, 0));
    if (clamped === this.playhead && source !== "seek") return;
    this.playhead = clamped;
    this.emit("playhead", { frame: clamped, source });
  }

  select(selection) {
    this.selection = selection;
    if (selection) this.track = selection.track;
    this.emit("selection", selection);
  }

  selectTrack(name) {
    this.track = name;
    if (this.selection && this.selection.track !== name) this.selection = null;
    this.emit("selection", this.selection);
  }

  setRange(edge, frame) {
    this.range = { ...this.range, [edge]: frame };
    if (this.range.in !== null && this.range.out !== null && this.range.out <= this.range.in) {
      this.range = edge === "in" ? { in: frame, out: null } : { in: null, out: frame };
    }
    this.emit("range", this.range);
  }

  /** The clip under the old selection's place, if it is still there after a change. */
  keepSelection() {
    const selected = this.selection;
    if (!selected) return;
    const items = this.state.timeline?.items ?? [];
    const same = items.find(
      (item) => item.track === selected.track && item.kind === "clip" && item.record_in === selected.record_in,
    );
    this.selection = same ? pick(same) : null;
  }

  /** One line in the status bar; errors stay until the next line. */
  status(text, kind = "info") {
    const line = $("#status");
    line.textContent = text;
    line.dataset.kind = kind;
  }

  /** Apply operations as one undo step; the new state comes back. Refusals go to the status line. */
  async apply(operations, description = "") {
    if (this.readOnly) {
      this.status("the project is read-only: nothing changed", "error");
      return null;
    }
    try {
      const state = await api.apply(operations, description);
      this.setState(state);
      this.status(description || operations.map(describe).join("; "));
      return state;
    } catch (error) {
      this.status(error.message, "error");
      return null;
    }
  }

  async step(which) {
    try {
      const state = await (which === "undo" ? api.undo() : api.redo());
      this.setState(state);
      this.status(which === "undo" ? "undone" : "redone");
    } catch (error) {
      this.status(error.message, "error");
    }
  }
}

function describe(operation) {
  const { op, ...rest } = operation;
  const values = Object.entries(rest).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${op} ${values.join(" ")}`;
}

const board = new Board();
const preview = createPreview($("#preview"), board);
const timeline = createTimeline($("#timeline"), board, preview);
createMixer($("#mixer"), board);
createMasters($("#masters"), board);
createLog($("#log"), board);

// ---- header -------------------------------------------------------------

function renderHeader() {
  const { project, can_undo, can_redo } = board.state;
  $("#project-name").textContent = project.name || "untitled";
  document.title = `${project.name || "untitled"} — postprod`;
  $("#revision").textContent = `rev ${project.revision}`;
  $("#read-only").hidden = !project.read_only;
  document.body.classList.toggle("read-only", Boolean(project.read_only));
  $("#undo").disabled = !can_undo || project.read_only;
  $("#redo").disabled = !can_redo || project.read_only;
  renderTimecode();
}

function renderTimecode() {
  $("#timecode").textContent = board.clock.tc(board.playhead);
}

board.addEventListener("state", renderHeader);
board.addEventListener("playhead", renderTimecode);
$("#undo").addEventListener("click", () => board.step("undo"));
$("#redo").addEventListener("click", () => board.step("redo"));

board.socket.addEventListener("open", () => {
  $("#connection").dataset.state = "open";
  $("#connection").title = "connected";
  api.state().then((state) => board.setState(state), () => {}); // catch up on what we missed
});
board.socket.addEventListener("close", () => {
  $("#connection").dataset.state = "closed";
  $("#connection").title = "disconnected: reconnecting";
});
board.socket.addEventListener("state", (event) => {
  const { type, ...state } = event.detail;
  if (state.project?.revision !== board.state?.project?.revision || state.can_undo !== board.state?.can_undo) {
    board.setState(state);
  }
});

board.socket.addEventListener("error", (event) => {
  board.status(event.detail.error ?? "the server reported an error", "error");
});

// ---- views --------------------------------------------------------------

const VIEWS = ["timeline", "mixer", "preview", "masters", "log"];

function showView(view) {
  if (!VIEWS.includes(view)) return;
  board.view = view;
  document.body.dataset.activeView = view;
  for (const tab of document.querySelectorAll(".tabs [data-view]")) {
    const selected = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  if (location.hash !== `#/${view}`) history.replaceState(null, "", `#/${view}`);
  board.emit("view", view);
}

for (const tab of document.querySelectorAll(".tabs [data-view]")) {
  tab.addEventListener("click", () => showView(tab.dataset.view));
}
$(".tabs").addEventListener("keydown", (event) => {
  if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
  const index = VIEWS.indexOf(board.view) + (event.key === "ArrowRight" ? 1 : -1);
  showView(VIEWS[(index + VIEWS.length) % VIEWS.length]);
  $(`.tabs [data-view="${board.view}"]`).focus();
  event.preventDefault();
  event.stopPropagation();
});

// ---- keyboard -----------------------------------------------------------

const editing = () => board.view === "timeline" || board.view === "preview";
const second = () => Math.round(board.clock.fps);

/** The selected clip, or a line in the status bar saying what to do. */
function selected() {
  if (!board.selection) board.status("select a clip first (click it)", "error");
  return board.selection;
}

/** The cut (a clip's edge) nearest the playhead on a track. */
function nearestCut(track) {
  const items = (board.state?.timeline?.items ?? []).filter((item) => item.track === track && item.kind !== "transition");
  let best = null;
  for (const item of items) {
    for (const frame of [item.record_in, item.record_out]) {
      if (best === null || Math.abs(frame - board.playhead) < Math.abs(best - board.playhead)) best = frame;
    }
  }
  return best;
}

/** Every cut on any track, sorted, for jumping from edit to edit. */
function cuts() {
  const frames = new Set([0, board.duration]);
  for (const item of board.state?.timeline?.items ?? []) {
    if (item.kind === "transition") continue;
    frames.add(item.record_in);
    frames.add(item.record_out);
  }
  return [...frames].sort((a, b) => a - b);
}

/**
 * Every shortcut: the keys, what the help overlay says, what it does, and
 * whether it edits (edits only act in the timeline and preview views).
 */
const SHORTCUTS = [
  { keys: [" "], label: "Space", help: "play / stop", run: () => preview.toggle() },
  { keys: ["j"], help: "play backwards (again: faster)", run: () => preview.shuttle(-1) },
  { keys: ["k"], help: "stop", run: () => preview.stop() },
  { keys: ["l"], help: "play forwards (again: faster)", run: () => preview.shuttle(1) },
  { keys: ["i"], help: "mark in (the loop's start)", run: () => board.setRange("in", board.playhead) },
  { keys: ["o"], help: "mark out (the loop's end)", run: () => board.setRange("out", board.playhead + 1) },
  { keys: ["Shift+l"], label: "Shift+L", help: "loop the in/out range on or off", run: () => preview.toggleLoop() },
  { keys: ["x"], help: "clear the in and out marks", run: () => { board.range = { in: null, out: null }; board.emit("range", board.range); } },
  { keys: ["ArrowLeft"], label: "←", help: "back one frame", run: () => board.setPlayhead(board.playhead - 1) },
  { keys: ["ArrowRight"], label: "→", help: "forward one frame", run: () => board.setPlayhead(board.playhead + 1) },
  { keys: ["Shift+ArrowLeft"], label: "Shift+←", help: "back one second", run: () => board.setPlayhead(board.playhead - second()) },
  { keys: ["Shift+ArrowRight"], label: "Shift+→", help: "forward one second", run: () => board.setPlayhead(board.playhead + second()) },
  { keys: ["ArrowUp"], label: "↑", help: "previous cut", run: () => board.setPlayhead(cuts().filter((f) => f < board.playhead).pop() ?? 0) },
  { keys: ["ArrowDown"], label: "↓", help: "next cut", run: () => board.setPlayhead(cuts().find((f) => f > board.playhead) ?? board.playhead) },
  { keys: ["Home"], label: "Home", help: "programme start", run: () => board.setPlayhead(0) },
  { keys: ["End"], label: "End", help: "programme end", run: () => board.setPlayhead(board.duration - 1) },
  {
    keys: ["b"], help: "blade: split the selected track at the playhead", edits: true,
    run: () => {
      if (!board.track) return board.status("select a track first (click a clip or a track name)", "error");
      board.apply([{ op: "split", track: board.track, at: board.playhead }]);
    },
  },
  {
    keys: ["Delete", "Backspace"], label: "Delete", help: "lift the selected clip (leaves a gap)", edits: true,
    run: () => { const s = selected(); if (s) board.apply([{ op: "lift", track: s.track, at: s.record_in }]); },
  },
  {
    keys: ["Shift+Delete", "Shift+Backspace"], label: "Shift+Delete", help: "extract the selected clip (closes the gap)", edits: true,
    run: () => { const s = selected(); if (s) board.apply([{ op: "extract", track: s.track, at: s.record_in }]); },
  },
  {
    keys: [","], help: "trim the selected clip's out one frame earlier", edits: true,
    run: () => { const s = selected(); if (s) board.apply([{ op: "trim", track: s.track, at: s.record_in, edge: "out", by: -1 }]); },
  },
  {
    keys: ["."], help: "trim the selected clip's out one frame later", edits: true,
    run: () => { const s = selected(); if (s) board.apply([{ op: "trim", track: s.track, at: s.record_in, edge: "out", by: 1 }]); },
  },
  {
    keys: ["m"], help: "add a marker at the playhead", edits: true,
    run: () => board.apply([{ op: "add-marker", at: board.playhead, label: board.clock.tc(board.playhead), colour: "RED", note: "" }]),
  },
  {
    keys: ["t"], help: "add a dissolve (1 s) at the cut nearest the playhead", edits: true,
    run: () => {
      if (!board.track) return board.status("select a track first (click a clip or a track name)", "error");
      const at = nearestCut(board.track);
      if (at === null) return board.status(`no cut on ${board.track}`, "error");
      board.apply([{ op: "add-transition", track: board.track, at, frames: second() }]);
    },
  },
  { keys: ["Mod+z"], label: "Ctrl/⌘+Z", help: "undo", run: () => board.step("undo") },
  { keys: ["Mod+Shift+z", "Mod+y"], label: "Ctrl/⌘+Shift+Z", help: "redo", run: () => board.step("redo") },
  { keys: ["+", "="], label: "+", help: "zoom in (also Ctrl+wheel)", run: () => timeline.zoom(1.5) },
  { keys: ["-"], label: "−", help: "zoom out", run: () => timeline.zoom(1 / 1.5) },
  { keys: ["\\"], help: "zoom to fit the programme", run: () => timeline.fit() },
  { keys: ["Escape"], label: "Esc", help: "clear the selection, close this help", run: () => { closeHelp(); board.select(null); } },
  ...VIEWS.map((view, index) => ({ keys: [String(index + 1)], help: `show the ${view}`, run: () => showView(view) })),
  { keys: ["?"], help: "this help", run: () => openHelp() },
];

/** The event as a key name: "Mod+Shift+z", "Shift+ArrowLeft", "?", " ". */
function keyName(event) {
  let key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const letter = /^[a-z]$/.test(key);
  const shift = event.shiftKey && (letter || event.key.length > 1) ? "Shift+" : "";
  const mod = event.ctrlKey || event.metaKey ? "Mod+" : "";
  return mod + shift + key;
}

const TEXT_INPUTS = new Set(["text", "number", "search", "date", "email", "url", "password"]);

function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  return TEXT_INPUTS.has(target.type) || target.type === "range";
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.defaultPrevented) return;
  const name = keyName(event);
  if (typing(event.target) && name !== "Escape") return;
  const shortcut = SHORTCUTS.find((entry) => entry.keys.includes(name));
  if (!shortcut) return;
  if (shortcut.edits && !editing()) return;
  event.preventDefault();
  shortcut.run();
});

// ---- help overlay -------------------------------------------------------

const help = $("#help");

function openHelp() {
  if (!help.open) help.showModal();
}

function closeHelp() {
  if (help.open) help.close();
}

function fillHelp() {
  const list = $("#help-keys");
  for (const shortcut of SHORTCUTS) {
    const term = document.createElement("dt");
    const label = shortcut.label ?? shortcut.keys[0].toUpperCase();
    for (const part of label.split(/(?<=.)\+(?=.)/)) {
      const kbd = document.createElement("kbd");
      kbd.textContent = part;
      term.append(kbd);
    }
    const what = document.createElement("dd");
    what.textContent = shortcut.help + (shortcut.edits ? " (timeline)" : "");
    const pair = document.createElement("div");
    pair.append(term, what);
    list.append(pair);
  }
}

fillHelp();
$("#help-button").addEventListener("click", openHelp);
$("#help-close").addEventListener("click", closeHelp);

// ---- start --------------------------------------------------------------

showView(location.hash.startsWith("#/") ? location.hash.slice(2) : "timeline");
board.status("loading the project…");
try {
  board.operations = await api.operations();
} catch {
  board.operations = {};
}
try {
  board.setState(await api.state());
  board.status("ready — press ? for the keyboard shortcuts");
  timeline.fit();
} catch (error) {
  board.status(error.message, "error");
}
