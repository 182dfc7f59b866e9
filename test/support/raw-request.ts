/**
 * A request written by hand on a socket, for what fetch cannot send: a head announcing a body that never
 * comes (is the answer given before the body is read?).
 */
import net from 'node:net';

/** Send the head of a request whose body never comes; resolve with the status line, if any, within `ms`. */
export function headOnly(address: string, head: string, ms = 3000): Promise<string | null> {
  const u = new URL(address);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(head));
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(null);
    }, ms);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(got.split('\r\n')[0]!);
      }
    });
    s.on('error', () => undefined);
  });
}
