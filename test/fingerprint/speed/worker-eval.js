// Reads a canvas only from code it builds at run time: its own source names no readback.
importScripts('/tasks.js');
const code = [
  'TASKS.read = () => { const canvas = new Offscreen',
  'Canvas(64, 32); const context = canvas.get',
  "Context('2d');",
  "context.fillStyle = '#f60'; context.fillRect(2, 2, 40, 20);",
  'return context.get',
  'ImageData(0, 0, 64, 32).data.reduce((a, b) => (a + b) | 0, 0); };',
].join('');
TASKS.load = () => new Function(code)();
const answer = (event) => event.ports[0].postMessage(timeTask(event.data));
self.onmessage = answer;
self.onconnect = (event) => (event.ports[0].onmessage = answer);
