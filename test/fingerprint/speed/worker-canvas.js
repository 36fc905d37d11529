importScripts('/tasks.js');
TASKS.read = () => {
  const canvas = new OffscreenCanvas(64, 32);
  const context = canvas.getContext('2d');
  context.fillStyle = '#f60';
  context.fillRect(2, 2, 40, 20);
  context.fillText('cos', 4, 16);
  return context.getImageData(0, 0, 64, 32).data.reduce((a, b) => (a + b) | 0, 0);
};
const answer = (event) => event.ports[0].postMessage(timeTask(event.data));
self.onmessage = answer;
self.onconnect = (event) => (event.ports[0].onmessage = answer);
