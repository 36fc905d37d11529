import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface InspectSite {
  url: string;
  server: Server;
  /** Bodies the site was sent, by path. */
  posted: Record<string, string>;
  close(): Promise<void>;
}

const FORM = `<main>
  <h1>Sign up</h1>
  <form name="signup" onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'Sent ' + new FormData(this).get('email')">
    <label for="email">Email</label> <input id="email" name="email" type="email" required value="a@b.test">
    <label>Password <input id="pw" type="password" value="secret"></label>
    <label for="bio">Bio</label><textarea id="bio">Hello there</textarea>
    <label for="plan">Plan</label><select id="plan"><option value="free">Free</option><option value="pro" selected>Pro</option></select>
    <label><input id="terms" type="checkbox" checked> I agree</label>
    <fieldset><legend>Size</legend><label><input type="radio" name="size" value="s">Small</label><label><input type="radio" name="size" value="l" checked>Large</label></fieldset>
    <button type="submit">Submit</button> <button type="button" disabled>Later</button>
    <input type="hidden" name="csrf" value="x">
    <div style="display:none"><button>Hidden button</button></div>
  </form>
  <p id="out"></p>
  <a href="/next?from=form">Next page</a>
</main>`;

const TABLE = `<table><caption>People</caption>
  <thead><tr><th>Name</th><th>Age</th></tr></thead>
  <tbody><tr><td>Alice</td><td>30</td></tr><tr><td>Bob</td><td>41</td></tr></tbody>
</table>`;

const SHADOW = `<h2>Widget</h2><fancy-card><span slot="title">Slotted title</span></fancy-card>
<script>
  customElements.define('fancy-card', class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML =
        '<section aria-label="Card"><slot name="title"></slot><button id="inner" onclick="this.textContent = \\'Pressed\\'">Shadow button</button><input aria-label="Shadow field"></section>';
    }
  });
</script>`;

/** Everything a hostile page can do to the built-ins a snapshot script would use from the page's realm. */
const HOSTILE_SCRIPT = `<script>
  Element.prototype.getAttribute = () => 'evil';
  Element.prototype.querySelector = () => null;
  Element.prototype.getBoundingClientRect = () => ({ x: 0, y: 0, width: 0, height: 0 });
  Node.prototype.childNodes; Object.defineProperty(Node.prototype, 'childNodes', { get() { return []; } });
  Object.defineProperty(Node.prototype, 'textContent', { get() { return 'evil'; } });
  Object.defineProperty(HTMLInputElement.prototype, 'value', { get() { return 'evil'; }, set() {} });
  Array.prototype.map = function () { return ['evil']; };
  Array.prototype.push = function () { return 0; };
  Array.from = () => [];
  JSON.stringify = () => '"evil"';
  JSON.parse = () => ({});
  String.prototype.trim = function () { return 'evil'; };
  String.prototype.replace = function () { return 'evil'; };
  Map.prototype.get = function () { return undefined; };
  WeakMap.prototype.get = function () { return undefined; };
  Object.entries = () => [];
  window.getComputedStyle = () => ({ display: 'none', visibility: 'hidden' });
  document.querySelector = () => null;
  document.querySelectorAll = () => [];
</script>`;

