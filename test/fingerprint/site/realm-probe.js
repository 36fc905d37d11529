// What a detection script reads in any realm (window, iframe, worker): the values that must agree
// everywhere, a canvas drawn the same way in each realm, and how native the canvas readbacks a
// protection replaces look from inside the realm (a worker has no other realm to ask).
/* global self, OffscreenCanvas */
async function readRealm() {
  // Inside: the detector also evaluates this function's source in frames of its own.
  const REALM_WATCHED = [
    ['OffscreenCanvasRenderingContext2D', 'getImageData', 4],
    ['OffscreenCanvas', 'convertToBlob', 0],
    ['WebGLRenderingContext', 'readPixels', 7],
    ['WebGL2RenderingContext', 'readPixels', 7],
    ['Function', 'toString', 0],
  ];

  function nativeLies() {
    const lies = [];
    const toString = Function.prototype.toString;
    const nativeKeys = Reflect.ownKeys(self.Math.max).join();
    for (const [owner, name, length] of REALM_WATCHED) {
      const fn = self[owner] && self[owner].prototype[name];
      if (typeof fn !== 'function') continue;
      const label = `${owner}.${name}`;
      if (toString.call(fn) !== `function ${name}() {\n    [native code]\n}`) lies.push(`${label} toString is not native`);
      if (Reflect.ownKeys(fn).join() !== nativeKeys) lies.push(`${label} has own keys ${Reflect.ownKeys(fn).join()}`);
      if (fn.name !== name || fn.length !== length) lies.push(`${label} is ${fn.name}/${fn.length}`);
      try {
        new fn();
        lies.push(`${label} is a constructor`);
      } catch (e) {
        if (!(e instanceof TypeError)) lies.push(`${label} construct threw ${e && e.constructor && e.constructor.name}`);
      }
      if (owner === 'Function') continue;
      try {
        const result = fn.call({});
        if (!(result instanceof Promise)) lies.push(`${label} accepts a foreign receiver`);
        else result.catch(() => undefined);
      } catch (e) {
        if (!(e instanceof TypeError)) lies.push(`${label} on a foreign receiver threw ${e && e.constructor && e.constructor.name}`);
        // A native adds no frame: the newest frame is the caller's.
        const top = String(e && e.stack).split('\n')[0];
        if (!/^(readRealm\/)?nativeLies@/.test(top)) lies.push(`${label} leaves a frame of its own in a stack trace: ${top}`);
      }
    }
    return lies;
  }
  const nav = self.navigator;
  const intl = Intl.DateTimeFormat().resolvedOptions();
  let canvas = null;
  if (typeof OffscreenCanvas === 'function') {
    const c = new OffscreenCanvas(240, 60);
    const x = c.getContext('2d');
    x.fillStyle = '#f60';
    x.fillRect(100, 1, 62, 20);
    x.fillStyle = '#069';
    x.font = '11pt Arial';
    x.fillText('Cwm fjordbank glyphs vext quiz', 2, 15);
    const data = x.getImageData(0, 0, 240, 60).data;
    let h = 2166136261;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    canvas = h.toString(16);
  }
  return {
    userAgent: nav.userAgent,
    platform: nav.platform,
    appVersion: nav.appVersion,
    language: nav.language,
    languages: [...nav.languages],
    hardwareConcurrency: nav.hardwareConcurrency,
    intlLocale: intl.locale,
    timeZone: intl.timeZone,
    hourCycle: Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle,
    dateString: new Date(0).toString(),
    webdriver: 'webdriver' in nav ? nav.webdriver : 'absent',
    canvas,
    nativeLies: nativeLies(),
  };
}
