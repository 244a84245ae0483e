/** @module Removes Docker objects by label: per job after it ends, and at runner start for leftovers. */
import type Docker from 'dockerode';

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

function ignoreMissing(error: unknown): void {
  const status = statusOf(error);
  if (status !== 404 && status !== 409) throw error;
}

/** A network can still report an endpoint for a moment after its container is gone: retry a 409 briefly. */
async function removeNetwork(docker: Docker, id: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getNetwork(id).remove();
      return;
    } catch (error) {
      if (statusOf(error) === 404) return;
      if (statusOf(error) !== 409 || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Removes every container (with its anonymous volumes), network and volume carrying `label`
 * (`key=value`). Containers go first, since a network in use cannot be removed.
 */
export async function removeByLabel(docker: Docker, label: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const filters = JSON.stringify({ label: [label] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => removeNetwork(docker, n.Id)));
  const { Volumes: volumes = [] } = await docker.listVolumes({ filters });
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove({ force: true }).catch(ignoreMissing)));
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}
