// One script for the three worker kinds; each answers with what it reads.
/* global importScripts, readRealm, self */
importScripts('/realm-probe.js');
const answer = (port) => readRealm().then((values) => port.postMessage(values));
self.onmessage = (event) => answer(event.ports && event.ports[0] ? event.ports[0] : self);
self.onconnect = (event) => {
  const port = event.ports[0];
  port.onmessage = () => answer(port);
  port.start();
};
