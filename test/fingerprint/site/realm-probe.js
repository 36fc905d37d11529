// What a detection script reads in any realm (window, iframe, worker): the values that must agree
// everywhere, and a canvas drawn the same way in each realm.
/* global self, OffscreenCanvas */
async function readRealm() {
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
  };
}
