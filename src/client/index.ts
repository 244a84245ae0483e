/** @module Clients for the Kiln API, its WebSocket and the runner protocol. */
export { ApiError, HttpClient, type ClientOptions } from './http-client.js';
export { KilnClient } from './kiln-client.js';
export { LiveClient } from './live-client.js';
export { RunnerClient } from './runner-client.js';
