// Renderer unit tests run in Node, but nothing under app/renderer may name a Node module (the renderer is
// browser code, and a check enforces that by its imports). They take the test API from here instead.
export { test, describe, before, after } from 'node:test';
export { default as assert } from 'node:assert/strict';
