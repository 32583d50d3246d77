// The preview: plays the programme as the server's segments, one after the
// other, in two <video> elements (one on screen, the next loading behind it).
// The playhead follows the video; the server hears "play" and "stop" so the
// meters follow the picture. "Multiview" plays the multiview's segments instead
// (every source side by side at the programme's time, V1's outlined, with the
// programme's sound): the same ranges, so it takes over at the playhead.

import { api } from "./api.js";

const SHUTTLE_SPEEDS = [1, 2, 4, 8];

export function createPreview(root, board) {
  const screen = root.querySelector(".screen");
  let [active, standby] = screen.querySelectorAll("video");
  let segments = null; // [{url, start_frame, frames}] for `segmentsFor`
  let segmentsFor = null; // the revision and kind they were made for
  let fetching = null;
  let fetchingFor = null;
  let multiview = false; // the sources side by side instead of the programme
  let speed = 0; // shuttle: 0 stopped, > 0 forwards, < 0 backwards
  let loop = false;
  let stopAt = 0; // the frame playing forwards stops (or loops) at
  let frameClock = 0; // rAF id
  let peeking = false;

  // ---- transport controls ------------------------------------------------

  const transport = root.querySelector(".transport");
  const button = (label, title, run) => {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.title = title;
    element.setAttribute("aria-label", title);
    element.addEventListener("click", run);
    transport.append(element);
    return element;
  };
  button("|◀", "programme start (Home)", () => board.setPlayhead(0));
  button("◀◀", "play backwards (J)", () => shuttle(-1));
  button("■", "stop (K)", () => stop());
  const playButton = button("▶", "play / stop (Space)", () => toggle());
  button("▶▶", "play forwards faster (L)", () => shuttle(1));
  const multiviewButton = button("Multiview", "every source side by side, V1's outlined", () => setMultiview(!multiview));
  multiviewButton.dataset.role = "multiview";
  multiviewButton.className = "toggle";
  multiviewButton.setAttribute("aria-pressed", "false");
  const loopLabel = document.createElement("label");
  const loopBox = document.createElement("input");
  loopBox.type = "checkbox";
  loopBox.dataset.role = "loop";
  loopBox.addEventListener("change", () => setLoop(loopBox.checked));
  loopLabel.append(loopBox, " loop in–out");
  const rangeText = document.createElement("output");
  rangeText.className = "range";
  rangeText.setAttribute("aria-label", "in and out marks");
  const speedText = document.createElement("output");
  speedText.className = "speed";
  const unmute = document.createElement("button");
  unmute.type = "button";
  unmute.textContent = "sound muted: click to unmute";
  unmute.hidden = true;
  unmute.addEventListener("click", () => {
    for (const video of [active, standby]) video.muted = false;
    unmute.hidden = true;
  });
  const scrub = document.createElement("input");
  scrub.type = "range";
  scrub.min = "0";
  scrub.step = "1";
  scrub.className = "scrub";
  scrub.dataset.role = "scrub";
  scrub.setAttribute("aria-label", "playhead");
  scrub.addEventListener("input", () => board.setPlayhead(Number(scrub.value)));
  transport.append(loopLabel, rangeText, speedText, scrub, unmute);

  function renderTransport() {
    const { in: from, out: to } = board.range;
    const tc = (frame) => (frame === null ? "--:--:--:--" : board.clock.tc(frame));
    rangeText.textContent = `in ${tc(from)} · out ${tc(to)}`;
    speedText.textContent = speed ? `${speed > 0 ? "▶" : "◀"} ×${Math.abs(speed)}` : "";
    playButton.textContent = speed > 0 ? "❚❚" : "▶";
    root.classList.toggle("playing", speed !== 0);
    const playing = speed > 0;
    if (board.playing !== playing) {
      board.playing = playing;
      board.emit("transport", { speed });
    }
  }

  // ---- segments ----------------------------------------------------------

  /** What the segments on screen must be made for: the revision, and programme or multiview. */
  const wantedKind = () => `${board.state?.project?.revision}:${multiview ? "multiview" : "preview"}`;

  /** The segments of the whole programme for the current revision (rendered on demand). */
  async function ensureSegments() {
    const wanted = wantedKind();
    if (segments && segmentsFor === wanted) return segments;
    if (!fetching || fetchingFor !== wanted) {
      fetchingFor = wanted;
      const ask = multiview ? api.multiview : api.preview;
      const asking = ask(0, board.duration)
        .then((answer) => {
          const list = [...(answer?.segments ?? [])].sort((a, b) => a.start_frame - b.start_frame);
          if (fetchingFor === wanted) {
            segments = list;
            segmentsFor = wanted;
          }
          return list;
        })
        .finally(() => {
          if (fetching === asking) fetching = null;
        });
      fetching = asking;
    }
    return fetching;
  }

  function segmentAt(list, frame) {
    if (!list?.length) return -1;
    let found = 0;
    list.forEach((segment, index) => {
      if (segment.start_frame <= frame) found = index;
    });
    return found;
  }

  /** Put a segment of `list` in a video element; resolves once its first frame can show. */
  function load(video, list, index) {
    const segment = list[index];
    if (video.dataset.url === segment.url) {
      video.dataset.segment = String(index);
      return video.readyState >= 1 ? Promise.resolve() : once(video, "loadedmetadata");
    }
    video.dataset.segment = String(index);
    video.dataset.url = segment.url;
    video.src = segment.url;
    video.load();
    return once(video, "loadedmetadata");
  }

  /** Where the segment's first frame sits on the video's clock (0, or its programme time). */
  function baseTime(video, segment) {
    const length = segment.frames / board.clock.fps;
    const half = 0.5 / board.clock.fps;
    if (video.buffered.length && video.buffered.start(0) > half) return video.buffered.start(0);
    if (Number.isFinite(video.duration) && video.duration - length > half) return video.duration - length;
    return 0;
  }

  function frameOf(video) {
    const segment = segments?.[Number(video.dataset.segment)];
    if (!segment) return board.playhead;
    const offset = Math.floor((video.currentTime - baseTime(video, segment)) * board.clock.fps + 1e-3);
    return segment.start_frame + Math.min(Math.max(offset, 0), segment.frames - 1);
  }

  /** Show one frame on screen (parked, scrubbing, or before playing from it). */
  async function show(frame) {
    const list = await ensureSegments();
    const index = segmentAt(list, frame);
    if (index < 0) return;
    await load(active, list, index);
    const segment = list[index];
    const time = baseTime(active, segment) + (frame - segment.start_frame + 0.5) / board.clock.fps;
    if (Math.abs(active.currentTime - time) > 0.25 / board.clock.fps) active.currentTime = time;
  }

  let showing = null;
  let wanted = null;
  /** Show a frame, dropping requests that arrive while a seek is still going. */
  function park(frame) {
    wanted = frame;
    if (showing) return;
    showing = (async () => {
      while (wanted !== null) {
        const next = wanted;
        wanted = null;
        try {
          await show(next);
          if (active.seeking) await once(active, "seeked");
        } catch (error) {
          board.status(`preview: ${error.message}`, "error");
        }
      }
      showing = null;
    })();
  }

  function preloadAfter(index) {
    const list = segments;
    if (list && index + 1 < list.length) load(standby, list, index + 1).catch(() => {});
  }

  // ---- playing -----------------------------------------------------------

  function rangeEnd() {
    const { in: from, out: to } = board.range;
    if (loop && from !== null && to !== null) return to;
    return board.duration;
  }

  async function playForwards(rate) {
    const wasStopped = speed <= 0;
    speed = rate;
    renderTransport();
    cancelAnimationFrame(frameClock);
    const { in: from } = board.range;
    stopAt = rangeEnd();
    let start = board.playhead;
    if (start >= stopAt - 1 || (loop && from !== null && start < from)) start = loop && from !== null ? from : 0;
    board.setPlayhead(start, "video");
    if (wasStopped) board.socket.send({ type: "play", from_frame: start, to_frame: stopAt });
    try {
      await show(start);
      if (speed !== rate) return; // stopped or changed while loading
      active.playbackRate = rate;
      await startVideo(active);
      preloadAfter(Number(active.dataset.segment));
      frameClock = requestAnimationFrame(followVideo);
    } catch (error) {
      board.status(`preview: ${error.message}`, "error");
      stop();
    }
  }

  /** play(), and if the browser refuses sound without a click, play muted and say so. */
  async function startVideo(video) {
    try {
      await video.play();
    } catch (error) {
      if (error.name !== "NotAllowedError") throw error;
      for (const each of [active, standby]) each.muted = true;
      unmute.hidden = false;
      await video.play();
    }
  }

  function followVideo() {
    if (speed <= 0) return;
    const frame = frameOf(active);
    if (frame >= stopAt - 1 && (active.ended || frame >= stopAt)) {
      return atEnd();
    }
    board.setPlayhead(frame, "video");
    frameClock = requestAnimationFrame(followVideo);
  }

  function atEnd() {
    const { in: from, out: to } = board.range;
    if (loop && from !== null && to !== null) {
      board.setPlayhead(from, "video");
      board.socket.send({ type: "play", from_frame: from, to_frame: to });
      playForwards(speed);
    } else {
      board.setPlayhead(stopAt - 1, "video");
      stop();
    }
  }

  /** The segment on screen ended: the one loaded behind it takes over. */
  async function nextSegment() {
    if (speed <= 0) return;
    const list = segments;
    if (!list) return playForwards(speed); // the programme changed: play on from here
    const index = Number(active.dataset.segment) + 1;
    if (index >= list.length) return atEnd();
    if (list[index].start_frame >= stopAt) return atEnd();
    [active, standby] = [standby, active];
    screen.prepend(active);
    active.classList.remove("standby");
    standby.classList.add("standby");
    try {
      await load(active, list, index);
      active.currentTime = baseTime(active, list[index]);
      active.playbackRate = speed;
      await startVideo(active);
      preloadAfter(index);
    } catch (error) {
      board.status(`preview: ${error.message}`, "error");
      stop();
    }
  }

  for (const video of [active, standby]) {
    video.addEventListener("ended", () => {
      if (video === active) nextSegment();
    });
    video.addEventListener("error", () => {
      if (video === active && video.error) board.status(`preview: the segment did not play (${video.error.message || video.error.code})`, "error");
    });
  }

  let lastTick = 0;
  function playBackwards(rate) {
    if (speed > 0) active.pause();
    if (speed >= 0) board.socket.send({ type: "stop" });
    speed = rate;
    renderTransport();
    cancelAnimationFrame(frameClock);
    let position = board.playhead;
    lastTick = performance.now();
    const step = (now) => {
      if (speed >= 0) return;
      position += (speed * board.clock.fps * (now - lastTick)) / 1000;
      lastTick = now;
      if (position <= 0) {
        board.setPlayhead(0, "video");
        return stop();
      }
      board.setPlayhead(Math.floor(position), "video");
      park(Math.floor(position));
      frameClock = requestAnimationFrame(step);
    };
    frameClock = requestAnimationFrame(step);
  }

  function stop() {
    const was = speed;
    speed = 0;
    cancelAnimationFrame(frameClock);
    for (const video of [active, standby]) video.pause();
    if (was > 0) board.socket.send({ type: "stop" });
    renderTransport();
  }

  /** J and L: start, or play faster in that direction; the other way slows down first. */
  function shuttle(direction) {
    if (!board.duration) return;
    const now = Math.sign(speed) === direction ? Math.abs(speed) : 0;
    const next = SHUTTLE_SPEEDS[Math.min(SHUTTLE_SPEEDS.indexOf(now) + 1, SHUTTLE_SPEEDS.length - 1)];
    if (direction > 0) playForwards(next);
    else playBackwards(-next);
  }

  function toggle() {
    if (speed !== 0) stop();
    else if (board.duration) playForwards(1);
  }

  /** Show the multiview (or the programme again), from the playhead, playing on if playing. */
  function setMultiview(on) {
    multiview = on;
    multiviewButton.setAttribute("aria-pressed", String(on));
    root.classList.toggle("multiview", on);
    active.setAttribute("aria-label", on ? "multiview of the sources" : "programme preview");
    segments = null;
    if (speed > 0) playForwards(speed);
    else if (speed === 0) park(board.playhead);
  }

  function setLoop(on) {
    loop = on;
    loopBox.checked = on;
    if (on && (board.range.in === null || board.range.out === null)) {
      board.status("loop: mark an in (I) and an out (O) to loop between them");
    }
    if (speed > 0) {
      stopAt = rangeEnd();
      board.socket.send({ type: "play", from_frame: board.playhead, to_frame: stopAt });
    }
  }

  // ---- the board's events ------------------------------------------------

  board.addEventListener("playhead", (event) => {
    const { frame, source } = event.detail;
    scrub.value = String(frame);
    if (source === "video") return;
    if (speed > 0) playForwards(speed); // jumped while playing: play on from there
    else if (speed === 0) park(frame);
  });
  board.addEventListener("range", () => {
    renderTransport();
    if (speed > 0) stopAt = rangeEnd();
  });
  board.addEventListener("state", () => {
    scrub.max = String(Math.max(0, board.duration - 1));
    scrub.value = String(board.playhead);
    if (segmentsFor === wantedKind()) return;
    segments = null;
    if (speed > 0) playForwards(speed);
    else if (speed === 0) park(board.playhead);
  });
  renderTransport();

  return {
    toggle,
    stop,
    shuttle,
    toggleLoop: () => setLoop(!loop),
    toggleMultiview: () => setMultiview(!multiview),
    get playing() {
      return speed !== 0;
    },
    /** Show another frame without moving the playhead (hovering thumbnails); null: back to the playhead. */
    peek(frame) {
      if (speed !== 0) return;
      peeking = frame !== null;
      park(peeking ? frame : board.playhead);
    },
  };
}

function once(target, name) {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.removeEventListener(name, done);
      target.removeEventListener("error", failed);
      resolve();
    };
    const failed = () => {
      target.removeEventListener(name, done);
      target.removeEventListener("error", failed);
      reject(new Error(target.error?.message || "the media did not load"));
    };
    target.addEventListener(name, done);
    target.addEventListener("error", failed);
  });
}
