// A detection site's view of one window: FingerprintJS, BotD, and the lie checks such sites run.
/* global readRealm, FingerprintJS */
const lies = [];
const lie = (what) => lies.push(what);
const NATIVE = (name) => `function ${name}() {\n    [native code]\n}`;

function hash(value) {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value));
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}

/** Functions a fingerprinting protection replaces, with their spec lengths. */
const WATCHED = [
  ['Navigator', 'webdriver', 'get', 0],
  ['Navigator', 'hardwareConcurrency', 'get', 0],
  ['Navigator', 'userAgent', 'get', 0],
  ['Navigator', 'platform', 'get', 0],
  ['Navigator', 'languages', 'get', 0],
  ['Screen', 'width', 'get', 0],
  ['Screen', 'height', 'get', 0],
  ['Screen', 'availWidth', 'get', 0],
  ['Screen', 'availHeight', 'get', 0],
  ['CanvasRenderingContext2D', 'getImageData', 'value', 4],
  ['OffscreenCanvasRenderingContext2D', 'getImageData', 'value', 4],
  ['HTMLCanvasElement', 'toDataURL', 'value', 0],
  ['HTMLCanvasElement', 'toBlob', 'value', 1],
  ['OffscreenCanvas', 'convertToBlob', 'value', 0],
  ['WebGLRenderingContext', 'readPixels', 'value', 7],
  ['WebGL2RenderingContext', 'readPixels', 'value', 7],
  ['AudioBuffer', 'getChannelData', 'value', 1],
  ['AudioBuffer', 'copyFromChannel', 'value', 2],
  ['AudioBuffer', 'copyToChannel', 'value', 2],
  ['AnalyserNode', 'getFloatFrequencyData', 'value', 1],
  ['AnalyserNode', 'getFloatTimeDomainData', 'value', 1],
  ['DynamicsCompressorNode', 'reduction', 'get', 0],
  ['AudioDestinationNode', 'maxChannelCount', 'get', 0],
  ['Element', 'getBoundingClientRect', 'value', 0],
  ['Element', 'getClientRects', 'value', 0],
  ['Range', 'getBoundingClientRect', 'value', 0],
  ['Range', 'getClientRects', 'value', 0],
  ['Function', 'toString', 'value', 0],
];

function checkFunctions(win, where) {
  const otherToString = document.querySelector('#blank').contentWindow.Function.prototype.toString;
  // What untouched natives of this realm look like.
  // (listed before anything reads them: natives resolve `length` and `name` on first use).
  const nativeKeys = Reflect.ownKeys(win.CanvasRenderingContext2D.prototype.fillRect).join();
  for (const [owner, name, kind, length] of WATCHED) {
    const proto = win[owner] && win[owner].prototype;
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc) continue;
    const fn = kind === 'get' ? desc.get : desc.value;
    const label = `${where}: ${owner}.${name}`;
    const keys = Reflect.ownKeys(fn).join();
    if (keys !== nativeKeys) lie(`${label} has own keys ${keys}`);
    if (win.Function.prototype.toString.call(fn) !== NATIVE(name)) lie(`${label} toString is not native`);
    if (otherToString.call(fn) !== NATIVE(name)) lie(`${label} toString from another realm is not native`);
    if (fn.name !== (kind === 'get' ? `get ${name}` : name)) lie(`${label} is named ${fn.name}`);
    if (fn.length !== length) lie(`${label} has length ${fn.length}`);
    // WebIDL members are enumerable; the language's own (Function.prototype.toString) are not.
    if (desc.enumerable !== (owner !== 'Function') || !desc.configurable || (kind === 'value' && !desc.writable))
      lie(`${label} has other attributes`);
    try {
      new fn();
      lie(`${label} is a constructor`);
    } catch (e) {
      // Constructing a non-constructor throws in the caller's realm; a replacement throws in its own,
      // which only a construct across realms tells apart (see README: what cannot be hidden).
      if (!(e instanceof TypeError) && !(e instanceof win.TypeError))
        lie(`${label} construct threw ${e && e.constructor && e.constructor.name}`);
    }
    if (owner !== 'Function') {
      try {
        const result = fn.call({});
        // Promise-returning methods reject instead of throwing.
        if (!(result instanceof win.Promise)) lie(`${label} accepts a foreign receiver`);
        else result.catch(() => undefined);
      } catch (e) {
        if (!(e instanceof win.TypeError)) lie(`${label} on a foreign receiver threw ${e && e.constructor && e.constructor.name}`);
        if (/moz-extension|chrome:|resource:/.test(String(e && e.stack))) lie(`${label} leaves an extension frame in a stack trace`);
      }
    }
  }
  if (Object.getOwnPropertyNames(win.navigator).length) lie(`${where}: navigator has own properties`);
  if (Object.getOwnPropertyNames(win.screen).length) lie(`${where}: screen has own properties`);
}

