// The Java time-skipping test server, resolved from Maven Central (reachable here, unlike the
// GitHub release downloads the Temporal SDK would use) and started through a small launcher script.
import { createHash } from 'node:crypto';
import {
  access,
  chmod,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCacheDir } from './cache.ts';
import { getFreePort } from './free-port.ts';
import { withLock } from './lock.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { runChecked, spawnLogged, tailFile, waitForPort } from './process.ts';
import { findOnPath, isExecutableFile } from './which.ts';

export const TEST_SERVER_VERSION = '1.38.0';

// The SDK gives the server ~5 s to open its port, on CI machines that are busy running tests:
// trade peak speed for start-up (C1 only, serial GC, small stacks). The server is a short-lived mock.
const JVM_FLAGS = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Xss512k',
  '-XX:+UseContainerSupport',
];
const MAIN_CLASS = 'io.temporal.testserver.TestServer';

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.billwright</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
    <!-- Binds SLF4J to a silent logger: without a binding it prints three warning lines to
         stderr on every start, in the middle of test output. Same version as the server's API. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;

/**
 * Path of an executable that starts the time-skipping test server on the port given as its
 * first argument (what the SDK's `existing-path` executable expects). `$TEMPORAL_TEST_SERVER_PATH`
 * overrides. Undefined when java (or, on a cold cache, mvn) is missing: the caller then falls
 * back to the SDK's download.
 */
export async function ensureTimeSkippingTestServer(): Promise<string | undefined> {
  const override = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (override) {
    if (!(await isExecutableFile(override))) {
      throw new Error(`TEMPORAL_TEST_SERVER_PATH=${override} is not an executable file`);
    }
    return override;
  }
  const java = await findJava();
  if (!java) return undefined;
  const dir = await ensureCacheDir('temporal-test-server', TEST_SERVER_VERSION);
  return await withLock(join(dir, '.lock'), `resolving the Temporal test server`, async () => {
    const classpath = (await readClasspath(dir)) ?? (await resolveClasspath(dir));
    if (classpath === undefined) return undefined;
    const archive = await ensureClassDataArchive(dir, java, classpath);
    const launcher = join(dir, 'launcher');
    await writeIfChanged(launcher, launcherScript(java, classpath, archive));
    return launcher;
  });
}

async function findJava(): Promise<string | undefined> {
  const home = process.env.JAVA_HOME;
  if (home && (await isExecutableFile(join(home, 'bin', 'java')))) return join(home, 'bin', 'java');
  return await findOnPath('java');
}

/**
 * The cached classpath, if it was resolved from the current POM and every jar on it is still
 * in the local Maven repository.
 */
async function readClasspath(dir: string): Promise<string | undefined> {
  let classpath: string;
  try {
    if ((await readFile(join(dir, 'pom.xml'), 'utf8')) !== POM) return undefined;
    classpath = (await readFile(join(dir, 'classpath.txt'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!classpath) return undefined;
  try {
    await Promise.all(classpath.split(':').map((jar) => access(jar)));
    return classpath;
  } catch {
    return undefined; // ~/.m2 was cleaned: resolve again
  }
}

async function resolveClasspath(dir: string): Promise<string | undefined> {
  const mvn = await findOnPath('mvn');
  if (!mvn) return undefined;
  progress(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven…`);
  const started = Date.now();
  await writeFile(join(dir, 'pom.xml'), POM);
  // Maven writes the file itself; we only trust it after a zero exit, so write it under another name.
  await rm(join(dir, 'classpath.txt.partial'), { force: true });
  await runChecked(
    mvn,
    ['-B', '-q', 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt.partial'],
    { cwd: dir },
  );
  await rename(join(dir, 'classpath.txt.partial'), join(dir, 'classpath.txt'));
  progress(`resolved the test server classpath in ${formatDuration(Date.now() - started)}`);
  return await readClasspath(dir);
}

/**
 * Application Class Data Sharing: the classes loaded during one start-up are dumped to an
 * archive that later JVMs map instead of parsing jars (start-up measured 0.6 s -> 0.3 s).
 * Java 17 has no -XX:+AutoCreateSharedArchive (JDK 19), so we record the archive ourselves once.
 * Best effort: without it the server still starts, only slower. The archive is only valid for the
 * exact JVM, flags and classpath, so those are in its name.
 */
async function ensureClassDataArchive(
  dir: string,
  java: string,
  classpath: string,
): Promise<string | undefined> {
  const javaReal = await realpath(java);
  const javaStat = await stat(javaReal);
  const key = createHash('sha256')
    .update([javaReal, javaStat.size, javaStat.mtimeMs, ...JVM_FLAGS, classpath].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const archive = join(dir, `cds-${key}.jsa`);
  if (await exists(archive)) return archive;
  if (await exists(`${archive}.failed`)) return undefined; // tried before: do not retry every run

  const started = Date.now();
  const partial = `${archive}.partial`;
  const logFile = join(dir, 'cds-training.log');
  await rm(partial, { force: true });
  await rm(logFile, { force: true });
  const port = await getFreePort();
  const server = spawnLogged(
    java,
    [
      ...JVM_FLAGS,
      `-XX:ArchiveClassesAtExit=${partial}`,
      '-cp',
      classpath,
      MAIN_CLASS,
      String(port),
    ],
    { logFile },
  );
  try {
    await waitForPort(port, '127.0.0.1', Date.now() + 60_000, server.exited);
  } catch (error) {
    await server.stop(5_000);
    progress(`class data archive not created (${(error as Error).message}); continuing without it`);
    progress(await tailFile(logFile, 10));
    await writeFile(`${archive}.failed`, `${(error as Error).message}\n`);
    return undefined;
  }
  // The JVM writes the archive during its orderly shutdown, which SIGTERM triggers.
  await server.stop(30_000);
  if (!(await exists(partial))) {
    progress('class data archive not created (JVM wrote none); continuing without it');
    await writeFile(`${archive}.failed`, 'no archive written\n');
    return undefined;
  }
  await rename(partial, archive);
  await removeOtherArchives(dir, archive);
  progress(
    `recorded a class data archive for the test server in ${formatDuration(Date.now() - started)}`,
  );
  return archive;
}

/** Archives for an older JVM or classpath are dead weight (25 MB each). */
async function removeOtherArchives(dir: string, keep: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name.startsWith('cds-') && path !== keep && !name.endsWith('.log')) {
      await rm(path, { force: true });
    }
  }
}

function launcherScript(java: string, classpath: string, archive: string | undefined): string {
  const flags = [...JVM_FLAGS, ...(archive ? [`-XX:SharedArchiveFile=${archive}`] : [])];
  // "$@": the SDK passes the port, then any extraArgs.
  return [
    '#!/bin/sh',
    `# Generated by infra/test-server.ts: Temporal time-skipping test server ${TEST_SERVER_VERSION}.`,
    `exec ${shellQuote(java)} ${flags.map(shellQuote).join(' ')} -cp ${shellQuote(classpath)} ${MAIN_CLASS} "$@"`,
    '',
  ].join('\n');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Replace `path` atomically when its content differs, so a running launcher is never half-written. */
async function writeIfChanged(path: string, content: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')) === content) return;
  } catch {
    // missing: write it
  }
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, content);
  await chmod(partial, 0o755);
  await rename(partial, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