const ACTIONS = `<h1>Actions</h1>
<button id="count" onclick="this.dataset.n = (+this.dataset.n || 0) + 1; this.textContent = 'Clicked ' + this.dataset.n">Click me</button>
<button id="twice" ondblclick="this.textContent = 'Double clicked'">Double me</button>
<button id="hover" onmouseover="this.textContent = 'Hovered'">Hover me</button>
<input id="focus" aria-label="Focus me" onfocus="this.value = 'focused'">
<input id="typed" aria-label="Type here" onkeydown="window.keyCount = (window.keyCount || 0) + 1">
<input id="filled" aria-label="Fill here" value="old" oninput="window.filledBy = event.inputType">
<input id="keys" aria-label="Keys" onkeydown="this.dataset.last = (event.ctrlKey ? 'Control+' : '') + event.key">
<select id="fruit" aria-label="Fruit"><option value="a">Apple</option><option value="b">Banana</option></select>
<label><input id="check" type="checkbox"> Check me</label>
<input id="file" type="file" aria-label="File" onchange="this.files[0].text().then((t) => (document.getElementById('fileout').textContent = this.files[0].name + ':' + t))">
<p id="fileout"></p>
<div id="src" style="width:60px;height:30px;background:#ccc" role="button" aria-label="Drag source" onmousedown="window.down = true">drag</div>
<div id="dst" style="width:120px;height:60px;background:#eee" role="button" aria-label="Drop target"
  onmouseup="if (window.down) this.textContent = 'Dropped'">drop</div>
<a href="/next?from=actions">Go next</a>`;

const LOGS = `<h1>Logs</h1><script>
  console.log('hello', 42);
  console.warn('careful');
  console.error('bad thing');
  setTimeout(() => { throw new Error('uncaught boom'); }, 0);
  fetch('/api/data').then((r) => r.json()).then((d) => (document.title = 'got ' + d.ok));
  fetch('/api/missing');
  fetch('/api/echo', { method: 'POST', body: 'ping-body', headers: { 'Content-Type': 'text/plain' } });
</script>`;

const DIALOG = `<button id="ask" onclick="document.getElementById('answer').textContent = String(confirm('Delete it?'))">Ask</button>
<button id="name" onclick="document.getElementById('answer').textContent = String(prompt('Your name?', 'anon'))">Name</button>
<button id="alert" onclick="alert('Just so you know'); document.getElementById('answer').textContent = 'after alert'">Alert</button>
<p id="answer"></p>`;

function page(title: string, body: string): string {
  return `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;
}

/** Pages for the inspection tests: forms, tables, frames, shadow DOM, a hostile page, logs, a download, dialogs. */
export async function startInspectSite(): Promise<InspectSite> {
  const posted: Record<string, string> = {};
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = (title: string, body: string) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page(title, body));
    };
    switch (path) {
      case '/form':
        return html('Form', FORM);
      case '/hostile':
        return html('Form', HOSTILE_SCRIPT + FORM);
      case '/table':
        return html('Table', TABLE);
      case '/frames':
        return html(
          'Frames',
          `<h1>Outer</h1><iframe title="Inner" src="/inner" style="margin:40px;border:5px solid #000;width:400px;height:200px"></iframe><p>after</p>`,
        );
      case '/inner':
        return html(
          'Inner',
          `<button id="in" onclick="this.textContent = 'Inner clicked'">Inner button</button><input aria-label="Inner field">`,
        );
      case '/shadow':
        return html('Shadow', SHADOW);
      case '/actions':
        return html('Actions', ACTIONS);
      case '/logs':
        return html('Logs', LOGS);
      case '/dialog':
        return html('Dialog', DIALOG);
      case '/download':
        return html('Download', `<a id="dl" href="/file.txt">Get the file</a>`);
      case '/file.txt':
        res.setHeader('Content-Type', 'text/plain');
        res.setHeader('Content-Disposition', 'attachment; filename="report.txt"');
        return res.end('downloaded content\n');
      case '/api/data':
        res.setHeader('Content-Type', 'application/json');
        return res.end('{"ok":true,"items":[1,2,3]}');
      case '/api/echo': {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          posted[path] = body;
          res.setHeader('Content-Type', 'text/plain');
          res.end(`echo:${body}`);
        });
        return;
      }
      case '/next':
        return html('Next', `<h1>Next page</h1><button>Fresh button</button>`);
      case '/long':
        return html(
          'Long',
          Array.from({ length: 400 }, (_, i) => `<p>Paragraph ${i}: the quick brown fox jumps over the lazy dog.</p>`).join(''),
        );
      case '/storage':
        return html('Storage', `<h1>Storage</h1>`);
      default:
        res.statusCode = 404;
        return res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, posted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