const ENGINE_FEATURES = [
  [129, () => typeof Float16Array === 'function'],
  [134, () => typeof Promise.try === 'function'],
  [137, () => typeof Math.sumPrecise === 'function'],
  [138, () => typeof Error.isError === 'function'],
];

/** Samples a page writes into an audio buffer read back as written, however they are read. */
function checkAudioWrites() {
  const written = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i / 7) * 0.5);
  const viaCopy = new AudioBuffer({ length: 256, numberOfChannels: 1, sampleRate: 44100 });
  viaCopy.copyToChannel(written, 0);
  const read = new Float32Array(256);
  viaCopy.copyFromChannel(read, 0);
  if (read.some((v, i) => v !== written[i])) lie('audio samples written with copyToChannel read back changed (copyFromChannel)');
  if (viaCopy.getChannelData(0).some((v, i) => v !== written[i])) lie('audio samples written with copyToChannel read back changed');
  // Arguments are converted once, in order, as WebIDL says: a valueOf runs once and names the channel.
  const stereo = new AudioBuffer({ length: 256, numberOfChannels: 2, sampleRate: 44100 });
  stereo.copyToChannel(written, 1);
  let calls = 0;
  const one = { valueOf: () => (calls++, 1) };
  if (stereo.getChannelData(one) !== stereo.getChannelData(1)) lie('getChannelData takes an object channel as another channel');
  stereo.copyFromChannel(read, one, one);
  if (read[0] !== written[1]) lie('copyFromChannel takes an object channel or offset as another');
  stereo.copyToChannel(written, one, one);
  if (calls !== 5) lie(`audio arguments converted ${calls} times for 5 conversions`);
  const viaData = new AudioBuffer({ length: 256, numberOfChannels: 1, sampleRate: 44100 });
  viaData.getChannelData(0).set(written);
  if (viaData.getChannelData(0).some((v, i) => v !== written[i])) lie('audio samples written into getChannelData read back changed');
}

/** What CreepJS reads of audio besides the samples: an analyser's spectrum and waveform, and a compressor's reduction. */
async function audioAnalyserHash() {
  const context = new OfflineAudioContext(1, 5000, 44100);
  const oscillator = context.createOscillator();
  oscillator.type = 'triangle';
  oscillator.frequency.value = 10000;
  const compressor = context.createDynamicsCompressor();
  const analyser = context.createAnalyser();
  oscillator.connect(compressor);
  compressor.connect(analyser);
  analyser.connect(context.destination);
  oscillator.start(0);
  await context.startRendering();
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(spectrum);
  const wave = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(wave);
  return hash(`${Array.from(spectrum).join()}|${Array.from(wave).join()}|${compressor.reduction}`);
}

/** The last samples of a rendering longer than 2²⁰ samples (a minute of music is 2.6 million). */
async function audioLongHash() {
  const length = (1 << 20) + 5000;
  const context = new OfflineAudioContext(1, length, 44100);
  const oscillator = context.createOscillator();
  oscillator.connect(context.destination);
  oscillator.start(0);
  const samples = (await context.startRendering()).getChannelData(0);
  return hash(Array.from(samples.subarray(length - 5000)).join());
}

