/**
 * `jc-onboard` ships prebuilt (bin/build-cli.ts, run by `npm ci` and before these tests): a call
 * runs one bundled JavaScript file and compiles no TypeScript, so it starts at once. (How fast is
 * the benchmark's business, not a test's: here we check what it loads.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JC_ONBOARD, REPO, start } from './processes';

const REPORT_LOADED = path.join(__dirname, 'loaded-modules.cjs');

async function loadedBy(args: readonly string[]) {
  const running = start(process.execPath, ['--require', REPORT_LOADED, JC_ONBOARD, ...args]);
  running.child.stdin.end();
  const finished = await running.exited;
  const line = finished.stderr.split('\n').find((text) => text.startsWith('loaded modules: ')) ?? '';
  return { ...finished, loaded: JSON.parse(line.slice('loaded modules: '.length) || '[]') as string[] };
}

describe('jc-onboard, prebuilt', () => {
  it('answers --help from the bundle, compiling no TypeScript', async () => {
    // Act
    const { code, stdout, loaded } = await loadedBy(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: jc-onboard');
    expect(loaded).toContain(path.join(REPO, 'dist', 'jc-onboard.cjs'));
    expect(
      loaded.filter((file) => /\.ts$|[\\/]node_modules[\\/](tsx|esbuild|typescript)[\\/]/.test(file)),
    ).toEqual([]);
  });

  it('runs a command from the same bundle', async () => {
    // Act
    const { code, stdout, loaded } = await loadedBy(['template']);

    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\r\n')[0]).toMatch(/^username,email,/);
    expect(loaded.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });
});
