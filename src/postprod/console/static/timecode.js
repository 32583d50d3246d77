// Frames <-> timecode for display. Time in the API is integer frames from the
// programme's start; the rate is a fraction ("25", "30000/1001").

/** The rate as {num, den} from "25" or "30000/1001". */
export function parseRate(text) {
  const [num, den = "1"] = String(text || "25").split("/");
  return { num: Number(num), den: Number(den) };
}

/** Frames per second as a float (for display and media clocks only). */
export function fps(rate) {
  return rate.num / rate.den;
}

/** The whole-number frame count of a timecode second (30 at 29.97). */
export function timecodeBase(rate) {
  return Math.round(fps(rate));
}

/** "HH:MM:SS:FF" to a frame count (non-drop). */
export function timecodeToFrames(text, rate) {
  const parts = String(text || "00:00:00:00").split(/[:;.]/).map(Number);
  while (parts.length < 4) parts.unshift(0);
  const [h, m, s, f] = parts;
  const base = timecodeBase(rate);
  return ((h * 60 + m) * 60 + s) * base + f;
}

/** A frame count to "HH:MM:SS:FF" (non-drop; negative values get a minus). */
export function framesToTimecode(frames, rate) {
  const base = timecodeBase(rate);
  const sign = frames < 0 ? "-" : "";
  let rest = Math.abs(Math.round(frames));
  const f = rest % base;
  rest = Math.floor(rest / base);
  const s = rest % 60;
  rest = Math.floor(rest / 60);
  const m = rest % 60;
  const h = Math.floor(rest / 60) % 24;
  return sign + [h, m, s, f].map((n) => String(n).padStart(2, "0")).join(":");
}

/** A clock for one project: programme frames to its record timecode. */
export function makeClock(project) {
  const rate = parseRate(project?.rate);
  const start = timecodeToFrames(project?.start_timecode, rate);
  return {
    rate,
    fps: fps(rate),
    start,
    /** Programme frame -> record timecode. */
    tc: (frame) => framesToTimecode(start + frame, rate),
    /** Programme frame -> seconds (float, for media elements). */
    seconds: (frame) => (frame * rate.den) / rate.num,
    /** Seconds -> nearest programme frame. */
    frame: (seconds) => Math.round((seconds * rate.num) / rate.den),
  };
}
