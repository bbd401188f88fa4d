#!/usr/bin/env node
import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });
var s=[],n=o=>{s.push(o)};for(let o of["SIGHUP","SIGTERM","SIGINT"])process.on(o,n);var{start:t}=await import("./chunks/start-QLQNB6QN.mjs");t({held:s,hold:n});
