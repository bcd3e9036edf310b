import { getContainerRuntimeClient } from 'testcontainers';

type Dockerode = Awaited<ReturnType<typeof getContainerRuntimeClient>>['container']['dockerode'];
type ContainerInspectInfo = Awaited<ReturnType<ReturnType<Dockerode['getContainer']>['inspect']>>;

/** One container of the stack, found by its compose labels (the same with compose v2 and 1.29). */
export interface StackContainer {
  service: string;
  id: string;
  inspect: ContainerInspectInfo;
}

async function docker(): Promise<Dockerode> {
  return (await getContainerRuntimeClient()).container.dockerode;
}

/**
 * Every container of the compose project, running or exited, by service name. A service with replicas
 * appears once (one of its containers): `projectContainerIds` lists them all.
 */
export async function stackContainers(project: string): Promise<Map<string, StackContainer>> {
  const dockerode = await docker();
  const containers = new Map<string, StackContainer>();
  for (const { Id, Labels } of await listProject(project)) {
    const service = Labels['com.docker.compose.service']!;
    containers.set(service, { service, id: Id, inspect: await dockerode.getContainer(Id).inspect() });
  }
  return containers;
}

/** The id of every container of the compose project, replicas included, running or exited. */
export async function projectContainerIds(project: string): Promise<string[]> {
  return (await listProject(project)).map(({ Id }) => Id);
}

async function listProject(project: string) {
  return (await docker()).listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
}

/** Runs a command in a running container, as the container's user (`docker exec`). */
export async function execIn(
  container: StackContainer,
  command: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const client = await getContainerRuntimeClient();
  const result = await client.container.exec(client.container.getById(container.id), command, { env });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** The numeric uid of every process of a running container, as the host's `ps` sees them (`docker top`). */
export async function processUids(container: StackContainer): Promise<{ uid: string; command: string }[]> {
  const top = (await (await docker()).getContainer(container.id).top({ ps_args: '-eo pid,uid,args' })) as {
    Titles: string[];
    Processes: string[][];
  };
  const uid = top.Titles.indexOf('UID');
  const command = top.Titles.indexOf('COMMAND');
  return top.Processes.map((row) => ({ uid: row[uid]!, command: row[command]! }));
}

/** Everything Docker keeps about a container and its image: what `docker inspect` and `docker history` show. */
export async function publicMetadata(container: StackContainer): Promise<string> {
  const dockerode = await docker();
  const image = dockerode.getImage(container.inspect.Image);
  return JSON.stringify([container.inspect, await image.inspect(), await image.history()]);
}

/** A container's log (stdout and stderr), as `docker logs` prints it. */
export async function containerLog(container: Pick<StackContainer, 'id'>): Promise<string> {
  const raw = await (
    await docker()
  )
    .getContainer(container.id)
    .logs({ stdout: true, stderr: true, follow: false });
  return demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
}

/** Docker frames the log of a container without a TTY: [stream, 0, 0, 0, size (4 bytes, big-endian), payload]. */
function demultiplex(frames: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= frames.length) {
    const size = frames.readUInt32BE(offset + 4);
    parts.push(frames.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Network name -> whether it is internal (no route out, nothing published). */
export async function networkIsInternal(name: string): Promise<boolean> {
  return ((await (await docker()).getNetwork(name).inspect()) as { Internal: boolean }).Internal;
}
