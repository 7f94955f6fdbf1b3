/**
 * pipeline() into a file, settled only once the file is closed. pipeline()
 * itself rejects at the first error, possibly before the write stream has even
 * opened its file; a caller that then removes the partial file would see it
 * created again by that late open (O_CREAT).
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function pipeToFile(stages: readonly (NodeJS.ReadableStream | NodeJS.ReadWriteStream)[], sink: Writable, signal?: AbortSignal): Promise<void> {
  try {
    await pipeline([...stages, sink] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { signal });
  } catch (error) {
    await closed(sink);
    throw error;
  }
}

function closed(sink: Writable): Promise<void> {
  if (sink.closed) return Promise.resolve();
  return new Promise((resolve) => {
    sink.once('close', () => resolve());
    sink.destroy();
  });
}
