// Past 300 lines on purpose: one line's whole life (upgrade, messages, sending, end) in one place, so its states are read together.
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { DEVICE_LINE_MESSAGE_MAX, DEVICE_LINE_PATH, DomainError, failure, LINE_CLOSE, parseAgentMessage, ResultCode } from '@cos/contracts';
import type { AgentLineMessage, ApiEnvelope, CloudLineMessage } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { BearerCaller } from '../auth/bearer-caller';
import { ClusterBus } from '../cluster/cluster-bus';
import { CloudConfig } from '../config/cloud-config';
import { DevicePresence } from './device-presence';
import { PerUserCount } from './per-user-count';
import { refuse } from './upgrade-refusal';

/** One agent's line on this instance. */
interface Line {
  id: string;
  ws: WebSocket;
  auth: AuthContext;
  /** Set by the hello. */
  helloed: boolean;
  closed: boolean;
  /** Its end was recorded. */
  released: boolean;
  inFlight: number;
  /** Messages are handled one after another, in the order they came. */
  chain: Promise<void>;
  pumping: boolean;
  pumpAgain: boolean;
  /** Messages read and not handled yet: past `PENDING_MAX` the socket is not read until they are. */
  pending: number;
  /** When the last heartbeat was written; one sooner than half a heartbeat after it, telling the same capacity, is answered without a write. */
  lastBeat: number;
  lastCapacity: string;
  silence?: NodeJS.Timeout;
  /** Why the cloud let it go, recorded with `device.offline`; unset when the device closed it. */
  endReason?: string;
}

/**
 * The device lines this instance holds: the WebSocket upgrade at `/device/line` (Bearer auth, no
 * `Origin`), each line's hello, heartbeats and answers, and sending the commands queued for its
 * device. A device has one line: a newer one (here or on another instance) takes the row, and the
 * older line is closed when it next speaks or at once when it is here. A line silent past
 * `DEVICE_OFFLINE_SECONDS` is dropped.
 */
