import { isUtf8 } from 'node:buffer';
import type { WebSocket } from 'ws';
import { WEBSOCKET } from '../../model/awsLimits.js';
import type { Timer } from '../../shared/clock.js';
import type { ConnectionFacts } from './websocketEvents.js';

/** A live connection and what the `@connections` API reports of it. */
export interface Connection {
  readonly facts: ConnectionFacts;
  readonly socket: WebSocket;
  lastActiveAt: number;
  idleTimer: Timer | undefined;
  readonly maxTimer: Timer;
}

export type PostOutcome = 'sent' | 'gone' | 'too-large';

/** What GetConnection answers. */
export interface ConnectionInfo {
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
}

/**
 * The open connections of the WebSocket API, by connection id: what the `@connections` management API posts to,
 * describes and disconnects. A closed connection is gone at once (410 for any later call).
 */
export class ConnectionRegistry {
  private readonly connections = new Map<string, Connection>();
  private readonly onActivity: (connection: Connection) => void;

  /** `onActivity` runs on every message sent, so the gateway can restart the idle timer. */
  constructor(onActivity: (connection: Connection) => void) {
    this.onActivity = onActivity;
  }

  add(connection: Connection): void {
    this.connections.set(connection.facts.connectionId, connection);
  }

  remove(connectionId: string): Connection | undefined {
    const connection = this.connections.get(connectionId);
    this.connections.delete(connectionId);
    return connection;
  }

  get size(): number {
    return this.connections.size;
  }

  all(): Connection[] {
    return [...this.connections.values()];
  }

  /** Sends data to the client: a text frame when it is UTF-8, binary otherwise. */
  post(connectionId: string, data: Buffer): PostOutcome {
    const connection = this.connections.get(connectionId);
    if (connection === undefined || connection.socket.readyState !== connection.socket.OPEN) return 'gone';
    if (data.length > WEBSOCKET.maxMessageBytes) return 'too-large';
    connection.socket.send(data, { binary: !isUtf8(data) });
    this.onActivity(connection);
    return 'sent';
  }

  info(connectionId: string): ConnectionInfo | undefined {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return undefined;
    return {
      connectedAt: connection.facts.connectedAt,
      lastActiveAt: connection.lastActiveAt,
      sourceIp: connection.facts.sourceIp,
      userAgent: connection.facts.userAgent,
    };
  }

  /** Closes the connection as DeleteConnection does; false when it is already gone. */
  disconnect(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return false;
    connection.socket.close(1000, 'Connection closed by the API');
    return true;
  }
}
