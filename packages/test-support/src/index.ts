/** @module Test helpers for this repo's packages; private, not published. */
export { closedPortUrl, freePort } from './free-port.ts'
export {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
  type Reply,
  type ScriptedReply,
} from './recording-server.ts'
export {
  childEnv,
  NODE_TSX,
  runPnpm,
  runProgram,
  runTsx,
  type Finished,
  type ProgramOptions,
} from './run-program.ts'
export { serveFetch, type ServedFetch } from './serve-fetch.ts'
export { startProgram, startTsx, type RunningProgram, type StartOptions } from './start-program.ts'
export { createTempDatabase, createTempDir, type TempDir } from './temp-dir.ts'
export {
  createTestDatabase,
  startEmbeddedPostgres,
  startPostgresForTests,
  type EmbeddedPostgresServer,
  type PostgresServer,
  type TestDatabase,
} from './postgres.ts'
