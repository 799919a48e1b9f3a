/**
 * One human log line per catch event (the command writes them to stderr). Pure formatting.
 */
import type { CatchEvent } from './server.js';

const LEG_WIDTH = 5;

/** Format `event` as one line, e.g. `left  7bace96a-… ended: 16000 bytes, 1.000 s, code 1000`. */
export function describeCatchEvent(event: CatchEvent): string {
  switch (event.type) {
    case 'stream.started': {
      const how = event.appending
        ? `appending after ${event.previousBytes} bytes${event.repaired ? ' (header repaired)' : ''}`
        : 'new file';
      return `${event.leg.padEnd(LEG_WIDTH)} ${event.id} started from ${event.remote} → ${event.file} (${how})`;
    }
    case 'stream.ended': {
      const extras = [
        event.textMessages > 0 ? `${event.textMessages} text message(s) ignored` : '',
        event.droppedBytes > 0 ? `${event.droppedBytes} byte(s) dropped` : '',
      ].filter((s) => s !== '');
      return (
        `${event.leg.padEnd(LEG_WIDTH)} ${event.id} ended: ${event.bytes} bytes, ${event.durationSeconds.toFixed(3)} s ` +
        `(file now ${event.fileBytes} bytes), close code ${event.closeCode}${extras.length ? `; ${extras.join(', ')}` : ''}`
      );
    }
    case 'stream.failed':
      return `${event.leg.padEnd(LEG_WIDTH)} ${event.id} failed: ${event.message}${event.hint ? ` (${event.hint})` : ''}`;
    case 'stream.refused':
      return `refused ${event.path} from ${event.remote}: ${event.status} ${event.reason}`;
  }
}
