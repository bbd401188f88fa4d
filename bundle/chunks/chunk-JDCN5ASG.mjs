import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });
function o(t,s=[]){return s.length>0||t.some(e=>e.status!=="up"||e.pushes.some(r=>!r.delivered))?1:0}export{o as a};
