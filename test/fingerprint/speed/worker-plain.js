importScripts('/tasks.js');
const answer = (event) => event.ports[0].postMessage(timeTask(event.data));
self.onmessage = answer;
self.onconnect = (event) => (event.ports[0].onmessage = answer);
