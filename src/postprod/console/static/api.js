// The server: JSON over HTTP and one WebSocket. The auth cookie travels by
// itself (same origin); the token never appears in this code.

/** A refusal or failure from the server, with its one line. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new ApiError(`the console server is not answering (${error.message})`, 0);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const reasons = { 401: "not signed in: open the console's link again", 423: "the project is read-only" };
    const line = data?.error || reasons[response.status] || `${method} ${path}: HTTP ${response.status}`;
    throw new ApiError(line, response.status);
  }
  return data;
}

const query = (params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
};

export const api = {
  state: () => request("GET", "/api/state"),
  operations: () => request("GET", "/api/operations"),
  apply: (operations, description = "") => request("POST", "/api/apply", { operations, description }),
  undo: () => request("POST", "/api/undo"),
  redo: () => request("POST", "/api/redo"),
  presets: () => request("GET", "/api/presets"),
  deliver: (preset) => request("POST", "/api/deliver", { preset }),
  job: (id) => request("GET", `/api/jobs/${encodeURIComponent(id)}`),
  log: (kind, limit = 200) => request("GET", `/api/log${query({ kind, limit })}`),
  asrun: (channel, day) => request("GET", `/api/asrun${query({ channel, day })}`),
  preview: (start_frame, end_frame) => request("POST", "/api/preview", { start_frame, end_frame }),
  multiview: (start_frame, end_frame, columns) => request("POST", "/api/multiview", { start_frame, end_frame, columns }),
  peaks: (media) => request("GET", `/api/peaks${query({ media })}`),
  thumbnailUrl: (media, frame, width) => `/api/thumbnail${query({ media, frame, width })}`,
};

/**
 * The WebSocket `/ws`: messages arrive as events named by their type
 * ("state", "meters", "job"), plus "open" and "close". It reconnects with a
 * growing delay (0.5 s doubling to 10 s) whenever the socket drops.
 */
export class Socket extends EventTarget {
  constructor(path = "/ws") {
    super();
    this.path = path;
    this.delay_ms = 500;
    this.socket = null;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay_ms = 500;
      this.dispatchEvent(new CustomEvent("open"));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === "string") {
        this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
      }
    });
    socket.addEventListener("close", () => {
      this.dispatchEvent(new CustomEvent("close"));
      setTimeout(() => this.connect(), this.delay_ms);
      this.delay_ms = Math.min(this.delay_ms * 2, 10000);
    });
  }

  get connected() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Send a message if the socket is open; dropped otherwise (meters are best effort). */
  send(message) {
    if (this.connected) this.socket.send(JSON.stringify(message));
  }
}
