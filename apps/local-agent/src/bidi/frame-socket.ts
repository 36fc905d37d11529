/**
 * Long: a bounded WebSocket framing (RFC 6455) for the multiplexer, kept whole so that every size
 * bound is checked in one reading order.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import http, { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/*
 * WebSocket framing for the multiplexer, written here because no maintained library reads a
 * message as a stream: `ws` buffers a whole message and ends the connection past its limit.
 * Firefox's BiDi session cannot be attached again once its connection ends, so one message too
 * large for the agent (an eval returning 120 MB, a page logging 110 MB) must be stepped over with
 * the connection kept; and a client's oversized command must be refused without the agent ever
 * holding it. Text and binary messages, fragmentation, ping/pong and the close handshake are
 * handled (RFC 6455); extensions (compression) are never negotiated.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How much of an oversized message is kept: enough to read its `type`, `id` and `method`. */
const HEAD_BYTES = 4096;
const CLOSE_GRACE_MS = 1000;

export interface FrameSocketOptions {
  /** A client masks what it sends and takes only unmasked frames; a server the reverse. */
  role: 'client' | 'server';
  maxMessageBytes: number;
}

/** The start of a message that was too large to take, and how large it was. */
export interface Oversized {
  head: string;
  bytes: number;
}

export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** One WebSocket connection over a socket whose handshake is done. */
export class FrameSocket {
  onMessage: (text: string) => void = () => undefined;
  onOversized: (message: Oversized) => void = () => undefined;
  onClose: () => void = () => undefined;

  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** The frame being read: its header once known, and the payload bytes still to come. */
  private frame: { opcode: number; fin: boolean; mask: Buffer | null; remaining: number; maskOffset: number } | null = null;
  private control: Buffer[] = [];
  /** The data message being assembled: its parts (null once it is known to be too large), size and head. */
  private message: { parts: Buffer[] | null; bytes: number; head: Buffer[]; headBytes: number } | null = null;
  private closed = false;
  private closeSent = false;

