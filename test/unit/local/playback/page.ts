// A tiny test page for the playback tests: hls.js or shaka-player (DASH build) playing a session URL in
// a <video>, recording the player's errors, `waiting` stalls and live latency in `window.__playback`.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HLS_SCRIPT = 'node_modules/hls.js/dist/hls.min.js';
export const SHAKA_SCRIPT = 'node_modules/shaka-player/dist/shaka-player.dash.js';

/** What the page records (read with `page.evaluate(() => window.__playback)`). */
export interface PlaybackState {
  errors: string[];
  /** Non-fatal hls.js bufferSeekOverHole skips at the very start (a source whose video starts late). */
  startHoles: number;
  fatal: boolean;
  /** `waiting` events after the first `playing`. */
  stalls: number;
  /**
   * Of those, the ones with under STARVED_SECONDS buffered ahead: the player ran out of media, which is
   * the server's part. The others had media buffered but the browser did not play it in time (a busy
   * machine starving the decoder of CPU).
   */
  starvedStalls: number;
  started: boolean;
  currentTime: number;
  videoWidth: number;
  videoHeight: number;
  readyState: number;
  ended: boolean;
  /** Seconds behind the live edge (hls.js `latency`, else seekable end minus currentTime), or null. */
  latency: number | null;
}

/** Buffered media ahead of the playhead under which a stall counts as starved. */
const STARVED_SECONDS = 0.5;

// Plain browser JavaScript: the player is chosen by ?player=hls|shaka and plays ?src=URL.
const PAGE_SCRIPT = String.raw`
const STARVED_SECONDS = ${STARVED_SECONDS};
const params = new URLSearchParams(location.search);
const video = document.getElementById('video');
const state = { errors: [], startHoles: [], fatal: false, stalls: 0, starvedStalls: 0, started: false, hls: null };
window.__state = state;
function bufferedAhead() {
  const t = video.currentTime;
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= t + 0.1 && t < video.buffered.end(i)) return video.buffered.end(i) - t;
  }
  return 0;
}
video.addEventListener('playing', () => { state.started = true; });
video.addEventListener('waiting', () => {
  if (!state.started) return;
  state.stalls++;
  if (bufferedAhead() < STARVED_SECONDS) state.starvedStalls++;
});
video.addEventListener('error', () => { state.fatal = true; state.errors.push('video element error ' + (video.error ? video.error.code + ' ' + video.error.message : '')); });
window.__read = () => {
  let latency = null;
  if (state.hls && typeof state.hls.latency === 'number' && state.hls.latency > 0) latency = state.hls.latency;
  else if (video.seekable.length > 0) latency = video.seekable.end(video.seekable.length - 1) - video.currentTime;
  return { errors: state.errors.slice(), startHoles: state.startHoles.length, fatal: state.fatal, stalls: state.stalls, starvedStalls: state.starvedStalls, started: state.started, currentTime: video.currentTime,
    videoWidth: video.videoWidth, videoHeight: video.videoHeight, readyState: video.readyState, ended: video.ended, latency };
};
const src = params.get('src');
if (params.get('player') === 'hls') {
  // Four fragments behind the live edge: headroom for a busy test machine (hls.js's default is three).
  const hls = new Hls({ debug: false, enableWorker: true, liveSyncDurationCount: 4 });
  state.hls = hls;
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (data.fatal) state.fatal = true;
    // hls.js reports every stall as a non-fatal bufferStalledError. One with media buffered ahead is the
    // browser being slow (the test's advance and stall checks judge it), not a player or server error.
    if (!data.fatal && data.details === 'bufferStalledError' && data.buffer >= STARVED_SECONDS) return;
    // media/demo.mkv's video starts 21 ms after its audio: hls.js may skip that hole at the start
    // (non-fatal bufferSeekOverHole at currentTime 0). Recorded, not counted as an error.
    const list = !data.fatal && data.details === 'bufferSeekOverHole' && video.currentTime < 0.25 ? state.startHoles : state.errors;
    list.push('hls.js ' + (data.fatal ? 'FATAL ' : '') + data.type + ' ' + data.details + (data.reason ? ' ' + data.reason : '') + (data.error ? ' ' + data.error.message : '') + (data.frag ? ' frag ' + data.frag.sn + ' ' + data.frag.url : ''));
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch((e) => state.errors.push('play() ' + e.message)); });
  hls.loadSource(src);
  hls.attachMedia(video);
} else {
  shaka.polyfill.installAll();
  const player = new shaka.Player();
  player.addEventListener('error', (event) => {
    const e = event.detail;
    if (e.severity === shaka.util.Error.Severity.CRITICAL) state.fatal = true;
    state.errors.push('shaka ' + e.severity + ' category ' + e.category + ' code ' + e.code + ' ' + JSON.stringify(e.data).slice(0, 400));
  });
  player.attach(video)
    .then(() => player.load(src))
    .then(() => video.play())
    .catch((e) => { state.fatal = true; state.errors.push('shaka load ' + (e && e.code ? 'code ' + e.code + ' ' + JSON.stringify(e.data).slice(0, 400) : String(e))); });
}
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>KVS Local playback</title>
<style>body{margin:0;background:#000}video{display:block;width:640px;height:360px;background:#000}</style>
</head><body><video id="video" muted playsinline></video>
<script src="/player.js?name=PLAYER"></script>
<script>${PAGE_SCRIPT}</script>
</body></html>`;

export interface PageServer {
  /** The page URL that plays `src` with the player. */
  pageUrl(player: 'hls' | 'shaka', src: string): string;
  close(): Promise<void>;
}

/** Serves the page and the player scripts from 127.0.0.1 on a free port. */
export async function startPageServer(): Promise<PageServer> {
  const scripts = { hls: readFileSync(HLS_SCRIPT), shaka: readFileSync(SHAKA_SCRIPT) };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const player = url.searchParams.get('player') === 'shaka' || url.searchParams.get('name') === 'shaka' ? 'shaka' : 'hls';
    if (url.pathname === '/player.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' }).end(scripts[player]);
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE.replace('PLAYER', player));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    pageUrl: (player, src) => `http://127.0.0.1:${port}/?player=${player}&src=${encodeURIComponent(src)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
