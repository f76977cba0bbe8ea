import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServerProcess = {
  child: ChildProcess;
  port: number;
  origin: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
};

const children = new Set<ChildProcess>();

/** Kills every server a test file started and left running (call from afterAll). */
export function killAllServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{'));

/**
 * Starts `node <script>` (the API by default) with `env` over a clean environment of its own, and
 * waits for its `readyMessage` log line (and `extraWait` on stdout, when given).
 */
export async function startServer(
  env: Record<string, string>,
  options: { script?: string; readyMessage?: string; extraWait?: RegExp; port?: number } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const readyMessage = options.readyMessage ?? 'listening';
  const child = spawn(process.execPath, [options.script ?? 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', TEST_DATABASE_URL: '', ADMIN_TOKEN: '', LOG_LEVEL: 'info', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 45 s\nstdout:\n${out}\nstderr:\n${err}`)), 45_000);
    const check = () => {
      // Only whole lines: a chunk may end mid-line.
      const ready = out.split('\n').slice(0, -1).some((l) => l.startsWith('{') && parseLine(l)?.msg === readyMessage);
      if (ready && (!options.extraWait || options.extraWait.test(out))) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
  return { child, port, origin: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exit };
}

/** SIGTERM, and the exit code once the process has gone (fails after `ms`). */
export async function stopServer(server: ServerProcess, ms = 10_000): Promise<number | null> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([server.exit, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') throw new Error(`server did not exit within ${ms} ms of SIGTERM\nstdout:\n${server.stdout()}`);
  return result;
}

/** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
export async function killServer(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exit;
}

export type HttpAnswer = { status: number; headers: Headers; text: string; body: any };

export async function request(origin: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: FormData | string | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${origin}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text };
}
