// Starts a worker of a kind from a script and sends it commands, each answered with { ms, value }.
window.startWorker = async (kind, script) => {
  let target;
  if (kind === 'dedicated') target = new Worker(script);
  else if (kind === 'shared') {
    const shared = new SharedWorker(script, { name: String(Math.random()) });
    target = shared.port;
    target.start();
  } else if (kind === 'blob') {
    const text = (await (await fetch(script)).text()).replaceAll("importScripts('/", `importScripts('${location.origin}/`);
    target = new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));
  } else {
    const registration = await navigator.serviceWorker.register(script, { scope: `/sw/${Math.random()}/` });
    const worker = registration.installing ?? registration.waiting ?? registration.active;
    while (worker.state !== 'activated') await new Promise((r) => worker.addEventListener('statechange', r, { once: true }));
    target = worker;
  }
  window.workerTarget = target;
};
window.send = (command) =>
  new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    setTimeout(() => reject(new Error(`no answer to ${command}`)), 120_000);
    window.workerTarget.postMessage(command, [channel.port2]);
  });
