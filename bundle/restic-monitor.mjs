#!/usr/bin/env node
import { createRequire as __rmCreateRequire } from 'node:module'; const require = __rmCreateRequire(import.meta.url);
var s=[],n=o=>{s.push(o)};for(let o of["SIGHUP","SIGTERM","SIGINT"])process.on(o,n);var{start:t}=await import("./chunks/start-ZUJ4YHQY.mjs");t({held:s,hold:n});