/** Reading audio runs none of the page's code: typed-array methods a page replaced are not called. */
async function checkAudioRunsNoPageCode() {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const win = frame.contentWindow;
  const calls = [];
  for (const name of ['set', 'subarray']) {
    const original = win.Float32Array.prototype[name];
    win.Float32Array.prototype[name] = function (...args) {
      calls.push(name);
      return original.apply(this, args);
    };
  }
  const context = new win.OfflineAudioContext(1, 5000, 44100);
  const oscillator = context.createOscillator();
  oscillator.connect(context.destination);
  oscillator.start(0);
  const rendered = await context.startRendering();
  rendered.getChannelData(0);
  rendered.copyFromChannel(new win.Float32Array(10), 0);
  frame.remove();
  if (calls.length) lie(`reading audio called the page's ${calls.join(', ')}`);
}

function checkCoherence(page) {
  const ua = navigator.userAgent;
  const firefox = /rv:(\d+)\.0\) Gecko\/20100101 Firefox\/(\d+)\.0$/.exec(ua);
  if (!firefox || typeof window.mozInnerScreenX !== 'number') lie('the user agent is not the Gecko engine it runs on');
  else {
    const major = Number(firefox[2]);
    for (const [version, has] of ENGINE_FEATURES)
      if (has() && major < version) lie(`the user agent says Firefox ${major} but the engine has features of ${version}`);
  }
  const os = /Windows/.test(ua) ? 'windows' : /Macintosh/.test(ua) ? 'macos' : 'linux';
  const platform = { windows: 'Win32', macos: 'MacIntel', linux: 'Linux x86_64' }[os];
  const appVersion = { windows: '5.0 (Windows)', macos: '5.0 (Macintosh)', linux: '5.0 (X11)' }[os];
  if (navigator.platform !== platform) lie(`platform ${navigator.platform} under a ${os} user agent`);
  if (navigator.appVersion !== appVersion) lie(`appVersion ${navigator.appVersion} under a ${os} user agent`);
  if (!ua.includes(navigator.oscpu.replace('Linux x86_64', 'Linux'))) lie(`oscpu ${navigator.oscpu} is not in the user agent`);
  if (page.intlLocale.split('-')[0] !== navigator.languages[0].split('-')[0])
    lie(`Intl speaks ${page.intlLocale} while languages say ${navigator.languages[0]}`);
  const offset = -new Date(2024, 0, 15).getTimezoneOffset();
  const zoned = new Intl.DateTimeFormat('en-US', { timeZone: page.timeZone, timeZoneName: 'longOffset' }).format(new Date(2024, 0, 15));
  const match = /GMT([+-]\d\d):?(\d\d)?/.exec(zoned);
  const intlOffset = match ? Number(match[1]) * 60 + Math.sign(Number(match[1]) || 1) * Number(match[2] || 0) : 0;
  if (intlOffset !== offset) lie(`Date's offset ${offset} is not that of ${page.timeZone}`);
  if (!matchMedia(`(device-width: ${screen.width}px) and (device-height: ${screen.height}px)`).matches)
    lie('device-width/height media queries disagree with screen');
  if (outerWidth > screen.availWidth || outerHeight > screen.availHeight)
    lie(`window ${outerWidth}x${outerHeight} is larger than the available screen`);
  if (!matchMedia('(pointer: fine)').matches || !matchMedia('(hover: hover)').matches)
    lie('no mouse: pointer/hover media queries say none');
  if (navigator.webdriver) lie('navigator.webdriver is true');
  const gl = document.createElement('canvas').getContext('webgl');
  if (gl) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl.getParameter(gl.RENDERER);
    const unmasked = info && gl.getParameter(info.UNMASKED_RENDERER_WEBGL);
    if (info && renderer !== unmasked) lie(`WebGL RENDERER ${renderer} differs from the unmasked ${unmasked}`);
    if (/ANGLE/.test(unmasked) !== (os === 'windows')) lie(`WebGL renderer ${unmasked} under ${os}`);
    if (/llvmpipe|Mesa|Generic Renderer/.test(unmasked) && os !== 'linux') lie(`software WebGL ${unmasked} under ${os}`);
  }
  if (os !== 'linux') {
    for (const family of ['DejaVu Sans', 'Liberation Sans', 'Carlito', 'Nimbus Sans', 'URW Gothic']) {
      if (document.fonts.check(`12px "${family}"`) && fontPresent(family)) lie(`Linux font ${family} under ${os}`);
    }
  }
}

