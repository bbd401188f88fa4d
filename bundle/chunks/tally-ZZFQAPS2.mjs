import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });
import{a,b}from"./chunk-A3DODBTW.mjs";import"./chunk-6ISGTU3X.mjs";export{a as addResult,b as talliesOf};
