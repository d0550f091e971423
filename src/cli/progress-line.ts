/** A progress line on stderr: redrawn in place on a terminal, every quarter in a log. */
export function progressLine(label: string): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const percent = Math.floor((100 * done) / total);
    if (percent === last) return;
    last = percent;
    if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${done}/${total}\u001b[K${done === total ? '\n' : ''}`);
    else if (percent % 25 === 0) process.stderr.write(`${label}: ${done}/${total}\n`);
  };
}
