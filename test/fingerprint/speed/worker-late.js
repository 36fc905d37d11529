// Reads a canvas only once told to, from a script it imports then.
importScripts('/tasks.js');
TASKS.load = () => importScripts('/canvas-task.js');
const answer = (event) => event.ports[0].postMessage(timeTask(event.data));
self.onmessage = answer;
self.onconnect = (event) => (event.ports[0].onmessage = answer);
