import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });
function t(o){let e=null;for(let n of o)(e===null||n.time.getTime()<e.time.getTime())&&(e=n);return e}export{t as a};
