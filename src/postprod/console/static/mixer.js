// The mixer: a strip per audio track, per bus, and the master. Faders move at
// once on screen and apply one operation on release; meters follow the
// server's "meters" messages while the preview plays.

const FADER_STEPS = 1000;
const FLOOR_DB = -120; // the operations' lowest gain: the fader's bottom, shown as -∞
/** The fader law: (position 0..1, dB) points, linear between them; unity at 0.75. */
const LAW = [
  [0, FLOOR_DB], [0.04, -60], [0.15, -40], [0.27, -30], [0.41, -20], [0.58, -10],
  [0.665, -5], [0.75, 0], [0.875, 6], [1, 12],
];
const SCALE_MARKS = [12, 6, 0, -5, -10, -20, -30, -40, -60];
const METER_FLOOR_DB = -60;
const HOLD_MS = 1500;
const LOUDNESS_RANGE = [-50, -5]; // LUFS shown by the master's loudness bar

/** Fader position (0..1) to dB, and back. */
export function positionToDb(position) {
  for (let index = 1; index < LAW.length; index += 1) {
    const [p1, d1] = LAW[index];
    const [p0, d0] = LAW[index - 1];
    if (position <= p1) return d0 + ((position - p0) / (p1 - p0)) * (d1 - d0);
  }
  return LAW[LAW.length - 1][1];
}

export function dbToPosition(db) {
  if (db <= FLOOR_DB) return 0;
  for (let index = 1; index < LAW.length; index += 1) {
    const [p1, d1] = LAW[index];
    const [p0, d0] = LAW[index - 1];
    if (db <= d1) return p0 + ((db - d0) / (d1 - d0)) * (p1 - p0);
  }
  return 1;
}

const formatDb = (db) => (db <= FLOOR_DB + 0.05 ? "-∞" : `${db > 0 ? "+" : ""}${db.toFixed(1)}`);
const formatPan = (pan) => (Math.abs(pan) < 0.005 ? "C" : `${pan < 0 ? "L" : "R"}${Math.round(Math.abs(pan) * 100)}`);
/** Round a fader's dB to what it shows: 0.1 dB, exact 0 near unity. */
const roundDb = (db) => (db <= FLOOR_DB + 0.05 ? FLOOR_DB : Math.round(db * 10) / 10);
const meterPercent = (db) => (Number.isFinite(db) ? Math.min(100, Math.max(0, ((db - METER_FLOOR_DB) / -METER_FLOOR_DB) * 100)) : 0);

const element = (tag, className, text) => {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
};