@Injectable()
export class DeviceLines implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeviceLines.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: DEVICE_LINE_MESSAGE_MAX, perMessageDeflate: false });
  private readonly lines = new Map<string, Line>();
  private readonly perUser = new PerUserCount();
  private stopping = false;

  constructor(
    private readonly bearer: BearerCaller,
    private readonly presence: DevicePresence,
    bus: ClusterBus,
    private readonly config: CloudConfig,
  ) {
    bus.subscribe((event) => {
      if (event.kind === 'device-command') {
        const line = this.lines.get(event.deviceId);
        if (line) this.pump(line);
      } else if (event.kind === 'session-ended' || event.kind === 'user-changed') {
        for (const line of this.lines.values()) {
          const affected = event.kind === 'session-ended' ? line.auth.sessionId === event.sessionId : line.auth.userId === event.userId;
          if (affected) this.enqueue(line, async () => void (await this.recheck(line)));
        }
      }
    });
    // What was published while the cluster listener was down never came: every line's caller is loaded again.
    bus.onResumed(() => {
      for (const line of this.lines.values()) this.enqueue(line, async () => void (await this.recheck(line)));
    });
  }

  /** Takes WebSocket upgrades at `/device/line` on the cloud's HTTP server; any other upgrade is 404. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(request, socket, head));
  }

  /**
   * Before the HTTP server closes: it waits for every connection, and an upgraded line is one that
   * would never end by itself.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    // The agents come back to another instance after their backoff.
    for (const line of this.lines.values()) line.ws.close(LINE_CLOSE.stopping, 'cloud instance stopping');
  }

  /** Lines held here (for `/health`-like checks and tests). */
  get size(): number {
    return this.lines.size;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const path = (request.url ?? '').split('?')[0];
    if (path !== DEVICE_LINE_PATH) return refuse(socket, 404, failure(ResultCode.NotFound, 'Not found'));
    // Browsers always send Origin on a WebSocket: a web page has no business on a device line.
    if (request.headers.origin !== undefined)
      return refuse(socket, 403, failure(ResultCode.Forbidden, 'Device lines are not for web pages'));
    if (this.stopping) return refuse(socket, 503, failure(ResultCode.Unavailable, 'Cloud instance stopping; connect again'));
    let auth: AuthContext;
    try {
      auth = await this.bearer.of(request.headers.authorization);
    } catch (error) {
      const known = error instanceof DomainError;
      if (!known) this.logger.warn(`device line sign-in failed: ${(error as Error).message}`);
      return refuse(socket, known ? 401 : 503, failure(known ? error.code : ResultCode.Unavailable, known ? error.message : 'Try again'));
    }
    const max = this.config.env.DEVICE_LINES_PER_USER;
    // Taken here, before any wait: concurrent upgrades of one user cannot all pass the bound.
    if (!this.perUser.take(auth.userId, max))
      return refuse(socket, 429, failure(ResultCode.Throttled, `Too many device lines for this user (at most ${max})`));
    if (socket.destroyed) return this.perUser.give(auth.userId);
    // A handshake ws refuses (a bad key, say) never reaches `start`: its place is given back when the socket goes.
    let started = false;
    socket.once('close', () => started || this.perUser.give(auth.userId));
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      started = true;
      this.start(ws, auth);
    });
  }

  private start(ws: WebSocket, auth: AuthContext): void {
    const line: Line = {
      id: randomUUID(),
      ws,
      auth,
      helloed: false,
      closed: false,
      released: false,
      inFlight: 0,
      chain: Promise.resolve(),
      pumping: false,
      pumpAgain: false,
      pending: 0,
      lastBeat: 0,
      lastCapacity: '',
    };
    this.listen(line);
    ws.on('message', (data, isBinary) => {
      this.listen(line);
      if (isBinary) return this.drop(line, LINE_CLOSE.protocol, 'text frames only');
      const message = parseAgentMessage((data as Buffer).toString('utf8'));
      if (typeof message === 'string') return this.drop(line, LINE_CLOSE.protocol, message);
      // What waits is bounded: a line that sends faster than it is handled is not read meanwhile (TCP holds the rest).
      if (++line.pending >= PENDING_MAX) ws.pause();
      this.enqueue(line, async () => {
        try {
          await this.handle(line, message);
        } finally {
          if (--line.pending === PENDING_RESUME) ws.resume();
        }
      });
    });
    ws.on('error', () => undefined);
    ws.on('close', () => void this.ended(line));
  }

  /** (Re)arms the silence timer: a line not heard within the offline window is dropped. */
  private listen(line: Line): void {
    clearTimeout(line.silence);
    line.silence = setTimeout(() => this.drop(line, LINE_CLOSE.silent, 'nothing heard'), this.presence.offlineSeconds * 1000);
    line.silence.unref();
  }

  private enqueue(line: Line, step: () => Promise<void>): void {
    line.chain = line.chain
      .then(() => (line.closed ? undefined : step()))
      .catch((error: Error) => {
        // The database failing under a line proves nothing about the device: it comes back after its backoff.
        this.logger.warn(`device line ${line.auth.deviceId}: ${error.message}`);
        this.drop(line, 1011, 'cloud error; connect again');
      });
  }

  private async handle(line: Line, message: AgentLineMessage): Promise<void> {
    if (message.type !== 'hello' && !line.helloed) return this.drop(line, LINE_CLOSE.protocol, 'hello first');
    switch (message.type) {
      case 'hello': {
        if (line.helloed) return this.drop(line, LINE_CLOSE.protocol, 'one hello per line');
        const { auth } = line;
        await this.presence.hello(auth, line.id, message);
        // Ended while its hello was written: nobody holds the device through it.
        if (line.closed) return this.presence.gone(auth, line.id, line.endReason ?? 'line closed');
        const earlier = this.lines.get(auth.deviceId);
        this.lines.set(auth.deviceId, line);
        line.helloed = true;
        if (earlier && earlier !== line) this.drop(earlier, LINE_CLOSE.replaced, 'a newer line of this device took over');
        this.send(line, { type: 'welcome', deviceId: auth.deviceId, heartbeatMs: this.presence.heartbeatMs });
        this.pump(line);
        return;
      }
      case 'heartbeat': {
        const now = Date.now();
        const capacity = JSON.stringify(message.capacity);
        if (now - line.lastBeat < this.presence.heartbeatMs / 2 && capacity === line.lastCapacity) return this.send(line, { type: 'ack' });
        line.lastBeat = now;
        line.lastCapacity = capacity;
        if (!(await this.presence.heard(line.auth, line.id, message.capacity)))
          return this.drop(line, LINE_CLOSE.replaced, 'a newer line of this device took over');
        if (!(await this.recheck(line))) return;
        this.send(line, { type: 'ack' });
        this.pump(line);
        return;
      }
      case 'answer': {
        const answer: ApiEnvelope = { code: message.code, msg: message.msg, data: message.data };
        if (await this.presence.answer(line.auth, line.id, message.commandId, answer)) {
          line.inFlight = Math.max(0, line.inFlight - 1);
          this.pump(line);
        }
        // An answer to nothing sent on this line (late, repeated or made up) changes nothing.
        return;
      }
    }
  }

  /** The line's caller loaded again; a caller that no longer stands (signed out, removed) loses the line. */
  private async recheck(line: Line): Promise<boolean> {
    const fresh = await this.bearer.reload(line.auth);
    if (!fresh || fresh.deviceId !== line.auth.deviceId) {
      this.drop(line, LINE_CLOSE.signedOut, 'session ended; sign in again');
      return false;
    }
    line.auth = fresh;
    return true;
  }

  /** Sends the device's queued commands, as many as its in-flight bound leaves room for. One pump per line at a time. */
  private pump(line: Line): void {
    if (!line.helloed || line.closed) return;
    if (line.pumping) {
      line.pumpAgain = true;
      return;
    }
    line.pumping = true;
    void (async () => {
      try {
        do {
          line.pumpAgain = false;
          const claimed = await this.presence.claim(line.auth, line.id, line.inFlight);
          if (line.closed) {
            // Claimed as the line ended: never sent, so queued again for the device's next line.
            await this.presence.requeue(
              line.auth,
              claimed.map((c) => c.commandId),
            );
            return;
          }
          for (const command of claimed) {
            line.inFlight += 1;
            this.send(line, command);
          }
        } while (line.pumpAgain && !line.closed);
      } catch (error) {
        this.logger.warn(`device line ${line.auth.deviceId}: commands not sent (${(error as Error).message})`);
      } finally {
        line.pumping = false;
      }
    })();
  }

  private send(line: Line, message: CloudLineMessage): void {
    if (line.closed || line.ws.readyState !== WebSocket.OPEN) return;
    // A peer that does not read what it is sent is let go before what waits for it grows.
    if (line.ws.bufferedAmount > UNREAD_MAX) return this.drop(line, LINE_CLOSE.silent, 'not reading');
    line.ws.send(JSON.stringify(message));
  }

  private drop(line: Line, code: number, reason: string): void {
    if (line.closed) return;
    line.closed = true;
    line.endReason = reason;
    clearTimeout(line.silence);
    if (code === LINE_CLOSE.silent) line.ws.terminate();
    else line.ws.close(code, reason);
    // 'close' may come late (a peer that never answers the closing handshake): the line is let go now.
    void this.ended(line);
  }

  /** Once per line: what it was sent and never answered is lost, and its device is offline unless a newer line holds it. */
  private async ended(line: Line): Promise<void> {
    if (line.released) return;
    line.released = true;
    line.closed = true;
    clearTimeout(line.silence);
    if (line.ws.readyState === WebSocket.OPEN) line.ws.terminate();
    this.perUser.give(line.auth.userId);
    if (this.lines.get(line.auth.deviceId) === line) this.lines.delete(line.auth.deviceId);
    if (!line.helloed) return;
    try {
      await this.presence.gone(line.auth, line.id, line.endReason ?? 'line closed');
    } catch (error) {
      // The row goes stale by itself: the device reads offline once the offline window passes.
      this.logger.warn(`device line ${line.auth.deviceId}: end not recorded (${(error as Error).message})`);
    }
  }
}

/** Messages of one line read and not yet handled, at most; reading resumes when this many are left. */
const PENDING_MAX = 16;
const PENDING_RESUME = 4;
/** Bytes sent to a line and not taken by its peer, at most. */
const UNREAD_MAX = 256 * 1024;
