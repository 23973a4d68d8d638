#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { devCommand } from './devCommand.js';
import { invokeCommand } from './invokeCommand.js';
import { logsCommand } from './logsCommand.js';
import { reportError } from './reportError.js';

// Lambda runs in UTC; the time zone is process-wide, so it is set before any function starts.
process.env.TZ = 'UTC';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a number above 0');
  return parsed;
}

function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('must be a port, 0-65535');
  return parsed;
}

const program = new Command()
  .name('tributary')
  .description('Serverless Aggregator and Data Lake apps on one machine, with AWS behaviour.')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('dev')
  .description('Start the app: functions with hot reload, the local AWS endpoint (Lambda, S3), the async queue')
  .argument('[dir]', 'the app folder (holds tributary.config.ts)', '.')
  .option('--data-dir <dir>', 'where app state lives (default <dir>/.tributary)')
  .option('--idle-timeout <seconds>', 'stop environments idle this long (default 600)', positiveInteger)
  .option('--edge-port <port>', 'port of the local AWS endpoint on 127.0.0.1 (default 4566)', portNumber)
  .option('--port <port>', "port of the app's HTTP API on 127.0.0.1 (default 3000)", portNumber)
  .option('--ws-port <port>', "port of the app's WebSocket API on 127.0.0.1 (default 3001)", portNumber)
  .option('--time-scale <n>', 'divide async retry delays, backoff and event age by n (default 1)', positiveNumber)
  .option('--verbose', 'log debug events (JSON, on stderr)')
  .action(
    async (
      dir: string,
      options: {
        dataDir?: string;
        idleTimeout?: number;
        edgePort?: number;
        port?: number;
        wsPort?: number;
        timeScale?: number;
        verbose?: boolean;
      },
    ) => {
      await devCommand(dir, options);
    },
  );

program
  .command('invoke')
  .description('Invoke one function once, in a fresh runtime, and print its result')
  .argument('<function>', 'function name (as in tributary.config.ts)')
  .option('--app <dir>', 'the app folder', '.')
  .option('--data-dir <dir>', 'where app state lives (default <app>/.tributary)')
  .option('--event <file>', "the event as a JSON file, or '-' for standard input (default {})")
  .option('--log', 'print the execution log on stderr')
  .action(async (name: string, options: { app: string; dataDir?: string; event?: string; log?: boolean }) => {
    process.exitCode = await invokeCommand(name, options);
  });

program
  .command('logs')
  .description('Print the execution logs of recent invocations')
  .argument('[function]', 'only this function')
  .option('--app <dir>', 'the app folder', '.')
  .option('--data-dir <dir>', 'where app state lives (default <app>/.tributary)')
  .option('-n, --limit <count>', 'how many recent invocations', positiveInteger, 20)
  .option('-f, --follow', 'keep printing new invocations')
  .action(
    async (name: string | undefined, options: { app: string; dataDir?: string; limit: number; follow?: boolean }) => {
      await logsCommand(name, options);
    },
  );

program
  .command('report')
  .description(
    'Compare the aggregated requests in the records: sync, async and client-side (cost, latency, concurrency)',
  )
  .option('--app <dir>', 'the app folder', '.')
  .option('--data-dir <dir>', 'where app state lives (default <app>/.tributary)')
  .option(
    '--since <time>',
    'only invocations since this ISO time, or the last N minutes (e.g. 15m)',
    (value: string) => {
      const minutes = /^(\d+)m$/.exec(value);
      const at = minutes?.[1] !== undefined ? Date.now() - Number(minutes[1]) * 60_000 : Date.parse(value);
      if (Number.isNaN(at)) throw new InvalidArgumentError('must be an ISO time or a number of minutes like 15m');
      return at;
    },
  )
  .action(async (options: { app: string; dataDir?: string; since?: number }) => {
    const { reportCommand } = await import('./reportCommand.js');
    process.exitCode = await reportCommand(options);
  });

program
  .command('query')
  .description("Run one SQL query over the app's lake tables (as the Athena API runs it)")
  .argument('<sql>', "one SELECT (or WITH / EXPLAIN) statement, or '-' to read it from standard input")
  .option('--app <dir>', 'the app folder', '.')
  .option('--data-dir <dir>', 'where app state lives (default <app>/.tributary)')
  .option('--principal <name>', "apply this principal's grants (access.principals)")
  .option('--database <name>', 'the database unqualified table names belong to', 'default')
  .option(
    '--format <format>',
    'table, csv or json',
    (value: string) => {
      if (value !== 'table' && value !== 'csv' && value !== 'json')
        throw new InvalidArgumentError('must be table, csv or json');
      return value;
    },
    'table',
  )
  .option('--timeout <seconds>', 'stop the query after this long', positiveInteger, 1800)
  .action(
    async (
      sql: string,
      options: {
        app: string;
        dataDir?: string;
        principal?: string;
        database: string;
        format: 'table' | 'csv' | 'json';
        timeout: number;
      },
    ) => {
      // Loaded on use: it brings DuckDB's native library, which the other commands do not need.
      const { queryCommand } = await import('./queryCommand.js');
      process.exitCode = await queryCommand(sql, options);
    },
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
