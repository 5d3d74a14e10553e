// Preloaded with `node -r` by bench/pull.mjs: as the process exits, writes its peak
// resident set size (VmHWM, in kB) to $STIGMER_BENCH_RSS_FILE.
const fs = require('node:fs');
process.on('exit', () => {
  const match = /VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (match && process.env.STIGMER_BENCH_RSS_FILE)
    fs.writeFileSync(process.env.STIGMER_BENCH_RSS_FILE, match[1]);
});
