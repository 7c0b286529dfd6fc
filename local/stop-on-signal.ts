/**
 * On the first SIGINT or SIGTERM (Ctrl-C in a terminal, `kill`, or npm passing either on to `exec tsx …`), runs
 * `stop` once and exits with `code`. Without it Node exits at once and leaves behind what the sandbox started: its
 * nginx hosts are daemons and DynamoDB Local is a Java child, and neither dies with this process.
 */
export function stopOnSignal(stop: () => Promise<void>, code = 0): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    stop().then(
      () => process.exit(code),
      (error: unknown) => {
        console.error('Stopping the sandbox failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
