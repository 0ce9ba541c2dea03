// Child processes for servers and build tools: output to a log file (not our stdout, which would
// drown test output), readiness by TCP port with a hard deadline, and a graceful stop that escalates.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LoggedProcess {
  child: ChildProcess;
  logFile: string;
  /** Settles when the process exits; never rejects (spawn errors become code null). */
  exited: Promise<Exit>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  stop(graceMs?: number): Promise<Exit>;
}

// Servers we started must not outlive us when a test run crashes or is interrupted; 'exit'
// handlers must be synchronous, hence a plain list of sync callbacks.
const exitHooks = new Set<() => void>();
let exitHookInstalled = false;

/** Run `hook` synchronously when this process exits, unless removed with the returned function. */
export function onProcessExit(hook: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const h of exitHooks) {
        try {
          h();
        } catch {
          // best effort: we are exiting anyway
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise<Exit>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('error', () => resolveExit({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

/** Spawn `command` with stdout and stderr appended to `logFile`. */
export function spawnLogged(
  command: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): LoggedProcess {
  // The child writes straight into the file, so nothing is lost if our event loop is busy.
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    const spawnOptions: SpawnOptions = {
      stdio: ['ignore', fd, fd],
      env: options.env,
      cwd: options.cwd,
    };
    child = spawn(command, args, spawnOptions);
  } finally {
    closeSync(fd);
  }
  const exited = exitOf(child);
  const removeHook = onProcessExit(() => child.kill('SIGKILL'));
  void exited.then(removeHook);
  return {
    child,
    logFile: options.logFile,
    exited,
    stop: (graceMs = 10_000) => stopGracefully(child, exited, graceMs),
  };
}

async function stopGracefully(
  child: ChildProcess,
  exited: Promise<Exit>,
  graceMs: number,
): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return await exited;
  child.kill('SIGTERM');
  // A plain timer that we clear: a pending one would keep the caller's process alive for graceMs.
  const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(escalate);
  }
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolveConnect) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Poll until something accepts TCP connections on host:port. Fails early if `exited` settles
 * (the server died: waiting longer cannot help) and at `deadline` (epoch ms).
 */
export async function waitForPort(
  port: number,
  host: string,
  deadline: number,
  exited?: Promise<Exit>,
): Promise<void> {
  let exit: Exit | undefined;
  void exited?.then((e) => (exit = e));
  for (;;) {
    if (exit)
      throw new Error(
        `process exited (code ${exit.code}, signal ${exit.signal}) before listening on ${host}:${port}`,
      );
    if (await canConnect(port, host)) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listening on ${host}:${port} before the deadline`);
    await delay(100);
  }
}

/** Last `lines` lines of a log file, for error messages ("" if it cannot be read). */
export async function tailFile(path: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
}

/**
 * Run a command to completion, capturing its output. `onLine` sees each output line as it
 * arrives (to echo progress of long builds). Spawn failures reject; non-zero exits do not.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
    cwd: options.cwd,
  });
  let output = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    if (!options.onLine) return;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) options.onLine(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return await new Promise<RunResult>((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (partial && options.onLine) options.onLine(partial);
      resolveRun({ code, signal, output });
    });
  });
}

/** Like {@link run}, but rejects with the command and the tail of its output unless it exits 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = result.output.trimEnd().split('\n').slice(-30).join('\n');
    throw new Error(
      `\`${[command, ...args].join(' ')}\` failed (exit ${result.code ?? result.signal})\n${tail}`,
    );
  }
  return result.output;
}