function fontPresent(family) {
  const span = document.createElement('span');
  span.style.cssText = 'position:absolute;font-size:72px;visibility:hidden';
  span.textContent = 'mmmmmmmmmmlli';
  document.body.append(span);
  const widths = ['monospace', 'serif', 'sans-serif'].map((base) => {
    span.style.fontFamily = base;
    const plain = span.offsetWidth;
    span.style.fontFamily = `"${family}", ${base}`;
    return span.offsetWidth !== plain;
  });
  span.remove();
  return widths.some(Boolean);
}

function rectsHash() {
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:-9999px;top:0';
  box.innerHTML = ['Arial', 'serif', 'monospace', 'Times New Roman', 'sans-serif']
    .map((f) => `<span style="font:17px ${f}">Cwm fjordbank glyphs vext quiz ℮</span>`)
    .join('<br>');
  document.body.append(box);
  const rects = [...box.querySelectorAll('span')].map((s) => s.getBoundingClientRect());
  // Layout's values are float32.
  for (const r of rects) if ([r.x, r.y, r.width, r.height].some((v) => Math.fround(v) !== v)) lie('a client rect value is no float32');
  const values = rects.map((r) => JSON.stringify(r));
  box.remove();
  return hash(values.join());
}

function canvasHash() {
  const canvas = document.createElement('canvas');
  canvas.width = 240;
  canvas.height = 60;
  const x = canvas.getContext('2d');
  x.fillStyle = '#f60';
  x.fillRect(100, 1, 62, 20);
  x.fillStyle = '#069';
  x.font = '11pt "Times New Roman"';
  x.fillText('Cwm fjordbank glyphs vext quiz', 2, 15);
  x.strokeStyle = 'rgba(102, 204, 0, 0.7)';
  x.arc(50, 40, 15, 0, Math.PI * 2);
  x.stroke();
  return hash(canvas.toDataURL());
}

function webglHash() {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl', { preserveDrawingBuffer: true });
  if (!gl) return null;
  gl.clearColor(0.2, 0.4, 0.6, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  gl.enable(gl.SCISSOR_TEST);
  gl.scissor(20, 20, 60, 40);
  gl.clearColor(0.9, 0.1, 0.3, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  const pixels = new Uint8Array(300 * 150 * 4);
  gl.readPixels(0, 0, 300, 150, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  let h = 2166136261;
  for (let i = 0; i < pixels.length; i++) h = Math.imul(h ^ pixels[i], 16777619) >>> 0;
  return h.toString(16);
}

function inWorker(make) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 15000);
    try {
      const { port, start } = make();
      port.onmessage = (e) => {
        clearTimeout(timer);
        resolve(e.data);
      };
      start();
    } catch (e) {
      clearTimeout(timer);
      resolve({ error: String(e) });
    }
  });
}

async function serviceWorker() {
  if (!navigator.serviceWorker) return null;
  const registration = await navigator.serviceWorker.register('/worker.js');
  const worker = registration.active || registration.installing || registration.waiting;
  if (worker.state !== 'activated')
    await new Promise((r) => worker.addEventListener('statechange', () => worker.state === 'activated' && r()));
  const channel = new MessageChannel();
  return inWorker(() => ({ port: channel.port1, start: () => worker.postMessage(null, [channel.port2]) }));
}

/**
 * A frame with an opaque origin (a data: URL, a sandboxed srcdoc, a blob: document) reads the realm
 * and posts it to the page: no script of the page can reach into it.
 */
function opaqueFrame(kind) {
  const html = `<script src="${location.origin}/realm-probe.js"></script><script>readRealm().then((v) => parent.postMessage({ kind: ${JSON.stringify(kind)}, v }, '*'));</script>`;
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    const timer = setTimeout(() => done({ error: 'no answer in 10 s' }), 10_000);
    const done = (value) => {
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      frame.remove();
      resolve(value);
    };
    const onMessage = (e) => e.source === frame.contentWindow && e.data && e.data.kind === kind && done(e.data.v);
    addEventListener('message', onMessage);
    if (kind === 'dataIframe') frame.src = `data:text/html,${encodeURIComponent(html)}`;
    if (kind === 'sandboxedIframe') {
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.srcdoc = html;
    }
    if (kind === 'blobIframe') frame.src = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    document.body.append(frame);
  });
}

