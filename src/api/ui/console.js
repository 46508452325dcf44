// The console's shell: sign-in (when the server has tokens), hash routes, live refresh every 1.5 s.
import { get, post, setToken, token, Unauthorized } from './api.js';
import { deviceView } from './device.js';
import { h } from './dom.js';
import { failedView } from './failed.js';
import { overviewView } from './overview.js';
import { siteView } from './site.js';

const REFRESH_MS = 1500;
const main = document.getElementById('main');
const who = document.getElementById('who');
const statusLine = document.getElementById('status');

const ROUTES = [
  [/^#\/site\/(.+)$/, (m) => [siteView, { siteId: decodeURIComponent(m[1]) }]],
  [/^#\/device\/(.+)$/, (m) => [deviceView, { deviceId: decodeURIComponent(m[1]) }]],
  [/^#\/failed$/, () => [failedView, {}]],
  [/^/, () => [overviewView, {}]],
];

let ctx = null;
let timer = null;
let rendering = false;

function say(text) {
  statusLine.textContent = text;
}

function redriveButton(label, path, text) {
  const button = h('button', { type: 'button', class: 'redrive', 'aria-label': label }, text ?? label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const r = await post(path);
      say(`${label}: ${r.batches} batch${r.batches === 1 ? '' : 'es'}, ${r.devices} device${r.devices === 1 ? '' : 's'} back in flight.`);
      await render();
    } catch (err) {
      say(`${label} failed: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function signIn(message) {
  stop();
  who.replaceChildren();
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h(
    'form',
    { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'This server has API tokens. Enter yours: it is kept in this browser tab only (sessionStorage).'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : '',
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    start();
  });
  main.replaceChildren(form);
  input.focus();
}

function showWho() {
  const parts = [h('span', {}, ctx.me.tokensConfigured ? `${ctx.me.name} · ${ctx.me.role}` : 'open (no tokens, loopback only)')];
  if (token()) {
    parts.push(
      h('button', { type: 'button', class: 'link', onclick: () => { setToken(null); ctx = null; signIn(); } }, 'Sign out'),
    );
  }
  who.replaceChildren(...parts);
}

async function render() {
  if (rendering || !ctx) return;
  rendering = true;
  try {
    const hash = location.hash || '#/';
    for (const [pattern, pick] of ROUTES) {
      const m = hash.match(pattern);
      if (!m) continue;
      const [view, params] = pick(m);
      const node = await view(params, ctx);
      const fresh = h('div', {}, node);
      // unchanged content is left alone: focus and scroll stay where they are
      if (main.dataset.route !== hash || main.innerHTML !== fresh.innerHTML) {
        main.replaceChildren(...fresh.childNodes);
        main.dataset.route = hash;
      }
      break;
    }
    main.setAttribute('aria-busy', 'false');
  } catch (err) {
    if (err instanceof Unauthorized) signIn(token() ? 'That token was not accepted.' : undefined);
    else say(`Could not refresh: ${err.message}`);
  } finally {
    rendering = false;
  }
}

function stop() {
  clearInterval(timer);
  timer = null;
}

async function start() {
  try {
    const me = await get('/v1/me');
    ctx = { me, isAdmin: me.role === 'admin', redriveButton };
  } catch (err) {
    if (err instanceof Unauthorized) return signIn(token() ? 'That token was not accepted.' : undefined);
    main.replaceChildren(h('p', { class: 'error' }, `The API did not answer: ${err.message}`));
    return;
  }
  showWho();
  main.dataset.route = '';
  await render();
  stop();
  timer = setInterval(render, REFRESH_MS);
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = new FormData(e.target).get('deviceId').trim();
  if (id) location.hash = `#/device/${encodeURIComponent(id)}`;
});
window.addEventListener('hashchange', () => {
  say('');
  render().then(() => main.focus());
});
start();
