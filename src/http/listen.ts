/** Where the daemon's HTTP endpoint binds: always an explicit address, never "all". */
export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:9469", "[::1]:9469", "localhost:9469"; port 0 picks a free one (tests). */
export function parseListen(text: string): ListenAddress | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return `listen: "${text}" is not host:port (e.g. 127.0.0.1:9469)`;
  const port = Number(match[3]);
  if (port > 65535) return `listen: port ${port} is out of range (0 to 65535)`;
  return { host: match[1] ?? match[2]!, port };
}