async function detect() {
  const page = await readRealm();
  const frame = document.querySelector('#frame').contentWindow;
  const blank = document.querySelector('#blank').contentWindow;
  const created = document.createElement('iframe');
  document.body.append(created);
  const realms = {
    page,
    iframe: await frame.readRealm(),
    blankIframe: await blank.eval(`(${readRealm.toString()})()`),
    createdIframe: await created.contentWindow.eval(`(${readRealm.toString()})()`),
    dataIframe: await opaqueFrame('dataIframe'),
    sandboxedIframe: await opaqueFrame('sandboxedIframe'),
    blobIframe: await opaqueFrame('blobIframe'),
    dedicated: await inWorker(() => {
      const w = new Worker('/worker.js');
      return { port: w, start: () => w.postMessage(null) };
    }),
    shared: await inWorker(() => {
      const w = new SharedWorker('/worker.js');
      return { port: w.port, start: () => (w.port.start(), w.port.postMessage(null)) };
    }),
    blob: await inWorker(() => {
      const source = `importScripts('${location.origin}/realm-probe.js'); onmessage = () => readRealm().then((v) => postMessage(v));`;
      const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      return { port: w, start: () => w.postMessage(null) };
    }),
    service: await serviceWorker().catch((e) => ({ error: String(e) })),
  };
  for (const [name, realm] of Object.entries(realms)) {
    if (!realm || realm.error) {
      lie(`${name}: could not be read (${realm && realm.error})`);
      continue;
    }
    for (const key of [
      'userAgent',
      'platform',
      'appVersion',
      'languages',
      'hardwareConcurrency',
      'intlLocale',
      'timeZone',
      'hourCycle',
      'dateString',
    ]) {
      if (JSON.stringify(realm[key]) !== JSON.stringify(page[key]))
        lie(`${name} says ${key} ${JSON.stringify(realm[key])}, the page ${JSON.stringify(page[key])}`);
    }
    if (realm.canvas !== page.canvas) lie(`${name} draws the same canvas differently from the page`);
    for (const found of realm.nativeLies || []) lie(`${name}: ${found}`);
  }
  checkFunctions(window, 'page');
  checkFunctions(created.contentWindow, 'created iframe');
  checkCoherence(page);
  checkAudioWrites();
  await checkAudioRunsNoPageCode();
  const echo = await fetch('/echo').then((r) => r.json());
  if (echo.headers['user-agent'] !== navigator.userAgent) lie('the User-Agent header differs from navigator.userAgent');
  if (!echo.headers['accept-language'].startsWith(navigator.languages[0])) lie('Accept-Language differs from navigator.languages');

  const fp = await (await FingerprintJS.load({ monitoring: false })).get();
  let botd;
  try {
    botd = (await (await import('/botd.esm.js')).load({ monitoring: false })).detect();
  } catch (e) {
    botd = { error: String(e) };
  }
  const c = fp.components;
  const value = (name) => (c[name] && 'value' in c[name] ? c[name].value : null);
  return {
    lies,
    realms,
    visitorId: fp.visitorId,
    botd,
    highEntropy: {
      canvas: canvasHash(),
      audio: hash(JSON.stringify(value('audio'))),
      webgl: webglHash(),
      fonts: hash(JSON.stringify(value('fonts'))),
      rects: rectsHash(),
      audioAnalyser: await audioAnalyserHash(),
      audioLong: await audioLongHash(),
      workerCanvas: realms.dedicated && realms.dedicated.canvas,
    },
    components: Object.fromEntries(Object.entries(c).map(([k, v]) => [k, hash('value' in v ? v.value : String(v.error))])),
    fonts: value('fonts'),
    audioValue: value('audio'),
    audioChannels: new AudioContext().destination.maxChannelCount,
  };
}
