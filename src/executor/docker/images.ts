/** @module Makes an image available: used as is when present locally, pulled otherwise (with progress in the job log). */
import type Docker from 'dockerode';
import { ExecutorError } from '../executor.js';

export async function ensureImage(docker: Docker, image: string, log: (line: string) => void): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  log(`Pulling image ${image}`);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve()), (event: { status?: string; id?: string }) => {
        if (event.status && /Downloaded newer image|Image is up to date|Pull complete/.test(event.status)) log(`${event.id ? `${event.id}: ` : ''}${event.status}`);
      });
    });
  } catch (error) {
    throw new ExecutorError(`Could not pull image ${image}: ${(error as Error).message}`, false);
  }
}
