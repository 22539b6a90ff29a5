// Preloaded with `node --require` by prebuilt.test.ts: as the process exits, says on stderr
// which files it loaded, so the test can tell the prebuilt bundle from TypeScript compiled at start.
process.on('exit', () => {
  process.stderr.write(`loaded modules: ${JSON.stringify(Object.keys(require.cache))}\n`);
});
