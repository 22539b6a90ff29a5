// Preloaded (node --require) into a process the benchmark spawns, e.g. jc-onboard: on exit it
// writes the process's peak resident set size, in MB, to the file named by BENCH_PEAK_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.BENCH_PEAK_RSS_FILE;
  // maxRSS is the lifetime peak, in kilobytes.
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
});