export function createMixer(root, board) {
  const meters = new Map(); // strip name -> {cover, hold, held_db, held_at, value}
  let dragging = 0;
  let pending = false;
  let lastMeters = 0;
  let touchMode = false;
  let loudness = null; // the master's loudness panel parts

  const toolbar = element("div", "toolbar");
  const touchLabel = element("label");
  const touchBox = element("input");
  touchBox.type = "checkbox";
  touchBox.dataset.role = "touch";
  touchBox.addEventListener("change", () => {
    touchMode = touchBox.checked;
    board.status(touchMode ? "touch mode: fader moves while playing are written as automation (armed strips, or all if none is armed)" : "touch mode off");
  });
  touchLabel.append(touchBox, " touch automation");
  toolbar.append(touchLabel);
  const strips = element("div", "strips");
  root.append(toolbar, strips);

  // ---- operations --------------------------------------------------------

  /** The operation that sets one of a strip's values. */
  function setting(strip, values) {
    if (strip.type === "bus") return { op: "set-bus", bus: strip.name, ...values };
    return { op: "set-strip", track: strip.type === "master" ? "master" : strip.name, ...values };
  }

  /** Apply; if refused, show the strips as they are again (the optimistic value goes). */
  async function change(operations) {
    const state = await board.apply(operations);
    if (!state) render();
    return state;
  }

  // ---- rendering ---------------------------------------------------------

  function render() {
    if (dragging) {
      pending = true;
      return;
    }
    pending = false;
    const mixer = board.state?.mixer;
    if (!mixer) return;
    const focused = document.activeElement?.closest?.("#mixer [data-key]")?.dataset.key;
    const buses = (mixer.buses ?? []).map((bus) => bus.name);
    strips.replaceChildren(
      ...(mixer.tracks ?? []).map((strip) => stripElement({ ...strip, type: "track" }, buses)),
      ...(mixer.buses ?? []).map((strip) => stripElement({ ...strip, type: "bus" }, buses)),
      stripElement({ ...(mixer.master ?? {}), name: "master", type: "master" }, buses),
    );
    for (const name of [...meters.keys()]) {
      if (!strips.querySelector(`.strip[data-strip="${CSS.escape(name)}"]`)) meters.delete(name);
    }
    if (focused) strips.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  function stripElement(strip, buses) {
    const box = element("section", `strip ${strip.type}`);
    box.dataset.strip = strip.name;
    box.dataset.type = strip.type;
    box.setAttribute("aria-label", `${strip.type} ${strip.name}`);
    const key = (role) => `${strip.name}\u0000${role}`;
    const title = element("h3", "strip-name", strip.name);
    title.title = [strip.name, strip.layout && `layout ${strip.layout}`, strip.polarity && "polarity inverted", strip.duck_key && `ducks under ${strip.duck_key} by ${strip.duck_depth_db} dB`].filter(Boolean).join("\n");
    box.append(title);

    box.append(insertsElement(strip, key));
    // The middle block: sends, pan and buttons (a track), the loudness (the master), nothing (a bus);
    // a fixed height, so every fader lines up.
    const controls = element("div", "controls");
    box.append(controls);
    if (strip.type === "master") controls.append(loudnessElement());
    if (strip.type === "track") {
      controls.append(sendsElement(strip, key));
      const panLabel = element("label", "pan");
      const pan = element("input");
      pan.type = "range";
      pan.min = "-100";
      pan.max = "100";
      pan.step = "1";
      pan.value = String(Math.round((strip.pan ?? 0) * 100));
      pan.dataset.role = "pan";
      pan.dataset.key = key("pan");
      pan.setAttribute("aria-label", `${strip.name} pan`);
      const panText = element("output", "", formatPan(strip.pan ?? 0));
      pan.addEventListener("input", () => {
        panText.textContent = formatPan(Number(pan.value) / 100);
      });
      pan.addEventListener("change", () => change([setting(strip, { pan: Number(pan.value) / 100 })]));
      pan.addEventListener("dblclick", () => {
        pan.value = "0";
        change([setting(strip, { pan: 0 })]);
      });
      panLabel.append(element("span", "caption", "pan"), pan, panText);
      controls.append(panLabel);

      const buttons = element("div", "buttons");
      const toggle = (role, letter, on, run) => {
        const button = element("button", role, letter);
        button.type = "button";
        button.dataset.role = role;
        button.dataset.key = key(role);
        button.setAttribute("aria-pressed", String(Boolean(on)));
        button.setAttribute("aria-label", `${strip.name} ${role}`);
        button.title = role === "arm" ? "arm to record (and for touch automation)" : role;
        button.addEventListener("click", run);
        buttons.append(button);
      };
      toggle("mute", "M", strip.mute, () => change([setting(strip, { mute: !strip.mute })]));
      toggle("solo", "S", strip.solo, () => change([setting(strip, { solo: !strip.solo })]));
      if (strip.type === "track") {
        toggle("arm", "R", strip.armed, () => change([{ op: "arm-track", track: strip.name, armed: !strip.armed }]));
      }
      controls.append(buttons);
    }

    box.append(faderElement(strip, key));

    const outputLabel = element("label", "output");
    if (strip.type !== "master") {
      const output = element("select");
      output.dataset.role = "output";
      output.dataset.key = key("output");
      output.setAttribute("aria-label", `${strip.name} output`);
      for (const name of ["master", ...buses.filter((bus) => bus !== strip.name)]) {
        const option = element("option", "", name);
        option.value = name;
        option.selected = name === (strip.output ?? "master");
        output.append(option);
      }
      output.addEventListener("change", () => change([setting(strip, { output: output.value })]));
      outputLabel.append(element("span", "caption", "out"), output);
    }
    box.append(outputLabel);

    const automation = Object.entries(strip.automation ?? {});
    if (automation.length) {
      const list = element("p", "automation");
      list.textContent = `auto: ${automation.map(([param, points]) => `${param}${Array.isArray(points) ? ` (${points.length})` : ""}`).join(", ")}`;
      box.append(list);
    }
    return box;
  }

  function faderElement(strip, key) {
    const area = element("div", "fader-area");
    const scale = element("div", "scale");
    scale.setAttribute("aria-hidden", "true");
    for (const db of SCALE_MARKS) {
      const mark = element("span", db === 0 ? "unity" : "", db > 0 ? `+${db}` : String(db));
      mark.style.bottom = `${dbToPosition(db) * 100}%`;
      scale.append(mark);
    }
    const fader = element("input", "fader");
    fader.type = "range";
    fader.min = "0";
    fader.max = String(FADER_STEPS);
    fader.step = "1";
    fader.dataset.role = "fader";
    fader.setAttribute("orient", "vertical"); // older Firefox; the CSS writing-mode elsewhere
    fader.dataset.key = key("fader");
    fader.setAttribute("aria-label", `${strip.name} fader`);
    const gain = strip.gain_db ?? 0;
    fader.value = String(Math.round(dbToPosition(gain) * FADER_STEPS));
    fader.dataset.db = String(gain);
    fader.setAttribute("aria-valuetext", `${formatDb(gain)} dB`);

    const meter = element("div", "meter");
    meter.setAttribute("role", "meter");
    meter.setAttribute("aria-label", `${strip.name} level`);
    meter.setAttribute("aria-valuemin", String(METER_FLOOR_DB));
    meter.setAttribute("aria-valuemax", "0");
    const cover = element("div", "cover");
    const hold = element("div", "hold");
    meter.append(cover, hold);
    const old = meters.get(strip.name);
    meters.set(strip.name, { meter, cover, hold, held_db: old?.held_db ?? -Infinity, held_at: old?.held_at ?? 0 });
    showMeter(strip.name, old?.value ?? -Infinity);

    const readout = element("input", "gain");
    readout.type = "number";
    readout.step = "0.1";
    readout.min = String(FLOOR_DB);
    readout.max = "24";
    readout.value = String(roundDb(gain));
    readout.dataset.role = "gain-db";
    readout.dataset.key = key("gain-db");
    readout.setAttribute("aria-label", `${strip.name} gain in dB`);
    readout.title = "gain in dB (type a value, Enter)";

    const dbNow = () => roundDb(positionToDb(Number(fader.value) / FADER_STEPS));
    let lastTouch = 0;
    fader.addEventListener("pointerdown", () => {
      dragging += 1;
    });
    const release = () => {
      if (dragging) dragging -= 1;
    };
    fader.addEventListener("input", () => {
      const db = dbNow();
      fader.dataset.db = String(db);
      fader.setAttribute("aria-valuetext", `${formatDb(db)} dB`);
      readout.value = String(db);
      if (touching(strip) && performance.now() - lastTouch > 40) {
        lastTouch = performance.now();
        board.socket.send({ type: "touch", track: strip.name, gain_db: db, frame: board.playhead });
      }
    });
    fader.addEventListener("change", async () => {
      release();
      const db = dbNow();
      if (touching(strip)) {
        board.socket.send({ type: "touch", track: strip.name, gain_db: db, frame: board.playhead });
        board.status(`${strip.name}: touch written as automation`);
      } else {
        await change([setting(strip, { gain_db: db })]);
      }
      if (pending) render();
    });
    fader.addEventListener("pointerup", () => {
      // a click that did not move the fader fires no "change"
      setTimeout(() => {
        if (dragging) release();
        if (!dragging && pending) render();
      }, 0);
    });
    fader.addEventListener("dblclick", () => {
      fader.value = String(Math.round(dbToPosition(0) * FADER_STEPS));
      readout.value = "0";
      change([setting(strip, { gain_db: 0 })]);
    });
    readout.addEventListener("change", () => {
      const db = Number(readout.value);
      if (!Number.isFinite(db)) return;
      change([setting(strip, { gain_db: db })]);
    });

    const faderBox = element("div", "fader-box");
    faderBox.append(scale, fader);
    area.append(faderBox, meter);
    const bottom = element("label", "gain-line");
    bottom.append(readout, element("span", "unit", "dB"));
    const wrap = element("div", "fader-wrap");
    wrap.append(area, bottom);
    return wrap;
  }

  function touching(strip) {
    const armed = (board.state?.mixer?.tracks ?? []).filter((track) => track.armed);
    return touchMode && board.playing && strip.type === "track" && (!armed.length || strip.armed);
  }

  function insertsElement(strip, key) {
    const box = element("div", "inserts");
    const inserts = strip.inserts ?? [];
    box.append(element("h4", "caption", inserts.length ? `inserts (${inserts.length})` : "no inserts"));
    const list = element("ol");
    inserts.forEach((insert, index) => {
      const row = element("li");
      row.append(element("span", "effect", insert.effect));
      for (const [name, value] of Object.entries(insert.params ?? {})) {
        const param = element("button", "param", `${name} ${value}`);
        param.type = "button";
        param.dataset.key = key(`insert ${index} ${name}`);
        param.title = `${insert.effect} ${name}: click to change`;
        param.addEventListener("click", () => editParam(param, strip, index + 1, name, value));
        row.append(param);
      }
      list.append(row);
    });
    box.append(list);
    return box;
  }

  /** Turn a parameter's button into a field; Enter applies set-insert, Escape gives up. */
  function editParam(button, strip, number, name, value) {
    if (typeof value === "boolean") {
      change([insertOperation(strip, number, name, !value)]);
      return;
    }
    const field = element("input", "param-edit");
    field.type = typeof value === "number" ? "number" : "text";
    if (typeof value === "number") field.step = "any";
    field.value = String(value);
    field.setAttribute("aria-label", `${strip.name} insert ${number} ${name}`);
    button.replaceWith(field);
    field.focus();
    field.select();
    let done = false;
    const finish = (apply) => {
      if (done) return;
      done = true;
      field.replaceWith(button);
      if (!apply) return;
      const next = typeof value === "number" ? Number(field.value) : field.value;
      if (next !== value && !(typeof next === "number" && Number.isNaN(next))) {
        change([insertOperation(strip, number, name, next)]);
      }
    };
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter") finish(true);
      if (event.key === "Escape") finish(false);
      event.stopPropagation();
    });
    field.addEventListener("blur", () => finish(true));
  }

  function insertOperation(strip, number, name, value) {
    const operation = { op: "set-insert", track: strip.type === "master" ? "master" : strip.name, number, params: [[name, value]] };
    if (strip.type === "bus") operation.bus = true;
    return operation;
  }

  function sendsElement(strip, key) {
    const box = element("div", "sends");
    const sends = strip.sends ?? [];
    box.append(element("h4", "caption", sends.length ? "sends" : "no sends"));
    for (const send of sends) {
      const row = element("div", "send");
      row.dataset.bus = send.bus;
      const level = element("input");
      level.type = "number";
      level.step = "0.5";
      level.value = String(send.level_db);
      level.dataset.key = key(`send ${send.bus}`);
      level.setAttribute("aria-label", `${strip.name} send to ${send.bus} in dB`);
      level.addEventListener("change", () => change([{ op: "set-send", track: strip.name, bus: send.bus, level_db: Number(level.value) }]));
      const pre = element("button", "pre", send.pre_fader ? "pre" : "post");
      pre.type = "button";
      pre.dataset.key = key(`send ${send.bus} pre`);
      pre.setAttribute("aria-pressed", String(Boolean(send.pre_fader)));
      pre.title = "pre or post fader";
      pre.addEventListener("click", () => change([{ op: "set-send", track: strip.name, bus: send.bus, pre_fader: !send.pre_fader }]));
      row.append(element("span", "bus", send.bus), level, pre);
      box.append(row);
    }
    return box;
  }

  function loudnessElement() {
    const box = element("div", "loudness");
    box.setAttribute("aria-label", "master loudness");
    const bar = element("div", "loudness-bar");
    const fill = element("div", "fill");
    const target = element("div", "target");
    target.hidden = true;
    bar.append(fill, target);
    const values = element("dl");
    const value = (label, name) => {
      const term = element("dt", "", label);
      const data = element("dd", "", "–");
      data.dataset.loudness = name;
      values.append(term, data);
      return data;
    };
    loudness = {
      bar,
      fill,
      target,
      momentary: value("M", "momentary"),
      short: value("S", "short-term"),
      integrated: value("I", "integrated"),
      targetText: value("target", "target"),
    };
    box.append(bar, values);
    return box;
  }

  // ---- meters ------------------------------------------------------------

  function showMeter(name, db, peak = db) {
    const meter = meters.get(name);
    if (!meter) return;
    meter.value = db;
    meter.cover.style.height = `${100 - meterPercent(db)}%`;
    const now = performance.now();
    if (peak >= meter.held_db || now - meter.held_at > HOLD_MS) {
      meter.held_db = peak;
      meter.held_at = now;
    }
    meter.hold.style.bottom = `${meterPercent(meter.held_db)}%`;
    meter.hold.hidden = !Number.isFinite(meter.held_db) || meter.held_db <= METER_FLOOR_DB;
    meter.meter.classList.toggle("over", meter.held_db > -0.1);
    meter.meter.setAttribute("aria-valuenow", String(Number.isFinite(db) ? Math.round(db) : METER_FLOOR_DB));
  }

  const lufs = (value) => (Number.isFinite(value) && value > -100 ? value.toFixed(1) : "–"); // silence reads -150

  function showLoudness(master) {
    if (!loudness) return;
    const [low, high] = LOUDNESS_RANGE;
    const percent = (value) => Math.min(100, Math.max(0, ((value - low) / (high - low)) * 100));
    const short = master.short_term_lufs ?? master.momentary_lufs;
    const shown = Number.isFinite(short) && short > -100;
    loudness.fill.style.height = `${shown ? percent(short) : 0}%`;
    loudness.momentary.textContent = lufs(master.momentary_lufs);
    loudness.short.textContent = lufs(master.short_term_lufs);
    loudness.integrated.textContent = lufs(master.integrated_lufs);
    const target = master.target_lufs;
    loudness.target.hidden = !Number.isFinite(target);
    if (Number.isFinite(target)) loudness.target.style.bottom = `${percent(target)}%`;
    loudness.targetText.textContent = lufs(target);
    loudness.bar.classList.toggle("loud", shown && Number.isFinite(target) && short > target + 1);
  }

  board.socket.addEventListener("meters", (event) => {
    const message = event.detail;
    lastMeters = performance.now();
    const levels = { ...(message.buses ?? {}), ...(message.strips ?? {}) };
    for (const [name, values] of Object.entries(levels)) {
      showMeter(name, values.ppm_dbfs ?? values.peak_dbfs, values.peak_dbfs ?? values.ppm_dbfs);
    }
    if (message.master) {
      showMeter("master", message.master.ppm_dbfs ?? message.master.peak_dbfs, Math.max(message.master.peak_dbfs ?? -Infinity, message.master.true_peak_dbtp ?? -Infinity));
      showLoudness(message.master);
    }
  });
  // Meters fall when the messages stop (the preview stopped, the socket dropped).
  setInterval(() => {
    if (!lastMeters || performance.now() - lastMeters < 300) return;
    lastMeters = 0;
    for (const name of meters.keys()) showMeter(name, -Infinity);
  }, 150);

  board.addEventListener("state", render);
  return { render };
}
