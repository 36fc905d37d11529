import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface TestSite {
  url: string;
  server: Server;
  /** Requests seen, newest last: path, headers and the client's address. */
  seen: { path: string; headers: IncomingMessage['headers']; remote: string }[];
  close(): Promise<void>;
}

/**
 * A local site for browser tests: `/` sets a cookie from the server and one from script, writes
 * localStorage and IndexedDB; `/fingerprint` shows what a page can see; `/echo` answers the request.
 */
export async function startTestSite(): Promise<TestSite> {
  const seen: TestSite['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers, remote: req.socket.remoteAddress ?? '' });
    if (req.url === '/echo') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ headers: req.headers, remote: req.socket.remoteAddress }));
      return;
    }
    if (req.url === '/form' || req.url?.startsWith('/welcome')) {
      // A sign-in form for step lists: typing, a select, a button that shows text later and navigates.
      res.setHeader('Content-Type', 'text/html');
      res.end(
        req.url === '/form'
          ? `<!doctype html><html><body style="height:5000px"><form action="/welcome" method="get">
              <input id="user" name="user"><select id="plan" name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
              <button id="go" type="button" onclick="setTimeout(() => { document.getElementById('note').textContent = 'Signed in as ' + user.value; }, 300)">Go</button>
              <button id="submit" type="submit">Submit</button>
              </form><p id="note"></p><div id="bottom" style="position:absolute;top:4500px">bottom</div></body></html>`
          : `<!doctype html><html><head><title>Welcome</title></head><body>welcome</body></html>`,
      );
      return;
    }
    if (req.url === '/fingerprint') {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><html><body><iframe src="/frame"></iframe><script>
        window.seenBeforeLoad = { hardwareConcurrency: navigator.hardwareConcurrency, webdriver: navigator.webdriver };
      </script></body></html>`);
      return;
    }
    if (req.url === '/') {
      res.setHeader('Set-Cookie', [
        'server_cookie=from-server; Max-Age=86400; Path=/; HttpOnly',
        'session_cookie=for-this-session; Path=/',
      ]);
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><html><body><script>
        document.cookie = 'js_cookie=from-script; max-age=86400; path=/';
        localStorage.setItem('ls_key', 'ls_value');
        const open = indexedDB.open('cos-test', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('kv');
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put('idb_value', 'idb_key');
          tx.oncomplete = () => { window.stored = true; };
        };
      </script></body></html>`);
      return;
    }
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><html><body>ok</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
