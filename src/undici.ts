// undici, for the built-in reader's rest: backend (pushes use node:http: push/http.ts).
// Imported with `await import()` where a request is about to be made, so that a
// command that makes none (status of local repositories, validate) does not load its 110
// files. A module of our own in between, not `import('undici')` itself: the bundle keeps
// the named exports of a CommonJS package only when they are imported by name.
export { Agent, request } from 'undici';
export type { Dispatcher } from 'undici';
