// The timeline: a lane per track, clips as positioned elements (thumbnails for
// picture, waveforms for sound), transitions, markers, the in/out marks and
// the playhead. Clicks select and scrub; drags move, trim, roll and slip
// through operations; nothing here edits the timeline by itself.

import { api } from "./api.js";

const HEAD_PX = 150;
const EDGE_PX = 6; // a clip's edge handle
const DRAG_PX = 4; // movement before a press becomes a drag
const MIN_PX_PER_FRAME = 0.005;
const MAX_PX_PER_FRAME = 40;
const MARKER_COLOURS = {
  RED: "#e5484d", PINK: "#e93d82", ORANGE: "#f76808", YELLOW: "#f5d90a", GREEN: "#46a758",
  CYAN: "#05a2c2", BLUE: "#3e63dd", PURPLE: "#8e4ec6", MAGENTA: "#d6409f", BLACK: "#111", WHITE: "#eee",
};

const element = (tag, className, text) => {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
};

/** The fields of a timeline item the selection keeps. */
export function pick(item) {
  const { track, record_in, record_out, kind, name } = item;
  return { track, record_in, record_out, kind, name };
}

export function createTimeline(root, board, preview) {
  let pxPerFrame = 2;
  const peaks = new Map(); // media -> Promise of its peaks

  // ---- skeleton ----------------------------------------------------------

  const toolbar = element("div", "toolbar");
  const zoomOut = element("button", "", "−");
  const zoomIn = element("button", "", "+");
  const fitButton = element("button", "", "fit");
  zoomOut.title = "zoom out (−)";
  zoomIn.title = "zoom in (+, Ctrl+wheel)";
  fitButton.title = "zoom to fit (\\)";
  for (const button of [zoomOut, zoomIn, fitButton]) button.type = "button";
  const info = element("output", "selection-info");
  info.setAttribute("aria-live", "polite");
  toolbar.append(zoomOut, zoomIn, fitButton, info);

  const scroller = element("div", "scroller");
  scroller.tabIndex = 0;
  scroller.setAttribute("aria-label", "tracks (scroll; Ctrl+wheel zooms)");
  const rows = element("div", "rows");
  scroller.append(rows);
  root.append(toolbar, scroller);

  const ruler = element("div", "row ruler");
  const rulerHead = element("div", "head", "");
  const rulerLane = element("div", "lane");
  const rulerCanvas = element("canvas", "ticks");
  rulerLane.append(rulerCanvas);
  ruler.append(rulerHead, rulerLane);
  const playhead = element("div", "playhead");
  playhead.setAttribute("aria-hidden", "true");
  const peekLine = element("div", "peek-line");
  peekLine.hidden = true;

  zoomOut.addEventListener("click", () => zoom(1 / 1.5));
  zoomIn.addEventListener("click", () => zoom(1.5));
  fitButton.addEventListener("click", () => fit());

  // ---- geometry ----------------------------------------------------------

  const x = (frame) => frame * pxPerFrame;
  const frameAt = (clientX) => {
    const left = rows.getBoundingClientRect().left + HEAD_PX;
    return Math.max(0, Math.floor((clientX - left) / pxPerFrame));
  };
  const visibleWidth = () => Math.max(100, scroller.clientWidth - HEAD_PX);

  function zoom(factor, aroundClientX) {
    const anchorX = aroundClientX ?? scroller.getBoundingClientRect().left + HEAD_PX + (x(board.playhead) - scroller.scrollLeft);
    const anchorFrame = (anchorX - scroller.getBoundingClientRect().left - HEAD_PX + scroller.scrollLeft) / pxPerFrame;
    pxPerFrame = Math.min(MAX_PX_PER_FRAME, Math.max(MIN_PX_PER_FRAME, pxPerFrame * factor));
    render();
    scroller.scrollLeft = Math.max(0, anchorFrame * pxPerFrame - (anchorX - scroller.getBoundingClientRect().left - HEAD_PX));
    drawRuler();
  }

  function fit() {
    const frames = Math.max(1, board.duration);
    pxPerFrame = Math.min(MAX_PX_PER_FRAME, Math.max(MIN_PX_PER_FRAME, (visibleWidth() - 24) / frames));
    render();
    scroller.scrollLeft = 0;
  }

  scroller.addEventListener(
    "wheel",
    (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.25 : 0.8, event.clientX);
    },
    { passive: false },
  );
  scroller.addEventListener("scroll", () => drawRuler());
  new ResizeObserver(() => drawRuler()).observe(scroller);

  // ---- rendering ---------------------------------------------------------

  /** Tracks top to bottom: picture tracks highest first, then sound tracks in order. */
  function orderedTracks(timeline) {
    const tracks = (timeline.tracks ?? []).map(([name, kind]) => ({ name, kind }));
    const picture = tracks.filter((track) => track.kind === "Video").reverse();
    return [...picture, ...tracks.filter((track) => track.kind !== "Video")];
  }

  function render() {
    const state = board.state;
    if (!state) return;
    const timeline = state.timeline;
    const width = x(board.duration) + 200;
    rows.replaceChildren(ruler);
    rows.style.width = `${HEAD_PX + width}px`;
    rulerLane.style.width = `${width}px`;
    renderMarks();
    const locked = new Set(timeline.locked_tracks ?? []);
    for (const track of orderedTracks(timeline)) {
      const row = element("div", `row track ${track.kind === "Video" ? "picture" : "sound"}`);
      row.dataset.track = track.name;
      const head = element("button", "head");
      head.type = "button";
      head.append(element("span", "name", track.name), element("span", "kind", locked.has(track.name) ? "locked" : track.kind === "Video" ? "picture" : "sound"));
      head.setAttribute("aria-label", `select track ${track.name}`);
      head.addEventListener("click", () => board.selectTrack(track.name));
      const lane = element("div", "lane");
      lane.style.width = `${width}px`;
      lane.dataset.track = track.name;
      row.classList.toggle("locked", locked.has(track.name));
      row.append(head, lane);
      rows.append(row);
      const items = (timeline.items ?? []).filter((item) => item.track === track.name);
      for (const item of items) {
        if (item.kind === "clip") lane.append(clipElement(item, track));
      }
      for (const item of items) {
        if (item.kind === "transition") lane.append(transitionElement(item));
      }
    }
    rows.append(playhead, peekLine);
    markSelection();
    placePlayhead();
    drawRuler();
  }

  function clipElement(item, track) {
    const clip = element("div", "clip");
    clip.dataset.track = item.track;
    clip.dataset.recordIn = String(item.record_in);
    clip.dataset.recordOut = String(item.record_out);
    clip.dataset.kind = track.kind === "Video" ? "picture" : "sound";
    clip.tabIndex = 0;
    clip.setAttribute("role", "button");
    const tc = (frame) => board.clock.tc(frame);
    clip.setAttribute("aria-label", `${item.name || "clip"} on ${item.track}, ${item.record_in_tc || tc(item.record_in)} to ${item.record_out_tc || tc(item.record_out)}`);
    clip.title = [
      item.name,
      `${item.record_in_tc || tc(item.record_in)} – ${item.record_out_tc || tc(item.record_out)} (${item.record_out - item.record_in} frames)`,
      item.source && `source ${item.source} ${item.source_in_tc ?? ""}`,
      item.speed_percent !== null && item.speed_percent !== undefined && item.speed_percent !== 100 && `speed ${item.speed_percent}% ${item.speed_mode ?? ""}`,
      item.link !== null && item.link !== undefined && `linked: ${item.link}`,
      item.effects && `effects: ${item.effects}`,
    ].filter(Boolean).join("\n");
    const left = x(item.record_in);
    const width = Math.max(1, x(item.record_out - item.record_in));
    clip.style.left = `${left}px`;
    clip.style.width = `${width}px`;
    if (item.source && width > 8) {
      if (track.kind === "Video") clip.append(thumbnails(item, width));
      else clip.append(waveform(item, width));
    }
    const label = element("span", "label", item.name || "");
    if (item.speed_percent !== null && item.speed_percent !== undefined && item.speed_percent !== 100) {
      label.append(element("span", "speed", ` ${item.speed_percent}%`));
    }
    if (item.link !== null && item.link !== undefined) label.append(element("span", "link", " ⛓"));
    clip.append(label);
    clip.addEventListener("pointerdown", (event) => pressClip(event, clip, item));
    clip.addEventListener("keydown", (event) => {
      if (event.key === "Enter") board.select(pick(item));
    });
    return clip;
  }

  function transitionElement(item) {
    const mark = element("div", "transition");
    mark.dataset.recordIn = String(item.record_in);
    mark.dataset.recordOut = String(item.record_out);
    mark.style.left = `${x(item.record_in)}px`;
    mark.style.width = `${Math.max(2, x(item.record_out - item.record_in))}px`;
    mark.title = `${item.name || "transition"} ${item.effects ? `(${item.effects})` : ""}, ${item.record_out - item.record_in} frames`;
    return mark;
  }

  /** Where a clip's first frame is in its media (frames from the media's start). */
  function sourceStart(item) {
    return item.source_in ?? item.source_in_frame ?? 0;
  }

  const speedOf = (item) => (item.speed_percent ?? 100) / 100;

  function thumbnails(item, width) {
    const strip = element("div", "thumbs");
    const height = 40;
    const thumbWidth = Math.round((height * 16) / 9);
    const count = Math.min(60, Math.max(1, Math.ceil(width / thumbWidth)));
    const frames = item.record_out - item.record_in;
    for (let index = 0; index < count; index += 1) {
      const offset = Math.min(frames - 1, Math.floor((index * thumbWidth) / pxPerFrame));
      if (index > 0 && offset <= 0) break;
      const image = element("img");
      image.alt = "";
      image.loading = "lazy";
      image.decoding = "async";
      image.draggable = false;
      image.width = thumbWidth;
      image.height = height;
      image.src = api.thumbnailUrl(item.source, Math.max(0, Math.round(sourceStart(item) + offset * speedOf(item))), thumbWidth * 2);
      image.addEventListener("error", () => image.classList.add("missing"), { once: true });
      strip.append(image);
    }
    strip.addEventListener("pointermove", (event) => {
      if (event.buttons) return;
      const frame = Math.min(item.record_out - 1, frameAt(event.clientX));
      peekLine.hidden = false;
      peekLine.style.left = `${HEAD_PX + x(frame)}px`;
      preview.peek(frame);
    });
    strip.addEventListener("pointerleave", () => {
      peekLine.hidden = true;
      preview.peek(null);
    });
    return strip;
  }

  function waveform(item, width) {
    const canvas = element("canvas", "wave");
    const pixels = Math.min(Math.ceil(width), 4096);
    canvas.width = pixels;
    canvas.height = 32;
    if (!peaks.has(item.source)) peaks.set(item.source, api.peaks(item.source).catch(() => null));
    peaks.get(item.source).then((data) => data && drawWave(canvas, data, item, width));
    return canvas;
  }

  function drawWave(canvas, data, item, width) {
    const context = canvas.getContext("2d");
    const channels = data.channels ?? [];
    if (!channels.length) return;
    const columns = canvas.width;
    const middle = canvas.height / 2;
    const perPeak = data.samples_per_peak || 1;
    const framesPerColumn = width / columns / pxPerFrame;
    const peakIndex = (frameOffset) =>
      Math.floor((((sourceStart(item) + frameOffset * speedOf(item)) / board.clock.fps) * data.sample_rate) / perPeak);
    context.fillStyle = getComputedStyle(canvas).color || "#8fd";
    for (let column = 0; column < columns; column += 1) {
      const first = peakIndex(column * framesPerColumn);
      const last = Math.max(first + 1, peakIndex((column + 1) * framesPerColumn));
      let low = 0;
      let high = 0;
      for (const channel of channels) {
        const end = Math.min(last, channel.length / 2);
        for (let index = Math.max(0, first); index < end; index += 1) {
          low = Math.min(low, channel[2 * index]);
          high = Math.max(high, channel[2 * index + 1]);
        }
      }
      const top = middle - high * middle;
      context.fillRect(column, top, 1, Math.max(1, (high - low) * middle));
    }
  }

  function renderMarks() {
    for (const old of rulerLane.querySelectorAll(".marker, .range")) old.remove();
    for (const marker of board.state.timeline.markers ?? []) {
      const flag = element("div", "marker");
      flag.style.left = `${x(marker.frame)}px`;
      flag.style.setProperty("--marker", MARKER_COLOURS[String(marker.colour).toUpperCase()] ?? "#e5484d");
      flag.title = `${marker.timecode ?? board.clock.tc(marker.frame)} ${marker.name}${marker.note ? `\n${marker.note}` : ""}`;
      flag.dataset.frame = String(marker.frame);
      flag.setAttribute("aria-label", `marker ${marker.name} at ${marker.timecode ?? board.clock.tc(marker.frame)}`);
      rulerLane.append(flag);
    }
    const { in: from, out: to } = board.range;
    if (from !== null || to !== null) {
      const range = element("div", "range");
      const start = from ?? 0;
      const end = to ?? board.duration;
      range.style.left = `${x(start)}px`;
      range.style.width = `${Math.max(1, x(end - start))}px`;
      range.title = `in ${board.clock.tc(start)} out ${board.clock.tc(end)}`;
      rulerLane.append(range);
    }
  }

  function drawRuler() {
    if (!board.state) return;
    const width = visibleWidth();
    const ratio = window.devicePixelRatio || 1;
    rulerCanvas.width = Math.round(width * ratio);
    rulerCanvas.height = Math.round(24 * ratio);
    rulerCanvas.style.width = `${width}px`;
    rulerCanvas.style.left = `${scroller.scrollLeft}px`;
    const context = rulerCanvas.getContext("2d");
    context.scale(ratio, ratio);
    const style = getComputedStyle(rulerCanvas);
    context.strokeStyle = style.borderColor || "#666";
    context.fillStyle = style.color || "#ccc";
    context.font = "10px ui-monospace, monospace";
    const fps = Math.round(board.clock.fps);
    // A labelled tick at least 90 px apart, at a whole number of frames, seconds or minutes.
    const steps = [1, 2, 5, 10, fps, 2 * fps, 5 * fps, 10 * fps, 30 * fps, 60 * fps, 300 * fps, 600 * fps, 1800 * fps, 3600 * fps];
    const step = steps.find((frames) => frames * pxPerFrame >= 90) ?? steps[steps.length - 1];
    const minor = step >= fps ? Math.max(1, step / 5) : 1;
    const first = Math.floor(scroller.scrollLeft / pxPerFrame / minor) * minor;
    const last = (scroller.scrollLeft + width) / pxPerFrame;
    context.beginPath();
    for (let frame = first; frame <= last; frame += minor) {
      const at = Math.round(x(frame) - scroller.scrollLeft) + 0.5;
      const major = frame % step === 0;
      context.moveTo(at, major ? 8 : 17);
      context.lineTo(at, 24);
      if (major) context.fillText(board.clock.tc(frame), at + 3, 10);
    }
    context.stroke();
  }

  // ---- playhead and selection -------------------------------------------

  function placePlayhead() {
    playhead.style.left = `${HEAD_PX + x(board.playhead)}px`;
  }

  function follow() {
    const at = x(board.playhead);
    const left = scroller.scrollLeft;
    if (at < left || at > left + visibleWidth() - 20) scroller.scrollLeft = Math.max(0, at - visibleWidth() * 0.1);
  }

  function markSelection() {
    const selected = board.selection;
    for (const clip of rows.querySelectorAll(".clip")) {
      const on = Boolean(selected) && clip.dataset.track === selected.track && Number(clip.dataset.recordIn) === selected.record_in;
      clip.classList.toggle("selected", on);
      clip.setAttribute("aria-pressed", String(on));
    }
    for (const row of rows.querySelectorAll(".row.track")) {
      row.classList.toggle("selected", row.dataset.track === board.track);
    }
    if (selected) {
      info.textContent = `${selected.name || "clip"} on ${selected.track}: ${board.clock.tc(selected.record_in)} – ${board.clock.tc(selected.record_out)} (${selected.record_out - selected.record_in} frames)`;
    } else {
      info.textContent = board.track ? `track ${board.track}` : "";
    }
  }

  // ---- pointer: scrub, select, drag -------------------------------------

  rulerLane.addEventListener("pointerdown", (event) => {
    rulerLane.setPointerCapture(event.pointerId);
    board.setPlayhead(frameAt(event.clientX));
    const move = (moved) => board.setPlayhead(frameAt(moved.clientX));
    const up = () => {
      rulerLane.removeEventListener("pointermove", move);
      rulerLane.removeEventListener("pointerup", up);
    };
    rulerLane.addEventListener("pointermove", move);
    rulerLane.addEventListener("pointerup", up);
  });

  rows.addEventListener("pointerdown", (event) => {
    const lane = event.target.closest?.(".track .lane");
    if (!lane || event.target.closest(".clip")) return;
    board.select(null);
    board.selectTrack(lane.dataset.track);
    board.setPlayhead(frameAt(event.clientX));
  });

  /** Press on a clip: a click selects; a drag moves (body), trims (edge), rolls (Ctrl+edge) or slips (Alt+body). */
  function pressClip(event, clip, item) {
    if (event.button !== 0) return;
    event.preventDefault();
    clip.focus({ preventScroll: true });
    board.select(pick(item));
    const box = clip.getBoundingClientRect();
    const edge = event.clientX - box.left < EDGE_PX ? "in" : box.right - event.clientX < EDGE_PX ? "out" : null;
    const mode = edge ? (event.ctrlKey || event.metaKey ? "roll" : "trim") : event.altKey ? "slip" : "move";
    const startX = event.clientX;
    let dragging = false;
    let by = 0;
    let toTrack = item.track;
    const ghost = element("div", `ghost ${mode}`);
    clip.setPointerCapture(event.pointerId);

    const move = (moved) => {
      if (!dragging && Math.abs(moved.clientX - startX) < DRAG_PX) return;
      if (!dragging) {
        dragging = true;
        clip.parentElement.append(ghost);
      }
      by = Math.round((moved.clientX - startX) / pxPerFrame);
      if (mode === "move") {
        by = snap(item.record_in + by, item) - item.record_in;
        const under = document.elementFromPoint(moved.clientX, moved.clientY)?.closest?.(".row.track");
        const kind = clip.dataset.kind;
        if (under && under.classList.contains(kind)) {
          toTrack = under.dataset.track;
          under.querySelector(".lane").append(ghost);
        }
      }
      const start = mode === "trim" && edge === "out" ? item.record_in : item.record_in + (mode === "slip" ? 0 : by);
      let length = item.record_out - item.record_in;
      if (mode === "trim") length += edge === "in" ? -by : by;
      if (mode === "roll") length = edge === "in" ? length - by : length + by;
      ghost.style.left = `${x(mode === "roll" && edge === "out" ? item.record_in : start)}px`;
      ghost.style.width = `${Math.max(1, x(length))}px`;
      ghost.textContent = `${by > 0 ? "+" : ""}${by}`;
      board.status(`${mode} ${by > 0 ? "+" : ""}${by} frames${toTrack !== item.track ? ` to ${toTrack}` : ""}`);
    };
    const up = () => {
      clip.removeEventListener("pointermove", move);
      clip.removeEventListener("pointerup", up);
      clip.removeEventListener("pointercancel", up);
      ghost.remove();
      if (!dragging || (by === 0 && toTrack === item.track)) return;
      const track = item.track;
      if (mode === "move") {
        const operation = { op: "move", track, at: item.record_in, to: item.record_in + by };
        if (toTrack !== track) operation.to_track = toTrack;
        board.apply([operation]);
      } else if (mode === "trim") {
        board.apply([{ op: "trim", track, at: item.record_in, edge, by }]);
      } else if (mode === "roll") {
        board.apply([{ op: "roll", track, at: edge === "in" ? item.record_in : item.record_out, by }]);
      } else {
        board.apply([{ op: "slip", track, at: item.record_in, by: -by }]);
      }
    };
    clip.addEventListener("pointermove", move);
    clip.addEventListener("pointerup", up);
    clip.addEventListener("pointercancel", up);
  }

  /** Snap a frame to the playhead or a cut within 8 px. */
  function snap(frame, except) {
    const candidates = [board.playhead];
    for (const item of board.state.timeline.items ?? []) {
      if (item === except || item.kind === "transition") continue;
      candidates.push(item.record_in, item.record_out);
    }
    let best = frame;
    for (const candidate of candidates) {
      if (Math.abs(x(candidate - frame)) < 8 && Math.abs(candidate - frame) < Math.abs(best - frame || Infinity)) best = candidate;
    }
    return best;
  }

  // ---- the board's events ------------------------------------------------

  board.addEventListener("state", (event) => {
    const old = event.detail.old;
    if (old && old.project.duration_frames === 0 && board.duration) fit();
    else render();
  });
  board.addEventListener("playhead", (event) => {
    placePlayhead();
    if (event.detail.source === "video" || event.detail.source === "user") follow();
  });
  board.addEventListener("selection", markSelection);
  board.addEventListener("range", renderMarks);
  board.addEventListener("view", (event) => {
    if (event.detail === "timeline") requestAnimationFrame(drawRuler);
  });

  return { zoom, fit, render };
}