  constructor(
    private readonly socket: Duplex,
    private readonly options: FrameSocketOptions,
    head?: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.finish());
    if (head && head.length > 0) this.receive(head);
  }

  get open(): boolean {
    return !this.closed && !this.closeSent;
  }

  /** Bytes written but not yet taken by the peer: how far behind a reader is. */
  get pendingBytes(): number {
    return (this.socket as Duplex & { writableLength: number }).writableLength;
  }

  send(text: string | Buffer): void {
    if (!this.open) return;
    this.write(0x1, typeof text === 'string' ? Buffer.from(text) : text);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed || this.closeSent) return;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.write(0x8, body);
    this.closeSent = true;
    this.socket.end();
    setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks.length = 0;
    this.message = null;
    this.onClose();
  }

  private write(opcode: number, payload: Buffer): void {
    const masked = this.options.role === 'client';
    const length = payload.length;
    const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
    const header = Buffer.alloc(2 + extra + (masked ? 4 : 0));
    header[0] = 0x80 | opcode;
    header[1] = (masked ? 0x80 : 0) | (extra === 0 ? length : extra === 2 ? 126 : 127);
    if (extra === 2) header.writeUInt16BE(length, 2);
    if (extra === 8) header.writeBigUInt64BE(BigInt(length), 2);
    let body = payload;
    if (masked) {
      const key = header.subarray(2 + extra);
      randomFillSync(key);
      body = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i++) body[i] = payload[i] ^ key[i & 3];
    }
    this.socket.cork();
    this.socket.write(header);
    if (length > 0) this.socket.write(body);
    this.socket.uncork();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.step());
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error.code : 1002, (error as Error).message);
    }
  }

  /** Reads what the buffered bytes allow; false when it needs more. */
  private step(): boolean {
    if (this.closed) return false;
    if (!this.frame) return this.readHeader();
    const take = Math.min(this.frame.remaining, this.buffered);
    if (take === 0 && this.frame.remaining > 0) return false;
    const payload = this.take(take);
    const { mask } = this.frame;
    // What is only being stepped over is never unmasked beyond the head that is kept of it.
    const skipping = this.frame.opcode < 0x8 && !this.message?.parts;
    const used = skipping ? Math.max(0, Math.min(payload.length, HEAD_BYTES - this.message!.headBytes)) : payload.length;
    if (mask) for (let i = 0; i < used; i++) payload[i] ^= mask[(this.frame.maskOffset + i) & 3];
    this.frame.maskOffset += payload.length;
    this.frame.remaining -= payload.length;
    if (this.frame.opcode >= 0x8) this.control.push(payload);
    else this.collect(payload);
    if (this.frame.remaining === 0) this.endFrame();
    return true;
  }

  private readHeader(): boolean {
    if (this.buffered < 2) return false;
    const start = this.peek(Math.min(this.buffered, 14));
    const fin = (start[0] & 0x80) !== 0;
    const opcode = start[0] & 0x0f;
    if ((start[0] & 0x70) !== 0) throw new ProtocolError(1002, 'reserved bits set (no extension was agreed)');
    const masked = (start[1] & 0x80) !== 0;
    if (masked !== (this.options.role === 'server'))
      throw new ProtocolError(1002, masked ? 'masked frame from a server' : 'unmasked frame');
    let length = start[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (start.length < 4) return false;
      length = start.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (start.length < 10) return false;
      const big = start.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(1009, 'frame length out of range');
      length = Number(big);
      offset = 10;
    }
    if (masked && start.length < offset + 4) return false;
    const mask = masked ? Buffer.from(start.subarray(offset, offset + 4)) : null;
    this.take(offset + (masked ? 4 : 0));
    if (opcode >= 0x8) {
      if (!fin || length > 125) throw new ProtocolError(1002, 'fragmented or long control frame');
      if (opcode > 0xa) throw new ProtocolError(1002, `unknown opcode ${opcode}`);
    } else if (opcode === 0x0) {
      if (!this.message) throw new ProtocolError(1002, 'continuation without a message');
    } else if (opcode === 0x1 || opcode === 0x2) {
      if (this.message) throw new ProtocolError(1002, 'new message inside a fragmented one');
      this.message = { parts: [], bytes: 0, head: [], headBytes: 0 };
    } else {
      throw new ProtocolError(1002, `unknown opcode ${opcode}`);
    }
    if (opcode < 0x8 && this.message) {
      this.message.bytes += length;
      // Too large: from here on only its head is kept, the rest is read and dropped.
      if (this.message.bytes > this.options.maxMessageBytes) this.message.parts = null;
    }
    this.frame = { opcode, fin, mask, remaining: length, maskOffset: 0 };
    if (length === 0) this.endFrame();
    return true;
  }

  private collect(payload: Buffer): void {
    const message = this.message!;
    if (message.headBytes < HEAD_BYTES) {
      const part = payload.subarray(0, HEAD_BYTES - message.headBytes);
      message.head.push(part);
      message.headBytes += part.length;
    }
    message.parts?.push(payload);
  }

  private endFrame(): void {
    const frame = this.frame!;
    this.frame = null;
    if (frame.opcode >= 0x8) {
      const body = Buffer.concat(this.control);
      this.control = [];
      return this.onControl(frame.opcode, body);
    }
    if (!frame.fin) return;
    const message = this.message!;
    this.message = null;
    if (message.parts) this.onMessage(Buffer.concat(message.parts, message.bytes).toString('utf8'));
    else this.onOversized({ head: Buffer.concat(message.head).toString('utf8'), bytes: message.bytes });
  }

  private onControl(opcode: number, body: Buffer): void {
    if (opcode === 0x9) {
      if (this.open) this.write(0xa, body);
    } else if (opcode === 0x8) {
      if (!this.closeSent) {
        this.write(0x8, body.subarray(0, 2));
        this.closeSent = true;
      }
      this.socket.end();
      setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
    }
  }

  private fail(code: number, reason: string): void {
    this.close(code, reason.slice(0, 120));
    this.chunks.length = 0;
    this.buffered = 0;
    this.closed = true;
    this.onClose();
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0].length >= bytes) return this.chunks[0].subarray(0, bytes);
    // Join only the first chunks, as many as the header needs: never the whole buffer.
    let count = 0;
    for (let have = 0; have < bytes && count < this.chunks.length; count++) have += this.chunks[count].length;
    const joined = Buffer.concat(this.chunks.slice(0, count));
    this.chunks.splice(0, count, joined);
    return joined.subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    this.buffered -= bytes;
    const first = this.chunks[0];
    if (first && first.length === bytes) return this.chunks.shift()!;
    if (first && first.length > bytes) {
      this.chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, bytes - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Opens a WebSocket to `url` (ws:// only: the agent speaks to Firefox on loopback). */
export function connectFrameSocket(url: string, options: Omit<FrameSocketOptions, 'role'>, timeoutMs: number): Promise<FrameSocket> {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  return new Promise<FrameSocket>((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
      timeout: timeoutMs,
    });
    request.once('upgrade', (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (response.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        reject(new Error(`${url} answered a WebSocket handshake that does not match`));
        return;
      }
      resolve(new FrameSocket(socket, { ...options, role: 'client' }, head));
    });
    request.once('response', (response: IncomingMessage) => {
      response.resume();
      reject(new Error(`${url} refused the WebSocket (HTTP ${response.statusCode})`));
    });
    request.once('timeout', () => request.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.end();
  });
}

/** Completes a client's handshake (the caller has checked who it is); null when it is no WebSocket handshake. */
export function acceptFrameSocket(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: Omit<FrameSocketOptions, 'role'>,
): FrameSocket | null {
  const key = request.headers['sec-websocket-key'];
  const valid =
    request.method === 'GET' &&
    String(request.headers.upgrade).toLowerCase() === 'websocket' &&
    request.headers['sec-websocket-version'] === '13' &&
    typeof key === 'string' &&
    Buffer.from(key, 'base64').length === 16;
  if (!valid) return null;
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
  );
  return new FrameSocket(socket, { ...options, role: 'server' }, head);
}
