/**
 * Builds the page: index.html and style.css as written, app.ts bundled by esbuild with the
 * engine's column registry inside. The CDK construct writes the files to its asset folder at
 * synth time; `npm start` serves them from memory. Synchronous, as CDK's local bundling is.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

/** File name → contents, ready to serve or upload. */
export type PageFiles = ReadonlyMap<string, string>;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

export function bundlePage(): PageFiles {
  const result = buildSync({
    entryPoints: [path.join(__dirname, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no page script');
  return new Map([
    ['index.html', readFileSync(path.join(__dirname, 'index.html'), 'utf8')],
    ['style.css', readFileSync(path.join(__dirname, 'style.css'), 'utf8')],
    ['app.js', script],
  ]);
}
