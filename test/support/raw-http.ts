import { connect } from 'node:net';

/** One HTTP answer as the bytes on the wire say it, for what inject() cannot show. */
export interface RawAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Resolves once the server has closed the socket. */
  closed: Promise<void>;
}

/**
 * Writes `request` as is on a new socket to 127.0.0.1:`port` and resolves with the first
 * answer (read up to its Content-Length). Errors after the answer arrived (the server closing
 * while the client still writes) are expected and ignored.
 */
export function rawRequest(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = Buffer.alloc(0);
    let answered = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const tryParse = (): void => {
      const end = received.indexOf('\r\n\r\n');
      if (answered || end === -1) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < end + 4 + length) return;
      answered = true;
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
        closed,
      });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse();
    });
    socket.on('error', (error) => {
      if (!answered) reject(error);
    });
    socket.on('close', () => {
      if (!answered) reject(new Error(`closed without an answer: ${received.toString('latin1')}`));
    });
  });
}
